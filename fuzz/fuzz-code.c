/*
 * Fuzz target for the activation-code codec (common/imss-code.c).
 *
 * Built as `fuzz-code` with libFuzzer (-Dfuzzing=true, clang) and always as
 * `fuzz-code-replay` (with fuzz-replay-main.c), which replays
 * fuzz/corpus/code/ in `meson test`. Any violated property aborts.
 */
#include "config.h"

#define G_LOG_DOMAIN "ImssFuzz"

#include <glib.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "imss-code.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define FUZZ_WINDOW 5

static void
fuzz_fail(const gchar *what)
{
	g_printerr("fuzz-code: %s\n", what);
	abort();
}

static gboolean
fuzz_is_symbol(guchar c)
{
	return c != '\0' && strchr("23456789ABCDEFGHJKLMNPQRSTVWXYZ", c) != NULL;
}

/* An error message must not quote the input: no 5-character run of code
 * symbols (with at least one letter) of the upper-cased input may appear. */
static void
fuzz_check_no_leak(const guint8 *data, gsize size, const gchar *message)
{
	for (gsize i = 0; i + FUZZ_WINDOW <= size; i++) {
		gchar window[FUZZ_WINDOW + 1];
		gboolean letter = FALSE;
		gboolean symbols = TRUE;

		for (gsize k = 0; k < FUZZ_WINDOW; k++) {
			window[k] = g_ascii_toupper((gchar)data[i + k]);
			symbols = symbols && fuzz_is_symbol((guchar)window[k]);
			letter = letter || g_ascii_isalpha(window[k]);
		}
		window[FUZZ_WINDOW] = '\0';
		if (symbols && letter && strstr(message, window) != NULL)
			fuzz_fail("an error message quotes the input");
	}
}

static gboolean
fuzz_info_equal(const ImssCodeInfo *a, const ImssCodeInfo *b)
{
	return a->prefix == b->prefix && a->edition == b->edition &&
	       a->slot_mask == b->slot_mask && g_date_compare(&a->expiry, &b->expiry) == 0 &&
	       !a->offline == !b->offline && a->serial == b->serial;
}

static void
fuzz_check_mask(const gchar *input)
{
	g_autofree gchar *canonical = NULL;
	g_autofree gchar *masked = imss_code_mask(input);
	gboolean valid = imss_code_parse(input, strlen(input), NULL, &canonical, NULL);

	if (input[0] == '\0') {
		if (g_strcmp0(masked, "") != 0)
			fuzz_fail("the mask of an empty string is not empty");
		return;
	}
	if (!valid) {
		if (g_strcmp0(masked, "(invalid)") != 0)
			fuzz_fail("the mask of an invalid code is not (invalid)");
		return;
	}
	if (strlen(masked) != IMSS_CODE_CANONICAL_LEN)
		fuzz_fail("a mask has the wrong length");
	for (gsize i = 0; i < IMSS_CODE_CANONICAL_LEN; i++) {
		gboolean kept = i < 2 || i >= IMSS_CODE_CANONICAL_LEN - 5 || canonical[i] == '-';

		if (kept ? masked[i] != canonical[i] : masked[i] != '*')
			fuzz_fail("a mask is not prefix, stars and the last group");
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	g_autoptr(GError) error = NULL;
	g_autofree gchar *canonical = NULL;
	g_autofree gchar *terminated = NULL;
	ImssCodeInfo info;
	gboolean ok;

	ok = imss_code_parse((const gchar *)data, size, &info, &canonical, &error);
	if (ok != imss_code_parse((const gchar *)data, size, NULL, NULL, NULL))
		fuzz_fail("the result depends on the out arguments");

	if (ok) {
		g_autofree gchar *encoded = NULL;
		g_autofree gchar *canonical2 = NULL;
		g_autoptr(GError) error_encode = NULL;
		ImssCodeInfo info2;

		if (error != NULL || canonical == NULL ||
		    strlen(canonical) != IMSS_CODE_CANONICAL_LEN)
			fuzz_fail("success without a canonical form");
		encoded = imss_code_encode(&info, &error_encode);
		if (encoded == NULL)
			fuzz_fail("a decoded code does not encode");
		if (strcmp(encoded, canonical) != 0)
			fuzz_fail("re-encoding does not give the canonical form");
		if (!imss_code_parse(canonical, strlen(canonical), &info2, &canonical2, NULL))
			fuzz_fail("the canonical form does not parse");
		if (strcmp(canonical, canonical2) != 0 || !fuzz_info_equal(&info, &info2))
			fuzz_fail("parsing the canonical form changes it");
	} else {
		if (error == NULL || error->domain != IMSS_CODE_ERROR ||
		    error->code < IMSS_CODE_ERROR_EMPTY || error->code > IMSS_CODE_ERROR_PAYLOAD ||
		    error->message == NULL || error->message[0] == '\0')
			fuzz_fail("a failure without a proper error");
		if (canonical != NULL)
			fuzz_fail("a failure that sets the canonical form");
		fuzz_check_no_leak(data, size, error->message);
	}

	/* the mask takes a C string: test what precedes the first NUL */
	terminated = g_strndup((const gchar *)data, size);
	fuzz_check_mask(terminated);
	return 0;
}
