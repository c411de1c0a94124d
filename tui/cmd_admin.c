/* cmd_admin.c: init, user, passwd. */
#include "tui/tui.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int cmd_init(struct cli *cli)
{
	const char *admin = cli->admin ? cli->admin : cli->user;
	char err[512] = "", *pass;
	size_t plen;
	int rc;

	if (cli->argc)
		return cli_fail(M_USAGE, _("usage: mappe init [--admin NAME]"));
	if (!store_user_name_valid(admin))
		return cli_fail(M_USAGE, _("invalid user name: use the Unix login name (a-z, 0-9, . _ -)"));
	rc = cli_new_passphrase(cli, _("New passphrase for the administrator: "), &pass, &plen);
	if (rc)
		return rc;
	rc = store_create(cli->db, admin, pass, plen, NULL, err, sizeof err);
	keys_secure_free(pass);
	if (rc)
		return cli_fail(rc, "%s", err);
	fprintf(stderr, _("mappe: created the store in %s with administrator %s\n"), cli->db, admin);
	return M_OK;
}

static int refuse_until_changed(store *st)
{
	if (store_must_change_passphrase(st))
		return cli_fail(M_AUTH, _("you must set a new passphrase first: run 'mappe passwd'"));
	return M_OK;
}

/* Open, unlock, and insist on a changed initial passphrase. */
static int open_ready(const struct cli *cli, store **st)
{
	int rc = cli_open(cli, st);

	if (rc == M_OK && (rc = refuse_until_changed(*st))) {
		store_close(*st);
		*st = NULL;
	}
	return rc;
}

static void print_classes(key_classes cls)
{
	bool first = true;

	for (unsigned c = 0; c < KC_COUNT; c++)
		if (cls & (1u << c)) {
			printf("%s%s", first ? "" : ",", keys_class_name((enum key_class)c));
			first = false;
		}
}

static int user_list(struct cli *cli)
{
	struct store_user_info *users;
	size_t n;
	store *st;
	int rc = open_ready(cli, &st);

	if (rc)
		return rc;
	rc = store_user_list(st, &users, &n);
	if (rc) {
		cli_fail(rc, "%s", _(store_error(st)));
		store_close(st);
		return rc;
	}
	printf("%-20s %-11s %-10s %s\n", _("USER"), _("ROLE"), _("CREATED"), _("CLASSES"));
	for (size_t i = 0; i < n; i++) {
		char when[32];
		printf("%-20s %-11s %-10s ", users[i].name, keys_role_name(users[i].role),
		       cli_time(users[i].created, false, when));
		print_classes(users[i].classes);
		printf("%s\n", users[i].must_change ? _("  (initial passphrase)") : "");
	}
	free(users);
	store_close(st);
	return M_OK;
}

static int user_add(struct cli *cli)
{
	const char *name = cli->argc == 2 ? cli->argv[1] : NULL;
	enum key_role role;
	char *pass;
	size_t plen;
	store *st;
	int rc;

	if (!name || !cli->role)
		return cli_fail(M_USAGE, _("usage: mappe user add NAME --role ROLE"));
	if (keys_role_parse(cli->role, &role) != 0)
		return cli_fail(M_USAGE, _("unknown role '%.20s' (caseworker, health, lead, admin)"),
		                cli->role);
	if (!store_user_name_valid(name))
		return cli_fail(M_USAGE, _("invalid user name: use the Unix login name (a-z, 0-9, . _ -)"));
	if ((rc = open_ready(cli, &st)))
		return rc;
	rc = cli_new_passphrase(cli, _("Initial passphrase for the new user: "), &pass, &plen);
	if (rc == M_OK) {
		rc = store_user_add(st, name, role, pass, plen);
		keys_secure_free(pass);
		if (rc)
			cli_fail(rc, "%s", _(store_error(st)));
		else
			fprintf(stderr, _("mappe: enrolled %s as %s; they must change the passphrase at first login\n"),
			        name, keys_role_name(role));
	}
	store_close(st);
	return rc;
}

int cmd_user(struct cli *cli)
{
	if (cli->argc >= 1 && strcmp(cli->argv[0], "add") == 0)
		return user_add(cli);
	if (cli->argc == 1 && strcmp(cli->argv[0], "list") == 0 && !cli->role)
		return user_list(cli);
	return cli_fail(M_USAGE, _("usage: mappe user add NAME --role ROLE | mappe user list"));
}

int cmd_passwd(struct cli *cli)
{
	char err[512] = "", *old = NULL, *new = NULL;
	size_t oldlen, newlen;
	store *st;
	int rc;

	if (cli->argc)
		return cli_fail(M_USAGE, _("usage: mappe passwd"));
	rc = store_open(cli->db, NULL, &st, err, sizeof err);
	if (rc)
		return cli_fail(rc, "%s", err);
	rc = cli_read_secret(cli->pass_fd, _("Current passphrase: "), false, &old, &oldlen);
	if (rc == M_OK && (rc = store_unlock(st, cli->user, old, oldlen)))
		cli_fail(rc, "%s", _(store_error(st)));
	if (rc == M_OK)
		rc = cli_new_passphrase(cli, _("New passphrase: "), &new, &newlen);
	if (rc == M_OK && newlen == oldlen && keys_memeq(old, new, oldlen))
		rc = cli_fail(M_INPUT, _("the new passphrase must differ from the current one"));
	if (rc == M_OK && (rc = store_passwd(st, old, oldlen, new, newlen)))
		cli_fail(rc, "%s", _(store_error(st)));
	if (rc == M_OK)
		fprintf(stderr, _("mappe: passphrase changed\n"));
	keys_secure_free(old);
	keys_secure_free(new);
	store_close(st);
	return rc;
}
