#!/bin/sh
# The MPI build against the serial one (docs/mpi.md): every dataset, and
# every root attribute but those that must differ (command_line,
# created_utc, threads, wall_seconds, ranks), of `mpirun -np 1/2/3` against
# the serial binary, for run (with and without --until-se; markets with
# fixed and with generated couples' lists; moves that spill out of the
# threads' int32 sums; a small synth market with tracks, SOAP and
# couples), a checkpoint
# written on 2 ranks and resumed on 3, SIGINT through mpirun, sensitivity,
# sobol and bench, and a failure (on every rank, or on one) ending every
# rank with one message.
# Usage: tests/mpi/compare.sh SERIAL_RANKMC MPI_RANKMC   (from the repository root)
set -eu
S=$1
M=$2
MODEL=${MODEL:-models/default}
if [ "$(id -u)" -eq 0 ]; then
    # Open MPI refuses root (as in a CI container) without both of these.
    export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
fi
# Containers often forbid the cross-process memory reads (CMA) Open MPI's
# shared-memory transport uses for large messages; copying through the
# shared segment works everywhere and the messages here are small.
export OMPI_MCA_btl_vader_single_copy_mechanism=none
MPIRUN="mpirun --oversubscribe"
T=$(mktemp -d /tmp/rankmc-mpi.XXXXXX)
trap 'rm -rf "$T"' EXIT
failed=0

fail() {
    echo "FAIL: $*"
    failed=$((failed + 1))
}

attr() { # FILE NAME: the root attribute's value as h5dump prints it
    h5dump -a "/$2" "$1" | tail -n +2
}

# same A B: B has every dataset of A with identical contents, and the same
# root attributes but those that must differ.
same() {
    if ! h5diff --exclude-attribute / "$1" "$2"; then
        fail "datasets of $2 differ from $1"
        return 0
    fi
    names_a=$(h5dump -A "$1" | sed -n 's/^   ATTRIBUTE "\(.*\)" {/\1/p' | grep -vx ranks)
    names_b=$(h5dump -A "$2" | sed -n 's/^   ATTRIBUTE "\(.*\)" {/\1/p' | grep -vx ranks)
    if [ "$names_a" != "$names_b" ]; then
        fail "$2 has other root attributes than $1"
        return 0
    fi
    for name in $names_a; do
        case $name in command_line | created_utc | threads | wall_seconds) continue ;; esac
        if [ "$(attr "$1" "$name")" != "$(attr "$2" "$name")" ]; then
            fail "attribute $name of $2 differs from $1"
            return 0
        fi
    done
    echo "ok: $(basename "$2"): $(h5ls -r "$2" | grep -c Dataset) datasets identical to $(basename "$1")"
}

value() { # FILE NAME: a scalar root attribute's value
    attr "$1" "$2" | sed -n 's/^ *(0): *//p'
}

# The collectives and the exact reduction on 3 ranks (tests/test_dist.c).
if [ -x "$(dirname "$M")/tests/test_dist" ]; then
    $MPIRUN -np 3 "$(dirname "$M")/tests/test_dist" >"$T/test_dist.out" 2>&1 ||
        { fail "test_dist on 3 ranks"; cat "$T/test_dist.out"; }
    [ "$(grep -c PASSED "$T/test_dist.out")" -eq 3 ] && echo "ok: test_dist on 3 ranks"
fi

# run, every dataset: serial on 2 threads against 1, 2 and 3 ranks.
"$S" run "$MODEL" -n 300 -s 7 -t 2 -o "$T/run.h5" -q
for np in 1 2 3; do
    $MPIRUN -np $np "$M" run "$MODEL" -n 300 -s 7 -t 1 -o "$T/run-np$np.h5" -q
    same "$T/run.h5" "$T/run-np$np.h5"
done
$MPIRUN -np 2 "$M" run "$MODEL" -n 300 -s 7 -t 2 -o "$T/run-np2t2.h5" -q
same "$T/run.h5" "$T/run-np2t2.h5"

# Markets with couples: the restart histogram and non-converged counts,
# and (--check-stability) what blocks the non-converged replicates; with
# joint lists generated every replicate (sim_joint), the per-couple outcome
# counts and the one-city / one-region shares too.
for cm in sim_couples sim_joint; do
    "$S" run tests/data/$cm -n 200 -s 3 -t 2 --check-stability -o "$T/$cm.h5" -q
    [ -n "$(value "$T/$cm.h5" unconverged_blocking_applicants)" ] ||
        fail "$cm: no blocking counts of its non-converged replicates"
    for np in 2 3; do
        $MPIRUN -np $np "$M" run tests/data/$cm -n 200 -s 3 -t 1 --check-stability \
            -o "$T/$cm-np$np.h5" -q
        same "$T/$cm.h5" "$T/$cm-np$np.h5"
    done
done

