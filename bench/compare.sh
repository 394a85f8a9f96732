#!/bin/bash
# The daemon beside its yardsticks, in one run on one private system bus
# (issue 13; printed figures, not a test):
#  - "floor": bench/floor.c, a gdbus-codegen service that opens SQLite
#    through libgda (libgda's default: every installed provider) and reads
#    one table;
#  - imss-licensed (SQLite, 3 licenses activated after the start);
#  - upowerd, when installed.
# For each: start-up (exec to the bus name owned, seen from outside, median
# of 10 starts), RSS / PSS / private dirty after start (kB, from
# /proc/PID/smaps_rollup), idle wake-ups (context switches of all threads)
# over IDLE_SECONDS, GetAll p50/p99 (µs) and 4-client GetAll calls/s
# (bench/compare-calls.py), the CPU time per GetAll over those calls of the
# service and of the bus's dbus-daemon (µs, /proc/PID/stat), then one table
# with ratios to the floor.
#
#   bench/compare.sh [BUILD_DIR] [IDLE_SECONDS]   (default build, 30 s; as root)
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
build=$(cd "${1:-$top/build}" && pwd)
secs=${2:-30}
exec "$top/tests/with-system-bus.sh" -- bash -c '
set -euo pipefail
top=$1; build=$2; secs=$3
. "$top/bench/bench-world.sh"
printf "[license]\nedition=imsva\n[license-server]\nurl=http://127.0.0.1:9/ollu/license_update.aspx\ntimeout=2\n" >"$w/c.conf"
# context switches per thread ("tid count"); wakeups A B: the switches
# between two snapshots, of the threads alive at the second (a thread that
# ended in between, a worker of GLib'"'"'s pool, counts no more)
ctxsw() { for t in /proc/$1/task/*; do echo "${t##*/} $(awk "/ctxt_switches/ {s += \$2} END {print s}" $t/status)"; done; }
wakeups() { awk "NR == FNR {a[\$1] = \$2; next} {s += \$2 - a[\$1]} END {print s + 0}" <(echo "$1") <(echo "$2"); }
# user + system CPU time of a process, in clock ticks
ticks() { awk "{print \$14 + \$15}" /proc/$1/stat; }
mem() { awk "/^(Rss|Pss|Private_Dirty):/ {printf \"%s \", \$2}" /proc/$1/smaps_rollup; }
now_us() { echo $(( $(date +%s%N) / 1000 )); }

# start NAME BUSNAME CMD...: one start; sets pid and ms
start() {
	local bus=$2; shift 2
	local t0 t1
	t0=$(now_us)
	"$@" >>"$w/log" 2>&1 & pid=$!
	gdbus wait --system --timeout 20 "$bus"
	t1=$(now_us)
	ms=$(awk -v a=$t0 -v b=$t1 "BEGIN {printf \"%.1f\", (b - a) / 1000}")
}
stop() { kill "$pid"; wait "$pid" 2>/dev/null || true; }

# measure LABEL BUSNAME PATH IFACE SETUP CMD...
measure() {
	local label=$1 bus=$2 path=$3 iface=$4 setup=$5; shift 5
	local starts=() m a b calls median t0 t1 b0 b1 cpu buscpu
	for i in 1 2 3 4 5 6 7 8 9 10; do
		start "$label" "$bus" "$@"
		starts+=("$ms")
		[ $i -lt 10 ] && stop
	done
	median=$(printf "%s\n" "${starts[@]}" | sort -n | sed -n 5,6p | awk "{s += \$1} END {printf \"%.1f\", s / 2}")
	m=$(mem $pid)
	$setup
	sleep 2
	a=$(ctxsw $pid); sleep "$secs"; b=$(ctxsw $pid)
	idle=$(wakeups "$a" "$b")
	t0=$(ticks $pid); b0=$(ticks $buspid)
	calls=$(/usr/bin/python3 "$top/bench/compare-calls.py" "$bus" "$path" "$iface" 3)
	t1=$(ticks $pid); b1=$(ticks $buspid)
	# the CPU time per GetAll of the service and of the bus, µs (the last
	# field: the calls)
	cpu=$(echo "$calls" | awk -v t=$((t1 - t0)) -v hz=$(getconf CLK_TCK) "{printf \"%.0f\", t * 1e6 / hz / \$4}")
	buscpu=$(echo "$calls" | awk -v t=$((b1 - b0)) -v hz=$(getconf CLK_TCK) "{printf \"%.0f\", t * 1e6 / hz / \$4}")
	stop
	echo "$label $median $m $idle $calls $cpu $buscpu" >>"$w/rows"
}
activate3() {
	for s in antivirus antispam compliance; do
		"$build/tools/imss-license-keygen" --edition imsva --slot $s --expiry "$(date -d "+100 days" +%F)" |
			"$build/client/imss-licensectl" activate $s >/dev/null
	done
}
none() { :; }

# the private bus'"'"'s dbus-daemon (it answers for its own name)
buspid=$(gdbus call --system -d org.freedesktop.DBus -o /org/freedesktop/DBus \
	-m org.freedesktop.DBus.GetConnectionUnixProcessID org.freedesktop.DBus | sed "s/.* \([0-9]*\),.*/\1/")
rm -rf "$w/floor"
measure floor org.imss.License /org/imss/License org.imss.License none "$build/bench/floor" "$w/floor"
measure imss-licensed org.imss.License /org/imss/License org.imss.License activate3 \
	"$build/daemon/imss-licensed" --config "$w/c.conf" --state-dir "$w/st"
upowerd=
for p in /usr/libexec/upowerd /usr/lib/upower/upowerd; do [ -x "$p" ] && upowerd=$p; done
if [ -n "$upowerd" ]; then
	measure upowerd org.freedesktop.UPower /org/freedesktop/UPower org.freedesktop.UPower none "$upowerd"
fi

echo "one run, $(nproc) cores, build $build; memory in kB after start; wake-ups over $secs s"
awk -v secs="$secs" "
NR == 1 { f_ms = \$2; f_rss = \$3; f_pss = \$4; f_pd = \$5; f_p50 = \$7; f_cps = \$9; f_cpu = \$11 }
{ rows[NR] = \$0 }
END {
	printf \"| | start-up ms | RSS kB | PSS kB | private dirty kB | idle wake-ups/%d s | GetAll p50 µs | GetAll p99 µs | 4-client calls/s | service CPU µs per GetAll | bus CPU µs per GetAll |\n\", secs
	printf \"|---|---|---|---|---|---|---|---|---|---|---|\n\"
	for (i = 1; i <= NR; i++) {
		split(rows[i], r, \" \")
		printf \"| %s | %s (%.2f×) | %s (%+d) | %s (%+d) | %s (%+d) | %s | %s (%.2f×) | %s | %s (%.2f×) | %s (%.2f×) | %s |\n\", r[1], r[2], r[2] / f_ms, r[3], r[3] - f_rss, r[4], r[4] - f_pss, r[5], r[5] - f_pd, r[6], r[7], r[7] / f_p50, r[8], r[9], r[9] / f_cps, r[11], r[11] / f_cpu, r[12]
	}
}" "$w/rows"
[ -n "$upowerd" ] || echo "upowerd: not installed on this machine (no /usr/libexec/upowerd): not measured"
' _ "$top" "$build" "$secs"
