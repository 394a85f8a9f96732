/*
 * HTTP helpers of imss-license-server (see imss-server-http.h).
 */
#include "config.h"

#define G_LOG_DOMAIN "ImssLicenseServer"

#include <string.h>

#include "imss-json.h"
#include "imss-protocol.h"
#include "imss-server-http.h"

#define SERVER_HTTP_TOO_LARGE "imss-too-large"
#define SERVER_HTTP_BODY_SIZE "imss-body-size"
#define SERVER_HTTP_TOO_LARGE_TEXT "the request body exceeds 64 KiB"

G_STATIC_ASSERT(IMSS_PROTOCOL_BODY_MAX == 64 * 1024); /* the texts say so */

void
server_http_mark_too_large(SoupServerMessage *msg)
{
	g_return_if_fail(SOUP_IS_SERVER_MESSAGE(msg));

	if (server_http_is_too_large(msg))
		return;
	g_object_set_data(G_OBJECT(msg), SERVER_HTTP_TOO_LARGE, GINT_TO_POINTER(1));
	soup_message_body_set_accumulate(soup_server_message_get_request_body(msg), FALSE);
}

gboolean
server_http_is_too_large(SoupServerMessage *msg)
{
	g_return_val_if_fail(SOUP_IS_SERVER_MESSAGE(msg), FALSE);

	return g_object_get_data(G_OBJECT(msg), SERVER_HTTP_TOO_LARGE) != NULL;
}

/* counts the body as it arrives; past the limit it is dropped, not stored */
static void
server_http_got_chunk_cb(SoupServerMessage *msg, GBytes *chunk, gpointer user_data G_GNUC_UNUSED)
{
	SoupMessageBody *body = soup_server_message_get_request_body(msg);
	gsize total = GPOINTER_TO_SIZE(g_object_get_data(G_OBJECT(msg), SERVER_HTTP_BODY_SIZE));

	total += g_bytes_get_size(chunk);
	if (total > IMSS_PROTOCOL_BODY_MAX) {
		total = IMSS_PROTOCOL_BODY_MAX + 1;
		server_http_mark_too_large(msg);
		soup_message_body_truncate(body);
	}
	g_object_set_data(G_OBJECT(msg), SERVER_HTTP_BODY_SIZE, GSIZE_TO_POINTER(total));
}

void
server_http_watch_body(SoupServerMessage *msg)
{
	g_return_if_fail(SOUP_IS_SERVER_MESSAGE(msg));

	g_signal_connect(msg, "got-chunk", G_CALLBACK(server_http_got_chunk_cb), NULL);
}

GBytes *
server_http_get_body(SoupServerMessage *msg, GError **error)
{
	g_autoptr(GBytes) body = NULL;

	g_return_val_if_fail(SOUP_IS_SERVER_MESSAGE(msg), NULL);
	g_return_val_if_fail(error == NULL || *error == NULL, NULL);

	if (!server_http_is_too_large(msg))
		body = soup_message_body_flatten(soup_server_message_get_request_body(msg));
	if (body == NULL || g_bytes_get_size(body) > IMSS_PROTOCOL_BODY_MAX) {
		g_set_error_literal(error,
				    G_IO_ERROR,
				    G_IO_ERROR_MESSAGE_TOO_LARGE,
				    SERVER_HTTP_TOO_LARGE_TEXT);
		return NULL;
	}
	return g_steal_pointer(&body);
}

JsonObject *
server_http_parse_object(GBytes *body, GError **error)
{
	g_autoptr(JsonParser) parser = NULL;
	gsize len = 0;
	const gchar *data;
	JsonNode *root;

	g_return_val_if_fail(body != NULL, NULL);
	g_return_val_if_fail(error == NULL || *error == NULL, NULL);

	data = g_bytes_get_data(body, &len);
	if (!imss_json_precheck(data, len, error)) {
		g_prefix_error(error, "the body: ");
		return NULL;
	}
	parser = json_parser_new_immutable();
	if (!json_parser_load_from_data(parser, data, (gssize)len, NULL)) {
		g_set_error_literal(error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA, "malformed JSON");
		return NULL;
	}
	root = json_parser_get_root(parser);
	if (root == NULL || !JSON_NODE_HOLDS_OBJECT(root)) {
		g_set_error_literal(error,
				    G_IO_ERROR,
				    G_IO_ERROR_INVALID_DATA,
				    "the body is not a JSON object");
		return NULL;
	}
	return json_object_ref(json_node_get_object(root));
}

