/*
 * ImssSlot: one license slot, its properties those of the daemon's object
 * /org/imss/License/slot/<id> (org.imss.License.Slot), kept current.
 */
#define G_LOG_DOMAIN "ImssLicense"

#include "config.h"

#include "imss-date.h"
#include "imss-props.h"
#include "imss-slot-private.h"
#include "imss-slot.h"
#include "imss-state.h"

/**
 * ImssSlot:
 *
 * One of the six license slots of the gateway (cloud-prefilter, antivirus,
 * antispam, email-reputation, email-encryption, compliance), as the daemon
 * sees it. Every property follows the daemon with `notify::` on a change;
 * while the daemon is not running the last values stay (see
 * #ImssClient:daemon-running). Dates are `YYYY-MM-DD`, times ISO 8601 local
 * time, "" when there is none.
 */

struct _ImssSlot {
	GObject parent_instance;
	ImssSlotId id;
	ImssProps props;
	GDate today;
};

/* the D-Bus properties, in the order of the GObject properties 1… */
enum {
	PROP_0,
	PROP_STATE,
	PROP_EXPIRY,
	PROP_GRACE_END,
	PROP_UPDATES_ALLOWED,
	PROP_CODE,
	PROP_OFFLINE,
	PROP_EXPIRY_VERIFIED,
	PROP_LAST_VERIFIED,
	PROP_SERVER_STATUS,
	PROP_LAST_CHECK_ERROR,
	PROP_DETAILS_URL,
	PROP_ENABLED,
	PROP_ACTIVATED_AT,
	PROP_NEXT_CHECK,
	/* not D-Bus properties */
	PROP_ID,
	PROP_NAME,
	PROP_DAYS_LEFT,
	PROP_LAST
};

static const ImssPropInfo imss_slot_dbus_props[] = {
    {"State", "s"},
    {"ExpiryDate", "s"},
    {"GraceEndDate", "s"},
    {"UpdatesAllowed", "b"},
    {"ActivationCode", "s"},
    {"Offline", "b"},
    {"ExpiryVerified", "b"},
    {"LastVerified", "s"},
    {"ServerStatus", "s"},
    {"LastCheckError", "s"},
    {"DetailsUrl", "s"},
    {"Enabled", "b"},
    {"ActivatedAt", "s"},
    {"NextCheck", "s"},
};

G_STATIC_ASSERT(G_N_ELEMENTS(imss_slot_dbus_props) == PROP_ID - 1);

static GParamSpec *obj_props[PROP_LAST] = {NULL};

G_DEFINE_TYPE(ImssSlot, imss_slot, G_TYPE_OBJECT)

/**
 * imss_slot_get_id:
 * @self: a slot
 *
 * Returns: the stable slot id, e.g. "email-reputation"
 */
const gchar *
imss_slot_get_id(ImssSlot *self)
{
	g_return_val_if_fail(IMSS_IS_SLOT(self), NULL);
	return imss_slot_to_string(self->id);
}

/**
 * imss_slot_get_name:
 * @self: a slot
 *
 * Returns: the display name of the slot, translated into the language of
 *   the process ("Email Reputation and IP Profiler"; Japanese under ja)
 */
const gchar *
imss_slot_get_name(ImssSlot *self)
{
	g_return_val_if_fail(IMSS_IS_SLOT(self), NULL);
	return imss_slot_display_name(self->id);
}

/**
 * imss_slot_get_state:
 * @self: a slot
 *
 * Returns: the lifecycle state
 */
ImssLicenseState
imss_slot_get_state(ImssSlot *self)
{
	ImssLicenseState state = IMSS_LICENSE_STATE_NOT_ACTIVATED;
	g_return_val_if_fail(IMSS_IS_SLOT(self), state);
	imss_license_state_from_string(imss_props_get_string(&self->props,
							     IMSS_PROPS_INDEX(PROP_STATE)),
				       &state);
	return state;
}

/* the getters of the D-Bus properties (imss-props.h) */
#define IMSS_SLOT_STRING_GETTER(func, prop)                                                        \
	IMSS_PROPS_STRING_GETTER(ImssSlot, IMSS_IS_SLOT, func, prop)
#define IMSS_SLOT_BOOLEAN_GETTER(func, prop)                                                       \
	IMSS_PROPS_BOOLEAN_GETTER(ImssSlot, IMSS_IS_SLOT, func, prop)

/**
 * imss_slot_get_expiry:
 * @self: a slot
 *
 * Returns: the expiry date E (YYYY-MM-DD; the license expires at its 00:00
 *   local time), "" when not activated
 */
