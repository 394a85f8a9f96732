#!/bin/bash
# The Debian package as an operator gets it (issue 14):
#
#   tests/test-package.sh [SOURCE_DIR]      # as root; meson test --suite package
#
# 1. dpkg-buildpackage -b -us -uc of a copy of the source tree in a temporary
#    directory (DEB_BUILD_OPTIONS=nocheck: the suites run elsewhere);
# 2. lintian on the .changes: fails on any error or warning;
# 3. boots a Debian 12 container with a real systemd as PID 1
#    (tests/package/run-in-systemd.sh, systemd-nspawn; the rootfs is made by
#    debootstrap once and cached, with the packages' dependencies
#    preinstalled so that no network is needed after that) and runs
#    tests/package/inside.sh there: dpkg -i, D-Bus activation through
#    SystemdService=, the hardening of the live process, the journal fields,
#    systemctl restart, apt-get purge leaving nothing behind.
# Prints the time of each phase.
#
# Needs root, dpkg-dev, debhelper, lintian, systemd-container, debootstrap
# (.ci/packages.txt) and the build dependencies of debian/control. A missing
# tool makes the test fail under CI=true and skip (77) otherwise.
#
# Environment: IMSS_PACKAGE_WORK (default $TMPDIR/imss-package-test) holds
# the cached rootfs and the container logs; KEEP=1 keeps the build directory;
# IMSS_PACKAGE_DEBS=DIR takes the .changes and .debs already built in DIR
# (skips dpkg-buildpackage, to work on the container checks).
set -euo pipefail

src=$(cd "${1:-$(dirname "$0")/..}" && pwd)
here=$(cd "$(dirname "$0")" && pwd)
export LC_ALL=C.UTF-8
# (meson test's G_DEBUG and MALLOC_PERTURB_ are for our programs, not the
# compilers and debhelper)
unset LANGUAGE G_DEBUG MALLOC_PERTURB_ || true

skip_or_fail() {
	echo "test-package: $*" >&2
	if [ "${CI:-}" = true ]; then
		exit 1
	fi
	exit 77
}

[ "$(id -u)" = 0 ] || skip_or_fail "needs root (systemd-nspawn)"
missing=()
for tool in dpkg-buildpackage:dpkg-dev dh:debhelper lintian:lintian \
	systemd-nspawn:systemd-container debootstrap:debootstrap nsenter:util-linux; do
	command -v "${tool%%:*}" >/dev/null || missing+=("${tool#*:}")
