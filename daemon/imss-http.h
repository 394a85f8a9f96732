/*
 * The license server's HTTP client, a module (imss-http-soup.so, libsoup 3)
 * opened on the first request (imss-module.h), so that the daemon links no
 * libsoup (docs/lean.md). The protocol stays in imss-license-server.c: the
 * module sends one POST, without following redirects, and hands back the
 * status, the few headers the protocol reads and the body's stream.
 */
#pragma once

#include <gio/gio.h>

#include "imss-module.h"

G_BEGIN_DECLS

#define IMSS_HTTP_MODULE "imss-http-soup"
#define IMSS_HTTP_ABI	 1

typedef struct {
	const gchar *user_agent;
	guint timeout; /* seconds, per I/O operation */
	/* http://HOST:PORT; NULL: direct (never the environment's proxy) */
	const gchar *proxy_uri;
	/* the Proxy-Authorization value put on the CONNECT that opens an
	 * https:// tunnel through the proxy, or NULL */
	const gchar *proxy_authorization;
	GTlsDatabase *tls_database; /* NULL: the system's CAs */
} ImssHttpOptions;

typedef struct {
	guint status;
	gchar *location; /* the headers, NULL when absent */
	gchar *retry_after;
	gchar *date;
	goffset content_length; /* 0 when not given */
	GInputStream *body;
} ImssHttpResponse;

static inline void
imss_http_response_free(ImssHttpResponse *response)
{
	g_free(response->location);
	g_free(response->retry_after);
	g_free(response->date);
	g_clear_object(&response->body);
	g_free(response);
}
G_DEFINE_AUTOPTR_CLEANUP_FUNC(ImssHttpResponse, imss_http_response_free)

typedef struct {
	ImssModuleHeader header; /* IMSS_HTTP_ABI */
	/* a session (a GObject: unref it) for requests with @options; the
	 * options are copied */
	GObject *(*session_new)(const ImssHttpOptions *options);
	/* POSTs @body (@content_type) to @uri, asking for @accept; no redirect
	 * is followed; @proxy_authorization (or NULL) goes on the request */
	void (*post_async)(GObject *session,
			   GUri *uri,
			   GBytes *body,
			   const gchar *content_type,
			   const gchar *accept,
			   const gchar *proxy_authorization,
			   GCancellable *cancellable,
			   GAsyncReadyCallback callback,
			   gpointer user_data);
	/* the response, or NULL with @error when there was none (the
	 * connection, TLS, the proxy, cancelled) */
	ImssHttpResponse *(*post_finish)(GObject *session, GAsyncResult *res, GError **error);
	/* an HTTP date (RFC 9110 5.6.7), or NULL */
	GDateTime *(*parse_date)(const gchar *value);
} ImssHttpModule;

G_END_DECLS
