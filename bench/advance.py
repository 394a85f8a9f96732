#!/usr/bin/python3
'''Ten virtual years of the calendar's worst case through the daemon's D-Bus
method VirtualClock.Advance (printed figures, not a test).

bench-scheduler measures the calendar and the store inside one process;
this measures the same case as a client sees it: imss-licensed from the
build tree on a private system-type bus (the bus tests' world,
tests/imsstest.py), a standalone gateway (no server is ever asked) on its
virtual clock from 2020-01-01, six slots activated with expiries in
2020-2021 and never renewed (daily checks after each grace period), then
Advance by ten years in steps of one year. Prints, per step and in all,
the wall time of the call, the daemon's CPU time (from /proc) and the
alarms the daemon fired.

    bench/advance.py [--build DIR] [--years 10]
'''

import argparse
import os
import sys
import time
from pathlib import Path

import benchworld
import imsstest  # noqa: E402  (benchworld puts tests/ on the path)

EXPIRIES = {'cloud-prefilter': '2021-03-31', 'antivirus': '2021-01-31',
            'antispam': '2020-12-31', 'email-encryption': '2021-02-28',
            'compliance': '2021-06-30'}
YEAR = 365 * 86400


class AdvanceWorld(imsstest.VirtualClockMixin, imsstest.ImssTestCase):
    '''The tests' world, set up once outside unittest.'''

    autostart = False
    edition = 'imsva'

    def runTest(self):
        '''unittest.TestCase wants a test method; the benchmark is not one.'''

    def start(self):
        self.setUp()
        self.write_config(edition=self.edition, license={'environment': 'standalone'})
        self.start_daemon(['--virtual-clock=2020-01-01T00:00:00'])
        for slot, expiry in EXPIRIES.items():
            self.activate(slot, self.make_code(slot, expiry=expiry))
        self.settle()

    def daemon_cpu(self):
        '''user + system seconds of the daemon so far'''
        fields = Path(f'/proc/{self.daemon.pid}/stat').read_text().rsplit(')', 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf('SC_CLK_TCK')


def main():
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('--build', default=os.environ.get('IMSS_BUILD_DIR', 'build'),
                        help='the build directory (default: build)')
    parser.add_argument('--years', type=int, default=10)
    args = parser.parse_args()
    build = Path(args.build).resolve()
    if not (build / 'daemon' / 'imss-licensed').exists():
        parser.error(f'{build}/daemon/imss-licensed does not exist: build first')
    benchworld.use_build(build)

    def body(world):
        world.start()
        total_wall = total_cpu = 0.0
        total_alarms = 0
        for year in range(args.years):
            cpu = world.daemon_cpu()
            t = time.monotonic()
            alarms = world.advance(YEAR)
            wall = time.monotonic() - t
            cpu = world.daemon_cpu() - cpu
            total_wall += wall
            total_cpu += cpu
            total_alarms += alarms
            print(f'year {year + 1:2}: {alarms:4} alarms, Advance {wall:.3f} s, '
                  f'daemon CPU {cpu:.2f} s')
        print(f'{args.years} virtual years: {total_alarms} alarms, Advance {total_wall:.3f} s '
              f'in all, daemon CPU {total_cpu:.2f} s')
        status = world.stop_daemon(check=False)
        return 0 if status == 0 else 1
    return benchworld.run('advance', AdvanceWorld, body)


if __name__ == '__main__':
    sys.exit(main())
