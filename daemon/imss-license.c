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
	gchar *code;
	gchar *masked;
	GDate expiry;
	GDate issued_expiry;
	gboolean offline;
	gboolean verified;
	gint64 verified_at;
	gint64 activated_at;
	gchar *server_status;
	gint64 checked_at;
	gchar *check_error;
};

G_DEFINE_TYPE(ImssLicense, imss_license, G_TYPE_OBJECT)

ImssSlotId
imss_license_get_slot(ImssLicense *self)
{
	return self->slot;
}

const gchar *
imss_license_get_id(ImssLicense *self)
{
	return imss_slot_to_string(self->slot);
}

gboolean
imss_license_get_enabled(ImssLicense *self)
{
	return self->enabled;
}

gboolean
imss_license_is_activated(ImssLicense *self)
{
	return self->code != NULL;
}

const gchar *
imss_license_get_code(ImssLicense *self)
{
	return self->code;
}

const gchar *
imss_license_get_masked_code(ImssLicense *self)
{
	return self->masked != NULL ? self->masked : "";
}

const GDate *
imss_license_get_expiry(ImssLicense *self)
{
	return self->code != NULL ? &self->expiry : NULL;
}

const GDate *
imss_license_get_issued_expiry(ImssLicense *self)
{
	return self->code != NULL ? &self->issued_expiry : NULL;
}

gboolean
imss_license_get_offline(ImssLicense *self)
{
	return self->offline;
}

gboolean
imss_license_get_verified(ImssLicense *self)
{
	return self->verified;
}

gint64
imss_license_get_verified_at(ImssLicense *self)
{
	return self->verified_at;
}

gint64
imss_license_get_activated_at(ImssLicense *self)
{
	return self->activated_at;
}

const gchar *
imss_license_get_server_status(ImssLicense *self)
{
	return self->server_status != NULL ? self->server_status : "";
}

gint64
imss_license_get_checked_at(ImssLicense *self)
{
	return self->checked_at;
}

const gchar *
imss_license_get_check_error(ImssLicense *self)
{
	return self->check_error != NULL ? self->check_error : "";
}

ImssLicenseState
imss_license_get_state(ImssLicense *self, const GDate *today)
{
	return imss_calendar_state(imss_license_get_expiry(self), today);
}

gboolean
imss_license_get_updates_allowed(ImssLicense *self, const GDate *today)
{
	ImssLicenseState state = imss_license_get_state(self, today);
	return state != IMSS_LICENSE_STATE_NOT_ACTIVATED && state != IMSS_LICENSE_STATE_EXPIRED;
}

gboolean
imss_license_get_grace_end(ImssLicense *self, GDate *grace_end)
{
	if (self->code == NULL)
		return FALSE;
	imss_calendar_grace_end(&self->expiry, grace_end);
	return TRUE;
}

gboolean
imss_license_get_next_check(ImssLicense *self, const GDate *today, GDate *next)
{
	if (self->code == NULL || self->offline)
		return FALSE;
	imss_calendar_next_check(&self->expiry, today, next);
	return TRUE;
}

static void
imss_license_clear(ImssLicense *self)
{
	if (self->code != NULL)
		memset(self->code, 0, strlen(self->code));
	g_clear_pointer(&self->code, g_free);
	g_clear_pointer(&self->masked, g_free);
	g_date_clear(&self->expiry, 1);
	g_date_clear(&self->issued_expiry, 1);
	self->offline = FALSE;
	self->verified = FALSE;
	self->verified_at = 0;
	self->activated_at = 0;
	g_clear_pointer(&self->server_status, g_free);
	self->checked_at = 0;
	g_clear_pointer(&self->check_error, g_free);
}

gboolean
imss_license_set_from_row(ImssLicense *self, const ImssStoreSlot *row)
{
	GDate expiry, issued;
	g_autofree gchar *canonical = NULL;

	imss_license_clear(self);
	if (row == NULL)
		return TRUE;
	if (row->code == NULL ||
	    !imss_code_parse(row->code, strlen(row->code), NULL, &canonical, NULL) ||
	    !imss_date_parse(row->expiry, &expiry) ||
	    !imss_date_parse(row->issued_expiry, &issued)) {
		g_warning("stored license of %s is damaged; treating it as not activated",
			  imss_license_get_id(self));
		return FALSE;
	}
	self->code = g_steal_pointer(&canonical);
	self->masked = imss_code_mask(self->code);
	self->expiry = expiry;
	self->issued_expiry = issued;
	self->offline = row->offline;
	self->verified = row->verified;
	self->verified_at = row->verified_at;
	self->activated_at = row->activated_at;
	self->server_status = g_strdup(row->server_status != NULL ? row->server_status : "");
	self->checked_at = row->checked_at;
	self->check_error = g_strdup(row->check_error != NULL ? row->check_error : "");
	return TRUE;
}

ImssStoreSlot *
imss_license_to_row(ImssLicense *self)
{
	ImssStoreSlot *row = imss_store_slot_new();
	row->slot = g_strdup(imss_license_get_id(self));
	row->code = g_strdup(self->code);
	row->expiry = imss_date_format(imss_license_get_expiry(self));
	row->issued_expiry = imss_date_format(imss_license_get_issued_expiry(self));
	row->offline = self->offline;
	row->verified = self->verified;
	row->verified_at = self->verified_at;
	row->activated_at = self->activated_at;
	row->server_status = g_strdup(imss_license_get_server_status(self));
	row->checked_at = self->checked_at;
	row->check_error = g_strdup(imss_license_get_check_error(self));
	return row;
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
	g_date_clear(&self->expiry, 1);
	g_date_clear(&self->issued_expiry, 1);
}

ImssLicense *
imss_license_new(ImssSlotId slot, gboolean enabled)
{
	ImssLicense *self = g_object_new(IMSS_TYPE_LICENSE, NULL);
	self->slot = slot;
	self->enabled = enabled;
	return self;
}
