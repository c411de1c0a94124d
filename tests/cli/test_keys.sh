#!/usr/bin/env bash
# The life of a key (issue: rotation, revocation, passphrase change), driven
# through the command line as an administrator would, with kill -9 at random
# points and colleagues saving all the while.
. "$(dirname "$0")/lib.sh"

new_store
"$GEN" --seed 21 --count 600 >"$T/cases.csv"
admin import "$T/cases.csv" >"$T/ids" 2>/dev/null || not_ok "set up the store"
enrol kari caseworker "kari's own passphrase"
enrol helga health "helga's own passphrase"
enrol eve caseworker "eve's own passphrase"
nid=$(sed -n 5p "$T/cases.csv" | cut -d, -f7)
KARI="kari's own passphrase"

check "keys status" 0 admin keys status
expect_in "$T/out" "shows each class at epoch 1" "health     epoch 1"
expect_in "$T/out" "and who holds it" "held by: ada helga"
check "keys status --json" 0 admin keys status --json
expect_in "$T/out" "as JSON" '"class": "identity", "active_epoch": 1'
check "a caseworker may not rotate" 2 as kari "$KARI" keys rotate

# ---- kill -9 at 20 random points ------------------------------------------------
# How long one whole rotation takes here, so that the kills fall inside it:
# the quickest of three, as a busy machine's one slow run would put every
# kill after the end.
ms=0
for _ in 1 2 3; do
	t0=$(date +%s%N)
	admin keys rotate --class identity --batch 1 >/dev/null 2>&1
	t=$((($(date +%s%N) - t0) / 1000000))
	[ $ms -eq 0 ] || [ $t -lt $ms ] && ms=$t
done
[ $ms -gt 20 ] || ms=20
broken=0 resumed=0
for i in $(seq 20); do
	"$MAPPE" --db "$DB" --user ada --passphrase-fd 3 keys rotate --class identity --batch 1 \
		3<<<"$ADMIN_PASS" >/dev/null 2>&1 &
	pid=$!
	sleep "$(awk -v ms=$((RANDOM % ms)) 'BEGIN { printf "%.3f", ms / 1000 }')"
	kill -9 $pid 2>/dev/null && resumed=$((resumed + 1))
	wait $pid 2>/dev/null
	# every field decrypts, every look-up works, whatever the instant
	admin check >/dev/null 2>"$T/err" || { broken=$((broken + 1)); cat "$T/err"; }
	echo "$nid" | as kari "$KARI" find >"$T/out" 2>/dev/null
	[ "$(wc -l <"$T/out")" -ge 1 ] || { broken=$((broken + 1)); echo "# find lost the case"; }
done
[ $broken -eq 0 ] && ok "after 20 kill -9s, check passes and the national id is found every time" ||
	not_ok "after 20 kill -9s, check passes and the national id is found every time" "$broken broken"
[ $resumed -ge 10 ] && ok "most of them were killed mid-way ($resumed of 20)" ||
	not_ok "most of them were killed mid-way" "only $resumed of 20"
check "running rotate again finishes" 0 admin keys rotate --class identity
check "status after finishing" 0 admin keys status --json
if grep -q '"rotation": {' "$T/out"; then not_ok "no rotation left in progress"; else ok "no rotation left in progress"; fi
check "check after the rotations" 0 admin check

# ---- an interrupted all-class rotation resumes, it does not begin again --------------------
epochs() { # [DB]: one line per class: NAME EPOCH
	"$MAPPE" --db "${1:-$DB}" --user ada --passphrase-fd 3 keys status --json 3<<<"$ADMIN_PASS" 2>/dev/null | grep -o '"class": "[a-z]*", "active_epoch": [0-9]*' |
		sed 's/"class": "\([a-z]*\)", "active_epoch": \([0-9]*\)/\1 \2/'
}
epochs >"$T/ep0"
# One pass re-encrypts every class, then they finish milliseconds apart: the
# kill -9 comes from inside, right after identity's (MAPPE_TEST_KILL_AFTER).
MAPPE_TEST_KILL_AFTER=identity "$MAPPE" --db "$DB" --user ada --passphrase-fd 3 keys rotate \
	--batch 1 3<<<"$ADMIN_PASS" >/dev/null 2>"$T/rot"
if grep -q "identity: epoch" "$T/rot" && ! grep -q "contact: epoch" "$T/rot"; then
	ok "killed with record and identity finished, the rest not"
