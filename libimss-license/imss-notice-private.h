#pragma once

#include "imss-license-1/imss-notice.h"

G_BEGIN_DECLS

/* A notice from its fields (GetNotices, the Notice signal) with @text, or
 * rendered in @language (NULL: the process's) when @text is NULL; NULL
 * when @fields is not a notice this library knows. */
ImssNotice *
imss_notice_new(GVariant *fields, const gchar *text, const gchar *language);

/* Binds the library's message catalogue once (not the default domain). */
void
imss_license_init_i18n(void);

G_END_DECLS
