#!/usr/bin/python3
'''The license server, end to end: the daemon against the real simulator
(imss-license-server) on loopback, the systemd mock counting restarts, a
real proxy (tinyproxy). SPEC §4-§8.'''

import datetime
import json
import os
import shutil
import signal
import socket
import ssl
import subprocess
import time
import urllib.request
from pathlib import Path

import imsstest
from imsstest import GLib
from testca import TestCA

SCAN = 'imss-scan.service'
POLICY = 'imss-policy.service'
SENDER = 'imss-sender-filter.service'


class Simulator:
    '''imss-license-server on a random loopback port, with its admin API;
    with a TestCA, over HTTPS with a certificate of that CA.'''

    def __init__(self, test, today=None, ca=None):
        path = imsstest.find_program('IMSS_LICENSE_SERVER', 'tools/server/imss-license-server')
        self.port_file = test.tmp / 'server.port'
        if self.port_file.exists():
            self.port_file.unlink()
        args = [path, '--port-file', str(self.port_file)]
        if today:
            args += ['--today', today]
        if ca:
            args += ['--tls-cert', str(ca.cert), '--tls-key', str(ca.key)]
        self.log = open(test.tmp / 'server.log', 'wb')
        self.proc = subprocess.Popen(args, stdout=self.log, stderr=subprocess.STDOUT,
                                     stdin=subprocess.DEVNULL)
        deadline = time.monotonic() + 20
        while not self.port_file.exists() or not self.port_file.read_text().strip():
            if self.proc.poll() is not None or time.monotonic() > deadline:
                test.fail('imss-license-server did not start: '
                          + (test.tmp / 'server.log').read_text())
            time.sleep(0.02)
        self.port = int(self.port_file.read_text().strip())
        self.base = f'https://localhost:{self.port}' if ca else f'http://127.0.0.1:{self.port}'
        self.url = self.base + '/ollu/license_update.aspx'
        handlers = [urllib.request.ProxyHandler({})]
        if ca:
            context = ssl.create_default_context(cafile=str(ca.ca))
            handlers.append(urllib.request.HTTPSHandler(context=context))
        self.opener = urllib.request.build_opener(*handlers)
        test.addCleanup(self.stop)

    def stop(self):
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.log.close()

    def admin(self, what, **body):
        data = json.dumps(body).encode() if body or what != 'log' else None
        req = urllib.request.Request(f'{self.base}/admin/{what}', data=data,
                                     method='POST' if data is not None else 'GET',
                                     headers={'Content-Type': 'application/json'})
        with self.opener.open(req, timeout=10) as r:
            return json.loads(r.read() or b'null')

    def requests(self):
        return self.admin('log')


class ServerTestBase(imsstest.VirtualClockMixin, imsstest.ImssTestCase):
    autostart = False
    sender_filter = False
    virtual_start = None
    tls = False  # the simulator over HTTPS, its test CA in [license-server] ca-file

    def setUp(self):
        os.environ['TZ'] = 'Asia/Tokyo'
        self.addCleanup(os.environ.pop, 'TZ', None)
        super().setUp()
        self.ca = TestCA(self.tmp) if self.tls else None
        self.sim = Simulator(self, today=self.server_today(), ca=self.ca)
        self.write_config(edition=self.edition, license_server=self.license_server(),
                          services={'sender_filter_enabled': self.sender_filter})
        args = [f'--virtual-clock={self.virtual_start}'] if self.virtual_start else []
        self.start_daemon(args)

    def server_today(self):
        return None

    def license_server(self, **keys):
        '''The [license-server] section for the simulator.'''
        section = {'url': self.sim.url, 'timeout': 3 if not self.valgrind else 20}
        if self.ca:
            section['ca_file'] = str(self.ca.ca)
        section.update(keys)
        return {k: v for k, v in section.items() if v is not None}

    def update(self):
        return self.call('UpdateStatus')

    def activate_renewed(self):
        '''Activates an antivirus code that the server has renewed for a year;
        returns the code and the server's expiry.'''
        e = self.today() + datetime.timedelta(days=200)
        code = self.make_code('antivirus', expiry=e)
        later = e + datetime.timedelta(days=365)
        self.sim.admin('renew', code=code, expiry=str(later))
        self.activate('antivirus', code)
        return code, later


