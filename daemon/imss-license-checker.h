/*
 * License-server checks (SPEC §5): the one place that owns "one request per
 * code at a time" — a second caller for the same code (a manual update
 * during an automatic check, antispam and email reputation sharing a code)
 * shares the first one's request and its applied result. The answer is
 * applied once, by the function the manager gives (it owns the licenses and
 * the store); an automatic check told to come back (429/503 with
 * Retry-After) is asked again the same day, a bounded number of times.
 */
#pragma once

#include <glib-object.h>

#include "imss-clock.h"
#include "imss-license-server.h"

G_BEGIN_DECLS

#define IMSS_TYPE_LICENSE_CHECKER (imss_license_checker_get_type())
G_DECLARE_FINAL_TYPE(ImssLicenseChecker, imss_license_checker, IMSS, LICENSE_CHECKER, GObject)

/* What a check is for: the history action ("automatic-check",
 * "manual-update", "activation-check"), who asked, and the check day of an
 * automatic one (NULL otherwise). */
typedef struct {
	const gchar *action;
	const gchar *caller;
	const gchar *day;
} ImssCheckRequest;

typedef struct {
	gboolean changed;	     /* an expiry changed (stored) */
	gboolean sender_filter_slot; /* ... of antispam or email reputation */
} ImssCheckResult;

/* Applies @answer (or @failure) for @code: stores it and updates the
 * licenses; FALSE with @error when it could not be stored. */
typedef gboolean (*ImssCheckApplyFunc)(const gchar *code,
				       const ImssCheckRequest *request,
				       ImssServerAnswer *answer,
				       const GError *failure,
				       ImssCheckResult *result,
				       gpointer user_data,
				       GError **error);

ImssLicenseChecker *
imss_license_checker_new(ImssLicenseServer *server,
			 ImssClock *clock,
			 ImssEdition edition,
			 ImssCheckApplyFunc apply,
			 gpointer apply_data) G_GNUC_WARN_UNUSED_RESULT;

/* Asks the server about @code and applies the answer; completes with an
 * ImssCheckResult, the store's error, or the server's
 * (IMSS_LICENSE_SERVER_ERROR: no answer, an invalid one, busy). */
void
imss_license_checker_check_async(ImssLicenseChecker *self,
				 const gchar *code,
				 const ImssCheckRequest *request,
				 GAsyncReadyCallback callback,
				 gpointer user_data);
ImssCheckResult *
imss_license_checker_check_finish(ImssLicenseChecker *self, GAsyncResult *res, GError **error);

/* An automatic check on check day @day: nothing waits for it; a busy server
 * is asked again that day as it says (at most 3 times, never past the day's
 * end) while @still_wanted(@code, @wanted_data) says the code is active.
 * @finished(@slot_id, @day, @wanted_data) is called once when it is over,
 * whatever the outcome (its answer, if any, already applied). */
typedef gboolean (*ImssCheckWantedFunc)(const gchar *code, gpointer user_data);
typedef void (*ImssCheckFinishedFunc)(const gchar *slot_id, const gchar *day, gpointer user_data);
void
imss_license_checker_check_automatic(ImssLicenseChecker *self,
				     const gchar *slot_id,
				     const gchar *code,
				     const gchar *day,
				     ImssCheckWantedFunc still_wanted,
				     ImssCheckFinishedFunc finished,
				     gpointer wanted_data);

/* The server's view of @code, applied nowhere (the doctor). */
void
imss_license_checker_ask_async(ImssLicenseChecker *self,
			       const gchar *code,
			       GAsyncReadyCallback callback,
			       gpointer user_data);
ImssServerAnswer *
imss_license_checker_ask_finish(ImssLicenseChecker *self, GAsyncResult *res, GError **error);

G_END_DECLS
