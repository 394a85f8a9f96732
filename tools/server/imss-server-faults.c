/*
 * The faults of imss-license-server (see imss-server-faults.h).
 */
#include "config.h"

#define G_LOG_DOMAIN "ImssLicenseServer"

#include <string.h>

#include "imss-server-faults.h"

/* the size of the body of the "oversize" fault */
#define SERVER_OVERSIZE_LEN (1024 * 1024)
#define SERVER_SLOW_DELAY_DEFAULT 5.0
#define SERVER_SLOW_DELAY_MAX 3600.0
/* the busy fault: Retry-After, seconds (a week at most) */
#define SERVER_RETRY_AFTER_DEFAULT 120
#define SERVER_RETRY_AFTER_MAX (7 * 24 * 3600)
/* RFC 6585; libsoup 3.2 has no name for it */
#define SERVER_STATUS_TOO_MANY_REQUESTS 429

/* NULL-terminated, for the list in the error of a bad mode */
static const gchar *const server_fault_names[SERVER_FAULT_LAST + 1] = {
    "none",
    "error",
    "stall",
    "slow",
    "garbage",
    "oversize",
    "wrong-code",
    "redirect-loop",
    "html",
    "bad-date",
    "busy",
    NULL,
};

/* the body of the "garbage" fault: not JSON, not UTF-8, with a NUL byte */
static const gchar server_garbage[] =
    "\x89PNG\r\n\x1a\n<html> {\"protocol\": \xff\xfe\0]]} not json <<<\n";

/* the body of the "html" fault: what a captive portal or a proxy's error
 * page puts where the answer should be */
static const gchar server_portal_html[] =
    "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
    "<title>Network login</title></head>\n"
    "<body><h1>Sign in to continue</h1><form method=\"post\" action=\"/login\">"
    "<input name=\"user\"><input name=\"password\" type=\"password\"></form>"
    "</body></html>\n";

void
server_faults_clear(ServerFaults *self)
{
	self->mode = SERVER_FAULT_NONE;
	self->remaining = 0;
	self->delay = SERVER_SLOW_DELAY_DEFAULT;
	self->status = SOUP_STATUS_SERVICE_UNAVAILABLE;
	self->retry_after = SERVER_RETRY_AFTER_DEFAULT;
	self->retry_after_date = FALSE;
}

ServerFaults
server_faults_take(ServerFaults *self)
{
	ServerFaults taken = *self;

	if (self->mode != SERVER_FAULT_NONE && self->remaining > 0 && --self->remaining == 0)
		self->mode = SERVER_FAULT_NONE;
	return taken;
}

/* an optional integer member from @min to @max; @value keeps its default
 * when the member is absent or null */
static gboolean
server_faults_get_uint(JsonObject *obj,
		       const gchar *name,
		       guint min,
		       guint max,
		       guint *value,
		       GError **error)
{
	JsonNode *node = json_object_get_member(obj, name);

	if (node == NULL || JSON_NODE_HOLDS_NULL(node))
		return TRUE;
	if (!JSON_NODE_HOLDS_VALUE(node) || json_node_get_value_type(node) != G_TYPE_INT64 ||
	    json_node_get_int(node) < min || json_node_get_int(node) > max) {
		g_set_error(error,
			    G_IO_ERROR,
			    G_IO_ERROR_INVALID_DATA,
			    "“%s” must be an integer from %u to %u",
			    name,
			    min,
			    max);
		return FALSE;
	}
	*value = (guint)json_node_get_int(node);
	return TRUE;
}

/* the mode named by the string member "mode" */
static gboolean
server_faults_get_mode(JsonObject *obj, ServerFault *mode, GError **error)
{
	JsonNode *node = json_object_get_member(obj, "mode");
	const gchar *name = NULL;

	if (node != NULL && JSON_NODE_HOLDS_VALUE(node) &&
	    json_node_get_value_type(node) == G_TYPE_STRING)
		name = json_node_get_string(node);
	for (guint i = 0; name != NULL && i < SERVER_FAULT_LAST; i++) {
		if (g_strcmp0(name, server_fault_names[i]) == 0) {
			*mode = (ServerFault)i;
			return TRUE;
		}
	}
	{
		g_autofree gchar *names = g_strjoinv(", ", (gchar **)server_fault_names);
		g_set_error(error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA, "“mode” must be one of %s", names);
	}
	return FALSE;
}

