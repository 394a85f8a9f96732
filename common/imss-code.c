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

#include "imss-code.h"
#include "imss-date.h"

/* "PP-GGGG-GGGGG-GGGGG-GGGGG-GGGGG-GGGGG" */
#define CODE_BASE	 31u
#define CODE_N_SYMBOLS	 29 /* after the prefix: 28 payload symbols + 1 check symbol */
#define CODE_N_PAYLOAD	 28
#define CODE_N_DASHES	 6
#define CODE_CHECK_WEIGHT 30u

/* payload bit layout, low bits first */
#define CODE_SERIAL_BITS  40
#define CODE_BLOCK_BITS	  63
#define CODE_PAYLOAD_BITS (CODE_SERIAL_BITS + CODE_BLOCK_BITS) /* 103 */
#define CODE_VERSION	  1u

/* the 31 symbols, value 0 .. 30 in this order: no 0, 1, I, O, U */
static const gchar code_alphabet[] = "23456789ABCDEFGHJKLMNPQRSTVWXYZ";

/* indexes of the dashes in the 37-character canonical form */
static const guint code_dash_index[CODE_N_DASHES] = {2, 7, 13, 19, 25, 31};

/* the tag's salt; changing it invalidates every code ever issued */
static const gchar code_tag_salt[] = "imss-license/activation-code/v1";

/* the keystream's seed constant, "IMSSCODE" in ASCII */
#define CODE_KEYSTREAM_SEED G_GUINT64_CONSTANT(0x494d5353434f4445)

/* the whitening of the leading payload symbols: its salt, and how many
 * leading symbols it changes (they depend on the other 20) */
static const gchar code_whiten_salt[] = "imss-license/activation-code/v1/whiten";
#define CODE_N_WHITENED 8

static const gchar *const code_prefix_names[] = {
    [IMSS_CODE_PREFIX_IM] = "IM",
    [IMSS_CODE_PREFIX_AS] = "AS",
    [IMSS_CODE_PREFIX_DL] = "DL",
};

static const gchar *const edition_names[IMSS_EDITION_LAST] = {
    [IMSS_EDITION_IMSS] = "imss",
    [IMSS_EDITION_IMSVA] = "imsva",
};

#define SLOT_BIT(slot) (1u << (slot))

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

/* the expiry field counts the days of the whole range in 16 bits */
G_STATIC_ASSERT(IMSS_DATE_RANGE_DAYS == 0xffffu);

/* the Julian day number (GDate's) of the first date of the range, day 0 of
 * the expiry field */
