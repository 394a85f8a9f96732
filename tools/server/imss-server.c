/*
 * imss-license-server: the server's life (see imss-server.h).
 */
#include "config.h"

#define G_LOG_DOMAIN "ImssLicenseServer"

#include <netinet/in.h>
#include <netinet/tcp.h>

#include "imss-server-router.h"
#include "imss-server-tls.h"
#include "imss-server.h"

/* how long shutdown waits for released answers to be written */
#define SERVER_SHUTDOWN_GRACE_MS 2000

ImssServer *
imss_server_new(const GDate *today)
{
	ImssServer *self = g_new0(ImssServer, 1);

	self->loop = g_main_loop_new(NULL, FALSE);
	self->registry = server_registry_new(today, SERVER_CODES_MAX);
	server_faults_clear(&self->faults);
	self->log = server_log_new(SERVER_LOG_MAX);
	self->pending = server_pending_new();
	self->soup = soup_server_new("server-header",
				     "imss-license-server/" PACKAGE_VERSION " ",
				     NULL);
	server_router_attach(self);
	return self;
}

void
imss_server_free(ImssServer *self)
{
	if (self == NULL)
		return;
	/* the held-back messages first: they point into soup's connections */
	g_clear_pointer(&self->pending, server_pending_free);
	if (self->service != NULL) {
		g_signal_handlers_disconnect_by_data(self->service, self);
		g_socket_service_stop(self->service);
		g_socket_listener_close(G_SOCKET_LISTENER(self->service));
		g_clear_object(&self->service);
	}
	g_clear_object(&self->soup);
	g_clear_object(&self->tls_certificate);
	g_clear_pointer(&self->registry, server_registry_free);
	g_clear_pointer(&self->log, server_log_free);
	g_clear_pointer(&self->loop, g_main_loop_unref);
	g_free(self);
}

void
imss_server_reset(ImssServer *self)
{
	g_return_if_fail(self != NULL);

	server_pending_release(self->pending, FALSE);
	server_registry_reset(self->registry);
	server_faults_clear(&self->faults);
	server_log_clear(self->log);
	g_info("reset");
}

/* a new client: handed to libsoup */
static gboolean
imss_server_incoming_cb(GSocketService *service G_GNUC_UNUSED,
			GSocketConnection *connection,
			GObject *source G_GNUC_UNUSED,
			gpointer user_data)
{
	ImssServer *self = user_data;
	g_autoptr(GSocketAddress) local = NULL;
	g_autoptr(GSocketAddress) remote = NULL;
	g_autoptr(GError) error = NULL;
	g_autoptr(GIOStream) stream = NULL;
	GSocket *socket = g_socket_connection_get_socket(connection);

	local = g_socket_connection_get_local_address(connection, &error);
	if (local != NULL)
		remote = g_socket_connection_get_remote_address(connection, &error);
	if (remote == NULL) {
		g_debug("dropping a connection: %s", error->message);
		return TRUE;
	}
	g_socket_set_option(socket, IPPROTO_TCP, TCP_NODELAY, TRUE, NULL);
	if (self->tls_certificate != NULL)
		stream = imss_server_tls_wrap(G_IO_STREAM(connection), self->tls_certificate, &error);
	else
		stream = G_IO_STREAM(g_object_ref(connection));
	if (stream == NULL) {
		g_warning("cannot set up TLS on a connection: %s", error->message);
		return TRUE;
	}
	if (!soup_server_accept_iostream(self->soup, stream, local, remote, &error))
		g_warning("cannot accept a connection: %s", error->message);
	return TRUE;
}

/*
 * The connections are accepted by a GSocketService and handed to libsoup
 * with soup_server_accept_iostream(): libsoup 3.2's own listener
 * (soup_server_listen()) leaks the GSocket of every connection it accepts
 * (fixed upstream in 3.4).
 */
gboolean
imss_server_listen(ImssServer *self,
		   const gchar *address,
		   guint port,
		   guint *port_out,
		   GError **error)
{
	g_autoptr(GInetAddress) inet = NULL;
	g_autoptr(GSocketAddress) sockaddr = NULL;
	g_autoptr(GSocketAddress) effective = NULL;

	g_return_val_if_fail(self != NULL && self->service == NULL, FALSE);
	g_return_val_if_fail(address != NULL && port_out != NULL, FALSE);
	g_return_val_if_fail(port <= G_MAXUINT16, FALSE);

	inet = g_inet_address_new_from_string(address);
	if (inet == NULL) {
		g_set_error(error,
			    G_IO_ERROR,
			    G_IO_ERROR_INVALID_ARGUMENT,
			    "“%s” is not an IP address",
			    address);
		return FALSE;
	}
	sockaddr = g_inet_socket_address_new(inet, (guint16)port);
	self->service = g_socket_service_new();
	if (!g_socket_listener_add_address(G_SOCKET_LISTENER(self->service),
					   sockaddr,
					   G_SOCKET_TYPE_STREAM,
					   G_SOCKET_PROTOCOL_TCP,
					   NULL,
					   &effective,
					   error))
		return FALSE;
	g_signal_connect(self->service, "incoming", G_CALLBACK(imss_server_incoming_cb), self);
	g_socket_service_start(self->service);
	*port_out = g_inet_socket_address_get_port(G_INET_SOCKET_ADDRESS(effective));
	return TRUE;
}

static gboolean
imss_server_grace_timeout_cb(gpointer user_data)
{
	gboolean *expired = user_data;

	*expired = TRUE;
	return G_SOURCE_REMOVE;
}

void
imss_server_shutdown(ImssServer *self)
{
	gboolean expired = FALSE;
	guint grace_id;

	g_return_if_fail(self != NULL && self->service != NULL);

	g_signal_handlers_disconnect_by_data(self->service, self);
	g_socket_service_stop(self->service);
	g_socket_listener_close(G_SOCKET_LISTENER(self->service));

	server_pending_release(self->pending, TRUE);
	grace_id = g_timeout_add(SERVER_SHUTDOWN_GRACE_MS, imss_server_grace_timeout_cb, &expired);
	while (server_pending_count(self->pending) > 0 && !expired)
		g_main_context_iteration(NULL, TRUE);
	if (!expired)
		g_source_remove(grace_id);
	soup_server_disconnect(self->soup);
	server_pending_clear(self->pending);
	while (g_main_context_iteration(NULL, FALSE))
		;
}
