#!/usr/bin/python3
'''What the daemon must survive (issue 15, RELIABILITY-NOTES §7) on a private
system bus with the real daemon: restarts that overlap, crash, fail or hang
(SPEC §7, rows S8, S9), a hung polkitd and a caller that leaves during the
check (rows S2, S3), and the bus policy.'''

import datetime
import os
import subprocess
import sys
import time
import xml.etree.ElementTree as ET

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import imsstest  # noqa: E402
from imsstest import GLib, dbus_error_message  # noqa: E402

SCAN = 'imss-scan.service'
POLICY = 'imss-policy.service'


class RestartQueueTest(imsstest.ImssTestCase):
    '''The restart queue (SPEC §7): every requested restart happens, once per
    request, unit by unit, across crashes, with bounded retries.'''

    config = {'services': {'restart_attempts': 2, 'restart_retry_interval': 1,
                           'restart_timeout': 3}}

    def restarts(self):
        return self.manager_props()['Restarts']

    def wait_restart_calls(self, n):
        self.wait_for(lambda: len(self.restarted_units()) >= n,
                      timeout=60 if self.valgrind else 10,
                      message=f'{n} RestartUnit calls')

    def test_second_activation_during_a_restart_is_restarted(self):
        '''Issue 9 (1): a second activation while the first one's restart is
        still running restarts the services again afterwards.'''
        self.systemd_restart_mode('hold')
        self.activate('antivirus', self.make_code('antivirus'))
        self.wait_restart_calls(1)
        self.assertEqual(self.restarted_units(), [SCAN])
        # the scan service is restarting; a second license arrives
        self.activate('compliance', self.make_code('compliance', prefix='DL'))
        self.systemd_restart_mode('done')
        self.systemd_finish_job()
        self.wait_restart_calls(3)
        self.settle()
        units = self.restarted_units()
        # after the first job ended, both services start again with the new license
        self.assertEqual(units[0], SCAN)
        self.assertIn(SCAN, units[1:], units)
        self.assertIn(POLICY, units[1:], units)
        self.assertEqual(self.restarts(), [], 'nothing may stay queued')
        # and nothing is left for the next start either
        self.restart_daemon()
        self.settle()
        self.assertEqual(self.restarted_units(), units)

    def test_crash_between_units_restarts_only_what_was_not_done(self):
        '''Issue 15 (5): a kill -9 after the scan unit restarted and while
        the policy unit restarts: the next start restarts the policy unit
        only, once.'''
        code = self.make_code('antivirus')
        self.systemd_restart_mode('hold')
        self.activate('antivirus', code)
        self.wait_restart_calls(1)
        self.systemd_finish_job()            # scan: done
        self.wait_restart_calls(2)           # policy: running
        self.assertEqual(self.restarted_units(), [SCAN, POLICY])
        self.daemon.kill()
        self.daemon.wait()
        self.daemon = None
        self.systemd_restart_mode('done')
        self.start_daemon()
        self.wait_restart_calls(3)
        self.settle()
        self.assertEqual(self.restarted_units(), [SCAN, POLICY, POLICY])
        self.assertEqual(self.restarts(), [])
        self.restart_daemon()
        self.settle()
        self.assertEqual(self.restarted_units(), [SCAN, POLICY, POLICY], 'restarted twice')

    def test_refused_restart_is_retried_then_shown_and_redone(self):
        '''Issue 15 (10), row S8: systemd refuses RestartUnit. The daemon
        retries (bounded), then shows the failure; RestartServices redoes it.'''
        self.systemd_restart_mode('error')
        self.activate('antivirus', self.make_code('antivirus'))
        # two attempts for each unit, a second apart
        self.wait_restart_calls(4)
        self.wait_for(lambda: len([r for r in self.restarts() if r['state'] == 'failed']) == 2,
                      timeout=60 if self.valgrind else 10, message='both restarts failed')
        self.settle()
        self.assertEqual(len(self.restarted_units()), 4, 'retried without bound')
        self.assertEqual([r['unit'] for r in self.restarts()], [SCAN, POLICY])
        for r in self.restarts():
            self.assertEqual(r['state'], 'failed')
            self.assertIn('not found', r['error'])
        rc, out, err = self.ctl('status')
        self.assertIn(SCAN, out)
        self.assertIn(POLICY, out)
        self.assertIn('restart-services', out)
        notices = [n for n in self.call('GetNotices', 'en') if n['kind'] == 'restart-failed']
        self.assertEqual(sorted(n['unit'] for n in notices), [POLICY, SCAN])
        self.assertTrue(all(n['severity'] == 'critical' and n['slot'] == '' for n in notices))
        self.assertIn('may still be running with the old license', notices[0]['text'])
        rc, out, err = self.ctl('notices')
        self.assertIn(f'[{SCAN}]', out)
        d = self.call('Diagnose', 'antivirus', 'en')
        self.assertEqual(d['action_id'], 'restart-services', d)
        self.assertTrue(any(SCAN in f for f in d['findings']), d['findings'])

        # the operator fixes the unit and asks again
        self.systemd_restart_mode('done')
        self.assertEqual(self.call('RestartServices'), [SCAN, POLICY])
        self.wait_restart_calls(6)
        self.settle()
        self.assertEqual(self.restarts(), [])
        rc, out, err = self.ctl('status')
        self.assertNotRegex(out, r'(?i)restart.*failed')
        self.assertEqual([n for n in self.call('GetNotices', 'en') if n['kind'] == 'restart-failed'], [])
        self.assertIn('restart-services',
                      [h['action'] for h in self.history()])

    def test_failed_job_is_visible(self):
        '''Row S8: the restart job ends "failed".'''
        self.systemd_restart_mode('failed')
        self.activate('antivirus', self.make_code('antivirus'))
        self.wait_for(lambda: len([r for r in self.restarts() if r['state'] == 'failed']) == 2,
                      timeout=60 if self.valgrind else 10, message='both restarts failed')
        self.assertFailedEverywhere_any('failed')

    def assertFailedEverywhere_any(self, reason):
        for r in self.restarts():
            self.assertEqual(r['state'], 'failed')
            self.assertIn(reason, r['error'])
        rc, out, err = self.ctl('status')
        self.assertEqual(rc, 0, err)
        self.assertIn(SCAN, out)
        self.assertIn('restart-services', out)

    def test_job_without_result_times_out(self):
        '''Row S8: no JobRemoved within [services] restart-timeout.'''
        self.systemd_restart_mode('hold')
        self.activate('antivirus', self.make_code('antivirus'))
        self.wait_for(lambda: len([r for r in self.restarts() if r['state'] == 'failed']) == 2,
                      timeout=120 if self.valgrind else 30, message='both restarts failed')
        self.assertFailedEverywhere_any('no result')

    def test_systemd_absent(self):
        '''Row S8: nothing owns org.freedesktop.systemd1.'''
        self._stop_process(self.systemd)
        self.activate('antivirus', self.make_code('antivirus'))
        self.wait_for(lambda: len([r for r in self.restarts() if r['state'] == 'failed']) == 2,
                      timeout=60 if self.valgrind else 10, message='both restarts failed')
        for r in self.restarts():
            self.assertEqual(r['state'], 'failed')
            self.assertEqual(r['attempts'], 2)
        self.assertEqual(self.slot_props('antivirus')['State'], 'active',
                         'the activation itself stands')

    def test_restart_services_is_authorised(self):
        self.polkit_deny_all()
        self.assertDBusError('NotAuthorized', self.call, 'RestartServices')
        rc, out, err = self.ctl('restart-services')
        self.assertNotEqual(rc, 0)
        self.assertEqual(self.restarted_units(), [])


