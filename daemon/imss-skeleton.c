/*
 * The skeletons' vtable (issue 13; docs/lean.md).
 *
 * Two costs of the generated skeletons, measured on the manager:
 *
 * - A handler on "g-authorize-method" (where the daemon bounded the callers'
 *   arguments) makes GDBusInterfaceSkeleton dispatch every method call
 *   through GLib's thread pool and back to the main context (GLib 2.74,
 *   g_dbus_interface_method_dispatch_helper()): two thread hops on each
 *   GetHistory, GetNotices, Activate. The bounds are now checked here, in
 *   the main context, before the generated method_call(); no handler is
 *   connected, so GDBus calls us directly.
 * - GetAll asked the generated get_property() for every property (a GValue
 *   converted under the skeleton's lock) and GDBus added each to a new a{sv}
 *   with a format string; writing the reply then read every child out of
 *   serialised data (the values were compared when set, and
 *   g_variant_equal() serialises in place): ~565,000 instructions a call.
 *   Our vtable has no get_property(), so Get and GetAll come to
 *   method_call() (GDBusInterfaceVTable, since GLib 2.38), answered from a
 *   copy of the properties built at the first read after a change, every
 *   container in tree form (writing the message follows references). GObject's
 *   notify of the skeleton (a property that changed) drops the copy. The
 *   object manager's view (GetManagedObjects, InterfacesAdded) is the same
 *   copy.
 *
 * Once a copy has answered a read in the main context, it is also put on a
 * shelf that GDBus's worker thread reads (imss_skeleton_serve(): a filter of
 * the connection): the next Get and GetAll of that object are answered
 * there, as the message arrives, without waking the main context — until a
 * change drops the copy (in the main context, before the PropertiesChanged
 * it queues), and the next read comes to the main context again: a read
 * sent after a reply or a PropertiesChanged sees the change. A read of a
 * sender one of whose calls the main context has not answered goes to the
 * main context too, behind that call (the filter counts the calls it
 * passes on and sees their replies leave): pipelined calls are answered in
 * order. A copy is an immutable GVariant: the worker only takes a
 * reference under the shelf's lock.
 *
 * Everything else runs in the main context, as the rest of the daemon: the
 * skeletons are exported without
 * G_DBUS_INTERFACE_SKELETON_FLAGS_HANDLE_METHOD_INVOCATIONS_IN_THREAD.
 */
#define G_LOG_DOMAIN "ImssDaemon"

#include "config.h"

#include "imss-skeleton.h"
#include "imss-validate.h"

/* where a skeleton keeps its prepared properties (internal: declared
 * static before G_DEFINE_QUARK defines it) */
static GQuark
imss_skeleton_quark(void);
G_DEFINE_QUARK(imss-skeleton-properties, imss_skeleton)

/* -- the shelf: copies the worker thread may answer from ---------------------- */

typedef struct {
	gpointer owner;              /* the skeleton: identity only, never dereferenced */
	GDBusConnection *connection; /* identity only */
	gchar *object_path;
	const gchar *interface; /* the name in the skeleton's static GDBusInterfaceInfo */
	GVariant *properties;   /* the prepared copy, tree form */
} ImssSkeletonShelved;

/* under the lock, created with the first connection served */
static GMutex imss_skeleton_shelf_lock;
static GPtrArray *imss_skeleton_shelf;  /* of ImssSkeletonShelved */
static GPtrArray *imss_skeleton_served; /* the connections filtered (identity) */
/* the calls the main context has not answered yet, as "sender serial", and
 * how many each sender has: a read of a sender with one waiting goes to the
 * main context too, behind it (one filter, one connection) */
static GHashTable *imss_skeleton_waiting;	  /* set of "sender serial" */
static GHashTable *imss_skeleton_waiting_senders; /* sender -> count */

static void
imss_skeleton_shelved_free(gpointer data)
{
	ImssSkeletonShelved *shelved = data;
	g_free(shelved->object_path);
	g_variant_unref(shelved->properties);
	g_free(shelved);
}