# --until-se stops at the same batch: 5 batches here, so 2 and 3 ranks must
# drop the batches of the last round after the stopping one.
"$S" run "$MODEL" -n 3000 --until-se 0.03 -t 2 -o "$T/se.h5" -q
reps=$(value "$T/se.h5" replicates)
[ "$reps" -lt 3000 ] || fail "--until-se 0.03 did not stop early ($reps replicates)"
for np in 1 2 3; do
    $MPIRUN -np $np "$M" run "$MODEL" -n 3000 --until-se 0.03 -t 1 -o "$T/se-np$np.h5" -q
    same "$T/se.h5" "$T/se-np$np.h5"
done
# The same with moves so large that the threads' int32 move sums spill
# into int64 within a batch (a letter of intent's tie-breaker of 200 spots
# on lists scaled by n / 1): a dropped batch's spilled moves must be
# dropped with it.
cp -r "$MODEL" "$T/spill"
printf '\n[meeting]\nreference_list = 1\n[loi]\ntie_spots = 200\n' >>"$T/spill/model.ini"
"$S" run "$T/spill" -n 3000 --until-se 0.03 -t 2 -o "$T/se-spill.h5" -q
for np in 2 3; do
    $MPIRUN -np $np "$M" run "$T/spill" -n 3000 --until-se 0.03 -t 1 -o "$T/se-spill-np$np.h5" -q
    same "$T/se-spill.h5" "$T/se-spill-np$np.h5"
done

# A small national market with everything synth makes: tracks (supplemental
# lists, reversions), SOAP, couples with generated lists ranked together.
"$S" synth --preset nrmp2025 --scale 0.02 --couples nrmp -o "$T/nat" >/dev/null
"$S" run "$T/nat" -n 130 -t 2 -o "$T/nat.h5" -q 2>/dev/null
"$S" run "$T/nat" -n 3000 --until-se 0.03 -t 2 -o "$T/nat-se.h5" -q 2>/dev/null
for np in 2 3; do
    $MPIRUN -np $np "$M" run "$T/nat" -n 130 -t 1 -o "$T/nat-np$np.h5" -q 2>/dev/null
    same "$T/nat.h5" "$T/nat-np$np.h5"
    $MPIRUN -np $np "$M" run "$T/nat" -n 3000 --until-se 0.03 -t 1 -o "$T/nat-se-np$np.h5" -q \
        2>/dev/null
    same "$T/nat-se.h5" "$T/nat-se-np$np.h5"
done

# SIGINT through mpirun on 2 ranks: every rank stops at a batch boundary,
# rank 0 writes one consistent partial file and the checkpoint; resumed on
# 3 ranks it equals the uninterrupted serial run. On SIGINT mpirun sends the
# ranks SIGTERM after odls_base_sigkill_timeout seconds and SIGKILL as long
# again after that (docs/mpi.md): 3 s each here, time to finish a batch and
# write on a loaded machine.
"$S" run "$MODEL" -n 8000 -t 2 -o "$T/full.h5" -q
OMPI_MCA_odls_base_sigkill_timeout=3 $MPIRUN -np 2 "$M" run "$MODEL" -n 8000 -t 1 \
    --checkpoint-every 64 -o "$T/int.h5" -q 2>"$T/int.err" &
pid=$!
# Signal once the first checkpoint exists: the ranks are past MPI_Init and
# the model load and have their handlers installed (a fixed sleep raced with
# a slow start on a loaded machine). Give up waiting after 120 s.
i=0
while [ ! -f "$T/int.h5.ckpt" ] && [ $i -lt 1200 ] && kill -0 $pid 2>/dev/null; do
    sleep 0.1
    i=$((i + 1))
done
kill -INT $pid
wait $pid || true
if ! grep -q "stopped by signal" "$T/int.err" || [ ! -f "$T/int.h5.ckpt" ]; then
    fail "SIGINT through mpirun did not leave a partial result and a checkpoint"
    cat "$T/int.err"
else
    part=$(value "$T/int.h5" replicates)
    [ "$(value "$T/int.h5" interrupted)" = 1 ] || fail "the partial file is not marked interrupted"
    [ $((part % 64)) -eq 0 ] && [ "$part" -lt 8000 ] || fail "partial file has $part replicates"
    h5diff -q --exclude-attribute / "$T/int.h5" "$T/int.h5" || fail "partial file unreadable"
    echo "ok: SIGINT through mpirun: partial result of $part replicates and a checkpoint"
    $MPIRUN -np 3 "$M" run "$MODEL" -t 1 --resume -o "$T/int.h5" -q
    same "$T/full.h5" "$T/int.h5"
fi

# sensitivity and sobol: what-ifs and design points split over the ranks;
# every dataset of the file identical.
SMALL=tests/data/sim_small
"$S" sensitivity "$SMALL" -n 64 -s 5 -t 2 -q --applicant a15 --applicant focal_a07 \
    --factor us_experience --factor visa -o "$T/sens.h5" >/dev/null
