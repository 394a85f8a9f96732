/*
 * The router of imss-license-server: libsoup's handlers, which refuse a
 * body declared too large before it is read and send every request to the
 * admin interface, the protocol or a 404.
 */
#pragma once

#include "imss-server.h"

G_BEGIN_DECLS

/* Adds the handlers to @server's SoupServer. */
void
server_router_attach(ImssServer *server);

G_END_DECLS
