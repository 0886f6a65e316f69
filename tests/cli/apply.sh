#!/bin/sh
# End-to-end tests of `rankmc apply`: a shipped profile on a small market
# prints the recommended order, the point of diminishing returns and the
# baselines and writes /apply/...; bad profiles, candidates files and
# options get FILE:LINE problems or a usage message, exit 2 and no file; an
# existing output is not replaced without --force. Run from the repository
# root with RANKMC=path/to/rankmc.
set -u
TEST=ap . tests/cli/lib/common.sh
mkdir "$T/tmp"
export TMPDIR="$T/tmp" # the work folders of the markets go here and must be removed

expect 0 "apply --help" "$RANKMC" apply --help
grep -q "usage: rankmc apply" "$T/stdout" || fail "help text"

P=models/profiles/apply/img_j1.ini
expect 0 "apply" "$RANKMC" apply "$P" --market im-regional --markets 2 -n 32 -t 2 -q \
    --max-applications 8 --cost-per-application 30 -o "$T/a.h5"
for s in "Recommended order" "point of diminishing returns" "Baselines" "random" \
    "most_desirable" "visa_sponsoring" "P(int)" "E[int]" "cost" "non_us_img"; do
    grep -qF "$s" "$T/stdout" || fail "report lacks '$s'"
done
shape "$T/a.h5" /apply/p_match "( 8, 6 )"
shape "$T/a.h5" /apply/gain "( 8, 2 )"
shape "$T/a.h5" /apply/p_offer "( 40, 6 )"
shape "$T/a.h5" /apply/baseline_diff "( 3, 8, 2 )"
shape "$T/a.h5" /apply/order "( 8 )"
h5dump -a apply_diminishing_k "$T/a.h5" >/dev/null 2>&1 || fail "no apply_diminishing_k"
expect 2 "existing output" "$RANKMC" apply "$P" --market im-regional --markets 1 -n 4 -q \
    --max-applications 2 -o "$T/a.h5"
[ -z "$(ls "$T/tmp")" ] || fail "work folders left behind"

# what-ifs: the table and /apply/whatif*
expect 0 "what-ifs" "$RANKMC" apply "$P" --market im-regional --markets 1 -n 16 -q \
    --max-applications 4 --what-ifs -o "$T/w.h5"
grep -q "What-ifs with 4 applications" "$T/stdout" || fail "no what-if table"
grep -q "visa J1 -> H1B" "$T/stdout" || fail "no visa what-if"
shape "$T/w.h5" /apply/whatif_reopt "( 4, 3 )"
h5dump -H -d /apply/whatif "$T/a.h5" >/dev/null 2>&1 && fail "/apply/whatif without --what-ifs"

# where the applicant would be happy: fewer candidates
expect 0 "filters" "$RANKMC" apply "$P" --market im-regional --markets 1 -n 8 -q \
    --max-applications 2 --min-desirability middle --setting academic
n=$(sed -n 's/^candidates: \([0-9]*\) programs.*/\1/p' "$T/stdout")
[ -n "$n" ] && [ "$n" -ge 2 ] && [ "$n" -lt 20 ] || fail "filters: $n candidates (want 2..19 of 40)"
# the same filters from the profile's [apply] section: the same candidates and
# the same recommended order; the command line overrides the section
cp "$T/stdout" "$T/filters.out"
{ cat "$P"; printf '[apply]\nsetting = academic\nmin_desirability = middle\n'; } >"$T/happy.ini"
expect 0 "[apply] section" "$RANKMC" apply "$T/happy.ini" --market im-regional --markets 1 \
    -n 8 -q --max-applications 2
grep -A4 '^Recommended order' "$T/filters.out" >"$T/f1"
grep -A4 '^Recommended order' "$T/stdout" >"$T/f2"
grep '^candidates:' "$T/filters.out" | sed 's/time:.*//' >>"$T/f1"
grep '^candidates:' "$T/stdout" | sed 's/time:.*//' >>"$T/f2"
cmp -s "$T/f1" "$T/f2" || fail "[apply] section differs from --setting / --min-desirability"
expect 0 "option over [apply]" "$RANKMC" apply "$T/happy.ini" --market im-regional \
    --markets 1 -n 8 -q --max-applications 2 --setting community --min-desirability 0
grep '^candidates:' "$T/stdout" | sed 's/time:.*//' >"$T/f3"
grep '^candidates:' "$T/filters.out" | sed 's/time:.*//' >"$T/f4"
cmp -s "$T/f3" "$T/f4" && fail "--setting / --min-desirability did not override [apply]"
expect 2 "bad --min-desirability" "$RANKMC" apply "$P" --min-desirability 1.5 -q
expect 2 "bad --setting" "$RANKMC" apply "$P" --setting rural -q

# a profile with [program] sections: those are the candidates
expect 0 "profile programs" "$RANKMC" apply models/profiles/img_internist.ini \
    --market im-regional --markets 1 -n 8 -q --max-applications 3
grep -q "^candidates: 6 programs" "$T/stdout" || fail "the profile's 6 programs are the candidates"
grep -q "Mercy Internal Medicine" "$T/stdout" || fail "a profile program in the order"
expect 2 "programs and --candidates" "$RANKMC" apply models/profiles/img_internist.ini \
    --market im-regional -q --candidates "$T/none.txt"

# bad input: FILE:LINE, exit 2, nothing written
printf '[applicant]\ntype = US_MD\nspecialty = dermatology\nstep2_ck = 249\n' >"$T/bad.ini"
expect 2 "unknown specialty" "$RANKMC" apply "$T/bad.ini" --market im-regional --markets 1 \
    -n 4 -q -o "$T/bad.h5"
grep -q "bad.ini:3: unknown specialty 'dermatology'" "$T/stderr" || fail "specialty problem"
[ -e "$T/bad.h5" ] && fail "output written after a problem"
printf '[applicant]\ntype = US_MD\nspecialty = internal_medicine\nstep2_ck = 400\n' >"$T/ck.ini"
expect 2 "Step 2 CK out of range" "$RANKMC" apply "$T/ck.ini" --market im-regional -q
grep -q "ck.ini:4:" "$T/stderr" || fail "Step 2 CK problem at its line"
printf 'p01\np99\n' >"$T/cand.txt"
expect 2 "unknown candidate" "$RANKMC" apply "$P" --market im-regional --markets 1 -n 4 -q \
    --candidates "$T/cand.txt"
grep -q "cand.txt:2: 'p99' is not a program" "$T/stderr" || fail "candidate problem"
expect 2 "more applications than candidates" "$RANKMC" apply "$P" --market im-regional \
    --markets 1 -n 4 -q --max-applications 41
expect 2 "a model folder" "$RANKMC" apply "$P" --market models/default -q
grep -q "needs a synth preset" "$T/stderr" || fail "folder message"
expect 2 "bad -n" "$RANKMC" apply "$P" -n 1 -q
expect 2 "bad cost" "$RANKMC" apply "$P" --cost-per-application -5 -q
[ -z "$(ls "$T/tmp")" ] || fail "work folders left behind after problems"

finish apply.sh
