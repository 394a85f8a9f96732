#define G_LOG_DOMAIN "ImssCatalog"

#include "config.h"

#include <errno.h>
#include <libintl.h>
#include <string.h>

#include <glib/gstdio.h>

#include "imss-catalog.h"
#include "imss-validate.h"

#define IMSS_CATALOG_MAGIC 0x950412deU
#define IMSS_CATALOG_MAX_ARGS 9 /* printf arguments a directive may name */

struct _ImssCatalog {
	GBytes *data;          /* the file; every string points into it */
	guint n;               /* entries, sorted by msgid */
	const gchar **msgids;  /* n */
	const gchar **msgstrs; /* n; NULL: no usable translation */
	guint n_dropped;
};

/* no translations at all: English */
static const ImssCatalog imss_catalog_english = {NULL, 0, NULL, NULL, 0};

/* -- printf directives ------------------------------------------------------ */

/* An explicit argument number "N$" at *@pp, skipped: @argno N, or 0 when the
 * directive has none; FALSE for a number printf cannot take here. */
static gboolean
imss_catalog_directive_position(const gchar **pp, guint *argno)
{
	const gchar *p = *pp;
	const gchar *q = p;

	*argno = 0;
	if (!g_ascii_isdigit(*p))
		return TRUE;
	while (g_ascii_isdigit(*q))
		q++;
	if (*q != '$')
		return TRUE;
	*argno = (guint)g_ascii_strtoull(p, NULL, 10);
	if (*argno == 0 || *argno > IMSS_CATALOG_MAX_ARGS)
		return FALSE;
	*pp = q + 1;
	return TRUE;
}

/* the class of the argument of conversion @conv with length modifier
 * @length (see imss_catalog_format_args()), 0 for none (%m); FALSE for '*',
 * %n, a lone '%' and anything unknown */
static gboolean
imss_catalog_conversion_class(gchar conv, gchar length, gchar *cls)
{
	switch (conv) {
	case 'd':
	case 'i':
	case 'o':
	case 'u':
	case 'x':
	case 'X':
		*cls = length == 0 ? 'i' : length == 'L' ? 'q' : length;
		return TRUE;
	case 'c':
		*cls = length == 'l' ? 'S' : 'i'; /* %lc: wint_t */
		return TRUE;
	case 'e':
	case 'E':
	case 'f':
	case 'F':
	case 'g':
	case 'G':
	case 'a':
	case 'A':
		*cls = length == 'L' ? 'F' : 'f';
		return TRUE;
	case 's':
		*cls = length == 'l' ? 'S' : 's';
		return TRUE;
	case 'p':
		*cls = 'p';
		return TRUE;
	case 'm': /* strerror(errno): no argument */
		*cls = 0;
		return TRUE;
	default:
		return FALSE;
	}
}

/* The rest of a directive at *@pp (flags, width, precision, length and
 * conversion), skipped: the class of its argument as
 * imss_catalog_conversion_class() gives it. */
static gboolean
imss_catalog_directive_class(const gchar **pp, gchar *cls)
{
	const gchar *p = *pp;
	gchar length = 0;

	while (*p != '\0' && strchr("-+ #0'I", *p) != NULL)
		p++;
	while (g_ascii_isdigit(*p))
		p++;
	if (*p == '.') {
		p++;
		while (g_ascii_isdigit(*p))
			p++;
	}
	if (*p == 'h') {
		p += p[1] == 'h' ? 2 : 1;
	} else if (*p == 'l' && p[1] == 'l') {
		length = 'q';
		p += 2;
	} else if (*p != '\0' && strchr("lLqjzZt", *p) != NULL) {
		length = *p == 'Z' ? 'z' : *p;
		p++;
	}
	if (!imss_catalog_conversion_class(*p, length, cls))
		return FALSE;
	*pp = p + 1;
	return TRUE;
}

/* The argument classes a printf format consumes, by argument number (1-based):
 * 'i' int (also char, short, %c), 'l' long, 'q' long long, 'j' intmax_t,
 * 'z' size_t, 't' ptrdiff_t, 'f' double, 'F' long double, 's' string, 'S' wide
 * string, 'p' pointer. FALSE when @format is no format we would print with
 * (a lone '%', '*' widths, %n, arguments beyond IMSS_CATALOG_MAX_ARGS, mixed
 * or incomplete positions, one argument with two classes). */
