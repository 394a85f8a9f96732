/*
 * The mail's composition, a module (imss-mime-gmime.so, GMime 3) opened on
 * the first mail (imss-module.h), so that the daemon links no GMime
 * (docs/lean.md).
 */
#pragma once

#include <glib.h>

#include "imss-module.h"

G_BEGIN_DECLS

#define IMSS_MIME_MODULE "imss-mime-gmime"
#define IMSS_MIME_ABI	 1

typedef struct {
	ImssModuleHeader header; /* IMSS_MIME_ABI */
	/* The message (CRLF line ends): From "@from_name <@from>", To each of
	 * @to, the @subject (RFC 2047), @date, Auto-Submitted, and @body as
	 * UTF-8 text/plain in base64. */
	gchar *(*compose)(const gchar *from_name,
			  const gchar *from,
			  const gchar *const *to,
			  const gchar *subject,
			  const gchar *body,
			  GDateTime *date);
} ImssMimeModule;

G_END_DECLS
