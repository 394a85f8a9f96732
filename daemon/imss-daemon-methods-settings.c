/*
 * The adapter's settings members: the Settings property, SetSettings and
 * TestMail (the operator's settings, imss-license-manager-settings.c).
 */
#define G_LOG_DOMAIN "ImssDaemon"

#include "config.h"

#include "imss-daemon-private.h"

void
imss_daemon_sync_settings(ImssDaemon *self)
{
	g_return_if_fail(IMSS_IS_DAEMON(self));
	imss_exported_manager_set_settings(self->skeleton,
					   imss_license_manager_get_settings(self->manager));
}

static void
imss_daemon_set_settings_authorized(ImssDaemon *self,
				    GDBusMethodInvocation *invocation,
				    const gchar *caller)
{
	g_autoptr(GError) error_local = NULL;
	g_autoptr(GVariant) settings = NULL;
	g_autofree const gchar **reset = NULL;

	g_variant_get(g_dbus_method_invocation_get_parameters(invocation), "(@a{sv}^a&s)", &settings,
		      &reset);
	if (!imss_license_manager_set_settings(self->manager, settings, reset, caller, &error_local)) {
		imss_daemon_return_error(invocation, error_local);
		return;
	}
	imss_daemon_sync_settings(self);
	imss_exported_manager_complete_set_settings(self->skeleton, invocation);
}

static gboolean
imss_daemon_handle_set_settings(ImssExportedManager *skeleton,
				GDBusMethodInvocation *invocation,
				GVariant *settings,
				const gchar *const *reset,
				ImssDaemon *self)
{
	imss_daemon_authorize(self, invocation, "org.imss.license.settings",
			      imss_daemon_set_settings_authorized);
	return G_DBUS_METHOD_INVOCATION_HANDLED;
}

typedef struct {
	ImssDaemon *self;
	GDBusMethodInvocation *invocation;
} ImssDaemonTestMail;

static void
imss_daemon_test_mail_cb(GObject *source, GAsyncResult *res, gpointer user_data)
{
	ImssDaemonTestMail *call = user_data;
	g_autoptr(GError) error_local = NULL;
	g_autofree gchar *result =
	    imss_license_manager_test_mail_finish(IMSS_LICENSE_MANAGER(source), res, &error_local);
	if (result == NULL)
		imss_daemon_return_error(call->invocation, error_local);
	else
		imss_exported_manager_complete_test_mail(call->self->skeleton, call->invocation,
							 result);
	g_object_unref(call->self);
	g_object_unref(call->invocation);
	g_free(call);
}

static void
imss_daemon_test_mail_authorized(ImssDaemon *self,
				 GDBusMethodInvocation *invocation,
				 const gchar *caller)
{
	ImssDaemonTestMail *call = g_new0(ImssDaemonTestMail, 1);
	call->self = g_object_ref(self);
	call->invocation = g_object_ref(invocation);
	imss_license_manager_test_mail_async(self->manager, caller, imss_daemon_test_mail_cb, call);
}

static gboolean
imss_daemon_handle_test_mail(ImssExportedManager *skeleton,
			     GDBusMethodInvocation *invocation,
			     ImssDaemon *self)
{
	imss_daemon_authorize(self, invocation, "org.imss.license.settings",
			      imss_daemon_test_mail_authorized);
	return G_DBUS_METHOD_INVOCATION_HANDLED;
}

void
imss_daemon_connect_settings_methods(ImssDaemon *self)
{
	g_return_if_fail(IMSS_IS_DAEMON(self));
	g_signal_connect(self->skeleton, "handle-set-settings",
			 G_CALLBACK(imss_daemon_handle_set_settings), self);
	g_signal_connect(self->skeleton, "handle-test-mail", G_CALLBACK(imss_daemon_handle_test_mail),
			 self);
}
