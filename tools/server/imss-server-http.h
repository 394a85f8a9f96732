/*
 * HTTP helpers of imss-license-server: reading an untrusted body into a JSON
 * object, and the answers every handler sends (JSON, errors, 405, 413), and
 * who the peer is.
 */
#pragma once

#include <json-glib/json-glib.h>
#include <libsoup/soup.h>

G_BEGIN_DECLS

/* Watches the body of @msg as it arrives (from the early handler): past
 * IMSS_PROTOCOL_BODY_MAX it is dropped and the message marked too large. */
void
server_http_watch_body(SoupServerMessage *msg);
/* Marks @msg too large (a declared Content-Length over the limit). */
void
server_http_mark_too_large(SoupServerMessage *msg);
/* Whether the body of @msg was (or is declared) over the limit. */
gboolean
server_http_is_too_large(SoupServerMessage *msg);
/* The body of @msg; NULL with G_IO_ERROR_MESSAGE_TOO_LARGE when it is over
 * the limit. */
GBytes *
server_http_get_body(SoupServerMessage *msg, GError **error) G_GNUC_WARN_UNUSED_RESULT;

/* Parses an untrusted body into a JSON object: the common strict pre-check
 * first (common/imss-json.c), then json-glib. G_IO_ERROR_INVALID_DATA. */
JsonObject *
server_http_parse_object(GBytes *body, GError **error) G_GNUC_WARN_UNUSED_RESULT;
/* A string member: *value is NULL when the member is absent (or null and
 * @null_ok); FALSE for another type or a string that is not UTF-8. */
gboolean
server_http_get_string(JsonObject *obj,
		       const gchar *name,
		       gboolean null_ok,
		       const gchar **value,
		       GError **error);

/* @root as the JSON body, with @status. */
void
server_http_set_json(SoupServerMessage *msg, guint status, JsonNode *root);
/* {"error": @message} with @status. */
void
server_http_set_error(SoupServerMessage *msg, guint status, const gchar *message);
/* {"ok": true}, 200. */
void
server_http_set_ok(SoupServerMessage *msg);
/* 405 with Allow: @allow. */
void
server_http_set_method_not_allowed(SoupServerMessage *msg, const gchar *allow);
/* 413, and the connection closed after it (the rest of the body is not
 * read). */
void
server_http_set_too_large(SoupServerMessage *msg);

/* Whether the peer is a loopback address (also ::ffff:127.0.0.0/104). */
gboolean
server_http_peer_is_loopback(SoupServerMessage *msg);

G_END_DECLS
