#!/usr/bin/python3
'''imss-licensectl against the daemon on a private system bus: the status
table (English and Japanese), --json, activation with the code on stdin,
error reporting and the history.'''

import datetime
import json
import os
import re
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import imsstest  # noqa: E402
from imsstest import Gio, GLib  # noqa: E402
from imsstest import SLOTS, slot_path  # noqa: E402

JAPANESE = re.compile(r'[\u3040-\u30ff\u4e00-\u9fff]')
JA_ENV = {'LANGUAGE': 'ja', 'LANG': 'C.UTF-8'}
STATUS_FIELDS = {'slot', 'state', 'expiry', 'grace_end', 'days_left', 'updates_allowed',
                 'code', 'offline', 'expiry_verified'}


class CliTest(imsstest.ImssTestCase):
    edition = 'imsva'

    def assertOk(self, result):
        rc, out, err = result
        self.assertEqual(rc, 0, f'stdout: {out}\nstderr: {err}')
        return out

    def assertOneLineError(self, result):
        rc, out, err = result
        self.assertNotEqual(rc, 0, out)
        lines = err.strip().splitlines()
        self.assertEqual(len(lines), 1, f'exit status {rc}, stderr: {err!r}')
        self.assertTrue(lines[0].startswith('imss-licensectl: '), err)
        return lines[0]

    def activate_stdin(self, slot, code, **kwargs):
        return self.ctl('activate', slot, input=code + '\n', **kwargs)

    def test_status_table(self):
        expiry = self.today() + datetime.timedelta(days=365)
        code = self.make_code('antivirus', expiry=expiry)
        self.activate('antivirus', code)
        out = self.assertOk(self.ctl('status'))
        self.assertNoCode(out, code, 'status')
        lines = out.splitlines()
        for slot in SLOTS:
            self.assertTrue(any(line.split()[0] == slot for line in lines if line.split()),
                            f'{slot} missing:\n{out}')
        row = next(line for line in lines if line.startswith('antivirus '))
        self.assertIn(expiry.isoformat(), row)
        self.assertIn((expiry + datetime.timedelta(days=90)).isoformat(), row)
        self.assertIn('365', row)
        self.assertIn('active', row)
        self.assertIn(self.slot_props('antivirus')['ActivationCode'], row)
        row = next(line for line in lines if line.startswith('compliance '))
        self.assertIn('not activated', row)
        self.assertIsNone(JAPANESE.search(out), out)

    def test_status_japanese(self):
        self.activate('antivirus', self.make_code('antivirus'))
        english = self.assertOk(self.ctl('status'))
        japanese = self.assertOk(self.ctl('status', env=JA_ENV))
        self.assertRegex(japanese, JAPANESE)
        self.assertNotEqual(english, japanese)
        # the data is the same, only the words differ
        for slot in SLOTS:
            self.assertIn(slot, japanese)
        self.assertIn(self.slot_props('antivirus')['ExpiryDate'], japanese)
        # errors are translated too
        line = self.assertOneLineError(self.activate_stdin('antivirus', 'IM-1234', env=JA_ENV))
        self.assertRegex(line, JAPANESE)

    def test_status_json(self):
        expiry = self.today() + datetime.timedelta(days=100)
        code = self.make_code('antispam', expiry=expiry, offline=True)
        self.activate('antispam', code)
        self.settle()   # the restarts the activation asked for are part of the status
        out = self.assertOk(self.ctl('--json', 'status'))
        self.assertNoCode(out, code, 'status --json')
        data = json.loads(out)
        self.assertEqual(data['edition'], 'imsva')
        self.assertIs(data['click_protection_bound'], False)
        self.assertEqual(data['restarts'], [], 'the restarts were done')
        slots = {s['slot']: s for s in data['slots']}
        self.assertEqual(sorted(slots), sorted(SLOTS))
        for slot in slots.values():
            self.assertLessEqual(STATUS_FIELDS, set(slot), slot)
        for name in ('antispam', 'email-reputation'):
            s = slots[name]
            props = self.slot_props(name)
            self.assertEqual(s['state'], 'active')
            self.assertEqual(s['expiry'], expiry.isoformat())
            self.assertEqual(s['grace_end'], props['GraceEndDate'])
            self.assertEqual(s['days_left'], 100)
            self.assertIs(s['offline'], True)
            self.assertIs(s['expiry_verified'], True)
            self.assertIs(s['updates_allowed'], True)
            self.assertEqual(s['code'], props['ActivationCode'])
            self.assertMasked(s['code'], code)
        self.assertEqual(slots['antivirus']['state'], 'not-activated')
        self.assertIsNone(slots['antivirus']['days_left'])
        # --json is for machines: only the display name may be translated
        def strip_names(d):
            return dict(d, slots=[{k: v for k, v in s.items() if k != 'name'}
                                  for s in d['slots']])
        japanese = json.loads(self.assertOk(self.ctl('--json', 'status', env=JA_ENV)))
        self.assertEqual(strip_names(japanese), strip_names(data))

    def test_activate_from_stdin(self):
        expiry = self.today() + datetime.timedelta(days=365)
        code = self.make_code('antispam', expiry=expiry)
        out = self.assertOk(self.activate_stdin('antispam', code))
        self.assertIn(expiry.isoformat(), out)
        self.assertNoCode(out, code, 'activate output')
        self.assertEqual(self.slot_props('antispam')['State'], 'active')
        self.assertEqual(self.slot_props('email-reputation')['State'], 'active')
        # "-" also means stdin; --json reports the slot
        other = self.make_code('antivirus', expiry=expiry)
        out = self.assertOk(self.ctl('--json', 'activate', 'antivirus', '-', input=other + '\n'))
        data = json.loads(out)
        self.assertEqual(data['slot'], 'antivirus')
        self.assertEqual(data['object'], slot_path('antivirus'))
        self.assertEqual(data['expiry'], expiry.isoformat())
        self.assertMasked(data['code'], other)
        # the history names the caller
        self.settle()
        entry = next(e for e in self.history() if e['action'] == 'activate')
        self.assertEqual((entry['action'], entry['slot'], entry['caller']),
                         ('activate', 'antivirus', 'uid 0'))

    def test_errors_are_one_line(self):
        # the daemon's own start-up writes first (a journal seen in the
        # snapshot and gone after failed 1 run in 2 under load)
        self.settle()
        snapshot = self.db_snapshot()
        cases = [
            (('activate', 'antivirus'), 'IM-1234\n', 'activation code is invalid'),
            (('activate', 'antivirus'), '', 'activation code is invalid'),
            (('activate', 'no-such-slot'), self.make_code('antivirus') + '\n', 'slot'),
            (('activate', 'antivirus'), self.make_code('antivirus', edition='imss') + '\n',
             'activation code is invalid'),
            (('activate', 'antivirus'), self.make_code('compliance', prefix='DL') + '\n',
             'activation code is invalid'),
            (('bind-click-protection',), None, None),
            (('no-such-command',), None, None),
        ]
        for args, stdin, text in cases:
            with self.subTest(args=args):
                line = self.assertOneLineError(self.ctl(*args, input=stdin))
                if text:
                    self.assertIn(text, line)
                if stdin:
                    self.assertNoCode(line, stdin.strip())
        self.assertSnapshotEqual(snapshot)

        self.polkit_deny_all()
        line = self.assertOneLineError(self.activate_stdin('antivirus',
                                                           self.make_code('antivirus')))
        self.assertIn('not authorized', line)
        self.assertSnapshotEqual(snapshot)

    def test_daemon_not_running(self):
        self.stop_daemon()
        line = self.assertOneLineError(self.ctl('status'))
        self.assertIn('not running', line)

    def test_history_json(self):
        codes = [self.make_code('antivirus'), self.make_code('antispam')]
        self.assertOk(self.activate_stdin('antivirus', codes[0]))
        self.assertOk(self.activate_stdin('antispam', codes[1]))
        self.assertOk(self.ctl('bind-click-protection'))
        self.assertOk(self.ctl('release-click-protection'))
        self.settle()
        out = self.assertOk(self.ctl('--json', 'history'))
        for code in codes:
            self.assertNoCode(out, code, 'history --json')
        page = json.loads(out)
        self.assertEqual(set(page), {'total', 'offset', 'entries'})
        entries = page['entries']
        self.assertIsInstance(entries, list)
        self.assertEqual((page['total'], page['offset']), (len(entries), 0))
        self.assertGreaterEqual(len(entries), 3)
        for e in entries:
            self.assertLessEqual({'time', 'action', 'slot', 'code', 'caller', 'outcome', 'detail'},
                                 set(e), e)
        self.assertEqual(entries[0]['action'], 'release-click-protection')
        activations = [e for e in entries if e['action'] == 'activate']
        slots = [e['slot'] for e in activations]
        self.assertLess(slots.index('antispam'), slots.index('antivirus'), 'newest first')
        self.assertMasked(next(e['code'] for e in activations if e['slot'] == 'antivirus'),
                          codes[0])
        # what the operator did is recorded with the operator's uid
        for e in entries:
            if e['action'] in ('activate', 'bind-click-protection', 'release-click-protection'):
                self.assertEqual(e['caller'], 'uid 0', e)
        # the same as over D-Bus
        self.assertEqual([e['action'] for e in entries], [e['action'] for e in self.history()])
        limited = json.loads(self.assertOk(self.ctl('--json', 'history', '--limit', '1')))
        self.assertEqual(limited['entries'], entries[:1])
        # pages: --offset skips the newest, the total stays
        older = json.loads(self.assertOk(self.ctl('--json', 'history', '--offset', '1',
                                                  '--limit', '2')))
        self.assertEqual(older, {'total': len(entries), 'offset': 1, 'entries': entries[1:3]})
        table = self.assertOk(self.ctl('history'))
        self.assertIn('release-click-protection', table)
        self.assertNoCode(table, codes[0])
        self.assertIn(f'Entries 1–{len(entries)} of {len(entries)}.', table)
        table = self.assertOk(self.ctl('history', '--limit', '1'))
        self.assertIn(f'Entries 1–1 of {len(entries)}.\n'
                      'Older entries: imss-licensectl history --offset 1', table)
        table = self.assertOk(self.ctl('history', '--offset', str(len(entries))))
        self.assertEqual(table.strip(), 'There are no entries that old.')


