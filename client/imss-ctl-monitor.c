/*
 * `imss-licensectl monitor`: the signals of imss-licensed, live, one line
 * each — localized text for people, JSON for scripts. The signals never carry
 * an activation code; the masked code of LicenseChanged is left out as well.
 */
#define G_LOG_DOMAIN "ImssCtl"

#include "config.h"

#include <glib-unix.h>
#include <glib/gi18n.h>
#include <json-glib/json-glib.h>
#include <signal.h>
#include <stdio.h>
#include <unistd.h>

#include "imss-ctl-monitor.h"
#include "imss-ctl.h"
#include "imss-records.h"
#include "imss-slot.h"

typedef struct {
	GMainLoop *loop;
	gboolean json;
	gboolean daemon_seen; /* the watch reported the daemon at least once */
	gboolean daemon_present;
	gboolean daemon_was_present; /* it was running at some point */
	GError *error; /* why the loop ended other than by a signal */
} ImssCtlMonitor;

/* -- the text of each signal ----------------------------------------------- */

static gchar *
imss_ctl_monitor_license_text(const gchar *reason, const ImssLicenseChangeRecord *details)
{
	const gchar *what;

	if (g_strcmp0(reason, "activated") == 0)
		/* TRANSLATORS: monitor: LicenseChanged, reason "activated" */
		what = _("The license was activated.");
	else if (g_strcmp0(reason, "renewed") == 0)
		/* TRANSLATORS: monitor: LicenseChanged, reason "renewed" */
		what = _("The license was renewed.");
	else if (g_strcmp0(reason, "re-anchored") == 0)
		/* TRANSLATORS: monitor: LicenseChanged, reason "re-anchored" (the
		 * license server corrected the expiry date) */
		what = _("The license server corrected the expiry date.");
	else
		/* TRANSLATORS: monitor: LicenseChanged with another reason */
		what = _("The license changed.");
	if (*details->expiry != '\0')
		/* TRANSLATORS: monitor: %1$s one of the sentences above, %2$s the
		 * expiry date (YYYY-MM-DD) */
		return g_strdup_printf(_("%1$s It expires on %2$s."), what, details->expiry);
	return g_strdup(what);
}

static gchar *
imss_ctl_monitor_state_change_text(const gchar *old_state, const gchar *new_state)
{
	/* TRANSLATORS: monitor: StateChanged; %1$s old state, %2$s new state */
	return g_strdup_printf(_("The license state changed from “%1$s” to “%2$s”."),
			       imss_state_display_name(old_state),
			       imss_state_display_name(new_state));
}

static gchar *
imss_ctl_monitor_updates_text(gboolean allowed)
{
	if (allowed)
		/* TRANSLATORS: monitor: UpdatesAllowedChanged, TRUE (after an activation, or again after a renewal) */
		return g_strdup(_("Component updates are allowed."));
	/* TRANSLATORS: monitor: UpdatesAllowedChanged, FALSE (SPEC §3) */
	return g_strdup(_("Component updates are restricted: scanning continues with the last pattern files."));
}

/* -- printing --------------------------------------------------------------- */

static void
imss_ctl_monitor_add_fields(JsonBuilder *builder, GVariant *fields)
{
	GVariantIter iter;
	const gchar *key;
	GVariant *value;

	json_builder_set_member_name(builder, "fields");
	json_builder_begin_object(builder);
	g_variant_iter_init(&iter, fields);
	while (g_variant_iter_next(&iter, "{&sv}", &key, &value)) {
		/* never a code, not even a masked one */
		if (g_strcmp0(key, "code") != 0) {
			json_builder_set_member_name(builder, key);
			json_builder_add_value(builder, json_gvariant_serialize(value));
		}
		g_variant_unref(value);
	}
	json_builder_end_object(builder);
}

static void
imss_ctl_monitor_print(ImssCtlMonitor *self,
		       const gchar *signal_name,
		       const gchar *slot,
		       const gchar *kind,
		       GVariant *fields,
		       const gchar *text)
{
	g_autoptr(GDateTime) now = g_date_time_new_now_local();
	g_autofree gchar *time_str = g_date_time_format(now, "%Y-%m-%dT%H:%M:%S%:z");

	if (self->json) {
		g_autoptr(JsonBuilder) builder = json_builder_new();
		g_autofree gchar *out = NULL;

		json_builder_begin_object(builder);
		imss_ctl_json_add_string(builder, "time", time_str);
		imss_ctl_json_add_string(builder, "signal", signal_name);
		imss_ctl_json_add_string(builder, "slot", slot);
		imss_ctl_json_add_string(builder, "kind", kind);
		imss_ctl_monitor_add_fields(builder, fields);
		imss_ctl_json_add_string(builder, "text", text);
		json_builder_end_object(builder);
		out = imss_ctl_json_to_data(builder, FALSE);
		imss_ctl_print_utf8_line(out);
	} else {
		g_print("%s %s: %s\n", time_str, slot, text);
	}
	/* one line at a time, also into a pipe */
	fflush(stdout);
}

