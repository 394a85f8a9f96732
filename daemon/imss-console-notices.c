#define G_LOG_DOMAIN "ImssConsoleNotices"

#include "config.h"

#include "imss-console-notices.h"
#include "imss-slot.h"

static void
imss_console_notices_add(GPtrArray *notices, ImssNoticeKind kind, guint slot, const gchar *unit)
{
	ImssNoticeData notice;
	imss_notice_data_init(&notice, kind, (ImssSlotId)slot, unit);
	g_ptr_array_add(notices, g_memdup2(&notice, sizeof(notice)));
}

static gint
imss_console_notices_cmp(gconstpointer a, gconstpointer b)
{
	const ImssNoticeData *na = *(const ImssNoticeData *const *)a;
	const ImssNoticeData *nb = *(const ImssNoticeData *const *)b;
	gint sa = imss_notice_data_get_severity(na), sb = imss_notice_data_get_severity(nb);
	if (sa != sb)
		return sb - sa;
	return (gint)na->slot - (gint)nb->slot;
}

/* what the license server last said about an active code (SPEC §5.3, §10 Q5) */
static void
imss_console_notices_server_status(GPtrArray *notices, ImssLicense *license, guint slot)
{
	static const struct {
		const gchar *status;
		ImssNoticeKind kind;
	} kinds[] = {{"replaced", IMSS_NOTICE_CODE_REPLACED},
		     {"unknown", IMSS_NOTICE_CODE_UNKNOWN},
		     {"suspended", IMSS_NOTICE_CODE_SUSPENDED}};
	for (guint k = 0; k < G_N_ELEMENTS(kinds); k++) {
		if (g_strcmp0(imss_license_get_server_status(license), kinds[k].status) == 0)
			imss_console_notices_add(notices, kinds[k].kind, slot, NULL);
	}
}

GPtrArray *
imss_console_notices(const ImssNoticeFacts *facts)
{
	GPtrArray *notices = g_ptr_array_new_with_free_func(g_free);
	gboolean any_activated = FALSE;

	g_return_val_if_fail(facts != NULL && facts->licenses != NULL && facts->today != NULL, notices);
	for (guint i = 0; i < IMSS_SLOT_LAST; i++) {
		ImssLicense *license = facts->licenses[i];
		ImssNoticeData notice;
		if (imss_license_is_activated(license)) {
			any_activated = TRUE;
			if (imss_notice_for_expiry((ImssSlotId)i, imss_license_get_expiry(license),
						   facts->today, &notice))
				g_ptr_array_add(notices, g_memdup2(&notice, sizeof(notice)));
			imss_console_notices_server_status(notices, license, i);
		} else if (imss_slot_is_optional((ImssSlotId)i) && imss_license_get_enabled(license) &&
			   !facts->inactive_hidden) {
			imss_console_notices_add(notices, IMSS_NOTICE_INACTIVE, i, NULL);
		}
	}
	/* a failed Control Manager deployment stays visible until one succeeds */
	if (facts->cm_failed)
		imss_console_notices_add(notices, IMSS_NOTICE_CM_FAILED, 0, NULL);
	/* a service that may still run with the old license (SPEC §7) */
	for (guint i = 0; facts->failed_restarts != NULL && facts->failed_restarts[i] != NULL; i++)
		imss_console_notices_add(notices, IMSS_NOTICE_RESTART_FAILED, 0, facts->failed_restarts[i]);
	/* SPEC §9.2: mails cannot be suppressed: a missing recipient is reported */
	if (any_activated && !facts->mail_configured)
		imss_console_notices_add(notices, IMSS_NOTICE_NO_RECIPIENTS, 0, NULL);
	g_ptr_array_sort(notices, imss_console_notices_cmp);
	return notices;
}
