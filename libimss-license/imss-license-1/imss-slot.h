/*
 * ImssSlot: one license slot of imss-licensed, kept current.
 */
#pragma once

#include "imss-enums.h"

G_BEGIN_DECLS

/**
 * IMSS_SLOT_DAYS_LEFT_UNKNOWN:
 *
 * What imss_slot_get_days_left() returns when there is no expiry date or
 * the daemon's calendar date is not known.
 */
#define IMSS_SLOT_DAYS_LEFT_UNKNOWN -2147483648

#define IMSS_TYPE_SLOT (imss_slot_get_type())
G_DECLARE_FINAL_TYPE(ImssSlot, imss_slot, IMSS, SLOT, GObject)

const gchar *
imss_slot_get_id(ImssSlot *self);
const gchar *
imss_slot_get_name(ImssSlot *self);
ImssLicenseState
imss_slot_get_state(ImssSlot *self);
const gchar *
imss_slot_get_expiry(ImssSlot *self);
const gchar *
imss_slot_get_grace_end(ImssSlot *self);
GDateTime *
imss_slot_dup_expiry_datetime(ImssSlot *self);
GDateTime *
imss_slot_dup_grace_end_datetime(ImssSlot *self);
gint
imss_slot_get_days_left(ImssSlot *self);
gboolean
imss_slot_get_updates_allowed(ImssSlot *self);
const gchar *
imss_slot_get_code(ImssSlot *self);
gboolean
imss_slot_get_offline(ImssSlot *self);
gboolean
imss_slot_get_expiry_verified(ImssSlot *self);
const gchar *
imss_slot_get_last_verified(ImssSlot *self);
const gchar *
imss_slot_get_server_status(ImssSlot *self);
const gchar *
imss_slot_get_last_check_error(ImssSlot *self);
const gchar *
imss_slot_get_details_url(ImssSlot *self);
gboolean
imss_slot_get_enabled(ImssSlot *self);
const gchar *
imss_slot_get_activated_at(ImssSlot *self);
const gchar *
imss_slot_get_next_check(ImssSlot *self);

G_END_DECLS
