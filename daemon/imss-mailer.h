/*
 * Mail notices (SPEC §9.2): a MIME message composed with GMime (RFC 2047
 * subject, UTF-8 body; in a module opened on the first mail, imss-mime.h)
 * and delivered over SMTP with libcurl (opened then too), off the main
 * loop, with connect and total timeouts.
 */
#pragma once

#include <gio/gio.h>

#include "imss-config.h"

G_BEGIN_DECLS

#define IMSS_TYPE_MAILER (imss_mailer_get_type())
G_DECLARE_FINAL_TYPE(ImssMailer, imss_mailer, IMSS, MAILER, GObject)

ImssMailer *
imss_mailer_new(ImssConfig *config);
/* Whether recipients and an SMTP server are configured. */
gboolean
imss_mailer_is_configured(ImssMailer *self);
guint
imss_mailer_get_n_recipients(ImssMailer *self);
/* The composed message (CRLF line ends); NULL with @error when GMime's
 * module cannot be loaded (imss-mime.h). */
gchar *
imss_mailer_compose(ImssMailer *self,
		    const gchar *subject,
		    const gchar *body,
		    gint64 date,
		    GError **error);
void
imss_mailer_send_async(ImssMailer *self,
		       const gchar *subject,
		       const gchar *body,
		       gint64 date,
		       GCancellable *cancellable,
		       GAsyncReadyCallback callback,
		       gpointer user_data);
gboolean
imss_mailer_send_finish(ImssMailer *self, GAsyncResult *res, GError **error);

G_END_DECLS
