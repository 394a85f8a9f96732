/*
 * imss-license-keygen: generates and decodes activation codes of this
 * project's format (docs/activation-codes.md). A lab and test tool: it
 * issues codes offline, with no secret, exactly as the license-server
 * simulator does.
 */
#include "config.h"

#define G_LOG_DOMAIN "ImssKeygen"

#include <gio/gio.h>
#include <glib/gi18n.h>
#include <locale.h>
#include <stdio.h>
#include <stdlib.h>

#include "imss-catalog.h"
#include "imss-code.h"
#include "imss-date.h"
#include "imss-slot.h"

/* generous, but keeps a typo such as --count 10000000000 from filling a disk */
#define KEYGEN_COUNT_MAX 1000000

typedef struct {
	gchar *edition;
	gchar **slots;
	gchar *expiry;
	gboolean offline;
	gchar *serial;
	gchar *prefix;
	gchar *count;
	gboolean decode;
	gboolean json;
} KeygenOptions;

static void
keygen_options_clear(KeygenOptions *opts)
{
	g_free(opts->edition);
	g_strfreev(opts->slots);
	g_free(opts->expiry);
	g_free(opts->serial);
	g_free(opts->prefix);
	g_free(opts->count);
}

/* strictly YYYY-MM-DD */
static gboolean
keygen_parse_date(const gchar *str, GDate *date, GError **error)
{
	if (!imss_date_parse(str, date)) {
		g_set_error(error,
			    G_IO_ERROR,
			    G_IO_ERROR_INVALID_ARGUMENT,
			    /* TRANSLATORS: %s is what the user typed after --expiry */
			    _("“%s” is not a date of the form YYYY-MM-DD"),
			    str);
		return FALSE;
	}
	return TRUE;
}

/* the ids of the slots of @slot_mask, separated by commas, quoted for JSON */
static void
keygen_append_slots(GString *out, guint slot_mask, gboolean json)
{
	const gchar *quote = json ? "\"" : "";
	const gchar *sep = "";

	for (guint i = 0; i < IMSS_SLOT_LAST; i++) {
		if ((slot_mask & (1u << i)) == 0)
			continue;
		g_string_append_printf(out,
				       "%s%s%s%s",
				       sep,
				       quote,
				       imss_slot_to_string((ImssSlotId)i),
				       quote);
		sep = ",";
	}
}

/* prints one code and its fields: key=value lines, or one JSON object per line */
static void
keygen_print_info(const gchar *code, const ImssCodeInfo *info, gboolean json)
{
	g_autoptr(GString) out = g_string_new(NULL);
	g_autofree gchar *expiry = imss_date_format(&info->expiry);

	if (json) {
		/* every value is from a fixed, quote-free alphabet: no escaping needed */
		g_string_append_printf(out,
				       "{\"code\":\"%s\",\"prefix\":\"%s\",\"edition\":\"%s\","
				       "\"slots\":[",
				       code,
				       imss_code_prefix_to_string(info->prefix),
				       imss_edition_to_string(info->edition));
		keygen_append_slots(out, info->slot_mask, TRUE);
		g_string_append_printf(out,
				       "],\"slot_mask\":%u,\"expiry\":\"%s\",\"offline\":%s,"
				       "\"serial\":%" G_GUINT64_FORMAT "}\n",
				       info->slot_mask,
				       expiry,
				       info->offline ? "true" : "false",
				       info->serial);
	} else {
		g_string_append_printf(out,
				       "code=%s\nprefix=%s\nedition=%s\nslots=",
				       code,
				       imss_code_prefix_to_string(info->prefix),
				       imss_edition_to_string(info->edition));
		keygen_append_slots(out, info->slot_mask, FALSE);
		g_string_append_printf(out,
				       "\nslot_mask=%u\nexpiry=%s\noffline=%s\n"
				       "serial=%" G_GUINT64_FORMAT "\n",
				       info->slot_mask,
				       expiry,
				       info->offline ? "true" : "false",
				       info->serial);
	}
	fputs(out->str, stdout);
}

/* --edition (default imsva) */
static gboolean
keygen_parse_edition(const KeygenOptions *opts, ImssCodeInfo *info, GError **error)
{
	info->edition = IMSS_EDITION_IMSVA;
	if (opts->edition == NULL || imss_edition_from_string(opts->edition, &info->edition))
		return TRUE;
	g_set_error(error,
		    G_IO_ERROR,
		    G_IO_ERROR_INVALID_ARGUMENT,
		    /* TRANSLATORS: %s is what the user typed after --edition;
		     * imss and imsva are literal values, do not translate them */
		    _("Unknown edition “%s”: use imss or imsva"),
		    opts->edition);
	return FALSE;
}

