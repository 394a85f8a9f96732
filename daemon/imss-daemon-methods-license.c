/*
 * The adapter's license methods: Activate, UpdateStatus, the Click
 * protection, ApplyProfile (the profile typed here, at the edge) and
 * Diagnose (rendered here, in the caller's language).
 */
#define G_LOG_DOMAIN "ImssDaemon"

#include "config.h"

#include "imss-catalog.h"
#include "imss-daemon-private.h"
#include "imss-doctor-text.h"
#include "imss-records.h"

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

void
imss_daemon_connect_license_methods(ImssDaemon *self)
{
	g_return_if_fail(IMSS_IS_DAEMON(self));

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
			 "handle-apply-profile",
			 G_CALLBACK(imss_daemon_handle_apply_profile),
			 self);
	g_signal_connect(self->skeleton,
			 "handle-diagnose",
			 G_CALLBACK(imss_daemon_handle_diagnose),
			 self);
}
