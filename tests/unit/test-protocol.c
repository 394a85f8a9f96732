/*
 * common/imss-protocol.c: the statuses and the details-page id both sides of
 * the license-server protocol compute.
 */
#include "config.h"

#include <string.h>

#include "imss-protocol.h"

static void
test_protocol_status(void)
{
	const gchar *names[] = {"valid", "unknown", "replaced", "suspended"};
	const gchar *bad[] = {"", "Valid", "VALID", "valid ", "expired", "renewed", NULL};
	ImssServerStatus status;

	G_STATIC_ASSERT(G_N_ELEMENTS(names) == IMSS_SERVER_STATUS_LAST);
	for (guint i = 0; i < IMSS_SERVER_STATUS_LAST; i++) {
		g_assert_cmpstr(imss_server_status_to_string((ImssServerStatus)i), ==, names[i]);
		g_assert_true(imss_server_status_from_string(names[i], &status));
		g_assert_cmpint(status, ==, i);
	}
	for (guint i = 0; bad[i] != NULL; i++) {
		status = IMSS_SERVER_STATUS_SUSPENDED;
		g_assert_false(imss_server_status_from_string(bad[i], &status));
		g_assert_cmpint(status, ==, IMSS_SERVER_STATUS_SUSPENDED);
	}
	g_assert_false(imss_server_status_from_string(NULL, &status));
}

/* out of range is a programming error */
static void
test_protocol_status_precondition(void)
{
	if (g_test_subprocess()) {
		g_assert_null(imss_server_status_to_string(IMSS_SERVER_STATUS_LAST));
		return;
	}
	g_test_trap_subprocess(NULL, 0, G_TEST_SUBPROCESS_DEFAULT);
	g_test_trap_assert_failed();
	g_test_trap_assert_stderr("*CRITICAL*status < IMSS_SERVER_STATUS_LAST*");
}

static void
test_protocol_details_id(void)
{
	/* SHA-256("imss-license-details:" + code), the first 32 hex digits: the
	 * value tests/test-license-server.py computes in Python */
	g_autofree gchar *id = imss_protocol_details_id("IM-M8LQ-W72B3-LHRZV-HPAJ2-ECWMJ-MYGEM");
	g_autofree gchar *other = imss_protocol_details_id("IM-M8LQ-W72B3-LHRZV-HPAJ2-ECWMJ-MYGEN");

	g_assert_cmpstr(id, ==, "7afeb3aaa8c3af0a0ca6e9dac52617d5");
	g_assert_cmpuint(strlen(id), ==, IMSS_PROTOCOL_DETAILS_ID_LEN);
	g_assert_cmpstr(id, !=, other);
	/* the id never carries the code */
	g_assert_null(strstr(id, "M8LQ"));
}

static void
test_protocol_paths(void)
{
	g_assert_true(g_str_has_suffix(IMSS_PROTOCOL_UPDATE_PATH, IMSS_PROTOCOL_UPDATE_PAGE));
	g_assert_true(g_str_has_suffix(IMSS_PROTOCOL_DETAILS_PATH, IMSS_PROTOCOL_DETAILS_PAGE));
	g_assert_cmpstr(IMSS_PROTOCOL_UPDATE_PATH, ==, "/ollu/license_update.aspx");
	g_assert_cmpstr(IMSS_PROTOCOL_DETAILS_PATH, ==, "/ollu/license_details.aspx");
}

int
main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/imss/protocol/status", test_protocol_status);
	g_test_add_func("/imss/protocol/status-precondition", test_protocol_status_precondition);
	g_test_add_func("/imss/protocol/details-id", test_protocol_details_id);
	g_test_add_func("/imss/protocol/paths", test_protocol_paths);
	return g_test_run();
}
