/*
 * The load benchmark's figures: latency statistics, and the report as text
 * or JSON.
 */
#include "config.h"

#include <json-glib/json-glib.h>

#include "bench-load.h"

/* -- series ---------------------------------------------------------------- */

void
series_init(Series *s, const gchar *label)
{
	s->label = label;
	s->latencies = g_array_new(FALSE, FALSE, sizeof(gint64));
	s->sent_at = g_array_new(FALSE, FALSE, sizeof(gint64));
	s->messages = g_ptr_array_new_with_free_func(g_free);
}

void
series_clear(Series *s)
{
	g_clear_pointer(&s->latencies, g_array_unref);
	g_clear_pointer(&s->sent_at, g_array_unref);
	g_clear_pointer(&s->messages, g_ptr_array_unref);
}

void
series_add(Series *s, gint64 sent_at, gint64 answered_at, const GError *error)
{
	if (error == NULL) {
		gint64 latency_us = answered_at - sent_at;
		g_array_append_val(s->latencies, latency_us);
		g_array_append_val(s->sent_at, sent_at);
		return;
	}
	s->errors++;
	if (s->messages->len < BENCH_ERRORS_KEPT &&
	    !g_ptr_array_find_with_equal_func(s->messages, error->message, g_str_equal, NULL))
		g_ptr_array_add(s->messages, g_strdup(error->message));
}

static gint
compare_gint64(gconstpointer a, gconstpointer b)
{
	gint64 x = *(const gint64 *)a;
	gint64 y = *(const gint64 *)b;
	return x < y ? -1 : x > y ? 1 : 0;
}

/* nearest-rank percentile of a sorted array, in µs (0 when empty) */
static gint64
series_percentile(const Series *s, gdouble q)
{
	guint n = s->latencies->len;
	guint rank;
	if (n == 0)
		return 0;
	rank = (guint)(q * n + 0.999999);
	rank = CLAMP(rank, 1, n);
	return g_array_index(s->latencies, gint64, rank - 1);
}

static guint
series_slow(const Series *s)
{
	guint slow = 0;
	for (guint i = 0; i < s->latencies->len; i++) {
		if (g_array_index(s->latencies, gint64, i) > BENCH_SLOW_US)
			slow++;
	}
	return slow;
}

/* the percentiles need the latencies sorted; their send times no longer
 * match them afterwards */
static void
series_sort(Series *s)
{
	g_array_sort(s->latencies, compare_gint64);
	g_array_set_size(s->sent_at, 0);
}

static void
series_append(Series *dst, const Series *src)
{
	g_array_append_vals(dst->latencies, src->latencies->data, src->latencies->len);
	g_array_append_vals(dst->sent_at, src->sent_at->data, src->sent_at->len);
	dst->errors += src->errors;
}

static gboolean
oneoff_overlaps(const OneOff *o, gint64 from, gint64 to)
{
	if (!o->requested || o->sent_at == 0)
		return FALSE;
	return from <= o->sent_at + o->duration_us && o->sent_at <= to;
}

/* the answered calls of @src in flight at no time while Activate or Advance was */
static void
series_append_outside(Series *dst, const Series *src, const OneOff *a, const OneOff *b)
{
	for (guint i = 0; i < src->latencies->len; i++) {
		gint64 latency = g_array_index(src->latencies, gint64, i);
		gint64 sent_at = g_array_index(src->sent_at, gint64, i);
		if (oneoff_overlaps(a, sent_at, sent_at + latency) ||
		    oneoff_overlaps(b, sent_at, sent_at + latency))
			continue;
		g_array_append_val(dst->latencies, latency);
		g_array_append_val(dst->sent_at, sent_at);
	}
}

static gint
compare_stall_longest_first(gconstpointer a, gconstpointer b)
{
	gint64 x = ((const Stall *)a)->latency_us;
	gint64 y = ((const Stall *)b)->latency_us;
	return x < y ? 1 : x > y ? -1 : 0;
}

/* the longest probes of @s and when they were sent */
static GArray *
series_longest(const Series *s, gint64 start)
{
	GArray *stalls = g_array_new(FALSE, FALSE, sizeof(Stall));
	for (guint i = 0; i < s->latencies->len; i++) {
		Stall stall = {g_array_index(s->sent_at, gint64, i) - start,
			       g_array_index(s->latencies, gint64, i)};
		g_array_append_val(stalls, stall);
	}
	g_array_sort(stalls, compare_stall_longest_first);
	if (stalls->len > BENCH_STALLS_KEPT)
		g_array_set_size(stalls, BENCH_STALLS_KEPT);
	return stalls;
}

