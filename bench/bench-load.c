/*
 * A load benchmark of imss-licensed through the bus (printed figures, not a
 * test; bench/load.py sets up the world and runs it):
 *  - N clients, each on its own bus connection, call a read method every
 *    interval (open loop: a call goes out on time even when the previous one
 *    is still unanswered), rotating through GetAll on the manager and on a
 *    slot, GetManagedObjects, GetNotices('ja'), GetHistory(20),
 *    ListEvents(90) and GetClock (--reads picks some);
 *  - two probes on a thread of their own, each on its own connection, every
 *    few ms with at most one call outstanding: Peer.Ping — which GDBus answers
 *    in the daemon's worker thread, so it shows the bus, the socket and the
 *    CPUs but not the daemon's main loop — and GetClock, which the main
 *    loop answers and so shows how long it is blocked (not a property's Get:
 *    the daemon answers a prepared copy in the worker thread too,
 *    daemon/imss-skeleton.c);
 *  - one Activate a third into the run and one VirtualClock.Advance two
 *    thirds into it, timed; the reads and main-loop probes in flight at no
 *    time during either are also summed up apart, and the longest main-loop
 *    probes are listed with when they were sent;
 *  - the daemon's RSS, open fds and threads before and after, and the CPU
 *    time of the daemon, the bus and this program during the run (/proc).
 *
 *   bench-load [--clients 100] [--interval-ms 100] [--seconds 30]
 *              [--probe-interval-ms 10] [--activate SLOT] [--advance-days 400]
 *              [--reads KEY,...] [--json]
 *
 * The bus is the system bus ($DBUS_SYSTEM_BUS_ADDRESS). The activation code
 * for --activate is read from standard input, never from argv. Any error
 * (a failed or unanswered call) is reported and the exit status is 1.
 */
#include "config.h"

#include <gio/gio.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#include "bench-load.h"
#include "imss-bus.h"
#include "imss-slot.h"

#define DBUS_PROPERTIES	 "org.freedesktop.DBus.Properties"

/* how long the end of the run waits for calls still unanswered */
#define BENCH_DRAIN_US (30 * G_TIME_SPAN_SECOND)

/* the names --reads takes, and the labels printed */
static const struct {
	const gchar *key;
	const gchar *label;
} read_names[READ_LAST] = {
    {"getall-manager", "GetAll(manager)"},
    {"getall-slot", "GetAll(slot)"},
    {"managed-objects", "GetManagedObjects"},
    {"notices", "GetNotices('ja')"},
    {"history", "GetHistory(20)"},
    {"events", "ListEvents(90)"},
    {"clock", "GetClock"},
};

/* -- /proc ----------------------------------------------------------------- */

static gint64
proc_status_field(const gchar *status, const gchar *name)
{
	g_autofree gchar *key = g_strdup_printf("\n%s:", name);
	const gchar *p = strstr(status, key);
	if (p == NULL)
		return -1;
	return g_ascii_strtoll(p + strlen(key), NULL, 10);
}

static gboolean
proc_sample(guint pid, ProcSample *sample)
{
	g_autofree gchar *status_path = g_strdup_printf("/proc/%u/status", pid);
	g_autofree gchar *stat_path = g_strdup_printf("/proc/%u/stat", pid);
	g_autofree gchar *fd_path = g_strdup_printf("/proc/%u/fd", pid);
	g_autofree gchar *status = NULL;
	g_autofree gchar *stat = NULL;
	g_auto(GStrv) fields = NULL;
	g_autoptr(GDir) dir = NULL;
	const gchar *close_paren;
	glong ticks = sysconf(_SC_CLK_TCK);

	memset(sample, 0, sizeof(*sample));
	if (pid == 0 || !g_file_get_contents(status_path, &status, NULL, NULL) ||
	    !g_file_get_contents(stat_path, &stat, NULL, NULL))
		return FALSE;
	sample->rss_kib = proc_status_field(status, "VmRSS");
	sample->hwm_kib = proc_status_field(status, "VmHWM");
	sample->threads = proc_status_field(status, "Threads");
	/* the fields after the command name: state is field 3, utime 14, stime 15 */
	close_paren = strrchr(stat, ')');
	if (close_paren == NULL)
		return FALSE;
	fields = g_strsplit(close_paren + 2, " ", -1);
	if (g_strv_length(fields) < 13 || ticks <= 0)
		return FALSE;
	sample->cpu_s = (gdouble)(g_ascii_strtoull(fields[11], NULL, 10) +
				  g_ascii_strtoull(fields[12], NULL, 10)) /
			(gdouble)ticks;
	sample->fds = -1;
	dir = g_dir_open(fd_path, 0, NULL);
	if (dir != NULL) {
		sample->fds = 0;
		while (g_dir_read_name(dir) != NULL)
			sample->fds++;
	}
	sample->ok = TRUE;
	return TRUE;
}

