#!/usr/bin/python3
'''libimss-license-1 through its typelib (PyGObject) against the daemon on a
private system bus: construction (sync and async), the manager's
properties, the slots as a GListModel, every method as _async/_finish, the
IMSS_ERROR domain, the signals, and the daemon restarting under a
connected client.'''

import datetime
import gc
import os
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import imsstest  # noqa: E402
from imsstest import GLib, SLOTS  # noqa: E402

import gi  # noqa: E402
gi.require_version('Imss', '1')
from gi.repository import Imss  # noqa: E402


class LibraryTestCase(imsstest.ImssTestCase):
    def new_client(self):
        client = Imss.Client.new_sync(Imss.ClientFlags.DO_NOT_AUTO_START, None)
        self.addCleanup(self.drop_client, client)
        return client

    def drop_client(self, client):
        '''Disposes of @client and lets every wrapper go, so that the
        process's system bus connection (a weak singleton in GLib) goes
        with this test's private bus.'''
        client.run_dispose()
        del client
        gc.collect()
        self.process_events(0.1)
        gc.collect()

    def run_async(self, start, finish, *args):
        '''Calls start(*args, None, cb) and returns finish(result), or raises.'''
        results = []
        start(*args, None, lambda obj, res: results.append(res))
        self.wait_for(lambda: results, message='the async call')
        return finish(results[0])

    def slot(self, client, slot_id):
        return client.get_slot(slot_id)


class ConstructionTest(LibraryTestCase):
    def test_sync(self):
        client = self.new_client()
        self.assertTrue(client.get_daemon_running())
        self.assertEqual(client.props.edition, 'imsva')
        self.assertEqual(client.get_edition(), 'imsva')
        self.assertEqual(client.props.environment, self.manager_props()['Environment'])
        self.assertEqual(client.get_daemon_version(), self.manager_props()['DaemonVersion'])
        self.assertFalse(client.get_click_protection_bound())
        slots = client.get_slots()
        self.assertEqual(slots.get_n_items(), len(SLOTS))
        self.assertEqual(slots.get_item_type(), Imss.Slot.__gtype__)
        self.assertEqual([slots.get_item(i).get_id() for i in range(len(SLOTS))], SLOTS)
        for i in range(len(SLOTS)):
            slot = slots.get_item(i)
            self.assertEqual(slot.get_state(), Imss.LicenseState.NOT_ACTIVATED)
            self.assertEqual(slot.get_code(), '')
            self.assertTrue(slot.get_name())
        self.assertIsNone(client.get_slot('no-such-slot'))

    def test_async(self):
        results = []
        Imss.Client.new_async(Imss.ClientFlags.DO_NOT_AUTO_START, None,
                              lambda _o, res: results.append(res))
        self.wait_for(lambda: results, message='the client')
        client = Imss.Client.new_finish(results[0])
        self.addCleanup(self.drop_client, client)
        self.assertEqual(client.get_slots().get_n_items(), len(SLOTS))
        self.assertEqual(client.get_edition(), 'imsva')

    def test_no_daemon(self):
        self.stop_daemon()
        # the client is constructed; it says the daemon is away
        client = self.new_client()
        self.assertFalse(client.get_daemon_running())
        with self.assertRaises(GLib.Error) as cm:
            self.run_async(client.get_clock_async, client.get_clock_finish)
        self.assertEqual(cm.exception.domain, 'g-dbus-error-quark')


