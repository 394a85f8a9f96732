/*
 * The one error domain of imss-license, registered with D-Bus as
 * org.imss.License.Error.<Name>. Shared by the daemon and the clients: the
 * enumeration is the public header of libimss-license-1, this adds what only
 * our own programs use.
 */
#pragma once

#include <gio/gio.h>

/* IMSS_ERROR, ImssError, imss_error_quark(), imss_error_get_type(),
 * imss_error_to_name() and imss_error_to_text(): the library's public half */
#include "imss-license-1/imss-error.h"

G_BEGIN_DECLS

/* Turns a remote error back into the IMSS_ERROR domain when it is one of ours
 * (strips the "GDBus.Error:..." prefix); leaves other errors as they are. */
void
imss_error_strip_remote(GError *error);

G_END_DECLS
