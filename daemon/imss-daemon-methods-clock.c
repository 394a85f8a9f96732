/*
 * The adapter's clock methods: GetClock, and with --virtual-clock the
 * VirtualClock interface (SetTime, Advance).
 */
#define G_LOG_DOMAIN "ImssDaemon"

#include "config.h"

#include "imss-daemon-private.h"
#include "imss-date.h"
#include "imss-error.h"
#include "imss-records.h"
#include "imss-skeleton.h"

static gboolean
imss_daemon_handle_get_clock(ImssExportedManager *skeleton,
			     GDBusMethodInvocation *invocation,
			     ImssDaemon *self)
{
	GTimeZone *tz = imss_license_manager_get_timezone(self->manager);
	GDate today;
	g_auto(ImssClockRecord) record = {NULL};

	imss_license_manager_get_today(self->manager, &today);
	record.now = imss_calendar_format_instant(tz, imss_license_manager_get_time(self->manager));
	record.today = imss_date_format(&today);
	record.zone = g_strdup(g_time_zone_get_identifier(tz));
	record.virtual_clock = imss_license_manager_has_virtual_clock(self->manager);
	imss_exported_manager_complete_get_clock(skeleton,
						 invocation,
						 imss_clock_record_to_variant(&record));
	return G_DBUS_METHOD_INVOCATION_HANDLED;
}

/* ISO 8601 with or without an offset; without one it is local time (TZ) */
static gboolean
imss_daemon_parse_time(GTimeZone *tz, const gchar *str, gint64 *t)
{
	g_autoptr(GDateTime) dt = g_date_time_new_from_iso8601(str, tz);
	if (dt == NULL)
		return FALSE;
	*t = g_date_time_to_unix(dt);
	return TRUE;
}

static gboolean
imss_daemon_handle_set_time(ImssExportedVirtualClock *skeleton,
			    GDBusMethodInvocation *invocation,
			    const gchar *time,
			    ImssDaemon *self)
{
	gint64 t;
	if (!imss_daemon_parse_time(imss_license_manager_get_timezone(self->manager), time, &t)) {
		g_dbus_method_invocation_return_error(invocation,
						      IMSS_ERROR,
						      IMSS_ERROR_INVALID_ARGS,
						      "Not an ISO 8601 time: expected "
						      "YYYY-MM-DDTHH:MM:SS[±HH:MM]");
		return G_DBUS_METHOD_INVOCATION_HANDLED;
	}
	imss_license_manager_set_time(self->manager, t);
	imss_exported_virtual_clock_complete_set_time(skeleton, invocation);
	return G_DBUS_METHOD_INVOCATION_HANDLED;
}

static gboolean
imss_daemon_handle_advance(ImssExportedVirtualClock *skeleton,
			   GDBusMethodInvocation *invocation,
			   gint64 seconds,
			   ImssDaemon *self)
{
	guint fired;
	if (seconds < 0 || seconds > (gint64)20 * 366 * 86400) {
		g_dbus_method_invocation_return_error_literal(invocation,
							      IMSS_ERROR,
							      IMSS_ERROR_INVALID_ARGS,
							      "Advance takes 0 to 20 years of seconds");
		return G_DBUS_METHOD_INVOCATION_HANDLED;
	}
	fired = imss_license_manager_advance(self->manager, seconds);
	imss_exported_virtual_clock_complete_advance(skeleton, invocation, fired);
	return G_DBUS_METHOD_INVOCATION_HANDLED;
}

/* GetClock on the manager; the VirtualClock interface (with its own argument
 * bounds) only when the manager runs on a virtual clock */
void
imss_daemon_connect_clock_methods(ImssDaemon *self)
{
	g_return_if_fail(IMSS_IS_DAEMON(self));

	g_signal_connect(self->skeleton,
			 "handle-get-clock",
			 G_CALLBACK(imss_daemon_handle_get_clock),
			 self);
	if (!imss_license_manager_has_virtual_clock(self->manager))
		return;
	self->virtual_clock = imss_skeleton_new_virtual_clock();
	g_signal_connect(self->virtual_clock,
			 "handle-set-time",
			 G_CALLBACK(imss_daemon_handle_set_time),
			 self);
	g_signal_connect(self->virtual_clock,
			 "handle-advance",
			 G_CALLBACK(imss_daemon_handle_advance),
			 self);
}
