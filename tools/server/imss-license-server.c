/*
 * imss-license-server: a simulator of the vendor's license server, speaking
 * this project's license-server protocol (docs/license-server-protocol.md)
 * over HTTP with libsoup 3, plus a loopback-only JSON admin interface under
 * /admin/ that tests, demos and labs use to script renewals, replacements,
 * suspensions and faults (docs/imss-license-server.1).
 *
 * Everything a client sends is untrusted: bodies are capped at 64 KiB before
 * they are parsed, JSON is pre-checked by the strict lexer every program uses
 * (common/imss-json.c: nesting depth, escapes) before json-glib sees it, and
 * activation codes are only ever printed, logged or shown masked.
 *
 * This file is the program: its options, its signals and its output. The
 * server is imss-server.c; requests go through imss-server-router.c to
 * imss-server-protocol.c and imss-server-admin.c; the codes live in
 * imss-server-registry.c.
 */
#include "config.h"

#define G_LOG_DOMAIN "ImssLicenseServer"

#include <glib-unix.h>
#include <locale.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "imss-date.h"
#include "imss-server-tls.h"
#include "imss-server.h"

typedef struct {
	gchar *listen_addr;
	gint port;
	gchar *port_file;
	gchar *today_str;
	gchar *tls_cert;
	gchar *tls_key;
	gboolean verbose;
	GDate today; /* valid with --today */
} ServerOptions;