class PolkitHangTest(imsstest.ImssTestCase):
    '''Issue 15 (6), rows S2, S3: a hung polkitd, a caller that leaves.'''

    def daemon_env(self):
        env = super().daemon_env()
        env['IMSS_POLKIT_TIMEOUT'] = '2'
        return env

    def polkit_hang(self, hang=True):
        self._polkit_mock('SimulateHang', '(b)', (hang,))

    def release_polkit(self):
        self.bus.call_sync(imsstest.POLKIT_NAME, imsstest.POLKIT_PATH, imsstest.MOCK_IFACE,
                           'ReleaseHangingCalls', None, None, 0, 10000, None)

    def test_hung_polkit_denies_in_time_and_never_acts(self):
        code = self.make_code('antivirus')
        self.polkit_hang()
        started = time.monotonic()
        e = self.assertDBusError('NotAuthorized', self.activate, 'antivirus', code)
        self.assertLess(time.monotonic() - started, 20, 'the wait for polkit is not bounded')
        self.assertIn('could not be checked', dbus_error_message(e))
        # polkitd wakes up and says yes: too late, nothing may happen
        self.polkit_hang(False)
        self.release_polkit()
        self.settle()
        self.assertEqual(self.slot_props('antivirus')['State'], 'not-activated')
        self.assertEqual(self.restarted_units(), [])
        self.assertNotIn('activate', [h['action'] for h in self.history()])
        # and polkit answering again works again
        self.activate('antivirus', code)
        self.assertEqual(self.slot_props('antivirus')['State'], 'active')

    def test_caller_leaving_during_the_check(self):
        code = self.make_code('antivirus')
        self.polkit_hang()
        caller = subprocess.Popen(['gdbus', 'call', '--system', '--dest', imsstest.BUS_NAME,
                                   '--object-path', imsstest.OBJECT_PATH, '--method',
                                   'org.imss.License.Activate', 'antivirus', code],
                                  stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                                  env=dict(os.environ, DBUS_SYSTEM_BUS_ADDRESS=self.bus_address))
        self.wait_for(lambda: self._have_hanging_calls(), message='the check reaching polkitd')
        caller.kill()
        caller.wait()
        self.polkit_hang(False)
        self.release_polkit()
        self.settle()
        self.assertEqual(self.slot_props('antivirus')['State'], 'not-activated')
        self.assertEqual(self.restarted_units(), [])
        self.assertRegex(self.daemon_log(), r'denied org\.imss\.license\.activate .*left the bus')
        self.assertDaemonRunning()

    def _have_hanging_calls(self):
        return self.bus.call_sync(imsstest.POLKIT_NAME, imsstest.POLKIT_PATH, imsstest.MOCK_IFACE,
                                  'HaveHangingCalls', None, None, 0, 10000, None).unpack()[0]


