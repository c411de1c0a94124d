#!/usr/bin/env bash
# Lists inside a case (issue 8), from the command line: placements imported
# from CSV columns placements.N.field and from JSON Lines arrays, shown by
# show (text and --json), edited, added and removed by update; locked for a
# health worker, who holds no programme key. Invented values only.
. "$(dirname "$0")/lib.sh"

new_store
enrol helga health "helga's own passphrase"
helga() { as helga "helga's own passphrase" "$@"; }

printf 'given_name;family_name;placements.1.employer;placements.1.org_number;placements.2.employer;placements.2.hours_per_week\n' >"$T/a.csv"
printf 'Zqxa;Zqxlist;Zqx Bakeri AS;974 760 673;Zqx Verksted;37,5\n' >>"$T/a.csv"
printf 'Zqxb;Zqxlist;;;Zqx Butikk;\n' >>"$T/a.csv"
check "import CSV with placement columns" 0 admin import "$T/a.csv"
check "show --json" 0 admin show 1 --json
expect_in "$T/out" "the placements as an array with stable ids" '"placements": [{"_item": 1, "employer": "Zqx Bakeri AS", "org_number": "974760673"}, {"_item": 2, "employer": "Zqx Verksted", "hours_per_week": "37.5"}]'
check "show --json of the second case" 0 admin show 2 --json
expect_in "$T/out" "an empty column group adds no item" '"placements": [{"_item": 1, "employer": "Zqx Butikk"}]'
check "show as text" 0 admin show 1
expect_in "$T/out" "text shows the list" "Work placements"
expect_in "$T/out" "text shows the item's id" "#2"
expect_in "$T/out" "text shows an item's field" "Zqx Verksted"

printf 'given_name,placements.1.org_number\nZqxc,974760674\n' >"$T/bad.csv"
check "a bad organisation number is refused" 5 admin import "$T/bad.csv"
expect_in "$T/err" "naming the column" "bad.csv:2: field placements.1.org_number: check digit does not match"
printf 'given_name,placements.1.colour\nZqxc,x\n' >"$T/bad2.csv"
check "an unknown item column is refused" 5 admin import "$T/bad2.csv"

printf '{"given_name": "Zqxd", "placements": [{"employer": "Zqx Kafe", "hours_per_week": 30}]}\n' >"$T/a.jsonl"
check "import JSON Lines with a placement" 0 admin import "$T/a.jsonl" --format jsonl
check "show the JSON Lines case" 0 admin show 3 --json
expect_in "$T/out" "its item" '"placements": [{"_item": 1, "employer": "Zqx Kafe", "hours_per_week": "30"}]'

check "update: edit 1, remove 2, add one" 0 admin update 1 <<<'{"placements": [{"_item": 1, "contact": "Zqx Kontakt"}, {"_item": 2, "_remove": true}, {"employer": "Zqx Lager", "start": "2026-01-05"}]}'
check "show after the update" 0 admin show 1 --json
expect_in "$T/out" "edited, removed and added; the new item is 3" '"placements": [{"_item": 1, "employer": "Zqx Bakeri AS", "org_number": "974760673", "contact": "Zqx Kontakt"}, {"_item": 3, "employer": "Zqx Lager", "start": "2026-01-05"}]'
expect_not_in "$T/out" "the removed item is gone" "Zqx Verksted"
check "update an item the case does not have" 5 admin update 1 <<<'{"given_name": "Zqxz", "placements": [{"_item": 2, "contact": "x"}]}'
expect_in "$T/err" "says which" "list placements has no item 2"
check "a bad value in an item" 5 admin update 1 <<<'{"placements": [{"org_number": "123"}]}'
check "nothing of the refused updates was saved" 0 admin show 1 --json
expect_in "$T/out" "the name as it was" '"given_name": "Zqxa"'
expect_in "$T/out" "the version as it was" '"_version": 2'

check "a health worker reads the case" 0 helga show 1 --json
expect_in "$T/out" "the placements are locked for her" '"placements", "attendance"'
expect_not_in "$T/out" "and not shown" "Zqx Bakeri"
check "she cannot add a placement" 2 helga update 1 <<<'{"placements": [{"employer": "x"}]}'
check "her own save keeps the placements" 0 helga update 1 <<<'{"health_needs": "Zqx behov"}'
check "show after her save" 0 admin show 1 --json
expect_in "$T/out" "the placements are all there" '{"_item": 3, "employer": "Zqx Lager"'
check "check is clean" 0 admin check
# Columns in any order: items are numbered by their column number, and a
# group's columns apart in the header are still one item.
printf 'placements.2.employer,given_name,leave.1.kind,placements.1.hours_per_week,family_name,placements.1.employer\n' >"$T/order.csv"
printf 'Zqx To,Zqxc,care,20,Zqxlist,Zqx En\n' >>"$T/order.csv"
check "import CSV with its item columns out of order" 0 admin import "$T/order.csv"
new=$(tail -1 "$T/out")
check "show --json of it" 0 admin show "$new" --json
expect_in "$T/out" "item 1 from its two columns apart, item 2 after" '"placements": [{"_item": 1, "employer": "Zqx En", "hours_per_week": "20"}, {"_item": 2, "employer": "Zqx To"}]'
expect_in "$T/out" "and the other list's item" '"leave": [{"_item": 1, "kind": "care"}]'

echo "1..$_n"
