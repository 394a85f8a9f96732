/*
 * imss-code: this project's activation-code format (see docs/activation-codes.md).
 *
 * A small codec with no main-loop needs, shared by the daemon, the CLI, the
 * generator, the license-server simulator and the fuzz targets.
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Length of the canonical form "XX-XXXX-XXXXX-XXXXX-XXXXX-XXXXX-XXXXX". */
#define IMSS_CODE_CANONICAL_LEN 37

typedef enum {
	IMSS_EDITION_IMSS = 0,	/* InterScan MSS 9.1 for Linux */
	IMSS_EDITION_IMSVA = 1, /* IMSVA 9.1 */
	IMSS_EDITION_LAST
} ImssEdition;

typedef enum {
	IMSS_CODE_PREFIX_IM = 1,
	IMSS_CODE_PREFIX_AS = 2,
	IMSS_CODE_PREFIX_DL = 3,
} ImssCodePrefix;

/* Slots, in the order of SPEC §1; the bit of a slot in a code's slot mask is
 * (1 << ImssSlotId). */
typedef enum {
	IMSS_SLOT_CLOUD_PREFILTER = 0,
	IMSS_SLOT_ANTIVIRUS,
	IMSS_SLOT_ANTISPAM,
	IMSS_SLOT_EMAIL_REPUTATION,
	IMSS_SLOT_EMAIL_ENCRYPTION,
	IMSS_SLOT_COMPLIANCE,
	IMSS_SLOT_LAST
} ImssSlotId;

typedef struct {
	ImssCodePrefix prefix;
	ImssEdition edition;
	guint slot_mask; /* bit (1 << ImssSlotId) per licensed slot, non-zero */
	GDate expiry;	 /* as issued: valid, within imss_date_range() */
	gboolean offline;
	guint64 serial; /* 0 .. 2^40-1 */
} ImssCodeInfo;

/* Error domain for the codec; the daemon converts these to
 * org.imss.License.Error.InvalidCode at the bus boundary. */
#define IMSS_CODE_ERROR (imss_code_error_quark())
GQuark
imss_code_error_quark(void);

typedef enum {
	IMSS_CODE_ERROR_EMPTY,	   /* empty after trimming */
	IMSS_CODE_ERROR_LENGTH,	   /* not 37 (with dashes) or 31 (without) chars */
	IMSS_CODE_ERROR_CHARACTER, /* a character outside the alphabet (incl. non-ASCII) */
	IMSS_CODE_ERROR_SHAPE,	   /* dashes in the wrong places */
	IMSS_CODE_ERROR_PREFIX,	   /* not IM-, AS- or DL- */
	IMSS_CODE_ERROR_CHECK,	   /* check value mismatch (a typo) */
	IMSS_CODE_ERROR_PAYLOAD,   /* check value fine but the fields are impossible */
} ImssCodeError;

/* Parses untrusted input of @len bytes (need not be NUL-terminated, may contain
 * NULs or invalid UTF-8; never crashes). Accepts any letter case, with or
 * without the dashes, with surrounding ASCII whitespace. On success returns
 * TRUE, fills @info (may be NULL) and sets @canonical (may be NULL) to the
 * canonical upper-case dashed form (free with g_free). */
gboolean
imss_code_parse(const gchar *input,
		gsize len,
		ImssCodeInfo *info,
		gchar **canonical,
		GError **error);

/* Encodes @info into the canonical 37-character form. Returns NULL and sets
 * @error (G_IO_ERROR_INVALID_ARGUMENT) if a field is out of range. */
gchar *
imss_code_encode(const ImssCodeInfo *info, GError **error);

/* The masked form shown in properties, logs and errors:
 * "IM-****-*****-*****-*****-*****-ABCDE" (prefix and last group kept).
 * @code need not be valid: anything that is not a canonical code yields
 * "(invalid)" (or "" for NULL/empty), never the input itself. */
gchar *
imss_code_mask(const gchar *code);
/* Whether @str is already a masked code (the shape imss_code_mask() gives:
 * "IM-****-*****-*****-*****-*****-ABCDE"), as the license server sends a
 * replacement code. */
gboolean
imss_code_is_masked(const gchar *str);

/* Helpers shared with clients. */
const gchar *
imss_edition_to_string(ImssEdition edition); /* "imss" / "imsva" */
gboolean
imss_edition_from_string(const gchar *str, ImssEdition *edition);
const gchar *
imss_code_prefix_to_string(ImssCodePrefix prefix); /* "IM" / "AS" / "DL" */

/* Additions (codec owner). */

/* Length of the form without dashes (2 prefix letters + 29 symbols). */
#define IMSS_CODE_DASHLESS_LEN 31
/* The largest serial a code can carry (40 bits). */
#define IMSS_CODE_SERIAL_MAX ((G_GUINT64_CONSTANT(1) << 40) - 1)
/* Every slot bit that may be set in a slot mask. */
#define IMSS_CODE_SLOT_MASK_ALL ((1u << IMSS_SLOT_LAST) - 1)

/* Parses "IM", "AS" or "DL" (exact, upper case); FALSE for anything else. */
gboolean
imss_code_prefix_from_string(const gchar *str, ImssCodePrefix *prefix);
G_END_DECLS
