#define G_LOG_DOMAIN "ImssDaemon"

#include "config.h"

#include "imss-bus.h"
#include "imss-catalog.h"
#include "imss-daemon.h"
#include "imss-date.h"
#include "imss-doctor-text.h"
#include "imss-error.h"
#include "imss-generated.h"
#include "imss-notice.h"
#include "imss-polkit.h"
#include "imss-records.h"
#include "imss-slot.h"
#include "imss-validate.h"

#define IMSS_EVENTS_MAX	 1000 /* ListEvents answers at most this many */

struct _ImssDaemon {
	GObject parent_instance;
	ImssLicenseManager *manager;
	ImssPolkit *polkit;
	GDBusConnection *connection;
	ImssExportedManager *skeleton;
	GDBusObjectManagerServer *object_manager;
	ImssExportedSlot *slots[IMSS_SLOT_LAST];
	ImssExportedVirtualClock *virtual_clock; /* --virtual-clock only */
	gint64 started_at;
	guint owner_id;
};

enum { SIGNAL_LOST, SIGNAL_ACQUIRED, SIGNAL_LAST };
static guint signals[SIGNAL_LAST] = {0};

G_DEFINE_TYPE(ImssDaemon, imss_daemon, G_TYPE_OBJECT)

/* -- errors at the boundary ---------------------------------------------- */

/* Our own errors go on the bus as they are; anything else (GIO, libgda) is
 * logged and becomes a generic Internal error, so no internals leak. */
static void
imss_daemon_return_error(GDBusMethodInvocation *invocation, const GError *error)
{
	if (error->domain == IMSS_ERROR) {
		g_dbus_method_invocation_return_gerror(invocation, error);
		return;
	}
	g_warning("%s failed: %s",
		  g_dbus_method_invocation_get_method_name(invocation),
		  error->message);
	g_dbus_method_invocation_return_error_literal(invocation,
						      IMSS_ERROR,
						      IMSS_ERROR_INTERNAL,
						      imss_error_to_text(IMSS_ERROR_INTERNAL));
}

/* -- arguments at the boundary ------------------------------------------- */

/* Every string a caller sends is bounded before anything else looks at it
 * (polkit, the domain, the catalogues): each in-argument is checked under its
 * name in the introspection XML, so a new method is covered by the default
 * bound of its strings. Runs before the handle-* handlers. */
static gboolean
imss_daemon_authorize_method_cb(GDBusInterfaceSkeleton *skeleton,
				GDBusMethodInvocation *invocation,
				gpointer user_data)
{
	const GDBusMethodInfo *info = g_dbus_method_invocation_get_method_info(invocation);
	GVariant *parameters = g_dbus_method_invocation_get_parameters(invocation);

	if (info == NULL || info->in_args == NULL)
		return TRUE;
	for (guint i = 0; info->in_args[i] != NULL && i < g_variant_n_children(parameters); i++) {
		g_autoptr(GVariant) value = g_variant_get_child_value(parameters, i);
		g_autoptr(GError) error_local = NULL;
		if (!imss_validate_argument(info->in_args[i]->name, value, &error_local)) {
			g_info("%s from %s refused: %s",
			       g_dbus_method_invocation_get_method_name(invocation),
			       g_dbus_method_invocation_get_sender(invocation),
			       error_local->message);
			g_dbus_method_invocation_return_gerror(invocation, error_local);
			return FALSE;
		}
	}
	return TRUE;
}

/* -- properties ------------------------------------------------------------ */

static void
imss_daemon_sync_slot(ImssDaemon *self, ImssLicense *license)
{
	ImssExportedSlot *skel = self->slots[imss_license_get_slot(license)];
	GTimeZone *tz = imss_license_manager_get_timezone(self->manager);
	GDate today, grace, next;
	g_autofree gchar *expiry = NULL;
	g_autofree gchar *grace_str = NULL;
	g_autofree gchar *next_str = NULL;
	g_autofree gchar *activated_at = NULL;

	if (skel == NULL)
		return;
	imss_license_manager_get_today(self->manager, &today);
	expiry = imss_date_format(imss_license_get_expiry(license));
	if (imss_license_get_grace_end(license, &grace))
		grace_str = imss_date_format(&grace);
	if (imss_license_get_next_check(license, &today, &next))
		next_str = imss_calendar_format_instant(tz, imss_calendar_day_start(tz, &next));
	if (imss_license_is_activated(license))
		activated_at = imss_calendar_format_instant(tz, imss_license_get_activated_at(license));

	imss_exported_slot_set_id(skel, imss_license_get_id(license));
	imss_exported_slot_set_enabled(skel, imss_license_get_enabled(license));
	imss_exported_slot_set_state(
	    skel,
	    imss_license_state_to_string(imss_license_get_state(license, &today)));
	imss_exported_slot_set_expiry_date(skel, expiry);
	imss_exported_slot_set_grace_end_date(skel, grace_str != NULL ? grace_str : "");
	imss_exported_slot_set_updates_allowed(skel,
					       imss_license_get_updates_allowed(license, &today));
	imss_exported_slot_set_activation_code(skel, imss_license_get_masked_code(license));
	imss_exported_slot_set_offline(skel, imss_license_get_offline(license));
	imss_exported_slot_set_expiry_verified(skel, imss_license_get_verified(license));
	imss_exported_slot_set_activated_at(skel, activated_at != NULL ? activated_at : "");
	imss_exported_slot_set_next_check(skel, next_str != NULL ? next_str : "");
	{
		g_autofree gchar *verified = NULL;
		g_autofree gchar *details = imss_license_manager_get_details_url(self->manager, license);
		if (imss_license_is_activated(license) && imss_license_get_verified_at(license) > 0)
			verified = imss_calendar_format_instant(tz, imss_license_get_verified_at(license));
		imss_exported_slot_set_last_verified(skel, verified != NULL ? verified : "");
		imss_exported_slot_set_server_status(skel, imss_license_get_server_status(license));
		imss_exported_slot_set_last_check_error(skel, imss_license_get_check_error(license));
		imss_exported_slot_set_details_url(skel, details);
	}
}

