#!/usr/bin/python3
'''imss-licensectl for the operator (issue 14), against the real daemon:
settings (show, set, reset, passwords from standard input only), mail test
received by an SMTP sink, check (Nagios exit codes on the virtual clock),
metrics (node-exporter textfile format, parsed) and the rough edges (no
command, extra arguments, per-command --help, JSON in UTF-8 under LANG=C).'''

import datetime
import json
import os
import re
import select
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import imsstest  # noqa: E402
from imsstest import SmtpSink  # noqa: E402

SECRET = 'Sm7p-pa55.word'
DAY = 86400


class SettingsCliTest(imsstest.ImssTestCase):
    autostart = False

    def setUp(self):
        super().setUp()
        self.smtp = SmtpSink(self)
        self.write_config(mail={'to': 'file@example.com', 'language': 'en'})
        self.start_daemon()

    def ok(self, result):
        rc, out, err = result
        self.assertEqual(rc, 0, f'stdout: {out}\nstderr: {err}')
        return out

    def test_round_trip(self):
        data = json.loads(self.ok(self.ctl('settings', '--json')))['settings']
        self.assertEqual(data['mail-to'], ['file@example.com'])
        self.assertEqual(data['stored'], [])
        out = self.ok(self.ctl('settings'))
        row = next(line for line in out.splitlines() if line.startswith('mail-to '))
        self.assertIn('file@example.com', row)
        self.assertTrue(row.rstrip().endswith('file'), row)

        self.ok(self.ctl('settings', 'set', 'mail-to', 'ops@example.com, noc@example.com'))
        self.ok(self.ctl('settings', 'set', 'proxy-port', '3128'))
        self.ok(self.ctl('settings', 'set', 'sender-filter-enabled', 'true'))
        s = self.get_property('Settings')
        self.assertEqual(s['mail-to'], ['ops@example.com', 'noc@example.com'])
        self.assertEqual(s['proxy-port'], 3128)
        self.assertTrue(s['sender-filter-enabled'])
        out = self.ok(self.ctl('settings'))
        row = next(line for line in out.splitlines() if line.startswith('mail-to '))
        self.assertIn('ops@example.com,noc@example.com', row)
        self.assertTrue(row.rstrip().endswith('stored'), row)

        # the daemon's own check, in its words; nothing changed
        rc, out, err = self.ctl('settings', 'set', 'mail-language', 'fr')
        self.assertEqual(rc, 1)
        self.assertIn('mail-language: expected ja or en', err)
        rc, out, err = self.ctl('settings', 'set', 'no-such', 'x')
        self.assertEqual(rc, 1)
        self.assertIn('no-such', err)
        rc, out, err = self.ctl('settings', 'set', 'mail-to')
        self.assertEqual(rc, 2, err)

        self.ok(self.ctl('settings', 'reset', 'mail-to', 'proxy-port'))
        s = self.get_property('Settings')
        self.assertEqual(s['mail-to'], ['file@example.com'])
        self.assertEqual(sorted(s['stored']), ['sender-filter-enabled'])

    def test_password_only_from_stdin(self):
        rc, out, err = self.ctl('settings', 'set', 'mail-password', SECRET)
        self.assertEqual(rc, 1)
        self.assertIn('not accepted on the command line', err)
        self.assertNotIn(SECRET, out + err)
        self.assertFalse(self.get_property('Settings')['mail-password-set'])

        out = self.ok(self.ctl('settings', 'set', 'mail-password', input=SECRET + '\n'))
        self.assertNotIn(SECRET, out)
        self.assertTrue(self.get_property('Settings')['mail-password-set'])
        self.ok(self.ctl('settings', 'set', 'proxy-user', 'imss'))
        self.ok(self.ctl('settings', 'set', 'proxy-password', '-', input=SECRET + '\n'))
        self.assertTrue(self.get_property('Settings')['proxy-password-set'])
        for args in (('settings',), ('settings', '--json')):
            out = self.ok(self.ctl(*args))
            self.assertNotIn(SECRET, out)
        self.assertIn('(set)', self.ok(self.ctl('settings')))
        self.assertNotIn(SECRET, self.daemon_log())
        self.ok(self.ctl('settings', 'reset', 'mail-password'))
        self.assertFalse(self.get_property('Settings')['mail-password-set'])

    def test_unprivileged_refused(self):
        before = self.get_property('Settings')
        # reading is open to everyone
        out = self.ok(self.ctl('settings', user='nobody'))
        self.assertIn('file@example.com', out)
        rc, out, err = self.ctl('settings', 'set', 'mail-to', 'x@example.com', user='nobody')
        self.assertEqual(rc, 1)
        self.assertIn('Access denied', err)
        rc, out, err = self.ctl('mail', 'test', user='nobody')
        self.assertEqual(rc, 1)
        self.assertIn('Access denied', err)
        self.assertEqual(self.get_property('Settings'), before)

    def test_mail_test(self):
        rc, out, err = self.ctl('mail', 'test')
        self.assertEqual(rc, 1)
        self.assertIn('mail-smtp', err)
        self.ok(self.ctl('settings', 'set', 'mail-smtp', f'smtp://127.0.0.1:{self.smtp.port}'))
        out = self.ok(self.ctl('mail', 'test'))
        self.assertIn('sent to 1 recipient(s)', out)
        self.wait_for(lambda: self.smtp.messages(), message='the test mail')
        (mail,) = self.smtp.messages()
        self.assertEqual(str(mail['To']).strip(), 'file@example.com')
        self.assertEqual(json.loads(self.ok(self.ctl('mail', 'test', '--json')))['result'],
                         'sent to 1 recipient(s)')
        # the SMTP server gone: what the daemon says
        self.smtp.stop()
        rc, out, err = self.ctl('mail', 'test')
        self.assertEqual(rc, 1)
        self.assertIn('The test mail was not delivered', err)
        # the metrics report the last mail as failed
        metrics = parse_metrics(self, self.ok(self.ctl('metrics')))
        self.assertEqual(metrics[('imss_license_last_mail_success', ())], 0)


