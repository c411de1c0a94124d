#!/usr/bin/env bash
# The authority key (issue 7, finding 16) through the command line: revoking
# an administrator replaces it, keys status names who has not moved to the
# new one, each login moves, and --class authority replaces it on request.
. "$(dirname "$0")/lib.sh"

new_store
"$GEN" --seed 5 --count 20 >"$T/cases.csv"
admin import "$T/cases.csv" >/dev/null 2>&1 || not_ok "set up the store"
KARI="kari's own passphrase"
BO="bo's own passphrase"
enrol kari caseworker "$KARI"
enrol bo admin "$BO"

check "revoking an administrator" 0 admin user revoke bo
expect_in "$T/err" "replaces the authority key" "the authority key is replaced (epoch 1)"
check "keys status after it" 0 admin keys status
expect_in "$T/out" "shows the authority's epoch" "authority  epoch 1"
expect_in "$T/out" "and who has not logged in since" "not logged in since it was replaced: kari"
check "kari logs in" 0 as kari "$KARI" show 3
check "keys status --json" 0 admin keys status --json
expect_in "$T/out" "no one is left on the old authority" '{"authority_epoch": 1, "not_moved": []}'
check "bo's passphrase opens nothing" 2 as bo "$BO" show 3

check "a caseworker may not replace it" 2 as kari "$KARI" keys rotate --class authority
check "keys rotate --class authority" 0 admin keys rotate --class authority
expect_in "$T/err" "to epoch 2" "the authority key is replaced (epoch 2)"
check "kari follows it to epoch 2" 0 as kari "$KARI" show 3
check "check passes" 0 admin check
check "upgrade on a current store" 0 admin upgrade
expect_in "$T/out" "says there is nothing to do" "already at schema 9"
check "a caseworker may not upgrade" 2 as kari "$KARI" upgrade

echo "1..$_n"
