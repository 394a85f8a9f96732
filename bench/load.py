#!/usr/bin/python3
'''The load benchmark of imss-licensed (printed figures, not a test).

Sets up the world as the bus-level tests do (tests/imsstest.py): a private
system-type bus with the real bus policy, python-dbusmock polkitd (everything
allowed) and systemd (RestartUnit), the license-server simulator on loopback
(tests/test-server.py's Simulator) and imss-licensed from the build tree on
its virtual clock, with three licenses activated (codes from
imss-license-keygen that the simulator knows). Then it runs
build/bench/bench-load, which loads the daemon with concurrent clients,
probes it, activates a fourth slot and advances the virtual clock during the
load, and prints the figures; the activation code goes to bench-load on
standard input.

    bench/load.py [--build DIR] [bench-load options: --seconds 30 --clients 100
                   --interval-ms 100 --probe-interval-ms 10 --advance-days 400 --json]

A release build measures what ships (meson setup build-release
--buildtype=release; bench/load.py --build build-release). The exit status is
bench-load's: non-zero when any call failed, or when the daemon died or did
not stop cleanly. Every process started here is stopped on exit;
IMSS_TEST_KEEP=1 keeps the directory with the daemon's, the bus's and the
simulator's logs.
'''

import argparse
import datetime
import os
import subprocess
import sys
from pathlib import Path

import benchworld
import imsstest  # noqa: E402  (benchworld puts tests/ on the path)

Simulator = __import__('test-server').Simulator

EDITION = 'imsva'
LOADED_SLOTS = ['antivirus', 'antispam', 'compliance']
ACTIVATED_DURING_LOAD = 'cloud-prefilter'


class LoadWorld(imsstest.ImssTestCase):
    '''The tests' world, set up once outside unittest (setUp()/doCleanups()).'''

    autostart = False
    edition = EDITION

    def runTest(self):
        '''unittest.TestCase wants a test method; the benchmark is not one.'''

    def registered_code(self, slot):
        '''A code for @slot valid for a year, which the simulator renews for
        another year (so it knows it, and nothing lapses during the Advance).'''
        code = self.make_code(slot)
        expiry = self.today() + datetime.timedelta(days=2 * 365)
        self.sim.admin('renew', code=code, expiry=str(expiry))
        return code

    def start(self):
        self.setUp()
        self.sim = Simulator(self)
        self.write_config(edition=self.edition,
                          license_server={'url': self.sim.url, 'timeout': 5})
        now = datetime.datetime.now().astimezone().replace(microsecond=0)
        self.start_daemon([f'--virtual-clock={now.isoformat()}'])
        for slot in LOADED_SLOTS:
            self.activate(slot, self.registered_code(slot))
        # the activations' server checks and unit restarts are over
        self.settle()

    def warnings_in_log(self):
        return [line for line in self.daemon_log().splitlines()
                if 'WARNING' in line or 'CRITICAL' in line or 'ERROR' in line]


def main():
    parser = argparse.ArgumentParser(
        description='Load imss-licensed on a private bus and print figures (not a test).',
        epilog='Other options go to bench-load (see bench-load --help).')
    parser.add_argument('--build', default=os.environ.get('IMSS_BUILD_DIR', 'build'),
                        help='the build directory (default: build)')
    args, bench_args = parser.parse_known_args()
    build = Path(args.build).resolve()
    bench_load = build / 'bench' / 'bench-load'
    if not bench_load.exists():
        parser.error(f'{bench_load} does not exist: build first (ninja -C {args.build})')
    benchworld.use_build(build)

    def body(world):
        world.start()
        code = world.registered_code(ACTIVATED_DURING_LOAD)
        proc = subprocess.run([str(bench_load), '--activate', ACTIVATED_DURING_LOAD]
                              + bench_args, input=code + '\n', text=True)
        rc = proc.returncode
        died = world.daemon.poll() is not None
        status = world.stop_daemon(check=False)
        if died or status != 0:
            print(f'load.py: imss-licensed {"died during the run" if died else "stopped"}'
                  f' with status {status}', file=sys.stderr)
            rc = rc or 1
        # with --json, stdout is bench-load's JSON alone
        out = sys.stderr if '--json' in bench_args else sys.stdout
        warnings = world.warnings_in_log()
        print(f'\ndaemon log: {len(warnings)} warning/critical lines', file=out)
        for line in warnings[:5]:
            print('  ' + line, file=out)
        return rc
    return benchworld.run('load', LoadWorld, body)


if __name__ == '__main__':
    sys.exit(main())
