#include "config.h"

#include <string.h>

#include "imss-config.h"

static void
test_config_defaults(void)
{
	g_autoptr(ImssConfig) config = imss_config_new();
	g_autoptr(GError) error = NULL;
	g_assert_true(imss_config_load(config, "/nonexistent/imss.conf", FALSE, &error));
	g_assert_no_error(error);
	g_assert_cmpint(imss_config_get_edition(config), ==, IMSS_EDITION_IMSVA);
	g_assert_cmpstr(imss_config_get_db_provider(config), ==, "SQLite");
	g_assert_null(imss_config_get_db_connection(config));
	g_assert_cmpstr(imss_config_get_server_url(config),
			==,
			"http://licenseupdate.trendmicro.com/ollu/license_update.aspx");
	g_assert_null(imss_config_get_proxy_host(config));
	g_assert_false(imss_config_get_sender_filter_enabled(config));
	g_assert_cmpuint(imss_config_get_history_max_entries(config), ==, 10000);
	g_assert_cmpuint(imss_config_get_poll_interval(config), ==, 60);
	g_assert_cmpuint(imss_config_get_claim_lease(config), ==, 600);
	/* the node's name defaults to the host name, as a node name */
	g_assert_nonnull(imss_config_get_node_name(config));
	g_assert_cmpuint(strlen(imss_config_get_node_name(config)), >, 0);
	g_assert_cmpuint(strspn(imss_config_get_node_name(config),
				"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-"),
			 ==, strlen(imss_config_get_node_name(config)));
}

static void
test_config_missing_required(void)
{
	g_autoptr(ImssConfig) config = imss_config_new();
	g_autoptr(GError) error = NULL;
	/* an explicit --config must exist */
	g_assert_false(imss_config_load(config, "/nonexistent/imss.conf", TRUE, &error));
	g_assert_error(error, G_FILE_ERROR, G_FILE_ERROR_NOENT);
}

static void
test_config_full(void)
{
	g_autoptr(ImssConfig) config = imss_config_new();
	g_autoptr(GError) error = NULL;
	const gchar *data = "[license]\nedition=imss\n"
			    "[database]\nprovider=PostgreSQL\nconnection=HOST=/tmp;DB_NAME=imss\n"
			    "auth=USERNAME=postgres\n"
			    "[license-server]\nurl=https://lic.example.com/ollu/license_update.aspx\n"
			    "[proxy]\nhost=proxy.example.com\nport=3128\nuser=bob\npassword=s3cret\n"
			    "[services]\nscan-unit=scan.service\nsender-filter-enabled=true\n"
			    "[history]\nmax-entries=2500\n"
			    "[fleet]\nnode-name=child-2.example\npoll-interval=15\nclaim-lease=30\n";
	g_assert_true(imss_config_load_data(config, data, "test.conf", &error));
	g_assert_no_error(error);
	g_assert_cmpint(imss_config_get_edition(config), ==, IMSS_EDITION_IMSS);
	g_assert_cmpstr(imss_config_get_db_provider(config), ==, "PostgreSQL");
	g_assert_cmpstr(imss_config_get_db_connection(config), ==, "HOST=/tmp;DB_NAME=imss");
	g_assert_cmpstr(imss_config_get_db_auth(config), ==, "USERNAME=postgres");
	g_assert_cmpstr(imss_config_get_proxy_host(config), ==, "proxy.example.com");
	g_assert_cmpuint(imss_config_get_proxy_port(config), ==, 3128);
	g_assert_cmpstr(imss_config_get_proxy_user(config), ==, "bob");
	g_assert_cmpstr(imss_config_get_proxy_password(config), ==, "s3cret");
	g_assert_cmpstr(imss_config_get_scan_unit(config), ==, "scan.service");
	g_assert_cmpstr(imss_config_get_policy_unit(config), ==, "imss-policy.service");
	g_assert_true(imss_config_get_sender_filter_enabled(config));
	g_assert_cmpuint(imss_config_get_history_max_entries(config), ==, 2500);
	g_assert_cmpstr(imss_config_get_node_name(config), ==, "child-2.example");
	g_assert_cmpuint(imss_config_get_poll_interval(config), ==, 15);
	g_assert_cmpuint(imss_config_get_claim_lease(config), ==, 30);
	g_assert_cmpuint(imss_config_get_warnings(config)->len, ==, 0);
}

