/*
 * imss-code: this project's activation-code format.
 *
 * The format is specified in docs/activation-codes.md; keep the two in step.
 * The parser handles untrusted bytes: it never reads past @len, runs in
 * O(len), and never copies any part of its input into an error message.
 */
#include "config.h"

#define G_LOG_DOMAIN "ImssCode"

#include <gio/gio.h>
#include <string.h>

#include "imss-code-private.h"
#include "imss-date.h"

#define CODE_N_DASHES 6

/* the 31 symbols, value 0 .. 30 in this order: no 0, 1, I, O, U */
static const gchar code_alphabet[] = "23456789ABCDEFGHJKLMNPQRSTVWXYZ";

/* indexes of the dashes in the 37-character canonical form */
static const guint code_dash_index[CODE_N_DASHES] = {2, 7, 13, 19, 25, 31};

static const gchar *const code_prefix_names[] = {
    [IMSS_CODE_PREFIX_IM] = "IM",
    [IMSS_CODE_PREFIX_AS] = "AS",
    [IMSS_CODE_PREFIX_DL] = "DL",
};

static const gchar *const edition_names[IMSS_EDITION_LAST] = {
    [IMSS_EDITION_IMSS] = "imss",
    [IMSS_EDITION_IMSVA] = "imsva",
};

G_DEFINE_QUARK(imss-code-error-quark, imss_code_error)

const gchar *
imss_edition_to_string(ImssEdition edition)
{
	if ((guint)edition >= IMSS_EDITION_LAST)
		return NULL;
	return edition_names[edition];
}

gboolean
imss_edition_from_string(const gchar *str, ImssEdition *edition)
{
	if (str == NULL)
		return FALSE;
	for (guint i = 0; i < IMSS_EDITION_LAST; i++) {
		if (g_strcmp0(str, edition_names[i]) == 0) {
			if (edition != NULL)
				*edition = (ImssEdition)i;
			return TRUE;
		}
	}
	return FALSE;
}

const gchar *
imss_code_prefix_to_string(ImssCodePrefix prefix)
{
	if (prefix < IMSS_CODE_PREFIX_IM || prefix > IMSS_CODE_PREFIX_DL)
		return NULL;
	return code_prefix_names[prefix];
}

gboolean
imss_code_prefix_from_string(const gchar *str, ImssCodePrefix *prefix)
{
	if (str == NULL)
		return FALSE;
	for (guint i = IMSS_CODE_PREFIX_IM; i <= IMSS_CODE_PREFIX_DL; i++) {
		if (g_strcmp0(str, code_prefix_names[i]) == 0) {
			if (prefix != NULL)
				*prefix = (ImssCodePrefix)i;
			return TRUE;
		}
	}
	return FALSE;
}

/* value 0..30 of an upper-case symbol, or -1 */
static gint
code_symbol_value(guchar c)
{
	const gchar *hit = memchr(code_alphabet, c, CODE_BASE);

	if (hit == NULL)
		return -1;
	return (gint)(hit - code_alphabet);
}

static gboolean
code_is_space(guchar c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\v' || c == '\f' || c == '\r';
}

static gboolean
code_is_dash_index(gsize idx)
{
	for (guint i = 0; i < CODE_N_DASHES; i++) {
		if (code_dash_index[i] == idx)
			return TRUE;
	}
	return FALSE;
}

/* prefix letters + 29 symbol values → "PP-GGGG-…" */
static gchar *
code_format(const gchar *prefix, const guint8 *symbols)
{
	gchar *out = g_new(gchar, IMSS_CODE_CANONICAL_LEN + 1);
	guint j = 0;

	out[0] = prefix[0];
	out[1] = prefix[1];
	for (gsize i = 2; i < IMSS_CODE_CANONICAL_LEN; i++) {
		if (code_is_dash_index(i))
			out[i] = '-';
		else
			out[i] = code_alphabet[symbols[j++]];
	}
	out[IMSS_CODE_CANONICAL_LEN] = '\0';
	return out;
}

