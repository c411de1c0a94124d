#!/bin/sh
# Install the Debian packages mappe needs to build and test, if any are missing.
# Uses sudo when not root and says what it does; does nothing when all are there.
# --run: only what building and running mappe needs (make run); else also
# what the tests and benchmarks need (make check). Extra package names as
# arguments (make fuzz adds clang). --check first: install nothing, exit 1
# naming what is missing (a test that needs them skips).
set -e
CHECK=""
if [ "${1:-}" = --check ]; then
    CHECK=1
    shift
fi
RUN="build-essential pkg-config libncurses-dev liblmdb-dev libsodium-dev libunistring-dev gettext"
if [ "${1:-}" = --run ]; then
    shift
    PKGS="$RUN $*"
else
    PKGS="$RUN lmdb-utils libcmocka-dev libsqlcipher-dev python3 python3-pexpect python3-pyte
openssh-server openssh-client iso-codes debhelper devscripts dpkg-dev fakeroot $*"
fi
missing=""
for p in $PKGS; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' \
        || missing="$missing $p"
done
[ -z "$missing" ] && exit 0
if [ -n "$CHECK" ]; then
    echo "mappe: missing packages:$missing" >&2
    exit 1
fi
if ! command -v apt-get >/dev/null 2>&1; then
    echo "mappe: missing packages:$missing (no apt-get here: install them by hand)" >&2
    exit 1
fi
SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"
echo "mappe: installing missing packages with ${SUDO:+sudo }apt-get:$missing"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
# shellcheck disable=SC2086
$SUDO apt-get install -y -qq --no-install-recommends $missing
