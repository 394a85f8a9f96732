/*
 * Tests of the activation-code codec (common/imss-code.c) against its
 * specification, docs/activation-codes.md.
 *
 * The file carries its own small reference encoder, written from the
 * document rather than from the codec, so that the tests check the
 * documented format and can craft codes the codec refuses to encode (valid
 * check character, impossible payload). It shares no code with the codec.
 */
#include "config.h"

#define G_LOG_DOMAIN "ImssCodeTest"

#include <gio/gio.h>
#include <string.h>

#include "imss-code.h"

/* the number of random codes of the exhaustive typo test */
#define TYPO_N_CODES 2048
/* the number of random codes of the whitening spread test */
#define SPREAD_N_CODES 10000

static const gchar alphabet[] = "23456789ABCDEFGHJKLMNPQRSTVWXYZ";
static const guint dash_index[] = {2, 7, 13, 19, 25, 31};

#define BIT(slot) (1u << (slot))

/* ------------------------------------------------------------------ */
/* reference implementation, from docs/activation-codes.md            */

static guint64
ref_splitmix64(guint64 x)
{
	x += G_GUINT64_CONSTANT(0x9e3779b97f4a7c15);
	x = (x ^ (x >> 30)) * G_GUINT64_CONSTANT(0xbf58476d1ce4e5b9);
	x = (x ^ (x >> 27)) * G_GUINT64_CONSTANT(0x94d049bb133111eb);
	return x ^ (x >> 31);
}

static guint32
ref_tag(guint prefix, guint version, guint edition, guint mask, guint days, guint offline,
	guint64 serial)
{
	const gchar *salt = "imss-license/activation-code/v1";
	guint8 buf[64];
	gsize n = strlen(salt);
	guint32 h = 2166136261u;

	memcpy(buf, salt, n);
	buf[n++] = (guint8)prefix;
	buf[n++] = (guint8)version;
	buf[n++] = (guint8)edition;
	buf[n++] = (guint8)mask;
	buf[n++] = (guint8)(days & 0xff);
	buf[n++] = (guint8)(days >> 8);
	buf[n++] = (guint8)offline;
	for (guint i = 0; i < 5; i++)
		buf[n++] = (guint8)(serial >> (8 * i));
	for (gsize i = 0; i < n; i++) {
		h ^= buf[i];
		h *= 16777619u;
	}
	return h;
}

/* FNV-1a 64 (offset basis 0xcbf29ce484222325, prime 0x100000001b3) */
static guint64
ref_fnv1a64(guint64 h, const guint8 *data, gsize n)
{
	for (gsize i = 0; i < n; i++) {
		h ^= data[i];
		h *= G_GUINT64_CONSTANT(0x100000001b3);
	}
	return h;
}

/* the whitening offsets k_0 .. k_7, from the digits 8 .. 27 (§5.5) */
static void
ref_whiten_offsets(const guint8 *digits, guint8 *k)
{
	const gchar *salt = "imss-license/activation-code/v1/whiten";
	guint64 h = ref_fnv1a64(G_GUINT64_CONSTANT(0xcbf29ce484222325), (const guint8 *)salt,
				strlen(salt));

	h = ref_fnv1a64(h, digits + 8, 20);
	h = ref_splitmix64(h);
	for (guint i = 0; i < 8; i++)
		k[i] = (guint8)(((h >> (8 * i)) & 0xff) % 31);
}

/* the 28 base-31 digits of @value, most significant first (no whitening) */
static void
ref_digits(unsigned __int128 value, guint8 *digits)
{
	for (gint i = 27; i >= 0; i--) {
		digits[i] = (guint8)(value % 31);
		value /= 31;
	}
}

/* the 103-bit payload of the given raw fields (no validation) */
static unsigned __int128
ref_payload(guint prefix, guint version, guint edition, guint mask, guint days,
	    guint offline, guint64 serial, guint32 tag_xor)
{
	guint64 tag = ref_tag(prefix, version, edition, mask, days, offline, serial) ^ tag_xor;
	guint64 block = (guint64)version | ((guint64)edition << 4) | ((guint64)mask << 6) |
			((guint64)days << 14) | ((guint64)offline << 30) | (tag << 31);
	guint64 keystream = ref_splitmix64(serial ^ G_GUINT64_CONSTANT(0x494d5353434f4445)) &
			    ((G_GUINT64_CONSTANT(1) << 63) - 1);

	return ((unsigned __int128)(block ^ keystream) << 40) | serial;
}

static guint
ref_prefix_value(const gchar *prefix)
{
	if (g_str_equal(prefix, "IM"))
		return 1;
	if (g_str_equal(prefix, "AS"))
		return 2;
	if (g_str_equal(prefix, "DL"))
		return 3;
	return 0;
}

/* a code of 28 payload symbol values with the right check symbol */
static gchar *
ref_code_from_symbols(const gchar *prefix, const guint8 *payload)
{
	GString *s = g_string_new(prefix);
	guint sum = ref_prefix_value(prefix);
	guint8 symbols[29];

	for (guint i = 0; i < 28; i++) {
		symbols[i] = payload[i];
		sum += (i + 2) * payload[i];
	}
	/* sum + 30·c ≡ 0 (mod 31) */
	for (guint c = 0; c < 31; c++) {
		if ((sum + 30 * c) % 31 == 0)
			symbols[28] = (guint8)c;
	}
	for (guint i = 0; i < 29; i++) {
		if (i == 0 || i == 4 || (i > 4 && (i - 4) % 5 == 0))
			g_string_append_c(s, '-');
		g_string_append_c(s, alphabet[symbols[i]]);
	}
	g_assert_cmpuint(s->len, ==, IMSS_CODE_CANONICAL_LEN);
	return g_string_free(s, FALSE);
}

/* a code of 28 base-31 digits (before the whitening): whitens d_0 .. d_7
 * and adds the check symbol */
static gchar *
ref_code_from_digits(const gchar *prefix, const guint8 *digits)
{
	guint8 symbols[28];
	guint8 k[8];

	memcpy(symbols, digits, sizeof(symbols));
	ref_whiten_offsets(digits, k);
	for (guint i = 0; i < 8; i++)
		symbols[i] = (guint8)((digits[i] + k[i]) % 31);
	return ref_code_from_symbols(prefix, symbols);
}

/* a code whose payload is @value (any 128-bit number) */
static gchar *
ref_code_from_payload(const gchar *prefix, unsigned __int128 value)
{
	guint8 digits[28];

	ref_digits(value, digits);
	return ref_code_from_digits(prefix, digits);
}

/* whether the prefix may carry these fields (the consistency rules) */
static gboolean
ref_consistent(ImssCodePrefix prefix, ImssEdition edition, guint mask)
{
	switch (prefix) {
	case IMSS_CODE_PREFIX_IM:
		return (mask & BIT(IMSS_SLOT_COMPLIANCE)) == 0;
	case IMSS_CODE_PREFIX_AS:
		return edition == IMSS_EDITION_IMSS &&
		       (mask & ~(BIT(IMSS_SLOT_ANTISPAM) | BIT(IMSS_SLOT_EMAIL_REPUTATION))) == 0;
	case IMSS_CODE_PREFIX_DL:
		return mask == BIT(IMSS_SLOT_COMPLIANCE);
	default:
		return FALSE;
	}
}

