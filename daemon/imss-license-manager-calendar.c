#define G_LOG_DOMAIN "ImssLicenseManager"

#include "config.h"

#include "imss-journal.h"
#include "imss-date.h"
#include "imss-license-manager-private.h"
#include "imss-slot.h"

/* a claim the store refused (locked by another program, disk full) is
 * tried again after 1, 2, 4, ... s, at most this far apart */
#define IMSS_CALENDAR_RETRY_MAX 300

/* the plan's view of the licenses */
static void
imss_license_manager_plan_licenses(ImssLicenseManager *self, ImssPlanLicense *out)
{
	for (guint i = 0; i < IMSS_SLOT_LAST; i++) {
		ImssLicense *license = self->licenses[i];
		out[i].slot = (ImssSlotId)i;
		out[i].activated = imss_license_is_activated(license);
		out[i].offline = imss_license_get_offline(license);
		out[i].activated_at = imss_license_get_activated_at(license);
		g_date_clear(&out[i].expiry, 1);
		if (out[i].activated)
			out[i].expiry = *imss_license_get_expiry(license);
	}
}

GPtrArray *
imss_license_manager_list_events(ImssLicenseManager *self, guint days)
{
	ImssPlanLicense plan[IMSS_SLOT_LAST];
	GDate today;
	g_return_val_if_fail(IMSS_IS_LICENSE_MANAGER(self), NULL);
	imss_license_manager_plan_licenses(self, plan);
	imss_clock_get_today(self->clock, &today);
	return imss_planner_events(plan, IMSS_SLOT_LAST, imss_clock_get_timezone(self->clock), &today,
				   days);
}

/* while the clock is not believable nothing is claimed, sent or changed;
 * only a clock change (a step, NTP) wakes the calendar up again */