else
	not_ok "killed with record and identity finished, the rest not" "$(tail -c 300 "$T/rot")"
fi
check "running keys rotate again" 0 admin keys rotate
epochs >"$T/ep1"
bad=$(paste -d ' ' "$T/ep0" "$T/ep1" | awk '$1 != $3 || $4 != $2 + 1')
[ -n "$(cat "$T/ep0")" ] && [ -z "$bad" ] && ok "every class exactly one epoch on: the finished ones were not rotated again" ||
	not_ok "every class exactly one epoch on: the finished ones were not rotated again" "$bad"
check "check after the resumed rotation" 0 admin check

# ---- one rotation at a time -------------------------------------------------------------
touch "$DB/rotate.lock"
flock "$DB/rotate.lock" sleep 3 &
holder=$!
sleep 0.2
check "a second rotation while one runs is refused (exit 6)" 6 admin keys rotate --class contact
expect_in "$T/err" "saying why" "another key rotation is running"
wait $holder

# ---- colleagues save while the keys rotate ---------------------------------------------
"$MAPPE" --db "$DB" --user ada --passphrase-fd 3 keys rotate --batch 2 3<<<"$ADMIN_PASS" >/dev/null 2>&1 &
rot=$!
lost=0
for id in $(seq 10 40); do
	phone="+479$(printf '%07d' "$id")"
	echo "{\"phone\": \"$phone\"}" | as kari "$KARI" update "$id" >/dev/null 2>"$T/err" ||
		{ lost=$((lost + 1)); cat "$T/err"; }
done
wait $rot
rc=$?
[ $rc -eq 0 ] && ok "the rotation finished while colleagues saved" || not_ok "the rotation finished while colleagues saved" "exit $rc"
for id in $(seq 10 40); do
	phone="+479$(printf '%07d' "$id")"
	admin show "$id" --json 2>/dev/null | grep -qF "\"phone\": \"$phone\"" || lost=$((lost + 1))
done
[ $lost -eq 0 ] && ok "every save during the rotation was kept" || not_ok "every save during the rotation was kept" "$lost lost"
check "check after rotating under load" 0 admin check

# ---- a damaged case does not stop a revocation -------------------------------------------------
if command -v mdb_dump >/dev/null; then
	D=$T/damaged
	cp -a "$DB" "$D"
	dadmin() { "$MAPPE" --db "$D" --user ada --passphrase-fd 3 "$@" 3<<<"$ADMIN_PASS"; }
	# case 5's value alone, as it is and with a byte of its clear header
	# flipped (its creation time, byte 10: hex digit 22 after the space)
	one_case='/^HEADER=END/ {print; h=1; next} !h {print; next}
		k {if (bad) {c = substr($0, 23, 1); $0 = substr($0, 1, 22) (c == "0" ? "1" : "0") substr($0, 24)}
		   print; k = 0; next}
		/^ 0000000000000005$/ {print; k = 1} /^DATA=END/ {print}'
	mdb_dump -s cases "$D" | awk -v bad=0 "$one_case" >"$T/case5.good"
	mdb_dump -s cases "$D" | awk -v bad=1 "$one_case" >"$T/case5.bad"
	mdb_load -s cases -f "$T/case5.bad" "$D" 2>/dev/null
	check "revoking a user with a damaged case in the store ends exit 3" 3 dadmin user revoke eve
	expect_in "$T/err" "naming the case" "case 5 is damaged and was not re-encrypted"
	expect_in "$T/err" "the classes it has nothing in are finished" "notes: epoch"
	expect_in "$T/err" "and the others are held back, not stopped" "contact: case 5 is damaged"
	check "eve's passphrase opens nothing" 2 "$MAPPE" --db "$D" --user eve --passphrase-fd 3 show 3 3<<<"eve's own passphrase"
	check "check names the case (exit 3)" 3 dadmin check
	expect_in "$T/out" "in its report" "case 5"
	check "keys status says why the rotation is not finished" 0 dadmin keys status
	expect_in "$T/out" "held back" "held back by damaged cases"
	expect_in "$T/out" "with one case left at the old epoch" "decrypt-only: 1 cases)  ROTATING"
	dkari() { "$MAPPE" --db "$D" --user kari --passphrase-fd 3 "$@" 3<<<"$KARI"; }
	echo '{"phone": "+4791112233"}' >"$T/phone.json"
	check "colleagues still save" 0 dkari update 8 <"$T/phone.json"
	check "and read" 0 dkari show 8 --json
	expect_in "$T/out" "what they saved" '"phone": "+4791112233"'
	check "keys rotate names it too (exit 3)" 3 dadmin keys rotate
	expect_in "$T/err" "the same case" "case 5 is damaged"
	epochs "$D" >"$T/dep0"
	check "and again: exit 3" 3 dadmin keys rotate
	epochs "$D" >"$T/dep1"
	cmp -s "$T/dep0" "$T/dep1" && ok "a rerun starts no new epoch" || not_ok "a rerun starts no new epoch" "$(paste -d ' ' "$T/dep0" "$T/dep1" | awk '$2 != $4')"
	mdb_load -s cases -f "$T/case5.good" "$D" 2>/dev/null
	check "repaired, keys rotate finishes" 0 dadmin keys rotate
	epochs "$D" >"$T/dep2"
	cmp -s "$T/dep0" "$T/dep2" && ok "at the same epochs" || not_ok "at the same epochs" "$(paste -d ' ' "$T/dep0" "$T/dep2" | awk '$2 != $4')"
	check "check passes after the repair" 0 dadmin check
	check "status after the repair" 0 dadmin keys status --json
	if grep -q '"rotation": {' "$T/out"; then not_ok "no rotation left in progress"; else ok "no rotation left in progress"; fi
	check "the repaired case reads" 0 dadmin show 5