void
bench_summarise(Bench *self)
{
	series_init(&self->all, "all reads");
	series_init(&self->all_outside, "reads, no Activate/Advance");
	series_init(&self->get_outside, "probe, no Activate/Advance");
	for (guint i = 0; i < READ_LAST; i++) {
		series_append(&self->all, &self->reads[i]);
		series_append_outside(
		    &self->all_outside, &self->reads[i], &self->activate, &self->advance);
		series_sort(&self->reads[i]);
	}
	series_append_outside(
	    &self->get_outside, &self->probe.get.series, &self->activate, &self->advance);
	self->stalls = series_longest(&self->probe.get.series, self->start);
	series_sort(&self->all);
	series_sort(&self->all_outside);
	series_sort(&self->get_outside);
	series_sort(&self->probe.ping.series);
	series_sort(&self->probe.get.series);
}

/* -- reporting ------------------------------------------------------------- */

static guint64
bench_answered(const Bench *self)
{
	guint64 n = 0;
	for (guint i = 0; i < READ_LAST; i++)
		n += self->reads[i].latencies->len + self->reads[i].errors;
	return n;
}

guint
bench_errors(const Bench *self)
{
	guint64 unanswered = self->sent - bench_answered(self);
	guint errors =
	    (guint)unanswered + self->probe.ping.series.errors + self->probe.get.series.errors;
	for (guint i = 0; i < READ_LAST; i++)
		errors += self->reads[i].errors;
	if (self->activate.requested && (!self->activate.done || self->activate.error != NULL))
		errors++;
	if (self->advance.requested && (!self->advance.done || self->advance.error != NULL))
		errors++;
	return errors;
}

static gdouble
ms(gint64 us)
{
	return (gdouble)us / 1000.0;
}

static gdouble
bench_window_s(const Bench *self)
{
	return (gdouble)(self->stop - self->start) / G_TIME_SPAN_SECOND;
}

static void
print_series(const Series *s, const gchar *note)
{
	g_print("  %-26s %7u %8.3f %8.3f %9.3f %6u %6u%s\n",
		s->label,
		s->latencies->len,
		ms(series_percentile(s, 0.50)),
		ms(series_percentile(s, 0.99)),
		ms(series_percentile(s, 1.0)),
		series_slow(s),
		s->errors,
		note);
	for (guint i = 0; i < s->messages->len; i++)
		g_print("      error: %s\n", (const gchar *)g_ptr_array_index(s->messages, i));
}

static void
print_oneoff(const gchar *what, const OneOff *o, gint64 start)
{
	if (!o->requested)
		return;
	if (!o->done) {
		g_print("%s: no answer\n", what);
		return;
	}
	g_print("%s at %.1f s: %.1f ms, %s%s\n",
		what,
		(gdouble)(o->sent_at - start) / G_TIME_SPAN_SECOND,
		ms(o->duration_us),
		o->error != NULL ? "error: " : "",
		o->error != NULL ? o->error : o->result);
}

static void
print_proc_row(const gchar *what, gint64 before, gint64 after, gboolean ok)
{
	if (!ok)
		return;
	g_print("  %-18s %10" G_GINT64_FORMAT " %10" G_GINT64_FORMAT " %+10" G_GINT64_FORMAT "\n",
		what,
		before,
		after,
		after - before);
}

