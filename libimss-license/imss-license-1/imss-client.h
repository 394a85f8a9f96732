/*
 * ImssClient: the connection to imss-licensed on the system bus — its
 * properties, its six license slots, its methods and its signals.
 */
#pragma once

#include <gio/gio.h>

#include "imss-enums.h"
#include "imss-notice.h"
#include "imss-slot.h"

G_BEGIN_DECLS

/**
 * ImssClientFlags:
 * @IMSS_CLIENT_FLAGS_NONE: no flags: the bus may start imss-licensed (D-Bus
 *   activation) for the first call
 * @IMSS_CLIENT_FLAGS_DO_NOT_AUTO_START: never start imss-licensed; while it
 *   is not running, calls fail with %G_DBUS_ERROR_SERVICE_UNKNOWN
 * @IMSS_CLIENT_FLAGS_ALLOW_INTERACTIVE_AUTHORIZATION: let polkit ask the
 *   user for a password (a command line on a terminal)
 *
 * How an #ImssClient talks to the daemon.
 */
typedef enum /*< flags >*/ {
	IMSS_CLIENT_FLAGS_NONE = 0,
	IMSS_CLIENT_FLAGS_DO_NOT_AUTO_START = 1 << 0,
	IMSS_CLIENT_FLAGS_ALLOW_INTERACTIVE_AUTHORIZATION = 1 << 1,
} ImssClientFlags;

#define IMSS_TYPE_CLIENT_FLAGS (imss_client_flags_get_type())
GType
imss_client_flags_get_type(void) G_GNUC_CONST;

#define IMSS_TYPE_CLIENT (imss_client_get_type())
G_DECLARE_FINAL_TYPE(ImssClient, imss_client, IMSS, CLIENT, GObject)

void
imss_client_new_async(ImssClientFlags flags,
		      GCancellable *cancellable,
		      GAsyncReadyCallback callback,
		      gpointer user_data);
ImssClient *
imss_client_new_finish(GAsyncResult *result, GError **error);
ImssClient *
imss_client_new_sync(ImssClientFlags flags, GCancellable *cancellable, GError **error);

/* properties */
ImssClientFlags
imss_client_get_flags(ImssClient *self);
gboolean
imss_client_get_daemon_running(ImssClient *self);
const gchar *
imss_client_get_language(ImssClient *self);
void
imss_client_set_language(ImssClient *self, const gchar *language);
const gchar *
imss_client_get_edition(ImssClient *self);
const gchar *
imss_client_get_environment(ImssClient *self);
const gchar *
imss_client_get_daemon_version(ImssClient *self);
const gchar *
imss_client_get_last_profile_deployment(ImssClient *self);
const gchar *
imss_client_get_last_profile_result(ImssClient *self);
gboolean
imss_client_get_inactive_notices_hidden(ImssClient *self);
gboolean
imss_client_get_click_protection_bound(ImssClient *self);
GVariant *
imss_client_get_restarts(ImssClient *self);
const gchar *
imss_client_get_node_name(ImssClient *self);
gint64
imss_client_get_clock_skew(ImssClient *self);
GVariant *
imss_client_get_settings(ImssClient *self);
const gchar *
imss_client_get_today(ImssClient *self);

/* the slots */
GListModel *
imss_client_get_slots(ImssClient *self);
ImssSlot *
imss_client_get_slot(ImssClient *self, const gchar *slot_id);

/* methods */
void
imss_client_activate_async(ImssClient *self,
			   const gchar *slot_id,
			   const gchar *code,
			   GCancellable *cancellable,
			   GAsyncReadyCallback callback,
			   gpointer user_data);
ImssSlot *
imss_client_activate_finish(ImssClient *self, GAsyncResult *result, GError **error);

void
imss_client_update_async(ImssClient *self,
			 GCancellable *cancellable,
			 GAsyncReadyCallback callback,
			 gpointer user_data);
gchar *
imss_client_update_finish(ImssClient *self, GAsyncResult *result, GError **error);

void
imss_client_apply_profile_async(ImssClient *self,
				GVariant *profile,
				GCancellable *cancellable,
				GAsyncReadyCallback callback,
				gpointer user_data);