class ActivationOnlineTest(ServerTestBase):
    def test_activation_asks_the_server_and_restarts(self):
        code, later = self.activate_renewed()
        props = self.slot_props('antivirus')
        self.assertEqual(props['ExpiryDate'], str(later))      # the server's date
        self.assertTrue(props['ExpiryVerified'])
        self.assertEqual(props['ServerStatus'], 'valid')
        self.assertNotEqual(props['LastVerified'], '')
        self.assertTrue(props['DetailsUrl'].startswith(self.sim.base + '/ollu/license_details.aspx?id='))
        self.assertNoCode(props['DetailsUrl'], code, 'DetailsUrl')
        self.settle()
        self.assertEqual(self.restarted_units(), [SCAN, POLICY])
        # the details page is there
        with urllib.request.urlopen(props['DetailsUrl'], timeout=10) as r:
            self.assertEqual(r.status, 200)
        # re-activating the same code asks nothing and restarts nothing
        n = len(self.sim.requests())
        self.activate('antivirus', code)
        self.settle()
        self.assertEqual(len(self.sim.requests()), n)
        self.assertEqual(self.restarted_units(), [SCAN, POLICY])

    def test_no_desktop_proxy_settings(self):
        '''The daemon reaches the server through its own proxy setting only:
        asking GIO for the desktop's proxy would load the GNOME proxy module
        and GSettings (dconf) into a system service.'''
        self.activate_renewed()
        self.assertTrue(self.slot_props('antivirus')['ExpiryVerified'])
        maps = Path(f'/proc/{self.daemon.pid}/maps').read_text()
        # (GIO still opens the resolver modules to find its "dummy" one:
        # libproxy.so stays mapped, unused)
        loaded = sorted({line.split()[-1] for line in maps.splitlines()
                         if any(lib in line for lib in ('libgiognomeproxy', 'libdconfsettings',
                                                        'gschemas.compiled', '/dconf/'))})
        self.assertEqual(loaded, [])

    def test_unreachable_at_activation_keeps_the_codes_date(self):
        self.sim.admin('fault', mode='error')
        e = self.today() + datetime.timedelta(days=100)
        self.activate('antivirus', self.make_code('antivirus', expiry=e))
        props = self.slot_props('antivirus')
        self.assertEqual(props['ExpiryDate'], str(e))
        self.assertFalse(props['ExpiryVerified'])
        self.assertIn('500', props['LastCheckError'])
        self.settle()
        self.assertEqual(self.restarted_units(), [SCAN, POLICY])

    def test_offline_codes_never_go_online(self):
        self.activate('compliance', self.make_code('compliance', offline=True))
        self.assertEqual(self.update(), 'unchanged')
        self.settle()
        self.assertEqual(self.sim.requests(), [])
        self.assertTrue(self.slot_props('compliance')['ExpiryVerified'])


class ModuleTest(ServerTestBase):
    '''libsoup is opened at the first request, in a module of its own
    (docs/lean.md): a start maps neither it nor GMime.'''

    def test_libsoup_is_mapped_from_the_first_request(self):
        self.assertMapped('libsoup-3.0', 'libgmime-3.0', 'imss-http-soup', 'imss-mime-gmime',
                          mapped=False)
        self.activate_renewed()
        self.assertTrue(self.slot_props('antivirus')['ExpiryVerified'])
        self.assertMapped('libsoup-3.0', 'imss-http-soup')
        self.assertMapped('libgmime-3.0', 'imss-mime-gmime', mapped=False)


class BrokenModuleTest(ServerTestBase):
    '''A broken installation (the HTTP module unreadable): the online check
    fails with the reason, as an unreachable server does, and the daemon runs
    on.'''

    def daemon_env(self):
        env = super().daemon_env()
        modules = self.tmp / 'modules'
        modules.mkdir(exist_ok=True)
        (modules / 'imss-http-soup.so').write_text('not a module\n')
        env['IMSS_MODULE_DIR'] = str(modules)
        return env

    def test_activation_without_the_http_module(self):
        e = self.today() + datetime.timedelta(days=100)
        self.activate('antivirus', self.make_code('antivirus', expiry=e))
        props = self.slot_props('antivirus')
        self.assertEqual(props['ExpiryDate'], str(e))      # the code's date
        self.assertFalse(props['ExpiryVerified'])
        self.assertIn('cannot load the module imss-http-soup', props['LastCheckError'])
        self.assertIn('imss-http-soup.so', props['LastCheckError'])
        self.assertEqual(self.sim.requests(), [])
        self.assertIn('cannot load the module imss-http-soup', self.daemon_log())
        # and again at the next request: a failure is not remembered
        self.assertDBusError('ServerUnreachable', self.update)
        self.assertIn('cannot load the module imss-http-soup',
                      self.slot_props('antivirus')['LastCheckError'])
        self.assertDaemonRunning()


