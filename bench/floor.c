/*
 * The "libgda floor" (issue 13): the least a service of our shape can be —
 * the gdbus-codegen skeleton of org.imss.License exported on the system bus,
 * an SQLite database opened through libgda the way libgda does it by
 * default (every installed provider listed) and one table read. No polkit,
 * no calendar, no HTTP, no mail. bench/compare.sh runs it beside the
 * daemon; it is a yardstick, not a product.
 *
 *   floor STATE_DIR
 */
#include "config.h"

#include <gio/gio.h>
#include <libgda/libgda.h>

#include "imss-generated.h"

typedef struct {
	GMainLoop *loop;
	ImssExportedManager *manager;
	GDBusObjectManagerServer *objects;
} Floor;

static void
floor_bus_acquired_cb(GDBusConnection *bus, const gchar *name, gpointer user_data)
{
	Floor *f = user_data;
	g_autoptr(GError) error = NULL;
	if (!g_dbus_interface_skeleton_export(G_DBUS_INTERFACE_SKELETON(f->manager), bus,
					      "/org/imss/License", &error))
		g_printerr("floor: %s\n", error->message);
	g_dbus_object_manager_server_set_connection(f->objects, bus);
}

static void
floor_name_acquired_cb(GDBusConnection *bus, const gchar *name, gpointer user_data)
{
	g_message("acquired the name %s", name);
}

static void
floor_name_lost_cb(GDBusConnection *bus, const gchar *name, gpointer user_data)
{
	Floor *f = user_data;
	g_main_loop_quit(f->loop);
}

/* libgda's default way: the provider named, every installed one listed */
static gboolean
floor_read_store(const gchar *dir, GError **error)
{
	g_autofree gchar *cnc_string = g_strdup_printf("DB_DIR=%s;DB_NAME=floor", dir);
	GdaConnection *cnc;
	GdaDataModel *model;

	gda_init();
	cnc = gda_connection_open_from_string("SQLite", cnc_string, NULL, GDA_CONNECTION_OPTIONS_NONE,
					      error);
	if (cnc == NULL)
		return FALSE;
	if (gda_connection_execute_non_select_command(cnc,
						      "CREATE TABLE IF NOT EXISTS slots (slot TEXT PRIMARY KEY, "
						      "code TEXT NOT NULL, expiry TEXT NOT NULL)",
						      error) == -1)
		return FALSE;
	model = gda_connection_execute_select_command(cnc, "SELECT slot, code, expiry FROM slots", error);
	if (model == NULL)
		return FALSE;
	g_object_unref(model);
	/* kept open, as a service keeps its store */
	return TRUE;
}

int
main(int argc, char **argv)
{
	Floor f = {NULL, NULL, NULL};
	g_autoptr(GError) error = NULL;
	guint owner;

	if (argc != 2) {
		g_printerr("usage: floor STATE_DIR\n");
		return 2;
	}
	g_mkdir_with_parents(argv[1], 0700);
	if (!floor_read_store(argv[1], &error)) {
		g_printerr("floor: %s\n", error->message);
		return 1;
	}
	f.loop = g_main_loop_new(NULL, FALSE);
	f.manager = imss_exported_manager_skeleton_new();
	imss_exported_manager_set_edition(f.manager, "imsva");
	imss_exported_manager_set_daemon_version(f.manager, PACKAGE_VERSION);
	imss_exported_manager_set_node_name(f.manager, g_get_host_name());
	f.objects = g_dbus_object_manager_server_new("/org/imss/License");
	owner = g_bus_own_name(G_BUS_TYPE_SYSTEM, "org.imss.License", G_BUS_NAME_OWNER_FLAGS_NONE,
			       floor_bus_acquired_cb, floor_name_acquired_cb, floor_name_lost_cb, &f,
			       NULL);
	g_main_loop_run(f.loop);
	g_bus_unown_name(owner);
	g_object_unref(f.objects);
	g_object_unref(f.manager);
	g_main_loop_unref(f.loop);
	return 0;
}