/* -- parsing: text → symbols → fields ---------------------------------- */

/* every character printable ASCII, whatever the length, and then a length
 * of a code with or without its dashes */
static gboolean
code_check_text(const guchar *text, gsize n, GError **error)
{
	for (gsize i = 0; i < n; i++) {
		if (text[i] < 0x20 || text[i] > 0x7e) {
			g_set_error(error,
				    IMSS_CODE_ERROR,
				    IMSS_CODE_ERROR_CHARACTER,
				    "character %" G_GSIZE_FORMAT
				    " is not a printable ASCII character",
				    i + 1);
			return FALSE;
		}
	}
	if (n != IMSS_CODE_CANONICAL_LEN && n != IMSS_CODE_DASHLESS_LEN) {
		g_set_error(error,
			    IMSS_CODE_ERROR,
			    IMSS_CODE_ERROR_LENGTH,
			    "an activation code has %d characters (%d without dashes), "
			    "not %" G_GSIZE_FORMAT,
			    IMSS_CODE_CANONICAL_LEN,
			    IMSS_CODE_DASHLESS_LEN,
			    n);
		return FALSE;
	}
	return TRUE;
}

/* dashes: all six in their places, or none at all; @chars gets the other
 * characters upper-cased, @position their 1-based place in @text */
static gboolean
code_undash(const guchar *text,
	    gsize n,
	    guchar chars[IMSS_CODE_DASHLESS_LEN],
	    gsize position[IMSS_CODE_DASHLESS_LEN],
	    GError **error)
{
	guint j = 0;

	for (gsize i = 0; i < n; i++) {
		gboolean is_dash = text[i] == '-';
		gboolean want_dash = n == IMSS_CODE_CANONICAL_LEN && code_is_dash_index(i);

		if (is_dash != want_dash && n == IMSS_CODE_CANONICAL_LEN) {
			g_set_error(error,
				    IMSS_CODE_ERROR,
				    IMSS_CODE_ERROR_SHAPE,
				    "character %" G_GSIZE_FORMAT
				    ": a 37-character code has dashes at characters 3, 8, 14, "
				    "20, 26 and 32, and nowhere else",
				    i + 1);
			return FALSE;
		}
		if (is_dash != want_dash) {
			g_set_error(error,
				    IMSS_CODE_ERROR,
				    IMSS_CODE_ERROR_SHAPE,
				    "character %" G_GSIZE_FORMAT
				    " is a dash: a 31-character code has no dashes",
				    i + 1);
			return FALSE;
		}
		if (!is_dash) {
			chars[j] = (guchar)g_ascii_toupper(text[i]);
			position[j] = i + 1;
			j++;
		}
	}
	g_assert(j == IMSS_CODE_DASHLESS_LEN);
	return TRUE;
}

/* the prefix and the 29 symbol values of the characters, the check symbol
 * matching */
static gboolean
code_read_symbols(const guchar *chars,
		  const gsize *position,
		  guint *prefix,
		  guint8 symbols[CODE_N_SYMBOLS],
		  GError **error)
{
	guint sum;

	*prefix = 0;
	for (guint i = IMSS_CODE_PREFIX_IM; i <= IMSS_CODE_PREFIX_DL; i++) {
		if (chars[0] == (guchar)code_prefix_names[i][0] &&
		    chars[1] == (guchar)code_prefix_names[i][1])
			*prefix = i;
	}
	if (*prefix == 0) {
		g_set_error_literal(error,
				    IMSS_CODE_ERROR,
				    IMSS_CODE_ERROR_PREFIX,
				    "an activation code starts with IM, AS or DL");
		return FALSE;
	}

	for (guint i = 0; i < CODE_N_SYMBOLS; i++) {
		gint v = code_symbol_value(chars[2 + i]);

		if (v < 0) {
			g_set_error(error,
				    IMSS_CODE_ERROR,
				    IMSS_CODE_ERROR_CHARACTER,
				    "character %" G_GSIZE_FORMAT
				    " is not allowed in an activation code",
				    position[2 + i]);
			return FALSE;
		}
		symbols[i] = (guint8)v;
	}

	sum = imss_code_check_partial(*prefix, symbols) +
	      CODE_CHECK_WEIGHT * symbols[CODE_N_SYMBOLS - 1];
	if (sum % CODE_BASE != 0) {
		g_set_error_literal(error,
				    IMSS_CODE_ERROR,
				    IMSS_CODE_ERROR_CHECK,
				    "the check character does not match: the code has a typo");
		return FALSE;
	}
	return TRUE;
}

