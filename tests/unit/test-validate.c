#include "config.h"

#include <string.h>

#include "imss-error.h"
#include "imss-validate.h"

static void
test_validate_language(void)
{
	const gchar *good[] = {"ja",
	                       "en",
	                       "JA",
	                       "ast",
	                       "ja_JP",
	                       "ja-JP",
	                       "ja_JP.UTF-8",
	                       "ja_JP.utf8",
	                       "ja_JP.UTF-8@cjknarrow",
	                       "de_DE.ISO8859-15",
	                       "sr_RS@latin",
	                       "es_419",
	                       "zh-Hant-TW",
	                       "C",
	                       "C.UTF-8",
	                       "POSIX",
	                       /* 35 bytes exactly */
	                       "abc_12345678_12345678.UTF-8@euro123",
	                       NULL};
	const gchar *bad[] = {"",
	                      "j",
	                      "japa",
	                      "12",
	                      "../../etc",
	                      "/etc/passwd",
	                      "ja/LC_MESSAGES",
	                      "ja:en",
	                      " ja",
	                      "ja ",
	                      "ja\n",
	                      "%s%n",
	                      "日本語",
	                      "ja@",
	                      "ja.",
	                      "ja_",
	                      "ja_J",
	                      "ja_123456789",
	                      "ja..UTF-8",
	                      "ja.UTF-8.x",
	                      "ja@a@b",
	                      "ja.12345678901234567",
	                      "C_JP",
	                      "POSIX.UTF-8x",
	                      /* 36 bytes */
	                      "abc_12345678_12345678.UTF-8@euro1234",
	                      NULL};
	g_autofree gchar *huge = g_strnfill(8 * 1024 * 1024, 'j');

	for (guint i = 0; good[i] != NULL; i++) {
		g_test_message("good: %s", good[i]);
		g_assert_true(imss_language_is_valid(good[i]));
	}
	for (guint i = 0; bad[i] != NULL; i++) {
		g_test_message("bad: %s", bad[i]);
		g_assert_false(imss_language_is_valid(bad[i]));
	}
	g_assert_cmpuint(strlen(good[16]), ==, IMSS_VALIDATE_LANGUAGE_MAX);
	g_assert_false(imss_language_is_valid(huge));
	g_assert_false(imss_language_is_valid(NULL));
}

static void
assert_argument(const gchar *name, GVariant *value, const gchar *message_part)
{
	g_autoptr(GVariant) owned = g_variant_ref_sink(value);
	g_autoptr(GError) error = NULL;
	gboolean ok = imss_validate_argument(name, owned, &error);
	if (message_part == NULL) {
		g_assert_no_error(error);
		g_assert_true(ok);
		return;
	}
	g_assert_error(error, IMSS_ERROR, IMSS_ERROR_INVALID_ARGS);
	g_assert_false(ok);
	g_assert_nonnull(strstr(error->message, message_part));
	g_assert_cmpuint(strlen(error->message), <, 200);
}

static void
test_validate_arguments(void)
{
	g_autofree gchar *s32 = g_strnfill(32, 's');
	g_autofree gchar *s33 = g_strnfill(33, 's');
	g_autofree gchar *c256 = g_strnfill(256, 'C');
	g_autofree gchar *c257 = g_strnfill(257, 'C');
	g_autofree gchar *t256 = g_strnfill(256, 't');
	g_autofree gchar *t257 = g_strnfill(257, 't');

	assert_argument("language", g_variant_new_string(""), NULL);
	assert_argument("language", g_variant_new_string("ja_JP.UTF-8"), NULL);
	assert_argument(
	    "language", g_variant_new_string("../../etc"), "language: not a language tag");
	/* the slot and the code only get a length here: their own checks follow */
	assert_argument("slot", g_variant_new_string(s32), NULL);
	assert_argument("slot", g_variant_new_string("antivirus\n"), NULL);
	assert_argument("slot", g_variant_new_string(s33), "slot: longer than 32 bytes");
	assert_argument("code", g_variant_new_string(c256), NULL);
	assert_argument("code", g_variant_new_string(c257), "code: longer than 256 bytes");
	assert_argument("time", g_variant_new_string("2026-01-01T00:00:00+09:00"), NULL);
	assert_argument("time", g_variant_new_string(t257), "time: longer than 64 bytes");
	/* any other string: printable text */
	assert_argument("comment", g_variant_new_string(t256), NULL);
	assert_argument("comment", g_variant_new_string("日本語 text"), NULL);
	assert_argument("comment", g_variant_new_string(t257), "comment: longer than 256 bytes");
	assert_argument("comment", g_variant_new_string("a\nb"), "comment: not printable");
	assert_argument("comment",
	                g_variant_new_string("a\xe2\x80\xae"
	                                     "b"),
	                "not printable"); /* U+202E */
	assert_argument("comment",
	                g_variant_new_string("a\xe2\x80\xa8"
	                                     "b"),
	                "not printable"); /* U+2028 */
	/* other types pass */
	assert_argument("limit", g_variant_new_uint32(G_MAXUINT32), NULL);
	assert_argument("hidden", g_variant_new_boolean(TRUE), NULL);
}

