#!/bin/sh
# README.md's parameter table must be exactly what `rankmc params --markdown`
# prints, so the documentation of every model.ini key cannot drift from the
# code. Usage: RANKMC=path/to/rankmc sh tests/cli/docs.sh
set -u
RANKMC=${RANKMC:-build/release/rankmc}
T=$(mktemp)
trap 'rm -f "$T"' EXIT
"$RANKMC" params --markdown >"$T" || { echo "FAIL: rankmc params --markdown"; exit 1; }
missing=$(grep -v -x -F -f README.md "$T")
if [ -n "$missing" ]; then
    echo "FAIL: README.md lacks these lines of 'rankmc params --markdown' (paste its output):"
    echo "$missing"
    exit 1
fi
echo "docs.sh: all passed"
