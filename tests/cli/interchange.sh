#!/bin/sh
# rankmc convert and rankmc verify (docs/interchange.md): a
# stable-matching-suite problem file round-trips through a model folder
# byte for byte (canonical form) and a model folder through a problem file
# file for file; rankmc verify accepts rankmc's own matching and flags a
# hand-made unstable one with its blocking couple / pair (exit 1), in
# both matching formats; bad input is FILE:LINE, exit 2, nothing written.
# Run with RANKMC=path/to/rankmc.
set -u
RANKMC=${RANKMC:-build/release/rankmc}
fails=0
fail() { echo "FAIL: $*"; fails=$((fails + 1)); }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# The minimal market the couples procedure once missed (docs/match.md):
# residents a=0, b=1 (a couple), s=2, x=3, y=4; programs P0=0, P1=1.
cat >"$tmp/miss.smp" <<'SMP'
r 2 0 1
r 3 1
r 4 1
c 0 0 1 1 0 0 1 0 0
p 0 2 1 0 2
p 1 2 4 2 1 3 0
SMP
"$RANKMC" convert "$tmp/miss.smp" "$tmp/model" >"$tmp/c1.out" 2>&1 || fail "convert to model: $(cat "$tmp/c1.out")"
"$RANKMC" check "$tmp/model" >/dev/null 2>&1 || fail "the converted model does not pass rankmc check"
"$RANKMC" convert "$tmp/model" "$tmp/back.smp" >"$tmp/c2.out" 2>&1 || fail "convert back: $(cat "$tmp/c2.out")"
cmp -s "$tmp/miss.smp" "$tmp/back.smp" || { fail "problem file does not round-trip exactly"; diff "$tmp/miss.smp" "$tmp/back.smp"; }

# A commented, loosely spaced file reads as the same problem.
{ echo "# a comment"; echo ""; sed 's/ /   /g' "$tmp/miss.smp"; } >"$tmp/loose.smp"
"$RANKMC" convert "$tmp/loose.smp" "$tmp/loose_model" >/dev/null 2>&1 || fail "convert loose file"
"$RANKMC" convert "$tmp/loose_model" "$tmp/loose_back.smp" >/dev/null 2>&1 || fail "convert loose back"
cmp -s "$tmp/miss.smp" "$tmp/loose_back.smp" || fail "comments/spacing changed the problem"

# rankmc's matching of it (the couple at (P0,P0)) verifies as stable.
"$RANKMC" match "$tmp/model" -o "$tmp/m.csv" >/dev/null 2>&1 || fail "match on the converted model"
printf '%s\n' applicant,program,track,status,pgy1 0,0,categorical,matched, \
    1,0,categorical,matched, 2,1,categorical,matched, 3,,,unmatched, 4,1,categorical,matched, \
    >"$tmp/want.csv"
cmp -s "$tmp/want.csv" "$tmp/m.csv" || { fail "match result"; cat "$tmp/m.csv"; }
"$RANKMC" verify "$tmp/model" "$tmp/m.csv" >"$tmp/v1.out" 2>&1
rc=$?
[ $rc -eq 0 ] || fail "verify of rankmc's matching: exit $rc: $(cat "$tmp/v1.out")"
grep -q "stable" "$tmp/v1.out" || fail "verify says: $(cat "$tmp/v1.out")"

# Hand-made unstable matching: the couple at (P0,P1), x unmatched — stable
# for verifiers that do not free a couple's own seats, not for rankmc.
printf 'applicant,program\n0,0\n1,1\n2,0\n3,\n4,1\n' >"$tmp/bad.csv"
"$RANKMC" verify "$tmp/model" "$tmp/bad.csv" >"$tmp/v2.out" 2>&1
rc=$?
[ $rc -eq 1 ] || fail "verify of an unstable matching: exit $rc, expected 1"
# Numeric ids are the model's ids, quoted, never mixed with row indices;
# the list rank is the 1-based rank of couples.csv / applicant_rols.csv.
grep -q "blocking couple: couple of applicants '0' and '1' prefers programs ('1', '0') (rank 1 on its joint list), which would take them" "$tmp/v2.out" ||
    fail "blocking couple not named: $(cat "$tmp/v2.out")"
grep -q "NOT stable: 1 violation" "$tmp/v2.out" || fail "violation count: $(cat "$tmp/v2.out")"

