#include "config.h"

#include <libsoup/soup.h>

#include "imss-license-checker.h"

/* A license server that holds every request until told, and counts them. */
typedef struct {
	SoupServer *server;
	GPtrArray *held; /* SoupServerMessage */
	guint requests;
	guint applied;
	guint done;
	gchar *url;
} Fixture;

static void
handler(SoupServer *server, SoupServerMessage *msg, const char *path, GHashTable *query, gpointer data)
{
	Fixture *fx = data;
	fx->requests++;
	soup_server_message_pause(msg);
	g_ptr_array_add(fx->held, g_object_ref(msg));
}

static void
release(Fixture *fx)
{
	for (guint i = 0; i < fx->held->len; i++) {
		SoupServerMessage *msg = g_ptr_array_index(fx->held, i);
		/* not an answer of the protocol: an invalid answer */
		soup_server_message_set_status(msg, 200, NULL);
		soup_server_message_set_response(msg, "text/plain", SOUP_MEMORY_STATIC, "nonsense", 8);
		soup_server_message_unpause(msg);
	}
	g_ptr_array_set_size(fx->held, 0);
}

static gboolean
apply(const gchar *code,
      const ImssCheckRequest *request,
      ImssServerAnswer *answer,
      const GError *failure,
      ImssCheckResult *result,
      gpointer user_data,
      GError **error)
{
	Fixture *fx = user_data;
	fx->applied++;
	g_assert_null(answer);
	g_assert_nonnull(failure);
	g_assert_cmpstr(request->action, ==, "manual-update");
	return TRUE;
}

static void
checked_cb(GObject *source, GAsyncResult *res, gpointer user_data)
{
	Fixture *fx = user_data;
	g_autoptr(GError) error = NULL;
	g_autofree ImssCheckResult *result =
	    imss_license_checker_check_finish(IMSS_LICENSE_CHECKER(source), res, &error);
	g_assert_null(result);
	g_assert_error(error, IMSS_LICENSE_SERVER_ERROR, IMSS_LICENSE_SERVER_ERROR_INVALID_ANSWER);
	fx->done++;
}

static void
asked_cb(GObject *source, GAsyncResult *res, gpointer user_data)
{
	Fixture *fx = user_data;
	g_autoptr(GError) error = NULL;
	ImssServerAnswer *answer = imss_license_checker_ask_finish(IMSS_LICENSE_CHECKER(source), res, &error);
	g_assert_null(answer);
	g_assert_nonnull(error);
	fx->done++;
}

/* one request per code: concurrent checks and a doctor's question share it,
 * and the answer is applied once */
static void
test_checker_one_request_per_code(void)
{
	Fixture fx = {0};
	g_autoptr(GError) error = NULL;
	g_autoptr(ImssConfig) config = imss_config_new();
	g_autoptr(ImssLicenseServer) server = NULL;
	g_autoptr(ImssClock) clock = imss_clock_new_virtual(1764547200);
	g_autoptr(ImssLicenseChecker) checker = NULL;
	g_autofree gchar *conf = NULL;
	ImssCheckRequest request = {"manual-update", "uid 0", NULL};
	ImssCodeInfo info = {0};
	g_autofree gchar *code = NULL;
	GSList *uris;

	info.prefix = IMSS_CODE_PREFIX_IM;
	info.edition = IMSS_EDITION_IMSVA;
	info.slot_mask = 1u << IMSS_SLOT_ANTIVIRUS;
	g_date_clear(&info.expiry, 1);
	g_date_set_dmy(&info.expiry, 31, G_DATE_JANUARY, 2030);
	code = imss_code_encode(&info, &error);
	g_assert_no_error(error);
	/* the client warns about each refused answer: expected here */
	g_log_set_always_fatal(G_LOG_FATAL_MASK | G_LOG_LEVEL_CRITICAL);

	fx.held = g_ptr_array_new_with_free_func(g_object_unref);
	fx.server = soup_server_new(NULL, NULL);
	soup_server_add_handler(fx.server, NULL, handler, &fx, NULL);
	g_assert_true(soup_server_listen_local(fx.server, 0, SOUP_SERVER_LISTEN_IPV4_ONLY, &error));
	uris = soup_server_get_uris(fx.server);
	fx.url = g_strdup_printf("http://127.0.0.1:%d/ollu/license_update.aspx",
				 g_uri_get_port(uris->data));
	g_slist_free_full(uris, (GDestroyNotify)g_uri_unref);
	conf = g_strdup_printf("[license-server]\nurl=%s\n", fx.url);
	g_assert_true(imss_config_load_data(config, conf, "test.conf", &error));
	server = imss_license_server_new(config);
	checker = imss_license_checker_new(server, clock, IMSS_EDITION_IMSVA, apply, &fx);

	imss_license_checker_check_async(checker, code, &request, checked_cb, &fx);
	imss_license_checker_check_async(checker, code, &request, checked_cb, &fx);
	imss_license_checker_ask_async(checker, code, asked_cb, &fx);
	while (fx.requests < 1)
		g_main_context_iteration(NULL, TRUE);
	/* a little longer: nothing else may come */
	for (guint i = 0; i < 50; i++)
		g_main_context_iteration(NULL, FALSE);
	g_assert_cmpuint(fx.requests, ==, 1);
	release(&fx);
	while (fx.done < 3)
		g_main_context_iteration(NULL, TRUE);
	g_assert_cmpuint(fx.applied, ==, 1);
	g_assert_cmpuint(fx.requests, ==, 1);

	/* after the answer, a new check is a new request */
	imss_license_checker_check_async(checker, code, &request, checked_cb, &fx);
	while (fx.requests < 2)
		g_main_context_iteration(NULL, TRUE);
	release(&fx);
	while (fx.done < 4)
		g_main_context_iteration(NULL, TRUE);
	g_assert_cmpuint(fx.applied, ==, 2);

	/* the client's keep-alive connection and the server's end of it go
	 * before the server itself (valgrind: nothing left behind) */
	g_clear_object(&checker);
	g_clear_object(&server);
	g_ptr_array_unref(fx.held);
	soup_server_disconnect(fx.server);
	while (g_main_context_iteration(NULL, FALSE))
		;
	g_object_unref(fx.server);
	g_free(fx.url);
}

int
main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/imss/license-checker/one-request-per-code", test_checker_one_request_per_code);
	return g_test_run();
}
