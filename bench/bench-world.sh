# Sourced by the benchmark scripts (compare.sh, idle.sh, reads.sh) inside
# tests/with-system-bus.sh: a scratch directory $w (mode 0755: the daemon's
# state goes there) removed on exit with every background job, and
# python-dbusmock's polkitd on the private bus, allowing every action — what
# is not ours, as in the bus tests. Needs set -e.
w=$(mktemp -d)
chmod 755 "$w"
trap 'kill $(jobs -p) 2>/dev/null || true; rm -rf "$w"' EXIT
/usr/bin/python3 -m dbusmock --system --template polkitd >/dev/null 2>&1 &
gdbus wait --system --timeout 20 org.freedesktop.PolicyKit1
gdbus call --system -d org.freedesktop.PolicyKit1 -o /org/freedesktop/PolicyKit1/Authority \
	-m org.freedesktop.DBus.Mock.AllowUnknown true >/dev/null
