#define G_LOG_DOMAIN "ImssLicenseManager"

#include "config.h"

#include <string.h>

#include "imss-error.h"
#include "imss-license-manager.h"
#include "imss-slot.h"

struct _ImssLicenseManager {
	GObject parent_instance;
	ImssConfig *config;
	ImssStore *store;
	ImssClock *clock;
	ImssLicense *licenses[IMSS_SLOT_LAST];
	ImssScheduler *scheduler;
	gboolean click_bound;
};

enum {
	SIGNAL_LICENSE_CHANGED,
	SIGNAL_CLICK_PROTECTION_CHANGED,
	SIGNAL_STATE_CHANGED,
	SIGNAL_REFRESHED,
	SIGNAL_LAST
};
static guint signals[SIGNAL_LAST] = {0};

G_DEFINE_TYPE(ImssLicenseManager, imss_license_manager, G_TYPE_OBJECT)

static gboolean
imss_license_manager_fail(GError **error, ImssError code)
{
	g_set_error_literal(error, IMSS_ERROR, code, imss_error_to_text(code));
	return FALSE;
}

static gboolean
imss_license_manager_store_failed(GError **error, GError *cause, const gchar *what)
{
	g_warning("failed to %s: %s", what, cause->message);
	return imss_license_manager_fail(error, IMSS_ERROR_INTERNAL);
}

ImssLicense *
imss_license_manager_get_license(ImssLicenseManager *self, ImssSlotId slot)
{
	g_return_val_if_fail((guint)slot < IMSS_SLOT_LAST, NULL);
	return self->licenses[slot];
}

ImssScheduler *
imss_license_manager_get_scheduler(ImssLicenseManager *self)
{
	return self->scheduler;
}

static void
imss_license_manager_state_changed_cb(ImssScheduler *scheduler,
				      ImssLicense *license,
				      gint old_state,
				      gint new_state,
				      ImssLicenseManager *self)
{
	g_signal_emit(self, signals[SIGNAL_STATE_CHANGED], 0, license, old_state, new_state);
}

static void
imss_license_manager_ticked_cb(ImssScheduler *scheduler, ImssLicenseManager *self)
{
	g_signal_emit(self, signals[SIGNAL_REFRESHED], 0);
}

static void
imss_license_manager_run_job_cb(ImssScheduler *scheduler,
				const gchar *job,
				ImssLicense *license,
				const gchar *day,
				ImssLicenseManager *self)
{
	/* the license-server client answers automatic checks once it exists;
	 * until then the due check is recorded (history) and logged */
	g_info("%s job for %s on %s: no license-server client configured",
	       job,
	       imss_license_get_id(license),
	       day);
}

gboolean
imss_license_manager_start(ImssLicenseManager *self, GError **error)
{
	return imss_scheduler_start(self->scheduler, error);
}

ImssClock *
imss_license_manager_get_clock(ImssLicenseManager *self)
{
	return self->clock;
}

ImssEdition
imss_license_manager_get_edition(ImssLicenseManager *self)
{
	return imss_config_get_edition(self->config);
}

gboolean
imss_license_manager_get_click_protection_bound(ImssLicenseManager *self)
{
	return self->click_bound;
}

gboolean
imss_license_manager_load(ImssLicenseManager *self, GError **error)
{
	g_autoptr(GPtrArray) rows = NULL;
	g_autoptr(GError) error_local = NULL;
	g_autofree gchar *bound = NULL;

	rows = imss_store_load_slots(self->store, &error_local);
	if (rows == NULL) {
		g_propagate_prefixed_error(error,
					   g_steal_pointer(&error_local),
					   "failed to load licenses: ");
		return FALSE;
	}
	for (guint i = 0; i < IMSS_SLOT_LAST; i++)
		imss_license_set_from_row(self->licenses[i], NULL);
	for (guint i = 0; i < rows->len; i++) {
		ImssStoreSlot *row = g_ptr_array_index(rows, i);
		ImssSlotId slot;
		if (!imss_slot_from_string(row->slot, &slot)) {
			g_warning("ignoring stored license of unknown slot %s", row->slot);
			continue;
		}
		imss_license_set_from_row(self->licenses[slot], row);
	}
	bound = imss_store_get_setting(self->store,
				       IMSS_SETTING_CLICK_SECTION,
				       IMSS_SETTING_CLICK_NAME,
				       &error_local);
	if (error_local != NULL) {
		g_propagate_prefixed_error(error,
					   g_steal_pointer(&error_local),
					   "failed to load settings: ");
		return FALSE;
	}
	self->click_bound = bound != NULL;
	return TRUE;
}

