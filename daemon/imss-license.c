#define G_LOG_DOMAIN "ImssLicense"

#include "config.h"

#include <string.h>

#include "imss-date.h"
#include "imss-license.h"
#include "imss-slot.h"

struct _ImssLicense {
	GObject parent_instance;
	ImssSlotId slot;
	gboolean enabled;
	gchar *masked;
	ImssLicenseStored s; /* the strings are ours */
};

G_DEFINE_TYPE(ImssLicense, imss_license, G_TYPE_OBJECT)

ImssSlotId
imss_license_get_slot(ImssLicense *self)
{
	g_return_val_if_fail(IMSS_IS_LICENSE(self), IMSS_SLOT_LAST);

	return self->slot;
}

const gchar *
imss_license_get_id(ImssLicense *self)
{
	g_return_val_if_fail(IMSS_IS_LICENSE(self), NULL);

	return imss_slot_to_string(self->slot);
}

gboolean
imss_license_get_enabled(ImssLicense *self)
{
	g_return_val_if_fail(IMSS_IS_LICENSE(self), FALSE);

	return self->enabled;
}

gboolean
imss_license_is_activated(ImssLicense *self)
{
	g_return_val_if_fail(IMSS_IS_LICENSE(self), FALSE);

	return self->s.code != NULL;
}

const gchar *
imss_license_get_code(ImssLicense *self)
{
	g_return_val_if_fail(IMSS_IS_LICENSE(self), NULL);

	return self->s.code;
}

const gchar *
imss_license_get_masked_code(ImssLicense *self)
{
	g_return_val_if_fail(IMSS_IS_LICENSE(self), NULL);

	return self->masked != NULL ? self->masked : "";
}

const GDate *
imss_license_get_expiry(ImssLicense *self)
{
	g_return_val_if_fail(IMSS_IS_LICENSE(self), NULL);

	return self->s.code != NULL ? &self->s.expiry : NULL;
}

const GDate *
imss_license_get_issued_expiry(ImssLicense *self)
{
	g_return_val_if_fail(IMSS_IS_LICENSE(self), NULL);

	return self->s.code != NULL ? &self->s.issued_expiry : NULL;
}

gboolean
imss_license_get_offline(ImssLicense *self)
{
	g_return_val_if_fail(IMSS_IS_LICENSE(self), FALSE);

	return self->s.offline;
}

gboolean
imss_license_get_verified(ImssLicense *self)
{
	g_return_val_if_fail(IMSS_IS_LICENSE(self), FALSE);

	return self->s.verified;
}

gint64
imss_license_get_verified_at(ImssLicense *self)
{
	g_return_val_if_fail(IMSS_IS_LICENSE(self), 0);

	return self->s.verified_at;
}

gint64
imss_license_get_activated_at(ImssLicense *self)
{
	g_return_val_if_fail(IMSS_IS_LICENSE(self), 0);

	return self->s.activated_at;
}

const gchar *
imss_license_get_server_status(ImssLicense *self)
{
	g_return_val_if_fail(IMSS_IS_LICENSE(self), NULL);

	return self->s.server_status != NULL ? self->s.server_status : "";
}

gint64
imss_license_get_checked_at(ImssLicense *self)
{
	g_return_val_if_fail(IMSS_IS_LICENSE(self), 0);

	return self->s.checked_at;
}

const gchar *
imss_license_get_check_error(ImssLicense *self)
{
	g_return_val_if_fail(IMSS_IS_LICENSE(self), NULL);

	return self->s.check_error != NULL ? self->s.check_error : "";
}

ImssLicenseState
imss_license_get_state(ImssLicense *self, const GDate *today)
{
	g_return_val_if_fail(IMSS_IS_LICENSE(self), IMSS_LICENSE_STATE_NOT_ACTIVATED);
	g_return_val_if_fail(today != NULL, IMSS_LICENSE_STATE_NOT_ACTIVATED);

	return imss_calendar_state(imss_license_get_expiry(self), today);
}

gboolean
imss_license_get_updates_allowed(ImssLicense *self, const GDate *today)
{
	ImssLicenseState state;
	g_return_val_if_fail(IMSS_IS_LICENSE(self), FALSE);
	g_return_val_if_fail(today != NULL, FALSE);
	state = imss_license_get_state(self, today);

	return state != IMSS_LICENSE_STATE_NOT_ACTIVATED && state != IMSS_LICENSE_STATE_EXPIRED;
}

gboolean
imss_license_get_grace_end(ImssLicense *self, GDate *grace_end)
{
	g_return_val_if_fail(IMSS_IS_LICENSE(self), FALSE);
	g_return_val_if_fail(grace_end != NULL, FALSE);

	if (self->s.code == NULL)
		return FALSE;
	imss_calendar_grace_end(&self->s.expiry, grace_end);
	return TRUE;
}