gboolean
server_faults_set(ServerFaults *self, JsonObject *obj, GError **error)
{
	ServerFaults set;
	JsonNode *node;
	guint count = 0;

	server_faults_clear(&set);
	if (!server_faults_get_mode(obj, &set.mode, error))
		return FALSE;
	if (!server_faults_get_uint(obj, "count", 0, G_MAXUINT32, &count, error) ||
	    !server_faults_get_uint(obj, "retry_after", 0, SERVER_RETRY_AFTER_MAX,
				    &set.retry_after, error) ||
	    !server_faults_get_uint(obj, "status", SERVER_STATUS_TOO_MANY_REQUESTS,
				    SOUP_STATUS_SERVICE_UNAVAILABLE, &set.status, error))
		return FALSE;
	if (set.status != SERVER_STATUS_TOO_MANY_REQUESTS &&
	    set.status != SOUP_STATUS_SERVICE_UNAVAILABLE) {
		g_set_error_literal(error,
				    G_IO_ERROR,
				    G_IO_ERROR_INVALID_DATA,
				    "“status” must be 429 or 503");
		return FALSE;
	}
	node = json_object_get_member(obj, "retry_after_date");
	if (node != NULL && !JSON_NODE_HOLDS_NULL(node)) {
		if (!JSON_NODE_HOLDS_VALUE(node) || json_node_get_value_type(node) != G_TYPE_BOOLEAN) {
			g_set_error_literal(error,
					    G_IO_ERROR,
					    G_IO_ERROR_INVALID_DATA,
					    "“retry_after_date” must be true or false");
			return FALSE;
		}
		set.retry_after_date = json_node_get_boolean(node);
	}

	node = json_object_get_member(obj, "delay");
	if (node != NULL && !JSON_NODE_HOLDS_NULL(node)) {
		GType type = JSON_NODE_HOLDS_VALUE(node) ? json_node_get_value_type(node)
							 : G_TYPE_INVALID;

		if (type == G_TYPE_INT64)
			set.delay = (gdouble)json_node_get_int(node);
		else if (type == G_TYPE_DOUBLE)
			set.delay = json_node_get_double(node);
		else
			set.delay = -1;
		/* also refuses NaN */
		if (!(set.delay >= 0 && set.delay <= SERVER_SLOW_DELAY_MAX)) {
			g_set_error(error,
				    G_IO_ERROR,
				    G_IO_ERROR_INVALID_DATA,
				    "“delay” must be a number of seconds from 0 to %.0f",
				    SERVER_SLOW_DELAY_MAX);
			return FALSE;
		}
	}

	set.remaining = set.mode == SERVER_FAULT_NONE ? 0 : count;
	*self = set;
	g_info("fault mode %s, count %u", server_fault_names[set.mode], set.remaining);
	return TRUE;
}

static void
server_fault_set_oversize(SoupServerMessage *msg)
{
	static const gchar head[] = "{\"protocol\": 1, \"status\": \"valid\", \"padding\": \"";
	static const gchar tail[] = "\"}";
	gchar *data = g_malloc(SERVER_OVERSIZE_LEN);

	memcpy(data, head, strlen(head));
	memset(data + strlen(head), 'x', SERVER_OVERSIZE_LEN - strlen(head) - strlen(tail));
	memcpy(data + SERVER_OVERSIZE_LEN - strlen(tail), tail, strlen(tail));
	soup_server_message_set_response(msg,
					 "application/json",
					 SOUP_MEMORY_TAKE,
					 data,
					 SERVER_OVERSIZE_LEN);
}

void
server_fault_set_body(SoupServerMessage *msg, ServerFault fault)
{
	soup_server_message_set_status(msg, SOUP_STATUS_OK, NULL);
	switch (fault) {
	case SERVER_FAULT_OVERSIZE:
		server_fault_set_oversize(msg);
		break;
	case SERVER_FAULT_HTML:
		soup_server_message_set_response(msg,
						 "text/html; charset=utf-8",
						 SOUP_MEMORY_STATIC,
						 server_portal_html,
						 sizeof(server_portal_html) - 1);
		break;
	case SERVER_FAULT_GARBAGE:
	default:
		soup_server_message_set_response(msg,
						 "text/plain",
						 SOUP_MEMORY_STATIC,
						 server_garbage,
						 sizeof(server_garbage) - 1);
		break;
	}
}

void
server_fault_set_busy(SoupServerMessage *msg, const ServerFaults *fault)
{
	SoupMessageHeaders *headers = soup_server_message_get_response_headers(msg);
	g_autoptr(GDateTime) now = g_date_time_new_now_utc();
	g_autoptr(GDateTime) then = g_date_time_add_seconds(now, fault->retry_after);
	g_autofree gchar *date = soup_date_time_to_string(now, SOUP_DATE_HTTP);
	g_autofree gchar *retry = fault->retry_after_date
				      ? soup_date_time_to_string(then, SOUP_DATE_HTTP)
				      : g_strdup_printf("%u", fault->retry_after);

	/* the same instant in both, to the second */
	soup_message_headers_replace(headers, "Date", date);
	soup_message_headers_replace(headers, "Retry-After", retry);
	if (fault->status == SERVER_STATUS_TOO_MANY_REQUESTS)
		soup_server_message_set_status(msg, fault->status, "Too Many Requests");
}
