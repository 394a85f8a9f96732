/*
 * The license calendar on a virtual clock: the seed's schedule, zone edges,
 * clock steps, catch-up after downtime. Domain level (no bus).
 */
#include "config.h"

#include <glib/gstdio.h>
#include <string.h>

#include "imss-date.h"
#include "imss-license-manager.h"
#include "imss-slot.h"

typedef struct {
	gchar *dir;
	gchar *cnc;
	ImssConfig *config;
	ImssStore *store;
	ImssClock *clock;
	ImssLicenseManager *manager;
	GPtrArray *transitions; /* "ISO-instant state" */
} Fixture;

static gint64
local_instant(const gchar *iso)
{
	g_autoptr(GTimeZone) tz = g_time_zone_new_local();
	g_autoptr(GDateTime) dt = g_date_time_new_from_iso8601(iso, tz);
	g_assert_nonnull(dt);
	return g_date_time_to_unix(dt);
}

static void
state_changed_cb(ImssLicenseManager *m, ImssLicense *l, gint old, gint new_state, Fixture *fx)
{
	g_autofree gchar *now = imss_clock_format_now(fx->clock);
	g_ptr_array_add(fx->transitions,
			g_strdup_printf("%s %s", now, imss_license_state_to_string(new_state)));
}

static void
fixture_start(Fixture *fx, gint64 now)
{
	g_autoptr(GError) error = NULL;
	fx->config = imss_config_new();
	g_assert_true(imss_config_load_data(fx->config, "[license]\nedition=imsva\nenvironment=standalone\n", "t", &error));
	fx->store = imss_store_new("SQLite", fx->cnc, NULL);
	imss_store_open(fx->store, &error);
	g_assert_no_error(error);
	fx->clock = imss_clock_new_virtual(now);
	{
		/* the collaborators imss-main.c builds */
		g_autoptr(ImssLicenseServer) server = imss_license_server_new(fx->config);
		g_autoptr(ImssSystemd) systemd = imss_systemd_new();
		g_autoptr(ImssMailer) mailer = imss_mailer_new(fx->config);
		fx->manager = imss_license_manager_new(fx->config, fx->store, fx->clock, server, systemd, mailer);
	}
	g_assert_true(imss_license_manager_load(fx->manager, &error));
	g_signal_connect(fx->manager, "state-changed", G_CALLBACK(state_changed_cb), fx);
	g_assert_true(imss_license_manager_start(fx->manager, &error));
	g_assert_no_error(error);
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
fixture_setup(Fixture *fx, gconstpointer zone)
{
	g_autoptr(GError) error = NULL;
	g_setenv("TZ", zone != NULL ? zone : "Asia/Tokyo", TRUE);
	fx->dir = g_dir_make_tmp("imss-sched-XXXXXX", &error);
	g_assert_no_error(error);
	fx->cnc = g_strdup_printf("DB_DIR=%s;DB_NAME=imss-license", fx->dir);
	fx->transitions = g_ptr_array_new_with_free_func(g_free);
}

static void
fixture_teardown(Fixture *fx, gconstpointer zone)
{
	g_autofree gchar *db = g_build_filename(fx->dir, "imss-license.db", NULL);
	fixture_stop(fx);
	g_unlink(db);
	g_rmdir(fx->dir);
	g_free(fx->dir);
	g_free(fx->cnc);
	g_ptr_array_unref(fx->transitions);
}

static void
activate(Fixture *fx, ImssSlotId slot, const gchar *expiry)
{
	ImssCodeInfo info = {0};
	g_autoptr(GError) error = NULL;
	g_autofree gchar *code = NULL;
	info.prefix = imss_slot_default_prefix(slot);
	info.edition = IMSS_EDITION_IMSVA;
	info.slot_mask = 1u << slot;
	if (slot == IMSS_SLOT_ANTISPAM)
		info.slot_mask |= 1u << IMSS_SLOT_EMAIL_REPUTATION;
	g_assert_true(imss_date_parse(expiry, &info.expiry));
	info.serial = 1000 + slot;
	code = imss_code_encode(&info, &error);
	g_assert_no_error(error);
	g_assert_nonnull(imss_license_manager_activate(fx->manager, imss_slot_to_string(slot), code, "uid 0", NULL, &error));
	g_assert_no_error(error);
}

/* the automatic checks recorded, oldest first: "ISO-time day" */
static GPtrArray *
checks(Fixture *fx, const gchar *slot)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(GPtrArray) history = imss_license_manager_get_history(fx->manager, 0, &error);
	GPtrArray *out = g_ptr_array_new_with_free_func(g_free);
	g_assert_no_error(error);
	for (guint i = history->len; i > 0; i--) {
		ImssStoreHistory *h = g_ptr_array_index(history, i - 1);
		g_autofree gchar *when = NULL;
		if (g_strcmp0(h->action, "automatic-check") != 0 || g_strcmp0(h->slot, slot) != 0)
			continue;
		when = imss_calendar_format_instant(imss_clock_get_timezone(fx->clock), h->time);
		/* detail: "check day YYYY-MM-DD (...)" */
		g_ptr_array_add(out, g_strdup_printf("%s %.10s", when, h->detail + strlen("check day ")));
	}
	return out;
}