IMSS_SLOT_STRING_GETTER(imss_slot_get_expiry, PROP_EXPIRY)
/**
 * imss_slot_get_grace_end:
 * @self: a slot
 *
 * Returns: the end of the grace period G = E + 90 days, "" when not activated
 */
IMSS_SLOT_STRING_GETTER(imss_slot_get_grace_end, PROP_GRACE_END)
/**
 * imss_slot_get_updates_allowed:
 * @self: a slot
 *
 * Returns: %FALSE from G on (and when not activated): component updates
 *   are restricted
 */
IMSS_SLOT_BOOLEAN_GETTER(imss_slot_get_updates_allowed, PROP_UPDATES_ALLOWED)
/**
 * imss_slot_get_code:
 * @self: a slot
 *
 * Returns: the activation code, masked (IM-****-*****-*****-*****-*****-ABCDE),
 *   "" when not activated
 */
IMSS_SLOT_STRING_GETTER(imss_slot_get_code, PROP_CODE)
/**
 * imss_slot_get_offline:
 * @self: a slot
 *
 * Returns: whether the code is an offline code (never checked online)
 */
IMSS_SLOT_BOOLEAN_GETTER(imss_slot_get_offline, PROP_OFFLINE)
/**
 * imss_slot_get_expiry_verified:
 * @self: a slot
 *
 * Returns: whether the license server confirmed the expiry (or it is an
 *   offline code's own date)
 */
IMSS_SLOT_BOOLEAN_GETTER(imss_slot_get_expiry_verified, PROP_EXPIRY_VERIFIED)
/**
 * imss_slot_get_last_verified:
 * @self: a slot
 *
 * Returns: when the license server last confirmed the expiry, "" when never
 */
IMSS_SLOT_STRING_GETTER(imss_slot_get_last_verified, PROP_LAST_VERIFIED)
/**
 * imss_slot_get_server_status:
 * @self: a slot
 *
 * Returns: the license server's last word about the code: "valid",
 *   "unknown", "replaced", "suspended", or "" when never asked
 */
IMSS_SLOT_STRING_GETTER(imss_slot_get_server_status, PROP_SERVER_STATUS)
/**
 * imss_slot_get_last_check_error:
 * @self: a slot
 *
 * Returns: why the last contact with the license server failed (English),
 *   "" when it did not
 */
IMSS_SLOT_STRING_GETTER(imss_slot_get_last_check_error, PROP_LAST_CHECK_ERROR)
/**
 * imss_slot_get_details_url:
 * @self: a slot
 *
 * Returns: the license server's page about this license, "" when not activated
 */
IMSS_SLOT_STRING_GETTER(imss_slot_get_details_url, PROP_DETAILS_URL)
/**
 * imss_slot_get_enabled:
 * @self: a slot
 *
 * Returns: %FALSE for a slot this edition cannot use (email-encryption on imss)
 */
IMSS_SLOT_BOOLEAN_GETTER(imss_slot_get_enabled, PROP_ENABLED)
/**
 * imss_slot_get_activated_at:
 * @self: a slot
 *
 * Returns: when the current code was activated, "" when not activated
 */
IMSS_SLOT_STRING_GETTER(imss_slot_get_activated_at, PROP_ACTIVATED_AT)
/**
 * imss_slot_get_next_check:
 * @self: a slot
 *
 * Returns: the next automatic license-server check, "" when none is scheduled
 */
IMSS_SLOT_STRING_GETTER(imss_slot_get_next_check, PROP_NEXT_CHECK)

/* 00:00 of the date @date_str (YYYY-MM-DD) in the local time zone */
static GDateTime *
imss_slot_dup_local_midnight(const gchar *date_str)
{
	GDate date;
	if (!imss_date_parse(date_str, &date))
		return NULL;
	return g_date_time_new_local(g_date_get_year(&date),
				     g_date_get_month(&date),
				     g_date_get_day(&date),
				     0,
				     0,
				     0);
}

/**
 * imss_slot_dup_expiry_datetime:
 * @self: a slot
 *
 * Returns: (transfer full) (nullable): the instant the license expires,
 *   00:00 of the expiry date in the local time zone, or %NULL when not
 *   activated
 */
GDateTime *
imss_slot_dup_expiry_datetime(ImssSlot *self)
{
	g_return_val_if_fail(IMSS_IS_SLOT(self), NULL);
	return imss_slot_dup_local_midnight(imss_slot_get_expiry(self));
}

