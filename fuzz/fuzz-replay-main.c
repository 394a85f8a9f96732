/*
 * Replays fuzz inputs through a libFuzzer-style target without libFuzzer, so
 * that every corpus runs in plain `meson test` (and under valgrind).
 *
 * Generic: link it with any file defining LLVMFuzzerTestOneInput(). Each
 * argument is a file or a directory (whose regular files are run in name
 * order, not recursively). Each input is passed in a heap buffer of exactly
 * its size, so that a read past the end shows under ASan or valgrind.
 * Exit status: 0 when every input ran, 1 when an argument could not be read
 * or no input was found; a failing target aborts by itself.
 */
#include "config.h"

#define G_LOG_DOMAIN "ImssFuzz"

#include <glib.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static gint
replay_compare_names(gconstpointer a, gconstpointer b)
{
	return g_strcmp0(*(const gchar *const *)a, *(const gchar *const *)b);
}

static gboolean
replay_file(const gchar *path, guint *n_run, GError **error)
{
	g_autofree gchar *contents = NULL;
	gsize len = 0;
	guint8 *exact;

	if (!g_file_get_contents(path, &contents, &len, error))
		return FALSE;
	/* malloc(0) may return NULL; the target must cope with (ptr, 0) anyway */
	exact = g_malloc(len > 0 ? len : 1);
	memcpy(exact, contents, len);
	LLVMFuzzerTestOneInput(exact, len);
	g_free(exact);
	(*n_run)++;
	return TRUE;
}

static gboolean
replay_path(const gchar *path, guint *n_run, GError **error)
{
	g_autoptr(GDir) dir = NULL;
	g_autoptr(GPtrArray) names = NULL;
	const gchar *name;

	if (!g_file_test(path, G_FILE_TEST_IS_DIR))
		return replay_file(path, n_run, error);

	dir = g_dir_open(path, 0, error);
	if (dir == NULL)
		return FALSE;
	names = g_ptr_array_new_with_free_func(g_free);
	while ((name = g_dir_read_name(dir)) != NULL)
		g_ptr_array_add(names, g_build_filename(path, name, NULL));
	g_ptr_array_sort(names, replay_compare_names);
	for (guint i = 0; i < names->len; i++) {
		const gchar *file = g_ptr_array_index(names, i);

		if (!g_file_test(file, G_FILE_TEST_IS_REGULAR))
			continue;
		if (!replay_file(file, n_run, error))
			return FALSE;
	}
	return TRUE;
}

int
main(int argc, char **argv)
{
	guint n_run = 0;

	if (argc < 2) {
		g_printerr("usage: %s FILE|DIRECTORY…\n", argv[0]);
		return EXIT_FAILURE;
	}
	for (gint i = 1; i < argc; i++) {
		g_autoptr(GError) error = NULL;

		if (!replay_path(argv[i], &n_run, &error)) {
			g_printerr("%s: %s\n", argv[0], error->message);
			return EXIT_FAILURE;
		}
	}
	if (n_run == 0) {
		g_printerr("%s: no input found\n", argv[0]);
		return EXIT_FAILURE;
	}
	g_print("%s: %u inputs ran\n", argv[0], n_run);
	return EXIT_SUCCESS;
}
