/*
 * Pure civil-date arithmetic of the license calendar (SPEC §3, §5.1):
 * lifecycle states, check days, and the instant a local date begins.
 * Dates are civil dates (GDate); never 86,400-second steps.
 */
#pragma once

#include <glib.h>

#include "imss-date.h"
#include "imss-state.h"

G_BEGIN_DECLS

#define IMSS_GRACE_DAYS	      90
#define IMSS_EXPIRING_DAYS    60
#define IMSS_CHECK_CADENCE    30

/* ImssLicenseState and its names: common/imss-state.h */

/* G = E + 90 days */
void
imss_calendar_grace_end(const GDate *expiry, GDate *grace_end);
/* The state of a license with expiry @expiry (NULL or invalid: not activated) on @today. */
ImssLicenseState
imss_calendar_state(const GDate *expiry, const GDate *today);
/* Whether @day is an automatic check day for @expiry (SPEC §5.1). */
gboolean
imss_calendar_is_check_day(const GDate *expiry, const GDate *day);
/* The first check day strictly after @after. */
void
imss_calendar_next_check(const GDate *expiry, const GDate *after, GDate *next);
/* The latest check day at or before @day. */
void
imss_calendar_prev_check(const GDate *expiry, const GDate *day, GDate *prev);
/* The first day after @after on which the state changes (E−60, E or G);
 * FALSE when none is left (expired). */
gboolean
imss_calendar_next_transition(const GDate *expiry, const GDate *after, GDate *next);
/* Signed days from @a to @b (b − a). */
gint
imss_calendar_days_between(const GDate *a, const GDate *b);

/* The local date (in @tz) of the UTC instant @t (seconds since the epoch). */
void
imss_calendar_local_date(GTimeZone *tz, gint64 t, GDate *date);
/* The calendar date in effect at @t: the latest date whose day start (see
 * below) is at or before @t. Unlike the raw local date it never goes back
 * during a repeated midnight hour, so a date's jobs run once. */
void
imss_calendar_today(GTimeZone *tz, gint64 t, GDate *date);
/* The first instant (UTC seconds) whose local date in @tz is @date or later:
 * local 00:00 when it exists, its first occurrence when it happens twice, the
 * first existing instant when it does not exist, and the next day's start
 * when the whole date is missing (Pacific/Apia 2011-12-30). */
gint64
imss_calendar_day_start(GTimeZone *tz, const GDate *date);
/* ISO 8601 local time of @t in @tz, e.g. 2020-01-30T00:00:00+09:00. */
gchar *
imss_calendar_format_instant(GTimeZone *tz, gint64 t);

/* (The date codec, YYYY-MM-DD, is common/imss-date.h.) */

/* A day relative to the expiry: "E-30", "E", "E+91". */
gchar *
imss_calendar_format_offset(gint offset);

G_END_DECLS