/**
 * imss_slot_dup_grace_end_datetime:
 * @self: a slot
 *
 * Returns: (transfer full) (nullable): the instant the grace period ends
 *   (component updates stop), 00:00 of the grace end date in the local time
 *   zone, or %NULL when not activated
 */
GDateTime *
imss_slot_dup_grace_end_datetime(ImssSlot *self)
{
	g_return_val_if_fail(IMSS_IS_SLOT(self), NULL);
	return imss_slot_dup_local_midnight(imss_slot_get_grace_end(self));
}

/**
 * imss_slot_get_days_left:
 * @self: a slot
 *
 * The days from the daemon's calendar date (its time zone, or its virtual
 * clock) to the expiry date, counted the way the daemon counts them:
 * negative after the expiry. The client reads the daemon's date again at
 * the daemon's 00:00 (and when the system clock is stepped), so
 * `notify::days-left` comes every day without polling.
 *
 * Returns: the days left, or %IMSS_SLOT_DAYS_LEFT_UNKNOWN
 */
gint
imss_slot_get_days_left(ImssSlot *self)
{
	GDate expiry;
	g_return_val_if_fail(IMSS_IS_SLOT(self), IMSS_SLOT_DAYS_LEFT_UNKNOWN);
	if (!g_date_valid(&self->today) || !imss_date_parse(imss_slot_get_expiry(self), &expiry))
		return IMSS_SLOT_DAYS_LEFT_UNKNOWN;
	return g_date_days_between(&self->today, &expiry);
}

void
imss_slot_set_today(ImssSlot *self, const GDate *today)
{
	gint before;
	g_return_if_fail(IMSS_IS_SLOT(self));
	g_return_if_fail(today != NULL);
	before = imss_slot_get_days_left(self);
	self->today = *today;
	if (imss_slot_get_days_left(self) != before)
		g_object_notify_by_pspec(G_OBJECT(self), obj_props[PROP_DAYS_LEFT]);
}

GDBusProxy *
imss_slot_get_proxy(ImssSlot *self)
{
	g_return_val_if_fail(IMSS_IS_SLOT(self), NULL);
	return self->props.proxy;
}

static void
imss_slot_expiry_notify_cb(GObject *object, GParamSpec *pspec, gpointer user_data)
{
	g_object_notify_by_pspec(object, obj_props[PROP_DAYS_LEFT]);
}

ImssSlot *
imss_slot_new(ImssSlotId id, GDBusProxy *proxy)
{
	ImssSlot *self;

	g_return_val_if_fail(id < IMSS_SLOT_LAST, NULL);
	g_return_val_if_fail(G_IS_DBUS_PROXY(proxy), NULL);

	self = g_object_new(IMSS_TYPE_SLOT, NULL);
	self->id = id;
	imss_props_init(&self->props,
			G_OBJECT(self),
			proxy,
			imss_slot_dbus_props,
			G_N_ELEMENTS(imss_slot_dbus_props),
			&obj_props[1]);
	g_signal_connect(self, "notify::expiry", G_CALLBACK(imss_slot_expiry_notify_cb), NULL);
	return self;
}

static void
imss_slot_get_property(GObject *object, guint prop_id, GValue *value, GParamSpec *pspec)
{
	ImssSlot *self = IMSS_SLOT(object);

	switch (prop_id) {
	case PROP_ID:
		g_value_set_string(value, imss_slot_get_id(self));
		break;
	case PROP_NAME:
		g_value_set_string(value, imss_slot_get_name(self));
		break;
	case PROP_STATE:
		g_value_set_enum(value, imss_slot_get_state(self));
		break;
	case PROP_DAYS_LEFT:
		g_value_set_int(value, imss_slot_get_days_left(self));
		break;
	default:
		if (prop_id > PROP_0 && prop_id < PROP_ID)
			imss_props_get_value(&self->props, IMSS_PROPS_INDEX(prop_id), value);
		else
			G_OBJECT_WARN_INVALID_PROPERTY_ID(object, prop_id, pspec);
		break;
	}
}

static void
imss_slot_finalize(GObject *object)
{
	ImssSlot *self = IMSS_SLOT(object);
	imss_props_clear(&self->props);
	G_OBJECT_CLASS(imss_slot_parent_class)->finalize(object);
}

static void
imss_slot_init(ImssSlot *self)
{
	g_date_clear(&self->today, 1);
}

