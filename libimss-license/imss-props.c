/*
 * The D-Bus properties of a proxy as GObject properties (imss-props.h).
 */
#define G_LOG_DOMAIN "ImssLicense"

#include "config.h"

#include "imss-props.h"

/* takes @value (a full or a floating reference) as property @i: notifies
 * on a change */
static void
imss_props_take(ImssProps *self, guint i, GVariant *value)
{
	g_autoptr(GVariant) owned = g_variant_take_ref(value);

	if (!g_variant_is_of_type(owned, G_VARIANT_TYPE(self->infos[i].type))) {
		g_debug("ignoring %s of type %s",
			self->infos[i].name,
			g_variant_get_type_string(owned));
		return;
	}
	if (self->values[i] != NULL && g_variant_equal(self->values[i], owned))
		return;
	g_clear_pointer(&self->values[i], g_variant_unref);
	self->values[i] = g_steal_pointer(&owned);
	g_object_notify_by_pspec(self->owner, self->pspecs[i]);
}

static gint
imss_props_lookup(ImssProps *self, const gchar *name)
{
	for (guint i = 0; i < self->n_infos; i++) {
		if (g_strcmp0(self->infos[i].name, name) == 0)
			return (gint)i;
	}
	return -1;
}

/* only values: an invalidation (the daemon went away) keeps the last value */
static void
imss_props_changed_cb(GDBusProxy *proxy,
		      GVariant *changed,
		      const gchar *const *invalidated,
		      gpointer user_data)
{
	ImssProps *self = user_data;
	GVariantIter iter;
	const gchar *name;
	GVariant *value;

	g_object_freeze_notify(self->owner);
	g_variant_iter_init(&iter, changed);
	while (g_variant_iter_next(&iter, "{&sv}", &name, &value)) {
		gint i = imss_props_lookup(self, name);
		if (i >= 0)
			imss_props_take(self, (guint)i, value);
		else
			g_variant_unref(value);
	}
	g_object_thaw_notify(self->owner);
}

void
imss_props_reload(ImssProps *self)
{
	g_return_if_fail(self != NULL);

	g_object_freeze_notify(self->owner);
	for (guint i = 0; i < self->n_infos; i++) {
		GVariant *value = g_dbus_proxy_get_cached_property(self->proxy, self->infos[i].name);
		if (value != NULL)
			imss_props_take(self, i, value);
	}
	g_object_thaw_notify(self->owner);
}

void
imss_props_init(ImssProps *self,
		GObject *owner,
		GDBusProxy *proxy,
		const ImssPropInfo *infos,
		guint n_infos,
		GParamSpec **pspecs)
{
	g_return_if_fail(self != NULL);
	g_return_if_fail(G_IS_OBJECT(owner));
	g_return_if_fail(G_IS_DBUS_PROXY(proxy));
	g_return_if_fail(infos != NULL && pspecs != NULL);

	self->owner = owner;
	self->infos = infos;
	self->n_infos = n_infos;
	self->pspecs = pspecs;
	self->values = g_new0(GVariant *, n_infos);
	self->proxy = g_object_ref(proxy);
	self->changed_id = g_signal_connect(proxy,
					    "g-properties-changed",
					    G_CALLBACK(imss_props_changed_cb),
					    self);
	imss_props_reload(self);
}

void
imss_props_clear(ImssProps *self)
{
	g_return_if_fail(self != NULL);

	if (self->proxy != NULL) {
		g_signal_handler_disconnect(self->proxy, self->changed_id);
		g_clear_object(&self->proxy);
	}
	for (guint i = 0; self->values != NULL && i < self->n_infos; i++)
		g_clear_pointer(&self->values[i], g_variant_unref);
	g_clear_pointer(&self->values, g_free);
}

GVariant *
imss_props_get(ImssProps *self, guint i)
{
	g_return_val_if_fail(self != NULL, NULL);
	g_return_val_if_fail(i < self->n_infos, NULL);

	return self->values[i];
}

const gchar *
imss_props_get_string(ImssProps *self, guint i)
{
	GVariant *value = imss_props_get(self, i);
	return value != NULL ? g_variant_get_string(value, NULL) : "";
}

gboolean
imss_props_get_boolean(ImssProps *self, guint i)
{
	GVariant *value = imss_props_get(self, i);
	return value != NULL ? g_variant_get_boolean(value) : FALSE;
}

gint64
imss_props_get_int64(ImssProps *self, guint i)
{
	GVariant *value = imss_props_get(self, i);
	return value != NULL ? g_variant_get_int64(value) : 0;
}

void
imss_props_get_value(ImssProps *self, guint i, GValue *value)
{
	switch (G_VALUE_TYPE(value)) {
	case G_TYPE_BOOLEAN:
		g_value_set_boolean(value, imss_props_get_boolean(self, i));
		break;
	case G_TYPE_STRING:
		g_value_set_string(value, imss_props_get_string(self, i));
		break;
	case G_TYPE_INT64:
		g_value_set_int64(value, imss_props_get_int64(self, i));
		break;
	case G_TYPE_VARIANT:
		g_value_set_variant(value, imss_props_get(self, i));
		break;
	default:
		g_return_if_reached();
	}
}

GParamSpec *
imss_props_string_pspec(const gchar *name, const gchar *blurb)
{
	return g_param_spec_string(name,
				   NULL,
				   blurb,
				   "",
				   G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
}

GParamSpec *
imss_props_boolean_pspec(const gchar *name, const gchar *blurb)
{
	return g_param_spec_boolean(name,
				    NULL,
				    blurb,
				    FALSE,
				    G_PARAM_READABLE | G_PARAM_STATIC_STRINGS |
					G_PARAM_EXPLICIT_NOTIFY);
}
