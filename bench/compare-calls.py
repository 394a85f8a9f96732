#!/usr/bin/python3
"""GetAll latency and 4-client throughput of one service (bench/compare.sh).

   compare-calls.py BUS_NAME OBJECT_PATH INTERFACE [SECONDS]

Prints "p50_us p99_us calls_per_s calls": 2,000 sequential GetAll calls on
one connection, then 4 processes, each on its own connection, calling GetAll
back to back for SECONDS (default 3); calls counts them all (warm-ups
included), for the service's CPU time per call. The client is Python (PyGObject):
the same client for every service, so the ratios hold."""
import os
import subprocess
import sys
import time

from gi.repository import Gio, GLib


def getall(bus, name, path, iface):
    bus.call_sync(name, path, 'org.freedesktop.DBus.Properties', 'GetAll',
                  GLib.Variant('(s)', (iface,)), None, Gio.DBusCallFlags.NONE, 5000, None)


def latency(name, path, iface, n=2000):
    bus = Gio.DBusConnection.new_for_address_sync(
        os.environ['DBUS_SYSTEM_BUS_ADDRESS'],
        Gio.DBusConnectionFlags.AUTHENTICATION_CLIENT | Gio.DBusConnectionFlags.MESSAGE_BUS_CONNECTION,
        None, None)
    for _ in range(100):
        getall(bus, name, path, iface)
    times = []
    for _ in range(n):
        t = time.perf_counter()
        getall(bus, name, path, iface)
        times.append(time.perf_counter() - t)
    times.sort()
    return times[n // 2] * 1e6, times[n * 99 // 100] * 1e6


def client(name, path, iface, secs):
    bus = Gio.DBusConnection.new_for_address_sync(
        os.environ['DBUS_SYSTEM_BUS_ADDRESS'],
        Gio.DBusConnectionFlags.AUTHENTICATION_CLIENT | Gio.DBusConnectionFlags.MESSAGE_BUS_CONNECTION,
        None, None)
    getall(bus, name, path, iface)
    # start together: wait for the line on standard input
    sys.stdin.readline()
    n = 0
    end = time.monotonic() + secs
    while time.monotonic() < end:
        getall(bus, name, path, iface)
        n += 1
    print(n, flush=True)


def throughput(name, path, iface, secs, clients=4):
    procs = [subprocess.Popen([sys.executable, __file__, '--client', name, path, iface, str(secs)],
                              stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
             for _ in range(clients)]
    time.sleep(1)
    for p in procs:
        p.stdin.write('go\n')
        p.stdin.flush()
    total = sum(int(p.communicate()[0].split()[0]) for p in procs)
    return total, total / secs


def main():
    if sys.argv[1] == '--client':
        client(sys.argv[2], sys.argv[3], sys.argv[4], float(sys.argv[5]))
        return
    name, path, iface = sys.argv[1:4]
    secs = float(sys.argv[4]) if len(sys.argv) > 4 else 3.0
    p50, p99 = latency(name, path, iface)
    total, per_s = throughput(name, path, iface, secs)
    # 100 warm-ups and 2,000 timed calls, then each client's first call
    print('%.0f %.0f %.0f %d' % (p50, p99, per_s, 2100 + 4 + total))


if __name__ == '__main__':
    main()
