/*
 * ImssClient's methods: the call helper every _async/_finish pair goes
 * through (one table of the methods; the errors converted, the daemon's
 * into IMSS_ERROR, one name to one code), and the methods that only read.
 * Those that change something are in imss-client-actions.c.
 */
#define G_LOG_DOMAIN "ImssLicense"

#include "config.h"

#include "imss-bus.h"
#include "imss-client-private.h"
#include "imss-error.h"
#include "imss-notice-private.h"

/* -- the call helper --------------------------------------------------------- */

/* each method's D-Bus name, and its _async function: the source tag of its
 * tasks, which its _finish function checks */
static const struct {
	const gchar *name;
	gpointer source_tag;
} imss_client_methods[] = {
    [METHOD_ACTIVATE] = {"Activate", imss_client_activate_async},
    [METHOD_UPDATE_STATUS] = {"UpdateStatus", imss_client_update_async},
    [METHOD_APPLY_PROFILE] = {"ApplyProfile", imss_client_apply_profile_async},
    [METHOD_DIAGNOSE] = {"Diagnose", imss_client_diagnose_async},
    [METHOD_GET_NOTICES] = {"GetNotices", imss_client_get_notices_async},
    [METHOD_LIST_EVENTS] = {"ListEvents", imss_client_list_events_async},
    [METHOD_GET_HISTORY] = {"GetHistory", imss_client_get_history_async},
    [METHOD_GET_HISTORY_PAGE] = {"GetHistoryPage", imss_client_get_history_page_async},
    [METHOD_LIST_NODES] = {"ListNodes", imss_client_list_nodes_async},
    [METHOD_GET_CLOCK] = {"GetClock", imss_client_get_clock_async},
    [METHOD_RESTART_SERVICES] = {"RestartServices", imss_client_restart_services_async},
    [METHOD_BIND_CLICK_PROTECTION] = {"BindClickProtection",
				      imss_client_bind_click_protection_async},
    [METHOD_RELEASE_CLICK_PROTECTION] = {"ReleaseClickProtection",
					 imss_client_release_click_protection_async},
    [METHOD_SET_INACTIVE_NOTICES_HIDDEN] = {"SetInactiveNoticesHidden",
					    imss_client_set_inactive_notices_hidden_async},
    [METHOD_SET_SETTINGS] = {"SetSettings", imss_client_set_settings_async},
    [METHOD_TEST_MAIL] = {"TestMail", imss_client_test_mail_async},
};

static void
imss_client_call_cb(GObject *source, GAsyncResult *res, gpointer user_data)
{
	g_autoptr(GTask) task = G_TASK(user_data);
	GError *error = NULL;
	GVariant *reply = g_dbus_proxy_call_finish(G_DBUS_PROXY(source), res, &error);

	if (reply == NULL) {
		/* the daemon's names are IMSS_ERROR codes now; the message
		 * loses its "GDBus.Error:<name>: " prefix */
		imss_error_strip_remote(error);
		g_task_return_error(task, error);
		return;
	}
	g_task_return_pointer(task, reply, (GDestroyNotify)g_variant_unref);
}

/* a task for @method of @self */
static GTask *
imss_client_task(ImssClient *self,
		 ImssClientMethod method,
		 GCancellable *cancellable,
		 GAsyncReadyCallback callback,
		 gpointer user_data)
{
	GTask *task = g_task_new(self, cancellable, callback, user_data);
	g_task_set_source_tag(task, imss_client_methods[method].source_tag);
	return task;
}

/* Calls @method with @params (floating, or NULL for none); @task (taken)
 * gets the reply (a GVariant) or the error, converted. */
static void
imss_client_call(ImssClient *self,
		 ImssClientMethod method,
		 GVariant *params,
		 GCancellable *cancellable,
		 GTask *task)
{
	GDBusCallFlags flags = G_DBUS_CALL_FLAGS_NONE;
	g_autoptr(GVariant) owned = params != NULL ? g_variant_ref_sink(params) : NULL;

	if (self->flags & IMSS_CLIENT_FLAGS_DO_NOT_AUTO_START) {
		flags |= G_DBUS_CALL_FLAGS_NO_AUTO_START;
		/* GDBusProxy says G_IO_ERROR_FAILED: say what the bus says */
		if (!imss_client_get_daemon_running(self)) {
			g_task_return_new_error(task,
						G_DBUS_ERROR,
						G_DBUS_ERROR_SERVICE_UNKNOWN,
						"The name %s is not owned",
						IMSS_BUS_NAME);
			g_object_unref(task);
			return;
		}
	}
	if (self->flags & IMSS_CLIENT_FLAGS_ALLOW_INTERACTIVE_AUTHORIZATION)
		flags |= G_DBUS_CALL_FLAGS_ALLOW_INTERACTIVE_AUTHORIZATION;
	g_dbus_proxy_call(G_DBUS_PROXY(self->manager),
			  imss_client_methods[method].name,
			  owned,
			  flags,
			  IMSS_CLIENT_CALL_TIMEOUT_MS,
			  cancellable,
			  imss_client_call_cb,
			  task);
}

