#!/bin/bash
# Runs a command against a private bus that behaves like the system bus
# (tests/bus/system-bus.conf.in) and includes our bus policy
# (data/org.imss.License.conf), then stops the bus.
#
#   tests/with-system-bus.sh [--servicedir DIR] [--conf TEMPLATE] [--policy FILE] [--] COMMAND...
#
# COMMAND runs with DBUS_SYSTEM_BUS_ADDRESS set to the private bus, so
# imss-licensed, imss-licensectl, gdbus --system and busctl all use it; the
# script exits with COMMAND's status. The socket directory is world-traversable,
# so a command may drop privileges (setpriv --reuid=nobody ...) and still
# connect. Example (a demo from the build tree):
#
#   tests/with-system-bus.sh sh -c '
#     /usr/bin/python3 -m dbusmock --system --template polkitd & sleep 1
#     gdbus call --system -d org.freedesktop.PolicyKit1 \
#       -o /org/freedesktop/PolicyKit1/Authority -m org.freedesktop.DBus.Mock.AllowUnknown true
#     build/daemon/imss-licensed --config data/imss-licensed.conf --state-dir /tmp/st --verbose &
#     gdbus wait --system org.imss.License
#     build/client/imss-licensectl status; kill %2 %1; wait'
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
conf_in=${IMSS_BUS_CONF:-$here/bus/system-bus.conf.in}
policy=${IMSS_POLICY_CONF:-$here/../data/org.imss.License.conf}
servicedir=

usage() {
	echo "usage: $0 [--servicedir DIR] [--conf TEMPLATE] [--policy FILE] [--] COMMAND..." >&2
	exit 2
}

while [ $# -gt 0 ]; do
	case $1 in
	--servicedir) [ $# -ge 2 ] || usage; servicedir=$2; shift 2 ;;
	--conf) [ $# -ge 2 ] || usage; conf_in=$2; shift 2 ;;
	--policy) [ $# -ge 2 ] || usage; policy=$2; shift 2 ;;
	--) shift; break ;;
	-*) usage ;;
	*) break ;;
	esac
done
[ $# -gt 0 ] || usage

work=$(mktemp -d "${TMPDIR:-/tmp}/imss-bus.XXXXXX")
chmod 755 "$work"
bus_pid=
cleanup() {
	if [ -n "$bus_pid" ]; then
		kill "$bus_pid" 2>/dev/null || true
		wait "$bus_pid" 2>/dev/null || true
	fi
	rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 143' TERM
trap 'exit 130' INT

if [ -z "$servicedir" ]; then
	servicedir=$work/services
	mkdir "$servicedir"
fi
policy=$(realpath "$policy")
servicedir=$(realpath "$servicedir")
sed -e "s|@RUNDIR@|$work|g" -e "s|@SERVICEDIR@|$servicedir|g" -e "s|@POLICY@|$policy|g" \
	"$conf_in" >"$work/bus.conf"

# --nofork and a child of this shell: killed and reaped in cleanup, no zombie
dbus-daemon --config-file="$work/bus.conf" --nofork --print-address=3 \
	3>"$work/address" 2>"$work/bus.log" &
bus_pid=$!

for _ in $(seq 200); do
	if [ -s "$work/address" ] && [ "$(wc -l <"$work/address")" -ge 1 ]; then
		break
	fi
	if ! kill -0 "$bus_pid" 2>/dev/null; then
		break
	fi
	sleep 0.05
done
address=$(head -n 1 "$work/address")
if [ -z "$address" ]; then
	echo "$0: the private bus did not start:" >&2
	grep -v 'Failed to set fd limit' "$work/bus.log" >&2 || true
	exit 1
fi
export DBUS_SYSTEM_BUS_ADDRESS=$address

set +e
"$@"
rc=$?
set -e
exit $rc
