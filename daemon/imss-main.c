/*
 * imss-licensed: locale, options, signals, run.
 */
#define G_LOG_DOMAIN "ImssMain"

#include "config.h"

#include <glib-unix.h>
#include <glib/gstdio.h>
#include <locale.h>
#include <stdlib.h>
#include <sys/stat.h>

#include "imss-catalog.h"
#include "imss-daemon.h"
#include "imss-error.h"

typedef struct {
	GMainLoop *loop;
	gint exit_status;
	ImssLicenseManager *manager;
	gboolean started;
} ImssMain;

/* the calendar starts (and catches up) once the bus name is ours, so that
 * the notices it issues reach the bus */
static void
imss_main_acquired_cb(ImssDaemon *daemon, ImssMain *m)
{
	g_autoptr(GError) error = NULL;
	if (m->started)
		return;
	m->started = TRUE;
	if (!imss_license_manager_start(m->manager, &error)) {
		g_warning("failed to start the license calendar: %s", error->message);
		m->exit_status = EXIT_FAILURE;
		g_main_loop_quit(m->loop);
	}
}

static gboolean
imss_main_sigterm_cb(gpointer user_data)
{
	ImssMain *m = user_data;
	g_message("terminating");
	g_main_loop_quit(m->loop);
	return G_SOURCE_REMOVE;
}

static void
imss_main_lost_cb(ImssDaemon *daemon, ImssMain *m)
{
	m->exit_status = EXIT_FAILURE;
	g_main_loop_quit(m->loop);
}

