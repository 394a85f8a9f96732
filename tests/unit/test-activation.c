#include "config.h"

#include "imss-activation.h"
#include "imss-error.h"

#define BIT(s) (1u << (s))

static gchar *
make_code(ImssCodePrefix prefix, ImssEdition edition, guint32 slots, gboolean offline)
{
	ImssCodeInfo info = {0};
	g_autoptr(GError) error = NULL;
	gchar *code;
	info.prefix = prefix;
	info.edition = edition;
	info.slot_mask = slots;
	info.offline = offline;
	info.serial = 42;
	g_date_clear(&info.expiry, 1);
	g_date_set_dmy(&info.expiry, 31, G_DATE_JANUARY, 2030);
	code = imss_code_encode(&info, &error);
	g_assert_no_error(error);
	return code;
}

static void
assert_refused(ImssEdition edition, const gchar *slot, const gchar *code, ImssError expected)
{
	g_auto(ImssActivationPlan) plan = {0};
	g_autoptr(GError) error = NULL;
	g_assert_false(imss_activation_plan(edition, slot, code, &plan, &error));
	g_assert_error(error, IMSS_ERROR, (gint)expected);
	g_assert_null(plan.canonical);
	if (code != NULL && strlen(code) > 8)
		g_assert_null(strstr(error->message, code));
}

static void
test_activation_rules(void)
{
	g_autofree gchar *av = make_code(IMSS_CODE_PREFIX_IM, IMSS_EDITION_IMSVA, BIT(IMSS_SLOT_ANTIVIRUS), FALSE);
	g_autofree gchar *as = make_code(IMSS_CODE_PREFIX_IM, IMSS_EDITION_IMSVA,
					 BIT(IMSS_SLOT_ANTISPAM) | BIT(IMSS_SLOT_EMAIL_REPUTATION), FALSE);
	g_autofree gchar *imss = make_code(IMSS_CODE_PREFIX_IM, IMSS_EDITION_IMSS, BIT(IMSS_SLOT_ANTIVIRUS), FALSE);
	g_autofree gchar *enc = make_code(IMSS_CODE_PREFIX_IM, IMSS_EDITION_IMSS, BIT(IMSS_SLOT_EMAIL_ENCRYPTION), FALSE);
	g_autofree gchar *lower = g_ascii_strdown(av, -1);
	g_auto(ImssActivationPlan) plan = {0};
	g_auto(ImssActivationPlan) pair = {0};
	g_autoptr(GError) error = NULL;

	g_assert_true(imss_activation_plan(IMSS_EDITION_IMSVA, "antivirus", lower, &plan, &error));
	g_assert_no_error(error);
	g_assert_cmpint(plan.slot, ==, IMSS_SLOT_ANTIVIRUS);
	g_assert_cmpuint(plan.n_targets, ==, 1);
	g_assert_cmpstr(plan.canonical, ==, av);
	g_assert_true(g_str_has_suffix(plan.masked, av + 32));
	g_assert_null(strstr(plan.masked, av + 8));

	/* SPEC §1: antispam brings email reputation along */
	g_assert_true(imss_activation_plan(IMSS_EDITION_IMSVA, "antispam", as, &pair, &error));
	g_assert_cmpuint(pair.n_targets, ==, 2);
	g_assert_cmpint(pair.targets[0], ==, IMSS_SLOT_ANTISPAM);
	g_assert_cmpint(pair.targets[1], ==, IMSS_SLOT_EMAIL_REPUTATION);

	/* the order of the errors (docs/design.md) */
	assert_refused(IMSS_EDITION_IMSVA, "nonsense", av, IMSS_ERROR_UNKNOWN_SLOT);
	assert_refused(IMSS_EDITION_IMSS, "email-encryption", enc, IMSS_ERROR_SLOT_DISABLED);
	assert_refused(IMSS_EDITION_IMSS, "email-encryption", "garbage", IMSS_ERROR_SLOT_DISABLED);
	assert_refused(IMSS_EDITION_IMSVA, "antivirus", "garbage", IMSS_ERROR_INVALID_CODE);
	assert_refused(IMSS_EDITION_IMSVA, "antivirus", NULL, IMSS_ERROR_INVALID_CODE);
	assert_refused(IMSS_EDITION_IMSVA, "antivirus", imss, IMSS_ERROR_INVALID_CODE); /* other edition */
	assert_refused(IMSS_EDITION_IMSVA, "compliance", av, IMSS_ERROR_INVALID_CODE);	/* other slot */
}

/* SPEC §6: a binding refuses a different anti-spam code, nothing else */
static void
test_activation_click(void)
{
	g_autofree gchar *as1 = make_code(IMSS_CODE_PREFIX_IM, IMSS_EDITION_IMSVA,
					  BIT(IMSS_SLOT_ANTISPAM) | BIT(IMSS_SLOT_EMAIL_REPUTATION), FALSE);
	g_autofree gchar *as2 = make_code(IMSS_CODE_PREFIX_IM, IMSS_EDITION_IMSVA,
					  BIT(IMSS_SLOT_ANTISPAM) | BIT(IMSS_SLOT_EMAIL_REPUTATION), TRUE);
	g_autofree gchar *av = make_code(IMSS_CODE_PREFIX_IM, IMSS_EDITION_IMSVA, BIT(IMSS_SLOT_ANTIVIRUS), FALSE);
	g_autofree gchar *bound = imss_activation_click_digest(as1);
	g_auto(ImssActivationPlan) same = {0};
	g_auto(ImssActivationPlan) other = {0};
	g_auto(ImssActivationPlan) antivirus = {0};

	g_assert_null(strstr(bound, as1 + 3));
	g_assert_cmpuint(strlen(bound), ==, 64);
	g_assert_true(imss_activation_plan(IMSS_EDITION_IMSVA, "antispam", as1, &same, NULL));
	g_assert_true(imss_activation_plan(IMSS_EDITION_IMSVA, "antispam", as2, &other, NULL));
	g_assert_true(imss_activation_plan(IMSS_EDITION_IMSVA, "antivirus", av, &antivirus, NULL));
	g_assert_true(imss_activation_click_allows(&same, bound));
	g_assert_false(imss_activation_click_allows(&other, bound));
	g_assert_true(imss_activation_click_allows(&other, NULL));
	g_assert_true(imss_activation_click_allows(&antivirus, bound));
}

int
main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/imss/activation/rules", test_activation_rules);
	g_test_add_func("/imss/activation/click-protection", test_activation_click);
	return g_test_run();
}
