#define G_LOG_DOMAIN "ImssStore"

#include "config.h"

#include <gio/gio.h>
#include <glib/gstdio.h>
#include <string.h>

#include "imss-gda.h"
#include "imss-pg-link.h"
#include "imss-store.h"

struct _ImssStore {
	GObject parent_instance;
	gchar *provider;
	gchar *cnc_string;
	gchar *auth_string;
	gchar *filename; /* SQLite only */
	GdaConnection *cnc;
	GdaSqlParser *parser;
	GHashTable *statements; /* SQL text → ImssStoreStmt, parsed once */
	GHashTable *settings;	/* "section\x1fname" → value, read at open */
	guint history_max;	/* history entries kept (the newest); 0: all */
	gint schema_version;
	gboolean opened;	/* opened once; cnc may be NULL after a lost connection */
	ImssPgLink *link;	/* PostgreSQL only: is our connection still there? */
	gint backend_pid;	/* PostgreSQL only: the server process of cnc */
};

G_DEFINE_TYPE(ImssStore, imss_store, G_TYPE_OBJECT)

/* -- rows -------------------------------------------------------------- */

ImssStoreSlot *
imss_store_slot_new(void)
{
	return g_new0(ImssStoreSlot, 1);
}

ImssStoreSlot *
imss_store_slot_copy(const ImssStoreSlot *row)
{
	ImssStoreSlot *copy = g_new0(ImssStoreSlot, 1);
	*copy = *row;
	copy->slot = g_strdup(row->slot);
	copy->code = g_strdup(row->code);
	copy->expiry = g_strdup(row->expiry);
	copy->issued_expiry = g_strdup(row->issued_expiry);
	copy->server_status = g_strdup(row->server_status);
	copy->check_error = g_strdup(row->check_error);
	return copy;
}

void
imss_store_slot_free(ImssStoreSlot *row)
{
	if (row == NULL)
		return;
	g_free(row->slot);
	if (row->code != NULL)
		memset(row->code, 0, strlen(row->code));
	g_free(row->code);
	g_free(row->expiry);
	g_free(row->issued_expiry);
	g_free(row->server_status);
	g_free(row->check_error);
	g_free(row);
}

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
	g_free(entry);
}

ImssStoreChange *
imss_store_change_new(void)
{
	ImssStoreChange *change = g_new0(ImssStoreChange, 1);
	change->rows = g_ptr_array_new_with_free_func((GDestroyNotify)imss_store_slot_free);
	change->settings_set = g_ptr_array_new_with_free_func(g_free);
	change->settings_delete = g_ptr_array_new_with_free_func(g_free);
	change->history = g_ptr_array_new_with_free_func((GDestroyNotify)imss_store_history_free);
	change->restarts = g_ptr_array_new_with_free_func(g_free);
	return change;
}

void
imss_store_change_free(ImssStoreChange *change)
{
	if (change == NULL)
		return;
	g_ptr_array_unref(change->rows);
	g_ptr_array_unref(change->settings_set);
	g_ptr_array_unref(change->settings_delete);
	g_ptr_array_unref(change->history);
	g_ptr_array_unref(change->restarts);
	g_free(change);
}

void
imss_store_change_add_row(ImssStoreChange *change, const ImssStoreSlot *row)
{
	g_ptr_array_add(change->rows, imss_store_slot_copy(row));
}

void
imss_store_change_set_setting(ImssStoreChange *change,
			      const gchar *section,
			      const gchar *name,
			      const gchar *value)
{
	g_ptr_array_add(change->settings_set, g_strdup(section));
	g_ptr_array_add(change->settings_set, g_strdup(name));
	g_ptr_array_add(change->settings_set, g_strdup(value));
}

void
imss_store_change_delete_setting(ImssStoreChange *change, const gchar *section, const gchar *name)
{
	g_ptr_array_add(change->settings_delete, g_strdup(section));
	g_ptr_array_add(change->settings_delete, g_strdup(name));
}

void
imss_store_change_request_restarts(ImssStoreChange *change, gchar *const *units, gint64 at)
{
	for (guint i = 0; units != NULL && units[i] != NULL; i++)
		g_ptr_array_add(change->restarts, g_strdup(units[i]));
	change->restarts_at = at;
}

void
imss_store_change_add_history(ImssStoreChange *change,
			      gint64 time,
			      const gchar *action,
			      const gchar *slot,
			      const gchar *masked_code,
			      const gchar *caller,
			      const gchar *outcome,
			      const gchar *detail)
{
	ImssStoreHistory *entry = g_new0(ImssStoreHistory, 1);
	entry->time = time;
	entry->action = g_strdup(action);
	entry->slot = g_strdup(slot != NULL ? slot : "");
	entry->code = g_strdup(masked_code != NULL ? masked_code : "");
	entry->caller = g_strdup(caller != NULL ? caller : "");
	entry->outcome = g_strdup(outcome);
	entry->detail = g_strdup(detail != NULL ? detail : "");
	g_ptr_array_add(change->history, entry);
}

/* -- SQL helpers ------------------------------------------------------- */

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

static gboolean
imss_store_is_pg(ImssStore *self)
{
	return g_strcmp0(self->provider, "PostgreSQL") == 0;
}

static GdaStatement *
imss_store_prepare(ImssStore *self, const gchar *sql, GdaSet **params, GError **error)
{
	ImssStoreStmt *cached = g_hash_table_lookup(self->statements, sql);
	if (cached == NULL) {
		g_autoptr(GdaStatement) stmt = gda_sql_parser_parse_string(self->parser, sql, NULL, error);
		GdaSet *set = NULL;
		if (stmt == NULL)
			return NULL;
		if (!gda_statement_get_parameters(stmt, &set, error))
			return NULL;
		cached = g_new0(ImssStoreStmt, 1);
		cached->stmt = g_steal_pointer(&stmt);
		cached->params = set;
		g_hash_table_insert(self->statements, g_strdup(sql), cached);
	}
	if (params != NULL)
		*params = cached->params != NULL ? g_object_ref(cached->params) : NULL;
	return g_object_ref(cached->stmt);
}

