#include "config.h"

#include <gio/gio.h>
#include <glib/gstdio.h>
#include <string.h>
#include <sys/stat.h>

#include "imss-date.h"
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

/* an activated license of @slot whose code has serial @serial */
static ImssLicense *
make_license(ImssSlotId slot, guint64 serial, const gchar *expiry)
{
	ImssLicense *license = imss_license_new(slot, TRUE);
	g_autofree gchar *code = NULL;
	ImssCodeInfo info = {0};
	info.prefix = IMSS_CODE_PREFIX_IM;
	info.edition = IMSS_EDITION_IMSVA;
	info.slot_mask = 1u << slot;
	info.serial = serial;
	g_date_clear(&info.expiry, 1);
	g_assert_true(imss_date_parse(expiry, &info.expiry));
	code = imss_code_encode(&info, NULL);
	g_assert_nonnull(code);
	/* 2100: past 2038 on purpose */
	imss_license_activate(license, code, &info.expiry, FALSE, G_GINT64_CONSTANT(4102444800));
	return license;
}

static guint64
serial_of(GPtrArray *licenses, guint i)
{
	ImssCodeInfo info = {0};
	const gchar *code = imss_license_get_code(g_ptr_array_index(licenses, i));
	g_assert_true(imss_code_parse(code, strlen(code), &info, NULL, NULL));
	return info.serial;
}

/* write, close, reopen: everything is back */
static void
test_store_roundtrip(Fixture *fx)
{
	g_autoptr(ImssStore) store = fixture_open(fx);
	g_autoptr(ImssStoreChange) change = imss_store_change_new();
	g_autoptr(ImssLicense) a = make_license(IMSS_SLOT_ANTISPAM, 7, "2027-01-31");
	g_autoptr(ImssLicense) b = make_license(IMSS_SLOT_EMAIL_REPUTATION, 7, "2027-01-31");
	g_autoptr(GPtrArray) rows = NULL;
	g_autoptr(GPtrArray) history = NULL;
	g_autoptr(GError) error = NULL;
	g_autofree gchar *value = NULL;

	g_assert_cmpint(imss_store_get_schema_version(store), ==, IMSS_STORE_SCHEMA_VERSION);
	imss_license_record_contact(a, 1700000000, "IM-'; DROP TABLE slots;--");
	imss_license_set_server_status(b, "replaced");
	imss_store_change_add_license(change, a);
	imss_store_change_add_license(change, b);
	imss_store_change_set_setting(change, "click_protection", "ws_api_key", "abc'\"");
	imss_store_change_add_history(change, 1700000000, "activate", "antispam",
				      "IM-****-*****-*****-*****-*****-ABCDE", "uid 0", "ok", "x");
	/* the texts travel as one parameter for the batch: any character
	 * comes back as it was, in order */
	imss_store_change_add_history(change, G_GINT64_CONSTANT(4102444800), "settings", "",
				      "", "uid 1000 (\"x\")", "ok",
				      "a\\b \"c\" ',\n\t\x01 ]}\u3042 '); DROP TABLE history;--");
	g_assert_true(imss_store_apply(store, change, &error));
	g_assert_no_error(error);
	g_clear_object(&store);

	store = fixture_open(fx);
	rows = imss_store_load_licenses(store, &error);
	g_assert_no_error(error);
	g_assert_cmpuint(rows->len, ==, 2);
	{
		ImssLicense *r = g_ptr_array_index(rows, 0);
		g_autofree gchar *expiry = imss_date_format(imss_license_get_expiry(r));
		g_assert_cmpstr(imss_license_get_id(r), ==, "antispam");
		g_assert_cmpstr(imss_license_get_code(r), ==, imss_license_get_code(a));
		g_assert_cmpstr(expiry, ==, "2027-01-31");
		g_assert_cmpint(imss_license_get_activated_at(r), ==, G_GINT64_CONSTANT(4102444800));
		g_assert_cmpint(imss_license_get_checked_at(r), ==, 1700000000);
		g_assert_cmpstr(imss_license_get_check_error(r), ==, "IM-'; DROP TABLE slots;--");
		g_assert_false(imss_license_get_verified(r));
		g_assert_cmpstr(imss_license_get_server_status(g_ptr_array_index(rows, 1)), ==, "replaced");
	}
	value = imss_store_get_setting(store, "click_protection", "ws_api_key");
	g_assert_no_error(error);
	g_assert_cmpstr(value, ==, "abc'\"");
	history = imss_store_list_history(store, 0, 0, NULL, &error);
	g_assert_no_error(error);
	g_assert_cmpuint(history->len, ==, 2);
	{
		ImssStoreHistory *h = g_ptr_array_index(history, 1);
		g_assert_cmpint(h->time, ==, 1700000000);
		g_assert_cmpstr(h->caller, ==, "uid 0");
		h = g_ptr_array_index(history, 0); /* the newest first */
		g_assert_cmpint(h->time, ==, G_GINT64_CONSTANT(4102444800));
		g_assert_cmpstr(h->slot, ==, "");
		g_assert_cmpstr(h->caller, ==, "uid 1000 (\"x\")");
		g_assert_cmpstr(h->detail, ==, "a\\b \"c\" ',\n\t\x01 ]}\u3042 '); DROP TABLE history;--");
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
		g_autoptr(ImssLicense) license = make_license(IMSS_SLOT_ANTIVIRUS, i, "2027-02-28");
		/* each activation replaces the row the one before wrote */
		imss_license_set_revision(license, i);
		imss_store_change_add_license(change, license);
		g_assert_true(imss_store_apply(store, change, &error));
		g_assert_no_error(error);
	}
	rows = imss_store_load_licenses(store, &error);
	g_assert_no_error(error);
	g_assert_cmpuint(rows->len, ==, 1);
	g_assert_cmpuint(serial_of(rows, 0), ==, 2);

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
	value = imss_store_get_setting(store, "click_protection", "ws_api_key");
	g_assert_no_error(error);
	g_assert_null(value);
}

