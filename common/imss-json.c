/*
 * The strict JSON pre-check (see imss-json.h).
 */
#include "config.h"

#define G_LOG_DOMAIN "ImssJson"

#include <gio/gio.h>
#include <string.h>

#include "imss-json.h"

static gboolean
imss_json_fail(GError **error, const gchar *why)
{
	g_set_error_literal(error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA, why);
	return FALSE;
}

/* reads a "\uXXXX" escape at @data[*pos] into @unit */
static gboolean
imss_json_unicode_unit(const gchar *data, gsize len, gsize *pos, guint *unit)
{
	gsize i = *pos;

	if (i + 6 > len || data[i] != '\\' || data[i + 1] != 'u')
		return FALSE;
	*unit = 0;
	for (gsize j = i + 2; j < i + 6; j++) {
		if (!g_ascii_isxdigit(data[j]))
			return FALSE;
		*unit = *unit << 4 | (guint)g_ascii_xdigit_value(data[j]);
	}
	*pos = i + 6;
	return TRUE;
}

/* the escape at @data[*pos] (a '\\'): one of JSON's, or \uXXXX where a high
 * surrogate must be followed by a low one and a low one must follow a high
 * one */
static gboolean
imss_json_skip_escape(const gchar *data, gsize len, gsize *pos, GError **error)
{
	gsize i = *pos;
	guint unit = 0;

	if (i + 1 < len && data[i + 1] != '\0' && strchr("\"\\/bfnrt", data[i + 1]) != NULL) {
		*pos = i + 2;
		return TRUE;
	}
	if (!imss_json_unicode_unit(data, len, &i, &unit))
		return imss_json_fail(error, "invalid escape in a JSON string");
	if (unit >= 0xdc00 && unit <= 0xdfff)
		return imss_json_fail(error, "unpaired surrogate in a JSON string");
	if (unit >= 0xd800 && unit <= 0xdbff &&
	    (!imss_json_unicode_unit(data, len, &i, &unit) || unit < 0xdc00 || unit > 0xdfff))
		return imss_json_fail(error, "unpaired surrogate in a JSON string");
	*pos = i;
	return TRUE;
}

/* skips the strict JSON string that starts at @data[*pos] (a '"') */
static gboolean
imss_json_skip_string(const gchar *data, gsize len, gsize *pos, GError **error)
{
	gsize i = *pos + 1;

	while (i < len) {
		guchar c = (guchar)data[i];

		if (c == '"') {
			*pos = i + 1;
			return TRUE;
		}
		if (c < 0x20)
			return imss_json_fail(error, "control character in a JSON string");
		if (c != '\\') {
			i++;
			continue;
		}
		if (!imss_json_skip_escape(data, len, &i, error))
			return FALSE;
	}
	return imss_json_fail(error, "unterminated JSON string");
}

gboolean
imss_json_precheck(const gchar *data, gsize len, GError **error)
{
	guint depth = 0;
	gsize i = 0;

	g_return_val_if_fail(data != NULL || len == 0, FALSE);
	g_return_val_if_fail(error == NULL || *error == NULL, FALSE);

	if (len == 0)
		return imss_json_fail(error, "empty");
	/* json-glib wants UTF-8 and stops at a NUL */
	if (memchr(data, '\0', len) != NULL || !g_utf8_validate(data, (gssize)len, NULL))
		return imss_json_fail(error, "not UTF-8 text");
	while (i < len) {
		guchar c = (guchar)data[i];

		if (c == '"') {
			if (!imss_json_skip_string(data, len, &i, error))
				return FALSE;
			continue;
		}
		if (c == '{' || c == '[') {
			if (++depth > IMSS_JSON_DEPTH_MAX) {
				g_set_error(error,
					    G_IO_ERROR,
					    G_IO_ERROR_INVALID_DATA,
					    "JSON nested deeper than %d levels",
					    IMSS_JSON_DEPTH_MAX);
				return FALSE;
			}
		} else if (c == '}' || c == ']') {
			if (depth > 0)
				depth--;
		} else if (!g_ascii_isalnum(c) && strchr(",: \t\n\r-+.", c) == NULL) {
			g_set_error(error,
				    G_IO_ERROR,
				    G_IO_ERROR_INVALID_DATA,
				    "unexpected character at byte %" G_GSIZE_FORMAT,
				    i + 1);
			return FALSE;
		}
		i++;
	}
	return TRUE;
}
