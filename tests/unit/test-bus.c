/*
 * common/imss-bus.h: the names every program uses are valid D-Bus names and
 * the ones the introspection XML declares.
 */
#include "config.h"

#include "imss-bus.h"
#include "imss-error.h"
#include "imss-generated.h"
#include "imss-slot.h"

static void
test_bus_names(void)
{
	g_assert_true(g_dbus_is_name(IMSS_BUS_NAME));
	g_assert_false(g_dbus_is_unique_name(IMSS_BUS_NAME));
	g_assert_true(g_variant_is_object_path(IMSS_BUS_OBJECT_PATH));
	g_assert_true(g_dbus_is_interface_name(IMSS_BUS_MANAGER_IFACE));
	g_assert_true(g_dbus_is_interface_name(IMSS_BUS_SLOT_IFACE));
	g_assert_true(g_dbus_is_interface_name(IMSS_BUS_VIRTUAL_CLOCK_IFACE));
}

/* the interface names are the XML's (gdbus-codegen's interface info) */
static void
test_bus_interfaces(void)
{
	g_assert_cmpstr(imss_exported_manager_interface_info()->name, ==, IMSS_BUS_MANAGER_IFACE);
	g_assert_cmpstr(imss_exported_slot_interface_info()->name, ==, IMSS_BUS_SLOT_IFACE);
	g_assert_cmpstr(
	    imss_exported_virtual_clock_interface_info()->name, ==, IMSS_BUS_VIRTUAL_CLOCK_IFACE);
}

static void
test_bus_slot_paths(void)
{
	g_autofree gchar *path = NULL;

	for (guint i = 0; i < IMSS_SLOT_LAST; i++) {
		g_autofree gchar *p = imss_slot_object_path((ImssSlotId)i);
		g_assert_true(g_variant_is_object_path(p));
		g_assert_true(g_str_has_prefix(p, IMSS_BUS_SLOT_PATH_PREFIX));
	}
	path = imss_slot_object_path(IMSS_SLOT_CLOUD_PREFILTER);
	g_assert_cmpstr(path, ==, "/org/imss/License/slot/cloud_prefilter");
}

/* every error of the domain goes on the bus as PREFIX + its name */
static void
test_bus_error_names(void)
{
	for (guint i = 0; i < IMSS_ERROR_LAST; i++) {
		g_autoptr(GError) error = g_error_new_literal(IMSS_ERROR, (gint)i, "x");
		g_autofree gchar *name = g_dbus_error_encode_gerror(error);
		g_autofree gchar *expected =
		    g_strconcat(IMSS_BUS_ERROR_PREFIX, imss_error_to_name((ImssError)i), NULL);
		g_assert_cmpstr(name, ==, expected);
	}
	g_assert_cmpstr(imss_error_to_name(IMSS_ERROR_INVALID_ANSWER), ==, "InvalidServerAnswer");
}

int
main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/imss/bus/names", test_bus_names);
	g_test_add_func("/imss/bus/interfaces", test_bus_interfaces);
	g_test_add_func("/imss/bus/slot-paths", test_bus_slot_paths);
	g_test_add_func("/imss/bus/error-names", test_bus_error_names);
	return g_test_run();
}
