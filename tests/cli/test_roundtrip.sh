#!/usr/bin/env bash
# The round trip (issue 10): a generated set that exercises every field and
# every list of the catalogue is imported, dumped with mappe export --format
# jsonl (issue 11; show --json before it), the dump imported into a fresh
# store and dumped again: the two dumps are the same, and the first holds
# every value the generator wrote. show --json gives the items' ids.
. "$(dirname "$0")/lib.sh"
PY=/usr/bin/python3
N=150
export MAPPE_TODAY=2025-06-16 # a Monday: the generator's and the store's today
DAY=$MAPPE_TODAY

if ! "$PY" -c 'import json' 2>/dev/null; then
	echo "ok 1 - round trip # SKIP no $PY"
	echo "1..1"
	exit 0
fi

"$GEN" --seed 10 --count "$N" --format jsonl --today "$DAY" >"$T/gen.jsonl" ||
	not_ok "mappe-gen makes $N cases"
"$GEN" --ids >"$T/ids" || not_ok "mappe-gen --ids"

# dump DB FILE: every case of DB as mappe export writes it, one a line, in id order
dump() {
	DB=$1 admin export --format jsonl >"$2" 2>>"$T/err"
}
# items DB FILE: the items' ids of every case, as show --json gives them
items() {
	local i
	: >"$2"
	for i in $(seq "$N"); do
		DB=$1 admin show "$i" --json >"$T/one" 2>>"$T/err" || return 1
		grep -o '"_item": [0-9]*' "$T/one" >>"$2" || : # a case without items
	done
}
# strip IN OUT: without what the store assigns (the case's id and version,
# the items' ids, the journal, which an import does not carry), without
# _locked (the admin holds every key: always empty here) and without the
# computed stipend (_stipend*: the store computes it, nobody sets it)
strip() {
	"$PY" - "$1" "$2" <<-'EOF'
	import json, sys
	out = open(sys.argv[2], "w")
	for line in open(sys.argv[1]):
	    c = json.loads(line)
	    for k in ("_id", "_version", "_locked", "notes"):
	        c.pop(k, None)
	    for k in [k for k in c if k.startswith("_stipend")]:
	        del c[k]
	    for v in c.values():
	        if isinstance(v, list):
	            for item in v:
	                item.pop("_item", None)
	    out.write(json.dumps(c, ensure_ascii=False, sort_keys=True) + "\n")
	EOF
}

new_store
check "import of the generated set" 0 admin import "$T/gen.jsonl" --format jsonl
: >"$T/err"
if dump "$DB" "$T/dump1.jsonl"; then ok "export of all $N cases"; else
	not_ok "export of all $N cases" "$(head -c 300 "$T/err")"; fi
strip "$T/dump1.jsonl" "$T/strip1.jsonl"

# Every field and every list's every item field has a value in some case.
"$PY" - "$T/ids" "$T/strip1.jsonl" >"$T/missing" <<-'EOF'
import json, sys
seen = set()
for line in open(sys.argv[2]):
    c = json.loads(line)
    for k, v in c.items():
        if isinstance(v, list):
            for item in v:
                seen.update(k + "." + f for f in item)
        else:
            seen.add(k)
want = [l.strip() for l in open(sys.argv[1]) if l.strip()]
print(" ".join(i for i in want if i not in seen))
EOF
if [ "$(wc -l <"$T/ids")" -gt 90 ] && [ -z "$(tr -d ' \n' <"$T/missing")" ]; then
	ok "the set exercises all $(wc -l <"$T/ids") field and item ids of the catalogue"
else
	not_ok "the set exercises every field and item id of the catalogue" "missing: $(cat "$T/missing")"
fi
# And each list's field values as the lists hold them: the health reasons,
# Dari and Kurdish tags, both ends of a programme.
for want in '"health_reason": "own_illness"' '"language": "prs"' '"language": "fa-AF"' \
	'"language": "ckb"' '"status": "stopped"' '"status": "broken_off"' '"status": "moved"' \
	'"kind": "childbirth"' '"kind": "temporary"'; do
	expect_in "$T/strip1.jsonl" "the set holds $want" "$want"
done

# The dates as the rules have them (statuses.def, lifecycle.c, rules.def):
# checked on what the store holds, not on what the generator meant.
"$PY" - "$T/strip1.jsonl" "$DAY" >"$T/rules" <<-'EOF'
import json, sys
today = sys.argv[2]
bad = []
def age(birth, day):
    return int(day[:4]) - int(birth[:4]) - (day[5:] < birth[5:])