class ManualUpdateTest(ServerTestBase):
    sender_filter = True

    def test_unchanged_restarts_nothing(self):
        code = self.make_code('antivirus')
        self.activate('antivirus', code)
        self.settle()
        self.clear_restarts()
        self.assertEqual(self.update(), 'unchanged')
        self.settle()
        self.assertEqual(self.restarted_units(), [])
        rc, out, err = self.ctl('update')
        self.assertEqual((rc, out.strip()), (0, 'No update is necessary.'))
        rc, out, err = self.ctl('update', env={'LANGUAGE': 'ja'})
        self.assertEqual(out.strip(), '必要なアップデートはありません。')

    def test_changed_restarts_scan_policy_and_sender_filter(self):
        code = self.make_code('antispam')
        self.activate('antispam', code)
        self.settle()
        self.clear_restarts()
        new = str(self.today() + datetime.timedelta(days=800))
        self.sim.admin('renew', code=code, expiry=new)
        changed = self.subscribe('org.imss.License', 'LicenseChanged')
        rc, out, err = self.ctl('update')
        self.assertEqual((rc, out.strip()), (0, 'The license was updated successfully.'), err)
        self.settle()
        self.assertEqual(self.restarted_units(), [SCAN, POLICY, SENDER])
        self.assertEqual(self.slot_props('antispam')['ExpiryDate'], new)
        self.assertEqual(self.slot_props('email-reputation')['ExpiryDate'], new)
        self.wait_for(lambda: len(changed) >= 2, message='LicenseChanged')
        self.assertEqual(sorted((a[0], a[1]) for _, a in changed),
                         [('antispam', 'renewed'), ('email-reputation', 'renewed')])
        # one request for the code the two slots share
        self.assertEqual(len([r for r in self.sim.requests() if r['path'].endswith('license_update.aspx')]), 2)

    def test_failures_leave_the_license_alone(self):
        '''No answer (an HTTP error, a stall) is ServerUnreachable; an answer
        that is not a valid one (garbage, a captive portal's page, a date that
        does not exist, a 1 MiB body, an answer about another code, a
        redirect loop) is InvalidServerAnswer. Either way nothing changes and
        nothing restarts.'''
        code = self.make_code('antivirus')
        self.activate('antivirus', code)
        self.settle()
        before = {k: v for k, v in self.slot_props('antivirus').items()
                  if k in ('ExpiryDate', 'ActivationCode', 'State', 'GraceEndDate')}
        invalid = ('garbage', 'html', 'bad-date', 'oversize', 'wrong-code', 'redirect-loop')
        for mode in ('error', 'stall') + invalid:
            with self.subTest(mode=mode):
                self.clear_restarts()
                self.sim.admin('fault', mode=mode, count=0)
                if mode in invalid:
                    e = self.assertDBusError('InvalidServerAnswer', self.update)
                    self.assertIn('The license server answered, but its answer is not valid',
                                  e.message)
                else:
                    e = self.assertDBusError('ServerUnreachable', self.update)
                    self.assertIn('Unable to complete the update', e.message)
                after = {k: v for k, v in self.slot_props('antivirus').items() if k in before}
                self.assertEqual(after, before)
                error = self.slot_props('antivirus')['LastCheckError']
                entry = [h for h in self.history() if h['action'] == 'manual-update'][0]
                self.assertEqual((entry['outcome'], entry['detail']), ('failed', error))
                if mode in invalid:
                    self.assertTrue(error.startswith('invalid answer: '), error)
                else:
                    self.assertNotIn('invalid answer', error)
                    self.assertNotEqual(error, '')
                self.settle()
                self.assertEqual(self.restarted_units(), [])
                self.sim.admin('reset')
        rc, out, err = self.ctl('update', env={'LANGUAGE': 'ja'})
        self.assertEqual(rc, 0, err)

    def test_invalid_answer_in_the_cli(self):
        self.activate('antivirus', self.make_code('antivirus'))
        self.settle()
        self.sim.admin('fault', mode='html', count=0)
        rc, out, err = self.ctl('update')
        self.assertEqual(rc, 1)
        self.assertEqual(err.strip(), 'imss-licensectl: The license server answered, but its '
                         'answer is not valid. Nothing was changed. Check the license server URL '
                         'and the proxy settings, and try again. If the problem persists, '
                         'contact technical support.')

    def test_wrong_url_is_an_invalid_answer(self):
        '''A URL that the server does not serve (404) is the operator's to
        fix, not the Internet connection.'''
        self.activate('antivirus', self.make_code('antivirus'))
        self.settle()
        self.stop_daemon()
        self.write_config(edition=self.edition, license_server={
            'url': self.sim.base + '/ollu/no_such_page.aspx', 'timeout': 3})
        self.start_daemon()
        self.assertDBusError('InvalidServerAnswer', self.update)
        self.assertEqual(self.slot_props('antivirus')['LastCheckError'],
                         'invalid answer: HTTP 404 instead of 200')

    def test_unreachable_server(self):
        self.activate('antivirus', self.make_code('antivirus'))
        self.settle()
        self.sim.stop()
        rc, out, err = self.ctl('update')
        self.assertEqual(rc, 1)
        self.assertEqual(err.strip(), 'imss-licensectl: Unable to complete the update. Check the '
                         'Internet connection and try again. If the problem persists, contact '
                         'technical support.')
        rc, out, err = self.ctl('update', env={'LANGUAGE': 'ja'})
        self.assertIn('アップデートを完了できません。', err)


