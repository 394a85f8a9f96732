/*
 * The bus adapter: owns org.imss.License, exports the manager and slot
 * objects, asks polkit, converts errors. The only files that know GDBus
 * (imss-daemon*.c, see imss-daemon-private.h).
 */
#pragma once

#include <gio/gio.h>

#include "imss-license-manager.h"

G_BEGIN_DECLS

#define IMSS_TYPE_DAEMON (imss_daemon_get_type())
G_DECLARE_FINAL_TYPE(ImssDaemon, imss_daemon, IMSS, DAEMON, GObject)

ImssDaemon *
imss_daemon_new(ImssLicenseManager *manager);
/* Owns the name on the system bus (DBUS_SYSTEM_BUS_ADDRESS is honoured).
 * "lost" is emitted when the name or the bus goes away. @started_at is the
 * monotonic time the process started, for the "ready" log line. */
void
imss_daemon_start(ImssDaemon *self, gint64 started_at);
/* Exports on an existing connection (tests). */
gboolean
imss_daemon_export(ImssDaemon *self, GDBusConnection *connection, GError **error);
void
imss_daemon_unexport(ImssDaemon *self);

G_END_DECLS
