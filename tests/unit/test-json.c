/*
 * common/imss-json.c: the strict pre-check every program runs on untrusted
 * JSON before json-glib.
 */
#include "config.h"

#include <gio/gio.h>
#include <string.h>

#include "imss-json.h"

static gboolean
precheck(const gchar *str, GError **error)
{
	return imss_json_precheck(str, strlen(str), error);
}

static void
test_json_good(void)
{
	const gchar *good[] = {
	    "{}",
	    "[]",
	    "{\"protocol\": 1, \"code\": \"IM-XXXX\", \"status\": \"valid\"}",
	    "{\"a\": [1, -2.5e+3, true, false, null], \"b\": {\"c\": \"[{not nesting}]\"}}",
	    "\"\\\" \\\\ \\/ \\b \\f \\n \\r \\t\"",
	    "\"\\u00e9 \\uD83D\\uDE00 \\u0041\"",
	    "\"é 😀 日本語\"",
	    " \t\r\n{ } ",
	    /* unbalanced closers are json-glib's to refuse: the depth stays 0 */
	    "]]]",
	    NULL,
	};
	g_autofree gchar *open = g_strnfill(IMSS_JSON_DEPTH_MAX, '[');
	g_autofree gchar *close = g_strnfill(IMSS_JSON_DEPTH_MAX, ']');
	g_autofree gchar *deepest = g_strconcat(open, close, NULL);

	for (guint i = 0; good[i] != NULL; i++) {
		g_autoptr(GError) error = NULL;
		g_test_message("good: %s", good[i]);
		g_assert_true(precheck(good[i], &error));
		g_assert_no_error(error);
	}
	g_assert_true(precheck(deepest, NULL));
}

static void
test_json_bad(void)
{
	const struct {
		const gchar *data;
		gsize len; /* 0: strlen */
		const gchar *why;
	} bad[] = {
	    {"", 0, "empty"},
	    {"{\"a\": \"x\0y\"}", 12, "not UTF-8 text"},
	    {"{\"a\": \"\xff\xfe\"}", 0, "not UTF-8 text"},
	    {"{\"a\": 'single'}", 0, "unexpected character at byte 7"},
	    {"{\"a\": 1 /* comment */}", 0, "unexpected character at byte 9"},
	    {"{\"a\": \"\\x41\"}", 0, "invalid escape in a JSON string"},
	    {"{\"a\": \"\\u12\"}", 0, "invalid escape in a JSON string"},
	    {"{\"a\": \"\\u12", 0, "invalid escape in a JSON string"},
	    {"\"\\", 0, "invalid escape in a JSON string"},
	    {"{\"a\": \"\\udc00\\u0041\"}", 0, "unpaired surrogate in a JSON string"},
	    {"{\"a\": \"\\ud800\\u0041\"}", 0, "unpaired surrogate in a JSON string"},
	    {"{\"a\": \"\\ud800\"}", 0, "unpaired surrogate in a JSON string"},
	    {"{\"a\": \"tab\there\"}", 0, "control character in a JSON string"},
	    {"{\"a\": \"open", 0, "unterminated JSON string"},
	    {"{\"a\": \""
	     "\\u12\""
	     "[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[\"}",
	     0,
	     "invalid escape in a JSON string"},
	    {"<html></html>", 0, "unexpected character at byte 1"},
	};

	for (guint i = 0; i < G_N_ELEMENTS(bad); i++) {
		g_autoptr(GError) error = NULL;
		gsize len = bad[i].len != 0 ? bad[i].len : strlen(bad[i].data);
		g_test_message("bad %u: %s", i, bad[i].why);
		g_assert_false(imss_json_precheck(bad[i].data, len, &error));
		g_assert_error(error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA);
		g_assert_cmpstr(error->message, ==, bad[i].why);
	}
	g_assert_false(imss_json_precheck(NULL, 0, NULL));
}

/* one limit: IMSS_JSON_DEPTH_MAX levels pass, one more does not, also far
 * more (a recursive parser would overflow its stack) */
static void
test_json_depth(void)
{
	const gsize deep[] = {IMSS_JSON_DEPTH_MAX + 1, 60000};

	for (guint i = 0; i < G_N_ELEMENTS(deep); i++) {
		g_autofree gchar *arrays = g_strnfill(deep[i], '[');
		g_autoptr(GString) objects = g_string_new(NULL);
		g_autoptr(GError) error = NULL;
		g_autoptr(GError) error2 = NULL;

		for (gsize j = 0; j < deep[i]; j++)
			g_string_append(objects, "{\"a\":");
		g_assert_false(precheck(arrays, &error));
		g_assert_error(error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA);
		g_assert_cmpstr(error->message, ==, "JSON nested deeper than 32 levels");
		g_assert_false(precheck(objects->str, &error2));
		g_assert_error(error2, G_IO_ERROR, G_IO_ERROR_INVALID_DATA);
	}
}

/* never reads past @len: the bytes after it are not looked at */
static void
test_json_length(void)
{
	const gchar text[] = "{\"a\": 1}////";
	g_autofree gchar *exact = g_memdup2("{\"a\": \"\\ud83d\\ude00\"}", 21);

	g_assert_true(imss_json_precheck(text, 8, NULL));
	g_assert_false(imss_json_precheck(text, sizeof(text) - 1, NULL));
	/* not NUL-terminated (valgrind sees a read past the end) */
	g_assert_true(imss_json_precheck(exact, 21, NULL));
	g_assert_false(imss_json_precheck(exact, 19, NULL)); /* unterminated */
	g_assert_false(imss_json_precheck(exact, 14, NULL)); /* a cut escape */
}

/* the errors never quote the input */
static void
test_json_no_echo(void)
{
	const gchar *inputs[] = {
	    "{\"code\": \"IM-SECRET\\x\"}", "IM-SECRET!", "{\"IM-SECRET\": 'x'}", NULL};

	for (guint i = 0; inputs[i] != NULL; i++) {
		g_autoptr(GError) error = NULL;
		g_assert_false(precheck(inputs[i], &error));
		g_assert_null(strstr(error->message, "SECRET"));
	}
}

int
main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/imss/json/good", test_json_good);
	g_test_add_func("/imss/json/bad", test_json_bad);
	g_test_add_func("/imss/json/depth", test_json_depth);
	g_test_add_func("/imss/json/length", test_json_length);
	g_test_add_func("/imss/json/no-echo", test_json_no_echo);
	return g_test_run();
}
