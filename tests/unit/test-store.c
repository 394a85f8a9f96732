#include "config.h"

#include <gio/gio.h>
#include <glib/gstdio.h>
#include <sys/stat.h>

#include "imss-gda.h"
#include "imss-store.h"
#include "test-pg.h"

typedef struct {
	const gchar *provider;
	gchar *cnc;
	gchar *auth;
	gchar *dir;
} Fixture;

static ImssStore *
fixture_open(Fixture *fx)
{
	g_autoptr(GError) error = NULL;
	ImssStore *store = imss_store_new(fx->provider, fx->cnc, fx->auth);
	imss_store_open(store, &error);
	g_assert_no_error(error);
	return store;
}

static ImssStoreSlot *
make_row(const gchar *slot, const gchar *code, const gchar *expiry)
{
	ImssStoreSlot *row = imss_store_slot_new();
	row->slot = g_strdup(slot);
	row->code = g_strdup(code);
	row->expiry = g_strdup(expiry);
	row->issued_expiry = g_strdup(expiry);
	row->offline = FALSE;
	row->verified = FALSE;
	row->verified_at = 0;
	row->activated_at = G_GINT64_CONSTANT(4102444800); /* 2100: past 2038 on purpose */
	return row;
}

/* write, close, reopen: everything is back */
static void
test_store_roundtrip(Fixture *fx)
{
	g_autoptr(ImssStore) store = fixture_open(fx);
	g_autoptr(ImssStoreChange) change = imss_store_change_new();
	g_autoptr(ImssStoreSlot) a = make_row("antispam", "IM-'; DROP TABLE slots;--", "2027-01-31");
	g_autoptr(ImssStoreSlot) b = make_row("email-reputation", "IM-'; DROP TABLE slots;--", "2027-01-31");
	g_autoptr(GPtrArray) rows = NULL;
	g_autoptr(GPtrArray) history = NULL;
	g_autoptr(GError) error = NULL;
	g_autofree gchar *value = NULL;

	g_assert_cmpint(imss_store_get_schema_version(store), ==, IMSS_STORE_SCHEMA_VERSION);
	imss_store_change_add_row(change, a);
	imss_store_change_add_row(change, b);
	imss_store_change_set_setting(change, "click_protection", "ws_api_key", "abc'\"");
	imss_store_change_add_history(change, 1700000000, "activate", "antispam",
				      "IM-****-*****-*****-*****-*****-ABCDE", "uid 0", "ok", "x");
	g_assert_true(imss_store_apply(store, change, &error));
	g_assert_no_error(error);
	g_clear_object(&store);

	store = fixture_open(fx);
	rows = imss_store_load_slots(store, &error);
	g_assert_no_error(error);
	g_assert_cmpuint(rows->len, ==, 2);
	{
		ImssStoreSlot *r = g_ptr_array_index(rows, 0);
		g_assert_cmpstr(r->slot, ==, "antispam");
		g_assert_cmpstr(r->code, ==, "IM-'; DROP TABLE slots;--");
		g_assert_cmpstr(r->expiry, ==, "2027-01-31");
		g_assert_cmpint(r->activated_at, ==, G_GINT64_CONSTANT(4102444800));
	}
	value = imss_store_get_setting(store, "click_protection", "ws_api_key", &error);
	g_assert_no_error(error);
	g_assert_cmpstr(value, ==, "abc'\"");
	history = imss_store_list_history(store, 0, &error);
	g_assert_no_error(error);
	g_assert_cmpuint(history->len, ==, 1);
	{
		ImssStoreHistory *h = g_ptr_array_index(history, 0);
		g_assert_cmpint(h->time, ==, 1700000000);
		g_assert_cmpstr(h->caller, ==, "uid 0");
	}
}

