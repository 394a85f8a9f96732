/*
 * The bus adapter's object: exporting the manager and slot objects, owning
 * the name. Its boundary is in -auth.c, its properties and signals in
 * -properties.c, its methods in -methods-*.c (imss-daemon-private.h).
 */
#define G_LOG_DOMAIN "ImssDaemon"

#include "config.h"

#include "imss-bus.h"
#include "imss-daemon-private.h"
#include "imss-skeleton.h"

enum { SIGNAL_LOST, SIGNAL_ACQUIRED, SIGNAL_LAST };
static guint signals[SIGNAL_LAST] = {0};

G_DEFINE_TYPE(ImssDaemon, imss_daemon, G_TYPE_OBJECT)

/* -- bus ----------------------------------------------------------------------- */

gboolean
imss_daemon_export(ImssDaemon *self, GDBusConnection *connection, GError **error)
{
	g_return_val_if_fail(IMSS_IS_DAEMON(self), FALSE);
	g_return_val_if_fail(G_IS_DBUS_CONNECTION(connection), FALSE);
	g_return_val_if_fail(error == NULL || *error == NULL, FALSE);
	g_return_val_if_fail(self->connection == NULL, FALSE);

	self->connection = g_object_ref(connection);
	imss_daemon_sync_all(self);
	if (!g_dbus_interface_skeleton_export(G_DBUS_INTERFACE_SKELETON(self->skeleton),
					      connection,
					      IMSS_BUS_OBJECT_PATH,
					      error))
		return FALSE;
	if (self->virtual_clock != NULL &&
	    !g_dbus_interface_skeleton_export(G_DBUS_INTERFACE_SKELETON(self->virtual_clock),
					      connection,
					      IMSS_BUS_OBJECT_PATH,
					      error))
		return FALSE;
	g_dbus_object_manager_server_set_connection(self->object_manager, connection);
	self->reads_filter = imss_skeleton_serve(connection);
	return TRUE;
}

void
imss_daemon_unexport(ImssDaemon *self)
{
	g_return_if_fail(IMSS_IS_DAEMON(self));

	if (self->connection == NULL)
		return;
	if (self->reads_filter != 0) {
		imss_skeleton_unserve(self->connection, self->reads_filter);
		self->reads_filter = 0;
	}
	g_dbus_interface_skeleton_unexport(G_DBUS_INTERFACE_SKELETON(self->skeleton));
	if (self->virtual_clock != NULL)
		g_dbus_interface_skeleton_unexport(G_DBUS_INTERFACE_SKELETON(self->virtual_clock));
	g_dbus_object_manager_server_set_connection(self->object_manager, NULL);
	g_clear_object(&self->connection);
}

static void
imss_daemon_bus_acquired_cb(GDBusConnection *connection, const gchar *name, gpointer user_data)
{
	ImssDaemon *self = IMSS_DAEMON(user_data);
	g_autoptr(GError) error_local = NULL;

	/* a lost bus must end the process with a failure so the unit restarts */
	g_dbus_connection_set_exit_on_close(connection, FALSE);
	if (!imss_daemon_export(self, connection, &error_local)) {
		g_warning("failed to export objects: %s", error_local->message);
		g_signal_emit(self, signals[SIGNAL_LOST], 0);
	}
}

static void
imss_daemon_name_acquired_cb(GDBusConnection *connection, const gchar *name, gpointer user_data)
{
	ImssDaemon *self = IMSS_DAEMON(user_data);
	g_message("acquired the name %s, %.1f ms after start",
		  name,
		  (g_get_monotonic_time() - self->started_at) / 1000.0);
	g_signal_emit(self, signals[SIGNAL_ACQUIRED], 0);
}

static void
imss_daemon_name_lost_cb(GDBusConnection *connection, const gchar *name, gpointer user_data)
{
	ImssDaemon *self = IMSS_DAEMON(user_data);
	if (connection == NULL)
		g_warning("cannot connect to the system bus");
	else
		g_warning("lost or could not acquire the name %s", name);
	g_signal_emit(self, signals[SIGNAL_LOST], 0);
}

