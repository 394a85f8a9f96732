#!/bin/bash
# The bash completion of imss-licensectl (data/completion/imss-licensectl),
# run as bash runs it: COMP_WORDS/COMP_CWORD set, the function called, and
# COMPREPLY compared with what an operator expects.
#   test-completion.sh COMPLETION-FILE   (IMSS_LICENSECTL: the built program)
set -euo pipefail
file=${1:?usage: $0 data/completion/imss-licensectl}
ctl=${IMSS_LICENSECTL:?}
bash -n "$file"
# shellcheck source=/dev/null
source "$file"
fails=0
expect() {
	local want=$1
	shift
	COMP_WORDS=("$ctl" "$@")
	COMP_CWORD=$(($# ))
	COMPREPLY=()
	_imss_licensectl
	local got="${COMPREPLY[*]}"
	if [ "$got" != "$want" ]; then
		echo "FAIL: imss-licensectl $* -> '$got', expected '$want'"
		fails=1
	fi
}
expect 'activate' act
expect 'hide-inactive-notices history' hi
expect 'antivirus antispam' activate anti
expect 'email-reputation email-encryption' --json doctor email
expect 'compliance' details com
expect '--json' --js
expect '--limit' history --li
expect '' history --limit 1
expect '' activate antivirus ''
[ "$(complete -p imss-licensectl)" = 'complete -F _imss_licensectl imss-licensectl' ]
[ $fails = 0 ] && echo "completion: 9 cases"
exit $fails
