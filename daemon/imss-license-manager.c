#define G_LOG_DOMAIN "ImssLicenseManager"

#include "config.h"

#include <string.h>
#include <unistd.h>

#include "imss-activation.h"
#include "imss-console-notices.h"
#include "imss-license-checker.h"
#include "imss-mail-delivery.h"
#include "imss-doctor.h"
#include "imss-error.h"
#include "imss-license-manager.h"
#include "imss-license-server.h"
#include "imss-mailer.h"
#include "imss-notice.h"
#include "imss-settings.h"
#include "imss-slot.h"
#include "imss-systemd.h"

struct _ImssLicenseManager {
	GObject parent_instance;
	ImssConfig *config;
	ImssStore *store;
	ImssClock *clock;
	ImssLicense *licenses[IMSS_SLOT_LAST];
	ImssScheduler *scheduler;
	ImssLicenseServer *server;
	ImssSystemd *systemd;
	ImssMailer *mailer;
	ImssMailDelivery *mail_delivery;
	ImssRestartQueue *restarts;
	ImssLicenseChecker *checker; /* one request per code at a time */
};


enum {
	SIGNAL_LICENSE_CHANGED,
	SIGNAL_CLICK_PROTECTION_CHANGED,
	SIGNAL_STATE_CHANGED,
	SIGNAL_REFRESHED,
	SIGNAL_NOTICE,
	SIGNAL_LAST
};
static guint signals[SIGNAL_LAST] = {0};

G_DEFINE_TYPE(ImssLicenseManager, imss_license_manager, G_TYPE_OBJECT)

static gboolean
imss_license_manager_fail(GError **error, ImssError code)
{
	g_set_error_literal(error, IMSS_ERROR, code, imss_error_to_text(code));
	return FALSE;
}

/* A store failure, for a caller: another program's lock is Busy (try
 * again), a full disk says so, anything else is Internal (the details go to
 * the journal only). */
static gboolean
imss_license_manager_store_failed(GError **error, GError *cause, const gchar *what)
{
	if (g_error_matches(cause, G_IO_ERROR, G_IO_ERROR_BUSY)) {
		g_debug("could not %s: %s", what, cause->message);
		return imss_license_manager_fail(error, IMSS_ERROR_BUSY);
	}
	g_warning("failed to %s: %s", what, cause->message);
	if (g_error_matches(cause, G_IO_ERROR, G_IO_ERROR_NO_SPACE)) {
		g_set_error_literal(error,
				    IMSS_ERROR,
				    IMSS_ERROR_INTERNAL,
				    /* English, like every error on the bus */
				    "The license store could not be written: the disk is "
				    "full. Nothing was changed. Free some space and try "
				    "again.");
		return FALSE;
	}
	if (g_error_matches(cause, G_IO_ERROR, G_IO_ERROR_NOT_CONNECTED)) {
		g_set_error_literal(error,
				    IMSS_ERROR,
				    IMSS_ERROR_INTERNAL,
				    /* English, like every error on the bus */
				    "The license database server cannot be reached. Nothing was "
				    "read or changed. The service reconnects by itself when the "
				    "server is back; try again then.");
		return FALSE;
	}
	return imss_license_manager_fail(error, IMSS_ERROR_INTERNAL);
}

/* -- waiting for the store -------------------------------------------------------- */

/* Another program (a backup, an sqlite3 shell) may hold a lock on the store.
 * A statement waits for it only briefly (the store's busy timeout blocks the
 * main loop); a caller that can wait is tried again on the main loop every
 * IMSS_STORE_RETRY_INTERVAL_MS for up to IMSS_STORE_RETRY_FOR_MS, while every
 * other caller is answered, and then gets Busy. */
#define IMSS_STORE_RETRY_INTERVAL_MS 100
#define IMSS_STORE_RETRY_FOR_MS	     5000

/* one try: a result, or NULL with @error (IMSS_ERROR_BUSY: worth another) */
typedef gpointer (*ImssStoreAttempt)(ImssLicenseManager *self, gpointer data, GError **error);

typedef struct {
	ImssStoreAttempt attempt;
	gpointer data;
	GDestroyNotify data_free;
	GDestroyNotify result_free;
	gint64 deadline;
	guint tries;
} ImssStoreRetry;

static void
imss_store_retry_free(ImssStoreRetry *r)
{
	if (r->data_free != NULL)
		r->data_free(r->data);
	g_free(r);
}

static gboolean
imss_license_manager_store_retry_cb(gpointer user_data)
{
	GTask *task = G_TASK(user_data);
	ImssStoreRetry *r = g_task_get_task_data(task);
	g_autoptr(GError) error_local = NULL;
	gboolean busy;
	gpointer result;

	r->tries++;
	result = r->attempt(g_task_get_source_object(task), r->data, &error_local);
	if (result != NULL) {
		if (r->tries > 1)
			g_message("the license store is free again (%u tries)", r->tries);
		g_task_return_pointer(task, result, r->result_free);
		g_object_unref(task);
		return G_SOURCE_REMOVE;
	}
	busy = g_error_matches(error_local, IMSS_ERROR, IMSS_ERROR_BUSY);
	if (busy && g_get_monotonic_time() < r->deadline) {
		if (r->tries == 1)
			g_message("the license store is locked by another program: trying again "
				  "for up to %d s",
				  IMSS_STORE_RETRY_FOR_MS / 1000);
		g_timeout_add(IMSS_STORE_RETRY_INTERVAL_MS, imss_license_manager_store_retry_cb, task);
		return G_SOURCE_REMOVE;
	}
	if (busy)
		g_warning("the license store stayed locked by another program for %d s: "
			  "answering busy",
			  IMSS_STORE_RETRY_FOR_MS / 1000);
	g_task_return_error(task, g_steal_pointer(&error_local));
	g_object_unref(task);
	return G_SOURCE_REMOVE;
}

/* Runs @attempt now, and again while the store is locked (see above);
 * completes with its result (freed with @result_free when nobody takes it)
 * or its error. @data is freed with @data_free. */
static void
imss_license_manager_store_retry_async(ImssLicenseManager *self,
				       ImssStoreAttempt attempt,
				       gpointer data,
				       GDestroyNotify data_free,
				       GDestroyNotify result_free,
				       GAsyncReadyCallback callback,
				       gpointer user_data)
{
	GTask *task = g_task_new(self, NULL, callback, user_data);
	ImssStoreRetry *r = g_new0(ImssStoreRetry, 1);
	r->attempt = attempt;
	r->data = data;
	r->data_free = data_free;
	r->result_free = result_free;
	r->deadline = g_get_monotonic_time() + (gint64)IMSS_STORE_RETRY_FOR_MS * 1000;
	g_task_set_task_data(task, r, (GDestroyNotify)imss_store_retry_free);
	imss_license_manager_store_retry_cb(task);
}

ImssLicense *
imss_license_manager_get_license(ImssLicenseManager *self, ImssSlotId slot)
{
	g_return_val_if_fail((guint)slot < IMSS_SLOT_LAST, NULL);
	return self->licenses[slot];
}

/* SPEC §7: scan and policy, and the sender filter when it is enabled and the
 * license is anti-spam or email reputation, in that order */
static GStrv
imss_license_manager_units_to_restart(ImssLicenseManager *self, gboolean sender_filter_slot)
{
	g_autoptr(GStrvBuilder) units = g_strv_builder_new();
	g_strv_builder_add(units, imss_config_get_scan_unit(self->config));
	g_strv_builder_add(units, imss_config_get_policy_unit(self->config));
	if (sender_filter_slot && imss_config_get_sender_filter_enabled(self->config))
		g_strv_builder_add(units, imss_config_get_sender_filter_unit(self->config));
	return g_strv_builder_end(units);
}

ImssScheduler *
imss_license_manager_get_scheduler(ImssLicenseManager *self)
{
	return self->scheduler;
}