/* a failing change leaves nothing half-written: both rows or neither */
static void
test_store_atomic(Fixture *fx)
{
	g_autoptr(ImssStore) store = fixture_open(fx);
	g_autoptr(ImssStoreChange) change = imss_store_change_new();
	g_autoptr(ImssLicense) a = make_license(IMSS_SLOT_CLOUD_PREFILTER, 1, "2030-01-01");
	g_autoptr(GError) error = NULL;
	g_autoptr(GPtrArray) rows = NULL;
	guint before;

	rows = imss_store_load_licenses(store, &error);
	g_assert_no_error(error);
	before = rows->len;
	g_clear_pointer(&rows, g_ptr_array_unref);

	imss_store_change_add_license(change, a);
	imss_store_change_add_history(change, 1, "activate", "x", "", "", "ok", "");
	/* the history's action is NOT NULL: this fails after the license was written */
	imss_store_change_add_history(change, 1, NULL, "x", "", "", "ok", "");
	g_assert_false(imss_store_apply(store, change, &error));
	g_assert_nonnull(error);
	g_clear_error(&error);

	rows = imss_store_load_licenses(store, &error);
	g_assert_no_error(error);
	g_assert_cmpuint(rows->len, ==, before);
	for (guint i = 0; i < rows->len; i++)
		g_assert_cmpstr(imss_license_get_id(g_ptr_array_index(rows, i)), !=, "cloud-prefilter");
}

static void
test_store_history_limit(Fixture *fx)
{
	g_autoptr(ImssStore) store = fixture_open(fx);
	g_autoptr(ImssStoreChange) change = imss_store_change_new();
	g_autoptr(GError) error = NULL;
	g_autoptr(GPtrArray) h = NULL;
	guint total = 0;
	for (gint i = 0; i < 5; i++)
		imss_store_change_add_history(change, 1000 + i, "activate", "antivirus", "", "uid 0", "ok", "");
	g_assert_true(imss_store_apply(store, change, &error));
	h = imss_store_list_history(store, 0, 2, NULL, &error);
	g_assert_no_error(error);
	g_assert_cmpuint(h->len, ==, 2);
	g_assert_cmpint(((ImssStoreHistory *)g_ptr_array_index(h, 0))->time, ==, 1004);
	g_clear_pointer(&h, g_ptr_array_unref);
	/* a page further down, and the total */
	h = imss_store_list_history(store, 3, 10, &total, &error);
	g_assert_no_error(error);
	g_assert_cmpuint(total, ==, 5);
	g_assert_cmpuint(h->len, ==, 2);
	g_assert_cmpint(((ImssStoreHistory *)g_ptr_array_index(h, 0))->time, ==, 1001);
	g_assert_cmpint(((ImssStoreHistory *)g_ptr_array_index(h, 1))->time, ==, 1000);
	g_clear_pointer(&h, g_ptr_array_unref);
	h = imss_store_list_history(store, 5, 10, &total, &error);
	g_assert_no_error(error);
	g_assert_cmpuint(h->len, ==, 0);
	g_assert_cmpuint(total, ==, 5);
}

/* a store holding an antivirus license (serial 0xA) and its history entry */
static ImssStore *
open_with_antivirus(Fixture *fx)
{
	ImssStore *store = fixture_open(fx);
	g_autoptr(ImssStoreChange) change = imss_store_change_new();
	g_autoptr(ImssLicense) a = make_license(IMSS_SLOT_ANTIVIRUS, 0xA, "2027-01-31");
	g_autoptr(GError) error = NULL;
	imss_store_change_add_license(change, a);
	imss_store_change_add_history(change, 1, "activate", "antivirus", "", "uid 0", "ok", "");
	g_assert_true(imss_store_apply(store, change, &error));
	g_assert_no_error(error);
	return store;
}

/* overwrites the root page of the slots table, as a bad sector or a stray
 * write would; returns the file's new contents */
