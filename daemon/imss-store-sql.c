/* The store's SQL helpers: statements parsed once and kept, run, their
 * rows read; the rows of a batch as one parameter; errors classified;
 * transactions. */
#define G_LOG_DOMAIN "ImssStore"

#include "config.h"

#include <gio/gio.h>
#include <string.h>

#include "imss-store-private.h"

/* a parsed statement and its parameter set, reused: parsing and building
 * holders costs more than running the statement on SQLite */
typedef struct {
	GdaStatement *stmt;
	GdaSet *params;
} ImssStoreStmt;

static void
imss_store_stmt_free(ImssStoreStmt *cached)
{
	g_clear_object(&cached->stmt);
	g_clear_object(&cached->params);
	g_free(cached);
}

GHashTable *
imss_store_statements_new(void)
{
	return g_hash_table_new_full(g_str_hash, g_str_equal, g_free, (GDestroyNotify)imss_store_stmt_free);
}

/* @sql parsed by @parser once and kept under @key */
static GdaStatement *
imss_store_parse_as(ImssStore *self,
		    GdaSqlParser *parser,
		    const gchar *key,
		    const gchar *sql,
		    GdaSet **params,
		    GError **error)
{
	ImssStoreStmt *cached = g_hash_table_lookup(self->statements, key);

	if (cached == NULL) {
		g_autoptr(GdaStatement) stmt = gda_sql_parser_parse_string(parser, sql, NULL, error);
		GdaSet *set = NULL;
		if (stmt == NULL)
			return NULL;
		if (!gda_statement_get_parameters(stmt, &set, error))
			return NULL;
		cached = g_new0(ImssStoreStmt, 1);
		cached->stmt = g_steal_pointer(&stmt);
		cached->params = set;
		g_hash_table_insert(self->statements, g_strdup(key), cached);
	}
	if (params != NULL)
		*params = cached->params != NULL ? g_object_ref(cached->params) : NULL;
	return g_object_ref(cached->stmt);
}

static GdaStatement *
imss_store_prepare_as(ImssStore *self, const gchar *key, const gchar *sql, GdaSet **params, GError **error)
{
	return imss_store_parse_as(self, self->parser, key, sql, params, error);
}

/* Runs @sql (a transaction's statement) without libgda knowing what it is:
 * only split, not parsed, so libgda's transaction tracking does not see
 * it. That tracking notes every statement of a transaction it knows of in
 * a list it walks again for the next one — a transaction of thousands of
 * statements costs the square of them; in a transaction it does not know
 * of, a statement costs nothing more. */
static gboolean
imss_store_exec_untracked(ImssStore *self, const gchar *sql, GError **error)
{
	g_autofree gchar *key = g_strconcat("untracked\x1f", sql, NULL);
	g_autoptr(GdaStatement) stmt = NULL;
	if (self->delimiter == NULL)
		self->delimiter = g_object_new(GDA_TYPE_SQL_PARSER, "mode", GDA_SQL_PARSER_MODE_DELIMIT, NULL);
	stmt = imss_store_parse_as(self, self->delimiter, key, sql, NULL, error);
	return stmt != NULL && imss_store_exec(self, stmt, NULL, error);
}

GdaStatement *
imss_store_prepare(ImssStore *self, const gchar *sql, GdaSet **params, GError **error)
{
	g_return_val_if_fail(IMSS_IS_STORE(self), NULL);
	g_return_val_if_fail(sql != NULL, NULL);
	g_return_val_if_fail(error == NULL || *error == NULL, NULL);
	return imss_store_prepare_as(self, sql, sql, params, error);
}

gboolean
imss_store_exec(ImssStore *self, GdaStatement *stmt, GdaSet *params, GError **error)
{
	/* -1 is an error; -2 means "rows affected unknown" (DDL) */
	g_return_val_if_fail(IMSS_IS_STORE(self), FALSE);
	g_return_val_if_fail(GDA_IS_STATEMENT(stmt), FALSE);
	g_return_val_if_fail(error == NULL || *error == NULL, FALSE);

	return gda_connection_statement_execute_non_select(self->cnc, stmt, params, NULL, error) !=
	       -1;
}

