# The scaffolding the CLI test scripts share; sourced (`TEST=NAME . tests/cli/lib/common.sh`)
# from the repository root after `set -u`, with RANKMC set to the rankmc
# binary. Gives: RANKMC as an absolute path, a scratch folder $T
# (/tmp/rmc_NAME_XXXXXX, removed on exit), the failure count $fails and
# fail MESSAGE, expect STATUS DESCRIPTION CMD... (runs CMD with stdout in
# $T/stdout and stderr in $T/stderr and counts a failure when its exit
# status is not STATUS), shape FILE DATASET "( dims )" (an HDF5 dataset's
# shape) and finish SCRIPT (the summary line and the exit status).
: "${RANKMC:?set RANKMC to the rankmc binary}"
RANKMC=$(cd "$(dirname "$RANKMC")" && pwd)/$(basename "$RANKMC")
T=$(mktemp -d "/tmp/rmc_${TEST:-cli}_XXXXXX")
trap 'rm -rf "$T"' EXIT
fails=0
fail() { echo "FAIL: $*"; fails=$((fails + 1)); }
expect() { # expect STATUS DESCRIPTION CMD...
    want=$1; what=$2; shift 2
    "$@" >"$T/stdout" 2>"$T/stderr"; got=$?
    [ "$got" -eq "$want" ] || { fail "$what: exit $got, expected $want"; cat "$T/stderr"; }
}
shape() { # shape FILE DATASET "( dims )"
    h5dump -H -d "$2" "$1" 2>/dev/null | grep -q "DATASPACE  SIMPLE { $3 /" ||
        fail "$2 should have shape $3"
}
finish() { # finish SCRIPT: report and exit 1 on any failure
    if [ "$fails" -ne 0 ]; then
        echo "$1: $fails failure(s)"
        exit 1
    fi
    echo "$1: all passed"
}
