#!/usr/bin/env bash
# The leader's year (issue 11): mappe target set / target list record IMDi's
# request and the council's decision with every revision kept; mappe report
# ledger counts the year's people settled by agreement against the latest
# decision, family reunification apart and unaccompanied minors inside.
. "$(dirname "$0")/lib.sh"
top=$(cd "$(dirname "$0")/../.." && pwd)
export MAPPE_TODAY=2026-12-01

new_store || not_ok "create the store"
enrol kari caseworker "kari passphrase 1" || not_ok "enrol kari"
enrol lise lead "lise passphrase 1" || not_ok "enrol lise"
kari() { as kari "kari passphrase 1" "$@"; }
lise() { as lise "lise passphrase 1" "$@"; }

# A few cases: settled by agreement across the turn of the year, a minor
# alone, a family reunified (flagged by agreement too: still apart).
add() { echo "$1" | admin add >/dev/null 2>&1 || not_ok "add a case" "$1"; }
add '{"given_name": "Zqa", "family_name": "Ledger", "settled_by_agreement": true, "settlement_date": "2025-12-31", "settlement_origin": "reception_centre"}'
add '{"given_name": "Zqb", "family_name": "Ledger", "settled_by_agreement": true, "settlement_date": "2026-01-01", "settlement_origin": "resettlement"}'
add '{"given_name": "Zqc", "family_name": "Ledger", "settled_by_agreement": true, "settlement_date": "2026-03-15", "unaccompanied_minor": true, "birth_date": "2010-05-05"}'
add '{"given_name": "Zqd", "family_name": "Ledger", "settled_by_agreement": true, "settlement_date": "2026-12-31", "settlement_origin": "outside_reception"}'
add '{"given_name": "Zqe", "family_name": "Ledger", "settled_by_agreement": true, "family_reunification": true, "settlement_date": "2026-05-02"}'
add '{"given_name": "Zqf", "family_name": "Ledger", "settled_by_agreement": false, "settlement_date": "2026-05-02"}'

# Targets.
check "the first numbers need the decision" 1 lise target set 2026 --requested 25
expect_in "$T/err" "and say so" "--decided"
check "a count that is not a number" 1 lise target set 2026 --requested 25 --decided many
expect_in "$T/err" "names the option" "--decided"
check "a negative count" 1 lise target set 2026 --requested -3 --decided 18
expect_in "$T/err" "names that option" "--requested"
check "a year out of range" 1 lise target set 1999 --requested 25 --decided 18
check "a date that does not exist" 1 lise target set 2026 --requested 25 --decided 18 --date 30.02.2026
expect_in "$T/err" "names the date's option" "--date"
check "minors above the request" 1 lise target set 2026 --requested 25 --minors 26 --decided 18
check "an unknown body" 1 lise target set 2026 --requested 25 --decided 18 --body mayor
check "an option of another command" 1 lise target set 2026 --requested 25 --decided 18 --all
check "a caseworker may not set them" 2 kari target set 2026 --requested 25 --decided 18
check "nor list them" 2 kari target list
check "nor read the ledger" 2 kari report ledger
check "the first numbers" 0 lise target set 2026 --requested 25 --minors 5 --decided 18 --date 12.02.2026 --answer-by 2026-01-31
check "a revision gives what changes" 0 lise target set 2026 --decided 22 --date 2026-06-18 --body executive
check "last year's" 0 admin target set 2025 --requested 20 --decided 20 --date 2025-03-01
check "the history" 0 lise target list 2026
expect_in "$T/out" "the first version" "18"
expect_in "$T/out" "the revision, by its body" "executive committee"
check "every year as JSON Lines" 0 lise target list --json
/usr/bin/python3 - "$T/out" <<'PY' && ok "JSON Lines: every version, in order, the rest carried over" || not_ok "JSON Lines: every version, in order, the rest carried over"
import json, sys
rows = [json.loads(l) for l in open(sys.argv[1])]
assert [(r["year"], r["version"], r["decided"]) for r in rows] == [(2025, 1, 20), (2026, 1, 18), (2026, 2, 22)], rows
r = rows[2]
assert r["requested"] == 25 and r["minors"] == 5 and r["answer_by"] == "2026-01-31", r
assert r["date"] == "2026-06-18" and r["body"] == "executive" and r["by"] == "lise", r
assert rows[0]["by"] == "ada" and rows[0]["answer_by"] is None
PY

# The ledger.
check "the ledger as JSON" 0 lise report ledger --json
/usr/bin/python3 - "$T/out" <<'PY' && ok "the issue's keys and the counting rules" || not_ok "the issue's keys and the counting rules"
import json, sys
l = json.load(open(sys.argv[1]))
issue = ["year", "requested", "decided", "decided_history", "settled", "unaccompanied_minors",
         "family_reunification", "by_month"]
extra = ["minors_requested", "answer_by", "by_origin", "by_household",
         "family_reunification_by_month", "in_programme"]
assert sorted(l) == sorted(issue + extra), sorted(l)
assert l["year"] == 2026 and l["requested"] == 25 and l["decided"] == 22
assert l["decided_history"] == [{"date": "2026-02-12", "decided": 18, "body": "council"},
                                {"date": "2026-06-18", "decided": 22, "body": "executive"}]
