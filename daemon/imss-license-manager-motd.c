/*
 * The login notice (issue 14): on a headless gateway, while a license is
 * within 60 days of its expiry or past it, /run/motd.d/imss-license holds
 * the console notices of those licenses (SPEC §9.1, in the mails'
 * language), which pam_motd shows at login; otherwise the file is removed.
 * Written only when its text changes.
 */
#define G_LOG_DOMAIN "ImssLicenseManager"

#include "config.h"

#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>

#include "imss-catalog.h"
#include "imss-license-manager-private.h"

static gchar *
imss_license_manager_motd_text(ImssLicenseManager *self)
{
	g_autoptr(GPtrArray) notices = imss_license_manager_get_notices(self);
	const ImssCatalog *catalog =
	    imss_catalog_for_language(imss_config_get_mail_language(self->config));
	g_autoptr(GString) text = g_string_new(NULL);

	for (guint i = 0; i < notices->len; i++) {
		const ImssNoticeData *notice = g_ptr_array_index(notices, i);
		g_autofree gchar *line = NULL;
		if (notice->kind != IMSS_NOTICE_EXPIRING && notice->kind != IMSS_NOTICE_EXPIRED &&
		    notice->kind != IMSS_NOTICE_UPDATES_ENDED)
			continue;
		line = imss_notice_render_console(catalog, notice);
		g_string_append_printf(text, "  %s\n", line);
	}
	if (text->len == 0)
		return NULL;
	/* TRANSLATORS: the first line of the login notice (/run/motd.d) */
	g_string_prepend(text, imss_catalog_gettext(catalog, N_("InterScan Messaging Security licenses "
								"(imss-licensectl status):\n")));
	return g_string_free(g_steal_pointer(&text), FALSE);
}

void
imss_license_manager_update_motd(ImssLicenseManager *self)
{
	const gchar *path;
	g_autofree gchar *text = NULL;
	g_autoptr(GError) error_local = NULL;

	g_return_if_fail(IMSS_IS_LICENSE_MANAGER(self));
	path = imss_config_get_motd_file(self->config);
	if (path == NULL)
		return;
	text = imss_license_manager_motd_text(self);
	if (self->motd_written && g_strcmp0(text, self->motd) == 0)
		return;
	if (text == NULL) {
		if (g_unlink(path) != 0 && errno != ENOENT)
			g_debug("cannot remove the login notice %s: %s", path, g_strerror(errno));
	} else if (!g_file_set_contents_full(path, text, -1, G_FILE_SET_CONTENTS_CONSISTENT, 0644,
					     &error_local)) {
		/* no /run/motd.d (no pam_motd): nothing to show it */
		g_debug("cannot write the login notice: %s", error_local->message);
	} else if (g_chmod(path, 0644) != 0) {
		/* readable by every user who logs in (the daemon's umask is 0077) */
		g_debug("cannot make the login notice readable: %s", g_strerror(errno));
	}
	g_free(self->motd);
	self->motd = g_steal_pointer(&text);
	self->motd_written = TRUE;
}
