#include "config.h"

#include <glib/gi18n-lib.h>

#include "imss-bus.h"
#include "imss-slot.h"

typedef struct {
	const gchar *id;
	const gchar *name; /* N_() marked; translated on use */
	gboolean optional;
	const gchar *short_name; /* N_(); NULL: the name (SPEC §9.1's second sentence) */
} ImssSlotInfo;

static const ImssSlotInfo slot_infos[IMSS_SLOT_LAST] = {
    /* TRANSLATORS: license name, SPEC §1 (ja: クラウドプレフィルタ) */
    [IMSS_SLOT_CLOUD_PREFILTER] = {"cloud-prefilter", N_("Cloud Pre-Filter"), TRUE},
    /* TRANSLATORS: license name (ja: ウイルス対策およびコンテンツフィルタ) */
    [IMSS_SLOT_ANTIVIRUS] = {"antivirus", N_("Antivirus and Content Filter"), FALSE},
    /* TRANSLATORS: license name (ja: スパムメール対策 (コンテンツ検索)) */
    [IMSS_SLOT_ANTISPAM] = {"antispam", N_("Anti-spam (Content Scanning)"), FALSE},
    /* TRANSLATORS: license name (ja: メールレピュテーションとIPプロファイラ) */
    [IMSS_SLOT_EMAIL_REPUTATION] = {"email-reputation",
				    N_("Email Reputation and IP Profiler"),
				    FALSE},
    /* TRANSLATORS: license name, a product name (ja: Trend Micro Email Encryption) */
    [IMSS_SLOT_EMAIL_ENCRYPTION] = {"email-encryption",
				    N_("Trend Micro Email Encryption"),
				    TRUE,
				    /* TRANSLATORS: the short name of Trend Micro Email
				     * Encryption, a product name, as in "To use this
				     * feature, activate Email Encryption." (ja: Email
				     * Encryption) */
				    N_("Email Encryption")},
    /* TRANSLATORS: license name (ja: 規制コンプライアンス) */
    [IMSS_SLOT_COMPLIANCE] = {"compliance", N_("Regulatory Compliance"), TRUE},
};

const gchar *
imss_slot_to_string(ImssSlotId slot)
{
	if ((guint)slot >= IMSS_SLOT_LAST)
		return NULL;
	return slot_infos[slot].id;
}

gboolean
imss_slot_from_string(const gchar *str, ImssSlotId *slot)
{
	if (str == NULL)
		return FALSE;
	for (guint i = 0; i < IMSS_SLOT_LAST; i++) {
		if (g_strcmp0(str, slot_infos[i].id) == 0) {
			if (slot != NULL)
				*slot = (ImssSlotId)i;
			return TRUE;
		}
	}
	return FALSE;
}

gchar *
imss_slot_object_path(ImssSlotId slot)
{
	g_autofree gchar *id = g_strdup(imss_slot_to_string(slot));
	g_return_val_if_fail(id != NULL, NULL);
	g_strdelimit(id, "-", '_');
	return g_strconcat(IMSS_BUS_SLOT_PATH_PREFIX, id, NULL);
}

const gchar *
imss_slot_display_name(ImssSlotId slot)
{
	if ((guint)slot >= IMSS_SLOT_LAST)
		return NULL;
	return _(slot_infos[slot].name);
}

const gchar *
imss_slot_display_name_untranslated(ImssSlotId slot)
{
	if ((guint)slot >= IMSS_SLOT_LAST)
		return NULL;
	return slot_infos[slot].name;
}

const gchar *
imss_slot_short_name_untranslated(ImssSlotId slot)
{
	if ((guint)slot >= IMSS_SLOT_LAST)
		return NULL;
	return slot_infos[slot].short_name != NULL ? slot_infos[slot].short_name
						   : slot_infos[slot].name;
}

gboolean
imss_slot_enabled(ImssSlotId slot, ImssEdition edition)
{
	if ((guint)slot >= IMSS_SLOT_LAST)
		return FALSE;
	/* not sold for IMSS in Japan: SPEC §1 */
	if (slot == IMSS_SLOT_EMAIL_ENCRYPTION)
		return edition == IMSS_EDITION_IMSVA;
	return TRUE;
}

gboolean
imss_slot_accepts_prefix(ImssSlotId slot, ImssEdition edition, ImssCodePrefix prefix)
{
	switch (slot) {
	case IMSS_SLOT_CLOUD_PREFILTER:
	case IMSS_SLOT_ANTIVIRUS:
	case IMSS_SLOT_EMAIL_ENCRYPTION:
		return prefix == IMSS_CODE_PREFIX_IM;
	case IMSS_SLOT_ANTISPAM:
	case IMSS_SLOT_EMAIL_REPUTATION:
		if (prefix == IMSS_CODE_PREFIX_IM)
			return TRUE;
		return prefix == IMSS_CODE_PREFIX_AS && edition == IMSS_EDITION_IMSS;
	case IMSS_SLOT_COMPLIANCE:
		return prefix == IMSS_CODE_PREFIX_DL;
	case IMSS_SLOT_LAST:
	default:
		return FALSE;
	}
}

gboolean
imss_slot_is_optional(ImssSlotId slot)
{
	if ((guint)slot >= IMSS_SLOT_LAST)
		return FALSE;
	return slot_infos[slot].optional;
}

ImssCodePrefix
imss_slot_default_prefix(ImssSlotId slot)
{
	return slot == IMSS_SLOT_COMPLIANCE ? IMSS_CODE_PREFIX_DL : IMSS_CODE_PREFIX_IM;
}

const gchar *
imss_state_display_name(const gchar *state)
{
	if (g_strcmp0(state, "active") == 0)
		/* TRANSLATORS: license state */
		return _("active");
	if (g_strcmp0(state, "expiring") == 0)
		/* TRANSLATORS: license state: within 60 days of expiry */
		return _("expiring");
	if (g_strcmp0(state, "grace") == 0)
		/* TRANSLATORS: license state: expired, in the 90-day grace period */
		return _("grace period");
	if (g_strcmp0(state, "expired") == 0)
		/* TRANSLATORS: license state: grace period over, updates restricted */
		return _("expired");
	/* TRANSLATORS: license state */
	return _("not activated");
}
