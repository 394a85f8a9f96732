#define G_LOG_DOMAIN "ImssLicenseServer"

#include "config.h"

#include <string.h>

#include "imss-http.h"
#include "imss-license-server.h"

#define IMSS_SERVER_DEADLINE_DEFAULT 20
#define IMSS_SERVER_MAX_REDIRECTS    3
/* the HTTP statuses the protocol tells apart (RFC 9110, RFC 6585) */
#define IMSS_HTTP_OK			    200
#define IMSS_HTTP_UNAUTHORIZED		    401
#define IMSS_HTTP_PROXY_AUTHENTICATION_REQUIRED 407
#define IMSS_HTTP_REQUEST_TIMEOUT	    408
#define IMSS_HTTP_TOO_MANY_REQUESTS	    429
#define IMSS_HTTP_SERVICE_UNAVAILABLE	    503
#define IMSS_SERVER_RETRY_AFTER_MAX (7 * 24 * 3600)

struct _ImssLicenseServer {
	GObject parent_instance;
	ImssConfig *config;
	GObject *session; /* created on first use (imss-http.h) */
	guint deadline;
};

G_DEFINE_TYPE(ImssLicenseServer, imss_license_server, G_TYPE_OBJECT)

/* IMSS_LICENSE_SERVER_ERROR carries the Retry-After of a busy server (an
 * extended GError; the NULL checks are for -Wnull-dereference, GLib never
 * passes NULL) */
typedef struct {
	guint retry_after;
} ImssLicenseServerErrorPrivate;

static void
imss_license_server_error_private_init(ImssLicenseServerErrorPrivate *priv)
{
	if (priv != NULL)
		priv->retry_after = 0;
}

static void
imss_license_server_error_private_copy(const ImssLicenseServerErrorPrivate *src,
				       ImssLicenseServerErrorPrivate *dest)
{
	if (src != NULL && dest != NULL)
		dest->retry_after = src->retry_after;
}

static void
imss_license_server_error_private_clear(ImssLicenseServerErrorPrivate *priv)
{
}

G_DEFINE_EXTENDED_ERROR(ImssLicenseServerError, imss_license_server_error)

guint
imss_license_server_error_get_retry_after(const GError *error)
{
	ImssLicenseServerErrorPrivate *priv;
	if (!g_error_matches(error, IMSS_LICENSE_SERVER_ERROR, IMSS_LICENSE_SERVER_ERROR_BUSY))
		return 0;
	priv = imss_license_server_error_get_private(error);
	return priv != NULL ? priv->retry_after : 0;
}

/* one request on the wire, shared by every caller asking about its code */
typedef struct {
	ImssLicenseServer *self;
	gchar *code;
	ImssEdition edition;
	GPtrArray *tasks; /* GTask, all completed together */
	GCancellable *cancellable;
	guint deadline_id;
	gboolean timed_out;
	guint redirects;
	GUri *uri;
	const ImssHttpModule *http;
	ImssHttpResponse *response;
	GByteArray *body;
} ImssQuery;

static void
imss_query_free(ImssQuery *q)
{
	if (q->deadline_id != 0)
		g_source_remove(q->deadline_id);
	g_ptr_array_unref(q->tasks);
	g_clear_object(&q->cancellable);
	g_clear_pointer(&q->uri, g_uri_unref);
	g_clear_pointer(&q->response, imss_http_response_free);
	if (q->body != NULL)
		g_byte_array_unref(q->body);
	if (q->code != NULL)
		memset(q->code, 0, strlen(q->code));
	g_free(q->code);
	g_object_unref(q->self);
	g_free(q);
}

static void
imss_query_return(ImssQuery *q, ImssServerAnswer *answer, GError *error)
{
	for (guint i = 0; i < q->tasks->len; i++) {
		GTask *task = g_ptr_array_index(q->tasks, i);
		if (error != NULL) {
			g_task_return_error(task, g_error_copy(error));
		} else {
			ImssServerAnswer *copy = g_new0(ImssServerAnswer, 1);
			*copy = *answer;
			copy->replaced_by = g_strdup(answer->replaced_by);
			g_task_return_pointer(task, copy, (GDestroyNotify)imss_server_answer_free);
		}
	}
	imss_query_free(q);
}

/* ends the query with @message (an error of @code; for
 * IMSS_LICENSE_SERVER_ERROR_BUSY, after @retry_after seconds) */
