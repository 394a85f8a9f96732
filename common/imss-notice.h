/*
 * Notices (SPEC §9): what they are, when they apply, and their texts — one
 * piece of code for the daemon (GetNotices, mails, signals) and the clients
 * (the desktop notifier, imss-licensectl). Texts come from a message
 * catalogue given per call (imss-catalog.h): the daemon's for a language, or
 * NULL for gettext in the process's locale (the clients).
 */
#pragma once

#include <glib.h>

#include "imss-catalog.h"
#include "imss-code.h"
#include "imss-license-1/imss-enums.h"

G_BEGIN_DECLS

/* ImssNoticeKind and ImssNoticeSeverity, their GTypes and names, are
 * declared in libimss-license-1's public header (imss-license-1/imss-enums.h) */

typedef struct {
	ImssNoticeKind kind;
	ImssSlotId slot;
	GDate expiry;	 /* E (invalid for INACTIVE) */
	GDate grace_end; /* G */
	gint days_left;	 /* N = E − today */
	gint grace_left; /* M = G − today */
	gint days_since; /* D = today − E */
	gchar unit[256]; /* RESTART_FAILED: the systemd unit */
} ImssNoticeData;

#define IMSS_NOTICE_MAIL_FIRST_DAY (-15) /* mails from E−15 … */
#define IMSS_NOTICE_CONSOLE_FIRST_DAY (-60)

/* Whether notices of @kind are about one slot (the others: "slot" is ""),
 * and whether they carry the license's dates. */
gboolean
imss_notice_kind_has_slot(ImssNoticeKind kind);
gboolean
imss_notice_kind_has_dates(ImssNoticeKind kind);
/* A notice of @kind that carries no dates (@slot is ignored unless the kind
 * has one; @unit may be NULL). */
void
imss_notice_data_init(ImssNoticeData *notice, ImssNoticeKind kind, ImssSlotId slot, const gchar *unit);
ImssNoticeSeverity
imss_notice_data_get_severity(const ImssNoticeData *notice);

/* The console notice of an activated slot with expiry @expiry on @today:
 * FALSE before E−60. */
gboolean
imss_notice_for_expiry(ImssSlotId slot, const GDate *expiry, const GDate *today, ImssNoticeData *notice);
/* Whether @today is a mail day (E−15 … G inclusive). */
gboolean
imss_notice_is_mail_day(const GDate *expiry, const GDate *today);
/* The notice of a not-activated optional slot. */
void
imss_notice_inactive(ImssSlotId slot, ImssNoticeData *notice);

/* The console text (SPEC §9.1) from @catalog (NULL: the process's locale). */
gchar *
imss_notice_render_console(const ImssCatalog *catalog, const ImssNoticeData *notice);
/* The mail's subject and body (SPEC §9.2); only for EXPIRING, EXPIRED and
 * the day G itself (UPDATES_ENDED with days_since == 90). */
gchar *
imss_notice_render_mail_subject(const ImssCatalog *catalog, const ImssNoticeData *notice);
gchar *
imss_notice_render_mail_body(const ImssCatalog *catalog, const ImssNoticeData *notice);

/* The notice's fields — slot, kind, severity, unit, days_left, grace_left,
 * days_since, expiry, grace_end (the signal's and GetNotices' fields) —
 * added to @b, an a{sv} being built: the caller adds its own entries
 * to the same dictionary. */
void
imss_notice_add_fields(GVariantBuilder *b, const ImssNoticeData *notice);
gboolean
imss_notice_from_variant(GVariant *dict, ImssNoticeData *notice);

G_END_DECLS
