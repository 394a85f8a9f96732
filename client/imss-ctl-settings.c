/*
 * `imss-licensectl settings [set KEY [VALUE] | reset KEY...]` and `mail
 * test`: the operator's settings over D-Bus (Settings, SetSettings,
 * TestMail). The passwords are write-only: shown as set or not set, and
 * read from standard input, never from argv.
 */
#define G_LOG_DOMAIN "ImssCtl"

#include "config.h"

#include <glib/gi18n.h>
#include <string.h>

#include "imss-ctl.h"
#include "imss-error.h"
#include "imss-records.h"

typedef struct {
	const gchar *key;
	const gchar *type; /* D-Bus type of the value */
	gboolean secret;   /* write-only, from standard input */
} ImssCtlSetting;

/* in the order `settings` shows them */
static const ImssCtlSetting settings[] = {
    {"mail-to", "as", FALSE},
    {"mail-from", "s", FALSE},
    {"mail-smtp", "s", FALSE},
    {"mail-user", "s", FALSE},
    {"mail-password", "s", TRUE},
    {"mail-language", "s", FALSE},
    {"proxy-host", "s", FALSE},
    {"proxy-port", "u", FALSE},
    {"proxy-user", "s", FALSE},
    {"proxy-password", "s", TRUE},
    {"sender-filter-enabled", "b", FALSE},
};

static const ImssCtlSetting *
imss_ctl_setting_find(const gchar *key)
{
	for (guint i = 0; i < G_N_ELEMENTS(settings); i++) {
		if (g_strcmp0(settings[i].key, key) == 0)
			return &settings[i];
	}
	return NULL;
}

static gboolean
imss_ctl_setting_unknown(const gchar *key, GError **error)
{
	g_autoptr(GString) keys = g_string_new(NULL);
	for (guint i = 0; i < G_N_ELEMENTS(settings); i++)
		g_string_append_printf(keys, "%s%s", i > 0 ? ", " : "", settings[i].key);
	g_set_error(error,
		    IMSS_ERROR,
		    IMSS_ERROR_INVALID_ARGS,
		    /* TRANSLATORS: %1$s what the user typed, %2$s the list of settings */
		    _("Unknown setting “%1$s”; the settings are: %2$s"),
		    key,
		    keys->str);
	return FALSE;
}

/* -- settings (show) ----------------------------------------------------------- */

static gchar *
imss_ctl_setting_text(const ImssCtlSetting *setting, GVariant *all)
{
	g_autofree gchar *set_key = NULL;
	g_autoptr(GVariant) value = NULL;

	if (setting->secret) {
		gboolean set = FALSE;
		set_key = g_strdup_printf("%s-set", setting->key);
		g_variant_lookup(all, set_key, "b", &set);
		/* TRANSLATORS: `settings`: a password is set / not set */
		return g_strdup(set ? _("(set)") : _("(not set)"));
	}
	value = g_variant_lookup_value(all, setting->key, NULL);
	if (value == NULL)
		return g_strdup("-");
	if (g_variant_is_of_type(value, G_VARIANT_TYPE_STRING_ARRAY)) {
		g_autofree const gchar **strv = g_variant_get_strv(value, NULL);
		return strv[0] != NULL ? g_strjoinv(",", (gchar **)strv) : g_strdup("-");
	}
	if (g_variant_is_of_type(value, G_VARIANT_TYPE_STRING)) {
		const gchar *str = g_variant_get_string(value, NULL);
		return g_strdup(*str != '\0' ? str : "-");
	}
	if (g_variant_is_of_type(value, G_VARIANT_TYPE_BOOLEAN))
		return g_strdup(g_variant_get_boolean(value) ? "true" : "false");
	if (g_variant_is_of_type(value, G_VARIANT_TYPE_UINT32))
		return g_strdup_printf("%u", g_variant_get_uint32(value));
	return g_variant_print(value, FALSE);
}

static gboolean
imss_ctl_settings_show(ImssCtl *ctl, GError **error)
{
	g_autoptr(GVariant) all = NULL;
	g_autoptr(GPtrArray) rows = g_ptr_array_new_with_free_func((GDestroyNotify)g_strfreev);
	g_autofree const gchar **stored = NULL;
	gchar **header;

	if (!imss_ctl_connect(ctl, error))
		return FALSE;
	all = imss_client_get_settings(ctl->client);
	if (all == NULL || !g_variant_is_of_type(all, G_VARIANT_TYPE_VARDICT)) {
		g_set_error_literal(error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA, "Settings");
		return imss_ctl_malformed(error);
	}
	g_variant_ref(all);
	if (ctl->json) {
		imss_ctl_print_json_member("settings", json_gvariant_serialize(all));
		return TRUE;
	}
	if (!g_variant_lookup(all, "stored", "^a&s", &stored))
		stored = g_new0(const gchar *, 1);
	header = g_new0(gchar *, 4);
	/* TRANSLATORS: column headers of `imss-licensectl settings` */
	header[0] = g_strdup(_("SETTING"));
	header[1] = g_strdup(_("VALUE"));
	header[2] = g_strdup(_("FROM"));
	g_ptr_array_add(rows, header);
	for (guint i = 0; i < G_N_ELEMENTS(settings); i++) {
		gchar **row = g_new0(gchar *, 4);
		row[0] = g_strdup(settings[i].key);
		row[1] = imss_ctl_setting_text(&settings[i], all);
		row[2] = g_strdup(g_strv_contains(stored, settings[i].key)
					  /* TRANSLATORS: `settings`: set with `settings set` */
					  ? _("stored")
					  /* TRANSLATORS: `settings`: from imss-licensed.conf or the default */
					  : _("file"));
		g_ptr_array_add(rows, row);
	}
	imss_ctl_print_table(rows, 3);
	return TRUE;
}

