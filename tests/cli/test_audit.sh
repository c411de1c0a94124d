#!/usr/bin/env bash
# The audit log from the command line (issue 12): mappe audit verify on a
# whole chain, an entry changed, the tail cut with the head in meta wound
# back (caught only against the system log's copy of the head), and mappe
# check on a case put back whole from an older copy and on a case deleted.
# The file is edited as a writer without keys would (tests/plant raw).
. "$(dirname "$0")/lib.sh"
PLANT=$(dirname "$GEN")/plant
new_store
enrol kari caseworker "kari passphrase 1"
kari() { as kari "kari passphrase 1" "$@"; }
printf 'given_name,family_name,birth_date\nAda,Berg,1990-01-02\nBo,Dahl,1985-03-04\n' >"$T/in.csv"
check "two cases imported" 0 admin import "$T/in.csv"
check "given to kari" 0 admin update 1 <<<'{"caseworker": "kari"}'
check "both" 0 admin update 2 <<<'{"caseworker": "kari"}'

# A system log of our own: a datagram socket whose lines go to a file.
LOG=$T/auth.log
python3 - "$T/log.sock" "$LOG" <<'PY' &
import socket, sys, os
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind(sys.argv[1])
open(sys.argv[1] + ".ready", "w").close()
with open(sys.argv[2], "a") as f:
    while True:
        m = s.recv(4096).decode()
        if m == "stop":
            break
        f.write("Dec  2 09:00:00 jump " + m.split(">", 1)[1] + "\n")
        f.flush()
PY
LOGGER=$!
for _ in $(seq 50); do [ -e "$T/log.sock.ready" ] && break; sleep 0.1; done
export MAPPE_AUDIT_SYSLOG=$T/log.sock
check "a change while the system log listens" 0 kari update 1 <<<'{"family_name": "Berg-Dahl"}'
check "a case shown" 0 kari show 2
unset MAPPE_AUDIT_SYSLOG
python3 -c 'import socket,sys; s=socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM); s.sendto(b"stop", sys.argv[1])' "$T/log.sock"
wait "$LOGGER"
expect_in "$LOG" "the head went to the system log" "mappe["
expect_not_in "$LOG" "no user name in the system log" "kari"

check "audit verify: the chain is whole" 0 "$MAPPE" --db "$DB" audit verify
expect_in "$T/out" "it says so" "follow each other unbroken"
check "audit verify --syslog: the last head is in the chain" 0 "$MAPPE" --db "$DB" audit verify --syslog "$LOG"
expect_in "$T/out" "it names the system log's entry" "the one the system log saw last"
check "audit verify needs no key and no role" 0 "$MAPPE" --db "$DB" --user nobody audit verify

last=$(awk '/audit head/ {print $8}' "$LOG" | tail -1)
key=$(printf '%016x' "$last")
"$PLANT" "$DB" raw get audit "$key" >"$T/last.entry"
"$PLANT" "$DB" raw get meta "$(printf audit_head | xxd -p)" >"$T/head"
# The entry's prev (bytes 10..42) is the hash of the one before: the head
# an attacker who cut the tail writes back.
{ printf '%016x' $((last - 1)) | xxd -r -p; dd if="$T/last.entry" bs=1 skip=10 count=32 2>/dev/null; } >"$T/head.back"
"$PLANT" "$DB" raw del audit "$key"
check "the last entry removed: verify exits 3" 3 "$MAPPE" --db "$DB" audit verify
expect_in "$T/err" "it names where" "broken at entry $last"
"$PLANT" "$DB" raw put meta "$(printf audit_head | xxd -p)" <"$T/head.back"
check "and with the head wound back the chain alone looks whole" 0 "$MAPPE" --db "$DB" audit verify
check "but not against the system log" 3 "$MAPPE" --db "$DB" audit verify --syslog "$LOG"
expect_in "$T/err" "it says entries were removed" "ends at entry $((last - 1)), but the system log saw entry $last"
"$PLANT" "$DB" raw put audit "$key" <"$T/last.entry"
"$PLANT" "$DB" raw put meta "$(printf audit_head | xxd -p)" <"$T/head"
check "put back, the chain is whole again" 0 "$MAPPE" --db "$DB" audit verify --syslog "$LOG"

# One byte of an entry in the middle.
"$PLANT" "$DB" raw get audit "$(printf '%016x' 3)" >"$T/e3"
python3 -c 'import sys; b=bytearray(open(sys.argv[1],"rb").read()); b[50]^=1; sys.stdout.buffer.write(b)' "$T/e3" |
	"$PLANT" "$DB" raw put audit "$(printf '%016x' 3)"
check "an entry changed: verify exits 3" 3 "$MAPPE" --db "$DB" audit verify
expect_in "$T/err" "at the entry after it" "broken at entry 4"
check "an entry changed: check exits 3" 3 admin check
expect_in "$T/out" "check names it" "audit log is broken at entry 4"
"$PLANT" "$DB" raw put audit "$(printf '%016x' 3)" <"$T/e3"
check "check is clean again" 0 admin check

# A case put back whole from an older copy: it authenticates, but the log
# recorded a later version.
"$PLANT" "$DB" raw get cases "$(printf '%016x' 2)" >"$T/case2.v1"
check "case 2 changed" 0 kari update 2 <<<'{"family_name": "Dahl-Berg"}'
"$PLANT" "$DB" raw put cases "$(printf '%016x' 2)" <"$T/case2.v1"
check "the older copy reads as a case" 0 kari show 2
check "check: the case rolled back is exit 3" 3 admin check
expect_in "$T/out" "it names the case and both versions" "case 2: the file holds version 2, but the audit log recorded version 3: the case was put back from an older copy"
"$PLANT" "$DB" raw del cases "$(printf '%016x' 2)"
check "check: the case deleted is exit 3" 3 admin check
expect_in "$T/out" "it names the deleted case" "case 2"

# The log's own retention.
check "prune: a caseworker is refused" 2 kari audit prune --before 2099-01-01
check "prune: a bad date is refused" 1 admin audit prune --before 2099-13-01
check "prune: without a date or retention.audit_after, usage" 1 admin audit prune
check "prune: everything before 2099" 0 admin audit prune --before 2099-01-01
expect_in "$T/out" "it says how many went" "audit entries from before 2099-01-01 removed"
check "after the prune the chain verifies" 0 "$MAPPE" --db "$DB" audit verify
check "and check is clean" 3 admin check
expect_in "$T/out" "(only the deleted case 2 is still reported)" "case 2"
expect_not_in "$T/out" "no complaint of the log" "audit log"
echo "1..$_n"
