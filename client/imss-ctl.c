/*
 * imss-licensectl: what its commands share — the connection to imss-licensed,
 * errors, tables and JSON on standard output, the daemon's calendar date.
 */
#define G_LOG_DOMAIN "ImssCtl"

#include "config.h"

#include <glib/gi18n.h>
#include <stdio.h>
#include <sys/wait.h>
#include <unistd.h>

#include "imss-bus.h"
#include "imss-ctl.h"
#include "imss-date.h"
#include "imss-error.h"
#include "imss-records.h"

/* -- connection ---------------------------------------------------------- */

gboolean
imss_ctl_connect(ImssCtl *ctl, GError **error)
{
	g_return_val_if_fail(ctl != NULL, FALSE);
	g_return_val_if_fail(error == NULL || *error == NULL, FALSE);

	if (ctl->client != NULL)
		return TRUE;
	ctl->client = imss_client_new_sync(isatty(STDIN_FILENO)
					       ? IMSS_CLIENT_FLAGS_ALLOW_INTERACTIVE_AUTHORIZATION
					       : IMSS_CLIENT_FLAGS_NONE,
					   NULL,
					   error);
	return ctl->client != NULL;
}

void
imss_ctl_disconnect(ImssCtl *ctl)
{
	g_return_if_fail(ctl != NULL);

	g_clear_object(&ctl->result);
	g_clear_object(&ctl->last);
	g_clear_object(&ctl->client);
}

void
imss_ctl_async_cb(GObject *source, GAsyncResult *res, gpointer user_data)
{
	ImssCtl *ctl = user_data;
	g_set_object(&ctl->result, res);
}

GAsyncResult *
imss_ctl_wait(ImssCtl *ctl)
{
	g_return_val_if_fail(ctl != NULL, NULL);

	while (ctl->result == NULL)
		g_main_context_iteration(NULL, TRUE);
	g_clear_object(&ctl->last);
	ctl->last = g_steal_pointer(&ctl->result);
	return ctl->last;
}

ImssSlot *
imss_ctl_get_slot(ImssCtl *ctl, ImssSlotId slot, GError **error)
{
	ImssSlot *found;

	g_return_val_if_fail(ctl != NULL && IMSS_IS_CLIENT(ctl->client), NULL);
	g_return_val_if_fail(slot < IMSS_SLOT_LAST, NULL);

	found = imss_client_get_slot(ctl->client, imss_slot_to_string(slot));
	if (found == NULL) {
		imss_ctl_unknown_slot(error);
		return NULL;
	}
	return g_object_ref(found);
}

/* -- the pager ----------------------------------------------------------------- */

void
imss_ctl_start_pager(ImssCtl *ctl)
{
	const gchar *pager = g_getenv("PAGER");
	g_autoptr(GError) error_local = NULL;
	gchar *argv[] = {(gchar *)"/bin/sh", (gchar *)"-c", NULL, NULL};
	gint fd = -1;

	g_return_if_fail(ctl != NULL);

	if (ctl->no_pager || ctl->pager != 0 || !isatty(STDOUT_FILENO))
		return;
	if (pager == NULL || *pager == '\0')
		pager = "less -FRX";
	if (g_strcmp0(pager, "cat") == 0)
		return;
	argv[2] = (gchar *)pager;
	fflush(stdout);
	if (!g_spawn_async_with_pipes(NULL, argv, NULL, G_SPAWN_DO_NOT_REAP_CHILD, NULL, NULL,
				      &ctl->pager, &fd, NULL, NULL, &error_local)) {
		/* no pager: the output goes to the terminal as it is */
		g_debug("no pager: %s", error_local->message);
		ctl->pager = 0;
		return;
	}
	dup2(fd, STDOUT_FILENO);
	close(fd);
}

void
imss_ctl_end_pager(ImssCtl *ctl)
{
	g_return_if_fail(ctl != NULL);

	if (ctl->pager == 0)
		return;
	fflush(stdout);
	/* end of input for the pager, then let the operator read */
	close(STDOUT_FILENO);
	waitpid(ctl->pager, NULL, 0);
	g_spawn_close_pid(ctl->pager);
	ctl->pager = 0;
}

/* -- errors ------------------------------------------------------------------ */

/* a record the daemon sent that the common codec refused (a daemon of
 * another version, or something in its place): one clear line, never a
 * guess at what it meant */
gboolean
imss_ctl_malformed(GError **error)
{
	g_prefix_error(error,
		       "%s: ",
		       /* TRANSLATORS: followed by what is wrong, in English */
		       _("The license service sent an answer this program cannot read"));
	return FALSE;
}

