#!/bin/bash
# In the kernel test bed (tests/bed/run): offload-agent with
# --metrics-file in the directory of Debian's prometheus-node-exporter
# textfile collector, scraped over loopback as Prometheus would. The
# agent's series are there after it converges a netdevsim PF (2 VFs);
# with traffic between two emulated VFs its representors' tc rules show
# in_hw; a representor set down behind its back shows as a drift repair
# and a set-link-up step; a spec asking for 3 VFs moves vfs_wanted and
# vfs_present to 3. Judged from the scrape, the host from ip/devlink.
#
# usage: bed-agent-metrics.sh AGENTCTL OFFLOAD_AGENT
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source-path=SCRIPTDIR source=../bed/lib.sh
. "${OA_BED_LIB:-$here/../bed/lib.sh}"
# shellcheck source-path=SCRIPTDIR source=bed-agent-lib.sh
. "$here/bed-agent-lib.sh"

AGENTCTL=$(readlink -f "${1:?usage: $0 AGENTCTL OFFLOAD_AGENT}")
DAEMON=$(readlink -f "${2:?usage: $0 AGENTCTL OFFLOAD_AGENT}")
nsim_id=1
dl=$(bed_nsim_devlink "$nsim_id")
bridge=ovs-sriov
work=$(mktemp -d /tmp/e2e-metrics.XXXXXX)
spec=$work/host.json
log=$work/offload-agent.log
textfile=$work/node-exporter
port=9917
E2E_SOCKET=/run/offload-agent/agentctl.sock
E2E_SPEC=$spec
daemon_pid= exporter_pid= ping_pids=()

cleanup() {
    local p
    for p in "${ping_pids[@]}" $exporter_pid $daemon_pid; do
        kill "$p" 2>/dev/null
        wait "$p" 2>/dev/null
    done
    bed_vf_detach vf0
    bed_vf_detach vf1
    bed_ovs_stop
    rm -rf "$work"
}
trap cleanup EXIT

# scrape: the exporter's page into $page.
scrape() {
    page=$(curl -sf --max-time 5 "http://127.0.0.1:$port/metrics")
}
# value NAME [LABEL="VALUE"...]: the value of the one sample of NAME with
# these labels in $page (the exporter sorts labels: order does not matter).
value() {
    local name=$1 line
    shift
    while read -r line; do
        local l ok=1
        for l in "$@"; do
            [[ "$line" == *"$l"* ]] || ok=0
        done
        [ "$ok" = 1 ] && { printf '%s\n' "${line##* }"; return 0; }
    done < <(grep -E "^$name(\{| )" <<<"$page")
    return 1
}
# scraped OP N NAME [LABEL...]: scrapes; the sample's value OP N
# (-eq, -ge ...), integer part.
scraped() {
    local op=$1 n=$2 v
    shift 2
    scrape || return
    v=$(value "$@") || return
    [ "${v%%.*}" "$op" "$n" ]
}
pf_label="pf=\"$dl\""

echo "== node_exporter's textfile collector, offload-agent --metrics-file"
bed_check "netdevsim$nsim_id created (1 port, max_vfs 8)" bed_nsim_new "$nsim_id" 1 8 ||
    exit 1
bed_check "OVS started" bed_ovs_start || exit 1
mkdir -p "$textfile"
prometheus-node-exporter --collector.disable-defaults --collector.textfile \
    --collector.textfile.directory="$textfile" \
    --web.listen-address="127.0.0.1:$port" 2>"$work/exporter.log" &
exporter_pid=$!
bed_check "node_exporter answers on 127.0.0.1:$port" bed_wait_for 30 scrape ||
    { cat "$work/exporter.log"; exit 1; }
e2e_write_spec "$spec" "$dl" "$bridge" 2 0=02:00:00:00:01:00 1=02:00:00:00:01:01
E2E_T0=$(e2e_ms)
"$DAEMON" --spec "$spec" --socket "$E2E_SOCKET" \
    --metrics-file "$textfile/offload-agent.prom" 2>"$log" &
daemon_pid=$!
e2e_converge_wait "daemon converges 1 PF x 2 VFs" 120 "$spec" ||
    { cat "$log"; exit 1; }

t0=$(e2e_ms)
bed_check "scrape: offload_agent_converged 1" \
    bed_wait_for 10 scraped -eq 1 offload_agent_converged
echo "scrape shows converged $(($(e2e_ms) - t0)) ms after status did"
bed_check_eq "scrape: the textfile collector read it without error" 0 \
    "$(value node_textfile_scrape_error)"
