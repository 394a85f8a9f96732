/*
 * The store's insides, shared by its files (split by table group, as
 * fwupd's FuHistory): imss-store.c (the connection), -sql.c (statements,
 * rows and transactions), -schema.c (schema, migrations, integrity),
 * -licenses.c (license rows, settings), -history.c, -runs.c (scheduled runs:
 * claims and ends), -leases.c (runs taken over, leases renewed),
 * -restarts.c (the restart queue) and -fleet.c (the nodes). Only these
 * files speak SQL.
 */
#pragma once

#include "imss-gda.h"
#include "imss-pg-link.h"
#include "imss-store.h"

G_BEGIN_DECLS

struct _ImssStore {
	GObject parent_instance;
	gchar *provider;
	gchar *cnc_string;
	gchar *auth_string;
	gchar *filename; /* SQLite only */
	GdaConnection *cnc;
	GdaSqlParser *parser;
	GdaSqlParser *delimiter; /* splits, does not parse: imss_store_exec_untracked() */
	GHashTable *statements; /* SQL text → ImssStoreStmt, parsed once */
	GHashTable *settings;	/* "section\x1fname" → value, read at open */
	guint history_max;	/* history entries kept (the newest); 0: all */
	gint schema_version;
	gboolean opened;	/* opened once; cnc may be NULL after a lost connection */
	ImssPgLink *link;	/* PostgreSQL only: is our connection still there? */
	gint backend_pid;	/* PostgreSQL only: the server process of cnc */
	gchar *node;		/* this node's name: history, claims, restarts */
	gint64 started_at;	/* when this node started (unix seconds) */
	guint claim_lease;	/* seconds a claim belongs to its node (database clock) */
	const gchar *sql_now;	/* the database's clock in unix seconds, as SQL */
	const gchar *sql_rows;	/* the rows of the JSON parameter ##rows, as SQL */
	const gchar *sql_col[2]; /* column N of a row of sql_rows: [0] N [1], as SQL (text) */
	guint finish_hold;	/* imss_store_hold_finishes() depth */
	GPtrArray *finishes;	/* ImssStoreRun: finished while held, written at release */
	guint commit_hold;	/* imss_store_hold_commits() depth */
	gboolean commits_held;	/* the held transaction is open */
	guint commits_in_held;	/* the store's transactions committed in it */
	/* what the held transaction's savepoints append to the history and
	 * note as the node's last job: written into it once, before it
	 * commits (imss_store_write_held()) — a statement for a few hundred
	 * entries instead of one per savepoint. *_mark: as the current
	 * savepoint began, for its rollback */
	GPtrArray *held_history; /* ImssStoreHistory */
	guint held_history_mark;
	gchar *held_job;
	gint64 held_job_at;
	gchar *held_job_mark;
	gint64 held_job_at_mark;
};

/* the connection (imss-store.c) */
gboolean
imss_store_check_open(ImssStore *self, GError **error) G_GNUC_INTERNAL;
gboolean
imss_store_is_pg(ImssStore *self) G_GNUC_INTERNAL;

/* statements, rows and transactions (imss-store-sql.c) */
/* SQL text → its parsed statement and parameters, kept */
GHashTable *
imss_store_statements_new(void) G_GNUC_INTERNAL;
GdaStatement *
imss_store_prepare(ImssStore *self, const gchar *sql, GdaSet **params, GError **error) G_GNUC_INTERNAL;
gboolean
imss_store_exec(ImssStore *self, GdaStatement *stmt, GdaSet *params, GError **error) G_GNUC_INTERNAL;
gboolean
imss_store_exec_sql(ImssStore *self, const gchar *sql, GError **error) G_GNUC_INTERNAL;
/* as imss_store_exec(), and @n: the rows it changed */
gboolean
imss_store_exec_count(ImssStore *self, GdaStatement *stmt, GdaSet *params, gint *n, GError **error)
    G_GNUC_INTERNAL;
/* @sql with each "@now@" replaced by the database's clock (unix seconds,
 * an SQL expression of the provider), "@rows@" by a table of the rows of
 * the parameter ##rows (imss_store_rows_append(): ordered by its column
 * key) and "@colN@" (N < 10) by column N of a row (text; CAST for a
 * number), prepared and cached under @sql. Many rows thus take one
 * parameter, not one per value: libgda's cost is per parameter set. */
GdaStatement *
imss_store_prepare_now(ImssStore *self, const gchar *sql, GdaSet **params, GError **error)
    G_GNUC_INTERNAL;
/* appends a row to @rows (empty at first) with a value per character of
 * @types: 's' a string (NULL: null), 'i' a gint64 */
void
imss_store_rows_append(GString *rows, const gchar *types, ...) G_GNUC_INTERNAL;
/* ends @rows and sets it as the parameter ##rows of @params */
gboolean
imss_store_bind_rows(GdaSet *params, GString *rows, GError **error) G_GNUC_INTERNAL;
/* inside a transaction: the change counter goes up and, with PostgreSQL,
 * the other nodes are told on commit (pg_notify) */
