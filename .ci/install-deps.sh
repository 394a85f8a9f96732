#!/bin/bash
# Installs every Debian 12 package in .ci/packages.txt that is not installed
# yet (apt-get install would upgrade installed ones under running servers).
# Needs root when something is missing; retries while another apt holds the lock.
set -euo pipefail
cd "$(dirname "$0")"
mapfile -t pkgs < <(grep -v '^\s*#' packages.txt | sed 's/\s*$//' | grep -v '^$')
missing=()
for p in "${pkgs[@]}"; do
	status=$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null || true)
	[ "$status" = "install ok installed" ] || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0
if [ "$(id -u)" != 0 ]; then
	echo "missing packages (run as root to install them): ${missing[*]}" >&2
	exit 1
fi
echo "installing: ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
for i in $(seq 30); do apt-get update -q && break || sleep 10; done
for i in $(seq 30); do
	apt-get install -y -q --no-install-recommends "${missing[@]}" && exit 0
	sleep 10
done
echo "apt-get install failed" >&2
exit 1