static void imss_license_manager_issue_notice(ImssLicenseManager *self,
					      ImssLicense *license,
					      const GDate *day,
					      gboolean mail);

static void
imss_license_manager_state_changed_cb(ImssScheduler *scheduler,
				      ImssLicense *license,
				      gint old_state,
				      gint new_state,
				      ImssLicenseManager *self)
{
	g_signal_emit(self, signals[SIGNAL_STATE_CHANGED], 0, license, old_state, new_state);
	/* E−60 opens the console-notice period (E and G fall in the mail period,
	 * whose daily notice is issued by the mail job) */
	if (new_state == IMSS_LICENSE_STATE_EXPIRING && old_state == IMSS_LICENSE_STATE_ACTIVE) {
		GDate today;
		imss_clock_get_today(self->clock, &today);
		imss_license_manager_issue_notice(self, license, &today, FALSE);
	}
}

static void
imss_license_manager_restarts_changed_cb(ImssLicenseManager *self)
{
	g_signal_emit(self, signals[SIGNAL_REFRESHED], 0);
}

static void
imss_license_manager_ticked_cb(ImssScheduler *scheduler, ImssLicenseManager *self)
{
	g_signal_emit(self, signals[SIGNAL_REFRESHED], 0);
}

ImssClock *
imss_license_manager_get_clock(ImssLicenseManager *self)
{
	return self->clock;
}

ImssEdition
imss_license_manager_get_edition(ImssLicenseManager *self)
{
	return imss_config_get_edition(self->config);
}

/* -- notices (SPEC §9) ---------------------------------------------------------- */

gboolean
imss_license_manager_get_inactive_notices_hidden(ImssLicenseManager *self)
{
	return imss_settings_get_inactive_notices_hidden(self->store);
}

gboolean
imss_license_manager_set_inactive_notices_hidden(ImssLicenseManager *self,
						 gboolean hidden,
						 const gchar *caller,
						 GError **error)
{
	g_autoptr(ImssStoreChange) change = imss_store_change_new();
	g_autoptr(GError) error_local = NULL;
	imss_settings_set_inactive_notices_hidden(change, hidden);
	imss_store_change_add_history(change,
				      imss_clock_get_time(self->clock),
				      hidden ? "hide-inactive-notices" : "show-inactive-notices",
				      "",
				      "",
				      caller,
				      "ok",
				      "");
	if (!imss_store_apply(self->store, change, &error_local))
		return imss_license_manager_store_failed(error, error_local, "store the notice setting");
	g_signal_emit(self, signals[SIGNAL_REFRESHED], 0);
	return TRUE;
}

GPtrArray *
imss_license_manager_get_notices(ImssLicenseManager *self)
{
	GPtrArray *restarts = imss_restart_queue_get_restarts(self->restarts);
	g_autoptr(GStrvBuilder) failed = g_strv_builder_new();
	g_auto(GStrv) failed_restarts = NULL;
	g_auto(ImssCmDeployments) cm = {0};
	ImssNoticeFacts facts = {0};
	GDate today;

	imss_clock_get_today(self->clock, &today);
	imss_settings_get_cm_deployments(self->store, &cm);
	for (guint i = 0; i < restarts->len; i++) {
		ImssStoreRestart *r = g_ptr_array_index(restarts, i);
		if (g_strcmp0(r->state, "failed") == 0)
			g_strv_builder_add(failed, r->unit);
	}
	failed_restarts = g_strv_builder_end(failed);
	facts.licenses = self->licenses;
	facts.today = &today;
	facts.inactive_hidden = imss_settings_get_inactive_notices_hidden(self->store);
	facts.cm_failed = g_str_has_prefix(cm.last_result, "failed");
	facts.failed_restarts = failed_restarts;
	facts.mail_configured = imss_mailer_is_configured(self->mailer);
	return imss_console_notices(&facts);
}

/* -- mail notices (SPEC §9.2) ---------------------------------------------------- */

/* The mail notice of @license for @day (claimed at @claimed_at, so once per
 * slot and day). */
static void
imss_license_manager_mail_notice(ImssLicenseManager *self,
				 ImssLicense *license,
				 const gchar *day,
				 gint64 claimed_at)
{
	ImssNotice notice;
	gboolean due;
	GDate date;
	g_date_clear(&date, 1);
	imss_calendar_parse_date(day, &date);
	due = g_date_valid(&date) && imss_notice_for_expiry(imss_license_get_slot(license),
							    imss_license_get_expiry(license),
							    &date,
							    &notice);
	imss_mail_delivery_send(self->mail_delivery,
				imss_license_get_slot(license),
				due ? &notice : NULL,
				day,
				claimed_at,
				imss_license_get_masked_code(license));
}

/* mails claimed but not delivered when the daemon stopped, whose day (of
 * sending) is not over; a failed read is a failed start (not "no pending
 * mail": they would never go out) */
static gboolean
imss_license_manager_resume_mails(ImssLicenseManager *self, GError **error)
{
	g_autoptr(GPtrArray) runs = NULL;
	runs = imss_store_list_pending_runs(self->store, IMSS_JOB_MAIL, error);
	if (runs == NULL) {
		g_prefix_error(error, "failed to read the pending mails: ");
		return FALSE;
	}
	for (guint i = 0; i < runs->len; i++) {
		ImssStoreRun *run = g_ptr_array_index(runs, i);
		ImssSlotId slot;
		if (!imss_slot_from_string(run->slot, &slot) ||
		    !imss_license_is_activated(self->licenses[slot]))
			continue;
		g_message("resuming the mail notice of %s for %s", run->slot, run->day);
		imss_license_manager_mail_notice(self, self->licenses[slot], run->day, run->at);
	}
	return TRUE;
}

/* a notice as it is issued: the signal, and the mail of the mail period */
static void
imss_license_manager_issue_notice(ImssLicenseManager *self, ImssLicense *license, const GDate *day, gboolean mail)
{
	ImssNotice notice;
	if (!imss_license_is_activated(license) ||
	    !imss_notice_for_expiry(imss_license_get_slot(license), imss_license_get_expiry(license), day, &notice))
		return;
	g_signal_emit(self, signals[SIGNAL_NOTICE], 0, &notice, mail);
}

/* -- Control Manager license profiles (SPEC §8, §10 Q5) ----------------------------- */

/* records the outcome of a deployment (the CM agent does not retry: a failure
 * must be visible until the operator redeploys) */
static void
imss_license_manager_record_profile(ImssLicenseManager *self,
				    ImssStoreChange *change,
				    const gchar *origin,
				    const gchar *slot,
				    const gchar *masked,
				    const gchar *caller,
				    const gchar *outcome,
				    const gchar *detail)
{
	gint64 now = imss_clock_get_time(self->clock);
	imss_settings_record_cm_deployment(change, origin, now, outcome, detail);
	imss_store_change_add_history(change, now, "apply-profile", slot, masked, caller, outcome, detail);
}

static gboolean
imss_license_manager_profile_failed(ImssLicenseManager *self,
				    const gchar *origin,
				    const gchar *slot,
				    const gchar *caller,
				    ImssError code,
				    const gchar *why,
				    GError **error)
{
	g_autoptr(ImssStoreChange) change = imss_store_change_new();
	g_autoptr(GError) error_local = NULL;
	imss_license_manager_record_profile(self, change, origin, slot != NULL ? slot : "", "", caller,
					    "failed", why);
	if (!imss_store_apply(self->store, change, &error_local))
		g_warning("failed to record a failed profile deployment: %s", error_local->message);
	g_message("license profile from %s refused: %s", origin, why);
	g_signal_emit(self, signals[SIGNAL_REFRESHED], 0);
	if (code == IMSS_ERROR_INVALID_ARGS)
		g_set_error(error, IMSS_ERROR, code, "Invalid license profile: %s.", why);
	else
		g_set_error_literal(error, IMSS_ERROR, code, imss_error_to_text(code));
	return FALSE;
}

