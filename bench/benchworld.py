'''What the python benchmarks (bench/load.py, bench/fleet.py) share: they set
up the bus tests' world (tests/imsstest.py, tests/imssfleet.py) outside
unittest, run, and always clean up.'''

import os
import shutil
import signal
import sys
import tempfile
from pathlib import Path

SOURCE_ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(SOURCE_ROOT / 'tests'))


def use_build(build):
    '''The programs from build directory @build (not from the environment
    meson test sets).'''
    os.environ['IMSS_BUILD_DIR'] = str(build)
    for var in ('IMSS_LICENSED', 'IMSS_LICENSECTL', 'IMSS_LICENSE_KEYGEN',
                'IMSS_LICENSE_SERVER'):
        os.environ.pop(var, None)


def run(name, make_world, body):
    '''Creates the world (make_world()) with its directories (bus sockets,
    state, logs) under a temporary directory of our own and returns
    body(world), the exit status; 130 when interrupted (SIGINT, SIGTERM and
    SIGHUP unwind alike), 1 when the world could not be set up or failed.
    The world's cleanups always run; IMSS_TEST_KEEP=1 keeps the directory.'''
    def stop(signum, _frame):
        raise KeyboardInterrupt(f'signal {signum}')
    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGHUP, stop)

    tempfile.tempdir = tempfile.mkdtemp(prefix=f'bench-{name}.')
    os.chmod(tempfile.tempdir, 0o755)
    world = make_world()
    rc = 1
    try:
        rc = body(world)
    except KeyboardInterrupt:
        print(f'{name}.py: interrupted', file=sys.stderr)
        rc = 130
    except (world.failureException, RuntimeError) as e:
        print(f'{name}.py: setting up or running the world failed: {e}', file=sys.stderr)
    finally:
        # a second signal must not cut the cleanups short
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
        world.doCleanups()
        if os.environ.get('IMSS_TEST_KEEP', '') in ('', '0'):
            shutil.rmtree(tempfile.tempdir, ignore_errors=True)
    return rc
