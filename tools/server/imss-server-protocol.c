/*
 * The license-server protocol of imss-license-server (see
 * imss-server-protocol.h). Activation codes are only ever logged and shown
 * masked.
 */
#include "config.h"

#define G_LOG_DOMAIN "ImssLicenseServer"

#include <string.h>

#include "imss-date.h"
#include "imss-server-http.h"
#include "imss-server-protocol.h"
#include "imss-slot.h"

static const gchar server_not_found_html[] =
    "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
    "<title>License not found</title></head>\n"
    "<body><h1>License not found</h1></body></html>\n";

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

/* the members of a well-formed request body into @req */
static gboolean
server_protocol_read_request(JsonObject *obj, UpdateRequest *req, GError **error)
{
	const gchar *code = NULL;
	const gchar *product = NULL;
	JsonNode *protocol;

	if (!server_http_get_string(obj, IMSS_PROTOCOL_MEMBER_CODE, FALSE, &code, error))
		return FALSE;
	if (code == NULL) {
		g_set_error_literal(error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA, "“code” is missing");
		return FALSE;
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
		return FALSE;
	}
	if (!server_http_get_string(obj, IMSS_PROTOCOL_MEMBER_PRODUCT, FALSE, &product, error))
		return FALSE;
	if (!imss_edition_from_string(product, &req->edition)) {
		g_set_error_literal(error,
				    G_IO_ERROR,
				    G_IO_ERROR_INVALID_DATA,
				    "“product” must be imss or imsva");
		return FALSE;
	}
	return TRUE;
}

/* Parses a license_update request into @req; returns the HTTP status (200 or
 * an error status, with @error set). req->code is filled as soon as a string
 * code was found, for the log, even when another field is wrong. */
static guint
server_protocol_parse_update(SoupServerMessage *msg, UpdateRequest *req, GError **error)
{
	g_autoptr(JsonObject) obj = NULL;
	g_autoptr(GBytes) body = NULL;

	if (g_strcmp0(soup_server_message_get_method(msg), SOUP_METHOD_POST) != 0) {
		g_set_error_literal(error,
				    G_IO_ERROR,
				    G_IO_ERROR_NOT_SUPPORTED,
				    "method not allowed");
		return SOUP_STATUS_METHOD_NOT_ALLOWED;
	}
	body = server_http_get_body(msg, error);
	if (body == NULL)
		return SOUP_STATUS_REQUEST_ENTITY_TOO_LARGE;
	obj = server_http_parse_object(body, error);
	if (obj == NULL || !server_protocol_read_request(obj, req, error))
		return SOUP_STATUS_BAD_REQUEST;
	return SOUP_STATUS_OK;
}