gboolean
server_http_get_string(JsonObject *obj,
		       const gchar *name,
		       gboolean null_ok,
		       const gchar **value,
		       GError **error)
{
	JsonNode *node;

	g_return_val_if_fail(obj != NULL && name != NULL && value != NULL, FALSE);

	node = json_object_get_member(obj, name);
	*value = NULL;
	if (node == NULL)
		return TRUE;
	if (null_ok && JSON_NODE_HOLDS_NULL(node))
		return TRUE;
	if (!JSON_NODE_HOLDS_VALUE(node) || json_node_get_value_type(node) != G_TYPE_STRING) {
		g_set_error(error,
			    G_IO_ERROR,
			    G_IO_ERROR_INVALID_DATA,
			    "“%s” must be a string",
			    name);
		return FALSE;
	}
	*value = json_node_get_string(node);
	if (!g_utf8_validate(*value, -1, NULL)) {
		*value = NULL;
		g_set_error(error,
			    G_IO_ERROR,
			    G_IO_ERROR_INVALID_DATA,
			    "“%s” is not valid UTF-8",
			    name);
		return FALSE;
	}
	return TRUE;
}

void
server_http_set_json(SoupServerMessage *msg, guint status, JsonNode *root)
{
	g_autoptr(JsonGenerator) gen = json_generator_new();
	gchar *data;
	gsize len = 0;

	g_return_if_fail(SOUP_IS_SERVER_MESSAGE(msg));
	g_return_if_fail(root != NULL);

	json_generator_set_root(gen, root);
	data = json_generator_to_data(gen, &len);
	soup_server_message_set_status(msg, status, NULL);
	soup_server_message_set_response(msg, "application/json", SOUP_MEMORY_TAKE, data, len);
}

/* {"@name": @value}, with @status */
static void
server_http_set_member(SoupServerMessage *msg, guint status, const gchar *name, JsonNode *value)
{
	g_autoptr(JsonBuilder) builder = json_builder_new();
	g_autoptr(JsonNode) root = NULL;

	json_builder_begin_object(builder);
	json_builder_set_member_name(builder, name);
	json_builder_add_value(builder, value);
	json_builder_end_object(builder);
	root = json_builder_get_root(builder);
	server_http_set_json(msg, status, root);
}

void
server_http_set_error(SoupServerMessage *msg, guint status, const gchar *message)
{
	JsonNode *value = json_node_new(JSON_NODE_VALUE);

	g_return_if_fail(message != NULL);

	json_node_set_string(value, message);
	server_http_set_member(msg, status, "error", value);
}

void
server_http_set_ok(SoupServerMessage *msg)
{
	JsonNode *value = json_node_new(JSON_NODE_VALUE);

	json_node_set_boolean(value, TRUE);
	server_http_set_member(msg, SOUP_STATUS_OK, "ok", value);
}

void
server_http_set_method_not_allowed(SoupServerMessage *msg, const gchar *allow)
{
	g_return_if_fail(SOUP_IS_SERVER_MESSAGE(msg));
	g_return_if_fail(allow != NULL);

	soup_message_headers_replace(soup_server_message_get_response_headers(msg),
				     "Allow",
				     allow);
	server_http_set_error(msg, SOUP_STATUS_METHOD_NOT_ALLOWED, "method not allowed");
}

void
server_http_set_too_large(SoupServerMessage *msg)
{
	g_return_if_fail(SOUP_IS_SERVER_MESSAGE(msg));

	soup_message_headers_replace(soup_server_message_get_response_headers(msg),
				     "Connection",
				     "close");
	server_http_set_error(msg, SOUP_STATUS_REQUEST_ENTITY_TOO_LARGE, SERVER_HTTP_TOO_LARGE_TEXT);
}

gboolean
server_http_peer_is_loopback(SoupServerMessage *msg)
{
	static const guint8 v4_mapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
	GSocketAddress *addr;
	GInetAddress *inet;
	const guint8 *bytes;

	g_return_val_if_fail(SOUP_IS_SERVER_MESSAGE(msg), FALSE);

	addr = soup_server_message_get_remote_address(msg);
	if (addr == NULL || !G_IS_INET_SOCKET_ADDRESS(addr))
		return FALSE;
	inet = g_inet_socket_address_get_address(G_INET_SOCKET_ADDRESS(addr));
	if (g_inet_address_get_is_loopback(inet))
		return TRUE;
	if (g_inet_address_get_family(inet) != G_SOCKET_FAMILY_IPV6)
		return FALSE;
	bytes = g_inet_address_to_bytes(inet);
	return memcmp(bytes, v4_mapped, sizeof(v4_mapped)) == 0 && bytes[12] == 127;
}
