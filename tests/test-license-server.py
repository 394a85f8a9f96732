#!/usr/bin/python3
'''Tests of imss-license-server, the license-server simulator
(docs/license-server-protocol.md, docs/imss-license-server.1).

Every test starts its own simulator on a random loopback port
(--port-file in a temporary directory, --today 2026-11-25) and talks to it
with urllib (http.client and raw sockets where urllib cannot say what is
needed: chunked bodies, a stalled connection).

Programs (meson sets them; by hand they default to the first build directory
among $IMSS_BUILD_DIR, build/, build-tests/):
  IMSS_LICENSE_SERVER  <build>/tools/server/imss-license-server
  IMSS_LICENSE_KEYGEN  <build>/tools/imss-license-keygen
A missing program is an error, never a skip.

IMSS_VALGRIND=1 (`meson test --setup valgrind`) runs the simulator under
valgrind (IMSS_VALGRIND_CMD, one argument per line, or memcheck with
--leak-check=full --error-exitcode=1 and GLib's suppressions) and fails the
test on any valgrind error. IMSS_TEST_KEEP=1 keeps the temporary directories.
'''

import datetime
import email.utils
import hashlib
import http.client
import json
import os
import random
import re
import shutil
import signal
import socket
import ssl
import subprocess
import tempfile
import threading
import time
import unittest
import urllib.error
import urllib.request
from pathlib import Path

from testca import TestCA

SOURCE_ROOT = Path(__file__).resolve().parent.parent
TESTS_DIR = SOURCE_ROOT / 'tests'
UPDATE = '/ollu/license_update.aspx'
DETAILS = '/ollu/license_details.aspx'
TODAY = '2026-11-25'
BODY_MAX = 64 * 1024
CODE_RE = re.compile(r'^(IM|AS|DL)-[2-9A-HJ-NP-TV-Z]{4}(-[2-9A-HJ-NP-TV-Z]{5}){5}$')
TIME_RE = re.compile(r'^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$')

VALGRIND_DEFAULT = ['valgrind', '--leak-check=full', '--errors-for-leak-kinds=definite',
                    '--error-exitcode=1',
                    '--suppressions=/usr/share/glib-2.0/valgrind/glib.supp',
                    '--suppressions=' + str(TESTS_DIR / 'valgrind.supp')]

# Added to every valgrind command line: allocations made once per process
# inside GLib that valgrind reports as "possibly lost" (the checks of the
# test setup count definite leaks only, but a plain --leak-check=full
# --error-exitcode=1 counts these too).
VALGRIND_SUPPRESSIONS = '''
# g_unix_signal_add() starts GLib's worker thread, which runs until exit:
# its thread-local storage is still allocated then.
{
   glib-worker-thread-tls
   Memcheck:Leak
   match-leak-kinds: possible
   fun:calloc
   ...
   fun:allocate_dtv
   ...
   fun:pthread_create*
   ...
   fun:g_thread_new
}
'''


def valgrind_enabled():
    return os.environ.get('IMSS_VALGRIND', '') not in ('', '0')


def find_program(env_var, build_rel):
    '''$env_var, else build_rel in the first build directory that has it; a
    missing program raises (the test errors, it is not skipped).'''
    path = os.environ.get(env_var)
    if path:
        if not os.access(path, os.X_OK):
            raise RuntimeError(f'{env_var}={path} is not an executable program')
        return path
    dirs = []
    if os.environ.get('IMSS_BUILD_DIR'):
        dirs.append(Path(os.environ['IMSS_BUILD_DIR']))
    dirs += [SOURCE_ROOT / 'build', SOURCE_ROOT / 'build-tests']
    for d in dirs:
        if os.access(d / build_rel, os.X_OK):
            return str(d / build_rel)
    raise RuntimeError(f'{env_var} is not set and no build directory has {build_rel}; '
                       'build the project and run the test with meson test, or set '
                       f'{env_var} or IMSS_BUILD_DIR')


def mask(code):
    '''The masked form of a canonical code (docs/activation-codes.md §8).'''
    return code[:3] + '****-*****-*****-*****-*****-' + code[-5:]


def details_id(code):
    return hashlib.sha256(('imss-license-details:' + code).encode()).hexdigest()[:32]


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, req, fp, code, msg, headers, newurl):
        return None


# no proxy from the environment, no redirects followed
OPENER = urllib.request.build_opener(urllib.request.ProxyHandler({}), _NoRedirect())


class Response:
    def __init__(self, status, headers, body, elapsed):
        self.status = status
        self.headers = headers
        self.body = body
        self.elapsed = elapsed

    def json(self):
        return json.loads(self.body.decode('utf-8'))


