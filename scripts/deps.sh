#!/bin/sh
# Install the Debian packages mappe needs to build and test, if any are missing.
# Uses sudo when not root and says what it does; does nothing when all are there.
# Extra package names as arguments (make fuzz adds clang).
set -e
PKGS="build-essential pkg-config libncurses-dev liblmdb-dev lmdb-utils libsodium-dev
libcmocka-dev libsqlcipher-dev python3 python3-pexpect python3-pyte gettext openssh-server
openssh-client $*"
missing=""
for p in $PKGS; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' \
        || missing="$missing $p"
done
[ -z "$missing" ] && exit 0
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
