#define G_LOG_DOMAIN "ImssStore"

#include "config.h"

#include <gio/gio.h>
#include <glib/gstdio.h>
#include <string.h>

#include "imss-store-private.h"

static gboolean imss_store_get_run(ImssStore *self,
				   const gchar *job,
				   const gchar *slot,
				   const gchar *day,
				   gboolean *exists,
				   gint64 *at,
				   GError **error);

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


static gboolean
imss_store_get_run(ImssStore *self,
		   const gchar *job,
		   const gchar *slot,
		   const gchar *day,
		   gboolean *exists,
		   gint64 *at,
		   GError **error)
{
	GType types[] = {G_TYPE_INT64, G_TYPE_NONE};
	g_autoptr(GdaSet) p = NULL;
	g_autoptr(GdaStatement) stmt = NULL;
	g_autoptr(GdaDataModel) model = NULL;

	if (!imss_store_check_open(self, error))
		return FALSE;
	stmt = imss_store_prepare(self,
				  "SELECT at FROM job_runs WHERE job = ##job::string "
				  "AND slot = ##slot::string AND day = ##day::string",
				  &p,
				  error);
	if (stmt == NULL)
		return FALSE;
	if (!gda_set_set_holder_value(p, error, "job", job) ||
	    !gda_set_set_holder_value(p, error, "slot", slot) ||
	    !gda_set_set_holder_value(p, error, "day", day))
		return FALSE;
	model = imss_store_select(self, stmt, p, types, error);
	if (model == NULL)
		return FALSE;
	*exists = gda_data_model_get_n_rows(model) > 0;
	if (*exists) {
		const GValue *v = gda_data_model_get_value_at(model, 0, 0, error);
		if (v == NULL)
			return FALSE;
		*at = imss_store_value_get_int64(v);
	}
	return TRUE;
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

static gboolean
imss_store_claim_inner(ImssStore *self, ImssStoreRun *run, GError **error)
{
	g_autoptr(GdaSet) p = NULL;
	g_autoptr(GdaStatement) ins = NULL;
	gboolean exists = FALSE;
	gint64 claimed_at = 0;

	/* the row is the claim */
	run->claimed = FALSE;
	if (!imss_store_get_run(self, run->job, run->slot, run->day, &exists, &claimed_at, error))
		return FALSE;
	if (exists && claimed_at > run->at + IMSS_STORE_CLAIM_SKEW) {
		/* claimed at a time still to come: under a clock that was wrong
		 * (ahead). That run does not count, or the real day's job would
		 * be lost: the date runs again, now. */
		g_warning("the %s run of %s for %s was recorded at %" G_GINT64_FORMAT
			  ", after now (%" G_GINT64_FORMAT "), under a wrong clock: running it again",
			  run->job, run->slot, run->day, claimed_at, run->at);
		if (!imss_store_delete_run(self, run->job, run->slot, run->day, error))
			return FALSE;
		exists = FALSE;
	}
	if (exists)
		return TRUE;
	ins = imss_store_prepare(self,
				 "INSERT INTO job_runs (job, slot, day, at, done) VALUES "
				 "(##job::string, ##slot::string, ##day::string, ##at::gint64, "
				 "##done::gint)",
				 &p,
				 error);
	if (ins == NULL || !gda_set_set_holder_value(p, error, "job", run->job) ||
	    !gda_set_set_holder_value(p, error, "slot", run->slot) ||
	    !gda_set_set_holder_value(p, error, "day", run->day) ||
	    !gda_set_set_holder_value(p, error, "at", (gint64)run->at) ||
	    !gda_set_set_holder_value(p, error, "done", (gint)(run->pending ? 0 : 1)))
		return FALSE;
	if (!imss_store_exec(self, ins, p, error))
		return FALSE;
	if (!imss_store_append_history(self, run->history, error))
		return FALSE;
	run->claimed = TRUE;
	return TRUE;
}

gboolean
imss_store_claim_runs(ImssStore *self, GPtrArray *runs, GError **error)
{
	g_autoptr(GError) error_local = NULL;

	g_return_val_if_fail(IMSS_IS_STORE(self), FALSE);
	g_return_val_if_fail(runs != NULL, FALSE);
	g_return_val_if_fail(error == NULL || *error == NULL, FALSE);

	if (!imss_store_check_open(self, error))
		return FALSE;
	if (runs->len == 0)
		return TRUE;
	if (!imss_store_begin(self, error)) {
		imss_store_classify_error(error);
		return FALSE;
	}
	for (guint i = 0; i < runs->len; i++) {
		if (!imss_store_claim_inner(self, g_ptr_array_index(runs, i), &error_local))
			break;
	}
	if (error_local == NULL &&
	    gda_connection_commit_transaction(self->cnc, NULL, &error_local))
		return TRUE;
	imss_store_rollback(self);
	for (guint i = 0; i < runs->len; i++)
		((ImssStoreRun *)g_ptr_array_index(runs, i))->claimed = FALSE;
	/* another node may have claimed a run between our look and our insert:
	 * the primary key said no; the next evaluation sees its row */
	g_propagate_error(error, g_steal_pointer(&error_local));
	imss_store_classify_error(error);
	return FALSE;
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

	upd = imss_store_prepare(self,
				 "UPDATE job_runs SET done = 1 WHERE job = ##job::string "
				 "AND slot = ##slot::string AND day = ##day::string",
				 &p,
				 error);
	if (upd == NULL || !gda_set_set_holder_value(p, error, "job", job) ||
	    !gda_set_set_holder_value(p, error, "slot", slot) ||
	    !gda_set_set_holder_value(p, error, "day", day) || !imss_store_exec(self, upd, p, error))
		return FALSE;
	return imss_store_append_history(self, history, error);
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

	if (!imss_store_check_open(self, error))
		return FALSE;
	if (!imss_store_begin(self, error)) {
		imss_store_classify_error(error);
		return FALSE;
	}
	if (!imss_store_finish_inner(self, job, slot, day, history, error) ||
	    !gda_connection_commit_transaction(self->cnc, NULL, error)) {
		imss_store_rollback(self);
		imss_store_classify_error(error);
		return FALSE;
	}
	return TRUE;
}

GPtrArray *
imss_store_list_pending_runs(ImssStore *self, const gchar *job, GError **error)
{
	GType types[] = {G_TYPE_STRING, G_TYPE_STRING, G_TYPE_INT64, G_TYPE_NONE};
	g_autoptr(GdaSet) p = NULL;
	g_autoptr(GdaStatement) stmt = NULL;
	g_autoptr(GdaDataModel) model = NULL;
	g_autoptr(GPtrArray) runs = g_ptr_array_new_with_free_func((GDestroyNotify)imss_store_run_free);

	g_return_val_if_fail(IMSS_IS_STORE(self), NULL);
	g_return_val_if_fail(job != NULL, NULL);
	g_return_val_if_fail(error == NULL || *error == NULL, NULL);
	if (!imss_store_check_open(self, error))
		return NULL;
	stmt = imss_store_prepare(self,
				  "SELECT slot, day, at FROM job_runs WHERE job = ##job::string "
				  "AND done = 0 ORDER BY day, slot",
				  &p,
				  error);
	if (stmt == NULL || !gda_set_set_holder_value(p, error, "job", job))
		return NULL;
	model = imss_store_select(self, stmt, p, types, error);
	if (model == NULL)
		return NULL;
	for (gint i = 0; i < gda_data_model_get_n_rows(model); i++) {
		g_autoptr(ImssStoreRun) run = g_new0(ImssStoreRun, 1);
		const GValue *v[3];
		for (gint c = 0; c < 3; c++) {
			v[c] = gda_data_model_get_value_at(model, c, i, error);
			if (v[c] == NULL)
				return NULL;
		}
		run->job = g_strdup(job);
		run->slot = imss_store_value_dup_string(v[0]);
		run->day = imss_store_value_dup_string(v[1]);
		run->at = imss_store_value_get_int64(v[2]);
		run->pending = TRUE;
		g_ptr_array_add(runs, g_steal_pointer(&run));
	}
	return g_steal_pointer(&runs);
}

/* -- the restart queue ---------------------------------------------------- */

void
imss_store_restart_free(ImssStoreRestart *restart)
{
	if (restart == NULL)
		return;
	g_free(restart->unit);
	g_free(restart->state);
	g_free(restart->last_error);
	g_free(restart);
}

/* inside a transaction: request @units again or for the first time */
gboolean
imss_store_request_restarts(ImssStore *self, GPtrArray *units, gint64 at, GError **error)
{
	g_autoptr(GdaSet) pupd = NULL;
	g_autoptr(GdaSet) pins = NULL;
	g_autoptr(GdaStatement) upd = NULL;
	g_autoptr(GdaStatement) ins = NULL;

	g_return_val_if_fail(IMSS_IS_STORE(self), FALSE);
	g_return_val_if_fail(units != NULL, FALSE);
	g_return_val_if_fail(error == NULL || *error == NULL, FALSE);

	upd = imss_store_prepare(self,
				 "UPDATE restarts SET generation = generation + 1, attempts = 0, "
				 "state = 'pending', last_error = '', requested_at = ##at::gint64, "
				 "seq = ##seq::gint64 WHERE unit = ##unit::string",
				 &pupd,
				 error);
	if (upd == NULL)
		return FALSE;
	ins = imss_store_prepare(self,
				 "INSERT INTO restarts (unit, seq, generation, attempts, state, "
				 "requested_at, last_error) VALUES (##unit::string, ##seq::gint64, 1, 0, "
				 "'pending', ##at::gint64, '')",
				 &pins,
				 error);
	if (ins == NULL)
		return FALSE;
	for (guint i = 0; i < units->len; i++) {
		const gchar *unit = g_ptr_array_index(units, i);
		gint n;
		if (!gda_set_set_holder_value(pupd, error, "unit", unit) ||
		    !gda_set_set_holder_value(pupd, error, "seq", (gint64)i) ||
		    !gda_set_set_holder_value(pupd, error, "at", (gint64)at))
			return FALSE;
		n = gda_connection_statement_execute_non_select(self->cnc, upd, pupd, NULL, error);
		if (n == -1)
			return FALSE;
		if (n > 0)
			continue;
		if (!gda_set_set_holder_value(pins, error, "unit", unit) ||
		    !gda_set_set_holder_value(pins, error, "seq", (gint64)i) ||
		    !gda_set_set_holder_value(pins, error, "at", (gint64)at) ||
		    !imss_store_exec(self, ins, pins, error))
			return FALSE;
	}
	return TRUE;
}

GPtrArray *
imss_store_list_restarts(ImssStore *self, GError **error)
{
	GType types[] = {G_TYPE_STRING,
			 G_TYPE_INT64,
			 G_TYPE_INT64,
			 G_TYPE_STRING,
			 G_TYPE_INT64,
			 G_TYPE_STRING,
			 G_TYPE_NONE};
	g_autoptr(GdaStatement) stmt = NULL;
	g_autoptr(GdaDataModel) model = NULL;
	g_autoptr(GPtrArray) list =
	    g_ptr_array_new_with_free_func((GDestroyNotify)imss_store_restart_free);

	g_return_val_if_fail(IMSS_IS_STORE(self), NULL);
	g_return_val_if_fail(error == NULL || *error == NULL, NULL);

	g_return_val_if_fail(IMSS_IS_STORE(self), NULL);
	if (!imss_store_check_open(self, error))
		return NULL;
	stmt = imss_store_prepare(self,
				  "SELECT unit, generation, attempts, state, requested_at, last_error "
				  "FROM restarts ORDER BY seq, unit",
				  NULL,
				  error);
	if (stmt == NULL)
		return NULL;
	model = imss_store_select(self, stmt, NULL, types, error);
	if (model == NULL)
		return NULL;
	for (gint i = 0; i < gda_data_model_get_n_rows(model); i++) {
		g_autoptr(ImssStoreRestart) r = g_new0(ImssStoreRestart, 1);
		const GValue *v[6];
		for (gint c = 0; c < 6; c++) {
			v[c] = gda_data_model_get_value_at(model, c, i, error);
			if (v[c] == NULL)
				return NULL;
		}
		r->unit = imss_store_value_dup_string(v[0]);
		r->generation = imss_store_value_get_int64(v[1]);
		r->attempts = (guint)imss_store_value_get_int64(v[2]);
		r->state = imss_store_value_dup_string(v[3]);
		r->requested_at = imss_store_value_get_int64(v[4]);
		r->last_error = imss_store_value_dup_string(v[5]);
		g_ptr_array_add(list, g_steal_pointer(&r));
	}
	return g_steal_pointer(&list);
}

gboolean
imss_store_update_restart(ImssStore *self,
			  const gchar *unit,
			  gint64 generation,
			  const gchar *state,
			  guint attempts,
			  const gchar *last_error,
			  ImssStoreHistory *history,
			  gboolean *superseded,
			  GError **error)
{
	g_autoptr(GdaSet) p = NULL;
	g_autoptr(GdaStatement) stmt = NULL;
	gint n;

	g_return_val_if_fail(IMSS_IS_STORE(self), FALSE);
	g_return_val_if_fail(unit != NULL, FALSE);
	g_return_val_if_fail(error == NULL || *error == NULL, FALSE);
	if (!imss_store_check_open(self, error))
		return FALSE;
	if (!imss_store_begin(self, error)) {
		imss_store_classify_error(error);
		return FALSE;
	}
	if (state == NULL)
		stmt = imss_store_prepare(self,
					  "DELETE FROM restarts WHERE unit = ##unit::string "
					  "AND generation = ##generation::gint64",
					  &p,
					  error);
	else
		stmt = imss_store_prepare(self,
					  "UPDATE restarts SET state = ##state::string, "
					  "attempts = ##attempts::gint, last_error = ##error::string "
					  "WHERE unit = ##unit::string AND generation = ##generation::gint64",
					  &p,
					  error);
	if (stmt == NULL || !gda_set_set_holder_value(p, error, "unit", unit) ||
	    !gda_set_set_holder_value(p, error, "generation", (gint64)generation) ||
	    (state != NULL &&
	     (!gda_set_set_holder_value(p, error, "state", state) ||
	      !gda_set_set_holder_value(p, error, "attempts", (gint)attempts) ||
	      !gda_set_set_holder_value(p, error, "error", last_error != NULL ? last_error : "")))) {
		imss_store_rollback(self);
		imss_store_classify_error(error);
		return FALSE;
	}
	n = gda_connection_statement_execute_non_select(self->cnc, stmt, p, NULL, error);
	if (n == -1) {
		imss_store_rollback(self);
		imss_store_classify_error(error);
		return FALSE;
	}
	if (!imss_store_append_history(self, history, error)) {
		imss_store_rollback(self);
		imss_store_classify_error(error);
		return FALSE;
	}
	if (!gda_connection_commit_transaction(self->cnc, NULL, error)) {
		imss_store_rollback(self);
		imss_store_classify_error(error);
		return FALSE;
	}
	if (superseded != NULL)
		*superseded = n == 0;
	return TRUE;
}