gchar *
imss_license_manager_apply_profile(ImssLicenseManager *self,
				   const ImssProfile *profile,
				   const gchar *caller,
				   GError **error)
{
	const gchar *slot_id = profile->slot, *code = profile->code, *expiry_str = profile->expiry;
	const gchar *origin = profile->origin != NULL ? profile->origin : "Control Manager";
	g_autofree gchar *canonical = NULL;
	g_autofree gchar *old = NULL;
	g_autoptr(ImssStoreChange) change = NULL;
	g_autoptr(GError) error_local = NULL;
	const gchar *outcome;
	ImssCodeInfo info;
	ImssLicense *license;
	ImssSlotId slot;
	GDate expiry, min, max;
	gint cmp;

	g_return_val_if_fail(IMSS_IS_LICENSE_MANAGER(self), NULL);
	g_return_val_if_fail(profile != NULL, NULL);
	if (slot_id == NULL) {
		imss_license_manager_profile_failed(self, origin, NULL, caller, IMSS_ERROR_INVALID_ARGS,
						    "\"slot\" (a string) is missing", error);
		return NULL;
	}
	if (!imss_slot_from_string(slot_id, &slot)) {
		imss_license_manager_profile_failed(self, origin, NULL, caller, IMSS_ERROR_UNKNOWN_SLOT,
						    "unknown slot", error);
		return NULL;
	}
	if (code == NULL) {
		imss_license_manager_profile_failed(self, origin, slot_id, caller, IMSS_ERROR_INVALID_ARGS,
						    "\"code\" (a string) is missing", error);
		return NULL;
	}
	if (expiry_str == NULL || !imss_calendar_parse_date(expiry_str, &expiry)) {
		imss_license_manager_profile_failed(self, origin, slot_id, caller, IMSS_ERROR_INVALID_ARGS,
						    "\"expiry\" is not a YYYY-MM-DD date", error);
		return NULL;
	}
	g_date_clear(&min, 1);
	g_date_clear(&max, 1);
	g_date_set_dmy(&min, 1, G_DATE_JANUARY, 2000);
	g_date_set_dmy(&max, 6, G_DATE_JUNE, 2179);
	if (g_date_compare(&expiry, &min) < 0 || g_date_compare(&expiry, &max) > 0) {
		imss_license_manager_profile_failed(self, origin, slot_id, caller, IMSS_ERROR_INVALID_ARGS,
						    "\"expiry\" is out of range", error);
		return NULL;
	}
	if (!imss_code_parse(code, strlen(code), &info, &canonical, NULL) ||
	    info.edition != imss_config_get_edition(self->config)) {
		imss_license_manager_profile_failed(self, origin, slot_id, caller, IMSS_ERROR_INVALID_CODE,
						    "the profile's code is not valid for this product", error);
		return NULL;
	}
	license = self->licenses[slot];
	/* a profile renews the code that is active; it never replaces it */
	if (g_strcmp0(imss_license_get_code(license), canonical) != 0) {
		imss_license_manager_profile_failed(self, origin, slot_id, caller, IMSS_ERROR_CODE_MISMATCH,
						    imss_license_is_activated(license)
							? "the profile carries a different code than the active one"
							: "the slot is not activated with this code",
						    error);
		return NULL;
	}

	old = imss_calendar_format_date(imss_license_get_expiry(license));
	cmp = g_date_compare(&expiry, imss_license_get_expiry(license));
	outcome = cmp > 0 ? "extended" : cmp < 0 ? "changed" : "unchanged";
	change = imss_store_change_new();
	/* every slot holding the code: anti-spam brings email reputation along
	 * (SPEC §1), so the two never drift apart */
	for (guint i = 0; i < IMSS_SLOT_LAST; i++) {
		g_autoptr(ImssStoreSlot) row = NULL;
		if (g_strcmp0(imss_license_get_code(self->licenses[i]), canonical) != 0)
			continue;
		row = imss_license_to_row(self->licenses[i]);
		g_free(row->expiry);
		row->expiry = imss_calendar_format_date(&expiry);
		/* the profile is CM's word from the license server: verified */
		row->verified = TRUE;
		row->verified_at = imss_clock_get_time(self->clock);
		imss_store_change_add_row(change, row);
	}
	{
		g_autofree gchar *new_expiry = imss_calendar_format_date(&expiry);
		g_autofree gchar *detail = g_strdup_printf("expiry %s -> %s", old, new_expiry);
		imss_license_manager_record_profile(self, change, origin, slot_id,
						    imss_license_get_masked_code(license), caller, outcome, detail);
	}
	if (!imss_store_apply(self->store, change, &error_local)) {
		imss_license_manager_store_failed(error, error_local, "store the license profile");
		return NULL;
	}
	for (guint i = 0; i < change->rows->len; i++) {
		ImssStoreSlot *row = g_ptr_array_index(change->rows, i);
		ImssSlotId target;
		if (imss_slot_from_string(row->slot, &target))
			imss_license_set_from_row(self->licenses[target], row);
		g_message("license profile from %s for %s: %s (expiry %s -> %s); nothing is restarted",
			  origin, row->slot, outcome, old, row->expiry);
	}
	/* an automatic renewal: it restarts nothing (SPEC §7) */
	if (cmp != 0) {
		imss_scheduler_reschedule(self->scheduler);
		for (guint i = 0; i < change->rows->len; i++) {
			ImssStoreSlot *row = g_ptr_array_index(change->rows, i);
			ImssSlotId target;
			if (imss_slot_from_string(row->slot, &target))
				g_signal_emit(self, signals[SIGNAL_LICENSE_CHANGED], 0,
					      self->licenses[target], "renewed");
		}
	}
	g_signal_emit(self, signals[SIGNAL_REFRESHED], 0);
	return g_strdup(outcome);
}

/* the last deployment: (time, result) or FALSE when none */
gboolean
imss_license_manager_get_last_deployment(ImssLicenseManager *self, gint64 *time, gchar **result)
{
	g_auto(ImssCmDeployments) cm = {0};
	imss_settings_get_cm_deployments(self->store, &cm);
	if (!cm.any)
		return FALSE;
	*time = cm.last_time;
	*result = g_steal_pointer(&cm.last_result);
	return TRUE;
}

/* -- the environment (SPEC §8) -------------------------------------------- */

static void
imss_license_manager_environment_facts(ImssLicenseManager *self, ImssEnvironmentFacts *facts)
{
	g_auto(ImssCmDeployments) cm = {0};
	imss_settings_get_cm_deployments(self->store, &cm);
	if (!imss_environment_from_string(imss_config_get_environment(self->config), &facts->configured))
		facts->configured = IMSS_ENVIRONMENT_AUTO;
	facts->profile_applied = cm.applied_once;
	imss_settings_get_server_contact(self->store, &facts->last_answer, &facts->last_failure);
}

const gchar *
imss_license_manager_get_environment(ImssLicenseManager *self)
{
	ImssEnvironmentFacts facts;
	imss_license_manager_environment_facts(self, &facts);
	return imss_environment_to_string(
	    imss_environment_derive(&facts, imss_clock_get_time(self->clock)));
}

/* whether the daemon may contact the license server at all (SPEC §8) */
static gboolean
imss_license_manager_may_go_online(ImssLicenseManager *self)
{
	ImssEnvironmentFacts facts;
	imss_license_manager_environment_facts(self, &facts);
	return imss_environment_may_contact_server(&facts, imss_clock_get_time(self->clock));
}

/* why a manual update does not contact the server here */
static void
imss_license_manager_offline_error(ImssLicenseManager *self, GTask *task)
{
	const gchar *env = imss_license_manager_get_environment(self);
	if (g_strcmp0(env, "cm-managed") == 0)
		g_task_return_new_error(task, IMSS_ERROR, IMSS_ERROR_NOT_SUPPORTED,
					"This gateway is managed by Control Manager: it does not contact "
					"the license server itself. Licenses are renewed by license "
					"profiles deployed from Control Manager.");
	else
		g_task_return_new_error(task, IMSS_ERROR, IMSS_ERROR_NOT_SUPPORTED,
					"This gateway is configured as not connected: it does not contact "
					"the license server. Register an offline activation code to renew "
					"a license.");
}

