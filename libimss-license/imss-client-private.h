/*
 * ImssClient's parts: the object, its slots and signals (imss-client.c),
 * its construction (imss-client-new.c), its properties
 * (imss-client-props.c), and its methods: the call helper and the methods that
 * read (imss-client-methods.c), those that change something
 * (imss-client-actions.c).
 */
#pragma once

#include "imss-generated.h"
#include "imss-license-1/imss-client.h"
#include "imss-midnight.h"
#include "imss-props.h"

G_BEGIN_DECLS

/* a polkit password prompt may take a while */
#define IMSS_CLIENT_CALL_TIMEOUT_MS 120000

struct _ImssClient {
	GObject parent_instance;
	ImssClientFlags flags;
	gchar *language;
	GDBusConnection *connection;
	ImssExportedManager *manager;
	ImssProps props;
	GListStore *slots;
	GDate today;
	gchar *today_str;
	ImssMidnight *midnight; /* the date is read again at the daemon's 00:00 */
	GCancellable *cancellable; /* the client's own calls (the clock) */
};

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

/* the manager's D-Bus properties, in the order of PROP_EDITION … PROP_SETTINGS,
 * and every property's specification (imss-client-props.c) */
extern const ImssPropInfo imss_client_dbus_props[PROP_FLAGS - 1];
extern GParamSpec *imss_client_pspecs[PROP_LAST];
void
imss_client_class_init_properties(GObjectClass *object_class);

/* construction (imss-client-new.c) */
void
imss_client_initable_iface_init(GInitableIface *iface);
void
imss_client_async_initable_iface_init(GAsyncInitableIface *iface);
/* everything after the proxies exist: takes @slot_proxies (IMSS_SLOT_LAST)
 * (imss-client.c: the slots, the signals, the daemon coming and going) */
void
imss_client_setup(ImssClient *self, GDBusProxy **slot_proxies);

/* the methods of org.imss.License (the call helper has their names) */
typedef enum {
	METHOD_ACTIVATE,
	METHOD_UPDATE_STATUS,
	METHOD_APPLY_PROFILE,
	METHOD_DIAGNOSE,
	METHOD_GET_NOTICES,
	METHOD_LIST_EVENTS,
	METHOD_GET_HISTORY,
	METHOD_GET_HISTORY_PAGE,
	METHOD_LIST_NODES,
	METHOD_GET_CLOCK,
	METHOD_RESTART_SERVICES,
	METHOD_BIND_CLICK_PROTECTION,
	METHOD_RELEASE_CLICK_PROTECTION,
	METHOD_SET_INACTIVE_NOTICES_HIDDEN,
	METHOD_SET_SETTINGS,
	METHOD_TEST_MAIL,
} ImssClientMethod;

/* What every _async function does once its own arguments are checked:
 * calls @method with @params (floating, or NULL for none) for @callback,
 * in a task whose result is the reply or the error, converted
 * (the daemon's into IMSS_ERROR). */
void
imss_client_start(ImssClient *self,
		  ImssClientMethod method,
		  GVariant *params,
		  GCancellable *cancellable,
		  GAsyncReadyCallback callback,
		  gpointer user_data);
/* what the _finish functions make of the result of @method: the whole
 * reply, its single value, that value's string, or whether the call
 * succeeded; NULL (FALSE) with @error */
GVariant *
imss_client_reply(ImssClient *self, GAsyncResult *result, ImssClientMethod method, GError **error);
GVariant *
imss_client_reply_value(ImssClient *self,
			GAsyncResult *result,
			ImssClientMethod method,
			GError **error);
gchar *
imss_client_reply_string(ImssClient *self,
			 GAsyncResult *result,
			 ImssClientMethod method,
			 GError **error);
gboolean
imss_client_reply_ok(ImssClient *self,
		     GAsyncResult *result,
		     ImssClientMethod method,
		     GError **error);
/* the language texts are asked in: @language, the client's, or the process's */
const gchar *
imss_client_effective_language(ImssClient *self, const gchar *language);
/* takes the daemon's calendar date from a GetClock reply's a{sv}; FALSE
 * with @error when the record is malformed */
gboolean
imss_client_take_clock(ImssClient *self, GVariant *clock, GError **error);
/* the slot whose D-Bus object is @path, or NULL */
ImssSlot *
imss_client_lookup_slot_path(ImssClient *self, const gchar *path);

G_END_DECLS
