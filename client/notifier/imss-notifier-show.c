/*
 * imss-notifier: showing — one notification per license slot, replaced in
 * place and withdrawn when its notice no longer applies, with a "Show license
 * status" action. A missing notification server is logged once.
 */
#define G_LOG_DOMAIN "ImssNotifier"

#include "config.h"

#include <glib/gi18n.h>

#include "imss-bus.h"
#include "imss-notifier.h"

#define IMSS_NOTIFIER_ACTION "details"
/* GetCapabilities may start the notification server (D-Bus activation) */
#define IMSS_NOTIFIER_CAPS_TIMEOUT_MS 5000

#ifndef IMSS_BINDIR
#define IMSS_BINDIR "/usr/bin"
#endif

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

/* the slot's page on the license server (its DetailsUrl), or a terminal
 * with the status when there is none */
static void
imss_notifier_action_cb(NotifyNotification *notification G_GNUC_UNUSED, char *action, gpointer user_data)
{
	ImssNotifierCall *action_data = user_data;
	ImssNotifier *self = action_data->self;
	ImssSlot *slot = NULL;
	const gchar *url = NULL;

	g_debug("action %s on %s", action, action_data->slot);
	/* the library keeps the last values while the daemon is away: an
	 * address is only taken from a running daemon */
	if (self->client != NULL && imss_client_get_daemon_running(self->client))
		slot = imss_client_get_slot(self->client, action_data->slot);
	if (slot != NULL)
		url = imss_slot_get_details_url(slot);
	if (url != NULL && *url != '\0') {
		g_autoptr(GError) launch_error = NULL;
		g_debug("opening %s", url);
		if (g_app_info_launch_default_for_uri(url, NULL, &launch_error))
			return;
		g_warning("cannot open the details address: %s", launch_error->message);
	}
	imss_notifier_open_terminal();
}

/* -- the notification server ------------------------------------------------ */

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

/* -- showing ---------------------------------------------------------------- */

/* the notification of @slot, new or updated, ready to show (owned by self) */
static NotifyNotification *
imss_notifier_prepare(ImssNotifier *self,
		      const gchar *slot,
		      const gchar *kind,
		      const gchar *summary,
		      const gchar *body,
		      ImssNoticeSeverity severity,
		      const gchar *const *caps)
{
	NotifyNotification *n = g_hash_table_lookup(self->notifications, slot);

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
	if (!self->once && g_strv_contains(caps, "actions")) {
		notify_notification_add_action(n,
					       IMSS_NOTIFIER_ACTION,
					       /* TRANSLATORS: button in a notification */
					       _("Show license status"),
					       imss_notifier_action_cb,
					       imss_notifier_call_new(self, slot, FALSE),
					       imss_notifier_call_free);
	}
	return n;
}

gboolean
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

	g_return_val_if_fail(self != NULL, FALSE);
	g_return_val_if_fail(slot != NULL && kind != NULL && summary != NULL, FALSE);
	g_return_val_if_fail(key != NULL, FALSE);

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
	n = imss_notifier_prepare(self, slot, kind, summary, body, severity, (const gchar *const *)caps);
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

gboolean
imss_notifier_show_notice(ImssNotifier *self, const ImssNoticeData *notice)
{
	ImssNoticeSeverity severity;
	g_autofree gchar *title = NULL;
	g_autofree gchar *body = NULL;
	g_autofree gchar *key = NULL;

	g_return_val_if_fail(self != NULL, FALSE);
	g_return_val_if_fail(notice != NULL, FALSE);

	severity = imss_notice_data_get_severity(notice);
	title = imss_notifier_notice_title(notice);
	body = imss_notice_render_console(NULL, notice);
	key = imss_notifier_notice_key(notice);
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

gboolean
imss_notifier_show_current(ImssNotifier *self, GPtrArray *notices, const gchar *only_slot)
{
	g_autoptr(GHashTable) seen = g_hash_table_new(g_str_hash, g_str_equal);
	gboolean ok = TRUE;

	g_return_val_if_fail(self != NULL, FALSE);
	g_return_val_if_fail(notices != NULL, FALSE);

	for (guint i = 0; i < notices->len; i++) {
		GVariant *dict = imss_notice_get_fields(g_ptr_array_index(notices, i));
		ImssNoticeData notice;
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
	}
	/* slots whose notice went away while we were not looking */
	for (guint i = 0; i < IMSS_SLOT_LAST; i++) {
		const gchar *slot = imss_slot_to_string((ImssSlotId)i);
		if ((only_slot == NULL || g_strcmp0(only_slot, slot) == 0) && !g_hash_table_contains(seen, slot))
			imss_notifier_withdraw(self, slot);
	}
	return ok;
}
