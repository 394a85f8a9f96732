/*
 * The date codec and the range of license dates (see imss-date.h).
 */
#include "config.h"

#define G_LOG_DOMAIN "ImssDate"

#include <string.h>

#include "imss-date.h"

#define IMSS_DATE_STRING_LEN 10 /* YYYY-MM-DD */

gchar *
imss_date_format(const GDate *date)
{
	guint year, month, day;
	gchar *out;

	if (date == NULL || !g_date_valid(date))
		return g_strdup("");
	year = g_date_get_year(date);
	month = g_date_get_month(date);
	day = g_date_get_day(date);
	/* "%04u-%02u-%02u" without printf, which costs ~20× as much (the
	 * calendar formats a date per planned run); GDate years are 1..65535 */
	if (year > 9999)
		return g_strdup_printf("%04u-%02u-%02u", year, month, day);
	out = g_malloc(sizeof("YYYY-MM-DD"));
	out[0] = (gchar)('0' + year / 1000);
	out[1] = (gchar)('0' + year / 100 % 10);
	out[2] = (gchar)('0' + year / 10 % 10);
	out[3] = (gchar)('0' + year % 10);
	out[4] = '-';
	out[5] = (gchar)('0' + month / 10);
	out[6] = (gchar)('0' + month % 10);
	out[7] = '-';
	out[8] = (gchar)('0' + day / 10);
	out[9] = (gchar)('0' + day % 10);
	out[10] = '\0';
	return out;
}

gboolean
imss_date_parse(const gchar *str, GDate *date)
{
	guint year, month, day;

	g_return_val_if_fail(date != NULL, FALSE);

	/* strnlen: never reads far into a long string that is no date */
	if (str == NULL || strnlen(str, IMSS_DATE_STRING_LEN + 1) != IMSS_DATE_STRING_LEN)
		return FALSE;
	for (guint i = 0; i < IMSS_DATE_STRING_LEN; i++) {
		gboolean ok = (i == 4 || i == 7) ? str[i] == '-' : g_ascii_isdigit(str[i]);
		if (!ok)
			return FALSE;
	}
	year = (guint)g_ascii_strtoull(str, NULL, 10);
	month = (guint)g_ascii_strtoull(str + 5, NULL, 10);
	day = (guint)g_ascii_strtoull(str + 8, NULL, 10);
	if (!g_date_valid_dmy((GDateDay)day, (GDateMonth)month, (GDateYear)year))
		return FALSE;
	g_date_clear(date, 1);
	g_date_set_dmy(date, (GDateDay)day, (GDateMonth)month, (GDateYear)year);
	return TRUE;
}

void
imss_date_range(GDate *first, GDate *last)
{
	GDate epoch;

	g_date_clear(&epoch, 1);
	g_date_set_dmy(&epoch, 1, G_DATE_JANUARY, 2000);
	if (first != NULL)
		*first = epoch;
	if (last != NULL) {
		*last = epoch;
		g_date_add_days(last, IMSS_DATE_RANGE_DAYS);
	}
}

gboolean
imss_date_in_range(const GDate *date)
{
	GDate first, last;

	g_return_val_if_fail(date != NULL, FALSE);

	if (!g_date_valid(date))
		return FALSE;
	imss_date_range(&first, &last);
	return g_date_compare(date, &first) >= 0 && g_date_compare(date, &last) <= 0;
}
