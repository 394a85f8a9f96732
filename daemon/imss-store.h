/*
 * The license store: libgda on embedded SQLite (default) or a shared
 * PostgreSQL. Only this file speaks SQL. Every change is one transaction.
 */
#pragma once

#include <glib-object.h>

#include "imss-license.h"

G_BEGIN_DECLS

#define IMSS_TYPE_STORE (imss_store_get_type())
G_DECLARE_FINAL_TYPE(ImssStore, imss_store, IMSS, STORE, GObject)

#define IMSS_STORE_SCHEMA_VERSION 6

typedef struct {
	gint64 time;
	gchar *action;
	gchar *slot;
	gchar *code; /* masked */
	gchar *caller;
	gchar *outcome;
	gchar *detail;
	gchar *node; /* read: the node that wrote it (written: always this node) */
} ImssStoreHistory;

void
imss_store_history_free(ImssStoreHistory *entry);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(ImssStoreHistory, imss_store_history_free)

/* @provider: "SQLite" or "PostgreSQL"; @cnc: a libgda connection string
 * (for SQLite "DB_DIR=...;DB_NAME=..."); @auth may be NULL. */
/* From now on in this process, libgda loads the module of @provider
 * ("SQLite", "PostgreSQL") alone instead of every installed provider; call
 * it before the first store opens, in a process that uses one provider
 * (the daemon). docs/lean.md */
void
imss_store_limit_providers(const gchar *provider);

ImssStore *
imss_store_new(const gchar *provider, const gchar *cnc, const gchar *auth);
/* Opens the connection and brings the schema to the current version
 * (migrations in one transaction). Refuses a schema newer than ours. */
gboolean
imss_store_open(ImssStore *self, GError **error);
void
imss_store_close(ImssStore *self);
gint
imss_store_get_schema_version(ImssStore *self);
/* The history's retention: the newest @max_entries entries are kept (0:
 * all, the default), pruned at open and with every entry appended. */
void
imss_store_set_history_max(ImssStore *self, guint max_entries);
/* This node's name in a fleet sharing one database (the history, the
 * claims of scheduled runs, its restarts, the nodes table) and the seconds
 * a claim belongs to it; before imss_store_open(). Default: the host name,
 * 600 s. */
void
imss_store_set_node(ImssStore *self, const gchar *node, guint claim_lease);
const gchar *
imss_store_get_node(ImssStore *self);
/* The SQLite file, or NULL for other providers. */
const gchar *
imss_store_get_filename(ImssStore *self);

/* The stored licenses (element type ImssLicense), one per stored slot in
 * slot order. A row of an unknown slot is skipped with a warning; a damaged
 * row (with a warning) reads as a license that is not activated (keeping
 * its revision, so that an activation replaces it) — never an error. */
GPtrArray *
imss_store_load_licenses(ImssStore *self, GError **error);

/* One change: writes @licenses (upsert), deletes @settings_delete (section/name
 * pairs), sets @settings_set (section, name, value triples) and appends
 * @history (may be NULL) — all or nothing. */
typedef struct {
	GPtrArray *licenses;	     /* ImssLicense (activated) */
	GPtrArray *settings_set;     /* gchar*: section, name, value, ... */
	GPtrArray *settings_delete;  /* gchar*: section, name, ... */
	GPtrArray *history;	     /* ImssStoreHistory */
	GPtrArray *restarts;	     /* gchar*: units to restart, in order */
	gint64 restarts_at;	     /* when they were requested */
	gboolean settings_delete_hit; /* out: a deleted setting existed */
} ImssStoreChange;

ImssStoreChange *
imss_store_change_new(void);
void
imss_store_change_free(ImssStoreChange *change);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(ImssStoreChange, imss_store_change_free)
/* Stores @license (an activated one; the change keeps a reference: do not
 * change it until the change is applied). */
void
imss_store_change_add_license(ImssStoreChange *change, ImssLicense *license);
void
imss_store_change_set_setting(ImssStoreChange *change,
			      const gchar *section,
			      const gchar *name,
			      const gchar *value);
void
imss_store_change_delete_setting(ImssStoreChange *change,
				 const gchar *section,
				 const gchar *name);
void
imss_store_change_add_history(ImssStoreChange *change,
			      gint64 time,
			      const gchar *action,
			      const gchar *slot,
			      const gchar *masked_code,
			      const gchar *caller,
			      const gchar *outcome,
			      const gchar *detail);

/* Requests a restart of each of @units (in order) at @at, in the change's
 * transaction: a unit already queued is requested again (its generation
 * goes up, its failures are forgotten), so that a request arriving while
 * the unit restarts is not lost. */
void
imss_store_change_request_restarts(ImssStoreChange *change, gchar *const *units, gint64 at);

gboolean
imss_store_apply(ImssStore *self, ImssStoreChange *change, GError **error);

/* One queued restart (a durable record per unit, cleared when that unit's
 * job finished). */
typedef struct {
	gchar *unit;
	gint64 generation; /* bumped by every request */
	guint attempts;	   /* failed attempts for this generation */
	gchar *state;	   /* "pending" or "failed" (attempts exhausted) */
	gint64 requested_at;
	gchar *last_error; /* "" when none */
} ImssStoreRestart;

void
imss_store_restart_free(ImssStoreRestart *restart);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(ImssStoreRestart, imss_store_restart_free)

/* The queued restarts in the order they are to run (element: ImssStoreRestart). */
GPtrArray *
imss_store_list_restarts(ImssStore *self, GError **error);
/* Records the end of an attempt at @unit's restart of @generation, with
 * @history (may be NULL), in one transaction: @state NULL deletes the
 * record (the job is done); otherwise it becomes @state with @attempts and
 * @last_error. @superseded: the unit was requested again meanwhile (the
 * record was left for the next run). */