done
[ ${#missing[@]} = 0 ] || skip_or_fail "missing: apt-get install ${missing[*]} (.ci/packages.txt)"

now() { date +%s.%N; }
secs() { awk -v a="$1" -v b="$2" 'BEGIN{printf "%.1f", b-a}'; }
t_start=$(now)
timings=()
phase_start=
phase() { phase_start=$(now); printf '\n==> %s\n' "$*"; }
phase_done() {
	local t; t=$(now)
	timings+=("$(printf '%-32s %6s s' "$1" "$(secs "$phase_start" "$t")")")
}
print_timings() {
	echo
	echo "timings:"
	printf '  %s\n' "${timings[@]}"
	printf '  %-32s %6s s\n' total "$(secs "$t_start" "$(now)")"
}

work=$(mktemp -d "${TMPDIR:-/tmp}/imss-package.XXXXXX")
stop_rootfs() { :; }
cleanup() {
	stop_rootfs
	if [ "${KEEP:-0}" = 1 ]; then echo "kept $work"; else rm -rf "$work"; fi
}
trap cleanup EXIT

# ---- 0. the container's rootfs, made while the packages build ----------------------
# A Debian 12 minbase with systemd, dbus and polkitd, plus what the packages
# depend on, so that dpkg -i works offline. The list is known in advance
# (ROOTFS_DEPS) so that debootstrap runs beside dpkg-buildpackage on a fresh
# machine; after the build the real Depends are checked against it and the
# rootfs is made again, with a note, if one is missing. dbus-user-session:
# debootstrap cannot choose an alternative for the dconf-service that
# glib-networking pulls in.
ROOTFS_DEPS="cockpit-bridge dbus-user-session libc6 libcurl4 libgda-5.0-4 libglib2.0-0 libgmime-3.0-0
libjson-glib-1.0-0 libnotify4 libpolkit-gobject-1-0 libpq5 libsoup-3.0-0"
export WORK=${IMSS_PACKAGE_WORK:-${TMPDIR:-/tmp}/imss-package-test}
export BASE_PACKAGES=systemd,systemd-sysv,dbus,libpam-systemd,polkitd
mkdir -p "$WORK"
rootfs_pid=
# builds the rootfs for the comma-separated extra packages $1 if the cached
# one has others (run-in-systemd.sh does, then boots it once and halts)
prepare_rootfs() {
	EXTRA_PACKAGES=$1 "$here/package/run-in-systemd.sh" -- true
}
# (in a process group of its own, so that debootstrap ends with it)
stop_rootfs() {
	if [ -n "$rootfs_pid" ] && kill -0 "$rootfs_pid" 2>/dev/null; then
		kill -TERM -- -"$rootfs_pid" 2>/dev/null || true
		wait "$rootfs_pid" 2>/dev/null || true
	fi
}
# the extra packages: sorted, one comma-separated line, without those of
# the base image
extra_list() {
	printf '%s\n' "$@" | sort -u | grep -vxF -f <(echo "$BASE_PACKAGES" | tr , '\n') | paste -sd,
}
predicted=$(extra_list $ROOTFS_DEPS)
t_rootfs=$(now)
export -f prepare_rootfs
export here
setsid bash -c 'prepare_rootfs "$1"' rootfs "$predicted" >"$work/rootfs.log" 2>&1 &
rootfs_pid=$!

# ---- 1. build ------------------------------------------------------------------
version=$(dpkg-parsechangelog -l "$src/debian/changelog" -S Version)
arch=$(dpkg-architecture -qDEB_HOST_ARCH)

# dpkg-buildpackage in a copy of the tree without build directories: the
# files git knows of (tracked, or untracked but not ignored), or everything
# but build output outside git
build_packages() {
	local tree=$work/imss-license-$version
	mkdir -p "$tree"
	if git -C "$src" rev-parse --show-toplevel >/dev/null 2>&1 &&
		[ "$(git -C "$src" rev-parse --show-toplevel)" = "$src" ]; then
		# (files deleted but not committed are listed yet absent: ignored)
		(cd "$src" && git ls-files -z -co --exclude-standard |
			xargs -0 cp --parents -P -t "$tree" 2>/dev/null) || true
	else
		tar -C "$src" --exclude-vcs --exclude='./build*' --exclude='./obj-*' \
			--exclude=./debian/tmp -cf - . | tar -C "$tree" -xf -
	fi
	(cd "$tree" && dpkg-checkbuilddeps) ||
		skip_or_fail "build dependencies missing (above; .ci/packages.txt)"
	if ! (cd "$tree" && DEB_BUILD_OPTIONS="nocheck parallel=${IMSS_JOBS:-2}" \
		dpkg-buildpackage -b -us -uc >"$work/build.log" 2>&1); then
		tail -40 "$work/build.log"
		echo "FAIL: dpkg-buildpackage (log above)"
		exit 1
	fi
}

if [ -n "${IMSS_PACKAGE_DEBS:-}" ]; then
	out=$(cd "$IMSS_PACKAGE_DEBS" && pwd)
	phase "the packages already built in $out"
else
	out=$work
	phase "dpkg-buildpackage -b -us -uc ($version) in $work"
	build_packages
fi
changes=$out/imss-license_${version}_$arch.changes
debs=()
# (what a gateway installs; libimss-license-dev and gir1.2-imss-1 are built and
# checked by lintian only)
for p in libimss-license-1-1 imss-license imss-license-notifier imss-license-tools cockpit-imss-license; do
	a=$arch; [ "$p" != cockpit-imss-license ] || a=all
	debs+=("$out/${p}_${version}_$a.deb")
done
for d in "${debs[@]}"; do
	[ -f "$d" ] || { echo "FAIL: $d was not built"; exit 1; }
	echo "$(basename "$d"): $(dpkg-deb -c "$d" | grep -vc '/$') files, $(du -k "$d" | cut -f1) KiB"
done
phase_done "dpkg-buildpackage"

# ---- 2. lintian ----------------------------------------------------------------
phase "lintian $(basename "$changes")"
# (as root, lintian says it is "not recommended": it only unpacks the
# packages into its own temporary directory)
set +e
lintian --no-cfg --display-info --fail-on error,warning "$changes" >"$work/lintian.log" 2>&1
rc=$?
set -e
cat "$work/lintian.log"
if [ $rc != 0 ] || grep -qE '^[EW]: ' "$work/lintian.log"; then
	echo "FAIL: lintian reported errors or warnings, or failed (exit $rc)"
	exit 1
fi
echo "lintian: no error, no warning"
phase_done "lintian"

# ---- 3. install, run, purge under a real systemd --------------------------------
phase "rootfs (debootstrap of Debian 12, cached in $WORK/rootfs)"
# the packages' Depends: the first real alternative of each group (virtual
# ones such as default-dbus-system-bus come with the base image's dbus)
depends=$(for d in "${debs[@]}"; do dpkg-deb -f "$d" Depends; echo ,; done |
	tr ',' '\n' | sed 's/([^)]*)//g;s/:any//g;s/[[:space:]]//g' | grep -v '^imss-license\|^libimss-license' | grep . || true)
# (one apt-cache call: each takes seconds)
real=" $(apt-cache show --no-all-versions $(echo "$depends" | tr '|' ' ') 2>/dev/null |
	sed -n 's/^Package: //p' | sort -u | paste -sd' ') "
deps=()
while read -r group; do
	IFS='|' read -ra alts <<<"$group"
	for a in "${alts[@]}"; do
		case $real in *" $a "*) deps+=("$a"); break ;; esac
	done