static gboolean
imss_license_manager_hold(ImssLicenseManager *self, const ImssPlanLicense *plan, const GDate *today)
{
	g_autofree gchar *why = NULL;
	if (imss_planner_clock_plausible(plan,
					 IMSS_SLOT_LAST,
					 today,
					 !imss_clock_is_virtual(self->clock),
					 &why)) {
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
	imss_scheduler_arm(self->scheduler, IMSS_PLANNER_NO_WAKEUP);
	return TRUE;
}

/* lifecycle transitions, at the moment they happen */
static void
imss_license_manager_transitions(ImssLicenseManager *self, const GDate *today)
{
	for (guint i = 0; i < IMSS_SLOT_LAST; i++) {
		ImssLicense *license = self->licenses[i];
		ImssLicenseState state = imss_license_get_state(license, today);
		ImssLicenseState old = self->states[i];
		if (state == old)
			continue;
		self->states[i] = state;
		/* at notice priority: the console notices and the mails are the
		 * operator's channel; warnings are for what failed */
		imss_journal_event(G_LOG_LEVEL_MESSAGE,
				   state == IMSS_LICENSE_STATE_EXPIRED ? IMSS_MSGID_GRACE_ENDED
								       : IMSS_MSGID_STATE_CHANGED,
				   imss_license_get_id(license),
				   "%s: %s -> %s",
				   imss_license_get_id(license),
				   imss_license_state_to_string(old),
				   imss_license_state_to_string(state));
		imss_license_manager_emit_state_changed(self, license, old, state);
		/* E−60 opens the console-notice period (E and G fall in the mail
		 * period, whose daily notice is issued by the mail job) */
		if (state == IMSS_LICENSE_STATE_EXPIRING && old == IMSS_LICENSE_STATE_ACTIVE)
			imss_license_manager_issue_notice(self, license, today, FALSE);
	}
}

/* an automatic check that would end as soon as it starts (the license is
 * not activated, or this gateway may not contact the server): the plan
 * knows its outcome, so its claim is recorded done at once and nothing is
 * dispatched — one write for the whole evaluation */
static gboolean
imss_license_manager_check_ends_at_once(ImssLicenseManager *self,
					const ImssPlannedRun *p,
					gint *may_go_online)
{
	if (g_strcmp0(p->job, IMSS_JOB_CHECK) != 0)
		return FALSE;
	if (!imss_license_is_activated(self->licenses[p->slot]))
		return TRUE;
	/* asked once per evaluation */
	if (*may_go_online == -1)
		*may_go_online = imss_license_manager_may_go_online(self);
	return !*may_go_online;
}

/* the planned runs as claims for the store, each with its history entry */
static GPtrArray *
imss_license_manager_claims(ImssLicenseManager *self, GArray *planned)
{
	GPtrArray *runs = g_ptr_array_new_with_free_func((GDestroyNotify)imss_store_run_free);
	gint64 now = imss_clock_get_time(self->clock);
	gint may_go_online = -1; /* not asked yet */
	for (guint i = 0; i < planned->len; i++) {
		const ImssPlannedRun *p = &g_array_index(planned, ImssPlannedRun, i);
		g_autofree gchar *offset = imss_calendar_format_offset(p->offset);
		ImssStoreRun *run = g_new0(ImssStoreRun, 1);
		ImssStoreHistory *h = g_new0(ImssStoreHistory, 1);
		run->job = g_strdup(p->job);
		run->slot = g_strdup(imss_slot_to_string(p->slot));
		run->day = imss_date_format(&p->day);
		run->at = now;
		/* a mail stays pending until delivered (retried during its day) */
		run->pending = p->pending && !imss_license_manager_check_ends_at_once(self, p, &may_go_online);
		h->time = now;
		h->action = g_strdup(p->action);
		h->slot = g_strdup(run->slot);
		h->code = g_strdup(imss_license_get_masked_code(self->licenses[p->slot]));
		h->caller = g_strdup("scheduler");
		h->outcome = g_strdup("due");
		h->detail = g_strdup_printf("%s day %s (%s)%s", p->job, run->day, offset,
					    p->caught_up ? ", caught up" : "");
		run->history = h;
		g_ptr_array_add(runs, run);
	}
	return runs;
}

static gboolean
imss_license_manager_evaluate_retry_cb(gpointer user_data)
{
	ImssLicenseManager *self = user_data;
	self->retry_id = 0;
	/* as after a start: the latest due date of each job not claimed yet runs once */
	imss_license_manager_evaluate(self, FALSE);
	return G_SOURCE_REMOVE;
}

/* the store answers again (a heartbeat succeeded, the listener is back):
 * the runs that could not be recorded are tried now, not after the backoff */
void
imss_license_manager_retry_now(ImssLicenseManager *self)
{
	g_return_if_fail(IMSS_IS_LICENSE_MANAGER(self));
	if (self->retry_id == 0)
		return;
	g_source_remove(self->retry_id);
	g_debug("the database answers again: recording the scheduled runs now");
	imss_license_manager_evaluate_retry_cb(self);
}

/* claims the due runs (each once per date, across restarts and nodes) and
 * dispatches those claimed here */
static void
imss_license_manager_run_due(ImssLicenseManager *self, GArray *planned)
{
	g_autoptr(GPtrArray) runs = imss_license_manager_claims(self, planned);
	g_autoptr(GError) error_local = NULL;
	const gchar *environment = NULL; /* asked once per evaluation */
	gboolean flushed = FALSE;

	if (!imss_store_claim_runs(self->store, runs, &error_local)) {
		/* what was not claimed is not lost: it is tried again */
		self->retry_delay = CLAMP(self->retry_delay * 2, 1, IMSS_CALENDAR_RETRY_MAX);
		g_warning("failed to record the scheduled runs (%s): trying again in %u s",
			  error_local->message,
			  self->retry_delay);
		if (self->retry_id == 0)
			self->retry_id = g_timeout_add_seconds(self->retry_delay,
							       imss_license_manager_evaluate_retry_cb,
							       self);
	} else {
		self->retry_delay = 0;
	}
	/* the runs that end at once (skipped, nothing to send) are recorded
	 * done together, in one transaction */
	imss_store_hold_finishes(self->store);
	for (guint i = 0; i < runs->len; i++) {
		ImssStoreRun *run = g_ptr_array_index(runs, i);
		if (!run->claimed)
			continue;
		if (!run->pending && g_strcmp0(run->job, IMSS_JOB_CHECK) == 0) {
			/* recorded done with its claim (see above) */
			if (environment == NULL)
				environment = imss_license_manager_get_environment(self);
			g_info("automatic check of %s for %s skipped: the environment is %s",
			       run->slot, run->day, environment);
			continue;
		}
		if (!flushed) {
			/* its claim is on disk before the run does anything */
			g_clear_error(&error_local);
			if (!imss_store_flush_commits(self->store, &error_local))
				g_warning("failed to record the claims of the scheduled runs: %s",
					  error_local->message);
			flushed = TRUE;
		}
		imss_license_manager_dispatch_run(self, run->job, run->slot, run->day);
	}
	g_clear_error(&error_local);
	if (!imss_store_release_finishes(self->store, &error_local))
		g_warning("failed to record the end of the scheduled runs: %s (they stay pending)",
			  error_local->message);
}

void
imss_license_manager_evaluate(ImssLicenseManager *self, gboolean passage)
{
	ImssPlanLicense plan[IMSS_SLOT_LAST];
	g_autoptr(GArray) planned = NULL;
	GTimeZone *tz = NULL;
	GDate today;

	g_return_if_fail(IMSS_IS_LICENSE_MANAGER(self));
	tz = imss_clock_get_timezone(self->clock);

	if (!self->started || self->in_tick)
		return;
	self->in_tick = TRUE;
	imss_clock_get_today(self->clock, &today);
	imss_license_manager_plan_licenses(self, plan);
	if (self->held)
		passage = FALSE; /* back from a wrong clock: catch up once */
	if (!imss_license_manager_hold(self, plan, &today)) {
		imss_license_manager_transitions(self, &today);
		planned = imss_planner_due(plan, IMSS_SLOT_LAST, tz, &today, self->last_time, passage);
		imss_license_manager_run_due(self, planned);
		self->last_time = imss_clock_get_time(self->clock);
		/* the jobs may have changed a license: plan the alarm from now */
		imss_license_manager_plan_licenses(self, plan);
		imss_scheduler_arm(self->scheduler,
				   imss_planner_next_wakeup(plan, IMSS_SLOT_LAST, tz, &today));
	}
	self->in_tick = FALSE;
	/* during an advance of the virtual clock, once at its end */
	if (!self->advancing)
		imss_license_manager_emit_refreshed(self);
}

static void
imss_license_manager_due_cb(ImssScheduler *scheduler, gboolean passage, ImssLicenseManager *self)
{
	imss_license_manager_evaluate(self, passage);
}

gboolean
imss_license_manager_start_calendar(ImssLicenseManager *self, GError **error)
{
	GDate today;
	g_return_val_if_fail(IMSS_IS_LICENSE_MANAGER(self), FALSE);
	g_return_val_if_fail(error == NULL || *error == NULL, FALSE);

	if (!imss_scheduler_start(self->scheduler, error))
		return FALSE;
	g_signal_connect(self->scheduler, "due", G_CALLBACK(imss_license_manager_due_cb), self);
	/* states as they are at start are not transitions */
	imss_clock_get_today(self->clock, &today);
	for (guint i = 0; i < IMSS_SLOT_LAST; i++)
		self->states[i] = imss_license_get_state(self->licenses[i], &today);
	self->started = TRUE;
	imss_license_manager_evaluate(self, FALSE);
	return TRUE;
}