/* (transfer full) (nullable) the copies of @owner, or of every skeleton on
 * @connection, taken off the shelf, to be freed once the lock is released;
 * the caller holds the lock */
static GPtrArray *
imss_skeleton_shelf_take(gpointer owner, GDBusConnection *connection)
{
	GPtrArray *removed = NULL;

	for (guint i = 0; imss_skeleton_shelf != NULL && i < imss_skeleton_shelf->len;) {
		ImssSkeletonShelved *shelved = g_ptr_array_index(imss_skeleton_shelf, i);
		if (shelved->owner != owner && shelved->connection != connection) {
			i++;
			continue;
		}
		if (removed == NULL)
			removed = g_ptr_array_new_with_free_func(imss_skeleton_shelved_free);
		g_ptr_array_add(removed, g_ptr_array_steal_index_fast(imss_skeleton_shelf, i));
	}
	return removed;
}

/* the copies of @owner taken off the shelf */
static void
imss_skeleton_shelf_drop(gpointer owner)
{
	g_autoptr(GPtrArray) removed = NULL;

	g_mutex_lock(&imss_skeleton_shelf_lock);
	removed = imss_skeleton_shelf_take(owner, NULL);
	g_mutex_unlock(&imss_skeleton_shelf_lock);
}

/* @properties answered a read of @skeleton at @object_path on @connection
 * in the main context: when @connection is served, the worker answers the
 * next ones */
static void
imss_skeleton_shelf_put(GDBusInterfaceSkeleton *skeleton,
			GDBusConnection *connection,
			const gchar *object_path,
			GVariant *properties)
{
	g_autoptr(GPtrArray) removed = NULL;
	ImssSkeletonShelved *shelved;

	g_mutex_lock(&imss_skeleton_shelf_lock);
	if (!g_ptr_array_find(imss_skeleton_served, connection, NULL)) {
		g_mutex_unlock(&imss_skeleton_shelf_lock);
		return;
	}
	removed = imss_skeleton_shelf_take(skeleton, NULL);
	shelved = g_new0(ImssSkeletonShelved, 1);
	shelved->owner = skeleton;
	shelved->connection = connection;
	shelved->object_path = g_strdup(object_path);
	shelved->interface = g_dbus_interface_skeleton_get_info(skeleton)->name;
	shelved->properties = g_variant_ref(properties);
	g_ptr_array_add(imss_skeleton_shelf, shelved);
	g_mutex_unlock(&imss_skeleton_shelf_lock);
}

/* (transfer full) (nullable) the copy shelved for @interface at
 * @object_path on @connection; any thread */
static GVariant *
imss_skeleton_shelf_find(GDBusConnection *connection, const gchar *object_path, const gchar *interface)
{
	GVariant *properties = NULL;

	g_mutex_lock(&imss_skeleton_shelf_lock);
	for (guint i = 0; i < imss_skeleton_shelf->len; i++) {
		ImssSkeletonShelved *shelved = g_ptr_array_index(imss_skeleton_shelf, i);
		if (shelved->connection == connection &&
		    g_strcmp0(shelved->object_path, object_path) == 0 &&
		    g_strcmp0(shelved->interface, interface) == 0) {
			properties = g_variant_ref(shelved->properties);
			break;
		}
	}
	g_mutex_unlock(&imss_skeleton_shelf_lock);
	return properties;
}

/* the generated class above ours (each of ours is final, right below it) */
static gpointer
imss_skeleton_parent_class(gpointer instance)
{
	return g_type_class_peek_parent(G_OBJECT_GET_CLASS(instance));
}

/* (transfer full) @value with every container rebuilt from its children:
 * tree form */
static GVariant *
imss_skeleton_tree(GVariant *value)
{
	GVariantBuilder builder;
	gsize n;

	if (!g_variant_is_container(value))
		return g_variant_ref(value);
	n = g_variant_n_children(value);
	g_variant_builder_init(&builder, g_variant_get_type(value));
	for (gsize i = 0; i < n; i++) {
		g_autoptr(GVariant) child = g_variant_get_child_value(value, i);
		g_autoptr(GVariant) tree = imss_skeleton_tree(child);
		g_variant_builder_add_value(&builder, tree);
	}
	return g_variant_ref_sink(g_variant_builder_end(&builder));
}

