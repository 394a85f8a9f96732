/*
 * The router of imss-license-server (see imss-server-router.h).
 */
#include "config.h"

#define G_LOG_DOMAIN "ImssLicenseServer"

#include "imss-protocol.h"
#include "imss-server-admin.h"
#include "imss-server-http.h"
#include "imss-server-protocol.h"
#include "imss-server-router.h"

#define SERVER_ADMIN_PREFIX "/admin/"

static gboolean
server_router_is_admin(const char *path)
{
	return g_str_has_prefix(path, SERVER_ADMIN_PREFIX) || g_strcmp0(path, "/admin") == 0;
}

/* called when the request headers are in: refuses a too large declared body
 * before it is read, and watches the others as they arrive */
static void
server_router_early_cb(SoupServer *soup G_GNUC_UNUSED,
		       SoupServerMessage *msg,
		       const char *path,
		       GHashTable *query G_GNUC_UNUSED,
		       gpointer user_data)
{
	ImssServer *server = user_data;
	SoupMessageHeaders *headers = soup_server_message_get_request_headers(msg);

	server_http_watch_body(msg);
	if (soup_message_headers_get_encoding(headers) == SOUP_ENCODING_CONTENT_LENGTH &&
	    soup_message_headers_get_content_length(headers) > IMSS_PROTOCOL_BODY_MAX) {
		server_http_mark_too_large(msg);
		/* answered at once (with "Expect: 100-continue" the body is
		 * never sent); the handler is not called */
		server_http_set_too_large(msg);
		if (!g_str_has_prefix(path, SERVER_ADMIN_PREFIX))
			server_log_add(server->log,
				       msg,
				       "",
				       SOUP_STATUS_REQUEST_ENTITY_TOO_LARGE,
				       FALSE);
	}
}

static void
server_router_handler_cb(SoupServer *soup G_GNUC_UNUSED,
			 SoupServerMessage *msg,
			 const char *path,
			 GHashTable *query,
			 gpointer user_data)
{
	ImssServer *server = user_data;

	if (server_router_is_admin(path)) {
		server_admin_handle(server, msg, path);
		return;
	}
	if (g_str_has_suffix(path, IMSS_PROTOCOL_UPDATE_PAGE)) {
		server_protocol_handle_update(server, msg);
		return;
	}
	if (g_str_has_suffix(path, IMSS_PROTOCOL_DETAILS_PAGE)) {
		server_protocol_handle_details(server, msg, query);
		return;
	}
	server_http_set_error(msg, SOUP_STATUS_NOT_FOUND, "not found");
	server_log_add(server->log, msg, "", SOUP_STATUS_NOT_FOUND, FALSE);
}

void
server_router_attach(ImssServer *server)
{
	g_return_if_fail(server != NULL && server->soup != NULL);

	soup_server_add_early_handler(server->soup, NULL, server_router_early_cb, server, NULL);
	soup_server_add_handler(server->soup, NULL, server_router_handler_cb, server, NULL);
}
