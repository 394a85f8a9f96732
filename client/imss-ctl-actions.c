/*
 * The imss-licensectl commands that change state without a code on the
 * command line: update, restart-services, Time-of-Click protection, Control
 * Manager license profiles (the profile's code stays in its file) and the
 * notices for inactive components.
 */
#define G_LOG_DOMAIN "ImssCtl"

#include "config.h"

#include <glib/gi18n.h>

#include "imss-ctl.h"
#include "imss-error.h"
#include "imss-json.h"
#include "imss-records.h"

/* the outcome of a call: {"outcome": …} with --json; else @if_match when it
 * is @match, @otherwise when not */
static void
imss_ctl_print_outcome(ImssCtl *ctl,
		       const gchar *outcome,
		       const gchar *match,
		       const gchar *if_match,
		       const gchar *otherwise)
{
	if (ctl->json)
		imss_ctl_print_json_member("outcome", json_node_init_string(json_node_alloc(), outcome));
	else
		g_print("%s\n", g_strcmp0(outcome, match) == 0 ? if_match : otherwise);
}

gboolean
imss_ctl_update(ImssCtl *ctl, gchar **args, GError **error)
{
	g_autofree gchar *outcome = NULL;

	if (!imss_ctl_connect(ctl, error))
		return FALSE;
	imss_client_update_async(ctl->client, NULL, imss_ctl_async_cb, ctl);
	outcome = imss_client_update_finish(ctl->client, imss_ctl_wait(ctl), error);
	if (outcome == NULL)
		return FALSE;
	imss_ctl_print_outcome(ctl,
			       outcome,
			       "updated",
			       /* TRANSLATORS: SPEC §5.2, exact text */
			       _("The license was updated successfully."),
			       /* TRANSLATORS: SPEC §5.2, exact text */
			       _("No update is necessary."));
	/* a code the server says was replaced, is unknown or suspended: the
	 * reason a renewal does not show (SPEC §10 Q5 (1)) */
	if (!ctl->json)
		imss_ctl_print_notices_of(ctl, "code-");
	return TRUE;
}

gboolean
imss_ctl_restart_services(ImssCtl *ctl, gchar **args, GError **error)
{
	g_auto(GStrv) units = NULL;

	if (!imss_ctl_connect(ctl, error))
		return FALSE;
	imss_client_restart_services_async(ctl->client, NULL, imss_ctl_async_cb, ctl);
	units = imss_client_restart_services_finish(ctl->client, imss_ctl_wait(ctl), error);
	if (units == NULL)
		return FALSE;
	if (ctl->json) {
		JsonArray *array = json_array_new();
		for (guint i = 0; units[i] != NULL; i++)
			json_array_add_string_element(array, units[i]);
		imss_ctl_print_json_member("units", json_node_init_array(json_node_alloc(), array));
		json_array_unref(array);
		return TRUE;
	}
	for (guint i = 0; units[i] != NULL; i++)
		/* TRANSLATORS: after restart-services; %s a systemd unit */
		g_print(_("Restart of %s requested.\n"), units[i]);
	return TRUE;
}

gboolean
imss_ctl_bind_click(ImssCtl *ctl, gchar **args, GError **error)
{
	if (!imss_ctl_connect(ctl, error))
		return FALSE;
	imss_client_bind_click_protection_async(ctl->client, NULL, imss_ctl_async_cb, ctl);
	if (!imss_client_bind_click_protection_finish(ctl->client, imss_ctl_wait(ctl), error))
		return FALSE;
	if (ctl->json) {
		imss_ctl_print_json_member("bound", json_node_init_boolean(json_node_alloc(), TRUE));
		return TRUE;
	}
	/* TRANSLATORS: after binding Time-of-Click protection */
	g_print("%s\n", _("Time-of-Click protection is now bound to the current anti-spam code."));
	return TRUE;
}

gboolean
imss_ctl_release_click(ImssCtl *ctl, gchar **args, GError **error)
{
	gboolean released = FALSE;

	if (!imss_ctl_connect(ctl, error))
		return FALSE;
	imss_client_release_click_protection_async(ctl->client, NULL, imss_ctl_async_cb, ctl);
	if (!imss_client_release_click_protection_finish(ctl->client,
							 imss_ctl_wait(ctl),
							 &released,
							 error))
		return FALSE;
	if (ctl->json) {
		imss_ctl_print_json_member("released", json_node_init_boolean(json_node_alloc(), released));
	} else if (released) {
		/* TRANSLATORS: after releasing the binding */
		g_print("%s\n",
			_("The Time-of-Click protection binding was released. A different "
			  "anti-spam code can now be activated."));
	} else {
		/* TRANSLATORS: release asked but nothing was bound */
		g_print("%s\n", _("There was no Time-of-Click protection binding."));
	}
	return TRUE;
}

/* -- apply-profile ---------------------------------------------------------- */