void
bench_print_text(const Bench *self)
{
	gdouble window = bench_window_s(self);
	gboolean ok = self->daemon_before.ok && self->daemon_after.ok;
	guint64 answered = bench_answered(self);
	g_autofree gchar *activate_label = NULL;
	g_autofree gchar *advance_label = NULL;
	g_autofree gchar *ping_note = NULL;
	g_autofree gchar *get_note = NULL;

	g_print("imss-licensed under load: %u clients, one read every %u ms each, %u s "
		"(daemon pid %u)\n",
		self->n_clients,
		self->interval_ms,
		self->seconds,
		self->daemon_pid);
	g_print("calls sent %" G_GUINT64_FORMAT " (%.1f/s), answered %" G_GUINT64_FORMAT
		" (%.1f/s over the sending window), errors %u, at most %u in flight\n\n",
		self->sent,
		self->sent / window,
		answered,
		answered / window,
		bench_errors(self),
		self->max_in_flight);
	g_print("  %-26s %7s %8s %8s %9s %6s %6s\n",
		"latency (ms)",
		"calls",
		"p50",
		"p99",
		"max",
		">10ms",
		"errors");
	for (guint i = 0; i < self->n_kinds; i++)
		print_series(&self->reads[self->kinds[i]], "");
	print_series(&self->all, "");
	print_series(&self->all_outside, "");
	ping_note =
	    g_strdup_printf("  GDBus worker thread; %u ticks skipped", self->probe.ping.skipped);
	get_note = g_strdup_printf("  main loop; %u ticks skipped", self->probe.get.skipped);
	print_series(&self->probe.ping.series, ping_note);
	print_series(&self->probe.get.series, get_note);
	print_series(&self->get_outside, "");
	g_print("\n");
	activate_label = g_strdup_printf("Activate(%s)", self->activate_slot);
	advance_label = g_strdup_printf("Advance(%u days)", self->advance_days);
	print_oneoff(activate_label, &self->activate, self->start);
	print_oneoff(advance_label, &self->advance, self->start);
	g_print("longest main-loop probes (ms, sent at s into the run):");
	for (guint i = 0; i < self->stalls->len; i++) {
		const Stall *stall = &g_array_index(self->stalls, Stall, i);
		g_print("%s %.1f at %.2f",
			i > 0 ? "," : "",
			ms(stall->latency_us),
			(gdouble)stall->at_us / G_TIME_SPAN_SECOND);
	}
	g_print("\n\n");
	g_print("  %-18s %10s %10s %10s\n", "daemon", "before", "after", "change");
	print_proc_row("VmRSS (KiB)", self->daemon_before.rss_kib, self->daemon_after.rss_kib, ok);
	print_proc_row("VmHWM (KiB)", self->daemon_before.hwm_kib, self->daemon_after.hwm_kib, ok);
	print_proc_row("open fds", self->daemon_before.fds, self->daemon_after.fds, ok);
	print_proc_row("threads", self->daemon_before.threads, self->daemon_after.threads, ok);
	if (self->rss_kib->len > 0) {
		g_print("VmRSS during the run (KiB, every 5 s):");
		for (guint i = 0; i < self->rss_kib->len; i += 5)
			g_print(" %" G_GINT64_FORMAT, g_array_index(self->rss_kib, gint64, i));
		g_print("\n");
	}
	if (ok)
		g_print("CPU time during the run: daemon %.2f s (%.0f%% of one core)",
			self->daemon_after.cpu_s - self->daemon_before.cpu_s,
			100.0 * (self->daemon_after.cpu_s - self->daemon_before.cpu_s) / window);
	if (self->bus_before.ok && self->bus_after.ok)
		g_print(", bus %.2f s", self->bus_after.cpu_s - self->bus_before.cpu_s);
	g_print(", this program %.2f s\n", self->self_cpu_after - self->self_cpu_before);
	g_print("machine: %u CPUs, load average %.2f at the start, %.2f at the end\n",
		g_get_num_processors(),
		self->loadavg_before,
		self->loadavg_after);
}

static void
json_set_int(JsonBuilder *b, const gchar *name, gint64 value)
{
	json_builder_set_member_name(b, name);
	json_builder_add_int_value(b, value);
}

static void
json_set_double(JsonBuilder *b, const gchar *name, gdouble value)
{
	json_builder_set_member_name(b, name);
	json_builder_add_double_value(b, value);
}

static void
json_add_series(JsonBuilder *b, const Series *s)
{
	json_builder_begin_object(b);
	json_builder_set_member_name(b, "name");
	json_builder_add_string_value(b, s->label);
	json_set_int(b, "calls", s->latencies->len);
	json_set_int(b, "errors", s->errors);
	json_set_double(b, "p50_ms", ms(series_percentile(s, 0.50)));
	json_set_double(b, "p99_ms", ms(series_percentile(s, 0.99)));
	json_set_double(b, "max_ms", ms(series_percentile(s, 1.0)));
	json_set_int(b, "over_10ms", series_slow(s));
	json_builder_set_member_name(b, "error_messages");
	json_builder_begin_array(b);
	for (guint i = 0; i < s->messages->len; i++)
		json_builder_add_string_value(b, g_ptr_array_index(s->messages, i));
	json_builder_end_array(b);
	json_builder_end_object(b);
}

static void
json_add_oneoff(JsonBuilder *b, const gchar *name, const OneOff *o, gint64 start)
{
	json_builder_set_member_name(b, name);
	if (!o->requested) {
		json_builder_add_null_value(b);
		return;
	}
	json_builder_begin_object(b);
	json_builder_set_member_name(b, "answered");
	json_builder_add_boolean_value(b, o->done);
	json_set_double(b, "at_s", (gdouble)(o->sent_at - start) / G_TIME_SPAN_SECOND);
	json_set_double(b, "duration_ms", ms(o->duration_us));
	json_builder_set_member_name(b, "result");
	if (o->result != NULL)
		json_builder_add_string_value(b, o->result);
	else
		json_builder_add_null_value(b);
	json_builder_set_member_name(b, "error");
	if (o->error != NULL)
		json_builder_add_string_value(b, o->error);
	else
		json_builder_add_null_value(b);
	json_builder_end_object(b);
}

