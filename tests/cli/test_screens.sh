#!/usr/bin/env bash
# Scripted screens (tig's TIG_SCRIPT idea): mappe reads keys from
# tests/screens/NAME.keys, dumps its screen where the script says ":dump
# NAME-N", and each dump must equal tests/screens/NAME-N.screen.
# UPDATE=1 rewrites the expected screens after a deliberate change.
. "$(dirname "$0")/lib.sh"
# The list shows each case's next deadline, overdue or not as of today: one
# day for every script, so that a dump is the same whenever it runs.
export MAPPE_TODAY=${MAPPE_TODAY:-2026-12-01}
screens=$(cd "$(dirname "$0")/../screens" && pwd)
PLANT=$(dirname "$GEN")/plant

new_store
"$GEN" --seed 3 --count 40 --basic >"$T/cases.csv" # the screens, not a caseload's dates
printf 'given_name,family_name,birth_date,address,protected_address,health_needs\n' >"$T/extra.csv"
printf 'Олена,Шевченко,1987-03-12,"Storgata 5\n9405 Harstad",Skjult vei 1,Astma\n' >>"$T/extra.csv"
printf '王,小明,1990-05-01,,,\n' >>"$T/extra.csv"
admin import "$T/cases.csv" >/dev/null && admin import "$T/extra.csv" >/dev/null ||
	not_ok "set up the store"
enrol kari caseworker "kari's own passphrase"

# A long journal on case 41 (Olena), for the scripts journal* and wrap*
# only: notes of several lines, long lines that wrap (æøå, wide characters,
# a word wider than the screen), and a last line to scroll to.
journal_note() { # kind text
	DB=$T/store-journal admin note add 41 --kind "$1" <<<"$2" >/dev/null 2>&1 ||
		not_ok "set up the journal"
}
cp -a "$DB" "$T/store-journal"
echo '{"address": "Kirkegata 15, oppgang B, 3. etasje, leilighet H0302 (ringeklokke «Шевченко/Hansen»)\n9405 Harstad"}' |
	DB=$T/store-journal admin update 41 >/dev/null 2>&1 || not_ok "set up the journal's address"
journal_note meeting "Første samtale på kontoret. Olena har med seg datteren og ønsker å snakke om bolig, skole og helse; tolk var til stede på telefon hele tiden, og samtalen tok omtrent en time."
journal_note phone "Avtalt:
- søke barnehageplass i bydelen
- bestille time hos fastlege
- ta med vitnemål og attester"
journal_note other "王小明打电话说：我们需要一位翻译，明天下午三点可以吗？谢谢你们的帮助，我们会准时到达办公室。"
journal_note other "Lenke til søknaden: https://www.example.no/soknad/barnehage/bydel/2024/skjema-for-foresatte-og-barn-med-behov-for-tilrettelegging"
for i in 1 2 3 4 5 6; do
	journal_note home_visit "Hjemmebesøk $i
Leiligheten er i orden.
Neste besøk om to uker; Olena ønsker at datteren er med.
Ingen nye avtaler."
done
journal_note meeting "Siste notat.
Saken følges opp etter sommeren.
Dette er siste linje i journalen."

# My day (issue 10), for the scripts caseworker-day and lead-day: kari has
# logged in to the screens once (the cases imported for her were new
# then), and since then case 43 was given to her: a case of kari's whose
# programme decision and mapping were due 15 November, seen on 1 December;
# the TB examination is not hers to see (the health class). Case 44 of
# ola's is due too, for the lead lena.
cp -a "$DB" "$T/store-day"
printf 'q\nq\nq\n' >"$T/quit.keys"
(cd "$T" && "$MAPPE" --db "$T/store-day" --user kari --passphrase-fd 3 --script "$T/quit.keys" \
	3<<<"kari's own passphrase") || not_ok "kari logs in once"
