#!/bin/bash
# The whole test suite, as CI runs it (.ci/run calls exactly this):
#
#   tests/run-tests.sh [--install-deps] [--build-dir DIR] [-- MESON-TEST-ARGS...]
#
# 1. with --install-deps (or when run as root and meson is missing): installs
#    the Debian packages of .ci/packages.txt (.ci/install-deps.sh);
# 2. meson setup (--werror when CI=true) and meson compile in DIR
#    (default: build-tests in the source tree, or $BUILD_DIR);
# 3. a throwaway PostgreSQL server on a unix socket in a private temporary
#    directory, unless IMSS_PG_CNC already names one (exports IMSS_PG_CNC and
#    IMSS_PG_AUTH for the store and bus tests; stopped on exit);
# 4. meson test --print-errorlogs (every suite);
# 5. meson test --setup valgrind --suite unit, then the bus suite under
#    valgrind in two parallel meson runs (memcheck of the core suites; the
#    bus tests run the daemon under valgrind);
# 6. fails when any test was SKIPPED in 4 or 5: a skipped test is a test
#    that did not run;
# 7. when CI=true or IMSS_TEST_PACKAGE=1: meson test --suite package
#    (tests/test-package.sh: dpkg-buildpackage, lintian, then install, run
#    and purge the packages in a Debian 12 container booting a real systemd;
#    a missing tool fails it under CI=true). IMSS_TEST_PACKAGE=0 leaves it out.
#
# The bus tests need root (they drop to nobody with setpriv to check the bus
# policy). KEEP=1 keeps the temporary directory.
set -euo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"

install=0
build=${BUILD_DIR:-build-tests}
meson_test_args=()
while [ $# -gt 0 ]; do
	case $1 in
	--install-deps) install=1; shift ;;
	--build-dir) build=${2:?--build-dir needs a directory}; shift 2 ;;
	--) shift; meson_test_args=("$@"); break ;;
	-h | --help) sed -n '2,25p' "$0"; exit 0 ;;
	*) echo "$0: unknown option $1 (see --help)" >&2; exit 2 ;;
	esac
done

log() { printf '\n==> %s\n' "$*"; }

if [ "$install" = 0 ] && [ "$(id -u)" = 0 ] && ! command -v meson >/dev/null; then
	install=1
fi
if [ "$install" = 1 ]; then
	log "installing the packages of .ci/packages.txt"
	.ci/install-deps.sh
fi
if [ "$(id -u)" != 0 ]; then
	echo "warning: not root: the bus tests that drop to nobody will fail" >&2
fi

export LANG=C.UTF-8
unset LANGUAGE LC_ALL LC_MESSAGES || true

work=$(mktemp -d "${TMPDIR:-/tmp}/imss-tests.XXXXXX")
chmod 755 "$work"
pg_data=
pg_ctl=
cleanup() {
	if [ -n "$pg_data" ]; then
		if [ "$(id -u)" = 0 ]; then
			runuser -u postgres -- "$pg_ctl" -D "$pg_data" -m fast -w stop >/dev/null 2>&1 || true
		else
			"$pg_ctl" -D "$pg_data" -m fast -w stop >/dev/null 2>&1 || true
		fi
	fi
	if [ "${KEEP:-0}" = 1 ]; then
		echo "kept $work"
	else
		rm -rf "$work"
	fi
}
trap cleanup EXIT
trap 'exit 143' TERM
trap 'exit 130' INT

# ---- build -------------------------------------------------------------------
werror=false
if [ "${CI:-}" = true ]; then
	werror=true
fi
if [ -f "$build/build.ninja" ]; then
	log "meson configure $build (werror=$werror)"
	meson configure "$build" -Dwerror=$werror -Ddocs=enabled
else
	log "meson setup $build (werror=$werror)"
	# the optional library reference is built and tested here: a missing
	# gi-docgen fails rather than leaving it out
	if [ "$werror" = true ]; then
		meson setup "$build" --werror -Ddocs=enabled
	else
		meson setup "$build" -Ddocs=enabled
	fi
fi
log "meson compile"
meson compile -C "$build"

# The bus tests run the build's programs as nobody (the CLI, the Cockpit
# bridge), so nobody must be able to reach the tree. A clone under a private
# directory (mktemp -d makes it 0700) cannot be reached: every directory
# above the source and build trees that lacks it gets search permission
# for others (o+x: entering, not listing).
if [ "$(id -u)" = 0 ]; then
	for d in "$top" "$(cd "$build" && pwd)"; do
		while [ "$d" != / ]; do
			if [ -z "$(find "$d" -maxdepth 0 -perm -o+x)" ]; then
				log "chmod o+x $d (nobody must reach the tree)"
				chmod o+x "$d"
			fi
			d=$(dirname "$d")
		done
	done
fi