static GBytes *
damage_slots_page(Fixture *fx, const gchar *filename)
{
	g_autoptr(GdaConnection) gda = NULL;
	g_autoptr(GdaDataModel) model = NULL;
	g_autoptr(GError) error = NULL;
	g_autofree gchar *data = NULL;
	gsize len = 0;
	const GValue *v;
	gint64 root;
	gsize page_size;

	gda = gda_connection_open_from_string(fx->provider, fx->cnc, fx->auth,
					      GDA_CONNECTION_OPTIONS_NONE, &error);
	g_assert_no_error(error);
	model = gda_connection_execute_select_command(
	    gda, "SELECT rootpage FROM sqlite_master WHERE name = 'slots'", &error);
	g_assert_no_error(error);
	v = gda_data_model_get_value_at(model, 0, 0, &error);
	g_assert_no_error(error);
	root = G_VALUE_HOLDS_INT64(v) ? g_value_get_int64(v) : g_value_get_int(v);
	g_clear_object(&model);
	gda_connection_close(gda);

	g_assert_true(g_file_get_contents(filename, &data, &len, &error));
	page_size = ((guchar)data[16] << 8) | (guchar)data[17];
	if (page_size == 1)
		page_size = 65536;
	g_assert_cmpint(root, >, 1);
	g_assert_cmpuint(len, >=, root * page_size);
	memset(data + (root - 1) * page_size, 0xa5, page_size);
	g_assert_true(g_file_set_contents(filename, data, len, &error));
	return g_bytes_new(data, len);
}

static void
assert_file_is(const gchar *filename, GBytes *expected)
{
	g_autofree gchar *data = NULL;
	gsize len = 0;
	g_autoptr(GBytes) now = NULL;
	g_assert_true(g_file_get_contents(filename, &data, &len, NULL));
	now = g_bytes_new(data, len);
	g_assert_true(g_bytes_equal(now, expected));
}

/* a damaged store is refused at open with what to do, and left untouched */
static void
test_store_damaged(Fixture *fx)
{
	g_autoptr(ImssStore) store = open_with_antivirus(fx);
	g_autoptr(GError) error = NULL;
	g_autoptr(GBytes) damaged = NULL;
	g_autofree gchar *filename = g_strdup(imss_store_get_filename(store));
	g_clear_object(&store);
	damaged = damage_slots_page(fx, filename);

	store = imss_store_new(fx->provider, fx->cnc, fx->auth);
	g_assert_false(imss_store_open(store, &error));
	g_assert_error(error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA);
	g_test_message("%s", error->message);
	g_assert_nonnull(strstr(error->message, filename));
	g_assert_nonnull(strstr(error->message, "is damaged (quick_check: "));
	g_assert_nonnull(strstr(error->message, "restore it from a backup"));
	g_assert_nonnull(strstr(error->message, "the file was left untouched"));
	assert_file_is(filename, damaged);
	g_clear_error(&error);

	/* not a database at all */
	{
		g_autoptr(GBytes) garbage = g_bytes_new_static("this is no SQLite file, honest\n", 31);
		g_assert_true(g_file_set_contents(filename, g_bytes_get_data(garbage, NULL), 31, NULL));
		g_clear_object(&store);
		store = imss_store_new(fx->provider, fx->cnc, fx->auth);
		g_assert_false(imss_store_open(store, &error));
		g_assert_error(error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA);
		g_assert_nonnull(strstr(error->message, filename));
		assert_file_is(filename, garbage);
	}
}

/* another program (a backup, an sqlite3 shell) holding the write lock */
static GdaConnection *
lock_database(Fixture *fx)
{
	g_autoptr(GError) error = NULL;
	GdaConnection *other = gda_connection_open_from_string(fx->provider, fx->cnc, fx->auth,
							       GDA_CONNECTION_OPTIONS_NONE, &error);
	g_assert_no_error(error);
	gda_connection_execute_non_select_command(other, "BEGIN EXCLUSIVE", &error);
	g_assert_no_error(error);
	return other;
}

static void
unlock_database(GdaConnection *other)
{
	g_autoptr(GError) error = NULL;
	gda_connection_execute_non_select_command(other, "ROLLBACK", &error);
	g_assert_no_error(error);
	gda_connection_close(other);
	g_object_unref(other);
}

/* a write fails whole; a read sees the last commit (the write-ahead log
 * lets it), never "no rows" */
static void
test_store_locked(Fixture *fx)
{
	g_autoptr(ImssStore) store = open_with_antivirus(fx);
	g_autoptr(GPtrArray) rows = NULL;
	g_autoptr(GPtrArray) history = NULL;
	g_autoptr(GError) error = NULL;
	GdaConnection *other;

	{
		g_autoptr(ImssStoreChange) change = imss_store_change_new();
		imss_store_change_set_setting(change, "notices", "hide-inactive", "true");
		g_assert_true(imss_store_apply(store, change, &error));
	}
	other = lock_database(fx);
	/* the settings are in memory: a lock cannot turn them into "not set" */
	{
		g_autofree gchar *hidden = imss_store_get_setting(store, "notices", "hide-inactive");
		g_assert_cmpstr(hidden, ==, "true");
	}
	rows = imss_store_load_licenses(store, &error);
	g_assert_no_error(error);
	g_assert_cmpuint(rows->len, ==, 1);
	g_clear_pointer(&rows, g_ptr_array_unref);
	history = imss_store_list_history(store, 0, 0, NULL, &error);
	g_assert_no_error(error);
	g_assert_cmpuint(history->len, ==, 1);
	g_clear_pointer(&history, g_ptr_array_unref);
	{
		g_autoptr(ImssStoreChange) change = imss_store_change_new();
		g_autoptr(ImssLicense) b = make_license(IMSS_SLOT_ANTIVIRUS, 0xB, "2028-01-31");
		imss_store_change_add_license(change, b);
		imss_store_change_add_history(change, 2, "activate", "antivirus", "", "uid 0", "ok", "");
		g_assert_false(imss_store_apply(store, change, &error));
		g_assert_error(error, G_IO_ERROR, G_IO_ERROR_BUSY);
		g_clear_error(&error);
	}
	unlock_database(other);

	/* the lock is gone: everything is as it was, and works */
	rows = imss_store_load_licenses(store, &error);
	g_assert_no_error(error);
	g_assert_cmpuint(rows->len, ==, 1);
	g_assert_cmpuint(serial_of(rows, 0), ==, 0xA);
	history = imss_store_list_history(store, 0, 0, NULL, &error);
	g_assert_no_error(error);
	g_assert_cmpuint(history->len, ==, 1);
}

