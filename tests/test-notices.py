#!/usr/bin/python3
'''Notices (SPEC §9): console notices in both languages, hiding the
inactive-component ones, the Notice signal, and the daily mails received by a
real SMTP server on loopback (aiosmtpd) over a virtual year.'''

import datetime
import os
import time

import imsstest
from imsstest import SmtpSink

AV_JA = 'ウイルス対策およびコンテンツフィルタ'
AV_EN = 'Antivirus and Content Filter'

# SPEC §9.1: the inactive-component notices exactly as the source shows them
# (Email Encryption's second sentence uses the shorter name)
INACTIVE_TEXTS = {
    'cloud-prefilter': (
        'クラウドプレフィルタはアクティベートされていません。この機能を使用するには、'
        'クラウドプレフィルタをアクティベートします。',
        'Cloud Pre-Filter is not activated. To use this feature, activate Cloud Pre-Filter.'),
    'email-encryption': (
        'Trend Micro Email Encryptionはアクティベートされていません。この機能を使用するには、'
        'Email Encryptionをアクティベートします。',
        'Trend Micro Email Encryption is not activated. To use this feature, '
        'activate Email Encryption.'),
    'compliance': (
        '規制コンプライアンスはアクティベートされていません。この機能を使用するには、'
        '規制コンプライアンスをアクティベートします。',
        'Regulatory Compliance is not activated. To use this feature, '
        'activate Regulatory Compliance.'),
}


class NoticeTestBase(imsstest.VirtualClockMixin, imsstest.ImssTestCase):
    autostart = False
    mail_language = 'ja'
    start = '2019-08-01T09:00:00'

    def setUp(self):
        os.environ['TZ'] = 'Asia/Tokyo'
        self.addCleanup(os.environ.pop, 'TZ', None)
        super().setUp()
        self.smtp = SmtpSink(self)
        self.write_config(edition=self.edition,
                          mail={'to': 'admin@example.com, second@example.com',
                                'from': 'imss@example.com',
                                'smtp': f'smtp://127.0.0.1:{self.smtp.port}',
                                'language': self.mail_language, 'retry_interval': 1,
                                'timeout': 10})
        self.start_daemon([f'--virtual-clock={self.start}'])

    def wait_mails(self, n, timeout=60):
        deadline = time.monotonic() + timeout
        while len(self.smtp.messages()) < n:
            if time.monotonic() > deadline:
                self.fail(f'{len(self.smtp.messages())} mails, expected {n}')
            time.sleep(0.1)
        time.sleep(0.3)
        return self.smtp.messages()


