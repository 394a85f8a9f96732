#!/usr/bin/python3
'''The fleet benchmark of imss-licensed (issue 10; printed figures, not a test).

Sets up a fleet as tests/test-fleet.py does (tests/imssfleet.py): N nodes
(default 4), each imss-licensed from the build tree on its own private
system bus with dbusmock polkitd and systemd, all on one private PostgreSQL
server and database (fsync=off, a unix socket), with the license-server
simulator; real clocks, the default [fleet] poll-interval (60 s). Then:

1. Commit-to-every-node latency. --rounds times, one node (in turn)
   activates a license (a new code; the slot in turn); the time from
   sending Activate until each other node emits PropertiesChanged on that
   slot's object with the new (masked) ActivationCode, timestamped as it
   arrives here. Printed: p50/p99/max over every (round, other node), and
   of the slowest node per round ("every node agrees"), also counted from
   Activate's reply (the commit lies between the two). A round in which a
   node sees nothing within --timeout counts as missed; three missed rounds
   in a row end this part (no propagation at all).

2. Claims per second the runs table sustains: pgbench (PostgreSQL's own
   load driver) on the shared database, --claim-clients connections for
   --claim-seconds each, running the claim the contract prescribes,
   INSERT … ON CONFLICT DO NOTHING RETURNING, on the daemon's own table
   (the table with columns job, slot and day; NOT NULL columns without a
   default get a value of their type: text 'bench', numbers the epoch,
   booleans false, timestamps now()). Two mixes: "new" (every claim wins:
   random keys from 10^9) and "contested" (every client claims the same
   1,000 keys: after the first pass every claim loses, as when several
   nodes race for the same runs). The rows are deleted afterwards. The
   server runs with fsync=off: an upper bound for a real disk.

3. An idle node: after the load, --idle-seconds (default 60) with nothing to
   do: the statements every node sends (log_statement=all on the private
   server, counted per backend, our own psql sessions excluded;
   pg_stat_database's xact_commit delta as a second count) and each node's
   wake-ups (context switches of all its threads, from /proc, as
   bench/idle.sh). Per minute.

    bench/fleet.py [--build DIR] [--nodes 4] [--rounds 40] [--timeout 3]
                   [--claim-seconds 10] [--claim-clients 4] [--idle-seconds 60]
                   [--skip latency,claims,idle] [--json]

Run as root (PostgreSQL runs as postgres through runuser) with
/usr/bin/python3. The exit status is non-zero when a node died or the
world could not be set up; IMSS_TEST_KEEP=1 keeps the directories.
'''

import argparse
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import benchworld
import imssfleet  # noqa: E402  (benchworld puts tests/ on the path)
import imsstest  # noqa: E402

SLOTS = ['antivirus', 'cloud-prefilter', 'email-encryption']


