#!/usr/bin/python3
'''imss-notifier, the desktop notifier, end to end: imss-licensed on its
virtual clock on a private system bus (imsstest.ImssTestCase), and
python-dbusmock's notification_daemon on a private session bus that has no
service directories (so nothing real is ever activated). What the notifier
showed is read back from the mock (GetMethodCalls Notify).

Covered: the SPEC §9 texts in English and Japanese, urgency and icon rising
with the phase, one notification per slot replaced in place, the current
notices at start (never the inactive ones) and only once, a restart of the
daemon, a notification server that appears late, the "Show license status"
action (DetailsUrl in the default browser, or imss-licensectl status in a
terminal), --once, and a clean exit on SIGTERM.

The notifier is IMSS_NOTIFIER (meson sets it), else the build tree's
client/notifier/imss-notifier. With IMSS_VALGRIND=1 (meson test --setup
valgrind: the daemon too) or IMSS_NOTIFIER_VALGRIND=1 (the notifier only) it
runs under valgrind memcheck and the test fails on any error valgrind
reports, leaks included.'''

import datetime
import json
import os
import re
import signal
import subprocess
import tempfile
import time
import unittest
from pathlib import Path

import imsstest
from imsstest import Gio, GLib, OBJECT_PATH

VCLOCK = 'org.imss.License.VirtualClock'
NOTIFY_NAME = 'org.freedesktop.Notifications'
NOTIFY_PATH = '/org/freedesktop/Notifications'
MOCK_IFACE = 'org.freedesktop.DBus.Mock'

AV_EN = 'Antivirus and Content Filter'
AV_JA = 'ウイルス対策およびコンテンツフィルタ'
AS_EN = 'Anti-spam (Content Scanning)'

# E and the days around it (virtual, Asia/Tokyo)
START = '2030-01-01T09:00:00'
E = datetime.date(2030, 3, 15)
G = E + datetime.timedelta(days=90)


def day(offset):
    '''E + offset days, 01:00 local: past that day's 00:00 events.'''
    return f'{E + datetime.timedelta(days=offset)}T01:00:00'


# SPEC §9.1 console texts and §9.2 mail subjects
def en_expiring(n, name=AV_EN):
    return (f'The support contract for {name} ends in {n} days. To maintain protection and '
            'update product components, you must renew the contract.')


def en_expired(m, name=AV_EN):
    return (f'The support contract for {name} ended on {E}. The renewal grace period after the '
            f'end of the support contract is {m} days. To keep security up to date, you must '
            'renew the contract.')


def en_updates_ended(name=AV_EN):
    return (f'Product updates for {name} ended on {G}. The support contract ended on {E} and '
            f'the renewal grace period ended on {G}. To maintain protection and update product '
            'components, you must renew the contract.')


def ja_expiring(n):
    return (f'{AV_JA}のサポート契約はあと{n}日で終了します。保護を維持して製品コンポーネントを'
            'アップデートするには、契約を更新する必要があります。')


def ja_expired(m):
    return (f'{AV_JA}のサポート契約は{E}に終了しました。サポート契約終了後の更新猶予期間は'
            f'{m}日です。セキュリティ対策を最新に保つには、契約を更新する必要があります。')


def ja_updates_ended():
    return (f'{AV_JA}の製品アップデートは{G}に終了しました。サポート契約は{E}に終了し、'
            f'更新猶予期間は{G}に終了しました。保護を維持して製品コンポーネントを'
            'アップデートするには、契約を更新する必要があります。')


SESSION_BUS_CONF = '''<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN"
 "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig>
  <type>session</type>
  <listen>unix:dir={dir}</listen>
  <auth>EXTERNAL</auth>
  <!-- no servicedir: no notification server (or anything else) is activated -->
  <policy context="default">
    <allow send_destination="*" eavesdrop="true"/>
    <allow eavesdrop="true"/>
    <allow own="*"/>
  </policy>
</busconfig>
'''


class Notify:
    '''One recorded Notify call.'''

    def __init__(self, args):
        (self.app_name, self.replaces_id, self.app_icon, self.summary, self.body,
         self.actions, self.hints, self.timeout) = args

    @property
    def slot(self):
        return self.hints.get('x-imss-slot')

    @property
    def kind(self):
        return self.hints.get('x-imss-kind')

    @property
    def urgency(self):
        return self.hints.get('urgency')

    @property
    def icon(self):
        return (self.app_icon or self.hints.get('image-path') or self.hints.get('image_path')
                or self.hints.get('icon_data'))

    def __repr__(self):
        return (f'Notify({self.app_name!r}, {self.replaces_id}, {self.icon!r}, {self.summary!r}, '
                f'{self.body!r}, urgency={self.urgency}, slot={self.slot}, kind={self.kind})')


