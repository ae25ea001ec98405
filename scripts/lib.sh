# shellcheck shell=bash
# Shared helpers for the project's shell tooling (sourced, not executed).
# Keep this POSIX-ish bash; it runs on fresh Debian 12 machines as root.

# Where slow, reusable artefacts live (OVS build, bed kernel, netdevsim.ko).
# Outside the work tree so a fresh clone on the same machine reuses them.
oa_cache_dir() {
    if [ -n "${OA_CACHE_DIR:-}" ]; then
        :
    elif [ "$(id -u)" = 0 ]; then
        OA_CACHE_DIR=/var/cache/offload-agent
    else
        OA_CACHE_DIR="${XDG_CACHE_HOME:-$HOME/.cache}/offload-agent"
    fi
    mkdir -p "$OA_CACHE_DIR"
    printf '%s\n' "$OA_CACHE_DIR"
}

oa_log() {
    printf '%s: %s\n' "${0##*/}" "$*" >&2
}

oa_die() {
    oa_log "error: $*"
    exit 1
}

# Prints the packages among "$@" that are not installed.
oa_apt_missing() {
    local p status
    for p in "$@"; do
        status=$(dpkg-query -W -f='${db:Status-Status}' "$p" 2>/dev/null) || status=
        [ "$status" = installed ] || printf '%s\n' "$p"
    done
}

# Installs the missing packages among "$@"; silent when none is missing.
# Never lets a package start its service on this host (openvswitch-switch
# would otherwise take /run/openvswitch): a policy-rc.d denies it for the
# duration of the install when the machine has none of its own.
oa_apt_ensure() {
    local missing policy=/usr/sbin/policy-rc.d made_policy=
    mapfile -t missing < <(oa_apt_missing "$@")
    [ "${#missing[@]}" -gt 0 ] || return 0
    [ "$(id -u)" = 0 ] ||
        oa_die "missing packages (run as root to install): ${missing[*]}"
    oa_log "installing: ${missing[*]}"
    if [ ! -e "$policy" ]; then
        printf '#!/bin/sh\nexit 101\n' >"$policy"
        chmod 755 "$policy"
        made_policy=1
    fi
    export DEBIAN_FRONTEND=noninteractive
    # A fresh machine has empty or stale lists: update once, then retry.
    if ! apt-get install -y -qq --no-install-recommends "${missing[@]}" >/tmp/oa-apt.log 2>&1; then
        apt-get update -qq >>/tmp/oa-apt.log 2>&1
        apt-get install -y -qq --no-install-recommends "${missing[@]}" >>/tmp/oa-apt.log 2>&1 || {
            [ -n "$made_policy" ] && rm -f "$policy"
            tail -20 /tmp/oa-apt.log >&2
            oa_die "apt-get install failed (log: /tmp/oa-apt.log)"
        }
    fi
    [ -n "$made_policy" ] && rm -f "$policy"
    return 0
}
