/*
 * imss-licensed: locale, options, collaborators, signals, run. The one place
 * that builds the collaborators and hands them in.
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
#include "imss-journal.h"

typedef struct {
	GMainLoop *loop;
	gint exit_status;
	ImssLicenseManager *manager;
	ImssPgListener *listener; /* PostgreSQL: the other nodes' changes */
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
		return;
	}
	imss_license_manager_watch_fleet(m->manager, m->listener);
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

/* -- the command line --------------------------------------------------- */

typedef struct {
	gboolean verbose;
	gboolean version;
	gchar *config_path;
	gchar *state_dir;
	gchar *virtual_clock;
} ImssMainOptions;

static void
imss_main_options_clear(ImssMainOptions *o)
{
	g_clear_pointer(&o->virtual_clock, g_free);
	g_clear_pointer(&o->state_dir, g_free);
	g_clear_pointer(&o->config_path, g_free);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC(ImssMainOptions, imss_main_options_clear)

static gboolean
imss_main_parse_options(ImssMainOptions *o, int *argc, char ***argv, GError **error)
{
	g_autoptr(GOptionContext) context = NULL;
	const GOptionEntry options[] = {
	    {"config",
	     'c',
	     G_OPTION_FLAG_NONE,
	     G_OPTION_ARG_FILENAME,
	     &o->config_path,
	     "Configuration file (default " IMSS_DEFAULT_CONFIG ")",
	     "FILE"},
	    {"state-dir",
	     's',
	     G_OPTION_FLAG_NONE,
	     G_OPTION_ARG_FILENAME,
	     &o->state_dir,
	     "State directory for the embedded database (default $STATE_DIRECTORY or " IMSS_DEFAULT_STATE_DIR ")",
	     "DIR"},
	    {"virtual-clock",
	     0,
	     G_OPTION_FLAG_NONE,
	     G_OPTION_ARG_STRING,
	     &o->virtual_clock,
	     "Run on a virtual wall clock starting at TIME (tests and demos; exports org.imss.License.VirtualClock)",
	     "YYYY-MM-DDTHH:MM:SS"},
	    {"verbose", 'v', G_OPTION_FLAG_NONE, G_OPTION_ARG_NONE, &o->verbose, "Show informational messages", NULL},
	    {"version", 0, G_OPTION_FLAG_NONE, G_OPTION_ARG_NONE, &o->version, "Show the version", NULL},
	    {NULL}};

	context = g_option_context_new(NULL);
	g_option_context_set_summary(context, "License management service of InterScan MSS / IMSVA 9.1");
	g_option_context_add_main_entries(context, options, NULL);
	return g_option_context_parse(context, argc, argv, error);
}

/* -- the collaborators ------------------------------------------------- */

typedef struct {
	ImssConfig *config;
	ImssStore *store;
	ImssClock *clock;
	ImssLicenseServer *server;
	ImssSystemd *systemd;
	ImssMailer *mailer;
	ImssPgListener *listener;
	ImssLicenseManager *manager;
} ImssMainCollaborators;

/* the reverse of the order they are built in */
static void
imss_main_collaborators_clear(ImssMainCollaborators *c)
{
	g_clear_object(&c->manager);
	g_clear_object(&c->listener);
	g_clear_object(&c->mailer);
	g_clear_object(&c->systemd);
	g_clear_object(&c->server);
	g_clear_object(&c->clock);
	g_clear_object(&c->store);
	g_clear_object(&c->config);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC(ImssMainCollaborators, imss_main_collaborators_clear)

static ImssConfig *
imss_main_load_config(const gchar *config_path, GError **error)
{
	g_autoptr(ImssConfig) config = imss_config_new();
	if (!imss_config_load(config,
			      config_path != NULL ? config_path : IMSS_DEFAULT_CONFIG,
			      config_path != NULL,
			      error))
		return NULL;
	for (guint i = 0; i < imss_config_get_warnings(config)->len; i++)
		g_warning("%s", (const gchar *)g_ptr_array_index(imss_config_get_warnings(config), i));
	return g_steal_pointer(&config);
}

/* the store: embedded SQLite in the state directory unless configured */
static ImssStore *
imss_main_open_store(ImssConfig *config, const gchar *state_dir_option, GError **error)
{
	g_autoptr(ImssStore) store = NULL;
	g_autofree gchar *state_dir = NULL;
	g_autofree gchar *cnc = NULL;

	if (state_dir_option == NULL) {
		const gchar *env = g_getenv("STATE_DIRECTORY"); /* systemd StateDirectory= */
		state_dir = g_strdup(env != NULL ? env : IMSS_DEFAULT_STATE_DIR);
	} else {
		state_dir = g_strdup(state_dir_option);
	}
	if (imss_config_get_db_connection(config) != NULL) {
		cnc = g_strdup(imss_config_get_db_connection(config));
	} else {
		if (g_mkdir_with_parents(state_dir, 0700) != 0) {
			gint saved_errno = errno;
			g_set_error(error,
				    G_FILE_ERROR,
				    g_file_error_from_errno(saved_errno),
				    "cannot create the state directory %s: %s",
				    state_dir,
				    g_strerror(saved_errno));
			return NULL;
		}
		cnc = g_strdup_printf("DB_DIR=%s;DB_NAME=imss-license", state_dir);
	}
	/* this process speaks to one kind of database: libgda loads its
	 * provider alone (docs/lean.md) */
	imss_store_limit_providers(imss_config_get_db_provider(config));
	store = imss_store_new(imss_config_get_db_provider(config),
			       cnc,
			       imss_config_get_db_auth(config));
	imss_store_set_history_max(store, imss_config_get_history_max_entries(config));
	imss_store_set_node(store,
			    imss_config_get_node_name(config),
			    imss_config_get_claim_lease(config));
	if (!imss_store_open(store, error)) {
		/* the unit starts us again (RestartSec=, no start limit) */
		if (g_strcmp0(imss_config_get_db_provider(config), "PostgreSQL") == 0)
			g_prefix_error(error, "cannot open the license database (PostgreSQL %s): ",
				       imss_config_get_db_connection(config));
		return NULL;
	}
	return g_steal_pointer(&store);
}

static ImssClock *
imss_main_new_clock(const gchar *virtual_clock, GError **error)
{
	g_autoptr(GTimeZone) tz = NULL;
	g_autoptr(GDateTime) start = NULL;

	if (virtual_clock == NULL)
		return imss_clock_new();
	tz = g_time_zone_new_local();
	start = g_date_time_new_from_iso8601(virtual_clock, tz);
	if (start == NULL) {
		g_set_error(error,
			    G_OPTION_ERROR,
			    G_OPTION_ERROR_BAD_VALUE,
			    "--virtual-clock: not an ISO 8601 time: %s",
			    virtual_clock);
		return NULL;
	}
	g_message("running on a virtual clock starting at %s", virtual_clock);
	return imss_clock_new_virtual(g_date_time_to_unix(start));
}

/* the one place that builds the collaborators */
static gboolean
imss_main_build(ImssMainCollaborators *c, const ImssMainOptions *o, GError **error)
{
	c->config = imss_main_load_config(o->config_path, error);
	if (c->config == NULL)
		return FALSE;
	c->store = imss_main_open_store(c->config, o->state_dir, error);
	if (c->store == NULL)
		return FALSE;
	c->clock = imss_main_new_clock(o->virtual_clock, error);
	if (c->clock == NULL)
		return FALSE;
	c->server = imss_license_server_new(c->config);
	c->systemd = imss_systemd_new();
	imss_systemd_set_job_timeout(c->systemd, imss_config_get_restart_timeout(c->config));
	c->mailer = imss_mailer_new(c->config);
	if (g_strcmp0(imss_config_get_db_provider(c->config), "PostgreSQL") == 0)
		c->listener = imss_pg_listener_new(imss_config_get_db_connection(c->config),
						   imss_config_get_db_auth(c->config),
						   "imss_change");
	c->manager = imss_license_manager_new(c->config,
					      c->store,
					      c->clock,
					      c->server,
					      c->systemd,
					      c->mailer);
	return imss_license_manager_load(c->manager, error);
}

/* -- the bus ---------------------------------------------------------------- */

static gint
imss_main_run(ImssMain *m, ImssMainCollaborators *c, gint64 started_at)
{
	g_autoptr(ImssDaemon) daemon = NULL;

	(void)imss_error_quark();
	m->loop = g_main_loop_new(NULL, FALSE);
	daemon = imss_daemon_new(c->manager);
	m->manager = c->manager;
	m->listener = c->listener;
	g_signal_connect(daemon, "lost", G_CALLBACK(imss_main_lost_cb), m);
	g_signal_connect(daemon, "acquired", G_CALLBACK(imss_main_acquired_cb), m);
	g_unix_signal_add(SIGTERM, imss_main_sigterm_cb, m);
	g_unix_signal_add(SIGINT, imss_main_sigterm_cb, m);
	imss_daemon_start(daemon, started_at);
	g_message("imss-licensed %s started (edition %s, %s store, node %s)",
		  PACKAGE_VERSION,
		  imss_edition_to_string(imss_config_get_edition(c->config)),
		  imss_config_get_db_provider(c->config),
		  imss_config_get_node_name(c->config));

	g_main_loop_run(m->loop);

	g_clear_object(&daemon);
	imss_store_close(c->store);
	g_main_loop_unref(m->loop);
	return m->exit_status;
}

int
main(int argc, char *argv[])
{
	g_auto(ImssMainOptions) options = {FALSE, FALSE, NULL, NULL, NULL};
	g_auto(ImssMainCollaborators) collaborators = {NULL};
	g_autoptr(GError) error = NULL;
	/* the signal sources point at it until the process ends */
	ImssMain m = {NULL, EXIT_SUCCESS, NULL, NULL, FALSE};
	gint64 started_at = g_get_monotonic_time();

	/* The license server is reached directly or through the configured
	 * proxy, never the desktop's: GIO asks its default proxy resolver for
	 * every connection (GProxyAddressEnumerator, even when libsoup has its
	 * own resolver), which would load the GNOME and libproxy modules and
	 * GSettings with dconf into a system service. Set before any thread
	 * exists (setenv with threads is a data race). */
	g_setenv("GIO_USE_PROXY_RESOLVER", "dummy", TRUE);
	/* the store holds credentials: nothing we create is readable by others */
	umask(0077);
	/* to the journal with its fields (MESSAGE_ID, IMSS_SLOT) under systemd */
	g_log_set_writer_func(imss_journal_writer, NULL, NULL);
	/* logs stay English (the daemon neither calls textdomain() nor binds a
	 * catalogue); what it renders for people (notices, mails, the doctor)
	 * comes from the catalogue of the language the caller or the
	 * configuration asks for, looked up per call (imss-catalog.h) without
	 * touching the locale or the environment */
	setlocale(LC_ALL, "");
	imss_catalog_set_localedir(imss_catalog_default_localedir());

	if (!imss_main_parse_options(&options, &argc, &argv, &error)) {
		imss_journal_fatal(error->message);
		return EXIT_FAILURE;
	}
	if (options.version) {
		g_print("imss-licensed %s\n", PACKAGE_VERSION);
		return EXIT_SUCCESS;
	}
	if (options.verbose)
		g_setenv("G_MESSAGES_DEBUG", "all", FALSE);
	if (!imss_main_build(&collaborators, &options, &error)) {
		imss_journal_fatal(error->message);
		return EXIT_FAILURE;
	}
	return imss_main_run(&m, &collaborators, started_at);
}