class NotifierTestCase(imsstest.ImssTestCase):
    autostart = False
    language = None          # LANGUAGE of the notifier (None: English)
    server_caps = None       # capabilities of the mock (None: the template's)
    start_server = True      # start the notification mock in setUp

    def setUp(self):
        os.environ['TZ'] = 'Asia/Tokyo'
        self.addCleanup(os.environ.pop, 'TZ', None)
        super().setUp()
        self.notifier_valgrind = self.valgrind or os.environ.get('IMSS_NOTIFIER_VALGRIND', '') not in ('', '0')
        self.slow = 120 if self.notifier_valgrind else 15
        self.notifier_path = imsstest.find_program('IMSS_NOTIFIER', 'client/notifier/imss-notifier')
        self.notifier = None
        self.notifier_log = self.tmp / 'notifier.log'
        self.notifier_log.touch()
        self.notification_server = None
        self._start_session_bus()
        self._fake_desktop()
        if self.start_server:
            self.start_notification_server()
        self.start_daemon([f'--virtual-clock={START}'])

    # ------------------------------------------------------------ session bus

    def _start_session_bus(self):
        sdir = Path(tempfile.mkdtemp(prefix='session.', dir=self.tmp))
        conf = self.tmp / 'session-bus.conf'
        conf.write_text(SESSION_BUS_CONF.format(dir=sdir))
        log = open(self.tmp / 'session-bus.log', 'wb')
        self.addCleanup(log.close)
        self.session_proc = subprocess.Popen(
            ['dbus-daemon', '--config-file=' + str(conf), '--nofork', '--print-address=1'],
            stdout=subprocess.PIPE, stderr=log, stdin=subprocess.DEVNULL)
        self.addCleanup(self._stop_session_bus)
        address = self.session_proc.stdout.readline().decode().strip()
        if not address:
            self.fail('the private session bus did not start')
        self.session_address = address
        old = os.environ.get('DBUS_SESSION_BUS_ADDRESS')
        os.environ['DBUS_SESSION_BUS_ADDRESS'] = address

        def restore():
            if old is None:
                os.environ.pop('DBUS_SESSION_BUS_ADDRESS', None)
            else:
                os.environ['DBUS_SESSION_BUS_ADDRESS'] = old
        self.addCleanup(restore)
        self.session = Gio.DBusConnection.new_for_address_sync(
            address,
            Gio.DBusConnectionFlags.AUTHENTICATION_CLIENT
            | Gio.DBusConnectionFlags.MESSAGE_BUS_CONNECTION,
            None, None)
        self.session.set_exit_on_close(False)
        self.addCleanup(self.session.close_sync, None)

    def _stop_session_bus(self):
        self._stop_process(self.session_proc)
        self.session_proc.stdout.close()

    def start_notification_server(self, caps=None):
        '''python-dbusmock's notification_daemon on the session bus.'''
        caps = caps if caps is not None else self.server_caps
        params = {'capabilities': ' '.join(caps)} if caps else {}
        log = open(self.tmp / 'notification-server.log', 'ab')
        self.addCleanup(log.close)
        (proc, _obj) = self.spawn_server_template('notification_daemon', params, stdout=log,
                                                  system_bus=False)
        self.addCleanup(self._stop_process, proc)
        self.notification_server = proc

    def _mock(self, method, signature=None, args=()):
        return self.session.call_sync(NOTIFY_NAME, NOTIFY_PATH, MOCK_IFACE, method,
                                      GLib.Variant(signature, args) if signature else None, None,
                                      Gio.DBusCallFlags.NO_AUTO_START, 10000, None).unpack()

    def shown(self):
        '''Every Notify call the mock received, oldest first.'''
        if self.notification_server is None:
            return []
        return [Notify(args) for _ts, args in self._mock('GetMethodCalls', '(s)', ('Notify',))[0]]

    def wait_shown(self, n, message=None):
        '''Waits until the mock has at least n Notify calls; returns them all.'''
        self.wait_for(lambda: len(self.shown()) >= n,
                      message=message or f'{n} notifications')
        return self.shown()

    def emit_action(self, notification_id, action):
        self._mock('EmitSignal', '(sssav)',
                   (NOTIFY_NAME, 'ActionInvoked', 'us',
                    [GLib.Variant('u', notification_id), GLib.Variant('s', action)]))

    # ---------------------------------------------------------- desktop fakes

    def _fake_desktop(self):
        '''A private XDG environment: a "browser" for http(s) and an
        x-terminal-emulator on PATH, both recording their arguments.'''
        self.fake_bin = self.tmp / 'bin'
        self.fake_bin.mkdir()
        self.browser_log = self.tmp / 'browser.log'
        self.terminal_log = self.tmp / 'terminal.log'
        for name, log in (('fake-browser', self.browser_log),
                          ('x-terminal-emulator', self.terminal_log)):
            script = self.fake_bin / name
            script.write_text('#!/bin/sh\nfor a in "$@"; do printf "%s\\n" "$a"; done >>'
                              f' "{log}"\n')
            script.chmod(0o755)
        apps = self.tmp / 'xdg-data' / 'applications'
        apps.mkdir(parents=True)
        (apps / 'imss-test-browser.desktop').write_text(
            '[Desktop Entry]\nType=Application\nName=Test browser\n'
            f'Exec={self.fake_bin / "fake-browser"} %u\n'
            'MimeType=x-scheme-handler/http;x-scheme-handler/https;\n')
        config = self.tmp / 'xdg-config'
        config.mkdir(exist_ok=True)
        (config / 'mimeapps.list').write_text(
            '[Default Applications]\nx-scheme-handler/http=imss-test-browser.desktop\n'
            'x-scheme-handler/https=imss-test-browser.desktop\n')
        (self.tmp / 'xdg-empty').mkdir()

    # --------------------------------------------------------------- notifier

    def notifier_env(self, language=None, extra=None):
        env = dict(os.environ)
        for var in ('LANGUAGE', 'LC_ALL', 'LC_MESSAGES', 'LC_CTYPE', 'DISPLAY', 'WAYLAND_DISPLAY'):
            env.pop(var, None)
        env['LANG'] = 'C.UTF-8'
        language = language if language is not None else self.language
        if language:
            env['LANGUAGE'] = language
        env['DBUS_SYSTEM_BUS_ADDRESS'] = self.bus_address
        env['DBUS_SESSION_BUS_ADDRESS'] = self.session_address
        env.setdefault('IMSS_LOCALEDIR', str(self._default_localedir()))
        env['IMSS_LICENSECTL'] = imsstest.find_program('IMSS_LICENSECTL', 'client/imss-licensectl')
        env['PATH'] = f'{self.fake_bin}:{env.get("PATH", "/usr/bin:/bin")}'
        env['XDG_DATA_HOME'] = str(self.tmp / 'xdg-data')
        env['XDG_DATA_DIRS'] = str(self.tmp / 'xdg-empty')
        env['XDG_CONFIG_HOME'] = str(self.tmp / 'xdg-config')
        env['XDG_CONFIG_DIRS'] = str(self.tmp / 'xdg-empty')
        env['XDG_CACHE_HOME'] = str(self.tmp / 'xdg-cache')
        env['G_DEBUG'] = 'fatal-criticals'
        env['GIO_USE_VFS'] = 'local'
        if self.notifier_valgrind:
            env['G_SLICE'] = 'always-malloc'
        if extra:
            env.update(extra)
        return env

    def notifier_argv(self, *args):
        argv = [self.notifier_path] + list(args)
        if self.notifier_valgrind:
            # the notifier forks for the browser and the terminal: only the
            # notifier itself is checked
            vg = self._valgrind_cmd()
            argv = vg[:1] + ['--child-silent-after-fork=yes'] + vg[1:] + argv
        return argv

    def notifier_output(self):
        return self.notifier_log.read_bytes().decode('utf-8', 'replace')

    def start_notifier(self, language=None, wait='read the current notices'):
        '''Starts imss-notifier --verbose; waits until it has read the current
        notices (its subscriptions are then in place), or for `wait`.'''
        assert self.notifier is None
        self._notifier_log_offset = self.notifier_log.stat().st_size
        with open(self.notifier_log, 'ab') as log:
            self.notifier = subprocess.Popen(self.notifier_argv('--verbose'), stdout=log,
                                             stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                                             env=self.notifier_env(language))
        self.addCleanup(self._cleanup_notifier, self.notifier)
        if wait:
            self.wait_log(wait)
        return self.notifier

    def wait_log(self, text, count=1):
        self.wait_for(lambda: (self.assertNotifierRunning()
                               or self.notifier_output()[self._notifier_log_offset:].count(text)
                               >= count),
                      timeout=self.slow,
                      message=f'"{text}" in the notifier log:\n' + self.notifier_output())

    def assertNotifierRunning(self):
        self.assertIsNotNone(self.notifier)
        self.assertIsNone(self.notifier.poll(), 'imss-notifier died:\n' + self.notifier_output())

    def stop_notifier(self):
        '''SIGTERM: the notifier exits with 0 (and, under valgrind, no errors).'''
        proc = self.notifier
        self.notifier = None
        self.assertIsNone(proc.poll(), 'imss-notifier died:\n' + self.notifier_output())
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=self.slow)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
            self.fail('imss-notifier did not exit on SIGTERM:\n' + self.notifier_output())
        self.assertEqual(proc.returncode, 0, 'imss-notifier exit status:\n' + self.notifier_output())
        self.check_valgrind_output(self.notifier_output()[self._notifier_log_offset:])

    def _cleanup_notifier(self, proc):
        if self.notifier is proc:
            self.stop_notifier()

    def check_valgrind_output(self, text):
        if not self.notifier_valgrind:
            return
        summaries = re.findall(r'ERROR SUMMARY: ([0-9,]+) errors', text)
        self.assertTrue(summaries, 'valgrind printed no ERROR SUMMARY:\n' + text[-20000:])
        if any(int(n.replace(',', '')) != 0 for n in summaries):
            self.fail('valgrind reported errors in imss-notifier:\n' + text[-60000:])

    def run_notifier_once(self, language=None):
        '''imss-notifier --once; returns (rc, output).'''
        proc = subprocess.run(self.notifier_argv('--once'), capture_output=True,
                              env=self.notifier_env(language),
                              timeout=300 if self.notifier_valgrind else 60)
        out = (proc.stdout + proc.stderr).decode('utf-8', 'replace')
        self.check_valgrind_output(out)
        return proc.returncode, out

    # ------------------------------------------------------------- the daemon

    def advance_to(self, iso):
        now = GLib.DateTime.new_from_iso8601(self.get_property('Now', interface=VCLOCK), None).to_unix()
        then = GLib.DateTime.new_from_iso8601(iso, GLib.TimeZone.new_local()).to_unix()
        self.assertGreaterEqual(then, now)
        return self.call_full(OBJECT_PATH, VCLOCK, 'Advance', args=(then - now,))

    def activate_av(self, expiry=E):
        self.activate('antivirus', self.make_code('antivirus', expiry=expiry))

    def wait_for(self, predicate, timeout=None, message='condition'):
        return super().wait_for(predicate, timeout or self.slow, message)

    def quiet(self, seconds=None):
        '''Lets the notifier handle what is in flight.'''
        time.sleep(seconds if seconds is not None else (2.0 if self.notifier_valgrind else 0.5))

    def assertNotice(self, n, summary, body, urgency, icon, kind, slot='antivirus'):
        self.assertEqual(n.app_name, 'imss-notifier', n)
        self.assertEqual(n.summary, summary, n)
        self.assertEqual(n.body, body, n)
        self.assertEqual(n.urgency, urgency, n)
        self.assertEqual(n.icon, icon, n)
        self.assertEqual(n.kind, kind, n)
        self.assertEqual(n.slot, slot, n)


