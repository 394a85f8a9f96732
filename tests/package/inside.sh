#!/bin/bash
# Runs INSIDE the Debian 12 container booted with a real systemd as PID 1
# (run-in-systemd.sh, called by tests/test-package.sh), with the built
# packages in /mnt/debs: installs them, checks the service as it runs in
# production, restarts it, purges them. Prints "ok"/"not ok" lines and the
# time of each step; exits 1 if a check failed.
set -u
export LC_ALL=C.UTF-8 SYSTEMD_PAGER= PAGER=cat
DEBS=${1:-/mnt/debs}
UNIT=imss-licensed.service
PACKAGES="libimss-license-1-1 imss-license imss-license-notifier imss-license-tools cockpit-imss-license"
failed=0
t_step=$(date +%s.%N)
step() {
	local now; now=$(date +%s.%N)
	printf '\n=== %s\n' "$*"
	t_step=$now
}
took() { awk -v a="$t_step" -v b="$(date +%s.%N)" 'BEGIN{printf "%.2f", b-a}'; }
ok() { echo "ok - $*"; }
nok() { echo "not ok - $*"; failed=1; }
check() { # check DESCRIPTION COMMAND...
	local what=$1; shift
	if "$@"; then ok "$what"; else nok "$what"; fi
}
main_pid() { systemctl show -p MainPID --value "$UNIT"; }
wait_active() { # the unit active within 20 s
	local _
	for _ in $(seq 1 200); do
		[ "$(systemctl is-active "$UNIT")" = active ] && return 0
		sleep 0.1
	done
	return 1
}

step "dpkg -i ${DEBS}/*.deb"
cd "$DEBS"
debs=(libimss-license-1-1_*.deb imss-license_*.deb imss-license-notifier_*.deb imss-license-tools_*.deb cockpit-imss-license_*.deb)
if dpkg -i "${debs[@]}" >/tmp/dpkg.log 2>&1; then ok "dpkg -i ${debs[*]} ($(took) s)"; else nok "dpkg -i"; cat /tmp/dpkg.log; exit 1; fi
cd /
dpkg-query -W -f='${Package} ${Version} ${Status}\n' $PACKAGES
# every file and directory we ship, for the purge check
dpkg -L $PACKAGES | sort -u >/tmp/ours.list
check "the unit is enabled (dh_installsystemd)" test "$(systemctl is-enabled "$UNIT")" = enabled
check "the unit is where Debian 12's systemd reads it" test -f /lib/systemd/system/$UNIT
check "the config is a conffile, 0600 root" \
	sh -c 'dpkg-query -W -f="\${Conffiles}" imss-license | grep -q /etc/imss-license/imss-licensed.conf &&
	       [ "$(stat -c %a:%U /etc/imss-license/imss-licensed.conf)" = 600:root ]'
check "Cockpit finds the page (cockpit-bridge --packages)" sh -c \
	'cockpit-bridge --packages | grep -E "^imss-license +Licenses +/usr/share/cockpit/imss-license\$"'
check "the imss-admin group exists (sysusers.d)" getent group imss-admin
check "/run/motd.d exists (tmpfiles.d)" test -d /run/motd.d
check "bash completion of imss-licensectl installed" \
	test -f /usr/share/bash-completion/completions/imss-licensectl
check "the lab tools are not on the PATH" sh -c '! command -v imss-license-keygen && ! command -v imss-license-server'
wait_active; echo "after dpkg -i (postinst starts it): $(systemctl is-active "$UNIT")"

step "D-Bus activation through SystemdService= (imss-licensectl status)"
systemctl stop "$UNIT"
check "stopped before the call" test "$(systemctl is-active "$UNIT")" = inactive
since=$(date '+%Y-%m-%d %H:%M:%S')
t0=$(date +%s.%N)
if timeout 30 imss-licensectl status >/tmp/status.out 2>&1; then
	ok "imss-licensectl status ($(awk -v a="$t0" -v b="$(date +%s.%N)" 'BEGIN{printf "%.2f", b-a}') s, activation included)"
else
	nok "imss-licensectl status"
fi
cat /tmp/status.out
check "the unit became active" wait_active
check "dbus-daemon handed the activation to systemd" sh -c \
	"journalctl --no-pager -q -u dbus.service --since '$since' | grep -F \"Activating via systemd: service name='org.imss.License' unit='$UNIT'\""
pid=$(main_pid)
check "MainPID $pid is /usr/libexec/imss-licensed" test "$(readlink /proc/"$pid"/exe)" = /usr/libexec/imss-licensed
check "a start maps neither libsoup nor GMime (modules opened on first use)" sh -c \
	"! grep -E 'libsoup-3\.0|libgmime-3\.0|/imss-license/imss-' /proc/$pid/maps"

