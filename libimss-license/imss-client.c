/*
 * ImssClient: the connection to imss-licensed — construction (sync and
 * async), the manager's properties, the six slots, the daemon's signals
 * re-emitted with typed arguments, and the daemon coming and going. The
 * methods are in imss-client-methods.c and imss-client-actions.c.
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
	PROP_0,
	/* the D-Bus properties, in the order of imss_client_dbus_props */
	PROP_EDITION,
	PROP_ENVIRONMENT,
	PROP_DAEMON_VERSION,
	PROP_LAST_PROFILE_DEPLOYMENT,
	PROP_LAST_PROFILE_RESULT,
	PROP_INACTIVE_NOTICES_HIDDEN,
	PROP_CLICK_PROTECTION_BOUND,
	PROP_RESTARTS,
	PROP_NODE_NAME,
	PROP_CLOCK_SKEW,
	PROP_SETTINGS,
	/* the client's own */
	PROP_FLAGS,
	PROP_LANGUAGE,
	PROP_DAEMON_RUNNING,
	PROP_TODAY,
	PROP_LAST
};

static const ImssPropInfo imss_client_dbus_props[] = {
    {"Edition", "s"},
    {"Environment", "s"},
    {"DaemonVersion", "s"},
    {"LastProfileDeployment", "s"},
    {"LastProfileResult", "s"},
    {"InactiveNoticesHidden", "b"},
    {"ClickProtectionBound", "b"},
    {"Restarts", "aa{sv}"},
    {"NodeName", "s"},
    {"ClockSkew", "x"},
    {"Settings", "a{sv}"},
};

G_STATIC_ASSERT(G_N_ELEMENTS(imss_client_dbus_props) == PROP_FLAGS - 1);

enum {
	SIGNAL_LICENSE_CHANGED,
	SIGNAL_STATE_CHANGED,
	SIGNAL_UPDATES_ALLOWED_CHANGED,
	SIGNAL_NOTICE,
	SIGNAL_LAST
};

static GParamSpec *obj_props[PROP_LAST] = {NULL};
static guint signals[SIGNAL_LAST] = {0};

static void
imss_client_initable_iface_init(GInitableIface *iface);
static void
imss_client_async_initable_iface_init(GAsyncInitableIface *iface);

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
		g_object_notify_by_pspec(G_OBJECT(self), obj_props[PROP_TODAY]);
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
	g_object_notify_by_pspec(G_OBJECT(self), obj_props[PROP_DAEMON_RUNNING]);
}

/* -- construction ------------------------------------------------------------ */

static GDBusProxyFlags
imss_client_proxy_flags(ImssClient *self)
{
	GDBusProxyFlags flags = G_DBUS_PROXY_FLAGS_GET_INVALIDATED_PROPERTIES;
	if (self->flags & IMSS_CLIENT_FLAGS_DO_NOT_AUTO_START)
		flags |= G_DBUS_PROXY_FLAGS_DO_NOT_AUTO_START;
	return flags;
}

/* the slots' proxies never start the daemon: the manager's did already */
static GDBusProxyFlags
imss_client_slot_proxy_flags(ImssClient *self)
{
	return imss_client_proxy_flags(self) | G_DBUS_PROXY_FLAGS_DO_NOT_AUTO_START |
	       G_DBUS_PROXY_FLAGS_DO_NOT_CONNECT_SIGNALS;
}