int
main(int argc, char *argv[])
{
	gboolean verbose = FALSE;
	gboolean version = FALSE;
	g_autofree gchar *config_path = NULL;
	g_autofree gchar *state_dir = NULL;
	g_autofree gchar *cnc = NULL;
	g_autofree gchar *virtual_clock = NULL;
	g_autoptr(GOptionContext) context = NULL;
	g_autoptr(GError) error = NULL;
	g_autoptr(ImssConfig) config = NULL;
	g_autoptr(ImssStore) store = NULL;
	g_autoptr(ImssClock) clock = NULL;
	g_autoptr(ImssLicenseServer) server = NULL;
	g_autoptr(ImssSystemd) systemd = NULL;
	g_autoptr(ImssMailer) mailer = NULL;
	g_autoptr(ImssLicenseManager) manager = NULL;
	g_autoptr(ImssDaemon) daemon = NULL;
	ImssMain m = {NULL, EXIT_SUCCESS, NULL, FALSE};
	gint64 started_at = g_get_monotonic_time();
	const GOptionEntry options[] = {
	    {"config",
	     'c',
	     G_OPTION_FLAG_NONE,
	     G_OPTION_ARG_FILENAME,
	     &config_path,
	     "Configuration file (default " IMSS_DEFAULT_CONFIG ")",
	     "FILE"},
	    {"state-dir",
	     's',
	     G_OPTION_FLAG_NONE,
	     G_OPTION_ARG_FILENAME,
	     &state_dir,
	     "State directory for the embedded database (default $STATE_DIRECTORY or " IMSS_DEFAULT_STATE_DIR ")",
	     "DIR"},
	    {"virtual-clock",
	     0,
	     G_OPTION_FLAG_NONE,
	     G_OPTION_ARG_STRING,
	     &virtual_clock,
	     "Run on a virtual wall clock starting at TIME (tests and demos; exports org.imss.License.VirtualClock)",
	     "YYYY-MM-DDTHH:MM:SS"},
	    {"verbose", 'v', G_OPTION_FLAG_NONE, G_OPTION_ARG_NONE, &verbose, "Show informational messages", NULL},
	    {"version", 0, G_OPTION_FLAG_NONE, G_OPTION_ARG_NONE, &version, "Show the version", NULL},
	    {NULL}};

	/* the store holds credentials: nothing we create is readable by others */
	umask(0077);
	/* logs stay English (the daemon neither calls textdomain() nor binds a
	 * catalogue); what it renders for people (notices, mails, the doctor)
	 * comes from the catalogue of the language the caller or the
	 * configuration asks for, looked up per call (imss-catalog.h) without
	 * touching the locale or the environment */
	setlocale(LC_ALL, "");
	imss_catalog_set_localedir(imss_catalog_default_localedir());

	context = g_option_context_new(NULL);
	g_option_context_set_summary(context, "License management service of InterScan MSS / IMSVA 9.1");
	g_option_context_add_main_entries(context, options, NULL);
	if (!g_option_context_parse(context, &argc, &argv, &error)) {
		g_printerr("imss-licensed: %s\n", error->message);
		return EXIT_FAILURE;
	}
	if (version) {
		g_print("imss-licensed %s\n", PACKAGE_VERSION);
		return EXIT_SUCCESS;
	}
	if (verbose)
		g_setenv("G_MESSAGES_DEBUG", "all", FALSE);

	/* configuration */
	config = imss_config_new();
	if (!imss_config_load(config,
			      config_path != NULL ? config_path : IMSS_DEFAULT_CONFIG,
			      config_path != NULL,
			      &error)) {
		g_printerr("imss-licensed: %s\n", error->message);
		return EXIT_FAILURE;
	}
	for (guint i = 0; i < imss_config_get_warnings(config)->len; i++)
		g_warning("%s", (const gchar *)g_ptr_array_index(imss_config_get_warnings(config), i));

	/* the store: embedded SQLite in the state directory unless configured */
	if (state_dir == NULL) {
		const gchar *env = g_getenv("STATE_DIRECTORY"); /* systemd StateDirectory= */
		state_dir = g_strdup(env != NULL ? env : IMSS_DEFAULT_STATE_DIR);
	}
	if (imss_config_get_db_connection(config) != NULL) {
		cnc = g_strdup(imss_config_get_db_connection(config));
	} else {
		if (g_mkdir_with_parents(state_dir, 0700) != 0) {
			g_printerr("imss-licensed: cannot create the state directory %s: %s\n",
				   state_dir,
				   g_strerror(errno));
			return EXIT_FAILURE;
		}
		cnc = g_strdup_printf("DB_DIR=%s;DB_NAME=imss-license", state_dir);
	}
	store = imss_store_new(imss_config_get_db_provider(config),
			       cnc,
			       imss_config_get_db_auth(config));
	imss_store_set_history_max(store, imss_config_get_history_max_entries(config));
	if (!imss_store_open(store, &error)) {
		g_printerr("imss-licensed: %s\n", error->message);
		return EXIT_FAILURE;
	}

	if (virtual_clock != NULL) {
		g_autoptr(GTimeZone) tz = g_time_zone_new_local();
		g_autoptr(GDateTime) start = g_date_time_new_from_iso8601(virtual_clock, tz);
		if (start == NULL) {
			g_printerr("imss-licensed: --virtual-clock: not an ISO 8601 time: %s\n",
				   virtual_clock);
			return EXIT_FAILURE;
		}
		clock = imss_clock_new_virtual(g_date_time_to_unix(start));
		g_message("running on a virtual clock starting at %s", virtual_clock);
	} else {
		clock = imss_clock_new();
	}
	/* the one place that builds the collaborators */
	server = imss_license_server_new(config);
	systemd = imss_systemd_new();
	imss_systemd_set_job_timeout(systemd, imss_config_get_restart_timeout(config));
	mailer = imss_mailer_new(config);
	manager = imss_license_manager_new(config, store, clock, server, systemd, mailer);
	if (!imss_license_manager_load(manager, &error)) {
		g_printerr("imss-licensed: %s\n", error->message);
		return EXIT_FAILURE;
	}

	/* the bus */
	(void)imss_error_quark();
	m.loop = g_main_loop_new(NULL, FALSE);
	daemon = imss_daemon_new(manager);
	m.manager = manager;
	g_signal_connect(daemon, "lost", G_CALLBACK(imss_main_lost_cb), &m);
	g_signal_connect(daemon, "acquired", G_CALLBACK(imss_main_acquired_cb), &m);
	g_unix_signal_add(SIGTERM, imss_main_sigterm_cb, &m);
	g_unix_signal_add(SIGINT, imss_main_sigterm_cb, &m);
	imss_daemon_start(daemon, started_at);
	g_message("imss-licensed %s started (edition %s, %s store)",
		  PACKAGE_VERSION,
		  imss_edition_to_string(imss_config_get_edition(config)),
		  imss_config_get_db_provider(config));

	g_main_loop_run(m.loop);

	g_clear_object(&daemon);
	imss_store_close(store);
	g_main_loop_unref(m.loop);
	return m.exit_status;
}