/* a bad value names the file, the line and the key */
static void
test_config_bad_values(void)
{
	const struct {
		const gchar *data;
		const gchar *expect;
	} cases[] = {
	    {"# comment\n[license]\n\nedition=imsx\n", "bad.conf:4: [license] edition"},
	    {"[proxy]\nhost=p\nport=70000\n", "bad.conf:3: [proxy] port"},
	    {"[proxy]\nport=abc\n", "bad.conf:2: [proxy] port"},
	    {"[proxy]\nhost=p q\n", "bad.conf:2: [proxy] host"},
	    {"[proxy]\npassword=x\n", "bad.conf:2: [proxy] password"},
	    {"[license-server]\nurl=ftp://x/\n", "bad.conf:2: [license-server] url"},
	    {"[license-server]\nca-file=ca.pem\n", "bad.conf:2: [license-server] ca-file"},
	    {"[license-server]\nca-file=/nonexistent/ca.pem\n",
	     "bad.conf:2: [license-server] ca-file"},
	    {"[license-server]\n\nca-file=/dev/null\n", "bad.conf:3: [license-server] ca-file"},
	    {"[database]\nprovider=mysql\n", "bad.conf:2: [database] provider"},
	    {"[database]\nprovider=PostgreSQL\n", "[database] connection"},
	    {"[services]\nscan-unit=../../etc/passwd\n", "bad.conf:2: [services] scan-unit"},
	    {"[services]\nsender-filter-enabled=maybe\n",
	     "bad.conf:2: [services] sender-filter-enabled"},
	    {"[history]\nmax-entries=0\n", "bad.conf:2: [history] max-entries"},
	    {"[history]\nmax-entries=lots\n", "bad.conf:2: [history] max-entries"},
	    {"[fleet]\nnode-name=a b\n", "bad.conf:2: [fleet] node-name"},
	    {"[fleet]\npoll-interval=1\n", "bad.conf:2: [fleet] poll-interval"},
	    {"[fleet]\nclaim-lease=1000000\n", "bad.conf:2: [fleet] claim-lease"},
	};
	for (guint i = 0; i < G_N_ELEMENTS(cases); i++) {
		g_autoptr(ImssConfig) config = imss_config_new();
		g_autoptr(GError) error = NULL;
		g_assert_false(imss_config_load_data(config, cases[i].data, "bad.conf", &error));
		g_assert_nonnull(error);
		if (strstr(error->message, cases[i].expect) == NULL)
			g_error("case %u: '%s' does not contain '%s'", i, error->message, cases[i].expect);
	}
}

/* the whole message of each check, and the sections checked in file order
 * whatever their order in the file */
static void
test_config_messages(void)
{
	const struct {
		const gchar *data;
		const gchar *message;
	} cases[] = {
	    {"[license]\nenvironment=cloud\n",
	     "m.conf:2: [license] environment: expected auto, connected, cm-managed or standalone"},
	    {"[license-server]\ntimeout=601\n",
	     "m.conf:2: [license-server] timeout: expected seconds, 1-600"},
	    {"[proxy]\nport=0\n", "m.conf:2: [proxy] port: expected a port number 1-65535"},
	    {"[services]\nrestart-attempts=101\n",
	     "m.conf:2: [services] restart-attempts: expected a number of attempts from 1 to 100"},
	    {"[mail]\nto=a@example.com, bob\n",
	     "m.conf:2: [mail] to: expected e-mail addresses separated by commas"},
	    {"[mail]\nfrom=a b@example.com\n", "m.conf:2: [mail] from: expected an e-mail address"},
	    {"[mail]\nsmtp=http://mail.example.com\n",
	     "m.conf:2: [mail] smtp: expected smtp://host[:port] or smtps://host[:port]"},
	    {"[mail]\nlanguage=fr\n", "m.conf:2: [mail] language: expected ja or en"},
	    {"[mail]\nretry-interval=86401\n",
	     "m.conf:2: [mail] retry-interval: expected a number of seconds from 1 to 86400"},
	    {"[history]\nmax-entries=99\n",
	     "m.conf:2: [history] max-entries: expected a number of entries from 100 to 10000000"},
	    /* [proxy] before [mail], [license] before [proxy], whatever the file says */
	    {"[mail]\nlanguage=fr\n[proxy]\nport=0\n",
	     "m.conf:4: [proxy] port: expected a port number 1-65535"},
	    {"[proxy]\nhost=a b\n[license]\nedition=x\n",
	     "m.conf:4: [license] edition: expected imss or imsva"},
	    /* within [proxy], the port before the host */
	    {"[proxy]\nhost=a b\nport=0\n", "m.conf:3: [proxy] port: expected a port number 1-65535"},
	};
	for (guint i = 0; i < G_N_ELEMENTS(cases); i++) {
		g_autoptr(ImssConfig) config = imss_config_new();
		g_autoptr(GError) error = NULL;
		g_assert_false(imss_config_load_data(config, cases[i].data, "m.conf", &error));
		g_assert_error(error, G_KEY_FILE_ERROR, G_KEY_FILE_ERROR_INVALID_VALUE);
		g_assert_cmpstr(error->message, ==, cases[i].message);
	}
}

