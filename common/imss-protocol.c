/*
 * The license-server protocol (see imss-protocol.h).
 */
#include "config.h"

#define G_LOG_DOMAIN "ImssProtocol"

#include "imss-protocol.h"

/* changing it moves every details page */
#define IMSS_PROTOCOL_DETAILS_SALT "imss-license-details:"

static const gchar *const imss_server_status_names[IMSS_SERVER_STATUS_LAST] = {
    [IMSS_SERVER_STATUS_VALID] = "valid",
    [IMSS_SERVER_STATUS_UNKNOWN] = "unknown",
    [IMSS_SERVER_STATUS_REPLACED] = "replaced",
    [IMSS_SERVER_STATUS_SUSPENDED] = "suspended",
};

const gchar *
imss_server_status_to_string(ImssServerStatus status)
{
	g_return_val_if_fail((guint)status < IMSS_SERVER_STATUS_LAST, NULL);
	return imss_server_status_names[status];
}

gboolean
imss_server_status_from_string(const gchar *str, ImssServerStatus *status)
{
	g_return_val_if_fail(status != NULL, FALSE);

	for (guint i = 0; str != NULL && i < IMSS_SERVER_STATUS_LAST; i++) {
		if (g_strcmp0(str, imss_server_status_names[i]) == 0) {
			*status = (ImssServerStatus)i;
			return TRUE;
		}
	}
	return FALSE;
}

gchar *
imss_protocol_details_id(const gchar *code)
{
	g_autoptr(GChecksum) sum = g_checksum_new(G_CHECKSUM_SHA256);

	g_return_val_if_fail(code != NULL, NULL);

	g_checksum_update(sum,
			  (const guchar *)IMSS_PROTOCOL_DETAILS_SALT,
			  sizeof(IMSS_PROTOCOL_DETAILS_SALT) - 1);
	g_checksum_update(sum, (const guchar *)code, -1);
	return g_strndup(g_checksum_get_string(sum), IMSS_PROTOCOL_DETAILS_ID_LEN);
}
