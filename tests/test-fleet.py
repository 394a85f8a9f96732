#!/usr/bin/python3
'''The gateway fleet (issue 10, docs/fleet.md): several imss-licensed on one
PostgreSQL database, each on its own private system bus (tests/imssfleet.py),
checked the way an operator would: what each node shows on D-Bus, what the
license-server simulator was asked, what the SMTP sink received, what the
database holds.

 1. PropagationTest      an activation and a renewal reach every node's
                         D-Bus view within 1 s (timed, printed)
 2. StaleNodeTest        a node holding an old code never writes it back
 3. FleetMonthTest       3 nodes, different license sets, a virtual month:
                         every check and mail exactly once
 4. ClaimLeaseTest       kill -9 of the node holding a claim: another node
                         does the job once, after the lease
 5. DatabaseOutageTest   PostgreSQL down for 30 s mid-run: no crash, clear
                         errors, no lost or doubled job, serving again
 6. SchemaRaceTest       3 nodes started together on an empty database
 7. DatabaseDownAtStartTest  a clear non-zero exit, then serving once it is up
                         (the unit's Restart=on-failure, RestartSec=5 and
                         StartLimitIntervalSec=0: tests/test-unit-file.sh)
 8. FleetViewTest, LastJobTest  ListNodes, imss-licensectl fleet, history's node
 9. ClockSkewTest        NodeName and ClockSkew on a normal node

HarnessTest checks the harness itself (nodes on one database: the history
written on one node is read on another; this holds before the fleet, too).
'''

import collections
import datetime
import email.utils
import json
import os
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import imssfleet  # noqa: E402
import imsstest  # noqa: E402
from imsstest import GLib, IFACE, PROPERTIES_IFACE, slot_path  # noqa: E402

DAY = 86400
BUSY_OR_INTERNAL = (imsstest.ERROR_PREFIX + 'Busy', imsstest.ERROR_PREFIX + 'Internal')

# the English display names, as the mail subjects carry them (common/imss-slot.c)
DISPLAY_NAMES = {
    'cloud-prefilter': 'Cloud Pre-Filter',
    'antivirus': 'Antivirus and Content Filter',
    'antispam': 'Anti-spam (Content Scanning)',
    'email-reputation': 'Email Reputation and IP Profiler',
    'email-encryption': 'Trend Micro Email Encryption',
    'compliance': 'Regulatory Compliance',
}


def d(iso):
    return datetime.date.fromisoformat(iso)


def is_check_day(expiry, day):
    '''SPEC §5.1 (daemon/imss-calendar.c): E−1, every 30 days from E up to G,
    daily after G.'''
    n = (day - expiry).days
    return n > 90 or n == -1 or n % 30 == 0


def is_mail_day(expiry, day):
    '''SPEC §9.2: E−15 through G.'''
    return -15 <= (day - expiry).days <= 90


def mail_key(msg):
    '''(slot, local date of the mail's Date header) of a received mail.'''
    subject = str(msg['Subject'])
    slots = [s for s, name in DISPLAY_NAMES.items() if name in subject]
    slot = slots[0] if len(slots) == 1 else f'? {subject}'
    return slot, email.utils.parsedate_to_datetime(msg['Date']).date()


def days_between(first, last):
    return [first + datetime.timedelta(days=i) for i in range((last - first).days + 1)]


class HarnessTest(imssfleet.FleetTestCase):
    '''The harness: two nodes on their own buses, one database.'''

    def test_nodes_share_the_database(self):
        self.assertNotEqual(self.a.bus_address, self.b.bus_address)
        self.assertNotEqual(self.a.pid, self.b.pid)
        code = self.a.make_code('antivirus')
        self.a.activate('antivirus', code)
        self.assertEqual(self.a.slot_props('antivirus')['State'], 'active')
        # B reads its history from the database: A's activation is there
        actions = [(h['action'], h['slot']) for h in self.b.history()]
        self.assertIn(('activate', 'antivirus'), actions)
        # the activation asked the simulator once, about this code
        self.assertEqual([r['code'] for r in self.sim_requests()], [self.masked(code)])
        # a node started now reads the license from the database
        c = self.add_node('node-c')
        c.start()
        self.assertEqual(c.slot_props('antivirus')['State'], 'active')
        self.assertEqual(c.slot_props('antivirus')['ActivationCode'], self.masked(code))


