/*
 * common/imss-records.c: the a{sv} records the daemon writes and the clients
 * read — every member written in the XML's order, read back the same, and
 * a malformed record refused with a clear error.
 */
#include "config.h"

#include "imss-records.h"

static void
test_records_history(void)
{
	ImssHistoryRecord in = {"2026-11-25T10:00:00+09:00",
				"activate",
				"antivirus",
				"IM-****-*****-*****-*****-*****-ABCDE",
				"uid 0",
				"ok",
				"",
				"node-a"};
	g_auto(ImssHistoryRecord) out = {NULL};
	g_autoptr(GVariant) v = g_variant_ref_sink(imss_history_record_to_variant(&in));
	g_autoptr(GError) error = NULL;
	g_autofree gchar *text = g_variant_print(v, FALSE);

	g_assert_cmpstr(text,
			==,
			"{'time': <'2026-11-25T10:00:00+09:00'>, 'action': <'activate'>, "
			"'slot': <'antivirus'>, 'code': <'IM-****-*****-*****-*****-*****-ABCDE'>, "
			"'caller': <'uid 0'>, 'outcome': <'ok'>, 'detail': <''>, 'node': <'node-a'>}");
	g_assert_true(imss_history_record_from_variant(v, &out, &error));
	g_assert_no_error(error);
	g_assert_cmpstr(out.time, ==, in.time);
	g_assert_cmpstr(out.action, ==, in.action);
	g_assert_cmpstr(out.slot, ==, in.slot);
	g_assert_cmpstr(out.code, ==, in.code);
	g_assert_cmpstr(out.caller, ==, in.caller);
	g_assert_cmpstr(out.outcome, ==, in.outcome);
	g_assert_cmpstr(out.detail, ==, "");
	g_assert_cmpstr(out.node, ==, "node-a");
}

/* a node of ListNodes: int64 times, the "this" flag, dashed member names */
static void
test_records_node(void)
{
	ImssNodeRecord in = {"child-2", TRUE, 1796076000, 1796076103, -3, "check antivirus 2026-12-01",
			     G_GINT64_CONSTANT(4102444800)};
	g_auto(ImssNodeRecord) out = {NULL};
	g_autoptr(GVariant) v = g_variant_ref_sink(imss_node_record_to_variant(&in));
	g_autoptr(GError) error = NULL;
	g_autofree gchar *text = g_variant_print(v, TRUE);

	g_assert_cmpstr(text, ==,
			"{'name': <'child-2'>, 'this': <true>, 'started': <int64 1796076000>, "
			"'last-seen': <int64 1796076103>, 'clock-skew': <int64 -3>, "
			"'last-job': <'check antivirus 2026-12-01'>, 'last-job-at': <int64 4102444800>}");
	g_assert_true(imss_node_record_from_variant(v, &out, &error));
	g_assert_no_error(error);
	g_assert_cmpstr(out.name, ==, "child-2");
	g_assert_true(out.is_this);
	g_assert_cmpint(out.started, ==, 1796076000);
	g_assert_cmpint(out.last_seen, ==, 1796076103);
	g_assert_cmpint(out.clock_skew, ==, -3);
	g_assert_cmpstr(out.last_job, ==, in.last_job);
	g_assert_cmpint(out.last_job_at, ==, G_GINT64_CONSTANT(4102444800));
	/* a skew sent as int32 is not a skew */
	{
		g_autoptr(GVariant) bad = g_variant_parse(
		    NULL,
		    "{'name': <'n'>, 'this': <false>, 'started': <int64 1>, 'last-seen': <int64 1>, "
		    "'clock-skew': <3>, 'last-job': <''>, 'last-job-at': <int64 0>}",
		    NULL, NULL, NULL);
		g_auto(ImssNodeRecord) none = {NULL};
		g_assert_false(imss_node_record_from_variant(bad, &none, &error));
		g_assert_error(error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA);
		g_assert_cmpstr(error->message, ==, "the node has no “clock-skew” (x)");
	}
}

static void
test_records_event(void)
{
	ImssEventRecord in = {
	    "2027-01-01T00:00:00+09:00", "2027-01-01", "antispam", "check", "E-30"};
	g_auto(ImssEventRecord) out = {NULL};
	g_autoptr(GVariant) v = g_variant_ref_sink(imss_event_record_to_variant(&in));
	g_autofree gchar *text = g_variant_print(v, FALSE);

	g_assert_cmpstr(text,
			==,
			"{'time': <'2027-01-01T00:00:00+09:00'>, 'date': <'2027-01-01'>, "
			"'slot': <'antispam'>, 'kind': <'check'>, 'offset': <'E-30'>}");
	g_assert_true(imss_event_record_from_variant(v, &out, NULL));
	g_assert_cmpstr(out.time, ==, in.time);
	g_assert_cmpstr(out.date, ==, in.date);
	g_assert_cmpstr(out.slot, ==, in.slot);
	g_assert_cmpstr(out.kind, ==, in.kind);
	g_assert_cmpstr(out.offset, ==, in.offset);
}

