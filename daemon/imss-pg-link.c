#define G_LOG_DOMAIN "ImssPgLink"

#include "config.h"

#include <gio/gio.h>

#include "imss-gda.h"
#include "imss-pg-link.h"
#include "imss-pq.h"

/* seconds a connect may take (a unix socket fails at once; a TCP peer that
 * does not answer is bounded), and between two attempts after a failure */
#define IMSS_PG_LINK_CONNECT_TIMEOUT "3"
#define IMSS_PG_LINK_RETRY_USEC	     G_USEC_PER_SEC

struct _ImssPgLink {
	GObject parent_instance;
	GPtrArray *keywords; /* libpq's, NULL-terminated */
	GPtrArray *values;
	PGconn *conn;
	gint64 failed_at; /* monotonic µs of the last failed connect, 0: none */
	gchar *failure;
};

G_DEFINE_TYPE(ImssPgLink, imss_pg_link, G_TYPE_OBJECT)

static void
imss_pg_link_disconnect(ImssPgLink *self)
{
	if (self->conn != NULL) {
		PQfinish(self->conn);
		self->conn = NULL;
	}
}

static gboolean
imss_pg_link_connect(ImssPgLink *self, GError **error)
{
	gint64 now = g_get_monotonic_time();
	if (self->conn != NULL)
		return TRUE;
	if (self->failed_at != 0 && now - self->failed_at < IMSS_PG_LINK_RETRY_USEC) {
		g_set_error(error, G_IO_ERROR, G_IO_ERROR_NOT_CONNECTED,
			    "the database server cannot be reached: %s", self->failure);
		return FALSE;
	}
	if (!imss_pq_load(error))
		return FALSE;
	self->conn = PQconnectdbParams((const gchar *const *)self->keywords->pdata,
				       (const gchar *const *)self->values->pdata,
				       0);
	if (self->conn == NULL || PQstatus(self->conn) != CONNECTION_OK) {
		g_free(self->failure);
		self->failure = g_strstrip(g_strdup(self->conn != NULL ? PQerrorMessage(self->conn)
								       : "out of memory"));
		imss_pg_link_disconnect(self);
		self->failed_at = now;
		g_set_error(error, G_IO_ERROR, G_IO_ERROR_NOT_CONNECTED,
			    "the database server cannot be reached: %s", self->failure);
		return FALSE;
	}
	if (self->failed_at != 0)
		g_message("the database server can be reached again");
	self->failed_at = 0;
	return TRUE;
}

/* one round trip; FALSE with @error when the link itself failed */
static gboolean
imss_pg_link_query(ImssPgLink *self, gint pid, gboolean *alive, GError **error)
{
	g_autofree gchar *pid_str = g_strdup_printf("%d", pid);
	const gchar *params[] = {pid_str};
	PGresult *res = PQexecParams(self->conn,
				     "SELECT EXISTS (SELECT 1 FROM pg_stat_activity WHERE pid = $1::int)",
				     1,
				     NULL,
				     params,
				     NULL,
				     NULL,
				     0);
	gboolean ok = PQresultStatus(res) == PGRES_TUPLES_OK && PQntuples(res) == 1;
	if (ok)
		*alive = g_strcmp0(PQgetvalue(res, 0, 0), "t") == 0;
	else
		g_set_error(error, G_IO_ERROR, G_IO_ERROR_NOT_CONNECTED,
			    "the database server does not answer: %s", PQerrorMessage(self->conn));
	PQclear(res);
	return ok;
}

gboolean
imss_pg_link_backend_alive(ImssPgLink *self, gint pid, GError **error)
{
	g_autoptr(GError) error_local = NULL;
	gboolean alive = FALSE;

	g_return_val_if_fail(IMSS_IS_PG_LINK(self), FALSE);
	g_return_val_if_fail(error == NULL || *error == NULL, FALSE);
	if (!imss_pg_link_connect(self, error))
		return FALSE;
	if (imss_pg_link_query(self, pid, &alive, &error_local))
		return alive;
	/* the link died (a restart of the server, or only the link): a new
	 * one asks again, and tells whether the server is back */
	g_info("the database link was lost: %s", error_local->message);
	imss_pg_link_disconnect(self);
	if (!imss_pg_link_connect(self, error))
		return FALSE;
	g_clear_error(&error_local);
	if (imss_pg_link_query(self, pid, &alive, &error_local))
		return alive;
	g_propagate_error(error, g_steal_pointer(&error_local));
	imss_pg_link_disconnect(self);
	return FALSE;
}

void
imss_pg_link_forget_failure(ImssPgLink *self)
{
	g_return_if_fail(IMSS_IS_PG_LINK(self));
	self->failed_at = 0;
}

static void
imss_pg_link_finalize(GObject *obj)
{
	ImssPgLink *self = IMSS_PG_LINK(obj);
	imss_pg_link_disconnect(self);
	g_ptr_array_unref(self->keywords);
	g_ptr_array_unref(self->values);
	g_free(self->failure);
	G_OBJECT_CLASS(imss_pg_link_parent_class)->finalize(obj);
}

static void
imss_pg_link_class_init(ImssPgLinkClass *klass)
{
	G_OBJECT_CLASS(klass)->finalize = imss_pg_link_finalize;
}

static void
imss_pg_link_init(ImssPgLink *self)
{
	self->keywords = g_ptr_array_new_with_free_func(g_free);
	self->values = g_ptr_array_new_with_free_func(g_free);
}

void
imss_pg_params_add_from_gda(GPtrArray *keywords,
			    GPtrArray *values,
			    const gchar *cnc,
			    const gchar *auth,
			    const gchar *application_name)
{
	GdaQuarkList *ql = NULL;
	const struct {
		const gchar *gda;
		const gchar *pq;
	} keys[] = {{"HOST", "host"}, {"HOSTADDR", "hostaddr"}, {"PORT", "port"}, {"DB_NAME", "dbname"}};

	g_return_if_fail(keywords != NULL && values != NULL && cnc != NULL);
#define ADD(k, v)                                                                                  \
	if ((v) != NULL) {                                                                         \
		g_ptr_array_add(keywords, g_strdup(k));                                            \
		g_ptr_array_add(values, g_strdup(v));                                              \
	}
	/* the libgda keys the PostgreSQL provider knows, as libpq's */
	ql = gda_quark_list_new_from_string(cnc);
	for (guint i = 0; i < G_N_ELEMENTS(keys); i++)
		ADD(keys[i].pq, gda_quark_list_find(ql, keys[i].gda));
	if (g_strcmp0(gda_quark_list_find(ql, "USE_SSL"), "TRUE") == 0)
		ADD("sslmode", "require");
	gda_quark_list_free(ql);
	if (auth != NULL) {
		ql = gda_quark_list_new_from_string(auth);
		ADD("user", gda_quark_list_find(ql, "USERNAME"));
		ADD("password", gda_quark_list_find(ql, "PASSWORD"));
		gda_quark_list_protect_values(ql);
		gda_quark_list_free(ql);
	}
	ADD("connect_timeout", IMSS_PG_LINK_CONNECT_TIMEOUT);
	ADD("application_name", application_name);
#undef ADD
	g_ptr_array_add(keywords, NULL);
	g_ptr_array_add(values, NULL);
}

ImssPgLink *
imss_pg_link_new(const gchar *cnc, const gchar *auth)
{
	ImssPgLink *self;
	g_return_val_if_fail(cnc != NULL, NULL);
	self = g_object_new(IMSS_TYPE_PG_LINK, NULL);
	imss_pg_params_add_from_gda(self->keywords, self->values, cnc, auth, "imss-licensed (link)");
	return self;
}
