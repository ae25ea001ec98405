# nl-bed output parsing for the netlink bed scripts (sourced after
# "$OA_BED_LIB", which provides the PASS/FAIL bookkeeping).
# shellcheck shell=bash

# nl_field KEY LINE: the value of KEY=VALUE in a line of nl-bed output.
nl_field() {
    printf '%s\n' "$2" | tr ' ' '\n' | sed -n "s/^$1=//p" | head -1
}
