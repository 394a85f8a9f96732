/*
 * imss-licensectl: the operator's command line for imss-licensed.
 * It only talks D-Bus; every string a person reads goes through gettext.
 */
#define G_LOG_DOMAIN "ImssCtl"

#include "config.h"

#include <errno.h>
#include <glib/gi18n.h>
#include <json-glib/json-glib.h>
#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include "imss-bus.h"
#include "imss-catalog.h"
#include "imss-ctl-monitor.h"
#include "imss-date.h"
#include "imss-error.h"
#include "imss-generated.h"
#include "imss-json.h"
#include "imss-records.h"
#include "imss-slot.h"

#define IMSS_CODE_INPUT_MAX (2 * 1024 * 1024)
#define IMSS_CALL_TIMEOUT_MS 120000

typedef struct {
	gboolean json;
	guint limit;
	guint offset;
	guint days;
	GDate today; /* the daemon's calendar date */
	GDBusConnection *connection;
	ImssExportedManager *manager;
} ImssCtl;

typedef gboolean (*ImssCtlFunc)(ImssCtl *ctl, gchar **args, GError **error);

typedef struct {
	const gchar *name;
	const gchar *arguments;
	const gchar *description; /* N_() */
	ImssCtlFunc func;
} ImssCtlCommand;

/* -- connection ---------------------------------------------------------- */

static gboolean
imss_ctl_connect(ImssCtl *ctl, GError **error)
{
	if (ctl->manager != NULL)
		return TRUE;
	ctl->connection = g_bus_get_sync(G_BUS_TYPE_SYSTEM, NULL, error);
	if (ctl->connection == NULL)
		return FALSE;
	ctl->manager = imss_exported_manager_proxy_new_sync(ctl->connection,
							    G_DBUS_PROXY_FLAGS_NONE,
							    IMSS_BUS_NAME,
							    IMSS_BUS_OBJECT_PATH,
							    NULL,
							    error);
	return ctl->manager != NULL;
}

static ImssExportedSlot *
imss_ctl_get_slot(ImssCtl *ctl, ImssSlotId slot, GError **error)
{
	g_autofree gchar *path = imss_slot_object_path(slot);
	return imss_exported_slot_proxy_new_sync(ctl->connection,
						 G_DBUS_PROXY_FLAGS_GET_INVALIDATED_PROPERTIES,
						 IMSS_BUS_NAME,
						 path,
						 NULL,
						 error);
}

/* a read call: its single return value (owned), or NULL with @error */
static GVariant *
imss_ctl_read(ImssCtl *ctl, const gchar *method, GVariant *params, GError **error)
{
	g_autoptr(GVariant) reply = g_dbus_proxy_call_sync(G_DBUS_PROXY(ctl->manager),
							   method,
							   params,
							   G_DBUS_CALL_FLAGS_NONE,
							   IMSS_CALL_TIMEOUT_MS,
							   NULL,
							   error);
	if (reply == NULL)
		return NULL;
	return g_variant_get_child_value(reply, 0);
}

/* a call that changes state: let polkit ask for a password on a terminal */
static GVariant *
imss_ctl_call(ImssCtl *ctl, const gchar *method, GVariant *params, GError **error)
{
	GDBusCallFlags flags = G_DBUS_CALL_FLAGS_NONE;
	if (isatty(STDIN_FILENO))
		flags |= G_DBUS_CALL_FLAGS_ALLOW_INTERACTIVE_AUTHORIZATION;
	return g_dbus_proxy_call_sync(G_DBUS_PROXY(ctl->manager),
				      method,
				      params,
				      flags,
				      IMSS_CALL_TIMEOUT_MS,
				      NULL,
				      error);
}

/* a record the daemon sent that the common codec refused (a daemon of
 * another version, or something in its place): one clear line, never a
 * guess at what it meant */
static gboolean
imss_ctl_malformed(GError **error)
{
	g_prefix_error(error,
		       "%s: ",
		       /* TRANSLATORS: followed by what is wrong, in English */
		       _("The license service sent an answer this program cannot read"));
	return FALSE;
}

/* -- text helpers -------------------------------------------------------------- */

/* display width of a UTF-8 string on a terminal (CJK counts double) */
static guint
imss_ctl_width(const gchar *str)
{
	guint w = 0;
	for (const gchar *p = str; *p != '\0'; p = g_utf8_next_char(p)) {
		gunichar c = g_utf8_get_char(p);
		if (g_unichar_iszerowidth(c))
			continue;
		w += g_unichar_iswide(c) ? 2 : 1;
	}
	return w;
}

static void
imss_ctl_print_table(GPtrArray *rows, guint ncols)
{
	g_autofree guint *widths = g_new0(guint, ncols);
	for (guint r = 0; r < rows->len; r++) {
		gchar **row = g_ptr_array_index(rows, r);
		for (guint c = 0; c < ncols; c++)
			widths[c] = MAX(widths[c], imss_ctl_width(row[c]));
	}
	for (guint r = 0; r < rows->len; r++) {
		gchar **row = g_ptr_array_index(rows, r);
		g_autoptr(GString) line = g_string_new(NULL);
		for (guint c = 0; c < ncols; c++) {
			g_string_append(line, row[c]);
			if (c + 1 < ncols) {
				for (guint i = imss_ctl_width(row[c]); i < widths[c] + 2; i++)
					g_string_append_c(line, ' ');
			}
		}
		g_print("%s\n", line->str);
	}
}


static void
imss_ctl_print_json(JsonBuilder *builder)
{
	g_autoptr(JsonGenerator) gen = json_generator_new();
	g_autoptr(JsonNode) root = json_builder_get_root(builder);
	g_autofree gchar *out = NULL;
	json_generator_set_pretty(gen, TRUE);
	json_generator_set_root(gen, root);
	out = json_generator_to_data(gen, NULL);
	g_print("%s\n", out);
}

/* the daemon's calendar date: days left are counted the way it counts them
 * (its zone, or its virtual clock) */
static gboolean
imss_ctl_load_today(ImssCtl *ctl, GError **error)
{
	g_autoptr(GVariant) dict = NULL;
	g_auto(ImssClockRecord) clock = {NULL};

	dict = imss_ctl_read(ctl, "GetClock", NULL, error);
	if (dict == NULL)
		return FALSE;
	if (!imss_clock_record_from_variant(dict, &clock, error))
		return imss_ctl_malformed(error);
	g_date_clear(&ctl->today, 1);
	/* a date it cannot read leaves today unset: no days left are shown */
	imss_date_parse(clock.today, &ctl->today);
	return TRUE;
}

