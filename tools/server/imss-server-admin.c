/*
 * The admin interface of imss-license-server (see imss-server-admin.h).
 */
#include "config.h"

#define G_LOG_DOMAIN "ImssLicenseServer"

#include <string.h>

#include "imss-date.h"
#include "imss-server-admin.h"
#include "imss-server-http.h"

typedef gboolean (*ServerAdminFunc)(ImssServer *server, JsonObject *obj, GError **error);

/* a required member holding a valid code: the canonical form and its fields */
static gboolean
server_admin_code(JsonObject *obj,
		  const gchar *name,
		  gchar **canonical,
		  ImssCodeInfo *info,
		  GError **error)
{
	const gchar *code = NULL;

	if (!server_http_get_string(obj, name, FALSE, &code, error))
		return FALSE;
	if (code == NULL) {
		g_set_error(error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA, "“%s” is missing", name);
		return FALSE;
	}
	if (!imss_code_parse(code, strlen(code), info, canonical, NULL)) {
		g_set_error(error,
			    G_IO_ERROR,
			    G_IO_ERROR_INVALID_DATA,
			    "“%s” is not a valid activation code",
			    name);
		return FALSE;
	}
	return TRUE;
}

/* a date member; *present is FALSE when an optional one is absent or null */
static gboolean
server_admin_date(JsonObject *obj,
		  const gchar *name,
		  gboolean required,
		  gboolean *present,
		  GDate *date,
		  GError **error)
{
	const gchar *str = NULL;

	*present = FALSE;
	if (!server_http_get_string(obj, name, !required, &str, error))
		return FALSE;
	if (str == NULL) {
		if (!required)
			return TRUE;
		g_set_error(error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA, "“%s” is missing", name);
		return FALSE;
	}
	if (!imss_date_parse(str, date)) {
		g_set_error(error,
			    G_IO_ERROR,
			    G_IO_ERROR_INVALID_DATA,
			    "“%s” must be a date YYYY-MM-DD",
			    name);
		return FALSE;
	}
	*present = TRUE;
	return TRUE;
}

static gboolean
server_admin_renew(ImssServer *server, JsonObject *obj, GError **error)
{
	g_autofree gchar *canonical = NULL;
	ImssCodeInfo info;
	GDate expiry;
	GDate effective;
	gboolean present;
	gboolean has_effective;

	if (!server_admin_code(obj, "code", &canonical, &info, error))
		return FALSE;
	if (!server_admin_date(obj, "expiry", TRUE, &present, &expiry, error))
		return FALSE;
	if (!server_admin_date(obj, "effective", FALSE, &has_effective, &effective, error))
		return FALSE;
	server_registry_renew(server->registry,
			      canonical,
			      &info,
			      &expiry,
			      has_effective ? &effective : NULL);
	return TRUE;
}

static gboolean
server_admin_replace(ImssServer *server, JsonObject *obj, GError **error)
{
	g_autofree gchar *canonical = NULL;
	g_autofree gchar *new_canonical = NULL;
	ImssCodeInfo info;
	ImssCodeInfo new_info;

	if (!server_admin_code(obj, "code", &canonical, &info, error))
		return FALSE;
	if (!server_admin_code(obj, "new_code", &new_canonical, &new_info, error))
		return FALSE;
	return server_registry_replace(server->registry,
				       canonical,
				       &info,
				       new_canonical,
				       &new_info,
				       error);
}

static gboolean
server_admin_suspend(ImssServer *server, JsonObject *obj, GError **error)
{
	g_autofree gchar *canonical = NULL;
	ImssCodeInfo info;

	if (!server_admin_code(obj, "code", &canonical, &info, error))
		return FALSE;
	server_registry_suspend(server->registry, canonical, &info);
	return TRUE;
}

static gboolean
server_admin_fault(ImssServer *server, JsonObject *obj, GError **error)
{
	return server_faults_set(&server->faults, obj, error);
}

