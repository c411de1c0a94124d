#!/usr/bin/env bash
# Reading the audit log (issue 12): mappe audit with its filters, the access
# report of one case for the person it is about (dates and purposes, no
# names; names for an administrator with --names) and the accesses outside
# each caseworker's caseload, on a scripted day of three users: the
# caseworker kari opens her own cases and one of ola's, the health worker
# helga opens one of kari's, the lead liv one of ola's. MAPPE_NOW fixes each
# command's clock, TZ the local time the reports show.
. "$(dirname "$0")/lib.sh"
export TZ=Europe/Oslo MAPPE_TODAY=2026-12-01
at() { date -d "$1" +%s; } # local time -> unix seconds

new_store || not_ok "create the store"
enrol kari caseworker "kari passphrase 1" || not_ok "enrol kari"
enrol ola caseworker "ola passphrase 1" || not_ok "enrol ola"
enrol helga health "helga passphrase 1" || not_ok "enrol helga"
enrol liv lead "liv passphrase 1" || not_ok "enrol liv"
kari() { as kari "kari passphrase 1" "$@"; }
helga() { as helga "helga passphrase 1" "$@"; }
liv() { as liv "liv passphrase 1" "$@"; }
add() { printf '%s' "$1" | admin add >/dev/null 2>&1 || not_ok "add $1"; }

# The evening before: the administrator registers three cases.
export MAPPE_NOW=$(at "2026-11-30 16:00")
add '{"given_name": "Zqxen", "family_name": "Testesen", "caseworker": "kari"}'
add '{"given_name": "Zqxto", "family_name": "Testesen", "caseworker": "kari"}'
add '{"given_name": "Zqxtre", "family_name": "Testesen", "caseworker": "ola"}'
# The day.
MAPPE_NOW=$(at "2026-12-01 09:00") kari show 1 >/dev/null 2>&1 || not_ok "kari opens case 1"
MAPPE_NOW=$(at "2026-12-01 09:10") kari show 2 >/dev/null 2>&1 || not_ok "kari opens case 2"
MAPPE_NOW=$(at "2026-12-01 09:20") kari note add 1 <<<"Zqx samtale" >/dev/null 2>&1 ||
	not_ok "kari writes a note on case 1"
MAPPE_NOW=$(at "2026-12-01 10:30") kari show 3 >/dev/null 2>&1 || not_ok "kari opens ola's case 3"
MAPPE_NOW=$(at "2026-12-01 11:00") helga show 1 >/dev/null 2>&1 || not_ok "helga opens case 1"
MAPPE_NOW=$(at "2026-12-01 13:15") liv show 3 >/dev/null 2>&1 || not_ok "liv opens case 3"
export MAPPE_NOW=$(at "2026-12-01 15:00")

# ---- the access report ------------------------------------------------------
check "the lead's access report of case 1, as JSON" 0 liv report access 1 --json
cp "$T/out" "$T/access1.json"
/usr/bin/python3 - "$T/out" <<'PY' && ok "case 1: exactly its accesses, with dates and purposes" || not_ok "case 1: exactly its accesses, with dates and purposes" "$(cat "$T/out")"
import json, sys
rows = [json.loads(l) for l in open(sys.argv[1])]
got = [(r["date"], r["time"], r["action"]) for r in rows]
want = [("2026-11-30", "16:00", "create"), ("2026-12-01", "09:00", "open"),
        ("2026-12-01", "09:20", "note"), ("2026-12-01", "11:00", "open")]
assert got == want, got
assert [r["purpose"] for r in rows] == ["mappe add", "mappe show", "mappe note", "mappe show"], rows
assert all(set(r) == {"date", "time", "at", "action", "what", "purpose", "classes"} for r in rows), rows
assert rows[1]["at"] == "2026-12-01T09:00:00+01:00", rows[1]["at"]
assert "notes" in rows[2]["classes"], rows[2]
PY
for who in kari helga ada liv; do
	expect_not_in "$T/access1.json" "no staff name in it ($who)" "$who"
