/*
 * ImssClient: construction, the sync and the async way: the system bus,
 * the manager's proxy, the six slots' proxies and the daemon's date.
 */
#define G_LOG_DOMAIN "ImssLicense"

#include "config.h"

#include "imss-bus.h"
#include "imss-client-private.h"
#include "imss-slot-private.h"
#include "imss-slot.h"

/* -- construction ------------------------------------------------------------ */

static GDBusProxyFlags
imss_client_proxy_flags(ImssClient *self)
{
	GDBusProxyFlags flags = G_DBUS_PROXY_FLAGS_GET_INVALIDATED_PROPERTIES;
	if (self->flags & IMSS_CLIENT_FLAGS_DO_NOT_AUTO_START)
		flags |= G_DBUS_PROXY_FLAGS_DO_NOT_AUTO_START;
	return flags;
}

/* the slots' proxies never start the daemon: the manager's did already */
static GDBusProxyFlags
imss_client_slot_proxy_flags(ImssClient *self)
{
	return imss_client_proxy_flags(self) | G_DBUS_PROXY_FLAGS_DO_NOT_AUTO_START |
	       G_DBUS_PROXY_FLAGS_DO_NOT_CONNECT_SIGNALS;
}

/* everything after the proxies exist: takes @slot_proxies (IMSS_SLOT_LAST) */
static gboolean
imss_client_initable_init(GInitable *initable, GCancellable *cancellable, GError **error)
{
	ImssClient *self = IMSS_CLIENT(initable);
	GDBusProxy *slot_proxies[IMSS_SLOT_LAST] = {NULL};
	g_autoptr(GVariant) reply = NULL;
	g_autoptr(GError) error_local = NULL;

	self->connection = g_bus_get_sync(G_BUS_TYPE_SYSTEM, cancellable, error);
	if (self->connection == NULL)
		return FALSE;
	self->manager = imss_exported_manager_proxy_new_sync(self->connection,
							     imss_client_proxy_flags(self),
							     IMSS_BUS_NAME,
							     IMSS_BUS_OBJECT_PATH,
							     cancellable,
							     error);
	if (self->manager == NULL)
		return FALSE;
	for (guint i = 0; i < IMSS_SLOT_LAST; i++) {
		g_autofree gchar *path = imss_slot_object_path((ImssSlotId)i);
		slot_proxies[i] = G_DBUS_PROXY(
		    imss_exported_slot_proxy_new_sync(self->connection,
						      imss_client_slot_proxy_flags(self),
						      IMSS_BUS_NAME,
						      path,
						      cancellable,
						      error));
		if (slot_proxies[i] == NULL) {
			for (guint j = 0; j < i; j++)
				g_object_unref(slot_proxies[j]);
			return FALSE;
		}
	}
	imss_client_setup(self, slot_proxies);
	/* the date days left count from; without it they are unknown */
	if (imss_client_get_daemon_running(self)) {
		reply = g_dbus_proxy_call_sync(G_DBUS_PROXY(self->manager),
					       "GetClock",
					       NULL,
					       G_DBUS_CALL_FLAGS_NO_AUTO_START,
					       -1,
					       cancellable,
					       &error_local);
		if (reply != NULL) {
			g_autoptr(GVariant) clock = g_variant_get_child_value(reply, 0);
			if (!imss_client_take_clock(self, clock, &error_local))
				g_debug("the daemon's clock: %s", error_local->message);
		} else {
			g_debug("cannot read the daemon's clock: %s", error_local->message);
		}
	}
	return TRUE;
}

void
imss_client_initable_iface_init(GInitableIface *iface)
{
	iface->init = imss_client_initable_init;
}

/* the asynchronous construction: the bus, the manager's proxy, the slots'
 * proxies one after the other, the clock */
typedef struct {
	GDBusProxy *slot_proxies[IMSS_SLOT_LAST];
	guint n_slots;
} ImssClientInit;

static void
imss_client_init_free(ImssClientInit *data)
{
	for (guint i = 0; i < IMSS_SLOT_LAST; i++)
		g_clear_object(&data->slot_proxies[i]);
	g_free(data);
}

static void
imss_client_init_next_slot(GTask *task);

static void
imss_client_init_clock_cb(GObject *source, GAsyncResult *res, gpointer user_data)
{
	g_autoptr(GTask) task = G_TASK(user_data);
	g_autoptr(GError) error = NULL;
	g_autoptr(GVariant) clock = imss_client_get_clock_finish(IMSS_CLIENT(source), res, &error);

	if (clock == NULL)
		g_debug("cannot read the daemon's clock: %s", error->message);
	g_task_return_boolean(task, TRUE);
}

static void
imss_client_init_slot_cb(GObject *source, GAsyncResult *res, gpointer user_data)
{
	g_autoptr(GTask) task = G_TASK(user_data);
	ImssClientInit *data = g_task_get_task_data(task);
	GError *error = NULL;
	ImssExportedSlot *proxy = imss_exported_slot_proxy_new_finish(res, &error);

	if (proxy == NULL) {
		g_task_return_error(task, error);
		return;
	}
	data->slot_proxies[data->n_slots++] = G_DBUS_PROXY(proxy);
	imss_client_init_next_slot(g_steal_pointer(&task));
}

