#!/usr/bin/env bash
# The house (issue 8): which library each program links. The pure part of
# store/ (record model, validation, formats, folding) and its unit tests link
# neither LMDB nor libsodium; the generator of invented people is not in mappe.
. "$(dirname "$0")/lib.sh"
B=$(dirname "$MAPPE")
top=$(cd "$(dirname "$0")/../.." && pwd)

links() { # FILE LIB: the dynamic section of FILE needs LIB
	objdump -p "$1" 2>/dev/null | grep -q "NEEDED *$2"
}
for t in test_catalogue test_validate test_formats test_fold; do
	if [ ! -x "$B/tests/$t" ]; then
		not_ok "$t is built"
	elif links "$B/tests/$t" liblmdb || links "$B/tests/$t" libsodium; then
		not_ok "$t links neither LMDB nor libsodium" "$(objdump -p "$B/tests/$t" | grep NEEDED | tr -s ' ' | tr '\n' ' ')"
	else
		ok "$t links neither LMDB nor libsodium"
	fi
done
if links "$GEN" liblmdb || links "$GEN" libsodium; then
	not_ok "the generator links neither LMDB nor libsodium"
else
	ok "the generator links neither LMDB nor libsodium"
fi
links "$MAPPE" liblmdb && links "$MAPPE" libsodium && ok "mappe links LMDB and libsodium" ||
	not_ok "mappe links LMDB and libsodium"

# The pure archive holds no symbol of LMDB, libsodium or the store's state.
pure=$B/libmappe-pure.a
if [ ! -f "$pure" ]; then
	not_ok "libmappe-pure.a is built"
else
	undef=$(nm -u "$pure" 2>/dev/null | awk '$1 == "U" {print $2}' | sort -u)
	defined=$(nm --defined-only "$pure" 2>/dev/null | awk 'NF == 3 {print $3}' | sort -u)
	outside=$(comm -23 <(echo "$undef") <(echo "$defined") | grep -Ev '^(__|_)' |
		grep -E '^(mdb_|sodium_|crypto_|randombytes|keys_|st_|store_|case_|search_|nid_)' || true)
	if [ -z "$outside" ]; then ok "libmappe-pure.a needs nothing from the store, keys, LMDB or libsodium"; else
		not_ok "libmappe-pure.a needs nothing from the store, keys, LMDB or libsodium" "$(echo $outside)"; fi
fi

# The layer rule: each of <lmdb.h>, <sodium.h>, curses in one folder, and
# the pure files include none of them, nor store/private.h.
cd "$top" || exit 1
bad=$(grep -rlE '#include <lmdb\.h>' keys tui tests/gen 2>/dev/null)
[ -z "$bad" ] && ok "only store/ includes lmdb.h" || not_ok "only store/ includes lmdb.h" "$bad"
bad=$(grep -rlE '#include <sodium\.h>' store tui tests/gen 2>/dev/null)
[ -z "$bad" ] && ok "only keys/ includes sodium.h" || not_ok "only keys/ includes sodium.h" "$bad"
bad=$(grep -rlE '#include <n?curses' keys store tests/gen 2>/dev/null)
[ -z "$bad" ] && ok "only tui/ includes curses" || not_ok "only tui/ includes curses" "$bad"
bad=$(grep -lE '#include "(store/private\.h|keys/keys\.h)"' store/catalogue.c store/clock.c \
	store/validate.c store/formats.c store/fold.c store/catalogue.h store/validate.h \
	store/formats.h store/fold.h 2>/dev/null)
[ -z "$bad" ] && ok "the pure files include neither store/private.h nor keys/keys.h" ||
	not_ok "the pure files include neither store/private.h nor keys/keys.h" "$bad"

# The files of store/ form layers (store/private.h): object A needs object B
# when one of A's undefined symbols is defined in B. A cycle means two files
# that can only change together; tsort names its members. Only the objects
# of today's sources count (a build directory may keep a removed file's).
objs=
for c in "$top"/store/*.c; do
	o=$B/store/$(basename "$c" .c).o
	[ -f "$o" ] && objs="$objs $o"
done
if [ -z "$objs" ]; then
	not_ok "store/*.o are built"
else
	for o in $objs; do
		n=$(basename "$o" .o)
		nm --defined-only "$o" | awk -v n="$n" 'NF == 3 && $2 ~ /^[TDBRC]$/ {print $3, n}'
	done | sort -k1,1 >"$T/defs"
	for o in $objs; do
		n=$(basename "$o" .o)
		nm -u "$o" | awk -v n="$n" '$1 == "U" {print $2, n}'
	done | sort -k1,1 >"$T/uses"
	join "$T/uses" "$T/defs" | awk '$2 != $3 {print $2, $3}' | sort -u >"$T/edges"
	if tsort "$T/edges" >/dev/null 2>"$T/loop"; then
		ok "the files of store/ need each other without a cycle"
	else
		cycle=$(awk '/input contains a loop/ {if (seen++) exit; next} seen {print $2}' "$T/loop" |
			tr '\n' ' ')
		not_ok "the files of store/ need each other without a cycle" "cycle: $cycle"
	fi
fi
# Errors are codes (store/errors.def): no file of store/ writes an English
# sentence for its caller, and tui/ never reads the English back.
bad=$(grep -nE 'st_fail\(|snprintf\((err|[a-z]+->err),|char \*err, size_t errlen' store/*.c store/*.h 2>/dev/null)
[ -z "$bad" ] && ok "store/ reports failures as codes, not sentences" ||
	not_ok "store/ reports failures as codes, not sentences" "$(echo "$bad" | head -3)"
bad=$(grep -rnE --include='*.c' 'str(n?cmp|str)\([^;]*(store_error|tui_error|what|msg)\b' tui/ 2>/dev/null)
[ -z "$bad" ] && ok "tui/ does not match the store's messages" ||
	not_ok "tui/ does not match the store's messages" "$(echo "$bad" | head -3)"
# One screen, one file, one ops table, one list (issue 9): every file in
# tui/screens/ is named once in tui/screens.def and ends in its ops table,
# and every screen the list names has its file.
bad=
listed=$(sed -n 's/^SCREEN(\([a-z_]*\))$/\1/p' tui/screens.def)
for f in tui/screens/*.c; do
	name=$(basename "$f" .c)
	[ "$(grep -cx "$name" <<<"$listed")" = 1 ] || bad="$bad $name:not-listed-once"
	last=$(grep -n '^const struct view_ops ' "$f" | tail -1)
	[ "${last#*:}" = "const struct view_ops ${name}_ops = {" ] || bad="$bad $name:no-ops"
	# nothing but the table after it
	tail -n +"${last%%:*}" "$f" | sed '1d' | grep -qvE '^(    \.|             |\};$|$)' &&
		bad="$bad $name:not-last"
done
for name in $listed; do [ -f "tui/screens/$name.c" ] || bad="$bad $name:no-file"; done
[ -n "$listed" ] && [ -z "$bad" ] && ok "each screen is one file ending in its ops table, listed once" ||
	not_ok "each screen is one file ending in its ops table, listed once" "$bad"
echo "1..$_n"