class EnglishTest(NotifierTestCase):
    def test_phases(self):
        '''E-60, E-15 … E-1, E, G: the SPEC texts, urgency rising with the
        phase, one notification replaced in place.'''
        self.start_notifier()
        # nothing activated: GetNotices has only inactive-component notices,
        # which the notifier never shows
        self.assertTrue([n for n in self.call('GetNotices', 'en') if n['kind'] == 'inactive'])
        self.quiet()
        self.assertEqual(self.shown(), [])

        self.activate_av()
        first = self.wait_shown(1)[0]
        self.assertEqual(first.summary, f'{AV_EN}: license activated')
        self.assertEqual(first.body, f'The license expires on {E}.')
        self.assertEqual(first.urgency, 0)
        self.assertEqual(first.replaces_id, 0)
        self.quiet()
        self.assertEqual(len(self.shown()), 1)
        nid = 1  # the mock numbers from 1

        self.advance_to(day(-60))
        n = self.wait_shown(2)[-1]
        self.assertNotice(n, f'{AV_EN}: license expires in 60 days', en_expiring(60), 0,
                          'dialog-information', 'expiring')
        self.assertEqual(n.replaces_id, nid)

        self.advance_to(day(-15))
        n = self.wait_shown(3)[-1]
        self.assertNotice(n, f'The {AV_EN} license expires in 15 days', en_expiring(15), 1,
                          'dialog-warning', 'expiring')

        # E-14 … E-1 day by day in one step, then E
        self.advance_to(day(0))
        shown = self.wait_shown(3 + 15)
        self.assertEqual([x.summary for x in shown[3:17]],
                         [f'The {AV_EN} license expires in {d} days' for d in range(14, 0, -1)])
        self.assertEqual(shown[16].body, en_expiring(1))
        self.assertNotice(shown[17], f'The {AV_EN} license expired 0 days ago', en_expired(90), 1,
                          'dialog-warning', 'expired')

        self.advance_to(day(90))
        shown = self.wait_shown(18 + 90)
        self.assertNotice(shown[-2], f'The {AV_EN} license expired 89 days ago', en_expired(1), 1,
                          'dialog-warning', 'expired')
        self.assertNotice(shown[-1], f'The {AV_EN} license expired 90 days ago', en_updates_ended(),
                          2, 'dialog-error', 'updates-ended')

        # after G: no more daily notices
        self.advance_to(day(95))
        self.quiet()
        shown = self.shown()
        self.assertEqual(len(shown), 108, shown[-3:])

        # one notification for the slot, replaced in place; urgency never falls
        self.assertEqual({x.replaces_id for x in shown[1:]}, {nid})
        self.assertEqual({x.app_name for x in shown}, {'imss-notifier'})
        self.assertEqual({x.slot for x in shown}, {'antivirus'})
        urgencies = [x.urgency for x in shown[1:]]
        self.assertEqual(urgencies, sorted(urgencies))
        self.assertEqual(sorted(set(urgencies)), [0, 1, 2])
        # the mock has no "actions" capability: no action offered
        self.assertEqual({tuple(x.actions) for x in shown}, {()})

    def test_current_notices_at_start_once_and_per_slot(self):
        '''At start the current expiry notices (never the inactive ones);
        a notifier restart shows them again, a daemon restart does not;
        one notification per slot.'''
        self.activate_av()
        self.activate('antispam', self.make_code('antispam', expiry=E + datetime.timedelta(days=200)))
        self.advance_to(day(-10))
        self.start_notifier()
        shown = self.wait_shown(1)
        self.quiet()
        shown = self.shown()
        self.assertEqual(len(shown), 1, shown)
        self.assertNotice(shown[0], f'The {AV_EN} license expires in 10 days', en_expiring(10), 1,
                          'dialog-warning', 'expiring')

        # the daemon restarts on the same day: nothing new to show
        self.stop_daemon()
        self.wait_log('went away; waiting for it to come back')
        self.start_daemon([f'--virtual-clock={E - datetime.timedelta(days=10)}T02:00:00'])
        self.wait_log('read the current notices', count=2)
        self.quiet()
        self.assertEqual(len(self.shown()), 1)
        self.assertNotifierRunning()

        # … and the next notice still arrives, in the same notification
        self.advance_to(day(-9))
        n = self.wait_shown(2)[-1]
        self.assertNotice(n, f'The {AV_EN} license expires in 9 days', en_expiring(9), 1,
                          'dialog-warning', 'expiring')
        self.assertEqual(n.replaces_id, 1)

        # another slot gets a notification of its own (anti-spam expires
        # 200 days after antivirus: its E-60 notice comes 140 days after E)
        self.advance_to(day(140))
        # antivirus: E-8 … G (99 days); anti-spam and email-reputation: E-60
        shown = self.wait_shown(2 + 99 + 2)
        by_slot = {}
        for x in shown:
            by_slot.setdefault(x.slot, []).append(x)
        self.assertEqual(sorted(by_slot), ['antispam', 'antivirus', 'email-reputation'])
        for slot, name in (('antispam', AS_EN),):
            n = by_slot[slot][-1]
            self.assertNotice(n, f'{name}: license expires in 60 days', en_expiring(60, name), 0,
                              'dialog-information', 'expiring', slot=slot)
            self.assertEqual(n.replaces_id, 0)
        ids = {by_slot['antispam'][-1].replaces_id, by_slot['email-reputation'][-1].replaces_id}
        self.assertEqual(ids, {0})
        self.assertEqual({x.replaces_id for x in by_slot['antivirus'][1:]}, {1})
        self.quiet()
        self.assertEqual(len(self.shown()), 2 + 99 + 2, [(x.slot, x.summary) for x in self.shown() if x.slot != "antivirus" or "expire" not in x.summary])

        # a restarted notifier shows what applies now, once
        self.stop_notifier()
        self._mock('ClearCalls')
        self.start_notifier()
        self.quiet()
        shown = self.shown()
        self.assertEqual(sorted((x.slot, x.kind) for x in shown),
                         [('antispam', 'expiring'), ('antivirus', 'updates-ended'),
                          ('email-reputation', 'expiring')])
        self.assertEqual({x.replaces_id for x in shown}, {0})
        # past the mail period: the notifier's own title
        av = [x for x in shown if x.slot == 'antivirus'][0]
        self.assertNotice(av, f'{AV_EN}: product updates ended on {G}', en_updates_ended(), 2,
                          'dialog-error', 'updates-ended')

    def test_renewal_replaces_the_warning(self):
        self.start_notifier()
        self.activate_av()
        self.advance_to(day(-15))                    # E-60 and E-15
        self.wait_shown(3)
        self.activate_av(expiry=E + datetime.timedelta(days=365))
        renewed = E + datetime.timedelta(days=365)
        self.wait_for(lambda: self.shown()[-1].kind == 'license-changed',
                      message='the license change notification')
        self.quiet()
        n = self.shown()[-1]
        self.assertEqual(n.summary, f'{AV_EN}: license activated')
        self.assertEqual(n.body, f'The license expires on {renewed}.')
        self.assertEqual(n.replaces_id, 1)
        self.assertEqual(n.urgency, 0)
        self.assertEqual(n.icon, 'dialog-information')
        self.assertEqual(self._mock('GetMethodCalls', '(s)', ('CloseNotification',))[0], [])

    def test_notice_withdrawn_when_it_no_longer_applies(self):
        '''The clock set back before E-60: the slot is active again and its
        expiry notice is closed.'''
        self.start_notifier()
        self.activate_av()
        self.advance_to(day(-15))
        self.wait_shown(3)
        self.call_full(OBJECT_PATH, VCLOCK, 'SetTime', args=(START,))
        self.wait_for(lambda: self._mock('GetMethodCalls', '(s)', ('CloseNotification',))[0],
                      message='CloseNotification')
        closed = [args for _ts, args in
                  self._mock('GetMethodCalls', '(s)', ('CloseNotification',))[0]]
        self.assertEqual(closed, [[1]])
        self.assertEqual(len(self.shown()), 3)