/* the prepared a{sv}, built now when there is none */
static GVariant *
imss_skeleton_properties(GDBusInterfaceSkeleton *skeleton)
{
	GVariant *properties = g_object_get_qdata(G_OBJECT(skeleton), imss_skeleton_quark());

	if (properties == NULL) {
		GDBusInterfaceSkeletonClass *klass = imss_skeleton_parent_class(skeleton);
		g_autoptr(GVariant) all = g_variant_ref_sink(klass->get_properties(skeleton));
		properties = imss_skeleton_tree(all);
		g_object_set_qdata_full(G_OBJECT(skeleton),
					imss_skeleton_quark(),
					properties,
					(GDestroyNotify)g_variant_unref);
	}
	return properties;
}

/* GObject's notify, for every property that changed: the copy is dropped,
 * then the generated skeleton queues its PropertiesChanged */
static void
imss_skeleton_notify(GObject *object, GParamSpec *pspec)
{
	GObjectClass *parent = imss_skeleton_parent_class(object);

	imss_skeleton_shelf_drop(object);
	g_object_set_qdata(object, imss_skeleton_quark(), NULL);
	if (parent->notify != NULL)
		parent->notify(object, pspec);
}

/* a skeleton going away without being unexported first leaves nothing on
 * the shelf */
static void
imss_skeleton_finalize(GObject *object)
{
	GObjectClass *parent = imss_skeleton_parent_class(object);

	imss_skeleton_shelf_drop(object);
	parent->finalize(object);
}

/* a new (floating) a{sv} holding the prepared entries: the object manager
 * adds it to its reply as it is */
static GVariant *
imss_skeleton_get_properties(GDBusInterfaceSkeleton *skeleton)
{
	GVariant *properties = imss_skeleton_properties(skeleton);
	gsize n = g_variant_n_children(properties);
	g_autofree GVariant **entries = g_new(GVariant *, n);
	GVariant *copy;

	for (gsize i = 0; i < n; i++)
		entries[i] = g_variant_get_child_value(properties, i);
	copy = g_variant_new_array(G_VARIANT_TYPE("{sv}"), entries, n);
	for (gsize i = 0; i < n; i++)
		g_variant_unref(entries[i]);
	return copy;
}

/* Properties.Get, GetAll and Set; GDBus has checked the interface, the
 * property and its access */
static void
imss_skeleton_handle_properties(GDBusInterfaceSkeleton *skeleton,
				const gchar *method_name,
				GDBusMethodInvocation *invocation)
{
	GVariant *properties = imss_skeleton_properties(skeleton);

	imss_skeleton_shelf_put(skeleton,
				g_dbus_method_invocation_get_connection(invocation),
				g_dbus_method_invocation_get_object_path(invocation),
				properties);
	if (g_strcmp0(method_name, "GetAll") == 0) {
		g_dbus_method_invocation_return_value(invocation,
						      g_variant_new_tuple(&properties, 1));
	} else if (g_strcmp0(method_name, "Get") == 0) {
		const GDBusPropertyInfo *info = g_dbus_method_invocation_get_property_info(invocation);
		g_autoptr(GVariant) value = g_variant_lookup_value(properties, info->name, NULL);
		if (value == NULL) {
			g_dbus_method_invocation_return_error(invocation,
							      G_DBUS_ERROR,
							      G_DBUS_ERROR_UNKNOWN_PROPERTY,
							      "No such property “%s”",
							      info->name);
			return;
		}
		g_dbus_method_invocation_return_value(invocation, g_variant_new("(v)", value));
	} else {
		/* Set: no property of ours is writable, and GDBus refuses
		 * those before they come here */
		g_dbus_method_invocation_return_error(invocation,
						      G_DBUS_ERROR,
						      G_DBUS_ERROR_PROPERTY_READ_ONLY,
						      "Property is not writable");
	}
}