/* --slot (default antivirus): the slot mask and the first slot named */
static gboolean
keygen_parse_slots(const KeygenOptions *opts,
		   ImssCodeInfo *info,
		   ImssSlotId *first_slot,
		   GError **error)
{
	*first_slot = IMSS_SLOT_ANTIVIRUS;
	if (opts->slots == NULL || opts->slots[0] == NULL) {
		info->slot_mask = 1u << IMSS_SLOT_ANTIVIRUS;
		return TRUE;
	}
	for (guint i = 0; opts->slots[i] != NULL; i++) {
		ImssSlotId slot;

		if (!imss_slot_from_string(opts->slots[i], &slot)) {
			g_set_error(error,
				    G_IO_ERROR,
				    G_IO_ERROR_INVALID_ARGUMENT,
				    /* TRANSLATORS: %s is what the user typed after
				     * --slot; the ids after the colon are literal */
				    _("Unknown slot “%s”: use cloud-prefilter, antivirus, "
				      "antispam, email-reputation, email-encryption or "
				      "compliance"),
				    opts->slots[i]);
			return FALSE;
		}
		if (i == 0)
			*first_slot = slot;
		info->slot_mask |= 1u << slot;
		/* activating antispam activates email-reputation with the same code */
		if (slot == IMSS_SLOT_ANTISPAM)
			info->slot_mask |= 1u << IMSS_SLOT_EMAIL_REPUTATION;
	}
	return TRUE;
}

/* --prefix (default: the first slot's) */
static gboolean
keygen_parse_prefix(const KeygenOptions *opts,
		    ImssSlotId first_slot,
		    ImssCodeInfo *info,
		    GError **error)
{
	g_autofree gchar *up = NULL;

	info->prefix = imss_slot_default_prefix(first_slot);
	if (opts->prefix == NULL)
		return TRUE;
	up = g_ascii_strup(opts->prefix, -1);
	if (imss_code_prefix_from_string(up, &info->prefix))
		return TRUE;
	g_set_error(error,
		    G_IO_ERROR,
		    G_IO_ERROR_INVALID_ARGUMENT,
		    /* TRANSLATORS: %s is what the user typed after --prefix;
		     * IM, AS and DL are literal values */
		    _("Unknown prefix “%s”: use IM, AS or DL"),
		    opts->prefix);
	return FALSE;
}

/* --expiry (default: today + 365 days) */
static gboolean
keygen_parse_expiry(const KeygenOptions *opts, ImssCodeInfo *info, GError **error)
{
	g_autoptr(GDateTime) now = NULL;

	if (opts->expiry != NULL)
		return keygen_parse_date(opts->expiry, &info->expiry, error);
	now = g_date_time_new_now_local();
	g_date_clear(&info->expiry, 1);
	g_date_set_dmy(&info->expiry,
		       (GDateDay)g_date_time_get_day_of_month(now),
		       (GDateMonth)g_date_time_get_month(now),
		       (GDateYear)g_date_time_get_year(now));
	g_date_add_days(&info->expiry, 365);
	return TRUE;
}

/* --count (default 1) */
static gboolean
keygen_parse_count(const KeygenOptions *opts, guint64 *count, GError **error)
{
	g_autoptr(GError) error_local = NULL;

	*count = 1;
	if (opts->count == NULL ||
	    g_ascii_string_to_unsigned(opts->count, 10, 1, KEYGEN_COUNT_MAX, count, &error_local))
		return TRUE;
	g_set_error(error,
		    G_IO_ERROR,
		    G_IO_ERROR_INVALID_ARGUMENT,
		    /* TRANSLATORS: %s is an explanation from GLib */
		    _("Invalid --count: %s"),
		    error_local->message);
	return FALSE;
}

/* --serial (default: random), the first of @count consecutive serials */
static gboolean
keygen_parse_serial(const KeygenOptions *opts, guint64 count, guint64 *serial, GError **error)
{
	g_autoptr(GError) error_local = NULL;
	g_autofree gchar *max = NULL;

	if (opts->serial == NULL) {
		guint64 r = ((guint64)g_random_int() << 32) | g_random_int();

		*serial = r % (IMSS_CODE_SERIAL_MAX - (count - 1) + 1);
		return TRUE;
	}
	if (!g_ascii_string_to_unsigned(opts->serial,
					10,
					0,
					IMSS_CODE_SERIAL_MAX,
					serial,
					&error_local)) {
		g_set_error(error,
			    G_IO_ERROR,
			    G_IO_ERROR_INVALID_ARGUMENT,
			    /* TRANSLATORS: %s is an explanation from GLib */
			    _("Invalid --serial: %s"),
			    error_local->message);
		return FALSE;
	}
	if (*serial <= IMSS_CODE_SERIAL_MAX - (count - 1))
		return TRUE;
	max = g_strdup_printf("%" G_GUINT64_FORMAT, IMSS_CODE_SERIAL_MAX);
	g_set_error(error,
		    G_IO_ERROR,
		    G_IO_ERROR_INVALID_ARGUMENT,
		    /* TRANSLATORS: %s is the largest serial, a number */
		    _("The serials would run past the largest serial, %s"),
		    max);
	return FALSE;
}

