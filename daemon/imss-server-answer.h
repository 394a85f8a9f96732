/*
 * The license server's answer (docs/license-server-protocol.md): a strict
 * parser for untrusted bytes, and the request body. No I/O here, so that the
 * parser can be fuzzed. What the simulator shares with it (paths, members,
 * statuses, the size limit) is common/imss-protocol.h.
 */
#pragma once

#include <glib.h>

#include "imss-code.h"
#include "imss-protocol.h"

G_BEGIN_DECLS

/* An expiry more than this many years after the one a code was issued with
 * is not believed (docs/design.md: the license server). */
#define IMSS_SERVER_EXPIRY_YEARS_MAX 10

typedef struct {
	ImssServerStatus status;
	GDate expiry;	    /* valid only for IMSS_SERVER_STATUS_VALID */
	gchar *replaced_by; /* masked, may be NULL */
	gint64 server_time; /* UTC seconds */
} ImssServerAnswer;

void
imss_server_answer_free(ImssServerAnswer *answer);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(ImssServerAnswer, imss_server_answer_free)

/* Parses @len bytes (any bytes: never crashes, never reads past @len) as the
 * answer about @code_asked (canonical, valid). An expiry must be a real date
 * in the codec's range and at most IMSS_SERVER_EXPIRY_YEARS_MAX years after
 * the expiry @code_asked was issued with. Errors (G_IO_ERROR_INVALID_DATA,
 * "invalid answer: ...") name what is wrong and never quote the input. */
ImssServerAnswer *
imss_server_answer_parse(const gchar *data, gsize len, const gchar *code_asked, GError **error);

/* The request body for @code (canonical) of @edition. */
gchar *
imss_server_request_body(const gchar *code, ImssEdition edition);

/* The "check details online" URL for @code at the server of @update_url. */
gchar *
imss_server_details_url(const gchar *update_url, const gchar *code);

G_END_DECLS
