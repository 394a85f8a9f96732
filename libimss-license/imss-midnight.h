/*
 * ImssMidnight: a wall-clock alarm at the daemon's next 00:00 (internal).
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef struct _ImssMidnight ImssMidnight;
typedef void (*ImssMidnightFunc)(gpointer data);

/* @func runs in the thread-default main context of the caller, once per
 * imss_midnight_arm(): at the daemon's next 00:00 (plus a moment), or
 * when the system clock is stepped */
ImssMidnight *
imss_midnight_new(ImssMidnightFunc func, gpointer data);
/* arms the alarm from the daemon's "now" (ISO 8601 with its offset);
 * FALSE (disarmed) when it cannot */
gboolean
imss_midnight_arm(ImssMidnight *self, const gchar *daemon_now);
void
imss_midnight_disarm(ImssMidnight *self);
void
imss_midnight_free(ImssMidnight *self);

G_DEFINE_AUTOPTR_CLEANUP_FUNC(ImssMidnight, imss_midnight_free)

G_END_DECLS
