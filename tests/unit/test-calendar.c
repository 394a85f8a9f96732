#include "config.h"

#include "imss-calendar.h"
#include "imss-date.h"

static void
date_set(GDate *d, const gchar *str)
{
	g_assert_true(imss_date_parse(str, d));
}

static gchar *
next_check_str(const gchar *expiry, const gchar *after)
{
	GDate e, a, n;
	date_set(&e, expiry);
	date_set(&a, after);
	imss_calendar_next_check(&e, &a, &n);
	return imss_date_format(&n);
}

/* SPEC §5.1: the seed's table for E = 2020-01-31, walked day by day */
static void
test_calendar_seed_table(void)
{
	const gchar *expected[] = {"2019-09-03",
				   "2019-10-03",
				   "2019-11-02",
				   "2019-12-02",
				   "2020-01-01",
				   "2020-01-30",
				   "2020-01-31",
				   "2020-03-01",
				   "2020-03-31",
				   "2020-04-30",
				   "2020-05-01",
				   "2020-05-02",
				   "2020-05-03",
				   NULL};
	GDate e, day, end;
	guint idx = 0;
	date_set(&e, "2020-01-31");
	date_set(&day, "2019-09-01");
	date_set(&end, "2020-05-03");
	while (g_date_compare(&day, &end) <= 0) {
		if (imss_calendar_is_check_day(&e, &day)) {
			g_autofree gchar *s = imss_date_format(&day);
			g_assert_nonnull(expected[idx]);
			g_assert_cmpstr(s, ==, expected[idx]);
			idx++;
		}
		g_date_add_days(&day, 1);
	}
	g_assert_null(expected[idx]);

	/* next_check agrees with is_check_day from every starting day */
	date_set(&day, "2019-01-01");
	date_set(&end, "2020-06-30");
	while (g_date_compare(&day, &end) <= 0) {
		GDate n, probe;
		imss_calendar_next_check(&e, &day, &n);
		g_assert_cmpint(g_date_compare(&n, &day), >, 0);
		g_assert_true(imss_calendar_is_check_day(&e, &n));
		probe = day;
		g_date_add_days(&probe, 1);
		while (g_date_compare(&probe, &n) < 0) {
			g_assert_false(imss_calendar_is_check_day(&e, &probe));
			g_date_add_days(&probe, 1);
		}
		g_date_add_days(&day, 1);
	}
}

static void
test_calendar_next_check(void)
{
	g_autofree gchar *a = next_check_str("2020-01-31", "2020-01-29");
	g_autofree gchar *b = next_check_str("2020-01-31", "2020-01-30");
	g_autofree gchar *c = next_check_str("2020-01-31", "2020-04-30");
	g_autofree gchar *d = next_check_str("2020-01-31", "2021-07-15");
	g_autofree gchar *leap = next_check_str("2024-02-29", "2024-01-29");
	g_assert_cmpstr(a, ==, "2020-01-30");
	g_assert_cmpstr(b, ==, "2020-01-31");
	g_assert_cmpstr(c, ==, "2020-05-01");
	g_assert_cmpstr(d, ==, "2021-07-16");
	g_assert_cmpstr(leap, ==, "2024-01-30"); /* E−30 of a leap-day expiry */
}

static void
test_calendar_states(void)
{
	const struct {
		const gchar *today;
		ImssLicenseState state;
	} cases[] = {
	    {"2019-12-01", IMSS_LICENSE_STATE_ACTIVE},   /* E−61 */
	    {"2019-12-02", IMSS_LICENSE_STATE_EXPIRING}, /* E−60 */
	    {"2020-01-30", IMSS_LICENSE_STATE_EXPIRING}, /* E−1 */
	    {"2020-01-31", IMSS_LICENSE_STATE_GRACE},	 /* E */
	    {"2020-04-29", IMSS_LICENSE_STATE_GRACE},	 /* G−1 */
	    {"2020-04-30", IMSS_LICENSE_STATE_EXPIRED},	 /* G */
	};
	GDate e, g;
	g_autofree gchar *gs = NULL;
	date_set(&e, "2020-01-31");
	imss_calendar_grace_end(&e, &g);
	gs = imss_date_format(&g);
	g_assert_cmpstr(gs, ==, "2020-04-30");
	for (guint i = 0; i < G_N_ELEMENTS(cases); i++) {
		GDate t;
		date_set(&t, cases[i].today);
		g_assert_cmpint(imss_calendar_state(&e, &t), ==, cases[i].state);
	}
	g_assert_cmpint(imss_calendar_state(NULL, &e), ==, IMSS_LICENSE_STATE_NOT_ACTIVATED);
}

static gchar *
day_start_str(const gchar *zone, const gchar *date)
{
	g_autoptr(GTimeZone) tz = g_time_zone_new_identifier(zone);
	GDate d;
	g_assert_nonnull(tz);
	date_set(&d, date);
	return imss_calendar_format_instant(tz, imss_calendar_day_start(tz, &d));
}

/* RELIABILITY-NOTES decision 1: a missing 00:00 runs at the first existing
 * instant, a repeated one at its first occurrence, a missing day never skipped */
