#!/usr/bin/python3
'''The operator's settings over D-Bus (issue 14): the Settings property,
SetSettings (all or nothing, InvalidArgs naming the setting, polkit, the bus
policy), the values stored over the file's and kept across a restart, a
password never shown, TestMail received by a real SMTP server, and the
missing-recipient notice going away as soon as recipients are set.
(The proxy set over the bus and used without a restart: test-server.py,
ProxyTest.test_proxy_set_over_the_bus_without_a_restart.)'''

import os

import imsstest
from imsstest import GLib, SmtpSink

SECRET = 'Sm7p-pa55.word'


def v(sig, value):
    return GLib.Variant(sig, value)


class SettingsTest(imsstest.ImssTestCase):
    autostart = False

    def setUp(self):
        super().setUp()
        self.smtp = SmtpSink(self)
        # the file names one recipient and no SMTP server
        self.write_config(mail={'to': 'file@example.com', 'language': 'en'})
        self.start_daemon()

    def settings(self):
        return self.get_property('Settings')

    def set(self, values, reset=()):
        return self.call('SetSettings', values, list(reset))

    def test_round_trip_and_restart(self):
        s = self.settings()
        self.assertEqual(s['mail-to'], ['file@example.com'])
        self.assertEqual(s['mail-smtp'], '')
        self.assertEqual(s['stored'], [])
        self.assertFalse(s['mail-password-set'])
        self.assertNotIn('mail-password', s)
        self.assertEqual(s['mail-language'], 'en')
        self.assertEqual(s['proxy-host'], '')
        self.assertFalse(s['sender-filter-enabled'])
        changed = self.subscribe('org.freedesktop.DBus.Properties', 'PropertiesChanged')

        self.set({'mail-to': v('as', ['ops@example.com', 'noc@example.com']),
                  'mail-smtp': v('s', f'smtp://127.0.0.1:{self.smtp.port}'),
                  'mail-user': v('s', 'imss'),
                  'mail-password': v('s', SECRET),
                  'mail-language': v('s', 'ja'),
                  'sender-filter-enabled': v('b', True)})
        s = self.settings()
        self.assertEqual(s['mail-to'], ['ops@example.com', 'noc@example.com'])
        self.assertEqual(s['mail-smtp'], f'smtp://127.0.0.1:{self.smtp.port}')
        self.assertEqual((s['mail-user'], s['mail-password-set'], s['mail-language'],
                          s['sender-filter-enabled']), ('imss', True, 'ja', True))
        self.assertEqual(sorted(s['stored']), ['mail-language', 'mail-password', 'mail-smtp',
                                               'mail-to', 'mail-user', 'sender-filter-enabled'])
        self.wait_for(lambda: any('Settings' in args[1] for _path, args in changed),
                      message='PropertiesChanged of Settings')
        # the history names what changed, never a value
        (entry,) = [h for h in self.history() if h['action'] == 'settings']
        self.assertEqual(entry['caller'], 'uid 0')
        self.assertIn('mail-password', entry['detail'])
        for where in (repr(self.history()), repr(self.settings()), self.daemon_log()):
            self.assertNotIn(SECRET, where)
            self.assertNotIn('ops@example.com', repr(self.history()))

        # kept across a restart
        self.restart_daemon()
        self.assertEqual(self.settings()['mail-to'], ['ops@example.com', 'noc@example.com'])
        self.assertTrue(self.settings()['mail-password-set'])

        # reset: the file's value again; an empty string: the default
        self.set({'mail-language': v('s', '')}, ['mail-to', 'mail-password'])
        s = self.settings()
        self.assertEqual(s['mail-to'], ['file@example.com'])
        self.assertFalse(s['mail-password-set'])
        self.assertEqual(s['mail-language'], 'ja')       # the default, not the file's en
        self.assertNotIn('mail-to', s['stored'])

    def test_bad_values_change_nothing(self):
        self.set({'mail-smtp': v('s', 'smtp://mail.example.com')})
        before = self.settings()
        snapshot = self.db_snapshot()
        for values, reset, message in (
                ({'mail-to': v('as', ['not an address'])}, [],
                 'mail-to: expected e-mail addresses separated by commas'),
                ({'proxy-port': v('u', 70000)}, [], 'proxy-port: expected'),
                ({'mail-smtp': v('s', 'http://mail.example.com')}, [],
                 'mail-smtp: expected smtp://host[:port] or smtps://host[:port]'),
                ({'mail-language': v('s', 'fr')}, [], 'mail-language: expected ja or en'),
                ({'proxy-password': v('s', 'x')}, [], 'proxy-password'),
                ({'mail-to': v('s', 'a@example.com')}, [], 'mail-to: expected a value of D-Bus type as'),
                ({'edition': v('s', 'imss')}, [], 'edition: no such setting'),
                ({'mail-from': v('s', 'ok@example.com'), 'proxy-port': v('u', 0)}, [],
                 'proxy-port'),
                ({}, ['database'], 'database: no such setting'),
                ({'mail-to': v('as', ['a@example.com\n[database]\nprovider=PostgreSQL'])}, [],
                 'mail-to'),
                ({'mail-user': v('s', 'x' * 5000)}, [], 'longer than')):
            with self.subTest(values=list(values), reset=reset):
                with self.assertRaises(GLib.Error) as ctx:
                    self.set(values, reset)
                self.assertEqual(imsstest.dbus_error_name(ctx.exception),
                                 'org.imss.License.Error.InvalidArgs')
                self.assertIn(message, imsstest.dbus_error_message(ctx.exception))
                self.assertEqual(self.settings(), before)
        self.assertEqual(self.db_snapshot(), snapshot)

    def test_unprivileged_callers_are_refused(self):
        before = self.settings()
        # the bus policy: nobody cannot call it at all
        rc, out, err = self.nobody_call('SetSettings', "@a{sv} {'mail-to': <['x@example.com']>}",
                                        '@as []')
        self.assertIn('org.freedesktop.DBus.Error.AccessDenied', err)
        rc, out, err = self.nobody_call('TestMail')
        self.assertIn('org.freedesktop.DBus.Error.AccessDenied', err)
        # but may read them, without a password
        rc, out, err = self.nobody_call_get('Settings')
        self.assertEqual(rc, 0, err)
        self.assertIn('file@example.com', out)
        # polkit says no
        self.polkit_deny_all()
        with self.assertRaises(GLib.Error) as ctx:
            self.set({'mail-to': v('as', ['x@example.com'])})
        self.assertEqual(imsstest.dbus_error_name(ctx.exception),
                         'org.imss.License.Error.NotAuthorized')
        self.assertEqual(self.settings(), before)

    def nobody_call_get(self, prop):
        return self.run_as_nobody(['gdbus', 'call', '--system', '--dest', imsstest.BUS_NAME,
                                   '--object-path', imsstest.OBJECT_PATH, '--method',
                                   'org.freedesktop.DBus.Properties.Get', imsstest.IFACE, prop])

    def test_test_mail_and_the_recipient_notice(self):
        # no SMTP server: the notice says so (once a license is there), and
        # TestMail refuses
        self.activate('antivirus', self.make_code('antivirus'))
        kinds = [n['kind'] for n in self.call('GetNotices', 'en')]
        self.assertIn('no-mail-recipients', kinds)
        with self.assertRaises(GLib.Error) as ctx:
            self.call('TestMail')
        self.assertEqual(imsstest.dbus_error_name(ctx.exception),
                         'org.imss.License.Error.InvalidArgs')
        self.assertIn('mail-smtp', imsstest.dbus_error_message(ctx.exception))
        # set it: at once, no restart
        pid = self.daemon.pid
        self.set({'mail-to': v('as', ['ops@example.com', 'noc@example.com']),
                  'mail-smtp': v('s', f'smtp://127.0.0.1:{self.smtp.port}')})
        self.assertNotIn('no-mail-recipients', [n['kind'] for n in self.call('GetNotices', 'en')])
        self.assertEqual(self.call('TestMail'), 'sent to 2 recipient(s)')
        self.wait_for(lambda: self.smtp.messages(), message='the test mail')
        (mail,) = self.smtp.messages()
        self.assertEqual(str(mail['Subject']), 'Test of the license notices')
        self.assertEqual(sorted(a.strip() for a in mail['To'].split(',')),
                         ['noc@example.com', 'ops@example.com'])
        (entry,) = [h for h in self.history() if h['action'] == 'test-mail']
        self.assertEqual((entry['outcome'], entry['detail']), ('ok', 'sent to 2 recipient(s)'))
        self.assertEqual(self.daemon.pid, pid)
        # in Japanese when the mails are
        self.set({'mail-language': v('s', 'ja')})
        self.call('TestMail')
        self.wait_for(lambda: len(self.smtp.messages()) == 2, message='the Japanese test mail')
        # (the Maildir's order within a second is not the order of arrival)
        self.assertEqual(sorted(str(m['Subject']) for m in self.smtp.messages()),
                         ['Test of the license notices', 'ライセンス通知のテスト'])
        # an SMTP server that is gone: the error says so, and the history
        self.smtp.stop()
        with self.assertRaises(GLib.Error) as ctx:
            self.call('TestMail')
        self.assertEqual(imsstest.dbus_error_name(ctx.exception),
                         'org.imss.License.Error.ServerUnreachable')
        self.assertIn('The test mail was not delivered', imsstest.dbus_error_message(ctx.exception))
        self.assertEqual([h['outcome'] for h in self.history() if h['action'] == 'test-mail'][0],
                         'failed')


if __name__ == '__main__':
    os.environ.setdefault('LANG', 'C.UTF-8')
    imsstest.main()
