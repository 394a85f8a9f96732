/*
 * The license-server protocol, version 1 (docs/license-server-protocol.md):
 * what the daemon's client (daemon/imss-license-server.c,
 * daemon/imss-server-answer.c) and the simulator (tools/server/) must agree
 * on — the paths, the members of the request and the answer, the statuses,
 * the size limit and the id of a license's details page.
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* The value of "protocol" in every request and answer. */
#define IMSS_PROTOCOL_VERSION 1
/* The largest request or answer body either side reads. */
#define IMSS_PROTOCOL_BODY_MAX (64 * 1024)
/* The value of "product_version" in a request. */
#define IMSS_PROTOCOL_PRODUCT_VERSION "9.1"

/* The page a request is posted to: the vendor's URL has this path, the
 * simulator answers any path that ends in the page's name. */
#define IMSS_PROTOCOL_UPDATE_PAGE "license_update.aspx"
#define IMSS_PROTOCOL_UPDATE_PATH "/ollu/" IMSS_PROTOCOL_UPDATE_PAGE
/* The details page: IMSS_PROTOCOL_DETAILS_PATH?id=<imss_protocol_details_id()> */
#define IMSS_PROTOCOL_DETAILS_PAGE "license_details.aspx"
#define IMSS_PROTOCOL_DETAILS_PATH "/ollu/" IMSS_PROTOCOL_DETAILS_PAGE
#define IMSS_PROTOCOL_DETAILS_ID_PARAM "id"
#define IMSS_PROTOCOL_DETAILS_ID_LEN 32

/* The members of a request ... */
#define IMSS_PROTOCOL_MEMBER_PROTOCOL "protocol"
#define IMSS_PROTOCOL_MEMBER_PRODUCT "product"
#define IMSS_PROTOCOL_MEMBER_PRODUCT_VERSION "product_version"
#define IMSS_PROTOCOL_MEMBER_CODE "code"
/* ... and of an answer (with "protocol" and "code") */
#define IMSS_PROTOCOL_MEMBER_STATUS "status"
#define IMSS_PROTOCOL_MEMBER_EXPIRY "expiry"
#define IMSS_PROTOCOL_MEMBER_REPLACED_BY "replaced_by"
#define IMSS_PROTOCOL_MEMBER_SERVER_TIME "server_time"

/* What the server says about a code ("status"). */
typedef enum {
	IMSS_SERVER_STATUS_VALID,
	IMSS_SERVER_STATUS_UNKNOWN,
	IMSS_SERVER_STATUS_REPLACED,
	IMSS_SERVER_STATUS_SUSPENDED,
	IMSS_SERVER_STATUS_LAST
} ImssServerStatus;

/* "valid", "unknown", "replaced" or "suspended"; NULL when out of range. */
const gchar *imss_server_status_to_string(ImssServerStatus status);
/* Parses one of the four names (exact); FALSE for anything else, NULL too. */
gboolean imss_server_status_from_string(const gchar *str, ImssServerStatus *status);

/* The id of the details page of @code (canonical): the first 32 hex digits
 * of SHA-256 of a fixed salt and the code, so that the URL identifies the
 * license without carrying the code. */
gchar *imss_protocol_details_id(const gchar *code) G_GNUC_WARN_UNUSED_RESULT;

G_END_DECLS
