#!/usr/bin/python3
'''Hostile and broken input to Activate (SPEC §2, §6, §11): every bad code is
InvalidCode (or UnknownSlot / NotAuthorized / AccessDenied), nothing in the
state directory changes by a single byte, and neither the errors nor the
daemon log ever show the code.'''

import os
import pwd
import re
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import imsstest  # noqa: E402
from imsstest import (IFACE, INTROSPECTION, OBJECT_PATH, SLOTS,  # noqa: E402
                      dbus_error_message, slot_path)

# members of our interfaces an unprivileged user may call (the bus policy's
# allowlist); every other method in introspection/ must be refused by the bus
# itself. A new read-only method goes into data/org.imss.License.conf AND here.
READ_MEMBERS = {'org.imss.License': {'GetHistory', 'GetHistoryPage', 'ListEvents', 'GetClock',
                                        'GetNotices', 'ListNodes'}}


class BadInputTest(imsstest.ImssTestCase):
    edition = 'imsva'

    def setUp(self):
        super().setUp()
        # a populated database, so that "unchanged" means something
        self.good = self.make_code('antivirus')
        self.activate('antivirus', self.good)
        self.antispam = self.make_code('antispam')
        self.activate('antispam', self.antispam)
        self.settle()
        self.props_before = {slot: self.slot_props(slot) for slot in SLOTS}

    def assertRejected(self, error_name, slot, code, shown=None):
        '''Activate(slot, code) fails with error_name, changes nothing and
        does not leak the code (shown: what must not appear, default code).'''
        snapshot = self.db_snapshot()
        log_before = self.daemon_log()
        restarts = self.restarted_units()
        e = self.assertDBusError(error_name, self.activate, slot, code)
        self.assertSnapshotEqual(snapshot)
        self.assertEqual(self.restarted_units(), restarts, 'a rejected code restarted services')
        self.assertDaemonRunning()
        secret = code if shown is None else shown
        self.assertNoCode(e.message, secret, 'the error message')
        new_log = self.daemon_log()[len(log_before):]
        self.assertNoCode(new_log, secret, 'the daemon log')
        self.assertEqual({s: self.slot_props(s) for s in SLOTS}, self.props_before)
        return e

    def test_unknown_slot(self):
        for slot in ('no-such-slot', '', 'ANTIVIRUS', 'antivirus ', 'email_reputation',
                     'antivirus\n', "antivirus'; DROP TABLE slots;--", 'x' * 32,
                     '../../etc/passwd', 'スパム'):
            with self.subTest(slot=slot[:40]):
                e = self.assertRejected('UnknownSlot', slot, self.make_code('antivirus'))
                self.assertTrue(dbus_error_message(e))

    def test_empty_and_short(self):
        for code in ('', ' ', '\t\n', 'IM', 'IM-', 'IM-1234', 'IM-XXXX-XXXXX',
                     self.good[:-1], self.good + 'A', self.good + '-ABCDE'):
            with self.subTest(code=code):
                self.assertRejected('InvalidCode', 'antivirus', code)

    def test_huge(self):
        '''Beyond 128 bytes a code is not parsed: InvalidArgs at the bus edge
        (tests/test-hostile.py has the bounds of every argument).'''
        other = self.make_code('antivirus')
        for code in ('A' * (1 << 20), 'IM-' + 'A' * (1 << 20), self.good * 30000,
                     other + 'A' * (1 << 20), ' ' * (1 << 20) + other + '-' * (1 << 20)):
            with self.subTest(length=len(code)):
                self.assertRejected('InvalidArgs', 'antivirus', code, shown=other)
        for slot in ('x' * 65536, 'antivirus' + ' ' * 24):
            with self.subTest(slot_length=len(slot)):
                self.assertRejected('InvalidArgs', slot, other)

    def test_non_ascii(self):
        fullwidth = ''.join(chr(ord(c) + 0xFEE0) if '!' <= c <= '~' else c for c in self.good)
        for code in (fullwidth,
                     self.good.replace('-', '\u2010'),           # Unicode hyphen
                     self.good[:5] + '\u200b' + self.good[5:],  # zero-width space
                     self.good[:-1] + 'É',
                     'IM-ライセンス-コード',
                     '\U0001F511' * 37):
            with self.subTest(code=code):
                self.assertRejected('InvalidCode', 'antivirus', code, shown=self.good)

    def test_wrong_prefix_for_slot(self):
        cases = [('antivirus', self.make_code('compliance', prefix='DL')),
                 # AS- codes exist for imss only
                 ('antispam', self.try_code('antispam', prefix='AS')
                  or self.make_code('antispam', prefix='AS', edition='imss')),
                 ('antivirus', 'XX' + self.good[2:]),
                 ('antivirus', 'DL' + self.good[2:]),
                 ('antivirus', 'AS' + self.good[2:])]
        for slot, code in cases:
            with self.subTest(slot=slot, code=code[:3]):
                self.assertRejected('InvalidCode', slot, code)

    def test_other_edition(self):
        for slot in ('antivirus', 'antispam', 'email-encryption', 'cloud-prefilter'):
            with self.subTest(slot=slot):
                self.assertRejected('InvalidCode', slot, self.make_code(slot, edition='imss'))
        self.assertRejected('InvalidCode', 'compliance',
                            self.make_code('compliance', edition='imss', prefix='DL'))

    def test_code_for_another_slot(self):
        self.assertRejected('InvalidCode', 'cloud-prefilter', self.make_code('antivirus'))

    def _alphabet(self):
        chars = set()
        for _ in range(4):
            chars.update(self.make_code('antivirus').replace('-', '')[2:])
        return sorted(chars)

    def test_single_character_errors(self):
        '''Every single-character substitution and every swap of two
        adjacent characters of a valid code is caught (offline, by the check
        value).'''
        alphabet = self._alphabet()
        code = self.make_code('antivirus')
        positions = [i for i, c in enumerate(code) if c != '-' and i >= 3]
        for i in positions:
            replacement = next(c for c in alphabet if c != code[i])
            typo = code[:i] + replacement + code[i + 1:]
            with self.subTest(substitution=i):
                self.assertRejected('InvalidCode', 'antivirus', typo, shown=code)
        plain = code.replace('-', '')
        for i in range(2, len(plain) - 1):
            if plain[i] == plain[i + 1]:
                continue
            swapped = plain[:i] + plain[i + 1] + plain[i] + plain[i + 2:]
            with self.subTest(swap=i):
                self.assertRejected('InvalidCode', 'antivirus', swapped, shown=code)

    def test_sql_metacharacters(self):
        for code in ("IM-'; DROP TABLE slots;--",
                     "IM-' OR '1'='1",
                     'IM-"; DELETE FROM history; --',
                     "IM-XXXX-XXXXX-XXXXX-XXXXX-XXXXX-'--;",
                     "IM-\\'; SELECT pg_sleep(5);--",
                     '%s%s%s%n%n',
                     "$(reboot)`id`"):
            with self.subTest(code=code):
                self.assertRejected('InvalidCode', 'antivirus', code)
        # the tables are all still there
        self.restart_daemon()
        self.assertEqual({s: self.slot_props(s) for s in SLOTS}, self.props_before)
        self.assertTrue(self.history())

    def test_not_authorized(self):
        code = self.make_code('antivirus')
        self.polkit_deny_all()
        self.assertRejected('NotAuthorized', 'antivirus', code)
        self.assertRejected('NotAuthorized', 'antispam', self.make_code('antispam'))
        snapshot = self.db_snapshot()
        self.assertDBusError('NotAuthorized', self.call, 'BindClickProtection')
        self.assertDBusError('NotAuthorized', self.call, 'ReleaseClickProtection')
        self.assertSnapshotEqual(snapshot)
        # the wrong action does not help either
        self.polkit_allow(['org.imss.license.update', 'org.imss.license.click-protection'])
        self.assertRejected('NotAuthorized', 'antivirus', code)
        self.polkit_allow(['org.imss.license.activate'])
        self.assertDBusError('NotAuthorized', self.call, 'BindClickProtection')
        self.assertSnapshotEqual(snapshot)
        # and the right one does
        self.activate('antivirus', code)
        self.assertEqual(self.slot_props('antivirus')['State'], 'active')

    def test_cli_invalid_utf8(self):
        '''Bytes that are no UTF-8 cannot travel as a D-Bus string: the CLI
        refuses them itself (one line, non-zero exit) and nothing changes.'''
        for raw in (b'IM-\xff\xfe\xfd', self.good.encode()[:10] + b'\xc3\x28' + self.good.encode()[12:],
                    b'\x80' * 37, self.good.encode() + b'\xed\xa0\x80',
                    b'IM-' + b'\x00' * 34):
            with self.subTest(raw=raw[:16]):
                snapshot = self.db_snapshot()
                rc, out, err = self.ctl('activate', 'antivirus', input=raw + b'\n')
                self.assertNotEqual(rc, 0, out)
                self.assertEqual(len(err.strip().splitlines()), 1, err)
                self.assertNoCode(out + err, self.good)
                self.assertSnapshotEqual(snapshot)
        self.assertDaemonRunning()
        self.assertNoCode(self.daemon_log(), self.good, 'the daemon log')

    def test_cli_bad_codes(self):
        for code in ('', 'IM-1234', "IM-'; DROP TABLE slots;--", self.good[:-1] + '?'):
            with self.subTest(code=code):
                snapshot = self.db_snapshot()
                rc, out, err = self.ctl('activate', 'antivirus', input=code + '\n')
                self.assertNotEqual(rc, 0)
                self.assertEqual(len(err.strip().splitlines()), 1, err)
                self.assertIn('activation code is invalid', err)
                if len(code) >= 8:
                    self.assertNotIn(code, out + err)
                self.assertSnapshotEqual(snapshot)

    # ------------------------------------------------------------------ policy

    def test_cli_as_nobody(self):
        snapshot = self.db_snapshot()
        rc, out, err = self.ctl('activate', 'antivirus', input=self.make_code('antivirus') + '\n',
                                user='nobody')
        self.assertNotEqual(rc, 0, out)
        self.assertEqual(len(err.strip().splitlines()), 1, err)
        self.assertRegex(err, re.compile(r'access denied|AccessDenied', re.I))
        for command in ('bind-click-protection', 'release-click-protection'):
            rc, out, err = self.ctl(command, user='nobody')
            self.assertNotEqual(rc, 0, out)
            self.assertRegex(err, re.compile(r'access denied|AccessDenied', re.I))
        self.assertSnapshotEqual(snapshot)

        # reading works
        rc, out, err = self.ctl('status', user='nobody')
        self.assertEqual(rc, 0, err)
        self.assertIn('antivirus', out)
        self.assertNoCode(out, self.good, 'status')
        rc, out, err = self.ctl('--json', 'status', user='nobody')
        self.assertEqual(rc, 0, err)
        rc, out, err = self.ctl('history', user='nobody')
        self.assertEqual(rc, 0, err)
        self.assertNoCode(out, self.good, 'history')
        self.assertSnapshotEqual(snapshot)

    def test_policy_allowlist(self):
        '''The bus policy lets nobody call only the read members: every other
        member of introspection/org.imss.License.xml, Properties.Set and
        unknown members are refused by the bus (AccessDenied).'''
        # GVariant text for gdbus call
        dummy = {'s': "'antivirus'", 'u': 'uint32 0', 'b': 'true', 'a{sv}': '@a{sv} {}',
                 'as': '@as []', 'o': "objectpath '/'", 'x': 'int64 0', 't': 'uint64 0'}
        by_name = {'language': "'en'"}     # a language is a language tag
        self.assertIn(IFACE, INTROSPECTION)
        for iface in INTROSPECTION.values():
            for method in iface.methods:
                args = [by_name.get(a.name, dummy.get(a.signature, "''")) for a in method.in_args]
                with self.subTest(method=f'{iface.name}.{method.name}'):
                    rc, out, err = self.nobody_call(method.name, *args, interface=iface.name)
                    if method.name in READ_MEMBERS.get(iface.name, ()):
                        self.assertEqual(rc, 0, err)
                    else:
                        self.assertIn('org.freedesktop.DBus.Error.AccessDenied', err)
        for interface, method, args in (
                ('org.freedesktop.DBus.Properties', 'Set', [f"'{IFACE}'", "'Edition'", "<'imss'>"]),
                (IFACE, 'NoSuchMethod', []),
                ('org.example.Other', 'Activate', ["'antivirus'", f"'{self.good}'"])):
            with self.subTest(method=f'{interface}.{method}'):
                rc, out, err = self.nobody_call(method, *args, interface=interface)
                self.assertIn('org.freedesktop.DBus.Error.AccessDenied', err)
        for interface, method, args, path in (
                ('org.freedesktop.DBus.Properties', 'GetAll', [f"'{IFACE}'"], OBJECT_PATH),
                ('org.freedesktop.DBus.Properties', 'Get', [f"'{IFACE}'", "'Edition'"], OBJECT_PATH),
                ('org.freedesktop.DBus.Properties', 'GetAll', ["'org.imss.License.Slot'"],
                 slot_path('antivirus')),
                ('org.freedesktop.DBus.ObjectManager', 'GetManagedObjects', [], OBJECT_PATH),
                ('org.freedesktop.DBus.Introspectable', 'Introspect', [], OBJECT_PATH),
                ('org.freedesktop.DBus.Peer', 'Ping', [], OBJECT_PATH)):
            with self.subTest(method=f'{interface}.{method}'):
                rc, out, err = self.nobody_call(method, *args, interface=interface, path=path)
                self.assertEqual(rc, 0, err)
                self.assertNoCode(out, self.good)
        self.assertEqual({s: self.slot_props(s) for s in SLOTS}, self.props_before)


