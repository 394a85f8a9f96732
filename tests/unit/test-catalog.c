#include "config.h"

#include <string.h>

#include <glib/gstdio.h>

#include "imss-catalog.h"

/* -- a .mo writer, for catalogues no msgfmt would make ------------------------ */

typedef struct {
	const gchar *msgid;
	const gchar *msgstr;
	gsize msgid_len; /* 0: strlen (set for "singular\0plural" keys) */
	gsize msgstr_len;
} MoEntry;

static void
put_u32(GByteArray *out, guint32 v, gboolean big_endian)
{
	v = big_endian ? GUINT32_TO_BE(v) : GUINT32_TO_LE(v);
	g_byte_array_append(out, (const guint8 *)&v, 4);
}

static GBytes *
mo_build(const MoEntry *entries, guint n, gboolean big_endian)
{
	GByteArray *out = g_byte_array_new();
	guint32 originals = 28, translations = 28 + 8 * n, strings = 28 + 16 * n;
	g_autoptr(GByteArray) pool = g_byte_array_new();

	put_u32(out, 0x950412de, big_endian);
	put_u32(out, 0, big_endian);
	put_u32(out, n, big_endian);
	put_u32(out, originals, big_endian);
	put_u32(out, translations, big_endian);
	put_u32(out, 0, big_endian);
	put_u32(out, 0, big_endian);
	for (guint pass = 0; pass < 2; pass++) {
		for (guint i = 0; i < n; i++) {
			const gchar *s = pass == 0 ? entries[i].msgid : entries[i].msgstr;
			gsize len = pass == 0 ? entries[i].msgid_len : entries[i].msgstr_len;
			if (len == 0)
				len = strlen(s);
			put_u32(out, (guint32)len, big_endian);
			put_u32(out, strings + pool->len, big_endian);
			g_byte_array_append(pool, (const guint8 *)s, (guint)len + 1);
		}
	}
	g_byte_array_append(out, pool->data, pool->len);
	return g_byte_array_free_to_bytes(out);
}

static ImssCatalog *
catalog_from_bytes(GBytes *bytes, GError **error)
{
	gsize size = 0;
	const guint8 *data = g_bytes_get_data(bytes, &size);
	return imss_catalog_new_from_data(data, size, error);
}

static const MoEntry good_entries[] = {
    {"", "Content-Type: text/plain; charset=UTF-8\n", 0, 0},
    {"%1$s ends in %2$d days", "%1$sはあと%2$d日で終了します", 0, 0},
    {"%s expires", "%s の期限", 0, 0},
    {"%s: license expires in %d day\0%s: license expires in %d days",
     "%s: あと%d日",
     sizeof("%s: license expires in %d day\0%s: license expires in %d days") - 1,
     0},
    {"100%% done", "100%% 完了", 0, 0},
    {"Cloud Pre-Filter", "クラウドプレフィルタ", 0, 0},
    {"No action is needed.", "対応は不要です。", 0, 0},
    {"Order %1$s %2$s", "順 %2$s %1$s", 0, 0},
};

static void
test_catalog_lookup(void)
{
	for (guint big_endian = 0; big_endian < 2; big_endian++) {
		g_autoptr(GBytes) bytes =
		    mo_build(good_entries, G_N_ELEMENTS(good_entries), big_endian);
		g_autoptr(GError) error = NULL;
		g_autoptr(ImssCatalog) catalog = catalog_from_bytes(bytes, &error);

		g_assert_no_error(error);
		g_assert_nonnull(catalog);
		g_assert_cmpuint(
		    imss_catalog_get_size(catalog), ==, G_N_ELEMENTS(good_entries) - 1);
		g_assert_cmpuint(imss_catalog_get_n_dropped(catalog), ==, 0);
		g_assert_cmpstr(
		    imss_catalog_lookup(catalog, "Cloud Pre-Filter"), ==, "クラウドプレフィルタ");
		g_assert_cmpstr(imss_catalog_lookup(catalog, "%1$s ends in %2$d days"),
		                ==,
		                "%1$sはあと%2$d日で終了します");
		g_assert_cmpstr(
		    imss_catalog_lookup(catalog, "Order %1$s %2$s"), ==, "順 %2$s %1$s");
		g_assert_cmpstr(imss_catalog_lookup(catalog, "100%% done"), ==, "100%% 完了");
		/* a plural entry answers for its singular */
		g_assert_cmpstr(imss_catalog_lookup(catalog, "%s: license expires in %d day"),
		                ==,
		                "%s: あと%d日");
		/* what is not there */
		g_assert_null(imss_catalog_lookup(catalog, "Cloud"));
		g_assert_null(imss_catalog_lookup(catalog, "Zzz"));
		g_assert_null(imss_catalog_lookup(catalog, ""));
		g_assert_cmpstr(imss_catalog_gettext(catalog, "Zzz"), ==, "Zzz");
		g_assert_cmpstr(
		    imss_catalog_gettext(catalog, "No action is needed."), ==, "対応は不要です。");
	}
}