/* -- restarts (SPEC §7) ----------------------------------------------------- */

/* Records that the units of a manual update must be restarted (one
 * transaction), then runs the queue. */
static void
imss_license_manager_request_restart(ImssLicenseManager *self, gboolean sender_filter_slot)
{
	g_autoptr(ImssStoreChange) change = imss_store_change_new();
	g_autoptr(GError) error_local = NULL;
	g_auto(GStrv) units = imss_license_manager_units_to_restart(self, sender_filter_slot);
	imss_store_change_request_restarts(change, units, imss_clock_get_time(self->clock));
	if (!imss_store_apply(self->store, change, &error_local))
		g_warning("failed to record the pending restart: %s", error_local->message);
	imss_restart_queue_kick(self->restarts);
}

GPtrArray *
imss_license_manager_get_restarts(ImssLicenseManager *self)
{
	return imss_restart_queue_get_restarts(self->restarts);
}

GStrv
imss_license_manager_restart_services(ImssLicenseManager *self, const gchar *caller, GError **error)
{
	GPtrArray *queued = imss_restart_queue_get_restarts(self->restarts);
	g_autoptr(GStrvBuilder) builder = g_strv_builder_new();
	g_autoptr(ImssStoreChange) change = imss_store_change_new();
	g_autoptr(GError) error_local = NULL;
	g_auto(GStrv) units = NULL;
	g_autofree gchar *list = NULL;
	gint64 now = imss_clock_get_time(self->clock);

	g_return_val_if_fail(IMSS_IS_LICENSE_MANAGER(self), NULL);
	/* the failed ones, or else all the services a manual update restarts */
	for (guint i = 0; i < queued->len; i++) {
		ImssStoreRestart *r = g_ptr_array_index(queued, i);
		if (g_strcmp0(r->state, "failed") == 0)
			g_strv_builder_add(builder, r->unit);
	}
	units = g_strv_builder_end(builder);
	if (units[0] == NULL) {
		g_strfreev(units);
		units = imss_license_manager_units_to_restart(self, TRUE);
	}
	list = g_strjoinv(" ", units);
	imss_store_change_request_restarts(change, units, now);
	imss_store_change_add_history(change, now, "restart-services", "", "", caller, "ok", list);
	if (!imss_store_apply(self->store, change, &error_local)) {
		imss_license_manager_store_failed(error, error_local, "request the restarts");
		return NULL;
	}
	g_message("restart of %s requested by %s", list, caller);
	imss_restart_queue_kick(self->restarts);
	return g_steal_pointer(&units);
}

/* -- license-server checks ---------------------------------------------------- */

/* Applies the server's answer (or the failure) to every slot holding the
 * code and stores it; @changed: whether an expiry changed. FALSE with
 * @error when the answer could not be stored (then nothing changed). */
static gboolean
imss_license_manager_apply_answer(const gchar *code,
				  const ImssCheckRequest *check,
				  ImssServerAnswer *answer,
				  const GError *failure,
				  ImssCheckResult *result,
				  gpointer user_data,
				  GError **error)
{
	ImssLicenseManager *self = IMSS_LICENSE_MANAGER(user_data);
	gboolean *sender_filter_slot = &result->sender_filter_slot;
	g_autoptr(ImssStoreChange) change = imss_store_change_new();
	g_autoptr(GError) error_local = NULL;
	gint64 now = imss_clock_get_time(self->clock);
	gboolean changed = FALSE;
	GPtrArray *renewed = g_ptr_array_new();

	for (guint i = 0; i < IMSS_SLOT_LAST; i++) {
		ImssLicense *license = self->licenses[i];
		g_autoptr(ImssStoreSlot) row = NULL;
		g_autofree gchar *detail = NULL;
		g_autofree gchar *old = NULL;
		const gchar *outcome;

		if (g_strcmp0(imss_license_get_code(license), code) != 0)
			continue;
		row = imss_license_to_row(license);
		old = g_strdup(row->expiry);
		row->checked_at = now;
		g_free(row->check_error);
		row->check_error = g_strdup(failure != NULL ? failure->message : "");
		if (failure != NULL) {
			outcome = "failed";
			detail = g_strdup(failure->message);
		} else {
			g_free(row->server_status);
			row->server_status = g_strdup(imss_server_status_to_string(answer->status));
			if (answer->status != IMSS_SERVER_STATUS_VALID) {
				outcome = imss_server_status_to_string(answer->status);
				detail = answer->replaced_by != NULL
					     ? g_strdup_printf("the server says the code was replaced by %s",
							       answer->replaced_by)
					     : g_strdup_printf("the server says the code is %s", outcome);
			} else {
				gint cmp = g_date_compare(&answer->expiry, imss_license_get_expiry(license));
				g_autofree gchar *server = imss_calendar_format_date(&answer->expiry);
				if (cmp > 0) {
					outcome = "renewed";
					detail = g_strdup_printf("expiry %s -> %s", old, server);
					g_free(row->expiry);
					row->expiry = g_strdup(server);
					changed = TRUE;
					g_ptr_array_add(renewed, license);
					if (i == IMSS_SLOT_ANTISPAM || i == IMSS_SLOT_EMAIL_REPUTATION)
						*sender_filter_slot = TRUE;
				} else if (cmp == 0) {
					outcome = "unchanged";
					detail = g_strdup_printf("expiry %s confirmed", old);
				} else {
					/* never a silent downgrade: keep ours, say so */
					outcome = "downgrade-ignored";
					detail = g_strdup_printf("the server says %s, earlier than %s; kept %s",
								 server, old, old);
					g_warning("%s: %s", imss_license_get_id(license), detail);
				}
				if (cmp >= 0) {
					row->verified = TRUE;
					row->verified_at = now;
				}
			}
		}
		if (check->day != NULL) {
			g_autofree gchar *with_day = g_strdup_printf("check day %s: %s", check->day, detail);
			g_free(detail);
			detail = g_steal_pointer(&with_day);
		}
		imss_store_change_add_row(change, row);
		imss_store_change_add_history(change,
					      now,
					      check->action,
					      imss_license_get_id(license),
					      imss_license_get_masked_code(license),
					      check->caller,
					      outcome,
					      detail);
		g_message("%s of %s: %s (%s)", check->action, imss_license_get_id(license), outcome, detail);
	}
	imss_settings_record_server_contact(change, failure == NULL, now);
	if (!imss_store_apply(self->store, change, &error_local)) {
		g_ptr_array_unref(renewed);
		*sender_filter_slot = FALSE;
		return imss_license_manager_store_failed(error,
							 error_local,
							 "store the license server's answer");
	}
	for (guint i = 0; i < change->rows->len; i++) {
		ImssStoreSlot *row = g_ptr_array_index(change->rows, i);
		ImssSlotId slot;
		if (imss_slot_from_string(row->slot, &slot))
			imss_license_set_from_row(self->licenses[slot], row);
	}
	if (changed)
		imss_scheduler_reschedule(self->scheduler); /* re-anchor on the new E */
	for (guint i = 0; i < renewed->len; i++)
		g_signal_emit(self, signals[SIGNAL_LICENSE_CHANGED], 0, g_ptr_array_index(renewed, i), "renewed");
	g_signal_emit(self, signals[SIGNAL_REFRESHED], 0);
	g_ptr_array_unref(renewed);
	result->changed = changed;
	return TRUE;
}

/* asks the server about @code and applies the answer (the checker shares a
 * request in flight for the same code) */
static void
imss_license_manager_check_code_async(ImssLicenseManager *self,
				      const gchar *code,
				      const gchar *action,
				      const gchar *caller,
				      GAsyncReadyCallback callback,
				      gpointer user_data)
{
	ImssCheckRequest request = {action, caller, NULL};
	imss_license_checker_check_async(self->checker, code, &request, callback, user_data);
}

