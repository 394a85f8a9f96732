#!/usr/bin/python3
'''Control Manager license profiles (SPEC §8) and the "why didn't my expiry
update?" doctor (SPEC §10 Q5), over D-Bus and the CLI, against the real
simulator.'''

import datetime
import json
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import imsstest  # noqa: E402
from imsstest import GLib  # noqa: E402

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
server_mod = __import__('test-server')
Simulator = server_mod.Simulator


class CmTestBase(imsstest.ImssTestCase):
    autostart = False
    environment = 'auto'

    def setUp(self):
        super().setUp()
        self.sim = Simulator(self, today=str(self.today()))
        self.write_config(edition=self.edition,
                          license={'edition': self.edition, 'environment': self.environment},
                          license_server={'url': self.sim.url, 'timeout': 3})
        self.start_daemon()

    def apply(self, **kw):
        return self.call_full(imsstest.OBJECT_PATH, imsstest.IFACE, 'ApplyProfile', 'a{sv}',
                              ({k: GLib.Variant('s', v) for k, v in kw.items()},), '(s)')

    def diagnose(self, slot, language='en'):
        return self.call('Diagnose', slot, language)


class ProfileTest(CmTestBase):
    environment = 'cm-managed'

    def test_profiles(self):
        code = self.make_code('antivirus', expiry=self.today() + datetime.timedelta(days=20))
        self.activate('antivirus', code)
        self.settle()
        self.clear_restarts()
        new = str(self.today() + datetime.timedelta(days=385))
        changed = self.subscribe('org.imss.License', 'LicenseChanged')
        self.assertEqual(self.apply(slot='antivirus', code=code, expiry=new, origin='cm.example'), 'extended')
        self.assertEqual(self.slot_props('antivirus')['ExpiryDate'], new)
        self.assertTrue(self.slot_props('antivirus')['ExpiryVerified'])
        self.wait_for(lambda: changed, message='LicenseChanged')
        self.assertEqual(self.apply(slot='antivirus', code=code.lower(), expiry=new), 'unchanged')
        # a different code is never put in place by a profile
        other = self.make_code('antivirus', expiry=new)
        e = self.assertDBusError('CodeMismatch', self.apply, slot='antivirus', code=other, expiry=new)
        self.assertIn('cannot replace the activation code', e.message)
        self.assertEqual(self.slot_props('antivirus')['ExpiryDate'], new)
        # malformed: each names what is wrong, nothing changes
        before = self.slot_props('antivirus')
        for bad, why in ((dict(code=code, expiry=new), '"slot"'),
                         (dict(slot='antivirus', expiry=new), '"code"'),
                         (dict(slot='antivirus', code=code, expiry='2027-02-30'), '"expiry"'),
                         (dict(slot='antivirus', code=code, expiry='tomorrow'), '"expiry"')):
            e = self.assertDBusError('InvalidArgs', self.apply, **bad)
            self.assertIn(why, e.message)
            self.assertNoCode(e.message, code)
        self.assertDBusError('InvalidCode', self.apply, slot='antivirus', code='IM-XXXX', expiry=new)
        self.assertEqual(self.slot_props('antivirus'), before)
        # the failure stays visible: a notice, the history, the doctor
        notices = [n for n in self.call('GetNotices', 'en') if n['kind'] == 'cm-deployment-failed']
        self.assertEqual(len(notices), 1)
        self.assertIn('redeploy the license profile from Control Manager', notices[0]['text'])
        # issue 9 (5): it is about the gateway, not about cloud-prefilter
        self.assertEqual(notices[0]['slot'], '')
        rc, out, err = self.ctl('notices')
        self.assertEqual(rc, 0, err)
        line = [ln for ln in out.splitlines() if 'Control Manager' in ln]
        self.assertEqual(len(line), 1, out)
        self.assertNotIn('cloud-prefilter', line[0])
        self.assertEqual(self.get_property('Environment'), 'cm-managed')
        # unauthorised
        self.polkit_deny_all()
        self.assertDBusError('NotAuthorized', self.apply, slot='antivirus', code=code, expiry=new)
        self.polkit_allow_all()
        # an automatic renewal: nothing was restarted
        self.settle()
        self.assertEqual(self.restarted_units(), [])
        # the CLI reads the profile from a file (the code stays out of argv)
        path = self.tmp / 'profile.json'
        later = str(self.today() + datetime.timedelta(days=400))
        path.write_text(json.dumps({'slot': 'antivirus', 'code': code, 'expiry': later}))
        rc, out, err = self.ctl('apply-profile', str(path))
        self.assertEqual(rc, 0, err)
        self.assertIn('No service was restarted', out)
        self.assertEqual(self.slot_props('antivirus')['ExpiryDate'], later)
        self.assertEqual([n for n in self.call('GetNotices', 'en') if n['kind'] == 'cm-deployment-failed'], [])
        history = [h for h in self.history() if h['action'] == 'apply-profile']
        self.assertEqual([h['outcome'] for h in history][:2], ['extended', 'failed'])
        # a file the common JSON pre-check refuses never reaches the daemon:
        # too deep for json-glib's recursive parser, or not strict JSON
        for text in ('[' * 100000, '{"slot": \'antivirus\'}', '{"slot": "a" /* c */}'):
            path.write_text(text)
            rc, out, err = self.ctl('apply-profile', str(path))
            self.assertEqual(rc, 1, err)
            self.assertIn('The license profile must be a JSON object.', err)
        self.assertEqual(len([h for h in self.history() if h['action'] == 'apply-profile']), len(history))