/* upserting a row replaces it; deleting a setting reports whether it existed */
static void
test_store_replace_and_delete(Fixture *fx)
{
	g_autoptr(ImssStore) store = fixture_open(fx);
	g_autoptr(GError) error = NULL;
	g_autoptr(GPtrArray) rows = NULL;
	g_autofree gchar *value = NULL;
	for (guint i = 0; i < 3; i++) {
		g_autoptr(ImssStoreChange) change = imss_store_change_new();
		g_autofree gchar *code = g_strdup_printf("CODE-%u", i);
		g_autoptr(ImssStoreSlot) row = make_row("antivirus", code, "2027-02-28");
		imss_store_change_add_row(change, row);
		g_assert_true(imss_store_apply(store, change, &error));
		g_assert_no_error(error);
	}
	rows = imss_store_load_slots(store, &error);
	g_assert_no_error(error);
	g_assert_cmpuint(rows->len, ==, 1);
	g_assert_cmpstr(((ImssStoreSlot *)g_ptr_array_index(rows, 0))->code, ==, "CODE-2");

	{
		g_autoptr(ImssStoreChange) change = imss_store_change_new();
		imss_store_change_set_setting(change, "click_protection", "ws_api_key", "k");
		g_assert_true(imss_store_apply(store, change, &error));
	}
	for (guint i = 0; i < 2; i++) {
		g_autoptr(ImssStoreChange) change = imss_store_change_new();
		imss_store_change_delete_setting(change, "click_protection", "ws_api_key");
		g_assert_true(imss_store_apply(store, change, &error));
		g_assert_no_error(error);
		g_assert_cmpint(change->settings_delete_hit, ==, (i == 0));
	}
	value = imss_store_get_setting(store, "click_protection", "ws_api_key", &error);
	g_assert_no_error(error);
	g_assert_null(value);
}

/* a failing change leaves nothing half-written: both rows or neither */
static void
test_store_atomic(Fixture *fx)
{
	g_autoptr(ImssStore) store = fixture_open(fx);
	g_autoptr(ImssStoreChange) change = imss_store_change_new();
	g_autoptr(ImssStoreSlot) a = make_row("cloud-prefilter", "NEW", "2030-01-01");
	g_autoptr(ImssStoreSlot) bad = make_row("compliance", NULL, "2030-01-01"); /* NOT NULL */
	g_autoptr(GError) error = NULL;
	g_autoptr(GPtrArray) rows = NULL;
	guint before;

	rows = imss_store_load_slots(store, &error);
	g_assert_no_error(error);
	before = rows->len;
	g_clear_pointer(&rows, g_ptr_array_unref);

	imss_store_change_add_row(change, a);
	imss_store_change_add_row(change, bad);
	imss_store_change_add_history(change, 1, "activate", "x", "", "", "ok", "");
	g_assert_false(imss_store_apply(store, change, &error));
	g_assert_nonnull(error);
	g_clear_error(&error);

	rows = imss_store_load_slots(store, &error);
	g_assert_no_error(error);
	g_assert_cmpuint(rows->len, ==, before);
	for (guint i = 0; i < rows->len; i++)
		g_assert_cmpstr(((ImssStoreSlot *)g_ptr_array_index(rows, i))->slot, !=, "cloud-prefilter");
}

static void
test_store_history_limit(Fixture *fx)
{
	g_autoptr(ImssStore) store = fixture_open(fx);
	g_autoptr(ImssStoreChange) change = imss_store_change_new();
	g_autoptr(GError) error = NULL;
	g_autoptr(GPtrArray) h = NULL;
	for (gint i = 0; i < 5; i++)
		imss_store_change_add_history(change, 1000 + i, "activate", "antivirus", "", "uid 0", "ok", "");
	g_assert_true(imss_store_apply(store, change, &error));
	h = imss_store_list_history(store, 2, &error);
	g_assert_no_error(error);
	g_assert_cmpuint(h->len, ==, 2);
	g_assert_cmpint(((ImssStoreHistory *)g_ptr_array_index(h, 0))->time, ==, 1004);
}

static void
fixture_setup_sqlite(Fixture *fx, gconstpointer data)
{
	g_autoptr(GError) error = NULL;
	fx->dir = g_dir_make_tmp("imss-store-XXXXXX", &error);
	g_assert_no_error(error);
	fx->provider = "SQLite";
	fx->cnc = g_strdup_printf("DB_DIR=%s;DB_NAME=imss-license", fx->dir);
}

/* PostgreSQL: the CI's throwaway server (IMSS_PG_CNC); each test starts from
 * an empty database. A missing server is a failure, not a skip. */
static void
fixture_setup_pg(Fixture *fx, gconstpointer data)
{
	fx->provider = "PostgreSQL";
	imss_test_pg_reset(&fx->cnc, &fx->auth);
}