/* a translation that would make g_strdup_printf() read the wrong argument is
 * not used: the English text is */
static void
test_catalog_formats(void)
{
	const MoEntry entries[] = {
	    {"%1$s and %2$d", "%2$d と %1$s", 0, 0}, /* reordered: fine */
	    {"%1$s is %2$s", "%1$s は %1$s", 0, 0},  /* drops an argument */
	    {"%d days", "%s 日", 0, 0},              /* another type */
	    {"%s days", "%s 日 %n", 0, 0},           /* %n */
	    {"%s expires", "%s %s の期限", 0, 0},    /* one argument more */
	    {"%s gone", "%*s", 0, 0},                /* a '*' width */
	    {"%s left", "%2$s", 0, 0},               /* a gap */
	    {"%s more", "%1$s %s", 0, 0},            /* mixed */
	    {"%s real", "%-10.3s 実", 0, 0},         /* flags and precision: fine */
	    {"Plain text", "100%", 0, 0},            /* a lone '%' */
	    {"Plain words", "%s", 0, 0},             /* a directive out of nothing */
	    {"Zero %ld", "零 %lu", 0, 0},            /* same size: fine */
	    {"Zone %ld", "%d", 0, 0},                /* long against int */
	};
	g_autoptr(GBytes) bytes = mo_build(entries, G_N_ELEMENTS(entries), FALSE);
	g_autoptr(GError) error = NULL;
	g_autoptr(ImssCatalog) catalog = catalog_from_bytes(bytes, &error);

	g_assert_no_error(error);
	g_assert_cmpstr(imss_catalog_lookup(catalog, "%1$s and %2$d"), ==, "%2$d と %1$s");
	g_assert_cmpstr(imss_catalog_lookup(catalog, "%s real"), ==, "%-10.3s 実");
	g_assert_cmpstr(imss_catalog_lookup(catalog, "Zero %ld"), ==, "零 %lu");
	g_assert_cmpuint(imss_catalog_get_size(catalog), ==, 3);
	g_assert_cmpuint(imss_catalog_get_n_dropped(catalog), ==, G_N_ELEMENTS(entries) - 3);
	g_assert_cmpstr(imss_catalog_gettext(catalog, "%d days"), ==, "%d days");
	g_assert_cmpstr(imss_catalog_gettext(catalog, "Plain words"), ==, "Plain words");
}

/* takes @bytes */
static void
assert_refused(GBytes *bytes, const gchar *why)
{
	g_autoptr(GBytes) owned = bytes;
	g_autoptr(GError) error = NULL;
	g_autoptr(ImssCatalog) catalog = catalog_from_bytes(owned, &error);
	g_assert_null(catalog);
	g_assert_error(error, G_FILE_ERROR, G_FILE_ERROR_INVAL);
	g_test_message("%s: %s", why, error->message);
	g_assert_nonnull(strstr(error->message, why));
}

