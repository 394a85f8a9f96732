#define G_LOG_DOMAIN "ImssServerAnswer"

#include "config.h"

#include <gio/gio.h>
#include <json-glib/json-glib.h>
#include <string.h>

#include "imss-calendar.h"
#include "imss-date.h"
#include "imss-json.h"
#include "imss-server-answer.h"

void
imss_server_answer_free(ImssServerAnswer *answer)
{
	if (answer == NULL)
		return;
	g_free(answer->replaced_by);
	g_free(answer);
}

static gboolean
imss_server_answer_fail(GError **error, const gchar *why)
{
	g_set_error(error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA, "invalid answer: %s", why);
	return FALSE;
}

/* a member that must be a string if present; NULL when absent */
static gboolean
imss_server_answer_get_string(JsonObject *obj, const gchar *name, const gchar **out, GError **error)
{
	JsonNode *node = json_object_get_member(obj, name);
	*out = NULL;
	if (node == NULL)
		return TRUE;
	if (!JSON_NODE_HOLDS_VALUE(node) || json_node_get_value_type(node) != G_TYPE_STRING) {
		g_set_error(error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
			    "invalid answer: \"%s\" is not a string", name);
		return FALSE;
	}
	*out = json_node_get_string(node);
	return TRUE;
}

/* Anyone on a plain-HTTP path can answer in the server's place, with any
 * date the codec allows (up to 2179): an expiry far past the one the code
 * was issued with is not believed. */
static gboolean
imss_server_answer_expiry_plausible(const GDate *expiry, const GDate *issued, GError **error)
{
	GDate limit = *issued;
	g_autofree gchar *expiry_str = NULL;
	g_autofree gchar *issued_str = NULL;
	/* 29 February + 10 years is 28 February */
	g_date_add_years(&limit, IMSS_SERVER_EXPIRY_YEARS_MAX);
	if (g_date_compare(expiry, &limit) <= 0)
		return TRUE;
	expiry_str = imss_date_format(expiry);
	issued_str = imss_date_format(issued);
	g_set_error(error,
		    G_IO_ERROR,
		    G_IO_ERROR_INVALID_DATA,
		    "invalid answer: expiry %s is more than %u years after the code's issued "
		    "expiry %s",
		    expiry_str,
		    (guint)IMSS_SERVER_EXPIRY_YEARS_MAX,
		    issued_str);
	return FALSE;
}

/* the members of an answer, as sent; NULL when absent */
typedef struct {
	const gchar *code;
	const gchar *status;
	const gchar *expiry;
	const gchar *replaced_by;
	const gchar *server_time;
} ImssServerAnswerMembers;

/* @data as a JSON object, after the same strict pre-check as the
 * simulator's (common/imss-json.c); NULL on error */
static JsonObject *
imss_server_answer_load(JsonParser *parser, const gchar *data, gsize len, GError **error)
{
	g_autoptr(GError) error_local = NULL;
	JsonNode *root;

	if (len > IMSS_PROTOCOL_BODY_MAX) {
		imss_server_answer_fail(error, "larger than 64 KiB");
		return NULL;
	}
	if (!imss_json_precheck(data, len, error)) {
		g_prefix_error(error, "invalid answer: ");
		return NULL;
	}
	if (!json_parser_load_from_data(parser, data, (gssize)len, &error_local)) {
		imss_server_answer_fail(error, "not JSON");
		return NULL;
	}
	root = json_parser_get_root(parser);
	if (root == NULL || !JSON_NODE_HOLDS_OBJECT(root)) {
		imss_server_answer_fail(error, "not a JSON object");
		return NULL;
	}
	return json_node_get_object(root);
}

/* the protocol version, then every string member */
static gboolean
imss_server_answer_get_members(JsonObject *obj, ImssServerAnswerMembers *m, GError **error)
{
	JsonNode *proto = json_object_get_member(obj, IMSS_PROTOCOL_MEMBER_PROTOCOL);

	if (proto == NULL || !JSON_NODE_HOLDS_VALUE(proto) ||
	    json_node_get_value_type(proto) != G_TYPE_INT64 ||
	    json_node_get_int(proto) != IMSS_PROTOCOL_VERSION)
		return imss_server_answer_fail(error, "protocol is not 1");
	return imss_server_answer_get_string(obj, IMSS_PROTOCOL_MEMBER_CODE, &m->code, error) &&
	       imss_server_answer_get_string(obj, IMSS_PROTOCOL_MEMBER_STATUS, &m->status, error) &&
	       imss_server_answer_get_string(obj, IMSS_PROTOCOL_MEMBER_EXPIRY, &m->expiry, error) &&
	       imss_server_answer_get_string(obj,
					     IMSS_PROTOCOL_MEMBER_REPLACED_BY,
					     &m->replaced_by,
					     error) &&
	       imss_server_answer_get_string(obj,
					     IMSS_PROTOCOL_MEMBER_SERVER_TIME,
					     &m->server_time,
					     error);
}

/* the expiry of a valid code: a date in the codec's range, plausible for
 * the code @asked; cleared for the other statuses */
