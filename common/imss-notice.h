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

G_BEGIN_DECLS

typedef enum {
	IMSS_NOTICE_EXPIRING,	   /* E−60 … E−1: "ends in N days" */
	IMSS_NOTICE_EXPIRED,	   /* E … G−1: "ended on E, M grace days left" */
	IMSS_NOTICE_UPDATES_ENDED, /* G …: "product updates ended on G" */
	IMSS_NOTICE_INACTIVE,	   /* an optional component is not activated */
	IMSS_NOTICE_CM_FAILED,	   /* the last Control Manager deployment failed */
	IMSS_NOTICE_CODE_REPLACED, /* the server says the code was replaced by a new one */
	IMSS_NOTICE_CODE_UNKNOWN,  /* the server does not know the code */
	IMSS_NOTICE_CODE_SUSPENDED, /* the server says the code is suspended */
	IMSS_NOTICE_RESTART_FAILED, /* a service restart (SPEC §7) failed for good */
	IMSS_NOTICE_NO_RECIPIENTS, /* SPEC §9.2: no recipient for the mail notices */
	IMSS_NOTICE_LAST
} ImssNoticeKind;

typedef enum {
	IMSS_NOTICE_SEVERITY_INFO,
	IMSS_NOTICE_SEVERITY_WARNING,
	IMSS_NOTICE_SEVERITY_CRITICAL,
} ImssNoticeSeverity;

typedef struct {
	ImssNoticeKind kind;
	ImssSlotId slot;
	GDate expiry;	 /* E (invalid for INACTIVE) */
	GDate grace_end; /* G */
	gint days_left;	 /* N = E − today */
	gint grace_left; /* M = G − today */
	gint days_since; /* D = today − E */
	gchar unit[256]; /* RESTART_FAILED: the systemd unit */
} ImssNotice;

#define IMSS_NOTICE_MAIL_FIRST_DAY (-15) /* mails from E−15 … */
#define IMSS_NOTICE_CONSOLE_FIRST_DAY (-60)

const gchar *
imss_notice_kind_to_string(ImssNoticeKind kind); /* "expiring", "expired", "updates-ended", "inactive" */
gboolean
imss_notice_kind_from_string(const gchar *str, ImssNoticeKind *kind);
/* Whether notices of @kind are about one slot (the others: "slot" is ""),
 * and whether they carry the license's dates. */
gboolean
imss_notice_kind_has_slot(ImssNoticeKind kind);
gboolean
imss_notice_kind_has_dates(ImssNoticeKind kind);
/* A notice of @kind that carries no dates (@slot is ignored unless the kind
 * has one; @unit may be NULL). */
void
imss_notice_init(ImssNotice *notice, ImssNoticeKind kind, ImssSlotId slot, const gchar *unit);
ImssNoticeSeverity
imss_notice_get_severity(const ImssNotice *notice);
const gchar *
imss_notice_severity_to_string(ImssNoticeSeverity severity); /* "info", "warning", "critical" */

/* The console notice of an activated slot with expiry @expiry on @today:
 * FALSE before E−60. */
gboolean
imss_notice_for_expiry(ImssSlotId slot, const GDate *expiry, const GDate *today, ImssNotice *notice);
/* Whether @today is a mail day (E−15 … G inclusive). */
gboolean
imss_notice_is_mail_day(const GDate *expiry, const GDate *today);
/* The notice of a not-activated optional slot. */
void
imss_notice_inactive(ImssSlotId slot, ImssNotice *notice);

/* The console text (SPEC §9.1) from @catalog (NULL: the process's locale). */
gchar *
imss_notice_render_console(const ImssCatalog *catalog, const ImssNotice *notice);
/* The mail's subject and body (SPEC §9.2); only for EXPIRING, EXPIRED and
 * the day G itself (UPDATES_ENDED with days_since == 90). */
gchar *
imss_notice_render_mail_subject(const ImssCatalog *catalog, const ImssNotice *notice);
gchar *
imss_notice_render_mail_body(const ImssCatalog *catalog, const ImssNotice *notice);

/* Fields as a{sv}: slot, kind, severity, days_left, grace_left, days_since,
 * expiry, grace_end (the mail's and the signal's fields). */
GVariant *
imss_notice_to_variant(const ImssNotice *notice);
gboolean
imss_notice_from_variant(GVariant *dict, ImssNotice *notice);

G_END_DECLS
