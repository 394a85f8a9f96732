/*
 * The bus adapter's insides, shared by its files: imss-daemon.c (the object,
 * exporting, owning the name), -auth.c (argument bounds, polkit, errors at
 * the boundary), -properties.c (properties and signals from the manager's
 * signals) and the method handlers by group: -methods-license.c (activation,
 * checks, Click protection, profiles, the doctor), -methods-admin.c
 * (restarts, history, events, notices) and -methods-clock.c (the clock and
 * the virtual clock). They all talk only to the manager.
 */
#pragma once

#include "imss-daemon.h"
#include "imss-generated.h"
#include "imss-polkit.h"
#include "imss-slot.h"

G_BEGIN_DECLS

struct _ImssDaemon {
	GObject parent_instance;
	ImssLicenseManager *manager;
	ImssPolkit *polkit;
	GDBusConnection *connection;
	guint reads_filter; /* imss_skeleton_serve() on the connection */
	ImssExportedManager *skeleton;
	GDBusObjectManagerServer *object_manager;
	ImssExportedSlot *slots[IMSS_SLOT_LAST];
	ImssExportedVirtualClock *virtual_clock; /* --virtual-clock only */
	gint64 started_at;
	guint owner_id;
	/* the history page last sent: its rows, by content and time as shown,
	 * to their entries (imss-daemon-methods-admin.c) */
	GHashTable *history_sent;
};

/* errors, argument bounds and polkit (imss-daemon-auth.c) */
typedef void (*ImssDaemonAuthorizedFunc)(ImssDaemon *self,
					 GDBusMethodInvocation *invocation,
					 const gchar *caller);

void
imss_daemon_return_error(GDBusMethodInvocation *invocation, const GError *error) G_GNUC_INTERNAL;
void
imss_daemon_authorize(ImssDaemon *self,
		      GDBusMethodInvocation *invocation,
		      const gchar *action_id,
		      ImssDaemonAuthorizedFunc func) G_GNUC_INTERNAL;

/* properties and signals (imss-daemon-properties.c) */
void
imss_daemon_sync_all(ImssDaemon *self) G_GNUC_INTERNAL;
void
imss_daemon_watch_manager(ImssDaemon *self) G_GNUC_INTERNAL;

/* method handlers (imss-daemon-methods-*.c) */
void
imss_daemon_connect_license_methods(ImssDaemon *self) G_GNUC_INTERNAL;
void
imss_daemon_connect_admin_methods(ImssDaemon *self) G_GNUC_INTERNAL;
void
imss_daemon_connect_settings_methods(ImssDaemon *self) G_GNUC_INTERNAL;
void
imss_daemon_sync_settings(ImssDaemon *self) G_GNUC_INTERNAL;
void
imss_daemon_connect_clock_methods(ImssDaemon *self) G_GNUC_INTERNAL;

G_END_DECLS
