/* The restart queue: the units a change asks to restart, per node, with
 * their attempts and state. */
#define G_LOG_DOMAIN "ImssStore"

#include "config.h"

#include "imss-store-private.h"

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

/* inside a transaction: the nodes a restart is requested for — every node
 * seen in the fleet (each restarts its own units) and this one */
static GPtrArray *
imss_store_restart_nodes(ImssStore *self, GError **error)
{
	GType types[] = {G_TYPE_STRING, G_TYPE_NONE};
	g_autoptr(GdaStatement) stmt = imss_store_prepare(self, "SELECT name FROM nodes", NULL, error);
	g_autoptr(GdaDataModel) model = NULL;
	g_autoptr(GPtrArray) nodes = g_ptr_array_new_with_free_func(g_free);
	gboolean self_seen = FALSE;
	if (stmt == NULL)
		return NULL;
	model = imss_store_select(self, stmt, NULL, types, error);
	if (model == NULL)
		return NULL;
	for (gint i = 0; i < gda_data_model_get_n_rows(model); i++) {
		const GValue *v = gda_data_model_get_value_at(model, 0, i, error);
		if (v == NULL)
			return NULL;
		g_ptr_array_add(nodes, imss_store_value_dup_string(v));
		if (g_strcmp0(g_ptr_array_index(nodes, nodes->len - 1), self->node) == 0)
			self_seen = TRUE;
	}
	if (!self_seen)
		g_ptr_array_add(nodes, g_strdup(self->node));
	return g_steal_pointer(&nodes);
}

/* inside a transaction: request @units again or for the first time, on
 * every node of the fleet */
gboolean
imss_store_request_restarts(ImssStore *self, GPtrArray *units, gint64 at, GError **error)
{
	g_autoptr(GdaSet) pupd = NULL;
	g_autoptr(GdaSet) pins = NULL;
	g_autoptr(GdaStatement) upd = NULL;
	g_autoptr(GdaStatement) ins = NULL;
	g_autoptr(GPtrArray) nodes = NULL;

	g_return_val_if_fail(IMSS_IS_STORE(self), FALSE);
	g_return_val_if_fail(units != NULL, FALSE);
	g_return_val_if_fail(error == NULL || *error == NULL, FALSE);

	upd = imss_store_prepare(self,
				 "UPDATE restarts SET generation = generation + 1, attempts = 0, "
				 "state = 'pending', last_error = '', requested_at = ##at::gint64, "
				 "seq = ##seq::gint64 WHERE node = ##node::string AND unit = ##unit::string",
				 &pupd,
				 error);
	if (upd == NULL)
		return FALSE;
	ins = imss_store_prepare(self,
				 "INSERT INTO restarts (node, unit, seq, generation, attempts, state, "
				 "requested_at, last_error) VALUES (##node::string, ##unit::string, "
				 "##seq::gint64, 1, 0, 'pending', ##at::gint64, '')",
				 &pins,
				 error);
	if (ins == NULL)
		return FALSE;
	nodes = imss_store_restart_nodes(self, error);
	if (nodes == NULL)
		return FALSE;
	for (guint k = 0; k < nodes->len; k++) {
		const gchar *node = g_ptr_array_index(nodes, k);
		for (guint i = 0; i < units->len; i++) {
			const gchar *unit = g_ptr_array_index(units, i);
			gint n = 0;
			if (!gda_set_set_holder_value(pupd, error, "node", node) ||
			    !gda_set_set_holder_value(pupd, error, "unit", unit) ||
			    !gda_set_set_holder_value(pupd, error, "seq", (gint64)i) ||
			    !gda_set_set_holder_value(pupd, error, "at", (gint64)at) ||
			    !imss_store_exec_count(self, upd, pupd, &n, error))
				return FALSE;
			if (n > 0)
				continue;
			if (!gda_set_set_holder_value(pins, error, "node", node) ||
			    !gda_set_set_holder_value(pins, error, "unit", unit) ||
			    !gda_set_set_holder_value(pins, error, "seq", (gint64)i) ||
			    !gda_set_set_holder_value(pins, error, "at", (gint64)at) ||
			    !imss_store_exec(self, ins, pins, error))
				return FALSE;
		}
	}
	return TRUE;
}

GPtrArray *
imss_store_list_restarts(ImssStore *self, GError **error)
{
	static const ImssStoreColumn columns[] = {
	    {IMSS_STORE_COLUMN_STRING, G_STRUCT_OFFSET(ImssStoreRestart, unit)},
	    {IMSS_STORE_COLUMN_INT64, G_STRUCT_OFFSET(ImssStoreRestart, generation)},
	    {IMSS_STORE_COLUMN_UINT, G_STRUCT_OFFSET(ImssStoreRestart, attempts)},
	    {IMSS_STORE_COLUMN_STRING, G_STRUCT_OFFSET(ImssStoreRestart, state)},
	    {IMSS_STORE_COLUMN_INT64, G_STRUCT_OFFSET(ImssStoreRestart, requested_at)},
	    {IMSS_STORE_COLUMN_STRING, G_STRUCT_OFFSET(ImssStoreRestart, last_error)},
	};
	g_autoptr(GdaSet) p = NULL;
	g_autoptr(GdaStatement) stmt = NULL;

	g_return_val_if_fail(IMSS_IS_STORE(self), NULL);
	g_return_val_if_fail(error == NULL || *error == NULL, NULL);

	if (!imss_store_check_open(self, error))
		return NULL;
	stmt = imss_store_prepare(self,
				  "SELECT unit, generation, attempts, state, requested_at, last_error "
				  "FROM restarts WHERE node = ##node::string ORDER BY seq, unit",
				  &p,
				  error);
	if (stmt == NULL || !gda_set_set_holder_value(p, error, "node", self->node))
		return NULL;
	return imss_store_select_rows(self, stmt, p, columns, G_N_ELEMENTS(columns),
				      sizeof(ImssStoreRestart),
				      (GDestroyNotify)imss_store_restart_free, error);
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
					  "DELETE FROM restarts WHERE node = ##node::string "
					  "AND unit = ##unit::string AND generation = ##generation::gint64",
					  &p,
					  error);
	else
		stmt = imss_store_prepare(self,
					  "UPDATE restarts SET state = ##state::string, "
					  "attempts = ##attempts::gint, last_error = ##error::string "
					  "WHERE node = ##node::string AND unit = ##unit::string "
					  "AND generation = ##generation::gint64",
					  &p,
					  error);
	if (stmt == NULL || !gda_set_set_holder_value(p, error, "node", self->node) ||
	    !gda_set_set_holder_value(p, error, "unit", unit) ||
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
	if (!imss_store_append_history(self, history, error) || !imss_store_note_change(self, error) ||
	    !imss_store_commit(self, error)) {
		imss_store_rollback(self);
		imss_store_classify_error(error);
		return FALSE;
	}
	if (superseded != NULL)
		*superseded = n == 0;
	return TRUE;
}
