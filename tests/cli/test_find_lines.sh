#!/usr/bin/env bash
# mappe find (issue 13): every hit says how it matched ("match" in --json, a
# mark after the id in text), and --each-line answers a list of queries, one
# a line, after one unlock, logging every case it shows.
. "$(dirname "$0")/lib.sh"

new_store
enrol kari caseworker "kari's own passphrase"
printf 'given_name,family_name,birth_date,national_id,caseworker\n' >"$T/cases.csv"
printf 'Muhammad,Rahimi,1984-02-03,,kari\n' >>"$T/cases.csv"
printf 'Olena,Kovalenko,1987-03-12,,kari\n' >>"$T/cases.csv"
printf 'Olena,Shevchenko,1990-06-01,,kari\n' >>"$T/cases.csv"
printf 'Olena,Bondarenko,1991-07-02,,kari\n' >>"$T/cases.csv"
admin import "$T/cases.csv" >/dev/null || not_ok "set up the store"
fnr=$("$GEN" --seed 5 --count 1 --basic | tail -1 | cut -d, -f7)
echo "{\"given_name\": \"Amina\", \"family_name\": \"Warsame\", \"national_id\": \"$fnr\", \"caseworker\": \"kari\"}" |
	admin add >/dev/null || not_ok "set up the case with a national id"
kari() { as kari "kari's own passphrase" "$@"; }
count_json() { grep -c '"_id"' "$T/out"; }

# ---- "match" and the marks ----------------------------------------------------
echo "mohammed" | check "find --json" 0 kari find --json
expect_in "$T/out" "another spelling's hit is marked close" '"given_name": "Muhammad", "family_name": "Rahimi", "birth_date": "1984-02-03", "match": "close"}'
echo "1987-03-12" | check "find --json by birth date" 0 kari find --json
expect_in "$T/out" "a birth date's hit is exact" '"given_name": "Olena", "family_name": "Kovalenko", "birth_date": "1987-03-12", "match": "exact"}'
echo "$fnr" | check "find --json by national id" 0 kari find --json
expect_in "$T/out" "a national id's hit is exact" '"family_name": "Warsame", "birth_date": null, "match": "exact"}'
echo "olena" | check "find --json, several hits" 0 kari find --json
if grep '"_id"' "$T/out" | grep -qv '"match": "\(exact\|close\|loose\)"}$'; then
	not_ok "every hit has a match member" "$(cat "$T/out")"
else ok "every hit has a match member"; fi
echo "1987-03-12" | check "find by birth date" 0 kari find
if grep -qE '^ +2  Olena Kovalenko' "$T/out"; then ok "an exact hit has no mark"; else
	not_ok "an exact hit has no mark" "$(cat "$T/out")"; fi
echo "mohammed" | check "find another spelling" 0 kari find
if grep -qE '^ +1~ Muhammad Rahimi' "$T/out"; then ok "a close hit is marked ~"; else
	not_ok "a close hit is marked ~" "$(cat "$T/out")"; fi

# ---- --each-line -----------------------------------------------------------------
printf 'mohammed\n\n1987-03-12\nzzqxyzzy\n%s\r\nolena\n' "$fnr" >"$T/list"
check "find --each-line" 0 kari find --each-line <"$T/list"
expect_in "$T/out" "a query's header names its line and its hits" "line 1: 1 case"
expect_in "$T/out" "an empty line is skipped but counted" "line 3: 1 case"
expect_in "$T/out" "a line without hits says so" "line 4: no matching case"
expect_in "$T/out" "a CRLF line is read without its CR" "line 5: 1 case"
if grep -qE '^line 6: [3-9] cases' "$T/out"; then ok "several hits counted"; else
	not_ok "several hits counted" "$(cat "$T/out")"; fi
expect_not_in "$T/out" "no header for the empty line" "line 2:"
if [ "$(grep -c '^line ' "$T/out")" = 5 ]; then ok "one header per query"; else
	not_ok "one header per query" "$(cat "$T/out")"; fi
