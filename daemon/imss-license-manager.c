/*
 * ImssLicenseManager: the domain's facade — its signals (only this file
 * emits them), the licenses, the daemon's time for the bus adapter, the
 * restarts of SPEC §7, start-up and the object. Each concern of the domain
 * is in an imss-license-manager-*.c of its own (docs/design.md).
 */
#define G_LOG_DOMAIN "ImssLicenseManager"

#include "config.h"

#include "imss-error.h"
#include "imss-license-manager-private.h"
#include "imss-settings.h"
#include "imss-slot.h"

enum {
	SIGNAL_LICENSE_CHANGED,
	SIGNAL_CLICK_PROTECTION_CHANGED,
	SIGNAL_STATE_CHANGED,
	SIGNAL_REFRESHED,
	SIGNAL_NOTICE,
	SIGNAL_LAST
};
static guint signals[SIGNAL_LAST] = {0};

G_DEFINE_TYPE(ImssLicenseManager, imss_license_manager, G_TYPE_OBJECT)

/* -- the signals: only this file emits them ------------------------------------- */

void
imss_license_manager_emit_refreshed(ImssLicenseManager *self)
{
	g_return_if_fail(IMSS_IS_LICENSE_MANAGER(self));

	imss_license_manager_update_motd(self);
	g_signal_emit(self, signals[SIGNAL_REFRESHED], 0);
}

void
imss_license_manager_emit_license_changed(ImssLicenseManager *self,
					  ImssLicense *license,
					  const gchar *reason)
{
	g_return_if_fail(IMSS_IS_LICENSE_MANAGER(self));
	g_return_if_fail(IMSS_IS_LICENSE(license));

	g_signal_emit(self, signals[SIGNAL_LICENSE_CHANGED], 0, license, reason);
}

void
imss_license_manager_emit_state_changed(ImssLicenseManager *self,
					ImssLicense *license,
					ImssLicenseState old_state,
					ImssLicenseState new_state)
{
	g_return_if_fail(IMSS_IS_LICENSE_MANAGER(self));
	g_return_if_fail(IMSS_IS_LICENSE(license));

	g_signal_emit(self, signals[SIGNAL_STATE_CHANGED], 0, license, (gint)old_state, (gint)new_state);
}

void
imss_license_manager_emit_click_protection_changed(ImssLicenseManager *self)
{
	g_return_if_fail(IMSS_IS_LICENSE_MANAGER(self));

	g_signal_emit(self, signals[SIGNAL_CLICK_PROTECTION_CHANGED], 0);
}

void
imss_license_manager_emit_notice(ImssLicenseManager *self, const ImssNoticeData *notice, gboolean mail)
{
	g_return_if_fail(IMSS_IS_LICENSE_MANAGER(self));
	g_return_if_fail(notice != NULL);

	g_signal_emit(self, signals[SIGNAL_NOTICE], 0, notice, mail);
}

ImssLicense *
imss_license_manager_get_license(ImssLicenseManager *self, ImssSlotId slot)
{
	g_return_val_if_fail(IMSS_IS_LICENSE_MANAGER(self), NULL);
	g_return_val_if_fail((guint)slot < IMSS_SLOT_LAST, NULL);
	return self->licenses[slot];
}

/* SPEC §7: scan and policy, and the sender filter when it is enabled and the
 * license is anti-spam or email reputation, in that order */
GStrv
imss_license_manager_units_to_restart(ImssLicenseManager *self, gboolean sender_filter_slot)
{
	g_autoptr(GStrvBuilder) units = g_strv_builder_new();
	g_return_val_if_fail(IMSS_IS_LICENSE_MANAGER(self), NULL);

	g_strv_builder_add(units, imss_config_get_scan_unit(self->config));
	g_strv_builder_add(units, imss_config_get_policy_unit(self->config));
	if (sender_filter_slot && imss_config_get_sender_filter_enabled(self->config))
		g_strv_builder_add(units, imss_config_get_sender_filter_unit(self->config));
	return g_strv_builder_end(units);
}



static void
imss_license_manager_restarts_changed_cb(ImssLicenseManager *self)
{
	imss_license_manager_emit_refreshed(self);
}


/* -- the daemon's time, for the bus adapter ---------------------------------------- */