static void
fixture_teardown(Fixture *fx, gconstpointer data)
{
	if (fx->dir != NULL) {
		g_autofree gchar *db = g_build_filename(fx->dir, "imss-license.db", NULL);
		g_unlink(db);
		g_rmdir(fx->dir);
	}
	g_free(fx->dir);
	g_free(fx->cnc);
	g_free(fx->auth);
}

/* SQLite: the file holds activation codes, so it is the owner's only */
static void
test_store_sqlite_mode(Fixture *fx)
{
	g_autoptr(ImssStore) store = NULL;
	GStatBuf st;
	umask(0022);
	store = fixture_open(fx);
	g_assert_nonnull(imss_store_get_filename(store));
	g_assert_cmpint(g_stat(imss_store_get_filename(store), &st), ==, 0);
	g_assert_cmpint(st.st_mode & 0777, ==, 0600);
}

/* a database written by a newer daemon is refused, not touched */
static void
test_store_newer_schema(Fixture *fx)
{
	g_autoptr(ImssStore) store = fixture_open(fx);
	g_autoptr(GdaConnection) gda = NULL;
	g_autoptr(GError) error = NULL;
	g_clear_object(&store);
	gda = gda_connection_open_from_string(fx->provider, fx->cnc, fx->auth,
					      GDA_CONNECTION_OPTIONS_NONE, &error);
	g_assert_no_error(error);
	g_assert_cmpint(gda_connection_execute_non_select_command(
			    gda, "UPDATE schema_version SET version = 99", &error), >=, 0);
	g_assert_no_error(error);
	gda_connection_close(gda);
	store = imss_store_new(fx->provider, fx->cnc, fx->auth);
	g_assert_false(imss_store_open(store, &error));
	g_assert_error(error, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED);
}

/* the restart queue: a request during a run is kept; a record goes only
 * when its own generation finished */
static void
test_store_restarts(Fixture *fx)
{
	g_autoptr(ImssStore) store = fixture_open(fx);
	g_autoptr(ImssStoreChange) change = imss_store_change_new();
	g_autoptr(ImssStoreChange) again = imss_store_change_new();
	g_autoptr(GPtrArray) list = NULL;
	g_autoptr(GError) error = NULL;
	const gchar *units[] = {"imss-scan.service", "imss-policy.service", NULL};
	const gchar *scan_only[] = {"imss-scan.service", NULL};
	ImssStoreRestart *r;
	gboolean superseded = TRUE;

	imss_store_change_request_restarts(change, (gchar **)units, 100);
	g_assert_true(imss_store_apply(store, change, &error));
	g_assert_no_error(error);
	list = imss_store_list_restarts(store, &error);
	g_assert_no_error(error);
	g_assert_cmpuint(list->len, ==, 2);
	r = g_ptr_array_index(list, 0);
	g_assert_cmpstr(r->unit, ==, "imss-scan.service");
	g_assert_cmpstr(r->state, ==, "pending");
	g_assert_cmpint(r->generation, ==, 1);

	/* requested again while generation 1 runs */
	imss_store_change_request_restarts(again, (gchar **)scan_only, 200);
	g_assert_true(imss_store_apply(store, again, &error));
	g_assert_true(imss_store_update_restart(store, "imss-scan.service", 1, NULL, 1, NULL, NULL,
						&superseded, &error));
	g_assert_no_error(error);
	g_assert_true(superseded);
	g_clear_pointer(&list, g_ptr_array_unref);
	list = imss_store_list_restarts(store, &error);
	g_assert_cmpuint(list->len, ==, 2);
	r = g_ptr_array_index(list, 0);
	g_assert_cmpint(r->generation, ==, 2);

	/* a failure is kept with its reason; success removes the record */
	g_assert_true(imss_store_update_restart(store, "imss-scan.service", 2, "failed", 3,
						"RestartUnit failed: nope", NULL, &superseded, &error));
	g_assert_false(superseded);
	g_assert_true(imss_store_update_restart(store, "imss-policy.service", 1, NULL, 1, NULL, NULL,
						&superseded, &error));
	g_assert_false(superseded);
	g_clear_pointer(&list, g_ptr_array_unref);
	list = imss_store_list_restarts(store, &error);
	g_assert_cmpuint(list->len, ==, 1);
	r = g_ptr_array_index(list, 0);
	g_assert_cmpstr(r->state, ==, "failed");
	g_assert_cmpuint(r->attempts, ==, 3);
	g_assert_cmpstr(r->last_error, ==, "RestartUnit failed: nope");

	/* survives a reopen */
	g_clear_object(&store);
	store = fixture_open(fx);
	g_clear_pointer(&list, g_ptr_array_unref);
	list = imss_store_list_restarts(store, &error);
	g_assert_cmpuint(list->len, ==, 1);
}