assert l["settled"] == 3, l
assert l["unaccompanied_minors"] == 1 and l["family_reunification"] == 1
assert l["by_month"] == [1, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 1], l["by_month"]
assert l["family_reunification_by_month"][4] == 1
assert l["by_origin"] == {"reception_centre": 0, "resettlement": 1, "outside_reception": 1, "unknown": 1}
assert sum(l["by_household"].values()) == 3 and l["by_household"]["unaccompanied_minor"] == 1
assert l["minors_requested"] == 5 and l["answer_by"] == "2026-01-31"
PY
check "last year's ledger" 0 admin report ledger --year 2025 --json
/usr/bin/python3 -c 'import json,sys; l=json.load(open(sys.argv[1])); assert l["settled"] == 1 and l["by_month"][11] == 1 and l["decided"] == 20, l' "$T/out" &&
	ok "31 December counts in its own year" || not_ok "31 December counts in its own year"
check "a year with nothing recorded" 0 lise report ledger --year 2030 --json
/usr/bin/python3 -c 'import json,sys; l=json.load(open(sys.argv[1])); assert l["requested"] is None and l["decided"] is None and l["decided_history"] == [] and l["settled"] == 0, l' "$T/out" &&
	ok "none: null, not 0" || not_ok "none: null, not 0"
check "a bad year" 1 lise report ledger --year 20x6
expect_in "$T/err" "names --year" "--year"
check "--year is the ledger's" 1 lise report deadlines --year 2026
check "the text form" 0 lise report ledger
expect_in "$T/out" "the year" "2026"
expect_in "$T/out" "dates as ISO in English" "2026-06-18"
expect_in "$T/out" "the body" "executive committee"
# Numbers aligned: the settled count and the decision end in one column.
/usr/bin/python3 - "$T/out" <<'PY' && ok "numbers aligned in a column" || not_ok "numbers aligned in a column"
import re, sys
lines = [l.rstrip("\n") for l in open(sys.argv[1], encoding="utf-8")]
ends = set()
for l in lines[1:8]:
    m = re.match(r"^  (.+?)\s{2,}(\S+)(  .*)?$", l)
    assert m, l
    ends.add(len(l) - len(m.group(3) or ""))
assert len(ends) == 1, (ends, lines[1:8])
PY

# In Norwegian: dates as Norwegians write them; the words once the
# catalogue has them (the lead merges this branch's translations).
check "in Norwegian" 0 env -u LC_ALL -u LANGUAGE -u LC_MESSAGES LANG=nb_NO.UTF-8 "$MAPPE" --db "$DB" --user lise --passphrase-fd 3 report ledger 3<<<"lise passphrase 1"
expect_in "$T/out" "Norwegian dates" "18.06.2026"
if grep -q '^msgid "Settlement ledger %d' "$top/po/nb.po"; then
	expect_in "$T/out" "Norwegian words" "Bosettingsregnskap 2026"
	expect_in "$T/out" "the council" "formannskapet"
	/usr/bin/python3 - "$T/out" <<'PY' && ok "aligned in Norwegian too" || not_ok "aligned in Norwegian too"
import re, sys
lines = [l.rstrip("\n") for l in open(sys.argv[1], encoding="utf-8")]
ends = set()
for l in lines[1:8]:
    m = re.match(r"^  (.+?)\s{2,}(\S+)(  .*)?$", l)
    assert m, l
    ends.add(len(l) - len(m.group(3) or ""))
assert len(ends) == 1, (ends, lines[1:8])
PY
else
	echo "ok $((_n + 1)) - Norwegian words # SKIP po/nb.po has no translation yet"
	_n=$((_n + 1))
fi
check "target list in Norwegian" 0 lise --lang nb target list 2026
expect_in "$T/out" "Norwegian dates in the history" "12.02.2026"
check "help names the options" 0 "$MAPPE" target --help
expect_in "$T/out" "--answer-by" "--answer-by"

# The demo: this year's numbers with a revision and last year's, set
# against invented cases settled over the year, a few reunified and a few
# minors alone.
printf 'q\n' >"$T/quit.keys"
check "mappe demo" 0 "$MAPPE" --db "$T/demo" --user ada demo --script "$T/quit.keys"
demo() { "$MAPPE" --db "$T/demo" --user ada --passphrase-fd 3 "$@" 3<<<"mappe demo store"; }
check "the demo's targets" 0 demo target list --json
/usr/bin/python3 - "$T/out" <<'PY' && ok "this year revised once, last year's too" || not_ok "this year revised once, last year's too"
import json, sys
rows = [json.loads(l) for l in open(sys.argv[1])]
assert [(r["year"], r["version"]) for r in rows] == [(2025, 1), (2026, 1), (2026, 2)], rows
assert rows[2]["decided"] > rows[1]["decided"] and rows[2]["body"] == "executive"
PY
check "the demo's ledger" 0 demo report ledger --json
/usr/bin/python3 - "$T/out" <<'PY' && ok "numbers for the dashboard" || not_ok "numbers for the dashboard"
import json, sys
l = json.load(open(sys.argv[1]))
assert l["settled"] > 20 and l["family_reunification"] > 0 and l["unaccompanied_minors"] > 0, l
assert sum(1 for m in l["by_month"] if m) >= 8, l["by_month"]
assert all(l["by_origin"][o] > 0 for o in ("reception_centre", "resettlement", "outside_reception")), l
assert l["in_programme"] > 0
PY

echo "1..$_n"
