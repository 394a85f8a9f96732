#!/bin/bash
# imss-notifier on a real desktop stack, in Japanese: Xvfb, the dunst
# notification server, imss-licensed on its virtual clock on a private system
# bus (with python-dbusmock's polkitd and systemd), all inside a private
# session bus. A license reaches E-15; the test checks that dunst shows the
# notice (dunstctl count displayed, then the Japanese texts in its history),
# and takes a screenshot for a person to look at (the path is printed).
#
#   tests/test-notifier-gui.sh        (meson test --suite gui notifier-gui)
#
# It starts its own buses: it re-executes itself under dbus-run-session and
# tests/with-system-bus.sh. Every tool it needs must be there: a missing one
# FAILS the test (exit 1), it is never skipped.
#
# Programs come from the environment (tests/meson.build): IMSS_LICENSED,
# IMSS_LICENSECTL, IMSS_LICENSE_KEYGEN, IMSS_NOTIFIER, IMSS_LOCALEDIR, or the
# build directory IMSS_BUILD_DIR (default: build/). The screenshot goes to
# IMSS_SCREENSHOT_DIR (default: $IMSS_BUILD_DIR/meson-logs, else
# $IMSS_BUILD_DIR).
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
self="$here/$(basename "$0")"

fail() {
	echo "FAIL: $*" >&2
	exit 1
}

# -- the tools: all required ----------------------------------------------------
need() { # need PROGRAM PACKAGE
	command -v "$1" >/dev/null 2>&1 || fail "$1 is missing (apt-get install $2)"
}
check_tools() {
	need dbus-run-session dbus-bin
	need dbus-daemon dbus-daemon
	need gdbus libglib2.0-bin
	need Xvfb xvfb
	need xdpyinfo x11-utils
	need xwd x11-apps
	need dunst dunst
	need dunstctl dunst
	need fc-list fontconfig
	[ -x /usr/bin/convert ] || fail "/usr/bin/convert is missing (apt-get install imagemagick)"
	[ -x /usr/bin/compare ] || fail "/usr/bin/compare is missing (apt-get install imagemagick)"
	[ -x /usr/bin/python3 ] || fail "/usr/bin/python3 is missing"
	/usr/bin/python3 -c 'import dbusmock' 2>/dev/null ||
		fail "python-dbusmock is missing (apt-get install python3-dbusmock)"
	[ -n "$(fc-list :lang=ja)" ] ||
		fail "no font with Japanese glyphs (apt-get install fonts-ipafont-gothic)"
}

# -- outer: bring up the buses and run the body inside them ---------------------
if [ "${IMSS_GUI_INNER:-}" != 1 ]; then
	check_tools
	export IMSS_GUI_INNER=1
	exec dbus-run-session -- "$here/with-system-bus.sh" -- "$self"
fi

# -- inner: DBUS_SESSION_BUS_ADDRESS and DBUS_SYSTEM_BUS_ADDRESS are private -----
[ -n "${DBUS_SESSION_BUS_ADDRESS:-}" ] || fail "no private session bus"
[ -n "${DBUS_SYSTEM_BUS_ADDRESS:-}" ] || fail "no private system bus"

build=${IMSS_BUILD_DIR:-$here/../build}
licensed=${IMSS_LICENSED:-$build/daemon/imss-licensed}
ctl=${IMSS_LICENSECTL:-$build/client/imss-licensectl}
keygen=${IMSS_LICENSE_KEYGEN:-$build/tools/imss-license-keygen}
notifier=${IMSS_NOTIFIER:-$build/client/notifier/imss-notifier}
localedir=${IMSS_LOCALEDIR:-$build/po}
for p in "$licensed" "$ctl" "$keygen" "$notifier"; do
	[ -x "$p" ] || fail "$p is not built"
done
[ -f "$localedir/ja/LC_MESSAGES/imss-license.mo" ] ||
	fail "no Japanese catalogue in $localedir (build the po/ targets)"
shot_dir=${IMSS_SCREENSHOT_DIR:-}
if [ -z "$shot_dir" ]; then
	if [ -d "$build/meson-logs" ]; then shot_dir=$build/meson-logs; else shot_dir=$build; fi
fi
mkdir -p "$shot_dir"
shot_dir=$(cd "$shot_dir" && pwd)

