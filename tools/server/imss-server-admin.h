/*
 * The admin interface of imss-license-server under /admin/ (loopback
 * clients only): renew, replace, suspend, fault, today, log and reset
 * (docs/imss-license-server.1, "THE ADMIN INTERFACE").
 */
#pragma once

#include "imss-server.h"

G_BEGIN_DECLS

/* Answers a request to @path (under /admin). */
void
server_admin_handle(ImssServer *server, SoupServerMessage *msg, const gchar *path);

G_END_DECLS