gboolean
imss_license_get_next_check(ImssLicense *self, const GDate *today, GDate *next)
{
	g_return_val_if_fail(IMSS_IS_LICENSE(self), FALSE);
	g_return_val_if_fail(today != NULL, FALSE);
	g_return_val_if_fail(next != NULL, FALSE);

	if (self->s.code == NULL || self->s.offline)
		return FALSE;
	imss_calendar_next_check(&self->s.expiry, today, next);
	return TRUE;
}

static void
imss_license_clear(ImssLicense *self)
{
	if (self->s.code != NULL)
		memset(self->s.code, 0, strlen(self->s.code));
	g_free(self->s.code);
	g_free(self->s.server_status);
	g_free(self->s.check_error);
	memset(&self->s, 0, sizeof(self->s));
	g_date_clear(&self->s.expiry, 1);
	g_date_clear(&self->s.issued_expiry, 1);
	g_clear_pointer(&self->masked, g_free);
}

void
imss_license_restore(ImssLicense *self, const ImssLicenseStored *stored)
{
	g_return_if_fail(IMSS_IS_LICENSE(self));
	g_return_if_fail(stored != NULL && stored->code != NULL);
	g_return_if_fail(g_date_valid(&stored->expiry) && g_date_valid(&stored->issued_expiry));

	imss_license_clear(self);
	self->s = *stored;
	self->s.code = g_strdup(stored->code);
	self->s.server_status = g_strdup(stored->server_status != NULL ? stored->server_status : "");
	self->s.check_error = g_strdup(stored->check_error != NULL ? stored->check_error : "");
	self->masked = imss_code_mask(self->s.code);
}

void
imss_license_assign(ImssLicense *self, ImssLicense *from)
{
	g_return_if_fail(IMSS_IS_LICENSE(self));
	g_return_if_fail(IMSS_IS_LICENSE(from));
	if (self == from)
		return;
	if (from->s.code == NULL) {
		imss_license_clear(self);
		self->s.revision = from->s.revision; /* a damaged row is still a row */
		return;
	}
	imss_license_restore(self, &from->s);
}

gint64
imss_license_get_revision(ImssLicense *self)
{
	g_return_val_if_fail(IMSS_IS_LICENSE(self), 0);
	return self->s.revision;
}

void
imss_license_set_revision(ImssLicense *self, gint64 revision)
{
	g_return_if_fail(IMSS_IS_LICENSE(self));
	g_return_if_fail(revision >= 0);
	self->s.revision = revision;
}

ImssLicense *
imss_license_copy(ImssLicense *self)
{
	ImssLicense *copy;

	g_return_val_if_fail(IMSS_IS_LICENSE(self), NULL);
	copy = imss_license_new(self->slot, self->enabled);
	imss_license_assign(copy, self);
	return copy;
}

void
imss_license_activate(ImssLicense *self,
		      const gchar *canonical,
		      const GDate *expiry,
		      gboolean offline,
		      gint64 now)
{
	ImssLicenseStored stored = {
	    .code = (gchar *)canonical, /* copied */
	    .offline = offline,
	    .verified = offline,
	    .verified_at = offline ? now : 0,
	    .activated_at = now,
	};

	g_return_if_fail(IMSS_IS_LICENSE(self));
	g_return_if_fail(canonical != NULL && expiry != NULL);
	stored.revision = self->s.revision; /* the same row, activated anew */
	stored.expiry = *expiry;
	stored.issued_expiry = *expiry;
	imss_license_restore(self, &stored);
}

void
imss_license_record_contact(ImssLicense *self, gint64 now, const gchar *failure)
{
	g_return_if_fail(IMSS_IS_LICENSE(self));
	self->s.checked_at = now;
	g_free(self->s.check_error);
	self->s.check_error = g_strdup(failure != NULL ? failure : "");
}

void
imss_license_set_server_status(ImssLicense *self, const gchar *status)
{
	g_return_if_fail(IMSS_IS_LICENSE(self));
	g_return_if_fail(status != NULL);
	g_free(self->s.server_status);
	self->s.server_status = g_strdup(status);
}

void
imss_license_confirm_expiry(ImssLicense *self, const GDate *expiry, gint64 now)
{
	g_return_if_fail(IMSS_IS_LICENSE(self));
	g_return_if_fail(self->s.code != NULL);
	g_return_if_fail(expiry != NULL && g_date_valid(expiry));
	self->s.expiry = *expiry;
	self->s.verified = TRUE;
	self->s.verified_at = now;
}

static void
imss_license_finalize(GObject *obj)
{
	imss_license_clear(IMSS_LICENSE(obj));
	G_OBJECT_CLASS(imss_license_parent_class)->finalize(obj);
}

static void
imss_license_class_init(ImssLicenseClass *klass)
{
	G_OBJECT_CLASS(klass)->finalize = imss_license_finalize;
}

static void
imss_license_init(ImssLicense *self)
{
	g_date_clear(&self->s.expiry, 1);
	g_date_clear(&self->s.issued_expiry, 1);
}

ImssLicense *
imss_license_new(ImssSlotId slot, gboolean enabled)
{
	ImssLicense *self = g_object_new(IMSS_TYPE_LICENSE, NULL);
	self->slot = slot;
	self->enabled = enabled;
	return self;
}
