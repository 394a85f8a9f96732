/*
 * ImssClient: the connection to imss-licensed — the type, the six slots,
 * the daemon's date, its signals re-emitted with typed arguments, and the
 * daemon coming and going. Construction is in imss-client-new.c, the
 * properties in imss-client-props.c, the methods in imss-client-methods.c
 * and imss-client-actions.c.
 */
#define G_LOG_DOMAIN "ImssLicense"

#include "config.h"

#include "imss-bus.h"
#include "imss-client-private.h"
#include "imss-date.h"
#include "imss-error.h"
#include "imss-notice-private.h"
#include "imss-records.h"
#include "imss-slot-private.h"
#include "imss-slot.h"
#include "imss-state.h"

/**
 * ImssClient:
 *
 * The connection to imss-licensed (`org.imss.License` on the system bus).
 *
 * Construct it with imss_client_new_async() (or imss_client_new_sync() in
 * a script). It exposes the manager's D-Bus properties as GObject
 * properties, the six license slots as a #GListModel of #ImssSlot
 * (imss_client_get_slots()), every method of the daemon as an
 * `_async`/`_finish` pair and the daemon's signals as GObject signals.
 * Errors of the daemon are in the %IMSS_ERROR domain.
 *
 * When the daemon stops, #ImssClient:daemon-running becomes %FALSE and the
 * properties keep their last values; when it is back, they and the slots
 * are read again (with `notify::` for what changed) and the signals follow
 * the new daemon. Signals and callbacks are delivered in the thread-default
 * main context of the thread that constructed the client.
 */



enum {
	SIGNAL_LICENSE_CHANGED,
	SIGNAL_STATE_CHANGED,
	SIGNAL_UPDATES_ALLOWED_CHANGED,
	SIGNAL_NOTICE,
	SIGNAL_LAST
};

static guint signals[SIGNAL_LAST] = {0};

G_DEFINE_TYPE_WITH_CODE(ImssClient,
			imss_client,
			G_TYPE_OBJECT,
			G_IMPLEMENT_INTERFACE(G_TYPE_INITABLE, imss_client_initable_iface_init)
			    G_IMPLEMENT_INTERFACE(G_TYPE_ASYNC_INITABLE,
						  imss_client_async_initable_iface_init))

static const GFlagsValue imss_client_flags_values[] = {
    {IMSS_CLIENT_FLAGS_NONE, "IMSS_CLIENT_FLAGS_NONE", "none"},
    {IMSS_CLIENT_FLAGS_DO_NOT_AUTO_START, "IMSS_CLIENT_FLAGS_DO_NOT_AUTO_START", "do-not-auto-start"},
    {IMSS_CLIENT_FLAGS_ALLOW_INTERACTIVE_AUTHORIZATION,
     "IMSS_CLIENT_FLAGS_ALLOW_INTERACTIVE_AUTHORIZATION",
     "allow-interactive-authorization"},
    {0, NULL, NULL},
};

GType
imss_client_flags_get_type(void)
{
	static gsize type = 0;
	if (g_once_init_enter(&type)) {
		GType t = g_flags_register_static("ImssClientFlags", imss_client_flags_values);
		g_once_init_leave(&type, t);
	}
	return (GType)type;
}

/* -- the slots -------------------------------------------------------------- */

/* the slot @id (borrowed: the list holds the slots in ImssSlotId order) */
static ImssSlot *
imss_client_slot_at(ImssClient *self, ImssSlotId id)
{
	ImssSlot *slot = g_list_model_get_item(G_LIST_MODEL(self->slots), id);
	if (slot != NULL)
		g_object_unref(slot);
	return slot;
}

/**
 * imss_client_get_slots:
 * @self: a client
 *
 * The six license slots in their order (cloud-prefilter, antivirus,
 * antispam, email-reputation, email-encryption, compliance). The objects
 * stay the same for the life of the client, also across restarts of the
 * daemon.
 *
 * Returns: (transfer none): a #GListModel of #ImssSlot
 */
GListModel *
imss_client_get_slots(ImssClient *self)
{
	g_return_val_if_fail(IMSS_IS_CLIENT(self), NULL);
	return G_LIST_MODEL(self->slots);
}

/**
 * imss_client_get_slot:
 * @self: a client
 * @slot_id: a slot id, e.g. "antivirus"
 *
 * Returns: (transfer none) (nullable): the slot, or %NULL for an id that is
 *   not a slot
 */
ImssSlot *
imss_client_get_slot(ImssClient *self, const gchar *slot_id)
{
	ImssSlotId id;

	g_return_val_if_fail(IMSS_IS_CLIENT(self), NULL);
	g_return_val_if_fail(slot_id != NULL, NULL);

	if (!imss_slot_from_string(slot_id, &id) || self->slots == NULL)
		return NULL;
	return imss_client_slot_at(self, id);
}