class DoctorConnectedTest(CmTestBase):
    def test_code_replaced(self):
        code = self.make_code('antivirus')
        self.activate('antivirus', code)
        new = self.make_code('antivirus', expiry=self.today() + datetime.timedelta(days=700))
        self.sim.admin('replace', code=code, new_code=new)
        d = self.diagnose('antivirus')
        self.assertEqual(d['action_id'], 'register-new-code')
        self.assertEqual(d['server_status'], 'replaced')
        self.assertTrue(any('replaced by a new code' in f for f in d['findings']))
        self.assertNoCode(repr(d), new)
        ja = self.diagnose('antivirus', 'ja')
        self.assertEqual(ja['action_id'], 'register-new-code')
        self.assertNotEqual(ja['action'], d['action'])
        # the doctor stores nothing
        self.assertEqual(self.slot_props('antivirus')['ServerStatus'], 'valid')

    def test_server_not_renewed_yet(self):
        code = self.make_code('antivirus', expiry=self.today() + datetime.timedelta(days=10))
        self.activate('antivirus', code)
        self.sim.admin('renew', code=code, expiry=str(self.today() + datetime.timedelta(days=375)),
                       effective=str(self.today() + datetime.timedelta(days=14)))
        d = self.diagnose('antivirus')
        self.assertEqual(d['action_id'], 'wait-for-server')
        self.assertTrue(any('about two weeks' in f for f in d['findings']), d['findings'])
        rc, out, err = self.ctl('doctor', 'antivirus', env={'LANGUAGE': 'ja'})
        self.assertEqual(rc, 0, err)
        self.assertIn('2 週間ほどかかります', out)                      # the finding
        self.assertIn('ライセンス認証サーバに更新が反映されるまでお待ちください', out)  # the action

    def test_connected_next_check_25_days_away(self):
        e = self.today() + datetime.timedelta(days=55)
        code = self.make_code('antivirus', expiry=e)
        self.activate('antivirus', code)
        self.sim.admin('renew', code=code, expiry=str(e + datetime.timedelta(days=365)))
        d = self.diagnose('antivirus')
        self.assertEqual(d['environment'], 'connected')
        self.assertEqual(d['action_id'], 'update-now')
        self.assertEqual(d['next_check'], str(e - datetime.timedelta(days=30)))
        self.assertTrue(any('in 25 days' in f for f in d['findings']), d['findings'])
        self.assertIn('restarts the scan service', d['action'])
        rc, out, err = self.ctl('doctor', '--json')
        self.assertEqual(rc, 0, err)
        self.assertEqual(json.loads(out)[0]['action_id'], 'update-now')
        # the doctor changed nothing
        self.assertEqual(self.slot_props('antivirus')['ExpiryDate'], str(e))