void
imss_client_start(ImssClient *self,
		  ImssClientMethod method,
		  GVariant *params,
		  GCancellable *cancellable,
		  GAsyncReadyCallback callback,
		  gpointer user_data)
{
	/* not leaked when a check fails */
	g_autoptr(GVariant) owned = params != NULL ? g_variant_ref_sink(params) : NULL;

	g_return_if_fail(IMSS_IS_CLIENT(self));
	g_return_if_fail(cancellable == NULL || G_IS_CANCELLABLE(cancellable));
	imss_client_call(self,
			 method,
			 owned,
			 cancellable,
			 imss_client_task(self, method, cancellable, callback, user_data));
}

/* the whole reply of a call of @method, or NULL with @error */
GVariant *
imss_client_reply(ImssClient *self, GAsyncResult *result, ImssClientMethod method, GError **error)
{
	g_return_val_if_fail(IMSS_IS_CLIENT(self), NULL);
	g_return_val_if_fail(g_task_is_valid(result, self), NULL);
	g_return_val_if_fail(
	    g_task_get_source_tag(G_TASK(result)) == imss_client_methods[method].source_tag, NULL);
	return g_task_propagate_pointer(G_TASK(result), error);
}

/* the single value of a reply, or NULL with @error */
GVariant *
imss_client_reply_value(ImssClient *self,
			GAsyncResult *result,
			ImssClientMethod method,
			GError **error)
{
	g_autoptr(GVariant) reply = imss_client_reply(self, result, method, error);
	if (reply == NULL)
		return NULL;
	return g_variant_get_child_value(reply, 0);
}

/* the single string of a reply, or NULL with @error */
gchar *
imss_client_reply_string(ImssClient *self,
			 GAsyncResult *result,
			 ImssClientMethod method,
			 GError **error)
{
	g_autoptr(GVariant) value = imss_client_reply_value(self, result, method, error);
	if (value == NULL)
		return NULL;
	return g_variant_dup_string(value, NULL);
}

/* whether a call without a reply value succeeded, FALSE with @error */
gboolean
imss_client_reply_ok(ImssClient *self,
		     GAsyncResult *result,
		     ImssClientMethod method,
		     GError **error)
{
	g_autoptr(GVariant) reply = imss_client_reply(self, result, method, error);
	return reply != NULL;
}

/* -- Diagnose ---------------------------------------------------------------- */

/**
 * imss_client_diagnose_async:
 * @self: a client
 * @slot_id: the slot
 * @language: (nullable): the language of the texts; %NULL for
 *   #ImssClient:language
 * @cancellable: (nullable): a #GCancellable
 * @callback: called when done
 * @user_data: data for @callback
 *
 * "I renewed but the expiry did not change" (SPEC §10 Q5). Root only (bus
 * policy): it may contact the license server.
 */
void
imss_client_diagnose_async(ImssClient *self,
			   const gchar *slot_id,
			   const gchar *language,
			   GCancellable *cancellable,
			   GAsyncReadyCallback callback,
			   gpointer user_data)
{
	GVariant *params;

	/* before the language is read from @self */
	g_return_if_fail(IMSS_IS_CLIENT(self));
	g_return_if_fail(slot_id != NULL && g_utf8_validate(slot_id, -1, NULL));
	params = g_variant_new("(ss)", slot_id, imss_client_effective_language(self, language));
	imss_client_start(self, METHOD_DIAGNOSE, params, cancellable, callback, user_data);
}

/**
 * imss_client_diagnose_finish:
 * @self: a client
 * @result: the result passed to the callback
 * @error: return location for a #GError
 *
 * Returns: (transfer full): the diagnosis, the `a{sv}` the D-Bus API
 *   documents ("findings", "action", "finding_ids", "action_id", …), or
 *   %NULL with @error
 */
GVariant *
imss_client_diagnose_finish(ImssClient *self, GAsyncResult *result, GError **error)
{
	return imss_client_reply_value(self, result, METHOD_DIAGNOSE, error);
}

