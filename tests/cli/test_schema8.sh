#!/usr/bin/env bash
# Schema 7 to 8 (issue 10, My day; and on to 9, the audit log of issue 12): a
# case's class table may end with when
# the case was assigned. A store written by the last mappe of schema 7,
# built from its commit, is opened by this one: it moves to schema 8 with
# nothing rewritten, its cases read as before (assigned at an unknown time:
# not new to anyone), check passes, and the schema-7 mappe then refuses it
# (rather than call the longer tables forged). A case handed to kari after
# that is new in her My day; the ones imported by the old mappe are not.
. "$(dirname "$0")/lib.sh"

OLD_REV=${MAPPE_SCHEMA7_REV:-ee9bf0e}
top=$(cd "$(dirname "$0")/../.." && pwd)

if ! git -C "$top" cat-file -e "$OLD_REV^{commit}" 2>/dev/null; then
	echo "ok 1 # SKIP no git history with $OLD_REV (the schema-7 mappe) in this checkout"
	exit 0
fi
mkdir -p "$T/old"
git -C "$top" archive "$OLD_REV" | tar -x -C "$T/old"
if ! make -C "$T/old" -j2 build/mappe >"$T/build.log" 2>&1; then
	not_ok "build the schema-7 mappe ($OLD_REV)" "$(tail -5 "$T/build.log")"
	echo "1..$_n"
	exit 0
fi
ok "build the schema-7 mappe ($OLD_REV)"
OLD=$T/old/build/mappe

old() { "$OLD" --db "$DB" --user ada --passphrase-fd 3 "$@" 3<<<"$ADMIN_PASS"; }
"$OLD" --db "$DB" --user ada init --new-passphrase-fd 3 3<<<"$ADMIN_PASS" 2>/dev/null
old user add kari --role caseworker --new-passphrase-fd 4 4<<<"initial pass kari" 2>/dev/null
"$OLD" --db "$DB" --user kari passwd --passphrase-fd 3 --new-passphrase-fd 4 \
	3<<<"initial pass kari" 4<<<"kari's own passphrase" 2>/dev/null
KARI="kari's own passphrase"
printf 'given_name,family_name,caseworker\nZqxold,Testesen,kari\nZqxnew,Testesen,ada\n' >"$T/cases.csv"
check "the schema-7 mappe imports cases for kari" 0 old import "$T/cases.csv"
old show 1 --json >"$T/before.json" 2>/dev/null

check "this mappe opens it" 0 admin show 1 --json
if cmp -s "$T/before.json" "$T/out"; then ok "case 1 reads as the old mappe showed it"; else
	not_ok "case 1 reads as the old mappe showed it" "$(diff "$T/before.json" "$T/out" | head -5)"; fi
check "check passes" 0 admin check
check "upgrade has nothing left to do" 0 admin upgrade
expect_in "$T/out" "it says the store is at the current schema (9)" "already at schema 9"
check "the schema-7 mappe refuses the store now" 6 old show 1
expect_in "$T/err" "it says a newer mappe wrote it" "written by a newer mappe (schema 9; this one reads up to 7)"

# New to her means assigned after her last login, or when she has none,
# after the second of her enrolment (store_login_note): on a fast machine
# everything above fits in that second.
sleep 1.1
echo '{"caseworker": "kari"}' >"$T/cw.json"
check "ada hands case 2 to kari" 0 admin update 2 <"$T/cw.json"
check "check passes after" 0 admin check
printf ':dump day-1\nq\nq\nq\n' >"$T/day.keys"
(cd "$T" && "$MAPPE" --db "$DB" --user kari --passphrase-fd 3 --script "$T/day.keys" 3<<<"$KARI") \
	>/dev/null 2>&1
if [ -f "$T/day-1" ] && grep -q "Newly assigned to you" "$T/day-1" &&
	grep -q "Zqxnew Testesen" "$T/day-1" && ! grep -q "Zqxold" "$T/day-1"; then
	ok "kari starts on My day: case 2 is new to her, case 1 (assigned under schema 7) is not"
else
	not_ok "kari starts on My day: case 2 is new to her, case 1 (assigned under schema 7) is not" \
		"$(head -5 "$T/day-1" 2>/dev/null | tr '\n' '|')"
fi
check "check passes with kari's last login recorded" 0 admin check
echo "1..$_n"
