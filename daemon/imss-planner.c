#define G_LOG_DOMAIN "ImssPlanner"

#include "config.h"

#include "imss-date.h"
#include "imss-notice.h"
#include "imss-planner.h"

/* how far past every license date (or past this source's date, when no
 * license is active) a wall clock may be before it is not believed */
#define IMSS_PLANNER_PLAUSIBLE_YEARS 20

/* A kind of dated job: which days are due for a license (civil dates,
 * relative to its E), and what the history says about a run. */
typedef struct {
	const gchar *name;
	const gchar *action; /* history action of the claim */
	gboolean pending;    /* a claim stays pending until done (a check until its answer is
			      * recorded, a mail until delivered) */
	gboolean (*applies)(const ImssPlanLicense *license);
	gboolean (*is_due)(const GDate *expiry, const GDate *day);
	/* the latest due day at or before @today; FALSE when none */
	gboolean (*prev_due)(const GDate *expiry, const GDate *today, GDate *day);
	/* the first due day after @after; FALSE when none */
	gboolean (*next_due)(const GDate *expiry, const GDate *after, GDate *day);
} ImssJobKind;

static gboolean
imss_job_check_applies(const ImssPlanLicense *license)
{
	/* offline codes are never checked online (SPEC §8) */
	return license->activated && !license->offline;
}

static gboolean
imss_job_check_prev(const GDate *expiry, const GDate *today, GDate *day)
{
	imss_calendar_prev_check(expiry, today, day);
	return TRUE;
}

static gboolean
imss_job_check_next(const GDate *expiry, const GDate *after, GDate *day)
{
	imss_calendar_next_check(expiry, after, day);
	return TRUE;
}

static gboolean
imss_job_mail_applies(const ImssPlanLicense *license)
{
	return license->activated;
}

/* the mail period: E−15 … G inclusive (SPEC §9.2) */
static gboolean
imss_job_mail_prev(const GDate *expiry, const GDate *today, GDate *day)
{
	gint d = imss_calendar_days_between(expiry, today);
	if (d < IMSS_NOTICE_MAIL_FIRST_DAY)
		return FALSE;
	if (d > IMSS_GRACE_DAYS) {
		*day = *expiry;
		g_date_add_days(day, IMSS_GRACE_DAYS);
	} else {
		*day = *today;
	}
	return TRUE;
}

static gboolean
imss_job_mail_next(const GDate *expiry, const GDate *after, GDate *day)
{
	gint d = imss_calendar_days_between(expiry, after) + 1;
	if (d > IMSS_GRACE_DAYS)
		return FALSE;
	if (d < IMSS_NOTICE_MAIL_FIRST_DAY) {
		*day = *expiry;
		g_date_subtract_days(day, (guint)-IMSS_NOTICE_MAIL_FIRST_DAY);
	} else {
		*day = *after;
		g_date_add_days(day, 1);
	}
	return TRUE;
}

static const ImssJobKind job_kinds[] = {
    {IMSS_JOB_CHECK,
     "automatic-check",
     TRUE, /* until its answer is recorded: a node that stops meanwhile leaves it to another */
     imss_job_check_applies,
     imss_calendar_is_check_day,
     imss_job_check_prev,
     imss_job_check_next},
    {IMSS_JOB_MAIL,
     "notice",
     TRUE,
     imss_job_mail_applies,
     imss_notice_is_mail_day,
     imss_job_mail_prev,
     imss_job_mail_next},
};

/* @day_start: when @day begins (imss_calendar_day_start()) */
static void
imss_planner_add(GArray *runs,
                 const ImssJobKind *kind,
                 const ImssPlanLicense *license,
                 gint64 day_start,
                 const GDate *day,
                 const GDate *today)
{
	ImssPlannedRun run = {0};
	if (day_start < license->activated_at)
		return;
	run.job = kind->name;
	run.action = kind->action;
	run.slot = license->slot;
	run.day = *day;
	run.offset = imss_calendar_days_between(&license->expiry, day);
	run.caught_up = g_date_compare(day, today) < 0;
	run.pending = kind->pending;
	g_array_append_val(runs, run);
}

GArray *
imss_planner_due(const ImssPlanLicense *licenses,
		 guint n,
		 GTimeZone *tz,
		 const GDate *today,
		 gint64 last_time,
		 gboolean passage)
{
	GArray *runs = g_array_new(FALSE, TRUE, sizeof(ImssPlannedRun));
	/* a passage looks at the dates that began since the last look: today
	 * and the two days before, oldest first (their starts, found once for
	 * every license and job: a time-zone lookup is the dear part) */
	GDate days[3];
	gint64 starts[G_N_ELEMENTS(days)];

	g_return_val_if_fail(licenses != NULL || n == 0, runs);
	for (guint d = 0; passage && d < G_N_ELEMENTS(days); d++) {
		days[d] = *today;
		g_date_subtract_days(&days[d], G_N_ELEMENTS(days) - 1 - d);
		starts[d] = imss_calendar_day_start(tz, &days[d]);
	}
	for (guint i = 0; i < n; i++) {
		const ImssPlanLicense *license = &licenses[i];
		for (guint k = 0; k < G_N_ELEMENTS(job_kinds); k++) {
			const ImssJobKind *kind = &job_kinds[k];
			GDate day;
			if (!kind->applies(license))
				continue;
			if (!passage) {
				if (kind->prev_due(&license->expiry, today, &day))
					imss_planner_add(runs,
					                 kind,
					                 license,
					                 imss_calendar_day_start(tz, &day),
					                 &day,
					                 today);
				continue;
			}
			for (guint d = 0; d < G_N_ELEMENTS(days); d++) {
				if (starts[d] > last_time &&
				    kind->is_due(&license->expiry, &days[d]))
					imss_planner_add(
					    runs, kind, license, starts[d], &days[d], today);
			}
		}
	}
	return runs;
}

