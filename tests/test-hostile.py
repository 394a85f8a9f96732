#!/usr/bin/python3
'''Hostile strings from any caller (issue 15 item 1): every string argument
of every method is bounded at the bus edge. An oversized or garbage value is
answered with org.imss.License.Error.InvalidArgs naming the argument, before
polkit and before the domain; the daemon stays up, nothing is stored, and the
input is never echoed.'''

import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import imsstest  # noqa: E402
from imsstest import BUS_NAME, IFACE, OBJECT_PATH, GLib, dbus_error_message  # noqa: E402

MIB = 1 << 20

# language arguments that are no language tag (GetNotices, Diagnose)
BAD_LANGUAGES = [
    ('8 MiB', 'j' * (8 * MIB)),
    ('8 MiB of a valid shape', 'ja_' + 'A' * (8 * MIB)),
    ('300 bytes', 'a' * 300),
    ('36 bytes', 'ja_JP.' + 'U' * 30),
    ('path', '../../etc'),
    ('absolute path', '/etc/passwd'),
    ('slash', 'ja/LC_MESSAGES'),
    ('colon list', 'ja:en'),
    ('control characters', 'ja\n\t\x1b[31m'),
    ('spaces', ' ja '),
    ('format directives', '%s%s%n'),
    ('non-ASCII', '日本語'),
    ('one letter', 'j'),
    ('digits', '12'),
    ('empty modifier', 'ja@'),
    ('garbage', ''.join(chr(c) for c in range(1, 128) if c != ord('/'))),
]