static void
code_fields_to_info(const ImssCodeFields *fields, ImssCodeInfo *info)
{
	info->prefix = (ImssCodePrefix)fields->prefix;
	info->edition = (ImssEdition)fields->edition;
	info->slot_mask = fields->slot_mask;
	g_date_clear(&info->expiry, 1);
	g_date_set_julian(&info->expiry, imss_code_epoch_julian() + fields->expiry_days);
	info->offline = fields->offline;
	info->serial = fields->serial;
}

gboolean
imss_code_parse(const gchar *input,
		gsize len,
		ImssCodeInfo *info,
		gchar **canonical,
		GError **error)
{
	const guchar *bytes = (const guchar *)input;
	gsize start = 0;
	gsize end = len;
	guchar chars[IMSS_CODE_DASHLESS_LEN];	/* upper-cased, without dashes */
	gsize position[IMSS_CODE_DASHLESS_LEN]; /* of chars[], 1-based, in the trimmed input */
	guint8 symbols[CODE_N_SYMBOLS];
	guint prefix = 0;
	ImssCodeFields fields;

	g_return_val_if_fail(input != NULL || len == 0, FALSE);
	g_return_val_if_fail(error == NULL || *error == NULL, FALSE);

	/* trim ASCII whitespace */
	while (start < end && code_is_space(bytes[start]))
		start++;
	while (end > start && code_is_space(bytes[end - 1]))
		end--;
	if (end == start) {
		g_set_error_literal(error,
				    IMSS_CODE_ERROR,
				    IMSS_CODE_ERROR_EMPTY,
				    "the activation code is empty");
		return FALSE;
	}
	if (!code_check_text(bytes + start, end - start, error) ||
	    !code_undash(bytes + start, end - start, chars, position, error) ||
	    !code_read_symbols(chars, position, &prefix, symbols, error) ||
	    !imss_code_payload_decode(prefix, symbols, &fields, error))
		return FALSE;

	if (info != NULL)
		code_fields_to_info(&fields, info);
	if (canonical != NULL)
		*canonical = code_format(code_prefix_names[prefix], symbols);
	return TRUE;
}

/* -- encoding ------------------------------------------------------------ */

/* the error of an expiry outside imss_date_range(); FALSE */
static gboolean
code_range_error(GError **error)
{
	GDate first, last;
	g_autofree gchar *first_str = NULL;
	g_autofree gchar *last_str = NULL;

	imss_date_range(&first, &last);
	first_str = imss_date_format(&first);
	last_str = imss_date_format(&last);
	g_set_error(error,
		    G_IO_ERROR,
		    G_IO_ERROR_INVALID_ARGUMENT,
		    "the expiry date is outside %s .. %s",
		    first_str,
		    last_str);
	return FALSE;
}

