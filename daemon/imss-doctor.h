/*
 * The doctor (SPEC §10 Q5): why an expiry date did not change after a
 * renewal, and what to do — walked in the SPEC's order over what the daemon
 * knows and what the license server just said, as finding and action ids
 * (common/imss-doctor.h renders them). A pure function: the manager gathers
 * the facts, the bus adapter renders the texts in the caller's language.
 */
#pragma once

#include "imss-doctor-text.h"
#include "imss-environment.h"
#include "imss-license.h"
#include "imss-server-answer.h"
#include "imss-settings.h"

G_BEGIN_DECLS

typedef struct {
	ImssLicense *license;
	ImssEnvironment environment; /* in effect (derived) */
	const GDate *today;
	GTimeZone *tz;
	gchar *const *failed_restarts; /* "unit", "why", "unit", "why", ... (may be NULL) */
	const ImssServerAnswer *answer; /* the server's view now; NULL: not asked or no answer */
	const gchar *server_error;	/* why it could not be asked, or NULL */
	const ImssCmDeployments *cm;
} ImssDoctorFacts;

typedef struct {
	ImssSlotId slot;
	ImssEnvironment environment;
	GPtrArray *findings; /* ImssFinding */
	ImssDoctorAction action;
	gchar *server_status; /* "valid", "replaced", ... or "" */
	gchar *server_expiry; /* YYYY-MM-DD or "" */
	gchar *next_check;    /* YYYY-MM-DD or "" */
	gchar *deploy_time;   /* ISO 8601 or "" */
	gchar *deploy_result; /* or "" */
} ImssDiagnosis;

ImssDiagnosis *
imss_doctor_walk(const ImssDoctorFacts *facts) G_GNUC_WARN_UNUSED_RESULT;
void
imss_diagnosis_free(ImssDiagnosis *diagnosis);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(ImssDiagnosis, imss_diagnosis_free)

G_END_DECLS