/* -- the client's signals --------------------------------------------------- */

static void
imss_ctl_monitor_notice_cb(ImssClient *client G_GNUC_UNUSED, ImssNotice *notice, gpointer user_data)
{
	imss_ctl_monitor_print(user_data,
			       "Notice",
			       imss_notice_get_slot_id(notice),
			       imss_notice_kind_to_string(imss_notice_get_kind(notice)),
			       imss_notice_get_fields(notice),
			       imss_notice_get_text(notice));
}

static void
imss_ctl_monitor_license_changed_cb(ImssClient *client G_GNUC_UNUSED,
				    ImssSlot *slot,
				    const gchar *reason,
				    GVariant *details,
				    gpointer user_data)
{
	g_auto(ImssLicenseChangeRecord) record = {NULL};
	g_autoptr(GError) error = NULL;
	g_autofree gchar *text = NULL;

	if (!imss_license_change_record_from_variant(details, &record, &error)) {
		/* one line on standard error; the monitor goes on */
		imss_ctl_malformed(&error);
		g_printerr("imss-licensectl: %s\n", error->message);
		return;
	}
	text = imss_ctl_monitor_license_text(reason, &record);
	imss_ctl_monitor_print(user_data, "LicenseChanged", imss_slot_get_id(slot), reason, details, text);
}

static void
imss_ctl_monitor_state_changed_cb(ImssClient *client G_GNUC_UNUSED,
				  ImssSlot *slot,
				  ImssLicenseState old_state,
				  ImssLicenseState new_state,
				  gpointer user_data)
{
	const gchar *old_name = imss_license_state_to_string(old_state);
	const gchar *new_name = imss_license_state_to_string(new_state);
	g_autofree gchar *text = imss_ctl_monitor_state_change_text(old_name, new_name);
	GVariantDict dict;
	g_autoptr(GVariant) fields = NULL;

	g_variant_dict_init(&dict, NULL);
	g_variant_dict_insert(&dict, "old_state", "s", old_name);
	g_variant_dict_insert(&dict, "new_state", "s", new_name);
	fields = g_variant_ref_sink(g_variant_dict_end(&dict));
	imss_ctl_monitor_print(user_data, "StateChanged", imss_slot_get_id(slot), new_name, fields, text);
}

static void
imss_ctl_monitor_updates_allowed_cb(ImssClient *client G_GNUC_UNUSED,
				    ImssSlot *slot,
				    gboolean allowed,
				    gpointer user_data)
{
	g_autofree gchar *text = imss_ctl_monitor_updates_text(allowed);
	GVariantDict dict;
	g_autoptr(GVariant) fields = NULL;

	g_variant_dict_init(&dict, NULL);
	g_variant_dict_insert(&dict, "allowed", "b", allowed);
	fields = g_variant_ref_sink(g_variant_dict_end(&dict));
	imss_ctl_monitor_print(user_data,
			       "UpdatesAllowedChanged",
			       imss_slot_get_id(slot),
			       allowed ? "allowed" : "restricted",
			       fields,
			       text);
}

/* -- the daemon coming and going (on stderr: stdout stays one line per signal) */

static void
imss_ctl_monitor_daemon_running_cb(ImssClient *client, GParamSpec *pspec G_GNUC_UNUSED, gpointer user_data)
{
	ImssCtlMonitor *self = user_data;
	gboolean running = imss_client_get_daemon_running(client);

	if (running && self->daemon_was_present && !self->daemon_present)
		/* TRANSLATORS: monitor, on standard error: after it stopped */
		g_printerr("imss-licensectl: %s\n", _("The license service is running again."));
	else if (running && self->daemon_seen && !self->daemon_present)
		/* TRANSLATORS: monitor, on standard error: after it was not running */
		g_printerr("imss-licensectl: %s\n", _("The license service has started."));
	else if (!running && self->daemon_present)
		/* TRANSLATORS: monitor, on standard error */
		g_printerr("imss-licensectl: %s\n", _("The license service stopped; waiting for it to come back."));
	else if (!running && !self->daemon_seen)
		/* TRANSLATORS: monitor, on standard error */
		g_printerr("imss-licensectl: %s\n", _("The license service (imss-licensed) is not running; waiting for it."));
	self->daemon_seen = TRUE;
	self->daemon_present = running;
	self->daemon_was_present |= running;
}

