#define G_LOG_DOMAIN "ImssValidate"

#include "config.h"

#include <string.h>

#include "imss-error.h"
#include "imss-validate.h"

/* the length of the run of characters at @p that @accept takes, at most @max + 1 */
static gsize
imss_validate_span(const gchar *p, gboolean (*accept)(gchar c), gsize max)
{
	gsize n = 0;
	while (n <= max && accept(p[n]))
		n++;
	return n;
}

static gboolean
imss_validate_is_alpha(gchar c)
{
	return g_ascii_isalpha(c);
}

static gboolean
imss_validate_is_alnum(gchar c)
{
	return g_ascii_isalnum(c);
}

static gboolean
imss_validate_is_codeset(gchar c)
{
	return g_ascii_isalnum(c) || c == '-';
}

/* "[.codeset][@modifier]" to the end */
static gboolean
imss_language_tail_is_valid(const gchar *p)
{
	gsize n;
	if (*p == '.') {
		n = imss_validate_span(++p, imss_validate_is_codeset, 16);
		if (n < 1 || n > 16)
			return FALSE;
		p += n;
	}
	if (*p == '@') {
		n = imss_validate_span(++p, imss_validate_is_alnum, 16);
		if (n < 1 || n > 16)
			return FALSE;
		p += n;
	}
	return *p == '\0';
}

gboolean
imss_language_is_valid(const gchar *language)
{
	const gchar *p = language;
	gsize n;

	if (language == NULL ||
	    strnlen(language, IMSS_VALIDATE_LANGUAGE_MAX + 1) > IMSS_VALIDATE_LANGUAGE_MAX)
		return FALSE;
	if (g_strcmp0(language, "POSIX") == 0)
		return TRUE;
	if (language[0] == 'C' && (language[1] == '\0' || language[1] == '.'))
		return imss_language_tail_is_valid(language + 1);
	n = imss_validate_span(p, imss_validate_is_alpha, 3);
	if (n < 2 || n > 3)
		return FALSE;
	p += n;
	while (*p == '_' || *p == '-') {
		n = imss_validate_span(++p, imss_validate_is_alnum, 8);
		if (n < 2 || n > 8)
			return FALSE;
		p += n;
	}
	return imss_language_tail_is_valid(p);
}

static gboolean
imss_validate_is_printable(const gchar *value)
{
	if (!g_utf8_validate(value, -1, NULL))
		return FALSE;
	for (const gchar *p = value; *p != '\0'; p = g_utf8_next_char(p)) {
		gunichar c = g_utf8_get_char(p);
		GUnicodeType type = g_unichar_type(c);
		/* no control, format (bidi overrides, zero-width) or unassigned
		 * characters, and no line breaks in disguise */
		if (!g_unichar_isprint(c) || type == G_UNICODE_LINE_SEPARATOR ||
		    type == G_UNICODE_PARAGRAPH_SEPARATOR)
			return FALSE;
	}
	return TRUE;
}

gboolean
imss_validate_string(
    const gchar *name, const gchar *value, gsize max_bytes, gboolean printable, GError **error)
{
	g_return_val_if_fail(name != NULL, FALSE);
	g_return_val_if_fail(value != NULL, FALSE);
	g_return_val_if_fail(error == NULL || *error == NULL, FALSE);

	if (strnlen(value, max_bytes + 1) > max_bytes) {
		g_set_error(error,
		            IMSS_ERROR,
		            IMSS_ERROR_INVALID_ARGS,
		            "%s: longer than %" G_GSIZE_FORMAT " bytes",
		            name,
		            max_bytes);
		return FALSE;
	}
	if (printable && !imss_validate_is_printable(value)) {
		g_set_error(error,
		            IMSS_ERROR,
		            IMSS_ERROR_INVALID_ARGS,
		            "%s: not printable text (control, format or invalid characters)",
		            name);
		return FALSE;
	}
	return TRUE;
}

static gboolean
imss_validate_language(const gchar *name, const gchar *value, GError **error)
{
	/* empty: the default language */
	if (*value == '\0' || imss_language_is_valid(value))
		return TRUE;
	g_set_error(error,
	            IMSS_ERROR,
	            IMSS_ERROR_INVALID_ARGS,
	            "%s: not a language tag such as ja, en or ja_JP.UTF-8 (letters, digits, "
	            "'_', '-', '.', '@'; at most %d bytes)",
	            name,
	            IMSS_VALIDATE_LANGUAGE_MAX);
	return FALSE;
}

typedef struct {
	const gchar *name;
	gsize max_bytes;
	gboolean printable;
} ImssStringLimit;

/* the string arguments and profile fields with their own bounds; the slot and
 * the code have their own checks after this one (UnknownSlot, InvalidCode) */
static const ImssStringLimit string_limits[] = {
    {"slot", IMSS_VALIDATE_SLOT_MAX, FALSE},
    {"code", IMSS_VALIDATE_CODE_MAX, FALSE},
    {"expiry", IMSS_VALIDATE_DATE_MAX, FALSE},
    {"issued", IMSS_VALIDATE_DATE_MAX, FALSE},
    {"time", IMSS_VALIDATE_TIME_MAX, FALSE},
};

