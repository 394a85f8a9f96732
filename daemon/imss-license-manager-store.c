/*
 * ImssLicenseManager and its store: the licenses loaded and taken after a
 * commit, store failures turned into the errors a caller sees, waiting for
 * a store another program holds locked, and the history.
 */
#define G_LOG_DOMAIN "ImssLicenseManager"

#include "config.h"

#include "imss-error.h"
#include "imss-license-manager-private.h"

gboolean
imss_license_manager_fail(GError **error, ImssError code)
{
	g_return_val_if_fail(error == NULL || *error == NULL, FALSE);

	g_set_error_literal(error, IMSS_ERROR, code, imss_error_to_text(code));
	return FALSE;
}

/* A store failure, for a caller: another program's lock is Busy (try
 * again), a full disk says so, anything else is Internal (the details go to
 * the journal only). */
gboolean
imss_license_manager_store_failed(GError **error, GError *cause, const gchar *what)
{
	g_return_val_if_fail(error == NULL || *error == NULL, FALSE);
	g_return_val_if_fail(cause != NULL, FALSE);
	g_return_val_if_fail(what != NULL, FALSE);

	if (g_error_matches(cause, G_IO_ERROR, G_IO_ERROR_BUSY) ||
	    g_error_matches(cause, G_IO_ERROR, G_IO_ERROR_WRONG_ETAG)) {
		g_debug("could not %s: %s", what, cause->message);
		return imss_license_manager_fail(error, IMSS_ERROR_BUSY);
	}
	g_warning("failed to %s: %s", what, cause->message);
	if (g_error_matches(cause, G_IO_ERROR, G_IO_ERROR_NO_SPACE)) {
		g_set_error_literal(error,
				    IMSS_ERROR,
				    IMSS_ERROR_INTERNAL,
				    /* English, like every error on the bus */
				    "The license store could not be written: the disk is "
				    "full. Nothing was changed. Free some space and try "
				    "again.");
		return FALSE;
	}
	if (g_error_matches(cause, G_IO_ERROR, G_IO_ERROR_NOT_CONNECTED)) {
		g_set_error_literal(error,
				    IMSS_ERROR,
				    IMSS_ERROR_INTERNAL,
				    /* English, like every error on the bus */
				    "The license database server cannot be reached. Nothing was "
				    "read or changed. The service reconnects by itself when the "
				    "server is back; try again then.");
		return FALSE;
	}
	return imss_license_manager_fail(error, IMSS_ERROR_INTERNAL);
}

gboolean
imss_license_manager_stale_reload(ImssLicenseManager *self, const GError *cause, gboolean *retried)
{
	g_autoptr(GError) error_local = NULL;
	g_return_val_if_fail(IMSS_IS_LICENSE_MANAGER(self), FALSE);
	g_return_val_if_fail(retried != NULL, FALSE);

	if (*retried || !g_error_matches(cause, G_IO_ERROR, G_IO_ERROR_WRONG_ETAG))
		return FALSE;
	*retried = TRUE;
	g_message("%s: re-reading the licenses and trying again", cause->message);
	if (!imss_license_manager_reload(self, &error_local)) {
		g_warning("failed to re-read the licenses: %s", error_local->message);
		return FALSE;
	}
	return TRUE;
}

/* -- waiting for the store -------------------------------------------------------- */

/* Another program (a backup, an sqlite3 shell) may hold a lock on the store.
 * A statement waits for it only briefly (the store's busy timeout blocks the
 * main loop); a caller that can wait is tried again on the main loop every
 * IMSS_STORE_RETRY_INTERVAL_MS for up to IMSS_STORE_RETRY_FOR_MS, while every
 * other caller is answered, and then gets Busy. */
#define IMSS_STORE_RETRY_INTERVAL_MS 100
#define IMSS_STORE_RETRY_FOR_MS	     5000

typedef struct {
	ImssStoreAttempt attempt;
	gpointer data;
	GDestroyNotify data_free;
	GDestroyNotify result_free;
	gint64 deadline;
	guint tries;
} ImssStoreRetry;

static void
imss_store_retry_free(ImssStoreRetry *r)
{
	if (r->data_free != NULL)
		r->data_free(r->data);
	g_free(r);
}

static gboolean
imss_license_manager_store_retry_cb(gpointer user_data)
{
	GTask *task = G_TASK(user_data);
	ImssStoreRetry *r = g_task_get_task_data(task);
	g_autoptr(GError) error_local = NULL;
	gboolean busy;
	gpointer result;

	r->tries++;
	result = r->attempt(g_task_get_source_object(task), r->data, &error_local);
	if (result != NULL) {
		if (r->tries > 1)
			g_message("the license store is free again (%u tries)", r->tries);
		g_task_return_pointer(task, result, r->result_free);
		g_object_unref(task);
		return G_SOURCE_REMOVE;
	}
	busy = g_error_matches(error_local, IMSS_ERROR, IMSS_ERROR_BUSY);
	if (busy && g_get_monotonic_time() < r->deadline) {
		if (r->tries == 1)
			g_message("the license store is locked by another program: trying again "
				  "for up to %d s",
				  IMSS_STORE_RETRY_FOR_MS / 1000);
		g_timeout_add(IMSS_STORE_RETRY_INTERVAL_MS, imss_license_manager_store_retry_cb, task);
		return G_SOURCE_REMOVE;
	}
	if (busy)
		g_warning("the license store stayed locked by another program for %d s: "
			  "answering busy",
			  IMSS_STORE_RETRY_FOR_MS / 1000);
	g_task_return_error(task, g_steal_pointer(&error_local));
	g_object_unref(task);
	return G_SOURCE_REMOVE;
}

