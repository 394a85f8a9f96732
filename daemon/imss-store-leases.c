/* The leases of claimed runs: the pending runs a node takes over (its own
 * after a restart, or another node's whose lease ran out) and a lease
 * renewed while a run lasts. */
#define G_LOG_DOMAIN "ImssStore"

#include "config.h"

#include "imss-store-private.h"

/* one pending run becomes this node's with a new lease, if it still may
 * (its own, or its lease ran out); @taken: whether it did */
static gboolean
imss_store_take_over_one(ImssStore *self, ImssStoreRun *run, gboolean own, gboolean *taken, GError **error)
{
	g_autoptr(GdaSet) p = NULL;
	g_autoptr(GdaStatement) upd = NULL;
	gint n = 0;
	upd = imss_store_prepare_now(
	    self,
	    own ? "UPDATE job_runs SET owner = ##node::string, lease_until = @now@ + ##lease::gint64 "
		  "WHERE job = ##job::string AND slot = ##slot::string AND day = ##day::string "
		  "AND done = 0 AND (owner = ##node::string OR lease_until < @now@)"
		: "UPDATE job_runs SET owner = ##node::string, lease_until = @now@ + ##lease::gint64 "
		  "WHERE job = ##job::string AND slot = ##slot::string AND day = ##day::string "
		  "AND done = 0 AND owner <> ##node::string AND lease_until < @now@",
	    &p,
	    error);
	if (upd == NULL || !gda_set_set_holder_value(p, error, "node", self->node) ||
	    !gda_set_set_holder_value(p, error, "lease", (gint64)self->claim_lease) ||
	    !gda_set_set_holder_value(p, error, "job", run->job) ||
	    !gda_set_set_holder_value(p, error, "slot", run->slot) ||
	    !gda_set_set_holder_value(p, error, "day", run->day) ||
	    !imss_store_exec_count(self, upd, p, &n, error)) {
		imss_store_classify_error(error);
		return FALSE;
	}
	*taken = n > 0;
	return TRUE;
}

GPtrArray *
imss_store_take_over_runs(ImssStore *self, gboolean own, GError **error)
{
	GType types[] = {G_TYPE_STRING, G_TYPE_STRING, G_TYPE_STRING, G_TYPE_INT64, G_TYPE_STRING,
			 G_TYPE_NONE};
	g_autoptr(GdaSet) p = NULL;
	g_autoptr(GdaStatement) stmt = NULL;
	g_autoptr(GdaDataModel) model = NULL;
	g_autoptr(GPtrArray) runs = g_ptr_array_new_with_free_func((GDestroyNotify)imss_store_run_free);

	g_return_val_if_fail(IMSS_IS_STORE(self), NULL);
	g_return_val_if_fail(error == NULL || *error == NULL, NULL);
	if (!imss_store_check_open(self, error))
		return NULL;
	stmt = imss_store_prepare_now(self,
				      "SELECT job, slot, day, at, owner FROM job_runs WHERE done = 0 "
				      "AND ((owner = ##node::string AND ##own::gint = 1) "
				      "OR (owner <> ##node::string AND lease_until < @now@)) "
				      "ORDER BY day, slot, job",
				      &p,
				      error);
	if (stmt == NULL || !gda_set_set_holder_value(p, error, "node", self->node) ||
	    !gda_set_set_holder_value(p, error, "own", (gint)(own ? 1 : 0)))
		return NULL;
	model = imss_store_select(self, stmt, p, types, error);
	if (model == NULL)
		return NULL;
	for (gint i = 0; i < gda_data_model_get_n_rows(model); i++) {
		g_autoptr(ImssStoreRun) run = g_new0(ImssStoreRun, 1);
		g_autofree gchar *owner = NULL;
		const GValue *v[5];
		gboolean taken = FALSE;
		if (!imss_store_row_values(model, i, v, 5, error))
			return NULL;
		run->job = imss_store_value_dup_string(v[0]);
		run->slot = imss_store_value_dup_string(v[1]);
		run->day = imss_store_value_dup_string(v[2]);
		run->at = imss_store_value_get_int64(v[3]);
		owner = imss_store_value_dup_string(v[4]);
		run->pending = TRUE;
		if (!imss_store_take_over_one(self, run, own, &taken, error))
			return NULL;
		if (!taken)
			continue; /* another node was quicker */
		if (g_strcmp0(owner, self->node) != 0)
			g_message("taking over the %s run of %s for %s from node %s (its lease ran out)",
				  run->job, run->slot, run->day, *owner != '\0' ? owner : "(unknown)");
		run->claimed = TRUE;
		g_ptr_array_add(runs, g_steal_pointer(&run));
	}
	return g_steal_pointer(&runs);
}

gboolean
imss_store_renew_run(ImssStore *self,
		     const gchar *job,
		     const gchar *slot,
		     const gchar *day,
		     guint seconds,
		     gboolean *ours,
		     GError **error)
{
	g_autoptr(GdaSet) p = NULL;
	g_autoptr(GdaStatement) upd = NULL;
	gint n = 0;

	g_return_val_if_fail(IMSS_IS_STORE(self), FALSE);
	g_return_val_if_fail(job != NULL && slot != NULL && day != NULL, FALSE);
	g_return_val_if_fail(ours != NULL, FALSE);
	g_return_val_if_fail(error == NULL || *error == NULL, FALSE);
	if (!imss_store_check_open(self, error))
		return FALSE;
	upd = imss_store_prepare_now(self,
				     "UPDATE job_runs SET lease_until = @now@ + ##lease::gint64 "
				     "WHERE job = ##job::string AND slot = ##slot::string "
				     "AND day = ##day::string AND done = 0 AND owner = ##node::string",
				     &p,
				     error);
	if (upd == NULL ||
	    !gda_set_set_holder_value(p, error, "lease", (gint64)(seconds + self->claim_lease)) ||
	    !gda_set_set_holder_value(p, error, "job", job) ||
	    !gda_set_set_holder_value(p, error, "slot", slot) ||
	    !gda_set_set_holder_value(p, error, "day", day) ||
	    !gda_set_set_holder_value(p, error, "node", self->node) ||
	    !imss_store_exec_count(self, upd, p, &n, error)) {
		imss_store_classify_error(error);
		return FALSE;
	}
	*ours = n > 0;
	return TRUE;
}
