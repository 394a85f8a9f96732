#define G_LOG_DOMAIN "ImssStore"

#include "config.h"

#include <gio/gio.h>
#include <glib/gstdio.h>
#include <string.h>

#include "imss-date.h"
#include "imss-slot.h"
#include "imss-store-private.h"

ImssStoreChange *
imss_store_change_new(void)
{
	ImssStoreChange *change = g_new0(ImssStoreChange, 1);
	change->licenses = g_ptr_array_new_with_free_func(g_object_unref);
	change->settings_set = g_ptr_array_new_with_free_func(g_free);
	change->settings_delete = g_ptr_array_new_with_free_func(g_free);
	change->history = g_ptr_array_new_with_free_func((GDestroyNotify)imss_store_history_free);
	change->restarts = g_ptr_array_new_with_free_func(g_free);
	return change;
}

void
imss_store_change_free(ImssStoreChange *change)
{
	if (change == NULL)
		return;
	g_ptr_array_unref(change->licenses);
	g_ptr_array_unref(change->settings_set);
	g_ptr_array_unref(change->settings_delete);
	g_ptr_array_unref(change->history);
	g_ptr_array_unref(change->restarts);
	g_free(change);
}

void
imss_store_change_add_license(ImssStoreChange *change, ImssLicense *license)
{
	g_return_if_fail(change != NULL);
	g_return_if_fail(IMSS_IS_LICENSE(license));
	g_return_if_fail(imss_license_is_activated(license));
	g_ptr_array_add(change->licenses, g_object_ref(license));
}

void
imss_store_change_set_setting(ImssStoreChange *change,
			      const gchar *section,
			      const gchar *name,
			      const gchar *value)
{
	g_return_if_fail(change != NULL);
	g_return_if_fail(section != NULL);
	g_return_if_fail(name != NULL);

	g_ptr_array_add(change->settings_set, g_strdup(section));
	g_ptr_array_add(change->settings_set, g_strdup(name));
	g_ptr_array_add(change->settings_set, g_strdup(value));
}

void
imss_store_change_delete_setting(ImssStoreChange *change, const gchar *section, const gchar *name)
{
	g_return_if_fail(change != NULL);
	g_return_if_fail(section != NULL);
	g_return_if_fail(name != NULL);

	g_ptr_array_add(change->settings_delete, g_strdup(section));
	g_ptr_array_add(change->settings_delete, g_strdup(name));
}

void
imss_store_change_request_restarts(ImssStoreChange *change, gchar *const *units, gint64 at)
{
	g_return_if_fail(change != NULL);

	for (guint i = 0; units != NULL && units[i] != NULL; i++)
		g_ptr_array_add(change->restarts, g_strdup(units[i]));
	change->restarts_at = at;
}

void
imss_store_change_add_history(ImssStoreChange *change,
			      gint64 time,
			      const gchar *action,
			      const gchar *slot,
			      const gchar *masked_code,
			      const gchar *caller,
			      const gchar *outcome,
			      const gchar *detail)
{
	ImssStoreHistory *entry = g_new0(ImssStoreHistory, 1);
	g_return_if_fail(change != NULL);

	entry->time = time;
	entry->action = g_strdup(action);
	entry->slot = g_strdup(slot != NULL ? slot : "");
	entry->code = g_strdup(masked_code != NULL ? masked_code : "");
	entry->caller = g_strdup(caller != NULL ? caller : "");
	entry->outcome = g_strdup(outcome);
	entry->detail = g_strdup(detail != NULL ? detail : "");
	g_ptr_array_add(change->history, entry);
}

static gchar *
imss_store_setting_key(const gchar *section, const gchar *name)
{
	return g_strdup_printf("%s\x1f%s", section, name);
}

/* The settings are few: they are read at open (and again when another
 * node of a fleet changed them), and the copy follows every committed
 * change, so that answering a caller never waits for the store and a failed
 * read can never pass for "not set" (the copy is replaced only whole). */