gboolean
imss_store_exec_count(ImssStore *self, GdaStatement *stmt, GdaSet *params, gint *n, GError **error)
{
	g_return_val_if_fail(IMSS_IS_STORE(self), FALSE);
	g_return_val_if_fail(GDA_IS_STATEMENT(stmt), FALSE);
	g_return_val_if_fail(n != NULL, FALSE);
	g_return_val_if_fail(error == NULL || *error == NULL, FALSE);

	*n = gda_connection_statement_execute_non_select(self->cnc, stmt, params, NULL, error);
	return *n != -1;
}

GdaStatement *
imss_store_prepare_now(ImssStore *self, const gchar *sql, GdaSet **params, GError **error)
{
	g_autoptr(GString) text = NULL;
	g_return_val_if_fail(IMSS_IS_STORE(self), NULL);
	g_return_val_if_fail(sql != NULL, NULL);
	g_return_val_if_fail(error == NULL || *error == NULL, NULL);

	/* rendered once: the statement is kept under its template */
	if (g_hash_table_contains(self->statements, sql))
		return imss_store_prepare_as(self, sql, sql, params, error);
	text = g_string_new(sql);
	g_string_replace(text, "@now@", self->sql_now, 0);
	g_string_replace(text, "@rows@", self->sql_rows, 0);
	for (guint c = 0; c < 10; c++) {
		g_autofree gchar *mark = g_strdup_printf("@col%u@", c);
		g_autofree gchar *expr = g_strdup_printf("%s%u%s", self->sql_col[0], c, self->sql_col[1]);
		g_string_replace(text, mark, expr, 0);
	}
	return imss_store_prepare_as(self, sql, text->str, params, error);
}

/* -- rows as one parameter --------------------------------------------- */

static void
imss_store_rows_append_string(GString *rows, const gchar *value)
{
	if (value == NULL) {
		g_string_append(rows, "null");
		return;
	}
	g_string_append_c(rows, '"');
	for (const guchar *c = (const guchar *)value; *c != '\0'; c++) {
		if (*c == '"' || *c == '\\')
			g_string_append_c(rows, '\\');
		if (*c < 0x20)
			g_string_append_printf(rows, "\\u%04x", *c);
		else
			g_string_append_c(rows, (gchar)*c);
	}
	g_string_append_c(rows, '"');
}

void
imss_store_rows_append(GString *rows, const gchar *types, ...)
{
	va_list args;
	g_return_if_fail(rows != NULL);
	g_return_if_fail(types != NULL);

	g_string_append(rows, rows->len == 0 ? "[[" : ",[");
	va_start(args, types);
	for (const gchar *t = types; *t != '\0'; t++) {
		if (t != types)
			g_string_append_c(rows, ',');
		if (*t == 'i')
			g_string_append_printf(rows, "%" G_GINT64_FORMAT, va_arg(args, gint64));
		else
			imss_store_rows_append_string(rows, va_arg(args, const gchar *));
	}
	va_end(args);
	g_string_append_c(rows, ']');
}

gboolean
imss_store_bind_rows(GdaSet *params, GString *rows, GError **error)
{
	g_return_val_if_fail(GDA_IS_SET(params), FALSE);
	g_return_val_if_fail(rows != NULL, FALSE);
	g_string_append(rows, rows->len == 0 ? "[]" : "]");
	return gda_set_set_holder_value(params, error, "rows", rows->str);
}

gboolean
imss_store_note_change(ImssStore *self, GError **error)
{
	g_return_val_if_fail(IMSS_IS_STORE(self), FALSE);
	if (!imss_store_exec_sql(self, "UPDATE changes SET counter = counter + 1 WHERE id = 1", error))
		return FALSE;
	if (imss_store_is_pg(self)) {
		GType types[] = {G_TYPE_NONE};
		g_autoptr(GdaSet) p = NULL;
		g_autoptr(GdaStatement) stmt =
		    imss_store_prepare(self, "SELECT pg_notify('imss_change', ##node::string)", &p, error);
		g_autoptr(GdaDataModel) model = NULL;
		if (stmt == NULL || !gda_set_set_holder_value(p, error, "node", self->node))
			return FALSE;
		model = imss_store_select(self, stmt, p, types, error);
		if (model == NULL)
			return FALSE;
	}
	return TRUE;
}