class MethodsTest(LibraryTestCase):
    def test_activate_and_slot(self):
        client = self.new_client()
        expiry = self.today() + datetime.timedelta(days=365)
        code = self.make_code('antivirus', expiry=expiry)
        changed = []
        states = []
        client.connect('license-changed', lambda _c, slot, reason, d: changed.append(
            (slot.get_id(), reason)))
        client.connect('state-changed', lambda _c, slot, old, new: states.append(
            (slot.get_id(), old, new)))
        slot = self.slot(client, 'antivirus')
        notified = []
        slot.connect('notify::state', lambda s, _p: notified.append(s.get_state()))
        result = self.run_async(client.activate_async, client.activate_finish, 'antivirus', code)
        self.assertEqual(result.get_id(), 'antivirus')
        self.wait_for(lambda: changed and states and notified, message='the signals')
        self.assertEqual(changed[0], ('antivirus', 'activated'))
        self.assertEqual(states[0], ('antivirus', Imss.LicenseState.NOT_ACTIVATED,
                                     Imss.LicenseState.ACTIVE))
        self.assertEqual(slot.get_state(), Imss.LicenseState.ACTIVE)
        self.assertEqual(slot.props.state, Imss.LicenseState.ACTIVE)
        self.assertEqual(slot.get_expiry(), expiry.isoformat())
        self.assertEqual(slot.get_grace_end(), (expiry + datetime.timedelta(days=90)).isoformat())
        self.assertEqual(slot.get_days_left(), 365)
        self.assertEqual(slot.get_code(), self.slot_props('antivirus')['ActivationCode'])
        self.assertMasked(slot.get_code(), code)
        self.assertTrue(slot.get_updates_allowed())
        self.assertNoCode(self.daemon_log(), code, 'the daemon log')
        dt = slot.dup_expiry_datetime()
        self.assertEqual((dt.get_year(), dt.get_month(), dt.get_day_of_month()),
                         (expiry.year, expiry.month, expiry.day))

    def test_properties_read_as_getters(self):
        '''Every GObject property of the client and of the slots reads as
        its getter does: the D-Bus ones (strings, booleans, the clock skew,
        the restarts and the settings) and the client's own.'''
        client = self.new_client()
        code = self.make_code('antispam', expiry=self.today() + datetime.timedelta(days=30))
        self.run_async(client.activate_async, client.activate_finish, 'antispam', code)
        slot = self.slot(client, 'antispam')
        self.wait_for(lambda: slot.get_code(), message='the slot\'s code')
        checked = 0
        for obj in [client] + [self.slot(client, s) for s in SLOTS]:
            for pspec in obj.list_properties():
                getter = getattr(obj, 'get_' + pspec.name.replace('-', '_'), None)
                if getter is None:
                    continue
                with self.subTest(obj=type(obj).__name__, prop=pspec.name):
                    value = obj.get_property(pspec.name)
                    if isinstance(value, GLib.Variant):
                        value = value.unpack()
                        self.assertEqual(value, getter().unpack())
                    else:
                        self.assertEqual(value, getter())
                checked += 1
        self.assertGreater(checked, 100)
        self.assertEqual(slot.props.code, self.slot_props('antispam')['ActivationCode'])
        self.assertEqual(slot.props.expiry_verified, slot.get_expiry_verified())
        self.assertEqual(client.props.clock_skew, self.manager_props()['ClockSkew'])
        self.assertEqual(self.slot(client, 'compliance').props.expiry, '')

    def test_error_mapping(self):
        client = self.new_client()
        with self.assertRaises(GLib.Error) as cm:
            self.run_async(client.activate_async, client.activate_finish, 'antivirus',
                           'IM-0000-00000-00000-00000-00000-00000')
        self.assertEqual(cm.exception.domain, 'imss-error-quark')
        self.assertEqual(cm.exception.code, Imss.Error.INVALID_CODE)
        self.assertTrue(cm.exception.matches(Imss.Error.quark(), Imss.Error.INVALID_CODE))
        with self.assertRaises(GLib.Error) as cm:
            self.run_async(client.activate_async, client.activate_finish, 'no-such-slot',
                           self.make_code('antivirus'))
        self.assertEqual(cm.exception.code, Imss.Error.UNKNOWN_SLOT)
        self.assertNotIn('org.imss.License.Error', cm.exception.message)
        self.polkit_deny_all()
        with self.assertRaises(GLib.Error) as cm:
            self.run_async(client.update_async, client.update_finish)
        self.assertEqual(cm.exception.code, Imss.Error.NOT_AUTHORIZED)

    def test_read_methods(self):
        client = self.new_client()
        self.activate('antivirus', self.make_code('antivirus', offline=True))
        self.settle()
        history = self.run_async(client.get_history_async, client.get_history_finish, 0)
        self.assertEqual(history.unpack(), self.history(0))
        page = self.run_async(client.get_history_page_async, client.get_history_page_finish, 0, 10)
        entries, total = page
        self.assertEqual(total, len(self.history(0)))
        self.assertEqual(entries.unpack(), self.history(0)[:10])
        events = self.run_async(client.list_events_async, client.list_events_finish, 30)
        self.assertEqual(events.unpack(), self.call('ListEvents', 30))
        clock = self.run_async(client.get_clock_async, client.get_clock_finish)
        self.assertEqual(clock.unpack()['today'], self.call('GetClock')['today'])
        self.assertEqual(client.get_today(), self.call('GetClock')['today'])
        notices = self.run_async(client.get_notices_async, client.get_notices_finish, 'en')
        self.assertEqual(len(notices), len(self.call('GetNotices', 'en')))
        for n in notices:
            self.assertIsInstance(n, Imss.Notice)
            self.assertTrue(n.get_text())
        diagnosis = self.run_async(client.diagnose_async, client.diagnose_finish, 'antivirus', 'en')
        self.assertIsNotNone(diagnosis)
        nodes = self.run_async(client.list_nodes_async, client.list_nodes_finish)
        self.assertEqual(nodes.unpack(), self.call('ListNodes'))

    def test_write_methods(self):
        client = self.new_client()
        restarted = self.run_async(client.restart_services_async, client.restart_services_finish)
        self.assertIsInstance(restarted, list)
        hidden = []
        client.connect('notify::inactive-notices-hidden', lambda c, _p: hidden.append(
            c.get_inactive_notices_hidden()))
        self.run_async(client.set_inactive_notices_hidden_async,
                       client.set_inactive_notices_hidden_finish, True)
        self.wait_for(lambda: hidden, message='notify::inactive-notices-hidden')
        self.assertTrue(client.get_inactive_notices_hidden())
        # no anti-spam code: binding fails in the IMSS_ERROR domain or works
        try:
            self.run_async(client.bind_click_protection_async,
                           client.bind_click_protection_finish)
        except GLib.Error as e:
            self.assertEqual(e.domain, 'imss-error-quark')
        # a profile without a code: refused in the IMSS_ERROR domain
        with self.assertRaises(GLib.Error) as cm:
            self.run_async(client.apply_profile_async, client.apply_profile_finish,
                           GLib.Variant('a{sv}', {'code': GLib.Variant('s', 'nonsense')}))
        self.assertEqual(cm.exception.domain, 'imss-error-quark')
        # nothing to update: a summary string
        summary = self.run_async(client.update_async, client.update_finish)
        self.assertIsInstance(summary, str)


