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

	fputs(cli->norwegian ? "Du må velge en ny passfrase før du fortsetter.\n"
	                     : "You must choose a new passphrase before you go on.\n",
	      stderr);
	rc = cli_new_passphrase(cli, cli->norwegian ? "Ny passfrase: " : "New passphrase: ", &pass,
	                        &len);
	if (rc)
		return rc;
	if (len == oldlen && keys_memeq(pass, old, len))
		rc = cli_fail(M_INPUT, _("the new passphrase must differ from the current one"));
	else if ((rc = store_passwd(st, old, oldlen, pass, len)))
		cli_fail(rc, "%s", store_error(st));
	keys_secure_free(pass);
	return rc;
}

int cmd_tui(struct cli *cli)
{
	struct ui ui = {.cli = cli, .nb = cli->norwegian};
	char err[512] = "", *pass = NULL;
	size_t plen;
	int rc;

	if (cli->argc)
		return cli_fail(M_USAGE, _("usage: mappe [tui]"));
	if (cli->script && !(ui.script = fopen(cli->script, "r")))
		return cli_fail(M_USAGE, _("%s: cannot read the script"), cli->script);
	if ((rc = store_open(cli->db, NULL, &ui.st, err, sizeof err))) {
		cli_fail(rc, "%s", err);
		goto out;
	}
	if (cli->pass_fd < 0)
		clean_screen();
	rc = cli_read_secret(cli->pass_fd, cli->norwegian ? "Passfrase: " : "Passphrase: ", false,
	                     &pass, &plen);
	if (rc)
		goto out;
	if ((rc = store_unlock(ui.st, cli->user, pass, plen))) {
		cli_fail(rc, "%s", store_error(ui.st));
		goto out;
	}
	if (store_must_change_passphrase(ui.st) && (rc = first_login(cli, ui.st, pass, plen)))
		goto out;
	keys_secure_free(pass);
	pass = NULL;
	if ((rc = search_index_load(ui.st, &ui.ix))) {
		cli_fail(rc, "%s", store_error(ui.st));
		goto out;
	}
	if ((rc = view_list_open(&ui)) == M_OK)
		rc = ui_loop(&ui);
out:
	keys_secure_free(pass);
	search_index_free(ui.ix);
	store_close(ui.st);
	if (ui.script)
		fclose(ui.script);
	return rc;
}
