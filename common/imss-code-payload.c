/*
 * imss-code: the payload of an activation code, 28 base-31 symbols ⇄ the
 * fields (docs/activation-codes.md; keep the two in step). The decoder
 * handles untrusted symbols and never puts any of them into a message.
 */
#include "config.h"

#define G_LOG_DOMAIN "ImssCode"

#include <gio/gio.h>
#include <string.h>

#include "imss-code-private.h"
#include "imss-date.h"

/* payload bit layout, low bits first */
#define CODE_SERIAL_BITS 40
#define CODE_BLOCK_BITS 63
#define CODE_PAYLOAD_BITS (CODE_SERIAL_BITS + CODE_BLOCK_BITS) /* 103 */

/* the block's fields: shift and width */
#define CODE_VERSION_SHIFT 0
#define CODE_VERSION_BITS 4
#define CODE_EDITION_SHIFT 4
#define CODE_EDITION_BITS 2
#define CODE_SLOTS_SHIFT 6
#define CODE_SLOTS_BITS 8
#define CODE_EXPIRY_SHIFT 14
#define CODE_EXPIRY_BITS 16
#define CODE_OFFLINE_SHIFT 30
#define CODE_OFFLINE_BITS 1
#define CODE_TAG_SHIFT 31

#define CODE_FIELD(block, name)                                                                    \
	((guint)(((block) >> CODE_##name##_SHIFT) &                                                \
	         ((G_GUINT64_CONSTANT(1) << CODE_##name##_BITS) - 1)))

/* the tag's salt; changing it invalidates every code ever issued */
static const gchar code_tag_salt[] = "imss-license/activation-code/v1";

/* the keystream's seed constant, "IMSSCODE" in ASCII */
#define CODE_KEYSTREAM_SEED G_GUINT64_CONSTANT(0x494d5353434f4445)

/* the whitening of the leading payload symbols: its salt, and how many
 * leading symbols it changes (they depend on the other 20) */
static const gchar code_whiten_salt[] = "imss-license/activation-code/v1/whiten";
#define CODE_N_WHITENED 8

#define SLOT_BIT(slot) (1u << (slot))

/* the expiry field counts the days of the whole range in 16 bits */
G_STATIC_ASSERT(IMSS_DATE_RANGE_DAYS == 0xffffu);

guint32
imss_code_epoch_julian(void)
{
	GDate epoch;

	imss_date_range(&epoch, NULL);
	return g_date_get_julian(&epoch);
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
code_tag(const ImssCodeFields *f)
{
	guint8 fields[12];
	guint32 hash = 2166136261u;

	fields[0] = (guint8)f->prefix;
	fields[1] = (guint8)f->version;
	fields[2] = (guint8)f->edition;
	fields[3] = (guint8)f->slot_mask;
	fields[4] = (guint8)(f->expiry_days & 0xff);
	fields[5] = (guint8)(f->expiry_days >> 8);
	fields[6] = f->offline ? 1 : 0;
	for (guint i = 0; i < 5; i++)
		fields[7 + i] = (guint8)(f->serial >> (8 * i));
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

const gchar *
imss_code_prefix_conflict(ImssCodePrefix prefix, ImssEdition edition, guint slot_mask)
{
	const guint compliance = SLOT_BIT(IMSS_SLOT_COMPLIANCE);
	const guint antispam = SLOT_BIT(IMSS_SLOT_ANTISPAM) | SLOT_BIT(IMSS_SLOT_EMAIL_REPUTATION);

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

guint
imss_code_check_partial(guint prefix, const guint8 *payload)
{
	guint sum = prefix; /* weight 1 */

	g_return_val_if_fail(payload != NULL, 0);

	for (guint i = 0; i < CODE_N_PAYLOAD; i++)
		sum += (i + 2) * payload[i];
	return sum % CODE_BASE;
}

void
imss_code_payload_encode(const ImssCodeFields *fields, guint8 *symbols)
{
	guint64 block;
	unsigned __int128 value;
	guint8 offsets[CODE_N_WHITENED];

	g_return_if_fail(fields != NULL);
	g_return_if_fail(symbols != NULL);

	block = (guint64)fields->version << CODE_VERSION_SHIFT |
	        (guint64)fields->edition << CODE_EDITION_SHIFT |
	        (guint64)fields->slot_mask << CODE_SLOTS_SHIFT |
	        (guint64)fields->expiry_days << CODE_EXPIRY_SHIFT |
	        (guint64)(fields->offline ? 1 : 0) << CODE_OFFLINE_SHIFT |
	        (guint64)code_tag(fields) << CODE_TAG_SHIFT;
	block ^= code_keystream(fields->serial);
	value = ((unsigned __int128)block << CODE_SERIAL_BITS) | fields->serial;

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
	symbols[CODE_N_SYMBOLS - 1] = (guint8)imss_code_check_partial(fields->prefix, symbols);
}

static gboolean
code_payload_fail(GError **error, const gchar *why)
{
	g_set_error_literal(error, IMSS_CODE_ERROR, IMSS_CODE_ERROR_PAYLOAD, why);
	return FALSE;
}

/* the payload symbols as a number below 2^103 (the whitening removed: a
 * bijection, so every string of 28 symbols stands for exactly one string of
 * digits) */
static gboolean
code_payload_value(const guint8 *symbols, unsigned __int128 *value, GError **error)
{
	const unsigned __int128 u128_max = ~(unsigned __int128)0;
	guint8 digits[CODE_N_PAYLOAD];
	guint8 offsets[CODE_N_WHITENED];

	memcpy(digits, symbols, CODE_N_PAYLOAD);
	code_whiten_offsets(symbols, offsets);
	for (guint i = 0; i < CODE_N_WHITENED; i++)
		digits[i] = (guint8)((symbols[i] + CODE_BASE - offsets[i]) % CODE_BASE);

	/* a big-endian base-31 number */
	*value = 0;
	for (guint i = 0; i < CODE_N_PAYLOAD; i++) {
		if (*value > (u128_max - digits[i]) / CODE_BASE)
			return code_payload_fail(error,
			                         "the code's payload does not fit in 128 bits");
		*value = *value * CODE_BASE + digits[i];
	}
	if ((*value >> CODE_PAYLOAD_BITS) != 0)
		return code_payload_fail(error, "the code's payload has unused bits set");
	return TRUE;
}

gboolean
imss_code_payload_decode(guint prefix,
                         const guint8 *symbols,
                         ImssCodeFields *fields,
                         GError **error)
{
	unsigned __int128 value;
	guint64 block;
	guint tag;
	const gchar *conflict;

	g_return_val_if_fail(symbols != NULL, FALSE);
	g_return_val_if_fail(fields != NULL, FALSE);
	g_return_val_if_fail(error == NULL || *error == NULL, FALSE);

	if (!code_payload_value(symbols, &value, error))
		return FALSE;
	fields->prefix = prefix;
	fields->serial = (guint64)value & IMSS_CODE_SERIAL_MAX;
	block = (guint64)(value >> CODE_SERIAL_BITS) ^ code_keystream(fields->serial);
	fields->version = CODE_FIELD(block, VERSION);
	fields->edition = CODE_FIELD(block, EDITION);
	fields->slot_mask = CODE_FIELD(block, SLOTS);
	fields->expiry_days = CODE_FIELD(block, EXPIRY);
	fields->offline = CODE_FIELD(block, OFFLINE);
	tag = (guint)(block >> CODE_TAG_SHIFT);

	/* the version first: another version may compute its tag differently */
	if (fields->version != CODE_VERSION) {
		g_set_error(error,
		            IMSS_CODE_ERROR,
		            IMSS_CODE_ERROR_PAYLOAD,
		            "unsupported code format version %u",
		            fields->version);
		return FALSE;
	}
	if (tag != code_tag(fields))
		return code_payload_fail(error, "the code's integrity tag does not match");
	if (fields->edition >= IMSS_EDITION_LAST)
		return code_payload_fail(error, "the code names an unknown edition");
	if (fields->slot_mask == 0 || (fields->slot_mask & ~IMSS_CODE_SLOT_MASK_ALL) != 0)
		return code_payload_fail(error,
		                         "the code's slot mask is empty or names unknown slots");
	if (!g_date_valid_julian(imss_code_epoch_julian() + fields->expiry_days))
		return code_payload_fail(error, "the code's expiry date is not valid");
	conflict = imss_code_prefix_conflict(
	    (ImssCodePrefix)prefix, (ImssEdition)fields->edition, fields->slot_mask);
	if (conflict != NULL) {
		g_set_error(error,
		            IMSS_CODE_ERROR,
		            IMSS_CODE_ERROR_PAYLOAD,
		            "the code's contents do not match its prefix: %s",
		            conflict);
		return FALSE;
	}
	return TRUE;
}