/* The binding keeps a digest of the anti-spam code, never the code itself. */
static gchar *
imss_license_manager_click_key(const gchar *canonical)
{
	g_autofree gchar *salted = g_strdup_printf("imss-time-of-click:%s", canonical);
	return g_compute_checksum_for_string(G_CHECKSUM_SHA256, salted, -1);
}

/* all offline checks; on success @slot, @info and @canonical are set */
static gboolean
imss_license_manager_validate(ImssLicenseManager *self,
			      const gchar *slot_id,
			      const gchar *code,
			      ImssSlotId *slot,
			      ImssCodeInfo *info,
			      gchar **canonical,
			      GError **error)
{
	ImssEdition edition = imss_config_get_edition(self->config);
	g_autoptr(GError) error_code = NULL;

	if (!imss_slot_from_string(slot_id, slot))
		return imss_license_manager_fail(error, IMSS_ERROR_UNKNOWN_SLOT);
	if (!imss_slot_enabled(*slot, edition))
		return imss_license_manager_fail(error, IMSS_ERROR_SLOT_DISABLED);
	if (code == NULL ||
	    !imss_code_parse(code, strlen(code), info, canonical, &error_code)) {
		/* the codec's messages never quote the input */
		g_info("rejected a code for %s: %s",
		       slot_id,
		       error_code != NULL ? error_code->message : "none given");
		return imss_license_manager_fail(error, IMSS_ERROR_INVALID_CODE);
	}
	if (info->edition != edition) {
		g_autofree gchar *masked = imss_code_mask(*canonical);
		g_info("rejected %s for %s: issued for edition %s",
		       masked,
		       slot_id,
		       imss_edition_to_string(info->edition));
		g_clear_pointer(canonical, g_free);
		return imss_license_manager_fail(error, IMSS_ERROR_INVALID_CODE);
	}
	if (!imss_slot_accepts_prefix(*slot, edition, info->prefix) ||
	    (info->slot_mask & (1u << *slot)) == 0) {
		g_autofree gchar *masked = imss_code_mask(*canonical);
		g_info("rejected %s for %s: the code does not license this slot",
		       masked,
		       slot_id);
		g_clear_pointer(canonical, g_free);
		return imss_license_manager_fail(error, IMSS_ERROR_INVALID_CODE);
	}
	return TRUE;
}

gboolean
imss_license_manager_check_activate(ImssLicenseManager *self,
				    const gchar *slot_id,
				    const gchar *code,
				    GError **error)
{
	ImssSlotId slot;
	ImssCodeInfo info;
	g_autofree gchar *canonical = NULL;
	return imss_license_manager_validate(self, slot_id, code, &slot, &info, &canonical, error);
}

