/*
 * The adapter's properties and signals: the slot objects and the manager's
 * properties mirror the manager, and its signals become bus signals.
 */
#define G_LOG_DOMAIN "ImssDaemon"

#include "config.h"

#include "imss-daemon-private.h"
#include "imss-date.h"
#include "imss-notice.h"
#include "imss-records.h"

/* -- properties ------------------------------------------------------------ */

static void
imss_daemon_sync_slot(ImssDaemon *self, ImssLicense *license)
{
	ImssExportedSlot *skel = self->slots[imss_license_get_slot(license)];
	GTimeZone *tz = imss_license_manager_get_timezone(self->manager);
	GDate today, grace, next;
	g_autofree gchar *expiry = NULL;
	g_autofree gchar *grace_str = NULL;
	g_autofree gchar *next_str = NULL;
	g_autofree gchar *activated_at = NULL;

	if (skel == NULL)
		return;
	imss_license_manager_get_today(self->manager, &today);
	expiry = imss_date_format(imss_license_get_expiry(license));
	if (imss_license_get_grace_end(license, &grace))
		grace_str = imss_date_format(&grace);
	if (imss_license_get_next_check(license, &today, &next))
		next_str = imss_calendar_format_instant(tz, imss_calendar_day_start(tz, &next));
	if (imss_license_is_activated(license))
		activated_at = imss_calendar_format_instant(tz, imss_license_get_activated_at(license));

	imss_exported_slot_set_id(skel, imss_license_get_id(license));
	imss_exported_slot_set_enabled(skel, imss_license_get_enabled(license));
	imss_exported_slot_set_state(
	    skel,
	    imss_license_state_to_string(imss_license_get_state(license, &today)));
	imss_exported_slot_set_expiry_date(skel, expiry);
	imss_exported_slot_set_grace_end_date(skel, grace_str != NULL ? grace_str : "");
	imss_exported_slot_set_updates_allowed(skel,
					       imss_license_get_updates_allowed(license, &today));
	imss_exported_slot_set_activation_code(skel, imss_license_get_masked_code(license));
	imss_exported_slot_set_offline(skel, imss_license_get_offline(license));
	imss_exported_slot_set_expiry_verified(skel, imss_license_get_verified(license));
	imss_exported_slot_set_activated_at(skel, activated_at != NULL ? activated_at : "");
	imss_exported_slot_set_next_check(skel, next_str != NULL ? next_str : "");
	{
		g_autofree gchar *verified = NULL;
		g_autofree gchar *details = imss_license_manager_get_details_url(self->manager, license);
		if (imss_license_is_activated(license) && imss_license_get_verified_at(license) > 0)
			verified = imss_calendar_format_instant(tz, imss_license_get_verified_at(license));
		imss_exported_slot_set_last_verified(skel, verified != NULL ? verified : "");
		imss_exported_slot_set_server_status(skel, imss_license_get_server_status(license));
		imss_exported_slot_set_last_check_error(skel, imss_license_get_check_error(license));
		imss_exported_slot_set_details_url(skel, details);
	}
}

static void
imss_daemon_sync_restarts(ImssDaemon *self)
{
	GPtrArray *restarts = imss_license_manager_get_restarts(self->manager);
	GTimeZone *tz = imss_license_manager_get_timezone(self->manager);
	GVariantBuilder builder;
	g_variant_builder_init(&builder, G_VARIANT_TYPE("aa{sv}"));
	for (guint i = 0; i < restarts->len; i++) {
		ImssStoreRestart *r = g_ptr_array_index(restarts, i);
		g_auto(ImssRestartRecord) record = {
		    .unit = g_strdup(r->unit),
		    .state = g_strdup(r->state),
		    .attempts = r->attempts,
		    .error = g_strdup(r->last_error),
		    .requested = imss_calendar_format_instant(tz, r->requested_at),
		};
		g_variant_builder_add_value(&builder, imss_restart_record_to_variant(&record));
	}
	imss_exported_manager_set_restarts(self->skeleton, g_variant_builder_end(&builder));
}

void
imss_daemon_sync_all(ImssDaemon *self)
{
	g_return_if_fail(IMSS_IS_DAEMON(self));

	for (guint i = 0; i < IMSS_SLOT_LAST; i++)
		imss_daemon_sync_slot(self,
				      imss_license_manager_get_license(self->manager, (ImssSlotId)i));
	imss_exported_manager_set_click_protection_bound(
	    self->skeleton,
	    imss_license_manager_get_click_protection_bound(self->manager));
	imss_exported_manager_set_environment(self->skeleton,
					      imss_license_manager_get_environment(self->manager));
	imss_exported_manager_set_inactive_notices_hidden(
	    self->skeleton,
	    imss_license_manager_get_inactive_notices_hidden(self->manager));
	imss_daemon_sync_restarts(self);
	imss_daemon_sync_settings(self);
	imss_exported_manager_set_node_name(self->skeleton,
					    imss_license_manager_get_node_name(self->manager));
	imss_exported_manager_set_clock_skew(self->skeleton,
					     imss_license_manager_get_clock_skew(self->manager));
	{
		gint64 t = 0;
		g_autofree gchar *result = NULL;
		g_autofree gchar *when = NULL;
		if (imss_license_manager_get_last_deployment(self->manager, &t, &result))
			when = imss_calendar_format_instant(
			    imss_license_manager_get_timezone(self->manager),
			    t);
		imss_exported_manager_set_last_profile_deployment(self->skeleton, when != NULL ? when : "");
		imss_exported_manager_set_last_profile_result(self->skeleton, result != NULL ? result : "");
	}
}

