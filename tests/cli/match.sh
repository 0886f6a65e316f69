#!/bin/sh
# rankmc match on models/tiny, the NRMP "Run a Match" worked example:
# expected City {Anderson, Eastman}, General {Davis, Ford}, Mercy {Chen}
# (one Mercy position unfilled), whichever side proposes. Also checks the
# CSV layout (one row per applicant in applicants.csv order), the summary,
# --force handling and usage errors. Run with RANKMC=path/to/rankmc.
set -u
RANKMC=${RANKMC:-build/release/rankmc}
MODEL=models/tiny
fails=0
fail() { echo "FAIL: $*"; fails=$((fails + 1)); }

if ! "$RANKMC" check "$MODEL" >/dev/null 2>&1; then
    echo "SKIP: '$RANKMC check $MODEL' fails (model loader or models/tiny not in this build);"
    echo "      tests/cli/match.sh needs both and runs for real once they are merged"
    exit 0
fi

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# Expected CSV, rows in applicants.csv order (ids are the first column).
expected_program() {
    case "$1" in
        Anderson | Eastman) echo City ;;
        Davis | Ford) echo General ;;
        Chen) echo Mercy ;;
        *) echo "?unexpected applicant $1" ;;
    esac
}
echo "applicant,program" >"$tmp/expected.csv"
tail -n +2 "$MODEL/applicants.csv" | tr -d '\r' | cut -d, -f1 | while read -r id; do
    [ -n "$id" ] && echo "$id,$(expected_program "$id")" >>"$tmp/expected.csv"
done
[ "$(wc -l <"$tmp/expected.csv")" -eq 6 ] || fail "models/tiny should have 5 applicants"

for side in applicants programs; do
    "$RANKMC" match "$MODEL" --proposing "$side" --check-stability -o "$tmp/$side.csv" \
        >"$tmp/$side.out" 2>"$tmp/$side.err"
    rc=$?
    [ $rc -eq 0 ] || fail "--proposing $side: exit $rc: $(cat "$tmp/$side.err")"
    cmp -s "$tmp/expected.csv" "$tmp/$side.csv" || {
        fail "--proposing $side: CSV differs from the NRMP example"
        diff "$tmp/expected.csv" "$tmp/$side.csv"
    }
    grep -q "5 of 5 applicants matched, 0 unmatched" "$tmp/$side.out" ||
        fail "--proposing $side: summary: $(cat "$tmp/$side.out")"
    grep -q "positions filled: 5 of 6 offered, 1 unfilled" "$tmp/$side.out" ||
        fail "--proposing $side: summary: $(cat "$tmp/$side.out")"
done

# CSV on stdout: stdout holds only the CSV, the summary goes to stderr.
"$RANKMC" match "$MODEL" >"$tmp/stdout.csv" 2>"$tmp/stdout.err" || fail "match to stdout failed"
cmp -s "$tmp/expected.csv" "$tmp/stdout.csv" || fail "CSV on stdout differs"
grep -q "applicants matched" "$tmp/stdout.err" || fail "summary not on stderr"

# An existing output is kept without --force (exit 2) and replaced with it.
echo keep >"$tmp/exists.csv"
"$RANKMC" match "$MODEL" -o "$tmp/exists.csv" >/dev/null 2>"$tmp/exists.err"
rc=$?
[ $rc -eq 2 ] || fail "existing output without --force: exit $rc, expected 2"
[ "$(cat "$tmp/exists.csv")" = keep ] || fail "existing output was modified without --force"
grep -q -- "--force" "$tmp/exists.err" || fail "no hint about --force: $(cat "$tmp/exists.err")"
"$RANKMC" match "$MODEL" -o "$tmp/exists.csv" --force >/dev/null 2>&1 ||
    fail "--force did not overwrite"
cmp -s "$tmp/expected.csv" "$tmp/exists.csv" || fail "--force output differs"
ls "$tmp" | grep -q '\.tmp\.' && fail "a temporary file was left behind"

# Ids that need RFC 4180 quoting (tests/data/match_quoted, solved by hand in
# its README): quoted on output, unmatched applicant with an empty program.
QUOTED=tests/data/match_quoted
if ! "$RANKMC" check "$QUOTED" >"$tmp/quoted.check" 2>&1; then
    fail "'rankmc check $QUOTED' fails: $(cat "$tmp/quoted.check")"
else
    printf '%s\n' 'applicant,program' '"Smith, J","Mercy, North"' '"O""Brien",City' 'Lee,' \
        >"$tmp/quoted.expected"
    for side in applicants programs; do
        "$RANKMC" match "$QUOTED" --proposing "$side" -o "$tmp/quoted.csv" --force \
            >"$tmp/quoted.out" 2>&1 || fail "match $QUOTED: $(cat "$tmp/quoted.out")"
        cmp -s "$tmp/quoted.expected" "$tmp/quoted.csv" || {
            fail "match $QUOTED --proposing $side: CSV differs"
            diff "$tmp/quoted.expected" "$tmp/quoted.csv"
        }
    done
    grep -q "2 of 3 applicants matched, 1 unmatched" "$tmp/quoted.out" ||
        fail "quoted summary: $(cat "$tmp/quoted.out")"
    # Without program_rols.csv there is no Match on fixed lists: exit 2.
    mkdir "$tmp/no_prog_rols"
    cp "$QUOTED"/*.csv "$QUOTED"/model.ini "$tmp/no_prog_rols/"
    rm "$tmp/no_prog_rols/program_rols.csv"
    "$RANKMC" match "$tmp/no_prog_rols" -o "$tmp/nopr.csv" >/dev/null 2>"$tmp/nopr.err"
    rc=$?
    [ $rc -eq 2 ] || fail "model without program_rols.csv: exit $rc, expected 2"
    grep -q "program_rols.csv" "$tmp/nopr.err" || fail "no mention of program_rols.csv: $(cat "$tmp/nopr.err")"
    [ -e "$tmp/nopr.csv" ] && fail "model without program_rols.csv wrote output"
fi

# Usage errors: exit 2, no output file.
for args in "--proposing nobody" "--bogus" "" "$MODEL extra"; do
    # shellcheck disable=SC2086
    "$RANKMC" match $args -o "$tmp/usage.csv" >/dev/null 2>&1
    rc=$?
    [ $rc -eq 2 ] || fail "'match $args': exit $rc, expected 2"
    [ -e "$tmp/usage.csv" ] && fail "'match $args' wrote output"
done
"$RANKMC" match "$tmp/no-such-model" -o "$tmp/usage.csv" >/dev/null 2>&1
rc=$?
[ $rc -ne 0 ] || fail "missing model folder: exit 0"
[ -e "$tmp/usage.csv" ] && fail "missing model folder wrote output"

if [ $fails -ne 0 ]; then
    echo "tests/cli/match.sh: $fails failure(s)"
    exit 1
fi
echo "tests/cli/match.sh: all passed"
