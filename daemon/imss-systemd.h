/*
 * Restarts of the scan, policy and sender-filter units through systemd's
 * D-Bus API (org.freedesktop.systemd1.Manager.RestartUnit), waiting for each
 * job's result (JobRemoved) with a bound.
 */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

#define IMSS_TYPE_SYSTEMD (imss_systemd_get_type())
G_DECLARE_FINAL_TYPE(ImssSystemd, imss_systemd, IMSS, SYSTEMD, GObject)

ImssSystemd *
imss_systemd_new(void);
/* Seconds to wait for a job's result (default 300: the scan service takes
 * tens of seconds). */
void
imss_systemd_set_job_timeout(ImssSystemd *self, guint seconds);
/* Restarts @unit ("replace" mode); completes with the job result ("done",
 * "failed", "timeout", ...) or an error (systemd unreachable, no result in
 * time). */
void
imss_systemd_restart_unit_async(ImssSystemd *self,
				const gchar *unit,
				GCancellable *cancellable,
				GAsyncReadyCallback callback,
				gpointer user_data);
gchar *
imss_systemd_restart_unit_finish(ImssSystemd *self, GAsyncResult *res, GError **error);

G_END_DECLS
