# Shared by the OVSDB daemon tests (daemon-ovsdb.sh, daemon-outage.sh):
# sourced after the test sets $t (its temporary tree, with $t/etc), $spec,
# $log and, optionally, $slow (a factor on every wait_for bound, for slow
# runs under valgrind).
# shellcheck shell=bash disable=SC2154 # t, spec, log: set by the sourcing test

fail() {
    echo "FAIL: $*" >&2
    exit 1
}
vsctl() {
    ovs-vsctl --db="$OA_TEST_OVSDB" --no-wait --timeout=10 "$@"
}
now_ms() {
    echo $(($(date +%s%N) / 1000000))
}
# wait_for SECONDS COMMAND...: polls COMMAND every 20 ms.
wait_for() {
    local deadline=$(($(now_ms) + $1 * 1000 * ${slow:-1}))
    shift
    until "$@"; do
        [ "$(now_ms)" -lt "$deadline" ] || return 1
        sleep 0.02
    done
}
log_count() {
    grep -c -- "$1" "$log" || true
}
# log_grew PATTERN N: more than N log lines match PATTERN now.
log_grew() {
    [ "$(log_count "$1")" -gt "$2" ]
}
# Writes the spec the way careful tools do: a temporary file in the same
# directory, then rename(2) over the spec.
put_spec() {
    printf '%s\n' "$1" >"$t/etc/.host.json.tmp"
    mv -f "$t/etc/.host.json.tmp" "$spec"
}
# spec_with BRIDGES: a spec on the test's OVSDB with these bridges, no PF.
spec_with() {
    printf '{"version": 1, "ovs": {"db": "%s"}, "bridges": [%s], "pfs": []}' \
        "$OA_TEST_OVSDB" "$1"
}