static void
test_calendar_zone_edges(void)
{
	const struct {
		const gchar *zone;
		const gchar *date;
		const gchar *expect;
	} cases[] = {
	    {"Asia/Tokyo", "2020-01-30", "2020-01-30T00:00:00+09:00"},
	    {"America/Havana", "2024-03-10", "2024-03-10T01:00:00-04:00"},   /* 00:00 missing */
	    {"America/Havana", "2024-11-03", "2024-11-03T00:00:00-04:00"},   /* 00:00 twice: first */
	    {"America/Santiago", "2024-09-08", "2024-09-08T01:00:00-03:00"}, /* missing */
	    {"Asia/Beirut", "2024-03-31", "2024-03-31T01:00:00+03:00"},	     /* missing */
	    {"Africa/Cairo", "2024-04-26", "2024-04-26T01:00:00+03:00"},     /* missing */
	    {"Pacific/Apia", "2011-12-30", "2011-12-31T00:00:00+14:00"},     /* whole day missing */
	    {"Pacific/Apia", "2011-12-29", "2011-12-29T00:00:00-10:00"},
	    {"UTC", "2024-02-29", "2024-02-29T00:00:00+00:00"},
	};
	for (guint i = 0; i < G_N_ELEMENTS(cases); i++) {
		g_autofree gchar *s = day_start_str(cases[i].zone, cases[i].date);
		if (g_strcmp0(s, cases[i].expect) != 0)
			g_error("%s %s: got %s, expected %s",
				cases[i].zone,
				cases[i].date,
				s,
				cases[i].expect);
	}
}

/* the local date of an instant, across a repeated hour */
static void
test_calendar_local_date(void)
{
	g_autoptr(GTimeZone) tz = g_time_zone_new_identifier("America/Havana");
	GDate d;
	g_autofree gchar *s = NULL;
	/* 2024-11-03 04:30 UTC = 00:30 CDT, the first occurrence */
	imss_calendar_local_date(tz, 1730608200, &d);
	s = imss_date_format(&d);
	g_assert_cmpstr(s, ==, "2024-11-03");
}

/* imss_calendar_format_instant() writes what GDateTime's format does, in
 * zones with half- and quarter-hour offsets, both hemispheres' DST, a
 * historical local mean time with seconds, and the edges of the range */
static void
test_calendar_format_instant(void)
{
	const gchar *const zones[] = {"UTC", "Asia/Tokyo", "America/New_York", "Asia/Kolkata",
				      "America/St_Johns", "Australia/Lord_Howe", "Pacific/Chatham",
				      "Europe/Dublin", "Pacific/Kiritimati", "America/Sao_Paulo"};
	/* 1850 (local mean time) to 2060, every 5 days 3 h 7 min 11 s (times
	 * the zone's rank: each zone meets other hours), then 2021 every
	 * 97 minutes (every transition of the year, an hour or two after) */
	const struct {
		gint64 first, last, step;
		gboolean by_rank;
	} spans[] = {
	    {-3786825600, 2871763200, 5 * 86400 + 3 * 3600 + 7 * 60 + 11, TRUE},
	    {1609459200, 1640995200, 97 * 60, FALSE},
	};
	guint compared = 0;

	for (guint z = 0; z < G_N_ELEMENTS(zones); z++) {
		g_autoptr(GTimeZone) tz = g_time_zone_new_identifier(zones[z]);
		g_assert_nonnull(tz);
		for (guint s = 0; s < G_N_ELEMENTS(spans); s++) {
			gint64 step = spans[s].step * (spans[s].by_rank ? z + 1 : 1);
			for (gint64 t = spans[s].first; t <= spans[s].last; t += step) {
				g_autoptr(GDateTime) utc = g_date_time_new_from_unix_utc(t);
				g_autoptr(GDateTime) local = g_date_time_to_timezone(utc, tz);
				g_autofree gchar *expected =
				    g_date_time_format(local, "%Y-%m-%dT%H:%M:%S%:z");
				g_autofree gchar *got = imss_calendar_format_instant(tz, t);
				if (g_strcmp0(got, expected) != 0)
					g_error("%s at %" G_GINT64_FORMAT ": %s, GDateTime %s",
						zones[z],
						t,
						got,
						expected);
				compared++;
			}
		}
	}
	g_assert_cmpuint(compared, >, 90000);
	/* the range: year 1 to 9999 in UTC, "" beyond */
	{
		g_autoptr(GTimeZone) utc = g_time_zone_new_utc();
		g_autofree gchar *lowest = imss_calendar_format_instant(utc, -62135596800);
		g_autofree gchar *highest = imss_calendar_format_instant(utc, 253402300799);
		g_autofree gchar *below = imss_calendar_format_instant(utc, -62135596801);
		g_autofree gchar *above = imss_calendar_format_instant(utc, 253402300800);
		g_assert_cmpstr(lowest, ==, "0001-01-01T00:00:00+00:00");
		g_assert_cmpstr(highest, ==, "9999-12-31T23:59:59+00:00");
		g_assert_cmpstr(below, ==, "");
		g_assert_cmpstr(above, ==, "");
	}
}

int
main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/imss/calendar/seed-table", test_calendar_seed_table);
	g_test_add_func("/imss/calendar/next-check", test_calendar_next_check);
	g_test_add_func("/imss/calendar/states", test_calendar_states);
	g_test_add_func("/imss/calendar/zone-edges", test_calendar_zone_edges);
	g_test_add_func("/imss/calendar/local-date", test_calendar_local_date);
	g_test_add_func("/imss/calendar/format-instant", test_calendar_format_instant);
	return g_test_run();
}
