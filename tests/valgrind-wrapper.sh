#!/bin/bash
# The exe_wrapper of `meson test --setup valgrind`:
#   valgrind-wrapper.sh VALGRIND [OPTION...] -- TEST [ARG...]
# A compiled test runs under VALGRIND with the options. A script test (the
# Python bus tests, shell tests) runs as it is, with IMSS_VALGRIND=1 and
# IMSS_VALGRIND_CMD (the valgrind command line, one argument per line) in
# its environment: tests/imsstest.py then runs the daemon under valgrind and
# fails on its errors. Valgrind on the Python interpreter itself would only
# measure Python.
set -euo pipefail
vg=()
while [ $# -gt 0 ] && [ "$1" != -- ]; do
	vg+=("$1")
	shift
done
[ $# -gt 0 ] && shift
[ $# -gt 0 ] || { echo "usage: $0 VALGRIND [OPTION...] -- TEST [ARG...]" >&2; exit 2; }

if [ "$(head -c 2 "$1" 2>/dev/null || true)" = '#!' ]; then
	export IMSS_VALGRIND=1
	IMSS_VALGRIND_CMD=$(printf '%s\n' "${vg[@]}")
	export IMSS_VALGRIND_CMD
	exec "$@"
fi
exec "${vg[@]}" "$@"
