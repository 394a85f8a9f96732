#define G_LOG_DOMAIN "ImssClock"

#include "config.h"

#include <errno.h>
#include <gio/gio.h>
#include <glib-unix.h>
#include <sys/timerfd.h>
#include <unistd.h>

#include "imss-calendar.h"
#include "imss-clock.h"

struct _ImssClock {
	GObject parent_instance;
	gboolean virtual;
	gint64 virtual_now;
	GTimeZone *tz;
	gint64 alarm;
	gint timerfd;
	guint timerfd_source;
	guint idle_source; /* virtual: an alarm set in the past fires from an idle */
	GFileMonitor *localtime_monitor;
	GList *timeouts; /* virtual: ImssClockTimeout, soonest first */
	guint next_timeout_id;
};

/* a delay on the virtual clock: it passes only when the clock is advanced */
typedef struct {
	guint id;
	gint64 deadline;
	GSourceFunc func;
	gpointer data;
} ImssClockTimeout;

static gint
imss_clock_timeout_cmp(gconstpointer a, gconstpointer b)
{
	const ImssClockTimeout *ta = a, *tb = b;
	if (ta->deadline != tb->deadline)
		return ta->deadline < tb->deadline ? -1 : 1;
	return ta->id < tb->id ? -1 : ta->id > tb->id;
}

enum { SIGNAL_ALARM, SIGNAL_CHANGED, SIGNAL_LAST };
static guint signals[SIGNAL_LAST] = {0};

G_DEFINE_TYPE(ImssClock, imss_clock, G_TYPE_OBJECT)

gboolean
imss_clock_is_virtual(ImssClock *self)
{
	g_return_val_if_fail(IMSS_IS_CLOCK(self), FALSE);

	return self->virtual;
}

gint64
imss_clock_get_time(ImssClock *self)
{
	g_return_val_if_fail(IMSS_IS_CLOCK(self), 0);

	if (self->virtual)
		return self->virtual_now;
	return g_get_real_time() / G_USEC_PER_SEC;
}

GTimeZone *
imss_clock_get_timezone(ImssClock *self)
{
	g_return_val_if_fail(IMSS_IS_CLOCK(self), NULL);

	return self->tz;
}

void
imss_clock_get_today(ImssClock *self, GDate *today)
{
	g_return_if_fail(IMSS_IS_CLOCK(self));
	g_return_if_fail(today != NULL);

	imss_calendar_today(self->tz, imss_clock_get_time(self), today);
}

gchar *
imss_clock_format_now(ImssClock *self)
{
	g_return_val_if_fail(IMSS_IS_CLOCK(self), NULL);

	return imss_calendar_format_instant(self->tz, imss_clock_get_time(self));
}


gint64
imss_clock_get_alarm(ImssClock *self)
{
	g_return_val_if_fail(IMSS_IS_CLOCK(self), 0);

	return self->alarm;
}

/* -- real clock: timerfd ---------------------------------------------------- */

static void
imss_clock_arm_timerfd(ImssClock *self)
{
	struct itimerspec spec = {0};
	if (self->timerfd < 0)
		return;
	/* with no alarm the timer still waits (at the far end of time) so that
	 * TFD_TIMER_CANCEL_ON_SET reports clock steps */
	spec.it_value.tv_sec = self->alarm == IMSS_CLOCK_NO_ALARM ? (time_t)1 << 33
								  : (time_t)MAX(self->alarm, 1);
	if (timerfd_settime(self->timerfd,
			    TFD_TIMER_ABSTIME | TFD_TIMER_CANCEL_ON_SET,
			    &spec,
			    NULL) != 0)
		g_warning("failed to arm the wall-clock timer: %s", g_strerror(errno));
}

static gboolean
imss_clock_timerfd_cb(gint fd, GIOCondition condition, gpointer user_data)
{
	ImssClock *self = IMSS_CLOCK(user_data);
	guint64 expirations = 0;
	ssize_t n = read(fd, &expirations, sizeof(expirations));

	if (n < 0 && errno == ECANCELED) {
		/* the clock was set, or the system resumed: first let due work
		 * run, then recompute (systemd #8231 ordering) */
		g_info("the wall clock changed");
		if (self->alarm != IMSS_CLOCK_NO_ALARM && imss_clock_get_time(self) >= self->alarm) {
			self->alarm = IMSS_CLOCK_NO_ALARM;
			g_signal_emit(self, signals[SIGNAL_ALARM], 0);
		}
		g_signal_emit(self, signals[SIGNAL_CHANGED], 0);
		imss_clock_arm_timerfd(self);
		return G_SOURCE_CONTINUE;
	}
	if (n < 0) {
		if (errno != EAGAIN)
			g_warning("wall-clock timer: %s", g_strerror(errno));
		return G_SOURCE_CONTINUE;
	}
	if (self->alarm != IMSS_CLOCK_NO_ALARM && imss_clock_get_time(self) >= self->alarm) {
		self->alarm = IMSS_CLOCK_NO_ALARM;
		g_signal_emit(self, signals[SIGNAL_ALARM], 0);
	}
	/* re-arm: the handler may have set a new alarm (or none) */
	imss_clock_arm_timerfd(self);
	return G_SOURCE_CONTINUE;
}

