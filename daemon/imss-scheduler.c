#define G_LOG_DOMAIN "ImssScheduler"

#include "config.h"

#include "imss-calendar.h"
#include "imss-notice.h"
#include "imss-scheduler.h"
#include "imss-slot.h"

struct _ImssScheduler {
	GObject parent_instance;
	ImssClock *clock;
	ImssStore *store;
	GPtrArray *licenses; /* ImssLicense */
	ImssLicenseState states[IMSS_SLOT_LAST];
	gboolean started;
	gboolean in_tick;
	gboolean held;	  /* the wall clock is implausible: nothing runs */
	gint64 last_time; /* the instant of the previous evaluation */
	guint retry_id;	   /* claiming failed: evaluate again (catch-up) */
	guint retry_delay; /* seconds, doubling up to IMSS_SCHEDULER_RETRY_MAX */
};

/* how far past every license date (or past this source's date, when no
 * license is active) a wall clock may be before it is not believed */
#define IMSS_SCHEDULER_PLAUSIBLE_YEARS 20
/* a claim the store refused (locked by another program, disk full) is
 * tried again after 1, 2, 4, ... s, at most this far apart */
#define IMSS_SCHEDULER_RETRY_MAX 300

enum { SIGNAL_STATE_CHANGED, SIGNAL_RUN_JOB, SIGNAL_TICKED, SIGNAL_LAST };
static guint signals[SIGNAL_LAST] = {0};

G_DEFINE_TYPE(ImssScheduler, imss_scheduler, G_TYPE_OBJECT)

/* -- job kinds ------------------------------------------------------------ */

/* A kind of dated job: which days are due for a license (civil dates,
 * relative to its E), and what the history says about a run. */
typedef struct {
	const gchar *name;
	const gchar *action; /* history action of the claim */
	gboolean (*applies)(ImssLicense *license);
	gboolean (*is_due)(const GDate *expiry, const GDate *day);
	/* the latest due day at or before @today; FALSE when none */
	gboolean (*prev_due)(const GDate *expiry, const GDate *today, GDate *day);
	/* the first due day after @after; FALSE when none */
	gboolean (*next_due)(const GDate *expiry, const GDate *after, GDate *day);
} ImssJobKind;

static gboolean
imss_job_check_applies(ImssLicense *license)
{
	/* offline codes are never checked online (SPEC §8) */
	return imss_license_is_activated(license) && !imss_license_get_offline(license);
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
imss_job_mail_applies(ImssLicense *license)
{
	return imss_license_is_activated(license);
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
     imss_job_check_applies,
     imss_calendar_is_check_day,
     imss_job_check_prev,
     imss_job_check_next},
    {IMSS_JOB_MAIL,
     "notice",
     imss_job_mail_applies,
     imss_notice_is_mail_day,
     imss_job_mail_prev,
     imss_job_mail_next},
};

/* queues the run of @kind for @license on @day, unless that day began
 * before the license was activated (the activation itself is the news);
 * the store decides whether it already ran (once per date, across restarts
 * and nodes) */
static void
imss_scheduler_queue(ImssScheduler *self,
		     GPtrArray *runs,
		     const ImssJobKind *kind,
		     ImssLicense *license,
		     const GDate *day,
		     const GDate *today)
{
	GTimeZone *tz = imss_clock_get_timezone(self->clock);
	g_autofree gchar *offset = NULL;
	ImssStoreRun *run;
	ImssStoreHistory *history;

	if (imss_calendar_day_start(tz, day) < imss_license_get_activated_at(license))
		return;
	offset = imss_calendar_format_offset(
	    imss_calendar_days_between(imss_license_get_expiry(license), day));
	run = g_new0(ImssStoreRun, 1);
	run->job = g_strdup(kind->name);
	run->slot = g_strdup(imss_license_get_id(license));
	run->day = imss_calendar_format_date(day);
	run->at = imss_clock_get_time(self->clock);
	/* a mail stays pending until delivered (retried during its day) */
	run->pending = g_strcmp0(kind->name, IMSS_JOB_MAIL) == 0;
	history = g_new0(ImssStoreHistory, 1);
	history->time = run->at;
	history->action = g_strdup(kind->action);
	history->slot = g_strdup(run->slot);
	history->code = g_strdup(imss_license_get_masked_code(license));
	history->caller = g_strdup("scheduler");
	history->outcome = g_strdup("due");
	history->detail = g_strdup_printf("%s day %s (%s)%s",
					  kind->name,
					  run->day,
					  offset,
					  g_date_compare(day, today) < 0 ? ", caught up" : "");
	run->history = history;
	g_ptr_array_add(runs, run);
}

