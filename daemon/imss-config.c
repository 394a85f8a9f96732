#define G_LOG_DOMAIN "ImssConfig"

#include "config.h"

#include <gio/gio.h>
#include <string.h>

#include "imss-config.h"
#include "imss-protocol.h"

struct _ImssConfig {
	GObject parent_instance;
	ImssEdition edition;
	gchar *environment;
	gchar *db_provider;
	gchar *db_connection;
	gchar *db_auth;
	gchar *server_url;
	guint server_timeout;
	gchar *server_ca_file;
	gchar *proxy_host;
	guint proxy_port;
	gchar *proxy_user;
	gchar *proxy_password;
	gchar *scan_unit;
	gchar *policy_unit;
	gchar *sender_filter_unit;
	gboolean sender_filter_enabled;
	guint restart_timeout;
	guint restart_attempts;
	guint restart_retry;
	gchar **mail_to;
	gchar *mail_from;
	gchar *mail_smtp;
	gchar *mail_user;
	gchar *mail_password;
	gchar *mail_language;
	guint mail_timeout;
	guint mail_retry;
	guint history_max;
	GPtrArray *warnings;
};

G_DEFINE_TYPE(ImssConfig, imss_config, G_TYPE_OBJECT)

#define IMSS_DEFAULT_SERVER_URL "http://licenseupdate.trendmicro.com" IMSS_PROTOCOL_UPDATE_PATH

/* every group and key we know; anything else is warned about */
static const struct {
	const gchar *group;
	const gchar *key;
} known_keys[] = {
    {"license", "edition"},
    {"license", "environment"},
    {"database", "provider"},
    {"database", "connection"},
    {"database", "auth"},
    {"license-server", "url"},
    {"license-server", "timeout"},
    {"license-server", "ca-file"},
    {"proxy", "host"},
    {"proxy", "port"},
    {"proxy", "user"},
    {"proxy", "password"},
    {"services", "scan-unit"},
    {"services", "policy-unit"},
    {"services", "sender-filter-unit"},
    {"services", "sender-filter-enabled"},
    {"services", "restart-timeout"},
    {"services", "restart-attempts"},
    {"services", "restart-retry-interval"},
    {"mail", "to"},
    {"mail", "from"},
    {"mail", "smtp"},
    {"mail", "user"},
    {"mail", "password"},
    {"mail", "language"},
    {"mail", "timeout"},
    {"mail", "retry-interval"},
    {"history", "max-entries"},
};

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
	g_ptr_array_set_size(self->warnings, 0);
}

/* The line of "key=" inside "[group]" of @data, or 0 when not found: GKeyFile
 * does not keep line numbers, and an operator wants to be pointed at the line. */
static guint
imss_config_find_line(const gchar *data, const gchar *group, const gchar *key)
{
	g_auto(GStrv) lines = g_strsplit(data, "\n", -1);
	gboolean in_group = FALSE;
	gsize keylen = strlen(key);
	for (guint i = 0; lines[i] != NULL; i++) {
		const gchar *l = lines[i];
		while (*l == ' ' || *l == '\t')
			l++;
		if (*l == '[') {
			const gchar *end = strchr(l, ']');
			in_group = end != NULL && (gsize)(end - l - 1) == strlen(group) &&
				   strncmp(l + 1, group, end - l - 1) == 0;
			continue;
		}
		if (in_group && strncmp(l, key, keylen) == 0) {
			const gchar *r = l + keylen;
			while (*r == ' ' || *r == '\t')
				r++;
			if (*r == '=')
				return i + 1;
		}
	}
	return 0;
}

static gboolean
imss_config_bad_value(const gchar *data,
		      const gchar *origin,
		      const gchar *group,
		      const gchar *key,
		      const gchar *why,
		      GError **error)
{
	guint line = imss_config_find_line(data, group, key);
	g_set_error(error,
		    G_KEY_FILE_ERROR,
		    G_KEY_FILE_ERROR_INVALID_VALUE,
		    "%s:%u: [%s] %s: %s",
		    origin,
		    line,
		    group,
		    key,
		    why);
	return FALSE;
}

/* a string value, trimmed; NULL when absent or empty */
static gchar *
imss_config_get_str(GKeyFile *kf, const gchar *group, const gchar *key)
{
	g_autofree gchar *v = g_key_file_get_string(kf, group, key, NULL);
	if (v == NULL)
		return NULL;
	g_strstrip(v);
	if (*v == '\0')
		return NULL;
	return g_steal_pointer(&v);
}