/* The license profile in @path (JSON: slot, code, expiry, origin, issued) as
 * the a{sv} of ApplyProfile (floating): its string members, nothing else. */
static GVariant *
imss_ctl_load_profile(const gchar *path, GError **error)
{
	g_autoptr(JsonParser) parser = json_parser_new();
	g_autoptr(GError) error_local = NULL;
	g_autofree gchar *contents = NULL;
	const gchar *keys[] = {"slot", "code", "expiry", "origin", "issued"};
	GVariantBuilder builder;
	JsonNode *root;
	JsonObject *obj;
	gsize len = 0;

	if (!g_file_get_contents(path, &contents, &len, error))
		return NULL;
	/* the pre-check every program runs before json-glib (nesting, strict
	 * strings): what is wrong is said in English after the sentence */
	if (!imss_json_precheck(contents, len, &error_local)) {
		g_set_error(error, IMSS_ERROR, IMSS_ERROR_INVALID_ARGS, "%s (%s)",
			    /* TRANSLATORS: the profile file is not a JSON object */
			    _("The license profile must be a JSON object."), error_local->message);
		return NULL;
	}
	if (!json_parser_load_from_data(parser, contents, (gssize)len, error))
		return NULL;
	root = json_parser_get_root(parser);
	if (root == NULL || !JSON_NODE_HOLDS_OBJECT(root)) {
		g_set_error_literal(error, IMSS_ERROR, IMSS_ERROR_INVALID_ARGS,
				    /* TRANSLATORS: the profile file is not a JSON object */
				    _("The license profile must be a JSON object."));
		return NULL;
	}
	obj = json_node_get_object(root);
	g_variant_builder_init(&builder, G_VARIANT_TYPE_VARDICT);
	for (guint i = 0; i < G_N_ELEMENTS(keys); i++) {
		JsonNode *node = json_object_get_member(obj, keys[i]);
		if (node != NULL && JSON_NODE_HOLDS_VALUE(node) && json_node_get_value_type(node) == G_TYPE_STRING)
			imss_vardict_add(
			    &builder, keys[i], g_variant_new_string(json_node_get_string(node)));
	}
	return g_variant_builder_end(&builder);
}

/* a license profile from a file: the code stays out of argv */
gboolean
imss_ctl_apply_profile(ImssCtl *ctl, gchar **args, GError **error)
{
	g_autoptr(GVariant) profile = NULL;
	g_autofree gchar *outcome = NULL;

	g_return_val_if_fail(args != NULL, FALSE);

	if (args[0] == NULL || args[1] != NULL)
		return imss_ctl_usage_error(error,
					    /* TRANSLATORS: usage error */
					    _("Usage: imss-licensectl apply-profile FILE (a JSON license profile)"));
	profile = imss_ctl_load_profile(args[0], error);
	if (profile == NULL)
		return FALSE;
	g_variant_ref_sink(profile);
	if (!imss_ctl_connect(ctl, error))
		return FALSE;
	imss_client_apply_profile_async(ctl->client, profile, NULL, imss_ctl_async_cb, ctl);
	outcome = imss_client_apply_profile_finish(ctl->client, imss_ctl_wait(ctl), error);
	if (outcome == NULL)
		return FALSE;
	imss_ctl_print_outcome(ctl,
			       outcome,
			       "unchanged",
			       /* TRANSLATORS: after applying a license profile */
			       _("The license profile was applied: the expiry date is unchanged."),
			       /* TRANSLATORS: after applying a license profile */
			       _("The license profile was applied: the expiry date was updated. No service was restarted."));
	return TRUE;
}

/* -- the notices for inactive components ------------------------------------ */

static gboolean
imss_ctl_set_inactive_hidden(ImssCtl *ctl, gboolean hidden, GError **error)
{
	if (!imss_ctl_connect(ctl, error))
		return FALSE;
	imss_client_set_inactive_notices_hidden_async(ctl->client, hidden, NULL, imss_ctl_async_cb, ctl);
	if (!imss_client_set_inactive_notices_hidden_finish(ctl->client, imss_ctl_wait(ctl), error))
		return FALSE;
	if (ctl->json) {
		imss_ctl_print_json_member("inactive_notices_hidden",
					   json_node_init_boolean(json_node_alloc(), hidden));
		return TRUE;
	}
	g_print("%s\n",
		hidden ? /* TRANSLATORS: after hiding the inactive-component notices */
			 _("Notices for inactive components are hidden.")
		       : /* TRANSLATORS: after showing them again */
			 _("Notices for inactive components are shown."));
	return TRUE;
}

gboolean
imss_ctl_hide_inactive(ImssCtl *ctl, gchar **args, GError **error)
{
	return imss_ctl_set_inactive_hidden(ctl, TRUE, error);
}

gboolean
imss_ctl_show_inactive(ImssCtl *ctl, gchar **args, GError **error)
{
	return imss_ctl_set_inactive_hidden(ctl, FALSE, error);
}