for n, line in enumerate(open(sys.argv[1]), 1):
    c = json.loads(line)
    st, g = c["status"], c.get
    def no(why):
        bad.append("case %d (%s): %s" % (n, st, why))
    if st == "requested" and g("settlement_date"):
        no("requested, yet settled")
    if st in ("in_programme", "on_leave", "stopped", "completed", "broken_off"):
        for f in ("mapping_done", "programme_decision", "programme_start", "programme_length_months"):
            if not g(f):
                no("no " + f)
        if g("mapping_done", "") > g("programme_decision", "9"):
            no("decision before the mapping")
        if g("programme_decision", "") > g("programme_start", "9"):
            no("start before the decision")
        if g("settlement_date", "") > g("programme_decision", "9"):
            no("decision before the settlement")
        if not 18 <= age(c["birth_date"], c["permit_granted"]) <= 55:
            no("not 18-55 at the permit")
        months = int(g("programme_length_months", "0"))
        top = 6 if g("has_upper_secondary") else 36 if g("end_goal") == "complete_upper_secondary" else 24
        if g("regime") == "integreringsloven_6a":
            top = 12
        if not 3 <= months <= top:
            no("length %d outside 3-%d" % (months, top))
    if st in ("completed", "broken_off"):
        for f in ("ended", "end_reason", "main_activity_at_end"):
            if not g(f):
                no("no " + f)
    if st in ("in_programme", "on_leave", "stopped") and g("ended"):
        no("running, yet ended")
    if st == "stopped" and not any(s.get("kind") == "temporary" and s["from"] <= today
                                   for s in g("stops", [])):
        no("stopped without a stop in force")
    if st == "on_leave" and not any(l["from"] <= today <= l["to"] for l in g("leave", [])):
        no("on leave without leave in force")
    for f in ("arrival_norway", "permit_granted", "settlement_date", "mapping_done", "ended"):
        if g(f, "") > today:
            no(f + " after today")
    if g("arrival_norway", "") > g("settlement_date", "9"):
        no("settled before arriving")
print("\n".join(bad[:20]))
EOF
if [ -z "$(tr -d '\n' <"$T/rules")" ]; then ok "statuses and dates as the rules have them"; else
	not_ok "statuses and dates as the rules have them" "$(head -5 "$T/rules" | tr '\n' ';')"; fi

# What was imported is what is shown: every value the generator wrote, as
# the store normalises it (decimal comma to point).
"$PY" - "$T/gen.jsonl" "$T/strip1.jsonl" >"$T/lost" <<-'EOF'
import json, re, sys
def norm(v):
    if isinstance(v, str) and re.fullmatch(r"[0-9]+,[0-9]+", v):
        return v.replace(",", ".")
    return v
lost = []
for n, (a, b) in enumerate(zip(open(sys.argv[1]), open(sys.argv[2])), 1):
    g, s = json.loads(a), json.loads(b)
    for k, v in g.items():
        if isinstance(v, list):
            items = s.get(k, [])
            if len(items) != len(v):
                lost.append("case %d %s: %d items, not %d" % (n, k, len(items), len(v)))
                continue
            for i, (gi, si) in enumerate(zip(v, items)):
                for f, x in gi.items():
                    if si.get(f) != norm(x):
                        lost.append("case %d %s[%d].%s" % (n, k, i, f))
        elif s.get(k) != norm(v):
            lost.append("case %d %s: %r, not %r" % (n, k, s.get(k), v))
    for k in s:
        if k not in g:
            lost.append("case %d %s: not in the file" % (n, k))
print("\n".join(lost[:20]))
EOF
if [ "$(wc -l <"$T/dump1.jsonl")" -eq "$N" ] && [ ! -s "$T/lost" -o -z "$(tr -d '\n' <"$T/lost")" ]; then
	ok "every value imported is shown, none added"
else
	not_ok "every value imported is shown, none added" "$(head -5 "$T/lost" | tr '\n' ';')"
fi

# The dump into a fresh store, and out again: the same.
DB2=$T/store2
rm -rf "$DB2"
"$MAPPE" --db "$DB2" --user ada init --new-passphrase-fd 3 3<<<"$ADMIN_PASS" 2>/dev/null
check "the dump imports into a fresh store" 0 env DB="$DB2" \
	"$MAPPE" --db "$DB2" --user ada --passphrase-fd 3 import "$T/strip1.jsonl" --format jsonl \
	3<<<"$ADMIN_PASS"
: >"$T/err"
if dump "$DB2" "$T/dump2.jsonl"; then ok "and shows all $N cases"; else
	not_ok "and shows all $N cases" "$(head -c 300 "$T/err")"; fi
strip "$T/dump2.jsonl" "$T/strip2.jsonl"
if cmp -s "$T/strip1.jsonl" "$T/strip2.jsonl"; then
	ok "export, re-import, export: identical"
else
	not_ok "export, re-import, export: identical" \
		"$(diff "$T/strip1.jsonl" "$T/strip2.jsonl" | head -c 400)"
fi
# The items keep their order and their ids: a fresh store numbers them alike.
if items "$DB" "$T/items1" && items "$DB2" "$T/items2" && [ -s "$T/items1" ] &&
	cmp -s "$T/items1" "$T/items2"; then
	ok "the items' ids are the same in both stores"
else
	not_ok "the items' ids are the same in both stores"
fi
echo "1..$_n"