/* the retention keeps the newest entries, with every append and at open */
static void
test_store_history_retention(Fixture *fx)
{
	g_autoptr(ImssStore) store = imss_store_new(fx->provider, fx->cnc, fx->auth);
	g_autoptr(GError) error = NULL;
	g_autoptr(GPtrArray) h = NULL;
	guint total = 0;

	imss_store_set_history_max(store, 3);
	g_assert_true(imss_store_open(store, &error));
	for (gint i = 0; i < 5; i++) {
		g_autoptr(ImssStoreChange) change = imss_store_change_new();
		imss_store_change_add_history(change, 1000 + i, "activate", "antivirus", "", "uid 0", "ok", "");
		g_assert_true(imss_store_apply(store, change, &error));
		g_assert_no_error(error);
	}
	h = imss_store_list_history(store, 0, 0, &total, &error);
	g_assert_no_error(error);
	g_assert_cmpuint(total, ==, 3);
	g_assert_cmpint(((ImssStoreHistory *)g_ptr_array_index(h, 0))->time, ==, 1004);
	g_assert_cmpint(((ImssStoreHistory *)g_ptr_array_index(h, 2))->time, ==, 1002);
	g_clear_pointer(&h, g_ptr_array_unref);
	g_clear_object(&store);

	/* a lower bound applies at the next open */
	store = imss_store_new(fx->provider, fx->cnc, fx->auth);
	imss_store_set_history_max(store, 2);
	g_assert_true(imss_store_open(store, &error));
	h = imss_store_list_history(store, 0, 0, &total, &error);
	g_assert_no_error(error);
	g_assert_cmpuint(total, ==, 2);
	g_assert_cmpint(((ImssStoreHistory *)g_ptr_array_index(h, 1))->time, ==, 1003);
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
	/* the write-ahead log holds the same rows */
	for (guint i = 0; i < 2; i++) {
		g_autofree gchar *side = g_strconcat(imss_store_get_filename(store),
						     i == 0 ? "-wal" : "-shm", NULL);
		g_assert_cmpint(g_stat(side, &st), ==, 0);
		g_assert_cmpint(st.st_mode & 0777, ==, 0600);
	}
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
	/* back to schema 4: without the queue and what schema 6 added */
	{
		const gchar *to_v4[] = {
		    "DROP TABLE restarts",
		    "DROP TABLE nodes",
		    "DROP TABLE changes",
		    "ALTER TABLE slots DROP COLUMN revision",
		    "ALTER TABLE job_runs DROP COLUMN owner",
		    "ALTER TABLE job_runs DROP COLUMN lease_until",
		    "ALTER TABLE history DROP COLUMN node",
		    "UPDATE schema_version SET version = 4",
		};
		for (guint i = 0; i < G_N_ELEMENTS(to_v4); i++) {
			gda_connection_execute_non_select_command(gda, to_v4[i], &error);
			g_assert_no_error(error);
		}
	}
	gda_connection_close(gda);

	store = fixture_open(fx);
	list = imss_store_list_restarts(store, &error);
	g_assert_no_error(error);
	g_assert_cmpuint(list->len, ==, 2);
	g_assert_cmpstr(((ImssStoreRestart *)g_ptr_array_index(list, 0))->unit, ==,
			"imss-scan.service");
	g_assert_cmpstr(((ImssStoreRestart *)g_ptr_array_index(list, 1))->unit, ==,
			"imss-policy.service");
	pending = imss_store_get_setting(store, "restart", "pending");
	g_assert_null(pending);
}

/* a write based on a stale read is refused whole: another node's newer
 * license is never written over */