static ImssCheckResult *
imss_license_manager_check_code_finish(ImssLicenseManager *self, GAsyncResult *res, GError **error)
{
	return imss_license_checker_check_finish(self->checker, res, error);
}

/* the code of an automatic check still licenses a slot */
static gboolean
imss_license_manager_code_active(const gchar *code, gpointer user_data)
{
	ImssLicenseManager *self = IMSS_LICENSE_MANAGER(user_data);
	for (guint i = 0; i < IMSS_SLOT_LAST; i++) {
		if (g_strcmp0(imss_license_get_code(self->licenses[i]), code) == 0)
			return TRUE;
	}
	return FALSE;
}

static void
imss_license_manager_run_job_cb(ImssScheduler *scheduler,
				const gchar *job,
				ImssLicense *license,
				const gchar *day,
				ImssLicenseManager *self)
{
	if (!imss_license_is_activated(license))
		return;
	if (g_strcmp0(job, IMSS_JOB_MAIL) == 0) {
		GDate date;
		imss_calendar_parse_date(day, &date);
		imss_license_manager_issue_notice(self, license, &date, TRUE);
		imss_license_manager_mail_notice(self, license, day, imss_clock_get_time(self->clock));
		return;
	}
	if (g_strcmp0(job, IMSS_JOB_CHECK) != 0)
		return;
	if (!imss_license_manager_may_go_online(self)) {
		g_info("automatic check of %s skipped: the environment is %s",
		       imss_license_get_id(license),
		       imss_license_manager_get_environment(self));
		return;
	}
	imss_license_checker_check_automatic(self->checker,
					     imss_license_get_id(license),
					     imss_license_get_code(license),
					     day,
					     imss_license_manager_code_active,
					     self);
}

/* -- activation, online ----------------------------------------------------------- */

typedef struct {
	ImssLicense *license;
	gboolean changed;
	gboolean sender_filter_slot;
	gchar *caller;
} ImssActivation;

static void
imss_activation_free(ImssActivation *a)
{
	g_clear_object(&a->license);
	g_free(a->caller);
	g_free(a);
}

typedef struct {
	gchar *slot_id;
	gchar *code;
	gchar *caller;
} ImssActivateRequest;

static void
imss_activate_request_free(ImssActivateRequest *req)
{
	g_free(req->slot_id);
	if (req->code != NULL)
		memset(req->code, 0, strlen(req->code));
	g_free(req->code);
	g_free(req->caller);
	g_free(req);
}

/* the activation as one try: validated and stored (or not) as a whole */
static gpointer
imss_license_manager_activate_attempt(ImssLicenseManager *self, gpointer data, GError **error)
{
	ImssActivateRequest *req = data;
	ImssActivation *a = g_new0(ImssActivation, 1);
	ImssLicense *license =
	    imss_license_manager_activate(self, req->slot_id, req->code, req->caller, &a->changed, error);
	if (license == NULL) {
		imss_activation_free(a);
		return NULL;
	}
	a->license = g_object_ref(license);
	a->caller = g_strdup(req->caller);
	return a;
}

static void
imss_license_manager_activation_check_cb(GObject *source, GAsyncResult *res, gpointer user_data)
{
	g_autoptr(GTask) task = G_TASK(user_data);
	ImssLicenseManager *self = g_task_get_source_object(task);
	ImssActivation *a = g_task_get_task_data(task);
	g_autoptr(GError) error_local = NULL;
	g_autofree ImssCheckResult *result = imss_license_manager_check_code_finish(self, res, &error_local);
	if (result == NULL)
		g_message("the license server could not confirm the new activation; the code's "
			  "own expiry is kept, unverified: %s",
			  error_local->message);
	imss_restart_queue_kick(self->restarts);
	g_task_return_pointer(task, g_object_ref(a->license), g_object_unref);
}

static void
imss_license_manager_activation_stored_cb(GObject *source, GAsyncResult *res, gpointer user_data)
{
	g_autoptr(GTask) task = G_TASK(user_data);
	ImssLicenseManager *self = IMSS_LICENSE_MANAGER(source);
	g_autoptr(GError) error_local = NULL;
	ImssActivation *a = g_task_propagate_pointer(G_TASK(res), &error_local);
	ImssLicense *license;

	if (a == NULL) {
		g_task_return_error(task, g_steal_pointer(&error_local));
		return;
	}
	g_task_set_task_data(task, a, (GDestroyNotify)imss_activation_free);
	license = a->license;
	if (!a->changed) {
		/* the same code again: nothing stored, nothing restarted */
		g_task_return_pointer(task, g_object_ref(license), g_object_unref);
		return;
	}
	/* an online code: ask the server for the current expiry first */
	if (!imss_license_get_offline(license) && imss_license_manager_may_go_online(self)) {
		imss_license_manager_check_code_async(self,
						      imss_license_get_code(license),
						      "activation-check",
						      a->caller,
						      imss_license_manager_activation_check_cb,
						      g_steal_pointer(&task));
		return;
	}
	imss_restart_queue_kick(self->restarts);
	g_task_return_pointer(task, g_object_ref(license), g_object_unref);
}

void
imss_license_manager_activate_async(ImssLicenseManager *self,
				    const gchar *slot_id,
				    const gchar *code,
				    const gchar *caller,
				    GAsyncReadyCallback callback,
				    gpointer user_data)
{
	GTask *task = g_task_new(self, NULL, callback, user_data);
	ImssActivateRequest *req = g_new0(ImssActivateRequest, 1);
	req->slot_id = g_strdup(slot_id);
	req->code = g_strdup(code);
	req->caller = g_strdup(caller);
	/* under another program's lock the activation waits a while, then
	 * fails whole with Busy */
	imss_license_manager_store_retry_async(self,
					       imss_license_manager_activate_attempt,
					       req,
					       (GDestroyNotify)imss_activate_request_free,
					       (GDestroyNotify)imss_activation_free,
					       imss_license_manager_activation_stored_cb,
					       task);
}

ImssLicense *
imss_license_manager_activate_finish(ImssLicenseManager *self, GAsyncResult *res, GError **error)
{
	return g_task_propagate_pointer(G_TASK(res), error);
}

/* -- UpdateStatus (SPEC §5.2) ------------------------------------------------------ */

typedef struct {
	guint pending;
	guint failed;
	guint invalid; /* of the failed: an answer, but not a valid one */
	gboolean changed;
	gboolean sender_filter_slot;
	GError *error; /* the first failure other than "no answer" (the store) */
} ImssUpdate;

static void
imss_update_free(ImssUpdate *u)
{
	g_clear_error(&u->error);
	g_free(u);
}

static void
imss_license_manager_update_cb(GObject *source, GAsyncResult *res, gpointer user_data)
{
	GTask *task = G_TASK(user_data);
	ImssLicenseManager *self = g_task_get_source_object(task);
	ImssUpdate *u = g_task_get_task_data(task);
	g_autoptr(GError) error_local = NULL;
	g_autofree ImssCheckResult *result = imss_license_manager_check_code_finish(self, res, &error_local);

	if (result == NULL) {
		u->failed++;
		if (g_error_matches(error_local,
				    IMSS_LICENSE_SERVER_ERROR,
				    IMSS_LICENSE_SERVER_ERROR_INVALID_ANSWER))
			u->invalid++;
		else if (u->error == NULL && error_local->domain != IMSS_LICENSE_SERVER_ERROR)
			u->error = g_steal_pointer(&error_local); /* the store failed */
	} else {
		u->changed |= result->changed;
		u->sender_filter_slot |= result->sender_filter_slot;
	}
	if (--u->pending > 0)
		return;
	if (u->changed) {
		/* updated (what was stored): restart per SPEC §7 */
		imss_license_manager_request_restart(self, u->sender_filter_slot);
	}
	if (u->error != NULL) {
		/* an answer could not be stored: never "unchanged" */
		g_task_return_error(task, g_steal_pointer(&u->error));
	} else if (u->changed) {
		g_task_return_pointer(task, g_strdup("updated"), g_free);
	} else if (u->failed > 0) {
		/* the server answered every request that failed, but wrongly:
		 * checking the Internet connection would not help */
		ImssError code = u->invalid == u->failed ? IMSS_ERROR_INVALID_ANSWER
							 : IMSS_ERROR_SERVER_UNREACHABLE;
		g_task_return_new_error(task, IMSS_ERROR, code, "%s", imss_error_to_text(code));
	} else {
		/* nothing changed: nothing is restarted (the early builds' defect) */
		g_task_return_pointer(task, g_strdup("unchanged"), g_free);
	}
	g_object_unref(task);
}

