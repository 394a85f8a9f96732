#include "config.h"

#include "imss-environment.h"

#define DAY ((gint64)86400)

static void
test_environment_configured_wins(void)
{
	ImssEnvironmentFacts f = {IMSS_ENVIRONMENT_STANDALONE, TRUE, 100 * DAY, 0};
	g_assert_cmpint(imss_environment_derive(&f, 101 * DAY), ==, IMSS_ENVIRONMENT_STANDALONE);
	g_assert_false(imss_environment_may_contact_server(&f, 101 * DAY));
	f.configured = IMSS_ENVIRONMENT_CONNECTED;
	g_assert_cmpint(imss_environment_derive(&f, 101 * DAY), ==, IMSS_ENVIRONMENT_CONNECTED);
	g_assert_true(imss_environment_may_contact_server(&f, 101 * DAY));
	f.configured = IMSS_ENVIRONMENT_CM_MANAGED;
	g_assert_false(imss_environment_may_contact_server(&f, 101 * DAY));
}

static void
test_environment_auto(void)
{
	ImssEnvironmentFacts f = {IMSS_ENVIRONMENT_AUTO, FALSE, 0, 0};
	/* nothing known yet */
	g_assert_cmpint(imss_environment_derive(&f, 10 * DAY), ==, IMSS_ENVIRONMENT_CONNECTED);
	/* never reached */
	f.last_failure = 10 * DAY;
	g_assert_cmpint(imss_environment_derive(&f, 10 * DAY), ==, IMSS_ENVIRONMENT_STANDALONE);
	g_assert_true(imss_environment_may_contact_server(&f, 10 * DAY)); /* keeps trying */
	/* reached, then one failure: connected for a check cycle */
	f.last_answer = 11 * DAY;
	f.last_failure = 12 * DAY;
	g_assert_cmpint(imss_environment_derive(&f, 12 * DAY), ==, IMSS_ENVIRONMENT_CONNECTED);
	g_assert_cmpint(imss_environment_derive(&f, 41 * DAY), ==, IMSS_ENVIRONMENT_CONNECTED);
	g_assert_cmpint(imss_environment_derive(&f, 42 * DAY), ==, IMSS_ENVIRONMENT_STANDALONE);
	/* an answer after the failure: connected */
	f.last_answer = 43 * DAY;
	g_assert_cmpint(imss_environment_derive(&f, 80 * DAY), ==, IMSS_ENVIRONMENT_CONNECTED);
	/* an applied profile: CM-managed, and the server is left alone */
	f.profile_applied = TRUE;
	g_assert_cmpint(imss_environment_derive(&f, 80 * DAY), ==, IMSS_ENVIRONMENT_CM_MANAGED);
	g_assert_false(imss_environment_may_contact_server(&f, 80 * DAY));
}

static void
test_environment_names(void)
{
	ImssEnvironment e;
	for (guint i = IMSS_ENVIRONMENT_AUTO; i <= IMSS_ENVIRONMENT_STANDALONE; i++) {
		g_assert_true(imss_environment_from_string(imss_environment_to_string(i), &e));
		g_assert_cmpint(e, ==, i);
	}
	g_assert_false(imss_environment_from_string("online", &e));
	g_assert_false(imss_environment_from_string(NULL, &e));
}

int
main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/imss/environment/configured", test_environment_configured_wins);
	g_test_add_func("/imss/environment/auto", test_environment_auto);
	g_test_add_func("/imss/environment/names", test_environment_names);
	return g_test_run();
}
