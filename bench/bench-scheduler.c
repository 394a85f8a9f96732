/*
 * Benchmarks of the license calendar (printed figures, not tests):
 *  1. ten virtual years of all six slots' schedules through the virtual
 *     clock — the same alarm path as production — with the real store;
 *  2. the SQLite floor of the worst case: the rows the never-renewed run
 *     wrote, written again with SQLite's own API (prepared statements, no
 *     libgda, no calendar), on the same schema, WAL and synchronous=FULL —
 *     what the writes alone cost — twice: each evaluation committed (a real
 *     gateway's days) and 32 evaluations per commit (the Advance's held
 *     commits);
 *  3. the cost of computing the next event as the number of licenses grows.
 *
 *   bench-scheduler [STATE_DIR]   (default: a directory in /dev/shm)
 */
#include "config.h"

#include <glib/gstdio.h>
#include <sqlite3.h>
#include <stdio.h>
#include <time.h>
#include <unistd.h>

#include "imss-date.h"
#include "imss-license-manager.h"
#include "imss-slot.h"

static gchar *
make_code(ImssSlotId slot, const gchar *expiry, guint64 serial)
{
	ImssCodeInfo info = {0};
	info.prefix = imss_slot_default_prefix(slot);
	info.edition = IMSS_EDITION_IMSVA;
	info.slot_mask = 1u << slot;
	if (slot == IMSS_SLOT_ANTISPAM)
		info.slot_mask |= 1u << IMSS_SLOT_EMAIL_REPUTATION;
	imss_date_parse(expiry, &info.expiry);
	info.serial = serial;
	return imss_code_encode(&info, NULL);
}

/* user + system time of this process so far */
static gdouble
bench_cpu_seconds(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
	return (gdouble)ts.tv_sec + (gdouble)ts.tv_nsec / 1e9;
}

/* the store's file and SQLite's files beside it */
static void
bench_remove_store(const gchar *db)
{
	const gchar *const suffixes[] = {"", "-wal", "-shm", "-journal"};
	for (guint i = 0; i < G_N_ELEMENTS(suffixes); i++) {
		g_autofree gchar *path = g_strconcat(db, suffixes[i], NULL);
		g_unlink(path);
	}
}

static void bench_sqlite_floor(const gchar *dir, const gchar *db, guint group);

