/*
 * `imss-licensectl activate SLOT [CODE|-]`: registers an activation code.
 * The code is best read from standard input, which keeps it out of argv and
 * the shell history; it is wiped from memory once the daemon has it.
 */
#define G_LOG_DOMAIN "ImssCtl"

#include "config.h"

#include <errno.h>
#include <glib/gi18n.h>
#include <stdio.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include "imss-ctl.h"
#include "imss-code.h"
#include "imss-error.h"

/* Reads a secret from stdin: @prompt without echo on a terminal, otherwise
 * the first line. Keeps codes and passwords out of argv and the shell history. */
gchar *
imss_ctl_read_secret(const gchar *prompt, GError **error)
{
	g_autoptr(GString) buf = g_string_new(NULL);
	struct termios old, noecho;
	gboolean tty = isatty(STDIN_FILENO);
	gint c;

	if (tty) {
		g_printerr("%s", prompt);
		if (tcgetattr(STDIN_FILENO, &old) == 0) {
			noecho = old;
			noecho.c_lflag &= ~(tcflag_t)ECHO;
			tcsetattr(STDIN_FILENO, TCSAFLUSH, &noecho);
		} else {
			tty = FALSE;
		}
	}
	while ((c = getchar()) != EOF && c != '\n') {
		if (buf->len >= IMSS_CTL_CODE_INPUT_MAX)
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

/* The slot and the code of `activate SLOT [CODE|-]` (the code from standard
 * input when not given, or given as "-"), or NULL with @error. */
static gchar *
imss_ctl_activate_args(gchar **args, ImssSlotId *slot_id, GError **error)
{
	g_autofree gchar *code = NULL;

	if (args[0] == NULL || (args[1] != NULL && args[2] != NULL)) {
		imss_ctl_usage_error(error,
				     /* TRANSLATORS: usage error */
				     _("Usage: imss-licensectl activate SLOT [CODE|-] "
				       "(the code is read from standard input when not given)"));
		return NULL;
	}
	if (!imss_ctl_parse_slot(args[0], slot_id, error))
		return NULL;
	if (args[1] != NULL && g_strcmp0(args[1], "-") != 0)
		code = g_strdup(args[1]);
	else
		/* TRANSLATORS: prompt; the input is not echoed */
		code = imss_ctl_read_secret(_("Activation code: "), error);
	if (code == NULL)
		return NULL;
	/* a D-Bus string must be UTF-8: anything else cannot be a code */
	if (!g_utf8_validate(code, -1, NULL) || strlen(code) > IMSS_CTL_CODE_INPUT_MAX) {
		g_set_error_literal(error,
				    IMSS_ERROR,
				    IMSS_ERROR_INVALID_CODE,
				    imss_error_to_text(IMSS_ERROR_INVALID_CODE));
		return NULL;
	}
	return g_steal_pointer(&code);
}

static void
imss_ctl_activate_print_json(const gchar *slot_name, const gchar *path, ImssSlot *slot)
{
	g_autoptr(JsonBuilder) builder = json_builder_new();

	json_builder_begin_object(builder);
	imss_ctl_json_add_string(builder, "slot", slot_name);
	imss_ctl_json_add_string(builder, "object", path);
	imss_ctl_json_add_string(builder, "expiry", imss_slot_get_expiry(slot));
	imss_ctl_json_add_boolean(builder,
				  "expiry_verified",
				  imss_slot_get_expiry_verified(slot));
	imss_ctl_json_add_string(builder, "code", imss_slot_get_code(slot));
	json_builder_end_object(builder);
	imss_ctl_print_json(builder);
}

static void
imss_ctl_activate_print_text(ImssSlotId slot_id, ImssSlot *slot)
{
	/* TRANSLATORS: %1$s license name, %2$s expiry date YYYY-MM-DD */
	g_print(_("%1$s was activated. Expiry date: %2$s\n"),
		imss_slot_display_name(slot_id),
		imss_slot_get_expiry(slot));
	if (slot_id == IMSS_SLOT_ANTISPAM)
		/* TRANSLATORS: %s is the Email Reputation license name */
		g_print(_("%s was activated with the same code.\n"),
			imss_slot_display_name(IMSS_SLOT_EMAIL_REPUTATION));
	if (!imss_slot_get_offline(slot) && !imss_slot_get_expiry_verified(slot))
		g_print("%s\n",
			/* TRANSLATORS: shown after an activation the server has not confirmed */
			_("The expiry date is the one issued with the code; it has not been "
			  "confirmed by the license server yet."));
}

static const gchar *
imss_ctl_edition_name(ImssEdition edition)
{
	/* product names: not translated */
	return edition == IMSS_EDITION_IMSS ? "IMSS 9.1 for Linux" : "IMSVA 9.1";
}

/* A code the daemon refused as invalid that is a valid code of the other
 * edition: the same one line, with what to change. The code's edition is in
 * the code itself (common/imss-code.h), so the CLI can tell. */
static void
imss_ctl_activate_edition_hint(ImssCtl *ctl, const gchar *code, GError **error)
{
	ImssCodeInfo info;
	ImssEdition configured;
	GError *hinted;

	if (error == NULL || !g_error_matches(*error, IMSS_ERROR, IMSS_ERROR_INVALID_CODE))
		return;
	if (!imss_code_parse(code, strlen(code), &info, NULL, NULL))
		return;
	if (!imss_edition_from_string(imss_client_get_edition(ctl->client), &configured) ||
	    configured == info.edition)
		return;
	hinted = g_error_new(G_IO_ERROR,
			     G_IO_ERROR_FAILED,
			     /* TRANSLATORS: %1$s the error, %2$s and %3$s product names
			      * (IMSS 9.1 for Linux, IMSVA 9.1); [license] edition is a
			      * setting of imss-licensed.conf, keep it */
			     _("%1$s This code is for %2$s; this gateway is configured as %3$s "
			       "([license] edition in imss-licensed.conf)."),
			     imss_error_to_text(IMSS_ERROR_INVALID_CODE),
			     imss_ctl_edition_name(info.edition),
			     imss_ctl_edition_name(configured));
	g_clear_error(error);
	g_propagate_error(error, hinted);
}

gboolean
imss_ctl_activate(ImssCtl *ctl, gchar **args, GError **error)
{
	g_autofree gchar *code = NULL;
	g_autoptr(ImssSlot) slot = NULL;
	g_autofree gchar *path = NULL;
	ImssSlotId slot_id;

	g_return_val_if_fail(ctl != NULL && args != NULL, FALSE);
	g_return_val_if_fail(error == NULL || *error == NULL, FALSE);

	code = imss_ctl_activate_args(args, &slot_id, error);
	if (code == NULL)
		return FALSE;
	if (!imss_ctl_connect(ctl, error))
		return FALSE;
	imss_client_activate_async(ctl->client, args[0], code, NULL, imss_ctl_async_cb, ctl);
	slot = imss_client_activate_finish(ctl->client, imss_ctl_wait(ctl), error);
	if (slot == NULL)
		imss_ctl_activate_edition_hint(ctl, code, error);
	memset(code, 0, strlen(code));
	if (slot == NULL)
		return FALSE;
	path = imss_slot_object_path(slot_id);
	if (ctl->json)
		imss_ctl_activate_print_json(args[0], path, slot);
	else
		imss_ctl_activate_print_text(slot_id, slot);
	return TRUE;
}