/* ------------------------------------------------------------------ */
/* helpers                                                            */

static guint32
epoch_julian(void)
{
	GDate d;

	g_date_clear(&d, 1);
	g_date_set_dmy(&d, 1, G_DATE_JANUARY, 2000);
	return g_date_get_julian(&d);
}

static void
info_init(ImssCodeInfo *info, ImssCodePrefix prefix, ImssEdition edition, guint mask,
	  guint32 julian, gboolean offline, guint64 serial)
{
	memset(info, 0, sizeof(*info));
	info->prefix = prefix;
	info->edition = edition;
	info->slot_mask = mask;
	g_date_clear(&info->expiry, 1);
	g_date_set_julian(&info->expiry, julian);
	info->offline = offline;
	info->serial = serial;
}

static void
assert_info_equal(const ImssCodeInfo *a, const ImssCodeInfo *b)
{
	g_assert_cmpint(a->prefix, ==, b->prefix);
	g_assert_cmpint(a->edition, ==, b->edition);
	g_assert_cmpuint(a->slot_mask, ==, b->slot_mask);
	g_assert_cmpint(g_date_compare(&a->expiry, &b->expiry), ==, 0);
	g_assert_cmpint(!a->offline, ==, !b->offline);
	g_assert_cmpuint(a->serial, ==, b->serial);
}

static void
random_info(GRand *rand, ImssCodeInfo *info)
{
	ImssCodePrefix prefix = (ImssCodePrefix)g_rand_int_range(rand, 1, 4);
	ImssEdition edition = (ImssEdition)g_rand_int_range(rand, 0, IMSS_EDITION_LAST);
	guint mask;
	guint64 serial = (((guint64)g_rand_int(rand) << 32) | g_rand_int(rand)) &
			 IMSS_CODE_SERIAL_MAX;
	static const guint as_masks[] = {
	    BIT(IMSS_SLOT_ANTISPAM),
	    BIT(IMSS_SLOT_EMAIL_REPUTATION),
	    BIT(IMSS_SLOT_ANTISPAM) | BIT(IMSS_SLOT_EMAIL_REPUTATION),
	};

	switch (prefix) {
	case IMSS_CODE_PREFIX_AS:
		edition = IMSS_EDITION_IMSS;
		mask = as_masks[g_rand_int_range(rand, 0, 3)];
		break;
	case IMSS_CODE_PREFIX_DL:
		mask = BIT(IMSS_SLOT_COMPLIANCE);
		break;
	case IMSS_CODE_PREFIX_IM:
	default:
		mask = (guint)g_rand_int_range(rand, 1, BIT(IMSS_SLOT_COMPLIANCE));
		break;
	}
	info_init(info,
		  prefix,
		  edition,
		  mask,
		  epoch_julian() + (guint32)g_rand_int_range(rand, 0, 65536),
		  g_rand_boolean(rand),
		  serial);
}

static gboolean
is_alphabet_symbol(gchar c)
{
	return c != '\0' && strchr(alphabet, c) != NULL;
}

/* The message must not quote the input: no five upper-cased consecutive
 * input characters that are code symbols (one a letter at least) appear. */
static void
assert_no_leak(const gchar *input, gsize len, const gchar *message)
{
	g_assert_nonnull(message);
	g_assert_cmpuint(strlen(message), >, 0);
	for (gsize i = 0; i + 5 <= len; i++) {
		gchar window[6];
		gboolean symbols = TRUE;
		gboolean letter = FALSE;

		for (guint k = 0; k < 5; k++) {
			window[k] = g_ascii_toupper(input[i + k]);
			symbols = symbols && is_alphabet_symbol(window[k]);
			letter = letter || g_ascii_isalpha(window[k]);
		}
		window[5] = '\0';
		if (symbols && letter && strstr(message, window) != NULL)
			g_error("error message quotes the input: %s", message);
	}
}

/* the five 5-symbol groups of a canonical code must not be in @message */
static void
assert_no_group(const gchar *canonical, const gchar *message)
{
	for (guint g = 0; g < 5; g++) {
		gchar group[6];

		memcpy(group, canonical + 8 + 6 * g, 5);
		group[5] = '\0';
		if (strstr(message, group) != NULL)
			g_error("error message contains a group of the code: %s", message);
	}
}

static void
expect_error_len(const gchar *input, gsize len, ImssCodeError code)
{
	g_autoptr(GError) error = NULL;
	g_autofree gchar *canonical = NULL;
	ImssCodeInfo info;

	g_assert_false(imss_code_parse(input, len, &info, &canonical, &error));
	g_assert_error(error, IMSS_CODE_ERROR, (gint)code);
	g_assert_null(canonical);
	assert_no_leak(input, len, error->message);
	g_assert_true(g_str_is_ascii(error->message));
}

static void
expect_error(const gchar *input, ImssCodeError code)
{
	expect_error_len(input, strlen(input), code);
}

static gchar *
encode_or_die(const ImssCodeInfo *info)
{
	g_autoptr(GError) error = NULL;
	gchar *code = imss_code_encode(info, &error);

	g_assert_no_error(error);
	g_assert_nonnull(code);
	return code;
}

static gchar *
dashless(const gchar *canonical)
{
	GString *s = g_string_new(NULL);

	for (const gchar *p = canonical; *p != '\0'; p++) {
		if (*p != '-')
			g_string_append_c(s, *p);
	}
	g_assert_cmpuint(s->len, ==, IMSS_CODE_DASHLESS_LEN);
	return g_string_free(s, FALSE);
}

static gchar *
sample_code(ImssCodePrefix prefix, ImssEdition edition, guint mask)
{
	ImssCodeInfo info;

	info_init(&info, prefix, edition, mask, epoch_julian() + 9000, FALSE, 123456789);
	return encode_or_die(&info);
}

/* ------------------------------------------------------------------ */
/* tests                                                              */

static void
test_code_strings(void)
{
	ImssEdition edition;
	ImssCodePrefix prefix;

	g_assert_cmpstr(g_quark_to_string(IMSS_CODE_ERROR), ==, "imss-code-error-quark");
	g_assert_cmpstr(imss_edition_to_string(IMSS_EDITION_IMSS), ==, "imss");
	g_assert_cmpstr(imss_edition_to_string(IMSS_EDITION_IMSVA), ==, "imsva");
	g_assert_null(imss_edition_to_string(IMSS_EDITION_LAST));
	g_assert_true(imss_edition_from_string("imss", &edition));
	g_assert_cmpint(edition, ==, IMSS_EDITION_IMSS);
	g_assert_true(imss_edition_from_string("imsva", &edition));
	g_assert_cmpint(edition, ==, IMSS_EDITION_IMSVA);
	g_assert_false(imss_edition_from_string("IMSS", &edition));
	g_assert_false(imss_edition_from_string("", NULL));
	g_assert_false(imss_edition_from_string(NULL, NULL));

	g_assert_cmpstr(imss_code_prefix_to_string(IMSS_CODE_PREFIX_IM), ==, "IM");
	g_assert_cmpstr(imss_code_prefix_to_string(IMSS_CODE_PREFIX_AS), ==, "AS");
	g_assert_cmpstr(imss_code_prefix_to_string(IMSS_CODE_PREFIX_DL), ==, "DL");
	g_assert_null(imss_code_prefix_to_string((ImssCodePrefix)0));
	g_assert_null(imss_code_prefix_to_string((ImssCodePrefix)4));
	g_assert_true(imss_code_prefix_from_string("DL", &prefix));
	g_assert_cmpint(prefix, ==, IMSS_CODE_PREFIX_DL);
	g_assert_false(imss_code_prefix_from_string("dl", &prefix));
	g_assert_false(imss_code_prefix_from_string(NULL, &prefix));
}