class SettingsTest(LibraryTestCase):
    '''The Settings property, SetSettings and TestMail through the library.'''

    def test_settings_and_test_mail(self):
        client = self.new_client()
        self.assertEqual(client.get_settings().unpack()['mail-smtp'], '')
        notified = []
        client.connect('notify::settings', lambda c, _p: notified.append(c.props.settings))
        # nothing to send with yet: InvalidArgs naming the setting
        with self.assertRaises(GLib.Error) as cm:
            self.run_async(client.test_mail_async, client.test_mail_finish)
        self.assertTrue(cm.exception.matches(Imss.Error.quark(), Imss.Error.INVALID_ARGS))
        self.assertIn('mail-', cm.exception.message)
        smtp = imsstest.SmtpSink(self)
        settings = GLib.Variant('a{sv}', {
            'mail-to': GLib.Variant('as', ['ops@example.com']),
            'mail-smtp': GLib.Variant('s', f'smtp://127.0.0.1:{smtp.port}')})
        self.assertTrue(self.run_async(client.set_settings_async, client.set_settings_finish,
                                       settings, None))
        self.wait_for(lambda: notified, message='notify::settings')
        self.assertEqual(client.get_settings().unpack()['mail-to'], ['ops@example.com'])
        self.assertEqual(self.run_async(client.test_mail_async, client.test_mail_finish),
                         'sent to 1 recipient(s)')
        # a bad value: InvalidArgs, nothing stored
        with self.assertRaises(GLib.Error) as cm:
            self.run_async(client.set_settings_async, client.set_settings_finish,
                           GLib.Variant('a{sv}', {'mail-language': GLib.Variant('s', 'fr')}),
                           ['mail-to'])
        self.assertEqual(cm.exception.code, Imss.Error.INVALID_ARGS)
        self.assertEqual(self.get_property('Settings')['mail-to'], ['ops@example.com'])


class RestartTest(LibraryTestCase):
    def test_daemon_restart(self):
        client = self.new_client()
        running = []
        client.connect('notify::daemon-running', lambda c, _p: running.append(
            c.get_daemon_running()))
        self.stop_daemon()
        self.wait_for(lambda: running and not running[-1], message='daemon-running false')
        # activated while the client was not looking
        self.start_daemon()
        self.activate('antispam', self.make_code('antispam', offline=True))
        self.wait_for(lambda: running[-1], message='daemon-running true')
        slot = client.get_slot('antispam')
        self.wait_for(lambda: slot.get_state() == Imss.LicenseState.ACTIVE,
                      message='the slot read again')
        self.assertEqual(client.get_slots().get_n_items(), len(SLOTS))
        self.assertEqual(slot.get_code(), self.slot_props('antispam')['ActivationCode'])
        clock = self.run_async(client.get_clock_async, client.get_clock_finish)
        self.assertIn('today', clock.unpack())


