/*
 * The daemon's configuration: /etc/imss-license/imss-licensed.conf (GKeyFile).
 */
#pragma once

#include <glib-object.h>

#include "imss-code.h"

G_BEGIN_DECLS

#define IMSS_TYPE_CONFIG (imss_config_get_type())
G_DECLARE_FINAL_TYPE(ImssConfig, imss_config, IMSS, CONFIG, GObject)

ImssConfig *
imss_config_new(void);
/* Loads @path. A missing file is fine when @must_exist is FALSE (defaults are
 * used). A bad value fails with an
 * error naming the file, the line and the key. Unknown groups or keys are
 * collected in imss_config_get_warnings(). */
gboolean
imss_config_load(ImssConfig *self, const gchar *path, gboolean must_exist, GError **error);
/* Loads from a string (for tests); @origin names it in messages. */
gboolean
imss_config_load_data(ImssConfig *self, const gchar *data, const gchar *origin, GError **error);

/* The operator's settings over the file: [@group] @key pairs that may be
 * changed at run time (the mail notices, the proxy, the sender filter). */
gboolean
imss_config_is_settable(const gchar *group, const gchar *key);
/* Whether @settings (group, key, value triples, NULL-terminated) over the
 * file make a valid configuration. When not: @bad is the index in
 * @settings of the group of the value at fault (its message then says why,
 * without the key), or -1 (the message names the key). */
gboolean
imss_config_check_settings(ImssConfig *self,
			   const gchar *const *settings,
			   gint *bad,
			   GError **error);
/* Sets the settable values to the file's with @settings over them
 * (NULL-terminated group, key, value triples; "" stands for an empty value,
 * which means the default) and emits "changed". Nothing changes on error. */
gboolean
imss_config_apply_settings(ImssConfig *self, const gchar *const *settings, GError **error);

/* every "group/key" of the configuration file, NULL-terminated (the
 * documentation and the tests check the shipped file against it) */
gchar **
imss_config_dup_known_keys(void);

ImssEdition
imss_config_get_edition(ImssConfig *self);
/* the login notice's file (/run/motd.d/imss-license), or NULL for none */
const gchar *
imss_config_get_motd_file(ImssConfig *self);
/* "auto", "connected", "cm-managed" or "standalone" (SPEC §8) */
const gchar *
imss_config_get_environment(ImssConfig *self);
const gchar *
imss_config_get_db_provider(ImssConfig *self); /* "SQLite" or "PostgreSQL" */
const gchar *
imss_config_get_db_connection(ImssConfig *self); /* NULL: default in the state dir */
const gchar *
imss_config_get_db_auth(ImssConfig *self);
const gchar *
imss_config_get_server_url(ImssConfig *self);
/* the total deadline of one request, seconds */
guint
imss_config_get_server_timeout(ImssConfig *self);
/* a PEM file of the CAs trusted for an https:// license server instead of
 * the system's (a corporate TLS proxy or CA); NULL: the system's */
const gchar *
imss_config_get_server_ca_file(ImssConfig *self);
const gchar *
imss_config_get_proxy_host(ImssConfig *self); /* NULL: no proxy */
guint
imss_config_get_proxy_port(ImssConfig *self);
const gchar *
imss_config_get_proxy_user(ImssConfig *self);
const gchar *
imss_config_get_proxy_password(ImssConfig *self);
const gchar *
imss_config_get_scan_unit(ImssConfig *self);
const gchar *
imss_config_get_policy_unit(ImssConfig *self);
const gchar *
imss_config_get_sender_filter_unit(ImssConfig *self);
gboolean
imss_config_get_sender_filter_enabled(ImssConfig *self);
/* restarts: the wait for one job's result (s), the attempts per request, and
 * the first retry interval (s; doubled after each failure) */
guint
imss_config_get_restart_timeout(ImssConfig *self);
guint
imss_config_get_restart_attempts(ImssConfig *self);
guint
imss_config_get_restart_retry_interval(ImssConfig *self);
/* [mail]: recipients (NULL: no mails), sender, SMTP URL, credentials, the
 * language of the mails ("ja" by default), timeout and retry interval (s) */
gchar *const *
imss_config_get_mail_to(ImssConfig *self);
const gchar *
imss_config_get_mail_from(ImssConfig *self);
const gchar *
imss_config_get_mail_smtp(ImssConfig *self);
const gchar *
imss_config_get_mail_user(ImssConfig *self);
const gchar *
imss_config_get_mail_password(ImssConfig *self);
const gchar *
imss_config_get_mail_language(ImssConfig *self);
guint
imss_config_get_mail_timeout(ImssConfig *self);
guint
imss_config_get_mail_retry_interval(ImssConfig *self);
/* [history] max-entries: how many history entries the store keeps (the
 * newest; 10000 by default) */
guint
imss_config_get_history_max_entries(ImssConfig *self);
/* [fleet] node-name: this node's name (default: the host name). */
const gchar *
imss_config_get_node_name(ImssConfig *self);
/* [fleet] poll-interval: seconds between two looks at the database's change
 * counter (PostgreSQL), 60 by default. */
guint
imss_config_get_poll_interval(ImssConfig *self);
/* [fleet] claim-lease: seconds a claimed run belongs to its node, 600. */
guint
imss_config_get_claim_lease(ImssConfig *self);
/* Warnings produced by the last load (unknown keys, "file:line: ..."); the
 * caller logs them. */
GPtrArray *
imss_config_get_warnings(ImssConfig *self);

G_END_DECLS
