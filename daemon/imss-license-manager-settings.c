/*
 * The operator's settings over the bus (issue 14): the mail notices'
 * recipients and SMTP server, the proxy and the sender filter. A value set
 * over the bus is stored (shared by the fleet on PostgreSQL) and wins over
 * the configuration file's; reset, the file's applies again. Effective at
 * once: the configuration object changes and its users read it on use.
 */
#define G_LOG_DOMAIN "ImssLicenseManager"

#include "config.h"

#include <glib/gi18n-lib.h>
#include <string.h>

#include "imss-catalog.h"
#include "imss-error.h"
#include "imss-license-manager-private.h"
#include "imss-records.h"
#include "imss-settings.h"

#define IMSS_SETTINGS_ADDRESSES_MAX 64

void
imss_license_manager_apply_settings(ImssLicenseManager *self)
{
	g_auto(GStrv) stored = NULL;
	g_autoptr(GError) error_local = NULL;
	g_return_if_fail(IMSS_IS_LICENSE_MANAGER(self));

	stored = imss_settings_get_operator(self->store);
	if (!imss_config_apply_settings(self->config, (const gchar *const *)stored, &error_local))
		/* stored by a newer version, or by hand: the file's values stay */
		g_warning("the stored settings are not used: %s", error_local->message);
	imss_mail_delivery_set_language(self->mail_delivery, imss_config_get_mail_language(self->config));
}

/* the effective value of @info as the bus shows it; NULL for a secret */
static GVariant *
imss_license_manager_setting_value(ImssLicenseManager *self, const ImssSettingInfo *info)
{
	ImssConfig *c = self->config;
	if (info->secret)
		return NULL;
	if (g_strcmp0(info->name, "mail-to") == 0) {
		gchar *const *to = imss_config_get_mail_to(c);
		return g_variant_new_strv((const gchar *const *)to, to != NULL ? -1 : 0);
	}
	if (g_strcmp0(info->name, "proxy-port") == 0)
		return g_variant_new_uint32(imss_config_get_proxy_port(c));
	if (g_strcmp0(info->name, "sender-filter-enabled") == 0)
		return g_variant_new_boolean(imss_config_get_sender_filter_enabled(c));
	if (g_strcmp0(info->name, "mail-from") == 0)
		return g_variant_new_string(imss_config_get_mail_from(c));
	if (g_strcmp0(info->name, "mail-smtp") == 0)
		return g_variant_new_string(imss_config_get_mail_smtp(c) ?: "");
	if (g_strcmp0(info->name, "mail-user") == 0)
		return g_variant_new_string(imss_config_get_mail_user(c) ?: "");
	if (g_strcmp0(info->name, "mail-language") == 0)
		return g_variant_new_string(imss_config_get_mail_language(c));
	if (g_strcmp0(info->name, "proxy-host") == 0)
		return g_variant_new_string(imss_config_get_proxy_host(c) ?: "");
	if (g_strcmp0(info->name, "proxy-user") == 0)
		return g_variant_new_string(imss_config_get_proxy_user(c) ?: "");
	g_return_val_if_reached(NULL);
}

static gboolean
imss_license_manager_secret_is_set(ImssLicenseManager *self, const ImssSettingInfo *info)
{
	if (g_strcmp0(info->name, "mail-password") == 0)
		return imss_config_get_mail_password(self->config) != NULL;
	return imss_config_get_proxy_password(self->config) != NULL;
}

