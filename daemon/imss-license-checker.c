#define G_LOG_DOMAIN "ImssLicenseChecker"

#include "config.h"

#include <string.h>

#include "imss-date.h"
#include "imss-calendar.h"
#include "imss-license-checker.h"

/* An automatic check whose server was busy (429/503 with Retry-After) asks
 * again the same check day as told, this many times at most (RELIABILITY
 * H9); otherwise, and past the day's end, the next check day asks. */
#define IMSS_CHECK_RETRIES_MAX 3

struct _ImssLicenseChecker {
	GObject parent_instance;
	ImssLicenseServer *server;
	ImssClock *clock;
	ImssEdition edition;
	ImssCheckApplyFunc apply;
	gpointer apply_data;
	GHashTable *inflight; /* code → ImssCheck */
};

G_DEFINE_TYPE(ImssLicenseChecker, imss_license_checker, G_TYPE_OBJECT)

/* one request on the wire, and who waits for it */
typedef struct {
	ImssLicenseChecker *self;
	gchar *code;
	gchar *action; /* of the first caller that wants the answer applied */
	gchar *caller;
	gchar *day;
	GPtrArray *checks; /* GTask: want it applied */
	GPtrArray *asks;   /* GTask: want the server's view only */
} ImssCheck;

static void
imss_check_free(ImssCheck *check)
{
	g_object_unref(check->self);
	memset(check->code, 0, strlen(check->code));
	g_free(check->code);
	g_free(check->action);
	g_free(check->caller);
	g_free(check->day);
	g_ptr_array_unref(check->checks);
	g_ptr_array_unref(check->asks);
	g_free(check);
}

static ImssServerAnswer *
imss_server_answer_copy(const ImssServerAnswer *answer)
{
	ImssServerAnswer *copy = g_new0(ImssServerAnswer, 1);
	*copy = *answer;
	copy->replaced_by = g_strdup(answer->replaced_by);
	return copy;
}

static void
imss_license_checker_answered_cb(GObject *source, GAsyncResult *res, gpointer user_data)
{
	ImssCheck *check = user_data;
	ImssLicenseChecker *self = check->self;
	g_autoptr(GError) error_local = NULL;
	g_autoptr(GError) store_error = NULL;
	g_autoptr(ImssServerAnswer) answer =
	    imss_license_server_query_finish(IMSS_LICENSE_SERVER(source), res, &error_local);
	ImssCheckResult result = {FALSE, FALSE};

	g_hash_table_steal(self->inflight, check->code);
	if (check->checks->len > 0) {
		ImssCheckRequest request = {check->action, check->caller, check->day};
		/* an answer that cannot be stored changes nothing: the callers hear why */
		self->apply(check->code, &request, answer, error_local, &result, self->apply_data,
			    &store_error);
	}
	for (guint i = 0; i < check->checks->len; i++) {
		GTask *task = g_ptr_array_index(check->checks, i);
		if (store_error != NULL)
			g_task_return_error(task, g_error_copy(store_error));
		else if (answer == NULL)
			g_task_return_error(task, g_error_copy(error_local));
		else
			g_task_return_pointer(task, g_memdup2(&result, sizeof(result)), g_free);
	}
	for (guint i = 0; i < check->asks->len; i++) {
		GTask *task = g_ptr_array_index(check->asks, i);
		if (answer == NULL)
			g_task_return_error(task, g_error_copy(error_local));
		else
			g_task_return_pointer(task,
					      imss_server_answer_copy(answer),
					      (GDestroyNotify)imss_server_answer_free);
	}
	imss_check_free(check);
}

/* joins the request for @code on the wire, or sends one */
static ImssCheck *
imss_license_checker_request(ImssLicenseChecker *self, const gchar *code)
{
	ImssCheck *check = g_hash_table_lookup(self->inflight, code);
	if (check != NULL) {
		g_debug("sharing the request in flight for this code");
		return check;
	}
	check = g_new0(ImssCheck, 1);
	check->self = g_object_ref(self);
	check->code = g_strdup(code);
	check->checks = g_ptr_array_new_with_free_func(g_object_unref);
	check->asks = g_ptr_array_new_with_free_func(g_object_unref);
	g_hash_table_insert(self->inflight, check->code, check);
	imss_license_server_query_async(self->server,
					code,
					self->edition,
					NULL,
					imss_license_checker_answered_cb,
					check);
	return check;
}

