#!/usr/bin/env bash
# Retention by the archive law (issue 12, docs/retention.md): a closed case is
# blocked after retention.block_after days (only admin and archive open it),
# mappe archive export seals the blocked cases to the archive's key, mappe
# archive open decrypts and checks them, and mappe archive destroy removes
# only what retention.dispose marks disposable, after its time.
. "$(dirname "$0")/lib.sh"
PY=/usr/bin/python3
if ! "$PY" -c 'import json' 2>/dev/null; then
	echo "ok 1 - archive # SKIP no $PY"
	echo "1..1"
	exit 0
fi
# Not /etc/mappe.conf, which other tests (and the ssh suite) share.
export MAPPE_CONF=$T/mappe.conf
printf 'retention.block_after = 365\n' >"$MAPPE_CONF"
# The cases are closed today; these are the days the tests look from.
SOON=$(date -d '+100 days' +%F)
LATER=$(date -d '+400 days' +%F)  # past block_after
MUCH=$(date -d '+1900 days' +%F)  # past mapping's 1825 days too

new_store
enrol cora caseworker "cora passphrase 1"
enrol lena lead "lena passphrase 1"
check "an archive user is enrolled" 0 enrol arne archive "arne passphrase 1"
cora() { as cora "cora passphrase 1" "$@"; }
lena() { as lena "lena passphrase 1" "$@"; }
arne() { as arne "arne passphrase 1" "$@"; }
check "user list" 0 admin user list
expect_in "$T/out" "user list names the archive role" "archive"

printf '%s' '{"status": "closed", "caseworker": "cora", "given_name": "Amira", "family_name": "Haddad",
 "birth_date": "1990-03-04", "phone": "+4791234567", "settlement_date": "2024-02-01",
 "mapping_done": "2024-03-01", "mapping_source": "municipality", "programme_decision": "2024-04-01",
 "tb_status": "done", "placements": [{"employer": "Kafe Sol", "hours_per_week": "20"}]}' >"$T/a.json"
check "a closed case" 0 admin add <"$T/a.json"
A=$(cat "$T/out")
printf 'Hjemmebesøk med tolk.' | admin note add "$A" --kind home_visit >/dev/null 2>&1
printf '%s' '{"status": "in_programme", "caseworker": "cora", "given_name": "Bashir", "family_name": "Noori",
 "mapping_done": "2024-03-01", "mapping_source": "municipality"}' >"$T/b.json"
check "an open case" 0 admin add <"$T/b.json"
B=$(cat "$T/out")
printf '%s' '{"status": "closed", "caseworker": "cora", "given_name": "Celine", "family_name": "Okafor",
 "mapping_done": "2024-05-01", "mapping_source": "municipality"}' >"$T/c.json"
check "a second closed case" 0 admin add <"$T/c.json"
C=$(cat "$T/out")

# ---- blocking ------------------------------------------------------------------
MAPPE_TODAY=$SOON check "a case closed 100 days ago opens for its caseworker" 0 cora show "$A"
export MAPPE_TODAY=$LATER
check "a case closed 400 days ago is refused to its caseworker" 2 cora show "$A"
expect_in "$T/err" "the refusal says it is blocked" "blocked"
expect_not_in "$T/err" "the refusal names no one" "Amira"
check "and to a lead" 2 lena show "$A" --json
check "its journal cannot be added to by the caseworker" 2 cora note add "$A" <<<"tekst"
echo '{"phone": "+4799999999"}' >"$T/upd.json"
check "nor can it be changed by the caseworker" 2 cora update "$A" <"$T/upd.json"
check "an open case still opens for the caseworker" 0 cora show "$B"
check "the administrator opens a blocked case" 0 admin show "$A" --json
expect_in "$T/out" "with its fields" "Amira"
# The archive role receives blocked cases, and nothing else: no live case,
# no change, no note, no new case (the tryout of issue 12).
check "the archive role opens a blocked case" 0 arne show "$A" --json
check "but not a live one" 2 arne show "$B"
check "and changes no blocked case" 2 arne update "$A" <"$T/upd.json"
expect_in "$T/err" "it says why" "the archive role receives blocked cases"
check "adds no note to it" 2 arne note add "$A" <<<"tekst"
check "and adds no case" 2 arne add <"$T/b.json"
check "the archive role's search finds no live case" 0 arne find <<<"Bashir"
expect_not_in "$T/out" "(none listed)" "Bashir"
check "the archive role opens a blocked case" 0 arne show "$A" --json
expect_in "$T/out" "with its fields and journal" "Hjemmebesøk"
check "the caseworker's search still runs" 0 cora find --json <<<"Amira"
expect_not_in "$T/out" "a blocked case's name is not searchable for a caseworker" "Amira"
check "the administrator's search runs" 0 admin find --json <<<"Amira"
expect_not_in "$T/out" "a blocked case is opened by its id alone, even by an administrator" "Amira"
check "the caseworker's search finds the open case" 0 cora find --json <<<"Bashir"
expect_in "$T/out" "the open case is found" "Bashir"
check "a caseworker cannot block" 2 cora archive block
check "the administrator blocks (a lasting mark)" 0 admin archive block
expect_in "$T/err" "two cases newly blocked" "2 cases"
check "blocking again marks nothing new" 0 admin archive block
expect_in "$T/err" "none newly blocked" "0 cases"