class DoctorCmFailedTest(CmTestBase):
    environment = 'cm-managed'

    def test_cm_deployment_failed(self):
        code = self.make_code('antivirus')
        self.activate('antivirus', code)
        self.assertDBusError('InvalidArgs', self.apply, slot='antivirus', code=code, expiry='bad')
        d = self.diagnose('antivirus')
        self.assertEqual(d['environment'], 'cm-managed')
        self.assertEqual(d['action_id'], 'redeploy-profile')
        self.assertTrue(d['last_deployment_result'].startswith('failed'))
        self.assertTrue(any('does not retry' in f for f in d['findings']), d['findings'])
        self.assertEqual(self.sim.requests(), [])   # not connected: nothing asked
        ja = self.diagnose('antivirus', 'ja')
        self.assertIn('Control Manager', ja['action'])
        # the status shows it too
        rc, out, err = self.ctl('status')
        self.assertEqual(rc, 0, err)
        self.assertIn('Last Control Manager license profile:', out)
        self.assertIn('does not retry', out)
        rc, out, err = self.ctl('--json', 'status')
        self.assertTrue(json.loads(out)['last_profile_result'].startswith('failed'))


class DoctorStandaloneTest(CmTestBase):
    environment = 'standalone'

    def test_standalone_with_expired_offline_code(self):
        code = self.make_code('compliance', offline=True,
                              expiry=self.today() - datetime.timedelta(days=100))
        self.activate('compliance', code)
        d = self.diagnose('compliance')
        self.assertEqual(d['environment'], 'standalone')
        self.assertEqual(d['action_id'], 'activate-offline-code')
        self.assertTrue(any('offline code' in f for f in d['findings']))
        ja = self.diagnose('compliance', 'ja')
        self.assertEqual(ja['action_id'], 'activate-offline-code')
        rc, out, err = self.ctl('doctor')
        self.assertEqual(rc, 0, err)
        self.assertIn('offline activation code', out)


class CodeStatusTest(CmTestBase):
    '''Issue 9 (4): a code replaced on the server shows everywhere the
    operator looks, and the doctor shows the new code masked once.'''

    def test_replaced_code_is_visible(self):
        code = self.make_code('antivirus')
        self.activate('antivirus', code)
        self.settle()
        new = self.make_code('antivirus', expiry=self.today() + datetime.timedelta(days=700))
        self.sim.admin('replace', code=code, new_code=new)
        self.assertEqual(self.call('UpdateStatus'), 'unchanged')
        self.assertEqual(self.slot_props('antivirus')['ServerStatus'], 'replaced')
        notices = [n for n in self.call('GetNotices', 'en') if n['kind'] == 'code-replaced']
        self.assertEqual([n['slot'] for n in notices], ['antivirus'])
        self.assertIn('was replaced by a new code', notices[0]['text'])
        ja = [n for n in self.call('GetNotices', 'ja') if n['kind'] == 'code-replaced']
        self.assertNotEqual(ja[0]['text'], notices[0]['text'])
        rc, out, err = self.ctl('update')
        self.assertEqual(rc, 0, err)
        self.assertIn('No update is necessary.', out)
        self.assertIn('was replaced by a new code', out)
        rc, out, err = self.ctl('status')
        self.assertIn('was replaced by a new code', out)
        d = self.diagnose('antivirus')
        self.assertEqual(d['action_id'], 'register-new-code')
        masked_new = 'IM-****-*****-*****-*****-*****-' + new[-5:]
        self.assertTrue(any(masked_new in f for f in d['findings']), d['findings'])
        self.assertNotIn('(invalid)', repr(d))
        self.assertNoCode(repr(d), new)
        # registering the new code clears it
        self.activate('antivirus', new)
        self.settle()
        self.assertEqual([n for n in self.call('GetNotices', 'en') if n['kind'] == 'code-replaced'], [])


