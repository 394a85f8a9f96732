#define G_LOG_DOMAIN "ImssModule"

#include "config.h"

#include <gio/gio.h>

#include "imss-module.h"

static GMutex imss_module_lock;
static GHashTable *imss_module_tables = NULL; /* name → its table, once loaded */

/* the file of the module @name (see imss-module.h) */
static gchar *
imss_module_path(const gchar *name)
{
	const gchar *env = g_getenv("IMSS_MODULE_DIR");
	g_autofree gchar *file = g_strconcat(name, ".", G_MODULE_SUFFIX, NULL);
	g_autofree gchar *exe = NULL;

	if (env != NULL && env[0] != '\0')
		return g_build_filename(env, file, NULL);
	exe = g_file_read_link("/proc/self/exe", NULL);
	if (exe != NULL) {
		g_autofree gchar *dir = g_path_get_dirname(exe);
		g_autofree gchar *beside = g_build_filename(dir, file, NULL);
		if (g_file_test(beside, G_FILE_TEST_IS_REGULAR))
			return g_steal_pointer(&beside);
	}
	return g_build_filename(IMSS_MODULEDIR, file, NULL);
}

/* opens @path and returns its table, or NULL with @error */
static gconstpointer
imss_module_open(const gchar *path, guint abi, GError **error)
{
	const ImssModuleHeader *(*get)(void) = NULL;
	const ImssModuleHeader *table;
	GModule *module = g_module_open(path, G_MODULE_BIND_LOCAL);

	if (module == NULL) {
		g_set_error(error, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED, "%s", g_module_error());
		return NULL;
	}
	if (!g_module_symbol(module, "imss_module_get", (gpointer *)&get) || get == NULL) {
		g_set_error(error, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED, "%s", g_module_error());
		g_module_close(module);
		return NULL;
	}
	table = get();
	if (table == NULL || table->abi != abi) {
		g_set_error(error, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED,
			    "%s: ABI version %u, not %u", path, table != NULL ? table->abi : 0, abi);
		g_module_close(module);
		return NULL;
	}
	/* the libraries it brings keep global state (GTypes, GMime's tables) */
	g_module_make_resident(module);
	return table;
}

gconstpointer
imss_module_load(const gchar *name, guint abi, GError **error)
{
	gconstpointer table;
	g_autofree gchar *path = NULL;

	g_return_val_if_fail(name != NULL, NULL);
	g_return_val_if_fail(error == NULL || *error == NULL, NULL);

	g_mutex_lock(&imss_module_lock);
	if (imss_module_tables == NULL)
		imss_module_tables = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
	table = g_hash_table_lookup(imss_module_tables, name);
	if (table == NULL) {
		g_autoptr(GError) error_local = NULL;
		path = imss_module_path(name);
		table = imss_module_open(path, abi, &error_local);
		if (table != NULL) {
			g_debug("loaded the module %s", path);
			g_hash_table_insert(imss_module_tables, g_strdup(name), (gpointer)table);
		} else {
			g_warning("cannot load the module %s: %s", name, error_local->message);
			g_set_error(error, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED,
				    "cannot load the module %s: %s", name, error_local->message);
		}
	}
	g_mutex_unlock(&imss_module_lock);
	return table;
}
