#define G_LOG_DOMAIN "ImssConfig"

#include "config.h"

#include <gio/gio.h>
#include <string.h>

#include "imss-config-private.h"
#include "imss-protocol.h"

G_DEFINE_TYPE(ImssConfig, imss_config, G_TYPE_OBJECT)

enum { SIGNAL_CHANGED, SIGNAL_LAST };
static guint signals[SIGNAL_LAST] = {0};

#define IMSS_DEFAULT_SERVER_URL "http://licenseupdate.trendmicro.com" IMSS_PROTOCOL_UPDATE_PATH

static void
imss_config_reset(ImssConfig *self)
{
	self->edition = IMSS_EDITION_IMSVA;
	g_free(self->environment);
	self->environment = g_strdup("auto");
	g_free(self->db_provider);
	self->db_provider = g_strdup("SQLite");
	g_clear_pointer(&self->db_connection, g_free);
	g_clear_pointer(&self->db_auth, g_free);
	g_free(self->server_url);
	self->server_url = g_strdup(IMSS_DEFAULT_SERVER_URL);
	/* under the 25 s a D-Bus caller waits by default: Activate asks the
	 * server before it answers */
	self->server_timeout = 20;
	g_clear_pointer(&self->server_ca_file, g_free);
	g_clear_pointer(&self->proxy_host, g_free);
	self->proxy_port = 8080;
	g_clear_pointer(&self->proxy_user, g_free);
	g_clear_pointer(&self->proxy_password, g_free);
	g_free(self->scan_unit);
	self->scan_unit = g_strdup("imss-scan.service");
	g_free(self->policy_unit);
	self->policy_unit = g_strdup("imss-policy.service");
	g_free(self->sender_filter_unit);
	self->sender_filter_unit = g_strdup("imss-sender-filter.service");
	self->sender_filter_enabled = FALSE;
	self->restart_timeout = 300; /* the scan service takes tens of seconds */
	self->restart_attempts = 3;
	self->restart_retry = 60;
	g_clear_pointer(&self->mail_to, g_strfreev);
	g_free(self->mail_from);
	self->mail_from = g_strdup("imss-licensed@localhost");
	g_clear_pointer(&self->mail_smtp, g_free);
	g_clear_pointer(&self->mail_user, g_free);
	g_clear_pointer(&self->mail_password, g_free);
	g_free(self->mail_language);
	self->mail_language = g_strdup("ja"); /* the operators are Japanese */
	self->mail_timeout = 60;
	self->mail_retry = 300;
	self->history_max = 10000;
	self->poll_interval = 60;
	self->claim_lease = 600;
	g_clear_pointer(&self->node_name, g_free);
	g_free(self->motd_file);
	self->motd_file = g_strdup("/run/motd.d/imss-license");
	g_ptr_array_set_size(self->warnings, 0);
}

gboolean
imss_config_load_data(ImssConfig *self, const gchar *data, const gchar *origin, GError **error)
{
	g_autoptr(GKeyFile) kf = g_key_file_new();
	g_autoptr(GError) error_local = NULL;

	g_return_val_if_fail(IMSS_IS_CONFIG(self), FALSE);
	g_return_val_if_fail(data != NULL, FALSE);
	g_return_val_if_fail(origin != NULL, FALSE);
	g_return_val_if_fail(error == NULL || *error == NULL, FALSE);

	imss_config_reset(self);
	if (!g_key_file_load_from_data(kf, data, -1, G_KEY_FILE_NONE, &error_local)) {
		g_set_error(error,
			    G_KEY_FILE_ERROR,
			    G_KEY_FILE_ERROR_PARSE,
			    "%s: %s",
			    origin,
			    error_local->message);
		return FALSE;
	}
	imss_config_warn_unknown_keys(self, kf, data, origin);
	if (!imss_config_load_sections(self, kf, data, origin, error))
		return FALSE;
	g_free(self->file_data);
	self->file_data = g_strdup(data);
	return TRUE;
}

gboolean
imss_config_load(ImssConfig *self, const gchar *path, gboolean must_exist, GError **error)
{
	g_autofree gchar *data = NULL;
	g_autoptr(GError) error_local = NULL;

	g_return_val_if_fail(IMSS_IS_CONFIG(self), FALSE);
	g_return_val_if_fail(path != NULL, FALSE);
	g_return_val_if_fail(error == NULL || *error == NULL, FALSE);

	if (!g_file_get_contents(path, &data, NULL, &error_local)) {
		if (!must_exist && g_error_matches(error_local, G_FILE_ERROR, G_FILE_ERROR_NOENT)) {
			g_debug("no %s, using defaults", path);
			imss_config_reset(self);
			return TRUE;
		}
		g_propagate_error(error, g_steal_pointer(&error_local));
		return FALSE;
	}
	return imss_config_load_data(self, data, path, error);
}

