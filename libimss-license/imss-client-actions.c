/*
 * ImssClient's methods that change something, each behind a polkit action:
 * an _async/_finish pair per method of org.imss.License, through the call
 * helper of imss-client-methods.c.
 */
#define G_LOG_DOMAIN "ImssLicense"

#include "config.h"

#include "imss-client-private.h"

/* -- Activate ---------------------------------------------------------------- */

/**
 * imss_client_activate_async:
 * @self: a client
 * @slot_id: the slot: cloud-prefilter, antivirus, antispam,
 *   email-reputation, email-encryption or compliance
 * @code: the activation code, in any letter case, with or without dashes
 * @cancellable: (nullable): a #GCancellable
 * @callback: called when done
 * @user_data: data for @callback
 *
 * Registers an activation code (SPEC §6); activating antispam also
 * activates email-reputation. Needs the polkit action
 * org.imss.license.activate. Errors: %IMSS_ERROR_UNKNOWN_SLOT,
 * %IMSS_ERROR_INVALID_CODE, %IMSS_ERROR_SLOT_DISABLED,
 * %IMSS_ERROR_CLICK_PROTECTION_BOUND, %IMSS_ERROR_NOT_AUTHORIZED,
 * %IMSS_ERROR_BUSY, %IMSS_ERROR_INTERNAL.
 */
void
imss_client_activate_async(ImssClient *self,
			   const gchar *slot_id,
			   const gchar *code,
			   GCancellable *cancellable,
			   GAsyncReadyCallback callback,
			   gpointer user_data)
{
	GVariant *params;

	g_return_if_fail(slot_id != NULL && g_utf8_validate(slot_id, -1, NULL));
	g_return_if_fail(code != NULL && g_utf8_validate(code, -1, NULL));
	params = g_variant_new("(ss)", slot_id, code);
	imss_client_start(self, METHOD_ACTIVATE, params, cancellable, callback, user_data);
}

/**
 * imss_client_activate_finish:
 * @self: a client
 * @result: the result passed to the callback
 * @error: return location for a #GError
 *
 * Returns: (transfer full): the activated slot, or %NULL with @error
 */
ImssSlot *
imss_client_activate_finish(ImssClient *self, GAsyncResult *result, GError **error)
{
	g_autoptr(GVariant) path = imss_client_reply_value(self, result, METHOD_ACTIVATE, error);
	ImssSlot *slot;

	if (path == NULL)
		return NULL;
	slot = imss_client_lookup_slot_path(self, g_variant_get_string(path, NULL));
	if (slot == NULL) {
		g_set_error(error,
			    G_IO_ERROR,
			    G_IO_ERROR_INVALID_DATA,
			    "the daemon answered with the unknown object %s",
			    g_variant_get_string(path, NULL));
		return NULL;
	}
	return g_object_ref(slot);
}

/* -- UpdateStatus ------------------------------------------------------------ */

/**
 * imss_client_update_async:
 * @self: a client
 * @cancellable: (nullable): a #GCancellable
 * @callback: called when done
 * @user_data: data for @callback
 *
 * Asks the license server about every activated online slot now (SPEC
 * §5.2). Needs org.imss.license.update. Errors:
 * %IMSS_ERROR_SERVER_UNREACHABLE, %IMSS_ERROR_INVALID_ANSWER,
 * %IMSS_ERROR_NOT_AUTHORIZED.
 */
void
imss_client_update_async(ImssClient *self,
			 GCancellable *cancellable,
			 GAsyncReadyCallback callback,
			 gpointer user_data)
{
	imss_client_start(self, METHOD_UPDATE_STATUS, NULL, cancellable, callback, user_data);
}

/**
 * imss_client_update_finish:
 * @self: a client
 * @result: the result passed to the callback
 * @error: return location for a #GError
 *
 * Returns: (transfer full): "updated" (an expiry changed and the services
 *   were restarted) or "unchanged", or %NULL with @error
 */
gchar *
imss_client_update_finish(ImssClient *self, GAsyncResult *result, GError **error)
{
	return imss_client_reply_string(self, result, METHOD_UPDATE_STATUS, error);
}

/* -- ApplyProfile ------------------------------------------------------------ */

/**
 * imss_client_apply_profile_async:
 * @self: a client
 * @profile: a Control Manager license profile, `a{sv}`: "slot", "code",
 *   "expiry" and optionally "origin" and "issued" (strings)
 * @cancellable: (nullable): a #GCancellable
 * @callback: called when done
 * @user_data: data for @callback
 *
 * Applies a license profile to the active code (SPEC §8). Needs
 * org.imss.license.apply-profile. Errors: %IMSS_ERROR_INVALID_ARGS,
 * %IMSS_ERROR_UNKNOWN_SLOT, %IMSS_ERROR_INVALID_CODE,
 * %IMSS_ERROR_CODE_MISMATCH, %IMSS_ERROR_NOT_AUTHORIZED.
 */