static void
test_records_clock(void)
{
	ImssClockRecord in = {"2026-11-25T10:00:00+09:00", "2026-11-25", "Asia/Tokyo", TRUE};
	g_auto(ImssClockRecord) out = {NULL};
	g_autoptr(GVariant) v = g_variant_ref_sink(imss_clock_record_to_variant(&in));
	g_autofree gchar *text = g_variant_print(v, FALSE);

	g_assert_cmpstr(text,
			==,
			"{'now': <'2026-11-25T10:00:00+09:00'>, 'today': <'2026-11-25'>, "
			"'zone': <'Asia/Tokyo'>, 'virtual': <true>}");
	g_assert_true(imss_clock_record_from_variant(v, &out, NULL));
	g_assert_cmpstr(out.now, ==, in.now);
	g_assert_cmpstr(out.today, ==, in.today);
	g_assert_cmpstr(out.zone, ==, in.zone);
	g_assert_true(out.virtual_clock);
}

static void
test_records_restart(void)
{
	ImssRestartRecord in = {
	    "imss-scan.service", "failed", 3, "unit not found", "2026-11-25T10:00:00+09:00"};
	g_auto(ImssRestartRecord) out = {NULL};
	g_autoptr(GVariant) v = g_variant_ref_sink(imss_restart_record_to_variant(&in));
	g_autofree gchar *text = g_variant_print(v, TRUE);

	g_assert_cmpstr(text,
			==,
			"{'unit': <'imss-scan.service'>, 'state': <'failed'>, 'attempts': "
			"<uint32 3>, 'error': <'unit not found'>, 'requested': "
			"<'2026-11-25T10:00:00+09:00'>}");
	g_assert_true(imss_restart_record_from_variant(v, &out, NULL));
	g_assert_cmpstr(out.unit, ==, in.unit);
	g_assert_cmpstr(out.state, ==, in.state);
	g_assert_cmpuint(out.attempts, ==, 3);
	g_assert_cmpstr(out.error, ==, in.error);
	g_assert_cmpstr(out.requested, ==, in.requested);
}

static void
test_records_license_change(void)
{
	ImssLicenseChangeRecord in = {"2027-01-31", "active", FALSE, NULL};
	g_auto(ImssLicenseChangeRecord) out = {NULL};
	g_autoptr(GVariant) v = g_variant_ref_sink(imss_license_change_record_to_variant(&in));
	g_autofree gchar *text = g_variant_print(v, FALSE);

	/* a NULL string goes out as "" */
	g_assert_cmpstr(text,
			==,
			"{'expiry': <'2027-01-31'>, 'state': <'active'>, 'offline': <false>, "
			"'code': <''>}");
	g_assert_true(imss_license_change_record_from_variant(v, &out, NULL));
	g_assert_cmpstr(out.expiry, ==, "2027-01-31");
	g_assert_cmpstr(out.state, ==, "active");
	g_assert_false(out.offline);
	g_assert_cmpstr(out.code, ==, "");
}

static void
test_records_diagnosis(void)
{
	gchar *findings[] = {"The code was replaced.", "Register it.", NULL};
	gchar *ids[] = {"code-replaced", "expires", NULL};
	ImssDiagnosisRecord in = {"antivirus",
				  "connected",
				  findings,
				  ids,
				  "Activate the new code.",
				  "register-new-code",
				  "replaced",
				  "",
				  "2027-01-01",
				  "",
				  "",
				  "http://x/ollu/license_details.aspx?id=0"};
	ImssDiagnosisRecord none = {NULL};
	g_auto(ImssDiagnosisRecord) out = {NULL};
	g_auto(ImssDiagnosisRecord) empty = {NULL};
	g_autoptr(GVariant) v = g_variant_ref_sink(imss_diagnosis_record_to_variant(&in));
	g_autoptr(GVariant) w = g_variant_ref_sink(imss_diagnosis_record_to_variant(&none));

	g_assert_true(imss_diagnosis_record_from_variant(v, &out, NULL));
	g_assert_cmpstr(out.slot, ==, "antivirus");
	g_assert_cmpstr(out.environment, ==, "connected");
	g_assert_cmpstrv(out.findings, findings);
	g_assert_cmpstrv(out.finding_ids, ids);
	g_assert_cmpstr(out.action, ==, in.action);
	g_assert_cmpstr(out.action_id, ==, in.action_id);
	g_assert_cmpstr(out.server_status, ==, in.server_status);
	g_assert_cmpstr(out.server_expiry, ==, "");
	g_assert_cmpstr(out.next_check, ==, in.next_check);
	g_assert_cmpstr(out.last_deployment, ==, "");
	g_assert_cmpstr(out.last_deployment_result, ==, "");
	g_assert_cmpstr(out.details_url, ==, in.details_url);
	/* no findings: an empty list, read back as an empty vector */
	g_assert_true(imss_diagnosis_record_from_variant(w, &empty, NULL));
	g_assert_nonnull(empty.findings);
	g_assert_cmpuint(g_strv_length(empty.findings), ==, 0);
}

