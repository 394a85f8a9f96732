/*
 * imss-notifier: the per-user desktop notifier. imss-notifier.c listens to
 * imss-licensed and runs the program, imss-notifier-show.c shows and
 * withdraws the notifications, imss-notifier-text.c says what they say.
 */
#pragma once

#include <gio/gio.h>
#include <imss-license-1/imss-license.h>
#include <libnotify/notify.h>

#include "imss-notice.h"
#include "imss-records.h"
#include "imss-slot.h"

G_BEGIN_DECLS

#define IMSS_NOTIFIER_APP "imss-notifier"
/* GetNotices and property reads are local and quick; never wait 25 s */
#define IMSS_NOTIFIER_CALL_TIMEOUT_MS 10000

typedef struct {
	GMainLoop *loop;
	GDBusConnection *system_bus;
	ImssClient *client; /* the daemon's methods and its slots */
	GDBusConnection *session_bus;
	GCancellable *cancellable;
	GHashTable *notifications; /* slot id (static) → NotifyNotification */
	GHashTable *shown;	   /* slot id (static) → key of what it shows */
	guint pending; /* async calls in flight (drained before exit) */
	gboolean once;
	gboolean daemon_present;
	gboolean server_failing; /* logged once until a notification gets through */
	gint exit_status;
} ImssNotifier;

/* -- a callback's data about one slot (imss-notifier.c) ---------------------- */

typedef struct {
	ImssNotifier *self;
	gchar *slot;	  /* NULL: every slot */
	gboolean pending; /* an async call, counted in self->pending until freed */
} ImssNotifierCall;

/* With @pending, the data of an async call (drained before exit); without,
 * of a notification action, which lives as long as the action. */
ImssNotifierCall *
imss_notifier_call_new(ImssNotifier *self, const gchar *slot, gboolean pending);
void
imss_notifier_call_free(gpointer call);

G_DEFINE_AUTOPTR_CLEANUP_FUNC(ImssNotifierCall, imss_notifier_call_free)

/* -- what a notification says (imss-notifier-text.c) ------------------------- */

gchar *
imss_notifier_notice_title(const ImssNoticeData *notice);
NotifyUrgency
imss_notifier_urgency(ImssNoticeSeverity severity);
const gchar *
imss_notifier_icon(ImssNoticeSeverity severity);
/* identifies what a notification says, so that the same one is not shown twice */
gchar *
imss_notifier_notice_key(const ImssNoticeData *notice);
/* the title of a LicenseChanged notification for @reason */
gchar *
imss_notifier_license_title(ImssSlotId slot, const gchar *reason);
/* its body, NULL when there is no expiry date */
gchar *
imss_notifier_license_body(const ImssLicenseChangeRecord *details);
gchar *
imss_notifier_license_key(const gchar *reason, const ImssLicenseChangeRecord *details);

/* -- showing (imss-notifier-show.c) ------------------------------------------ */

/* Shows (or replaces) the notification of @slot. With a @key equal to what
 * the slot's notification already shows, nothing happens. */
gboolean
imss_notifier_show(ImssNotifier *self,
		   const gchar *slot,
		   const gchar *kind,
		   const gchar *summary,
		   const gchar *body,
		   ImssNoticeSeverity severity,
		   const gchar *key);
gboolean
imss_notifier_show_notice(ImssNotifier *self, const ImssNoticeData *notice);
/* Shows the @notices (ImssNotice) not shown yet (@only_slot: only that
 * slot's, NULL: all) and withdraws those that went away. */
gboolean
imss_notifier_show_current(ImssNotifier *self, GPtrArray *notices, const gchar *only_slot);

G_END_DECLS
