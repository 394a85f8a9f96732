/*
 * The request log of imss-license-server: the protocol requests received
 * (codes masked), the newest only, as GET /admin/log shows them.
 */
#pragma once

#include <json-glib/json-glib.h>
#include <libsoup/soup.h>

G_BEGIN_DECLS

typedef struct _ServerLog ServerLog;

/* A log that keeps the newest @max entries. */
ServerLog *
server_log_new(guint max) G_GNUC_WARN_UNUSED_RESULT;
void
server_log_free(ServerLog *self);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(ServerLog, server_log_free)

/* Records @msg: its path, @masked (the masked code, NULL: none), the HTTP
 * @status sent or @stalled; logged with g_info() too (--verbose). */
void
server_log_add(ServerLog *self,
	       SoupServerMessage *msg,
	       const gchar *masked,
	       guint status,
	       gboolean stalled);
/* Forgets every entry. */
void
server_log_clear(ServerLog *self);
/* [{"time", "path", "code", "status", "proxy_authorization"}], oldest
 * first. */
JsonNode *
server_log_to_json(ServerLog *self) G_GNUC_WARN_UNUSED_RESULT;

G_END_DECLS