ImssLicense *
imss_license_manager_activate(ImssLicenseManager *self,
			      const gchar *slot_id,
			      const gchar *code,
			      const gchar *caller,
			      gboolean *changed,
			      GError **error)
{
	ImssSlotId slot;
	ImssSlotId targets[2];
	guint n_targets = 0;
	ImssCodeInfo info;
	g_autofree gchar *canonical = NULL;
	g_autofree gchar *masked = NULL;
	g_autofree gchar *expiry = NULL;
	g_autofree gchar *detail = NULL;
	g_autoptr(ImssStoreChange) change = NULL;
	g_autoptr(GError) error_local = NULL;
	gint64 now = imss_clock_get_time(self->clock);
	gboolean all_same = TRUE;

	if (changed != NULL)
		*changed = FALSE;
	if (!imss_license_manager_validate(self, slot_id, code, &slot, &info, &canonical, error))
		return NULL;

	/* antispam brings email-reputation along, with the same code */
	targets[n_targets++] = slot;
	if (slot == IMSS_SLOT_ANTISPAM)
		targets[n_targets++] = IMSS_SLOT_EMAIL_REPUTATION;
	for (guint i = 0; i < n_targets; i++) {
		if (g_strcmp0(imss_license_get_code(self->licenses[targets[i]]), canonical) != 0)
			all_same = FALSE;
	}
	masked = imss_code_mask(canonical);
	if (all_same) {
		g_info("%s already active on %s: nothing to do", masked, slot_id);
		return self->licenses[slot];
	}

	/* Time-of-Click protection is bound to the current anti-spam code */
	if (slot == IMSS_SLOT_ANTISPAM && self->click_bound) {
		g_autofree gchar *bound = imss_store_get_setting(self->store,
								 IMSS_SETTING_CLICK_SECTION,
								 IMSS_SETTING_CLICK_NAME,
								 &error_local);
		g_autofree gchar *key = imss_license_manager_click_key(canonical);
		if (error_local != NULL) {
			imss_license_manager_store_failed(error, error_local, "read the binding");
			return NULL;
		}
		if (bound != NULL && g_strcmp0(bound, key) != 0) {
			g_message("refused %s on antispam: Time-of-Click protection is bound "
				  "to another code",
				  masked);
			imss_license_manager_fail(error, IMSS_ERROR_CLICK_PROTECTION_BOUND);
			return NULL;
		}
	}

	/* online codes keep the issued expiry until the license server confirms
	 * one (unverified); offline codes carry their own, final date */
	expiry = imss_calendar_format_date(&info.expiry);
	change = imss_store_change_new();
	for (guint i = 0; i < n_targets; i++) {
		g_autoptr(ImssStoreSlot) row = imss_store_slot_new();
		row->slot = g_strdup(imss_slot_to_string(targets[i]));
		row->code = g_strdup(canonical);
		row->expiry = g_strdup(expiry);
		row->issued_expiry = g_strdup(expiry);
		row->offline = info.offline;
		row->verified = info.offline;
		row->verified_at = info.offline ? now : 0;
		row->activated_at = now;
		imss_store_change_add_row(change, row);
	}
	detail = g_strdup_printf("expiry %s, %s%s",
				 expiry,
				 info.offline ? "offline" : "online",
				 info.offline ? "" : ", expiry unverified");
	for (guint i = 0; i < n_targets; i++)
		imss_store_change_add_history(change,
					      now,
					      "activate",
					      imss_slot_to_string(targets[i]),
					      masked,
					      caller,
					      "ok",
					      detail);
	if (!imss_store_apply(self->store, change, &error_local)) {
		imss_license_manager_store_failed(error, error_local, "store the activation");
		return NULL;
	}

	for (guint i = 0; i < n_targets; i++) {
		ImssStoreSlot *row = g_ptr_array_index(change->rows, i);
		imss_license_set_from_row(self->licenses[targets[i]], row);
		g_message("activated %s on %s (%s) by %s",
			  masked,
			  imss_slot_to_string(targets[i]),
			  detail,
			  caller);
	}
	if (changed != NULL)
		*changed = TRUE;
	imss_scheduler_reschedule(self->scheduler);
	for (guint i = 0; i < n_targets; i++)
		g_signal_emit(self,
			      signals[SIGNAL_LICENSE_CHANGED],
			      0,
			      self->licenses[targets[i]],
			      "activated");
	return self->licenses[slot];
}

gboolean
imss_license_manager_bind_click_protection(ImssLicenseManager *self,
					   const gchar *caller,
					   GError **error)
{
	ImssLicense *antispam = self->licenses[IMSS_SLOT_ANTISPAM];
	g_autofree gchar *key = NULL;
	g_autoptr(ImssStoreChange) change = NULL;
	g_autoptr(GError) error_local = NULL;

	if (!imss_license_is_activated(antispam)) {
		g_set_error_literal(error,
				    IMSS_ERROR,
				    IMSS_ERROR_INVALID_ARGS,
				    "Anti-spam is not activated: there is no code to bind "
				    "Time-of-Click protection to.");
		return FALSE;
	}
	key = imss_license_manager_click_key(imss_license_get_code(antispam));
	change = imss_store_change_new();
	imss_store_change_set_setting(change,
				      IMSS_SETTING_CLICK_SECTION,
				      IMSS_SETTING_CLICK_NAME,
				      key);
	imss_store_change_add_history(change,
				      imss_clock_get_time(self->clock),
				      "bind-click-protection",
				      "antispam",
				      imss_license_get_masked_code(antispam),
				      caller,
				      "ok",
				      "");
	if (!imss_store_apply(self->store, change, &error_local))
		return imss_license_manager_store_failed(error, error_local, "store the binding");
	g_message("Time-of-Click protection bound to %s by %s",
		  imss_license_get_masked_code(antispam),
		  caller);
	if (!self->click_bound) {
		self->click_bound = TRUE;
		g_signal_emit(self, signals[SIGNAL_CLICK_PROTECTION_CHANGED], 0);
	}
	return TRUE;
}

gboolean
imss_license_manager_release_click_protection(ImssLicenseManager *self,
					      const gchar *caller,
					      gboolean *released,
					      GError **error)
{
	g_autoptr(ImssStoreChange) change = imss_store_change_new();
	g_autoptr(GError) error_local = NULL;

	imss_store_change_delete_setting(change,
					 IMSS_SETTING_CLICK_SECTION,
					 IMSS_SETTING_CLICK_NAME);
	imss_store_change_add_history(change,
				      imss_clock_get_time(self->clock),
				      "release-click-protection",
				      "antispam",
				      "",
				      caller,
				      "ok",
				      self->click_bound ? "binding removed" : "no binding");
	if (!imss_store_apply(self->store, change, &error_local))
		return imss_license_manager_store_failed(error,
							 error_local,
							 "release the binding");
	if (released != NULL)
		*released = change->settings_delete_hit;
	g_message("Time-of-Click protection binding %s by %s",
		  change->settings_delete_hit ? "released" : "checked (none was set)",
		  caller);
	if (self->click_bound) {
		self->click_bound = FALSE;
		g_signal_emit(self, signals[SIGNAL_CLICK_PROTECTION_CHANGED], 0);
	}
	return TRUE;
}

