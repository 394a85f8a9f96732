#include "config.h"

#include "imss-date.h"
#include "imss-planner.h"

static ImssPlanLicense
license(ImssSlotId slot, const gchar *expiry, gboolean offline)
{
	ImssPlanLicense l = {0};
	l.slot = slot;
	l.activated = TRUE;
	l.offline = offline;
	l.activated_at = 1;
	g_date_clear(&l.expiry, 1);
	g_assert_true(imss_date_parse(expiry, &l.expiry));
	return l;
}

static GDate
date(const gchar *str)
{
	GDate d;
	g_date_clear(&d, 1);
	g_assert_true(imss_date_parse(str, &d));
	return d;
}

static gchar *
describe(GArray *runs)
{
	GString *s = g_string_new(NULL);
	for (guint i = 0; i < runs->len; i++) {
		ImssPlannedRun *r = &g_array_index(runs, ImssPlannedRun, i);
		g_autofree gchar *day = imss_date_format(&r->day);
		g_string_append_printf(s, "%s:%s:%d%s ", r->job, day, r->offset, r->caught_up ? "*" : "");
	}
	return g_string_free(s, FALSE);
}

/* catch-up once after a start; every date that began when time passes;
 * offline codes are never checked */
static void
test_planner_due(void)
{
	g_autoptr(GTimeZone) tz = g_time_zone_new_identifier("Asia/Tokyo");
	ImssPlanLicense plan[] = {license(IMSS_SLOT_ANTIVIRUS, "2020-01-31", FALSE),
				  license(IMSS_SLOT_COMPLIANCE, "2020-01-31", TRUE)};
	GDate today = date("2019-11-20");
	g_autoptr(GArray) start = imss_planner_due(plan, 2, tz, &today, 0, FALSE);
	g_autofree gchar *s1 = describe(start);
	GDate e15 = date("2020-01-16");
	g_autoptr(GArray) passage = NULL;
	g_autofree gchar *s2 = NULL;

	/* E−90 = 2019-11-02, missed: once; the offline code has no check */
	g_assert_cmpstr(s1, ==, "check:2019-11-02:-90* ");
	/* the day E−15 begins: the mail of both licenses, no check */
	passage = imss_planner_due(plan, 2, tz, &e15, imss_calendar_day_start(tz, &e15) - 1, TRUE);
	s2 = describe(passage);
	g_assert_cmpstr(s2, ==, "mail:2020-01-16:-15 mail:2020-01-16:-15 ");
	g_assert_true(g_array_index(passage, ImssPlannedRun, 0).pending);
}

static void
test_planner_next_and_events(void)
{
	g_autoptr(GTimeZone) tz = g_time_zone_new_identifier("Asia/Tokyo");
	ImssPlanLicense plan[] = {license(IMSS_SLOT_ANTIVIRUS, "2020-01-31", FALSE)};
	GDate today = date("2019-11-20");
	GDate e60 = date("2019-12-02");
	g_autoptr(GPtrArray) events = imss_planner_events(plan, 1, tz, &today, 75);
	/* E−60: a check day and the expiring state, the same instant */
	g_assert_cmpint(imss_planner_next_wakeup(plan, 1, tz, &today), ==,
			imss_calendar_day_start(tz, &e60));
	g_assert_cmpuint(events->len, ==, 6); /* E−60 (state, check), E−30, E−1, E (state, check) */
	g_assert_cmpint(imss_planner_next_wakeup(plan, 0, tz, &today), ==, IMSS_PLANNER_NO_WAKEUP);
}

static void
test_planner_plausible(void)
{
	ImssPlanLicense plan[] = {license(IMSS_SLOT_ANTIVIRUS, "2027-01-31", FALSE)};
	GDate in2199 = date("2199-01-01"), in2000 = date("2000-01-01"), in2045 = date("2045-01-01");
	g_autofree gchar *why = NULL;
	g_assert_false(imss_planner_clock_plausible(plan, 1, &in2199, FALSE, &why));
	g_assert_nonnull(strstr(why, "2199-01-01"));
	g_clear_pointer(&why, g_free);
	g_assert_false(imss_planner_clock_plausible(plan, 1, &in2000, TRUE, &why));
	g_clear_pointer(&why, g_free);
	/* the virtual clock may go back in time (tests replay old dates) */
	g_assert_true(imss_planner_clock_plausible(plan, 1, &in2000, FALSE, &why));
	g_assert_true(imss_planner_clock_plausible(plan, 1, &in2045, TRUE, &why));
}

int
main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/imss/planner/due", test_planner_due);
	g_test_add_func("/imss/planner/next-and-events", test_planner_next_and_events);
	g_test_add_func("/imss/planner/plausible", test_planner_plausible);
	return g_test_run();
}
