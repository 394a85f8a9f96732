#define G_LOG_DOMAIN "ImssLicenseManager"

#include "config.h"

#include <string.h>
#include <unistd.h>

#include "imss-date.h"
#include "imss-activation.h"
#include "imss-console-notices.h"
#include "imss-doctor.h"
#include "imss-error.h"
#include "imss-license-manager-private.h"
#include "imss-notice.h"
#include "imss-settings.h"
#include "imss-slot.h"

/* -- notices (SPEC §9) ---------------------------------------------------------- */

gboolean
imss_license_manager_get_inactive_notices_hidden(ImssLicenseManager *self)
{
	g_return_val_if_fail(IMSS_IS_LICENSE_MANAGER(self), FALSE);

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
	g_return_val_if_fail(IMSS_IS_LICENSE_MANAGER(self), FALSE);
	g_return_val_if_fail(error == NULL || *error == NULL, FALSE);

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
	imss_license_manager_emit_refreshed(self);
	return TRUE;
}

GPtrArray *
imss_license_manager_get_notices(ImssLicenseManager *self)
{
	GPtrArray *restarts = NULL;
	g_autoptr(GStrvBuilder) failed = g_strv_builder_new();
	g_auto(GStrv) failed_restarts = NULL;
	g_auto(ImssCmDeployments) cm = {0};
	ImssNoticeFacts facts = {0};
	GDate today;

	g_return_val_if_fail(IMSS_IS_LICENSE_MANAGER(self), NULL);
	restarts = imss_restart_queue_get_restarts(self->restarts);

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
void
imss_license_manager_mail_notice(ImssLicenseManager *self,
				 ImssLicense *license,
				 const gchar *day,
				 gint64 claimed_at)
{
	ImssNoticeData notice;
	gboolean due;
	GDate date;
	g_return_if_fail(IMSS_IS_LICENSE_MANAGER(self));
	g_return_if_fail(IMSS_IS_LICENSE(license));
	g_return_if_fail(day != NULL);

	g_date_clear(&date, 1);
	imss_date_parse(day, &date);
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

/* a notice as it is issued: the signal, and the mail of the mail period */
void
imss_license_manager_issue_notice(ImssLicenseManager *self, ImssLicense *license, const GDate *day, gboolean mail)
{
	ImssNoticeData notice;
	g_return_if_fail(IMSS_IS_LICENSE_MANAGER(self));
	g_return_if_fail(IMSS_IS_LICENSE(license));
	g_return_if_fail(day != NULL);

	if (!imss_license_is_activated(license) ||
	    !imss_notice_for_expiry(imss_license_get_slot(license), imss_license_get_expiry(license), day, &notice))
		return;
	imss_license_manager_emit_notice(self, &notice, mail);
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
	GTask *task = NULL;
	ImssDiagnoseCall *call;
	ImssSlotId slot;
	ImssLicense *license;

	g_return_if_fail(IMSS_IS_LICENSE_MANAGER(self));
	task = g_task_new(self, NULL, callback, user_data);

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
	g_return_val_if_fail(IMSS_IS_LICENSE_MANAGER(self), NULL);
	g_return_val_if_fail(g_task_is_valid(res, self), NULL);
	g_return_val_if_fail(error == NULL || *error == NULL, NULL);

	return g_task_propagate_pointer(G_TASK(res), error);
}
