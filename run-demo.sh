#!/bin/bash
# The quick-start demo: installs what the build needs (on a fresh Debian 12,
# as root), builds, then runs imss-licensed on its embedded defaults — a
# private system-type bus carrying our real bus policy, embedded SQLite in a
# scratch state directory, a python-dbusmock polkitd standing in for polkitd —
# and walks an operator's session: status, activations read from stdin, a
# typo rejected offline, a restart that loses nothing, the history.
#
#   sudo ./run-demo.sh            # everything
#   ./run-demo.sh --no-install    # skip apt-get (packages already there)
#
# Environment: BUILD_DIR (default build-demo), KEEP=1 keeps the state dir.
set -euo pipefail
cd "$(dirname "$0")"
top=$(pwd)

install=1
for arg in "$@"; do
	case $arg in
	--no-install) install=0 ;;
	-h | --help) sed -n '2,13p' "$0"; exit 0 ;;
	*) echo "unknown option $arg" >&2; exit 2 ;;
	esac
done
if [ "$install" = 1 ]; then
	.ci/install-deps.sh
fi

build=${BUILD_DIR:-build-demo}
if [ ! -f "$build/build.ninja" ]; then
	meson setup "$build" >/dev/null || { echo "meson setup failed; see $build/meson-logs/meson-log.txt" >&2; exit 1; }
fi
meson compile -C "$build" >/dev/null || { meson compile -C "$build"; exit 1; }

export IMSS_DEMO_BUILD=$top/$build IMSS_DEMO_TOP=$top
export IMSS_LOCALEDIR=$top/$build/po
exec tests/with-system-bus.sh -- bash "$top/tests/demo-session.sh"
