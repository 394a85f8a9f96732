/*
 * The D-Bus properties of a proxy as the GObject properties of the object
 * that wraps it (ImssClient, ImssSlot): the last value seen of each, kept
 * while the daemon is away, with notify:: on every real change.
 */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

/* One D-Bus property: its name and type; entry i is GObject property i + 1. */
typedef struct {
	const gchar *name;
	const gchar *type;
} ImssPropInfo;

typedef struct {
	GObject *owner;
	const ImssPropInfo *infos;
	guint n_infos;
	GParamSpec **pspecs; /* n_infos, indexed like @infos */
	GVariant **values;   /* n_infos, NULL until seen */
	GDBusProxy *proxy;
	gulong changed_id;
} ImssProps;

/* Takes the cached values of @proxy and follows its PropertiesChanged;
 * @owner is notified through @pspecs. */
void
imss_props_init(ImssProps *self,
		GObject *owner,
		GDBusProxy *proxy,
		const ImssPropInfo *infos,
		guint n_infos,
		GParamSpec **pspecs);
void
imss_props_clear(ImssProps *self);
/* The value of property @i (borrowed), NULL when never seen. */
GVariant *
imss_props_get(ImssProps *self, guint i);
/* Its string, "" when never seen. */
const gchar *
imss_props_get_string(ImssProps *self, guint i);
gboolean
imss_props_get_boolean(ImssProps *self, guint i);
gint64
imss_props_get_int64(ImssProps *self, guint i);
/* Reads every property again from the proxy's cache (after the daemon came back). */
void
imss_props_reload(ImssProps *self);
/* Sets @value (initialised to the type of the GObject property: boolean,
 * string, int64 or variant) to property @i, the defaults when never seen. */
void
imss_props_get_value(ImssProps *self, guint i, GValue *value);

/* The GParamSpecs of the owners' read-only properties (notify:: explicit). */
GParamSpec *
imss_props_string_pspec(const gchar *name, const gchar *blurb);
GParamSpec *
imss_props_boolean_pspec(const gchar *name, const gchar *blurb);

/* The ImssProps index of the owner's GObject property @prop (its D-Bus
 * properties are its GObject properties 1…). */
#define IMSS_PROPS_INDEX(prop) ((guint)(prop) - 1)

/* Defines the getter @func of @Owner (an instance with an ImssProps named
 * props) for its GObject property @prop: @get (an imss_props_get*()) of it,
 * or @fallback when @self is not an @Owner (@IS_OWNER). */
#define IMSS_PROPS_GETTER(Owner, IS_OWNER, Type, func, get, prop, fallback)                        \
	Type func(Owner *self)                                                                     \
	{                                                                                          \
		g_return_val_if_fail(IS_OWNER(self), fallback);                                    \
		return get(&self->props, IMSS_PROPS_INDEX(prop));                                  \
	}
#define IMSS_PROPS_STRING_GETTER(Owner, IS_OWNER, func, prop)                                      \
	IMSS_PROPS_GETTER(Owner, IS_OWNER, const gchar *, func, imss_props_get_string, prop, NULL)
#define IMSS_PROPS_BOOLEAN_GETTER(Owner, IS_OWNER, func, prop)                                     \
	IMSS_PROPS_GETTER(Owner, IS_OWNER, gboolean, func, imss_props_get_boolean, prop, FALSE)

G_END_DECLS
