/*
 * The six license slots of SPEC §1: stable ids, display names and rules.
 */
#pragma once

#include <glib.h>

#include "imss-code.h"

G_BEGIN_DECLS

/* The stable API id ("cloud-prefilter", ...) of @slot, or NULL when out of range. */
const gchar *
imss_slot_to_string(ImssSlotId slot);
/* Parses an API id; FALSE for anything else (case-sensitive, exact). */
gboolean
imss_slot_from_string(const gchar *str, ImssSlotId *slot);
/* The D-Bus object path of a slot: /org/imss/License/slot/<id with '-' → '_'>. */
gchar *
imss_slot_object_path(ImssSlotId slot);
/* The translated display name (SPEC §1 console names; Japanese under ja). */
const gchar *
imss_slot_display_name(ImssSlotId slot);
/* The display name's msgid (English), for callers translating themselves. */
const gchar *
imss_slot_display_name_untranslated(ImssSlotId slot);
/* The msgid of the name a sentence uses once the display name was said
 * ("Email Encryption" after "Trend Micro Email Encryption", SPEC §9.1); the
 * display name's for the other slots. */
const gchar *
imss_slot_short_name_untranslated(ImssSlotId slot);
/* The translated name of a lifecycle state ("active", "expiring", "grace",
 * "expired", anything else: not activated), for clients. */
const gchar *
imss_state_display_name(const gchar *state);
/* Whether a code with @prefix may be entered on @slot of @edition (SPEC §1). */
gboolean
imss_slot_accepts_prefix(ImssSlotId slot, ImssEdition edition, ImssCodePrefix prefix);
/* Whether @slot can be activated at all on @edition (email-encryption: imsva only). */
gboolean
imss_slot_enabled(ImssSlotId slot, ImssEdition edition);
/* Whether @slot is optional (produces the inactive-component notice, SPEC §9.1). */
gboolean
imss_slot_is_optional(ImssSlotId slot);
/* The prefix the generator uses by default for @slot. */
ImssCodePrefix
imss_slot_default_prefix(ImssSlotId slot);

G_END_DECLS
