#!/bin/sh
# CLI tests for `rankmc synth`: exit codes, refusal to overwrite, --force,
# determinism of the written files, and `rankmc check` on every preset's
# output and on models/default.
set -u
RANKMC=${RANKMC:-build/release/rankmc}
tmp=$(mktemp -d /tmp/rmc_synth_cli.XXXXXX)
trap 'rm -rf "$tmp"' EXIT
fails=0

expect() { # expect STATUS DESCRIPTION -- command...
    want=$1; what=$2; shift 3
    "$@" >"$tmp/out" 2>"$tmp/err"; got=$?
    if [ "$got" -ne "$want" ]; then
        echo "FAIL: $what: exit $got, expected $want"; cat "$tmp/err"; fails=$((fails + 1))
    fi
}

expect 0 "--help" -- "$RANKMC" synth --help
grep -q nrmp2025 "$tmp/out" || { echo "FAIL: --help lists no presets"; fails=$((fails + 1)); }
expect 2 "no arguments" -- "$RANKMC" synth
expect 2 "no -o" -- "$RANKMC" synth --preset im
expect 2 "unknown preset" -- "$RANKMC" synth --preset nope -o "$tmp/a"
grep -q "unknown preset" "$tmp/err" || { echo "FAIL: no message for unknown preset"; fails=$((fails + 1)); }
expect 2 "scale 0" -- "$RANKMC" synth --preset im --scale 0 -o "$tmp/a"
expect 2 "scale junk" -- "$RANKMC" synth --preset im --scale 0.5x -o "$tmp/a"
expect 2 "applicants 0" -- "$RANKMC" synth --preset im --applicants 0 -o "$tmp/a"
expect 2 "negative seed" -- "$RANKMC" synth --preset im -s -3 -o "$tmp/a"
expect 2 "unknown option" -- "$RANKMC" synth --preset im --bogus -o "$tmp/a"
expect 2 "extra argument" -- "$RANKMC" synth --preset im -o "$tmp/a" extra
: >"$tmp/file"
expect 2 "output is a file" -- "$RANKMC" synth --preset im -o "$tmp/file"
expect 1 "parent folder missing" -- "$RANKMC" synth --preset im -o "$tmp/no/such"
expect 2 "--tracks without tracks" -- "$RANKMC" synth --preset im --tracks -o "$tmp/a"
grep -q "has no tracks" "$tmp/err" || { echo "FAIL: no message for --tracks on im"; fails=$((fails + 1)); }
[ -e "$tmp/a" ] && { echo "FAIL: a refused command created its folder"; fails=$((fails + 1)); }

# --tracks: the track column, positions by track in the summary, reversions
expect 0 "nrmp2025 --tracks" -- "$RANKMC" synth --preset nrmp2025 --scale 0.05 --tracks -o "$tmp/t"
grep -q "^  advanced " "$tmp/out" || { echo "FAIL: no advanced positions line"; fails=$((fails + 1)); }
head -1 "$tmp/t/programs.csv" | grep -q ",track," || { echo "FAIL: no track column"; fails=$((fails + 1)); }
[ -s "$tmp/t/reversions.csv" ] || { echo "FAIL: no reversions.csv"; fails=$((fails + 1)); }
sum=$(awk -F, 'NR > 1 { s += $3 } END { print s }' "$tmp/t/programs.csv")
grep -q "^positions   $sum\$" "$tmp/out" || { echo "FAIL: positions $sum"; fails=$((fails + 1)); }
expect 0 "--no-tracks over it" -- "$RANKMC" synth --preset nrmp2025 --scale 0.05 --no-tracks --force -o "$tmp/t"
[ -e "$tmp/t/reversions.csv" ] && { echo "FAIL: stale reversions.csv"; fails=$((fails + 1)); }
head -1 "$tmp/t/programs.csv" | grep -q ",track," && { echo "FAIL: track column without tracks"; fails=$((fails + 1)); }
rm -rf "$tmp/t"

expect 0 "im-regional" -- "$RANKMC" synth --preset im-regional --seed 37 -o "$tmp/a"
grep -q "^applicants  600" "$tmp/out" || { echo "FAIL: summary"; cat "$tmp/out"; fails=$((fails + 1)); }
for f in model.ini applicants.csv programs.csv interviews.csv; do
    [ -s "$tmp/a/$f" ] || { echo "FAIL: $f missing"; fails=$((fails + 1)); }