static gboolean
keygen_generate(const KeygenOptions *opts, GError **error)
{
	ImssCodeInfo info = {0};
	ImssSlotId first_slot;
	guint64 count;
	guint64 serial;

	if (!keygen_parse_edition(opts, &info, error) ||
	    !keygen_parse_slots(opts, &info, &first_slot, error) ||
	    !keygen_parse_prefix(opts, first_slot, &info, error) ||
	    !keygen_parse_expiry(opts, &info, error))
		return FALSE;
	info.offline = opts->offline;
	if (!keygen_parse_count(opts, &count, error) ||
	    !keygen_parse_serial(opts, count, &serial, error))
		return FALSE;

	for (guint64 i = 0; i < count; i++) {
		g_autofree gchar *code = NULL;
		g_autoptr(GError) error_local = NULL;

		info.serial = serial + i;
		code = imss_code_encode(&info, &error_local);
		if (code == NULL) {
			g_set_error(error,
				    G_IO_ERROR,
				    G_IO_ERROR_INVALID_ARGUMENT,
				    /* TRANSLATORS: %s is an English explanation from the codec */
				    _("Cannot generate an activation code: %s"),
				    error_local->message);
			return FALSE;
		}
		if (opts->json)
			keygen_print_info(code, &info, TRUE);
		else
			g_print("%s\n", code);
	}
	return TRUE;
}

/* reads codes, one a line, from stdin; prints one error line on stderr for
 * every bad line and counts them in @n_bad */
static gboolean
keygen_decode(const KeygenOptions *opts, guint *n_bad, GError **error)
{
	gchar *line = NULL;
	size_t line_size = 0;
	ssize_t len;
	guint lineno = 0;
	guint n_ok = 0;

	*n_bad = 0;

	while ((len = getline(&line, &line_size, stdin)) >= 0) {
		ImssCodeInfo info;
		g_autofree gchar *canonical = NULL;
		g_autoptr(GError) error_local = NULL;
		g_autofree gchar *msg = NULL;

		lineno++;
		if (!imss_code_parse(line, (gsize)len, &info, &canonical, &error_local)) {
			if (g_error_matches(error_local, IMSS_CODE_ERROR, IMSS_CODE_ERROR_EMPTY))
				continue;
			/* the codec's message never contains the code itself */
			msg = g_strdup_printf(
			    /* TRANSLATORS: %u is a line number of the input,
			     * %s an English explanation from the codec */
			    _("line %u: invalid activation code: %s"),
			    lineno,
			    error_local->message);
			g_printerr("%s: %s\n", g_get_prgname(), msg);
			(*n_bad)++;
			continue;
		}
		if (!opts->json && n_ok > 0)
			g_print("\n");
		keygen_print_info(canonical, &info, opts->json);
		n_ok++;
	}
	free(line);

	if (n_ok == 0 && *n_bad == 0) {
		g_set_error_literal(error,
				    G_IO_ERROR,
				    G_IO_ERROR_INVALID_DATA,
				    /* TRANSLATORS: error of --decode */
				    _("No activation code on standard input"));
		return FALSE;
	}
	return TRUE;
}

