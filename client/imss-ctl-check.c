/*
 * Monitoring: `imss-licensectl check` (a Nagios/Icinga plugin: exit 0 OK,
 * 1 WARNING, 2 CRITICAL, 3 UNKNOWN, one line with perfdata) and
 * `imss-licensectl metrics` (node-exporter's textfile format, written
 * atomically with --output). Both are for machines: untranslated.
 */
#define G_LOG_DOMAIN "ImssCtl"

#include "config.h"

#include <glib/gi18n.h>
#include <glib/gstdio.h>

#include "imss-ctl.h"
#include "imss-error.h"
#include "imss-records.h"

#define IMSS_CTL_CHECK_OK	0
#define IMSS_CTL_CHECK_WARNING	1
#define IMSS_CTL_CHECK_CRITICAL 2
#define IMSS_CTL_CHECK_UNKNOWN	3

#define IMSS_CTL_CHECK_WARNING_DEFAULT	60
#define IMSS_CTL_CHECK_CRITICAL_DEFAULT 15

static const gchar *check_words[] = {"OK", "WARNING", "CRITICAL", "UNKNOWN"};

/* the client and the daemon's calendar date, or FALSE */
static gboolean
imss_ctl_check_connect(ImssCtl *ctl, GError **error)
{
	if (!imss_ctl_connect(ctl, error))
		return FALSE;
	if (!imss_client_get_daemon_running(ctl->client)) {
		g_set_error_literal(error,
				    IMSS_ERROR,
				    IMSS_ERROR_INTERNAL,
				    "the license service (imss-licensed) is not running");
		return FALSE;
	}
	return imss_ctl_load_today(ctl, error);
}

static gboolean
imss_ctl_slot_counts(ImssSlot *slot)
{
	return imss_slot_get_enabled(slot) && imss_slot_get_state(slot) != IMSS_LICENSE_STATE_NOT_ACTIVATED;
}

gboolean
imss_ctl_check(ImssCtl *ctl, gchar **args, GError **error)
{
	g_autoptr(GError) error_local = NULL;
	g_autoptr(GString) problems = g_string_new(NULL);
	g_autoptr(GString) perf = g_string_new(NULL);
	gint warning = ctl->warning > 0 ? ctl->warning : IMSS_CTL_CHECK_WARNING_DEFAULT;
	gint critical = ctl->critical > 0 ? ctl->critical : IMSS_CTL_CHECK_CRITICAL_DEFAULT;
	gint status = IMSS_CTL_CHECK_OK;
	gint nearest = G_MAXINT;
	const gchar *nearest_slot = NULL;
	guint counted = 0;

	g_return_val_if_fail(ctl != NULL && args != NULL, FALSE);

	if (args[0] != NULL)
		return imss_ctl_usage_error(error,
					    /* TRANSLATORS: usage error */
					    _("Usage: imss-licensectl check [--warning DAYS] [--critical DAYS]"));
	if (critical > warning)
		return imss_ctl_usage_error(error,
					    /* TRANSLATORS: usage error of check */
					    _("--critical must not be more days than --warning"));
	if (!imss_ctl_check_connect(ctl, &error_local)) {
		imss_error_strip_remote(error_local);
		g_print("LICENSE UNKNOWN - %s\n", error_local->message);
		ctl->exit_status = IMSS_CTL_CHECK_UNKNOWN;
		return TRUE;
	}
	for (guint i = 0; i < IMSS_SLOT_LAST; i++) {
		const gchar *id = imss_slot_to_string((ImssSlotId)i);
		g_autoptr(ImssSlot) slot = imss_ctl_get_slot(ctl, (ImssSlotId)i, error);
		gint status_slot = IMSS_CTL_CHECK_OK;
		gint days;
		g_autofree gchar *what = NULL;

		if (slot == NULL)
			return FALSE;
		if (!imss_ctl_slot_counts(slot))
			continue;
		counted++;
		days = imss_ctl_days_until(ctl, imss_slot_get_expiry(slot));
		if (days == G_MININT)
			continue;
		g_string_append_printf(perf, "%sdays_left_%s=%d;%d;%d", perf->len > 0 ? " " : "", id, days,
				       warning, critical);
		switch (imss_slot_get_state(slot)) {
		case IMSS_LICENSE_STATE_EXPIRED:
			status_slot = IMSS_CTL_CHECK_CRITICAL;
			what = g_strdup_printf("%s expired on %s", id, imss_slot_get_expiry(slot));
			break;
		case IMSS_LICENSE_STATE_GRACE: {
			gint grace = imss_ctl_days_until(ctl, imss_slot_get_grace_end(slot));
			status_slot = IMSS_CTL_CHECK_CRITICAL;
			what = g_strdup_printf("%s expired on %s, grace period: %d days left", id,
					       imss_slot_get_expiry(slot), grace == G_MININT ? 0 : grace);
			break;
		}
		default:
			if (days <= critical)
				status_slot = IMSS_CTL_CHECK_CRITICAL;
			else if (days <= warning)
				status_slot = IMSS_CTL_CHECK_WARNING;
			if (status_slot != IMSS_CTL_CHECK_OK)
				what = g_strdup_printf("%s expires in %d days", id, days);
			break;
		}
		if (days < nearest) {
			nearest = days;
			nearest_slot = id;
		}
		if (what != NULL) {
			g_string_append_printf(problems, "%s%s", problems->len > 0 ? ", " : "", what);
			status = MAX(status, status_slot);
		}
	}
	if (counted == 0) {
		g_print("LICENSE CRITICAL - no license is activated\n");
		ctl->exit_status = IMSS_CTL_CHECK_CRITICAL;
		return TRUE;
	}
	if (status == IMSS_CTL_CHECK_OK) {
		if (nearest_slot != NULL)
			g_string_append_printf(problems, "%s expires in %d days", nearest_slot, nearest);
		else
			g_string_append(problems, "no license expires");
	}
	g_print("LICENSE %s - %s%s%s\n", check_words[status], problems->str, perf->len > 0 ? " | " : "",
		perf->str);
	ctl->exit_status = status;
	return TRUE;
}

