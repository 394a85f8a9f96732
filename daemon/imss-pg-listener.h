/*
 * PostgreSQL notifications in the GLib main loop (docs/fleet.md): a small
 * libpq connection of its own that LISTENs on a channel, watched with
 * g_unix_fd_add() — libgda 5 cannot receive notifications. A lost
 * connection (the server restarted, a network cut: its socket closes) is
 * reconnected with backoff by itself. Nothing wakes up while idle.
 *
 * Signals: "notified" (payload) for each notification; "connected" after
 * every (re)connect — notifications sent meanwhile are lost, so the
 * listener's owner re-reads what it watches; "lost" (message) when the
 * connection went away.
 */
#pragma once

#include <glib-object.h>

G_BEGIN_DECLS

#define IMSS_TYPE_PG_LISTENER (imss_pg_listener_get_type())
G_DECLARE_FINAL_TYPE(ImssPgListener, imss_pg_listener, IMSS, PG_LISTENER, GObject)

/* @cnc and @auth: libgda's PostgreSQL connection and auth strings;
 * @channel: an SQL identifier (letters, digits and underscores). */
ImssPgListener *
imss_pg_listener_new(const gchar *cnc, const gchar *auth, const gchar *channel)
    G_GNUC_WARN_UNUSED_RESULT;
/* Connects (and keeps reconnecting while the server cannot be reached). */
void
imss_pg_listener_start(ImssPgListener *self);
gboolean
imss_pg_listener_is_connected(ImssPgListener *self);

G_END_DECLS