done
check "the text report, in English" 0 liv report access 1
expect_in "$T/out" "it says what it is" "Access report for case 1"
expect_in "$T/out" "the note, with its date and time" "2026-12-01  09:20  Note added"
expect_in "$T/out" "and how many (the JSON report's read among them)" "5 accesses."
expect_not_in "$T/out" "no names in the text" "kari"
check "in Norwegian" 0 liv --lang nb report access 1
expect_in "$T/out" "dates as Norwegians write them" "01.12.2026  09:00"
expect_in "$T/out" "the kinds of information in Norwegian" "identitet"
check "an administrator asks for the names" 0 admin report access 1 --names --json
/usr/bin/python3 - "$T/out" <<'PY' && ok "with --names: who, and the lead's report read since" || not_ok "with --names: who, and the lead's report read since" "$(cat "$T/out")"
import json, sys
rows = [json.loads(l) for l in open(sys.argv[1])]
got = [(r["time"], r["action"], r["user"]) for r in rows]
assert got[:4] == [("16:00", "create", "ada"), ("09:00", "open", "kari"),
                   ("09:20", "note", "kari"), ("11:00", "open", "helga")], got
# The three reports liv read, each logged on the case.
assert got[4:] == [("15:00", "audit-read", "liv")] * 3, got
assert rows[4]["purpose"] == "access report", rows[4]
PY
check "a lead may not ask for names" 2 liv report access 1 --names
expect_in "$T/err" "said why" "--names"
check "a caseworker may not read an access report" 2 kari report access 1
check "case 3's report" 0 liv report access 3 --json
/usr/bin/python3 - "$T/out" <<'PY' && ok "case 3: registered, kari's and liv's opening" || not_ok "case 3: registered, kari's and liv's opening" "$(cat "$T/out")"
import json, sys
rows = [json.loads(l) for l in open(sys.argv[1])]
assert [(r["time"], r["action"]) for r in rows] == [("16:00", "create"), ("10:30", "open"), ("13:15", "open")], rows
PY
check "a case that does not exist" 5 liv report access 99
expect_in "$T/err" "says so, as show does" "no case 99"
expect_not_in "$T/out" "not as a case nobody touched" "No access to this case is recorded."
check "a bad id" 1 liv report access x
check "an option of another report" 1 liv report access 1 --since 2026-12-01

# ---- outside the caseload ---------------------------------------------------
check "the outside-caseload report, as JSON" 0 liv report outside-caseload --json
/usr/bin/python3 - "$T/out" <<'PY' && ok "exactly kari's opening of ola's case" || not_ok "exactly kari's opening of ola's case" "$(cat "$T/out")"
import json, sys
rows = [json.loads(l) for l in open(sys.argv[1])]
assert [r["user"] for r in rows] == ["kari"], rows
k = rows[0]
assert k["role"] == "caseworker" and k["outside"] == 1, k
assert "unknown" not in k and all("handed_later" not in a for a in k["accesses"]), k
a = k["accesses"]
assert len(a) == 1, a
assert (a[0]["_id"], a[0]["action"], a[0]["caseworker"], a[0]["time"]) == \
    (3, "open", "ola", "2026-12-01T10:30:00+01:00"), a
PY
check "the text, grouped by user" 0 liv report outside-caseload
expect_in "$T/out" "kari and how many" "kari (caseworker): 1 access outside the caseload"
expect_in "$T/out" "the access" "2026-12-01 10:30  Opened                case 3      caseworker ola"
expect_not_in "$T/out" "not the health worker" "helga"
expect_not_in "$T/out" "nor the lead" "liv"
check "since today: the same" 0 liv report outside-caseload --since 01.12.2026 --json
expect_in "$T/out" "kari's" '"user": "kari"'
check "since tomorrow: none" 0 liv report outside-caseload --since 2026-12-02
expect_in "$T/err" "said so" "no access outside a caseload is recorded"
# Case 3 is handed to kari at 15:30: her opening of it at 10:30 was still
# outside her caseload then (it was not hers yet): the entry names ola, whose
# case it was when it was written.
printf '{"caseworker": "kari"}' | MAPPE_NOW=$(at "2026-12-01 15:30") admin update 3 >/dev/null 2>&1 ||
	not_ok "hand case 3 to kari"
export MAPPE_NOW=$(at "2026-12-01 15:45")
check "after case 3 was handed to kari" 0 liv report outside-caseload --json
/usr/bin/python3 - "$T/out" <<'PY' && ok "her earlier opening still counts, as ola's case" || not_ok "her earlier opening still counts, as ola's case" "$(cat "$T/out")"
import json, sys
rows = [json.loads(l) for l in open(sys.argv[1])]
assert [r["user"] for r in rows] == ["kari"], rows
a = rows[0]["accesses"]
assert len(a) == 1 and a[0]["_id"] == 3 and a[0]["caseworker"] == "ola", a
PY
check "a caseworker may not review the log" 2 kari report outside-caseload

