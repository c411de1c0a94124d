#!/usr/bin/env bash
# Issue 7, finding 2: stored terminal injection. A note (or value) holding
# escape sequences, C1 controls, bidi overrides or blank-looking fillers is
# refused with a message that names the field and the character; and text
# planted below that check (tests/plant: an older mappe's data, or another
# program's) reaches no terminal raw: show and find escape it, and show
# --json and find --json stay valid JSON.
. "$(dirname "$0")/lib.sh"
PLANT=$(dirname "$GEN")/plant
PY=/usr/bin/python3

# term_safe FILE: valid UTF-8, and no C0 but \n and \t, no DEL, C1, U+2028/9,
# bidi control or tag character
term_safe() {
	"$PY" - "$1" <<'EOF'
import sys
try:
    t = open(sys.argv[1], 'rb').read().decode('utf-8')
except UnicodeDecodeError as e:
    sys.exit('not UTF-8: %s' % e)
for c in t:
    o = ord(c)
    if (o < 32 and c not in '\n\t') or 0x7f <= o <= 0x9f or 0x2028 <= o <= 0x202e \
            or 0x2066 <= o <= 0x2069 or 0xe0000 <= o <= 0xe007f:
        sys.exit('raw U+%04X' % o)
EOF
}
expect_safe() { # FILE NAME
	local why
	if why=$(term_safe "$1" 2>&1); then ok "$2"; else not_ok "$2" "$why"; fi
}
# expect_json FILE NAME: one JSON document per line, in strict UTF-8 (Python's
# stdin would let invalid bytes through as surrogate escapes)
expect_json() {
	local why
	if why=$("$PY" -c 'import json,sys
for l in sys.stdin.buffer.read().decode("utf-8").splitlines():
    json.loads(l)' <"$1" 2>&1); then ok "$2"; else not_ok "$2" "$(echo "$why" | tail -1)"; fi
}

new_store
printf 'given_name,family_name,address\nKari,Nordmann,"Storgata 1\n0155 Oslo"\n' >"$T/one.csv"
check "a case to write notes on" 0 admin import "$T/one.csv"

# ---- in: refused, with the field and the character named --------------------
printf 'Besøk.\033[2J\033]0;mappe\007\033[8mPassphrase: ' >"$T/esc.txt"
check "note add refuses ESC sequences (exit 5)" 5 admin note add 1 <"$T/esc.txt"
expect_in "$T/err" "naming the note and the character" "note: contains a control character (U+001B)"
expect_safe "$T/err" "the message echoes none of it"
expect_not_in "$T/err" "nor any of the text" "Passphrase"
check "note add refuses a C1 control" 5 admin note add 1 < <(printf 'csi \302\2332J')
expect_in "$T/err" "naming U+009B" "note: contains a control character (U+009B)"
check "note add refuses a bidi override" 5 admin note add 1 < <(printf 'see \342\200\256gpj.exe')
expect_in "$T/err" "naming U+202E" "note: contains a bidirectional control character (U+202E)"
check "note add refuses a bidi isolate" 5 admin note add 1 < <(printf 'x \342\201\246y')
expect_in "$T/err" "naming U+2066" "(U+2066)"
check "note add refuses a note that only looks blank (U+3164)" 5 admin note add 1 < <(printf '\343\205\244')
expect_in "$T/err" "saying so" "note: must not be blank"
check "note add refuses invalid UTF-8" 5 admin note add 1 < <(printf 'bad \303\050')
expect_in "$T/err" "saying so" "note: is not valid UTF-8 text"
check "a Persian note with ZWNJ, a tab and CRLF is kept" 0 admin note add 1 < <(printf 'دیدار با محمد\342\200\214رضا\r\n\tneste steg\n')
check "show" 0 admin show 1
expect_in "$T/out" "with its ZWNJ" "$(printf 'محمد\342\200\214رضا')"
expect_not_in "$T/out" "the CR of the CRLF is gone" "$(printf '\r')"
check "nothing refused was stored" 0 admin show 1 --json
n=$("$PY" -c 'import json,sys; print(len(json.load(sys.stdin)["notes"]))' <"$T/out")
[ "$n" = 1 ] && ok "one note, the good one" || not_ok "one note, the good one" "$n notes"

printf 'given_name,family_name\n\342\200\256iraK,Nordmann\n' >"$T/bidi.csv"
check "import refuses a bidi override in a name" 5 admin import "$T/bidi.csv"
expect_in "$T/err" "naming line, field and character" \
	"bidi.csv:2: field given_name: contains a bidirectional control character (U+202E)"
printf 'given_name,family_name\nKari,\343\205\244\n' >"$T/blank.csv"
check "import refuses a name that only looks blank" 5 admin import "$T/blank.csv"
expect_in "$T/err" "naming the field" "blank.csv:2: field family_name: must not be blank"
printf 'given_name,family_name\nKari\343\205\244,Nordmann\n' >"$T/filler.csv"
check "import refuses a Hangul filler inside a name" 5 admin import "$T/filler.csv"
expect_in "$T/err" "naming the field" "field given_name: contains an invisible character"
printf 'municipality\nOs\tlo\n' >"$T/tab.csv"
check "import refuses a tab in a one-line field" 5 admin import "$T/tab.csv"
expect_in "$T/err" "naming the field" "field municipality: contains a tab"
check "update refuses an escaped ESC" 5 admin update 1 < <(printf '{"address": "Storgata 1\\u001b[2J"}')
expect_in "$T/err" "naming the field and character" "field address: contains a control character (U+001B)"
check "update refuses an escaped isolate" 5 admin update 1 < <(printf '{"municipality": "\\u2067Oslo"}')
expect_in "$T/err" "naming the field and character" "(U+2067)"

# A file name is user-supplied text in a message too.
check "a missing file with ESC in its name" 5 admin import "$T/$(printf 'x\033]0;owned\007.csv')"
expect_safe "$T/err" "is named escaped"
expect_in "$T/err" "visibly" "x<U+001B>]0;owned<U+0007>.csv"

# ---- out: planted below validation, printed escaped -----------------------------
printf 'a\033[2J\033]0;owned\007\033[8m\302\23331m\302\205\177\342\200\256gpj.exe\363\240\201\201\377\303\050\355\240\200\nPassphrase: ' >"$T/hostile"
"$PLANT" "$DB" ada note 1 "$(printf 'ev\033[5mil')" <"$T/hostile" 3<<<"$ADMIN_PASS" &&
	ok "planted a hostile note below validation" || not_ok "planted a hostile note below validation"
check "show with the planted note" 0 admin show 1
expect_safe "$T/out" "show prints no raw ESC, C1, bidi control or invalid UTF-8"
expect_in "$T/out" "but shows what is there" "a<U+001B>[2J<U+001B>]0;owned<U+0007><U+001B>[8m<U+009B>31m<U+0085><U+007F><U+202E>gpj.exe<U+E0041>"
expect_in "$T/out" "invalid bytes as U+FFFD" "$(printf '\357\277\275(')"
expect_in "$T/out" "the author escaped too" "ev<U+001B>[5mil"
expect_in "$T/out" "the next line indented under the note" "    Passphrase: "
check "show --json with the planted note" 0 admin show 1 --json
expect_json "$T/out" "show --json output parses as JSON"
"$PY" -c 'import json,sys; json.load(sys.stdin)' <"$T/out" &&
	ok "json.load(sys.stdin) takes it" || not_ok "json.load(sys.stdin) takes it"
expect_safe "$T/out" "show --json prints no raw control or bidi character"
expect_in "$T/out" "ESC as \\u001b" '\u001b[2J'
expect_in "$T/out" "C1 as \\u009b" '\u009b31m'
expect_in "$T/out" "invalid UTF-8 as \\ufffd" '\ufffd('

id=$("$PLANT" "$DB" ada case <"$T/hostile" 3<<<"$ADMIN_PASS") &&
	ok "planted a case with a hostile name and address" || not_ok "planted a case with a hostile name and address"
check "show of the planted case" 0 admin show "$id"
expect_safe "$T/out" "show escapes the name and the address"
expect_in "$T/out" "the address's next line indented" "                           Passphrase: "
check "show --json of the planted case" 0 admin show "$id" --json
expect_json "$T/out" "parses as JSON"
expect_safe "$T/out" "and is safe on a terminal"
check "find lists the planted case" 0 admin find < <(echo a)
# After the id, a mark for a close or loose match (find's help).
if grep -qE "^ *$id[ ~?] " "$T/out"; then ok "with its id"; else
	not_ok "with its id" "$(head -c 300 "$T/out")"; fi
expect_safe "$T/out" "find prints no raw control or bidi character"
expect_in "$T/out" "find escapes the newline in a name too" "<U+000A>Passphrase"
check "find --json" 0 admin find --json < <(echo a)
expect_json "$T/out" "find --json output parses as JSON lines"
expect_safe "$T/out" "find --json prints no raw control or bidi character"
check "check still authenticates everything" 0 admin check

printf 'ev\033[2J\033]0;owned\007il' | "$PLANT" "$DB" ada user 3<<<"$ADMIN_PASS" &&
	ok "planted a user record under a hostile name" || not_ok "planted a user record under a hostile name"
# A name mappe never accepts is a planted record: user list refuses it,
# naming it escaped.
check "user list refuses the planted record" 3 admin user list
expect_safe "$T/err" "and names it escaped"
expect_in "$T/err" "visibly" "ev<U+001B>[2J<U+001B>]0;owned<U+0007>il"

# ---- the screens: a cell is what the terminal is sent ---------------------------
# The list, case 1 with the planted note and the planted case, dumped from
# curses' own cells (the scripted mode of tests/screens): the list wide
# enough for the whole planted name beside the next-deadline column; End
# scrolls case 1 to its journal's end, below the lists.
cat >"$T/escape.keys" <<EOF
:size 120x24
:dump $T/screen-list
:size 80x24
<Enter>
<End>
:dump $T/screen-case1
q
<Down>
<Enter>
:dump $T/screen-case2
e
:dump $T/screen-edit2
q
q
EOF
check "the screens open the planted cases" 0 admin --script "$T/escape.keys"
expect_in "$T/screen-case2" "the second is the planted case" "Case $id "
for s in list case1 case2; do
	expect_safe "$T/screen-$s" "the $s screen draws no control, bidi or tag character"
done
expect_in "$T/screen-case1" "but a replacement character where one was" "$(printf 'owned\357\277\275\357\277\275')"
expect_in "$T/screen-edit2" "editing it names the field that is not UTF-8" \
	"Given name: the stored value is not valid UTF-8 text"
expect_in "$T/screen-list" "the list shows the planted name escaped" "$(printf '\357\277\275gpj.exe')"

echo "1..$_n"
