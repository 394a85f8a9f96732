#define G_LOG_DOMAIN "ImssMailer"

#include "config.h"

#include <curl/curl.h>
#include <gmodule.h>
#include <string.h>

#include "imss-mailer.h"
#include "imss-mime.h"

struct _ImssMailer {
	GObject parent_instance;
	ImssConfig *config;
};

G_DEFINE_TYPE(ImssMailer, imss_mailer, G_TYPE_OBJECT)

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

/* libcurl is opened on the first mail, not linked: linked, the dynamic
 * linker would map and relocate it and its own libraries (nghttp2,
 * libssh2, OpenSSL, Kerberos, …) at every start, for a gateway that may
 * never send a mail (docs/lean.md). The few entry points used: */
typedef struct {
	CURLcode (*global_init)(long flags);
	CURL *(*easy_init)(void);
	CURLcode (*easy_setopt)(CURL *curl, CURLoption option, ...);
	CURLcode (*easy_perform)(CURL *curl);
	void (*easy_cleanup)(CURL *curl);
	const char *(*easy_strerror)(CURLcode code);
	struct curl_slist *(*slist_append)(struct curl_slist *list, const char *string);
	void (*slist_free_all)(struct curl_slist *list);
} ImssCurl;

static ImssCurl imss_curl;
static gchar *imss_curl_error = NULL; /* why libcurl could not be opened */

/* "libcurl.so.4": the ABI the headers we were built with describe */
#define IMSS_CURL_SONAME "libcurl.so.4"

static void
imss_mailer_open_curl(void)
{
	struct {
		const gchar *name;
		gpointer *fn;
	} symbols[] = {
	    {"curl_global_init", (gpointer *)&imss_curl.global_init},
	    {"curl_easy_init", (gpointer *)&imss_curl.easy_init},
	    {"curl_easy_setopt", (gpointer *)&imss_curl.easy_setopt},
	    {"curl_easy_perform", (gpointer *)&imss_curl.easy_perform},
	    {"curl_easy_cleanup", (gpointer *)&imss_curl.easy_cleanup},
	    {"curl_easy_strerror", (gpointer *)&imss_curl.easy_strerror},
	    {"curl_slist_append", (gpointer *)&imss_curl.slist_append},
	    {"curl_slist_free_all", (gpointer *)&imss_curl.slist_free_all},
	};
	/* never closed: libcurl keeps global state */
	GModule *module = g_module_open(IMSS_CURL_SONAME, G_MODULE_BIND_LOCAL);
	if (module == NULL) {
		imss_curl_error = g_strdup(g_module_error());
		return;
	}
	for (guint i = 0; i < G_N_ELEMENTS(symbols); i++) {
		if (!g_module_symbol(module, symbols[i].name, symbols[i].fn)) {
			imss_curl_error = g_strdup(g_module_error());
			return;
		}
	}
	imss_curl.global_init(CURL_GLOBAL_DEFAULT);
}

/* libcurl is set up on the first mail, not at start-up */
static void
imss_mailer_init_curl(void)
{
	static gsize once = 0;
	if (g_once_init_enter(&once)) {
		imss_mailer_open_curl();
		if (imss_curl_error != NULL)
			g_warning("cannot open %s: %s", IMSS_CURL_SONAME, imss_curl_error);
		g_once_init_leave(&once, 1);
	}
}

