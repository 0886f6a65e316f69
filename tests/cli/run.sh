#!/bin/sh
# End-to-end tests of `rankmc run` and `rankmc summary` on tests/data/sim_small:
# exit codes, dataset shapes seen by h5dump, thread-count determinism of the
# file's data, --force, bad models leaving no file, SIGINT writing a partial
# result. Run from the repository root with RANKMC=path/to/rankmc.
set -u
TEST=run . tests/cli/lib/common.sh
MODEL=$(pwd)/tests/data/sim_small

expect 0 "run" "$RANKMC" run "$MODEL" -n 100 -s 3 -t 2 -o "$T/a.h5" --quiet
[ -s "$T/a.h5" ] || fail "no output file"
[ ! -s "$T/stdout" ] || fail "--quiet printed to stdout"
shape "$T/a.h5" /applicants/id "( 24 )"
shape "$T/a.h5" /applicants/p_match "( 24 )"
shape "$T/a.h5" /applicants/p_match_ci95 "( 24, 2 )"
shape "$T/a.h5" /programs/positions "( 5 )"
shape "$T/a.h5" /programs/fill_hist "( 5, 5 )"
shape "$T/a.h5" /interviews/program "( 84 )"
shape "$T/a.h5" /interviews/mean_move "( 84, 8 )"
shape "$T/a.h5" /interviews/factors "( 8 )"
h5dump -H -d /interviews/rank_hist "$T/a.h5" | grep -q "DATASPACE  SIMPLE { ( 84, " ||
    fail "rank_hist should have 84 rows"
h5dump -a /replicates "$T/a.h5" | grep -q "(0): 100" || fail "replicates attribute"
for a in rankmc_version seed threads model_sha256 command_line created_utc wall_seconds rng proposing; do
    h5dump -A "$T/a.h5" | grep -q "ATTRIBUTE \"$a\"" || fail "root attribute $a missing"
done
ls "$T" | grep -q tmp && fail "temporary file left behind"

# The same seed with 1 thread: identical data.
expect 0 "run -t 1" "$RANKMC" run "$MODEL" -n 100 -s 3 -t 1 -o "$T/b.h5" --quiet
for d in /applicants/choice_hist /interviews/rank_hist /interviews/mean_move /programs/depth_hist; do
    h5dump -d "$d" "$T/a.h5" | sed 1d >"$T/da"
    h5dump -d "$d" "$T/b.h5" | sed 1d >"$T/db"
    cmp -s "$T/da" "$T/db" || fail "$d differs between 2 threads and 1"
done

# An existing file is kept without --force.
sum_before=$(cksum <"$T/a.h5")
expect 2 "existing output" "$RANKMC" run "$MODEL" -n 10 -o "$T/a.h5"
grep -q -- "--force" "$T/stderr" || fail "EEXIST message should mention --force"
[ "$(cksum <"$T/a.h5")" = "$sum_before" ] || fail "existing file was modified"
expect 0 "--force" "$RANKMC" run "$MODEL" -n 10 -o "$T/a.h5" --force --quiet

# Numbers out of range are usage errors, read the same way by every command
# (one parser): a seed past 2^64 - 1, a sign, trailing text, a bad suffix.
for bad in "-s 99999999999999999999" "-s -1" "-n +5" "-n 5x" "-t 0" "--max-memory 2T" \
    "--until-se 1e999"; do
    # shellcheck disable=SC2086
    expect 2 "run $bad" "$RANKMC" run "$MODEL" $bad -o "$T/num.h5" --quiet
    [ ! -e "$T/num.h5" ] || fail "run $bad wrote a file"
done
expect 2 "synth -s 2^64+" "$RANKMC" synth --preset im-regional -s 99999999999999999999 -o "$T/nsyn"
expect 0 "run --max-memory 2g" "$RANKMC" run "$MODEL" -n 10 --max-memory 2g -o "$T/num.h5" --quiet