class MailYearTest(NoticeTestBase):
    def test_106_mails_in_japanese(self):
        '''A license never renewed: one mail a day from E-15 through G.'''
        notices = self.subscribe('org.imss.License', 'Notice')
        self.activate('antivirus', self.make_code('antivirus', expiry='2020-01-31'))
        self.advance_to('2020-07-31T12:00:00')
        msgs = self.wait_mails(106)
        self.settle()
        self.assertEqual(len(self.smtp.messages()), 106)
        E = datetime.date(2020, 1, 31)
        days = sorted(datetime.datetime.strptime(m['Date'][:31], '%a, %d %b %Y %H:%M:%S %z').date()
                      for m in msgs)
        self.assertEqual(days, [E + datetime.timedelta(days=d) for d in range(-15, 91)])
        by_day = {datetime.datetime.strptime(m['Date'][:31], '%a, %d %b %Y %H:%M:%S %z').date(): m
                  for m in msgs}
        first = by_day[E - datetime.timedelta(days=15)]
        self.assertEqual(str(first['Subject']), f'{AV_JA}のライセンスの有効期限はあと15日で終了します')
        self.assertEqual(first.get_content().strip(), f'{AV_JA}のライセンスの有効期限はあと15日で終了します。')
        self.assertIn('=?utf-8?', first.as_string().lower())         # RFC 2047 on the wire
        self.assertEqual(first['To'], 'admin@example.com, second@example.com')
        on_e = by_day[E]
        self.assertEqual(str(on_e['Subject']), f'{AV_JA}のライセンスの有効期限は0日前に終了しています')
        self.assertEqual(on_e.get_content().strip().splitlines(),
                         [f'{AV_JA}のライセンスの有効期限は0日前に終了しています。',
                          '現在はライセンスの更新猶予期間であり、この期間はあと90日で終了します。'])
        on_g = by_day[E + datetime.timedelta(days=90)]
        self.assertEqual(on_g.get_content().strip().splitlines()[1],
                         '現在はライセンスの更新猶予期間であり、この期間はあと0日で終了します。')
        # the signals carried the same fields, never a code
        self.process_events(0.5)
        mail_signals = [a for _, a in notices if a[2].get('mail')]
        self.assertEqual(len(mail_signals), 106)
        self.assertEqual(mail_signals[0][2]['days_left'], 15)
        self.assertEqual({a[1] for _, a in notices}, {'expiring', 'expired', 'updates-ended'})

    def test_no_mail_after_renewal_and_restart_sends_nothing_twice(self):
        code = self.make_code('antivirus', expiry='2019-09-10')
        self.activate('antivirus', code)
        self.advance_to('2019-08-27T10:00:00')          # E-14: mails on E-15, E-14
        self.assertEqual(len(self.wait_mails(2)), 2)
        self.stop_daemon()
        self.start_daemon(['--virtual-clock=2019-08-27T11:00:00'])   # same day: nothing again
        self.settle()
        self.assertEqual(len(self.smtp.messages()), 2)
        self.advance_to('2019-08-28T01:00:00')          # E-13: one more
        self.assertEqual(len(self.wait_mails(3)), 3)
        # renewed (a new code with a later expiry): no more mails
        self.activate('antivirus', self.make_code('antivirus', expiry='2020-09-10'))
        self.advance_to('2019-09-20T01:00:00')
        self.settle()
        self.assertEqual(len(self.smtp.messages()), 3)

    def test_days_missed_while_down_are_caught_up_once(self):
        self.activate('antivirus', self.make_code('antivirus', expiry='2019-09-10'))
        self.advance_to('2019-08-26T10:00:00')          # E-15: one mail
        self.assertEqual(len(self.wait_mails(1)), 1)
        self.stop_daemon()
        # down over E-14, E-13 and E-12; back on E-11 at noon
        self.start_daemon(['--virtual-clock=2019-08-30T12:00:00'])
        self.wait_mails(2)
        self.settle()
        msgs = self.smtp.messages()
        subjects = sorted(str(m['Subject']) for m in msgs)
        self.assertEqual(len(msgs), 2, subjects)          # one catch-up, not four
        self.assertEqual(sum('あと11日' in s for s in subjects), 1, subjects)   # E-11, today
        self.assertEqual(sum('あと15日' in s for s in subjects), 1, subjects)   # E-15, before

    def test_smtp_down_for_part_of_a_day(self):
        self.activate('antivirus', self.make_code('antivirus', expiry='2019-09-10'))
        self.smtp.stop()
        self.advance_to('2019-08-26T08:00:00')          # E-15 at 00:00: SMTP is down
        time.sleep(1.5)
        self.assertEqual(self.smtp.messages(), [])
        self.smtp.start()                                # back later that day
        # the retries run on the daemon's clock (virtual here): let it pass
        self.advance(5)
        msgs = self.wait_mails(1)
        time.sleep(3)
        self.assertEqual(len(self.smtp.messages()), 1)   # delivered once
        sent = [h for h in self.history() if h['action'] == 'mail']
        self.assertEqual([h['outcome'] for h in sent], ['sent'])
        self.assertNotIn('attempt 1', sent[0]['detail'])
        del msgs


class EnglishMailTest(NoticeTestBase):
    mail_language = 'en'

    def test_english_texts(self):
        self.activate('antivirus', self.make_code('antivirus', expiry='2019-08-20'))
        self.advance_to('2019-08-20T06:00:00')          # E-15 was 08-05 … E
        msgs = self.wait_mails(16)
        subjects = [str(m['Subject']) for m in msgs]
        self.assertIn(f'The {AV_EN} license expires in 15 days', subjects)
        self.assertIn(f'The {AV_EN} license expires in 1 days', subjects)
        last = [m for m in msgs if 'expired' in str(m['Subject'])][0]
        self.assertEqual(str(last['Subject']), f'The {AV_EN} license expired 0 days ago')
        self.assertEqual(last.get_content().strip().splitlines(),
                         [f'The {AV_EN} license expired 0 days ago.',
                          'The license is in its renewal grace period, which ends in 90 days.'])