fi

# ---- revocation ----------------------------------------------------------------------------
check "eve can read before" 0 as eve "eve's own passphrase" show 3
check "revoke eve" 0 admin user revoke eve
expect_in "$T/err" "and rotates what she held" "the old keys are deleted"
check "eve's passphrase no longer opens anything" 2 as eve "eve's own passphrase" show 3
check "user list marks her revoked" 0 admin user list
expect_in "$T/out" "as revoked" "(revoked)"
check "keys status no longer lists her" 0 admin keys status
expect_not_in "$T/out" "no class held by eve" " eve"
check "check after revocation" 0 admin check
check "kari still reads" 0 as kari "$KARI" show 3

# ---- protected by name ---------------------------------------------------------------------------
echo '{"protected_address": "Skjult vei 2"}' | admin update 7 >/dev/null 2>&1
check "kari cannot read a protected address" 0 as kari "$KARI" show 7 --json
expect_in "$T/out" "it is locked" '"protected_address"'
expect_not_in "$T/out" "the value is not shown" "Skjult vei 2"
check "grant kari protected" 0 admin user grant kari protected
check "now she reads it" 0 as kari "$KARI" show 7 --json
expect_in "$T/out" "the protected address" '"protected_address": "Skjult vei 2"'
check "withdraw it again" 0 admin user ungrant kari protected
expect_in "$T/err" "which rotates protected" "protected: epoch"
check "and it is locked again" 0 as kari "$KARI" show 7 --json
expect_not_in "$T/out" "the value is not shown" "Skjult vei 2"

# ---- a role or grant edited in the file is never acted on ---------------------------------------
if command -v mdb_dump >/dev/null; then
	cp -a "$DB" "$T/forged"
	# kari's record: version 2, role 0 (caseworker), flags 0 -> protected (4)
	mdb_dump -s users "$T/forged" |
		awk 'k==1 {sub(/^ 020000/, " 020004"); k=0} /^ 6b617269$/ {k=1} {print}' >"$T/udump"
	mdb_load -s users -f "$T/udump" "$T/forged"
	check "a rotation refuses a user record edited in the file (exit 3)" 3 "$MAPPE" --db "$T/forged" --user ada --passphrase-fd 3 keys rotate --class protected 3<<<"$ADMIN_PASS"
	expect_in "$T/err" "naming the user" "record of user kari does not authenticate"
	check "and kari gained nothing" 0 "$MAPPE" --db "$T/forged" --user kari --passphrase-fd 3 show 7 --json 3<<<"kari's own passphrase"
	expect_not_in "$T/out" "the protected address stays locked" "Skjult vei 2"
fi

# ---- passphrase change keeps access -------------------------------------------------------------
check "kari changes her passphrase" 0 "$MAPPE" --db "$DB" --user kari passwd --passphrase-fd 3 --new-passphrase-fd 4 3<<<"$KARI" 4<<<"kari's second passphrase"
check "the new one opens the same case" 0 as kari "kari's second passphrase" show 3
check "the old one does not" 2 as kari "$KARI" show 3
check "check at the end" 0 admin check
echo "1..$_n"