export TZ=Asia/Tokyo
work=$(mktemp -d "${TMPDIR:-/tmp}/imss-gui.XXXXXX")
chmod 755 "$work"
pids=()
notifier_pid=
cleanup() {
	local rc=$?
	if [ -n "$notifier_pid" ]; then kill "$notifier_pid" 2>/dev/null || true; fi
	for ((i = ${#pids[@]} - 1; i >= 0; i--)); do kill "${pids[$i]}" 2>/dev/null || true; done
	wait 2>/dev/null || true
	if [ $rc -ne 0 ]; then
		for f in "$work"/*.log; do
			[ -f "$f" ] || continue
			echo "---- $(basename "$f") (last lines)" >&2
			tail -n 25 "$f" >&2
		done
	fi
	if [ "${IMSS_TEST_KEEP:-0}" = 1 ]; then echo "kept $work"; else rm -rf "$work"; fi
	exit $rc
}
trap cleanup EXIT

wait_until() { # wait_until SECONDS DESCRIPTION COMMAND...
	local limit=$1 what=$2
	shift 2
	local end=$((SECONDS + limit))
	until "$@" >/dev/null 2>&1; do
		[ $SECONDS -lt $end ] || fail "timed out waiting for $what"
		sleep 0.1
	done
}

# -- X and dunst ------------------------------------------------------------------
Xvfb -displayfd 3 -screen 0 1024x768x24 -nolisten tcp 3>"$work/display" >"$work/xvfb.log" 2>&1 &
pids+=($!)
wait_until 20 "Xvfb" test -s "$work/display"
export DISPLAY=":$(head -n 1 "$work/display")"
wait_until 20 "the X display $DISPLAY" xdpyinfo
echo "X display $DISPLAY"

mkdir -p "$work/xdg/dunst"
cat >"$work/xdg/dunst/dunstrc" <<'EOF'
[global]
    font = IPAGothic 12
    width = 560
    height = 300
    origin = top-right
    offset = 20x20
    format = "<b>%s</b>\n%b\n(%a)"
    word_wrap = yes
    markup = full
    frame_width = 2
    show_indicators = no
    # no icon theme with dialog-* in a minimal CI image; the icon names are
    # checked by test-notifier.py
    icon_position = off
[urgency_low]
    timeout = 0
[urgency_normal]
    timeout = 0
[urgency_critical]
    timeout = 0
EOF
XDG_CONFIG_HOME="$work/xdg" dunst -config "$work/xdg/dunst/dunstrc" >"$work/dunst.log" 2>&1 &
pids+=($!)
gdbus wait --session --timeout 20 org.freedesktop.Notifications ||
	fail "dunst did not own org.freedesktop.Notifications"
gdbus call --session -d org.freedesktop.Notifications -o /org/freedesktop/Notifications \
	-m org.freedesktop.Notifications.GetServerInformation

# -- the daemon on the private system bus, with polkitd and systemd mocked ------
/usr/bin/python3 -m dbusmock --system --template polkitd >"$work/polkitd.log" 2>&1 &
pids+=($!)
/usr/bin/python3 -m dbusmock --system --template systemd >"$work/systemd.log" 2>&1 &
pids+=($!)
gdbus wait --system --timeout 20 org.freedesktop.PolicyKit1
gdbus wait --system --timeout 20 org.freedesktop.systemd1
gdbus call --system -d org.freedesktop.PolicyKit1 -o /org/freedesktop/PolicyKit1/Authority \
	-m org.freedesktop.DBus.Mock.AllowUnknown true >/dev/null
sd() { gdbus call --system -d org.freedesktop.systemd1 -o /org/freedesktop/systemd1 "$@" >/dev/null; }
sd -m org.freedesktop.DBus.Mock.AddMethod org.freedesktop.systemd1.Manager RestartUnit ss o \
	'self.n = getattr(self, "n", 0) + 1
ret = dbus.ObjectPath("/org/freedesktop/systemd1/job/%d" % self.n)
self.EmitSignal("org.freedesktop.systemd1.Manager", "JobRemoved", "uoss", [dbus.UInt32(self.n), ret, args[0], "done"])'
sd -m org.freedesktop.DBus.Mock.AddMethod org.freedesktop.systemd1.Manager Subscribe '' '' ''

start='2030-01-01T09:00:00'
expiry='2030-03-15'
cat >"$work/imss-licensed.conf" <<EOF
[license]
edition=imsva
motd-file=none
[license-server]
url=http://127.0.0.1:9/ollu/license_update.aspx
EOF
XDG_DATA_HOME="$work/xdg-data" "$licensed" --config "$work/imss-licensed.conf" \
	--state-dir "$work/state" --virtual-clock="$start" --verbose >"$work/daemon.log" 2>&1 &
pids+=($!)
gdbus wait --system --timeout 30 org.imss.License || fail "imss-licensed did not start"

# -- the notifier, in Japanese ----------------------------------------------------
env -u LC_ALL -u LC_MESSAGES LANG=C.UTF-8 LANGUAGE=ja IMSS_LOCALEDIR="$localedir" \
	IMSS_LICENSECTL="$ctl" G_DEBUG=fatal-criticals \
	"$notifier" --verbose >"$work/notifier.log" 2>&1 &
notifier_pid=$!
wait_until 20 "the notifier to read the current notices" grep -q 'read the current notices' "$work/notifier.log"

xwd -root -silent | /usr/bin/convert xwd:- png:"$work/before.png"

# -- E-15: the daily notice ---------------------------------------------------------
code=$("$keygen" --edition imsva --slot antivirus --expiry "$expiry")
echo "$code" | "$ctl" activate antivirus >/dev/null
seconds=$(($(date -d '2030-02-28 01:00:00' +%s) - $(date -d "${start/T/ }" +%s)))
gdbus call --system -d org.imss.License -o /org/imss/License \
	-m org.imss.License.VirtualClock.Advance "$seconds" >/dev/null

name='ウイルス対策およびコンテンツフィルタ'
summary="${name}のライセンスの有効期限はあと15日で終了します"
body="${name}のサポート契約はあと15日で終了します。保護を維持して製品コンポーネントをアップデートするには、契約を更新する必要があります。"
wait_until 20 "the E-15 notice in the notifier log" grep -qF "$summary" "$work/notifier.log"
displayed() { [ "$(dunstctl count displayed)" -ge 1 ]; }
wait_until 20 "a notification on screen (dunstctl count displayed)" displayed
echo "dunstctl count displayed: $(dunstctl count displayed)"
sleep 1 # let dunst draw

shot="$shot_dir/notifier-screenshot.png"
xwd -root -silent | /usr/bin/convert xwd:- png:"$shot"
[ -s "$shot" ] || fail "no screenshot"
changed=$(/usr/bin/compare -metric AE "$work/before.png" "$shot" null: 2>&1 || true)
changed=${changed%% *}
echo "pixels changed by the notification: $changed"
[ "${changed%.*}" -gt 1000 ] 2>/dev/null || fail "the screenshot shows no notification ($changed pixels changed)"
echo "screenshot: $shot"

# one bubble for the slot (replaced in place), then its texts from the history
[ "$(dunstctl count displayed)" -eq 1 ] || fail "$(dunstctl count displayed) bubbles: expected one per slot"
dunstctl close-all
wait_until 10 "the history" sh -c '[ "$(dunstctl count history)" -ge 1 ]'
dunstctl history >"$work/history.json"
/usr/bin/python3 - "$work/history.json" "$summary" "$body" <<'EOF'
import json
import sys

path, summary, body = sys.argv[1:]
entries = json.load(open(path))['data'][0]
got = [(n['appname']['data'], n['summary']['data'], n['body']['data']) for n in entries]
print('dunst history:')
for g in got:
    print('  ', g)
ours = [g for g in got if g[0] == 'imss-notifier']
if not ours:
    sys.exit('FAIL: no notification from imss-notifier in the history')
app, s, b = ours[0]
if s != summary:
    sys.exit(f'FAIL: summary {s!r}, expected {summary!r}')
if b != body:
    sys.exit(f'FAIL: body {b!r}, expected {body!r}')
if len(ours) != 1:
    sys.exit(f'FAIL: {len(ours)} notifications from imss-notifier, expected one (replaced in place)')
EOF

# SIGTERM: a clean exit
kill -TERM "$notifier_pid"
rc=0
wait "$notifier_pid" || rc=$?
notifier_pid=
[ $rc -eq 0 ] || fail "imss-notifier exited with $rc on SIGTERM"
echo "PASS"