/* -- settings set / reset --------------------------------------------------------- */

/* @text as the value of @setting (floating), or NULL with @error */
static GVariant *
imss_ctl_setting_parse(const ImssCtlSetting *setting, const gchar *text, GError **error)
{
	if (g_strcmp0(setting->type, "as") == 0) {
		g_auto(GStrv) parts = g_strsplit(text, ",", -1);
		g_autoptr(GPtrArray) list = g_ptr_array_new();
		for (guint i = 0; parts[i] != NULL; i++) {
			g_strstrip(parts[i]);
			if (*parts[i] != '\0')
				g_ptr_array_add(list, parts[i]);
		}
		return g_variant_new_strv((const gchar *const *)list->pdata, (gssize)list->len);
	}
	if (g_strcmp0(setting->type, "u") == 0) {
		guint64 n = 0;
		if (!g_ascii_string_to_unsigned(text, 10, 0, G_MAXUINT32, &n, NULL)) {
			g_set_error(error, IMSS_ERROR, IMSS_ERROR_INVALID_ARGS,
				    /* TRANSLATORS: %s the setting */
				    _("%s: expected a number"), setting->key);
			return NULL;
		}
		return g_variant_new_uint32((guint32)n);
	}
	if (g_strcmp0(setting->type, "b") == 0) {
		const gchar *yes[] = {"true", "yes", "on", "1", NULL};
		const gchar *no[] = {"false", "no", "off", "0", NULL};
		if (g_strv_contains(yes, text))
			return g_variant_new_boolean(TRUE);
		if (g_strv_contains(no, text))
			return g_variant_new_boolean(FALSE);
		g_set_error(error, IMSS_ERROR, IMSS_ERROR_INVALID_ARGS,
			    /* TRANSLATORS: %s the setting */
			    _("%s: expected true or false"), setting->key);
		return NULL;
	}
	if (!g_utf8_validate(text, -1, NULL)) {
		g_set_error(error, IMSS_ERROR, IMSS_ERROR_INVALID_ARGS,
			    /* TRANSLATORS: %s the setting */
			    _("%s: the value is not valid UTF-8"), setting->key);
		return NULL;
	}
	return g_variant_new_string(text);
}

static gboolean
imss_ctl_settings_apply(ImssCtl *ctl, GVariant *values, const gchar *const *reset, GError **error)
{
	if (!imss_ctl_connect(ctl, error))
		return FALSE;
	imss_client_set_settings_async(ctl->client, values, reset, NULL, imss_ctl_async_cb, ctl);
	return imss_client_set_settings_finish(ctl->client, imss_ctl_wait(ctl), error);
}

static gboolean
imss_ctl_settings_set(ImssCtl *ctl, gchar **args, GError **error)
{
	const ImssCtlSetting *setting;
	g_autofree gchar *secret = NULL;
	const gchar *reset[] = {NULL};
	const gchar *text;
	GVariantBuilder builder;
	GVariant *value;
	gboolean ok;

	if (args[0] == NULL || (args[1] != NULL && args[2] != NULL))
		return imss_ctl_usage_error(error,
					    /* TRANSLATORS: usage error */
					    _("Usage: imss-licensectl settings set KEY VALUE (passwords: "
					      "imss-licensectl settings set KEY -, read from standard input)"));
	setting = imss_ctl_setting_find(args[0]);
	if (setting == NULL)
		return imss_ctl_setting_unknown(args[0], error);
	if (setting->secret) {
		if (args[1] != NULL && g_strcmp0(args[1], "-") != 0) {
			g_set_error(error, IMSS_ERROR, IMSS_ERROR_INVALID_ARGS,
				    /* TRANSLATORS: %s the setting; a password given on the command line */
				    _("%s: a password is not accepted on the command line, where other "
				      "users and the shell history can see it; give “-” and type it, "
				      "or pipe it to standard input"),
				    setting->key);
			return FALSE;
		}
		/* TRANSLATORS: prompt; the input is not echoed */
		secret = imss_ctl_read_secret(_("Password: "), error);
		if (secret == NULL)
			return FALSE;
		text = secret;
	} else if (args[1] == NULL) {
		return imss_ctl_usage_error(error,
					    /* TRANSLATORS: usage error */
					    _("Usage: imss-licensectl settings set KEY VALUE (passwords: "
					      "imss-licensectl settings set KEY -, read from standard input)"));
	} else {
		text = args[1];
	}
	value = imss_ctl_setting_parse(setting, text, error);
	if (value == NULL)
		return FALSE;
	g_variant_builder_init(&builder, G_VARIANT_TYPE_VARDICT);
	imss_vardict_add(&builder, setting->key, value);
	ok = imss_ctl_settings_apply(ctl, g_variant_builder_end(&builder), reset, error);
	if (secret != NULL)
		memset(secret, 0, strlen(secret));
	if (!ok)
		return FALSE;
	if (ctl->json) {
		imss_ctl_print_json_member("set", json_node_init_string(json_node_alloc(), setting->key));
		return TRUE;
	}
	/* TRANSLATORS: after `settings set`; %s the setting */
	g_print(_("%s was set. It is in effect now.\n"), setting->key);
	return TRUE;
}

