/*
 * One license slot: its activation and the dates derived from it.
 * A domain object: no D-Bus, no SQL.
 */
#pragma once

#include <glib-object.h>

#include "imss-calendar.h"
#include "imss-code.h"

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

/* -- changes: on a copy, stored, then assigned (nothing changes in memory
 * before the store has it) -- */

/* A detached copy of @self to change and store. */
ImssLicense *
imss_license_copy(ImssLicense *self);
/* Takes over @from's stored state (not @self's slot or whether it is enabled). */
void
imss_license_assign(ImssLicense *self, ImssLicense *from);
/* A new activation of @canonical (a parsed, canonical code) issued with
 * @expiry at @now: offline codes carry their own, final date (verified at
 * once); online ones keep the issued date until a server confirms one.
 * What the server said about an earlier code is forgotten. */
void
imss_license_activate(ImssLicense *self,
		      const gchar *canonical,
		      const GDate *expiry,
		      gboolean offline,
		      gint64 now);
/* The license server was asked at @now; @failure: why that failed, NULL
 * when it answered. */
void
imss_license_record_contact(ImssLicense *self, gint64 now, const gchar *failure);
/* The server's last word: "valid", "unknown", "replaced", "suspended". */
void
imss_license_set_server_status(ImssLicense *self, const gchar *status);
/* @expiry confirmed at @now (the license server's or Control Manager's word). */
void
imss_license_confirm_expiry(ImssLicense *self, const GDate *expiry, gint64 now);

/* Every stored field of an activated license (the store restores it; the
 * license copies what it is given). */
typedef struct {
	gchar *code; /* canonical */
	GDate expiry;
	GDate issued_expiry;
	gboolean offline;
	gboolean verified;
	gint64 verified_at;
	gint64 activated_at;
	gchar *server_status;
	gint64 checked_at;
	gchar *check_error;
	gint64 revision; /* the stored row's: 0 when never stored */
} ImssLicenseStored;

void
imss_license_restore(ImssLicense *self, const ImssLicenseStored *stored);
/* The revision of the stored row this license was read from or written as
 * (0: never stored); a write is refused when the row moved on. */
gint64
imss_license_get_revision(ImssLicense *self);
void
imss_license_set_revision(ImssLicense *self, gint64 revision);

G_END_DECLS