class PropagationTest(imssfleet.FleetTestCase):
    '''Issue 10 (1): every node's D-Bus view agrees within 1 s of the commit.'''

    nodes = 3
    TARGET = 1.0

    def watch(self, slot):
        '''LicenseChanged and the slot's PropertiesChanged on every node but A.'''
        return {n.name: (n.subscribe_timed(IFACE, 'LicenseChanged', arg0=slot),
                         n.subscribe_timed(PROPERTIES_IFACE, 'PropertiesChanged',
                                           path=slot_path(slot)))
                for n in self.node_list[1:]}

    def wait_propagated(self, what, call, watched, check):
        '''Waits (at most 5 s, so that a slow propagation is measured rather
        than only refused) for LicenseChanged on every other node with
        details that check() accepts; returns {node: seconds from sending
        the call}, printed, and asserts each is within TARGET.'''
        def arrived(name):
            return [t for t, _path, (slot, reason, details) in watched[name][0] if check(details)]
        missing = None
        try:
            self.wait_for(lambda: 'done' in call and all(arrived(n) for n in watched),
                          timeout=60 if self.valgrind else 5,
                          message=f'LicenseChanged of {what} on every node')
        except self.failureException:
            missing = [n for n in watched if not arrived(n)]
        if missing is not None:
            self.fail(f'{what} on node-a never reached {missing} on D-Bus: no LicenseChanged '
                      f'within 5 s\n' + self.node_logs())
        if 'error' in call:
            raise call['error']
        latency = {n: arrived(n)[0] - call['started'] for n in watched}
        print(f'\n    {what}: the call took {call["done"] - call["started"]:.3f} s; '
              'LicenseChanged after ' + ', '.join(f'{n} {s:.3f} s' for n, s in latency.items()),
              end=' ', flush=True)
        for name, seconds in latency.items():
            self.assertLessEqual(seconds, self.TARGET, f'{what}: {name} saw it after {seconds:.3f} s')
            props = [t for t, _p, (iface, changed, invalidated) in watched[name][1]
                     if iface == imsstest.SLOT_IFACE]
            self.assertTrue(props, f'{what}: no PropertiesChanged on {name}\'s slot object')
            self.assertLessEqual(props[0] - call['started'], self.TARGET)
        return latency

    def assertSameView(self, slot, **expected):
        '''Every node shows the same slot properties, with @expected values.'''
        keys = ['ActivationCode', 'ExpiryDate', 'State', 'GraceEndDate', 'UpdatesAllowed']
        reference = self.a.slot_props(slot)
        for key, value in expected.items():
            self.assertEqual(reference[key], value, f'node-a {key}')
        for node in self.node_list[1:]:
            props = node.slot_props(slot)
            self.assertEqual({k: props[k] for k in keys}, {k: reference[k] for k in keys},
                             f'{node.name} shows another {slot} license than node-a')

    def test_activation_and_renewal_reach_every_node(self):
        e = imssfleet.today() + datetime.timedelta(days=200)
        code = self.registered_code('antivirus', expiry=e)
        watched = self.watch('antivirus')
        call = self.a.call_async('Activate', 'antivirus', code)
        self.wait_propagated('Activate', call, watched,
                             lambda details: details.get('code') == self.masked(code))
        self.assertSameView('antivirus', ActivationCode=self.masked(code), ExpiryDate=str(e),
                            State='active')
        for name, (signals, _props) in watched.items():
            _t, _path, (slot, reason, details) = signals[0]
            self.assertEqual((slot, details['expiry'], details['state']),
                             ('antivirus', str(e), 'active'), name)
            self.a.assertNoCode(str(signals), code, 'LicenseChanged')

        # a renewal found by UpdateStatus on node-a
        later = e + datetime.timedelta(days=365)
        self.sim.admin('renew', code=code, expiry=str(later))
        watched = self.watch('antivirus')
        call = self.a.call_async('UpdateStatus')
        self.wait_propagated('the renewal (UpdateStatus)', call, watched,
                             lambda details: details.get('expiry') == str(later))
        self.assertEqual(call['result'], ('updated',))
        self.assertSameView('antivirus', ActivationCode=self.masked(code), ExpiryDate=str(later))

    def test_every_kind_of_change_reaches_the_other_nodes(self):
        '''docs/fleet.md: a setting (InactiveNoticesHidden) and a restart
        request also propagate: each node restarts its own units.'''
        self.a.call('SetInactiveNoticesHidden', True)
        self.wait_for(lambda: all(n.get_property('InactiveNoticesHidden') for n in self.node_list),
                      timeout=60 if self.valgrind else 2,
                      message='InactiveNoticesHidden on every node')
        self.a.activate('antivirus', self.registered_code('antivirus'))
        for node in self.node_list:
            self.wait_for(lambda: set(node.restarted_units()) >= {'imss-scan.service',
                                                                  'imss-policy.service'},
                          timeout=60 if self.valgrind else 10,
                          message=f'{node.name} restarting its own scan and policy units')


