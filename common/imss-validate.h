/*
 * Limits on the strings a caller sends (issue 15): every string argument of
 * every method is bounded in length and characters at the bus edge
 * (imss-daemon.c, before polkit and before the domain), and whatever builds
 * a file name from a language tag checks it again. Failures are
 * IMSS_ERROR_INVALID_ARGS naming the argument; the value is never quoted.
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define IMSS_VALIDATE_LANGUAGE_MAX 35 /* "ja", "ja_JP.UTF-8@cjknarrow" */
#define IMSS_VALIDATE_SLOT_MAX 32     /* one of six ids, before the lookup */
/* any 37 characters in UTF-8 (a fullwidth code typed with an IME) and spaces */
#define IMSS_VALIDATE_CODE_MAX 256
#define IMSS_VALIDATE_DATE_MAX 10  /* YYYY-MM-DD */
#define IMSS_VALIDATE_TIME_MAX 64  /* ISO 8601 with an offset */
#define IMSS_VALIDATE_TEXT_MAX 256 /* any other string: printable text */
#define IMSS_VALIDATE_PROFILE_KEY_MAX 32
#define IMSS_VALIDATE_PROFILE_ENTRIES_MAX 16
#define IMSS_VALIDATE_SETTINGS_VALUE_MAX 20000 /* 64 addresses of up to 254 bytes */

/* Whether @language is a language tag or locale name: 2–3 letters, then
 * "_"/"-" subtags of 2–8 letters or digits, an optional ".codeset" and
 * "@modifier" ("ja", "ja_JP.UTF-8", "sr_RS@latin", "zh-Hant-TW"), or "C",
 * "POSIX", "C.UTF-8"; at most IMSS_VALIDATE_LANGUAGE_MAX bytes. Nothing in it
 * can name a directory ("/", "..", NUL). The empty string is not a tag. */
gboolean imss_language_is_valid(const gchar *language);

/* @value is at most @max_bytes long and, with @printable, valid UTF-8 without
 * control, format or separator characters. */
gboolean imss_validate_string(
    const gchar *name, const gchar *value, gsize max_bytes, gboolean printable, GError **error);

/* One method argument @value named @name (its name in the introspection XML):
 * "language" a tag or empty (the default), "slot" and "code" bounded before
 * their own checks, "time" bounded, "profile" a Control Manager profile (see
 * imss_validate_profile()), any other string printable text of at most
 * IMSS_VALIDATE_TEXT_MAX bytes; other types pass. */
gboolean imss_validate_argument(const gchar *name, GVariant *value, GError **error);

/* A Control Manager profile (a{sv}): at most IMSS_VALIDATE_PROFILE_ENTRIES_MAX
 * entries with printable ASCII keys; "slot", "code", "expiry", "issued"
 * bounded like the arguments of those names, "origin" and any other string
 * printable text of at most IMSS_VALIDATE_TEXT_MAX bytes, any other value at
 * most IMSS_VALIDATE_TEXT_MAX bytes serialised. Whether the keys are there
 * and mean something is the domain's business. */
gboolean imss_validate_profile(GVariant *profile, GError **error);

G_END_DECLS
