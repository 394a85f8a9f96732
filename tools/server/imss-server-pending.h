/*
 * Held-back answers of imss-license-server: the protocol requests whose
 * answer the stall fault keeps for ever and the slow fault for a while,
 * until they are released (POST /admin/reset, the end of the delay, exit).
 */
#pragma once

#include <libsoup/soup.h>

G_BEGIN_DECLS

typedef struct _ServerPending ServerPending;

ServerPending *
server_pending_new(void) G_GNUC_WARN_UNUSED_RESULT;
/* Forgets the messages still held (they are not answered). */
void
server_pending_free(ServerPending *self);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(ServerPending, server_pending_free)

/* Holds back the answer of @msg (already set, or none when @stalled): for
 * ever (@stalled) or for @delay seconds. */
void
server_pending_hold(ServerPending *self, SoupServerMessage *msg, gboolean stalled, gdouble delay);
/* Releases every stalled message with a 503; @all also answers the slow
 * ones at once. libsoup finishes them later. */
void
server_pending_release(ServerPending *self, gboolean all);
/* How many messages are held or released but not finished yet. */
guint
server_pending_count(ServerPending *self);
/* Forgets every message (at shutdown, after the grace period). */
void
server_pending_clear(ServerPending *self);

G_END_DECLS