class StaleNodeTest(imssfleet.FleetTestCase):
    '''Issue 10 (2): a node that still holds the old code never writes it
    (or its expiry) back over a newer activation.'''

    E1 = imssfleet.today() + datetime.timedelta(days=100)
    E2 = imssfleet.today() + datetime.timedelta(days=300)

    def setUp(self):
        super().setUp()
        self.code1 = self.registered_code('antivirus', expiry=self.E1)
        self.code2 = self.registered_code('antivirus', expiry=self.E2)
        while self.masked(self.code2) == self.masked(self.code1):
            self.code2 = self.registered_code('antivirus', expiry=self.E2)
        self.a.activate('antivirus', self.code1)
        # node-b holds code1 for sure: it read it at its start
        self.b.stop()
        self.b.start()
        self.assertEqual(self.b.slot_props('antivirus')['ActivationCode'], self.masked(self.code1))
        # the server would now report a renewal of the old code: a stale
        # node has something to write
        self.renewed1 = self.E1 + datetime.timedelta(days=365)
        self.sim.admin('renew', code=self.code1, expiry=str(self.renewed1))

    def assertNewCodeStands(self):
        stored = self.pg.psql("SELECT code || ' ' || expiry FROM slots WHERE slot = 'antivirus'")
        self.assertEqual(stored, f'{self.code2} {self.E2}',
                         'the database does not hold node-a\'s new code and expiry')
        self.process_events(1.5 if not self.valgrind else 10)
        for node in (self.a, self.b):
            props = node.slot_props('antivirus')
            self.assertEqual((props['ActivationCode'], props['ExpiryDate']),
                             (self.masked(self.code2), str(self.E2)),
                             f'{node.name} does not show the new license')
        # a node started now reads the same from the database
        c = self.add_node('node-c')
        c.start()
        props = c.slot_props('antivirus')
        self.assertEqual((props['ActivationCode'], props['ExpiryDate']),
                         (self.masked(self.code2), str(self.E2)))

    def test_check_result_for_a_replaced_code_is_refused(self):
        '''B's UpdateStatus reads code1 and asks the server (slowly); A
        activates code2 meanwhile; B's answer (code1 renewed) is for a code
        that is no longer current: refused, not written.'''
        self.sim.admin('fault', mode='slow', delay=2, count=1)
        update = self.b.call_async('UpdateStatus')
        self.wait_for(lambda: any(r['code'] == self.masked(self.code1) for r in self.sim_requests())
                      or 'done' in update, timeout=10,
                      message='node-b\'s check reaching the server')
        self.assertNotIn('done', update, 'the slow answer came at once')
        self.a.activate('antivirus', self.code2)
        self.wait_for(lambda: 'done' in update, timeout=30, message='node-b\'s UpdateStatus')
        print(f'\n    node-b UpdateStatus: {update.get("result") or update["error"].message}',
              end=' ', flush=True)
        self.assertTrue(self.b.running(), 'node-b died:\n' + self.b.daemon_log()[-3000:])
        self.assertNewCodeStands()

    def test_node_stopped_during_the_activation(self):
        '''B is stopped (SIGSTOP) while A activates code2; B's UpdateStatus
        is queued and B continues: whatever B handles first, the database
        keeps code2 and B ends up showing it.'''
        self.b.freeze()
        self.a.activate('antivirus', self.code2)
        update = self.b.call_async('UpdateStatus')
        self.process_events(0.2)
        self.b.thaw()
        self.wait_for(lambda: 'done' in update, timeout=30, message='node-b\'s UpdateStatus')
        print(f'\n    node-b UpdateStatus: {update.get("result") or update["error"].message}',
              end=' ', flush=True)
        self.assertNewCodeStands()


