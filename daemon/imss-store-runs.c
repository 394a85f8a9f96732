#define G_LOG_DOMAIN "ImssStore"

#include "config.h"

#include <gio/gio.h>
#include <glib/gstdio.h>
#include <string.h>

#include "imss-store-private.h"



/* a claim recorded more than a day after now was made under a wrong clock
 * (fleet nodes' clocks differ by far less) */
#define IMSS_STORE_CLAIM_SKEW 86400

/* inside a transaction */
static gboolean
imss_store_delete_run(ImssStore *self,
		      const gchar *job,
		      const gchar *slot,
		      const gchar *day,
		      GError **error)
{
	g_autoptr(GdaSet) p = NULL;
	g_autoptr(GdaStatement) del = imss_store_prepare(self,
							 "DELETE FROM job_runs WHERE job = ##job::string "
							 "AND slot = ##slot::string AND day = ##day::string",
							 &p,
							 error);
	return del != NULL && gda_set_set_holder_value(p, error, "job", job) &&
	       gda_set_set_holder_value(p, error, "slot", slot) &&
	       gda_set_set_holder_value(p, error, "day", day) && imss_store_exec(self, del, p, error);
}


void
imss_store_run_free(ImssStoreRun *run)
{
	if (run == NULL)
		return;
	g_free(run->job);
	g_free(run->slot);
	g_free(run->day);
	imss_store_history_free(run->history);
	g_free(run);
}

gboolean
imss_store_write_last_job(ImssStore *self, const gchar *what, gint64 at, GError **error)
{
	g_autoptr(GdaSet) p = NULL;
	g_autoptr(GdaStatement) upd =
	    imss_store_prepare(self,
			       "UPDATE nodes SET last_job = ##job::string, last_job_at = ##at::gint64 "
			       "WHERE name = ##node::string",
			       &p,
			       error);
	return upd != NULL && gda_set_set_holder_value(p, error, "job", what) &&
	       gda_set_set_holder_value(p, error, "at", at) &&
	       gda_set_set_holder_value(p, error, "node", self->node) &&
	       imss_store_exec(self, upd, p, error);
}

/* inside a transaction: this node ran @job of @slot for @day (the fleet
 * view; in the held transaction: written before it commits) */
static gboolean
imss_store_note_job(ImssStore *self, const ImssStoreRun *run, GError **error)
{
	g_autofree gchar *what = g_strdup_printf("%s %s %s", run->job, run->slot, run->day);
	if (self->commits_held) {
		g_free(self->held_job);
		self->held_job = g_steal_pointer(&what);
		self->held_job_at = (gint64)run->at;
		return TRUE;
	}
	return imss_store_write_last_job(self, what, (gint64)run->at, error);
}

/* runs written by one statement at most (SQLite binds at most 32,766
 * values; an evaluation has a dozen runs, a catch-up a few dozen) */
#define IMSS_STORE_BATCH 32

/* @sql += "(job = ##jN AND slot = ##sN AND day = ##dN) OR …" for N < @n */
static void
imss_store_append_keys(GString *sql, guint n)
{
	g_string_append_c(sql, '(');
	for (guint i = 0; i < n; i++)
		g_string_append_printf(sql,
				       "%s(job = ##j%u::string AND slot = ##s%u::string AND day = ##d%u::string)",
				       i > 0 ? " OR " : "", i, i, i);
	g_string_append_c(sql, ')');
}

static gboolean
imss_store_bind_keys(GdaSet *p, GPtrArray *runs, GError **error)
{
	for (guint i = 0; i < runs->len; i++) {
		ImssStoreRun *run = g_ptr_array_index(runs, i);
		gchar name[16];
		g_snprintf(name, sizeof(name), "j%u", i);
		if (!gda_set_set_holder_value(p, error, name, run->job))
			return FALSE;
		g_snprintf(name, sizeof(name), "s%u", i);
		if (!gda_set_set_holder_value(p, error, name, run->slot))
			return FALSE;
		g_snprintf(name, sizeof(name), "d%u", i);
		if (!gda_set_set_holder_value(p, error, name, run->day))
			return FALSE;
	}
	return TRUE;
}