printf '{"given_name": "Zqxday", "family_name": "Testesen", "caseworker": "kari", "status": "settled", "settlement_date": "2026-08-15", "settled_by_agreement": true, "arrival_norway": "2026-11-25", "tb_status": "due", "birth_date": "1990-04-02", "sex": "female", "citizenship": "ER", "phone": "+4791234567", "email": "zqxday@example.no", "address": "Storgata 1\\n9008 Tromsø", "language": "ti", "interpreter_language": "ti", "interpreter_needed": true, "permit_granted": "2026-06-01", "regime": "integreringsloven", "settlement_origin": "reception_centre", "norwegian_goal": "B1", "hours_per_week": "37.5"}' |
	DB=$T/store-day admin add >/dev/null 2>&1 || not_ok "set up my day"
DB=$T/store-day enrol ola caseworker "ola's own passphrase" || not_ok "set up my day (ola)"
printf '{"given_name": "Zqxola", "family_name": "Testesen", "caseworker": "ola", "status": "settled", "settlement_date": "2026-08-20", "settled_by_agreement": true}' |
	DB=$T/store-day admin add >/dev/null 2>&1 || not_ok "set up my day (ola)"
DB=$T/store-day enrol lena lead "lena's own passphrase" || not_ok "set up my day (lena)"

# Lists (issue 10), for the script caseworker-formlist only: case 41 has
# seven days of attendance (the case view shows the newest five), the last
# an absence whose health reason a caseworker may not read.
cp -a "$DB" "$T/store-formlist"
days=$(for d in 26 27 28 29 30; do printf '{"date": "2026-10-%s", "hours": "6"}, ' $d; done)
echo "{\"attendance\": [$days"'{"date": "2026-10-31", "hours": "6"}, {"date": "2026-11-02", "hours": "0", "absence_class": "valid_paid", "health_reason": "own_illness"}]}' |
	DB=$T/store-formlist admin update 41 >/dev/null 2>&1 || not_ok "set up the attendance item"

# And for health-formlist only, a health worker (no programme key).
cp -a "$DB" "$T/store-health"
DB=$T/store-health enrol helga health "helga's own passphrase"
# The list's next-deadline column, for the scripts *nextdeadline only:
# cases whose soonest deadline is overdue, due this week, later this year,
# next year, or none at all; and a colleague's (computed as it is shown).
cp -a "$DB" "$T/store-next"
next_add() {
	printf '%s' "$1" | DB=$T/store-next admin add >/dev/null 2>&1 || not_ok "set up the next deadlines"
}
next_add '{"given_name": "Zqxa", "family_name": "Overdue", "status": "settled", "settlement_date": "2026-08-15", "settled_by_agreement": true}'
next_add '{"given_name": "Zqxb", "family_name": "Thisweek", "arrival_norway": "2026-11-20", "tb_status": "due"}'
next_add '{"given_name": "Zqxc", "family_name": "Later", "status": "settled", "settlement_date": "2026-10-10", "settled_by_agreement": true}'
next_add '{"given_name": "Zqxd", "family_name": "Nextyear", "status": "in_programme", "programme_start": "2026-06-01", "has_upper_secondary": false, "programme_decision": "2026-05-01", "mapping_done": "2026-04-01", "plan_date": "2026-05-01", "contract_date": "2026-05-01", "plan_reviewed": "2026-11-01", "nir_registered": "2026-06-02", "settlement_date": "2026-02-01", "settled_by_agreement": true}'
next_add '{"given_name": "Zqxe", "family_name": "Nothing", "status": "requested"}'
next_add '{"given_name": "Zqxf", "family_name": "Colleagues", "caseworker": "kari", "status": "settled", "settlement_date": "2026-06-20", "settled_by_agreement": true}'

# The dashboard (issue 11), for the scripts lead-dashboard* only: cases of
# the generator's with every field, settled in several months of 2026 (and
# of 2025), deadlines of three caseworkers overdue and due this week; IMDi's
# request with unaccompanied minors and the council's decision, then the
# executive committee's revision of it; and the lead lena.
cp -a "$DB" "$T/store-dash"
"$GEN" --seed 11 --count 80 --format jsonl --today 2026-12-01 >"$T/dash.jsonl"
DB=$T/store-dash admin import --format jsonl "$T/dash.jsonl" >/dev/null 2>&1 || not_ok "set up the dashboard"
DB=$T/store-dash admin target set 2026 --requested 40 --minors 5 --decided 30 --date 2026-02-12 \
	--body council --answer-by 2026-01-15 >/dev/null 2>&1 || not_ok "set up the dashboard's decision"