static void
imss_query_fail_full(ImssQuery *q,
		     ImssLicenseServerError code,
		     const gchar *message,
		     guint retry_after)
{
	g_autoptr(GError) reported = NULL;
	const gchar *proxy = imss_config_get_proxy_host(q->self->config);
	if (q->timed_out) {
		reported = g_error_new(IMSS_LICENSE_SERVER_ERROR,
				       IMSS_LICENSE_SERVER_ERROR_NO_ANSWER,
				       "no complete answer within %u s",
				       q->self->deadline);
	} else {
		ImssLicenseServerErrorPrivate *priv;
		reported = g_error_new_literal(IMSS_LICENSE_SERVER_ERROR, code, message);
		priv = imss_license_server_error_get_private(reported);
		if (priv != NULL)
			priv->retry_after = retry_after;
	}
	/* over plain HTTP anyone on the path may answer in the server's place */
	if (code == IMSS_LICENSE_SERVER_ERROR_INVALID_ANSWER && !q->timed_out)
		g_warning("refused the answer of the license server %s://%s: %s",
			  g_uri_get_scheme(q->uri),
			  g_uri_get_host(q->uri),
			  message);
	/* say which way we went: a proxy problem is the operator's first guess */
	if (proxy != NULL)
		g_prefix_error(&reported,
			       "through the proxy %s:%u: ",
			       proxy,
			       imss_config_get_proxy_port(q->self->config));
	imss_query_return(q, NULL, reported);
}

static void
imss_query_fail_literal(ImssQuery *q, ImssLicenseServerError code, const gchar *message)
{
	imss_query_fail_full(q, code, message, 0);
}

/* no answer: what went wrong on the way */
static void
imss_query_fail(ImssQuery *q, const GError *error)
{
	imss_query_fail_literal(q, IMSS_LICENSE_SERVER_ERROR_NO_ANSWER, error->message);
}

/* an answer, but not a valid one */
G_GNUC_PRINTF(2, 3)
static void
imss_query_invalid(ImssQuery *q, const gchar *format, ...)
{
	va_list args;
	g_autofree gchar *why = NULL;
	g_autofree gchar *message = NULL;
	va_start(args, format);
	why = g_strdup_vprintf(format, args);
	va_end(args);
	message = g_strdup_printf("invalid answer: %s", why);
	imss_query_fail_literal(q, IMSS_LICENSE_SERVER_ERROR_INVALID_ANSWER, message);
}

static gboolean
imss_query_deadline_cb(gpointer user_data)
{
	ImssQuery *q = user_data;
	q->deadline_id = 0;
	q->timed_out = TRUE;
	g_cancellable_cancel(q->cancellable);
	return G_SOURCE_REMOVE;
}

/* -- the session ----------------------------------------------------------- */

/* Basic credentials for the proxy, up front as curl does (a proxy that
 * closes the connection after its 407 would otherwise turn the retry into a
 * connection reset): only on what goes to the proxy itself, never on what
 * goes through a tunnel to the license server. Never logged; NULL without
 * a proxy user. Free with imss_license_server_wipe(). */
static gchar *
imss_license_server_proxy_authorization(ImssLicenseServer *self)
{
	const gchar *user = imss_config_get_proxy_user(self->config);
	const gchar *password = imss_config_get_proxy_password(self->config);
	g_autofree gchar *plain = NULL;
	g_autofree gchar *b64 = NULL;
	gchar *value;
	if (imss_config_get_proxy_host(self->config) == NULL || user == NULL)
		return NULL;
	plain = g_strdup_printf("%s:%s", user, password != NULL ? password : "");
	b64 = g_base64_encode((const guchar *)plain, strlen(plain));
	value = g_strdup_printf("Basic %s", b64);
	memset(plain, 0, strlen(plain));
	memset(b64, 0, strlen(b64));
	return value;
}

static void
imss_license_server_wipe(gchar *secret)
{
	if (secret != NULL)
		memset(secret, 0, strlen(secret));
	g_free(secret);
}

