/*
 * The names of imss-licensed on the system bus: the well-known name, the
 * object paths and the interface names of the XML in introspection/. The daemon,
 * the CLI, the notifier and the benchmarks all take them from here
 * (tests/unit/test-bus.c checks them against the XML).
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* The well-known name the daemon owns. */
#define IMSS_BUS_NAME "org.imss.License"
/* The manager object (org.imss.License, VirtualClock, ObjectManager). */
#define IMSS_BUS_OBJECT_PATH "/org/imss/License"
/* A slot object is this prefix followed by the slot id, '-' → '_'
 * (imss_slot_object_path()). */
#define IMSS_BUS_SLOT_PATH_PREFIX IMSS_BUS_OBJECT_PATH "/slot/"

#define IMSS_BUS_MANAGER_IFACE "org.imss.License"
#define IMSS_BUS_SLOT_IFACE "org.imss.License.Slot"
#define IMSS_BUS_VIRTUAL_CLOCK_IFACE "org.imss.License.VirtualClock"

/* The D-Bus error names of IMSS_ERROR are this prefix and the name
 * (imss_error_to_name()). */
#define IMSS_BUS_ERROR_PREFIX "org.imss.License.Error."

G_END_DECLS
