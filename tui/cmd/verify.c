/* verify.c: mappe audit verify: the audit log's chain, and the system log's
 * copy of its head; mappe audit prune: the log's own retention. */
#include "tui/tui.h"
#include "tui/ui.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

static bool parse_hex(const char *s, uint8_t *out, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		int hi = hexval((unsigned char)s[2 * i]), lo = hi < 0 ? -1 : hexval((unsigned char)s[2 * i + 1]);
		if (hi < 0 || lo < 0)
			return false;
		out[i] = (uint8_t)(hi << 4 | lo);
	}
	return true;
}

/* The last head of this store in a system log file: lines of
 * "... mappe[PID]: audit head SEQ HASH store ID". */
static int last_head(const char *path, const char *store_id, struct audit_head *h, bool *found)
{
	FILE *f = fopen(path, "r");
	char line[1024];

	*found = false;
	if (!f)
		return cli_fail(M_USAGE, _("cannot read %s"), path);
	while (fgets(line, sizeof line, f)) {
		const char *p = strstr(line, "mappe[");
		char *end;

		if (!p || !(p = strstr(p, "]: audit head ")))
			continue;
		/* "SEQ HASH store ID", each exactly so */
		p += strlen("]: audit head ");
		errno = 0;
		unsigned long long seq = strtoull(p, &end, 10);
		if (errno || end == p || *end != ' ' || strlen(end + 1) < 64 + 7 + 32)
			continue;
		const char *hash = end + 1;
		if (memcmp(hash + 64, " store ", 7) != 0 || memcmp(hash + 71, store_id, 32) != 0 ||
		    (hash[103] != '\n' && hash[103] != 0))
			continue;
		struct audit_head t = {.seq = seq};
		if (!parse_hex(hash, t.hash, sizeof t.hash) || (*found && t.seq < h->seq))
			continue;
		*h = t;
		*found = true;
	}
	fclose(f);
	return M_OK;
}

/* The retention time in days: retention.audit_after in /etc/mappe.conf. */
static bool audit_after(long *days)
{
	char v[32], *end;

	if (!cli_conf("retention.audit_after", v, sizeof v))
		return false;
	*days = strtol(v, &end, 10);
	return *end == 0 && *days >= 1 && *days <= 100L * 366;
}

static int prune(struct cli *cli)
{
	uint64_t removed, base;
	char iso[11];
	long day, days;
	store *st;
	int rc;

	if (cli->argc != 1)
		return cli_fail(M_USAGE, _("usage: mappe audit prune [--before DATE]"));
	if (cli->before) {
		const char *why = date_normalise(cli->before, iso);
		if (why)
			return cli_fail(M_USAGE, _("--before: %s"), _(why));
		day = date_days(iso);
	} else if (audit_after(&days)) {
		day = st_today() - days;
		date_iso(day, iso);
	} else {
		return cli_fail(M_USAGE, _("give --before DATE, or retention.audit_after (days) in %s"),
		                MAPPE_CONF);
	}
	if ((rc = cli_open(cli, &st)))
		return rc;
	rc = store_audit_prune(st, (int64_t)day * 86400, &removed, &base);
	if (rc) {
		cli_fail(rc, "%s", tui_error(st));
		store_close(st);
		return rc;
	}
	if (removed)
		printf(_("%llu audit entries from before %s removed; the log now starts after entry %llu\n"),
		       (unsigned long long)removed, iso, (unsigned long long)base);
	else
		printf(_("no audit entry from before %s to remove\n"), iso);
	store_close(st);
	return M_OK;
}

int cmd_audit_verify(struct cli *cli)
{
	struct store_fault why;
	struct audit_head want, got;
	bool have_want = false;
	char id[33];
	store *st;
	int rc;

	if (cli->argc >= 1 && strcmp(cli->argv[0], "prune") == 0 && !cli->syslog)
		return prune(cli);
	if (cli->argc != 1 || strcmp(cli->argv[0], "verify") != 0 || cli->before)
		return cli_fail(M_USAGE, _("usage: mappe audit verify [--syslog FILE]"));
	/* No key is needed, and none is asked for: the chain is over what is
	 * stored, and an administrator can check it with the store closed to
	 * logins. */
	if ((rc = store_open(cli->db, NULL, &st, &why)))
		return cli_fail(rc, "%s", tui_fault(&why));
	store_id_hex(st, id);
	if (cli->syslog && (rc = last_head(cli->syslog, id, &want, &have_want))) {
		store_close(st);
		return rc;
	}
	if (cli->syslog && !have_want)
		cli_say(_("%s: no audit head of this store in it; the chain alone is checked\n"),
		        cli->syslog);
	rc = store_audit_verify(st, have_want ? &want : NULL, &got);
	if (rc) {
		cli_fail(rc, "%s", tui_error(st));
		store_close(st);
		return rc;
	}
	printf(_("the audit log's %llu entries follow each other unbroken\n"),
	       (unsigned long long)got.seq);
	if (have_want)
		printf(_("entry %llu is the one the system log saw last\n"),
		       (unsigned long long)want.seq);
	store_close(st);
	return M_OK;
}
