#define G_LOG_DOMAIN "ImssClock"

#include "config.h"

#include "imss-calendar.h"
#include "imss-clock.h"

struct _ImssClock {
	GObject parent_instance;
	gboolean virtual;
	gint64 virtual_now;
	GTimeZone *tz;
};

enum { SIGNAL_CHANGED, SIGNAL_LAST };
static guint signals[SIGNAL_LAST] = {0};

G_DEFINE_TYPE(ImssClock, imss_clock, G_TYPE_OBJECT)

gboolean
imss_clock_is_virtual(ImssClock *self)
{
	return self->virtual;
}

gint64
imss_clock_get_time(ImssClock *self)
{
	if (self->virtual)
		return self->virtual_now;
	return g_get_real_time() / G_USEC_PER_SEC;
}

GTimeZone *
imss_clock_get_timezone(ImssClock *self)
{
	return self->tz;
}

void
imss_clock_get_today(ImssClock *self, GDate *today)
{
	imss_calendar_local_date(self->tz, imss_clock_get_time(self), today);
}

gchar *
imss_clock_format_now(ImssClock *self)
{
	return imss_calendar_format_instant(self->tz, imss_clock_get_time(self));
}

void
imss_clock_set_time(ImssClock *self, gint64 t)
{
	g_return_if_fail(self->virtual);
	self->virtual_now = t;
	g_signal_emit(self, signals[SIGNAL_CHANGED], 0);
}

void
imss_clock_reload_timezone(ImssClock *self)
{
	g_clear_pointer(&self->tz, g_time_zone_unref);
	self->tz = g_time_zone_new_local();
	g_signal_emit(self, signals[SIGNAL_CHANGED], 0);
}

static void
imss_clock_finalize(GObject *obj)
{
	ImssClock *self = IMSS_CLOCK(obj);
	g_clear_pointer(&self->tz, g_time_zone_unref);
	G_OBJECT_CLASS(imss_clock_parent_class)->finalize(obj);
}

static void
imss_clock_class_init(ImssClockClass *klass)
{
	G_OBJECT_CLASS(klass)->finalize = imss_clock_finalize;
	/**
	 * ImssClock::changed:
	 * The time was set or the zone changed: deadlines must be recomputed.
	 */
	signals[SIGNAL_CHANGED] = g_signal_new("changed",
					       G_TYPE_FROM_CLASS(klass),
					       G_SIGNAL_RUN_LAST,
					       0,
					       NULL,
					       NULL,
					       NULL,
					       G_TYPE_NONE,
					       0);
}

static void
imss_clock_init(ImssClock *self)
{
	self->tz = g_time_zone_new_local();
}

ImssClock *
imss_clock_new(void)
{
	return g_object_new(IMSS_TYPE_CLOCK, NULL);
}

ImssClock *
imss_clock_new_virtual(gint64 start)
{
	ImssClock *self = g_object_new(IMSS_TYPE_CLOCK, NULL);
	self->virtual = TRUE;
	self->virtual_now = start;
	return self;
}
