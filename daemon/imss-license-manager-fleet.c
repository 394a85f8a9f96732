#define G_LOG_DOMAIN "ImssLicenseManager"

#include "config.h"

#include "imss-date.h"
#include "imss-license-manager-private.h"
#include "imss-slot.h"

/* -- the fleet: several nodes on one database (docs/fleet.md) --------------------- */

/* a clock further off than this from the database's is worth a warning */
#define IMSS_FLEET_SKEW_WARNING 5

static gchar *
imss_run_key(const gchar *job, const gchar *slot, const gchar *day)
{
	return g_strdup_printf("%s/%s/%s", job, slot, day);
}

/* Runs a claimed job unless this node already works on it. */
void
imss_license_manager_dispatch_run(ImssLicenseManager *self,
				  const gchar *job,
				  const gchar *slot_id,
				  const gchar *day)
{
	g_autofree gchar *key = imss_run_key(job, slot_id, day);
	ImssSlotId slot;

	g_return_if_fail(IMSS_IS_LICENSE_MANAGER(self));
	if (g_hash_table_contains(self->inflight, key))
		return;
	if (!imss_slot_from_string(slot_id, &slot)) {
		g_warning("ignoring a %s run of unknown slot %s", job, slot_id);
		return;
	}
	g_hash_table_add(self->inflight, g_steal_pointer(&key));
	g_info("%s job of %s for %s", job, slot_id, day);
	imss_license_manager_run_job(self, job, self->licenses[slot], day);
}

/* the job is over here (done, or taken over by another node) */
void
imss_license_manager_run_finished(ImssLicenseManager *self,
				  const gchar *job,
				  const gchar *slot_id,
				  const gchar *day)
{
	g_autofree gchar *key = imss_run_key(job, slot_id, day);
	g_return_if_fail(IMSS_IS_LICENSE_MANAGER(self));
	g_hash_table_remove(self->inflight, key);
}

/* a pending run this node holds is done, with nothing more to record */
void
imss_license_manager_finish_run(ImssLicenseManager *self,
				const gchar *job,
				const gchar *slot_id,
				const gchar *day)
{
	g_autoptr(GError) error_local = NULL;
	if (!imss_store_finish_run(self->store, job, slot_id, day, NULL, &error_local))
		g_warning("failed to record the end of the %s run of %s for %s: %s",
			  job, slot_id, day, error_local->message);
	imss_license_manager_run_finished(self, job, slot_id, day);
}

gboolean
imss_license_manager_resume_runs(ImssLicenseManager *self, gboolean own, GError **error)
{
	g_autoptr(GPtrArray) runs = NULL;
	g_return_val_if_fail(IMSS_IS_LICENSE_MANAGER(self), FALSE);
	g_return_val_if_fail(error == NULL || *error == NULL, FALSE);

	runs = imss_store_take_over_runs(self->store, own, error);
	if (runs == NULL) {
		g_prefix_error(error, "failed to read the pending scheduled runs: ");
		return FALSE;
	}
	for (guint i = 0; i < runs->len; i++) {
		ImssStoreRun *run = g_ptr_array_index(runs, i);
		g_message("resuming the %s run of %s for %s", run->job, run->slot, run->day);
		imss_license_manager_dispatch_run(self, run->job, run->slot, run->day);
	}
	return TRUE;
}

/* what a stored license that replaced ours means for the operator */
static const gchar *
imss_license_manager_change_reason(ImssLicense *ours, ImssLicense *stored)
{
	const GDate *a = imss_license_get_expiry(ours);
	const GDate *b = imss_license_get_expiry(stored);
	if (g_strcmp0(imss_license_get_code(ours), imss_license_get_code(stored)) != 0)
		return imss_license_is_activated(stored) ? "activated" : "changed";
	if (a != NULL && b != NULL && g_date_compare(b, a) > 0)
		return "renewed";
	return "changed";
}

gboolean
imss_license_manager_reload(ImssLicenseManager *self, GError **error)
{
	g_autoptr(GPtrArray) stored = NULL;
	g_autoptr(GPtrArray) changed = g_ptr_array_new();
	const gchar *reasons[IMSS_SLOT_LAST] = {NULL};

	g_return_val_if_fail(IMSS_IS_LICENSE_MANAGER(self), FALSE);
	g_return_val_if_fail(error == NULL || *error == NULL, FALSE);

	stored = imss_store_load_licenses(self->store, error);
	if (stored == NULL || !imss_store_reload_settings(self->store, error))
		return FALSE;
	imss_license_manager_apply_settings(self);
	for (guint i = 0; i < IMSS_SLOT_LAST; i++) {
		g_autoptr(ImssLicense) now = imss_license_new(i, TRUE);
		for (guint j = 0; j < stored->len; j++) {
			ImssLicense *l = g_ptr_array_index(stored, j);
			if (imss_license_get_slot(l) == (ImssSlotId)i)
				imss_license_assign(now, l);
		}
		if (imss_license_get_revision(now) == imss_license_get_revision(self->licenses[i]))
			continue;
		reasons[i] = imss_license_manager_change_reason(self->licenses[i], now);
		imss_license_assign(self->licenses[i], now);
		g_ptr_array_add(changed, self->licenses[i]);
	}
	if (changed->len > 0)
		imss_license_manager_evaluate(self, TRUE); /* re-plan; states; refreshed */
	for (guint i = 0; i < changed->len; i++) {
		ImssLicense *license = g_ptr_array_index(changed, i);
		g_message("%s was changed by another node (%s)", imss_license_get_id(license),
			  reasons[imss_license_get_slot(license)]);
		imss_license_manager_emit_license_changed(self, license,
							  reasons[imss_license_get_slot(license)]);
	}
	imss_license_manager_emit_click_protection_changed(self);
	imss_license_manager_emit_refreshed(self);
	/* restarts another node requested for this one */
	imss_restart_queue_kick(self->restarts);
	return TRUE;
}