class MailModuleTest(NoticeTestBase):
    '''GMime is opened at the first mail, in a module of its own
    (docs/lean.md); and without that module a mail fails with the reason,
    is retried, and the daemon runs on.'''
    modules = None  # IMSS_MODULE_DIR for the daemon; None: the build's

    def daemon_env(self):
        env = super().daemon_env()
        if self.modules is not None:
            env['IMSS_MODULE_DIR'] = str(self.modules)
        return env

    def test_gmime_is_mapped_from_the_first_mail(self):
        self.assertMapped('libgmime-3.0', 'imss-mime-gmime', 'libsoup-3.0', mapped=False)
        # (an offline code: no request to a license server)
        self.activate('antivirus', self.make_code('antivirus', expiry='2019-09-10', offline=True))
        self.assertMapped('libgmime-3.0', mapped=False)
        self.advance_to('2019-08-26T10:00:00')          # E-15: one mail
        self.assertEqual(len(self.wait_mails(1)), 1)
        self.assertMapped('libgmime-3.0', 'imss-mime-gmime')
        self.assertMapped('libsoup-3.0', 'imss-http-soup', mapped=False)

    def test_without_the_module(self):
        self.modules = self.tmp / 'no-modules'         # missing
        self.stop_daemon()
        self.start_daemon([f'--virtual-clock={self.start}'])
        self.activate('antivirus', self.make_code('antivirus', expiry='2019-09-10', offline=True))
        self.advance_to('2019-08-26T10:00:00')          # E-15
        why = 'cannot compose the mail: cannot load the module imss-mime-gmime'
        self.wait_for(lambda: why in self.daemon_log(), message='the mail to fail')
        self.advance(5)                                  # a retry, failing the same way
        self.wait_for(lambda: self.daemon_log().count(why) >= 2, message='a retry')
        self.advance_to('2019-08-27T01:00:00')          # the day is over: undelivered
        self.settle()
        self.assertEqual(self.smtp.messages(), [])
        mails = [h for h in self.history() if h['action'] == 'mail']
        self.assertEqual([h['outcome'] for h in mails], ['undelivered'], mails)
        self.assertDaemonRunning()


