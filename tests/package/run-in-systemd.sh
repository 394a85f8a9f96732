#!/bin/bash
# (Copied from the shared recipe recipes/systemd-nspawn, verified on these
# machines; changed here: BASE_PACKAGES can be set. Used by
# tests/test-package.sh.)
# run-in-systemd.sh - run a command inside a Debian 12 container that boots a
# REAL systemd as PID 1 (real dbus-daemon system bus, D-Bus activation through
# SystemdService=, hardened units, systemctl/journalctl, dpkg), then shut it
# down cleanly.
#
# Made for a host WITHOUT systemd as PID 1 and with a cgroup v1/hybrid layout
# (/sys/fs/cgroup/{systemd,unified}); works with systemd-nspawn from
# systemd-container (Debian 12: 252.x).  Needs root.
#
# usage: run-in-systemd.sh [options] [--] COMMAND [ARG...]
#   -b SRC[:DST]  bind-mount SRC read-only into the container (repeatable)
#   -B SRC[:DST]  bind-mount SRC read-write (repeatable)
#   -p            persistent: write changes into the cached rootfs
#                 (default: --volatile=overlay, all changes thrown away)
#   -n            private network namespace (default: share the host's, so
#                 services inside can reach 127.0.0.1 servers of the host)
#   -s            run COMMAND as a transient service (systemd-run --pipe
#                 --wait) instead of nsenter: it then lives in the
#                 container's cgroup tree and its output goes to the journal too
#   -r            rebuild the rootfs even if a cached one exists
#   -q            quiet: only COMMAND's output (timings go to the log)
# environment:
#   BASE_PACKAGES   comma-separated base packages of the rootfs (default:
#                   systemd, dbus, polkitd, libpam-systemd, python3-gi/-dbus)
#   ROOTFS          cached rootfs (default $WORK/rootfs; WORK defaults to $TMPDIR/run-in-systemd)
#   EXTRA_PACKAGES  comma-separated extra packages for the rootfs build
#                   (default: the runtime libraries of imss-licensed, plus
#                   dbus-user-session because debootstrap cannot pick an
#                   alternative for dconf-service pulled in by libsoup; set it
#                   empty for a bare systemd+dbus+polkitd image)
#   MIRROR          Debian mirror (default: taken from this host's apt sources)
#   BOOT_TIMEOUT    seconds to wait for the boot (default 60)
# exit status: COMMAND's; 125 when the container could not be set up.
set -euo pipefail

WORK=${WORK:-${TMPDIR:-/tmp}/run-in-systemd}
ROOTFS=${ROOTFS:-$WORK/rootfs}
SUITE=${SUITE:-bookworm}
BOOT_TIMEOUT=${BOOT_TIMEOUT:-60}
BASE_PACKAGES=${BASE_PACKAGES-systemd,systemd-sysv,dbus,libpam-systemd,polkitd,python3-gi,python3-dbus}
# default extras: the runtime libraries of imss-licensed & co (ldd of the build)
EXTRA_PACKAGES=${EXTRA_PACKAGES-libglib2.0-0,libgda-5.0-4,libpolkit-gobject-1-0,libsoup-3.0-0,libjson-glib-1.0-0,libgmime-3.0-0,libcurl4,dbus-user-session}
PACKAGES=$BASE_PACKAGES${EXTRA_PACKAGES:+,$EXTRA_PACKAGES}

binds=() persistent=0 privnet=0 as_service=0 rebuild=0 quiet=0
while getopts "b:B:pnsrqh" opt; do
    case $opt in
        b) binds+=("--bind-ro=$OPTARG") ;;
        B) binds+=("--bind=$OPTARG") ;;
        p) persistent=1 ;;
        n) privnet=1 ;;
        s) as_service=1 ;;
        r) rebuild=1 ;;
        q) quiet=1 ;;
        h) sed -n '2,/^set -e/p' "$0" | sed 's/^# \{0,1\}//;$d'; exit 0 ;;
        *) exit 125 ;;
    esac
