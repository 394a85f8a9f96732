#!/usr/bin/python3
'''Bus-level test harness for imss-licensed.

Every test gets its own world, set up in ImssTestCase.setUp():

- a private dbus-daemon of type "system" (tests/bus/system-bus.conf.in) that
  includes the installed bus policy data/org.imss.License.conf, with
  DBUS_SYSTEM_BUS_ADDRESS exported for everything started from here;
- a python-dbusmock polkitd on it (all actions allowed unless the test says
  otherwise: polkit_allow(), polkit_allow_all(), polkit_deny_all());
- a python-dbusmock systemd (org.freedesktop.systemd1) whose RestartUnit
  records the unit and reports the job done (restarted_units());
- a configuration file (write_config()) and an empty state directory;
- imss-licensed from the build tree, run as
  IMSS_LICENSED --config CONFIG --state-dir STATE --verbose, its output in a
  log file (daemon_log()).

Programs come from the environment that meson sets (tests/meson.build):
IMSS_LICENSED, IMSS_LICENSECTL, IMSS_LICENSE_KEYGEN, IMSS_LOCALEDIR,
IMSS_BUS_CONF, IMSS_POLICY_CONF. When a test file is run by hand
(/usr/bin/python3 tests/test-activate.py) they default to the source tree and
to the first build directory found among $IMSS_BUILD_DIR, build/,
build-tests/.

IMSS_VALGRIND=1 (set by `meson test --setup valgrind`) runs the daemon under
valgrind memcheck (IMSS_VALGRIND_CMD, one argument per line, or the same
options as the meson setup) and fails the test when valgrind reports an
error. IMSS_TEST_KEEP=1 keeps the temporary directories.

Run with /usr/bin/python3: the python3 on PATH may lack gi and dbusmock.
'''

import datetime
import email
import email.policy
import grp
import os
import pwd
import re
import select
import shutil
import signal
import socket
import subprocess
import tempfile
import time
import unittest
from pathlib import Path

import dbusmock
import gi

gi.require_version('Gio', '2.0')
gi.require_version('GLib', '2.0')
from gi.repository import Gio, GLib  # noqa: E402

BUS_NAME = 'org.imss.License'
OBJECT_PATH = '/org/imss/License'
IFACE = 'org.imss.License'
SLOT_IFACE = 'org.imss.License.Slot'
ERROR_PREFIX = 'org.imss.License.Error.'
PROPERTIES_IFACE = 'org.freedesktop.DBus.Properties'
OBJECT_MANAGER_IFACE = 'org.freedesktop.DBus.ObjectManager'

POLKIT_NAME = 'org.freedesktop.PolicyKit1'
POLKIT_PATH = '/org/freedesktop/PolicyKit1/Authority'
SYSTEMD_NAME = 'org.freedesktop.systemd1'
SYSTEMD_PATH = '/org/freedesktop/systemd1'
SYSTEMD_MANAGER = 'org.freedesktop.systemd1.Manager'
MOCK_IFACE = 'org.freedesktop.DBus.Mock'

# RestartUnit for python-dbusmock's systemd template (which lacks it): queue
# a job and report it done with JobRemoved, as systemd does for subscribers.
# The signal goes out before the reply; the daemon subscribes first.
RESTART_UNIT_CODE = '''
self.imss_job = getattr(self, "imss_job", 0) + 1
ret = dbus.ObjectPath("/org/freedesktop/systemd1/job/%d" % self.imss_job)
self.EmitSignal("org.freedesktop.systemd1.Manager", "JobRemoved", "uoss",
                [dbus.UInt32(self.imss_job), ret, args[0], "done"])
'''

# RestartUnit that queues the job and leaves it running: the test ends it
# with systemd_finish_job() (a restart that takes its time)
RESTART_UNIT_HOLD_CODE = '''
self.imss_job = getattr(self, "imss_job", 0) + 1
ret = dbus.ObjectPath("/org/freedesktop/systemd1/job/%d" % self.imss_job)
'''

# RestartUnit refused by systemd (e.g. a unit that does not exist)
RESTART_UNIT_ERROR_CODE = '''
raise dbus.exceptions.DBusException("Unit imss-x.service not found.",
                                    name="org.freedesktop.systemd1.NoSuchUnit")
'''

# RestartUnit whose job ends "failed"
RESTART_UNIT_FAILED_CODE = RESTART_UNIT_CODE.replace('"done"', '"failed"')

SLOTS = ['cloud-prefilter', 'antivirus', 'antispam', 'email-reputation',
         'email-encryption', 'compliance']

POLKIT_ACTIONS = ['org.imss.license.activate', 'org.imss.license.update',
                  'org.imss.license.click-protection', 'org.imss.license.notices',
                  'org.imss.license.apply-profile', 'org.imss.license.restart-services']

TESTS_DIR = Path(__file__).resolve().parent
SOURCE_ROOT = TESTS_DIR.parent

VALGRIND_DEFAULT = ['valgrind', '--leak-check=full', '--errors-for-leak-kinds=definite',
                    '--error-exitcode=1', '--num-callers=40',
                    '--suppressions=/usr/share/glib-2.0/valgrind/glib.supp',
                    '--suppressions=' + str(TESTS_DIR / 'valgrind.supp')]

CODE_RE = re.compile(r'^([A-Z]{2})-([0-9A-Z]{4})-([0-9A-Z]{5})-([0-9A-Z]{5})-([0-9A-Z]{5})-'
                     r'([0-9A-Z]{5})-([0-9A-Z]{5})$')


VCLOCK_IFACE = 'org.imss.License.VirtualClock'