static gdouble
self_cpu_seconds(void)
{
	struct rusage usage;
	if (getrusage(RUSAGE_SELF, &usage) != 0)
		return 0;
	return (gdouble)usage.ru_utime.tv_sec + usage.ru_utime.tv_usec / 1e6 +
	       (gdouble)usage.ru_stime.tv_sec + usage.ru_stime.tv_usec / 1e6;
}

/* the pid of the owner of @name (the bus answers its own pid for
 * org.freedesktop.DBus), 0 when unknown */
static guint
bus_name_pid(GDBusConnection *connection, const gchar *name, GError **error)
{
	g_autoptr(GVariant) reply = NULL;
	guint pid = 0;
	reply = g_dbus_connection_call_sync(connection,
					    "org.freedesktop.DBus",
					    "/org/freedesktop/DBus",
					    "org.freedesktop.DBus",
					    "GetConnectionUnixProcessID",
					    g_variant_new("(s)", name),
					    G_VARIANT_TYPE("(u)"),
					    G_DBUS_CALL_FLAGS_NONE,
					    -1,
					    NULL,
					    error);
	if (reply == NULL)
		return 0;
	g_variant_get(reply, "(u)", &pid);
	return pid;
}

/* the machine's 1-minute load average: other work competes for the cores */
static gdouble
loadavg(void)
{
	g_autofree gchar *text = NULL;
	if (!g_file_get_contents("/proc/loadavg", &text, NULL, NULL))
		return -1;
	return g_ascii_strtod(text, NULL);
}

static gboolean
bench_rss_cb(gpointer user_data)
{
	Bench *self = user_data;
	ProcSample sample;
	if (proc_sample(self->daemon_pid, &sample))
		g_array_append_val(self->rss_kib, sample.rss_kib);
	return G_SOURCE_CONTINUE;
}

/* an asynchronous call to the daemon (never starting it) */
static void
call_daemon(GDBusConnection *connection,
	    const gchar *path,
	    const gchar *iface,
	    const gchar *method,
	    GVariant *params,
	    const GVariantType *reply_type,
	    GAsyncReadyCallback callback,
	    gpointer user_data)
{
	g_dbus_connection_call(connection,
			       IMSS_BUS_NAME,
			       path,
			       iface,
			       method,
			       params,
			       reply_type,
			       G_DBUS_CALL_FLAGS_NO_AUTO_START,
			       -1,
			       NULL,
			       callback,
			       user_data);
}

/* -- timers ------------------------------------------------------------------ */

/* a one-shot timer on @context firing at @due (monotonic µs): periodic work
 * reschedules itself from its due time, not from when it ran, so that the
 * rate does not drift */
static GSource *
schedule_at(GMainContext *context, gint64 due, GSourceFunc func, gpointer user_data)
{
	gint64 wait_us = due - g_get_monotonic_time();
	GSource *source = g_timeout_source_new(wait_us > 0 ? (guint)((wait_us + 999) / 1000) : 0);
	g_source_set_callback(source, func, user_data, NULL);
	g_source_attach(source, context);
	return source;
}

/* -- the probes (their own thread) ----------------------------------------- */

static void
probe_maybe_quit(Probe *probe)
{
	if (probe->stopping && !probe->ping.busy && !probe->get.busy)
		g_main_loop_quit(probe->loop);
}