static void
imss_daemon_sync_restarts(ImssDaemon *self)
{
	GPtrArray *restarts = imss_license_manager_get_restarts(self->manager);
	GTimeZone *tz = imss_license_manager_get_timezone(self->manager);
	GVariantBuilder builder;
	g_variant_builder_init(&builder, G_VARIANT_TYPE("aa{sv}"));
	for (guint i = 0; i < restarts->len; i++) {
		ImssStoreRestart *r = g_ptr_array_index(restarts, i);
		g_auto(ImssRestartRecord) record = {
		    .unit = g_strdup(r->unit),
		    .state = g_strdup(r->state),
		    .attempts = r->attempts,
		    .error = g_strdup(r->last_error),
		    .requested = imss_calendar_format_instant(tz, r->requested_at),
		};
		g_variant_builder_add_value(&builder, imss_restart_record_to_variant(&record));
	}
	imss_exported_manager_set_restarts(self->skeleton, g_variant_builder_end(&builder));
}

static void
imss_daemon_sync_all(ImssDaemon *self)
{
	for (guint i = 0; i < IMSS_SLOT_LAST; i++)
		imss_daemon_sync_slot(self,
				      imss_license_manager_get_license(self->manager, (ImssSlotId)i));
	imss_exported_manager_set_click_protection_bound(
	    self->skeleton,
	    imss_license_manager_get_click_protection_bound(self->manager));
	imss_exported_manager_set_environment(self->skeleton,
					      imss_license_manager_get_environment(self->manager));
	imss_exported_manager_set_inactive_notices_hidden(
	    self->skeleton,
	    imss_license_manager_get_inactive_notices_hidden(self->manager));
	imss_daemon_sync_restarts(self);
	{
		gint64 t = 0;
		g_autofree gchar *result = NULL;
		g_autofree gchar *when = NULL;
		if (imss_license_manager_get_last_deployment(self->manager, &t, &result))
			when = imss_calendar_format_instant(
			    imss_license_manager_get_timezone(self->manager),
			    t);
		imss_exported_manager_set_last_profile_deployment(self->skeleton, when != NULL ? when : "");
		imss_exported_manager_set_last_profile_result(self->skeleton, result != NULL ? result : "");
	}
}

static void
imss_daemon_notice_cb(ImssLicenseManager *manager, gpointer notice_ptr, gboolean mail, ImssDaemon *self)
{
	const ImssNotice *notice = notice_ptr;
	g_autoptr(GVariant) fields = g_variant_ref_sink(imss_notice_to_variant(notice));
	GVariantDict dict;
	if (self->connection == NULL)
		return;
	g_variant_dict_init(&dict, fields);
	g_variant_dict_insert(&dict, "mail", "b", mail);
	imss_exported_manager_emit_notice(self->skeleton,
					  imss_slot_to_string(notice->slot),
					  imss_notice_kind_to_string(notice->kind),
					  g_variant_dict_end(&dict));
}

static void
imss_daemon_license_changed_cb(ImssLicenseManager *manager,
			       ImssLicense *license,
			       const gchar *reason,
			       ImssDaemon *self)
{
	GDate today;
	g_auto(ImssLicenseChangeRecord) details = {NULL};

	imss_daemon_sync_slot(self, license);
	if (self->connection == NULL)
		return;
	imss_license_manager_get_today(self->manager, &today);
	details.expiry = imss_date_format(imss_license_get_expiry(license));
	details.state =
	    g_strdup(imss_license_state_to_string(imss_license_get_state(license, &today)));
	details.offline = imss_license_get_offline(license);
	details.code = g_strdup(imss_license_get_masked_code(license));
	imss_exported_manager_emit_license_changed(self->skeleton,
						   imss_license_get_id(license),
						   reason,
						   imss_license_change_record_to_variant(&details));
}

static void
imss_daemon_state_changed_cb(ImssLicenseManager *manager,
			     ImssLicense *license,
			     gint old_state,
			     gint new_state,
			     ImssDaemon *self)
{
	gboolean was_allowed = old_state != IMSS_LICENSE_STATE_NOT_ACTIVATED &&
			       old_state != IMSS_LICENSE_STATE_EXPIRED;
	gboolean allowed = new_state != IMSS_LICENSE_STATE_NOT_ACTIVATED &&
			   new_state != IMSS_LICENSE_STATE_EXPIRED;
	imss_daemon_sync_slot(self, license);
	if (self->connection == NULL)
		return;
	imss_exported_manager_emit_state_changed(self->skeleton,
						 imss_license_get_id(license),
						 imss_license_state_to_string(old_state),
						 imss_license_state_to_string(new_state));
	if (allowed != was_allowed)
		imss_exported_manager_emit_updates_allowed_changed(self->skeleton,
								   imss_license_get_id(license),
								   allowed);
}

static void
imss_daemon_refreshed_cb(ImssLicenseManager *manager, ImssDaemon *self)
{
	imss_daemon_sync_all(self);
	if (self->virtual_clock != NULL) {
		g_autofree gchar *now =
		    imss_calendar_format_instant(imss_license_manager_get_timezone(self->manager),
						 imss_license_manager_get_time(self->manager));
		imss_exported_virtual_clock_set_now(self->virtual_clock, now);
	}
}

static void
imss_daemon_click_protection_changed_cb(ImssLicenseManager *manager, ImssDaemon *self)
{
	imss_exported_manager_set_click_protection_bound(
	    self->skeleton,
	    imss_license_manager_get_click_protection_bound(manager));
}

/* -- authorised calls --------------------------------------------------------- */

typedef void (*ImssDaemonAuthorizedFunc)(ImssDaemon *self,
					 GDBusMethodInvocation *invocation,
					 const gchar *caller);