static gboolean
imss_config_is_unit_name(const gchar *name)
{
	static const gchar *suffixes[] = {".service", ".target", NULL};
	gboolean suffix_ok = FALSE;
	for (guint i = 0; suffixes[i] != NULL; i++)
		suffix_ok |= g_str_has_suffix(name, suffixes[i]);
	if (!suffix_ok || strlen(name) > 255)
		return FALSE;
	for (const gchar *p = name; *p != '\0'; p++) {
		if (!g_ascii_isalnum(*p) && strchr(":-_.\\@", *p) == NULL)
			return FALSE;
	}
	return TRUE;
}

static gboolean
imss_config_is_address(const gchar *addr)
{
	const gchar *at = strchr(addr, '@');
	if (at == NULL || at == addr || at[1] == '\0' || strchr(at + 1, '@') != NULL)
		return FALSE;
	for (const gchar *p = addr; *p != '\0'; p++) {
		if ((guchar)*p <= ' ' || strchr("<>()[]\\,;:\"", *p) != NULL)
			return FALSE;
	}
	return TRUE;
}

/* one numeric key of a group: its bounds and the word for its unit */
typedef struct {
	const gchar *key;
	guint *dest;
	guint64 min;
	guint64 max;
	const gchar *expected;
} ImssConfigNumber;

static gboolean
imss_config_get_numbers(GKeyFile *kf,
			const gchar *data,
			const gchar *origin,
			const gchar *group,
			const ImssConfigNumber *nums,
			guint n_nums,
			GError **error)
{
	for (guint i = 0; i < n_nums; i++) {
		g_autofree gchar *n = imss_config_get_str(kf, group, nums[i].key);
		g_autofree gchar *why = NULL;
		guint64 val = 0;
		if (n == NULL)
			continue;
		if (g_ascii_string_to_unsigned(n, 10, nums[i].min, nums[i].max, &val, NULL)) {
			*nums[i].dest = (guint)val;
			continue;
		}
		why = g_strdup_printf("expected %s from %" G_GUINT64_FORMAT " to %" G_GUINT64_FORMAT,
				      nums[i].expected,
				      nums[i].min,
				      nums[i].max);
		return imss_config_bad_value(data, origin, group, nums[i].key, why, error);
	}
	return TRUE;
}