static void
probe_call_cb(GObject *source, GAsyncResult *res, gpointer user_data)
{
	ProbeLine *line = user_data;
	g_autoptr(GError) error = NULL;
	g_autoptr(GVariant) reply = NULL;

	reply = g_dbus_connection_call_finish(G_DBUS_CONNECTION(source), res, &error);
	series_add(&line->series, line->sent_at, g_get_monotonic_time(), error);
	line->busy = FALSE;
	probe_maybe_quit(line->probe);
}

/* one probe at a time per line: while it is unanswered, a tick is skipped
 * (its latency grows with the stall; the bus would refuse a 129th pending
 * call on one connection anyway) */
static void
probe_send(ProbeLine *line)
{
	if (line->busy) {
		line->skipped++;
		return;
	}
	line->busy = TRUE;
	line->sent_at = g_get_monotonic_time();
	call_daemon(line->connection,
		    IMSS_BUS_OBJECT_PATH,
		    line->main_loop ? IMSS_BUS_MANAGER_IFACE : "org.freedesktop.DBus.Peer",
		    line->main_loop ? "GetClock" : "Ping",
		    NULL,
		    G_VARIANT_TYPE(line->main_loop ? "(a{sv})" : "()"),
		    probe_call_cb,
		    line);
}

static gboolean
probe_tick_cb(gpointer user_data)
{
	Probe *probe = user_data;
	probe->next_due += (gint64)probe->bench->probe_interval_ms * G_TIME_SPAN_MILLISECOND;
	g_source_unref(probe->timer);
	probe->timer = schedule_at(probe->context, probe->next_due, probe_tick_cb, probe);
	probe_send(&probe->ping);
	probe_send(&probe->get);
	return G_SOURCE_REMOVE;
}

static gboolean
probe_stop_cb(gpointer user_data)
{
	Probe *probe = user_data;
	probe->stopping = TRUE;
	g_source_destroy(probe->timer);
	g_clear_pointer(&probe->timer, g_source_unref);
	probe_maybe_quit(probe);
	return G_SOURCE_REMOVE;
}

static gpointer
probe_thread(gpointer user_data)
{
	Probe *probe = user_data;
	g_main_context_push_thread_default(probe->context);
	probe->next_due = g_get_monotonic_time();
	probe->timer = schedule_at(probe->context, probe->next_due, probe_tick_cb, probe);
	g_main_loop_run(probe->loop);
	g_main_context_pop_thread_default(probe->context);
	return NULL;
}

/* -- the end of the run ---------------------------------------------------- */

static gboolean
oneoff_pending(const OneOff *o)
{
	return o->requested && !o->done;
}

static void
bench_maybe_finish(Bench *self)
{
	if (self->sending || self->in_flight > 0 || oneoff_pending(&self->activate) ||
	    oneoff_pending(&self->advance))
		return;
	g_main_loop_quit(self->loop);
}

static gboolean
bench_drain_timeout_cb(gpointer user_data)
{
	Bench *self = user_data;
	g_printerr("bench-load: %u calls still unanswered %d s after the end; giving up\n",
		   self->in_flight,
		   (gint)(BENCH_DRAIN_US / G_TIME_SPAN_SECOND));
	self->drain_timeout = 0;
	g_main_loop_quit(self->loop);
	return G_SOURCE_REMOVE;
}

static gboolean
bench_stop_cb(gpointer user_data)
{
	Bench *self = user_data;
	self->sending = FALSE;
	self->stop = g_get_monotonic_time();
	g_clear_handle_id(&self->rss_timer, g_source_remove);
	g_main_context_invoke(self->probe.context, probe_stop_cb, &self->probe);
	self->drain_timeout = g_timeout_add_seconds(
	    BENCH_DRAIN_US / G_TIME_SPAN_SECOND, bench_drain_timeout_cb, self);
	bench_maybe_finish(self);
	return G_SOURCE_REMOVE;
}

/* -- the clients ----------------------------------------------------------- */

typedef struct {
	Client *client;
	ReadKind kind;
	gint64 sent_at;
} ReadCall;

