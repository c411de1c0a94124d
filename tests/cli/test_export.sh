#!/usr/bin/env bash
# mappe export (issue 11): CSV and JSON Lines that mappe import reads back
# unchanged, the Excel flavour, the terminal guard, who may export and what
# is left out, the filters, and the NIR columns as docs/nir.md has them.
. "$(dirname "$0")/lib.sh"
PY=/usr/bin/python3
N=60
export MAPPE_TODAY=2025-06-16
DOCS=$(cd "$(dirname "$0")/../.." && pwd)/docs

if ! "$PY" -c 'import csv, json, pty' 2>/dev/null; then
	echo "ok 1 - export # SKIP no $PY"
	echo "1..1"
	exit 0
fi

new_store
enrol cora caseworker "cora passphrase 1"
enrol lena lead "lena passphrase 1"
enrol hanne health "hanne passphrase 1"
"$GEN" --seed 11 --count "$N" --format jsonl --today "$MAPPE_TODAY" >"$T/gen.jsonl"
check "import of the generated set" 0 admin import "$T/gen.jsonl" --format jsonl
# One case with what CSV must quote: separators, quotes, line breaks, and
# a text Excel would take for a formula.
printf '%s' '{"status": "in_programme", "caseworker": "cora", "given_name": "Anna",
 "family_name": "O'"'"'Neil", "address": "Gate 1; oppgang \"B\"\n0150 Oslo, Norge",
 "health_needs": "Trenger \"rolig\" rom;\nikke trapper,\nheis", "end_goal_detail": "=1+1",
 "mapping_done": "2025-01-05", "programme_decision": "2025-01-10",
 "placements": [{"employer": "Kafé \"Sol\"; Oslo", "hours_per_week": "20"},
                {"employer": "Butikk, AS"}],
 "leave": [{"kind": "care", "from": "2025-02-01", "to": "2025-02-10", "decision_date": "2025-01-20"},
           {"kind": "other", "from": "2025-03-01", "to": "2025-03-02", "decision_date": "2025-02-25"}]}' \
	>"$T/anna.json"
check "a case with quotes, separators and line breaks" 0 admin add <"$T/anna.json"
ANNA=$(cat "$T/out")

DB2=$T/store2
fresh() { # a fresh store in $DB2
	rm -rf "$DB2"
	"$MAPPE" --db "$DB2" --user ada init --new-passphrase-fd 3 3<<<"$ADMIN_PASS" 2>/dev/null
}
admin2() { DB=$DB2 admin "$@"; }

# ---- CSV: export, import into a fresh store, export again ----
check "export (CSV) by an administrator" 0 admin export
cp "$T/out" "$T/e1.csv"
expect_in "$T/e1.csv" "the header starts with _id and the clear fields" "_id,status,caseworker,given_name"
expect_in "$T/e1.csv" "lists are prefixed columns" ",placements.1.employer,"
expect_in "$T/e1.csv" "quotes doubled inside a quoted value" '"Gate 1; oppgang ""B""'
rows=$("$PY" -c 'import csv,sys; print(len(list(csv.reader(open(sys.argv[1], newline="")))) - 1)' "$T/e1.csv")
[ "$rows" -eq $((N + 1)) ] && ok "one row per case ($rows)" || not_ok "one row per case" "$rows rows"
fresh
check "the CSV imports into a fresh store" 0 admin2 import "$T/e1.csv"
check "and exports again" 0 admin2 export
if cmp -s "$T/e1.csv" "$T/out"; then ok "CSV: export, import, export: identical"; else
	not_ok "CSV: export, import, export: identical" "$(diff "$T/e1.csv" "$T/out" | head -c 400)"; fi

# ---- JSON Lines ----
check "export --format jsonl" 0 admin export --format jsonl
cp "$T/out" "$T/e1.jsonl"
"$PY" - "$T/e1.jsonl" "$ANNA" >"$T/py" <<-'EOF'
import json, sys
cases = [json.loads(l) for l in open(sys.argv[1])]
anna = [c for c in cases if c["_id"] == int(sys.argv[2])][0]
ok = (len(anna["placements"]) == 2 and anna["placements"][0]["employer"] == 'Kafé "Sol"; Oslo'
      and "\n" in anna["address"] and isinstance(anna.get("unaccompanied_minor", False), bool))
