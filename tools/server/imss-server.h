/*
 * imss-license-server: the server and what it holds, shared by the router,
 * the protocol and the admin handlers; its life: listening on a socket,
 * handing connections to libsoup (TLS optional), shutting down.
 */
#pragma once

#include <libsoup/soup.h>

#include "imss-server-faults.h"
#include "imss-server-log.h"
#include "imss-server-pending.h"
#include "imss-server-registry.h"

G_BEGIN_DECLS

/* codes remembered from protocol requests (admin requests always count) */
#define SERVER_CODES_MAX 65536
/* the log keeps the newest entries only */
#define SERVER_LOG_MAX 10000

typedef struct {
	GMainLoop *loop;
	SoupServer *soup;
	GSocketService *service;	  /* accepts the connections handed to soup */
	GTlsCertificate *tls_certificate; /* --tls-cert: HTTPS, else HTTP */
	ServerRegistry *registry;	  /* the codes and the server's date */
	ServerFaults faults;		  /* what /admin/fault set */
	ServerLog *log;			  /* the protocol requests */
	ServerPending *pending;		  /* held-back answers */
} ImssServer;

/* A server whose date is @today (NULL: the real date), with its handlers. */
ImssServer *
imss_server_new(const GDate *today) G_GNUC_WARN_UNUSED_RESULT;
void
imss_server_free(ImssServer *self);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(ImssServer, imss_server_free)

/* Listens on @address:@port (0: a free one) and sets @port_out to the port
 * chosen. */
gboolean
imss_server_listen(ImssServer *self,
		   const gchar *address,
		   guint port,
		   guint *port_out,
		   GError **error);
/* Forgets the codes, the fault and the log, releases stalled requests and
 * returns to the starting date (POST /admin/reset). */
void
imss_server_reset(ImssServer *self);
/* Answers what is held back, stops listening and closes every connection. */
void
imss_server_shutdown(ImssServer *self);

G_END_DECLS