class JobCountMixin:
    def assertExactlyOnce(self, what, expected, got):
        '''@got (a Counter of (slot, day)) is @expected: each once.'''
        missing = sorted((s, str(day)) for s, day in expected - got)
        extra = sorted((s, str(day), n) for (s, day), n in (got - expected).items())
        self.assertEqual({'missing': missing, 'doubled or unexpected': extra},
                         {'missing': [], 'doubled or unexpected': []},
                         f'{what}: {sum(got.values())} of {sum(expected.values())}')


class FleetMonthTest(JobCountMixin, imssfleet.FleetTestCase):
    '''Issue 10 (3): three nodes that hold different license sets (as
    right after an activation on one node): one license every node loaded
    at its start, and one more activated on each node. A virtual month in
    lockstep (a day at a time, the three Advance calls at once): every
    automatic check and every daily mail exactly once, counted at the
    simulator (and in the history) and at the SMTP sink.'''

    nodes = 3
    mail = True
    autostart = False
    virtual_clock = '2019-08-01T09:00:00'
    sim_today = '2019-08-15'
    START = d('2019-08-01')
    DAYS = 30
    # node, slot, expiry, offline; node None: activated before the others
    # start, so every node holds it (a daily job every node races for)
    LICENSES = [(None, 'cloud-prefilter', '2019-05-20', False),    # G on 08-18, then daily checks
                ('node-a', 'antivirus', '2019-08-20', False),      # E−1, E; mails from 08-05
                ('node-b', 'email-encryption', '2019-09-10', False),  # E−30; mails from 08-26
                ('node-c', 'compliance', '2019-08-25', True)]      # offline: mails only

    def test_virtual_month(self):
        codes = {}
        self.a.start()
        for name, slot, expiry, offline in self.LICENSES:
            codes[slot] = self.a.make_code(slot, expiry=expiry, offline=offline)
            if name is None:
                self.a.activate(slot, codes[slot])
        self.b.start()
        self.c.start()
        for name, slot, _expiry, _offline in self.LICENSES:
            if name is not None:
                self.node(name).activate(slot, codes[slot])
        for n in self.node_list:
            n.settle()
        before = len(self.sim_requests())
        days = [self.START + datetime.timedelta(days=i + 1) for i in range(self.DAYS)]
        checks = collections.Counter()
        mails = collections.Counter()
        for _name, slot, expiry, offline in self.LICENSES:
            for day in days:
                if not offline and is_check_day(d(expiry), day):
                    checks[(slot, day)] += 1
                if is_mail_day(d(expiry), day):
                    mails[(slot, day)] += 1

        def per_day(_i):
            # no waiting for the day's work: a claim that a conflict undid
            # must not depend on a retry before the next day
            self.process_events(0.02)
        started = time.monotonic()
        self.advance_days(self.DAYS, per_day=per_day)
        print(f'\n    a virtual month on 3 nodes: {time.monotonic() - started:.1f} s; '
              f'{sum(checks.values())} checks, {sum(mails.values())} mails expected',
              end=' ', flush=True)
        for n in self.node_list:
            self.assertTrue(n.running(), f'{n.name} died:\n' + n.daemon_log()[-3000:])
        deadline = time.monotonic() + (60 if self.valgrind else 10)
        while len(self.smtp.messages()) < sum(mails.values()) and time.monotonic() < deadline:
            self.process_events(0.1)
        self.process_events(1.0)

        got_mails = collections.Counter(mail_key(m) for m in self.smtp.messages())
        self.assertExactlyOnce('mails', mails, got_mails)

        # at the simulator: one request per automatic check, per code
        by_code = {self.masked(c): s for s, c in codes.items()}
        asked = collections.Counter(by_code.get(r['code'], r['code'])
                                    for r in self.sim_requests(before))
        expected_asked = collections.Counter()
        for (slot, _day), n in checks.items():
            expected_asked[slot] += n
        self.assertEqual(dict(asked), dict(expected_asked),
                         'automatic checks at the license server, per slot')

        # and in the shared history: each check day once
        history = collections.Counter(
            (h['slot'], d(h['detail'].split()[2])) for h in self.a.history()
            if h['action'] == 'automatic-check' and h['outcome'] == 'due')
        self.assertExactlyOnce('checks in the history', checks, history)


