#define G_LOG_DOMAIN "ImssStore"

#include "config.h"

#include <gio/gio.h>
#include <glib/gstdio.h>
#include <string.h>

#include "imss-store-private.h"

/* -- schema ------------------------------------------------------------ */

gboolean
imss_store_read_schema_version(ImssStore *self, gint *version, GError **error)
{
	GType types[] = {G_TYPE_INT64, G_TYPE_NONE};
	g_autoptr(GdaStatement) stmt = NULL;
	g_autoptr(GdaDataModel) model = NULL;
	g_autoptr(GError) error_local = NULL;

	g_return_val_if_fail(IMSS_IS_STORE(self), FALSE);
	g_return_val_if_fail(version != NULL, FALSE);
	g_return_val_if_fail(error == NULL || *error == NULL, FALSE);

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

/* schema version 1: licenses, settings and history */
static gboolean
imss_store_create_v1(ImssStore *self, GError **error)
{
	const gchar *serial = imss_store_is_pg(self) ? "BIGSERIAL PRIMARY KEY"
						     : "INTEGER PRIMARY KEY AUTOINCREMENT";
	g_autofree gchar *history_ddl =
	    g_strdup_printf("CREATE TABLE history (id %s, at BIGINT NOT NULL, "
			    "action TEXT NOT NULL, slot TEXT NOT NULL, code TEXT NOT NULL, "
			    "caller TEXT NOT NULL, outcome TEXT NOT NULL, detail TEXT NOT NULL)",
			    serial);

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
	return imss_store_exec_sql(self, history_ddl, error);
}

/* schema version 6: the fleet — license revisions, claims with an owner
 * and a lease, the node in the history, restarts per node, the nodes and the
 * change counter */
static gboolean
imss_store_migrate_v6(ImssStore *self, GError **error)
{
	const gchar *steps[] = {
	    "ALTER TABLE slots ADD COLUMN revision BIGINT NOT NULL DEFAULT 1",
	    "ALTER TABLE job_runs ADD COLUMN owner TEXT NOT NULL DEFAULT ''",
	    "ALTER TABLE job_runs ADD COLUMN lease_until BIGINT NOT NULL DEFAULT 0",
	    "ALTER TABLE history ADD COLUMN node TEXT NOT NULL DEFAULT ''",
	    "CREATE TABLE restarts_by_node (node TEXT NOT NULL, unit TEXT NOT NULL, "
	    "seq BIGINT NOT NULL, generation BIGINT NOT NULL, attempts INTEGER NOT NULL, "
	    "state TEXT NOT NULL, requested_at BIGINT NOT NULL, last_error TEXT NOT NULL, "
	    "PRIMARY KEY (node, unit))",
	    NULL, /* the restarts so far are this node's */
	    "DROP TABLE restarts",
	    "ALTER TABLE restarts_by_node RENAME TO restarts",
	    "CREATE TABLE nodes (name TEXT PRIMARY KEY, started_at BIGINT NOT NULL, "
	    "last_seen BIGINT NOT NULL, clock_skew BIGINT NOT NULL, last_job TEXT NOT NULL, "
	    "last_job_at BIGINT NOT NULL)",
	    "CREATE TABLE changes (id INTEGER PRIMARY KEY, counter BIGINT NOT NULL)",
	    "INSERT INTO changes (id, counter) VALUES (1, 0)",
	};
	for (guint i = 0; i < G_N_ELEMENTS(steps); i++) {
		if (steps[i] == NULL) {
			g_autoptr(GdaSet) p = NULL;
			g_autoptr(GdaStatement) copy = imss_store_prepare(
			    self,
			    "INSERT INTO restarts_by_node (node, unit, seq, generation, attempts, "
			    "state, requested_at, last_error) SELECT ##node::string, unit, seq, "
			    "generation, attempts, state, requested_at, last_error FROM restarts",
			    &p,
			    error);
			if (copy == NULL || !gda_set_set_holder_value(p, error, "node", self->node) ||
			    !imss_store_exec(self, copy, p, error))
				return FALSE;
			continue;
		}
		if (!imss_store_exec_sql(self, steps[i], error))
			return FALSE;
	}
	return TRUE;
}

gboolean
imss_store_migrate(ImssStore *self, gint from, GError **error)
{
	/* every step falls through to the next; the whole walk is one transaction */
	g_return_val_if_fail(IMSS_IS_STORE(self), FALSE);
	g_return_val_if_fail(error == NULL || *error == NULL, FALSE);

	switch (from) {
	case 0:
		if (!imss_store_create_v1(self, error))
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
		/* fall through */
	case 5:
		if (!imss_store_migrate_v6(self, error))
			return FALSE;
		/* fall through */
	default:
		break;
	}
	/* a restart still pending from a version before the queue: queued now */
	if (from <= 4 && !imss_store_migrate_pending_restart(self, error))
		return FALSE;
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
gchar *
imss_store_sqlite_filename(const gchar *cnc_string)
{
	g_autofree gchar *dir = NULL;
	g_autofree gchar *name = NULL;
	g_autofree gchar *base = NULL;
	GdaQuarkList *ql = NULL;
	g_return_val_if_fail(cnc_string != NULL, NULL);
	ql = gda_quark_list_new_from_string(cnc_string);

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
gboolean
imss_store_damaged(ImssStore *self, const gchar *finding, GError **error)
{
	g_return_val_if_fail(IMSS_IS_STORE(self), FALSE);
	g_return_val_if_fail(finding != NULL, FALSE);
	g_return_val_if_fail(error == NULL || *error == NULL, FALSE);

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
gboolean
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

	g_return_val_if_fail(IMSS_IS_STORE(self), FALSE);
	g_return_val_if_fail(error == NULL || *error == NULL, FALSE);

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

/* Reads the schema version and migrates to ours in one transaction;
 * refuses a schema newer than ours. */
gboolean
imss_store_upgrade_schema(ImssStore *self, GError **error)
{
	gint version = 0;

	g_return_val_if_fail(IMSS_IS_STORE(self), FALSE);
	g_return_val_if_fail(error == NULL || *error == NULL, FALSE);

	if (!imss_store_begin(self, error))
		return FALSE;
	/* nodes starting together on an empty database take turns */
	if (imss_store_is_pg(self)) {
		GType types[] = {G_TYPE_NONE};
		g_autoptr(GdaStatement) lock =
		    imss_store_prepare(self, "SELECT pg_advisory_xact_lock(726143)", NULL, error);
		g_autoptr(GdaDataModel) model = NULL;
		if (lock != NULL)
			model = imss_store_select(self, lock, NULL, types, error);
		if (model == NULL) {
			imss_store_rollback(self);
			return FALSE;
		}
	}
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
	if (!imss_store_commit(self, error))
		return FALSE;
	return TRUE;
}
