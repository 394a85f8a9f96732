/*
 * ImssClient's methods: each method of org.imss.License as an
 * _async/_finish pair, through one call helper that converts the errors
 * (the daemon's into IMSS_ERROR, one name to one code).
 */
#define G_LOG_DOMAIN "ImssLicense"

#include "config.h"

#include "imss-bus.h"
#include "imss-client-private.h"
#include "imss-error.h"
#include "imss-notice-private.h"

/* -- the call helper --------------------------------------------------------- */

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

void
imss_client_call(ImssClient *self,
		 const gchar *method,
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
			  method,
			  owned,
			  flags,
			  IMSS_CLIENT_CALL_TIMEOUT_MS,
			  cancellable,
			  imss_client_call_cb,
			  task);
}

/* a task for a method of @self */
static GTask *
imss_client_task(ImssClient *self,
		 gpointer source_tag,
		 GCancellable *cancellable,
		 GAsyncReadyCallback callback,
		 gpointer user_data)
{
	GTask *task = g_task_new(self, cancellable, callback, user_data);
	g_task_set_source_tag(task, source_tag);
	return task;
}

/* the whole reply of a call, or NULL with @error */
static GVariant *
imss_client_reply(ImssClient *self, GAsyncResult *result, gpointer source_tag, GError **error)
{
	g_return_val_if_fail(IMSS_IS_CLIENT(self), NULL);
	g_return_val_if_fail(g_task_is_valid(result, self), NULL);
	g_return_val_if_fail(g_task_get_source_tag(G_TASK(result)) == source_tag, NULL);
	return g_task_propagate_pointer(G_TASK(result), error);
}

/* the single value of a reply, or NULL with @error */
static GVariant *
imss_client_reply_value(ImssClient *self, GAsyncResult *result, gpointer source_tag, GError **error)
{
	g_autoptr(GVariant) reply = imss_client_reply(self, result, source_tag, error);
	if (reply == NULL)
		return NULL;
	return g_variant_get_child_value(reply, 0);
}

/* the single string of a reply, or NULL with @error */
static gchar *
imss_client_reply_string(ImssClient *self, GAsyncResult *result, gpointer source_tag, GError **error)
{
	g_autoptr(GVariant) value = imss_client_reply_value(self, result, source_tag, error);
	if (value == NULL)
		return NULL;
	return g_variant_dup_string(value, NULL);
}

/* a method without arguments */
static void
imss_client_call_simple(ImssClient *self,
			const gchar *method,
			gpointer source_tag,
			GCancellable *cancellable,
			GAsyncReadyCallback callback,
			gpointer user_data)
{
	g_return_if_fail(IMSS_IS_CLIENT(self));
	g_return_if_fail(cancellable == NULL || G_IS_CANCELLABLE(cancellable));
	imss_client_call(self,
			 method,
			 NULL,
			 cancellable,
			 imss_client_task(self, source_tag, cancellable, callback, user_data));
}

/* -- Activate ---------------------------------------------------------------- */

/**
 * imss_client_activate_async:
 * @self: a client
 * @slot_id: the slot: cloud-prefilter, antivirus, antispam,
 *   email-reputation, email-encryption or compliance
 * @code: the activation code, in any letter case, with or without dashes
 * @cancellable: (nullable): a #GCancellable
 * @callback: called when done
 * @user_data: data for @callback
 *
 * Registers an activation code (SPEC §6); activating antispam also
 * activates email-reputation. Needs the polkit action
 * org.imss.license.activate. Errors: %IMSS_ERROR_UNKNOWN_SLOT,
 * %IMSS_ERROR_INVALID_CODE, %IMSS_ERROR_SLOT_DISABLED,
 * %IMSS_ERROR_CLICK_PROTECTION_BOUND, %IMSS_ERROR_NOT_AUTHORIZED,
 * %IMSS_ERROR_BUSY, %IMSS_ERROR_INTERNAL.
 */