static void
imss_clock_localtime_changed_cb(GFileMonitor *monitor,
				GFile *file,
				GFile *other,
				GFileMonitorEvent event,
				gpointer user_data)
{
	ImssClock *self = IMSS_CLOCK(user_data);
	if (event != G_FILE_MONITOR_EVENT_CHANGES_DONE_HINT && event != G_FILE_MONITOR_EVENT_CREATED &&
	    event != G_FILE_MONITOR_EVENT_DELETED && event != G_FILE_MONITOR_EVENT_RENAMED &&
	    event != G_FILE_MONITOR_EVENT_MOVED_IN)
		return;
	g_message("/etc/localtime changed: reloading the time zone");
	imss_clock_reload_timezone(self);
}

gboolean
imss_clock_start(ImssClock *self, GError **error)
{
	g_autoptr(GFile) localtime = NULL;
	g_return_val_if_fail(IMSS_IS_CLOCK(self), FALSE);
	g_return_val_if_fail(error == NULL || *error == NULL, FALSE);

	if (self->virtual || self->timerfd >= 0)
		return TRUE;
	self->timerfd = timerfd_create(CLOCK_REALTIME, TFD_NONBLOCK | TFD_CLOEXEC);
	if (self->timerfd < 0) {
		g_set_error(error,
			    G_IO_ERROR,
			    g_io_error_from_errno(errno),
			    "timerfd_create: %s",
			    g_strerror(errno));
		return FALSE;
	}
	self->timerfd_source = g_unix_fd_add(self->timerfd, G_IO_IN, imss_clock_timerfd_cb, self);
	imss_clock_arm_timerfd(self);

	/* a TZ set in the environment pins the zone; otherwise follow the system's */
	if (g_getenv("TZ") == NULL) {
		localtime = g_file_new_for_path("/etc/localtime");
		self->localtime_monitor =
		    g_file_monitor_file(localtime,
						G_FILE_MONITOR_WATCH_MOVES | G_FILE_MONITOR_WATCH_HARD_LINKS,
						NULL,
						NULL);
		if (self->localtime_monitor != NULL)
			g_signal_connect(self->localtime_monitor,
					 "changed",
					 G_CALLBACK(imss_clock_localtime_changed_cb),
					 self);
	}
	return TRUE;
}

/* -- virtual clock ------------------------------------------------------------ */

static gboolean
imss_clock_virtual_idle_cb(gpointer user_data)
{
	ImssClock *self = IMSS_CLOCK(user_data);
	self->idle_source = 0;
	if (self->alarm != IMSS_CLOCK_NO_ALARM && self->alarm <= self->virtual_now) {
		self->alarm = IMSS_CLOCK_NO_ALARM;
		g_signal_emit(self, signals[SIGNAL_ALARM], 0);
	}
	return G_SOURCE_REMOVE;
}

void
imss_clock_set_alarm(ImssClock *self, gint64 deadline)
{
	g_return_if_fail(IMSS_IS_CLOCK(self));

	self->alarm = deadline;
	if (!self->virtual) {
		imss_clock_arm_timerfd(self);
		return;
	}
	if (deadline <= self->virtual_now && self->idle_source == 0)
		self->idle_source = g_idle_add(imss_clock_virtual_idle_cb, self);
}

void
imss_clock_set_time(ImssClock *self, gint64 t)
{
	g_return_if_fail(IMSS_IS_CLOCK(self));
	g_return_if_fail(self->virtual);
	/* delays are not wall-clock instants: a step keeps what remains of them */
	for (GList *l = self->timeouts; l != NULL; l = l->next)
		((ImssClockTimeout *)l->data)->deadline += t - self->virtual_now;
	self->virtual_now = t;
	g_signal_emit(self, signals[SIGNAL_CHANGED], 0);
}

guint
imss_clock_add_timeout(ImssClock *self, guint seconds, GSourceFunc func, gpointer data)
{
	ImssClockTimeout *t;
	g_return_val_if_fail(IMSS_IS_CLOCK(self), 0);
	g_return_val_if_fail(func != NULL, 0);
	if (!self->virtual)
		return g_timeout_add_seconds(seconds, func, data);
	t = g_new0(ImssClockTimeout, 1);
	t->id = ++self->next_timeout_id;
	t->deadline = self->virtual_now + seconds;
	t->func = func;
	t->data = data;
	self->timeouts = g_list_insert_sorted(self->timeouts, t, imss_clock_timeout_cmp);
	return t->id;
}