gboolean
imss_ctl_usage_error(GError **error, const gchar *usage)
{
	g_return_val_if_fail(usage != NULL, FALSE);
	g_set_error_literal(error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE, usage);
	return FALSE;
}

gboolean
imss_ctl_unknown_slot(GError **error)
{
	g_set_error_literal(error,
			    IMSS_ERROR,
			    IMSS_ERROR_UNKNOWN_SLOT,
			    imss_error_to_text(IMSS_ERROR_UNKNOWN_SLOT));
	return FALSE;
}

gboolean
imss_ctl_parse_slot(const gchar *arg, ImssSlotId *slot, GError **error)
{
	g_return_val_if_fail(arg != NULL, FALSE);
	g_return_val_if_fail(slot != NULL, FALSE);

	if (!imss_slot_from_string(arg, slot))
		return imss_ctl_unknown_slot(error);
	return TRUE;
}

/* -- output ------------------------------------------------------------------ */

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

void
imss_ctl_print_table(GPtrArray *rows, guint ncols)
{
	g_autofree guint *widths = NULL;

	g_return_if_fail(rows != NULL);
	g_return_if_fail(ncols > 0);

	widths = g_new0(guint, ncols);
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

gchar *
imss_ctl_json_to_data(JsonBuilder *builder, gboolean pretty)
{
	g_autoptr(JsonGenerator) gen = json_generator_new();
	g_autoptr(JsonNode) root = NULL;

	g_return_val_if_fail(JSON_IS_BUILDER(builder), NULL);

	root = json_builder_get_root(builder);
	json_generator_set_pretty(gen, pretty);
	json_generator_set_root(gen, root);
	return json_generator_to_data(gen, NULL);
}

void
imss_ctl_print_utf8_line(const gchar *text)
{
	g_return_if_fail(text != NULL);

	/* not g_print(): it converts to the locale's charset, and under LANG=C
	 * (cron) every non-ASCII character would become "?" */
	fputs(text, stdout);
	fputc('\n', stdout);
	fflush(stdout);
}

void
imss_ctl_print_json(JsonBuilder *builder)
{
	g_autofree gchar *out = imss_ctl_json_to_data(builder, TRUE);
	imss_ctl_print_utf8_line(out);
}

void
imss_ctl_print_json_member(const gchar *name, JsonNode *value)
{
	g_autoptr(JsonBuilder) builder = json_builder_new();

	g_return_if_fail(name != NULL);
	g_return_if_fail(value != NULL);

	json_builder_begin_object(builder);
	json_builder_set_member_name(builder, name);
	json_builder_add_value(builder, value);
	json_builder_end_object(builder);
	imss_ctl_print_json(builder);
}

void
imss_ctl_json_add_string(JsonBuilder *builder, const gchar *name, const gchar *value)
{
	g_return_if_fail(JSON_IS_BUILDER(builder));
	g_return_if_fail(name != NULL);

	json_builder_set_member_name(builder, name);
	json_builder_add_string_value(builder, value);
}

void
imss_ctl_json_add_boolean(JsonBuilder *builder, const gchar *name, gboolean value)
{
	g_return_if_fail(JSON_IS_BUILDER(builder));
	g_return_if_fail(name != NULL);

	json_builder_set_member_name(builder, name);
	json_builder_add_boolean_value(builder, value);
}

/* -- the daemon's calendar and language -------------------------------------- */

/* the daemon's calendar date: days left are counted the way it counts them
 * (its zone, or its virtual clock) */
gboolean
imss_ctl_load_today(ImssCtl *ctl, GError **error)
{
	g_autoptr(GVariant) dict = NULL;
	g_auto(ImssClockRecord) clock = {NULL};

	g_return_val_if_fail(ctl != NULL, FALSE);

	imss_client_get_clock_async(ctl->client, NULL, imss_ctl_async_cb, ctl);
	dict = imss_client_get_clock_finish(ctl->client, imss_ctl_wait(ctl), error);
	/* the library checked the record with the common codec */
	if (dict == NULL && error != NULL && g_error_matches(*error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA))
		return imss_ctl_malformed(error);
	if (dict == NULL)
		return FALSE;
	if (!imss_clock_record_from_variant(dict, &clock, error))
		return imss_ctl_malformed(error);
	g_date_clear(&ctl->today, 1);
	/* a date it cannot read leaves today unset: no days left are shown */
	imss_date_parse(clock.today, &ctl->today);
	return TRUE;
}

gint
imss_ctl_days_until(ImssCtl *ctl, const gchar *date_str)
{
	GDate date;

	g_return_val_if_fail(ctl != NULL, G_MININT);

	if (!g_date_valid(&ctl->today) || !imss_date_parse(date_str, &date))
		return G_MININT;
	return g_date_days_between(&ctl->today, &date);
}

const gchar *
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
