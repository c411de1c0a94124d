#!/bin/sh
# make run: a demo store of synthetic cases (never real people), created once.
set -e
BUILD=${1:-build}
DB=${MAPPE_DEMO_DB:-${XDG_DATA_HOME:-$HOME/.local/share}/mappe-demo}
PASS="demo passphrase"
if [ ! -f "$DB/data.mdb" ]; then
	echo "Creating a demo store in $DB with 300 synthetic cases..."
	./mappe --db "$DB" --user demo init --new-passphrase-fd 3 3<<EOP
$PASS
EOP
	"$BUILD/tests/gen" --seed 1 --count 300 >"$DB.csv"
	./mappe --db "$DB" --user demo --passphrase-fd 3 import "$DB.csv" >/dev/null 3<<EOP
$PASS
EOP
	rm -f "$DB.csv"
fi
cat <<EOT

Demo store: $DB  (user: demo, passphrase: "$PASS")
Try:
  echo "olena shev" | ./mappe --db $DB --user demo find
  ./mappe --db $DB --user demo show 1
  ./mappe --help
The terminal UI comes with the next milestone.
EOT
