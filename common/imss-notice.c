#define G_LOG_DOMAIN "ImssNoticeData"

#include "config.h"

#include <string.h>

#include "imss-date.h"
#include "imss-notice.h"
#include "imss-records.h"
#include "imss-slot.h"
#include "imss-state.h"

/* Texts come from the catalogue the caller passes (the daemon: the caller's
 * or the mail language) or, with NULL, from dgettext() in the process's
 * locale (the clients) — never through the environment. */

/* the nicks are the "kind" of a notice on the bus */
static const GEnumValue kind_values[] = {
    {IMSS_NOTICE_EXPIRING, "IMSS_NOTICE_EXPIRING", "expiring"},
    {IMSS_NOTICE_EXPIRED, "IMSS_NOTICE_EXPIRED", "expired"},
    {IMSS_NOTICE_UPDATES_ENDED, "IMSS_NOTICE_UPDATES_ENDED", "updates-ended"},
    {IMSS_NOTICE_INACTIVE, "IMSS_NOTICE_INACTIVE", "inactive"},
    {IMSS_NOTICE_CM_FAILED, "IMSS_NOTICE_CM_FAILED", "cm-deployment-failed"},
    {IMSS_NOTICE_CODE_REPLACED, "IMSS_NOTICE_CODE_REPLACED", "code-replaced"},
    {IMSS_NOTICE_CODE_UNKNOWN, "IMSS_NOTICE_CODE_UNKNOWN", "code-unknown"},
    {IMSS_NOTICE_CODE_SUSPENDED, "IMSS_NOTICE_CODE_SUSPENDED", "code-suspended"},
    {IMSS_NOTICE_RESTART_FAILED, "IMSS_NOTICE_RESTART_FAILED", "restart-failed"},
    {IMSS_NOTICE_NO_RECIPIENTS, "IMSS_NOTICE_NO_RECIPIENTS", "no-mail-recipients"},
    {IMSS_NOTICE_LAST, "IMSS_NOTICE_LAST", "last"},
    {0, NULL, NULL},
};

/* the nicks are the "severity" of a notice on the bus */
static const GEnumValue severity_values[] = {
    {IMSS_NOTICE_SEVERITY_INFO, "IMSS_NOTICE_SEVERITY_INFO", "info"},
    {IMSS_NOTICE_SEVERITY_WARNING, "IMSS_NOTICE_SEVERITY_WARNING", "warning"},
    {IMSS_NOTICE_SEVERITY_CRITICAL, "IMSS_NOTICE_SEVERITY_CRITICAL", "critical"},
    {0, NULL, NULL},
};

GType
imss_notice_kind_get_type(void)
{
	static gsize type = 0;
	if (g_once_init_enter(&type))
		g_once_init_leave(&type, imss_enum_register_once("ImssNoticeKind", kind_values));
	return (GType)type;
}

GType
imss_notice_severity_get_type(void)
{
	static gsize type = 0;
	if (g_once_init_enter(&type)) {
		GType t = imss_enum_register_once("ImssNoticeSeverity", severity_values);
		g_once_init_leave(&type, t);
	}
	return (GType)type;
}

gboolean
imss_notice_kind_has_slot(ImssNoticeKind kind)
{
	return kind != IMSS_NOTICE_CM_FAILED && kind != IMSS_NOTICE_RESTART_FAILED &&
	       kind != IMSS_NOTICE_NO_RECIPIENTS;
}

gboolean
imss_notice_kind_has_dates(ImssNoticeKind kind)
{
	return kind == IMSS_NOTICE_EXPIRING || kind == IMSS_NOTICE_EXPIRED ||
	       kind == IMSS_NOTICE_UPDATES_ENDED;
}

void
imss_notice_data_init(ImssNoticeData *notice, ImssNoticeKind kind, ImssSlotId slot, const gchar *unit)
{
	g_return_if_fail(notice != NULL);

	memset(notice, 0, sizeof(*notice));
	notice->kind = kind;
	notice->slot = imss_notice_kind_has_slot(kind) ? slot : IMSS_SLOT_LAST;
	g_date_clear(&notice->expiry, 1);
	g_date_clear(&notice->grace_end, 1);
	if (unit != NULL)
		g_strlcpy(notice->unit, unit, sizeof(notice->unit));
}

