/*
 * The faults of imss-license-server: what POST /admin/fault sets, how the
 * next protocol requests take it, and the answers that do not depend on the
 * request (docs/imss-license-server.1, "POST /admin/fault").
 */
#pragma once

#include <json-glib/json-glib.h>
#include <libsoup/soup.h>

G_BEGIN_DECLS

typedef enum {
	SERVER_FAULT_NONE,
	SERVER_FAULT_ERROR,
	SERVER_FAULT_STALL,
	SERVER_FAULT_SLOW,
	SERVER_FAULT_GARBAGE,
	SERVER_FAULT_OVERSIZE,
	SERVER_FAULT_WRONG_CODE,
	SERVER_FAULT_REDIRECT_LOOP,
	SERVER_FAULT_HTML,
	SERVER_FAULT_BAD_DATE,
	SERVER_FAULT_BUSY,
	SERVER_FAULT_LAST
} ServerFault;

/* the fault in force and its parameters */
typedef struct {
	ServerFault mode;
	guint remaining;	   /* requests still to misbehave; 0: until cleared */
	gdouble delay;		   /* slow: seconds */
	guint status;		   /* busy: 429 or 503 */
	guint retry_after;	   /* busy: seconds */
	gboolean retry_after_date; /* busy: Retry-After as an HTTP date */
} ServerFaults;

/* No fault, and the defaults of the parameters. */
void
server_faults_clear(ServerFaults *self);
/* Sets what an admin request {"mode", "count"?, ...} asks for; on an error
 * nothing changes. */
gboolean
server_faults_set(ServerFaults *self, JsonObject *obj, GError **error);
/* The fault of the next protocol request (a copy), counted down. */
ServerFaults
server_faults_take(ServerFaults *self);

/* The 200 answer of the garbage, html and oversize faults. */
void
server_fault_set_body(SoupServerMessage *msg, ServerFault fault);
/* The Retry-After and Date headers, and the reason phrase, of @fault (busy);
 * after the status and body are set. */
void
server_fault_set_busy(SoupServerMessage *msg, const ServerFaults *fault);

G_END_DECLS