"$S" sobol "$SMALL" --samples 4 -n 32 -s 3 -t 2 -q --boot 40 --applicant a15 \
    -o "$T/sobol.h5" >/dev/null
for np in 2 3; do
    $MPIRUN -np $np "$M" sensitivity "$SMALL" -n 64 -s 5 -t 1 -q --applicant a15 \
        --applicant focal_a07 --factor us_experience --factor visa -o "$T/sens-np$np.h5" >/dev/null
    same "$T/sens.h5" "$T/sens-np$np.h5"
    $MPIRUN -np $np "$M" sobol "$SMALL" --samples 4 -n 32 -s 3 -t 1 -q --boot 40 \
        --applicant a15 -o "$T/sobol-np$np.h5" >/dev/null
    same "$T/sobol.h5" "$T/sobol-np$np.h5"
done
[ "$(value "$T/sobol-np3.h5" ranks)" = 3 ] || fail "the sobol file of 3 ranks lacks ranks = 3"
[ "$(value "$T/run-np3.h5" ranks)" = 3 ] || fail "the run file of 3 ranks lacks ranks = 3"

# bench: a ranks x threads table whose checksum (every table of the result)
# is the serial one in every row.
TMPDIR=$T "$S" bench --scale 0.01 -n 130 --threads 1 >"$T/bench1.txt"
TMPDIR=$T $MPIRUN -np 3 "$M" bench --scale 0.01 -n 130 --ranks 1,2,3 --threads 1,2 >"$T/bench3.txt"
want=$(sed -n 's/^RANKMC_BENCH .*checksum=\([0-9a-f]*\)$/\1/p' "$T/bench1.txt")
rows=$(grep -c "^RANKMC_BENCH .*ranks=[123] .*checksum=$want\$" "$T/bench3.txt" || true)
if [ "$rows" -eq 6 ] && grep -q "checksum identical across rank and thread counts" "$T/bench3.txt"; then
    echo "ok: bench on 1, 2, 3 ranks x 1, 2 threads: the serial checksum in all 6 rows"
else
    fail "bench under mpirun: $rows of 6 rows with the serial checksum $want"
    cat "$T/bench3.txt"
fi

# A failure ends every rank: one message, exit status 2, no output file.
rc=0
$MPIRUN -np 3 "$M" run tests/data/bad/dup_id -n 64 -q \
    -o "$T/bad.h5" 2>"$T/bad.err" || rc=$?
msgs=$(grep -c "^rankmc run:" "$T/bad.err" || true)
if [ $rc -ne 2 ] || [ ! "$msgs" -ge 1 ] || [ -e "$T/bad.h5" ] ||
    [ "$(grep "^rankmc run:" "$T/bad.err" | sort | uniq -d | wc -l)" -ne 0 ]; then
    fail "a bad model on 3 ranks: exit $rc, $msgs message lines, each once"
    cat "$T/bad.err"
else
    echo "ok: a bad model on 3 ranks: exit 2, its messages once, no output"
fi

# One rank fails alone (MPMD: rank 1 gets another model; rank 2 a memory
# limit too small for the run): every rank stops, rank 0 prints that rank's
# message, exit status 2, no output file.
rc=0
$MPIRUN -np 1 "$M" run "$MODEL" -n 64 -q -o "$T/asym.h5" : \
    -np 1 "$M" run tests/data/bad/dup_id -n 64 -q -o "$T/asym.h5" 2>"$T/asym.err" || rc=$?
if [ $rc -ne 2 ] || [ -e "$T/asym.h5" ] || ! grep -q "^rankmc run: on rank 1:" "$T/asym.err" ||
    ! grep -q "duplicate applicant id" "$T/asym.err"; then
    fail "a bad model on rank 1 only: exit $rc"
    cat "$T/asym.err"
else
    echo "ok: a bad model on rank 1 only: rank 0 reports it, exit 2, no output"
fi
rc=0
$MPIRUN -np 2 "$M" run "$MODEL" -n 64 -q -o "$T/asym.h5" : \
    -np 1 "$M" run "$MODEL" --max-memory 1M -n 64 -q -o "$T/asym.h5" 2>"$T/asym.err" || rc=$?
if [ $rc -ne 2 ] || [ -e "$T/asym.h5" ] || ! grep -q "more than the limit of 1 MiB" "$T/asym.err"; then
    fail "a memory limit on rank 2 only: exit $rc"
    cat "$T/asym.err"
else
    echo "ok: too little memory on rank 2 only: every rank stops with its message, exit 2, no output"
fi

if [ $failed -ne 0 ]; then
    echo "$failed MPI comparison(s) failed"
    exit 1
fi
echo "all MPI comparisons passed"