/* @head (may hold ##node) + the keys of @runs, read whole */
static GdaDataModel *
imss_store_select_runs(ImssStore *self, const gchar *head, GPtrArray *runs, GType *types, GError **error)
{
	g_autoptr(GString) sql = g_string_new(head);
	g_autoptr(GdaSet) p = NULL;
	g_autoptr(GdaStatement) stmt = NULL;

	imss_store_append_keys(sql, runs->len);
	stmt = imss_store_prepare(self, sql->str, &p, error);
	if (stmt == NULL || !imss_store_bind_keys(p, runs, error))
		return NULL;
	if (strstr(head, "##node") != NULL && !gda_set_set_holder_value(p, error, "node", self->node))
		return NULL;
	return imss_store_select(self, stmt, p, types, error);
}

/* the run of @runs with the key of row @i of @model (job, slot, day first) */
static ImssStoreRun *
imss_store_run_of_row(GPtrArray *runs, GdaDataModel *model, gint i, GError **error)
{
	const GValue *v[3];
	if (!imss_store_row_values(model, i, v, 3, error))
		return NULL;
	for (guint k = 0; k < runs->len; k++) {
		ImssStoreRun *run = g_ptr_array_index(runs, k);
		if (G_VALUE_HOLDS_STRING(v[0]) && G_VALUE_HOLDS_STRING(v[1]) &&
		    G_VALUE_HOLDS_STRING(v[2]) && g_strcmp0(g_value_get_string(v[0]), run->job) == 0 &&
		    g_strcmp0(g_value_get_string(v[1]), run->slot) == 0 &&
		    g_strcmp0(g_value_get_string(v[2]), run->day) == 0)
			return run;
	}
	g_set_error_literal(error, G_IO_ERROR, G_IO_ERROR_FAILED, "a row not asked for");
	return NULL;
}

/* inside a transaction: the runs of @runs not recorded yet (by any node) —
 * one SELECT. A run recorded at a time still to come was recorded under a
 * clock that was wrong (ahead): that record does not count, or the real
 * day's job would be lost; it goes and the date runs again, now. */
static GPtrArray *
imss_store_unrecorded_runs(ImssStore *self, GPtrArray *runs, GError **error)
{
	GType types[] = {G_TYPE_STRING, G_TYPE_STRING, G_TYPE_STRING, G_TYPE_INT64, G_TYPE_NONE};
	g_autoptr(GdaDataModel) model = NULL;
	g_autoptr(GHashTable) recorded = g_hash_table_new(NULL, NULL);
	g_autoptr(GPtrArray) todo = g_ptr_array_new();

	model = imss_store_select_runs(self, "SELECT job, slot, day, at FROM job_runs WHERE ", runs,
				       types, error);
	if (model == NULL)
		return NULL;
	for (gint i = 0; i < gda_data_model_get_n_rows(model); i++) {
		ImssStoreRun *run = imss_store_run_of_row(runs, model, i, error);
		const GValue *at;
		gint64 claimed_at;
		if (run == NULL)
			return NULL;
		at = gda_data_model_get_value_at(model, 3, i, error);
		if (at == NULL)
			return NULL;
		claimed_at = imss_store_value_get_int64(at);
		if (claimed_at > run->at + IMSS_STORE_CLAIM_SKEW) {
			g_warning("the %s run of %s for %s was recorded at %" G_GINT64_FORMAT
				  ", after now (%" G_GINT64_FORMAT "), under a wrong clock: running it again",
				  run->job, run->slot, run->day, claimed_at, run->at);
			if (!imss_store_delete_run(self, run->job, run->slot, run->day, error))
				return NULL;
			continue;
		}
		g_hash_table_add(recorded, run);
	}
	for (guint k = 0; k < runs->len; k++) {
		if (!g_hash_table_contains(recorded, g_ptr_array_index(runs, k)))
			g_ptr_array_add(todo, g_ptr_array_index(runs, k));
	}
	return g_steal_pointer(&todo);
}

/* inside a transaction: which of @todo (just inserted with ON CONFLICT DO
 * NOTHING) are this node's rows — another node may have recorded some
 * since our look */
static gboolean
imss_store_mark_own_runs(ImssStore *self, GPtrArray *todo, GError **error)
{
	GType types[] = {G_TYPE_STRING, G_TYPE_STRING, G_TYPE_STRING, G_TYPE_NONE};
	g_autoptr(GdaDataModel) model =
	    imss_store_select_runs(self, "SELECT job, slot, day FROM job_runs WHERE owner = ##node::string AND ",
				   todo, types, error);
	if (model == NULL)
		return FALSE;
	for (gint i = 0; i < gda_data_model_get_n_rows(model); i++) {
		ImssStoreRun *run = imss_store_run_of_row(todo, model, i, error);
		if (run == NULL)
			return FALSE;
		run->claimed = TRUE;
	}
	return TRUE;
}

