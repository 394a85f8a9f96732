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

#define IMSS_STORE_SCHEMA_VERSION 5

typedef struct {
	gint64 time;
	gchar *action;
	gchar *slot;
	gchar *code; /* masked */
	gchar *caller;
	gchar *outcome;
	gchar *detail;
} ImssStoreHistory;

void
imss_store_history_free(ImssStoreHistory *entry);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(ImssStoreHistory, imss_store_history_free)

/* @provider: "SQLite" or "PostgreSQL"; @cnc: a libgda connection string
 * (for SQLite "DB_DIR=...;DB_NAME=..."); @auth may be NULL. */
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
/* The SQLite file, or NULL for other providers. */
const gchar *
imss_store_get_filename(ImssStore *self);

/* The stored licenses (element type ImssLicense), one per stored slot in
 * slot order. A damaged row or one of an unknown slot is skipped with a
 * warning (that slot reads as not activated), never an error. */
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
	gboolean pending;	   /* claimed but not done yet (a mail to deliver) */
	gboolean claimed;	   /* out */
} ImssStoreRun;

void
imss_store_run_free(ImssStoreRun *run);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(ImssStoreRun, imss_store_run_free)

/* Claims every run of @runs that is not claimed yet, in one transaction. */
gboolean
imss_store_claim_runs(ImssStore *self, GPtrArray *runs, GError **error);

/* Marks a pending run done, with @history (may be NULL), in one transaction. */
gboolean
imss_store_finish_run(ImssStore *self,
		      const gchar *job,
		      const gchar *slot,
		      const gchar *day,
		      ImssStoreHistory *history,
		      GError **error);
/* The pending runs of @job, oldest day first (element: ImssStoreRun with
 * job, slot, day and at — when it was claimed). */
GPtrArray *
imss_store_list_pending_runs(ImssStore *self, const gchar *job, GError **error);


/* Newest first: at most @limit entries (0: all) from the @offset-th newest
 * on; @total (may be NULL) is set to how many there are. Element type
 * ImssStoreHistory. */
GPtrArray *
imss_store_list_history(ImssStore *self, guint offset, guint limit, guint *total, GError **error);

G_END_DECLS