void
imss_license_manager_update_status_async(ImssLicenseManager *self,
					 const gchar *caller,
					 GAsyncReadyCallback callback,
					 gpointer user_data)
{
	GTask *task = g_task_new(self, NULL, callback, user_data);
	ImssUpdate *u = g_new0(ImssUpdate, 1);
	g_autoptr(GPtrArray) codes = g_ptr_array_new();

	g_task_set_task_data(task, u, (GDestroyNotify)imss_update_free);
	if (!imss_license_manager_may_go_online(self)) {
		imss_license_manager_offline_error(self, task);
		g_object_unref(task);
		return;
	}
	/* one request per distinct online code (antispam and email reputation share one) */
	for (guint i = 0; i < IMSS_SLOT_LAST; i++) {
		ImssLicense *license = self->licenses[i];
		const gchar *code = imss_license_get_code(license);
		gboolean seen = FALSE;
		if (code == NULL || imss_license_get_offline(license))
			continue;
		for (guint j = 0; j < codes->len; j++)
			seen |= g_strcmp0(g_ptr_array_index(codes, j), code) == 0;
		if (!seen)
			g_ptr_array_add(codes, (gpointer)code);
	}
	if (codes->len == 0) {
		g_task_return_pointer(task, g_strdup("unchanged"), g_free);
		g_object_unref(task);
		return;
	}
	u->pending = codes->len;
	for (guint j = 0; j < codes->len; j++)
		imss_license_manager_check_code_async(self,
						      g_ptr_array_index(codes, j),
						      "manual-update",
						      caller,
						      imss_license_manager_update_cb,
						      task);
}

gchar *
imss_license_manager_update_status_finish(ImssLicenseManager *self, GAsyncResult *res, GError **error)
{
	return g_task_propagate_pointer(G_TASK(res), error);
}

gchar *
imss_license_manager_get_details_url(ImssLicenseManager *self, ImssLicense *license)
{
	if (!imss_license_is_activated(license))
		return g_strdup("");
	return imss_server_details_url(imss_config_get_server_url(self->config),
				       imss_license_get_code(license));
}

/* -- the "why didn't my expiry update?" doctor (SPEC §10 Q5) --------------------------- */

typedef struct {
	ImssLicenseManager *self;
	ImssSlotId slot;
	ImssServerAnswer *answer; /* NULL: not asked or no answer */
	gchar *server_error;
} ImssDiagnoseCall;

static void
imss_diagnose_call_free(ImssDiagnoseCall *call)
{
	g_object_unref(call->self);
	imss_server_answer_free(call->answer);
	g_free(call->server_error);
	g_free(call);
}

/* the facts the doctor walks over, then the walk */
static void
imss_license_manager_diagnose_finish_walk(GTask *task)
{
	ImssDiagnoseCall *call = g_task_get_task_data(task);
	ImssLicenseManager *self = call->self;
	GPtrArray *restarts = imss_restart_queue_get_restarts(self->restarts);
	g_autoptr(GStrvBuilder) failed = g_strv_builder_new();
	g_auto(GStrv) failed_restarts = NULL;
	g_auto(ImssCmDeployments) cm = {0};
	ImssEnvironmentFacts env;
	ImssDoctorFacts facts = {0};
	GDate today;

	imss_clock_get_today(self->clock, &today);
	for (guint i = 0; i < restarts->len; i++) {
		ImssStoreRestart *r = g_ptr_array_index(restarts, i);
		if (g_strcmp0(r->state, "failed") != 0)
			continue;
		g_strv_builder_add(failed, r->unit);
		g_strv_builder_add(failed, r->last_error);
	}
	failed_restarts = g_strv_builder_end(failed);
	imss_settings_get_cm_deployments(self->store, &cm);
	imss_license_manager_environment_facts(self, &env);
	facts.license = self->licenses[call->slot];
	facts.environment = imss_environment_derive(&env, imss_clock_get_time(self->clock));
	facts.today = &today;
	facts.tz = imss_clock_get_timezone(self->clock);
	facts.failed_restarts = failed_restarts;
	facts.answer = call->answer;
	facts.server_error = call->server_error;
	facts.cm = &cm;
	g_task_return_pointer(task, imss_doctor_walk(&facts), (GDestroyNotify)imss_diagnosis_free);
	g_object_unref(task);
}

static void
imss_license_manager_diagnose_query_cb(GObject *source, GAsyncResult *res, gpointer user_data)
{
	GTask *task = G_TASK(user_data);
	ImssDiagnoseCall *call = g_task_get_task_data(task);
	g_autoptr(GError) error_local = NULL;
	/* the server's view, asked without storing anything */
	call->answer = imss_license_checker_ask_finish(IMSS_LICENSE_CHECKER(source), res, &error_local);
	if (call->answer == NULL)
		call->server_error = g_strdup(error_local->message);
	imss_license_manager_diagnose_finish_walk(task);
}

void
imss_license_manager_diagnose_async(ImssLicenseManager *self,
				    const gchar *slot_id,
				    GAsyncReadyCallback callback,
				    gpointer user_data)
{
	GTask *task = g_task_new(self, NULL, callback, user_data);
	ImssDiagnoseCall *call;
	ImssSlotId slot;
	ImssLicense *license;

	if (!imss_slot_from_string(slot_id, &slot)) {
		g_task_return_new_error(task, IMSS_ERROR, IMSS_ERROR_UNKNOWN_SLOT, "%s",
					imss_error_to_text(IMSS_ERROR_UNKNOWN_SLOT));
		g_object_unref(task);
		return;
	}
	call = g_new0(ImssDiagnoseCall, 1);
	call->self = g_object_ref(self);
	call->slot = slot;
	g_task_set_task_data(task, call, (GDestroyNotify)imss_diagnose_call_free);
	license = self->licenses[slot];
	if (imss_license_is_activated(license) && !imss_license_get_offline(license) &&
	    imss_license_manager_may_go_online(self)) {
		imss_license_checker_ask_async(self->checker,
					       imss_license_get_code(license),
					       imss_license_manager_diagnose_query_cb,
					       task);
		return;
	}
	imss_license_manager_diagnose_finish_walk(task);
}

ImssDiagnosis *
imss_license_manager_diagnose_finish(ImssLicenseManager *self, GAsyncResult *res, GError **error)
{
	return g_task_propagate_pointer(G_TASK(res), error);
}

ImssLicenseServer *
imss_license_manager_get_server(ImssLicenseManager *self)
{
	return self->server;
}

ImssSystemd *
imss_license_manager_get_systemd(ImssLicenseManager *self)
{
	return self->systemd;
}

gboolean
imss_license_manager_start(ImssLicenseManager *self, GError **error)
{
	/* mails claimed before we stopped and not delivered yet — before the
	 * calendar runs, which claims (and sends) today's new ones itself */
	if (!imss_license_manager_resume_mails(self, error))
		return FALSE;
	if (!imss_scheduler_start(self->scheduler, error))
		return FALSE;
	/* a crash between storing an activation and restarting: restart what
	 * was not restarted, once */
	if (!imss_restart_queue_load(self->restarts, error))
		return FALSE;
	imss_restart_queue_kick(self->restarts);
	return TRUE;
}

