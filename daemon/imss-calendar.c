#define G_LOG_DOMAIN "ImssCalendar"

#include "config.h"

#include "imss-calendar.h"

gint
imss_calendar_days_between(const GDate *a, const GDate *b)
{
	g_return_val_if_fail(a != NULL, 0);
	g_return_val_if_fail(b != NULL, 0);

	return (gint)g_date_get_julian(b) - (gint)g_date_get_julian(a);
}

static void
imss_calendar_offset_date(const GDate *base, gint days, GDate *out)
{
	*out = *base;
	if (days >= 0)
		g_date_add_days(out, (guint)days);
	else
		g_date_subtract_days(out, (guint)-days);
}

void
imss_calendar_grace_end(const GDate *expiry, GDate *grace_end)
{
	g_return_if_fail(expiry != NULL);
	g_return_if_fail(grace_end != NULL);

	*grace_end = *expiry;
	g_date_add_days(grace_end, IMSS_GRACE_DAYS);
}

ImssLicenseState
imss_calendar_state(const GDate *expiry, const GDate *today)
{
	gint n;

	g_return_val_if_fail(today != NULL, IMSS_LICENSE_STATE_NOT_ACTIVATED);

	if (expiry == NULL || !g_date_valid(expiry))
		return IMSS_LICENSE_STATE_NOT_ACTIVATED;
	n = imss_calendar_days_between(today, expiry); /* E − today */
	if (n > IMSS_EXPIRING_DAYS)
		return IMSS_LICENSE_STATE_ACTIVE;
	if (n > 0)
		return IMSS_LICENSE_STATE_EXPIRING;
	if (-n < IMSS_GRACE_DAYS)
		return IMSS_LICENSE_STATE_GRACE;
	return IMSS_LICENSE_STATE_EXPIRED;
}

gboolean
imss_calendar_is_check_day(const GDate *expiry, const GDate *day)
{
	gint d;

	g_return_val_if_fail(expiry != NULL, FALSE);
	g_return_val_if_fail(day != NULL, FALSE);

	d = imss_calendar_days_between(expiry, day); /* day − E */
	if (d > IMSS_GRACE_DAYS)
		return TRUE; /* daily after G */
	if (d == -1)
		return TRUE; /* the day before expiry */
	return d % IMSS_CHECK_CADENCE == 0;
}

void
imss_calendar_next_check(const GDate *expiry, const GDate *after, GDate *next)
{
	gint d;
	gint best;

	g_return_if_fail(expiry != NULL);
	g_return_if_fail(after != NULL);
	g_return_if_fail(next != NULL);

	d = imss_calendar_days_between(expiry, after) + 1; /* first candidate − E */
	if (d > IMSS_GRACE_DAYS) {
		best = d;
	} else {
		/* next multiple of 30 at or after d (floor division for negatives) */
		gint q = d >= 0 ? (d + IMSS_CHECK_CADENCE - 1) / IMSS_CHECK_CADENCE
				: -((-d) / IMSS_CHECK_CADENCE);
		best = q * IMSS_CHECK_CADENCE;
		if (d <= -1 && -1 < best)
			best = -1;
	}
	imss_calendar_offset_date(expiry, best, next);
}

void
imss_calendar_prev_check(const GDate *expiry, const GDate *day, GDate *prev)
{
	gint d;
	gint best;

	g_return_if_fail(expiry != NULL);
	g_return_if_fail(day != NULL);
	g_return_if_fail(prev != NULL);

	d = imss_calendar_days_between(expiry, day); /* day − E */
	if (d > IMSS_GRACE_DAYS) {
		best = d;
	} else {
		/* the largest multiple of 30 at or below d (floor division) */
		best = (d >= 0 ? d / IMSS_CHECK_CADENCE
			       : -((-d + IMSS_CHECK_CADENCE - 1) / IMSS_CHECK_CADENCE)) *
		       IMSS_CHECK_CADENCE;
		if (d >= -1 && -1 > best)
			best = -1;
	}
	imss_calendar_offset_date(expiry, best, prev);
}

gboolean
imss_calendar_next_transition(const GDate *expiry, const GDate *after, GDate *next)
{
	const gint offsets[] = {-IMSS_EXPIRING_DAYS, 0, IMSS_GRACE_DAYS};
	gint d;

	g_return_val_if_fail(expiry != NULL, FALSE);
	g_return_val_if_fail(after != NULL, FALSE);
	g_return_val_if_fail(next != NULL, FALSE);

	d = imss_calendar_days_between(expiry, after);
	for (guint i = 0; i < G_N_ELEMENTS(offsets); i++) {
		if (offsets[i] > d) {
			imss_calendar_offset_date(expiry, offsets[i], next);
			return TRUE;
		}
	}
	return FALSE;
}

static gint64
imss_calendar_offset_at(GTimeZone *tz, gint64 t)
{
	gint interval = g_time_zone_find_interval(tz, G_TIME_TYPE_UNIVERSAL, t);
	return g_time_zone_get_offset(tz, interval);
}

/* days since 1970-01-01 of the local date of @t */
static gint64
imss_calendar_local_day(GTimeZone *tz, gint64 t)
{
	gint64 local = t + imss_calendar_offset_at(tz, t);
	return local >= 0 ? local / 86400 : -((-local + 86399) / 86400);
}

#define IMSS_JULIAN_1970_01_01 719163 /* g_date_get_julian(1970-01-01) */

void
imss_calendar_local_date(GTimeZone *tz, gint64 t, GDate *date)
{
	g_return_if_fail(tz != NULL);
	g_return_if_fail(date != NULL);

	g_date_clear(date, 1);
	g_date_set_julian(date, (guint32)(imss_calendar_local_day(tz, t) + IMSS_JULIAN_1970_01_01));
}

