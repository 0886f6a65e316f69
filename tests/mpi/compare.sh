#!/bin/sh
# The MPI build against the serial one (docs/mpi.md): every dataset, and
# every root attribute but those that must differ (command_line,
# created_utc, threads, wall_seconds, ranks), of `mpirun -np 1/2/3` against
# the serial binary, for run (with and without --until-se), a checkpoint
# written on 2 ranks and resumed on 3, and SIGINT through mpirun.
# Usage: tests/mpi/compare.sh SERIAL_RANKMC MPI_RANKMC   (from the repository root)
set -eu
S=$1
M=$2
MODEL=${MODEL:-models/default}
if [ "$(id -u)" -eq 0 ]; then
    # Open MPI refuses root (as in a CI container) without both of these.
    export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
fi
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

# --until-se stops at the same batch: 5 batches here, so 2 and 3 ranks must
# drop the batches of the last round after the stopping one.
"$S" run "$MODEL" -n 3000 --until-se 0.03 -t 2 -o "$T/se.h5" -q
reps=$(value "$T/se.h5" replicates)
[ "$reps" -lt 3000 ] || fail "--until-se 0.03 did not stop early ($reps replicates)"
for np in 1 2 3; do
    $MPIRUN -np $np "$M" run "$MODEL" -n 3000 --until-se 0.03 -t 1 -o "$T/se-np$np.h5" -q
    same "$T/se.h5" "$T/se-np$np.h5"
done

# SIGINT through mpirun on 2 ranks: every rank stops at a batch boundary,
# rank 0 writes one consistent partial file and the checkpoint; resumed on
# 3 ranks it equals the uninterrupted serial run.
"$S" run "$MODEL" -n 4000 -t 2 -o "$T/full.h5" -q
$MPIRUN -np 2 "$M" run "$MODEL" -n 4000 -t 1 --checkpoint-every 64 -o "$T/int.h5" -q \
    2>"$T/int.err" &
pid=$!
sleep 2
kill -INT $pid
wait $pid || true
if ! grep -q "stopped by signal" "$T/int.err" || [ ! -f "$T/int.h5.ckpt" ]; then
    fail "SIGINT through mpirun did not leave a partial result and a checkpoint"
    cat "$T/int.err"
else
    part=$(value "$T/int.h5" replicates)
    [ "$(value "$T/int.h5" interrupted)" = 1 ] || fail "the partial file is not marked interrupted"
    [ $((part % 64)) -eq 0 ] && [ "$part" -lt 4000 ] || fail "partial file has $part replicates"
    h5diff -q --exclude-attribute / "$T/int.h5" "$T/int.h5" || fail "partial file unreadable"
    echo "ok: SIGINT through mpirun: partial result of $part replicates and a checkpoint"
    $MPIRUN -np 3 "$M" run "$MODEL" -t 1 --resume -o "$T/int.h5" -q
    same "$T/full.h5" "$T/int.h5"
fi

if [ $failed -ne 0 ]; then
    echo "$failed MPI comparison(s) failed"
    exit 1
fi
echo "all MPI comparisons passed"
