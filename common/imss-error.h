/*
 * The one error domain of imss-license, registered with D-Bus as
 * org.imss.License.Error.<Name>. Shared by the daemon and the clients.
 */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

#define IMSS_ERROR (imss_error_quark())

typedef enum {
	IMSS_ERROR_INVALID_CODE,	   /* org.imss.License.Error.InvalidCode */
	IMSS_ERROR_UNKNOWN_SLOT,	   /* .UnknownSlot */
	IMSS_ERROR_SLOT_DISABLED,	   /* .SlotDisabled */
	IMSS_ERROR_CLICK_PROTECTION_BOUND, /* .ClickProtectionBound */
	IMSS_ERROR_CODE_MISMATCH,	   /* .CodeMismatch */
	IMSS_ERROR_SERVER_UNREACHABLE,	   /* .ServerUnreachable */
	IMSS_ERROR_NOT_AUTHORIZED,	   /* .NotAuthorized */
	IMSS_ERROR_NOT_SUPPORTED,	   /* .NotSupported */
	IMSS_ERROR_BUSY,		   /* .Busy */
	IMSS_ERROR_INVALID_ARGS,	   /* .InvalidArgs */
	IMSS_ERROR_INTERNAL,		   /* .Internal */
	IMSS_ERROR_INVALID_ANSWER,	   /* .InvalidServerAnswer: the server answered, wrongly */
	IMSS_ERROR_LAST
} ImssError;

GQuark
imss_error_quark(void);

/* The short D-Bus name ("InvalidCode") of @code, or NULL. */
const gchar *
imss_error_to_name(ImssError code);

/* The SPEC's message for @code in the current locale (the daemon's log and
 * D-Bus replies use the English text; clients translate with this). */
const gchar *
imss_error_to_text(ImssError code);

/* Turns a remote error back into the IMSS_ERROR domain when it is one of ours
 * (strips the "GDBus.Error:..." prefix); leaves other errors as they are. */
void
imss_error_strip_remote(GError *error);

G_END_DECLS
