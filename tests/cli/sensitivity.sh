#!/bin/sh
# End-to-end tests of `rankmc sensitivity` and `rankmc sobol` on
# tests/data/sim_small: exit codes, the table, dataset shapes seen by h5dump,
# thread-count determinism of the file's data, --force, unknown applicant or
# factor (exit 2, no file). Run from the repository root with
# RANKMC=path/to/rankmc.
set -u
TEST=sens . tests/cli/lib/common.sh
MODEL=$(pwd)/tests/data/sim_small
data() { # data FILE: every dataset's values, without the file name
    h5dump -d "$2" "$1" 2>/dev/null | tail -n +2
}

# --- sensitivity ---
expect 0 "sensitivity" "$RANKMC" sensitivity "$MODEL" -n 64 -s 5 -t 2 -q \
    --applicant a15 --applicant focal_a07 --factor us_experience --factor visa -o "$T/s.h5"
[ -s "$T/s.h5" ] || fail "no sensitivity file"
grep -q "^a15 (IMG): P(match)" "$T/stdout" || fail "table lacks the a15 header"
grep -q "us_experience observership -> sub_i" "$T/stdout" || fail "table lacks the what-if"
shape "$T/s.h5" /sensitivity/applicant "( 2 )"
shape "$T/s.h5" /sensitivity/factor "( 2 )"
shape "$T/s.h5" /sensitivity/delta_p_match "( 2, 2, 2 )"
shape "$T/s.h5" /sensitivity/delta_p_match_se_unpaired "( 2, 2, 2 )"
shape "$T/s.h5" /sensitivity/whatif "( 2, 2, 2 )"
shape "$T/s.h5" /sensitivity/base_p_match "( 2 )"
for a in rankmc_version seed replicates threads model_sha256 command_line created_utc wall_seconds rng; do
    h5dump -A "$T/s.h5" | grep -q "ATTRIBUTE \"$a\"" || fail "root attribute $a missing"
done

# same data with one thread
expect 0 "sensitivity -t 1" "$RANKMC" sensitivity "$MODEL" -n 64 -s 5 -t 1 -q \
    --applicant a15 --applicant focal_a07 --factor us_experience --factor visa -o "$T/s1.h5"
for ds in /sensitivity/delta_p_match /sensitivity/delta_p_match_se /sensitivity/delta_mean_rank_se \
    /sensitivity/p_match /sensitivity/base_mean_rank; do
    [ "$(data "$T/s.h5" $ds)" = "$(data "$T/s1.h5" $ds)" ] || fail "$ds differs between 1 and 2 threads"
done

# default focal set: the model's one focal_ applicant
expect 0 "sensitivity default focal" "$RANKMC" sensitivity "$MODEL" -n 16 -t 2 -q --factor ties
grep -q "^focal_a07 (IMG)" "$T/stdout" || fail "default focal should be focal_a07"
[ "$(grep -c '^[A-Za-z0-9_]* ([A-Z_]*): P(match)' "$T/stdout")" -eq 1 ] || fail "default focal should be one applicant"

# exit codes
expect 2 "existing output without --force" "$RANKMC" sensitivity "$MODEL" -n 16 -q -o "$T/s.h5"
expect 0 "--force" "$RANKMC" sensitivity "$MODEL" -n 16 -q -o "$T/s.h5" --force --factor ties
rm -f "$T/u.h5"
expect 2 "unknown applicant" "$RANKMC" sensitivity "$MODEL" -n 16 -q --applicant nobody -o "$T/u.h5"
grep -q "unknown applicant 'nobody'" "$T/stderr" || fail "unknown applicant not named"
[ ! -e "$T/u.h5" ] || fail "unknown applicant left a file"
expect 2 "unknown factor" "$RANKMC" sensitivity "$MODEL" --factor luck
expect 2 "duplicate factor" "$RANKMC" sensitivity "$MODEL" --factor ties --factor ties
expect 2 "-n 1" "$RANKMC" sensitivity "$MODEL" -n 1
expect 2 "no model" "$RANKMC" sensitivity
expect 2 "bad model" "$RANKMC" sensitivity "$(pwd)/tests/data/bad/missing_programs" -n 16 -q
expect 0 "--help" "$RANKMC" sensitivity --help

# --- sobol ---
expect 0 "sobol" "$RANKMC" sobol "$MODEL" --samples 4 -n 32 -s 3 -t 2 -q --boot 40 \
    --applicant a15 -o "$T/g.h5"
grep -q "^p_match:a15: mean" "$T/stdout" || fail "sobol table lacks a15"
grep -q "^img_match_rate: mean" "$T/stdout" || fail "sobol table lacks the IMG rate"
grep -q "residents.spots_positive" "$T/stdout" || fail "sobol table lacks a factor"
grep -q "Monte Carlo noise of one point: .* measured (16 points again with seed + 1" "$T/stdout" ||
    fail "sobol table lacks the measured noise"
shape "$T/g.h5" /sobol/noise_variance_seeds "( 2 )"
# a too-small REPS must be flagged: 2 replicates per point on this market
expect 0 "sobol tiny REPS" "$RANKMC" sobol "$MODEL" --samples 4 -n 2 -s 3 -t 2 -q --boot 0 \
    --applicant a15
grep -q "WARNING: the noise is not small against V" "$T/stdout" || fail "no noise warning at -n 2"
shape "$T/g.h5" /sobol/factor "( 12 )"
shape "$T/g.h5" /sobol/x "( 56, 12 )"
shape "$T/g.h5" /sobol/y "( 56, 2 )"
shape "$T/g.h5" /sobol/st "( 2, 12 )"
shape "$T/g.h5" /sobol/s1_lo "( 2, 12 )"
expect 0 "sobol -t 1" "$RANKMC" sobol "$MODEL" --samples 4 -n 32 -s 3 -t 1 -q --boot 40 \
    --applicant a15 -o "$T/g1.h5"
for ds in /sobol/y /sobol/s1 /sobol/st_hi; do
    [ "$(data "$T/g.h5" $ds)" = "$(data "$T/g1.h5" $ds)" ] || fail "$ds differs between 1 and 2 threads"
done
expect 2 "sobol existing output" "$RANKMC" sobol "$MODEL" --samples 4 -n 8 -q -o "$T/g.h5"
expect 2 "sobol unknown applicant" "$RANKMC" sobol "$MODEL" --samples 4 -n 8 -q --applicant x
expect 2 "sobol bad range" "$RANKMC" sobol "$MODEL" --range 2
expect 2 "sobol bad samples" "$RANKMC" sobol "$MODEL" --samples 1

finish sensitivity.sh
