/* cmd_tui.c: mappe / mappe tui: unlock on a clean screen, then the screens. */
#include "tui/ui.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <unistd.h>

/* Clear the terminal before asking: the prompt stands alone, and nothing
 * from an earlier command sits beside it. */
static void clean_screen(void)
{
	int fd = open("/dev/tty", O_WRONLY | O_CLOEXEC);

	if (fd < 0)
		return;
	if (write(fd, "\033[H\033[2J", 7) < 0) {
		/* not a terminal that understands it: ask anyway */
	}
	close(fd);
}

/* An initial passphrase is the administrator's: set your own before
 * anything else. */
static int first_login(struct cli *cli, store *st, const char *old, size_t oldlen)
{
	char *pass = NULL;
	size_t len;
	int rc;

	fputs(_("You must choose a new passphrase before you go on.\n"),
	      stderr);
	rc = cli_new_passphrase(cli, _("New passphrase: "), &pass,
	                        &len);
	if (rc)
		return rc;
	if (len == oldlen && keys_memeq(pass, old, len))
		rc = cli_fail(M_INPUT, _("the new passphrase must differ from the current one"));
	else if ((rc = store_passwd(st, old, oldlen, pass, len)))
		cli_fail(rc, "%s", _(store_error(st)));
	keys_secure_free(pass);
	return rc;
}

/* The screens over an unlocked store, until the user quits. */
static int run_screens(struct cli *cli, store *st)
{
	struct ui ui = {.cli = cli, .st = st, .nb = cli->norwegian, .start = drafts_offer};
	char conf[32];
	const char *env = secure_getenv("MAPPE_IDLE_LOCK");
	int rc;

	/* Idle lock after 10 minutes, or idle_lock = SECONDS in /etc/mappe.conf
	 * (0: never); MAPPE_IDLE_LOCK for a session that is not setgid. */
	ui.idle_lock = 600;
	if (cli_conf("idle_lock", conf, sizeof conf) && !conf_seconds(conf, &ui.idle_lock))
		ui.idle_lock = 600;
	if (env && *env && !conf_seconds(env, &ui.idle_lock))
		ui.idle_lock = 600;

	if (cli->script && !(ui.script = fopen(cli->script, "r")))
		return cli_fail(M_USAGE, _("%s: cannot read the script"), cli->script);
	if ((rc = search_index_load(st, &ui.ix)))
		cli_fail(rc, "%s", _(store_error(st)));
	else if ((rc = view_list_open(&ui)) == M_OK)
		rc = ui_loop(&ui);
	search_index_free(ui.ix);
	if (ui.script)
		fclose(ui.script);
	return rc;
}

int cmd_tui(struct cli *cli)
{
	char err[512] = "", *pass = NULL;
	size_t plen;
	store *st = NULL;
	int rc;

	if (cli->argc)
		return cli_fail(M_USAGE, _("usage: mappe [tui]"));
	if ((rc = store_open(cli->db, NULL, &st, err, sizeof err)))
		return cli_fail(rc, "%s", err);
	if (cli->pass_fd < 0)
		clean_screen();
	rc = cli_read_secret(cli->pass_fd, _("Passphrase: "), false,
	                     &pass, &plen);
	if (rc == M_OK && (rc = store_unlock(st, cli->user, pass, plen)))
		cli_fail(rc, "%s", _(store_error(st)));
	if (rc == M_OK && store_must_change_passphrase(st))
		rc = first_login(cli, st, pass, plen);
	keys_secure_free(pass);
	if (rc == M_OK)
		rc = run_screens(cli, st);
	store_close(st);
	return rc;
}

/* The demo store's people are invented, so its passphrase is no secret. */
#define DEMO_PASSPHRASE "mappe demo store"

static int demo_fill(store *st, long cases)
{
	char *buf = NULL, err[512] = "";
	size_t len = 0, n = 0;
	uint64_t *ids = NULL;
	FILE *f = open_memstream(&buf, &len);
	int rc;

	if (!f)
		return cli_fail(M_UNAVAILABLE, _("out of memory"));
	rc = synth_write(f, 2026, (uint64_t)cases, false, err, sizeof err);
	if (fclose(f) != 0 || rc != 0) {
		free(buf);
		return cli_fail(M_UNAVAILABLE, "%s", err[0] ? err : _("out of memory"));
	}
	/* store_import parses in place and needs the byte after the text. */
	rc = store_import(st, "demo", buf, len, IMPORT_CSV, false, &ids, &n, err, sizeof err);
	if (rc)
		cli_fail(rc, "%s", err[0] ? err : store_error(st));
	free(ids);
	free(buf);
	return rc;
}

int cmd_demo(struct cli *cli)
{
	char err[512] = "", path[4200];
	const char *db = cli->db;
	long cases = cli->cases ? cli->cases : 300;
	store *st = NULL;
	int rc;

	if (cli->argc)
		return cli_fail(M_USAGE, _("usage: mappe demo [--cases N]"));
	if (!cli->db_given) {
		/* Beside the real store, never in it. */
		snprintf(path, sizeof path, "%s-demo", cli->db);
		db = path;
	}
	char data[4300];
	snprintf(data, sizeof data, "%s/data.mdb", db);
	if (access(data, F_OK) != 0) {
		fprintf(stderr, _("Creating a demo store of %ld invented cases in %s ...\n"),
		        cases, db);
		rc = store_create(db, cli->user, DEMO_PASSPHRASE, strlen(DEMO_PASSPHRASE), NULL, err,
		                  sizeof err);
		if (rc)
			return cli_fail(rc, "%s", err);
		if ((rc = store_open(db, NULL, &st, err, sizeof err)))
			return cli_fail(rc, "%s", err);
		if ((rc = store_unlock(st, cli->user, DEMO_PASSPHRASE, strlen(DEMO_PASSPHRASE))) ||
		    (rc = demo_fill(st, cases))) {
			if (rc == M_AUTH)
				cli_fail(rc, "%s", _(store_error(st)));
			store_close(st);
			return rc;
		}
	} else {
		if ((rc = store_open(db, NULL, &st, err, sizeof err)))
			return cli_fail(rc, "%s", err);
		if ((rc = store_unlock(st, cli->user, DEMO_PASSPHRASE, strlen(DEMO_PASSPHRASE)))) {
			cli_fail(rc, "%s (%s)", store_error(st),
			         _("the demo store belongs to another user"));
			store_close(st);
			return rc;
		}
	}
	fprintf(stderr, _("Demo store: %s, user %s, passphrase \"%s\"\n"),
	        db, cli->user, DEMO_PASSPHRASE);
	rc = run_screens(cli, st);
	store_close(st);
	return rc;
}