static gboolean
imss_validate_named_string(const gchar *name, const gchar *what, const gchar *value, GError **error)
{
	for (guint i = 0; i < G_N_ELEMENTS(string_limits); i++) {
		if (g_strcmp0(name, string_limits[i].name) == 0)
			return imss_validate_string(what,
			                            value,
			                            string_limits[i].max_bytes,
			                            string_limits[i].printable,
			                            error);
	}
	/* "origin" and anything else: text that goes into logs and the history */
	return imss_validate_string(what, value, IMSS_VALIDATE_TEXT_MAX, TRUE, error);
}

/* a{sv} @dict named @name: at most @max_entries, keys printable ASCII
 * names, strings bounded by name, other values at most @max_size bytes
 * serialised */
static gboolean
imss_validate_dict(const gchar *name, GVariant *dict, guint max_entries, gsize max_size, GError **error)
{
	GVariantIter iter;
	const gchar *key;
	GVariant *value;

	if (g_variant_n_children(dict) > max_entries) {
		g_set_error(error,
		            IMSS_ERROR,
		            IMSS_ERROR_INVALID_ARGS,
		            "%s: more than %u entries",
		            name,
		            max_entries);
		return FALSE;
	}
	g_variant_iter_init(&iter, dict);
	while (g_variant_iter_loop(&iter, "{&sv}", &key, &value)) {
		g_autofree gchar *what = NULL;
		gboolean ascii = TRUE;
		for (const gchar *p = key; *p != '\0'; p++)
			ascii = ascii && g_ascii_isgraph(*p);
		if (*key == '\0' || !ascii || strlen(key) > IMSS_VALIDATE_PROFILE_KEY_MAX) {
			g_set_error(
			    error,
			    IMSS_ERROR,
			    IMSS_ERROR_INVALID_ARGS,
			    "%s: a key is not a name (printable ASCII, at most %d bytes)",
			    name,
			    IMSS_VALIDATE_PROFILE_KEY_MAX);
			g_variant_unref(value);
			return FALSE;
		}
		what = g_strdup_printf("%s \"%s\"", name, key);
		if (g_variant_is_of_type(value, G_VARIANT_TYPE_STRING)) {
			if (!imss_validate_named_string(
			        key, what, g_variant_get_string(value, NULL), error)) {
				g_variant_unref(value);
				return FALSE;
			}
		} else if (g_variant_get_size(value) > max_size) {
			g_set_error(error,
			            IMSS_ERROR,
			            IMSS_ERROR_INVALID_ARGS,
			            "%s: larger than %" G_GSIZE_FORMAT " bytes",
			            what,
			            max_size);
			g_variant_unref(value);
			return FALSE;
		}
	}
	return TRUE;
}

gboolean
imss_validate_profile(GVariant *profile, GError **error)
{
	g_return_val_if_fail(g_variant_is_of_type(profile, G_VARIANT_TYPE_VARDICT), FALSE);
	g_return_val_if_fail(error == NULL || *error == NULL, FALSE);
	return imss_validate_dict("profile",
	                          profile,
	                          IMSS_VALIDATE_PROFILE_ENTRIES_MAX,
	                          IMSS_VALIDATE_TEXT_MAX,
	                          error);
}

/* SetSettings' reset: setting names */
static gboolean
imss_validate_names(const gchar *name, GVariant *names, GError **error)
{
	gsize n = 0;
	g_autofree const gchar **strv = g_variant_get_strv(names, &n);
	if (n > IMSS_VALIDATE_PROFILE_ENTRIES_MAX) {
		g_set_error(error,
		            IMSS_ERROR,
		            IMSS_ERROR_INVALID_ARGS,
		            "%s: more than %d names",
		            name,
		            IMSS_VALIDATE_PROFILE_ENTRIES_MAX);
		return FALSE;
	}
	for (gsize i = 0; i < n; i++) {
		if (!imss_validate_string(name, strv[i], IMSS_VALIDATE_PROFILE_KEY_MAX, TRUE, error))
			return FALSE;
	}
	return TRUE;
}

gboolean
imss_validate_argument(const gchar *name, GVariant *value, GError **error)
{
	g_return_val_if_fail(value != NULL, FALSE);
	g_return_val_if_fail(error == NULL || *error == NULL, FALSE);

	if (g_variant_is_of_type(value, G_VARIANT_TYPE_STRING)) {
		const gchar *str = g_variant_get_string(value, NULL);
		if (g_strcmp0(name, "language") == 0)
			return imss_validate_language(name, str, error);
		return imss_validate_named_string(name, name, str, error);
	}
	if (g_strcmp0(name, "profile") == 0 && g_variant_is_of_type(value, G_VARIANT_TYPE_VARDICT))
		return imss_validate_profile(value, error);
	/* SetSettings: the recipients are the largest value (64 addresses) */
	if (g_strcmp0(name, "settings") == 0 && g_variant_is_of_type(value, G_VARIANT_TYPE_VARDICT))
		return imss_validate_dict(name,
		                          value,
		                          IMSS_VALIDATE_PROFILE_ENTRIES_MAX,
		                          IMSS_VALIDATE_SETTINGS_VALUE_MAX,
		                          error);
	if (g_strcmp0(name, "reset") == 0 && g_variant_is_of_type(value, G_VARIANT_TYPE_STRING_ARRAY))
		return imss_validate_names(name, value, error);
	return TRUE;
}
