/*
 * libpq, opened on first use (GModule) instead of linked: linked, the
 * dynamic linker maps it and its libraries (Kerberos, LDAP, SASL, OpenSSL)
 * into every start, also of a gateway whose store is SQLite
 * (docs/lean.md). Include this instead of <libpq-fe.h>: the PQ… names used
 * here call through the table once imss_pq_load() succeeded.
 */
#pragma once

#include <glib.h>
#include <libpq-fe.h>

G_BEGIN_DECLS

typedef struct {
	PGconn *(*connectdbParams)(const char *const *keywords, const char *const *values, int expand);
	void (*finish)(PGconn *conn);
	ConnStatusType (*status)(const PGconn *conn);
	char *(*errorMessage)(const PGconn *conn);
	PGresult *(*exec)(PGconn *conn, const char *query);
	PGresult *(*execParams)(PGconn *conn, const char *command, int nParams, const Oid *paramTypes,
				const char *const *paramValues, const int *paramLengths,
				const int *paramFormats, int resultFormat);
	ExecStatusType (*resultStatus)(const PGresult *res);
	int (*ntuples)(const PGresult *res);
	char *(*getvalue)(const PGresult *res, int tup_num, int field_num);
	void (*clear)(PGresult *res);
	int (*consumeInput)(PGconn *conn);
	PGnotify *(*notifies)(PGconn *conn);
	void (*freemem)(void *ptr);
	int (*setnonblocking)(PGconn *conn, int arg);
	int (*socket)(const PGconn *conn);
} ImssPq;

extern ImssPq imss_pq_fn;

/* opens libpq once; FALSE with @error when it cannot be */
gboolean
imss_pq_load(GError **error);

#define PQconnectdbParams imss_pq_fn.connectdbParams
#define PQfinish	  imss_pq_fn.finish
#define PQstatus	  imss_pq_fn.status
#define PQerrorMessage	  imss_pq_fn.errorMessage
#define PQexec		  imss_pq_fn.exec
#define PQexecParams	  imss_pq_fn.execParams
#define PQresultStatus	  imss_pq_fn.resultStatus
#define PQntuples	  imss_pq_fn.ntuples
#define PQgetvalue	  imss_pq_fn.getvalue
#define PQclear		  imss_pq_fn.clear
#define PQconsumeInput	  imss_pq_fn.consumeInput
#define PQnotifies	  imss_pq_fn.notifies
#define PQfreemem	  imss_pq_fn.freemem
#define PQsetnonblocking  imss_pq_fn.setnonblocking
#define PQsocket	  imss_pq_fn.socket

G_END_DECLS
