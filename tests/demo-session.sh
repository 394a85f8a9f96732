#!/bin/bash
# The body of ./run-demo.sh, run on the private system bus it starts
# (DBUS_SYSTEM_BUS_ADDRESS is set). Also used by tests/test-demo.py.
set -euo pipefail
build=${IMSS_DEMO_BUILD:?}
top=${IMSS_DEMO_TOP:?}
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

# polkitd is not ours: python-dbusmock stands in, and lets the admin do everything
/usr/bin/python3 -m dbusmock --system --template polkitd >"$work/polkitd.log" 2>&1 &
pids+=($!)
gdbus wait --system --timeout 20 org.freedesktop.PolicyKit1
gdbus call --system -d org.freedesktop.PolicyKit1 -o /org/freedesktop/PolicyKit1/Authority \
	-m org.freedesktop.DBus.Mock.AllowUnknown true >/dev/null

cat >"$work/imss-licensed.conf" <<CONF
[license]
edition=imsva
CONF
start_daemon() {
	"$build/daemon/imss-licensed" --config "$work/imss-licensed.conf" \
		--state-dir "$work/state" --verbose >>"$work/daemon.log" 2>&1 &
	daemon_pid=$!
	pids+=($daemon_pid)
	gdbus wait --system --timeout 20 org.imss.License
}

say "imss-licensed on a private system bus, SQLite in $work/state"
start_daemon
run "$ctl" status

today=$(date +%F)
in_a_year=$(date -d "$today +1 year" +%F)
in_45_days=$(date -d "$today +45 days" +%F)
av=$("$keygen" --edition imsva --slot antivirus --expiry "$in_a_year")
as=$("$keygen" --edition imsva --slot antispam --expiry "$in_45_days")
dl=$("$keygen" --edition imsva --slot compliance --expiry "$in_a_year" --offline)

say "activation codes are read from standard input, never from argv"
printf '$ imss-license-keygen ... | imss-licensectl activate antivirus\n'
echo "$av" | "$ctl" activate antivirus
printf '$ imss-license-keygen ... | imss-licensectl activate antispam\n'
echo "$as" | "$ctl" activate antispam
printf '$ imss-license-keygen --offline ... | imss-licensectl activate compliance\n'
echo "$dl" | "$ctl" activate compliance

say "a typo is caught offline, before anything is stored"
typo="${av:0:10}$( [ "${av:10:1}" = X ] && echo Y || echo X )${av:11}"
printf '$ echo <code with one character changed> | imss-licensectl activate antivirus\n'
echo "$typo" | "$ctl" activate antivirus || echo "(exit status $?)"
printf '$ echo <an IMSS code> | imss-licensectl activate antivirus   # this is IMSVA\n'
"$keygen" --edition imss --slot antivirus --expiry "$in_a_year" | "$ctl" activate antivirus || echo "(exit status $?)"

say "status (the anti-spam license is within 60 days of expiry)"
run "$ctl" status

say "restart the daemon: everything is still there"
kill "$daemon_pid"; wait "$daemon_pid" 2>/dev/null || true
start_daemon
run "$ctl" status
say "in Japanese (LANGUAGE=ja)"
LANGUAGE=ja run "$ctl" status

say "history (codes masked)"
run "$ctl" history
say "the daemon's log never holds a full code"
for c in "$av" "$as" "$dl"; do
	if grep -qF "${c:8:23}" "$work/daemon.log"; then echo "LEAK"; exit 1; fi
done
echo "no activation code found in $work/daemon.log ($(wc -l <"$work/daemon.log") lines)"