static void
test_store_stale_write(Fixture *fx)
{
	g_autoptr(ImssStore) a = fixture_open(fx);
	g_autoptr(ImssStore) b = fixture_open(fx);
	g_autoptr(ImssLicense) first = make_license(IMSS_SLOT_ANTIVIRUS, 1, "2027-01-31");
	g_autoptr(ImssLicense) second = NULL;
	g_autoptr(ImssLicense) stale = make_license(IMSS_SLOT_ANTIVIRUS, 2, "2029-01-31");
	g_autoptr(GPtrArray) loaded = NULL;
	g_autoptr(GError) error = NULL;

	{
		g_autoptr(ImssStoreChange) change = imss_store_change_new();
		imss_store_change_add_license(change, first);
		g_assert_true(imss_store_apply(a, change, &error));
		g_assert_no_error(error);
	}
	g_assert_cmpint(imss_license_get_revision(first), ==, 1);
	/* node A renews: revision 2 */
	second = imss_license_copy(first);
	{
		g_autoptr(ImssStoreChange) change = imss_store_change_new();
		GDate later;
		g_date_clear(&later, 1);
		g_date_set_dmy(&later, 31, G_DATE_JANUARY, 2028);
		imss_license_confirm_expiry(second, &later, 100);
		imss_store_change_add_license(change, second);
		g_assert_true(imss_store_apply(a, change, &error));
	}
	g_assert_cmpint(imss_license_get_revision(second), ==, 2);
	/* node B still holds revision 1 (or never saw the slot): refused */
	for (gint64 rev = 0; rev <= 1; rev++) {
		g_autoptr(ImssStoreChange) change = imss_store_change_new();
		imss_license_set_revision(stale, rev);
		imss_store_change_add_license(change, stale);
		imss_store_change_add_history(change, 1, "activate", "antivirus", "", "uid 0", "ok", "");
		g_assert_false(imss_store_apply(b, change, &error));
		g_assert_error(error, G_IO_ERROR, G_IO_ERROR_WRONG_ETAG);
		g_clear_error(&error);
		g_assert_cmpint(imss_license_get_revision(stale), ==, rev);
	}
	loaded = imss_store_load_licenses(b, &error);
	g_assert_no_error(error);
	g_assert_cmpuint(loaded->len, ==, 1);
	g_assert_cmpuint(serial_of(loaded, 0), ==, 1);
	g_assert_cmpint(imss_license_get_revision(g_ptr_array_index(loaded, 0)), ==, 2);
	{
		g_autofree gchar *expiry =
		    imss_date_format(imss_license_get_expiry(g_ptr_array_index(loaded, 0)));
		g_assert_cmpstr(expiry, ==, "2028-01-31");
	}
	{
		g_autoptr(GPtrArray) history = imss_store_list_history(b, 0, 0, NULL, &error);
		g_assert_no_error(error);
		g_assert_cmpuint(history->len, ==, 0);
	}
}

/* warnings logged while a test captures them (NULL: not capturing) */
static GPtrArray *captured_warnings = NULL;

static GLogWriterOutput
capture_warnings(GLogLevelFlags level, const GLogField *fields, gsize n_fields, gpointer data)
{
	if (captured_warnings != NULL && (level & G_LOG_LEVEL_WARNING) != 0) {
		for (gsize i = 0; i < n_fields; i++) {
			if (g_strcmp0(fields[i].key, "MESSAGE") == 0)
				g_ptr_array_add(captured_warnings, g_strdup(fields[i].value));
		}
		return G_LOG_WRITER_HANDLED;
	}
	return g_log_writer_default(level, fields, n_fields, data);
}

/* a stored row that is not a license (a damaged code or date, an unknown
 * slot) is skipped with a warning, never a failure: the other slots load */
static void
test_store_bad_rows(Fixture *fx)
{
	g_autoptr(ImssStore) store = open_with_antivirus(fx);
	g_autoptr(GPtrArray) licenses = NULL;
	g_autoptr(GError) error = NULL;
	GdaConnection *other = gda_connection_open_from_string(fx->provider, fx->cnc, fx->auth,
							       GDA_CONNECTION_OPTIONS_NONE, &error);
	const gchar *rows[] = {
	    "('antispam', 'IM-NOT-A-CODE', '2027-01-31', '2027-01-31', 0, 0, 0, 1, '', 0, '')",
	    "('compliance', 'x', '2027-02-30', '2027-01-31', 0, 0, 0, 1, '', 0, '')",
	    "('no-such-slot', 'x', '2027-01-31', '2027-01-31', 0, 0, 0, 1, '', 0, '')",
	};

	g_assert_no_error(error);
	for (guint i = 0; i < G_N_ELEMENTS(rows); i++) {
		g_autofree gchar *sql = g_strdup_printf(
		    "INSERT INTO slots (slot, code, expiry, issued_expiry, offline, verified, "
		    "verified_at, activated_at, server_status, checked_at, check_error) VALUES %s",
		    rows[i]);
		gda_connection_execute_non_select_command(other, sql, &error);
		g_assert_no_error(error);
	}
	gda_connection_close(other);
	g_object_unref(other);

	captured_warnings = g_ptr_array_new_with_free_func(g_free);
	licenses = imss_store_load_licenses(store, &error);
	g_assert_cmpuint(captured_warnings->len, ==, 3);
	g_assert_cmpstr(g_ptr_array_index(captured_warnings, 0), ==,
			"stored license of antispam is damaged; treating it as not activated");
	g_assert_cmpstr(g_ptr_array_index(captured_warnings, 1), ==,
			"stored license of compliance is damaged; treating it as not activated");
	g_assert_cmpstr(g_ptr_array_index(captured_warnings, 2), ==,
			"ignoring stored license of unknown slot no-such-slot");
	g_clear_pointer(&captured_warnings, g_ptr_array_unref);
	g_assert_no_error(error);
	/* antispam and compliance are not activated, antivirus is */
	g_assert_cmpuint(licenses->len, ==, 3);
	g_assert_cmpstr(imss_license_get_id(g_ptr_array_index(licenses, 0)), ==, "antispam");
	g_assert_false(imss_license_is_activated(g_ptr_array_index(licenses, 0)));
	g_assert_cmpstr(imss_license_get_id(g_ptr_array_index(licenses, 1)), ==, "antivirus");
	g_assert_cmpuint(serial_of(licenses, 1), ==, 0xA);
	g_assert_false(imss_license_is_activated(g_ptr_array_index(licenses, 2)));
	/* an activation replaces a damaged row */
	{
		g_autoptr(ImssStoreChange) change = imss_store_change_new();
		g_autoptr(ImssLicense) fresh = make_license(IMSS_SLOT_ANTISPAM, 9, "2028-01-31");
		imss_license_set_revision(fresh, imss_license_get_revision(g_ptr_array_index(licenses, 0)));
		imss_store_change_add_license(change, fresh);
		g_assert_true(imss_store_apply(store, change, &error));
		g_assert_no_error(error);
		g_assert_cmpint(imss_license_get_revision(fresh), ==, 2);
	}
}