/* everything after the proxies exist: takes @slot_proxies (IMSS_SLOT_LAST) */
static void
imss_client_setup(ImssClient *self, GDBusProxy **slot_proxies)
{
	g_dbus_proxy_set_default_timeout(G_DBUS_PROXY(self->manager), IMSS_CLIENT_CALL_TIMEOUT_MS);
	imss_props_init(&self->props,
			G_OBJECT(self),
			G_DBUS_PROXY(self->manager),
			imss_client_dbus_props,
			G_N_ELEMENTS(imss_client_dbus_props),
			&obj_props[1]);
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

static gboolean
imss_client_initable_init(GInitable *initable, GCancellable *cancellable, GError **error)
{
	ImssClient *self = IMSS_CLIENT(initable);
	GDBusProxy *slot_proxies[IMSS_SLOT_LAST] = {NULL};
	g_autoptr(GVariant) reply = NULL;
	g_autoptr(GError) error_local = NULL;

	self->connection = g_bus_get_sync(G_BUS_TYPE_SYSTEM, cancellable, error);
	if (self->connection == NULL)
		return FALSE;
	self->manager = imss_exported_manager_proxy_new_sync(self->connection,
							     imss_client_proxy_flags(self),
							     IMSS_BUS_NAME,
							     IMSS_BUS_OBJECT_PATH,
							     cancellable,
							     error);
	if (self->manager == NULL)
		return FALSE;
	for (guint i = 0; i < IMSS_SLOT_LAST; i++) {
		g_autofree gchar *path = imss_slot_object_path((ImssSlotId)i);
		slot_proxies[i] = G_DBUS_PROXY(
		    imss_exported_slot_proxy_new_sync(self->connection,
						      imss_client_slot_proxy_flags(self),
						      IMSS_BUS_NAME,
						      path,
						      cancellable,
						      error));
		if (slot_proxies[i] == NULL) {
			for (guint j = 0; j < i; j++)
				g_object_unref(slot_proxies[j]);
			return FALSE;
		}
	}
	imss_client_setup(self, slot_proxies);
	/* the date days left count from; without it they are unknown */
	if (imss_client_get_daemon_running(self)) {
		reply = g_dbus_proxy_call_sync(G_DBUS_PROXY(self->manager),
					       "GetClock",
					       NULL,
					       G_DBUS_CALL_FLAGS_NO_AUTO_START,
					       -1,
					       cancellable,
					       &error_local);
		if (reply != NULL) {
			g_autoptr(GVariant) clock = g_variant_get_child_value(reply, 0);
			if (!imss_client_take_clock(self, clock, &error_local))
				g_debug("the daemon's clock: %s", error_local->message);
		} else {
			g_debug("cannot read the daemon's clock: %s", error_local->message);
		}
	}
	return TRUE;
}

static void
imss_client_initable_iface_init(GInitableIface *iface)
{
	iface->init = imss_client_initable_init;
}

/* the asynchronous construction: the bus, the manager's proxy, the slots'
 * proxies one after the other, the clock */
typedef struct {
	GDBusProxy *slot_proxies[IMSS_SLOT_LAST];
	guint n_slots;
} ImssClientInit;

static void
imss_client_init_free(ImssClientInit *data)
{
	for (guint i = 0; i < IMSS_SLOT_LAST; i++)
		g_clear_object(&data->slot_proxies[i]);
	g_free(data);
}

static void
imss_client_init_next_slot(GTask *task);

static void
imss_client_init_clock_cb(GObject *source, GAsyncResult *res, gpointer user_data)
{
	g_autoptr(GTask) task = G_TASK(user_data);
	g_autoptr(GError) error = NULL;
	g_autoptr(GVariant) clock = imss_client_get_clock_finish(IMSS_CLIENT(source), res, &error);

	if (clock == NULL)
		g_debug("cannot read the daemon's clock: %s", error->message);
	g_task_return_boolean(task, TRUE);
}

static void
imss_client_init_slot_cb(GObject *source, GAsyncResult *res, gpointer user_data)
{
	g_autoptr(GTask) task = G_TASK(user_data);
	ImssClientInit *data = g_task_get_task_data(task);
	GError *error = NULL;
	ImssExportedSlot *proxy = imss_exported_slot_proxy_new_finish(res, &error);

	if (proxy == NULL) {
		g_task_return_error(task, error);
		return;
	}
	data->slot_proxies[data->n_slots++] = G_DBUS_PROXY(proxy);
	imss_client_init_next_slot(g_steal_pointer(&task));
}

static void
imss_client_init_next_slot(GTask *task)
{
	ImssClient *self = g_task_get_source_object(task);
	ImssClientInit *data = g_task_get_task_data(task);
	g_autofree gchar *path = NULL;

	if (data->n_slots == IMSS_SLOT_LAST) {
		imss_client_setup(self, data->slot_proxies);
		if (!imss_client_get_daemon_running(self)) {
			g_task_return_boolean(task, TRUE);
			g_object_unref(task);
			return;
		}
		imss_client_get_clock_async(self,
					    g_task_get_cancellable(task),
					    imss_client_init_clock_cb,
					    task);
		return;
	}
	path = imss_slot_object_path((ImssSlotId)data->n_slots);
	imss_exported_slot_proxy_new(self->connection,
				     imss_client_slot_proxy_flags(self),
				     IMSS_BUS_NAME,
				     path,
				     g_task_get_cancellable(task),
				     imss_client_init_slot_cb,
				     task);
}

static void
imss_client_init_manager_cb(GObject *source, GAsyncResult *res, gpointer user_data)
{
	g_autoptr(GTask) task = G_TASK(user_data);
	ImssClient *self = g_task_get_source_object(task);
	GError *error = NULL;

	self->manager = imss_exported_manager_proxy_new_finish(res, &error);
	if (self->manager == NULL) {
		g_task_return_error(task, error);
		return;
	}
	imss_client_init_next_slot(g_steal_pointer(&task));
}

static void
imss_client_init_bus_cb(GObject *source, GAsyncResult *res, gpointer user_data)
{
	g_autoptr(GTask) task = G_TASK(user_data);
	ImssClient *self = g_task_get_source_object(task);
	/* read before the task is stolen: the order in which C evaluates
	 * the arguments is not defined */
	GCancellable *cancellable = g_task_get_cancellable(task);
	GError *error = NULL;

	self->connection = g_bus_get_finish(res, &error);
	if (self->connection == NULL) {
		g_task_return_error(task, error);
		return;
	}
	imss_exported_manager_proxy_new(self->connection,
					imss_client_proxy_flags(self),
					IMSS_BUS_NAME,
					IMSS_BUS_OBJECT_PATH,
					cancellable,
					imss_client_init_manager_cb,
					g_steal_pointer(&task));
}

static void
imss_client_init_async(GAsyncInitable *initable,
		       int io_priority,
		       GCancellable *cancellable,
		       GAsyncReadyCallback callback,
		       gpointer user_data)
{
	GTask *task = g_task_new(initable, cancellable, callback, user_data);
	g_task_set_source_tag(task, imss_client_init_async);
	g_task_set_task_data(task, g_new0(ImssClientInit, 1), (GDestroyNotify)imss_client_init_free);
	g_bus_get(G_BUS_TYPE_SYSTEM, cancellable, imss_client_init_bus_cb, task);
}

static gboolean
imss_client_init_finish(GAsyncInitable *initable, GAsyncResult *res, GError **error)
{
	g_return_val_if_fail(g_task_is_valid(res, initable), FALSE);
	return g_task_propagate_boolean(G_TASK(res), error);
}

static void
imss_client_async_initable_iface_init(GAsyncInitableIface *iface)
{
	iface->init_async = imss_client_init_async;
	iface->init_finish = imss_client_init_finish;
}

/**
 * imss_client_new_async:
 * @flags: how to talk to the daemon
 * @cancellable: (nullable): a #GCancellable
 * @callback: called when the client is ready
 * @user_data: data for @callback
 *
 * Connects to the system bus and reads the daemon's properties and slots.
 * The daemon need not run: the client follows it when it starts.
 */
void
imss_client_new_async(ImssClientFlags flags,
		      GCancellable *cancellable,
		      GAsyncReadyCallback callback,
		      gpointer user_data)
{
	g_return_if_fail(cancellable == NULL || G_IS_CANCELLABLE(cancellable));
	g_async_initable_new_async(IMSS_TYPE_CLIENT,
				   G_PRIORITY_DEFAULT,
				   cancellable,
				   callback,
				   user_data,
				   "flags",
				   flags,
				   NULL);
}

/**
 * imss_client_new_finish:
 * @result: the result passed to the callback
 * @error: return location for a #GError
 *
 * Returns: (transfer full): the client, or %NULL when the system bus cannot
 *   be reached
 */
ImssClient *
imss_client_new_finish(GAsyncResult *result, GError **error)
{
	g_autoptr(GObject) source = g_async_result_get_source_object(result);
	GObject *object = g_async_initable_new_finish(G_ASYNC_INITABLE(source), result, error);
	return object != NULL ? IMSS_CLIENT(object) : NULL;
}

/**
 * imss_client_new_sync:
 * @flags: how to talk to the daemon
 * @cancellable: (nullable): a #GCancellable
 * @error: return location for a #GError
 *
 * The blocking imss_client_new_async(), for scripts and command lines.
 *
 * Returns: (transfer full): the client, or %NULL when the system bus cannot
 *   be reached
 */
ImssClient *
imss_client_new_sync(ImssClientFlags flags, GCancellable *cancellable, GError **error)
{
	g_return_val_if_fail(cancellable == NULL || G_IS_CANCELLABLE(cancellable), NULL);
	return g_initable_new(IMSS_TYPE_CLIENT, cancellable, error, "flags", flags, NULL);
}

/* -- properties --------------------------------------------------------------- */

/**
 * imss_client_get_flags:
 * @self: a client
 *
 * Returns: the flags it was made with
 */
ImssClientFlags
imss_client_get_flags(ImssClient *self)
{
	g_return_val_if_fail(IMSS_IS_CLIENT(self), IMSS_CLIENT_FLAGS_NONE);
	return self->flags;
}

/**
 * imss_client_get_daemon_running:
 * @self: a client
 *
 * Returns: whether imss-licensed is running (owns its name on the bus)
 */
gboolean
imss_client_get_daemon_running(ImssClient *self)
{
	g_autofree gchar *owner = NULL;
	g_return_val_if_fail(IMSS_IS_CLIENT(self), FALSE);
	if (self->manager == NULL)
		return FALSE;
	owner = g_dbus_proxy_get_name_owner(G_DBUS_PROXY(self->manager));
	return owner != NULL;
}

/**
 * imss_client_get_language:
 * @self: a client
 *
 * Returns: (nullable): the language texts are rendered in (notices, the
 *   doctor), %NULL for the language of the process
 */
const gchar *
imss_client_get_language(ImssClient *self)
{
	g_return_val_if_fail(IMSS_IS_CLIENT(self), NULL);
	return self->language;
}

/**
 * imss_client_set_language:
 * @self: a client
 * @language: (nullable): a language tag or locale name ("ja", "en",
 *   "ja_JP.UTF-8"), or %NULL for the language of the process
 *
 * Sets the language of the texts the client asks for or renders.
 */
void
imss_client_set_language(ImssClient *self, const gchar *language)
{
	g_return_if_fail(IMSS_IS_CLIENT(self));
	if (g_strcmp0(self->language, language) == 0)
		return;
	g_free(self->language);
	self->language = g_strdup(language);
	g_object_notify_by_pspec(G_OBJECT(self), obj_props[PROP_LANGUAGE]);
}

const gchar *
imss_client_effective_language(ImssClient *self, const gchar *language)
{
	const gchar *const *names;

	if (language != NULL)
		return language;
	if (self->language != NULL)
		return self->language;
	/* the process's: "ja_JP.UTF-8", "ja_JP", "ja" ...: the first real one */
	names = g_get_language_names();
	for (guint i = 0; names[i] != NULL; i++) {
		if (g_strcmp0(names[i], "C") != 0 && g_strcmp0(names[i], "POSIX") != 0 &&
		    !g_str_has_prefix(names[i], "C."))
			return names[i];
	}
	return "en";
}

/* the getters of the D-Bus properties (imss-props.h) */
#define IMSS_CLIENT_STRING_GETTER(func, prop)                                                      \
	IMSS_PROPS_STRING_GETTER(ImssClient, IMSS_IS_CLIENT, func, prop)
#define IMSS_CLIENT_BOOLEAN_GETTER(func, prop)                                                     \
	IMSS_PROPS_BOOLEAN_GETTER(ImssClient, IMSS_IS_CLIENT, func, prop)
#define IMSS_CLIENT_GETTER(Type, func, get, prop, fallback)                                        \
	IMSS_PROPS_GETTER(ImssClient, IMSS_IS_CLIENT, Type, func, get, prop, fallback)

/**
 * imss_client_get_edition:
 * @self: a client
 *
 * Returns: the product edition: "imss" (InterScan MSS 9.1 for Linux) or
 *   "imsva" (IMSVA 9.1)
 */
IMSS_CLIENT_STRING_GETTER(imss_client_get_edition, PROP_EDITION)
/**
 * imss_client_get_environment:
 * @self: a client
 *
 * Returns: "connected", "cm-managed" or "standalone" (SPEC §8)
 */
IMSS_CLIENT_STRING_GETTER(imss_client_get_environment, PROP_ENVIRONMENT)
/**
 * imss_client_get_daemon_version:
 * @self: a client
 *
 * Returns: the version of imss-licensed
 */
IMSS_CLIENT_STRING_GETTER(imss_client_get_daemon_version, PROP_DAEMON_VERSION)
/**
 * imss_client_get_last_profile_deployment:
 * @self: a client
 *
 * Returns: when the last Control Manager license profile was deployed, ""
 *   when none ever was
 */
IMSS_CLIENT_STRING_GETTER(imss_client_get_last_profile_deployment, PROP_LAST_PROFILE_DEPLOYMENT)
/**
 * imss_client_get_last_profile_result:
 * @self: a client
 *
 * Returns: "extended", "changed", "unchanged" or "failed: <reason>"
 */
IMSS_CLIENT_STRING_GETTER(imss_client_get_last_profile_result, PROP_LAST_PROFILE_RESULT)
/**
 * imss_client_get_inactive_notices_hidden:
 * @self: a client
 *
 * Returns: whether the inactive-component notices are hidden
 */
IMSS_CLIENT_BOOLEAN_GETTER(imss_client_get_inactive_notices_hidden, PROP_INACTIVE_NOTICES_HIDDEN)
/**
 * imss_client_get_click_protection_bound:
 * @self: a client
 *
 * Returns: whether the Time-of-Click protection binding is set
 */
IMSS_CLIENT_BOOLEAN_GETTER(imss_client_get_click_protection_bound, PROP_CLICK_PROTECTION_BOUND)
/**
 * imss_client_get_node_name:
 * @self: a client
 *
 * Returns: this gateway's name in a fleet sharing one database
 */
IMSS_CLIENT_STRING_GETTER(imss_client_get_node_name, PROP_NODE_NAME)

/**
 * imss_client_get_restarts:
 * @self: a client
 *
 * Returns: (transfer none) (nullable): the queued or failed service
 *   restarts, the `aa{sv}` of the Restarts property ("unit", "state",
 *   "attempts", "error", "requested")
 */
IMSS_CLIENT_GETTER(GVariant *, imss_client_get_restarts, imss_props_get, PROP_RESTARTS, NULL)

/**
 * imss_client_get_settings:
 * @self: a client
 *
 * The operator's settings in effect, the `a{sv}` of the Settings property:
 * "mail-to" (as), "mail-from", "mail-smtp", "mail-user", "mail-language",
 * "proxy-host" (s), "proxy-port" (u), "proxy-user" (s),
 * "sender-filter-enabled", "mail-password-set", "proxy-password-set" (b)
 * and "stored" (as). The passwords themselves are never readable.
 *
 * Returns: (transfer none) (nullable): the settings, %NULL when the daemon
 *   has none to offer (an older one)
 */
IMSS_CLIENT_GETTER(GVariant *, imss_client_get_settings, imss_props_get, PROP_SETTINGS, NULL)

/**
 * imss_client_get_clock_skew:
 * @self: a client
 *
 * Returns: seconds the database's clock is ahead of this node's
 */
IMSS_CLIENT_GETTER(gint64, imss_client_get_clock_skew, imss_props_get_int64, PROP_CLOCK_SKEW, 0)

/**
 * imss_client_get_today:
 * @self: a client
 *
 * The daemon's calendar date (its time zone, or its virtual clock), as last
 * read: at construction, when the daemon comes back, after a state change
 * or a notice, and with every imss_client_get_clock_async().
 *
 * Returns: (nullable): YYYY-MM-DD, or %NULL when it could not be read
 */
const gchar *
imss_client_get_today(ImssClient *self)
{
	g_return_val_if_fail(IMSS_IS_CLIENT(self), NULL);
	return self->today_str;
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

static void
imss_client_class_init_properties(GObjectClass *object_class)
{
	/**
	 * ImssClient:flags:
	 *
	 * How the client talks to the daemon.
	 */
	obj_props[PROP_FLAGS] = g_param_spec_flags("flags",
						   NULL,
						   "How the client talks to the daemon",
						   IMSS_TYPE_CLIENT_FLAGS,
						   IMSS_CLIENT_FLAGS_NONE,
						   G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY |
						       G_PARAM_STATIC_STRINGS);
	/**
	 * ImssClient:language:
	 *
	 * The language of the texts, %NULL for the process's.
	 */
	obj_props[PROP_LANGUAGE] = g_param_spec_string("language",
						       NULL,
						       "The language of the texts",
						       NULL,
						       G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS |
							   G_PARAM_EXPLICIT_NOTIFY);
	/**
	 * ImssClient:daemon-running:
	 *
	 * Whether imss-licensed is running.
	 */
	obj_props[PROP_DAEMON_RUNNING] =
	    imss_props_boolean_pspec("daemon-running", "Whether imss-licensed is running");
	/**
	 * ImssClient:today:
	 *
	 * The daemon's calendar date, YYYY-MM-DD.
	 */
	obj_props[PROP_TODAY] = g_param_spec_string("today",
						    NULL,
						    "The daemon's calendar date",
						    NULL,
						    G_PARAM_READABLE | G_PARAM_STATIC_STRINGS |
							G_PARAM_EXPLICIT_NOTIFY);
	/**
	 * ImssClient:edition:
	 *
	 * The product edition.
	 */
	obj_props[PROP_EDITION] = imss_props_string_pspec("edition", "The product edition");
	/**
	 * ImssClient:environment:
	 *
	 * The environment of SPEC §8.
	 */
	obj_props[PROP_ENVIRONMENT] = imss_props_string_pspec("environment", "The environment");
	/**
	 * ImssClient:daemon-version:
	 *
	 * The version of imss-licensed.
	 */
	obj_props[PROP_DAEMON_VERSION] =
	    imss_props_string_pspec("daemon-version", "The version of imss-licensed");
	/**
	 * ImssClient:last-profile-deployment:
	 *
	 * When the last license profile was deployed.
	 */
	obj_props[PROP_LAST_PROFILE_DEPLOYMENT] =
	    imss_props_string_pspec("last-profile-deployment", "The last profile deployment");
	/**
	 * ImssClient:last-profile-result:
	 *
	 * The outcome of the last license profile.
	 */
	obj_props[PROP_LAST_PROFILE_RESULT] =
	    imss_props_string_pspec("last-profile-result", "The last profile's outcome");
	/**
	 * ImssClient:inactive-notices-hidden:
	 *
	 * Whether the inactive-component notices are hidden.
	 */
	obj_props[PROP_INACTIVE_NOTICES_HIDDEN] =
	    imss_props_boolean_pspec("inactive-notices-hidden",
				     "Whether inactive notices are hidden");
	/**
	 * ImssClient:click-protection-bound:
	 *
	 * Whether the Time-of-Click protection binding is set.
	 */
	obj_props[PROP_CLICK_PROTECTION_BOUND] =
	    imss_props_boolean_pspec("click-protection-bound", "Whether Time-of-Click is bound");
	/**
	 * ImssClient:restarts:
	 *
	 * The queued or failed service restarts (`aa{sv}`).
	 */
	obj_props[PROP_RESTARTS] = g_param_spec_variant("restarts",
							NULL,
							"The queued or failed restarts",
							G_VARIANT_TYPE("aa{sv}"),
							NULL,
							G_PARAM_READABLE | G_PARAM_STATIC_STRINGS |
							    G_PARAM_EXPLICIT_NOTIFY);
	/**
	 * ImssClient:node-name:
	 *
	 * This gateway's name in a fleet.
	 */
	obj_props[PROP_NODE_NAME] = imss_props_string_pspec("node-name", "The node's name");
	/**
	 * ImssClient:clock-skew:
	 *
	 * Seconds the database's clock is ahead of this node's.
	 */
	obj_props[PROP_CLOCK_SKEW] = g_param_spec_int64("clock-skew",
							NULL,
							"The database's clock minus this node's",
							G_MININT64,
							G_MAXINT64,
							0,
							G_PARAM_READABLE | G_PARAM_STATIC_STRINGS |
							    G_PARAM_EXPLICIT_NOTIFY);
	/**
	 * ImssClient:settings:
	 *
	 * The operator's settings in effect (`a{sv}`, see
	 * imss_client_get_settings()).
	 */
	obj_props[PROP_SETTINGS] = g_param_spec_variant("settings",
							NULL,
							"The settings in effect",
							G_VARIANT_TYPE_VARDICT,
							NULL,
							G_PARAM_READABLE | G_PARAM_STATIC_STRINGS |
							    G_PARAM_EXPLICIT_NOTIFY);
	g_object_class_install_properties(object_class, PROP_LAST, obj_props);
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
