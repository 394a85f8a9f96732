#!/usr/bin/python3
'''The examples of libimss-license-1 (examples/list-slots.py with PyGObject,
examples/list-slots.js with GJS) against the daemon on a private system
bus, through the typelib of the build tree (GI_TYPELIB_PATH): they list the
six slots and print the state change of an activation.'''

import os
import queue
import subprocess
import sys
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import imsstest  # noqa: E402
from imsstest import SLOTS, SOURCE_ROOT  # noqa: E402


class ExamplesTest(imsstest.ImssTestCase):
    def run_example(self, argv):
        proc = subprocess.Popen(argv + ['--once'], stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE, text=True)
        self.addCleanup(lambda: proc.poll() is None and proc.kill())
        # a reader thread: select() on a buffered pipe misses the lines that
        # a readline() has already taken into its buffer
        out = queue.Queue()
        threading.Thread(target=lambda: [out.put(line.rstrip('\n')) for line in proc.stdout],
                         daemon=True).start()
        lines = []
        deadline = time.monotonic() + 120
        while 'waiting for state changes' not in lines:
            try:
                lines.append(out.get(timeout=max(0.1, deadline - time.monotonic())))
            except queue.Empty:
                # never wait for a process that did not answer: stop it first
                proc.kill()
                _out, err = proc.communicate()
                self.fail(f'{argv}: no listing within 120 s: {lines}; stderr: {err}')
        self.assertEqual([line.split()[0] for line in lines[:-1]], SLOTS)
        for line in lines[:-1]:
            self.assertEqual(line.split()[1:], ['not-activated', '-', '-'])

        self.activate('antivirus', self.make_code('antivirus', offline=True))
        self.assertEqual(proc.wait(timeout=60), 0, proc.stderr.read())
        rest = []
        while not out.empty() or not rest:
            try:
                rest.append(out.get(timeout=5))
            except queue.Empty:
                break
        self.assertEqual(rest, ['state-changed antivirus not-activated -> active'])

    def test_python(self):
        self.run_example(['/usr/bin/python3', str(SOURCE_ROOT / 'examples' / 'list-slots.py')])

    def test_gjs(self):
        self.run_example(['gjs', str(SOURCE_ROOT / 'examples' / 'list-slots.js')])


if __name__ == '__main__':
    imsstest.main()