class AutoEnvironmentTest(CmTestBase):
    '''Issue 9 (2), SPEC §8: what `auto` derives, and what the doctor says.'''

    def env(self):
        return self.get_property('Environment')

    def test_one_server_error_keeps_a_connected_gateway_connected(self):
        code = self.make_code('antivirus')
        self.activate('antivirus', code)
        self.settle()
        self.assertEqual(self.env(), 'connected')
        self.sim.admin('fault', mode='error', count=1)
        with self.assertRaises(GLib.Error):
            self.call('UpdateStatus')
        self.assertEqual(self.env(), 'connected')
        rc, out, err = self.ctl('status')
        self.assertNotIn('not connected', out)
        # and the outage of the server itself for a day: still connected
        self.sim.stop()
        self.assertDBusError('ServerUnreachable', self.call, 'UpdateStatus')
        self.assertEqual(self.env(), 'connected')

    def test_never_reached_is_standalone_until_reached(self):
        self.stop_daemon()
        self.write_config(edition=self.edition, license={'environment': 'auto'},
                          license_server={'url': 'http://127.0.0.1:9/ollu/license_update.aspx',
                                          'timeout': 3})
        self.start_daemon()
        code = self.make_code('antivirus')
        self.activate('antivirus', code)
        self.settle()
        self.assertEqual(self.env(), 'standalone')
        self.assertEqual(self.diagnose('antivirus')['action_id'], 'activate-offline-code')
        # the network comes back: the next contact (still tried) says so
        self.stop_daemon()
        self.write_config(edition=self.edition, license={'environment': 'auto'},
                          license_server={'url': self.sim.url, 'timeout': 3})
        self.start_daemon()
        self.assertEqual(self.call('UpdateStatus'), 'unchanged')
        self.assertEqual(self.env(), 'connected')

    def test_refused_profile_does_not_make_cm_managed(self):
        e = self.today() + datetime.timedelta(days=55)
        code = self.make_code('antivirus', expiry=e)
        self.activate('antivirus', code)
        self.settle()
        self.assertDBusError('InvalidArgs', self.apply, slot='antivirus', code=code, expiry='bad')
        self.assertDBusError('CodeMismatch', self.apply, slot='antivirus',
                             code=self.make_code('antivirus'), expiry=str(e))
        self.assertEqual(self.env(), 'connected')
        # the server has the renewal: the doctor says update, not redeploy
        self.sim.admin('renew', code=code, expiry=str(e + datetime.timedelta(days=365)))
        d = self.diagnose('antivirus')
        self.assertEqual(d['environment'], 'connected')
        self.assertEqual(d['action_id'], 'update-now')

    def test_applied_profile_makes_cm_managed_and_offline(self):
        code = self.make_code('antivirus')
        self.activate('antivirus', code)
        self.settle()
        asked = len(self.sim.requests())
        self.assertEqual(self.apply(slot='antivirus', code=code,
                                    expiry=str(self.today() + datetime.timedelta(days=500))),
                         'extended')
        self.assertEqual(self.env(), 'cm-managed')
        # SPEC §8: a CM-managed gateway does not contact the license server
        e = self.assertDBusError('NotSupported', self.call, 'UpdateStatus')
        self.assertIn('Control Manager', imsstest.dbus_error_message(e))
        d = self.diagnose('antivirus')
        self.assertEqual(d['action_id'], 'redeploy-profile')
        self.assertEqual(len(self.sim.requests()), asked, 'a CM-managed gateway asked the server')

    def test_antispam_profile_renews_email_reputation(self):
        '''Issue 9 (3): the two slots share one code and must not drift apart.'''
        code = self.make_code('antispam', expiry=self.today() + datetime.timedelta(days=20))
        self.activate('antispam', code)
        self.settle()
        new = str(self.today() + datetime.timedelta(days=400))
        self.assertEqual(self.apply(slot='antispam', code=code, expiry=new), 'extended')
        for slot in ('antispam', 'email-reputation'):
            self.assertEqual(self.slot_props(slot)['ExpiryDate'], new, slot)
            self.assertTrue(self.slot_props(slot)['ExpiryVerified'], slot)
        self.restart_daemon()
        self.assertEqual(self.slot_props('email-reputation')['ExpiryDate'], new)


if __name__ == '__main__':
    imsstest.main()
