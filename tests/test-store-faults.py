#!/usr/bin/python3
'''The license store on a bad day (RELIABILITY-NOTES §7, rows D3, D4, D5): a
damaged database file, another program holding a lock on it, a full disk.
Nothing is hidden (a failed read is an error, never "no rows"), nothing is
half-written, and nothing stored is lost.'''

import os
import sqlite3
import subprocess
import time

import imsstest

DB_NAME = 'imss-license.db'


def damage_table_root(db, table):
    '''Overwrites the root page of @table in the SQLite file @db (as a bad
    sector or a stray write would) and returns the file's new contents.'''
    con = sqlite3.connect(f'file:{db}?mode=ro', uri=True)
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


if __name__ == '__main__':
    imsstest.main()