void
imss_license_checker_check_async(ImssLicenseChecker *self,
				 const gchar *code,
				 const ImssCheckRequest *request,
				 GAsyncReadyCallback callback,
				 gpointer user_data)
{
	ImssCheck *check;
	g_return_if_fail(IMSS_IS_LICENSE_CHECKER(self));
	g_return_if_fail(code != NULL && request != NULL && request->action != NULL);
	check = imss_license_checker_request(self, code);
	if (check->action == NULL) {
		check->action = g_strdup(request->action);
		check->caller = g_strdup(request->caller);
		check->day = g_strdup(request->day);
	}
	g_ptr_array_add(check->checks, g_task_new(self, NULL, callback, user_data));
}

ImssCheckResult *
imss_license_checker_check_finish(ImssLicenseChecker *self, GAsyncResult *res, GError **error)
{
	g_return_val_if_fail(g_task_is_valid(res, self), NULL);
	g_return_val_if_fail(error == NULL || *error == NULL, NULL);
	return g_task_propagate_pointer(G_TASK(res), error);
}

void
imss_license_checker_ask_async(ImssLicenseChecker *self,
			       const gchar *code,
			       GAsyncReadyCallback callback,
			       gpointer user_data)
{
	ImssCheck *check;
	g_return_if_fail(IMSS_IS_LICENSE_CHECKER(self));
	g_return_if_fail(code != NULL);
	check = imss_license_checker_request(self, code);
	g_ptr_array_add(check->asks, g_task_new(self, NULL, callback, user_data));
}

ImssServerAnswer *
imss_license_checker_ask_finish(ImssLicenseChecker *self, GAsyncResult *res, GError **error)
{
	g_return_val_if_fail(g_task_is_valid(res, self), NULL);
	g_return_val_if_fail(error == NULL || *error == NULL, NULL);
	return g_task_propagate_pointer(G_TASK(res), error);
}

/* -- automatic checks ------------------------------------------------------- */

typedef struct {
	ImssLicenseChecker *self;
	gchar *slot; /* for the log */
	gchar *code;
	gchar *day;
	guint retries;
	ImssCheckWantedFunc still_wanted;
	ImssCheckFinishedFunc finished;
	gpointer wanted_data;
} ImssAutoCheck;

/* the check is over: said once, then forgotten */
static void
imss_auto_check_free(ImssAutoCheck *a)
{
	if (a->finished != NULL)
		a->finished(a->slot, a->day, a->wanted_data);
	g_object_unref(a->self);
	g_free(a->slot);
	memset(a->code, 0, strlen(a->code));
	g_free(a->code);
	g_free(a->day);
	g_free(a);
}

static void imss_license_checker_auto_send(ImssAutoCheck *a);

static gboolean
imss_license_checker_auto_retry_cb(gpointer user_data)
{
	ImssAutoCheck *a = user_data;
	g_autofree gchar *today = NULL;
	GDate date;
	imss_clock_get_today(a->self->clock, &date);
	today = imss_date_format(&date);
	if (g_strcmp0(today, a->day) != 0 || !a->still_wanted(a->code, a->wanted_data)) {
		g_message("automatic check of %s for %s: not retried, the check day is over or the "
			  "code changed",
			  a->slot,
			  a->day);
		imss_auto_check_free(a);
		return G_SOURCE_REMOVE;
	}
	imss_license_checker_auto_send(a);
	return G_SOURCE_REMOVE;
}

/* nothing waits for an automatic check: its result is recorded; a busy
 * server is asked again the same day, as it says */