static void
json_add_proc(JsonBuilder *b, const gchar *name, const ProcSample *s)
{
	json_builder_set_member_name(b, name);
	if (!s->ok) {
		json_builder_add_null_value(b);
		return;
	}
	json_builder_begin_object(b);
	json_set_int(b, "vm_rss_kib", s->rss_kib);
	json_set_int(b, "vm_hwm_kib", s->hwm_kib);
	json_set_int(b, "fds", s->fds);
	json_set_int(b, "threads", s->threads);
	json_set_double(b, "cpu_s", s->cpu_s);
	json_builder_end_object(b);
}

void
bench_print_json(const Bench *self)
{
	g_autoptr(JsonBuilder) b = json_builder_new();
	g_autoptr(JsonGenerator) gen = json_generator_new();
	g_autoptr(JsonNode) root = NULL;
	g_autofree gchar *text = NULL;
	gdouble window = bench_window_s(self);

	json_builder_begin_object(b);
	json_set_int(b, "clients", self->n_clients);
	json_set_int(b, "interval_ms", self->interval_ms);
	json_set_int(b, "seconds", self->seconds);
	json_set_int(b, "daemon_pid", self->daemon_pid);
	json_set_int(b, "calls_sent", (gint64)self->sent);
	json_set_int(b, "calls_answered", (gint64)bench_answered(self));
	json_set_double(b, "calls_per_s", bench_answered(self) / window);
	json_set_int(b, "errors", bench_errors(self));
	json_set_int(b, "max_in_flight", self->max_in_flight);
	json_builder_set_member_name(b, "reads");
	json_builder_begin_array(b);
	for (guint i = 0; i < self->n_kinds; i++)
		json_add_series(b, &self->reads[self->kinds[i]]);
	json_builder_end_array(b);
	json_builder_set_member_name(b, "all_reads");
	json_add_series(b, &self->all);
	json_builder_set_member_name(b, "all_reads_outside_activate_advance");
	json_add_series(b, &self->all_outside);
	json_builder_set_member_name(b, "ping");
	json_add_series(b, &self->probe.ping.series);
	json_set_int(b, "ping_ticks_skipped", self->probe.ping.skipped);
	json_builder_set_member_name(b, "main_loop_probe");
	json_add_series(b, &self->probe.get.series);
	json_set_int(b, "main_loop_probe_ticks_skipped", self->probe.get.skipped);
	json_builder_set_member_name(b, "main_loop_probe_outside_activate_advance");
	json_add_series(b, &self->get_outside);
	json_builder_set_member_name(b, "main_loop_probe_longest");
	json_builder_begin_array(b);
	for (guint i = 0; i < self->stalls->len; i++) {
		const Stall *stall = &g_array_index(self->stalls, Stall, i);
		json_builder_begin_object(b);
		json_set_double(b, "at_s", (gdouble)stall->at_us / G_TIME_SPAN_SECOND);
		json_set_double(b, "ms", ms(stall->latency_us));
		json_builder_end_object(b);
	}
	json_builder_end_array(b);
	json_add_oneoff(b, "activate", &self->activate, self->start);
	json_add_oneoff(b, "advance", &self->advance, self->start);
	json_add_proc(b, "daemon_before", &self->daemon_before);
	json_add_proc(b, "daemon_after", &self->daemon_after);
	json_builder_set_member_name(b, "daemon_vm_rss_kib_per_s");
	json_builder_begin_array(b);
	for (guint i = 0; i < self->rss_kib->len; i++)
		json_builder_add_int_value(b, g_array_index(self->rss_kib, gint64, i));
	json_builder_end_array(b);
	json_set_double(b, "daemon_cpu_s", self->daemon_after.cpu_s - self->daemon_before.cpu_s);
	json_builder_set_member_name(b, "bus_cpu_s");
	if (self->bus_before.ok && self->bus_after.ok)
		json_builder_add_double_value(b, self->bus_after.cpu_s - self->bus_before.cpu_s);
	else
		json_builder_add_null_value(b);
	json_set_double(b, "self_cpu_s", self->self_cpu_after - self->self_cpu_before);
	json_set_int(b, "cpus", g_get_num_processors());
	json_set_double(b, "loadavg_before", self->loadavg_before);
	json_set_double(b, "loadavg_after", self->loadavg_after);
	json_builder_end_object(b);

	root = json_builder_get_root(b);
	json_generator_set_root(gen, root);
	json_generator_set_pretty(gen, TRUE);
	text = json_generator_to_data(gen, NULL);
	g_print("%s\n", text);
}
