#!/usr/bin/python3
'''The Cockpit license page in a real browser (issue 12).

cockpit-ws on loopback (--local-session=cockpit-bridge: no TLS, no login)
serves the page staged in the build tree; its bridge talks to imss-licensed on
the private system bus of imsstest (our bus policy, the polkitd and systemd
mocks, the real license-server simulator); headless Chromium, driven through
Selenium, does what an operator does. Screenshots go to $IMSS_SCREENSHOT_DIR.

Checked: the six slots in the table; an activation through the dialog
updates the row live, and the code appears nowhere (page, URL, console);
"Update now" shows the SPEC's texts; a notice appears when the virtual clock
crosses E-60; the Japanese page; a session of an unprivileged user sees
everything read-only and cannot change anything.'''

import importlib.util
import os
import pwd
import shutil
import socket
import subprocess
import time
import urllib.request
from pathlib import Path

import imsstest
from imsstest import GLib

from selenium import webdriver
from selenium.common.exceptions import TimeoutException
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait

HERE = Path(__file__).resolve().parent
_spec = importlib.util.spec_from_file_location('test_server', HERE / 'test-server.py')
test_server = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(test_server)

COCKPIT_WS = '/usr/lib/cockpit/cockpit-ws'
CHROMIUM = '/usr/bin/chromium'
CHROMEDRIVER = '/usr/bin/chromedriver'
SLOT_IDS = ['cloud-prefilter', 'antivirus', 'antispam', 'email-reputation', 'email-encryption',
            'compliance']
AV_JA = 'ウイルス対策およびコンテンツフィルタ'


def free_port():
    with socket.socket() as s:
        s.bind(('127.0.0.1', 0))
        return s.getsockname()[1]


def xdg_data_home():
    build = os.environ.get('IMSS_BUILD_DIR') or str(HERE.parent / 'build')
    path = Path(build) / 'cockpit' / 'share'
    if not (path / 'cockpit' / 'imss-license' / 'index.html').exists():
        raise RuntimeError(f'the page is not staged in {path} (meson -Dcockpit=true, ninja)')
    return path


class CockpitWs:
    '''cockpit-ws and a session bus of its own (the bridge otherwise starts
    one and leaks it), as @user.'''

    def __init__(self, test, user='root'):
        self.port = free_port()
        self.dir = Path(test.tmp) / f'cockpit-{user}'
        self.dir.mkdir()
        pw = pwd.getpwnam(user)
        os.chown(self.dir, pw.pw_uid, pw.pw_gid)
        drop = [] if user == 'root' else ['setpriv', f'--reuid={pw.pw_uid}', f'--regid={pw.pw_gid}',
                                          '--clear-groups', '--']
        env = {'PATH': os.environ.get('PATH', '/usr/bin:/bin'), 'LANG': 'C.UTF-8',
               'HOME': str(self.dir), 'XDG_RUNTIME_DIR': str(self.dir),
               'XDG_DATA_HOME': str(xdg_data_home()),
               'DBUS_SYSTEM_BUS_ADDRESS': test.bus_address}
        self.session = subprocess.Popen(drop + ['dbus-daemon', '--session', '--nofork',
                                                '--print-address=1'],
                                        stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                                        env=env)
        env['DBUS_SESSION_BUS_ADDRESS'] = self.session.stdout.readline().decode().strip()
        self.log = open(self.dir / 'ws.log', 'wb')
        self.proc = subprocess.Popen(drop + [COCKPIT_WS, '--port', str(self.port),
                                             '--address', '127.0.0.1',
                                             '--local-session=cockpit-bridge'],
                                     stdout=self.log, stderr=subprocess.STDOUT, env=env)
        test.addCleanup(self.stop)
        self.url = f'http://127.0.0.1:{self.port}/cockpit/@localhost/imss-license/index.html'
        deadline = time.monotonic() + 30
        while True:
            try:
                with urllib.request.urlopen(self.url, timeout=5) as r:
                    if r.status == 200:
                        break
            except OSError:
                pass
            if self.proc.poll() is not None or time.monotonic() > deadline:
                test.fail('cockpit-ws did not serve the page:\n' + self.ws_log())
            time.sleep(0.1)

    def ws_log(self):
        self.log.flush()
        return (self.dir / 'ws.log').read_text(errors='replace')

    def stop(self):
        for p in (self.proc, self.session):
            if p.poll() is None:
                p.terminate()
                try:
                    p.wait(10)
                except subprocess.TimeoutExpired:
                    p.kill()
                    p.wait()
        self.log.close()