expect_in "$T/out" "the cards as find prints them" "Muhammad Rahimi  1984-02-03"
for q in mohammed zzqxyzzy olena "$fnr"; do
	expect_not_in "$T/err" "the query is never echoed to stderr ($q)" "$q"
done

check "find --each-line --limit 1" 0 kari find --each-line --limit 1 <"$T/list"
if grep -qE '^line 6: [3-9] cases, the first 1 shown$' "$T/out"; then ok "--limit is per query"; else
	not_ok "--limit is per query" "$(cat "$T/out")"; fi
if [ "$(grep -c '^ ' "$T/out")" = 4 ]; then ok "one card for each query with hits"; else
	not_ok "one card for each query with hits" "$(cat "$T/out")"; fi

check "find --each-line --json" 0 kari find --each-line --json <"$T/list"
expect_in "$T/out" "each hit carries its line" '"match": "close", "line": 1}'
expect_in "$T/out" "the birth date's line" '"match": "exact", "line": 3}'
expect_in "$T/out" "the national id's line" '"family_name": "Warsame", "birth_date": null, "match": "exact", "line": 5}'
expect_not_in "$T/out" "a line without hits prints nothing" '"line": 4'
expect_not_in "$T/out" "JSON mode prints no headers" 'line 1:'
shown=$(count_json)

# Every case shown is logged, and the whole list needed one unlock.
audit_count() { admin audit --action "$1" --json | grep -c "\"user\": \"kari\""; }
before_open=$(audit_count search-open) before_unlock=$(audit_count unlock)
check "find --each-line --json again" 0 kari find --each-line --json <"$T/list"
after_open=$(audit_count search-open) after_unlock=$(audit_count unlock)
if [ $((after_open - before_open)) = "$shown" ]; then ok "every hit shown is logged ($shown)"; else
	not_ok "every hit shown is logged" "$before_open -> $after_open, shown $shown"; fi
if [ $((after_unlock - before_unlock)) = 1 ]; then ok "one unlock for the whole list"; else
	not_ok "one unlock for the whole list" "$before_unlock -> $after_unlock"; fi

# A line that is not UTF-8: named, the others answered, exit 5.
printf 'mohammed\n\xff\xfeabc\n1987-03-12\n' >"$T/broken"
check "find --each-line with a broken line (exit 5)" 5 kari find --each-line <"$T/broken"
expect_in "$T/err" "the broken line is named" "line 2: not valid UTF-8"
expect_in "$T/out" "the line before is answered" "line 1: 1 case"
expect_in "$T/out" "the line after is answered" "line 3: 1 case"
check "find --each-line --json with a broken line (exit 5)" 5 kari find --each-line --json <"$T/broken"
expect_in "$T/out" "the others answered in JSON" '"line": 3}'

# Many lines: the results are logged in batches, all of them.
for i in $(seq 1 300); do echo "olena"; done >"$T/many"
before_open=$(audit_count search-open)
check "find --each-line, 300 lines" 0 kari find --each-line --json <"$T/many"
many=$(count_json)
after_open=$(audit_count search-open)
if [ "$many" -ge 900 ] && [ $((after_open - before_open)) = "$many" ]; then
	ok "300 lines' hits all shown and logged ($many)"
else not_ok "300 lines' hits all shown and logged" "shown $many, logged $((after_open - before_open))"; fi
if [ "$(grep -c '"line": 300}' "$T/out")" -ge 3 ]; then ok "the last line answered"; else
	not_ok "the last line answered"; fi
if admin audit verify >/dev/null 2>&1; then ok "the audit chain holds"; else
	not_ok "the audit chain holds"; fi

check "--each-line is find's alone" 1 kari show 1 --each-line
check "find --help names --each-line" 0 "$MAPPE" find --help
expect_in "$T/out" "the help explains it" "--each-line"

echo "1..$_n"