/* -- metrics ---------------------------------------------------------------- */

/* @iso (ISO 8601) as Unix time, or -1 */
static gint64
imss_ctl_unix_time(const gchar *iso)
{
	g_autoptr(GDateTime) dt = NULL;
	if (iso == NULL || *iso == '\0')
		return -1;
	dt = g_date_time_new_from_iso8601(iso, NULL);
	return dt != NULL ? g_date_time_to_unix(dt) : -1;
}

/* the last mail notice or test mail that was sent or failed: its time
 * (-1 when none) and whether it was delivered */
static gboolean
imss_ctl_last_mail(ImssCtl *ctl, gint64 *when, gboolean *ok, GError **error)
{
	g_autoptr(GVariant) entries = NULL;
	guint total = 0;

	*when = -1;
	*ok = FALSE;
	imss_client_get_history_page_async(ctl->client, 0, 500, NULL, imss_ctl_async_cb, ctl);
	entries = imss_client_get_history_page_finish(ctl->client, imss_ctl_wait(ctl), &total, error);
	if (entries == NULL)
		return FALSE;
	for (gsize i = 0; i < g_variant_n_children(entries); i++) {
		g_autoptr(GVariant) e = g_variant_get_child_value(entries, i);
		g_auto(ImssHistoryRecord) h = {NULL};
		if (!imss_history_record_from_variant(e, &h, error))
			return imss_ctl_malformed(error);
		if (g_strcmp0(h.action, "mail") != 0 && g_strcmp0(h.action, "test-mail") != 0)
			continue;
		/* nothing was due that day, or no recipient: not a delivery */
		if (g_strcmp0(h.outcome, "skipped") == 0 || g_str_has_suffix(h.detail, "no notice on this day"))
			continue;
		*when = imss_ctl_unix_time(h.time);
		*ok = g_strcmp0(h.outcome, "sent") == 0 || g_strcmp0(h.outcome, "ok") == 0;
		return TRUE;
	}
	return TRUE;
}

