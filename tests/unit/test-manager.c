#include "config.h"

#include <glib/gstdio.h>
#include <string.h>

#include "imss-date.h"
#include "imss-error.h"
#include "imss-gda.h"
#include "imss-license-manager.h"
#include "imss-slot.h"

typedef struct {
	gchar *dir;
	gchar *cnc;
	ImssConfig *config;
	ImssStore *store;
	ImssClock *clock;
	ImssLicenseManager *manager;
	guint changed;
} Fixture;

static gchar *
make_code(ImssEdition edition, guint mask, ImssCodePrefix prefix, const gchar *expiry,
	  gboolean offline, guint64 serial)
{
	ImssCodeInfo info = {0};
	g_autoptr(GError) error = NULL;
	gchar *code;
	info.prefix = prefix;
	info.edition = edition;
	info.slot_mask = mask;
	g_assert_true(imss_date_parse(expiry, &info.expiry));
	info.offline = offline;
	info.serial = serial;
	code = imss_code_encode(&info, &error);
	g_assert_no_error(error);
	g_assert_nonnull(code);
	return code;
}

static void
license_changed_cb(ImssLicenseManager *m, ImssLicense *l, const gchar *reason, Fixture *fx)
{
	fx->changed++;
}

static void
fixture_start(Fixture *fx, const gchar *edition)
{
	g_autoptr(GError) error = NULL;
	g_autofree gchar *conf = g_strdup_printf("[license]\nedition=%s\nenvironment=standalone\n", edition);
	fx->config = imss_config_new();
	g_assert_true(imss_config_load_data(fx->config, conf, "test", &error));
	fx->store = imss_store_new("SQLite", fx->cnc, NULL);
	imss_store_open(fx->store, &error);
	g_assert_no_error(error);
	/* 2026-01-15 12:00 UTC */
	fx->clock = imss_clock_new_virtual(1768478400);
	{
		/* the collaborators imss-main.c builds */
		g_autoptr(ImssLicenseServer) server = imss_license_server_new(fx->config);
		g_autoptr(ImssSystemd) systemd = imss_systemd_new();
		g_autoptr(ImssMailer) mailer = imss_mailer_new(fx->config);
		fx->manager = imss_license_manager_new(fx->config, fx->store, fx->clock, server, systemd, mailer);
	}
	g_assert_true(imss_license_manager_load(fx->manager, &error));
	g_assert_no_error(error);
	g_signal_connect(fx->manager, "license-changed", G_CALLBACK(license_changed_cb), fx);
}

static void
fixture_stop(Fixture *fx)
{
	g_clear_object(&fx->manager);
	g_clear_object(&fx->store);
	g_clear_object(&fx->clock);
	g_clear_object(&fx->config);
}

static void
fixture_setup(Fixture *fx, gconstpointer data)
{
	g_autoptr(GError) error = NULL;
	fx->dir = g_dir_make_tmp("imss-manager-XXXXXX", &error);
	g_assert_no_error(error);
	fx->cnc = g_strdup_printf("DB_DIR=%s;DB_NAME=imss-license", fx->dir);
	fixture_start(fx, data != NULL ? data : "imsva");
}

static void
fixture_teardown(Fixture *fx, gconstpointer data)
{
	g_autofree gchar *db = g_build_filename(fx->dir, "imss-license.db", NULL);
	fixture_stop(fx);
	g_unlink(db);
	g_rmdir(fx->dir);
	g_free(fx->dir);
	g_free(fx->cnc);
}

static gchar *
read_db(Fixture *fx)
{
	g_autofree gchar *db = g_build_filename(fx->dir, "imss-license.db", NULL);
	gchar *data = NULL;
	gsize len = 0;
	gchar *b64;
	g_assert_true(g_file_get_contents(db, &data, &len, NULL));
	b64 = g_base64_encode((const guchar *)data, len);
	g_free(data);
	return b64;
}

#define SLOT_BIT(s) (1u << (s))