/* the command line's options, filling @opts */
static GOptionContext *
keygen_option_context_new(KeygenOptions *opts)
{
	GOptionContext *context;
	const GOptionEntry entries[] = {
	    {"edition", 0, 0, G_OPTION_ARG_STRING, &opts->edition,
	     /* TRANSLATORS: --edition; imss and imsva are literal values */
	     N_("Product edition: imss or imsva (default: imsva)"),
	     /* TRANSLATORS: placeholder in --help */
	     N_("EDITION")},
	    {"slot", 0, 0, G_OPTION_ARG_STRING_ARRAY, &opts->slots,
	     /* TRANSLATORS: --slot; antivirus, antispam and email-reputation are ids */
	     N_("Licensed slot, repeatable (default: antivirus); antispam implies "
		"email-reputation"),
	     /* TRANSLATORS: placeholder in --help */
	     N_("ID")},
	    {"expiry", 0, 0, G_OPTION_ARG_STRING, &opts->expiry,
	     /* TRANSLATORS: --expiry */
	     N_("Expiry date as issued (default: today + 365 days)"),
	     /* TRANSLATORS: placeholder in --help; keep the format as it is */
	     N_("YYYY-MM-DD")},
	    {"offline", 0, 0, G_OPTION_ARG_NONE, &opts->offline,
	     /* TRANSLATORS: --offline */
	     N_("Issue an offline code (never checked online)"), NULL},
	    {"serial", 0, 0, G_OPTION_ARG_STRING, &opts->serial,
	     /* TRANSLATORS: --serial */
	     N_("Serial number, 0 to 1099511627775 (default: random)"),
	     /* TRANSLATORS: placeholder for a number in --help */
	     N_("N")},
	    {"prefix", 0, 0, G_OPTION_ARG_STRING, &opts->prefix,
	     /* TRANSLATORS: --prefix; IM, AS and DL are literal values */
	     N_("Code prefix: IM, AS or DL (default: from the first slot)"),
	     /* TRANSLATORS: placeholder in --help */
	     N_("PREFIX")},
	    {"count", 0, 0, G_OPTION_ARG_STRING, &opts->count,
	     /* TRANSLATORS: --count */
	     N_("Generate N codes with consecutive serials (default: 1)"),
	     /* TRANSLATORS: placeholder for a number in --help */
	     N_("N")},
	    {"decode", 0, 0, G_OPTION_ARG_NONE, &opts->decode,
	     /* TRANSLATORS: --decode */
	     N_("Decode codes read from standard input, one a line"), NULL},
	    {"json", 0, 0, G_OPTION_ARG_NONE, &opts->json,
	     /* TRANSLATORS: --json */
	     N_("Print the fields of each code as one JSON object a line"), NULL},
	    {NULL},
	};

	/* TRANSLATORS: the one-line summary in --help */
	context = g_option_context_new(_("— generate or decode activation codes"));
	g_option_context_set_translation_domain(context, GETTEXT_PACKAGE);
	/* the entries are copied */
	g_option_context_add_main_entries(context, entries, GETTEXT_PACKAGE);
	g_option_context_set_description(
	    context,
	    /* TRANSLATORS: the text at the end of --help */
	    _("Prints one activation code a line. See imss-license-keygen(1) and "
	      "docs/activation-codes.md for the format."));
	return context;
}

/* the error of a command line that parsed but cannot be run, or NULL */
static const gchar *
keygen_check_usage(int argc, const KeygenOptions *opts)
{
	if (argc > 1)
		/* not echoed: it might be an activation code (a credential) */
		/* TRANSLATORS: the user gave an argument that is not an option */
		return _("Unexpected argument: this program takes options only (see --help)");
	if (opts->decode && (opts->edition != NULL || opts->slots != NULL || opts->expiry != NULL ||
			     opts->offline || opts->serial != NULL || opts->prefix != NULL ||
			     opts->count != NULL))
		/* TRANSLATORS: --decode and --json are literal option names */
		return _("--decode can only be combined with --json");
	return NULL;
}

int
main(int argc, char **argv)
{
	KeygenOptions opts = {0};
	g_autoptr(GOptionContext) context = NULL;
	g_autoptr(GError) error = NULL;
	const gchar *usage;
	gboolean ok;
	guint n_bad = 0;

	setlocale(LC_ALL, "");
	imss_catalog_bind_textdomain();
	g_set_prgname("imss-license-keygen");

	context = keygen_option_context_new(&opts);
	if (!g_option_context_parse(context, &argc, &argv, &error)) {
		g_printerr("%s: %s\n", g_get_prgname(), error->message);
		keygen_options_clear(&opts);
		return EXIT_FAILURE;
	}
	usage = keygen_check_usage(argc, &opts);
	if (usage != NULL) {
		g_printerr("%s: %s\n", g_get_prgname(), usage);
		keygen_options_clear(&opts);
		return EXIT_FAILURE;
	}

	if (opts.decode)
		ok = keygen_decode(&opts, &n_bad, &error);
	else
		ok = keygen_generate(&opts, &error);
	keygen_options_clear(&opts);
	if (fflush(stdout) != 0 && ok) {
		/* TRANSLATORS: writing the output failed, e.g. a full disk */
		g_printerr("%s: %s\n", g_get_prgname(), _("Cannot write to standard output"));
		return EXIT_FAILURE;
	}
	if (!ok) {
		g_printerr("%s: %s\n", g_get_prgname(), error->message);
		return EXIT_FAILURE;
	}
	/* each bad line of --decode has had its own error line */
	return n_bad > 0 ? EXIT_FAILURE : EXIT_SUCCESS;
}
