/*
 * The enumerations of libimss-license-1 that the daemon shares: a slot's
 * lifecycle state and the kinds and severities of notices. Their nicks are
 * the strings of the D-Bus API (org.imss.License.Slot:State, the "kind" and
 * "severity" of a notice): one table in common/ serves the daemon, the
 * clients and the GType.
 */
#pragma once

#include <glib-object.h>

G_BEGIN_DECLS

/**
 * ImssLicenseState:
 * @IMSS_LICENSE_STATE_NOT_ACTIVATED: no code is registered ("not-activated")
 * @IMSS_LICENSE_STATE_ACTIVE: more than 60 days before the expiry date E ("active")
 * @IMSS_LICENSE_STATE_EXPIRING: E−60 ≤ today < E ("expiring")
 * @IMSS_LICENSE_STATE_GRACE: E ≤ today < G, the 90-day grace period ("grace")
 * @IMSS_LICENSE_STATE_EXPIRED: today ≥ G: component updates are restricted ("expired")
 *
 * The lifecycle state of a license slot; the nick of each value is the
 * string org.imss.License.Slot:State and the StateChanged signal carry.
 */
typedef enum {
	IMSS_LICENSE_STATE_NOT_ACTIVATED,
	IMSS_LICENSE_STATE_ACTIVE,
	IMSS_LICENSE_STATE_EXPIRING,
	IMSS_LICENSE_STATE_GRACE,
	IMSS_LICENSE_STATE_EXPIRED,
} ImssLicenseState;

#define IMSS_TYPE_LICENSE_STATE (imss_license_state_get_type())
GType
imss_license_state_get_type(void) G_GNUC_CONST;
const gchar *
imss_license_state_to_string(ImssLicenseState state);
gboolean
imss_license_state_from_string(const gchar *str, ImssLicenseState *state);

/**
 * ImssNoticeKind:
 * @IMSS_NOTICE_EXPIRING: E−60 … E−1: the license ends in N days ("expiring")
 * @IMSS_NOTICE_EXPIRED: E … G−1: it ended, M grace days are left ("expired")
 * @IMSS_NOTICE_UPDATES_ENDED: from G: product updates ended ("updates-ended")
 * @IMSS_NOTICE_INACTIVE: an optional component is not activated ("inactive")
 * @IMSS_NOTICE_CM_FAILED: the last Control Manager deployment failed ("cm-deployment-failed")
 * @IMSS_NOTICE_CODE_REPLACED: the license server says the code was replaced ("code-replaced")
 * @IMSS_NOTICE_CODE_UNKNOWN: the license server does not know the code ("code-unknown")
 * @IMSS_NOTICE_CODE_SUSPENDED: the license server says the code is suspended ("code-suspended")
 * @IMSS_NOTICE_RESTART_FAILED: a service restart failed for good ("restart-failed")
 * @IMSS_NOTICE_NO_RECIPIENTS: no recipient for the mail notices ("no-mail-recipients")
 * @IMSS_NOTICE_LAST: the number of kinds
 *
 * What a notice is about; the nick is its "kind" on the bus.
 */
typedef enum {
	IMSS_NOTICE_EXPIRING,
	IMSS_NOTICE_EXPIRED,
	IMSS_NOTICE_UPDATES_ENDED,
	IMSS_NOTICE_INACTIVE,
	IMSS_NOTICE_CM_FAILED,
	IMSS_NOTICE_CODE_REPLACED,
	IMSS_NOTICE_CODE_UNKNOWN,
	IMSS_NOTICE_CODE_SUSPENDED,
	IMSS_NOTICE_RESTART_FAILED,
	IMSS_NOTICE_NO_RECIPIENTS,
	IMSS_NOTICE_LAST
} ImssNoticeKind;

#define IMSS_TYPE_NOTICE_KIND (imss_notice_kind_get_type())
GType
imss_notice_kind_get_type(void) G_GNUC_CONST;
const gchar *
imss_notice_kind_to_string(ImssNoticeKind kind);
gboolean
imss_notice_kind_from_string(const gchar *str, ImssNoticeKind *kind);

/**
 * ImssNoticeSeverity:
 * @IMSS_NOTICE_SEVERITY_INFO: for information ("info")
 * @IMSS_NOTICE_SEVERITY_WARNING: needs attention soon ("warning")
 * @IMSS_NOTICE_SEVERITY_CRITICAL: needs attention now ("critical")
 *
 * How urgent a notice is; the nick is its "severity" on the bus.
 */
typedef enum {
	IMSS_NOTICE_SEVERITY_INFO,
	IMSS_NOTICE_SEVERITY_WARNING,
	IMSS_NOTICE_SEVERITY_CRITICAL,
} ImssNoticeSeverity;

#define IMSS_TYPE_NOTICE_SEVERITY (imss_notice_severity_get_type())
GType
imss_notice_severity_get_type(void) G_GNUC_CONST;
const gchar *
imss_notice_severity_to_string(ImssNoticeSeverity severity);

G_END_DECLS