/* days from the daemon's today to @date_str, or G_MININT when there is no date */
static gint
imss_ctl_days_until(ImssCtl *ctl, const gchar *date_str)
{
	GDate date;
	if (!g_date_valid(&ctl->today) || !imss_date_parse(date_str, &date))
		return G_MININT;
	return g_date_days_between(&ctl->today, &date);
}

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

/* -- commands -------------------------------------------------------------- */

static void imss_ctl_print_notices_of(ImssCtl *ctl, const gchar *prefix);

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

static gboolean
imss_ctl_status(ImssCtl *ctl, gchar **args, GError **error)
{
	g_autoptr(GPtrArray) rows = g_ptr_array_new_with_free_func((GDestroyNotify)g_strfreev);
	g_autoptr(JsonBuilder) builder = json_builder_new();

	if (!imss_ctl_connect(ctl, error))
		return FALSE;
	if (!imss_ctl_load_today(ctl, error))
		return FALSE;
	if (ctl->json) {
		json_builder_begin_object(builder);
		json_builder_set_member_name(builder, "edition");
		json_builder_add_string_value(builder,
					      imss_exported_manager_get_edition(ctl->manager));
		json_builder_set_member_name(builder, "environment");
		json_builder_add_string_value(builder,
					      imss_exported_manager_get_environment(ctl->manager));
		json_builder_set_member_name(builder, "last_profile_deployment");
		json_builder_add_string_value(builder,
					      imss_exported_manager_get_last_profile_deployment(ctl->manager));
		json_builder_set_member_name(builder, "last_profile_result");
		json_builder_add_string_value(builder, imss_exported_manager_get_last_profile_result(ctl->manager));
		json_builder_set_member_name(builder, "click_protection_bound");
		json_builder_add_boolean_value(
		    builder,
		    imss_exported_manager_get_click_protection_bound(ctl->manager));
		json_builder_set_member_name(builder, "restarts");
		json_builder_add_value(
		    builder,
		    json_gvariant_serialize(imss_exported_manager_get_restarts(ctl->manager)));
		json_builder_set_member_name(builder, "slots");
		json_builder_begin_array(builder);
	} else {
		gchar **header = g_new0(gchar *, 7);
		/* TRANSLATORS: column headers of `imss-licensectl status` */
		header[0] = g_strdup(_("SLOT"));
		header[1] = g_strdup(_("STATE"));
		header[2] = g_strdup(_("EXPIRY"));
		header[3] = g_strdup(_("GRACE END"));
		header[4] = g_strdup(_("DAYS LEFT"));
		header[5] = g_strdup(_("CODE"));
		g_ptr_array_add(rows, header);
	}
	for (guint i = 0; i < IMSS_SLOT_LAST; i++) {
		g_autoptr(ImssExportedSlot) slot = imss_ctl_get_slot(ctl, (ImssSlotId)i, error);
		const gchar *expiry;
		gint days;
		if (slot == NULL)
			return FALSE;
		expiry = imss_exported_slot_get_expiry_date(slot);
		days = imss_ctl_days_until(ctl, expiry);
		if (ctl->json) {
			json_builder_begin_object(builder);
			json_builder_set_member_name(builder, "slot");
			json_builder_add_string_value(builder, imss_slot_to_string((ImssSlotId)i));
			json_builder_set_member_name(builder, "name");
			json_builder_add_string_value(builder,
						      imss_slot_display_name((ImssSlotId)i));
			json_builder_set_member_name(builder, "enabled");
			json_builder_add_boolean_value(builder,
						       imss_exported_slot_get_enabled(slot));
			json_builder_set_member_name(builder, "state");
			json_builder_add_string_value(builder, imss_exported_slot_get_state(slot));
			json_builder_set_member_name(builder, "expiry");
			json_builder_add_string_value(builder, expiry);
			json_builder_set_member_name(builder, "grace_end");
			json_builder_add_string_value(builder,
						      imss_exported_slot_get_grace_end_date(slot));
			json_builder_set_member_name(builder, "days_left");
			if (days == G_MININT)
				json_builder_add_null_value(builder);
			else
				json_builder_add_int_value(builder, days);
			json_builder_set_member_name(builder, "updates_allowed");
			json_builder_add_boolean_value(builder,
						       imss_exported_slot_get_updates_allowed(slot));
			json_builder_set_member_name(builder, "code");
			json_builder_add_string_value(builder,
						      imss_exported_slot_get_activation_code(slot));
			json_builder_set_member_name(builder, "offline");
			json_builder_add_boolean_value(builder, imss_exported_slot_get_offline(slot));
			json_builder_set_member_name(builder, "expiry_verified");
			json_builder_add_boolean_value(builder,
						       imss_exported_slot_get_expiry_verified(slot));
			json_builder_set_member_name(builder, "activated_at");
			json_builder_add_string_value(builder,
						      imss_exported_slot_get_activated_at(slot));
			json_builder_set_member_name(builder, "next_check");
			json_builder_add_string_value(builder,
						      imss_exported_slot_get_next_check(slot));
			json_builder_set_member_name(builder, "last_verified");
			json_builder_add_string_value(builder,
						      imss_exported_slot_get_last_verified(slot));
			json_builder_set_member_name(builder, "server_status");
			json_builder_add_string_value(builder,
						      imss_exported_slot_get_server_status(slot));
			json_builder_set_member_name(builder, "last_check_error");
			json_builder_add_string_value(builder,
						      imss_exported_slot_get_last_check_error(slot));
			json_builder_set_member_name(builder, "details_url");
			json_builder_add_string_value(builder,
						      imss_exported_slot_get_details_url(slot));
			json_builder_end_object(builder);
		} else {
			gchar **row = g_new0(gchar *, 7);
			row[0] = g_strdup(imss_slot_to_string((ImssSlotId)i));
			if (!imss_exported_slot_get_enabled(slot))
				/* TRANSLATORS: state of a slot this edition cannot use */
				row[1] = g_strdup(_("not available"));
			else
				row[1] = g_strdup(imss_state_display_name(imss_exported_slot_get_state(slot)));
			row[2] = g_strdup(*expiry != '\0' ? expiry : "-");
			row[3] = g_strdup(*imss_exported_slot_get_grace_end_date(slot) != '\0'
					      ? imss_exported_slot_get_grace_end_date(slot)
					      : "-");
			row[4] = days == G_MININT ? g_strdup("-") : g_strdup_printf("%d", days);
			if (*imss_exported_slot_get_activation_code(slot) == '\0')
				row[5] = g_strdup("-");
			else if (!imss_exported_slot_get_offline(slot) &&
				 !imss_exported_slot_get_expiry_verified(slot))
				/* TRANSLATORS: %s is a masked code; the expiry is the code's own
				 * and not yet confirmed by the license server */
				row[5] = g_strdup_printf(_("%s (expiry unverified)"),
							 imss_exported_slot_get_activation_code(slot));
			else if (imss_exported_slot_get_offline(slot))
				/* TRANSLATORS: %s is a masked offline activation code */
				row[5] = g_strdup_printf(_("%s (offline)"),
							 imss_exported_slot_get_activation_code(slot));
			else
				row[5] = g_strdup(imss_exported_slot_get_activation_code(slot));
			g_ptr_array_add(rows, row);
		}
	}
	if (ctl->json) {
		json_builder_end_array(builder);
		json_builder_end_object(builder);
		imss_ctl_print_json(builder);
	} else {
		imss_ctl_print_table(rows, 6);
		g_print("%s %s\n",
			/* TRANSLATORS: footer of the status table, followed by the environment */
			_("Environment:"),
			imss_ctl_environment_text(imss_exported_manager_get_environment(ctl->manager)));
		if (*imss_exported_manager_get_last_profile_deployment(ctl->manager) != '\0') {
			const gchar *result = imss_exported_manager_get_last_profile_result(ctl->manager);
			/* TRANSLATORS: footer of the status table: %1$s time, %2$s outcome */
			g_print(_("Last Control Manager license profile: %1$s (%2$s)\n"),
				imss_exported_manager_get_last_profile_deployment(ctl->manager),
				result);
			if (g_str_has_prefix(result, "failed"))
				/* TRANSLATORS: footer of the status table after a failed deployment */
				g_print("%s\n", _("The deployment failed and Control Manager does not retry: redeploy the license profile from Control Manager."));
		}
		if (imss_exported_manager_get_click_protection_bound(ctl->manager))
			/* TRANSLATORS: footer of the status table */
			g_print("%s\n",
				_("Time-of-Click protection is bound to the current anti-spam code."));
		if (!imss_ctl_print_restarts(imss_exported_manager_get_restarts(ctl->manager),
					     error))
			return FALSE;
		imss_ctl_print_notices_of(ctl, "code-");
		imss_ctl_print_notices_of(ctl, "no-mail-");
	}
	return TRUE;
}

