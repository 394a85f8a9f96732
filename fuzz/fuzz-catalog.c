/*
 * Fuzz target for the message-catalogue reader (common/imss-catalog.c): a GNU
 * .mo file is parsed by the daemon, so no byte string may crash it, and a
 * catalogue it accepts never hands out a translation that is not UTF-8 or
 * that a g_strdup_printf() with the original's arguments would misread:
 * every notice and mail of every slot renders through it.
 *
 * Built as `fuzz-catalog` with libFuzzer (-Dfuzzing=true, clang) and always
 * as `fuzz-catalog-replay`, which replays fuzz/corpus/catalog/ (written by
 * fuzz/make-catalog-corpus.py) in `meson test`. A violated property aborts.
 */
#include "config.h"

#define G_LOG_DOMAIN "ImssFuzz"

#include <glib.h>
#include <stdint.h>
#include <stdlib.h>

#include "imss-catalog.h"
#include "imss-notice.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
fuzz_fail(const gchar *what)
{
	g_printerr("fuzz-catalog: %s\n", what);
	abort();
}

static void
fuzz_check_text(const gchar *text)
{
	if (text == NULL || !g_utf8_validate(text, -1, NULL))
		fuzz_fail("a text that is not UTF-8");
}

/* every kind of notice of @slot, rendered through @catalog */
static void
fuzz_render(const ImssCatalog *catalog, ImssSlotId slot)
{
	/* E−14 (expiring, a mail day), E (expired), G (updates ended, the last
	 * mail day), G+1 */
	const gint days_after_expiry[] = {-14, 0, 90, 91};
	ImssNoticeData notice;
	GDate expiry, today;

	g_date_clear(&expiry, 1);
	g_date_set_dmy(&expiry, 31, G_DATE_JANUARY, 2020);
	for (guint i = 0; i <= G_N_ELEMENTS(days_after_expiry); i++) {
		g_autofree gchar *console = NULL;
		g_autofree gchar *subject = NULL;
		g_autofree gchar *body = NULL;
		if (i < G_N_ELEMENTS(days_after_expiry)) {
			today = expiry;
			if (days_after_expiry[i] < 0)
				g_date_subtract_days(&today, (guint)-days_after_expiry[i]);
			else
				g_date_add_days(&today, (guint)days_after_expiry[i]);
			if (!imss_notice_for_expiry(slot, &expiry, &today, &notice))
				fuzz_fail("no notice on a notice day");
		} else {
			imss_notice_inactive(slot, &notice);
		}
		console = imss_notice_render_console(catalog, &notice);
		fuzz_check_text(console);
		subject = imss_notice_render_mail_subject(catalog, &notice);
		body = imss_notice_render_mail_body(catalog, &notice);
		if ((subject == NULL) != (body == NULL))
			fuzz_fail("a mail subject without a body");
		if (subject != NULL) {
			fuzz_check_text(subject);
			fuzz_check_text(body);
		}
	}
	notice.kind = IMSS_NOTICE_CM_FAILED;
	{
		g_autofree gchar *cm = imss_notice_render_console(catalog, &notice);
		fuzz_check_text(cm);
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(ImssCatalog) catalog = imss_catalog_new_from_data(data, size, &error);
	g_autofree gchar *subject = NULL;
	g_autofree gchar *plural = NULL;

	if (catalog == NULL) {
		if (error == NULL)
			fuzz_fail("refused without an error");
		return 0;
	}
	if (error != NULL)
		fuzz_fail("an error and a catalogue");
	if ((gsize)imss_catalog_get_size(catalog) + imss_catalog_get_n_dropped(catalog) > size / 16)
		fuzz_fail("more entries than the file can hold");
	fuzz_check_text(imss_catalog_gettext(catalog, "Cloud Pre-Filter"));
	fuzz_check_text(imss_catalog_gettext(catalog, ""));
	/* formats: the translation takes exactly the original's arguments */
	subject =
	    g_strdup_printf(imss_catalog_gettext(catalog, "The %1$s license expires in %2$d days"),
	                    "Cloud Pre-Filter",
	                    15);
	fuzz_check_text(subject);
	plural = g_strdup_printf(imss_catalog_gettext(catalog, "%1$s: license expires in %2$d day"),
	                         "Cloud Pre-Filter",
	                         1);
	fuzz_check_text(plural);
	for (guint slot = 0; slot < IMSS_SLOT_LAST; slot++)
		fuzz_render(catalog, (ImssSlotId)slot);
	return 0;
}