GTimeZone *
imss_license_manager_get_timezone(ImssLicenseManager *self)
{
	g_return_val_if_fail(IMSS_IS_LICENSE_MANAGER(self), NULL);
	return imss_clock_get_timezone(self->clock);
}

gint64
imss_license_manager_get_time(ImssLicenseManager *self)
{
	g_return_val_if_fail(IMSS_IS_LICENSE_MANAGER(self), 0);
	return imss_clock_get_time(self->clock);
}

void
imss_license_manager_get_today(ImssLicenseManager *self, GDate *today)
{
	g_return_if_fail(IMSS_IS_LICENSE_MANAGER(self));
	imss_clock_get_today(self->clock, today);
}

gboolean
imss_license_manager_has_virtual_clock(ImssLicenseManager *self)
{
	g_return_val_if_fail(IMSS_IS_LICENSE_MANAGER(self), FALSE);
	return imss_clock_is_virtual(self->clock);
}

void
imss_license_manager_set_time(ImssLicenseManager *self, gint64 t)
{
	g_return_if_fail(IMSS_IS_LICENSE_MANAGER(self));
	g_return_if_fail(imss_clock_is_virtual(self->clock));
	imss_clock_set_time(self->clock, t);
	imss_license_manager_emit_refreshed(self);
}

guint
imss_license_manager_advance(ImssLicenseManager *self, gint64 seconds)
{
	g_autoptr(GError) error_local = NULL;
	guint fired;
	g_return_val_if_fail(IMSS_IS_LICENSE_MANAGER(self), 0);
	g_return_val_if_fail(imss_clock_is_virtual(self->clock), 0);
	/* the evaluations on the way commit together, a few dozen at a time
	 * (imss_store_hold_commits(); the claim of a run that does something
	 * is committed before it runs, imss_license_manager_run_due()), and
	 * the properties and the login notice follow once, at the end */
	imss_store_hold_commits(self->store);
	self->advancing = TRUE;
	fired = imss_clock_advance(self->clock, seconds);
	self->advancing = FALSE;
	if (!imss_store_release_commits(self->store, &error_local))
		g_warning("failed to record the virtual clock's advance of %" G_GINT64_FORMAT " s: %s",
			  seconds,
			  error_local->message);
	imss_license_manager_emit_refreshed(self);
	return fired;
}


ImssEdition
imss_license_manager_get_edition(ImssLicenseManager *self)
{
	g_return_val_if_fail(IMSS_IS_LICENSE_MANAGER(self), IMSS_EDITION_IMSS);

	return imss_config_get_edition(self->config);
}

/* -- restarts (SPEC §7) ----------------------------------------------------- */

/* Records that the units of a manual update must be restarted (one
 * transaction), then runs the queue. */
void
imss_license_manager_request_restart(ImssLicenseManager *self, gboolean sender_filter_slot)
{
	g_autoptr(ImssStoreChange) change = imss_store_change_new();
	g_autoptr(GError) error_local = NULL;
	g_auto(GStrv) units = NULL;
	g_return_if_fail(IMSS_IS_LICENSE_MANAGER(self));
	units = imss_license_manager_units_to_restart(self, sender_filter_slot);

	imss_store_change_request_restarts(change, units, imss_clock_get_time(self->clock));
	if (!imss_store_apply(self->store, change, &error_local))
		g_warning("failed to record the pending restart: %s", error_local->message);
	imss_restart_queue_kick(self->restarts);
}

GPtrArray *
imss_license_manager_get_restarts(ImssLicenseManager *self)
{
	g_return_val_if_fail(IMSS_IS_LICENSE_MANAGER(self), NULL);

	return imss_restart_queue_get_restarts(self->restarts);
}