typedef struct {
	ImssDaemon *self;
	GDBusMethodInvocation *invocation;
	ImssDaemonAuthorizedFunc func;
} ImssDaemonAuthHelper;

static void
imss_daemon_auth_helper_free(ImssDaemonAuthHelper *helper)
{
	g_object_unref(helper->self);
	g_object_unref(helper->invocation);
	g_free(helper);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC(ImssDaemonAuthHelper, imss_daemon_auth_helper_free)

static void
imss_daemon_caller_uid_cb(GObject *source, GAsyncResult *res, gpointer user_data)
{
	g_autoptr(ImssDaemonAuthHelper) helper = user_data;
	g_autoptr(GError) error_local = NULL;
	g_autoptr(GVariant) reply = NULL;
	g_autofree gchar *caller = NULL;
	guint32 uid = 0;

	reply = g_dbus_connection_call_finish(G_DBUS_CONNECTION(source), res, &error_local);
	if (reply == NULL) {
		/* the caller vanished after polkit said yes: do nothing */
		g_message("caller %s went away: %s",
			  g_dbus_method_invocation_get_sender(helper->invocation),
			  error_local->message);
		g_dbus_method_invocation_return_error_literal(
		    helper->invocation,
		    IMSS_ERROR,
		    IMSS_ERROR_NOT_AUTHORIZED,
		    imss_error_to_text(IMSS_ERROR_NOT_AUTHORIZED));
		return;
	}
	g_variant_get(reply, "(u)", &uid);
	caller = g_strdup_printf("uid %u", uid);
	helper->func(helper->self, helper->invocation, caller);
}

static void
imss_daemon_authorize_cb(GObject *source, GAsyncResult *res, gpointer user_data)
{
	g_autoptr(ImssDaemonAuthHelper) helper = user_data;
	g_autoptr(GError) error_local = NULL;
	GDBusConnection *connection;
	const gchar *sender;

	if (!imss_polkit_check_finish(IMSS_POLKIT(source), res, &error_local)) {
		imss_daemon_return_error(helper->invocation, error_local);
		return;
	}
	/* who, for the history: the bus daemon knows */
	connection = g_dbus_method_invocation_get_connection(helper->invocation);
	sender = g_dbus_method_invocation_get_sender(helper->invocation);
	g_dbus_connection_call(connection,
			       "org.freedesktop.DBus",
			       "/org/freedesktop/DBus",
			       "org.freedesktop.DBus",
			       "GetConnectionUnixUser",
			       g_variant_new("(s)", sender),
			       G_VARIANT_TYPE("(u)"),
			       G_DBUS_CALL_FLAGS_NONE,
			       5000,
			       NULL,
			       imss_daemon_caller_uid_cb,
			       g_steal_pointer(&helper));
}

/* Asks polkit for @action_id, then runs @func with the caller's identity. */
static void
imss_daemon_authorize(ImssDaemon *self,
		      GDBusMethodInvocation *invocation,
		      const gchar *action_id,
		      ImssDaemonAuthorizedFunc func)
{
	ImssDaemonAuthHelper *helper = g_new0(ImssDaemonAuthHelper, 1);
	GDBusMessage *message = g_dbus_method_invocation_get_message(invocation);
	gboolean interactive = (g_dbus_message_get_flags(message) &
				G_DBUS_MESSAGE_FLAGS_ALLOW_INTERACTIVE_AUTHORIZATION) != 0;
	helper->self = g_object_ref(self);
	helper->invocation = g_object_ref(invocation);
	helper->func = func;
	imss_polkit_check_async(self->polkit,
				g_dbus_method_invocation_get_connection(invocation),
				g_dbus_method_invocation_get_sender(invocation),
				action_id,
				interactive,
				NULL,
				imss_daemon_authorize_cb,
				helper);
}

/* -- methods ------------------------------------------------------------------ */

static void
imss_daemon_activate_cb(GObject *source, GAsyncResult *res, gpointer user_data)
{
	g_autoptr(GDBusMethodInvocation) invocation = user_data;
	g_autoptr(GError) error_local = NULL;
	g_autoptr(ImssLicense) license =
	    imss_license_manager_activate_finish(IMSS_LICENSE_MANAGER(source), res, &error_local);
	g_autofree gchar *path = NULL;
	if (license == NULL) {
		imss_daemon_return_error(invocation, error_local);
		return;
	}
	path = imss_slot_object_path(imss_license_get_slot(license));
	g_dbus_method_invocation_return_value(invocation, g_variant_new("(o)", path));
}

static void
imss_daemon_activate_authorized(ImssDaemon *self,
				GDBusMethodInvocation *invocation,
				const gchar *caller)
{
	const gchar *slot_id = NULL;
	const gchar *code = NULL;
	g_variant_get(g_dbus_method_invocation_get_parameters(invocation), "(&s&s)", &slot_id, &code);
	imss_license_manager_activate_async(self->manager,
					    slot_id,
					    code,
					    caller,
					    imss_daemon_activate_cb,
					    g_object_ref(invocation));
}

static gboolean
imss_daemon_handle_activate(ImssExportedManager *skeleton,
			    GDBusMethodInvocation *invocation,
			    const gchar *slot_id,
			    const gchar *code,
			    ImssDaemon *self)
{
	g_autoptr(GError) error_local = NULL;

	/* offline validation first: bad input never reaches polkit or the store */
	if (!imss_license_manager_check_activate(self->manager, slot_id, code, &error_local)) {
		imss_daemon_return_error(invocation, error_local);
		return G_DBUS_METHOD_INVOCATION_HANDLED;
	}
	imss_daemon_authorize(self,
			      invocation,
			      "org.imss.license.activate",
			      imss_daemon_activate_authorized);
	return G_DBUS_METHOD_INVOCATION_HANDLED;
}

static void
imss_daemon_update_status_cb(GObject *source, GAsyncResult *res, gpointer user_data)
{
	g_autoptr(GDBusMethodInvocation) invocation = user_data;
	g_autoptr(GError) error_local = NULL;
	g_autofree gchar *outcome =
	    imss_license_manager_update_status_finish(IMSS_LICENSE_MANAGER(source), res, &error_local);
	if (outcome == NULL) {
		imss_daemon_return_error(invocation, error_local);
		return;
	}
	g_dbus_method_invocation_return_value(invocation, g_variant_new("(s)", outcome));
}

static void
imss_daemon_update_status_authorized(ImssDaemon *self,
				     GDBusMethodInvocation *invocation,
				     const gchar *caller)
{
	imss_license_manager_update_status_async(self->manager,
						 caller,
						 imss_daemon_update_status_cb,
						 g_object_ref(invocation));
}

static gboolean
imss_daemon_handle_update_status(ImssExportedManager *skeleton,
				 GDBusMethodInvocation *invocation,
				 ImssDaemon *self)
{
	imss_daemon_authorize(self,
			      invocation,
			      "org.imss.license.update",
			      imss_daemon_update_status_authorized);
	return G_DBUS_METHOD_INVOCATION_HANDLED;
}

static void
imss_daemon_bind_click_authorized(ImssDaemon *self,
				  GDBusMethodInvocation *invocation,
				  const gchar *caller)
{
	g_autoptr(GError) error_local = NULL;
	if (!imss_license_manager_bind_click_protection(self->manager, caller, &error_local)) {
		imss_daemon_return_error(invocation, error_local);
		return;
	}
	imss_exported_manager_complete_bind_click_protection(self->skeleton, invocation);
}

static gboolean
imss_daemon_handle_bind_click_protection(ImssExportedManager *skeleton,
					 GDBusMethodInvocation *invocation,
					 ImssDaemon *self)
{
	imss_daemon_authorize(self,
			      invocation,
			      "org.imss.license.click-protection",
			      imss_daemon_bind_click_authorized);
	return G_DBUS_METHOD_INVOCATION_HANDLED;
}

static void
imss_daemon_release_click_authorized(ImssDaemon *self,
				     GDBusMethodInvocation *invocation,
				     const gchar *caller)
{
	g_autoptr(GError) error_local = NULL;
	gboolean released = FALSE;
	if (!imss_license_manager_release_click_protection(self->manager,
							   caller,
							   &released,
							   &error_local)) {
		imss_daemon_return_error(invocation, error_local);
		return;
	}
	imss_exported_manager_complete_release_click_protection(self->skeleton,
								invocation,
								released);
}

static gboolean
imss_daemon_handle_release_click_protection(ImssExportedManager *skeleton,
					    GDBusMethodInvocation *invocation,
					    ImssDaemon *self)
{
	imss_daemon_authorize(self,
			      invocation,
			      "org.imss.license.click-protection",
			      imss_daemon_release_click_authorized);
	return G_DBUS_METHOD_INVOCATION_HANDLED;
}

static void
imss_daemon_restart_services_authorized(ImssDaemon *self,
					GDBusMethodInvocation *invocation,
					const gchar *caller)
{
	g_autoptr(GError) error_local = NULL;
	g_auto(GStrv) units = imss_license_manager_restart_services(self->manager, caller, &error_local);
	if (units == NULL) {
		imss_daemon_return_error(invocation, error_local);
		return;
	}
	imss_exported_manager_complete_restart_services(self->skeleton,
							invocation,
							(const gchar *const *)units);
}

static gboolean
imss_daemon_handle_restart_services(ImssExportedManager *skeleton,
				    GDBusMethodInvocation *invocation,
				    ImssDaemon *self)
{
	imss_daemon_authorize(self,
			      invocation,
			      "org.imss.license.restart-services",
			      imss_daemon_restart_services_authorized);
	return G_DBUS_METHOD_INVOCATION_HANDLED;
}

static GVariant *
imss_daemon_history_to_variant(ImssDaemon *self, GPtrArray *entries)
{
	GVariantBuilder builder;
	GTimeZone *tz = imss_license_manager_get_timezone(self->manager);

	g_variant_builder_init(&builder, G_VARIANT_TYPE("aa{sv}"));
	for (guint i = 0; i < entries->len; i++) {
		ImssStoreHistory *h = g_ptr_array_index(entries, i);
		g_auto(ImssHistoryRecord) record = {
		    .time = imss_calendar_format_instant(tz, h->time),
		    .action = g_strdup(h->action),
		    .slot = g_strdup(h->slot),
		    .code = g_strdup(h->code),
		    .caller = g_strdup(h->caller),
		    .outcome = g_strdup(h->outcome),
		    .detail = g_strdup(h->detail),
		};
		g_variant_builder_add_value(&builder, imss_history_record_to_variant(&record));
	}
	return g_variant_builder_end(&builder);
}

typedef struct {
	ImssDaemon *self;
	GDBusMethodInvocation *invocation;
	gboolean with_total; /* GetHistoryPage */
} ImssDaemonHistoryCall;

static void
imss_daemon_history_cb(GObject *source, GAsyncResult *res, gpointer user_data)
{
	ImssDaemonHistoryCall *call = user_data;
	g_autoptr(GError) error_local = NULL;
	g_autoptr(GPtrArray) entries = NULL;
	guint total = 0;

	entries = imss_license_manager_get_history_page_finish(IMSS_LICENSE_MANAGER(source),
							       res,
							       &total,
							       &error_local);
	if (entries == NULL)
		imss_daemon_return_error(call->invocation, error_local);
	else if (call->with_total)
		imss_exported_manager_complete_get_history_page(
		    call->self->skeleton,
		    call->invocation,
		    imss_daemon_history_to_variant(call->self, entries),
		    total);
	else
		imss_exported_manager_complete_get_history(
		    call->self->skeleton,
		    call->invocation,
		    imss_daemon_history_to_variant(call->self, entries));
	g_object_unref(call->self);
	g_object_unref(call->invocation);
	g_free(call);
}

static void
imss_daemon_read_history(ImssDaemon *self,
			 GDBusMethodInvocation *invocation,
			 guint offset,
			 guint limit,
			 gboolean with_total)
{
	ImssDaemonHistoryCall *call = g_new0(ImssDaemonHistoryCall, 1);
	call->self = g_object_ref(self);
	call->invocation = g_object_ref(invocation);
	call->with_total = with_total;
	imss_license_manager_get_history_page_async(self->manager,
						    offset,
						    limit,
						    imss_daemon_history_cb,
						    call);
}

static gboolean
imss_daemon_handle_get_history(ImssExportedManager *skeleton,
			       GDBusMethodInvocation *invocation,
			       guint limit,
			       ImssDaemon *self)
{
	/* 0 (once "all") and anything larger: the most one page holds */
	if (limit == 0 || limit > IMSS_HISTORY_PAGE_MAX)
		limit = IMSS_HISTORY_PAGE_MAX;
	imss_daemon_read_history(self, invocation, 0, limit, FALSE);
	return G_DBUS_METHOD_INVOCATION_HANDLED;
}

static gboolean
imss_daemon_handle_get_history_page(ImssExportedManager *skeleton,
				    GDBusMethodInvocation *invocation,
				    guint offset,
				    guint limit,
				    ImssDaemon *self)
{
	imss_daemon_read_history(self, invocation, offset, limit, TRUE);
	return G_DBUS_METHOD_INVOCATION_HANDLED;
}

static gboolean
imss_daemon_handle_list_events(ImssExportedManager *skeleton,
			       GDBusMethodInvocation *invocation,
			       guint days,
			       ImssDaemon *self)
{
	GTimeZone *tz = imss_license_manager_get_timezone(self->manager);
	g_autoptr(GPtrArray) events = NULL;
	GVariantBuilder builder;

	if (days == 0)
		days = 90;
	days = MIN(days, 3660);
	events = imss_license_manager_list_events(self->manager, days);
	/* ten years of daily checks on six slots would be 22,000 events: the
	 * soonest IMSS_EVENTS_MAX make one bounded answer */
	if (events->len > IMSS_EVENTS_MAX)
		g_ptr_array_set_size(events, IMSS_EVENTS_MAX);
	g_variant_builder_init(&builder, G_VARIANT_TYPE("aa{sv}"));
	for (guint i = 0; i < events->len; i++) {
		ImssEvent *ev = g_ptr_array_index(events, i);
		g_auto(ImssEventRecord) record = {
		    .time = imss_calendar_format_instant(tz, ev->instant),
		    .date = imss_date_format(&ev->date),
		    .slot = g_strdup(imss_slot_to_string(ev->slot)),
		    .kind = g_strdup(ev->kind),
		    .offset = imss_calendar_format_offset(ev->offset),
		};
		g_variant_builder_add_value(&builder, imss_event_record_to_variant(&record));
	}
	imss_exported_manager_complete_list_events(self->skeleton,
						   invocation,
						   g_variant_builder_end(&builder));
	return G_DBUS_METHOD_INVOCATION_HANDLED;
}

static gboolean
imss_daemon_handle_get_notices(ImssExportedManager *skeleton,
			       GDBusMethodInvocation *invocation,
			       const gchar *language,
			       ImssDaemon *self)
{
	g_autoptr(GPtrArray) notices = imss_license_manager_get_notices(self->manager);
	/* @language is a tag or empty (imss_daemon_authorize_method_cb()); the
	 * texts come from its catalogue, never through the environment */
	const ImssCatalog *catalog = imss_catalog_for_language(language);
	GVariantBuilder builder;
	g_variant_builder_init(&builder, G_VARIANT_TYPE("aa{sv}"));
	for (guint i = 0; i < notices->len; i++) {
		const ImssNotice *notice = g_ptr_array_index(notices, i);
		g_autoptr(GVariant) fields = g_variant_ref_sink(imss_notice_to_variant(notice));
		g_autofree gchar *text = imss_notice_render_console(catalog, notice);
		GVariantDict dict;
		g_variant_dict_init(&dict, fields);
		g_variant_dict_insert(&dict, "text", "s", text);
		g_variant_dict_insert(&dict, "hideable", "b", notice->kind == IMSS_NOTICE_INACTIVE);
		g_variant_builder_add_value(&builder, g_variant_dict_end(&dict));
	}
	imss_exported_manager_complete_get_notices(skeleton, invocation, g_variant_builder_end(&builder));
	return G_DBUS_METHOD_INVOCATION_HANDLED;
}

static void
imss_daemon_set_hidden_authorized(ImssDaemon *self, GDBusMethodInvocation *invocation, const gchar *caller)
{
	g_autoptr(GError) error_local = NULL;
	gboolean hidden = FALSE;
	g_variant_get(g_dbus_method_invocation_get_parameters(invocation), "(b)", &hidden);
	if (!imss_license_manager_set_inactive_notices_hidden(self->manager, hidden, caller, &error_local)) {
		imss_daemon_return_error(invocation, error_local);
		return;
	}
	imss_exported_manager_complete_set_inactive_notices_hidden(self->skeleton, invocation);
}

static gboolean
imss_daemon_handle_set_hidden(ImssExportedManager *skeleton,
			      GDBusMethodInvocation *invocation,
			      gboolean hidden,
			      ImssDaemon *self)
{
	imss_daemon_authorize(self, invocation, "org.imss.license.notices", imss_daemon_set_hidden_authorized);
	return G_DBUS_METHOD_INVOCATION_HANDLED;
}

static void
imss_daemon_apply_profile_authorized(ImssDaemon *self, GDBusMethodInvocation *invocation, const gchar *caller)
{
	g_autoptr(GError) error_local = NULL;
	g_autoptr(GVariant) dict = g_variant_get_child_value(g_dbus_method_invocation_get_parameters(invocation), 0);
	ImssProfile profile = {NULL, NULL, NULL, NULL};
	g_autofree gchar *outcome = NULL;
	/* typed here, at the edge; a field of another type counts as missing */
	g_variant_lookup(dict, "slot", "&s", &profile.slot);
	g_variant_lookup(dict, "code", "&s", &profile.code);
	g_variant_lookup(dict, "expiry", "&s", &profile.expiry);
	g_variant_lookup(dict, "origin", "&s", &profile.origin);
	outcome = imss_license_manager_apply_profile(self->manager, &profile, caller, &error_local);
	if (outcome == NULL) {
		imss_daemon_return_error(invocation, error_local);
		return;
	}
	imss_exported_manager_complete_apply_profile(self->skeleton, invocation, outcome);
}

static gboolean
imss_daemon_handle_apply_profile(ImssExportedManager *skeleton,
				 GDBusMethodInvocation *invocation,
				 GVariant *profile,
				 ImssDaemon *self)
{
	imss_daemon_authorize(self, invocation, "org.imss.license.apply-profile", imss_daemon_apply_profile_authorized);
	return G_DBUS_METHOD_INVOCATION_HANDLED;
}

/* the diagnosis rendered at the edge, in the caller's language (the ids stay
 * for programs) */
static GVariant *
imss_daemon_diagnosis_to_variant(ImssDaemon *self, const ImssDiagnosis *d, const gchar *language)
{
	const ImssCatalog *catalog = imss_catalog_for_language(language);
	ImssLicense *license = imss_license_manager_get_license(self->manager, d->slot);
	g_autoptr(GStrvBuilder) findings = g_strv_builder_new();
	g_autoptr(GStrvBuilder) finding_ids = g_strv_builder_new();
	g_auto(ImssDiagnosisRecord) record = {NULL};

	for (guint i = 0; i < d->findings->len; i++) {
		const ImssFinding *f = g_ptr_array_index(d->findings, i);
		g_autofree gchar *text = imss_doctor_render_finding(catalog, f);
		g_strv_builder_add(findings, text);
		g_strv_builder_add(finding_ids, imss_finding_id_to_string(f->id));
	}
	record.slot = g_strdup(imss_slot_to_string(d->slot));
	record.environment = g_strdup(imss_environment_to_string(d->environment));
	record.findings = g_strv_builder_end(findings);
	record.finding_ids = g_strv_builder_end(finding_ids);
	record.action = g_strdup(imss_doctor_render_action(catalog, d->action));
	record.action_id = g_strdup(imss_doctor_action_to_string(d->action));
	record.server_status = g_strdup(d->server_status);
	record.server_expiry = g_strdup(d->server_expiry);
	record.next_check = g_strdup(d->next_check);
	record.last_deployment = g_strdup(d->deploy_time);
	record.last_deployment_result = g_strdup(d->deploy_result);
	record.details_url = imss_license_manager_get_details_url(self->manager, license);
	return imss_diagnosis_record_to_variant(&record);
}

static void
imss_daemon_diagnose_cb(GObject *source, GAsyncResult *res, gpointer user_data)
{
	g_autoptr(GDBusMethodInvocation) invocation = user_data;
	ImssDaemon *self = g_object_get_data(G_OBJECT(invocation), "imss-daemon");
	const gchar *language = NULL;
	g_autoptr(GError) error_local = NULL;
	g_autoptr(ImssDiagnosis) diagnosis =
	    imss_license_manager_diagnose_finish(IMSS_LICENSE_MANAGER(source), res, &error_local);
	if (diagnosis == NULL) {
		imss_daemon_return_error(invocation, error_local);
		return;
	}
	g_variant_get(g_dbus_method_invocation_get_parameters(invocation), "(&s&s)", NULL, &language);
	g_dbus_method_invocation_return_value(
	    invocation,
	    g_variant_new("(@a{sv})", imss_daemon_diagnosis_to_variant(self, diagnosis, language)));
}

static gboolean
imss_daemon_handle_diagnose(ImssExportedManager *skeleton,
			    GDBusMethodInvocation *invocation,
			    const gchar *slot,
			    const gchar *language,
			    ImssDaemon *self)
{
	g_object_set_data_full(G_OBJECT(invocation), "imss-daemon", g_object_ref(self), g_object_unref);
	imss_license_manager_diagnose_async(self->manager, slot, imss_daemon_diagnose_cb,
					    g_object_ref(invocation));
	return G_DBUS_METHOD_INVOCATION_HANDLED;
}

static gboolean
imss_daemon_handle_get_clock(ImssExportedManager *skeleton,
			     GDBusMethodInvocation *invocation,
			     ImssDaemon *self)
{
	GTimeZone *tz = imss_license_manager_get_timezone(self->manager);
	GDate today;
	g_auto(ImssClockRecord) record = {NULL};

	imss_license_manager_get_today(self->manager, &today);
	record.now = imss_calendar_format_instant(tz, imss_license_manager_get_time(self->manager));
	record.today = imss_date_format(&today);
	record.zone = g_strdup(g_time_zone_get_identifier(tz));
	record.virtual_clock = imss_license_manager_has_virtual_clock(self->manager);
	imss_exported_manager_complete_get_clock(skeleton,
						 invocation,
						 imss_clock_record_to_variant(&record));
	return G_DBUS_METHOD_INVOCATION_HANDLED;
}

/* ISO 8601 with or without an offset; without one it is local time (TZ) */
static gboolean
imss_daemon_parse_time(GTimeZone *tz, const gchar *str, gint64 *t)
{
	g_autoptr(GDateTime) dt = g_date_time_new_from_iso8601(str, tz);
	if (dt == NULL)
		return FALSE;
	*t = g_date_time_to_unix(dt);
	return TRUE;
}

static gboolean
imss_daemon_handle_set_time(ImssExportedVirtualClock *skeleton,
			    GDBusMethodInvocation *invocation,
			    const gchar *time,
			    ImssDaemon *self)
{
	gint64 t;
	if (!imss_daemon_parse_time(imss_license_manager_get_timezone(self->manager), time, &t)) {
		g_dbus_method_invocation_return_error(invocation,
						      IMSS_ERROR,
						      IMSS_ERROR_INVALID_ARGS,
						      "Not an ISO 8601 time: expected "
						      "YYYY-MM-DDTHH:MM:SS[±HH:MM]");
		return G_DBUS_METHOD_INVOCATION_HANDLED;
	}
	imss_license_manager_set_time(self->manager, t);
	imss_exported_virtual_clock_complete_set_time(skeleton, invocation);
	return G_DBUS_METHOD_INVOCATION_HANDLED;
}

static gboolean
imss_daemon_handle_advance(ImssExportedVirtualClock *skeleton,
			   GDBusMethodInvocation *invocation,
			   gint64 seconds,
			   ImssDaemon *self)
{
	guint fired;
	if (seconds < 0 || seconds > (gint64)20 * 366 * 86400) {
		g_dbus_method_invocation_return_error_literal(invocation,
							      IMSS_ERROR,
							      IMSS_ERROR_INVALID_ARGS,
							      "Advance takes 0 to 20 years of seconds");
		return G_DBUS_METHOD_INVOCATION_HANDLED;
	}
	fired = imss_license_manager_advance(self->manager, seconds);
	imss_exported_virtual_clock_complete_advance(skeleton, invocation, fired);
	return G_DBUS_METHOD_INVOCATION_HANDLED;
}

/* -- bus ----------------------------------------------------------------------- */

gboolean
imss_daemon_export(ImssDaemon *self, GDBusConnection *connection, GError **error)
{
	g_return_val_if_fail(self->connection == NULL, FALSE);

	self->connection = g_object_ref(connection);
	imss_daemon_sync_all(self);
	if (!g_dbus_interface_skeleton_export(G_DBUS_INTERFACE_SKELETON(self->skeleton),
					      connection,
					      IMSS_BUS_OBJECT_PATH,
					      error))
		return FALSE;
	if (self->virtual_clock != NULL &&
	    !g_dbus_interface_skeleton_export(G_DBUS_INTERFACE_SKELETON(self->virtual_clock),
					      connection,
					      IMSS_BUS_OBJECT_PATH,
					      error))
		return FALSE;
	g_dbus_object_manager_server_set_connection(self->object_manager, connection);
	return TRUE;
}

void
imss_daemon_unexport(ImssDaemon *self)
{
	if (self->connection == NULL)
		return;
	g_dbus_interface_skeleton_unexport(G_DBUS_INTERFACE_SKELETON(self->skeleton));
	if (self->virtual_clock != NULL)
		g_dbus_interface_skeleton_unexport(G_DBUS_INTERFACE_SKELETON(self->virtual_clock));
	g_dbus_object_manager_server_set_connection(self->object_manager, NULL);
	g_clear_object(&self->connection);
}

static void
imss_daemon_bus_acquired_cb(GDBusConnection *connection, const gchar *name, gpointer user_data)
{
	ImssDaemon *self = IMSS_DAEMON(user_data);
	g_autoptr(GError) error_local = NULL;

	/* a lost bus must end the process with a failure so the unit restarts */
	g_dbus_connection_set_exit_on_close(connection, FALSE);
	if (!imss_daemon_export(self, connection, &error_local)) {
		g_warning("failed to export objects: %s", error_local->message);
		g_signal_emit(self, signals[SIGNAL_LOST], 0);
	}
}

static void
imss_daemon_name_acquired_cb(GDBusConnection *connection, const gchar *name, gpointer user_data)
{
	ImssDaemon *self = IMSS_DAEMON(user_data);
	g_message("acquired the name %s, %.1f ms after start",
		  name,
		  (g_get_monotonic_time() - self->started_at) / 1000.0);
	g_signal_emit(self, signals[SIGNAL_ACQUIRED], 0);
}

static void
imss_daemon_name_lost_cb(GDBusConnection *connection, const gchar *name, gpointer user_data)
{
	ImssDaemon *self = IMSS_DAEMON(user_data);
	if (connection == NULL)
		g_warning("cannot connect to the system bus");
	else
		g_warning("lost or could not acquire the name %s", name);
	g_signal_emit(self, signals[SIGNAL_LOST], 0);
}

void
imss_daemon_start(ImssDaemon *self, gint64 started_at)
{
	self->started_at = started_at;
	self->owner_id = g_bus_own_name(G_BUS_TYPE_SYSTEM,
					IMSS_BUS_NAME,
					G_BUS_NAME_OWNER_FLAGS_NONE,
					imss_daemon_bus_acquired_cb,
					imss_daemon_name_acquired_cb,
					imss_daemon_name_lost_cb,
					self,
					NULL);
}

static void
imss_daemon_dispose(GObject *obj)
{
	ImssDaemon *self = IMSS_DAEMON(obj);
	if (self->owner_id != 0) {
		g_bus_unown_name(self->owner_id);
		self->owner_id = 0;
	}
	imss_daemon_unexport(self);
	if (self->manager != NULL)
		g_signal_handlers_disconnect_by_data(self->manager, self);
	G_OBJECT_CLASS(imss_daemon_parent_class)->dispose(obj);
}

static void
imss_daemon_finalize(GObject *obj)
{
	ImssDaemon *self = IMSS_DAEMON(obj);
	for (guint i = 0; i < IMSS_SLOT_LAST; i++)
		g_clear_object(&self->slots[i]);
	g_clear_object(&self->object_manager);
	g_clear_object(&self->virtual_clock);
	g_clear_object(&self->skeleton);
	g_clear_object(&self->polkit);
	g_clear_object(&self->manager);
	G_OBJECT_CLASS(imss_daemon_parent_class)->finalize(obj);
}

static void
imss_daemon_class_init(ImssDaemonClass *klass)
{
	GObjectClass *object_class = G_OBJECT_CLASS(klass);
	object_class->dispose = imss_daemon_dispose;
	object_class->finalize = imss_daemon_finalize;
	/* the name is ours: signals reach the bus from now on */
	signals[SIGNAL_ACQUIRED] = g_signal_new("acquired",
						G_TYPE_FROM_CLASS(klass),
						G_SIGNAL_RUN_LAST,
						0,
						NULL,
						NULL,
						NULL,
						G_TYPE_NONE,
						0);
	signals[SIGNAL_LOST] = g_signal_new("lost",
					    G_TYPE_FROM_CLASS(klass),
					    G_SIGNAL_RUN_LAST,
					    0,
					    NULL,
					    NULL,
					    NULL,
					    G_TYPE_NONE,
					    0);
}

static void
imss_daemon_init(ImssDaemon *self)
{
	self->polkit = imss_polkit_new();
	self->skeleton = imss_exported_manager_skeleton_new();
	self->object_manager = g_dbus_object_manager_server_new(IMSS_BUS_OBJECT_PATH);
}

ImssDaemon *
imss_daemon_new(ImssLicenseManager *manager)
{
	ImssDaemon *self = g_object_new(IMSS_TYPE_DAEMON, NULL);
	self->manager = g_object_ref(manager);

	imss_exported_manager_set_edition(
	    self->skeleton,
	    imss_edition_to_string(imss_license_manager_get_edition(manager)));
	imss_exported_manager_set_daemon_version(self->skeleton, PACKAGE_VERSION);
	g_signal_connect(self->skeleton,
			 "g-authorize-method",
			 G_CALLBACK(imss_daemon_authorize_method_cb),
			 self);
	g_signal_connect(self->skeleton,
			 "handle-activate",
			 G_CALLBACK(imss_daemon_handle_activate),
			 self);
	g_signal_connect(self->skeleton,
			 "handle-update-status",
			 G_CALLBACK(imss_daemon_handle_update_status),
			 self);
	g_signal_connect(self->skeleton,
			 "handle-bind-click-protection",
			 G_CALLBACK(imss_daemon_handle_bind_click_protection),
			 self);
	g_signal_connect(self->skeleton,
			 "handle-release-click-protection",
			 G_CALLBACK(imss_daemon_handle_release_click_protection),
			 self);
	g_signal_connect(self->skeleton,
			 "handle-restart-services",
			 G_CALLBACK(imss_daemon_handle_restart_services),
			 self);
	g_signal_connect(self->skeleton,
			 "handle-get-history",
			 G_CALLBACK(imss_daemon_handle_get_history),
			 self);
	g_signal_connect(self->skeleton,
			 "handle-get-history-page",
			 G_CALLBACK(imss_daemon_handle_get_history_page),
			 self);
	g_signal_connect(self->skeleton,
			 "handle-get-notices",
			 G_CALLBACK(imss_daemon_handle_get_notices),
			 self);
	g_signal_connect(self->skeleton,
			 "handle-set-inactive-notices-hidden",
			 G_CALLBACK(imss_daemon_handle_set_hidden),
			 self);
	g_signal_connect(self->skeleton,
			 "handle-apply-profile",
			 G_CALLBACK(imss_daemon_handle_apply_profile),
			 self);
	g_signal_connect(self->skeleton,
			 "handle-diagnose",
			 G_CALLBACK(imss_daemon_handle_diagnose),
			 self);
	g_signal_connect(self->skeleton,
			 "handle-get-clock",
			 G_CALLBACK(imss_daemon_handle_get_clock),
			 self);
	g_signal_connect(self->skeleton,
			 "handle-list-events",
			 G_CALLBACK(imss_daemon_handle_list_events),
			 self);
	if (imss_license_manager_has_virtual_clock(manager)) {
		self->virtual_clock = imss_exported_virtual_clock_skeleton_new();
		g_signal_connect(self->virtual_clock,
				 "g-authorize-method",
				 G_CALLBACK(imss_daemon_authorize_method_cb),
				 self);
		g_signal_connect(self->virtual_clock,
				 "handle-set-time",
				 G_CALLBACK(imss_daemon_handle_set_time),
				 self);
		g_signal_connect(self->virtual_clock,
				 "handle-advance",
				 G_CALLBACK(imss_daemon_handle_advance),
				 self);
	}

	for (guint i = 0; i < IMSS_SLOT_LAST; i++) {
		g_autofree gchar *path = imss_slot_object_path((ImssSlotId)i);
		g_autoptr(GDBusObjectSkeleton) object = g_dbus_object_skeleton_new(path);
		self->slots[i] = imss_exported_slot_skeleton_new();
		g_dbus_object_skeleton_add_interface(object,
						     G_DBUS_INTERFACE_SKELETON(self->slots[i]));
		g_dbus_object_manager_server_export(self->object_manager, object);
	}
	g_signal_connect(manager,
			 "license-changed",
			 G_CALLBACK(imss_daemon_license_changed_cb),
			 self);
	g_signal_connect(manager,
			 "click-protection-changed",
			 G_CALLBACK(imss_daemon_click_protection_changed_cb),
			 self);
	g_signal_connect(manager,
			 "state-changed",
			 G_CALLBACK(imss_daemon_state_changed_cb),
			 self);
	g_signal_connect(manager, "refreshed", G_CALLBACK(imss_daemon_refreshed_cb), self);
	g_signal_connect(manager, "notice", G_CALLBACK(imss_daemon_notice_cb), self);
	imss_daemon_refreshed_cb(manager, self);
	return self;
}
