/*
 * `imss-licensectl notices` and `doctor`: what the daemon says to the
 * operator, rendered by the daemon in the client's language.
 */
#define G_LOG_DOMAIN "ImssCtl"

#include "config.h"

#include <glib/gi18n.h>

#include "imss-ctl.h"
#include "imss-error.h"
#include "imss-records.h"

/* -- notices ---------------------------------------------------------------- */

/* one notice of GetNotices: a severity mark, what it is about, the text */
static void
imss_ctl_print_notice(GVariant *notice)
{
	const gchar *slot = "", *unit = "", *severity = "", *text = "";
	const gchar *mark;
	g_variant_lookup(notice, "slot", "&s", &slot);
	g_variant_lookup(notice, "unit", "&s", &unit);
	g_variant_lookup(notice, "severity", "&s", &severity);
	g_variant_lookup(notice, "text", "&s", &text);
	mark = g_strcmp0(severity, "critical") == 0  ? "!!"
	       : g_strcmp0(severity, "warning") == 0 ? "! "
						     : "  ";
	if (*slot != '\0' || *unit != '\0')
		g_print("%s [%s] %s\n", mark, *slot != '\0' ? slot : unit, text);
	else
		g_print("%s %s\n", mark, text);
}

/* the notices, in the client's language (ImssNotice) */
static GPtrArray *
imss_ctl_read_notices(ImssCtl *ctl, GError **error)
{
	imss_client_get_notices_async(ctl->client, imss_ctl_language(), NULL, imss_ctl_async_cb, ctl);
	return imss_client_get_notices_finish(ctl->client, imss_ctl_wait(ctl), error);
}

/* the notices whose kind starts with @prefix (what the server said about
 * the codes after an update, under the status table) */
void
imss_ctl_print_notices_of(ImssCtl *ctl, const gchar *prefix)
{
	g_autoptr(GPtrArray) notices = NULL;

	g_return_if_fail(ctl != NULL);
	g_return_if_fail(prefix != NULL);

	notices = imss_ctl_read_notices(ctl, NULL);
	if (notices == NULL)
		return;
	for (guint i = 0; i < notices->len; i++) {
		ImssNotice *notice = g_ptr_array_index(notices, i);
		if (g_str_has_prefix(imss_notice_kind_to_string(imss_notice_get_kind(notice)), prefix))
			imss_ctl_print_notice(imss_notice_get_fields(notice));
	}
}

gboolean
imss_ctl_notices(ImssCtl *ctl, gchar **args, GError **error)
{
	g_autoptr(GPtrArray) notices = NULL;
	g_autoptr(JsonBuilder) builder = json_builder_new();

	g_return_val_if_fail(ctl != NULL, FALSE);
	g_return_val_if_fail(error == NULL || *error == NULL, FALSE);

	if (!imss_ctl_connect(ctl, error))
		return FALSE;
	notices = imss_ctl_read_notices(ctl, error);
	if (notices == NULL)
		return FALSE;
	if (ctl->json)
		json_builder_begin_array(builder);
	for (guint i = 0; i < notices->len; i++) {
		GVariant *entry = imss_notice_get_fields(g_ptr_array_index(notices, i));
		if (ctl->json)
			json_builder_add_value(builder, json_gvariant_serialize(entry));
		else
			imss_ctl_print_notice(entry);
	}
	if (ctl->json) {
		json_builder_end_array(builder);
		imss_ctl_print_json(builder);
	} else if (notices->len == 0) {
		/* TRANSLATORS: `notices` with nothing to show */
		g_print("%s\n", _("There are no notices."));
	}
	return TRUE;
}

/* -- the doctor ------------------------------------------------------------- */

static const gchar *
imss_ctl_slot_name(const gchar *slot_id)
{
	ImssSlotId id;
	return imss_slot_from_string(slot_id, &id) ? imss_slot_display_name(id) : slot_id;
}

/* the diagnosis of @slot: added to @builder, or printed when it is NULL */
static gboolean
imss_ctl_doctor_one(ImssCtl *ctl, const gchar *slot, JsonBuilder *builder, GError **error)
{
	g_autoptr(GVariant) diag = NULL;
	g_auto(ImssDiagnosisRecord) diagnosis = {NULL};

	imss_client_diagnose_async(ctl->client, slot, imss_ctl_language(), NULL, imss_ctl_async_cb, ctl);
	diag = imss_client_diagnose_finish(ctl->client, imss_ctl_wait(ctl), error);
	if (diag == NULL)
		return FALSE;
	if (!imss_diagnosis_record_from_variant(diag, &diagnosis, error))
		return imss_ctl_malformed(error);
	if (builder != NULL) {
		json_builder_add_value(builder, json_gvariant_serialize(diag));
		return TRUE;
	}
	g_print("%s (%s)\n", imss_ctl_slot_name(slot), slot);
	for (guint i = 0; diagnosis.findings[i] != NULL; i++)
		g_print("  - %s\n", diagnosis.findings[i]);
	/* TRANSLATORS: the doctor's conclusion, followed by the action */
	g_print("  => %s %s\n\n", _("What to do:"), diagnosis.action);
	return TRUE;
}

/* every activated slot */
static gboolean
imss_ctl_doctor_all(ImssCtl *ctl, JsonBuilder *builder, GError **error)
{
	for (guint i = 0; i < IMSS_SLOT_LAST; i++) {
		g_autoptr(ImssSlot) slot = imss_ctl_get_slot(ctl, (ImssSlotId)i, error);
		if (slot == NULL)
			return FALSE;
		if (*imss_slot_get_expiry(slot) == '\0')
			continue;
		if (!imss_ctl_doctor_one(ctl, imss_slot_to_string((ImssSlotId)i), builder, error))
			return FALSE;
	}
	return TRUE;
}

gboolean
imss_ctl_doctor(ImssCtl *ctl, gchar **args, GError **error)
{
	g_autoptr(JsonBuilder) builder = NULL;
	ImssSlotId id;

	g_return_val_if_fail(ctl != NULL && args != NULL, FALSE);
	g_return_val_if_fail(error == NULL || *error == NULL, FALSE);

	if (args[0] != NULL && (args[1] != NULL || !imss_slot_from_string(args[0], &id)))
		return imss_ctl_unknown_slot(error);
	if (!imss_ctl_connect(ctl, error))
		return FALSE;
	if (ctl->json) {
		builder = json_builder_new();
		json_builder_begin_array(builder);
	}
	if (args[0] != NULL ? !imss_ctl_doctor_one(ctl, args[0], builder, error)
			    : !imss_ctl_doctor_all(ctl, builder, error))
		return FALSE;
	if (builder != NULL) {
		json_builder_end_array(builder);
		imss_ctl_print_json(builder);
	}
	return TRUE;
}