GVariant *
imss_license_manager_get_settings(ImssLicenseManager *self)
{
	GVariantBuilder b;
	g_autoptr(GStrvBuilder) stored = g_strv_builder_new();
	g_auto(GStrv) stored_names = NULL;
	const ImssSettingInfo *infos;
	guint n = 0;

	g_return_val_if_fail(IMSS_IS_LICENSE_MANAGER(self), NULL);
	infos = imss_settings_list_operator(&n);
	g_variant_builder_init(&b, G_VARIANT_TYPE_VARDICT);
	for (guint i = 0; i < n; i++) {
		g_autofree gchar *v = imss_settings_get_operator_value(self->store, &infos[i]);
		if (v != NULL)
			g_strv_builder_add(stored, infos[i].name);
		if (infos[i].secret) {
			/* write-only: whether one is set, never the value */
			g_autofree gchar *key = g_strdup_printf("%s-set", infos[i].name);
			imss_vardict_add(&b,
			                 key,
			                 g_variant_new_boolean(
			                     imss_license_manager_secret_is_set(self, &infos[i])));
			continue;
		}
		imss_vardict_add(
		    &b, infos[i].name, imss_license_manager_setting_value(self, &infos[i]));
	}
	stored_names = g_strv_builder_end(stored);
	imss_vardict_add(&b, "stored", g_variant_new_strv((const gchar *const *)stored_names, -1));
	return g_variant_builder_end(&b);
}

static gboolean
imss_license_manager_settings_invalid(GError **error, const gchar *name, const gchar *why)
{
	g_set_error(error, IMSS_ERROR, IMSS_ERROR_INVALID_ARGS, "%s: %s", name, why);
	return FALSE;
}

/* @value as the file would say it, or NULL (with @error) when it is not the
 * setting's type or not a valid value */
static gchar *
imss_license_manager_setting_text(ImssLicenseManager *self,
				  const ImssSettingInfo *info,
				  GVariant *value,
				  GError **error)
{
	g_autofree gchar *text = NULL;
	g_autofree gchar *expected = NULL;

	if (!g_variant_is_of_type(value, G_VARIANT_TYPE(info->type))) {
		expected = g_strdup_printf("expected a value of D-Bus type %s", info->type);
		imss_license_manager_settings_invalid(error, info->name, expected);
		return NULL;
	}
	if (g_variant_is_of_type(value, G_VARIANT_TYPE_STRING_ARRAY)) {
		g_autofree const gchar **items = g_variant_get_strv(value, NULL);
		if (g_strv_length((gchar **)items) > IMSS_SETTINGS_ADDRESSES_MAX) {
			imss_license_manager_settings_invalid(error, info->name,
							      "more than 64 addresses");
			return NULL;
		}
		text = g_strjoinv(", ", (gchar **)items);
	} else if (g_variant_is_of_type(value, G_VARIANT_TYPE_UINT32)) {
		text = g_strdup_printf("%u", g_variant_get_uint32(value));
	} else if (g_variant_is_of_type(value, G_VARIANT_TYPE_BOOLEAN)) {
		text = g_strdup(g_variant_get_boolean(value) ? "true" : "false");
	} else {
		text = g_variant_dup_string(value, NULL);
	}
	return g_steal_pointer(&text);
}

/* adds the setting @name (set to @value, or reset when NULL) to @change,
 * its name to @names and, when set, its triple to @triples */
static gboolean
imss_license_manager_change_setting(ImssLicenseManager *self,
				    ImssStoreChange *change,
				    GStrvBuilder *names,
				    GPtrArray *triples,
				    const gchar *name,
				    GVariant *value,
				    GError **error)
{
	const ImssSettingInfo *info = imss_settings_lookup_operator(name);
	g_autofree gchar *text = NULL;
	if (info == NULL)
		return imss_license_manager_settings_invalid(error, name, "no such setting");
	if (value != NULL) {
		text = imss_license_manager_setting_text(self, info, value, error);
		if (text == NULL)
			return FALSE;
		g_ptr_array_add(triples, g_strdup(info->group));
		g_ptr_array_add(triples, g_strdup(info->key));
		g_ptr_array_add(triples, g_strdup(text));
	}
	imss_settings_set_operator(change, info, text);
	g_strv_builder_add(names, name);
	return TRUE;
}

/* the stored settings that stay, then @triples: all of them must make a
 * valid configuration with the file (a password needs a user, ...) */