static void
test_config_mail(void)
{
	g_autoptr(ImssConfig) config = imss_config_new();
	g_autoptr(GError) error = NULL;
	gchar *const *to;
	g_assert_true(imss_config_load_data(config,
					    "[mail]\nto=a@example.com, b@example.com;;c@example.com\n"
					    "from=me@example.com\nsmtp=smtps://mail.example.com:465\n"
					    "language=en\ntimeout=5\n[license]\nenvironment=standalone\n",
					    "mail.conf",
					    &error));
	g_assert_no_error(error);
	to = imss_config_get_mail_to(config);
	g_assert_nonnull(to);
	g_assert_cmpuint(g_strv_length((gchar **)to), ==, 3);
	g_assert_cmpstr(to[2], ==, "c@example.com");
	g_assert_cmpstr(imss_config_get_mail_from(config), ==, "me@example.com");
	g_assert_cmpstr(imss_config_get_mail_smtp(config), ==, "smtps://mail.example.com:465");
	g_assert_cmpstr(imss_config_get_mail_language(config), ==, "en");
	g_assert_cmpuint(imss_config_get_mail_timeout(config), ==, 5);
	g_assert_cmpuint(imss_config_get_mail_retry_interval(config), ==, 300);
	g_assert_cmpstr(imss_config_get_environment(config), ==, "standalone");

	/* a reload starts from the defaults again */
	g_assert_true(imss_config_load_data(config, "", "empty.conf", &error));
	g_assert_null(imss_config_get_mail_to(config));
	g_assert_cmpstr(imss_config_get_mail_language(config), ==, "ja");
	g_assert_cmpstr(imss_config_get_environment(config), ==, "auto");
}

static void
test_config_syntax_error(void)
{
	g_autoptr(ImssConfig) config = imss_config_new();
	g_autoptr(GError) error = NULL;
	g_assert_false(imss_config_load_data(config, "[license\nedition=imss\n", "broken.conf", &error));
	g_assert_error(error, G_KEY_FILE_ERROR, G_KEY_FILE_ERROR_PARSE);
	g_assert_true(g_str_has_prefix(error->message, "broken.conf: "));
}

static void
test_config_unknown_keys(void)
{
	g_autoptr(ImssConfig) config = imss_config_new();
	g_autoptr(GError) error = NULL;
	GPtrArray *warnings;
	/* unknown keys are warned about, not fatal; the known ones still apply */
	g_assert_true(imss_config_load_data(config,
					    "[license]\neditin=imss\n[extra]\nfoo=1\n",
					    "u.conf",
					    &error));
	g_assert_no_error(error);
	warnings = imss_config_get_warnings(config);
	g_assert_cmpuint(warnings->len, ==, 2);
	g_assert_cmpstr(g_ptr_array_index(warnings, 0), ==, "u.conf:2: unknown key [license] editin ignored");
	g_assert_cmpstr(g_ptr_array_index(warnings, 1), ==, "u.conf:4: unknown key [extra] foo ignored");
	g_assert_cmpint(imss_config_get_edition(config), ==, IMSS_EDITION_IMSVA);
}

/* data/imss-licensed.conf, as installed: every section and key is there,
 * nothing is unknown, and every value it shows is the default */
