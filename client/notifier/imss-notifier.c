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

#include <glib-unix.h>
#include <glib/gi18n.h>
#include <locale.h>
#include <signal.h>
#include <stdlib.h>

#include "imss-bus.h"
#include "imss-catalog.h"
#include "imss-client.h"
#include "imss-notifier.h"

/* -- a callback's data ------------------------------------------------------ */

ImssNotifierCall *
imss_notifier_call_new(ImssNotifier *self, const gchar *slot, gboolean pending)
{
	ImssNotifierCall *call;

	g_return_val_if_fail(self != NULL, NULL);

	call = g_new0(ImssNotifierCall, 1);
	call->self = self;
	call->slot = g_strdup(slot);
	call->pending = pending;
	if (pending)
		self->pending++;
	return call;
}

void
imss_notifier_call_free(gpointer data)
{
	ImssNotifierCall *call = data;

	if (call == NULL)
		return;
	if (call->pending)
		call->self->pending--;
	g_free(call->slot);
	g_free(call);
}

/* -- the current notices ---------------------------------------------------- */

static void
imss_notifier_refresh_cb(GObject *source, GAsyncResult *res, gpointer user_data)
{
	g_autoptr(ImssNotifierCall) call = user_data;
	g_autoptr(GError) error = NULL;
	g_autoptr(GPtrArray) notices = NULL;

	notices = imss_client_get_notices_finish(IMSS_CLIENT(source), res, &error);
	if (notices == NULL) {
		if (!g_error_matches(error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
			g_info("cannot read the current notices: %s", error->message);
		return;
	}
	imss_notifier_show_current(call->self, notices, call->slot);
	if (call->slot == NULL)
		g_info("read the current notices");
}

/* reads the current notices and shows those not shown yet (@slot: only that one) */
static void
imss_notifier_refresh(ImssNotifier *self, const gchar *slot)
{
	/* the notifier renders the texts itself (imss-notifier-text.c) */
	imss_client_get_notices_async(self->client,
				      NULL,
				      self->cancellable,
				      imss_notifier_refresh_cb,
				      imss_notifier_call_new(self, slot, TRUE));
}

/* -- signals ---------------------------------------------------------------- */

/* the handlers: each gets @params of the type its signal has in
 * imss_notifier_signals */

static void
imss_notifier_notice(ImssNotifier *self, GVariant *params)
{
	const gchar *slot = NULL, *kind = NULL;
	g_autoptr(GVariant) fields = NULL;
	ImssNoticeData notice;

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
imss_notifier_state(ImssNotifier *self, GVariant *params)
{
	const gchar *slot = NULL, *old_state = NULL, *new_state = NULL;

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
imss_notifier_license(ImssNotifier *self, GVariant *params)
{
	const gchar *slot = NULL, *reason = NULL;
	g_autoptr(GVariant) dict = NULL;
	g_auto(ImssLicenseChangeRecord) details = {NULL};
	g_autoptr(GError) error = NULL;
	g_autofree gchar *title = NULL;
	g_autofree gchar *body = NULL;
	g_autofree gchar *key = NULL;
	ImssSlotId slot_id;

	g_variant_get(params, "(&s&s@a{sv})", &slot, &reason, &dict);
	if (!imss_slot_from_string(slot, &slot_id))
		return;
	g_debug("LicenseChanged %s %s", slot, reason);
	if (!imss_license_change_record_from_variant(dict, &details, &error)) {
		g_warning("ignoring LicenseChanged for %s: %s", slot, error->message);
		return;
	}
	title = imss_notifier_license_title(slot_id, reason);
	body = imss_notifier_license_body(&details);
	key = imss_notifier_license_key(reason, &details);
	imss_notifier_show(self,
			   imss_slot_to_string(slot_id),
			   "license-changed",
			   title,
			   body,
			   IMSS_NOTICE_SEVERITY_INFO,
			   key);
}

/* the signals the notifier follows: member, type, handler */
static const struct {
	const gchar *member;
	const gchar *type;
	void (*handler)(ImssNotifier *self, GVariant *params);
} imss_notifier_signals[] = {
    {"Notice", "(ssa{sv})", imss_notifier_notice},
    {"StateChanged", "(sss)", imss_notifier_state},
    {"LicenseChanged", "(ssa{sv})", imss_notifier_license},
};

G_STATIC_ASSERT(G_N_ELEMENTS(imss_notifier_signals) ==
		G_N_ELEMENTS(((ImssNotifier *)NULL)->subscriptions));

/* one subscription per signal; a signal of another type is ignored */
static void
imss_notifier_signal_cb(GDBusConnection *connection G_GNUC_UNUSED,
			const gchar *sender G_GNUC_UNUSED,
			const gchar *path G_GNUC_UNUSED,
			const gchar *iface G_GNUC_UNUSED,
			const gchar *signal_name,
			GVariant *params,
			gpointer user_data)
{
	for (guint i = 0; i < G_N_ELEMENTS(imss_notifier_signals); i++) {
		if (g_strcmp0(signal_name, imss_notifier_signals[i].member) != 0)
			continue;
		if (g_variant_is_of_type(params, G_VARIANT_TYPE(imss_notifier_signals[i].type)))
			imss_notifier_signals[i].handler(user_data, params);
		return;
	}
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
	/* by the well-known name: the subscriptions follow a restarted daemon */
	for (guint i = 0; i < G_N_ELEMENTS(imss_notifier_signals); i++) {
		self->subscriptions[i] =
		    g_dbus_connection_signal_subscribe(self->system_bus,
						       IMSS_BUS_NAME,
						       IMSS_BUS_MANAGER_IFACE,
						       imss_notifier_signals[i].member,
						       IMSS_BUS_OBJECT_PATH,
						       NULL,
						       G_DBUS_SIGNAL_FLAGS_NONE,
						       imss_notifier_signal_cb,
						       self,
						       NULL);
	}
}

/* -- --once ------------------------------------------------------------------- */

static void
imss_notifier_once_cb(GObject *source G_GNUC_UNUSED, GAsyncResult *res, gpointer user_data)
{
	GAsyncResult **result = user_data;
	*result = g_object_ref(res);
}

static gboolean
imss_notifier_run_once(ImssNotifier *self)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(GPtrArray) notices = NULL;
	g_autoptr(GAsyncResult) res = NULL;

	imss_client_get_notices_async(self->client, NULL, NULL, imss_notifier_once_cb, &res);
	while (res == NULL)
		g_main_context_iteration(NULL, TRUE);
	notices = imss_client_get_notices_finish(self->client, res, &error);
	if (notices == NULL) {
		const gchar *absent = imss_client_daemon_absent_text(error);
		if (absent != NULL) {
			g_printerr("imss-notifier: %s\n", absent);
		} else {
			g_dbus_error_strip_remote_error(error);
			/* TRANSLATORS: %s is the reason */
			g_printerr(_("imss-notifier: cannot read the license notices: %s\n"), error->message);
		}
		return FALSE;
	}
	return imss_notifier_show_current(self, notices, NULL);
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
	g_clear_object(&self->client);
	g_clear_object(&self->system_bus);
	g_clear_object(&self->cancellable);
	g_clear_pointer(&self->loop, g_main_loop_unref);
}

/* The command line: FALSE when the program is to end at once with
 * *exit_status (--version, --help, a bad option). */
static gboolean
imss_notifier_parse_args(int *argc, char ***argv, gboolean *once, gint *exit_status)
{
	gboolean verbose = FALSE;
	gboolean version = FALSE;
	g_autoptr(GOptionContext) context = NULL;
	g_autoptr(GError) error = NULL;
	const GOptionEntry options[] = {
	    {"once",
	     0,
	     G_OPTION_FLAG_NONE,
	     G_OPTION_ARG_NONE,
	     once,
	     /* TRANSLATORS: --once option */
	     N_("Show the current license notices and exit"),
	     NULL},
	    /* TRANSLATORS: --verbose option */
	    {"verbose", 'v', G_OPTION_FLAG_NONE, G_OPTION_ARG_NONE, &verbose, N_("Log what happens"), NULL},
	    /* TRANSLATORS: --version option */
	    {"version", 0, G_OPTION_FLAG_NONE, G_OPTION_ARG_NONE, &version, N_("Show the version"), NULL},
	    {NULL}};

	context = g_option_context_new(NULL);
	g_option_context_set_translation_domain(context, GETTEXT_PACKAGE);
	g_option_context_add_main_entries(context, options, GETTEXT_PACKAGE);
	/* TRANSLATORS: one-line summary in --help */
	g_option_context_set_summary(context,
				     _("Show the license notices of InterScan Messaging Security on the desktop."));
	*exit_status = 2;
	if (!g_option_context_parse(context, argc, argv, &error)) {
		g_printerr("imss-notifier: %s\n", error->message);
		return FALSE;
	}
	if (version) {
		g_print("imss-notifier %s\n", PACKAGE_VERSION);
		*exit_status = EXIT_SUCCESS;
		return FALSE;
	}
	if (*argc > 1) {
		/* TRANSLATORS: %s is what the user typed */
		g_printerr(_("imss-notifier: unexpected argument “%s”; see --help\n"), (*argv)[1]);
		return FALSE;
	}
	/* our messages only: GLib's and libnotify's debug output is noise here */
	if (verbose)
		g_setenv("G_MESSAGES_DEBUG", G_LOG_DOMAIN, FALSE);
	return TRUE;
}

/* everything but the system bus */
static void
imss_notifier_init(ImssNotifier *self, gboolean once)
{
	self->once = once;
	self->exit_status = EXIT_SUCCESS;
	self->notifications = g_hash_table_new_full(g_str_hash, g_str_equal, NULL, g_object_unref);
	self->shown = g_hash_table_new_full(g_str_hash, g_str_equal, NULL, g_free);
	self->cancellable = g_cancellable_new();
	self->loop = g_main_loop_new(NULL, FALSE);
	/* early: no server is asked yet */
	notify_init(IMSS_NOTIFIER_APP);
}

/* listens until SIGTERM, SIGINT or the loss of the system bus */
static void
imss_notifier_run(ImssNotifier *self)
{
	guint sigterm_id, sigint_id;

	/* a lost system bus ends the session's notifier cleanly, not by SIGTERM */
	g_dbus_connection_set_exit_on_close(self->system_bus, FALSE);
	g_signal_connect(self->system_bus, "closed", G_CALLBACK(imss_notifier_system_bus_closed_cb), self);
	sigterm_id = g_unix_signal_add(SIGTERM, imss_notifier_quit_cb, self);
	sigint_id = g_unix_signal_add(SIGINT, imss_notifier_quit_cb, self);

	imss_notifier_subscribe(self);
	self->watch_id = g_bus_watch_name_on_connection(self->system_bus,
							IMSS_BUS_NAME,
							G_BUS_NAME_WATCHER_FLAGS_NONE,
							imss_notifier_appeared_cb,
							imss_notifier_vanished_cb,
							self,
							NULL);
	g_info("listening for license notices");
	g_main_loop_run(self->loop);

	g_source_remove(sigterm_id);
	g_source_remove(sigint_id);
}

int
main(int argc, char *argv[])
{
	ImssNotifier self = {0};
	g_autoptr(GError) error = NULL;
	gboolean once = FALSE;
	gint exit_status;

	setlocale(LC_ALL, "");
	imss_catalog_bind_textdomain();
	if (!imss_notifier_parse_args(&argc, &argv, &once, &exit_status))
		return exit_status;

	imss_notifier_init(&self, once);
	self.system_bus = g_bus_get_sync(G_BUS_TYPE_SYSTEM, NULL, &error);
	if (self.system_bus == NULL) {
		/* TRANSLATORS: %s is the reason */
		g_printerr(_("imss-notifier: cannot connect to the system bus: %s\n"), error->message);
		imss_notifier_clear(&self);
		return EXIT_FAILURE;
	}
	self.client = imss_client_new_sync(IMSS_CLIENT_FLAGS_DO_NOT_AUTO_START, NULL, &error);
	if (self.client == NULL) {
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
	imss_notifier_run(&self);
	imss_notifier_clear(&self);
	return self.exit_status;
}
