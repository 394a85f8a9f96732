/*
 * `imss-licensectl status` and `details`: every license slot as a table (or
 * JSON), with the environment, the Control Manager profile, Time-of-Click,
 * the restarts and what the server said about the codes under it.
 */
#define G_LOG_DOMAIN "ImssCtl"

#include "config.h"

#include <glib/gi18n.h>

#include "imss-ctl.h"
#include "imss-error.h"
#include "imss-records.h"

#define IMSS_CTL_STATUS_COLUMNS 7

static const gchar *
imss_ctl_environment_text(const gchar *environment)
{
	if (g_strcmp0(environment, "connected") == 0)
		/* TRANSLATORS: SPEC §8 environment */
		return _("connected to the license server (automatic updates)");
	if (g_strcmp0(environment, "cm-managed") == 0)
		/* TRANSLATORS: SPEC §8 environment */
		return _("not connected, managed by Control Manager (license profiles)");
	if (g_strcmp0(environment, "standalone") == 0)
		/* TRANSLATORS: SPEC §8 environment */
		return _("not connected (expiry dates cannot be verified; use offline activation codes)");
	return environment;
}

/* -- JSON ------------------------------------------------------------------- */

/* the manager's members, leaving @builder in the "slots" array */
static void
imss_ctl_status_json_begin(ImssCtl *ctl, JsonBuilder *builder)
{
	ImssClient *manager = ctl->client;

	json_builder_begin_object(builder);
	imss_ctl_json_add_string(builder, "edition", imss_client_get_edition(manager));
	imss_ctl_json_add_string(builder,
				 "environment",
				 imss_client_get_environment(manager));
	imss_ctl_json_add_string(builder,
				 "last_profile_deployment",
				 imss_client_get_last_profile_deployment(manager));
	imss_ctl_json_add_string(builder,
				 "last_profile_result",
				 imss_client_get_last_profile_result(manager));
	imss_ctl_json_add_boolean(builder,
				  "click_protection_bound",
				  imss_client_get_click_protection_bound(manager));
	imss_ctl_json_add_string(builder, "node", imss_client_get_node_name(manager));
	json_builder_set_member_name(builder, "clock_skew");
	json_builder_add_int_value(builder, imss_client_get_clock_skew(manager));
	json_builder_set_member_name(builder, "restarts");
	json_builder_add_value(builder,
			       json_gvariant_serialize(imss_client_get_restarts(manager)));
	json_builder_set_member_name(builder, "slots");
	json_builder_begin_array(builder);
}

static void
imss_ctl_status_json_slot(ImssCtl *ctl, JsonBuilder *builder, ImssSlotId id, ImssSlot *slot, gint days)
{
	gint grace = imss_slot_get_state(slot) == IMSS_LICENSE_STATE_GRACE
			 ? imss_ctl_days_until(ctl, imss_slot_get_grace_end(slot))
			 : G_MININT;
	json_builder_begin_object(builder);
	imss_ctl_json_add_string(builder, "slot", imss_slot_to_string(id));
	imss_ctl_json_add_string(builder, "name", imss_slot_display_name(id));
	imss_ctl_json_add_boolean(builder, "enabled", imss_slot_get_enabled(slot));
	imss_ctl_json_add_string(builder, "state", imss_license_state_to_string(imss_slot_get_state(slot)));
	imss_ctl_json_add_string(builder, "expiry", imss_slot_get_expiry(slot));
	imss_ctl_json_add_string(builder, "grace_end", imss_slot_get_grace_end(slot));
	json_builder_set_member_name(builder, "days_left");
	if (days == G_MININT)
		json_builder_add_null_value(builder);
	else
		json_builder_add_int_value(builder, days);
	/* the days left of the grace period, null outside it */
	json_builder_set_member_name(builder, "grace_days_left");
	if (grace == G_MININT)
		json_builder_add_null_value(builder);
	else
		json_builder_add_int_value(builder, grace);
	imss_ctl_json_add_boolean(builder,
				  "updates_allowed",
				  imss_slot_get_updates_allowed(slot));
	imss_ctl_json_add_string(builder, "code", imss_slot_get_code(slot));
	imss_ctl_json_add_boolean(builder, "offline", imss_slot_get_offline(slot));
	imss_ctl_json_add_boolean(builder,
				  "expiry_verified",
				  imss_slot_get_expiry_verified(slot));
	imss_ctl_json_add_string(builder, "activated_at", imss_slot_get_activated_at(slot));
	imss_ctl_json_add_string(builder, "next_check", imss_slot_get_next_check(slot));
	imss_ctl_json_add_string(builder, "last_verified", imss_slot_get_last_verified(slot));
	imss_ctl_json_add_string(builder, "server_status", imss_slot_get_server_status(slot));
	imss_ctl_json_add_string(builder,
				 "last_check_error",
				 imss_slot_get_last_check_error(slot));
	imss_ctl_json_add_string(builder, "details_url", imss_slot_get_details_url(slot));
	json_builder_end_object(builder);
}

/* -- the table -------------------------------------------------------------- */