/**
 * imss_notice_kind_to_string:
 * @kind: a notice kind
 *
 * Returns: (nullable): the kind's name on D-Bus ("expiring", "expired",
 *   …), or %NULL for a kind that does not exist
 */
const gchar *
imss_notice_kind_to_string(ImssNoticeKind kind)
{
	if ((guint)kind >= IMSS_NOTICE_LAST)
		return NULL;
	return kind_values[kind].value_nick;
}

/**
 * imss_notice_kind_from_string:
 * @str: a kind's name on D-Bus
 * @kind: (out): the kind
 *
 * Returns: whether @str names a notice kind
 */
gboolean
imss_notice_kind_from_string(const gchar *str, ImssNoticeKind *kind)
{
	g_return_val_if_fail(kind != NULL, FALSE);

	for (guint i = 0; i < IMSS_NOTICE_LAST; i++) {
		if (g_strcmp0(str, kind_values[i].value_nick) == 0) {
			*kind = (ImssNoticeKind)i;
			return TRUE;
		}
	}
	return FALSE;
}

ImssNoticeSeverity
imss_notice_data_get_severity(const ImssNoticeData *notice)
{
	g_return_val_if_fail(notice != NULL, IMSS_NOTICE_SEVERITY_INFO);

	switch (notice->kind) {
	case IMSS_NOTICE_EXPIRING:
		/* the last fortnight (the mail period) is a warning */
		return notice->days_left <= -IMSS_NOTICE_MAIL_FIRST_DAY ? IMSS_NOTICE_SEVERITY_WARNING
									 : IMSS_NOTICE_SEVERITY_INFO;
	case IMSS_NOTICE_EXPIRED:
	case IMSS_NOTICE_CM_FAILED:
	case IMSS_NOTICE_CODE_REPLACED:
	case IMSS_NOTICE_CODE_UNKNOWN:
	case IMSS_NOTICE_CODE_SUSPENDED:
	case IMSS_NOTICE_NO_RECIPIENTS:
		return IMSS_NOTICE_SEVERITY_WARNING;
	case IMSS_NOTICE_UPDATES_ENDED:
	case IMSS_NOTICE_RESTART_FAILED:
		return IMSS_NOTICE_SEVERITY_CRITICAL;
	case IMSS_NOTICE_INACTIVE:
	case IMSS_NOTICE_LAST:
	default:
		return IMSS_NOTICE_SEVERITY_INFO;
	}
}

/**
 * imss_notice_severity_to_string:
 * @severity: a severity
 *
 * Returns: the severity's name on D-Bus ("info", "warning" or "critical";
 *   "info" for a value that does not exist)
 */
const gchar *
imss_notice_severity_to_string(ImssNoticeSeverity severity)
{
	if ((guint)severity > IMSS_NOTICE_SEVERITY_CRITICAL)
		return severity_values[IMSS_NOTICE_SEVERITY_INFO].value_nick;
	return severity_values[severity].value_nick;
}

static void
imss_notice_fill_dates(ImssNoticeData *notice, const GDate *expiry, const GDate *today)
{
	notice->expiry = *expiry;
	notice->grace_end = *expiry;
	g_date_add_days(&notice->grace_end, 90);
	notice->days_left = g_date_days_between(today, expiry);
	notice->grace_left = g_date_days_between(today, &notice->grace_end);
	notice->days_since = -notice->days_left;
}

gboolean
imss_notice_for_expiry(ImssSlotId slot, const GDate *expiry, const GDate *today, ImssNoticeData *notice)
{
	g_return_val_if_fail(expiry != NULL, FALSE);
	g_return_val_if_fail(today != NULL, FALSE);
	g_return_val_if_fail(notice != NULL, FALSE);

	memset(notice, 0, sizeof(*notice));
	notice->slot = slot;
	imss_notice_fill_dates(notice, expiry, today);
	if (notice->days_left > -IMSS_NOTICE_CONSOLE_FIRST_DAY)
		return FALSE;
	if (notice->days_left > 0)
		notice->kind = IMSS_NOTICE_EXPIRING;
	else if (notice->grace_left > 0)
		notice->kind = IMSS_NOTICE_EXPIRED;
	else
		notice->kind = IMSS_NOTICE_UPDATES_ENDED;
	return TRUE;
}