class Browser:
    def __init__(self, test, language='en'):
        opts = webdriver.ChromeOptions()
        opts.binary_location = CHROMIUM
        for a in ('--headless=new', '--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage',
                  '--window-size=1400,1000', f'--lang={language}'):
            opts.add_argument(a)
        opts.add_experimental_option('prefs', {'intl.accept_languages': language})
        opts.set_capability('goog:loggingPrefs', {'browser': 'ALL'})
        self.driver = webdriver.Chrome(service=Service(CHROMEDRIVER), options=opts)
        self.language = language
        self.test = test
        test.addCleanup(self.driver.quit)
        self.wait = WebDriverWait(self.driver, 60 if test.valgrind else 20)

    def open(self, ws):
        if self.language != 'en':
            # Cockpit's language: the CockpitLang cookie, set on its origin
            self.driver.get(f'http://127.0.0.1:{ws.port}/cockpit/static/login.html')
            self.driver.add_cookie({'name': 'CockpitLang', 'value': self.language, 'path': '/'})
        self.driver.get(ws.url)
        self.until(lambda d: self.page_state() == 'ready', 'the page to load')

    def until(self, predicate, what):
        try:
            return self.wait.until(predicate)
        except TimeoutException:
            self.shot('timeout')
            self.test.fail(f'timed out waiting for {what}; page text:\n' + self.text('page')
                           + '\nconsole: ' + str(self.console()))

    def page_state(self):
        try:
            return self.driver.find_element(By.ID, 'page').get_attribute('data-state')
        except Exception:
            return None

    def el(self, css):
        return self.driver.find_element(By.CSS_SELECTOR, css)

    def els(self, css):
        return self.driver.find_elements(By.CSS_SELECTOR, css)

    # the page re-renders on every change: read and click in one script,
    # never through an element found earlier (it may be stale by then)
    def js(self, script, *args):
        return self.driver.execute_script(script, *args)

    def text(self, element_id):
        return self.js('const e = document.getElementById(arguments[0]);'
                       'return e ? e.innerText : "";', element_id)

    def row_text(self, slot):
        return self.js('const r = document.querySelector(`#slots-body tr[data-slot="${arguments[0]}"]`);'
                       'return r ? r.innerText : "";', slot)

    def row_state(self, slot):
        return self.js('const r = document.querySelector(`#slots-body tr[data-slot="${arguments[0]}"]`);'
                       'return r ? r.dataset.state : null;', slot)

    def row_buttons(self, slot):
        """[(label, enabled, title)] of the row's buttons"""
        return self.js('return Array.from(document.querySelectorAll('
                       '`#slots-body tr[data-slot="${arguments[0]}"] button`))'
                       '.map(b => [b.textContent, !b.disabled, b.title]);', slot)

    def click_row_button(self, slot, index):
        self.js('document.querySelectorAll(`#slots-body tr[data-slot="${arguments[0]}"] button`)'
                '[arguments[1]].click();', slot, index)

    def state_class(self, slot):
        return self.js('return document.querySelector(`#slots-body tr[data-slot="${arguments[0]}"]'
                       ' td.imss-state`).className;', slot)

    def kinds(self):
        return self.js('return Array.from(document.querySelectorAll("#notices .imss-alert"))'
                       '.map(a => a.dataset.kind);')

    def slot_ids(self):
        return self.js('return Array.from(document.querySelectorAll("#slots-body tr"))'
                       '.map(r => r.dataset.slot);')

    def console(self):
        return [e['message'] for e in self.driver.get_log('browser')]

    def shot(self, name):
        folder = Path(os.environ.get('IMSS_SCREENSHOT_DIR') or self.test.tmp)
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / f'cockpit-{self.test.id().split(".")[-1]}-{name}.png'
        self.driver.save_screenshot(str(path))
        return path


