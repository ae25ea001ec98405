#!/bin/bash
# The Prometheus alerts of README.md's "Running on many hosts" against
# the metrics the agent writes (docs/metrics.md) and Prometheus itself:
# - the rules block parses (promtool check rules: YAML and PromQL);
# - every offload_agent_ metric it names is in docs/metrics.md's table,
#   and every label it matches or groups by is one of that metric's
#   labels (or a target label: instance, job);
# - the three alerts the fleet needs fire as an operator expects, run by
#   promtool test rules on made-up series: not converged only after
#   10 min, tc rules not in hardware per PF and netdev, reconcile
#   failures when they rise (not when the counter stands still).
#   alerts.sh
set -euo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
readme=$top/README.md
metrics=$top/docs/metrics.md
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail() {
    echo "FAIL: $*" >&2
    exit 1
}
command -v promtool >/dev/null || fail "promtool not found (apt-get install prometheus)"

# The first yaml block of the section.
awk '/^## Running on many hosts/ { s = 1; next }
     s && /^## / { exit }
     s && /^```yaml/ { y = 1; next }
     y && /^```/ { exit }
     y { print }' "$readme" >"$tmp/rules.yml"
[ -s "$tmp/rules.yml" ] || fail "no \`\`\`yaml block in README.md's \"Running on many hosts\""
promtool check rules "$tmp/rules.yml" >"$tmp/check.out" 2>&1 ||
    fail "promtool check rules: $(cat "$tmp/check.out")"

# metric -> labels, from the table rows "| `name` | type | labels | ...".
declare -A labels
while IFS='|' read -r _ name _ lab _; do
    name=$(tr -d ' `' <<<"$name")
    [[ $name == offload_agent_* ]] || continue
    labels[$name]=$( (grep -o '`[a-z_]*`' <<<"$lab" || true) | tr -d '`' | tr '\n' ' ')
done <"$metrics"
[ "${#labels[@]}" -gt 5 ] || fail "no metric table in docs/metrics.md"

n=0
while IFS= read -r expr; do
    for m in $(grep -oE 'offload_agent_[a-z_]+' <<<"$expr" | sort -u); do
        base=$(sed -E 's/_(bucket|sum|count)$//' <<<"$m")
        [ -n "${labels[$m]+x}" ] || [ -n "${labels[$base]+x}" ] ||
            fail "alert expr names $m, not in docs/metrics.md: $expr"
        [ -n "${labels[$m]+x}" ] || m=$base
        # Labels matched on it ({l="v"}) and grouped by (by (l, ...)).
        used=$(
            grep -oE "$m\{[^}]*\}" <<<"$expr" | grep -oE '[a-z_]+ *[=!~]+' | tr -d ' =!~' || true
            grep -oE 'by \([^)]*\)' <<<"$expr" | tr -d 'by()' | tr ',' ' ' || true
        )
        for l in $used; do
            case " ${labels[$m]} instance job " in
                *" $l "*) ;;
                *) fail "alert expr uses label $l, not one of $m's (${labels[$m]}): $expr" ;;
            esac
        done
        n=$((n + 1))
    done
done < <(sed -nE 's/^ *expr: *//p' "$tmp/rules.yml")

# The alerts behave: one host in trouble (h1), one healthy (h2).
cat >"$tmp/test.yml" <<'EOF'
rule_files: [rules.yml]
evaluation_interval: 1m
tests:
  - interval: 1m
    input_series:
      - series: 'offload_agent_converged{instance="h1"}'
        values: '0x30'
      - series: 'offload_agent_converged{instance="h2"}'
        values: '1x30'
      - series: 'offload_agent_spec_valid{instance="h1"}'
        values: '1x30'
      - series: 'offload_agent_hw_offload_in_effect{instance="h1"}'
        values: '1x30'
      - series: 'offload_agent_tc_rules_not_in_hw{instance="h1",pf="0000:43:00.0",vf="0",netdev="eth1"}'
        values: '2x30'
      - series: 'offload_agent_tc_rules_not_in_hw{instance="h2",pf="0000:43:00.0",vf="0",netdev="eth1"}'
        values: '0x30'
      - series: 'offload_agent_reconciles_total{instance="h1",result="failed"}'
        values: '0+1x30'
      - series: 'offload_agent_reconciles_total{instance="h2",result="failed"}'
        values: '7x30'
    alert_rule_test:
      - eval_time: 9m
        alertname: OffloadAgentNotConverged
        exp_alerts: []
      - eval_time: 11m
        alertname: OffloadAgentNotConverged
        exp_alerts:
          - exp_labels: {instance: h1}
      - eval_time: 11m
        alertname: OffloadAgentRulesNotInHardware
        exp_alerts:
          - exp_labels: {instance: h1, pf: "0000:43:00.0", netdev: eth1}
      - eval_time: 2m
        alertname: OffloadAgentReconcileFailures
        exp_alerts: []
      - eval_time: 11m
        alertname: OffloadAgentReconcileFailures
        exp_alerts:
          - exp_labels: {instance: h1, result: failed}
EOF
promtool test rules "$tmp/test.yml" >"$tmp/test.out" 2>&1 ||
    fail "promtool test rules: $(cat "$tmp/test.out")"
echo "README alerts: rules parse, $n metric uses match docs/metrics.md, not converged / not in hardware / failures fire as expected"