static ImssStoreRun *
make_run(const gchar *job, const gchar *slot, const gchar *day, gint64 at)
{
	ImssStoreRun *run = g_new0(ImssStoreRun, 1);
	run->job = g_strdup(job);
	run->slot = g_strdup(slot);
	run->day = g_strdup(day);
	run->at = at;
	run->pending = TRUE;
	run->history = g_new0(ImssStoreHistory, 1);
	run->history->time = at;
	run->history->action = g_strdup(job);
	run->history->slot = g_strdup(slot);
	run->history->code = g_strdup("");
	run->history->caller = g_strdup("scheduler");
	run->history->outcome = g_strdup("due");
	run->history->detail = g_strdup(day);
	return run;
}

static gboolean
run_claimed(GPtrArray *runs, guint i)
{
	return ((ImssStoreRun *)g_ptr_array_index(runs, i))->claimed;
}

/* the claims of one evaluation go in one batch: a run another node holds
 * (or recorded under a clock that was ahead) never takes the others with
 * it; the runs finished while held are written together */
static void
test_store_claim_batch(Fixture *fx)
{
	g_autoptr(ImssStore) a = fixture_open(fx);
	g_autoptr(ImssStore) b = fixture_open(fx);
	g_autoptr(GPtrArray) first = g_ptr_array_new_with_free_func((GDestroyNotify)imss_store_run_free);
	g_autoptr(GPtrArray) batch = g_ptr_array_new_with_free_func((GDestroyNotify)imss_store_run_free);
	g_autoptr(GPtrArray) pending = NULL;
	g_autoptr(GPtrArray) history = NULL;
	g_autoptr(GError) error = NULL;
	const gint64 now = 1767225600; /* 2026-01-01 */

	imss_store_set_node(a, "node-a", 600);
	imss_store_set_node(b, "node-b", 600);
	/* node a holds the antivirus check; an old record of the antispam
	 * check was made under a clock two days ahead */
	g_ptr_array_add(first, make_run("check", "antivirus", "2026-01-01", now));
	g_ptr_array_add(first, make_run("check", "antispam", "2026-01-01", now + 2 * 86400));
	g_assert_true(imss_store_claim_runs(a, first, &error));
	g_assert_no_error(error);
	g_assert_true(run_claimed(first, 0) && run_claimed(first, 1));

	/* node b's evaluation: the conflict on antivirus loses nothing else */
	g_ptr_array_add(batch, make_run("check", "antivirus", "2026-01-01", now));
	g_ptr_array_add(batch, make_run("check", "antispam", "2026-01-01", now));
	g_ptr_array_add(batch, make_run("mail", "antivirus", "2026-01-01", now));
	g_ptr_array_add(batch, make_run("mail", "compliance", "2026-01-01", now));
	g_ptr_array_add(batch, make_run("mail", "compliance", "2026-01-01", now)); /* twice */
	captured_warnings = g_ptr_array_new_with_free_func(g_free);
	g_assert_true(imss_store_claim_runs(b, batch, &error));
	g_assert_no_error(error);
	g_assert_cmpuint(captured_warnings->len, ==, 1);
	g_assert_nonnull(strstr(g_ptr_array_index(captured_warnings, 0), "under a wrong clock"));
	g_clear_pointer(&captured_warnings, g_ptr_array_unref);
	g_assert_false(run_claimed(batch, 0));
	g_assert_true(run_claimed(batch, 1)); /* the future record did not count */
	g_assert_true(run_claimed(batch, 2));
	g_assert_true(run_claimed(batch, 3));
	g_assert_false(run_claimed(batch, 4));
	/* a claim again of what is claimed: nothing */
	g_assert_true(imss_store_claim_runs(b, batch, &error));
	for (guint i = 0; i < batch->len; i++)
		g_assert_false(run_claimed(batch, i));
	history = imss_store_list_history(b, 0, 0, NULL, &error);
	g_assert_no_error(error);
	g_assert_cmpuint(history->len, ==, 5); /* a's two, b's three */

	/* b finishes its three and a's antivirus check, held: written at the
	 * release; a's stays a's */
	imss_store_hold_finishes(b);
	g_assert_true(imss_store_finish_run(b, "check", "antispam", "2026-01-01", NULL, &error));
	g_assert_true(imss_store_finish_run(b, "mail", "antivirus", "2026-01-01", NULL, &error));
	g_assert_true(imss_store_finish_run(b, "check", "antivirus", "2026-01-01", NULL, &error));
	pending = imss_store_take_over_runs(b, TRUE, &error);
	g_assert_no_error(error);
	g_assert_cmpuint(pending->len, ==, 3); /* not written yet */
	g_clear_pointer(&pending, g_ptr_array_unref);
	captured_warnings = g_ptr_array_new_with_free_func(g_free);
	g_assert_true(imss_store_release_finishes(b, &error));
	g_assert_no_error(error);
	g_assert_cmpuint(captured_warnings->len, ==, 1); /* a's run is a's */
	g_clear_pointer(&captured_warnings, g_ptr_array_unref);
	pending = imss_store_take_over_runs(b, TRUE, &error);
	g_assert_no_error(error);
	g_assert_cmpuint(pending->len, ==, 1);
	g_assert_cmpstr(((ImssStoreRun *)g_ptr_array_index(pending, 0))->slot, ==, "compliance");
	g_clear_pointer(&pending, g_ptr_array_unref);
	pending = imss_store_take_over_runs(a, TRUE, &error);
	g_assert_no_error(error);
	g_assert_cmpuint(pending->len, ==, 1); /* a's antivirus check, still a's */
	g_assert_cmpstr(((ImssStoreRun *)g_ptr_array_index(pending, 0))->slot, ==, "antivirus");
}