SAMPLE = re.compile(r'^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{([^}]*)\})? (-?[0-9]+(\.[0-9]+)?)$')
LABEL = re.compile(r'^([a-zA-Z_][a-zA-Z0-9_]*)="([^"\\]*)"$')


def parse_metrics(test, text):
    '''node-exporter's textfile format: every line a comment (# HELP / # TYPE
    of a known metric) or a sample; returns {(name, labels): value}.'''
    samples = {}
    typed = set()
    test.assertTrue(text.endswith('\n'))
    for line in text.splitlines():
        if line.startswith('# HELP '):
            continue
        if line.startswith('# TYPE '):
            _, _, name, kind = line.split(' ')
            test.assertEqual(kind, 'gauge')
            typed.add(name)
            continue
        m = SAMPLE.match(line)
        test.assertIsNotNone(m, f'not a sample: {line!r}')
        labels = ()
        if m.group(3):
            pairs = [LABEL.match(p) for p in m.group(3).split(',')]
            test.assertTrue(all(pairs), line)
            labels = tuple((p.group(1), p.group(2)) for p in pairs)
        test.assertIn(m.group(1), typed, f'{line}: no # TYPE before')
        key = (m.group(1), labels)
        test.assertNotIn(key, samples, f'duplicate {line}')
        samples[key] = int(m.group(4))
    return samples