class MalformedRecordsTest(imsstest.ImssTestCase):
    '''A daemon of another version (here a python-dbusmock stand-in owning
    org.imss.License) sends records the common codecs refuse: each command
    says so in one line and exits 1, never prints half a table and never
    crashes.'''
    autostart = False

    def setUp(self):
        super().setUp()
        self.fake_log = open(self.tmp / 'fake-daemon.log', 'wb')
        self.addCleanup(self.fake_log.close)
        self.fake = self.spawn_server('org.imss.License', '/org/imss/License', 'org.imss.License',
                                      system_bus=True, stdout=self.fake_log)
        self.addCleanup(self._stop_process, self.fake)
        methods = [
            # "today" is missing
            ('GetClock', '', 'a{sv}', 'ret = {"now": "x", "zone": "UTC", "virtual": False}'),
            # "detail" is a number
            ('GetHistoryPage', 'uu', 'aa{sv}u',
             'ret = ([{"time": "t", "action": "a", "slot": "s", "code": "c", "caller": "u",'
             ' "outcome": "ok", "detail": dbus.UInt32(1)}], dbus.UInt32(1))'),
            ('ListEvents', 'u', 'aa{sv}', 'ret = [{"time": "t"}]'),
            ('Diagnose', 'ss', 'a{sv}', 'ret = {"slot": "antivirus"}'),
        ]
        for name, in_sig, out_sig, code in methods:
            self.bus.call_sync('org.imss.License', '/org/imss/License', imsstest.MOCK_IFACE,
                               'AddMethod', GLib.Variant('(sssss)', ('org.imss.License', name,
                                                                     in_sig, out_sig, code)),
                               None, Gio.DBusCallFlags.NO_AUTO_START, 10000, None)

    def test_malformed_records(self):
        for args, what in ((['status'], 'the clock has no “today” (s)'),
                           (['history'], 'the history entry has no “detail” (s)'),
                           (['--json', 'history'], 'the history entry has no “detail” (s)'),
                           (['schedule'], 'the event has no “date” (s)'),
                           (['doctor', 'antivirus'], 'the diagnosis has no “environment” (s)')):
            rc, out, err = self.ctl(*args)
            self.assertEqual(rc, 1, (args, out, err))
            self.assertEqual(out, '', args)
            line = CliTest.assertOneLineError(self, (rc, out, err))
            self.assertEqual(line, 'imss-licensectl: The license service sent an answer this '
                             f'program cannot read: {what}', args)


if __name__ == '__main__':
    imsstest.main()
