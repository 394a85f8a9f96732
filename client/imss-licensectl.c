/*
 * imss-licensectl: the operator's command line for imss-licensed.
 * It only talks D-Bus; every string a person reads goes through gettext.
 * The commands live in imss-ctl-*.c, what they share in imss-ctl.c.
 */
#define G_LOG_DOMAIN "ImssCtl"

#include "config.h"

#include <glib/gi18n.h>
#include <locale.h>
#include <stdlib.h>

#include "imss-catalog.h"
#include "imss-client.h"
#include "imss-ctl-monitor.h"
#include "imss-ctl.h"
#include "imss-error.h"

typedef struct {
	const gchar *name;
	const gchar *arguments;
	const gchar *description; /* N_() */
	ImssCtlFunc func;
} ImssCtlCommand;

static gboolean
imss_ctl_monitor(ImssCtl *ctl, gchar **args, GError **error)
{
	return imss_ctl_monitor_run(ctl->json, error);
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
    {"fleet", "", N_("List the gateways sharing this license database: clock skew, last contact, last job"), imss_ctl_fleet},
    {"doctor", "[SLOT]", N_("Explain why an expiry date did not change after a renewal, and what to do"), imss_ctl_doctor},
    {"apply-profile", "FILE", N_("Apply a Control Manager license profile (JSON) to the active code"), imss_ctl_apply_profile},
    {"monitor", "", N_("Print notices and license changes as they happen"), imss_ctl_monitor},
    {"restart-services", "", N_("Restart the services again after a restart failed"), imss_ctl_restart_services},
    {"details", "SLOT", N_("Print the address where the license server shows this license"), imss_ctl_details},
    {"bind-click-protection", "", N_("Bind Time-of-Click protection to the current anti-spam code"), imss_ctl_bind_click},
    {"release-click-protection", "", N_("Release the Time-of-Click protection binding"), imss_ctl_release_click},
    {"settings", "[set|reset KEY [VALUE|-]]", N_("Show or change the mail and proxy settings (passwords from standard input)"), imss_ctl_settings},
    {"mail", "test", N_("Send a test mail to the recipients of the license mails"), imss_ctl_mail},
    {"check", "", N_("Monitoring plugin: exit 0 OK, 1 WARNING, 2 CRITICAL, 3 UNKNOWN (--warning DAYS, --critical DAYS)"), imss_ctl_check},
    {"metrics", "", N_("Print the license metrics for Prometheus' node exporter (--output FILE: written atomically)"), imss_ctl_metrics},
};

/* the commands that take no argument */
static const gchar *no_arguments[] = {"status", "update", "notices", "hide-inactive-notices",
				      "show-inactive-notices", "schedule", "history", "fleet",
				      "monitor", "restart-services", "bind-click-protection",
				      "release-click-protection", NULL};

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

/* the options that take a value as the next word */
static const gchar *value_options[] = {"-n", "--limit", "-o", "--offset", "-d", "--days", "-w",
				       "--warning", "-c", "--critical", "--output", NULL};

/* `imss-licensectl COMMAND --help`: that command's usage, not the global
 * help; TRUE when it was printed */
static gboolean
imss_ctl_command_help(gint argc, gchar **argv)
{
	const ImssCtlCommand *command = NULL;
	gint i;

	/* the command: the first word that is neither an option nor its value */
	for (i = 1; i < argc; i++) {
		if (g_strcmp0(argv[i], "--") == 0)
			return FALSE;
		if (g_strv_contains(value_options, argv[i])) {
			i++;
			continue;
		}
		if (argv[i][0] != '-')
			break;
	}
	if (i >= argc)
		return FALSE;
	for (guint c = 0; c < G_N_ELEMENTS(commands); c++) {
		if (g_strcmp0(argv[i], commands[c].name) == 0)
			command = &commands[c];
	}
	if (command == NULL)
		return FALSE;
	for (i = i + 1; i < argc; i++) {
		if (g_strcmp0(argv[i], "--") == 0)
			return FALSE;
		if (g_strcmp0(argv[i], "--help") == 0 || g_strcmp0(argv[i], "-h") == 0) {
			/* TRANSLATORS: `imss-licensectl COMMAND --help`: %1$s the command,
			 * %2$s its arguments, %3$s what it does */
			g_print(_("Usage:\n  imss-licensectl [OPTION…] %1$s %2$s\n\n%3$s\n\n"
				  "The options: imss-licensectl --help; the details: man imss-licensectl\n"),
				command->name,
				command->arguments,
				_(command->description));
			return TRUE;
		}
	}
	return FALSE;
}