# ---- export and open -------------------------------------------------------------
check "archive keygen" 0 "$MAPPE" archive keygen "$T/archive.key"
PUB=$(cat "$T/out")
expect_in "$T/out" "keygen prints the line for mappe.conf" "archive.public_key = "
mode=$(stat -c %a "$T/archive.key")
[ "$mode" = 600 ] && ok "the secret key file is 0600" || not_ok "the secret key file is 0600" "$mode"
check "keygen refuses to overwrite a key" 6 "$MAPPE" archive keygen "$T/archive.key"
printf 'retention.block_after = 365\nretention.dispose = mapping:1825\n%s\n' "$PUB" >"$MAPPE_CONF"
mkdir -p "$T/dest"
check "a caseworker may not export to the archive" 2 cora archive export "$T/dest"
check "nor a lead" 2 lena archive export "$T/dest"
check "the archive role exports the blocked cases" 0 arne archive export "$T/dest"
PKG=$(cat "$T/out")
[ -f "$PKG" ] && ok "the package is written" || not_ok "the package is written" "$PKG"
expect_in "$T/err" "two cases sealed" "2 cases"
ls -a "$T/dest" | grep -q '\.part$' && not_ok "no partial file is left" || ok "no partial file is left"
if grep -qaF "Amira" "$PKG" || grep -qaF "Hjemmebesøk" "$PKG"; then
	not_ok "the package holds no plaintext"
else
	ok "the package holds no plaintext"
fi
check "the archive opens the package with its key" 0 "$MAPPE" archive open "$PKG" --key "$T/archive.key" "$T/opened"
[ -f "$T/opened/manifest.json" ] && ok "the manifest is there" || not_ok "the manifest is there"
for id in "$A" "$C"; do
	admin show "$id" --json >"$T/show$id.json" 2>/dev/null
	if "$PY" - "$T/show$id.json" "$T/opened/cases/$id.json" "$T/opened/manifest.json" "$id" <<'EOF'
import json, sys, hashlib
show = json.load(open(sys.argv[1]))
raw = open(sys.argv[2], 'rb').read()
pkg = json.loads(raw)
man = json.load(open(sys.argv[3]))
show = {k: v for k, v in show.items() if not k.startswith('_stipend')}
assert show == pkg, (sorted(set(show) ^ set(pkg)))
ent = [f for f in man['files'] if f['case'] == int(sys.argv[4])][0]
assert ent['sha256'] == hashlib.sha256(raw).hexdigest()
assert int(sys.argv[4]) in man['cases'] and len(man['cases']) == 2
assert 'mapping_done' in man['fields'] and man['store_id'] and man['mappe_version']
EOF
	then ok "case $id in the package is mappe show --json's, its checksum the manifest's"
	else not_ok "case $id in the package is mappe show --json's, its checksum the manifest's"; fi
done
[ -f "$T/opened/cases/$B.json" ] && not_ok "the open case is not in the package" ||
	ok "the open case is not in the package"
check "a second export takes nothing transferred before" 0 arne archive export "$T/dest"
expect_in "$T/err" "nothing to hand over" "no blocked case"
expect_in "$T/err" "and how to take them again" "2 handed over before (--again takes them again)"
sleep 1
check "--again takes them again" 0 admin archive export --again "$T/dest"
PKG2=$(cat "$T/out")
[ "$PKG2" != "$PKG" ] && [ -f "$PKG2" ] && ok "a second package" || not_ok "a second package"
check "--before a date before the closing takes none" 0 admin archive export --again --before 2020-01-01 "$T/dest"
expect_in "$T/err" "none before 2020" "no blocked case"

