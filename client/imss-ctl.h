/*
 * imss-licensectl: what its commands share (imss-ctl.c) — the connection to
 * imss-licensed, the daemon's calendar date, errors, tables and JSON — and
 * the commands themselves, one concern a file.
 */
#pragma once

#include <gio/gio.h>
#include <json-glib/json-glib.h>

#include <imss-license-1/imss-license.h>

#include "imss-slot.h"

G_BEGIN_DECLS

/* the most an activation code from argv or standard input may hold */
#define IMSS_CTL_CODE_INPUT_MAX (2 * 1024 * 1024)
/* a node clock further off the database's than this is worth a warning */
#define IMSS_CTL_SKEW_WARNING 5

typedef struct {
	gboolean json;
	gint warning;	      /* check --warning DAYS */
	gint critical;	      /* check --critical DAYS */
	gchar *output;	      /* metrics --output FILE */
	gboolean no_pager;    /* --no-pager */
	GPid pager;	      /* the pager standard output goes to, or 0 */
	gint exit_status;     /* when a command that succeeded has its own (check) */
	guint limit;
	guint offset;
	guint days;
	GDate today; /* the daemon's calendar date */
	ImssClient *client;
	GAsyncResult *result; /* of the call in flight, until imss_ctl_wait() */
	GAsyncResult *last;   /* what imss_ctl_wait() returned last */
} ImssCtl;

/* A command: @args are its arguments (NULL-terminated); FALSE with @error. */
typedef gboolean (*ImssCtlFunc)(ImssCtl *ctl, gchar **args, GError **error);

/* -- the connection (imss-ctl.c) ------------------------------------------- */

/* the client of libimss-license-1: polkit may ask for a password when
 * standard input is a terminal */
gboolean
imss_ctl_connect(ImssCtl *ctl, GError **error);
/* the slot (a new reference) */
ImssSlot *
imss_ctl_get_slot(ImssCtl *ctl, ImssSlotId slot, GError **error);
/* The callback of every call of the library (@user_data: the ImssCtl) and
 * the wait for it: a command line is synchronous. imss_ctl_wait() returns
 * the result (borrowed until the next call's). */
void
imss_ctl_async_cb(GObject *source, GAsyncResult *res, gpointer user_data);
GAsyncResult *
imss_ctl_wait(ImssCtl *ctl);
/* drops the client and the results */
void
imss_ctl_disconnect(ImssCtl *ctl);

/* -- the pager --------------------------------------------------------------- */

/* on a terminal (and without --no-pager): standard output from now on goes
 * through $PAGER (default "less -FRX") */
void
imss_ctl_start_pager(ImssCtl *ctl);
/* waits for the pager to end, if one was started */
void
imss_ctl_end_pager(ImssCtl *ctl);

/* -- errors: each sets @error and returns FALSE ------------------------------ */

/* a record the common codec refused: prefixes @error with one clear sentence */
gboolean
imss_ctl_malformed(GError **error);
/* a command called the wrong way: @usage is the translated usage line */
gboolean
imss_ctl_usage_error(GError **error, const gchar *usage);
gboolean
imss_ctl_unknown_slot(GError **error);
/* @arg as a slot id, or FALSE with IMSS_ERROR_UNKNOWN_SLOT */
gboolean
imss_ctl_parse_slot(const gchar *arg, ImssSlotId *slot, GError **error);

/* -- output ------------------------------------------------------------------ */

/* @rows (gchar ** each, the first the headers) as columns of @ncols cells */
void
imss_ctl_print_table(GPtrArray *rows, guint ncols);
/* the root of @builder, pretty or one line */
gchar *
imss_ctl_json_to_data(JsonBuilder *builder, gboolean pretty);
/* @text and a newline on standard output in UTF-8 whatever the locale (JSON) */
void
imss_ctl_print_utf8_line(const gchar *text);
/* the root of @builder, pretty, on standard output (UTF-8) */
void
imss_ctl_print_json(JsonBuilder *builder);
/* {"@name": @value} on standard output (@value: transfer full) */
void
imss_ctl_print_json_member(const gchar *name, JsonNode *value);
void
imss_ctl_json_add_string(JsonBuilder *builder, const gchar *name, const gchar *value);
void
imss_ctl_json_add_boolean(JsonBuilder *builder, const gchar *name, gboolean value);

/* -- the daemon's calendar and language ------------------------------------- */

/* reads the daemon's calendar date into @ctl->today */
gboolean
imss_ctl_load_today(ImssCtl *ctl, GError **error);
/* days from the daemon's today to @date_str, or G_MININT when there is no date */
gint
imss_ctl_days_until(ImssCtl *ctl, const gchar *date_str);
/* the language the daemon renders texts in: the client's own */
const gchar *
imss_ctl_language(void);

/* -- notices (imss-ctl-notices.c) ------------------------------------------- */

/* the notices whose kind starts with @prefix, one line each, if any */
void
imss_ctl_print_notices_of(ImssCtl *ctl, const gchar *prefix);

/* -- the commands ------------------------------------------------------------ */

/* imss-ctl-status.c */
gboolean
imss_ctl_status(ImssCtl *ctl, gchar **args, GError **error);
gboolean
imss_ctl_details(ImssCtl *ctl, gchar **args, GError **error);

/* imss-ctl-activate.c */
/* a code or password from standard input (@prompt on a terminal, no echo) */
gchar *
imss_ctl_read_secret(const gchar *prompt, GError **error);
gboolean
imss_ctl_activate(ImssCtl *ctl, gchar **args, GError **error);

/* imss-ctl-actions.c */
gboolean
imss_ctl_update(ImssCtl *ctl, gchar **args, GError **error);
gboolean
imss_ctl_restart_services(ImssCtl *ctl, gchar **args, GError **error);
gboolean
imss_ctl_bind_click(ImssCtl *ctl, gchar **args, GError **error);
gboolean
imss_ctl_release_click(ImssCtl *ctl, gchar **args, GError **error);
gboolean
imss_ctl_apply_profile(ImssCtl *ctl, gchar **args, GError **error);
gboolean
imss_ctl_hide_inactive(ImssCtl *ctl, gchar **args, GError **error);
gboolean
imss_ctl_show_inactive(ImssCtl *ctl, gchar **args, GError **error);

/* imss-ctl-notices.c */
gboolean
imss_ctl_notices(ImssCtl *ctl, gchar **args, GError **error);
gboolean
imss_ctl_doctor(ImssCtl *ctl, gchar **args, GError **error);

/* imss-ctl-records.c */
gboolean
imss_ctl_history(ImssCtl *ctl, gchar **args, GError **error);
gboolean
imss_ctl_fleet(ImssCtl *ctl, gchar **args, GError **error);
gboolean
imss_ctl_schedule(ImssCtl *ctl, gchar **args, GError **error);

/* imss-ctl-settings.c */
gboolean
imss_ctl_settings(ImssCtl *ctl, gchar **args, GError **error);
gboolean
imss_ctl_mail(ImssCtl *ctl, gchar **args, GError **error);

/* imss-ctl-check.c */
gboolean
imss_ctl_check(ImssCtl *ctl, gchar **args, GError **error);
gboolean
imss_ctl_metrics(ImssCtl *ctl, gchar **args, GError **error);

G_END_DECLS