print(len(cases), "ok" if ok else "bad")
EOF
[ "$(cat "$T/py")" = "$((N + 1)) ok" ] && ok "JSON Lines: one object per case, lists as arrays" ||
	not_ok "JSON Lines: one object per case, lists as arrays" "$(cat "$T/py")"
fresh
check "the JSON Lines import into a fresh store" 0 admin2 import "$T/e1.jsonl" --format jsonl
check "and export again" 0 admin2 export --format jsonl
if cmp -s "$T/e1.jsonl" "$T/out"; then ok "JSON Lines: export, import, export: identical"; else
	not_ok "JSON Lines: export, import, export: identical" "$(diff "$T/e1.jsonl" "$T/out" | head -c 400)"; fi

# ---- Excel ----
check "export --excel" 0 admin export --excel
cp "$T/out" "$T/e1.xl.csv"
"$PY" - "$T/e1.xl.csv" "$T/e1.csv" "$ANNA" >"$T/py" <<-'EOF'
import csv, sys
raw = open(sys.argv[1], "rb").read()
bad = []
if not raw.startswith(b"\xef\xbb\xbf"):
    bad.append("no BOM")
if raw.count(b"\r\n") < 2 or raw.replace(b"\r\n", b"").count(b"\r"):
    bad.append("not CRLF")
xl = list(csv.reader(open(sys.argv[1], encoding="utf-8-sig", newline=""), delimiter=";"))
plain = list(csv.reader(open(sys.argv[2], encoding="utf-8", newline="")))
if xl[0] != plain[0]:
    bad.append("header differs")
if any(len(r) != len(xl[0]) for r in xl):
    bad.append("a row without one column per field")
if len(xl) != len(plain):
    bad.append("row count")
anna = [r for r in xl if r[0] == sys.argv[3]][0]
col = dict(zip(xl[0], anna))
if col["end_goal_detail"] != "'=1+1":
    bad.append("formula not guarded: " + col["end_goal_detail"])
if col["address"] != 'Gate 1; oppgang "B"\n0150 Oslo, Norge':
    bad.append("address: " + repr(col["address"]))
for a, b in zip(xl[1:], plain[1:]):
    if [x.lstrip("'") for x in a] != [x.lstrip("'") for x in b]:
        bad.append("values differ in case " + b[0])
        break
print("; ".join(bad) or "ok")
EOF
[ "$(cat "$T/py")" = ok ] && ok "--excel: BOM, semicolons, CRLF; Python's csv reads one column per field" ||
	not_ok "--excel read by Python's csv" "$(cat "$T/py")"
fresh
check "the Excel export imports too" 0 admin2 import "$T/e1.xl.csv"

# ---- a terminal ----
cat >"$T/ttyrun.py" <<-'EOF'
import os, pty, sys
pid, fd = pty.fork()
if pid == 0:
    r, w = os.pipe()
    os.write(w, (os.environ["PASS"] + "\n").encode())
    os.close(w)
    os.dup2(r, 3)
    os.set_inheritable(3, True)
    os.execv(sys.argv[1], sys.argv[1:])
out = b""
while True:
    try:
        b = os.read(fd, 65536)
    except OSError:
        break
    if not b:
        break
    out += b
_, status = os.waitpid(pid, 0)
sys.stdout.buffer.write(out)
sys.exit(os.WEXITSTATUS(status))
EOF
PASS=$ADMIN_PASS "$PY" "$T/ttyrun.py" "$MAPPE" --db "$DB" --user ada --passphrase-fd 3 export --fields given_name >"$T/tty" 2>&1
rc=$?
[ $rc -eq 1 ] && ok "a terminal is refused (exit 1)" || not_ok "a terminal is refused" "exit $rc"
expect_in "$T/tty" "and says why" "refusing to write an export to a terminal"
expect_not_in "$T/tty" "nothing of the cases reaches it" "given_name"
PASS=$ADMIN_PASS "$PY" "$T/ttyrun.py" "$MAPPE" --db "$DB" --user ada --passphrase-fd 3 export --fields given_name --force >"$T/tty" 2>&1
rc=$?
[ $rc -eq 0 ] && ok "--force writes to a terminal" || not_ok "--force writes to a terminal" "exit $rc"
expect_in "$T/tty" "the export is on it" "_id,given_name"

