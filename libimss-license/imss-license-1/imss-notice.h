/*
 * ImssNotice: one notice of imss-licensed (SPEC §9), with its text.
 */
#pragma once

#include "imss-enums.h"

G_BEGIN_DECLS

#define IMSS_TYPE_NOTICE (imss_notice_get_type())
G_DECLARE_FINAL_TYPE(ImssNotice, imss_notice, IMSS, NOTICE, GObject)

ImssNoticeKind
imss_notice_get_kind(ImssNotice *self);
const gchar *
imss_notice_get_slot_id(ImssNotice *self);
const gchar *
imss_notice_get_unit(ImssNotice *self);
ImssNoticeSeverity
imss_notice_get_severity(ImssNotice *self);
gint
imss_notice_get_days_left(ImssNotice *self);
gint
imss_notice_get_grace_left(ImssNotice *self);
gint
imss_notice_get_days_since(ImssNotice *self);
const gchar *
imss_notice_get_expiry(ImssNotice *self);
const gchar *
imss_notice_get_grace_end(ImssNotice *self);
gboolean
imss_notice_get_has_dates(ImssNotice *self);
gboolean
imss_notice_get_hideable(ImssNotice *self);
gboolean
imss_notice_get_mail(ImssNotice *self);
const gchar *
imss_notice_get_text(ImssNotice *self);
const gchar *
imss_notice_get_language(ImssNotice *self);
GVariant *
imss_notice_get_fields(ImssNotice *self);
gchar *
imss_notice_render_text(ImssNotice *self, const gchar *language);
gchar *
imss_notice_render_subject(ImssNotice *self, const gchar *language);

G_END_DECLS