/* schema 4 kept the pending restart in one setting: it becomes the queue */
static void
test_store_migrate_pending_restart(Fixture *fx)
{
	g_autoptr(ImssStore) store = fixture_open(fx);
	g_autoptr(ImssStoreChange) change = imss_store_change_new();
	g_autoptr(GdaConnection) gda = NULL;
	g_autoptr(GPtrArray) list = NULL;
	g_autoptr(GError) error = NULL;
	g_autofree gchar *pending = NULL;

	imss_store_change_set_setting(change, "restart", "pending",
				      "imss-scan.service imss-policy.service");
	g_assert_true(imss_store_apply(store, change, &error));
	g_clear_object(&store);
	gda = gda_connection_open_from_string(fx->provider, fx->cnc, fx->auth,
					      GDA_CONNECTION_OPTIONS_NONE, &error);
	g_assert_no_error(error);
	gda_connection_execute_non_select_command(gda, "DROP TABLE restarts", &error);
	g_assert_no_error(error);
	g_assert_cmpint(gda_connection_execute_non_select_command(
			    gda, "UPDATE schema_version SET version = 4", &error), >=, 0);
	g_assert_no_error(error);
	gda_connection_close(gda);

	store = fixture_open(fx);
	list = imss_store_list_restarts(store, &error);
	g_assert_no_error(error);
	g_assert_cmpuint(list->len, ==, 2);
	g_assert_cmpstr(((ImssStoreRestart *)g_ptr_array_index(list, 0))->unit, ==,
			"imss-scan.service");
	g_assert_cmpstr(((ImssStoreRestart *)g_ptr_array_index(list, 1))->unit, ==,
			"imss-policy.service");
	pending = imss_store_get_setting(store, "restart", "pending", &error);
	g_assert_no_error(error);
	g_assert_null(pending);
}

#define ADD(provider, name, setup, fn) \
	g_test_add("/imss/store/" provider "/" name, Fixture, NULL, setup, \
		   (void (*)(Fixture *, gconstpointer))fn, fixture_teardown)

int
main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	ADD("sqlite", "roundtrip", fixture_setup_sqlite, test_store_roundtrip);
	ADD("sqlite", "replace-and-delete", fixture_setup_sqlite, test_store_replace_and_delete);
	ADD("sqlite", "atomic", fixture_setup_sqlite, test_store_atomic);
	ADD("sqlite", "history-limit", fixture_setup_sqlite, test_store_history_limit);
	ADD("sqlite", "file-mode", fixture_setup_sqlite, test_store_sqlite_mode);
	ADD("sqlite", "newer-schema", fixture_setup_sqlite, test_store_newer_schema);
	ADD("sqlite", "restarts", fixture_setup_sqlite, test_store_restarts);
	ADD("sqlite", "migrate-pending-restart", fixture_setup_sqlite,
	    test_store_migrate_pending_restart);
	ADD("postgresql", "roundtrip", fixture_setup_pg, test_store_roundtrip);
	ADD("postgresql", "replace-and-delete", fixture_setup_pg, test_store_replace_and_delete);
	ADD("postgresql", "atomic", fixture_setup_pg, test_store_atomic);
	ADD("postgresql", "history-limit", fixture_setup_pg, test_store_history_limit);
	ADD("postgresql", "newer-schema", fixture_setup_pg, test_store_newer_schema);
	ADD("postgresql", "restarts", fixture_setup_pg, test_store_restarts);
	ADD("postgresql", "migrate-pending-restart", fixture_setup_pg,
	    test_store_migrate_pending_restart);
	return g_test_run();
}