gboolean
imss_license_manager_get_click_protection_bound(ImssLicenseManager *self)
{
	g_autofree gchar *bound = imss_settings_get_click_binding(self->store);
	return bound != NULL;
}

gboolean
imss_license_manager_load(ImssLicenseManager *self, GError **error)
{
	g_autoptr(GPtrArray) rows = NULL;
	g_autoptr(GError) error_local = NULL;

	rows = imss_store_load_slots(self->store, &error_local);
	if (rows == NULL) {
		g_propagate_prefixed_error(error,
					   g_steal_pointer(&error_local),
					   "failed to load licenses: ");
		return FALSE;
	}
	for (guint i = 0; i < IMSS_SLOT_LAST; i++)
		imss_license_set_from_row(self->licenses[i], NULL);
	for (guint i = 0; i < rows->len; i++) {
		ImssStoreSlot *row = g_ptr_array_index(rows, i);
		ImssSlotId slot;
		if (!imss_slot_from_string(row->slot, &slot)) {
			g_warning("ignoring stored license of unknown slot %s", row->slot);
			continue;
		}
		imss_license_set_from_row(self->licenses[slot], row);
	}
	return TRUE;
}

gboolean
imss_license_manager_check_activate(ImssLicenseManager *self,
				    const gchar *slot_id,
				    const gchar *code,
				    GError **error)
{
	g_auto(ImssActivationPlan) plan = {0};
	g_return_val_if_fail(IMSS_IS_LICENSE_MANAGER(self), FALSE);
	return imss_activation_plan(imss_config_get_edition(self->config), slot_id, code, &plan, error);
}

ImssLicense *
imss_license_manager_activate(ImssLicenseManager *self,
			      const gchar *slot_id,
			      const gchar *code,
			      const gchar *caller,
			      gboolean *changed,
			      GError **error)
{
	g_auto(ImssActivationPlan) plan = {0};
	g_autofree gchar *expiry = NULL;
	g_autofree gchar *detail = NULL;
	g_autoptr(ImssStoreChange) change = NULL;
	g_autoptr(GError) error_local = NULL;
	gint64 now = imss_clock_get_time(self->clock);
	gboolean all_same = TRUE;

	if (changed != NULL)
		*changed = FALSE;
	if (!imss_activation_plan(imss_config_get_edition(self->config), slot_id, code, &plan, error))
		return NULL;
	for (guint i = 0; i < plan.n_targets; i++) {
		if (g_strcmp0(imss_license_get_code(self->licenses[plan.targets[i]]), plan.canonical) != 0)
			all_same = FALSE;
	}
	if (all_same) {
		g_info("%s already active on %s: nothing to do", plan.masked, slot_id);
		return self->licenses[plan.slot];
	}

	/* Time-of-Click protection is bound to the current anti-spam code */
	{
		g_autofree gchar *bound = imss_settings_get_click_binding(self->store);
		if (!imss_activation_click_allows(&plan, bound)) {
			g_message("refused %s on antispam: Time-of-Click protection is bound "
				  "to another code",
				  plan.masked);
			imss_license_manager_fail(error, IMSS_ERROR_CLICK_PROTECTION_BOUND);
			return NULL;
		}
	}

	/* online codes keep the issued expiry until the license server confirms
	 * one (unverified); offline codes carry their own, final date */
	expiry = imss_calendar_format_date(&plan.info.expiry);
	change = imss_store_change_new();
	for (guint i = 0; i < plan.n_targets; i++) {
		g_autoptr(ImssStoreSlot) row = imss_store_slot_new();
		row->slot = g_strdup(imss_slot_to_string(plan.targets[i]));
		row->code = g_strdup(plan.canonical);
		row->expiry = g_strdup(expiry);
		row->issued_expiry = g_strdup(expiry);
		row->offline = plan.info.offline;
		row->verified = plan.info.offline;
		row->verified_at = plan.info.offline ? now : 0;
		row->activated_at = now;
		imss_store_change_add_row(change, row);
	}
	detail = g_strdup_printf("expiry %s, %s%s",
				 expiry,
				 plan.info.offline ? "offline" : "online",
				 plan.info.offline ? "" : ", expiry unverified");
	/* SPEC §7: a new activation restarts the services; recorded with the
	 * activation, so that a crash before the restart still restarts once */
	{
		g_auto(GStrv) units = imss_license_manager_units_to_restart(
		    self,
		    plan.slot == IMSS_SLOT_ANTISPAM || plan.slot == IMSS_SLOT_EMAIL_REPUTATION);
		imss_store_change_request_restarts(change, units, now);
	}
	for (guint i = 0; i < plan.n_targets; i++)
		imss_store_change_add_history(change,
					      now,
					      "activate",
					      imss_slot_to_string(plan.targets[i]),
					      plan.masked,
					      caller,
					      "ok",
					      detail);
	if (!imss_store_apply(self->store, change, &error_local)) {
		imss_license_manager_store_failed(error, error_local, "store the activation");
		return NULL;
	}
	/* tests: a crash right after the commit, before any restart */
	if (g_strcmp0(g_getenv("IMSS_FAILPOINT"), "after-activation-commit") == 0) {
		g_warning("failpoint after-activation-commit: exiting");
		_exit(3);
	}

	for (guint i = 0; i < plan.n_targets; i++) {
		ImssStoreSlot *row = g_ptr_array_index(change->rows, i);
		imss_license_set_from_row(self->licenses[plan.targets[i]], row);
		g_message("activated %s on %s (%s) by %s",
			  plan.masked,
			  imss_slot_to_string(plan.targets[i]),
			  detail,
			  caller);
	}
	if (changed != NULL)
		*changed = TRUE;
	imss_scheduler_reschedule(self->scheduler);
	for (guint i = 0; i < plan.n_targets; i++)
		g_signal_emit(self,
			      signals[SIGNAL_LICENSE_CHANGED],
			      0,
			      self->licenses[plan.targets[i]],
			      "activated");
	return self->licenses[plan.slot];
}

gboolean
imss_license_manager_bind_click_protection(ImssLicenseManager *self,
					   const gchar *caller,
					   GError **error)
{
	ImssLicense *antispam = self->licenses[IMSS_SLOT_ANTISPAM];
	g_autofree gchar *key = NULL;
	g_autoptr(ImssStoreChange) change = NULL;
	g_autoptr(GError) error_local = NULL;
	gboolean was_bound;

	if (!imss_license_is_activated(antispam)) {
		g_set_error_literal(error,
				    IMSS_ERROR,
				    IMSS_ERROR_INVALID_ARGS,
				    "Anti-spam is not activated: there is no code to bind "
				    "Time-of-Click protection to.");
		return FALSE;
	}
	was_bound = imss_license_manager_get_click_protection_bound(self);
	key = imss_activation_click_digest(imss_license_get_code(antispam));
	change = imss_store_change_new();
	imss_settings_set_click_binding(change, key);
	imss_store_change_add_history(change,
				      imss_clock_get_time(self->clock),
				      "bind-click-protection",
				      "antispam",
				      imss_license_get_masked_code(antispam),
				      caller,
				      "ok",
				      "");
	if (!imss_store_apply(self->store, change, &error_local))
		return imss_license_manager_store_failed(error, error_local, "store the binding");
	g_message("Time-of-Click protection bound to %s by %s",
		  imss_license_get_masked_code(antispam),
		  caller);
	if (!was_bound)
		g_signal_emit(self, signals[SIGNAL_CLICK_PROTECTION_CHANGED], 0);
	return TRUE;
}