static void
client_read_cb(GObject *source, GAsyncResult *res, gpointer user_data)
{
	g_autofree ReadCall *call = user_data;
	Bench *self = call->client->bench;
	g_autoptr(GError) error = NULL;
	g_autoptr(GVariant) reply = NULL;

	reply = g_dbus_connection_call_finish(G_DBUS_CONNECTION(source), res, &error);
	series_add(&self->reads[call->kind], call->sent_at, g_get_monotonic_time(), error);
	self->in_flight--;
	bench_maybe_finish(self);
}

static void
client_send(Client *client)
{
	Bench *self = client->bench;
	ReadCall *call = g_new0(ReadCall, 1);
	const gchar *path = IMSS_BUS_OBJECT_PATH;
	const gchar *iface = IMSS_BUS_MANAGER_IFACE;
	const gchar *method = NULL;
	const gchar *reply_type = NULL;
	GVariant *params = NULL;

	call->client = client;
	call->kind = self->kinds[(client->index + client->calls) % self->n_kinds];
	switch (call->kind) {
	case READ_GETALL_MANAGER:
		iface = DBUS_PROPERTIES;
		method = "GetAll";
		params = g_variant_new("(s)", IMSS_BUS_MANAGER_IFACE);
		reply_type = "(a{sv})";
		break;
	case READ_GETALL_SLOT:
		path = self->slot_paths[(client->index + client->calls / self->n_kinds) %
					IMSS_SLOT_LAST];
		iface = DBUS_PROPERTIES;
		method = "GetAll";
		params = g_variant_new("(s)", IMSS_BUS_SLOT_IFACE);
		reply_type = "(a{sv})";
		break;
	case READ_MANAGED_OBJECTS:
		iface = "org.freedesktop.DBus.ObjectManager";
		method = "GetManagedObjects";
		reply_type = "(a{oa{sa{sv}}})";
		break;
	case READ_NOTICES:
		method = "GetNotices";
		params = g_variant_new("(s)", "ja");
		reply_type = "(aa{sv})";
		break;
	case READ_HISTORY:
		method = "GetHistory";
		params = g_variant_new("(u)", 20u);
		reply_type = "(aa{sv})";
		break;
	case READ_EVENTS:
		method = "ListEvents";
		params = g_variant_new("(u)", 90u);
		reply_type = "(aa{sv})";
		break;
	case READ_CLOCK:
	case READ_LAST:
	default:
		method = "GetClock";
		reply_type = "(a{sv})";
		break;
	}
	client->calls++;
	self->sent++;
	self->in_flight++;
	self->max_in_flight = MAX(self->max_in_flight, self->in_flight);
	call->sent_at = g_get_monotonic_time();
	call_daemon(client->connection,
		    path,
		    iface,
		    method,
		    params,
		    G_VARIANT_TYPE(reply_type),
		    client_read_cb,
		    call);
}

static gboolean
client_tick_cb(gpointer user_data)
{
	Client *client = user_data;
	if (!client->bench->sending)
		return G_SOURCE_REMOVE;
	client_send(client);
	client->next_due += (gint64)client->bench->interval_ms * G_TIME_SPAN_MILLISECOND;
	g_source_unref(schedule_at(NULL, client->next_due, client_tick_cb, client));
	return G_SOURCE_REMOVE;
}

/* -- Activate and Advance -------------------------------------------------- */

static void
oneoff_cb(GObject *source, GAsyncResult *res, gpointer user_data)
{
	OneOff *o = user_data;
	g_autoptr(GError) error = NULL;
	g_autoptr(GVariant) reply =
	    g_dbus_connection_call_finish(G_DBUS_CONNECTION(source), res, &error);
	o->duration_us = g_get_monotonic_time() - o->sent_at;
	o->done = TRUE;
	if (error != NULL)
		o->error = g_strdup(error->message);
	else
		o->result = g_variant_print(reply, FALSE);
	bench_maybe_finish(o->bench);
}

