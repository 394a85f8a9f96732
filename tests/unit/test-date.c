/*
 * common/imss-date.c: the YYYY-MM-DD codec and the range of license dates.
 */
#include "config.h"

#include "imss-date.h"

static void
test_date_format(void)
{
	GDate d;
	g_autofree gchar *s = NULL;
	g_autofree gchar *invalid = NULL;
	g_autofree gchar *null = NULL;
	g_autofree gchar *early = NULL;
	g_autofree gchar *last = NULL;
	g_autofree gchar *far = NULL;

	g_date_clear(&d, 1);
	g_date_set_dmy(&d, 29, G_DATE_FEBRUARY, 2024);
	s = imss_date_format(&d);
	g_assert_cmpstr(s, ==, "2024-02-29");
	g_date_set_dmy(&d, 5, G_DATE_MARCH, 7);
	early = imss_date_format(&d);
	g_assert_cmpstr(early, ==, "0007-03-05");
	g_date_set_dmy(&d, 31, G_DATE_DECEMBER, 9999);
	last = imss_date_format(&d);
	g_assert_cmpstr(last, ==, "9999-12-31");
	g_date_set_dmy(&d, 10, G_DATE_OCTOBER, 10000); /* GDate goes on: five digits */
	far = imss_date_format(&d);
	g_assert_cmpstr(far, ==, "10000-10-10");
	g_date_clear(&d, 1);
	invalid = imss_date_format(&d);
	g_assert_cmpstr(invalid, ==, "");
	null = imss_date_format(NULL);
	g_assert_cmpstr(null, ==, "");
}

static void
test_date_parse(void)
{
	const gchar *bad[] = {"",
			      "2020-1-31",
			      "2020-02-30",
			      "2021-02-29",
			      "0000-01-01",
			      "2020-00-10",
			      "2020-13-10",
			      "2020-01-00",
			      "20200131",
			      "2020-01-31x",
			      " 2020-01-31",
			      "2020-01-3 ",
			      "+020-01-31",
			      "２０２０-01-31",
			      "2020/01/31",
			      "abcd-ef-gh",
			      "2020-01-31T00:00:00",
			      NULL};
	g_autofree gchar *long_str = g_strnfill(1024 * 1024, '2');
	GDate d, untouched;

	g_assert_true(imss_date_parse("2024-02-29", &d));
	g_assert_cmpuint(g_date_get_year(&d), ==, 2024);
	g_assert_cmpuint(g_date_get_month(&d), ==, G_DATE_FEBRUARY);
	g_assert_cmpuint(g_date_get_day(&d), ==, 29);
	g_assert_true(imss_date_parse("9999-12-31", &d));

	/* a failed parse leaves the date as it was */
	g_date_clear(&untouched, 1);
	g_date_set_dmy(&untouched, 1, G_DATE_JULY, 2020);
	for (guint i = 0; bad[i] != NULL; i++) {
		d = untouched;
		g_test_message("bad: %s", bad[i]);
		g_assert_false(imss_date_parse(bad[i], &d));
		g_assert_cmpint(g_date_compare(&d, &untouched), ==, 0);
	}
	g_assert_false(imss_date_parse(NULL, &d));
	g_assert_false(imss_date_parse(long_str, &d));
}

static void
test_date_round_trip(void)
{
	GDate d, back;

	g_date_clear(&d, 1);
	g_date_set_dmy(&d, 1, G_DATE_JANUARY, 1999);
	for (guint i = 0; i < 3 * 366; i++) {
		g_autofree gchar *s = imss_date_format(&d);
		g_assert_true(imss_date_parse(s, &back));
		g_assert_cmpint(g_date_compare(&d, &back), ==, 0);
		g_date_add_days(&d, 1);
	}
}

static void
test_date_range(void)
{
	GDate first, last, d;
	g_autofree gchar *first_str = NULL;
	g_autofree gchar *last_str = NULL;

	imss_date_range(&first, &last);
	first_str = imss_date_format(&first);
	last_str = imss_date_format(&last);
	g_assert_cmpstr(first_str, ==, "2000-01-01");
	g_assert_cmpstr(last_str, ==, "2179-06-06");
	g_assert_cmpint(g_date_days_between(&first, &last), ==, IMSS_DATE_RANGE_DAYS);
	imss_date_range(NULL, NULL);
	imss_date_range(&d, NULL);
	g_assert_cmpint(g_date_compare(&d, &first), ==, 0);

	g_assert_true(imss_date_in_range(&first));
	g_assert_true(imss_date_in_range(&last));
	g_assert_true(imss_date_parse("1999-12-31", &d));
	g_assert_false(imss_date_in_range(&d));
	g_assert_true(imss_date_parse("2179-06-07", &d));
	g_assert_false(imss_date_in_range(&d));
	g_assert_true(imss_date_parse("2027-01-31", &d));
	g_assert_true(imss_date_in_range(&d));
	g_date_clear(&d, 1);
	g_assert_false(imss_date_in_range(&d));
}

int
main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/imss/date/format", test_date_format);
	g_test_add_func("/imss/date/parse", test_date_parse);
	g_test_add_func("/imss/date/round-trip", test_date_round_trip);
	g_test_add_func("/imss/date/range", test_date_range);
	return g_test_run();
}