gboolean
imss_store_load_settings(ImssStore *self, GError **error)
{
	GType types[] = {G_TYPE_STRING, G_TYPE_STRING, G_TYPE_STRING, G_TYPE_NONE};
	g_autoptr(GdaStatement) stmt = NULL;
	g_autoptr(GdaDataModel) model = NULL;
	g_autoptr(GHashTable) settings = NULL;

	g_return_val_if_fail(IMSS_IS_STORE(self), FALSE);
	g_return_val_if_fail(error == NULL || *error == NULL, FALSE);

	stmt = imss_store_prepare(self, "SELECT section, name, value FROM settings", NULL, error);
	if (stmt == NULL)
		return FALSE;
	model = imss_store_select(self, stmt, NULL, types, error);
	if (model == NULL)
		return FALSE;
	settings = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
	for (gint i = 0; i < gda_data_model_get_n_rows(model); i++) {
		const GValue *v[3];
		if (!imss_store_row_values(model, i, v, 3, error))
			return FALSE;
		g_hash_table_insert(settings,
				    imss_store_setting_key(g_value_get_string(v[0]),
							   g_value_get_string(v[1])),
				    imss_store_value_dup_string(v[2]));
	}
	g_hash_table_unref(self->settings);
	self->settings = g_steal_pointer(&settings);
	return TRUE;
}

/* a stored row as a license; NULL (with a warning) for a slot we do not
 * know; a damaged row (with a warning) is a license that is not activated
 * but keeps the row's revision, so that a new activation replaces it;
 * @v: the row's 12 values */
static ImssLicense *
imss_store_license_from_row(const GValue **v)
{
	g_autofree gchar *slot_id = imss_store_value_dup_string(v[0]);
	g_autofree gchar *code = imss_store_value_dup_string(v[1]);
	g_autofree gchar *expiry = imss_store_value_dup_string(v[2]);
	g_autofree gchar *issued = imss_store_value_dup_string(v[3]);
	g_autofree gchar *server_status = imss_store_value_dup_string(v[8]);
	g_autofree gchar *check_error = imss_store_value_dup_string(v[10]);
	g_autofree gchar *canonical = NULL;
	ImssLicenseStored stored = {0};
	ImssLicense *license;
	ImssSlotId slot;

	if (!imss_slot_from_string(slot_id, &slot)) {
		g_warning("ignoring stored license of unknown slot %s", slot_id);
		return NULL;
	}
	if (code == NULL ||
	    !imss_code_parse(code, strlen(code), NULL, &canonical, NULL) ||
	    !imss_date_parse(expiry, &stored.expiry) ||
	    !imss_date_parse(issued, &stored.issued_expiry)) {
		g_warning("stored license of %s is damaged; treating it as not activated", slot_id);
		if (code != NULL)
			memset(code, 0, strlen(code));
		license = imss_license_new(slot, TRUE);
		imss_license_set_revision(license, imss_store_value_get_int64(v[11]));
		return license;
	}
	memset(code, 0, strlen(code));
	stored.code = canonical;
	stored.offline = imss_store_value_get_int64(v[4]) != 0;
	stored.verified = imss_store_value_get_int64(v[5]) != 0;
	stored.verified_at = imss_store_value_get_int64(v[6]);
	stored.activated_at = imss_store_value_get_int64(v[7]);
	stored.server_status = server_status;
	stored.checked_at = imss_store_value_get_int64(v[9]);
	stored.check_error = check_error;
	stored.revision = imss_store_value_get_int64(v[11]);
	license = imss_license_new(slot, TRUE);
	imss_license_restore(license, &stored);
	memset(canonical, 0, strlen(canonical));
	return license;
}