/* inside a transaction: claims the runs of @todo for this node in one
 * multi-row INSERT that another node's claim of any of them makes a no-op
 * for that run alone (ON CONFLICT DO NOTHING); @all: whether every run was
 * new (each is then claimed; otherwise none is marked) */
static gboolean
imss_store_insert_runs(ImssStore *self, GPtrArray *todo, gboolean *all, GError **error)
{
	g_autoptr(GString) rows = g_string_new(NULL);
	g_autoptr(GdaSet) p = NULL;
	g_autoptr(GdaStatement) ins = NULL;
	gint n = 0;

	/* WHERE: SQLite's upsert after a SELECT needs one (no join's ON) */
	ins = imss_store_prepare_now(self,
				     "INSERT INTO job_runs (job, slot, day, at, done, owner, lease_until) "
				     "SELECT @col0@, @col1@, @col2@, CAST(@col3@ AS BIGINT), "
				     "CAST(@col4@ AS INTEGER), ##node::string, @now@ + ##lease::gint64 "
				     "FROM @rows@ WHERE 1 = 1 ON CONFLICT DO NOTHING",
				     &p,
				     error);
	for (guint i = 0; i < todo->len; i++) {
		ImssStoreRun *run = g_ptr_array_index(todo, i);
		imss_store_rows_append(rows, "sssii", run->job, run->slot, run->day, (gint64)run->at,
				       (gint64)(run->pending ? 0 : 1));
	}
	if (ins == NULL || !imss_store_bind_rows(p, rows, error) ||
	    !gda_set_set_holder_value(p, error, "node", self->node) ||
	    !gda_set_set_holder_value(p, error, "lease", (gint64)self->claim_lease) ||
	    !imss_store_exec_count(self, ins, p, &n, error))
		return FALSE;
	*all = n == (gint)todo->len;
	for (guint i = 0; i < todo->len && *all; i++)
		((ImssStoreRun *)g_ptr_array_index(todo, i))->claimed = TRUE;
	return TRUE;
}

/* inside a transaction: claims what no node recorded yet of @runs (at
 * most IMSS_STORE_BATCH, distinct), with their history entries. The usual
 * case first (@look FALSE): every run is new, one INSERT claims them all.
 * When one was not (@recorded TRUE: the caller rolls back and comes again
 * with @look), the records are looked at first (one SELECT: a record made
 * under a clock that was ahead goes), the others inserted, and when
 * another node was quicker since that look, which rows are ours is read. */
static gboolean
imss_store_claim_inner(ImssStore *self, GPtrArray *runs, gboolean look, gboolean *recorded, GError **error)
{
	g_autoptr(GPtrArray) todo = NULL;
	g_autoptr(GPtrArray) history = g_ptr_array_new();
	ImssStoreRun *last = NULL;
	gboolean all = FALSE;

	*recorded = FALSE;
	for (guint i = 0; i < runs->len; i++)
		((ImssStoreRun *)g_ptr_array_index(runs, i))->claimed = FALSE;
	todo = look ? imss_store_unrecorded_runs(self, runs, error) : g_ptr_array_ref(runs);
	if (todo == NULL)
		return FALSE;
	if (todo->len == 0)
		return TRUE;
	if (!imss_store_insert_runs(self, todo, &all, error))
		return FALSE;
	if (!all && !look) {
		*recorded = TRUE;
		return TRUE;
	}
	if (!all && !imss_store_mark_own_runs(self, todo, error))
		return FALSE;
	for (guint i = 0; i < todo->len; i++) {
		ImssStoreRun *run = g_ptr_array_index(todo, i);
		if (!run->claimed)
			continue;
		if (run->history != NULL)
			g_ptr_array_add(history, run->history);
		last = run;
	}
	if (!imss_store_append_histories(self, history, error))
		return FALSE;
	return last == NULL || imss_store_note_job(self, last, error);
}

