#!/usr/bin/env bash
# A long journal (issue 7, finding 6): the case view shows the newest page of
# notes and pages back with o and forward with End; mappe show prints every
# note, page by page. (The 50 000-note case is test_store's
# test_notes_50000; here 45 notes are enough for three pages of 20.)
. "$(dirname "$0")/lib.sh"

new_store || not_ok "create the store"
printf 'given_name,family_name,birth_date\nZqxjournal,Testesen,1990-01-01\n' >"$T/one.csv"
admin import "$T/one.csv" >/dev/null || not_ok "import the case"
for i in $(seq -w 0 44); do
	printf 'journal-%s text\n' "$i" | admin note add 1 --kind phone >/dev/null 2>&1 ||
		not_ok "note $i"
done

check "show prints the case with 45 notes" 0 admin show 1
n=$(grep -c "journal-[0-9][0-9] text" "$T/out")
[ "$n" = 45 ] && ok "every note, once" || not_ok "every note, once" "$n notes"
grep -o "journal-[0-9][0-9]" "$T/out" >"$T/order"
seq -f "journal-%02g" 0 44 >"$T/want"
cmp -s "$T/order" "$T/want" && ok "oldest first" || not_ok "oldest first"
check "show --json prints them all" 0 admin show 1 --json
if /usr/bin/python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); sys.exit(len(d["notes"]) != 45)' "$T/out"; then
	ok "as valid JSON with 45 notes"
else
	not_ok "as valid JSON with 45 notes"
fi

# The UI: open the case, page back twice, then to the newest page again.
cat >"$T/journal.keys" <<'EOF'
/zqxjournal
<Enter>
:dump journal-0
o
:dump journal-1
o
:dump journal-2
<End>
:dump journal-3
q
q
EOF
(cd "$T" && admin --script "$T/journal.keys") >/dev/null 2>&1 ||
	not_ok "the journal script runs"
screen() { # dump name text
	if grep -qF -- "$3" "$T/$1"; then ok "$2"; else not_ok "$2" "'$3' not on screen $1"; fi
}
no_screen() {
	if grep -qF -- "$3" "$T/$1"; then not_ok "$2" "'$3' on screen $1"; else ok "$2"; fi
}
for d in journal-0 journal-1 journal-2 journal-3; do
	[ -f "$T/$d" ] || not_ok "screen $d dumped"
	touch "$T/$d"
done
screen journal-0 "the case view opens on the newest page" "25 older notes: o shows the page before"
screen journal-0 "from note 25" "journal-25 "
no_screen journal-0 "not the first notes" "journal-00 "
screen journal-1 "o: the page before, scrolled to the journal" "Journal"
screen journal-1 "which says how many are older" "5 older notes: o shows the page before"
screen journal-1 "and begins at note 5" "journal-05 "
no_screen journal-1 "not at note 4" "journal-04 "
screen journal-2 "o again: the first page" "journal-00 "
no_screen journal-2 "with no older notes" "older notes"
screen journal-3 "End: the newest page again" "25 older notes: o shows the page before"
screen journal-3 "from note 25" "journal-25 "

# Long notes: a page stops at 512 KiB of text, so it holds fewer than 20.
# The view still opens on the newest notes, and paging back skips none.
printf 'given_name,family_name,birth_date\nZqxlong,Testesen,1991-01-01\n' >"$T/two.csv"
admin import "$T/two.csv" >/dev/null || not_ok "import the second case"
for i in $(seq -w 0 11); do
	{ printf 'long-%s ' "$i"; head -c 61440 /dev/zero | tr '\0' 'x'; echo; } |
		admin note add 2 >/dev/null 2>&1 || not_ok "long note $i"
done
check "show prints every long note" 0 admin show 2
n=$(grep -c "long-[0-9][0-9] x" "$T/out")
[ "$n" = 12 ] && ok "all 12" || not_ok "all 12" "$n notes"
cat >"$T/long.keys" <<'EOF'
/zqxlong
<Enter>
:dump long-0
o
:dump long-1
q
q
EOF
(cd "$T" && admin --script "$T/long.keys") >/dev/null 2>&1 || not_ok "the long-notes script runs"
touch "$T/long-0" "$T/long-1"
# 60 KiB a note: 8 to a page
screen long-0 "long notes: the view opens on the newest page" "4 older notes: o shows the page before"
screen long-0 "which starts at note 4" "long-04 x"
no_screen long-0 "and claims no newer notes" "newer notes"
screen long-1 "o: the page right before it" "long-00 x"
no_screen long-1 "with nothing older" "older notes"

# The journal is the case's first list in JSON: every note an item with its
# "_item", append-only. show --json fed back to update leaves it as it was.
check "show --json of a case with notes" 0 admin show 2 --json
grep -q '"notes": \[{"_item": 1, ' "$T/out" && ok "each note is an item with its _item" ||
	not_ok "each note is an item with its _item" "$(head -c 200 "$T/out")"
grep -q '"_item": 12, ' "$T/out" && ok "numbered through the journal, page after page" ||
	not_ok "numbered through the journal, page after page"
cp "$T/out" "$T/shown.json"
check "show --json fed back to update" 0 admin update 2 <"$T/shown.json"
expect_in "$T/err" "says there was nothing to change" "nothing to change"
check "leaves the journal as it was" 0 admin show 2 --json
# Nothing differed, so nothing was saved: not even a new version.
cmp -s "$T/out" "$T/shown.json" && ok "the same case, version and journal after" ||
	not_ok "the same case, version and journal after" "$(diff "$T/out" "$T/shown.json" | head -c 300)"
sed 's/{"_item": 12, /{/' "$T/shown.json" >"$T/new-note.json"
check "a note without _item in an update is refused" 5 admin update 2 <"$T/new-note.json"
expect_in "$T/err" "with the way notes go in" "mappe note add"
sed 's/{"_item": 12, /{"_item": 12, "_remove": true, /' "$T/shown.json" >"$T/rm-note.json"
check "and so is removing one" 5 admin update 2 <"$T/rm-note.json"
check "the journal still has its 12 notes" 0 admin show 2 --json
[ "$(grep -o '"_item": ' "$T/out" | wc -l)" = 12 ] && ok "all 12, none lost" || not_ok "all 12, none lost"
echo "1..$_n"