ImssSlot *
imss_client_lookup_slot_path(ImssClient *self, const gchar *path)
{
	g_return_val_if_fail(IMSS_IS_CLIENT(self), NULL);
	for (guint i = 0; path != NULL && i < IMSS_SLOT_LAST; i++) {
		ImssSlot *slot = imss_client_slot_at(self, (ImssSlotId)i);
		if (g_strcmp0(g_dbus_proxy_get_object_path(imss_slot_get_proxy(slot)), path) == 0)
			return slot;
	}
	return NULL;
}

/* -- the daemon's calendar date --------------------------------------------- */

gboolean
imss_client_take_clock(ImssClient *self, GVariant *clock, GError **error)
{
	g_auto(ImssClockRecord) record = {NULL};
	GDate today;

	g_return_val_if_fail(IMSS_IS_CLIENT(self), FALSE);

	if (!imss_clock_record_from_variant(clock, &record, error))
		return FALSE;
	/* a date it cannot read: days left are unknown */
	g_date_clear(&today, 1);
	imss_date_parse(record.today, &today);
	for (guint i = 0; i < IMSS_SLOT_LAST; i++)
		imss_slot_set_today(imss_client_slot_at(self, (ImssSlotId)i), &today);
	self->today = today;
	if (self->midnight != NULL && imss_client_get_daemon_running(self))
		imss_midnight_arm(self->midnight, record.now);
	if (g_strcmp0(self->today_str, record.today) != 0) {
		g_free(self->today_str);
		self->today_str = g_steal_pointer(&record.today);
		g_object_notify_by_pspec(G_OBJECT(self), imss_client_pspecs[PROP_TODAY]);
	}
	return TRUE;
}

static void
imss_client_refresh_clock_cb(GObject *source, GAsyncResult *res, gpointer user_data)
{
	ImssClient *self = IMSS_CLIENT(source);
	g_autoptr(GError) error = NULL;
	g_autoptr(GVariant) clock = imss_client_get_clock_finish(self, res, &error);

	if (clock == NULL)
		g_debug("cannot read the daemon's clock: %s", error->message);
}

/* the date may have changed (a state change at 00:00, a restarted daemon) */
static void
imss_client_refresh_clock(ImssClient *self)
{
	imss_client_get_clock_async(self, self->cancellable, imss_client_refresh_clock_cb, NULL);
}

/* the daemon's 00:00 (or a stepped clock): the days left count from a new
 * date, though no signal says so on an ordinary day */
static void
imss_client_midnight_cb(gpointer user_data)
{
	ImssClient *self = IMSS_CLIENT(user_data);
	/* never starts the daemon: when it is back, its date is read anyway */
	if (imss_client_get_daemon_running(self))
		imss_client_refresh_clock(self);
}

/* -- the daemon's signals ---------------------------------------------------- */

static ImssSlot *
imss_client_signal_slot(ImssClient *self, const gchar *slot_id, const gchar *signal_name)
{
	ImssSlot *slot = imss_client_get_slot(self, slot_id);
	if (slot == NULL)
		g_debug("ignoring %s for the unknown slot %s", signal_name, slot_id);
	return slot;
}

static void
imss_client_license_changed_cb(ImssExportedManager *manager,
			       const gchar *slot_id,
			       const gchar *reason,
			       GVariant *details,
			       gpointer user_data)
{
	ImssClient *self = IMSS_CLIENT(user_data);
	ImssSlot *slot = imss_client_signal_slot(self, slot_id, "LicenseChanged");
	if (slot == NULL)
		return;
	g_signal_emit(self, signals[SIGNAL_LICENSE_CHANGED], 0, slot, reason, details);
}

static void
imss_client_state_changed_cb(ImssExportedManager *manager,
			     const gchar *slot_id,
			     const gchar *old_name,
			     const gchar *new_name,
			     gpointer user_data)
{
	ImssClient *self = IMSS_CLIENT(user_data);
	ImssSlot *slot = imss_client_signal_slot(self, slot_id, "StateChanged");
	ImssLicenseState old_state, new_state;

	if (slot == NULL)
		return;
	if (!imss_license_state_from_string(old_name, &old_state) ||
	    !imss_license_state_from_string(new_name, &new_state)) {
		g_debug("ignoring StateChanged %s → %s", old_name, new_name);
		return;
	}
	imss_client_refresh_clock(self);
	g_signal_emit(self, signals[SIGNAL_STATE_CHANGED], 0, slot, old_state, new_state);
}