gboolean
imss_store_note_change(ImssStore *self, GError **error) G_GNUC_INTERNAL;
GdaDataModel *
imss_store_select(ImssStore *self, GdaStatement *stmt, GdaSet *params, GType *types, GError **error) G_GNUC_INTERNAL;
/* the first value of the first row @sql (no parameters) answers, read as
 * @type; it lives as long as *@model (NULL at first). NULL with @error
 * when the statement fails or answers no row. */
const GValue *
imss_store_select_value(ImssStore *self,
			const gchar *sql,
			GType type,
			GdaDataModel **model,
			GError **error) G_GNUC_INTERNAL;
void
imss_store_classify_error(GError **error) G_GNUC_INTERNAL;
/* where a column of a row lands in a struct (imss_store_select_rows()) */
typedef enum {
	IMSS_STORE_COLUMN_STRING, /* gchar *, "" for NULL */
	IMSS_STORE_COLUMN_INT64,  /* gint64, 0 for NULL */
	IMSS_STORE_COLUMN_UINT,	  /* guint (read as a gint64) */
} ImssStoreColumnKind;

typedef struct {
	ImssStoreColumnKind kind;
	gsize offset; /* G_STRUCT_OFFSET() */
} ImssStoreColumn;

/* Runs the SELECT @stmt (@params may be NULL) and reads each row into a
 * struct of @size (g_new0), column i into @columns[i]; the array frees its
 * structs with @free. NULL with @error when the read fails (never a part
 * of the rows). */
GPtrArray *
imss_store_select_rows(ImssStore *self,
		       GdaStatement *stmt,
		       GdaSet *params,
		       const ImssStoreColumn *columns,
		       guint n_columns,
		       gsize size,
		       GDestroyNotify free,
		       GError **error) G_GNUC_INTERNAL;
/* the @n first values of @row of @model into @v */
gboolean
imss_store_row_values(GdaDataModel *model, gint row, const GValue **v, gint n, GError **error)
    G_GNUC_INTERNAL;
gchar *
imss_store_value_dup_string(const GValue *value) G_GNUC_INTERNAL;
gint64
imss_store_value_get_int64(const GValue *value) G_GNUC_INTERNAL;
gboolean
imss_store_begin(ImssStore *self, GError **error) G_GNUC_INTERNAL;
void
imss_store_rollback(ImssStore *self) G_GNUC_INTERNAL;
gboolean
imss_store_commit(ImssStore *self, GError **error) G_GNUC_INTERNAL;

/* schema, migrations and integrity (imss-store-schema.c) */
gboolean
imss_store_read_schema_version(ImssStore *self, gint *version, GError **error) G_GNUC_INTERNAL;
gboolean
imss_store_migrate(ImssStore *self, gint from, GError **error) G_GNUC_INTERNAL;
gboolean
imss_store_upgrade_schema(ImssStore *self, GError **error) G_GNUC_INTERNAL;
gchar *
imss_store_sqlite_filename(const gchar *cnc_string) G_GNUC_INTERNAL;
gboolean
imss_store_damaged(ImssStore *self, const gchar *finding, GError **error) G_GNUC_INTERNAL;
gboolean
imss_store_check_integrity(ImssStore *self, GError **error) G_GNUC_INTERNAL;

/* licenses and settings (imss-store-licenses.c), history (-history.c) */
gboolean
imss_store_load_settings(ImssStore *self, GError **error) G_GNUC_INTERNAL;
gboolean
imss_store_prune_history(ImssStore *self, GError **error) G_GNUC_INTERNAL;
/* @history appended, then the retention; inside a transaction (in the
 * held transaction: kept for imss_store_write_held()) */
gboolean
imss_store_write_history(ImssStore *self, GPtrArray *history, GError **error) G_GNUC_INTERNAL;
gboolean
imss_store_append_history(ImssStore *self, ImssStoreHistory *history, GError **error) G_GNUC_INTERNAL;
ImssStoreHistory *
imss_store_history_dup(const ImssStoreHistory *h) G_GNUC_INTERNAL;
/* the history entries and the last job kept in the held transaction,
 * written into it (before its commit, and before a read of them) */
gboolean
imss_store_write_held(ImssStore *self, GError **error) G_GNUC_INTERNAL;
/* the savepoint of the held transaction begins / is rolled back / the held
 * transaction is gone: what is kept for it follows */
void
imss_store_held_mark(ImssStore *self) G_GNUC_INTERNAL;
void
imss_store_held_undo(ImssStore *self) G_GNUC_INTERNAL;
void
imss_store_held_clear(ImssStore *self) G_GNUC_INTERNAL;
/* writes the node's last job (runs) */
gboolean
imss_store_write_last_job(ImssStore *self, const gchar *what, gint64 at, GError **error) G_GNUC_INTERNAL;
gboolean
imss_store_append_histories(ImssStore *self, GPtrArray *history, GError **error) G_GNUC_INTERNAL;

/* the restart queue (imss-store-restarts.c) */
gboolean
imss_store_request_restarts(ImssStore *self, GPtrArray *units, gint64 at, GError **error) G_GNUC_INTERNAL;

G_END_DECLS
