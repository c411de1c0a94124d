#!/usr/bin/env bash
# Small points from issue 12's tryout: a misspelt option is named on one
# line (not the whole usage); a date option's error names both ways a date
# may be written, as the parser takes both.
. "$(dirname "$0")/lib.sh"

new_store || not_ok "create the store"
check "a misspelt option" 1 admin show 1 --jsn
[ "$(wc -l <"$T/err")" = 1 ] && ok "one line on stderr" || not_ok "one line on stderr" "$(head -5 "$T/err")"
expect_in "$T/err" "it names the option and where to look" "unknown option '--jsn'; see mappe --help"
expect_not_in "$T/err" "not the whole usage" "commands:"
check "a misspelt option with a value" 1 admin audit --sinse=2026-01-01
expect_in "$T/err" "named without its value" "unknown option '--sinse'; see"
check "an option without its value" 1 admin show 1 --purpose
expect_in "$T/err" "says it needs one" "option '--purpose' needs a value; see mappe --help"
check "an unknown short option" 1 "$MAPPE" -x
expect_in "$T/err" "named too" "unknown option '-x'"
check "a date in neither form" 1 admin audit --since 2026/01/01
expect_in "$T/err" "both forms named" "--since: must be a date written DD.MM.YYYY or YYYY-MM-DD"
check "the Norwegian form is taken" 0 admin audit --since 01.01.2026
check "a day that does not exist" 1 admin audit --since 31.02.2026
expect_in "$T/err" "says so" "that day does not exist in that month"
echo "1..$_n"