static gboolean
imss_ctl_settings_reset(ImssCtl *ctl, gchar **args, GError **error)
{
	GVariantBuilder builder;

	if (args[0] == NULL)
		return imss_ctl_usage_error(error,
					    /* TRANSLATORS: usage error */
					    _("Usage: imss-licensectl settings reset KEY..."));
	for (guint i = 0; args[i] != NULL; i++) {
		if (imss_ctl_setting_find(args[i]) == NULL)
			return imss_ctl_setting_unknown(args[i], error);
	}
	g_variant_builder_init(&builder, G_VARIANT_TYPE_VARDICT);
	if (!imss_ctl_settings_apply(ctl, g_variant_builder_end(&builder), (const gchar *const *)args, error))
		return FALSE;
	if (ctl->json) {
		JsonArray *array = json_array_new();
		for (guint i = 0; args[i] != NULL; i++)
			json_array_add_string_element(array, args[i]);
		imss_ctl_print_json_member("reset", json_node_init_array(json_node_alloc(), array));
		json_array_unref(array);
		return TRUE;
	}
	for (guint i = 0; args[i] != NULL; i++)
		/* TRANSLATORS: after `settings reset`; %s the setting */
		g_print(_("%s is taken from the configuration file again.\n"), args[i]);
	return TRUE;
}

gboolean
imss_ctl_settings(ImssCtl *ctl, gchar **args, GError **error)
{
	g_return_val_if_fail(ctl != NULL && args != NULL, FALSE);

	if (args[0] == NULL)
		return imss_ctl_settings_show(ctl, error);
	if (g_strcmp0(args[0], "set") == 0)
		return imss_ctl_settings_set(ctl, args + 1, error);
	if (g_strcmp0(args[0], "reset") == 0)
		return imss_ctl_settings_reset(ctl, args + 1, error);
	return imss_ctl_usage_error(error,
				    /* TRANSLATORS: usage error */
				    _("Usage: imss-licensectl settings [set KEY VALUE | reset KEY...]"));
}

/* -- mail test ------------------------------------------------------------------ */

gboolean
imss_ctl_mail(ImssCtl *ctl, gchar **args, GError **error)
{
	g_autofree gchar *result = NULL;
	g_autoptr(GError) error_local = NULL;

	g_return_val_if_fail(ctl != NULL && args != NULL, FALSE);

	if (g_strcmp0(args[0], "test") != 0 || args[1] != NULL)
		/* TRANSLATORS: usage error */
		return imss_ctl_usage_error(error, _("Usage: imss-licensectl mail test"));
	if (!imss_ctl_connect(ctl, error))
		return FALSE;
	imss_client_test_mail_async(ctl->client, NULL, imss_ctl_async_cb, ctl);
	result = imss_client_test_mail_finish(ctl->client, imss_ctl_wait(ctl), &error_local);
	if (result == NULL) {
		/* what the SMTP server answered, as the daemon says it */
		if (g_error_matches(error_local, IMSS_ERROR, IMSS_ERROR_SERVER_UNREACHABLE)) {
			imss_error_strip_remote(error_local);
			g_set_error_literal(error, G_IO_ERROR, G_IO_ERROR_FAILED, error_local->message);
			return FALSE;
		}
		g_propagate_error(error, g_steal_pointer(&error_local));
		return FALSE;
	}
	if (ctl->json) {
		imss_ctl_print_json_member("result", json_node_init_string(json_node_alloc(), result));
		return TRUE;
	}
	/* TRANSLATORS: after `mail test`; %s what the SMTP server accepted (English) */
	g_print(_("The test mail was sent: %s\n"), result);
	return TRUE;
}
