#!/usr/bin/python3
'''Activate (SPEC §1, §2, §6, §11) on a private system bus: slot properties,
the antispam/email-reputation pair, editions and prefixes, persistence,
signals, the ObjectManager, the history and the Time-of-Click binding.'''

import datetime
import os
import re
import sys
import threading

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import imsstest  # noqa: E402
from imsstest import (IFACE, OBJECT_PATH, PROPERTIES_IFACE, SLOT_IFACE, SLOTS,  # noqa: E402
                      GLib, slot_path)

ISO_TIME_RE = re.compile(r'^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}')


def prefix_for(slot):
    return 'DL' if slot == 'compliance' else 'IM'


class ActivateTest(imsstest.ImssTestCase):
    edition = 'imsva'

    def expiry(self, days=365):
        return self.today() + datetime.timedelta(days=days)

    def assertActive(self, slot, code, expiry, offline=False):
        props = self.slot_props(slot)
        self.assertEqual(props['Id'], slot)
        self.assertEqual(props['State'], 'active', props)
        self.assertEqual(props['ExpiryDate'], expiry.isoformat())
        self.assertEqual(props['GraceEndDate'], (expiry + datetime.timedelta(days=90)).isoformat())
        self.assertMasked(props['ActivationCode'], code)
        self.assertIs(props['Offline'], offline)
        # an online code's expiry is the one issued until the server confirms
        # it; an offline code's own date is all there is
        self.assertIs(props['ExpiryVerified'], offline)
        self.assertIs(props['UpdatesAllowed'], True)
        self.assertIs(props['Enabled'], True)
        self.assertRegex(props['ActivatedAt'], ISO_TIME_RE)
        return props

    def test_initial_state(self):
        for slot in SLOTS:
            props = self.slot_props(slot)
            self.assertEqual(props['Id'], slot)
            self.assertEqual(props['State'], 'not-activated')
            self.assertEqual(props['ExpiryDate'], '')
            self.assertEqual(props['GraceEndDate'], '')
            self.assertEqual(props['ActivationCode'], '')
            self.assertIs(props['UpdatesAllowed'], False)
            self.assertIs(props['Enabled'], True)
        manager = self.manager_props()
        self.assertEqual(manager['Edition'], 'imsva')
        self.assertIs(manager['ClickProtectionBound'], False)
        self.assertTrue(manager['DaemonVersion'])

    def test_activate_each_slot(self):
        expiry = self.expiry()
        for slot in SLOTS:
            with self.subTest(slot=slot):
                code = self.make_code(slot, expiry=expiry, prefix=prefix_for(slot))
                path = self.activate(slot, code)
                self.assertEqual(path, slot_path(slot))
                self.assertActive(slot, code, expiry)

    def test_activate_offline(self):
        expiry = self.expiry(200)
        code = self.make_code('antivirus', expiry=expiry, offline=True)
        self.activate('antivirus', code)
        props = self.assertActive('antivirus', code, expiry, offline=True)
        self.assertEqual(props['NextCheck'], '', 'an offline code is never checked online')

    def test_input_forms(self):
        '''Any letter case, without dashes, with surrounding spaces.'''
        expiry = self.expiry()
        code = self.make_code('antivirus', expiry=expiry)
        for variant in (code.lower(), code.replace('-', ''), f'  {code}\t\n',
                        code.replace('-', '').lower()):
            with self.subTest(variant=variant):
                self.activate('antivirus', variant)
                self.assertActive('antivirus', code, expiry)

    def test_antispam_activates_email_reputation(self):
        expiry = self.expiry(400)
        code = self.make_code('antispam', expiry=expiry)
        self.activate('antispam', code)
        antispam = self.assertActive('antispam', code, expiry)
        reputation = self.assertActive('email-reputation', code, expiry)
        self.assertEqual(antispam['ActivationCode'], reputation['ActivationCode'])
        # nothing else moved
        for slot in ('cloud-prefilter', 'antivirus', 'email-encryption', 'compliance'):
            self.assertEqual(self.slot_props(slot)['State'], 'not-activated')

    def test_reactivation_is_idempotent(self):
        code = self.make_code('antivirus')
        self.activate('antivirus', code)
        self.settle()
        before = self.slot_props('antivirus')
        history = self.history()
        snapshot = self.db_snapshot()
        restarts = self.restarted_units()
        self.assertEqual(self.activate('antivirus', code), slot_path('antivirus'))
        self.assertEqual(self.activate('antivirus', code.lower()), slot_path('antivirus'))
        self.settle()
        self.assertEqual(self.slot_props('antivirus'), before)
        self.assertEqual(self.history(), history)
        self.assertSnapshotEqual(snapshot)
        self.assertEqual(self.restarted_units(), restarts, 'a no-op restarted services')

    def test_activation_restarts_services(self):
        '''SPEC §6/§7: a new activation restarts the scan and policy services;
        the sender filter only when it is enabled and the slot is antispam or
        email-reputation.'''
        self.activate('antivirus', self.make_code('antivirus'))
        self.wait_for(lambda: {'imss-scan.service', 'imss-policy.service'}
                      <= set(self.restarted_units()), message='RestartUnit calls')
        self.settle()
        self.assertNotIn('imss-sender-filter.service', self.restarted_units())
        self.clear_restarts()
        self.activate('antispam', self.make_code('antispam'))
        self.settle()
        self.assertNotIn('imss-sender-filter.service', self.restarted_units())

        self.write_config(edition=self.edition, services={'sender_filter_enabled': True})
        self.restart_daemon()
        self.clear_restarts()
        self.activate('antispam', self.make_code('antispam', expiry=self.expiry(500)))
        self.wait_for(lambda: {'imss-scan.service', 'imss-policy.service',
                               'imss-sender-filter.service'} <= set(self.restarted_units()),
                      message='RestartUnit calls with the sender filter')
        self.settle()
        self.clear_restarts()
        self.activate('compliance', self.make_code('compliance', prefix='DL'))
        self.settle()
        self.assertIn('imss-scan.service', self.restarted_units())
        self.assertNotIn('imss-sender-filter.service', self.restarted_units())

    def test_new_code_replaces_old(self):
        first = self.make_code('antivirus', expiry=self.expiry(100))
        second = self.make_code('antivirus', expiry=self.expiry(500))
        self.activate('antivirus', first)
        self.activate('antivirus', second)
        self.assertActive('antivirus', second, self.expiry(500))

    def test_other_edition_code(self):
        code = self.make_code('antivirus', edition='imss')
        self.assertDBusError('InvalidCode', self.activate, 'antivirus', code)
        self.assertEqual(self.slot_props('antivirus')['State'], 'not-activated')

    def test_code_for_another_slot(self):
        code = self.make_code('antivirus')
        for slot in ('cloud-prefilter', 'antispam', 'email-reputation', 'email-encryption'):
            with self.subTest(slot=slot):
                self.assertDBusError('InvalidCode', self.activate, slot, code)
                self.assertEqual(self.slot_props(slot)['State'], 'not-activated')

    def test_prefixes_on_imsva(self):
        # AS- codes exist for antispam on imss only: refused on imsva
        code = self.try_code('antispam', prefix='AS') or \
            self.make_code('antispam', prefix='AS', edition='imss')
        self.assertDBusError('InvalidCode', self.activate, 'antispam', code)
        # DL- only for compliance, and compliance only with DL- (when the
        # generator can mint such codes at all)
        dl = self.try_code('antivirus', 'compliance', prefix='DL')
        if dl is not None:
            self.assertDBusError('InvalidCode', self.activate, 'antivirus', dl)
        else:
            dl = self.make_code('compliance', prefix='DL')
        self.assertDBusError('InvalidCode', self.activate, 'antivirus', dl)
        im = self.try_code('compliance', prefix='IM')
        if im is not None:
            self.assertDBusError('InvalidCode', self.activate, 'compliance', im)
        self.activate('compliance', dl)
        self.assertEqual(self.slot_props('compliance')['State'], 'active')
        self.assertEqual(self.slot_props('antivirus')['State'], 'not-activated')

    def test_persistence(self):
        expiry = self.expiry(300)
        codes = {
            'antispam': self.make_code('antispam', expiry=expiry),
            'compliance': self.make_code('compliance', expiry=expiry, prefix='DL', offline=True),
        }
        for slot, code in codes.items():
            self.activate(slot, code)
        self.settle()
        before = {slot: self.slot_props(slot) for slot in SLOTS}
        history = self.history()
        self.restart_daemon()
        after = {slot: self.slot_props(slot) for slot in SLOTS}
        self.assertEqual(after, before)
        self.assertEqual(self.history(), history)
        self.assertActive('email-reputation', codes['antispam'], expiry)
        self.assertActive('compliance', codes['compliance'], expiry, offline=True)

    def test_properties_changed(self):
        changes = self.subscribe(PROPERTIES_IFACE, 'PropertiesChanged')
        code = self.make_code('antispam')
        self.activate('antispam', code)

        def seen(slot):
            for path, (iface, changed, _invalidated) in changes:
                if (path == slot_path(slot) and iface == SLOT_IFACE
                        and changed.get('State') == 'active'):
                    return changed
            return None
        self.wait_for(lambda: seen('antispam') and seen('email-reputation'),
                      message='PropertiesChanged on both slots')
        for slot in ('antispam', 'email-reputation'):
            changed = seen(slot)
            if 'ActivationCode' in changed:
                self.assertMasked(changed['ActivationCode'], code)
        for _path, args in changes:
            self.assertNoCode(repr(args), code, 'PropertiesChanged')

    def test_properties_interface(self):
        '''Get, GetAll and GetManagedObjects are answered from the skeletons'
        prepared copy (daemon/imss-skeleton.c): each read after a change
        shows the change, the three agree, and what is not a readable
        property is refused.'''
        path = slot_path('antivirus')
        # read first, so that a copy is prepared before the change
        self.assertEqual(self.get_property('State', path, SLOT_IFACE), 'not-activated')
        self.assertEqual(self.slot_props('antivirus')['State'], 'not-activated')
        before_edition = self.get_property('Edition')

        code = self.make_code('antivirus')
        self.activate('antivirus', code)
        props = self.slot_props('antivirus')
        self.assertEqual(props['State'], 'active')
        for name, value in props.items():
            self.assertEqual(self.get_property(name, path, SLOT_IFACE), value, name)
        self.assertEqual(self.managed_objects()[path][SLOT_IFACE], props)
        manager = self.manager_props()
        self.assertEqual(manager['Edition'], before_edition)
        for name, value in manager.items():
            self.assertEqual(self.get_property(name), value, name)

        self.assertDBusError('org.freedesktop.DBus.Error.InvalidArgs',
                             self.get_property, 'NoSuchProperty', path, SLOT_IFACE)
        self.assertDBusError('org.freedesktop.DBus.Error.InvalidArgs',
                             self.call_full, path, PROPERTIES_IFACE, 'GetAll', 's',
                             ('org.imss.License.NoSuchInterface',), '(a{sv})')
        self.assertDBusError('org.freedesktop.DBus.Error.InvalidArgs',
                             self.call_full, path, PROPERTIES_IFACE, 'Set', 'ssv',
                             (SLOT_IFACE, 'State', GLib.Variant('s', 'inactive')))
        self.assertEqual(self.get_property('State', path, SLOT_IFACE), 'active')

    def test_properties_while_reading(self):
        '''Reads of a copy already prepared are answered in GDBus's worker
        thread (daemon/imss-skeleton.c): with another client reading the
        slots back to back, every reply is whole, and a read sent after
        Activate has answered shows the activation.'''
        slots = ('antivirus', 'compliance', 'email-encryption')
        reader = self.another_connection()
        names = set(self.slot_props('antivirus'))
        stop = threading.Event()
        seen = []
        errors = []

        def read():
            while not stop.is_set():
                for slot in slots:
                    try:
                        props = self.call_full(slot_path(slot), PROPERTIES_IFACE, 'GetAll', 's',
                                               (SLOT_IFACE,), '(a{sv})', bus=reader)
                        seen.append((slot, props))
                    except GLib.Error as e:
                        errors.append(e.message)
        thread = threading.Thread(target=read)
        thread.start()
        try:
            for slot in slots:
                # prepared, and read again (now by the worker) before the change
                for _ in range(3):
                    self.assertEqual(self.slot_props(slot)['State'], 'not-activated')
                self.assertEqual(self.get_property('State', slot_path(slot), SLOT_IFACE),
                                 'not-activated')
                expiry = self.expiry(days=200 + len(seen) % 7)
                code = self.make_code(slot, expiry=expiry)
                self.activate(slot, code)
                props = self.slot_props(slot)
                self.assertEqual(props['State'], 'active', slot)
                self.assertEqual(props['ExpiryDate'], expiry.isoformat(), slot)
                self.assertEqual(self.get_property('ExpiryDate', slot_path(slot), SLOT_IFACE),
                                 expiry.isoformat())
        finally:
            stop.set()
            thread.join()
        self.assertEqual(errors, [])
        self.assertGreater(len(seen), 30)
        for slot, props in seen:
            self.assertEqual(set(props), names, slot)
            self.assertIn(props['State'], ('not-activated', 'active'), slot)
        # the reader's last replies show every activation
        last = {slot: props for slot, props in seen}
        self.assertEqual({slot: last[slot]['State'] for slot in slots},
                         {slot: 'active' for slot in slots})

    def test_object_manager(self):
        objects = self.managed_objects()
        slot_objects = {p: ifaces for p, ifaces in objects.items() if SLOT_IFACE in ifaces}
        self.assertEqual(sorted(slot_objects), sorted(slot_path(s) for s in SLOTS))
        for path, ifaces in slot_objects.items():
            self.assertEqual(slot_path(ifaces[SLOT_IFACE]['Id']), path)

        code = self.make_code('antivirus')
        self.activate('antivirus', code)
        objects = self.managed_objects()
        self.assertEqual(objects[slot_path('antivirus')][SLOT_IFACE]['State'], 'active')
        self.assertNoCode(repr(objects), code, 'GetManagedObjects')

    def test_license_changed_signal(self):
        signals = self.subscribe(IFACE, 'LicenseChanged', OBJECT_PATH)
        expiry = self.expiry()
        code = self.make_code('antispam', expiry=expiry)
        self.activate('antispam', code)
        self.wait_for(lambda: any(args[0] == 'antispam' for _p, args in signals),
                      message='LicenseChanged(antispam)')
        for _path, args in signals:
            self.assertNoCode(repr(args), code, 'LicenseChanged')
        slot, reason, details = next(args for _p, args in signals if args[0] == 'antispam')
        self.assertEqual(reason, 'activated')
        self.assertEqual(details.get('expiry'), expiry.isoformat())
        if 'code' in details:
            self.assertMasked(details['code'], code)

    def test_history(self):
        code = self.make_code('antispam')
        self.activate('antispam', code)
        other = self.make_code('antivirus')
        self.activate('antivirus', other)
        self.settle()
        entries = self.history()
        self.assertGreaterEqual(len(entries), 2)
        self.assertNoCode(repr(entries), code, 'GetHistory')
        self.assertNoCode(repr(entries), other, 'GetHistory')
        for e in entries:
            self.assertLessEqual({'time', 'action', 'slot', 'code', 'caller', 'outcome',
                                  'detail'}, set(e), e)
        newest = next(e for e in entries if e['action'] == 'activate')
        self.assertEqual(newest['action'], 'activate')
        self.assertEqual(newest['slot'], 'antivirus')
        self.assertEqual(newest['caller'], 'uid 0')
        self.assertEqual(newest['outcome'], 'ok')
        self.assertMasked(newest['code'], other)
        self.assertRegex(newest['time'], ISO_TIME_RE)
        antispam = [e for e in entries if e.get('slot') == 'antispam' and e['action'] == 'activate']
        self.assertTrue(antispam, entries)
        self.assertMasked(antispam[0]['code'], code)
        self.assertEqual(self.history(1), entries[:1])

    def test_click_protection(self):
        first = self.make_code('antispam')
        second = self.make_code('antispam', expiry=self.expiry(500))
        self.activate('antispam', first)
        self.call('BindClickProtection')
        self.assertIs(self.manager_props()['ClickProtectionBound'], True)
        self.settle()

        snapshot = self.db_snapshot()
        self.assertDBusError('ClickProtectionBound', self.activate, 'antispam', second)
        self.assertSnapshotEqual(snapshot)
        self.assertMasked(self.slot_props('antispam')['ActivationCode'], first)
        self.assertMasked(self.slot_props('email-reputation')['ActivationCode'], first)

        # the bound code itself may be entered again
        self.activate('antispam', first)
        # the binding survives a restart
        self.restart_daemon()
        self.assertIs(self.manager_props()['ClickProtectionBound'], True)
        self.assertDBusError('ClickProtectionBound', self.activate, 'antispam', second)

        self.assertIs(self.call('ReleaseClickProtection'), True)
        self.assertIs(self.manager_props()['ClickProtectionBound'], False)
        self.assertIs(self.call('ReleaseClickProtection'), False)
        self.activate('antispam', second)
        self.assertActive('antispam', second, self.expiry(500))
        self.assertActive('email-reputation', second, self.expiry(500))
        actions = [e['action'] for e in self.history()]
        self.assertIn('release-click-protection', actions)

    def test_click_protection_needs_antispam(self):
        self.assertDBusError('InvalidArgs', self.call, 'BindClickProtection')
        self.assertIs(self.manager_props()['ClickProtectionBound'], False)

    def test_bus_loss_is_a_failure(self):
        '''data/imss-licensed.service restarts the daemon with
        Restart=on-failure: when the bus goes away the daemon must end with
        a failure status (not 0, not a signal).'''
        proc = self.daemon
        self.bus_proc.terminate()
        self.bus_proc.wait()
        rc = proc.wait(timeout=300 if self.valgrind else 30)
        self.daemon = None
        self._check_valgrind()
        self.assertGreater(rc, 0, self.daemon_log()[-2000:])

    def test_daemon_log_has_no_code(self):
        code = self.make_code('antispam')
        self.activate('antispam', code)
        self.history()
        self.restart_daemon()
        self.assertNoCode(self.daemon_log(), code, 'the daemon log')