static void
test_code_alphabet(void)
{
	g_assert_cmpuint(strlen(alphabet), ==, 31);
	for (guint i = 0; i < 31; i++) {
		g_assert_null(strchr("01IOU", alphabet[i]));
		g_assert_null(strchr(alphabet + i + 1, alphabet[i]));
	}
}

static void
test_code_round_trip(void)
{
	static const guint dmy[][3] = {
	    {1, 1, 2000},   {29, 2, 2000}, {1, 3, 2000},  {29, 2, 2004}, {31, 1, 2020},
	    {29, 2, 2024},  {31, 12, 2099}, {28, 2, 2100}, {1, 3, 2100}, {6, 6, 2179},
	};
	const guint64 serials[] = {0, 1, IMSS_CODE_SERIAL_MAX, G_GUINT64_CONSTANT(0x5a5a5a5a5a)};
	g_autoptr(GHashTable) seen = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
	guint n_ok = 0, n_refused = 0;

	const guint n_combinations = IMSS_EDITION_LAST * IMSS_CODE_SLOT_MASK_ALL * 2 *
				     G_N_ELEMENTS(dmy) * G_N_ELEMENTS(serials) * 3;

	/* every edition × slot mask × offline × date × serial × prefix */
	for (guint k = 0; k < n_combinations; k++) {
		guint rest = k;
		guint p = IMSS_CODE_PREFIX_IM + rest % 3;
		guint s = (rest /= 3) % G_N_ELEMENTS(serials);
		guint d = (rest /= G_N_ELEMENTS(serials)) % G_N_ELEMENTS(dmy);
		guint off = (rest /= G_N_ELEMENTS(dmy)) % 2;
		guint mask = 1 + (rest /= 2) % IMSS_CODE_SLOT_MASK_ALL;
		guint e = (rest /= IMSS_CODE_SLOT_MASK_ALL) % IMSS_EDITION_LAST;
		ImssCodeInfo info, back;
		GDate date;
		g_autoptr(GError) error = NULL;
		g_autofree gchar *code = NULL;
		g_autofree gchar *canonical = NULL;
		g_autofree gchar *lower = NULL;
		g_autofree gchar *canonical_lower = NULL;

		g_date_clear(&date, 1);
		g_date_set_dmy(&date, (GDateDay)dmy[d][0], (GDateMonth)dmy[d][1], (GDateYear)dmy[d][2]);
		info_init(&info, (ImssCodePrefix)p, (ImssEdition)e, mask,
			  g_date_get_julian(&date), off != 0, serials[s]);
		code = imss_code_encode(&info, &error);
		if (!ref_consistent(info.prefix, info.edition, mask)) {
			g_assert_error(error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT);
			g_assert_null(code);
			n_refused++;
			continue;
		}
		g_assert_no_error(error);
		g_assert_cmpuint(strlen(code), ==, IMSS_CODE_CANONICAL_LEN);
		g_assert_true(g_str_has_prefix(code, imss_code_prefix_to_string(info.prefix)));
		for (guint i = 0; i < IMSS_CODE_CANONICAL_LEN; i++) {
			gboolean dash = FALSE;

			for (guint j = 0; j < G_N_ELEMENTS(dash_index); j++)
				dash = dash || dash_index[j] == i;
			if (dash)
				g_assert_cmpint(code[i], ==, '-');
			else if (i >= 3)
				g_assert_true(is_alphabet_symbol(code[i]));
		}

		g_assert_true(imss_code_parse(code, strlen(code), &back, &canonical, &error));
		g_assert_no_error(error);
		g_assert_cmpstr(canonical, ==, code);
		assert_info_equal(&info, &back);

		lower = g_ascii_strdown(code, -1);
		g_assert_true(imss_code_parse(lower, strlen(lower), &back, &canonical_lower, NULL));
		g_assert_cmpstr(canonical_lower, ==, code);

		/* the codes of different fields differ */
		g_assert_true(g_hash_table_add(seen, g_steal_pointer(&code)));
		n_ok++;
	}
	g_test_message("%u combinations round-tripped, %u inconsistent ones refused",
		       n_ok, n_refused);
	g_assert_cmpuint(n_ok + n_refused, ==, n_combinations);
	g_assert_cmpuint(n_ok, >, 2000);
}

/* the codec and the reference encoder written from the document agree */
static void
test_code_reference(void)
{
	g_autoptr(GRand) rand = g_rand_new_with_seed(g_test_rand_int());

	for (guint n = 0; n < 5000; n++) {
		ImssCodeInfo info;
		g_autofree gchar *code = NULL;
		g_autofree gchar *ref = NULL;
		guint days;
		guint sum = 0;
		g_autofree gchar *plain = NULL;

		random_info(rand, &info);
		code = encode_or_die(&info);
		days = g_date_get_julian(&info.expiry) - epoch_julian();
		ref = ref_code_from_payload(imss_code_prefix_to_string(info.prefix),
					    ref_payload(info.prefix, 1, info.edition,
							info.slot_mask, days,
							info.offline ? 1 : 0, info.serial, 0));
		g_assert_cmpstr(code, ==, ref);

		/* the documented check: Σ weight·value ≡ 0 (mod 31) */
		plain = dashless(code);
		sum = (guint)info.prefix;
		for (guint i = 0; i < 29; i++) {
			guint v = (guint)(strchr(alphabet, plain[2 + i]) - alphabet);

			sum += (i < 28 ? i + 2 : 30) * v;
		}
		g_assert_cmpuint(sum % 31, ==, 0);
	}
}

static gchar *
swap_chars(const gchar *s, gsize i)
{
	gchar *copy = g_strdup(s);
	gchar tmp = copy[i];

	copy[i] = copy[i + 1];
	copy[i + 1] = tmp;
	return copy;
}

static void
expect_typo(const gchar *variant, gsize len, ImssCodeError code, const gchar *canonical)
{
	g_autoptr(GError) error = NULL;

	if (imss_code_parse(variant, len, NULL, NULL, &error))
		g_error("a typo was accepted (variant %s of %s)", variant, canonical);
	if (!g_error_matches(error, IMSS_CODE_ERROR, (gint)code))
		g_error("typo %s of %s: expected error %d, got %d: %s",
			variant, canonical, code, error->code, error->message);
	assert_no_group(canonical, error->message);
}

