/*
 * The wall clock the license calendar runs on, with the one alarm the
 * scheduler needs.
 *
 * Real: a timerfd on CLOCK_REALTIME armed at an absolute instant with
 * TFD_TIMER_CANCEL_ON_SET (GLib has no wall-clock source: its timeouts run on
 * CLOCK_MONOTONIC, which stops during suspend). A clock step, a resume from
 * suspend or a change of /etc/localtime emits "changed"; reaching the alarm
 * emits "alarm". Between events the process makes no wake-ups.
 *
 * Virtual (--virtual-clock): time moves only when set (a step: "changed") or
 * advanced (the passage of time: every alarm on the way fires in order, at
 * its exact instant, through the same signal as the real clock).
 */
#pragma once

#include <glib-object.h>

G_BEGIN_DECLS

#define IMSS_TYPE_CLOCK (imss_clock_get_type())
G_DECLARE_FINAL_TYPE(ImssClock, imss_clock, IMSS, CLOCK, GObject)

#define IMSS_CLOCK_NO_ALARM G_MAXINT64

ImssClock *
imss_clock_new(void);
/* A virtual clock starting at @start (UTC seconds). */
ImssClock *
imss_clock_new_virtual(gint64 start);
gboolean
imss_clock_is_virtual(ImssClock *self);
/* Now, in UTC seconds since the epoch. */
gint64
imss_clock_get_time(ImssClock *self);
/* The local time zone (honours TZ, like the real clock). */
GTimeZone *
imss_clock_get_timezone(ImssClock *self);
/* The calendar date in effect now (see imss_calendar_today()). */
void
imss_clock_get_today(ImssClock *self, GDate *today);
/* Now as ISO 8601 local time. */
gchar *
imss_clock_format_now(ImssClock *self);

/* Arms the one alarm at @deadline (UTC seconds; IMSS_CLOCK_NO_ALARM: none).
 * A deadline already past fires from the main loop at once. */
void
imss_clock_set_alarm(ImssClock *self, gint64 deadline);
gint64
imss_clock_get_alarm(ImssClock *self);
/* Calls @func(@data) once after @seconds, on the daemon's own time: a
 * monotonic main-loop timeout on the real clock; on the virtual clock, when
 * Advance lets that much time pass (a step keeps what remains). Returns an
 * id for imss_clock_remove_timeout(). */
guint
imss_clock_add_timeout(ImssClock *self, guint seconds, GSourceFunc func, gpointer data);
void
imss_clock_remove_timeout(ImssClock *self, guint id);

/* Starts watching for clock steps and zone changes (real clock only). */
gboolean
imss_clock_start(ImssClock *self, GError **error);

/* Virtual clock only: a step to @t (forwards or backwards); emits "changed". */
void
imss_clock_set_time(ImssClock *self, gint64 t);
/* Virtual clock only: lets @seconds pass; returns the number of alarms fired. */
guint
imss_clock_advance(ImssClock *self, gint64 seconds);
/* Re-reads the local zone; emits "changed". */
void
imss_clock_reload_timezone(ImssClock *self);

G_END_DECLS
