/*
 * What the clients of imss-licensed (imss-licensectl, imss-notifier) share.
 */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

/* The sentence for an @error of a call to imss-licensed that says it is not
 * running (no owner of its bus name), translated; NULL for any other error.
 * Call it before stripping the remote error name from @error. */
const gchar *
imss_client_daemon_absent_text(const GError *error);

G_END_DECLS