class HostileTest(imsstest.ImssTestCase):
    edition = 'imsva'

    def setUp(self):
        super().setUp()
        self.code = self.make_code('antivirus')
        self.activate('antivirus', self.code)
        self.settle()

    def assertInvalidArgs(self, argument, fn, *args):
        '''fn(*args) fails with InvalidArgs whose message names @argument;
        nothing in the state directory changes; the daemon is still up.'''
        snapshot = self.db_snapshot()
        e = self.assertDBusError('InvalidArgs', fn, *args)
        message = dbus_error_message(e)
        self.assertIn(argument, message)
        self.assertLess(len(message), 300, 'the error message echoes the input')
        self.assertDaemonRunning()
        self.assertSnapshotEqual(snapshot)
        return message

    # ------------------------------------------------------------ languages

    def test_get_notices_bad_language(self):
        for what, language in BAD_LANGUAGES:
            with self.subTest(language=what):
                self.assertInvalidArgs('language', self.call, 'GetNotices', language)
        # still answering, in both languages
        self.assertTrue(self.call('GetNotices', 'en'))
        self.assertTrue(self.call('GetNotices', 'ja'))

    def test_get_notices_bad_language_as_nobody(self):
        '''GetNotices is open to every uid: nobody cannot take the daemon down.'''
        for what, language in (('8 MiB', 'j' * (8 * MIB)), ('300 bytes', 'a' * 300),
                               ('path', '../../etc')):
            with self.subTest(language=what):
                # gdbus takes the argument as GVariant text, from a file for 8 MiB
                arg = GLib.Variant('s', language).print_(False)
                if len(arg) > 100000:
                    path = self.tmp / 'language.txt'
                    path.write_text(arg)
                    os.chmod(path, 0o644)
                    rc, out, err = self.nobody_call_from_file('GetNotices', path)
                else:
                    rc, out, err = self.nobody_call('GetNotices', arg)
                self.assertNotEqual(rc, 0, out)
                self.assertIn('org.imss.License.Error.InvalidArgs', err)
                self.assertIn('language', err)
                self.assertDaemonRunning()
        rc, out, err = self.nobody_call('GetNotices', "'en'")
        self.assertEqual(rc, 0, err)
        self.assertIn('not activated', out)

    def nobody_call_from_file(self, method, path):
        '''As nobody, a call whose one string argument is read from @path
        (too large for a command line).'''
        script = ('import sys\n'
                  'from gi.repository import Gio, GLib\n'
                  'bus = Gio.bus_get_sync(Gio.BusType.SYSTEM)\n'
                  'arg = GLib.Variant.parse(None, open(sys.argv[2]).read())\n'
                  'try:\n'
                  f'    bus.call_sync("{BUS_NAME}", "{OBJECT_PATH}", "{IFACE}", sys.argv[1],\n'
                  '                  GLib.Variant.new_tuple(arg), None, 0, 120000, None)\n'
                  'except GLib.Error as e:\n'
                  '    print(e.message[:400], file=sys.stderr)\n'
                  '    sys.exit(1)\n')
        return self.run_as_nobody(['/usr/bin/python3', '-c', script, method, str(path)],
                                  timeout=300)

    def test_diagnose_bad_language(self):
        for what, language in BAD_LANGUAGES:
            with self.subTest(language=what):
                self.assertInvalidArgs('language', self.call, 'Diagnose', 'antivirus', language)
        self.assertEqual(self.call('Diagnose', 'antivirus', 'en')['slot'], 'antivirus')

    def test_good_languages(self):
        '''Real locale names and tags pass: Japanese ones give Japanese texts,
        anything without a catalogue English (the empty string too).'''
        ja = 'クラウドプレフィルタはアクティベートされていません。'
        en = 'Cloud Pre-Filter is not activated.'
        for language, expected in (('', en), ('en', en), ('en_US.UTF-8', en), ('C', en),
                                   ('ja', ja), ('JA', ja), ('ja_JP', ja), ('ja-JP', ja),
                                   ('ja_JP.UTF-8', ja), ('ja_JP.utf8', ja),
                                   ('ja_JP.UTF-8@cjknarrow', ja), ('de_DE.ISO8859-15', en),
                                   ('sr_RS@latin', en), ('es_419', en), ('zh-Hant-TW', en),
                                   ('ast_ES', en)):
            with self.subTest(language=language):
                texts = [n['text'] for n in self.call('GetNotices', language)
                         if n['slot'] == 'cloud-prefilter']
                self.assertEqual(len(texts), 1)
                self.assertTrue(texts[0].startswith(expected), texts[0])
                self.assertTrue(self.call('Diagnose', 'antivirus', language)['action'])

    # ------------------------------------------------------------ other methods

    def test_activate(self):
        '''The slot is bounded before the lookup and the code before parsing;
        within the bounds the domain's own errors stay.'''
        good = self.make_code('antivirus')
        for slot in ('x' * 33, 'antivirus' * 8, 's' * (8 * MIB)):
            with self.subTest(slot=slot[:12], length=len(slot)):
                self.assertInvalidArgs('slot', self.activate, slot, good)
        for code in ('A' * 257, good + ' ' * 220, ' ' * (8 * MIB) + good):
            with self.subTest(code_length=len(code)):
                message = self.assertInvalidArgs('code', self.activate, 'antivirus', code)
                self.assertNoCode(message, good)
        self.assertNoCode(self.daemon_log(), good, 'the daemon log')
        # at the bounds: the domain answers
        self.assertDBusError('UnknownSlot', self.activate, 'x' * 32, good)
        self.assertDBusError('InvalidCode', self.activate, 'antivirus', 'A' * 256)
        self.assertDBusError('InvalidCode', self.activate, 'antivirus', '\U0001F511' * 64)
        self.assertEqual(self.activate('antivirus', ' ' * 219 + good), imsstest.slot_path('antivirus'))

    def test_activate_is_refused_before_polkit(self):
        '''Out-of-bounds input never reaches polkit: InvalidArgs even for a
        caller polkit would refuse.'''
        self.polkit_deny_all()
        self.assertInvalidArgs('code', self.activate, 'antivirus', 'A' * 257)
        self.assertInvalidArgs('profile', self.apply_profile,
                               {'slot': 'antivirus', 'origin': 'o' * (10 * MIB)})

    def apply_profile(self, profile):
        return self.call_full(OBJECT_PATH, IFACE, 'ApplyProfile', 'a{sv}',
                              ({k: v if isinstance(v, GLib.Variant) else GLib.Variant('s', v)
                                for k, v in profile.items()},), '(s)')

    def test_apply_profile(self):
        base = {'slot': 'antivirus', 'code': self.code, 'expiry': '2031-01-01'}
        history = self.history()
        cases = [
            ('origin', dict(base, origin='o' * (10 * MIB))),
            ('origin', dict(base, origin='o' * 257)),
            ('origin', dict(base, origin='cm.example\nforged log line')),
            ('origin', dict(base, origin='cm\x1b[2Jexample')),
            ('origin', dict(base, origin='cm\u202eelpmaxe')),     # bidi override
            ('origin', dict(base, origin='cm\u2028example')),     # line separator
            ('code', dict(base, code=self.code + ' ' * 220)),
            ('slot', dict(base, slot='s' * 33)),
            ('expiry', dict(base, expiry='2031-01-01T00:00:00')),
            ('issued', dict(base, issued='2020-01-01' * 100)),
            ('profile', dict(base, **{f'extra{i}': 'x' for i in range(14)})),
            ('profile', dict(base, **{'k' * 33: 'x'})),
            ('profile', dict(base, **{'bad key': 'x'})),
            ('comment', dict(base, comment='c' * 257)),
            ('blob', dict(base, blob=GLib.Variant('ay', b'\0' * MIB))),
        ]
        for argument, profile in cases:
            with self.subTest(argument=argument, keys=len(profile)):
                message = self.assertInvalidArgs(argument, self.apply_profile, profile)
                self.assertNoCode(message, self.code)
        # nothing was recorded: no deployment, no history entry
        self.assertEqual(self.history(), history)
        self.assertEqual(self.get_property('LastProfileDeployment'), '')
        # within the bounds the profile applies, unknown small fields ignored
        ok = dict(base, origin='Control Manager (cm.example) 日本', comment='c' * 256,
                  **{f'extra{i}': 'x' for i in range(11)})
        self.assertEqual(len(ok), 16)
        self.assertEqual(self.apply_profile(ok), 'extended')

    def test_diagnose_slot(self):
        self.assertInvalidArgs('slot', self.call, 'Diagnose', 'x' * 33, 'en')
        self.assertInvalidArgs('slot', self.call, 'Diagnose', 'x' * (8 * MIB), 'en')
        self.assertDBusError('UnknownSlot', self.call, 'Diagnose', 'x' * 32, 'en')


class HostileVirtualClockTest(imsstest.VirtualClockMixin, imsstest.ImssTestCase):
    autostart = False

    def test_set_time(self):
        self.start_daemon(['--virtual-clock=2026-01-01T09:00:00'])
        for time in ('2026-01-02T00:00:00' + '0' * 50, 't' * (8 * MIB)):
            with self.subTest(length=len(time)):
                e = self.assertDBusError('InvalidArgs', self.set_time, time)
                self.assertIn('time', dbus_error_message(e))
                self.assertLess(len(e.message), 300)
        self.assertDaemonRunning()
        self.set_time('2026-01-02T00:00:00')
        self.assertTrue(self.now().startswith('2026-01-02T00:00:00'))


if __name__ == '__main__':
    imsstest.main()
