#define G_LOG_DOMAIN "ImssStore"

#include "config.h"

#include <gio/gio.h>

#include "imss-store-private.h"

/* -- the fleet: nodes, the change counter (docs/fleet.md) -------------------- */

void
imss_store_node_free(ImssStoreNode *node)
{
	if (node == NULL)
		return;
	g_free(node->name);
	g_free(node->last_job);
	g_free(node);
}

/* the database's clock and the change counter */
static gboolean
imss_store_read_clock(ImssStore *self, gint64 *db_now, gint64 *changes, GError **error)
{
	GType types[] = {G_TYPE_INT64, G_TYPE_INT64, G_TYPE_NONE};
	g_autoptr(GdaStatement) stmt =
	    imss_store_prepare_now(self, "SELECT @now@, counter FROM changes WHERE id = 1", NULL, error);
	g_autoptr(GdaDataModel) model = NULL;
	const GValue *v0, *v1;
	if (stmt == NULL)
		return FALSE;
	model = imss_store_select(self, stmt, NULL, types, error);
	if (model == NULL)
		return FALSE;
	if (gda_data_model_get_n_rows(model) != 1) {
		g_set_error_literal(error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
				    "the change counter is missing");
		return FALSE;
	}
	v0 = gda_data_model_get_value_at(model, 0, 0, error);
	v1 = v0 != NULL ? gda_data_model_get_value_at(model, 1, 0, error) : NULL;
	if (v1 == NULL)
		return FALSE;
	*db_now = imss_store_value_get_int64(v0);
	*changes = imss_store_value_get_int64(v1);
	return TRUE;
}

gboolean
imss_store_heartbeat(ImssStore *self,
		     gint64 wall_clock,
		     gint64 *clock_skew,
		     gint64 *changes,
		     GError **error)
{
	g_autoptr(GdaSet) p = NULL;
	g_autoptr(GdaStatement) upsert = NULL;
	gint64 db_now = 0;

	g_return_val_if_fail(IMSS_IS_STORE(self), FALSE);
	g_return_val_if_fail(clock_skew != NULL && changes != NULL, FALSE);
	g_return_val_if_fail(error == NULL || *error == NULL, FALSE);
	if (!imss_store_check_open(self, error) ||
	    !imss_store_read_clock(self, &db_now, changes, error)) {
		imss_store_classify_error(error);
		return FALSE;
	}
	*clock_skew = db_now - wall_clock;
	upsert = imss_store_prepare_now(
	    self,
	    "INSERT INTO nodes (name, started_at, last_seen, clock_skew, last_job, last_job_at) "
	    "VALUES (##node::string, ##started::gint64, @now@, ##skew::gint64, '', 0) "
	    "ON CONFLICT (name) DO UPDATE SET started_at = ##started::gint64, last_seen = @now@, "
	    "clock_skew = ##skew::gint64",
	    &p,
	    error);
	if (upsert == NULL || !gda_set_set_holder_value(p, error, "node", self->node) ||
	    !gda_set_set_holder_value(p, error, "started", self->started_at) ||
	    !gda_set_set_holder_value(p, error, "skew", *clock_skew) ||
	    !imss_store_exec(self, upsert, p, error)) {
		imss_store_classify_error(error);
		return FALSE;
	}
	return TRUE;
}

GPtrArray *
imss_store_list_nodes(ImssStore *self, GError **error)
{
	static const ImssStoreColumn columns[] = {
	    {IMSS_STORE_COLUMN_STRING, G_STRUCT_OFFSET(ImssStoreNode, name)},
	    {IMSS_STORE_COLUMN_INT64, G_STRUCT_OFFSET(ImssStoreNode, started_at)},
	    {IMSS_STORE_COLUMN_INT64, G_STRUCT_OFFSET(ImssStoreNode, last_seen)},
	    {IMSS_STORE_COLUMN_INT64, G_STRUCT_OFFSET(ImssStoreNode, clock_skew)},
	    {IMSS_STORE_COLUMN_STRING, G_STRUCT_OFFSET(ImssStoreNode, last_job)},
	    {IMSS_STORE_COLUMN_INT64, G_STRUCT_OFFSET(ImssStoreNode, last_job_at)},
	};
	g_autoptr(GdaStatement) stmt = NULL;

	g_return_val_if_fail(IMSS_IS_STORE(self), NULL);
	g_return_val_if_fail(error == NULL || *error == NULL, NULL);
	if (!imss_store_check_open(self, error) || !imss_store_write_held(self, error))
		return NULL;
	stmt = imss_store_prepare(self,
				  "SELECT name, started_at, last_seen, clock_skew, last_job, last_job_at "
				  "FROM nodes ORDER BY name",
				  NULL,
				  error);
	if (stmt == NULL)
		return NULL;
	return imss_store_select_rows(self, stmt, NULL, columns, G_N_ELEMENTS(columns),
				      sizeof(ImssStoreNode), (GDestroyNotify)imss_store_node_free,
				      error);
}

gboolean
imss_store_reload_settings(ImssStore *self, GError **error)
{
	g_return_val_if_fail(IMSS_IS_STORE(self), FALSE);
	g_return_val_if_fail(error == NULL || *error == NULL, FALSE);
	if (!imss_store_check_open(self, error) || !imss_store_load_settings(self, error)) {
		imss_store_classify_error(error);
		return FALSE;
	}
	return TRUE;
}