static GObject *
imss_license_server_get_session(ImssLicenseServer *self, const ImssHttpModule *http, GError **error)
{
	const gchar *proxy_host = imss_config_get_proxy_host(self->config);
	const gchar *ca_file = imss_config_get_server_ca_file(self->config);
	g_autoptr(GTlsDatabase) database = NULL;
	g_autofree gchar *proxy_uri = NULL;
	gchar *proxy_authorization = NULL;
	ImssHttpOptions options = {
	    .user_agent = "imss-licensed/" PACKAGE_VERSION,
	    .timeout = self->deadline,
	};
	if (self->session != NULL)
		return self->session;
	/* an https:// server is verified against these CAs instead of the
	 * system's; certificate errors stay fatal (no accept-certificate) */
	if (ca_file != NULL) {
		database = g_tls_file_database_new(ca_file, error);
		if (database == NULL) {
			g_prefix_error(error, "the CA file %s cannot be used: ", ca_file);
			return NULL;
		}
	}
	/* never the environment's proxy (http_proxy, GSettings): only what the
	 * configuration says */
	if (proxy_host != NULL) {
		gboolean v6 = strchr(proxy_host, ':') != NULL && proxy_host[0] != '[';
		proxy_uri = g_strdup_printf(v6 ? "http://[%s]:%u" : "http://%s:%u",
					    proxy_host,
					    imss_config_get_proxy_port(self->config));
		g_info("the license server is reached through the proxy %s:%u",
		       proxy_host,
		       imss_config_get_proxy_port(self->config));
	}
	proxy_authorization = imss_license_server_proxy_authorization(self);
	options.proxy_uri = proxy_uri;
	options.proxy_authorization = proxy_authorization;
	options.tls_database = database;
	self->session = http->session_new(&options);
	imss_license_server_wipe(proxy_authorization);
	return self->session;
}

/* -- one exchange ------------------------------------------------------------ */

static void imss_query_send(ImssQuery *q);

static void
imss_query_finish_body(ImssQuery *q)
{
	g_autoptr(GError) error_local = NULL;
	g_autoptr(ImssServerAnswer) answer =
	    imss_server_answer_parse((const gchar *)q->body->data, q->body->len, q->code, &error_local);
	if (answer == NULL) {
		/* the parser's messages say "invalid answer: ..." */
		imss_query_fail_literal(q, IMSS_LICENSE_SERVER_ERROR_INVALID_ANSWER, error_local->message);
		return;
	}
	imss_query_return(q, answer, NULL);
}

static void
imss_query_read_cb(GObject *source, GAsyncResult *res, gpointer user_data)
{
	ImssQuery *q = user_data;
	g_autoptr(GError) error_local = NULL;
	g_autoptr(GBytes) chunk = g_input_stream_read_bytes_finish(G_INPUT_STREAM(source), res, &error_local);
	if (chunk == NULL) {
		imss_query_fail(q, error_local);
		return;
	}
	if (g_bytes_get_size(chunk) == 0) {
		imss_query_finish_body(q);
		return;
	}
	if (q->body->len + g_bytes_get_size(chunk) > IMSS_PROTOCOL_BODY_MAX) {
		g_cancellable_cancel(q->cancellable);
		imss_query_invalid(q, "larger than %u bytes", IMSS_PROTOCOL_BODY_MAX);
		return;
	}
	g_byte_array_append(q->body, g_bytes_get_data(chunk, NULL), g_bytes_get_size(chunk));
	g_input_stream_read_bytes_async(q->response->body, 8192, G_PRIORITY_DEFAULT, q->cancellable,
					imss_query_read_cb, q);
}

static gboolean
imss_query_same_origin(GUri *a, GUri *b)
{
	return g_strcmp0(g_uri_get_scheme(a), g_uri_get_scheme(b)) == 0 &&
	       g_ascii_strcasecmp(g_uri_get_host(a), g_uri_get_host(b)) == 0 &&
	       g_uri_get_port(a) == g_uri_get_port(b);
}

/* Retry-After (RFC 9110 10.2.3): seconds, or an HTTP date, taken relative
 * to the answer's Date (the server's clock) or else ours; a date in the past
 * is 0. Capped at a week: more is "not today" all the same. */
