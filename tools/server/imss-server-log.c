/*
 * The request log of imss-license-server (see imss-server-log.h).
 */
#include "config.h"

#define G_LOG_DOMAIN "ImssLicenseServer"

#include "imss-server-log.h"

typedef struct {
	gchar *time;
	gchar *path;
	gchar *code; /* masked, "" when the request had none */
	guint status;
	gboolean stalled;
	gboolean proxy_authorization; /* the request carried Proxy-Authorization */
} LogEntry;

struct _ServerLog {
	guint max;
	GPtrArray *entries; /* of LogEntry */
};

static void
log_entry_free(LogEntry *entry)
{
	g_free(entry->time);
	g_free(entry->path);
	g_free(entry->code);
	g_free(entry);
}

ServerLog *
server_log_new(guint max)
{
	ServerLog *self;

	g_return_val_if_fail(max > 0, NULL);

	self = g_new0(ServerLog, 1);
	self->max = max;
	self->entries = g_ptr_array_new_with_free_func((GDestroyNotify)log_entry_free);
	return self;
}

void
server_log_free(ServerLog *self)
{
	if (self == NULL)
		return;
	g_ptr_array_unref(self->entries);
	g_free(self);
}

void
server_log_add(ServerLog *self,
	       SoupServerMessage *msg,
	       const gchar *masked,
	       guint status,
	       gboolean stalled)
{
	g_autoptr(GDateTime) now = g_date_time_new_now_utc();
	LogEntry *entry;
	GUri *uri;

	g_return_if_fail(self != NULL);
	g_return_if_fail(SOUP_IS_SERVER_MESSAGE(msg));

	uri = soup_server_message_get_uri(msg);
	entry = g_new0(LogEntry, 1);
	entry->time = g_date_time_format(now, "%Y-%m-%dT%H:%M:%SZ");
	entry->path = g_strdup(uri != NULL ? g_uri_get_path(uri) : "");
	entry->code = g_strdup(masked != NULL ? masked : "");
	entry->status = status;
	entry->stalled = stalled;
	entry->proxy_authorization =
	    soup_message_headers_get_one(soup_server_message_get_request_headers(msg),
					 "Proxy-Authorization") != NULL;
	if (self->entries->len >= self->max)
		g_ptr_array_remove_index(self->entries, 0);
	g_ptr_array_add(self->entries, entry);

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

void
server_log_clear(ServerLog *self)
{
	g_return_if_fail(self != NULL);

	g_ptr_array_set_size(self->entries, 0);
}

JsonNode *
server_log_to_json(ServerLog *self)
{
	g_autoptr(JsonBuilder) builder = json_builder_new();

	g_return_val_if_fail(self != NULL, NULL);

	json_builder_begin_array(builder);
	for (guint i = 0; i < self->entries->len; i++) {
		const LogEntry *entry = g_ptr_array_index(self->entries, i);

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
