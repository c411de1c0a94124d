#!/usr/bin/env bash
# mappe report deadlines (issue 10): JSON Lines of the caseload's deadlines
# that are overdue or due within 7 days, each from its own clock's date;
# health deadlines only for those who hold the health class; --all for leads
# and administrators. MAPPE_TODAY fixes the day.
. "$(dirname "$0")/lib.sh"
export MAPPE_TODAY=2026-12-01

new_store || not_ok "create the store"
enrol kari caseworker "kari passphrase 1" || not_ok "enrol kari"
enrol liv lead "liv passphrase 1" || not_ok "enrol liv"
kari() { as kari "kari passphrase 1" "$@"; }
add() { printf '%s' "$1" | admin add >/dev/null || not_ok "add $1"; }

# 1: arrived 20 November: the TB examination is due 4 December (soon).
add '{"given_name": "Zqxtb", "family_name": "Testesen", "caseworker": "kari", "arrival_norway": "2026-11-20", "tb_status": "due"}'
# 2: settled by agreement 15 August: the decision was due 15 November (overdue), mapping too.
add '{"given_name": "Zqxvedtak", "family_name": "Testesen", "caseworker": "kari", "status": "settled", "settlement_date": "2026-08-15", "settled_by_agreement": true}'
# 3: settled 10 October: due 10 January, later than a week.
add '{"given_name": "Zqxlater", "family_name": "Testesen", "caseworker": "kari", "status": "settled", "settlement_date": "2026-10-10", "settled_by_agreement": true}'
# 4: an admin's own case: overdue, but not in kari's caseload.
add '{"given_name": "Zqxother", "family_name": "Testesen", "status": "settled", "settlement_date": "2026-07-01", "settled_by_agreement": true}'
# 5: 56 when the permit was granted: the programme's deadlines are not for him.
add '{"given_name": "Zqxold", "family_name": "Testesen", "caseworker": "kari", "birth_date": "1969-01-01", "permit_granted": "2025-06-01", "status": "settled", "settlement_date": "2026-08-15", "settled_by_agreement": true}'

check "kari's deadlines as JSON" 0 kari report deadlines --json
/usr/bin/python3 - "$T/out" <<'PY' && ok "her caseload: overdue and soon, soonest first" || not_ok "her caseload: overdue and soon, soonest first" "$(cat "$T/out")"
import json, sys
rows = [json.loads(l) for l in open(sys.argv[1])]
got = [(r["_id"], r["deadline"], r["due"], r["overdue"], r["soon"]) for r in rows]
want = [(2, "mapping", "2026-11-15", True, False),
        (2, "programme_decision", "2026-11-15", True, False)]
assert got == want, got
assert all(set(r) == {"_id", "deadline", "due", "overdue", "soon"} for r in rows)
PY
expect_not_in "$T/out" "no names in the JSON" "Zqx"
check "an administrator sees the health deadline too" 0 admin report deadlines --all --json
expect_in "$T/out" "the TB examination, soon" '{"_id": 1, "deadline": "tb_screening", "due": "2026-12-04", "overdue": false, "soon": true}'
expect_in "$T/out" "and the other caseload's" '"_id": 4, "deadline": "programme_decision", "due": "2026-10-01", "overdue": true'
expect_not_in "$T/out" "not the case due later" '"_id": 3'
expect_not_in "$T/out" "nor the man outside the age group" '"_id": 5'
check "kari may not see every caseload" 2 kari report deadlines --all
check "a lead may" 0 as liv "liv passphrase 1" report deadlines --all
check "the text report, in Norwegian" 0 kari --lang nb report deadlines
expect_in "$T/out" "dates as Norwegians write them, with the person" "15.11.2026"
expect_in "$T/out" "labelled" "Vedtak om introduksjonsprogram"
expect_in "$T/out" "and named" "Zqxvedtak Testesen"
# The day moves: 4 December, the TB examination is due today (soon, not
# overdue); 5 December it is overdue.
MAPPE_TODAY=2026-12-04 check "on the due day" 0 admin report deadlines --all --json
expect_in "$T/out" "soon, not overdue" '"deadline": "tb_screening", "due": "2026-12-04", "overdue": false, "soon": true'
MAPPE_TODAY=2026-12-05 check "the day after" 0 admin report deadlines --all --json
expect_in "$T/out" "overdue" '"deadline": "tb_screening", "due": "2026-12-04", "overdue": true, "soon": false'
# Met: the decision recorded, with its mapping.
printf '{"mapping_done": "2026-11-01", "programme_decision": "2026-11-10"}' | admin update 2 >/dev/null 2>&1
check "after the decision" 0 kari report deadlines --json
expect_not_in "$T/out" "the decision is met" '"deadline": "programme_decision"'
expect_in "$T/out" "and the plan and contract are due at it" '"_id": 2, "deadline": "plan_contract", "due": "2026-11-10", "overdue": true'
echo "1..$_n"
