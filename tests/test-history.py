#!/usr/bin/python3
'''The history grows without bound no more, and no read method answers an
unprivileged caller with an unbounded amount of work (issue: "any user can
make the daemon slow for everyone"): GetHistory is capped at one page,
GetHistoryPage pages, the store keeps at most [history] max-entries rows,
ListEvents is capped in days and in events.'''

import datetime
import json
import sqlite3

import imsstest

DB_NAME = 'imss-license.db'
PAGE_DEFAULT = 100   # GetHistoryPage(offset, 0)
PAGE_MAX = 500       # the most one call returns
EVENTS_MAX = 1000    # the most ListEvents returns


def fill_history(db, rows, start=1500000000):
    '''Appends @rows history entries (one a minute from @start) to the store
    @db, as years of scheduled runs would: [(id, time)] newest last.'''
    con = sqlite3.connect(db)
    with con:
        con.executemany(
            'INSERT INTO history (at, action, slot, code, caller, outcome, detail) '
            'VALUES (?, ?, ?, ?, ?, ?, ?)',
            ((start + 60 * i, 'automatic-check', 'antivirus', 'IM-****-*****-*****-*****-*****-AAAAA',
              'scheduler', 'failed', f'entry {i}') for i in range(rows)))
    count = con.execute('SELECT COUNT(*) FROM history').fetchone()[0]
    con.close()
    return count


def history_count(db):
    con = sqlite3.connect(f'file:{db}?mode=ro', uri=True)
    try:
        return con.execute('SELECT COUNT(*) FROM history').fetchone()[0]
    finally:
        con.close()


class HistoryTestCase(imsstest.ImssTestCase):
    @property
    def db(self):
        return self.state_dir / DB_NAME

    def page(self, offset, limit):
        return self.call('GetHistoryPage', offset, limit)


class HistoryPagingTest(HistoryTestCase):
    config = {'history': {'max_entries': 50000}}

    def test_pages(self):
        self.activate('antivirus', self.make_code('antivirus', offline=True))
        self.settle()
        self.stop_daemon()
        total = fill_history(self.db, 20000)
        self.start_daemon()

        # one call never returns more than a page, whatever the caller asks
        self.assertEqual(len(self.history(0)), PAGE_MAX)
        self.assertEqual(len(self.history(100000)), PAGE_MAX)
        self.assertEqual(len(self.history(7)), 7)
        newest = self.history(1)[0]
        self.assertEqual(newest['detail'], 'entry 19999')

        # pages: consecutive, newest first, no overlap, the right total
        entries, n = self.page(0, 0)
        self.assertEqual((len(entries), n), (PAGE_DEFAULT, total))
        self.assertEqual(entries[0], newest)
        seen = []
        offset = 0
        while offset < 2300:
            entries, n = self.page(offset, 1000)
            self.assertEqual(n, total)
            self.assertEqual(len(entries), PAGE_MAX, 'a page is capped')
            seen += entries
            offset += len(entries)
        details = [e['detail'] for e in seen]
        self.assertEqual(details, [f'entry {19999 - i}' for i in range(len(seen))])
        # the last page is short, past the end there is nothing
        entries, n = self.page(total - 3, 10)
        self.assertEqual((len(entries), n), (3, total))
        self.assertEqual(entries[-1]['action'], 'activate')
        self.assertEqual(self.page(total, 10), ([], total))
        self.assertEqual(self.page(2**32 - 1, 2**32 - 1), ([], total))

        # every local user may page, with the CLI too
        rc, out, err = self.ctl('--json', 'history', '--offset', '19990', '--limit', '5',
                                user='nobody')
        self.assertEqual(rc, 0, err)
        page = json.loads(out)
        self.assertEqual((page['total'], page['offset']), (total, 19990))
        self.assertEqual([e['detail'] for e in page['entries']],
                         [f'entry {9 - i}' for i in range(5)])


class HistoryRetentionTest(HistoryTestCase):
    config = {'history': {'max_entries': 1000}}

    def test_retention(self):
        self.stop_daemon()
        fill_history(self.db, 5000)
        # the bound holds from the start (a lower max-entries applies at once)
        self.start_daemon()
        entries, n = self.page(0, 1)
        self.assertEqual(n, 1000)
        self.assertEqual(entries[0]['detail'], 'entry 4999')
        self.assertEqual(history_count(self.db), 1000)
        # and with every change: the newest entries are kept
        for hidden in (True, False, True):
            self.call('SetInactiveNoticesHidden', hidden)
        entries, n = self.page(0, 4)
        self.assertEqual(n, 1000)
        self.assertEqual([e['action'] for e in entries],
                         ['hide-inactive-notices', 'show-inactive-notices',
                          'hide-inactive-notices', 'automatic-check'])
        self.assertEqual(entries[3]['detail'], 'entry 4999')
        self.assertEqual(self.page(999, 1)[0][0]['detail'], 'entry 4003')
        self.assertEqual(history_count(self.db), 1000)


class ListEventsCapTest(HistoryTestCase):
    def test_events_are_capped(self):
        # expired for years: an automatic check every day
        expiry = self.today() - datetime.timedelta(days=1000)
        for slot in ('antivirus', 'cloud-prefilter', 'compliance'):
            prefix = 'DL' if slot == 'compliance' else None
            self.activate(slot, self.make_code(slot, expiry=expiry, prefix=prefix))
        events = self.call('ListEvents', 3660)
        self.assertEqual(len(events), EVENTS_MAX)
        days = [e['date'] for e in events]
        self.assertEqual(days, sorted(days), 'the soonest events are kept')
        self.assertEqual(len(self.call('ListEvents', 0)), 3 * 90)


if __name__ == '__main__':
    imsstest.main()
