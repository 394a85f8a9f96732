#!/bin/bash
# The body of ./run-demo.sh, run on the private system bus it starts
# (DBUS_SYSTEM_BUS_ADDRESS is set). What is not ours is mocked with
# python-dbusmock (polkitd, systemd); the license server is the real
# simulator on loopback; the daemon runs on its virtual clock so that weeks
# of license calendar pass in seconds, through the production code paths.
set -euo pipefail
build=${IMSS_DEMO_BUILD:?}
ctl=$build/client/imss-licensectl
keygen=$build/tools/imss-license-keygen
work=$(mktemp -d "${TMPDIR:-/tmp}/imss-demo.XXXXXX")
chmod 755 "$work"
pids=()
cleanup() {
	for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
	wait 2>/dev/null || true
	if [ "${KEEP:-0}" = 1 ]; then echo "state kept in $work"; else rm -rf "$work"; fi
}
trap cleanup EXIT

say() { printf '\n\033[1m== %s\033[0m\n' "$*"; }
run() { printf '$ %s\n' "$*"; "$@"; }
admin() { # POST /admin/$1 with a JSON body to the simulator
	/usr/bin/python3 -c 'import json,sys,urllib.request as u
r=u.Request(sys.argv[1], data=sys.argv[2].encode(), headers={"Content-Type":"application/json"})
u.urlopen(r, timeout=10).read()' "$server/admin/$1" "$2"
}
advance_days() { # the simulator's date moves with the daemon's virtual one
	admin today "{\"today\": \"$(date -d "$today +$1 days" +%F)\"}"
	gdbus call --system -d org.imss.License -o /org/imss/License \
		-m org.imss.License.VirtualClock.Advance $(($1 * 86400)) >/dev/null
	sleep 0.5 # the check's HTTP exchange completes right after
}

# polkitd and systemd are not ours: python-dbusmock stands in
/usr/bin/python3 -m dbusmock --system --template polkitd >"$work/polkitd.log" 2>&1 &
pids+=($!)
/usr/bin/python3 -m dbusmock --system --template systemd >"$work/systemd.log" 2>&1 &
pids+=($!)
gdbus wait --system --timeout 20 org.freedesktop.PolicyKit1
gdbus wait --system --timeout 20 org.freedesktop.systemd1
gdbus call --system -d org.freedesktop.PolicyKit1 -o /org/freedesktop/PolicyKit1/Authority \
	-m org.freedesktop.DBus.Mock.AllowUnknown true >/dev/null
sd() { gdbus call --system -d org.freedesktop.systemd1 -o /org/freedesktop/systemd1 "$@"; }
sd -m org.freedesktop.DBus.Mock.AddMethod org.freedesktop.systemd1.Manager RestartUnit ss o \
	'self.n = getattr(self, "n", 0) + 1
ret = dbus.ObjectPath("/org/freedesktop/systemd1/job/%d" % self.n)
self.EmitSignal("org.freedesktop.systemd1.Manager", "JobRemoved", "uoss", [dbus.UInt32(self.n), ret, args[0], "done"])' >/dev/null
sd -m org.freedesktop.DBus.Mock.AddMethod org.freedesktop.systemd1.Manager Subscribe '' '' '' >/dev/null
restarts() {
	sd -m org.freedesktop.DBus.Mock.GetMethodCalls RestartUnit |
		grep -o "imss-[a-z-]*\.service" | tr '\n' ' '
	echo
}

today=$(date +%F)
"$build/tools/server/imss-license-server" --port-file "$work/server.port" --today "$today" \
	>"$work/server.log" 2>&1 &
pids+=($!)
for _ in $(seq 100); do [ -s "$work/server.port" ] && break; sleep 0.05; done
server="http://127.0.0.1:$(cat "$work/server.port")"

mkdir -p "$work/motd.d"
cat >"$work/imss-licensed.conf" <<CONF
[license]
edition=imsva
motd-file=$work/motd.d/imss-license
[license-server]
url=$server/ollu/license_update.aspx
timeout=5
CONF
start_daemon() {
	"$build/daemon/imss-licensed" --config "$work/imss-licensed.conf" \
		--state-dir "$work/state" --virtual-clock="$1" --verbose >>"$work/daemon.log" 2>&1 &
	daemon_pid=$!
	pids+=($daemon_pid)
	gdbus wait --system --timeout 20 org.imss.License
}