/* one clear line per error, in the operator's language */
static void
imss_ctl_print_error(GError *error)
{
	g_autofree gchar *remote = g_dbus_error_get_remote_error(error);
	const gchar *absent = imss_client_daemon_absent_text(error);

	imss_error_strip_remote(error);
	if (error->domain == IMSS_ERROR) {
		if (error->code == IMSS_ERROR_INVALID_ARGS || error->code == IMSS_ERROR_NOT_SUPPORTED)
			g_printerr("imss-licensectl: %s\n", error->message);
		else
			g_printerr("imss-licensectl: %s\n", imss_error_to_text(error->code));
	} else if (g_strcmp0(remote, "org.freedesktop.DBus.Error.AccessDenied") == 0 ||
		   g_error_matches(error, G_DBUS_ERROR, G_DBUS_ERROR_ACCESS_DENIED)) {
		/* TRANSLATORS: the bus policy refused the call */
		g_printerr("imss-licensectl: %s\n",
			   _("Access denied: only the administrator (root) can change licenses."));
	} else if (absent != NULL) {
		g_printerr("imss-licensectl: %s\n", absent);
	} else {
		g_printerr("imss-licensectl: %s\n", error->message);
	}
}

/* runs the command @name with @args: the exit status */
static int
imss_ctl_run(ImssCtl *ctl, const gchar *name, gchar **args)
{
	for (guint i = 0; i < G_N_ELEMENTS(commands); i++) {
		g_autoptr(GError) error = NULL;
		gboolean ok;
		if (g_strcmp0(name, commands[i].name) != 0)
			continue;
		if (args[0] != NULL && g_strv_contains(no_arguments, name)) {
			/* TRANSLATORS: %1$s the command, %2$s the first extra argument */
			g_printerr(_("imss-licensectl: %1$s takes no arguments (got “%2$s”); see --help\n"),
				   name, args[0]);
			return 2;
		}
		ok = commands[i].func(ctl, args, &error);
		imss_ctl_disconnect(ctl);
		imss_ctl_end_pager(ctl);
		if (!ok) {
			imss_ctl_print_error(error);
			return g_error_matches(error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE) ? 2 : 1;
		}
		return ctl->exit_status;
	}
	/* TRANSLATORS: %s is what the user typed */
	g_printerr(_("imss-licensectl: unknown command “%s”; see --help\n"), name);
	return 2;
}

int
main(int argc, char *argv[])
{
	ImssCtl ctl = {0};
	int ret;
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
	    /* TRANSLATORS: --warning option of check */
	    {"warning", 'w', G_OPTION_FLAG_NONE, G_OPTION_ARG_INT, &ctl.warning, N_("check: WARNING when a license expires within DAYS days (default 60)"), "DAYS"},
	    /* TRANSLATORS: --critical option of check */
	    {"critical", 'c', G_OPTION_FLAG_NONE, G_OPTION_ARG_INT, &ctl.critical, N_("check: CRITICAL when a license expires within DAYS days (default 15)"), "DAYS"},
	    /* TRANSLATORS: --output option of metrics */
	    {"output", 0, G_OPTION_FLAG_NONE, G_OPTION_ARG_FILENAME, &ctl.output, N_("metrics: write to FILE (atomically) instead of standard output"), "FILE"},
	    /* TRANSLATORS: --no-pager option */
	    {"no-pager", 0, G_OPTION_FLAG_NONE, G_OPTION_ARG_NONE, &ctl.no_pager, N_("Do not pipe the history into a pager ($PAGER, default less -FRX) on a terminal"), NULL},
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
	if (imss_ctl_command_help(argc, argv))
		return EXIT_SUCCESS;
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
	/* no command: the status, like systemctl or timedatectl */
	if (argc < 2) {
		ret = imss_ctl_run(&ctl, "status", argv + 1);
		g_free(ctl.output);
		return ret;
	}
	ret = imss_ctl_run(&ctl, argv[1], argv + 2);
	g_free(ctl.output);
	return ret;
}