/* Runs @attempt now, and again while the store is locked (see above);
 * completes with its result (freed with @result_free when nobody takes it)
 * or its error. @data is freed with @data_free. */
void
imss_license_manager_store_retry_async(ImssLicenseManager *self,
				       ImssStoreAttempt attempt,
				       gpointer data,
				       GDestroyNotify data_free,
				       GDestroyNotify result_free,
				       GAsyncReadyCallback callback,
				       gpointer user_data)
{
	GTask *task = NULL;
	ImssStoreRetry *r = g_new0(ImssStoreRetry, 1);
	g_return_if_fail(IMSS_IS_LICENSE_MANAGER(self));
	g_return_if_fail(attempt != NULL);
	task = g_task_new(self, NULL, callback, user_data);

	r->attempt = attempt;
	r->data = data;
	r->data_free = data_free;
	r->result_free = result_free;
	r->deadline = g_get_monotonic_time() + (gint64)IMSS_STORE_RETRY_FOR_MS * 1000;
	g_task_set_task_data(task, r, (GDestroyNotify)imss_store_retry_free);
	imss_license_manager_store_retry_cb(task);
}

/* after a committed change: the licenses it stored become ours */
void
imss_license_manager_take_stored(ImssLicenseManager *self, ImssStoreChange *change)
{
	g_return_if_fail(IMSS_IS_LICENSE_MANAGER(self));
	g_return_if_fail(change != NULL);

	for (guint i = 0; i < change->licenses->len; i++) {
		ImssLicense *stored = g_ptr_array_index(change->licenses, i);
		imss_license_assign(self->licenses[imss_license_get_slot(stored)], stored);
	}
}

gboolean
imss_license_manager_load(ImssLicenseManager *self, GError **error)
{
	g_autoptr(GPtrArray) stored = NULL;
	g_autoptr(GError) error_local = NULL;

	g_return_val_if_fail(IMSS_IS_LICENSE_MANAGER(self), FALSE);
	g_return_val_if_fail(error == NULL || *error == NULL, FALSE);

	stored = imss_store_load_licenses(self->store, &error_local);
	if (stored == NULL) {
		g_propagate_prefixed_error(error,
					   g_steal_pointer(&error_local),
					   "failed to load licenses: ");
		return FALSE;
	}
	for (guint i = 0; i < IMSS_SLOT_LAST; i++) {
		g_autoptr(ImssLicense) none = imss_license_new(i, TRUE);
		imss_license_assign(self->licenses[i], none);
	}
	for (guint i = 0; i < stored->len; i++) {
		ImssLicense *license = g_ptr_array_index(stored, i);
		imss_license_assign(self->licenses[imss_license_get_slot(license)], license);
	}
	return TRUE;
}

GPtrArray *
imss_license_manager_get_history(ImssLicenseManager *self, guint limit, GError **error)
{
	g_autoptr(GError) error_local = NULL;
	GPtrArray *entries = NULL;
	g_return_val_if_fail(IMSS_IS_LICENSE_MANAGER(self), NULL);
	g_return_val_if_fail(error == NULL || *error == NULL, NULL);
	entries = imss_store_list_history(self->store, 0, limit, NULL, &error_local);

	if (entries == NULL) {
		imss_license_manager_store_failed(error, error_local, "read the history");
		return NULL;
	}
	return entries;
}

typedef struct {
	guint offset;
	guint limit;
	gboolean with_total; /* a COUNT over the whole table: only when asked */
	guint total;
} ImssHistoryRequest;

static gpointer
imss_license_manager_history_attempt(ImssLicenseManager *self, gpointer data, GError **error)
{
	ImssHistoryRequest *req = data;
	g_autoptr(GError) error_local = NULL;
	GPtrArray *entries = imss_store_list_history(self->store,
						     req->offset,
						     req->limit,
						     req->with_total ? &req->total : NULL,
						     &error_local);
	if (entries == NULL)
		imss_license_manager_store_failed(error, error_local, "read the history");
	return entries;
}

void
imss_license_manager_get_history_page_async(ImssLicenseManager *self,
					    guint offset,
					    guint limit,
					    gboolean with_total,
					    GAsyncReadyCallback callback,
					    gpointer user_data)
{
	ImssHistoryRequest *req = g_new0(ImssHistoryRequest, 1);
	g_return_if_fail(IMSS_IS_LICENSE_MANAGER(self));

	req->offset = offset;
	req->with_total = with_total;
	req->limit = MIN(limit > 0 ? limit : IMSS_HISTORY_PAGE_DEFAULT, IMSS_HISTORY_PAGE_MAX);
	imss_license_manager_store_retry_async(self,
					       imss_license_manager_history_attempt,
					       req,
					       g_free,
					       (GDestroyNotify)g_ptr_array_unref,
					       callback,
					       user_data);
}

GPtrArray *
imss_license_manager_get_history_page_finish(ImssLicenseManager *self,
					     GAsyncResult *res,
					     guint *total,
					     GError **error)
{
	ImssStoreRetry *r = NULL;
	GPtrArray *entries = NULL;
	g_return_val_if_fail(IMSS_IS_LICENSE_MANAGER(self), NULL);
	g_return_val_if_fail(g_task_is_valid(res, self), NULL);
	g_return_val_if_fail(error == NULL || *error == NULL, NULL);
	r = g_task_get_task_data(G_TASK(res));
	entries = g_task_propagate_pointer(G_TASK(res), error);

	if (entries != NULL && total != NULL)
		*total = ((ImssHistoryRequest *)r->data)->total;
	return entries;
}
