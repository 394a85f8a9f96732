/*
 * The license manager's insides, shared by the files that hold its concerns
 * (fwupd's fu-engine-*.c): imss-license-manager.c (the facade: construction,
 * the units it composes, the signals), -activation.c, -checks.c, -notices.c
 * and -profile.c. Only the facade emits the manager's signals; the other
 * files ask it to through the emitters below.
 */
#pragma once

#include "imss-error.h"
#include "imss-license-checker.h"
#include "imss-license-manager.h"
#include "imss-mail-delivery.h"
#include "imss-mailer.h"
#include "imss-pg-listener.h"

G_BEGIN_DECLS

struct _ImssLicenseManager {
	GObject parent_instance;
	ImssConfig *config;
	ImssStore *store;
	ImssClock *clock;
	ImssLicense *licenses[IMSS_SLOT_LAST];
	ImssScheduler *scheduler;
	ImssLicenseServer *server;
	ImssSystemd *systemd;
	ImssMailer *mailer;
	ImssMailDelivery *mail_delivery;
	ImssRestartQueue *restarts;
	ImssLicenseChecker *checker; /* one request per code at a time */

	/* the calendar (imss-license-manager-calendar.c) */
	ImssLicenseState states[IMSS_SLOT_LAST];
	gboolean started;
	gboolean in_tick;
	gboolean advancing; /* in imss_license_manager_advance() */
	gboolean held;	   /* the wall clock is not believable: nothing runs */
	gint64 last_time;  /* the instant of the previous evaluation */
	guint retry_id;	   /* claiming failed: evaluate again (catch-up) */
	guint retry_delay; /* seconds, doubling */

	/* the fleet (imss-license-manager-fleet.c) */
	GHashTable *inflight;	  /* "job/slot/day" of the claimed runs this node works on */
	ImssPgListener *listener; /* PostgreSQL: the other nodes' changes, or NULL */
	guint poll_id;
	gint64 changes;	   /* the store's change counter last seen */
	gint64 clock_skew; /* the database's clock minus ours, seconds */
	gchar *motd;	    /* the login notice's text, NULL: none */
	gboolean motd_written;
};

/* the signals (imss-license-manager.c) */
void
imss_license_manager_emit_refreshed(ImssLicenseManager *self) G_GNUC_INTERNAL;
void
imss_license_manager_update_motd(ImssLicenseManager *self) G_GNUC_INTERNAL;
void
imss_license_manager_emit_license_changed(ImssLicenseManager *self,
					  ImssLicense *license,
					  const gchar *reason) G_GNUC_INTERNAL;
void
imss_license_manager_emit_click_protection_changed(ImssLicenseManager *self) G_GNUC_INTERNAL;
void
imss_license_manager_emit_state_changed(ImssLicenseManager *self,
					ImssLicense *license,
					ImssLicenseState old_state,
					ImssLicenseState new_state) G_GNUC_INTERNAL;
void
imss_license_manager_emit_notice(ImssLicenseManager *self,
				 const ImssNoticeData *notice,
				 gboolean mail) G_GNUC_INTERNAL;

/* errors (imss-license-manager-store.c) */
gboolean
imss_license_manager_fail(GError **error, ImssError code) G_GNUC_INTERNAL;
/* a store failure as the caller hears it (Busy, a full disk, a database
 * that cannot be reached, or Internal), logged */
gboolean
imss_license_manager_store_failed(GError **error, GError *cause, const gchar *what) G_GNUC_INTERNAL;
void
imss_license_manager_take_stored(ImssLicenseManager *self, ImssStoreChange *change) G_GNUC_INTERNAL;
/* A write the store refused because another node of the fleet changed a
 * license meanwhile (G_IO_ERROR_WRONG_ETAG): the licenses are re-read and
 * TRUE says "decide again with what is stored now" — once (@retried). */
gboolean
imss_license_manager_stale_reload(ImssLicenseManager *self, const GError *cause, gboolean *retried)
    G_GNUC_INTERNAL;

/* waiting for a store another program holds locked (imss-license-manager-store.c):
 * one try, a result or NULL with @error (IMSS_ERROR_BUSY: worth another) */