/* Every string a caller sends is bounded before anything else looks at it
 * (polkit, the domain, the catalogues): each in-argument is checked under
 * its name in the introspection XML, so a new method is covered by the
 * default bound of its strings (docs/design.md, "Bounded input at the
 * edge"). FALSE when refused: the call has been answered. */
static gboolean
imss_skeleton_check_arguments(GDBusMethodInvocation *invocation, GVariant *parameters)
{
	const GDBusMethodInfo *info = g_dbus_method_invocation_get_method_info(invocation);

	if (info == NULL || info->in_args == NULL)
		return TRUE;
	for (guint i = 0; info->in_args[i] != NULL && i < g_variant_n_children(parameters); i++) {
		g_autoptr(GVariant) value = g_variant_get_child_value(parameters, i);
		g_autoptr(GError) error_local = NULL;
		if (!imss_validate_argument(info->in_args[i]->name, value, &error_local)) {
			g_info("%s from %s refused: %s",
			       g_dbus_method_invocation_get_method_name(invocation),
			       g_dbus_method_invocation_get_sender(invocation),
			       error_local->message);
			g_dbus_method_invocation_return_gerror(invocation, error_local);
			return FALSE;
		}
	}
	return TRUE;
}

static void
imss_skeleton_method_call(GDBusConnection *connection,
			  const gchar *sender,
			  const gchar *object_path,
			  const gchar *interface_name,
			  const gchar *method_name,
			  GVariant *parameters,
			  GDBusMethodInvocation *invocation,
			  gpointer user_data)
{
	GDBusInterfaceSkeleton *skeleton = G_DBUS_INTERFACE_SKELETON(user_data);
	GDBusInterfaceSkeletonClass *parent = imss_skeleton_parent_class(skeleton);
	GDBusInterfaceVTable *vtable;

	if (g_strcmp0(interface_name, "org.freedesktop.DBus.Properties") == 0) {
		imss_skeleton_handle_properties(skeleton, method_name, invocation);
		return;
	}
	if (!imss_skeleton_check_arguments(invocation, parameters))
		return;
	vtable = parent->get_vtable(skeleton);
	vtable->method_call(connection,
			    sender,
			    object_path,
			    interface_name,
			    method_name,
			    parameters,
			    invocation,
			    user_data);
}

static GDBusInterfaceVTable imss_skeleton_vtable = {
    .method_call = imss_skeleton_method_call,
};

static GDBusInterfaceVTable *
imss_skeleton_get_vtable(GDBusInterfaceSkeleton *skeleton)
{
	return &imss_skeleton_vtable;
}

/* the key of a call in imss_skeleton_waiting */
static gchar *
imss_skeleton_call_key(const gchar *sender, guint32 serial)
{
	return g_strdup_printf("%s %" G_GUINT32_FORMAT, sender, serial);
}

/* @message (an incoming call that expects a reply) goes to the main
 * context: the sender's next reads wait for its reply */
static void
imss_skeleton_wait(GDBusMessage *message)
{
	const gchar *sender = g_dbus_message_get_sender(message);
	guint n;

	if (sender == NULL)
		return;
	g_mutex_lock(&imss_skeleton_shelf_lock);
	if (imss_skeleton_waiting != NULL &&
	    g_hash_table_add(imss_skeleton_waiting,
			     imss_skeleton_call_key(sender, g_dbus_message_get_serial(message)))) {
		n = GPOINTER_TO_UINT(g_hash_table_lookup(imss_skeleton_waiting_senders, sender));
		g_hash_table_insert(imss_skeleton_waiting_senders, g_strdup(sender), GUINT_TO_POINTER(n + 1));
	}
	g_mutex_unlock(&imss_skeleton_shelf_lock);
}