class JapaneseTest(NotifierTestCase):
    language = 'ja'

    def test_phases_in_japanese(self):
        self.start_notifier()
        self.activate_av()
        self.wait_shown(1)
        self.advance_to(day(-15))                    # E-60 and E-15
        n = self.wait_shown(3)[-1]
        self.assertNotice(n, f'{AV_JA}のライセンスの有効期限はあと15日で終了します', ja_expiring(15), 1,
                          'dialog-warning', 'expiring')
        self.advance_to(day(0))
        n = self.wait_shown(3 + 15)[-1]
        self.assertNotice(n, f'{AV_JA}のライセンスの有効期限は0日前に終了しています', ja_expired(90), 1,
                          'dialog-warning', 'expired')
        self.advance_to(day(90))
        n = self.wait_shown(3 + 15 + 90)[-1]
        self.assertNotice(n, f'{AV_JA}のライセンスの有効期限は90日前に終了しています',
                          ja_updates_ended(), 2, 'dialog-error', 'updates-ended')
        self.assertEqual({x.replaces_id for x in self.shown()[1:]}, {1})

    def test_once_in_japanese(self):
        self.activate_av()
        self.advance_to(day(-3))
        rc, out = self.run_notifier_once()
        self.assertEqual(rc, 0, out)
        shown = self.shown()
        self.assertEqual(len(shown), 1, shown)
        self.assertNotice(shown[0], f'{AV_JA}のライセンスの有効期限はあと3日で終了します', ja_expiring(3), 1,
                          'dialog-warning', 'expiring')