static void
test_manager_activate_antispam_pair(Fixture *fx, gconstpointer data)
{
	g_autofree gchar *code = make_code(IMSS_EDITION_IMSVA,
					   SLOT_BIT(IMSS_SLOT_ANTISPAM) | SLOT_BIT(IMSS_SLOT_EMAIL_REPUTATION),
					   IMSS_CODE_PREFIX_IM, "2027-01-31", FALSE, 42);
	g_autofree gchar *lower = g_ascii_strdown(code, -1);
	g_autoptr(GError) error = NULL;
	gboolean changed = FALSE;
	ImssLicense *as, *er;
	GDate today;

	/* lower case and surrounding spaces are fine */
	g_autofree gchar *input = g_strdup_printf("  %s\n", lower);
	as = imss_license_manager_activate(fx->manager, "antispam", input, "uid 0", &changed, &error);
	g_assert_no_error(error);
	g_assert_nonnull(as);
	g_assert_true(changed);
	g_assert_cmpuint(fx->changed, ==, 2);
	er = imss_license_manager_get_license(fx->manager, IMSS_SLOT_EMAIL_REPUTATION);
	g_assert_cmpstr(imss_license_get_code(as), ==, code);
	g_assert_cmpstr(imss_license_get_code(er), ==, code);
	g_assert_false(imss_license_get_verified(as)); /* online: issued date until the server says */
	imss_clock_get_today(fx->clock, &today);
	g_assert_cmpint(imss_license_get_state(as, &today), ==, IMSS_LICENSE_STATE_ACTIVE);
	g_assert_true(g_str_has_prefix(imss_license_get_masked_code(as), "IM-****-"));
	g_assert_true(g_str_has_suffix(imss_license_get_masked_code(as), code + 32));

	/* idempotent */
	as = imss_license_manager_activate(fx->manager, "antispam", code, "uid 0", &changed, &error);
	g_assert_no_error(error);
	g_assert_false(changed);
	g_assert_cmpuint(fx->changed, ==, 2);

	/* persists */
	fixture_stop(fx);
	fixture_start(fx, "imsva");
	er = imss_license_manager_get_license(fx->manager, IMSS_SLOT_EMAIL_REPUTATION);
	g_assert_cmpstr(imss_license_get_code(er), ==, code);
	{
		g_autofree gchar *e = imss_date_format(imss_license_get_expiry(er));
		g_assert_cmpstr(e, ==, "2027-01-31");
	}
}

static void
test_manager_rejections(Fixture *fx, gconstpointer data)
{
	g_autofree gchar *before = NULL;
	g_autofree gchar *after = NULL;
	g_autofree gchar *av = make_code(IMSS_EDITION_IMSVA, SLOT_BIT(IMSS_SLOT_ANTIVIRUS),
					 IMSS_CODE_PREFIX_IM, "2027-01-31", FALSE, 1);
	g_autofree gchar *imss_av = make_code(IMSS_EDITION_IMSS, SLOT_BIT(IMSS_SLOT_ANTIVIRUS),
					      IMSS_CODE_PREFIX_IM, "2027-01-31", FALSE, 2);
	g_autofree gchar *dl = make_code(IMSS_EDITION_IMSVA, SLOT_BIT(IMSS_SLOT_COMPLIANCE),
					 IMSS_CODE_PREFIX_DL, "2027-01-31", FALSE, 3);
	g_autofree gchar *typo = g_strdup(av);
	g_autofree gchar *huge = g_malloc(1024 * 1024 + 1);
	const struct {
		const gchar *slot;
		const gchar *code;
		ImssError expect;
	} cases[] = {
	    {"antivirus2", av, IMSS_ERROR_UNKNOWN_SLOT},
	    {"", av, IMSS_ERROR_UNKNOWN_SLOT},
	    {"antivirus", "", IMSS_ERROR_INVALID_CODE},
	    {"antivirus", "IM-1234", IMSS_ERROR_INVALID_CODE},
	    {"antivirus", huge, IMSS_ERROR_INVALID_CODE},
	    {"antivirus", "IM-ライセンス-コード", IMSS_ERROR_INVALID_CODE},
	    {"antivirus", "IM-'; DROP TABLE slots;--", IMSS_ERROR_INVALID_CODE},
	    {"antivirus", imss_av, IMSS_ERROR_INVALID_CODE},	  /* other edition */
	    {"antivirus", dl, IMSS_ERROR_INVALID_CODE},		  /* wrong prefix */
	    {"cloud-prefilter", av, IMSS_ERROR_INVALID_CODE},	  /* licenses another slot */
	    {"antivirus", typo, IMSS_ERROR_INVALID_CODE},	  /* one character changed */
	};
	memset(huge, 'A', 1024 * 1024);
	huge[1024 * 1024] = '\0';
	typo[10] = typo[10] == 'X' ? 'Y' : 'X';

	/* something stored first, so "unchanged" means something */
	g_assert_nonnull(imss_license_manager_activate(fx->manager, "compliance", dl, "uid 0", NULL, NULL));
	before = read_db(fx);
	for (guint i = 0; i < G_N_ELEMENTS(cases); i++) {
		g_autoptr(GError) error = NULL;
		g_assert_false(imss_license_manager_check_activate(fx->manager, cases[i].slot,
								   cases[i].code, NULL));
		g_assert_null(imss_license_manager_activate(fx->manager, cases[i].slot, cases[i].code,
							    "uid 0", NULL, &error));
		g_assert_error(error, IMSS_ERROR, (gint)cases[i].expect);
		/* the message is the SPEC's text and never quotes the code */
		g_assert_cmpstr(error->message, ==, imss_error_to_text(cases[i].expect));
	}
	after = read_db(fx);
	g_assert_cmpstr(before, ==, after);
	g_assert_cmpuint(fx->changed, ==, 1);
}

