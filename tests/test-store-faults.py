#!/usr/bin/python3
'''The license store on a bad day (RELIABILITY-NOTES §7, rows D3, D4, D5): a
damaged database file, another program holding a lock on it, a full disk.
Nothing is hidden (a failed read is an error, never "no rows"), nothing is
half-written, and nothing stored is lost.'''

import datetime
import errno
import importlib
import os
import sqlite3
import subprocess
import time

import imsstest

Simulator = importlib.import_module('test-server').Simulator

DB_NAME = 'imss-license.db'


LOCK_SCRIPT = '''
import sqlite3, sys, time
con = sqlite3.connect(sys.argv[1], isolation_level=None)
con.execute("BEGIN EXCLUSIVE")
print("locked", flush=True)
time.sleep(float(sys.argv[2]))
con.execute("ROLLBACK")
con.close()
'''


def damage_table_root(db, table):
    '''Overwrites the root page of @table in the SQLite file @db (as a bad
    sector or a stray write would) and returns the file's new contents.'''
    # immutable: the daemon is stopped and its log folded in; a read-only
    # connection would leave the log's files (-wal, -shm) beside the file
    con = sqlite3.connect(f'file:{db}?immutable=1', uri=True)
    root = con.execute('SELECT rootpage FROM sqlite_master WHERE name = ?', (table,)).fetchone()[0]
    con.close()
    data = bytearray(db.read_bytes())
    page_size = int.from_bytes(data[16:18], 'big')
    if page_size == 1:
        page_size = 65536
    assert root > 1 and len(data) >= root * page_size
    data[(root - 1) * page_size:root * page_size] = b'\xa5' * page_size
    db.write_bytes(bytes(data))
    return bytes(data)


class StoreTestCase(imsstest.ImssTestCase):
    @property
    def db(self):
        return self.state_dir / DB_NAME

    def hold_lock(self, seconds):
        '''Another process takes an exclusive lock on the store and keeps
        it for @seconds; returns that process once the lock is held.'''
        proc = subprocess.Popen(['/usr/bin/python3', '-c', LOCK_SCRIPT, str(self.db), str(seconds)],
                                stdout=subprocess.PIPE, stdin=subprocess.DEVNULL)
        self.addCleanup(self._stop_process, proc)
        self.assertEqual(proc.stdout.readline(), b'locked\n')
        return proc

    def run_daemon_until_exit(self, timeout=None):
        '''Runs imss-licensed as start_daemon() does, expecting it to exit
        on its own; returns (exit status, what it logged). Fails the test
        when it is still running after the start timeout.'''
        if timeout is None:
            timeout = self.start_timeout
        argv = [self.daemon_path, '--config', str(self.config_path),
                '--state-dir', str(self.state_dir), '--verbose']
        if self.valgrind:
            argv = self._valgrind_cmd() + argv
        self._log_offset = self.log_path.stat().st_size
        with open(self.log_path, 'ab') as log:
            proc = subprocess.Popen(argv, stdout=log, stderr=subprocess.STDOUT,
                                    stdin=subprocess.DEVNULL, env=self.daemon_env())
        try:
            proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            states = {s: self.slot_props(s)['State'] for s in ('antivirus', 'antispam')}
            proc.kill()
            proc.wait()
            self.fail(f'imss-licensed kept running on a damaged store (slots: {states}):\n'
                      + self.daemon_log())
        self._check_valgrind()
        with open(self.log_path, 'rb') as f:
            f.seek(self._log_offset)
            return proc.returncode, f.read().decode('utf-8', 'replace')


class DamagedStoreTest(StoreTestCase):
    '''D4: a damaged page is never shown as "not activated".'''

    def test_damaged_slots_page_refuses_to_start(self):
        self.activate('antivirus', self.make_code('antivirus', offline=True))
        self.activate('antispam', self.make_code('antispam', offline=True))
        self.stop_daemon()
        damaged = damage_table_root(self.db, 'slots')
        files = sorted(p.name for p in self.state_dir.iterdir())

        rc, log = self.run_daemon_until_exit()
        self.assertNotEqual(rc, 0, log)
        # one clear line naming the file and what to do
        self.assertIn(f'imss-licensed: {self.db} is damaged (quick_check: ', log)
        self.assertIn('stop the service, move the file aside and restore it from a backup, '
                      'or re-activate the licenses; the file was left untouched', log)
        # the file is left exactly as it was, and nothing was added beside it
        self.assertEqual(self.db.read_bytes(), damaged)
        self.assertEqual(sorted(p.name for p in self.state_dir.iterdir()), files)
        # the daemon never took the name: nobody was shown "not-activated"
        self.assertIsNone(self._name_owner_pid())

    def test_not_a_database(self):
        self.stop_daemon()
        self.db.write_bytes(b'this was overwritten by something else\n' * 200)
        before = self.db.read_bytes()
        rc, log = self.run_daemon_until_exit()
        self.assertNotEqual(rc, 0, log)
        self.assertIn(f'imss-licensed: {self.db} is damaged (quick_check: ', log)
        self.assertEqual(self.db.read_bytes(), before)