DB=$T/store-dash admin target set 2026 --decided 36 --date 2026-06-15 --body executive \
	>/dev/null 2>&1 || not_ok "set up the dashboard's revision"
DB=$T/store-dash enrol lena lead "lena's own passphrase" || not_ok "set up the dashboard (lena)"

# The log review (issue 12), for the scripts audit* only: on 1 December
# kari opens case 44 (hers), case 43 (ola's) and case 41 (nobody's); ola
# opens case 44 (kari's); the health worker helga opens 43 (no caseload of
# her own: not in the review). The lead lena reviews.
cp -a "$DB" "$T/store-audit"
for u in "ola caseworker" "helga health" "lena lead"; do
	set -- $u
	DB=$T/store-audit enrol "$1" "$2" "$1's own passphrase" || not_ok "set up the log review ($1)"
done
audit_at() { TZ=Europe/Oslo date -d "2026-12-01 $1" +%s; }
printf '{"given_name": "Zqxola", "family_name": "Testesen", "caseworker": "ola"}' |
	MAPPE_NOW=$(audit_at 08:00) DB=$T/store-audit admin add >/dev/null 2>&1 ||
	not_ok "set up the log review (case 43)"
printf '{"given_name": "Zqxkari", "family_name": "Testesen", "caseworker": "kari"}' |
	MAPPE_NOW=$(audit_at 08:00) DB=$T/store-audit admin add >/dev/null 2>&1 ||
	not_ok "set up the log review (case 44)"
audit_show() { # time user case
	MAPPE_NOW=$(audit_at "$1") DB=$T/store-audit as "$2" "$2's own passphrase" show "$3" \
		>/dev/null 2>&1 || not_ok "set up the log review ($2 $3)"
}
audit_show 09:00 kari 44
audit_show 09:30 kari 43
audit_show 10:15 kari 41
audit_show 11:00 ola 44
audit_show 12:00 helga 43

# Each script gets its own copy of the store, so that what one saves does
# not change what another shows.
run_script() { # name user pass [options]
	local name=$1 user=$2 pass=$3; shift 3
	(cd "$T" && "$MAPPE" --db "$T/db-$name" --user "$user" --passphrase-fd 3 "$@" \
		--script "$screens/$name.keys" 3<<<"$pass")
}

# with_colleague NAME JSON [options]: run script NAME, and when it says
# ":signal sig-ready", let kari save JSON to case 41 before it goes on
# (":wait sig-go"). The dialog says at what time kari saved: the clock in
# its dumps becomes HH:MM, so that they compare.
with_colleague() {
	local pid name=$1 json=$2
	shift 2
	rm -f "$T/sig-ready" "$T/sig-go"
	run_script "$name" ada "$ADMIN_PASS" "$@" &
	pid=$!
	for _ in $(seq 300); do [ -f "$T/sig-ready" ] && break; sleep 0.1; done
	echo "$json" | DB=$T/db-$name as kari "kari's own passphrase" update 41 >/dev/null 2>&1 ||
		not_ok "the colleague's save"
	# A save by a mappe that did not keep who saved.
	[ "${UNSAVED:-0}" = 1 ] &&
		{ "$PLANT" "$T/db-$name" kari unsaved 41 </dev/null 3<<<"kari's own passphrase" ||
			not_ok "plant the save without a saver"; }
	touch "$T/sig-go"
	wait $pid
	local rc=$?
	for got in "$T/$name"-*; do
		[ -f "$got" ] && sed -i -E 's/(at|kl\.) [0-2][0-9]:[0-5][0-9] /\1 HH:MM /' "$got"
	done
	return $rc
}

compare() { # dump name
	local dump=$1
	if [ ! -f "$T/$dump" ]; then
		not_ok "screen $dump" "no dump written"
	elif diff -u "$screens/$dump.screen" "$T/$dump" >"$T/diff"; then
		ok "screen $dump"
	else
		not_ok "screen $dump" "$(head -30 "$T/diff" | sed 's/^/#   /')"
	fi
}