gboolean
imss_store_exec_sql(ImssStore *self, const gchar *sql, GError **error)
{
	g_autoptr(GdaStatement) stmt = NULL;
	g_return_val_if_fail(IMSS_IS_STORE(self), FALSE);
	g_return_val_if_fail(sql != NULL, FALSE);
	g_return_val_if_fail(error == NULL || *error == NULL, FALSE);
	stmt = imss_store_prepare(self, sql, NULL, error);

	if (stmt == NULL)
		return FALSE;
	return imss_store_exec(self, stmt, NULL, error);
}

/* libgda hands SQLite's result codes on only as sqlite3_errmsg() texts (and
 * PostgreSQL's as the server's message): the few conditions a caller must
 * tell apart become G_IO_ERROR codes, with the message kept */
void
imss_store_classify_error(GError **error)
{
	const struct {
		const gchar *text;
		GIOErrorEnum code;
	} known[] = {
	    {"database is locked", G_IO_ERROR_BUSY},	       /* SQLITE_BUSY */
	    {"database table is locked", G_IO_ERROR_BUSY},     /* SQLITE_LOCKED */
	    {"due to lock timeout", G_IO_ERROR_BUSY},	       /* PostgreSQL lock_timeout */
	    {"database or disk is full", G_IO_ERROR_NO_SPACE}, /* SQLITE_FULL */
	    {"No space left on device", G_IO_ERROR_NO_SPACE},  /* PostgreSQL, errno */
	    {"disk image is malformed", G_IO_ERROR_INVALID_DATA}, /* SQLITE_CORRUPT */
	    {"file is not a database", G_IO_ERROR_INVALID_DATA},  /* SQLITE_NOTADB */
	};
	GError *cause;

	if (error == NULL || *error == NULL || (*error)->domain == G_IO_ERROR)
		return;
	cause = *error;
	for (guint i = 0; i < G_N_ELEMENTS(known); i++) {
		if (strstr(cause->message, known[i].text) == NULL)
			continue;
		*error = g_error_new_literal(G_IO_ERROR, known[i].code, cause->message);
		g_error_free(cause);
		return;
	}
}

/* Runs a SELECT (or a PRAGMA) and reads it whole. libgda's SQLite provider
 * steps lazily: a step that fails with SQLITE_BUSY leaves the row count
 * unknown (-1) and any other failing step (a damaged page) becomes an
 * "exception" of the model with the rows read so far — neither is reported
 * as an error, so a failed read would look like "no rows". Both are errors
 * here. */
GdaDataModel *
imss_store_select(ImssStore *self, GdaStatement *stmt, GdaSet *params, GType *types, GError **error)
{
	g_autoptr(GdaDataModel) model = NULL;
	GError **exceptions;

	g_return_val_if_fail(IMSS_IS_STORE(self), NULL);
	g_return_val_if_fail(GDA_IS_STATEMENT(stmt), NULL);
	g_return_val_if_fail(types != NULL, NULL);
	g_return_val_if_fail(error == NULL || *error == NULL, NULL);

	model = gda_connection_statement_execute_select_full(self->cnc,
							     stmt,
							     params,
							     GDA_STATEMENT_MODEL_RANDOM_ACCESS,
							     types,
							     error);
	if (model == NULL) {
		imss_store_classify_error(error);
		return NULL;
	}
	if (gda_data_model_get_n_rows(model) < 0) {
		g_set_error_literal(error,
				    G_IO_ERROR,
				    G_IO_ERROR_BUSY,
				    "the read did not complete: database is locked");
		return NULL;
	}
	exceptions = gda_data_model_get_exceptions(model);
	if (exceptions != NULL && exceptions[0] != NULL) {
		g_propagate_error(error, g_error_copy(exceptions[0]));
		imss_store_classify_error(error);
		return NULL;
	}
	return g_steal_pointer(&model);
}

