/*
 * ImssClient's properties: the manager's D-Bus properties (imss-props.h)
 * and the client's own, their getters and their specifications.
 */
#define G_LOG_DOMAIN "ImssLicense"

#include "config.h"

#include "imss-client-private.h"

const ImssPropInfo imss_client_dbus_props[PROP_FLAGS - 1] = {
    {"Edition", "s"},
    {"Environment", "s"},
    {"DaemonVersion", "s"},
    {"LastProfileDeployment", "s"},
    {"LastProfileResult", "s"},
    {"InactiveNoticesHidden", "b"},
    {"ClickProtectionBound", "b"},
    {"Restarts", "aa{sv}"},
    {"NodeName", "s"},
    {"ClockSkew", "x"},
    {"Settings", "a{sv}"},
};

G_STATIC_ASSERT(G_N_ELEMENTS(imss_client_dbus_props) == PROP_FLAGS - 1);

GParamSpec *imss_client_pspecs[PROP_LAST] = {NULL};

/* -- properties --------------------------------------------------------------- */

/**
 * imss_client_get_flags:
 * @self: a client
 *
 * Returns: the flags it was made with
 */
ImssClientFlags
imss_client_get_flags(ImssClient *self)
{
	g_return_val_if_fail(IMSS_IS_CLIENT(self), IMSS_CLIENT_FLAGS_NONE);
	return self->flags;
}

/**
 * imss_client_get_daemon_running:
 * @self: a client
 *
 * Returns: whether imss-licensed is running (owns its name on the bus)
 */
gboolean
imss_client_get_daemon_running(ImssClient *self)
{
	g_autofree gchar *owner = NULL;
	g_return_val_if_fail(IMSS_IS_CLIENT(self), FALSE);
	if (self->manager == NULL)
		return FALSE;
	owner = g_dbus_proxy_get_name_owner(G_DBUS_PROXY(self->manager));
	return owner != NULL;
}

/**
 * imss_client_get_language:
 * @self: a client
 *
 * Returns: (nullable): the language texts are rendered in (notices, the
 *   doctor), %NULL for the language of the process
 */
const gchar *
imss_client_get_language(ImssClient *self)
{
	g_return_val_if_fail(IMSS_IS_CLIENT(self), NULL);
	return self->language;
}

/**
 * imss_client_set_language:
 * @self: a client
 * @language: (nullable): a language tag or locale name ("ja", "en",
 *   "ja_JP.UTF-8"), or %NULL for the language of the process
 *
 * Sets the language of the texts the client asks for or renders.
 */
void
imss_client_set_language(ImssClient *self, const gchar *language)
{
	g_return_if_fail(IMSS_IS_CLIENT(self));
	if (g_strcmp0(self->language, language) == 0)
		return;
	g_free(self->language);
	self->language = g_strdup(language);
	g_object_notify_by_pspec(G_OBJECT(self), imss_client_pspecs[PROP_LANGUAGE]);
}

const gchar *
imss_client_effective_language(ImssClient *self, const gchar *language)
{
	const gchar *const *names;

	if (language != NULL)
		return language;
	if (self->language != NULL)
		return self->language;
	/* the process's: "ja_JP.UTF-8", "ja_JP", "ja" ...: the first real one */
	names = g_get_language_names();
	for (guint i = 0; names[i] != NULL; i++) {
		if (g_strcmp0(names[i], "C") != 0 && g_strcmp0(names[i], "POSIX") != 0 &&
		    !g_str_has_prefix(names[i], "C."))
			return names[i];
	}
	return "en";
}

/* the getters of the D-Bus properties (imss-props.h) */
#define IMSS_CLIENT_STRING_GETTER(func, prop)                                                      \
	IMSS_PROPS_STRING_GETTER(ImssClient, IMSS_IS_CLIENT, func, prop)
#define IMSS_CLIENT_BOOLEAN_GETTER(func, prop)                                                     \
	IMSS_PROPS_BOOLEAN_GETTER(ImssClient, IMSS_IS_CLIENT, func, prop)
#define IMSS_CLIENT_GETTER(Type, func, get, prop, fallback)                                        \
	IMSS_PROPS_GETTER(ImssClient, IMSS_IS_CLIENT, Type, func, get, prop, fallback)

/**
 * imss_client_get_edition:
 * @self: a client
 *
 * Returns: the product edition: "imss" (InterScan MSS 9.1 for Linux) or
 *   "imsva" (IMSVA 9.1)
 */
