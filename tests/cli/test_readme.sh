#!/usr/bin/env bash
# README.md tells a new user what mappe prints: its first session and its
# screenshot must be what the commands really print, and every command it
# names must run. A failure shows the README's lines beside the real ones;
# fix the README to match (or, if the README shows what mappe should do,
# fix mappe).
. "$(dirname "$0")/lib.sh"
top=$(cd "$(dirname "$0")/../.." && pwd)
README=$top/README.md
PY=/usr/bin/python3
unset MAPPE_DB MAPPE_USER LANGUAGE
export LC_ALL=C.UTF-8 # the README is in English
# The demo's deadlines are those of a day: the README shows 1 December 2026.
export MAPPE_TODAY=2026-12-01
# make -n below must not join a make that runs this test (make check).
unset MAKEFLAGS MFLAGS MAKELEVEL

# ---- "A first session", typed on a terminal ----------------------------------------------
# As a user of a fresh checkout: ./mappe and ./mappe-gen are what make built.
mkdir -p "$T/work"
ln -s "$MAPPE" "$T/work/mappe"
ln -s "$GEN" "$T/work/mappe-gen"
if ! "$PY" -c 'import pexpect' 2>/dev/null; then
	echo "ok 1 - README's first session # SKIP no pexpect for $PY"
	_n=1
else
	while IFS= read -r line; do
		case $line in
		"ok	"*) ok "${line#ok	}" ;;
		"not ok	"*) not_ok "${line#not ok	}" ;;
		*) echo "$line" ;;
		esac
	done < <("$PY" "$top/tests/cli/readme_session.py" "$README" "$T/work" 2>&1)
fi

# ---- the screenshots: the demo store at 80x24 -------------------------------------------
# The block under "## The case list" is what `mappe demo` shows, and the one
# under "## The leader's year" what `y` shows then (the README says how they
# are made: user ada, 80x24, the demo's 300 cases of seed 2026).
printf ':size 80x24\n:dump %s\ny\n:dump %s\nq\nq\n' "$T/demo.screen" "$T/dash.screen" >"$T/shot.keys"
(cd "$T/work" && ./mappe --user ada demo --script "$T/shot.keys" >/dev/null 2>"$T/err")
screenshot() { # section, what mappe dumped
	awk -v h="## $1" '$0 == h { on = 1; next } /^## / { on = 0 }
	     on && /^```/ { if (inblock) exit; inblock = 1; next }
	     on && inblock' "$README" | sed 's/[[:space:]]*$//' >"$T/readme.screen"
	sed -i 's/[[:space:]]*$//' "$2" 2>/dev/null
	# Blank rows at the bottom are no difference.
	for f in "$T/readme.screen" "$2"; do
		[ -f "$f" ] && sed -i -e :a -e '/^\n*$/{$d;N;ba' -e '}' "$f"
	done
	if [ ! -s "$T/readme.screen" ]; then
		not_ok "README has a screenshot under '## $1'"
	elif [ ! -s "$2" ]; then
		not_ok "README's screenshot of '$1': mappe demo dumped its screen" "$(head -c 300 "$T/err")"
	elif diff -u --label "README shows" --label "mappe demo shows at 80x24" \
		"$T/readme.screen" "$2" >"$T/diff"; then
		ok "README's screenshot under '$1' is what mappe demo shows at 80x24"
	else
		not_ok "README's screenshot under '$1' is what mappe demo shows at 80x24" \
			"$(head -60 "$T/diff" | sed '2,$s/^/#   /')"
	fi
}
screenshot "The case list" "$T/demo.screen"
screenshot "The leader's year" "$T/dash.screen"

# ---- "Two commands" and the demo ---------------------------------------------------------
for target in run check; do
	if make -C "$top" -n "$target" >/dev/null 2>&1; then ok "README: make $target is a target"; else
		not_ok "README: make $target is a target"; fi
done
if make -C "$top" -n run 2>/dev/null | grep -qx './mappe demo'; then
	ok "README: make run runs mappe demo"
else
	not_ok "README: make run runs mappe demo" "$(make -C "$top" -n run 2>&1 | tail -3)"
fi
# The demo just made above: where the README says, with the passphrase it says.
expect_in "$T/err" "README: mappe demo makes 300 invented cases" "300 invented cases"
expect_in "$T/err" "README: mappe demo prints its passphrase" 'passphrase "mappe demo store"'
if [ -f "$HOME/.local/share/mappe-demo/data.mdb" ]; then ok "README: the demo store is ~/.local/share/mappe-demo"; else
	not_ok "README: the demo store is ~/.local/share/mappe-demo" "$(find "$HOME" -maxdepth 3 | head)"; fi

# Every make target and every file of the project the README names.
for target in $(grep -oE '`make [a-z]+' "$README" | sed 's/`make //' | sort -u); do
	if grep -qE "^$target:" "$top/Makefile"; then ok "README: make $target is in the Makefile"; else
		not_ok "README: make $target is in the Makefile"; fi
done
for f in $(grep -o '`[A-Za-z0-9_.-]*/[A-Za-z0-9_./-]*\.[a-z]*`\|`[A-Z]*\.md`' "$README" |
	tr -d '`' | grep -v '^/' | sort -u); do
	if [ -f "$top/$f" ]; then ok "README: $f exists"; else not_ok "README: $f exists"; fi
done
# The folders of "## Layout".
for d in $(sed -n '/^## Layout/,/^## /p' "$README" | grep -oE '^    [a-z/]+/ ' | tr -d ' '); do
	if [ -d "$top/$d" ]; then ok "README: $d is a folder"; else not_ok "README: $d is a folder"; fi
done

# ---- the commands table ------------------------------------------------------------------
# Every command the README lists explains itself.
sed -n '/^## Commands/,/^## /p' "$README" | grep -o '^| `mappe [a-z]*\( [a-z]*\)\?' |
	sed 's/^| `mappe //' | sort -u >"$T/commands"
[ -s "$T/commands" ] || not_ok "README lists commands"
while read -r c; do
	case $c in "keys status" | "keys rotate" | "user add" | "user revoke" | "user list" | "note add") ;;
	*) c=${c%% *} ;;
	esac
	# shellcheck disable=SC2086 # a command of two words is two arguments
	check "README: mappe $c --help" 0 "$MAPPE" $c --help
