#!/usr/bin/python3
'''Multi-node harness for the gateway fleet (issue 10, docs/fleet.md).

A fleet test (FleetTestCase) sets up what an operator's site has:

- one PostgreSQL server (imsstest.PgServer: private, throwaway, a unix
  socket in the test's directory) and one database all nodes share;
- the license-server simulator (test-server.py's Simulator) and, when the
  test asks for it (mail = True), one SMTP sink (imsstest.SmtpSink);
- N nodes (Node), node-a, node-b, ...: each is a whole imsstest world of its
  own: a private system-type bus with our bus policy, a dbusmock polkitd
  (everything allowed) and systemd, a state directory, a configuration with
  [database] provider=PostgreSQL on the shared database and [fleet]
  node-name=<name> (plus the test's poll-interval/claim-lease), and
  imss-licensed from the build tree, optionally on its virtual clock.

A Node *is* an imsstest.ImssTestCase used outside unittest (as
bench/load.py does): every helper of the single-daemon tests works on a
node — node.call(), node.activate(), node.slot_props(), node.get_property(),
node.subscribe(), node.history(), node.ctl(), node.advance(), node.now(),
node.make_code(), ... — against that node's bus and daemon. On top of them:
node.start(), node.kill() (SIGKILL), node.freeze()/thaw() (SIGSTOP/SIGCONT),
node.subscribe_timed() (signals with their arrival time), node.call_async().

Environment: as tests/meson.build sets it for the bus tests (IMSS_LICENSED,
IMSS_LICENSE_SERVER, ... or IMSS_BUILD_DIR); run as root (PostgreSQL runs
as postgres through runuser) with /usr/bin/python3. IMSS_TEST_KEEP=1 keeps
the directories (the fleet's, and one per node with its daemon.log).
'''

import datetime
import importlib
import os
import re
import signal
import sys
import tempfile
import time
import unittest
from pathlib import Path

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import imsstest  # noqa: E402
from imsstest import GLib, Gio  # noqa: E402

Simulator = importlib.import_module('test-server').Simulator

NODE_NAMES = [f'node-{c}' for c in 'abcdefgh']

# ListNodes is the fleet's new method; it is not in introspection/ before the
# daemon implements docs/fleet.md, so its signatures are given here
LIST_NODES_REPLY = '(aa{sv})'