/* one batch, in its own transaction */
static gboolean
imss_store_claim_batch(ImssStore *self, GPtrArray *runs, GError **error)
{
	gboolean recorded = TRUE;
	gboolean begun = FALSE;
	for (gint attempt = 0; recorded && attempt < 2; attempt++) {
		begun = imss_store_begin(self, error);
		if (!begun)
			break;
		if (!imss_store_claim_inner(self, runs, attempt > 0, &recorded, error))
			break;
		if (recorded) {
			imss_store_rollback(self);
			continue;
		}
		if (!imss_store_commit(self, error))
			break;
		for (guint i = 0; i < runs->len; i++) {
			ImssStoreRun *run = g_ptr_array_index(runs, i);
			if (!run->claimed)
				g_debug("the %s run of %s for %s is recorded already (or another node's)",
					run->job, run->slot, run->day);
		}
		return TRUE;
	}
	if (begun)
		imss_store_rollback(self);
	for (guint i = 0; i < runs->len; i++)
		((ImssStoreRun *)g_ptr_array_index(runs, i))->claimed = FALSE;
	imss_store_classify_error(error);
	return FALSE;
}

static gboolean
imss_store_same_run(const ImssStoreRun *a, const ImssStoreRun *b)
{
	return g_strcmp0(a->job, b->job) == 0 && g_strcmp0(a->slot, b->slot) == 0 &&
	       g_strcmp0(a->day, b->day) == 0;
}

gboolean
imss_store_claim_runs(ImssStore *self, GPtrArray *runs, GError **error)
{
	g_autoptr(GPtrArray) batch = g_ptr_array_new();

	g_return_val_if_fail(IMSS_IS_STORE(self), FALSE);
	g_return_val_if_fail(runs != NULL, FALSE);
	g_return_val_if_fail(error == NULL || *error == NULL, FALSE);

	for (guint i = 0; i < runs->len; i++)
		((ImssStoreRun *)g_ptr_array_index(runs, i))->claimed = FALSE;
	if (!imss_store_check_open(self, error))
		return FALSE;
	/* the whole evaluation's runs in one transaction (a run twice in
	 * @runs is claimed once); a run another node claimed never takes this
	 * node's other claims with it */
	for (guint i = 0; i < runs->len; i++) {
		ImssStoreRun *run = g_ptr_array_index(runs, i);
		gboolean twice = FALSE;
		for (guint k = 0; k < batch->len && !twice; k++)
			twice = imss_store_same_run(g_ptr_array_index(batch, k), run);
		if (!twice)
			g_ptr_array_add(batch, run);
		if (batch->len < IMSS_STORE_BATCH && i + 1 < runs->len)
			continue;
		if (!imss_store_claim_batch(self, batch, error)) {
			for (guint j = i + 1; j < runs->len; j++)
				((ImssStoreRun *)g_ptr_array_index(runs, j))->claimed = FALSE;
			return FALSE;
		}
		g_ptr_array_set_size(batch, 0);
	}
	return TRUE;
}

static gboolean
imss_store_finish_inner(ImssStore *self,
			const gchar *job,
			const gchar *slot,
			const gchar *day,
			ImssStoreHistory *history,
			GError **error)
{
	g_autoptr(GdaSet) p = NULL;
	g_autoptr(GdaStatement) upd = NULL;
	gint n = 0;

	upd = imss_store_prepare(self,
				 "UPDATE job_runs SET done = 1 WHERE job = ##job::string "
				 "AND slot = ##slot::string AND day = ##day::string "
				 "AND owner = ##node::string",
				 &p,
				 error);
	if (upd == NULL || !gda_set_set_holder_value(p, error, "job", job) ||
	    !gda_set_set_holder_value(p, error, "slot", slot) ||
	    !gda_set_set_holder_value(p, error, "day", day) ||
	    !gda_set_set_holder_value(p, error, "node", self->node) ||
	    !imss_store_exec_count(self, upd, p, &n, error))
		return FALSE;
	if (n == 0) {
		/* our lease ran out and another node took the run over: its
		 * outcome is that node's to record */
		g_warning("the %s run of %s for %s was taken over by another node", job, slot, day);
		return TRUE;
	}
	return imss_store_append_history(self, history, error);
}

/* inside a transaction: the runs of @runs (at most IMSS_STORE_BATCH) are
 * done — one UPDATE; only when another node took one over (its count
 * falls short) each is looked at on its own */