class SignalsTest(imsstest.VirtualClockMixin, LibraryTestCase):
    '''The Notice and StateChanged of a slot entering E-60, on the
    daemon's virtual clock: typed arguments, the text in the client's
    language, the slot's properties following.'''
    autostart = False

    def setUp(self):
        os.environ['TZ'] = 'Asia/Tokyo'
        self.addCleanup(os.environ.pop, 'TZ', None)
        super().setUp()
        self.start_daemon(['--virtual-clock=2019-08-01T09:00:00'])

    def test_notice_and_state_changed(self):
        client = self.new_client()
        client.set_language('ja')
        self.assertEqual(client.props.language, 'ja')
        self.run_async(client.activate_async, client.activate_finish, 'antivirus',
                       self.make_code('antivirus', expiry='2019-12-31'))
        slot = client.get_slot('antivirus')
        self.wait_for(lambda: slot.get_state() == Imss.LicenseState.ACTIVE, message='active')
        notices, states = [], []
        client.connect('notice', lambda _c, n: notices.append(n))
        client.connect('state-changed', lambda _c, s, old, new: states.append((s.get_id(), new)))
        days = []
        slot.connect('notify::state', lambda s, _p: days.append(s.get_days_left()))
        self.advance_to('2019-11-01T00:00:05')            # E-60
        self.wait_for(lambda: states and notices and days, message='the signals')
        self.assertEqual(states[0], ('antivirus', Imss.LicenseState.EXPIRING))
        self.assertEqual(slot.get_state(), Imss.LicenseState.EXPIRING)
        # the client reads the daemon's date again on its signals
        self.wait_for(lambda: client.get_today() == '2019-11-01', message='the new today')
        self.assertEqual(slot.get_days_left(), 60)
        notice = next(n for n in notices if n.get_kind() == Imss.NoticeKind.EXPIRING)
        self.assertIsInstance(notice, Imss.Notice)
        self.assertEqual(notice.get_slot_id(), 'antivirus')
        self.assertEqual(notice.get_days_left(), 60)
        self.assertEqual(notice.get_expiry(), '2019-12-31')
        self.assertEqual(notice.get_language(), 'ja')
        self.assertRegex(notice.get_text(), '[\u3040-\u30ff\u4e00-\u9fff]')
        english = notice.render_text('en')
        self.assertIn('60 days', english)

    def test_days_left_at_midnight(self):
        '''At the daemon's 00:00 of an ordinary day no signal comes, yet the
        days left drop by one: the client reads the date again then.'''
        client = self.new_client()
        self.run_async(client.activate_async, client.activate_finish, 'antivirus',
                       self.make_code('antivirus', expiry='2019-12-31'))
        slot = client.get_slot('antivirus')
        self.wait_for(lambda: slot.get_state() == Imss.LicenseState.ACTIVE, message='active')
        self.assertEqual(slot.get_days_left(), 152)
        grace = slot.dup_grace_end_datetime()
        self.assertEqual((grace.get_year(), grace.get_month(), grace.get_day_of_month(),
                          grace.get_hour()), (2020, 3, 30, 0))
        # three seconds before the daemon's midnight; the client learns the
        # time from any clock it reads
        self.set_time('2019-08-01T23:59:57')
        self.run_async(client.get_clock_async, client.get_clock_finish)
        days = []
        slot.connect('notify::days-left', lambda s, _p: days.append(s.get_days_left()))
        # past midnight on the daemon's clock: nothing is due on 2019-08-02
        # (no check, no state change, no notice), so no signal is sent
        self.assertEqual(self.advance(10), 0)
        self.assertEqual(slot.get_days_left(), 152)
        self.wait_for(lambda: days, timeout=20, message='days-left at midnight')
        self.assertEqual(days, [151])
        self.assertEqual(client.get_today(), '2019-08-02')


class CTest(LibraryTestCase):
    '''tests/lib/test-client.c: the library from C, under valgrind with
    meson test --setup valgrind (definite leaks and errors fail).'''

    def test_c_client(self):
        argv = [imsstest.find_program('IMSS_TEST_CLIENT', 'tests/lib/test-client'),
                self.make_code('antivirus')]
        if self.valgrind:
            argv = self._valgrind_cmd() + argv
        env = dict(os.environ, DBUS_SYSTEM_BUS_ADDRESS=self.bus_address,
                   G_DEBUG='fatal-criticals', G_SLICE='always-malloc')
        proc = subprocess.run(argv, env=env, capture_output=True, text=True,
                              timeout=600 if self.valgrind else 60)
        self.assertEqual(proc.returncode, 0, proc.stdout + proc.stderr)


if __name__ == '__main__':
    imsstest.main()