class CockpitTestBase(imsstest.VirtualClockMixin, imsstest.ImssTestCase):
    autostart = False
    start = '2019-08-01T09:00:00'
    ws_user = 'root'
    language = 'en'

    def setUp(self):
        for program in (COCKPIT_WS, CHROMIUM, CHROMEDRIVER):
            if not os.path.exists(program):
                self.fail(f'{program} is missing (Debian packages cockpit-ws cockpit-bridge '
                          'cockpit-system chromium chromium-driver python3-selenium)')
        os.environ['TZ'] = 'Asia/Tokyo'
        self.addCleanup(os.environ.pop, 'TZ', None)
        super().setUp()
        self.sim = test_server.Simulator(self)
        self.write_config(edition=self.edition,
                          license_server={'url': self.sim.url,
                                          'timeout': 3 if not self.valgrind else 20})
        self.start_daemon([f'--virtual-clock={self.start}'])
        self.ws = CockpitWs(self, self.ws_user)
        self.browser = Browser(self, self.language)


class CockpitPageTest(CockpitTestBase):
    def test_status_activation_update_and_notice(self):
        b = self.browser
        b.open(self.ws)
        self.assertEqual(b.slot_ids(), SLOT_IDS)
        self.assertEqual({b.row_state(s) for s in SLOT_IDS}, {'not-activated'})
        self.assertIn('Antivirus and Content Filter', b.row_text('antivirus'))
        # the inactive-component notices, as Cockpit alerts
        kinds = b.kinds()
        self.assertEqual(kinds.count('inactive'), 3, kinds)
        self.assertIn('Cloud Pre-Filter is not activated. To use this feature, activate Cloud '
                      'Pre-Filter.', b.text('notices'))
        b.shot('initial')

        # an activation through the dialog; the row changes live
        code = self.make_code('antivirus', expiry='2019-12-31')
        self.assertEqual([(label, enabled) for label, enabled, _ in b.row_buttons('antivirus')],
                         [('Enter a new activation code', True), ('Diagnose', True)])
        b.click_row_button('antivirus', 0)
        b.until(lambda d: b.el('#activate-dialog').get_attribute('open') is not None, 'the dialog')
        b.el('#activate-code').send_keys(code)
        b.shot('dialog')
        b.el('#activate-submit').click()
        b.until(lambda d: b.row_state('antivirus') == 'active', 'the row to show the activation')
        self.assertEqual(self.slot_props('antivirus')['State'], 'active')
        row = b.row_text('antivirus')
        self.assertIn('2019-12-31', row)
        self.assertIn('152 days', row)                  # 2019-08-01 .. 2019-12-31
        masked = self.slot_props('antivirus')['ActivationCode']
        self.assertIn(masked, row)
        self.assertNotIn(code, b.driver.page_source)
        self.assertNotIn(code, b.driver.current_url)
        self.assertFalse([m for m in b.console() if code in m])
        self.assertIsNone(b.el('#activate-dialog').get_attribute('open'))
        self.assertEqual(b.el('#activate-code').get_attribute('value'), '')
        b.shot('activated')

        # Update now: unchanged, then a renewal on the server, then unreachable
        b.el('#update-now').click()
        b.until(lambda d: b.text('update-result') == 'No update is necessary.', 'unchanged')
        self.sim.admin('renew', code=code, expiry='2020-12-31')
        b.el('#update-now').click()
        b.until(lambda d: b.text('update-result') == 'The license was updated successfully.',
                'updated')
        b.until(lambda d: '2020-12-31' in b.row_text('antivirus'), 'the renewed expiry')
        self.sim.admin('fault', mode='error', count=0)
        b.el('#update-now').click()
        b.until(lambda d: b.text('update-result').startswith('Unable to complete the update.'),
                'unreachable')
        self.assertEqual(b.text('update-result'),
                         'Unable to complete the update. Check the Internet connection and try '
                         'again. If the problem persists, contact technical support.')
        self.sim.admin('reset')

        # the virtual clock crosses E-60 (2020-11-01): the notice appears, no reload
        self.advance_to('2020-11-01T09:00:00')
        b.until(lambda d: 'expiring' in b.kinds(), 'the expiry notice')
        self.assertIn('The support contract for Antivirus and Content Filter ends in 60 days.',
                      b.text('notices'))
        b.until(lambda d: b.row_state('antivirus') == 'expiring', 'the row to turn expiring')
        self.assertIn('imss-warning', b.state_class('antivirus'))
        b.shot('expiring')

        # hide the inactive-component notices: persisted in the daemon
        b.el('#hide-inactive').click()
        b.until(lambda d: 'inactive' not in b.kinds(), 'the inactive notices to go')
        self.assertTrue(self.get_property('InactiveNoticesHidden'))

        # the calendar and the history
        self.assertIn('automatic license check', b.text('events'))
        total = len(self.history())
        self.assertGreater(total, 20)
        self.assertEqual(b.text('history-range'), f'1\u201320 of {total}')
        self.assertNotIn('\tactivate\t', b.text('history'))
        b.js('document.getElementById("history-older").click();')
        b.until(lambda d: b.text('history-range').startswith('21\u2013'), 'the second page')
        self.assertIn('\tactivate\t', b.text('history'))
        self.assertFalse([m for m in b.console() if 'SEVERE' in m and 'favicon' not in m],
                         b.console())

    def test_wrong_code_and_diagnosis(self):
        b = self.browser
        b.open(self.ws)
        b.click_row_button('antispam', 0)
        b.el('#activate-code').send_keys('NOT-A-CODE')
        b.el('#activate-submit').click()
        b.until(lambda d: b.text('activate-error') != '', 'the error')
        self.assertEqual(b.text('activate-error'),
                         'The activation code is invalid. Check the code and try again. If the '
                         'problem persists, contact technical support.')
        self.assertEqual(self.slot_props('antispam')['State'], 'not-activated')
        b.el('#activate-cancel').click()
        b.click_row_button('antivirus', 1)
        b.until(lambda d: b.text('diagnosis-findings') and b.text('diagnosis-action') not in
                ('', 'Asking the license server\u2026'), 'the diagnosis')
        self.assertIn('not activated', b.text('diagnosis').lower())
        b.shot('diagnosis')