def free_port():
    '''A TCP port free on 127.0.0.1 right now (for servers the tests start).'''
    sock = socket.socket()
    sock.bind(('127.0.0.1', 0))
    port = sock.getsockname()[1]
    sock.close()
    return port


def connect(address):
    '''A new connection to the message bus at @address.'''
    return Gio.DBusConnection.new_for_address_sync(
        address,
        Gio.DBusConnectionFlags.AUTHENTICATION_CLIENT
        | Gio.DBusConnectionFlags.MESSAGE_BUS_CONNECTION,
        None, None)


def slot_path(slot_id):
    '''The object path of a slot: /org/imss/License/slot/<id, - replaced by _>.'''
    return OBJECT_PATH + '/slot/' + slot_id.replace('-', '_')


def remove_tmp(path):
    '''Removes a test's directory, unless IMSS_TEST_KEEP=1 (then says where it is).'''
    if os.environ.get('IMSS_TEST_KEEP', '') not in ('', '0'):
        print(f'\nkeeping {path}')
        return
    shutil.rmtree(path, ignore_errors=True)


def valgrind_enabled():
    return os.environ.get('IMSS_VALGRIND', '') not in ('', '0')


def _build_dirs():
    dirs = []
    if os.environ.get('IMSS_BUILD_DIR'):
        dirs.append(Path(os.environ['IMSS_BUILD_DIR']))
    dirs += [SOURCE_ROOT / 'build', SOURCE_ROOT / 'build-tests']
    return dirs


def find_program(env_var, build_rel):
    '''The path of a built program: $env_var, else the first build directory
    that has build_rel.'''
    path = os.environ.get(env_var)
    if path:
        return path
    for d in _build_dirs():
        if (d / build_rel).exists():
            return str(d / build_rel)
    raise RuntimeError(f'{env_var} is not set and no build directory has {build_rel}; '
                       'run the tests with meson test, or set IMSS_BUILD_DIR')


def find_source(env_var, source_rel):
    return os.environ.get(env_var) or str(SOURCE_ROOT / source_rel)


def code_groups(code):
    '''The groups of a canonical code: [prefix, g1, ..., g6].'''
    m = CODE_RE.match(code)
    if not m:
        raise ValueError(f'not a canonical activation code: {code!r}')
    return list(m.groups())


def _load_introspection():
    nodes = {}
    for path in sorted((SOURCE_ROOT / 'introspection').glob('org.imss.License*.xml')):
        info = Gio.DBusNodeInfo.new_for_xml(path.read_text())
        for iface in info.interfaces:
            nodes[iface.name] = iface
    return nodes


INTROSPECTION = _load_introspection()


def method_signature(iface_name, method):
    '''(in signature, out signature) of a method of our contract, or None.'''
    iface = INTROSPECTION.get(iface_name)
    if iface is None:
        return None
    m = iface.lookup_method(method)
    if m is None:
        return None
    return (''.join(a.signature for a in m.in_args), ''.join(a.signature for a in m.out_args))


def dbus_error_name(error):
    '''The D-Bus error name of a GLib.Error from a call, or None.'''
    return Gio.DBusError.get_remote_error(error)


def dbus_error_message(error):
    '''The message of a remote error without the "GDBus.Error:name: " prefix.'''
    msg = error.message
    name = dbus_error_name(error)
    prefix = f'GDBus.Error:{name}: '
    if name and msg.startswith(prefix):
        return msg[len(prefix):]
    return msg


class MainContextWaits:
    '''Waiting while the default main context runs (signals, async
    replies): for a test case with a `valgrind` attribute.'''

    def wait_for(self, predicate, timeout=None, message='condition'):
        '''Iterates the default main context until predicate() is true.'''
        if timeout is None:
            timeout = 60 if self.valgrind else 5
        ctx = GLib.MainContext.default()
        deadline = time.monotonic() + timeout
        while not predicate():
            if time.monotonic() > deadline:
                self.fail(f'timed out waiting for {message}')
            ctx.iteration(False) or time.sleep(0.01)

    def process_events(self, seconds=0.2):
        '''Lets pending signals in for a while (to assert that one did NOT come).'''
        ctx = GLib.MainContext.default()
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            ctx.iteration(False) or time.sleep(0.01)


