#!/usr/bin/env bash
# What the law asks of a case as it is saved (issue 10): the steps between
# statuses, what a status needs (a programme cannot end without its end
# date, end reason and main activity), a programme decision needs a mapping,
# the programme's length within the rules of the group and regime, and codes
# from IMDi's table in force. Exit 5, naming the case and the field; nothing
# written. The same for update, import and the form (the store refuses).
. "$(dirname "$0")/lib.sh"

new_store || not_ok "create the store"
printf '{"given_name": "Zqxlife", "family_name": "Testesen", "birth_date": "1990-04-17"}' >"$T/new.json"
check "add a case" 0 admin add <"$T/new.json"
id=$(cat "$T/out")
upd() { printf '%s' "$1" | admin update "$id"; }
status() { admin show "$id" --json | /usr/bin/python3 -c 'import json,sys; print(json.load(sys.stdin)["status"])'; }

check "requested straight to in_programme" 5 upd '{"status": "in_programme"}'
expect_in "$T/err" "is not a step, and says which are" "status in_programme cannot follow requested"
[ "$(status)" = requested ] && ok "nothing was written" || not_ok "nothing was written"
check "requested to settled" 0 upd '{"status": "settled", "settlement_date": "2026-01-10"}'
check "a decision without a mapping" 5 upd '{"programme_decision": "2026-03-01"}'
expect_in "$T/err" "names the field and what it needs" "field programme_decision: a programme decision needs the competence mapping first"
check "with the mapping" 0 upd '{"mapping_done": "2026-02-20", "programme_decision": "2026-03-01"}'
check "settled to in_programme" 0 upd '{"status": "in_programme", "programme_start": "2026-03-15"}'
check "paused, as older files say" 0 upd '{"status": "paused"}'
[ "$(status)" = on_leave ] && ok "is on leave" || not_ok "is on leave" "$(status)"
check "back in programme" 0 upd '{"status": "in_programme"}'

# Length by group and regime.
check "30 months with upper secondary" 5 upd '{"has_upper_secondary": true, "programme_length_months": "30"}'
expect_in "$T/err" "names the limit and its rule" "field programme_length_months: at most 6 months for the person's group and regime (rule length_max_upper_secondary"
check "30 months without, aiming at upper secondary" 0 upd '{"has_upper_secondary": false, "end_goal": "complete_upper_secondary", "programme_length_months": "30"}'
check "an extension of 18 months" 5 upd '{"extension_months": "18"}'
expect_in "$T/err" "is more than a year" "field extension_months: at most 12 months"
check "under chapter 6A, 30 months" 5 upd '{"regime": "integreringsloven_6a"}'
expect_in "$T/err" "is too long there" "at most 12 months"
check "two months" 5 upd '{"programme_length_months": "2"}'
expect_in "$T/err" "is too short" "at least 3 months"

# The end: its date, reason and main activity.
check "completed with nothing said of the end" 5 upd '{"status": "completed"}'
expect_in "$T/err" "names what is missing" "status completed needs field ended"
check "completed with a date only" 5 upd '{"status": "completed", "ended": "2026-11-30"}'
expect_in "$T/err" "the end reason then" "status completed needs field end_reason"
check "a reason not in the table" 5 upd '{"status": "completed", "ended": "2026-11-30", "end_reason": "bored", "main_activity_at_end": "education"}'
expect_in "$T/err" "says which table" "field end_reason: not a code of the table end_reason in force"
check "in Norwegian" 5 eval 'printf "%s" "{\"status\": \"completed\"}" | admin --lang nb update "$id"'
expect_in "$T/err" "names the field" "status completed krever feltet ended"
check "completed with all three" 0 upd '{"status": "completed", "ended": "2026-11-30", "end_reason": "goal_reached", "main_activity_at_end": "education"}'
check "the end reason taken away" 5 upd '{"end_reason": null}'
expect_in "$T/err" "is refused too" "status completed needs field end_reason"
check "completed back to in_programme" 5 upd '{"status": "in_programme"}'
check "completed to closed" 0 upd '{"status": "closed"}'

# IMDi's own table: its codes in force, the default's gone.
printf 'table,version,code,label_nb,label_en\nend_reason,2027-1,fullfort,Fullført,Completed\n' >"$T/codes.csv"
check "load IMDi's end reasons" 0 admin codes load "$T/codes.csv"
printf '{"given_name": "Zqxend", "family_name": "Testesen", "status": "completed", "ended": "2026-10-01", "end_reason": "goal_reached", "main_activity_at_end": "education"}' >"$T/two.json"
check "the default's code after the load" 5 admin add <"$T/two.json"
sed 's/goal_reached/fullfort/' "$T/two.json" >"$T/three.json"
check "IMDi's code" 0 admin add <"$T/three.json"

# Codes are shown by their labels, the code after; a code the table in
# force dropped keeps the label of the version that had it.
check "show the closed case" 0 admin --lang nb show "$id"
expect_in "$T/out" "the default's label of a code IMDi's table dropped" "Fullført: nådd sluttmålet (goal_reached)"
expect_in "$T/out" "the main activity too" "Utdanning (education)"
check "show the case with IMDi's code" 0 admin show 2
expect_in "$T/out" "IMDi's label" "Completed (fullfort)"

# An import: all or nothing, with the line.
printf 'given_name,family_name,status,ended\nZqxa,Testesen,requested,\nZqxb,Testesen,broken_off,2026-05-01\n' >"$T/bad.csv"
check "an import of a broken-off programme without its end" 5 admin import "$T/bad.csv"
expect_in "$T/err" "names the file and line" "bad.csv:3:"
expect_in "$T/err" "and the field" "status broken_off needs field end_reason"
check "nothing of it was written" 0 admin find --json <<<"Zqxa"
expect_not_in "$T/out" "no Zqxa" '"given_name": "Zqxa"'
echo "1..$_n"
