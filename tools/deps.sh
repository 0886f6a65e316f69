#!/bin/sh
# Install the Debian packages rankmc needs, if any is missing. As root it runs
# apt-get; otherwise it prints the exact command and fails. Called by
# `make deps`, which `make run` and `make check` depend on.
# Usage: tools/deps.sh [--optional] [extra packages...]
# With --optional (the report's Python packages in `make run`) a failure to
# install is not an error: it exits 0 quietly, and the step that needs the
# packages says why it was skipped.
set -eu
optional=0
if [ "${1:-}" = "--optional" ]; then
    optional=1
    shift
fi
pkgs="gcc make pkg-config libgsl-dev libhdf5-dev zlib1g-dev libcmocka-dev libcsv-dev libinih-dev librandom123-dev nettle-dev hdf5-tools $*"
missing=""
for p in $pkgs; do
    if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
        missing="$missing $p"
    fi
done
[ -z "$missing" ] && exit 0
if [ "$optional" -eq 1 ]; then
    [ "$(id -u)" -eq 0 ] || exit 0
    echo "rankmc: installing missing packages:$missing" >&2
    export DEBIAN_FRONTEND=noninteractive
    # shellcheck disable=SC2086
    { apt-get update -qq && apt-get install -y -qq --no-install-recommends $missing; } >/dev/null 2>&1 || true
    exit 0
fi
if [ "$(id -u)" -eq 0 ]; then
    echo "rankmc: installing missing packages:$missing" >&2
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    # shellcheck disable=SC2086
    apt-get install -y -qq --no-install-recommends $missing
else
    echo "rankmc: missing packages:$missing" >&2
    echo "run as root:  apt-get update && apt-get install -y$missing" >&2
    exit 1
fi
