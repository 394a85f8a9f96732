#define G_LOG_DOMAIN "ImssMailDelivery"

#include "config.h"

#include "imss-journal.h"
#include "imss-date.h"
#include "imss-calendar.h"
#include "imss-mail-delivery.h"
#include "imss-scheduler.h"
#include "imss-slot.h"

/* the longest wait between two attempts */
#define IMSS_MAIL_BACKOFF_MAX 3600

struct _ImssMailDelivery {
	GObject parent_instance;
	ImssMailer *mailer;
	ImssStore *store;
	ImssClock *clock;
	gchar *language;
	guint retry_interval;
	GHashTable *jobs; /* ImssMailJob, while in flight or waiting to retry */
	ImssMailFinishedFunc finished;
	gpointer finished_data;
};

G_DEFINE_TYPE(ImssMailDelivery, imss_mail_delivery, G_TYPE_OBJECT)

typedef struct {
	ImssMailDelivery *self;
	ImssSlotId slot;
	ImssNoticeData notice;
	gchar *day;
	gchar *masked_code;
	gint64 deadline; /* retried until then */
	guint attempts;
	guint backoff;
	guint retry_id;
} ImssMailJob;

static void
imss_mail_job_free(ImssMailJob *job)
{
	if (job->retry_id != 0)
		imss_clock_remove_timeout(job->self->clock, job->retry_id);
	g_free(job->day);
	g_free(job->masked_code);
	g_free(job);
}

static void imss_mail_delivery_attempt(ImssMailJob *job);

/* this node no longer works on @job: said, then forgotten */
static void
imss_mail_delivery_forget(ImssMailJob *job)
{
	ImssMailDelivery *self = job->self;
	if (self->finished != NULL)
		self->finished(job->slot, job->day, self->finished_data);
	g_hash_table_remove(self->jobs, job);
}

/* before waiting @seconds for the next attempt: the claim stays ours that
 * long; FALSE when another node took the mail over (our lease ran out) */
static gboolean
imss_mail_delivery_keep_claim(ImssMailJob *job, guint seconds)
{
	g_autoptr(GError) error_local = NULL;
	gboolean ours = TRUE;
	if (!imss_store_renew_run(job->self->store, IMSS_JOB_MAIL, imss_slot_to_string(job->slot),
				  job->day, seconds, &ours, &error_local)) {
		/* the database is away: keep trying; its lease may run out */
		g_warning("failed to extend the claim of the mail of %s for %s: %s",
			  imss_slot_to_string(job->slot), job->day, error_local->message);
		return TRUE;
	}
	return ours;
}

/* records how it ended, with its claim, and forgets it */
static void
imss_mail_delivery_finish(ImssMailJob *job, const gchar *outcome, const gchar *detail)
{
	ImssMailDelivery *self = job->self;
	g_autoptr(GError) error_local = NULL;
	g_autoptr(ImssStoreHistory) h = g_new0(ImssStoreHistory, 1);
	h->time = imss_clock_get_time(self->clock);
	h->action = g_strdup("mail");
	h->slot = g_strdup(imss_slot_to_string(job->slot));
	h->code = g_strdup(job->masked_code);
	h->caller = g_strdup("scheduler");
	h->outcome = g_strdup(outcome);
	h->detail = g_strdup_printf("day %s: %s", job->day, detail);
	if (g_strcmp0(outcome, "sent") == 0 || g_strcmp0(detail, "no notice on this day") == 0)
		g_message("mail notice of %s for %s: %s (%s)", h->slot, job->day, outcome, detail);
	else /* undelivered (a warning), or no recipient (a notice says so too):
	      * the mails cannot be suppressed */
		imss_journal_event(g_strcmp0(outcome, "skipped") == 0 ? G_LOG_LEVEL_MESSAGE
								     : G_LOG_LEVEL_WARNING,
				   IMSS_MSGID_MAIL_FAILED, h->slot,
				   "mail notice of %s for %s: %s (%s)", h->slot, job->day, outcome,
				   detail);
	if (!imss_store_finish_run(self->store, IMSS_JOB_MAIL, h->slot, job->day, h, &error_local))
		g_warning("failed to record the mail of %s: %s", h->slot, error_local->message);
	imss_mail_delivery_forget(job);
}

static gboolean
imss_mail_delivery_retry_cb(gpointer user_data)
{
	ImssMailJob *job = user_data;
	job->retry_id = 0;
	imss_mail_delivery_attempt(job);
	return G_SOURCE_REMOVE;
}

static void
imss_mail_delivery_sent_cb(GObject *source, GAsyncResult *res, gpointer user_data)
{
	ImssMailJob *job = user_data;
	ImssMailDelivery *self = job->self;
	g_autoptr(GError) error_local = NULL;

	if (imss_mailer_send_finish(IMSS_MAILER(source), res, &error_local)) {
		g_autofree gchar *detail = g_strdup_printf("sent to %u recipient(s), attempt %u",
							   imss_mailer_get_n_recipients(self->mailer),
							   job->attempts);
		imss_mail_delivery_finish(job, "sent", detail);
		return;
	}
	if (imss_clock_get_time(self->clock) >= job->deadline) {
		imss_mail_delivery_finish(job, "undelivered", error_local->message);
		return;
	}
	if (!imss_mail_delivery_keep_claim(job, job->backoff)) {
		g_message("mail notice of %s for %s: another node took it over",
			  imss_slot_to_string(job->slot), job->day);
		imss_mail_delivery_forget(job);
		return;
	}
	g_warning("mail notice of %s for %s not delivered (attempt %u), retrying in %u s: %s",
		  imss_slot_to_string(job->slot),
		  job->day,
		  job->attempts,
		  job->backoff,
		  error_local->message);
	job->retry_id = imss_clock_add_timeout(self->clock, job->backoff, imss_mail_delivery_retry_cb, job);
	job->backoff = MIN(job->backoff * 2, IMSS_MAIL_BACKOFF_MAX);
}