class Node(imsstest.VirtualClockMixin, imsstest.ImssTestCase):
    '''One gateway of the fleet: its own bus, mocks, state and daemon.'''

    autostart = False

    def __init__(self, fleet, name):
        super().__init__('runTest')
        self.fleet = fleet
        self.name = name
        self.frozen = False

    def runTest(self):
        '''unittest.TestCase wants a test method; a node is not a test.'''

    def __repr__(self):
        return f'<Node {self.name}>'

    # ------------------------------------------------------------- set-up

    def configure(self, **sections):
        '''Writes this node's configuration: the fleet's [database],
        [fleet] node-name (and the fleet's fleet_config), the simulator as
        license server, the SMTP sink when there is one; @sections (as
        imsstest's write_config()) add or override keys.'''
        fleet = self.fleet
        groups = {
            'database': {'provider': 'PostgreSQL', 'connection': fleet.pg.cnc_for(fleet.dbname),
                         'auth': fleet.pg.auth},
            'fleet': dict({'node_name': self.name}, **fleet.fleet_config),
        }
        if fleet.sim is not None:
            groups['license_server'] = {'url': fleet.sim.url,
                                        'timeout': 20 if self.valgrind else 3}
        if fleet.smtp is not None:
            groups['mail'] = {'to': 'admin@example.com', 'from': 'imss@example.com',
                              'smtp': f'smtp://127.0.0.1:{fleet.smtp.port}',
                              'language': 'en', 'retry_interval': 1, 'timeout': 5}
        for section, keys in sections.items():
            groups.setdefault(section, {}).update(keys)
        return self.write_config(edition=self.edition, **groups)

    def daemon_args(self):
        if self.fleet.virtual_clock:
            return [f'--virtual-clock={self.fleet.virtual_clock}']
        return []

    def start(self, args=None, wait=True):
        '''Starts this node's daemon (with the fleet's virtual clock, if
        any); with wait, until it owns its name.'''
        self.spawn_daemon(self.daemon_args() if args is None else args)
        if wait:
            self.wait_daemon_ready()
        return self.daemon

    @property
    def pid(self):
        return self.daemon.pid if self.daemon is not None else None

    def running(self):
        return self.daemon is not None and self.daemon.poll() is None

    def kill(self):
        '''kill -9: no cleanup of any kind in the daemon.'''
        proc = self.daemon
        self.daemon = None
        if self.frozen:
            self.thaw(proc)
        proc.kill()
        proc.wait()
        return proc.returncode

    def freeze(self):
        '''SIGSTOP: the node takes nothing from its sockets until thaw().'''
        os.kill(self.daemon.pid, signal.SIGSTOP)
        self.frozen = True

    def thaw(self, proc=None):
        os.kill((proc or self.daemon).pid, signal.SIGCONT)
        self.frozen = False

    def stop(self, check=True):
        if self.frozen:
            self.thaw()
        return self.stop_daemon(check=check)

    # ------------------------------------------------------------- calls

    def list_nodes(self):
        return self.call_full(imsstest.OBJECT_PATH, imsstest.IFACE, 'ListNodes', '', (),
                              LIST_NODES_REPLY)

    def call_async(self, method, *args, interface=imsstest.IFACE, path=imsstest.OBJECT_PATH,
                   signature=None, timeout_ms=None):
        '''Sends a method call without waiting. Returns a dict that gets
        'started' (time.monotonic() when sent), and, once the reply is in
        (the default main context must run: fleet.wait_for()), 'done' (its
        arrival), and 'result' (the unpacked reply) or 'error' (GLib.Error).'''
        if signature is None:
            signature = imsstest.method_signature(interface, method)[0]
        pending = {'node': self, 'method': method}

        def finish(conn, res):
            try:
                pending['result'] = conn.call_finish(res).unpack()
            except GLib.Error as e:
                pending['error'] = e
            pending['done'] = time.monotonic()
        params = GLib.Variant('(' + signature + ')', tuple(args)) if signature else None
        pending['started'] = time.monotonic()
        self.bus.call(imsstest.BUS_NAME, path, interface, method, params, None,
                      Gio.DBusCallFlags.NO_AUTO_START,
                      timeout_ms or self.call_timeout_ms, None, finish)
        return pending

    # ------------------------------------------------------------- signals

    def subscribe_timed(self, interface, member, path=None, arg0=None):
        '''Like subscribe(), but each entry is (time.monotonic() at arrival,
        path, parameters). Arrival is when the default main context ran the
        callback: keep it running (fleet.wait_for()) while waiting.'''
        received = []

        def cb(_conn, _sender, obj_path, _iface, _member, params):
            received.append((time.monotonic(), obj_path, params.unpack()))

        sub = self.bus.signal_subscribe(None, interface, member, path, arg0,
                                        Gio.DBusSignalFlags.NONE, cb)
        self._signals.append(sub)
        return received