static gboolean
oneoff_start_cb(gpointer user_data)
{
	OneOff *o = user_data;
	o->sent_at = g_get_monotonic_time();
	call_daemon(o->bench->control,
		    IMSS_BUS_OBJECT_PATH,
		    o->iface,
		    o->method,
		    o->params,
		    G_VARIANT_TYPE(o->reply_type),
		    oneoff_cb,
		    o);
	return G_SOURCE_REMOVE;
}

/* @o is called @after_ms into the run */
static void
oneoff_schedule(Bench *self,
		OneOff *o,
		guint after_ms,
		const gchar *iface,
		const gchar *method,
		GVariant *params,
		const gchar *reply_type)
{
	o->bench = self;
	o->requested = TRUE;
	o->iface = iface;
	o->method = method;
	o->params = g_variant_ref_sink(params);
	o->reply_type = reply_type;
	g_timeout_add(after_ms, oneoff_start_cb, o);
}

/* -- setup ----------------------------------------------------------------- */

static GDBusConnection *
bench_connect(Bench *self, GError **error)
{
	return g_dbus_connection_new_for_address_sync(
	    self->address,
	    G_DBUS_CONNECTION_FLAGS_AUTHENTICATION_CLIENT |
		G_DBUS_CONNECTION_FLAGS_MESSAGE_BUS_CONNECTION,
	    NULL,
	    NULL,
	    error);
}

static gboolean
bench_read_code(Bench *self, GError **error)
{
	gchar line[256];
	if (fgets(line, sizeof(line), stdin) == NULL) {
		g_set_error_literal(error,
				    G_IO_ERROR,
				    G_IO_ERROR_INVALID_DATA,
				    "--activate: no activation code on standard input");
		return FALSE;
	}
	self->activate_code = g_strstrip(g_strdup(line));
	return TRUE;
}

/* --reads KEY,...: the reads to rotate through (all when NULL) */
static gboolean
bench_parse_reads(Bench *self, const gchar *list, GError **error)
{
	g_auto(GStrv) keys = NULL;
	if (list == NULL) {
		for (guint i = 0; i < READ_LAST; i++)
			self->kinds[self->n_kinds++] = (ReadKind)i;
		return TRUE;
	}
	keys = g_strsplit(list, ",", -1);
	for (guint k = 0; keys[k] != NULL; k++) {
		guint i;
		for (i = 0; i < READ_LAST && g_strcmp0(keys[k], read_names[i].key) != 0; i++)
			;
		if (i == READ_LAST || self->n_kinds == READ_LAST) {
			g_set_error(error,
				    G_OPTION_ERROR,
				    G_OPTION_ERROR_BAD_VALUE,
				    "--reads: not one of getall-manager, getall-slot, "
				    "managed-objects, notices, history, events, clock: %s",
				    keys[k]);
			return FALSE;
		}
		self->kinds[self->n_kinds++] = (ReadKind)i;
	}
	if (self->n_kinds == 0) {
		g_set_error_literal(
		    error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE, "--reads: empty");
		return FALSE;
	}
	return TRUE;
}

static gboolean
bench_setup(Bench *self, GError **error)
{
	self->address = g_dbus_address_get_for_bus_sync(G_BUS_TYPE_SYSTEM, NULL, error);
	if (self->address == NULL)
		return FALSE;
	self->control = bench_connect(self, error);
	if (self->control == NULL)
		return FALSE;
	self->daemon_pid = bus_name_pid(self->control, IMSS_BUS_NAME, error);
	if (self->daemon_pid == 0)
		return FALSE;
	self->bus_pid = bus_name_pid(self->control, "org.freedesktop.DBus", NULL);
	for (guint i = 0; i < IMSS_SLOT_LAST; i++)
		self->slot_paths[i] = imss_slot_object_path((ImssSlotId)i);
	for (guint i = 0; i < READ_LAST; i++)
		series_init(&self->reads[i], read_names[i].label);

	self->probe.bench = self;
	self->probe.context = g_main_context_new();
	self->probe.loop = g_main_loop_new(self->probe.context, FALSE);
	self->probe.ping.probe = &self->probe;
	series_init(&self->probe.ping.series, "Peer.Ping");
	self->probe.ping.connection = bench_connect(self, error);
	if (self->probe.ping.connection == NULL)
		return FALSE;
	self->probe.get.probe = &self->probe;
	self->probe.get.main_loop = TRUE;
	series_init(&self->probe.get.series, "GetClock (probe)");
	self->probe.get.connection = bench_connect(self, error);
	if (self->probe.get.connection == NULL)
		return FALSE;

	self->clients = g_new0(Client, self->n_clients);
	for (guint i = 0; i < self->n_clients; i++) {
		self->clients[i].bench = self;
		self->clients[i].index = i;
		self->clients[i].connection = bench_connect(self, error);
		if (self->clients[i].connection == NULL)
			return FALSE;
	}
	return TRUE;
}