static GVariant *profile_new(const gchar *first_key, ...) G_GNUC_NULL_TERMINATED;

/* key, string value, ..., NULL */
static GVariant *
profile_new(const gchar *first_key, ...)
{
	GVariantBuilder b;
	va_list ap;
	g_variant_builder_init(&b, G_VARIANT_TYPE_VARDICT);
	va_start(ap, first_key);
	for (const gchar *key = first_key; key != NULL; key = va_arg(ap, const gchar *))
		g_variant_builder_add(
		    &b, "{sv}", key, g_variant_new_string(va_arg(ap, const gchar *)));
	va_end(ap);
	return g_variant_builder_end(&b);
}

static void
test_validate_profile(void)
{
	g_autofree gchar *o256 = g_strnfill(256, 'o');
	g_autofree gchar *o257 = g_strnfill(257, 'o');
	g_autofree gchar *huge = g_strnfill(10 * 1024 * 1024, 'o');
	g_autofree gchar *k33 = g_strnfill(33, 'k');
	g_autofree gchar *c257 = g_strnfill(257, 'C');
	GVariantBuilder b;

	assert_argument(
	    "profile",
	    profile_new(
	        "slot", "antivirus", "code", "IM-x", "expiry", "2030-01-01", "origin", o256, NULL),
	    NULL);
	/* the domain says what is missing or wrong within the bounds */
	assert_argument("profile", g_variant_new_array(G_VARIANT_TYPE("{sv}"), NULL, 0), NULL);
	assert_argument("profile", profile_new("expiry", "tomorrow", NULL), NULL);
	assert_argument(
	    "profile", profile_new("origin", o257, NULL), "profile \"origin\": longer than 256");
	assert_argument(
	    "profile", profile_new("origin", huge, NULL), "profile \"origin\": longer than 256");
	assert_argument(
	    "profile", profile_new("origin", "cm\n", NULL), "profile \"origin\": not printable");
	assert_argument(
	    "profile", profile_new("code", c257, NULL), "profile \"code\": longer than 256");
	assert_argument(
	    "profile", profile_new("slot", k33, NULL), "profile \"slot\": longer than 32");
	assert_argument("profile",
	                profile_new("expiry", "2030-01-01 ", NULL),
	                "profile \"expiry\": longer than 10");
	assert_argument("profile",
	                profile_new("issued", "2030-01-01 ", NULL),
	                "profile \"issued\": longer than 10");
	assert_argument(
	    "profile", profile_new("note", o257, NULL), "profile \"note\": longer than 256");
	assert_argument("profile", profile_new(k33, "x", NULL), "profile: a key is not a name");
	assert_argument("profile", profile_new("a key", "x", NULL), "profile: a key is not a name");
	assert_argument("profile", profile_new("", "x", NULL), "profile: a key is not a name");

	/* 16 entries, and one more */
	g_variant_builder_init(&b, G_VARIANT_TYPE_VARDICT);
	for (guint i = 0; i < 16; i++) {
		g_autofree gchar *key = g_strdup_printf("k%u", i);
		g_variant_builder_add(&b, "{sv}", key, g_variant_new_string("v"));
	}
	assert_argument("profile", g_variant_builder_end(&b), NULL);
	g_variant_builder_init(&b, G_VARIANT_TYPE_VARDICT);
	for (guint i = 0; i < 17; i++) {
		g_autofree gchar *key = g_strdup_printf("k%u", i);
		g_variant_builder_add(&b, "{sv}", key, g_variant_new_string("v"));
	}
	assert_argument("profile", g_variant_builder_end(&b), "profile: more than 16 entries");

	/* values of other types: small ones pass, large ones do not */
	g_variant_builder_init(&b, G_VARIANT_TYPE_VARDICT);
	g_variant_builder_add(&b, "{sv}", "serial", g_variant_new_uint64(7));
	assert_argument("profile", g_variant_builder_end(&b), NULL);
	g_variant_builder_init(&b, G_VARIANT_TYPE_VARDICT);
	g_variant_builder_add(
	    &b, "{sv}", "blob", g_variant_new_fixed_array(G_VARIANT_TYPE_BYTE, huge, 4096, 1));
	assert_argument(
	    "profile", g_variant_builder_end(&b), "profile \"blob\": larger than 256 bytes");
}

int
main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/imss/validate/language", test_validate_language);
	g_test_add_func("/imss/validate/arguments", test_validate_arguments);
	g_test_add_func("/imss/validate/profile", test_validate_profile);
	return g_test_run();
}
