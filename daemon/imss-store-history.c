/* The history: entries appended (inside a change's transaction), kept to
 * the newest [history] max-entries, read a page at a time. */
#define G_LOG_DOMAIN "ImssStore"

#include "config.h"

#include "imss-store-private.h"

void
imss_store_history_free(ImssStoreHistory *entry)
{
	if (entry == NULL)
		return;
	g_free(entry->action);
	g_free(entry->slot);
	g_free(entry->code);
	g_free(entry->caller);
	g_free(entry->outcome);
	g_free(entry->detail);
	g_free(entry->node);
	g_free(entry);
}

ImssStoreHistory *
imss_store_history_dup(const ImssStoreHistory *h)
{
	ImssStoreHistory *copy = g_new0(ImssStoreHistory, 1);
	copy->time = h->time;
	copy->action = g_strdup(h->action);
	copy->slot = g_strdup(h->slot);
	copy->code = g_strdup(h->code);
	copy->caller = g_strdup(h->caller);
	copy->outcome = g_strdup(h->outcome);
	copy->detail = g_strdup(h->detail);
	copy->node = g_strdup(h->node);
	return copy;
}

/* Keeps the newest history_max entries. Ids only grow (AUTOINCREMENT,
 * BIGSERIAL): everything at or below the newest id minus history_max goes,
 * one range delete on the primary key, whatever the table's size. A
 * PostgreSQL sequence can skip ids (a rolled-back insert), which only
 * keeps fewer. */
gboolean
imss_store_prune_history(ImssStore *self, GError **error)
{
	g_autoptr(GdaSet) p = NULL;
	g_autoptr(GdaStatement) del = NULL;

	g_return_val_if_fail(IMSS_IS_STORE(self), FALSE);
	g_return_val_if_fail(error == NULL || *error == NULL, FALSE);

	if (self->history_max == 0)
		return TRUE;
	del = imss_store_prepare(self,
				 "DELETE FROM history WHERE id <= "
				 "(SELECT MAX(id) FROM history) - ##keep::gint64",
				 &p,
				 error);
	if (del == NULL || !gda_set_set_holder_value(p, error, "keep", (gint64)self->history_max))
		return FALSE;
	return imss_store_exec(self, del, p, error);
}

/* @history in one INSERT, in its order */
static gboolean
imss_store_write_history_rows(ImssStore *self, GPtrArray *history, GError **error)
{
	g_autoptr(GString) rows = g_string_new(NULL);
	g_autoptr(GdaSet) p = NULL;
	g_autoptr(GdaStatement) ins = NULL;

	ins = imss_store_prepare_now(self,
				     "INSERT INTO history (at, action, slot, code, caller, outcome, detail, node) "
				     "SELECT CAST(@col0@ AS BIGINT), @col1@, @col2@, @col3@, @col4@, @col5@, "
				     "@col6@, ##node::string FROM @rows@ ORDER BY key",
				     &p,
				     error);
	for (guint i = 0; i < history->len; i++) {
		ImssStoreHistory *h = g_ptr_array_index(history, i);
		imss_store_rows_append(rows, "issssss", (gint64)h->time, h->action, h->slot, h->code,
				       h->caller, h->outcome, h->detail);
	}
	return ins != NULL && imss_store_bind_rows(p, rows, error) &&
	       gda_set_set_holder_value(p, error, "node", self->node) && imss_store_exec(self, ins, p, error);
}

/* history: appended, then the retention; inside a transaction */
gboolean
imss_store_write_history(ImssStore *self, GPtrArray *history, GError **error)
{
	if (self->commits_held) {
		/* written with the held transaction's others, before it commits */
		for (guint i = 0; i < history->len; i++)
			g_ptr_array_add(self->held_history, imss_store_history_dup(g_ptr_array_index(history, i)));
		return TRUE;
	}
	if (!imss_store_write_history_rows(self, history, error))
		return FALSE;
	/* the retention, in the same transaction */
	if (!imss_store_prune_history(self, error))
		return FALSE;
	return TRUE;
}

/* entries per INSERT of imss_store_write_held(): a held transaction's
 * (32 evaluations: about 200) in one or two */
#define IMSS_STORE_HELD_ROWS 256

gboolean
imss_store_write_held(ImssStore *self, GError **error)
{
	g_autoptr(GPtrArray) held = NULL;
	g_autofree gchar *job = g_steal_pointer(&self->held_job);

	g_return_val_if_fail(IMSS_IS_STORE(self), FALSE);
	g_return_val_if_fail(error == NULL || *error == NULL, FALSE);

	if (self->held_history->len > 0) {
		g_autoptr(GPtrArray) chunk = g_ptr_array_new();
		held = g_steal_pointer(&self->held_history);
		self->held_history = g_ptr_array_new_with_free_func((GDestroyNotify)imss_store_history_free);
		for (guint i = 0; i < held->len; i++) {
			g_ptr_array_add(chunk, g_ptr_array_index(held, i));
			if (chunk->len < IMSS_STORE_HELD_ROWS && i + 1 < held->len)
				continue;
			if (!imss_store_write_history_rows(self, chunk, error))
				return FALSE;
			g_ptr_array_set_size(chunk, 0);
		}
		if (!imss_store_prune_history(self, error))
			return FALSE;
	}
	self->held_history_mark = 0;
	g_clear_pointer(&self->held_job_mark, g_free);
	return job == NULL || imss_store_write_last_job(self, job, self->held_job_at, error);
}

