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
	GTask *task = NULL;
	ImssActivateRequest *req = g_new0(ImssActivateRequest, 1);
	g_return_if_fail(IMSS_IS_LICENSE_MANAGER(self));
	task = g_task_new(self, NULL, callback, user_data);

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
	g_return_val_if_fail(IMSS_IS_LICENSE_MANAGER(self), NULL);
	g_return_val_if_fail(g_task_is_valid(res, self), NULL);
	g_return_val_if_fail(error == NULL || *error == NULL, NULL);

	return g_task_propagate_pointer(G_TASK(res), error);
}

gboolean
imss_license_manager_get_click_protection_bound(ImssLicenseManager *self)
{
	g_autofree gchar *bound = NULL;
	g_return_val_if_fail(IMSS_IS_LICENSE_MANAGER(self), FALSE);
	bound = imss_settings_get_click_binding(self->store);

	return bound != NULL;
}

gboolean
imss_license_manager_check_activate(ImssLicenseManager *self,
				    const gchar *slot_id,
				    const gchar *code,
				    GError **error)
{
	g_auto(ImssActivationPlan) plan = {0};
	g_return_val_if_fail(IMSS_IS_LICENSE_MANAGER(self), FALSE);
	g_return_val_if_fail(error == NULL || *error == NULL, FALSE);
	return imss_activation_plan(imss_config_get_edition(self->config), slot_id, code, &plan, error);
}

/* The change that stores @plan's activation at @now: the licenses, the
 * restarts it needs and its history; @detail: what the history says. */
static ImssStoreChange *
imss_license_manager_activation_change(ImssLicenseManager *self,
				       const ImssActivationPlan *plan,
				       const gchar *caller,
				       gint64 now,
				       gchar **detail)
{
	ImssStoreChange *change = imss_store_change_new();
	g_autofree gchar *expiry = imss_date_format(&plan->info.expiry);
	g_auto(GStrv) units = NULL;

	/* online codes keep the issued expiry until the license server confirms
	 * one (unverified); offline codes carry their own, final date */
	for (guint i = 0; i < plan->n_targets; i++) {
		g_autoptr(ImssLicense) license = imss_license_copy(self->licenses[plan->targets[i]]);
		imss_license_activate(license, plan->canonical, &plan->info.expiry, plan->info.offline, now);
		imss_store_change_add_license(change, license);
	}
	*detail = g_strdup_printf("expiry %s, %s%s",
				  expiry,
				  plan->info.offline ? "offline" : "online",
				  plan->info.offline ? "" : ", expiry unverified");
	/* SPEC §7: a new activation restarts the services; recorded with the
	 * activation, so that a crash before the restart still restarts once */
	units = imss_license_manager_units_to_restart(
	    self, plan->slot == IMSS_SLOT_ANTISPAM || plan->slot == IMSS_SLOT_EMAIL_REPUTATION);
	imss_store_change_request_restarts(change, units, now);
	for (guint i = 0; i < plan->n_targets; i++)
		imss_store_change_add_history(change,
					      now,
					      "activate",
					      imss_slot_to_string(plan->targets[i]),
					      plan->masked,
					      caller,
					      "ok",
					      *detail);
	return change;
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
	g_autofree gchar *detail = NULL;
	g_autoptr(ImssStoreChange) change = NULL;
	g_autoptr(GError) error_local = NULL;
	gint64 now;
	gboolean all_same = TRUE;
	gboolean retried = FALSE;

	g_return_val_if_fail(IMSS_IS_LICENSE_MANAGER(self), NULL);
	g_return_val_if_fail(error == NULL || *error == NULL, NULL);
	now = imss_clock_get_time(self->clock);

	if (changed != NULL)
		*changed = FALSE;
	if (!imss_activation_plan(imss_config_get_edition(self->config), slot_id, code, &plan, error))
		return NULL;
again:
	all_same = TRUE;
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

	change = imss_license_manager_activation_change(self, &plan, caller, now, &detail);
	if (!imss_store_apply(self->store, change, &error_local)) {
		/* another node changed the slot since we read it: decide again */
		if (imss_license_manager_stale_reload(self, error_local, &retried)) {
			g_clear_error(&error_local);
			g_clear_pointer(&change, imss_store_change_free);
			g_clear_pointer(&detail, g_free);
			goto again;
		}
		imss_license_manager_store_failed(error, error_local, "store the activation");
		return NULL;
	}
	/* tests: a crash right after the commit, before any restart */
	if (g_strcmp0(g_getenv("IMSS_FAILPOINT"), "after-activation-commit") == 0) {
		g_warning("failpoint after-activation-commit: exiting");
		_exit(3);
	}

	imss_license_manager_take_stored(self, change);
	for (guint i = 0; i < plan.n_targets; i++) {
		imss_journal_event(G_LOG_LEVEL_MESSAGE,
				   IMSS_MSGID_ACTIVATED,
				   imss_slot_to_string(plan.targets[i]),
				   "activated %s on %s (%s) by %s",
				   plan.masked,
				   imss_slot_to_string(plan.targets[i]),
				   detail,
				   caller);
	}
	if (changed != NULL)
		*changed = TRUE;
	imss_license_manager_evaluate(self, TRUE);
	for (guint i = 0; i < plan.n_targets; i++)
		imss_license_manager_emit_license_changed(self, self->licenses[plan.targets[i]], "activated");
	return self->licenses[plan.slot];
}

gboolean
imss_license_manager_bind_click_protection(ImssLicenseManager *self,
					   const gchar *caller,
					   GError **error)
{
	ImssLicense *antispam = NULL;
	g_autofree gchar *key = NULL;
	g_autoptr(ImssStoreChange) change = NULL;
	g_autoptr(GError) error_local = NULL;
	gboolean was_bound;

	g_return_val_if_fail(IMSS_IS_LICENSE_MANAGER(self), FALSE);
	g_return_val_if_fail(error == NULL || *error == NULL, FALSE);
	antispam = self->licenses[IMSS_SLOT_ANTISPAM];

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
		imss_license_manager_emit_click_protection_changed(self);
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
	gboolean was_bound;

	g_return_val_if_fail(IMSS_IS_LICENSE_MANAGER(self), FALSE);
	g_return_val_if_fail(error == NULL || *error == NULL, FALSE);
	was_bound = imss_license_manager_get_click_protection_bound(self);

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
		imss_license_manager_emit_click_protection_changed(self);
	return TRUE;
}