gchar *
imss_mailer_compose(ImssMailer *self,
		    const gchar *subject,
		    const gchar *body,
		    gint64 date,
		    GError **error)
{
	const ImssMimeModule *mime;
	g_autoptr(GDateTime) dt = NULL;

	g_return_val_if_fail(IMSS_IS_MAILER(self), NULL);
	g_return_val_if_fail(subject != NULL, NULL);
	g_return_val_if_fail(body != NULL, NULL);
	g_return_val_if_fail(error == NULL || *error == NULL, NULL);

	/* GMime is opened on the first mail, not linked (docs/lean.md) */
	mime = imss_module_load(IMSS_MIME_MODULE, IMSS_MIME_ABI, error);
	if (mime == NULL)
		return NULL;
	dt = g_date_time_new_from_unix_local(date);
	return mime->compose("imss-licensed",
			     imss_config_get_mail_from(self->config),
			     (const gchar *const *)imss_config_get_mail_to(self->config),
			     subject,
			     body,
			     dt);
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
	CURL *curl = NULL;
	struct curl_slist *rcpt = NULL;
	g_autofree gchar *from = g_strdup_printf("<%s>", job->from);
	gchar errbuf[CURL_ERROR_SIZE] = "";
	CURLcode rc;

	if (imss_curl_error != NULL) {
		g_task_return_new_error(task, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED,
					"SMTP delivery failed: cannot open %s: %s", IMSS_CURL_SONAME,
					imss_curl_error);
		return;
	}
	curl = imss_curl.easy_init();
	if (curl == NULL) {
		g_task_return_new_error(task, G_IO_ERROR, G_IO_ERROR_FAILED, "curl_easy_init failed");
		return;
	}
	for (guint i = 0; job->to[i] != NULL; i++) {
		g_autofree gchar *r = g_strdup_printf("<%s>", job->to[i]);
		rcpt = imss_curl.slist_append(rcpt, r);
	}
	imss_curl.easy_setopt(curl, CURLOPT_URL, job->url);
	imss_curl.easy_setopt(curl, CURLOPT_PROTOCOLS_STR, "smtp,smtps");
	imss_curl.easy_setopt(curl, CURLOPT_MAIL_FROM, from);
	imss_curl.easy_setopt(curl, CURLOPT_MAIL_RCPT, rcpt);
	imss_curl.easy_setopt(curl, CURLOPT_READFUNCTION, imss_mail_read_cb);
	imss_curl.easy_setopt(curl, CURLOPT_READDATA, job);
	imss_curl.easy_setopt(curl, CURLOPT_UPLOAD, 1L);
	imss_curl.easy_setopt(curl, CURLOPT_CONNECTTIMEOUT, 10L);
	imss_curl.easy_setopt(curl, CURLOPT_TIMEOUT, (long)job->timeout);
	imss_curl.easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
	imss_curl.easy_setopt(curl, CURLOPT_ERRORBUFFER, errbuf);
	if (job->user != NULL) {
		imss_curl.easy_setopt(curl, CURLOPT_USERNAME, job->user);
		imss_curl.easy_setopt(curl, CURLOPT_PASSWORD, job->password != NULL ? job->password : "");
		/* credentials only over TLS when the server offers it */
		imss_curl.easy_setopt(curl, CURLOPT_USE_SSL, (long)CURLUSESSL_TRY);
	}
	rc = imss_curl.easy_perform(curl);
	imss_curl.slist_free_all(rcpt);
	imss_curl.easy_cleanup(curl);
	if (rc != CURLE_OK) {
		g_task_return_new_error(task,
					G_IO_ERROR,
					G_IO_ERROR_FAILED,
					"SMTP delivery failed: %s",
					errbuf[0] != '\0' ? errbuf : imss_curl.easy_strerror(rc));
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
	g_autoptr(GError) error = NULL;
	g_autofree gchar *data = NULL;
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
	data = imss_mailer_compose(self, subject, body, date, &error);
	if (data == NULL) {
		g_task_return_new_error(task, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED,
					"cannot compose the mail: %s", error->message);
		return;
	}
	imss_mailer_init_curl();
	job = g_new0(ImssMailJob, 1);
	job->url = g_strdup(imss_config_get_mail_smtp(self->config));
	job->user = g_strdup(imss_config_get_mail_user(self->config));
	job->password = g_strdup(imss_config_get_mail_password(self->config));
	job->from = g_strdup(imss_config_get_mail_from(self->config));
	job->to = g_strdupv((gchar **)imss_config_get_mail_to(self->config));
	job->data = g_steal_pointer(&data);
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
