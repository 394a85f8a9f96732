/*
 * Fuzz target: the license server's answer parser (untrusted input from a
 * plain-HTTP server). Never crashes; an accepted answer is self-consistent.
 */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>

#include "imss-server-answer.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define FUZZ_CODE "IM-2222-2225N-E8FNC-LMARH-NL4F9-6SNQT"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(ImssServerAnswer) answer =
	    imss_server_answer_parse((const gchar *)data, size, FUZZ_CODE, &error);
	if (answer == NULL) {
		if (error == NULL)
			abort();
		return 0;
	}
	if (error != NULL)
		abort();
	if (answer->status == IMSS_SERVER_STATUS_VALID && !g_date_valid(&answer->expiry))
		abort();
	if (answer->replaced_by != NULL && g_strstr_len(answer->replaced_by, -1, "E8FNC") != NULL)
		abort(); /* never keep a code unmasked */
	return 0;
}