static void
test_config_shipped(void)
{
	static const gchar *const sections[] = {"license", "database", "license-server", "proxy",
						"services", "mail", "history", "fleet", NULL};
	g_autoptr(ImssConfig) config = imss_config_new();
	g_autoptr(ImssConfig) defaults = imss_config_new();
	g_autoptr(GKeyFile) kf = g_key_file_new();
	g_autoptr(GError) error = NULL;
	g_autofree gchar *path = g_test_build_filename(G_TEST_DIST, "..", "..", "data",
						       "imss-licensed.conf", NULL);
	g_auto(GStrv) known = imss_config_dup_known_keys();
	g_autofree gchar *text = NULL;

	g_assert_true(g_key_file_load_from_file(kf, path, G_KEY_FILE_NONE, &error));
	g_assert_no_error(error);
	for (guint i = 0; sections[i] != NULL; i++)
		g_assert_true(g_key_file_has_group(kf, sections[i]));
	/* every key, shown with its default ("#key=" where the default is
	 * computed, e.g. the node's name) */
	g_assert_true(g_file_get_contents(path, &text, NULL, &error));
	for (gchar **k = known; *k != NULL; k++) {
		g_auto(GStrv) gk = g_strsplit(*k, "/", 2);
		g_autofree gchar *line = g_strdup_printf("\n%s=", gk[1]);
		g_autofree gchar *commented = g_strdup_printf("\n#%s=", gk[1]);
		g_autofree gchar *group = g_strdup_printf("\n[%s]\n", gk[0]);
		const gchar *start = strstr(text, group);
		const gchar *next = NULL;
		const gchar *at = NULL;
		g_test_message("%s", *k);
		g_assert_nonnull(start);
		next = strstr(start + 1, "\n[");
		at = g_key_file_has_key(kf, gk[0], gk[1], NULL) ? strstr(start, line) : strstr(start, commented);
		g_assert_nonnull(at);
		g_assert_true(next == NULL || at < next);
	}
	g_assert_true(imss_config_load(config, path, TRUE, &error));
	g_assert_no_error(error);
	g_assert_cmpuint(imss_config_get_warnings(config)->len, ==, 0);
	g_assert_true(imss_config_load(defaults, "/nonexistent/imss.conf", FALSE, &error));
	g_assert_cmpint(imss_config_get_edition(config), ==, imss_config_get_edition(defaults));
	g_assert_cmpstr(imss_config_get_environment(config), ==,
			imss_config_get_environment(defaults));
	g_assert_cmpstr(imss_config_get_db_provider(config), ==,
			imss_config_get_db_provider(defaults));
	g_assert_null(imss_config_get_db_connection(config));
	g_assert_cmpstr(imss_config_get_server_url(config), ==,
			imss_config_get_server_url(defaults));
	g_assert_cmpuint(imss_config_get_server_timeout(config), ==,
			 imss_config_get_server_timeout(defaults));
	g_assert_null(imss_config_get_proxy_host(config));
	g_assert_cmpuint(imss_config_get_proxy_port(config), ==,
			 imss_config_get_proxy_port(defaults));
	g_assert_cmpstr(imss_config_get_scan_unit(config), ==, imss_config_get_scan_unit(defaults));
	g_assert_cmpstr(imss_config_get_policy_unit(config), ==,
			imss_config_get_policy_unit(defaults));
	g_assert_cmpstr(imss_config_get_sender_filter_unit(config), ==,
			imss_config_get_sender_filter_unit(defaults));
	g_assert_null(imss_config_get_mail_to(config));
	g_assert_null(imss_config_get_mail_smtp(config));
	g_assert_cmpstr(imss_config_get_mail_from(config), ==, imss_config_get_mail_from(defaults));
	g_assert_cmpstr(imss_config_get_mail_language(config), ==,
			imss_config_get_mail_language(defaults));
	g_assert_cmpuint(imss_config_get_mail_timeout(config), ==,
			 imss_config_get_mail_timeout(defaults));
	g_assert_cmpuint(imss_config_get_mail_retry_interval(config), ==,
			 imss_config_get_mail_retry_interval(defaults));
	g_assert_cmpuint(imss_config_get_restart_timeout(config), ==,
			 imss_config_get_restart_timeout(defaults));
	g_assert_cmpuint(imss_config_get_restart_attempts(config), ==,
			 imss_config_get_restart_attempts(defaults));
	g_assert_cmpuint(imss_config_get_restart_retry_interval(config), ==,
			 imss_config_get_restart_retry_interval(defaults));
	g_assert_cmpuint(imss_config_get_history_max_entries(config), ==,
			 imss_config_get_history_max_entries(defaults));
	g_assert_cmpuint(imss_config_get_poll_interval(config), ==,
			 imss_config_get_poll_interval(defaults));
	g_assert_cmpuint(imss_config_get_claim_lease(config), ==,
			 imss_config_get_claim_lease(defaults));
}

int
main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/imss/config/defaults", test_config_defaults);
	g_test_add_func("/imss/config/missing-required", test_config_missing_required);
	g_test_add_func("/imss/config/full", test_config_full);
	g_test_add_func("/imss/config/bad-values", test_config_bad_values);
	g_test_add_func("/imss/config/messages", test_config_messages);
	g_test_add_func("/imss/config/mail", test_config_mail);
	g_test_add_func("/imss/config/syntax-error", test_config_syntax_error);
	g_test_add_func("/imss/config/unknown-keys", test_config_unknown_keys);
	g_test_add_func("/imss/config/shipped", test_config_shipped);
	return g_test_run();
}
