#!/bin/sh
# man/rankmc.1 must stay in step with the program: every command that
# `rankmc --help` lists has a `.SS "rankmc COMMAND ..."` section, and every
# option that `rankmc COMMAND --help` shows (in its usage lines or its option
# list; -h/--help aside) is named in that section, and the section names no
# option the command lacks. The page must also render without warnings.
# Usage: RANKMC=path/to/rankmc sh tests/cli/manpage.sh
set -u
RANKMC=${RANKMC:-build/release/rankmc}
MAN=${MAN:-man/rankmc.1}
T=$(mktemp -d /tmp/rmc_man_XXXXXX)
trap 'rm -rf "$T"' EXIT
fails=0
fail() { printf 'FAIL: %s\n' "$*"; fails=$((fails + 1)); }

# The page's source with groff escapes for '-' and fonts removed.
sed -e 's/\\-/-/g' -e 's/\\f[BIRP]//g' -e 's/\\e/\\/g' "$MAN" >"$T/man"

"$RANKMC" --help >"$T/help" || { echo "FAIL: rankmc --help"; exit 1; }
cmds=$(awk '/^commands:/ {on = 1; next} on && /^  [a-z]/ {print $1} on && /^$/ {on = 0}' "$T/help")
[ -n "$cmds" ] || fail "no commands parsed from 'rankmc --help'"

for c in $cmds; do
    awk -v c="$c" '
        /^\.S[HS] / { on = ($0 ~ "^\\.SS \"?rankmc " c "( |\"|$)") ; next }
        on { print }' "$T/man" >"$T/sec_$c"
    if [ ! -s "$T/sec_$c" ]; then
        fail "$MAN has no section for command '$c' (listed by 'rankmc --help'). Add, under .SH COMMANDS:
.SS \"rankmc $c ...\"
<what it does, from 'rankmc $c --help'>
.TP
.BR \\-x \", \" \\-\\-long \" \\fIARG\\fR\"
<the option's help line>
(one .TP entry per option of 'rankmc $c --help')"
        continue
    fi
    "$RANKMC" "$c" --help >"$T/h_$c" 2>&1
    # Options: from usage lines ([-n N], [--force]) and from option lines
    # (lines starting with -x or --long after indentation).
    awk '
        /^usage:/ || /^       rankmc / { u = 1 }
        u && /^$/ { u = 0 }
        u { s = $0; while (match(s, /\[--?[A-Za-z][A-Za-z-]*/)) {
                print substr(s, RSTART + 1, RLENGTH - 1); s = substr(s, RSTART + RLENGTH) } }
        /^ +-/ { n = split($0, w, /[ ,]+/); for (i = 1; i <= n; i++) {
                if (w[i] ~ /^--?[A-Za-z][A-Za-z-]*$/) print w[i]; else if (w[i] != "") break } }
    ' "$T/h_$c" | sort -u | grep -v -x -e -h -e --help >"$T/opts_$c"
    while read -r o; do
        if ! grep -q -E -- "(^|[^A-Za-z-])$o([^A-Za-z-]|\$)" "$T/sec_$c"; then
            line=$(grep -E -- "^ +(-[A-Za-z], )?$o( |,|\$)" "$T/h_$c" | head -n 1 | sed 's/^ *//')
            fail "$MAN: option $o of 'rankmc $c --help' is missing from its section .SS \"rankmc $c ...\". Add there:
.TP
.B $(echo "$o" | sed 's/-/\\-/g')
${line:-<what $o does>}"
        fi
    done <"$T/opts_$c"
    # Options the page gives the command that its --help does not have.
    awk '/^\.TP/ {getline; print}' "$T/sec_$c" | grep -o -E -- '(^|[ "])--?[A-Za-z][A-Za-z-]*' |
        sed 's/^[ "]*//' | sort -u >"$T/man_$c"
    while read -r o; do
        grep -q -x -F -- "$o" "$T/opts_$c" ||
            fail "$MAN: section 'rankmc $c' lists option $o, which 'rankmc $c --help' does not show (remove it from the page, or add it to the command's --help)"
    done <"$T/man_$c"
done

# Sections for commands the program no longer has.
grep -o -E '^\.SS "?rankmc [a-z]+' "$T/man" | sed 's/.* //' >"$T/man_cmds"
while read -r c; do
    echo "$cmds" | grep -q -x -F "$c" ||
        fail "$MAN has a section for 'rankmc $c', which 'rankmc --help' does not list (remove the section)"
done <"$T/man_cmds"

for s in NAME SYNOPSIS DESCRIPTION COMMANDS '"EXIT STATUS"' ENVIRONMENT FILES EXAMPLES; do
    grep -q -x -F ".SH $s" "$MAN" || fail "$MAN lacks the section .SH $s"
done

if command -v groff >/dev/null 2>&1; then
    groff -man -Tutf8 -ww -z "$MAN" >"$T/warn" 2>&1
    [ ! -s "$T/warn" ] || { fail "groff warns on $MAN:"; cat "$T/warn"; }
fi

if [ "$fails" -ne 0 ]; then
    echo "manpage.sh: $fails failed"
    exit 1
fi
echo "manpage.sh: all passed"
