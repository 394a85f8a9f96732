#include "config.h"

#include <string.h>

#include <glib/gi18n-lib.h>

#include "imss-bus.h"
#include "imss-error.h"
#include "imss-state.h"

/* The codes with their C names and nicks (the GType, so that GObject
 * introspection sees IMSS_ERROR_INVALID_CODE as Imss.Error.INVALID_CODE) */
static const GEnumValue imss_error_values[] = {
    {IMSS_ERROR_INVALID_CODE, "IMSS_ERROR_INVALID_CODE", "invalid-code"},
    {IMSS_ERROR_UNKNOWN_SLOT, "IMSS_ERROR_UNKNOWN_SLOT", "unknown-slot"},
    {IMSS_ERROR_SLOT_DISABLED, "IMSS_ERROR_SLOT_DISABLED", "slot-disabled"},
    {IMSS_ERROR_CLICK_PROTECTION_BOUND, "IMSS_ERROR_CLICK_PROTECTION_BOUND", "click-protection-bound"},
    {IMSS_ERROR_CODE_MISMATCH, "IMSS_ERROR_CODE_MISMATCH", "code-mismatch"},
    {IMSS_ERROR_SERVER_UNREACHABLE, "IMSS_ERROR_SERVER_UNREACHABLE", "server-unreachable"},
    {IMSS_ERROR_NOT_AUTHORIZED, "IMSS_ERROR_NOT_AUTHORIZED", "not-authorized"},
    {IMSS_ERROR_NOT_SUPPORTED, "IMSS_ERROR_NOT_SUPPORTED", "not-supported"},
    {IMSS_ERROR_BUSY, "IMSS_ERROR_BUSY", "busy"},
    {IMSS_ERROR_INVALID_ARGS, "IMSS_ERROR_INVALID_ARGS", "invalid-args"},
    {IMSS_ERROR_INTERNAL, "IMSS_ERROR_INTERNAL", "internal"},
    {IMSS_ERROR_INVALID_ANSWER, "IMSS_ERROR_INVALID_ANSWER", "invalid-answer"},
    {0, NULL, NULL},
};

/* their D-Bus names: the one table of the D-Bus registration and
 * imss_error_to_name() */
static const gchar *const imss_error_dbus_names[] = {
    [IMSS_ERROR_INVALID_CODE] = IMSS_BUS_ERROR_PREFIX "InvalidCode",
    [IMSS_ERROR_UNKNOWN_SLOT] = IMSS_BUS_ERROR_PREFIX "UnknownSlot",
    [IMSS_ERROR_SLOT_DISABLED] = IMSS_BUS_ERROR_PREFIX "SlotDisabled",
    [IMSS_ERROR_CLICK_PROTECTION_BOUND] = IMSS_BUS_ERROR_PREFIX "ClickProtectionBound",
    [IMSS_ERROR_CODE_MISMATCH] = IMSS_BUS_ERROR_PREFIX "CodeMismatch",
    [IMSS_ERROR_SERVER_UNREACHABLE] = IMSS_BUS_ERROR_PREFIX "ServerUnreachable",
    [IMSS_ERROR_NOT_AUTHORIZED] = IMSS_BUS_ERROR_PREFIX "NotAuthorized",
    [IMSS_ERROR_NOT_SUPPORTED] = IMSS_BUS_ERROR_PREFIX "NotSupported",
    [IMSS_ERROR_BUSY] = IMSS_BUS_ERROR_PREFIX "Busy",
    [IMSS_ERROR_INVALID_ARGS] = IMSS_BUS_ERROR_PREFIX "InvalidArgs",
    [IMSS_ERROR_INTERNAL] = IMSS_BUS_ERROR_PREFIX "Internal",
    [IMSS_ERROR_INVALID_ANSWER] = IMSS_BUS_ERROR_PREFIX "InvalidServerAnswer",
};

G_STATIC_ASSERT(G_N_ELEMENTS(imss_error_dbus_names) == IMSS_ERROR_LAST);
G_STATIC_ASSERT(G_N_ELEMENTS(imss_error_values) == IMSS_ERROR_LAST + 1);

GType
imss_error_get_type(void)
{
	static gsize type = 0;
	if (g_once_init_enter(&type))
		g_once_init_leave(&type, imss_enum_register_once("ImssError", imss_error_values));
	return (GType)type;
}

/**
 * imss_error_quark:
 *
 * The error domain of imss-licensed: its D-Bus errors
 * (`org.imss.License.Error.*`) map one to one to #ImssError codes.
 *
 * Returns: the quark of %IMSS_ERROR
 */
GQuark
imss_error_quark(void)
{
	static gsize quark = 0;
	if (g_once_init_enter(&quark)) {
		GDBusErrorEntry entries[IMSS_ERROR_LAST];
		gsize value = 0;
		for (guint i = 0; i < IMSS_ERROR_LAST; i++) {
			entries[i].error_code = (gint)i;
			entries[i].dbus_error_name = imss_error_dbus_names[i];
		}
		g_dbus_error_register_error_domain("imss-error-quark",
						   &value,
						   entries,
						   G_N_ELEMENTS(entries));
		g_once_init_leave(&quark, value);
	}
	return (GQuark)quark;
}

/**
 * imss_error_to_name:
 * @code: an error code
 *
 * Returns: (nullable): the error's D-Bus name after
 *   `org.imss.License.Error.` ("InvalidCode", …), or %NULL for a code
 *   that does not exist
 */
const gchar *
imss_error_to_name(ImssError code)
{
	if ((guint)code >= IMSS_ERROR_LAST)
		return NULL;
	/* the name after the prefix, as before */
	return imss_error_dbus_names[code] + strlen(IMSS_BUS_ERROR_PREFIX);
}

/**
 * imss_error_to_text:
 * @code: an error code
 *
 * Returns: the sentence an operator reads for @code (SPEC's texts where it
 *   gives them), translated into the language of the process
 */
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