say "imss-licensed on a private system bus: SQLite in $work/state, license server $server"
start_daemon "${today}T09:00:00"
run "$ctl" status
# what an operator's terminal would show live (printed at the end)
"$ctl" monitor >"$work/monitor.out" 2>"$work/monitor.err" &
pids+=($!)

av=$("$keygen" --edition imsva --slot antivirus --expiry "$(date -d "$today +45 days" +%F)")
as=$("$keygen" --edition imsva --slot antispam --expiry "$(date -d "$today +200 days" +%F)")
dl=$("$keygen" --edition imsva --slot compliance --expiry "$(date -d "$today +365 days" +%F)" --offline)

say "activation codes are read from standard input, never from argv"
printf '$ imss-license-keygen ... | imss-licensectl activate antivirus\n'
echo "$av" | "$ctl" activate antivirus
printf '$ imss-license-keygen ... | imss-licensectl activate antispam\n'
echo "$as" | "$ctl" activate antispam
printf '$ imss-license-keygen --offline ... | imss-licensectl activate compliance\n'
echo "$dl" | "$ctl" activate compliance
sleep 0.5
echo "units restarted through systemd (SPEC §7): $(restarts)"

say "a typo, and a code of the other edition, are caught offline: nothing is stored"
typo="${av:0:10}$( [ "${av:10:1}" = X ] && echo Y || echo X )${av:11}"
printf '$ echo <code with one character changed> | imss-licensectl activate antivirus\n'
echo "$typo" | "$ctl" activate antivirus || echo "(exit status $?)"
printf '$ echo <an IMSS code> | imss-licensectl activate antivirus   # this is IMSVA\n'
"$keygen" --edition imss --slot antivirus --expiry "$today" | "$ctl" activate antivirus || echo "(exit status $?)"

say "status: the antivirus license expires in 45 days"
run "$ctl" status
say "the console notices (SPEC §9.1), in English and Japanese"
run "$ctl" notices
LANGUAGE=ja run "$ctl" notices
say "the license calendar (SPEC §5.1)"
run "$ctl" schedule --days 60
say "the mail recipients of the expiry notices (SPEC §9.2), set over D-Bus (polkit), no restart"
run "$ctl" settings set mail-to "postmaster@example.com"
run "$ctl" settings
say "a monitoring check (Nagios/Icinga exit codes): WARNING at 45 days left"
run "$ctl" check || echo "(exit status $?)"
say "the login notice of a headless gateway (/run/motd.d/imss-license on a real one)"
cat "$work/motd.d/imss-license" 2>/dev/null || echo "(no notice to show)"

say "the customer renews antivirus; the vendor's server shows it 14 days later"
admin renew "{\"code\": \"$av\", \"expiry\": \"$(date -d "$today +410 days" +%F)\", \"effective\": \"$(date -d "$today +14 days" +%F)\"}"
run "$ctl" update
say "16 virtual days later: the automatic check on E-30 picks the renewal up (and restarts nothing)"
advance_days 16
run "$ctl" status
echo "restart requests so far (two per activation, none for the automatic update): $(restarts)"

say "restart the daemon: everything is still there"
kill "$daemon_pid"; wait "$daemon_pid" 2>/dev/null || true
start_daemon "$(date -d "$today +16 days" +%F)T10:00:00"
say "in Japanese (LANGUAGE=ja)"
LANGUAGE=ja run "$ctl" status

say "what 'imss-licensectl monitor' printed meanwhile, live, one line per event"
cat "$work/monitor.out"

say "history (codes masked)"
run "$ctl" history --limit 12
say "the daemon's log never holds a full code"
for c in "$av" "$as" "$dl"; do
	if grep -qF "${c:8:23}" "$work/daemon.log"; then echo "LEAK"; exit 1; fi
done
echo "no activation code found in $work/daemon.log ($(wc -l <"$work/daemon.log") lines)"
