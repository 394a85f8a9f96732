/*
 * A libpq connection to the PostgreSQL server beside libgda's (RELIABILITY
 * N4). libgda 5's PostgreSQL provider never notices that its connection
 * died (a server restart, pg_terminate_backend): gda_connection_is_opened()
 * stays TRUE and the next statement fails for good or crashes inside the
 * provider (TESTING-NOTES §12). Before the store uses its libgda connection,
 * one round trip on this link asks the server whether the backend of that
 * connection is still there; when it is not, the store opens a new one.
 */
#pragma once

#include <glib-object.h>

G_BEGIN_DECLS

#define IMSS_TYPE_PG_LINK (imss_pg_link_get_type())
G_DECLARE_FINAL_TYPE(ImssPgLink, imss_pg_link, IMSS, PG_LINK, GObject)

/* @cnc and @auth: libgda's connection and auth strings
 * ("HOST=...;PORT=...;DB_NAME=..." and "USERNAME=...;PASSWORD=..."). */
ImssPgLink *
imss_pg_link_new(const gchar *cnc, const gchar *auth) G_GNUC_WARN_UNUSED_RESULT;

/* Whether the server still runs the backend @pid (the libgda connection's):
 * TRUE; FALSE without @error when it is gone (open a new connection); FALSE
 * with G_IO_ERROR_NOT_CONNECTED when the server cannot be reached (then no
 * new attempt to connect is made for a second, so that an outage costs the
 * main loop at most one bounded connect per second). */
gboolean
imss_pg_link_backend_alive(ImssPgLink *self, gint pid, GError **error);

/* The server was reached otherwise (libgda connected): the next check may
 * connect at once. */
void
imss_pg_link_forget_failure(ImssPgLink *self);

/* libgda's PostgreSQL @cnc and @auth strings as libpq's keywords and
 * values (both then NULL-terminated), with a bounded connect timeout and
 * @application_name (seen in pg_stat_activity). */
void
imss_pg_params_add_from_gda(GPtrArray *keywords,
			    GPtrArray *values,
			    const gchar *cnc,
			    const gchar *auth,
			    const gchar *application_name);

G_END_DECLS
