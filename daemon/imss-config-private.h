/*
 * The configuration's insides, shared by its files: imss-config.c (the
 * object, its defaults and getters) and imss-config-sections.c (reading and
 * checking each [section] of the file).
 */
#pragma once

#include "imss-config.h"

G_BEGIN_DECLS

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
	gchar *node_name;
	gchar *motd_file; /* NULL: none */
	guint poll_interval;
	guint claim_lease;
	GPtrArray *warnings;
	/* the file as read, to apply the operator's settings over it */
	gchar *file_data;
};

/* Adds a warning to @self for every group and key of @kf it does not know
 * (a newer config on an older daemon must not take the service down). */
void imss_config_warn_unknown_keys(ImssConfig *self,
                                   GKeyFile *kf,
                                   const gchar *data,
                                   const gchar *origin);
/* Reads every known section of @kf (loaded from @data) into @self, which
 * holds the defaults; the first bad value fails with its file, line and key. */
gboolean imss_config_load_sections(
    ImssConfig *self, GKeyFile *kf, const gchar *data, const gchar *origin, GError **error);

G_END_DECLS
