#!/bin/sh
# CLI tests for match rates by group (`rankmc summary --by`) and a guard on
# the nrmp2025 calibration (docs/calibration.md), with the NRMP's tracks and
# SOAP (the preset's default) and every replicate's stability checked on it:
# a 5% market of the preset
# (seed 1, 2,360 applicants), 16 replicates (seed 11), must keep every NRMP
# 2025 group rate, the overall rate and the share of positions filled within
# a band around the published figure. The bands are wider than the national
# calibration's +-2 points because a 5% market is a smaller draw: 258 US
# IMGs and 545 non-US IMGs, whose rates vary by about 3 and 2 points between
# synth seeds (seeds 1-3: US IMG 62.6 / 68.6 / 66.3%), against a replicate
# SE of 0.3 points. Everything is seeded, so the test is deterministic; the
# bands catch a preset or engine change that moves the national figures,
# without a national run in `make check`.
set -u
RANKMC=${RANKMC:-build/release/rankmc}
tmp=$(mktemp -d /tmp/rmc_national_cli.XXXXXX)
trap 'rm -rf "$tmp"' EXIT
fails=0
fail() { echo "FAIL: $*"; fails=$((fails + 1)); }

expect() { # expect STATUS DESCRIPTION -- command...
    want=$1; what=$2; shift 3
    "$@" >"$tmp/out" 2>"$tmp/err"; got=$?
    [ "$got" -eq "$want" ] || { fail "$what: exit $got, expected $want"; cat "$tmp/err"; }
}

n=16
[ -n "${RMC_TEST_QUICK:-}" ] && [ "${RMC_TEST_QUICK}" != 0 ] && n=8
"$RANKMC" synth --preset nrmp2025 --scale 0.05 -o "$tmp/m" >/dev/null || fail "synth"
"$RANKMC" run "$tmp/m" -n "$n" -s 11 -t 2 -o "$tmp/r.h5" -q || fail "run"
"$RANKMC" synth --preset nrmp2025 --scale 0.01 -o "$tmp/other" >/dev/null || fail "synth 0.01"

# refusals: no model folder, unknown column, another model, missing folder
expect 2 "--by x_group without MODEL_DIR" -- "$RANKMC" summary "$tmp/r.h5" --by x_group
expect 2 "unknown column" -- "$RANKMC" summary "$tmp/r.h5" --by x_nope "$tmp/m"
grep -q "applicants.csv:1: no column 'x_nope'" "$tmp/err" || fail "unknown column message"
expect 2 "another model" -- "$RANKMC" summary "$tmp/r.h5" --by x_group "$tmp/other"
grep -q "another model" "$tmp/err" || fail "another model message"
expect 2 "missing folder" -- "$RANKMC" summary "$tmp/r.h5" --by x_group "$tmp/nope"
[ -s "$tmp/out" ] && fail "a refused summary printed a table"

expect 0 "--by type" -- "$RANKMC" summary "$tmp/r.h5" --by type
cp "$tmp/out" "$tmp/type.txt"
expect 0 "--by x_group" -- "$RANKMC" summary "$tmp/r.h5" --by x_group "$tmp/m"
cp "$tmp/out" "$tmp/group.txt"
grep -q "^Match rate by x_group ($n replicates" "$tmp/group.txt" || fail "group table heading"

field() { # field FILE GROUP KEY
    sed -n "s/^RANKMC_GROUP by=[a-z_]* group=$2 .*$3=\([0-9.]*\).*/\1/p" "$1"
}
# the IMG groups are their own types, so both views agree exactly
[ "$(field "$tmp/group.txt" us_img rate)" = "$(field "$tmp/type.txt" US_IMG rate)" ] ||
    fail "us_img and US_IMG differ"
[ "$(field "$tmp/group.txt" all expected)" = "$(field "$tmp/type.txt" all expected)" ] ||
    fail "overall expected matched differs between views"
