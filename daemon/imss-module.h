/*
 * The daemon's loadable modules (docs/lean.md): code that needs a large
 * library (libsoup for the license server, GMime for the mails) is built as
 * a module of its own and opened with GModule on first use, so that a
 * start maps neither library. Each module exports imss_module_get(), which
 * returns its table of entry points; the table's first member is the ABI
 * version the daemon checks. A module that loaded is never unloaded.
 *
 * Where: $IMSS_MODULE_DIR when set (the tests); else beside the running
 * program when the module is there (the build tree, where meson builds the
 * modules beside imss-licensed); else IMSS_MODULEDIR ($libdir/imss-license).
 */
#pragma once

#include <gmodule.h>

G_BEGIN_DECLS

/* what every table starts with */
typedef struct {
	guint abi;
} ImssModuleHeader;

/* Opens the module @name ("imss-http-soup": the file imss-http-soup.so)
 * once, and returns its table when its ABI version is @abi; NULL with
 * @error (G_IO_ERROR_NOT_SUPPORTED, "cannot load the module …: why"),
 * logged, when it cannot be used. A failure is not remembered: the next call
 * tries again. */
gconstpointer
imss_module_load(const gchar *name, guint abi, GError **error);

/* defined by every module */
G_MODULE_EXPORT const ImssModuleHeader *
imss_module_get(void);

G_END_DECLS
