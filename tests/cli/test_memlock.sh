#!/usr/bin/env bash
# Locked memory is checked, not assumed (issue 7, finding 7): as a real
# non-root user under a small RLIMIT_MEMLOCK, a search index bigger than the
# limit cannot be locked. mappe must go on working, say so once on stderr,
# and log it to syslog (LOG_AUTH) for the administrator, without case data.
# Needs root (to become nobody); the syslog part also a mount namespace, in
# which a test socket stands in for /dev/log.
. "$(dirname "$0")/lib.sh"

if [ "$(id -u)" != 0 ] || ! command -v setpriv >/dev/null || ! command -v prlimit >/dev/null ||
	! id nobody >/dev/null 2>&1; then
	echo "ok 1 # SKIP needs root, setpriv, prlimit and user nobody"
	echo "1..1"
	exit 0
fi

if grep -qa __asan_init "$MAPPE"; then
	echo "ok 1 # SKIP AddressSanitizer makes mlock a no-op that always succeeds"
	echo "1..1"
	exit 0
fi

WARNING="could not be locked in memory"
NOGROUP=$(id -gn nobody)
# nobody cannot enter the test directory: a store of its own.
D=$(mktemp -d /tmp/mappe-memlock.XXXXXX)
trap 'rm -rf "$T" "$D"' EXIT
chmod 755 "$D"
DB=$D/store
new_store || not_ok "create the store"
# 3000 cases: the names of the search index take about 512 KiB of locked
# memory; everything else a command locks stays well under 64 KiB.
"$GEN" --seed 5 --count 3000 >"$T/cases.csv"
admin import "$T/cases.csv" >/dev/null || not_ok "import 3000 cases"
chown -R nobody:"$NOGROUP" "$DB"

# nobody LIMIT ARGS...: mappe as ada, run by the Unix user nobody under a
# locked-memory limit (bytes; "-" leaves root's default of 8 MiB)
nobody() {
	local limit=$1; shift
	local pre=()
	[ "$limit" != - ] && pre=(prlimit --memlock="$limit:$limit")
	setpriv --reuid=nobody --regid="$NOGROUP" --clear-groups "${pre[@]}" \
		env HOME="$D" "$MAPPE" --db "$DB" --user ada --passphrase-fd 3 "$@" 3<<<"$ADMIN_PASS"
}
query() { printf 'Ola\n'; }

check "as nobody under the default limit, find works" 0 nobody - find --limit 1 < <(query)
expect_not_in "$T/err" "and does not warn: the index is far below 8 MiB" "$WARNING"

check "as nobody under 64 KiB, show works" 0 nobody 65536 show 1
expect_not_in "$T/err" "and does not warn: one case fits" "$WARNING"

check "as nobody under 64 KiB, find still works" 0 nobody 65536 find --limit 1 < <(query)
[ -s "$T/out" ] && ok "and finds the case" || not_ok "and finds the case" "no output"
expect_in "$T/err" "and warns that memory could not be locked" "$WARNING"
expect_in "$T/err" "and names the fix" "raise memlock"
n=$(grep -c "$WARNING" "$T/err")
[ "$n" = 1 ] && ok "the warning comes once" || not_ok "the warning comes once" "$n times"
expect_not_in "$T/err" "the warning names no one in the store" "Ola"

# The terminal UI says it on its status line: the list loads the index.
mkdir "$D/ui" && chown nobody:"$NOGROUP" "$D/ui"
printf ':load all\n:dump memlock-ui\nq\n' >"$D/ui.keys" # the list read whole (issue 13)
cd "$D/ui" || exit 1
check "as nobody under 64 KiB, the UI works" 0 nobody 65536 --script "$D/ui.keys"
cd - >/dev/null || exit 1
if [ -f "$D/ui/memlock-ui" ]; then
	expect_in "$D/ui/memlock-ui" "and its status line warns" "Memory not locked: decrypted data may reach swap."
	expect_in "$D/ui/memlock-ui" "and it lists the cases" "3000/3000"
else
	not_ok "and its status line warns" "no screen dumped"
fi

# ---- syslog: a private /dev with a test socket as /dev/log ------------------
if ! unshare -m true 2>/dev/null; then
	ok "syslog # SKIP no mount namespace here (unshare -m)"
else
	export T D DB MAPPE ADMIN_PASS NOGROUP
	unshare -m --propagation private bash -c '
		set -u
		mkdir -p "$T/realdev"
		mount --rbind /dev "$T/realdev" || exit 10
		mount -t tmpfs -o mode=755 tmpfs /dev || exit 10
		for f in null zero urandom random full; do
			touch "/dev/$f" && mount --bind "$T/realdev/$f" "/dev/$f" || exit 10
		done
		ln -s /proc/self/fd /dev/fd
		/usr/bin/python3 -c "
import os, socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind(\"/dev/log\")
os.chmod(\"/dev/log\", 0o666)
open(sys.argv[1], \"w\").close()
s.settimeout(30)
with open(sys.argv[2], \"wb\") as f:
    while True:
        try:
            d = s.recv(65536)
        except socket.timeout:
            break
        f.write(d + b\"\\n\")
        f.flush()
" "$T/log-ready" "$T/syslog" &
		listener=$!
		for _ in $(seq 100); do [ -f "$T/log-ready" ] && break; sleep 0.1; done
		printf "Ola\n" | setpriv --reuid=nobody --regid="$NOGROUP" --clear-groups \
			prlimit --memlock=65536:65536 env HOME="$D" "$MAPPE" --db "$DB" --user ada \
			--passphrase-fd 3 find --limit 1 3<<<"$ADMIN_PASS" >/dev/null 2>"$T/err-ns"
		rc=$?
		sleep 0.3
		kill "$listener" 2>/dev/null
		wait "$listener" 2>/dev/null
		exit $rc
	'
	rc=$?
	if [ $rc -eq 10 ]; then
		ok "syslog # SKIP cannot mount a private /dev here"
	else
		[ $rc -eq 0 ] && ok "under a private /dev/log, find works" ||
			not_ok "under a private /dev/log, find works" "exit $rc: $(head -c 300 "$T/err-ns")"
		touch "$T/syslog"
		expect_in "$T/syslog" "syslog gets the warning" "memory lock failed"
		# <36> is LOG_AUTH (4 << 3) | LOG_WARNING (4)
		expect_in "$T/syslog" "at auth.warning" "<36>"
		expect_in "$T/syslog" "naming the uid" "for uid $(id -u nobody),"
		expect_in "$T/syslog" "and the limit" "RLIMIT_MEMLOCK 64 KiB"
		n=$(grep -c "memory lock failed" "$T/syslog")
		[ "$n" = 1 ] && ok "syslog gets it once" || not_ok "syslog gets it once" "$n times"
		expect_not_in "$T/syslog" "and no name from the store" "Ola"
	fi
fi
echo "1..$_n"