/* the number of history entries another connection to the store sees */
static guint
history_seen(ImssStore *other)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(GPtrArray) history = imss_store_list_history(other, 0, 0, NULL, &error);
	g_assert_no_error(error);
	return history->len;
}

/* a claim of one run of @job for @day, alone in its evaluation */
static gboolean
claim_one(ImssStore *store, const gchar *job, const gchar *day)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(GPtrArray) runs = g_ptr_array_new_with_free_func((GDestroyNotify)imss_store_run_free);
	g_ptr_array_add(runs, make_run(job, "antivirus", day, 1767225600));
	g_assert_true(imss_store_claim_runs(store, runs, &error));
	g_assert_no_error(error);
	return run_claimed(runs, 0);
}

/* the virtual clock's advance holds the commits: the store's transactions
 * are savepoints of one (a rolled-back one undone alone), committed at a
 * flush, at the release, and after a few dozen (libgda's cost of a long
 * transaction is the square of its statements) */
static void
test_store_held_commits(Fixture *fx)
{
	g_autoptr(ImssStore) a = fixture_open(fx);
	g_autoptr(ImssStore) b = fixture_open(fx);
	g_autoptr(GPtrArray) runs = NULL;
	g_autoptr(GError) error = NULL;
	guint seen;

	imss_store_set_node(a, "node-a", 600);
	imss_store_hold_commits(a);
	imss_store_hold_commits(a); /* nested */
	g_assert_true(claim_one(a, "check", "2026-01-01"));
	g_assert_cmpuint(history_seen(a), ==, 1);
	g_assert_cmpuint(history_seen(b), ==, 0);
	/* one of two recorded already: the batch is rolled back to its
	 * savepoint and done again, the first claim stays */
	runs = g_ptr_array_new_with_free_func((GDestroyNotify)imss_store_run_free);
	g_ptr_array_add(runs, make_run("mail", "antivirus", "2026-01-01", 1767225600));
	g_ptr_array_add(runs, make_run("check", "antivirus", "2026-01-01", 1767225600));
	g_assert_true(imss_store_claim_runs(a, runs, &error));
	g_assert_no_error(error);
	g_assert_true(run_claimed(runs, 0));
	g_assert_false(run_claimed(runs, 1));
	g_clear_pointer(&runs, g_ptr_array_unref);
	g_assert_cmpuint(history_seen(a), ==, 2);
	g_assert_cmpuint(history_seen(b), ==, 0);
	g_assert_true(imss_store_flush_commits(a, &error));
	g_assert_no_error(error);
	g_assert_cmpuint(history_seen(b), ==, 2);
	g_assert_true(claim_one(a, "check", "2026-01-02"));
	g_assert_true(imss_store_release_commits(a, &error)); /* the inner hold */
	g_assert_cmpuint(history_seen(b), ==, 2);
	/* a long hold commits every few dozen transactions */
	for (guint d = 3; d <= 28; d++) {
		g_autofree gchar *day = g_strdup_printf("2026-01-%02u", d);
		g_assert_true(claim_one(a, "check", day));
		g_assert_true(claim_one(a, "mail", day));
	}
	seen = history_seen(b);
	g_assert_cmpuint(seen, >, 2);
	g_assert_cmpuint(seen, <, 55);
	g_assert_true(imss_store_release_commits(a, &error));
	g_assert_no_error(error);
	g_assert_cmpuint(history_seen(b), ==, 55);
	/* no longer held: each claim commits on its own */
	g_assert_true(claim_one(a, "check", "2026-01-29"));
	g_assert_cmpuint(history_seen(b), ==, 56);
}

