/*
 * The license domain: slots, activation rules (SPEC §1, §2, §6), the
 * Time-of-Click binding and history. Knows nothing about D-Bus; errors are in
 * the IMSS_ERROR domain with the SPEC's English texts.
 */
#pragma once

#include <glib-object.h>

#include "imss-clock.h"
#include "imss-config.h"
#include "imss-doctor.h"
#include "imss-environment.h"
#include "imss-license.h"
#include "imss-license-server.h"
#include "imss-mailer.h"
#include "imss-restart-queue.h"
#include "imss-scheduler.h"
#include "imss-systemd.h"
#include "imss-pg-listener.h"
#include "imss-store.h"

G_BEGIN_DECLS

#define IMSS_TYPE_LICENSE_MANAGER (imss_license_manager_get_type())
G_DECLARE_FINAL_TYPE(ImssLicenseManager, imss_license_manager, IMSS, LICENSE_MANAGER, GObject)

/* The manager composes its units from the collaborators imss-main.c builds
 * (tests pass their own): the store, the clock, the license server's client,
 * systemd's (restarts) and the mailer. */
ImssLicenseManager *
imss_license_manager_new(ImssConfig *config,
			 ImssStore *store,
			 ImssClock *clock,
			 ImssLicenseServer *server,
			 ImssSystemd *systemd,
			 ImssMailer *mailer) G_GNUC_WARN_UNUSED_RESULT;
/* Reads the stored licenses. */
gboolean
imss_license_manager_load(ImssLicenseManager *self, GError **error);
/* Starts the calendar: catches up what was missed, arms the next event. */
gboolean
imss_license_manager_start(ImssLicenseManager *self, GError **error);
ImssLicense *
imss_license_manager_get_license(ImssLicenseManager *self, ImssSlotId slot);
ImssEdition
imss_license_manager_get_edition(ImssLicenseManager *self);

/* The daemon's time (real or virtual), for presentation at the edge. */
GTimeZone *
imss_license_manager_get_timezone(ImssLicenseManager *self);
gint64
imss_license_manager_get_time(ImssLicenseManager *self);
void
imss_license_manager_get_today(ImssLicenseManager *self, GDate *today);
gboolean
imss_license_manager_has_virtual_clock(ImssLicenseManager *self);
/* Virtual clock only (tests, demos): a step, and the passage of time (every
 * event on the way runs; returns the alarms fired). */
void
imss_license_manager_set_time(ImssLicenseManager *self, gint64 t);
guint
imss_license_manager_advance(ImssLicenseManager *self, gint64 seconds);
/* Upcoming events of the next @days days, in order (element: ImssEvent). */
GPtrArray *
imss_license_manager_list_events(ImssLicenseManager *self, guint days);

/* Validates an activation without changing anything (offline rules: slot,
 * edition, code format and check value, prefix, licensed slots). */
gboolean
imss_license_manager_check_activate(ImssLicenseManager *self,
				    const gchar *slot_id,
				    const gchar *code,
				    GError **error);
/* Activates @code on @slot_id (and email-reputation with antispam), in one
 * transaction with its history entry. @changed is FALSE when the code was
 * already active (nothing written). Returns the slot's license. */
ImssLicense *
imss_license_manager_activate(ImssLicenseManager *self,
			      const gchar *slot_id,
			      const gchar *code,
			      const gchar *caller,
			      gboolean *changed,
			      GError **error);

/* The same, online: stores the activation (and the pending restart), asks
 * the license server for the current expiry of an online code (falling back
 * to the code's own, unverified, when it cannot be reached), then restarts
 * the services (SPEC §6, §7). While another program locks the store, the
 * activation is tried again for a few seconds, then fails whole with
 * IMSS_ERROR_BUSY. */
void
imss_license_manager_activate_async(ImssLicenseManager *self,
				    const gchar *slot_id,
				    const gchar *code,
				    const gchar *caller,
				    GAsyncReadyCallback callback,
				    gpointer user_data);
ImssLicense *
imss_license_manager_activate_finish(ImssLicenseManager *self, GAsyncResult *res, GError **error);
/* SPEC §5.2: "updated" (services restarted), "unchanged" (nothing restarted)
 * or IMSS_ERROR_SERVER_UNREACHABLE. */
void
imss_license_manager_update_status_async(ImssLicenseManager *self,
					 const gchar *caller,
					 GAsyncReadyCallback callback,
					 gpointer user_data);
gchar *
imss_license_manager_update_status_finish(ImssLicenseManager *self,
					  GAsyncResult *res,
					  GError **error);
/* SPEC §8: "connected", "cm-managed" or "standalone". */
const gchar *
imss_license_manager_get_environment(ImssLicenseManager *self);
/* "Check details online" for an activated slot; "" otherwise. */
gchar *
imss_license_manager_get_details_url(ImssLicenseManager *self, ImssLicense *license);
/* The queued and failed restarts (element: ImssStoreRestart; owned). */
GPtrArray *
imss_license_manager_get_restarts(ImssLicenseManager *self);
/* Requests again the restarts that failed for good, or when none did, the
 * services a manual update restarts; returns the units. */
GStrv
imss_license_manager_restart_services(ImssLicenseManager *self, const gchar *caller, GError **error);