class DelegationTest(imsstest.ImssTestCase):
    '''The imss-admin group (issue 14): its members pass the bus policy for
    every member of org.imss.License, and polkit then decides; other users
    stay read-only. A test user and the group are made for the test (and
    removed after it) before the private bus reads the policy.'''
    USER = 'imss-test-admin'
    made = []

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        if subprocess.run(['getent', 'group', 'imss-admin'], capture_output=True).returncode != 0:
            subprocess.run(['groupadd', '--system', 'imss-admin'], check=True)
            cls.made.append(['groupdel', 'imss-admin'])
        if subprocess.run(['getent', 'passwd', cls.USER], capture_output=True).returncode != 0:
            subprocess.run(['useradd', '--system', '--no-create-home', '--shell', '/usr/sbin/nologin',
                            '--groups', 'imss-admin', cls.USER], check=True)
            cls.made.insert(0, ['userdel', cls.USER])

    @classmethod
    def tearDownClass(cls):
        for argv in cls.made:
            subprocess.run(argv, check=False)
        super().tearDownClass()

    def admin_call(self, method, *args):
        pw = pwd.getpwnam(self.USER)
        argv = ['setpriv', f'--reuid={pw.pw_uid}', f'--regid={pw.pw_gid}', '--init-groups',
                'gdbus', 'call', '--system', '--dest', imsstest.BUS_NAME, '--object-path',
                OBJECT_PATH, '--method', f'{IFACE}.{method}'] + list(args)
        proc = subprocess.run(argv, capture_output=True, text=True, timeout=60,
                              env=dict(os.environ, DBUS_SYSTEM_BUS_ADDRESS=self.bus_address))
        return proc.returncode, proc.stdout, proc.stderr

    def test_admin_group_may_change_through_polkit(self):
        rc, out, err = self.admin_call('SetInactiveNoticesHidden', 'true')
        self.assertEqual(rc, 0, err)
        self.assertTrue(self.get_property('InactiveNoticesHidden'))
        (entry,) = [h for h in self.history() if h['action'] == 'hide-inactive-notices']
        self.assertEqual(entry['caller'], f'uid {pwd.getpwnam(self.USER).pw_uid}')
        # polkit still decides
        self.polkit_deny_all()
        rc, out, err = self.admin_call('SetInactiveNoticesHidden', 'false')
        self.assertIn('org.imss.License.Error.NotAuthorized', err)
        self.assertTrue(self.get_property('InactiveNoticesHidden'))
        # nobody else gets past the bus
        rc, out, err = self.nobody_call('SetInactiveNoticesHidden', 'false')
        self.assertIn('org.freedesktop.DBus.Error.AccessDenied', err)


if __name__ == '__main__':
    imsstest.main()
