#!/bin/sh
# End-to-end tests of `rankmc forecast`: a shipped profile on a small
# market prints the report and writes /forecast/...; bad profiles get
# FILE:LINE problems, exit 2 and no file; a visa the program cannot sponsor
# is a warning; an existing output is not replaced without --force. Run from
# the repository root with RANKMC=path/to/rankmc.
set -u
TEST=fc . tests/cli/lib/common.sh
mkdir "$T/tmp"
export TMPDIR="$T/tmp" # the work folders of the markets go here and must be removed

expect 0 "forecast --help" "$RANKMC" forecast --help
grep -q "usage: rankmc forecast" "$T/stdout" || fail "help text"

P=models/profiles/img_internist.ini
expect 0 "forecast" "$RANKMC" forecast "$P" --market im-regional:0.5 --markets 2 -n 64 -t 2 \
    -q -o "$T/f.h5"
for s in "P(match)" "Mercy Internal Medicine" "What-ifs" "List-length curve" \
    "between-market spread" "Step 2 CK 236 -> 246"; do
    grep -q "$s" "$T/stdout" || fail "report lacks '$s'"
done
shape "$T/f.h5" /forecast/p_match "( 2, 6 )"
shape "$T/f.h5" /forecast/p_here "( 2, 6, 6 )"
shape "$T/f.h5" /forecast/p_here_market "( 2, 2, 6 )"
shape "$T/f.h5" /forecast/curve "( 6, 6 )"
shape "$T/f.h5" /forecast/program "( 6 )"
h5dump -a forecast_market "$T/f.h5" >/dev/null 2>&1 || fail "no forecast_market attribute"
expect 2 "existing output" "$RANKMC" forecast "$P" --market im-regional:0.5 --markets 1 -n 8 \
    -q -o "$T/f.h5"

# every shipped single profile runs (couples, in two specialties, below); a
# model folder is one market
for p in models/profiles/*.ini; do
    grep -q '^\[partner\]' "$p" && continue
    expect 0 "forecast $p" "$RANKMC" forecast "$p" --market im-regional --markets 1 -n 16 -q \
        --no-what-ifs
    grep -q "^P(match) " "$T/stdout" || fail "$p: no P(match) line"
done
expect 0 "model folder" "$RANKMC" forecast "$P" --market models/default --markets 3 -n 16 -q \
    --no-what-ifs
grep -q "models/default, 1 market x 16 replicates" "$T/stdout" || fail "a folder is one market"
grep -q "no between-market spread" "$T/stdout" || fail "one market: no spread claimed"

# --method both prints the agreement line
expect 0 "both methods" "$RANKMC" forecast "$P" --market im-regional:0.5 --markets 1 -n 64 -q \
    --method both --no-what-ifs
grep -q "fast - exact: P(match)" "$T/stdout" || fail "no agreement line"
grep -q "What-ifs" "$T/stdout" && fail "--no-what-ifs printed what-ifs"

# bad profiles: every problem as FILE:LINE, exit 2, nothing written
cat >"$T/bad.ini" <<'INI'
[applicant]
type = IMG
specialty = internal_medicine
step2_ck = 0
visa = J1
[program A]
sponsors = J1
[program A]
positions = 3
sponsors = J1
INI
expect 2 "bad profile" "$RANKMC" forecast "$T/bad.ini" --market im-regional -q -o "$T/bad.h5"
grep -q "bad.ini:4: step2_ck: 0 is outside 1..300" "$T/stderr" || fail "score range"
grep -q "bad.ini:6: \[program A\] needs positions" "$T/stderr" || fail "positions"
grep -q "bad.ini:8: duplicate program 'A' (first on line 6)" "$T/stderr" || fail "duplicate"
[ -e "$T/bad.h5" ] && fail "a file was written for a bad profile"

printf '[applicant]\ntype = US_MD\nspecialty = dermatology\nstep2_ck = 250\n[program A]\npositions = 2\n' >"$T/spec.ini"
expect 2 "unknown specialty" "$RANKMC" forecast "$T/spec.ini" --market im-regional -q \
    -o "$T/spec.h5"
grep -q "spec.ini:3: unknown specialty 'dermatology'" "$T/stderr" || fail "specialty message"
[ -e "$T/spec.h5" ] && fail "a file was written for an unknown specialty"

printf '[applicant]\ntype = IMG\nspecialty = internal_medicine\nstep2_ck = 240\nvisa = J1\n[program A]\npositions = 4\nsponsors = none\n[program B]\npositions = 4\nsponsors = J1\n' >"$T/warn.ini"
expect 0 "visa warning" "$RANKMC" forecast "$T/warn.ini" --market im-regional:0.5 --markets 1 \
    -n 16 -q --no-what-ifs
grep -q "warn.ini:6: warning: \[program A\] sponsors no visa" "$T/stderr" || fail "warning"

# A couple (models/profiles/couple_im_peds.ini): joint chances for both
# methods, each partner's table, /forecast's couple tables.
C=models/profiles/couple_im_peds.ini
expect 0 "couple" "$RANKMC" forecast "$C" --market nrmp2025:0.05 --markets 2 -n 16 -t 2 -q \
    --method both -o "$T/couple.h5"
for want in "partner: US_MD, pediatrics" "\[couple, fast method\]" "\[couple, exact method\]" \
    "P(both matched) " "P(both in one city) " "P(exactly one matched) " "P(neither matched) " \
    "\[partner, exact method\]" "did not converge: " "fast - exact: P(both matched)"; do
    grep -q "$want" "$T/stdout" || fail "couple report lacks '$want'"
done
h5ls "$T/couple.h5/forecast" | grep -q "joint_p .*{2, 5, 6}" || fail "/forecast/joint_p"
h5ls "$T/couple.h5/forecast" | grep -q "partner_p_here" || fail "/forecast/partner_p_here"
printf '[applicant]\ntype = US_MD\nspecialty = internal_medicine\nstep2_ck = 240\n[partner]\ntype = US_MD\nspecialty = pediatrics\nstep2_ck = 240\n[program A]\npositions = 4\n[partner.program B]\npositions = 4\nregion = west\n' >"$T/nowhere.ini"
expect 2 "couple without a region" "$RANKMC" forecast "$T/nowhere.ini" -q -o "$T/nowhere.h5"
grep -q "nowhere.ini:9: \[program A\] needs region" "$T/stderr" || fail "region message"
[ -e "$T/nowhere.h5" ] && fail "a file was written for a bad couple profile"

expect 2 "bad option" "$RANKMC" forecast "$P" --markets 0
expect 2 "bad scale" "$RANKMC" forecast "$P" --market im:abc -q
[ -z "$(ls -A "$T/tmp")" ] || fail "work folders left behind: $(ls -A "$T/tmp")"

finish forecast.sh
