/*
 * The records the daemon sends as a{sv} and the clients read: a history
 * entry (GetHistory, GetHistoryPage), a scheduled event (ListEvents), the
 * clock (GetClock), a restart (the Restarts property), the details of
 * LicenseChanged and a diagnosis (Diagnose). The introspection XML documents
 * the members; this is the one place that writes and reads them.
 *
 * _to_variant() returns a floating a{sv} with every member, in the XML's
 * order, NULL strings as "". _from_variant() wants every member with its
 * type, ignores members it does not know (a newer daemon may add some) and
 * refuses anything else with G_IO_ERROR_INVALID_DATA, an English message
 * naming the record and the member; it never crashes on what a peer sends.
 * A record owns its strings: _clear() frees them.
 */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

/* adds @key → @value (floating: taken) to @builder, a builder of a{sv}:
 * what g_variant_builder_add (builder, "{sv}", key, value) does, without
 * parsing a format string for every member (a twentieth of the cost) */
void imss_vardict_add(GVariantBuilder *builder, const gchar *key, GVariant *value);

/* One change in the history (times ISO 8601 with the offset, codes masked). */
typedef struct {
	gchar *time;
	gchar *action;
	gchar *slot;
	gchar *code;
	gchar *caller;
	gchar *outcome;
	gchar *detail;
	gchar *node; /* the node of the fleet that made the change or ran the job */
} ImssHistoryRecord;

/* A node of the fleet (ListNodes); times unix seconds. */
typedef struct {
	gchar *name;
	gboolean is_this; /* "this": the node answering */
	gint64 started;
	gint64 last_seen; /* the database's clock */
	gint64 clock_skew;
	gchar *last_job;
	gint64 last_job_at;
} ImssNodeRecord;

/* A scheduled event of ListEvents. */
typedef struct {
	gchar *time;   /* ISO 8601, the instant it happens */
	gchar *date;   /* YYYY-MM-DD, its calendar date */
	gchar *slot;   /* slot id */
	gchar *kind;   /* "check", "expiring", "grace" or "expired" */
	gchar *offset; /* relative to the expiry date: "E-30", "E", "E+91" */
} ImssEventRecord;

/* The daemon's view of the time (GetClock). */
typedef struct {
	gchar *now;   /* ISO 8601 local time */
	gchar *today; /* YYYY-MM-DD: the date license dates are compared with */
	gchar *zone;  /* the time zone's identifier */
	gboolean virtual_clock;
} ImssClockRecord;

/* A queued or failed restart of a systemd unit (Restarts). */
typedef struct {
	gchar *unit;
	gchar *state; /* "pending" or "failed" */
	guint32 attempts;
	gchar *error;     /* why the last attempt failed, English */
	gchar *requested; /* ISO 8601 */
} ImssRestartRecord;

/* The details of LicenseChanged. */
typedef struct {
	gchar *expiry; /* YYYY-MM-DD */
	gchar *state;
	gboolean offline;
	gchar *code; /* masked */
} ImssLicenseChangeRecord;

/* What Diagnose found (SPEC §10 Q5); texts in the language asked for. */
typedef struct {
	gchar *slot;
	gchar *environment;
	gchar **findings; /* NULL-terminated; NULL is an empty list */
	gchar **finding_ids; /* the same findings as ids (imss-doctor-text.h) */
	gchar *action;
	gchar *action_id;
	gchar *server_status;
	gchar *server_expiry;
	gchar *next_check;
	gchar *last_deployment;
	gchar *last_deployment_result;
	gchar *details_url;
} ImssDiagnosisRecord;

void imss_history_record_clear(ImssHistoryRecord *self);
GVariant *imss_history_record_to_variant(const ImssHistoryRecord *self) G_GNUC_WARN_UNUSED_RESULT;
gboolean imss_history_record_from_variant(GVariant *dict,
					  ImssHistoryRecord *self,
					  GError **error) G_GNUC_WARN_UNUSED_RESULT;

void imss_event_record_clear(ImssEventRecord *self);
GVariant *imss_event_record_to_variant(const ImssEventRecord *self) G_GNUC_WARN_UNUSED_RESULT;
gboolean imss_event_record_from_variant(GVariant *dict,
					ImssEventRecord *self,
					GError **error) G_GNUC_WARN_UNUSED_RESULT;

void imss_clock_record_clear(ImssClockRecord *self);
GVariant *imss_clock_record_to_variant(const ImssClockRecord *self) G_GNUC_WARN_UNUSED_RESULT;
gboolean imss_clock_record_from_variant(GVariant *dict,
					ImssClockRecord *self,
					GError **error) G_GNUC_WARN_UNUSED_RESULT;

void imss_restart_record_clear(ImssRestartRecord *self);
GVariant *imss_restart_record_to_variant(const ImssRestartRecord *self) G_GNUC_WARN_UNUSED_RESULT;
gboolean imss_restart_record_from_variant(GVariant *dict,
					  ImssRestartRecord *self,
					  GError **error) G_GNUC_WARN_UNUSED_RESULT;

void imss_license_change_record_clear(ImssLicenseChangeRecord *self);
GVariant *imss_license_change_record_to_variant(const ImssLicenseChangeRecord *self)
    G_GNUC_WARN_UNUSED_RESULT;
gboolean imss_license_change_record_from_variant(GVariant *dict,
						 ImssLicenseChangeRecord *self,
						 GError **error) G_GNUC_WARN_UNUSED_RESULT;

void imss_node_record_clear(ImssNodeRecord *self);
GVariant *imss_node_record_to_variant(const ImssNodeRecord *self) G_GNUC_WARN_UNUSED_RESULT;
gboolean imss_node_record_from_variant(GVariant *dict, ImssNodeRecord *self, GError **error);
void imss_diagnosis_record_clear(ImssDiagnosisRecord *self);
GVariant *
imss_diagnosis_record_to_variant(const ImssDiagnosisRecord *self) G_GNUC_WARN_UNUSED_RESULT;
gboolean imss_diagnosis_record_from_variant(GVariant *dict,
					    ImssDiagnosisRecord *self,
					    GError **error) G_GNUC_WARN_UNUSED_RESULT;

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC(ImssHistoryRecord, imss_history_record_clear)
G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC(ImssEventRecord, imss_event_record_clear)
G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC(ImssClockRecord, imss_clock_record_clear)
G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC(ImssRestartRecord, imss_restart_record_clear)
G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC(ImssLicenseChangeRecord, imss_license_change_record_clear)
G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC(ImssDiagnosisRecord, imss_diagnosis_record_clear)
G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC(ImssNodeRecord, imss_node_record_clear)

G_END_DECLS