done <<<"$depends"
set +e
wait "$rootfs_pid"
rc=$?
set -e
rootfs_pid=
cat "$work/rootfs.log"
[ $rc = 0 ] || { echo "FAIL: could not make or boot the rootfs (exit $rc; $work/rootfs.log, $WORK/logs)"; exit 1; }
extra=$(extra_list $ROOTFS_DEPS "${deps[@]}")
if [ "$extra" != "$predicted" ]; then
	echo "note: the packages depend on more than ROOTFS_DEPS in $0 (add: $(comm -13 \
		<(echo "$predicted" | tr , '\n') <(echo "$extra" | tr , '\n') | paste -sd' ')): making the rootfs again"
	prepare_rootfs "$extra"
fi
export EXTRA_PACKAGES=$extra
echo "rootfs: $BASE_PACKAGES + $extra ($(du -sh "$WORK/rootfs" | cut -f1)), ready $(secs "$t_rootfs" "$(now)") s after the start"
phase_done "rootfs ready (after build)"

phase "container: install, activate, restart, purge"
mkdir "$work/debs"
cp "${debs[@]}" "$work/debs/"
set +e
"$here/package/run-in-systemd.sh" -b "$work/debs:/mnt/debs" -b "$here/package:/mnt/test" \
	-- /mnt/test/inside.sh /mnt/debs
rc=$?
set -e
phase_done "container (boot, checks, halt)"
print_timings
if [ $rc != 0 ]; then
	echo "FAIL: the checks in the container (exit $rc; logs in $WORK/logs)"
	exit 1
fi
echo "PASS: package built, lintian clean, installed, ran and purged under systemd"