static gboolean
imss_ctl_monitor_quit_cb(gpointer user_data)
{
	ImssCtlMonitor *self = user_data;
	g_main_loop_quit(self->loop);
	return G_SOURCE_CONTINUE;
}

static void
imss_ctl_monitor_closed_cb(GDBusConnection *connection G_GNUC_UNUSED,
			   gboolean remote_peer_vanished G_GNUC_UNUSED,
			   GError *error G_GNUC_UNUSED,
			   gpointer user_data)
{
	ImssCtlMonitor *self = user_data;
	if (self->error == NULL)
		g_set_error_literal(&self->error,
				    G_IO_ERROR,
				    G_IO_ERROR_CLOSED,
				    /* TRANSLATORS: monitor: the system bus went away */
				    _("The connection to the system bus was lost."));
	g_main_loop_quit(self->loop);
}

gboolean
imss_ctl_monitor_run(gboolean json, GError **error)
{
	ImssCtlMonitor self = {NULL, json, FALSE, FALSE, FALSE, NULL};
	g_autoptr(GDBusConnection) system_bus = NULL;
	g_autoptr(ImssClient) client = NULL;
	guint sigint_id, sigterm_id;
	gulong closed_id;
	gboolean exit_on_close;

	g_return_val_if_fail(error == NULL || *error == NULL, FALSE);

	/* watching starts nothing: the daemon is followed as it comes and goes */
	client = imss_client_new_sync(IMSS_CLIENT_FLAGS_DO_NOT_AUTO_START, NULL, error);
	if (client == NULL)
		return FALSE;
	/* the client's connection (GLib's shared one): a lost bus ends the
	 * monitor with an error rather than by SIGTERM */
	system_bus = g_bus_get_sync(G_BUS_TYPE_SYSTEM, NULL, error);
	if (system_bus == NULL)
		return FALSE;
	self.loop = g_main_loop_new(NULL, FALSE);
	exit_on_close = g_dbus_connection_get_exit_on_close(system_bus);
	g_dbus_connection_set_exit_on_close(system_bus, FALSE);
	closed_id = g_signal_connect(system_bus, "closed", G_CALLBACK(imss_ctl_monitor_closed_cb), &self);
	sigint_id = g_unix_signal_add(SIGINT, imss_ctl_monitor_quit_cb, &self);
	sigterm_id = g_unix_signal_add(SIGTERM, imss_ctl_monitor_quit_cb, &self);

	g_signal_connect(client, "notice", G_CALLBACK(imss_ctl_monitor_notice_cb), &self);
	g_signal_connect(client, "license-changed", G_CALLBACK(imss_ctl_monitor_license_changed_cb), &self);
	g_signal_connect(client, "state-changed", G_CALLBACK(imss_ctl_monitor_state_changed_cb), &self);
	g_signal_connect(client,
			 "updates-allowed-changed",
			 G_CALLBACK(imss_ctl_monitor_updates_allowed_cb),
			 &self);
	g_signal_connect(client, "notify::daemon-running", G_CALLBACK(imss_ctl_monitor_daemon_running_cb), &self);
	imss_ctl_monitor_daemon_running_cb(client, NULL, &self);
	if (!json && isatty(STDOUT_FILENO))
		/* TRANSLATORS: monitor, on standard error when run on a terminal */
		g_printerr("%s\n", _("Waiting for license events; press Ctrl+C to stop."));

	g_main_loop_run(self.loop);

	g_signal_handlers_disconnect_by_data(client, &self);
	g_source_remove(sigint_id);
	g_source_remove(sigterm_id);
	g_signal_handler_disconnect(system_bus, closed_id);
	g_dbus_connection_set_exit_on_close(system_bus, exit_on_close);
	g_main_loop_unref(self.loop);
	if (self.error != NULL) {
		g_propagate_error(error, self.error);
		return FALSE;
	}
	return TRUE;
}