static void
imss_client_updates_allowed_changed_cb(ImssExportedManager *manager,
				       const gchar *slot_id,
				       gboolean allowed,
				       gpointer user_data)
{
	ImssClient *self = IMSS_CLIENT(user_data);
	ImssSlot *slot = imss_client_signal_slot(self, slot_id, "UpdatesAllowedChanged");
	if (slot == NULL)
		return;
	g_signal_emit(self, signals[SIGNAL_UPDATES_ALLOWED_CHANGED], 0, slot, allowed);
}

static void
imss_client_notice_cb(ImssExportedManager *manager,
		      const gchar *slot_id,
		      const gchar *kind,
		      GVariant *fields,
		      gpointer user_data)
{
	ImssClient *self = IMSS_CLIENT(user_data);
	g_autoptr(ImssNotice) notice = imss_notice_new(fields, NULL, self->language);

	if (notice == NULL) {
		g_debug("ignoring a notice %s for %s this library cannot read", kind, slot_id);
		return;
	}
	imss_client_refresh_clock(self);
	g_signal_emit(self, signals[SIGNAL_NOTICE], 0, notice);
}

static void
imss_client_name_owner_cb(GObject *object, GParamSpec *pspec, gpointer user_data)
{
	ImssClient *self = IMSS_CLIENT(user_data);
	gboolean running = imss_client_get_daemon_running(self);

	g_debug("imss-licensed %s", running ? "is running" : "went away");
	/* the proxies of the slots and of the manager load their properties
	 * again themselves; the date may have changed meanwhile */
	if (running)
		imss_client_refresh_clock(self);
	else if (self->midnight != NULL)
		imss_midnight_disarm(self->midnight);
	g_object_notify_by_pspec(G_OBJECT(self), imss_client_pspecs[PROP_DAEMON_RUNNING]);
}

/* -- construction: what the sync and the async way share ------------------- */

void
imss_client_setup(ImssClient *self, GDBusProxy **slot_proxies)
{
	g_dbus_proxy_set_default_timeout(G_DBUS_PROXY(self->manager), IMSS_CLIENT_CALL_TIMEOUT_MS);
	imss_props_init(&self->props,
			G_OBJECT(self),
			G_DBUS_PROXY(self->manager),
			imss_client_dbus_props,
			G_N_ELEMENTS(imss_client_dbus_props),
			&imss_client_pspecs[1]);
	for (guint i = 0; i < IMSS_SLOT_LAST; i++) {
		g_autoptr(ImssSlot) slot = imss_slot_new((ImssSlotId)i, slot_proxies[i]);
		g_list_store_append(self->slots, slot);
		g_clear_object(&slot_proxies[i]);
	}
	g_signal_connect_object(self->manager,
				"license-changed",
				G_CALLBACK(imss_client_license_changed_cb),
				self,
				0);
	g_signal_connect_object(self->manager,
				"state-changed",
				G_CALLBACK(imss_client_state_changed_cb),
				self,
				0);
	g_signal_connect_object(self->manager,
				"updates-allowed-changed",
				G_CALLBACK(imss_client_updates_allowed_changed_cb),
				self,
				0);
	g_signal_connect_object(self->manager,
				"notice",
				G_CALLBACK(imss_client_notice_cb),
				self,
				0);
	g_signal_connect_object(self->manager,
				"notify::g-name-owner",
				G_CALLBACK(imss_client_name_owner_cb),
				self,
				0);
}

static void
imss_client_get_property(GObject *object, guint prop_id, GValue *value, GParamSpec *pspec)
{
	ImssClient *self = IMSS_CLIENT(object);

	switch (prop_id) {
	case PROP_FLAGS:
		g_value_set_flags(value, self->flags);
		break;
	case PROP_LANGUAGE:
		g_value_set_string(value, self->language);
		break;
	case PROP_DAEMON_RUNNING:
		g_value_set_boolean(value, imss_client_get_daemon_running(self));
		break;
	case PROP_TODAY:
		g_value_set_string(value, self->today_str);
		break;
	default:
		if (prop_id > PROP_0 && prop_id < PROP_FLAGS)
			imss_props_get_value(&self->props, IMSS_PROPS_INDEX(prop_id), value);
		else
			G_OBJECT_WARN_INVALID_PROPERTY_ID(object, prop_id, pspec);
		break;
	}
}

static void
imss_client_set_property(GObject *object, guint prop_id, const GValue *value, GParamSpec *pspec)
{
	ImssClient *self = IMSS_CLIENT(object);

	switch (prop_id) {
	case PROP_FLAGS:
		self->flags = g_value_get_flags(value);
		break;
	case PROP_LANGUAGE:
		imss_client_set_language(self, g_value_get_string(value));
		break;
	default:
		G_OBJECT_WARN_INVALID_PROPERTY_ID(object, prop_id, pspec);
		break;
	}
}

