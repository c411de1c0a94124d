#!/usr/bin/env bash
# The security review of 2026-12-01 (issue 9's changes): each check is a
# finding and failed before its fix.
. "$(dirname "$0")/lib.sh"

new_store
enrol kari caseworker "kari's passphrase"
KARI=(as kari "kari's passphrase")
enrol ola caseworker "ola's passphrase"

# ---- R1: a re-enrolment erases a revocation whose rotation never ran -------
# ola is revoked while another rotation holds rotate.lock: the revocation's own
# rotation fails ("another key rotation is running"), and the revoked record
# is the only thing that says ola's classes still need one. Enrolling ola (or
# a new person with the same login) again replaces it: nothing rotates the
# keys ola held, and the new keyslot gets those very epochs.
before=$(admin keys status 2>/dev/null)
exec 9>"$DB/rotate.lock"
flock -n 9
check "R1: revoke ola while a rotation runs (its rotation cannot start)" 6 admin user revoke ola
exec 9>&-
admin user add ola --role caseworker --new-passphrase-fd 4 4<<<"a new pass for ola" >"$T/out" 2>"$T/err"
readd=$?
after=$(admin keys status 2>/dev/null)
if [ "$readd" -ne 0 ] || [ "$before" != "$after" ]; then
	ok "R1: no re-enrolment onto the epochs a revoked user held (refused, or rotated first)"
else
	not_ok "R1: no re-enrolment onto the epochs a revoked user held (refused, or rotated first)" \
		"user add succeeded and every class is still at the epoch ola held"
fi

# ---- R2: show --json fed back to update (cli.md's round trip) ---------------
# (a) A caseworker's show --json lists "_locked": ["address_protection", ...]
# (the health and protected fields), and update's JSON reader refuses an
# array of strings ("expected an object in the array") before it could skip
# _locked: the round trip fails for everyone who lacks a key.
echo '{"given_name": "Zqxa", "family_name": "Test"}' | "${KARI[@]}" add >"$T/out" 2>/dev/null
id=$(cat "$T/out")
"${KARI[@]}" show "$id" --json >"$T/case.json" 2>/dev/null
check "R2a: a caseworker's show --json (with _locked) is taken back by update" 0 \
	"${KARI[@]}" update "$id" <"$T/case.json"
# (b) The caseworker check runs before unchanged values are dropped: the
# round trip fails for every case whose caseworker was revoked (or imported
# before being enrolled), though nobody changed the caseworker. (As admin:
# nothing is _locked.)
enrol tove caseworker "tove's passphrase"
echo '{"caseworker": "tove"}' | admin update "$id" >/dev/null 2>&1
admin user revoke tove >/dev/null 2>&1
admin show "$id" --json >"$T/case.json" 2>/dev/null
check "R2b: show --json fed back to update works when the caseworker was revoked" 0 \
	admin update "$id" <"$T/case.json"

# ---- R4: mappe check prints a planted record's name raw ---------------------
# A format 1 user record planted in the file (schema >= 4) is reported with
# its key as it is: an ESC in it reaches the administrator's terminal, since
# check's report goes through printf, not text_write_safe.
if command -v mdb_load >/dev/null; then
	# key ESC ] 0 ; pwned BEL, value: version 1, role 0, then zeros to
	# USER_BYTES_V1 (4 + 8 + 32 + 108 = 152 bytes)
	val="0100$(printf '%0300d' 0)"
	printf 'VERSION=3\nformat=bytevalue\ntype=btree\nHEADER=END\n 1b5d303b70776e656407\n %s\nDATA=END\n' "$val" |
		mdb_load -s users "$DB" 2>"$T/load.err"
	admin check >"$T/out" 2>"$T/err"
	if grep -q $'\x1b' "$T/out" "$T/err"; then
		not_ok "R4: check names a planted record without its escape sequence" "ESC reached the output"
	elif grep -q "pwned" "$T/out" "$T/err"; then
		ok "R4: check names a planted record without its escape sequence"
	else
		not_ok "R4: check names a planted record without its escape sequence" \
			"not reported: $(head -c 300 "$T/out" "$T/err" "$T/load.err")"
	fi
fi
echo "1..$_n"