class ClaimLeaseTest(imssfleet.FleetTestCase):
    '''Issue 10 (4): the node that claimed a job dies (kill -9) before doing
    it; once the claim's lease (claim-lease=5) ran out another node does the
    job, once; the dead node, started again, does not do it a second time.'''

    nodes = 3
    mail = True
    virtual_clock = '2019-08-01T09:00:00'
    sim_today = '2019-08-15'
    fleet_config = {'poll_interval': 5, 'claim_lease': 5}
    autostart = False
    E = '2019-08-20'

    def setUp(self):
        super().setUp()
        # activated before the other nodes start: every node holds it
        # whether or not changes propagate (tested elsewhere)
        self.a.start()
        self.code = self.a.make_code('antivirus', expiry=self.E)
        self.a.activate('antivirus', self.code)
        self.b.start()
        self.c.start()
        for n in self.node_list:
            n.settle()
            self.assertEqual(n.slot_props('antivirus')['State'], 'expiring')

    def clocks_to(self, iso):
        self.advance_all(self.a.seconds_until(iso))

    def wait_taken_over(self, job, killed, done):
        '''Waits until done() (another node did the killed node's @job),
        nudging the survivors' clocks, at most the lease, a poll interval
        and room for the work; then lets a few more seconds pass, for a
        second copy to show.'''
        deadline = killed + (120 if self.valgrind else 5 + 5 + 10)
        while not done():
            if time.monotonic() > deadline:
                self.fail(f'no other node did the {job} of the killed node within '
                          f'{deadline - killed:.0f} s\n' + self.node_logs())
            self.nudge([self.b, self.c])
        print(f'\n    {job} taken over {time.monotonic() - killed:.1f} s after the kill',
              end=' ', flush=True)
        for _ in range(5):
            self.nudge([self.b, self.c])

    def nudge(self, nodes):
        '''A virtual second on the survivors' clocks: whatever waits on
        their clock (a retry, a poll) may run; the day stays the same.'''
        self.advance_all(1, nodes)
        self.process_events(0.3)

    def test_pending_mail_of_a_killed_node(self):
        day = d('2019-08-05')                      # the first mail day (E−15)
        self.clocks_to('2019-08-04T23:00:00')
        self.assertEqual(self.smtp.messages(), [])
        self.smtp.stop()                           # an SMTP outage
        self.a.advance(3600)                       # node-a claims the day's mail; it cannot go out
        self.a.advance(3)                          # and a retry fails, too
        self.assertRegex(self.a.daemon_log(), r'mail notice of antivirus for 2019-08-05 not delivered')
        self.advance_all(3600, [self.b, self.c])   # the others find it claimed
        self.a.kill()
        killed = time.monotonic()
        self.smtp.start()
        self.wait_taken_over('mail', killed, lambda: self.smtp.messages())
        self.assertEqual([mail_key(m) for m in self.smtp.messages()], [('antivirus', day)])
        # node-a comes back the same day: it resumes nothing that was done
        self.a.start([f'--virtual-clock={self.b.now()[:19]}'])
        for _ in range(5):
            self.nudge(self.node_list)
        self.assertEqual([mail_key(m) for m in self.smtp.messages()], [('antivirus', day)],
                         'the mail went out twice')

    def test_check_of_a_killed_node(self):
        day = '2019-08-19'                         # E−1
        self.clocks_to('2019-08-18T23:00:00')
        before = len(self.sim_requests())
        self.sim.admin('fault', mode='stall', count=1)
        advance = self.a.call_async('Advance', 3600, interface=imsstest.VCLOCK_IFACE)
        self.wait_for(lambda: len(self.sim_requests()) > before, timeout=10,
                      message='node-a\'s check reaching the server')
        self.advance_all(3600, [self.b, self.c])
        self.a.kill()
        killed = time.monotonic()
        self.assertEqual(self.sim_requests(before)[0]['status'], 'stalled')
        self.assertEqual(advance.get('result'), (1,), 'node-a\'s Advance: one alarm')

        def answered():
            return [r for r in self.sim_requests(before)
                    if r['code'] == self.masked(self.code) and r['status'] == 200]
        self.wait_taken_over('check', killed, answered)
        self.assertEqual(len(answered()), 1, self.sim_requests(before))
        done = [h for h in self.b.history() if h['action'] == 'automatic-check'
                and h['outcome'] != 'due' and day in h['detail']]
        self.assertLessEqual(len(done), 1, done)