/* @best becomes @date when it is unset or later */
static void
imss_planner_earlier(GDate *best, const GDate *date)
{
	if (!g_date_valid(best) || g_date_compare(date, best) < 0)
		*best = *date;
}

gint64
imss_planner_next_wakeup(const ImssPlanLicense *licenses, guint n, GTimeZone *tz, const GDate *today)
{
	/* the earliest date: a later date never starts sooner, so one
	 * time-zone lookup, for that date, is enough */
	GDate best;
	GDate next;

	g_return_val_if_fail(licenses != NULL || n == 0, 0);
	g_return_val_if_fail(tz != NULL, 0);
	g_return_val_if_fail(today != NULL, 0);

	g_date_clear(&best, 1);
	for (guint i = 0; i < n; i++) {
		const ImssPlanLicense *license = &licenses[i];
		if (!license->activated)
			continue;
		if (imss_calendar_next_transition(&license->expiry, today, &next))
			imss_planner_earlier(&best, &next);
		for (guint k = 0; k < G_N_ELEMENTS(job_kinds); k++) {
			if (job_kinds[k].applies(license) &&
			    job_kinds[k].next_due(&license->expiry, today, &next))
				imss_planner_earlier(&best, &next);
		}
	}
	return g_date_valid(&best) ? imss_calendar_day_start(tz, &best) : IMSS_PLANNER_NO_WAKEUP;
}

static gint
imss_planner_event_cmp(gconstpointer a, gconstpointer b)
{
	const ImssEvent *ea = *(const ImssEvent *const *)a;
	const ImssEvent *eb = *(const ImssEvent *const *)b;
	if (ea->instant != eb->instant)
		return ea->instant < eb->instant ? -1 : 1;
	if (ea->slot != eb->slot)
		return (gint)ea->slot - (gint)eb->slot;
	return g_strcmp0(ea->kind, eb->kind);
}

static void
imss_planner_add_event(GPtrArray *events,
		       GTimeZone *tz,
		       const ImssPlanLicense *license,
		       const GDate *date,
		       const gchar *kind)
{
	ImssEvent *ev = g_new0(ImssEvent, 1);
	ev->date = *date;
	ev->instant = imss_calendar_day_start(tz, date);
	ev->slot = license->slot;
	ev->kind = kind;
	ev->offset = imss_calendar_days_between(&license->expiry, date);
	g_ptr_array_add(events, ev);
}

GPtrArray *
imss_planner_events(const ImssPlanLicense *licenses,
		    guint n,
		    GTimeZone *tz,
		    const GDate *today,
		    guint days)
{
	GPtrArray *events = g_ptr_array_new_with_free_func(g_free);
	GDate horizon;
	g_return_val_if_fail(licenses != NULL || n == 0, NULL);
	g_return_val_if_fail(tz != NULL, NULL);
	g_return_val_if_fail(today != NULL, NULL);
	horizon = *today;

	g_date_add_days(&horizon, days);
	for (guint i = 0; i < n; i++) {
		const ImssPlanLicense *license = &licenses[i];
		GDate d = *today;
		if (!license->activated)
			continue;
		while (imss_calendar_next_transition(&license->expiry, &d, &d) &&
		       g_date_compare(&d, &horizon) <= 0) {
			ImssLicenseState state = imss_calendar_state(&license->expiry, &d);
			imss_planner_add_event(events, tz, license, &d, imss_license_state_to_string(state));
		}
		if (!imss_job_check_applies(license))
			continue;
		d = *today;
		for (;;) {
			imss_calendar_next_check(&license->expiry, &d, &d);
			if (g_date_compare(&d, &horizon) > 0)
				break;
			imss_planner_add_event(events, tz, license, &d, IMSS_JOB_CHECK);
		}
	}
	g_ptr_array_sort(events, imss_planner_event_cmp);
	return events;
}

gboolean
imss_planner_clock_plausible(const ImssPlanLicense *licenses,
			     guint n,
			     const GDate *today,
			     gboolean real_clock,
			     gchar **why)
{
	GDate floor, ceiling;
	g_autofree gchar *today_str = NULL;

	g_return_val_if_fail(licenses != NULL || n == 0, FALSE);
	g_return_val_if_fail(today != NULL, FALSE);
	g_return_val_if_fail(why != NULL, FALSE);
	today_str = imss_date_format(today);

	imss_date_parse(IMSS_SOURCE_DATE, &floor);
	if (real_clock && g_date_compare(today, &floor) < 0) {
		*why = g_strdup_printf("the wall clock says %s, before this daemon's source date %s",
				       today_str, IMSS_SOURCE_DATE);
		return FALSE;
	}
	ceiling = floor;
	for (guint i = 0; i < n; i++) {
		GDate grace_end;
		if (!licenses[i].activated)
			continue;
		imss_calendar_grace_end(&licenses[i].expiry, &grace_end);
		if (g_date_compare(&grace_end, &ceiling) > 0)
			ceiling = grace_end;
	}
	g_date_add_years(&ceiling, IMSS_PLANNER_PLAUSIBLE_YEARS);
	if (g_date_compare(today, &ceiling) > 0) {
		*why = g_strdup_printf("the wall clock says %s, more than %d years past every license "
				       "date",
				       today_str, IMSS_PLANNER_PLAUSIBLE_YEARS);
		return FALSE;
	}
	return TRUE;
}
