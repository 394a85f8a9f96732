/*
 * The wall clock the license calendar runs on: the real one, or a virtual
 * one (--virtual-clock) that tests set and advance over D-Bus.
 */
#pragma once

#include <glib-object.h>

G_BEGIN_DECLS

#define IMSS_TYPE_CLOCK (imss_clock_get_type())
G_DECLARE_FINAL_TYPE(ImssClock, imss_clock, IMSS, CLOCK, GObject)

ImssClock *
imss_clock_new(void);
/* A virtual clock starting at @start (UTC seconds); it moves only when set or
 * advanced. */
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
/* Today's local date. */
void
imss_clock_get_today(ImssClock *self, GDate *today);
/* Now as ISO 8601 local time. */
gchar *
imss_clock_format_now(ImssClock *self);
/* Virtual clock only: jump to @t (may go backwards). Emits "changed". */
void
imss_clock_set_time(ImssClock *self, gint64 t);
/* Re-reads the local zone (e.g. /etc/localtime changed); emits "changed". */
void
imss_clock_reload_timezone(ImssClock *self);

G_END_DECLS
