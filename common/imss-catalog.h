/*
 * Message catalogues looked up per call, without the process's locale or
 * environment (issue 15): the daemon renders texts in each caller's language
 * and in the configured mail language at the same time, from several
 * threads. A catalogue is the GNU .mo file of GETTEXT_PACKAGE for one
 * language, read once by a small strict reader, immutable afterwards (so
 * lookups need no lock) and kept for the life of the process.
 *
 * The clients keep gettext and their own locale: everywhere a catalogue is
 * taken, NULL means dgettext() in the process's locale.
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef struct _ImssCatalog ImssCatalog;

/* Parses a GNU .mo file (either byte order, revision 0 or 1) of at most
 * IMSS_CATALOG_MAX_SIZE bytes; @data is copied. Every offset is checked
 * against the size, the original strings must be sorted (lookups are a binary
 * search) and the translations valid UTF-8 (a header naming another charset
 * is refused). A translation whose printf directives differ from its
 * original's is dropped (imss_catalog_get_n_dropped()): it falls back to
 * English rather than crash a g_strdup_printf(). */
#define IMSS_CATALOG_MAX_SIZE (16 * 1024 * 1024)
ImssCatalog *
imss_catalog_new_from_data(const guint8 *data, gsize size, GError **error);
ImssCatalog *
imss_catalog_new_from_file(const gchar *path, GError **error);
void
imss_catalog_free(ImssCatalog *self);

/* The translation of @msgid, or NULL when there is none. */
const gchar *
imss_catalog_lookup(const ImssCatalog *self, const gchar *msgid);
/* How many translations can be looked up, and how many were dropped. */
guint
imss_catalog_get_size(const ImssCatalog *self);
guint
imss_catalog_get_n_dropped(const ImssCatalog *self);

/* The text of @msgid in @self, falling back to @msgid itself; with @self
 * NULL, dgettext(GETTEXT_PACKAGE, @msgid) in the process's locale (clients).
 * Marked for xgettext (po/meson.build). */
const gchar *
imss_catalog_gettext(const ImssCatalog *self, const gchar *msgid) G_GNUC_FORMAT(2);

/* Where imss_catalog_for_language() looks: <localedir>/<name>/LC_MESSAGES/
 * GETTEXT_PACKAGE.mo (default LOCALEDIR). Catalogues already loaded stay. */
void
imss_catalog_set_localedir(const gchar *localedir);
/* Where the catalogues of every program are: $IMSS_LOCALEDIR when set (tests,
 * a build tree), else LOCALEDIR. */
const gchar *
imss_catalog_default_localedir(void);
/* For a client (after setlocale()): GETTEXT_PACKAGE bound to
 * imss_catalog_default_localedir() in UTF-8, and made the default domain. */
void
imss_catalog_bind_textdomain(void);

/* The catalogue for @language, a language tag or locale name ("ja",
 * "ja_JP.UTF-8", "ja-JP", "en", "" or "C": English), found as ja_JP.UTF-8,
 * then ja_JP, then ja (g_get_locale_variants(), after "ja-JP" → "ja_JP" and
 * a lowercase language). Loaded once per file and kept for the life of the
 * process; thread-safe. Never NULL: without a usable catalogue (or for
 * anything that is not a language tag) it has no translations, i.e. English. */
const ImssCatalog *
imss_catalog_for_language(const gchar *language);

G_DEFINE_AUTOPTR_CLEANUP_FUNC(ImssCatalog, imss_catalog_free)

G_END_DECLS
