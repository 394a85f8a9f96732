/*
 * The module imss-http-soup.so: the license server's HTTP client over
 * libsoup 3 (imss-http.h).
 */
#define G_LOG_DOMAIN "ImssHttpSoup"

#include "config.h"

#include <libsoup/soup.h>
#include <string.h>

#include "imss-http.h"

/* the Proxy-Authorization of the CONNECTs, wiped when the session goes */
#define IMSS_HTTP_PROXY_AUTH_KEY "imss-proxy-authorization"

static void
imss_http_wipe_free(gpointer data)
{
	gchar *value = data;
	memset(value, 0, strlen(value));
	g_free(value);
}

/* libsoup opens an https:// tunnel with a CONNECT of its own: the one
 * message that carries the proxy's credentials for https */
static void
imss_http_request_queued_cb(SoupSession *session, SoupMessage *msg, gpointer user_data)
{
	const gchar *value = g_object_get_data(G_OBJECT(session), IMSS_HTTP_PROXY_AUTH_KEY);
	if (value != NULL && soup_message_get_method(msg) == SOUP_METHOD_CONNECT)
		soup_message_headers_replace(soup_message_get_request_headers(msg),
					     "Proxy-Authorization",
					     value);
}

static GObject *
imss_http_session_new(const ImssHttpOptions *options)
{
	/* never the environment's proxy (http_proxy, GSettings): an explicit
	 * resolver given at construction (so that the default resolver, and
	 * dconf with it, is never loaded); without a default proxy a simple
	 * resolver answers direct:// */
	g_autoptr(GProxyResolver) resolver = g_simple_proxy_resolver_new(options->proxy_uri, NULL);
	SoupSession *session = soup_session_new_with_options("user-agent",
							     options->user_agent,
							     "timeout",
							     options->timeout,
							     "proxy-resolver",
							     resolver,
							     NULL);
	if (options->tls_database != NULL)
		soup_session_set_tls_database(session, options->tls_database);
	if (options->proxy_authorization != NULL)
		g_object_set_data_full(G_OBJECT(session),
				       IMSS_HTTP_PROXY_AUTH_KEY,
				       g_strdup(options->proxy_authorization),
				       imss_http_wipe_free);
	g_signal_connect(session, "request-queued", G_CALLBACK(imss_http_request_queued_cb), NULL);
	return G_OBJECT(session);
}

static void
imss_http_send_cb(GObject *source, GAsyncResult *res, gpointer user_data)
{
	g_autoptr(GTask) task = user_data;
	SoupMessage *msg = g_task_get_task_data(task);
	SoupMessageHeaders *headers;
	g_autoptr(GError) error = NULL;
	g_autoptr(GInputStream) stream = soup_session_send_finish(SOUP_SESSION(source), res, &error);
	ImssHttpResponse *response;

	if (stream == NULL) {
		g_task_return_error(task, g_steal_pointer(&error));
		return;
	}
	headers = soup_message_get_response_headers(msg);
	response = g_new0(ImssHttpResponse, 1);
	response->status = soup_message_get_status(msg);
	response->location = g_strdup(soup_message_headers_get_one(headers, "Location"));
	response->retry_after = g_strdup(soup_message_headers_get_one(headers, "Retry-After"));
	response->date = g_strdup(soup_message_headers_get_one(headers, "Date"));
	response->content_length = soup_message_headers_get_content_length(headers);
	response->body = g_steal_pointer(&stream);
	g_task_return_pointer(task, response, (GDestroyNotify)imss_http_response_free);
}

static void
imss_http_post_async(GObject *session,
		     GUri *uri,
		     GBytes *body,
		     const gchar *content_type,
		     const gchar *accept,
		     const gchar *proxy_authorization,
		     GCancellable *cancellable,
		     GAsyncReadyCallback callback,
		     gpointer user_data)
{
	GTask *task = g_task_new(session, cancellable, callback, user_data);
	SoupMessage *msg = soup_message_new_from_uri(SOUP_METHOD_POST, uri);
	SoupMessageHeaders *headers = soup_message_get_request_headers(msg);

	g_task_set_task_data(task, msg, g_object_unref);
	soup_message_set_flags(msg, SOUP_MESSAGE_NO_REDIRECT);
	soup_message_headers_replace(headers, "Accept", accept);
	soup_message_set_request_body_from_bytes(msg, content_type, body);
	if (proxy_authorization != NULL)
		soup_message_headers_replace(headers, "Proxy-Authorization", proxy_authorization);
	soup_session_send_async(SOUP_SESSION(session), msg, G_PRIORITY_DEFAULT, cancellable,
				imss_http_send_cb, task);
}

static ImssHttpResponse *
imss_http_post_finish(GObject *session, GAsyncResult *res, GError **error)
{
	g_return_val_if_fail(g_task_is_valid(res, session), NULL);
	return g_task_propagate_pointer(G_TASK(res), error);
}

static GDateTime *
imss_http_parse_date(const gchar *value)
{
	return soup_date_time_new_from_http_string(value);
}

static const ImssHttpModule imss_http_soup = {
    .header = {IMSS_HTTP_ABI},
    .session_new = imss_http_session_new,
    .post_async = imss_http_post_async,
    .post_finish = imss_http_post_finish,
    .parse_date = imss_http_parse_date,
};

const ImssModuleHeader *
imss_module_get(void)
{
	return &imss_http_soup.header;
}