class DatabaseOutageTest(JobCountMixin, imssfleet.FleetTestCase):
    '''Issue 10 (5): PostgreSQL stops for 30 s in the middle of a run and
    comes back. No node crashes; calls during the outage fail with Busy or
    Internal within a few seconds; every node serves again (reads, an
    Activate, propagation) without a restart; no job is lost or doubled.'''

    nodes = 3
    mail = True
    virtual_clock = '2019-08-01T09:00:00'
    sim_today = '2019-08-05'
    fleet_config = {'poll_interval': 5, 'claim_lease': 5}
    E = d('2019-08-06')              # mails every day; checks on 08-05 (E−1) and 08-06 (E)
    OUTAGE = 30
    BOUND = 5                        # seconds a call may take during the outage

    def probe(self, node, label, fn, errors):
        '''Calls fn(); during the outage it must answer (any reply, or Busy
        or Internal) within BOUND seconds.'''
        started = time.monotonic()
        try:
            fn()
            outcome = 'ok'
        except GLib.Error as e:
            outcome = imsstest.dbus_error_name(e) or e.message
            if outcome not in BUSY_OR_INTERNAL:
                errors.append(f'{node.name} {label}: {e.message}')
        took = time.monotonic() - started
        if took > self.BOUND:
            errors.append(f'{node.name} {label} took {took:.1f} s')
        return outcome

    autostart = False

    def test_database_outage(self):
        self.a.start()
        code = self.a.make_code('antivirus', expiry=str(self.E))
        self.a.activate('antivirus', code)
        self.b.start()
        self.c.start()
        for n in self.node_list:
            n.settle()
        before = len(self.sim_requests())
        pids = {n.name: n.pid for n in self.node_list}
        self.advance_days(3)                          # 08-02 … 08-04 09:00
        self.wait_for(lambda: len(self.smtp.messages()) >= 3, timeout=10, message='3 mails')

        self.pg.stop('fast')
        down = time.monotonic()
        errors = []
        outcomes = collections.Counter()
        spare = self.a.make_code('email-encryption')
        # a day passes while the database is down (a mail and a check are due)
        for n in self.node_list:
            for_day = n.call_async('Advance', DAY, interface=imsstest.VCLOCK_IFACE)
            self.wait_for(lambda: 'done' in for_day, timeout=self.BOUND + 5,
                          message=f'{n.name} Advance during the outage')
            if 'error' in for_day:
                outcomes[(n.name, 'Advance', imsstest.dbus_error_name(for_day['error']))] += 1
        while time.monotonic() - down < self.OUTAGE:
            for n in self.node_list:
                self.assertTrue(n.running(), f'{n.name} died during the outage:\n'
                                + n.daemon_log()[-4000:])
                for label, fn in (('GetHistory', n.history),
                                  ('Activate', lambda: n.activate('email-encryption', spare)),
                                  ('slot properties', lambda: n.slot_props('antivirus')),
                                  ('ListEvents', lambda: n.call('ListEvents', 30))):
                    outcomes[(n.name, label, self.probe(n, label, fn, errors))] += 1
            self.process_events(1.0)
        print(f'\n    during the outage: {dict(outcomes)}', end=' ', flush=True)
        self.assertEqual(errors, [])
        for n in self.node_list:
            self.assertEqual(outcomes[(n.name, 'Activate', 'ok')], 0,
                             f'{n.name}: an Activate succeeded without a database')

        self.pg.start()
        up = time.monotonic()
        deadline = up + (120 if self.valgrind else 30)
        for n in self.node_list:
            while True:
                self.assertTrue(n.running(), f'{n.name} died after the outage:\n'
                                + n.daemon_log()[-4000:])
                try:
                    n.history()
                    break
                except GLib.Error as e:
                    self.assertIn(imsstest.dbus_error_name(e), BUSY_OR_INTERNAL, e.message)
                    if time.monotonic() > deadline:
                        self.fail(f'{n.name} does not serve 30 s after the database came back: '
                                  + e.message)
                self.advance_all(1, [n])
                self.process_events(0.5)
        print(f'serving again {time.monotonic() - up:.1f} s after the database came back',
              end=' ', flush=True)
        # an Activate works
        code2 = self.a.make_code('cloud-prefilter')
        self.b.activate('cloud-prefilter', code2)
        self.assertEqual(self.b.slot_props('cloud-prefilter')['State'], 'active')
        # the calendar did not skip the day it could not record; the run goes on
        for _ in range(10):
            self.advance_all(1)
            self.process_events(0.3)
        self.advance_days(2)                           # 08-06, 08-07
        self.wait_for(lambda: len(self.smtp.messages()) >= 6, timeout=20, message='6 mails')
        self.process_events(1.0)

        self.assertEqual({n.name: n.pid for n in self.node_list}, pids, 'a node was restarted')
        for n in self.node_list:
            self.assertTrue(n.running(), f'{n.name} died:\n' + n.daemon_log()[-4000:])
        days = days_between(d('2019-08-02'), d('2019-08-07'))
        got = collections.Counter(mail_key(m) for m in self.smtp.messages())
        self.assertExactlyOnce('mails', collections.Counter(('antivirus', day) for day in days),
                               got)
        asked = [r for r in self.sim_requests(before) if r['code'] == self.masked(code)]
        self.assertEqual(len(asked), 2, f'the checks of 08-05 and 08-06: {asked}')
        checks = collections.Counter(h['detail'].split()[2] for h in self.a.history()
                                     if h['action'] == 'automatic-check' and h['outcome'] == 'due')
        self.assertEqual(dict(checks), {'2019-08-05': 1, '2019-08-06': 1})
        # the other nodes listen again: the activation on node-b reached them
        for n in self.node_list:
            self.assertEqual(n.slot_props('cloud-prefilter')['State'], 'active',
                             f'{n.name} did not see the activation made after the outage')