static void
imss_mail_delivery_attempt(ImssMailJob *job)
{
	ImssMailDelivery *self = job->self;
	const ImssCatalog *catalog = imss_catalog_for_language(self->language);
	g_autofree gchar *subject = NULL;
	g_autofree gchar *body = NULL;

	if (imss_clock_get_time(self->clock) >= job->deadline) {
		imss_mail_delivery_finish(job, "undelivered", "the day is over");
		return;
	}
	subject = imss_notice_render_mail_subject(catalog, &job->notice);
	body = imss_notice_render_mail_body(catalog, &job->notice);
	job->attempts++;
	imss_mailer_send_async(self->mailer,
			       subject,
			       body,
			       imss_clock_get_time(self->clock),
			       NULL,
			       imss_mail_delivery_sent_cb,
			       job);
}

void
imss_mail_delivery_send(ImssMailDelivery *self,
			ImssSlotId slot,
			const ImssNoticeData *notice,
			const gchar *day,
			gint64 claimed_at,
			const gchar *masked_code)
{
	GTimeZone *tz;
	ImssMailJob *job;
	GDate date, sent_on;

	g_return_if_fail(IMSS_IS_MAIL_DELIVERY(self));
	g_return_if_fail(day != NULL);
	tz = imss_clock_get_timezone(self->clock);
	job = g_new0(ImssMailJob, 1);
	job->self = self;
	job->slot = slot;
	job->day = g_strdup(day);
	job->masked_code = g_strdup(masked_code != NULL ? masked_code : "");
	job->backoff = self->retry_interval;
	g_hash_table_add(self->jobs, job);
	if (notice != NULL)
		job->notice = *notice;
	/* the end of the day it is sent on */
	g_date_clear(&date, 1);
	imss_date_parse(day, &date);
	imss_calendar_today(tz, claimed_at, &sent_on);
	if (g_date_valid(&date) && g_date_compare(&date, &sent_on) > 0)
		sent_on = date;
	g_date_add_days(&sent_on, 1);
	job->deadline = imss_calendar_day_start(tz, &sent_on);
	if (notice == NULL) {
		imss_mail_delivery_finish(job, "skipped", "no notice on this day");
		return;
	}
	if (!imss_mailer_is_configured(self->mailer)) {
		imss_mail_delivery_finish(job, "skipped", "no recipients configured ([mail] to, smtp)");
		return;
	}
	imss_mail_delivery_attempt(job);
}

void
imss_mail_delivery_set_finished_func(ImssMailDelivery *self, ImssMailFinishedFunc func, gpointer data)
{
	g_return_if_fail(IMSS_IS_MAIL_DELIVERY(self));
	self->finished = func;
	self->finished_data = data;
}

static void
imss_mail_delivery_finalize(GObject *obj)
{
	ImssMailDelivery *self = IMSS_MAIL_DELIVERY(obj);
	g_hash_table_unref(self->jobs);
	g_clear_object(&self->mailer);
	g_clear_object(&self->store);
	g_clear_object(&self->clock);
	g_free(self->language);
	G_OBJECT_CLASS(imss_mail_delivery_parent_class)->finalize(obj);
}

static void
imss_mail_delivery_class_init(ImssMailDeliveryClass *klass)
{
	G_OBJECT_CLASS(klass)->finalize = imss_mail_delivery_finalize;
}

static void
imss_mail_delivery_init(ImssMailDelivery *self)
{
	self->jobs = g_hash_table_new_full(g_direct_hash, g_direct_equal,
					   (GDestroyNotify)imss_mail_job_free, NULL);
}

ImssMailDelivery *
imss_mail_delivery_new(ImssMailer *mailer,
		       ImssStore *store,
		       ImssClock *clock,
		       const gchar *language,
		       guint retry_interval)
{
	ImssMailDelivery *self;
	g_return_val_if_fail(IMSS_IS_MAILER(mailer), NULL);
	g_return_val_if_fail(IMSS_IS_STORE(store), NULL);
	g_return_val_if_fail(IMSS_IS_CLOCK(clock), NULL);
	self = g_object_new(IMSS_TYPE_MAIL_DELIVERY, NULL);
	self->mailer = g_object_ref(mailer);
	self->store = g_object_ref(store);
	self->clock = g_object_ref(clock);
	self->language = g_strdup(language != NULL ? language : "ja");
	self->retry_interval = MAX(retry_interval, 1);
	return self;
}

void
imss_mail_delivery_set_language(ImssMailDelivery *self, const gchar *language)
{
	g_return_if_fail(IMSS_IS_MAIL_DELIVERY(self));
	g_return_if_fail(language != NULL);
	g_free(self->language);
	self->language = g_strdup(language);
}