static void
imss_client_init_next_slot(GTask *task)
{
	ImssClient *self = g_task_get_source_object(task);
	ImssClientInit *data = g_task_get_task_data(task);
	g_autofree gchar *path = NULL;

	if (data->n_slots == IMSS_SLOT_LAST) {
		imss_client_setup(self, data->slot_proxies);
		if (!imss_client_get_daemon_running(self)) {
			g_task_return_boolean(task, TRUE);
			g_object_unref(task);
			return;
		}
		imss_client_get_clock_async(self,
					    g_task_get_cancellable(task),
					    imss_client_init_clock_cb,
					    task);
		return;
	}
	path = imss_slot_object_path((ImssSlotId)data->n_slots);
	imss_exported_slot_proxy_new(self->connection,
				     imss_client_slot_proxy_flags(self),
				     IMSS_BUS_NAME,
				     path,
				     g_task_get_cancellable(task),
				     imss_client_init_slot_cb,
				     task);
}

static void
imss_client_init_manager_cb(GObject *source, GAsyncResult *res, gpointer user_data)
{
	g_autoptr(GTask) task = G_TASK(user_data);
	ImssClient *self = g_task_get_source_object(task);
	GError *error = NULL;

	self->manager = imss_exported_manager_proxy_new_finish(res, &error);
	if (self->manager == NULL) {
		g_task_return_error(task, error);
		return;
	}
	imss_client_init_next_slot(g_steal_pointer(&task));
}

static void
imss_client_init_bus_cb(GObject *source, GAsyncResult *res, gpointer user_data)
{
	g_autoptr(GTask) task = G_TASK(user_data);
	ImssClient *self = g_task_get_source_object(task);
	/* read before the task is stolen: the order in which C evaluates
	 * the arguments is not defined */
	GCancellable *cancellable = g_task_get_cancellable(task);
	GError *error = NULL;

	self->connection = g_bus_get_finish(res, &error);
	if (self->connection == NULL) {
		g_task_return_error(task, error);
		return;
	}
	imss_exported_manager_proxy_new(self->connection,
					imss_client_proxy_flags(self),
					IMSS_BUS_NAME,
					IMSS_BUS_OBJECT_PATH,
					cancellable,
					imss_client_init_manager_cb,
					g_steal_pointer(&task));
}

static void
imss_client_init_async(GAsyncInitable *initable,
		       int io_priority,
		       GCancellable *cancellable,
		       GAsyncReadyCallback callback,
		       gpointer user_data)
{
	GTask *task = g_task_new(initable, cancellable, callback, user_data);
	g_task_set_source_tag(task, imss_client_init_async);
	g_task_set_task_data(task, g_new0(ImssClientInit, 1), (GDestroyNotify)imss_client_init_free);
	g_bus_get(G_BUS_TYPE_SYSTEM, cancellable, imss_client_init_bus_cb, task);
}

static gboolean
imss_client_init_finish(GAsyncInitable *initable, GAsyncResult *res, GError **error)
{
	g_return_val_if_fail(g_task_is_valid(res, initable), FALSE);
	return g_task_propagate_boolean(G_TASK(res), error);
}

void
imss_client_async_initable_iface_init(GAsyncInitableIface *iface)
{
	iface->init_async = imss_client_init_async;
	iface->init_finish = imss_client_init_finish;
}

/**
 * imss_client_new_async:
 * @flags: how to talk to the daemon
 * @cancellable: (nullable): a #GCancellable
 * @callback: called when the client is ready
 * @user_data: data for @callback
 *
 * Connects to the system bus and reads the daemon's properties and slots.
 * The daemon need not run: the client follows it when it starts.
 */
void
imss_client_new_async(ImssClientFlags flags,
		      GCancellable *cancellable,
		      GAsyncReadyCallback callback,
		      gpointer user_data)
{
	g_return_if_fail(cancellable == NULL || G_IS_CANCELLABLE(cancellable));
	g_async_initable_new_async(IMSS_TYPE_CLIENT,
				   G_PRIORITY_DEFAULT,
				   cancellable,
				   callback,
				   user_data,
				   "flags",
				   flags,
				   NULL);
}

/**
 * imss_client_new_finish:
 * @result: the result passed to the callback
 * @error: return location for a #GError
 *
 * Returns: (transfer full): the client, or %NULL when the system bus cannot
 *   be reached
 */
ImssClient *
imss_client_new_finish(GAsyncResult *result, GError **error)
{
	g_autoptr(GObject) source = g_async_result_get_source_object(result);
	GObject *object = g_async_initable_new_finish(G_ASYNC_INITABLE(source), result, error);
	return object != NULL ? IMSS_CLIENT(object) : NULL;
}

/**
 * imss_client_new_sync:
 * @flags: how to talk to the daemon
 * @cancellable: (nullable): a #GCancellable
 * @error: return location for a #GError
 *
 * The blocking imss_client_new_async(), for scripts and command lines.
 *
 * Returns: (transfer full): the client, or %NULL when the system bus cannot
 *   be reached
 */
ImssClient *
imss_client_new_sync(ImssClientFlags flags, GCancellable *cancellable, GError **error)
{
	g_return_val_if_fail(cancellable == NULL || G_IS_CANCELLABLE(cancellable), NULL);
	return g_initable_new(IMSS_TYPE_CLIENT, cancellable, error, "flags", flags, NULL);
}