static void
imss_slot_class_init(ImssSlotClass *klass)
{
	GObjectClass *object_class = G_OBJECT_CLASS(klass);

	object_class->get_property = imss_slot_get_property;
	object_class->finalize = imss_slot_finalize;

	/**
	 * ImssSlot:id:
	 *
	 * The stable slot id.
	 */
	obj_props[PROP_ID] = imss_props_string_pspec("id", "The stable slot id");
	/**
	 * ImssSlot:name:
	 *
	 * The translated display name.
	 */
	obj_props[PROP_NAME] = imss_props_string_pspec("name", "The translated display name");
	/**
	 * ImssSlot:state:
	 *
	 * The lifecycle state.
	 */
	obj_props[PROP_STATE] = g_param_spec_enum("state",
						  NULL,
						  "The lifecycle state",
						  IMSS_TYPE_LICENSE_STATE,
						  IMSS_LICENSE_STATE_NOT_ACTIVATED,
						  G_PARAM_READABLE | G_PARAM_STATIC_STRINGS |
						      G_PARAM_EXPLICIT_NOTIFY);
	/**
	 * ImssSlot:expiry:
	 *
	 * The expiry date, YYYY-MM-DD.
	 */
	obj_props[PROP_EXPIRY] = imss_props_string_pspec("expiry", "The expiry date");
	/**
	 * ImssSlot:grace-end:
	 *
	 * The end of the grace period, YYYY-MM-DD.
	 */
	obj_props[PROP_GRACE_END] =
	    imss_props_string_pspec("grace-end", "The end of the grace period");
	/**
	 * ImssSlot:days-left:
	 *
	 * Days from the daemon's calendar date to the expiry date.
	 */
	obj_props[PROP_DAYS_LEFT] = g_param_spec_int("days-left",
						     NULL,
						     "Days until the expiry date",
						     G_MININT,
						     G_MAXINT,
						     IMSS_SLOT_DAYS_LEFT_UNKNOWN,
						     G_PARAM_READABLE | G_PARAM_STATIC_STRINGS |
							 G_PARAM_EXPLICIT_NOTIFY);
	/**
	 * ImssSlot:updates-allowed:
	 *
	 * Whether component updates are allowed.
	 */
	obj_props[PROP_UPDATES_ALLOWED] =
	    imss_props_boolean_pspec("updates-allowed", "Whether component updates are allowed");
	/**
	 * ImssSlot:code:
	 *
	 * The masked activation code.
	 */
	obj_props[PROP_CODE] = imss_props_string_pspec("code", "The masked activation code");
	/**
	 * ImssSlot:offline:
	 *
	 * Whether the code is an offline code.
	 */
	obj_props[PROP_OFFLINE] =
	    imss_props_boolean_pspec("offline", "Whether the code is offline");
	/**
	 * ImssSlot:expiry-verified:
	 *
	 * Whether the license server confirmed the expiry.
	 */
	obj_props[PROP_EXPIRY_VERIFIED] =
	    imss_props_boolean_pspec("expiry-verified", "Whether the expiry was confirmed");
	/**
	 * ImssSlot:last-verified:
	 *
	 * When the license server last confirmed the expiry.
	 */
	obj_props[PROP_LAST_VERIFIED] =
	    imss_props_string_pspec("last-verified", "When the expiry was last confirmed");
	/**
	 * ImssSlot:server-status:
	 *
	 * The license server's last word about the code.
	 */
	obj_props[PROP_SERVER_STATUS] =
	    imss_props_string_pspec("server-status", "What the license server said");
	/**
	 * ImssSlot:last-check-error:
	 *
	 * Why the last check failed.
	 */
	obj_props[PROP_LAST_CHECK_ERROR] =
	    imss_props_string_pspec("last-check-error", "Why the last check failed");
	/**
	 * ImssSlot:details-url:
	 *
	 * The license server's page about this license.
	 */
	obj_props[PROP_DETAILS_URL] =
	    imss_props_string_pspec("details-url", "The license server's page");
	/**
	 * ImssSlot:enabled:
	 *
	 * Whether this edition can use the slot.
	 */
	obj_props[PROP_ENABLED] =
	    imss_props_boolean_pspec("enabled", "Whether the slot can be used");
	/**
	 * ImssSlot:activated-at:
	 *
	 * When the current code was activated.
	 */
	obj_props[PROP_ACTIVATED_AT] =
	    imss_props_string_pspec("activated-at", "When the code was activated");
	/**
	 * ImssSlot:next-check:
	 *
	 * The next automatic license-server check.
	 */
	obj_props[PROP_NEXT_CHECK] = imss_props_string_pspec("next-check", "The next check");
	g_object_class_install_properties(object_class, PROP_LAST, obj_props);
}