class CheckTest(imsstest.VirtualClockMixin, imsstest.ImssTestCase):
    autostart = False

    def setUp(self):
        os.environ['TZ'] = 'UTC'
        self.addCleanup(os.environ.pop, 'TZ', None)
        super().setUp()
        self.start_daemon(['--virtual-clock=2026-01-01T12:00:00'])

    def check(self, *args):
        rc, out, err = self.ctl('check', *args)
        self.assertEqual(err, '')
        self.assertEqual(len(out.splitlines()), 1, out)
        return rc, out.strip()

    def test_exit_codes(self):
        self.assertEqual(self.check(), (2, 'LICENSE CRITICAL - no license is activated'))
        expiry = datetime.date(2026, 3, 3)     # E-61 today
        self.activate('antivirus', self.make_code('antivirus', expiry=expiry))
        rc, out = self.check()
        self.assertEqual(rc, 0, out)
        self.assertEqual(out, 'LICENSE OK - antivirus expires in 61 days | '
                              'days_left_antivirus=61;60;15')
        # the thresholds are options
        self.assertEqual(self.check('--warning', '90')[0], 1)
        self.assertEqual(self.check('--warning', '90', '--critical', '70')[0], 2)
        rc, out, err = self.ctl('check', '--warning', '10', '--critical', '20')
        self.assertEqual(rc, 2)
        self.assertIn('--critical', err)

        # metrics at E-61
        m = parse_metrics(self, self.ok_ctl('metrics'))
        self.assertEqual(m[('imss_license_days_left', (('slot', 'antivirus'),))], 61)
        self.assertEqual(m[('imss_license_state', (('slot', 'antivirus'), ('state', 'active')))], 1)
        self.assertEqual(m[('imss_license_state', (('slot', 'antivirus'), ('state', 'grace')))], 0)
        self.assertEqual(m[('imss_license_state',
                            (('slot', 'antispam'), ('state', 'not-activated')))], 1)
        self.assertNotIn(('imss_license_days_left', (('slot', 'antispam'),)), m)
        self.assertEqual(m[('imss_license_up', ())], 1)
        # --output: written whole, in place of the old file
        out_file = self.tmp / 'imss-license.prom'
        out_file.write_text('old\n')
        self.assertEqual(self.ok_ctl('metrics', '--output', str(out_file)), '')
        self.assertEqual(parse_metrics(self, out_file.read_text()), m)
        self.assertEqual(out_file.stat().st_mode & 0o777, 0o644)
        self.assertEqual([p.name for p in self.tmp.iterdir() if 'imss-license.prom' in p.name],
                         ['imss-license.prom'])

        self.advance_to('2026-02-01T00:00:01')    # E-30
        rc, out = self.check()
        self.assertEqual((rc, out), (1, 'LICENSE WARNING - antivirus expires in 30 days | '
                                        'days_left_antivirus=30;60;15'))
        self.advance_to('2026-03-04T00:00:01')    # E+1: grace
        rc, out = self.check()
        self.assertEqual(rc, 2, out)
        self.assertTrue(out.startswith('LICENSE CRITICAL - antivirus expired on 2026-03-03, '
                                       'grace period: '), out)
        grace_end = self.slot_props('antivirus')['GraceEndDate']
        g = datetime.date.fromisoformat(grace_end)
        self.assertIn(f'grace period: {(g - datetime.date(2026, 3, 4)).days} days left', out)
        # status: the grace days left, never a negative number
        grace_left = (g - datetime.date(2026, 3, 4)).days
        row = next(line for line in self.ok_ctl('status').splitlines()
                   if line.startswith('antivirus '))
        self.assertIn(f'grace: {grace_left} days', row)
        self.assertNotIn(' -1 ', row)
        s = next(s for s in json.loads(self.ok_ctl('status', '--json'))['slots']
                 if s['slot'] == 'antivirus')
        self.assertEqual((s['days_left'], s['grace_days_left']), (-1, grace_left))
        m = parse_metrics(self, self.ok_ctl('metrics'))
        self.assertEqual(m[('imss_license_state', (('slot', 'antivirus'), ('state', 'grace')))], 1)
        self.assertEqual(m[('imss_license_days_left', (('slot', 'antivirus'),))], -1)
        self.advance_to((g + datetime.timedelta(days=1)).isoformat() + 'T00:00:01')   # G+1
        rc, out = self.check()
        self.assertEqual(rc, 2, out)
        self.assertIn('antivirus expired on 2026-03-03', out)
        self.assertNotIn('grace', out)

    def ok_ctl(self, *args):
        rc, out, err = self.ctl(*args)
        self.assertEqual(rc, 0, f'stdout: {out}\nstderr: {err}')
        return out

    def test_unknown_when_the_daemon_is_away(self):
        self.stop_daemon()
        rc, out, err = self.ctl('check')
        self.assertEqual(rc, 3, out + err)
        self.assertTrue(out.startswith('LICENSE UNKNOWN - '), out)
        rc, out, err = self.ctl('metrics')
        self.assertNotEqual(rc, 0)
        self.assertEqual(parse_metrics(self, out), {('imss_license_up', ()): 0})