class PlausibilityTest(ServerTestBase):
    '''Anyone on a plain-HTTP path can answer for the license server: an
    expiry more than 10 years after the one the code was issued with is not
    believed (docs/design.md), changes nothing and restarts nothing.'''

    def test_far_future_expiry_is_refused(self):
        issued = datetime.date(self.today().year + 1, 1, 31)
        code = self.make_code('antivirus', expiry=issued)
        self.activate('antivirus', code)
        self.settle()
        self.clear_restarts()
        changed = self.subscribe('org.imss.License', 'LicenseChanged')
        limit = issued.replace(year=issued.year + 10)
        for forged in ('2179-06-06', str(limit + datetime.timedelta(days=1))):
            with self.subTest(forged=forged):
                self.sim.admin('renew', code=code, expiry=forged)
                self.assertDBusError('InvalidServerAnswer', self.update)
                props = self.slot_props('antivirus')
                self.assertEqual(props['ExpiryDate'], str(issued))
                self.assertEqual(props['LastCheckError'],
                                 f'invalid answer: expiry {forged} is more than 10 years after '
                                 f'the code\'s issued expiry {issued}')
                entry = [h for h in self.history() if h['action'] == 'manual-update'][0]
                self.assertEqual(entry['detail'], props['LastCheckError'])
                self.assertIn(f'expiry {forged} is more than 10 years after', self.daemon_log())
        self.settle()
        self.assertEqual(self.restarted_units(), [])
        self.assertEqual(changed, [])
        # 10 years to the day is still a renewal
        self.sim.admin('renew', code=code, expiry=str(limit))
        self.assertEqual(self.update(), 'updated')
        self.assertEqual(self.slot_props('antivirus')['ExpiryDate'], str(limit))
        self.settle()
        self.assertEqual(self.restarted_units(), [SCAN, POLICY])


class TwoWeekDelayTest(ServerTestBase):
    '''SPEC §10 Q5 (2): the renewal reaches the server about two weeks after
    purchase; a manual update before that changes nothing, after it updates.'''

    def server_today(self):
        return str(self.today())

    def test_delay(self):
        code = self.make_code('antivirus', expiry=self.today() + datetime.timedelta(days=20))
        self.activate('antivirus', code)
        self.settle()
        self.clear_restarts()
        effective = self.today() + datetime.timedelta(days=14)
        new = str(self.today() + datetime.timedelta(days=385))
        self.sim.admin('renew', code=code, expiry=new, effective=str(effective))
        self.assertEqual(self.update(), 'unchanged')
        self.settle()
        self.assertEqual(self.restarted_units(), [])
        self.sim.admin('today', today=str(effective))
        self.assertEqual(self.update(), 'updated')
        self.settle()
        self.assertEqual(self.restarted_units(), [SCAN, POLICY])
        self.assertEqual(self.slot_props('antivirus')['ExpiryDate'], new)