gboolean
imss_config_load_data(ImssConfig *self, const gchar *data, const gchar *origin, GError **error)
{
	g_autoptr(GKeyFile) kf = g_key_file_new();
	g_autoptr(GError) error_local = NULL;
	g_auto(GStrv) groups = NULL;
	g_autofree gchar *v = NULL;
	const ImssConfigNumber service_nums[] = {
	    {"restart-timeout", &self->restart_timeout, 1, 3600, "a number of seconds"},
	    {"restart-attempts", &self->restart_attempts, 1, 100, "a number of attempts"},
	    {"restart-retry-interval", &self->restart_retry, 1, 86400, "a number of seconds"},
	};
	const ImssConfigNumber history_nums[] = {
	    {"max-entries", &self->history_max, 100, 10000000, "a number of entries"},
	};
	const ImssConfigNumber mail_nums[] = {
	    {"timeout", &self->mail_timeout, 1, 600, "a number of seconds"},
	    {"retry-interval", &self->mail_retry, 1, 86400, "a number of seconds"},
	};

	g_return_val_if_fail(IMSS_IS_CONFIG(self), FALSE);

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

	/* unknown groups and keys: warn, do not fail (a newer config on an older
	 * daemon must not take the license service down) */
	groups = g_key_file_get_groups(kf, NULL);
	for (guint i = 0; groups[i] != NULL; i++) {
		g_auto(GStrv) keys = g_key_file_get_keys(kf, groups[i], NULL, NULL);
		for (guint j = 0; keys != NULL && keys[j] != NULL; j++) {
			gboolean known = FALSE;
			for (guint k = 0; k < G_N_ELEMENTS(known_keys); k++) {
				if (g_strcmp0(known_keys[k].group, groups[i]) == 0 &&
				    g_strcmp0(known_keys[k].key, keys[j]) == 0)
					known = TRUE;
			}
			if (!known) {
				g_autofree gchar *msg =
				    g_strdup_printf("%s:%u: unknown key [%s] %s ignored",
						    origin,
						    imss_config_find_line(data, groups[i], keys[j]),
						    groups[i],
						    keys[j]);
				g_ptr_array_add(self->warnings, g_steal_pointer(&msg));
			}
		}
	}

	/* [license] */
	v = imss_config_get_str(kf, "license", "edition");
	if (v != NULL && !imss_edition_from_string(v, &self->edition))
		return imss_config_bad_value(data,
					     origin,
					     "license",
					     "edition",
					     "expected imss or imsva",
					     error);
	g_clear_pointer(&v, g_free);
	v = imss_config_get_str(kf, "license", "environment");
	if (v != NULL) {
		const gchar *allowed[] = {"auto", "connected", "cm-managed", "standalone", NULL};
		if (!g_strv_contains(allowed, v))
			return imss_config_bad_value(data,
						     origin,
						     "license",
						     "environment",
						     "expected auto, connected, cm-managed or standalone",
						     error);
		g_free(self->environment);
		self->environment = g_steal_pointer(&v);
	}

	/* [database] */
	v = imss_config_get_str(kf, "database", "provider");
	if (v != NULL) {
		if (g_ascii_strcasecmp(v, "sqlite") == 0) {
			g_free(self->db_provider);
			self->db_provider = g_strdup("SQLite");
		} else if (g_ascii_strcasecmp(v, "postgresql") == 0 ||
			   g_ascii_strcasecmp(v, "postgres") == 0) {
			g_free(self->db_provider);
			self->db_provider = g_strdup("PostgreSQL");
		} else {
			return imss_config_bad_value(data,
						     origin,
						     "database",
						     "provider",
						     "expected SQLite or PostgreSQL",
						     error);
		}
	}
	g_clear_pointer(&v, g_free);
	self->db_connection = imss_config_get_str(kf, "database", "connection");
	self->db_auth = imss_config_get_str(kf, "database", "auth");
	if (g_strcmp0(self->db_provider, "PostgreSQL") == 0 && self->db_connection == NULL)
		return imss_config_bad_value(data,
					     origin,
					     "database",
					     "connection",
					     "PostgreSQL needs a connection string "
					     "(e.g. HOST=db.example;PORT=5432;DB_NAME=imss)",
					     error);

	/* [license-server] */
	v = imss_config_get_str(kf, "license-server", "url");
	if (v != NULL) {
		g_autoptr(GUri) uri = g_uri_parse(v, G_URI_FLAGS_NONE, NULL);
		if (uri == NULL || g_uri_get_host(uri) == NULL ||
		    (g_strcmp0(g_uri_get_scheme(uri), "http") != 0 &&
		     g_strcmp0(g_uri_get_scheme(uri), "https") != 0))
			return imss_config_bad_value(data,
						     origin,
						     "license-server",
						     "url",
						     "expected an http:// or https:// URL",
						     error);
		g_free(self->server_url);
		self->server_url = g_steal_pointer(&v);
	}

	v = imss_config_get_str(kf, "license-server", "timeout");
	if (v != NULL) {
		guint64 secs = 0;
		if (!g_ascii_string_to_unsigned(v, 10, 1, 600, &secs, NULL))
			return imss_config_bad_value(data,
						     origin,
						     "license-server",
						     "timeout",
						     "expected seconds, 1-600",
						     error);
		self->server_timeout = (guint)secs;
	}
	g_clear_pointer(&v, g_free);

	/* loaded now, so that a file that cannot be used stops the daemon with
	 * its line instead of failing every request */
	self->server_ca_file = imss_config_get_str(kf, "license-server", "ca-file");
	if (self->server_ca_file != NULL) {
		g_autoptr(GError) error_ca = NULL;
		g_autolist(GTlsCertificate) cas = NULL;
		g_autofree gchar *why = NULL;
		if (!g_path_is_absolute(self->server_ca_file)) {
			why = g_strdup("expected the absolute path of a PEM file of CA certificates");
		} else {
			cas = g_tls_certificate_list_new_from_file(self->server_ca_file, &error_ca);
			if (cas == NULL)
				why = g_strdup_printf("no CA certificate can be read from %s%s%s",
						      self->server_ca_file,
						      error_ca != NULL ? ": " : "",
						      error_ca != NULL ? error_ca->message : "");
		}
		if (why != NULL)
			return imss_config_bad_value(data,
						     origin,
						     "license-server",
						     "ca-file",
						     why,
						     error);
	}

	/* [proxy] */
	self->proxy_host = imss_config_get_str(kf, "proxy", "host");
	v = imss_config_get_str(kf, "proxy", "port");
	if (v != NULL) {
		guint64 port = 0;
		if (!g_ascii_string_to_unsigned(v, 10, 1, 65535, &port, NULL))
			return imss_config_bad_value(data,
						     origin,
						     "proxy",
						     "port",
						     "expected a port number 1-65535",
						     error);
		self->proxy_port = (guint)port;
	}
	g_clear_pointer(&v, g_free);
	if (self->proxy_host != NULL) {
		for (const gchar *p = self->proxy_host; *p != '\0'; p++) {
			if (!g_ascii_isalnum(*p) && strchr(".-:[]", *p) == NULL)
				return imss_config_bad_value(data,
							     origin,
							     "proxy",
							     "host",
							     "expected a host name or address",
							     error);
		}
	}
	self->proxy_user = imss_config_get_str(kf, "proxy", "user");
	self->proxy_password = imss_config_get_str(kf, "proxy", "password");
	if (self->proxy_password != NULL && self->proxy_user == NULL)
		return imss_config_bad_value(data,
					     origin,
					     "proxy",
					     "password",
					     "a password needs a user",
					     error);

	/* [services] */
	{
		const struct {
			const gchar *key;
			gchar **dest;
		} units[] = {
		    {"scan-unit", &self->scan_unit},
		    {"policy-unit", &self->policy_unit},
		    {"sender-filter-unit", &self->sender_filter_unit},
		};
		for (guint i = 0; i < G_N_ELEMENTS(units); i++) {
			g_autofree gchar *unit = imss_config_get_str(kf, "services", units[i].key);
			if (unit == NULL)
				continue;
			if (!imss_config_is_unit_name(unit))
				return imss_config_bad_value(data,
							     origin,
							     "services",
							     units[i].key,
							     "expected a systemd unit name such as "
							     "imss-scan.service",
							     error);
			g_free(*units[i].dest);
			*units[i].dest = g_steal_pointer(&unit);
		}
	}
	if (g_key_file_has_key(kf, "services", "sender-filter-enabled", NULL)) {
		g_autoptr(GError) error_bool = NULL;
		self->sender_filter_enabled =
		    g_key_file_get_boolean(kf, "services", "sender-filter-enabled", &error_bool);
		if (error_bool != NULL)
			return imss_config_bad_value(data,
						     origin,
						     "services",
						     "sender-filter-enabled",
						     "expected true or false",
						     error);
	}
	if (!imss_config_get_numbers(kf, data, origin, "services", service_nums,
				     G_N_ELEMENTS(service_nums), error))
		return FALSE;
	/* [mail] */
	v = imss_config_get_str(kf, "mail", "to");
	if (v != NULL) {
		g_auto(GStrv) parts = g_strsplit_set(v, ",; ", -1);
		g_autoptr(GPtrArray) to = g_ptr_array_new_with_free_func(g_free);
		for (guint i = 0; parts[i] != NULL; i++) {
			if (*parts[i] == '\0')
				continue;
			if (!imss_config_is_address(parts[i]))
				return imss_config_bad_value(data, origin, "mail", "to",
							     "expected e-mail addresses separated by commas",
							     error);
			g_ptr_array_add(to, g_strdup(parts[i]));
		}
		if (to->len > 0) {
			g_ptr_array_add(to, NULL);
			self->mail_to = (gchar **)g_ptr_array_free(g_steal_pointer(&to), FALSE);
		}
	}
	g_clear_pointer(&v, g_free);
	v = imss_config_get_str(kf, "mail", "from");
	if (v != NULL) {
		if (!imss_config_is_address(v))
			return imss_config_bad_value(data, origin, "mail", "from",
						     "expected an e-mail address", error);
		g_free(self->mail_from);
		self->mail_from = g_steal_pointer(&v);
	}
	v = imss_config_get_str(kf, "mail", "smtp");
	if (v != NULL) {
		g_autoptr(GUri) uri = g_uri_parse(v, G_URI_FLAGS_NONE, NULL);
		if (uri == NULL || g_uri_get_host(uri) == NULL ||
		    (g_strcmp0(g_uri_get_scheme(uri), "smtp") != 0 &&
		     g_strcmp0(g_uri_get_scheme(uri), "smtps") != 0))
			return imss_config_bad_value(data, origin, "mail", "smtp",
						     "expected smtp://host[:port] or smtps://host[:port]",
						     error);
		self->mail_smtp = g_steal_pointer(&v);
	}
	self->mail_user = imss_config_get_str(kf, "mail", "user");
	self->mail_password = imss_config_get_str(kf, "mail", "password");
	v = imss_config_get_str(kf, "mail", "language");
	if (v != NULL) {
		if (g_strcmp0(v, "ja") != 0 && g_strcmp0(v, "en") != 0)
			return imss_config_bad_value(data, origin, "mail", "language",
						     "expected ja or en", error);
		g_free(self->mail_language);
		self->mail_language = g_steal_pointer(&v);
	}
	if (!imss_config_get_numbers(kf, data, origin, "mail", mail_nums, G_N_ELEMENTS(mail_nums),
				     error))
		return FALSE;
	return imss_config_get_numbers(kf, data, origin, "history", history_nums,
				       G_N_ELEMENTS(history_nums), error);
}

