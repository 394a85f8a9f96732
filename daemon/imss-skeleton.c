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
 * Main context only, as the rest of the daemon: the skeletons are exported
 * without G_DBUS_INTERFACE_SKELETON_FLAGS_HANDLE_METHOD_INVOCATIONS_IN_THREAD.
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

	g_object_set_qdata(object, imss_skeleton_quark(), NULL);
	if (parent->notify != NULL)
		parent->notify(object, pspec);
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