for keys in "$screens"/*.keys; do
	name=$(basename "$keys" .keys)
	rm -rf "$T/db-$name"
	case $name in
	journal* | wrap*) cp -a "$T/store-journal" "$T/db-$name" ;;
	caseworker-day | lead-day) cp -a "$T/store-day" "$T/db-$name" ;;
	lead-dashboard*) cp -a "$T/store-dash" "$T/db-$name" ;;
	audit*) cp -a "$T/store-audit" "$T/db-$name" ;;
	caseworker-formlist | privacy-items) cp -a "$T/store-formlist" "$T/db-$name" ;;
	health-*) cp -a "$T/store-health" "$T/db-$name" ;;
	*nextdeadline | privacy-day) cp -a "$T/store-next" "$T/db-$name" ;;
	*) cp -a "$DB" "$T/db-$name" ;;
	esac
	case $name in
	conflict | conflicthelp | privacy-conflict) with_colleague "$name" '{"phone": "+4792222222"}' ;;
	nb-conflict) with_colleague "$name" '{"phone": "+4792222222"}' --lang nb ;;
	conflict-unknown) UNSAVED=1 with_colleague "$name" '{"phone": "+4792222222"}' ;;
	listconflict) with_colleague "$name" '{"placements": [{"employer": "Zqx Kollega"}]}' ;;
	draftconflict | familyconflict) with_colleague "$name" '{"given_name": "Colleague"}' ;;
	caseworker-day) MAPPE_TODAY=2026-12-01 run_script "$name" kari "kari's own passphrase" ;;
	lead-day) MAPPE_TODAY=2026-12-01 run_script "$name" lena "lena's own passphrase" ;;
	# The dashboard in Norwegian; without colours; where the user's locale
	# is not UTF-8 (mappe's own is, whatever the user's: the chart's
	# glyphs are ASCII); and the rest at 80x24 in English.
	lead-dashboard-nb) run_script "$name" lena "lena's own passphrase" --lang nb ;;
	lead-dashboard-mono) NO_COLOR=1 run_script "$name" lena "lena's own passphrase" ;;
	lead-dashboard-ascii) (unset LC_ALL LC_CTYPE; LANG=C run_script "$name" lena "lena's own passphrase") ;;
	privacy-ascii) (unset LC_ALL LC_CTYPE; LANG=C run_script "$name" ada "$ADMIN_PASS") ;;
	privacy-default) MAPPE_PRIVACY=on run_script "$name" ada "$ADMIN_PASS" ;;
	lead-dashboard*) run_script "$name" lena "lena's own passphrase" ;;
	audit*) TZ=Europe/Oslo run_script "$name" lena "lena's own passphrase" ;;
	caseworker-*) run_script "$name" kari "kari's own passphrase" ;;
	health-*) run_script "$name" helga "helga's own passphrase" ;;
	nb-*) run_script "$name" ada "$ADMIN_PASS" --lang nb ;;
	*) run_script "$name" ada "$ADMIN_PASS" ;;
	esac
	rc=$?
	[ $rc -eq 0 ] && ok "script $name runs" || not_ok "script $name runs" "exit $rc"
	# A note's time is when the test ran: the same width, any day.
	for got in "$T/$name"-*; do
		[ -f "$got" ] && sed -i -E 's/[0-9]{4}-[0-9]{2}-[0-9]{2} [0-9]{2}:[0-9]{2}/YYYY-MM-DD hh:mm/g' "$got"
	done
	if [ "${UPDATE:-0}" = 1 ]; then
		for got in "$T/$name"-*; do [ -f "$got" ] && cp "$got" "$screens/$(basename "$got").screen"; done
	fi
	for want in "$screens/$name"-*.screen; do
		[ -f "$want" ] || continue
		compare "$(basename "$want" .screen)"
	done
	for got in "$T/$name"-*; do
		[ -f "$got" ] && [ ! -f "$screens/$(basename "$got").screen" ] &&
			not_ok "screen $(basename "$got") has an expected screen" "run with UPDATE=1 once"
	done
done
# The family member f registered (case 43, with the relation typed) is in
# the household f gave case 41.
for db in family nb-family; do
	DB=$T/db-$db admin show 43 >"$T/show-43" 2>&1
	DB=$T/db-$db admin show 41 >"$T/show-41" 2>&1
	if grep -q "^  Household  *H-41$" "$T/show-43" && grep -q "^  Relation  *child$" "$T/show-43" &&
		grep -q "^  Household  *H-41$" "$T/show-41"; then
		ok "$db: the family member (case 43) and case 41 are in household H-41"
	else
		not_ok "$db: the family member (case 43) and case 41 are in household H-41" \
			"$(grep -h "Household\|Relation\|Given" "$T/show-43" "$T/show-41" | tr '\n' ' ')"
	fi
done
# What the list scripts saved, as the store has it.
for db in formlist nb-formlist; do
	DB=$T/db-$db admin show 41 --json >"$T/show-41" 2>&1
	if grep -qF '"placements": [{"_item": 1, "employer": "Zqx Bakeri AS", "org_number": "974760673", "contact": "Zqx Ny Kontakt", "start": "2026-01-05"}]' "$T/show-41"; then
		ok "$db: placement 1 added and edited, 2 removed"
	else
		not_ok "$db: placement 1 added and edited, 2 removed" "$(grep -o '"placements": [^]]*]' "$T/show-41")"
	fi
done
DB=$T/db-caseworker-formlist admin show 41 --json >"$T/show-41" 2>&1
if grep -qF '{"_item": 7, "date": "2026-11-02", "hours": "0", "absence_class": "valid_paid", "health_reason": "own_illness", "note": "Zqx merknad"}]' "$T/show-41"; then
	ok "caseworker-formlist: her note saved, the health reason she cannot read kept"
else
	not_ok "caseworker-formlist: her note saved, the health reason she cannot read kept" \
		"$(grep -o '"attendance": [^]]*]' "$T/show-41")"
fi
DB=$T/db-listconflict admin show 41 --json >"$T/show-41" 2>&1
if grep -qF '"placements": [{"_item": 1, "employer": "Zqx Kollega"}, {"_item": 2, "employer": "Zqx Mitt Firma"}]' "$T/show-41"; then
	ok "listconflict: the colleague's placement and hers, saved after the conflict"
else
	not_ok "listconflict: the colleague's placement and hers, saved after the conflict" \
		"$(grep -o '"placements": [^]]*]' "$T/show-41")"
fi
DB=$T/db-health-formlist admin show 41 --json >"$T/show-41" 2>&1
if grep -q '"placements"' "$T/show-41"; then
	not_ok "health-formlist: her a saved no placement" "$(grep -o '"placements": [^]]*]' "$T/show-41")"
else
	ok "health-formlist: her a saved no placement"
fi
# Opening the log review is itself in the log, under the screen's name.
if DB=$T/db-audit admin audit --action audit-read --user lena --json 2>/dev/null |
	grep -q '"purpose": "screen: Log review"'; then
	ok "audit: the log review's read is logged"
else
	not_ok "audit: the log review's read is logged"
fi
# caseworker-purpose: the opening she cancelled (Esc) is not in the log;
# the two she made are, with the purpose she picked once.
DB=$T/db-caseworker-purpose admin audit --case 41 --user kari --action search-open --json \
	>"$T/purpose.json" 2>&1
if [ "$(grep -c '"purpose": "outside: duty"' "$T/purpose.json")" = 2 ] &&
	[ "$(grep -c '"action"' "$T/purpose.json")" = 2 ]; then
	ok "caseworker-purpose: two openings logged, each with the purpose picked once"
else
	not_ok "caseworker-purpose: two openings logged, each with the purpose picked once" \
		"$(head -c 400 "$T/purpose.json")"
fi
# caseworker-formlist: her save on ada's case carries the purpose she
# picked on opening it, not the form's name.
if DB=$T/db-caseworker-formlist admin audit --case 41 --user kari --action change --json \
	2>/dev/null | grep -q '"purpose": "outside: standing-in"'; then
	ok "caseworker-formlist: her save is logged with the purpose she picked"
else
	not_ok "caseworker-formlist: her save is logged with the purpose she picked"
fi
# A locked field's value must never reach the screen.
if grep -rqF "Skjult vei" "$T"/caseworker-* 2>/dev/null; then
	not_ok "a caseworker's screens never show a protected address"
else
	ok "a caseworker's screens never show a protected address"
fi
echo "1..$_n"
