/*
 * One license slot: its activation and the dates derived from it.
 * A domain object: no D-Bus, no SQL.
 */
#pragma once

#include <glib-object.h>

#include "imss-calendar.h"
#include "imss-code.h"
#include "imss-store.h"

G_BEGIN_DECLS

#define IMSS_TYPE_LICENSE (imss_license_get_type())
G_DECLARE_FINAL_TYPE(ImssLicense, imss_license, IMSS, LICENSE, GObject)

ImssLicense *
imss_license_new(ImssSlotId slot, gboolean enabled);
ImssSlotId
imss_license_get_slot(ImssLicense *self);
const gchar *
imss_license_get_id(ImssLicense *self);
gboolean
imss_license_get_enabled(ImssLicense *self);
gboolean
imss_license_is_activated(ImssLicense *self);
/* The canonical code (a credential: never log or export it), or NULL. */
const gchar *
imss_license_get_code(ImssLicense *self);
/* The masked code, "" when not activated. */
const gchar *
imss_license_get_masked_code(ImssLicense *self);
/* E, or NULL when not activated. */
const GDate *
imss_license_get_expiry(ImssLicense *self);
/* The expiry the code was issued with. */
const GDate *
imss_license_get_issued_expiry(ImssLicense *self);
gboolean
imss_license_get_offline(ImssLicense *self);
gboolean
imss_license_get_verified(ImssLicense *self);
gint64
imss_license_get_verified_at(ImssLicense *self);
gint64
imss_license_get_activated_at(ImssLicense *self);
/* The license server's last word: "valid", "unknown", "replaced",
 * "suspended", or "" when never asked. */
const gchar *
imss_license_get_server_status(ImssLicense *self);
/* The last contact attempt (0: never) and why it failed ("" if it did not). */
gint64
imss_license_get_checked_at(ImssLicense *self);
const gchar *
imss_license_get_check_error(ImssLicense *self);

ImssLicenseState
imss_license_get_state(ImssLicense *self, const GDate *today);
/* FALSE from G on, and when not activated */
gboolean
imss_license_get_updates_allowed(ImssLicense *self, const GDate *today);
/* G = E + 90, or FALSE when not activated */
gboolean
imss_license_get_grace_end(ImssLicense *self, GDate *grace_end);
/* The next automatic check day after @today; FALSE when none (not activated
 * or offline). */
gboolean
imss_license_get_next_check(ImssLicense *self, const GDate *today, GDate *next);

/* Fills the license from a stored row; FALSE (with a warning) if the row is
 * damaged, leaving the slot not activated. */
gboolean
imss_license_set_from_row(ImssLicense *self, const ImssStoreSlot *row);
/* The row that stores this license. */
ImssStoreSlot *
imss_license_to_row(ImssLicense *self);

G_END_DECLS
