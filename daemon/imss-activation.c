#define G_LOG_DOMAIN "ImssActivation"

#include "config.h"

#include <string.h>

#include "imss-activation.h"
#include "imss-error.h"
#include "imss-slot.h"

static gboolean
imss_activation_fail(GError **error, ImssError code)
{
	g_set_error_literal(error, IMSS_ERROR, code, imss_error_to_text(code));
	return FALSE;
}

gboolean
imss_activation_plan(ImssEdition edition,
		     const gchar *slot_id,
		     const gchar *code,
		     ImssActivationPlan *plan,
		     GError **error)
{
	g_autoptr(GError) error_code = NULL;

	g_return_val_if_fail(plan != NULL, FALSE);
	g_return_val_if_fail(error == NULL || *error == NULL, FALSE);
	memset(plan, 0, sizeof(*plan));
	if (slot_id == NULL || !imss_slot_from_string(slot_id, &plan->slot))
		return imss_activation_fail(error, IMSS_ERROR_UNKNOWN_SLOT);
	if (!imss_slot_enabled(plan->slot, edition))
		return imss_activation_fail(error, IMSS_ERROR_SLOT_DISABLED);
	if (code == NULL ||
	    !imss_code_parse(code, strlen(code), &plan->info, &plan->canonical, &error_code)) {
		/* the codec's messages never quote the input */
		g_info("rejected a code for %s: %s",
		       slot_id,
		       error_code != NULL ? error_code->message : "none given");
		return imss_activation_fail(error, IMSS_ERROR_INVALID_CODE);
	}
	plan->masked = imss_code_mask(plan->canonical);
	if (plan->info.edition != edition) {
		g_info("rejected %s for %s: issued for edition %s",
		       plan->masked,
		       slot_id,
		       imss_edition_to_string(plan->info.edition));
		imss_activation_plan_clear(plan);
		return imss_activation_fail(error, IMSS_ERROR_INVALID_CODE);
	}
	if (!imss_slot_accepts_prefix(plan->slot, edition, plan->info.prefix) ||
	    (plan->info.slot_mask & (1u << plan->slot)) == 0) {
		g_info("rejected %s for %s: the code does not license this slot",
		       plan->masked,
		       slot_id);
		imss_activation_plan_clear(plan);
		return imss_activation_fail(error, IMSS_ERROR_INVALID_CODE);
	}
	/* antispam brings email-reputation along, with the same code */
	plan->targets[plan->n_targets++] = plan->slot;
	if (plan->slot == IMSS_SLOT_ANTISPAM)
		plan->targets[plan->n_targets++] = IMSS_SLOT_EMAIL_REPUTATION;
	return TRUE;
}

void
imss_activation_plan_clear(ImssActivationPlan *plan)
{
	g_return_if_fail(plan != NULL);

	if (plan->canonical != NULL)
		memset(plan->canonical, 0, strlen(plan->canonical));
	g_clear_pointer(&plan->canonical, g_free);
	g_clear_pointer(&plan->masked, g_free);
	plan->n_targets = 0;
}

gchar *
imss_activation_click_digest(const gchar *canonical)
{
	g_autofree gchar *salted = NULL;
	g_return_val_if_fail(canonical != NULL, NULL);
	salted = g_strdup_printf("imss-time-of-click:%s", canonical);
	return g_compute_checksum_for_string(G_CHECKSUM_SHA256, salted, -1);
}

gboolean
imss_activation_click_allows(const ImssActivationPlan *plan, const gchar *bound_digest)
{
	g_autofree gchar *digest = NULL;
	g_return_val_if_fail(plan != NULL && plan->canonical != NULL, FALSE);
	if (plan->slot != IMSS_SLOT_ANTISPAM || bound_digest == NULL)
		return TRUE;
	digest = imss_activation_click_digest(plan->canonical);
	return g_strcmp0(digest, bound_digest) == 0;
}