/* When time simply passed (the alarm), every due day that began since the
 * previous evaluation runs — more than one only when a zone skips a whole
 * day (Pacific/Apia 2011-12-30 starts with 12-31). After a start, a clock
 * step or a resume, only the latest missed due day runs (catch-up once). */
static void
imss_scheduler_queue_due(ImssScheduler *self,
			 GPtrArray *runs,
			 const ImssJobKind *kind,
			 ImssLicense *license,
			 const GDate *today,
			 gboolean passage)
{
	GTimeZone *tz = imss_clock_get_timezone(self->clock);
	const GDate *expiry = imss_license_get_expiry(license);
	GDate day;

	if (!kind->applies(license))
		return;
	if (passage) {
		/* the dates that began since the last look, oldest first */
		day = *today;
		g_date_subtract_days(&day, 2);
		for (; g_date_compare(&day, today) <= 0; g_date_add_days(&day, 1)) {
			if (imss_calendar_day_start(tz, &day) > self->last_time &&
			    kind->is_due(expiry, &day))
				imss_scheduler_queue(self, runs, kind, license, &day, today);
		}
		return;
	}
	if (kind->prev_due(expiry, today, &day))
		imss_scheduler_queue(self, runs, kind, license, &day, today);
}

/* the start of the first day after @today with an event for @license */
static gint64
imss_scheduler_next_instant(ImssScheduler *self, ImssLicense *license, const GDate *today)
{
	GTimeZone *tz = imss_clock_get_timezone(self->clock);
	gint64 best = IMSS_CLOCK_NO_ALARM;
	GDate next;
	if (!imss_license_is_activated(license))
		return best;
	if (imss_calendar_next_transition(imss_license_get_expiry(license), today, &next))
		best = MIN(best, imss_calendar_day_start(tz, &next));
	for (guint k = 0; k < G_N_ELEMENTS(job_kinds); k++) {
		if (job_kinds[k].applies(license) &&
		    job_kinds[k].next_due(imss_license_get_expiry(license), today, &next))
			best = MIN(best, imss_calendar_day_start(tz, &next));
	}
	return best;
}

gint64
imss_scheduler_compute_next_wakeup(ImssScheduler *self)
{
	GDate today;
	gint64 next = IMSS_CLOCK_NO_ALARM;
	imss_clock_get_today(self->clock, &today);
	for (guint i = 0; i < self->licenses->len; i++)
		next = MIN(next,
			   imss_scheduler_next_instant(self, g_ptr_array_index(self->licenses, i), &today));
	return next;
}

/* RELIABILITY-NOTES T4: a real wall clock before this source's date, or
 * any clock more than 20 years past every license date, is wrong (an RTC
 * reset, a typo in `date -s`): believing it would run — and mark as done —
 * the jobs of dates that have not come yet. FALSE with @why when so. */
static gboolean
imss_scheduler_clock_is_plausible(ImssScheduler *self, const GDate *today, gchar **why)
{
	GDate floor, ceiling;
	g_autofree gchar *today_str = imss_calendar_format_date(today);

	imss_calendar_parse_date(IMSS_SOURCE_DATE, &floor);
	if (!imss_clock_is_virtual(self->clock) && g_date_compare(today, &floor) < 0) {
		*why = g_strdup_printf("the wall clock says %s, before this daemon's source date %s",
				       today_str, IMSS_SOURCE_DATE);
		return FALSE;
	}
	ceiling = floor;
	for (guint i = 0; i < self->licenses->len; i++) {
		ImssLicense *license = g_ptr_array_index(self->licenses, i);
		GDate grace_end;
		if (imss_license_get_grace_end(license, &grace_end) &&
		    g_date_compare(&grace_end, &ceiling) > 0)
			ceiling = grace_end;
	}
	g_date_add_years(&ceiling, IMSS_SCHEDULER_PLAUSIBLE_YEARS);
	if (g_date_compare(today, &ceiling) > 0) {
		*why = g_strdup_printf("the wall clock says %s, more than %d years past every license "
				       "date",
				       today_str, IMSS_SCHEDULER_PLAUSIBLE_YEARS);
		return FALSE;
	}
	return TRUE;
}

