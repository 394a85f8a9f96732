#!/usr/bin/python3
'''The examples of libimss-license-1 (examples/list-slots.py with PyGObject,
examples/list-slots.js with GJS) against the daemon on a private system
bus, through the typelib of the build tree (GI_TYPELIB_PATH): they list the
six slots and print the state change of an activation.'''

import os
import select
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import imsstest  # noqa: E402
from imsstest import SLOTS, SOURCE_ROOT  # noqa: E402


class ExamplesTest(imsstest.ImssTestCase):
    def run_example(self, argv):
        proc = subprocess.Popen(argv + ['--once'], stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE, text=True)
        self.addCleanup(lambda: proc.poll() is None and proc.kill())
        lines = []
        deadline = time.monotonic() + 120
        while 'waiting for state changes' not in lines:
            ready, _, _ = select.select([proc.stdout], [], [], max(0, deadline - time.monotonic()))
            line = proc.stdout.readline() if ready else ''
            if not line:
                # never wait for a process that did not answer: stop it first
                proc.kill()
                _out, err = proc.communicate()
                self.fail(f'{argv}: no listing within 120 s; stderr: {err}')
            lines.append(line.rstrip('\n'))
        self.assertEqual([line.split()[0] for line in lines[:-1]], SLOTS)
        for line in lines[:-1]:
            self.assertEqual(line.split()[1:], ['not-activated', '-', '-'])

        self.activate('antivirus', self.make_code('antivirus', offline=True))
        out, err = proc.communicate(timeout=60)
        self.assertEqual(proc.returncode, 0, err)
        self.assertEqual(out.strip(), 'state-changed antivirus not-activated -> active')

    def test_python(self):
        self.run_example(['/usr/bin/python3', str(SOURCE_ROOT / 'examples' / 'list-slots.py')])

    def test_gjs(self):
        self.run_example(['gjs', str(SOURCE_ROOT / 'examples' / 'list-slots.js')])


if __name__ == '__main__':
    imsstest.main()
