#!/bin/sh
# README.md's parameter table must be exactly what `rankmc params --markdown`
# prints, so the documentation of every model.ini key cannot drift from the
# code, and its source map must name every file under src/, include/,
# bench/, fuzz/ and tools/. Usage: RANKMC=path/to/rankmc sh tests/cli/docs.sh
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
# The README's source map names every source file (literally, or by a
# pattern such as `src/cli/cmd_*.c`), so a newcomer can walk the tree.
sed -n '/^## Source map/,/^## /p' README.md | grep -o '`[^`]*`' | tr -d '`' >"$T.map"
unlisted=""
for f in $(find src include bench fuzz tools -type f | sort); do
    listed=0
    while IFS= read -r pat; do
        pat=${pat%/}
        # shellcheck disable=SC2254
        case "$f" in $pat | $pat/*) listed=1 && break ;; esac
    done <"$T.map"
    [ $listed -eq 1 ] || unlisted="$unlisted $f"
done
# ... and names no file that does not exist.
while IFS= read -r pat; do
    case "$pat" in
    *[!A-Za-z0-9_./-]* | *\** ) continue ;; # commands, globs, identifiers with spaces
    */* | *.c | *.h | *.md) [ -e "$pat" ] || unlisted="$unlisted (no such file: $pat)" ;;
    esac
done <"$T.map"
rm -f "$T.map"
if [ -n "$unlisted" ]; then
    echo "FAIL: README.md's source map: unlisted files or missing ones:$unlisted"
    exit 1
fi
echo "docs.sh: all passed"