class CockpitSettingsTest(CockpitTestBase):
    def test_recipients_proxy_and_test_mail(self):
        smtp = imsstest.SmtpSink(self)
        b = self.browser
        b.open(self.ws)
        self.assertEqual(b.js('return document.getElementById("set-proxy-host").value;'), '')
        b.js('const set = (id, v) => { document.getElementById(id).value = v; };'
             'set("set-mail-to", "ops@example.com, noc@example.com");'
             'set("set-mail-smtp", "smtp://127.0.0.1:" + arguments[0]);'
             'set("set-mail-language", "en");'
             'set("set-proxy-host", "proxy.example.com");'
             'set("set-proxy-port", "3128");'
             'set("set-proxy-user", "imss");'
             'set("set-proxy-password", "Pr0xy-pw");'
             'document.getElementById("settings-save").click();', smtp.port)
        b.until(lambda d: b.text('settings-result') == 'The settings were saved.', 'saved')
        s = self.get_property('Settings')
        self.assertEqual(s['mail-to'], ['ops@example.com', 'noc@example.com'])
        self.assertEqual((s['proxy-host'], s['proxy-port'], s['proxy-user'], s['proxy-password-set']),
                         ('proxy.example.com', 3128, 'imss', True))
        # the password field is emptied and never filled in again
        b.until(lambda d: b.js('return document.getElementById("set-proxy-password").value;') == '',
                'the password field to be emptied')
        self.assertNotIn('Pr0xy-pw', b.driver.page_source)
        # only what was changed is stored (the rest stays the file's)
        self.assertEqual(sorted(s['stored']), ['mail-language', 'mail-smtp', 'mail-to',
                                               'proxy-host', 'proxy-password', 'proxy-port',
                                               'proxy-user'])
        b.js('document.getElementById("settings-test-mail").click();')
        b.until(lambda d: b.text('settings-result').startswith('Test mail:'), 'the test mail')
        self.assertEqual(b.text('settings-result'), 'Test mail: sent to 2 recipient(s)')
        self.wait_for(lambda: smtp.messages(), message='the test mail in the sink')
        # a bad value: the error text and what was wrong; nothing stored
        b.js('document.getElementById("set-mail-to").value = "not an address";'
             'document.getElementById("settings-save").click();')
        b.until(lambda d: 'mail-to' in b.text('settings-result'), 'the error')
        self.assertIn('Invalid arguments.', b.text('settings-result'))
        self.assertEqual(self.get_property('Settings')['mail-to'],
                         ['ops@example.com', 'noc@example.com'])
        b.shot('settings')


