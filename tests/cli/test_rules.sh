#!/usr/bin/env bash
# The rules of law as data (issue 10): mappe rules list shows every rule with
# its dated values, regime, source and whether it was verified; an
# administrator corrects one from a date on with mappe rules set (Prop. 81 L's
# age limit, whose date was not known), and the correction is sealed.
. "$(dirname "$0")/lib.sh"

new_store || not_ok "create the store"
enrol kari caseworker "kari passphrase 1" || not_ok "enrol kari"
kari() { as kari "kari passphrase 1" "$@"; }

check "rules list" 0 kari rules list
expect_in "$T/out" "names each rule with its unit and meaning" "age_max (years): oldest age at the permit's grant"
expect_in "$T/out" "a verified value with its source" "from 2021-01-01  every regime               55  verified: S5 intl. § 8"
expect_in "$T/out" "an unverified one says so" "NOT VERIFIED: D7: local policy"
expect_in "$T/out" "a regime's own rows" "integreringsloven_6a"
expect_in "$T/out" "the national-id scheme of 2032" "from 2032-01-01  every regime                4  verified: S42"
check "in Norwegian" 0 kari --lang nb rules list age_max
expect_in "$T/out" "dates as Norwegians write them" "fra 01.01.2021"
expect_in "$T/out" "and the words" "hver ordning"
check "one rule as JSON" 0 kari rules list age_max --json
/usr/bin/python3 - "$T/out" <<'PY' && ok "JSON Lines, one per row" || not_ok "JSON Lines, one per row"
import json, sys
rows = [json.loads(l) for l in open(sys.argv[1])]
assert {r["rule"] for r in rows} == {"age_max"}, rows
assert any(r["regime"] is None and r["value"] == 55 and r["verified"] for r in rows)
assert any(r["regime"] == "introduksjonsloven" and not r["verified"] for r in rows)
PY
check "an unknown rule" 1 kari rules list age_maximum

# Corrections.
check "a caseworker may not correct a rule" 2 kari rules set age_max 60 --from 2026-07-01 --source "Prop. 81 L"
check "without a source" 1 admin rules set age_max 60 --from 2026-07-01
check "a date that does not exist" 1 admin rules set age_max 60 --from 2026-02-30 --source x
expect_in "$T/err" "says why" "that day does not exist in that month"
check "a value that is not a number" 1 admin rules set age_max sixty --from 2026-07-01 --source x
# After "--" a negative number is an argument; getopt once looped for ever
# on it (glibc rewinds optind), eating memory: a bound, not a timing.
check "a negative value after --" 1 timeout 20 "$MAPPE" --db "$DB" --user ada --passphrase-fd 3 \
	rules set --from 2026-07-01 --source x age_max -- -5 3<<<"$ADMIN_PASS"
expect_in "$T/err" "is refused as a value" "the value must be a whole number from 0 to 100000"
check "an unknown regime" 1 admin rules set age_max 60 --from 2026-07-01 --regime integrering --source x
check "an administrator corrects the age limit" 0 admin rules set age_max 60 --from 01.07.2026 --regime integreringsloven --source "Prop. 81 L (2024-2025), in force 01.07.2026"
expect_in "$T/err" "and is told what now holds" "age_max is 60 from 2026-07-01 (integreringsloven)"
check "the list shows it" 0 kari rules list age_max
expect_in "$T/out" "with who set it and its source" "set by ada"
expect_in "$T/out" "and its source" "Prop. 81 L (2024-2025), in force 01.07.2026"
expect_in "$T/out" "beside the shipped rows" "verified: S5 intl. § 8"
check "rotate the record class" 0 admin keys rotate --class record
check "the correction still authenticates" 0 kari rules list age_max --json
expect_in "$T/out" "after the rotation" '"set_by":"ada"'

/usr/bin/python3 - "$DB/data.mdb" <<'PY' || not_ok "tamper with the correction"
import sys
p = sys.argv[1]
b = bytearray(open(p, "rb").read())
i, n = b.find(b"Prop. 81 L (2024"), 0
while i >= 0:
    b[i + 5] ^= 0x01
    n += 1
    i = b.find(b"Prop. 81 L (2024", i + 1)
assert n
open(p, "wb").write(b)
PY
check "a correction changed in the file" 3 kari rules list
expect_in "$T/err" "does not authenticate" "a correction of the rules does not authenticate"
echo "1..$_n"