# ---- who may export, and what is left out ----
check "a caseworker is refused (exit 2)" 2 as cora "cora passphrase 1" export
expect_in "$T/err" "saying export is for leads and administrators" "leads and administrators"
check "health staff are refused (exit 2)" 2 as hanne "hanne passphrase 1" export
check "a lead exports" 0 as lena "lena passphrase 1" export
cp "$T/out" "$T/lead.csv"
head -1 "$T/lead.csv" >"$T/lead.head"
expect_not_in "$T/lead.head" "the protected fields are left out for a lead" "protected_address"
expect_not_in "$T/lead.head" "address_protection too" "address_protection"
expect_in "$T/lead.head" "the rest is there" "health_needs"
expect_in "$T/err" "stderr names the fields left out" "address_protection, protected_address"
expect_in "$T/err" "and their class" "protected"
[ "$(grep -c "left out" "$T/err")" -eq 1 ] && ok "in one line" || not_ok "in one line" "$(cat "$T/err")"
nid=$("$PY" -c 'import csv,sys; r=list(csv.DictReader(open(sys.argv[1]))); print(r[0]["national_id"])' "$T/e1.csv")
expect_not_in "$T/err" "no personal data on stderr" "$nid"
check "a lead asking for a protected field" 0 as lena "lena passphrase 1" export --fields given_name,protected_address
[ "$(head -1 "$T/out" | tr -d '\r')" = "_id,given_name" ] && ok "gets the rest" || not_ok "gets the rest" "$(head -1 "$T/out")"
expect_in "$T/err" "and is told" "protected_address"

# ---- picking fields and cases ----
check "--fields picks fields and lists" 0 admin export --fields family_name,given_name,leave
hdr=$(head -1 "$T/out")
case $hdr in
"_id,given_name,family_name,leave.1.kind,leave.1.decision_date,leave.1.from,leave.1.to"*) ok "in catalogue order" ;;
*) not_ok "in catalogue order" "$hdr" ;;
esac
# A list whose items hold a field of another class (attendance's health
# reason): that class is opened too.
check "--fields attendance" 0 admin export --fields attendance
"$PY" - "$T/out" "$T/e1.csv" >"$T/py" <<-'EOF'
import csv, sys
sub = list(csv.DictReader(open(sys.argv[1], newline="")))
full = {r["_id"]: r for r in csv.DictReader(open(sys.argv[2], newline=""))}
n = sum(1 for r in sub for k, v in r.items() if k.endswith(".health_reason") and v)
bad = [r["_id"] for r in sub if any(full[r["_id"]].get(k, "") != v for k, v in r.items())]
print("ok" if n and not bad else "%d health reasons; differ in %s" % (n, bad[:5]))
EOF
[ "$(cat "$T/py")" = ok ] && ok "every attendance column as in the full export, health reasons too" ||
	not_ok "every attendance column as in the full export" "$(cat "$T/py")"
check "--fields with an unknown id" 1 admin export --fields given_name,favourite_colour
expect_in "$T/err" "names it" "favourite_colour"
check "--status settled" 0 admin export --status settled --fields status
want=$("$PY" -c 'import csv,sys; print(sum(r["status"]=="settled" for r in csv.DictReader(open(sys.argv[1]))))' "$T/e1.csv")
got=$(tail -n +2 "$T/out" | grep -c ',settled$')
all=$(tail -n +2 "$T/out" | wc -l)
[ "$got" -eq "$want" ] && [ "$all" -eq "$want" ] && [ "$want" -gt 0 ] && ok "only and every settled case ($want)" ||
	not_ok "only and every settled case" "$got of $all, wanted $want"
check "--status with no such status" 1 admin export --status sleeping
check "--caseworker cora" 0 admin export --caseworker cora --fields caseworker
want=$("$PY" -c 'import csv,sys; print(sum(r["caseworker"]=="cora" for r in csv.DictReader(open(sys.argv[1]))))' "$T/e1.csv")
got=$(tail -n +2 "$T/out" | grep -c ',cora$')
all=$(tail -n +2 "$T/out" | wc -l)
[ "$got" -eq "$want" ] && [ "$all" -eq "$want" ] && ok "only and every case of cora ($want)" ||
	not_ok "only and every case of cora" "$got of $all, wanted $want"
check "--excel does not go with jsonl" 1 admin export --excel --format jsonl
check "an argument is refused" 1 admin export cases.csv