gboolean
imss_license_manager_release_click_protection(ImssLicenseManager *self,
					      const gchar *caller,
					      gboolean *released,
					      GError **error)
{
	g_autoptr(ImssStoreChange) change = imss_store_change_new();
	g_autoptr(GError) error_local = NULL;
	gboolean was_bound = imss_license_manager_get_click_protection_bound(self);

	imss_settings_set_click_binding(change, NULL);
	imss_store_change_add_history(change,
				      imss_clock_get_time(self->clock),
				      "release-click-protection",
				      "antispam",
				      "",
				      caller,
				      "ok",
				      was_bound ? "binding removed" : "no binding");
	if (!imss_store_apply(self->store, change, &error_local))
		return imss_license_manager_store_failed(error,
							 error_local,
							 "release the binding");
	if (released != NULL)
		*released = change->settings_delete_hit;
	g_message("Time-of-Click protection binding %s by %s",
		  change->settings_delete_hit ? "released" : "checked (none was set)",
		  caller);
	if (was_bound)
		g_signal_emit(self, signals[SIGNAL_CLICK_PROTECTION_CHANGED], 0);
	return TRUE;
}

GPtrArray *
imss_license_manager_get_history(ImssLicenseManager *self, guint limit, GError **error)
{
	g_autoptr(GError) error_local = NULL;
	GPtrArray *entries = imss_store_list_history(self->store, 0, limit, NULL, &error_local);
	if (entries == NULL) {
		imss_license_manager_store_failed(error, error_local, "read the history");
		return NULL;
	}
	return entries;
}

typedef struct {
	guint offset;
	guint limit;
	guint total;
} ImssHistoryRequest;

static gpointer
imss_license_manager_history_attempt(ImssLicenseManager *self, gpointer data, GError **error)
{
	ImssHistoryRequest *req = data;
	g_autoptr(GError) error_local = NULL;
	GPtrArray *entries = imss_store_list_history(self->store,
						     req->offset,
						     req->limit,
						     &req->total,
						     &error_local);
	if (entries == NULL)
		imss_license_manager_store_failed(error, error_local, "read the history");
	return entries;
}

void
imss_license_manager_get_history_page_async(ImssLicenseManager *self,
					    guint offset,
					    guint limit,
					    GAsyncReadyCallback callback,
					    gpointer user_data)
{
	ImssHistoryRequest *req = g_new0(ImssHistoryRequest, 1);
	req->offset = offset;
	req->limit = MIN(limit > 0 ? limit : IMSS_HISTORY_PAGE_DEFAULT, IMSS_HISTORY_PAGE_MAX);
	imss_license_manager_store_retry_async(self,
					       imss_license_manager_history_attempt,
					       req,
					       g_free,
					       (GDestroyNotify)g_ptr_array_unref,
					       callback,
					       user_data);
}

GPtrArray *
imss_license_manager_get_history_page_finish(ImssLicenseManager *self,
					     GAsyncResult *res,
					     guint *total,
					     GError **error)
{
	ImssStoreRetry *r = g_task_get_task_data(G_TASK(res));
	GPtrArray *entries = g_task_propagate_pointer(G_TASK(res), error);
	if (entries != NULL && total != NULL)
		*total = ((ImssHistoryRequest *)r->data)->total;
	return entries;
}

static void
imss_license_manager_finalize(GObject *obj)
{
	ImssLicenseManager *self = IMSS_LICENSE_MANAGER(obj);
	if (self->scheduler != NULL)
		g_signal_handlers_disconnect_by_data(self->scheduler, self);
	g_clear_object(&self->scheduler);
	g_clear_object(&self->server);
	g_clear_object(&self->systemd);
	g_clear_object(&self->mail_delivery);
	g_clear_object(&self->mailer);
	if (self->restarts != NULL)
		g_signal_handlers_disconnect_by_data(self->restarts, self);
	g_clear_object(&self->restarts);
	g_clear_object(&self->checker);
	for (guint i = 0; i < IMSS_SLOT_LAST; i++)
		g_clear_object(&self->licenses[i]);
	g_clear_object(&self->config);
	g_clear_object(&self->store);
	g_clear_object(&self->clock);
	G_OBJECT_CLASS(imss_license_manager_parent_class)->finalize(obj);
}

static void
imss_license_manager_class_init(ImssLicenseManagerClass *klass)
{
	G_OBJECT_CLASS(klass)->finalize = imss_license_manager_finalize;
	/**
	 * ImssLicenseManager::license-changed:
	 * @license: the slot's license
	 * @reason: "activated", "renewed" or "re-anchored"
	 */
	signals[SIGNAL_LICENSE_CHANGED] = g_signal_new("license-changed",
						       G_TYPE_FROM_CLASS(klass),
						       G_SIGNAL_RUN_LAST,
						       0,
						       NULL,
						       NULL,
						       NULL,
						       G_TYPE_NONE,
						       2,
						       IMSS_TYPE_LICENSE,
						       G_TYPE_STRING);
	/**
	 * ImssLicenseManager::state-changed:
	 * A lifecycle transition (old, new ImssLicenseState) at a day's start.
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
	 * ImssLicenseManager::refreshed:
	 * The calendar was evaluated; derived values (NextCheck) may have moved.
	 */
	signals[SIGNAL_REFRESHED] = g_signal_new("refreshed",
						 G_TYPE_FROM_CLASS(klass),
						 G_SIGNAL_RUN_LAST,
						 0,
						 NULL,
						 NULL,
						 NULL,
						 G_TYPE_NONE,
						 0);
	/**
	 * ImssLicenseManager::notice:
	 * A notice as it is issued (ImssNotice *, gboolean mail-period notice).
	 */
	signals[SIGNAL_NOTICE] = g_signal_new("notice",
					      G_TYPE_FROM_CLASS(klass),
					      G_SIGNAL_RUN_LAST,
					      0,
					      NULL,
					      NULL,
					      NULL,
					      G_TYPE_NONE,
					      2,
					      G_TYPE_POINTER,
					      G_TYPE_BOOLEAN);
	signals[SIGNAL_CLICK_PROTECTION_CHANGED] = g_signal_new("click-protection-changed",
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
imss_license_manager_init(ImssLicenseManager *self)
{
}

ImssLicenseManager *
imss_license_manager_new(ImssConfig *config, ImssStore *store, ImssClock *clock)
{
	ImssLicenseManager *self = g_object_new(IMSS_TYPE_LICENSE_MANAGER, NULL);
	self->config = g_object_ref(config);
	self->store = g_object_ref(store);
	self->clock = g_object_ref(clock);
	for (guint i = 0; i < IMSS_SLOT_LAST; i++)
		self->licenses[i] = imss_license_new((ImssSlotId)i,
						     imss_slot_enabled((ImssSlotId)i,
								       imss_config_get_edition(config)));
	self->server = imss_license_server_new(config);
	self->checker = imss_license_checker_new(self->server,
						 clock,
						 imss_config_get_edition(config),
						 imss_license_manager_apply_answer,
						 self);
	self->systemd = imss_systemd_new();
	self->mailer = imss_mailer_new(config);
	self->mail_delivery = imss_mail_delivery_new(self->mailer,
						     store,
						     clock,
						     imss_config_get_mail_language(config),
						     imss_config_get_mail_retry_interval(config));
	imss_systemd_set_job_timeout(self->systemd, imss_config_get_restart_timeout(config));
	self->restarts = imss_restart_queue_new(store,
						self->systemd,
						clock,
						imss_config_get_restart_attempts(config),
						imss_config_get_restart_retry_interval(config));
	g_signal_connect_swapped(self->restarts,
				 "changed",
				 G_CALLBACK(imss_license_manager_restarts_changed_cb),
				 self);
	self->scheduler = imss_scheduler_new(clock, store);
	imss_scheduler_set_licenses(self->scheduler, self->licenses, IMSS_SLOT_LAST);
	g_signal_connect(self->scheduler,
			 "state-changed",
			 G_CALLBACK(imss_license_manager_state_changed_cb),
			 self);
	g_signal_connect(self->scheduler,
			 "ticked",
			 G_CALLBACK(imss_license_manager_ticked_cb),
			 self);
	g_signal_connect(self->scheduler,
			 "run-job",
			 G_CALLBACK(imss_license_manager_run_job_cb),
			 self);
	return self;
}