static gboolean
imss_catalog_format_args(const gchar *format, gchar args[IMSS_CATALOG_MAX_ARGS + 1], guint *n_args)
{
	guint next = 0, max = 0;
	gint positional = -1; /* unknown until the first directive */

	memset(args, 0, IMSS_CATALOG_MAX_ARGS + 1);
	for (const gchar *p = strchr(format, '%'); p != NULL; p = strchr(p, '%')) {
		guint argno;
		gchar cls;
		p++;
		if (*p == '%') {
			p++;
			continue;
		}
		if (!imss_catalog_directive_position(&p, &argno))
			return FALSE;
		if (positional == -1)
			positional = argno != 0;
		else if (positional != (argno != 0))
			return FALSE;
		if (!imss_catalog_directive_class(&p, &cls))
			return FALSE;
		if (cls == 0)
			continue;
		if (argno == 0)
			argno = ++next;
		if (argno > IMSS_CATALOG_MAX_ARGS || (args[argno] != 0 && args[argno] != cls))
			return FALSE;
		args[argno] = cls;
		max = MAX(max, argno);
	}
	/* printf needs every argument up to the last one named */
	for (guint i = 1; i <= max; i++) {
		if (args[i] == 0)
			return FALSE;
	}
	*n_args = max;
	return TRUE;
}

/* whether @translation consumes exactly the arguments @msgid does */
static gboolean
imss_catalog_formats_match(const gchar *msgid, const gchar *translation)
{
	gchar a[IMSS_CATALOG_MAX_ARGS + 1], b[IMSS_CATALOG_MAX_ARGS + 1];
	guint n_a = 0, n_b = 0;
	if (!imss_catalog_format_args(msgid, a, &n_a) ||
	    !imss_catalog_format_args(translation, b, &n_b))
		return FALSE;
	return n_a == n_b && memcmp(a, b, sizeof(a)) == 0;
}

/* -- the .mo reader ----------------------------------------------------------- */

typedef struct {
	const guint8 *data;
	gsize size;
	gboolean swap;
} ImssMoReader;

static gboolean
imss_mo_u32(const ImssMoReader *r, guint64 offset, guint32 *value)
{
	guint32 v;
	if (offset > r->size || r->size - offset < 4)
		return FALSE;
	memcpy(&v, r->data + offset, sizeof(v));
	*value = r->swap ? GUINT32_SWAP_LE_BE(v) : v;
	return TRUE;
}

/* entry @i of the string table at @table: NUL-terminated inside the file */
static const gchar *
imss_mo_string(const ImssMoReader *r, guint32 table, guint32 i)
{
	guint32 length, offset;
	if (!imss_mo_u32(r, (guint64)table + (guint64)i * 8, &length) ||
	    !imss_mo_u32(r, (guint64)table + (guint64)i * 8 + 4, &offset))
		return NULL;
	if ((guint64)offset + length >= r->size || r->data[(gsize)offset + length] != '\0')
		return NULL;
	return (const gchar *)r->data + offset;
}

/* the header's charset, when it names one other than UTF-8 */
static gboolean
imss_mo_header_is_utf8(const gchar *header)
{
	const gchar *p = strstr(header, "charset=");
	gsize n;
	if (p == NULL)
		return TRUE;
	p += strlen("charset=");
	n = strcspn(p, " \t\n;");
	return (n == 5 && g_ascii_strncasecmp(p, "UTF-8", 5) == 0) ||
	       (n == 4 && g_ascii_strncasecmp(p, "utf8", 4) == 0);
}

static gboolean
imss_catalog_fail(GError **error, const gchar *why)
{
	g_set_error(
	    error, G_FILE_ERROR, G_FILE_ERROR_INVAL, "not a usable message catalogue: %s", why);
	return FALSE;
}