static void
imss_license_manager_reload_logged(ImssLicenseManager *self, const gchar *why)
{
	g_autoptr(GError) error_local = NULL;
	g_debug("re-reading the licenses: %s", why);
	if (!imss_license_manager_reload(self, &error_local))
		g_warning("failed to re-read the licenses (%s): %s", why, error_local->message);
}

/* the heartbeat: the node is alive, its clock compared, changes missed
 * while disconnected caught up, expired claims of stopped nodes taken
 * over, and the leases of the runs this node works on kept */
static void
imss_license_manager_poll(ImssLicenseManager *self)
{
	g_autoptr(GError) error_local = NULL;
	gint64 skew = 0, changes = 0;
	GHashTableIter iter;
	gpointer key;

	if (!imss_store_heartbeat(self->store, g_get_real_time() / G_USEC_PER_SEC, &skew, &changes,
				  &error_local)) {
		g_warning("fleet heartbeat failed: %s", error_local->message);
		return;
	}
	imss_license_manager_retry_now(self);
	if (ABS(skew) > IMSS_FLEET_SKEW_WARNING && ABS(self->clock_skew) <= IMSS_FLEET_SKEW_WARNING)
		g_warning("this node's clock is %" G_GINT64_FORMAT " s %s the database's: set it right "
			  "(NTP), or scheduled jobs and leases drift",
			  ABS(skew), skew > 0 ? "behind" : "ahead of");
	if (skew != self->clock_skew) {
		self->clock_skew = skew;
		imss_license_manager_emit_refreshed(self);
	}
	if (changes != self->changes) {
		self->changes = changes;
		imss_license_manager_reload_logged(self, "the change counter moved");
	}
	g_hash_table_iter_init(&iter, self->inflight);
	while (g_hash_table_iter_next(&iter, &key, NULL)) {
		g_auto(GStrv) parts = g_strsplit(key, "/", 3);
		gboolean ours = TRUE;
		if (g_strv_length(parts) == 3 &&
		    !imss_store_renew_run(self->store, parts[0], parts[1], parts[2],
					  imss_config_get_poll_interval(self->config), &ours, NULL))
			break;
	}
	if (!imss_license_manager_resume_runs(self, FALSE, &error_local))
		g_warning("%s", error_local->message);
}

static gboolean
imss_license_manager_poll_cb(gpointer user_data)
{
	imss_license_manager_poll(IMSS_LICENSE_MANAGER(user_data));
	return G_SOURCE_CONTINUE;
}

static void
imss_license_manager_notified_cb(ImssPgListener *listener, const gchar *node, ImssLicenseManager *self)
{
	if (g_strcmp0(node, imss_store_get_node(self->store)) == 0)
		return; /* our own change */
	imss_license_manager_reload_logged(self, "another node changed something");
}

static void
imss_license_manager_listening_cb(ImssPgListener *listener, ImssLicenseManager *self)
{
	/* notifications sent while we were not listening are lost */
	imss_license_manager_poll(self);
}

void
imss_license_manager_watch_fleet(ImssLicenseManager *self, ImssPgListener *listener)
{
	g_autoptr(GError) error_local = NULL;
	gint64 skew = 0;
	g_return_if_fail(IMSS_IS_LICENSE_MANAGER(self));
	g_return_if_fail(listener == NULL || IMSS_IS_PG_LISTENER(listener));

	/* the first heartbeat: this node is seen, and its clock compared */
	if (imss_store_heartbeat(self->store, g_get_real_time() / G_USEC_PER_SEC, &skew,
				 &self->changes, &error_local)) {
		self->clock_skew = skew;
		if (ABS(skew) > IMSS_FLEET_SKEW_WARNING)
			g_warning("this node's clock is %" G_GINT64_FORMAT " s %s the database's: set "
				  "it right (NTP), or scheduled jobs and leases drift",
				  ABS(skew), skew > 0 ? "behind" : "ahead of");
		imss_license_manager_emit_refreshed(self);
	} else {
		g_warning("fleet heartbeat failed: %s", error_local->message);
	}
	if (listener == NULL)
		return; /* SQLite: a fleet of one */
	g_set_object(&self->listener, listener);
	g_signal_connect_object(listener, "notified", G_CALLBACK(imss_license_manager_notified_cb),
				self, 0);
	g_signal_connect_object(listener, "connected", G_CALLBACK(imss_license_manager_listening_cb),
				self, 0);
	imss_pg_listener_start(listener);
	self->poll_id = g_timeout_add_seconds(imss_config_get_poll_interval(self->config),
					      imss_license_manager_poll_cb, self);
}

const gchar *
imss_license_manager_get_node_name(ImssLicenseManager *self)
{
	g_return_val_if_fail(IMSS_IS_LICENSE_MANAGER(self), NULL);
	return imss_store_get_node(self->store);
}

gint64
imss_license_manager_get_clock_skew(ImssLicenseManager *self)
{
	g_return_val_if_fail(IMSS_IS_LICENSE_MANAGER(self), 0);
	return self->clock_skew;
}

GPtrArray *
imss_license_manager_list_nodes(ImssLicenseManager *self, GError **error)
{
	g_autoptr(GError) error_local = NULL;
	GPtrArray *nodes;
	g_return_val_if_fail(IMSS_IS_LICENSE_MANAGER(self), NULL);
	g_return_val_if_fail(error == NULL || *error == NULL, NULL);
	nodes = imss_store_list_nodes(self->store, &error_local);
	if (nodes == NULL)
		imss_license_manager_store_failed(error, error_local, "read the nodes");
	return nodes;
}
