#define G_LOG_DOMAIN "ImssConfig"

#include "config.h"

#include <gio/gio.h>
#include <string.h>

#include "imss-config-private.h"

/* every group and key we know; anything else is warned about */
static const struct {
	const gchar *group;
	const gchar *key;
} known_keys[] = {
    {"license", "edition"},
    {"license", "environment"},
    {"license", "motd-file"},
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
    {"fleet", "node-name"},
    {"fleet", "poll-interval"},
    {"fleet", "claim-lease"},
};

gchar **
imss_config_dup_known_keys(void)
{
	GStrv keys = g_new0(gchar *, G_N_ELEMENTS(known_keys) + 1);
	for (guint i = 0; i < G_N_ELEMENTS(known_keys); i++)
		keys[i] = g_strdup_printf("%s/%s", known_keys[i].group, known_keys[i].key);
	return keys;
}

/* the file being read: its keys, its text (for line numbers) and its name */
typedef struct {
	GKeyFile *kf;
	const gchar *data;
	const gchar *origin;
} ImssConfigSource;

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
imss_config_bad_value(const ImssConfigSource *src,
                      const gchar *group,
                      const gchar *key,
                      const gchar *why,
                      GError **error)
{
	guint line = imss_config_find_line(src->data, group, key);
	g_set_error(error,
	            G_KEY_FILE_ERROR,
	            G_KEY_FILE_ERROR_INVALID_VALUE,
	            "%s:%u: [%s] %s: %s",
	            src->origin,
	            line,
	            group,
	            key,
	            why);
	return FALSE;
}