void
imss_store_held_mark(ImssStore *self)
{
	self->held_history_mark = self->held_history->len;
	g_free(self->held_job_mark);
	self->held_job_mark = g_strdup(self->held_job);
	self->held_job_at_mark = self->held_job_at;
}

void
imss_store_held_undo(ImssStore *self)
{
	g_ptr_array_set_size(self->held_history, MIN(self->held_history_mark, self->held_history->len));
	g_free(self->held_job);
	self->held_job = g_strdup(self->held_job_mark);
	self->held_job_at = self->held_job_at_mark;
}

void
imss_store_held_clear(ImssStore *self)
{
	g_ptr_array_set_size(self->held_history, 0);
	self->held_history_mark = 0;
	g_clear_pointer(&self->held_job, g_free);
	g_clear_pointer(&self->held_job_mark, g_free);
}

/* appends the ImssStoreHistory entries of @history (not taken) inside the
 * current transaction: one prepared statement, then the retention once */
gboolean
imss_store_append_histories(ImssStore *self, GPtrArray *history, GError **error)
{
	g_return_val_if_fail(IMSS_IS_STORE(self), FALSE);
	g_return_val_if_fail(history != NULL, FALSE);
	g_return_val_if_fail(error == NULL || *error == NULL, FALSE);
	if (history->len == 0)
		return TRUE;
	return imss_store_write_history(self, history, error);
}

static gboolean
imss_store_count_history(ImssStore *self, guint *total, GError **error)
{
	g_autoptr(GdaDataModel) model = NULL;
	const GValue *v =
	    imss_store_select_value(self, "SELECT COUNT(*) FROM history", G_TYPE_INT64, &model, error);
	if (v == NULL)
		return FALSE;
	*total = (guint)CLAMP(imss_store_value_get_int64(v), 0, G_MAXUINT);
	return TRUE;
}

GPtrArray *
imss_store_list_history(ImssStore *self, guint offset, guint limit, guint *total, GError **error)
{
	static const ImssStoreColumn columns[] = {
	    {IMSS_STORE_COLUMN_INT64, G_STRUCT_OFFSET(ImssStoreHistory, time)},
	    {IMSS_STORE_COLUMN_STRING, G_STRUCT_OFFSET(ImssStoreHistory, action)},
	    {IMSS_STORE_COLUMN_STRING, G_STRUCT_OFFSET(ImssStoreHistory, slot)},
	    {IMSS_STORE_COLUMN_STRING, G_STRUCT_OFFSET(ImssStoreHistory, code)},
	    {IMSS_STORE_COLUMN_STRING, G_STRUCT_OFFSET(ImssStoreHistory, caller)},
	    {IMSS_STORE_COLUMN_STRING, G_STRUCT_OFFSET(ImssStoreHistory, outcome)},
	    {IMSS_STORE_COLUMN_STRING, G_STRUCT_OFFSET(ImssStoreHistory, detail)},
	    {IMSS_STORE_COLUMN_STRING, G_STRUCT_OFFSET(ImssStoreHistory, node)},
	};
	g_autoptr(GdaSet) p = NULL;
	g_autoptr(GdaStatement) stmt = NULL;
	g_autoptr(GPtrArray) entries = NULL;

	g_return_val_if_fail(IMSS_IS_STORE(self), NULL);
	g_return_val_if_fail(error == NULL || *error == NULL, NULL);

	if (!imss_store_check_open(self, error) || !imss_store_write_held(self, error))
		return NULL;
	/* the page bounds are parameters too: one parsed statement for every
	 * page (a statement per distinct text would pile up in the cache) */
	stmt = imss_store_prepare(self,
				  "SELECT at, action, slot, code, caller, outcome, detail, node "
				  "FROM history ORDER BY id DESC "
				  "LIMIT ##limit::gint64 OFFSET ##offset::gint64",
				  &p,
				  error);
	if (stmt == NULL ||
	    !gda_set_set_holder_value(p, error, "limit", (gint64)(limit > 0 ? limit : G_MAXINT32)) ||
	    !gda_set_set_holder_value(p, error, "offset", (gint64)offset))
		return NULL;
	entries = imss_store_select_rows(self, stmt, p, columns, G_N_ELEMENTS(columns),
					 sizeof(ImssStoreHistory),
					 (GDestroyNotify)imss_store_history_free, error);
	if (entries == NULL)
		return NULL;
	if (total != NULL && !imss_store_count_history(self, total, error))
		return NULL;
	return g_steal_pointer(&entries);
}