class AutomaticCheckTest(ServerTestBase):
    virtual_start = '2019-08-01T09:00:00'

    def server_today(self):
        return '2019-08-01'

    def test_renewal_picked_up_on_the_next_check_day(self):
        code = self.make_code('antivirus', expiry='2020-01-31')
        self.activate('antivirus', code)
        self.settle()
        self.clear_restarts()
        changed = self.subscribe('org.imss.License', 'LicenseChanged')
        self.sim.admin('renew', code=code, expiry='2021-01-31')
        # the next check day is 2019-08-04 (E-180): not before
        self.advance(2 * 86400)          # 2019-08-03 09:00
        self.settle()
        self.assertEqual(self.slot_props('antivirus')['ExpiryDate'], '2020-01-31')
        self.advance(86400 - 9 * 3600)   # 2019-08-04 00:00
        self.settle()
        self.assertEqual(self.slot_props('antivirus')['ExpiryDate'], '2021-01-31')
        self.wait_for(lambda: changed, message='LicenseChanged renewed')
        self.assertEqual(changed[0][1][1], 'renewed')
        # re-anchored: the next check is 30-day steps from the new E
        self.assertEqual(self.slot_props('antivirus')['NextCheck'],
                         self.expected_next('2021-01-31', '2019-08-04'))
        # an automatic update restarts nothing
        self.assertEqual(self.restarted_units(), [])

    def expected_next(self, e, today):
        E = datetime.date.fromisoformat(e)
        t = datetime.date.fromisoformat(today)
        d = t + datetime.timedelta(days=1)
        while True:
            rel = (d - E).days
            if rel > 90 or rel == -1 or rel % 30 == 0:
                return f'{d}T00:00:00+09:00'
            d += datetime.timedelta(days=1)

    def test_failures_are_recorded_and_retried_next_check_day(self):
        code = self.make_code('antivirus', expiry='2019-09-10')
        self.activate('antivirus', code)
        self.settle()
        self.sim.admin('fault', mode='error', count=1)
        self.advance(self.seconds_until('2019-08-11T00:00:00'))   # E-30
        self.settle()
        failed = [h for h in self.history() if h['action'] == 'automatic-check' and h['outcome'] == 'failed']
        self.assertEqual(len(failed), 1)
        self.sim.admin('renew', code=code, expiry='2020-09-10')
        self.advance(self.seconds_until('2019-09-09T00:00:00'))   # E-1: retried, renewed
        self.settle()
        self.assertEqual(self.slot_props('antivirus')['ExpiryDate'], '2020-09-10')



class RetryAfterTest(ServerTestBase):
    '''Row H9: the server answers 429 or 503 with Retry-After. An automatic
    check asks again that day as told (at most 3 times, never past the end of
    the check day); a manual update reports the hint.'''
    virtual_start = '2019-08-03T12:00:00'

    def server_today(self):
        return '2019-08-03'

    def setUp(self):
        super().setUp()
        self.code = self.make_code('antivirus', expiry='2020-01-31')
        self.activate('antivirus', self.code)
        self.settle()
        self.sim.admin('reset')
        self.clear_restarts()

    def checks(self):
        '''The history of the automatic checks, oldest first (the scheduler's
        "due" entry is when the check day began).'''
        return [h for h in reversed(self.history())
                if h['action'] == 'automatic-check' and h['outcome'] != 'due']

    def test_manual_update_reports_the_hint(self):
        for status, date in ((503, False), (429, True)):
            with self.subTest(status=status):
                self.sim.admin('fault', mode='busy', status=status, retry_after=120,
                               retry_after_date=date, count=1)
                self.assertDBusError('ServerUnreachable', self.update)
                error = self.slot_props('antivirus')['LastCheckError']
                self.assertEqual(error, f'the server is busy (HTTP {status}) and asks to be '
                                 'asked again in 120 s')
                entry = [h for h in self.history() if h['action'] == 'manual-update'][0]
                self.assertEqual(entry['detail'], error)
        self.assertEqual([r['status'] for r in self.sim.requests()], [503, 429])

    def test_automatic_check_retries_as_told(self):
        self.sim.admin('renew', code=self.code, expiry='2021-01-31')
        self.sim.admin('fault', mode='busy', status=429, retry_after=1, count=2)
        self.advance(self.seconds_until('2019-08-04T00:00:00'))   # E-180
        self.wait_for(lambda: self.slot_props('antivirus')['ExpiryDate'] == '2021-01-31',
                      message='the renewal after two retries')
        self.assertEqual([r['status'] for r in self.sim.requests()], [429, 429, 200])
        self.assertEqual([h['outcome'] for h in self.checks()], ['failed', 'failed', 'renewed'])
        self.assertIn('asks to be asked again in 1 s', self.checks()[0]['detail'])
        self.assertIn('retrying in 1 s as the server asked (retry 1 of 3)', self.daemon_log())
        self.settle()
        self.assertEqual(self.restarted_units(), [])

    def test_at_most_three_retries(self):
        self.sim.admin('fault', mode='busy', retry_after=0)
        self.advance(self.seconds_until('2019-08-04T00:00:00'))
        self.wait_for(lambda: 'still busy after 3 retries' in self.daemon_log(),
                      message='the last retry')
        self.settle()
        self.assertEqual([r['status'] for r in self.sim.requests()], [503] * 4)
        self.assertEqual([h['outcome'] for h in self.checks()], ['failed'] * 4)
        self.assertEqual(self.slot_props('antivirus')['ExpiryDate'], '2020-01-31')

    def test_never_past_the_end_of_the_check_day(self):
        self.sim.admin('fault', mode='busy', retry_after=86400, count=1)
        self.sim.admin('renew', code=self.code, expiry='2021-01-31')
        self.advance(self.seconds_until('2019-08-04T00:00:00'))
        self.settle()
        self.assertIn('after the end of check day 2019-08-04: not retried', self.daemon_log())
        self.assertEqual([r['status'] for r in self.sim.requests()], [503])
        # the next check day (E-150) asks again
        self.advance(self.seconds_until('2019-09-03T00:00:00'))
        self.settle()
        self.assertEqual([r['status'] for r in self.sim.requests()], [503, 200])
        self.assertEqual(self.slot_props('antivirus')['ExpiryDate'], '2021-01-31')