static void
assert_strv(GPtrArray *got, const gchar *const *expected)
{
	guint n = g_strv_length((gchar **)expected);
	for (guint i = 0; i < MAX(got->len, n); i++) {
		const gchar *g = i < got->len ? g_ptr_array_index(got, i) : "(none)";
		const gchar *e = i < n ? expected[i] : "(none)";
		if (g_strcmp0(g, e) != 0)
			g_error("item %u: got '%s', expected '%s'", i, g, e);
	}
}

/* SPEC §5.1: E = 2020-01-31, every check at 00:00 local on its day, once */
static void
test_scheduler_seed_table(Fixture *fx, gconstpointer zone)
{
	const gchar *expected[] = {
	    "2019-08-04T00:00:00+09:00 2019-08-04", "2019-09-03T00:00:00+09:00 2019-09-03",
	    "2019-10-03T00:00:00+09:00 2019-10-03", "2019-11-02T00:00:00+09:00 2019-11-02",
	    "2019-12-02T00:00:00+09:00 2019-12-02", "2020-01-01T00:00:00+09:00 2020-01-01",
	    "2020-01-30T00:00:00+09:00 2020-01-30", "2020-01-31T00:00:00+09:00 2020-01-31",
	    "2020-03-01T00:00:00+09:00 2020-03-01", "2020-03-31T00:00:00+09:00 2020-03-31",
	    "2020-04-30T00:00:00+09:00 2020-04-30", "2020-05-01T00:00:00+09:00 2020-05-01",
	    "2020-05-02T00:00:00+09:00 2020-05-02", "2020-05-03T00:00:00+09:00 2020-05-03",
	    NULL};
	const gchar *states[] = {"2019-08-01T10:00:00+09:00 active",
				 "2019-12-02T00:00:00+09:00 expiring",
				 "2020-01-31T00:00:00+09:00 grace",
				 "2020-04-30T00:00:00+09:00 expired",
				 NULL};
	g_autoptr(GPtrArray) got = NULL;
	fixture_start(fx, local_instant("2019-08-01T10:00:00"));
	activate(fx, IMSS_SLOT_ANTIVIRUS, "2020-01-31");
	imss_clock_advance(fx->clock, local_instant("2020-05-03T12:00:00") - imss_clock_get_time(fx->clock));
	got = checks(fx, "antivirus");
	assert_strv(got, expected);
	assert_strv(fx->transitions, states);
}

/* E on 29 February and on the 31st: civil-date arithmetic */
static void
test_scheduler_leap_and_month_end(Fixture *fx, gconstpointer zone)
{
	g_autoptr(GPtrArray) events = NULL;
	const gchar *expected[] = {"2024-01-30 check", "2024-02-28 check", "2024-02-29 check",
				   "2024-02-29 grace", "2024-03-30 check", NULL};
	g_autoptr(GPtrArray) got = g_ptr_array_new_with_free_func(g_free);
	fixture_start(fx, local_instant("2024-01-15T08:00:00"));
	activate(fx, IMSS_SLOT_ANTIVIRUS, "2024-02-29");
	events = imss_license_manager_list_events(fx->manager, 75);
	for (guint i = 0; i < events->len; i++) {
		ImssEvent *ev = g_ptr_array_index(events, i);
		g_autofree gchar *d = imss_date_format(&ev->date);
		g_ptr_array_add(got, g_strdup_printf("%s %s", d, ev->kind));
	}
	assert_strv(got, expected);
	/* a 31st: E−30 of 2025-03-31 is 2025-03-01, E−60 is 2025-01-30 */
	activate(fx, IMSS_SLOT_CLOUD_PREFILTER, "2025-03-31");
	{
		GDate today, next;
		g_autofree gchar *s = NULL;
		imss_date_parse("2025-02-20", &today);
		imss_calendar_next_check(imss_license_get_expiry(imss_license_manager_get_license(fx->manager, IMSS_SLOT_CLOUD_PREFILTER)), &today, &next);
		s = imss_date_format(&next);
		g_assert_cmpstr(s, ==, "2025-03-01");
	}
}