/* an outgoing message: when it answers a call that waits, the call is done */
static void
imss_skeleton_answered(GDBusMessage *message)
{
	GDBusMessageType type = g_dbus_message_get_message_type(message);
	const gchar *destination = g_dbus_message_get_destination(message);
	g_autofree gchar *key = NULL;
	guint n;

	if ((type != G_DBUS_MESSAGE_TYPE_METHOD_RETURN && type != G_DBUS_MESSAGE_TYPE_ERROR) ||
	    destination == NULL)
		return;
	key = imss_skeleton_call_key(destination, g_dbus_message_get_reply_serial(message));
	g_mutex_lock(&imss_skeleton_shelf_lock);
	if (imss_skeleton_waiting != NULL && g_hash_table_remove(imss_skeleton_waiting, key)) {
		n = GPOINTER_TO_UINT(g_hash_table_lookup(imss_skeleton_waiting_senders, destination));
		if (n > 1)
			g_hash_table_insert(imss_skeleton_waiting_senders, g_strdup(destination),
					    GUINT_TO_POINTER(n - 1));
		else
			g_hash_table_remove(imss_skeleton_waiting_senders, destination);
	}
	g_mutex_unlock(&imss_skeleton_shelf_lock);
}

/* whether a call of @sender waits for the main context's answer */
static gboolean
imss_skeleton_sender_waits(const gchar *sender)
{
	gboolean waits;

	g_mutex_lock(&imss_skeleton_shelf_lock);
	waits = sender != NULL && imss_skeleton_waiting_senders != NULL &&
		g_hash_table_contains(imss_skeleton_waiting_senders, sender);
	g_mutex_unlock(&imss_skeleton_shelf_lock);
	return waits;
}

/* (transfer full) (nullable) the reply to @message, a Get or GetAll of a
 * shelved copy; NULL: the main context answers it */
static GVariant *
imss_skeleton_answer(GDBusConnection *connection, GDBusMessage *message)
{
	const gchar *member;
	const gchar *interface = NULL;
	const gchar *name = NULL;
	GVariant *body;
	g_autoptr(GVariant) properties = NULL;
	g_autoptr(GVariant) value = NULL;

	if (g_strcmp0(g_dbus_message_get_interface(message), "org.freedesktop.DBus.Properties") != 0)
		return NULL;
	member = g_dbus_message_get_member(message);
	body = g_dbus_message_get_body(message);
	if (body == NULL)
		return NULL;
	if (g_strcmp0(member, "GetAll") == 0 && g_variant_is_of_type(body, G_VARIANT_TYPE("(s)")))
		g_variant_get(body, "(&s)", &interface);
	else if (g_strcmp0(member, "Get") == 0 && g_variant_is_of_type(body, G_VARIANT_TYPE("(ss)")))
		g_variant_get(body, "(&s&s)", &interface, &name);
	else
		return NULL;
	/* in order behind the sender's calls the main context has not answered */
	if (imss_skeleton_sender_waits(g_dbus_message_get_sender(message)))
		return NULL;
	properties = imss_skeleton_shelf_find(connection, g_dbus_message_get_path(message), interface);
	if (properties == NULL)
		return NULL;
	if (name == NULL)
		return g_variant_ref_sink(g_variant_new_tuple(&properties, 1));
	value = g_variant_lookup_value(properties, name, NULL);
	if (value == NULL)
		return NULL; /* the main context answers the error */
	return g_variant_ref_sink(g_variant_new("(v)", value));
}

/* GDBus's worker thread, every message as it arrives or leaves: a Get or
 * GetAll of a shelved copy is answered here and goes no further, unless a
 * call of the same sender waits for the main context; every other call
 * waits for its reply, which is seen leaving */
static GDBusMessage *
imss_skeleton_filter(GDBusConnection *connection,
		     GDBusMessage *message,
		     gboolean incoming,
		     gpointer user_data)
{
	g_autoptr(GVariant) answer = NULL;
	g_autoptr(GDBusMessage) reply = NULL;

	if (!incoming) {
		imss_skeleton_answered(message);
		return message;
	}
	if (g_dbus_message_get_message_type(message) != G_DBUS_MESSAGE_TYPE_METHOD_CALL ||
	    (g_dbus_message_get_flags(message) & G_DBUS_MESSAGE_FLAGS_NO_REPLY_EXPECTED) != 0)
		return message;
	answer = imss_skeleton_answer(connection, message);
	if (answer == NULL) {
		imss_skeleton_wait(message);
		return message;
	}
	reply = g_dbus_message_new_method_reply(message);
	g_dbus_message_set_body(reply, answer);
	g_dbus_connection_send_message(connection, reply, G_DBUS_SEND_MESSAGE_FLAGS_NONE, NULL, NULL);
	g_object_unref(message);
	return NULL;
}