/* while the clock is implausible nothing is claimed, sent or changed; only a
 * clock change (a step, NTP) wakes the calendar up again */
static gboolean
imss_scheduler_hold(ImssScheduler *self, const GDate *today)
{
	g_autofree gchar *why = NULL;
	if (imss_scheduler_clock_is_plausible(self, today, &why)) {
		if (self->held) {
			g_message("the wall clock is plausible again: the license calendar resumes");
			self->held = FALSE;
		}
		return FALSE;
	}
	if (!self->held)
		g_warning("%s: not believed; holding the scheduled license checks, notices and "
			  "mails until the clock is set right",
			  why);
	self->held = TRUE;
	imss_clock_set_alarm(self->clock, IMSS_CLOCK_NO_ALARM);
	return TRUE;
}

static void imss_scheduler_tick(ImssScheduler *self, gboolean passage);

static gboolean
imss_scheduler_retry_cb(gpointer user_data)
{
	ImssScheduler *self = user_data;
	self->retry_id = 0;
	/* as after a start: the latest due date of each job that is not
	 * claimed yet runs once */
	imss_scheduler_tick(self, FALSE);
	return G_SOURCE_REMOVE;
}

static void
imss_scheduler_tick(ImssScheduler *self, gboolean passage)
{
	GDate today;
	gint64 next;
	g_autoptr(GPtrArray) runs = g_ptr_array_new_with_free_func((GDestroyNotify)imss_store_run_free);
	g_autoptr(GError) error_local = NULL;

	if (!self->started || self->in_tick)
		return;
	self->in_tick = TRUE;
	imss_clock_get_today(self->clock, &today);
	if (self->held)
		passage = FALSE; /* back from a wrong clock: catch up once */
	if (imss_scheduler_hold(self, &today)) {
		self->in_tick = FALSE;
		g_signal_emit(self, signals[SIGNAL_TICKED], 0);
		return;
	}

	/* 1. lifecycle transitions, at the moment they happen */
	for (guint i = 0; i < self->licenses->len; i++) {
		ImssLicense *license = g_ptr_array_index(self->licenses, i);
		ImssSlotId slot = imss_license_get_slot(license);
		ImssLicenseState state = imss_license_get_state(license, &today);
		if (state != self->states[slot]) {
			ImssLicenseState old = self->states[slot];
			self->states[slot] = state;
			g_message("%s: %s -> %s",
				  imss_license_get_id(license),
				  imss_license_state_to_string(old),
				  imss_license_state_to_string(state));
			g_signal_emit(self, signals[SIGNAL_STATE_CHANGED], 0, license, (gint)old, (gint)state);
		}
	}

	/* 2. due jobs, each once per date, claimed in one transaction */
	for (guint i = 0; i < self->licenses->len; i++) {
		for (guint k = 0; k < G_N_ELEMENTS(job_kinds); k++)
			imss_scheduler_queue_due(self,
						 runs,
						 &job_kinds[k],
						 g_ptr_array_index(self->licenses, i),
						 &today,
						 passage);
	}
	if (!imss_store_claim_runs(self->store, runs, &error_local)) {
		/* nothing was claimed: the runs are not lost, they are tried again */
		self->retry_delay = CLAMP(self->retry_delay * 2, 1, IMSS_SCHEDULER_RETRY_MAX);
		g_warning("failed to record the scheduled runs (%s): trying again in %u s",
			  error_local->message,
			  self->retry_delay);
		if (self->retry_id == 0)
			self->retry_id =
			    g_timeout_add_seconds(self->retry_delay, imss_scheduler_retry_cb, self);
	} else {
		self->retry_delay = 0;
	}
	for (guint i = 0; i < runs->len; i++) {
		ImssStoreRun *run = g_ptr_array_index(runs, i);
		ImssSlotId slot;
		if (!run->claimed || !imss_slot_from_string(run->slot, &slot))
			continue;
		for (guint j = 0; j < self->licenses->len; j++) {
			ImssLicense *license = g_ptr_array_index(self->licenses, j);
			if (imss_license_get_slot(license) != slot)
				continue;
			g_info("%s job of %s for %s", run->job, run->slot, run->day);
			g_signal_emit(self, signals[SIGNAL_RUN_JOB], 0, run->job, license, run->day);
			break;
		}
	}
	self->last_time = imss_clock_get_time(self->clock);

	/* 3. the one alarm */
	next = imss_scheduler_compute_next_wakeup(self);
	imss_clock_set_alarm(self->clock, next);
	if (next != IMSS_CLOCK_NO_ALARM) {
		g_autofree gchar *when = imss_calendar_format_instant(imss_clock_get_timezone(self->clock), next);
		g_debug("next wake-up at %s", when);
	}
	self->in_tick = FALSE;
	g_signal_emit(self, signals[SIGNAL_TICKED], 0);
}

