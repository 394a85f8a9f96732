/*
 * The module imss-mime-gmime.so: a mail notice composed with GMime 3
 * (imss-mime.h).
 */
#define G_LOG_DOMAIN "ImssMimeGMime"

#include "config.h"

#include <gmime/gmime.h>

#include "imss-mime.h"

G_DEFINE_AUTOPTR_CLEANUP_FUNC(GMimeMessage, g_object_unref)
G_DEFINE_AUTOPTR_CLEANUP_FUNC(GMimeTextPart, g_object_unref)
G_DEFINE_AUTOPTR_CLEANUP_FUNC(GMimeFormatOptions, g_mime_format_options_free)

static gchar *
imss_mime_compose(const gchar *from_name,
		  const gchar *from,
		  const gchar *const *to,
		  const gchar *subject,
		  const gchar *body,
		  GDateTime *date)
{
	g_autoptr(GMimeMessage) msg = g_mime_message_new(TRUE);
	g_autoptr(GMimeTextPart) part = g_mime_text_part_new_with_subtype("plain");
	g_autoptr(GMimeFormatOptions) fo = g_mime_format_options_new();

	g_mime_message_add_mailbox(msg, GMIME_ADDRESS_TYPE_FROM, from_name, from);
	for (guint i = 0; to != NULL && to[i] != NULL; i++)
		g_mime_message_add_mailbox(msg, GMIME_ADDRESS_TYPE_TO, NULL, to[i]);
	g_mime_message_set_subject(msg, subject, "UTF-8");
	g_mime_message_set_date(msg, date);
	g_mime_object_set_header(GMIME_OBJECT(msg), "Auto-Submitted", "auto-generated", NULL);
	g_mime_text_part_set_text(part, body); /* UTF-8, encoded as needed */
	g_mime_part_set_content_encoding(GMIME_PART(part), GMIME_CONTENT_ENCODING_BASE64);
	g_mime_message_set_mime_part(msg, GMIME_OBJECT(part));
	/* SMTP wants CRLF */
	g_mime_format_options_set_newline_format(fo, GMIME_NEWLINE_FORMAT_DOS);
	return g_mime_object_to_string(GMIME_OBJECT(msg), fo);
}

static const ImssMimeModule imss_mime_gmime = {
    .header = {IMSS_MIME_ABI},
    .compose = imss_mime_compose,
};

const ImssModuleHeader *
imss_module_get(void)
{
	static gsize once = 0;
	/* GMime is set up when the module is first asked for */
	if (g_once_init_enter(&once)) {
		g_mime_init();
		g_once_init_leave(&once, 1);
	}
	return &imss_mime_gmime.header;
}