static void
bench_virtual_years(const gchar *dir, gboolean current)
{
	g_autoptr(GError) error = NULL;
	g_autofree gchar *cnc = g_strdup_printf("DB_DIR=%s;DB_NAME=bench", dir);
	g_autofree gchar *db = g_build_filename(dir, "bench.db", NULL);
	g_autoptr(ImssConfig) config = imss_config_new();
	g_autoptr(ImssStore) store = NULL;
	g_autoptr(ImssClock) clock = NULL;
	g_autoptr(ImssLicenseManager) manager = NULL;
	g_autoptr(GTimer) timer = g_timer_new();
	const gchar *lapsing[] = {"2021-03-31", "2021-01-31", "2020-12-31", NULL, "2021-02-28", "2021-06-30"};
	/* kept current: the expiry always lies ahead (a monthly check cadence) */
	const gchar *kept[] = {"2031-03-31", "2031-01-31", "2030-12-31", NULL, "2031-02-28", "2031-06-30"};
	const gchar *const *expiries = current ? kept : lapsing;
	guint fired;
	gdouble secs;
	gdouble cpu;

	bench_remove_store(db);
	imss_config_load_data(config, "[license]\nedition=imsva\nenvironment=standalone\n", "bench", NULL);
	store = imss_store_new("SQLite", cnc, NULL);
	/* the daemon's retention (imss-main.c): ten years write twice as many entries */
	imss_store_set_history_max(store, imss_config_get_history_max_entries(config));
	if (!imss_store_open(store, &error)) {
		g_printerr("store: %s\n", error->message);
		return;
	}
	clock = imss_clock_new_virtual(1577836800); /* 2020-01-01 */
	{
		/* the collaborators imss-main.c builds */
		g_autoptr(ImssLicenseServer) server = imss_license_server_new(config);
		g_autoptr(ImssSystemd) systemd = imss_systemd_new();
		g_autoptr(ImssMailer) mailer = imss_mailer_new(config);
		manager = imss_license_manager_new(config, store, clock, server, systemd, mailer);
	}
	imss_license_manager_load(manager, NULL);
	imss_license_manager_start(manager, NULL);
	for (guint s = 0; s < IMSS_SLOT_LAST; s++) {
		g_autofree gchar *code = NULL;
		if (expiries[s] == NULL)
			continue; /* email-reputation comes with antispam */
		code = make_code((ImssSlotId)s, expiries[s], 500 + s);
		if (imss_license_manager_activate(manager, imss_slot_to_string((ImssSlotId)s), code, "bench", NULL, &error) == NULL) {
			g_printerr("activate: %s\n", error->message);
			return;
		}
	}
	g_timer_start(timer);
	cpu = bench_cpu_seconds();
	/* the path of the D-Bus method Advance */
	fired = imss_license_manager_advance(manager, (gint64)3653 * 86400);
	secs = g_timer_elapsed(timer, NULL);
	cpu = bench_cpu_seconds() - cpu;
	/* the CPU time too: on a busy machine the wall time also counts the
	 * other programs' turns */
	g_print("ten virtual years, 6 slots %s: %u alarms, %.3f s (%.1f µs per alarm; CPU %.3f s), store in %s\n",
		current ? "kept current (30-day checks)" : "never renewed (daily checks after G)",
		fired, secs, secs * 1e6 / MAX(fired, 1), cpu, dir);
	/* closed first: SQLite folds its log into the file and removes it */
	g_clear_object(&manager);
	g_clear_object(&store);
	if (!current) {
		/* each evaluation committed (a real gateway's days), and 32 in
		 * a commit (the daemon's Advance: imss_store_hold_commits()) */
		bench_sqlite_floor(dir, db, 1);
		bench_sqlite_floor(dir, db, 32);
	}
	bench_remove_store(db);
}