const GValue *
imss_store_select_value(ImssStore *self,
			const gchar *sql,
			GType type,
			GdaDataModel **model,
			GError **error)
{
	GType types[] = {type, G_TYPE_NONE};
	g_autoptr(GdaStatement) stmt = NULL;

	g_return_val_if_fail(IMSS_IS_STORE(self), NULL);
	g_return_val_if_fail(model != NULL && *model == NULL, NULL);
	stmt = imss_store_prepare(self, sql, NULL, error);
	if (stmt == NULL)
		return NULL;
	*model = imss_store_select(self, stmt, NULL, types, error);
	if (*model == NULL)
		return NULL;
	return gda_data_model_get_value_at(*model, 0, 0, error);
}

gboolean
imss_store_row_values(GdaDataModel *model, gint row, const GValue **v, gint n, GError **error)
{
	g_return_val_if_fail(GDA_IS_DATA_MODEL(model), FALSE);
	g_return_val_if_fail(v != NULL, FALSE);
	for (gint c = 0; c < n; c++) {
		v[c] = gda_data_model_get_value_at(model, c, row, error);
		if (v[c] == NULL)
			return FALSE;
	}
	return TRUE;
}

GPtrArray *
imss_store_select_rows(ImssStore *self,
		       GdaStatement *stmt,
		       GdaSet *params,
		       const ImssStoreColumn *columns,
		       guint n_columns,
		       gsize size,
		       GDestroyNotify free,
		       GError **error)
{
	g_autofree GType *types = g_new0(GType, n_columns + 1);
	g_autofree const GValue **v = g_new0(const GValue *, n_columns);
	g_autoptr(GdaDataModel) model = NULL;
	g_autoptr(GPtrArray) rows = g_ptr_array_new_with_free_func(free);

	g_return_val_if_fail(IMSS_IS_STORE(self), NULL);
	g_return_val_if_fail(columns != NULL && n_columns > 0, NULL);
	for (guint c = 0; c < n_columns; c++)
		types[c] = columns[c].kind == IMSS_STORE_COLUMN_STRING ? G_TYPE_STRING : G_TYPE_INT64;
	types[n_columns] = G_TYPE_NONE;
	model = imss_store_select(self, stmt, params, types, error);
	if (model == NULL)
		return NULL;
	for (gint i = 0; i < gda_data_model_get_n_rows(model); i++) {
		guint8 *row;
		if (!imss_store_row_values(model, i, v, (gint)n_columns, error))
			return NULL;
		row = g_malloc0(size);
		for (guint c = 0; c < n_columns; c++) {
			gpointer field = row + columns[c].offset;
			switch (columns[c].kind) {
			case IMSS_STORE_COLUMN_STRING:
				*(gchar **)field = imss_store_value_dup_string(v[c]);
				break;
			case IMSS_STORE_COLUMN_INT64:
				*(gint64 *)field = imss_store_value_get_int64(v[c]);
				break;
			case IMSS_STORE_COLUMN_UINT:
				*(guint *)field = (guint)imss_store_value_get_int64(v[c]);
				break;
			}
		}
		g_ptr_array_add(rows, row);
	}
	return g_steal_pointer(&rows);
}

gchar *
imss_store_value_dup_string(const GValue *value)
{
	if (value == NULL || !G_VALUE_HOLDS_STRING(value))
		return g_strdup("");
	return g_strdup(g_value_get_string(value));
}

gint64
imss_store_value_get_int64(const GValue *value)
{
	if (value == NULL)
		return 0;
	if (G_VALUE_HOLDS_INT64(value))
		return g_value_get_int64(value);
	if (G_VALUE_HOLDS_INT(value))
		return g_value_get_int(value);
	return 0;
}

#define IMSS_STORE_HELD_COMMITS 32

/* Inside imss_store_hold_commits()'s transaction a transaction of the
 * store's is a savepoint: its rollback undoes it alone, its commit keeps it
 * for the held transaction's. The held transaction and its savepoints are
 * untracked by libgda (imss_store_exec_untracked()). */
