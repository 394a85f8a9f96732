/*
 * `imss-licensectl monitor`: prints the signals of imss-licensed as they come.
 */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

/* Prints every Notice, LicenseChanged, StateChanged and UpdatesAllowedChanged
 * of imss-licensed (through libimss-license-1), one line each, until SIGINT
 * or SIGTERM:
 * localized text prefixed with the local time of reception, or with @json one
 * JSON object per line. Returns TRUE when stopped by a signal. */
gboolean
imss_ctl_monitor_run(gboolean json, GError **error);

G_END_DECLS
