/*
 * The load benchmark's state and figures, shared by the run (bench-load.c)
 * and the report (bench-load-report.c).
 */
#pragma once

#include <gio/gio.h>

#include "imss-code.h"

G_BEGIN_DECLS

/* a latency above this counts as slow (the p99 target of issue 13) */
#define BENCH_SLOW_US (10 * G_TIME_SPAN_MILLISECOND)
/* distinct error messages kept per series */
#define BENCH_ERRORS_KEPT 3
/* the longest main-loop probes listed */
#define BENCH_STALLS_KEPT 5

typedef enum {
	READ_GETALL_MANAGER,
	READ_GETALL_SLOT,
	READ_MANAGED_OBJECTS,
	READ_NOTICES,
	READ_HISTORY,
	READ_EVENTS,
	READ_CLOCK,
	READ_LAST
} ReadKind;

/* the latencies (µs) of the answered calls of one kind, when they were sent
 * (monotonic µs), and the errors */
typedef struct {
	const gchar *label;
	GArray *latencies;
	GArray *sent_at;
	guint errors;
	GPtrArray *messages;
} Series;

typedef struct {
	gboolean ok;
	gint64 rss_kib;
	gint64 hwm_kib;
	gint64 fds;
	gint64 threads;
	gdouble cpu_s;
} ProcSample;

/* a main-loop probe: when it was sent (µs into the run) and its latency */
typedef struct {
	gint64 at_us;
	gint64 latency_us;
} Stall;

typedef struct _Bench Bench;

/* a timed one-off call (Activate, Advance) */
typedef struct {
	Bench *bench;
	const gchar *iface;
	const gchar *method;
	GVariant *params;
	const gchar *reply_type;
	gboolean requested;
	gboolean done;
	gint64 sent_at;
	gint64 duration_us;
	gchar *result;
	gchar *error;
} OneOff;

typedef struct {
	Bench *bench;
	GDBusConnection *connection;
	guint index;
	guint64 calls;
	gint64 next_due;
} Client;

typedef struct _Probe Probe;

/* one probe on its own connection: Peer.Ping, or GetClock (the main loop) */
typedef struct {
	Probe *probe;
	gboolean main_loop;
	GDBusConnection *connection;
	Series series;
	gboolean busy;
	gint64 sent_at;
	guint skipped;
} ProbeLine;

/* the probes run in their own thread, so that this program's own main loop
 * (busy with the clients' replies) does not add to what they measure */
struct _Probe {
	Bench *bench;
	GThread *thread;
	GMainContext *context;
	GMainLoop *loop;
	GSource *timer;
	gint64 next_due;
	ProbeLine ping;
	ProbeLine get;
	gboolean stopping;
};

struct _Bench {
	/* options */
	guint n_clients;
	guint interval_ms;
	guint seconds;
	guint probe_interval_ms;
	gchar *activate_slot;
	gchar *activate_code;
	guint advance_days;
	gboolean json;

	gchar *address;
	GDBusConnection *control;
	guint daemon_pid;
	guint bus_pid;
	GMainLoop *loop;
	Client *clients;
	Probe probe;
	Series reads[READ_LAST];
	/* the reads the clients rotate through (--reads) */
	ReadKind kinds[READ_LAST];
	guint n_kinds;
	gchar *slot_paths[IMSS_SLOT_LAST];
	guint64 sent;
	guint in_flight;
	guint max_in_flight;
	gboolean sending;
	gint64 start;
	gint64 stop;
	guint drain_timeout;
	guint rss_timer;
	GArray *rss_kib; /* the daemon's VmRSS once a second during the run */
	OneOff activate;
	OneOff advance;
	ProcSample daemon_before;
	ProcSample daemon_after;
	ProcSample bus_before;
	ProcSample bus_after;
	gdouble self_cpu_before;
	gdouble self_cpu_after;
	gdouble loadavg_before;
	gdouble loadavg_after;

	/* bench_summarise() */
	Series all;
	Series all_outside;
	Series get_outside;
	GArray *stalls; /* Stall: the longest main-loop probes, longest first */
};

void
series_init(Series *s, const gchar *label);
void
series_clear(Series *s);
void
series_add(Series *s, gint64 sent_at, gint64 answered_at, const GError *error);

/* failed calls, unanswered calls and failed one-offs */
guint
bench_errors(const Bench *self);
/* after the run: the aggregate series, every series sorted */
void
bench_summarise(Bench *self);
void
bench_print_text(const Bench *self);
void
bench_print_json(const Bench *self);

G_END_DECLS
