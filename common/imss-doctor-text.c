#define G_LOG_DOMAIN "ImssDoctorText"

#include "config.h"

#include "imss-doctor-text.h"
#include "imss-slot.h"

static const gchar *finding_names[IMSS_FINDING_LAST] = {
    "not-activated",	 "expires",	   "restart-failed",	 "offline-code",
    "code-replaced",	 "code-unknown",   "code-suspended",	 "server-has-renewal",
    "server-not-yet",	 "server-unasked", "cm-managed",	 "cm-last-failed",
    "cm-last-ok",	 "cm-never",	   "standalone",	 "connected",
    "next-check",
};

static const gchar *action_names[IMSS_DOCTOR_ACTION_LAST] = {
    "none",	      "activate",	 "restart-services",	  "register-new-code", "check-code",
    "wait-for-server", "redeploy-profile", "activate-offline-code", "update-now",
};

ImssFinding *
imss_finding_new(ImssFindingId id, ImssSlotId slot, const gchar *a, const gchar *b, const gchar *c)
{
	ImssFinding *finding;
	g_return_val_if_fail((guint)id < IMSS_FINDING_LAST, NULL);
	finding = g_new0(ImssFinding, 1);
	finding->id = id;
	finding->slot = slot;
	finding->args[0] = g_strdup(a != NULL ? a : "");
	finding->args[1] = g_strdup(b != NULL ? b : "");
	finding->args[2] = g_strdup(c != NULL ? c : "");
	return finding;
}

void
imss_finding_free(ImssFinding *finding)
{
	if (finding == NULL)
		return;
	for (guint i = 0; i < G_N_ELEMENTS(finding->args); i++)
		g_free(finding->args[i]);
	g_free(finding);
}

const gchar *
imss_finding_id_to_string(ImssFindingId id)
{
	g_return_val_if_fail((guint)id < IMSS_FINDING_LAST, NULL);
	return finding_names[id];
}

const gchar *
imss_doctor_action_to_string(ImssDoctorAction action)
{
	g_return_val_if_fail((guint)action < IMSS_DOCTOR_ACTION_LAST, NULL);
	return action_names[action];
}


/* the findings without a parameter */
static const gchar *
imss_doctor_plain_text(const ImssCatalog *catalog, ImssFindingId id)
{
	switch (id) {
	case IMSS_FINDING_OFFLINE_CODE:
		/* TRANSLATORS: doctor finding */
		return imss_catalog_gettext(catalog, "This is an offline code: it is never checked with the license server; its expiry date is final.");
	case IMSS_FINDING_CODE_UNKNOWN:
		/* TRANSLATORS: doctor finding */
		return imss_catalog_gettext(catalog, "The license server does not know this code.");
	case IMSS_FINDING_CODE_SUSPENDED:
		/* TRANSLATORS: doctor finding */
		return imss_catalog_gettext(catalog, "The license server reports this code as suspended.");
	case IMSS_FINDING_CM_MANAGED:
		return imss_catalog_gettext(catalog, "This gateway is not connected and is managed by Control Manager, which deploys license profiles.");
	case IMSS_FINDING_CM_NEVER:
		return imss_catalog_gettext(catalog, "No license profile was ever deployed to this gateway.");
	case IMSS_FINDING_STANDALONE:
		return imss_catalog_gettext(catalog, "This gateway is not connected to the license server and not managed by Control Manager: the expiry date cannot be verified.");
	case IMSS_FINDING_CONNECTED:
		return imss_catalog_gettext(catalog, "This gateway is connected to the license server: expiry dates are updated automatically.");
	default:
		return NULL;
	}
}