/* another valid code than @canonical (same fields, next serial) */
static gchar *
server_protocol_other_code(const gchar *canonical)
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
server_protocol_answer(ImssServer *server, const UpdateRequest *req, ServerFault fault)
{
	g_autoptr(JsonBuilder) builder = json_builder_new();
	g_autofree gchar *canonical = NULL;
	g_autofree gchar *server_time = server_registry_format_time(server->registry);
	g_autofree gchar *expiry_str = NULL;
	g_autofree gchar *replaced_by_masked = NULL;
	g_autofree gchar *other = NULL;
	ImssServerStatus status = IMSS_SERVER_STATUS_UNKNOWN;
	const gchar *replaced_by = NULL;
	ImssCodeInfo info;
	GDate expiry;

	if (imss_code_parse(req->code, strlen(req->code), &info, &canonical, NULL)) {
		/* remembered for the details page */
		server_registry_remember(server->registry, canonical, &info);
		if (info.edition == req->edition)
			status = server_registry_view(server->registry,
						      canonical,
						      &info,
						      &expiry,
						      &replaced_by);
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
		other = server_protocol_other_code(canonical);

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

/* the faults that answer whatever was asked; FALSE for the others (and no
 * fault), which shape or delay the answer */
static gboolean
server_protocol_answer_fault(ImssServer *server,
			     SoupServerMessage *msg,
			     const ServerFaults *taken,
			     const gchar *masked)
{
	g_autofree gchar *url = NULL;

	switch (taken->mode) {
	case SERVER_FAULT_ERROR:
		server_http_set_error(msg,
				      SOUP_STATUS_INTERNAL_SERVER_ERROR,
				      "simulated server error");
		server_log_add(server->log, msg, masked, SOUP_STATUS_INTERNAL_SERVER_ERROR, FALSE);
		return TRUE;
	case SERVER_FAULT_STALL:
		server_log_add(server->log, msg, masked, 0, TRUE);
		server_pending_hold(server->pending, msg, TRUE, 0);
		return TRUE;
	case SERVER_FAULT_GARBAGE:
	case SERVER_FAULT_HTML:
	case SERVER_FAULT_OVERSIZE:
		server_fault_set_body(msg, taken->mode);
		server_log_add(server->log, msg, masked, SOUP_STATUS_OK, FALSE);
		return TRUE;
	case SERVER_FAULT_REDIRECT_LOOP:
		url = g_uri_to_string(soup_server_message_get_uri(msg));
		soup_server_message_set_redirect(msg, SOUP_STATUS_FOUND, url);
		server_log_add(server->log, msg, masked, SOUP_STATUS_FOUND, FALSE);
		return TRUE;
	case SERVER_FAULT_BUSY:
		server_http_set_error(msg, taken->status, "simulated overload: try again later");
		server_fault_set_busy(msg, taken);
		server_log_add(server->log, msg, masked, taken->status, FALSE);
		return TRUE;
	case SERVER_FAULT_NONE:
	case SERVER_FAULT_SLOW:
	case SERVER_FAULT_WRONG_CODE:
	case SERVER_FAULT_BAD_DATE:
	case SERVER_FAULT_LAST:
	default:
		return FALSE;
	}
}

void
server_protocol_handle_update(ImssServer *server, SoupServerMessage *msg)
{
	g_auto(UpdateRequest) req = {0};
	g_autoptr(GError) error = NULL;
	g_autoptr(JsonNode) answer = NULL;
	g_autofree gchar *masked = NULL;
	ServerFaults taken;
	guint status;

	g_return_if_fail(server != NULL);
	g_return_if_fail(SOUP_IS_SERVER_MESSAGE(msg));

	taken = server_faults_take(&server->faults);
	status = server_protocol_parse_update(msg, &req, &error);
	masked = imss_code_mask(req.code);
	if (server_protocol_answer_fault(server, msg, &taken, masked))
		return;

	if (status == SOUP_STATUS_METHOD_NOT_ALLOWED) {
		server_http_set_method_not_allowed(msg, "POST");
	} else if (status == SOUP_STATUS_REQUEST_ENTITY_TOO_LARGE) {
		server_http_set_too_large(msg);
	} else if (status != SOUP_STATUS_OK) {
		server_http_set_error(msg, status, error->message);
	} else {
		answer = server_protocol_answer(server, &req, taken.mode);
		server_http_set_json(msg, status, answer);
	}
	server_log_add(server->log, msg, masked, status, FALSE);
	if (taken.mode == SERVER_FAULT_SLOW)
		server_pending_hold(server->pending, msg, FALSE, taken.delay);
}

/* -- the details page ----------------------------------------------------- */

static void
server_protocol_html_row(GString *html, const gchar *name, const gchar *value)
{
	g_autofree gchar *escaped = g_markup_escape_text(value, -1);

	g_string_append_printf(html, "<tr><th>%s</th><td>%s</td></tr>\n", name, escaped);
}

/* the slots @info licenses, "antivirus, antispam" */
static gchar *
server_protocol_slots(const ImssCodeInfo *info)
{
	GString *slots = g_string_new(NULL);

	for (guint i = 0; i < IMSS_SLOT_LAST; i++) {
		if ((info->slot_mask & (1u << i)) == 0)
			continue;
		if (slots->len > 0)
			g_string_append(slots, ", ");
		g_string_append(slots, imss_slot_to_string((ImssSlotId)i));
	}
	return g_string_free(slots, FALSE);
}

/* the page of @code, the server's view of it */
static GString *
server_protocol_details_html(ImssServer *server, const gchar *code, const ImssCodeInfo *info)
{
	GString *html = g_string_new("<!DOCTYPE html>\n<html lang=\"en\"><head><meta "
				     "charset=\"utf-8\"><title>License details</title></head>\n"
				     "<body>\n<h1>License details</h1>\n<table>\n");
	g_autofree gchar *masked = imss_code_mask(code);
	g_autofree gchar *slots = server_protocol_slots(info);
	g_autofree gchar *issued = imss_date_format(&info->expiry);
	g_autofree gchar *today_str = NULL;
	const gchar *replaced_by = NULL;
	ImssServerStatus status;
	GDate expiry;
	GDate today;

	status = server_registry_view(server->registry, code, info, &expiry, &replaced_by);
	server_registry_get_today(server->registry, &today);
	today_str = imss_date_format(&today);
	server_protocol_html_row(html, "Activation code", masked);
	server_protocol_html_row(html, "Product", imss_edition_to_string(info->edition));
	server_protocol_html_row(html, "Slots", slots);
	server_protocol_html_row(html, "Offline code", info->offline ? "yes" : "no");
	server_protocol_html_row(html, "Expiry as issued", issued);
	server_protocol_html_row(html, "Status", imss_server_status_to_string(status));
	if (status == IMSS_SERVER_STATUS_VALID) {
		g_autofree gchar *expiry_str = imss_date_format(&expiry);
		server_protocol_html_row(html, "Expiry", expiry_str);
	}
	if (replaced_by != NULL) {
		g_autofree gchar *replaced_masked = imss_code_mask(replaced_by);
		server_protocol_html_row(html, "Replaced by", replaced_masked);
	}
	server_protocol_html_row(html, "Server date", today_str);
	g_string_append(html, "</table>\n</body></html>\n");
	return html;
}

void
server_protocol_handle_details(ImssServer *server, SoupServerMessage *msg, GHashTable *query)
{
	g_autoptr(GString) html = NULL;
	g_autofree gchar *id = NULL;
	g_autofree gchar *masked = NULL;
	const gchar *method = soup_server_message_get_method(msg);
	const gchar *id_arg = NULL;
	const gchar *code = NULL;
	ImssCodeInfo info;

	g_return_if_fail(server != NULL);
	g_return_if_fail(SOUP_IS_SERVER_MESSAGE(msg));

	if (g_strcmp0(method, SOUP_METHOD_GET) != 0 && g_strcmp0(method, SOUP_METHOD_HEAD) != 0) {
		server_http_set_method_not_allowed(msg, "GET, HEAD");
		server_log_add(server->log, msg, "", SOUP_STATUS_METHOD_NOT_ALLOWED, FALSE);
		return;
	}
	if (query != NULL)
		id_arg = g_hash_table_lookup(query, IMSS_PROTOCOL_DETAILS_ID_PARAM);
	if (id_arg != NULL && strlen(id_arg) == IMSS_PROTOCOL_DETAILS_ID_LEN) {
		id = g_ascii_strdown(id_arg, -1);
		code = server_registry_lookup_id(server->registry, id, &info);
	}
	if (code == NULL) {
		soup_server_message_set_status(msg, SOUP_STATUS_NOT_FOUND, NULL);
		soup_server_message_set_response(msg,
						 "text/html; charset=utf-8",
						 SOUP_MEMORY_STATIC,
						 server_not_found_html,
						 sizeof(server_not_found_html) - 1);
		server_log_add(server->log, msg, "", SOUP_STATUS_NOT_FOUND, FALSE);
		return;
	}
	masked = imss_code_mask(code);
	html = server_protocol_details_html(server, code, &info);
	soup_server_message_set_status(msg, SOUP_STATUS_OK, NULL);
	soup_server_message_set_response(msg,
					 "text/html; charset=utf-8",
					 SOUP_MEMORY_COPY,
					 html->str,
					 html->len);
	server_log_add(server->log, msg, masked, SOUP_STATUS_OK, FALSE);
}