class CrashBeforeRestartTest(ServerTestBase):
    def test_restart_once_after_a_crash(self):
        code = self.make_code('antivirus')
        self.stop_daemon()
        os.environ['IMSS_FAILPOINT'] = 'after-activation-commit'
        try:
            self.start_daemon()
            with self.assertRaises(GLib.Error):
                self.activate('antivirus', code)
            self.daemon.wait(10)
            self.daemon = None
        finally:
            os.environ.pop('IMSS_FAILPOINT', None)
        self.assertEqual(self.restarted_units(), [])
        self.start_daemon()
        self.settle()
        self.assertEqual(self.restarted_units(), [SCAN, POLICY])
        self.assertEqual(self.slot_props('antivirus')['State'], 'active')
        self.restart_daemon()
        self.settle()
        self.assertEqual(self.restarted_units(), [SCAN, POLICY])   # once, not again


class ProxyTest(ServerTestBase):
    '''The license server through a real proxy on loopback (tinyproxy 1.11,
    Basic authentication). Over http:// the proxy forwards each request;
    HttpsProxyTest runs the same tests over https://, through CONNECT
    tunnels (row H8 of the reliability matrix). The proxy's credentials
    belong to the proxy hop only, and never reach a log.'''
    USER, PASSWORD = 'imssproxy', 'S3c-r_t.pw'  # tinyproxy's config takes [A-Za-z0-9._-]

    def start_proxy(self, auth=False):
        tinyproxy = shutil.which('tinyproxy') or '/usr/bin/tinyproxy'
        if not os.path.exists(tinyproxy):
            self.fail('tinyproxy is not installed (apt-get install tinyproxy)')
        port = imsstest.free_port()
        conf = self.tmp / 'tinyproxy.conf'
        lines = [f'Port {port}', 'Listen 127.0.0.1', 'Timeout 30', 'MaxClients 10',
                 'Allow 127.0.0.1', f'LogFile "{self.tmp}/tinyproxy.log"', 'LogLevel Info',
                 'User root', 'Group root', 'DisableViaHeader Yes']
        if auth:
            lines.append(f'BasicAuth {self.USER} {self.PASSWORD}')
        conf.write_text('\n'.join(lines) + '\n')
        proc = subprocess.Popen([tinyproxy, '-d', '-c', str(conf)], stdout=subprocess.DEVNULL,
                                stderr=subprocess.DEVNULL)
        self.addCleanup(lambda: (proc.terminate(), proc.wait()))
        deadline = time.monotonic() + 10
        while True:
            try:
                socket.create_connection(('127.0.0.1', port), 1).close()
                break
            except OSError:
                if time.monotonic() > deadline:
                    self.fail('tinyproxy did not start')
                time.sleep(0.05)
        return port

    def use_proxy(self, port, user=None, password=None):
        proxy = {'host': '127.0.0.1', 'port': port}
        if user:
            proxy['user'] = user
            proxy['password'] = password
        self.stop_daemon()
        scheme = 'https' if self.tls else 'http'
        url = f'{scheme}://localhost:{self.sim.port}/ollu/license_update.aspx'
        timeout = 20 if self.valgrind else 5
        self.write_config(edition=self.edition,
                          license_server=self.license_server(url=url, timeout=timeout),
                          proxy=proxy)
        self.start_daemon()

    def proxied_requests(self):
        return (self.tmp / 'tinyproxy.log').read_text() if (self.tmp / 'tinyproxy.log').exists() else ''

    def assertProxied(self):
        if self.tls:
            line = f'CONNECT localhost:{self.sim.port} HTTP/1.1'
        else:
            line = f'POST http://localhost:{self.sim.port}/ollu/license_update.aspx'
        self.assertIn(line, self.proxied_requests())

    def assertPasswordNowhere(self, password):
        self.assertNotIn(password, self.daemon_log())
        self.assertNotIn(password, self.slot_props('antivirus')['LastCheckError'])
        self.assertNotIn(password, repr(self.history()))

    def test_proxy_set_over_the_bus_without_a_restart(self):
        '''Issue 14: the proxy set with SetSettings is used by the next
        request, without a restart; reset, the file's (none) applies again.'''
        port = self.start_proxy(auth=True)
        self.activate('antivirus', self.make_code('antivirus'))
        self.assertNotIn(str(self.sim.port), self.proxied_requests())
        pid = self.daemon.pid
        self.call('SetSettings', {'proxy-host': GLib.Variant('s', '127.0.0.1'),
                                  'proxy-port': GLib.Variant('u', port),
                                  'proxy-user': GLib.Variant('s', self.USER),
                                  'proxy-password': GLib.Variant('s', self.PASSWORD)}, [])
        settings = self.get_property('Settings')
        self.assertEqual((settings['proxy-host'], settings['proxy-port'], settings['proxy-user'],
                          settings['proxy-password-set']), ('127.0.0.1', port, self.USER, True))
        self.assertNotIn('proxy-password', settings)
        self.assertEqual(self.update(), 'unchanged')
        self.assertIn(f':{self.sim.port}', self.proxied_requests())
        self.assertEqual(self.daemon.pid, pid)
        self.assertPasswordNowhere(self.PASSWORD)
        self.assertNotIn(self.PASSWORD, repr(self.get_property('Settings')))
        # back to the file's: a direct connection
        before = self.proxied_requests()
        self.call('SetSettings', {}, ['proxy-host', 'proxy-port', 'proxy-user', 'proxy-password'])
        self.assertEqual(self.get_property('Settings')['proxy-host'], '')
        self.assertEqual(self.update(), 'unchanged')
        self.assertEqual(self.proxied_requests(), before)

    def test_without_auth(self):
        port = self.start_proxy()
        self.activate('antivirus', self.make_code('antivirus'))
        self.use_proxy(port)
        self.assertEqual(self.update(), 'unchanged')
        self.assertProxied()

    def test_with_basic_auth(self):
        port = self.start_proxy(auth=True)
        self.use_proxy(port, self.USER, self.PASSWORD)
        # the activation asks through the proxy
        code, later = self.activate_renewed()
        props = self.slot_props('antivirus')
        self.assertEqual((props['ExpiryDate'], props['ExpiryVerified']), (str(later), True))
        self.sim.admin('renew', code=code, expiry=str(later + datetime.timedelta(days=365)))
        self.assertEqual(self.update(), 'updated')
        self.assertProxied()
        # the credentials stopped at the proxy
        self.assertEqual([(r['status'], r['proxy_authorization']) for r in self.sim.requests()],
                         [(200, False), (200, False)])
        self.assertPasswordNowhere(self.PASSWORD)

    def test_wrong_password(self):
        port = self.start_proxy(auth=True)
        self.activate('antivirus', self.make_code('antivirus'))
        self.use_proxy(port, self.USER, 'wrong-pw-123')
        self.sim.admin('reset')
        self.assertDBusError('ServerUnreachable', self.update)
        error = self.slot_props('antivirus')['LastCheckError']
        if self.tls:
            self.assertEqual(error, f'through the proxy 127.0.0.1:{port}: the proxy refused the '
                             'configured user and password')
        else:
            # tinyproxy answers 401 and closes with the request body unread:
            # sometimes the answer arrives, sometimes a reset first
            self.assertIn(f'through the proxy 127.0.0.1:{port}: ', error)
        self.assertPasswordNowhere('wrong-pw-123')
        self.assertEqual(self.sim.requests(), [])

    def test_proxy_requires_auth_but_no_user_is_configured(self):
        port = self.start_proxy(auth=True)
        self.activate('antivirus', self.make_code('antivirus'))
        self.use_proxy(port)
        self.assertDBusError('ServerUnreachable', self.update)
        error = self.slot_props('antivirus')['LastCheckError']
        self.assertNotIn('refused the configured', error)
        if self.tls:
            self.assertEqual(error, f'through the proxy 127.0.0.1:{port}: the proxy requires '
                             'authentication, and no proxy user is configured')
        else:
            self.assertIn(f'through the proxy 127.0.0.1:{port}: ', error)