typedef gpointer (*ImssStoreAttempt)(ImssLicenseManager *self, gpointer data, GError **error);
void
imss_license_manager_store_retry_async(ImssLicenseManager *self,
				       ImssStoreAttempt attempt,
				       gpointer data,
				       GDestroyNotify data_free,
				       GDestroyNotify result_free,
				       GAsyncReadyCallback callback,
				       gpointer user_data) G_GNUC_INTERNAL;

/* restarts (imss-license-manager.c) */
GStrv
imss_license_manager_units_to_restart(ImssLicenseManager *self,
				      gboolean sender_filter_slot) G_GNUC_INTERNAL;
void
imss_license_manager_request_restart(ImssLicenseManager *self,
				     gboolean sender_filter_slot) G_GNUC_INTERNAL;

/* the environment and the license server (imss-license-manager-checks.c) */
void
imss_license_manager_environment_facts(ImssLicenseManager *self,
				       ImssEnvironmentFacts *facts) G_GNUC_INTERNAL;
gboolean
imss_license_manager_may_go_online(ImssLicenseManager *self) G_GNUC_INTERNAL;
gboolean
imss_license_manager_apply_answer(const gchar *code,
				  const ImssCheckRequest *check,
				  ImssServerAnswer *answer,
				  const GError *failure,
				  ImssCheckResult *result,
				  gpointer user_data,
				  GError **error) G_GNUC_INTERNAL;
void
imss_license_manager_check_code_async(ImssLicenseManager *self,
				      const gchar *code,
				      const gchar *action,
				      const gchar *caller,
				      GAsyncReadyCallback callback,
				      gpointer user_data) G_GNUC_INTERNAL;
ImssCheckResult *
imss_license_manager_check_code_finish(ImssLicenseManager *self,
				       GAsyncResult *res,
				       GError **error) G_GNUC_INTERNAL;
/* a claimed job: an automatic check or the daily mail notice */
void
imss_license_manager_run_job(ImssLicenseManager *self,
			     const gchar *job,
			     ImssLicense *license,
			     const gchar *day) G_GNUC_INTERNAL;

/* the calendar (imss-license-manager-calendar.c): evaluates the plan now —
 * @passage: time simply passed (FALSE: after a start or a clock step,
 * catch up once) — claims and dispatches what is due, arms the alarm */
void
imss_license_manager_evaluate(ImssLicenseManager *self, gboolean passage) G_GNUC_INTERNAL;
void
imss_license_manager_retry_now(ImssLicenseManager *self) G_GNUC_INTERNAL;
gboolean
imss_license_manager_start_calendar(ImssLicenseManager *self, GError **error) G_GNUC_INTERNAL;

/* notices and mails (imss-license-manager-notices.c) */
void
imss_license_manager_mail_notice(ImssLicenseManager *self,
				 ImssLicense *license,
				 const gchar *day,
				 gint64 claimed_at) G_GNUC_INTERNAL;
void
imss_license_manager_issue_notice(ImssLicenseManager *self,
				  ImssLicense *license,
				  const GDate *day,
				  gboolean mail) G_GNUC_INTERNAL;

/* the fleet (imss-license-manager-fleet.c) */
void
imss_license_manager_dispatch_run(ImssLicenseManager *self,
				  const gchar *job,
				  const gchar *slot_id,
				  const gchar *day) G_GNUC_INTERNAL;
void
imss_license_manager_run_finished(ImssLicenseManager *self,
				  const gchar *job,
				  const gchar *slot_id,
				  const gchar *day) G_GNUC_INTERNAL;
void
imss_license_manager_finish_run(ImssLicenseManager *self,
				const gchar *job,
				const gchar *slot_id,
				const gchar *day) G_GNUC_INTERNAL;
gboolean
imss_license_manager_resume_runs(ImssLicenseManager *self, gboolean own, GError **error)
    G_GNUC_INTERNAL;
gboolean
imss_license_manager_reload(ImssLicenseManager *self, GError **error) G_GNUC_INTERNAL;

G_END_DECLS
