#!/usr/bin/env bash
# Opening fast (issue 13): the terminal UI is up after the first batch of
# the case list (512 cases) and reads the rest between keys. Until then the
# count says how far it is, and a search says it is partial; at the end the
# list and the search hold every case. A script reads the next batches
# only where it says ":load", so that its dumps are the same every run.
. "$(dirname "$0")/lib.sh"

new_store
"$GEN" --seed 5 --count 600 --basic >"$T/cases.csv"
admin import "$T/cases.csv" >/dev/null || not_ok "set up the store"
# The last case's given name: not among the first 512 read.
late=$(admin show 600 --json 2>/dev/null |
	/usr/bin/python3 -c 'import json, sys; print(json.load(sys.stdin)["given_name"])')
[ -n "$late" ] || not_ok "the last case's name"
# As its row shows it (the query line shows the given name alone).
late_row=$(admin show 600 --json 2>/dev/null |
	/usr/bin/python3 -c 'import json, sys; c = json.load(sys.stdin); print(c["given_name"], c["family_name"])')
first=$(admin show 1 --json 2>/dev/null |
	/usr/bin/python3 -c 'import json, sys; print(json.load(sys.stdin)["given_name"])')

cat >"$T/open.keys" <<KEYS
:dump open-1
/
$late
:dump open-2
<Esc>
/
$first
:dump open-3
:load
:dump open-4
<Esc>
/
$late
:dump open-5
<Esc>
q
KEYS
(cd "$T" && "$MAPPE" --db "$DB" --user ada --passphrase-fd 3 --script "$T/open.keys" \
	3<<<"$ADMIN_PASS" >/dev/null 2>"$T/err")
rc=$?
[ $rc -eq 0 ] && ok "a script over a list still loading ends" || not_ok "script" "rc $rc: $(head -c 300 "$T/err")"

for d in 1 2 3 4 5; do
	[ -f "$T/open-$d" ] || { not_ok "dump open-$d written"; touch "$T/open-$d"; }
done
expect_in "$T/open-1" "the first screen: 512 of 600 read, the count says it loads" "512/512 (loading the list: 85%)"
expect_in "$T/open-2" "a search while loading says it is partial" "(partial: 85% of the list read)"
expect_not_in "$T/open-2" "the last case is not found before it is read" "$late_row"
expect_in "$T/open-3" "a case read already is found meanwhile" "$first"
expect_in "$T/open-4" "the rest read: every case counted" "/600"
expect_not_in "$T/open-4" "nothing partial any more" "partial"
expect_not_in "$T/open-4" "no loading note any more" "loading the list"
expect_in "$T/open-5" "the last case found once read" "$late_row"
expect_not_in "$T/open-5" "its search is not partial" "partial"

# A caseworker's session starts on My day when something is due: known
# once their caseload is read, so My day comes up then, over the list.
"$GEN" --seed 5 --count 600 --today 2026-12-01 >"$T/day.csv"
DB=$T/day
new_store
admin import "$T/day.csv" >/dev/null || not_ok "set up the caseworker's store"
enrol kari caseworker "kari's own passphrase" || not_ok "enrol kari"
printf ':dump day-1\n:load\n:dump day-2\nq\nq\n' >"$T/day.keys"
(cd "$T" && MAPPE_TODAY=2026-12-01 "$MAPPE" --db "$DB" --user kari --passphrase-fd 3 \
	--script "$T/day.keys" 3<<<"kari's own passphrase" >/dev/null 2>&1)
[ -f "$T/day-1" ] && [ -f "$T/day-2" ] || { not_ok "the caseworker's dumps"; touch "$T/day-1" "$T/day-2"; }
expect_in "$T/day-1" "a caseworker's first screen is the list, loading" "(loading the list:"
expect_not_in "$T/day-1" "not My day before the caseload is read" "mappe · My day"
expect_in "$T/day-2" "then My day, once the caseload is read" "mappe · My day"

# A store of one batch or less is read whole at once: no note at all.
DB=$T/small
new_store
"$GEN" --seed 5 --count 20 --basic >"$T/small.csv"
admin import "$T/small.csv" >/dev/null || not_ok "set up the small store"
printf ':dump small-1\nq\n' >"$T/small.keys"
(cd "$T" && "$MAPPE" --db "$DB" --user ada --passphrase-fd 3 --script "$T/small.keys" \
	3<<<"$ADMIN_PASS" >/dev/null 2>&1)
expect_in "$T/small-1" "a small store: the whole count at once" "20/20"
expect_not_in "$T/small-1" "a small store: no loading note" "loading"

echo "1..$_n"
