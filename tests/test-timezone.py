#!/usr/bin/python3
'''A time-zone change at run time (/etc/localtime rewritten): the daemon
reloads the zone and recomputes its deadlines. The daemon runs in its own
mount namespace where a scratch file is bind-mounted on /etc/localtime, so
the machine's zone is never touched.'''

import datetime
import os
import shutil
import time

import imsstest


class TimeZoneChangeTest(imsstest.ImssTestCase):
    autostart = False

    def setUp(self):
        self.old_tz = os.environ.pop('TZ', None)
        self.addCleanup(self.restore_tz)
        super().setUp()
        for tool in ('unshare', 'mount'):
            if shutil.which(tool) is None:
                self.fail(f'{tool} is missing (util-linux, mount)')
        self.zone_file = self.tmp / 'localtime'
        shutil.copyfile('/usr/share/zoneinfo/Asia/Tokyo', self.zone_file)
        wrapper = self.tmp / 'in-namespace.sh'
        # under valgrind, valgrind goes inside the namespace, on the daemon
        inner = ' '.join(f'"{a}"' for a in (self._valgrind_cmd() if self.valgrind else []))
        wrapper.write_text('#!/bin/sh\n'
                           'exec unshare -m --propagation private sh -c '
                           f'\'mount --bind "{self.zone_file}" /etc/localtime && exec "$0" "$@"\' '
                           f'{inner} "{self.daemon_path}" "$@"\n')
        wrapper.chmod(0o755)
        self.daemon_path = str(wrapper)
        if self.valgrind:
            # start_daemon() would put valgrind in front of the wrapper (a shell)
            self._valgrind_cmd = self._valgrind_cmd_outside
        self.start_daemon()

    def _valgrind_cmd_outside(self):
        return []

    def restore_tz(self):
        if self.old_tz is not None:
            os.environ['TZ'] = self.old_tz

    def test_zone_change_recomputes(self):
        self.activate('antivirus', self.make_code('antivirus'))
        before = self.slot_props('antivirus')['NextCheck']
        self.assertTrue(before.endswith('T00:00:00+09:00'), before)
        # the history's times are written in the daemon's zone too; read
        # twice, so that the page is one the daemon sent already
        for _ in range(2):
            activated = next(e for e in self.history(20) if e['action'] == 'activate')
            self.assertTrue(activated['time'].endswith('+09:00'), activated)
        self.assertEqual(self.call('GetClock')['zone'].rsplit('/', 1)[-1] != '', True)
        # rewrite the file in place (same inode), as a zone update would
        with open(self.zone_file, 'wb') as f:
            f.write(open('/usr/share/zoneinfo/America/New_York', 'rb').read())
        deadline = time.monotonic() + 20
        while True:
            after = self.slot_props('antivirus')['NextCheck']
            if after.endswith(('T00:00:00-05:00', 'T00:00:00-04:00')):
                break
            if time.monotonic() > deadline:
                self.fail(f'NextCheck still {after} after the zone changed:\n' + self.daemon_log())
            time.sleep(0.1)
        self.assertIn('/etc/localtime changed', self.daemon_log())
        # the same entry, now in New York's time
        entry = next(e for e in self.history(20) if e['action'] == 'activate')
        self.assertTrue(entry['time'].endswith(('-05:00', '-04:00')), entry)
        self.assertEqual(datetime.datetime.fromisoformat(entry['time']),
                         datetime.datetime.fromisoformat(activated['time']))



class RealClockStepTest(imsstest.ImssTestCase):
    '''The real wall-clock timer (timerfd with TFD_TIMER_CANCEL_ON_SET): a
    clock step — here the clock set to its own value, which moves nothing —
    is reported to the daemon, which re-evaluates its calendar at once.'''

    def test_clock_set_is_seen(self):
        self.activate('antivirus', self.make_code('antivirus'))
        self.settle()
        offset = self.log_path.stat().st_size
        now = time.clock_gettime(time.CLOCK_REALTIME)
        try:
            time.clock_settime(time.CLOCK_REALTIME, now)
        except PermissionError:
            self.fail('setting the clock needs CAP_SYS_TIME (run the tests as root)')
        # both lines: the second comes after the first (under valgrind, a
        # while after: CI once read the log between the two)
        deadline = time.monotonic() + (60 if self.valgrind else 10)
        while not all(line in self.log_path.read_text()[offset:]
                      for line in ('the wall clock changed', 'recomputing the schedule')):
            if time.monotonic() > deadline:
                self.fail('the daemon did not see the clock being set and recompute:\n'
                          + self.daemon_log())
            time.sleep(0.05)
        self.assertDaemonRunning()


if __name__ == '__main__':
    imsstest.main()