/* SPEC §9.1: the current console notices (element: ImssNoticeData), most
 * severe first; inactive-component notices unless hidden. */
GPtrArray *
imss_license_manager_get_notices(ImssLicenseManager *self);
gboolean
imss_license_manager_get_inactive_notices_hidden(ImssLicenseManager *self);
gboolean
imss_license_manager_set_inactive_notices_hidden(ImssLicenseManager *self,
						 gboolean hidden,
						 const gchar *caller,
						 GError **error);

/* A Control Manager license profile as the bus adapter read it from the
 * caller's a{sv}; a field that was absent or not a string is NULL. */
typedef struct {
	const gchar *slot;
	const gchar *code;
	const gchar *expiry; /* YYYY-MM-DD */
	const gchar *origin; /* who deployed it; NULL: "Control Manager" */
} ImssProfile;

/* SPEC §8: a profile extends or changes the expiry of the active code (in
 * every slot holding it); returns "extended", "changed" or "unchanged". A
 * different code: CodeMismatch; a malformed profile: InvalidArgs naming what
 * is wrong. Restarts nothing. A refused profile is recorded (the last
 * deployment failed). */
gchar *
imss_license_manager_apply_profile(ImssLicenseManager *self,
				   const ImssProfile *profile,
				   const gchar *caller,
				   GError **error);
/* SPEC §10 Q5 for @slot_id: asks the license server (storing nothing) and
 * walks the doctor (imss-doctor.h); the texts are the caller's to render. */
void
imss_license_manager_diagnose_async(ImssLicenseManager *self,
				    const gchar *slot_id,
				    GAsyncReadyCallback callback,
				    gpointer user_data);
ImssDiagnosis *
imss_license_manager_diagnose_finish(ImssLicenseManager *self, GAsyncResult *res, GError **error);
gboolean
imss_license_manager_get_last_deployment(ImssLicenseManager *self, gint64 *time, gchar **result);

gboolean
imss_license_manager_get_click_protection_bound(ImssLicenseManager *self);
gboolean
imss_license_manager_bind_click_protection(ImssLicenseManager *self,
					   const gchar *caller,
					   GError **error);
gboolean
imss_license_manager_release_click_protection(ImssLicenseManager *self,
					      const gchar *caller,
					      gboolean *released,
					      GError **error);

/* Newest first, element type ImssStoreHistory; @limit 0: all (for tests and
 * tools: callers on the bus get pages). */
GPtrArray *
imss_license_manager_get_history(ImssLicenseManager *self, guint limit, GError **error);

/* What one read of the history returns at most, whatever the caller asks:
 * the cost of a call is bounded (the store keeps [history] max-entries). */
#define IMSS_HISTORY_PAGE_DEFAULT 100
#define IMSS_HISTORY_PAGE_MAX	  500

/* A page of the history, newest first: @limit entries (0: the default
 * page; at most IMSS_HISTORY_PAGE_MAX) from the @offset-th newest on, and
 * with @with_total how many entries there are (finish's @total; 0 without
 * it: counting reads the whole table). While another program locks the store it
 * tries again for a few seconds (the main loop serves other callers), then
 * fails with IMSS_ERROR_BUSY. */
void
imss_license_manager_get_history_page_async(ImssLicenseManager *self,
					    guint offset,
					    guint limit,
					    gboolean with_total,
					    GAsyncReadyCallback callback,
					    gpointer user_data);
GPtrArray *
imss_license_manager_get_history_page_finish(ImssLicenseManager *self,
					     GAsyncResult *res,
					     guint *total,
					     GError **error);

/* -- the fleet (docs/fleet.md) -- */

/* Follows the other nodes of a fleet sharing the database: their changes
 * through @listener (PostgreSQL; NULL for SQLite, a fleet of one) and a
 * poll every [fleet] poll-interval; writes this node's heartbeat. After
 * imss_license_manager_start(). */
void
imss_license_manager_watch_fleet(ImssLicenseManager *self, ImssPgListener *listener);
const gchar *
imss_license_manager_get_node_name(ImssLicenseManager *self);
/* The database's clock minus this node's, seconds (0 on SQLite). */
gint64
imss_license_manager_get_clock_skew(ImssLicenseManager *self);
/* The nodes seen (element: ImssStoreNode), or NULL with @error. */
GPtrArray *
imss_license_manager_list_nodes(ImssLicenseManager *self, GError **error);

/* The operator's settings (imss-license-manager-settings.c): the effective
 * values as a{sv} ("mail-to", ..., "mail-password-set", "stored": the names
 * set over the bus); setting @settings and resetting @reset (back to the
 * file's), all or nothing (InvalidArgs naming the setting); a test mail. */
void
imss_license_manager_apply_settings(ImssLicenseManager *self);
GVariant *
imss_license_manager_get_settings(ImssLicenseManager *self);
gboolean
imss_license_manager_set_settings(ImssLicenseManager *self,
				  GVariant *settings,
				  const gchar *const *reset,
				  const gchar *caller,
				  GError **error);
void
imss_license_manager_test_mail_async(ImssLicenseManager *self,
				     const gchar *caller,
				     GAsyncReadyCallback callback,
				     gpointer user_data);
gchar *
imss_license_manager_test_mail_finish(ImssLicenseManager *self, GAsyncResult *res, GError **error);

G_END_DECLS