step "hardening on the live process (pid $pid)"
grep -E '^(Uid|NoNewPrivs|Seccomp|CapEff|CapBnd|CapPrm):' /proc/"$pid"/status
field() { awk -v k="$1:" '$1 == k {print $2}' /proc/"$pid"/status; }
check "NoNewPrivs 1" test "$(field NoNewPrivs)" = 1
check "Seccomp 2 (filter)" test "$(field Seccomp)" = 2
check "CapEff 0" test "$(field CapEff)" = 0000000000000000
check "CapBnd 0" test "$(field CapBnd)" = 0000000000000000
check "/usr and /etc read-only for it, its state dir writable" nsenter -t "$pid" -m sh -c \
	'! touch /usr/imss-probe 2>/dev/null && ! touch /etc/imss-probe 2>/dev/null &&
	 touch /var/lib/imss-licensed/probe && rm /var/lib/imss-licensed/probe'
check "the state dir is 0700 root (StateDirectory=)" test "$(stat -c %a:%U /var/lib/imss-licensed)" = 700:root
systemd-analyze security --no-pager "$UNIT" | tail -1

step "journal: structured fields"
check "journalctl -u imss-licensed -o verbose has SYSLOG_IDENTIFIER=imss-licensed" sh -c \
	"journalctl --no-pager -u $UNIT -o verbose | grep -qx '    SYSLOG_IDENTIFIER=imss-licensed'"
expiry=$(date -d '+1 year' +%F)
code=$(/usr/libexec/imss-license/imss-license-keygen --edition imsva --slot antivirus --expiry "$expiry")
echo "keygen: ${code:0:6}... (antivirus, imsva, expires $expiry)"
if printf '%s\n' "$code" | timeout 30 imss-licensectl activate antivirus; then
	ok "imss-licensectl activate antivirus (code on stdin)"
else
	nok "imss-licensectl activate antivirus"
fi
# (the code is an online one: the activation asked the license server)
check "the activation opened the installed HTTP module" \
	grep -qE '/usr/lib/[^/]+/imss-license/imss-http-soup\.so$' /proc/"$pid"/maps
journalctl --no-pager -u "$UNIT" -o verbose MESSAGE_ID=3614d09e618d4a99aec8bf38ca1488ab >/tmp/activated.txt
grep -E '^    (MESSAGE|MESSAGE_ID|IMSS_SLOT|PRIORITY|SYSLOG_IDENTIFIER)=' /tmp/activated.txt
check "MESSAGE_ID=3614d09e618d4a99aec8bf38ca1488ab with IMSS_SLOT=antivirus" \
	grep -qx '    IMSS_SLOT=antivirus' /tmp/activated.txt
check "the catalog explains it (journalctl -x)" sh -c \
	"journalctl --no-pager -x -u $UNIT MESSAGE_ID=3614d09e618d4a99aec8bf38ca1488ab | grep -q 'A new activation code was registered for antivirus'"

step "systemctl restart $UNIT"
old=$pid
systemctl restart "$UNIT"
check "active again after restart" wait_active
pid=$(main_pid)
check "a new process ($old -> $pid)" test "$pid" != "$old" -a "$pid" != 0
check "the activation survived the restart" sh -c \
	"timeout 30 imss-licensectl status --json | grep -q '$expiry'"

step "apt-get purge"
if apt-get purge -y -q $PACKAGES >/tmp/purge.log 2>&1; then
	ok "apt-get purge ($(took) s)"
else
	nok "apt-get purge"; cat /tmp/purge.log
fi
check "the daemon is gone" sh -c "! pgrep -x imss-licensed"
check "the unit is gone" sh -c "! systemctl cat $UNIT >/dev/null 2>&1"
left=$(while read -r f; do
	[ "$f" = /. ] && continue
	# directories that other packages own (/usr/bin, /etc/xdg/autostart, ...)
	# or that are usrmerge's symlinks (/lib) stay; ours must not
	if [ -d "$f" ]; then
		[ -L "$f" ] || dpkg -S "$f" >/dev/null 2>&1 || echo "$f"
	elif [ -e "$f" ] || [ -L "$f" ]; then
		echo "$f"
	fi
done </tmp/ours.list)
check "no file of the packages left${left:+: $left}" test -z "$left"
found=$(find /usr /etc /var/lib /lib/systemd /run/systemd/system -iname '*imss*' 2>/dev/null)
check "nothing named *imss* under /usr /etc /var/lib /lib/systemd${found:+: $found}" test -z "$found"
check "/var/lib/imss-licensed removed" test ! -e /var/lib/imss-licensed
check "/etc/imss-license removed" test ! -e /etc/imss-license

step "failed units"
systemctl --failed --no-legend --no-pager
exit $failed