class LicenseServerTest(unittest.TestCase):

    @classmethod
    def setUpClass(cls):
        cls.server_path = find_program('IMSS_LICENSE_SERVER', 'tools/server/imss-license-server')
        cls.keygen_path = find_program('IMSS_LICENSE_KEYGEN', 'tools/imss-license-keygen')
        cls.valgrind = valgrind_enabled()
        cls.slow = 20 if cls.valgrind else 1

    def setUp(self):
        self.tmp = Path(tempfile.mkdtemp(prefix='imss-server-test.'))
        self.codes = []  # every code generated, to check that none leaks
        self.proc = None
        self.scheme = 'http'
        self.opener = OPENER
        self.start_server()

    def tearDown(self):
        try:
            self.stop_server()
        finally:
            if os.environ.get('IMSS_TEST_KEEP'):
                print(f'kept {self.tmp}')
            else:
                shutil.rmtree(self.tmp, ignore_errors=True)

    # ---- the simulator ----------------------------------------------------

    def server_argv(self, *args):
        argv = [self.server_path] + list(args)
        if self.valgrind:
            cmd = os.environ.get('IMSS_VALGRIND_CMD')
            vg = [a for a in cmd.split('\n') if a] if cmd else list(VALGRIND_DEFAULT)
            supp = self.tmp / 'license-server.supp'
            supp.write_text(VALGRIND_SUPPRESSIONS)
            argv = vg + ['--suppressions=' + str(supp)] + argv
        return argv

    def server_env(self):
        env = dict(os.environ)
        env['G_DEBUG'] = 'fatal-criticals'
        if self.valgrind:
            env['G_SLICE'] = 'always-malloc'
        return env

    def start_server(self, *args, listen=None):
        self.port_file = self.tmp / 'port'
        if self.port_file.exists():
            self.port_file.unlink()
        self.out_path = self.tmp / 'server.out'
        self.err_path = self.tmp / 'server.err'
        argv = ['--port-file', str(self.port_file), '--today', TODAY, '--verbose']
        if listen:
            argv += ['--listen', listen]
        argv += list(args)
        with open(self.out_path, 'ab') as out, open(self.err_path, 'ab') as err:
            self.proc = subprocess.Popen(self.server_argv(*argv), stdout=out, stderr=err,
                                         stdin=subprocess.DEVNULL, env=self.server_env())
        deadline = time.monotonic() + (120 if self.valgrind else 15)
        while not self.port_file.exists():
            if self.proc.poll() is not None:
                self.fail(f'the simulator exited with {self.proc.returncode}:\n'
                          + self.server_output())
            if time.monotonic() > deadline:
                self.fail('the simulator did not write its port file:\n' + self.server_output())
            time.sleep(0.02)
        self.port = int(self.port_file.read_text().strip())
        self.host = '127.0.0.1'
        self.assertGreater(self.port, 0)

    def stop_server(self, sig=signal.SIGTERM):
        proc, self.proc = self.proc, None
        if proc is None:
            return None
        exited_before = proc.poll() is not None
        if not exited_before:
            proc.send_signal(sig)
        try:
            proc.wait(timeout=300 if self.valgrind else 15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
            self.fail('the simulator did not exit on a signal:\n' + self.server_output())
        output = self.server_output()
        if exited_before:
            self.fail(f'the simulator had exited on its own with {proc.returncode}:\n' + output)
        if self.valgrind:
            summaries = re.findall(r'ERROR SUMMARY: ([0-9,]+) errors', output)
            self.assertTrue(summaries, 'valgrind printed no ERROR SUMMARY:\n' + output[-20000:])
            self.assertTrue(all(int(n.replace(',', '')) == 0 for n in summaries),
                            'valgrind found errors:\n' + output[-20000:])
        self.assertEqual(proc.returncode, 0, 'the simulator failed:\n' + output)
        self.assert_no_code_in(output, 'the simulator output')
        return proc.returncode

    def server_output(self):
        text = ''
        for p in (self.out_path, self.err_path):
            if p.exists():
                text += p.read_bytes().decode('utf-8', 'replace')
        return text

    def assert_no_code_in(self, text, where):
        for code in self.codes:
            for form in (code, code.replace('-', ''), code.lower(), code.replace('-', '').lower()):
                self.assertNotIn(form, text, f'a full activation code appears in {where}')

    # ---- codes ------------------------------------------------------------

    def keygen(self, edition='imsva', slot='antivirus', expiry='2027-01-31', offline=False):
        argv = [self.keygen_path, '--edition', edition, '--slot', slot, '--expiry', expiry]
        if offline:
            argv.append('--offline')
        code = subprocess.run(argv, check=True, capture_output=True, text=True).stdout.strip()
        self.assertRegex(code, CODE_RE)
        self.codes.append(code)
        return code

    def keygen_decodes(self, code):
        proc = subprocess.run([self.keygen_path, '--decode', '--json'], input=code + '\n',
                              capture_output=True, text=True)
        return proc.returncode == 0

    # ---- HTTP ---------------------------------------------------------------

    def url(self, path, host=None):
        return f'{self.scheme}://{host or self.host}:{self.port}{path}'

    def use_tls(self):
        '''Restarts the simulator serving HTTPS with a certificate of a test
        CA; requests then trust that CA only.'''
        ca = TestCA(self.tmp)
        self.stop_server()
        self.start_server('--tls-cert', str(ca.cert), '--tls-key', str(ca.key))
        self.scheme = 'https'
        self.host = 'localhost'
        context = ssl.create_default_context(cafile=str(ca.ca))
        self.opener = urllib.request.build_opener(urllib.request.ProxyHandler({}), _NoRedirect(),
                                                  urllib.request.HTTPSHandler(context=context))
        return ca

    def request(self, method, path, body=None, headers=None, timeout=None, host=None):
        if isinstance(body, (dict, list)):
            body = json.dumps(body).encode()
        elif isinstance(body, str):
            body = body.encode()
        req = urllib.request.Request(self.url(path, host), data=body, method=method,
                                     headers=headers or {})
        if body is not None and 'Content-Type' not in (headers or {}):
            req.add_header('Content-Type', 'application/json')
        start = time.monotonic()
        try:
            with self.opener.open(req, timeout=timeout or (120 if self.valgrind else 15)) as resp:
                return Response(resp.status, resp.headers, resp.read(), time.monotonic() - start)
        except urllib.error.HTTPError as e:
            body = e.read()
            e.close()
            return Response(e.code, e.headers, body, time.monotonic() - start)

    def update(self, code, product='imsva', path=UPDATE, **kwargs):
        return self.request('POST', path, {'protocol': 1, 'product': product,
                                           'product_version': '9.1', 'code': code}, **kwargs)

    def ask(self, code, product='imsva'):
        '''A well-formed request that must be answered 200; the JSON answer.'''
        resp = self.update(code, product)
        self.assertEqual(resp.status, 200, resp.body[:2000])
        self.assertEqual(resp.headers.get_content_type(), 'application/json')
        answer = resp.json()
        self.assertEqual(answer['protocol'], 1)
        self.assertRegex(answer['server_time'], TIME_RE)
        self.assertIn(answer['status'], ('valid', 'unknown', 'replaced', 'suspended'))
        if answer['status'] == 'valid':
            self.assertRegex(answer['expiry'], r'^\d{4}-\d{2}-\d{2}$')
        else:
            self.assertNotIn('expiry', answer)
        return answer

    def admin(self, name, body=None, expect=200):
        if name == 'log':
            resp = self.request('GET', '/admin/log')
        else:
            resp = self.request('POST', '/admin/' + name, body if body is not None else {})
        self.assertEqual(resp.status, expect, resp.body[:2000])
        self.assertEqual(resp.headers.get_content_type(), 'application/json')
        return resp.json()

    def log(self):
        entries = self.admin('log')
        self.assertIsInstance(entries, list)
        self.assert_no_code_in(json.dumps(entries), 'the log')
        for e in entries:
            self.assertEqual(set(e), {'time', 'path', 'code', 'status', 'proxy_authorization'})
            self.assertRegex(e['time'], TIME_RE)
        return entries

    # ---- start-up ---------------------------------------------------------

    def test_startup_line_and_port_file(self):
        self.assertEqual(self.out_path.read_text().splitlines()[0],
                         f'listening on http://127.0.0.1:{self.port}/')

    def test_sigint_exits_cleanly(self):
        self.assertEqual(self.ask(self.keygen())['status'], 'valid')
        self.assertEqual(self.stop_server(signal.SIGINT), 0)

    def test_bad_options(self):
        for args in (['--today', '2026-02-30'], ['--today', 'tomorrow'],
                     ['--listen', 'not-an-address'], ['--port', '70000'],
                     ['--tls-key', '/dev/null'], ['--tls-cert', str(self.tmp / 'missing.pem')],
                     ['--tls-cert', '/dev/null', '--tls-key', '/dev/null'],
                     ['IM-SECRET-ARGUMENT']):
            proc = subprocess.run([self.server_path, '--port', '0'] + args,
                                  capture_output=True, text=True, timeout=15)
            self.assertEqual(proc.returncode, 1, args)
            self.assertTrue(proc.stderr.startswith('imss-license-server: '), proc.stderr)
            self.assertNotIn('SECRET', proc.stderr)

    # ---- answers ------------------------------------------------------------

    def test_valid_code(self):
        code = self.keygen(expiry='2027-01-31')
        answer = self.ask(code)
        self.assertEqual(answer['code'], code)
        self.assertEqual(answer['status'], 'valid')
        self.assertEqual(answer['expiry'], '2027-01-31')
        self.assertTrue(answer['server_time'].startswith(TODAY + 'T'), answer['server_time'])

        imss = self.keygen(edition='imss', slot='antispam', expiry='2030-06-30')
        self.assertEqual(self.ask(imss, 'imss')['expiry'], '2030-06-30')
        dlp = self.keygen(slot='compliance', expiry='2028-02-29', offline=True)
        self.assertEqual(self.ask(dlp)['expiry'], '2028-02-29')
        # any input form is answered about the canonical code
        answer = self.ask(' ' + code.replace('-', '').lower() + '\n')
        self.assertEqual((answer['code'], answer['status']), (code, 'valid'))

    def test_unknown_code(self):
        code = self.keygen()
        typo = code[:-1] + ('2' if code[-1] != '2' else '3')
        for asked in ('hello', '', 'IM-2222-22222-22222-22222-22222-22222', typo,
                      'x' * 1000, 'Ünïcode ✓'):
            answer = self.ask(asked)
            self.assertEqual(answer['status'], 'unknown', asked)
            self.assertEqual(answer['code'], asked)
            self.assertNotIn('replaced_by', answer)

    def test_wrong_edition(self):
        imsva = self.keygen(edition='imsva')
        imss = self.keygen(edition='imss')
        self.assertEqual(self.ask(imsva, 'imss')['status'], 'unknown')
        self.assertEqual(self.ask(imss, 'imsva')['status'], 'unknown')
        self.assertEqual(self.ask(imss, 'imss')['status'], 'valid')

    def test_renew_effective_later(self):
        code = self.keygen(expiry='2027-01-31')
        self.admin('renew', {'code': code, 'expiry': '2028-01-31', 'effective': '2026-12-10'})
        self.assertEqual(self.ask(code)['expiry'], '2027-01-31')
        self.admin('today', {'today': '2026-12-09'})
        self.assertEqual(self.ask(code)['expiry'], '2027-01-31')
        self.admin('today', {'today': '2026-12-10'})
        answer = self.ask(code)
        self.assertEqual(answer['expiry'], '2028-01-31')
        self.assertTrue(answer['server_time'].startswith('2026-12-10T'))
        self.admin('today', {'today': '2027-03-01'})
        self.assertEqual(self.ask(code)['expiry'], '2028-01-31')
        # a later renewal takes over from its own effective date
        self.admin('renew', {'code': code, 'expiry': '2029-01-31', 'effective': '2027-06-01'})
        self.assertEqual(self.ask(code)['expiry'], '2028-01-31')
        self.admin('today', {'today': '2027-06-01'})
        self.assertEqual(self.ask(code)['expiry'], '2029-01-31')
        # back before every effective date
        self.admin('today', {'today': '2026-11-30'})
        self.assertEqual(self.ask(code)['expiry'], '2027-01-31')
        # the real date again: far past 2026-11-25 or not, the server answers
        self.admin('today', {'today': None})
        self.assertRegex(self.ask(code)['server_time'], TIME_RE)

    def test_renew_at_once(self):
        code = self.keygen(expiry='2027-01-31')
        other = self.keygen(expiry='2027-01-31')
        # a client-side plausibility check needs a server that reports an
        # earlier date too
        self.admin('renew', {'code': code, 'expiry': '2026-12-31'})
        self.assertEqual(self.ask(code)['expiry'], '2026-12-31')
        self.admin('renew', {'code': code.lower(), 'expiry': '2027-12-31', 'effective': None})
        self.assertEqual(self.ask(code)['expiry'], '2027-12-31')
        self.assertEqual(self.ask(other)['expiry'], '2027-01-31')
        # a renewal does not make a code of the other edition known
        self.assertEqual(self.ask(code, 'imss')['status'], 'unknown')

    def test_replace(self):
        old = self.keygen(expiry='2027-01-31')
        new = self.keygen(expiry='2027-12-31')
        self.assertEqual(self.admin('replace', {'code': old, 'new_code': new}), {'ok': True})
        answer = self.ask(old)
        self.assertEqual(answer['status'], 'replaced')
        self.assertEqual(answer['code'], old)
        self.assertEqual(answer['replaced_by'], mask(new))
        resp = self.update(old)
        self.assertNotIn(new.encode(), resp.body)
        answer = self.ask(new)
        self.assertEqual((answer['status'], answer['expiry']), ('valid', '2027-12-31'))
        self.admin('renew', {'code': new, 'expiry': '2028-12-31'})
        self.assertEqual(self.ask(new)['expiry'], '2028-12-31')
        # a suspended code that becomes the replacement is valid again
        third = self.keygen()
        self.admin('suspend', {'code': third})
        self.admin('replace', {'code': new, 'new_code': third})
        self.assertEqual(self.ask(third)['status'], 'valid')
        self.assertEqual(self.ask(new)['replaced_by'], mask(third))

    def test_suspend(self):
        code = self.keygen()
        other = self.keygen()
        self.admin('suspend', {'code': code})
        answer = self.ask(code)
        self.assertEqual((answer['status'], answer['code']), ('suspended', code))
        self.assertNotIn('replaced_by', answer)
        self.assertEqual(self.ask(other)['status'], 'valid')
        # reset forgets it
        self.admin('reset')
        self.assertEqual(self.ask(code)['status'], 'valid')

    def test_reset(self):
        code = self.keygen(expiry='2027-01-31')
        self.admin('renew', {'code': code, 'expiry': '2028-01-31'})
        self.admin('fault', {'mode': 'error'})
        self.admin('today', {'today': '2030-01-01'})
        self.assertEqual(self.update(code).status, 500)
        self.admin('reset')
        self.assertEqual(self.log(), [])
        answer = self.ask(code)
        self.assertEqual(answer['expiry'], '2027-01-31')
        # back to the --today date
        self.assertTrue(answer['server_time'].startswith(TODAY + 'T'))

    # ---- faults -------------------------------------------------------------

    def test_fault_error(self):
        code = self.keygen()
        self.admin('fault', {'mode': 'error', 'count': 1})
        resp = self.update(code)
        self.assertEqual(resp.status, 500)
        self.assertEqual(self.ask(code)['status'], 'valid')

    def test_fault_stall(self):
        code = self.keygen()
        self.admin('fault', {'mode': 'stall', 'count': 1})
        start = time.monotonic()
        with self.assertRaises(OSError) as ctx:  # a timeout, maybe in a URLError
            self.update(code, timeout=1)
        self.assertGreaterEqual(time.monotonic() - start, 0.9)
        self.assertIn('timed out', str(ctx.exception))
        entries = self.log()
        self.assertEqual(entries[-1]['status'], 'stalled')
        self.assertEqual(entries[-1]['code'], mask(code))
        # the client gave up; the server still answers others
        self.assertEqual(self.ask(code)['status'], 'valid')

        # a stalled request that is still waiting is released by a reset
        self.admin('fault', {'mode': 'stall'})
        body = json.dumps({'protocol': 1, 'product': 'imsva', 'code': code}).encode()
        with socket.create_connection((self.host, self.port), timeout=10) as sock:
            sock.sendall(b'POST ' + UPDATE.encode() + b' HTTP/1.1\r\nHost: x\r\n'
                         b'Content-Type: application/json\r\nContent-Length: '
                         + str(len(body)).encode() + b'\r\n\r\n' + body)
            sock.settimeout(1)
            with self.assertRaises(socket.timeout):
                sock.recv(1)
            self.assertEqual(self.log()[-1]['status'], 'stalled')
            self.admin('reset')
            sock.settimeout(60 if self.valgrind else 10)
            data = b''
            while True:
                chunk = sock.recv(65536)
                if not chunk:
                    break
                data += chunk
        self.assertTrue(data.startswith(b'HTTP/1.1 503 '), data[:200])
        self.assertEqual(self.ask(code)['status'], 'valid')

    def test_stall_at_shutdown(self):
        '''A stalled request (client still waiting, or gone) does not keep the
        simulator from a clean exit.'''
        code = self.keygen()
        self.admin('fault', {'mode': 'stall', 'count': 0})
        with self.assertRaises(OSError):
            self.update(code, timeout=1)
        body = json.dumps({'protocol': 1, 'product': 'imsva', 'code': code}).encode()
        sock = socket.create_connection((self.host, self.port), timeout=10)
        try:
            sock.sendall(b'POST ' + UPDATE.encode() + b' HTTP/1.1\r\nHost: x\r\n'
                         b'Content-Length: ' + str(len(body)).encode() + b'\r\n\r\n' + body)
            deadline = time.monotonic() + (60 if self.valgrind else 10)
            while len([e for e in self.log() if e['status'] == 'stalled']) < 2:
                self.assertLess(time.monotonic(), deadline)
                time.sleep(0.05)
            self.assertEqual(self.stop_server(), 0)
        finally:
            sock.close()

    def test_fault_slow(self):
        code = self.keygen(expiry='2027-01-31')
        self.admin('fault', {'mode': 'slow', 'delay': 1, 'count': 1})
        resp = self.update(code)
        self.assertGreaterEqual(resp.elapsed, 1.0)
        self.assertEqual(resp.status, 200)
        self.assertEqual(resp.json()['expiry'], '2027-01-31')
        self.assertEqual(self.log()[-1]['status'], 200)
        resp = self.update(code)
        self.assertLess(resp.elapsed, 1.0 * self.slow)
        self.admin('fault', {'mode': 'slow', 'delay': 0.5})
        self.assertGreaterEqual(self.update(code).elapsed, 0.5)

    def test_slow_at_shutdown(self):
        '''An answer held back by the slow fault is sent when the simulator
        exits.'''
        code = self.keygen(expiry='2027-01-31')
        self.admin('fault', {'mode': 'slow', 'delay': 3600})
        result = {}

        def ask():
            result['resp'] = self.update(code, timeout=120 if self.valgrind else 30)

        thread = threading.Thread(target=ask)
        thread.start()
        try:
            deadline = time.monotonic() + (60 if self.valgrind else 10)
            while not self.log():
                self.assertLess(time.monotonic(), deadline)
                time.sleep(0.05)
            self.assertEqual(self.stop_server(), 0)
        finally:
            thread.join()
        self.assertEqual(result['resp'].status, 200)
        self.assertEqual(result['resp'].json()['expiry'], '2027-01-31')

    def test_fault_garbage(self):
        code = self.keygen()
        self.admin('fault', {'mode': 'garbage', 'count': 1})
        resp = self.update(code)
        self.assertEqual(resp.status, 200)
        self.assertEqual(resp.headers.get_content_type(), 'text/plain')
        self.assertGreater(len(resp.body), 0)
        with self.assertRaises(ValueError):
            json.loads(resp.body.decode('utf-8'))

    def test_fault_oversize(self):
        code = self.keygen()
        self.admin('fault', {'mode': 'oversize', 'count': 1})
        resp = self.update(code)
        self.assertEqual(resp.status, 200)
        self.assertEqual(int(resp.headers['Content-Length']), 1024 * 1024)
        self.assertEqual(len(resp.body), 1024 * 1024)
        self.assertTrue(resp.body.startswith(b'{'))
        self.assertNotIn(code.encode(), resp.body)

    def test_fault_wrong_code(self):
        code = self.keygen(expiry='2027-01-31')
        self.admin('fault', {'mode': 'wrong-code', 'count': 1})
        answer = self.ask(code)
        self.assertNotEqual(answer['code'], code)
        self.assertRegex(answer['code'], CODE_RE)
        self.assertTrue(self.keygen_decodes(answer['code']), answer['code'])
        self.assertEqual(answer['status'], 'valid')
        self.assertEqual(self.ask(code)['code'], code)
        # also for a code that is no code at all
        self.admin('fault', {'mode': 'wrong-code', 'count': 1})
        answer = self.ask('garbage')
        self.assertRegex(answer['code'], CODE_RE)

    def test_fault_redirect_loop(self):
        code = self.keygen()
        self.admin('fault', {'mode': 'redirect-loop', 'count': 2})
        resp = self.update(code)
        self.assertEqual(resp.status, 302)
        self.assertEqual(resp.headers['Location'], self.url(UPDATE))
        resp = self.update(code, path='/other/license_update.aspx')
        self.assertEqual(resp.status, 302)
        self.assertEqual(resp.headers['Location'], self.url('/other/license_update.aspx'))
        self.assertEqual(self.update(code).status, 200)
        self.assertEqual([e['status'] for e in self.log()], [302, 302, 200])

    def test_fault_html(self):
        code = self.keygen()
        self.admin('fault', {'mode': 'html', 'count': 1})
        resp = self.update(code)
        self.assertEqual(resp.status, 200)
        self.assertEqual(resp.headers.get_content_type(), 'text/html')
        self.assertTrue(resp.body.startswith(b'<!DOCTYPE html>'), resp.body[:200])
        self.assertEqual(self.ask(code)['status'], 'valid')

    def test_fault_bad_date(self):
        code = self.keygen(expiry='2027-01-31')
        self.admin('fault', {'mode': 'bad-date', 'count': 1})
        answer = self.ask(code)
        self.assertEqual((answer['code'], answer['status'], answer['expiry']),
                         (code, 'valid', '2027-02-30'))
        self.assertEqual(self.ask(code)['expiry'], '2027-01-31')

    def test_fault_busy(self):
        code = self.keygen()
        # by default 503 with Retry-After: 120
        self.admin('fault', {'mode': 'busy', 'count': 1})
        resp = self.update(code)
        self.assertEqual((resp.status, resp.headers['Retry-After']), (503, '120'))
        self.assertIn('error', resp.json())
        self.admin('fault', {'mode': 'busy', 'status': 429, 'retry_after': 0, 'count': 2})
        for _ in range(2):
            resp = self.update(code)
            self.assertEqual((resp.status, resp.headers['Retry-After']), (429, '0'))
        self.assertEqual(self.ask(code)['status'], 'valid')
        self.assertEqual([e['status'] for e in self.log()], [503, 429, 429, 200])
        # as an HTTP date, the Date header plus retry_after
        self.admin('fault', {'mode': 'busy', 'retry_after': 90, 'retry_after_date': True,
                             'count': 1})
        resp = self.update(code)
        self.assertEqual(resp.status, 503)
        self.assertEqual(email.utils.parsedate_to_datetime(resp.headers['Retry-After'])
                         - email.utils.parsedate_to_datetime(resp.headers['Date']),
                         datetime.timedelta(seconds=90))
        for body in ({'mode': 'busy', 'status': 500}, {'mode': 'busy', 'status': '429'},
                     {'mode': 'busy', 'retry_after': -1},
                     {'mode': 'busy', 'retry_after': 7 * 86400 + 1},
                     {'mode': 'busy', 'retry_after_date': 'yes'}):
            resp = self.request('POST', '/admin/fault', body)
            self.assertEqual(resp.status, 400, body)
        # a reset restores the defaults
        self.admin('fault', {'mode': 'busy', 'status': 429, 'retry_after': 5})
        self.admin('reset')
        self.admin('fault', {'mode': 'busy', 'count': 1})
        resp = self.update(code)
        self.assertEqual((resp.status, resp.headers['Retry-After']), (503, '120'))

    def test_fault_count(self):
        code = self.keygen()
        self.admin('fault', {'mode': 'error', 'count': 2})
        self.assertEqual(self.update(code).status, 500)
        self.log()  # admin requests do not count
        self.admin('today', {'today': TODAY})
        self.assertEqual(self.update(code).status, 500)
        self.assertEqual(self.update(code).status, 200)
        self.assertEqual(self.update(code).status, 200)

        # 0 (and no count at all): until cleared
        for fault in ({'mode': 'error', 'count': 0}, {'mode': 'error'}):
            self.admin('fault', fault)
            for _ in range(4):
                self.assertEqual(self.update(code).status, 500)
            self.admin('fault', {'mode': 'none'})
            self.assertEqual(self.update(code).status, 200)

        # a new fault replaces the old one
        self.admin('fault', {'mode': 'error', 'count': 5})
        self.admin('fault', {'mode': 'garbage', 'count': 1})
        self.assertEqual(self.update(code).headers.get_content_type(), 'text/plain')
        self.assertEqual(self.update(code).status, 200)
        self.assertEqual([e['status'] for e in self.log()],
                         [500, 500, 200, 200] + [500] * 4 + [200] + [500] * 4 + [200, 200, 200])

    def test_fault_admin_validation(self):
        for body in ({}, {'mode': 'explode'}, {'mode': 5}, {'mode': 'error', 'count': -1},
                     {'mode': 'error', 'count': 1.5}, {'mode': 'error', 'count': '1'},
                     {'mode': 'slow', 'delay': -1}, {'mode': 'slow', 'delay': 'soon'},
                     {'mode': 'slow', 'delay': 1e9}):
            resp = self.request('POST', '/admin/fault', body)
            self.assertEqual(resp.status, 400, body)
            self.assertIn('error', resp.json())
        self.assertEqual(self.update(self.keygen()).status, 200)

    # ---- HTTPS ----------------------------------------------------------------

    def test_https(self):
        self.use_tls()
        self.assertEqual(self.out_path.read_text().splitlines()[-1],
                         f'listening on https://127.0.0.1:{self.port}/')
        code = self.keygen(expiry='2027-01-31')
        self.assertEqual(self.ask(code)['expiry'], '2027-01-31')
        self.admin('fault', {'mode': 'error', 'count': 1})
        self.assertEqual(self.update(code).status, 500)
        # whether the request carried a Proxy-Authorization header
        self.update(code, headers={'Proxy-Authorization': 'Basic eDp5',
                                   'Content-Type': 'application/json'})
        self.assertEqual([(e['status'], e['proxy_authorization']) for e in self.log()],
                         [(200, False), (500, False), (200, True)])
        # a client that does not trust the CA, and plain HTTP, get nowhere;
        # the server goes on
        with self.assertRaises(urllib.error.URLError) as ctx:
            urllib.request.build_opener(urllib.request.ProxyHandler({})).open(
                self.url('/admin/log'), timeout=15)
        self.assertIn('CERTIFICATE_VERIFY_FAILED', str(ctx.exception))
        conn = http.client.HTTPConnection(self.host, self.port, timeout=15)
        with self.assertRaises((OSError, http.client.HTTPException)):
            conn.request('GET', '/admin/log')
            conn.getresponse().read()
        conn.close()
        self.assertEqual(self.ask(code)['status'], 'valid')

    # ---- log ------------------------------------------------------------------

    def test_log(self):
        code = self.keygen()
        other = self.keygen()
        self.admin('replace', {'code': code, 'new_code': other})
        self.ask(code)
        self.ask('not a code')
        self.request('GET', UPDATE)
        self.request('GET', DETAILS + '?id=' + details_id(code))
        self.request('GET', '/nothing-here')
        self.request('POST', UPDATE, b'{')
        self.admin('fault', {'mode': 'stall', 'count': 1})
        with self.assertRaises(OSError):
            self.update(other, timeout=1)
        entries = self.log()
        self.assertEqual([(e['path'], e['code'], e['status']) for e in entries], [
            (UPDATE, mask(code), 200),
            (UPDATE, '(invalid)', 200),
            (UPDATE, '', 405),
            (DETAILS, mask(code), 200),
            ('/nothing-here', '', 404),
            (UPDATE, '', 400),
            (UPDATE, mask(other), 'stalled'),
        ])
        self.assertNotIn('/admin', json.dumps(entries))
        # the verbose output masks too (checked for every test in tearDown)
        self.assertIn(mask(code), self.server_output())

    # ---- details page -----------------------------------------------------------

    def test_details_page(self):
        code = self.keygen(expiry='2027-01-31', slot='antispam')
        new = self.keygen(expiry='2028-01-31')
        unseen = self.keygen()
        # unknown until the server has seen the code
        self.assertEqual(self.request('GET', DETAILS + '?id=' + details_id(code)).status, 404)
        self.ask(code)
        resp = self.request('GET', DETAILS + '?id=' + details_id(code))
        self.assertEqual(resp.status, 200)
        self.assertEqual(resp.headers.get_content_type(), 'text/html')
        self.assertEqual(resp.headers.get_content_charset(), 'utf-8')
        html = resp.body.decode('utf-8')
        self.assertIn(mask(code), html)
        self.assertIn('2027-01-31', html)
        self.assertIn('antispam', html)
        self.assertNotIn(code, html)
        # the same page with an upper-case id, from any path ending like this
        resp = self.request('GET', '/x' + DETAILS + '?id=' + details_id(code).upper())
        self.assertEqual(resp.status, 200)

        # a code the server only knows from the admin interface
        self.admin('replace', {'code': code, 'new_code': new})
        html = self.request('GET', DETAILS + '?id=' + details_id(new)).body.decode('utf-8')
        self.assertIn(mask(new), html)
        self.assertIn('valid', html)
        self.assertNotIn(new, html)
        html = self.request('GET', DETAILS + '?id=' + details_id(code)).body.decode('utf-8')
        self.assertIn('replaced', html)
        self.assertIn(mask(new), html)

        for query in ('?id=' + details_id(unseen), '?id=', '', '?id=../../etc/passwd',
                      '?id=' + 'z' * 32, '?id=' + details_id(code) + '0'):
            resp = self.request('GET', DETAILS + query)
            self.assertEqual(resp.status, 404, query)
        self.assertEqual(self.request('POST', DETAILS + '?id=' + details_id(code), {}).status,
                         405)

    # ---- malformed requests ---------------------------------------------------------

    def test_malformed_requests(self):
        code = self.keygen()
        good = {'protocol': 1, 'product': 'imsva', 'code': code}
        bad_bodies = [
            b'', b'not json', b'[]', b'"a string"', b'42', b'null', b'{', b'{"code": }',
            json.dumps(dict(good, protocol=2)).encode(),
            json.dumps(dict(good, protocol='1')).encode(),
            json.dumps(dict(good, protocol=1.0)).encode(),
            json.dumps(dict(good, protocol=None)).encode(),
            json.dumps({k: v for k, v in good.items() if k != 'protocol'}).encode(),
            json.dumps(dict(good, product='IMSVA')).encode(),
            json.dumps(dict(good, product='exchange')).encode(),
            json.dumps(dict(good, product=1)).encode(),
            json.dumps({k: v for k, v in good.items() if k != 'product'}).encode(),
            json.dumps(dict(good, code=5)).encode(),
            json.dumps(dict(good, code=None)).encode(),
            json.dumps(dict(good, code=[code])).encode(),
            json.dumps({k: v for k, v in good.items() if k != 'code'}).encode(),
            # not UTF-8, NUL bytes, escapes json-glib mishandles, non-strict JSON
            b'{"protocol": 1, "product": "imsva", "code": "\xff\xfe"}',
            b'{"protocol": 1, "product": "imsva", "code": "a\x00b"}',
            b'{"protocol": 1, "product": "imsva", "code": "\\ud800"}',
            b'{"protocol": 1, "product": "imsva", "code": "\\udc00\\u0041"}',
            b'{"protocol": 1, "product": "imsva", "code": "\\ud800\\u0041"}',
            b'{"protocol": 1, "product": "imsva", "code": "\\u12"}',
            b'{"protocol": 1, "product": "imsva", "code": "\\x41"}',
            b'{"protocol": 1, "product": "imsva", "code": \'single\'}',
            b'{"protocol": 1, /* comment */ "product": "imsva", "code": "x"}',
            b'{"protocol": 1, "product": "imsva", "code": "' + b'\\u12"' + b'[' * 5000 + b'"}',
            # deep nesting (a recursive parser would overflow its stack)
            b'[' * 60000,
            b'{"a":' * 10000 + b'1' + b'}' * 10000,
            b'[' * 40 + b']' * 40,
        ]
        for body in bad_bodies:
            resp = self.request('POST', UPDATE, body)
            self.assertEqual(resp.status, 400, body[:100])
            self.assertEqual(resp.headers.get_content_type(), 'application/json')
            self.assertIsInstance(resp.json()['error'], str)
        # still well: nesting within the limit, unknown members, escapes
        answer = self.ask(code)
        self.assertEqual(answer['status'], 'valid')
        resp = self.request('POST', UPDATE, dict(good, extra={'a': [[[[1]]]]}, more='\u00e9\\'))
        self.assertEqual(resp.status, 200)
        resp = self.request('POST', UPDATE, json.dumps(
            dict(good, code='\U0001f600')).encode())  # a surrogate pair
        self.assertEqual(resp.json()['code'], '\U0001f600')
        self.assertEqual(self.log()[-1]['code'], '(invalid)')

    def test_random_bodies(self):
        rng = random.Random(20261125)
        alphabet = b'{}[]":,\\u0123456789abcdefnulltrue -.eE\x00\xff\n\t\'/*'
        for i in range(30 if self.valgrind else 300):
            n = rng.randrange(0, 400)
            if i % 2:
                body = bytes(rng.choice(alphabet) for _ in range(n))
            else:
                body = bytes(rng.randrange(256) for _ in range(n))
            resp = self.request('POST', UPDATE, body)
            self.assertIn(resp.status, (200, 400), body)
        self.assertEqual(self.ask(self.keygen())['status'], 'valid')

    def test_body_size_limit(self):
        code = self.keygen()
        good = json.dumps({'protocol': 1, 'product': 'imsva', 'code': code}).encode()
        # exactly 64 KiB is fine
        body = good[:-1] + b' ' * (BODY_MAX - len(good)) + b'}'
        self.assertEqual(len(body), BODY_MAX)
        resp = self.request('POST', UPDATE, body)
        self.assertEqual(resp.status, 200)
        # one byte more is not
        resp = self.request('POST', UPDATE, body[:-1] + b' }')
        self.assertEqual(resp.status, 413)
        self.assertIn('error', resp.json())
        resp = self.request('POST', UPDATE, b'x' * (4 * 1024 * 1024))
        self.assertEqual(resp.status, 413)

        # a chunked body is counted as it arrives
        conn = http.client.HTTPConnection(self.host, self.port, timeout=60)
        try:
            chunks = (good[:-1] + b' ' * 4096 for _ in range(20))
            conn.request('POST', UPDATE, body=chunks, encode_chunked=True,
                         headers={'Content-Type': 'application/json'})
            resp = conn.getresponse()
            self.assertEqual(resp.status, 413)
            resp.read()
        finally:
            conn.close()
        conn = http.client.HTTPConnection(self.host, self.port, timeout=60)
        try:
            conn.request('POST', UPDATE, body=iter([good[:10], good[10:]]), encode_chunked=True)
            resp = conn.getresponse()
            self.assertEqual(resp.status, 200)
            self.assertEqual(json.loads(resp.read())['status'], 'valid')
        finally:
            conn.close()

        # a huge declared body with "Expect: 100-continue" is refused before
        # it is sent
        with socket.create_connection((self.host, self.port), timeout=30) as sock:
            sock.sendall(b'POST ' + UPDATE.encode() + b' HTTP/1.1\r\nHost: x\r\n'
                         b'Content-Length: 1000000000\r\nExpect: 100-continue\r\n\r\n')
            data = sock.recv(65536)
        self.assertTrue(data.startswith(b'HTTP/1.1 413 '), data[:200])

        statuses = [e['status'] for e in self.log()]
        self.assertEqual(statuses, [200, 413, 413, 413, 200, 413])
        # the admin interface has the same limit
        resp = self.request('POST', '/admin/renew', b'{"code": "' + b'x' * BODY_MAX + b'"}')
        self.assertEqual(resp.status, 413)

    def test_methods_and_paths(self):
        resp = self.request('GET', UPDATE)
        self.assertEqual(resp.status, 405)
        self.assertEqual(resp.headers['Allow'], 'POST')
        self.assertIn('error', resp.json())
        for method in ('PUT', 'DELETE'):
            self.assertEqual(self.request(method, UPDATE, b'{}').status, 405)
        # any path that ends in license_update.aspx
        code = self.keygen()
        self.assertEqual(self.update(code, path='/license_update.aspx').json()['status'], 'valid')
        self.assertEqual(self.update(code, path='/a/b/license_update.aspx').status, 200)
        self.assertEqual(self.update(code, path='/ollu/license_update.asp').status, 404)
        self.assertEqual(self.request('GET', '/').status, 404)
        self.assertEqual(self.request('GET', '/admin/renew').status, 405)
        self.assertEqual(self.request('POST', '/admin/log', {}).status, 405)
        self.assertEqual(self.request('GET', '/admin/reset').status, 405)
        self.assertEqual(self.request('POST', '/admin/explode', {}).status, 404)
        self.assertEqual(self.request('GET', '/admin/').status, 404)

    def test_admin_validation(self):
        code = self.keygen()
        typo = code[:-1] + ('2' if code[-1] != '2' else '3')
        for name, body in (
                ('renew', {}),
                ('renew', {'code': code}),
                ('renew', {'code': typo, 'expiry': '2028-01-01'}),
                ('renew', {'code': code, 'expiry': '2028-02-30'}),
                ('renew', {'code': code, 'expiry': '28-01-01'}),
                ('renew', {'code': code, 'expiry': '2028-01-01', 'effective': 'soon'}),
                ('renew', {'code': 5, 'expiry': '2028-01-01'}),
                ('replace', {'code': code}),
                ('replace', {'code': code, 'new_code': code}),
                ('replace', {'code': code, 'new_code': 'nothing'}),
                ('suspend', {}),
                ('suspend', {'code': 'nothing'}),
                ('today', {}),
                ('today', {'today': '2026-13-01'}),
                ('today', {'today': 20261125}),
                ('renew', b'not json'),
                ('renew', b'[]'),
                ('renew', b'')):
            resp = self.request('POST', '/admin/' + name, body)
            self.assertEqual(resp.status, 400, (name, body))
            self.assertIsInstance(resp.json()['error'], str)
            self.assert_no_code_in(resp.body.decode(), 'an admin error')
        self.assertEqual(self.ask(code)['status'], 'valid')

    def test_admin_loopback_only(self):
        # the address this host would use towards the outside (no packet is sent)
        probe = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        try:
            probe.connect(('192.0.2.1', 9))
            addr = probe.getsockname()[0]
        except OSError:
            addr = None
        finally:
            probe.close()
        if not addr or addr.startswith('127.'):
            self.skipTest('this host has no non-loopback IPv4 address')
        self.stop_server()
        self.start_server(listen='0.0.0.0')
        code = self.keygen()
        resp = self.update(code, host=addr)
        self.assertEqual(resp.json()['status'], 'valid')
        for method, name in (('GET', 'log'), ('POST', 'reset'), ('POST', 'suspend')):
            resp = self.request(method, '/admin/' + name, {'code': code} if method == 'POST'
                                else None, host=addr)
            self.assertEqual(resp.status, 403, name)
        self.assertEqual(self.ask(code)['status'], 'valid')
        self.assertEqual(len(self.log()), 2)


if __name__ == '__main__':
    unittest.main(verbosity=2)
