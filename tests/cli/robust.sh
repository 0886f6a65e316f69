#!/bin/sh
# Long runs on shared machines: kill -9 never damages the file at the output
# path, a second SIGINT stops at once leaving no broken file, and an existing
# file is never overwritten without --force.
# Usage: RANKMC=path/to/rankmc sh tests/cli/robust.sh
set -u
RANKMC=${RANKMC:-build/release/rankmc}
MODEL=models/default
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
failures=0
fail() { echo "FAIL: $*"; failures=$((failures + 1)); }

# A previous result to protect.
"$RANKMC" run "$MODEL" -n 64 -t 1 -o "$T/out.h5" --quiet || fail "first run"
cp "$T/out.h5" "$T/before.h5"

# kill -9 in the middle of a long run that would replace it.
"$RANKMC" run "$MODEL" -n 1000000 -t 1 -o "$T/out.h5" --force --quiet &
pid=$!
sleep 1
kill -9 "$pid"
wait "$pid" 2>/dev/null
cmp -s "$T/out.h5" "$T/before.h5" || fail "kill -9 changed the file at the output path"

# Two SIGINTs: the second one stops at once. Depending on timing the first
# may already have finished its batch and written a partial result, so the
# output path holds either the previous file or a complete, readable one —
# never a broken one — and no temporary file is left.
"$RANKMC" run "$MODEL" -n 1000000 -t 1 -o "$T/out.h5" --force --quiet 2>"$T/err" &
pid=$!
sleep 1
kill -INT "$pid"
sleep 0.05
kill -INT "$pid"
wait "$pid"
got=$?
[ "$got" -eq 130 ] || fail "second SIGINT: exit $got, expected 130"
if ! cmp -s "$T/out.h5" "$T/before.h5"; then
    h5dump -a /replicates "$T/out.h5" >/dev/null 2>&1 ||
        fail "after two SIGINTs the output path holds an unreadable file"
fi
ls "$T" | grep -q "tmp" && fail "second SIGINT left a temporary file: $(ls "$T")"
cp "$T/out.h5" "$T/before.h5"

# An existing file without --force: exit 2, untouched.
"$RANKMC" run "$MODEL" -n 64 -t 1 -o "$T/out.h5" --quiet 2>"$T/err"
got=$?
[ "$got" -eq 2 ] || fail "existing output without --force: exit $got, expected 2"
grep -q -- "--force" "$T/err" || fail "the refusal should mention --force"
cmp -s "$T/out.h5" "$T/before.h5" || fail "refused run changed the file"

if [ "$failures" -ne 0 ]; then
    echo "robust.sh: $failures failure(s)"
    exit 1
fi
echo "robust.sh: all passed"
