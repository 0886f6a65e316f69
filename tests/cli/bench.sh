#!/bin/sh
# CLI tests for `rankmc bench`: a tiny standard workload at 1 and 2 threads
# prints the table and one RANKMC_BENCH line per thread count, with the same
# checksum (the same result) at both; bad options exit 2.
set -u
RANKMC=${RANKMC:-build/release/rankmc}
tmp=$(mktemp -d /tmp/rmc_bench_cli.XXXXXX)
trap 'rm -rf "$tmp"' EXIT
fails=0
fail() { echo "FAIL: $*"; fails=$((fails + 1)); }

expect() { # expect STATUS DESCRIPTION -- command...
    want=$1; what=$2; shift 3
    "$@" >"$tmp/out" 2>"$tmp/err"; got=$?
    [ "$got" -eq "$want" ] || { fail "$what: exit $got, expected $want"; cat "$tmp/err"; }
}

expect 0 "--help" -- "$RANKMC" bench --help
grep -q -- "--threads" "$tmp/out" || fail "--help does not describe --threads"
expect 2 "threads 0" -- "$RANKMC" bench --threads 0 --scale 0.01 -n 1
expect 2 "threads junk" -- "$RANKMC" bench --threads 1,x --scale 0.01 -n 1
expect 2 "threads trailing comma" -- "$RANKMC" bench --threads 1, --scale 0.01 -n 1
expect 2 "scale 0" -- "$RANKMC" bench --scale 0 -n 1
expect 2 "n 0" -- "$RANKMC" bench --scale 0.01 -n 0
expect 2 "extra argument" -- "$RANKMC" bench --scale 0.01 -n 1 extra

TMPDIR=$tmp expect 0 "tiny workload" -- "$RANKMC" bench --scale 0.01 -n 4 --threads 1,2
cp "$tmp/out" "$tmp/bench.txt"
grep -q "^workload: 472 applicants, 66 programs" "$tmp/bench.txt" || fail "workload line"
[ "$(grep -c '^RANKMC_BENCH ' "$tmp/bench.txt")" -eq 2 ] || fail "expected 2 RANKMC_BENCH lines"
grep -q "^RANKMC_BENCH threads=1 .*replicates=4 .*speedup=1.0000 efficiency=1.0000 " \
    "$tmp/bench.txt" || fail "threads=1 line"
grep -q "^RANKMC_BENCH threads=2 ranks=1 .*reps_per_s=[0-9.]* .*meeting_ms=[0-9.]* rols_ms=[0-9.]* match_ms=[0-9.]* accum_ms=[0-9.]* reduce_s=0.0000 write_s=[0-9.]* peak_rss_mb=[0-9.]* checksum=[0-9a-f]\{16\}$" \
    "$tmp/bench.txt" || fail "threads=2 line"
sums=$(sed -n 's/^RANKMC_BENCH .*checksum=\([0-9a-f]*\)$/\1/p' "$tmp/bench.txt" | sort -u)
[ "$(echo "$sums" | wc -l)" -eq 1 ] || fail "checksums differ across thread counts: $sums"
grep -q "checksum identical across thread counts" "$tmp/bench.txt" || fail "identity line"
# table rows: ranks, threads, reps, and the same checksum as the machine lines
[ "$(grep -c "^ *1 \{1,\}[12] \{1,\}4 .* $sums\$" "$tmp/bench.txt")" -eq 2 ] || fail "table rows"
expect 2 "ranks beyond the job" -- "$RANKMC" bench --ranks 2 --scale 0.01 -n 1
# the workload is fixed: a second run gives the same checksum
TMPDIR=$tmp expect 0 "rerun" -- "$RANKMC" bench --scale 0.01 -n 4 --threads 3
grep -q "checksum=$sums\$" "$tmp/out" || fail "checksum changed between runs / thread counts"
# the temporary market and result file are removed
[ -z "$(ls "$tmp" | grep rankmc-bench)" ] || fail "temporary market or result left behind"

[ "$fails" -eq 0 ] && echo "bench.sh: all passed"
exit "$fails"