static void
test_manager_imss_edition(Fixture *fx, gconstpointer data)
{
	g_autoptr(GError) error = NULL;
	g_autofree gchar *enc = make_code(IMSS_EDITION_IMSVA, SLOT_BIT(IMSS_SLOT_EMAIL_ENCRYPTION),
					  IMSS_CODE_PREFIX_IM, "2027-01-31", FALSE, 5);
	g_autofree gchar *as = make_code(IMSS_EDITION_IMSS,
					 SLOT_BIT(IMSS_SLOT_ANTISPAM) | SLOT_BIT(IMSS_SLOT_EMAIL_REPUTATION),
					 IMSS_CODE_PREFIX_AS, "2027-03-31", TRUE, 6);
	ImssLicense *l;
	g_assert_false(imss_license_get_enabled(
	    imss_license_manager_get_license(fx->manager, IMSS_SLOT_EMAIL_ENCRYPTION)));
	g_assert_null(imss_license_manager_activate(fx->manager, "email-encryption", enc, "uid 0", NULL, &error));
	g_assert_error(error, IMSS_ERROR, IMSS_ERROR_SLOT_DISABLED);
	g_clear_error(&error);
	/* AS- codes are for anti-spam on imss; offline codes are verified by themselves */
	l = imss_license_manager_activate(fx->manager, "antispam", as, "uid 0", NULL, &error);
	g_assert_no_error(error);
	g_assert_true(imss_license_get_offline(l));
	g_assert_true(imss_license_get_verified(l));
}

static void
test_manager_click_protection(Fixture *fx, gconstpointer data)
{
	guint mask = SLOT_BIT(IMSS_SLOT_ANTISPAM) | SLOT_BIT(IMSS_SLOT_EMAIL_REPUTATION);
	g_autofree gchar *c1 = make_code(IMSS_EDITION_IMSVA, mask, IMSS_CODE_PREFIX_IM, "2027-01-31", FALSE, 7);
	g_autofree gchar *c2 = make_code(IMSS_EDITION_IMSVA, mask, IMSS_CODE_PREFIX_IM, "2028-01-31", FALSE, 8);
	g_autoptr(GError) error = NULL;
	g_autoptr(GPtrArray) history = NULL;
	gboolean released = FALSE;

	/* nothing to bind to yet */
	g_assert_false(imss_license_manager_bind_click_protection(fx->manager, "uid 0", &error));
	g_assert_error(error, IMSS_ERROR, IMSS_ERROR_INVALID_ARGS);
	g_clear_error(&error);

	g_assert_nonnull(imss_license_manager_activate(fx->manager, "antispam", c1, "uid 0", NULL, &error));
	g_assert_true(imss_license_manager_bind_click_protection(fx->manager, "uid 0", &error));
	g_assert_true(imss_license_manager_get_click_protection_bound(fx->manager));

	/* survives a restart */
	fixture_stop(fx);
	fixture_start(fx, "imsva");
	g_assert_true(imss_license_manager_get_click_protection_bound(fx->manager));

	g_assert_null(imss_license_manager_activate(fx->manager, "antispam", c2, "uid 0", NULL, &error));
	g_assert_error(error, IMSS_ERROR, IMSS_ERROR_CLICK_PROTECTION_BOUND);
	g_clear_error(&error);
	/* the same code is still fine */
	g_assert_nonnull(imss_license_manager_activate(fx->manager, "antispam", c1, "uid 0", NULL, &error));

	g_assert_true(imss_license_manager_release_click_protection(fx->manager, "uid 0", &released, &error));
	g_assert_true(released);
	g_assert_true(imss_license_manager_release_click_protection(fx->manager, "uid 0", &released, &error));
	g_assert_false(released);
	g_assert_nonnull(imss_license_manager_activate(fx->manager, "antispam", c2, "uid 0", NULL, &error));
	g_assert_no_error(error);
	g_assert_cmpstr(imss_license_get_code(imss_license_manager_get_license(fx->manager, IMSS_SLOT_EMAIL_REPUTATION)), ==, c2);

	/* the history names who did what, codes masked */
	history = imss_license_manager_get_history(fx->manager, 0, &error);
	g_assert_no_error(error);
	g_assert_cmpuint(history->len, >=, 6);
	for (guint i = 0; i < history->len; i++) {
		ImssStoreHistory *h = g_ptr_array_index(history, i);
		g_assert_cmpstr(h->caller, ==, "uid 0");
		g_assert_null(strstr(h->code, c1 + 3));
		g_assert_null(strstr(h->code, c2 + 3));
	}
	g_assert_cmpstr(((ImssStoreHistory *)g_ptr_array_index(history, 0))->action, ==, "activate");
}