class ConsoleNoticeTest(NoticeTestBase):
    start = '2019-08-01T09:00:00'

    def notice_of(self, slot, language):
        for n in self.call('GetNotices', language):
            if n['slot'] == slot:
                return n
        return None

    def test_texts_at_the_edges(self):
        self.activate('antivirus', self.make_code('antivirus', expiry='2020-01-31'))
        cases = [
            ('2019-12-01', None, None),
            ('2019-12-02', f'The support contract for {AV_EN} ends in 60 days. To maintain protection '
                           'and update product components, you must renew the contract.',
             f'{AV_JA}のサポート契約はあと60日で終了します。保護を維持して製品コンポーネントを'
             'アップデートするには、契約を更新する必要があります。'),
            ('2020-01-30', f'The support contract for {AV_EN} ends in 1 days. To maintain protection '
                           'and update product components, you must renew the contract.', None),
            ('2020-01-31', f'The support contract for {AV_EN} ended on 2020-01-31. The renewal grace '
                           'period after the end of the support contract is 90 days. To keep security '
                           'up to date, you must renew the contract.',
             f'{AV_JA}のサポート契約は2020-01-31に終了しました。サポート契約終了後の更新猶予期間は90日です。'
             'セキュリティ対策を最新に保つには、契約を更新する必要があります。'),
            ('2020-04-29', f'The support contract for {AV_EN} ended on 2020-01-31. The renewal grace '
                           'period after the end of the support contract is 1 days. To keep security '
                           'up to date, you must renew the contract.', None),
            ('2020-04-30', f'Product updates for {AV_EN} ended on 2020-04-30. The support contract ended '
                           'on 2020-01-31 and the renewal grace period ended on 2020-04-30. To maintain '
                           'protection and update product components, you must renew the contract.',
             f'{AV_JA}の製品アップデートは2020-04-30に終了しました。サポート契約は2020-01-31に終了し、'
             '更新猶予期間は2020-04-30に終了しました。保護を維持して製品コンポーネントをアップデートするには、'
             '契約を更新する必要があります。'),
        ]
        for day, en, ja in cases:
            with self.subTest(day=day):
                self.advance_to(day + 'T12:00:00')
                n = self.notice_of('antivirus', 'en')
                if en is None:
                    self.assertIsNone(n)
                    continue
                self.assertEqual(n['text'], en)
                self.assertFalse(n['hideable'])
                if ja is not None:
                    self.assertEqual(self.notice_of('antivirus', 'ja')['text'], ja)
        rc, out, err = self.ctl('notices', env={'LANGUAGE': 'ja'})
        self.assertEqual(rc, 0, err)
        self.assertIn('製品アップデートは2020-04-30に終了しました', out)

    def test_language_per_call(self):
        '''Each call gets its own language, in any order, while the mails go
        out in the configured one; the daemon's environment and locale are
        never changed for it (GLib says so when setenv() runs in a process
        with threads).'''
        self.activate('antivirus', self.make_code('antivirus', expiry='2019-08-20'))
        self.advance_to('2019-08-06T12:00:00')          # E-14: a notice and a mail
        ja = f'{AV_JA}のサポート契約はあと14日で終了します。'
        en = f'The support contract for {AV_EN} ends in 14 days.'
        for language, expected in (('ja', ja), ('en', en), ('ja_JP.UTF-8', ja), ('', en),
                                   ('ja', ja), ('C', en)):
            with self.subTest(language=language):
                self.assertTrue(self.notice_of('antivirus', language)['text'].startswith(expected))
        masked = self.slot_props('antivirus')['ActivationCode']
        self.assertEqual(self.call('Diagnose', 'antivirus', 'ja')['findings'][0],
                         f'{AV_JA}の有効期限は 2019-08-20 です (アクティベーションコード: {masked})。')
        self.assertTrue(self.call('Diagnose', 'antivirus', 'en')['findings'][0].startswith(
            f'{AV_EN} expires on 2019-08-20'))
        self.assertIn(f'{AV_JA}のライセンスの有効期限はあと14日で終了します',
                      [str(m['Subject']) for m in self.wait_mails(2)])
        self.assertEqual(self.notice_of('antivirus', 'en')['text'][:len(en)], en)
        self.assertEqual(self.daemon_log().count('setenv()/putenv() are not thread-safe'), 0)

    def test_inactive_texts(self):
        '''The three inactive-component notices, word for word, over the bus
        and in imss-licensectl notices, in Japanese and English.'''
        for language, index in (('ja', 0), ('en', 1)):
            with self.subTest(language=language):
                texts = {n['slot']: n['text'] for n in self.call('GetNotices', language)
                         if n['kind'] == 'inactive'}
                self.assertEqual(texts, {slot: t[index] for slot, t in INACTIVE_TEXTS.items()})
        for env, index in (({'LANGUAGE': 'ja'}, 0), ({}, 1)):
            with self.subTest(cli=env):
                rc, out, err = self.ctl('notices', env=env)
                self.assertEqual(rc, 0, err)
                self.assertEqual(sorted(out.splitlines()),
                                 sorted(f'   [{slot}] {t[index]}'
                                        for slot, t in INACTIVE_TEXTS.items()))

    def test_hide_and_show_inactive(self):
        inactive = sorted(n['slot'] for n in self.call('GetNotices', 'en') if n['kind'] == 'inactive')
        self.assertEqual(inactive, ['cloud-prefilter', 'compliance', 'email-encryption'])
        cpf = self.notice_of('cloud-prefilter', 'ja')
        self.assertEqual(cpf['text'], 'クラウドプレフィルタはアクティベートされていません。この機能を使用するには、'
                                      'クラウドプレフィルタをアクティベートします。')
        self.assertEqual(self.notice_of('cloud-prefilter', 'en')['text'],
                         'Cloud Pre-Filter is not activated. To use this feature, activate Cloud Pre-Filter.')
        rc, out, err = self.ctl('hide-inactive-notices')
        self.assertEqual(rc, 0, err)
        self.assertEqual([n for n in self.call('GetNotices', 'en') if n['kind'] == 'inactive'], [])
        self.assertTrue(self.get_property('InactiveNoticesHidden'))
        self.stop_daemon()
        self.start_daemon(['--virtual-clock=2019-08-02T09:00:00'])
        self.assertEqual([n for n in self.call('GetNotices', 'en') if n['kind'] == 'inactive'], [])
        # the expiry notices are never hidden
        self.activate('antispam', self.make_code('antispam', expiry='2019-09-01'))
        self.assertEqual(sorted(n['slot'] for n in self.call('GetNotices', 'en')),
                         ['antispam', 'email-reputation'])
        rc, out, err = self.ctl('show-inactive-notices')
        self.assertEqual(rc, 0, err)
        self.assertEqual(len(self.call('GetNotices', 'en')), 5)
        self.polkit_deny_all()
        self.assertDBusError('NotAuthorized', self.call, 'SetInactiveNoticesHidden', True)


