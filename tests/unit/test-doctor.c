#include "config.h"

#include "imss-date.h"
#include "imss-calendar.h"
#include "imss-doctor.h"
#include "imss-slot.h"

typedef struct {
	ImssLicense *license;
	GDate today;
	GTimeZone *tz;
	ImssCmDeployments cm;
} Fixture;

static void
fixture_setup(Fixture *fx, gconstpointer data)
{
	g_autofree gchar *code = NULL;
	ImssCodeInfo info = {0};
	fx->license = imss_license_new(IMSS_SLOT_ANTIVIRUS, TRUE);
	g_date_clear(&fx->today, 1);
	g_date_set_dmy(&fx->today, 1, G_DATE_DECEMBER, 2026);
	fx->tz = g_time_zone_new_utc();
	info.prefix = IMSS_CODE_PREFIX_IM;
	info.edition = IMSS_EDITION_IMSVA;
	info.slot_mask = 1u << IMSS_SLOT_ANTIVIRUS;
	info.offline = data != NULL;
	g_date_clear(&info.expiry, 1);
	g_date_set_dmy(&info.expiry, 30, G_DATE_JANUARY, 2027);
	code = imss_code_encode(&info, NULL);
	g_assert_nonnull(code);
	imss_license_activate(fx->license, code, &info.expiry, info.offline, 1);
	fx->cm.last_result = g_strdup("");
}

static void
fixture_teardown(Fixture *fx, gconstpointer data)
{
	g_clear_object(&fx->license);
	g_time_zone_unref(fx->tz);
	imss_cm_deployments_clear(&fx->cm);
}

static ImssDiagnosis *
walk(Fixture *fx, ImssEnvironment env, const ImssServerAnswer *answer, gchar **restarts)
{
	ImssDoctorFacts facts = {fx->license, env, &fx->today, fx->tz, restarts, answer, NULL, &fx->cm};
	return imss_doctor_walk(&facts);
}

static ImssServerAnswer *
answer(ImssServerStatus status, const gchar *expiry, const gchar *replaced_by)
{
	ImssServerAnswer *a = g_new0(ImssServerAnswer, 1);
	a->status = status;
	g_date_clear(&a->expiry, 1);
	if (expiry != NULL)
		g_assert_true(imss_date_parse(expiry, &a->expiry));
	a->replaced_by = g_strdup(replaced_by);
	return a;
}

static gboolean
has_finding(ImssDiagnosis *d, ImssFindingId id)
{
	for (guint i = 0; i < d->findings->len; i++) {
		if (((ImssFinding *)g_ptr_array_index(d->findings, i))->id == id)
			return TRUE;
	}
	return FALSE;
}

