/*
 * The adapter's boundary: errors going out, and polkit (through
 * imss-polkit.c) before any call that changes something. The arguments
 * coming in are bounded in imss-skeleton.c.
 */
#define G_LOG_DOMAIN "ImssDaemon"

#include "config.h"

#include "imss-daemon-private.h"
#include "imss-error.h"

/* -- errors at the boundary ---------------------------------------------- */

/* Our own errors go on the bus as they are; anything else (GIO, libgda) is
 * logged and becomes a generic Internal error, so no internals leak. */
void
imss_daemon_return_error(GDBusMethodInvocation *invocation, const GError *error)
{
	g_return_if_fail(G_IS_DBUS_METHOD_INVOCATION(invocation));
	g_return_if_fail(error != NULL);

	if (error->domain == IMSS_ERROR) {
		g_dbus_method_invocation_return_gerror(invocation, error);
		return;
	}
	g_warning("%s failed: %s",
		  g_dbus_method_invocation_get_method_name(invocation),
		  error->message);
	g_dbus_method_invocation_return_error_literal(invocation,
						      IMSS_ERROR,
						      IMSS_ERROR_INTERNAL,
						      imss_error_to_text(IMSS_ERROR_INTERNAL));
}

/* -- authorised calls --------------------------------------------------------- */

typedef struct {
	ImssDaemon *self;
	GDBusMethodInvocation *invocation;
	ImssDaemonAuthorizedFunc func;
} ImssDaemonAuthHelper;

static void
imss_daemon_auth_helper_free(ImssDaemonAuthHelper *helper)
{
	g_object_unref(helper->self);
	g_object_unref(helper->invocation);
	g_free(helper);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC(ImssDaemonAuthHelper, imss_daemon_auth_helper_free)

static void
imss_daemon_caller_uid_cb(GObject *source, GAsyncResult *res, gpointer user_data)
{
	g_autoptr(ImssDaemonAuthHelper) helper = user_data;
	g_autoptr(GError) error_local = NULL;
	g_autoptr(GVariant) reply = NULL;
	g_autofree gchar *caller = NULL;
	guint32 uid = 0;

	reply = g_dbus_connection_call_finish(G_DBUS_CONNECTION(source), res, &error_local);
	if (reply == NULL) {
		/* the caller vanished after polkit said yes: do nothing */
		g_message("caller %s went away: %s",
			  g_dbus_method_invocation_get_sender(helper->invocation),
			  error_local->message);
		g_dbus_method_invocation_return_error_literal(
		    helper->invocation,
		    IMSS_ERROR,
		    IMSS_ERROR_NOT_AUTHORIZED,
		    imss_error_to_text(IMSS_ERROR_NOT_AUTHORIZED));
		return;
	}
	g_variant_get(reply, "(u)", &uid);
	caller = g_strdup_printf("uid %u", uid);
	helper->func(helper->self, helper->invocation, caller);
}

static void
imss_daemon_authorize_cb(GObject *source, GAsyncResult *res, gpointer user_data)
{
	g_autoptr(ImssDaemonAuthHelper) helper = user_data;
	g_autoptr(GError) error_local = NULL;
	GDBusConnection *connection;
	const gchar *sender;

	if (!imss_polkit_check_finish(IMSS_POLKIT(source), res, &error_local)) {
		imss_daemon_return_error(helper->invocation, error_local);
		return;
	}
	/* who, for the history: the bus daemon knows */
	connection = g_dbus_method_invocation_get_connection(helper->invocation);
	sender = g_dbus_method_invocation_get_sender(helper->invocation);
	g_dbus_connection_call(connection,
			       "org.freedesktop.DBus",
			       "/org/freedesktop/DBus",
			       "org.freedesktop.DBus",
			       "GetConnectionUnixUser",
			       g_variant_new("(s)", sender),
			       G_VARIANT_TYPE("(u)"),
			       G_DBUS_CALL_FLAGS_NONE,
			       5000,
			       NULL,
			       imss_daemon_caller_uid_cb,
			       g_steal_pointer(&helper));
}

/* Asks polkit for @action_id, then runs @func with the caller's identity. */
void
imss_daemon_authorize(ImssDaemon *self,
		      GDBusMethodInvocation *invocation,
		      const gchar *action_id,
		      ImssDaemonAuthorizedFunc func)
{
	ImssDaemonAuthHelper *helper = g_new0(ImssDaemonAuthHelper, 1);
	GDBusMessage *message = NULL;
	gboolean interactive;
	g_return_if_fail(IMSS_IS_DAEMON(self));
	g_return_if_fail(G_IS_DBUS_METHOD_INVOCATION(invocation));
	g_return_if_fail(action_id != NULL);
	g_return_if_fail(func != NULL);
	message = g_dbus_method_invocation_get_message(invocation);
	interactive = (g_dbus_message_get_flags(message) &
		       G_DBUS_MESSAGE_FLAGS_ALLOW_INTERACTIVE_AUTHORIZATION) != 0;

	helper->self = g_object_ref(self);
	helper->invocation = g_object_ref(invocation);
	helper->func = func;
	imss_polkit_check_async(self->polkit,
				g_dbus_method_invocation_get_connection(invocation),
				g_dbus_method_invocation_get_sender(invocation),
				action_id,
				interactive,
				NULL,
				imss_daemon_authorize_cb,
				helper);
}
