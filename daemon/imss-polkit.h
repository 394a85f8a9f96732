/*
 * Asynchronous polkit authorisation, fail closed: a missing or failing
 * polkitd means "not authorized", never "yes" and never a blocked main loop.
 */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

#define IMSS_TYPE_POLKIT (imss_polkit_get_type())
G_DECLARE_FINAL_TYPE(ImssPolkit, imss_polkit, IMSS, POLKIT, GObject)

ImssPolkit *
imss_polkit_new(void);
/* Checks @action_id for the system bus name @sender; @interactive when the
 * caller set ALLOW_INTERACTIVE_AUTHORIZATION on its message. The wait is
 * bounded (20 s, 110 s when interactive) and ends early when @sender leaves
 * @connection (may be NULL: not watched); both deny with a reason. */
void
imss_polkit_check_async(ImssPolkit *self,
			GDBusConnection *connection,
			const gchar *sender,
			const gchar *action_id,
			gboolean interactive,
			GCancellable *cancellable,
			GAsyncReadyCallback callback,
			gpointer user_data);
/* TRUE when authorised; otherwise IMSS_ERROR_NOT_AUTHORIZED. */
gboolean
imss_polkit_check_finish(ImssPolkit *self, GAsyncResult *res, GError **error);

G_END_DECLS
