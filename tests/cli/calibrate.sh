#!/bin/sh
# rankmc calibrate: usage errors exit 2 with nothing on stdout, --help exits
# 0, and on a loadable shipped model it prints every calibration figure.
set -u
RANKMC=${RANKMC:?set RANKMC to the rankmc binary}
fail=0
expect() { # expect STATUS DESCRIPTION -- COMMAND...
    want=$1; what=$2; shift 3
    out=$("$@" 2>/dev/null); got=$?
    if [ "$got" -ne "$want" ]; then
        echo "FAIL: $what: exit $got, expected $want"; fail=1
    elif [ "$want" -eq 2 ] && [ -n "$out" ]; then
        echo "FAIL: $what: wrote to stdout on a usage error"; fail=1
    fi
}
expect 0 "--help" -- "$RANKMC" calibrate --help
expect 2 "no model" -- "$RANKMC" calibrate
expect 2 "-n 0" -- "$RANKMC" calibrate -n 0 models/default
expect 2 "-n abc" -- "$RANKMC" calibrate -n abc models/default
expect 2 "two models" -- "$RANKMC" calibrate models/a models/b
"$RANKMC" calibrate /nonexistent/model >/dev/null 2>&1
[ $? -ne 0 ] || { echo "FAIL: a missing model folder exits 0"; fail=1; }
for model in models/tiny models/default; do
    [ -d "$model" ] || continue
    out=$("$RANKMC" calibrate -n 2 -s 7 "$model" 2>/dev/null) || continue  # loader not built yet
    for want in rotation research_fellow chief "resident feedback" "service readiness" visa; do
        echo "$out" | grep -q "$want" || { echo "FAIL: $model: no '$want' line"; fail=1; }
    done
done
[ $fail -eq 0 ] && echo "calibrate.sh: ok"
exit $fail
