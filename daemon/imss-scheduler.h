/*
 * The license calendar on the wall clock (SPEC §3, §5.1; RELIABILITY-NOTES
 * decisions 1 and 2): lifecycle transitions at 00:00, automatic-check days,
 * persisted runs and catch-up. One alarm, armed at the next due instant.
 */
#pragma once

#include <glib-object.h>

#include "imss-clock.h"
#include "imss-license.h"
#include "imss-store.h"

G_BEGIN_DECLS

#define IMSS_TYPE_SCHEDULER (imss_scheduler_get_type())
G_DECLARE_FINAL_TYPE(ImssScheduler, imss_scheduler, IMSS, SCHEDULER, GObject)

#define IMSS_JOB_CHECK "check"
#define IMSS_JOB_MAIL  "mail" /* the daily notice of the mail period: signal + mail */

typedef struct {
	gint64 instant; /* UTC seconds: the start of @date */
	GDate date;
	ImssSlotId slot;
	const gchar *kind; /* "check", "expiring", "grace", "expired" */
	gint offset;	   /* days relative to E */
} ImssEvent;

ImssScheduler *
imss_scheduler_new(ImssClock *clock, ImssStore *store);
/* The licenses to watch (all six slots). */
void
imss_scheduler_set_licenses(ImssScheduler *self, ImssLicense *const *licenses, guint n);
/* Runs what is due (catch-up: once, for the latest missed date), then arms
 * the alarm at the next event. */
gboolean
imss_scheduler_start(ImssScheduler *self, GError **error);
/* Recomputes after a license changed (activation, renewal). */
void
imss_scheduler_reschedule(ImssScheduler *self);
/* Upcoming events of the next @days days, in order (element: ImssEvent). */
GPtrArray *
imss_scheduler_list_events(ImssScheduler *self, guint days);
/* The start of the next event after today (UTC seconds), computed now. */
gint64
imss_scheduler_compute_next_wakeup(ImssScheduler *self);
/* The alarm's instant, or IMSS_CLOCK_NO_ALARM. */
gint64
imss_scheduler_get_next_wakeup(ImssScheduler *self);

G_END_DECLS