class NoRecipientTest(imsstest.ImssTestCase):
    '''SPEC §9.2 (changed today): the mails cannot be suppressed, so a gateway
    with licenses and no recipient says so in its notices and status.'''

    def test_missing_recipient_is_reported(self):
        self.assertEqual([n for n in self.call('GetNotices', 'en')
                          if n['kind'] == 'no-mail-recipients'], [], 'nothing to mail yet')
        self.activate('antivirus', self.make_code('antivirus'))
        notices = [n for n in self.call('GetNotices', 'en') if n['kind'] == 'no-mail-recipients']
        self.assertEqual(len(notices), 1)
        self.assertEqual(notices[0]['slot'], '')
        self.assertIn('No recipient is configured', notices[0]['text'])
        self.assertIn('[mail]', notices[0]['text'])
        ja = [n for n in self.call('GetNotices', 'ja') if n['kind'] == 'no-mail-recipients']
        self.assertNotEqual(ja[0]['text'], notices[0]['text'])
        rc, out, err = self.ctl('status')
        self.assertEqual(rc, 0, err)
        self.assertIn('No recipient is configured', out)
        # configured: gone
        self.write_config(edition=self.edition, mail={'to': 'admin@example.com',
                                                      'smtp': 'smtp://127.0.0.1:25'})
        self.restart_daemon()
        self.assertEqual([n for n in self.call('GetNotices', 'en')
                          if n['kind'] == 'no-mail-recipients'], [])


class SkippedDateMailTest(NoticeTestBase):
    '''Issue 9 (6): on Pacific/Apia the whole of 2011-12-30 does not exist;
    its mail goes out at the first instant of 2011-12-31 (SPEC §9.2,
    docs/design.md), with the mail of 12-31 itself.'''
    mail_language = 'en'
    start = '2011-12-29T12:00:00'

    def setUp(self):
        super().setUp()
        self.stop_daemon()
        os.environ['TZ'] = 'Pacific/Apia'
        self.start_daemon([f'--virtual-clock={self.start}'])

    def test_mail_of_the_skipped_date(self):
        # E-15 = 2011-12-30, the date Samoa skipped
        self.activate('antivirus', self.make_code('antivirus', expiry='2012-01-14'))
        self.advance_to('2011-12-31T12:00:00')
        msgs = self.wait_mails(2)
        subjects = sorted(str(m['Subject']) for m in msgs)
        self.assertEqual(subjects, [f'The {AV_EN} license expires in 14 days',
                                    f'The {AV_EN} license expires in 15 days'])
        mails = [h for h in self.history() if h['action'] == 'mail']
        self.assertEqual(sorted(h['outcome'] for h in mails), ['sent', 'sent'], mails)


if __name__ == '__main__':
    imsstest.main()
