#!/usr/bin/python3
'''The journal (issue 14): operator-relevant events reach the journal with a
MESSAGE_ID, IMSS_SLOT= and the right priority, a fatal start-up error is
logged at err, and data/imss-licensed.catalog explains every MESSAGE_ID.

The daemon writes the journal's native protocol to /run/systemd/journal/socket
when its stderr is the journal's; $IMSS_JOURNAL_SOCKET points it at the fake
journal of this test (a datagram socket it reads), so the fields are exactly
what journald would store.'''

import os
import re
import socket
import subprocess
import struct
import tempfile
import threading

import imsstest

SRCDIR = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
HEADER = os.path.join(SRCDIR, 'daemon', 'imss-journal.h')
CATALOG = os.path.join(SRCDIR, 'data', 'imss-licensed.catalog')


def message_ids():
    with open(HEADER, encoding='utf-8') as f:
        return dict(re.findall(r'#define IMSS_MSGID_(\w+)\s+"([0-9a-f]{32})"', f.read()))


MSGID = message_ids()


def parse_datagram(data):
    '''The journal's native protocol: KEY=value lines, or KEY, newline,
    a 64-bit little-endian length and a binary value.'''
    fields, i = {}, 0
    while i < len(data):
        nl = data.index(b'\n', i)
        line = data[i:nl]
        if b'=' in line:
            key, value = line.split(b'=', 1)
            i = nl + 1
        else:
            key = line
            (n,) = struct.unpack('<Q', data[nl + 1:nl + 9])
            value = data[nl + 9:nl + 9 + n]
            i = nl + 9 + n + 1
        fields[key.decode()] = value.decode()
    return fields


class FakeJournal:
    def __init__(self, test):
        self.dir = tempfile.mkdtemp(prefix='imss-journal.')
        test.addCleanup(subprocess.call, ['rm', '-rf', self.dir])
        self.path = os.path.join(self.dir, 'socket')
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        self.sock.bind(self.path)
        os.chmod(self.dir, 0o755)
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 8 << 20)
        self.entries = []
        self.lock = threading.Lock()
        # journald reads all the time; so does this. The daemon never blocks
        # on a journal that does not: a full queue sends a line to stderr, an
        # event after a wait of up to 100 ms (on a machine without systemd
        # the kernel queues 10 datagrams, and --verbose's bursts fill that).
        self.thread = threading.Thread(target=self._reader, daemon=True)
        self.thread.start()
        test.addCleanup(self.sock.close)

    def _reader(self):
        while True:
            try:
                data = self.sock.recv(1 << 20)
            except OSError:
                return
            with self.lock:
                self.entries.append(parse_datagram(data))

    def read(self):
        with self.lock:
            return list(self.entries)

    def find(self, message_id, **fields):
        return [e for e in self.read() if e.get('MESSAGE_ID') == message_id
                and all(e.get(k) == v for k, v in fields.items())]