void
imss_client_activate_async(ImssClient *self,
			   const gchar *slot_id,
			   const gchar *code,
			   GCancellable *cancellable,
			   GAsyncReadyCallback callback,
			   gpointer user_data)
{
	g_return_if_fail(IMSS_IS_CLIENT(self));
	g_return_if_fail(slot_id != NULL && g_utf8_validate(slot_id, -1, NULL));
	g_return_if_fail(code != NULL && g_utf8_validate(code, -1, NULL));
	g_return_if_fail(cancellable == NULL || G_IS_CANCELLABLE(cancellable));
	imss_client_call(
	    self,
	    "Activate",
	    g_variant_new("(ss)", slot_id, code),
	    cancellable,
	    imss_client_task(self, imss_client_activate_async, cancellable, callback, user_data));
}

/**
 * imss_client_activate_finish:
 * @self: a client
 * @result: the result passed to the callback
 * @error: return location for a #GError
 *
 * Returns: (transfer full): the activated slot, or %NULL with @error
 */
ImssSlot *
imss_client_activate_finish(ImssClient *self, GAsyncResult *result, GError **error)
{
	g_autoptr(GVariant) path = imss_client_reply_value(self, result, imss_client_activate_async, error);
	ImssSlot *slot;

	if (path == NULL)
		return NULL;
	slot = imss_client_lookup_slot_path(self, g_variant_get_string(path, NULL));
	if (slot == NULL) {
		g_set_error(error,
			    G_IO_ERROR,
			    G_IO_ERROR_INVALID_DATA,
			    "the daemon answered with the unknown object %s",
			    g_variant_get_string(path, NULL));
		return NULL;
	}
	return g_object_ref(slot);
}

/* -- UpdateStatus ------------------------------------------------------------ */

/**
 * imss_client_update_async:
 * @self: a client
 * @cancellable: (nullable): a #GCancellable
 * @callback: called when done
 * @user_data: data for @callback
 *
 * Asks the license server about every activated online slot now (SPEC
 * §5.2). Needs org.imss.license.update. Errors:
 * %IMSS_ERROR_SERVER_UNREACHABLE, %IMSS_ERROR_INVALID_ANSWER,
 * %IMSS_ERROR_NOT_AUTHORIZED.
 */
void
imss_client_update_async(ImssClient *self,
			 GCancellable *cancellable,
			 GAsyncReadyCallback callback,
			 gpointer user_data)
{
	imss_client_call_simple(self,
				"UpdateStatus",
				imss_client_update_async,
				cancellable,
				callback,
				user_data);
}

/**
 * imss_client_update_finish:
 * @self: a client
 * @result: the result passed to the callback
 * @error: return location for a #GError
 *
 * Returns: (transfer full): "updated" (an expiry changed and the services
 *   were restarted) or "unchanged", or %NULL with @error
 */
gchar *
imss_client_update_finish(ImssClient *self, GAsyncResult *result, GError **error)
{
	return imss_client_reply_string(self, result, imss_client_update_async, error);
}

/* -- ApplyProfile ------------------------------------------------------------ */

/**
 * imss_client_apply_profile_async:
 * @self: a client
 * @profile: a Control Manager license profile, `a{sv}`: "slot", "code",
 *   "expiry" and optionally "origin" and "issued" (strings)
 * @cancellable: (nullable): a #GCancellable
 * @callback: called when done
 * @user_data: data for @callback
 *
 * Applies a license profile to the active code (SPEC §8). Needs
 * org.imss.license.apply-profile. Errors: %IMSS_ERROR_INVALID_ARGS,
 * %IMSS_ERROR_UNKNOWN_SLOT, %IMSS_ERROR_INVALID_CODE,
 * %IMSS_ERROR_CODE_MISMATCH, %IMSS_ERROR_NOT_AUTHORIZED.
 */
void
imss_client_apply_profile_async(ImssClient *self,
				GVariant *profile,
				GCancellable *cancellable,
				GAsyncReadyCallback callback,
				gpointer user_data)
{
	g_return_if_fail(IMSS_IS_CLIENT(self));
	g_return_if_fail(profile != NULL && g_variant_is_of_type(profile, G_VARIANT_TYPE_VARDICT));
	g_return_if_fail(cancellable == NULL || G_IS_CANCELLABLE(cancellable));
	imss_client_call(self,
			 "ApplyProfile",
			 g_variant_new_tuple(&profile, 1),
			 cancellable,
			 imss_client_task(self,
					  imss_client_apply_profile_async,
					  cancellable,
					  callback,
					  user_data));
}