# Bad models: exit 2, nothing written.
mkdir "$T/bad" && cp "$MODEL"/*.csv "$MODEL"/model.ini "$T/bad/"
printf 'zz,NOT_A_TYPE,0,0.5,0,none,none\n' >>"$T/bad/applicants.csv"
expect 2 "bad model" "$RANKMC" run "$T/bad" -n 10 -o "$T/bad.h5"
[ ! -e "$T/bad.h5" ] || fail "bad model wrote a file"
grep -q "applicants.csv:" "$T/stderr" || fail "bad model should name FILE:LINE"
expect 2 "missing model" "$RANKMC" run "$T/nowhere" -n 10 -o "$T/none.h5"
[ ! -e "$T/none.h5" ] || fail "missing model wrote a file"
expect 2 "-n 0" "$RANKMC" run "$MODEL" -n 0 -o "$T/c.h5"
expect 2 "bad option" "$RANKMC" run "$MODEL" --proposing nobody -o "$T/c.h5"
expect 2 "memory limit" "$RANKMC" run "$MODEL" --max-memory 1K -o "$T/c.h5"
grep -q -- "--rank-bins" "$T/stderr" || fail "memory limit message should suggest --rank-bins"
[ ! -e "$T/c.h5" ] || fail "refused runs wrote a file"
ls "$T" | grep -q tmp && fail "temporary file left behind"

# Default output name, summary on stdout, --rank-bins, --check-stability.
(cd "$T" && "$RANKMC" run "$MODEL" -n 64 -t 2 --rank-bins 2 --check-stability >"$T/sum" 2>"$T/err") ||
    fail "run with defaults: $(cat "$T/err")"
[ -s "$T/sim_small.h5" ] || fail "default output should be sim_small.h5"
grep -q "focal_a07" "$T/sum" || fail "summary should show the focal applicant"
grep -q "unstable replicates" "$T/sum" || fail "summary should report the stability check"
h5dump -H -d /interviews/rank_hist "$T/sim_small.h5" | grep -q "( 84, 3 )" ||
    fail "--rank-bins 2 should give 2 bins + not ranked"

# A couples market where some replicates do not converge: with
# --check-stability their matchings' blocking agents are in the file and the
# summary; without, neither.
COUPLES=$(pwd)/tests/data/sim_couples
expect 0 "couples --check-stability" "$RANKMC" run "$COUPLES" -n 64 -t 2 --check-stability -o "$T/cs.h5"
grep -q "their matchings (--check-stability): .* applicants and .* couples block one" "$T/stdout" ||
    fail "summary should show what blocks the non-converged replicates"
h5dump -A "$T/cs.h5" | grep -q 'ATTRIBUTE "unconverged_blocking_couples_se"' ||
    fail "unconverged_blocking_couples_se missing"
expect 0 "couples unchecked" "$RANKMC" run "$COUPLES" -n 64 -t 2 -o "$T/cu.h5"
grep -q "their matchings (" "$T/stdout" && fail "blocking agents shown without --check-stability"
grep -q "run with --check-stability to count what blocks their matchings" "$T/stdout" ||
    fail "summary should say how to count what blocks the non-converged replicates"
h5dump -A "$T/cu.h5" | grep -q 'unconverged_blocking' && fail "blocking attributes without --check-stability"

expect 0 "--until-se" "$RANKMC" run "$MODEL" -n 100000 --until-se 0.03 -o "$T/se.h5" --quiet
h5dump -a /se_reached "$T/se.h5" | grep -q "(0): 1" || fail "--until-se should be reached"
expect 2 "--until-se 0" "$RANKMC" run "$MODEL" --until-se 0 -o "$T/se0.h5"

expect 0 "summary" "$RANKMC" summary "$T/a.h5" --top 3
grep -q "By applicant type" "$T/stdout" || fail "summary tables missing"
grep -q "deepest lists" "$T/stdout" || fail "summary program table missing"
expect 0 "summary --applicant" "$RANKMC" summary "$T/a.h5" --applicant a05
grep -q "a05 (" "$T/stdout" || fail "--applicant a05 not shown"
expect 2 "summary unknown applicant" "$RANKMC" summary "$T/a.h5" --applicant nobody
expect 2 "summary of a non-HDF5 file" "$RANKMC" summary "$MODEL/model.ini"
expect 1 "summary of a missing file" "$RANKMC" summary "$T/nothing.h5"

# Known answer: models/tiny has fixed lists on both sides, so every
# replicate is the NRMP worked example's matching (as `rankmc match` finds it):
# Anderson-City, Chen-Mercy, Ford-General, Davis-General, Eastman-City.
expect 0 "run models/tiny" "$RANKMC" run "$(pwd)/models/tiny" -n 100 -o "$T/tiny.h5" --check-stability --quiet
h5dump -d /interviews/p_match "$T/tiny.h5" | grep -q "(0): 1, 0, 0, 1, 0, 1, 0, 0, 0, 1, 1, 0, 0" ||
    fail "models/tiny: P(match here) should be the worked example's matching"

# SIGINT stops at a batch boundary and writes what was done.
"$RANKMC" run "$MODEL" -n 4000000 -t 2 -o "$T/int.h5" --quiet 2>"$T/err" &
pid=$!
sleep 1
kill -INT "$pid"
wait "$pid"; got=$?
[ "$got" -eq 130 ] || fail "SIGINT: exit $got, expected 130"
h5dump -a /interrupted "$T/int.h5" 2>/dev/null | grep -q "(0): 1" ||
    fail "interrupted run should write interrupted = 1"
[ -s "$T/int.h5.ckpt" ] || fail "interrupted run should leave a checkpoint"
# --resume to done + 100 replicates equals a fresh run of that many.
done_n=$(h5dump -a /replicates "$T/int.h5" | sed -n 's/.*(0): \([0-9]*\).*/\1/p')
total_n=$((done_n + 100))
expect 0 "--resume" "$RANKMC" run "$MODEL" -n "$total_n" -t 1 -o "$T/int.h5" --resume --quiet
expect 0 "fresh run for resume" "$RANKMC" run "$MODEL" -n "$total_n" -t 2 -o "$T/fresh.h5" --quiet
for d in /applicants/choice_hist /interviews/rank_hist /interviews/mean_move; do
    h5dump -d "$d" "$T/int.h5" | sed 1d >"$T/da"
    h5dump -d "$d" "$T/fresh.h5" | sed 1d >"$T/db"
    cmp -s "$T/da" "$T/db" || fail "$d of a resumed run differs from an uninterrupted one"
done
[ ! -e "$T/int.h5.ckpt" ] || fail "a finished run should remove its checkpoint"
expect 2 "--resume without checkpoint" "$RANKMC" run "$MODEL" -o "$T/int.h5" --resume

finish tests/cli/run.sh