# ---- mappe audit --------------------------------------------------------------
check "the whole log, as JSON" 0 liv audit --json
/usr/bin/python3 - "$T/out" <<'PY' && ok "every entry parses, in order, with no field value" || not_ok "every entry parses, in order, with no field value" "$(head -c 2000 "$T/out")"
import json, sys
rows = [json.loads(l) for l in open(sys.argv[1])]
seqs = [r["seq"] for r in rows]
assert seqs == sorted(seqs) and len(set(seqs)) == len(seqs), seqs
text = open(sys.argv[1]).read()
assert "Zqx" not in text, "a field value in the log"
# Its own read is the last entry.
assert rows[-1]["action"] == "audit-read" and rows[-1]["user"] == "liv" and rows[-1]["purpose"] == "mappe audit", rows[-1]
PY
check "--case 3" 0 liv audit --case 3 --json
/usr/bin/python3 - "$T/out" <<'PY' && ok "--case: only case 3's entries" || not_ok "--case: only case 3's entries" "$(cat "$T/out")"
import json, sys
rows = [json.loads(l) for l in open(sys.argv[1])]
assert rows and all(r.get("_id") == 3 for r in rows), rows
acts = [(r["user"], r["action"]) for r in rows]
assert ("kari", "open") in acts and ("liv", "open") in acts and ("ada", "create") in acts, acts
PY
check "--user kari (after the command: whose entries)" 0 liv audit --user kari --json
/usr/bin/python3 - "$T/out" <<'PY' && ok "--user: only kari's" || not_ok "--user: only kari's" "$(cat "$T/out")"
import json, sys
rows = [json.loads(l) for l in open(sys.argv[1])]
assert rows and all(r["user"] == "kari" for r in rows), rows
opens = [r["_id"] for r in rows if r["action"] == "open"]
assert opens == [1, 2, 3], opens
PY
check "--action note" 0 liv audit --action note --json
/usr/bin/python3 - "$T/out" <<'PY' && ok "--action: the one note" || not_ok "--action: the one note" "$(cat "$T/out")"
import json, sys
rows = [json.loads(l) for l in open(sys.argv[1])]
assert [(r["user"], r["action"], r["_id"]) for r in rows] == [("kari", "note", 1)], rows
PY
check "--since 2026-12-01" 0 liv audit --since 2026-12-01 --action create --json
expect_not_in "$T/out" "--since: not the evening before's" '"action": "create"'
check "--since 2026-11-30" 0 liv audit --since 30.11.2026 --action create --json
[ "$(grep -c '"action": "create"' "$T/out")" = 3 ] && ok "--since: the three registered the evening before" ||
	not_ok "--since: the three registered the evening before" "$(cat "$T/out")"
check "the filters together" 0 liv audit --case 1 --user kari --since 2026-12-01 --action open --json
[ "$(wc -l <"$T/out")" = 1 ] && grep -q '"time": "2026-12-01T09:00:00+01:00", "user": "kari", "action": "open", "_id": 1' "$T/out" &&
	ok "together: kari's one opening of case 1" || not_ok "together: kari's one opening of case 1" "$(cat "$T/out")"
check "the table" 0 admin audit --user kari --action open
expect_in "$T/out" "a heading" "Purpose"
expect_in "$T/out" "local time" "2026-12-01 10:30  kari          open           3"
check "an unknown action" 1 liv audit --action peek
check "a bad date" 1 liv audit --since 2026-13-01
check "a caseworker may not read the log" 2 kari audit
check "nor a health worker" 2 helga audit
# The reads are in the log too.
check "the reads of the log, read" 0 admin audit --action audit-read --json
/usr/bin/python3 - "$T/out" <<'PY' && ok "each read logged, with its purpose" || not_ok "each read logged, with its purpose" "$(cat "$T/out")"
import json, sys
rows = [json.loads(l) for l in open(sys.argv[1])]
purposes = {r["purpose"] for r in rows}
assert {"access report", "outside-caseload report", "mappe audit"} <= purposes, purposes
assert any(r["purpose"] == "access report" and r.get("_id") == 3 for r in rows), rows
PY
echo "1..$_n"
