#!/bin/bash
# The reads against GetAll (issue 13; printed figures, not a test): on a
# private system bus, imss-licensed (SQLite, virtual clock) with three
# licenses activated and 400 virtual days passed, so that the history page
# is full and the lapsed licenses have notices. One client on one
# connection then measures, in ROUNDS interleaved rounds of CALLS calls per
# read: GetAll (manager), GetHistory(20), GetNotices('ja'),
# GetManagedObjects. Printed per read: the median over the rounds of each
# round's p50 (µs), its ratio to GetAll's, the reply's size, and the
# daemon's CPU time per call (µs, /proc/PID/stat over all its calls).
# Interleaving puts every read in the same moments of a machine whose speed
# drifts; compare within one run.
#
#   bench/reads.sh [BUILD_DIR] [ROUNDS] [CALLS]   (default build, 7, 300; as root)
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
build=$(cd "${1:-$top/build}" && pwd)
rounds=${2:-7}
calls=${3:-300}
exec "$top/tests/with-system-bus.sh" -- bash -c '
set -euo pipefail
top=$1; build=$2; rounds=$3; calls=$4
. "$top/bench/bench-world.sh"
printf "[license]\nedition=imsva\nenvironment=standalone\n" >"$w/c.conf"
"$build/daemon/imss-licensed" --config "$w/c.conf" --state-dir "$w/st" \
	--virtual-clock=2026-01-01T09:00:00 >"$w/log" 2>&1 &
pid=$!
gdbus wait --system --timeout 20 org.imss.License
for s in antivirus antispam compliance; do
	"$build/tools/imss-license-keygen" --edition imsva --slot $s --expiry 2026-06-30 |
		"$build/client/imss-licensectl" activate $s >/dev/null
done
gdbus call --system -d org.imss.License -o /org/imss/License \
	-m org.imss.License.VirtualClock.Advance $((400 * 86400)) >/dev/null
echo "one client, $(nproc) cores, build $build; $rounds interleaved rounds of $calls calls per read"
/usr/bin/python3 - "$pid" "$rounds" "$calls" <<"PY"
import os
import statistics
import sys
import time

from gi.repository import Gio, GLib

pid, rounds, n = int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3])
hz = os.sysconf("SC_CLK_TCK")
bus = Gio.DBusConnection.new_for_address_sync(
    os.environ["DBUS_SYSTEM_BUS_ADDRESS"],
    Gio.DBusConnectionFlags.AUTHENTICATION_CLIENT | Gio.DBusConnectionFlags.MESSAGE_BUS_CONNECTION,
    None, None)


def ticks():
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return int(fields[11]) + int(fields[12])  # utime, stime


def caller(path, iface, method, args):
    return lambda: bus.call_sync("org.imss.License", path, iface, method, args,
                                 None, Gio.DBusCallFlags.NONE, 5000, None)


reads = [
    ("GetAll (manager)", caller("/org/imss/License", "org.freedesktop.DBus.Properties", "GetAll",
                                GLib.Variant("(s)", ("org.imss.License",)))),
    ("GetHistory(20)", caller("/org/imss/License", "org.imss.License", "GetHistory",
                              GLib.Variant("(u)", (20,)))),
    ("GetNotices(ja)", caller("/org/imss/License", "org.imss.License", "GetNotices",
                              GLib.Variant("(s)", ("ja",)))),
    ("GetManagedObjects", caller("/org/imss/License", "org.freedesktop.DBus.ObjectManager",
                                 "GetManagedObjects", None)),
]
p50s = {name: [] for name, _ in reads}
cpu = {name: 0 for name, _ in reads}
size = {}
for name, call in reads:
    for _ in range(50):
        size[name] = call().get_size()
for _ in range(rounds):
    for name, call in reads:
        times = []
        t0 = ticks()
        for _ in range(n):
            t = time.perf_counter()
            call()
            times.append(time.perf_counter() - t)
        cpu[name] += ticks() - t0
        times.sort()
        p50s[name].append(times[n // 2] * 1e6)
base = statistics.median(p50s[reads[0][0]])
print("| read | p50 µs (median of rounds) | × GetAll | rounds min–max µs | reply B | daemon CPU µs per call |")
print("|---|---|---|---|---|---|")
for name, _ in reads:
    p = statistics.median(p50s[name])
    print(f"| {name} | {p:.0f} | {p / base:.2f} | {min(p50s[name]):.0f}–{max(p50s[name]):.0f} "
          f"| {size[name]:,} | {cpu[name] * 1e6 / hz / (rounds * n):.0f} |")
PY
' _ "$top" "$build" "$rounds" "$calls"
