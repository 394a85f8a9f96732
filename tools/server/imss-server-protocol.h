/*
 * The license-server protocol as imss-license-server serves it
 * (docs/license-server-protocol.md): POST .../license_update.aspx, with the
 * faults set by the admin interface, and GET .../license_details.aspx.
 */
#pragma once

#include "imss-server.h"

G_BEGIN_DECLS

/* Answers a request to the update page (any method: the faults count it). */
void
server_protocol_handle_update(ImssServer *server, SoupServerMessage *msg);
/* Answers a request to the details page: @query carries the id. */
void
server_protocol_handle_details(ImssServer *server, SoupServerMessage *msg, GHashTable *query);

G_END_DECLS