static guint32
code_epoch_julian(void)
{
	GDate epoch;

	imss_date_range(&epoch, NULL);
	return g_date_get_julian(&epoch);
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

/* splitmix64 (Steele, Lea, Flood 2014): a fixed, well-mixed 64-bit function */
static guint64
code_splitmix64(guint64 x)
{
	x += G_GUINT64_CONSTANT(0x9e3779b97f4a7c15);
	x = (x ^ (x >> 30)) * G_GUINT64_CONSTANT(0xbf58476d1ce4e5b9);
	x = (x ^ (x >> 27)) * G_GUINT64_CONSTANT(0x94d049bb133111eb);
	return x ^ (x >> 31);
}

static guint64
code_keystream(guint64 serial)
{
	return code_splitmix64(serial ^ CODE_KEYSTREAM_SEED) &
	       ((G_GUINT64_CONSTANT(1) << CODE_BLOCK_BITS) - 1);
}

static guint32
code_fnv1a(guint32 hash, const guint8 *data, gsize len)
{
	for (gsize i = 0; i < len; i++) {
		hash ^= data[i];
		hash *= 16777619u;
	}
	return hash;
}

/* FNV-1a 32 over the salt and the fields, see docs/activation-codes.md */
static guint32
code_tag(guint prefix,
	 guint version,
	 guint edition,
	 guint slot_mask,
	 guint expiry_days,
	 gboolean offline,
	 guint64 serial)
{
	guint8 fields[12];
	guint32 hash = 2166136261u;

	fields[0] = (guint8)prefix;
	fields[1] = (guint8)version;
	fields[2] = (guint8)edition;
	fields[3] = (guint8)slot_mask;
	fields[4] = (guint8)(expiry_days & 0xff);
	fields[5] = (guint8)(expiry_days >> 8);
	fields[6] = offline ? 1 : 0;
	for (guint i = 0; i < 5; i++)
		fields[7 + i] = (guint8)(serial >> (8 * i));
	hash = code_fnv1a(hash, (const guint8 *)code_tag_salt, strlen(code_tag_salt));
	return code_fnv1a(hash, fields, sizeof(fields));
}

/* FNV-1a 64 (prime 0x100000001b3) */
static guint64
code_fnv1a64(guint64 hash, const guint8 *data, gsize len)
{
	for (gsize i = 0; i < len; i++) {
		hash ^= data[i];
		hash *= G_GUINT64_CONSTANT(0x100000001b3);
	}
	return hash;
}

/* The offsets k_0 .. k_7 of the whitening: a function of the payload symbols
 * 8 .. 27 only, which the whitening leaves alone, so that adding k_i to
 * symbol i (mod 31) is undone by subtracting it, and for fixed symbols
 * 8 .. 27 maps the leading eight symbols one-to-one onto themselves. */
static void
code_whiten_offsets(const guint8 *payload, guint8 *offsets)
{
	guint64 hash = G_GUINT64_CONSTANT(0xcbf29ce484222325);

	hash = code_fnv1a64(hash, (const guint8 *)code_whiten_salt, strlen(code_whiten_salt));
	hash = code_fnv1a64(hash, payload + CODE_N_WHITENED, CODE_N_PAYLOAD - CODE_N_WHITENED);
	hash = code_splitmix64(hash);
	for (guint i = 0; i < CODE_N_WHITENED; i++)
		offsets[i] = (guint8)(((hash >> (8 * i)) & 0xff) % CODE_BASE);
}

/* NULL when @slot_mask may be carried by a code with @prefix and @edition,
 * else the reason (English, for developers) */
static const gchar *
code_prefix_conflict(ImssCodePrefix prefix, ImssEdition edition, guint slot_mask)
{
	const guint compliance = SLOT_BIT(IMSS_SLOT_COMPLIANCE);
	const guint antispam =
	    SLOT_BIT(IMSS_SLOT_ANTISPAM) | SLOT_BIT(IMSS_SLOT_EMAIL_REPUTATION);

	switch (prefix) {
	case IMSS_CODE_PREFIX_IM:
		if ((slot_mask & compliance) != 0)
			return "an IM code cannot license the compliance slot";
		return NULL;
	case IMSS_CODE_PREFIX_AS:
		if (edition != IMSS_EDITION_IMSS)
			return "an AS code exists only for the imss edition";
		if ((slot_mask & ~antispam) != 0)
			return "an AS code can license only the antispam and "
			       "email-reputation slots";
		return NULL;
	case IMSS_CODE_PREFIX_DL:
		if (slot_mask != compliance)
			return "a DL code licenses the compliance slot and nothing else";
		return NULL;
	default:
		return "unknown prefix";
	}
}

/* the weighted sum of the check, before the check symbol, modulo 31 */
static guint
code_check_partial(guint prefix, const guint8 *payload)
{
	guint sum = prefix; /* weight 1 */

	for (guint i = 0; i < CODE_N_PAYLOAD; i++)
		sum += (i + 2) * payload[i];
	return sum % CODE_BASE;
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
	gsize n;
	guchar chars[IMSS_CODE_DASHLESS_LEN];	/* upper-cased, without dashes */
	gsize position[IMSS_CODE_DASHLESS_LEN]; /* of chars[], 1-based, in the trimmed input */
	guint8 symbols[CODE_N_SYMBOLS];
	guint8 digits[CODE_N_PAYLOAD]; /* the payload symbols, whitening removed */
	guint8 offsets[CODE_N_WHITENED];
	guint j = 0;
	guint prefix = 0;
	guint sum;
	unsigned __int128 value = 0;
	const unsigned __int128 u128_max = ~(unsigned __int128)0;
	guint64 serial;
	guint64 block;
	guint version, edition, slot_mask, expiry_days, tag;
	gboolean offline;
	const gchar *conflict;

	g_return_val_if_fail(input != NULL || len == 0, FALSE);
	g_return_val_if_fail(error == NULL || *error == NULL, FALSE);

	/* trim ASCII whitespace */
	while (start < end && code_is_space(bytes[start]))
		start++;
	while (end > start && code_is_space(bytes[end - 1]))
		end--;
	n = end - start;
	if (n == 0) {
		g_set_error_literal(error,
				    IMSS_CODE_ERROR,
				    IMSS_CODE_ERROR_EMPTY,
				    "the activation code is empty");
		return FALSE;
	}

	/* anything but printable ASCII, whatever the length */
	for (gsize i = start; i < end; i++) {
		if (bytes[i] < 0x20 || bytes[i] > 0x7e) {
			g_set_error(error,
				    IMSS_CODE_ERROR,
				    IMSS_CODE_ERROR_CHARACTER,
				    "character %" G_GSIZE_FORMAT
				    " is not a printable ASCII character",
				    i - start + 1);
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

	/* dashes: all six in their places, or none at all */
	for (gsize i = 0; i < n; i++) {
		gboolean is_dash = bytes[start + i] == '-';
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
			chars[j] = (guchar)g_ascii_toupper(bytes[start + i]);
			position[j] = i + 1;
			j++;
		}
	}
	g_assert(j == IMSS_CODE_DASHLESS_LEN);

	for (guint i = IMSS_CODE_PREFIX_IM; i <= IMSS_CODE_PREFIX_DL; i++) {
		if (chars[0] == (guchar)code_prefix_names[i][0] &&
		    chars[1] == (guchar)code_prefix_names[i][1])
			prefix = i;
	}
	if (prefix == 0) {
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

	sum = code_check_partial(prefix, symbols) +
	      CODE_CHECK_WEIGHT * symbols[CODE_N_SYMBOLS - 1];
	if (sum % CODE_BASE != 0) {
		g_set_error_literal(error,
				    IMSS_CODE_ERROR,
				    IMSS_CODE_ERROR_CHECK,
				    "the check character does not match: the code has a typo");
		return FALSE;
	}

	/* undo the whitening of the leading symbols: a bijection, so every
	 * string of 28 symbols stands for exactly one string of digits */
	memcpy(digits, symbols, CODE_N_PAYLOAD);
	code_whiten_offsets(symbols, offsets);
	for (guint i = 0; i < CODE_N_WHITENED; i++)
		digits[i] = (guint8)((symbols[i] + CODE_BASE - offsets[i]) % CODE_BASE);

	/* payload: a big-endian base-31 number */
	for (guint i = 0; i < CODE_N_PAYLOAD; i++) {
		if (value > (u128_max - digits[i]) / CODE_BASE) {
			g_set_error_literal(error,
					    IMSS_CODE_ERROR,
					    IMSS_CODE_ERROR_PAYLOAD,
					    "the code's payload does not fit in 128 bits");
			return FALSE;
		}
		value = value * CODE_BASE + digits[i];
	}
	if ((value >> CODE_PAYLOAD_BITS) != 0) {
		g_set_error_literal(error,
				    IMSS_CODE_ERROR,
				    IMSS_CODE_ERROR_PAYLOAD,
				    "the code's payload has unused bits set");
		return FALSE;
	}
	serial = (guint64)value & IMSS_CODE_SERIAL_MAX;
	block = (guint64)(value >> CODE_SERIAL_BITS) ^ code_keystream(serial);
	version = (guint)(block & 0xf);
	edition = (guint)((block >> 4) & 0x3);
	slot_mask = (guint)((block >> 6) & 0xff);
	expiry_days = (guint)((block >> 14) & 0xffff);
	offline = (block >> 30) & 0x1;
	tag = (guint)(block >> 31);

	/* the version first: another version may compute its tag differently */
	if (version != CODE_VERSION) {
		g_set_error(error,
			    IMSS_CODE_ERROR,
			    IMSS_CODE_ERROR_PAYLOAD,
			    "unsupported code format version %u",
			    version);
		return FALSE;
	}
	if (tag != code_tag(prefix, version, edition, slot_mask, expiry_days, offline, serial)) {
		g_set_error_literal(error,
				    IMSS_CODE_ERROR,
				    IMSS_CODE_ERROR_PAYLOAD,
				    "the code's integrity tag does not match");
		return FALSE;
	}
	if (edition >= IMSS_EDITION_LAST) {
		g_set_error_literal(error,
				    IMSS_CODE_ERROR,
				    IMSS_CODE_ERROR_PAYLOAD,
				    "the code names an unknown edition");
		return FALSE;
	}
	if (slot_mask == 0 || (slot_mask & ~IMSS_CODE_SLOT_MASK_ALL) != 0) {
		g_set_error_literal(error,
				    IMSS_CODE_ERROR,
				    IMSS_CODE_ERROR_PAYLOAD,
				    "the code's slot mask is empty or names unknown slots");
		return FALSE;
	}
	if (!g_date_valid_julian(code_epoch_julian() + expiry_days)) {
		g_set_error_literal(error,
				    IMSS_CODE_ERROR,
				    IMSS_CODE_ERROR_PAYLOAD,
				    "the code's expiry date is not valid");
		return FALSE;
	}
	conflict = code_prefix_conflict((ImssCodePrefix)prefix, (ImssEdition)edition, slot_mask);
	if (conflict != NULL) {
		g_set_error(error,
			    IMSS_CODE_ERROR,
			    IMSS_CODE_ERROR_PAYLOAD,
			    "the code's contents do not match its prefix: %s",
			    conflict);
		return FALSE;
	}

	if (info != NULL) {
		info->prefix = (ImssCodePrefix)prefix;
		info->edition = (ImssEdition)edition;
		info->slot_mask = slot_mask;
		g_date_clear(&info->expiry, 1);
		g_date_set_julian(&info->expiry, code_epoch_julian() + expiry_days);
		info->offline = offline;
		info->serial = serial;
	}
	if (canonical != NULL)
		*canonical = code_format(code_prefix_names[prefix], symbols);
	return TRUE;
}

/* the error of an expiry outside imss_date_range(); NULL */
static gchar *
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
	return NULL;
}

gchar *
imss_code_encode(const ImssCodeInfo *info, GError **error)
{
	guint32 epoch = code_epoch_julian();
	guint32 julian;
	guint expiry_days;
	guint offline;
	guint64 block;
	unsigned __int128 value;
	guint8 symbols[CODE_N_SYMBOLS];
	guint8 offsets[CODE_N_WHITENED];
	const gchar *conflict;

	g_return_val_if_fail(info != NULL, NULL);
	g_return_val_if_fail(error == NULL || *error == NULL, NULL);

	if (imss_code_prefix_to_string(info->prefix) == NULL) {
		g_set_error(error,
			    G_IO_ERROR,
			    G_IO_ERROR_INVALID_ARGUMENT,
			    "prefix %d is not IM, AS or DL",
			    (gint)info->prefix);
		return NULL;
	}
	if ((guint)info->edition >= IMSS_EDITION_LAST) {
		g_set_error(error,
			    G_IO_ERROR,
			    G_IO_ERROR_INVALID_ARGUMENT,
			    "edition %d is not valid",
			    (gint)info->edition);
		return NULL;
	}
	if (info->slot_mask == 0 || (info->slot_mask & ~IMSS_CODE_SLOT_MASK_ALL) != 0) {
		g_set_error(error,
			    G_IO_ERROR,
			    G_IO_ERROR_INVALID_ARGUMENT,
			    "slot mask 0x%x is not within 0x1 .. 0x%x",
			    info->slot_mask,
			    IMSS_CODE_SLOT_MASK_ALL);
		return NULL;
	}
	if (info->serial > IMSS_CODE_SERIAL_MAX) {
		g_set_error(error,
			    G_IO_ERROR,
			    G_IO_ERROR_INVALID_ARGUMENT,
			    "serial %" G_GUINT64_FORMAT " is larger than %" G_GUINT64_FORMAT,
			    info->serial,
			    IMSS_CODE_SERIAL_MAX);
		return NULL;
	}
	if (!g_date_valid(&info->expiry)) {
		g_set_error_literal(error,
				    G_IO_ERROR,
				    G_IO_ERROR_INVALID_ARGUMENT,
				    "the expiry date is not set");
		return NULL;
	}
	julian = g_date_get_julian(&info->expiry);
	if (!imss_date_in_range(&info->expiry))
		return code_range_error(error);
	conflict = code_prefix_conflict(info->prefix, info->edition, info->slot_mask);
	if (conflict != NULL) {
		g_set_error_literal(error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT, conflict);
		return NULL;
	}

	expiry_days = julian - epoch;
	offline = info->offline ? 1 : 0;
	block = (guint64)CODE_VERSION | ((guint64)info->edition << 4) |
		((guint64)info->slot_mask << 6) | ((guint64)expiry_days << 14) |
		((guint64)offline << 30) |
		((guint64)code_tag(info->prefix,
				   CODE_VERSION,
				   info->edition,
				   info->slot_mask,
				   expiry_days,
				   offline,
				   info->serial)
		 << 31);
	block ^= code_keystream(info->serial);
	value = ((unsigned __int128)block << CODE_SERIAL_BITS) | info->serial;

	for (gint i = CODE_N_PAYLOAD - 1; i >= 0; i--) {
		symbols[i] = (guint8)(value % CODE_BASE);
		value /= CODE_BASE;
	}
	g_assert(value == 0);
	/* whiten the leading symbols, which the base-31 number leaves at or
	 * near 0, with offsets derived from the other 20 symbols */
	code_whiten_offsets(symbols, offsets);
	for (guint i = 0; i < CODE_N_WHITENED; i++)
		symbols[i] = (guint8)((symbols[i] + offsets[i]) % CODE_BASE);
	/* the check covers the symbols as written, after the whitening;
	 * sum + 30·c ≡ 0 ⇔ c ≡ sum (mod 31), because 30 ≡ −1 */
	symbols[CODE_N_SYMBOLS - 1] = (guint8)code_check_partial(info->prefix, symbols);

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
