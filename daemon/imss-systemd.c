#define G_LOG_DOMAIN "ImssSystemd"

#include "config.h"

#include "imss-systemd.h"

#define SD_NAME	     "org.freedesktop.systemd1"
#define SD_PATH	     "/org/freedesktop/systemd1"
#define SD_MANAGER   "org.freedesktop.systemd1.Manager"

struct _ImssSystemd {
	GObject parent_instance;
	guint job_timeout;
};

G_DEFINE_TYPE(ImssSystemd, imss_systemd, G_TYPE_OBJECT)

typedef struct {
	GDBusConnection *bus;
	gchar *unit;
	gchar *job; /* object path, once known */
	gchar *result; /* from JobRemoved, possibly before RestartUnit returned */
	gchar *result_job;
	guint subscription;
	guint timeout_id;
} ImssRestart;

static void
imss_restart_free(ImssRestart *r)
{
	if (r->subscription != 0)
		g_dbus_connection_signal_unsubscribe(r->bus, r->subscription);
	if (r->timeout_id != 0)
		g_source_remove(r->timeout_id);
	g_clear_object(&r->bus);
	g_free(r->unit);
	g_free(r->job);
	g_free(r->result);
	g_free(r->result_job);
	g_free(r);
}

static void
imss_restart_complete(GTask *task, const gchar *result)
{
	ImssRestart *r = g_task_get_task_data(task);
	if (r->subscription != 0) {
		g_dbus_connection_signal_unsubscribe(r->bus, r->subscription);
		r->subscription = 0;
	}
	if (r->timeout_id != 0) {
		g_source_remove(r->timeout_id);
		r->timeout_id = 0;
	}
	g_task_return_pointer(task, g_strdup(result), g_free);
	g_object_unref(task);
}

static void
imss_restart_job_removed_cb(GDBusConnection *bus,
			    const gchar *sender,
			    const gchar *path,
			    const gchar *iface,
			    const gchar *signal,
			    GVariant *params,
			    gpointer user_data)
{
	GTask *task = G_TASK(user_data);
	ImssRestart *r = g_task_get_task_data(task);
	guint32 id;
	const gchar *job, *unit, *result;
	if (!g_variant_is_of_type(params, G_VARIANT_TYPE("(uoss)")))
		return;
	g_variant_get(params, "(u&o&s&s)", &id, &job, &unit, &result);
	if (r->job == NULL) {
		/* the job may end before RestartUnit's reply reaches us */
		if (g_strcmp0(unit, r->unit) == 0) {
			g_free(r->result_job);
			g_free(r->result);
			r->result_job = g_strdup(job);
			r->result = g_strdup(result);
		}
		return;
	}
	if (g_strcmp0(job, r->job) == 0)
		imss_restart_complete(task, result);
}

static gboolean
imss_restart_timeout_cb(gpointer user_data)
{
	GTask *task = G_TASK(user_data);
	ImssRestart *r = g_task_get_task_data(task);
	r->timeout_id = 0;
	if (r->subscription != 0) {
		g_dbus_connection_signal_unsubscribe(r->bus, r->subscription);
		r->subscription = 0;
	}
	g_task_return_new_error(task,
				G_IO_ERROR,
				G_IO_ERROR_TIMED_OUT,
				"no result for the restart of %s",
				r->unit);
	g_object_unref(task);
	return G_SOURCE_REMOVE;
}