void
imss_daemon_start(ImssDaemon *self, gint64 started_at)
{
	g_return_if_fail(IMSS_IS_DAEMON(self));
	g_return_if_fail(self->owner_id == 0);

	self->started_at = started_at;
	self->owner_id = g_bus_own_name(G_BUS_TYPE_SYSTEM,
					IMSS_BUS_NAME,
					G_BUS_NAME_OWNER_FLAGS_NONE,
					imss_daemon_bus_acquired_cb,
					imss_daemon_name_acquired_cb,
					imss_daemon_name_lost_cb,
					self,
					NULL);
}

static void
imss_daemon_dispose(GObject *obj)
{
	ImssDaemon *self = IMSS_DAEMON(obj);
	if (self->owner_id != 0) {
		g_bus_unown_name(self->owner_id);
		self->owner_id = 0;
	}
	imss_daemon_unexport(self);
	if (self->manager != NULL)
		g_signal_handlers_disconnect_by_data(self->manager, self);
	G_OBJECT_CLASS(imss_daemon_parent_class)->dispose(obj);
}

static void
imss_daemon_finalize(GObject *obj)
{
	ImssDaemon *self = IMSS_DAEMON(obj);
	for (guint i = 0; i < IMSS_SLOT_LAST; i++)
		g_clear_object(&self->slots[i]);
	g_clear_object(&self->object_manager);
	g_clear_object(&self->virtual_clock);
	g_clear_object(&self->skeleton);
	g_clear_object(&self->polkit);
	g_clear_object(&self->manager);
	g_clear_pointer(&self->history_sent, g_hash_table_unref);
	G_OBJECT_CLASS(imss_daemon_parent_class)->finalize(obj);
}

static void
imss_daemon_class_init(ImssDaemonClass *klass)
{
	GObjectClass *object_class = G_OBJECT_CLASS(klass);
	object_class->dispose = imss_daemon_dispose;
	object_class->finalize = imss_daemon_finalize;
	/* the name is ours: signals reach the bus from now on */
	signals[SIGNAL_ACQUIRED] = g_signal_new("acquired",
						G_TYPE_FROM_CLASS(klass),
						G_SIGNAL_RUN_LAST,
						0,
						NULL,
						NULL,
						NULL,
						G_TYPE_NONE,
						0);
	signals[SIGNAL_LOST] = g_signal_new("lost",
					    G_TYPE_FROM_CLASS(klass),
					    G_SIGNAL_RUN_LAST,
					    0,
					    NULL,
					    NULL,
					    NULL,
					    G_TYPE_NONE,
					    0);
}

static void
imss_daemon_init(ImssDaemon *self)
{
	self->polkit = imss_polkit_new();
	self->skeleton = imss_skeleton_new_manager();
	self->object_manager = g_dbus_object_manager_server_new(IMSS_BUS_OBJECT_PATH);
}

/* one object per slot, under the object manager */
static void
imss_daemon_add_slots(ImssDaemon *self)
{
	for (guint i = 0; i < IMSS_SLOT_LAST; i++) {
		g_autofree gchar *path = imss_slot_object_path((ImssSlotId)i);
		g_autoptr(GDBusObjectSkeleton) object = g_dbus_object_skeleton_new(path);
		self->slots[i] = imss_skeleton_new_slot();
		g_dbus_object_skeleton_add_interface(object,
						     G_DBUS_INTERFACE_SKELETON(self->slots[i]));
		g_dbus_object_manager_server_export(self->object_manager, object);
	}
}

ImssDaemon *
imss_daemon_new(ImssLicenseManager *manager)
{
	ImssDaemon *self;

	g_return_val_if_fail(IMSS_IS_LICENSE_MANAGER(manager), NULL);

	self = g_object_new(IMSS_TYPE_DAEMON, NULL);
	self->manager = g_object_ref(manager);

	imss_exported_manager_set_edition(
	    self->skeleton,
	    imss_edition_to_string(imss_license_manager_get_edition(manager)));
	imss_exported_manager_set_daemon_version(self->skeleton, PACKAGE_VERSION);
	imss_daemon_connect_license_methods(self);
	imss_daemon_connect_admin_methods(self);
	imss_daemon_connect_settings_methods(self);
	imss_daemon_connect_clock_methods(self);
	imss_daemon_add_slots(self);
	imss_daemon_watch_manager(self);
	return self;
}
