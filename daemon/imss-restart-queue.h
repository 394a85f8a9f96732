/*
 * The restart queue (SPEC §7): restarts of the scan, policy and sender-filter
 * units as durable records, one per unit, in the store. A request is written
 * in the same transaction as the change that needs it (an activation), so a
 * crash before the restart still restarts once at the next start; a record
 * is cleared only when that unit's job finished, so a crash between two
 * units restarts only what was not done. A request that arrives while its
 * unit restarts (a second activation) is not lost: the unit is restarted
 * once more after the running job. A failed restart is retried a bounded
 * number of times with a doubling interval, then kept as failed — visible
 * in the status, the notices and the doctor — until it is requested again.
 */
#pragma once

#include <glib-object.h>

#include "imss-clock.h"
#include "imss-store.h"
#include "imss-systemd.h"

G_BEGIN_DECLS

#define IMSS_TYPE_RESTART_QUEUE (imss_restart_queue_get_type())
G_DECLARE_FINAL_TYPE(ImssRestartQueue, imss_restart_queue, IMSS, RESTART_QUEUE, GObject)

/* @attempts: tries per request (≥ 1); @retry_interval: seconds before the
 * first retry, doubled after each further failure. */
ImssRestartQueue *
imss_restart_queue_new(ImssStore *store,
		       ImssSystemd *systemd,
		       ImssClock *clock,
		       guint attempts,
		       guint retry_interval) G_GNUC_WARN_UNUSED_RESULT;

/* Runs what is queued, unless a run is already going on (it picks up new
 * requests itself). */
void
imss_restart_queue_kick(ImssRestartQueue *self);

/* The queued restarts as the store has them after the last step (element:
 * ImssStoreRestart; owned by the queue). */
GPtrArray *
imss_restart_queue_get_restarts(ImssRestartQueue *self);
/* Re-reads the queue from the store (at start). */
gboolean
imss_restart_queue_load(ImssRestartQueue *self, GError **error);

G_END_DECLS
