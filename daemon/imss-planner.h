/*
 * The license calendar's plan (SPEC §3, §5.1, §9.2; RELIABILITY-NOTES
 * decisions 1 and 2) as pure functions over snapshots of the licenses:
 * which jobs are due (automatic checks, the daily mail notices), when the
 * next thing happens, the upcoming events, and whether a wall clock is
 * believable. No clock, no store, no signals: the scheduler owns the alarm
 * and the manager dispatches.
 */
#pragma once

#include <glib.h>

#include "imss-calendar.h"
#include "imss-code.h"

G_BEGIN_DECLS

#define IMSS_JOB_CHECK "check"
#define IMSS_JOB_MAIL  "mail" /* the daily notice of the mail period: signal + mail */

#define IMSS_PLANNER_NO_WAKEUP G_MAXINT64

/* what the plan needs to know of one license */
typedef struct {
	ImssSlotId slot;
	gboolean activated;
	gboolean offline;
	GDate expiry; /* valid when activated */
	gint64 activated_at;
} ImssPlanLicense;

/* one job run that is due */
typedef struct {
	const gchar *job;    /* IMSS_JOB_CHECK or IMSS_JOB_MAIL */
	const gchar *action; /* the history action of its claim */
	ImssSlotId slot;
	GDate day;
	gint offset;	    /* day − E */
	gboolean caught_up; /* for a date before today */
	gboolean pending;   /* claimed, done only when delivered (a mail) */
} ImssPlannedRun;

/* one upcoming event (ListEvents) */
typedef struct {
	gint64 instant; /* UTC seconds: the start of @date */
	GDate date;
	ImssSlotId slot;
	const gchar *kind; /* "check", "expiring", "grace", "expired" */
	gint offset;	   /* days relative to E */
} ImssEvent;

/* The runs due @today (element: ImssPlannedRun). When time simply passed
 * (@passage), every due date that began after @last_time — more than one
 * only when a zone skips a whole day (Pacific/Apia 2011-12-30 starts with
 * 12-31); after a start, a clock step or a resume, only the latest missed
 * due date (catch-up once). A date that began before the license was
 * activated is not due (the activation itself asked the server). */
GArray *
imss_planner_due(const ImssPlanLicense *licenses,
		 guint n,
		 GTimeZone *tz,
		 const GDate *today,
		 gint64 last_time,
		 gboolean passage) G_GNUC_WARN_UNUSED_RESULT;

/* The start of the first day after @today with an event (a state change or
 * a job), or IMSS_PLANNER_NO_WAKEUP. */
gint64
imss_planner_next_wakeup(const ImssPlanLicense *licenses, guint n, GTimeZone *tz, const GDate *today);

/* The events of the next @days days, in order (element: ImssEvent). */
GPtrArray *
imss_planner_events(const ImssPlanLicense *licenses,
		    guint n,
		    GTimeZone *tz,
		    const GDate *today,
		    guint days) G_GNUC_WARN_UNUSED_RESULT;

/* RELIABILITY-NOTES T4: a @real_clock before this source's date, or any
 * clock more than 20 years past every license's grace end (or the source
 * date), is not believable; FALSE with @why. */
gboolean
imss_planner_clock_plausible(const ImssPlanLicense *licenses,
			     guint n,
			     const GDate *today,
			     gboolean real_clock,
			     gchar **why);

G_END_DECLS