static gboolean
imss_server_answer_set_expiry(ImssServerAnswer *answer,
			      const gchar *expiry,
			      const ImssCodeInfo *asked,
			      GError **error)
{
	if (answer->status != IMSS_SERVER_STATUS_VALID) {
		g_date_clear(&answer->expiry, 1);
		return TRUE;
	}
	if (!imss_date_parse(expiry, &answer->expiry))
		return imss_server_answer_fail(error, "expiry is not a YYYY-MM-DD date");
	/* plausible: the range activation codes can carry */
	if (!imss_date_in_range(&answer->expiry))
		return imss_server_answer_fail(error, "expiry out of range");
	return imss_server_answer_expiry_plausible(&answer->expiry, &asked->expiry, error);
}

/* only ever kept masked, whatever the server sent: the protocol sends it
 * masked already; a full code is masked here, anything else dropped */
static gchar *
imss_server_answer_mask_replacement(const gchar *replaced_by)
{
	if (replaced_by == NULL)
		return NULL;
	if (imss_code_is_masked(replaced_by))
		return g_strdup(replaced_by);
	if (imss_code_parse(replaced_by, strlen(replaced_by), NULL, NULL, NULL))
		return imss_code_mask(replaced_by);
	return NULL;
}

static gboolean
imss_server_answer_set_time(ImssServerAnswer *answer, const gchar *time_str, GError **error)
{
	g_autoptr(GDateTime) server_time = NULL;

	if (time_str == NULL)
		return imss_server_answer_fail(error, "no server_time");
	server_time = g_date_time_new_from_iso8601(time_str, NULL);
	if (server_time == NULL)
		return imss_server_answer_fail(error, "server_time is not ISO 8601 with a zone");
	answer->server_time = g_date_time_to_unix(server_time);
	return TRUE;
}

ImssServerAnswer *
imss_server_answer_parse(const gchar *data, gsize len, const gchar *code_asked, GError **error)
{
	g_autoptr(JsonParser) parser = json_parser_new_immutable();
	g_autoptr(ImssServerAnswer) answer = g_new0(ImssServerAnswer, 1);
	ImssServerAnswerMembers m = {NULL};
	JsonObject *obj;
	ImssCodeInfo asked;

	g_return_val_if_fail(data != NULL || len == 0, NULL);
	g_return_val_if_fail(error == NULL || *error == NULL, NULL);

	/* the daemon only asks about valid codes; fail closed all the same */
	if (code_asked == NULL || !imss_code_parse(code_asked, strlen(code_asked), &asked, NULL, NULL)) {
		imss_server_answer_fail(error, "asked about a code that is not valid");
		return NULL;
	}
	obj = imss_server_answer_load(parser, data, len, error);
	if (obj == NULL || !imss_server_answer_get_members(obj, &m, error))
		return NULL;

	/* the answer must be about the code we asked about */
	if (m.code == NULL || g_strcmp0(m.code, code_asked) != 0) {
		imss_server_answer_fail(error, "about another code than the one asked");
		return NULL;
	}
	if (!imss_server_status_from_string(m.status, &answer->status)) {
		imss_server_answer_fail(error, "unknown status");
		return NULL;
	}
	if (!imss_server_answer_set_expiry(answer, m.expiry, &asked, error))
		return NULL;
	answer->replaced_by = imss_server_answer_mask_replacement(m.replaced_by);
	if (!imss_server_answer_set_time(answer, m.server_time, error))
		return NULL;
	return g_steal_pointer(&answer);
}

gchar *
imss_server_request_body(const gchar *code, ImssEdition edition)
{
	g_autoptr(JsonBuilder) builder = json_builder_new();
	g_autoptr(JsonGenerator) gen = json_generator_new();
	g_autoptr(JsonNode) root = NULL;

	g_return_val_if_fail(code != NULL, NULL);

	json_builder_begin_object(builder);
	json_builder_set_member_name(builder, IMSS_PROTOCOL_MEMBER_PROTOCOL);
	json_builder_add_int_value(builder, IMSS_PROTOCOL_VERSION);
	json_builder_set_member_name(builder, IMSS_PROTOCOL_MEMBER_PRODUCT);
	json_builder_add_string_value(builder, imss_edition_to_string(edition));
	json_builder_set_member_name(builder, IMSS_PROTOCOL_MEMBER_PRODUCT_VERSION);
	json_builder_add_string_value(builder, IMSS_PROTOCOL_PRODUCT_VERSION);
	json_builder_set_member_name(builder, IMSS_PROTOCOL_MEMBER_CODE);
	json_builder_add_string_value(builder, code);
	json_builder_end_object(builder);
	root = json_builder_get_root(builder);
	json_generator_set_root(gen, root);
	return json_generator_to_data(gen, NULL);
}

gchar *
imss_server_details_url(const gchar *update_url, const gchar *code)
{
	g_autoptr(GUri) uri = g_uri_parse(update_url, G_URI_FLAGS_NONE, NULL);
	g_autofree gchar *id = NULL;
	g_autofree gchar *query = NULL;
	g_autoptr(GUri) details = NULL;
	if (uri == NULL || code == NULL)
		return g_strdup("");
	id = imss_protocol_details_id(code);
	query = g_strdup_printf(IMSS_PROTOCOL_DETAILS_ID_PARAM "=%s", id);
	details = g_uri_build(G_URI_FLAGS_NONE,
			      g_uri_get_scheme(uri),
			      NULL,
			      g_uri_get_host(uri),
			      g_uri_get_port(uri),
			      IMSS_PROTOCOL_DETAILS_PATH,
			      query,
			      NULL);
	return g_uri_to_string(details);
}