/* Reads the code from stdin: a prompt without echo on a terminal, otherwise
 * the first line. Keeps the code out of argv and the shell history. */
static gchar *
imss_ctl_read_code(GError **error)
{
	g_autoptr(GString) buf = g_string_new(NULL);
	struct termios old, noecho;
	gboolean tty = isatty(STDIN_FILENO);
	gint c;

	if (tty) {
		/* TRANSLATORS: prompt; the input is not echoed */
		g_printerr("%s", _("Activation code: "));
		if (tcgetattr(STDIN_FILENO, &old) == 0) {
			noecho = old;
			noecho.c_lflag &= ~(tcflag_t)ECHO;
			tcsetattr(STDIN_FILENO, TCSAFLUSH, &noecho);
		} else {
			tty = FALSE;
		}
	}
	while ((c = getchar()) != EOF && c != '\n') {
		if (buf->len >= IMSS_CODE_INPUT_MAX)
			continue; /* keep reading the line, ignore the rest */
		g_string_append_c(buf, (gchar)c);
	}
	if (tty) {
		tcsetattr(STDIN_FILENO, TCSAFLUSH, &old);
		g_printerr("\n");
	}
	if (buf->len == 0 && c == EOF && ferror(stdin)) {
		g_set_error(error, G_IO_ERROR, G_IO_ERROR_FAILED, "%s", g_strerror(errno));
		return NULL;
	}
	return g_string_free(g_steal_pointer(&buf), FALSE);
}

static gboolean
imss_ctl_activate(ImssCtl *ctl, gchar **args, GError **error)
{
	g_autofree gchar *code = NULL;
	g_autoptr(GVariant) reply = NULL;
	g_autoptr(ImssExportedSlot) slot = NULL;
	const gchar *path = NULL;
	ImssSlotId slot_id;

	if (args[0] == NULL || (args[1] != NULL && args[2] != NULL)) {
		g_set_error_literal(error,
				    G_OPTION_ERROR,
				    G_OPTION_ERROR_BAD_VALUE,
				    /* TRANSLATORS: usage error */
				    _("Usage: imss-licensectl activate SLOT [CODE|-] "
				      "(the code is read from standard input when not given)"));
		return FALSE;
	}
	if (!imss_slot_from_string(args[0], &slot_id)) {
		g_set_error_literal(error,
				    IMSS_ERROR,
				    IMSS_ERROR_UNKNOWN_SLOT,
				    imss_error_to_text(IMSS_ERROR_UNKNOWN_SLOT));
		return FALSE;
	}
	if (args[1] != NULL && g_strcmp0(args[1], "-") != 0) {
		code = g_strdup(args[1]);
	} else {
		code = imss_ctl_read_code(error);
		if (code == NULL)
			return FALSE;
	}
	/* a D-Bus string must be UTF-8: anything else cannot be a code */
	if (!g_utf8_validate(code, -1, NULL) || strlen(code) > IMSS_CODE_INPUT_MAX) {
		g_set_error_literal(error,
				    IMSS_ERROR,
				    IMSS_ERROR_INVALID_CODE,
				    imss_error_to_text(IMSS_ERROR_INVALID_CODE));
		return FALSE;
	}
	if (!imss_ctl_connect(ctl, error))
		return FALSE;
	reply = imss_ctl_call(ctl, "Activate", g_variant_new("(ss)", args[0], code), error);
	memset(code, 0, strlen(code));
	if (reply == NULL)
		return FALSE;
	g_variant_get(reply, "(&o)", &path);
	slot = imss_ctl_get_slot(ctl, slot_id, error);
	if (slot == NULL)
		return FALSE;
	if (ctl->json) {
		g_autoptr(JsonBuilder) builder = json_builder_new();
		json_builder_begin_object(builder);
		json_builder_set_member_name(builder, "slot");
		json_builder_add_string_value(builder, args[0]);
		json_builder_set_member_name(builder, "object");
		json_builder_add_string_value(builder, path);
		json_builder_set_member_name(builder, "expiry");
		json_builder_add_string_value(builder, imss_exported_slot_get_expiry_date(slot));
		json_builder_set_member_name(builder, "expiry_verified");
		json_builder_add_boolean_value(builder, imss_exported_slot_get_expiry_verified(slot));
		json_builder_set_member_name(builder, "code");
		json_builder_add_string_value(builder, imss_exported_slot_get_activation_code(slot));
		json_builder_end_object(builder);
		imss_ctl_print_json(builder);
		return TRUE;
	}
	/* TRANSLATORS: %1$s license name, %2$s expiry date YYYY-MM-DD */
	g_print(_("%1$s was activated. Expiry date: %2$s\n"),
		imss_slot_display_name(slot_id),
		imss_exported_slot_get_expiry_date(slot));
	if (slot_id == IMSS_SLOT_ANTISPAM)
		/* TRANSLATORS: %s is the Email Reputation license name */
		g_print(_("%s was activated with the same code.\n"),
			imss_slot_display_name(IMSS_SLOT_EMAIL_REPUTATION));
	if (!imss_exported_slot_get_offline(slot) && !imss_exported_slot_get_expiry_verified(slot))
		g_print("%s\n",
			/* TRANSLATORS: shown after an activation the server has not confirmed */
			_("The expiry date is the one issued with the code; it has not been "
			  "confirmed by the license server yet."));
	return TRUE;
}

