#!/bin/bash
# Checks tests/bed/run's contract from the host (two boots): COMMAND's
# stdout and stderr arrive separately and untouched (no kernel console
# lines in them), its exit status comes back, it runs as root in the
# caller's directory on the guest kernel with the passed-through variables,
# and a guest that runs out of time gives 125. PASS/FAIL per check.
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$here/lib.sh"

run=$here/run
tmp=$(mktemp -d "${TMPDIR:-/tmp}/oa-bed-contract.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
mkdir "$tmp/cwd"
bed=$("$here/setup" --print) || exit 1
# shellcheck source=/dev/null
. "$bed/bed.env"
# run's own temp dirs go here: none may be left behind.
run_tmp=$tmp/run-tmp
mkdir "$run_tmp"

# 1. One boot: output streams, status, cwd, identity, environment, console.
marker=oa-bed-kmsg-$$
status=0
# shellcheck disable=SC2016 # expanded in the guest
(cd "$tmp/cwd" && TMPDIR=$run_tmp OA_CONTRACT_VALUE="a b'c" \
    OA_BED_CONSOLE=$tmp/console.log "$run" '
    echo "<2>'"$marker"'" >/dev/kmsg    # would reach a console at loglevel 3
    echo out-line
    echo err-line >&2
    echo "cwd=$PWD uid=$(id -u) kernel=$(uname -r) value=$OA_CONTRACT_VALUE bed=$OA_BED"
    exit 7') >"$tmp/out" 2>"$tmp/err" || status=$?

bed_check_eq "exit status of COMMAND comes back" 7 "$status"
bed_check_eq "stdout is COMMAND's stdout only" \
    "out-line|cwd=$tmp/cwd uid=0 kernel=$OA_BED_KVER value=a b'c bed=1" \
    "$(paste -sd'|' "$tmp/out")"
bed_check_eq "stderr is COMMAND's stderr only" err-line "$(cat "$tmp/err")"
bed_check "kernel console kept apart (marker in OA_BED_CONSOLE log)" \
    grep -q "$marker" "$tmp/console.log"

# 2. A guest that outlives OA_BED_TIMEOUT: killed, 125, output so far kept.
status=0
TMPDIR=$run_tmp OA_BED_TIMEOUT=45 "$run" 'echo started; sleep 600' >"$tmp/out" 2>"$tmp/err" || status=$?
bed_check_eq "timeout gives 125" 125 "$status"
bed_check_eq "output before the timeout arrived" started "$(cat "$tmp/out")"
bed_check "timeout reported on stderr" grep -q OA_BED_TIMEOUT "$tmp/err"
# ([q]: the pattern must not match the checking shell's own command line)
bed_check "no qemu left behind" sh -c "! pgrep -f '[q]emu-system.*$run_tmp'"
bed_check_eq "run's temp dirs removed" "" "$(ls -A "$run_tmp")"
bed_summary
