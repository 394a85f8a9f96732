#!/usr/bin/python3
'''RELIABILITY-NOTES §7, row D1: kill -9 at random points while the daemon
writes (activations, the notice setting, manual updates against the
license-server simulator, the restarts and history entries they cause).
After every kill the daemon starts again (its integrity check passes) and
the store holds, for each slot, the old or the new state, never a mix:

- PRAGMA integrity_check says ok;
- antispam and email-reputation hold the same code (one transaction);
- a stored code is the one of the slot's newest "activate" history entry
  (a slot never has a code without its history entry, or the reverse);
- a stored expiry other than the issued one is the one of a "renewed"
  history entry;
- what the daemon shows on the bus is what the store holds.

IMSS_KILL_ITERATIONS sets the number of kills (default 40; 4 under
valgrind); IMSS_KILL_SEED repeats a run (the seed is printed).'''

import datetime
import importlib
import os
import random
import sqlite3
import time

import imsstest
from imsstest import GLib, Gio

Simulator = importlib.import_module('test-server').Simulator

DB_NAME = 'imss-license.db'


def masked_matches(masked, code):
    '''Whether a masked code (IM-****-...-ABCDE) is the mask of @code.'''
    return masked.split('-')[0] == code.split('-')[0] and masked.split('-')[-1] == code.split('-')[-1]


class KillDuringWritesTest(imsstest.ImssTestCase):
    autostart = False

    def setUp(self):
        super().setUp()
        self.sim = Simulator(self)
        self.write_config(edition=self.edition,
                          license_server={'url': self.sim.url, 'timeout': 3})

    @property
    def db(self):
        return self.state_dir / DB_NAME

    def make_codes(self, slot, n):
        codes = []
        while len(codes) < n:
            code = self.make_code(slot, expiry=self.today() + datetime.timedelta(days=100 + 50 * len(codes)))
            # masks must tell the codes apart (the history holds masks)
            if all(c.split('-')[-1] != code.split('-')[-1] for c in codes):
                codes.append(code)
        return codes

    def fire(self, method, *args):
        '''Calls org.imss.License.<method> without waiting for the answer.'''
        sig, _out = imsstest.method_signature(imsstest.IFACE, method)
        self.bus.call(imsstest.BUS_NAME, imsstest.OBJECT_PATH, imsstest.IFACE, method,
                      GLib.Variant('(' + sig + ')', args), None,
                      Gio.DBusCallFlags.NO_AUTO_START, 30000, None, lambda *a: None)

    def kill_daemon(self):
        proc = self.daemon
        self.daemon = None
        proc.kill()
        proc.wait()
        self.assertLess(proc.returncode, 0, 'the daemon had exited before the kill:\n'
                        + self.daemon_log()[-5000:])

    def check_store(self, codes):
        '''The invariants of the module docstring; returns the stored slots.'''
        con = sqlite3.connect(f'file:{self.db}?mode=ro', uri=True)
        try:
            self.assertEqual(con.execute('PRAGMA integrity_check').fetchall(), [('ok',)])
            rows = {r[0]: r[1:] for r in con.execute(
                'SELECT slot, code, expiry, issued_expiry FROM slots')}
            for slot, (code, expiry, issued) in rows.items():
                self.assertIn(code, codes, f'{slot} holds a code nobody activated')
                newest = con.execute("SELECT code FROM history WHERE action = 'activate' AND "
                                     "slot = ? ORDER BY id DESC LIMIT 1", (slot,)).fetchone()
                self.assertIsNotNone(newest, f'{slot} has a code but no activation entry')
                self.assertTrue(masked_matches(newest[0], code),
                                f'{slot}: code {code} but the newest activation is {newest[0]}')
                if expiry != issued:
                    renewed = con.execute(
                        "SELECT detail FROM history WHERE slot = ? AND outcome = 'renewed' "
                        "AND detail LIKE ?", (slot, f'%-> {expiry}%')).fetchall()
                    self.assertTrue(renewed, f'{slot}: expiry {expiry} without its renewal entry')
            for slot in ('antispam', 'email-reputation'):
                activated = con.execute("SELECT COUNT(*) FROM history WHERE action = 'activate' "
                                        "AND slot = ?", (slot,)).fetchone()[0]
                if slot not in rows:
                    self.assertEqual(activated, 0, f'{slot}: an activation entry without its code')
            self.assertEqual('antispam' in rows, 'email-reputation' in rows)
            if 'antispam' in rows:
                self.assertEqual(rows['antispam'][0], rows['email-reputation'][0],
                                 'antispam and email-reputation hold different codes')
            hidden = con.execute("SELECT value FROM settings WHERE section = 'notices' "
                                 "AND name = 'hide-inactive'").fetchone()
        finally:
            con.close()
        # the daemon shows what the store holds
        for slot in ('antivirus', 'antispam', 'email-reputation'):
            props = self.slot_props(slot)
            if slot in rows:
                self.assertTrue(masked_matches(props['ActivationCode'], rows[slot][0]), slot)
                self.assertEqual(props['ExpiryDate'], rows[slot][1], slot)
            else:
                self.assertEqual(props['State'], 'not-activated', slot)
        self.assertEqual(self.manager_props()['InactiveNoticesHidden'], hidden == ('true',))
        return rows

    def test_kill_during_writes(self):
        iterations = int(os.environ.get('IMSS_KILL_ITERATIONS', '4' if self.valgrind else '40'))
        seed = int(os.environ.get('IMSS_KILL_SEED', str(int(time.time()))))
        print(f'\nIMSS_KILL_SEED={seed} IMSS_KILL_ITERATIONS={iterations}')
        rng = random.Random(seed)
        codes = {'antivirus': self.make_codes('antivirus', 3),
                 'antispam': self.make_codes('antispam', 3)}
        every = codes['antivirus'] + codes['antispam']
        # the server knows later dates for some codes: UpdateStatus renews
        for i, code in enumerate(every):
            if i % 2 == 0:
                self.sim.admin('renew', code=code,
                               expiry=str(self.today() + datetime.timedelta(days=700 + i)))
        writes = torn = 0
        for i in range(iterations):
            self.start_daemon()
            self.check_store(every)
            # a burst of changes, answered or not when the kill comes
            for _ in range(rng.randint(2, 8)):
                what = rng.choice(('activate', 'activate', 'hide', 'update'))
                if what == 'activate':
                    slot = rng.choice(('antivirus', 'antispam'))
                    self.fire('Activate', slot, rng.choice(codes[slot]))
                elif what == 'hide':
                    self.fire('SetInactiveNoticesHidden', rng.choice((True, False)))
                else:
                    self.fire('UpdateStatus')
                writes += 1
            self.process_events(rng.uniform(0, 0.25 * (10 if self.valgrind else 1)))
            self.kill_daemon()
            # commits in the write-ahead log not yet folded into the file
            # (SQLite replays them at the next open)
            wal = self.state_dir / (DB_NAME + '-wal')
            torn += wal.exists() and wal.stat().st_size > 0
        # the last restart: all as it should be, and still working
        self.start_daemon()
        rows = self.check_store(every)
        self.activate('antivirus', codes['antivirus'][0])
        self.settle()
        self.assertTrue(masked_matches(self.slot_props('antivirus')['ActivationCode'],
                                       codes['antivirus'][0]))
        self.check_store(every)
        print(f'{iterations} kills during {writes} changes, {torn} with a log to replay; '
              f'stored at the end: {sorted(rows)}')


if __name__ == '__main__':
    imsstest.main()
