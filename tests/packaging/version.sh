#!/bin/bash
# The version has one source, debian/changelog: both programs' --version
# print the package version it gives (and a built .deb, when given, has
# that version too).
#   version.sh AGENTCTL OFFLOAD_AGENT [DEB]
set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
failures=0
fail() {
    echo "FAIL: $*" >&2
    failures=$((failures + 1))
}

want=$(dpkg-parsechangelog -l "$top/debian/changelog" -S Version) ||
    { echo "FAIL: dpkg-parsechangelog" >&2; exit 1; }
[ -n "$want" ] || fail "no version in debian/changelog"
for prog in "$1" "$2"; do
    name=${prog##*/}
    got=$("$prog" --version) || fail "$name --version: exit $?"
    [ "$got" = "$name $want" ] || fail "$name --version: '$got', want '$name $want'"
done
if [ -n "${3:-}" ]; then
    got=$(dpkg-deb -f "$3" Version) || fail "dpkg-deb -f $3"
    [ "$got" = "$want" ] || fail "$3: Version '$got', want '$want'"
fi
[ "$failures" = 0 ] && echo "version $want: agentctl, offload-agent${3:+ and the .deb} agree"
exit $((failures > 0))