/**
 * imss_skeleton_serve:
 * @connection: the connection our skeletons are exported on
 *
 * Reads of a copy already prepared are answered in GDBus's worker thread
 * from now on (see the top of this file).
 *
 * Returns: the filter's id, for imss_skeleton_unserve()
 */
guint
imss_skeleton_serve(GDBusConnection *connection)
{
	g_mutex_lock(&imss_skeleton_shelf_lock);
	if (imss_skeleton_served == NULL) {
		imss_skeleton_served = g_ptr_array_new();
		imss_skeleton_shelf = g_ptr_array_new();
		imss_skeleton_waiting = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
		imss_skeleton_waiting_senders = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
	}
	g_ptr_array_add(imss_skeleton_served, connection);
	g_mutex_unlock(&imss_skeleton_shelf_lock);
	return g_dbus_connection_add_filter(connection, imss_skeleton_filter, NULL, NULL);
}

/**
 * imss_skeleton_unserve:
 * @connection: a connection given to imss_skeleton_serve()
 * @filter_id: what it returned
 *
 * The worker answers nothing more on @connection: its copies leave the
 * shelf (the filter may still run once, and then finds none).
 */
void
imss_skeleton_unserve(GDBusConnection *connection, guint filter_id)
{
	g_autoptr(GPtrArray) removed = NULL;

	g_dbus_connection_remove_filter(connection, filter_id);
	g_mutex_lock(&imss_skeleton_shelf_lock);
	g_ptr_array_remove(imss_skeleton_served, connection);
	removed = imss_skeleton_shelf_take(NULL, connection);
	g_mutex_unlock(&imss_skeleton_shelf_lock);
}

/* -- the subclasses ---------------------------------------------------------- */

/* ImssNameSkeleton, a final subclass of ImssExportedNameSkeleton with our
 * vtable and the prepared properties */
#define IMSS_DEFINE_SKELETON(Name, name, NAME)                                                     \
	G_DECLARE_FINAL_TYPE(Imss##Name##Skeleton,                                                 \
			     imss_##name##_skeleton,                                               \
			     IMSS,                                                                 \
			     NAME##_SKELETON,                                                      \
			     ImssExported##Name##Skeleton)                                         \
	struct _Imss##Name##Skeleton {                                                             \
		ImssExported##Name##Skeleton parent_instance;                                      \
	};                                                                                         \
	G_DEFINE_TYPE(Imss##Name##Skeleton,                                                        \
		      imss_##name##_skeleton,                                                      \
		      IMSS_TYPE_EXPORTED_##NAME##_SKELETON)                                        \
	static void imss_##name##_skeleton_class_init(Imss##Name##SkeletonClass *klass)            \
	{                                                                                          \
		GDBusInterfaceSkeletonClass *skeleton_class =                                      \
		    G_DBUS_INTERFACE_SKELETON_CLASS(klass);                                        \
		G_OBJECT_CLASS(klass)->notify = imss_skeleton_notify;                              \
		G_OBJECT_CLASS(klass)->finalize = imss_skeleton_finalize;                          \
		skeleton_class->get_vtable = imss_skeleton_get_vtable;                             \
		skeleton_class->get_properties = imss_skeleton_get_properties;                     \
	}                                                                                          \
	static void imss_##name##_skeleton_init(Imss##Name##Skeleton *self)                        \
	{                                                                                          \
	}                                                                                          \
	ImssExported##Name *imss_skeleton_new_##name(void)                                         \
	{                                                                                          \
		return g_object_new(imss_##name##_skeleton_get_type(), NULL);                      \
	}

IMSS_DEFINE_SKELETON(Manager, manager, MANAGER)
IMSS_DEFINE_SKELETON(Slot, slot, SLOT)
IMSS_DEFINE_SKELETON(VirtualClock, virtual_clock, VIRTUAL_CLOCK)