static gboolean
imss_store_finish_batch_inner(ImssStore *self, GPtrArray *runs, GError **error)
{
	g_autoptr(GString) sql = g_string_new("UPDATE job_runs SET done = 1 WHERE owner = ##node::string AND ");
	g_autoptr(GPtrArray) history = g_ptr_array_new();
	g_autoptr(GdaSet) p = NULL;
	g_autoptr(GdaStatement) upd = NULL;
	gint n = 0;

	imss_store_append_keys(sql, runs->len);
	upd = imss_store_prepare(self, sql->str, &p, error);
	if (upd == NULL || !gda_set_set_holder_value(p, error, "node", self->node) ||
	    !imss_store_bind_keys(p, runs, error) || !imss_store_exec_count(self, upd, p, &n, error))
		return FALSE;
	if (n != (gint)runs->len) {
		for (guint i = 0; i < runs->len; i++) {
			ImssStoreRun *run = g_ptr_array_index(runs, i);
			if (!imss_store_finish_inner(self, run->job, run->slot, run->day, run->history, error))
				return FALSE;
		}
		return TRUE;
	}
	for (guint i = 0; i < runs->len; i++) {
		ImssStoreRun *run = g_ptr_array_index(runs, i);
		if (run->history != NULL)
			g_ptr_array_add(history, run->history);
	}
	return imss_store_append_histories(self, history, error);
}

void
imss_store_hold_finishes(ImssStore *self)
{
	g_return_if_fail(IMSS_IS_STORE(self));
	if (self->finish_hold++ == 0 && self->finishes == NULL)
		self->finishes = g_ptr_array_new_with_free_func((GDestroyNotify)imss_store_run_free);
}

gboolean
imss_store_release_finishes(ImssStore *self, GError **error)
{
	g_autoptr(GPtrArray) finishes = NULL;
	g_autoptr(GPtrArray) batch = g_ptr_array_new();

	g_return_val_if_fail(IMSS_IS_STORE(self), FALSE);
	g_return_val_if_fail(self->finish_hold > 0, FALSE);
	g_return_val_if_fail(error == NULL || *error == NULL, FALSE);
	if (--self->finish_hold > 0 || self->finishes->len == 0)
		return TRUE;
	finishes = g_steal_pointer(&self->finishes);
	if (!imss_store_check_open(self, error))
		return FALSE;
	for (guint i = 0; i < finishes->len; i++) {
		g_ptr_array_add(batch, g_ptr_array_index(finishes, i));
		if (batch->len < IMSS_STORE_BATCH && i + 1 < finishes->len)
			continue;
		if (!imss_store_begin(self, error)) {
			imss_store_classify_error(error);
			return FALSE;
		}
		if (!imss_store_finish_batch_inner(self, batch, error) ||
		    !imss_store_commit(self, error)) {
			imss_store_rollback(self);
			imss_store_classify_error(error);
			return FALSE;
		}
		g_ptr_array_set_size(batch, 0);
	}
	return TRUE;
}

gboolean
imss_store_finish_run(ImssStore *self,
		      const gchar *job,
		      const gchar *slot,
		      const gchar *day,
		      ImssStoreHistory *history,
		      GError **error)
{
	g_return_val_if_fail(IMSS_IS_STORE(self), FALSE);
	g_return_val_if_fail(job != NULL, FALSE);
	g_return_val_if_fail(slot != NULL, FALSE);
	g_return_val_if_fail(day != NULL, FALSE);
	g_return_val_if_fail(error == NULL || *error == NULL, FALSE);

	if (self->finish_hold > 0) {
		/* written with the others at imss_store_release_finishes() */
		ImssStoreRun *run = g_new0(ImssStoreRun, 1);
		run->job = g_strdup(job);
		run->slot = g_strdup(slot);
		run->day = g_strdup(day);
		run->history = history != NULL ? imss_store_history_dup(history) : NULL;
		g_ptr_array_add(self->finishes, run);
		return TRUE;
	}
	if (!imss_store_check_open(self, error))
		return FALSE;
	if (!imss_store_begin(self, error)) {
		imss_store_classify_error(error);
		return FALSE;
	}
	if (!imss_store_finish_inner(self, job, slot, day, history, error) ||
	    !imss_store_commit(self, error)) {
		imss_store_rollback(self);
		imss_store_classify_error(error);
		return FALSE;
	}
	return TRUE;
}