GPtrArray *
imss_store_load_licenses(ImssStore *self, GError **error)
{
	GType types[] = {G_TYPE_STRING,
			 G_TYPE_STRING,
			 G_TYPE_STRING,
			 G_TYPE_STRING,
			 G_TYPE_INT64,
			 G_TYPE_INT64,
			 G_TYPE_INT64,
			 G_TYPE_INT64,
			 G_TYPE_STRING,
			 G_TYPE_INT64,
			 G_TYPE_STRING,
			 G_TYPE_INT64,
			 G_TYPE_NONE};
	g_autoptr(GdaStatement) stmt = NULL;
	g_autoptr(GdaDataModel) model = NULL;
	g_autoptr(GPtrArray) licenses = g_ptr_array_new_with_free_func(g_object_unref);

	g_return_val_if_fail(IMSS_IS_STORE(self), NULL);
	g_return_val_if_fail(error == NULL || *error == NULL, NULL);

	g_return_val_if_fail(IMSS_IS_STORE(self), NULL);
	if (!imss_store_check_open(self, error))
		return NULL;
	stmt = imss_store_prepare(self,
				  "SELECT slot, code, expiry, issued_expiry, offline, verified, "
				  "verified_at, activated_at, server_status, checked_at, check_error, "
				  "revision FROM slots ORDER BY slot",
				  NULL,
				  error);
	if (stmt == NULL)
		return NULL;
	model = imss_store_select(self, stmt, NULL, types, error);
	if (model == NULL)
		return NULL;
	for (gint i = 0; i < gda_data_model_get_n_rows(model); i++) {
		const GValue *v[12];
		ImssLicense *license;
		if (!imss_store_row_values(model, i, v, 12, error))
			return NULL;
		license = imss_store_license_from_row(v);
		if (license != NULL)
			g_ptr_array_add(licenses, license);
	}
	return g_steal_pointer(&licenses);
}

/* the license's columns into @p */
static gboolean
imss_store_license_params(GdaSet *p, ImssLicense *license, GError **error)
{
	g_autofree gchar *expiry = imss_date_format(imss_license_get_expiry(license));
	g_autofree gchar *issued = imss_date_format(imss_license_get_issued_expiry(license));
	return gda_set_set_holder_value(p, error, "slot", imss_license_get_id(license)) &&
	       gda_set_set_holder_value(p, error, "code", imss_license_get_code(license)) &&
	       gda_set_set_holder_value(p, error, "expiry", expiry) &&
	       gda_set_set_holder_value(p, error, "issued", issued) &&
	       gda_set_set_holder_value(p, error, "offline", (gint)imss_license_get_offline(license)) &&
	       gda_set_set_holder_value(p, error, "verified", (gint)imss_license_get_verified(license)) &&
	       gda_set_set_holder_value(p, error, "verified_at", imss_license_get_verified_at(license)) &&
	       gda_set_set_holder_value(p, error, "activated_at", imss_license_get_activated_at(license)) &&
	       gda_set_set_holder_value(p, error, "server_status", imss_license_get_server_status(license)) &&
	       gda_set_set_holder_value(p, error, "checked_at", imss_license_get_checked_at(license)) &&
	       gda_set_set_holder_value(p, error, "check_error", imss_license_get_check_error(license)) &&
	       gda_set_set_holder_value(p, error, "revision", imss_license_get_revision(license));
}

/* licenses, each against the revision it was read at: a license that was
 * never stored is inserted, a stored one updated only while its row still
 * has that revision — a write based on a stale read (another node changed
 * the slot meanwhile) fails with G_IO_ERROR_WRONG_ETAG and nothing is
 * written; inside a transaction */