static gboolean
imss_query_retry_after(ImssQuery *q, guint *seconds)
{
	const gchar *value = q->response->retry_after;
	const gchar *date_str = q->response->date;
	guint64 delta = 0;
	g_autoptr(GDateTime) then = NULL;
	g_autoptr(GDateTime) now = NULL;
	if (value == NULL)
		return FALSE;
	if (g_ascii_string_to_unsigned(value, 10, 0, G_MAXUINT64, &delta, NULL)) {
		*seconds = (guint)MIN(delta, IMSS_SERVER_RETRY_AFTER_MAX);
		return TRUE;
	}
	then = q->http->parse_date(value);
	if (then == NULL)
		return FALSE;
	now = date_str != NULL ? q->http->parse_date(date_str) : NULL;
	if (now == NULL)
		now = g_date_time_new_now_utc();
	*seconds = (guint)CLAMP(g_date_time_difference(then, now) / G_TIME_SPAN_SECOND,
				0,
				IMSS_SERVER_RETRY_AFTER_MAX);
	return TRUE;
}

static void
imss_query_send_cb(GObject *source, GAsyncResult *res, gpointer user_data)
{
	ImssQuery *q = user_data;
	g_autoptr(GError) error_local = NULL;
	guint status;

	g_clear_pointer(&q->response, imss_http_response_free);
	q->response = q->http->post_finish(source, res, &error_local);
	if (q->response == NULL) {
		imss_query_fail(q, error_local);
		return;
	}
	status = q->response->status;
	if (status >= 300 && status < 400) {
		const gchar *location = q->response->location;
		g_autoptr(GUri) next = location != NULL ? g_uri_parse_relative(q->uri, location, G_URI_FLAGS_NONE, NULL) : NULL;
		if (next == NULL || !imss_query_same_origin(q->uri, next)) {
			imss_query_invalid(q, "redirected to another server");
			return;
		}
		if (++q->redirects > IMSS_SERVER_MAX_REDIRECTS) {
			imss_query_invalid(q, "more than %u redirects", IMSS_SERVER_MAX_REDIRECTS);
			return;
		}
		g_uri_unref(q->uri);
		q->uri = g_steal_pointer(&next);
		imss_query_send(q);
		return;
	}
	/* the protocol has no authentication, so a 401 through a proxy that has
	 * a user is the proxy's (tinyproxy 1.11 refuses wrong credentials so) */
	if (imss_config_get_proxy_host(q->self->config) != NULL &&
	    (status == IMSS_HTTP_PROXY_AUTHENTICATION_REQUIRED ||
	     (status == IMSS_HTTP_UNAUTHORIZED &&
	      imss_config_get_proxy_user(q->self->config) != NULL))) {
		imss_query_fail_literal(q,
					IMSS_LICENSE_SERVER_ERROR_NO_ANSWER,
					imss_config_get_proxy_user(q->self->config) != NULL
					    ? "the proxy refused the configured user and password"
					    : "the proxy requires authentication, and no proxy user is "
					      "configured");
		return;
	}
	if ((status >= 500 && status < 600) || status == IMSS_HTTP_REQUEST_TIMEOUT ||
	    status == IMSS_HTTP_TOO_MANY_REQUESTS) {
		/* a server in trouble: no answer yet; an overloaded one may say
		 * when to ask again (the caller decides whether to) */
		guint retry_after = 0;
		g_autofree gchar *why = NULL;
		if ((status == IMSS_HTTP_TOO_MANY_REQUESTS ||
		     status == IMSS_HTTP_SERVICE_UNAVAILABLE) &&
		    imss_query_retry_after(q, &retry_after)) {
			why = g_strdup_printf("the server is busy (HTTP %u) and asks to be asked "
					      "again in %u s",
					      status,
					      retry_after);
			imss_query_fail_full(q, IMSS_LICENSE_SERVER_ERROR_BUSY, why, retry_after);
			return;
		}
		why = g_strdup_printf("the server answered HTTP %u", status);
		imss_query_fail_literal(q, IMSS_LICENSE_SERVER_ERROR_NO_ANSWER, why);
		return;
	}
	if (status != IMSS_HTTP_OK) {
		/* e.g. 404: the URL is not the license server's */
		imss_query_invalid(q, "HTTP %u instead of 200", status);
		return;
	}
	if (q->response->content_length > IMSS_PROTOCOL_BODY_MAX) {
		g_cancellable_cancel(q->cancellable);
		imss_query_invalid(q, "larger than %u bytes", IMSS_PROTOCOL_BODY_MAX);
		return;
	}
	q->body = g_byte_array_new();
	g_input_stream_read_bytes_async(q->response->body, 8192, G_PRIORITY_DEFAULT, q->cancellable,
					imss_query_read_cb, q);
}

