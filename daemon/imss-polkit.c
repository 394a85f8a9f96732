#define G_LOG_DOMAIN "ImssPolkit"

#include "config.h"

#include <gio/gio.h>

#include "imss-error.h"
#include "imss-polkit.h"
#include "imss-records.h"

/* Bounds on the wait for polkitd (it may hang): below the 25 s a D-Bus
 * caller waits by default, so that such a caller hears NotAuthorized rather
 * than NoReply; an interactive check (a password prompt) gets longer, below
 * the 120 s imss-licensectl waits. IMSS_POLKIT_TIMEOUT (seconds) overrides
 * both for tests. */
#define IMSS_POLKIT_TIMEOUT		20
#define IMSS_POLKIT_TIMEOUT_INTERACTIVE 110

struct _ImssPolkit {
	GObject parent_instance;
	GDBusConnection *bus; /* the system bus, obtained on first use */
	guint next_cancellation;
};

G_DEFINE_TYPE(ImssPolkit, imss_polkit, G_TYPE_OBJECT)

typedef struct {
	gchar *sender;
	gchar *action_id;
	gboolean interactive;
	GCancellable *cancellable; /* ours: the deadline and the caller leaving cancel it */
	gulong cancelled_id;	   /* on the caller's cancellable */
	GCancellable *caller_cancellable;
	guint timeout_id;
	guint watch_id;
	const gchar *why_cancelled; /* static */
	guint timeout;
	GDBusConnection *bus;	 /* while polkitd has the check */
	gchar *cancellation_id; /* polkitd's name for this check */
} ImssPolkitHelper;

