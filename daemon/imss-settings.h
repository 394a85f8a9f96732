/*
 * The daemon's durable settings, typed. The store keeps them as
 * (section, name) → text rows; only this file knows those names and
 * encodings. Reads come from the store's in-memory copy (they cannot fail);
 * writes go into an ImssStoreChange, so a setting changes in the same
 * transaction as what it belongs to.
 */
#pragma once

#include "imss-store.h"

G_BEGIN_DECLS

/* SPEC §9.1: "Hide notices for inactive components" */
gboolean
imss_settings_get_inactive_notices_hidden(ImssStore *store);
void
imss_settings_set_inactive_notices_hidden(ImssStoreChange *change, gboolean hidden);

/* SPEC §6: the Time-of-Click binding (a digest of the bound anti-spam
 * code), or NULL when not bound */
gchar *
imss_settings_get_click_binding(ImssStore *store) G_GNUC_WARN_UNUSED_RESULT;
/* @digest NULL removes the binding */
void
imss_settings_set_click_binding(ImssStoreChange *change, const gchar *digest);

/* SPEC §8: Control Manager deployments */
typedef struct {
	gboolean applied_once; /* a deployment was applied: the gateway is CM-managed */
	gboolean any;	       /* a deployment (applied or refused) was recorded */
	gint64 last_time;
	gchar *last_result; /* "extended", "changed", "unchanged" or "failed: <why>" */
} ImssCmDeployments;

void
imss_settings_get_cm_deployments(ImssStore *store, ImssCmDeployments *out);
void
imss_cm_deployments_clear(ImssCmDeployments *deployments);
G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC(ImssCmDeployments, imss_cm_deployments_clear)
/* records a deployment from @origin at @time: @applied, else refused with @why */
void
imss_settings_record_cm_deployment(ImssStoreChange *change,
				   const gchar *origin,
				   gint64 time,
				   const gchar *outcome,
				   const gchar *why);

/* the license server: the last valid answer and the last failed contact
 * (UTC seconds, 0: never) */
void
imss_settings_get_server_contact(ImssStore *store, gint64 *last_answer, gint64 *last_failure);
void
imss_settings_record_server_contact(ImssStoreChange *change, gboolean answered, gint64 time);

/* The operator's settings: [group] key of the configuration file that may be
 * changed over the bus, under their bus names ("mail-to", "proxy-port", ...)
 * with their bus types ("s", "as", "u", "b"); @secret ones are write-only. A
 * stored value (the file's syntax) wins over the file's. */
typedef struct {
	const gchar *name;
	const gchar *group;
	const gchar *key;
	const gchar *type;
	gboolean secret;
} ImssSettingInfo;

const ImssSettingInfo *
imss_settings_list_operator(guint *n_settings);
/* NULL: no such setting */
const ImssSettingInfo *
imss_settings_lookup_operator(const gchar *name);
/* the stored value, or NULL when the file's applies */
gchar *
imss_settings_get_operator_value(ImssStore *store, const ImssSettingInfo *info) G_GNUC_WARN_UNUSED_RESULT;
/* the stored ones as group, key, value triples, NULL-terminated (for
 * imss_config_apply_settings()) */
gchar **
imss_settings_get_operator(ImssStore *store) G_GNUC_WARN_UNUSED_RESULT;
/* @value NULL: back to the file's value */
void
imss_settings_set_operator(ImssStoreChange *change, const ImssSettingInfo *info, const gchar *value);

G_END_DECLS