static gchar **
imss_ctl_status_header(void)
{
	gchar **header = g_new0(gchar *, IMSS_CTL_STATUS_COLUMNS + 1);
	/* TRANSLATORS: column headers of `imss-licensectl status` */
	header[0] = g_strdup(_("SLOT"));
	header[1] = g_strdup(_("LICENSE"));
	header[2] = g_strdup(_("STATE"));
	header[3] = g_strdup(_("EXPIRY"));
	header[4] = g_strdup(_("GRACE END"));
	header[5] = g_strdup(_("DAYS LEFT"));
	header[6] = g_strdup(_("CODE"));
	return header;
}

/* the masked code, and whether its expiry is the server's or its own */
static gchar *
imss_ctl_status_code_cell(ImssSlot *slot)
{
	const gchar *code = imss_slot_get_code(slot);

	if (*code == '\0')
		return g_strdup("-");
	if (!imss_slot_get_offline(slot) && !imss_slot_get_expiry_verified(slot))
		/* TRANSLATORS: %s is a masked code; the expiry is the code's own
		 * and not yet confirmed by the license server */
		return g_strdup_printf(_("%s (expiry unverified)"), code);
	if (imss_slot_get_offline(slot))
		/* TRANSLATORS: %s is a masked offline activation code */
		return g_strdup_printf(_("%s (offline)"), code);
	return g_strdup(code);
}

/* the days left: until the expiry, or in the grace period "grace: N days"
 * (never a negative number), or "-" */
static gchar *
imss_ctl_status_days_cell(ImssCtl *ctl, ImssSlot *slot, gint days)
{
	if (days == G_MININT)
		return g_strdup("-");
	if (imss_slot_get_state(slot) == IMSS_LICENSE_STATE_GRACE) {
		gint grace = imss_ctl_days_until(ctl, imss_slot_get_grace_end(slot));
		if (grace != G_MININT)
			/* TRANSLATORS: DAYS LEFT column during the grace period */
			return g_strdup_printf(ngettext("grace: %d day", "grace: %d days", (gulong)grace), grace);
	}
	if (days < 0)
		return g_strdup("-");
	return g_strdup_printf("%d", days);
}

static gchar **
imss_ctl_status_row(ImssCtl *ctl, ImssSlotId id, ImssSlot *slot, gint days)
{
	gchar **row = g_new0(gchar *, IMSS_CTL_STATUS_COLUMNS + 1);
	const gchar *expiry = imss_slot_get_expiry(slot);
	const gchar *grace_end = imss_slot_get_grace_end(slot);

	row[0] = g_strdup(imss_slot_to_string(id));
	row[1] = g_strdup(imss_slot_display_name(id));
	if (!imss_slot_get_enabled(slot))
		/* TRANSLATORS: state of a slot this edition cannot use */
		row[2] = g_strdup(_("not available"));
	else
		row[2] = g_strdup(imss_state_display_name(imss_license_state_to_string(imss_slot_get_state(slot))));
	row[3] = g_strdup(*expiry != '\0' ? expiry : "-");
	row[4] = g_strdup(*grace_end != '\0' ? grace_end : "-");
	row[5] = imss_ctl_status_days_cell(ctl, slot, days);
	row[6] = imss_ctl_status_code_cell(slot);
	return row;
}

/* the restarts that are queued or failed (SPEC §7), under the status table */
static gboolean
imss_ctl_print_restarts(GVariant *restarts, GError **error)
{
	gboolean failed = FALSE;
	for (gsize i = 0; restarts != NULL && i < g_variant_n_children(restarts); i++) {
		g_autoptr(GVariant) r = g_variant_get_child_value(restarts, i);
		g_auto(ImssRestartRecord) restart = {NULL};
		if (!imss_restart_record_from_variant(r, &restart, error))
			return imss_ctl_malformed(error);
		if (g_strcmp0(restart.state, "failed") == 0) {
			failed = TRUE;
			/* TRANSLATORS: status footer; %1$s a systemd unit, %2$s why (English) */
			g_print(_("The restart of %1$s failed: %2$s. The service may still be running "
				  "with the old license.\n"),
				restart.unit,
				restart.error);
		} else {
			/* TRANSLATORS: status footer; %s a systemd unit */
			g_print(_("A restart of %s is pending.\n"), restart.unit);
		}
	}
	if (failed)
		/* TRANSLATORS: status footer after a failed restart */
		g_print("%s\n", _("Fix the service, then run: imss-licensectl restart-services"));
	return TRUE;
}

/* the last Control Manager license profile, if one was deployed */
static void
imss_ctl_print_profile(ImssClient *manager)
{
	const gchar *deployment = imss_client_get_last_profile_deployment(manager);
	const gchar *result = imss_client_get_last_profile_result(manager);

	if (*deployment == '\0')
		return;
	/* TRANSLATORS: footer of the status table: %1$s time, %2$s outcome */
	g_print(_("Last Control Manager license profile: %1$s (%2$s)\n"), deployment, result);
	if (g_str_has_prefix(result, "failed"))
		/* TRANSLATORS: footer of the status table after a failed deployment */
		g_print("%s\n", _("The deployment failed and Control Manager does not retry: redeploy the license profile from Control Manager."));
}

