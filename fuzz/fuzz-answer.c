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

#define FUZZ_CODE "IM-M8LQ-W72B3-LHRZV-HPAJ2-ECWMJ-MYGEM"

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
	if (answer->status == IMSS_SERVER_STATUS_VALID) {
		/* FUZZ_CODE was issued to expire on 2027-01-31: 10 years more at most */
		GDate limit;
		g_date_clear(&limit, 1);
		g_date_set_dmy(&limit, 31, G_DATE_JANUARY, 2037);
		if (g_date_compare(&answer->expiry, &limit) > 0)
			abort();
	}
	if (answer->replaced_by != NULL && g_strstr_len(answer->replaced_by, -1, "LHRZV") != NULL)
		abort(); /* never keep a code unmasked */
	return 0;
}