static gboolean
imss_catalog_parse(ImssCatalog *self, GError **error)
{
	ImssMoReader r = {NULL, 0, FALSE};
	guint32 magic, revision, n, originals, translations;

	r.data = g_bytes_get_data(self->data, &r.size);
	if (!imss_mo_u32(&r, 0, &magic))
		return imss_catalog_fail(error, "too short");
	if (magic != IMSS_CATALOG_MAGIC) {
		r.swap = TRUE;
		if (GUINT32_SWAP_LE_BE(magic) != IMSS_CATALOG_MAGIC)
			return imss_catalog_fail(error, "no GNU .mo magic number");
	}
	if (!imss_mo_u32(&r, 4, &revision) || !imss_mo_u32(&r, 8, &n) ||
	    !imss_mo_u32(&r, 12, &originals) || !imss_mo_u32(&r, 16, &translations))
		return imss_catalog_fail(error, "truncated header");
	/* revision 1 adds system-dependent strings, which we do not use */
	if (revision >> 16 > 1)
		return imss_catalog_fail(error, "unknown revision");
	if ((guint64)n * 8 > r.size || (guint64)originals + (guint64)n * 8 > r.size ||
	    (guint64)translations + (guint64)n * 8 > r.size)
		return imss_catalog_fail(error, "string tables beyond the end");

	self->n = n;
	self->msgids = g_new0(const gchar *, MAX(n, 1));
	self->msgstrs = g_new0(const gchar *, MAX(n, 1));
	for (guint32 i = 0; i < n; i++) {
		const gchar *msgid = imss_mo_string(&r, originals, i);
		const gchar *msgstr = imss_mo_string(&r, translations, i);
		if (msgid == NULL || msgstr == NULL)
			return imss_catalog_fail(error, "a string beyond the end");
		/* a plural entry's key is "singular\0plural": compare the singular */
		if (i > 0 && strcmp(self->msgids[i - 1], msgid) >= 0)
			return imss_catalog_fail(error, "the original strings are not sorted");
		if (!g_utf8_validate(msgstr, -1, NULL))
			return imss_catalog_fail(error, "a translation is not UTF-8");
		self->msgids[i] = msgid;
		if (*msgid == '\0') {
			/* the header */
			if (!imss_mo_header_is_utf8(msgstr))
				return imss_catalog_fail(error, "the charset is not UTF-8");
			continue;
		}
		if (*msgstr == '\0')
			continue;
		if ((strchr(msgid, '%') != NULL || strchr(msgstr, '%') != NULL) &&
		    !imss_catalog_formats_match(msgid, msgstr)) {
			self->n_dropped++;
			continue;
		}
		self->msgstrs[i] = msgstr;
	}
	return TRUE;
}

ImssCatalog *
imss_catalog_new_from_data(const guint8 *data, gsize size, GError **error)
{
	g_autoptr(ImssCatalog) self = NULL;
	g_return_val_if_fail(data != NULL || size == 0, NULL);
	g_return_val_if_fail(error == NULL || *error == NULL, NULL);
	self = g_new0(ImssCatalog, 1);
	if (size > IMSS_CATALOG_MAX_SIZE) {
		imss_catalog_fail(error, "larger than 16 MiB");
		return NULL;
	}
	self->data = g_bytes_new(data, size);
	if (!imss_catalog_parse(self, error))
		return NULL;
	return g_steal_pointer(&self);
}

ImssCatalog *
imss_catalog_new_from_file(const gchar *path, GError **error)
{
	g_autofree gchar *contents = NULL;
	gsize size = 0;
	GStatBuf st;

	g_return_val_if_fail(path != NULL, NULL);
	g_return_val_if_fail(error == NULL || *error == NULL, NULL);

	if (g_stat(path, &st) != 0) {
		gint saved = errno;
		g_set_error(error,
		            G_FILE_ERROR,
		            g_file_error_from_errno(saved),
		            "%s: %s",
		            path,
		            g_strerror(saved));
		return NULL;
	}
	if (st.st_size > IMSS_CATALOG_MAX_SIZE) {
		g_set_error(
		    error, G_FILE_ERROR, G_FILE_ERROR_INVAL, "%s: larger than 16 MiB", path);
		return NULL;
	}
	if (!g_file_get_contents(path, &contents, &size, error))
		return NULL;
	return imss_catalog_new_from_data((const guint8 *)contents, size, error);
}

void
imss_catalog_free(ImssCatalog *self)
{
	if (self == NULL || self == &imss_catalog_english)
		return;
	if (self->data != NULL)
		g_bytes_unref(self->data);
	g_free(self->msgids);
	g_free(self->msgstrs);
	g_free(self);
}

const gchar *
imss_catalog_lookup(const ImssCatalog *self, const gchar *msgid)
{
	guint lo = 0, hi;
	g_return_val_if_fail(self != NULL, NULL);
	g_return_val_if_fail(msgid != NULL, NULL);
	hi = self->n;
	while (lo < hi) {
		guint mid = lo + (hi - lo) / 2;
		gint cmp = strcmp(msgid, self->msgids[mid]);
		if (cmp == 0)
			return self->msgstrs[mid];
		if (cmp < 0)
			hi = mid;
		else
			lo = mid + 1;
	}
	return NULL;
}

guint
imss_catalog_get_size(const ImssCatalog *self)
{
	guint n = 0;
	g_return_val_if_fail(self != NULL, 0);
	for (guint i = 0; i < self->n; i++)
		n += self->msgstrs[i] != NULL;
	return n;
}

guint
imss_catalog_get_n_dropped(const ImssCatalog *self)
{
	g_return_val_if_fail(self != NULL, 0);
	return self->n_dropped;
}

