/*
 * Held-back answers of imss-license-server (see imss-server-pending.h).
 */
#include "config.h"

#define G_LOG_DOMAIN "ImssLicenseServer"

#include "imss-server-http.h"
#include "imss-server-pending.h"

typedef struct {
	ServerPending *owner;
	SoupServerMessage *msg;
	guint timeout_id; /* slow: the delayed answer */
	gboolean stalled;
	gboolean released; /* unpaused, waiting for libsoup to finish it */
} PendingMessage;

struct _ServerPending {
	GPtrArray *messages; /* of PendingMessage */
};

static void
pending_message_free(PendingMessage *pending)
{
	g_signal_handlers_disconnect_by_data(pending->msg, pending);
	g_clear_handle_id(&pending->timeout_id, g_source_remove);
	g_object_unref(pending->msg);
	g_free(pending);
}

ServerPending *
server_pending_new(void)
{
	ServerPending *self = g_new0(ServerPending, 1);

	self->messages = g_ptr_array_new_with_free_func((GDestroyNotify)pending_message_free);
	return self;
}

void
server_pending_free(ServerPending *self)
{
	if (self == NULL)
		return;
	g_ptr_array_unref(self->messages);
	g_free(self);
}

static void
server_pending_finished_cb(SoupServerMessage *msg G_GNUC_UNUSED, gpointer user_data)
{
	PendingMessage *pending = user_data;

	/* frees @pending */
	g_ptr_array_remove(pending->owner->messages, pending);
}

static void
server_pending_release_one(PendingMessage *pending)
{
	if (pending->released)
		return;
	g_clear_handle_id(&pending->timeout_id, g_source_remove);
	if (pending->stalled) {
		soup_message_headers_replace(soup_server_message_get_response_headers(pending->msg),
					     "Connection",
					     "close");
		server_http_set_error(pending->msg,
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
	server_pending_release_one(pending);
	return G_SOURCE_REMOVE;
}

void
server_pending_hold(ServerPending *self, SoupServerMessage *msg, gboolean stalled, gdouble delay)
{
	PendingMessage *pending;

	g_return_if_fail(self != NULL);
	g_return_if_fail(SOUP_IS_SERVER_MESSAGE(msg));
	g_return_if_fail(stalled || delay >= 0);

	pending = g_new0(PendingMessage, 1);
	pending->owner = self;
	pending->msg = g_object_ref(msg);
	pending->stalled = stalled;
	g_signal_connect(msg, "finished", G_CALLBACK(server_pending_finished_cb), pending);
	g_signal_connect(msg, "disconnected", G_CALLBACK(server_pending_finished_cb), pending);
	if (!stalled) {
		pending->timeout_id = g_timeout_add((guint)(delay * 1000.0),
						    server_pending_timeout_cb,
						    pending);
	}
	g_ptr_array_add(self->messages, pending);
	soup_server_message_pause(msg);
}

void
server_pending_release(ServerPending *self, gboolean all)
{
	g_return_if_fail(self != NULL);

	/* releasing never frees: libsoup finishes the message later */
	for (guint i = 0; i < self->messages->len; i++) {
		PendingMessage *pending = g_ptr_array_index(self->messages, i);

		if (all || pending->stalled)
			server_pending_release_one(pending);
	}
}

guint
server_pending_count(ServerPending *self)
{
	g_return_val_if_fail(self != NULL, 0);

	return self->messages->len;
}

void
server_pending_clear(ServerPending *self)
{
	g_return_if_fail(self != NULL);

	g_ptr_array_set_size(self->messages, 0);
}
