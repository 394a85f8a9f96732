#include "config.h"

#include <string.h>

#include <glib/gi18n-lib.h>

#include "imss-bus.h"
#include "imss-error.h"

static const GDBusErrorEntry imss_error_entries[] = {
    {IMSS_ERROR_INVALID_CODE, IMSS_BUS_ERROR_PREFIX "InvalidCode"},
    {IMSS_ERROR_UNKNOWN_SLOT, IMSS_BUS_ERROR_PREFIX "UnknownSlot"},
    {IMSS_ERROR_SLOT_DISABLED, IMSS_BUS_ERROR_PREFIX "SlotDisabled"},
    {IMSS_ERROR_CLICK_PROTECTION_BOUND, IMSS_BUS_ERROR_PREFIX "ClickProtectionBound"},
    {IMSS_ERROR_CODE_MISMATCH, IMSS_BUS_ERROR_PREFIX "CodeMismatch"},
    {IMSS_ERROR_SERVER_UNREACHABLE, IMSS_BUS_ERROR_PREFIX "ServerUnreachable"},
    {IMSS_ERROR_NOT_AUTHORIZED, IMSS_BUS_ERROR_PREFIX "NotAuthorized"},
    {IMSS_ERROR_NOT_SUPPORTED, IMSS_BUS_ERROR_PREFIX "NotSupported"},
    {IMSS_ERROR_BUSY, IMSS_BUS_ERROR_PREFIX "Busy"},
    {IMSS_ERROR_INVALID_ARGS, IMSS_BUS_ERROR_PREFIX "InvalidArgs"},
    {IMSS_ERROR_INTERNAL, IMSS_BUS_ERROR_PREFIX "Internal"},
    {IMSS_ERROR_INVALID_ANSWER, IMSS_BUS_ERROR_PREFIX "InvalidServerAnswer"},
};

G_STATIC_ASSERT(G_N_ELEMENTS(imss_error_entries) == IMSS_ERROR_LAST);

GQuark
imss_error_quark(void)
{
	static gsize quark = 0;
	g_dbus_error_register_error_domain("imss-error-quark",
					   &quark,
					   imss_error_entries,
					   G_N_ELEMENTS(imss_error_entries));
	return (GQuark)quark;
}

const gchar *
imss_error_to_name(ImssError code)
{
	if ((guint)code >= IMSS_ERROR_LAST)
		return NULL;
	return imss_error_entries[code].dbus_error_name + strlen(IMSS_BUS_ERROR_PREFIX);
}

const gchar *
imss_error_to_text(ImssError code)
{
	switch (code) {
	case IMSS_ERROR_INVALID_CODE:
		/* TRANSLATORS: SPEC §6, exact text */
		return _("The activation code is invalid. Check the code and try again. "
			 "If the problem persists, contact technical support.");
	case IMSS_ERROR_UNKNOWN_SLOT:
		/* TRANSLATORS: a slot id that does not exist was given */
		return _("Unknown license slot. Valid slots are cloud-prefilter, antivirus, "
			 "antispam, email-reputation, email-encryption and compliance.");
	case IMSS_ERROR_SLOT_DISABLED:
		/* TRANSLATORS: email-encryption on InterScan MSS for Linux */
		return _("This license cannot be activated on this product edition.");
	case IMSS_ERROR_CLICK_PROTECTION_BOUND:
		/* TRANSLATORS: SPEC §6, exact text */
		return _("Unable to update the activation code of the Time-of-Click "
			 "protection service.");
	case IMSS_ERROR_CODE_MISMATCH:
		/* TRANSLATORS: a Control Manager license profile carries another code */
		return _("The license profile has a different activation code than the one "
			 "registered. A license profile cannot replace the activation code; "
			 "register the new code as a new activation.");
	case IMSS_ERROR_SERVER_UNREACHABLE:
		/* TRANSLATORS: SPEC §5.2, exact text */
		return _("Unable to complete the update. Check the Internet connection and "
			 "try again. If the problem persists, contact technical support.");
	case IMSS_ERROR_NOT_AUTHORIZED:
		/* TRANSLATORS: polkit said no */
		return _("You are not authorized to change the license.");
	case IMSS_ERROR_NOT_SUPPORTED:
		/* TRANSLATORS: the daemon cannot do this (yet) */
		return _("This operation is not supported.");
	case IMSS_ERROR_BUSY:
		/* TRANSLATORS: another program (a backup, for example) holds a lock on
		 * the license database; nothing was read or changed */
		return _("The license store is locked by another program (a backup, for "
			 "example). Try again shortly.");
	case IMSS_ERROR_INVALID_ARGS:
		/* TRANSLATORS: generic bad argument */
		return _("Invalid arguments.");
	case IMSS_ERROR_INVALID_ANSWER:
		/* TRANSLATORS: the license server answered, but not with a valid
		 * license answer (garbage, an HTML page from a proxy, impossible dates) */
		return _("The license server answered, but its answer is not valid. Nothing was "
			 "changed. Check the license server URL and the proxy settings, and try "
			 "again. If the problem persists, contact technical support.");
	case IMSS_ERROR_INTERNAL:
	case IMSS_ERROR_LAST:
	default:
		/* TRANSLATORS: a storage or other internal failure; details in the log */
		return _("An internal error occurred. See the system log of imss-licensed.");
	}
}

void
imss_error_strip_remote(GError *error)
{
	if (error == NULL)
		return;
	/* make sure the domain is registered before mapping */
	(void)imss_error_quark();
	if (g_dbus_error_is_remote_error(error))
		g_dbus_error_strip_remote_error(error);
}