done
[ "$(ls -A "$tmp/a" | wc -l)" -eq 4 ] || { echo "FAIL: extra files"; ls -A "$tmp/a"; fails=$((fails + 1)); }
cp "$tmp/a/interviews.csv" "$tmp/iv.csv"
expect 2 "non-empty folder without --force" -- "$RANKMC" synth --preset im-regional --seed 38 -o "$tmp/a"
cmp -s "$tmp/a/interviews.csv" "$tmp/iv.csv" || { echo "FAIL: refused write changed files"; fails=$((fails + 1)); }
expect 0 "--force" -- "$RANKMC" synth --preset im-regional --seed 38 -o "$tmp/a" --force
cmp -s "$tmp/a/interviews.csv" "$tmp/iv.csv" && { echo "FAIL: seed 38 wrote seed 37's file"; fails=$((fails + 1)); }
expect 0 "same seed again" -- "$RANKMC" synth --preset im-regional --seed 37 -o "$tmp/b"
cmp -s "$tmp/b/interviews.csv" "$tmp/iv.csv" || { echo "FAIL: same seed, different bytes"; fails=$((fails + 1)); }
expect 0 "tiny" -- "$RANKMC" synth --preset nrmp2025 --applicants 7 --programs 2 -o "$tmp/tiny"
expect 0 "nrmp2025 scale" -- "$RANKMC" synth --preset nrmp2025 --scale 0.05 -o "$tmp/nat"
expect 0 "im scale" -- "$RANKMC" synth --preset im --scale 0.05 -o "$tmp/im"

# Couples on request: couples.csv with the NRMP share, a model that loads,
# and a run whose summary shows the couples' both-matched share with its SE.
expect 0 "couples nrmp" -- "$RANKMC" synth --preset nrmp2025 --scale 0.02 --couples nrmp -o "$tmp/cpl"
[ -f "$tmp/cpl/couples.csv" ] || { echo "FAIL: no couples.csv with --couples nrmp"; fails=$((fails + 1)); }
[ -f "$tmp/nat/couples.csv" ] && { echo "FAIL: couples.csv without --couples"; fails=$((fails + 1)); }
"$RANKMC" check "$tmp/cpl" 2>&1 | grep -q "couples  *23" || { echo "FAIL: expected 23 couples: $("$RANKMC" check "$tmp/cpl" 2>&1 | grep couples)"; fails=$((fails + 1)); }
"$RANKMC" run "$tmp/cpl" -n 8 -t 1 -o "$tmp/cpl.h5" --quiet >/dev/null 2>&1
"$RANKMC" summary "$tmp/cpl.h5" 2>&1 | grep -q "couples: 23; both partners matched .* +- " ||
    { echo "FAIL: summary does not show couples"; fails=$((fails + 1)); }
"$RANKMC" summary "$tmp/cpl.h5" --couples "$tmp/cpl" --top 3 >"$tmp/cpl.sum" 2>&1 ||
    { echo "FAIL: summary --couples: $(cat "$tmp/cpl.sum")"; fails=$((fails + 1)); }
for want in "Couples: 23, 8 replicates" "both partners matched .*% +- " "both in one city .*% +- " \
    "both in one region .*% +- " "exactly one matched .*% +- " "The 3 couples least likely"; do
    grep -q "$want" "$tmp/cpl.sum" || { echo "FAIL: summary --couples lacks '$want'"; fails=$((fails + 1)); }
done
# The mean both-matched chance over couples equals the run's per-replicate share.
m1=$(sed -n 's/^  both partners matched *\([0-9.]*\)%.*/\1/p' "$tmp/cpl.sum")
m2=$(sed -n 's/.*from the run: both \([0-9.]*\)%.*/\1/p' "$tmp/cpl.sum")
[ -n "$m1" ] && [ "$m1" = "$m2" ] || { echo "FAIL: both-matched $m1 vs per-replicate $m2"; fails=$((fails + 1)); }
expect 2 "summary --couples of another model" -- "$RANKMC" summary "$tmp/cpl.h5" --couples "$tmp/nat"
# The lists are generated every replicate by default (rows without rank, the
# location as region / city columns, [couples] in model.ini); --fixed-lists
# writes the lists drawn once, for the same couples. Both files carry the
# engine's per-couple P(one city / region): summary --couples needs no folder.
head -n 2 "$tmp/cpl/couples.csv" | tail -n 1 | grep -q '^a[0-9]*,a[0-9]*,,,$' ||
    { echo "FAIL: couples.csv rows are not generated-list rows"; fails=$((fails + 1)); }
