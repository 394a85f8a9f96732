/*
 * tools/server/imss-server-registry.c: the code registry of the simulator —
 * the server's date, codes seen, renewals (which one is in force),
 * replacements, suspensions, the details ids and the limit on codes.
 */
#include "config.h"

#include <gio/gio.h>
#include <string.h>

#include "imss-date.h"
#include "imss-server-registry.h"

/* a valid code of the simulator's tests: antivirus, imsva, @serial */
static gchar *
make_code(guint64 serial, const gchar *expiry, ImssCodeInfo *info)
{
	gchar *code;

	memset(info, 0, sizeof(*info));
	info->prefix = IMSS_CODE_PREFIX_IM;
	info->edition = IMSS_EDITION_IMSVA;
	info->slot_mask = 1u << IMSS_SLOT_ANTIVIRUS;
	g_assert_true(imss_date_parse(expiry, &info->expiry));
	info->serial = serial;
	code = imss_code_encode(info, NULL);
	g_assert_nonnull(code);
	return code;
}

static GDate
date(const gchar *str)
{
	GDate d;
	g_assert_true(imss_date_parse(str, &d));
	return d;
}

/* the status and, for a valid code, the expiry in force */
static gchar *
view(ServerRegistry *registry, const gchar *code, const ImssCodeInfo *info)
{
	const gchar *replaced_by = NULL;
	GDate expiry;
	g_autofree gchar *expiry_str = NULL;
	ImssServerStatus status = server_registry_view(registry, code, info, &expiry, &replaced_by);

	if (status != IMSS_SERVER_STATUS_VALID)
		return g_strdup(imss_server_status_to_string(status));
	expiry_str = imss_date_format(&expiry);
	return g_strdup_printf("valid %s", expiry_str);
}

#define assert_view(registry, code, info, expected)                                                \
	G_STMT_START                                                                               \
	{                                                                                          \
		g_autofree gchar *_v = view(registry, code, info);                                 \
		g_assert_cmpstr(_v, ==, expected);                                                 \
	}                                                                                          \
	G_STMT_END

static void
test_registry_unknown(void)
{
	GDate today = date("2026-11-25");
	g_autoptr(ServerRegistry) registry = server_registry_new(&today, 10);
	ImssCodeInfo info, found;
	g_autofree gchar *code = make_code(1, "2027-01-31", &info);
	g_autofree gchar *id = imss_protocol_details_id(code);

	/* never seen: answered from the code itself, no details page */
	assert_view(registry, code, &info, "valid 2027-01-31");
	g_assert_null(server_registry_lookup_id(registry, id, &found));
	/* seen in a request: a details page, same answer */
	g_assert_true(server_registry_remember(registry, code, &info));
	g_assert_true(server_registry_remember(registry, code, &info));
	g_assert_cmpstr(server_registry_lookup_id(registry, id, &found), ==, code);
	g_assert_cmpint(g_date_compare(&found.expiry, &info.expiry), ==, 0);
	g_assert_null(server_registry_lookup_id(registry, "0123", &found));
	g_assert_null(server_registry_lookup_id(registry, NULL, &found));
	assert_view(registry, code, &info, "valid 2027-01-31");
}

/* codes from protocol requests are limited; admin requests always count */
static void
test_registry_limit(void)
{
	g_autoptr(ServerRegistry) registry = server_registry_new(NULL, 2);
	ImssCodeInfo info[4];
	gchar *codes[4];
	GDate expiry = date("2028-01-31");

	for (guint i = 0; i < G_N_ELEMENTS(codes); i++)
		codes[i] = make_code(10 + i, "2027-01-31", &info[i]);
	g_assert_true(server_registry_remember(registry, codes[0], &info[0]));
	g_assert_true(server_registry_remember(registry, codes[1], &info[1]));
	g_assert_false(server_registry_remember(registry, codes[2], &info[2]));
	/* a known code stays known */
	g_assert_true(server_registry_remember(registry, codes[1], &info[1]));
	server_registry_renew(registry, codes[3], &info[3], &expiry, NULL);
	assert_view(registry, codes[3], &info[3], "valid 2028-01-31");
	for (guint i = 0; i < G_N_ELEMENTS(codes); i++)
		g_free(codes[i]);
}

/* the renewal in force: the latest effective one (without a date: from the
 * day it was posted), on the same date the one posted last */
static void
test_registry_renewals(void)
{
	GDate today = date("2026-11-25");
	g_autoptr(ServerRegistry) registry = server_registry_new(&today, 10);
	ImssCodeInfo info;
	g_autofree gchar *code = make_code(2, "2027-01-31", &info);
	GDate e1 = date("2028-01-31"), e2 = date("2029-01-31"), e3 = date("2026-01-01");
	GDate dec9 = date("2026-12-09"), dec1 = date("2026-12-01");

	/* takes effect on 2026-12-09: not yet */
	server_registry_renew(registry, code, &info, &e1, &dec9);
	assert_view(registry, code, &info, "valid 2027-01-31");
	server_registry_set_today(registry, &dec9);
	assert_view(registry, code, &info, "valid 2028-01-31");
	/* effective earlier than the one in force: it loses */
	server_registry_renew(registry, code, &info, &e2, &dec1);
	assert_view(registry, code, &info, "valid 2028-01-31");
	/* the same effective date: the one posted last wins, even an earlier
	 * expiry (clients' plausibility checks are tested with it) */
	server_registry_renew(registry, code, &info, &e3, &dec9);
	assert_view(registry, code, &info, "valid 2026-01-01");
	/* without a date: from the day it is posted, the latest so far */
	today = date("2026-12-20");
	server_registry_set_today(registry, &today);
	server_registry_renew(registry, code, &info, &e2, NULL);
	assert_view(registry, code, &info, "valid 2029-01-31");
	/* the server date moved back: the dated renewals are not in effect;
	 * the one without a date is (its posting date only orders it) */
	today = date("2026-11-30");
	server_registry_set_today(registry, &today);
	assert_view(registry, code, &info, "valid 2029-01-31");
}

