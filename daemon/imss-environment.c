#define G_LOG_DOMAIN "ImssEnvironment"

#include "config.h"

#include "imss-environment.h"

static const gchar *names[] = {"auto", "connected", "cm-managed", "standalone"};

const gchar *
imss_environment_to_string(ImssEnvironment environment)
{
	g_return_val_if_fail((guint)environment < G_N_ELEMENTS(names), NULL);
	return names[environment];
}

gboolean
imss_environment_from_string(const gchar *str, ImssEnvironment *environment)
{
	g_return_val_if_fail(environment != NULL, FALSE);

	for (guint i = 0; i < G_N_ELEMENTS(names); i++) {
		if (g_strcmp0(str, names[i]) == 0) {
			*environment = (ImssEnvironment)i;
			return TRUE;
		}
	}
	return FALSE;
}

ImssEnvironment
imss_environment_derive(const ImssEnvironmentFacts *facts, gint64 now)
{
	g_return_val_if_fail(facts != NULL, IMSS_ENVIRONMENT_CONNECTED);
	if (facts->configured != IMSS_ENVIRONMENT_AUTO)
		return facts->configured;
	if (facts->profile_applied)
		return IMSS_ENVIRONMENT_CM_MANAGED;
	if (facts->last_failure > facts->last_answer &&
	    (facts->last_answer == 0 || now - facts->last_answer >= IMSS_ENVIRONMENT_GRACE_SECONDS))
		return IMSS_ENVIRONMENT_STANDALONE;
	return IMSS_ENVIRONMENT_CONNECTED;
}

gboolean
imss_environment_may_contact_server(const ImssEnvironmentFacts *facts, gint64 now)
{
	g_return_val_if_fail(facts != NULL, FALSE);
	switch (facts->configured) {
	case IMSS_ENVIRONMENT_CONNECTED:
		return TRUE;
	case IMSS_ENVIRONMENT_CM_MANAGED:
	case IMSS_ENVIRONMENT_STANDALONE:
		return FALSE;
	case IMSS_ENVIRONMENT_AUTO:
	default:
		return imss_environment_derive(facts, now) != IMSS_ENVIRONMENT_CM_MANAGED;
	}
}