static gboolean
imss_ctl_update(ImssCtl *ctl, gchar **args, GError **error)
{
	g_autoptr(GVariant) reply = NULL;
	const gchar *outcome = NULL;
	if (!imss_ctl_connect(ctl, error))
		return FALSE;
	reply = imss_ctl_call(ctl, "UpdateStatus", NULL, error);
	if (reply == NULL)
		return FALSE;
	g_variant_get(reply, "(&s)", &outcome);
	if (ctl->json) {
		g_autoptr(JsonBuilder) builder = json_builder_new();
		json_builder_begin_object(builder);
		json_builder_set_member_name(builder, "outcome");
		json_builder_add_string_value(builder, outcome);
		json_builder_end_object(builder);
		imss_ctl_print_json(builder);
	} else if (g_strcmp0(outcome, "updated") == 0) {
		/* TRANSLATORS: SPEC §5.2, exact text */
		g_print("%s\n", _("The license was updated successfully."));
	} else {
		/* TRANSLATORS: SPEC §5.2, exact text */
		g_print("%s\n", _("No update is necessary."));
	}
	/* a code the server says was replaced, is unknown or suspended: the
	 * reason a renewal does not show (SPEC §10 Q5 (1)) */
	if (!ctl->json)
		imss_ctl_print_notices_of(ctl, "code-");
	return TRUE;
}

static gboolean
imss_ctl_restart_services(ImssCtl *ctl, gchar **args, GError **error)
{
	g_autoptr(GVariant) reply = NULL;
	g_autofree const gchar **units = NULL;
	if (!imss_ctl_connect(ctl, error))
		return FALSE;
	reply = imss_ctl_call(ctl, "RestartServices", NULL, error);
	if (reply == NULL)
		return FALSE;
	g_variant_get(reply, "(^a&s)", &units);
	if (ctl->json) {
		g_autoptr(JsonBuilder) builder = json_builder_new();
		json_builder_begin_object(builder);
		json_builder_set_member_name(builder, "units");
		json_builder_begin_array(builder);
		for (guint i = 0; units[i] != NULL; i++)
			json_builder_add_string_value(builder, units[i]);
		json_builder_end_array(builder);
		json_builder_end_object(builder);
		imss_ctl_print_json(builder);
		return TRUE;
	}
	for (guint i = 0; units[i] != NULL; i++)
		/* TRANSLATORS: after restart-services; %s a systemd unit */
		g_print(_("Restart of %s requested.\n"), units[i]);
	return TRUE;
}

static gboolean
imss_ctl_bind_click(ImssCtl *ctl, gchar **args, GError **error)
{
	g_autoptr(GVariant) reply = NULL;
	if (!imss_ctl_connect(ctl, error))
		return FALSE;
	reply = imss_ctl_call(ctl, "BindClickProtection", NULL, error);
	if (reply == NULL)
		return FALSE;
	/* TRANSLATORS: after binding Time-of-Click protection */
	g_print("%s\n", _("Time-of-Click protection is now bound to the current anti-spam code."));
	return TRUE;
}