class HttpsProxyTest(ProxyTest):
    '''ProxyTest over https://: the simulator serves HTTPS with a test CA
    (ca-file), tinyproxy opens CONNECT tunnels.'''
    tls = True

    def test_credentials_never_reach_the_server(self):
        '''A proxy that does not ask: the configured credentials still never
        go into the tunnel. (Over http:// they go with each request to the
        proxy, and a proxy that does not check them may pass them on, as
        tinyproxy does: see docs/design.md.)'''
        port = self.start_proxy()
        self.use_proxy(port, self.USER, self.PASSWORD)
        self.activate('antivirus', self.make_code('antivirus'))
        self.assertEqual(self.update(), 'unchanged')
        self.assertEqual([r['proxy_authorization'] for r in self.sim.requests()], [False, False])


class HttpsTest(ServerTestBase):
    '''https:// is a first-class configuration: the simulator serves HTTPS
    with a certificate of a test CA that [license-server] ca-file names; the
    certificate is verified, never accepted blindly.'''
    tls = True

    def test_activation_and_update_over_https(self):
        code, later = self.activate_renewed()
        props = self.slot_props('antivirus')
        self.assertEqual((props['ExpiryDate'], props['ExpiryVerified'], props['ServerStatus']),
                         (str(later), True, 'valid'))
        self.assertTrue(props['DetailsUrl'].startswith(
            f'https://localhost:{self.sim.port}/ollu/license_details.aspx?id='), props['DetailsUrl'])
        self.settle()
        self.assertEqual(self.restarted_units(), [SCAN, POLICY])
        self.clear_restarts()
        latest = later + datetime.timedelta(days=365)
        self.sim.admin('renew', code=code, expiry=str(latest))
        self.assertEqual(self.update(), 'updated')
        self.assertEqual(self.slot_props('antivirus')['ExpiryDate'], str(latest))
        self.settle()
        self.assertEqual(self.restarted_units(), [SCAN, POLICY])
        self.assertEqual([r['status'] for r in self.sim.requests()], [200, 200])

    def reconfigure(self, **keys):
        self.activate('antivirus', self.make_code('antivirus'))
        self.settle()
        self.sim.admin('reset')
        self.stop_daemon()
        self.write_config(edition=self.edition, license_server=self.license_server(**keys))
        self.start_daemon()

    def test_without_ca_file_the_test_ca_is_not_trusted(self):
        self.reconfigure(ca_file=None)
        self.assertDBusError('ServerUnreachable', self.update)
        error = self.slot_props('antivirus')['LastCheckError']
        self.assertIn('certificate', error.lower())
        self.assertEqual(self.sim.requests(), [])   # no request got through

    def test_a_ca_file_replaces_the_trusted_cas(self):
        (self.tmp / 'other').mkdir()
        other = TestCA(self.tmp / 'other', name='another CA')
        self.reconfigure(ca_file=str(other.ca))
        self.assertDBusError('ServerUnreachable', self.update)
        self.assertIn('certificate', self.slot_props('antivirus')['LastCheckError'].lower())
        self.assertEqual(self.sim.requests(), [])


