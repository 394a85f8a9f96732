#define G_LOG_DOMAIN "ImssStore"

#include "config.h"

#include <errno.h>
#include <gio/gio.h>
#include <glib/gstdio.h>
#include <string.h>
#include <unistd.h>

#include "imss-store-private.h"

G_DEFINE_TYPE(ImssStore, imss_store, G_TYPE_OBJECT)


gboolean
imss_store_is_pg(ImssStore *self)
{
	g_return_val_if_fail(IMSS_IS_STORE(self), FALSE);

	return g_strcmp0(self->provider, "PostgreSQL") == 0;
}

/* how long one statement waits for another program's lock before it fails
 * with "database is locked": short, because it blocks the main loop; callers
 * that can wait retry on the main loop (imss_store_retry_async()) */
#define IMSS_STORE_BUSY_TIMEOUT_MS 20

static gboolean
imss_store_set_busy_timeout(ImssStore *self, guint ms, GError **error)
{
	g_autofree gchar *sql = g_strdup_printf("PRAGMA busy_timeout = %u", ms);
	g_autoptr(GdaDataModel) model = NULL;
	return imss_store_select_value(self, sql, G_TYPE_INT64, &model, error) != NULL;
}

/* the store holds activation codes, and so does its log: owner only */
static void
imss_store_restrict_files(ImssStore *self)
{
	const gchar *const suffixes[] = {"", "-wal", "-shm"};
	if (self->filename == NULL)
		return;
	for (guint i = 0; i < G_N_ELEMENTS(suffixes); i++) {
		g_autofree gchar *path = g_strconcat(self->filename, suffixes[i], NULL);
		if (g_chmod(path, 0600) != 0 && (i == 0 || errno != ENOENT))
			g_warning("failed to restrict %s to 0600", path);
	}
}

/* Write-ahead logging, each commit synced (docs/design.md, "Store"): a
 * commit appends its pages to imss-license.db-wal and syncs that file
 * once, where the rollback journal created, synced, wrote, synced and
 * deleted a file (a third of the calendar's worst case went to it);
 * still durable across power loss, and kill -9 leaves a log SQLite
 * replays at the next open. Another program's lock no longer stops our
 * reads (they see the last commit), only our writes (Busy). A file system
 * without shared memory for the log's index keeps the rollback journal. */
static gboolean
imss_store_use_wal(ImssStore *self, GError **error)
{
	GType none[] = {G_TYPE_NONE};
	g_autoptr(GdaStatement) sync =
	    imss_store_prepare(self, "PRAGMA synchronous = FULL", NULL, error);
	g_autoptr(GdaDataModel) model = NULL;
	const GValue *v;
	const gchar *mode;

	/* PRAGMAs are selections to libgda, even one that answers nothing */
	if (sync == NULL)
		return FALSE;
	model = imss_store_select(self, sync, NULL, none, error);
	if (model == NULL)
		return FALSE;
	g_clear_object(&model);
	v = imss_store_select_value(self, "PRAGMA journal_mode = WAL", G_TYPE_STRING, &model, error);
	if (v == NULL)
		return FALSE;
	mode = G_VALUE_HOLDS_STRING(v) ? g_value_get_string(v) : NULL;
	if (g_strcmp0(mode, "wal") != 0)
		g_message("%s: no write-ahead log here (journal mode %s)", self->filename,
			  mode != NULL ? mode : "unknown");
	return TRUE;
}

/* PostgreSQL: drops a connection whose server process is gone (libgda
 * cannot tell, and its next statement would fail or crash) */
static void
imss_store_drop_connection(ImssStore *self)
{
	g_hash_table_remove_all(self->statements);
	g_clear_object(&self->parser);
	g_clear_object(&self->delimiter);
	g_clear_object(&self->cnc);
	self->backend_pid = 0;
	/* a held transaction ends with its connection */
	self->commits_held = FALSE;
	imss_store_held_clear(self);
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
		g_autoptr(GdaDataModel) model = NULL;
		const GValue *v =
		    imss_store_select_value(self, "SELECT pg_backend_pid()", G_TYPE_INT, &model, error);
		if (v == NULL)
			return FALSE;
		self->backend_pid = G_VALUE_HOLDS_INT(v) ? g_value_get_int(v) : 0;
		/* a node stopped inside a transaction (SIGSTOP, a paused VM)
		 * must not hold the fleet's rows: the server ends its
		 * transaction after 5 s idle; and a row another node holds is
		 * waited for 10 s at most (Busy), under a D-Bus caller's 25 s */
		if (!imss_store_exec_sql(self, "SET idle_in_transaction_session_timeout = 5000",
					 error) ||
		    !imss_store_exec_sql(self, "SET lock_timeout = 10000", error))
			return FALSE;
	}
	return TRUE;
}

