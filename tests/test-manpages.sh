#!/bin/bash
# The man page of imss-licensectl documents every command its --help lists,
# and every option (kept in sync by this check).
set -euo pipefail
ctl=${IMSS_LICENSECTL:?}
man=${1:?usage: test-manpages.sh docs/imss-licensectl.1}
help=$(LANG=C.UTF-8 LANGUAGE= "$ctl" --help)
commands=$(printf '%s\n' "$help" | sed -n '/^Commands:/,$p' | awk 'NR > 1 && NF {print $1}')
[ -n "$commands" ] || { echo "no commands found in --help"; exit 1; }
missing=0
# roff escapes dashes: compare against the page with "\\-" turned back into "-"
# (here-strings, not pipes: grep -q closing a pipe early fails under pipefail)
page=$(sed 's/\\-/-/g' "$man")
for c in $commands; do
	if ! grep -qE "^\.(B|BI|BR) \"?$c\b" <<<"$page"; then
		echo "imss-licensectl $c is not documented in $man"
		missing=1
	fi
done
for o in $(printf '%s\n' "$help" | grep -oE -- '--[a-z-]+' | sort -u); do
	case $o in --help*) continue ;; esac
	if ! grep -q -- "$o" <<<"$page"; then
		echo "option $o is not documented in $man"
		missing=1
	fi
done
[ $missing = 0 ] && echo "$(echo $commands | wc -w) commands and their options documented"
exit $missing