/* what a peer might send instead: each is refused with a message naming
 * the record and the member, and leaves nothing allocated */
static void
test_records_malformed(void)
{
	const struct {
		const gchar *text;
		const gchar *message;
	} cases[] = {
	    {"@a{sv} {}", "the history entry has no “time” (s)"},
	    {"{'time': <'t'>, 'action': <'a'>, 'slot': <'s'>, 'code': <'c'>, 'caller': <'u'>, "
	     "'outcome': <'ok'>}",
	     "the history entry has no “detail” (s)"},
	    {"{'time': <'t'>, 'action': <'a'>, 'slot': <'s'>, 'code': <'c'>, 'caller': <'u'>, "
	     "'outcome': <uint32 1>, 'detail': <''>}",
	     "the history entry has no “outcome” (s)"},
	    {"{'time': 't'}", "the history entry is not a dictionary a{sv}"},
	    {"'time'", "the history entry is not a dictionary a{sv}"},
	    {"[{'time': <'t'>}]", "the history entry is not a dictionary a{sv}"},
	};

	for (guint i = 0; i < G_N_ELEMENTS(cases); i++) {
		g_autoptr(GVariant) v = g_variant_parse(NULL, cases[i].text, NULL, NULL, NULL);
		g_auto(ImssHistoryRecord) out = {NULL};
		g_autoptr(GError) error = NULL;

		g_assert_nonnull(v);
		g_assert_false(imss_history_record_from_variant(v, &out, &error));
		g_assert_error(error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA);
		g_assert_cmpstr(error->message, ==, cases[i].message);
		g_assert_null(out.time);
		g_assert_null(out.action);
	}
	{
		g_autoptr(GVariant) v =
		    g_variant_parse(NULL,
				    "{'unit': <'u'>, 'state': <'pending'>, 'attempts': <int32 1>, "
				    "'error': <''>, 'requested': <''>}",
				    NULL,
				    NULL,
				    NULL);
		g_auto(ImssRestartRecord) out = {NULL};
		g_autoptr(GError) error = NULL;
		g_assert_false(imss_restart_record_from_variant(v, &out, &error));
		g_assert_cmpstr(error->message, ==, "the restart has no “attempts” (u)");
		g_assert_null(out.unit);
	}
	{
		g_autoptr(GVariant) v =
		    g_variant_parse(NULL, "{'findings': <'one'>}", NULL, NULL, NULL);
		g_auto(ImssDiagnosisRecord) out = {NULL};
		g_autoptr(GError) error = NULL;
		g_assert_false(imss_diagnosis_record_from_variant(NULL, &out, &error));
		g_clear_error(&error);
		g_assert_false(imss_diagnosis_record_from_variant(v, &out, &error));
		g_assert_cmpstr(error->message, ==, "the diagnosis has no “slot” (s)");
	}
}

/* a newer daemon may add members: they are ignored; a record read twice
 * frees what it held */
static void
test_records_forward(void)
{
	g_autoptr(GVariant) v = g_variant_parse(NULL,
						"{'now': <'n'>, 'today': <'2026-11-25'>, "
						"'zone': <'UTC'>, 'virtual': <false>, "
						"'leap_seconds': <int32 27>}",
						NULL,
						NULL,
						NULL);
	g_auto(ImssClockRecord) out = {NULL};

	g_assert_true(imss_clock_record_from_variant(v, &out, NULL));
	g_assert_true(imss_clock_record_from_variant(v, &out, NULL));
	g_assert_cmpstr(out.today, ==, "2026-11-25");
	g_assert_false(out.virtual_clock);
}

int
main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/imss/records/history", test_records_history);
	g_test_add_func("/imss/records/node", test_records_node);
	g_test_add_func("/imss/records/event", test_records_event);
	g_test_add_func("/imss/records/clock", test_records_clock);
	g_test_add_func("/imss/records/restart", test_records_restart);
	g_test_add_func("/imss/records/license-change", test_records_license_change);
	g_test_add_func("/imss/records/diagnosis", test_records_diagnosis);
	g_test_add_func("/imss/records/malformed", test_records_malformed);
	g_test_add_func("/imss/records/forward", test_records_forward);
	return g_test_run();
}
