#!/usr/bin/env bash
# mappe demo: a store of invented cases, made by the generator program
# installed beside mappe (mappe-gen), so that mappe itself, which a
# deployment makes setgid, carries no tables of names.
. "$(dirname "$0")/lib.sh"
DEMO_PASS="mappe demo store"
printf 'q\n' >"$T/quit.keys"

# ---- the binary -----------------------------------------------------------------------
if nm "$MAPPE" 2>/dev/null | grep -qi synth; then
	not_ok "mappe has no synth_ symbols" "$(nm "$MAPPE" | grep -i synth | head -3)"
else
	ok "mappe has no synth_ symbols"
fi
# A name from each of the generator's tables, in the script it is written in.
for name in Shevchenko Шевченко Gebremedhin Kasongo; do
	if grep -qaF "$name" "$MAPPE"; then
		not_ok "mappe does not carry the name $name"
	else
		ok "mappe does not carry the name $name"
	fi
done

# ---- the demo store ----------------------------------------------------------------------
check "mappe demo creates a store and opens the screens" 0 \
	"$MAPPE" --db "$T/demo" --user ada demo --cases 25 --script "$T/quit.keys"
expect_in "$T/err" "it says how many cases it made" "25 invented cases"
expect_in "$T/err" "and prints the passphrase" "passphrase \"$DEMO_PASS\""
show_all() { # DB N: every case as show --json, one a line
	for id in $(seq "$2"); do
		"$MAPPE" --db "$1" --user ada --passphrase-fd 3 show "$id" --json 3<<<"$DEMO_PASS" || return 1
	done
}
if show_all "$T/demo" 25 >"$T/shown" 2>"$T/err"; then ok "the demo store opens with that passphrase"; else
	not_ok "the demo store opens with that passphrase" "$(head -c 300 "$T/err")"; fi
check "and holds 25 cases, no more" 5 \
	"$MAPPE" --db "$T/demo" --user ada --passphrase-fd 3 show 26 --json 3<<<"$DEMO_PASS"
# The same cases as the generator's seed 2026 (the demo's since it began).
"$GEN" --seed 2026 --count 25 --format jsonl >"$T/gen.jsonl"
for f in given_name family_name national_id; do
	want=$(grep -o "\"$f\": *\"[^\"]*\"" "$T/gen.jsonl" | tr -d ' ' | sort | md5sum)
	got=$(grep -o "\"$f\": *\"[^\"]*\"" "$T/shown" | tr -d ' ' | sort | md5sum)
	if [ "$want" = "$got" ] && [ "$(grep -c "\"$f\"" "$T/shown")" -eq 25 ]; then
		ok "the demo cases' $f are the generator's seed 2026"
	else
		not_ok "the demo cases' $f are the generator's seed 2026"
	fi
done
check "a second mappe demo opens the same store" 0 \
	"$MAPPE" --db "$T/demo" --user ada demo --script "$T/quit.keys"
expect_not_in "$T/err" "without making it again" "Creating"
check "mappe check is clean on it" 0 \
	"$MAPPE" --db "$T/demo" --user ada --passphrase-fd 3 check 3<<<"$DEMO_PASS"

# Without --db the demo store sits beside the user's store, never in it.
check "mappe demo without --db" 0 "$MAPPE" --user ada demo --cases 3 --script "$T/quit.keys"
if [ -f "$XDG_DATA_HOME/mappe-demo/data.mdb" ] && [ ! -e "$XDG_DATA_HOME/mappe" ]; then
	ok "makes its store in mappe-demo beside the default store"
else
	not_ok "makes its store in mappe-demo beside the default store" "$(ls "$XDG_DATA_HOME")"
fi

# ---- live deadlines ------------------------------------------------------------------------
# The demo's dates run up to today (MAPPE_TODAY here), so that its deadlines
# fall overdue, today and within the week, as a unit's do.
MAPPE_TODAY=2026-03-02 check "mappe demo on a given day" 0 \
	"$MAPPE" --db "$T/live" --user ada demo --script "$T/quit.keys"
MAPPE_TODAY=2026-03-02 "$MAPPE" --db "$T/live" --user ada --passphrase-fd 3 report deadlines --all --json \
	3<<<"$DEMO_PASS" >"$T/due" 2>"$T/err"
overdue=$(grep -c '"overdue": true' "$T/due")
today=$(grep -c '"due": "2026-03-02"' "$T/due")
soon=$(grep '"soon": true' "$T/due" | grep -vc '"due": "2026-03-02"')
if [ "$overdue" -ge 10 ] && [ "$today" -ge 3 ] && [ "$soon" -ge 5 ]; then
	ok "its deadlines: $overdue overdue, $today due today, $soon more within the week"
else
	not_ok "its deadlines: some overdue, some due today, some within the week" \
		"overdue $overdue, today $today, soon $soon; $(head -c 300 "$T/err")"
fi
kinds=$(grep -o '"deadline": "[a-z_]*"' "$T/due" | sort -u | wc -l)
if [ "$kinds" -ge 8 ]; then ok "of $kinds kinds"; else not_ok "of many kinds" "only $kinds"; fi
# A day ahead of UTC's (local midnight east of Greenwich): the cases' dates
# stop at UTC's today, which the store checks past dates on.
MAPPE_TODAY=$(date -u -d tomorrow +%F) check "mappe demo a day ahead of UTC" 0 \
	"$MAPPE" --db "$T/ahead" --user ada demo --cases 50 --script "$T/quit.keys"
# The demo's cases on another day: the same people, their dates moved.
"$GEN" --seed 2026 --count 25 --format jsonl --today 2026-03-02 >"$T/later.jsonl"
for f in given_name national_id; do
	if [ "$(grep -o "\"$f\":\"[^\"]*\"" "$T/gen.jsonl" | md5sum)" = \
		"$(grep -o "\"$f\":\"[^\"]*\"" "$T/later.jsonl" | md5sum)" ]; then
		ok "mappe-gen --today: the same ${f}s"
	else
		not_ok "mappe-gen --today: the same ${f}s"
	fi
done
if ! cmp -s "$T/gen.jsonl" "$T/later.jsonl"; then ok "mappe-gen --today: other dates"; else
	not_ok "mappe-gen --today: other dates"; fi
check "mappe-gen --today refuses a day that is not one" 1 "$GEN" --today 2026-02-30

# ---- the generator missing -----------------------------------------------------------------
mkdir -p "$T/alone"
cp "$MAPPE" "$T/alone/mappe"
check "without mappe-gen beside it, mappe demo fails as unavailable" 6 \
	"$T/alone/mappe" --db "$T/demo2" --user ada demo --cases 3 --script "$T/quit.keys"
expect_in "$T/err" "naming the program it needs" "mappe-gen"
if [ ! -e "$T/demo2/data.mdb" ]; then ok "and leaves no half-made store"; else
	not_ok "and leaves no half-made store"; fi
# A generator that fails or writes garbage makes no store either.
printf '#!/bin/sh\necho "given_name"; echo "x\\001"; exit 3\n' >"$T/alone/mappe-gen"
chmod +x "$T/alone/mappe-gen"
check "a failing generator: mappe demo fails" 6 \
	"$T/alone/mappe" --db "$T/demo3" --user ada demo --cases 3 --script "$T/quit.keys"
if [ ! -e "$T/demo3/data.mdb" ]; then ok "and makes no store"; else
	not_ok "and makes no store"; fi
echo "1..$_n"
