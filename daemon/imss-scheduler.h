/*
 * The license calendar's alarm on the wall clock: one alarm, armed by the
 * manager at the next instant something happens; "due" when it rings
 * (time passed) or when the clock or the zone changed (a step, a resume),
 * so that the manager evaluates the plan (imss-planner.h) and dispatches.
 */
#pragma once

#include <glib-object.h>

#include "imss-clock.h"
#include "imss-planner.h"

G_BEGIN_DECLS

#define IMSS_TYPE_SCHEDULER (imss_scheduler_get_type())
G_DECLARE_FINAL_TYPE(ImssScheduler, imss_scheduler, IMSS, SCHEDULER, GObject)

ImssScheduler *
imss_scheduler_new(ImssClock *clock) G_GNUC_WARN_UNUSED_RESULT;
/* Starts watching the clock (steps, zone changes). */
gboolean
imss_scheduler_start(ImssScheduler *self, GError **error);
/* Arms the alarm at @instant (UTC seconds; IMSS_PLANNER_NO_WAKEUP: none). */
void
imss_scheduler_arm(ImssScheduler *self, gint64 instant);

G_END_DECLS
