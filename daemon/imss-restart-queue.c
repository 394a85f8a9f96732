#define G_LOG_DOMAIN "ImssRestartQueue"

#include "config.h"

#include "imss-restart-queue.h"

struct _ImssRestartQueue {
	GObject parent_instance;
	ImssStore *store;
	ImssSystemd *systemd;
	ImssClock *clock;
	guint attempts;
	guint retry_interval;
	GPtrArray *restarts;	/* ImssStoreRestart: the store's view after the last step */
	GHashTable *not_before; /* unit → monotonic µs before which it is not retried */
	gboolean running;
	guint wakeup_id; /* the next retry, or a read retry */
};

enum { SIGNAL_CHANGED, SIGNAL_LAST };
static guint signals[SIGNAL_LAST] = {0};

G_DEFINE_TYPE(ImssRestartQueue, imss_restart_queue, G_TYPE_OBJECT)

/* a store that cannot be read now (locked, a lost database) is asked again */
#define IMSS_RESTART_QUEUE_READ_RETRY 5

typedef struct {
	ImssRestartQueue *self;
	gchar *unit;
	gint64 generation;
	guint attempts;
} ImssRestartJob;

static void
imss_restart_job_free(ImssRestartJob *job)
{
	g_object_unref(job->self);
	g_free(job->unit);
	g_free(job);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC(ImssRestartJob, imss_restart_job_free)

static void imss_restart_queue_next(ImssRestartQueue *self);

gboolean
imss_restart_queue_load(ImssRestartQueue *self, GError **error)
{
	g_autoptr(GPtrArray) restarts = NULL;
	g_return_val_if_fail(IMSS_IS_RESTART_QUEUE(self), FALSE);
	g_return_val_if_fail(error == NULL || *error == NULL, FALSE);
	restarts = imss_store_list_restarts(self->store, error);
	if (restarts == NULL)
		return FALSE;
	g_ptr_array_unref(self->restarts);
	self->restarts = g_steal_pointer(&restarts);
	return TRUE;
}

GPtrArray *
imss_restart_queue_get_restarts(ImssRestartQueue *self)
{
	g_return_val_if_fail(IMSS_IS_RESTART_QUEUE(self), NULL);
	return self->restarts;
}


static gboolean
imss_restart_queue_wakeup_cb(gpointer user_data)
{
	ImssRestartQueue *self = user_data;
	self->wakeup_id = 0;
	imss_restart_queue_kick(self);
	return G_SOURCE_REMOVE;
}

static void
imss_restart_queue_wake_in(ImssRestartQueue *self, gint64 usec)
{
	if (self->wakeup_id != 0)
		g_source_remove(self->wakeup_id);
	self->wakeup_id = g_timeout_add_seconds((guint)MAX((usec + G_USEC_PER_SEC - 1) / G_USEC_PER_SEC, 1),
						imss_restart_queue_wakeup_cb,
						self);
}

static ImssStoreHistory *
imss_restart_queue_history(ImssRestartQueue *self, const gchar *outcome, const gchar *detail)
{
	ImssStoreHistory *h = g_new0(ImssStoreHistory, 1);
	h->time = imss_clock_get_time(self->clock);
	h->action = g_strdup("restart");
	h->slot = g_strdup("");
	h->code = g_strdup("");
	h->caller = g_strdup("imss-licensed");
	h->outcome = g_strdup(outcome);
	h->detail = g_strdup(detail);
	return h;
}

/* records how the attempt ended, then goes on with the queue */
static void
imss_restart_queue_record(ImssRestartJob *job, const gchar *result, const GError *failure)
{
	ImssRestartQueue *self = job->self;
	gboolean done = result != NULL && g_strcmp0(result, "done") == 0;
	g_autoptr(GError) error_local = NULL;
	g_autoptr(ImssStoreHistory) h = NULL;
	g_autofree gchar *why = NULL;
	g_autofree gchar *detail = NULL;
	const gchar *state = NULL;
	gboolean superseded = FALSE;
	guint attempts = job->attempts + 1;

	if (done) {
		g_message("restarted %s", job->unit);
		h = imss_restart_queue_history(self, "done", job->unit);
		g_hash_table_remove(self->not_before, job->unit);
	} else {
		why = failure != NULL ? g_strdup(failure->message)
				      : g_strdup_printf("the job ended with result \"%s\"", result);
		state = attempts >= self->attempts ? "failed" : "pending";
		if (g_strcmp0(state, "failed") == 0) {
			g_warning("restart of %s failed (attempt %u of %u), giving up until it is "
				  "requested again: %s",
				  job->unit,
				  attempts,
				  self->attempts,
				  why);
			detail = g_strdup_printf("%s: %s (attempt %u of %u; not retried)",
						 job->unit, why, attempts, self->attempts);
		} else {
			gint64 wait = (gint64)self->retry_interval * G_USEC_PER_SEC
				      << MIN(attempts - 1, 16u);
			g_warning("restart of %s failed (attempt %u of %u), retrying in %" G_GINT64_FORMAT
				  " s: %s",
				  job->unit,
				  attempts,
				  self->attempts,
				  wait / G_USEC_PER_SEC,
				  why);
			detail = g_strdup_printf("%s: %s (attempt %u of %u; retried in %" G_GINT64_FORMAT
						 " s)",
						 job->unit, why, attempts, self->attempts,
						 wait / G_USEC_PER_SEC);
			g_hash_table_insert(self->not_before,
					    g_strdup(job->unit),
					    g_memdup2(&(gint64){g_get_monotonic_time() + wait},
						      sizeof(gint64)));
		}
		h = imss_restart_queue_history(self, result != NULL ? result : "error", detail);
	}
	if (!imss_store_update_restart(self->store,
				       job->unit,
				       job->generation,
				       state,
				       attempts,
				       why,
				       h,
				       &superseded,
				       &error_local)) {
		/* the record stays as it was: the restart is tried again */
		g_warning("failed to record the restart of %s: %s", job->unit, error_local->message);
	} else if (superseded) {
		g_message("%s was requested again during its restart: restarting it once more",
			  job->unit);
		g_hash_table_remove(self->not_before, job->unit);
	}
	imss_restart_queue_next(self);
}

static void
imss_restart_queue_restarted_cb(GObject *source, GAsyncResult *res, gpointer user_data)
{
	g_autoptr(ImssRestartJob) job = user_data;
	g_autoptr(GError) error_local = NULL;
	g_autofree gchar *result =
	    imss_systemd_restart_unit_finish(IMSS_SYSTEMD(source), res, &error_local);
	imss_restart_queue_record(job, result, error_local);
}

/* the first pending record that may run now; the earliest retry otherwise */
static ImssStoreRestart *
imss_restart_queue_pick(ImssRestartQueue *self, gint64 *wait)
{
	gint64 now = g_get_monotonic_time();
	*wait = G_MAXINT64;
	for (guint i = 0; i < self->restarts->len; i++) {
		ImssStoreRestart *r = g_ptr_array_index(self->restarts, i);
		gint64 *not_before = g_hash_table_lookup(self->not_before, r->unit);
		if (g_strcmp0(r->state, "pending") != 0)
			continue;
		if (not_before == NULL || *not_before <= now)
			return r;
		*wait = MIN(*wait, *not_before - now);
	}
	return NULL;
}

static void
imss_restart_queue_next(ImssRestartQueue *self)
{
	g_autoptr(GError) error_local = NULL;
	ImssRestartJob *job;
	ImssStoreRestart *r;
	gint64 wait;

	if (!imss_restart_queue_load(self, &error_local)) {
		g_warning("failed to read the restart queue, trying again in %u s: %s",
			  (guint)IMSS_RESTART_QUEUE_READ_RETRY,
			  error_local->message);
		self->running = FALSE;
		imss_restart_queue_wake_in(self, IMSS_RESTART_QUEUE_READ_RETRY * G_USEC_PER_SEC);
		return;
	}
	g_signal_emit(self, signals[SIGNAL_CHANGED], 0);
	r = imss_restart_queue_pick(self, &wait);
	if (r == NULL) {
		self->running = FALSE;
		if (wait != G_MAXINT64)
			imss_restart_queue_wake_in(self, wait);
		return;
	}
	job = g_new0(ImssRestartJob, 1);
	job->self = g_object_ref(self);
	job->unit = g_strdup(r->unit);
	job->generation = r->generation;
	job->attempts = r->attempts;
	g_message("restarting %s", job->unit);
	imss_systemd_restart_unit_async(self->systemd,
					job->unit,
					NULL,
					imss_restart_queue_restarted_cb,
					job);
}

void
imss_restart_queue_kick(ImssRestartQueue *self)
{
	g_return_if_fail(IMSS_IS_RESTART_QUEUE(self));
	if (self->running)
		return; /* the run in progress reads the queue again after each unit */
	self->running = TRUE;
	imss_restart_queue_next(self);
}

static void
imss_restart_queue_finalize(GObject *obj)
{
	ImssRestartQueue *self = IMSS_RESTART_QUEUE(obj);
	if (self->wakeup_id != 0)
		g_source_remove(self->wakeup_id);
	g_ptr_array_unref(self->restarts);
	g_hash_table_unref(self->not_before);
	g_clear_object(&self->store);
	g_clear_object(&self->systemd);
	g_clear_object(&self->clock);
	G_OBJECT_CLASS(imss_restart_queue_parent_class)->finalize(obj);
}

static void
imss_restart_queue_class_init(ImssRestartQueueClass *klass)
{
	G_OBJECT_CLASS(klass)->finalize = imss_restart_queue_finalize;
	/**
	 * ImssRestartQueue::changed:
	 * The queue was read again (a unit restarted, failed, or was requested).
	 */
	signals[SIGNAL_CHANGED] = g_signal_new("changed",
					       G_TYPE_FROM_CLASS(klass),
					       G_SIGNAL_RUN_LAST,
					       0,
					       NULL,
					       NULL,
					       NULL,
					       G_TYPE_NONE,
					       0);
}

static void
imss_restart_queue_init(ImssRestartQueue *self)
{
	self->restarts = g_ptr_array_new_with_free_func((GDestroyNotify)imss_store_restart_free);
	self->not_before = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
}

ImssRestartQueue *
imss_restart_queue_new(ImssStore *store,
		       ImssSystemd *systemd,
		       ImssClock *clock,
		       guint attempts,
		       guint retry_interval)
{
	ImssRestartQueue *self;
	g_return_val_if_fail(IMSS_IS_STORE(store), NULL);
	g_return_val_if_fail(IMSS_IS_SYSTEMD(systemd), NULL);
	g_return_val_if_fail(IMSS_IS_CLOCK(clock), NULL);
	self = g_object_new(IMSS_TYPE_RESTART_QUEUE, NULL);
	self->store = g_object_ref(store);
	self->systemd = g_object_ref(systemd);
	self->clock = g_object_ref(clock);
	self->attempts = MAX(attempts, 1);
	self->retry_interval = MAX(retry_interval, 1);
	return self;
}