class CockpitJapaneseTest(CockpitTestBase):
    language = 'ja'

    def test_japanese_page(self):
        b = self.browser
        self.activate('antivirus', self.make_code('antivirus', expiry='2019-09-30'))
        b.open(self.ws)
        self.assertEqual(b.text('title'), 'ライセンス')
        self.assertIn(AV_JA, b.row_text('antivirus'))
        self.assertIn('60 日', b.row_text('antivirus'))
        self.assertEqual(b.el('#update-now').text, '今すぐアップデート')
        # the daemon renders the notices in the page's language
        self.assertIn(f'{AV_JA}のサポート契約はあと60日で終了します。', b.text('notices'))
        self.assertIn('クラウドプレフィルタはアクティベートされていません。', b.text('notices'))
        b.el('#update-now').click()
        b.until(lambda d: b.text('update-result') == '必要なアップデートはありません。', 'unchanged')
        b.shot('ja')


class CockpitUnprivilegedTest(CockpitTestBase):
    ws_user = 'nobody'

    def test_read_only(self):
        code = self.make_code('antivirus', expiry='2019-12-31')
        self.activate('antivirus', code)
        b = self.browser
        b.open(self.ws)
        # everything is shown
        self.assertEqual(b.slot_ids(), SLOT_IDS)
        self.assertEqual(b.row_state('antivirus'), 'active')
        self.assertTrue(b.kinds())
        self.assertIn('activate', b.text('history'))
        # nothing can be changed, and the page says why
        self.assertIn('Read only', b.text('readonly'))
        self.assertFalse(b.el('#update-now').is_enabled())
        self.assertFalse(b.el('#hide-inactive').is_enabled())
        self.assertEqual(b.js('return Array.from(document.querySelectorAll('
                              '"#settings input, #settings select, #settings button"))'
                              '.filter(e => !e.disabled).map(e => e.id);'), [])
        for slot in SLOT_IDS:
            for label, enabled, title in b.row_buttons(slot):
                self.assertFalse(enabled, f'{slot}: {label}')
                self.assertIn('administrative access', title)
        b.shot('read-only')
        # and the bus refuses it even when the page is bypassed
        before = self.slot_props('antivirus')
        other = self.make_code('antivirus', expiry='2021-12-31')
        outcome = b.driver.execute_async_script('''
            const done = arguments[arguments.length - 1];
            cockpit.dbus("org.imss.License", {bus: "system", superuser: "try"})
                .call("/org/imss/License", "org.imss.License", "Activate",
                      ["antivirus", arguments[0]])
                .then(() => done("ok"), ex => done(String(ex.name)));''', other)
        self.assertEqual(outcome, 'org.freedesktop.DBus.Error.AccessDenied')
        self.assertEqual(self.slot_props('antivirus'), before)


if __name__ == '__main__':
    imsstest.main()