GStrv
imss_license_manager_restart_services(ImssLicenseManager *self, const gchar *caller, GError **error)
{
	GPtrArray *queued;
	g_autoptr(GStrvBuilder) builder = g_strv_builder_new();
	g_autoptr(ImssStoreChange) change = imss_store_change_new();
	g_autoptr(GError) error_local = NULL;
	g_auto(GStrv) units = NULL;
	g_autofree gchar *list = NULL;
	gint64 now;

	g_return_val_if_fail(IMSS_IS_LICENSE_MANAGER(self), NULL);
	g_return_val_if_fail(error == NULL || *error == NULL, NULL);

	queued = imss_restart_queue_get_restarts(self->restarts);
	now = imss_clock_get_time(self->clock);
	/* the failed ones, or else all the services a manual update restarts */
	for (guint i = 0; i < queued->len; i++) {
		ImssStoreRestart *r = g_ptr_array_index(queued, i);
		if (g_strcmp0(r->state, "failed") == 0)
			g_strv_builder_add(builder, r->unit);
	}
	units = g_strv_builder_end(builder);
	if (units[0] == NULL) {
		g_strfreev(units);
		units = imss_license_manager_units_to_restart(self, TRUE);
	}
	list = g_strjoinv(" ", units);
	imss_store_change_request_restarts(change, units, now);
	imss_store_change_add_history(change, now, "restart-services", "", "", caller, "ok", list);
	if (!imss_store_apply(self->store, change, &error_local)) {
		imss_license_manager_store_failed(error, error_local, "request the restarts");
		return NULL;
	}
	g_message("restart of %s requested by %s", list, caller);
	imss_restart_queue_kick(self->restarts);
	return g_steal_pointer(&units);
}

gboolean
imss_license_manager_start(ImssLicenseManager *self, GError **error)
{
	g_return_val_if_fail(IMSS_IS_LICENSE_MANAGER(self), FALSE);
	g_return_val_if_fail(error == NULL || *error == NULL, FALSE);

	/* the operator's settings stored over the bus win over the file's */
	imss_license_manager_apply_settings(self);
	/* runs claimed before we stopped and not done yet (a check whose
	 * answer was not recorded, a mail not delivered), and those of other
	 * nodes whose lease ran out — before the calendar runs, which claims
	 * (and runs) today's new ones itself */
	if (!imss_license_manager_resume_runs(self, TRUE, error))
		return FALSE;
	if (!imss_license_manager_start_calendar(self, error))
		return FALSE;
	/* a crash between storing an activation and restarting: restart what
	 * was not restarted, once */
	if (!imss_restart_queue_load(self->restarts, error))
		return FALSE;
	imss_restart_queue_kick(self->restarts);
	return TRUE;
}

static void
imss_license_manager_finalize(GObject *obj)
{
	ImssLicenseManager *self = IMSS_LICENSE_MANAGER(obj);
	if (self->scheduler != NULL)
		g_signal_handlers_disconnect_by_data(self->scheduler, self);
	if (self->retry_id != 0)
		g_source_remove(self->retry_id);
	if (self->poll_id != 0)
		g_source_remove(self->poll_id);
	if (self->listener != NULL)
		g_signal_handlers_disconnect_by_data(self->listener, self);
	g_clear_object(&self->listener);
	g_clear_pointer(&self->inflight, g_hash_table_unref);
	g_clear_object(&self->scheduler);
	g_clear_object(&self->server);
	g_clear_object(&self->systemd);
	g_clear_object(&self->mail_delivery);
	g_clear_object(&self->mailer);
	if (self->restarts != NULL)
		g_signal_handlers_disconnect_by_data(self->restarts, self);
	g_clear_object(&self->restarts);
	g_clear_object(&self->checker);
	for (guint i = 0; i < IMSS_SLOT_LAST; i++)
		g_clear_object(&self->licenses[i]);
	g_clear_object(&self->config);
	g_clear_object(&self->store);
	g_clear_object(&self->clock);
	g_free(self->motd);
	G_OBJECT_CLASS(imss_license_manager_parent_class)->finalize(obj);
}

