#!/usr/bin/env bash
# mappe report nir (issue 11): the registrable events not yet marked as
# registered in NIR (domain-rules.md 3.1), each with its two-month deadline
# and NIR's yearly close at the end of February; leads and administrators;
# text grouped by case in both languages, JSON Lines. MAPPE_TODAY fixes the day.
. "$(dirname "$0")/lib.sh"
export MAPPE_TODAY=2026-12-01

new_store || not_ok "create the store"
enrol kari caseworker "kari passphrase 1" || not_ok "enrol kari"
enrol liv lead "liv passphrase 1" || not_ok "enrol liv"
kari() { as kari "kari passphrase 1" "$@"; }
liv() { as liv "liv passphrase 1" "$@"; }
add() { printf '%s' "$1" | admin add >/dev/null || not_ok "add $1"; }

# 1: decided and mapped in September, started in October; brought up to date
# in NIR on 20 September: the start alone is not registered.
add '{"given_name": "Zqxstart", "family_name": "Testesen", "caseworker": "kari", "status": "in_programme", "mapping_done": "2026-09-01", "programme_decision": "2026-09-14", "programme_start": "2026-10-05", "nir_registered": "2026-09-20"}'
# 2: nothing in NIR yet: the mapping and the decision (overdue), and a leave
# decided on 31 October, due on 31 December.
add '{"given_name": "Zqxnone", "family_name": "Testesen", "caseworker": "kari", "status": "on_leave", "mapping_done": "2026-08-01", "programme_decision": "2026-08-20", "leave": [{"kind": "care", "decision_date": "2026-10-31", "from": "2026-11-01", "to": "2026-11-30"}]}'
# 3: every event registered.
add '{"given_name": "Zqxdone", "family_name": "Testesen", "caseworker": "kari", "status": "in_programme", "mapping_done": "2026-05-01", "programme_decision": "2026-05-10", "nir_registered": "2026-06-01"}'
# 4: ended on 31 October without an end reason in NIR; the rest registered.
add '{"given_name": "Zqxend", "family_name": "Testesen", "status": "in_programme", "mapping_done": "2025-01-10", "programme_decision": "2025-01-20", "nir_registered": "2025-02-01"}'
printf '{"ended": "2026-10-31", "end_reason": "goal_reached", "main_activity_at_end": "work_full_time", "status": "completed"}' | admin update 4 >"$T/upd" 2>&1 || not_ok "end case 4" "$(cat "$T/upd")"

check "the events as JSON" 0 liv report nir --json
/usr/bin/python3 - "$T/out" <<'PY' && ok "those not registered, by due, with the close" || not_ok "those not registered, by due, with the close" "$(cat "$T/out")"
import json, sys
rows = [json.loads(l) for l in open(sys.argv[1])]
got = [(r["_id"], r["event"], r["date"], r["due"], r["close"], r["overdue"]) for r in rows]
want = [(2, "mapping", "2026-08-01", "2026-10-01", "2027-02-28", True),
        (2, "programme_decision", "2026-08-20", "2026-10-20", "2027-02-28", True),
        (1, "programme_start", "2026-10-05", "2026-12-05", "2027-02-28", False),
        (2, "leave", "2026-10-31", "2026-12-31", "2027-02-28", False),
        (4, "end", "2026-10-31", "2026-12-31", "2027-02-28", False)]
assert got == want, got
for r in rows:
    assert set(r) - {"missing"} == {"_id", "event", "date", "due", "close", "overdue", "caseworker"}, r
assert [r["caseworker"] for r in rows] == ["kari", "kari", "kari", "kari", "ada"], rows
assert rows[4]["missing"] == [], rows[4]
PY
expect_not_in "$T/out" "no names in the JSON" "Zqx"
expect_not_in "$T/out" "nor the case registered" '"_id": 3'

check "the text report" 0 liv report nir
expect_in "$T/out" "a summary" "Events not registered in NIR: 5, overdue: 2, in cases: 3 (today 2026-12-01)."
expect_in "$T/out" "grouped by case, soonest first" "Case 2  Zqxnone Testesen  caseworker kari"
expect_in "$T/out" "each event with its dates" "  Programme decision            2026-08-20  2026-10-20  2027-02-28  overdue"
expect_in "$T/out" "a leave decision" "Leave decision"
expect_in "$T/out" "how to mark them" "| mappe update ID"
first=$(grep -n '^Case' "$T/out" | head -1)
case "$first" in *"Case 2 "*) ok "the case with the soonest due first" ;; *) not_ok "the case with the soonest due first" "$first" ;; esac

check "in Norwegian" 0 liv --lang nb report nir
expect_in "$T/out" "dates as Norwegians write them" "20.08.2026  20.10.2026  28.02.2027"
expect_in "$T/out" "overdue in Norwegian" "oversittet"
expect_in "$T/out" "labelled in Norwegian" "Vedtak om program"
expect_in "$T/out" "the case line" "  Zqxnone Testesen  saksbehandler kari"
expect_in "$T/out" "how to mark them, in Norwegian" "nir_registered"

# The end recorded without its main activity: said so.
printf '{"status": "closed"}' | admin update 4 >/dev/null 2>&1
check "an administrator may" 0 admin report nir --json
expect_in "$T/out" "the end is there" '"_id": 4, "event": "end"'

# Marked registered: the case drops out.
printf '{"nir_registered": "2026-12-01"}' | admin update 2 >"$T/upd" 2>&1 || not_ok "mark case 2" "$(cat "$T/upd")"
check "after marking case 2" 0 liv report nir --json
expect_not_in "$T/out" "case 2 is registered" '"_id": 2'
expect_in "$T/out" "case 1 still is not" '"_id": 1, "event": "programme_start"'

# A caseworker is refused; bad usage.
check "a caseworker may not" 2 kari report nir
expect_in "$T/err" "said why" "leads and administrators"
check "--all is not for it" 1 liv report nir --all
check "nor an argument" 1 liv report nir 12

# Nothing to register.
printf '{"nir_registered": "2026-12-01"}' | admin update 1 >/dev/null 2>&1
printf '{"nir_registered": "2026-12-01"}' | admin update 4 >/dev/null 2>&1
check "all registered" 0 liv report nir
expect_in "$T/err" "says so" "every registrable event is registered"
check "all registered, JSON" 0 liv report nir --json
[ -s "$T/out" ] && not_ok "no lines" "$(cat "$T/out")" || ok "no lines"
echo "1..$_n"