done
shift $((OPTIND - 1))
[ $# -gt 0 ] || { echo "usage: $0 [options] [--] COMMAND [ARG...]  (-h for help)" >&2; exit 125; }
[ "$(id -u)" = 0 ] || { echo "run-in-systemd: needs root" >&2; exit 125; }

mkdir -p "$WORK/logs"
NAME=imss-$$-$(date +%H%M%S)
LOG=$WORK/logs/$NAME.log          # our own messages and the container console
: > "$LOG"
say() { echo "[run-in-systemd $(date +%T.%3N)] $*" >> "$LOG"; [ $quiet = 1 ] || echo "[run-in-systemd] $*" >&2; }
now() { date +%s.%N; }
since() { awk -v a="$1" -v b="$(now)" 'BEGIN{printf "%.2f", b-a}'; }

need() { command -v "$1" >/dev/null || { echo "run-in-systemd: $1 missing: apt-get install -y $2" >&2; exit 125; }; }
need systemd-nspawn systemd-container
need debootstrap debootstrap
need nsenter util-linux

# ---------------------------------------------------------------- rootfs ---
mirror() {
    if [ -n "${MIRROR:-}" ]; then echo "$MIRROR"; return; fi
    # deb822 sources first, then one-line ones; the first ".../debian" URI.
    local m
    m=$(grep -h '^URIs:' /etc/apt/sources.list.d/*.sources 2>/dev/null | awk '{for(i=2;i<=NF;i++) print $i}' | grep -E '/debian/?$' | head -1 || true)
    [ -n "$m" ] || m=$(grep -hE '^deb ' /etc/apt/sources.list /etc/apt/sources.list.d/*.list 2>/dev/null | awk '{print $2}' | grep -E '/debian/?$' | head -1 || true)
    [ -n "$m" ] || { echo "run-in-systemd: no Debian mirror found in the apt sources; set MIRROR=" >&2; exit 125; }
    echo "$m"
}

build_rootfs() {
    local tmp=$ROOTFS.building t0
    t0=$(now)
    rm -rf "$tmp"
    say "building rootfs $ROOTFS ($SUITE, minbase + $PACKAGES) from $(mirror)"
    if ! debootstrap --variant=minbase --include="$PACKAGES" "$SUITE" "$tmp" "$(mirror)" >> "$LOG" 2>&1; then
        echo "run-in-systemd: debootstrap failed, see $LOG" >&2; tail -5 "$LOG" >&2; exit 125
    fi
    echo imss-test > "$tmp/etc/hostname"
    # No getty on the container console (nobody reads it) - keeps the boot quiet.
    ln -sf /dev/null "$tmp/etc/systemd/system/console-getty.service"
    rm -f "$tmp"/var/cache/apt/archives/*.deb
    # a fresh machine ID at every boot (systemd then takes a random one, as
    # on a first boot; dbus's copy would otherwise be used as a fallback)
    : > "$tmp/etc/machine-id"; rm -f "$tmp/var/lib/dbus/machine-id"
    echo "$PACKAGES" > "$tmp/.run-in-systemd-packages"
    rm -rf "$ROOTFS"; mv "$tmp" "$ROOTFS"
    say "rootfs built in $(since "$t0") s, size $(du -sh "$ROOTFS" | cut -f1)"
}

if [ $rebuild = 1 ] || [ ! -f "$ROOTFS/.run-in-systemd-packages" ] \
   || [ "$(cat "$ROOTFS/.run-in-systemd-packages")" != "$PACKAGES" ]; then
    build_rootfs
else
    say "reusing rootfs $ROOTFS"
fi

# ------------------------------------------------------------------- boot ---
# Without a host systemd nobody gives nspawn a cgroup of its own, and it would
# create payload/ and supervisor/ at the ROOT of the host's name=systemd and
# unified hierarchies (and leave them behind). Put it in a private cgroup that
# we remove afterwards.
# (On a host that does run systemd, nspawn asks it for a scope instead:
# untested here, this host has none.)
cg_dirs=() host_args=()
if [ -d /run/systemd/system ]; then
    host_args=(--register=no)
else
    host_args=(--register=no --keep-unit)
    for h in /sys/fs/cgroup/unified /sys/fs/cgroup/systemd; do
        [ -f "$h/cgroup.procs" ] && cg_dirs+=("$h/run-in-systemd-$NAME")
    done
    if [ ${#cg_dirs[@]} = 0 ] && [ -f /sys/fs/cgroup/cgroup.controllers ]; then
        cg_dirs+=("/sys/fs/cgroup/run-in-systemd-$NAME")        # pure cgroup v2 host
    fi
fi

nspawn_pid= leader= cmd_pid=
descendants() {   # all descendants of PID $1 (host PIDs), deepest last
    ps -e -o pid=,ppid= | awk -v root="$1" '{par[$1]=$2}
        END { d[root]=1; do { ch=0; for (x in par) if (!(x in d) && (par[x] in d)) { d[x]=1; ch=1; print x } } while (ch) }'
}
cleanup() {
    local rc=$? t0 pids
    trap - EXIT INT TERM HUP
    # A command still running (we were interrupted) must end BEFORE the
    # container halts: systemd-shutdown SIGSTOPs every process of the
    # container, nsenter (outside the container) then stops itself too and
    # never reaps its child, and systemd-shutdown waits 90 s for that zombie.
    if [ -n "$cmd_pid" ] && kill -0 "$cmd_pid" 2>/dev/null; then
        pids="$(descendants "$cmd_pid") $cmd_pid"
        say "interrupted: ending the command (pids $(echo $pids))"
        kill -TERM $pids 2>/dev/null || true
        for _ in $(seq 1 50); do kill -0 "$cmd_pid" 2>/dev/null || break; sleep 0.1; done
        kill -KILL $pids 2>/dev/null || true
        wait "$cmd_pid" 2>/dev/null || true
    fi
    if [ -n "$nspawn_pid" ] && kill -0 "$nspawn_pid" 2>/dev/null; then
        t0=$(now)
        # nspawn answers SIGTERM by asking the container's systemd to halt
        # (SIGRTMIN+3): a clean shutdown of all units.
        kill -TERM "$nspawn_pid" 2>/dev/null || true
        for _ in $(seq 1 300); do kill -0 "$nspawn_pid" 2>/dev/null || break; sleep 0.1; done
        if kill -0 "$nspawn_pid" 2>/dev/null; then
            say "container did not halt in 30 s: terminating it"
            kill -TERM "$nspawn_pid" 2>/dev/null || true; sleep 2
            kill -KILL "$nspawn_pid" 2>/dev/null || true
            # a SIGKILLed nspawn leaves its container running: kill its PID 1
            # (the kernel then kills the whole PID namespace)
            [ -n "$leader" ] && kill -KILL "$leader" 2>/dev/null || true
        fi
        wait "$nspawn_pid" 2>/dev/null || true
        say "container stopped in $(since "$t0") s"
    fi
    # leftovers of a host without systemd: our cgroups, nspawn's propagate dir
    local d
    for d in "${cg_dirs[@]}"; do
        [ -d "$d" ] && find "$d" -depth -type d -exec rmdir {} + 2>/dev/null || true
    done
    rm -rf "/run/systemd/nspawn/propagate/$NAME" 2>/dev/null || true
    exit $rc
}
trap cleanup EXIT
trap 'exit 130' INT; trap 'exit 143' TERM; trap 'exit 129' HUP

nspawn_args=(-D "$ROOTFS" -b -M "$NAME" "${host_args[@]}" --console=passive)
[ $persistent = 1 ] || nspawn_args+=(--volatile=overlay)
[ $privnet = 0 ] || nspawn_args+=(--private-network)
nspawn_args+=("${binds[@]}")

t_boot=$(now)
say "booting $NAME: systemd-nspawn ${nspawn_args[*]}"
(
    for d in "${cg_dirs[@]}"; do mkdir -p "$d"; echo "$BASHPID" > "$d/cgroup.procs"; done
    exec systemd-nspawn "${nspawn_args[@]}" < /dev/null
) >> "$LOG" 2>&1 &
nspawn_pid=$!

# the container's PID 1 is nspawn's child running systemd
deadline=$(( $(date +%s) + BOOT_TIMEOUT ))
while :; do
    kill -0 "$nspawn_pid" 2>/dev/null || { echo "run-in-systemd: systemd-nspawn died, see $LOG:" >&2; tail -15 "$LOG" >&2; exit 125; }
    for c in $(cat "/proc/$nspawn_pid/task/$nspawn_pid/children" 2>/dev/null); do
        [ "$(cat "/proc/$c/comm" 2>/dev/null)" = systemd ] && leader=$c
    done
    [ -n "$leader" ] && break
    [ "$(date +%s)" -lt $deadline ] || { echo "run-in-systemd: no systemd in the container after ${BOOT_TIMEOUT}s, see $LOG" >&2; exit 125; }
    sleep 0.05
done

ENV=(/usr/bin/env -i PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
     HOME=/root LANG=C.UTF-8 TERM="${TERM:-dumb}" SYSTEMD_PAGER= SYSTEMD_COLORS=0)
inside() { nsenter -t "$leader" -a -r -w "${ENV[@]}" "$@"; }

# wait until the boot is over: "running" or "degraded" (a failed unit).
# "offline" is not an answer to stop on: systemctl says it while the
# container's systemd has not yet made /run/systemd/system (a fast machine
# finds the leader within milliseconds of its exec: seen in CI, 0.29 s).
state=
while :; do
    state=$(timeout 10 nsenter -t "$leader" -a -r -w "${ENV[@]}" systemctl is-system-running --wait 2>/dev/null || true)
    case $state in running|degraded|maintenance|stopping) break ;; esac
    kill -0 "$nspawn_pid" 2>/dev/null || break
    [ "$(date +%s)" -lt $deadline ] || break
    sleep 0.2
done
say "container $NAME (leader pid $leader) is '$state' after $(since "$t_boot") s"
if [ "$state" = degraded ]; then
    inside systemctl --failed --no-legend --plain >> "$LOG" 2>&1 || true
    say "failed units: $(inside systemctl --failed --no-legend --plain 2>/dev/null | awk '{print $1}' | tr '\n' ' ')"
fi
case $state in running|degraded) ;; *) echo "run-in-systemd: boot did not finish (state '$state'), see $LOG:" >&2; tail -20 "$LOG" >&2; exit 125 ;; esac

# -------------------------------------------------------------------- run ---
t_cmd=$(now)
set +e
if [ $as_service = 1 ]; then
    # systemd-run (v252) expands $VAR and $$ in the command line like
    # ExecStart= does, and has no --expand-environment=no yet: double every $.
    args=(); for a in "$@"; do args+=("${a//\$/\$\$}"); done
    set -- systemd-run --quiet --pipe --wait --collect --service-type=exec \
        --unit="run-in-systemd-cmd" -- "${args[@]}"
fi
# in the background + wait, so that SIGINT/SIGTERM reach our trap at once
# (the container's shutdown then ends the command); explicit <&0 because a
# background job would otherwise get /dev/null as its standard input
inside "$@" <&0 &
cmd_pid=$!
wait $cmd_pid
rc=$?
cmd_pid=
set -e
say "command exited with $rc after $(since "$t_cmd") s"
exit $rc
