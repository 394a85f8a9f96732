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

G_END_DECLS