done <"$T/commands"
if [ -f "$top/docs/mappe.1" ]; then ok "README: man docs/mappe.1 exists"; else not_ok "README: man docs/mappe.1 exists"; fi

# And they run, on a store like the first session's (fd passphrases: a script).
new_store
"$GEN" --count 20 >"$T/cases.csv"
check "README: mappe-gen --count 20" 0 "$GEN" --count 20
check "README: import cases.csv" 0 admin import "$T/cases.csv"
check "README: find" 0 admin find <<<"olena"
check "README: find --json" 0 admin find --json <<<"olena"
check "README: show 1" 0 admin show 1
check "README: show 1 --json" 0 admin show 1 --json
check "README: update 1" 0 admin update 1 <<<'{"phone": "+4791234567"}'
check "README: a stale update is exit 4" 4 admin update 1 <<<'{"_version": 1, "phone": "+4791234568"}'
check "README: note add 1" 0 admin note add 1 <<<"A note."
check "README: user add" 0 admin user add kari --role caseworker --new-passphrase-fd 4 4<<<"initial pass kari"
check "README: user list" 0 admin user list
check "README: user grant kari protected" 0 admin user grant kari protected
check "README: user ungrant kari protected" 0 admin user ungrant kari protected
check "README: passwd" 0 "$MAPPE" --db "$DB" --user kari passwd --passphrase-fd 3 --new-passphrase-fd 4 \
	3<<<"initial pass kari" 4<<<"kari's own passphrase"
check "README: keys status" 0 admin keys status
check "README: keys rotate" 0 admin keys rotate
check "README: keys rotate --class health" 0 admin keys rotate --class health
check "README: keys rotate --class authority" 0 admin keys rotate --class authority
check "README: migrate" 0 admin migrate
check "README: upgrade" 0 admin upgrade
check "README: check" 0 admin check
check "README: user revoke kari" 0 admin user revoke kari
# A list: placements.1.employer, ... in CSV; an array of objects in JSON Lines.
printf 'given_name,family_name,birth_date,placements.1.employer,placements.1.org_number\n' >"$T/lists.csv"
printf 'Ana,Lista,1990-01-02,Kommunen,974760673\n' >>"$T/lists.csv"
check "README: import a list in CSV" 0 admin import "$T/lists.csv"
printf '{"given_name": "Ben", "family_name": "Lista", "birth_date": "1991-02-03", "placements": [{"employer": "Kommunen", "org_number": "974760673"}]}\n' >"$T/lists.jsonl"
check "README: import a list in JSON Lines" 0 admin import "$T/lists.jsonl" --format jsonl
echo "1..$_n"