/* what msgfmt never writes, but a broken or hostile file may hold */
static void
test_catalog_refused(void)
{
	const MoEntry unsorted[] = {{"b", "B", 0, 0}, {"a", "A", 0, 0}};
	const MoEntry duplicate[] = {{"a", "A", 0, 0}, {"a", "B", 0, 0}};
	const MoEntry latin1[] = {{"", "Content-Type: text/plain; charset=ISO-8859-1\n", 0, 0}};
	const MoEntry not_utf8[] = {{"a", "\xff\xfe", 0, 0}};
	g_autoptr(GBytes) good = mo_build(good_entries, G_N_ELEMENTS(good_entries), FALSE);
	gsize size = 0;
	const guint8 *data = g_bytes_get_data(good, &size);
	g_autofree guint8 *copy = g_memdup2(data, size);
	guint32 v;

	assert_refused(mo_build(unsorted, 2, FALSE), "not sorted");
	assert_refused(mo_build(duplicate, 2, FALSE), "not sorted");
	assert_refused(mo_build(latin1, 1, FALSE), "charset");
	assert_refused(mo_build(not_utf8, 1, FALSE), "not UTF-8");
	assert_refused(g_bytes_new_static("", 0), "too short");
	assert_refused(g_bytes_new_static("\xde\x12\x04\x95\0\0\0\0", 8), "truncated header");
	assert_refused(g_bytes_new_static("\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0", 20), "magic");
	/* truncated anywhere: never read past the end */
	for (gsize cut = 0; cut < size; cut++) {
		g_autoptr(GError) error = NULL;
		g_autoptr(ImssCatalog) catalog = imss_catalog_new_from_data(data, cut, &error);
		g_assert_null(catalog);
		g_assert_nonnull(error);
	}
	/* revision 2 */
	memcpy(copy, data, size);
	v = GUINT32_TO_LE(2 << 16);
	memcpy(copy + 4, &v, 4);
	assert_refused(g_bytes_new(copy, size), "revision");
	/* a count larger than the file */
	memcpy(copy, data, size);
	v = GUINT32_TO_LE(0x20000000);
	memcpy(copy + 8, &v, 4);
	assert_refused(g_bytes_new(copy, size), "beyond the end");
	/* a string offset past the end, and a string without its NUL */
	memcpy(copy, data, size);
	v = GUINT32_TO_LE((guint32)size);
	memcpy(copy + 28 + 4, &v, 4);
	assert_refused(g_bytes_new(copy, size), "a string beyond the end");
	memcpy(copy, data, size);
	v = GUINT32_TO_LE(4000000000U);
	memcpy(copy + 28 + 8 + 4, &v, 4);
	assert_refused(g_bytes_new(copy, size), "a string beyond the end");
	memcpy(copy, data, size);
	memcpy(&v, copy + 28 + 8, 4);
	v = GUINT32_TO_LE(GUINT32_FROM_LE(v) + 1);
	memcpy(copy + 28 + 8, &v, 4);
	assert_refused(g_bytes_new(copy, size), "a string beyond the end");
}

/* the catalogue msgfmt built from po/ja.po, found by language negotiation */
static void
test_catalog_languages(void)
{
	const ImssCatalog *ja = imss_catalog_for_language("ja");
	const gchar *same[] = {
	    "ja_JP", "ja_JP.UTF-8", "ja_JP.utf8", "JA", "ja-JP", "ja_JP.UTF-8@cjknarrow", NULL};
	const gchar *english[] = {"",
	                          "en",
	                          "en_US.UTF-8",
	                          "C",
	                          "C.UTF-8",
	                          "POSIX",
	                          "de_DE",
	                          "../../etc",
	                          "ja/../../..",
	                          "ja:en",
	                          NULL};

	g_assert_nonnull(ja);
	g_assert_cmpuint(imss_catalog_get_size(ja), >, 100);
	g_assert_cmpuint(imss_catalog_get_n_dropped(ja), ==, 0);
	g_assert_cmpstr(imss_catalog_lookup(ja, "Cloud Pre-Filter"), ==, "クラウドプレフィルタ");
	for (guint i = 0; same[i] != NULL; i++) {
		g_test_message("%s", same[i]);
		g_assert_true(imss_catalog_for_language(same[i]) == ja);
	}
	for (guint i = 0; english[i] != NULL; i++) {
		const ImssCatalog *catalog = imss_catalog_for_language(english[i]);
		g_test_message("%s", english[i]);
		g_assert_nonnull(catalog);
		g_assert_cmpuint(imss_catalog_get_size(catalog), ==, 0);
		g_assert_cmpstr(
		    imss_catalog_gettext(catalog, "Cloud Pre-Filter"), ==, "Cloud Pre-Filter");
	}
	g_assert_true(imss_catalog_for_language(NULL) == imss_catalog_for_language("en"));
}

/* the catalogue's warnings, counted instead of printed (and fatal) */
static guint catalog_warnings;

static GLogWriterOutput
count_catalog_warnings(GLogLevelFlags level,
                       const GLogField *fields,
                       gsize n_fields,
                       gpointer user_data)
{
	for (gsize i = 0; i < n_fields; i++) {
		if ((level & G_LOG_LEVEL_WARNING) && g_strcmp0(fields[i].key, "GLIB_DOMAIN") == 0 &&
		    g_strcmp0(fields[i].value, "ImssCatalog") == 0) {
			catalog_warnings++;
			return G_LOG_WRITER_HANDLED;
		}
	}
	return g_log_writer_default(level, fields, n_fields, user_data);
}