class TlsTest(ServerTestBase):
    '''An https:// license server must present a certificate the system
    trusts: a self-signed one is refused (fail closed, no override).'''

    def test_self_signed_certificate_is_refused(self):
        openssl = shutil.which('openssl')
        if openssl is None:
            self.fail('openssl is not installed (apt-get install openssl)')
        key, cert = self.tmp / 'key.pem', self.tmp / 'cert.pem'
        subprocess.run([openssl, 'req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '2',
                        '-subj', '/CN=localhost', '-keyout', str(key), '-out', str(cert)],
                       check=True, capture_output=True)
        port = imsstest.free_port()
        proc = subprocess.Popen([openssl, 's_server', '-quiet', '-accept', str(port), '-cert', str(cert),
                                 '-key', str(key), '-www'], stdin=subprocess.PIPE,
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        self.addCleanup(lambda: (proc.kill(), proc.wait()))
        deadline = time.monotonic() + 10
        while True:
            try:
                socket.create_connection(('127.0.0.1', port), 1).close()
                break
            except OSError:
                if time.monotonic() > deadline:
                    self.fail('openssl s_server did not start')
                time.sleep(0.05)
        self.activate('antivirus', self.make_code('antivirus'))
        self.stop_daemon()
        self.write_config(edition=self.edition,
                          license_server={'url': f'https://localhost:{port}/ollu/license_update.aspx',
                                          'timeout': 20 if self.valgrind else 5})
        self.start_daemon()
        self.assertDBusError('ServerUnreachable', self.update)
        error = self.slot_props('antivirus')['LastCheckError'].lower()
        self.assertTrue('certificate' in error or 'tls' in error, error)


if __name__ == '__main__':
    imsstest.main()