gboolean
imss_store_begin(ImssStore *self, GError **error)
{
	g_return_val_if_fail(IMSS_IS_STORE(self), FALSE);
	g_return_val_if_fail(error == NULL || *error == NULL, FALSE);

	if (self->commits_held) {
		imss_store_held_mark(self);
		return imss_store_exec_untracked(self, "SAVEPOINT imss_inner", error);
	}
	return gda_connection_begin_transaction(self->cnc,
						NULL,
						GDA_TRANSACTION_ISOLATION_UNKNOWN,
						error);
}

gboolean
imss_store_commit(ImssStore *self, GError **error)
{
	g_return_val_if_fail(IMSS_IS_STORE(self), FALSE);
	g_return_val_if_fail(error == NULL || *error == NULL, FALSE);

	if (self->commits_held) {
		if (!imss_store_exec_untracked(self, "RELEASE imss_inner", error))
			return FALSE;
		/* a few dozen in one: what a crash in the middle of a long
		 * advance loses stays small (committing more seldom saves
		 * nothing measurable: 2.68e9 against 2.71e9 instructions for
		 * ten years) */
		if (++self->commits_in_held < IMSS_STORE_HELD_COMMITS)
			return TRUE;
		return imss_store_flush_commits(self, error);
	}
	return gda_connection_commit_transaction(self->cnc, NULL, error);
}

void
imss_store_rollback(ImssStore *self)
{
	g_autoptr(GError) error_local = NULL;
	g_return_if_fail(IMSS_IS_STORE(self));

	if (self->commits_held) {
		imss_store_held_undo(self);
		if (!imss_store_exec_untracked(self, "ROLLBACK TO imss_inner", &error_local) ||
		    !imss_store_exec_untracked(self, "RELEASE imss_inner", &error_local))
			g_warning("failed to roll back to the savepoint: %s", error_local->message);
		return;
	}
	/* none left: a held transaction that failed to commit at a flush
	 * rolled back its savepoints with it */
	if (gda_connection_get_transaction_status(self->cnc) == NULL)
		return;
	if (!gda_connection_rollback_transaction(self->cnc, NULL, &error_local))
		g_warning("failed to roll back: %s", error_local->message);
}

/* the held transaction: begun for the first hold, with SQLite only */
static void
imss_store_begin_held(ImssStore *self)
{
	g_autoptr(GError) error_local = NULL;
	if (imss_store_is_pg(self) || self->cnc == NULL)
		return;
	if (!imss_store_exec_untracked(self, "BEGIN IMMEDIATE", &error_local)) {
		/* each transaction commits on its own, as without the hold */
		g_debug("commits not held: %s", error_local->message);
		return;
	}
	self->commits_held = TRUE;
	self->commits_in_held = 0;
}

static gboolean
imss_store_commit_held(ImssStore *self, GError **error)
{
	g_autoptr(GError) error_local = NULL;
	gboolean written;

	if (!self->commits_held)
		return TRUE;
	written = imss_store_write_held(self, error);
	imss_store_held_clear(self);
	self->commits_held = FALSE;
	if (written && imss_store_exec_untracked(self, "COMMIT", error))
		return TRUE;
	if (!imss_store_exec_untracked(self, "ROLLBACK", &error_local))
		g_warning("failed to roll back: %s", error_local->message);
	imss_store_classify_error(error);
	return FALSE;
}

void
imss_store_hold_commits(ImssStore *self)
{
	g_return_if_fail(IMSS_IS_STORE(self));
	if (self->commit_hold++ == 0)
		imss_store_begin_held(self);
}

gboolean
imss_store_flush_commits(ImssStore *self, GError **error)
{
	g_return_val_if_fail(IMSS_IS_STORE(self), FALSE);
	g_return_val_if_fail(error == NULL || *error == NULL, FALSE);
	if (!self->commits_held)
		return TRUE;
	if (!imss_store_commit_held(self, error))
		return FALSE;
	imss_store_begin_held(self);
	return TRUE;
}

gboolean
imss_store_release_commits(ImssStore *self, GError **error)
{
	g_return_val_if_fail(IMSS_IS_STORE(self), FALSE);
	g_return_val_if_fail(self->commit_hold > 0, FALSE);
	g_return_val_if_fail(error == NULL || *error == NULL, FALSE);
	if (--self->commit_hold > 0)
		return TRUE;
	return imss_store_commit_held(self, error);
}