/* the operator's settings: [group] key of the file that may be changed
 * over D-Bus (imss-settings.c names them for the bus) */
static const struct {
	const gchar *group;
	const gchar *key;
} imss_config_settable[] = {
    {"mail", "to"},	      {"mail", "from"},	     {"mail", "smtp"},	{"mail", "user"},
    {"mail", "password"},     {"mail", "language"},  {"proxy", "host"}, {"proxy", "port"},
    {"proxy", "user"},	      {"proxy", "password"}, {"services", "sender-filter-enabled"},
};

gboolean
imss_config_is_settable(const gchar *group, const gchar *key)
{
	for (guint i = 0; i < G_N_ELEMENTS(imss_config_settable); i++) {
		if (g_strcmp0(imss_config_settable[i].group, group) == 0 &&
		    g_strcmp0(imss_config_settable[i].key, key) == 0)
			return TRUE;
	}
	return FALSE;
}

/* the file's values with @settings over them, read into a new object */
static ImssConfig *
imss_config_merge(ImssConfig *self, const gchar *const *settings, GError **error)
{
	g_autoptr(GKeyFile) kf = g_key_file_new();
	g_autoptr(ImssConfig) merged = imss_config_new();
	g_autofree gchar *data = NULL;

	if (self->file_data != NULL &&
	    !g_key_file_load_from_data(kf, self->file_data, -1, G_KEY_FILE_NONE, error))
		return NULL;
	for (guint i = 0; settings != NULL && settings[i] != NULL && settings[i + 1] != NULL &&
			  settings[i + 2] != NULL;
	     i += 3) {
		if (!imss_config_is_settable(settings[i], settings[i + 1])) {
			g_set_error(error,
				    G_KEY_FILE_ERROR,
				    G_KEY_FILE_ERROR_KEY_NOT_FOUND,
				    "[%s] %s cannot be set",
				    settings[i],
				    settings[i + 1]);
			return NULL;
		}
		/* escaped: a value cannot add lines, keys or groups */
		g_key_file_set_string(kf, settings[i], settings[i + 1], settings[i + 2]);
	}
	data = g_key_file_to_data(kf, NULL, NULL);
	if (!imss_config_load_data(merged, data, "settings", error))
		return NULL;
	return g_steal_pointer(&merged);
}

gboolean
imss_config_check_settings(ImssConfig *self,
			   const gchar *const *settings,
			   gint *bad,
			   GError **error)
{
	g_autoptr(ImssConfig) merged = NULL;
	g_autoptr(GError) error_local = NULL;

	g_return_val_if_fail(IMSS_IS_CONFIG(self), FALSE);
	g_return_val_if_fail(settings != NULL, FALSE);
	g_return_val_if_fail(bad != NULL, FALSE);
	g_return_val_if_fail(error == NULL || *error == NULL, FALSE);

	*bad = -1;
	merged = imss_config_merge(self, settings, &error_local);
	if (merged != NULL)
		return TRUE;
	/* "settings:LINE: [group] key: why" (imss-config-sections.c): whose */
	for (guint i = 0; settings[i] != NULL && settings[i + 1] != NULL && settings[i + 2] != NULL;
	     i += 3) {
		g_autofree gchar *prefix = g_strdup_printf("[%s] %s: ", settings[i], settings[i + 1]);
		const gchar *why = strstr(error_local->message, prefix);
		if (why != NULL) {
			*bad = (gint)i;
			g_set_error_literal(error,
					    G_KEY_FILE_ERROR,
					    G_KEY_FILE_ERROR_INVALID_VALUE,
					    why + strlen(prefix));
			return FALSE;
		}
	}
	g_propagate_error(error, g_steal_pointer(&error_local));
	return FALSE;
}

static void
imss_config_take_str(gchar **dest, gchar **src)
{
	g_free(*dest);
	*dest = g_steal_pointer(src);
}