/* this node of the fleet, and a clock the database disagrees with */
static void
imss_ctl_print_node(ImssClient *manager)
{
	gint64 skew = imss_client_get_clock_skew(manager);
	/* TRANSLATORS: footer of the status table: this gateway's node name */
	g_print(_("Node: %s\n"), imss_client_get_node_name(manager));
	if (skew > IMSS_CTL_SKEW_WARNING || skew < -IMSS_CTL_SKEW_WARNING)
		/* TRANSLATORS: footer of the status table; %lld is a number of seconds */
		g_print(_("Warning: this node's clock differs from the database's by %lld seconds. "
			  "Scheduled checks and mails follow the database's clock: set this node's "
			  "clock right (NTP).\n"),
			(long long)(skew < 0 ? -skew : skew));
}

/* what the table cannot say: the environment, the profile, Time-of-Click,
 * the restarts and the notices about the codes and the mails */
static gboolean
imss_ctl_status_footer(ImssCtl *ctl, GError **error)
{
	g_print("%s %s\n",
		/* TRANSLATORS: footer of the status table, followed by the environment */
		_("Environment:"),
		imss_ctl_environment_text(imss_client_get_environment(ctl->client)));
	imss_ctl_print_node(ctl->client);
	imss_ctl_print_profile(ctl->client);
	if (imss_client_get_click_protection_bound(ctl->client))
		/* TRANSLATORS: footer of the status table */
		g_print("%s\n",
			_("Time-of-Click protection is bound to the current anti-spam code."));
	if (!imss_ctl_print_restarts(imss_client_get_restarts(ctl->client), error))
		return FALSE;
	imss_ctl_print_notices_of(ctl, "code-");
	imss_ctl_print_notices_of(ctl, "no-mail-");
	return TRUE;
}

/* -- the commands ----------------------------------------------------------- */

gboolean
imss_ctl_status(ImssCtl *ctl, gchar **args, GError **error)
{
	g_autoptr(GPtrArray) rows = g_ptr_array_new_with_free_func((GDestroyNotify)g_strfreev);
	g_autoptr(JsonBuilder) builder = json_builder_new();

	g_return_val_if_fail(ctl != NULL, FALSE);
	g_return_val_if_fail(error == NULL || *error == NULL, FALSE);

	if (!imss_ctl_connect(ctl, error))
		return FALSE;
	if (!imss_ctl_load_today(ctl, error))
		return FALSE;
	if (ctl->json)
		imss_ctl_status_json_begin(ctl, builder);
	else
		g_ptr_array_add(rows, imss_ctl_status_header());
	for (guint i = 0; i < IMSS_SLOT_LAST; i++) {
		g_autoptr(ImssSlot) slot = imss_ctl_get_slot(ctl, (ImssSlotId)i, error);
		gint days;
		if (slot == NULL)
			return FALSE;
		days = imss_ctl_days_until(ctl, imss_slot_get_expiry(slot));
		if (ctl->json)
			imss_ctl_status_json_slot(ctl, builder, (ImssSlotId)i, slot, days);
		else
			g_ptr_array_add(rows, imss_ctl_status_row(ctl, (ImssSlotId)i, slot, days));
	}
	if (ctl->json) {
		json_builder_end_array(builder);
		json_builder_end_object(builder);
		imss_ctl_print_json(builder);
		return TRUE;
	}
	imss_ctl_print_table(rows, IMSS_CTL_STATUS_COLUMNS);
	return imss_ctl_status_footer(ctl, error);
}

gboolean
imss_ctl_details(ImssCtl *ctl, gchar **args, GError **error)
{
	g_autoptr(ImssSlot) slot = NULL;
	ImssSlotId slot_id;
	const gchar *url;

	g_return_val_if_fail(ctl != NULL && args != NULL, FALSE);
	g_return_val_if_fail(error == NULL || *error == NULL, FALSE);

	if (args[0] == NULL || args[1] != NULL)
		/* TRANSLATORS: usage error */
		return imss_ctl_usage_error(error, _("Usage: imss-licensectl details SLOT"));
	if (!imss_ctl_parse_slot(args[0], &slot_id, error))
		return FALSE;
	if (!imss_ctl_connect(ctl, error))
		return FALSE;
	slot = imss_ctl_get_slot(ctl, slot_id, error);
	if (slot == NULL)
		return FALSE;
	url = imss_slot_get_details_url(slot);
	if (*url == '\0') {
		g_set_error_literal(error,
				    IMSS_ERROR,
				    IMSS_ERROR_INVALID_ARGS,
				    /* TRANSLATORS: details asked for a slot without a license */
				    _("This license is not activated."));
		return FALSE;
	}
	if (ctl->json)
		imss_ctl_print_json_member("details_url", json_node_init_string(json_node_alloc(), url));
	else
		g_print("%s\n", url);
	return TRUE;
}