static void
imss_license_checker_auto_cb(GObject *source, GAsyncResult *res, gpointer user_data)
{
	ImssAutoCheck *a = user_data;
	ImssLicenseChecker *self = a->self;
	g_autoptr(GError) error_local = NULL;
	g_autofree ImssCheckResult *result =
	    imss_license_checker_check_finish(self, res, &error_local);
	guint delay = imss_license_server_error_get_retry_after(error_local);
	GDate next_day;
	gint64 day_end;

	/* an automatic update restarts nothing (SPEC §5.1, §7) */
	if (result != NULL ||
	    !g_error_matches(error_local, IMSS_LICENSE_SERVER_ERROR, IMSS_LICENSE_SERVER_ERROR_BUSY)) {
		imss_auto_check_free(a);
		return;
	}
	if (a->retries >= IMSS_CHECK_RETRIES_MAX) {
		g_message("automatic check of %s for %s: the server is still busy after %u retries; "
			  "the next check day asks again",
			  a->slot,
			  a->day,
			  a->retries);
		imss_auto_check_free(a);
		return;
	}
	imss_date_parse(a->day, &next_day);
	g_date_add_days(&next_day, 1);
	day_end = imss_calendar_day_start(imss_clock_get_timezone(self->clock), &next_day);
	if (imss_clock_get_time(self->clock) + delay >= day_end) {
		g_message("automatic check of %s for %s: the server asks to be asked again in %u s, "
			  "after the end of check day %s: not retried",
			  a->slot,
			  a->day,
			  delay,
			  a->day);
		imss_auto_check_free(a);
		return;
	}
	a->retries++;
	g_message("automatic check of %s for %s: retrying in %u s as the server asked (retry %u "
		  "of %u)",
		  a->slot,
		  a->day,
		  delay,
		  a->retries,
		  (guint)IMSS_CHECK_RETRIES_MAX);
	g_timeout_add_seconds(MAX(delay, 1), imss_license_checker_auto_retry_cb, a);
}

static void
imss_license_checker_auto_send(ImssAutoCheck *a)
{
	ImssCheckRequest request = {"automatic-check", "scheduler", a->day};
	imss_license_checker_check_async(a->self, a->code, &request, imss_license_checker_auto_cb, a);
}

void
imss_license_checker_check_automatic(ImssLicenseChecker *self,
				     const gchar *slot_id,
				     const gchar *code,
				     const gchar *day,
				     ImssCheckWantedFunc still_wanted,
				     ImssCheckFinishedFunc finished,
				     gpointer wanted_data)
{
	ImssAutoCheck *a;
	g_return_if_fail(IMSS_IS_LICENSE_CHECKER(self));
	g_return_if_fail(code != NULL && day != NULL && still_wanted != NULL);
	a = g_new0(ImssAutoCheck, 1);
	a->self = g_object_ref(self);
	a->slot = g_strdup(slot_id);
	a->code = g_strdup(code);
	a->day = g_strdup(day);
	a->still_wanted = still_wanted;
	a->finished = finished;
	a->wanted_data = wanted_data;
	imss_license_checker_auto_send(a);
}

static void
imss_license_checker_finalize(GObject *obj)
{
	ImssLicenseChecker *self = IMSS_LICENSE_CHECKER(obj);
	g_hash_table_unref(self->inflight);
	g_clear_object(&self->server);
	g_clear_object(&self->clock);
	G_OBJECT_CLASS(imss_license_checker_parent_class)->finalize(obj);
}

static void
imss_license_checker_class_init(ImssLicenseCheckerClass *klass)
{
	G_OBJECT_CLASS(klass)->finalize = imss_license_checker_finalize;
}

static void
imss_license_checker_init(ImssLicenseChecker *self)
{
	self->inflight = g_hash_table_new(g_str_hash, g_str_equal);
}

ImssLicenseChecker *
imss_license_checker_new(ImssLicenseServer *server,
			 ImssClock *clock,
			 ImssEdition edition,
			 ImssCheckApplyFunc apply,
			 gpointer apply_data)
{
	ImssLicenseChecker *self;
	g_return_val_if_fail(IMSS_IS_LICENSE_SERVER(server), NULL);
	g_return_val_if_fail(IMSS_IS_CLOCK(clock), NULL);
	g_return_val_if_fail(apply != NULL, NULL);
	self = g_object_new(IMSS_TYPE_LICENSE_CHECKER, NULL);
	self->server = g_object_ref(server);
	self->clock = g_object_ref(clock);
	self->edition = edition;
	self->apply = apply;
	self->apply_data = apply_data;
	return self;
}
