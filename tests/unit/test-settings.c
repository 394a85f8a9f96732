#include "config.h"

#include <glib/gstdio.h>

#include "imss-settings.h"

typedef struct {
	gchar *dir;
	gchar *cnc;
	ImssStore *store;
} Fixture;

static void
fixture_setup(Fixture *fx, gconstpointer data)
{
	g_autoptr(GError) error = NULL;
	fx->dir = g_dir_make_tmp("imss-settings-XXXXXX", &error);
	g_assert_no_error(error);
	fx->cnc = g_strdup_printf("DB_DIR=%s;DB_NAME=imss-license", fx->dir);
	fx->store = imss_store_new("SQLite", fx->cnc, NULL);
	g_assert_true(imss_store_open(fx->store, &error));
	g_assert_no_error(error);
}

static void
fixture_teardown(Fixture *fx, gconstpointer data)
{
	g_autofree gchar *db = g_build_filename(fx->dir, "imss-license.db", NULL);
	g_clear_object(&fx->store);
	g_unlink(db);
	g_rmdir(fx->dir);
	g_free(fx->dir);
	g_free(fx->cnc);
}

static void
apply(Fixture *fx, ImssStoreChange *change)
{
	g_autoptr(GError) error = NULL;
	g_assert_true(imss_store_apply(fx->store, change, &error));
	g_assert_no_error(error);
}

static void
reopen(Fixture *fx)
{
	g_autoptr(GError) error = NULL;
	g_clear_object(&fx->store);
	fx->store = imss_store_new("SQLite", fx->cnc, NULL);
	g_assert_true(imss_store_open(fx->store, &error));
}

/* every setting survives a restart, and reads the defaults before */
static void
test_settings_roundtrip(Fixture *fx, gconstpointer data)
{
	g_autoptr(ImssStoreChange) change = imss_store_change_new();
	g_autoptr(ImssStoreChange) refused = imss_store_change_new();
	g_autoptr(ImssStoreChange) undo = imss_store_change_new();
	g_auto(ImssCmDeployments) cm = {0};
	g_autofree gchar *binding = NULL;
	gint64 answer = -1, failure = -1;

	g_assert_false(imss_settings_get_inactive_notices_hidden(fx->store));
	g_assert_null(imss_settings_get_click_binding(fx->store));
	imss_settings_get_cm_deployments(fx->store, &cm);
	g_assert_false(cm.any);
	g_assert_false(cm.applied_once);
	imss_cm_deployments_clear(&cm);
	imss_settings_get_server_contact(fx->store, &answer, &failure);
	g_assert_cmpint(answer, ==, 0);
	g_assert_cmpint(failure, ==, 0);

	imss_settings_set_inactive_notices_hidden(change, TRUE);
	imss_settings_set_click_binding(change, "abc123");
	imss_settings_record_cm_deployment(change, "cm.example", 4102444800, "extended", NULL);
	imss_settings_record_server_contact(change, TRUE, 4102444801);
	imss_settings_record_server_contact(change, FALSE, 4102444802);
	apply(fx, change);
	reopen(fx);

	g_assert_true(imss_settings_get_inactive_notices_hidden(fx->store));
	binding = imss_settings_get_click_binding(fx->store);
	g_assert_cmpstr(binding, ==, "abc123");
	imss_settings_get_cm_deployments(fx->store, &cm);
	g_assert_true(cm.applied_once);
	g_assert_cmpint(cm.last_time, ==, 4102444800);
	g_assert_cmpstr(cm.last_result, ==, "extended");
	imss_cm_deployments_clear(&cm);
	imss_settings_get_server_contact(fx->store, &answer, &failure);
	g_assert_cmpint(answer, ==, 4102444801);
	g_assert_cmpint(failure, ==, 4102444802);

	/* a refused deployment is recorded, and keeps the gateway CM-managed
	 * only if one was applied before */
	imss_settings_record_cm_deployment(refused, "cm.example", 4102444900, "failed", "bad expiry");
	imss_settings_set_inactive_notices_hidden(undo, FALSE);
	imss_settings_set_click_binding(undo, NULL);
	apply(fx, refused);
	apply(fx, undo);
	imss_settings_get_cm_deployments(fx->store, &cm);
	g_assert_true(cm.applied_once);
	g_assert_cmpstr(cm.last_result, ==, "failed: bad expiry");
	g_assert_false(imss_settings_get_inactive_notices_hidden(fx->store));
	g_clear_pointer(&binding, g_free);
	binding = imss_settings_get_click_binding(fx->store);
	g_assert_null(binding);
}

/* SPEC §8: a refused profile alone does not make a gateway CM-managed */
static void
test_settings_refused_only(Fixture *fx, gconstpointer data)
{
	g_autoptr(ImssStoreChange) change = imss_store_change_new();
	g_auto(ImssCmDeployments) cm = {0};
	imss_settings_record_cm_deployment(change, "cm.example", 100, "failed", "malformed");
	apply(fx, change);
	imss_settings_get_cm_deployments(fx->store, &cm);
	g_assert_true(cm.any);
	g_assert_false(cm.applied_once);
}

int
main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add("/imss/settings/roundtrip", Fixture, NULL, fixture_setup, test_settings_roundtrip,
		   fixture_teardown);
	g_test_add("/imss/settings/refused-only", Fixture, NULL, fixture_setup,
		   test_settings_refused_only, fixture_teardown);
	return g_test_run();
}
