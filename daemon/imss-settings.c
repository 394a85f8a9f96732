#define G_LOG_DOMAIN "ImssSettings"

#include "config.h"

#include "imss-settings.h"

/* the rows: section, name */
#define NOTICES		"notices"
#define NOTICES_HIDE	"hide-inactive"
#define CLICK		"click_protection" /* SPEC §6 names this setting */
#define CLICK_KEY	"ws_api_key"
#define CM		"cm"
#define CM_MANAGED	"managed"
#define CM_LAST_TIME	"last-time"
#define CM_LAST_RESULT	"last-result"
#define SERVER		"license-server"
#define SERVER_ANSWER	"last-answer"
#define SERVER_FAILURE	"last-failure"
#define SERVER_OLD	"last-contact" /* schema ≤ 5: "ok" or "failed", replaced */

static gint64
imss_settings_get_time(ImssStore *store, const gchar *section, const gchar *name)
{
	g_autofree gchar *v = imss_store_get_setting(store, section, name);
	return v != NULL ? g_ascii_strtoll(v, NULL, 10) : 0;
}

static void
imss_settings_set_time(ImssStoreChange *change, const gchar *section, const gchar *name, gint64 t)
{
	g_autofree gchar *v = g_strdup_printf("%" G_GINT64_FORMAT, t);
	imss_store_change_set_setting(change, section, name, v);
}

gboolean
imss_settings_get_inactive_notices_hidden(ImssStore *store)
{
	g_autofree gchar *v = NULL;
	g_return_val_if_fail(IMSS_IS_STORE(store), FALSE);
	v = imss_store_get_setting(store, NOTICES, NOTICES_HIDE);
	return g_strcmp0(v, "true") == 0;
}

void
imss_settings_set_inactive_notices_hidden(ImssStoreChange *change, gboolean hidden)
{
	g_return_if_fail(change != NULL);
	if (hidden)
		imss_store_change_set_setting(change, NOTICES, NOTICES_HIDE, "true");
	else
		imss_store_change_delete_setting(change, NOTICES, NOTICES_HIDE);
}

gchar *
imss_settings_get_click_binding(ImssStore *store)
{
	g_return_val_if_fail(IMSS_IS_STORE(store), NULL);
	return imss_store_get_setting(store, CLICK, CLICK_KEY);
}

void
imss_settings_set_click_binding(ImssStoreChange *change, const gchar *digest)
{
	g_return_if_fail(change != NULL);
	if (digest != NULL)
		imss_store_change_set_setting(change, CLICK, CLICK_KEY, digest);
	else
		imss_store_change_delete_setting(change, CLICK, CLICK_KEY);
}

void
imss_settings_get_cm_deployments(ImssStore *store, ImssCmDeployments *out)
{
	g_autofree gchar *managed = NULL;
	g_autofree gchar *time = NULL;
	g_return_if_fail(IMSS_IS_STORE(store));
	managed = imss_store_get_setting(store, CM, CM_MANAGED);
	time = imss_store_get_setting(store, CM, CM_LAST_TIME);
	out->applied_once = managed != NULL;
	out->any = time != NULL;
	out->last_time = time != NULL ? g_ascii_strtoll(time, NULL, 10) : 0;
	out->last_result = imss_store_get_setting(store, CM, CM_LAST_RESULT);
	if (out->last_result == NULL)
		out->last_result = g_strdup("");
}

void
imss_cm_deployments_clear(ImssCmDeployments *deployments)
{
	g_return_if_fail(deployments != NULL);

	g_clear_pointer(&deployments->last_result, g_free);
}

void
imss_settings_record_cm_deployment(ImssStoreChange *change,
				   const gchar *origin,
				   gint64 time,
				   const gchar *outcome,
				   const gchar *why)
{
	gboolean failed = g_strcmp0(outcome, "failed") == 0;
	g_autofree gchar *result = failed ? g_strdup_printf("failed: %s", why) : g_strdup(outcome);
	g_return_if_fail(change != NULL);
	/* SPEC §8: registered with CM once a deployment was applied; a refused
	 * or malformed profile alone does not make a gateway CM-managed */
	if (!failed)
		imss_store_change_set_setting(change, CM, CM_MANAGED, origin);
	imss_settings_set_time(change, CM, CM_LAST_TIME, time);
	imss_store_change_set_setting(change, CM, CM_LAST_RESULT, result);
}