static void
imss_daemon_notice_cb(ImssLicenseManager *manager, gpointer notice_ptr, gboolean mail, ImssDaemon *self)
{
	const ImssNoticeData *notice = notice_ptr;
	GVariantBuilder fields;
	if (self->connection == NULL)
		return;
	g_variant_builder_init(&fields, G_VARIANT_TYPE_VARDICT);
	imss_notice_add_fields(&fields, notice);
	imss_vardict_add(&fields, "mail", g_variant_new_boolean(mail));
	imss_exported_manager_emit_notice(self->skeleton,
					  imss_slot_to_string(notice->slot),
					  imss_notice_kind_to_string(notice->kind),
					  g_variant_builder_end(&fields));
}

static void
imss_daemon_license_changed_cb(ImssLicenseManager *manager,
			       ImssLicense *license,
			       const gchar *reason,
			       ImssDaemon *self)
{
	GDate today;
	g_auto(ImssLicenseChangeRecord) details = {NULL};

	imss_daemon_sync_slot(self, license);
	if (self->connection == NULL)
		return;
	/* the slot's PropertiesChanged goes out before LicenseChanged (a
	 * skeleton sends it from an idle otherwise): a client that reads the
	 * slot when the signal comes sees the new license */
	if (self->slots[imss_license_get_slot(license)] != NULL)
		g_dbus_interface_skeleton_flush(
		    G_DBUS_INTERFACE_SKELETON(self->slots[imss_license_get_slot(license)]));
	imss_license_manager_get_today(self->manager, &today);
	details.expiry = imss_date_format(imss_license_get_expiry(license));
	details.state =
	    g_strdup(imss_license_state_to_string(imss_license_get_state(license, &today)));
	details.offline = imss_license_get_offline(license);
	details.code = g_strdup(imss_license_get_masked_code(license));
	imss_exported_manager_emit_license_changed(self->skeleton,
						   imss_license_get_id(license),
						   reason,
						   imss_license_change_record_to_variant(&details));
}

static void
imss_daemon_state_changed_cb(ImssLicenseManager *manager,
			     ImssLicense *license,
			     gint old_state,
			     gint new_state,
			     ImssDaemon *self)
{
	gboolean was_allowed = old_state != IMSS_LICENSE_STATE_NOT_ACTIVATED &&
			       old_state != IMSS_LICENSE_STATE_EXPIRED;
	gboolean allowed = new_state != IMSS_LICENSE_STATE_NOT_ACTIVATED &&
			   new_state != IMSS_LICENSE_STATE_EXPIRED;
	imss_daemon_sync_slot(self, license);
	if (self->connection == NULL)
		return;
	imss_exported_manager_emit_state_changed(self->skeleton,
						 imss_license_get_id(license),
						 imss_license_state_to_string(old_state),
						 imss_license_state_to_string(new_state));
	if (allowed != was_allowed)
		imss_exported_manager_emit_updates_allowed_changed(self->skeleton,
								   imss_license_get_id(license),
								   allowed);
}

static void
imss_daemon_refreshed_cb(ImssLicenseManager *manager, ImssDaemon *self)
{
	imss_daemon_sync_all(self);
	if (self->virtual_clock != NULL) {
		g_autofree gchar *now =
		    imss_calendar_format_instant(imss_license_manager_get_timezone(self->manager),
						 imss_license_manager_get_time(self->manager));
		imss_exported_virtual_clock_set_now(self->virtual_clock, now);
	}
}

static void
imss_daemon_click_protection_changed_cb(ImssLicenseManager *manager, ImssDaemon *self)
{
	imss_exported_manager_set_click_protection_bound(
	    self->skeleton,
	    imss_license_manager_get_click_protection_bound(manager));
}

/* Follows the manager from now on and fills every property once. */
void
imss_daemon_watch_manager(ImssDaemon *self)
{
	g_return_if_fail(IMSS_IS_DAEMON(self));

	g_signal_connect(self->manager,
			 "license-changed",
			 G_CALLBACK(imss_daemon_license_changed_cb),
			 self);
	g_signal_connect(self->manager,
			 "click-protection-changed",
			 G_CALLBACK(imss_daemon_click_protection_changed_cb),
			 self);
	g_signal_connect(self->manager,
			 "state-changed",
			 G_CALLBACK(imss_daemon_state_changed_cb),
			 self);
	g_signal_connect(self->manager, "refreshed", G_CALLBACK(imss_daemon_refreshed_cb), self);
	g_signal_connect(self->manager, "notice", G_CALLBACK(imss_daemon_notice_cb), self);
	imss_daemon_refreshed_cb(self->manager, self);
}