class FleetTestCase(imsstest.MainContextWaits, unittest.TestCase):
    '''The fleet's world; see the module docstring. Class attributes:

      nodes          how many nodes (node-a, node-b, ...)
      autostart      start every node's daemon in setUp, one after the other
      virtual_clock  e.g. '2019-08-01T09:00:00': every node on its own
                     virtual clock starting there (--virtual-clock)
      fleet_config   extra [fleet] keys, e.g. {'poll_interval': 5, 'claim_lease': 5}
      mail           start an SMTP sink and configure [mail] on every node
      simulator      start the license-server simulator (default True)
      sim_today      the simulator's date (--today), default: real date
      tz             TZ for the daemons (default Asia/Tokyo, as the calendar tests)
    '''

    nodes = 2
    autostart = True
    virtual_clock = None
    fleet_config = {}
    mail = False
    simulator = True
    sim_today = None
    tz = 'Asia/Tokyo'
    edition = 'imsva'
    dbname = 'imss_fleet'
    maxDiff = None

    def setUp(self):
        super().setUp()
        self.valgrind = imsstest.valgrind_enabled()
        if self.tz:
            old_tz = os.environ.get('TZ')
            os.environ['TZ'] = self.tz
            time.tzset()
            self.addCleanup(self._restore_env, 'TZ', old_tz)
        old_bus = os.environ.get('DBUS_SYSTEM_BUS_ADDRESS')
        self.addCleanup(self._restore_env, 'DBUS_SYSTEM_BUS_ADDRESS', old_bus)
        self.tmp = Path(tempfile.mkdtemp(prefix='imss-fleet.'))
        self.tmp.chmod(0o755)
        self.addCleanup(imsstest.remove_tmp, self.tmp)
        self.pg = imsstest.PgServer(self, dbname=self.dbname)
        self.sim = Simulator(self, today=self.sim_today) if self.simulator else None
        self.smtp = imsstest.SmtpSink(self) if self.mail else None
        self.node_list = []
        for name in NODE_NAMES[:self.nodes]:
            self.add_node(name)
        if self.autostart:
            for node in self.node_list:
                node.start()

    @staticmethod
    def _restore_env(var, value):
        if value is None:
            os.environ.pop(var, None)
        else:
            os.environ[var] = value
        if var == 'TZ':
            time.tzset()

    def add_node(self, name, **sections):
        '''A new node (not started): its bus, mocks, state directory and
        configuration.'''
        node = Node(self, name)
        node.edition = self.edition
        node.setUp()
        # stop the daemon first (a crash or a non-zero status at SIGTERM
        # fails the test here, where it is reported), then the node's world
        self.addCleanup(self._cleanup_node, node)
        node.configure(**sections)
        self.node_list.append(node)
        return node

    def _cleanup_node(self, node):
        try:
            if node.frozen and node.daemon is not None:
                node.thaw()
            if node.daemon is not None:
                node.stop_daemon(check=True)
        finally:
            node.doCleanups()

    def node(self, name):
        '''A node by name ('node-a') or letter ('a').'''
        if len(name) == 1:
            name = 'node-' + name
        return next(n for n in self.node_list if n.name == name)

    @property
    def a(self):
        return self.node_list[0]

    @property
    def b(self):
        return self.node_list[1]

    @property
    def c(self):
        return self.node_list[2]

    # ------------------------------------------------------------- waiting

    def wait_calls(self, pendings, timeout=None, message='replies'):
        '''Waits for every call_async() in @pendings; returns their results
        (raises the first error).'''
        self.wait_for(lambda: all('done' in p for p in pendings), timeout=timeout,
                      message=message)
        for p in pendings:
            if 'error' in p:
                raise p['error']
        return [p.get('result') for p in pendings]

    # ------------------------------------------------------------- clocks

    def advance_all(self, seconds, nodes=None, timeout=None):
        '''Lets @seconds pass on every running node's virtual clock at the
        same time (concurrent Advance calls: the nodes race for the jobs as
        real gateways do). Returns {node name: alarms fired}.'''
        nodes = [n for n in (nodes or self.node_list) if n.running()]
        pendings = [n.call_async('Advance', seconds, interface=imsstest.VCLOCK_IFACE)
                    for n in nodes]
        results = self.wait_calls(pendings, timeout=timeout or (300 if self.valgrind else 60),
                                  message=f'Advance({seconds}) on every node')
        return {n.name: r[0] for n, r in zip(nodes, results)}

    def advance_days(self, days, nodes=None, per_day=None):
        '''Advances the running nodes' clocks in lockstep, a day at a time;
        per_day(day_index) runs after each day.'''
        for i in range(days):
            self.advance_all(86400, nodes)
            if per_day is not None:
                per_day(i)

    # ------------------------------------------------------------- misc

    def registered_code(self, slot, expiry=None, renew_to=None, **kwargs):
        '''A code from keygen for @slot; with @renew_to the simulator
        answers that expiry for it (a renewal waiting at the server).'''
        code = self.a.make_code(slot, expiry=expiry, **kwargs)
        if renew_to is not None:
            self.sim.admin('renew', code=code, expiry=str(renew_to))
        return code

    def sim_requests(self, since=0):
        '''The simulator's protocol requests (admin requests are not logged).'''
        return self.sim.requests()[since:]

    @staticmethod
    def masked(code):
        groups = imsstest.code_groups(code)
        return f'{groups[0]}-' + '-'.join('*' * len(g) for g in groups[1:-1]) + f'-{groups[-1]}'

    def node_logs(self, lines=15):
        '''The last lines of every node's daemon log (without GLib's and
        dconf's debug chatter), for failure messages.'''
        out = []
        for n in self.node_list:
            log = [line for line in n.daemon_log().splitlines()
                   if line and not re.search(r'(dconf|GLib-GIO|GLib-Net)-DEBUG', line)]
            out.append(f'--- {n.name} ---\n' + '\n'.join(log[-lines:]))
        return '\n'.join(out)


def today():
    return datetime.date.today()


def main():
    unittest.main(verbosity=2)
