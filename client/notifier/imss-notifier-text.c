/*
 * imss-notifier: what a notification says — title, urgency, icon — and the
 * key that tells whether it is already shown. Pure functions.
 */
#define G_LOG_DOMAIN "ImssNotifier"

#include "config.h"

#include <glib/gi18n.h>

#include "imss-date.h"
#include "imss-notifier.h"

/* the days of the daily mails (E−15 … G): their subject is the title */
static gboolean
imss_notifier_is_mail_period(const ImssNoticeData *notice)
{
	return notice->kind != IMSS_NOTICE_INACTIVE && notice->days_since >= IMSS_NOTICE_MAIL_FIRST_DAY &&
	       notice->days_since <= 90;
}

gchar *
imss_notifier_notice_title(const ImssNoticeData *notice)
{
	const gchar *name;
	g_autofree gchar *e = NULL;
	g_autofree gchar *g = NULL;

	g_return_val_if_fail(notice != NULL, NULL);

	name = imss_slot_display_name(notice->slot);
	e = imss_date_format(&notice->expiry);
	g = imss_date_format(&notice->grace_end);
	if (imss_notifier_is_mail_period(notice)) {
		gchar *subject = imss_notice_render_mail_subject(NULL, notice);
		if (subject != NULL)
			return subject;
	}
	switch (notice->kind) {
	case IMSS_NOTICE_EXPIRING:
		return g_strdup_printf(
		    /* TRANSLATORS: notification title, 16 to 60 days before expiry;
		     * %1$s license name, %2$d days left */
		    ngettext("%1$s: license expires in %2$d day",
			     "%1$s: license expires in %2$d days",
			     (gulong)ABS(notice->days_left)),
		    name,
		    notice->days_left);
	case IMSS_NOTICE_EXPIRED:
		/* TRANSLATORS: notification title in the grace period; %1$s license
		 * name, %2$s expiry date (YYYY-MM-DD) */
		return g_strdup_printf(_("%1$s: license expired on %2$s"), name, e);
	case IMSS_NOTICE_UPDATES_ENDED:
		/* TRANSLATORS: notification title after the grace period; %1$s
		 * license name, %2$s end of the grace period (YYYY-MM-DD) */
		return g_strdup_printf(_("%1$s: product updates ended on %2$s"), name, g);
	case IMSS_NOTICE_INACTIVE:
	case IMSS_NOTICE_LAST:
	default:
		/* TRANSLATORS: notification title; %s license name */
		return g_strdup_printf(_("%s is not activated"), name);
	}
}

NotifyUrgency
imss_notifier_urgency(ImssNoticeSeverity severity)
{
	switch (severity) {
	case IMSS_NOTICE_SEVERITY_CRITICAL:
		return NOTIFY_URGENCY_CRITICAL;
	case IMSS_NOTICE_SEVERITY_WARNING:
		return NOTIFY_URGENCY_NORMAL;
	case IMSS_NOTICE_SEVERITY_INFO:
	default:
		return NOTIFY_URGENCY_LOW;
	}
}

const gchar *
imss_notifier_icon(ImssNoticeSeverity severity)
{
	switch (severity) {
	case IMSS_NOTICE_SEVERITY_CRITICAL:
		return "dialog-error";
	case IMSS_NOTICE_SEVERITY_WARNING:
		return "dialog-warning";
	case IMSS_NOTICE_SEVERITY_INFO:
	default:
		return "dialog-information";
	}
}

/* identifies what a notification says, so that the same notice is not shown
 * twice (GetNotices after a restart, a catch-up Notice on the same day) */
gchar *
imss_notifier_notice_key(const ImssNoticeData *notice)
{
	g_autofree gchar *e = NULL;

	g_return_val_if_fail(notice != NULL, NULL);

	e = imss_date_format(&notice->expiry);
	return g_strdup_printf("notice|%s|%d|%d|%s",
			       imss_notice_kind_to_string(notice->kind),
			       notice->days_left,
			       notice->grace_left,
			       e);
}

gchar *
imss_notifier_license_title(ImssSlotId slot, const gchar *reason)
{
	const gchar *name;

	g_return_val_if_fail(slot < IMSS_SLOT_LAST, NULL);

	name = imss_slot_display_name(slot);
	if (g_strcmp0(reason, "activated") == 0)
		/* TRANSLATORS: notification title; %s license name */
		return g_strdup_printf(_("%s: license activated"), name);
	if (g_strcmp0(reason, "renewed") == 0)
		/* TRANSLATORS: notification title; %s license name */
		return g_strdup_printf(_("%s: license renewed"), name);
	/* TRANSLATORS: notification title (the expiry date was corrected); %s license name */
	return g_strdup_printf(_("%s: license updated"), name);
}

gchar *
imss_notifier_license_body(const ImssLicenseChangeRecord *details)
{
	g_return_val_if_fail(details != NULL, NULL);

	if (*details->expiry == '\0')
		return NULL;
	/* TRANSLATORS: notification body; %s expiry date (YYYY-MM-DD) */
	return g_strdup_printf(_("The license expires on %s."), details->expiry);
}

gchar *
imss_notifier_license_key(const gchar *reason, const ImssLicenseChangeRecord *details)
{
	g_return_val_if_fail(details != NULL, NULL);

	return g_strdup_printf("license|%s|%s", reason, details->expiry);
}