/* what a held transaction keeps for its end (the history entries) is
 * written before its COMMIT: when that fails the held transaction is rolled
 * back whole, its claims with it, the flush says why, and from then on
 * each transaction commits on its own */
static void
test_store_held_write_fails(Fixture *fx)
{
	g_autoptr(ImssStore) a = fixture_open(fx);
	g_autoptr(ImssStore) b = fixture_open(fx);
	g_autoptr(GPtrArray) runs = g_ptr_array_new_with_free_func((GDestroyNotify)imss_store_run_free);
	g_autoptr(GError) error = NULL;
	ImssStoreRun *bad = make_run("mail", "antivirus", "2026-01-01", 1767225600);

	imss_store_set_node(a, "node-a", 600);
	imss_store_hold_commits(a);
	g_assert_true(claim_one(a, "check", "2026-01-01"));
	/* an entry the history table refuses (an action is NOT NULL): kept,
	 * so its claim succeeds */
	g_clear_pointer(&bad->history->action, g_free);
	g_ptr_array_add(runs, bad);
	g_assert_true(imss_store_claim_runs(a, runs, &error));
	g_assert_no_error(error);
	g_assert_true(run_claimed(runs, 0));
	g_assert_false(imss_store_flush_commits(a, &error));
	g_assert_nonnull(error);
	g_test_message("the flush: %s", error->message);
	g_clear_error(&error);
	g_assert_cmpuint(history_seen(b), ==, 0);
	/* neither claim stayed: the run is claimed again, and committed at once */
	g_assert_true(claim_one(a, "check", "2026-01-01"));
	g_assert_cmpuint(history_seen(b), ==, 1);
	g_assert_true(imss_store_release_commits(a, &error));
	g_assert_no_error(error);
	g_assert_cmpuint(history_seen(b), ==, 1);
}

#define ADD(provider, name, setup, fn) \
	g_test_add("/imss/store/" provider "/" name, Fixture, NULL, setup, \
		   (void (*)(Fixture *, gconstpointer))fn, fixture_teardown)

int
main(int argc, char **argv)
{
	g_log_set_writer_func(capture_warnings, NULL, NULL);
	g_test_init(&argc, &argv, NULL);
	ADD("sqlite", "roundtrip", fixture_setup_sqlite, test_store_roundtrip);
	ADD("sqlite", "replace-and-delete", fixture_setup_sqlite, test_store_replace_and_delete);
	ADD("sqlite", "atomic", fixture_setup_sqlite, test_store_atomic);
	ADD("sqlite", "history-limit", fixture_setup_sqlite, test_store_history_limit);
	ADD("sqlite", "history-retention", fixture_setup_sqlite, test_store_history_retention);
	ADD("sqlite", "file-mode", fixture_setup_sqlite, test_store_sqlite_mode);
	ADD("sqlite", "newer-schema", fixture_setup_sqlite, test_store_newer_schema);
	ADD("sqlite", "restarts", fixture_setup_sqlite, test_store_restarts);
	ADD("sqlite", "migrate-pending-restart", fixture_setup_sqlite,
	    test_store_migrate_pending_restart);
	ADD("sqlite", "locked", fixture_setup_sqlite, test_store_locked);
	ADD("sqlite", "damaged", fixture_setup_sqlite, test_store_damaged);
	ADD("sqlite", "bad-rows", fixture_setup_sqlite, test_store_bad_rows);
	ADD("sqlite", "stale-write", fixture_setup_sqlite, test_store_stale_write);
	ADD("sqlite", "claim-batch", fixture_setup_sqlite, test_store_claim_batch);
	ADD("sqlite", "held-commits", fixture_setup_sqlite, test_store_held_commits);
	ADD("sqlite", "held-write-fails", fixture_setup_sqlite, test_store_held_write_fails);
	ADD("postgresql", "roundtrip", fixture_setup_pg, test_store_roundtrip);
	ADD("postgresql", "replace-and-delete", fixture_setup_pg, test_store_replace_and_delete);
	ADD("postgresql", "atomic", fixture_setup_pg, test_store_atomic);
	ADD("postgresql", "history-limit", fixture_setup_pg, test_store_history_limit);
	ADD("postgresql", "history-retention", fixture_setup_pg, test_store_history_retention);
	ADD("postgresql", "newer-schema", fixture_setup_pg, test_store_newer_schema);
	ADD("postgresql", "restarts", fixture_setup_pg, test_store_restarts);
	ADD("postgresql", "migrate-pending-restart", fixture_setup_pg,
	    test_store_migrate_pending_restart);
	ADD("postgresql", "bad-rows", fixture_setup_pg, test_store_bad_rows);
	ADD("postgresql", "stale-write", fixture_setup_pg, test_store_stale_write);
	ADD("postgresql", "claim-batch", fixture_setup_pg, test_store_claim_batch);
	return g_test_run();
}
