#define G_LOG_DOMAIN "ImssMailer"

#include "config.h"

#include <curl/curl.h>
#include <gmime/gmime.h>
#include <string.h>

#include "imss-mailer.h"

struct _ImssMailer {
	GObject parent_instance;
	ImssConfig *config;
};

G_DEFINE_TYPE(ImssMailer, imss_mailer, G_TYPE_OBJECT)

G_DEFINE_AUTOPTR_CLEANUP_FUNC(GMimeMessage, g_object_unref)
G_DEFINE_AUTOPTR_CLEANUP_FUNC(GMimeTextPart, g_object_unref)
G_DEFINE_AUTOPTR_CLEANUP_FUNC(GMimeFormatOptions, g_mime_format_options_free)

gboolean
imss_mailer_is_configured(ImssMailer *self)
{
	g_return_val_if_fail(IMSS_IS_MAILER(self), FALSE);

	return imss_config_get_mail_to(self->config) != NULL &&
	       imss_config_get_mail_smtp(self->config) != NULL;
}

guint
imss_mailer_get_n_recipients(ImssMailer *self)
{
	gchar *const *to;
	g_return_val_if_fail(IMSS_IS_MAILER(self), 0);
	to = imss_config_get_mail_to(self->config);
	return to != NULL ? g_strv_length((gchar **)to) : 0;
}

/* GMime and libcurl are set up on the first mail, not at start-up */
static void
imss_mailer_init_libraries(void)
{
	static gsize once = 0;
	if (g_once_init_enter(&once)) {
		g_mime_init();
		curl_global_init(CURL_GLOBAL_DEFAULT);
		g_once_init_leave(&once, 1);
	}
}

static gchar *
imss_mailer_compose_message(ImssMailer *self, const gchar *subject, const gchar *body, gint64 date)
{
	g_autoptr(GMimeMessage) msg = g_mime_message_new(TRUE);
	g_autoptr(GMimeTextPart) part = g_mime_text_part_new_with_subtype("plain");
	g_autoptr(GMimeFormatOptions) fo = g_mime_format_options_new();
	g_autoptr(GDateTime) dt = g_date_time_new_from_unix_local(date);
	gchar *const *to = imss_config_get_mail_to(self->config);

	g_mime_message_add_mailbox(msg,
				   GMIME_ADDRESS_TYPE_FROM,
				   "imss-licensed",
				   imss_config_get_mail_from(self->config));
	for (guint i = 0; to != NULL && to[i] != NULL; i++)
		g_mime_message_add_mailbox(msg, GMIME_ADDRESS_TYPE_TO, NULL, to[i]);
	g_mime_message_set_subject(msg, subject, "UTF-8");
	g_mime_message_set_date(msg, dt);
	g_mime_object_set_header(GMIME_OBJECT(msg), "Auto-Submitted", "auto-generated", NULL);
	g_mime_text_part_set_text(part, body); /* UTF-8, encoded as needed */
	g_mime_part_set_content_encoding(GMIME_PART(part), GMIME_CONTENT_ENCODING_BASE64);
	g_mime_message_set_mime_part(msg, GMIME_OBJECT(part));
	/* SMTP wants CRLF */
	g_mime_format_options_set_newline_format(fo, GMIME_NEWLINE_FORMAT_DOS);
	return g_mime_object_to_string(GMIME_OBJECT(msg), fo);
}

gchar *
imss_mailer_compose(ImssMailer *self, const gchar *subject, const gchar *body, gint64 date)
{
	g_return_val_if_fail(IMSS_IS_MAILER(self), NULL);
	g_return_val_if_fail(subject != NULL, NULL);
	g_return_val_if_fail(body != NULL, NULL);

	imss_mailer_init_libraries();
	return imss_mailer_compose_message(self, subject, body, date);
}

typedef struct {
	gchar *url;
	gchar *user;
	gchar *password;
	gchar *from;
	gchar **to;
	gchar *data;
	gsize len;
	gsize pos;
	guint timeout;
} ImssMailJob;

static void
imss_mail_job_free(ImssMailJob *job)
{
	g_free(job->url);
	g_free(job->user);
	if (job->password != NULL)
		memset(job->password, 0, strlen(job->password));
	g_free(job->password);
	g_free(job->from);
	g_strfreev(job->to);
	g_free(job->data);
	g_free(job);
}

static size_t
imss_mail_read_cb(char *ptr, size_t size, size_t nmemb, void *user_data)
{
	ImssMailJob *job = user_data;
	gsize room = size * nmemb;
	gsize n = MIN(room, job->len - job->pos);
	memcpy(ptr, job->data + job->pos, n);
	job->pos += n;
	return n;
}

