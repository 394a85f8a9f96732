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

ImssLicenseServer *
imss_license_server_new(ImssConfig *config);
/* Total deadline per request, in seconds (default 30). */
void
imss_license_server_set_deadline(ImssLicenseServer *self, guint seconds);
/* Asks about @code (canonical). Concurrent queries for the same code share
 * one request. Errors are G_IO_ERROR_* with English messages that never
 * quote the code or the proxy password. */
void
imss_license_server_query_async(ImssLicenseServer *self,
				const gchar *code,
				ImssEdition edition,
				GCancellable *cancellable,
				GAsyncReadyCallback callback,
				gpointer user_data);
ImssServerAnswer *
imss_license_server_query_finish(ImssLicenseServer *self, GAsyncResult *res, GError **error);
/* Requests sent so far (benchmarks and tests). */
guint
imss_license_server_get_requests(ImssLicenseServer *self);

G_END_DECLS