/* a lowered [history] max-entries applies at once; failing to prune (a
 * full disk) does not stop the start */
static void
imss_store_prune_at_open(ImssStore *self)
{
	g_autoptr(GError) error_local = NULL;
	if (self->history_max == 0)
		return;
	if (!imss_store_begin(self, &error_local) ||
	    !imss_store_prune_history(self, &error_local) ||
	    !imss_store_commit(self, &error_local)) {
		imss_store_rollback(self);
		g_warning("failed to prune the history to %u entries: %s",
			  self->history_max,
			  error_local->message);
	}
}

/* libgda 5 lists its providers by dlopen()ing every module of its
 * providers directory at the first connection (the PostgreSQL one brings
 * libpq's Kerberos, LDAP, SASL and OpenSSL into an SQLite store's daemon).
 * Its one supported way to choose (gda-config.c, load_all_providers()):
 * when GDA_TOP_BUILD_DIR is set, it scans $GDA_TOP_BUILD_DIR/providers
 * instead. That is a private directory holding a link to the configured
 * provider's module alone, for as long as the first connection takes (the
 * module stays loaded; a reconnection does not scan again). NULL: the
 * environment chose already, or the module is not where libgda was built
 * to look (then libgda looks everywhere, as before). Only in a process
 * that asked (imss_store_limit_providers(): the daemon); a process using
 * both providers (the unit tests) keeps libgda's way. docs/lean.md */
static gchar *imss_store_only_provider = NULL;

void
imss_store_limit_providers(const gchar *provider)
{
	g_return_if_fail(provider != NULL);
	g_free(imss_store_only_provider);
	imss_store_only_provider = g_strdup(provider);
}

static gchar *
imss_store_link_provider(const gchar *provider)
{
	const gchar *module = g_strcmp0(provider, "PostgreSQL") == 0 ? "libgda-postgres.so"
			      : g_strcmp0(provider, "SQLite") == 0   ? "libgda-sqlite.so"
								     : NULL;
	g_autofree gchar *target = NULL;
	g_autofree gchar *top = NULL;
	g_autofree gchar *dir = NULL;
	g_autofree gchar *link = NULL;

	if (module == NULL || g_strcmp0(imss_store_only_provider, provider) != 0 ||
	    g_getenv("GDA_TOP_BUILD_DIR") != NULL)
		return NULL;
	target = g_build_filename(IMSS_GDA_PROVIDERS_DIR, module, NULL);
	if (!g_file_test(target, G_FILE_TEST_IS_REGULAR))
		return NULL;
	top = g_dir_make_tmp("imss-gda-XXXXXX", NULL);
	if (top == NULL)
		return NULL;
	dir = g_build_filename(top, "providers", NULL);
	link = g_build_filename(dir, module, NULL);
	if (g_mkdir(dir, 0700) != 0 || symlink(target, link) != 0) {
		g_unlink(link);
		g_rmdir(dir);
		g_rmdir(top);
		return NULL;
	}
	g_setenv("GDA_TOP_BUILD_DIR", top, TRUE);
	return g_steal_pointer(&top);
}

static void
imss_store_unlink_provider(gchar *top)
{
	g_autoptr(GDir) dir = NULL;
	g_autofree gchar *providers = NULL;
	const gchar *name;
	if (top == NULL)
		return;
	/* GDA_TOP_BUILD_DIR stays set: unsetting the environment once threads
	 * exist is a data race (GLib warns), and libgda reads it only for its
	 * one scan, which is over */
	providers = g_build_filename(top, "providers", NULL);
	dir = g_dir_open(providers, 0, NULL);
	while (dir != NULL && (name = g_dir_read_name(dir)) != NULL) {
		g_autofree gchar *path = g_build_filename(providers, name, NULL);
		g_unlink(path);
	}
	g_rmdir(providers);
	g_rmdir(top);
	g_free(top);
}

gboolean
imss_store_open(ImssStore *self, GError **error)
{
	gboolean sqlite;
	gboolean connected;
	gchar *providers;

	g_return_val_if_fail(IMSS_IS_STORE(self), FALSE);
	g_return_val_if_fail(error == NULL || *error == NULL, FALSE);
	if (self->cnc != NULL)
		return TRUE;

	sqlite = g_strcmp0(self->provider, "SQLite") == 0;
	if (sqlite) {
		g_free(self->filename);
		self->filename = imss_store_sqlite_filename(self->cnc_string);
	}
	providers = imss_store_link_provider(self->provider);
	gda_init();
	if (imss_store_is_pg(self))
		self->link = imss_pg_link_new(self->cnc_string, self->auth_string);
	connected = imss_store_connect(self, error);
	imss_store_unlink_provider(g_steal_pointer(&providers));
	if (!connected) {
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
		if (!imss_store_use_wal(self, error)) {
			imss_store_close(self);
			return FALSE;
		}
		imss_store_restrict_files(self);
	}

	if (!imss_store_upgrade_schema(self, error))
		return FALSE;
	self->schema_version = IMSS_STORE_SCHEMA_VERSION;
	self->opened = TRUE;
	if (!imss_store_load_settings(self, error)) {
		g_prefix_error(error, "failed to read the settings: ");
		return FALSE;
	}
	imss_store_prune_at_open(self);
	/* from now on a lock held by another program fails a statement fast */
	if (sqlite && !imss_store_set_busy_timeout(self, IMSS_STORE_BUSY_TIMEOUT_MS, error))
		return FALSE;
	return TRUE;
}