class JournalTest(imsstest.VirtualClockMixin, imsstest.ImssTestCase):
    autostart = False
    start = '2019-08-01T09:00:00'

    def setUp(self):
        os.environ['TZ'] = 'Asia/Tokyo'
        self.addCleanup(os.environ.pop, 'TZ', None)
        super().setUp()
        self.journal = FakeJournal(self)

    def daemon_env(self):
        env = super().daemon_env()
        env['IMSS_JOURNAL_SOCKET'] = self.journal.path
        env['LANGUAGE'] = 'ja'          # logs stay English whatever the locale
        return env

    def test_events_have_ids_slots_and_priorities(self):
        self.write_config()             # no [mail] recipient: reported in the journal
        self.start_daemon([f'--virtual-clock={self.start}'])
        code = self.make_code('antivirus', expiry='2019-12-31')
        self.activate('antivirus', code)
        self.wait_for(lambda: self.journal.find(MSGID['ACTIVATED'], IMSS_SLOT='antivirus'),
                      message='the activation in the journal')
        (activated,) = self.journal.find(MSGID['ACTIVATED'], IMSS_SLOT='antivirus')
        self.assertEqual(activated['PRIORITY'], '5')
        self.assertEqual(activated['SYSLOG_IDENTIFIER'], 'imss-licensed')
        self.assertRegex(activated['MESSAGE'], r'^activated \S+ on antivirus ')
        self.assertNotIn(code, activated['MESSAGE'])
        for entry in self.journal.read():
            for value in entry.values():
                self.assertNotIn(code, value, 'an activation code in the journal')

        # E-60 (2019-11-01): expiring; E-15: the mail that has no recipient;
        # E: grace; G (2020-03-30): updates end
        self.advance_to('2019-11-01T12:00:00')
        expiring = {'IMSS_SLOT': 'antivirus', 'MESSAGE': 'antivirus: active -> expiring'}
        self.wait_for(lambda: self.journal.find(MSGID['STATE_CHANGED'], **expiring),
                      message='expiring in the journal')
        self.assertEqual([e['PRIORITY'] for e in self.journal.find(MSGID['STATE_CHANGED'],
                                                                    **expiring)], ['5'])
        self.advance_to('2019-12-17T12:00:00')
        self.wait_for(lambda: self.journal.find(MSGID['MAIL_FAILED'], IMSS_SLOT='antivirus'),
                      message='the mail without a recipient in the journal')
        for mail in self.journal.find(MSGID['MAIL_FAILED'], IMSS_SLOT='antivirus'):
            self.assertEqual(mail['PRIORITY'], '5')     # not sent: nobody to send it to
            self.assertIn('no recipients configured', mail['MESSAGE'])
        self.advance_to('2020-03-31T12:00:00')
        self.wait_for(lambda: self.journal.find(MSGID['GRACE_ENDED'], IMSS_SLOT='antivirus'),
                      message='the end of the grace period in the journal')
        (ended,) = self.journal.find(MSGID['GRACE_ENDED'], IMSS_SLOT='antivirus')
        self.assertEqual(ended['PRIORITY'], '5')
        self.assertTrue(self.journal.find(MSGID['STATE_CHANGED'], IMSS_SLOT='antivirus',
                                          MESSAGE='antivirus: expiring -> grace'))
        self.assertEqual(ended['MESSAGE'], 'antivirus: grace -> expired')
        # an automatic check that could not reach the server
        self.assertTrue(self.journal.find(MSGID['CHECK_FAILED'], IMSS_SLOT='antivirus'),
                        [e.get('MESSAGE') for e in self.journal.read()][-20:])
        self.assertEqual({e['PRIORITY'] for e in self.journal.find(MSGID['CHECK_FAILED'])}, {'4'})

    def test_refused_profile(self):
        self.write_config()
        self.start_daemon([f'--virtual-clock={self.start}'])
        self.polkit_allow_all()
        with self.assertRaises(imsstest.GLib.Error):
            self.call('ApplyProfile', {'origin': imsstest.GLib.Variant('s', 'tmcm.example'),
                                       'slot': imsstest.GLib.Variant('s', 'nonsense')})
        self.wait_for(lambda: self.journal.find(MSGID['DEPLOYMENT_FAILED']),
                      message='the refused deployment in the journal')
        self.assertEqual(self.journal.find(MSGID['DEPLOYMENT_FAILED'])[0]['PRIORITY'], '4')

    def test_fatal_start_error_at_err(self):
        self.write_config(license={'edition': 'nonsense'})
        proc = subprocess.run([self.daemon_path, '--config', str(self.config_path),
                               '--state-dir', str(self.state_dir)],
                              env=self.daemon_env(), capture_output=True, text=True, timeout=60)
        self.assertEqual(proc.returncode, 1, proc.stderr)
        # the entry was sent before the exit; the reader thread may not
        # have taken it from the socket yet
        self.wait_for(lambda: self.journal.find(MSGID['START_FAILED']),
                      message='the start failure in the journal')
        (fatal,) = self.journal.find(MSGID['START_FAILED'])
        self.assertEqual(fatal['PRIORITY'], '3')
        self.assertIn('edition', fatal['MESSAGE'])
        self.assertIn('imss-licensed.conf', fatal['MESSAGE'])