class LateServerTest(NotifierTestCase):
    start_server = False

    def test_no_notification_server_at_first(self):
        '''No notification server: logged once, the notifier keeps running
        and shows the next notice once a server is there.'''
        self.start_notifier()
        self.activate_av()
        self.advance_to(day(-60))
        self.wait_log('cannot show notifications')
        self.quiet()
        self.assertEqual(self.notifier_output().count('WARNING'), 1, self.notifier_output())
        self.assertIn('WARNING **: ', self.notifier_output())
        self.assertIn('cannot show notifications: ', self.notifier_output())
        self.assertNotifierRunning()
        rc, out = self.run_notifier_once()
        self.assertEqual(rc, 1, out)
        self.assertIn('cannot show notifications', out)

        self.start_notification_server()
        self.advance_to(day(-15))
        n = self.wait_shown(1)[-1]
        self.assertNotice(n, f'The {AV_EN} license expires in 15 days', en_expiring(15), 1,
                          'dialog-warning', 'expiring')
        self.wait_log('notifications are shown again')
        self.assertNotifierRunning()


class ActionTest(NotifierTestCase):
    server_caps = ['actions', 'body', 'body-markup', 'icon-static', 'persistence']

    def test_show_license_status(self):
        self.start_notifier()
        self.activate_av()
        self.advance_to(day(-15))                    # E-60 and E-15
        n = self.wait_shown(3)[-1]
        self.assertEqual(n.summary, f'The {AV_EN} license expires in 15 days')
        self.assertEqual(list(n.actions), ['details', 'Show license status'])
        url = self.slot_props('antivirus')['DetailsUrl']
        self.assertTrue(url)
        # the license server's page in the default browser
        self.emit_action(1, 'details')
        self.wait_for(lambda: self.browser_log.exists(), message='the browser')
        self.quiet()
        self.assertEqual(self.browser_log.read_text().splitlines(), [url])
        self.assertFalse(self.terminal_log.exists())
        # without the daemon there is no address: the status in a terminal
        self.stop_daemon()
        self.emit_action(1, 'details')
        self.wait_for(lambda: self.terminal_log.exists(), message='the terminal')
        self.quiet()
        argv = self.terminal_log.read_text().splitlines()
        self.assertEqual(argv[:3], ['-e', 'sh', '-c'])
        self.assertIn('"$1" status', argv[3])
        self.assertEqual(argv[5], imsstest.find_program('IMSS_LICENSECTL', 'client/imss-licensectl'))
        self.assertEqual(argv[6], 'Press Enter to close this window.')
        self.assertNotifierRunning()

    def test_japanese_action_label(self):
        self.start_notifier(language='ja')
        self.activate_av()
        n = self.wait_shown(1)[-1]
        self.assertEqual(list(n.actions), ['details', 'ライセンスの状態を表示'])


