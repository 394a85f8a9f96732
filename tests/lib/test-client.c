/*
 * libimss-license-1 from C against the daemon on a private system bus
 * (tests/test-library.py runs it, under valgrind with --setup valgrind):
 * construction, properties, the slots, methods, IMSS_ERROR and a signal.
 *
 *   test-client CODE   CODE: a valid activation code for the antivirus slot
 */
#include <imss-license-1/imss-license.h>

typedef struct {
	GMainLoop *loop;
	GAsyncResult *result;
	guint state_changes;
} Fixture;

static void
result_cb(GObject *source, GAsyncResult *res, gpointer user_data)
{
	Fixture *f = user_data;
	f->result = g_object_ref(res);
	g_main_loop_quit(f->loop);
}

/* the result of the call just started, once it is there (transfer full) */
static GAsyncResult *
wait_result(Fixture *f)
{
	GAsyncResult *res;
	if (f->result == NULL)
		g_main_loop_run(f->loop);
	res = g_steal_pointer(&f->result);
	return res;
}

static void
state_changed_cb(ImssClient *client,
		 ImssSlot *slot,
		 ImssLicenseState old_state,
		 ImssLicenseState new_state,
		 gpointer user_data)
{
	Fixture *f = user_data;
	g_assert_cmpstr(imss_slot_get_id(slot), ==, "antivirus");
	g_assert_cmpint(old_state, ==, IMSS_LICENSE_STATE_NOT_ACTIVATED);
	g_assert_cmpint(new_state, ==, IMSS_LICENSE_STATE_ACTIVE);
	f->state_changes++;
}

static gboolean
quit_cb(gpointer user_data)
{
	g_main_loop_quit(user_data);
	return G_SOURCE_REMOVE;
}

int
main(int argc, char **argv)
{
	Fixture f = {0};
	g_autoptr(GAsyncResult) res = NULL;
	g_autoptr(ImssClient) client = NULL;
	g_autoptr(ImssSlot) activated = NULL;
	g_autoptr(GVariant) clock = NULL;
	g_autoptr(GVariant) history = NULL;
	g_autoptr(GVariant) events = NULL;
	g_autoptr(GPtrArray) notices = NULL;
	g_autoptr(GVariant) diagnosis = NULL;
	g_autoptr(GError) error = NULL;
	GListModel *slots;
	ImssSlot *antivirus;

	g_assert_cmpint(argc, ==, 2);
	f.loop = g_main_loop_new(NULL, FALSE);

	/* construction */
	imss_client_new_async(IMSS_CLIENT_FLAGS_DO_NOT_AUTO_START, NULL, result_cb, &f);
	res = wait_result(&f);
	client = imss_client_new_finish(res, &error);
	g_assert_no_error(error);
	g_clear_object(&res);
	g_assert_true(imss_client_get_daemon_running(client));
	g_assert_cmpstr(imss_client_get_edition(client), ==, "imsva");

	/* the slots */
	slots = imss_client_get_slots(client);
	g_assert_cmpuint(g_list_model_get_n_items(slots), ==, 6);
	g_assert_true(g_list_model_get_item_type(slots) == IMSS_TYPE_SLOT);
	antivirus = imss_client_get_slot(client, "antivirus");
	g_assert_nonnull(antivirus);
	g_assert_cmpint(imss_slot_get_state(antivirus), ==, IMSS_LICENSE_STATE_NOT_ACTIVATED);
	g_assert_cmpint(imss_slot_get_days_left(antivirus), ==, IMSS_SLOT_DAYS_LEFT_UNKNOWN);
	g_assert_null(imss_client_get_slot(client, "no-such-slot"));

	/* an error of the daemon in IMSS_ERROR */
	imss_client_activate_async(client, "no-such-slot", argv[1], NULL, result_cb, &f);
	res = wait_result(&f);
	g_assert_null(imss_client_activate_finish(client, res, &error));
	g_assert_error(error, IMSS_ERROR, IMSS_ERROR_UNKNOWN_SLOT);
	g_clear_error(&error);
	g_clear_object(&res);

	/* activation and its signal */
	g_signal_connect(client, "state-changed", G_CALLBACK(state_changed_cb), &f);
	imss_client_activate_async(client, "antivirus", argv[1], NULL, result_cb, &f);
	res = wait_result(&f);
	activated = imss_client_activate_finish(client, res, &error);
	g_assert_no_error(error);
	g_clear_object(&res);
	g_assert_true(activated == antivirus);
	while (f.state_changes == 0) {
		g_timeout_add(50, quit_cb, f.loop);
		g_main_loop_run(f.loop);
	}
	g_assert_cmpint(imss_slot_get_state(antivirus), ==, IMSS_LICENSE_STATE_ACTIVE);
	g_assert_cmpint(imss_slot_get_days_left(antivirus), >, 60);
	g_assert_true(g_str_has_prefix(imss_slot_get_code(antivirus), "IM-****-"));

	/* reads */
	imss_client_get_clock_async(client, NULL, result_cb, &f);
	res = wait_result(&f);
	clock = imss_client_get_clock_finish(client, res, &error);
	g_assert_no_error(error);
	g_clear_object(&res);
	g_assert_cmpstr(imss_client_get_today(client), !=, "");

	imss_client_get_history_async(client, 10, NULL, result_cb, &f);
	res = wait_result(&f);
	history = imss_client_get_history_finish(client, res, &error);
	g_assert_no_error(error);
	g_clear_object(&res);
	g_assert_cmpuint(g_variant_n_children(history), >=, 1);

	imss_client_list_events_async(client, 30, NULL, result_cb, &f);
	res = wait_result(&f);
	events = imss_client_list_events_finish(client, res, &error);
	g_assert_no_error(error);
	g_clear_object(&res);

	imss_client_get_notices_async(client, "ja", NULL, result_cb, &f);
	res = wait_result(&f);
	notices = imss_client_get_notices_finish(client, res, &error);
	g_assert_no_error(error);
	g_clear_object(&res);
	for (guint i = 0; i < notices->len; i++)
		g_assert_nonnull(imss_notice_get_text(g_ptr_array_index(notices, i)));

	imss_client_diagnose_async(client, "antivirus", "en", NULL, result_cb, &f);
	res = wait_result(&f);
	diagnosis = imss_client_diagnose_finish(client, res, &error);
	g_assert_no_error(error);
	g_clear_object(&res);

	g_main_loop_unref(f.loop);
	return 0;
}