gboolean
imss_config_apply_settings(ImssConfig *self, const gchar *const *settings, GError **error)
{
	g_autoptr(ImssConfig) merged = NULL;

	g_return_val_if_fail(IMSS_IS_CONFIG(self), FALSE);
	g_return_val_if_fail(error == NULL || *error == NULL, FALSE);

	merged = imss_config_merge(self, settings, error);
	if (merged == NULL)
		return FALSE;
	/* only the settable values change: the others may be held by callers */
	g_strfreev(self->mail_to);
	self->mail_to = g_steal_pointer(&merged->mail_to);
	imss_config_take_str(&self->mail_from, &merged->mail_from);
	imss_config_take_str(&self->mail_smtp, &merged->mail_smtp);
	imss_config_take_str(&self->mail_user, &merged->mail_user);
	imss_config_take_str(&self->mail_password, &merged->mail_password);
	imss_config_take_str(&self->mail_language, &merged->mail_language);
	imss_config_take_str(&self->proxy_host, &merged->proxy_host);
	self->proxy_port = merged->proxy_port;
	imss_config_take_str(&self->proxy_user, &merged->proxy_user);
	imss_config_take_str(&self->proxy_password, &merged->proxy_password);
	self->sender_filter_enabled = merged->sender_filter_enabled;
	g_signal_emit(self, signals[SIGNAL_CHANGED], 0);
	return TRUE;
}

ImssEdition
imss_config_get_edition(ImssConfig *self)
{
	g_return_val_if_fail(IMSS_IS_CONFIG(self), IMSS_EDITION_LAST);
	return self->edition;
}

const gchar *
imss_config_get_environment(ImssConfig *self)
{
	g_return_val_if_fail(IMSS_IS_CONFIG(self), NULL);
	return self->environment;
}

const gchar *
imss_config_get_db_provider(ImssConfig *self)
{
	g_return_val_if_fail(IMSS_IS_CONFIG(self), NULL);
	return self->db_provider;
}

const gchar *
imss_config_get_db_connection(ImssConfig *self)
{
	g_return_val_if_fail(IMSS_IS_CONFIG(self), NULL);
	return self->db_connection;
}

const gchar *
imss_config_get_db_auth(ImssConfig *self)
{
	g_return_val_if_fail(IMSS_IS_CONFIG(self), NULL);
	return self->db_auth;
}

const gchar *
imss_config_get_server_url(ImssConfig *self)
{
	g_return_val_if_fail(IMSS_IS_CONFIG(self), NULL);
	return self->server_url;
}

guint
imss_config_get_server_timeout(ImssConfig *self)
{
	g_return_val_if_fail(IMSS_IS_CONFIG(self), 0);
	return self->server_timeout;
}

const gchar *
imss_config_get_server_ca_file(ImssConfig *self)
{
	g_return_val_if_fail(IMSS_IS_CONFIG(self), NULL);
	return self->server_ca_file;
}

const gchar *
imss_config_get_proxy_host(ImssConfig *self)
{
	g_return_val_if_fail(IMSS_IS_CONFIG(self), NULL);
	return self->proxy_host;
}

guint
imss_config_get_proxy_port(ImssConfig *self)
{
	g_return_val_if_fail(IMSS_IS_CONFIG(self), 0);
	return self->proxy_port;
}

const gchar *
imss_config_get_proxy_user(ImssConfig *self)
{
	g_return_val_if_fail(IMSS_IS_CONFIG(self), NULL);
	return self->proxy_user;
}

const gchar *
imss_config_get_proxy_password(ImssConfig *self)
{
	g_return_val_if_fail(IMSS_IS_CONFIG(self), NULL);
	return self->proxy_password;
}

const gchar *
imss_config_get_scan_unit(ImssConfig *self)
{
	g_return_val_if_fail(IMSS_IS_CONFIG(self), NULL);
	return self->scan_unit;
}

const gchar *
imss_config_get_policy_unit(ImssConfig *self)
{
	g_return_val_if_fail(IMSS_IS_CONFIG(self), NULL);
	return self->policy_unit;
}

const gchar *
imss_config_get_sender_filter_unit(ImssConfig *self)
{
	g_return_val_if_fail(IMSS_IS_CONFIG(self), NULL);
	return self->sender_filter_unit;
}

gboolean
imss_config_get_sender_filter_enabled(ImssConfig *self)
{
	g_return_val_if_fail(IMSS_IS_CONFIG(self), FALSE);
	return self->sender_filter_enabled;
}

gchar *const *
imss_config_get_mail_to(ImssConfig *self)
{
	g_return_val_if_fail(IMSS_IS_CONFIG(self), NULL);
	return self->mail_to;
}

const gchar *
imss_config_get_mail_from(ImssConfig *self)
{
	g_return_val_if_fail(IMSS_IS_CONFIG(self), NULL);
	return self->mail_from;
}

const gchar *
imss_config_get_mail_smtp(ImssConfig *self)
{
	g_return_val_if_fail(IMSS_IS_CONFIG(self), NULL);
	return self->mail_smtp;
}

const gchar *
imss_config_get_mail_user(ImssConfig *self)
{
	g_return_val_if_fail(IMSS_IS_CONFIG(self), NULL);
	return self->mail_user;
}

