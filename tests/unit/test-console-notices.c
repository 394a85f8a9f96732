#include "config.h"

#include "imss-date.h"
#include "imss-console-notices.h"
#include "imss-slot.h"

typedef struct {
	ImssLicense *licenses[IMSS_SLOT_LAST];
	GDate today;
} Fixture;

static void
fixture_setup(Fixture *fx, gconstpointer data)
{
	for (guint i = 0; i < IMSS_SLOT_LAST; i++)
		fx->licenses[i] = imss_license_new((ImssSlotId)i, TRUE);
	g_date_clear(&fx->today, 1);
	g_date_set_dmy(&fx->today, 1, G_DATE_DECEMBER, 2026);
}

static void
fixture_teardown(Fixture *fx, gconstpointer data)
{
	for (guint i = 0; i < IMSS_SLOT_LAST; i++)
		g_clear_object(&fx->licenses[i]);
}

static void
activate(Fixture *fx, ImssSlotId slot, const gchar *expiry, const gchar *server_status)
{
	g_autofree gchar *code = NULL;
	ImssCodeInfo info = {0};
	info.prefix = slot == IMSS_SLOT_COMPLIANCE ? IMSS_CODE_PREFIX_DL : IMSS_CODE_PREFIX_IM;
	info.edition = IMSS_EDITION_IMSVA;
	info.slot_mask = 1u << slot;
	g_date_clear(&info.expiry, 1);
	g_assert_true(imss_date_parse(expiry, &info.expiry));
	code = imss_code_encode(&info, NULL);
	g_assert_nonnull(code);
	imss_license_activate(fx->licenses[slot], code, &info.expiry, FALSE, 1);
	if (server_status[0] != '\0')
		imss_license_set_server_status(fx->licenses[slot], server_status);
}

static GPtrArray *
notices(Fixture *fx, gboolean hidden, gboolean cm_failed, gchar **restarts, gboolean mail)
{
	ImssNoticeFacts facts = {fx->licenses, &fx->today, hidden, cm_failed, restarts, mail};
	return imss_console_notices(&facts);
}

static guint
count_kind(GPtrArray *list, ImssNoticeKind kind)
{
	guint n = 0;
	for (guint i = 0; i < list->len; i++)
		n += ((ImssNoticeData *)g_ptr_array_index(list, i))->kind == kind;
	return n;
}

/* SPEC §9.1: the three optional components, hideable */
static void
test_notices_inactive(Fixture *fx, gconstpointer data)
{
	g_autoptr(GPtrArray) shown = notices(fx, FALSE, FALSE, NULL, TRUE);
	g_autoptr(GPtrArray) hidden = notices(fx, TRUE, FALSE, NULL, TRUE);
	g_assert_cmpuint(shown->len, ==, 3);
	g_assert_cmpuint(count_kind(shown, IMSS_NOTICE_INACTIVE), ==, 3);
	g_assert_cmpuint(hidden->len, ==, 0);
	/* nothing activated: no mail to miss */
	g_clear_pointer(&hidden, g_ptr_array_unref);
	hidden = notices(fx, TRUE, FALSE, NULL, FALSE);
	g_assert_cmpuint(hidden->len, ==, 0);
}

/* expiry notices from E−60, never hidden; what the server said; the gateway's own */
static void
test_notices_all_kinds(Fixture *fx, gconstpointer data)
{
	gchar *failed[] = {(gchar *)"imss-scan.service", NULL};
	g_autoptr(GPtrArray) list = NULL;
	ImssNoticeData *first;

	activate(fx, IMSS_SLOT_ANTIVIRUS, "2027-01-30", "valid");  /* E−60: expiring */
	activate(fx, IMSS_SLOT_ANTISPAM, "2027-06-30", "replaced"); /* no expiry notice yet */
	activate(fx, IMSS_SLOT_COMPLIANCE, "2026-01-01", "");	   /* past G: updates ended */
	list = notices(fx, TRUE, TRUE, failed, FALSE);
	g_assert_cmpuint(count_kind(list, IMSS_NOTICE_EXPIRING), ==, 1);
	g_assert_cmpuint(count_kind(list, IMSS_NOTICE_UPDATES_ENDED), ==, 1);
	g_assert_cmpuint(count_kind(list, IMSS_NOTICE_CODE_REPLACED), ==, 1);
	g_assert_cmpuint(count_kind(list, IMSS_NOTICE_CM_FAILED), ==, 1);
	g_assert_cmpuint(count_kind(list, IMSS_NOTICE_RESTART_FAILED), ==, 1);
	g_assert_cmpuint(count_kind(list, IMSS_NOTICE_NO_RECIPIENTS), ==, 1);
	g_assert_cmpuint(count_kind(list, IMSS_NOTICE_INACTIVE), ==, 0);
	g_assert_cmpuint(list->len, ==, 6);
	/* most severe first */
	first = g_ptr_array_index(list, 0);
	g_assert_cmpint(imss_notice_data_get_severity(first), ==, IMSS_NOTICE_SEVERITY_CRITICAL);
	for (guint i = 1; i < list->len; i++)
		g_assert_cmpint(imss_notice_data_get_severity(g_ptr_array_index(list, i - 1)), >=,
				imss_notice_data_get_severity(g_ptr_array_index(list, i)));
	for (guint i = 0; i < list->len; i++) {
		ImssNoticeData *n = g_ptr_array_index(list, i);
		if (n->kind == IMSS_NOTICE_RESTART_FAILED)
			g_assert_cmpstr(n->unit, ==, "imss-scan.service");
		if (!imss_notice_kind_has_slot(n->kind))
			g_assert_cmpint(n->slot, ==, IMSS_SLOT_LAST);
	}
}

int
main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add("/imss/console-notices/inactive", Fixture, NULL, fixture_setup,
		   test_notices_inactive, fixture_teardown);
	g_test_add("/imss/console-notices/all-kinds", Fixture, NULL, fixture_setup,
		   test_notices_all_kinds, fixture_teardown);
	return g_test_run();
}
