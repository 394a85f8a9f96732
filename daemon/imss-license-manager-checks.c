#define G_LOG_DOMAIN "ImssLicenseManager"

#include "config.h"

#include <string.h>
#include <unistd.h>

#include "imss-journal.h"
#include "imss-date.h"
#include "imss-activation.h"
#include "imss-console-notices.h"
#include "imss-doctor.h"
#include "imss-error.h"
#include "imss-license-manager-private.h"
#include "imss-notice.h"
#include "imss-settings.h"
#include "imss-slot.h"

/* -- the environment (SPEC §8) -------------------------------------------- */

void
imss_license_manager_environment_facts(ImssLicenseManager *self, ImssEnvironmentFacts *facts)
{
	g_auto(ImssCmDeployments) cm = {0};
	g_return_if_fail(IMSS_IS_LICENSE_MANAGER(self));
	g_return_if_fail(facts != NULL);

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
	g_return_val_if_fail(IMSS_IS_LICENSE_MANAGER(self), NULL);

	imss_license_manager_environment_facts(self, &facts);
	return imss_environment_to_string(
	    imss_environment_derive(&facts, imss_clock_get_time(self->clock)));
}

/* whether the daemon may contact the license server at all (SPEC §8) */
gboolean
imss_license_manager_may_go_online(ImssLicenseManager *self)
{
	ImssEnvironmentFacts facts;
	g_return_val_if_fail(IMSS_IS_LICENSE_MANAGER(self), FALSE);

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

/* -- license-server checks ---------------------------------------------------- */

/* What the server's answer (or @failure) means for @license: applied to
 * @stored (its copy), with the history outcome, and @detail. @renewed: the
 * expiry moved on. */
static const gchar *
imss_license_manager_judge_answer(ImssLicense *license,
				  ImssLicense *stored,
				  ImssServerAnswer *answer,
				  const GError *failure,
				  gint64 now,
				  gchar **detail,
				  gboolean *renewed)
{
	g_autofree gchar *old = imss_date_format(imss_license_get_expiry(license));
	g_autofree gchar *server = NULL;
	const gchar *outcome;
	gint cmp;

	*renewed = FALSE;
	imss_license_record_contact(stored, now, failure != NULL ? failure->message : NULL);
	if (failure != NULL) {
		*detail = g_strdup(failure->message);
		return "failed";
	}
	imss_license_set_server_status(stored, imss_server_status_to_string(answer->status));
	if (answer->status != IMSS_SERVER_STATUS_VALID) {
		outcome = imss_server_status_to_string(answer->status);
		*detail = answer->replaced_by != NULL
			      ? g_strdup_printf("the server says the code was replaced by %s",
						answer->replaced_by)
			      : g_strdup_printf("the server says the code is %s", outcome);
		return outcome;
	}
	cmp = g_date_compare(&answer->expiry, imss_license_get_expiry(license));
	server = imss_date_format(&answer->expiry);
	if (cmp < 0) {
		/* never a silent downgrade: keep ours, say so */
		*detail = g_strdup_printf("the server says %s, earlier than %s; kept %s", server, old, old);
		g_warning("%s: %s", imss_license_get_id(license), *detail);
		return "downgrade-ignored";
	}
	imss_license_confirm_expiry(stored, &answer->expiry, now);
	if (cmp == 0) {
		*detail = g_strdup_printf("expiry %s confirmed", old);
		return "unchanged";
	}
	*detail = g_strdup_printf("expiry %s -> %s", old, server);
	*renewed = TRUE;
	return "renewed";
}

/* Applies the server's answer (or the failure) to every slot holding the
 * code and stores it; @changed: whether an expiry changed. FALSE with
 * @error when the answer could not be stored (then nothing changed). */
gboolean
imss_license_manager_apply_answer(const gchar *code,
				  const ImssCheckRequest *check,
				  ImssServerAnswer *answer,
				  const GError *failure,
				  ImssCheckResult *result,
				  gpointer user_data,
				  GError **error)
{
	ImssLicenseManager *self = NULL;
	g_autoptr(ImssStoreChange) change = imss_store_change_new();
	g_autoptr(GError) error_local = NULL;
	g_autoptr(GPtrArray) renewed = g_ptr_array_new();
	gint64 now;
	gboolean sender_filter_slot = FALSE;
	gboolean retried = FALSE;

	g_return_val_if_fail(code != NULL, FALSE);
	g_return_val_if_fail(check != NULL, FALSE);
	g_return_val_if_fail(result != NULL, FALSE);
	g_return_val_if_fail(IMSS_IS_LICENSE_MANAGER(user_data), FALSE);
	g_return_val_if_fail(error == NULL || *error == NULL, FALSE);
	self = IMSS_LICENSE_MANAGER(user_data);
	now = imss_clock_get_time(self->clock);

again:
	for (guint i = 0; i < IMSS_SLOT_LAST; i++) {
		ImssLicense *license = self->licenses[i];
		g_autoptr(ImssLicense) stored = NULL;
		g_autofree gchar *detail = NULL;
		const gchar *outcome;
		gboolean slot_renewed;

		if (g_strcmp0(imss_license_get_code(license), code) != 0)
			continue;
		stored = imss_license_copy(license);
		outcome = imss_license_manager_judge_answer(license, stored, answer, failure, now,
							    &detail, &slot_renewed);
		if (slot_renewed) {
			g_ptr_array_add(renewed, license);
			if (i == IMSS_SLOT_ANTISPAM || i == IMSS_SLOT_EMAIL_REPUTATION)
				sender_filter_slot = TRUE;
		}
		if (check->day != NULL) {
			g_autofree gchar *with_day = g_strdup_printf("check day %s: %s", check->day, detail);
			g_free(detail);
			detail = g_steal_pointer(&with_day);
		}
		imss_store_change_add_license(change, stored);
		imss_store_change_add_history(change,
					      now,
					      check->action,
					      imss_license_get_id(license),
					      imss_license_get_masked_code(license),
					      check->caller,
					      outcome,
					      detail);
		if (failure != NULL)
			imss_journal_event(G_LOG_LEVEL_WARNING, IMSS_MSGID_CHECK_FAILED,
					   imss_license_get_id(license), "%s of %s: %s (%s)",
					   check->action, imss_license_get_id(license), outcome, detail);
		else
			imss_journal_event(G_LOG_LEVEL_MESSAGE,
					   slot_renewed ? IMSS_MSGID_RENEWED : IMSS_MSGID_CHECKED,
					   imss_license_get_id(license), "%s of %s: %s (%s)",
					   check->action, imss_license_get_id(license), outcome, detail);
	}
	imss_settings_record_server_contact(change, failure == NULL, now);
	if (!imss_store_apply(self->store, change, &error_local)) {
		/* another node changed a slot holding the code (a new code, a
		 * renewal) since we read it: what is stored now decides — never
		 * written over */
		if (imss_license_manager_stale_reload(self, error_local, &retried)) {
			g_clear_error(&error_local);
			g_clear_pointer(&change, imss_store_change_free);
			change = imss_store_change_new();
			g_ptr_array_set_size(renewed, 0);
			sender_filter_slot = FALSE;
			goto again;
		}
		return imss_license_manager_store_failed(error,
							 error_local,
							 "store the license server's answer");
	}
	imss_license_manager_take_stored(self, change);
	if (renewed->len > 0)
		imss_license_manager_evaluate(self, TRUE); /* re-anchor on the new E */
	for (guint i = 0; i < renewed->len; i++)
		imss_license_manager_emit_license_changed(self, g_ptr_array_index(renewed, i), "renewed");
	imss_license_manager_emit_refreshed(self);
	result->changed = renewed->len > 0;
	result->sender_filter_slot = sender_filter_slot;
	return TRUE;
}

/* asks the server about @code and applies the answer (the checker shares a
 * request in flight for the same code) */
void
imss_license_manager_check_code_async(ImssLicenseManager *self,
				      const gchar *code,
				      const gchar *action,
				      const gchar *caller,
				      GAsyncReadyCallback callback,
				      gpointer user_data)
{
	ImssCheckRequest request = {action, caller, NULL};
	g_return_if_fail(IMSS_IS_LICENSE_MANAGER(self));

	imss_license_checker_check_async(self->checker, code, &request, callback, user_data);
}

ImssCheckResult *
imss_license_manager_check_code_finish(ImssLicenseManager *self, GAsyncResult *res, GError **error)
{
	g_return_val_if_fail(IMSS_IS_LICENSE_MANAGER(self), NULL);
	g_return_val_if_fail(error == NULL || *error == NULL, NULL);

	return imss_license_checker_check_finish(self->checker, res, error);
}

/* an automatic check is over: its run is done (its answer, if any, is
 * recorded) */
static void
imss_license_manager_check_finished(const gchar *slot_id, const gchar *day, gpointer user_data)
{
	imss_license_manager_finish_run(IMSS_LICENSE_MANAGER(user_data), IMSS_JOB_CHECK, slot_id, day);
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

void
imss_license_manager_run_job(ImssLicenseManager *self,
			     const gchar *job,
			     ImssLicense *license,
			     const gchar *day)
{
	g_return_if_fail(IMSS_IS_LICENSE_MANAGER(self));
	g_return_if_fail(job != NULL);
	g_return_if_fail(IMSS_IS_LICENSE(license));

	if (!imss_license_is_activated(license)) {
		imss_license_manager_finish_run(self, job, imss_license_get_id(license), day);
		return;
	}
	if (g_strcmp0(job, IMSS_JOB_MAIL) == 0) {
		GDate date;
		imss_date_parse(day, &date);
		imss_license_manager_issue_notice(self, license, &date, TRUE);
		imss_license_manager_mail_notice(self, license, day, imss_clock_get_time(self->clock));
		return;
	}
	if (g_strcmp0(job, IMSS_JOB_CHECK) != 0 || !imss_license_manager_may_go_online(self)) {
		g_info("automatic check of %s skipped: the environment is %s",
		       imss_license_get_id(license),
		       imss_license_manager_get_environment(self));
		imss_license_manager_finish_run(self, job, imss_license_get_id(license), day);
		return;
	}
	imss_license_checker_check_automatic(self->checker,
					     imss_license_get_id(license),
					     imss_license_get_code(license),
					     day,
					     imss_license_manager_code_active,
					     imss_license_manager_check_finished,
					     self);
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
	GTask *task = NULL;
	ImssUpdate *u = g_new0(ImssUpdate, 1);
	g_autoptr(GPtrArray) codes = g_ptr_array_new();

	g_return_if_fail(IMSS_IS_LICENSE_MANAGER(self));
	task = g_task_new(self, NULL, callback, user_data);

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
	g_return_val_if_fail(IMSS_IS_LICENSE_MANAGER(self), NULL);
	g_return_val_if_fail(g_task_is_valid(res, self), NULL);
	g_return_val_if_fail(error == NULL || *error == NULL, NULL);

	return g_task_propagate_pointer(G_TASK(res), error);
}

gchar *
imss_license_manager_get_details_url(ImssLicenseManager *self, ImssLicense *license)
{
	g_return_val_if_fail(IMSS_IS_LICENSE_MANAGER(self), NULL);
	g_return_val_if_fail(IMSS_IS_LICENSE(license), NULL);

	if (!imss_license_is_activated(license))
		return g_strdup("");
	return imss_server_details_url(imss_config_get_server_url(self->config),
				       imss_license_get_code(license));
}