static void
bench_run(Bench *self)
{
	gint64 interval_us = (gint64)self->interval_ms * G_TIME_SPAN_MILLISECOND;

	self->loop = g_main_loop_new(NULL, FALSE);
	proc_sample(self->daemon_pid, &self->daemon_before);
	proc_sample(self->bus_pid, &self->bus_before);
	self->self_cpu_before = self_cpu_seconds();
	self->loadavg_before = loadavg();

	self->start = g_get_monotonic_time();
	self->sending = TRUE;
	/* the clients' calls spread evenly over the interval */
	for (guint i = 0; i < self->n_clients; i++) {
		self->clients[i].next_due = self->start + interval_us * i / self->n_clients;
		g_source_unref(schedule_at(
		    NULL, self->clients[i].next_due, client_tick_cb, &self->clients[i]));
	}
	self->probe.thread = g_thread_new("probe", probe_thread, &self->probe);
	if (self->activate_slot != NULL)
		oneoff_schedule(self,
				&self->activate,
				self->seconds * 1000 / 3,
				IMSS_BUS_MANAGER_IFACE,
				"Activate",
				g_variant_new("(ss)", self->activate_slot, self->activate_code),
				"(o)");
	if (self->advance_days > 0)
		oneoff_schedule(self,
				&self->advance,
				self->seconds * 2000 / 3,
				IMSS_BUS_VIRTUAL_CLOCK_IFACE,
				"Advance",
				g_variant_new("(x)", (gint64)self->advance_days * 86400),
				"(u)");
	self->rss_kib = g_array_new(FALSE, FALSE, sizeof(gint64));
	self->rss_timer = g_timeout_add_seconds(1, bench_rss_cb, self);
	g_timeout_add(self->seconds * 1000, bench_stop_cb, self);
	g_main_loop_run(self->loop);
	g_clear_handle_id(&self->drain_timeout, g_source_remove);

	g_thread_join(self->probe.thread);
	self->self_cpu_after = self_cpu_seconds();
	self->loadavg_after = loadavg();
	proc_sample(self->bus_pid, &self->bus_after);

	/* the clients leave before the daemon's figures are read */
	for (guint i = 0; i < self->n_clients; i++)
		g_dbus_connection_close_sync(self->clients[i].connection, NULL, NULL);
	g_usleep(G_USEC_PER_SEC / 2);
	proc_sample(self->daemon_pid, &self->daemon_after);
}

static void
oneoff_clear(OneOff *o)
{
	g_clear_pointer(&o->params, g_variant_unref);
	g_clear_pointer(&o->result, g_free);
	g_clear_pointer(&o->error, g_free);
}

static void
bench_free(Bench *self)
{
	for (guint i = 0; self->clients != NULL && i < self->n_clients; i++)
		g_clear_object(&self->clients[i].connection);
	g_free(self->clients);
	for (guint i = 0; i < READ_LAST; i++)
		series_clear(&self->reads[i]);
	for (guint i = 0; i < IMSS_SLOT_LAST; i++)
		g_free(self->slot_paths[i]);
	series_clear(&self->all);
	series_clear(&self->all_outside);
	series_clear(&self->get_outside);
	g_clear_pointer(&self->stalls, g_array_unref);
	series_clear(&self->probe.ping.series);
	series_clear(&self->probe.get.series);
	g_clear_object(&self->probe.ping.connection);
	g_clear_object(&self->probe.get.connection);
	g_clear_pointer(&self->probe.loop, g_main_loop_unref);
	g_clear_pointer(&self->probe.context, g_main_context_unref);
	g_clear_pointer(&self->loop, g_main_loop_unref);
	g_clear_pointer(&self->rss_kib, g_array_unref);
	g_clear_object(&self->control);
	g_free(self->address);
	g_free(self->activate_slot);
	if (self->activate_code != NULL)
		memset(self->activate_code, 0, strlen(self->activate_code));
	g_free(self->activate_code);
	oneoff_clear(&self->activate);
	oneoff_clear(&self->advance);
}