#define BENCH_SQL(call)                                                                            \
	do {                                                                                       \
		int rc_ = (call);                                                                  \
		if (rc_ != SQLITE_OK && rc_ != SQLITE_ROW && rc_ != SQLITE_DONE) {                 \
			g_printerr("sqlite floor: %s: %s\n", #call, sqlite3_errstr(rc_));          \
			goto out;                                                                  \
		}                                                                                  \
	} while (0)

/* binds column @c of @from to parameter @c + 1 of @to */
static void
bench_copy_column(sqlite3_stmt *to, sqlite3_stmt *from, int c)
{
	if (sqlite3_column_type(from, c) == SQLITE_INTEGER)
		sqlite3_bind_int64(to, c + 1, sqlite3_column_int64(from, c));
	else
		sqlite3_bind_text(
		    to, c + 1, (const char *)sqlite3_column_text(from, c), -1, SQLITE_TRANSIENT);
}

/* The writes of the never-renewed run (@db, closed), replayed into a
 * fresh file of the same schema: one transaction per evaluation (the claims
 * and history rows of one instant, then the node's row), each committed
 * durably, as the store does. Rows are read out first; only the writes are
 * timed. */
static void
bench_sqlite_floor(const gchar *dir, const gchar *db, guint group)
{
	g_autofree gchar *path = g_build_filename(dir, "floor.db", NULL);
	sqlite3 *src = NULL;
	sqlite3 *dst = NULL;
	sqlite3_stmt *schema = NULL, *runs = NULL, *hist = NULL;
	sqlite3_stmt *begin = NULL, *commit = NULL, *ins_run = NULL, *ins_hist = NULL, *node = NULL;
	guint transactions = 0, evaluations = 0, n_runs = 0, n_hist = 0;
	gdouble cpu = 0;
	int rr, rh;

	bench_remove_store(path);
	BENCH_SQL(sqlite3_open_v2(db, &src, SQLITE_OPEN_READONLY, NULL));
	BENCH_SQL(sqlite3_open(path, &dst));
	BENCH_SQL(sqlite3_exec(
	    dst, "PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL", NULL, NULL, NULL));
	BENCH_SQL(
	    sqlite3_prepare_v2(src,
	                       "SELECT sql FROM sqlite_master WHERE type IN ('table', 'index') "
	                       "AND sql IS NOT NULL AND name NOT LIKE 'sqlite_%'",
	                       -1,
	                       &schema,
	                       NULL));
	while (sqlite3_step(schema) == SQLITE_ROW)
		BENCH_SQL(sqlite3_exec(
		    dst, (const char *)sqlite3_column_text(schema, 0), NULL, NULL, NULL));
	BENCH_SQL(
	    sqlite3_exec(dst,
	                 "INSERT INTO nodes (name, started_at, last_seen, clock_skew, last_job, "
	                 "last_job_at) VALUES ('bench', 0, 0, 0, '', 0)",
	                 NULL,
	                 NULL,
	                 NULL));
	BENCH_SQL(
	    sqlite3_prepare_v2(src,
	                       "SELECT job, slot, day, at, done, owner, lease_until FROM job_runs "
	                       "ORDER BY at",
	                       -1,
	                       &runs,
	                       NULL));
	BENCH_SQL(sqlite3_prepare_v2(src,
	                             "SELECT at, action, slot, code, caller, outcome, detail, node "
	                             "FROM history ORDER BY id",
	                             -1,
	                             &hist,
	                             NULL));
	BENCH_SQL(sqlite3_prepare_v2(dst, "BEGIN IMMEDIATE", -1, &begin, NULL));
	BENCH_SQL(sqlite3_prepare_v2(dst, "COMMIT", -1, &commit, NULL));
	BENCH_SQL(sqlite3_prepare_v2(
	    dst,
	    "INSERT INTO job_runs (job, slot, day, at, done, owner, lease_until) "
	    "VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING",
	    -1,
	    &ins_run,
	    NULL));
	BENCH_SQL(
	    sqlite3_prepare_v2(dst,
	                       "INSERT INTO history (at, action, slot, code, caller, outcome, "
	                       "detail, node) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
	                       -1,
	                       &ins_hist,
	                       NULL));
	BENCH_SQL(sqlite3_prepare_v2(
	    dst,
	    "UPDATE nodes SET last_job = ?, last_job_at = ? WHERE name = 'bench'",
	    -1,
	    &node,
	    NULL));
	/* the evaluations' instants: the claims' "at" (their history rows
	 * share it); history rows of other instants (activations) go alone */
	rr = sqlite3_step(runs);
	rh = sqlite3_step(hist);
	while (rr == SQLITE_ROW || rh == SQLITE_ROW) {
		gint64 at = rr == SQLITE_ROW ? sqlite3_column_int64(runs, 3) : G_MAXINT64;
		gdouble t;
		if (rh == SQLITE_ROW)
			at = MIN(at, sqlite3_column_int64(hist, 0));
		t = bench_cpu_seconds();
		if (evaluations % group == 0) {
			BENCH_SQL(sqlite3_step(begin));
			sqlite3_reset(begin);
		}
		for (; rr == SQLITE_ROW && sqlite3_column_int64(runs, 3) == at;
		     rr = sqlite3_step(runs), n_runs++) {
			for (int c = 0; c < 7; c++)
				bench_copy_column(ins_run, runs, c);
			BENCH_SQL(sqlite3_step(ins_run));
			sqlite3_reset(ins_run);
		}
		for (; rh == SQLITE_ROW && sqlite3_column_int64(hist, 0) == at;
		     rh = sqlite3_step(hist), n_hist++) {
			for (int c = 0; c < 8; c++)
				bench_copy_column(ins_hist, hist, c);
			BENCH_SQL(sqlite3_step(ins_hist));
			sqlite3_reset(ins_hist);
		}
		sqlite3_bind_text(node, 1, "check", -1, SQLITE_STATIC);
		sqlite3_bind_int64(node, 2, at);
		BENCH_SQL(sqlite3_step(node));
		sqlite3_reset(node);
		if (++evaluations % group == 0 || (rr != SQLITE_ROW && rh != SQLITE_ROW)) {
			BENCH_SQL(sqlite3_step(commit));
			sqlite3_reset(commit);
			transactions++;
		}
		cpu += bench_cpu_seconds() - t;
	}
	g_print("the same writes with SQLite's own API (no libgda, no calendar): %u evaluations in %u "
	        "transactions, %u claims, %u history rows, CPU %.3f s (WAL, synchronous=FULL)\n",
	        evaluations,
	        transactions,
	        n_runs,
	        n_hist,
	        cpu);
out:
	sqlite3_finalize(schema);
	sqlite3_finalize(runs);
	sqlite3_finalize(hist);
	sqlite3_finalize(begin);
	sqlite3_finalize(commit);
	sqlite3_finalize(ins_run);
	sqlite3_finalize(ins_hist);
	sqlite3_finalize(node);
	sqlite3_close(src);
	sqlite3_close(dst);
	bench_remove_store(path);
}

/* the planner's next wake-up over many licenses (pure: no clock, no store) */
static void
bench_next_event(void)
{
	const guint sizes[] = {6, 60, 600, 6000, 60000};
	g_autoptr(GTimeZone) tz = g_time_zone_new_local();
	GDate today;
	g_date_clear(&today, 1);
	g_date_set_dmy(&today, 1, G_DATE_JANUARY, 2020);
	for (guint k = 0; k < G_N_ELEMENTS(sizes); k++) {
		g_autofree ImssPlanLicense *plan = g_new0(ImssPlanLicense, sizes[k]);
		g_autoptr(GTimer) timer = g_timer_new();
		guint reps = MAX(1, 60000 / sizes[k]);
		gint64 next = 0;
		gdouble secs;
		for (guint i = 0; i < sizes[k]; i++) {
			plan[i].slot = (ImssSlotId)(i % IMSS_SLOT_LAST);
			plan[i].activated = TRUE;
			plan[i].activated_at = 1;
			g_date_clear(&plan[i].expiry, 1);
			g_date_set_julian(&plan[i].expiry, 737425 + (i * 7) % 900); /* spread expiries */
		}
		g_timer_start(timer);
		for (guint r = 0; r < reps; r++)
			next ^= imss_planner_next_wakeup(plan, sizes[k], tz, &today);
		secs = g_timer_elapsed(timer, NULL) / reps;
		g_print("next event over %6u licenses: %10.1f µs (%.3f µs per license)%s\n",
			sizes[k], secs * 1e6, secs * 1e6 / sizes[k], next == 42 ? " " : "");
	}
}

int
main(int argc, char **argv)
{
	g_autofree gchar *dir = NULL;
	g_setenv("TZ", "Asia/Tokyo", FALSE);
	if (argc > 1)
		dir = g_strdup(argv[1]);
	else
		dir = g_dir_make_tmp("imss-bench-XXXXXX", NULL);
	if (argc == 1 && g_file_test("/dev/shm", G_FILE_TEST_IS_DIR)) {
		g_rmdir(dir);
		g_free(dir);
		dir = g_strdup_printf("/dev/shm/imss-bench-%d", (gint)getpid());
		g_mkdir(dir, 0700);
	}
	bench_virtual_years(dir, TRUE);
	bench_virtual_years(dir, FALSE);
	bench_next_event();
	g_rmdir(dir);
	return 0;
}