class WrongClockTest(imsstest.VirtualClockMixin, imsstest.ImssTestCase):
    '''Issue 15 (4), row T4: a clock that is wrong for a while must not cost a
    real day's mail or check.'''

    autostart = False
    E = datetime.date(2020, 1, 31)

    def setUp(self):
        os.environ['TZ'] = 'Asia/Tokyo'
        self.addCleanup(os.environ.pop, 'TZ', None)
        super().setUp()
        self.smtp = imsstest.SmtpSink(self)
        self.write_config(edition=self.edition,
                          mail={'to': 'admin@example.com', 'smtp': f'smtp://127.0.0.1:{self.smtp.port}',
                                'language': 'en', 'retry_interval': 1, 'timeout': 10})
        self.start_daemon(['--virtual-clock=2019-08-01T09:00:00'])
        self.activate('antivirus', self.make_code('antivirus', expiry=self.E.isoformat()))
        self.settle()

    def mail_days(self):
        return sorted(datetime.datetime.strptime(m['Date'][:31], '%a, %d %b %Y %H:%M:%S %z').date()
                      for m in self.smtp.messages())

    def wait_mails(self, n):
        self.wait_for(lambda: len(self.smtp.messages()) >= n, timeout=120 if self.valgrind else 30,
                      message=f'{n} mails')
        self.settle()

    def every_mail_day(self):
        return [self.E + datetime.timedelta(days=d) for d in range(-15, 91)]

    def test_two_days_in_2199_lose_nothing(self):
        log_before = len(self.daemon_log())
        self.set_time('2199-01-01T09:00:00')
        self.advance(2 * 86400)
        log = self.daemon_log()[log_before:]
        self.assertRegex(log, r'2199-01-0\d.*not believed', 'an implausible clock logs nothing')
        self.assertEqual(self.smtp.messages(), [], 'mails sent on a clock set to 2199')
        # nothing was claimed or changed under that clock
        self.assertNotIn('2199', str(self.history()))
        # the clock is set right; the license is never renewed
        self.set_time('2019-08-02T09:00:00')
        self.assertRegex(self.daemon_log()[log_before:], r'plausible again')
        self.advance_to('2020-07-31T12:00:00')
        self.wait_mails(106)
        self.assertEqual(self.mail_days(), self.every_mail_day())

    def test_a_clock_ahead_does_not_swallow_the_real_day(self):
        '''A clock a month past G (believable) runs the catch-up for G then;
        once the clock is right, G's mail still goes out on G.'''
        self.set_time('2020-06-01T09:00:00')
        self.wait_mails(1)    # the catch-up mail for G, sent on the wrong clock
        self.set_time('2019-08-02T09:00:00')
        self.advance_to('2020-07-31T12:00:00')
        self.wait_mails(107)
        # every real mail day once, plus G's caught up while the clock was ahead
        self.assertEqual(self.mail_days(),
                         sorted(self.every_mail_day() + [datetime.date(2020, 6, 1)]))
        self.assertRegex(self.daemon_log(), r'recorded at .*under a wrong clock')


class RealClockBeforeSourceDateTest(imsstest.ImssTestCase):
    '''Row T4 on the real clock (libfaketime): a clock reset to 2000 holds
    the calendar and says so.'''

    def test_clock_in_2000(self):
        self.activate('antivirus', self.make_code('antivirus'))
        self.settle()
        history = self.history()
        self.stop_daemon()
        lib = '/usr/lib/x86_64-linux-gnu/faketime/libfaketime.so.1'
        self.assertTrue(os.path.exists(lib), 'libfaketime is missing (apt-get install faketime)')
        orig = self.daemon_env

        def env():
            e = orig()
            e['LD_PRELOAD'] = lib
            e['FAKETIME'] = '@2000-01-01 09:00:00'
            e['DONT_FAKE_MONOTONIC'] = '1'
            return e
        self.daemon_env = env
        self.start_daemon()
        self.settle()
        self.assertRegex(self.daemon_log(), r'2000-01-01, before this daemon.s source date.*not believed')
        self.assertEqual(self.history(), history, 'the calendar ran on a clock set to 2000')