class ActivateImssTest(imsstest.ImssTestCase):
    edition = 'imss'

    def test_email_encryption_disabled(self):
        self.assertIs(self.slot_props('email-encryption')['Enabled'], False)
        for edition in ('imss', 'imsva'):
            code = self.try_code('email-encryption', edition=edition)
            if code is None:
                continue
            with self.subTest(edition=edition):
                self.assertDBusError('SlotDisabled', self.activate, 'email-encryption', code)
        self.assertEqual(self.slot_props('email-encryption')['State'], 'not-activated')

    def test_as_prefix_on_antispam(self):
        code = self.make_code('antispam', prefix='AS')
        self.activate('antispam', code)
        self.assertEqual(self.slot_props('antispam')['State'], 'active')
        self.assertMasked(self.slot_props('email-reputation')['ActivationCode'], code)
        # but not on the other slots
        other = self.try_code('antivirus', prefix='AS')
        if other is not None:
            self.assertDBusError('InvalidCode', self.activate, 'antivirus', other)

    def test_imsva_code_on_imss(self):
        code = self.make_code('antivirus', edition='imsva')
        self.assertDBusError('InvalidCode', self.activate, 'antivirus', code)
        self.activate('antivirus', self.make_code('antivirus'))
        self.assertEqual(self.manager_props()['Edition'], 'imss')


class ActivatePostgreSQLTest(imsstest.ImssTestCase):
    '''The same store on PostgreSQL (IMSS_PG_CNC, set by tests/run-tests.sh).'''
    autostart = False

    def setUp(self):
        super().setUp()
        self.use_postgresql()
        self.start_daemon()

    def test_activate_and_persist(self):
        expiry = self.today() + datetime.timedelta(days=365)
        code = self.make_code('antispam', expiry=expiry)
        self.activate('antispam', code)
        before = {slot: self.slot_props(slot) for slot in SLOTS}
        self.call('BindClickProtection')
        self.restart_daemon()
        self.assertEqual({slot: self.slot_props(slot) for slot in SLOTS}, before)
        self.assertEqual(before['email-reputation']['State'], 'active')
        self.assertIs(self.manager_props()['ClickProtectionBound'], True)
        self.assertDBusError("InvalidCode", self.activate, 'antivirus',
                             "IM-'; DROP TABLE slots;--")
        self.restart_daemon()
        self.assertEqual(self.slot_props('antispam'), before['antispam'])


if __name__ == '__main__':
    imsstest.main()