GPtrArray *
imss_license_manager_get_history(ImssLicenseManager *self, guint limit, GError **error)
{
	g_autoptr(GError) error_local = NULL;
	GPtrArray *entries = imss_store_list_history(self->store, limit, &error_local);
	if (entries == NULL) {
		imss_license_manager_store_failed(error, error_local, "read the history");
		return NULL;
	}
	return entries;
}

static void
imss_license_manager_finalize(GObject *obj)
{
	ImssLicenseManager *self = IMSS_LICENSE_MANAGER(obj);
	if (self->scheduler != NULL)
		g_signal_handlers_disconnect_by_data(self->scheduler, self);
	g_clear_object(&self->scheduler);
	for (guint i = 0; i < IMSS_SLOT_LAST; i++)
		g_clear_object(&self->licenses[i]);
	g_clear_object(&self->config);
	g_clear_object(&self->store);
	g_clear_object(&self->clock);
	G_OBJECT_CLASS(imss_license_manager_parent_class)->finalize(obj);
}

static void
imss_license_manager_class_init(ImssLicenseManagerClass *klass)
{
	G_OBJECT_CLASS(klass)->finalize = imss_license_manager_finalize;
	/**
	 * ImssLicenseManager::license-changed:
	 * @license: the slot's license
	 * @reason: "activated", "renewed" or "re-anchored"
	 */
	signals[SIGNAL_LICENSE_CHANGED] = g_signal_new("license-changed",
						       G_TYPE_FROM_CLASS(klass),
						       G_SIGNAL_RUN_LAST,
						       0,
						       NULL,
						       NULL,
						       NULL,
						       G_TYPE_NONE,
						       2,
						       IMSS_TYPE_LICENSE,
						       G_TYPE_STRING);
	/**
	 * ImssLicenseManager::state-changed:
	 * A lifecycle transition (old, new ImssLicenseState) at a day's start.
	 */
	signals[SIGNAL_STATE_CHANGED] = g_signal_new("state-changed",
						     G_TYPE_FROM_CLASS(klass),
						     G_SIGNAL_RUN_LAST,
						     0,
						     NULL,
						     NULL,
						     NULL,
						     G_TYPE_NONE,
						     3,
						     IMSS_TYPE_LICENSE,
						     G_TYPE_INT,
						     G_TYPE_INT);
	/**
	 * ImssLicenseManager::refreshed:
	 * The calendar was evaluated; derived values (NextCheck) may have moved.
	 */
	signals[SIGNAL_REFRESHED] = g_signal_new("refreshed",
						 G_TYPE_FROM_CLASS(klass),
						 G_SIGNAL_RUN_LAST,
						 0,
						 NULL,
						 NULL,
						 NULL,
						 G_TYPE_NONE,
						 0);
	signals[SIGNAL_CLICK_PROTECTION_CHANGED] = g_signal_new("click-protection-changed",
								G_TYPE_FROM_CLASS(klass),
								G_SIGNAL_RUN_LAST,
								0,
								NULL,
								NULL,
								NULL,
								G_TYPE_NONE,
								0);
}

static void
imss_license_manager_init(ImssLicenseManager *self)
{
}

ImssLicenseManager *
imss_license_manager_new(ImssConfig *config, ImssStore *store, ImssClock *clock)
{
	ImssLicenseManager *self = g_object_new(IMSS_TYPE_LICENSE_MANAGER, NULL);
	self->config = g_object_ref(config);
	self->store = g_object_ref(store);
	self->clock = g_object_ref(clock);
	for (guint i = 0; i < IMSS_SLOT_LAST; i++)
		self->licenses[i] = imss_license_new((ImssSlotId)i,
						     imss_slot_enabled((ImssSlotId)i,
								       imss_config_get_edition(config)));
	self->scheduler = imss_scheduler_new(clock, store);
	imss_scheduler_set_licenses(self->scheduler, self->licenses, IMSS_SLOT_LAST);
	g_signal_connect(self->scheduler,
			 "state-changed",
			 G_CALLBACK(imss_license_manager_state_changed_cb),
			 self);
	g_signal_connect(self->scheduler,
			 "ticked",
			 G_CALLBACK(imss_license_manager_ticked_cb),
			 self);
	g_signal_connect(self->scheduler,
			 "run-job",
			 G_CALLBACK(imss_license_manager_run_job_cb),
			 self);
	return self;
}
