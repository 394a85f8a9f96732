#define G_LOG_DOMAIN "ImssPq"

#include "config.h"

#include <gio/gio.h>
#include <gmodule.h>

#include "imss-pq.h"

ImssPq imss_pq_fn;

/* the ABI the headers we were built with describe */
#define IMSS_PQ_SONAME "libpq.so.5"

gboolean
imss_pq_load(GError **error)
{
	static gsize once = 0;
	static gchar *failure = NULL;

	g_return_val_if_fail(error == NULL || *error == NULL, FALSE);
	if (g_once_init_enter(&once)) {
		struct {
			const gchar *name;
			gpointer *fn;
		} symbols[] = {
		    {"PQconnectdbParams", (gpointer *)&imss_pq_fn.connectdbParams},
		    {"PQfinish", (gpointer *)&imss_pq_fn.finish},
		    {"PQstatus", (gpointer *)&imss_pq_fn.status},
		    {"PQerrorMessage", (gpointer *)&imss_pq_fn.errorMessage},
		    {"PQexec", (gpointer *)&imss_pq_fn.exec},
		    {"PQexecParams", (gpointer *)&imss_pq_fn.execParams},
		    {"PQresultStatus", (gpointer *)&imss_pq_fn.resultStatus},
		    {"PQntuples", (gpointer *)&imss_pq_fn.ntuples},
		    {"PQgetvalue", (gpointer *)&imss_pq_fn.getvalue},
		    {"PQclear", (gpointer *)&imss_pq_fn.clear},
		    {"PQconsumeInput", (gpointer *)&imss_pq_fn.consumeInput},
		    {"PQnotifies", (gpointer *)&imss_pq_fn.notifies},
		    {"PQfreemem", (gpointer *)&imss_pq_fn.freemem},
		    {"PQsetnonblocking", (gpointer *)&imss_pq_fn.setnonblocking},
		    {"PQsocket", (gpointer *)&imss_pq_fn.socket},
		};
		/* never closed */
		GModule *module = g_module_open(IMSS_PQ_SONAME, G_MODULE_BIND_LOCAL);
		if (module == NULL)
			failure = g_strdup(g_module_error());
		for (guint i = 0; module != NULL && failure == NULL && i < G_N_ELEMENTS(symbols); i++) {
			if (!g_module_symbol(module, symbols[i].name, symbols[i].fn))
				failure = g_strdup(g_module_error());
		}
		g_once_init_leave(&once, 1);
	}
	if (failure != NULL) {
		g_set_error(error, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED, "cannot open %s: %s",
			    IMSS_PQ_SONAME, failure);
		return FALSE;
	}
	return TRUE;
}