# The same in the suite's matching format; and a blocking single.
printf 'm 1\nr 0 0\nr 1 1\nr 2 0\nr 3 -1\nr 4 1\n' >"$tmp/bad.txt"
"$RANKMC" verify "$tmp/model" "$tmp/bad.txt" >"$tmp/v3.out" 2>&1
[ $? -eq 1 ] || fail "suite-format unstable matching not exit 1"
grep -q "blocking couple: couple of applicants '0' and '1'" "$tmp/v3.out" || fail "suite format: $(cat "$tmp/v3.out")"
printf 'applicant,program\n0,0\n1,0\n2,1\n3,1\n4,\n' >"$tmp/single.csv"
"$RANKMC" verify "$tmp/model" "$tmp/single.csv" >"$tmp/v4.out" 2>&1
[ $? -eq 1 ] || fail "blocking pair not exit 1"
grep -q "blocking pair: applicant '4' prefers program '1' (rank 1 on its list)" "$tmp/v4.out" ||
    fail "blocking pair not named: $(cat "$tmp/v4.out")"

# A couple at a pair not on its joint list is named by ids too.
printf 'applicant,program\n0,1\n1,1\n2,0\n3,\n4,\n' >"$tmp/offlist.csv"
"$RANKMC" verify "$tmp/model" "$tmp/offlist.csv" >"$tmp/v5.out" 2>&1
[ $? -eq 1 ] || fail "couple off its list not exit 1"
grep -q "couple of applicants '0' and '1' placed at programs ('1', '1'), not a ranked pair on its joint list" "$tmp/v5.out" ||
    fail "off-list couple not named: $(cat "$tmp/v5.out")"

# A model folder (models/tiny, names not numbers) -> problem file -> model
# -> problem file: the two problem files agree exactly.
"$RANKMC" convert models/tiny "$tmp/tiny.smp" >/dev/null 2>&1 || fail "convert models/tiny"
"$RANKMC" convert "$tmp/tiny.smp" "$tmp/tiny_model" >/dev/null 2>&1 || fail "convert tiny.smp"
"$RANKMC" convert "$tmp/tiny_model" "$tmp/tiny2.smp" >/dev/null 2>&1 || fail "convert tiny_model"
cmp -s "$tmp/tiny.smp" "$tmp/tiny2.smp" || fail "models/tiny does not round-trip"
"$RANKMC" match "$tmp/tiny_model" >"$tmp/tiny.csv" 2>/dev/null || fail "match tiny_model"
[ "$(tail -n +2 "$tmp/tiny.csv" | grep -c ',[0-9]')" -eq 5 ] || fail "tiny: 5 matched expected"

# Existing outputs are kept without --force.
echo keep >"$tmp/exists.smp"
"$RANKMC" convert "$tmp/model" "$tmp/exists.smp" >/dev/null 2>&1
[ $? -eq 2 ] || fail "existing problem file without --force: not exit 2"
[ "$(cat "$tmp/exists.smp")" = keep ] || fail "existing problem file modified"
"$RANKMC" convert "$tmp/miss.smp" "$tmp/model" >/dev/null 2>&1
[ $? -eq 2 ] || fail "existing model folder without --force: not exit 2"
"$RANKMC" convert "$tmp/miss.smp" "$tmp/model" --force >/dev/null 2>&1 || fail "--force model folder"

# Bad input: FILE:LINE, exit 2, no output.
printf 'r 0 0\nc 1 0 2 0 -1\np 0 1 0\nx 3\np 0 2\nr 4 9\nc 2 5 6 -1 -1\np 3 0\n' >"$tmp/bad.smp"
"$RANKMC" convert "$tmp/bad.smp" "$tmp/bad_model" >"$tmp/b.out" 2>&1
rc=$?
[ $rc -eq 2 ] || fail "bad problem file: exit $rc, expected 2"
[ -e "$tmp/bad_model" ] && fail "bad problem file left an output"
for want in "bad.smp:2: resident 0 already" "bad.smp:4: a line must start" "bad.smp:5: program 0 given twice" \
    "bad.smp:6: program 9 has no p line" "bad.smp:7: the pair -1 -1" "bad.smp:8: quota 0"; do
    grep -q "$want" "$tmp/b.out" || fail "missing '$want' in: $(cat "$tmp/b.out")"
done
printf 'applicant,program\n0,0\n0,1\nzz,0\n' >"$tmp/badm.csv"
"$RANKMC" verify "$tmp/model" "$tmp/badm.csv" >"$tmp/bm.out" 2>&1
[ $? -eq 2 ] || fail "bad matching file: not exit 2"
grep -q "badm.csv:3: applicant '0' listed twice" "$tmp/bm.out" || fail "bad matching: $(cat "$tmp/bm.out")"
grep -q "badm.csv:4: applicant 'zz' is not in the model" "$tmp/bm.out" || fail "bad matching: $(cat "$tmp/bm.out")"

[ $fails -eq 0 ] || exit 1
echo "tests/cli/interchange.sh: all passed"