int
main(int argc, char **argv)
{
	Bench self = {
	    .n_clients = 100,
	    .interval_ms = 100,
	    .seconds = 30,
	    .probe_interval_ms = 10,
	    .advance_days = 400,
	};
	gint clients = 100;
	gint interval_ms = 100;
	gint seconds = 30;
	gint probe_interval_ms = 10;
	gint advance_days = 400;
	g_autofree gchar *reads = NULL;
	g_autoptr(GError) error = NULL;
	g_autoptr(GOptionContext) context = NULL;
	guint errors;
	const GOptionEntry entries[] = {
	    {"clients", 0, 0, G_OPTION_ARG_INT, &clients, "Concurrent clients (100)", "N"},
	    {"interval-ms",
	     0,
	     0,
	     G_OPTION_ARG_INT,
	     &interval_ms,
	     "Each client calls every N ms (100)",
	     "N"},
	    {"seconds", 0, 0, G_OPTION_ARG_INT, &seconds, "Length of the run (30)", "N"},
	    {"probe-interval-ms",
	     0,
	     0,
	     G_OPTION_ARG_INT,
	     &probe_interval_ms,
	     "Ping and main-loop probe every N ms (10)",
	     "N"},
	    {"activate",
	     0,
	     0,
	     G_OPTION_ARG_STRING,
	     &self.activate_slot,
	     "Activate SLOT a third into the run with the code read from standard input",
	     "SLOT"},
	    {"advance-days",
	     0,
	     0,
	     G_OPTION_ARG_INT,
	     &advance_days,
	     "VirtualClock.Advance by N days two thirds into the run (400; 0: none)",
	     "N"},
	    {"reads",
	     0,
	     0,
	     G_OPTION_ARG_STRING,
	     &reads,
	     "The reads to rotate through: getall-manager, getall-slot, managed-objects, notices, "
	     "history, events, clock (all)",
	     "KEY,..."},
	    {"json", 0, 0, G_OPTION_ARG_NONE, &self.json, "Print JSON", NULL},
	    {NULL},
	};

	context = g_option_context_new("- load imss-licensed through the system bus");
	g_option_context_add_main_entries(context, entries, NULL);
	if (!g_option_context_parse(context, &argc, &argv, &error)) {
		g_printerr("bench-load: %s\n", error->message);
		return 2;
	}
	if (clients < 1 || clients > 10000 || interval_ms < 1 || seconds < 1 ||
	    seconds > 24 * 3600 || probe_interval_ms < 1 || advance_days < 0 ||
	    advance_days > 20 * 365) {
		g_printerr("bench-load: an option is out of range\n");
		return 2;
	}
	self.n_clients = (guint)clients;
	self.interval_ms = (guint)interval_ms;
	self.seconds = (guint)seconds;
	self.probe_interval_ms = (guint)probe_interval_ms;
	self.advance_days = (guint)advance_days;

	if (!bench_parse_reads(&self, reads, &error)) {
		g_printerr("bench-load: %s\n", error->message);
		bench_free(&self);
		return 2;
	}
	if ((self.activate_slot != NULL && !bench_read_code(&self, &error)) ||
	    !bench_setup(&self, &error)) {
		g_printerr("bench-load: %s\n", error->message);
		bench_free(&self);
		return 1;
	}
	bench_run(&self);

	bench_summarise(&self);
	if (self.json)
		bench_print_json(&self);
	else
		bench_print_text(&self);
	errors = bench_errors(&self);
	bench_free(&self);
	return errors == 0 ? 0 : 1;
}