static gboolean
imss_license_manager_check_settings(ImssLicenseManager *self,
				    GPtrArray *triples,
				    const gchar *const *changed,
				    GError **error)
{
	g_auto(GStrv) stored = imss_settings_get_operator(self->store);
	g_autoptr(GPtrArray) all = g_ptr_array_new();
	g_autoptr(GError) error_local = NULL;
	gint bad = -1;

	for (guint i = 0; stored[i] != NULL; i += 3) {
		gboolean kept = TRUE;
		for (guint j = 0; changed[j] != NULL; j++) {
			const ImssSettingInfo *info = imss_settings_lookup_operator(changed[j]);
			if (g_strcmp0(info->group, stored[i]) == 0 && g_strcmp0(info->key, stored[i + 1]) == 0)
				kept = FALSE;
		}
		if (kept) {
			g_ptr_array_add(all, stored[i]);
			g_ptr_array_add(all, stored[i + 1]);
			g_ptr_array_add(all, stored[i + 2]);
		}
	}
	for (guint i = 0; i < triples->len; i++)
		g_ptr_array_add(all, g_ptr_array_index(triples, i));
	g_ptr_array_add(all, NULL);
	if (imss_config_check_settings(self->config, (const gchar *const *)all->pdata, &bad, &error_local))
		return TRUE;
	if (bad >= 0) {
		guint n = 0;
		const ImssSettingInfo *infos = imss_settings_list_operator(&n);
		for (guint i = 0; i < n; i++) {
			if (g_strcmp0(infos[i].group, all->pdata[bad]) == 0 &&
			    g_strcmp0(infos[i].key, all->pdata[bad + 1]) == 0)
				return imss_license_manager_settings_invalid(error, infos[i].name,
									     error_local->message);
		}
	}
	g_set_error_literal(error, IMSS_ERROR, IMSS_ERROR_INVALID_ARGS, error_local->message);
	return FALSE;
}

gboolean
imss_license_manager_set_settings(ImssLicenseManager *self,
				  GVariant *settings,
				  const gchar *const *reset,
				  const gchar *caller,
				  GError **error)
{
	g_autoptr(ImssStoreChange) change = imss_store_change_new();
	g_autoptr(GStrvBuilder) set_names = g_strv_builder_new();
	g_autoptr(GStrvBuilder) reset_names = g_strv_builder_new();
	g_autoptr(GPtrArray) triples = g_ptr_array_new_with_free_func(g_free);
	g_autoptr(GStrvBuilder) changed_names = g_strv_builder_new();
	g_auto(GStrv) changed = NULL;
	g_auto(GStrv) set_list = NULL;
	g_auto(GStrv) reset_list = NULL;
	g_autofree gchar *detail = NULL;
	g_autofree gchar *sets = NULL;
	g_autofree gchar *resets = NULL;
	g_autoptr(GError) error_local = NULL;
	GVariantIter iter;
	const gchar *name;
	GVariant *value;

	g_return_val_if_fail(IMSS_IS_LICENSE_MANAGER(self), FALSE);
	g_return_val_if_fail(g_variant_is_of_type(settings, G_VARIANT_TYPE_VARDICT), FALSE);
	g_return_val_if_fail(caller != NULL, FALSE);
	g_return_val_if_fail(error == NULL || *error == NULL, FALSE);

	/* every value checked before anything is stored: all or nothing */
	g_variant_iter_init(&iter, settings);
	while (g_variant_iter_loop(&iter, "{&sv}", &name, &value)) {
		if (!imss_license_manager_change_setting(self, change, set_names, triples, name, value,
							 error)) {
			g_variant_unref(value);
			return FALSE;
		}
	}
	for (guint i = 0; reset != NULL && reset[i] != NULL; i++) {
		if (!imss_license_manager_change_setting(self, change, reset_names, triples, reset[i],
							 NULL, error))
			return FALSE;
	}
	set_list = g_strv_builder_end(set_names);
	reset_list = g_strv_builder_end(reset_names);
	g_strv_builder_addv(changed_names, (const gchar **)set_list);
	g_strv_builder_addv(changed_names, (const gchar **)reset_list);
	changed = g_strv_builder_end(changed_names);
	if (!imss_license_manager_check_settings(self, triples, (const gchar *const *)changed, error))
		return FALSE;
	if (set_list[0] == NULL && reset_list[0] == NULL)
		return TRUE;
	/* the names only: never a value (passwords, addresses) in the history */
	sets = g_strjoinv(", ", set_list);
	resets = g_strjoinv(", ", reset_list);
	if (*sets != '\0' && *resets != '\0')
		detail = g_strdup_printf("set %s; reset %s", sets, resets);
	else if (*sets != '\0')
		detail = g_strdup_printf("set %s", sets);
	else
		detail = g_strdup_printf("reset %s", resets);
	imss_store_change_add_history(change, imss_clock_get_time(self->clock), "settings", "", "",
				      caller, "ok", detail);
	if (!imss_store_apply(self->store, change, &error_local))
		return imss_license_manager_store_failed(error, error_local, "store the settings");
	g_message("settings changed by %s: %s", caller, detail);
	imss_license_manager_apply_settings(self);
	imss_license_manager_emit_refreshed(self);
	return TRUE;
}