class DatabaseRestartTest(imsstest.ImssTestCase):
    '''Row N4: the PostgreSQL server restarts, stops or drops the daemon's
    connection under it. libgda's provider does not notice a dead
    connection and crashed on its next statement (TESTING-NOTES §12).'''

    autostart = False

    def setUp(self):
        super().setUp()
        self.pg = imsstest.PgServer(self)
        self.config = dict(self.config)
        self.config['database'] = {'provider': 'PostgreSQL', 'connection': self.pg.cnc,
                                   'auth': self.pg.auth}
        self.write_config(edition=self.edition, **self.config)
        self.start_daemon()
        self.code = self.make_code('antivirus')
        self.activate('antivirus', self.code)
        self.settle()

    def assertServesAgain(self):
        '''Once the server is back, reads and changes work again, within a
        bounded time, and nothing stored was lost.'''
        deadline = time.monotonic() + (120 if self.valgrind else 20)
        while True:
            try:
                history = self.history()
                break
            except GLib.Error as e:
                self.assertIn(imsstest.dbus_error_name(e),
                              (imsstest.ERROR_PREFIX + 'Internal', imsstest.ERROR_PREFIX + 'Busy'))
                if time.monotonic() > deadline:
                    self.fail('the daemon did not recover: ' + e.message)
                time.sleep(0.2)
        self.assertIn('activate', [h['action'] for h in history])
        self.call('SetInactiveNoticesHidden', True)
        self.assertTrue(self.get_property('InactiveNoticesHidden'))
        self.assertEqual(self.slot_props('antivirus')['State'], 'active')
        self.assertDaemonRunning()

    def test_server_restart(self):
        for mode in ('fast', 'immediate'):
            with self.subTest(mode=mode):
                r = self.pg.pg_ctl('-m', mode, '-w', '-l', str(self.pg.dir / 'log'), '-o',
                                   f"-k {self.pg.dir} -c listen_addresses='' -p 5432 -c fsync=off",
                                   'restart')
                self.assertEqual(r.returncode, 0, r.stderr)
                self.assertServesAgain()

    def test_server_down_for_a_while(self):
        self.pg.stop('fast')
        for call in (lambda: self.history(), lambda: self.call('SetInactiveNoticesHidden', True)):
            e = self.assertDBusError('Internal', call)
            self.assertIn('database', imsstest.dbus_error_message(e))
        self.assertDaemonRunning()
        # reads that need no database still answer
        self.assertEqual(self.slot_props('antivirus')['State'], 'active')
        self.pg.start()
        self.assertServesAgain()

    def test_connection_terminated(self):
        killed = self.pg.psql("SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
                              "WHERE datname = 'imss' AND pid <> pg_backend_pid()")
        self.assertGreaterEqual(int(killed), 1)
        self.assertServesAgain()


class SecondInstanceTest(imsstest.ImssTestCase):
    '''Row S7: a second imss-licensed on the same bus gives up (the name is
    taken) with a failure status, and the first one keeps serving.'''

    def test_second_instance(self):
        self.activate('antivirus', self.make_code('antivirus'))
        self.settle()
        before = self.db_snapshot()
        argv = [self.daemon_path, '--config', str(self.config_path),
                '--state-dir', str(self.state_dir)]
        second = subprocess.run(argv, env=self.daemon_env(), capture_output=True, text=True,
                                timeout=120 if self.valgrind else 30)
        self.assertNotEqual(second.returncode, 0)
        self.assertIn('lost or could not acquire the name', second.stdout + second.stderr)
        self.assertDaemonRunning()
        self.assertEqual(self.slot_props('antivirus')['State'], 'active')
        self.assertSnapshotEqual(before)


class BusPolicyTest(imsstest.ImssTestCase):
    autostart = False

    def test_policy_lists_every_member_once(self):
        '''Issue 15 (7): the policy listed three members twice.'''
        policy = ET.parse(imsstest.find_source('IMSS_POLICY_CONF',
                                               'data/org.imss.License.conf'))
        seen = []
        for p in policy.getroot().iter('policy'):
            for allow in p.iter('allow'):
                key = (p.get('context') or p.get('user'), tuple(sorted(allow.attrib.items())))
                self.assertNotIn(key, seen, f'listed twice: {allow.attrib}')
                seen.append(key)


if __name__ == '__main__':
    imsstest.main()