bed_check_eq "scrape: spec_valid" 1 "$(value offload_agent_spec_valid)"
bed_check_eq "scrape: ovs_connected" 1 "$(value offload_agent_ovs_connected)"
bed_check_eq "scrape: hw_offload_in_effect" 1 \
    "$(value offload_agent_hw_offload_in_effect)"
bed_check_eq "scrape: vfs_wanted" 2 "$(value offload_agent_vfs_wanted "$pf_label")"
bed_check_eq "scrape: vfs_present" 2 "$(value offload_agent_vfs_present "$pf_label")"
bed_check "scrape: build_info with a version" \
    grep -q '^offload_agent_build_info{version="[^"]\+"} 1$' <<<"$page"
bed_check "scrape: a reconcile in the duration histogram" \
    grep -q '^offload_agent_reconcile_duration_seconds_count [1-9]' <<<"$page"
n_series=$(grep -c '^offload_agent_' <<<"$page")
echo "scrape: $n_series offload_agent_ series"

echo "== traffic: the representors' tc rules in hardware"
reps=("$(bed_rep_netdev "$dl" 0)" "$(bed_rep_netdev "$dl" 1)")
for i in 0 1; do
    e2e_qos_noop "${reps[$i]}" >/dev/null
    bed_vf_attach "vf$i" "${reps[$i]}" "10.9.0.$((i + 1))/24" "02:00:00:00:01:0$i"
done
bed_check "ping vf0 -> vf1 across $bridge" e2e_ping vf0 10.9.0.2
ip netns exec vf0 ping -q -i 0.5 10.9.0.2 >/dev/null 2>&1 &
ping_pids+=($!)
ip netns exec vf1 ping -q -i 0.5 10.9.0.1 >/dev/null 2>&1 &
ping_pids+=($!)
# tc rule counts change without an event: agentctl status asks the
# daemon to look again (otherwise the file follows within 30 s).
rules_in_hw() {
    e2e_agentctl status >/dev/null 2>&1
    scraped -ge 1 offload_agent_tc_rules_in_hw "$pf_label" 'vf="0"' \
        "netdev=\"${reps[0]}\""
}
bed_check "scrape: tc_rules_in_hw of ${reps[0]} above 0" bed_wait_for 40 rules_in_hw
bed_check_eq "scrape: tc_rules_not_in_hw of ${reps[0]}" 0 \
    "$(value offload_agent_tc_rules_not_in_hw "$pf_label" 'vf="0"')"

echo "== drift: ${reps[1]} set down behind the daemon's back"
scrape
drifts=$(value offload_agent_drift_repairs_total 'kind="set-link-up"') || drifts=0
ups=$(value offload_agent_steps_total 'action="set-link-up"' 'result="done"') || ups=0
t0=$(e2e_ms)
bed_check "ip link set ${reps[1]} down" ip link set "${reps[1]}" down
bed_check "scrape: drift_repairs_total{kind=set-link-up} grew from $drifts" \
    bed_wait_for 60 scraped -gt "$drifts" offload_agent_drift_repairs_total \
    'kind="set-link-up"'
echo "drift seen in the scrape after $(($(e2e_ms) - t0)) ms"
bed_check "scrape: steps_total{set-link-up,done} grew from $ups" \
    bed_wait_for 30 scraped -gt "$ups" offload_agent_steps_total \
    'action="set-link-up"' 'result="done"'
bed_check "${reps[1]} up again" bed_wait_for 30 e2e_link_up "${reps[1]}"

echo "== spec: 3 VFs"
for p in "${ping_pids[@]}"; do kill "$p" 2>/dev/null; wait "$p" 2>/dev/null; done
ping_pids=()
E2E_T0=$(e2e_ms)
e2e_write_spec "$spec" "$dl" "$bridge" 3 0=02:00:00:00:01:00 1=02:00:00:00:01:01
e2e_converge_wait "daemon converges 3 VFs" 120 "$spec"
bed_check "scrape: vfs_wanted 3" bed_wait_for 10 scraped -eq 3 \
    offload_agent_vfs_wanted "$pf_label"
bed_check_eq "scrape: vfs_present" 3 "$(value offload_agent_vfs_present "$pf_label")"
bed_check_eq "scrape: converged" 1 "$(value offload_agent_converged)"

kill -0 "$daemon_pid" 2>/dev/null || { bed_fail "the daemon exited"; cat "$log"; }
bed_summary
