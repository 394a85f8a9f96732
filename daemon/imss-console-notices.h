/*
 * The console notices (SPEC §9.1, and what the operator must act on) as a
 * pure function of what the daemon knows: the licenses, today, the
 * settings, the restart queue and whether mail can go out.
 */
#pragma once

#include "imss-license.h"
#include "imss-notice.h"

G_BEGIN_DECLS

typedef struct {
	ImssLicense *const *licenses; /* all IMSS_SLOT_LAST slots, in slot order */
	const GDate *today;
	gboolean inactive_hidden;     /* "Hide notices for inactive components" */
	gboolean cm_failed;	      /* the last Control Manager deployment failed */
	gchar *const *failed_restarts; /* units whose restart failed for good (may be NULL) */
	gboolean mail_configured;     /* a recipient and an SMTP server are set */
} ImssNoticeFacts;

/* The current notices, most severe first (element: ImssNoticeData). */
GPtrArray *
imss_console_notices(const ImssNoticeFacts *facts) G_GNUC_WARN_UNUSED_RESULT;

G_END_DECLS