cp "$PKG" "$T/flipped"
size=$(stat -c %s "$T/flipped")
printf '\x55' | dd of="$T/flipped" bs=1 seek=$((size / 2)) conv=notrunc 2>/dev/null
cmp -s "$PKG" "$T/flipped" || true
check "a package with a flipped byte is refused" 3 "$MAPPE" archive open "$T/flipped" --key "$T/archive.key" "$T/opened2"
[ -e "$T/opened2" ] && not_ok "nothing of a refused package is kept" || ok "nothing of a refused package is kept"
head -c $((size - 10)) "$PKG" >"$T/cut"
check "a package cut short is refused" 3 "$MAPPE" archive open "$T/cut" --key "$T/archive.key" "$T/opened3"
check "another archive key" 0 "$MAPPE" archive keygen "$T/other.key"
check "the package does not open with another key" 2 "$MAPPE" archive open "$PKG" --key "$T/other.key" "$T/opened4"
[ -e "$T/opened4" ] && not_ok "nothing is written with the wrong key" || ok "nothing is written with the wrong key"

# ---- destroy ---------------------------------------------------------------------
check "a caseworker may not destroy" 2 cora archive destroy --dry-run
check "nor the archive role" 2 arne archive destroy
check "destroy before mapping's time" 0 admin archive destroy
[ -s "$T/out" ] && not_ok "nothing goes before its time" "$(cat "$T/out")" || ok "nothing goes before its time"
export MAPPE_TODAY=$MUCH
check "destroy --dry-run past mapping's time" 0 admin archive destroy --dry-run
expect_in "$T/out" "the dry run lists the closed case's mapping" "$A	mapping	2"
expect_not_in "$T/out" "not the open case" "$B	"
check "after a dry run" 0 admin show "$A" --json
expect_in "$T/out" "the mapping is still there" '"mapping_done"'
check "destroy past mapping's time" 0 admin archive destroy
expect_in "$T/out" "destroys the mapping of the first closed case" "$A	mapping	2"
expect_in "$T/out" "and of the second" "$C	mapping	2"
check "the case after destroy" 0 admin show "$A" --json
expect_not_in "$T/out" "the mapping is gone" '"mapping_done"'
expect_not_in "$T/out" "its source too" '"mapping_source"'
expect_in "$T/out" "the settlement is kept" '"settlement_date": "2024-02-01"'
expect_in "$T/out" "the programme decision is kept" '"programme_decision": "2024-04-01"'
expect_in "$T/out" "the name is kept" '"given_name": "Amira"'
expect_in "$T/out" "the health status is kept (not disposable here)" '"tb_status"'
expect_in "$T/out" "the phone is kept (not disposable here)" '"phone"'
expect_in "$T/out" "the placements are kept" 'Kafe Sol'
expect_in "$T/out" "the journal is kept" 'Hjemmebesøk'
check "the open case after destroy" 0 admin show "$B" --json
expect_in "$T/out" "the open case keeps its mapping" '"mapping_done"'
check "destroy again" 0 admin archive destroy
[ -s "$T/out" ] && not_ok "a second destroy finds nothing" "$(cat "$T/out")" || ok "a second destroy finds nothing"
check "mappe check after destroy" 0 admin check
check "the audit chain holds after block, export and destroy" 0 admin audit verify
printf 'retention.block_after = 365\n' >"$MAPPE_CONF"
printf '%s' '{"status": "closed", "caseworker": "cora", "mapping_done": "2024-05-01"}' >"$T/d.json"
MAPPE_TODAY= check "another closed case" 0 admin add <"$T/d.json"
D=$(cat "$T/out")
check "with nothing configured disposable" 0 admin archive destroy
expect_in "$T/err" "destroy says nothing is disposable" "nothing is disposable"
check "the case then" 0 admin show "$D" --json
expect_in "$T/out" "keeps its mapping" '"mapping_done"'
printf 'retention.block_after = 365\nretention.dispose = settlement:1\n' >"$MAPPE_CONF"
check "a preserved category cannot be made disposable" 0 admin archive destroy
expect_in "$T/err" "a bad plan is named" "retention.dispose"
check "the case then" 0 admin show "$D" --json
expect_in "$T/out" "still keeps its mapping" '"mapping_done"'
printf 'retention.block_after = never\n' >"$MAPPE_CONF"
check "with blocking off, a new closed case opens for its caseworker" 0 cora show "$D"
check "a marked case stays blocked" 2 cora show "$A"

echo "1..$_n"