void
imss_client_apply_profile_async(ImssClient *self,
				GVariant *profile,
				GCancellable *cancellable,
				GAsyncReadyCallback callback,
				gpointer user_data)
{
	GVariant *params;

	g_return_if_fail(profile != NULL && g_variant_is_of_type(profile, G_VARIANT_TYPE_VARDICT));
	params = g_variant_new_tuple(&profile, 1);
	imss_client_start(self, METHOD_APPLY_PROFILE, params, cancellable, callback, user_data);
}

/**
 * imss_client_apply_profile_finish:
 * @self: a client
 * @result: the result passed to the callback
 * @error: return location for a #GError
 *
 * Returns: (transfer full): "extended", "changed" or "unchanged", or %NULL
 *   with @error
 */
gchar *
imss_client_apply_profile_finish(ImssClient *self, GAsyncResult *result, GError **error)
{
	return imss_client_reply_string(self, result, METHOD_APPLY_PROFILE, error);
}

/* -- RestartServices --------------------------------------------------------- */

/**
 * imss_client_restart_services_async:
 * @self: a client
 * @cancellable: (nullable): a #GCancellable
 * @callback: called when done
 * @user_data: data for @callback
 *
 * Requests again every restart that failed for good, or the restart of the
 * scan and policy services. Needs org.imss.license.restart-services.
 */
void
imss_client_restart_services_async(ImssClient *self,
				   GCancellable *cancellable,
				   GAsyncReadyCallback callback,
				   gpointer user_data)
{
	imss_client_start(self, METHOD_RESTART_SERVICES, NULL, cancellable, callback, user_data);
}

/**
 * imss_client_restart_services_finish:
 * @self: a client
 * @result: the result passed to the callback
 * @error: return location for a #GError
 *
 * Returns: (transfer full) (array zero-terminated=1): the units whose
 *   restart was requested, or %NULL with @error
 */
gchar **
imss_client_restart_services_finish(ImssClient *self, GAsyncResult *result, GError **error)
{
	g_autoptr(GVariant) units =
	    imss_client_reply_value(self, result, METHOD_RESTART_SERVICES, error);
	if (units == NULL)
		return NULL;
	return g_variant_dup_strv(units, NULL);
}

/* -- Time-of-Click protection, inactive notices ---------------------------------- */

/**
 * imss_client_bind_click_protection_async:
 * @self: a client
 * @cancellable: (nullable): a #GCancellable
 * @callback: called when done
 * @user_data: data for @callback
 *
 * Binds Time-of-Click protection to the current anti-spam code. Needs
 * org.imss.license.click-protection. Errors: %IMSS_ERROR_INVALID_ARGS
 * (anti-spam is not activated), %IMSS_ERROR_NOT_AUTHORIZED.
 */
void
imss_client_bind_click_protection_async(ImssClient *self,
					GCancellable *cancellable,
					GAsyncReadyCallback callback,
					gpointer user_data)
{
	imss_client_start(self,
			  METHOD_BIND_CLICK_PROTECTION,
			  NULL,
			  cancellable,
			  callback,
			  user_data);
}

/**
 * imss_client_bind_click_protection_finish:
 * @self: a client
 * @result: the result passed to the callback
 * @error: return location for a #GError
 *
 * Returns: %TRUE when bound, %FALSE with @error
 */
gboolean
imss_client_bind_click_protection_finish(ImssClient *self, GAsyncResult *result, GError **error)
{
	return imss_client_reply_ok(self, result, METHOD_BIND_CLICK_PROTECTION, error);
}

/**
 * imss_client_release_click_protection_async:
 * @self: a client
 * @cancellable: (nullable): a #GCancellable
 * @callback: called when done
 * @user_data: data for @callback
 *
 * Removes the Time-of-Click protection binding. Needs
 * org.imss.license.click-protection.
 */
void
imss_client_release_click_protection_async(ImssClient *self,
					   GCancellable *cancellable,
					   GAsyncReadyCallback callback,
					   gpointer user_data)
{
	imss_client_start(self,
			  METHOD_RELEASE_CLICK_PROTECTION,
			  NULL,
			  cancellable,
			  callback,
			  user_data);
}

/**
 * imss_client_release_click_protection_finish:
 * @self: a client
 * @result: the result passed to the callback
 * @released: (out) (optional): whether a binding existed and was removed
 * @error: return location for a #GError
 *
 * Returns: %TRUE on success, %FALSE with @error
 */
gboolean
imss_client_release_click_protection_finish(ImssClient *self,
					     GAsyncResult *result,
					     gboolean *released,
					     GError **error)
{
	g_autoptr(GVariant) value =
	    imss_client_reply_value(self, result, METHOD_RELEASE_CLICK_PROTECTION, error);
	if (value == NULL)
		return FALSE;
	if (released != NULL)
		*released = g_variant_get_boolean(value);
	return TRUE;
}

