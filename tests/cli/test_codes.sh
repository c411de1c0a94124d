#!/usr/bin/env bash
# Code tables IMDi owns (issue 10): mappe codes list shows the version in
# force, the provisional default until an administrator loads IMDi's table
# with mappe codes load FILE; a load is all or nothing and names the bad
# line; the tables are sealed, so an edit in the file is caught, and key
# rotation seals them again.
. "$(dirname "$0")/lib.sh"

new_store || not_ok "create the store"
enrol kari caseworker "kari passphrase 1" || not_ok "enrol kari"
kari() { as kari "kari passphrase 1" "$@"; }

check "codes list before any load" 0 admin codes list
expect_in "$T/out" "the default says it is provisional" "provisional, mappe's default"
expect_in "$T/out" "and lists its end reasons" "goal_reached"
expect_in "$T/out" "and its main activities" "work_full_time"
check "a caseworker may list them" 0 kari --lang nb codes list end_reason
expect_in "$T/out" "in Norwegian" "Fullført: nådd sluttmålet"
expect_not_in "$T/out" "one table only" "work_full_time"
check "--json" 0 admin codes list --json
if /usr/bin/python3 - "$T/out" <<'PY'; then ok "one JSON object per table, provisional"; else not_ok "one JSON object per table, provisional"; fi
import json, sys
rows = [json.loads(l) for l in open(sys.argv[1])]
assert [r["table"] for r in rows] == ["end_reason", "main_activity"]
assert all(r["provisional"] and r["loaded"] is None for r in rows)
assert any(c["code"] == "goal_reached" for c in rows[0]["codes"])
PY
check "an unknown table" 1 admin codes list no_such_table

# A file as IMDi might send it, saved by Norwegian Excel: BOM, semicolons.
printf '\xef\xbb\xbftable;version;code;label_nb;label_en\r\n' >"$T/imdi.csv"
printf 'end_reason;2027-1;completed;Fullført program;Completed\r\n' >>"$T/imdi.csv"
printf 'end_reason;2027-1;broken_off;Avbrutt;Broken off\r\n' >>"$T/imdi.csv"
printf 'end_reason;2027-1;moved;"Flyttet; annen kommune";Moved\r\n' >>"$T/imdi.csv"
check "a caseworker may not load" 2 kari codes load "$T/imdi.csv"
check "an administrator loads IMDi's table" 0 admin codes load "$T/imdi.csv"
expect_in "$T/err" "and is told what changed" "end_reason: version 2027-1 loaded, 3 codes"
check "list after the load" 0 admin --lang nb codes list
expect_in "$T/out" "the version in force, and who loaded it" "versjon 2027-1, lastet inn"
expect_in "$T/out" "by ada" " av ada"
expect_in "$T/out" "a quoted label with the delimiter" "Flyttet; annen kommune"
expect_not_in "$T/out" "the default is gone from end_reason" "goal_reached"
expect_in "$T/out" "main_activity stays provisional" "main_activity (Hovedaktivitet ved avslutning): foreløpig"
check "the same file again" 0 admin codes load "$T/imdi.csv"
expect_in "$T/err" "changes nothing, and says so" "loaded already; nothing changed"

# The same version with other rows: a table is never changed in place.
sed 's/Avbrutt/Avbrutt av deltaker/' "$T/imdi.csv" >"$T/changed.csv"
check "a changed table under the same version" 5 admin codes load "$T/changed.csv"
expect_in "$T/err" "names the file and the table's first line" "changed.csv:2: end_reason: this version is loaded already"

# Bad lines: all or nothing, the line named, the store unchanged.
printf 'table,version,code,label_nb,label_en\nmain_activity,v2,work,Arbeid,Work\nend_reasons,v2,x,X,X\n' >"$T/bad1.csv"
check "an unknown table on line 3" 5 admin codes load "$T/bad1.csv"
expect_in "$T/err" "named with its line" "bad1.csv:3: no code table 'end_reasons'"
printf 'table,version,code,label_nb,label_en\nend_reason,v2,Goal Reached,Nådd,Reached\n' >"$T/bad2.csv"
check "a code with capitals and a space" 5 admin codes load "$T/bad2.csv"
expect_in "$T/err" "says what a code may hold" "bad2.csv:2: code: 1 to 32 of a-z, 0-9 and '_'"
printf 'table,version,code,label_nb,label_en\nend_reason,v2,a,A,A\nend_reason,v3,b,B,B\n' >"$T/bad3.csv"
check "two versions of one table in one file" 5 admin codes load "$T/bad3.csv"
expect_in "$T/err" "refused" "bad3.csv:3: end_reason: one file holds one version of a table"
printf 'table,version,code,label_nb\nend_reason,v2,a,A\n' >"$T/bad4.csv"
check "a missing column" 5 admin codes load "$T/bad4.csv"
expect_in "$T/err" "names it" "no column 'label_en'"
printf 'table,version,code,label_nb,label_en\nend_reason,v2,a,A,A\nend_reason,v2,a,B,B\n' >"$T/bad5.csv"
check "a code twice" 5 admin codes load "$T/bad5.csv"
printf 'table,version,code,label_nb,label_en\nend_reason,v2,a,,A\n' >"$T/bad6.csv"
check "an empty label" 5 admin codes load "$T/bad6.csv"
expect_in "$T/err" "names the column" "bad6.csv:2: column 4:"
check "after the refusals" 0 admin codes list --json
/usr/bin/python3 - "$T/out" <<'PY' && ok "nothing of them was written" || not_ok "nothing of them was written"
import json, sys
rows = {r["table"]: r for r in map(json.loads, open(sys.argv[1]))}
assert rows["end_reason"]["version"] == "2027-1", rows["end_reason"]["version"]
assert rows["main_activity"]["provisional"]
PY

# A newer version takes over.
printf 'table,version,code,label_nb,label_en\nend_reason,2027-2,completed,Fullført,Completed\n' >"$T/v2.csv"
check "a newer version" 0 admin codes load "$T/v2.csv"
check "is the one in force" 0 admin codes list end_reason --json
expect_in "$T/out" "2027-2" '"version":"2027-2"'

# The record class rotates: the tables are sealed again and still read.
check "rotate the record class" 0 admin keys rotate --class record
check "the tables still authenticate" 0 kari codes list end_reason
expect_in "$T/out" "after the rotation" "version 2027-2"

# An edit in the file: the label changed by a byte.
/usr/bin/python3 - "$DB/data.mdb" <<'PY' || not_ok "tamper with the stored table"
import sys
p = sys.argv[1]
b = bytearray(open(p, "rb").read())
# Every copy (LMDB keeps freed pages until they are reused).
i, n = b.find("Fullført".encode()), 0
while i >= 0:
    b[i] ^= 0x01
    n += 1
    i = b.find("Fullført".encode(), i + 1)
assert n
open(p, "wb").write(b)
PY
check "a table changed in the file" 3 kari codes list end_reason
expect_in "$T/err" "does not authenticate" "code table end_reason: the stored table does not authenticate"
echo "1..$_n"
