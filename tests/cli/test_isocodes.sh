#!/usr/bin/env bash
# store/isocodes.def (country and language names) is what scripts/isocodes.py
# makes of the iso-codes installed, when it is the version the file was made
# from; another version is a reminder to regenerate, not a failure.
. "$(dirname "$0")/lib.sh"
top=$(cd "$(dirname "$0")/../.." && pwd)
def=$top/store/isocodes.def

made=$(sed -n 's/^ \* iso-codes \([^ ]*\) (Debian).*/\1/p' "$def")
have=$(dpkg-query -W -f='${Version}' iso-codes 2>/dev/null || true)
if [ -z "$have" ] || ! command -v python3 >/dev/null; then
	ok "isocodes.def is generated from iso-codes # SKIP iso-codes or python3 not installed"
elif [ "$have" != "$made" ]; then
	ok "isocodes.def is generated from iso-codes # SKIP made from $made, $have installed: run scripts/isocodes.py"
elif python3 "$top/scripts/isocodes.py" >"$T/isocodes.def" 2>"$T/err" &&
	diff -u "$def" "$T/isocodes.def" >"$T/diff"; then
	ok "isocodes.def is generated from iso-codes"
else
	not_ok "isocodes.def is generated from iso-codes" "$(head -c 400 "$T/diff" "$T/err")"
fi
grep -q '^COUNTRY("SY", "Syria", "Syria")$' "$def" && grep -q '^LANGUAGE("ar", "arabisk", "Arabic")$' "$def" &&
	ok "isocodes.def has Norwegian names" || not_ok "isocodes.def has Norwegian names"
echo "1..$_n"
