/*
 * imss-notifier: the per-user desktop notifier.
 *
 * Listens to imss-licensed on the system bus (Notice, StateChanged,
 * LicenseChanged; subscriptions by the well-known name, so they outlive a
 * restart of the daemon) and shows what it hears with libnotify on the
 * session bus: one notification per license slot, replaced in place. When
 * the daemon appears it reads the current notices (GetNotices) and shows the
 * expiry notices it has not shown yet. A missing notification server is
 * logged once and retried on the next notice.
 */
#define G_LOG_DOMAIN "ImssNotifier"

#include "config.h"

#include <gio/gio.h>
#include <glib-unix.h>
#include <glib/gi18n.h>
#include <libnotify/notify.h>
#include <locale.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>

#include "imss-bus.h"
#include "imss-catalog.h"
#include "imss-date.h"
#include "imss-notice.h"
#include "imss-records.h"
#include "imss-slot.h"

#define IMSS_NOTIFIER_APP    "imss-notifier"
#define IMSS_NOTIFIER_ACTION "details"
/* GetNotices and property reads are local and quick; never wait 25 s */
#define IMSS_NOTIFIER_CALL_TIMEOUT_MS 10000
/* GetCapabilities may start the notification server (D-Bus activation) */
#define IMSS_NOTIFIER_CAPS_TIMEOUT_MS 5000

#ifndef IMSS_BINDIR
#define IMSS_BINDIR "/usr/bin"
#endif

/* libnotify has no autoptr declarations */
G_DEFINE_AUTOPTR_CLEANUP_FUNC(NotifyNotification, g_object_unref)

typedef struct {
	GMainLoop *loop;
	GDBusConnection *system_bus;
	GDBusConnection *session_bus;
	GCancellable *cancellable;
	GHashTable *notifications; /* slot id (static) → NotifyNotification */
	GHashTable *shown;	   /* slot id (static) → key of what it shows */
	guint watch_id;
	guint subscriptions[3];
	guint pending; /* async calls in flight (drained before exit) */
	gboolean once;
	gboolean daemon_present;
	gboolean server_failing; /* logged once until a notification gets through */
	gint exit_status;
} ImssNotifier;

typedef struct {
	ImssNotifier *self;
	gchar *slot; /* NULL: every slot */
} ImssNotifierCall;

static ImssNotifierCall *
imss_notifier_call_new(ImssNotifier *self, const gchar *slot)
{
	ImssNotifierCall *call = g_new0(ImssNotifierCall, 1);
	call->self = self;
	call->slot = g_strdup(slot);
	self->pending++;
	return call;
}

