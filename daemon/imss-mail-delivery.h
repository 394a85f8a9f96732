/*
 * Delivery of the daily mail notices (SPEC §9.2): one claimed mail per slot
 * and day, retried with a doubling backoff on the daemon's own clock until
 * the end of the day it is sent on, and recorded (sent, undelivered or
 * skipped) with its claim in the store.
 */
#pragma once

#include <glib-object.h>

#include "imss-clock.h"
#include "imss-mailer.h"
#include "imss-notice.h"
#include "imss-store.h"

G_BEGIN_DECLS

#define IMSS_TYPE_MAIL_DELIVERY (imss_mail_delivery_get_type())
G_DECLARE_FINAL_TYPE(ImssMailDelivery, imss_mail_delivery, IMSS, MAIL_DELIVERY, GObject)

/* @language: of the mails ("ja", "en"); @retry_interval: seconds before the
 * first retry (doubled up to an hour). */
ImssMailDelivery *
imss_mail_delivery_new(ImssMailer *mailer,
		       ImssStore *store,
		       ImssClock *clock,
		       const gchar *language,
		       guint retry_interval) G_GNUC_WARN_UNUSED_RESULT;

/* Delivers the mail of @day (YYYY-MM-DD; the claimed run of the job "mail"
 * for the slot of @notice), claimed at @claimed_at. @notice NULL: there is no
 * notice that day (recorded as skipped). It is retried until the end of the
 * day it is sent on: its own day, or the day it was claimed on when it was
 * caught up later (after a stop, a wrong clock, a date the zone skipped).
 * @masked_code goes into the history. */
void
imss_mail_delivery_send(ImssMailDelivery *self,
			ImssSlotId slot,
			const ImssNoticeData *notice,
			const gchar *day,
			gint64 claimed_at,
			const gchar *masked_code);

/* @func(@slot, @day, @data) is called when this node no longer works on a
 * mail it was given (recorded as sent, undelivered or skipped, or taken
 * over by another node of the fleet). */
typedef void (*ImssMailFinishedFunc)(ImssSlotId slot, const gchar *day, gpointer data);
void
imss_mail_delivery_set_finished_func(ImssMailDelivery *self, ImssMailFinishedFunc func, gpointer data);

/* the language of the next mails */
void
imss_mail_delivery_set_language(ImssMailDelivery *self, const gchar *language);

G_END_DECLS