/* -- GetNotices -------------------------------------------------------------- */

/**
 * imss_client_get_notices_async:
 * @self: a client
 * @language: (nullable): the language of the texts; %NULL for
 *   #ImssClient:language
 * @cancellable: (nullable): a #GCancellable
 * @callback: called when done
 * @user_data: data for @callback
 *
 * Reads the current console notices (SPEC §9.1), most severe first.
 */
void
imss_client_get_notices_async(ImssClient *self,
			      const gchar *language,
			      GCancellable *cancellable,
			      GAsyncReadyCallback callback,
			      gpointer user_data)
{
	GTask *task;

	g_return_if_fail(IMSS_IS_CLIENT(self));
	g_return_if_fail(cancellable == NULL || G_IS_CANCELLABLE(cancellable));
	/* the _finish function renders the texts in the language asked for */
	language = imss_client_effective_language(self, language);
	task = imss_client_task(self, METHOD_GET_NOTICES, cancellable, callback, user_data);
	g_task_set_task_data(task, g_strdup(language), g_free);
	imss_client_call(self,
			 METHOD_GET_NOTICES,
			 g_variant_new("(s)", language),
			 cancellable,
			 task);
}

/**
 * imss_client_get_notices_finish:
 * @self: a client
 * @result: the result passed to the callback
 * @error: return location for a #GError
 *
 * Returns: (transfer container) (element-type ImssNotice): the notices, or
 *   %NULL with @error
 */
GPtrArray *
imss_client_get_notices_finish(ImssClient *self, GAsyncResult *result, GError **error)
{
	const gchar *language = g_task_get_task_data(G_TASK(result));
	g_autoptr(GVariant) list = imss_client_reply_value(self,
							   result,
							   METHOD_GET_NOTICES,
							   error);
	g_autoptr(GPtrArray) notices = g_ptr_array_new_with_free_func(g_object_unref);
	GVariantIter iter;
	GVariant *fields;

	if (list == NULL)
		return NULL;
	g_variant_iter_init(&iter, list);
	while ((fields = g_variant_iter_next_value(&iter)) != NULL) {
		const gchar *text = NULL;
		ImssNotice *notice;
		g_variant_lookup(fields, "text", "&s", &text);
		notice = imss_notice_new(fields, text, language);
		if (notice != NULL)
			g_ptr_array_add(notices, notice);
		else
			g_debug("ignoring a notice this library cannot read");
		g_variant_unref(fields);
	}
	return g_steal_pointer(&notices);
}

/* -- ListEvents, GetHistory, GetHistoryPage, ListNodes, GetClock --------------- */

/**
 * imss_client_list_events_async:
 * @self: a client
 * @days: how far ahead to look: 0 means 90, at most 3660
 * @cancellable: (nullable): a #GCancellable
 * @callback: called when done
 * @user_data: data for @callback
 *
 * Reads the upcoming scheduled events of every activated slot (SPEC §5.1).
 */
void
imss_client_list_events_async(ImssClient *self,
			      guint days,
			      GCancellable *cancellable,
			      GAsyncReadyCallback callback,
			      gpointer user_data)
{
	GVariant *params = g_variant_new("(u)", days);
	imss_client_start(self, METHOD_LIST_EVENTS, params, cancellable, callback, user_data);
}

/**
 * imss_client_list_events_finish:
 * @self: a client
 * @result: the result passed to the callback
 * @error: return location for a #GError
 *
 * Returns: (transfer full): the events in time order, `aa{sv}` ("time",
 *   "date", "slot", "kind", "offset"), or %NULL with @error
 */
GVariant *
imss_client_list_events_finish(ImssClient *self, GAsyncResult *result, GError **error)
{
	return imss_client_reply_value(self, result, METHOD_LIST_EVENTS, error);
}

/**
 * imss_client_get_history_async:
 * @self: a client
 * @limit: the most recent entries to return: at most 500; 0 means 500
 * @cancellable: (nullable): a #GCancellable
 * @callback: called when done
 * @user_data: data for @callback
 *
 * Reads the newest entries of the history of license changes.
 */
void
imss_client_get_history_async(ImssClient *self,
			      guint limit,
			      GCancellable *cancellable,
			      GAsyncReadyCallback callback,
			      gpointer user_data)
{
	GVariant *params = g_variant_new("(u)", limit);
	imss_client_start(self, METHOD_GET_HISTORY, params, cancellable, callback, user_data);
}