const gchar *
imss_catalog_gettext(const ImssCatalog *self, const gchar *msgid)
{
	const gchar *text;
	g_return_val_if_fail(msgid != NULL, NULL);
	if (self == NULL)
		return dgettext(GETTEXT_PACKAGE, msgid);
	text = imss_catalog_lookup(self, msgid);
	return text != NULL ? text : msgid;
}

/* -- one catalogue per file, for the life of the process ----------------------- */

static GMutex imss_catalog_lock;
static GHashTable *imss_catalog_cache; /* path → ImssCatalog (the English one: unusable) */
static gchar *imss_catalog_localedir;

void
imss_catalog_set_localedir(const gchar *localedir)
{
	g_mutex_lock(&imss_catalog_lock);
	g_free(imss_catalog_localedir);
	imss_catalog_localedir = g_strdup(localedir);
	g_mutex_unlock(&imss_catalog_lock);
}

const gchar *
imss_catalog_default_localedir(void)
{
	const gchar *localedir = g_getenv("IMSS_LOCALEDIR");

	return localedir != NULL ? localedir : LOCALEDIR;
}

void
imss_catalog_bind_textdomain(void)
{
	bindtextdomain(GETTEXT_PACKAGE, imss_catalog_default_localedir());
	bind_textdomain_codeset(GETTEXT_PACKAGE, "UTF-8");
	textdomain(GETTEXT_PACKAGE);
}

/* the cached catalogue of @locale, loading it the first time; NULL when
 * there is no file (not cached: a caller cannot fill the table) */
static const ImssCatalog *
imss_catalog_load_locked(const gchar *locale)
{
	g_autofree gchar *path =
	    g_build_filename(imss_catalog_localedir != NULL ? imss_catalog_localedir : LOCALEDIR,
	                     locale,
	                     "LC_MESSAGES",
	                     GETTEXT_PACKAGE ".mo",
	                     NULL);
	g_autoptr(GError) error_local = NULL;
	ImssCatalog *catalog;

	if (imss_catalog_cache == NULL)
		imss_catalog_cache = g_hash_table_new_full(
		    g_str_hash, g_str_equal, g_free, (GDestroyNotify)imss_catalog_free);
	catalog = g_hash_table_lookup(imss_catalog_cache, path);
	if (catalog != NULL)
		return catalog;
	catalog = imss_catalog_new_from_file(path, &error_local);
	if (catalog == NULL) {
		if (g_error_matches(error_local, G_FILE_ERROR, G_FILE_ERROR_NOENT) ||
		    g_error_matches(error_local, G_FILE_ERROR, G_FILE_ERROR_NOTDIR))
			return NULL;
		/* there, but unusable: English, and said once */
		g_warning("%s", error_local->message);
		catalog = (ImssCatalog *)&imss_catalog_english;
	} else if (imss_catalog_get_n_dropped(catalog) > 0) {
		g_warning("%s: %u translations not used: their printf directives differ from the "
		          "original's",
		          path,
		          imss_catalog_get_n_dropped(catalog));
	}
	g_hash_table_insert(imss_catalog_cache, g_steal_pointer(&path), catalog);
	return catalog;
}

/* "ja-JP.UTF-8" → "ja_JP.UTF-8", "JA" → "ja" (locale directories are named so) */
static gchar *
imss_catalog_normalize(const gchar *language)
{
	gchar *locale = g_strdup(language);
	gboolean in_language = TRUE;
	for (gchar *p = locale; *p != '\0' && *p != '.' && *p != '@'; p++) {
		if (*p == '-' || *p == '_') {
			*p = '_';
			in_language = FALSE;
		} else if (in_language) {
			*p = g_ascii_tolower(*p);
		}
	}
	return locale;
}

const ImssCatalog *
imss_catalog_for_language(const gchar *language)
{
	g_autofree gchar *locale = NULL;
	g_auto(GStrv) variants = NULL;
	const ImssCatalog *catalog = NULL;

	if (!imss_language_is_valid(language) || g_strcmp0(language, "POSIX") == 0 ||
	    g_strcmp0(language, "C") == 0 || g_str_has_prefix(language, "C."))
		return &imss_catalog_english;
	locale = imss_catalog_normalize(language);
	variants = g_get_locale_variants(locale);
	g_mutex_lock(&imss_catalog_lock);
	for (guint i = 0; variants[i] != NULL; i++) {
		catalog = imss_catalog_load_locked(variants[i]);
		/* an unusable file: try the next, more general name */
		if (catalog != NULL && catalog != &imss_catalog_english)
			break;
		catalog = NULL;
	}
	g_mutex_unlock(&imss_catalog_lock);
	return catalog != NULL ? catalog : &imss_catalog_english;
}