/* a string value, trimmed; NULL when absent or empty */
static gchar *
imss_config_get_str(const ImssConfigSource *src, const gchar *group, const gchar *key)
{
	g_autofree gchar *v = g_key_file_get_string(src->kf, group, key, NULL);
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

/* a URL with a host and one of two schemes */
static gboolean
imss_config_is_url(const gchar *str, const gchar *scheme, const gchar *scheme_tls)
{
	g_autoptr(GUri) uri = g_uri_parse(str, G_URI_FLAGS_NONE, NULL);
	return uri != NULL && g_uri_get_host(uri) != NULL &&
	       (g_strcmp0(g_uri_get_scheme(uri), scheme) == 0 ||
	        g_strcmp0(g_uri_get_scheme(uri), scheme_tls) == 0);
}

/* One string key that must be one of @allowed, into @dest when present. */
static gboolean
imss_config_get_choice(const ImssConfigSource *src,
                       const gchar *group,
                       const gchar *key,
                       const gchar *const *allowed,
                       const gchar *why,
                       gchar **dest,
                       GError **error)
{
	g_autofree gchar *v = imss_config_get_str(src, group, key);
	if (v == NULL)
		return TRUE;
	if (!g_strv_contains(allowed, v))
		return imss_config_bad_value(src, group, key, why, error);
	g_free(*dest);
	*dest = g_steal_pointer(&v);
	return TRUE;
}

/* one numeric key of a group: its bounds and the word for its unit, or the
 * whole reason when @why is set */
typedef struct {
	const gchar *key;
	guint *dest;
	guint64 min;
	guint64 max;
	const gchar *expected;
	const gchar *why;
} ImssConfigNumber;

static gboolean
imss_config_get_numbers(const ImssConfigSource *src,
                        const gchar *group,
                        const ImssConfigNumber *nums,
                        guint n_nums,
                        GError **error)
{
	for (guint i = 0; i < n_nums; i++) {
		g_autofree gchar *n = imss_config_get_str(src, group, nums[i].key);
		g_autofree gchar *why = NULL;
		guint64 val = 0;
		if (n == NULL)
			continue;
		if (g_ascii_string_to_unsigned(n, 10, nums[i].min, nums[i].max, &val, NULL)) {
			*nums[i].dest = (guint)val;
			continue;
		}
		if (nums[i].why != NULL)
			return imss_config_bad_value(src, group, nums[i].key, nums[i].why, error);
		why =
		    g_strdup_printf("expected %s from %" G_GUINT64_FORMAT " to %" G_GUINT64_FORMAT,
		                    nums[i].expected,
		                    nums[i].min,
		                    nums[i].max);
		return imss_config_bad_value(src, group, nums[i].key, why, error);
	}
	return TRUE;
}

void
imss_config_warn_unknown_keys(ImssConfig *self,
                              GKeyFile *kf,
                              const gchar *data,
                              const gchar *origin)
{
	g_auto(GStrv) groups = NULL;
	g_return_if_fail(IMSS_IS_CONFIG(self));
	g_return_if_fail(kf != NULL);
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
}

/* -- the sections, in the order they are checked ------------------------ */

static gboolean
imss_config_load_license(ImssConfig *self, const ImssConfigSource *src, GError **error)
{
	static const gchar *const environments[] = {
	    "auto", "connected", "cm-managed", "standalone", NULL};
	g_autofree gchar *v = imss_config_get_str(src, "license", "edition");
	g_autofree gchar *motd = imss_config_get_str(src, "license", "motd-file");
	if (v != NULL && !imss_edition_from_string(v, &self->edition))
		return imss_config_bad_value(
		    src, "license", "edition", "expected imss or imsva", error);
	if (g_strcmp0(motd, "none") == 0) {
		g_clear_pointer(&self->motd_file, g_free);
	} else if (motd != NULL) {
		if (!g_path_is_absolute(motd))
			return imss_config_bad_value(
			    src, "license", "motd-file", "expected an absolute path or none", error);
		g_free(self->motd_file);
		self->motd_file = g_steal_pointer(&motd);
	}
	return imss_config_get_choice(src,
	                              "license",
	                              "environment",
	                              environments,
	                              "expected auto, connected, cm-managed or standalone",
	                              &self->environment,
	                              error);
}

static gboolean
imss_config_load_database(ImssConfig *self, const ImssConfigSource *src, GError **error)
{
	g_autofree gchar *v = imss_config_get_str(src, "database", "provider");
	if (v != NULL) {
		const gchar *provider = NULL;
		if (g_ascii_strcasecmp(v, "sqlite") == 0)
			provider = "SQLite";
		else if (g_ascii_strcasecmp(v, "postgresql") == 0 ||
		         g_ascii_strcasecmp(v, "postgres") == 0)
			provider = "PostgreSQL";
		else
			return imss_config_bad_value(
			    src, "database", "provider", "expected SQLite or PostgreSQL", error);
		g_free(self->db_provider);
		self->db_provider = g_strdup(provider);
	}
	self->db_connection = imss_config_get_str(src, "database", "connection");
	self->db_auth = imss_config_get_str(src, "database", "auth");
	if (g_strcmp0(self->db_provider, "PostgreSQL") == 0 && self->db_connection == NULL)
		return imss_config_bad_value(src,
		                             "database",
		                             "connection",
		                             "PostgreSQL needs a connection string "
		                             "(e.g. HOST=db.example;PORT=5432;DB_NAME=imss)",
		                             error);
	return TRUE;
}

/* why the CA file @path cannot be used, or NULL */
static gchar *
imss_config_check_ca_file(const gchar *path)
{
	g_autoptr(GError) error_ca = NULL;
	g_autolist(GTlsCertificate) cas = NULL;
	if (!g_path_is_absolute(path))
		return g_strdup("expected the absolute path of a PEM file of CA certificates");
	cas = g_tls_certificate_list_new_from_file(path, &error_ca);
	if (cas != NULL)
		return NULL;
	return g_strdup_printf("no CA certificate can be read from %s%s%s",
	                       path,
	                       error_ca != NULL ? ": " : "",
	                       error_ca != NULL ? error_ca->message : "");
}

static gboolean
imss_config_load_server(ImssConfig *self, const ImssConfigSource *src, GError **error)
{
	const ImssConfigNumber nums[] = {
	    {"timeout", &self->server_timeout, 1, 600, NULL, "expected seconds, 1-600"},
	};
	g_autofree gchar *v = imss_config_get_str(src, "license-server", "url");
	if (v != NULL) {
		if (!imss_config_is_url(v, "http", "https"))
			return imss_config_bad_value(src,
			                             "license-server",
			                             "url",
			                             "expected an http:// or https:// URL",
			                             error);
		g_free(self->server_url);
		self->server_url = g_steal_pointer(&v);
	}
	if (!imss_config_get_numbers(src, "license-server", nums, G_N_ELEMENTS(nums), error))
		return FALSE;

	/* loaded now, so that a file that cannot be used stops the daemon with
	 * its line instead of failing every request */
	self->server_ca_file = imss_config_get_str(src, "license-server", "ca-file");
	if (self->server_ca_file != NULL) {
		g_autofree gchar *why = imss_config_check_ca_file(self->server_ca_file);
		if (why != NULL)
			return imss_config_bad_value(src, "license-server", "ca-file", why, error);
	}
	return TRUE;
}

static gboolean
imss_config_load_proxy(ImssConfig *self, const ImssConfigSource *src, GError **error)
{
	const ImssConfigNumber nums[] = {
	    {"port", &self->proxy_port, 1, 65535, NULL, "expected a port number 1-65535"},
	};
	self->proxy_host = imss_config_get_str(src, "proxy", "host");
	if (!imss_config_get_numbers(src, "proxy", nums, G_N_ELEMENTS(nums), error))
		return FALSE;
	if (self->proxy_host != NULL) {
		for (const gchar *p = self->proxy_host; *p != '\0'; p++) {
			if (!g_ascii_isalnum(*p) && strchr(".-:[]", *p) == NULL)
				return imss_config_bad_value(
				    src, "proxy", "host", "expected a host name or address", error);
		}
	}
	self->proxy_user = imss_config_get_str(src, "proxy", "user");
	self->proxy_password = imss_config_get_str(src, "proxy", "password");
	if (self->proxy_password != NULL && self->proxy_user == NULL)
		return imss_config_bad_value(
		    src, "proxy", "password", "a password needs a user", error);
	return TRUE;
}

static gboolean
imss_config_load_services(ImssConfig *self, const ImssConfigSource *src, GError **error)
{
	const struct {
		const gchar *key;
		gchar **dest;
	} units[] = {
	    {"scan-unit", &self->scan_unit},
	    {"policy-unit", &self->policy_unit},
	    {"sender-filter-unit", &self->sender_filter_unit},
	};
	const ImssConfigNumber nums[] = {
	    {"restart-timeout", &self->restart_timeout, 1, 3600, "a number of seconds", NULL},
	    {"restart-attempts", &self->restart_attempts, 1, 100, "a number of attempts", NULL},
	    {"restart-retry-interval", &self->restart_retry, 1, 86400, "a number of seconds", NULL},
	};
	for (guint i = 0; i < G_N_ELEMENTS(units); i++) {
		g_autofree gchar *unit = imss_config_get_str(src, "services", units[i].key);
		if (unit == NULL)
			continue;
		if (!imss_config_is_unit_name(unit))
			return imss_config_bad_value(src,
			                             "services",
			                             units[i].key,
			                             "expected a systemd unit name such as "
			                             "imss-scan.service",
			                             error);
		g_free(*units[i].dest);
		*units[i].dest = g_steal_pointer(&unit);
	}
	if (g_key_file_has_key(src->kf, "services", "sender-filter-enabled", NULL)) {
		g_autoptr(GError) error_bool = NULL;
		self->sender_filter_enabled = g_key_file_get_boolean(
		    src->kf, "services", "sender-filter-enabled", &error_bool);
		if (error_bool != NULL)
			return imss_config_bad_value(src,
			                             "services",
			                             "sender-filter-enabled",
			                             "expected true or false",
			                             error);
	}
	return imss_config_get_numbers(src, "services", nums, G_N_ELEMENTS(nums), error);
}

/* [mail] to: addresses separated by commas, semicolons or spaces */
static gboolean
imss_config_load_mail_to(ImssConfig *self, const ImssConfigSource *src, GError **error)
{
	g_autofree gchar *v = imss_config_get_str(src, "mail", "to");
	g_auto(GStrv) parts = NULL;
	g_autoptr(GPtrArray) to = NULL;
	if (v == NULL)
		return TRUE;
	parts = g_strsplit_set(v, ",; ", -1);
	to = g_ptr_array_new_with_free_func(g_free);
	for (guint i = 0; parts[i] != NULL; i++) {
		if (*parts[i] == '\0')
			continue;
		if (!imss_config_is_address(parts[i]))
			return imss_config_bad_value(
			    src,
			    "mail",
			    "to",
			    "expected e-mail addresses separated by commas",
			    error);
		g_ptr_array_add(to, g_strdup(parts[i]));
	}
	if (to->len > 0) {
		g_ptr_array_add(to, NULL);
		self->mail_to = (gchar **)g_ptr_array_free(g_steal_pointer(&to), FALSE);
	}
	return TRUE;
}

static gboolean
imss_config_load_mail(ImssConfig *self, const ImssConfigSource *src, GError **error)
{
	static const gchar *const languages[] = {"ja", "en", NULL};
	const ImssConfigNumber nums[] = {
	    {"timeout", &self->mail_timeout, 1, 600, "a number of seconds", NULL},
	    {"retry-interval", &self->mail_retry, 1, 86400, "a number of seconds", NULL},
	};
	g_autofree gchar *from = NULL;
	g_autofree gchar *smtp = NULL;

	if (!imss_config_load_mail_to(self, src, error))
		return FALSE;
	from = imss_config_get_str(src, "mail", "from");
	if (from != NULL) {
		if (!imss_config_is_address(from))
			return imss_config_bad_value(
			    src, "mail", "from", "expected an e-mail address", error);
		g_free(self->mail_from);
		self->mail_from = g_steal_pointer(&from);
	}
	smtp = imss_config_get_str(src, "mail", "smtp");
	if (smtp != NULL) {
		if (!imss_config_is_url(smtp, "smtp", "smtps"))
			return imss_config_bad_value(
			    src,
			    "mail",
			    "smtp",
			    "expected smtp://host[:port] or smtps://host[:port]",
			    error);
		self->mail_smtp = g_steal_pointer(&smtp);
	}
	self->mail_user = imss_config_get_str(src, "mail", "user");
	self->mail_password = imss_config_get_str(src, "mail", "password");
	if (!imss_config_get_choice(src,
	                            "mail",
	                            "language",
	                            languages,
	                            "expected ja or en",
	                            &self->mail_language,
	                            error))
		return FALSE;
	return imss_config_get_numbers(src, "mail", nums, G_N_ELEMENTS(nums), error);
}

static gboolean
imss_config_load_history(ImssConfig *self, const ImssConfigSource *src, GError **error)
{
	const ImssConfigNumber nums[] = {
	    {"max-entries", &self->history_max, 100, 10000000, "a number of entries", NULL},
	};
	return imss_config_get_numbers(src, "history", nums, G_N_ELEMENTS(nums), error);
}

/* a node name: 1-64 of A-Za-z0-9._- */
static gboolean
imss_config_is_node_name(const gchar *name)
{
	gsize len = strlen(name);
	if (len == 0 || len > 64)
		return FALSE;
	for (gsize i = 0; i < len; i++) {
		if (!g_ascii_isalnum(name[i]) && strchr("._-", name[i]) == NULL)
			return FALSE;
	}
	return TRUE;
}

static gboolean
imss_config_load_fleet(ImssConfig *self, const ImssConfigSource *src, GError **error)
{
	const ImssConfigNumber nums[] = {
	    {"poll-interval", &self->poll_interval, 5, 3600, "a number of seconds", NULL},
	    {"claim-lease", &self->claim_lease, 5, 86400, "a number of seconds", NULL},
	};
	g_autofree gchar *name = imss_config_get_str(src, "fleet", "node-name");
	if (name != NULL) {
		if (!imss_config_is_node_name(name))
			return imss_config_bad_value(src,
			                             "fleet",
			                             "node-name",
			                             "expected 1 to 64 letters, digits, dots, "
			                             "underscores or dashes",
			                             error);
		g_free(self->node_name);
		self->node_name = g_steal_pointer(&name);
	}
	return imss_config_get_numbers(src, "fleet", nums, G_N_ELEMENTS(nums), error);
}

gboolean
imss_config_load_sections(
    ImssConfig *self, GKeyFile *kf, const gchar *data, const gchar *origin, GError **error)
{
	static gboolean (*const sections[])(ImssConfig *, const ImssConfigSource *, GError **) = {
	    imss_config_load_license,
	    imss_config_load_database,
	    imss_config_load_server,
	    imss_config_load_proxy,
	    imss_config_load_services,
	    imss_config_load_mail,
	    imss_config_load_history,
	    imss_config_load_fleet,
	};
	const ImssConfigSource src = {kf, data, origin};

	for (guint i = 0; i < G_N_ELEMENTS(sections); i++) {
		if (!sections[i](self, &src, error))
			return FALSE;
	}
	return TRUE;
}