class RoughEdgesTest(imsstest.ImssTestCase):

    def test_no_command_is_status(self):
        rc, out, err = self.ctl()
        self.assertEqual(rc, 0, err)
        self.assertEqual(out, self.ctl('status')[1])

    def test_extra_arguments(self):
        for args in (('status', 'antivirus'), ('update', 'now'), ('check', 'x'),
                     ('metrics', 'x'), ('mail', 'test', 'x'), ('settings', 'frobnicate')):
            with self.subTest(args=args):
                rc, out, err = self.ctl(*args)
                self.assertEqual(rc, 2, out + err)
                self.assertTrue(err.startswith('imss-licensectl: '), err)
                self.assertEqual(len(err.strip().splitlines()), 1, err)

    def test_json_utf8_under_lang_c(self):
        # the notices are rendered by the daemon in the client's language
        # (LANGUAGE=ja): the JSON keeps them in UTF-8 under LANG=C (cron)
        self.activate('antivirus', self.make_code(
            'antivirus', expiry=self.today() + datetime.timedelta(days=20)))
        rc, out, err = self.ctl('--json', 'notices', env={'LANG': 'C', 'LANGUAGE': 'ja'})
        self.assertEqual(rc, 0, err)
        self.assertNotIn('?', out)
        texts = ''.join(json.dumps(n, ensure_ascii=False) for n in json.loads(out))
        self.assertRegex(texts, r'[\u3040-\u30ff\u4e00-\u9fff]')

    def test_command_help(self):
        rc, out, err = self.ctl('status', '--help')
        self.assertEqual(rc, 0, err)
        self.assertIn('imss-licensectl [OPTION…] status', out)
        self.assertIn('Show every license slot', out)
        self.assertNotIn('Commands:', out)
        rc, out, err = self.ctl('-n', '5', 'history', '-h')
        self.assertIn('history', out.splitlines()[1])
        rc, out, err = self.ctl('--help')
        self.assertIn('Commands:', out)

    def test_edition_hint(self):
        code = self.make_code('antivirus', edition='imss')
        rc, out, err = self.ctl('activate', 'antivirus', input=code + '\n')
        self.assertEqual(rc, 1)
        self.assertEqual(len(err.strip().splitlines()), 1, err)
        self.assertIn('activation code is invalid', err)
        self.assertIn('This code is for IMSS 9.1 for Linux; this gateway is configured as '
                      'IMSVA 9.1 ([license] edition', err)
        self.assertNoCode(err, code)
        # a code of this edition that is wrong for another reason: no hint
        rc, out, err = self.ctl('activate', 'antivirus',
                                input=self.make_code('compliance', prefix='DL') + '\n')
        self.assertEqual(rc, 1)
        self.assertNotIn('This code is for', err)

    def test_json_everywhere(self):
        for args, key, value in ((('hide-inactive-notices',), 'inactive_notices_hidden', True),
                                 (('show-inactive-notices',), 'inactive_notices_hidden', False),
                                 (('bind-click-protection',), 'bound', True),
                                 (('settings', 'set', 'mail-from', 'imss@example.com'), 'set',
                                  'mail-from'),
                                 (('settings', 'reset', 'mail-from'), 'reset', ['mail-from'])):
            with self.subTest(args=args):
                if args[0] == 'bind-click-protection':
                    self.activate('antispam', self.make_code('antispam'))
                rc, out, err = self.ctl('--json', *args)
                self.assertEqual(rc, 0, err)
                self.assertEqual(json.loads(out), {key: value})
        self.activate('antivirus', self.make_code('antivirus'))
        rc, out, err = self.ctl('--json', 'details', 'antivirus')
        self.assertEqual(rc, 0, err)
        self.assertEqual(json.loads(out)['details_url'],
                         self.slot_props('antivirus')['DetailsUrl'])

    def test_status_names(self):
        out = self.ctl('status')[1]
        row = next(line for line in out.splitlines() if line.startswith('email-reputation '))
        self.assertIn('Email Reputation', row)

    def test_history_pager(self):
        import pty
        self.activate('antivirus', self.make_code('antivirus'))
        master, slave = pty.openpty()
        argv = [imsstest.find_program('IMSS_LICENSECTL', 'client/imss-licensectl'), 'history']
        env = dict(os.environ, DBUS_SYSTEM_BUS_ADDRESS=self.bus_address, LANG='C.UTF-8',
                   PAGER='sed "s/^/PAGED:/"')
        env.pop('LANGUAGE', None)

        def run(*extra):
            proc = subprocess.Popen(argv + list(extra), stdout=slave, stderr=subprocess.PIPE,
                                    stdin=subprocess.DEVNULL, env=env)
            _, err = proc.communicate(timeout=60)
            data = b''
            while True:
                r, _, _ = select.select([master], [], [], 0.5)
                if not r:
                    break
                data += os.read(master, 65536)
            self.assertEqual(proc.returncode, 0, err)
            return data.decode()
        paged = run()
        self.assertIn('PAGED:', paged)
        self.assertIn('activate', paged)
        plain = run('--no-pager')
        self.assertNotIn('PAGED:', plain)
        self.assertIn('activate', plain)
        # not on a terminal: no pager
        self.assertNotIn('PAGED:', self.ctl('history', env={'PAGER': 'sed "s/^/PAGED:/"'})[1])
        os.close(master)
        os.close(slave)


if __name__ == '__main__':
    os.environ.setdefault('LANG', 'C.UTF-8')
    imsstest.main()
