#include "config.h"

#include "imss-clock.h"

typedef struct {
	ImssClock *clock;
	GString *log;
} Fixture;

static gboolean
timeout_cb(gpointer data)
{
	Fixture *fx = ((gpointer *)data)[0];
	const gchar *name = ((gpointer *)data)[1];
	g_string_append_printf(fx->log, "%s@%" G_GINT64_FORMAT " ", name, imss_clock_get_time(fx->clock));
	return G_SOURCE_CONTINUE; /* one-shot anyway */
}

static void
alarm_cb(ImssClock *clock, Fixture *fx)
{
	g_string_append_printf(fx->log, "alarm@%" G_GINT64_FORMAT " ", imss_clock_get_time(clock));
}

/* delays on the virtual clock pass only with Advance, in order with the alarm */
static void
test_clock_virtual_timeouts(void)
{
	Fixture fx = {imss_clock_new_virtual(1000), g_string_new(NULL)};
	gpointer a[] = {&fx, (gpointer) "a"}, b[] = {&fx, (gpointer) "b"}, c[] = {&fx, (gpointer) "c"};
	guint id_c;

	g_signal_connect(fx.clock, "alarm", G_CALLBACK(alarm_cb), &fx);
	imss_clock_add_timeout(fx.clock, 30, timeout_cb, b);
	imss_clock_add_timeout(fx.clock, 10, timeout_cb, a);
	id_c = imss_clock_add_timeout(fx.clock, 20, timeout_cb, c);
	imss_clock_set_alarm(fx.clock, 1025);
	imss_clock_remove_timeout(fx.clock, id_c);
	g_assert_cmpuint(imss_clock_advance(fx.clock, 5), ==, 0);
	g_assert_cmpstr(fx.log->str, ==, "");
	g_assert_cmpuint(imss_clock_advance(fx.clock, 100), ==, 1);
	g_assert_cmpstr(fx.log->str, ==, "a@1010 alarm@1025 b@1030 ");
	g_assert_cmpint(imss_clock_get_time(fx.clock), ==, 1105);

	/* a step keeps what remains of a delay */
	g_string_truncate(fx.log, 0);
	imss_clock_add_timeout(fx.clock, 10, timeout_cb, a);
	imss_clock_set_time(fx.clock, 5000);
	imss_clock_advance(fx.clock, 9);
	g_assert_cmpstr(fx.log->str, ==, "");
	imss_clock_advance(fx.clock, 1);
	g_assert_cmpstr(fx.log->str, ==, "a@5010 ");
	g_object_unref(fx.clock);
	g_string_free(fx.log, TRUE);
}

int
main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/imss/clock/virtual-timeouts", test_clock_virtual_timeouts);
	return g_test_run();
}
