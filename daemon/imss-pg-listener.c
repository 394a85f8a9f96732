#define G_LOG_DOMAIN "ImssPgListener"

#include "config.h"

#include <gio/gio.h>
#include <glib-unix.h>

#include "imss-pg-link.h"
#include "imss-pg-listener.h"
#include "imss-pq.h"

/* seconds between two attempts to reconnect: 1, 2, 4, … at most this */
#define IMSS_PG_LISTENER_BACKOFF_MAX 30

struct _ImssPgListener {
	GObject parent_instance;
	GPtrArray *keywords; /* libpq's, NULL-terminated */
	GPtrArray *values;
	gchar *channel;
	PGconn *conn;
	guint watch_id;
	guint retry_id;
	guint backoff;
};

G_DEFINE_TYPE(ImssPgListener, imss_pg_listener, G_TYPE_OBJECT)

enum { SIGNAL_NOTIFIED, SIGNAL_CONNECTED, SIGNAL_LOST, SIGNAL_LAST };
static guint signals[SIGNAL_LAST] = {0};

static void imss_pg_listener_connect(ImssPgListener *self);

static void
imss_pg_listener_close(ImssPgListener *self)
{
	if (self->watch_id != 0) {
		g_source_remove(self->watch_id);
		self->watch_id = 0;
	}
	if (self->conn != NULL) {
		PQfinish(self->conn);
		self->conn = NULL;
	}
}

static gboolean
imss_pg_listener_retry_cb(gpointer user_data)
{
	ImssPgListener *self = user_data;
	self->retry_id = 0;
	imss_pg_listener_connect(self);
	return G_SOURCE_REMOVE;
}

static void
imss_pg_listener_schedule_retry(ImssPgListener *self)
{
	if (self->retry_id != 0)
		return;
	self->backoff = CLAMP(self->backoff * 2, 1, IMSS_PG_LISTENER_BACKOFF_MAX);
	self->retry_id = g_timeout_add_seconds(self->backoff, imss_pg_listener_retry_cb, self);
}

/* the connection went away: say so, and try again later */
static void
imss_pg_listener_lose(ImssPgListener *self, const gchar *why)
{
	g_autofree gchar *message = g_strstrip(g_strdup(why != NULL ? why : "connection closed"));
	gboolean was_connected = self->conn != NULL;
	imss_pg_listener_close(self);
	if (was_connected) {
		g_warning("lost the database notifications: %s; reconnecting", message);
		g_signal_emit(self, signals[SIGNAL_LOST], 0, message);
	}
	imss_pg_listener_schedule_retry(self);
}

static void
imss_pg_listener_drain(ImssPgListener *self)
{
	PGnotify *n;
	while (self->conn != NULL && (n = PQnotifies(self->conn)) != NULL) {
		g_autofree gchar *payload = g_strdup(n->extra != NULL ? n->extra : "");
		PQfreemem(n);
		g_signal_emit(self, signals[SIGNAL_NOTIFIED], 0, payload);
	}
}

static gboolean
imss_pg_listener_readable_cb(gint fd, GIOCondition condition, gpointer user_data)
{
	ImssPgListener *self = user_data;
	g_autoptr(GObject) keep = g_object_ref(G_OBJECT(self));
	if ((condition & (G_IO_HUP | G_IO_ERR | G_IO_NVAL)) != 0 || !PQconsumeInput(self->conn) ||
	    PQstatus(self->conn) != CONNECTION_OK) {
		g_autofree gchar *why = g_strdup(PQerrorMessage(self->conn));
		self->watch_id = 0; /* this source goes when we return */
		imss_pg_listener_lose(self, why);
		return G_SOURCE_REMOVE;
	}
	imss_pg_listener_drain(self);
	return G_SOURCE_CONTINUE;
}

