#define G_LOG_DOMAIN "ImssDoctor"

#include "config.h"

#include <string.h>

#include "imss-date.h"
#include "imss-calendar.h"
#include "imss-doctor.h"

static void
imss_doctor_find(ImssDiagnosis *d, ImssFindingId id, const gchar *a, const gchar *b)
{
	g_ptr_array_add(d->findings, imss_finding_new(id, d->slot, a, b, NULL));
}

/* (1) and (2): the server's view; TRUE when it names the action */
static gboolean
imss_doctor_server(const ImssDoctorFacts *facts, ImssDiagnosis *d, gboolean *has_renewal)
{
	ImssLicense *license = facts->license;
	const ImssServerAnswer *answer = facts->answer;
	g_autofree gchar *ours = imss_date_format(imss_license_get_expiry(license));

	if (imss_license_get_offline(license)) {
		imss_doctor_find(d, IMSS_FINDING_OFFLINE_CODE, NULL, NULL);
		return FALSE;
	}
	if (answer == NULL) {
		if (facts->server_error != NULL)
			imss_doctor_find(d, IMSS_FINDING_SERVER_UNASKED, facts->server_error, NULL);
		return FALSE;
	}
	g_free(d->server_status);
	d->server_status = g_strdup(imss_server_status_to_string(answer->status));
	switch (answer->status) {
	case IMSS_SERVER_STATUS_REPLACED:
		imss_doctor_find(d, IMSS_FINDING_CODE_REPLACED, answer->replaced_by, NULL);
		d->action = IMSS_DOCTOR_ACTION_REGISTER_NEW_CODE;
		return TRUE;
	case IMSS_SERVER_STATUS_UNKNOWN:
	case IMSS_SERVER_STATUS_SUSPENDED:
		imss_doctor_find(d,
				 answer->status == IMSS_SERVER_STATUS_UNKNOWN ? IMSS_FINDING_CODE_UNKNOWN
									       : IMSS_FINDING_CODE_SUSPENDED,
				 NULL,
				 NULL);
		d->action = IMSS_DOCTOR_ACTION_CHECK_CODE;
		return TRUE;
	case IMSS_SERVER_STATUS_VALID:
	default:
		g_free(d->server_expiry);
		d->server_expiry = imss_date_format(&answer->expiry);
		if (g_date_compare(&answer->expiry, imss_license_get_expiry(license)) > 0) {
			*has_renewal = TRUE;
			imss_doctor_find(d, IMSS_FINDING_SERVER_HAS_RENEWAL, d->server_expiry, ours);
			return FALSE;
		}
		imss_doctor_find(d, IMSS_FINDING_SERVER_NOT_YET, d->server_expiry, NULL);
		d->action = IMSS_DOCTOR_ACTION_WAIT_FOR_SERVER;
		return TRUE;
	}
}

/* (3)–(5): the environment names the action */
static void
imss_doctor_environment(const ImssDoctorFacts *facts, ImssDiagnosis *d, gboolean has_renewal)
{
	GDate next;
	switch (facts->environment) {
	case IMSS_ENVIRONMENT_CM_MANAGED:
		imss_doctor_find(d, IMSS_FINDING_CM_MANAGED, NULL, NULL);
		if (facts->cm != NULL && facts->cm->any) {
			g_free(d->deploy_time);
			d->deploy_time = imss_calendar_format_instant(facts->tz, facts->cm->last_time);
			g_free(d->deploy_result);
			d->deploy_result = g_strdup(facts->cm->last_result);
			if (g_str_has_prefix(d->deploy_result, "failed: "))
				imss_doctor_find(d, IMSS_FINDING_CM_LAST_FAILED, d->deploy_time,
						 d->deploy_result + strlen("failed: "));
			else
				imss_doctor_find(d, IMSS_FINDING_CM_LAST_OK, d->deploy_time, NULL);
		} else {
			imss_doctor_find(d, IMSS_FINDING_CM_NEVER, NULL, NULL);
		}
		d->action = IMSS_DOCTOR_ACTION_REDEPLOY_PROFILE;
		return;
	case IMSS_ENVIRONMENT_STANDALONE:
		imss_doctor_find(d, IMSS_FINDING_STANDALONE, NULL, NULL);
		d->action = IMSS_DOCTOR_ACTION_ACTIVATE_OFFLINE_CODE;
		return;
	case IMSS_ENVIRONMENT_CONNECTED:
	case IMSS_ENVIRONMENT_AUTO:
	default:
		imss_doctor_find(d, IMSS_FINDING_CONNECTED, NULL, NULL);
		if (imss_license_get_next_check(facts->license, facts->today, &next)) {
			ImssFinding *f;
			g_free(d->next_check);
			d->next_check = imss_date_format(&next);
			f = imss_finding_new(IMSS_FINDING_NEXT_CHECK, d->slot, d->next_check, NULL, NULL);
			f->number = imss_calendar_days_between(facts->today, &next);
			g_ptr_array_add(d->findings, f);
		}
		d->action = has_renewal || facts->answer == NULL ? IMSS_DOCTOR_ACTION_UPDATE_NOW
								 : IMSS_DOCTOR_ACTION_NONE;
		return;
	}
}

ImssDiagnosis *
imss_doctor_walk(const ImssDoctorFacts *facts)
{
	ImssDiagnosis *d;
	ImssLicense *license;
	g_autofree gchar *ours = NULL;
	gboolean has_renewal = FALSE;

	g_return_val_if_fail(facts != NULL && IMSS_IS_LICENSE(facts->license), NULL);
	license = facts->license;
	d = g_new0(ImssDiagnosis, 1);
	d->slot = imss_license_get_slot(license);
	d->environment = facts->environment;
	d->findings = g_ptr_array_new_with_free_func((GDestroyNotify)imss_finding_free);
	d->action = IMSS_DOCTOR_ACTION_NONE;
	d->server_status = g_strdup("");
	d->server_expiry = g_strdup("");
	d->next_check = g_strdup("");
	d->deploy_time = g_strdup("");
	d->deploy_result = g_strdup("");

	if (!imss_license_is_activated(license)) {
		imss_doctor_find(d, IMSS_FINDING_NOT_ACTIVATED, NULL, NULL);
		d->action = IMSS_DOCTOR_ACTION_ACTIVATE;
		return d;
	}
	ours = imss_date_format(imss_license_get_expiry(license));
	imss_doctor_find(d, IMSS_FINDING_EXPIRES, ours, imss_license_get_masked_code(license));
	/* a service that may still run with the old license comes first (SPEC §7) */
	for (guint i = 0; facts->failed_restarts != NULL && facts->failed_restarts[i] != NULL &&
			  facts->failed_restarts[i + 1] != NULL;
	     i += 2) {
		imss_doctor_find(d, IMSS_FINDING_RESTART_FAILED, facts->failed_restarts[i],
				 facts->failed_restarts[i + 1]);
		d->action = IMSS_DOCTOR_ACTION_RESTART_SERVICES;
	}
	if (d->action == IMSS_DOCTOR_ACTION_RESTART_SERVICES)
		return d;
	/* SPEC §10 Q5, in its order; the first step that names the action ends it */
	if (imss_doctor_server(facts, d, &has_renewal))
		return d;
	imss_doctor_environment(facts, d, has_renewal);
	return d;
}

void
imss_diagnosis_free(ImssDiagnosis *d)
{
	if (d == NULL)
		return;
	g_ptr_array_unref(d->findings);
	g_free(d->server_status);
	g_free(d->server_expiry);
	g_free(d->next_check);
	g_free(d->deploy_time);
	g_free(d->deploy_result);
	g_free(d);
}