/* runs in a worker thread: libcurl's SMTP client is blocking */
static void
imss_mailer_send_thread(GTask *task, gpointer source, gpointer task_data, GCancellable *cancellable)
{
	ImssMailJob *job = task_data;
	CURL *curl = curl_easy_init();
	struct curl_slist *rcpt = NULL;
	g_autofree gchar *from = g_strdup_printf("<%s>", job->from);
	gchar errbuf[CURL_ERROR_SIZE] = "";
	CURLcode rc;

	if (curl == NULL) {
		g_task_return_new_error(task, G_IO_ERROR, G_IO_ERROR_FAILED, "curl_easy_init failed");
		return;
	}
	for (guint i = 0; job->to[i] != NULL; i++) {
		g_autofree gchar *r = g_strdup_printf("<%s>", job->to[i]);
		rcpt = curl_slist_append(rcpt, r);
	}
	curl_easy_setopt(curl, CURLOPT_URL, job->url);
	curl_easy_setopt(curl, CURLOPT_PROTOCOLS_STR, "smtp,smtps");
	curl_easy_setopt(curl, CURLOPT_MAIL_FROM, from);
	curl_easy_setopt(curl, CURLOPT_MAIL_RCPT, rcpt);
	curl_easy_setopt(curl, CURLOPT_READFUNCTION, imss_mail_read_cb);
	curl_easy_setopt(curl, CURLOPT_READDATA, job);
	curl_easy_setopt(curl, CURLOPT_UPLOAD, 1L);
	curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT, 10L);
	curl_easy_setopt(curl, CURLOPT_TIMEOUT, (long)job->timeout);
	curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(curl, CURLOPT_ERRORBUFFER, errbuf);
	if (job->user != NULL) {
		curl_easy_setopt(curl, CURLOPT_USERNAME, job->user);
		curl_easy_setopt(curl, CURLOPT_PASSWORD, job->password != NULL ? job->password : "");
		/* credentials only over TLS when the server offers it */
		curl_easy_setopt(curl, CURLOPT_USE_SSL, (long)CURLUSESSL_TRY);
	}
	rc = curl_easy_perform(curl);
	curl_slist_free_all(rcpt);
	curl_easy_cleanup(curl);
	if (rc != CURLE_OK) {
		g_task_return_new_error(task,
					G_IO_ERROR,
					G_IO_ERROR_FAILED,
					"SMTP delivery failed: %s",
					errbuf[0] != '\0' ? errbuf : curl_easy_strerror(rc));
		return;
	}
	g_task_return_boolean(task, TRUE);
}

void
imss_mailer_send_async(ImssMailer *self,
		       const gchar *subject,
		       const gchar *body,
		       gint64 date,
		       GCancellable *cancellable,
		       GAsyncReadyCallback callback,
		       gpointer user_data)
{
	g_autoptr(GTask) task = NULL;
	ImssMailJob *job;

	g_return_if_fail(IMSS_IS_MAILER(self));
	g_return_if_fail(subject != NULL);
	g_return_if_fail(body != NULL);
	task = g_task_new(self, cancellable, callback, user_data);

	if (!imss_mailer_is_configured(self)) {
		g_task_return_new_error(task, G_IO_ERROR, G_IO_ERROR_NOT_INITIALIZED,
					"no recipients or SMTP server configured");
		return;
	}
	job = g_new0(ImssMailJob, 1);
	job->url = g_strdup(imss_config_get_mail_smtp(self->config));
	job->user = g_strdup(imss_config_get_mail_user(self->config));
	job->password = g_strdup(imss_config_get_mail_password(self->config));
	job->from = g_strdup(imss_config_get_mail_from(self->config));
	job->to = g_strdupv((gchar **)imss_config_get_mail_to(self->config));
	job->data = imss_mailer_compose(self, subject, body, date);
	job->len = strlen(job->data);
	job->timeout = imss_config_get_mail_timeout(self->config);
	g_task_set_task_data(task, job, (GDestroyNotify)imss_mail_job_free);
	g_task_run_in_thread(task, imss_mailer_send_thread);
}

gboolean
imss_mailer_send_finish(ImssMailer *self, GAsyncResult *res, GError **error)
{
	g_return_val_if_fail(IMSS_IS_MAILER(self), FALSE);
	g_return_val_if_fail(g_task_is_valid(res, self), FALSE);
	g_return_val_if_fail(error == NULL || *error == NULL, FALSE);

	return g_task_propagate_boolean(G_TASK(res), error);
}

static void
imss_mailer_finalize(GObject *obj)
{
	ImssMailer *self = IMSS_MAILER(obj);
	g_clear_object(&self->config);
	G_OBJECT_CLASS(imss_mailer_parent_class)->finalize(obj);
}

static void
imss_mailer_class_init(ImssMailerClass *klass)
{
	G_OBJECT_CLASS(klass)->finalize = imss_mailer_finalize;
}

static void
imss_mailer_init(ImssMailer *self)
{
}

ImssMailer *
imss_mailer_new(ImssConfig *config)
{
	ImssMailer *self = g_object_new(IMSS_TYPE_MAILER, NULL);
	g_return_val_if_fail(IMSS_IS_CONFIG(config), NULL);

	self->config = g_object_ref(config);
	return self;
}