static void
imss_pg_listener_connect(ImssPgListener *self)
{
	g_autofree gchar *sql = g_strdup_printf("LISTEN %s", self->channel);
	g_autoptr(GError) error_local = NULL;
	PGresult *res;

	imss_pg_listener_close(self);
	if (!imss_pq_load(&error_local)) {
		g_warning("database notifications not available: %s", error_local->message);
		return;
	}
	self->conn = PQconnectdbParams((const gchar *const *)self->keywords->pdata,
				       (const gchar *const *)self->values->pdata,
				       0);
	if (self->conn == NULL || PQstatus(self->conn) != CONNECTION_OK) {
		g_info("database notifications not available yet: %s",
		       self->conn != NULL ? PQerrorMessage(self->conn) : "out of memory");
		imss_pg_listener_close(self);
		imss_pg_listener_schedule_retry(self);
		return;
	}
	res = PQexec(self->conn, sql);
	if (PQresultStatus(res) != PGRES_COMMAND_OK) {
		g_warning("LISTEN %s failed: %s", self->channel, PQerrorMessage(self->conn));
		PQclear(res);
		imss_pg_listener_close(self);
		imss_pg_listener_schedule_retry(self);
		return;
	}
	PQclear(res);
	PQsetnonblocking(self->conn, 1);
	self->watch_id = g_unix_fd_add(PQsocket(self->conn),
				       G_IO_IN | G_IO_HUP | G_IO_ERR,
				       imss_pg_listener_readable_cb,
				       self);
	self->backoff = 0;
	g_debug("listening on %s", self->channel);
	g_signal_emit(self, signals[SIGNAL_CONNECTED], 0);
}

void
imss_pg_listener_start(ImssPgListener *self)
{
	g_return_if_fail(IMSS_IS_PG_LISTENER(self));
	if (self->conn == NULL && self->retry_id == 0)
		imss_pg_listener_connect(self);
}

gboolean
imss_pg_listener_is_connected(ImssPgListener *self)
{
	g_return_val_if_fail(IMSS_IS_PG_LISTENER(self), FALSE);
	return self->conn != NULL && self->watch_id != 0;
}

static void
imss_pg_listener_finalize(GObject *obj)
{
	ImssPgListener *self = IMSS_PG_LISTENER(obj);
	imss_pg_listener_close(self);
	if (self->retry_id != 0)
		g_source_remove(self->retry_id);
	g_ptr_array_unref(self->keywords);
	g_ptr_array_unref(self->values);
	g_free(self->channel);
	G_OBJECT_CLASS(imss_pg_listener_parent_class)->finalize(obj);
}

static void
imss_pg_listener_class_init(ImssPgListenerClass *klass)
{
	G_OBJECT_CLASS(klass)->finalize = imss_pg_listener_finalize;
	signals[SIGNAL_NOTIFIED] = g_signal_new("notified", G_TYPE_FROM_CLASS(klass),
						G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
						G_TYPE_NONE, 1, G_TYPE_STRING);
	signals[SIGNAL_CONNECTED] = g_signal_new("connected", G_TYPE_FROM_CLASS(klass),
						 G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
						 G_TYPE_NONE, 0);
	signals[SIGNAL_LOST] = g_signal_new("lost", G_TYPE_FROM_CLASS(klass), G_SIGNAL_RUN_LAST, 0,
					    NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_STRING);
}

static void
imss_pg_listener_init(ImssPgListener *self)
{
	self->keywords = g_ptr_array_new_with_free_func(g_free);
	self->values = g_ptr_array_new_with_free_func(g_free);
}

ImssPgListener *
imss_pg_listener_new(const gchar *cnc, const gchar *auth, const gchar *channel)
{
	ImssPgListener *self;
	g_return_val_if_fail(cnc != NULL, NULL);
	g_return_val_if_fail(channel != NULL && *channel != '\0', NULL);
	for (const gchar *c = channel; *c != '\0'; c++)
		g_return_val_if_fail(g_ascii_isalnum(*c) || *c == '_', NULL);
	self = g_object_new(IMSS_TYPE_PG_LISTENER, NULL);
	self->channel = g_strdup(channel);
	imss_pg_params_add_from_gda(self->keywords, self->values, cnc, auth,
				    "imss-licensed (notifications)");
	return self;
}