gint64
imss_calendar_day_start(GTimeZone *tz, const GDate *date)
{
	const gint64 step = 15 * 60;
	gint64 day, naive, lo, hi;

	g_return_val_if_fail(tz != NULL, 0);
	g_return_val_if_fail(date != NULL, 0);

	day = (gint64)g_date_get_julian(date) - IMSS_JULIAN_1970_01_01;
	naive = day * 86400; /* the date's 00:00 in UTC */
	lo = naive - 15 * 3600; /* local date < @date for every offset <= +15h */
	hi = naive + 15 * 3600;

	/* the common case: no transition near the date's start, so local 00:00
	 * is naive − offset and the instant before it is still the day before */
	{
		gint64 t0 = naive - imss_calendar_offset_at(tz, naive);
		if (imss_calendar_local_day(tz, t0) == day && imss_calendar_local_day(tz, t0 - 1) < day &&
		    imss_calendar_offset_at(tz, t0 - 3 * 3600) == imss_calendar_offset_at(tz, t0 + 3 * 3600))
			return t0;
	}

	/* scan in 15-minute steps for the first instant at or after the date,
	 * then bisect down to the second: transitions are minutes apart at the
	 * very least, so within one step the local date changes at most once */
	for (gint64 t = lo + step; t <= hi + step; t += step) {
		if (imss_calendar_local_day(tz, t) >= day) {
			gint64 a = t - step, b = t; /* a: before; b: at or after */
			while (b - a > 1) {
				gint64 m = a + (b - a) / 2;
				if (imss_calendar_local_day(tz, m) >= day)
					b = m;
				else
					a = m;
			}
			return b;
		}
	}
	return naive; /* unreachable for real zones */
}

void
imss_calendar_today(GTimeZone *tz, gint64 t, GDate *date)
{
	GDate next;

	g_return_if_fail(tz != NULL);
	g_return_if_fail(date != NULL);

	imss_calendar_local_date(tz, t, date);
	/* a midnight repeated by a fall-back: the next date has already begun */
	next = *date;
	g_date_add_days(&next, 1);
	if (imss_calendar_day_start(tz, &next) <= t)
		*date = next;
}

/* the proleptic Gregorian date @days after 1970-01-01 (H. Hinnant's
 * civil_from_days) */
static void
imss_calendar_civil_from_days(gint64 days, gint64 *year, guint *month, guint *day)
{
	gint64 z = days + 719468;
	gint64 era = (z >= 0 ? z : z - 146096) / 146097;
	guint doe = (guint)(z - era * 146097);
	guint yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	guint doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	guint mp = (5 * doy + 2) / 153;

	*day = doy - (153 * mp + 2) / 5 + 1;
	*month = mp < 10 ? mp + 3 : mp - 9;
	*year = (gint64)yoe + era * 400 + (*month <= 2);
}

/* @value as @width decimal digits at @out */
static void
imss_calendar_put_digits(gchar *out, guint value, guint width)
{
	for (guint i = width; i > 0; i--) {
		out[i - 1] = (gchar)('0' + value % 10);
		value /= 10;
	}
}

/* What g_date_time_format (local, "%Y-%m-%dT%H:%M:%S%:z") writes, without
 * two GDateTimes and a format string (~1/5 of the cost: a history page
 * and ListEvents format one per entry); "" outside years 1–9999, as
 * GDateTime's range. tests/unit/test-calendar.c compares the two. */
gchar *
imss_calendar_format_instant(GTimeZone *tz, gint64 t)
{
	gint offset;
	guint offset_abs;
	gint64 local;
	gint64 days;
	gint64 year;
	guint month, day, secs;
	gchar *out;

	g_return_val_if_fail(tz != NULL, NULL);

	/* outside GDateTime's range: what the original refused */
	if (t < -62135596800 || t > 253402300799)
		return g_strdup("");
	offset = g_time_zone_get_offset(tz, g_time_zone_find_interval(tz, G_TIME_TYPE_UNIVERSAL, t));
	local = t + offset;
	days = local >= 0 ? local / 86400 : -((-local + 86399) / 86400);
	secs = (guint)(local - days * 86400);
	imss_calendar_civil_from_days(days, &year, &month, &day);
	if (year < 1 || year > 9999)
		return g_strdup("");
	offset_abs = (guint)ABS(offset);
	out = g_malloc(sizeof("YYYY-MM-DDTHH:MM:SS+HH:MM"));
	imss_calendar_put_digits(out, (guint)year, 4);
	out[4] = '-';
	imss_calendar_put_digits(out + 5, month, 2);
	out[7] = '-';
	imss_calendar_put_digits(out + 8, day, 2);
	out[10] = 'T';
	imss_calendar_put_digits(out + 11, secs / 3600, 2);
	out[13] = ':';
	imss_calendar_put_digits(out + 14, secs / 60 % 60, 2);
	out[16] = ':';
	imss_calendar_put_digits(out + 17, secs % 60, 2);
	out[19] = offset >= 0 ? '+' : '-';
	imss_calendar_put_digits(out + 20, offset_abs / 3600, 2);
	out[22] = ':';
	imss_calendar_put_digits(out + 23, offset_abs / 60 % 60, 2);
	out[25] = '\0';
	return out;
}

gchar *
imss_calendar_format_offset(gint offset)
{
	if (offset == 0)
		return g_strdup("E");
	return g_strdup_printf("E%s%d", offset > 0 ? "+" : "-", ABS(offset));
}