head -n 1 "$tmp/cpl/programs.csv" | grep -q ',region,city$' ||
    { echo "FAIL: programs.csv lacks region,city"; fails=$((fails + 1)); }
grep -q '^\[couples\]' "$tmp/cpl/model.ini" || { echo "FAIL: no [couples] in model.ini"; fails=$((fails + 1)); }
expect 0 "couples, fixed lists" -- "$RANKMC" synth --preset nrmp2025 --scale 0.02 --couples nrmp --fixed-lists -o "$tmp/cplf"
head -n 2 "$tmp/cplf/couples.csv" | tail -n 1 | grep -q '^a[0-9]*,a[0-9]*,1,' ||
    { echo "FAIL: --fixed-lists did not write ranked rows"; fails=$((fails + 1)); }
# with fixed lists [couples] holds rank_together only (the other keys shape generated lists)
sed -n '/^\[couples\]/,/^\[/p' "$tmp/cplf/model.ini" | grep -v '^\[' | grep -v '^$' | grep -v '^#' >"$tmp/cplf_keys"
printf 'rank_together = on\n' | cmp -s - "$tmp/cplf_keys" ||
    { echo "FAIL: [couples] with --fixed-lists is not rank_together = on alone"; cat "$tmp/cplf_keys"; fails=$((fails + 1)); }
grep -q '^rank_together = on$' "$tmp/cpl/model.ini" ||
    { echo "FAIL: synth --couples did not write rank_together = on"; fails=$((fails + 1)); }
grep -q '^# rank_together: .*assumption' "$tmp/cpl/model.ini" ||
    grep -A3 '^# rank_together:' "$tmp/cpl/model.ini" | grep -q 'assumption' ||
    { echo "FAIL: rank_together's source (assumption) is not given"; fails=$((fails + 1)); }
cut -d, -f1,2 "$tmp/cplf/couples.csv" | uniq | tail -n +2 >"$tmp/pairs_f"
cut -d, -f1,2 "$tmp/cpl/couples.csv" | tail -n +2 >"$tmp/pairs_g"
cmp -s "$tmp/pairs_f" "$tmp/pairs_g" || { echo "FAIL: --fixed-lists drew other couples"; fails=$((fails + 1)); }
cmp -s "$tmp/cplf/interviews.csv" "$tmp/cpl/interviews.csv" || { echo "FAIL: --fixed-lists changed interviews"; fails=$((fails + 1)); }
"$RANKMC" summary "$tmp/cpl.h5" 2>&1 | grep -q "couples both in one city .*% +- .* in one region .*% +- " ||
    { echo "FAIL: summary does not show couples' one city / region"; fails=$((fails + 1)); }
"$RANKMC" summary "$tmp/cpl.h5" --couples --top 2 2>&1 | grep -q "The 2 couples least likely" ||
    { echo "FAIL: summary --couples without MODEL_DIR"; fails=$((fails + 1)); }
expect 2 "bad --couples" -- "$RANKMC" synth --preset nrmp2025 --couples x -o "$tmp/bad_c"

# models/default is the im-regional preset at seed 2025 plus hand-added focal
# rows at the end: the generated part must still be what the command writes.
if [ -d models/default ]; then
    expect 0 "default base" -- "$RANKMC" synth --preset im-regional --seed 2025 -o "$tmp/def"
    cmp -s "$tmp/def/programs.csv" models/default/programs.csv ||
        { echo "FAIL: models/default/programs.csv is not the preset's"; fails=$((fails + 1)); }
    for f in applicants.csv interviews.csv; do
        n=$(wc -l <"$tmp/def/$f")
        head -n "$n" "models/default/$f" | cmp -s - "$tmp/def/$f" ||
            { echo "FAIL: models/default/$f does not start with the preset's rows"; fails=$((fails + 1)); }
        tail -n +"$((n + 1))" "models/default/$f" | grep -qv '^focal_' &&
            { echo "FAIL: models/default/$f: hand-added rows must be focal_*"; fails=$((fails + 1)); }
    done
fi

# `rankmc check` accepts everything synth writes, and models/default.
for m in "$tmp/a" "$tmp/b" "$tmp/tiny" "$tmp/nat" "$tmp/im" models/default; do
    expect 0 "rankmc check $m" -- "$RANKMC" check "$m"
done

if [ "$fails" -ne 0 ]; then
    echo "synth.sh: $fails failure(s)"; exit 1
fi
echo "synth.sh: all passed"
