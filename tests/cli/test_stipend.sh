#!/usr/bin/env bash
# The introduction stipend (issue 10, domain.md finance): computed from the
# birth date, the household and the dated G table, never typed. show says it
# in the finance group with what it rests on and the day it changes next
# while the programme lasts; show --json as "_stipend", which update takes
# back unchanged and never stores; only for those holding the finance key.
. "$(dirname "$0")/lib.sh"

new_store
enrol helga health "helga's passphrase"
export MAPPE_TODAY=2026-01-15

# 24 on the day, living with a parent: a third of 2G; 25 on 10 June 2026,
# before the planned end: the full rate from then.
echo '{"given_name": "Young", "birth_date": "2001-06-10", "lives_with_parent": true, "regime": "integreringsloven", "programme_end": "2027-12-31"}' |
	admin add >"$T/id" 2>/dev/null || not_ok "add a case"
id=$(cat "$T/id")
check "show" 0 admin show "$id"
expect_in "$T/out" "in the finance group" "Finance
  Stipend (computed)       86 773 kr a year (1/3 of 2G: under 25, living with a parent; G 130 160 kr from 2025-05-01); 260 320 kr from 2026-06-10"
if grep -A2 "^Finance" "$T/out" | grep -q "Stipend (computed)"; then ok "under the heading Finance"
else not_ok "under the heading Finance" "$(cat "$T/out")"; fi

check "show --json" 0 admin show "$id" --json
expect_in "$T/out" "\"_stipend\" in the JSON" \
	'"_stipend": 86773, "_stipend_g": 130160, "_stipend_g_from": "2025-05-01", "_stipend_in_g": 2, "_stipend_thirds": 1, "_stipend_next": "2026-06-10", "_stipend_next_annual": 260320}'
python3 -c 'import json,sys; json.load(open(sys.argv[1]))' "$T/out" 2>"$T/err" &&
	ok "show --json is one JSON object" || not_ok "show --json is one JSON object" "$(cat "$T/err")"
# Fed back: nothing to change; it is not a field and not stored.
cp "$T/out" "$T/shown.json"
admin update "$id" <"$T/shown.json" >"$T/out" 2>"$T/err"
rc=$?
if [ $rc -eq 0 ] && grep -q "nothing to change" "$T/err"; then ok "update takes show's _stipend back unchanged"
else not_ok "update takes show's _stipend back unchanged" "exit $rc: $(cat "$T/err")"; fi
echo '{"_stipend": 999999, "_stipend_thirds": 3}' | admin update "$id" >/dev/null 2>&1
check "a _stipend given changes nothing" 0 admin show "$id" --json
expect_in "$T/out" "still computed" '"_stipend": 86773,'
printf '%s\n' '{"given_name": "Imported", "_stipend": 1}' >"$T/in.jsonl"
check "import refuses a _stipend: it is not a field" 5 admin import "$T/in.jsonl"
expect_in "$T/err" "and says which key" "unknown key '_stipend'"

# The G is above 100 000 kroner: rules set takes it (and a rule in days
# or months stays at most 100 000).
check "a G in kroner can be set" 0 admin rules set g_amount 135000 --from 2026-05-01 \
	--source "NAV, grunnbeløpet 2026"
check "not ten million and one" 1 admin rules set g_amount 10000001 --from 2026-05-01 --source x
check "a rule in days stays at most 100 000" 1 admin rules set soon_days 100001 --from 2026-05-01 --source x

# The new G from 1 May 2026: that is the next change.
check "show after the new G" 0 admin show "$id"
expect_in "$T/out" "the new G is the next change" "86 773 kr a year (1/3 of 2G: under 25, living with a parent; G 130 160 kr from 2025-05-01); 90 000 kr from 2026-05-01"
MAPPE_TODAY=2026-06-10 check "on the 25th birthday" 0 admin show "$id"
expect_in "$T/out" "the full rate, and nothing next" "270 000 kr a year (2G; G 135 000 kr from 2026-05-01)
"

# The programme ends before the birthday: no next change shown.
echo '{"programme_end": "2026-04-30"}' | admin update "$id" >/dev/null 2>&1 || not_ok "move the end"
check "show, the programme ending first" 0 admin show "$id"
expect_in "$T/out" "no change after the programme" "from 2025-05-01)
"

# Not computed: the young one's household not known; said beside the
# finance fields, not as a group of its own.
echo '{"given_name": "Unknown", "birth_date": "2003-01-01", "account": "12345678903"}' |
	admin add >"$T/id2" 2>/dev/null || not_ok "add a second case"
check "show, the household not known" 0 admin show "$(cat "$T/id2")"
expect_in "$T/out" "why not" "Stipend (computed)       not computed: whether the person lives with a parent is not known"
echo '{"given_name": "Nobody"}' | admin add >"$T/id3" 2>/dev/null || not_ok "add a third case"
check "show, nothing to compute from" 0 admin show "$(cat "$T/id3")"
expect_not_in "$T/out" "no stipend line without a finance field or a rate" "Stipend"
check "show --json, not computed" 0 admin show "$(cat "$T/id3")" --json
expect_not_in "$T/out" "no _stipend in the JSON when none is computed" '_stipend'

# Not the health role's: no finance key, no stipend.
check "show as helga (health)" 0 as helga "helga's passphrase" show "$id"
expect_not_in "$T/out" "no stipend without the finance key" "Stipend"
check "show --json as helga" 0 as helga "helga's passphrase" show "$id" --json
expect_not_in "$T/out" "no _stipend without the finance key" "_stipend"
echo "1..$_n"