class LockedStoreTest(StoreTestCase):
    '''D5: another program (a backup, an sqlite3 shell) holds an exclusive
    lock on the store for a while: reads answer what was last committed
    (the store's write-ahead log lets them), never nothing; writes fail
    whole with Busy; the daemon keeps answering everything else.'''

    def call_async(self, method, *args):
        '''Starts org.imss.License.<method>; returns a list that gets
        ('ok', value) or ('error', GLib.Error) once it answered.'''
        sig, out = imsstest.method_signature(imsstest.IFACE, method)
        result = []

        def done(conn, res):
            try:
                result.append(('ok', conn.call_finish(res).unpack()))
            except imsstest.GLib.Error as e:
                result.append(('error', e))

        self.bus.call(imsstest.BUS_NAME, imsstest.OBJECT_PATH, imsstest.IFACE, method,
                      imsstest.GLib.Variant('(' + sig + ')', args), None,
                      imsstest.Gio.DBusCallFlags.NO_AUTO_START, self.call_timeout_ms, None, done)
        return result

    def assertBusy(self, outcome, what):
        self.assertEqual(len(outcome), 1, what)
        kind, value = outcome[0]
        self.assertEqual(kind, 'error', f'{what} answered {value!r} while the store was locked')
        self.assertEqual(imsstest.dbus_error_name(value), imsstest.ERROR_PREFIX + 'Busy',
                         f'{what}: {value.message}')
        self.assertIn('locked by another program', value.message)

    def test_locked_store(self):
        slow = 5 if self.valgrind else 1
        self.activate('antivirus', self.make_code('antivirus', offline=True))
        self.call('SetInactiveNoticesHidden', True)
        self.settle()
        notices = self.call('GetNotices', 'en')
        history = self.history()
        antivirus = self.slot_props('antivirus')
        self.assertTrue(history)
        before = self.db_snapshot()
        other = self.make_code('antispam', offline=True)

        locker = self.hold_lock(10 * slow)
        started = time.monotonic()
        reads = self.call_async('GetHistory', 0)
        page = self.call_async('GetHistoryPage', 0, 0)
        activation = self.call_async('Activate', 'antispam', other)
        # meanwhile the daemon answers at once what it has in memory
        while not (reads and page and activation):
            t = time.monotonic()
            self.call_full(imsstest.OBJECT_PATH, 'org.freedesktop.DBus.Peer', 'Ping', '', (), None)
            self.manager_props()
            self.assertEqual(self.slot_props('antivirus'), antivirus)
            self.assertLess(time.monotonic() - t, 2 * slow, 'GetAll was slow during the lock')
            self.process_events(0.1)
        # the notices come from memory: right, not "nothing hidden"
        self.assertEqual(self.call('GetNotices', 'en'), notices)
        # a read sees the last commit, never an empty answer
        self.assertEqual(reads, [('ok', (history,))], 'GetHistory during the lock')
        self.assertEqual(page, [('ok', (history, len(history)))], 'GetHistoryPage during the lock')
        # a change fails whole (the activation after retrying for a while)
        self.assertBusy(activation, 'Activate')
        self.assertBusy([self.call_async_result('SetInactiveNoticesHidden', False)],
                        'SetInactiveNoticesHidden')
        self.assertLess(time.monotonic() - started, 10 * slow, 'the answers came after the lock')
        self.assertIsNone(locker.poll(), 'the lock ended before the answers came')
        locker.wait()

        # released: nothing was written, and everything works again
        self.assertSnapshotEqual(before)
        self.assertEqual(self.history(), history)
        self.assertEqual(self.call('GetHistoryPage', 0, 0), (history, len(history)))
        self.activate('antispam', other)
        self.assertEqual(self.slot_props('antispam')['State'], 'active')
        self.settle()
        self.call('SetInactiveNoticesHidden', False)
        actions = [h['action'] for h in self.history()]
        self.assertEqual(actions.count('activate'), 3, actions)
        self.assertEqual(actions[0], 'show-inactive-notices', actions)

    def call_async_result(self, method, *args):
        outcome = self.call_async(method, *args)
        self.wait_for(lambda: outcome, timeout=self.call_timeout_ms / 1000, message=method)
        return outcome[0]