gchar *
imss_doctor_render_finding(const ImssCatalog *catalog, const ImssFinding *f)
{
	const gchar *plain;
	const gchar *name;

	g_return_val_if_fail(f != NULL, NULL);
	plain = imss_doctor_plain_text(catalog, f->id);
	if (plain != NULL)
		return g_strdup(plain);
	name = (guint)f->slot < IMSS_SLOT_LAST
		   ? imss_catalog_gettext(catalog, imss_slot_display_name_untranslated(f->slot))
		   : "";
	switch (f->id) {
	case IMSS_FINDING_NOT_ACTIVATED:
		/* TRANSLATORS: doctor finding; %s license name */
		return g_strdup_printf(imss_catalog_gettext(catalog, "%s is not activated."), name);
	case IMSS_FINDING_EXPIRES:
		/* TRANSLATORS: doctor finding; %1$s license name, %2$s expiry date, %3$s masked code */
		return g_strdup_printf(imss_catalog_gettext(catalog, "%1$s expires on %2$s (code %3$s)."),
				       name, f->args[0], f->args[1]);
	case IMSS_FINDING_RESTART_FAILED:
		/* TRANSLATORS: doctor finding; %1$s a systemd unit, %2$s why (English) */
		return g_strdup_printf(imss_catalog_gettext(catalog, "The restart of %1$s after the last license change failed (%2$s): the service may still be running with the old license."),
				       f->args[0], f->args[1]);
	case IMSS_FINDING_CODE_REPLACED:
		/* TRANSLATORS: doctor finding; %s masked new code or empty */
		return g_strdup_printf(imss_catalog_gettext(catalog, "The license server says this code was replaced by a new code %s."),
				       f->args[0]);
	case IMSS_FINDING_SERVER_HAS_RENEWAL:
		/* TRANSLATORS: doctor finding; %1$s server's date, %2$s ours */
		return g_strdup_printf(imss_catalog_gettext(catalog, "The license server already has the renewal: it shows %1$s, this gateway still %2$s."),
				       f->args[0], f->args[1]);
	case IMSS_FINDING_SERVER_NOT_YET:
		/* TRANSLATORS: doctor finding; %s the server's expiry date */
		return g_strdup_printf(imss_catalog_gettext(catalog, "The license server does not have the renewal yet: it still shows %s. A renewal reaches the license server about two weeks after the purchase."),
				       f->args[0]);
	case IMSS_FINDING_SERVER_UNASKED:
		/* TRANSLATORS: doctor finding; %s why (English) */
		return g_strdup_printf(imss_catalog_gettext(catalog, "The license server could not be asked: %s."),
				       f->args[0]);
	case IMSS_FINDING_CM_LAST_FAILED:
		/* TRANSLATORS: doctor finding; %1$s time, %2$s reason (English) */
		return g_strdup_printf(imss_catalog_gettext(catalog, "The last license profile deployment (%1$s) failed: %2$s. Control Manager does not retry by itself."),
				       f->args[0], f->args[1]);
	case IMSS_FINDING_CM_LAST_OK:
		/* TRANSLATORS: doctor finding; %s time */
		return g_strdup_printf(imss_catalog_gettext(catalog, "The last license profile deployment (%s) succeeded."),
				       f->args[0]);
	case IMSS_FINDING_NEXT_CHECK:
		/* TRANSLATORS: doctor finding; %1$s date, %2$d days */
		return g_strdup_printf(imss_catalog_gettext(catalog, "The next automatic check is on %1$s, in %2$d days."),
				       f->args[0], f->number);
	default:
		return g_strdup("");
	}
}

const gchar *
imss_doctor_render_action(const ImssCatalog *catalog, ImssDoctorAction action)
{
	switch (action) {
	case IMSS_DOCTOR_ACTION_ACTIVATE:
		/* TRANSLATORS: doctor action */
		return imss_catalog_gettext(catalog, "Activate the license: imss-licensectl activate SLOT (the code is read from standard input).");
	case IMSS_DOCTOR_ACTION_RESTART_SERVICES:
		/* TRANSLATORS: doctor action (SPEC §7) */
		return imss_catalog_gettext(catalog, "Fix the service, then restart the services: imss-licensectl restart-services.");
	case IMSS_DOCTOR_ACTION_REGISTER_NEW_CODE:
		/* TRANSLATORS: doctor action (SPEC §10 Q5 (1)) */
		return imss_catalog_gettext(catalog, "Register the new activation code as a new activation (imss-licensectl activate). A renewal that changes the code is never picked up automatically.");
	case IMSS_DOCTOR_ACTION_CHECK_CODE:
		/* TRANSLATORS: doctor action */
		return imss_catalog_gettext(catalog, "Check the activation code with your reseller or technical support.");
	case IMSS_DOCTOR_ACTION_WAIT_FOR_SERVER:
		/* TRANSLATORS: doctor action (SPEC §10 Q5 (2)) */
		return imss_catalog_gettext(catalog, "Wait until the license server shows the renewal (check the license's details online), then update.");
	case IMSS_DOCTOR_ACTION_REDEPLOY_PROFILE:
		/* TRANSLATORS: doctor action (SPEC §10 Q5 (4)) */
		return imss_catalog_gettext(catalog, "Redeploy the license profile from Control Manager.");
	case IMSS_DOCTOR_ACTION_ACTIVATE_OFFLINE_CODE:
		/* TRANSLATORS: doctor action (SPEC §8 3.) */
		return imss_catalog_gettext(catalog, "Obtain an offline activation code and register it as a new activation.");
	case IMSS_DOCTOR_ACTION_UPDATE_NOW:
		/* TRANSLATORS: doctor action (SPEC §10 Q5 (5)) */
		return imss_catalog_gettext(catalog, "Run a manual update now (imss-licensectl update). Note: when the expiry changes, a manual update restarts the scan service.");
	case IMSS_DOCTOR_ACTION_NONE:
	case IMSS_DOCTOR_ACTION_LAST:
	default:
		return imss_catalog_gettext(catalog, "No action is needed.");
	}
}
