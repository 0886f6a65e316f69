#!/bin/sh
# Before/after comparison of the national replicate (bench/RESULTS.md).
#
# usage: bench/compare.sh [BEFORE_COMMIT] [ROUNDS]     (defaults: 6ea99b4, 5)
#
# Builds `rankmc` (release) of BEFORE_COMMIT (from `git archive`) and of the
# current working tree, both under a scratch folder in $TMPDIR (or /tmp);
# writes the national workload once with the BEFORE binary (`synth --preset
# nrmp2025`, seed 1), so both read the same files; then ROUNDS rounds, each
# running, alternately in both orders, each binary's `rankmc run` at N1 and
# N2 replicates on one thread (N1, N2 = 16, 48 unless set in the
# environment), and the AFTER binary's at two threads. Stages the BEFORE
# binary lacks (SOAP) are switched off in the AFTER binary's copy of the
# model, so both do the same work; the AFTER binary as shipped is timed
# once at the end. Seconds per
# replicate are marginal, (t(N2) - t(N1)) / (N2 - N1), so model load and
# file write cancel; wall and CPU (user + system) time of the whole process
# from /usr/bin/time -v, with its peak RSS, and the engine's own wall time
# (the result file's root attribute wall_seconds: rmc_sim_run only, without
# loading the model or writing the file -- whose deflate time grows with the
# replicates, so the process's marginal charges part of the write to the
# replicates). Prints every round, then the
# median and minimum of each figure, the before/after ratio, the AFTER
# binary's 2-thread speed-up (wall), peak RSS of each, the RNG floor
# (bench_meeting -s 1 of the AFTER tree, the floor counted the way the code
# draws) and the load average at the start and end. Takes about 5 minutes
# on an idle 2-core machine. Needs git, make, /usr/bin/time and the
# build's Debian packages.
set -eu

before=${1:-6ea99b4}
rounds=${2:-5}
n1=${N1:-16}
n2=${N2:-48}
root=$(cd "$(dirname "$0")/.." && pwd)
tmp=$(mktemp -d "${TMPDIR:-/tmp}/rankmc-compare.XXXXXX")
trap 'rm -rf "$tmp"' EXIT INT TERM

echo "compare: before $before ($(git -C "$root" rev-parse --short "$before")), after the working tree at $(git -C "$root" describe --always --dirty)"
echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | sed 's/.*: //'), load average $(cut -d' ' -f1-3 /proc/loadavg)"

mkdir -p "$tmp/before-src"
git -C "$root" archive "$before" | tar -x -C "$tmp/before-src"
echo "building before ..."
make -C "$tmp/before-src" -j2 BUILD=release build/release/rankmc >"$tmp/build-before.log" 2>&1 ||
    { cat "$tmp/build-before.log"; exit 1; }
echo "building after ..."
make -C "$root" -j2 BUILD=release BUILD_DIR="$tmp/after" "$tmp/after/rankmc" \
    "$tmp/after/bench/bench_meeting" >"$tmp/build-after.log" 2>&1 ||
    { cat "$tmp/build-after.log"; exit 1; }
B="$tmp/before-src/build/release/rankmc"
A="$tmp/after/rankmc"

"$B" synth --preset nrmp2025 -o "$tmp/nat" >/dev/null
echo "workload: $(($(wc -l <"$tmp/nat/interviews.csv") - 1)) interviews (synth --preset nrmp2025 of the before binary)"
# Stages the before binary does not have (SOAP after the Match, on by
# default since) are switched off for the after binary, so both do the same
# work on the same files; the after binary as shipped is timed at the end.
after_model=$tmp/nat
if "$A" params 2>/dev/null | grep -q '^\[soap\]'; then
    cp -r "$tmp/nat" "$tmp/nat-after"
    printf '\n[soap]\nenabled = off\n' >>"$tmp/nat-after/model.ini"
    after_model=$tmp/nat-after
    echo "after binary: [soap] enabled = off (the before binary has no SOAP stage)"
fi

# run BIN THREADS N [MODEL]: prints "wall cpu peak_kb engine"
run() {
    model=${4:-$tmp/nat}
    [ "$1" = "$A" ] && [ -z "${4:-}" ] && model=$after_model
    /usr/bin/time -v "$1" run "$model" -n "$3" -t "$2" -q -o "$tmp/out.h5" --force \
        2>"$tmp/time.txt" >/dev/null || { cat "$tmp/time.txt"; exit 1; }
    e=$(h5dump -a /wall_seconds "$tmp/out.h5" | awk '/\(0\):/ { print $2 }')
    awk -F': ' -v e="$e" '
        /Elapsed \(wall clock\)/ { n = split($2, p, ":"); w = 0; for (i = 1; i <= n; i++) w = w * 60 + p[i] }
        /User time/ { u = $2 } /System time/ { s = $2 } /Maximum resident/ { m = $2 }
        END { printf "%.3f %.3f %d %.4f\n", w, u + s, m, e }' "$tmp/time.txt"
}

# marginal BIN THREADS [MODEL]: prints "wall_ms cpu_ms peak_kb engine_ms" per replicate
marginal() {
    r1=$(run "$1" "$2" "$n1" "${3:-}")
    r2=$(run "$1" "$2" "$n2" "${3:-}")
    echo "$r1 $r2" | awk -v d=$((n2 - n1)) '{ printf "%.2f %.2f %d %.2f\n", ($5 - $1) * 1000 / d, ($6 - $2) * 1000 / d, ($7 > $3 ? $7 : $3), ($8 - $4) * 1000 / d }'
}