# SEs: from the per-replicate rates for types and for all applicants (the
# same in both views), none for x_group's own groups (the run keeps counts
# by type only), the independence one beside them
grep -q "SE rep" "$tmp/type.txt" && grep -q "SE indep" "$tmp/type.txt" || fail "SE headings"
[ -n "$(field "$tmp/type.txt" US_IMG se_rep)" ] || fail "no per-replicate SE for US_IMG"
[ -n "$(field "$tmp/type.txt" US_IMG se_indep)" ] || fail "no independence SE for US_IMG"
[ "$(field "$tmp/group.txt" all se_rep)" = "$(field "$tmp/type.txt" all se_rep)" ] ||
    fail "overall per-replicate SE differs between views"
grep -q "^RANKMC_GROUP by=x_group group=us_img .*se_rep=nan" "$tmp/group.txt" ||
    fail "x_group groups should have no per-replicate SE"
# US_MD is md_senior plus other
nmd=$(field "$tmp/group.txt" md_senior n); noth=$(field "$tmp/group.txt" other n)
[ "$((nmd + noth))" -eq "$(field "$tmp/type.txt" US_MD n)" ] || fail "US_MD != md_senior + other"

within() { # within NAME VALUE LOW HIGH
    awk -v v="$2" -v lo="$3" -v hi="$4" 'BEGIN { exit !(v >= lo && v <= hi) }' ||
        fail "$1 = $2, outside [$3, $4]"
}
# published NRMP 2025 figure: seniors +- 4 points, IMG groups +- 6 (two
# market-draw SDs), overall and fill +- 3
within md_senior "$(field "$tmp/group.txt" md_senior rate)" 0.895 0.975
within do_senior "$(field "$tmp/group.txt" do_senior rate)" 0.886 0.966
within us_img "$(field "$tmp/group.txt" us_img rate)" 0.618 0.738
within non_us_img "$(field "$tmp/group.txt" non_us_img rate)" 0.520 0.640
within all "$(field "$tmp/group.txt" all rate)" 0.768 0.828
fill=$(sed -n 's/^RANKMC_FILL .*share=\([0-9.]*\).*/\1/p' "$tmp/group.txt")
within fill "$fill" 0.913 0.973
# and the groups keep their order: seniors, then US IMGs, then non-US IMGs
awk -v a="$(field "$tmp/group.txt" md_senior rate)" -v b="$(field "$tmp/group.txt" us_img rate)" \
    -v c="$(field "$tmp/group.txt" non_us_img rate)" 'BEGIN { exit !(a > b && b > c) }' ||
    fail "group order"

# tracks and SOAP (docs/calibration.md "With tracks and SOAP"): the market
# has advanced and preliminary positions in NRMP 2025's proportions; SOAP
# places about 5% of NRMP's 2,521 (+- 20%) and leaves at least 99% of the
# positions filled
adv=$(awk -F, 'NR == 1 { for (k = 1; k <= NF; k++) if ($k == "track") t = k }
    NR > 1 && $t == "advanced" { s += $3 } END { print s + 0 }' "$tmp/m/programs.csv")
within advanced_positions "$adv" 150 170
soap() { sed -n "s/^RANKMC_SOAP .*$1=\([0-9.]*\).*/\1/p" "$tmp/group.txt"; }
[ -n "$(soap placed)" ] || fail "summary --by x_group shows no SOAP line"
within soap_placed "$(soap placed)" 101 151
within fill_after_soap "$(soap share)" 0.99 1.0
grep -q "^RANKMC_SOAP_GROUP by=x_group group=md_senior .*after=" "$tmp/group.txt" ||
    fail "no after-SOAP rate by group"
# every replicate of the market with supplemental lists, reversions and
# SOAP is stable by the checker (exit 1 otherwise)
"$RANKMC" run "$tmp/m" -n 4 -s 5 -t 2 --check-stability -o "$tmp/st.h5" -q 2>"$tmp/st.err" ||
    { fail "--check-stability on the national market"; cat "$tmp/st.err"; }

[ "$fails" -eq 0 ] && echo "national.sh: all passed"
exit "$fails"
