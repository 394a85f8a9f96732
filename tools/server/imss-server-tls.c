/*
 * HTTPS for imss-license-server (see imss-server-tls.h).
 */
#include "config.h"

#define G_LOG_DOMAIN "ImssLicenseServer"

#include "imss-server-tls.h"

GTlsCertificate *
imss_server_tls_load(const gchar *cert_file, const gchar *key_file, GError **error)
{
	g_autoptr(GTlsCertificate) certificate = NULL;

	if (key_file != NULL)
		certificate = g_tls_certificate_new_from_files(cert_file, key_file, error);
	else
		certificate = g_tls_certificate_new_from_file(cert_file, error);
	if (certificate == NULL)
		return NULL;
	if (g_tls_backend_get_server_connection_type(g_tls_backend_get_default()) == G_TYPE_INVALID) {
		g_set_error_literal(error,
				    G_IO_ERROR,
				    G_IO_ERROR_NOT_SUPPORTED,
				    "no TLS backend (is glib-networking installed?)");
		return NULL;
	}
	return g_steal_pointer(&certificate);
}

GIOStream *
imss_server_tls_wrap(GIOStream *connection, GTlsCertificate *certificate, GError **error)
{
	GIOStream *tls = g_tls_server_connection_new(connection, certificate, error);

	if (tls == NULL)
		return NULL;
	/* clients (and tests) may close without a TLS close_notify */
	g_tls_connection_set_require_close_notify(G_TLS_CONNECTION(tls), FALSE);
	return tls;
}
