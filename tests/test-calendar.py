#!/usr/bin/python3
'''The license calendar over D-Bus, on the daemon's virtual clock: a virtual
year of all six slots, the seed's schedule, state signals at 00:00, clock
steps, NextCheck, the schedule command, and the VirtualClock interface's
absence without the option.'''

import datetime
import json
import os
import subprocess

import imsstest
from imsstest import (BUS_NAME, OBJECT_PATH, PROPERTIES_IFACE, SLOT_IFACE, Gio, GLib,
                      slot_path)

VCLOCK = imsstest.VCLOCK_IFACE
DAY = 86400


class VirtualClockTest(imsstest.VirtualClockMixin, imsstest.ImssTestCase):
    autostart = False

    def setUp(self):
        os.environ['TZ'] = 'Asia/Tokyo'
        self.addCleanup(os.environ.pop, 'TZ', None)
        super().setUp()
        # the state on tmpfs when available: a virtual year makes many commits
        self.start_daemon(['--virtual-clock=2019-08-01T00:00:00'])

    def checks(self, slot):
        '''(time, day) of the recorded automatic checks of slot, oldest first.'''
        out = []
        for h in reversed(self.history()):
            if h['action'] == 'automatic-check' and h['slot'] == slot and h['outcome'] == 'due':
                out.append((h['time'], h['detail'].split()[2]))
        return out

    def test_seed_schedule(self):
        '''SPEC §5.1's table for E = 2020-01-31, each check at 00:00, once.'''
        self.activate('antivirus', self.make_code('antivirus', expiry='2020-01-31'))
        events = self.call('ListEvents', 400)
        got = [(e['date'], e['offset']) for e in events if e['kind'] == 'check'][:13]
        self.assertEqual(got, [
            ('2019-08-04', 'E-180'), ('2019-09-03', 'E-150'), ('2019-10-03', 'E-120'),
            ('2019-11-02', 'E-90'), ('2019-12-02', 'E-60'), ('2020-01-01', 'E-30'),
            ('2020-01-30', 'E-1'), ('2020-01-31', 'E'), ('2020-03-01', 'E+30'),
            ('2020-03-31', 'E+60'), ('2020-04-30', 'E+90'), ('2020-05-01', 'E+91'),
            ('2020-05-02', 'E+92')])
        self.assertEqual(self.slot_props('antivirus')['NextCheck'], '2019-08-04T00:00:00+09:00')
        # the CLI shows the same
        rc, out, err = self.ctl('schedule', '--json', '--days', '200')
        self.assertEqual(rc, 0, err)
        self.assertEqual(json.loads(out)[0]['date'], '2019-08-04')

        fired = self.advance(self.seconds_until('2020-05-02T12:00:00'))
        self.assertGreater(fired, 0)
        days = [d for _, d in self.checks('antivirus')]
        self.assertEqual(days, [d for d, _ in got])
        for when, day in self.checks('antivirus'):
            self.assertEqual(when, day + 'T00:00:00+09:00')
        self.assertEqual(self.slot_props('antivirus')['NextCheck'], '2020-05-03T00:00:00+09:00')

    def test_virtual_year_all_slots(self):
        '''A year for all six slots: each state change signalled once, at its
        day's 00:00; updates restricted at G; properties follow.'''
        states = self.subscribe('org.imss.License', 'StateChanged')
        updates = self.subscribe('org.imss.License', 'UpdatesAllowedChanged')
        expiries = {'cloud-prefilter': '2019-10-31', 'antivirus': '2019-11-30',
                    'antispam': '2020-01-31', 'email-encryption': '2020-02-29',
                    'compliance': '2019-12-31'}
        for slot, e in expiries.items():
            self.activate(slot, self.make_code(slot, expiry=e, offline=(slot == 'compliance')))
        expiries['email-reputation'] = expiries['antispam']
        self.wait_for(lambda: len(states) >= 6, message='activation state signals')
        del states[:]

        # day by day, so that every signal can be dated
        seen = []
        for _ in range(366):
            self.advance(DAY)
            ctx = GLib.MainContext.default()
            while ctx.iteration(False):
                pass
            today = self.now()[:10]
            while states:
                _, (slot, old, new) = states.pop(0)
                seen.append((today, slot, new))
        self.process_events(0.3)
        expected = []
        for slot, e in expiries.items():
            E = datetime.date.fromisoformat(e)
            for delta, state in ((-60, 'expiring'), (0, 'grace'), (90, 'expired')):
                d = E + datetime.timedelta(days=delta)
                if datetime.date(2019, 8, 2) <= d <= datetime.date(2020, 8, 1):
                    expected.append((str(d), slot, state))
        self.assertEqual(sorted(seen), sorted(expected))
        # UpdatesAllowed went false exactly for the slots past G
        restricted = sorted(args[0] for _, args in updates if args[1] is False)
        self.assertEqual(restricted, sorted(s for s, e in expiries.items()
                                            if datetime.date.fromisoformat(e) + datetime.timedelta(days=90) <= datetime.date(2020, 8, 1)))
        for slot, e in expiries.items():
            props = self.slot_props(slot)
            self.assertEqual(props['ExpiryDate'], e)
            self.assertEqual(props['State'], 'expired')
            self.assertFalse(props['UpdatesAllowed'])
            self.assertEqual(props['NextCheck'], '' if slot == 'compliance' else '2020-08-02T00:00:00+09:00')

    def test_clock_steps(self):
        '''A step forward catches up once (latest missed date); a step back repeats nothing.'''
        self.activate('antivirus', self.make_code('antivirus', expiry='2020-01-31'))
        self.set_time('2019-11-20T10:00:00')        # E-150, E-120, E-90 missed
        self.assertEqual(self.checks('antivirus'), [('2019-11-20T10:00:00+09:00', '2019-11-02')])
        # back to 2019-08-10: a run recorded "in the future" does not block
        # the latest check day before the new now (E-180, never run); and
        # 2019-11-02, whose run was recorded on the clock that was ahead,
        # runs again on the real 2019-11-02 (issue 15 (4): a wrong clock
        # must not swallow a real day's job — docs/design.md)
        self.set_time('2019-08-10T10:00:00')
        self.advance(self.seconds_until('2019-11-03T00:00:00'))
        days = [d for _, d in self.checks('antivirus')]
        self.assertEqual(days, ['2019-11-02', '2019-08-04', '2019-09-03', '2019-10-03',
                                '2019-11-02'])
        # a step back that stays within a day of the recorded runs repeats nothing
        self.set_time('2019-11-02T10:00:00')
        self.advance(self.seconds_until('2019-11-03T00:00:00'))
        self.assertEqual([d for _, d in self.checks('antivirus')], days)

    def test_restart_catches_up_once(self):
        self.activate('antivirus', self.make_code('antivirus', expiry='2019-05-01'))
        self.stop_daemon()
        # three days later, past G: one check for today, not three
        self.start_daemon(['--virtual-clock=2019-08-04T09:00:00'])
        self.assertEqual(self.checks('antivirus'), [('2019-08-04T09:00:00+09:00', '2019-08-04')])

    def test_read_pipelined_behind_advance(self):
        '''A read a client sends right behind its own unanswered call is
        answered after that call, although reads of prepared properties are
        answered in GDBus's worker thread (daemon/imss-skeleton.c): Get of
        Now and GetAll of a slot sent before Advance's reply came back show
        the clock and the state after the Advance.'''
        # a long Advance: three slots checked daily after their grace periods
        for slot in ('antivirus', 'antispam', 'compliance'):
            self.activate(slot, self.make_code(slot, expiry='2019-09-30'))
        conn = self.another_connection()
        get_now = (OBJECT_PATH, PROPERTIES_IFACE, 'Get', GLib.Variant('(ss)', (VCLOCK, 'Now')))
        get_slot = (slot_path('antivirus'), PROPERTIES_IFACE, 'GetAll',
                    GLib.Variant('(s)', (SLOT_IFACE,)))
        advance = (OBJECT_PATH, VCLOCK, 'Advance', GLib.Variant('(x)', (730 * DAY,)))
        for _ in range(3):  # prepared: from now on answered by the worker
            for path, iface, method, args in (get_now, get_slot):
                conn.call_sync(BUS_NAME, path, iface, method, args, None,
                               Gio.DBusCallFlags.NONE, 20000, None)
        loop = GLib.MainLoop()
        replies = {}
        sent = []

        def send(name, call):
            path, iface, method, args = call
            sent.append(name)

            def cb(c, result):
                try:
                    replies[name] = c.call_finish(result).unpack()
                except GLib.Error as e:
                    replies[name] = e.message
                if 'advance' in replies and len(replies) == len(sent):
                    loop.quit()
            conn.call(BUS_NAME, path, iface, method, args, None, Gio.DBusCallFlags.NONE,
                      120000, None, cb)

        def more_reads():
            # until Advance's reply is in: every read sent meanwhile is
            # pipelined behind it (at most 60: the bus allows a connection
            # 128 calls waiting for a reply)
            if 'advance' in replies or len(sent) > 60:
                return GLib.SOURCE_REMOVE
            i = len(sent)
            send(f'now {i}', get_now)
            send(f'slot {i}', get_slot)
            return GLib.SOURCE_CONTINUE
        send('advance', advance)
        more_reads()
        GLib.timeout_add(1, more_reads)
        timeout = GLib.timeout_add_seconds(120, loop.quit)
        loop.run()
        GLib.source_remove(timeout)
        self.assertEqual(len(replies), len(sent), replies)
        self.assertEqual({n: r[:300] for n, r in replies.items() if isinstance(r, str)}, {})
        self.assertGreater(len(sent), 2)
        self.assertGreater(replies['advance'][0], 0)
        now = self.now()
        self.assertTrue(now.startswith('2021-07-31T00:00:00'), now)
        for name in sent[1:]:
            if name.startswith('now'):
                self.assertEqual(replies[name][0], now, f'{name} of {len(sent)}')
            else:
                self.assertEqual(replies[name][0]['State'], 'expired', f'{name} of {len(sent)}')

    def test_virtual_clock_is_root_only(self):
        '''The test interface is not for unprivileged callers (bus policy).'''
        rc = subprocess.run(['setpriv', '--reuid=nobody', '--regid=nogroup', '--clear-groups',
                             'gdbus', 'call', '--system', '-d', 'org.imss.License', '-o',
                             OBJECT_PATH, '-m', VCLOCK + '.Advance', '86400'],
                            env=self.daemon_env(), capture_output=True, text=True)
        self.assertNotEqual(rc.returncode, 0)
        self.assertIn('AccessDenied', rc.stderr)
        self.assertDBusError('InvalidArgs', self.set_time, 'yesterday')


class RealClockTest(imsstest.ImssTestCase):
    def test_no_virtual_clock_interface(self):
        xml = self.call_full(OBJECT_PATH, 'org.freedesktop.DBus.Introspectable', 'Introspect',
                             '', (), '(s)')
        self.assertIn('org.imss.License"', xml)
        self.assertNotIn(VCLOCK, xml)
        clock = self.call('GetClock')
        self.assertFalse(clock['virtual'])
        self.assertEqual(clock['today'], str(self.today()))

    def test_next_check_property(self):
        e = self.today() + datetime.timedelta(days=45)
        self.activate('antispam', self.make_code('antispam', expiry=e))
        expected = e - datetime.timedelta(days=30)       # E-30 is the next check day
        props = self.slot_props('antispam')
        self.assertTrue(props['NextCheck'].startswith(str(expected) + 'T00:00:00'), props['NextCheck'])
        self.assertEqual(props['State'], 'expiring')


if __name__ == '__main__':
    imsstest.main()