/* -- a test mail -------------------------------------------------------------- */

static void
imss_license_manager_test_mail_cb(GObject *source, GAsyncResult *res, gpointer user_data)
{
	g_autoptr(GTask) task = user_data;
	ImssLicenseManager *self = g_task_get_source_object(task);
	g_autoptr(GError) error_local = NULL;
	g_autofree gchar *detail = NULL;
	g_autoptr(ImssStoreChange) change = imss_store_change_new();
	g_autoptr(GError) error_store = NULL;
	gboolean ok = imss_mailer_send_finish(IMSS_MAILER(source), res, &error_local);

	detail = ok ? g_strdup_printf("sent to %u recipient(s)",
				      imss_mailer_get_n_recipients(self->mailer))
		    : g_strdup(error_local->message);
	imss_store_change_add_history(change, imss_clock_get_time(self->clock), "test-mail", "",
				      "", g_task_get_task_data(task), ok ? "ok" : "failed", detail);
	if (!imss_store_apply(self->store, change, &error_store))
		g_warning("failed to record the test mail: %s", error_store->message);
	if (!ok) {
		g_task_return_new_error(task, IMSS_ERROR, IMSS_ERROR_SERVER_UNREACHABLE,
					"The test mail was not delivered: %s", error_local->message);
		return;
	}
	g_task_return_pointer(task, g_steal_pointer(&detail), g_free);
}

void
imss_license_manager_test_mail_async(ImssLicenseManager *self,
				     const gchar *caller,
				     GAsyncReadyCallback callback,
				     gpointer user_data)
{
	g_autoptr(GTask) task = NULL;
	const ImssCatalog *catalog = NULL;
	const gchar *subject;
	const gchar *body;

	g_return_if_fail(IMSS_IS_LICENSE_MANAGER(self));
	g_return_if_fail(caller != NULL);
	task = g_task_new(self, NULL, callback, user_data);
	g_task_set_task_data(task, g_strdup(caller), g_free);
	if (!imss_mailer_is_configured(self->mailer)) {
		g_task_return_new_error(task, IMSS_ERROR, IMSS_ERROR_INVALID_ARGS,
					"No recipient or SMTP server is set: set mail-to and "
					"mail-smtp first");
		return;
	}
	catalog = imss_catalog_for_language(imss_config_get_mail_language(self->config));
	/* TRANSLATORS: the subject of the test mail (imss-licensectl mail test) */
	subject = imss_catalog_gettext(catalog, N_("Test of the license notices"));
	/* TRANSLATORS: the body of the test mail */
	body = imss_catalog_gettext(catalog,
				    N_("This is a test of the license notices of InterScan Messaging "
				       "Security. The expiry notices of the licenses are sent to this "
				       "address."));
	imss_mailer_send_async(self->mailer, subject, body, imss_clock_get_time(self->clock), NULL,
			       imss_license_manager_test_mail_cb, g_steal_pointer(&task));
}

gchar *
imss_license_manager_test_mail_finish(ImssLicenseManager *self, GAsyncResult *res, GError **error)
{
	g_return_val_if_fail(g_task_is_valid(res, self), NULL);
	return g_task_propagate_pointer(G_TASK(res), error);
}