void
imss_store_close(ImssStore *self)
{
	g_return_if_fail(IMSS_IS_STORE(self));

	g_hash_table_remove_all(self->statements);
	g_clear_object(&self->parser);
	g_clear_object(&self->delimiter);
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
	g_return_val_if_fail(IMSS_IS_STORE(self), 0);

	return self->schema_version;
}

void
imss_store_set_history_max(ImssStore *self, guint max_entries)
{
	g_return_if_fail(IMSS_IS_STORE(self));
	self->history_max = max_entries;
}

void
imss_store_set_node(ImssStore *self, const gchar *node, guint claim_lease)
{
	g_return_if_fail(IMSS_IS_STORE(self));
	g_return_if_fail(node != NULL && *node != '\0');
	g_return_if_fail(claim_lease > 0);
	g_free(self->node);
	self->node = g_strdup(node);
	self->claim_lease = claim_lease;
}

const gchar *
imss_store_get_node(ImssStore *self)
{
	g_return_val_if_fail(IMSS_IS_STORE(self), NULL);
	return self->node;
}

const gchar *
imss_store_get_filename(ImssStore *self)
{
	g_return_val_if_fail(IMSS_IS_STORE(self), NULL);

	return self->filename;
}

/* Every operation starts here. With PostgreSQL, the server is asked first
 * whether our connection's process is still there (imss-pg-link.h); after a
 * restart of the server or a terminated connection a new one is opened, and
 * while the server cannot be reached the operation fails with
 * G_IO_ERROR_NOT_CONNECTED — never a crash, never "no rows". */
gboolean
imss_store_check_open(ImssStore *self, GError **error)
{
	g_autoptr(GError) error_local = NULL;
	g_return_val_if_fail(IMSS_IS_STORE(self), FALSE);
	g_return_val_if_fail(error == NULL || *error == NULL, FALSE);

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

static void
imss_store_finalize(GObject *obj)
{
	ImssStore *self = IMSS_STORE(obj);
	imss_store_close(self);
	g_hash_table_unref(self->statements);
	g_hash_table_unref(self->settings);
	g_clear_pointer(&self->finishes, g_ptr_array_unref);
	g_clear_pointer(&self->held_history, g_ptr_array_unref);
	g_free(self->held_job);
	g_free(self->held_job_mark);
	g_free(self->provider);
	g_free(self->cnc_string);
	g_free(self->auth_string);
	g_free(self->filename);
	g_free(self->node);
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
	self->statements = imss_store_statements_new();
	self->settings = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
	self->held_history = g_ptr_array_new_with_free_func((GDestroyNotify)imss_store_history_free);
}

ImssStore *
imss_store_new(const gchar *provider, const gchar *cnc, const gchar *auth)
{
	ImssStore *self = g_object_new(IMSS_TYPE_STORE, NULL);
	g_return_val_if_fail(provider != NULL, NULL);
	g_return_val_if_fail(cnc != NULL, NULL);

	self->provider = g_strdup(provider);
	self->cnc_string = g_strdup(cnc);
	self->auth_string = g_strdup(auth);
	/* date_part(), not EXTRACT(EPOCH FROM …): libgda's parser does not
	 * know EXTRACT and loses memory on each statement holding it */
	self->sql_now = imss_store_is_pg(self) ? "CAST(floor(date_part('epoch', now())) AS BIGINT)"
					       : "CAST(strftime('%s', 'now') AS INTEGER)";
	/* the rows of ##rows, a JSON array of arrays: a table of one column,
	 * value (the row), and key (its position) */
	self->sql_rows = imss_store_is_pg(self)
			     ? "json_array_elements(CAST(##rows::string AS json)) WITH ORDINALITY AS r(value, key)"
			     : "json_each(##rows::string)";
	self->sql_col[0] = imss_store_is_pg(self) ? "json_extract_path_text(value, '" : "json_extract(value, '$[";
	self->sql_col[1] = imss_store_is_pg(self) ? "')" : "]')";
	self->node = g_strdup(g_get_host_name());
	self->started_at = g_get_real_time() / G_USEC_PER_SEC;
	self->claim_lease = 600;
	return self;
}

