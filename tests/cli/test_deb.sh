#!/usr/bin/env bash
# The Debian package's files against the code (issue 12): every setting mappe
# reads from /etc/mappe.conf is in the conffile, commented with its default,
# and only the store's line is set; the sshd snippet is valid sshd syntax that
# forces mappe on group mappe-users alone; the maintainer scripts parse; the
# package's version is the Makefile's. No root needed: the package itself is
# built, installed and purged by tests/tty/test_ssh_deb.py.
. "$(dirname "$0")/lib.sh"
top=$(cd "$(dirname "$0")/../.." && pwd)
deb=$top/debian
conf=$deb/conf/mappe.conf

# every key the code hands cli_conf(), as a line of the conffile (set or commented)
keys=$(grep -rhoE 'cli_conf\("[a-z_.]+"' "$top/tui" | sed -E 's/cli_conf\("(.*)"/\1/' | sort -u)
[ -n "$keys" ] && ok "the code reads settings from /etc/mappe.conf" || not_ok "found no cli_conf keys"
missing=""
for k in $keys; do
	grep -qE "^#?${k//./\\.} =" "$conf" || missing="$missing $k"
done
[ -z "$missing" ] && ok "the conffile has a line for each setting mappe reads" ||
	not_ok "the conffile has a line for each setting mappe reads" "missing:$missing"
active=$(grep -vE '^[[:space:]]*(#|$)' "$conf")
[ "$active" = "db = /var/lib/mappe" ] && ok "only db = /var/lib/mappe is set; the rest are comments" ||
	not_ok "only db = /var/lib/mappe is set" "$active"

for s in postinst postrm; do
	check "debian/$s parses (sh -n)" 0 sh -n "$deb/$s"
done
expect_in "$deb/postinst" "postinst makes the binary root:mappe 2755 by dpkg-statoverride" \
	"dpkg-statoverride --update --add root mappe 2755 /usr/bin/mappe"
expect_in "$deb/postrm" "postrm removes the statoverride on purge" "dpkg-statoverride --remove /usr/bin/mappe"
expect_not_in "$deb/postrm" "and never deletes the store" "rm -r"

want=$(sed -nE 's/^VERSION[[:space:]]*:=[[:space:]]*//p' "$top/Makefile")
got=$(sed -nE '1s/^mappe \(([^)]*)\).*/\1/p' "$deb/changelog")
[ "$got" = "$want" ] && ok "debian/changelog is at the Makefile's version ($want)" ||
	not_ok "debian/changelog is at the Makefile's version" "changelog $got, Makefile $want"

# sshd checks for its privilege separation directory even with -t; systemd's
# tmpfiles makes it at boot, and a container never booted (the ssh login
# tests make it too, but they may skip, and need not run first).
[ -x /usr/sbin/sshd ] && [ "$(id -u)" = 0 ] && mkdir -p -m 0755 /run/sshd
if [ -x /usr/sbin/sshd ] && [ -d /run/sshd ]; then
	ssh-keygen -q -t ed25519 -N "" -f "$T/hostkey" >/dev/null
	# as the host's sshd_config reads it: the snippet included at the top
	printf 'Include %s\nHostKey %s\nPidFile %s/sshd.pid\nX11Forwarding yes\n' \
		"$deb/conf/sshd_config" "$T/hostkey" "$T" >"$T/sshd_config"
	check "sshd -t accepts the snippet" 0 /usr/sbin/sshd -t -f "$T/sshd_config"
	grp=$(id -gn)
	sed "s/^Match Group mappe-users/Match Group $grp/" "$deb/conf/sshd_config" >"$T/snippet"
	printf 'Include %s\nHostKey %s\nPidFile %s/sshd.pid\nX11Forwarding yes\n' \
		"$T/snippet" "$T/hostkey" "$T" >"$T/sshd_member"
	me=$(id -un)
	/usr/sbin/sshd -T -f "$T/sshd_member" -C "user=$me,host=localhost,addr=127.0.0.1" >"$T/member" 2>&1
	expect_in "$T/member" "a member of the group gets ForceCommand /usr/bin/mappe" "forcecommand /usr/bin/mappe"
	expect_in "$T/member" "and no forwarding" "disableforwarding yes"
	/usr/sbin/sshd -T -f "$T/sshd_config" -C "user=$me,host=localhost,addr=127.0.0.1" >"$T/other" 2>&1
	expect_in "$T/other" "anyone else keeps their shell" "forcecommand none"
	expect_in "$T/other" "and the lines after the Include still apply (the Match ends with the file)" \
		"x11forwarding yes"
else
	echo "ok $((++_n)) - the sshd snippet # SKIP openssh-server is not installed, or /run/sshd is missing and this is not root"
fi

limits=$deb/conf/limits.conf
active=$(grep -vE '^[[:space:]]*(#|$)' "$limits" | tr -s ' \t' ' ')
[ "$active" = "$(printf '@mappe-users soft memlock 65536\n@mappe-users hard memlock 65536')" ] &&
	ok "limits.d: 64 MiB of memlock for @mappe-users (never @mappe)" ||
	not_ok "limits.d: 64 MiB of memlock for @mappe-users" "$active"

echo "1..$_n"