class LoginNoticeTest(imsstest.VirtualClockMixin, imsstest.ImssTestCase):
    '''The login notice (/run/motd.d/imss-license; here the test's
    directory): from E-60 one line per license, in the mails' language;
    gone once renewed.'''
    autostart = False

    def test_motd_from_e60_until_renewed(self):
        os.environ['TZ'] = 'Asia/Tokyo'
        self.addCleanup(os.environ.pop, 'TZ', None)
        self.write_config(mail={'language': 'en'})
        self.start_daemon(['--virtual-clock=2019-08-01T09:00:00'])
        self.activate('antivirus', self.make_code('antivirus', expiry='2019-12-31'))
        self.activate('compliance', self.make_code('compliance', expiry='2020-12-31'))
        self.assertFalse(self.motd_path.exists())       # inactive notices are not for logins
        self.advance_to('2019-11-01T09:00:00')          # E-60 of antivirus
        self.wait_for(self.motd_path.exists, message='the login notice')
        self.assertEqual(self.motd_path.read_text(),
                         'InterScan Messaging Security licenses (imss-licensectl status):\n'
                         '  The support contract for Antivirus and Content Filter ends in 60 '
                         'days. To maintain protection and update product components, you must '
                         'renew the contract.\n')
        self.assertEqual(self.motd_path.stat().st_mode & 0o777, 0o644)
        self.advance_to('2019-11-02T09:00:00')
        self.wait_for(lambda: 'ends in 59 days' in self.motd_path.read_text(),
                      message='the next day\'s count')
        # renewed: the notice goes
        self.activate('antivirus', self.make_code('antivirus', expiry='2020-12-31'))
        self.wait_for(lambda: not self.motd_path.exists(), message='the notice to go')

    def test_motd_after_activating_into_e60(self):
        '''A code activated 45 days before its expiry: the login notice is
        there at once, not at the next 00:00 (found running the demo).'''
        os.environ['TZ'] = 'Asia/Tokyo'
        self.addCleanup(os.environ.pop, 'TZ', None)
        self.write_config(mail={'language': 'en'})
        self.start_daemon(['--virtual-clock=2019-11-16T09:00:00'])
        self.activate('antivirus', self.make_code('antivirus', expiry='2019-12-31'))
        self.wait_for(self.motd_path.exists, message='the login notice')
        self.assertIn('ends in 45 days', self.motd_path.read_text())


def catalog_ids():
    with open(CATALOG, encoding='utf-8') as f:
        return re.findall(r'^-- ([0-9a-f]{32})$', f.read(), re.M)


class JournalCatalogTest(imsstest.ImssTestCase):
    autostart = False

    def test_catalog_explains_every_message_id(self):
        '''journalctl itself reads the catalog (in a private root) and lists
        an entry for every MESSAGE_ID the daemon logs.'''
        self.assertEqual(sorted(catalog_ids()), sorted(MSGID.values()))
        root = tempfile.mkdtemp(prefix='imss-catalog.')
        self.addCleanup(subprocess.call, ['rm', '-rf', root])
        os.makedirs(os.path.join(root, 'usr/lib/systemd/catalog'))
        subprocess.check_call(['cp', CATALOG, os.path.join(root, 'usr/lib/systemd/catalog')])
        subprocess.check_call(['journalctl', f'--root={root}', '--update-catalog'])
        out = subprocess.check_output(['journalctl', f'--root={root}', '--list-catalog'],
                                      text=True)
        for name, mid in MSGID.items():
            with self.subTest(name=name):
                self.assertRegex(out, rf'(?m)^{mid} imss-license: \S')


if __name__ == '__main__':
    imsstest.main()
