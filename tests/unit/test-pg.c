#include "config.h"

#include "imss-gda.h"
#include "test-pg.h"

gboolean
imss_test_pg_reset(gchar **cnc, gchar **auth)
{
	const gchar *env = g_getenv("IMSS_PG_CNC");
	g_autoptr(GdaConnection) gda = NULL;
	g_autoptr(GError) error = NULL;

	if (env == NULL) {
		g_test_fail_printf("IMSS_PG_CNC is not set: run the tests through "
				   "tests/run-tests.sh, which starts a PostgreSQL server");
		return FALSE;
	}
	*cnc = g_strdup(env);
	*auth = g_strdup(g_getenv("IMSS_PG_AUTH") != NULL ? g_getenv("IMSS_PG_AUTH")
							  : "USERNAME=postgres");
	gda_init();
	gda = gda_connection_open_from_string("PostgreSQL", *cnc, *auth,
					      GDA_CONNECTION_OPTIONS_NONE, &error);
	g_assert_no_error(error);
	gda_connection_execute_non_select_command(gda, "DROP SCHEMA public CASCADE", &error);
	g_assert_no_error(error);
	gda_connection_execute_non_select_command(gda, "CREATE SCHEMA public", &error);
	g_assert_no_error(error);
	gda_connection_close(gda);
	return TRUE;
}
