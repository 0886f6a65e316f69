#!/bin/sh
# rankmc calibrate: usage errors exit 2 with nothing on stdout, --help exits
# 0, on a loadable shipped model it prints every calibration figure, and
# models/default meets every calibration target with the shipped defaults.
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
    for want in rotation research_fellow chief "resident feedback" "service readiness" visa \
        "share of spots" "service spots" "flight risk"; do
        echo "$out" | grep -q "$want" || { echo "FAIL: $model: no '$want' line"; fail=1; }
    done
done

# models/default with the shipped defaults meets every calibration target
# (docs/calibration-default.md): the article's chart as how often each of
# the five is the largest upward statement of an IMG name that moved up, the
# service statement's size and flight risk's tier; the documented command,
# `rankmc calibrate models/default -n 200` (seed 1), plus seeds 2 and 3
# unless RMC_TEST_QUICK=1. The bounds are the targets themselves, checked
# here rather than by the binary's own ok/OFF marks, so a change to the
# model, the defaults or the calibrate command that breaks calibration
# fails. Resident feedback must also stay the largest IMG share (DESIGN 2:
# the strongest single factor).
# figure LABEL: the first number after LABEL at the start of a line
figure() { echo "$out" | sed -n "s/^  $1  *\([-0-9.]*\).*/\1/p" | head -n 1; }
within() { # within LABEL LOW HIGH SEED
    v=$(figure "$1")
    if [ -z "$v" ]; then
        echo "FAIL: models/default -s $4: no '$1' figure"; fail=1
    elif ! awk -v v="$v" -v lo="$2" -v hi="$3" 'BEGIN { exit !(v >= lo && v <= hi) }'; then
        echo "FAIL: models/default -s $4: $1 = $v, target $2..$3"; fail=1
    fi
}
if [ -d models/default ]; then
    seeds="1 2 3"
    [ "${RMC_TEST_QUICK:-0}" = 1 ] && seeds=1  # make asan: the documented command only
    for seed in $seeds; do
        out=$("$RANKMC" calibrate -n 200 -s "$seed" models/default 2>&1) ||
            { echo "FAIL: calibrate models/default -s $seed: $out"; fail=1; continue; }
        within none 0 2 "$seed"                 # median advocacy move, 200-name list
        within rotation 5 20 "$seed"
        within research_fellow 10 30 "$seed"
        within chief 1 1 "$seed"                # tiers up by advocacy: exactly one
        # why IMGs moved up: the largest upward statement, percent (the chart)
        within "resident feedback" 25 35 "$seed"
        within advocacy 20 30 "$seed"
        within communication 15 25 "$seed"
        within "service readiness" 10 20 "$seed"
        within visa 5 15 "$seed"
        within "service spots" 10 30 "$seed"    # median 'they'll survive here'
        within "flight risk" 1 1 "$seed"        # tiers down: about a tier
        res=$(figure "resident feedback")
        for other in advocacy communication "service readiness" visa; do
            awk -v r="$res" -v o="$(figure "$other")" 'BEGIN { exit !(r > o) }' ||
                { echo "FAIL: models/default -s $seed: $other share >= resident feedback"; fail=1; }
        done
    done
fi
[ $fail -eq 0 ] && echo "calibrate.sh: ok"
exit $fail