static void
imss_scheduler_alarm_cb(ImssClock *clock, ImssScheduler *self)
{
	imss_scheduler_tick(self, TRUE);
}

static void
imss_scheduler_clock_changed_cb(ImssClock *clock, ImssScheduler *self)
{
	g_autofree gchar *now = imss_clock_format_now(clock);
	gint64 step = self->last_time != 0 ? imss_clock_get_time(clock) - self->last_time : 0;
	if (ABS(step) >= 86400)
		g_message("the wall clock moved by %" G_GINT64_FORMAT " days (now %s): recomputing the "
			  "license calendar",
			  step / 86400,
			  now);
	else
		g_message("clock or zone changed (now %s): recomputing the schedule", now);
	imss_scheduler_tick(self, FALSE);
}

void
imss_scheduler_set_licenses(ImssScheduler *self, ImssLicense *const *licenses, guint n)
{
	g_ptr_array_set_size(self->licenses, 0);
	for (guint i = 0; i < n; i++)
		g_ptr_array_add(self->licenses, g_object_ref(licenses[i]));
}

gboolean
imss_scheduler_start(ImssScheduler *self, GError **error)
{
	GDate today;
	if (!imss_clock_start(self->clock, error))
		return FALSE;
	/* states as they are at start are not transitions */
	imss_clock_get_today(self->clock, &today);
	for (guint i = 0; i < self->licenses->len; i++) {
		ImssLicense *license = g_ptr_array_index(self->licenses, i);
		self->states[imss_license_get_slot(license)] = imss_license_get_state(license, &today);
	}
	self->started = TRUE;
	imss_scheduler_tick(self, FALSE);
	return TRUE;
}

void
imss_scheduler_reschedule(ImssScheduler *self)
{
	imss_scheduler_tick(self, TRUE);
}

gint64
imss_scheduler_get_next_wakeup(ImssScheduler *self)
{
	return imss_clock_get_alarm(self->clock);
}

static gint
imss_scheduler_event_cmp(gconstpointer a, gconstpointer b)
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
imss_scheduler_add_event(GPtrArray *events,
			 GTimeZone *tz,
			 ImssLicense *license,
			 const GDate *date,
			 const gchar *kind)
{
	ImssEvent *ev = g_new0(ImssEvent, 1);
	ev->date = *date;
	ev->instant = imss_calendar_day_start(tz, date);
	ev->slot = imss_license_get_slot(license);
	ev->kind = kind;
	ev->offset = imss_calendar_days_between(imss_license_get_expiry(license), date);
	g_ptr_array_add(events, ev);
}