static gboolean
imss_store_exec(ImssStore *self, GdaStatement *stmt, GdaSet *params, GError **error)
{
	/* -1 is an error; -2 means "rows affected unknown" (DDL) */
	return gda_connection_statement_execute_non_select(self->cnc, stmt, params, NULL, error) !=
	       -1;
}

static gboolean
imss_store_exec_sql(ImssStore *self, const gchar *sql, GError **error)
{
	g_autoptr(GdaStatement) stmt = imss_store_prepare(self, sql, NULL, error);
	if (stmt == NULL)
		return FALSE;
	return imss_store_exec(self, stmt, NULL, error);
}

/* libgda hands SQLite's result codes on only as sqlite3_errmsg() texts (and
 * PostgreSQL's as the server's message): the few conditions a caller must
 * tell apart become G_IO_ERROR codes, with the message kept */
static void
imss_store_classify_error(GError **error)
{
	const struct {
		const gchar *text;
		GIOErrorEnum code;
	} known[] = {
	    {"database is locked", G_IO_ERROR_BUSY},	       /* SQLITE_BUSY */
	    {"database table is locked", G_IO_ERROR_BUSY},     /* SQLITE_LOCKED */
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
static GdaDataModel *
imss_store_select(ImssStore *self, GdaStatement *stmt, GdaSet *params, GType *types, GError **error)
{
	g_autoptr(GdaDataModel) model = NULL;
	GError **exceptions;

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

static gchar *
imss_store_value_dup_string(const GValue *value)
{
	if (value == NULL || !G_VALUE_HOLDS_STRING(value))
		return g_strdup("");
	return g_strdup(g_value_get_string(value));
}

static gint64
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

static gboolean
imss_store_begin(ImssStore *self, GError **error)
{
	return gda_connection_begin_transaction(self->cnc,
						NULL,
						GDA_TRANSACTION_ISOLATION_UNKNOWN,
						error);
}

static void
imss_store_rollback(ImssStore *self)
{
	g_autoptr(GError) error_local = NULL;
	if (!gda_connection_rollback_transaction(self->cnc, NULL, &error_local))
		g_warning("failed to roll back: %s", error_local->message);
}

/* -- schema ------------------------------------------------------------ */

static gboolean
imss_store_read_schema_version(ImssStore *self, gint *version, GError **error)
{
	GType types[] = {G_TYPE_INT64, G_TYPE_NONE};
	g_autoptr(GdaStatement) stmt = NULL;
	g_autoptr(GdaDataModel) model = NULL;
	g_autoptr(GError) error_local = NULL;

	if (!imss_store_exec_sql(self,
				 "CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)",
				 error))
		return FALSE;
	stmt = imss_store_prepare(self, "SELECT MAX(version) FROM schema_version", NULL, error);
	if (stmt == NULL)
		return FALSE;
	model = imss_store_select(self, stmt, NULL, types, error);
	if (model == NULL)
		return FALSE;
	*version = 0;
	if (gda_data_model_get_n_rows(model) > 0) {
		const GValue *v = gda_data_model_get_value_at(model, 0, 0, &error_local);
		if (v == NULL) {
			g_propagate_error(error, g_steal_pointer(&error_local));
			return FALSE;
		}
		*version = (gint)imss_store_value_get_int64(v);
	}
	return TRUE;
}

static gboolean imss_store_request_restarts(ImssStore *self,
					    GPtrArray *units,
					    gint64 at,
					    GError **error);
static gboolean imss_store_load_settings(ImssStore *self, GError **error);

/* schema 4 kept the pending restart as one setting "restart/pending" =
 * "unit unit ..." */
static gboolean
imss_store_migrate_pending_restart(ImssStore *self, GError **error)
{
	g_autofree gchar *pending = NULL;
	g_auto(GStrv) units = NULL;
	g_autoptr(GPtrArray) list = g_ptr_array_new_with_free_func(g_free);
	if (!imss_store_load_settings(self, error))
		return FALSE;
	pending = imss_store_get_setting(self, "restart", "pending");
	if (pending == NULL)
		return TRUE;
	units = g_strsplit(pending, " ", -1);
	for (guint i = 0; units[i] != NULL; i++) {
		if (*units[i] != '\0')
			g_ptr_array_add(list, g_strdup(units[i]));
	}
	if (!imss_store_request_restarts(self, list, g_get_real_time() / G_USEC_PER_SEC, error))
		return FALSE;
	return imss_store_exec_sql(self,
				   "DELETE FROM settings WHERE section = 'restart' AND name = 'pending'",
				   error);
}

static gboolean
imss_store_migrate(ImssStore *self, gint from, GError **error)
{
	const gchar *serial = imss_store_is_pg(self) ? "BIGSERIAL PRIMARY KEY"
						     : "INTEGER PRIMARY KEY AUTOINCREMENT";
	g_autofree gchar *history_ddl =
	    g_strdup_printf("CREATE TABLE history (id %s, at BIGINT NOT NULL, "
			    "action TEXT NOT NULL, slot TEXT NOT NULL, code TEXT NOT NULL, "
			    "caller TEXT NOT NULL, outcome TEXT NOT NULL, detail TEXT NOT NULL)",
			    serial);

	/* every step falls through to the next; the whole walk is one transaction */
	switch (from) {
	case 0:
		if (!imss_store_exec_sql(self,
					 "CREATE TABLE slots (slot TEXT PRIMARY KEY, "
					 "code TEXT NOT NULL, expiry TEXT NOT NULL, "
					 "issued_expiry TEXT NOT NULL, offline INTEGER NOT NULL, "
					 "verified INTEGER NOT NULL, verified_at BIGINT NOT NULL, "
					 "activated_at BIGINT NOT NULL)",
					 error))
			return FALSE;
		if (!imss_store_exec_sql(self,
					 "CREATE TABLE settings (section TEXT NOT NULL, "
					 "name TEXT NOT NULL, value TEXT NOT NULL, "
					 "PRIMARY KEY (section, name))",
					 error))
			return FALSE;
		if (!imss_store_exec_sql(self, history_ddl, error))
			return FALSE;
		/* fall through */
	case 1:
		/* scheduled runs: one row per (job, slot, local date) */
		if (!imss_store_exec_sql(self,
					 "CREATE TABLE job_runs (job TEXT NOT NULL, slot TEXT NOT NULL, "
					 "day TEXT NOT NULL, at BIGINT NOT NULL, "
					 "PRIMARY KEY (job, slot, day))",
					 error))
			return FALSE;
		/* fall through */
	case 2:
		/* what the license server last said, and when we last asked */
		if (!imss_store_exec_sql(self,
					 "ALTER TABLE slots ADD COLUMN server_status TEXT NOT NULL DEFAULT ''",
					 error) ||
		    !imss_store_exec_sql(self,
					 "ALTER TABLE slots ADD COLUMN checked_at BIGINT NOT NULL DEFAULT 0",
					 error) ||
		    !imss_store_exec_sql(self,
					 "ALTER TABLE slots ADD COLUMN check_error TEXT NOT NULL DEFAULT ''",
					 error))
			return FALSE;
		/* fall through */
	case 3:
		/* a claimed run may still be pending (a mail not delivered yet) */
		if (!imss_store_exec_sql(self,
					 "ALTER TABLE job_runs ADD COLUMN done INTEGER NOT NULL DEFAULT 1",
					 error))
			return FALSE;
		/* fall through */
	case 4:
		/* the restart queue: one durable record per unit (it replaces the
		 * "restart/pending" setting, which listed all units at once) */
		if (!imss_store_exec_sql(self,
					 "CREATE TABLE restarts (unit TEXT PRIMARY KEY, "
					 "seq BIGINT NOT NULL, generation BIGINT NOT NULL, "
					 "attempts INTEGER NOT NULL, state TEXT NOT NULL, "
					 "requested_at BIGINT NOT NULL, last_error TEXT NOT NULL)",
					 error))
			return FALSE;
		if (!imss_store_migrate_pending_restart(self, error))
			return FALSE;
		/* fall through */
	default:
		break;
	}
	if (!imss_store_exec_sql(self, "DELETE FROM schema_version", error))
		return FALSE;
	{
		g_autofree gchar *sql =
		    g_strdup_printf("INSERT INTO schema_version (version) VALUES (%d)",
				    IMSS_STORE_SCHEMA_VERSION);
		return imss_store_exec_sql(self, sql, error);
	}
}

/* the SQLite file libgda opens for DB_DIR and DB_NAME: DB_DIR/DB_NAME when
 * that exists, else DB_DIR/DB_NAME.db */
static gchar *
imss_store_sqlite_filename(const gchar *cnc_string)
{
	g_autofree gchar *dir = NULL;
	g_autofree gchar *name = NULL;
	g_autofree gchar *base = NULL;
	GdaQuarkList *ql = gda_quark_list_new_from_string(cnc_string);
	dir = g_strdup(gda_quark_list_find(ql, "DB_DIR"));
	name = g_strdup(gda_quark_list_find(ql, "DB_NAME"));
	gda_quark_list_free(ql);
	if (dir == NULL || name == NULL)
		return NULL;
	base = g_build_filename(dir, name, NULL);
	if (g_file_test(base, G_FILE_TEST_EXISTS))
		return g_steal_pointer(&base);
	return g_strdup_printf("%s.db", base);
}

/* A damaged store is refused, never repaired, replaced or written: the
 * operator decides (a backup, or activating again). */
static gboolean
imss_store_damaged(ImssStore *self, const gchar *finding, GError **error)
{
	g_set_error(error,
		    G_IO_ERROR,
		    G_IO_ERROR_INVALID_DATA,
		    "%s is damaged (quick_check: %s): stop the service, move the file aside and "
		    "restore it from a backup, or re-activate the licenses; the file was left "
		    "untouched",
		    self->filename != NULL ? self->filename : self->cnc_string,
		    finding);
	return FALSE;
}

/* SQLite's PRAGMA quick_check reads every page of the file (integrity_check
 * also cross-checks every index, which costs more and finds nothing a
 * reader would trip over first). It runs before anything is written. */
static gboolean
imss_store_check_integrity(ImssStore *self, GError **error)
{
	GType types[] = {G_TYPE_STRING, G_TYPE_NONE};
	g_autoptr(GdaStatement) stmt = NULL;
	g_autoptr(GdaDataModel) model = NULL;
	g_autoptr(GError) error_local = NULL;
	g_autoptr(GString) findings = g_string_new(NULL);
	GError **exceptions;
	gint64 started = g_get_monotonic_time();
	gint n;

	stmt = imss_store_prepare(self, "PRAGMA quick_check(3)", NULL, error);
	if (stmt == NULL)
		return FALSE;
	/* not imss_store_select(): the rows it read before a failure say what
	 * is damaged */
	model = gda_connection_statement_execute_select_full(self->cnc,
							     stmt,
							     NULL,
							     GDA_STATEMENT_MODEL_RANDOM_ACCESS,
							     types,
							     &error_local);
	if (model == NULL) {
		imss_store_classify_error(&error_local);
		if (g_error_matches(error_local, G_IO_ERROR, G_IO_ERROR_INVALID_DATA))
			return imss_store_damaged(self, error_local->message, error);
		g_propagate_error(error, g_steal_pointer(&error_local));
		return FALSE;
	}
	n = gda_data_model_get_n_rows(model);
	if (n < 0) {
		g_set_error(error,
			    G_IO_ERROR,
			    G_IO_ERROR_BUSY,
			    "%s is locked by another program (database is locked)",
			    self->filename);
		return FALSE;
	}
	for (gint i = 0; i < n; i++) {
		const GValue *v = gda_data_model_get_value_at(model, 0, i, NULL);
		g_autofree gchar *text = imss_store_value_dup_string(v);
		g_auto(GStrv) lines = NULL;
		if (i == 0 && n == 1 && g_strcmp0(text, "ok") == 0)
			break;
		lines = g_strsplit(text, "\n", -1);
		for (guint l = 0; lines[l] != NULL; l++) {
			g_strstrip(lines[l]);
			if (*lines[l] == '\0' || g_str_has_prefix(lines[l], "***"))
				continue; /* "*** in database main ***" */
			g_string_append_printf(findings,
					       "%s%s",
					       findings->len > 0 ? "; " : "",
					       lines[l]);
		}
	}
	exceptions = gda_data_model_get_exceptions(model);
	if (exceptions != NULL && exceptions[0] != NULL)
		g_string_append_printf(findings,
				       "%s%s",
				       findings->len > 0 ? "; " : "",
				       exceptions[0]->message);
	if (findings->len > 0)
		return imss_store_damaged(self, findings->str, error);
	g_debug("quick_check of %s: ok in %.1f ms",
		self->filename,
		(g_get_monotonic_time() - started) / 1000.0);
	return TRUE;
}

static gchar *
imss_store_setting_key(const gchar *section, const gchar *name)
{
	return g_strdup_printf("%s\x1f%s", section, name);
}

/* The settings are few and only this daemon writes them (one SQLite file
 * per gateway): they are read once at open, and the copy follows every
 * committed change, so that answering a caller never waits for the store
 * and a failed read can never pass for "not set". */
static gboolean
imss_store_load_settings(ImssStore *self, GError **error)
{
	GType types[] = {G_TYPE_STRING, G_TYPE_STRING, G_TYPE_STRING, G_TYPE_NONE};
	g_autoptr(GdaStatement) stmt = NULL;
	g_autoptr(GdaDataModel) model = NULL;

	stmt = imss_store_prepare(self, "SELECT section, name, value FROM settings", NULL, error);
	if (stmt == NULL)
		return FALSE;
	model = imss_store_select(self, stmt, NULL, types, error);
	if (model == NULL)
		return FALSE;
	g_hash_table_remove_all(self->settings);
	for (gint i = 0; i < gda_data_model_get_n_rows(model); i++) {
		const GValue *v[3];
		for (gint c = 0; c < 3; c++) {
			v[c] = gda_data_model_get_value_at(model, c, i, error);
			if (v[c] == NULL)
				return FALSE;
		}
		g_hash_table_insert(self->settings,
				    imss_store_setting_key(g_value_get_string(v[0]),
							   g_value_get_string(v[1])),
				    imss_store_value_dup_string(v[2]));
	}
	return TRUE;
}

/* Keeps the newest history_max entries. Ids only grow (AUTOINCREMENT,
 * BIGSERIAL): everything at or below the newest id minus history_max goes,
 * one range delete on the primary key, whatever the table's size. A
 * PostgreSQL sequence can skip ids (a rolled-back insert), which only
 * keeps fewer. */
static gboolean
imss_store_prune_history(ImssStore *self, GError **error)
{
	g_autoptr(GdaSet) p = NULL;
	g_autoptr(GdaStatement) del = NULL;

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

/* how long one statement waits for another program's lock before it fails
 * with "database is locked": short, because it blocks the main loop; callers
 * that can wait retry on the main loop (imss_store_retry_async()) */
#define IMSS_STORE_BUSY_TIMEOUT_MS 20

static gboolean
imss_store_set_busy_timeout(ImssStore *self, guint ms, GError **error)
{
	GType types[] = {G_TYPE_INT64, G_TYPE_NONE};
	g_autofree gchar *sql = g_strdup_printf("PRAGMA busy_timeout = %u", ms);
	g_autoptr(GdaStatement) stmt = imss_store_prepare(self, sql, NULL, error);
	g_autoptr(GdaDataModel) model = NULL;
	if (stmt == NULL)
		return FALSE;
	model = imss_store_select(self, stmt, NULL, types, error);
	return model != NULL;
}

/* PostgreSQL: drops a connection whose server process is gone (libgda
 * cannot tell, and its next statement would fail or crash) */
static void
imss_store_drop_connection(ImssStore *self)
{
	g_hash_table_remove_all(self->statements);
	g_clear_object(&self->parser);
	g_clear_object(&self->cnc);
	self->backend_pid = 0;
}

static gboolean
imss_store_connect(ImssStore *self, GError **error)
{
	self->cnc = gda_connection_open_from_string(self->provider,
						    self->cnc_string,
						    self->auth_string,
						    GDA_CONNECTION_OPTIONS_NONE,
						    error);
	if (self->cnc == NULL)
		return FALSE;
	self->parser = gda_connection_create_parser(self->cnc);
	if (self->parser == NULL)
		self->parser = gda_sql_parser_new();
	if (self->link != NULL) {
		GType types[] = {G_TYPE_INT, G_TYPE_NONE};
		g_autoptr(GdaStatement) stmt =
		    imss_store_prepare(self, "SELECT pg_backend_pid()", NULL, error);
		g_autoptr(GdaDataModel) model = NULL;
		const GValue *v;
		if (stmt == NULL)
			return FALSE;
		model = imss_store_select(self, stmt, NULL, types, error);
		if (model == NULL)
			return FALSE;
		v = gda_data_model_get_value_at(model, 0, 0, error);
		if (v == NULL)
			return FALSE;
		self->backend_pid = G_VALUE_HOLDS_INT(v) ? g_value_get_int(v) : 0;
	}
	return TRUE;
}

gboolean
imss_store_open(ImssStore *self, GError **error)
{
	gint version = 0;
	gboolean sqlite;

	g_return_val_if_fail(IMSS_IS_STORE(self), FALSE);
	if (self->cnc != NULL)
		return TRUE;

	sqlite = g_strcmp0(self->provider, "SQLite") == 0;
	if (sqlite) {
		g_free(self->filename);
		self->filename = imss_store_sqlite_filename(self->cnc_string);
	}
	gda_init();
	if (imss_store_is_pg(self))
		self->link = imss_pg_link_new(self->cnc_string, self->auth_string);
	if (!imss_store_connect(self, error)) {
		imss_store_drop_connection(self);
		imss_store_classify_error(error);
		if (sqlite && g_error_matches(*error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA)) {
			g_autoptr(GError) cause = g_steal_pointer(error);
			return imss_store_damaged(self, cause->message, error);
		}
		g_prefix_error(error, "failed to open the %s database: ", self->provider);
		return FALSE;
	}

	if (sqlite) {
		if (!imss_store_check_integrity(self, error)) {
			imss_store_close(self);
			return FALSE;
		}
		/* the store holds activation codes: owner only */
		if (self->filename != NULL && g_chmod(self->filename, 0600) != 0)
			g_warning("failed to restrict %s to 0600", self->filename);
		/* SQLite's defaults are what we want and we keep them: a rollback
		 * journal (no -wal/-shm side files, works on any local filesystem)
		 * with synchronous=FULL, durable across power loss */
	}

	if (!imss_store_begin(self, error))
		return FALSE;
	if (!imss_store_read_schema_version(self, &version, error)) {
		imss_store_rollback(self);
		return FALSE;
	}
	if (version > IMSS_STORE_SCHEMA_VERSION) {
		imss_store_rollback(self);
		g_set_error(error,
			    G_IO_ERROR,
			    G_IO_ERROR_NOT_SUPPORTED,
			    "the database has schema version %d, newer than this daemon's %d; "
			    "refusing to touch it",
			    version,
			    IMSS_STORE_SCHEMA_VERSION);
		return FALSE;
	}
	if (version < IMSS_STORE_SCHEMA_VERSION) {
		g_info("migrating the schema from version %d to %d",
		       version,
		       IMSS_STORE_SCHEMA_VERSION);
		if (!imss_store_migrate(self, version, error)) {
			imss_store_rollback(self);
			g_prefix_error(error, "schema migration failed: ");
			return FALSE;
		}
	}
	if (!gda_connection_commit_transaction(self->cnc, NULL, error))
		return FALSE;
	self->schema_version = IMSS_STORE_SCHEMA_VERSION;
	self->opened = TRUE;
	if (!imss_store_load_settings(self, error)) {
		g_prefix_error(error, "failed to read the settings: ");
		return FALSE;
	}
	/* a lowered [history] max-entries applies at once; failing to prune
	 * (a full disk) does not stop the start */
	if (self->history_max > 0) {
		g_autoptr(GError) error_local = NULL;
		if (!imss_store_begin(self, &error_local) ||
		    !imss_store_prune_history(self, &error_local) ||
		    !gda_connection_commit_transaction(self->cnc, NULL, &error_local)) {
			imss_store_rollback(self);
			g_warning("failed to prune the history to %u entries: %s",
				  self->history_max,
				  error_local->message);
		}
	}
	/* from now on a lock held by another program fails a statement fast */
	if (sqlite && !imss_store_set_busy_timeout(self, IMSS_STORE_BUSY_TIMEOUT_MS, error))
		return FALSE;
	return TRUE;
}

void
imss_store_close(ImssStore *self)
{
	g_hash_table_remove_all(self->statements);
	g_clear_object(&self->parser);
	if (self->cnc != NULL) {
		gda_connection_close(self->cnc);
		g_clear_object(&self->cnc);
	}
	g_clear_object(&self->link);
	self->opened = FALSE;
}

gint
imss_store_get_schema_version(ImssStore *self)
{
	return self->schema_version;
}

void
imss_store_set_history_max(ImssStore *self, guint max_entries)
{
	g_return_if_fail(IMSS_IS_STORE(self));
	self->history_max = max_entries;
}

const gchar *
imss_store_get_filename(ImssStore *self)
{
	return self->filename;
}

/* Every operation starts here. With PostgreSQL, the server is asked first
 * whether our connection's process is still there (imss-pg-link.h); after a
 * restart of the server or a terminated connection a new one is opened, and
 * while the server cannot be reached the operation fails with
 * G_IO_ERROR_NOT_CONNECTED — never a crash, never "no rows". */
static gboolean
imss_store_check_open(ImssStore *self, GError **error)
{
	g_autoptr(GError) error_local = NULL;
	if (!self->opened) {
		g_set_error_literal(error, G_IO_ERROR, G_IO_ERROR_CLOSED, "the store is not open");
		return FALSE;
	}
	if (self->link == NULL)
		return TRUE;
	if (self->cnc != NULL &&
	    imss_pg_link_backend_alive(self->link, self->backend_pid, &error_local))
		return TRUE;
	if (self->cnc != NULL) {
		g_warning("the connection to the database server was lost (%s): reconnecting",
			  error_local != NULL ? error_local->message : "its server process is gone");
		imss_store_drop_connection(self);
	}
	if (error_local != NULL) {
		g_propagate_error(error, g_steal_pointer(&error_local));
		return FALSE;
	}
	if (!imss_store_connect(self, &error_local)) {
		imss_store_drop_connection(self);
		g_set_error(error, G_IO_ERROR, G_IO_ERROR_NOT_CONNECTED,
			    "the database server cannot be reached: %s", error_local->message);
		return FALSE;
	}
	imss_pg_link_forget_failure(self->link);
	g_message("reconnected to the database server");
	return TRUE;
}

GPtrArray *
imss_store_load_slots(ImssStore *self, GError **error)
{
	GType types[] = {G_TYPE_STRING,
			 G_TYPE_STRING,
			 G_TYPE_STRING,
			 G_TYPE_STRING,
			 G_TYPE_INT64,
			 G_TYPE_INT64,
			 G_TYPE_INT64,
			 G_TYPE_INT64,
			 G_TYPE_STRING,
			 G_TYPE_INT64,
			 G_TYPE_STRING,
			 G_TYPE_NONE};
	g_autoptr(GdaStatement) stmt = NULL;
	g_autoptr(GdaDataModel) model = NULL;
	g_autoptr(GPtrArray) rows =
	    g_ptr_array_new_with_free_func((GDestroyNotify)imss_store_slot_free);

	if (!imss_store_check_open(self, error))
		return NULL;
	stmt = imss_store_prepare(self,
				  "SELECT slot, code, expiry, issued_expiry, offline, verified, "
				  "verified_at, activated_at, server_status, checked_at, check_error "
				  "FROM slots ORDER BY slot",
				  NULL,
				  error);
	if (stmt == NULL)
		return NULL;
	model = imss_store_select(self, stmt, NULL, types, error);
	if (model == NULL)
		return NULL;
	for (gint i = 0; i < gda_data_model_get_n_rows(model); i++) {
		ImssStoreSlot *row = imss_store_slot_new();
		const GValue *v[11];
		for (gint c = 0; c < 11; c++) {
			v[c] = gda_data_model_get_value_at(model, c, i, error);
			if (v[c] == NULL) {
				imss_store_slot_free(row);
				return NULL;
			}
		}
		row->slot = imss_store_value_dup_string(v[0]);
		row->code = imss_store_value_dup_string(v[1]);
		row->expiry = imss_store_value_dup_string(v[2]);
		row->issued_expiry = imss_store_value_dup_string(v[3]);
		row->offline = imss_store_value_get_int64(v[4]) != 0;
		row->verified = imss_store_value_get_int64(v[5]) != 0;
		row->verified_at = imss_store_value_get_int64(v[6]);
		row->activated_at = imss_store_value_get_int64(v[7]);
		row->server_status = imss_store_value_dup_string(v[8]);
		row->checked_at = imss_store_value_get_int64(v[9]);
		row->check_error = imss_store_value_dup_string(v[10]);
		g_ptr_array_add(rows, row);
	}
	return g_steal_pointer(&rows);
}

static gboolean
imss_store_apply_inner(ImssStore *self, ImssStoreChange *change, GError **error)
{
	/* rows: delete + insert is the upsert both providers' SQL (and libgda's
	 * parser) agree on; we are inside a transaction */
	if (change->rows->len > 0) {
		g_autoptr(GdaSet) pdel = NULL;
		g_autoptr(GdaSet) pins = NULL;
		g_autoptr(GdaStatement) del =
		    imss_store_prepare(self,
				       "DELETE FROM slots WHERE slot = ##slot::string",
				       &pdel,
				       error);
		g_autoptr(GdaStatement) ins = NULL;
		if (del == NULL)
			return FALSE;
		ins = imss_store_prepare(self,
					 "INSERT INTO slots (slot, code, expiry, issued_expiry, "
					 "offline, verified, verified_at, activated_at, server_status, "
					 "checked_at, check_error) VALUES "
					 "(##slot::string, ##code::string, ##expiry::string, "
					 "##issued::string, ##offline::gint, ##verified::gint, "
					 "##verified_at::gint64, ##activated_at::gint64, "
					 "##server_status::string, ##checked_at::gint64, "
					 "##check_error::string)",
					 &pins,
					 error);
		if (ins == NULL)
			return FALSE;
		for (guint i = 0; i < change->rows->len; i++) {
			ImssStoreSlot *row = g_ptr_array_index(change->rows, i);
			if (!gda_set_set_holder_value(pdel, error, "slot", row->slot))
				return FALSE;
			if (!imss_store_exec(self, del, pdel, error))
				return FALSE;
			if (!gda_set_set_holder_value(pins, error, "slot", row->slot) ||
			    !gda_set_set_holder_value(pins, error, "code", row->code) ||
			    !gda_set_set_holder_value(pins, error, "expiry", row->expiry) ||
			    !gda_set_set_holder_value(pins, error, "issued", row->issued_expiry) ||
			    !gda_set_set_holder_value(pins, error, "offline", (gint)row->offline) ||
			    !gda_set_set_holder_value(pins, error, "verified", (gint)row->verified) ||
			    !gda_set_set_holder_value(pins,
						      error,
						      "verified_at",
						      (gint64)row->verified_at) ||
			    !gda_set_set_holder_value(pins,
						      error,
						      "activated_at",
						      (gint64)row->activated_at) ||
			    !gda_set_set_holder_value(pins,
						      error,
						      "server_status",
						      row->server_status != NULL ? row->server_status : "") ||
			    !gda_set_set_holder_value(pins, error, "checked_at", (gint64)row->checked_at) ||
			    !gda_set_set_holder_value(pins,
						      error,
						      "check_error",
						      row->check_error != NULL ? row->check_error : ""))
				return FALSE;
			if (!imss_store_exec(self, ins, pins, error))
				return FALSE;
		}
	}

	/* settings */
	if (change->settings_delete->len > 0 || change->settings_set->len > 0) {
		g_autoptr(GdaSet) pdel = NULL;
		g_autoptr(GdaSet) pins = NULL;
		g_autoptr(GdaStatement) del =
		    imss_store_prepare(self,
				       "DELETE FROM settings WHERE section = ##section::string "
				       "AND name = ##name::string",
				       &pdel,
				       error);
		g_autoptr(GdaStatement) ins = NULL;
		if (del == NULL)
			return FALSE;
		ins = imss_store_prepare(self,
					 "INSERT INTO settings (section, name, value) VALUES "
					 "(##section::string, ##name::string, ##value::string)",
					 &pins,
					 error);
		if (ins == NULL)
			return FALSE;
		for (guint i = 0; i + 1 < change->settings_delete->len; i += 2) {
			gint n;
			if (!gda_set_set_holder_value(pdel,
						      error,
						      "section",
						      g_ptr_array_index(change->settings_delete, i)) ||
			    !gda_set_set_holder_value(pdel,
						      error,
						      "name",
						      g_ptr_array_index(change->settings_delete, i + 1)))
				return FALSE;
			n = gda_connection_statement_execute_non_select(self->cnc,
									del,
									pdel,
									NULL,
									error);
			if (n == -1)
				return FALSE;
			if (n > 0)
				change->settings_delete_hit = TRUE;
		}
		for (guint i = 0; i + 2 < change->settings_set->len; i += 3) {
			if (!gda_set_set_holder_value(pdel,
						      error,
						      "section",
						      g_ptr_array_index(change->settings_set, i)) ||
			    !gda_set_set_holder_value(pdel,
						      error,
						      "name",
						      g_ptr_array_index(change->settings_set, i + 1)))
				return FALSE;
			if (!imss_store_exec(self, del, pdel, error))
				return FALSE;
			if (!gda_set_set_holder_value(pins,
						      error,
						      "section",
						      g_ptr_array_index(change->settings_set, i)) ||
			    !gda_set_set_holder_value(pins,
						      error,
						      "name",
						      g_ptr_array_index(change->settings_set, i + 1)) ||
			    !gda_set_set_holder_value(pins,
						      error,
						      "value",
						      g_ptr_array_index(change->settings_set, i + 2)))
				return FALSE;
			if (!imss_store_exec(self, ins, pins, error))
				return FALSE;
		}
	}

	if (change->restarts->len > 0 &&
	    !imss_store_request_restarts(self, change->restarts, change->restarts_at, error))
		return FALSE;

	/* history */
	if (change->history->len > 0) {
		g_autoptr(GdaSet) p = NULL;
		g_autoptr(GdaStatement) ins =
		    imss_store_prepare(self,
				       "INSERT INTO history (at, action, slot, code, caller, "
				       "outcome, detail) VALUES (##at::gint64, ##action::string, "
				       "##slot::string, ##code::string, ##caller::string, "
				       "##outcome::string, ##detail::string)",
				       &p,
				       error);
		if (ins == NULL)
			return FALSE;
		for (guint i = 0; i < change->history->len; i++) {
			ImssStoreHistory *h = g_ptr_array_index(change->history, i);
			if (!gda_set_set_holder_value(p, error, "at", (gint64)h->time) ||
			    !gda_set_set_holder_value(p, error, "action", h->action) ||
			    !gda_set_set_holder_value(p, error, "slot", h->slot) ||
			    !gda_set_set_holder_value(p, error, "code", h->code) ||
			    !gda_set_set_holder_value(p, error, "caller", h->caller) ||
			    !gda_set_set_holder_value(p, error, "outcome", h->outcome) ||
			    !gda_set_set_holder_value(p, error, "detail", h->detail))
				return FALSE;
			if (!imss_store_exec(self, ins, p, error))
				return FALSE;
		}
		/* the retention, in the same transaction */
		if (!imss_store_prune_history(self, error))
			return FALSE;
	}
	return TRUE;
}

/* appends @history (may be NULL; not taken) inside the current transaction */
static gboolean
imss_store_append_history(ImssStore *self, ImssStoreHistory *history, GError **error)
{
	g_autoptr(ImssStoreChange) change = NULL;
	gboolean ok;
	if (history == NULL)
		return TRUE;
	change = imss_store_change_new();
	g_ptr_array_add(change->history, history);
	ok = imss_store_apply_inner(self, change, error);
	g_ptr_array_steal_index(change->history, 0);
	return ok;
}

gboolean
imss_store_apply(ImssStore *self, ImssStoreChange *change, GError **error)
{
	g_return_val_if_fail(IMSS_IS_STORE(self), FALSE);
	if (!imss_store_check_open(self, error))
		return FALSE;
	if (!imss_store_begin(self, error)) {
		imss_store_classify_error(error);
		return FALSE;
	}
	change->settings_delete_hit = FALSE;
	if (!imss_store_apply_inner(self, change, error) ||
	    !gda_connection_commit_transaction(self->cnc, NULL, error)) {
		imss_store_rollback(self);
		imss_store_classify_error(error);
		return FALSE;
	}
	/* committed: the copy of the settings follows */
	for (guint i = 0; i + 1 < change->settings_delete->len; i += 2) {
		g_autofree gchar *key =
		    imss_store_setting_key(g_ptr_array_index(change->settings_delete, i),
					   g_ptr_array_index(change->settings_delete, i + 1));
		g_hash_table_remove(self->settings, key);
	}
	for (guint i = 0; i + 2 < change->settings_set->len; i += 3)
		g_hash_table_insert(self->settings,
				    imss_store_setting_key(g_ptr_array_index(change->settings_set, i),
							   g_ptr_array_index(change->settings_set, i + 1)),
				    g_strdup(g_ptr_array_index(change->settings_set, i + 2)));
	return TRUE;
}

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

gboolean
imss_store_has_run(ImssStore *self,
		   const gchar *job,
		   const gchar *slot,
		   const gchar *day,
		   gboolean *exists,
		   GError **error)
{
	gint64 at = 0;
	return imss_store_get_run(self, job, slot, day, exists, &at, error);
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

gchar *
imss_store_get_setting(ImssStore *self, const gchar *section, const gchar *name)
{
	g_autofree gchar *key = imss_store_setting_key(section, name);
	g_return_val_if_fail(IMSS_IS_STORE(self), NULL);
	return g_strdup(g_hash_table_lookup(self->settings, key));
}

static gboolean
imss_store_count_history(ImssStore *self, guint *total, GError **error)
{
	GType types[] = {G_TYPE_INT64, G_TYPE_NONE};
	g_autoptr(GdaStatement) stmt = NULL;
	g_autoptr(GdaDataModel) model = NULL;
	const GValue *v;

	stmt = imss_store_prepare(self, "SELECT COUNT(*) FROM history", NULL, error);
	if (stmt == NULL)
		return FALSE;
	model = imss_store_select(self, stmt, NULL, types, error);
	if (model == NULL)
		return FALSE;
	v = gda_data_model_get_value_at(model, 0, 0, error);
	if (v == NULL)
		return FALSE;
	*total = (guint)CLAMP(imss_store_value_get_int64(v), 0, G_MAXUINT);
	return TRUE;
}

GPtrArray *
imss_store_list_history(ImssStore *self, guint offset, guint limit, guint *total, GError **error)
{
	GType types[] = {G_TYPE_INT64,
			 G_TYPE_STRING,
			 G_TYPE_STRING,
			 G_TYPE_STRING,
			 G_TYPE_STRING,
			 G_TYPE_STRING,
			 G_TYPE_STRING,
			 G_TYPE_NONE};
	g_autoptr(GdaSet) p = NULL;
	g_autoptr(GdaStatement) stmt = NULL;
	g_autoptr(GdaDataModel) model = NULL;
	g_autoptr(GPtrArray) entries =
	    g_ptr_array_new_with_free_func((GDestroyNotify)imss_store_history_free);

	if (!imss_store_check_open(self, error))
		return NULL;
	/* the page bounds are parameters too: one parsed statement for every
	 * page (a statement per distinct text would pile up in the cache) */
	stmt = imss_store_prepare(self,
				  "SELECT at, action, slot, code, caller, outcome, detail "
				  "FROM history ORDER BY id DESC "
				  "LIMIT ##limit::gint64 OFFSET ##offset::gint64",
				  &p,
				  error);
	if (stmt == NULL ||
	    !gda_set_set_holder_value(p, error, "limit", (gint64)(limit > 0 ? limit : G_MAXINT32)) ||
	    !gda_set_set_holder_value(p, error, "offset", (gint64)offset))
		return NULL;
	model = imss_store_select(self, stmt, p, types, error);
	if (model == NULL)
		return NULL;
	for (gint i = 0; i < gda_data_model_get_n_rows(model); i++) {
		ImssStoreHistory *h = g_new0(ImssStoreHistory, 1);
		const GValue *v[7];
		for (gint c = 0; c < 7; c++) {
			v[c] = gda_data_model_get_value_at(model, c, i, error);
			if (v[c] == NULL) {
				imss_store_history_free(h);
				return NULL;
			}
		}
		h->time = imss_store_value_get_int64(v[0]);
		h->action = imss_store_value_dup_string(v[1]);
		h->slot = imss_store_value_dup_string(v[2]);
		h->code = imss_store_value_dup_string(v[3]);
		h->caller = imss_store_value_dup_string(v[4]);
		h->outcome = imss_store_value_dup_string(v[5]);
		h->detail = imss_store_value_dup_string(v[6]);
		g_ptr_array_add(entries, h);
	}
	if (total != NULL && !imss_store_count_history(self, total, error))
		return NULL;
	return g_steal_pointer(&entries);
}

static void
imss_store_finalize(GObject *obj)
{
	ImssStore *self = IMSS_STORE(obj);
	imss_store_close(self);
	g_hash_table_unref(self->statements);
	g_hash_table_unref(self->settings);
	g_free(self->provider);
	g_free(self->cnc_string);
	g_free(self->auth_string);
	g_free(self->filename);
	G_OBJECT_CLASS(imss_store_parent_class)->finalize(obj);
}

static void
imss_store_class_init(ImssStoreClass *klass)
{
	G_OBJECT_CLASS(klass)->finalize = imss_store_finalize;
}

static void
imss_store_init(ImssStore *self)
{
	self->statements = g_hash_table_new_full(g_str_hash,
						 g_str_equal,
						 g_free,
						 (GDestroyNotify)imss_store_stmt_free);
	self->settings = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
}

ImssStore *
imss_store_new(const gchar *provider, const gchar *cnc, const gchar *auth)
{
	ImssStore *self = g_object_new(IMSS_TYPE_STORE, NULL);
	self->provider = g_strdup(provider);
	self->cnc_string = g_strdup(cnc);
	self->auth_string = g_strdup(auth);
	return self;
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
static gboolean
imss_store_request_restarts(ImssStore *self, GPtrArray *units, gint64 at, GError **error)
{
	g_autoptr(GdaSet) pupd = NULL;
	g_autoptr(GdaSet) pins = NULL;
	g_autoptr(GdaStatement) upd = NULL;
	g_autoptr(GdaStatement) ins = NULL;

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