static gboolean
server_admin_today(ImssServer *server, JsonObject *obj, GError **error)
{
	const gchar *str = NULL;
	GDate date;

	if (!json_object_has_member(obj, "today")) {
		g_set_error_literal(error,
				    G_IO_ERROR,
				    G_IO_ERROR_INVALID_DATA,
				    "“today” is missing");
		return FALSE;
	}
	if (!server_http_get_string(obj, "today", TRUE, &str, error))
		return FALSE;
	/* null or "": back to the real date */
	if (str == NULL || str[0] == '\0') {
		server_registry_set_today(server->registry, NULL);
		g_info("server date: the real date");
		return TRUE;
	}
	if (!imss_date_parse(str, &date)) {
		g_set_error_literal(error,
				    G_IO_ERROR,
				    G_IO_ERROR_INVALID_DATA,
				    "“today” must be a date YYYY-MM-DD");
		return FALSE;
	}
	server_registry_set_today(server->registry, &date);
	g_info("server date %s", str);
	return TRUE;
}

/* GET /admin/log and POST /admin/reset; FALSE for another @name */
static gboolean
server_admin_handle_bodyless(ImssServer *server,
			     SoupServerMessage *msg,
			     const gchar *name,
			     const gchar *method)
{
	if (g_strcmp0(name, "log") == 0) {
		g_autoptr(JsonNode) root = NULL;

		if (g_strcmp0(method, SOUP_METHOD_GET) != 0 &&
		    g_strcmp0(method, SOUP_METHOD_HEAD) != 0) {
			server_http_set_method_not_allowed(msg, "GET, HEAD");
			return TRUE;
		}
		root = server_log_to_json(server->log);
		server_http_set_json(msg, SOUP_STATUS_OK, root);
		return TRUE;
	}
	if (g_strcmp0(name, "reset") == 0) {
		if (g_strcmp0(method, SOUP_METHOD_POST) != 0) {
			server_http_set_method_not_allowed(msg, "POST");
			return TRUE;
		}
		imss_server_reset(server);
		server_http_set_ok(msg);
		return TRUE;
	}
	return FALSE;
}

/* the POST request @name with a JSON object body */
static ServerAdminFunc
server_admin_lookup(const gchar *name)
{
	static const struct {
		const gchar *name;
		ServerAdminFunc func;
	} posts[] = {
	    {"renew", server_admin_renew},
	    {"replace", server_admin_replace},
	    {"suspend", server_admin_suspend},
	    {"fault", server_admin_fault},
	    {"today", server_admin_today},
	};

	for (guint i = 0; i < G_N_ELEMENTS(posts); i++) {
		if (g_strcmp0(name, posts[i].name) == 0)
			return posts[i].func;
	}
	return NULL;
}

void
server_admin_handle(ImssServer *server, SoupServerMessage *msg, const gchar *path)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(GBytes) body = NULL;
	g_autoptr(JsonObject) obj = NULL;
	const gchar *method;
	const gchar *name;
	ServerAdminFunc func;

	g_return_if_fail(server != NULL);
	g_return_if_fail(SOUP_IS_SERVER_MESSAGE(msg));
	g_return_if_fail(path != NULL);

	method = soup_server_message_get_method(msg);
	name = g_str_has_prefix(path, "/admin/") ? path + strlen("/admin/") : "";

	if (!server_http_peer_is_loopback(msg)) {
		server_http_set_error(msg,
				      SOUP_STATUS_FORBIDDEN,
				      "the admin interface is for loopback clients only");
		return;
	}
	if (server_http_is_too_large(msg)) {
		server_http_set_too_large(msg);
		return;
	}
	if (server_admin_handle_bodyless(server, msg, name, method))
		return;
	func = server_admin_lookup(name);
	if (func == NULL) {
		server_http_set_error(msg, SOUP_STATUS_NOT_FOUND, "no such admin request");
		return;
	}
	if (g_strcmp0(method, SOUP_METHOD_POST) != 0) {
		server_http_set_method_not_allowed(msg, "POST");
		return;
	}
	body = server_http_get_body(msg, &error);
	if (body == NULL) {
		server_http_set_too_large(msg);
		return;
	}
	obj = server_http_parse_object(body, &error);
	if (obj == NULL || !func(server, obj, &error)) {
		server_http_set_error(msg, SOUP_STATUS_BAD_REQUEST, error->message);
		return;
	}
	server_http_set_ok(msg);
}
