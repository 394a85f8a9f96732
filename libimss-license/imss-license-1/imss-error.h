/*
 * The one error domain of imss-license: the daemon replies with these as
 * the D-Bus errors org.imss.License.Error.<Name>, and the library turns
 * them back into IMSS_ERROR, one name to one code. The daemon and the
 * library register the same table (common/imss-error.c).
 */
#pragma once

#include <glib-object.h>

G_BEGIN_DECLS

/**
 * IMSS_ERROR:
 *
 * The error domain of imss-license.
 */
#define IMSS_ERROR (imss_error_quark())

/**
 * ImssError:
 * @IMSS_ERROR_INVALID_CODE: org.imss.License.Error.InvalidCode: the activation code is invalid
 * @IMSS_ERROR_UNKNOWN_SLOT: .UnknownSlot: no such license slot
 * @IMSS_ERROR_SLOT_DISABLED: .SlotDisabled: the slot cannot be activated on this edition
 * @IMSS_ERROR_CLICK_PROTECTION_BOUND: .ClickProtectionBound: Time-of-Click protection
 *   is bound to the current anti-spam code
 * @IMSS_ERROR_CODE_MISMATCH: .CodeMismatch: a license profile for another code
 * @IMSS_ERROR_SERVER_UNREACHABLE: .ServerUnreachable: no answer from the license server
 * @IMSS_ERROR_NOT_AUTHORIZED: .NotAuthorized: polkit refused the change
 * @IMSS_ERROR_NOT_SUPPORTED: .NotSupported: the daemon cannot do this
 * @IMSS_ERROR_BUSY: .Busy: another program holds a lock on the license store
 * @IMSS_ERROR_INVALID_ARGS: .InvalidArgs: an argument is out of bounds or malformed
 * @IMSS_ERROR_INTERNAL: .Internal: the store or another internal part failed
 * @IMSS_ERROR_INVALID_ANSWER: .InvalidServerAnswer: the license server answered, wrongly
 * @IMSS_ERROR_LAST: the number of codes
 *
 * The errors of imss-licensed. Failures of the bus itself stay in their
 * own domains: a daemon that is not running is %G_DBUS_ERROR_SERVICE_UNKNOWN,
 * a call the bus policy refuses %G_DBUS_ERROR_ACCESS_DENIED.
 */
typedef enum {
	IMSS_ERROR_INVALID_CODE,
	IMSS_ERROR_UNKNOWN_SLOT,
	IMSS_ERROR_SLOT_DISABLED,
	IMSS_ERROR_CLICK_PROTECTION_BOUND,
	IMSS_ERROR_CODE_MISMATCH,
	IMSS_ERROR_SERVER_UNREACHABLE,
	IMSS_ERROR_NOT_AUTHORIZED,
	IMSS_ERROR_NOT_SUPPORTED,
	IMSS_ERROR_BUSY,
	IMSS_ERROR_INVALID_ARGS,
	IMSS_ERROR_INTERNAL,
	IMSS_ERROR_INVALID_ANSWER,
	IMSS_ERROR_LAST
} ImssError;

#define IMSS_TYPE_ERROR (imss_error_get_type())
GType
imss_error_get_type(void) G_GNUC_CONST;
GQuark
imss_error_quark(void);
const gchar *
imss_error_to_name(ImssError code);
const gchar *
imss_error_to_text(ImssError code);

G_END_DECLS
