/*
 * The one pre-check of untrusted JSON, run before json-glib sees the bytes:
 * by the daemon on the license server's answer, by the simulator on every
 * request body and by the CLI on a license profile file.
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* The deepest nesting of objects and arrays accepted: json-glib parses
 * recursively; the protocol needs two levels, a profile one. */
#define IMSS_JSON_DEPTH_MAX 32

/* Whether @len bytes of @data (any bytes; never read past @len) may be given
 * to json-glib: not empty, UTF-8 without a NUL, strict JSON strings and
 * escapes (a high surrogate followed by a low one), nothing outside strings
 * but JSON's punctuation, white space and the letters and digits of
 * literals, and nesting at most IMSS_JSON_DEPTH_MAX deep. The grammar is left
 * to json-glib; strict strings make the depth counted here the depth it
 * reaches. json-glib would otherwise accept comments and single-quoted
 * strings and mis-read short or lone-surrogate \u escapes.
 *
 * Errors are G_IO_ERROR_INVALID_DATA, in English, and never quote @data. */
gboolean imss_json_precheck(const gchar *data, gsize len, GError **error) G_GNUC_WARN_UNUSED_RESULT;

G_END_DECLS
