/*
 * A parent/child fleet sharing one PostgreSQL database (SPEC §9.2, RELIABILITY
 * decision 3): two nodes wake at the same 00:00; every scheduled run (the
 * automatic check, the day's mail notice) is claimed by exactly one of them.
 */
#include "config.h"

#include "test-pg.h"

#include <string.h>

#include "imss-date.h"
#include "imss-gda.h"
#include "imss-license-manager.h"
#include "imss-slot.h"

typedef struct {
	ImssConfig *config;
	ImssStore *store;
	ImssClock *clock;
	ImssLicenseManager *manager;
	guint notices;
	guint checks;
} Node;

static void
notice_cb(ImssLicenseManager *m, gpointer notice, gboolean mail, Node *node)
{
	if (mail)
		node->notices++;
}

static void
node_start(Node *node, const gchar *cnc, const gchar *auth, gint64 now)
{
	g_autoptr(GError) error = NULL;
	node->config = imss_config_new();
	/* standalone: nobody asks a license server here */
	g_assert_true(imss_config_load_data(node->config,
					    "[license]\nedition=imsva\nenvironment=standalone\n",
					    "fleet",
					    &error));
	node->store = imss_store_new("PostgreSQL", cnc, auth);
	imss_store_open(node->store, &error);
	g_assert_no_error(error);
	node->clock = imss_clock_new_virtual(now);
	{
		/* the collaborators imss-main.c builds */
		g_autoptr(ImssLicenseServer) server = imss_license_server_new(node->config);
		g_autoptr(ImssSystemd) systemd = imss_systemd_new();
		g_autoptr(ImssMailer) mailer = imss_mailer_new(node->config);
		node->manager = imss_license_manager_new(node->config, node->store, node->clock, server, systemd, mailer);
	}
	g_assert_true(imss_license_manager_load(node->manager, &error));
	g_signal_connect(node->manager, "notice", G_CALLBACK(notice_cb), node);
	g_assert_true(imss_license_manager_start(node->manager, &error));
}

static void
node_stop(Node *node)
{
	g_clear_object(&node->manager);
	g_clear_object(&node->store);
	g_clear_object(&node->clock);
	g_clear_object(&node->config);
}

static guint
count_history(Node *node, const gchar *action)
{
	g_autoptr(GPtrArray) h = imss_license_manager_get_history(node->manager, 0, NULL);
	guint n = 0;
	for (guint i = 0; i < h->len; i++) {
		ImssStoreHistory *e = g_ptr_array_index(h, i);
		if (g_strcmp0(e->action, action) == 0 && g_strcmp0(e->outcome, "due") == 0)
			n++;
	}
	return n;
}

static void
test_fleet_claims_once(void)
{
	g_autofree gchar *cnc = NULL;
	g_autofree gchar *auth = NULL;
	g_autoptr(GError) error = NULL;
	g_autofree gchar *code = NULL;
	ImssCodeInfo info = {0};
	Node a = {0}, b = {0};
	gint64 start = 1564617600; /* 2019-08-01 00:00 UTC */

	if (!imss_test_pg_reset(&cnc, &auth))
		return;
	g_setenv("TZ", "UTC", TRUE);

	/* the parent activates; the child loads the shared licenses */
	node_start(&a, cnc, auth, start);
	info.prefix = IMSS_CODE_PREFIX_IM;
	info.edition = IMSS_EDITION_IMSVA;
	info.slot_mask = (1u << IMSS_SLOT_ANTISPAM) | (1u << IMSS_SLOT_EMAIL_REPUTATION);
	g_assert_true(imss_date_parse("2019-09-20", &info.expiry));
	info.serial = 4242;
	code = imss_code_encode(&info, &error);
	g_assert_nonnull(imss_license_manager_activate(a.manager, "antispam", code, "uid 0", NULL, &error));
	g_assert_no_error(error);
	node_start(&b, cnc, auth, start);

	/* both wake at each 00:00 through 2019-09-26 (E−15 … E+6: 22 mail days, two
	 * slots; check days E−30, E−1, E on both slots — E−60 came before the
	 * activation), interleaved */
	for (guint day = 0; day < 56; day++) {
		/* whichever node gets there first that day claims the runs */
		Node *first = day % 2 == 0 ? &a : &b;
		Node *second = day % 2 == 0 ? &b : &a;
		imss_clock_advance(first->clock, 86400);
		imss_clock_advance(second->clock, 86400);
	}
	g_assert_cmpuint(a.notices + b.notices, ==, 2 * 22);
	g_assert_cmpuint(count_history(&a, "notice"), ==, 2 * 22);
	g_assert_cmpuint(count_history(&a, "automatic-check"), ==, 2 * 3);
	/* both nodes did some of the work: the claims decided, not a leader */
	g_assert_cmpuint(a.notices, >, 0);
	g_assert_cmpuint(b.notices, >, 0);
	g_test_message("mail notices: parent %u, child %u", a.notices, b.notices);
	node_stop(&a);
	node_stop(&b);
}

int
main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/imss/fleet/claims-once", test_fleet_claims_once);
	return g_test_run();
}