gboolean
imss_notice_is_mail_day(const GDate *expiry, const GDate *today)
{
	gint d;

	g_return_val_if_fail(expiry != NULL, FALSE);
	g_return_val_if_fail(today != NULL, FALSE);

	d = g_date_days_between(expiry, today); /* today − E */
	return d >= IMSS_NOTICE_MAIL_FIRST_DAY && d <= 90;
}

void
imss_notice_inactive(ImssSlotId slot, ImssNoticeData *notice)
{
	g_return_if_fail(notice != NULL);

	imss_notice_data_init(notice, IMSS_NOTICE_INACTIVE, slot, NULL);
}

/* the console text of a notice about no slot (a deployment, a service, the
 * mail settings); NULL for the other kinds */
static gchar *
imss_notice_render_service(const ImssCatalog *catalog, const ImssNoticeData *notice)
{
	switch (notice->kind) {
	case IMSS_NOTICE_CM_FAILED:
		return g_strdup(
		    /* TRANSLATORS: console notice when a Control Manager license
		     * profile deployment failed (SPEC §8: CM does not retry) */
		    imss_catalog_gettext(catalog, "The last license profile deployment from "
						  "Control Manager failed. Control Manager does "
						  "not retry by itself: redeploy the license "
						  "profile from Control Manager."));
	case IMSS_NOTICE_RESTART_FAILED:
		return g_strdup_printf(
		    /* TRANSLATORS: console notice; %s a systemd unit such as
		     * imss-scan.service (SPEC §7) */
		    imss_catalog_gettext(catalog, "The restart of %s after a license change "
						  "failed. The service may still be running with "
						  "the old license. Fix the service, then run: "
						  "imss-licensectl restart-services"),
		    notice->unit);
	case IMSS_NOTICE_NO_RECIPIENTS:
		return g_strdup(
		    /* TRANSLATORS: console notice (SPEC §9.2: the mail notices cannot be
		     * suppressed, so a missing recipient is reported) */
		    imss_catalog_gettext(catalog, "No recipient is configured for the license "
						  "notices by e-mail, so expiry notices cannot be "
						  "mailed. Set the recipients and the SMTP server "
						  "in the [mail] section of imss-licensed.conf."));
	default:
		return NULL;
	}
}

/* the console text of an expiry notice (SPEC §9.1) of the license @name */
static gchar *
imss_notice_render_expiry(const ImssCatalog *catalog, const ImssNoticeData *notice, const gchar *name)
{
	g_autofree gchar *e = imss_date_format(&notice->expiry);
	g_autofree gchar *g = imss_date_format(&notice->grace_end);

	switch (notice->kind) {
	case IMSS_NOTICE_EXPIRING:
		return g_strdup_printf(
		    /* TRANSLATORS: SPEC §9.1 console notice, E−60 … E−1; %1$s license
		     * name, %2$d days left
		     * (ja: <ライセンス名>のサポート契約はあと<残り日数>日で終了します。…) */
		    imss_catalog_gettext(catalog, "The support contract for %1$s ends in %2$d "
						  "days. To maintain protection and update "
						  "product components, you must renew the "
						  "contract."),
		    name,
		    notice->days_left);
	case IMSS_NOTICE_EXPIRED:
		return g_strdup_printf(
		    /* TRANSLATORS: SPEC §9.1 console notice, E … G−1; %1$s license name,
		     * %2$s expiry date, %3$d grace days left */
		    imss_catalog_gettext(catalog, "The support contract for %1$s ended on %2$s. "
						  "The renewal grace period after the end of the "
						  "support contract is %3$d days. To keep "
						  "security up to date, you must renew the "
						  "contract."),
		    name,
		    e,
		    notice->grace_left);
	default:
		return g_strdup_printf(
		    /* TRANSLATORS: SPEC §9.1 console notice, from G; %1$s license name,
		     * %2$s grace end date, %3$s expiry date */
		    imss_catalog_gettext(catalog, "Product updates for %1$s ended on %2$s. The "
						  "support contract ended on %3$s and the renewal "
						  "grace period ended on %2$s. To maintain "
						  "protection and update product components, you "
						  "must renew the contract."),
		    name,
		    g,
		    e);
	}
}

/* the console text of what the license server said about the code of the
 * license @name */