static void
imss_notifier_call_free(ImssNotifierCall *call)
{
	call->self->pending--;
	g_free(call->slot);
	g_free(call);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC(ImssNotifierCall, imss_notifier_call_free)

/* -- what a notification says ---------------------------------------------- */

/* the days of the daily mails (E−15 … G): their subject is the title */
static gboolean
imss_notifier_is_mail_period(const ImssNotice *notice)
{
	return notice->kind != IMSS_NOTICE_INACTIVE && notice->days_since >= IMSS_NOTICE_MAIL_FIRST_DAY &&
	       notice->days_since <= 90;
}

static gchar *
imss_notifier_notice_title(const ImssNotice *notice)
{
	const gchar *name = imss_slot_display_name(notice->slot);
	g_autofree gchar *e = imss_date_format(&notice->expiry);
	g_autofree gchar *g = imss_date_format(&notice->grace_end);

	if (imss_notifier_is_mail_period(notice)) {
		gchar *subject = imss_notice_render_mail_subject(NULL, notice);
		if (subject != NULL)
			return subject;
	}
	switch (notice->kind) {
	case IMSS_NOTICE_EXPIRING:
		return g_strdup_printf(
		    /* TRANSLATORS: notification title, 16 to 60 days before expiry;
		     * %1$s license name, %2$d days left */
		    ngettext("%1$s: license expires in %2$d day",
			     "%1$s: license expires in %2$d days",
			     (gulong)ABS(notice->days_left)),
		    name,
		    notice->days_left);
	case IMSS_NOTICE_EXPIRED:
		/* TRANSLATORS: notification title in the grace period; %1$s license
		 * name, %2$s expiry date (YYYY-MM-DD) */
		return g_strdup_printf(_("%1$s: license expired on %2$s"), name, e);
	case IMSS_NOTICE_UPDATES_ENDED:
		/* TRANSLATORS: notification title after the grace period; %1$s
		 * license name, %2$s end of the grace period (YYYY-MM-DD) */
		return g_strdup_printf(_("%1$s: product updates ended on %2$s"), name, g);
	case IMSS_NOTICE_INACTIVE:
	case IMSS_NOTICE_LAST:
	default:
		/* TRANSLATORS: notification title; %s license name */
		return g_strdup_printf(_("%s is not activated"), name);
	}
}

static NotifyUrgency
imss_notifier_urgency(ImssNoticeSeverity severity)
{
	switch (severity) {
	case IMSS_NOTICE_SEVERITY_CRITICAL:
		return NOTIFY_URGENCY_CRITICAL;
	case IMSS_NOTICE_SEVERITY_WARNING:
		return NOTIFY_URGENCY_NORMAL;
	case IMSS_NOTICE_SEVERITY_INFO:
	default:
		return NOTIFY_URGENCY_LOW;
	}
}

static const gchar *
imss_notifier_icon(ImssNoticeSeverity severity)
{
	switch (severity) {
	case IMSS_NOTICE_SEVERITY_CRITICAL:
		return "dialog-error";
	case IMSS_NOTICE_SEVERITY_WARNING:
		return "dialog-warning";
	case IMSS_NOTICE_SEVERITY_INFO:
	default:
		return "dialog-information";
	}
}

/* identifies what a notification says, so that the same notice is not shown
 * twice (GetNotices after a restart, a catch-up Notice on the same day) */
static gchar *
imss_notifier_notice_key(const ImssNotice *notice)
{
	g_autofree gchar *e = imss_date_format(&notice->expiry);
	return g_strdup_printf("notice|%s|%d|%d|%s",
			       imss_notice_kind_to_string(notice->kind),
			       notice->days_left,
			       notice->grace_left,
			       e);
}

/* -- the "Show license status" action -------------------------------------- */

static void
imss_notifier_open_terminal(void)
{
	g_autoptr(GError) error = NULL;
	const gchar *ctl = g_getenv("IMSS_LICENSECTL");
	g_autofree gchar *ctl_path = g_build_filename(IMSS_BINDIR, "imss-licensectl", NULL);
	/* TRANSLATORS: shown in the terminal under the license status */
	const gchar *prompt = _("Press Enter to close this window.");
	const gchar *argv[] = {"x-terminal-emulator",
			       "-e",
			       "sh",
			       "-c",
			       "\"$1\" status; printf '\\n%s ' \"$2\"; read -r _",
			       "sh",
			       ctl != NULL && *ctl != '\0' ? ctl : ctl_path,
			       prompt,
			       NULL};

	if (!g_spawn_async(NULL,
			   (gchar **)argv,
			   NULL,
			   G_SPAWN_SEARCH_PATH | G_SPAWN_STDIN_FROM_DEV_NULL,
			   NULL,
			   NULL,
			   NULL,
			   &error))
		g_warning("cannot open a terminal for the license status: %s", error->message);
}

static void
imss_notifier_details_url_cb(GObject *source, GAsyncResult *res, gpointer user_data)
{
	g_autoptr(ImssNotifierCall) call = user_data;
	g_autoptr(GError) error = NULL;
	g_autoptr(GVariant) reply = NULL;
	g_autoptr(GVariant) value = NULL;
	const gchar *url = NULL;

	reply = g_dbus_connection_call_finish(G_DBUS_CONNECTION(source), res, &error);
	if (reply == NULL) {
		if (g_error_matches(error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
			return;
		g_info("cannot read the details address of %s: %s", call->slot, error->message);
	} else {
		g_variant_get(reply, "(v)", &value);
		if (g_variant_is_of_type(value, G_VARIANT_TYPE_STRING))
			url = g_variant_get_string(value, NULL);
	}
	if (url != NULL && *url != '\0') {
		g_autoptr(GError) launch_error = NULL;
		g_debug("opening %s", url);
		if (g_app_info_launch_default_for_uri(url, NULL, &launch_error))
			return;
		g_warning("cannot open the details address: %s", launch_error->message);
	}
	imss_notifier_open_terminal();
}

static void
imss_notifier_action_cb(NotifyNotification *notification G_GNUC_UNUSED, char *action, gpointer user_data)
{
	ImssNotifierCall *action_data = user_data;
	ImssNotifier *self = action_data->self;
	ImssSlotId slot_id;
	g_autofree gchar *path = NULL;

	g_debug("action %s on %s", action, action_data->slot);
	if (!imss_slot_from_string(action_data->slot, &slot_id)) {
		imss_notifier_open_terminal();
		return;
	}
	path = imss_slot_object_path(slot_id);
	g_dbus_connection_call(self->system_bus,
			       IMSS_BUS_NAME,
			       path,
			       "org.freedesktop.DBus.Properties",
			       "Get",
			       g_variant_new("(ss)", IMSS_BUS_SLOT_IFACE, "DetailsUrl"),
			       G_VARIANT_TYPE("(v)"),
			       G_DBUS_CALL_FLAGS_NO_AUTO_START,
			       IMSS_NOTIFIER_CALL_TIMEOUT_MS,
			       self->cancellable,
			       imss_notifier_details_url_cb,
			       imss_notifier_call_new(self, action_data->slot));
}

/* the action's own data lives as long as the action (not counted as pending) */
static ImssNotifierCall *
imss_notifier_action_data_new(ImssNotifier *self, const gchar *slot)
{
	ImssNotifierCall *data = g_new0(ImssNotifierCall, 1);
	data->self = self;
	data->slot = g_strdup(slot);
	return data;
}

static void
imss_notifier_action_data_free(gpointer user_data)
{
	ImssNotifierCall *data = user_data;
	g_free(data->slot);
	g_free(data);
}

/* -- showing ---------------------------------------------------------------- */

static void
imss_notifier_server_failed(ImssNotifier *self, const gchar *message)
{
	if (self->once) {
		/* TRANSLATORS: --once could not show the notices; %s is the reason */
		g_printerr(_("imss-notifier: cannot show notifications: %s\n"), message);
		return;
	}
	if (!self->server_failing)
		g_warning("cannot show notifications: %s; trying again with the next notice", message);
	else
		g_debug("still cannot show notifications: %s", message);
	self->server_failing = TRUE;
}

/* The notification server's capabilities, asked directly so that a missing
 * server gives an error (libnotify's notify_get_server_caps() only warns)
 * and a bounded wait. */
static gchar **
imss_notifier_server_caps(ImssNotifier *self, GError **error)
{
	g_autoptr(GVariant) reply = NULL;
	gchar **caps = NULL;

	if (self->session_bus == NULL) {
		self->session_bus = g_bus_get_sync(G_BUS_TYPE_SESSION, NULL, error);
		if (self->session_bus == NULL)
			return NULL;
	}
	reply = g_dbus_connection_call_sync(self->session_bus,
					    "org.freedesktop.Notifications",
					    "/org/freedesktop/Notifications",
					    "org.freedesktop.Notifications",
					    "GetCapabilities",
					    NULL,
					    G_VARIANT_TYPE("(as)"),
					    G_DBUS_CALL_FLAGS_NONE,
					    IMSS_NOTIFIER_CAPS_TIMEOUT_MS,
					    NULL,
					    error);
	if (reply == NULL)
		return NULL;
	g_variant_get(reply, "(^as)", &caps);
	return caps;
}

/* Shows (or replaces) the notification of @slot. With a @key equal to what
 * the slot's notification already shows, nothing happens. */
static gboolean
imss_notifier_show(ImssNotifier *self,
		   const gchar *slot,
		   const gchar *kind,
		   const gchar *summary,
		   const gchar *body,
		   ImssNoticeSeverity severity,
		   const gchar *key)
{
	NotifyNotification *n;
	g_autoptr(GError) error = NULL;
	g_auto(GStrv) caps = NULL;
	g_autofree gchar *escaped = NULL;

	if (g_strcmp0(g_hash_table_lookup(self->shown, slot), key) == 0) {
		g_debug("%s: already shown: %s", slot, key);
		return TRUE;
	}
	caps = imss_notifier_server_caps(self, &error);
	if (caps == NULL) {
		imss_notifier_server_failed(self, error->message);
		return FALSE;
	}
	if (body != NULL && g_strv_contains((const gchar *const *)caps, "body-markup"))
		body = escaped = g_markup_escape_text(body, -1);

	n = g_hash_table_lookup(self->notifications, slot);
	if (n == NULL) {
		n = notify_notification_new(summary, body, imss_notifier_icon(severity));
		g_hash_table_insert(self->notifications, (gpointer)slot, n);
	} else {
		notify_notification_update(n, summary, body, imss_notifier_icon(severity));
	}
	notify_notification_set_urgency(n, imss_notifier_urgency(severity));
	notify_notification_set_hint(n, "x-imss-slot", g_variant_new_string(slot));
	notify_notification_set_hint(n, "x-imss-kind", g_variant_new_string(kind));
	notify_notification_set_hint(n, "desktop-entry", g_variant_new_string(IMSS_NOTIFIER_APP));
	notify_notification_clear_actions(n);
	if (!self->once && g_strv_contains((const gchar *const *)caps, "actions")) {
		notify_notification_add_action(n,
					       IMSS_NOTIFIER_ACTION,
					       /* TRANSLATORS: button in a notification */
					       _("Show license status"),
					       imss_notifier_action_cb,
					       imss_notifier_action_data_new(self, slot),
					       imss_notifier_action_data_free);
	}
	if (!notify_notification_show(n, &error)) {
		imss_notifier_server_failed(self, error->message);
		return FALSE;
	}
	if (self->server_failing)
		g_message("notifications are shown again");
	self->server_failing = FALSE;
	g_hash_table_insert(self->shown, (gpointer)slot, g_strdup(key));
	g_info("%s: shown %s: %s", slot, kind, summary);
	return TRUE;
}

static gboolean
imss_notifier_show_notice(ImssNotifier *self, const ImssNotice *notice)
{
	ImssNoticeSeverity severity = imss_notice_get_severity(notice);
	g_autofree gchar *title = imss_notifier_notice_title(notice);
	g_autofree gchar *body = imss_notice_render_console(NULL, notice);
	g_autofree gchar *key = imss_notifier_notice_key(notice);
	return imss_notifier_show(self,
				  imss_slot_to_string(notice->slot),
				  imss_notice_kind_to_string(notice->kind),
				  title,
				  body,
				  severity,
				  key);
}

/* the notice of a slot no longer applies (renewed, clock set back) */
static void
imss_notifier_withdraw(ImssNotifier *self, const gchar *slot)
{
	NotifyNotification *n = g_hash_table_lookup(self->notifications, slot);
	const gchar *key = g_hash_table_lookup(self->shown, slot);
	g_autoptr(GError) error = NULL;

	if (n == NULL || key == NULL || !g_str_has_prefix(key, "notice|"))
		return;
	g_info("%s: the notice no longer applies", slot);
	g_hash_table_remove(self->shown, slot);
	if (!notify_notification_close(n, &error))
		g_debug("cannot close the notification of %s: %s", slot, error->message);
}

/* -- the current notices ---------------------------------------------------- */

static gboolean
imss_notifier_show_current(ImssNotifier *self, GVariant *reply, const gchar *only_slot)
{
	g_autoptr(GVariantIter) iter = NULL;
	g_autoptr(GHashTable) seen = g_hash_table_new(g_str_hash, g_str_equal);
	GVariant *dict;
	gboolean ok = TRUE;

	g_variant_get(reply, "(aa{sv})", &iter);
	while ((dict = g_variant_iter_next_value(iter)) != NULL) {
		ImssNotice notice;
		if (!imss_notice_from_variant(dict, &notice)) {
			g_warning("ignoring a malformed notice from GetNotices");
		} else if (imss_notice_kind_has_dates(notice.kind) &&
			   (only_slot == NULL || g_strcmp0(only_slot, imss_slot_to_string(notice.slot)) == 0)) {
			/* one notification per slot, about its expiry; the gateway's own
			 * notices (a failed restart, a missing mail recipient) and the
			 * inactive components are for the console and the status */
			g_hash_table_add(seen, (gpointer)imss_slot_to_string(notice.slot));
			if (!imss_notifier_show_notice(self, &notice))
				ok = FALSE;
		}
		g_variant_unref(dict);
	}
	/* slots whose notice went away while we were not looking */
	for (guint i = 0; i < IMSS_SLOT_LAST; i++) {
		const gchar *slot = imss_slot_to_string((ImssSlotId)i);
		if ((only_slot == NULL || g_strcmp0(only_slot, slot) == 0) && !g_hash_table_contains(seen, slot))
			imss_notifier_withdraw(self, slot);
	}
	return ok;
}

static void
imss_notifier_refresh_cb(GObject *source, GAsyncResult *res, gpointer user_data)
{
	g_autoptr(ImssNotifierCall) call = user_data;
	g_autoptr(GError) error = NULL;
	g_autoptr(GVariant) reply = NULL;

	reply = g_dbus_connection_call_finish(G_DBUS_CONNECTION(source), res, &error);
	if (reply == NULL) {
		if (!g_error_matches(error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
			g_info("cannot read the current notices: %s", error->message);
		return;
	}
	imss_notifier_show_current(call->self, reply, call->slot);
	if (call->slot == NULL)
		g_info("read the current notices");
}

/* reads the current notices and shows those not shown yet (@slot: only that one) */
static void
imss_notifier_refresh(ImssNotifier *self, const gchar *slot)
{
	g_dbus_connection_call(self->system_bus,
			       IMSS_BUS_NAME,
			       IMSS_BUS_OBJECT_PATH,
			       IMSS_BUS_MANAGER_IFACE,
			       "GetNotices",
			       g_variant_new("(s)", ""),
			       G_VARIANT_TYPE("(aa{sv})"),
			       G_DBUS_CALL_FLAGS_NO_AUTO_START,
			       IMSS_NOTIFIER_CALL_TIMEOUT_MS,
			       self->cancellable,
			       imss_notifier_refresh_cb,
			       imss_notifier_call_new(self, slot));
}

/* -- signals ---------------------------------------------------------------- */

static void
imss_notifier_notice_cb(GDBusConnection *connection G_GNUC_UNUSED,
			const gchar *sender G_GNUC_UNUSED,
			const gchar *path G_GNUC_UNUSED,
			const gchar *iface G_GNUC_UNUSED,
			const gchar *signal_name G_GNUC_UNUSED,
			GVariant *params,
			gpointer user_data)
{
	ImssNotifier *self = user_data;
	const gchar *slot = NULL, *kind = NULL;
	g_autoptr(GVariant) fields = NULL;
	ImssNotice notice;

	if (!g_variant_is_of_type(params, G_VARIANT_TYPE("(ssa{sv})")))
		return;
	g_variant_get(params, "(&s&s@a{sv})", &slot, &kind, &fields);
	g_debug("Notice %s %s", slot, kind);
	if (!imss_notice_from_variant(fields, &notice)) {
		g_warning("ignoring a malformed notice for %s", slot);
		return;
	}
	if (imss_notice_kind_has_dates(notice.kind))
		imss_notifier_show_notice(self, &notice);
}

static void
imss_notifier_state_cb(GDBusConnection *connection G_GNUC_UNUSED,
		       const gchar *sender G_GNUC_UNUSED,
		       const gchar *path G_GNUC_UNUSED,
		       const gchar *iface G_GNUC_UNUSED,
		       const gchar *signal_name G_GNUC_UNUSED,
		       GVariant *params,
		       gpointer user_data)
{
	ImssNotifier *self = user_data;
	const gchar *slot = NULL, *old_state = NULL, *new_state = NULL;

	if (!g_variant_is_of_type(params, G_VARIANT_TYPE("(sss)")))
		return;
	g_variant_get(params, "(&s&s&s)", &slot, &old_state, &new_state);
	if (!imss_slot_from_string(slot, NULL))
		return;
	g_debug("StateChanged %s %s → %s", slot, old_state, new_state);
	/* entering expiring, grace or expired comes with the daemon's Notice;
	 * back to active (renewed) or not activated, the slot's notice no longer
	 * applies: re-read, which withdraws it */
	if (g_strcmp0(new_state, "active") == 0 || g_strcmp0(new_state, "not-activated") == 0)
		imss_notifier_refresh(self, slot);
}

static void
imss_notifier_license_cb(GDBusConnection *connection G_GNUC_UNUSED,
			 const gchar *sender G_GNUC_UNUSED,
			 const gchar *path G_GNUC_UNUSED,
			 const gchar *iface G_GNUC_UNUSED,
			 const gchar *signal_name G_GNUC_UNUSED,
			 GVariant *params,
			 gpointer user_data)
{
	ImssNotifier *self = user_data;
	const gchar *slot = NULL, *reason = NULL;
	g_autoptr(GVariant) dict = NULL;
	g_auto(ImssLicenseChangeRecord) details = {NULL};
	g_autoptr(GError) error = NULL;
	g_autofree gchar *title = NULL;
	g_autofree gchar *body = NULL;
	g_autofree gchar *key = NULL;
	ImssSlotId slot_id;
	const gchar *name;

	if (!g_variant_is_of_type(params, G_VARIANT_TYPE("(ssa{sv})")))
		return;
	g_variant_get(params, "(&s&s@a{sv})", &slot, &reason, &dict);
	if (!imss_slot_from_string(slot, &slot_id))
		return;
	g_debug("LicenseChanged %s %s", slot, reason);
	if (!imss_license_change_record_from_variant(dict, &details, &error)) {
		g_warning("ignoring LicenseChanged for %s: %s", slot, error->message);
		return;
	}
	name = imss_slot_display_name(slot_id);
	if (g_strcmp0(reason, "activated") == 0)
		/* TRANSLATORS: notification title; %s license name */
		title = g_strdup_printf(_("%s: license activated"), name);
	else if (g_strcmp0(reason, "renewed") == 0)
		/* TRANSLATORS: notification title; %s license name */
		title = g_strdup_printf(_("%s: license renewed"), name);
	else
		/* TRANSLATORS: notification title (the expiry date was corrected); %s license name */
		title = g_strdup_printf(_("%s: license updated"), name);
	if (*details.expiry != '\0')
		/* TRANSLATORS: notification body; %s expiry date (YYYY-MM-DD) */
		body = g_strdup_printf(_("The license expires on %s."), details.expiry);
	key = g_strdup_printf("license|%s|%s", reason, details.expiry);
	imss_notifier_show(self,
			   imss_slot_to_string(slot_id),
			   "license-changed",
			   title,
			   body,
			   IMSS_NOTICE_SEVERITY_INFO,
			   key);
}

/* -- the daemon coming and going -------------------------------------------- */

static void
imss_notifier_appeared_cb(GDBusConnection *connection G_GNUC_UNUSED,
			  const gchar *name,
			  const gchar *name_owner,
			  gpointer user_data)
{
	ImssNotifier *self = user_data;
	g_info("%s appeared (%s)", name, name_owner);
	self->daemon_present = TRUE;
	imss_notifier_refresh(self, NULL);
}

static void
imss_notifier_vanished_cb(GDBusConnection *connection G_GNUC_UNUSED, const gchar *name, gpointer user_data)
{
	ImssNotifier *self = user_data;
	if (self->daemon_present)
		g_message("%s went away; waiting for it to come back", name);
	else
		g_message("%s is not running; waiting for it", name);
	self->daemon_present = FALSE;
}

static void
imss_notifier_subscribe(ImssNotifier *self)
{
	const struct {
		const gchar *member;
		GDBusSignalCallback callback;
	} signals[] = {
	    {"Notice", imss_notifier_notice_cb},
	    {"StateChanged", imss_notifier_state_cb},
	    {"LicenseChanged", imss_notifier_license_cb},
	};
	G_STATIC_ASSERT(G_N_ELEMENTS(signals) == G_N_ELEMENTS(((ImssNotifier *)NULL)->subscriptions));

	/* by the well-known name: the subscriptions follow a restarted daemon */
	for (guint i = 0; i < G_N_ELEMENTS(signals); i++) {
		self->subscriptions[i] = g_dbus_connection_signal_subscribe(self->system_bus,
									    IMSS_BUS_NAME,
									    IMSS_BUS_MANAGER_IFACE,
									    signals[i].member,
									    IMSS_BUS_OBJECT_PATH,
									    NULL,
									    G_DBUS_SIGNAL_FLAGS_NONE,
									    signals[i].callback,
									    self,
									    NULL);
	}
}

/* -- --once ------------------------------------------------------------------- */

static gboolean
imss_notifier_run_once(ImssNotifier *self)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(GVariant) reply = NULL;

	reply = g_dbus_connection_call_sync(self->system_bus,
					    IMSS_BUS_NAME,
					    IMSS_BUS_OBJECT_PATH,
					    IMSS_BUS_MANAGER_IFACE,
					    "GetNotices",
					    g_variant_new("(s)", ""),
					    G_VARIANT_TYPE("(aa{sv})"),
					    G_DBUS_CALL_FLAGS_NO_AUTO_START,
					    IMSS_NOTIFIER_CALL_TIMEOUT_MS,
					    NULL,
					    &error);
	if (reply == NULL) {
		g_autofree gchar *remote = g_dbus_error_get_remote_error(error);
		if (g_strcmp0(remote, "org.freedesktop.DBus.Error.ServiceUnknown") == 0 ||
		    g_strcmp0(remote, "org.freedesktop.DBus.Error.NameHasNoOwner") == 0) {
			/* TRANSLATORS: the daemon is not running */
			g_printerr("imss-notifier: %s\n", _("The license service (imss-licensed) is not running."));
		} else {
			g_dbus_error_strip_remote_error(error);
			/* TRANSLATORS: %s is the reason */
			g_printerr(_("imss-notifier: cannot read the license notices: %s\n"), error->message);
		}
		return FALSE;
	}
	return imss_notifier_show_current(self, reply, NULL);
}

/* -- main --------------------------------------------------------------------- */

static gboolean
imss_notifier_quit_cb(gpointer user_data)
{
	ImssNotifier *self = user_data;
	g_info("terminating");
	g_main_loop_quit(self->loop);
	return G_SOURCE_CONTINUE;
}

static void
imss_notifier_system_bus_closed_cb(GDBusConnection *connection G_GNUC_UNUSED,
				   gboolean remote_peer_vanished G_GNUC_UNUSED,
				   GError *error,
				   gpointer user_data)
{
	ImssNotifier *self = user_data;
	g_warning("the system bus went away%s%s", error != NULL ? ": " : "", error != NULL ? error->message : "");
	self->exit_status = EXIT_FAILURE;
	g_main_loop_quit(self->loop);
}

static void
imss_notifier_clear(ImssNotifier *self)
{
	g_cancellable_cancel(self->cancellable);
	/* let cancelled calls finish, so that nothing outlives self */
	while (self->pending > 0)
		g_main_context_iteration(NULL, TRUE);
	if (self->watch_id != 0)
		g_bus_unwatch_name(self->watch_id);
	for (guint i = 0; i < G_N_ELEMENTS(self->subscriptions); i++) {
		if (self->subscriptions[i] != 0)
			g_dbus_connection_signal_unsubscribe(self->system_bus, self->subscriptions[i]);
	}
	if (self->system_bus != NULL)
		g_signal_handlers_disconnect_by_data(self->system_bus, self);
	/* before notify_uninit(): disposing a notification uses libnotify's proxy */
	g_clear_pointer(&self->notifications, g_hash_table_unref);
	g_clear_pointer(&self->shown, g_hash_table_unref);
	notify_uninit();
	g_clear_object(&self->session_bus);
	g_clear_object(&self->system_bus);
	g_clear_object(&self->cancellable);
	g_clear_pointer(&self->loop, g_main_loop_unref);
}

int
main(int argc, char *argv[])
{
	ImssNotifier self = {0};
	gboolean once = FALSE;
	gboolean verbose = FALSE;
	gboolean version = FALSE;
	g_autoptr(GOptionContext) context = NULL;
	g_autoptr(GError) error = NULL;
	guint sigterm_id, sigint_id;
	const GOptionEntry options[] = {
	    {"once",
	     0,
	     G_OPTION_FLAG_NONE,
	     G_OPTION_ARG_NONE,
	     &once,
	     /* TRANSLATORS: --once option */
	     N_("Show the current license notices and exit"),
	     NULL},
	    /* TRANSLATORS: --verbose option */
	    {"verbose", 'v', G_OPTION_FLAG_NONE, G_OPTION_ARG_NONE, &verbose, N_("Log what happens"), NULL},
	    /* TRANSLATORS: --version option */
	    {"version", 0, G_OPTION_FLAG_NONE, G_OPTION_ARG_NONE, &version, N_("Show the version"), NULL},
	    {NULL}};

	setlocale(LC_ALL, "");
	imss_catalog_bind_textdomain();

	context = g_option_context_new(NULL);
	g_option_context_set_translation_domain(context, GETTEXT_PACKAGE);
	g_option_context_add_main_entries(context, options, GETTEXT_PACKAGE);
	/* TRANSLATORS: one-line summary in --help */
	g_option_context_set_summary(context,
				     _("Show the license notices of InterScan Messaging Security on the desktop."));
	if (!g_option_context_parse(context, &argc, &argv, &error)) {
		g_printerr("imss-notifier: %s\n", error->message);
		return 2;
	}
	if (version) {
		g_print("imss-notifier %s\n", PACKAGE_VERSION);
		return EXIT_SUCCESS;
	}
	if (argc > 1) {
		/* TRANSLATORS: %s is what the user typed */
		g_printerr(_("imss-notifier: unexpected argument “%s”; see --help\n"), argv[1]);
		return 2;
	}
	/* our messages only: GLib's and libnotify's debug output is noise here */
	if (verbose)
		g_setenv("G_MESSAGES_DEBUG", G_LOG_DOMAIN, FALSE);

	self.once = once;
	self.exit_status = EXIT_SUCCESS;
	self.notifications = g_hash_table_new_full(g_str_hash, g_str_equal, NULL, g_object_unref);
	self.shown = g_hash_table_new_full(g_str_hash, g_str_equal, NULL, g_free);
	self.cancellable = g_cancellable_new();
	self.loop = g_main_loop_new(NULL, FALSE);
	/* early: no server is asked yet */
	notify_init(IMSS_NOTIFIER_APP);

	self.system_bus = g_bus_get_sync(G_BUS_TYPE_SYSTEM, NULL, &error);
	if (self.system_bus == NULL) {
		/* TRANSLATORS: %s is the reason */
		g_printerr(_("imss-notifier: cannot connect to the system bus: %s\n"), error->message);
		imss_notifier_clear(&self);
		return EXIT_FAILURE;
	}

	if (once) {
		gboolean ok = imss_notifier_run_once(&self);
		imss_notifier_clear(&self);
		return ok ? EXIT_SUCCESS : EXIT_FAILURE;
	}

	/* a lost system bus ends the session's notifier cleanly, not by SIGTERM */
	g_dbus_connection_set_exit_on_close(self.system_bus, FALSE);
	g_signal_connect(self.system_bus, "closed", G_CALLBACK(imss_notifier_system_bus_closed_cb), &self);
	sigterm_id = g_unix_signal_add(SIGTERM, imss_notifier_quit_cb, &self);
	sigint_id = g_unix_signal_add(SIGINT, imss_notifier_quit_cb, &self);

	imss_notifier_subscribe(&self);
	self.watch_id = g_bus_watch_name_on_connection(self.system_bus,
						       IMSS_BUS_NAME,
						       G_BUS_NAME_WATCHER_FLAGS_NONE,
						       imss_notifier_appeared_cb,
						       imss_notifier_vanished_cb,
						       &self,
						       NULL);
	g_info("listening for license notices");
	g_main_loop_run(self.loop);

	g_source_remove(sigterm_id);
	g_source_remove(sigint_id);
	imss_notifier_clear(&self);
	return self.exit_status;
}