typedef struct {
	const gchar *zone;
	const gchar *start;
	const gchar *expiry;
	const gchar *until;
	const gchar *expected[4];
} ZoneCase;

/* a date whose 00:00 does not exist runs once at its first existing instant;
 * a repeated 00:00 runs once, at its first occurrence; a missing day is not
 * skipped */
static void
test_scheduler_zone(Fixture *fx, gconstpointer data)
{
	static const ZoneCase cases[] = {
	    {"America/Havana", "2024-03-08T12:00:00", "2024-03-11", "2024-03-10T12:00:00",
	     {"2024-03-10T01:00:00-04:00 2024-03-10", NULL}},
	    {"America/Havana", "2024-11-01T12:00:00", "2024-11-04", "2024-11-03T12:00:00",
	     {"2024-11-03T00:00:00-04:00 2024-11-03", NULL}},
	    {"America/Santiago", "2024-09-06T12:00:00", "2024-09-09", "2024-09-08T12:00:00",
	     {"2024-09-08T01:00:00-03:00 2024-09-08", NULL}},
	    {"Asia/Beirut", "2024-03-29T12:00:00", "2024-04-01", "2024-03-31T12:00:00",
	     {"2024-03-31T01:00:00+03:00 2024-03-31", NULL}},
	    {"Africa/Cairo", "2024-04-24T12:00:00", "2024-04-27", "2024-04-26T12:00:00",
	     {"2024-04-26T01:00:00+03:00 2024-04-26", NULL}},
	    {"Africa/Cairo", "2024-10-29T12:00:00", "2024-11-01", "2024-10-31T23:59:00",
	     {"2024-10-31T00:00:00+03:00 2024-10-31", NULL}},
	    {"Pacific/Apia", "2011-12-28T12:00:00", "2011-12-31", "2011-12-31T12:00:00",
	     {"2011-12-31T00:00:00+14:00 2011-12-30", "2011-12-31T00:00:00+14:00 2011-12-31", NULL}},
	};
	const ZoneCase *zc = NULL;
	g_autoptr(GPtrArray) got = NULL;
	for (guint i = 0; i < G_N_ELEMENTS(cases); i++) {
		g_autofree gchar *name = g_strdup_printf("%s %s", cases[i].zone, cases[i].expiry);
		if (g_strcmp0(name, data) == 0)
			zc = &cases[i];
	}
	g_assert_nonnull(zc);
	g_setenv("TZ", zc->zone, TRUE);
	fixture_start(fx, local_instant(zc->start));
	activate(fx, IMSS_SLOT_ANTIVIRUS, zc->expiry);
	/* minute by minute through the edge, to catch any double run */
	while (imss_clock_get_time(fx->clock) < local_instant(zc->until))
		imss_clock_advance(fx->clock, 60);
	got = checks(fx, "antivirus");
	assert_strv(got, zc->expected);
}

/* a forward jump runs the latest missed check once; a backward one repeats nothing */
static void
test_scheduler_clock_jumps(Fixture *fx, gconstpointer zone)
{
	const gchar *expected[] = {"2020-01-15T09:30:00+09:00 2020-01-01",  /* caught up once */
				   "2020-01-30T00:00:00+09:00 2020-01-30",
				   "2020-01-31T00:00:00+09:00 2020-01-31",
				   NULL};
	g_autoptr(GPtrArray) got = NULL;
	fixture_start(fx, local_instant("2019-12-10T09:00:00"));
	activate(fx, IMSS_SLOT_ANTIVIRUS, "2020-01-31");
	/* the clock is set 36 days ahead: E−30 (2020-01-01) was missed */
	imss_clock_set_time(fx->clock, local_instant("2020-01-15T09:30:00"));
	imss_clock_advance(fx->clock, local_instant("2020-01-31T08:00:00") - imss_clock_get_time(fx->clock));
	/* set back across E−1 and E: nothing runs twice */
	imss_clock_set_time(fx->clock, local_instant("2020-01-29T12:00:00"));
	imss_clock_advance(fx->clock, local_instant("2020-01-31T12:00:00") - imss_clock_get_time(fx->clock));
	got = checks(fx, "antivirus");
	assert_strv(got, expected);
}