class LockedClaimTest(imsstest.VirtualClockMixin, StoreTestCase):
    '''D5 for the calendar: a check day that begins while another program
    holds the lock is claimed (once) when the lock is gone, not lost.'''
    autostart = False

    def setUp(self):
        super().setUp()
        self.start_daemon(['--virtual-clock=2030-01-01T12:00:00'])

    def test_claim_waits_for_the_lock(self):
        slow = 5 if self.valgrind else 1
        # E-30 is 2030-01-02: an automatic check at its 00:00
        self.activate('antivirus', self.make_code('antivirus', expiry='2030-02-01'))
        self.settle()
        locker = self.hold_lock(3 * slow)
        self.advance_to('2030-01-02T00:00:10')
        self.assertIsNone(locker.poll(), 'the lock ended before the check day began')
        locker.wait()

        def claims():
            return [h for h in self.history()
                    if h['action'] == 'automatic-check' and h['outcome'] == 'due']
        self.wait_for(claims, timeout=30 * slow, message='the check day claimed after the lock')
        self.settle()
        self.assertEqual(len(claims()), 1, self.history())
        self.assertIn('2030-01-02', claims()[0]['detail'])
        self.assertIn('failed to record the scheduled runs', self.daemon_log())


def integrity(db):
    con = sqlite3.connect(f'file:{db}?mode=ro', uri=True)
    try:
        return con.execute('PRAGMA integrity_check').fetchall()
    finally:
        con.close()


class DiskFullTest(StoreTestCase):
    '''D3: the state directory on a full file system (a 1 MiB tmpfs filled
    up): every change fails with an error that says so, nothing stored is
    lost, and everything works again once there is space.'''
    autostart = False

    def setUp(self):
        super().setUp()
        subprocess.run(['mount', '-t', 'tmpfs', '-o', 'size=1m,mode=0700', 'imss-test-state',
                        str(self.state_dir)], check=True)
        self.addCleanup(subprocess.run, ['umount', '-l', str(self.state_dir)], check=True)
        self.sim = Simulator(self)
        self.write_config(edition=self.edition, license_server={'url': self.sim.url, 'timeout': 3})
        self.start_daemon()

    def fill_disk(self):
        filler = self.state_dir / 'filler'
        with open(filler, 'wb', buffering=0) as f:
            try:
                while True:
                    f.write(b'\0' * 4096)
            except OSError as e:
                self.assertEqual(e.errno, errno.ENOSPC)
        return filler

    def assertDiskFull(self, fn, *args):
        e = self.assertDBusError('Internal', fn, *args)
        self.assertIn('the disk is full', e.message)

    def state(self):
        return ({s: self.slot_props(s) for s in imsstest.SLOTS},
                self.manager_props()['InactiveNoticesHidden'], self.history())

    def test_disk_full(self):
        code = self.make_code('antispam', expiry=self.today() + datetime.timedelta(days=200))
        self.activate('antispam', code)
        self.settle()
        before = self.state()
        renewed = str(self.today() + datetime.timedelta(days=600))
        self.sim.admin('renew', code=code, expiry=renewed)
        filler = self.fill_disk()

        # the server's answer cannot be stored: an error, not "unchanged"
        self.assertDiskFull(self.call, 'UpdateStatus')
        self.assertIn("failed to store the license server's answer", self.daemon_log())
        self.assertDiskFull(self.activate, 'antivirus', self.make_code('antivirus', offline=True))
        self.assertDiskFull(self.call, 'SetInactiveNoticesHidden', True)
        self.assertEqual(self.state(), before, 'a failed change showed as done')
        self.assertDaemonRunning()

        # space again, a restart: everything as it was, nothing lost
        filler.unlink()
        self.restart_daemon()
        self.assertEqual(integrity(self.db), [('ok',)])
        self.assertEqual(self.state(), before)
        # and the changes work now
        self.assertEqual(self.call('UpdateStatus'), 'updated')
        self.assertEqual(self.slot_props('antispam')['ExpiryDate'], renewed)
        self.call('SetInactiveNoticesHidden', True)
        self.assertTrue(self.manager_props()['InactiveNoticesHidden'])


if __name__ == '__main__':
    imsstest.main()