class ImssTestCase(MainContextWaits, dbusmock.DBusTestCase):
    '''Base class: a private system bus, a polkitd mock and imss-licensed per test.

    Class attributes a test class may override:
      edition         'imsva' or 'imss', written to the configuration
      config          extra sections for write_config(), e.g.
                      {'services': {'sender_filter_enabled': True}}
      autostart       start the daemon in setUp (default True)
      polkit_allowed  allow every polkit action in setUp (default True);
                      when False the mock's default applies: everything denied
      systemd_mock    run the systemd mock (default True)
    '''

    edition = 'imsva'
    config = {}
    autostart = True
    polkit_allowed = True
    systemd_mock = True

    # ------------------------------------------------------------------ setUp

    def setUp(self):
        super().setUp()
        self.valgrind = valgrind_enabled()
        self.start_timeout = 180 if self.valgrind else 30
        self.call_timeout_ms = 300000 if self.valgrind else 25000

        self.daemon_path = find_program('IMSS_LICENSED', 'daemon/imss-licensed')
        self.tmp = Path(tempfile.mkdtemp(prefix='imss-test.'))
        # the bus socket lives here: nobody must be able to reach it
        self.tmp.chmod(0o755)
        self.addCleanup(self._remove_tmp)
        self.state_dir = self.tmp / 'state'
        self.state_dir.mkdir(mode=0o700)
        self.config_path = self.tmp / 'imss-licensed.conf'
        self.motd_path = self.tmp / 'motd.d' / 'imss-license'
        self.motd_path.parent.mkdir()
        self.log_path = self.tmp / 'daemon.log'
        self.log_path.touch()
        self.daemon = None
        self._log_offset = 0
        self._signals = []

        self._start_bus()
        self._start_polkitd()
        if self.systemd_mock:
            self._start_systemd()
        if self.polkit_allowed:
            self.polkit_allow_all()
        self.write_config(edition=self.edition, **self.config)
        if self.autostart:
            self.start_daemon()

    def _remove_tmp(self):
        remove_tmp(self.tmp)

    def _start_bus(self):
        conf_in = Path(find_source('IMSS_BUS_CONF', 'tests/bus/system-bus.conf.in'))
        policy = Path(find_source('IMSS_POLICY_CONF', 'data/org.imss.License.conf')).resolve()
        services = self.tmp / 'services'
        services.mkdir()
        self.service_dir = services
        conf = conf_in.read_text()
        conf = conf.replace('@RUNDIR@', str(self.tmp)).replace('@SERVICEDIR@', str(services))
        conf = conf.replace('@POLICY@', str(policy))
        conf_path = self.tmp / 'bus.conf'
        conf_path.write_text(conf)

        self.bus_log = open(self.tmp / 'bus.log', 'wb')
        self.addCleanup(self.bus_log.close)
        # --nofork: a child of this process, killed and reaped in cleanup
        self.bus_proc = subprocess.Popen(
            ['dbus-daemon', '--config-file=' + str(conf_path), '--nofork', '--print-address=1'],
            stdout=subprocess.PIPE, stderr=self.bus_log, stdin=subprocess.DEVNULL)
        self.addCleanup(self._stop_bus)
        ready, _, _ = select.select([self.bus_proc.stdout], [], [], 30)
        address = self.bus_proc.stdout.readline().decode().strip() if ready else ''
        if not address:
            self.fail('the private bus did not start: ' + (self.tmp / 'bus.log').read_text())
        self.bus_address = address

        old = os.environ.get('DBUS_SYSTEM_BUS_ADDRESS')
        os.environ['DBUS_SYSTEM_BUS_ADDRESS'] = address

        def restore():
            if old is None:
                os.environ.pop('DBUS_SYSTEM_BUS_ADDRESS', None)
            else:
                os.environ['DBUS_SYSTEM_BUS_ADDRESS'] = old
        self.addCleanup(restore)

        self.bus = connect(address)
        self.bus.set_exit_on_close(False)
        self.addCleanup(self._close_bus_connection)

    def another_connection(self):
        '''A second client: a connection of its own to the test's bus,
        closed at cleanup.'''
        conn = connect(os.environ['DBUS_SYSTEM_BUS_ADDRESS'])
        self.addCleanup(conn.close_sync, None)
        return conn

    def _close_bus_connection(self):
        for sub in self._signals:
            self.bus.signal_unsubscribe(sub)
        self._signals = []
        try:
            self.bus.close_sync(None)
        except GLib.Error:
            pass

    def _stop_bus(self):
        self.bus_proc.terminate()
        try:
            self.bus_proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.bus_proc.kill()
            self.bus_proc.wait()
        self.bus_proc.stdout.close()

    def _start_polkitd(self):
        self.polkitd_log = open(self.tmp / 'polkitd.log', 'wb')
        self.addCleanup(self.polkitd_log.close)
        (self.polkitd, _obj) = self.spawn_server_template('polkitd', {}, stdout=self.polkitd_log)
        self.addCleanup(self._stop_process, self.polkitd)

    def _start_systemd(self):
        self.systemd_log = open(self.tmp / 'systemd.log', 'wb')
        self.addCleanup(self.systemd_log.close)
        (self.systemd, _obj) = self.spawn_server_template('systemd', {},
                                                          stdout=self.systemd_log)
        self.addCleanup(self._stop_process, self.systemd)
        self._systemd_mock('AddMethod', '(sssss)',
                           (SYSTEMD_MANAGER, 'RestartUnit', 'ss', 'o', RESTART_UNIT_CODE))
        self._systemd_mock('AddMethod', '(sssss)', (SYSTEMD_MANAGER, 'Subscribe', '', '', ''))
        self._systemd_mock('AddMethod', '(sssss)', (SYSTEMD_MANAGER, 'Unsubscribe', '', '', ''))

    def _systemd_mock(self, method, signature, args):
        return self.bus.call_sync(SYSTEMD_NAME, SYSTEMD_PATH, MOCK_IFACE, method,
                                  GLib.Variant(signature, args) if signature else None, None,
                                  Gio.DBusCallFlags.NO_AUTO_START, 10000, None).unpack()

    def systemd_restart_mode(self, mode):
        '''How the systemd mock answers RestartUnit from now on: 'done' (the
        job ends at once), 'hold' (the job keeps running until
        systemd_finish_job()), 'error' (systemd refuses the call) or 'failed'
        (the job ends "failed").'''
        code = {'done': RESTART_UNIT_CODE, 'hold': RESTART_UNIT_HOLD_CODE,
                'error': RESTART_UNIT_ERROR_CODE, 'failed': RESTART_UNIT_FAILED_CODE}[mode]
        self._systemd_mock('AddMethod', '(sssss)',
                           (SYSTEMD_MANAGER, 'RestartUnit', 'ss', 'o', code))

    def systemd_finish_job(self, result='done'):
        '''Ends the job of the latest RestartUnit call (held) with result.'''
        units = self.restarted_units()
        job = len(units)
        self._systemd_mock('EmitSignal', '(sssav)',
                           (SYSTEMD_MANAGER, 'JobRemoved', 'uoss',
                            [GLib.Variant('u', job),
                             GLib.Variant('o', f'/org/freedesktop/systemd1/job/{job}'),
                             GLib.Variant('s', units[-1]), GLib.Variant('s', result)]))

    def restarted_units(self):
        '''The units the daemon asked systemd to restart, oldest first.'''
        calls = self._systemd_mock('GetMethodCalls', '(s)', ('RestartUnit',))[0]
        return [args[0] for _ts, args in calls]

    def clear_restarts(self):
        self._systemd_mock('ClearCalls', None, ())

    def settle(self, quiet=None, timeout=None):
        '''Waits until the daemon has finished the work an earlier call
        started in the background (license-server checks, restarts, their
        history entries): the history, the state directory and the restarts
        stay unchanged for `quiet` seconds.'''
        if quiet is None:
            quiet = 1.5 if self.valgrind else 0.4
        if timeout is None:
            timeout = 120 if self.valgrind else 20

        def state():
            return (self.history(), self.db_snapshot(),
                    self.restarted_units() if self.systemd_mock else None)
        deadline = time.monotonic() + timeout
        last = state()
        while True:
            self.process_events(quiet)
            now = state()
            if now == last:
                return
            if time.monotonic() > deadline:
                self.fail('the daemon did not settle')
            last = now

    @staticmethod
    def _stop_process(proc, timeout=10):
        if proc.poll() is None:
            proc.terminate()
            try:
                proc.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()

    # ---------------------------------------------------------------- polkit

    def _polkit_mock(self, method, signature, args):
        self.bus.call_sync(POLKIT_NAME, POLKIT_PATH, 'org.freedesktop.DBus.Mock', method,
                           GLib.Variant(signature, args), None,
                           Gio.DBusCallFlags.NO_AUTO_START, 10000, None)

    def polkit_allow(self, actions):
        '''Allow exactly these polkit action ids; everything else is denied.'''
        self._polkit_mock('AllowUnknown', '(b)', (False,))
        self._polkit_mock('SetAllowed', '(as)', (list(actions),))

    def polkit_allow_all(self):
        self._polkit_mock('SetAllowed', '(as)', (list(POLKIT_ACTIONS),))
        self._polkit_mock('AllowUnknown', '(b)', (True,))

    def polkit_deny_all(self):
        self._polkit_mock('AllowUnknown', '(b)', (False,))
        self._polkit_mock('SetAllowed', '(as)', ([],))

    # ---------------------------------------------------------------- config

    def write_config(self, edition='imsva', **sections):
        '''Writes the daemon's configuration. Keyword arguments are sections,
        each a dict of keys; '_' in section and key names becomes '-'
        (license_server={'url': ...} -> [license-server] url=...). Booleans
        become true/false. The [license-server] url defaults to a closed
        local port so that no test ever reaches the real license server, and
        the login notice to the test's directory (self.motd_path).
        Takes effect at the next start_daemon()/restart_daemon().'''
        groups = {'license': {'edition': edition, 'motd-file': str(self.motd_path)},
                  'license-server': {'url': 'http://127.0.0.1:9/ollu/license_update.aspx'}}
        for section, keys in sections.items():
            group = groups.setdefault(section.replace('_', '-'), {})
            for key, value in keys.items():
                group[key.replace('_', '-')] = value
        lines = []
        for group, keys in groups.items():
            lines.append(f'[{group}]')
            for key, value in keys.items():
                if isinstance(value, bool):
                    value = 'true' if value else 'false'
                lines.append(f'{key}={value}')
            lines.append('')
        self.config_path.write_text('\n'.join(lines))
        return self.config_path

    # ---------------------------------------------------------------- daemon

    def _valgrind_cmd(self):
        cmd = os.environ.get('IMSS_VALGRIND_CMD')
        if cmd:
            return [a for a in cmd.split('\n') if a]
        return list(VALGRIND_DEFAULT)

    def daemon_env(self):
        env = dict(os.environ)
        env['DBUS_SYSTEM_BUS_ADDRESS'] = self.bus_address
        # libgda writes $XDG_DATA_HOME/libgda/config; keep it out of $HOME
        env['XDG_DATA_HOME'] = str(self.tmp / 'xdg-data')
        env['XDG_CONFIG_HOME'] = str(self.tmp / 'xdg-config')
        env['XDG_CACHE_HOME'] = str(self.tmp / 'xdg-cache')
        env.pop('STATE_DIRECTORY', None)
        env.setdefault('G_DEBUG', 'fatal-criticals')
        if self.valgrind:
            env['G_SLICE'] = 'always-malloc'
        return env

    def start_daemon(self, args=()):
        '''Starts imss-licensed and waits until it owns org.imss.License.'''
        self.spawn_daemon(args)
        return self.wait_daemon_ready()

    def spawn_daemon(self, args=()):
        '''Starts imss-licensed (self.daemon) without waiting for it; see
        wait_daemon_ready().'''
        assert self.daemon is None, 'the daemon is already running'
        argv = [self.daemon_path, '--config', str(self.config_path),
                '--state-dir', str(self.state_dir), '--verbose'] + list(args)
        if self.valgrind:
            argv = self._valgrind_cmd() + argv
        self._log_offset = self.log_path.stat().st_size
        with open(self.log_path, 'ab') as log:
            self.daemon = subprocess.Popen(argv, stdout=log, stderr=subprocess.STDOUT,
                                           stdin=subprocess.DEVNULL, env=self.daemon_env())
        self.addCleanup(self._cleanup_daemon, self.daemon)
        return self.daemon

    def wait_daemon_ready(self):
        '''Waits until the daemon spawn_daemon() started owns org.imss.License;
        fails the test when it exits first or takes too long.'''
        deadline = time.monotonic() + self.start_timeout
        while True:
            if self.daemon.poll() is not None:
                rc = self.daemon.returncode
                self.daemon = None
                self.fail(f'imss-licensed exited with {rc} before owning its name:\n'
                          + self.daemon_log())
            if self._name_owner_pid() == self.daemon.pid:
                break
            if time.monotonic() > deadline:
                self.fail(f'imss-licensed did not own {BUS_NAME} within '
                          f'{self.start_timeout} s:\n' + self.daemon_log())
            time.sleep(0.05)
        # one round trip: the daemon has run what it does once the name is
        # its own (the calendar's first evaluation, the node's first
        # heartbeat), so that a snapshot taken now stays unchanged
        try:
            self.bus.call_sync(BUS_NAME, OBJECT_PATH, IFACE, 'GetClock', None, None,
                               Gio.DBusCallFlags.NO_AUTO_START, self.call_timeout_ms, None)
        except GLib.Error:
            pass
        return self.daemon

    def _name_owner_pid(self):
        try:
            owner = self.bus.call_sync('org.freedesktop.DBus', '/org/freedesktop/DBus',
                                       'org.freedesktop.DBus', 'GetNameOwner',
                                       GLib.Variant('(s)', (BUS_NAME,)), None,
                                       Gio.DBusCallFlags.NONE, 5000, None).unpack()[0]
            pid = self.bus.call_sync('org.freedesktop.DBus', '/org/freedesktop/DBus',
                                     'org.freedesktop.DBus', 'GetConnectionUnixProcessID',
                                     GLib.Variant('(s)', (owner,)), None,
                                     Gio.DBusCallFlags.NONE, 5000, None).unpack()[0]
            return pid
        except GLib.Error:
            return None

    def stop_daemon(self, check=True):
        '''Stops the daemon with SIGTERM and returns its exit status. With
        check, a non-zero status (a crash, a fatal critical, valgrind errors)
        fails the test.'''
        proc = self.daemon
        if proc is None:
            return None
        self.daemon = None
        crashed_before = proc.poll() is not None
        if not crashed_before:
            proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=300 if self.valgrind else 30)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
            if check:
                self.fail('imss-licensed did not exit on SIGTERM:\n' + self.daemon_log())
        rc = proc.returncode
        if check:
            self._check_valgrind()
            if crashed_before:
                self.fail(f'imss-licensed had exited on its own with {rc}:\n' + self.daemon_log())
            if rc != 0:
                self.fail(f'imss-licensed exited with {rc} on SIGTERM:\n' + self.daemon_log())
            # GLib's own warning (at debug level, --verbose shows it) that
            # the environment was changed with threads running: a data race
            if 'is not thread-safe' in self.daemon_log():
                self.fail('imss-licensed changed its environment with threads running:\n' +
                          self.daemon_log())
        return rc

    def _cleanup_daemon(self, proc):
        if self.daemon is proc:
            self.stop_daemon()

    def _check_valgrind(self):
        if not self.valgrind:
            return
        with open(self.log_path, 'rb') as f:
            f.seek(self._log_offset)
            text = f.read().decode('utf-8', 'replace')
        summaries = re.findall(r'ERROR SUMMARY: ([0-9,]+) errors', text)
        if not summaries:
            self.fail('valgrind printed no ERROR SUMMARY:\n' + text[-20000:])
        if any(int(n.replace(',', '')) != 0 for n in summaries):
            self.fail('valgrind reported errors in imss-licensed:\n' + text[-60000:])

    def restart_daemon(self):
        self.stop_daemon()
        return self.start_daemon()

    def daemon_log(self):
        '''Everything the daemon (all its runs in this test) wrote.'''
        return self.log_path.read_bytes().decode('utf-8', 'replace')

    def assertDaemonRunning(self):
        self.assertIsNotNone(self.daemon)
        self.assertIsNone(self.daemon.poll(), 'imss-licensed died:\n' + self.daemon_log())

    def mapped_files(self):
        '''The names of the files the running daemon maps (its
        /proc/PID/maps; under valgrind, those of the program it runs).'''
        self.assertDaemonRunning()
        names = set()
        for line in Path(f'/proc/{self.daemon.pid}/maps').read_text().splitlines():
            fields = line.split(None, 5)
            if len(fields) == 6 and fields[5].startswith('/'):
                names.add(os.path.basename(fields[5]))
        return names

    def assertMapped(self, *prefixes, mapped=True):
        '''Whether the daemon maps (mapped=False: maps none of) the files
        whose names start with each of @prefixes ("libsoup-3.0").'''
        names = self.mapped_files()
        for prefix in prefixes:
            found = sorted(n for n in names if n.startswith(prefix))
            if mapped:
                self.assertTrue(found, f'the daemon maps no {prefix}*')
            else:
                self.assertEqual(found, [], f'the daemon maps {prefix}*')

    # ------------------------------------------------------------------ calls

    def call_full(self, path, interface, method, signature=None, args=(), reply_type=None,
                  bus=None, flags=Gio.DBusCallFlags.NO_AUTO_START):
        '''A method call on org.imss.License; returns the unpacked reply
        (None for no value, the value for one, a tuple for more) and raises
        GLib.Error for a D-Bus error (see dbus_error_name()).'''
        if signature is None:
            sig = method_signature(interface, method)
            if sig is None:
                raise ValueError(f'{interface}.{method} is not in introspection/; give signature=')
            signature, out = sig
            if reply_type is None:
                reply_type = '(' + out + ')'
        params = GLib.Variant('(' + signature + ')', tuple(args)) if signature else None
        reply = (bus or self.bus).call_sync(
            BUS_NAME, path, interface, method, params,
            GLib.VariantType.new(reply_type) if reply_type else None,
            flags, self.call_timeout_ms, None)
        values = reply.unpack() if reply is not None else ()
        if len(values) == 0:
            return None
        if len(values) == 1:
            return values[0]
        return tuple(values)

    def call(self, method, *args):
        '''Calls org.imss.License.<method> on /org/imss/License with the
        signature from introspection/org.imss.License.xml.'''
        return self.call_full(OBJECT_PATH, IFACE, method, args=args)

    def activate(self, slot, code):
        return self.call('Activate', slot, code)

    def get_property(self, name, path=OBJECT_PATH, interface=IFACE):
        return self.call_full(path, PROPERTIES_IFACE, 'Get', 'ss', (interface, name), '(v)')

    def manager_props(self):
        return self.call_full(OBJECT_PATH, PROPERTIES_IFACE, 'GetAll', 's', (IFACE,), '(a{sv})')

    def slot_props(self, slot_id):
        '''All org.imss.License.Slot properties of a slot, as a dict.'''
        return self.call_full(slot_path(slot_id), PROPERTIES_IFACE, 'GetAll', 's',
                              (SLOT_IFACE,), '(a{sv})')

    def managed_objects(self):
        return self.call_full(OBJECT_PATH, OBJECT_MANAGER_IFACE, 'GetManagedObjects', '', (),
                              '(a{oa{sa{sv}}})')

    def history(self, limit=0):
        return self.call('GetHistory', limit)

    def assertDBusError(self, name, fn, *args, **kwargs):
        '''Asserts that fn(*args) raises the D-Bus error
        org.imss.License.Error.<name> (or a full name containing a dot);
        returns the GLib.Error.'''
        expected = name if '.' in name else ERROR_PREFIX + name
        try:
            result = fn(*args, **kwargs)
        except GLib.Error as e:
            self.assertEqual(dbus_error_name(e), expected, f'unexpected error: {e.message}')
            return e
        self.fail(f'expected {expected}, got a reply: {result!r}')

    # ---------------------------------------------------------------- signals

    def subscribe(self, interface, member, path=None):
        '''Starts collecting a signal from the bus; returns a list that gets
        (path, parameters-unpacked) appended. Use wait_for() to let them in.'''
        received = []

        def cb(_conn, _sender, obj_path, _iface, _member, params):
            received.append((obj_path, params.unpack()))

        sub = self.bus.signal_subscribe(None, interface, member, path, None,
                                        Gio.DBusSignalFlags.NONE, cb)
        self._signals.append(sub)
        return received

    # ---------------------------------------------------------------- programs

    def ctl(self, *args, input=None, env=None, user=None, timeout=120):
        '''Runs imss-licensectl ARGS; returns (rc, stdout, stderr) as str.
        input (str or bytes) goes to stdin (otherwise stdin is empty).
        The environment is English (LANG=C.UTF-8, no LANGUAGE) unless env
        overrides it; with user='nobody' the CLI runs as that user through
        setpriv (and its primary group).'''
        argv = [find_program('IMSS_LICENSECTL', 'client/imss-licensectl')] + list(args)
        if user is not None:
            argv = self.as_user(user, argv)
        full_env = dict(os.environ)
        for var in ('LANGUAGE', 'LC_ALL', 'LC_MESSAGES', 'LC_CTYPE'):
            full_env.pop(var, None)
        full_env['LANG'] = 'C.UTF-8'
        full_env['DBUS_SYSTEM_BUS_ADDRESS'] = self.bus_address
        full_env.setdefault('IMSS_LOCALEDIR', str(self._default_localedir()))
        full_env['NO_COLOR'] = '1'
        if env:
            full_env.update(env)
        if isinstance(input, str):
            input = input.encode()
        proc = subprocess.run(argv, input=input if input is not None else b'',
                              capture_output=True, env=full_env, timeout=timeout)
        return (proc.returncode, proc.stdout.decode('utf-8', 'replace'),
                proc.stderr.decode('utf-8', 'replace'))

    @staticmethod
    def as_user(user, argv):
        '''argv to run as @user and its primary group, through setpriv.'''
        pw = pwd.getpwnam(user)
        group = grp.getgrgid(pw.pw_gid).gr_name
        return ['setpriv', f'--reuid={user}', f'--regid={group}', '--clear-groups'] + list(argv)

    def run_as_nobody(self, argv, timeout=120):
        '''Runs argv as nobody on the private bus; returns (rc, stdout, stderr).'''
        proc = subprocess.run(self.as_user('nobody', argv), capture_output=True, text=True,
                              timeout=timeout,
                              env=dict(os.environ, DBUS_SYSTEM_BUS_ADDRESS=self.bus_address))
        return proc.returncode, proc.stdout, proc.stderr

    def nobody_call(self, method, *args, interface=IFACE, path=OBJECT_PATH):
        '''gdbus call as nobody, args as GVariant text; returns (rc, stdout, stderr).'''
        return self.run_as_nobody(['gdbus', 'call', '--system', '--dest', BUS_NAME,
                                   '--object-path', path, '--method', f'{interface}.{method}']
                                  + [str(a) for a in args])

    @staticmethod
    def _default_localedir():
        for d in _build_dirs():
            if (d / 'po').is_dir():
                return d / 'po'
        return Path('/nonexistent')

    def keygen(self, *args):
        '''Runs imss-license-keygen ARGS and returns the code it printed.'''
        argv = [find_program('IMSS_LICENSE_KEYGEN', 'tools/imss-license-keygen')] + list(args)
        proc = subprocess.run(argv, capture_output=True, text=True, timeout=60)
        if proc.returncode != 0:
            self.fail(f'{argv} failed ({proc.returncode}): {proc.stderr}')
        return proc.stdout.strip()

    def make_code(self, *slots, edition=None, expiry=None, offline=False, prefix=None):
        '''A code from keygen: for the given slots, this test's edition, an
        expiry (date, str or None = a year from today), online unless offline.'''
        args = ['--edition', edition or self.edition]
        for s in slots:
            args += ['--slot', s]
        if expiry is None:
            expiry = self.today() + datetime.timedelta(days=365)
        args += ['--expiry', str(expiry)]
        if offline:
            args.append('--offline')
        if prefix:
            args += ['--prefix', prefix]
        return self.keygen(*args)

    def try_code(self, *slots, **kwargs):
        """make_code(), or None when keygen refuses the combination (e.g. a
        DL- code for a slot other than compliance): for negative tests that
        only make sense if such a code can exist at all."""
        try:
            return self.make_code(*slots, **kwargs)
        except self.failureException:
            return None

    @staticmethod
    def today():
        return datetime.date.today()

    # ---------------------------------------------------------------- state

    def db_snapshot(self):
        '''{relative path: bytes} of every file in the state directory.'''
        snap = {}
        for p in sorted(self.state_dir.rglob('*')):
            # SQLite's rollback journal lives only during a transaction (the
            # calendar's first evaluation may still be writing), and the
            # write-ahead log's index (-shm) changes with every read: not
            # state (the log itself, -wal, is)
            if p.is_file() and not p.name.endswith(('-journal', '-shm')):
                snap[str(p.relative_to(self.state_dir))] = p.read_bytes()
        return snap

    def assertSnapshotEqual(self, before, after=None):
        if after is None:
            after = self.db_snapshot()
        self.assertEqual(sorted(before), sorted(after), 'files in the state directory changed')
        for name in before:
            self.assertTrue(before[name] == after[name], f'{name} changed')

    # ---------------------------------------------------------------- codes

    def assertMasked(self, masked, code):
        '''masked is the masked form of the canonical code: keeps the prefix
        and the last group and contains no other group.'''
        groups = code_groups(code)
        self.assertTrue(masked.startswith(groups[0] + '-'), masked)
        self.assertTrue(masked.endswith('-' + groups[-1]), masked)
        self.assertNotEqual(masked, code)
        for g in groups[1:-1]:
            self.assertNotIn(g, masked)

    def assertNoCode(self, text, code, what='text'):
        '''text contains neither the code (canonical, without dashes, any
        letter case) nor any two consecutive hidden groups of it.'''
        low = text.lower()
        try:
            groups = code_groups(code)
        except ValueError:
            # not a canonical code (bad input): the input itself must not show
            if len(code.strip()) >= 8:
                self.assertNotIn(code.strip().lower(), low, f'{what} contains the input')
            return
        self.assertNotIn(code.lower(), low, f'{what} contains the full code')
        self.assertNotIn(''.join(groups).lower(), low, f'{what} contains the full code')
        hidden = groups[1:-1]
        for a, b in zip(hidden, hidden[1:]):
            self.assertNotIn(f'{a}-{b}'.lower(), low, f'{what} contains hidden groups of the code')
            self.assertNotIn(f'{a}{b}'.lower(), low, f'{what} contains hidden groups of the code')

    # ---------------------------------------------------------------- PostgreSQL

    def use_postgresql(self):
        '''Switches the configuration to a fresh PostgreSQL database on the
        server of $IMSS_PG_CNC (HOST=...;PORT=...;DB_NAME=...), creating it
        with psql and dropping it afterwards. Fails when IMSS_PG_CNC is unset
        (like the store's unit tests: a skipped test is a test that did not
        run); tests/run-tests.sh and .ci/run start a throwaway server. Call
        before start_daemon() (autostart = False) or follow with
        restart_daemon().'''
        cnc = os.environ.get('IMSS_PG_CNC')
        if not cnc:
            self.fail('IMSS_PG_CNC is not set: run the tests through tests/run-tests.sh, '
                      'which starts a throwaway PostgreSQL server')
        params = dict(p.split('=', 1) for p in cnc.split(';') if '=' in p)
        auth = os.environ.get('IMSS_PG_AUTH', 'USERNAME=postgres')
        user = dict(p.split('=', 1) for p in auth.split(';') if '=' in p).get('USERNAME', 'postgres')
        name = 'imss_test_%d_%d' % (os.getpid(), int(time.monotonic() * 1000))
        psql = ['psql', '-h', params.get('HOST', 'localhost'), '-p', params.get('PORT', '5432'),
                '-U', user, '-d', 'postgres', '-v', 'ON_ERROR_STOP=1', '-qc']
        subprocess.run(psql + [f'CREATE DATABASE {name}'], check=True, capture_output=True)

        def drop():
            if self.daemon is not None:
                self.stop_daemon()
            subprocess.run(psql + [f'DROP DATABASE IF EXISTS {name}'], capture_output=True)
        self.addCleanup(drop)
        params['DB_NAME'] = name
        cnc = ';'.join(f'{k}={v}' for k, v in params.items())
        self.config = dict(self.config)
        self.config['database'] = {'provider': 'PostgreSQL', 'connection': cnc, 'auth': auth}
        self.write_config(edition=self.edition, **self.config)
        return cnc


