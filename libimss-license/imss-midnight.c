/*
 * ImssMidnight: one wall-clock alarm at the daemon's next midnight, so that
 * a long-running client (the notifier, a script that watches days-left)
 * sees the days left drop at 00:00 without polling and without a signal
 * from the daemon (nothing else changes at 00:00 of an ordinary day).
 *
 * A timerfd on CLOCK_REALTIME with TFD_TIMER_ABSTIME: it fires at the right
 * time after a suspend (a GLib timeout counts monotonic time, which stops
 * while suspended), and with TFD_TIMER_CANCEL_ON_SET it also fires when the
 * clock is stepped (the date may have changed).
 */
#define G_LOG_DOMAIN "ImssLicense"

#include "config.h"

#include <errno.h>
#include <glib-unix.h>
#include <sys/timerfd.h>
#include <unistd.h>

#include "imss-midnight.h"

/* after the daemon's 00:00: its state changes run then, and the two
 * clocks may disagree by a moment */
#define IMSS_MIDNIGHT_SLACK_S 2

struct _ImssMidnight {
	gint fd;
	GSource *source;
	GMainContext *context; /* the thread-default context at creation */
	ImssMidnightFunc func;
	gpointer data;
};

ImssMidnight *
imss_midnight_new(ImssMidnightFunc func, gpointer data)
{
	ImssMidnight *self = g_new0(ImssMidnight, 1);
	self->fd = -1;
	self->context = g_main_context_ref_thread_default();
	self->func = func;
	self->data = data;
	return self;
}

static gboolean
imss_midnight_fired_cb(gint fd, GIOCondition condition, gpointer user_data)
{
	ImssMidnight *self = user_data;
	guint64 expirations;

	/* ECANCELED: the clock was stepped; either way the date is read again */
	if (read(fd, &expirations, sizeof(expirations)) < 0 && errno != ECANCELED &&
	    errno != EAGAIN)
		g_debug("reading the midnight timer: %s", g_strerror(errno));
	/* disarmed until the next arm(): one alarm per date read */
	imss_midnight_disarm(self);
	self->func(self->data);
	return G_SOURCE_CONTINUE;
}

/* Parses the daemon's "now" (ISO 8601 with its UTC offset) and returns
 * the seconds until its next 00:00 in that offset, or -1. */
static gint64
imss_midnight_seconds_until(const gchar *daemon_now)
{
	g_autoptr(GDateTime) now = NULL;
	g_autoptr(GDateTime) midnight = NULL;
	g_autoptr(GDateTime) next = NULL;
	g_autoptr(GTimeZone) zone = NULL;
	gint y, m, d;

	if (daemon_now == NULL)
		return -1;
	now = g_date_time_new_from_iso8601(daemon_now, NULL);
	if (now == NULL)
		return -1;
	/* the daemon's offset today (a DST change at 00:00 makes the alarm an
	 * hour early or late: the date read then reschedules it) */
	zone = g_time_zone_new_offset((gint32)(g_date_time_get_utc_offset(now) / G_TIME_SPAN_SECOND));
	g_date_time_get_ymd(now, &y, &m, &d);
	midnight = g_date_time_new(zone, y, m, d, 0, 0, 0);
	if (midnight == NULL)
		return -1;
	next = g_date_time_add_days(midnight, 1);
	return g_date_time_difference(next, now) / G_TIME_SPAN_SECOND;
}

gboolean
imss_midnight_arm(ImssMidnight *self, const gchar *daemon_now)
{
	struct itimerspec spec = {{0, 0}, {0, 0}};
	gint64 seconds;

	g_return_val_if_fail(self != NULL, FALSE);

	seconds = imss_midnight_seconds_until(daemon_now);
	if (seconds < 0) {
		g_debug("no midnight alarm: cannot read the daemon's time “%s”",
			daemon_now != NULL ? daemon_now : "(none)");
		imss_midnight_disarm(self);
		return FALSE;
	}
	if (self->fd < 0) {
		self->fd = timerfd_create(CLOCK_REALTIME, TFD_NONBLOCK | TFD_CLOEXEC);
		if (self->fd < 0) {
			g_debug("timerfd_create: %s", g_strerror(errno));
			return FALSE;
		}
		self->source = g_unix_fd_source_new(self->fd, G_IO_IN);
		g_source_set_callback(self->source,
				      G_SOURCE_FUNC(imss_midnight_fired_cb),
				      self,
				      NULL);
		g_source_set_static_name(self->source, "[imss] the daemon's midnight");
		g_source_attach(self->source, self->context);
	}
	spec.it_value.tv_sec = (time_t)(g_get_real_time() / G_USEC_PER_SEC + seconds +
					 IMSS_MIDNIGHT_SLACK_S);
	if (timerfd_settime(self->fd, TFD_TIMER_ABSTIME | TFD_TIMER_CANCEL_ON_SET, &spec, NULL) < 0) {
		g_debug("timerfd_settime: %s", g_strerror(errno));
		return FALSE;
	}
	g_debug("the days left are read again in %" G_GINT64_FORMAT " s", seconds + IMSS_MIDNIGHT_SLACK_S);
	return TRUE;
}

void
imss_midnight_disarm(ImssMidnight *self)
{
	struct itimerspec spec = {{0, 0}, {0, 0}};

	g_return_if_fail(self != NULL);

	if (self->fd >= 0)
		(void)timerfd_settime(self->fd, 0, &spec, NULL);
}

void
imss_midnight_free(ImssMidnight *self)
{
	if (self == NULL)
		return;
	if (self->source != NULL) {
		g_source_destroy(self->source);
		g_source_unref(self->source);
	}
	if (self->fd >= 0)
		close(self->fd);
	g_main_context_unref(self->context);
	g_free(self);
}