static void
imss_polkit_helper_free(ImssPolkitHelper *helper)
{
	if (helper->timeout_id != 0)
		g_source_remove(helper->timeout_id);
	if (helper->watch_id != 0)
		g_bus_unwatch_name(helper->watch_id);
	if (helper->caller_cancellable != NULL)
		g_cancellable_disconnect(helper->caller_cancellable, helper->cancelled_id);
	g_clear_object(&helper->caller_cancellable);
	g_clear_object(&helper->cancellable);
	g_clear_object(&helper->bus);
	g_free(helper->cancellation_id);
	g_free(helper->sender);
	g_free(helper->action_id);
	g_free(helper);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC(ImssPolkitHelper, imss_polkit_helper_free)

/* fail closed; @reason (English, for the caller) says why when the answer
 * was not polkit's "no" */
static void
imss_polkit_deny(GTask *task, const gchar *why, const gchar *reason)
{
	ImssPolkitHelper *helper = g_task_get_task_data(task);
	g_message("denied %s to %s: %s", helper->action_id, helper->sender, why);
	if (reason != NULL)
		g_task_return_new_error(task,
					IMSS_ERROR,
					IMSS_ERROR_NOT_AUTHORIZED,
					"%s %s",
					imss_error_to_text(IMSS_ERROR_NOT_AUTHORIZED),
					reason);
	else
		g_task_return_new_error(task,
					IMSS_ERROR,
					IMSS_ERROR_NOT_AUTHORIZED,
					"%s",
					imss_error_to_text(IMSS_ERROR_NOT_AUTHORIZED));
}

/* polkit could not be asked or did not answer: never "yes" */
static void
imss_polkit_deny_error(GTask *task, const GError *error)
{
	ImssPolkitHelper *helper = g_task_get_task_data(task);
	g_autofree gchar *reason = NULL;
	if (helper->why_cancelled == NULL) {
		imss_polkit_deny(task, error->message, NULL);
		return;
	}
	reason = g_strdup_printf("The authorization could not be checked (%s, after at most %u s); "
				 "nothing was changed.",
				 helper->why_cancelled,
				 helper->timeout);
	imss_polkit_deny(task, helper->why_cancelled, reason);
}

static void
imss_polkit_cancel(ImssPolkitHelper *helper, const gchar *why)
{
	if (helper->why_cancelled == NULL)
		helper->why_cancelled = why;
	/* polkitd closes its side too (a password prompt goes away) */
	if (helper->bus != NULL && !g_cancellable_is_cancelled(helper->cancellable))
		g_dbus_connection_call(helper->bus, "org.freedesktop.PolicyKit1",
				       "/org/freedesktop/PolicyKit1/Authority",
				       "org.freedesktop.PolicyKit1.Authority", "CancelCheckAuthorization",
				       g_variant_new("(s)", helper->cancellation_id), NULL,
				       G_DBUS_CALL_FLAGS_NONE, -1, NULL, NULL, NULL);
	g_cancellable_cancel(helper->cancellable);
}

static gboolean
imss_polkit_timeout_cb(gpointer user_data)
{
	ImssPolkitHelper *helper = user_data;
	helper->timeout_id = 0;
	imss_polkit_cancel(helper, "the authorization service (polkit) did not answer in time");
	return G_SOURCE_REMOVE;
}

static void
imss_polkit_caller_vanished_cb(GDBusConnection *connection, const gchar *name, gpointer user_data)
{
	ImssPolkitHelper *helper = user_data;
	imss_polkit_cancel(helper, "the caller left the bus");
}

static void
imss_polkit_caller_cancelled_cb(GCancellable *cancellable, gpointer user_data)
{
	ImssPolkitHelper *helper = user_data;
	imss_polkit_cancel(helper, "cancelled");
}

static void
imss_polkit_check_cb(GObject *source, GAsyncResult *res, gpointer user_data)
{
	g_autoptr(GTask) task = G_TASK(user_data);
	ImssPolkitHelper *helper = g_task_get_task_data(task);
	g_autoptr(GError) error_local = NULL;
	g_autoptr(GVariant) reply = g_dbus_connection_call_finish(G_DBUS_CONNECTION(source), res, &error_local);
	gboolean authorized = FALSE;
	gboolean challenge = FALSE;

	g_clear_object(&helper->bus);
	if (reply == NULL) {
		g_dbus_error_strip_remote_error(error_local);
		imss_polkit_deny_error(task, error_local);
		return;
	}
	g_variant_get(reply, "((bb@a{ss}))", &authorized, &challenge, NULL);
	if (!authorized) {
		imss_polkit_deny(task, challenge ? "authentication required" : "not authorized", NULL);
		return;
	}
	g_debug("authorized %s for %s", helper->action_id, helper->sender);
	g_task_return_boolean(task, TRUE);
}

/* org.freedesktop.PolicyKit1.Authority.CheckAuthorization, as
 * libpolkit-gobject sends it, through GDBus: the library itself (and what
 * it links) is not mapped into the daemon for one call (docs/lean.md) */
static void
imss_polkit_check_authority(ImssPolkit *self, GTask *task)
{
	ImssPolkitHelper *helper = g_task_get_task_data(task);
	GVariantBuilder subject;
	g_variant_builder_init(&subject, G_VARIANT_TYPE("a{sv}"));
	imss_vardict_add(&subject, "name", g_variant_new_string(helper->sender));
	helper->bus = g_object_ref(self->bus);
	helper->cancellation_id = g_strdup_printf("imss-licensed-%u", ++self->next_cancellation);
	g_dbus_connection_call(
	    self->bus,
	    "org.freedesktop.PolicyKit1",
	    "/org/freedesktop/PolicyKit1/Authority",
	    "org.freedesktop.PolicyKit1.Authority",
	    "CheckAuthorization",
	    g_variant_new("((sa{sv})s@a{ss}us)",
			  "system-bus-name",
			  &subject,
			  helper->action_id,
			  g_variant_new_array(G_VARIANT_TYPE("{ss}"), NULL, 0),
			  /* AllowUserInteraction */
			  (guint32)(helper->interactive ? 1 : 0),
			  helper->cancellation_id),
	    G_VARIANT_TYPE("((bba{ss}))"),
	    G_DBUS_CALL_FLAGS_NONE,
	    G_MAXINT, /* our own deadline cancels it */
	    helper->cancellable,
	    imss_polkit_check_cb,
	    task);
}

static void
imss_polkit_get_bus_cb(GObject *source, GAsyncResult *res, gpointer user_data)
{
	GTask *task = G_TASK(user_data);
	ImssPolkit *self = g_task_get_source_object(task);
	g_autoptr(GError) error_local = NULL;
	GDBusConnection *bus = g_bus_get_finish(res, &error_local);
	if (bus == NULL) {
		imss_polkit_deny_error(task, error_local);
		g_object_unref(task);
		return;
	}
	if (self->bus == NULL)
		self->bus = bus;
	else
		g_object_unref(bus);
	imss_polkit_check_authority(self, task);
}

void
imss_polkit_check_async(ImssPolkit *self,
			GDBusConnection *connection,
			const gchar *sender,
			const gchar *action_id,
			gboolean interactive,
			GCancellable *cancellable,
			GAsyncReadyCallback callback,
			gpointer user_data)
{
	GTask *task = NULL;
	ImssPolkitHelper *helper = g_new0(ImssPolkitHelper, 1);
	const gchar *override = g_getenv("IMSS_POLKIT_TIMEOUT");
	g_return_if_fail(IMSS_IS_POLKIT(self));
	g_return_if_fail(connection == NULL || G_IS_DBUS_CONNECTION(connection));
	g_return_if_fail(action_id != NULL);
	task = g_task_new(self, cancellable, callback, user_data);

	helper->sender = g_strdup(sender);
	helper->action_id = g_strdup(action_id);
	helper->interactive = interactive;
	helper->cancellable = g_cancellable_new();
	helper->timeout = interactive ? IMSS_POLKIT_TIMEOUT_INTERACTIVE : IMSS_POLKIT_TIMEOUT;
	if (override != NULL && g_ascii_strtoull(override, NULL, 10) > 0)
		helper->timeout = (guint)MIN(g_ascii_strtoull(override, NULL, 10), 3600);
	g_task_set_task_data(task, helper, (GDestroyNotify)imss_polkit_helper_free);
	g_task_set_check_cancellable(task, FALSE);

	if (sender == NULL) {
		imss_polkit_deny(task, "no sender", NULL);
		g_object_unref(task);
		return;
	}
	/* a hung polkitd must not hold the caller without limit, and a caller
	 * that left must not be acted for: both cancel the check (fail closed) */
	helper->timeout_id = g_timeout_add_seconds(helper->timeout, imss_polkit_timeout_cb, helper);
	if (cancellable != NULL) {
		helper->caller_cancellable = g_object_ref(cancellable);
		helper->cancelled_id = g_cancellable_connect(cancellable,
							     G_CALLBACK(imss_polkit_caller_cancelled_cb),
							     helper,
							     NULL);
	}
	if (connection != NULL)
		helper->watch_id = g_bus_watch_name_on_connection(connection,
								  sender,
								  G_BUS_NAME_WATCHER_FLAGS_NONE,
								  NULL,
								  imss_polkit_caller_vanished_cb,
								  helper,
								  NULL);
	if (self->bus == NULL) {
		g_bus_get(G_BUS_TYPE_SYSTEM, helper->cancellable, imss_polkit_get_bus_cb, task);
		return;
	}
	imss_polkit_check_authority(self, task);
}

gboolean
imss_polkit_check_finish(ImssPolkit *self, GAsyncResult *res, GError **error)
{
	g_return_val_if_fail(IMSS_IS_POLKIT(self), FALSE);
	g_return_val_if_fail(g_task_is_valid(res, self), FALSE);
	g_return_val_if_fail(error == NULL || *error == NULL, FALSE);

	return g_task_propagate_boolean(G_TASK(res), error);
}

static void
imss_polkit_finalize(GObject *obj)
{
	ImssPolkit *self = IMSS_POLKIT(obj);
	g_clear_object(&self->bus);
	G_OBJECT_CLASS(imss_polkit_parent_class)->finalize(obj);
}

static void
imss_polkit_class_init(ImssPolkitClass *klass)
{
	G_OBJECT_CLASS(klass)->finalize = imss_polkit_finalize;
}

static void
imss_polkit_init(ImssPolkit *self)
{
}

ImssPolkit *
imss_polkit_new(void)
{
	return g_object_new(IMSS_TYPE_POLKIT, NULL);
}