class SmtpSink:
    '''A real SMTP server on loopback (python3-aiosmtpd) writing a Maildir.'''

    def __init__(self, test, port=None):
        self.test = test
        self.port = port or free_port()
        self.dir = test.tmp / 'mail'
        self.proc = None
        self.start()
        test.addCleanup(self.stop)

    def start(self):
        self.log = open(self.test.tmp / 'smtp.log', 'ab')
        self.proc = subprocess.Popen(['/usr/bin/python3', '-m', 'aiosmtpd', '-n', '-l',
                                      f'127.0.0.1:{self.port}', '-c',
                                      'aiosmtpd.handlers.Mailbox', str(self.dir)],
                                     stdout=self.log, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 20
        while True:
            try:
                socket.create_connection(('127.0.0.1', self.port), 1).close()
                return
            except OSError:
                if self.proc.poll() is not None or time.monotonic() > deadline:
                    self.test.fail('aiosmtpd did not start (apt-get install python3-aiosmtpd)')
                time.sleep(0.05)

    def stop(self):
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            self.proc.wait(10)
        self.proc = None
        self.log.close()

    def messages(self):
        out = []
        new = self.dir / 'new'
        if not new.exists():
            return out
        for p in sorted(new.iterdir()):
            msg = email.message_from_bytes(p.read_bytes(), policy=email.policy.default)
            out.append(msg)
        return out


class PgServer:
    '''A private, throwaway PostgreSQL server for one test (a unix socket in
    the test's directory, no TCP), so that a test may stop, restart or kill
    it without touching the server other tests share.'''

    def __init__(self, test, dbname='imss'):
        bins = sorted(Path('/usr/lib/postgresql').glob('*/bin'))
        if not bins:
            test.fail('no PostgreSQL server (apt-get install postgresql-15)')
        self.bin = bins[-1]
        self.test = test
        self.dir = test.tmp / 'pg'
        self.dir.mkdir()
        self.as_pg = []
        if os.getuid() == 0:
            shutil.chown(self.dir, 'postgres', 'postgres')
            self.as_pg = ['runuser', '-u', 'postgres', '--']
        self.data = self.dir / 'data'
        subprocess.run(self.as_pg + [str(self.bin / 'initdb'), '-D', str(self.data), '-A', 'trust',
                                     '-U', 'postgres', '-E', 'UTF8', '--locale=C.UTF-8'],
                       check=True, capture_output=True)
        self.start()
        test.addCleanup(self.stop, 'immediate')
        self.dbname = dbname
        self.createdb(dbname)
        self.cnc = self.cnc_for(dbname)
        self.auth = 'USERNAME=postgres'

    def cnc_for(self, dbname):
        '''libgda's connection string for database @dbname on this server.'''
        return f'HOST={self.dir};PORT=5432;DB_NAME={dbname}'

    def createdb(self, dbname):
        subprocess.run(['psql', '-h', str(self.dir), '-U', 'postgres', '-d', 'postgres', '-qc',
                        f'CREATE DATABASE {dbname}'], check=True, capture_output=True)

    def pg_ctl(self, *args):
        return subprocess.run(self.as_pg + [str(self.bin / 'pg_ctl'), '-D', str(self.data)] + list(args),
                              capture_output=True, text=True)

    def start(self):
        r = self.pg_ctl('-w', '-l', str(self.dir / 'log'), '-o',
                        f"-k {self.dir} -c listen_addresses='' -p 5432 -c fsync=off", 'start')
        if r.returncode != 0:
            self.test.fail('PostgreSQL did not start: ' + r.stderr + (self.dir / 'log').read_text())

    def stop(self, mode='fast'):
        self.pg_ctl('-m', mode, '-w', 'stop')

    def psql(self, sql, dbname=None):
        return subprocess.run(['psql', '-h', str(self.dir), '-U', 'postgres', '-d',
                               dbname or self.dbname, '-Atqc', sql],
                              capture_output=True, text=True).stdout.strip()


class VirtualClockMixin:
    '''The daemon's virtual clock (imss-licensed --virtual-clock=...).'''

    def advance(self, seconds):
        '''Lets @seconds pass; every event on the way runs. Returns the alarms fired.'''
        return self.call_full(OBJECT_PATH, VCLOCK_IFACE, 'Advance', args=(seconds,))

    def set_time(self, iso):
        '''Steps the clock (local time unless an offset is given).'''
        return self.call_full(OBJECT_PATH, VCLOCK_IFACE, 'SetTime', args=(iso,))

    def now(self):
        return self.get_property('Now', interface=VCLOCK_IFACE)

    def seconds_until(self, iso_local):
        now = GLib.DateTime.new_from_iso8601(self.now(), None).to_unix()
        then = GLib.DateTime.new_from_iso8601(iso_local, GLib.TimeZone.new_local()).to_unix()
        return then - now

    def advance_to(self, iso_local):
        '''Lets time pass until @iso_local (local time, in the future).'''
        seconds = self.seconds_until(iso_local)
        self.assertGreaterEqual(seconds, 0, f'{iso_local} is in the past')
        return self.advance(seconds)


def main():
    unittest.main(verbosity=2)
