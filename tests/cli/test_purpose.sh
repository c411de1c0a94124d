#!/usr/bin/env bash
# A purpose the user picks where the law wants one (issue 12): a caseworker
# or health worker who opens a case outside their own caseload says why
# (show --purpose CODE, or the screens' menu), and the entry holds the fixed
# code, never free text; the access report and the outside-caseload review
# show it translated. Their own cases, and leads, are not asked.
. "$(dirname "$0")/lib.sh"
export TZ=Europe/Oslo MAPPE_TODAY=2026-12-01
at() { date -d "$1" +%s; }

new_store || not_ok "create the store"
enrol kari caseworker "kari passphrase 1" || not_ok "enrol kari"
enrol ola caseworker "ola passphrase 1" || not_ok "enrol ola"
enrol helga health "helga passphrase 1" || not_ok "enrol helga"
enrol liv lead "liv passphrase 1" || not_ok "enrol liv"
kari() { as kari "kari passphrase 1" "$@"; }
helga() { as helga "helga passphrase 1" "$@"; }
liv() { as liv "liv passphrase 1" "$@"; }
add() { printf '%s' "$1" | admin add >/dev/null 2>&1 || not_ok "add $1"; }
export MAPPE_NOW=$(at "2026-11-30 16:00")
add '{"given_name": "Zqxen", "family_name": "Testesen", "caseworker": "kari"}'
add '{"given_name": "Zqxto", "family_name": "Testesen", "caseworker": "ola"}'
add '{"given_name": "Zqxtre", "family_name": "Testesen"}'

export MAPPE_NOW=$(at "2026-12-01 09:00")
check "kari opens her own case" 0 kari show 1
expect_not_in "$T/err" "her own: no reminder" "--purpose"
check "kari opens ola's case without a purpose" 0 kari show 2
expect_in "$T/out" "it is shown" "Zqxto"
expect_in "$T/err" "a line asks for the purpose" "--purpose"
export MAPPE_NOW=$(at "2026-12-01 09:30")
check "kari opens ola's case standing in for him" 0 kari show 2 --purpose standing-in --json
expect_not_in "$T/err" "no reminder with one" "--purpose"
check "kari opens nobody's case on duty" 0 kari show 3 --purpose duty
check "helga opens kari's case, asked by kari" 0 helga show 1 --purpose asked
check "the purpose given to one's own case changes nothing" 0 kari show 1 --purpose other
check "the lead is not asked" 0 liv show 2
expect_not_in "$T/err" "no reminder for a lead" "--purpose"
check "a purpose that is not one of the codes" 1 kari show 2 --purpose "because I wanted to"
expect_in "$T/err" "the codes are named" "standing-in, duty, asked, contacted or other"
check "nothing is logged for it" 0 admin audit --user kari --json
[ "$(grep -c '"action": "open"' "$T/out")" = 5 ] && ok "kari's five openings, not six" ||
	not_ok "kari's five openings, not six" "$(cat "$T/out")"
check "--purpose is show's alone" 1 kari report deadlines --purpose duty

export MAPPE_NOW=$(at "2026-12-01 15:00")
check "the entries" 0 admin audit --json --action open
/usr/bin/python3 - "$T/out" <<'PY' && ok "each entry holds the code it was given" || not_ok "each entry holds the code it was given" "$(cat "$T/out")"
import json, sys
rows = [json.loads(l) for l in open(sys.argv[1])]
got = [(r["user"], r["_id"], r["purpose"]) for r in rows]
want = [("kari", 1, "mappe show"), ("kari", 2, "mappe show"),
        ("kari", 2, "outside: standing-in"), ("kari", 3, "outside: duty"),
        ("helga", 1, "outside: asked"), ("kari", 1, "mappe show"), ("liv", 2, "mappe show")]
assert got == want, got
PY
check "the access report of case 2" 0 liv report access 2 --json
/usr/bin/python3 - "$T/out" <<'PY' && ok "the access report says why, for people" || not_ok "the access report says why, for people" "$(cat "$T/out")"
import json, sys
rows = [json.loads(l) for l in open(sys.argv[1])]
p = [r["purpose"] for r in rows if r["action"] == "open"]
assert p == ["mappe show", "outside caseload: Standing in for the case's caseworker", "mappe show"], p
PY
check "the outside-caseload review" 0 liv report outside-caseload
expect_in "$T/out" "on duty, on nobody's case" "outside caseload: On duty"
expect_in "$T/out" "standing in" "outside caseload: Standing in"
check "the review as JSON keeps the code" 0 liv report outside-caseload --json
expect_in "$T/out" "the stable code" '"purpose": "outside: duty"'
echo "1..$_n"