static gboolean
imss_store_write_licenses(ImssStore *self, GPtrArray *licenses, GError **error)
{
	g_autoptr(GdaSet) pins = NULL;
	g_autoptr(GdaSet) pupd = NULL;
	g_autoptr(GdaStatement) ins = NULL;
	g_autoptr(GdaStatement) upd = NULL;

	ins = imss_store_prepare(self,
				 "INSERT INTO slots (slot, code, expiry, issued_expiry, "
				 "offline, verified, verified_at, activated_at, server_status, "
				 "checked_at, check_error, revision) VALUES "
				 "(##slot::string, ##code::string, ##expiry::string, "
				 "##issued::string, ##offline::gint, ##verified::gint, "
				 "##verified_at::gint64, ##activated_at::gint64, "
				 "##server_status::string, ##checked_at::gint64, "
				 "##check_error::string, ##revision::gint64 + 1) "
				 "ON CONFLICT DO NOTHING",
				 &pins,
				 error);
	if (ins == NULL)
		return FALSE;
	upd = imss_store_prepare(self,
				 "UPDATE slots SET code = ##code::string, expiry = ##expiry::string, "
				 "issued_expiry = ##issued::string, offline = ##offline::gint, "
				 "verified = ##verified::gint, verified_at = ##verified_at::gint64, "
				 "activated_at = ##activated_at::gint64, "
				 "server_status = ##server_status::string, "
				 "checked_at = ##checked_at::gint64, check_error = ##check_error::string, "
				 "revision = revision + 1 "
				 "WHERE slot = ##slot::string AND revision = ##revision::gint64",
				 &pupd,
				 error);
	if (upd == NULL)
		return FALSE;
	for (guint i = 0; i < licenses->len; i++) {
		ImssLicense *license = g_ptr_array_index(licenses, i);
		gboolean stored = imss_license_get_revision(license) > 0;
		GdaSet *p = stored ? pupd : pins;
		gint n = 0;
		if (!imss_store_license_params(p, license, error) ||
		    !imss_store_exec_count(self, stored ? upd : ins, p, &n, error))
			return FALSE;
		if (n == 0) {
			g_set_error(error, G_IO_ERROR, G_IO_ERROR_WRONG_ETAG,
				    "the license of %s was changed by another node meanwhile",
				    imss_license_get_id(license));
			return FALSE;
		}
	}
	return TRUE;
}

/* settings: deletions, then sets (a delete + insert each); inside a transaction */
static gboolean
imss_store_write_settings(ImssStore *self, ImssStoreChange *change, GError **error)
{
	g_autoptr(GdaSet) pdel = NULL;
	g_autoptr(GdaSet) pins = NULL;
	g_autoptr(GdaStatement) del =
	    imss_store_prepare(self,
			       "DELETE FROM settings WHERE section = ##section::string "
			       "AND name = ##name::string",
			       &pdel,
			       error);
	g_autoptr(GdaStatement) ins = NULL;
	if (del == NULL)
		return FALSE;
	ins = imss_store_prepare(self,
				 "INSERT INTO settings (section, name, value) VALUES "
				 "(##section::string, ##name::string, ##value::string)",
				 &pins,
				 error);
	if (ins == NULL)
		return FALSE;
	for (guint i = 0; i + 1 < change->settings_delete->len; i += 2) {
		gint n;
		if (!gda_set_set_holder_value(pdel,
					      error,
					      "section",
					      g_ptr_array_index(change->settings_delete, i)) ||
		    !gda_set_set_holder_value(pdel,
					      error,
					      "name",
					      g_ptr_array_index(change->settings_delete, i + 1)))
			return FALSE;
		n = gda_connection_statement_execute_non_select(self->cnc,
								del,
								pdel,
								NULL,
								error);
		if (n == -1)
			return FALSE;
		if (n > 0)
			change->settings_delete_hit = TRUE;
	}
	for (guint i = 0; i + 2 < change->settings_set->len; i += 3) {
		if (!gda_set_set_holder_value(pdel,
					      error,
					      "section",
					      g_ptr_array_index(change->settings_set, i)) ||
		    !gda_set_set_holder_value(pdel,
					      error,
					      "name",
					      g_ptr_array_index(change->settings_set, i + 1)))
			return FALSE;
		if (!imss_store_exec(self, del, pdel, error))
			return FALSE;
		if (!gda_set_set_holder_value(pins,
					      error,
					      "section",
					      g_ptr_array_index(change->settings_set, i)) ||
		    !gda_set_set_holder_value(pins,
					      error,
					      "name",
					      g_ptr_array_index(change->settings_set, i + 1)) ||
		    !gda_set_set_holder_value(pins,
					      error,
					      "value",
					      g_ptr_array_index(change->settings_set, i + 2)))
			return FALSE;
		if (!imss_store_exec(self, ins, pins, error))
			return FALSE;
	}
	return TRUE;
}

