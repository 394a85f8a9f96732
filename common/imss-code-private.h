/*
 * The activation-code codec's insides, shared by its files (see
 * docs/activation-codes.md): imss-code.c (the text: prefix, symbols, dashes,
 * the check symbol; the public API) and imss-code-payload.c (the 28 payload
 * symbols ⇄ the fields: base 31, whitening, keystream, integrity tag).
 */
#pragma once

#include "imss-code.h"

G_BEGIN_DECLS

/* "PP-GGGG-GGGGG-GGGGG-GGGGG-GGGGG-GGGGG" */
#define CODE_BASE 31u
#define CODE_N_SYMBOLS 29 /* after the prefix: 28 payload symbols + 1 check symbol */
#define CODE_N_PAYLOAD 28
#define CODE_CHECK_WEIGHT 30u
#define CODE_VERSION 1u

/* the fields a code carries, as they are in its payload */
typedef struct {
	guint prefix; /* ImssCodePrefix */
	guint version;
	guint edition; /* ImssEdition */
	guint slot_mask;
	guint expiry_days; /* since the first date of imss_date_range() */
	gboolean offline;
	guint64 serial;
} ImssCodeFields;

/* The Julian day number (GDate's) of day 0 of the expiry field. */
guint32 imss_code_epoch_julian(void);
/* NULL when @slot_mask may be carried by a code with @prefix and @edition,
 * else the reason (English, for developers). */
const gchar *imss_code_prefix_conflict(ImssCodePrefix prefix, ImssEdition edition, guint slot_mask);
/* The weighted sum of the check, before the check symbol, modulo 31. */
guint imss_code_check_partial(guint prefix, const guint8 *payload);

/* The 29 symbol values of @fields (valid, as imss_code_encode() checks
 * them), the check symbol last. */
void imss_code_payload_encode(const ImssCodeFields *fields, guint8 *symbols);
/* The fields of the payload symbols of a code with @prefix whose check
 * symbol matched; FALSE (IMSS_CODE_ERROR_PAYLOAD) when they are impossible. */
gboolean imss_code_payload_decode(guint prefix,
                                  const guint8 *symbols,
                                  ImssCodeFields *fields,
                                  GError **error);

G_END_DECLS