static void
imss_license_manager_class_init(ImssLicenseManagerClass *klass)
{
	G_OBJECT_CLASS(klass)->finalize = imss_license_manager_finalize;
	/**
	 * ImssLicenseManager::license-changed:
	 * @license: the slot's license
	 * @reason: "activated", "renewed" or "re-anchored"
	 */
	signals[SIGNAL_LICENSE_CHANGED] = g_signal_new("license-changed",
						       G_TYPE_FROM_CLASS(klass),
						       G_SIGNAL_RUN_LAST,
						       0,
						       NULL,
						       NULL,
						       NULL,
						       G_TYPE_NONE,
						       2,
						       IMSS_TYPE_LICENSE,
						       G_TYPE_STRING);
	/**
	 * ImssLicenseManager::state-changed:
	 * A lifecycle transition (old, new ImssLicenseState) at a day's start.
	 */
	signals[SIGNAL_STATE_CHANGED] = g_signal_new("state-changed",
						     G_TYPE_FROM_CLASS(klass),
						     G_SIGNAL_RUN_LAST,
						     0,
						     NULL,
						     NULL,
						     NULL,
						     G_TYPE_NONE,
						     3,
						     IMSS_TYPE_LICENSE,
						     G_TYPE_INT,
						     G_TYPE_INT);
	/**
	 * ImssLicenseManager::refreshed:
	 * The calendar was evaluated; derived values (NextCheck) may have moved.
	 */
	signals[SIGNAL_REFRESHED] = g_signal_new("refreshed",
						 G_TYPE_FROM_CLASS(klass),
						 G_SIGNAL_RUN_LAST,
						 0,
						 NULL,
						 NULL,
						 NULL,
						 G_TYPE_NONE,
						 0);
	/**
	 * ImssLicenseManager::notice:
	 * A notice as it is issued (ImssNoticeData *, gboolean mail-period notice).
	 */
	signals[SIGNAL_NOTICE] = g_signal_new("notice",
					      G_TYPE_FROM_CLASS(klass),
					      G_SIGNAL_RUN_LAST,
					      0,
					      NULL,
					      NULL,
					      NULL,
					      G_TYPE_NONE,
					      2,
					      G_TYPE_POINTER,
					      G_TYPE_BOOLEAN);
	signals[SIGNAL_CLICK_PROTECTION_CHANGED] = g_signal_new("click-protection-changed",
								G_TYPE_FROM_CLASS(klass),
								G_SIGNAL_RUN_LAST,
								0,
								NULL,
								NULL,
								NULL,
								G_TYPE_NONE,
								0);
}

static void
imss_license_manager_init(ImssLicenseManager *self)
{
	self->inflight = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
}

static void
imss_license_manager_mail_finished_cb(ImssSlotId slot, const gchar *day, gpointer data)
{
	imss_license_manager_run_finished(IMSS_LICENSE_MANAGER(data), IMSS_JOB_MAIL,
					  imss_slot_to_string(slot), day);
}

ImssLicenseManager *
imss_license_manager_new(ImssConfig *config,
			 ImssStore *store,
			 ImssClock *clock,
			 ImssLicenseServer *server,
			 ImssSystemd *systemd,
			 ImssMailer *mailer)
{
	ImssLicenseManager *self;
	g_return_val_if_fail(IMSS_IS_CONFIG(config), NULL);
	g_return_val_if_fail(IMSS_IS_STORE(store), NULL);
	g_return_val_if_fail(IMSS_IS_CLOCK(clock), NULL);
	g_return_val_if_fail(IMSS_IS_LICENSE_SERVER(server), NULL);
	g_return_val_if_fail(IMSS_IS_SYSTEMD(systemd), NULL);
	g_return_val_if_fail(IMSS_IS_MAILER(mailer), NULL);
	self = g_object_new(IMSS_TYPE_LICENSE_MANAGER, NULL);
	self->config = g_object_ref(config);
	self->store = g_object_ref(store);
	self->clock = g_object_ref(clock);
	for (guint i = 0; i < IMSS_SLOT_LAST; i++)
		self->licenses[i] = imss_license_new((ImssSlotId)i,
						     imss_slot_enabled((ImssSlotId)i,
								       imss_config_get_edition(config)));
	self->server = g_object_ref(server);
	self->checker = imss_license_checker_new(self->server,
						 clock,
						 imss_config_get_edition(config),
						 imss_license_manager_apply_answer,
						 self);
	self->systemd = g_object_ref(systemd);
	self->mailer = g_object_ref(mailer);
	self->mail_delivery = imss_mail_delivery_new(self->mailer,
						     store,
						     clock,
						     imss_config_get_mail_language(config),
						     imss_config_get_mail_retry_interval(config));
	imss_mail_delivery_set_finished_func(self->mail_delivery,
					     imss_license_manager_mail_finished_cb,
					     self);
	self->restarts = imss_restart_queue_new(store,
						self->systemd,
						clock,
						imss_config_get_restart_attempts(config),
						imss_config_get_restart_retry_interval(config));
	g_signal_connect_swapped(self->restarts,
				 "changed",
				 G_CALLBACK(imss_license_manager_restarts_changed_cb),
				 self);
	self->scheduler = imss_scheduler_new(clock);
	return self;
}