gchar *
imss_client_apply_profile_finish(ImssClient *self, GAsyncResult *result, GError **error);

void
imss_client_diagnose_async(ImssClient *self,
			   const gchar *slot_id,
			   const gchar *language,
			   GCancellable *cancellable,
			   GAsyncReadyCallback callback,
			   gpointer user_data);
GVariant *
imss_client_diagnose_finish(ImssClient *self, GAsyncResult *result, GError **error);

void
imss_client_get_notices_async(ImssClient *self,
			      const gchar *language,
			      GCancellable *cancellable,
			      GAsyncReadyCallback callback,
			      gpointer user_data);
GPtrArray *
imss_client_get_notices_finish(ImssClient *self, GAsyncResult *result, GError **error);

void
imss_client_list_events_async(ImssClient *self,
			      guint days,
			      GCancellable *cancellable,
			      GAsyncReadyCallback callback,
			      gpointer user_data);
GVariant *
imss_client_list_events_finish(ImssClient *self, GAsyncResult *result, GError **error);

void
imss_client_get_history_async(ImssClient *self,
			      guint limit,
			      GCancellable *cancellable,
			      GAsyncReadyCallback callback,
			      gpointer user_data);
GVariant *
imss_client_get_history_finish(ImssClient *self, GAsyncResult *result, GError **error);

void
imss_client_get_history_page_async(ImssClient *self,
				   guint offset,
				   guint limit,
				   GCancellable *cancellable,
				   GAsyncReadyCallback callback,
				   gpointer user_data);
GVariant *
imss_client_get_history_page_finish(ImssClient *self,
				    GAsyncResult *result,
				    guint *total,
				    GError **error);

void
imss_client_get_clock_async(ImssClient *self,
			    GCancellable *cancellable,
			    GAsyncReadyCallback callback,
			    gpointer user_data);
GVariant *
imss_client_get_clock_finish(ImssClient *self, GAsyncResult *result, GError **error);

void
imss_client_restart_services_async(ImssClient *self,
				   GCancellable *cancellable,
				   GAsyncReadyCallback callback,
				   gpointer user_data);
gchar **
imss_client_restart_services_finish(ImssClient *self, GAsyncResult *result, GError **error);

void
imss_client_list_nodes_async(ImssClient *self,
			     GCancellable *cancellable,
			     GAsyncReadyCallback callback,
			     gpointer user_data);
GVariant *
imss_client_list_nodes_finish(ImssClient *self, GAsyncResult *result, GError **error);

void
imss_client_bind_click_protection_async(ImssClient *self,
					GCancellable *cancellable,
					GAsyncReadyCallback callback,
					gpointer user_data);
gboolean
imss_client_bind_click_protection_finish(ImssClient *self, GAsyncResult *result, GError **error);

void
imss_client_release_click_protection_async(ImssClient *self,
					   GCancellable *cancellable,
					   GAsyncReadyCallback callback,
					   gpointer user_data);
gboolean
imss_client_release_click_protection_finish(ImssClient *self,
					     GAsyncResult *result,
					     gboolean *released,
					     GError **error);

void
imss_client_set_inactive_notices_hidden_async(ImssClient *self,
					      gboolean hidden,
					      GCancellable *cancellable,
					      GAsyncReadyCallback callback,
					      gpointer user_data);
gboolean
imss_client_set_inactive_notices_hidden_finish(ImssClient *self,
					       GAsyncResult *result,
					       GError **error);

void
imss_client_set_settings_async(ImssClient *self,
			       GVariant *settings,
			       const gchar *const *reset,
			       GCancellable *cancellable,
			       GAsyncReadyCallback callback,
			       gpointer user_data);
gboolean
imss_client_set_settings_finish(ImssClient *self, GAsyncResult *result, GError **error);

void
imss_client_test_mail_async(ImssClient *self,
			    GCancellable *cancellable,
			    GAsyncReadyCallback callback,
			    gpointer user_data);
gchar *
imss_client_test_mail_finish(ImssClient *self, GAsyncResult *result, GError **error);

G_END_DECLS
