/*
 * imss-license-server: a simulator of the vendor's license server, speaking
 * this project's license-server protocol (docs/license-server-protocol.md)
 * over HTTP with libsoup 3, plus a loopback-only JSON admin interface under
 * /admin/ that tests, demos and labs use to script renewals, replacements,
 * suspensions and faults (docs/imss-license-server.1).
 *
 * Everything a client sends is untrusted: bodies are capped at 64 KiB before
 * they are parsed, JSON is pre-checked by the strict lexer every program uses
 * (common/imss-json.c: nesting depth, escapes) before json-glib sees it, and
 * activation codes are only ever printed, logged or shown masked.
 */
#include "config.h"

#define G_LOG_DOMAIN "ImssLicenseServer"

#include <gio/gio.h>
#include <glib-unix.h>
#include <json-glib/json-glib.h>
#include <libsoup/soup.h>
#include <locale.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "imss-code.h"
#include "imss-date.h"
#include "imss-json.h"
#include "imss-protocol.h"
#include "imss-server-faults.h"
#include "imss-server-tls.h"
#include "imss-slot.h"

/* the log keeps the newest entries only */
#define SERVER_LOG_MAX 10000
/* codes remembered from protocol requests (admin requests always count) */
#define SERVER_CODES_MAX 65536
/* how long shutdown waits for released answers to be written */
#define SERVER_SHUTDOWN_GRACE_MS 2000

/* what the admin interface made of a code; a code without a state (or in
 * CODE_STATUS_VALID without renewals) is answered from the code itself */
typedef enum {
	CODE_STATUS_VALID,
	CODE_STATUS_REPLACED,
	CODE_STATUS_SUSPENDED,
} CodeStatus;

typedef struct {
	GDate expiry;
	gboolean has_effective;
	GDate effective; /* valid when has_effective */
	GDate posted;	 /* the server date of the admin request, for ordering */
	guint seq;	 /* the order of the admin requests */
} Renewal;

typedef struct {
	gchar *code; /* canonical; the key of ImssServer.codes */
	gchar *id;   /* the details-page id */
	ImssCodeInfo info;
	CodeStatus status;
	gchar *replaced_by; /* canonical, when CODE_STATUS_REPLACED */
	GArray *renewals;   /* of Renewal */
} CodeState;

typedef struct {
	gchar *time;
	gchar *path;
	gchar *code; /* masked, "" when the request had none */
	guint status;
	gboolean stalled;
	gboolean proxy_authorization; /* the request carried Proxy-Authorization */
} LogEntry;

typedef struct _ImssServer ImssServer;

/* a protocol request whose answer is held back (stall and slow faults) */
typedef struct {
	ImssServer *server;
	SoupServerMessage *msg;
	guint timeout_id; /* slow: the delayed answer */
	gboolean stalled;
	gboolean released; /* unpaused, waiting for libsoup to finish it */
} PendingMessage;

struct _ImssServer {
	GMainLoop *loop;
	SoupServer *soup;
	GSocketService *service; /* accepts the connections handed to soup */
	GTlsCertificate *tls_certificate; /* --tls-cert: HTTPS, else HTTP */
	gboolean verbose;

	gboolean has_today_option; /* --today */
	GDate today_option;
	gboolean has_today; /* the date in use, if not the real one */
	GDate today;

	GHashTable *codes; /* canonical code → CodeState */
	GHashTable *ids;   /* details id → CodeState (borrowed) */
	guint renewal_seq;

	ServerFaults faults; /* what /admin/fault set */

	GPtrArray *log;	    /* of LogEntry */
	GPtrArray *pending; /* of PendingMessage */
};

static const gchar server_not_found_html[] =
    "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
    "<title>License not found</title></head>\n"
    "<body><h1>License not found</h1></body></html>\n";

/* ---- small helpers ------------------------------------------------------- */

static gchar *
server_now_iso8601(void)
{
	g_autoptr(GDateTime) now = g_date_time_new_now_utc();

	return g_date_time_format(now, "%Y-%m-%dT%H:%M:%SZ");
}

