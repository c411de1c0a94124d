#!/usr/bin/env bash
# Run every test that this machine can run and end with one line:
#   N passed, N failed[, N skipped]
# Unit tests are cmocka binaries (TAP output); command-line and terminal
# tests are scripts in tests/cli/ that print TAP too. A skip says why.
set -u
BUILD=${1:-build}
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top" || exit 1
export MAPPE_BIN="$top/$BUILD/mappe" MAPPE_GEN="$top/$BUILD/tests/gen"
# Argon2id at its floor (2 passes, 64 MiB): the tests run hundreds of unlocks.
export MAPPE_KDF_OPSLIMIT=2 MAPPE_KDF_MEMLIMIT_MIB=64
export LC_ALL=C.UTF-8 TZ=UTC
unset MAPPE_DB MAPPE_USER

pass=0 fail=0 skip=0
failed_names=() skipped_why=()
log=$(mktemp)
trap 'rm -f "$log"' EXIT

count() { # name, then TAP on stdin
	local name=$1 line
	while IFS= read -r line; do
		case $line in
		"ok "*"# SKIP"*|"ok "*"# skip"*)
			skip=$((skip + 1)); skipped_why+=("$name: ${line#*# [Ss][Kk][Ii][Pp]}") ;;
		"ok "*) pass=$((pass + 1)) ;;
		"not ok "*) fail=$((fail + 1)); failed_names+=("$name: ${line#not ok }") ;;
		esac
	done
}

for t in "$BUILD"/tests/test_*; do
	[ -x "$t" ] || continue
	name=$(basename "$t")
	CMOCKA_MESSAGE_OUTPUT=TAP "$t" >"$log" 2>&1
	rc=$?
	cat "$log"
	before=$((pass + fail))
	count "$name" <"$log"
	if [ $rc -ne 0 ] && ! grep -q '^not ok' "$log"; then
		# a crash or sanitizer report outside any one test
		fail=$((fail + 1)); failed_names+=("$name: exited $rc")
	fi
	[ $((pass + fail)) -eq $before ] && { fail=$((fail + 1)); failed_names+=("$name: ran no test"); }
done

# The ssh suites create the group mappe, Unix users and /etc/mappe.conf,
# which every run on the machine shares: one at a time, under the lock the
# other runs (and people, by hand) take for them.
ssh_lock=${MAPPE_SSH_LOCK:-/tmp/mappe-ssh.lock}
# A run started under the lock itself (flock /tmp/mappe-ssh.lock tests/run.sh)
# holds it through the descriptor flock passed down: taking it again would
# wait for itself.
ssh_lock_held() {
	local fd want
	want=$(readlink -f "$ssh_lock" 2>/dev/null) || return 1
	for fd in /proc/$$/fd/*; do
		[ "$(readlink -f "$fd" 2>/dev/null)" = "$want" ] && return 0
	done
	return 1
}
ssh_run() {
	if ssh_lock_held; then "$@"; else flock "$ssh_lock" "$@"; fi
}

for t in tests/cli/*.sh tests/tty/*.py; do
	[ -f "$t" ] || continue
	case $t in
	tests/tty/test_ssh*.py) ssh_run /usr/bin/python3 "$t" >"$log" 2>&1 ;;
	*.py) /usr/bin/python3 "$t" >"$log" 2>&1 ;;
	*) bash "$t" >"$log" 2>&1 ;;
	esac
	rc=$?
	cat "$log"
	count "$t" <"$log"
	if [ $rc -ne 0 ] && ! grep -q '^not ok' "$log"; then
		fail=$((fail + 1)); failed_names+=("$t: exited $rc")
	fi
done

echo
for f in "${failed_names[@]+"${failed_names[@]}"}"; do echo "FAILED $f"; done
for s in "${skipped_why[@]+"${skipped_why[@]}"}"; do echo "SKIPPED $s"; done
if [ $skip -gt 0 ]; then
	echo "$pass passed, $fail failed, $skip skipped"
else
	echo "$pass passed, $fail failed"
fi
[ $fail -eq 0 ]