const gchar *
imss_config_get_mail_password(ImssConfig *self)
{
	g_return_val_if_fail(IMSS_IS_CONFIG(self), NULL);
	return self->mail_password;
}

const gchar *
imss_config_get_mail_language(ImssConfig *self)
{
	g_return_val_if_fail(IMSS_IS_CONFIG(self), NULL);
	return self->mail_language;
}

guint
imss_config_get_mail_timeout(ImssConfig *self)
{
	g_return_val_if_fail(IMSS_IS_CONFIG(self), 0);
	return self->mail_timeout;
}

guint
imss_config_get_restart_timeout(ImssConfig *self)
{
	g_return_val_if_fail(IMSS_IS_CONFIG(self), 0);
	return self->restart_timeout;
}

guint
imss_config_get_restart_attempts(ImssConfig *self)
{
	g_return_val_if_fail(IMSS_IS_CONFIG(self), 0);
	return self->restart_attempts;
}

guint
imss_config_get_restart_retry_interval(ImssConfig *self)
{
	g_return_val_if_fail(IMSS_IS_CONFIG(self), 0);
	return self->restart_retry;
}

guint
imss_config_get_mail_retry_interval(ImssConfig *self)
{
	g_return_val_if_fail(IMSS_IS_CONFIG(self), 0);
	return self->mail_retry;
}

guint
imss_config_get_history_max_entries(ImssConfig *self)
{
	g_return_val_if_fail(IMSS_IS_CONFIG(self), 0);
	return self->history_max;
}

const gchar *
imss_config_get_node_name(ImssConfig *self)
{
	g_return_val_if_fail(IMSS_IS_CONFIG(self), NULL);
	if (self->node_name == NULL) {
		/* the host name, as a node name (at most 64 of A-Za-z0-9._-) */
		GString *name = g_string_new(NULL);
		const gchar *host = g_get_host_name();
		for (const gchar *c = host; *c != '\0' && name->len < 64; c++)
			g_string_append_c(name, g_ascii_isalnum(*c) || strchr("._-", *c) != NULL ? *c : '-');
		if (name->len == 0)
			g_string_append(name, "localhost");
		self->node_name = g_string_free(name, FALSE);
	}
	return self->node_name;
}

guint
imss_config_get_poll_interval(ImssConfig *self)
{
	g_return_val_if_fail(IMSS_IS_CONFIG(self), 0);
	return self->poll_interval;
}

guint
imss_config_get_claim_lease(ImssConfig *self)
{
	g_return_val_if_fail(IMSS_IS_CONFIG(self), 0);
	return self->claim_lease;
}

GPtrArray *
imss_config_get_warnings(ImssConfig *self)
{
	g_return_val_if_fail(IMSS_IS_CONFIG(self), NULL);
	return self->warnings;
}

static void
imss_config_finalize(GObject *obj)
{
	ImssConfig *self = IMSS_CONFIG(obj);
	g_free(self->environment);
	g_free(self->db_provider);
	g_free(self->db_connection);
	g_free(self->db_auth);
	g_free(self->server_url);
	g_free(self->server_ca_file);
	g_free(self->proxy_host);
	g_free(self->proxy_user);
	g_free(self->proxy_password);
	g_free(self->scan_unit);
	g_free(self->policy_unit);
	g_free(self->sender_filter_unit);
	g_strfreev(self->mail_to);
	g_free(self->mail_from);
	g_free(self->mail_smtp);
	g_free(self->mail_user);
	g_free(self->mail_password);
	g_free(self->mail_language);
	g_free(self->node_name);
	g_free(self->motd_file);
	g_ptr_array_unref(self->warnings);
	g_free(self->file_data);
	G_OBJECT_CLASS(imss_config_parent_class)->finalize(obj);
}

static void
imss_config_class_init(ImssConfigClass *klass)
{
	G_OBJECT_CLASS(klass)->finalize = imss_config_finalize;
	/* the operator's settings changed (imss_config_apply_settings()) */
	signals[SIGNAL_CHANGED] = g_signal_new("changed",
					       G_TYPE_FROM_CLASS(klass),
					       G_SIGNAL_RUN_LAST,
					       0,
					       NULL,
					       NULL,
					       NULL,
					       G_TYPE_NONE,
					       0);
}

static void
imss_config_init(ImssConfig *self)
{
	self->warnings = g_ptr_array_new_with_free_func(g_free);
	imss_config_reset(self);
}

ImssConfig *
imss_config_new(void)
{
	return g_object_new(IMSS_TYPE_CONFIG, NULL);
}

const gchar *
imss_config_get_motd_file(ImssConfig *self)
{
	g_return_val_if_fail(IMSS_IS_CONFIG(self), NULL);
	return self->motd_file;
}
