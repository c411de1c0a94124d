# Shared by the command-line tests: a TAP counter and a fresh store per test file.
# Source it; every check prints "ok N - name" or "not ok N - name".
set -u
MAPPE=${MAPPE_BIN:?run through tests/run.sh or set MAPPE_BIN}
GEN=${MAPPE_GEN:?}
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
export HOME=$T/home XDG_DATA_HOME=$T/home/.local/share
mkdir -p "$HOME"
DB=$T/store
ADMIN_PASS="admin passphrase 1"
_n=0

ok() { _n=$((_n + 1)); echo "ok $_n - $1"; }
not_ok() { _n=$((_n + 1)); echo "not ok $_n - $1"; [ $# -gt 1 ] && echo "#   $2"; return 0; }

# check NAME EXPECTED_RC CMD...: run CMD, compare its exit code, keep its output
check() {
	local name=$1 want=$2; shift 2
	"$@" >"$T/out" 2>"$T/err"
	local got=$?
	if [ "$got" -eq "$want" ]; then ok "$name"; else
		not_ok "$name" "exit $got, wanted $want; stderr: $(head -c 300 "$T/err")"; fi
}
# expect_in FILE NAME TEXT: the file contains TEXT
expect_in() {
	if grep -qF -- "$3" "$1"; then ok "$2"; else not_ok "$2" "'$3' not in $(head -c 300 "$1")"; fi
}
expect_not_in() {
	if grep -qF -- "$3" "$1"; then not_ok "$2" "'$3' found"; else ok "$2"; fi
}

# as USER PASS ARGS...: run mappe as USER with PASS on fd 3
as() {
	local user=$1 pass=$2; shift 2
	"$MAPPE" --db "$DB" --user "$user" --passphrase-fd 3 "$@" 3<<<"$pass"
}
admin() { as ada "$ADMIN_PASS" "$@"; }

new_store() {
	rm -rf "$DB"
	"$MAPPE" --db "$DB" --user ada init --new-passphrase-fd 3 3<<<"$ADMIN_PASS" 2>/dev/null
}

# enrol NAME ROLE PASS: add a user and have them set their own passphrase
enrol() {
	admin user add "$1" --role "$2" --new-passphrase-fd 4 4<<<"initial pass $1" 2>/dev/null &&
	"$MAPPE" --db "$DB" --user "$1" passwd --passphrase-fd 3 --new-passphrase-fd 4 \
		3<<<"initial pass $1" 4<<<"$3" 2>/dev/null
}