/**
 * imss_client_apply_profile_finish:
 * @self: a client
 * @result: the result passed to the callback
 * @error: return location for a #GError
 *
 * Returns: (transfer full): "extended", "changed" or "unchanged", or %NULL
 *   with @error
 */
gchar *
imss_client_apply_profile_finish(ImssClient *self, GAsyncResult *result, GError **error)
{
	return imss_client_reply_string(self, result, imss_client_apply_profile_async, error);
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
	g_return_if_fail(IMSS_IS_CLIENT(self));
	g_return_if_fail(slot_id != NULL && g_utf8_validate(slot_id, -1, NULL));
	g_return_if_fail(cancellable == NULL || G_IS_CANCELLABLE(cancellable));
	imss_client_call(
	    self,
	    "Diagnose",
	    g_variant_new("(ss)", slot_id, imss_client_effective_language(self, language)),
	    cancellable,
	    imss_client_task(self, imss_client_diagnose_async, cancellable, callback, user_data));
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
	return imss_client_reply_value(self, result, imss_client_diagnose_async, error);
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
	task = imss_client_task(self, imss_client_get_notices_async, cancellable, callback, user_data);
	g_task_set_task_data(task,
			     g_strdup(imss_client_effective_language(self, language)),
			     g_free);
	imss_client_call(self,
			 "GetNotices",
			 g_variant_new("(s)", (const gchar *)g_task_get_task_data(task)),
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
							   imss_client_get_notices_async,
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
	g_return_if_fail(IMSS_IS_CLIENT(self));
	g_return_if_fail(cancellable == NULL || G_IS_CANCELLABLE(cancellable));
	imss_client_call(
	    self,
	    "ListEvents",
	    g_variant_new("(u)", days),
	    cancellable,
	    imss_client_task(self, imss_client_list_events_async, cancellable, callback, user_data));
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
	return imss_client_reply_value(self, result, imss_client_list_events_async, error);
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
	g_return_if_fail(IMSS_IS_CLIENT(self));
	g_return_if_fail(cancellable == NULL || G_IS_CANCELLABLE(cancellable));
	imss_client_call(
	    self,
	    "GetHistory",
	    g_variant_new("(u)", limit),
	    cancellable,
	    imss_client_task(self, imss_client_get_history_async, cancellable, callback, user_data));
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
	return imss_client_reply_value(self, result, imss_client_get_history_async, error);
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
	g_return_if_fail(IMSS_IS_CLIENT(self));
	g_return_if_fail(cancellable == NULL || G_IS_CANCELLABLE(cancellable));
	imss_client_call(self,
			 "GetHistoryPage",
			 g_variant_new("(uu)", offset, limit),
			 cancellable,
			 imss_client_task(self,
					  imss_client_get_history_page_async,
					  cancellable,
					  callback,
					  user_data));
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
	    imss_client_reply(self, result, imss_client_get_history_page_async, error);
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
	imss_client_call_simple(self,
				"ListNodes",
				imss_client_list_nodes_async,
				cancellable,
				callback,
				user_data);
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
	return imss_client_reply_value(self, result, imss_client_list_nodes_async, error);
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
	imss_client_call_simple(self,
				"GetClock",
				imss_client_get_clock_async,
				cancellable,
				callback,
				user_data);
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
	g_autoptr(GVariant) clock = imss_client_reply_value(self, result, imss_client_get_clock_async, error);

	if (clock == NULL || !imss_client_take_clock(self, clock, error))
		return NULL;
	return g_steal_pointer(&clock);
}

/* -- RestartServices --------------------------------------------------------- */

/**
 * imss_client_restart_services_async:
 * @self: a client
 * @cancellable: (nullable): a #GCancellable
 * @callback: called when done
 * @user_data: data for @callback
 *
 * Requests again every restart that failed for good, or the restart of the
 * scan and policy services. Needs org.imss.license.restart-services.
 */
void
imss_client_restart_services_async(ImssClient *self,
				   GCancellable *cancellable,
				   GAsyncReadyCallback callback,
				   gpointer user_data)
{
	imss_client_call_simple(self,
				"RestartServices",
				imss_client_restart_services_async,
				cancellable,
				callback,
				user_data);
}

/**
 * imss_client_restart_services_finish:
 * @self: a client
 * @result: the result passed to the callback
 * @error: return location for a #GError
 *
 * Returns: (transfer full) (array zero-terminated=1): the units whose
 *   restart was requested, or %NULL with @error
 */
gchar **
imss_client_restart_services_finish(ImssClient *self, GAsyncResult *result, GError **error)
{
	g_autoptr(GVariant) units =
	    imss_client_reply_value(self, result, imss_client_restart_services_async, error);
	if (units == NULL)
		return NULL;
	return g_variant_dup_strv(units, NULL);
}

/* -- Time-of-Click protection, inactive notices ---------------------------------- */

/**
 * imss_client_bind_click_protection_async:
 * @self: a client
 * @cancellable: (nullable): a #GCancellable
 * @callback: called when done
 * @user_data: data for @callback
 *
 * Binds Time-of-Click protection to the current anti-spam code. Needs
 * org.imss.license.click-protection. Errors: %IMSS_ERROR_INVALID_ARGS
 * (anti-spam is not activated), %IMSS_ERROR_NOT_AUTHORIZED.
 */
void
imss_client_bind_click_protection_async(ImssClient *self,
					GCancellable *cancellable,
					GAsyncReadyCallback callback,
					gpointer user_data)
{
	imss_client_call_simple(self,
				"BindClickProtection",
				imss_client_bind_click_protection_async,
				cancellable,
				callback,
				user_data);
}

/**
 * imss_client_bind_click_protection_finish:
 * @self: a client
 * @result: the result passed to the callback
 * @error: return location for a #GError
 *
 * Returns: %TRUE when bound, %FALSE with @error
 */
gboolean
imss_client_bind_click_protection_finish(ImssClient *self, GAsyncResult *result, GError **error)
{
	g_autoptr(GVariant) reply =
	    imss_client_reply(self, result, imss_client_bind_click_protection_async, error);
	return reply != NULL;
}

/**
 * imss_client_release_click_protection_async:
 * @self: a client
 * @cancellable: (nullable): a #GCancellable
 * @callback: called when done
 * @user_data: data for @callback
 *
 * Removes the Time-of-Click protection binding. Needs
 * org.imss.license.click-protection.
 */
void
imss_client_release_click_protection_async(ImssClient *self,
					   GCancellable *cancellable,
					   GAsyncReadyCallback callback,
					   gpointer user_data)
{
	imss_client_call_simple(self,
				"ReleaseClickProtection",
				imss_client_release_click_protection_async,
				cancellable,
				callback,
				user_data);
}

/**
 * imss_client_release_click_protection_finish:
 * @self: a client
 * @result: the result passed to the callback
 * @released: (out) (optional): whether a binding existed and was removed
 * @error: return location for a #GError
 *
 * Returns: %TRUE on success, %FALSE with @error
 */
gboolean
imss_client_release_click_protection_finish(ImssClient *self,
					     GAsyncResult *result,
					     gboolean *released,
					     GError **error)
{
	g_autoptr(GVariant) value =
	    imss_client_reply_value(self, result, imss_client_release_click_protection_async, error);
	if (value == NULL)
		return FALSE;
	if (released != NULL)
		*released = g_variant_get_boolean(value);
	return TRUE;
}

/**
 * imss_client_set_inactive_notices_hidden_async:
 * @self: a client
 * @hidden: %TRUE to hide the notices about inactive optional components,
 *   %FALSE to show them again
 * @cancellable: (nullable): a #GCancellable
 * @callback: called when done
 * @user_data: data for @callback
 *
 * Hides or shows the inactive-component notices; the choice persists.
 * Needs org.imss.license.notices.
 */
void
imss_client_set_inactive_notices_hidden_async(ImssClient *self,
					      gboolean hidden,
					      GCancellable *cancellable,
					      GAsyncReadyCallback callback,
					      gpointer user_data)
{
	g_return_if_fail(IMSS_IS_CLIENT(self));
	g_return_if_fail(cancellable == NULL || G_IS_CANCELLABLE(cancellable));
	imss_client_call(self,
			 "SetInactiveNoticesHidden",
			 g_variant_new("(b)", hidden),
			 cancellable,
			 imss_client_task(self,
					  imss_client_set_inactive_notices_hidden_async,
					  cancellable,
					  callback,
					  user_data));
}

/**
 * imss_client_set_inactive_notices_hidden_finish:
 * @self: a client
 * @result: the result passed to the callback
 * @error: return location for a #GError
 *
 * Returns: %TRUE on success, %FALSE with @error
 */
gboolean
imss_client_set_inactive_notices_hidden_finish(ImssClient *self,
					       GAsyncResult *result,
					       GError **error)
{
	g_autoptr(GVariant) reply =
	    imss_client_reply(self, result, imss_client_set_inactive_notices_hidden_async, error);
	return reply != NULL;
}

/* -- SetSettings, TestMail ---------------------------------------------------- */

/**
 * imss_client_set_settings_async:
 * @self: a client
 * @settings: names and values to set, `a{sv}` as in
 *   imss_client_get_settings(), plus the write-only "mail-password" and
 *   "proxy-password" (s); "" means the default
 * @reset: (array zero-terminated=1) (nullable): names to take from the
 *   configuration file again
 * @cancellable: (nullable): a #GCancellable
 * @callback: called when done
 * @user_data: data for @callback
 *
 * Checks every value, stores them in one transaction and applies them at
 * once. Needs org.imss.license.settings. Errors: %IMSS_ERROR_INVALID_ARGS
 * (naming the setting; nothing is stored), %IMSS_ERROR_BUSY,
 * %IMSS_ERROR_INTERNAL, %IMSS_ERROR_NOT_AUTHORIZED.
 */
void
imss_client_set_settings_async(ImssClient *self,
			       GVariant *settings,
			       const gchar *const *reset,
			       GCancellable *cancellable,
			       GAsyncReadyCallback callback,
			       gpointer user_data)
{
	static const gchar *const none[] = {NULL};

	g_return_if_fail(IMSS_IS_CLIENT(self));
	g_return_if_fail(settings != NULL && g_variant_is_of_type(settings, G_VARIANT_TYPE_VARDICT));
	g_return_if_fail(cancellable == NULL || G_IS_CANCELLABLE(cancellable));
	imss_client_call(self,
			 "SetSettings",
			 g_variant_new("(@a{sv}^as)", settings, reset != NULL ? reset : none),
			 cancellable,
			 imss_client_task(self, imss_client_set_settings_async, cancellable, callback, user_data));
}

/**
 * imss_client_set_settings_finish:
 * @self: a client
 * @result: the result passed to the callback
 * @error: return location for a #GError
 *
 * Returns: %TRUE when the settings were stored and applied, %FALSE with @error
 */
gboolean
imss_client_set_settings_finish(ImssClient *self, GAsyncResult *result, GError **error)
{
	g_autoptr(GVariant) reply = imss_client_reply(self, result, imss_client_set_settings_async, error);
	return reply != NULL;
}

/**
 * imss_client_test_mail_async:
 * @self: a client
 * @cancellable: (nullable): a #GCancellable
 * @callback: called when done
 * @user_data: data for @callback
 *
 * Sends one test mail to the recipients of the expiry mails now. Needs
 * org.imss.license.settings. Errors: %IMSS_ERROR_INVALID_ARGS (no
 * recipient or SMTP server), %IMSS_ERROR_SERVER_UNREACHABLE (the SMTP
 * server refused or could not be reached), %IMSS_ERROR_NOT_AUTHORIZED.
 */
void
imss_client_test_mail_async(ImssClient *self,
			    GCancellable *cancellable,
			    GAsyncReadyCallback callback,
			    gpointer user_data)
{
	imss_client_call_simple(self,
				"TestMail",
				imss_client_test_mail_async,
				cancellable,
				callback,
				user_data);
}

/**
 * imss_client_test_mail_finish:
 * @self: a client
 * @result: the result passed to the callback
 * @error: return location for a #GError
 *
 * Returns: (transfer full): what the SMTP server accepted ("sent to 2
 *   recipient(s)"), or %NULL with @error
 */
gchar *
imss_client_test_mail_finish(ImssClient *self, GAsyncResult *result, GError **error)
{
	return imss_client_reply_string(self, result, imss_client_test_mail_async, error);
}
