/*
 * The offline rules of a new activation (SPEC §1, §2, §6) as pure
 * functions: which slot, which code, which slots it goes into, and the
 * Time-of-Click binding. No store, no D-Bus, no clock.
 */
#pragma once

#include <glib.h>

#include "imss-code.h"

G_BEGIN_DECLS

typedef struct {
	ImssSlotId slot;	  /* the slot asked for */
	ImssSlotId targets[2];	  /* the slots the code goes into */
	guint n_targets;	  /* antispam brings email-reputation along */
	ImssCodeInfo info;	  /* what the code says */
	gchar *canonical;	  /* the code, canonical (a credential) */
	gchar *masked;		  /* for logs and history */
} ImssActivationPlan;

/* Checks @code for @slot_id on @edition offline, in the order of
 * docs/design.md: UnknownSlot, SlotDisabled, InvalidCode (format, check
 * value, edition, prefix, licensed slots). Errors in IMSS_ERROR with the
 * SPEC's texts; they never quote the code. */
gboolean
imss_activation_plan(ImssEdition edition,
		     const gchar *slot_id,
		     const gchar *code,
		     ImssActivationPlan *plan,
		     GError **error);
void
imss_activation_plan_clear(ImssActivationPlan *plan);
G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC(ImssActivationPlan, imss_activation_plan_clear)

/* SPEC §6: the Time-of-Click binding keeps a salted digest of the bound
 * anti-spam code, never the code itself. */
gchar *
imss_activation_click_digest(const gchar *canonical) G_GNUC_WARN_UNUSED_RESULT;
/* Whether activating @plan is refused by a binding @bound_digest (NULL:
 * none): only a different code on antispam is. */
gboolean
imss_activation_click_allows(const ImssActivationPlan *plan, const gchar *bound_digest);

G_END_DECLS
