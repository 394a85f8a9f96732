#include "config.h"

#include "imss-state.h"

/* the nicks are the names of org.imss.License.Slot:State */
static const GEnumValue imss_license_state_values[] = {
    {IMSS_LICENSE_STATE_NOT_ACTIVATED, "IMSS_LICENSE_STATE_NOT_ACTIVATED", "not-activated"},
    {IMSS_LICENSE_STATE_ACTIVE, "IMSS_LICENSE_STATE_ACTIVE", "active"},
    {IMSS_LICENSE_STATE_EXPIRING, "IMSS_LICENSE_STATE_EXPIRING", "expiring"},
    {IMSS_LICENSE_STATE_GRACE, "IMSS_LICENSE_STATE_GRACE", "grace"},
    {IMSS_LICENSE_STATE_EXPIRED, "IMSS_LICENSE_STATE_EXPIRED", "expired"},
    {0, NULL, NULL},
};

GType
imss_enum_register_once(const gchar *name, const GEnumValue *values)
{
	GType t = g_type_from_name(name);
	if (t != 0) {
		g_return_val_if_fail(G_TYPE_IS_ENUM(t), 0);
		return t;
	}
	return g_enum_register_static(name, values);
}

GType
imss_license_state_get_type(void)
{
	static gsize type = 0;
	if (g_once_init_enter(&type)) {
		GType t = imss_enum_register_once("ImssLicenseState", imss_license_state_values);
		g_once_init_leave(&type, t);
	}
	return (GType)type;
}

/**
 * imss_license_state_to_string:
 * @state: a lifecycle state
 *
 * Returns: the state's name on D-Bus ("not-activated", "active",
 *   "expiring", "grace" or "expired"; "not-activated" for a value that
 *   does not exist)
 */
const gchar *
imss_license_state_to_string(ImssLicenseState state)
{
	if ((guint)state >= G_N_ELEMENTS(imss_license_state_values) - 1)
		return imss_license_state_values[IMSS_LICENSE_STATE_NOT_ACTIVATED].value_nick;
	return imss_license_state_values[state].value_nick;
}

/**
 * imss_license_state_from_string:
 * @str: a state's name on D-Bus
 * @state: (out) (optional): the state
 *
 * Returns: whether @str names a lifecycle state
 */
gboolean
imss_license_state_from_string(const gchar *str, ImssLicenseState *state)
{
	for (guint i = 0; imss_license_state_values[i].value_nick != NULL; i++) {
		if (g_strcmp0(str, imss_license_state_values[i].value_nick) == 0) {
			if (state != NULL)
				*state = (ImssLicenseState)imss_license_state_values[i].value;
			return TRUE;
		}
	}
	return FALSE;
}
