#include "config.h"

#include <stdlib.h>
#include <unistd.h>

#include "imss-gda.h"
#include "test-pg.h"

static gchar *test_pg_database = NULL;
static gchar *test_pg_admin_cnc = NULL;
static gchar *test_pg_auth = NULL;

static GdaConnection *
test_pg_connect(const gchar *cnc, const gchar *auth)
{
	g_autoptr(GError) error = NULL;
	GdaConnection *gda = gda_connection_open_from_string("PostgreSQL", cnc, auth,
							     GDA_CONNECTION_OPTIONS_NONE, &error);
	g_assert_no_error(error);
	return gda;
}

static void
test_pg_exec(GdaConnection *gda, const gchar *sql)
{
	g_autoptr(GError) error = NULL;
	gda_connection_execute_non_select_command(gda, sql, &error);
	g_assert_no_error(error);
}

/* at exit: our database goes (best effort: a store still open keeps it) */
static void
test_pg_drop_database(void)
{
	g_autoptr(GdaConnection) gda = NULL;
	g_autofree gchar *sql = NULL;
	if (test_pg_database == NULL)
		return;
	gda = gda_connection_open_from_string("PostgreSQL", test_pg_admin_cnc, test_pg_auth,
					      GDA_CONNECTION_OPTIONS_NONE, NULL);
	if (gda == NULL)
		return;
	sql = g_strdup_printf("DROP DATABASE IF EXISTS %s WITH (FORCE)", test_pg_database);
	gda_connection_execute_non_select_command(gda, sql, NULL);
	gda_connection_close(gda);
}

/* $IMSS_PG_CNC with its DB_NAME replaced by @database */
static gchar *
test_pg_cnc_for(const gchar *env, const gchar *database)
{
	g_auto(GStrv) parts = g_strsplit(env, ";", -1);
	g_autoptr(GPtrArray) out = g_ptr_array_new_with_free_func(g_free);
	for (guint i = 0; parts[i] != NULL; i++) {
		if (!g_str_has_prefix(parts[i], "DB_NAME=") && parts[i][0] != '\0')
			g_ptr_array_add(out, g_strdup(parts[i]));
	}
	g_ptr_array_add(out, g_strdup_printf("DB_NAME=%s", database));
	g_ptr_array_add(out, NULL);
	return g_strjoinv(";", (gchar **)out->pdata);
}

gboolean
imss_test_pg_reset(gchar **cnc, gchar **auth)
{
	const gchar *env = g_getenv("IMSS_PG_CNC");
	g_autoptr(GdaConnection) gda = NULL;

	if (env == NULL) {
		g_test_fail_printf("IMSS_PG_CNC is not set: run the tests through "
				   "tests/run-tests.sh, which starts a PostgreSQL server");
		return FALSE;
	}
	gda_init();
	/* a database of our own: test programs run in parallel (and several
	 * trees may share one development server) */
	if (test_pg_database == NULL) {
		g_autofree gchar *sql = NULL;
		test_pg_database = g_strdup_printf("imss_unit_%d", (gint)getpid());
		test_pg_admin_cnc = g_strdup(env);
		test_pg_auth = g_strdup(g_getenv("IMSS_PG_AUTH") != NULL ? g_getenv("IMSS_PG_AUTH")
								 : "USERNAME=postgres");
		gda = test_pg_connect(test_pg_admin_cnc, test_pg_auth);
		sql = g_strdup_printf("DROP DATABASE IF EXISTS %s WITH (FORCE)", test_pg_database);
		test_pg_exec(gda, sql);
		g_free(sql);
		sql = g_strdup_printf("CREATE DATABASE %s", test_pg_database);
		test_pg_exec(gda, sql);
		gda_connection_close(gda);
		g_clear_object(&gda);
		atexit(test_pg_drop_database);
	}
	*cnc = test_pg_cnc_for(env, test_pg_database);
	*auth = g_strdup(test_pg_auth);
	gda = test_pg_connect(*cnc, *auth);
	test_pg_exec(gda, "DROP SCHEMA public CASCADE");
	test_pg_exec(gda, "CREATE SCHEMA public");
	gda_connection_close(gda);
	return TRUE;
}
