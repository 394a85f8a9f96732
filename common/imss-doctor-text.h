/*
 * The doctor's vocabulary (SPEC §10 Q5): what it can find and what it can
 * advise, as ids with their parameters, and the one renderer that turns them
 * into Japanese or English — for the daemon (Diagnose answers in the
 * caller's language) and for clients. The walk itself is the daemon's
 * (daemon/imss-doctor.c).
 */
#pragma once

#include <glib.h>

#include "imss-catalog.h"
#include "imss-code.h"

G_BEGIN_DECLS

typedef enum {
	IMSS_FINDING_NOT_ACTIVATED,	 /* (slot) */
	IMSS_FINDING_EXPIRES,		 /* (expiry date, masked code) of the slot */
	IMSS_FINDING_RESTART_FAILED,	 /* (unit, why) */
	IMSS_FINDING_OFFLINE_CODE,	 /* () */
	IMSS_FINDING_CODE_REPLACED,	 /* (masked new code or "") */
	IMSS_FINDING_CODE_UNKNOWN,	 /* () */
	IMSS_FINDING_CODE_SUSPENDED,	 /* () */
	IMSS_FINDING_SERVER_HAS_RENEWAL, /* (server's date, ours) */
	IMSS_FINDING_SERVER_NOT_YET,	 /* (server's date) */
	IMSS_FINDING_SERVER_UNASKED,	 /* (why) */
	IMSS_FINDING_CM_MANAGED,	 /* () */
	IMSS_FINDING_CM_LAST_FAILED,	 /* (time, why) */
	IMSS_FINDING_CM_LAST_OK,	 /* (time) */
	IMSS_FINDING_CM_NEVER,		 /* () */
	IMSS_FINDING_STANDALONE,	 /* () */
	IMSS_FINDING_CONNECTED,		 /* () */
	IMSS_FINDING_NEXT_CHECK,	 /* (date), number: days until it */
	IMSS_FINDING_LAST
} ImssFindingId;

typedef enum {
	IMSS_DOCTOR_ACTION_NONE,
	IMSS_DOCTOR_ACTION_ACTIVATE,
	IMSS_DOCTOR_ACTION_RESTART_SERVICES,
	IMSS_DOCTOR_ACTION_REGISTER_NEW_CODE,
	IMSS_DOCTOR_ACTION_CHECK_CODE,
	IMSS_DOCTOR_ACTION_WAIT_FOR_SERVER,
	IMSS_DOCTOR_ACTION_REDEPLOY_PROFILE,
	IMSS_DOCTOR_ACTION_ACTIVATE_OFFLINE_CODE,
	IMSS_DOCTOR_ACTION_UPDATE_NOW,
	IMSS_DOCTOR_ACTION_LAST
} ImssDoctorAction;

/* One finding: its id, the slot it is about, up to three text parameters
 * and one number (see ImssFindingId). */
typedef struct {
	ImssFindingId id;
	ImssSlotId slot;
	gchar *args[3];
	gint number;
} ImssFinding;

ImssFinding *
imss_finding_new(ImssFindingId id, ImssSlotId slot, const gchar *a, const gchar *b, const gchar *c);
void
imss_finding_free(ImssFinding *finding);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(ImssFinding, imss_finding_free)

/* "not-activated", "expires", ... and "none", "activate", "restart-services",
 * "register-new-code", "check-code", "wait-for-server", "redeploy-profile",
 * "activate-offline-code", "update-now" (the Diagnose action ids) */
const gchar *
imss_finding_id_to_string(ImssFindingId id);
const gchar *
imss_doctor_action_to_string(ImssDoctorAction action);

/* The texts, from @catalog (NULL: the process's locale). */
gchar *
imss_doctor_render_finding(const ImssCatalog *catalog, const ImssFinding *finding);
/* "" for IMSS_DOCTOR_ACTION_NONE's absence of advice is "No action is needed." */
const gchar *
imss_doctor_render_action(const ImssCatalog *catalog, ImssDoctorAction action);

G_END_DECLS