void
imss_clock_remove_timeout(ImssClock *self, guint id)
{
	g_return_if_fail(IMSS_IS_CLOCK(self));
	if (id == 0)
		return;
	if (!self->virtual) {
		g_source_remove(id);
		return;
	}
	for (GList *l = self->timeouts; l != NULL; l = l->next) {
		ImssClockTimeout *t = l->data;
		if (t->id == id) {
			self->timeouts = g_list_delete_link(self->timeouts, l);
			g_free(t);
			return;
		}
	}
}

guint
imss_clock_advance(ImssClock *self, gint64 seconds)
{
	gint64 target;
	guint fired = 0;
	g_return_val_if_fail(IMSS_IS_CLOCK(self), 0);
	g_return_val_if_fail(self->virtual, 0);
	g_return_val_if_fail(seconds >= 0, 0);
	target = self->virtual_now + seconds;
	/* every alarm and delay on the way, in order, each at its own instant */
	for (;;) {
		ImssClockTimeout *t = self->timeouts != NULL ? self->timeouts->data : NULL;
		gboolean alarm_due = self->alarm != IMSS_CLOCK_NO_ALARM && self->alarm <= target;
		gboolean timeout_due = t != NULL && t->deadline <= target;
		if (!alarm_due && !timeout_due)
			break;
		if (timeout_due && (!alarm_due || t->deadline < self->alarm)) {
			self->timeouts = g_list_delete_link(self->timeouts, self->timeouts);
			self->virtual_now = MAX(self->virtual_now, t->deadline);
			t->func(t->data); /* one-shot, whatever it returns */
			g_free(t);
			continue;
		}
		if (self->alarm > self->virtual_now)
			self->virtual_now = self->alarm;
		self->alarm = IMSS_CLOCK_NO_ALARM;
		fired++;
		g_signal_emit(self, signals[SIGNAL_ALARM], 0);
	}
	self->virtual_now = target;
	return fired;
}

/* The local zone. With TZ set, GLib's; otherwise the file /etc/localtime
 * itself: GLib caches the local zone under its name, so a rewritten file
 * (same name, new content) would not be seen. The caller must have dropped
 * its previous reference first, so that GLib's cache lets go of it too. */
static GTimeZone *
imss_clock_load_timezone(void)
{
	GTimeZone *tz = NULL;
	if (g_getenv("TZ") == NULL && g_file_test("/etc/localtime", G_FILE_TEST_EXISTS))
		tz = g_time_zone_new_identifier("/etc/localtime");
	return tz != NULL ? tz : g_time_zone_new_local();
}

void
imss_clock_reload_timezone(ImssClock *self)
{
	g_return_if_fail(IMSS_IS_CLOCK(self));

	g_clear_pointer(&self->tz, g_time_zone_unref);
	self->tz = imss_clock_load_timezone();
	g_signal_emit(self, signals[SIGNAL_CHANGED], 0);
}

static void
imss_clock_finalize(GObject *obj)
{
	ImssClock *self = IMSS_CLOCK(obj);
	if (self->timerfd_source != 0)
		g_source_remove(self->timerfd_source);
	if (self->idle_source != 0)
		g_source_remove(self->idle_source);
	if (self->timerfd >= 0)
		close(self->timerfd);
	g_clear_object(&self->localtime_monitor);
	g_clear_pointer(&self->tz, g_time_zone_unref);
	g_list_free_full(self->timeouts, g_free);
	G_OBJECT_CLASS(imss_clock_parent_class)->finalize(obj);
}

static void
imss_clock_class_init(ImssClockClass *klass)
{
	G_OBJECT_CLASS(klass)->finalize = imss_clock_finalize;
	/**
	 * ImssClock::alarm:
	 * The alarm's instant was reached; the alarm is cleared before emission.
	 */
	signals[SIGNAL_ALARM] = g_signal_new("alarm",
					     G_TYPE_FROM_CLASS(klass),
					     G_SIGNAL_RUN_LAST,
					     0,
					     NULL,
					     NULL,
					     NULL,
					     G_TYPE_NONE,
					     0);
	/**
	 * ImssClock::changed:
	 * The time was stepped, the system resumed, or the zone changed: every
	 * deadline must be recomputed (and missed work caught up).
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
	self->tz = imss_clock_load_timezone();
	self->alarm = IMSS_CLOCK_NO_ALARM;
	self->timerfd = -1;
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
