/* cmd/backup.c: mappe backup DEST, mappe backup verify DEST (docs/backup.md). */
#include "tui/tui.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

static int open_admin(struct cli *cli, store **st)
{
	int rc = cli_open(cli, st);

	if (rc)
		return rc;
	if (store_must_change_passphrase(*st)) {
		store_close(*st);
		*st = NULL;
		return cli_fail(M_AUTH,
		                _("you must set a new passphrase first: run 'mappe passwd'"));
	}
	if (store_role(*st) != ROLE_ADMIN) {
		store_close(*st);
		*st = NULL;
		return cli_fail(M_AUTH,
		                _("not permitted: only an administrator can back up the store"));
	}
	return M_OK;
}

static double mib(uint64_t bytes)
{
	return (double)bytes / (1024.0 * 1024.0);
}

/* The backup is written with the caller's own group, not mappe's: a
 * setgid mappe must not make for them, in a place only the group may
 * write, what their own account could not. The store's files are open
 * already and stay writable for the audit entry. */
static int as_caller(bool on, gid_t egid)
{
	gid_t to = on ? getgid() : egid;

	if (to == getegid())
		return M_OK;
	if (setegid(to) != 0)
		return cli_fail(M_UNAVAILABLE,
		                on ? _("cannot set the group back to yours: %s")
		                   : _("cannot take the group mappe back: %s"),
		                strerror(errno));
	return M_OK;
}

static int backup(struct cli *cli, const char *dest)
{
	struct store_backup b = {0};
	gid_t egid = getegid();
	store *st;
	int rc;

	if ((rc = open_admin(cli, &st)))
		return rc;
	store_audit_purpose(st, "mappe backup");
	fprintf(stderr, _("mappe: copying the store to %s ...\n"), dest);
	if ((rc = as_caller(true, egid)) == M_OK) {
		rc = store_backup(st, dest, &b);
		int back = as_caller(false, egid);
		if (rc)
			cli_fail(rc, "%s", tui_error(st));
		else
			rc = back;
	}
	if (rc == M_OK)
		fprintf(stderr,
		        _("mappe: backup of %llu cases, %.1f MiB, to %s (checksum in %s/%s)\n"),
		        (unsigned long long)b.cases, mib(b.bytes), dest, dest, STORE_BACKUP_SUMS);
	store_close(st);
	return rc;
}

static int verify(struct cli *cli, const char *dest)
{
	struct store_backup b = {0};
	gid_t egid = getegid();
	store *st;
	int rc;

	if ((rc = open_admin(cli, &st)))
		return rc;
	store_audit_purpose(st, "mappe backup verify");
	if ((rc = as_caller(true, egid)) == M_OK) {
		rc = store_backup_verify(st, dest, &b);
		int back = as_caller(false, egid);
		if (rc)
			cli_fail(rc, "%s", tui_error(st));
		else
			rc = back;
	}
	if (rc == M_OK) {
		printf(
		    _("%s: the copy matches its checksum and is a mappe store (schema %u) of %llu "
		      "cases, %.1f MiB\n"),
		    dest, b.schema, (unsigned long long)b.cases, mib(b.bytes));
		if (!b.same_store)
			printf(_("%s: note: a copy of another store than this one\n"), dest);
	}
	store_close(st);
	return rc;
}

int cmd_backup(struct cli *cli)
{
	/* "verify" alone is a directory named verify only when written so. */
	if (cli->argc == 2 && strcmp(cli->argv[0], "verify") == 0 && cli->argv[1][0])
		return verify(cli, cli->argv[1]);
	if (cli->argc == 1 && strcmp(cli->argv[0], "verify") != 0 && cli->argv[0][0])
		return backup(cli, cli->argv[0]);
	return cli_fail(M_USAGE, _("usage: mappe backup DEST | backup verify DEST (a directory "
	                           "named verify: ./verify)"));
}