static gchar *
imss_notice_render_code(const ImssCatalog *catalog, const ImssNoticeData *notice, const gchar *name)
{
	switch (notice->kind) {
	case IMSS_NOTICE_CODE_REPLACED:
		return g_strdup_printf(
		    /* TRANSLATORS: console notice (SPEC §5.3, §10 Q5 (1)); %s license name */
		    imss_catalog_gettext(catalog, "The license server reports that the activation "
						  "code of %s was replaced by a new code. The new "
						  "code is used only once it is registered as a new "
						  "activation (imss-licensectl activate)."),
		    name);
	case IMSS_NOTICE_CODE_UNKNOWN:
		return g_strdup_printf(
		    /* TRANSLATORS: console notice; %s license name */
		    imss_catalog_gettext(catalog, "The license server does not know the activation "
						  "code of %s. Check the code with your reseller or "
						  "technical support."),
		    name);
	default:
		return g_strdup_printf(
		    /* TRANSLATORS: console notice; %s license name */
		    imss_catalog_gettext(catalog, "The license server reports the activation code "
						  "of %s as suspended. Check the code with your "
						  "reseller or technical support."),
		    name);
	}
}

gchar *
imss_notice_render_console(const ImssCatalog *catalog, const ImssNoticeData *notice)
{
	gchar *text;
	const gchar *name;

	g_return_val_if_fail(notice != NULL, NULL);

	text = imss_notice_render_service(catalog, notice);
	if (text != NULL)
		return text;
	name = imss_catalog_gettext(catalog, imss_slot_display_name_untranslated(notice->slot));
	switch (notice->kind) {
	case IMSS_NOTICE_EXPIRING:
	case IMSS_NOTICE_EXPIRED:
	case IMSS_NOTICE_UPDATES_ENDED:
		return imss_notice_render_expiry(catalog, notice, name);
	case IMSS_NOTICE_CODE_REPLACED:
	case IMSS_NOTICE_CODE_UNKNOWN:
	case IMSS_NOTICE_CODE_SUSPENDED:
		return imss_notice_render_code(catalog, notice, name);
	case IMSS_NOTICE_INACTIVE:
	case IMSS_NOTICE_LAST:
	default:
		return g_strdup_printf(
		    /* TRANSLATORS: SPEC §9.1 inactive-component notice, exactly as the
		     * source shows it; %1$s license name, %2$s its short name (the same
		     * name, but "Email Encryption" for Trend Micro Email Encryption)
		     * (ja: %1$sはアクティベートされていません。この機能を使用するには、
		     * %2$sをアクティベートします。) */
		    imss_catalog_gettext(catalog, "%1$s is not activated. To use this feature, "
						  "activate %2$s."),
		    name,
		    imss_catalog_gettext(catalog,
					 imss_slot_short_name_untranslated(notice->slot)));
	}
}

/* the mail period's two templates: before E, and from E through G */
static gboolean
imss_notice_mail_expired(const ImssNoticeData *notice)
{
	return notice->kind == IMSS_NOTICE_EXPIRED ||
	       (notice->kind == IMSS_NOTICE_UPDATES_ENDED && notice->days_since == 90);
}

gchar *
imss_notice_render_mail_subject(const ImssCatalog *catalog, const ImssNoticeData *notice)
{
	const gchar *name;

	g_return_val_if_fail(notice != NULL, NULL);

	name = imss_catalog_gettext(catalog, imss_slot_display_name_untranslated(notice->slot));
	if (notice->kind == IMSS_NOTICE_EXPIRING)
		return g_strdup_printf(
		    /* TRANSLATORS: SPEC §9.2 mail subject, E−15 … E−1; %1$s license
		     * name, %2$d days left
		     * (ja: <ライセンス名>のライセンスの有効期限はあと<残り日数>日で終了します) */
		    imss_catalog_gettext(catalog, "The %1$s license expires in %2$d days"),
		    name,
		    notice->days_left);
	if (imss_notice_mail_expired(notice))
		return g_strdup_printf(
		    /* TRANSLATORS: SPEC §9.2 mail subject, E … G; %1$s license name,
		     * %2$d days since expiry
		     * (ja: <ライセンス名>のライセンスの有効期限は<経過日数>日前に終了しています) */
		    imss_catalog_gettext(catalog, "The %1$s license expired %2$d days ago"),
		    name,
		    notice->days_since);
	return NULL;
}