IMSS_CLIENT_STRING_GETTER(imss_client_get_edition, PROP_EDITION)
/**
 * imss_client_get_environment:
 * @self: a client
 *
 * Returns: "connected", "cm-managed" or "standalone" (SPEC §8)
 */
IMSS_CLIENT_STRING_GETTER(imss_client_get_environment, PROP_ENVIRONMENT)
/**
 * imss_client_get_daemon_version:
 * @self: a client
 *
 * Returns: the version of imss-licensed
 */
IMSS_CLIENT_STRING_GETTER(imss_client_get_daemon_version, PROP_DAEMON_VERSION)
/**
 * imss_client_get_last_profile_deployment:
 * @self: a client
 *
 * Returns: when the last Control Manager license profile was deployed, ""
 *   when none ever was
 */
IMSS_CLIENT_STRING_GETTER(imss_client_get_last_profile_deployment, PROP_LAST_PROFILE_DEPLOYMENT)
/**
 * imss_client_get_last_profile_result:
 * @self: a client
 *
 * Returns: "extended", "changed", "unchanged" or "failed: <reason>"
 */
IMSS_CLIENT_STRING_GETTER(imss_client_get_last_profile_result, PROP_LAST_PROFILE_RESULT)
/**
 * imss_client_get_inactive_notices_hidden:
 * @self: a client
 *
 * Returns: whether the inactive-component notices are hidden
 */
IMSS_CLIENT_BOOLEAN_GETTER(imss_client_get_inactive_notices_hidden, PROP_INACTIVE_NOTICES_HIDDEN)
/**
 * imss_client_get_click_protection_bound:
 * @self: a client
 *
 * Returns: whether the Time-of-Click protection binding is set
 */
IMSS_CLIENT_BOOLEAN_GETTER(imss_client_get_click_protection_bound, PROP_CLICK_PROTECTION_BOUND)
/**
 * imss_client_get_node_name:
 * @self: a client
 *
 * Returns: this gateway's name in a fleet sharing one database
 */
IMSS_CLIENT_STRING_GETTER(imss_client_get_node_name, PROP_NODE_NAME)

/**
 * imss_client_get_restarts:
 * @self: a client
 *
 * Returns: (transfer none) (nullable): the queued or failed service
 *   restarts, the `aa{sv}` of the Restarts property ("unit", "state",
 *   "attempts", "error", "requested")
 */
IMSS_CLIENT_GETTER(GVariant *, imss_client_get_restarts, imss_props_get, PROP_RESTARTS, NULL)

/**
 * imss_client_get_settings:
 * @self: a client
 *
 * The operator's settings in effect, the `a{sv}` of the Settings property:
 * "mail-to" (as), "mail-from", "mail-smtp", "mail-user", "mail-language",
 * "proxy-host" (s), "proxy-port" (u), "proxy-user" (s),
 * "sender-filter-enabled", "mail-password-set", "proxy-password-set" (b)
 * and "stored" (as). The passwords themselves are never readable.
 *
 * Returns: (transfer none) (nullable): the settings, %NULL when the daemon
 *   has none to offer (an older one)
 */
IMSS_CLIENT_GETTER(GVariant *, imss_client_get_settings, imss_props_get, PROP_SETTINGS, NULL)

/**
 * imss_client_get_clock_skew:
 * @self: a client
 *
 * Returns: seconds the database's clock is ahead of this node's
 */
IMSS_CLIENT_GETTER(gint64, imss_client_get_clock_skew, imss_props_get_int64, PROP_CLOCK_SKEW, 0)

/**
 * imss_client_get_today:
 * @self: a client
 *
 * The daemon's calendar date (its time zone, or its virtual clock), as last
 * read: at construction, when the daemon comes back, after a state change
 * or a notice, and with every imss_client_get_clock_async().
 *
 * Returns: (nullable): YYYY-MM-DD, or %NULL when it could not be read
 */
const gchar *
imss_client_get_today(ImssClient *self)
{
	g_return_val_if_fail(IMSS_IS_CLIENT(self), NULL);
	return self->today_str;
}