static gboolean
imss_store_apply_inner(ImssStore *self, ImssStoreChange *change, GError **error)
{
	if (change->licenses->len > 0 && !imss_store_write_licenses(self, change->licenses, error))
		return FALSE;
	if ((change->settings_delete->len > 0 || change->settings_set->len > 0) &&
	    !imss_store_write_settings(self, change, error))
		return FALSE;
	if (change->restarts->len > 0 &&
	    !imss_store_request_restarts(self, change->restarts, change->restarts_at, error))
		return FALSE;
	if (change->history->len > 0 && !imss_store_write_history(self, change->history, error))
		return FALSE;
	return TRUE;
}

/* appends @history (may be NULL; not taken) inside the current transaction */
gboolean
imss_store_append_history(ImssStore *self, ImssStoreHistory *history, GError **error)
{
	g_autoptr(ImssStoreChange) change = NULL;
	gboolean ok;
	g_return_val_if_fail(IMSS_IS_STORE(self), FALSE);
	g_return_val_if_fail(error == NULL || *error == NULL, FALSE);

	if (history == NULL)
		return TRUE;
	change = imss_store_change_new();
	g_ptr_array_add(change->history, history);
	ok = imss_store_apply_inner(self, change, error);
	g_ptr_array_steal_index(change->history, 0);
	return ok;
}

gboolean
imss_store_apply(ImssStore *self, ImssStoreChange *change, GError **error)
{
	g_return_val_if_fail(IMSS_IS_STORE(self), FALSE);
	g_return_val_if_fail(change != NULL, FALSE);
	g_return_val_if_fail(error == NULL || *error == NULL, FALSE);
	if (!imss_store_check_open(self, error))
		return FALSE;
	if (!imss_store_begin(self, error)) {
		imss_store_classify_error(error);
		return FALSE;
	}
	change->settings_delete_hit = FALSE;
	if (!imss_store_apply_inner(self, change, error) || !imss_store_note_change(self, error) ||
	    !imss_store_commit(self, error)) {
		imss_store_rollback(self);
		imss_store_classify_error(error);
		return FALSE;
	}
	/* committed: the licenses stored are at their next revision */
	for (guint i = 0; i < change->licenses->len; i++) {
		ImssLicense *license = g_ptr_array_index(change->licenses, i);
		imss_license_set_revision(license, imss_license_get_revision(license) + 1);
	}
	/* the copy of the settings follows */
	for (guint i = 0; i + 1 < change->settings_delete->len; i += 2) {
		g_autofree gchar *key =
		    imss_store_setting_key(g_ptr_array_index(change->settings_delete, i),
					   g_ptr_array_index(change->settings_delete, i + 1));
		g_hash_table_remove(self->settings, key);
	}
	for (guint i = 0; i + 2 < change->settings_set->len; i += 3)
		g_hash_table_insert(self->settings,
				    imss_store_setting_key(g_ptr_array_index(change->settings_set, i),
							   g_ptr_array_index(change->settings_set, i + 1)),
				    g_strdup(g_ptr_array_index(change->settings_set, i + 2)));
	return TRUE;
}

gchar *
imss_store_get_setting(ImssStore *self, const gchar *section, const gchar *name)
{
	g_autofree gchar *key = imss_store_setting_key(section, name);
	g_return_val_if_fail(IMSS_IS_STORE(self), NULL);
	return g_strdup(g_hash_table_lookup(self->settings, key));
}