static void
imss_query_send(ImssQuery *q)
{
	g_autoptr(GError) error_local = NULL;
	GObject *session = NULL;
	g_autofree gchar *body = NULL;
	g_autoptr(GBytes) bytes = NULL;
	gchar *proxy_authorization = NULL;

	/* libsoup is opened on the first request, not linked (docs/lean.md) */
	q->http = imss_module_load(IMSS_HTTP_MODULE, IMSS_HTTP_ABI, &error_local);
	if (q->http != NULL)
		session = imss_license_server_get_session(q->self, q->http, &error_local);
	if (session == NULL) {
		imss_query_fail(q, error_local);
		return;
	}
	body = imss_server_request_body(q->code, q->edition);
	bytes = g_bytes_new_take(g_steal_pointer(&body), strlen(body));

	/* for http:// the request itself goes to the proxy; for https:// it
	 * goes through the tunnel to the license server, and the credentials
	 * go on the CONNECT (the session's) */
	if (g_strcmp0(g_uri_get_scheme(q->uri), "http") == 0)
		proxy_authorization = imss_license_server_proxy_authorization(q->self);
	q->http->post_async(session, q->uri, bytes, "application/json", "application/json",
			    proxy_authorization, q->cancellable, imss_query_send_cb, q);
	imss_license_server_wipe(proxy_authorization);
}

void
imss_license_server_query_async(ImssLicenseServer *self,
				const gchar *code,
				ImssEdition edition,
				GCancellable *cancellable,
				GAsyncReadyCallback callback,
				gpointer user_data)
{
	GTask *task = NULL;
	ImssQuery *q;
	g_autoptr(GError) error_local = NULL;

	/* one request per code at a time is the caller's (imss-license-checker.c) */
	g_return_if_fail(IMSS_IS_LICENSE_SERVER(self));
	g_return_if_fail(code != NULL);
	task = g_task_new(self, cancellable, callback, user_data);

	q = g_new0(ImssQuery, 1);
	q->self = g_object_ref(self);
	q->code = g_strdup(code);
	q->edition = edition;
	q->tasks = g_ptr_array_new_with_free_func(g_object_unref);
	g_ptr_array_add(q->tasks, task);
	q->cancellable = g_cancellable_new();
	q->uri = g_uri_parse(imss_config_get_server_url(self->config), G_URI_FLAGS_NONE, &error_local);
	if (q->uri == NULL) {
		imss_query_fail(q, error_local);
		return;
	}
	q->deadline_id = g_timeout_add_seconds(self->deadline, imss_query_deadline_cb, q);
	imss_query_send(q);
}

ImssServerAnswer *
imss_license_server_query_finish(ImssLicenseServer *self, GAsyncResult *res, GError **error)
{
	g_return_val_if_fail(IMSS_IS_LICENSE_SERVER(self), NULL);
	g_return_val_if_fail(g_task_is_valid(res, self), NULL);
	g_return_val_if_fail(error == NULL || *error == NULL, NULL);

	return g_task_propagate_pointer(G_TASK(res), error);
}



static void
imss_license_server_finalize(GObject *obj)
{
	ImssLicenseServer *self = IMSS_LICENSE_SERVER(obj);
	g_clear_object(&self->session);
	g_clear_object(&self->config);
	G_OBJECT_CLASS(imss_license_server_parent_class)->finalize(obj);
}

static void
imss_license_server_class_init(ImssLicenseServerClass *klass)
{
	G_OBJECT_CLASS(klass)->finalize = imss_license_server_finalize;
}

static void
imss_license_server_init(ImssLicenseServer *self)
{
	self->deadline = IMSS_SERVER_DEADLINE_DEFAULT;
}

static void
imss_license_server_config_changed_cb(ImssLicenseServer *self)
{
	g_clear_object(&self->session);
}

ImssLicenseServer *
imss_license_server_new(ImssConfig *config)
{
	ImssLicenseServer *self = g_object_new(IMSS_TYPE_LICENSE_SERVER, NULL);
	g_return_val_if_fail(IMSS_IS_CONFIG(config), NULL);

	self->config = g_object_ref(config);
	self->deadline = imss_config_get_server_timeout(config);
	/* a new proxy applies from the next request: the session (and its
	 * resolver) is made again on first use; requests under way keep theirs */
	g_signal_connect_object(config, "changed", G_CALLBACK(imss_license_server_config_changed_cb),
				self, G_CONNECT_SWAPPED);
	return self;
}