void
imss_client_class_init_properties(GObjectClass *object_class)
{
	/**
	 * ImssClient:flags:
	 *
	 * How the client talks to the daemon.
	 */
	imss_client_pspecs[PROP_FLAGS] = g_param_spec_flags("flags",
						   NULL,
						   "How the client talks to the daemon",
						   IMSS_TYPE_CLIENT_FLAGS,
						   IMSS_CLIENT_FLAGS_NONE,
						   G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY |
						       G_PARAM_STATIC_STRINGS);
	/**
	 * ImssClient:language:
	 *
	 * The language of the texts, %NULL for the process's.
	 */
	imss_client_pspecs[PROP_LANGUAGE] = g_param_spec_string("language",
						       NULL,
						       "The language of the texts",
						       NULL,
						       G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS |
							   G_PARAM_EXPLICIT_NOTIFY);
	/**
	 * ImssClient:daemon-running:
	 *
	 * Whether imss-licensed is running.
	 */
	imss_client_pspecs[PROP_DAEMON_RUNNING] =
	    imss_props_boolean_pspec("daemon-running", "Whether imss-licensed is running");
	/**
	 * ImssClient:today:
	 *
	 * The daemon's calendar date, YYYY-MM-DD.
	 */
	imss_client_pspecs[PROP_TODAY] = g_param_spec_string("today",
						    NULL,
						    "The daemon's calendar date",
						    NULL,
						    G_PARAM_READABLE | G_PARAM_STATIC_STRINGS |
							G_PARAM_EXPLICIT_NOTIFY);
	/**
	 * ImssClient:edition:
	 *
	 * The product edition.
	 */
	imss_client_pspecs[PROP_EDITION] = imss_props_string_pspec("edition", "The product edition");
	/**
	 * ImssClient:environment:
	 *
	 * The environment of SPEC §8.
	 */
	imss_client_pspecs[PROP_ENVIRONMENT] = imss_props_string_pspec("environment", "The environment");
	/**
	 * ImssClient:daemon-version:
	 *
	 * The version of imss-licensed.
	 */
	imss_client_pspecs[PROP_DAEMON_VERSION] =
	    imss_props_string_pspec("daemon-version", "The version of imss-licensed");
	/**
	 * ImssClient:last-profile-deployment:
	 *
	 * When the last license profile was deployed.
	 */
	imss_client_pspecs[PROP_LAST_PROFILE_DEPLOYMENT] =
	    imss_props_string_pspec("last-profile-deployment", "The last profile deployment");
	/**
	 * ImssClient:last-profile-result:
	 *
	 * The outcome of the last license profile.
	 */
	imss_client_pspecs[PROP_LAST_PROFILE_RESULT] =
	    imss_props_string_pspec("last-profile-result", "The last profile's outcome");
	/**
	 * ImssClient:inactive-notices-hidden:
	 *
	 * Whether the inactive-component notices are hidden.
	 */
	imss_client_pspecs[PROP_INACTIVE_NOTICES_HIDDEN] =
	    imss_props_boolean_pspec("inactive-notices-hidden",
				     "Whether inactive notices are hidden");
	/**
	 * ImssClient:click-protection-bound:
	 *
	 * Whether the Time-of-Click protection binding is set.
	 */
	imss_client_pspecs[PROP_CLICK_PROTECTION_BOUND] =
	    imss_props_boolean_pspec("click-protection-bound", "Whether Time-of-Click is bound");
	/**
	 * ImssClient:restarts:
	 *
	 * The queued or failed service restarts (`aa{sv}`).
	 */
	imss_client_pspecs[PROP_RESTARTS] = g_param_spec_variant("restarts",
							NULL,
							"The queued or failed restarts",
							G_VARIANT_TYPE("aa{sv}"),
							NULL,
							G_PARAM_READABLE | G_PARAM_STATIC_STRINGS |
							    G_PARAM_EXPLICIT_NOTIFY);
	/**
	 * ImssClient:node-name:
	 *
	 * This gateway's name in a fleet.
	 */
	imss_client_pspecs[PROP_NODE_NAME] = imss_props_string_pspec("node-name", "The node's name");
	/**
	 * ImssClient:clock-skew:
	 *
	 * Seconds the database's clock is ahead of this node's.
	 */
	imss_client_pspecs[PROP_CLOCK_SKEW] = g_param_spec_int64("clock-skew",
							NULL,
							"The database's clock minus this node's",
							G_MININT64,
							G_MAXINT64,
							0,
							G_PARAM_READABLE | G_PARAM_STATIC_STRINGS |
							    G_PARAM_EXPLICIT_NOTIFY);
	/**
	 * ImssClient:settings:
	 *
	 * The operator's settings in effect (`a{sv}`, see
	 * imss_client_get_settings()).
	 */
	imss_client_pspecs[PROP_SETTINGS] = g_param_spec_variant("settings",
							NULL,
							"The settings in effect",
							G_VARIANT_TYPE_VARDICT,
							NULL,
							G_PARAM_READABLE | G_PARAM_STATIC_STRINGS |
							    G_PARAM_EXPLICIT_NOTIFY);
	g_object_class_install_properties(object_class, PROP_LAST, imss_client_pspecs);
}