static gchar *
imss_ctl_metrics_text(ImssCtl *ctl, GError **error)
{
	g_autoptr(GString) days_left = g_string_new(NULL);
	g_autoptr(GString) states = g_string_new(NULL);
	g_autoptr(GString) checks = g_string_new(NULL);
	g_autoptr(GString) out = g_string_new(NULL);
	gint64 mail_when = -1;
	gboolean mail_ok = FALSE;

	for (guint i = 0; i < IMSS_SLOT_LAST; i++) {
		const gchar *id = imss_slot_to_string((ImssSlotId)i);
		g_autoptr(ImssSlot) slot = imss_ctl_get_slot(ctl, (ImssSlotId)i, error);
		gint days;
		gint64 checked;
		if (slot == NULL)
			return NULL;
		if (!imss_slot_get_enabled(slot))
			continue;
		for (gint s = IMSS_LICENSE_STATE_NOT_ACTIVATED; s <= IMSS_LICENSE_STATE_EXPIRED; s++)
			g_string_append_printf(states, "imss_license_state{slot=\"%s\",state=\"%s\"} %d\n", id,
					       imss_license_state_to_string((ImssLicenseState)s),
					       imss_slot_get_state(slot) == (ImssLicenseState)s ? 1 : 0);
		if (imss_slot_get_state(slot) == IMSS_LICENSE_STATE_NOT_ACTIVATED)
			continue;
		days = imss_ctl_days_until(ctl, imss_slot_get_expiry(slot));
		if (days != G_MININT)
			g_string_append_printf(days_left, "imss_license_days_left{slot=\"%s\"} %d\n", id, days);
		checked = imss_ctl_unix_time(imss_slot_get_last_verified(slot));
		if (checked >= 0)
			g_string_append_printf(checks,
					       "imss_license_last_check_timestamp_seconds{slot=\"%s\"} %" G_GINT64_FORMAT "\n",
					       id, checked);
	}
	if (!imss_ctl_last_mail(ctl, &mail_when, &mail_ok, error))
		return NULL;
	g_string_append(out, "# HELP imss_license_up Whether the license service answered.\n"
			     "# TYPE imss_license_up gauge\n"
			     "imss_license_up 1\n");
	g_string_append(out, "# HELP imss_license_days_left Days until the license expires (negative after the expiry date).\n"
			     "# TYPE imss_license_days_left gauge\n");
	g_string_append(out, days_left->str);
	g_string_append(out, "# HELP imss_license_state The license state of the slot (1 for the current one).\n"
			     "# TYPE imss_license_state gauge\n");
	g_string_append(out, states->str);
	g_string_append(out, "# HELP imss_license_last_check_timestamp_seconds When the license server last confirmed the expiry date.\n"
			     "# TYPE imss_license_last_check_timestamp_seconds gauge\n");
	g_string_append(out, checks->str);
	if (mail_when >= 0) {
		g_string_append_printf(out,
				       "# HELP imss_license_last_mail_timestamp_seconds When the last license mail was sent or failed.\n"
				       "# TYPE imss_license_last_mail_timestamp_seconds gauge\n"
				       "imss_license_last_mail_timestamp_seconds %" G_GINT64_FORMAT "\n"
				       "# HELP imss_license_last_mail_success Whether the last license mail was delivered.\n"
				       "# TYPE imss_license_last_mail_success gauge\n"
				       "imss_license_last_mail_success %d\n",
				       mail_when, mail_ok ? 1 : 0);
	}
	return g_string_free(g_steal_pointer(&out), FALSE);
}

gboolean
imss_ctl_metrics(ImssCtl *ctl, gchar **args, GError **error)
{
	g_autofree gchar *text = NULL;
	g_autoptr(GError) error_local = NULL;

	g_return_val_if_fail(ctl != NULL && args != NULL, FALSE);

	if (args[0] != NULL)
		return imss_ctl_usage_error(error,
					    /* TRANSLATORS: usage error */
					    _("Usage: imss-licensectl metrics [--output FILE]"));
	if (imss_ctl_check_connect(ctl, &error_local))
		text = imss_ctl_metrics_text(ctl, &error_local);
	if (text == NULL) {
		/* the service is away: say so, so that an alert can fire */
		text = g_strdup("# HELP imss_license_up Whether the license service answered.\n"
				"# TYPE imss_license_up gauge\n"
				"imss_license_up 0\n");
	}
	if (ctl->output == NULL) {
		g_print("%s", text);
	} else if (!g_file_set_contents_full(ctl->output, text, -1, G_FILE_SET_CONTENTS_CONSISTENT, 0644, error)) {
		return FALSE;
	}
	if (error_local != NULL) {
		g_propagate_error(error, g_steal_pointer(&error_local));
		return FALSE;
	}
	return TRUE;
}
