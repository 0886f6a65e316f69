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
grep -q "^RANKMC_BENCH threads=2 ranks=1 .*reps_per_s=[0-9.]* .*meeting_ms=[0-9.]* rols_ms=[0-9.]* match_ms=[0-9.]* accum_ms=[0-9.]* soap_ms=[0-9.]* reduce_s=0.0000 write_s=[0-9.]* peak_rss_mb=[0-9.]* checksum=[0-9a-f]\{16\}$" \
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
# --json: one JSON document on standard output (the table on standard
# error), with the machine, the build and every row, whose checksums are the
# table's
TMPDIR=$tmp expect 0 "json" -- "$RANKMC" bench --scale 0.01 -n 4 --threads 1,2 --json
grep -q "^RANKMC_BENCH threads=2 .*checksum=$sums\$" "$tmp/err" || fail "--json: table not on stderr"
if command -v python3 >/dev/null 2>&1; then
    python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))
assert d["rankmc_bench"] == 1
m, b, w = d["machine"], d["build"], d["workload"]
assert m["cpu_model"] and m["cores_online"] >= 1 and m["memory_bytes"] > 0, m
assert b["version"] and b["git"] and b["compiler"] and b["cflags"], b
assert w["applicants"] == 472 and w["programs"] == 66 and w["replicates"] == 4, w
rows = d["rows"]
assert [(r["ranks"], r["threads"]) for r in rows] == [(1, 1), (1, 2)], rows
assert all(r["checksum"] == sys.argv[2] and r["replicates"] == 4 and r["wall_s"] > 0 for r in rows)
assert all(r["meeting_ms"] >= 0 and r["peak_rss_bytes"] > 0 for r in rows)
assert all(r["soap_ms"] > 0 for r in rows), rows  # the workload runs SOAP: its own column
assert d["checksum_identical"] is True
' "$tmp/out" "$sums" || fail "--json: not the expected JSON document"
else
    echo "bench.sh: SKIP the --json parse check (no python3)"
fi
# the temporary market and result file are removed
[ -z "$(ls "$tmp" | grep rankmc-bench)" ] || fail "temporary market or result left behind"

[ "$fails" -eq 0 ] && echo "bench.sh: all passed"
exit "$fails"
