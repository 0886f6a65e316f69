#!/bin/sh
# rankmc check: a valid model (exit 0, summary on stdout), bad fixtures
# (exit 2, FILE:LINE on stderr, nothing on stdout), a missing folder and
# usage errors (exit 2). Run with RANKMC=path/to/rankmc from the repo root.
set -u
RANKMC=${RANKMC:-build/release/rankmc}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fails=0

fail() { echo "FAIL: $*"; fails=$((fails + 1)); }

# expect_bad DIR PATTERN: exit 2, stderr matches PATTERN, stdout empty
expect_bad() {
    "$RANKMC" check "$1" >"$tmp/out" 2>"$tmp/err"
    rc=$?
    [ "$rc" -eq 2 ] || fail "check $1: exit $rc, expected 2"
    grep -q -- "$2" "$tmp/err" || { fail "check $1: stderr lacks '$2'"; cat "$tmp/err"; }
    [ ! -s "$tmp/out" ] || fail "check $1: wrote to stdout"
}

"$RANKMC" check models/tiny >"$tmp/out" 2>"$tmp/err"
rc=$?
[ "$rc" -eq 0 ] || { fail "check models/tiny: exit $rc"; cat "$tmp/err"; }
grep -q '^applicants  *5 (US_MD 2, US_DO 1, US_IMG 1, IMG 1)$' "$tmp/out" || fail "tiny: applicants line"
grep -q '^positions  *6$' "$tmp/out" || fail "tiny: positions line"
grep -q '^interviews  *13$' "$tmp/out" || fail "tiny: interviews line"
grep -q '^applicant ROLs  *5 fixed$' "$tmp/out" || fail "tiny: applicant ROLs line"
grep -q '^program ROLs  *3 fixed$' "$tmp/out" || fail "tiny: program ROLs line"
grep -Eq '^sha256  *[0-9a-f]{64}$' "$tmp/out" || fail "tiny: sha256 line"
[ ! -s "$tmp/err" ] || fail "check models/tiny: wrote to stderr"

B=tests/data/bad
expect_bad $B/dup_id "^$B/dup_id/applicants.csv:7: duplicate applicant id 'Chen' (first on line 3)"
expect_bad $B/rol_not_interviewed \
    "^$B/rol_not_interviewed/program_rols.csv:13: applicant 'Anderson' did not interview at program 'Mercy'"
expect_bad $B/ini_unknown_key "^$B/ini_unknown_key/model.ini:3: unknown key 'discus_prob' in \[meeting\]"
expect_bad $B/missing_programs "^$B/missing_programs/programs.csv: missing required file"
expect_bad /nonexistent/model "^/nonexistent/model: cannot open model folder"

# Program locations and couples with generated joint lists (docs/model-format.md)
mkdir "$tmp/loc"
cp models/tiny/*.csv models/tiny/model.ini "$tmp/loc/"
{ echo "id,name,positions,interviewers,residents,sponsors,service_load,desirability,region,city"
  echo "Mercy,Mercy Hospital,2,3,4,J1,0.55,-0.20,west,Reno"
  echo "City,City Hospital,2,4,6,J1_H1B,0.40,0.35,south,Reno"
  echo "General,General Hospital,2,3,5,J1,0.70,0.10,,Boise"; } >"$tmp/loc/programs.csv"
expect_bad "$tmp/loc" "^$tmp/loc/programs.csv:3: city 'Reno' is in region 'south' here but in 'west' on line 2 (a city is in one region)"
expect_bad "$tmp/loc" "^$tmp/loc/programs.csv:4: city 'Boise' without a region"
cp models/tiny/programs.csv "$tmp/loc/"
printf 'applicant_a,applicant_b\nAnderson,Chen\n' >"$tmp/loc/couples.csv"
expect_bad "$tmp/loc" "^$tmp/loc/couples.csv:2: a generated joint list pairs programs by place: programs.csv needs a region"
printf 'applicant_a,applicant_b,rank,program_a,program_b\nAnderson,Chen,,,\nAnderson,Chen,1,Mercy,Mercy\n' >"$tmp/loc/couples.csv"
expect_bad "$tmp/loc" "^$tmp/loc/couples.csv:3: the couple of 'Anderson' and 'Chen' has a generated joint list (line 2)"
printf '[couples]\npairs = any\n' >>"$tmp/loc/model.ini"
printf 'applicant_a,applicant_b\nAnderson,Chen\n' >"$tmp/loc/couples.csv"
"$RANKMC" check "$tmp/loc" >"$tmp/out" 2>"$tmp/err" || { fail "check: a generated couple with pairs = any"; cat "$tmp/err"; }
# rankmc match needs fixed lists: a generated couple is refused (exit 2, no output)
"$RANKMC" match "$tmp/loc" -o "$tmp/loc.csv" >"$tmp/out" 2>"$tmp/err"
[ $? -eq 2 ] || fail "match with a generated couple: exit status"
grep -q "has no fixed joint list" "$tmp/err" || { fail "match with a generated couple: message"; cat "$tmp/err"; }
[ ! -e "$tmp/loc.csv" ] || fail "match with a generated couple: wrote output"

# couples.rank_together takes off|on only (exit 2, FILE:LINE)
cp "$tmp/loc/model.ini" "$tmp/loc.ini"
printf 'rank_together = on\n' >>"$tmp/loc/model.ini"
"$RANKMC" check "$tmp/loc" >"$tmp/out" 2>"$tmp/err" || { fail "check: rank_together = on"; cat "$tmp/err"; }
cp "$tmp/loc.ini" "$tmp/loc/model.ini"
printf 'rank_together = 1\n' >>"$tmp/loc/model.ini"
n=$(wc -l <"$tmp/loc/model.ini")
expect_bad "$tmp/loc" "^$tmp/loc/model.ini:$n: \[couples\] rank_together: '1' is not one of off|on"

# --max-problems caps the list and counts the rest
mkdir "$tmp/many"
cp models/tiny/model.ini models/tiny/programs.csv models/tiny/interviews.csv "$tmp/many/"
{ head -n 1 models/tiny/applicants.csv; tail -n +2 models/tiny/applicants.csv;
  for i in 1 2 3 4 5; do echo "X$i,ALIEN,0,0.5,0,none,none"; done; } >"$tmp/many/applicants.csv"
"$RANKMC" check --max-problems 2 "$tmp/many" >"$tmp/out" 2>"$tmp/err"
[ $? -eq 2 ] || fail "--max-problems: exit status"
[ "$(grep -c "applicants.csv:[0-9]*: column 'type'" "$tmp/err")" -eq 2 ] || fail "--max-problems: not 2 shown"
grep -q '^\.\.\. and 3 more problems$' "$tmp/err" || fail "--max-problems: no '... and 3 more problems'"

# usage errors
"$RANKMC" check >/dev/null 2>&1; [ $? -eq 2 ] || fail "no MODEL_DIR: exit not 2"
"$RANKMC" check a b >/dev/null 2>&1; [ $? -eq 2 ] || fail "two dirs: exit not 2"
"$RANKMC" check --max-problems 0 models/tiny >/dev/null 2>&1; [ $? -eq 2 ] || fail "--max-problems 0"
"$RANKMC" check --bogus models/tiny >/dev/null 2>&1; [ $? -eq 2 ] || fail "bad option: exit not 2"
"$RANKMC" check --help | grep -q '^usage: rankmc check' || fail "--help"

if [ "$fails" -ne 0 ]; then
    echo "check.sh: $fails failure(s)"
    exit 1
fi
echo "check.sh: all passed"