class SchemaRaceTest(imssfleet.FleetTestCase):
    '''Issue 10 (6): any number of nodes start together on an empty database.'''

    nodes = 3
    autostart = False
    simulator = False
    TRIALS = 5

    def test_three_nodes_on_an_empty_database(self):
        for trial in range(self.TRIALS):
            with self.subTest(trial=trial):
                dbname = f'imss_race_{trial}'
                self.pg.createdb(dbname)
                for n in self.node_list:
                    n.configure(database={'connection': self.pg.cnc_for(dbname)})
                for n in self.node_list:
                    n.start(wait=False)
                try:
                    for n in self.node_list:
                        n.wait_daemon_ready()
                    for n in self.node_list:
                        self.assertEqual(n.slot_props('antivirus')['State'], 'not-activated')
                    self.assertEqual(self.pg.psql('SELECT count(*) FROM schema_version', dbname),
                                     '1')
                    tables = self.pg.psql("SELECT tablename FROM pg_tables WHERE schemaname = "
                                          "'public' ORDER BY 1", dbname).split()
                    self.assertEqual(len(tables), len(set(tables)))
                    self.assertIn('slots', tables)
                    for n in self.node_list:
                        n.stop()
                finally:
                    for n in self.node_list:
                        if n.daemon is not None:
                            n.stop(check=False)


class DatabaseDownAtStartTest(imssfleet.FleetTestCase):
    '''Issue 10 (6), docs/fleet.md "Start while the database is down": the
    node exits non-zero with a clear message naming the database (and the
    unit restarts it: tests/test-unit-file.sh); started again once the
    database is up, it serves.'''

    nodes = 1
    autostart = False

    def test_start_while_the_database_is_down(self):
        self.pg.stop('fast')
        started = time.monotonic()
        proc = self.a.start(wait=False)
        try:
            rc = proc.wait(timeout=120 if self.valgrind else 30)
        except subprocess.TimeoutExpired:
            self.fail('the node neither exits nor serves while the database is down')
        self.a.daemon = None
        print(f'\n    exited with {rc} after {time.monotonic() - started:.2f} s', end=' ', flush=True)
        self.assertGreater(rc, 0, 'a crash or a zero status')
        log = self.a.daemon_log()
        self.assertIn(self.dbname, log, 'the message does not name the database')
        self.assertRegex(log, r'(?i)database|postgresql')
        self.assertNotRegex(log, r'(?i)segmentation|core dumped|CRITICAL')

        self.pg.start()
        self.a.start()
        self.a.activate('antivirus', self.a.make_code('antivirus'))
        self.assertEqual(self.a.slot_props('antivirus')['State'], 'active')
        self.assertIn('activate', [h['action'] for h in self.a.history()])


