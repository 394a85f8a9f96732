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
	imss_journal_event(G_LOG_LEVEL_WARNING, IMSS_MSGID_DEPLOYMENT_FAILED, slot,
			   "license profile from %s refused: %s", origin, why);
	imss_license_manager_emit_refreshed(self);
	if (code == IMSS_ERROR_INVALID_ARGS)
		g_set_error(error, IMSS_ERROR, code, "Invalid license profile: %s.", why);
	else
		g_set_error_literal(error, IMSS_ERROR, code, imss_error_to_text(code));
	return FALSE;
}

/* Checks @profile against the gateway: @slot, @expiry and @canonical (the
 * active code it renews) on success; on failure it is recorded and FALSE
 * returned with @error. */
static gboolean
imss_license_manager_check_profile(ImssLicenseManager *self,
				   const ImssProfile *profile,
				   const gchar *origin,
				   const gchar *caller,
				   ImssSlotId *slot,
				   GDate *expiry,
				   gchar **canonical,
				   GError **error)
{
	const gchar *slot_id = profile->slot, *code = profile->code, *expiry_str = profile->expiry;
	ImssCodeInfo info;
	ImssLicense *license;

	if (slot_id == NULL) {
		imss_license_manager_profile_failed(self, origin, NULL, caller, IMSS_ERROR_INVALID_ARGS,
						    "\"slot\" (a string) is missing", error);
		return FALSE;
	}
	if (!imss_slot_from_string(slot_id, slot)) {
		imss_license_manager_profile_failed(self, origin, NULL, caller, IMSS_ERROR_UNKNOWN_SLOT,
						    "unknown slot", error);
		return FALSE;
	}
	if (code == NULL) {
		imss_license_manager_profile_failed(self, origin, slot_id, caller, IMSS_ERROR_INVALID_ARGS,
						    "\"code\" (a string) is missing", error);
		return FALSE;
	}
	if (expiry_str == NULL || !imss_date_parse(expiry_str, expiry)) {
		imss_license_manager_profile_failed(self, origin, slot_id, caller, IMSS_ERROR_INVALID_ARGS,
						    "\"expiry\" is not a YYYY-MM-DD date", error);
		return FALSE;
	}
	if (!imss_date_in_range(expiry)) {
		imss_license_manager_profile_failed(self, origin, slot_id, caller, IMSS_ERROR_INVALID_ARGS,
						    "\"expiry\" is out of range", error);
		return FALSE;
	}
	if (!imss_code_parse(code, strlen(code), &info, canonical, NULL) ||
	    info.edition != imss_config_get_edition(self->config)) {
		imss_license_manager_profile_failed(self, origin, slot_id, caller, IMSS_ERROR_INVALID_CODE,
						    "the profile's code is not valid for this product", error);
		return FALSE;
	}
	license = self->licenses[*slot];
	/* a profile renews the code that is active; it never replaces it */
	if (g_strcmp0(imss_license_get_code(license), *canonical) != 0) {
		imss_license_manager_profile_failed(self, origin, slot_id, caller, IMSS_ERROR_CODE_MISMATCH,
						    imss_license_is_activated(license)
							? "the profile carries a different code than the active one"
							: "the slot is not activated with this code",
						    error);
		return FALSE;
	}

	return TRUE;
}

gchar *
imss_license_manager_apply_profile(ImssLicenseManager *self,
				   const ImssProfile *profile,
				   const gchar *caller,
				   GError **error)
{
	const gchar *origin;
	g_autofree gchar *canonical = NULL;
	g_autofree gchar *old = NULL;
	g_autoptr(ImssStoreChange) change = NULL;
	g_autoptr(GError) error_local = NULL;
	const gchar *outcome;
	ImssLicense *license;
	ImssSlotId slot;
	GDate expiry;
	gint cmp;
	gboolean retried = FALSE;

	g_return_val_if_fail(IMSS_IS_LICENSE_MANAGER(self), NULL);
	g_return_val_if_fail(profile != NULL, NULL);
	g_return_val_if_fail(error == NULL || *error == NULL, NULL);

	origin = profile->origin != NULL ? profile->origin : "Control Manager";
again:
	g_clear_pointer(&canonical, g_free);
	g_clear_pointer(&old, g_free);
	g_clear_pointer(&change, imss_store_change_free);
	if (!imss_license_manager_check_profile(self, profile, origin, caller, &slot, &expiry,
						&canonical, error))
		return NULL;
	license = self->licenses[slot];

	old = imss_date_format(imss_license_get_expiry(license));
	cmp = g_date_compare(&expiry, imss_license_get_expiry(license));
	outcome = cmp > 0 ? "extended" : cmp < 0 ? "changed" : "unchanged";
	change = imss_store_change_new();
	/* every slot holding the code: anti-spam brings email reputation along
	 * (SPEC §1), so the two never drift apart */
	for (guint i = 0; i < IMSS_SLOT_LAST; i++) {
		g_autoptr(ImssLicense) stored = NULL;
		if (g_strcmp0(imss_license_get_code(self->licenses[i]), canonical) != 0)
			continue;
		stored = imss_license_copy(self->licenses[i]);
		/* the profile is CM's word from the license server: verified */
		imss_license_confirm_expiry(stored, &expiry, imss_clock_get_time(self->clock));
		imss_store_change_add_license(change, stored);
	}
	{
		g_autofree gchar *new_expiry = imss_date_format(&expiry);
		g_autofree gchar *detail = g_strdup_printf("expiry %s -> %s", old, new_expiry);
		imss_license_manager_record_profile(self, change, origin, profile->slot,
						    imss_license_get_masked_code(license), caller, outcome, detail);
	}
	if (!imss_store_apply(self->store, change, &error_local)) {
		/* another node changed the slot since we read it: check again */
		if (imss_license_manager_stale_reload(self, error_local, &retried)) {
			g_clear_error(&error_local);
			goto again;
		}
		imss_license_manager_store_failed(error, error_local, "store the license profile");
		return NULL;
	}
	imss_license_manager_take_stored(self, change);
	for (guint i = 0; i < change->licenses->len; i++) {
		ImssLicense *stored = g_ptr_array_index(change->licenses, i);
		g_autofree gchar *new_expiry = imss_date_format(imss_license_get_expiry(stored));
		g_message("license profile from %s for %s: %s (expiry %s -> %s); nothing is restarted",
			  origin, imss_license_get_id(stored), outcome, old, new_expiry);
	}
	/* an automatic renewal: it restarts nothing (SPEC §7) */
	if (cmp != 0) {
		imss_license_manager_evaluate(self, TRUE);
		for (guint i = 0; i < change->licenses->len; i++) {
			ImssLicense *stored = g_ptr_array_index(change->licenses, i);
			imss_license_manager_emit_license_changed(
			    self, self->licenses[imss_license_get_slot(stored)], "renewed");
		}
	}
	imss_license_manager_emit_refreshed(self);
	return g_strdup(outcome);
}

/* the last deployment: (time, result) or FALSE when none */
gboolean
imss_license_manager_get_last_deployment(ImssLicenseManager *self, gint64 *time, gchar **result)
{
	g_auto(ImssCmDeployments) cm = {0};
	g_return_val_if_fail(IMSS_IS_LICENSE_MANAGER(self), FALSE);
	g_return_val_if_fail(time != NULL, FALSE);
	g_return_val_if_fail(result != NULL, FALSE);

	imss_settings_get_cm_deployments(self->store, &cm);
	if (!cm.any)
		return FALSE;
	*time = cm.last_time;
	*result = g_steal_pointer(&cm.last_result);
	return TRUE;
}