gboolean
imss_store_update_restart(ImssStore *self,
			  const gchar *unit,
			  gint64 generation,
			  const gchar *state,
			  guint attempts,
			  const gchar *last_error,
			  ImssStoreHistory *history,
			  gboolean *superseded,
			  GError **error);

/* A setting, or NULL when it is not set. The settings are read at open
 * (a failure there fails the open) and kept up to date by every committed
 * change: this never touches the database and cannot fail. With PostgreSQL
 * a setting changed by another node is seen after a restart. */
gchar *
imss_store_get_setting(ImssStore *self, const gchar *section, const gchar *name);

/* One scheduled run to claim (see imss_store_claim_runs()). */
typedef struct {
	gchar *job;
	gchar *slot;
	gchar *day;
	gint64 at;
	ImssStoreHistory *history; /* appended when claimed; may be NULL */
	gboolean pending;	   /* done only when finished (imss_store_finish_run()) */
	gboolean claimed;	   /* out */
} ImssStoreRun;

void
imss_store_run_free(ImssStoreRun *run);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(ImssStoreRun, imss_store_run_free)

/* Claims for this node each run of @runs that no node claimed yet, all in
 * one transaction (in batches of 32): one SELECT for the runs recorded
 * already, one multi-row INSERT … ON CONFLICT DO NOTHING for the others (a
 * run another node claimed first is normal and does not take the other
 * claims with it), with a lease of the claim lease on the database's clock.
 * FALSE with @error when the store failed: the batches before it keep their
 * claims, the others are not claimed. */
gboolean
imss_store_claim_runs(ImssStore *self, GPtrArray *runs, GError **error);

/* Holds the commits of the store's transactions (SQLite only; nested
 * holds count): between imss_store_hold_commits() and its
 * imss_store_release_commits() the store's writes go into one transaction,
 * each of its own transactions a savepoint in it (rolled back alone); the
 * held transaction is committed — and synced — after every 32 of them, at
 * imss_store_flush_commits() and at the release. For a burst of writes no
 * caller waits on in between: the virtual clock's Advance, whose
 * evaluations each committed durably before. With PostgreSQL a held
 * transaction would keep the other nodes' claims waiting on its rows:
 * nothing is held there. */
void
imss_store_hold_commits(ImssStore *self);
/* commits what is held now (before an effect outside the store: the
 * claim of a run is on disk before the run does anything) and holds on */
gboolean
imss_store_flush_commits(ImssStore *self, GError **error);
/* FALSE with @error when the held transaction could not be committed:
 * what was written since the hold (or the last flush) is rolled back */
gboolean
imss_store_release_commits(ImssStore *self, GError **error);

/* Marks this node's pending run done, with @history (may be NULL; not
 * taken), in one transaction; a run another node took over meanwhile is left
 * to it. Between imss_store_hold_finishes() and its
 * imss_store_release_finishes() it is only noted (TRUE), and every run
 * finished meanwhile is written at the release in one transaction. */
void
imss_store_hold_finishes(ImssStore *self);
/* FALSE with @error when the runs finished while held could not be written
 * (they stay pending: taken over again when their lease runs out) */
gboolean
imss_store_release_finishes(ImssStore *self, GError **error);
gboolean
imss_store_finish_run(ImssStore *self,
		      const gchar *job,
		      const gchar *slot,
		      const gchar *day,
		      ImssStoreHistory *history,
		      GError **error);
/* Takes over the pending runs this node is to run now, oldest day first:
 * every other node's whose lease ran out (that node stopped) and, with
 * @own (at start), this node's own. Each becomes this node's with a new
 * lease. Element: ImssStoreRun with job, slot, day and at (when it was
 * first claimed). */
GPtrArray *
imss_store_take_over_runs(ImssStore *self, gboolean own, GError **error);
/* A pending run of this node still being worked on (a mail retried later):
 * its lease now ends @seconds plus the claim lease from now. @ours: FALSE
 * when it is no longer this node's (its lease ran out and another node took
 * it over): then leave it. */
gboolean
imss_store_renew_run(ImssStore *self,
		     const gchar *job,
		     const gchar *slot,
		     const gchar *day,
		     guint seconds,
		     gboolean *ours,
		     GError **error);

/* One node of the fleet sharing the database. */
typedef struct {
	gchar *name;
	gint64 started_at;
	gint64 last_seen;  /* the database's clock */
	gint64 clock_skew; /* the database's clock minus the node's, seconds */
	gchar *last_job;   /* "check antivirus 2026-12-01", "" when none */
	gint64 last_job_at;
} ImssStoreNode;

void
imss_store_node_free(ImssStoreNode *node);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(ImssStoreNode, imss_store_node_free)

/* This node is alive: its row in the nodes table is written (the database's
 * clock as last seen) and @clock_skew set to the database's clock minus
 * @wall_clock (unix seconds); @changes: the change counter, which every
 * committed change (imss_store_apply(), imss_store_update_restart()) moves
 * on — compare it to see whether another node changed something. */
gboolean
imss_store_heartbeat(ImssStore *self,
		     gint64 wall_clock,
		     gint64 *clock_skew,
		     gint64 *changes,
		     GError **error);
/* The nodes seen, by name (element: ImssStoreNode). */
GPtrArray *
imss_store_list_nodes(ImssStore *self, GError **error);
/* Re-reads the settings (another node changed them). */
gboolean
imss_store_reload_settings(ImssStore *self, GError **error);

/* Newest first: at most @limit entries (0: all) from the @offset-th newest
 * on; @total (may be NULL) is set to how many there are. Element type
 * ImssStoreHistory. */
GPtrArray *
imss_store_list_history(ImssStore *self, guint offset, guint limit, guint *total, GError **error);

G_END_DECLS
