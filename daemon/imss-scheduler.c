#define G_LOG_DOMAIN "ImssScheduler"

#include "config.h"

#include "imss-scheduler.h"

struct _ImssScheduler {
	GObject parent_instance;
	ImssClock *clock;
	gint64 last_seen; /* the time at the last wake-up, to tell the size of a step */
};

enum { SIGNAL_DUE, SIGNAL_LAST };
static guint signals[SIGNAL_LAST] = {0};

G_DEFINE_TYPE(ImssScheduler, imss_scheduler, G_TYPE_OBJECT)

static void
imss_scheduler_alarm_cb(ImssClock *clock, ImssScheduler *self)
{
	self->last_seen = imss_clock_get_time(clock);
	g_signal_emit(self, signals[SIGNAL_DUE], 0, TRUE);
}

static void
imss_scheduler_clock_changed_cb(ImssClock *clock, ImssScheduler *self)
{
	g_autofree gchar *now = imss_clock_format_now(clock);
	gint64 step = self->last_seen != 0 ? imss_clock_get_time(clock) - self->last_seen : 0;
	if (ABS(step) >= 86400)
		g_message("the wall clock moved by %" G_GINT64_FORMAT " days (now %s): recomputing the "
			  "license calendar",
			  step / 86400,
			  now);
	else
		g_message("clock or zone changed (now %s): recomputing the schedule", now);
	self->last_seen = imss_clock_get_time(clock);
	g_signal_emit(self, signals[SIGNAL_DUE], 0, FALSE);
}

gboolean
imss_scheduler_start(ImssScheduler *self, GError **error)
{
	g_return_val_if_fail(IMSS_IS_SCHEDULER(self), FALSE);
	g_return_val_if_fail(error == NULL || *error == NULL, FALSE);
	self->last_seen = imss_clock_get_time(self->clock);
	return imss_clock_start(self->clock, error);
}

void
imss_scheduler_arm(ImssScheduler *self, gint64 instant)
{
	g_return_if_fail(IMSS_IS_SCHEDULER(self));
	self->last_seen = imss_clock_get_time(self->clock);
	imss_clock_set_alarm(self->clock,
			     instant == IMSS_PLANNER_NO_WAKEUP ? IMSS_CLOCK_NO_ALARM : instant);
	if (instant != IMSS_PLANNER_NO_WAKEUP) {
		g_autofree gchar *when =
		    imss_calendar_format_instant(imss_clock_get_timezone(self->clock), instant);
		g_debug("next wake-up at %s", when);
	}
}


static void
imss_scheduler_finalize(GObject *obj)
{
	ImssScheduler *self = IMSS_SCHEDULER(obj);
	g_signal_handlers_disconnect_by_data(self->clock, self);
	g_clear_object(&self->clock);
	G_OBJECT_CLASS(imss_scheduler_parent_class)->finalize(obj);
}

static void
imss_scheduler_class_init(ImssSchedulerClass *klass)
{
	G_OBJECT_CLASS(klass)->finalize = imss_scheduler_finalize;
	/**
	 * ImssScheduler::due:
	 * @passage: TRUE when time simply passed (the alarm rang); FALSE after a
	 *   clock step, a resume or a zone change (catch up once).
	 */
	signals[SIGNAL_DUE] = g_signal_new("due",
					   G_TYPE_FROM_CLASS(klass),
					   G_SIGNAL_RUN_LAST,
					   0,
					   NULL,
					   NULL,
					   NULL,
					   G_TYPE_NONE,
					   1,
					   G_TYPE_BOOLEAN);
}

static void
imss_scheduler_init(ImssScheduler *self)
{
}

ImssScheduler *
imss_scheduler_new(ImssClock *clock)
{
	ImssScheduler *self;
	g_return_val_if_fail(IMSS_IS_CLOCK(clock), NULL);
	self = g_object_new(IMSS_TYPE_SCHEDULER, NULL);
	self->clock = g_object_ref(clock);
	g_signal_connect(clock, "alarm", G_CALLBACK(imss_scheduler_alarm_cb), self);
	g_signal_connect(clock, "changed", G_CALLBACK(imss_scheduler_clock_changed_cb), self);
	return self;
}
