#!/bin/bash
# Drives bash's programmable completion as an interactive shell would on
# TAB, and prints the candidates, one per line.
#   complete.sh [--file COMPLETION] 'COMMAND LINE'
# The line is split on blanks; a trailing blank means an empty word to
# complete. Without --file, the completion is found the way an
# interactive shell finds it: bash-completion's loader
# (/usr/share/bash-completion/completions/NAME, on demand). With --file,
# that file is sourced (a build tree's copy).
set -u
file=
if [ "${1:-}" = --file ]; then
    file=$2
    shift 2
fi
line=$1

# shellcheck source=/dev/null
. /usr/share/bash-completion/bash_completion || exit 1
read -ra COMP_WORDS <<<"$line"
[[ $line == *' ' ]] && COMP_WORDS+=("")
cmd=${COMP_WORDS[0]}
if [ -n "$file" ]; then
    # shellcheck source=/dev/null
    . "$file" || exit 1
else
    __load_completion "${cmd##*/}" || { echo "no completion for ${cmd##*/}" >&2; exit 1; }
fi
spec=$(complete -p "${cmd##*/}" 2>/dev/null) || { echo "no complete -p ${cmd##*/}" >&2; exit 1; }
# "complete -F FUNC NAME"
fn=$(sed -nE 's/.* -F ([^ ]+) .*/\1/p' <<<"$spec")
[ -n "$fn" ] || { echo "not a -F completion: $spec" >&2; exit 1; }
COMP_CWORD=$((${#COMP_WORDS[@]} - 1))
COMP_LINE=$line
COMP_POINT=${#line}
COMP_TYPE=9
COMPREPLY=()
"$fn" "$cmd" "${COMP_WORDS[COMP_CWORD]}" "${COMP_WORDS[COMP_CWORD - 1]:-}"
printf '%s\n' "${COMPREPLY[@]}"