gchar *
imss_notice_render_mail_body(const ImssCatalog *catalog, const ImssNoticeData *notice)
{
	const gchar *name;

	g_return_val_if_fail(notice != NULL, NULL);

	name = imss_catalog_gettext(catalog, imss_slot_display_name_untranslated(notice->slot));
	if (notice->kind == IMSS_NOTICE_EXPIRING)
		return g_strdup_printf(
		    /* TRANSLATORS: SPEC §9.2 mail body, E−15 … E−1 */
		    imss_catalog_gettext(catalog, "The %1$s license expires in %2$d days."),
		    name,
		    notice->days_left);
	if (imss_notice_mail_expired(notice))
		return g_strdup_printf(
		    /* TRANSLATORS: SPEC §9.2 mail body, E … G; two lines; %1$s license
		     * name, %2$d days since expiry, %3$d days left in the grace period */
		    imss_catalog_gettext(catalog, "The %1$s license expired %2$d days ago.\n"
						  "The license is in its renewal grace period, "
						  "which ends in %3$d days."),
		    name,
		    notice->days_since,
		    notice->grace_left);
	return NULL;
}

void
imss_notice_add_fields(GVariantBuilder *b, const ImssNoticeData *notice)
{
	g_return_if_fail(b != NULL);
	g_return_if_fail(notice != NULL);

	imss_vardict_add(b,
	                 "slot",
	                 g_variant_new_string(imss_notice_kind_has_slot(notice->kind)
	                                          ? imss_slot_to_string(notice->slot)
	                                          : ""));
	imss_vardict_add(
	    b, "kind", g_variant_new_string(imss_notice_kind_to_string(notice->kind)));
	imss_vardict_add(b,
	                 "severity",
	                 g_variant_new_string(imss_notice_severity_to_string(
	                     imss_notice_data_get_severity(notice))));
	if (notice->unit[0] != '\0')
		imss_vardict_add(b, "unit", g_variant_new_string(notice->unit));
	if (imss_notice_kind_has_dates(notice->kind)) {
		imss_vardict_add(b, "days_left", g_variant_new_int32(notice->days_left));
		imss_vardict_add(b, "grace_left", g_variant_new_int32(notice->grace_left));
		imss_vardict_add(b, "days_since", g_variant_new_int32(notice->days_since));
		imss_vardict_add(b, "expiry", g_variant_new_take_string(imss_date_format(&notice->expiry)));
		imss_vardict_add(
		    b, "grace_end", g_variant_new_take_string(imss_date_format(&notice->grace_end)));
	}
}

gboolean
imss_notice_from_variant(GVariant *dict, ImssNoticeData *notice)
{
	g_autoptr(GVariantDict) d = NULL;
	const gchar *slot = NULL, *kind = NULL, *e = NULL, *g = NULL, *unit = NULL;
	ImssNoticeKind k;
	ImssSlotId s = IMSS_SLOT_LAST;

	g_return_val_if_fail(dict != NULL, FALSE);
	g_return_val_if_fail(notice != NULL, FALSE);

	d = g_variant_dict_new(dict);
	memset(notice, 0, sizeof(*notice));
	if (!g_variant_dict_lookup(d, "kind", "&s", &kind) || !imss_notice_kind_from_string(kind, &k) ||
	    !g_variant_dict_lookup(d, "slot", "&s", &slot) ||
	    (imss_notice_kind_has_slot(k) && !imss_slot_from_string(slot, &s)))
		return FALSE;
	g_variant_dict_lookup(d, "unit", "&s", &unit);
	imss_notice_data_init(notice, k, s, unit);
	if (!imss_notice_kind_has_dates(k))
		return TRUE;
	if (!g_variant_dict_lookup(d, "days_left", "i", &notice->days_left) ||
	    !g_variant_dict_lookup(d, "grace_left", "i", &notice->grace_left) ||
	    !g_variant_dict_lookup(d, "days_since", "i", &notice->days_since) ||
	    !g_variant_dict_lookup(d, "expiry", "&s", &e) || !imss_date_parse(e, &notice->expiry) ||
	    !g_variant_dict_lookup(d, "grace_end", "&s", &g) || !imss_date_parse(g, &notice->grace_end))
		return FALSE;
	return TRUE;
}