def percentile(values, p):
    '''Nearest-rank percentile of @values (0 < p <= 100); None for none.'''
    if not values:
        return None
    ordered = sorted(values)
    rank = max(1, -(-len(ordered) * p // 100))
    return ordered[int(rank) - 1]


def summary(values):
    return {'n': len(values), 'p50': percentile(values, 50), 'p99': percentile(values, 99),
            'max': max(values) if values else None}


def fmt_ms(s):
    if not s['n']:
        return 'no samples'
    return f'p50 {s["p50"] * 1000:.1f} ms, p99 {s["p99"] * 1000:.1f} ms, ' \
           f'max {s["max"] * 1000:.1f} ms (n={s["n"]})'


def ctx_switches(pid):
    '''{thread id: voluntary + involuntary context switches} of @pid.'''
    out = {}
    for status in Path(f'/proc/{pid}/task').glob('*/status'):
        try:
            out[status.parent.name] = sum(int(line.split()[1])
                                          for line in status.read_text().splitlines()
                                          if 'ctxt_switches' in line)
        except OSError:
            pass
    return out


def ctx_delta(before, after):
    '''Context switches between two ctx_switches() of the threads alive at
    the end (a thread that ended in between takes its count with it).'''
    return sum(n - before.get(tid, 0) for tid, n in after.items())


class Strace:
    '''strace -c -f on the poll family of a process, for a window.'''

    CALLS = 'poll,ppoll,epoll_wait,epoll_pwait,select,pselect6'

    def __init__(self, pid, path):
        self.path = path
        self.proc = subprocess.Popen(['strace', '-q', '-c', '-f', '-e', f'trace={self.CALLS}',
                                      '-o', str(path), '-p', str(pid)],
                                     stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)

    def stop(self):
        '''The number of poll-family calls in the window.'''
        self.proc.send_signal(signal.SIGINT)
        self.proc.wait(30)
        calls = 0
        for line in self.path.read_text().splitlines():
            fields = line.split()
            if fields and fields[-1] in self.CALLS.split(','):
                calls += int(fields[3])    # % time, seconds, usecs/call, calls
        return calls


class FleetWorld(imssfleet.FleetTestCase):
    '''The tests' fleet, set up once outside unittest (setUp()/doCleanups()).'''

    autostart = True
    tz = None

    def runTest(self):
        '''unittest.TestCase wants a test method; the benchmark is not one.'''

    # ------------------------------------------------------------ latency

    def latency(self, rounds, timeout):
        seen = {}     # node name -> [(arrival, path, masked code)]
        for n in self.node_list:
            log = seen.setdefault(n.name, [])

            def cb(_c, _s, path, _i, _m, params, log=log):
                iface, changed, _inv = params.unpack()
                if 'ActivationCode' in changed:
                    log.append((time.monotonic(), path, changed['ActivationCode']))
            n._signals.append(n.bus.signal_subscribe(
                None, imsstest.PROPERTIES_IFACE, 'PropertiesChanged', None,
                imsstest.SLOT_IFACE, imsstest.Gio.DBusSignalFlags.NONE, cb))
        from_call, from_reply, every_call, every_reply = [], [], [], []
        missed = 0
        missed_in_a_row = 0
        used = set()
        for r in range(rounds):
            origin = self.node_list[r % len(self.node_list)]
            slot = SLOTS[r % len(SLOTS)]
            code = origin.make_code(slot)
            while self.masked(code) in used:
                code = origin.make_code(slot)
            used.add(self.masked(code))
            masked = self.masked(code)
            path = imsstest.slot_path(slot)
            others = [n for n in self.node_list if n is not origin]

            def arrival(n):
                hits = [t for t, p, m in seen[n.name] if p == path and m == masked]
                return hits[0] if hits else None
            call = origin.call_async('Activate', slot, code)
            deadline = time.monotonic() + timeout
            ctx = imsstest.GLib.MainContext.default()
            while not ('done' in call and all(arrival(n) for n in others)):
                if time.monotonic() > deadline:
                    break
                ctx.iteration(False) or time.sleep(0.0005)
            if 'error' in call:
                raise call['error']
            times = [arrival(n) for n in others]
            if None in times or 'done' not in call:
                missed += 1
                missed_in_a_row += 1
                if missed_in_a_row == 3:
                    print('  three rounds in a row without propagation: stopping this part',
                          file=sys.stderr)
                    break
                continue
            missed_in_a_row = 0
            from_call += [t - call['started'] for t in times]
            from_reply += [t - call['done'] for t in times]
            every_call.append(max(times) - call['started'])
            every_reply.append(max(times) - call['done'])
            # let the restarts and history of this activation settle a little
            self.process_events(0.05)
        return {'rounds': r + 1, 'missed': missed,
                'each-node-from-call': summary(from_call),
                'each-node-from-reply': summary(from_reply),
                'every-node-from-call': summary(every_call),
                'every-node-from-reply': summary(every_reply)}

    # ------------------------------------------------------------ claims

    def runs_table(self):
        '''(table, {column: (type, nullable, default)}) of the daemon's runs.'''
        rows = self.pg.psql(
            "SELECT table_name, column_name, data_type, is_nullable, coalesce(column_default, '') "
            "FROM information_schema.columns WHERE table_schema = 'public' ORDER BY table_name, "
            'ordinal_position')
        tables = {}
        for line in rows.splitlines():
            table, column, dtype, nullable, default = line.split('|', 4)
            tables.setdefault(table, {})[column] = (dtype, nullable == 'YES', default)
        for table, columns in tables.items():
            if {'job', 'slot', 'day'} <= set(columns):
                return table, columns
        raise RuntimeError(f'no table with job, slot and day among {sorted(tables)}')

    def claim_sql(self):
        table, columns = self.runs_table()
        names = ['job', 'slot', 'day']
        values = ["'bench'", "'slot-' || :client_id", "'d' || :k"]
        for column, (dtype, nullable, default) in columns.items():
            if column in names or nullable or default:
                continue
            names.append(column)
            if 'char' in dtype or dtype == 'text':
                values.append("'bench'")
            elif dtype in ('integer', 'bigint', 'smallint', 'numeric', 'double precision', 'real'):
                values.append('extract(epoch from now())::bigint')
            elif dtype == 'boolean':
                values.append('false')
            elif dtype.startswith('timestamp'):
                values.append('now()')
            else:
                raise RuntimeError(f'{table}.{column}: no bench value for type {dtype}')
        return table, (f'INSERT INTO {table} ({", ".join(names)}) VALUES ({", ".join(values)}) '
                       'ON CONFLICT DO NOTHING RETURNING day;')

    def claims(self, seconds, clients):
        table, insert = self.claim_sql()
        pgbench = self.pg.bin / 'pgbench'
        results = {'table': table, 'statement': insert}
        for mix, setk in (('new', '\\set k random(1, 1000000000)'),
                          ('contested', '\\set k random(1, 1000)')):
            # contested: every client claims the same keys
            script = self.tmp / f'claim-{mix}.sql'
            body = insert if mix == 'new' else insert.replace("'slot-' || :client_id", "'slot'")
            script.write_text(f'{setk}\n{body}\n')
            script.chmod(0o644)
            proc = subprocess.run([str(pgbench), '-h', str(self.pg.dir), '-U', 'postgres', '-n',
                                   '-c', str(clients), '-j', str(clients), '-T', str(seconds),
                                   '-f', str(script), self.dbname],
                                  capture_output=True, text=True)
            m = re.search(r'tps = ([0-9.]+) \(without initial connection time\)', proc.stdout)
            if proc.returncode != 0 or not m:
                raise RuntimeError(f'pgbench failed: {proc.stdout}{proc.stderr}')
            lat = re.search(r'latency average = ([0-9.]+) ms', proc.stdout)
            won = int(self.pg.psql(f"SELECT count(*) FROM {table} WHERE job = 'bench'"))
            results[mix] = {'claims-per-second': float(m.group(1)),
                            'latency-ms': float(lat.group(1)) if lat else None,
                            'rows-won': won}
            self.pg.psql(f"DELETE FROM {table} WHERE job = 'bench'")
        return results

    # ------------------------------------------------------------ idle

    def idle(self, seconds):
        log = self.pg.dir / 'log'
        self.pg.psql("ALTER SYSTEM SET log_statement = 'all'")
        self.pg.psql("ALTER SYSTEM SET log_line_prefix = '%m [%p] app=%a: '")
        self.pg.psql('SELECT pg_reload_conf()')
        time.sleep(1)

        def xacts():
            return int(self.pg.psql("SELECT xact_commit + xact_rollback FROM pg_stat_database "
                                    f"WHERE datname = '{self.dbname}'"))
        offset = log.stat().st_size
        tracers = {}
        if shutil.which('strace'):
            tracers = {n.name: Strace(n.pid, self.tmp / f'strace-{n.name}') for n in self.node_list}
            time.sleep(1)             # attached
        # what one sample costs by itself (its own query, psql's session)
        x0 = xacts()
        own = xacts() - x0
        x0 += own
        c0 = {n.name: ctx_switches(n.pid) for n in self.node_list}
        time.sleep(seconds)
        c1 = {n.name: ctx_switches(n.pid) for n in self.node_list}
        x1 = xacts()
        polls = {name: t.stop() for name, t in tracers.items()}
        with open(log, 'rb') as f:
            f.seek(offset)
            text = f.read().decode('utf-8', 'replace')
        self.pg.psql('ALTER SYSTEM RESET log_statement')
        self.pg.psql('SELECT pg_reload_conf()')
        statements = {}
        for line in text.splitlines():
            m = re.search(r'\[(\d+)\] app=([^:]*): LOG:  (?:statement|execute [^:]*): (.*)', line)
            if m and m.group(2) not in ('psql', 'pgbench'):
                statements.setdefault(m.group(1), []).append(m.group(3))
        total = sum(len(v) for v in statements.values())
        per_minute = 60.0 / seconds
        n = len(self.node_list)
        return {'seconds': seconds, 'nodes': n,
                'statements-per-minute-all-nodes': total * per_minute,
                'statements-per-minute-per-node': total * per_minute / n,
                'backends-that-sent-statements': len(statements),
                'transactions-per-minute-per-node': max(0, x1 - x0 - own) * per_minute / n,
                'wakeups-per-minute': {k: ctx_delta(c0[k], c1[k]) * per_minute for k in c0},
                'poll-calls-per-minute': {k: v * per_minute for k, v in polls.items()},
                'sample-statements': sorted({s[:80] for v in statements.values() for s in v})[:8]}


def main():
    parser = argparse.ArgumentParser(description='Fleet figures (not a test).')
    parser.add_argument('--build', default=os.environ.get('IMSS_BUILD_DIR', 'build'))
    parser.add_argument('--nodes', type=int, default=4)
    parser.add_argument('--rounds', type=int, default=40)
    parser.add_argument('--timeout', type=float, default=3.0,
                        help='seconds a round waits for every node')
    parser.add_argument('--claim-seconds', type=int, default=10)
    parser.add_argument('--claim-clients', type=int, default=4)
    parser.add_argument('--idle-seconds', type=int, default=60)
    parser.add_argument('--skip', default='', help='comma-separated: latency,claims,idle')
    parser.add_argument('--json', action='store_true')
    args = parser.parse_args()
    build = Path(args.build).resolve()
    if not (build / 'daemon' / 'imss-licensed').exists():
        parser.error(f'{build}/daemon/imss-licensed does not exist: build first')
    benchworld.use_build(build)
    os.environ.setdefault('IMSS_LOCALEDIR', str(build / 'po'))
    skip = set(filter(None, args.skip.split(',')))
    FleetWorld.nodes = args.nodes
    return benchworld.run('fleet', FleetWorld, lambda world: measure(world, args, skip))


def measure(world, args, skip):
    '''Sets the fleet up, prints the figures; the exit status.'''
    out = {}
    started = time.monotonic()
    world.setUp()
    out['start-up-seconds'] = round(time.monotonic() - started, 2)
    print(f'{args.nodes} nodes up in {out["start-up-seconds"]} s', file=sys.stderr)
    if 'latency' not in skip:
        lat = out['latency'] = world.latency(args.rounds, args.timeout)
        if not args.json:
            print(f'commit-to-every-node latency, {args.nodes} nodes, {lat["rounds"]} '
                  f'activations ({lat["missed"]} missed):')
            print(f'  each other node, from sending Activate: {fmt_ms(lat["each-node-from-call"])}')
            print(f'  each other node, from its reply:        {fmt_ms(lat["each-node-from-reply"])}')
            print(f'  slowest node, from sending Activate:    {fmt_ms(lat["every-node-from-call"])}')
            print(f'  slowest node, from its reply:           {fmt_ms(lat["every-node-from-reply"])}')
    if 'claims' not in skip:
        cl = out['claims'] = world.claims(args.claim_seconds, args.claim_clients)
        if not args.json:
            print(f'claims on {cl["table"]}, {args.claim_clients} clients x '
                  f'{args.claim_seconds} s (pgbench; fsync=off):')
            for mix in ('new', 'contested'):
                print(f'  {mix:9}: {cl[mix]["claims-per-second"]:.0f} claims/s, '
                      f'{cl[mix]["latency-ms"]} ms each, {cl[mix]["rows-won"]} rows won')
    if 'idle' not in skip:
        # idle backends report their statistics after 10 s idle
        # (PGSTAT_IDLE_INTERVAL): the window starts with no backlog
        time.sleep(12)
        idle = out['idle'] = world.idle(args.idle_seconds)
        if not args.json:
            print(f'idle, {args.idle_seconds} s, {args.nodes} nodes:')
            print(f'  statements per minute per node: {idle["statements-per-minute-per-node"]:.1f} '
                  f'({idle["backends-that-sent-statements"]} backends sent any; '
                  f'transactions per minute per node: '
                  f'{idle["transactions-per-minute-per-node"]:.1f})')
            print('  wake-ups per minute (context switches, all threads): ' + ', '.join(
                f'{k} {v:.0f}' for k, v in idle['wakeups-per-minute'].items()))
            if idle['poll-calls-per-minute']:
                print('  poll-family calls per minute (strace -f): ' + ', '.join(
                    f'{k} {v:.0f}' for k, v in idle['poll-calls-per-minute'].items()))
            for s in idle['sample-statements']:
                print(f'    {s}')
    dead = [n.name for n in world.node_list if not n.running()]
    out['dead-nodes'] = dead
    if dead:
        print(f'fleet.py: nodes died during the run: {dead}', file=sys.stderr)
    if args.json:
        print(json.dumps(out, indent=2, default=str))
    return 1 if dead else 0


if __name__ == '__main__':
    sys.exit(main())
