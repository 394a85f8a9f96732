/*
 * HTTPS for imss-license-server: the certificate given with --tls-cert and
 * --tls-key, and the TLS layer put on every accepted connection before it is
 * handed to libsoup (soup_server_accept_iostream() takes any GIOStream, and
 * libsoup 3.2's own TLS listener cannot be used: see imss_server_listen()).
 */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

/* Loads a PEM certificate (chain) and its private key; @key_file NULL: the
 * key is in @cert_file too. */
GTlsCertificate *
imss_server_tls_load(const gchar *cert_file, const gchar *key_file, GError **error);

/* The server side of TLS over @connection, with @certificate; the handshake
 * happens at the first read. */
GIOStream *
imss_server_tls_wrap(GIOStream *connection, GTlsCertificate *certificate, GError **error);

G_END_DECLS
