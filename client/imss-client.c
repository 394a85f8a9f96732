/*
 * What the clients of imss-licensed (imss-licensectl, imss-notifier) share.
 */
#define G_LOG_DOMAIN "ImssClient"

#include "config.h"

#include <glib/gi18n.h>

#include "imss-client.h"

const gchar *
imss_client_daemon_absent_text(const GError *error)
{
	g_autofree gchar *remote = NULL;

	g_return_val_if_fail(error != NULL, NULL);

	/* the remote name, or (libimss-license-1 strips it) the code */
	remote = g_dbus_error_get_remote_error(error);
	if (g_strcmp0(remote, "org.freedesktop.DBus.Error.ServiceUnknown") != 0 &&
	    g_strcmp0(remote, "org.freedesktop.DBus.Error.NameHasNoOwner") != 0 &&
	    !g_error_matches(error, G_DBUS_ERROR, G_DBUS_ERROR_SERVICE_UNKNOWN) &&
	    !g_error_matches(error, G_DBUS_ERROR, G_DBUS_ERROR_NAME_HAS_NO_OWNER))
		return NULL;
	/* TRANSLATORS: the daemon is not running */
	return _("The license service (imss-licensed) is not running.");
}