# ---- a throwaway PostgreSQL ----------------------------------------------------
if [ -z "${IMSS_PG_CNC:-}" ]; then
	pg_bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
	if [ -z "$pg_bin" ]; then
		echo "$0: no PostgreSQL server (Debian package postgresql-15); use --install-deps" >&2
		exit 1
	fi
	log "starting a throwaway PostgreSQL in $work/pg"
	pg_ctl=$pg_bin/pg_ctl
	mkdir "$work/pg"
	as_pg=()
	if [ "$(id -u)" = 0 ]; then
		chown postgres: "$work/pg"
		as_pg=(runuser -u postgres --)
	fi
	"${as_pg[@]}" "$pg_bin/initdb" -D "$work/pg/data" -A trust -U postgres -E UTF8 \
		--locale=C.UTF-8 >"$work/pg/initdb.log"
	pg_data=$work/pg/data
	"${as_pg[@]}" "$pg_ctl" -D "$pg_data" -w -l "$work/pg/log" \
		-o "-k $work/pg -c listen_addresses='' -p 5432 -c fsync=off" start >/dev/null
	psql -h "$work/pg" -U postgres -qc 'CREATE DATABASE imss'
	export IMSS_PG_CNC="HOST=$work/pg;PORT=5432;DB_NAME=imss"
	export IMSS_PG_AUTH="USERNAME=postgres"
fi
export IMSS_PG_AUTH=${IMSS_PG_AUTH:-USERNAME=postgres}

# ---- tests -------------------------------------------------------------------
# Fails when a test of the last run (meson-logs/testlog[-SETUP].json) was skipped.
check_skipped() {
	local json=$1
	/usr/bin/python3 - "$json" <<'EOF'
import json, sys
skipped = []
with open(sys.argv[1]) as f:
    for line in f:
        if line.strip():
            t = json.loads(line)
            if t.get('result') == 'SKIP':
                skipped.append(t.get('name'))
if skipped:
    print('FAIL: skipped tests (a skipped test did not run): ' + ', '.join(skipped))
    sys.exit(1)
EOF
}

log "meson test"
meson test -C "$build" --print-errorlogs "${meson_test_args[@]}"
check_skipped "$build/meson-logs/testlog.json"

log "meson test --setup valgrind --suite unit"
# (meson names a setup's log LOGBASE-SETUP: testlog-unit-valgrind.json)
meson test -C "$build" --no-rebuild --print-errorlogs --setup valgrind --suite unit \
	--logbase testlog-unit
check_skipped "$build/meson-logs/testlog-unit-valgrind.json"

# The bus tests under valgrind: each is independent (its own private bus,
# state directory, PostgreSQL database and ports) but serial within one
# meson run (is_parallel: false, for their timing), and valgrind is slow:
# two meson runs side by side, each test into the lighter half (weights:
# seconds under valgrind in CI; 150 for the others).
declare -A weight=([test-server]=1000 [test-activate]=350 [test-calendar]=310
	[test-badinput]=260 [test-notices]=250 [test-reliability]=200)
mapfile -t bus_tests < <(meson test -C "$build" --no-rebuild --list --suite bus 2>/dev/null |
	sed -n 's|^.* / ||p')
[ "${#bus_tests[@]}" -gt 0 ] || { echo "$0: no bus tests listed" >&2; exit 1; }
half_a=() half_b=()
load_a=0 load_b=0
while read -r w t; do
	if [ "$load_a" -le "$load_b" ]; then
		half_a+=("$t"); load_a=$((load_a + w))
	else
		half_b+=("$t"); load_b=$((load_b + w))
	fi
done < <(for t in "${bus_tests[@]}"; do echo "${weight[$t]:-150} $t"; done | sort -rn)
log "meson test --setup valgrind, bus tests in two halves: ${half_a[*]} | ${half_b[*]}"
rc_a=0 rc_b=0
meson test -C "$build" --no-rebuild --print-errorlogs --setup valgrind \
	--logbase testlog-bus-a "${half_a[@]}" >"$work/valgrind-a.log" 2>&1 &
pid_a=$!
meson test -C "$build" --no-rebuild --print-errorlogs --setup valgrind \
	--logbase testlog-bus-b "${half_b[@]}" || rc_b=$?
wait "$pid_a" || rc_a=$?
cat "$work/valgrind-a.log"
[ "$rc_a" = 0 ] && [ "$rc_b" = 0 ] || { echo "$0: valgrind run failed" >&2; exit 1; }
check_skipped "$build/meson-logs/testlog-bus-a-valgrind.json"
check_skipped "$build/meson-logs/testlog-bus-b-valgrind.json"

if [ "${IMSS_TEST_PACKAGE:-}" = 1 ] || { [ "${CI:-}" = true ] && [ "${IMSS_TEST_PACKAGE:-}" != 0 ]; }; then
	log "meson test --suite package (the Debian package under a real systemd)"
	meson test -C "$build" --no-rebuild --print-errorlogs --suite package \
		--logbase testlog-package
	check_skipped "$build/meson-logs/testlog-package.json"
fi

log "all tests passed"
