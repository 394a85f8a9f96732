/*
 * The license-server client (libsoup 3, fully asynchronous): one request per
 * code at a time, a total deadline, a size cap while streaming, at most three
 * same-origin redirects, the configured proxy through an explicit resolver.
 */
#pragma once

#include <gio/gio.h>

#include "imss-config.h"
#include "imss-server-answer.h"

G_BEGIN_DECLS

#define IMSS_TYPE_LICENSE_SERVER (imss_license_server_get_type())
G_DECLARE_FINAL_TYPE(ImssLicenseServer, imss_license_server, IMSS, LICENSE_SERVER, GObject)

/* Why a query failed. The messages are English, for the journal, the
 * history and LastCheckError. */
#define IMSS_LICENSE_SERVER_ERROR (imss_license_server_error_quark())
typedef enum {
	/* no answer to the question: no connection (DNS, refused, TLS, the
	 * proxy), the deadline passed, or an HTTP error status of a server in
	 * trouble (5xx, 408, 429) or of the proxy (407) */
	IMSS_LICENSE_SERVER_ERROR_NO_ANSWER,
	/* the server (or whatever answers in its place) answered, but not with
	 * a valid answer: not the protocol, too large, about another code,
	 * impossible dates, a redirect off the allowed path, another 4xx
	 * status; the message starts with "invalid answer: " */
	IMSS_LICENSE_SERVER_ERROR_INVALID_ANSWER,
	/* no answer yet: the server is overloaded (429 or 503) and said when
	 * to ask again (Retry-After): imss_license_server_error_get_retry_after() */
	IMSS_LICENSE_SERVER_ERROR_BUSY,
} ImssLicenseServerError;

GQuark
imss_license_server_error_quark(void);
/* For IMSS_LICENSE_SERVER_ERROR_BUSY: the seconds after which the server
 * asked to be asked again; 0 for other errors. */
guint
imss_license_server_error_get_retry_after(const GError *error);

ImssLicenseServer *
imss_license_server_new(ImssConfig *config);
/* Asks about @code (canonical): one request each call (sharing a request
 * for the same code is imss-license-checker.c's). Errors are
 * IMSS_LICENSE_SERVER_ERROR_*, with messages that never quote the code or
 * the proxy password. */
void
imss_license_server_query_async(ImssLicenseServer *self,
				const gchar *code,
				ImssEdition edition,
				GCancellable *cancellable,
				GAsyncReadyCallback callback,
				gpointer user_data);
ImssServerAnswer *
imss_license_server_query_finish(ImssLicenseServer *self, GAsyncResult *res, GError **error);

G_END_DECLS