/* SPEC §10 Q5, step by step; the first step that names an action ends it */
static void
test_doctor_q5(Fixture *fx, gconstpointer data)
{
	gchar *restarts[] = {(gchar *)"imss-scan.service", (gchar *)"the job failed", NULL};
	g_autoptr(ImssServerAnswer) replaced = answer(IMSS_SERVER_STATUS_REPLACED, NULL,
						      "IM-****-*****-*****-*****-*****-ABCDE");
	g_autoptr(ImssServerAnswer) same = answer(IMSS_SERVER_STATUS_VALID, "2027-01-30", NULL);
	g_autoptr(ImssServerAnswer) renewed = answer(IMSS_SERVER_STATUS_VALID, "2028-01-30", NULL);
	g_autoptr(ImssServerAnswer) suspended = answer(IMSS_SERVER_STATUS_SUSPENDED, NULL, NULL);
	struct {
		ImssEnvironment env;
		const ImssServerAnswer *answer;
		gchar **restarts;
		ImssDoctorAction action;
		ImssFindingId must_find;
	} cases[] = {
	    {IMSS_ENVIRONMENT_CONNECTED, renewed, restarts, IMSS_DOCTOR_ACTION_RESTART_SERVICES, IMSS_FINDING_RESTART_FAILED},
	    {IMSS_ENVIRONMENT_CONNECTED, replaced, NULL, IMSS_DOCTOR_ACTION_REGISTER_NEW_CODE, IMSS_FINDING_CODE_REPLACED},
	    {IMSS_ENVIRONMENT_CONNECTED, suspended, NULL, IMSS_DOCTOR_ACTION_CHECK_CODE, IMSS_FINDING_CODE_SUSPENDED},
	    {IMSS_ENVIRONMENT_CONNECTED, same, NULL, IMSS_DOCTOR_ACTION_WAIT_FOR_SERVER, IMSS_FINDING_SERVER_NOT_YET},
	    {IMSS_ENVIRONMENT_CONNECTED, renewed, NULL, IMSS_DOCTOR_ACTION_UPDATE_NOW, IMSS_FINDING_NEXT_CHECK},
	    {IMSS_ENVIRONMENT_CONNECTED, NULL, NULL, IMSS_DOCTOR_ACTION_UPDATE_NOW, IMSS_FINDING_CONNECTED},
	    {IMSS_ENVIRONMENT_CM_MANAGED, NULL, NULL, IMSS_DOCTOR_ACTION_REDEPLOY_PROFILE, IMSS_FINDING_CM_NEVER},
	    {IMSS_ENVIRONMENT_STANDALONE, NULL, NULL, IMSS_DOCTOR_ACTION_ACTIVATE_OFFLINE_CODE, IMSS_FINDING_STANDALONE},
	};
	for (guint i = 0; i < G_N_ELEMENTS(cases); i++) {
		g_autoptr(ImssDiagnosis) d = walk(fx, cases[i].env, cases[i].answer, cases[i].restarts);
		g_test_message("case %u: %s", i, imss_doctor_action_to_string(d->action));
		g_assert_cmpint(d->action, ==, cases[i].action);
		g_assert_true(has_finding(d, IMSS_FINDING_EXPIRES));
		g_assert_true(has_finding(d, cases[i].must_find));
		for (guint f = 0; f < d->findings->len; f++) {
			g_autofree gchar *text = imss_doctor_render_finding(NULL, g_ptr_array_index(d->findings, f));
			g_assert_cmpstr(text, !=, "");
		}
	}
	/* the next automatic check: E−30 = 2026-12-31, 30 days away */
	{
		g_autoptr(ImssDiagnosis) d = walk(fx, IMSS_ENVIRONMENT_CONNECTED, renewed, NULL);
		g_assert_cmpstr(d->next_check, ==, "2026-12-31");
		g_assert_cmpstr(d->server_expiry, ==, "2028-01-30");
	}
	/* a failed CM deployment, with its reason */
	{
		g_autoptr(ImssDiagnosis) d = NULL;
		g_free(fx->cm.last_result);
		fx->cm.last_result = g_strdup("failed: bad expiry");
		fx->cm.any = TRUE;
		fx->cm.last_time = 1764547200;
		d = walk(fx, IMSS_ENVIRONMENT_CM_MANAGED, NULL, NULL);
		g_assert_true(has_finding(d, IMSS_FINDING_CM_LAST_FAILED));
		g_assert_cmpstr(d->deploy_result, ==, "failed: bad expiry");
	}
}

static void
test_doctor_offline_and_not_activated(Fixture *fx, gconstpointer data)
{
	g_autoptr(ImssDiagnosis) offline = walk(fx, IMSS_ENVIRONMENT_STANDALONE, NULL, NULL);
	g_autoptr(ImssLicense) none = imss_license_new(IMSS_SLOT_COMPLIANCE, TRUE);
	ImssDoctorFacts facts = {none, IMSS_ENVIRONMENT_CONNECTED, &fx->today, fx->tz, NULL, NULL, NULL, &fx->cm};
	g_autoptr(ImssDiagnosis) d = imss_doctor_walk(&facts);
	g_assert_true(has_finding(offline, IMSS_FINDING_OFFLINE_CODE));
	g_assert_cmpint(offline->action, ==, IMSS_DOCTOR_ACTION_ACTIVATE_OFFLINE_CODE);
	g_assert_cmpint(d->action, ==, IMSS_DOCTOR_ACTION_ACTIVATE);
	g_assert_cmpuint(d->findings->len, ==, 1);
}

int
main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add("/imss/doctor/q5", Fixture, NULL, fixture_setup, test_doctor_q5, fixture_teardown);
	g_test_add("/imss/doctor/offline", Fixture, "offline", fixture_setup,
		   test_doctor_offline_and_not_activated, fixture_teardown);
	return g_test_run();
}