static gboolean
imss_ctl_release_click(ImssCtl *ctl, gchar **args, GError **error)
{
	g_autoptr(GVariant) reply = NULL;
	gboolean released = FALSE;
	if (!imss_ctl_connect(ctl, error))
		return FALSE;
	reply = imss_ctl_call(ctl, "ReleaseClickProtection", NULL, error);
	if (reply == NULL)
		return FALSE;
	g_variant_get(reply, "(b)", &released);
	if (ctl->json) {
		g_autoptr(JsonBuilder) builder = json_builder_new();
		json_builder_begin_object(builder);
		json_builder_set_member_name(builder, "released");
		json_builder_add_boolean_value(builder, released);
		json_builder_end_object(builder);
		imss_ctl_print_json(builder);
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

/* The cells of one row of a records table, decoded from @entry with the
 * common record codec (owned; "" is shown as "-"); FALSE when the codec
 * refuses @entry. */
typedef gboolean (*ImssCtlRowFunc)(GVariant *entry, gchar **cells, GError **error);

/* Prints an aa{sv} of records: with --json every record whole (an array, or
 * the member an @envelope object builder was left at, which is then closed),
 * else a table under @headers; @empty_text when there is no record. Every
 * record is decoded first, so a malformed one fails the command either way. */
static gboolean
imss_ctl_print_records(ImssCtl *ctl,
		       GVariant *records,
		       const gchar *const *headers,
		       guint ncols,
		       ImssCtlRowFunc row_func,
		       const gchar *empty_text,
		       JsonBuilder *envelope,
		       GError **error)
{
	g_autoptr(GPtrArray) rows = g_ptr_array_new_with_free_func((GDestroyNotify)g_strfreev);
	g_autoptr(JsonBuilder) own = envelope == NULL ? json_builder_new() : NULL;
	JsonBuilder *builder = envelope != NULL ? envelope : own;

	g_ptr_array_add(rows, g_strdupv((gchar **)headers));
	json_builder_begin_array(builder);
	for (gsize i = 0; i < g_variant_n_children(records); i++) {
		g_autoptr(GVariant) entry = g_variant_get_child_value(records, i);
		gchar **row = g_new0(gchar *, ncols + 1);
		g_ptr_array_add(rows, row);
		if (!row_func(entry, row, error))
			return imss_ctl_malformed(error);
		for (guint c = 0; c < ncols; c++) {
			if (row[c] == NULL || *row[c] == '\0') {
				g_free(row[c]);
				row[c] = g_strdup("-");
			}
		}
		json_builder_add_value(builder, json_gvariant_serialize(entry));
	}
	json_builder_end_array(builder);
	if (envelope != NULL)
		json_builder_end_object(builder);
	if (ctl->json)
		imss_ctl_print_json(builder);
	else if (rows->len == 1 && empty_text != NULL)
		g_print("%s\n", empty_text);
	else
		imss_ctl_print_table(rows, ncols);
	return TRUE;
}

static gboolean
imss_ctl_history_row(GVariant *entry, gchar **cells, GError **error)
{
	g_auto(ImssHistoryRecord) h = {NULL};
	if (!imss_history_record_from_variant(entry, &h, error))
		return FALSE;
	cells[0] = g_steal_pointer(&h.time);
	cells[1] = g_steal_pointer(&h.action);
	cells[2] = g_steal_pointer(&h.slot);
	cells[3] = g_steal_pointer(&h.code);
	cells[4] = g_steal_pointer(&h.caller);
	cells[5] = g_steal_pointer(&h.outcome);
	cells[6] = g_steal_pointer(&h.detail);
	return TRUE;
}

static gboolean
imss_ctl_history(ImssCtl *ctl, gchar **args, GError **error)
{
	g_autoptr(GVariant) entries = NULL;
	/* TRANSLATORS: column headers of `imss-licensectl history` */
	const gchar *const headers[] = {_("TIME"),
					_("ACTION"),
					_("SLOT"),
					_("CODE"),
					_("BY"),
					_("OUTCOME"),
					_("DETAIL"),
					NULL};
	g_autoptr(GVariant) reply = NULL;
	g_autoptr(JsonBuilder) envelope = json_builder_new();
	const gchar *empty;
	guint total = 0;
	guint n;

	if (!imss_ctl_connect(ctl, error))
		return FALSE;
	/* one page: --limit (0: the daemon's default, 100; at most 500) entries
	 * from the --offset-th newest on */
	reply = g_dbus_proxy_call_sync(G_DBUS_PROXY(ctl->manager),
				       "GetHistoryPage",
				       g_variant_new("(uu)", ctl->offset, ctl->limit),
				       G_DBUS_CALL_FLAGS_NONE,
				       IMSS_CALL_TIMEOUT_MS,
				       NULL,
				       error);
	if (reply == NULL)
		return FALSE;
	g_variant_get(reply, "(@aa{sv}u)", &entries, &total);
	n = (guint)g_variant_n_children(entries);
	json_builder_begin_object(envelope);
	json_builder_set_member_name(envelope, "total");
	json_builder_add_int_value(envelope, total);
	json_builder_set_member_name(envelope, "offset");
	json_builder_add_int_value(envelope, ctl->offset);
	json_builder_set_member_name(envelope, "entries");
	if (total == 0)
		/* TRANSLATORS: `history` when nothing was recorded yet */
		empty = _("The history is empty.");
	else
		/* TRANSLATORS: `history --offset N` past the oldest entry */
		empty = _("There are no entries that old.");
	if (!imss_ctl_print_records(ctl,
				    entries,
				    headers,
				    G_N_ELEMENTS(headers) - 1,
				    imss_ctl_history_row,
				    empty,
				    envelope,
				    error))
		return FALSE;
	if (ctl->json || n == 0)
		return TRUE;
	/* TRANSLATORS: under the history table: the first and the last entry
	 * shown (1 is the newest) and how many there are */
	g_print(_("Entries %u–%u of %u.\n"), ctl->offset + 1, ctl->offset + n, total);
	if (ctl->offset + n < total)
		/* TRANSLATORS: under the history table when there are older entries;
		 * %u is the offset of the next page */
		g_print(_("Older entries: imss-licensectl history --offset %u\n"), ctl->offset + n);
	return TRUE;
}

static const gchar *
imss_ctl_event_text(const gchar *kind)
{
	if (g_strcmp0(kind, "check") == 0)
		/* TRANSLATORS: a scheduled event: automatic license-server check */
		return _("automatic license check");
	if (g_strcmp0(kind, "expiring") == 0)
		/* TRANSLATORS: a scheduled event: 60 days before expiry */
		return _("expiry notices begin (60 days left)");
	if (g_strcmp0(kind, "grace") == 0)
		/* TRANSLATORS: a scheduled event: the expiry date */
		return _("license expires; grace period begins");
	if (g_strcmp0(kind, "expired") == 0)
		/* TRANSLATORS: a scheduled event: end of the grace period */
		return _("grace period ends; component updates restricted");
	return kind;
}

static gboolean
imss_ctl_event_row(GVariant *entry, gchar **cells, GError **error)
{
	g_auto(ImssEventRecord) ev = {NULL};
	if (!imss_event_record_from_variant(entry, &ev, error))
		return FALSE;
	cells[0] = g_steal_pointer(&ev.time);
	cells[1] = g_steal_pointer(&ev.slot);
	cells[2] = g_strdup(*ev.kind != '\0' ? imss_ctl_event_text(ev.kind) : "");
	cells[3] = g_steal_pointer(&ev.offset);
	return TRUE;
}

static gboolean
imss_ctl_schedule(ImssCtl *ctl, gchar **args, GError **error)
{
	g_autoptr(GVariant) events = NULL;
	/* TRANSLATORS: column headers of `imss-licensectl schedule` */
	const gchar *const headers[] = {_("TIME"),
					_("SLOT"),
					_("EVENT"),
					_("RELATIVE TO EXPIRY"),
					NULL};

	if (!imss_ctl_connect(ctl, error))
		return FALSE;
	events = imss_ctl_read(ctl, "ListEvents", g_variant_new("(u)", ctl->days), error);
	if (events == NULL)
		return FALSE;
	return imss_ctl_print_records(ctl,
				      events,
				      headers,
				      G_N_ELEMENTS(headers) - 1,
				      imss_ctl_event_row,
				      /* TRANSLATORS: `schedule` when nothing is activated */
				      _("Nothing is scheduled: no license is activated."),
				      NULL,
				      error);
}

static gboolean
imss_ctl_details(ImssCtl *ctl, gchar **args, GError **error)
{
	g_autoptr(ImssExportedSlot) slot = NULL;
	ImssSlotId slot_id;
	const gchar *url;
	if (args[0] == NULL || args[1] != NULL) {
		g_set_error_literal(error,
				    G_OPTION_ERROR,
				    G_OPTION_ERROR_BAD_VALUE,
				    /* TRANSLATORS: usage error */
				    _("Usage: imss-licensectl details SLOT"));
		return FALSE;
	}
	if (!imss_slot_from_string(args[0], &slot_id)) {
		g_set_error_literal(error,
				    IMSS_ERROR,
				    IMSS_ERROR_UNKNOWN_SLOT,
				    imss_error_to_text(IMSS_ERROR_UNKNOWN_SLOT));
		return FALSE;
	}
	if (!imss_ctl_connect(ctl, error))
		return FALSE;
	slot = imss_ctl_get_slot(ctl, slot_id, error);
	if (slot == NULL)
		return FALSE;
	url = imss_exported_slot_get_details_url(slot);
	if (*url == '\0') {
		g_set_error_literal(error,
				    IMSS_ERROR,
				    IMSS_ERROR_INVALID_ARGS,
				    /* TRANSLATORS: details asked for a slot without a license */
				    _("This license is not activated."));
		return FALSE;
	}
	g_print("%s\n", url);
	return TRUE;
}

/* the language the daemon renders notices in: the client's own */
static const gchar *
imss_ctl_language(void)
{
	const gchar *const *names = g_get_language_names();
	for (guint i = 0; names[i] != NULL; i++) {
		/* "ja_JP.UTF-8", "ja_JP", "ja" ...: the first real one */
		if (g_strcmp0(names[i], "C") != 0 && g_strcmp0(names[i], "POSIX") != 0 &&
		    !g_str_has_prefix(names[i], "C."))
			return names[i];
	}
	return "en";
}

/* one notice of GetNotices: a severity mark, what it is about, the text */
static void
imss_ctl_print_notice(GVariant *notice)
{
	const gchar *slot = "", *unit = "", *severity = "", *text = "";
	const gchar *mark;
	g_variant_lookup(notice, "slot", "&s", &slot);
	g_variant_lookup(notice, "unit", "&s", &unit);
	g_variant_lookup(notice, "severity", "&s", &severity);
	g_variant_lookup(notice, "text", "&s", &text);
	mark = g_strcmp0(severity, "critical") == 0  ? "!!"
	       : g_strcmp0(severity, "warning") == 0 ? "! "
						     : "  ";
	if (*slot != '\0' || *unit != '\0')
		g_print("%s [%s] %s\n", mark, *slot != '\0' ? slot : unit, text);
	else
		g_print("%s %s\n", mark, text);
}

/* the notices whose kind starts with @prefix (what the server said about
 * the codes after an update, under the status table) */
static void
imss_ctl_print_notices_of(ImssCtl *ctl, const gchar *prefix)
{
	g_autoptr(GVariant) notices = NULL;
	GVariantIter iter;
	GVariant *entry;
	notices = imss_ctl_read(ctl, "GetNotices", g_variant_new("(s)", imss_ctl_language()), NULL);
	if (notices == NULL)
		return;
	g_variant_iter_init(&iter, notices);
	while ((entry = g_variant_iter_next_value(&iter)) != NULL) {
		const gchar *kind = "";
		g_variant_lookup(entry, "kind", "&s", &kind);
		if (g_str_has_prefix(kind, prefix))
			imss_ctl_print_notice(entry);
		g_variant_unref(entry);
	}
}

static gboolean
imss_ctl_notices(ImssCtl *ctl, gchar **args, GError **error)
{
	g_autoptr(GVariant) notices = NULL;
	g_autoptr(JsonBuilder) builder = json_builder_new();
	GVariantIter iter;
	GVariant *entry;
	guint n = 0;

	if (!imss_ctl_connect(ctl, error))
		return FALSE;
	notices = imss_ctl_read(ctl, "GetNotices", g_variant_new("(s)", imss_ctl_language()), error);
	if (notices == NULL)
		return FALSE;
	if (ctl->json)
		json_builder_begin_array(builder);
	g_variant_iter_init(&iter, notices);
	while ((entry = g_variant_iter_next_value(&iter)) != NULL) {
		if (ctl->json) {
			g_autoptr(JsonNode) node = json_gvariant_serialize(entry);
			json_builder_add_value(builder, g_steal_pointer(&node));
		} else {
			imss_ctl_print_notice(entry);
		}
		n++;
		g_variant_unref(entry);
	}
	if (ctl->json) {
		json_builder_end_array(builder);
		imss_ctl_print_json(builder);
	} else if (n == 0) {
		/* TRANSLATORS: `notices` with nothing to show */
		g_print("%s\n", _("There are no notices."));
	}
	return TRUE;
}

static gboolean
imss_ctl_set_inactive_hidden(ImssCtl *ctl, gboolean hidden, GError **error)
{
	g_autoptr(GVariant) reply = NULL;
	if (!imss_ctl_connect(ctl, error))
		return FALSE;
	reply = imss_ctl_call(ctl, "SetInactiveNoticesHidden", g_variant_new("(b)", hidden), error);
	if (reply == NULL)
		return FALSE;
	g_print("%s\n",
		hidden ? /* TRANSLATORS: after hiding the inactive-component notices */
			 _("Notices for inactive components are hidden.")
		       : /* TRANSLATORS: after showing them again */
			 _("Notices for inactive components are shown."));
	return TRUE;
}

static gboolean
imss_ctl_hide_inactive(ImssCtl *ctl, gchar **args, GError **error)
{
	return imss_ctl_set_inactive_hidden(ctl, TRUE, error);
}

static gboolean
imss_ctl_show_inactive(ImssCtl *ctl, gchar **args, GError **error)
{
	return imss_ctl_set_inactive_hidden(ctl, FALSE, error);
}

/* a license profile from a file (JSON: slot, code, expiry, origin, issued):
 * the code stays out of argv */
static gboolean
imss_ctl_apply_profile(ImssCtl *ctl, gchar **args, GError **error)
{
	g_autoptr(JsonParser) parser = json_parser_new();
	g_autoptr(GVariant) reply = NULL;
	g_autoptr(GError) error_local = NULL;
	g_autofree gchar *contents = NULL;
	gsize len = 0;
	GVariantBuilder builder;
	JsonObject *obj;
	const gchar *keys[] = {"slot", "code", "expiry", "origin", "issued"};
	const gchar *outcome = NULL;

	if (args[0] == NULL || args[1] != NULL) {
		g_set_error_literal(error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
				    /* TRANSLATORS: usage error */
				    _("Usage: imss-licensectl apply-profile FILE (a JSON license profile)"));
		return FALSE;
	}
	if (!g_file_get_contents(args[0], &contents, &len, error))
		return FALSE;
	/* the pre-check every program runs before json-glib (nesting, strict
	 * strings): what is wrong is said in English after the sentence */
	if (!imss_json_precheck(contents, len, &error_local)) {
		g_set_error(error, IMSS_ERROR, IMSS_ERROR_INVALID_ARGS, "%s (%s)",
			    /* TRANSLATORS: the profile file is not a JSON object */
			    _("The license profile must be a JSON object."), error_local->message);
		return FALSE;
	}
	if (!json_parser_load_from_data(parser, contents, (gssize)len, error))
		return FALSE;
	if (json_parser_get_root(parser) == NULL || !JSON_NODE_HOLDS_OBJECT(json_parser_get_root(parser))) {
		g_set_error_literal(error, IMSS_ERROR, IMSS_ERROR_INVALID_ARGS,
				    /* TRANSLATORS: the profile file is not a JSON object */
				    _("The license profile must be a JSON object."));
		return FALSE;
	}
	obj = json_node_get_object(json_parser_get_root(parser));
	g_variant_builder_init(&builder, G_VARIANT_TYPE_VARDICT);
	for (guint i = 0; i < G_N_ELEMENTS(keys); i++) {
		JsonNode *node = json_object_get_member(obj, keys[i]);
		if (node != NULL && JSON_NODE_HOLDS_VALUE(node) && json_node_get_value_type(node) == G_TYPE_STRING)
			g_variant_builder_add(&builder, "{sv}", keys[i], g_variant_new_string(json_node_get_string(node)));
	}
	if (!imss_ctl_connect(ctl, error)) {
		g_variant_builder_clear(&builder);
		return FALSE;
	}
	reply = imss_ctl_call(ctl, "ApplyProfile", g_variant_new("(a{sv})", &builder), error);
	if (reply == NULL)
		return FALSE;
	g_variant_get(reply, "(&s)", &outcome);
	if (ctl->json) {
		g_autoptr(JsonBuilder) b = json_builder_new();
		json_builder_begin_object(b);
		json_builder_set_member_name(b, "outcome");
		json_builder_add_string_value(b, outcome);
		json_builder_end_object(b);
		imss_ctl_print_json(b);
	} else if (g_strcmp0(outcome, "unchanged") == 0) {
		/* TRANSLATORS: after applying a license profile */
		g_print("%s\n", _("The license profile was applied: the expiry date is unchanged."));
	} else {
		/* TRANSLATORS: after applying a license profile */
		g_print("%s\n", _("The license profile was applied: the expiry date was updated. No service was restarted."));
	}
	return TRUE;
}

static const gchar *
imss_ctl_slot_name(const gchar *slot_id)
{
	ImssSlotId id;
	return imss_slot_from_string(slot_id, &id) ? imss_slot_display_name(id) : slot_id;
}

static gboolean
imss_ctl_doctor_one(ImssCtl *ctl, const gchar *slot, JsonBuilder *builder, GError **error)
{
	g_autoptr(GVariant) reply = NULL;
	g_autoptr(GVariant) diag = NULL;
	g_auto(ImssDiagnosisRecord) diagnosis = {NULL};

	reply = g_dbus_proxy_call_sync(G_DBUS_PROXY(ctl->manager), "Diagnose",
				       g_variant_new("(ss)", slot, imss_ctl_language()),
				       G_DBUS_CALL_FLAGS_NONE, IMSS_CALL_TIMEOUT_MS, NULL, error);
	if (reply == NULL)
		return FALSE;
	diag = g_variant_get_child_value(reply, 0);
	if (!imss_diagnosis_record_from_variant(diag, &diagnosis, error))
		return imss_ctl_malformed(error);
	if (builder != NULL) {
		json_builder_add_value(builder, json_gvariant_serialize(diag));
		return TRUE;
	}
	g_print("%s (%s)\n", imss_ctl_slot_name(slot), slot);
	for (guint i = 0; diagnosis.findings[i] != NULL; i++)
		g_print("  - %s\n", diagnosis.findings[i]);
	/* TRANSLATORS: the doctor's conclusion, followed by the action */
	g_print("  => %s %s\n\n", _("What to do:"), diagnosis.action);
	return TRUE;
}

static gboolean
imss_ctl_doctor(ImssCtl *ctl, gchar **args, GError **error)
{
	g_autoptr(JsonBuilder) builder = ctl->json ? json_builder_new() : NULL;
	ImssSlotId id;
	if (args[0] != NULL && (args[1] != NULL || !imss_slot_from_string(args[0], &id))) {
		g_set_error_literal(error, IMSS_ERROR, IMSS_ERROR_UNKNOWN_SLOT,
				    imss_error_to_text(IMSS_ERROR_UNKNOWN_SLOT));
		return FALSE;
	}
	if (!imss_ctl_connect(ctl, error))
		return FALSE;
	if (builder != NULL)
		json_builder_begin_array(builder);
	if (args[0] != NULL) {
		if (!imss_ctl_doctor_one(ctl, args[0], builder, error))
			return FALSE;
	} else {
		/* every activated slot */
		for (guint i = 0; i < IMSS_SLOT_LAST; i++) {
			g_autoptr(ImssExportedSlot) slot = imss_ctl_get_slot(ctl, (ImssSlotId)i, error);
			if (slot == NULL)
				return FALSE;
			if (*imss_exported_slot_get_expiry_date(slot) == '\0')
				continue;
			if (!imss_ctl_doctor_one(ctl, imss_slot_to_string((ImssSlotId)i), builder, error))
				return FALSE;
		}
	}
	if (builder != NULL) {
		json_builder_end_array(builder);
		imss_ctl_print_json(builder);
	}
	return TRUE;
}

static gboolean
imss_ctl_monitor(ImssCtl *ctl, gchar **args, GError **error)
{
	if (!imss_ctl_connect(ctl, error))
		return FALSE;
	return imss_ctl_monitor_run(ctl->connection, ctl->json, error);
}

static const ImssCtlCommand commands[] = {
    /* TRANSLATORS: command descriptions in --help */
    {"status", "", N_("Show every license slot: state, expiry, grace end, days left"), imss_ctl_status},
    {"activate", "SLOT [CODE|-]", N_("Register an activation code (read from standard input when not given)"), imss_ctl_activate},
    {"update", "", N_("Ask the license server for the current expiry dates now"), imss_ctl_update},
    {"notices", "", N_("Show the current license notices"), imss_ctl_notices},
    {"hide-inactive-notices", "", N_("Hide the notices for inactive components"), imss_ctl_hide_inactive},
    {"show-inactive-notices", "", N_("Show the notices for inactive components again"), imss_ctl_show_inactive},
    {"schedule", "", N_("Show the upcoming checks and state changes (--days N, default 90)"), imss_ctl_schedule},
    {"history", "", N_("Show the history of license changes, newest first, a page at a time (--offset N, --limit N)"), imss_ctl_history},
    {"doctor", "[SLOT]", N_("Explain why an expiry date did not change after a renewal, and what to do"), imss_ctl_doctor},
    {"apply-profile", "FILE", N_("Apply a Control Manager license profile (JSON) to the active code"), imss_ctl_apply_profile},
    {"monitor", "", N_("Print notices and license changes as they happen"), imss_ctl_monitor},
    {"restart-services", "", N_("Restart the services again after a restart failed"), imss_ctl_restart_services},
    {"details", "SLOT", N_("Print the address where the license server shows this license"), imss_ctl_details},
    {"bind-click-protection", "", N_("Bind Time-of-Click protection to the current anti-spam code"), imss_ctl_bind_click},
    {"release-click-protection", "", N_("Release the Time-of-Click protection binding"), imss_ctl_release_click},
};

static gchar *
imss_ctl_commands_help(void)
{
	GString *str = g_string_new(NULL);
	/* TRANSLATORS: heading in --help */
	g_string_append_printf(str, "%s\n", _("Commands:"));
	for (guint i = 0; i < G_N_ELEMENTS(commands); i++) {
		g_autofree gchar *left = g_strdup_printf("%s %s", commands[i].name, commands[i].arguments);
		g_string_append_printf(str, "  %-32s %s\n", left, _(commands[i].description));
	}
	return g_string_free(str, FALSE);
}

/* one clear line per error, in the operator's language */
static void
imss_ctl_print_error(GError *error)
{
	gchar *remote = g_dbus_error_get_remote_error(error);
	imss_error_strip_remote(error);
	if (error->domain == IMSS_ERROR) {
		if (error->code == IMSS_ERROR_INVALID_ARGS || error->code == IMSS_ERROR_NOT_SUPPORTED)
			g_printerr("imss-licensectl: %s\n", error->message);
		else
			g_printerr("imss-licensectl: %s\n", imss_error_to_text(error->code));
	} else if (g_strcmp0(remote, "org.freedesktop.DBus.Error.AccessDenied") == 0) {
		/* TRANSLATORS: the bus policy refused the call */
		g_printerr("imss-licensectl: %s\n",
			   _("Access denied: only the administrator (root) can change licenses."));
	} else if (g_strcmp0(remote, "org.freedesktop.DBus.Error.ServiceUnknown") == 0 ||
		   g_strcmp0(remote, "org.freedesktop.DBus.Error.NameHasNoOwner") == 0) {
		/* TRANSLATORS: the daemon is not running */
		g_printerr("imss-licensectl: %s\n",
			   _("The license service (imss-licensed) is not running."));
	} else {
		g_printerr("imss-licensectl: %s\n", error->message);
	}
	g_free(remote);
}

int
main(int argc, char *argv[])
{
	ImssCtl ctl = {0};
	gint limit = 0;
	gint offset = 0;
	gint days = 0;
	gboolean version = FALSE;
	g_autoptr(GOptionContext) context = NULL;
	g_autoptr(GError) error = NULL;
	g_autofree gchar *help = NULL;
	const GOptionEntry options[] = {
	    /* TRANSLATORS: --json option */
	    {"json", 'j', G_OPTION_FLAG_NONE, G_OPTION_ARG_NONE, &ctl.json, N_("Print JSON for scripts"), NULL},
	    /* TRANSLATORS: --limit option of history */
	    {"limit", 'n', G_OPTION_FLAG_NONE, G_OPTION_ARG_INT, &limit, N_("Show at most N history entries (default 100, at most 500)"), "N"},
	    /* TRANSLATORS: --offset option of history */
	    {"offset", 'o', G_OPTION_FLAG_NONE, G_OPTION_ARG_INT, &offset, N_("Skip the N newest history entries"), "N"},
	    /* TRANSLATORS: --days option of schedule */
	    {"days", 'd', G_OPTION_FLAG_NONE, G_OPTION_ARG_INT, &days, N_("Look N days ahead (schedule)"), "N"},
	    /* TRANSLATORS: --version option */
	    {"version", 0, G_OPTION_FLAG_NONE, G_OPTION_ARG_NONE, &version, N_("Show the version"), NULL},
	    {NULL}};

	setlocale(LC_ALL, "");
	imss_catalog_bind_textdomain();

	/* TRANSLATORS: the synopsis of --help */
	context = g_option_context_new(_("COMMAND [ARGUMENTS…]"));
	g_option_context_set_translation_domain(context, GETTEXT_PACKAGE);
	g_option_context_add_main_entries(context, options, GETTEXT_PACKAGE);
	/* TRANSLATORS: one-line summary in --help */
	g_option_context_set_summary(context, _("Manage the licenses of InterScan Messaging Security."));
	help = imss_ctl_commands_help();
	g_option_context_set_description(context, help);
	if (!g_option_context_parse(context, &argc, &argv, &error)) {
		g_printerr("imss-licensectl: %s\n", error->message);
		return 2;
	}
	if (version) {
		g_print("imss-licensectl %s\n", PACKAGE_VERSION);
		return EXIT_SUCCESS;
	}
	ctl.limit = limit > 0 ? (guint)limit : 0;
	ctl.offset = offset > 0 ? (guint)offset : 0;
	ctl.days = days > 0 ? (guint)days : 0;
	(void)imss_error_quark();
	if (argc < 2) {
		g_autofree gchar *usage = g_option_context_get_help(context, TRUE, NULL);
		g_printerr("%s", usage);
		return 2;
	}
	for (guint i = 0; i < G_N_ELEMENTS(commands); i++) {
		gboolean ok;
		if (g_strcmp0(argv[1], commands[i].name) != 0)
			continue;
		ok = commands[i].func(&ctl, argv + 2, &error);
		g_clear_object(&ctl.manager);
		g_clear_object(&ctl.connection);
		if (!ok) {
			imss_ctl_print_error(error);
			return g_error_matches(error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE) ? 2 : 1;
		}
		return EXIT_SUCCESS;
	}
	/* TRANSLATORS: %s is what the user typed */
	g_printerr(_("imss-licensectl: unknown command “%s”; see --help\n"), argv[1]);
	return 2;
}