/* whether every field of @info is in its range, as imss_code_encode() says */
static gboolean
code_check_info(const ImssCodeInfo *info, GError **error)
{
	const gchar *conflict;

	if (imss_code_prefix_to_string(info->prefix) == NULL) {
		g_set_error(error,
			    G_IO_ERROR,
			    G_IO_ERROR_INVALID_ARGUMENT,
			    "prefix %d is not IM, AS or DL",
			    (gint)info->prefix);
		return FALSE;
	}
	if ((guint)info->edition >= IMSS_EDITION_LAST) {
		g_set_error(error,
			    G_IO_ERROR,
			    G_IO_ERROR_INVALID_ARGUMENT,
			    "edition %d is not valid",
			    (gint)info->edition);
		return FALSE;
	}
	if (info->slot_mask == 0 || (info->slot_mask & ~IMSS_CODE_SLOT_MASK_ALL) != 0) {
		g_set_error(error,
			    G_IO_ERROR,
			    G_IO_ERROR_INVALID_ARGUMENT,
			    "slot mask 0x%x is not within 0x1 .. 0x%x",
			    info->slot_mask,
			    IMSS_CODE_SLOT_MASK_ALL);
		return FALSE;
	}
	if (info->serial > IMSS_CODE_SERIAL_MAX) {
		g_set_error(error,
			    G_IO_ERROR,
			    G_IO_ERROR_INVALID_ARGUMENT,
			    "serial %" G_GUINT64_FORMAT " is larger than %" G_GUINT64_FORMAT,
			    info->serial,
			    IMSS_CODE_SERIAL_MAX);
		return FALSE;
	}
	if (!g_date_valid(&info->expiry)) {
		g_set_error_literal(error,
				    G_IO_ERROR,
				    G_IO_ERROR_INVALID_ARGUMENT,
				    "the expiry date is not set");
		return FALSE;
	}
	if (!imss_date_in_range(&info->expiry))
		return code_range_error(error);
	conflict = imss_code_prefix_conflict(info->prefix, info->edition, info->slot_mask);
	if (conflict != NULL) {
		g_set_error_literal(error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT, conflict);
		return FALSE;
	}
	return TRUE;
}

gchar *
imss_code_encode(const ImssCodeInfo *info, GError **error)
{
	ImssCodeFields fields;
	guint8 symbols[CODE_N_SYMBOLS];

	g_return_val_if_fail(info != NULL, NULL);
	g_return_val_if_fail(error == NULL || *error == NULL, NULL);

	if (!code_check_info(info, error))
		return NULL;
	fields.prefix = info->prefix;
	fields.version = CODE_VERSION;
	fields.edition = info->edition;
	fields.slot_mask = info->slot_mask;
	fields.expiry_days = g_date_get_julian(&info->expiry) - imss_code_epoch_julian();
	fields.offline = info->offline ? 1 : 0;
	fields.serial = info->serial;
	imss_code_payload_encode(&fields, symbols);
	return code_format(code_prefix_names[info->prefix], symbols);
}

gboolean
imss_code_is_masked(const gchar *str)
{
	if (str == NULL || strlen(str) != IMSS_CODE_CANONICAL_LEN)
		return FALSE;
	if (!g_ascii_isupper(str[0]) || !g_ascii_isupper(str[1]))
		return FALSE;
	for (gsize i = 2; i < IMSS_CODE_CANONICAL_LEN; i++) {
		/* dashes where the canonical form has them, stars up to the last group */
		if (code_is_dash_index(i)) {
			if (str[i] != '-')
				return FALSE;
		} else if (i < IMSS_CODE_CANONICAL_LEN - 5) {
			if (str[i] != '*')
				return FALSE;
		} else if (memchr(code_alphabet, str[i], CODE_BASE) == NULL) {
			return FALSE;
		}
	}
	return TRUE;
}

gchar *
imss_code_mask(const gchar *code)
{
	g_autofree gchar *canonical = NULL;

	if (code == NULL || code[0] == '\0')
		return g_strdup("");
	if (!imss_code_parse(code, strlen(code), NULL, &canonical, NULL))
		return g_strdup("(invalid)");
	/* keep the prefix, the dashes and the last group (from index 32) */
	for (gsize i = 2; i < IMSS_CODE_CANONICAL_LEN - 5; i++) {
		if (canonical[i] != '-')
			canonical[i] = '*';
	}
	return g_steal_pointer(&canonical);
}
