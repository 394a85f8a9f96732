#!/bin/bash
# Benchmarks of the idle daemon (printed figures, not a test):
#  - start-up: from exec to owning org.imss.License (ms), RSS after start;
#  - wake-ups of the idle daemon over a period (context switches of all its
#    threads, from /proc), with licenses activated and the calendar armed.
#
#   bench/idle.sh [BUILD_DIR] [SECONDS]    (default build, 60 s; run as root)
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
build=$(cd "${1:-$top/build}" && pwd)
secs=${2:-60}
exec "$top/tests/with-system-bus.sh" -- bash -c '
set -euo pipefail
top=$1; build=$2; secs=$3
. "$top/bench/bench-world.sh"
printf "[license]\nedition=imsva\n[license-server]\nurl=http://127.0.0.1:9/ollu/license_update.aspx\ntimeout=2\n" >"$w/c.conf"
ctxsw() { cat /proc/$1/task/*/status | awk "/ctxt_switches/ {s += \$2} END {print s}"; }
t0=$(date +%s%N)
"$build/daemon/imss-licensed" --config "$w/c.conf" --state-dir "$w/st" >"$w/log" 2>&1 & d=$!
while ! gdbus call --system -d org.freedesktop.DBus -o /org/freedesktop/DBus \
	-m org.freedesktop.DBus.NameHasOwner org.imss.License 2>/dev/null | grep -q true; do sleep 0.001; done
t1=$(date +%s%N)
echo "start-up to name owned: $(( (t1 - t0) / 1000000 )) ms seen from outside (polling the bus); the daemon says: $(grep -o "acquired the name.*" "$w/log")"
echo "RSS after start: $(awk "/VmRSS/ {print \$2, \$3}" /proc/$d/status), threads: $(ls /proc/$d/task | wc -l)"
for s in antivirus antispam compliance; do
	"$build/tools/imss-license-keygen" --edition imsva --slot $s --expiry "$(date -d "+100 days" +%F)" |
		"$build/client/imss-licensectl" activate $s >/dev/null
done
echo "RSS after three activations: $(awk "/VmRSS/ {print \$2, \$3}" /proc/$d/status)"
sleep 2
a=$(ctxsw $d)
sleep "$secs"
b=$(ctxsw $d)
echo "idle wake-ups over ${secs} s (context switches, all threads): $((b - a))"
kill $d; wait $d 2>/dev/null || true
' _ "$top" "$build" "$secs"