static void
imss_client_dispose(GObject *object)
{
	ImssClient *self = IMSS_CLIENT(object);

	g_cancellable_cancel(self->cancellable);
	if (self->manager != NULL)
		g_signal_handlers_disconnect_by_data(self->manager, self);
	imss_props_clear(&self->props);
	if (self->slots != NULL)
		g_list_store_remove_all(self->slots);
	g_clear_object(&self->manager);
	g_clear_object(&self->connection);
	g_clear_pointer(&self->midnight, imss_midnight_free);
	G_OBJECT_CLASS(imss_client_parent_class)->dispose(object);
}

static void
imss_client_finalize(GObject *object)
{
	ImssClient *self = IMSS_CLIENT(object);

	g_clear_object(&self->slots);
	g_clear_object(&self->cancellable);
	g_free(self->language);
	g_free(self->today_str);
	G_OBJECT_CLASS(imss_client_parent_class)->finalize(object);
}

static void
imss_client_init(ImssClient *self)
{
	self->slots = g_list_store_new(IMSS_TYPE_SLOT);
	self->cancellable = g_cancellable_new();
	self->midnight = imss_midnight_new(imss_client_midnight_cb, self);
	g_date_clear(&self->today, 1);
}


/* a signal of ImssClient: run last, no class handler, no return value */
static guint
imss_client_signal_new(const gchar *name, guint n_params, ...)
{
	va_list params;
	guint id;

	va_start(params, n_params);
	id = g_signal_new_valist(name,
				 IMSS_TYPE_CLIENT,
				 G_SIGNAL_RUN_LAST,
				 NULL,
				 NULL,
				 NULL,
				 NULL,
				 G_TYPE_NONE,
				 n_params,
				 params);
	va_end(params);
	return id;
}

static void
imss_client_class_init_signals(GObjectClass *object_class)
{
	/**
	 * ImssClient::license-changed:
	 * @self: the client
	 * @slot: the slot
	 * @reason: "activated", "renewed" or "re-anchored"
	 * @details: the `a{sv}` of LicenseChanged: "expiry", "state",
	 *   "offline", "code" (masked)
	 *
	 * A slot's license changed.
	 */
	signals[SIGNAL_LICENSE_CHANGED] = imss_client_signal_new(
	    "license-changed", 3, IMSS_TYPE_SLOT, G_TYPE_STRING, G_TYPE_VARIANT);
	/**
	 * ImssClient::state-changed:
	 * @self: the client
	 * @slot: the slot
	 * @old_state: the state before
	 * @new_state: the state now
	 *
	 * A slot's lifecycle state changed: at 00:00 of E−60, E and G, or
	 * after an activation.
	 */
	signals[SIGNAL_STATE_CHANGED] = imss_client_signal_new(
	    "state-changed", 3, IMSS_TYPE_SLOT, IMSS_TYPE_LICENSE_STATE, IMSS_TYPE_LICENSE_STATE);
	/**
	 * ImssClient::updates-allowed-changed:
	 * @self: the client
	 * @slot: the slot
	 * @allowed: whether component updates are allowed now
	 *
	 * Component updates became restricted (at G) or allowed again.
	 */
	signals[SIGNAL_UPDATES_ALLOWED_CHANGED] =
	    imss_client_signal_new("updates-allowed-changed", 2, IMSS_TYPE_SLOT, G_TYPE_BOOLEAN);
	/**
	 * ImssClient::notice:
	 * @self: the client
	 * @notice: the notice, its text in #ImssClient:language
	 *
	 * The daemon issued a notice: every day at 00:00 of the mail period,
	 * when a slot enters the console-notice period (E−60), and when the
	 * grace period or product updates end.
	 */
	signals[SIGNAL_NOTICE] = imss_client_signal_new("notice", 1, IMSS_TYPE_NOTICE);
}

static void
imss_client_class_init(ImssClientClass *klass)
{
	GObjectClass *object_class = G_OBJECT_CLASS(klass);

	object_class->get_property = imss_client_get_property;
	object_class->set_property = imss_client_set_property;
	object_class->dispose = imss_client_dispose;
	object_class->finalize = imss_client_finalize;
	imss_license_init_i18n();
	/* the daemon's error names map to IMSS_ERROR from the first reply on */
	(void)imss_error_quark();
	imss_client_class_init_properties(object_class);
	imss_client_class_init_signals(object_class);
}
