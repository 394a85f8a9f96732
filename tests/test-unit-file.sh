#!/bin/bash
# Checks the configured systemd unit with systemd-analyze verify.
#   test-unit-file.sh UNIT DAEMON
# verify needs an executable ExecStart=, so a copy whose ExecStart= points at
# the built DAEMON is checked. verify exits 0 even for unknown keys or
# unparsable values (TESTING-NOTES §9): any output at all fails the test.
set -euo pipefail

unit=${1:?usage: $0 UNIT DAEMON}
daemon=${2:?usage: $0 UNIT DAEMON}

if ! command -v systemd-analyze >/dev/null; then
	echo "systemd-analyze is missing (Debian package systemd)" >&2
	exit 1
fi
if grep -n '@[a-z_]*@' "$unit"; then
	echo "FAIL: unsubstituted configure variable in $unit" >&2
	exit 1
fi

work=$(mktemp -d "${TMPDIR:-/tmp}/imss-unit.XXXXXX")
trap 'rm -rf "$work"' EXIT
copy=$work/$(basename "$unit")
sed -e "s|^ExecStart=[^ ]*|ExecStart=$daemon|" "$unit" >"$copy"
grep -q "^ExecStart=$daemon" "$copy" || { echo "FAIL: no ExecStart= in $unit" >&2; exit 1; }

# --man=no: the man pages named in Documentation= are not installed here
rc=0
out=$(systemd-analyze verify --man=no "$copy" 2>&1) || rc=$?
if [ "$rc" -ne 0 ] || [ -n "$out" ]; then
	echo "FAIL: systemd-analyze verify (exit $rc):" >&2
	echo "$out" >&2
	exit 1
fi

# what the rest of the system relies on
for line in 'Type=dbus' 'BusName=org.imss.License' 'StateDirectory=imss-licensed' \
	'ProtectSystem=strict' 'NoNewPrivileges=yes' 'CapabilityBoundingSet=' \
	'Alias=dbus-org.imss.License.service' 'WantedBy=multi-user.target' \
	'Restart=on-failure' 'RestartSec=5' 'StartLimitIntervalSec=0'; do
	if ! grep -qx "$line" "$copy"; then
		echo "FAIL: $unit lacks $line" >&2
		exit 1
	fi
done
echo "ok: $unit"