gboolean
imss_config_load(ImssConfig *self, const gchar *path, gboolean must_exist, GError **error)
{
	g_autofree gchar *data = NULL;
	g_autoptr(GError) error_local = NULL;

	g_return_val_if_fail(IMSS_IS_CONFIG(self), FALSE);

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

ImssEdition
imss_config_get_edition(ImssConfig *self)
{
	return self->edition;
}

const gchar *
imss_config_get_environment(ImssConfig *self)
{
	return self->environment;
}

const gchar *
imss_config_get_db_provider(ImssConfig *self)
{
	return self->db_provider;
}

const gchar *
imss_config_get_db_connection(ImssConfig *self)
{
	return self->db_connection;
}

const gchar *
imss_config_get_db_auth(ImssConfig *self)
{
	return self->db_auth;
}

const gchar *
imss_config_get_server_url(ImssConfig *self)
{
	return self->server_url;
}

guint
imss_config_get_server_timeout(ImssConfig *self)
{
	return self->server_timeout;
}

const gchar *
imss_config_get_server_ca_file(ImssConfig *self)
{
	return self->server_ca_file;
}

const gchar *
imss_config_get_proxy_host(ImssConfig *self)
{
	return self->proxy_host;
}

guint
imss_config_get_proxy_port(ImssConfig *self)
{
	return self->proxy_port;
}

const gchar *
imss_config_get_proxy_user(ImssConfig *self)
{
	return self->proxy_user;
}

const gchar *
imss_config_get_proxy_password(ImssConfig *self)
{
	return self->proxy_password;
}

const gchar *
imss_config_get_scan_unit(ImssConfig *self)
{
	return self->scan_unit;
}

const gchar *
imss_config_get_policy_unit(ImssConfig *self)
{
	return self->policy_unit;
}

const gchar *
imss_config_get_sender_filter_unit(ImssConfig *self)
{
	return self->sender_filter_unit;
}

gboolean
imss_config_get_sender_filter_enabled(ImssConfig *self)
{
	return self->sender_filter_enabled;
}

gchar *const *
imss_config_get_mail_to(ImssConfig *self)
{
	return self->mail_to;
}

const gchar *
imss_config_get_mail_from(ImssConfig *self)
{
	return self->mail_from;
}

const gchar *
imss_config_get_mail_smtp(ImssConfig *self)
{
	return self->mail_smtp;
}

const gchar *
imss_config_get_mail_user(ImssConfig *self)
{
	return self->mail_user;
}

const gchar *
imss_config_get_mail_password(ImssConfig *self)
{
	return self->mail_password;
}

const gchar *
imss_config_get_mail_language(ImssConfig *self)
{
	return self->mail_language;
}

guint
imss_config_get_mail_timeout(ImssConfig *self)
{
	return self->mail_timeout;
}

guint
imss_config_get_restart_timeout(ImssConfig *self)
{
	return self->restart_timeout;
}

guint
imss_config_get_restart_attempts(ImssConfig *self)
{
	return self->restart_attempts;
}

guint
imss_config_get_restart_retry_interval(ImssConfig *self)
{
	return self->restart_retry;
}

guint
imss_config_get_mail_retry_interval(ImssConfig *self)
{
	return self->mail_retry;
}

guint
imss_config_get_history_max_entries(ImssConfig *self)
{
	return self->history_max;
}

GPtrArray *
imss_config_get_warnings(ImssConfig *self)
{
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
	g_ptr_array_unref(self->warnings);
	G_OBJECT_CLASS(imss_config_parent_class)->finalize(obj);
}

static void
imss_config_class_init(ImssConfigClass *klass)
{
	G_OBJECT_CLASS(klass)->finalize = imss_config_finalize;
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