# ---- NIR ----
check "export --nir" 0 admin export --nir
cp "$T/out" "$T/nir.csv"
"$PY" - "$DOCS/nir.md" "$T/nir.csv" "$ANNA" >"$T/py" <<-'EOF'
import csv, re, sys
cols = []
in_table = False
for line in open(sys.argv[1]):
    if line.startswith("| column"):
        in_table = True
        continue
    if in_table and re.match(r"\|\s*-", line):
        continue
    if in_table and line.startswith("|"):
        cols.append(line.split("|")[1].strip().strip("`"))
    elif in_table:
        break
rows = list(csv.reader(open(sys.argv[2], newline="")))
bad = []
if rows[0] != cols:
    bad.append("header %r, docs %r" % (rows[0], cols))
anna = dict(zip(rows[0], [r for r in rows if r[0] == sys.argv[3]][0]))
want = {"leave_periods": "2", "leave_days": "12", "last_leave_decision": "2025-02-25",
        "placements": "2", "programme_decision": "2025-01-10", "status": "in_programme"}
for k, v in want.items():
    if anna.get(k) != v:
        bad.append("%s: %r, not %r" % (k, anna.get(k), v))
if any(r[rows[0].index("status")] in ("requested", "settled") and not r[rows[0].index("programme_decision")]
       and not r[rows[0].index("programme_start")] for r in rows[1:]):
    bad.append("a row for a case not in a programme")
print("; ".join(bad) or "ok %d" % (len(rows) - 1))
EOF
case $(cat "$T/py") in
"ok "*) ok "the NIR header is docs/nir.md's table, its rows participants ($(cat "$T/py"))" ;;
*) not_ok "the NIR header is docs/nir.md's table" "$(cat "$T/py")" ;;
esac
check "--nir does not go with --fields" 1 admin export --nir --fields given_name
check "--nir --excel" 0 admin export --nir --excel
"$PY" -c 'import csv,sys; r=list(csv.reader(open(sys.argv[1], encoding="utf-8-sig", newline=""), delimiter=";")); sys.exit(0 if r[0][0]=="case_id" and all(len(x)==len(r[0]) for x in r) else 1)' "$T/out" &&
	ok "and reads as one column per field in Excel's CSV" || not_ok "--nir --excel reads as one column per field"

# ---- what it says on stderr ----
check "--fields _id,status: _id is every export's first column anyway" 0 admin export --fields _id,status
expect_in "$T/out" "and the header is _id,status" "_id,status"
expect_in "$T/err" "stderr says how many cases it wrote" "case(s) exported (export record"
check "--caseworker naming nobody" 0 admin export --caseworker nobody
expect_in "$T/err" "says that no case matched, not just an empty file" "no case matched --caseworker or --status"

# ---- a reader that stops reading ----
# An export blocked on a full pipe (a pager left open, ^Z) must not hold a
# read transaction: LMDB could not reuse the pages colleagues' saves free,
# and the file would grow until the map is full. It writes a batch between
# transactions, so while it waits its reader slot holds no transaction.
"$GEN" --seed 12 --count 400 --format jsonl --today "$MAPPE_TODAY" >"$T/more.jsonl"
check "400 more cases" 0 admin import "$T/more.jsonl" --format jsonl
mkfifo "$T/fifo"
admin export >"$T/fifo" 2>"$T/stall.err" &
stall=$!
exec 7<"$T/fifo"
head -c 1000 <&7 >/dev/null
sleep 1
# mdb_stat -r: "pid thread txnid", txnid "-" for a slot with no transaction.
/usr/bin/mdb_stat -r "$DB" >"$T/readers" 2>&1
# (Nothing else has the store open: any slot with a transaction is the export's.)
if kill -0 "$stall" 2>/dev/null && grep -q "Reader Table" "$T/readers" &&
	! grep -Eq "^ *[0-9]+ +[0-9a-f]+ +[0-9]+ *$" "$T/readers"; then
	ok "a blocked export holds no read transaction"
else
	not_ok "a blocked export holds no read transaction" "$(tr '\n' ' ' <"$T/readers")"
fi
cat <&7 >"$T/stall.csv"
exec 7<&-
wait "$stall"
rows=$("$PY" -c 'import csv,sys; print(len(list(csv.reader(open(sys.argv[1], newline="")))) - 1)' "$T/stall.csv")
[ "$rows" -eq $((N + 401)) ] && ok "and, read to the end, it has every case ($rows)" ||
	not_ok "and, read to the end, it has every case" "$rows rows; $(head -c 200 "$T/stall.err")"

echo "1..$_n"
