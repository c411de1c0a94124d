#!/usr/bin/env bash
# Norwegian, properly (issue 9): dates typed DD.MM.YYYY, enums by their
# labels, 8-digit phone numbers, a semicolon CSV with a byte order mark as
# Norwegian Excel saves it; files keep ids and ISO dates; show in Norwegian
# prints labels, ja/nei, DD.MM.YYYY and grouped numbers, its labels padded by
# display width; --help in Norwegian.
. "$(dirname "$0")/lib.sh"

new_store || not_ok "create the store"

# Excel (nb-NO) saves "CSV UTF-8" with a BOM, semicolons and local dates.
printf '\xef\xbb\xbfgiven_name;family_name;birth_date;status;phone;interpreter_needed\r\n' >"$T/excel.csv"
printf 'Åse;Ødegård;17.04.2001;bosatt;912 34 567;ja\r\n' >>"$T/excel.csv"
printf 'Bjørn;Ås;3.2.1999;I program;22123456;nei\r\n' >>"$T/excel.csv"
check "import a semicolon CSV with a BOM and DD.MM.YYYY dates" 0 admin import "$T/excel.csv"
[ "$(wc -l <"$T/out")" = 2 ] && ok "two cases" || not_ok "two cases" "$(cat "$T/out")"

check "show --json" 0 admin show 1 --json
expect_in "$T/out" "the file form keeps the ISO date" '"birth_date": "2001-04-17"'
expect_in "$T/out" "and the status id" '"status": "settled"'
expect_in "$T/out" "and the phone with +47" '"phone": "+4791234567"'
expect_in "$T/out" "and the boolean as true" '"interpreter_needed": true'
check "show --json of the second case" 0 admin show 2 --json
expect_in "$T/out" "D.M.YYYY is stored ISO too" '"birth_date": "1999-02-03"'
expect_in "$T/out" "a label in any case is its id" '"status": "in_programme"'
expect_in "$T/out" "a landline gets +47" '"phone": "+4722123456"'

printf 'given_name;birth_date\nCarl;30.02.2001\n' >"$T/bad.csv"
check "a day that does not exist is refused" 5 admin import "$T/bad.csv"
expect_in "$T/err" "naming the line and field" "birth_date"
printf 'given_name;birth_date\nCarl;17.04.01\n' >"$T/bad.csv"
check "a two-digit year is refused" 5 admin import "$T/bad.csv"
printf 'given_name;status\nCarl;bosat\n' >"$T/bad.csv"
check "a label misspelt is refused" 5 admin import "$T/bad.csv"

# update: what a caseworker types.
echo '{"tb_screening": "05.03.2024", "status": "avsluttet", "national_id": "150385 12363"}' >"$T/upd.json"
check "update with a Norwegian date and a status label" 0 admin update 1 <"$T/upd.json"
check "show --json after update" 0 admin show 1 --json
expect_in "$T/out" "the date is stored ISO" '"tb_screening": "2024-03-05"'
expect_in "$T/out" "the status by its id" '"status": "closed"'
expect_in "$T/out" "the national id without its space" '"national_id": "15038512363"'
check "update refuses a date that does not exist" 5 admin update 1 <<<'{"tb_screening": "32.01.2024"}'
check "nothing was written" 0 admin show 1 --json
expect_in "$T/out" "the date stands" '"tb_screening": "2024-03-05"'

# add takes them as update does.
check "add with a Norwegian date and a status label" 0 admin add <<<'{"given_name": "Kari", "birth_date": "1.2.1990", "status": "i program"}'
id=$(head -1 "$T/out")
check "show --json of the added case" 0 admin show "$id" --json
expect_in "$T/out" "added: the date ISO" '"birth_date": "1990-02-01"'
expect_in "$T/out" "added: the status id" '"status": "in_programme"'

# show as people read it.
check "show in Norwegian" 0 admin --lang nb show 1
expect_in "$T/out" "the date as DD.MM.YYYY" "17.04.2001"
expect_not_in "$T/out" "never ISO" "2001-04-17"
expect_in "$T/out" "the status by its label" "avsluttet"
expect_in "$T/out" "the phone grouped" "+47 912 34 567"
expect_in "$T/out" "the national id grouped" "150385 12363"
expect_in "$T/out" "the boolean as ja" "ja"
# Every value starts in column 28 however many bytes its label's æøå take.
bad=$(/usr/bin/python3 - "$T/out" <<'PY'
import sys
bad = []
for line in open(sys.argv[1], encoding="utf-8"):
    line = line.rstrip("\n")
    if line.startswith("  ") and not line.startswith("   ") and len(line) > 27:
        if line[26] != " " or line[27] == " ":
            bad.append(line)
print("|".join(bad))
PY
)
[ -z "$bad" ] && ok "labels with æøå pad by display width" || not_ok "labels with æøå pad by display width" "$bad"
expect_in "$T/out" "Fødselsdato is padded to 24 columns" "  Fødselsdato              17.04.2001"
check "show in English" 0 admin --lang en show 1
expect_in "$T/out" "English keeps ISO dates" "2001-04-17"
expect_in "$T/out" "the status by its English label" "closed"
expect_in "$T/out" "the boolean as yes" "yes"

printf 'a visit\n' | admin note add 1 --kind home_visit >/dev/null 2>&1 || not_ok "add a note"
check "the journal in Norwegian" 0 admin --lang nb show 1
expect_in "$T/out" "the note kind translated" "hjemmebesøk"

check "find in Norwegian" 0 admin --lang nb find <<<'Ødegård'
expect_in "$T/out" "find prints the date DD.MM.YYYY and the status by label" "17.04.2001  avsluttet"
check "find in English" 0 admin --lang en find <<<'Ødegård'
expect_in "$T/out" "and in English the ISO date and the English label" "2001-04-17  closed"

# --help
check "--lang nb --help" 0 "$MAPPE" --lang nb --help
expect_in "$T/out" "in Norwegian" "forklarer én kommando"
expect_in "$T/out" "usage: in Norwegian" "bruk: mappe"
check "--lang nb update --help" 0 "$MAPPE" --lang nb update --help
expect_in "$T/out" "a command's help in Norwegian" "DD.MM.ÅÅÅÅ"
check "--lang en --help" 0 "$MAPPE" --lang en --help
expect_in "$T/out" "and in English" "explains one command"
echo "1..$_n"
