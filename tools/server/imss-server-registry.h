/*
 * The code registry of imss-license-server: the server's date, the codes it
 * has seen and what the admin interface made of them (renewals,
 * replacements, suspensions), and the answer the protocol gives about a
 * code. No HTTP here: tests/unit/test-server-registry.c drives it directly.
 */
#pragma once

#include <glib.h>

#include "imss-code.h"
#include "imss-protocol.h"

G_BEGIN_DECLS

typedef struct _ServerRegistry ServerRegistry;

/* A registry whose date is @today (NULL: the real local date, read at every
 * call) and which remembers at most @max_codes codes from protocol requests
 * (admin requests always count). */
ServerRegistry *
server_registry_new(const GDate *today, guint max_codes) G_GNUC_WARN_UNUSED_RESULT;
void
server_registry_free(ServerRegistry *self);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(ServerRegistry, server_registry_free)

/* Forgets every code, renewal, replacement and suspension; the date goes
 * back to the one given to server_registry_new(). */
void
server_registry_reset(ServerRegistry *self);

/* -- the server's date ----------------------------------------------------- */

/* The server's date into @today. */
void
server_registry_get_today(ServerRegistry *self, GDate *today);
/* Sets the server's date; NULL: the real date. */
void
server_registry_set_today(ServerRegistry *self, const GDate *today);
/* The server's time for "server_time": its date and the real UTC time of
 * day, ISO 8601 ("2026-11-25T10:00:00Z"). */
gchar *
server_registry_format_time(ServerRegistry *self) G_GNUC_WARN_UNUSED_RESULT;

/* -- codes ------------------------------------------------------------------ */

/* Remembers @code (canonical, with its fields @info) as asked in a protocol
 * request, so that it has a details page; FALSE when the registry is full
 * and does not know it. */
gboolean
server_registry_remember(ServerRegistry *self, const gchar *code, const ImssCodeInfo *info);
/* From the server date @effective on (NULL: at once, that is from today),
 * @code reports @expiry. */
void
server_registry_renew(ServerRegistry *self,
		      const gchar *code,
		      const ImssCodeInfo *info,
		      const GDate *expiry,
		      const GDate *effective);
/* @code answers "replaced" by @new_code, which becomes valid; FALSE (and
 * nothing changes) when the two are the same code. */
gboolean
server_registry_replace(ServerRegistry *self,
			const gchar *code,
			const ImssCodeInfo *info,
			const gchar *new_code,
			const ImssCodeInfo *new_info,
			GError **error);
/* @code answers "suspended". */
void
server_registry_suspend(ServerRegistry *self, const gchar *code, const ImssCodeInfo *info);

/* The answer about a valid @code (canonical) of the right edition: its
 * status; for VALID the expiry in force on the server date (the latest
 * effective renewal, on the same date the one posted last; else the issued
 * one); for REPLACED the new code (canonical, owned by the registry; NULL
 * otherwise). A code it does not know is VALID with its issued expiry. */
ImssServerStatus
server_registry_view(ServerRegistry *self,
		     const gchar *code,
		     const ImssCodeInfo *info,
		     GDate *expiry,
		     const gchar **replaced_by);
/* The code (canonical, owned by the registry) whose details-page id is @id
 * (lower-case hex), with its fields in @info; NULL when it has not been
 * seen. */
const gchar *
server_registry_lookup_id(ServerRegistry *self, const gchar *id, ImssCodeInfo *info);

G_END_DECLS