/* a broken file is said once and skipped for the next, more general name */
static void
test_catalog_broken_file(void)
{
	g_autoptr(GError) error = NULL;
	g_autofree gchar *dir = g_dir_make_tmp("imss-catalog-XXXXXX", &error);
	g_autofree gchar *broken = g_build_filename(dir, "xx_YY", "LC_MESSAGES", NULL);
	g_autofree gchar *good = g_build_filename(dir, "xx", "LC_MESSAGES", NULL);
	g_autofree gchar *broken_file = g_build_filename(broken, GETTEXT_PACKAGE ".mo", NULL);
	g_autofree gchar *good_file = g_build_filename(good, GETTEXT_PACKAGE ".mo", NULL);
	g_autoptr(GBytes) bytes = mo_build(good_entries, G_N_ELEMENTS(good_entries), TRUE);
	const ImssCatalog *xx;

	g_assert_no_error(error);
	g_assert_cmpint(g_mkdir_with_parents(broken, 0700), ==, 0);
	g_assert_cmpint(g_mkdir_with_parents(good, 0700), ==, 0);
	g_assert_true(g_file_set_contents(broken_file, "not a catalogue", -1, NULL));
	g_assert_true(g_file_set_contents(
	    good_file, g_bytes_get_data(bytes, NULL), (gssize)g_bytes_get_size(bytes), NULL));

	imss_catalog_set_localedir(dir);
	catalog_warnings = 0;
	xx = imss_catalog_for_language("xx_YY");
	g_assert_cmpuint(catalog_warnings, ==, 1);
	g_assert_cmpstr(imss_catalog_lookup(xx, "Cloud Pre-Filter"), ==, "クラウドプレフィルタ");
	/* loaded once, said once */
	g_assert_true(imss_catalog_for_language("xx_YY.UTF-8") == xx);
	g_assert_true(imss_catalog_for_language("xx") == xx);
	g_assert_cmpuint(catalog_warnings, ==, 1);
	/* the files can go: the catalogue stays */
	g_assert_cmpint(g_remove(good_file), ==, 0);
	g_assert_cmpint(g_remove(broken_file), ==, 0);
	g_assert_true(imss_catalog_for_language("xx") == xx);
	imss_catalog_set_localedir(g_getenv("IMSS_LOCALEDIR"));
	for (guint i = 0; i < 2; i++) {
		g_autofree gchar *lang = g_path_get_dirname(i == 0 ? broken : good);
		g_assert_cmpint(g_rmdir(i == 0 ? broken : good), ==, 0);
		g_assert_cmpint(g_rmdir(lang), ==, 0);
	}
	g_assert_cmpint(g_rmdir(dir), ==, 0);
}

/* every program finds the catalogues in one place: $IMSS_LOCALEDIR, or the
 * installed LOCALEDIR */
static void
test_catalog_default_localedir(void)
{
	g_autofree gchar *saved = g_strdup(g_getenv("IMSS_LOCALEDIR"));

	g_assert_true(g_setenv("IMSS_LOCALEDIR", "/tmp/imss-po", TRUE));
	g_assert_cmpstr(imss_catalog_default_localedir(), ==, "/tmp/imss-po");
	g_unsetenv("IMSS_LOCALEDIR");
	g_assert_cmpstr(imss_catalog_default_localedir(), ==, LOCALEDIR);
	if (saved != NULL)
		g_assert_true(g_setenv("IMSS_LOCALEDIR", saved, TRUE));
}

int
main(int argc, char **argv)
{
	g_log_set_writer_func(count_catalog_warnings, NULL, NULL);
	g_test_init(&argc, &argv, NULL);
	/* the build tree's catalogues (tests/unit/meson.build) */
	g_assert_nonnull(g_getenv("IMSS_LOCALEDIR"));
	imss_catalog_set_localedir(g_getenv("IMSS_LOCALEDIR"));
	g_test_add_func("/imss/catalog/lookup", test_catalog_lookup);
	g_test_add_func("/imss/catalog/formats", test_catalog_formats);
	g_test_add_func("/imss/catalog/refused", test_catalog_refused);
	g_test_add_func("/imss/catalog/languages", test_catalog_languages);
	g_test_add_func("/imss/catalog/broken-file", test_catalog_broken_file);
	g_test_add_func("/imss/catalog/default-localedir", test_catalog_default_localedir);
	return g_test_run();
}