/* three days down after the grace period: one catch-up, not three */
static void
test_scheduler_restart_catch_up(Fixture *fx, gconstpointer zone)
{
	const gchar *expected[] = {"2020-05-01T00:00:00+09:00 2020-05-01",
				   "2020-05-04T15:00:00+09:00 2020-05-04",
				   NULL};
	g_autoptr(GPtrArray) got = NULL;
	fixture_start(fx, local_instant("2020-04-30T12:00:00"));
	activate(fx, IMSS_SLOT_ANTIVIRUS, "2020-01-31");
	imss_clock_advance(fx->clock, local_instant("2020-05-01T06:00:00") - imss_clock_get_time(fx->clock));
	fixture_stop(fx);
	/* down for 3 days; the state at start is not a transition */
	g_ptr_array_set_size(fx->transitions, 0);
	fixture_start(fx, local_instant("2020-05-04T15:00:00"));
	got = checks(fx, "antivirus");
	assert_strv(got, expected);
	g_assert_cmpuint(fx->transitions->len, ==, 0);
	/* and a restart the same day runs nothing again */
	fixture_stop(fx);
	fixture_start(fx, local_instant("2020-05-04T16:00:00"));
	g_clear_pointer(&got, g_ptr_array_unref);
	got = checks(fx, "antivirus");
	assert_strv(got, expected);
}

/* offline codes are never checked; NextCheck-style scheduling skips them */
static void
test_scheduler_offline(Fixture *fx, gconstpointer zone)
{
	ImssCodeInfo info = {0};
	g_autoptr(GError) error = NULL;
	g_autofree gchar *code = NULL;
	g_autoptr(GPtrArray) got = NULL;
	fixture_start(fx, local_instant("2020-01-01T12:00:00"));
	info.prefix = IMSS_CODE_PREFIX_DL;
	info.edition = IMSS_EDITION_IMSVA;
	info.slot_mask = 1u << IMSS_SLOT_COMPLIANCE;
	info.offline = TRUE;
	info.serial = 77;
	g_assert_true(imss_date_parse("2020-03-01", &info.expiry));
	code = imss_code_encode(&info, &error);
	g_assert_nonnull(imss_license_manager_activate(fx->manager, "compliance", code, "uid 0", NULL, &error));
	imss_clock_advance(fx->clock, 200 * 86400);
	got = checks(fx, "compliance");
	g_assert_cmpuint(got->len, ==, 0);
	/* but its state still moves: expiring was already true; grace and expired follow */
	g_assert_cmpuint(fx->transitions->len, ==, 3);
}

int
main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add("/imss/scheduler/seed-table", Fixture, "Asia/Tokyo", fixture_setup, test_scheduler_seed_table, fixture_teardown);
	g_test_add("/imss/scheduler/leap-and-month-end", Fixture, "Asia/Tokyo", fixture_setup, test_scheduler_leap_and_month_end, fixture_teardown);
	g_test_add("/imss/scheduler/clock-jumps", Fixture, "Asia/Tokyo", fixture_setup, test_scheduler_clock_jumps, fixture_teardown);
	g_test_add("/imss/scheduler/restart-catch-up", Fixture, "Asia/Tokyo", fixture_setup, test_scheduler_restart_catch_up, fixture_teardown);
	g_test_add("/imss/scheduler/offline", Fixture, "Asia/Tokyo", fixture_setup, test_scheduler_offline, fixture_teardown);
	{
		const gchar *zones[] = {"America/Havana 2024-03-11", "America/Havana 2024-11-04",
					"America/Santiago 2024-09-09", "Asia/Beirut 2024-04-01",
					"Africa/Cairo 2024-04-27", "Africa/Cairo 2024-11-01",
					"Pacific/Apia 2011-12-31"};
		for (guint i = 0; i < G_N_ELEMENTS(zones); i++) {
			g_autofree gchar *path = g_strdup_printf("/imss/scheduler/zone/%s", zones[i]);
			g_strdelimit(path, " ", '-');
			g_test_add(path, Fixture, zones[i], fixture_setup, test_scheduler_zone, fixture_teardown);
		}
	}
	return g_test_run();
}