class OptionsTest(NotifierTestCase):
    def test_version_and_bad_arguments(self):
        proc = subprocess.run([self.notifier_path, '--version'], capture_output=True, text=True,
                              env=self.notifier_env())
        self.assertEqual(proc.returncode, 0)
        self.assertRegex(proc.stdout, r'^imss-notifier \d+\.\d+')
        proc = subprocess.run([self.notifier_path, 'extra'], capture_output=True, text=True,
                              env=self.notifier_env())
        self.assertEqual(proc.returncode, 2)

    def test_once_without_daemon(self):
        self.stop_daemon()
        rc, out = self.run_notifier_once()
        self.assertEqual(rc, 1)
        self.assertIn('The license service (imss-licensed) is not running.', out)
        self.assertEqual(self.shown(), [])

    def test_started_before_the_daemon(self):
        self.stop_daemon()
        self.start_notifier(wait='is not running; waiting for it')
        self.start_daemon([f'--virtual-clock={START}'])
        self.wait_log('read the current notices')
        self.activate_av()
        self.advance_to(day(-60))
        n = self.wait_shown(2)[-1]
        self.assertEqual(n.summary, f'{AV_EN}: license expires in 60 days')


class MonitorTest(imsstest.ImssTestCase):
    '''imss-licensectl monitor: the same signals as text or JSON lines.'''
    autostart = False

    def setUp(self):
        os.environ['TZ'] = 'Asia/Tokyo'
        self.addCleanup(os.environ.pop, 'TZ', None)
        super().setUp()

    def start_monitor(self, *args, language=None):
        env = dict(os.environ)
        for var in ('LANGUAGE', 'LC_ALL', 'LC_MESSAGES'):
            env.pop(var, None)
        env['LANG'] = 'C.UTF-8'
        if language:
            env['LANGUAGE'] = language
        env['DBUS_SYSTEM_BUS_ADDRESS'] = self.bus_address
        env.setdefault('IMSS_LOCALEDIR', str(self._default_localedir()))
        out = open(self.tmp / f'monitor{len(args)}{language}.out', 'w+b')
        err = open(self.tmp / f'monitor{len(args)}{language}.err', 'w+b')
        self.addCleanup(out.close)
        self.addCleanup(err.close)
        ctl = imsstest.find_program('IMSS_LICENSECTL', 'client/imss-licensectl')
        proc = subprocess.Popen([ctl, 'monitor'] + list(args), stdout=out, stderr=err,
                                stdin=subprocess.DEVNULL, env=env)
        self.addCleanup(self._stop_process, proc)
        return proc, out, err

    @staticmethod
    def read(f):
        f.flush()
        return Path(f.name).read_bytes().decode('utf-8')

    def test_monitor_text_and_json(self):
        text, text_out, text_err = self.start_monitor()
        ja, ja_out, _ = self.start_monitor(language='ja')
        js, js_out, _ = self.start_monitor('--json')
        # started before the daemon: it says so and waits
        self.wait_for(lambda: 'not running' in self.read(text_err), message='the waiting line')
        self.start_daemon([f'--virtual-clock={START}'])
        self.wait_for(lambda: 'has started' in self.read(text_err), message='the started line')
        code = self.make_code('antivirus', expiry=E)
        self.activate('antivirus', code)
        now = GLib.DateTime.new_from_iso8601(self.get_property('Now', interface=VCLOCK), None)
        then = GLib.DateTime.new_from_iso8601(day(-15), GLib.TimeZone.new_local())
        self.call_full(OBJECT_PATH, VCLOCK, 'Advance', args=(then.to_unix() - now.to_unix(),))
        self.wait_for(lambda: 'ends in 15 days' in self.read(text_out), message='the E-15 line')
        self.wait_for(lambda: 'あと15日' in self.read(ja_out), message='the Japanese E-15 line')
        self.wait_for(lambda: '"days_left":15' in self.read(js_out), message='the E-15 object')
        for proc, sig in ((text, signal.SIGINT), (ja, signal.SIGTERM), (js, signal.SIGTERM)):
            proc.send_signal(sig)
            self.assertEqual(proc.wait(timeout=10), 0)

        lines = self.read(text_out).splitlines()
        stamp = r'^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d[+-]\d\d:\d\d antivirus: '
        for line in lines:
            self.assertRegex(line, stamp)
        texts = [re.sub(stamp, '', line) for line in lines]
        self.assertIn(f'The license was activated. It expires on {E}.', texts)
        self.assertIn('The license state changed from “active” to “expiring”.', texts)
        self.assertIn(en_expiring(60), texts)
        self.assertIn(en_expiring(15), texts)
        self.assertIn(ja_expiring(15), [re.sub(stamp, '', x) for x in self.read(ja_out).splitlines()])

        objects = [json.loads(x) for x in self.read(js_out).splitlines()]
        self.assertEqual({o['signal'] for o in objects},
                         {'StateChanged', 'UpdatesAllowedChanged', 'LicenseChanged', 'Notice'})
        for o in objects:
            self.assertEqual(sorted(o), ['fields', 'kind', 'signal', 'slot', 'text', 'time'])
            self.assertEqual(o['slot'], 'antivirus')
        e15 = [o for o in objects if o['signal'] == 'Notice' and o['fields']['days_left'] == 15][0]
        self.assertEqual(e15['kind'], 'expiring')
        self.assertEqual(e15['text'], en_expiring(15))
        self.assertTrue(e15['fields']['mail'])
        lic = [o for o in objects if o['signal'] == 'LicenseChanged'][0]
        self.assertEqual(lic['kind'], 'activated')
        self.assertEqual(lic['fields']['expiry'], str(E))
        self.assertNotIn('code', lic['fields'])
        # never a code, not even masked
        for out in (self.read(text_out), self.read(ja_out), self.read(js_out)):
            self.assertNoCode(out, code, 'the monitor output')
            self.assertNotIn('****', out)

    def test_monitor_follows_a_restart(self):
        '''The monitor outlives the daemon: it says when the service stops
        and comes back, and prints the events of the new run as of the old.'''
        text, text_out, text_err = self.start_monitor()
        js, js_out, _ = self.start_monitor('--json')
        self.start_daemon([f'--virtual-clock={START}'])
        self.wait_for(lambda: 'has started' in self.read(text_err), message='the started line')
        self.activate('antivirus', self.make_code('antivirus', expiry=E))
        self.wait_for(lambda: 'antivirus: The license was activated' in self.read(text_out),
                      message="the first run's activation")
        self.stop_daemon()
        self.wait_for(lambda: 'stopped; waiting' in self.read(text_err), message='the stopped line')
        self.start_daemon([f'--virtual-clock={START}'])
        self.wait_for(lambda: 'running again' in self.read(text_err), message='the running-again line')
        self.activate('antispam', self.make_code('antispam', expiry=E))
        self.wait_for(lambda: 'antispam: The license was activated' in self.read(text_out),
                      message="the second run's activation")
        self.wait_for(lambda: '"slot":"antispam"' in self.read(js_out).replace(' ', ''),
                      message="the second run's activation as JSON")
        for proc in (text, js):
            proc.send_signal(signal.SIGTERM)
            self.assertEqual(proc.wait(timeout=10), 0)
        err = self.read(text_err)
        self.assertLess(err.index('has started'), err.index('stopped; waiting'))
        self.assertLess(err.index('stopped; waiting'), err.index('running again'))
        out = self.read(text_out)
        self.assertEqual(out.count('antivirus: The license was activated'), 1)
        self.assertEqual(out.count('antispam: The license was activated'), 1)


if __name__ == '__main__':
    unittest.main(verbosity=2)