/**
 * imss_client_get_history_finish:
 * @self: a client
 * @result: the result passed to the callback
 * @error: return location for a #GError
 *
 * Returns: (transfer full): the entries, newest first, `aa{sv}` ("time",
 *   "action", "slot", "code" (masked), "caller", "outcome", "detail",
 *   "node"), or %NULL with @error
 */
GVariant *
imss_client_get_history_finish(ImssClient *self, GAsyncResult *result, GError **error)
{
	return imss_client_reply_value(self, result, METHOD_GET_HISTORY, error);
}

/**
 * imss_client_get_history_page_async:
 * @self: a client
 * @offset: how many of the newest entries to skip
 * @limit: the most entries to return: 0 means 100, at most 500
 * @cancellable: (nullable): a #GCancellable
 * @callback: called when done
 * @user_data: data for @callback
 *
 * Reads one page of the history, for paging through all of it.
 */
void
imss_client_get_history_page_async(ImssClient *self,
				   guint offset,
				   guint limit,
				   GCancellable *cancellable,
				   GAsyncReadyCallback callback,
				   gpointer user_data)
{
	GVariant *params = g_variant_new("(uu)", offset, limit);
	imss_client_start(self, METHOD_GET_HISTORY_PAGE, params, cancellable, callback, user_data);
}

/**
 * imss_client_get_history_page_finish:
 * @self: a client
 * @result: the result passed to the callback
 * @total: (out) (optional): how many entries the history holds
 * @error: return location for a #GError
 *
 * Returns: (transfer full): the entries, as for
 *   imss_client_get_history_finish(), or %NULL with @error
 */
GVariant *
imss_client_get_history_page_finish(ImssClient *self,
				    GAsyncResult *result,
				    guint *total,
				    GError **error)
{
	g_autoptr(GVariant) reply =
	    imss_client_reply(self, result, METHOD_GET_HISTORY_PAGE, error);
	GVariant *entries = NULL;
	guint n = 0;

	if (reply == NULL)
		return NULL;
	g_variant_get(reply, "(@aa{sv}u)", &entries, &n);
	if (total != NULL)
		*total = n;
	return entries;
}

/**
 * imss_client_list_nodes_async:
 * @self: a client
 * @cancellable: (nullable): a #GCancellable
 * @callback: called when done
 * @user_data: data for @callback
 *
 * Reads the gateways sharing this license database (a fleet).
 */
void
imss_client_list_nodes_async(ImssClient *self,
			     GCancellable *cancellable,
			     GAsyncReadyCallback callback,
			     gpointer user_data)
{
	imss_client_start(self, METHOD_LIST_NODES, NULL, cancellable, callback, user_data);
}

/**
 * imss_client_list_nodes_finish:
 * @self: a client
 * @result: the result passed to the callback
 * @error: return location for a #GError
 *
 * Returns: (transfer full): the nodes, `aa{sv}` ("name", "this", "started",
 *   "last-seen", "clock-skew", "last-job", "last-job-at"), or %NULL with @error
 */
GVariant *
imss_client_list_nodes_finish(ImssClient *self, GAsyncResult *result, GError **error)
{
	return imss_client_reply_value(self, result, METHOD_LIST_NODES, error);
}

/**
 * imss_client_get_clock_async:
 * @self: a client
 * @cancellable: (nullable): a #GCancellable
 * @callback: called when done
 * @user_data: data for @callback
 *
 * Reads the daemon's view of the time; also updates #ImssClient:today and
 * the days left of the slots.
 */
void
imss_client_get_clock_async(ImssClient *self,
			    GCancellable *cancellable,
			    GAsyncReadyCallback callback,
			    gpointer user_data)
{
	imss_client_start(self, METHOD_GET_CLOCK, NULL, cancellable, callback, user_data);
}

/**
 * imss_client_get_clock_finish:
 * @self: a client
 * @result: the result passed to the callback
 * @error: return location for a #GError
 *
 * Returns: (transfer full): the clock, `a{sv}` ("now", "today", "zone",
 *   "virtual"), or %NULL with @error (%G_IO_ERROR_INVALID_DATA when the
 *   record is malformed)
 */
GVariant *
imss_client_get_clock_finish(ImssClient *self, GAsyncResult *result, GError **error)
{
	g_autoptr(GVariant) clock = imss_client_reply_value(self, result, METHOD_GET_CLOCK, error);

	if (clock == NULL || !imss_client_take_clock(self, clock, error))
		return NULL;
	return g_steal_pointer(&clock);
}