: >"$tmp/rows"
printf '%-6s %-7s %8s %8s %10s %10s\n' round binary wall_ms cpu_ms peak_mb engine_ms
i=1
while [ "$i" -le "$rounds" ]; do
    if [ $((i % 2)) -eq 1 ]; then order="before after after2"; else order="after2 after before"; fi
    for b in $order; do
        case $b in
        before) r=$(marginal "$B" 1) ;;
        after) r=$(marginal "$A" 1) ;;
        after2) r=$(marginal "$A" 2) ;;
        esac
        echo "$i $b $r" >>"$tmp/rows"
        echo "$i $b $r" | awk '{ printf "%-6s %-7s %8.2f %8.2f %10.1f %10.2f\n", $1, $2, $3, $4, $5 / 1024, $6 }'
    done
    i=$((i + 1))
done

echo "summary over $rounds rounds (ms per replicate; before/after binaries at 1 thread, after2 = after at 2 threads):"
awk '
    function med(a, n,   i, j, t) { for (i = 2; i <= n; i++) for (j = i; j > 1 && a[j - 1] > a[j]; j--) { t = a[j]; a[j] = a[j - 1]; a[j - 1] = t }
                                     return n % 2 ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2 }
    function mn(a, n,   i, m) { m = a[1]; for (i = 2; i <= n; i++) if (a[i] < m) m = a[i]; return m }
    { k = $2; if ($5 > pk[k]) pk[k] = $5
      if (k == "before") { bw[++nb] = $3; bc[nb] = $4; be[nb] = $6 } else if (k == "after") { aw[++na] = $3; ac[na] = $4; ae[na] = $6 } else { tw[++nt] = $3; te[nt] = $6 }
      if (k == "after") { rw[$1] = $3; rwe[$1] = $6 } if (k == "before") { rb[$1] = $3; rbe[$1] = $6 } if (k == "after2") { r2[$1] = $3; r2e[$1] = $6 } }
    END {
      mbw = med(bw, nb); maw = med(aw, na); mtw = med(tw, nt); mbc = med(bc, nb); mac = med(ac, na)
      printf "  before  1 thread: wall median %.2f min %.2f; CPU median %.2f min %.2f; peak RSS %.1f MB\n", mbw, mn(bw, nb), mbc, mn(bc, nb), pk["before"] / 1024
      printf "  after   1 thread: wall median %.2f min %.2f; CPU median %.2f min %.2f; peak RSS %.1f MB\n", maw, mn(aw, na), mac, mn(ac, na), pk["after"] / 1024
      printf "  after  2 threads: wall median %.2f min %.2f; peak RSS %.1f MB\n", mtw, mn(tw, nt), pk["after2"] / 1024
      for (r in rw) { q[++nq] = rb[r] / rw[r]; s[++ns] = rw[r] / r2[r] }
      printf "  before / after, 1 thread: wall %.2fx (median of the medians), %.2fx (min / min), %.2fx CPU; per round: median %.2fx min %.2fx\n", mbw / maw, mn(bw, nb) / mn(aw, na), mbc / mac, med(q, nq), mn(q, nq)
      printf "  after, 2-thread speed-up (wall): %.2fx (medians), %.2fx (minima); per round: median %.2fx min %.2fx\n", maw / mtw, mn(aw, na) / mn(tw, nt), med(s, ns), mn(s, ns)
      printf "  peak RSS after / before: %.3f\n", pk["after"] / pk["before"]
      mbe = med(be, nb); mae = med(ae, na); mte = med(te, nt)
      printf "  engine only (wall_seconds of the result file, no model load or file write):\n"
      printf "    before 1 thread %.2f (min %.2f), after 1 thread %.2f (min %.2f), after 2 threads %.2f (min %.2f) ms per replicate\n", mbe, mn(be, nb), mae, mn(ae, na), mte, mn(te, nt)
      for (r in rwe) { qe[++nqe] = rbe[r] / rwe[r]; se[++nse] = rwe[r] / r2e[r] }
      printf "    before / after, 1 thread: %.2fx (medians), %.2fx (min / min); per round: median %.2fx min %.2fx\n", mbe / mae, mn(be, nb) / mn(ae, na), med(qe, nqe), mn(qe, nqe)
      printf "    after, 2-thread speed-up: %.2fx (medians), %.2fx (minima); per round: median %.2fx min %.2fx\n", mae / mte, mn(ae, na) / mn(te, nt), med(se, nse), mn(se, nse)
    }' "$tmp/rows"

if [ "$after_model" != "$tmp/nat" ]; then
    r=$(marginal "$A" 1 "$tmp/nat")
    echo "$r" | awk '{ printf "after as shipped (SOAP on), 1 thread, one pair: wall %.2f ms, CPU %.2f ms, engine %.2f ms per replicate, peak RSS %.1f MB\n", $1, $2, $4, $3 / 1024 }'
fi
echo "RNG floor of the after tree (bench_meeting -s 1, the streams and variates the code draws):"
"$tmp/after/bench/bench_meeting" -s 1 -n 5 | sed 's/^/  /'
echo "load average at the end: $(cut -d' ' -f1-3 /proc/loadavg)"