static void
imss_restart_unit_cb(GObject *source, GAsyncResult *res, gpointer user_data)
{
	GTask *task = G_TASK(user_data);
	ImssRestart *r = g_task_get_task_data(task);
	ImssSystemd *self = g_task_get_source_object(task);
	g_autoptr(GError) error_local = NULL;
	g_autoptr(GVariant) reply = g_dbus_connection_call_finish(G_DBUS_CONNECTION(source), res, &error_local);
	if (reply == NULL) {
		g_dbus_error_strip_remote_error(error_local);
		g_task_return_new_error(task,
					G_IO_ERROR,
					G_IO_ERROR_FAILED,
					"RestartUnit(%s) failed: %s",
					r->unit,
					error_local->message);
		g_object_unref(task);
		return;
	}
	g_variant_get(reply, "(o)", &r->job);
	g_debug("restart of %s queued as %s", r->unit, r->job);
	if (r->result != NULL && g_strcmp0(r->result_job, r->job) == 0) {
		g_autofree gchar *result = g_strdup(r->result);
		imss_restart_complete(task, result);
		return;
	}
	r->timeout_id = g_timeout_add_seconds(self->job_timeout, imss_restart_timeout_cb, task);
}

static void
imss_restart_bus_cb(GObject *source, GAsyncResult *res, gpointer user_data)
{
	GTask *task = G_TASK(user_data);
	ImssRestart *r = g_task_get_task_data(task);
	g_autoptr(GError) error_local = NULL;
	r->bus = g_bus_get_finish(res, &error_local);
	if (r->bus == NULL) {
		g_task_return_error(task, g_steal_pointer(&error_local));
		g_object_unref(task);
		return;
	}
	/* subscribe before asking, so that no result can be missed */
	r->subscription = g_dbus_connection_signal_subscribe(r->bus,
							     SD_NAME,
							     SD_MANAGER,
							     "JobRemoved",
							     SD_PATH,
							     NULL,
							     G_DBUS_SIGNAL_FLAGS_NONE,
							     imss_restart_job_removed_cb,
							     task,
							     NULL);
	/* systemd sends JobRemoved to subscribed clients only */
	g_dbus_connection_call(r->bus, SD_NAME, SD_PATH, SD_MANAGER, "Subscribe", NULL, NULL,
			       G_DBUS_CALL_FLAGS_NO_AUTO_START, 10000, NULL, NULL, NULL);
	g_dbus_connection_call(r->bus,
			       SD_NAME,
			       SD_PATH,
			       SD_MANAGER,
			       "RestartUnit",
			       g_variant_new("(ss)", r->unit, "replace"),
			       G_VARIANT_TYPE("(o)"),
			       G_DBUS_CALL_FLAGS_NO_AUTO_START,
			       30000,
			       g_task_get_cancellable(task),
			       imss_restart_unit_cb,
			       task);
}

void
imss_systemd_restart_unit_async(ImssSystemd *self,
				const gchar *unit,
				GCancellable *cancellable,
				GAsyncReadyCallback callback,
				gpointer user_data)
{
	GTask *task = NULL;
	ImssRestart *r = g_new0(ImssRestart, 1);
	g_return_if_fail(IMSS_IS_SYSTEMD(self));
	g_return_if_fail(unit != NULL);
	task = g_task_new(self, cancellable, callback, user_data);

	r->unit = g_strdup(unit);
	g_task_set_task_data(task, r, (GDestroyNotify)imss_restart_free);
	g_bus_get(G_BUS_TYPE_SYSTEM, cancellable, imss_restart_bus_cb, task);
}

gchar *
imss_systemd_restart_unit_finish(ImssSystemd *self, GAsyncResult *res, GError **error)
{
	g_return_val_if_fail(IMSS_IS_SYSTEMD(self), NULL);
	g_return_val_if_fail(g_task_is_valid(res, self), NULL);
	g_return_val_if_fail(error == NULL || *error == NULL, NULL);

	return g_task_propagate_pointer(G_TASK(res), error);
}

void
imss_systemd_set_job_timeout(ImssSystemd *self, guint seconds)
{
	g_return_if_fail(IMSS_IS_SYSTEMD(self));

	self->job_timeout = MAX(seconds, 1);
}

static void
imss_systemd_class_init(ImssSystemdClass *klass)
{
}

static void
imss_systemd_init(ImssSystemd *self)
{
	self->job_timeout = 300;
}

ImssSystemd *
imss_systemd_new(void)
{
	return g_object_new(IMSS_TYPE_SYSTEMD, NULL);
}