static void
test_registry_replace_suspend(void)
{
	GDate today = date("2026-11-25");
	g_autoptr(ServerRegistry) registry = server_registry_new(&today, 10);
	g_autoptr(GError) error = NULL;
	ImssCodeInfo info, new_info, found;
	g_autofree gchar *code = make_code(3, "2027-01-31", &info);
	g_autofree gchar *new_code = make_code(4, "2028-03-31", &new_info);
	g_autofree gchar *new_id = imss_protocol_details_id(new_code);
	GDate expiry = date("2030-01-31");
	const gchar *replaced_by = NULL;
	GDate e;

	g_assert_false(server_registry_replace(registry, code, &info, code, &info, &error));
	g_assert_error(error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA);
	assert_view(registry, code, &info, "valid 2027-01-31");

	/* the new code is suspended first, then becomes valid by the
	 * replacement */
	server_registry_suspend(registry, new_code, &new_info);
	assert_view(registry, new_code, &new_info, "suspended");
	g_assert_true(server_registry_replace(registry, code, &info, new_code, &new_info, NULL));
	g_assert_cmpint(server_registry_view(registry, code, &info, &e, &replaced_by),
			==,
			IMSS_SERVER_STATUS_REPLACED);
	g_assert_cmpstr(replaced_by, ==, new_code);
	assert_view(registry, new_code, &new_info, "valid 2028-03-31");
	g_assert_cmpstr(server_registry_lookup_id(registry, new_id, &found), ==, new_code);

	/* a renewal does not lift a replacement or a suspension */
	server_registry_renew(registry, code, &info, &expiry, NULL);
	assert_view(registry, code, &info, "replaced");
	server_registry_suspend(registry, code, &info);
	g_assert_cmpint(server_registry_view(registry, code, &info, &e, &replaced_by),
			==,
			IMSS_SERVER_STATUS_SUSPENDED);
	g_assert_null(replaced_by);
}

/* reset forgets every code and returns to the starting date */
static void
test_registry_reset(void)
{
	GDate today = date("2026-11-25"), later = date("2027-06-01"), expiry = date("2029-01-31");
	g_autoptr(ServerRegistry) registry = server_registry_new(&today, 10);
	ImssCodeInfo info, found;
	g_autofree gchar *code = make_code(5, "2027-01-31", &info);
	g_autofree gchar *id = imss_protocol_details_id(code);
	g_autofree gchar *time_str = NULL;
	GDate d;

	server_registry_renew(registry, code, &info, &expiry, NULL);
	server_registry_set_today(registry, &later);
	server_registry_get_today(registry, &d);
	g_assert_cmpint(g_date_compare(&d, &later), ==, 0);
	server_registry_reset(registry);
	server_registry_get_today(registry, &d);
	g_assert_cmpint(g_date_compare(&d, &today), ==, 0);
	g_assert_null(server_registry_lookup_id(registry, id, &found));
	assert_view(registry, code, &info, "valid 2027-01-31");
	/* the server's time: its date and the real time of day */
	time_str = server_registry_format_time(registry);
	g_assert_true(g_str_has_prefix(time_str, "2026-11-25T"));
	g_assert_true(g_str_has_suffix(time_str, "Z"));
	g_assert_cmpuint(strlen(time_str), ==, 20);
}

/* without a date of its own the registry follows the real date */
static void
test_registry_real_date(void)
{
	g_autoptr(ServerRegistry) registry = server_registry_new(NULL, 10);
	g_autoptr(GDateTime) before = g_date_time_new_now_utc();
	g_autofree gchar *time_str = server_registry_format_time(registry);
	g_autoptr(GDateTime) parsed = g_date_time_new_from_iso8601(time_str, NULL);
	GDate today, real;

	g_assert_nonnull(parsed);
	g_assert_cmpint(g_date_time_difference(parsed, before), >=, -G_TIME_SPAN_SECOND);
	g_assert_cmpint(g_date_time_difference(parsed, before), <, 60 * G_TIME_SPAN_SECOND);
	server_registry_get_today(registry, &today);
	g_date_clear(&real, 1);
	g_date_set_time_t(&real, time(NULL));
	g_assert_cmpint(g_date_compare(&today, &real), ==, 0);
}

static void
test_registry_preconditions(void)
{
	if (g_test_subprocess()) {
		GDate expiry;
		const gchar *replaced_by;
		ImssCodeInfo info = {0};
		g_assert_cmpint(server_registry_view(NULL, "x", &info, &expiry, &replaced_by),
				==,
				IMSS_SERVER_STATUS_UNKNOWN);
		return;
	}
	g_test_trap_subprocess(NULL, 0, G_TEST_SUBPROCESS_DEFAULT);
	g_test_trap_assert_failed();
	g_test_trap_assert_stderr("*CRITICAL*self != NULL*");
}

int
main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/imss/server-registry/unknown", test_registry_unknown);
	g_test_add_func("/imss/server-registry/limit", test_registry_limit);
	g_test_add_func("/imss/server-registry/renewals", test_registry_renewals);
	g_test_add_func("/imss/server-registry/replace-suspend", test_registry_replace_suspend);
	g_test_add_func("/imss/server-registry/reset", test_registry_reset);
	g_test_add_func("/imss/server-registry/real-date", test_registry_real_date);
	g_test_add_func("/imss/server-registry/preconditions", test_registry_preconditions);
	return g_test_run();
}