/**
 * imss_client_set_inactive_notices_hidden_async:
 * @self: a client
 * @hidden: %TRUE to hide the notices about inactive optional components,
 *   %FALSE to show them again
 * @cancellable: (nullable): a #GCancellable
 * @callback: called when done
 * @user_data: data for @callback
 *
 * Hides or shows the inactive-component notices; the choice persists.
 * Needs org.imss.license.notices.
 */
void
imss_client_set_inactive_notices_hidden_async(ImssClient *self,
					      gboolean hidden,
					      GCancellable *cancellable,
					      GAsyncReadyCallback callback,
					      gpointer user_data)
{
	GVariant *params = g_variant_new("(b)", hidden);
	imss_client_start(self,
			  METHOD_SET_INACTIVE_NOTICES_HIDDEN,
			  params,
			  cancellable,
			  callback,
			  user_data);
}

/**
 * imss_client_set_inactive_notices_hidden_finish:
 * @self: a client
 * @result: the result passed to the callback
 * @error: return location for a #GError
 *
 * Returns: %TRUE on success, %FALSE with @error
 */
gboolean
imss_client_set_inactive_notices_hidden_finish(ImssClient *self,
					       GAsyncResult *result,
					       GError **error)
{
	return imss_client_reply_ok(self, result, METHOD_SET_INACTIVE_NOTICES_HIDDEN, error);
}

/* -- SetSettings, TestMail ---------------------------------------------------- */

/**
 * imss_client_set_settings_async:
 * @self: a client
 * @settings: names and values to set, `a{sv}` as in
 *   imss_client_get_settings(), plus the write-only "mail-password" and
 *   "proxy-password" (s); "" means the default
 * @reset: (array zero-terminated=1) (nullable): names to take from the
 *   configuration file again
 * @cancellable: (nullable): a #GCancellable
 * @callback: called when done
 * @user_data: data for @callback
 *
 * Checks every value, stores them in one transaction and applies them at
 * once. Needs org.imss.license.settings. Errors: %IMSS_ERROR_INVALID_ARGS
 * (naming the setting; nothing is stored), %IMSS_ERROR_BUSY,
 * %IMSS_ERROR_INTERNAL, %IMSS_ERROR_NOT_AUTHORIZED.
 */
void
imss_client_set_settings_async(ImssClient *self,
			       GVariant *settings,
			       const gchar *const *reset,
			       GCancellable *cancellable,
			       GAsyncReadyCallback callback,
			       gpointer user_data)
{
	static const gchar *const none[] = {NULL};
	GVariant *params;

	g_return_if_fail(settings != NULL && g_variant_is_of_type(settings, G_VARIANT_TYPE_VARDICT));
	params = g_variant_new("(@a{sv}^as)", settings, reset != NULL ? reset : none);
	imss_client_start(self, METHOD_SET_SETTINGS, params, cancellable, callback, user_data);
}

/**
 * imss_client_set_settings_finish:
 * @self: a client
 * @result: the result passed to the callback
 * @error: return location for a #GError
 *
 * Returns: %TRUE when the settings were stored and applied, %FALSE with @error
 */
gboolean
imss_client_set_settings_finish(ImssClient *self, GAsyncResult *result, GError **error)
{
	return imss_client_reply_ok(self, result, METHOD_SET_SETTINGS, error);
}

/**
 * imss_client_test_mail_async:
 * @self: a client
 * @cancellable: (nullable): a #GCancellable
 * @callback: called when done
 * @user_data: data for @callback
 *
 * Sends one test mail to the recipients of the expiry mails now. Needs
 * org.imss.license.settings. Errors: %IMSS_ERROR_INVALID_ARGS (no
 * recipient or SMTP server), %IMSS_ERROR_SERVER_UNREACHABLE (the SMTP
 * server refused or could not be reached), %IMSS_ERROR_NOT_AUTHORIZED.
 */
void
imss_client_test_mail_async(ImssClient *self,
			    GCancellable *cancellable,
			    GAsyncReadyCallback callback,
			    gpointer user_data)
{
	imss_client_start(self, METHOD_TEST_MAIL, NULL, cancellable, callback, user_data);
}

/**
 * imss_client_test_mail_finish:
 * @self: a client
 * @result: the result passed to the callback
 * @error: return location for a #GError
 *
 * Returns: (transfer full): what the SMTP server accepted ("sent to 2
 *   recipient(s)"), or %NULL with @error
 */
gchar *
imss_client_test_mail_finish(ImssClient *self, GAsyncResult *result, GError **error)
{
	return imss_client_reply_string(self, result, METHOD_TEST_MAIL, error);
}
