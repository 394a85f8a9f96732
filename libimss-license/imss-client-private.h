/*
 * ImssClient's halves: the object, its connection and signals
 * (imss-client.c) and its methods (imss-client-methods.c).
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

/* Calls @method of org.imss.License with @params (floating); @task gets
 * the reply (a GVariant) or the error, converted (imss-client-methods.c). */
void
imss_client_call(ImssClient *self,
		 const gchar *method,
		 GVariant *params,
		 GCancellable *cancellable,
		 GTask *task);
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