static void
server_options_clear(ServerOptions *opts)
{
	g_free(opts->listen_addr);
	g_free(opts->port_file);
	g_free(opts->today_str);
	g_free(opts->tls_cert);
	g_free(opts->tls_key);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC(ServerOptions, server_options_clear)

/* the command line into @opts; FALSE with a message on standard error */
static gboolean
server_options_parse(ServerOptions *opts, int *argc, char ***argv)
{
	g_autoptr(GOptionContext) context = NULL;
	g_autoptr(GError) error = NULL;
	const GOptionEntry entries[] = {
	    {"listen", 0, 0, G_OPTION_ARG_STRING, &opts->listen_addr,
	     "IP address to listen on (default: 127.0.0.1)", "ADDR"},
	    {"port", 0, 0, G_OPTION_ARG_INT, &opts->port,
	     "TCP port to listen on (default: 0, a free port)", "N"},
	    {"port-file", 0, 0, G_OPTION_ARG_FILENAME, &opts->port_file,
	     "Write the port to FILE once listening", "FILE"},
	    {"today", 0, 0, G_OPTION_ARG_STRING, &opts->today_str,
	     "The server's date (default: the real local date)", "YYYY-MM-DD"},
	    {"tls-cert", 0, 0, G_OPTION_ARG_FILENAME, &opts->tls_cert,
	     "Serve HTTPS with this PEM certificate (chain)", "FILE"},
	    {"tls-key", 0, 0, G_OPTION_ARG_FILENAME, &opts->tls_key,
	     "The PEM private key of --tls-cert (default: in the same file)", "FILE"},
	    {"verbose", 'v', 0, G_OPTION_ARG_NONE, &opts->verbose,
	     "Log every request (codes masked) on standard error", NULL},
	    G_OPTION_ENTRY_NULL,
	};

	context = g_option_context_new("— simulate the license server");
	g_option_context_add_main_entries(context, entries, NULL);
	g_option_context_set_description(
	    context,
	    "Serves the license-server protocol and a loopback-only admin interface "
	    "under /admin/. See imss-license-server(1) and "
	    "docs/license-server-protocol.md.");
	if (!g_option_context_parse(context, argc, argv, &error)) {
		g_printerr("%s: %s\n", g_get_prgname(), error->message);
		return FALSE;
	}
	if (*argc > 1) {
		/* not echoed: it might be an activation code */
		g_printerr("%s: unexpected argument: this program takes options only (see "
			   "--help)\n",
			   g_get_prgname());
		return FALSE;
	}
	if (opts->port < 0 || opts->port > 65535) {
		g_printerr("%s: --port must be from 0 to 65535\n", g_get_prgname());
		return FALSE;
	}
	g_date_clear(&opts->today, 1);
	if (opts->today_str != NULL && !imss_date_parse(opts->today_str, &opts->today)) {
		g_printerr("%s: --today must be a date YYYY-MM-DD\n", g_get_prgname());
		return FALSE;
	}
	if (opts->tls_key != NULL && opts->tls_cert == NULL) {
		g_printerr("%s: --tls-key needs --tls-cert\n", g_get_prgname());
		return FALSE;
	}
	return TRUE;
}

/* standard output carries the "listening on" line only; then the port
 * file, last: tests wait for the file, then expect the line */
static gboolean
server_announce(const ServerOptions *opts, const gchar *scheme, guint port, GError **error)
{
	const gchar *addr = opts->listen_addr != NULL ? opts->listen_addr : "127.0.0.1";
	g_autofree gchar *port_str = NULL;

	if (strchr(addr, ':') != NULL)
		g_print("listening on %s://[%s]:%u/\n", scheme, addr, port);
	else
		g_print("listening on %s://%s:%u/\n", scheme, addr, port);
	fflush(stdout);
	if (opts->port_file == NULL)
		return TRUE;
	port_str = g_strdup_printf("%u\n", port);
	return g_file_set_contents(opts->port_file, port_str, -1, error);
}

static gboolean
server_signal_cb(gpointer user_data)
{
	ImssServer *server = user_data;

	g_message("terminating on a signal");
	g_main_loop_quit(server->loop);
	return G_SOURCE_CONTINUE;
}

/* listens, announces, runs until a signal; the exit status */
static int
server_run(ImssServer *server, const ServerOptions *opts, const gchar *scheme)
{
	g_autoptr(GError) error = NULL;
	guint port_used = 0;
	guint sigterm_id;
	guint sigint_id;
	gboolean ok;

	/* before the port file announces the server: a test may stop it at once */
	sigterm_id = g_unix_signal_add(SIGTERM, server_signal_cb, server);
	sigint_id = g_unix_signal_add(SIGINT, server_signal_cb, server);
	ok = imss_server_listen(server,
				opts->listen_addr != NULL ? opts->listen_addr : "127.0.0.1",
				(guint)opts->port,
				&port_used,
				&error);
	if (!ok)
		g_printerr("%s: cannot listen: %s\n", g_get_prgname(), error->message);
	else if (!(ok = server_announce(opts, scheme, port_used, &error)))
		g_printerr("%s: %s\n", g_get_prgname(), error->message);
	if (ok)
		g_main_loop_run(server->loop);
	g_source_remove(sigterm_id);
	g_source_remove(sigint_id);
	if (!ok)
		return EXIT_FAILURE;
	imss_server_shutdown(server);
	return EXIT_SUCCESS;
}

int
main(int argc, char **argv)
{
	g_auto(ServerOptions) opts = {0};
	g_autoptr(ImssServer) server = NULL;
	g_autoptr(GError) error = NULL;
	const gchar *scheme = "http";

	setlocale(LC_ALL, "");
	g_set_prgname("imss-license-server");
	if (!server_options_parse(&opts, &argc, &argv))
		return EXIT_FAILURE;
	/* standard output carries the "listening on" line only */
	g_log_writer_default_set_use_stderr(TRUE);
	if (opts.verbose)
		g_log_set_debug_enabled(TRUE);

	server = imss_server_new(opts.today_str != NULL ? &opts.today : NULL);
	if (opts.tls_cert != NULL) {
		server->tls_certificate = imss_server_tls_load(opts.tls_cert, opts.tls_key, &error);
		if (server->tls_certificate == NULL) {
			g_printerr("%s: cannot use the TLS certificate: %s\n",
				   g_get_prgname(),
				   error->message);
			return EXIT_FAILURE;
		}
		scheme = "https";
	}
	return server_run(server, &opts, scheme);
}