/* another program holds the store's lock: a change is Busy and changes
 * nothing, the settings still answer, and the start reads the pending
 * runs (the write-ahead log lets it: never "there are none" for a lock) */
static void
test_manager_locked_store(Fixture *fx, gconstpointer data)
{
	g_autofree gchar *code = make_code(IMSS_EDITION_IMSVA, 1u << IMSS_SLOT_ANTIVIRUS,
					   IMSS_CODE_PREFIX_IM, "2027-01-31", TRUE, 7);
	g_autoptr(GdaConnection) other = NULL;
	g_autoptr(GError) error = NULL;

	g_assert_true(imss_license_manager_set_inactive_notices_hidden(fx->manager, TRUE, "uid 0", &error));
	other = gda_connection_open_from_string("SQLite", fx->cnc, NULL, GDA_CONNECTION_OPTIONS_NONE, &error);
	g_assert_no_error(error);
	gda_connection_execute_non_select_command(other, "BEGIN EXCLUSIVE", &error);
	g_assert_no_error(error);

	g_assert_null(imss_license_manager_activate(fx->manager, "antivirus", code, "uid 0", NULL, &error));
	g_assert_error(error, IMSS_ERROR, IMSS_ERROR_BUSY);
	g_clear_error(&error);
	g_assert_false(imss_license_is_activated(imss_license_manager_get_license(fx->manager, IMSS_SLOT_ANTIVIRUS)));
	g_assert_false(imss_license_manager_set_inactive_notices_hidden(fx->manager, FALSE, "uid 0", &error));
	g_assert_error(error, IMSS_ERROR, IMSS_ERROR_BUSY);
	g_clear_error(&error);
	g_assert_true(imss_license_manager_get_inactive_notices_hidden(fx->manager));
	g_assert_true(imss_license_manager_start(fx->manager, &error));
	g_assert_no_error(error);

	gda_connection_execute_non_select_command(other, "ROLLBACK", &error);
	g_assert_no_error(error);
	gda_connection_close(other);
	g_assert_nonnull(imss_license_manager_activate(fx->manager, "antivirus", code, "uid 0", NULL, &error));
	g_assert_no_error(error);
}

int
main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add("/imss/manager/antispam-pair", Fixture, "imsva", fixture_setup,
		   test_manager_activate_antispam_pair, fixture_teardown);
	g_test_add("/imss/manager/rejections", Fixture, "imsva", fixture_setup,
		   test_manager_rejections, fixture_teardown);
	g_test_add("/imss/manager/imss-edition", Fixture, "imss", fixture_setup,
		   test_manager_imss_edition, fixture_teardown);
	g_test_add("/imss/manager/click-protection", Fixture, "imsva", fixture_setup,
		   test_manager_click_protection, fixture_teardown);
	g_test_add("/imss/manager/locked-store", Fixture, "imsva", fixture_setup,
		   test_manager_locked_store, fixture_teardown);
	return g_test_run();
}