/* EXHAUSTIVE: every single substitution and adjacent transposition of many codes */
static void
test_code_typos(void)
{
	g_autoptr(GRand) rand = g_rand_new_with_seed(g_test_rand_int());
	static const gchar replacements[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
	guint64 n_sub = 0, n_swap37 = 0, n_swap31 = 0, n_prefix = 0;

	for (guint n = 0; n < TYPO_N_CODES; n++) {
		ImssCodeInfo info;
		g_autofree gchar *code = NULL;
		g_autofree gchar *plain = NULL;
		gchar variant[IMSS_CODE_CANONICAL_LEN + 1];

		random_info(rand, &info);
		/* cover the extremes too */
		if (n == 0)
			info.serial = 0;
		if (n == 1)
			info.serial = IMSS_CODE_SERIAL_MAX;
		code = encode_or_die(&info);
		plain = dashless(code);
		g_assert_true(imss_code_parse(code, IMSS_CODE_CANONICAL_LEN, NULL, NULL, NULL));
		g_assert_true(imss_code_parse(plain, IMSS_CODE_DASHLESS_LEN, NULL, NULL, NULL));

		/* each of the 29 symbols replaced by each of the other 30 */
		for (guint i = 3; i < IMSS_CODE_CANONICAL_LEN; i++) {
			if (code[i] == '-')
				continue;
			for (guint a = 0; a < 31; a++) {
				if (alphabet[a] == code[i])
					continue;
				memcpy(variant, code, sizeof(variant));
				variant[i] = alphabet[a];
				expect_typo(variant, IMSS_CODE_CANONICAL_LEN,
					    IMSS_CODE_ERROR_CHECK, code);
				n_sub++;
			}
		}

		/* adjacent transpositions in the 37-character form */
		for (guint i = 0; i + 1 < IMSS_CODE_CANONICAL_LEN; i++) {
			g_autofree gchar *swapped = NULL;
			ImssCodeError expected;

			if (code[i] == code[i + 1])
				continue;
			swapped = swap_chars(code, i);
			if (code[i] == '-' || code[i + 1] == '-')
				expected = IMSS_CODE_ERROR_SHAPE;
			else if (i == 0)
				expected = IMSS_CODE_ERROR_PREFIX;
			else
				expected = IMSS_CODE_ERROR_CHECK;
			expect_typo(swapped, IMSS_CODE_CANONICAL_LEN, expected, code);
			n_swap37++;
		}

		/* adjacent transpositions in the 31-character form */
		for (guint i = 0; i + 1 < IMSS_CODE_DASHLESS_LEN; i++) {
			g_autofree gchar *swapped = NULL;

			if (plain[i] == plain[i + 1])
				continue;
			swapped = swap_chars(plain, i);
			/* i == 1 keeps the prefix's first letter: no two valid
			 * prefixes share one */
			expect_typo(swapped, IMSS_CODE_DASHLESS_LEN,
				    i <= 1 ? IMSS_CODE_ERROR_PREFIX : IMSS_CODE_ERROR_CHECK,
				    code);
			n_swap31++;
		}

		/* the prefix letters replaced by any other letter or digit */
		for (guint i = 0; i < 2; i++) {
			for (const gchar *r = replacements; *r != '\0'; r++) {
				if (*r == code[i])
					continue;
				memcpy(variant, code, sizeof(variant));
				variant[i] = *r;
				expect_typo(variant, IMSS_CODE_CANONICAL_LEN,
					    IMSS_CODE_ERROR_PREFIX, code);
				n_prefix++;
			}
		}
	}
	g_test_message("typo proof: %u codes, %" G_GUINT64_FORMAT " variants rejected "
		       "(%" G_GUINT64_FORMAT " substitutions, %" G_GUINT64_FORMAT
		       " transpositions with dashes, %" G_GUINT64_FORMAT
		       " without, %" G_GUINT64_FORMAT " prefix substitutions)",
		       TYPO_N_CODES, n_sub + n_swap37 + n_swap31 + n_prefix,
		       n_sub, n_swap37, n_swap31, n_prefix);
	g_assert_cmpuint(n_sub, ==, (guint64)TYPO_N_CODES * 29 * 30);
}

static void
test_code_canonical(void)
{
	ImssCodeInfo info, back;
	g_autofree gchar *code = NULL;
	g_autofree gchar *plain = NULL;
	g_autofree gchar *lower = NULL;
	g_autofree gchar *mixed = NULL;
	g_autofree gchar *spaced = NULL;
	g_autofree gchar *plain_lower_spaced = NULL;
	g_autofree gchar *exact = NULL;
	g_autofree gchar *longer = NULL;
	const gchar *inputs[6];

	info_init(&info, IMSS_CODE_PREFIX_IM, IMSS_EDITION_IMSVA,
		  BIT(IMSS_SLOT_ANTIVIRUS) | BIT(IMSS_SLOT_ANTISPAM), epoch_julian() + 7700, TRUE, 42);
	code = encode_or_die(&info);
	plain = dashless(code);
	lower = g_ascii_strdown(code, -1);
	mixed = g_strdup(code);
	for (guint i = 0; i < IMSS_CODE_CANONICAL_LEN; i += 2)
		mixed[i] = g_ascii_tolower(mixed[i]);
	spaced = g_strdup_printf(" \t\r\n%s\n\v\f ", code);
	plain_lower_spaced = g_strdup_printf("\t%s\r\n", plain);
	inputs[0] = code;
	inputs[1] = plain;
	inputs[2] = lower;
	inputs[3] = mixed;
	inputs[4] = spaced;
	inputs[5] = plain_lower_spaced;
	for (guint i = 0; i < G_N_ELEMENTS(inputs); i++) {
		g_autofree gchar *canonical = NULL;
		g_autoptr(GError) error = NULL;

		g_assert_true(imss_code_parse(inputs[i], strlen(inputs[i]), &back, &canonical, &error));
		g_assert_no_error(error);
		g_assert_cmpstr(canonical, ==, code);
		assert_info_equal(&info, &back);
	}

	/* dashless lower case with spaces */
	{
		g_autofree gchar *s = g_ascii_strdown(plain, -1);
		g_autofree gchar *t = g_strconcat("   ", s, "\n", NULL);
		g_autofree gchar *canonical = NULL;

		g_assert_true(imss_code_parse(t, strlen(t), NULL, &canonical, NULL));
		g_assert_cmpstr(canonical, ==, code);
	}

	/* @len is respected: no NUL needed, nothing read past it */
	exact = g_malloc(IMSS_CODE_CANONICAL_LEN);
	memcpy(exact, code, IMSS_CODE_CANONICAL_LEN);
	g_assert_true(imss_code_parse(exact, IMSS_CODE_CANONICAL_LEN, NULL, NULL, NULL));
	longer = g_strconcat(code, "garbage", NULL);
	g_assert_true(imss_code_parse(longer, IMSS_CODE_CANONICAL_LEN, NULL, NULL, NULL));
	g_assert_false(imss_code_parse(longer, strlen(longer), NULL, NULL, NULL));
	/* both out arguments are optional */
	g_assert_true(imss_code_parse(code, strlen(code), NULL, NULL, NULL));
}

static void
test_code_bad_input(void)
{
	g_autofree gchar *code = sample_code(IMSS_CODE_PREFIX_IM, IMSS_EDITION_IMSVA,
					     BIT(IMSS_SLOT_ANTIVIRUS));
	g_autofree gchar *plain = dashless(code);
	g_autofree gchar *big = NULL;
	g_autofree gchar *s = NULL;
	GString *wide;
	const gsize mib = 1024 * 1024;

	/* empty */
	expect_error_len(NULL, 0, IMSS_CODE_ERROR_EMPTY);
	expect_error("", IMSS_CODE_ERROR_EMPTY);
	expect_error(" \t\r\n\v\f ", IMSS_CODE_ERROR_EMPTY);

	/* length */
	expect_error_len(code, 36, IMSS_CODE_ERROR_LENGTH);
	s = g_strconcat(code, "Z", NULL);
	expect_error(s, IMSS_CODE_ERROR_LENGTH);
	g_clear_pointer(&s, g_free);
	expect_error_len(plain, 30, IMSS_CODE_ERROR_LENGTH);
	s = g_strconcat(plain, "Z", NULL);
	expect_error(s, IMSS_CODE_ERROR_LENGTH);
	g_clear_pointer(&s, g_free);
	expect_error("IM", IMSS_CODE_ERROR_LENGTH);
	expect_error("IM-'; DROP TABLE licenses;--", IMSS_CODE_ERROR_LENGTH);
	big = g_malloc(mib);
	memset(big, 'A', mib);
	expect_error_len(big, mib, IMSS_CODE_ERROR_LENGTH);
	/* 1 MiB, valid code in the middle */
	memcpy(big + mib / 2, code, IMSS_CODE_CANONICAL_LEN);
	expect_error_len(big, mib, IMSS_CODE_ERROR_LENGTH);
	/* 1 MiB of spaces around a valid code is fine */
	memset(big, ' ', mib);
	memcpy(big + mib / 2, code, IMSS_CODE_CANONICAL_LEN);
	g_assert_true(imss_code_parse(big, mib, NULL, NULL, NULL));

	/* characters */
	expect_error("アクティベーションコード", IMSS_CODE_ERROR_CHARACTER);
	wide = g_string_new(NULL); /* full-width copy of a valid code */
	for (const gchar *p = code; *p != '\0'; p++)
		g_string_append_unichar(wide, *p == '-' ? 0x2212 : 0xff00 + (gunichar)(*p - 0x20));
	expect_error(wide->str, IMSS_CODE_ERROR_CHARACTER);
	g_string_free(wide, TRUE);
	s = g_strdup(code);
	s[10] = (gchar)0xff;
	expect_error(s, IMSS_CODE_ERROR_CHARACTER);
	s[10] = (gchar)0x80;
	expect_error(s, IMSS_CODE_ERROR_CHARACTER);
	s[10] = (gchar)0xc3; /* a truncated UTF-8 sequence */
	expect_error(s, IMSS_CODE_ERROR_CHARACTER);
	expect_error("\xff\xfe\xfd\xfc\xfb\xfa\xf9\xf8\xf7\xf6\xf5\xf4\xf3\xf2\xf1\xf0"
		     "\xef\xee\xed\xec\xeb\xea\xe9\xe8\xe7\xe6\xe5\xe4\xe3\xe2\xe1\xe0"
		     "\xdf\xde\xdd\xdc\xdb",
		     IMSS_CODE_ERROR_CHARACTER);
	/* embedded NUL, inside and after */
	s[10] = '\0';
	expect_error_len(s, IMSS_CODE_CANONICAL_LEN, IMSS_CODE_ERROR_CHARACTER);
	g_clear_pointer(&s, g_free);
	s = g_malloc0(IMSS_CODE_CANONICAL_LEN + 1);
	memcpy(s, code, IMSS_CODE_CANONICAL_LEN);
	expect_error_len(s, IMSS_CODE_CANONICAL_LEN + 1, IMSS_CODE_ERROR_CHARACTER);
	g_clear_pointer(&s, g_free);
	/* letters and digits outside the alphabet, interior space, SQL */
	for (const gchar *bad = "01IOUiou '\";%_*"; *bad != '\0'; bad++) {
		s = g_strdup(code);
		s[20] = *bad;
		expect_error(s, IMSS_CODE_ERROR_CHARACTER);
		g_clear_pointer(&s, g_free);
		s = g_strdup(plain);
		s[15] = *bad;
		expect_error(s, IMSS_CODE_ERROR_CHARACTER);
		g_clear_pointer(&s, g_free);
	}
	expect_error("IM-';DR-OP;TA-BLE;L-ICENS-ES;OR-1=1;#", IMSS_CODE_ERROR_CHARACTER);
	expect_error("IM';DROP TABLE licenses;#OR1=1#", IMSS_CODE_ERROR_CHARACTER);
	expect_error("IM-'OR1-=1;DR-OP TA-BLE L-ICENS-ES;--", IMSS_CODE_ERROR_SHAPE);

	/* shape: misplaced, missing or extra dashes */
	s = swap_chars(code, 7); /* "-X" → "X-" */
	expect_error(s, IMSS_CODE_ERROR_SHAPE);
	g_clear_pointer(&s, g_free);
	s = g_strconcat(plain, "ABCDEF", NULL); /* 37 characters, no dash */
	expect_error(s, IMSS_CODE_ERROR_SHAPE);
	g_clear_pointer(&s, g_free);
	s = g_strdup(plain);
	s[15] = '-'; /* 31 characters with a dash */
	expect_error(s, IMSS_CODE_ERROR_SHAPE);
	g_clear_pointer(&s, g_free);
	s = g_strdup(code);
	s[2] = 'A'; /* 37 with five dashes */
	expect_error(s, IMSS_CODE_ERROR_SHAPE);
	g_clear_pointer(&s, g_free);
	expect_error("-------------------------------------", IMSS_CODE_ERROR_SHAPE);
	expect_error("IMAAAA-AAAAA-AAAAA-AAAAA-AAAAA-AAAAA-", IMSS_CODE_ERROR_SHAPE);

	/* prefix */
	s = g_strdup(code);
	s[0] = 'X';
	s[1] = 'X';
	expect_error(s, IMSS_CODE_ERROR_PREFIX);
	s[0] = 'm';
	s[1] = 'i';
	expect_error(s, IMSS_CODE_ERROR_PREFIX);
	s[0] = '2';
	s[1] = '2';
	expect_error(s, IMSS_CODE_ERROR_PREFIX);
	g_clear_pointer(&s, g_free);
	s = g_strdup(plain);
	s[0] = 'A'; /* "AM": a valid first letter with the wrong second */
	expect_error(s, IMSS_CODE_ERROR_PREFIX);
	g_clear_pointer(&s, g_free);

	/* a typo */
	s = g_strdup(code);
	s[36] = s[36] == 'Z' ? 'Y' : 'Z';
	expect_error(s, IMSS_CODE_ERROR_CHECK);
	g_clear_pointer(&s, g_free);
}

static void
expect_payload_error(const gchar *prefix, unsigned __int128 value)
{
	g_autofree gchar *code = ref_code_from_payload(prefix, value);

	expect_error(code, IMSS_CODE_ERROR_PAYLOAD);
}

/* a PAYLOAD error whose message contains @what (tells overflow from high bits) */
static void
expect_payload_message(const gchar *code, const gchar *what)
{
	g_autoptr(GError) error = NULL;

	expect_error(code, IMSS_CODE_ERROR_PAYLOAD);
	g_assert_false(imss_code_parse(code, strlen(code), NULL, NULL, &error));
	if (strstr(error->message, what) == NULL)
		g_error("expected a PAYLOAD error about \"%s\", got \"%s\"", what, error->message);
}

/* codes that pass the check but carry impossible fields */
static void
test_code_payload(void)
{
	const guint64 serial = 77;
	const guint days = 9000;
	const guint av = BIT(IMSS_SLOT_ANTIVIRUS);
	const guint as = BIT(IMSS_SLOT_ANTISPAM) | BIT(IMSS_SLOT_EMAIL_REPUTATION);
	const guint dl = BIT(IMSS_SLOT_COMPLIANCE);
	unsigned __int128 good = ref_payload(1, 1, IMSS_EDITION_IMSVA, av, days, 0, serial, 0);
	const unsigned __int128 one = 1;
	guint8 digits[28];

	/* the crafted reference code itself is valid */
	{
		g_autofree gchar *code = ref_code_from_payload("IM", good);
		ImssCodeInfo info;

		g_assert_true(imss_code_parse(code, strlen(code), &info, NULL, NULL));
		g_assert_cmpuint(info.serial, ==, serial);
		g_assert_cmpuint(info.slot_mask, ==, av);
	}

	/* why the whitening exists: 103 bits fill only 21 of the 28 digits, so
	 * before it the digits d_0 .. d_6 are always 0 and d_7 at most 15 */
	ref_digits((one << 103) - 1, digits);
	for (guint i = 0; i < 7; i++)
		g_assert_cmpuint(digits[i], ==, 0);
	g_assert_cmpuint(digits[7], <=, 15);

	/* high bits, after the codec has undone the whitening: any of bits
	 * 103..127, and the largest 128-bit value */
	for (guint bit = 103; bit < 128; bit++) {
		g_autofree gchar *code = ref_code_from_payload("IM", good | (one << bit));

		expect_payload_message(code, "unused bits set");
	}
	{
		g_autofree gchar *code = ref_code_from_payload("IM", ~(unsigned __int128)0);

		expect_payload_message(code, "unused bits set");
	}
	/* overflow: 2^128 exactly (the digits of 2^128 − 1, plus one) … */
	ref_digits(~(unsigned __int128)0, digits);
	for (gint i = 27; i >= 0; i--) {
		if (++digits[i] < 31)
			break;
		digits[i] = 0;
	}
	{
		g_autofree gchar *code = ref_code_from_digits("IM", digits);

		expect_payload_message(code, "does not fit in 128 bits");
	}
	/* … and 31^28 − 1, all digits 30 */
	memset(digits, 30, sizeof(digits));
	{
		g_autofree gchar *code = ref_code_from_digits("IM", digits);

		expect_payload_message(code, "does not fit in 128 bits");
	}
	/* any digit d_0 or d_1 other than 0 overflows (31^26 > 2^128): with a
	 * valid tail, every written value of symbol 0 or 1 but the right one */
	for (guint v = 1; v < 31; v++) {
		g_autofree gchar *code = NULL;

		ref_digits(good, digits);
		digits[0] = (guint8)v;
		code = ref_code_from_digits("IM", digits);
		expect_payload_message(code, "does not fit in 128 bits");
		ref_digits(good, digits);
		digits[1] = (guint8)v;
		g_clear_pointer(&code, g_free);
		code = ref_code_from_digits("IM", digits);
		expect_payload_message(code, "does not fit in 128 bits");
	}
	/* the written symbols all Z (with a right check symbol) */
	memset(digits, 30, sizeof(digits));
	{
		g_autofree gchar *code = ref_code_from_symbols("IM", digits);

		g_assert_true(g_str_has_prefix(code, "IM-ZZZZ-ZZZZZ-ZZZZZ-ZZZZZ-ZZZZZ-ZZZZ"));
		expect_error(code, IMSS_CODE_ERROR_PAYLOAD);
	}

	/* a wrong tag (every bit of it) */
	for (guint bit = 0; bit < 32; bit++)
		expect_payload_error("IM", ref_payload(1, 1, 1, av, days, 0, serial, 1u << bit));
	/* an IM payload under another prefix: the tag covers the prefix */
	expect_payload_error("DL", good);
	expect_payload_error("AS", good);
	/* version */
	expect_payload_error("IM", ref_payload(1, 0, 1, av, days, 0, serial, 0));
	expect_payload_error("IM", ref_payload(1, 2, 1, av, days, 0, serial, 0));
	expect_payload_error("IM", ref_payload(1, 15, 1, av, days, 0, serial, 0));
	/* edition */
	expect_payload_error("IM", ref_payload(1, 1, 2, av, days, 0, serial, 0));
	expect_payload_error("IM", ref_payload(1, 1, 3, av, days, 0, serial, 0));
	/* slot mask */
	expect_payload_error("IM", ref_payload(1, 1, 1, 0, days, 0, serial, 0));
	expect_payload_error("IM", ref_payload(1, 1, 1, 0x40 | av, days, 0, serial, 0));
	expect_payload_error("IM", ref_payload(1, 1, 1, 0x80, days, 0, serial, 0));
	expect_payload_error("IM", ref_payload(1, 1, 1, 0xff, days, 0, serial, 0));
	/* prefix consistency */
	expect_payload_error("AS", ref_payload(2, 1, IMSS_EDITION_IMSVA, as, days, 0, serial, 0));
	expect_payload_error("AS", ref_payload(2, 1, IMSS_EDITION_IMSS, av, days, 0, serial, 0));
	expect_payload_error("AS", ref_payload(2, 1, IMSS_EDITION_IMSS, as | av, days, 0, serial, 0));
	expect_payload_error("DL", ref_payload(3, 1, IMSS_EDITION_IMSS, av, days, 0, serial, 0));
	expect_payload_error("DL", ref_payload(3, 1, IMSS_EDITION_IMSS, dl | av, days, 0, serial, 0));
	expect_payload_error("IM", ref_payload(1, 1, IMSS_EDITION_IMSVA, dl, days, 0, serial, 0));
	expect_payload_error("IM", ref_payload(1, 1, IMSS_EDITION_IMSS, dl | av, days, 0, serial, 0));

	/* and the consistent ones the reference builds are accepted */
	{
		g_autofree gchar *as_code =
		    ref_code_from_payload("AS", ref_payload(2, 1, IMSS_EDITION_IMSS, as, days, 1, 5, 0));
		g_autofree gchar *dl_code =
		    ref_code_from_payload("DL", ref_payload(3, 1, IMSS_EDITION_IMSVA, dl, 0, 0, 0, 0));

		g_assert_true(imss_code_parse(as_code, strlen(as_code), NULL, NULL, NULL));
		g_assert_true(imss_code_parse(dl_code, strlen(dl_code), NULL, NULL, NULL));
	}
}

/* the worked example of docs/activation-codes.md §5.5 and §9, step by step */
static void
test_code_known_answer(void)
{
	static const guint8 want_digits[28] = {0,  0,  0,  0,  0,  0,  0,  4,  20, 6,
					       22, 1,  28, 23, 8,  22, 25, 15, 10, 24,
					       28, 19, 25, 27, 10, 14, 29, 23};
	static const guint8 want_k[8] = {11, 30, 22, 24, 19, 10, 24, 16};
	const gchar *want = "DL-DZQS-MCSNN-8Q3XR-AQTHC-SXMTW-CGYRN";
	const guint days = 7335; /* 2020-01-31 */
	unsigned __int128 value = ref_payload(3, 1, IMSS_EDITION_IMSVA, BIT(IMSS_SLOT_COMPLIANCE),
					      days, 1, 5, 0);
	guint8 digits[28];
	guint8 k[8];
	ImssCodeInfo info, back;
	g_autofree gchar *code = NULL;
	g_autofree gchar *ref = NULL;
	g_autofree gchar *canonical = NULL;

	ref_digits(value, digits);
	g_assert_cmpmem(digits, sizeof(digits), want_digits, sizeof(want_digits));
	ref_whiten_offsets(digits, k);
	g_assert_cmpmem(k, sizeof(k), want_k, sizeof(want_k));
	ref = ref_code_from_digits("DL", digits);
	g_assert_cmpstr(ref, ==, want);

	info_init(&info, IMSS_CODE_PREFIX_DL, IMSS_EDITION_IMSVA, BIT(IMSS_SLOT_COMPLIANCE),
		  epoch_julian() + days, TRUE, 5);
	code = encode_or_die(&info);
	g_assert_cmpstr(code, ==, want);
	g_assert_true(imss_code_parse("dldzqsmcsnn8q3xraqthcsxmtwcgyrn", 31, &back, &canonical, NULL));
	g_assert_cmpstr(canonical, ==, want);
	assert_info_equal(&info, &back);
}

/* the whitening fills the leading symbols: over many codes each of the
 * first eight takes (nearly) every value, none dominates */
static void
test_code_whitening_spread(void)
{
	g_autoptr(GRand) rand = g_rand_new_with_seed(g_test_rand_int());
	guint counts[8][31];
	guint n_2222 = 0;

	memset(counts, 0, sizeof(counts));
	for (guint n = 0; n < SPREAD_N_CODES; n++) {
		ImssCodeInfo info;
		g_autofree gchar *code = NULL;
		g_autofree gchar *plain = NULL;

		random_info(rand, &info);
		/* consecutive serials too, as `imss-license-keygen --count` makes */
		if (n % 2 == 1)
			info.serial = n;
		code = encode_or_die(&info);
		plain = dashless(code);
		for (guint i = 0; i < 8; i++)
			counts[i][strchr(alphabet, plain[2 + i]) - alphabet]++;
		if (strncmp(plain + 2, "2222", 4) == 0)
			n_2222++;
	}
	for (guint i = 0; i < 8; i++) {
		guint distinct = 0;
		guint most = 0;

		for (guint v = 0; v < 31; v++) {
			distinct += counts[i][v] > 0;
			most = MAX(most, counts[i][v]);
		}
		g_test_message("leading symbol %u: %u distinct values, the most common %u times "
			       "in %u codes",
			       i, distinct, most, SPREAD_N_CODES);
		g_assert_cmpuint(distinct, >=, 25);
		/* uniform would be about 3.2 %; 10 % is far beyond any chance */
		g_assert_cmpuint(most, <, SPREAD_N_CODES / 10);
	}
	/* 31^-4 per code */
	g_assert_cmpuint(n_2222, <=, 2);
}

/* The whitening is a bijection on the leading eight symbols for a fixed tail:
 * of all the ways to write the first eight symbols of a valid code's tail,
 * the codec accepts one only; every other one (check symbol fixed up) is a
 * PAYLOAD error, never another code. */
static void
test_code_whitening_unique(void)
{
	g_autoptr(GRand) rand = g_rand_new_with_seed(g_test_rand_int());

	for (guint n = 0; n < 256; n++) {
		ImssCodeInfo info;
		g_autofree gchar *code = NULL;
		g_autofree gchar *plain = NULL;
		const gchar *prefix;
		guint8 symbols[28];

		random_info(rand, &info);
		code = encode_or_die(&info);
		plain = dashless(code);
		prefix = imss_code_prefix_to_string(info.prefix);
		for (guint i = 0; i < 28; i++)
			symbols[i] = (guint8)(strchr(alphabet, plain[2 + i]) - alphabet);
		/* the reference rebuilds the same code from the written symbols */
		{
			g_autofree gchar *same = ref_code_from_symbols(prefix, symbols);

			g_assert_cmpstr(same, ==, code);
		}
		for (guint i = 0; i < 8; i++) {
			guint8 orig = symbols[i];

			for (guint v = 0; v < 31; v++) {
				g_autofree gchar *other = NULL;

				if (v == orig)
					continue;
				symbols[i] = (guint8)v;
				other = ref_code_from_symbols(prefix, symbols);
				expect_error(other, IMSS_CODE_ERROR_PAYLOAD);
			}
			symbols[i] = orig;
		}
		/* two leading symbols at once */
		for (guint m = 0; m < 64; m++) {
			g_autofree gchar *other = NULL;
			guint i = (guint)g_rand_int_range(rand, 0, 8);
			guint j = (i + (guint)g_rand_int_range(rand, 1, 8)) % 8;
			guint8 oi = symbols[i], oj = symbols[j];

			symbols[i] = (guint8)((oi + (guint)g_rand_int_range(rand, 1, 31)) % 31);
			symbols[j] = (guint8)((oj + (guint)g_rand_int_range(rand, 1, 31)) % 31);
			other = ref_code_from_symbols(prefix, symbols);
			expect_error(other, IMSS_CODE_ERROR_PAYLOAD);
			symbols[i] = oi;
			symbols[j] = oj;
		}
	}
}

static void
expect_encode_error(const ImssCodeInfo *info)
{
	g_autoptr(GError) error = NULL;
	g_autofree gchar *code = imss_code_encode(info, &error);

	g_assert_null(code);
	g_assert_error(error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT);
}

static void
test_code_encode_invalid(void)
{
	const guint av = BIT(IMSS_SLOT_ANTIVIRUS);
	const guint as = BIT(IMSS_SLOT_ANTISPAM) | BIT(IMSS_SLOT_EMAIL_REPUTATION);
	const guint dl = BIT(IMSS_SLOT_COMPLIANCE);
	const guint32 epoch = epoch_julian();
	ImssCodeInfo info;

	/* AS code with the imsva edition inside: must not encode */
	info_init(&info, IMSS_CODE_PREFIX_AS, IMSS_EDITION_IMSVA, as, epoch + 1, FALSE, 1);
	expect_encode_error(&info);
	info.edition = IMSS_EDITION_IMSS;
	g_free(encode_or_die(&info));

	info_init(&info, IMSS_CODE_PREFIX_AS, IMSS_EDITION_IMSS, as | av, epoch, FALSE, 1);
	expect_encode_error(&info);
	info_init(&info, IMSS_CODE_PREFIX_DL, IMSS_EDITION_IMSS, dl | av, epoch, FALSE, 1);
	expect_encode_error(&info);
	info_init(&info, IMSS_CODE_PREFIX_IM, IMSS_EDITION_IMSS, dl, epoch, FALSE, 1);
	expect_encode_error(&info);

	/* field ranges */
	info_init(&info, IMSS_CODE_PREFIX_IM, IMSS_EDITION_IMSVA, 0, epoch, FALSE, 1);
	expect_encode_error(&info);
	info.slot_mask = 0x40;
	expect_encode_error(&info);
	info.slot_mask = av;
	info.serial = IMSS_CODE_SERIAL_MAX + 1;
	expect_encode_error(&info);
	info.serial = G_MAXUINT64;
	expect_encode_error(&info);
	info.serial = IMSS_CODE_SERIAL_MAX;
	g_free(encode_or_die(&info));
	info.edition = IMSS_EDITION_LAST;
	expect_encode_error(&info);
	info.edition = IMSS_EDITION_IMSS;
	info.prefix = (ImssCodePrefix)0;
	expect_encode_error(&info);
	info.prefix = (ImssCodePrefix)4;
	expect_encode_error(&info);
	info.prefix = IMSS_CODE_PREFIX_IM;
	g_date_clear(&info.expiry, 1); /* not set */
	expect_encode_error(&info);
	g_date_set_julian(&info.expiry, epoch - 1); /* 1999-12-31 */
	expect_encode_error(&info);
	g_date_set_julian(&info.expiry, epoch + 65536); /* 2179-06-07 */
	expect_encode_error(&info);
	g_date_set_julian(&info.expiry, epoch + 65535);
	g_free(encode_or_die(&info));
	g_date_set_julian(&info.expiry, epoch);
	g_free(encode_or_die(&info));
	/* offline is a boolean: any non-zero value is TRUE */
	info.offline = 2;
	{
		g_autofree gchar *code = encode_or_die(&info);
		ImssCodeInfo back;

		g_assert_true(imss_code_parse(code, strlen(code), &back, NULL, NULL));
		g_assert_true(back.offline);
	}
}

static void
test_code_mask(void)
{
	g_autofree gchar *code = sample_code(IMSS_CODE_PREFIX_AS, IMSS_EDITION_IMSS,
					     BIT(IMSS_SLOT_ANTISPAM));
	g_autofree gchar *expected = g_strdup_printf("AS-****-*****-*****-*****-*****-%s",
						     code + 32);
	g_autofree gchar *masked = imss_code_mask(code);
	g_autofree gchar *plain = dashless(code);
	g_autofree gchar *lower = g_ascii_strdown(plain, -1);
	g_autofree gchar *spaced = g_strdup_printf("  %s\n", lower);
	g_autofree gchar *typo = g_strdup(code);
	struct {
		const gchar *in;
		const gchar *out;
	} cases[] = {
	    {code, expected},
	    {plain, expected},
	    {lower, expected},
	    {spaced, expected},
	    {NULL, ""},
	    {"", ""},
	    {" ", "(invalid)"},
	    {"garbage", "(invalid)"},
	    {typo, "(invalid)"},
	    {"IM-****-*****-*****-*****-*****-ABCDE", "(invalid)"},
	    {"アクティベーションコード", "(invalid)"},
	};

	typo[20] = typo[20] == '2' ? '3' : '2';
	g_assert_cmpstr(masked, ==, expected);
	g_assert_cmpuint(strlen(masked), ==, IMSS_CODE_CANONICAL_LEN);
	for (guint i = 0; i < G_N_ELEMENTS(cases); i++) {
		g_autofree gchar *m = imss_code_mask(cases[i].in);

		g_assert_cmpstr(m, ==, cases[i].out);
	}
	/* every prefix */
	for (guint p = IMSS_CODE_PREFIX_IM; p <= IMSS_CODE_PREFIX_DL; p++) {
		g_autofree gchar *c = sample_code((ImssCodePrefix)p, IMSS_EDITION_IMSS,
						  p == IMSS_CODE_PREFIX_DL ? BIT(IMSS_SLOT_COMPLIANCE)
									   : BIT(IMSS_SLOT_ANTISPAM));
		g_autofree gchar *m = imss_code_mask(c);

		g_assert_true(g_str_has_prefix(m, imss_code_prefix_to_string((ImssCodePrefix)p)));
		g_assert_true(g_str_has_suffix(m, c + 31));
		g_assert_nonnull(strstr(m, "-****-*****-*****-*****-*****-"));
	}
	/* the masked form is recognised as such (a server sends it), nothing else is */
	g_assert_true(imss_code_is_masked(masked));
	g_assert_true(imss_code_is_masked("IM-****-*****-*****-*****-*****-ABCDE"));
	g_assert_false(imss_code_is_masked(code));
	g_assert_false(imss_code_is_masked(plain));
	g_assert_false(imss_code_is_masked(NULL));
	g_assert_false(imss_code_is_masked("IM-****-*****-*****-*****-*****-ABCD"));
	g_assert_false(imss_code_is_masked("IM-****-*****-*****-*****-*****-ABCDI")); /* I: not in the alphabet */
	g_assert_false(imss_code_is_masked("IM-***A-*****-*****-*****-*****-ABCDE"));
	g_assert_false(imss_code_is_masked("IM*****-*****-*****-*****-*****-ABCDE"));
	g_assert_false(imss_code_is_masked("im-****-*****-*****-*****-*****-ABCDE"));
}

int
main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);

	g_test_add_func("/imss/code/strings", test_code_strings);
	g_test_add_func("/imss/code/alphabet", test_code_alphabet);
	g_test_add_func("/imss/code/round-trip", test_code_round_trip);
	g_test_add_func("/imss/code/reference", test_code_reference);
	g_test_add_func("/imss/code/known-answer", test_code_known_answer);
	g_test_add_func("/imss/code/whitening-spread", test_code_whitening_spread);
	g_test_add_func("/imss/code/whitening-unique", test_code_whitening_unique);
	g_test_add_func("/imss/code/typos", test_code_typos);
	g_test_add_func("/imss/code/canonical", test_code_canonical);
	g_test_add_func("/imss/code/bad-input", test_code_bad_input);
	g_test_add_func("/imss/code/payload", test_code_payload);
	g_test_add_func("/imss/code/encode-invalid", test_code_encode_invalid);
	g_test_add_func("/imss/code/mask", test_code_mask);

	return g_test_run();
}