void
imss_settings_get_server_contact(ImssStore *store, gint64 *last_answer, gint64 *last_failure)
{
	g_return_if_fail(IMSS_IS_STORE(store));
	*last_answer = imss_settings_get_time(store, SERVER, SERVER_ANSWER);
	*last_failure = imss_settings_get_time(store, SERVER, SERVER_FAILURE);
}

void
imss_settings_record_server_contact(ImssStoreChange *change, gboolean answered, gint64 time)
{
	g_return_if_fail(change != NULL);
	imss_settings_set_time(change, SERVER, answered ? SERVER_ANSWER : SERVER_FAILURE, time);
	imss_store_change_delete_setting(change, SERVER, SERVER_OLD);
}

/* -- the operator's settings (issue 14) ------------------------------------ */

#define OPERATOR "config" /* name: the bus name; value: the file's syntax */

static const ImssSettingInfo imss_operator_settings[] = {
    {"mail-to", "mail", "to", "as", FALSE},
    {"mail-from", "mail", "from", "s", FALSE},
    {"mail-smtp", "mail", "smtp", "s", FALSE},
    {"mail-user", "mail", "user", "s", FALSE},
    {"mail-password", "mail", "password", "s", TRUE},
    {"mail-language", "mail", "language", "s", FALSE},
    {"proxy-host", "proxy", "host", "s", FALSE},
    {"proxy-port", "proxy", "port", "u", FALSE},
    {"proxy-user", "proxy", "user", "s", FALSE},
    {"proxy-password", "proxy", "password", "s", TRUE},
    {"sender-filter-enabled", "services", "sender-filter-enabled", "b", FALSE},
};

const ImssSettingInfo *
imss_settings_list_operator(guint *n_settings)
{
	g_return_val_if_fail(n_settings != NULL, NULL);
	*n_settings = G_N_ELEMENTS(imss_operator_settings);
	return imss_operator_settings;
}

const ImssSettingInfo *
imss_settings_lookup_operator(const gchar *name)
{
	for (guint i = 0; i < G_N_ELEMENTS(imss_operator_settings); i++) {
		if (g_strcmp0(imss_operator_settings[i].name, name) == 0)
			return &imss_operator_settings[i];
	}
	return NULL;
}

gchar *
imss_settings_get_operator_value(ImssStore *store, const ImssSettingInfo *info)
{
	g_return_val_if_fail(IMSS_IS_STORE(store), NULL);
	g_return_val_if_fail(info != NULL, NULL);
	return imss_store_get_setting(store, OPERATOR, info->name);
}

gchar **
imss_settings_get_operator(ImssStore *store)
{
	GPtrArray *triples = g_ptr_array_new();
	g_return_val_if_fail(IMSS_IS_STORE(store), NULL);
	for (guint i = 0; i < G_N_ELEMENTS(imss_operator_settings); i++) {
		const ImssSettingInfo *info = &imss_operator_settings[i];
		gchar *v = imss_store_get_setting(store, OPERATOR, info->name);
		if (v == NULL)
			continue;
		g_ptr_array_add(triples, g_strdup(info->group));
		g_ptr_array_add(triples, g_strdup(info->key));
		g_ptr_array_add(triples, v);
	}
	g_ptr_array_add(triples, NULL);
	return (gchar **)g_ptr_array_free(triples, FALSE);
}

void
imss_settings_set_operator(ImssStoreChange *change, const ImssSettingInfo *info, const gchar *value)
{
	g_return_if_fail(change != NULL);
	g_return_if_fail(info != NULL);
	if (value != NULL)
		imss_store_change_set_setting(change, OPERATOR, info->name, value);
	else
		imss_store_change_delete_setting(change, OPERATOR, info->name);
}