GPtrArray *
imss_scheduler_list_events(ImssScheduler *self, guint days)
{
	GTimeZone *tz = imss_clock_get_timezone(self->clock);
	GPtrArray *events = g_ptr_array_new_with_free_func(g_free);
	GDate today, horizon;

	imss_clock_get_today(self->clock, &today);
	horizon = today;
	g_date_add_days(&horizon, days);
	for (guint i = 0; i < self->licenses->len; i++) {
		ImssLicense *license = g_ptr_array_index(self->licenses, i);
		const GDate *expiry = imss_license_get_expiry(license);
		GDate d = today;
		if (!imss_license_is_activated(license))
			continue;
		while (imss_calendar_next_transition(expiry, &d, &d) && g_date_compare(&d, &horizon) <= 0) {
			ImssLicenseState state = imss_calendar_state(expiry, &d);
			imss_scheduler_add_event(events, tz, license, &d, imss_license_state_to_string(state));
		}
		if (!imss_job_check_applies(license))
			continue;
		d = today;
		for (;;) {
			imss_calendar_next_check(expiry, &d, &d);
			if (g_date_compare(&d, &horizon) > 0)
				break;
			imss_scheduler_add_event(events, tz, license, &d, IMSS_JOB_CHECK);
		}
	}
	g_ptr_array_sort(events, imss_scheduler_event_cmp);
	return events;
}

static void
imss_scheduler_finalize(GObject *obj)
{
	ImssScheduler *self = IMSS_SCHEDULER(obj);
	g_clear_handle_id(&self->retry_id, g_source_remove);
	g_signal_handlers_disconnect_by_data(self->clock, self);
	g_ptr_array_unref(self->licenses);
	g_clear_object(&self->clock);
	g_clear_object(&self->store);
	G_OBJECT_CLASS(imss_scheduler_parent_class)->finalize(obj);
}

static void
imss_scheduler_class_init(ImssSchedulerClass *klass)
{
	G_OBJECT_CLASS(klass)->finalize = imss_scheduler_finalize;
	/**
	 * ImssScheduler::state-changed:
	 * A license's lifecycle state changed at a day's start.
	 */
	signals[SIGNAL_STATE_CHANGED] = g_signal_new("state-changed",
						     G_TYPE_FROM_CLASS(klass),
						     G_SIGNAL_RUN_LAST,
						     0,
						     NULL,
						     NULL,
						     NULL,
						     G_TYPE_NONE,
						     3,
						     IMSS_TYPE_LICENSE,
						     G_TYPE_INT,
						     G_TYPE_INT);
	/**
	 * ImssScheduler::run-job:
	 * A job claimed for a date: (job name, license, YYYY-MM-DD).
	 */
	signals[SIGNAL_RUN_JOB] = g_signal_new("run-job",
					       G_TYPE_FROM_CLASS(klass),
					       G_SIGNAL_RUN_LAST,
					       0,
					       NULL,
					       NULL,
					       NULL,
					       G_TYPE_NONE,
					       3,
					       G_TYPE_STRING,
					       IMSS_TYPE_LICENSE,
					       G_TYPE_STRING);
	/**
	 * ImssScheduler::ticked:
	 * The schedule was evaluated (derived values such as NextCheck may change).
	 */
	signals[SIGNAL_TICKED] = g_signal_new("ticked",
					      G_TYPE_FROM_CLASS(klass),
					      G_SIGNAL_RUN_LAST,
					      0,
					      NULL,
					      NULL,
					      NULL,
					      G_TYPE_NONE,
					      0);
}

static void
imss_scheduler_init(ImssScheduler *self)
{
	self->licenses = g_ptr_array_new_with_free_func(g_object_unref);
}

ImssScheduler *
imss_scheduler_new(ImssClock *clock, ImssStore *store)
{
	ImssScheduler *self = g_object_new(IMSS_TYPE_SCHEDULER, NULL);
	self->clock = g_object_ref(clock);
	self->store = g_object_ref(store);
	g_signal_connect(clock, "alarm", G_CALLBACK(imss_scheduler_alarm_cb), self);
	g_signal_connect(clock, "changed", G_CALLBACK(imss_scheduler_clock_changed_cb), self);
	return self;
}