/* parses an untrusted body into a JSON object */
static JsonObject *
server_parse_json_object(GBytes *body, GError **error)
{
	g_autoptr(JsonParser) parser = NULL;
	gsize len = 0;
	const gchar *data = g_bytes_get_data(body, &len);
	JsonNode *root;

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

/* a string member: *value is NULL when the member is absent (or null and
 * @null_ok); FALSE for another type or a string that is not UTF-8 */
static gboolean
server_get_string(JsonObject *obj,
		  const gchar *name,
		  gboolean null_ok,
		  const gchar **value,
		  GError **error)
{
	JsonNode *node = json_object_get_member(obj, name);

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

static void
server_set_json(SoupServerMessage *msg, guint status, JsonNode *root)
{
	g_autoptr(JsonGenerator) gen = json_generator_new();
	gchar *data;
	gsize len = 0;

	json_generator_set_root(gen, root);
	data = json_generator_to_data(gen, &len);
	soup_server_message_set_status(msg, status, NULL);
	soup_server_message_set_response(msg, "application/json", SOUP_MEMORY_TAKE, data, len);
}

static void
server_set_error(SoupServerMessage *msg, guint status, const gchar *message)
{
	g_autoptr(JsonBuilder) builder = json_builder_new();
	g_autoptr(JsonNode) root = NULL;

	json_builder_begin_object(builder);
	json_builder_set_member_name(builder, "error");
	json_builder_add_string_value(builder, message);
	json_builder_end_object(builder);
	root = json_builder_get_root(builder);
	server_set_json(msg, status, root);
}

static void
server_set_ok(SoupServerMessage *msg)
{
	g_autoptr(JsonBuilder) builder = json_builder_new();
	g_autoptr(JsonNode) root = NULL;

	json_builder_begin_object(builder);
	json_builder_set_member_name(builder, "ok");
	json_builder_add_boolean_value(builder, TRUE);
	json_builder_end_object(builder);
	root = json_builder_get_root(builder);
	server_set_json(msg, SOUP_STATUS_OK, root);
}

static void
server_set_method_not_allowed(SoupServerMessage *msg, const gchar *allow)
{
	soup_message_headers_replace(soup_server_message_get_response_headers(msg),
				     "Allow",
				     allow);
	server_set_error(msg, SOUP_STATUS_METHOD_NOT_ALLOWED, "method not allowed");
}

/* whether the peer is a loopback address (also ::ffff:127.0.0.0/104) */
static gboolean
server_peer_is_loopback(SoupServerMessage *msg)
{
	static const guint8 v4_mapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
	GSocketAddress *addr = soup_server_message_get_remote_address(msg);
	GInetAddress *inet;
	const guint8 *bytes;

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

/* ---- state --------------------------------------------------------------- */

static void
code_state_free(CodeState *state)
{
	g_free(state->code);
	g_free(state->id);
	g_free(state->replaced_by);
	g_array_unref(state->renewals);
	g_free(state);
}

static void
log_entry_free(LogEntry *entry)
{
	g_free(entry->time);
	g_free(entry->path);
	g_free(entry->code);
	g_free(entry);
}

static void
pending_message_free(PendingMessage *pending)
{
	g_signal_handlers_disconnect_by_data(pending->msg, pending);
	g_clear_handle_id(&pending->timeout_id, g_source_remove);
	g_object_unref(pending->msg);
	g_free(pending);
}

static void
server_get_today(ImssServer *self, GDate *today)
{
	if (self->has_today) {
		*today = self->today;
		return;
	}
	g_date_clear(today, 1);
	g_date_set_time_t(today, time(NULL));
}

/* the server's time: its date (possibly set by --today or /admin/today) and
 * the real UTC time of day */
static gchar *
server_time_string(ImssServer *self)
{
	g_autoptr(GDateTime) now = g_date_time_new_now_utc();
	g_autofree gchar *date = NULL;
	GDate today;

	if (!self->has_today)
		return g_date_time_format(now, "%Y-%m-%dT%H:%M:%SZ");
	server_get_today(self, &today);
	date = imss_date_format(&today);
	return g_strdup_printf("%sT%02d:%02d:%02dZ",
			       date,
			       g_date_time_get_hour(now),
			       g_date_time_get_minute(now),
			       g_date_time_get_second(now));
}

/* the state of a valid canonical code, created if needed; NULL when @create is
 * FALSE and there is none, or the table is full and @always is FALSE */
static CodeState *
server_code_state(ImssServer *self,
		  const gchar *canonical,
		  const ImssCodeInfo *info,
		  gboolean create,
		  gboolean always)
{
	CodeState *state = g_hash_table_lookup(self->codes, canonical);

	if (state != NULL || !create)
		return state;
	if (!always && g_hash_table_size(self->codes) >= SERVER_CODES_MAX)
		return NULL;
	state = g_new0(CodeState, 1);
	state->code = g_strdup(canonical);
	state->id = imss_protocol_details_id(canonical);
	state->info = *info;
	state->status = CODE_STATUS_VALID;
	state->renewals = g_array_new(FALSE, FALSE, sizeof(Renewal));
	g_hash_table_insert(self->codes, state->code, state);
	g_hash_table_insert(self->ids, g_strdup(state->id), state);
	return state;
}

/* the answer about a valid code of the right edition: status, and the expiry
 * for "valid" */
static ImssServerStatus
server_code_view(ImssServer *self,
		 const gchar *canonical,
		 const ImssCodeInfo *info,
		 GDate *expiry,
		 const gchar **replaced_by)
{
	CodeState *state = g_hash_table_lookup(self->codes, canonical);
	const Renewal *best = NULL;
	GDate today;

	*replaced_by = NULL;
	*expiry = info->expiry;
	if (state == NULL)
		return IMSS_SERVER_STATUS_VALID;
	if (state->status == CODE_STATUS_SUSPENDED)
		return IMSS_SERVER_STATUS_SUSPENDED;
	if (state->status == CODE_STATUS_REPLACED) {
		*replaced_by = state->replaced_by;
		return IMSS_SERVER_STATUS_REPLACED;
	}

	/* of the renewals in effect on the server date, the latest effective
	 * wins (one without an effective date counts from the day it was
	 * posted); on the same date the one posted last */
	server_get_today(self, &today);
	for (guint i = 0; i < state->renewals->len; i++) {
		const Renewal *r = &g_array_index(state->renewals, Renewal, i);
		const GDate *from = r->has_effective ? &r->effective : &r->posted;
		const GDate *best_from;

		if (r->has_effective && g_date_compare(&today, &r->effective) < 0)
			continue;
		if (best == NULL) {
			best = r;
			continue;
		}
		best_from = best->has_effective ? &best->effective : &best->posted;
		if (g_date_compare(from, best_from) > 0 ||
		    (g_date_compare(from, best_from) == 0 && r->seq > best->seq))
			best = r;
	}
	if (best != NULL)
		*expiry = best->expiry;
	return IMSS_SERVER_STATUS_VALID;
}

static void
server_log(ImssServer *self,
	   SoupServerMessage *msg,
	   const gchar *masked,
	   guint status,
	   gboolean stalled)
{
	LogEntry *entry = g_new0(LogEntry, 1);
	GUri *uri = soup_server_message_get_uri(msg);

	entry->time = server_now_iso8601();
	entry->path = g_strdup(uri != NULL ? g_uri_get_path(uri) : "");
	entry->code = g_strdup(masked != NULL ? masked : "");
	entry->status = status;
	entry->stalled = stalled;
	entry->proxy_authorization =
	    soup_message_headers_get_one(soup_server_message_get_request_headers(msg),
					 "Proxy-Authorization") != NULL;
	if (self->log->len >= SERVER_LOG_MAX)
		g_ptr_array_remove_index(self->log, 0);
	g_ptr_array_add(self->log, entry);

	if (stalled) {
		g_info("%s %s code “%s”: stalled",
		       soup_server_message_get_method(msg),
		       entry->path,
		       entry->code);
	} else {
		g_info("%s %s code “%s”: %u",
		       soup_server_message_get_method(msg),
		       entry->path,
		       entry->code,
		       status);
	}
}

/* ---- held-back answers (stall and slow) ---------------------------------- */

static void
server_pending_remove(PendingMessage *pending)
{
	/* frees @pending */
	g_ptr_array_remove(pending->server->pending, pending);
}

static void
server_pending_finished_cb(SoupServerMessage *msg G_GNUC_UNUSED, gpointer user_data)
{
	server_pending_remove(user_data);
}

static void
server_pending_release(PendingMessage *pending)
{
	if (pending->released)
		return;
	g_clear_handle_id(&pending->timeout_id, g_source_remove);
	if (pending->stalled) {
		soup_message_headers_replace(
		    soup_server_message_get_response_headers(pending->msg),
		    "Connection",
		    "close");
		server_set_error(pending->msg,
				 SOUP_STATUS_SERVICE_UNAVAILABLE,
				 "stalled request released");
	}
	pending->released = TRUE;
	soup_server_message_unpause(pending->msg);
}

static gboolean
server_pending_timeout_cb(gpointer user_data)
{
	PendingMessage *pending = user_data;

	pending->timeout_id = 0;
	server_pending_release(pending);
	return G_SOURCE_REMOVE;
}

/* holds back the answer of @msg: for ever (@stalled) or for @delay seconds */
static void
server_pending_add(ImssServer *self, SoupServerMessage *msg, gboolean stalled, gdouble delay)
{
	PendingMessage *pending = g_new0(PendingMessage, 1);

	pending->server = self;
	pending->msg = g_object_ref(msg);
	pending->stalled = stalled;
	g_signal_connect(msg, "finished", G_CALLBACK(server_pending_finished_cb), pending);
	g_signal_connect(msg, "disconnected", G_CALLBACK(server_pending_finished_cb), pending);
	if (!stalled) {
		pending->timeout_id = g_timeout_add((guint)(delay * 1000.0),
						    server_pending_timeout_cb,
						    pending);
	}
	g_ptr_array_add(self->pending, pending);
	soup_server_message_pause(msg);
}

/* releases every stalled request (with a 503); @all also answers the slow ones
 * at once */
static void
server_release_pending(ImssServer *self, gboolean all)
{
	/* releasing never frees: libsoup finishes the message later */
	for (guint i = 0; i < self->pending->len; i++) {
		PendingMessage *pending = g_ptr_array_index(self->pending, i);

		if (all || pending->stalled)
			server_pending_release(pending);
	}
}

/* ---- the protocol -------------------------------------------------------- */

typedef struct {
	gchar *code; /* as given (UTF-8), NULL when absent */
	ImssEdition edition;
} UpdateRequest;

static void
update_request_clear(UpdateRequest *req)
{
	g_free(req->code);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC(UpdateRequest, update_request_clear)

/* Parses a license_update request into @req; returns the HTTP status (200 or
 * an error status, with @error set). req->code is filled as soon as a string
 * code was found, for the log, even when another field is wrong. */
static guint
server_parse_update(SoupServerMessage *msg, UpdateRequest *req, GError **error)
{
	g_autoptr(JsonObject) obj = NULL;
	g_autoptr(GBytes) body = NULL;
	const gchar *code = NULL;
	const gchar *product = NULL;
	JsonNode *protocol;

	if (g_strcmp0(soup_server_message_get_method(msg), SOUP_METHOD_POST) != 0) {
		g_set_error_literal(error,
				    G_IO_ERROR,
				    G_IO_ERROR_NOT_SUPPORTED,
				    "method not allowed");
		return SOUP_STATUS_METHOD_NOT_ALLOWED;
	}
	if (g_object_get_data(G_OBJECT(msg), "imss-too-large") != NULL) {
		g_set_error_literal(error,
				    G_IO_ERROR,
				    G_IO_ERROR_MESSAGE_TOO_LARGE,
				    "the request body exceeds 64 KiB");
		return SOUP_STATUS_REQUEST_ENTITY_TOO_LARGE;
	}
	body = soup_message_body_flatten(soup_server_message_get_request_body(msg));
	if (g_bytes_get_size(body) > IMSS_PROTOCOL_BODY_MAX) {
		g_set_error_literal(error,
				    G_IO_ERROR,
				    G_IO_ERROR_MESSAGE_TOO_LARGE,
				    "the request body exceeds 64 KiB");
		return SOUP_STATUS_REQUEST_ENTITY_TOO_LARGE;
	}
	obj = server_parse_json_object(body, error);
	if (obj == NULL)
		return SOUP_STATUS_BAD_REQUEST;

	if (!server_get_string(obj, IMSS_PROTOCOL_MEMBER_CODE, FALSE, &code, error))
		return SOUP_STATUS_BAD_REQUEST;
	if (code == NULL) {
		g_set_error_literal(error,
				    G_IO_ERROR,
				    G_IO_ERROR_INVALID_DATA,
				    "“code” is missing");
		return SOUP_STATUS_BAD_REQUEST;
	}
	req->code = g_strdup(code);

	protocol = json_object_get_member(obj, IMSS_PROTOCOL_MEMBER_PROTOCOL);
	if (protocol == NULL || !JSON_NODE_HOLDS_VALUE(protocol) ||
	    json_node_get_value_type(protocol) != G_TYPE_INT64 ||
	    json_node_get_int(protocol) != IMSS_PROTOCOL_VERSION) {
		g_set_error_literal(error,
				    G_IO_ERROR,
				    G_IO_ERROR_INVALID_DATA,
				    "“protocol” must be the integer 1");
		return SOUP_STATUS_BAD_REQUEST;
	}
	if (!server_get_string(obj, IMSS_PROTOCOL_MEMBER_PRODUCT, FALSE, &product, error))
		return SOUP_STATUS_BAD_REQUEST;
	if (!imss_edition_from_string(product, &req->edition)) {
		g_set_error_literal(error,
				    G_IO_ERROR,
				    G_IO_ERROR_INVALID_DATA,
				    "“product” must be imss or imsva");
		return SOUP_STATUS_BAD_REQUEST;
	}
	return SOUP_STATUS_OK;
}

/* another valid code than @canonical (same fields, next serial) */
static gchar *
server_other_code(const gchar *canonical)
{
	ImssCodeInfo info = {0};

	if (canonical == NULL ||
	    !imss_code_parse(canonical, strlen(canonical), &info, NULL, NULL)) {
		info.prefix = IMSS_CODE_PREFIX_IM;
		info.edition = IMSS_EDITION_IMSVA;
		info.slot_mask = 1u << IMSS_SLOT_ANTIVIRUS;
		g_date_clear(&info.expiry, 1);
		g_date_set_dmy(&info.expiry, 31, G_DATE_DECEMBER, 2030);
		info.serial = 42;
	}
	info.serial = (info.serial + 1) & IMSS_CODE_SERIAL_MAX;
	return imss_code_encode(&info, NULL);
}

/* the answer to a well-formed request */
static JsonNode *
server_answer(ImssServer *self, const UpdateRequest *req, ServerFault fault)
{
	g_autoptr(JsonBuilder) builder = json_builder_new();
	g_autofree gchar *canonical = NULL;
	g_autofree gchar *server_time = server_time_string(self);
	g_autofree gchar *expiry_str = NULL;
	g_autofree gchar *replaced_by_masked = NULL;
	g_autofree gchar *other = NULL;
	ImssServerStatus status = IMSS_SERVER_STATUS_UNKNOWN;
	const gchar *replaced_by = NULL;
	ImssCodeInfo info;
	GDate expiry;

	if (imss_code_parse(req->code, strlen(req->code), &info, &canonical, NULL)) {
		/* remembered for the details page */
		server_code_state(self, canonical, &info, TRUE, FALSE);
		if (info.edition == req->edition)
			status = server_code_view(self, canonical, &info, &expiry, &replaced_by);
	}
	if (status == IMSS_SERVER_STATUS_VALID)
		expiry_str = imss_date_format(&expiry);
	if (fault == SERVER_FAULT_BAD_DATE) {
		/* a well-formed answer whose date does not exist */
		status = IMSS_SERVER_STATUS_VALID;
		g_free(expiry_str);
		expiry_str = g_strdup("2027-02-30");
	}
	if (replaced_by != NULL)
		replaced_by_masked = imss_code_mask(replaced_by);
	if (fault == SERVER_FAULT_WRONG_CODE)
		other = server_other_code(canonical);

	json_builder_begin_object(builder);
	json_builder_set_member_name(builder, IMSS_PROTOCOL_MEMBER_PROTOCOL);
	json_builder_add_int_value(builder, IMSS_PROTOCOL_VERSION);
	json_builder_set_member_name(builder, IMSS_PROTOCOL_MEMBER_CODE);
	if (other != NULL)
		json_builder_add_string_value(builder, other);
	else
		json_builder_add_string_value(builder, canonical != NULL ? canonical : req->code);
	json_builder_set_member_name(builder, IMSS_PROTOCOL_MEMBER_STATUS);
	json_builder_add_string_value(builder, imss_server_status_to_string(status));
	if (expiry_str != NULL) {
		json_builder_set_member_name(builder, IMSS_PROTOCOL_MEMBER_EXPIRY);
		json_builder_add_string_value(builder, expiry_str);
	}
	if (replaced_by_masked != NULL) {
		json_builder_set_member_name(builder, IMSS_PROTOCOL_MEMBER_REPLACED_BY);
		json_builder_add_string_value(builder, replaced_by_masked);
	}
	json_builder_set_member_name(builder, IMSS_PROTOCOL_MEMBER_SERVER_TIME);
	json_builder_add_string_value(builder, server_time);
	json_builder_end_object(builder);
	return json_builder_get_root(builder);
}

static void
server_handle_update(ImssServer *self, SoupServerMessage *msg)
{
	g_auto(UpdateRequest) req = {0};
	g_autoptr(GError) error = NULL;
	g_autoptr(JsonNode) answer = NULL;
	g_autofree gchar *masked = NULL;
	g_autofree gchar *url = NULL;
	ServerFaults taken = server_faults_take(&self->faults);
	ServerFault fault = taken.mode;
	guint status;

	status = server_parse_update(msg, &req, &error);
	masked = imss_code_mask(req.code);

	switch (fault) {
	case SERVER_FAULT_ERROR:
		server_set_error(msg, SOUP_STATUS_INTERNAL_SERVER_ERROR, "simulated server error");
		server_log(self, msg, masked, SOUP_STATUS_INTERNAL_SERVER_ERROR, FALSE);
		return;
	case SERVER_FAULT_STALL:
		server_log(self, msg, masked, 0, TRUE);
		server_pending_add(self, msg, TRUE, 0);
		return;
	case SERVER_FAULT_GARBAGE:
	case SERVER_FAULT_HTML:
	case SERVER_FAULT_OVERSIZE:
		server_fault_set_body(msg, fault);
		server_log(self, msg, masked, SOUP_STATUS_OK, FALSE);
		return;
	case SERVER_FAULT_REDIRECT_LOOP:
		url = g_uri_to_string(soup_server_message_get_uri(msg));
		soup_server_message_set_redirect(msg, SOUP_STATUS_FOUND, url);
		server_log(self, msg, masked, SOUP_STATUS_FOUND, FALSE);
		return;
	case SERVER_FAULT_BUSY:
		server_set_error(msg, taken.status, "simulated overload: try again later");
		server_fault_set_busy(msg, &taken);
		server_log(self, msg, masked, taken.status, FALSE);
		return;
	case SERVER_FAULT_NONE:
	case SERVER_FAULT_SLOW:
	case SERVER_FAULT_WRONG_CODE:
	case SERVER_FAULT_BAD_DATE:
	case SERVER_FAULT_LAST:
	default:
		break;
	}

	if (status == SOUP_STATUS_METHOD_NOT_ALLOWED) {
		server_set_method_not_allowed(msg, "POST");
	} else if (status != SOUP_STATUS_OK) {
		if (status == SOUP_STATUS_REQUEST_ENTITY_TOO_LARGE) {
			soup_message_headers_replace(soup_server_message_get_response_headers(msg),
						     "Connection",
						     "close");
		}
		server_set_error(msg, status, error->message);
	} else {
		answer = server_answer(self, &req, fault);
		server_set_json(msg, status, answer);
	}
	server_log(self, msg, masked, status, FALSE);
	if (fault == SERVER_FAULT_SLOW)
		server_pending_add(self, msg, FALSE, taken.delay);
}

static void
server_html_row(GString *html, const gchar *name, const gchar *value)
{
	g_autofree gchar *escaped = g_markup_escape_text(value, -1);

	g_string_append_printf(html, "<tr><th>%s</th><td>%s</td></tr>\n", name, escaped);
}

static void
server_handle_details(ImssServer *self, SoupServerMessage *msg, GHashTable *query)
{
	g_autoptr(GString) html = NULL;
	g_autoptr(GString) slots = NULL;
	g_autofree gchar *id = NULL;
	g_autofree gchar *masked = NULL;
	g_autofree gchar *issued = NULL;
	g_autofree gchar *expiry_str = NULL;
	g_autofree gchar *replaced_masked = NULL;
	g_autofree gchar *today_str = NULL;
	const gchar *method = soup_server_message_get_method(msg);
	const gchar *id_arg = query != NULL ? g_hash_table_lookup(query, IMSS_PROTOCOL_DETAILS_ID_PARAM) : NULL;
	const gchar *replaced_by = NULL;
	ImssServerStatus status;
	CodeState *state = NULL;
	GDate expiry;
	GDate today;

	if (g_strcmp0(method, SOUP_METHOD_GET) != 0 && g_strcmp0(method, SOUP_METHOD_HEAD) != 0) {
		server_set_method_not_allowed(msg, "GET, HEAD");
		server_log(self, msg, "", SOUP_STATUS_METHOD_NOT_ALLOWED, FALSE);
		return;
	}
	if (id_arg != NULL && strlen(id_arg) == IMSS_PROTOCOL_DETAILS_ID_LEN) {
		id = g_ascii_strdown(id_arg, -1);
		state = g_hash_table_lookup(self->ids, id);
	}
	if (state == NULL) {
		soup_server_message_set_status(msg, SOUP_STATUS_NOT_FOUND, NULL);
		soup_server_message_set_response(msg,
						 "text/html; charset=utf-8",
						 SOUP_MEMORY_STATIC,
						 server_not_found_html,
						 sizeof(server_not_found_html) - 1);
		server_log(self, msg, "", SOUP_STATUS_NOT_FOUND, FALSE);
		return;
	}

	masked = imss_code_mask(state->code);
	issued = imss_date_format(&state->info.expiry);
	status = server_code_view(self, state->code, &state->info, &expiry, &replaced_by);
	server_get_today(self, &today);
	today_str = imss_date_format(&today);
	slots = g_string_new(NULL);
	for (guint i = 0; i < IMSS_SLOT_LAST; i++) {
		if ((state->info.slot_mask & (1u << i)) == 0)
			continue;
		if (slots->len > 0)
			g_string_append(slots, ", ");
		g_string_append(slots, imss_slot_to_string((ImssSlotId)i));
	}

	html = g_string_new("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
			    "<title>License details</title></head>\n<body>\n"
			    "<h1>License details</h1>\n<table>\n");
	server_html_row(html, "Activation code", masked);
	server_html_row(html, "Product", imss_edition_to_string(state->info.edition));
	server_html_row(html, "Slots", slots->str);
	server_html_row(html, "Offline code", state->info.offline ? "yes" : "no");
	server_html_row(html, "Expiry as issued", issued);
	server_html_row(html, "Status", imss_server_status_to_string(status));
	if (status == IMSS_SERVER_STATUS_VALID) {
		expiry_str = imss_date_format(&expiry);
		server_html_row(html, "Expiry", expiry_str);
	}
	if (replaced_by != NULL) {
		replaced_masked = imss_code_mask(replaced_by);
		server_html_row(html, "Replaced by", replaced_masked);
	}
	server_html_row(html, "Server date", today_str);
	g_string_append(html, "</table>\n</body></html>\n");

	soup_server_message_set_status(msg, SOUP_STATUS_OK, NULL);
	soup_server_message_set_response(msg,
					 "text/html; charset=utf-8",
					 SOUP_MEMORY_COPY,
					 html->str,
					 html->len);
	server_log(self, msg, masked, SOUP_STATUS_OK, FALSE);
}

/* ---- the admin interface ------------------------------------------------- */

/* a required member holding a valid code: the canonical form and its fields */
static gboolean
server_admin_code(JsonObject *obj,
		  const gchar *name,
		  gchar **canonical,
		  ImssCodeInfo *info,
		  GError **error)
{
	const gchar *code = NULL;

	if (!server_get_string(obj, name, FALSE, &code, error))
		return FALSE;
	if (code == NULL) {
		g_set_error(error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA, "“%s” is missing", name);
		return FALSE;
	}
	if (!imss_code_parse(code, strlen(code), info, canonical, NULL)) {
		g_set_error(error,
			    G_IO_ERROR,
			    G_IO_ERROR_INVALID_DATA,
			    "“%s” is not a valid activation code",
			    name);
		return FALSE;
	}
	return TRUE;
}

static gboolean
server_admin_date(JsonObject *obj,
		  const gchar *name,
		  gboolean required,
		  gboolean *present,
		  GDate *date,
		  GError **error)
{
	const gchar *str = NULL;

	*present = FALSE;
	if (!server_get_string(obj, name, !required, &str, error))
		return FALSE;
	if (str == NULL) {
		if (!required)
			return TRUE;
		g_set_error(error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA, "“%s” is missing", name);
		return FALSE;
	}
	if (!imss_date_parse(str, date)) {
		g_set_error(error,
			    G_IO_ERROR,
			    G_IO_ERROR_INVALID_DATA,
			    "“%s” must be a date YYYY-MM-DD",
			    name);
		return FALSE;
	}
	*present = TRUE;
	return TRUE;
}

static gboolean
server_admin_renew(ImssServer *self, JsonObject *obj, GError **error)
{
	g_autofree gchar *canonical = NULL;
	ImssCodeInfo info;
	Renewal renewal = {0};
	gboolean present;
	CodeState *state;

	if (!server_admin_code(obj, "code", &canonical, &info, error))
		return FALSE;
	if (!server_admin_date(obj, "expiry", TRUE, &present, &renewal.expiry, error))
		return FALSE;
	if (!server_admin_date(obj,
			       "effective",
			       FALSE,
			       &renewal.has_effective,
			       &renewal.effective,
			       error))
		return FALSE;
	server_get_today(self, &renewal.posted);
	renewal.seq = ++self->renewal_seq;
	state = server_code_state(self, canonical, &info, TRUE, TRUE);
	g_array_append_val(state->renewals, renewal);
	return TRUE;
}

static gboolean
server_admin_replace(ImssServer *self, JsonObject *obj, GError **error)
{
	g_autofree gchar *canonical = NULL;
	g_autofree gchar *new_canonical = NULL;
	ImssCodeInfo info;
	ImssCodeInfo new_info;
	CodeState *state;
	CodeState *new_state;

	if (!server_admin_code(obj, "code", &canonical, &info, error))
		return FALSE;
	if (!server_admin_code(obj, "new_code", &new_canonical, &new_info, error))
		return FALSE;
	if (g_strcmp0(canonical, new_canonical) == 0) {
		g_set_error_literal(error,
				    G_IO_ERROR,
				    G_IO_ERROR_INVALID_DATA,
				    "a code cannot replace itself");
		return FALSE;
	}
	state = server_code_state(self, canonical, &info, TRUE, TRUE);
	new_state = server_code_state(self, new_canonical, &new_info, TRUE, TRUE);
	state->status = CODE_STATUS_REPLACED;
	g_free(state->replaced_by);
	state->replaced_by = g_strdup(new_canonical);
	new_state->status = CODE_STATUS_VALID;
	g_clear_pointer(&new_state->replaced_by, g_free);
	return TRUE;
}

static gboolean
server_admin_suspend(ImssServer *self, JsonObject *obj, GError **error)
{
	g_autofree gchar *canonical = NULL;
	ImssCodeInfo info;
	CodeState *state;

	if (!server_admin_code(obj, "code", &canonical, &info, error))
		return FALSE;
	state = server_code_state(self, canonical, &info, TRUE, TRUE);
	state->status = CODE_STATUS_SUSPENDED;
	g_clear_pointer(&state->replaced_by, g_free);
	return TRUE;
}

static gboolean
server_admin_fault(ImssServer *self, JsonObject *obj, GError **error)
{
	return server_faults_set(&self->faults, obj, error);
}

static gboolean
server_admin_today(ImssServer *self, JsonObject *obj, GError **error)
{
	const gchar *str = NULL;
	GDate date;

	if (!json_object_has_member(obj, "today")) {
		g_set_error_literal(error,
				    G_IO_ERROR,
				    G_IO_ERROR_INVALID_DATA,
				    "“today” is missing");
		return FALSE;
	}
	if (!server_get_string(obj, "today", TRUE, &str, error))
		return FALSE;
	/* null or "": back to the real date */
	if (str == NULL || str[0] == '\0') {
		self->has_today = FALSE;
		g_info("server date: the real date");
		return TRUE;
	}
	if (!imss_date_parse(str, &date)) {
		g_set_error_literal(error,
				    G_IO_ERROR,
				    G_IO_ERROR_INVALID_DATA,
				    "“today” must be a date YYYY-MM-DD");
		return FALSE;
	}
	self->has_today = TRUE;
	self->today = date;
	g_info("server date %s", str);
	return TRUE;
}

static void
server_reset(ImssServer *self)
{
	server_release_pending(self, FALSE);
	g_hash_table_remove_all(self->ids);
	g_hash_table_remove_all(self->codes);
	server_faults_clear(&self->faults);
	g_ptr_array_set_size(self->log, 0);
	self->has_today = self->has_today_option;
	self->today = self->today_option;
	g_info("reset");
}

static JsonNode *
server_log_to_json(ImssServer *self)
{
	g_autoptr(JsonBuilder) builder = json_builder_new();

	json_builder_begin_array(builder);
	for (guint i = 0; i < self->log->len; i++) {
		const LogEntry *entry = g_ptr_array_index(self->log, i);

		json_builder_begin_object(builder);
		json_builder_set_member_name(builder, "time");
		json_builder_add_string_value(builder, entry->time);
		json_builder_set_member_name(builder, "path");
		json_builder_add_string_value(builder, entry->path);
		json_builder_set_member_name(builder, "code");
		json_builder_add_string_value(builder, entry->code);
		json_builder_set_member_name(builder, "status");
		if (entry->stalled)
			json_builder_add_string_value(builder, "stalled");
		else
			json_builder_add_int_value(builder, entry->status);
		json_builder_set_member_name(builder, "proxy_authorization");
		json_builder_add_boolean_value(builder, entry->proxy_authorization);
		json_builder_end_object(builder);
	}
	json_builder_end_array(builder);
	return json_builder_get_root(builder);
}

typedef gboolean (*ServerAdminFunc)(ImssServer *self, JsonObject *obj, GError **error);

static void
server_handle_admin(ImssServer *self, SoupServerMessage *msg, const gchar *path)
{
	static const struct {
		const gchar *name;
		ServerAdminFunc func;
	} posts[] = {
	    {"renew", server_admin_renew},
	    {"replace", server_admin_replace},
	    {"suspend", server_admin_suspend},
	    {"fault", server_admin_fault},
	    {"today", server_admin_today},
	};
	const gchar *method = soup_server_message_get_method(msg);
	const gchar *name = g_str_has_prefix(path, "/admin/") ? path + strlen("/admin/") : "";
	g_autoptr(GError) error = NULL;
	g_autoptr(GBytes) body = NULL;
	g_autoptr(JsonObject) obj = NULL;
	ServerAdminFunc func = NULL;

	if (!server_peer_is_loopback(msg)) {
		server_set_error(msg,
				 SOUP_STATUS_FORBIDDEN,
				 "the admin interface is for loopback clients only");
		return;
	}
	if (g_object_get_data(G_OBJECT(msg), "imss-too-large") != NULL) {
		soup_message_headers_replace(soup_server_message_get_response_headers(msg),
					     "Connection",
					     "close");
		server_set_error(msg,
				 SOUP_STATUS_REQUEST_ENTITY_TOO_LARGE,
				 "the request body exceeds 64 KiB");
		return;
	}

	if (g_strcmp0(name, "log") == 0) {
		g_autoptr(JsonNode) root = NULL;

		if (g_strcmp0(method, SOUP_METHOD_GET) != 0 &&
		    g_strcmp0(method, SOUP_METHOD_HEAD) != 0) {
			server_set_method_not_allowed(msg, "GET, HEAD");
			return;
		}
		root = server_log_to_json(self);
		server_set_json(msg, SOUP_STATUS_OK, root);
		return;
	}
	if (g_strcmp0(name, "reset") == 0) {
		if (g_strcmp0(method, SOUP_METHOD_POST) != 0) {
			server_set_method_not_allowed(msg, "POST");
			return;
		}
		server_reset(self);
		server_set_ok(msg);
		return;
	}
	for (guint i = 0; i < G_N_ELEMENTS(posts); i++) {
		if (g_strcmp0(name, posts[i].name) == 0)
			func = posts[i].func;
	}
	if (func == NULL) {
		server_set_error(msg, SOUP_STATUS_NOT_FOUND, "no such admin request");
		return;
	}
	if (g_strcmp0(method, SOUP_METHOD_POST) != 0) {
		server_set_method_not_allowed(msg, "POST");
		return;
	}
	body = soup_message_body_flatten(soup_server_message_get_request_body(msg));
	if (g_bytes_get_size(body) > IMSS_PROTOCOL_BODY_MAX) {
		server_set_error(msg,
				 SOUP_STATUS_REQUEST_ENTITY_TOO_LARGE,
				 "the request body exceeds 64 KiB");
		return;
	}
	obj = server_parse_json_object(body, &error);
	if (obj == NULL || !func(self, obj, &error)) {
		server_set_error(msg, SOUP_STATUS_BAD_REQUEST, error->message);
		return;
	}
	server_set_ok(msg);
}

/* ---- libsoup glue -------------------------------------------------------- */

/* counts the body as it arrives; past the limit it is dropped, not stored */
static void
server_got_chunk_cb(SoupServerMessage *msg, GBytes *chunk, gpointer user_data G_GNUC_UNUSED)
{
	SoupMessageBody *body = soup_server_message_get_request_body(msg);
	gsize total = GPOINTER_TO_SIZE(g_object_get_data(G_OBJECT(msg), "imss-body-size"));

	total += g_bytes_get_size(chunk);
	if (total > IMSS_PROTOCOL_BODY_MAX) {
		total = IMSS_PROTOCOL_BODY_MAX + 1;
		if (g_object_get_data(G_OBJECT(msg), "imss-too-large") == NULL) {
			g_object_set_data(G_OBJECT(msg), "imss-too-large", GINT_TO_POINTER(1));
			soup_message_body_set_accumulate(body, FALSE);
		}
		soup_message_body_truncate(body);
	}
	g_object_set_data(G_OBJECT(msg), "imss-body-size", GSIZE_TO_POINTER(total));
}

/* called when the request headers are in: refuses a too large declared body
 * before it is read, and watches the others as they arrive */
static void
server_early_cb(SoupServer *soup G_GNUC_UNUSED,
		SoupServerMessage *msg,
		const char *path,
		GHashTable *query G_GNUC_UNUSED,
		gpointer user_data)
{
	ImssServer *self = user_data;
	SoupMessageHeaders *headers = soup_server_message_get_request_headers(msg);

	g_signal_connect(msg, "got-chunk", G_CALLBACK(server_got_chunk_cb), NULL);
	if (soup_message_headers_get_encoding(headers) == SOUP_ENCODING_CONTENT_LENGTH &&
	    soup_message_headers_get_content_length(headers) > IMSS_PROTOCOL_BODY_MAX) {
		g_object_set_data(G_OBJECT(msg), "imss-too-large", GINT_TO_POINTER(1));
		soup_message_body_set_accumulate(soup_server_message_get_request_body(msg), FALSE);
		/* answered at once (with "Expect: 100-continue" the body is
		 * never sent); the handler is not called */
		soup_message_headers_replace(soup_server_message_get_response_headers(msg),
					     "Connection",
					     "close");
		server_set_error(msg,
				 SOUP_STATUS_REQUEST_ENTITY_TOO_LARGE,
				 "the request body exceeds 64 KiB");
		if (!g_str_has_prefix(path, "/admin/"))
			server_log(self, msg, "", SOUP_STATUS_REQUEST_ENTITY_TOO_LARGE, FALSE);
	}
}

static void
server_handler_cb(SoupServer *soup G_GNUC_UNUSED,
		  SoupServerMessage *msg,
		  const char *path,
		  GHashTable *query,
		  gpointer user_data)
{
	ImssServer *self = user_data;

	if (g_str_has_prefix(path, "/admin/") || g_strcmp0(path, "/admin") == 0) {
		server_handle_admin(self, msg, path);
		return;
	}
	if (g_str_has_suffix(path, IMSS_PROTOCOL_UPDATE_PAGE)) {
		server_handle_update(self, msg);
		return;
	}
	if (g_str_has_suffix(path, IMSS_PROTOCOL_DETAILS_PAGE)) {
		server_handle_details(self, msg, query);
		return;
	}
	server_set_error(msg, SOUP_STATUS_NOT_FOUND, "not found");
	server_log(self, msg, "", SOUP_STATUS_NOT_FOUND, FALSE);
}

static void
imss_server_free(ImssServer *self)
{
	/* the pending messages first: they point back here */
	g_clear_pointer(&self->pending, g_ptr_array_unref);
	if (self->service != NULL) {
		g_signal_handlers_disconnect_by_data(self->service, self);
		g_socket_service_stop(self->service);
		g_socket_listener_close(G_SOCKET_LISTENER(self->service));
		g_clear_object(&self->service);
	}
	g_clear_object(&self->soup);
	g_clear_object(&self->tls_certificate);
	g_clear_pointer(&self->ids, g_hash_table_unref);
	g_clear_pointer(&self->codes, g_hash_table_unref);
	g_clear_pointer(&self->log, g_ptr_array_unref);
	g_clear_pointer(&self->loop, g_main_loop_unref);
	g_free(self);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC(ImssServer, imss_server_free)

static ImssServer *
imss_server_new(const GDate *today, gboolean verbose)
{
	ImssServer *self = g_new0(ImssServer, 1);

	self->loop = g_main_loop_new(NULL, FALSE);
	self->verbose = verbose;
	if (today != NULL) {
		self->has_today_option = TRUE;
		self->today_option = *today;
	} else {
		g_date_clear(&self->today_option, 1);
	}
	self->has_today = self->has_today_option;
	self->today = self->today_option;
	self->codes = g_hash_table_new_full(g_str_hash,
					    g_str_equal,
					    NULL,
					    (GDestroyNotify)code_state_free);
	self->ids = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
	server_faults_clear(&self->faults);
	self->log = g_ptr_array_new_with_free_func((GDestroyNotify)log_entry_free);
	self->pending = g_ptr_array_new_with_free_func((GDestroyNotify)pending_message_free);
	self->soup = soup_server_new("server-header",
				     "imss-license-server/" PACKAGE_VERSION " ",
				     NULL);
	soup_server_add_early_handler(self->soup, NULL, server_early_cb, self, NULL);
	soup_server_add_handler(self->soup, NULL, server_handler_cb, self, NULL);
	return self;
}

/* a new client: handed to libsoup */
static gboolean
server_incoming_cb(GSocketService *service G_GNUC_UNUSED,
		   GSocketConnection *connection,
		   GObject *source G_GNUC_UNUSED,
		   gpointer user_data)
{
	ImssServer *self = user_data;
	g_autoptr(GSocketAddress) local = NULL;
	g_autoptr(GSocketAddress) remote = NULL;
	g_autoptr(GError) error = NULL;
	g_autoptr(GIOStream) stream = NULL;
	GSocket *socket = g_socket_connection_get_socket(connection);

	local = g_socket_connection_get_local_address(connection, &error);
	if (local != NULL)
		remote = g_socket_connection_get_remote_address(connection, &error);
	if (remote == NULL) {
		g_debug("dropping a connection: %s", error->message);
		return TRUE;
	}
	g_socket_set_option(socket, IPPROTO_TCP, TCP_NODELAY, TRUE, NULL);
	if (self->tls_certificate != NULL)
		stream = imss_server_tls_wrap(G_IO_STREAM(connection), self->tls_certificate, &error);
	else
		stream = G_IO_STREAM(g_object_ref(connection));
	if (stream == NULL) {
		g_warning("cannot set up TLS on a connection: %s", error->message);
		return TRUE;
	}
	if (!soup_server_accept_iostream(self->soup,
					 stream,
					 local,
					 remote,
					 &error))
		g_warning("cannot accept a connection: %s", error->message);
	return TRUE;
}

/*
 * Listens on @address:@port and returns the port chosen. The connections
 * are accepted by a GSocketService and handed to libsoup with
 * soup_server_accept_iostream(): libsoup 3.2's own listener
 * (soup_server_listen()) leaks the GSocket of every connection it accepts
 * (fixed upstream in 3.4).
 */
static gboolean
imss_server_listen(ImssServer *self,
		   const gchar *address,
		   guint port,
		   guint *port_out,
		   GError **error)
{
	g_autoptr(GInetAddress) inet = g_inet_address_new_from_string(address);
	g_autoptr(GSocketAddress) sockaddr = NULL;
	g_autoptr(GSocketAddress) effective = NULL;

	if (inet == NULL) {
		g_set_error(error,
			    G_IO_ERROR,
			    G_IO_ERROR_INVALID_ARGUMENT,
			    "“%s” is not an IP address",
			    address);
		return FALSE;
	}
	sockaddr = g_inet_socket_address_new(inet, (guint16)port);
	self->service = g_socket_service_new();
	if (!g_socket_listener_add_address(G_SOCKET_LISTENER(self->service),
					   sockaddr,
					   G_SOCKET_TYPE_STREAM,
					   G_SOCKET_PROTOCOL_TCP,
					   NULL,
					   &effective,
					   error))
		return FALSE;
	g_signal_connect(self->service, "incoming", G_CALLBACK(server_incoming_cb), self);
	g_socket_service_start(self->service);
	*port_out = g_inet_socket_address_get_port(G_INET_SOCKET_ADDRESS(effective));
	return TRUE;
}

static gboolean
server_grace_timeout_cb(gpointer user_data)
{
	gboolean *expired = user_data;

	*expired = TRUE;
	return G_SOURCE_REMOVE;
}

/* answers what is held back, stops listening and closes every connection */
static void
imss_server_shutdown(ImssServer *self)
{
	gboolean expired = FALSE;
	guint grace_id;

	g_signal_handlers_disconnect_by_data(self->service, self);
	g_socket_service_stop(self->service);
	g_socket_listener_close(G_SOCKET_LISTENER(self->service));

	server_release_pending(self, TRUE);
	grace_id = g_timeout_add(SERVER_SHUTDOWN_GRACE_MS, server_grace_timeout_cb, &expired);
	while (self->pending->len > 0 && !expired)
		g_main_context_iteration(NULL, TRUE);
	if (!expired)
		g_source_remove(grace_id);
	soup_server_disconnect(self->soup);
	g_ptr_array_set_size(self->pending, 0);
	while (g_main_context_iteration(NULL, FALSE))
		;
}

static gboolean
server_signal_cb(gpointer user_data)
{
	ImssServer *self = user_data;

	g_message("terminating on a signal");
	g_main_loop_quit(self->loop);
	return G_SOURCE_CONTINUE;
}

int
main(int argc, char **argv)
{
	g_autoptr(ImssServer) self = NULL;
	g_autoptr(GOptionContext) context = NULL;
	g_autoptr(GError) error = NULL;
	g_autofree gchar *listen_addr = NULL;
	g_autofree gchar *port_file = NULL;
	g_autofree gchar *today_str = NULL;
	g_autofree gchar *port_str = NULL;
	g_autofree gchar *tls_cert = NULL;
	g_autofree gchar *tls_key = NULL;
	const gchar *scheme = "http";
	gint port = 0;
	gboolean verbose = FALSE;
	const GOptionEntry entries[] = {
	    {"listen", 0, 0, G_OPTION_ARG_STRING, &listen_addr,
	     "IP address to listen on (default: 127.0.0.1)", "ADDR"},
	    {"port", 0, 0, G_OPTION_ARG_INT, &port,
	     "TCP port to listen on (default: 0, a free port)", "N"},
	    {"port-file", 0, 0, G_OPTION_ARG_FILENAME, &port_file,
	     "Write the port to FILE once listening", "FILE"},
	    {"today", 0, 0, G_OPTION_ARG_STRING, &today_str,
	     "The server's date (default: the real local date)", "YYYY-MM-DD"},
	    {"tls-cert", 0, 0, G_OPTION_ARG_FILENAME, &tls_cert,
	     "Serve HTTPS with this PEM certificate (chain)", "FILE"},
	    {"tls-key", 0, 0, G_OPTION_ARG_FILENAME, &tls_key,
	     "The PEM private key of --tls-cert (default: in the same file)", "FILE"},
	    {"verbose", 'v', 0, G_OPTION_ARG_NONE, &verbose,
	     "Log every request (codes masked) on standard error", NULL},
	    G_OPTION_ENTRY_NULL,
	};
	GDate today;
	guint port_used = 0;
	guint sigterm_id;
	guint sigint_id;

	setlocale(LC_ALL, "");
	g_set_prgname("imss-license-server");

	context = g_option_context_new("— simulate the license server");
	g_option_context_add_main_entries(context, entries, NULL);
	g_option_context_set_description(
	    context,
	    "Serves the license-server protocol and a loopback-only admin interface "
	    "under /admin/. See imss-license-server(1) and "
	    "docs/license-server-protocol.md.");
	if (!g_option_context_parse(context, &argc, &argv, &error)) {
		g_printerr("%s: %s\n", g_get_prgname(), error->message);
		return EXIT_FAILURE;
	}
	if (argc > 1) {
		/* not echoed: it might be an activation code */
		g_printerr("%s: unexpected argument: this program takes options only (see "
			   "--help)\n",
			   g_get_prgname());
		return EXIT_FAILURE;
	}
	if (port < 0 || port > 65535) {
		g_printerr("%s: --port must be from 0 to 65535\n", g_get_prgname());
		return EXIT_FAILURE;
	}
	if (today_str != NULL && !imss_date_parse(today_str, &today)) {
		g_printerr("%s: --today must be a date YYYY-MM-DD\n", g_get_prgname());
		return EXIT_FAILURE;
	}
	if (tls_key != NULL && tls_cert == NULL) {
		g_printerr("%s: --tls-key needs --tls-cert\n", g_get_prgname());
		return EXIT_FAILURE;
	}
	/* standard output carries the "listening on" line only */
	g_log_writer_default_set_use_stderr(TRUE);
	if (verbose)
		g_log_set_debug_enabled(TRUE);

	self = imss_server_new(today_str != NULL ? &today : NULL, verbose);
	if (tls_cert != NULL) {
		self->tls_certificate = imss_server_tls_load(tls_cert, tls_key, &error);
		if (self->tls_certificate == NULL) {
			g_printerr("%s: cannot use the TLS certificate: %s\n",
				   g_get_prgname(),
				   error->message);
			return EXIT_FAILURE;
		}
		scheme = "https";
	}
	/* before the port file announces the server: a test may stop it at once */
	sigterm_id = g_unix_signal_add(SIGTERM, server_signal_cb, self);
	sigint_id = g_unix_signal_add(SIGINT, server_signal_cb, self);
	if (!imss_server_listen(self,
				listen_addr != NULL ? listen_addr : "127.0.0.1",
				(guint)port,
				&port_used,
				&error)) {
		g_printerr("%s: cannot listen: %s\n", g_get_prgname(), error->message);
		g_source_remove(sigterm_id);
		g_source_remove(sigint_id);
		return EXIT_FAILURE;
	}
	if (listen_addr != NULL && strchr(listen_addr, ':') != NULL)
		g_print("listening on %s://[%s]:%u/\n", scheme, listen_addr, port_used);
	else
		g_print("listening on %s://%s:%u/\n",
			scheme,
			listen_addr != NULL ? listen_addr : "127.0.0.1",
			port_used);
	fflush(stdout);

	/* last: tests wait for this file, then expect the line above */
	if (port_file != NULL) {
		port_str = g_strdup_printf("%u\n", port_used);
		if (!g_file_set_contents(port_file, port_str, -1, &error)) {
			g_printerr("%s: %s\n", g_get_prgname(), error->message);
			g_source_remove(sigterm_id);
			g_source_remove(sigint_id);
			return EXIT_FAILURE;
		}
	}

	g_main_loop_run(self->loop);
	g_source_remove(sigterm_id);
	g_source_remove(sigint_id);

	imss_server_shutdown(self);
	return EXIT_SUCCESS;
}