class FleetViewTest(imssfleet.FleetTestCase):
    '''Issue 10, "Seeing the fleet": ListNodes on every node,
    imss-licensectl fleet, the node in status and in history entries.'''

    nodes = 3

    def test_list_nodes(self):
        began = int(time.time())
        code = self.a.make_code('antivirus')
        self.a.activate('antivirus', code)
        names = sorted(n.name for n in self.node_list)
        for node in self.node_list:
            records = node.list_nodes()
            self.assertEqual(sorted(r['name'] for r in records), names, node.name)
            self.assertEqual([r['name'] for r in records if r['this']], [node.name])
            now = int(time.time())
            for r in records:
                self.assertEqual({k: type(v) for k, v in r.items() if k in (
                    'name', 'this', 'started', 'last-seen', 'clock-skew', 'last-job',
                    'last-job-at')},
                    {'name': str, 'this': bool, 'started': int, 'last-seen': int,
                     'clock-skew': int, 'last-job': str, 'last-job-at': int}, r)
                self.assertLessEqual(began - 120, r['started'])
                self.assertLessEqual(r['started'], now + 5)
                self.assertLessEqual(abs(r['last-seen'] - now), 120, r)
                self.assertLessEqual(abs(r['clock-skew']), 2, r)
                self.assertGreaterEqual(r['last-job-at'], 0)

        # the CLI: imss-licensectl fleet [--json]
        rc, out, err = self.c.ctl('fleet', '--json')
        self.assertEqual(rc, 0, err)
        data = json.loads(out)
        if isinstance(data, dict):
            data = data.get('nodes', data)
        self.assertEqual(sorted(r['name'] for r in data), names, out)
        rc, out, err = self.c.ctl('fleet')
        self.assertEqual(rc, 0, err)
        for name in names:
            self.assertIn(name, out)
        # status names the node
        rc, out, err = self.b.ctl('status')
        self.assertEqual(rc, 0, err)
        self.assertIn('node-b', out)

        # history entries carry the node that made the change
        for node in self.node_list:
            entry = next(h for h in node.history() if h['action'] == 'activate')
            self.assertEqual(entry.get('node'), 'node-a', entry)
            entries, _total = node.call('GetHistoryPage', 0, 10)
            self.assertIn('node', entries[0])


class LastJobTest(imssfleet.FleetTestCase):
    '''ListNodes' last-job: a check run by node-a, seen from node-b.'''

    nodes = 2
    virtual_clock = '2019-08-01T09:00:00'
    sim_today = '2019-08-01'

    def test_last_job(self):
        self.a.activate('antivirus', self.a.make_code('antivirus', expiry='2019-08-03'))
        self.a.settle()
        self.a.advance(DAY)                    # 08-02: E−1, a check and a mail, by node-a alone
        self.a.settle()
        records = {r['name']: r for r in self.b.list_nodes()}
        # the later of the two claimed that day
        self.assertRegex(records['node-a']['last-job'], r'^(check|mail) antivirus 2019-08-02$')
        self.assertGreater(records['node-a']['last-job-at'], 0)
        self.assertEqual(records['node-b']['last-job'], '')
        self.assertEqual(records['node-b']['last-job-at'], 0)
        check = next(h for h in self.b.history() if h['action'] == 'automatic-check')
        self.assertEqual(check.get('node'), 'node-a', check)


class ClockSkewTest(imssfleet.FleetTestCase):
    '''docs/fleet.md: NodeName and ClockSkew (database clock − node clock).'''

    nodes = 2

    def test_clock_skew_is_small(self):
        for node in self.node_list:
            self.assertEqual(node.get_property('NodeName'), node.name)
            skew = node.get_property('ClockSkew')
            self.assertIsInstance(skew, int)
            self.assertLessEqual(abs(skew), 2, f'{node.name}: ClockSkew {skew}')
            props = node.manager_props()
            self.assertIn('ClockSkew', props)
            rc, out, err = node.ctl('status')
            self.assertEqual(rc, 0, err)
            self.assertNotRegex(out, r'(?i)clock.*skew.*warn|warn.*clock', out)
        self.assertNotRegex(self.a.daemon_log(), r'(?i)WARNING.*clock')


if __name__ == '__main__':
    imssfleet.main()
