/* cmd/admin.c: init, user, passwd. */
#include "tui/tui.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

/* On a shared host root makes the store directory (docs/deployment.md), and
 * until init has run any user could run it and become the administrator:
 * only root or the directory's owner may. The directory must exist, so that
 * its owner and group are the administrator's decision. */
static int shared_init_allowed(const struct cli *cli, struct stat *dirst)
{
	if (stat(cli->db, dirst) != 0 || !S_ISDIR(dirst->st_mode))
		return cli_fail(M_UNAVAILABLE,
		                _("%s: no store directory; root creates it first: "
		                  "install -d -o root -g mappe -m 2770 %s"),
		                cli->db, cli->db);
	if (getuid() != 0 && getuid() != dirst->st_uid)
		return cli_fail(M_AUTH,
		                _("not permitted: on a shared host only root or the owner of %s "
		                  "runs init (sudo mappe init --admin NAME)"),
		                cli->db);
	return M_OK;
}

/* Every file init made (data.mdb, lock.mdb, whatever else the store keeps
 * there) goes to the directory's owner and group, 0660, not to whoever ran
 * init: the files' owner could otherwise chmod them. */
static int adopt_files(const char *dir, const struct stat *dirst)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	int rc = M_OK;

	if (!d)
		return cli_fail(M_UNAVAILABLE, _("%s: %s"), dir, strerror(errno));
	while ((e = readdir(d))) {
		struct stat sb;
		int fd;
		if (fstatat(dirfd(d), e->d_name, &sb, AT_SYMLINK_NOFOLLOW) != 0 ||
		    !S_ISREG(sb.st_mode))
			continue;
		fd = openat(dirfd(d), e->d_name, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
		if (fd < 0 || fchown(fd, dirst->st_uid, dirst->st_gid) != 0 ||
		    fchmod(fd, 0660) != 0)
			rc = cli_fail(M_UNAVAILABLE,
			              _("%s/%s: cannot give the file to the directory's owner and "
			                "group: %s"),
			              dir, e->d_name, strerror(errno));
		if (fd >= 0)
			close(fd);
	}
	closedir(d);
	return rc;
}

int cmd_init(struct cli *cli)
{
	const char *admin = cli->admin ? cli->admin : cli->user;
	struct store_fault why;
	char *pass;
	struct stat dirst;
	size_t plen;
	int rc;

	if (cli->argc)
		return cli_fail(M_USAGE, _("usage: mappe init [--admin NAME]"));
	if (!store_user_name_valid(admin))
		return cli_fail(M_USAGE, _("invalid user name: use the Unix login name (a-z, 0-9, . _ -)"));
	if (cli->setgid && (rc = shared_init_allowed(cli, &dirst)))
		return rc;
	rc = cli_new_passphrase(cli, _("New passphrase for the administrator: "), &pass, &plen);
	if (rc)
		return rc;
	rc = store_create(cli->db, admin, pass, plen, NULL, &why);
	keys_secure_free(pass);
	if (rc)
		return cli_fail(rc, "%s", tui_fault(&why));
	if (cli->setgid && (rc = adopt_files(cli->db, &dirst)))
		return rc;
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
		cli_fail(rc, "%s", tui_error(st));
		store_close(st);
		return rc;
	}
	printf("%-20s %-11s %-10s %s\n", _("USER"), _("ROLE"), _("CREATED"), _("CLASSES"));
	for (size_t i = 0; i < n; i++) {
		char when[32];
		size_t len = strlen(users[i].name);
		/* Stored data: a name mappe would never write is escaped. */
		text_write_safe(stdout, users[i].name, len, NULL);
		printf("%*s %-11s %-10s ", len < 20 ? (int)(20 - len) : 0, "",
		       keys_role_name(users[i].role), cli_time(users[i].created, false, when));
		print_classes(users[i].classes);
		printf("%s\n", users[i].revoked       ? _("  (revoked)")
		                : users[i].must_change ? _("  (initial passphrase)")
		                                       : "");
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
			cli_fail(rc, "%s", tui_error(st));
		else
			fprintf(stderr, _("mappe: enrolled %s as %s; they must change the passphrase at first login\n"),
			        name, _(keys_role_name(role)));
	}
	store_close(st);
	return rc;
}

/* ---- keys: rotation and status ---------------------------------------------- */

struct progress {
	bool tty;
	time_t start;
	uint64_t last_line;
	bool printed_final;
	enum key_class cls; /* the class on the bar, KC_COUNT for none */
	key_classes pass;   /* the classes re-encrypted in the pass on the bar */
};

/* One pass re-encrypts every class of the rotation together: the bar is
 * drawn once per batch, for the lowest class of the pass, and names how
 * many classes it carries. */
static void show_progress(void *vctx, const struct store_rotation *r)
{
	struct progress *p = vctx;
	double secs = difftime(time(NULL), p->start);
	uint64_t total = r->total ? r->total : 1, done = r->done < total ? r->done : total;
	char label[32];
	double rate;

	if (!r->active) {
		p->pass &= ~(1u << r->cls);
		p->cls = KC_COUNT;
		if (p->tty)
			fputs("\r\033[K", stderr);
		fprintf(stderr, _("mappe: %s: epoch %u active; the old keys are deleted\n"),
		        _(keys_class_name(r->cls)), r->to);
		/* For the tests, a kill -9 at an exact point: the classes of one
		 * pass finish milliseconds apart. secure_getenv: never under setgid. */
		const char *kill_after = secure_getenv("MAPPE_TEST_KILL_AFTER");
		if (kill_after && strcmp(kill_after, keys_class_name(r->cls)) == 0)
			raise(SIGKILL);
		return;
	}
	p->pass |= 1u << r->cls;
	if (p->cls == KC_COUNT) { /* a new pass */
		p->cls = r->cls;
		p->start = time(NULL);
		p->last_line = 0;
		p->printed_final = false;
		secs = 0;
	} else if (r->cls < p->cls) {
		p->cls = r->cls;
	}
	if (r->cls != p->cls)
		return; /* another class of the same pass: the bar stands for it */
	if (p->pass == (1u << r->cls))
		snprintf(label, sizeof label, "%s", keys_class_name(r->cls));
	else
		snprintf(label, sizeof label, _("%u classes"), (unsigned)__builtin_popcount(p->pass));
	rate = secs > 0 ? (double)done / secs : 0;
	if (p->tty) {
		char bar[31];
		int fill = (int)(30 * done / total);
		memset(bar, '#', (size_t)fill);
		memset(bar + fill, '-', (size_t)(30 - fill));
		bar[30] = 0;
		fprintf(stderr, "\r\033[K%-10s [%s] %llu/%llu", label, bar,
		        (unsigned long long)done, (unsigned long long)total);
		if (rate > 0)
			fprintf(stderr, _("  %.0f/s  %.0f s left"), rate, (double)(total - done) / rate);
	} else if ((done == total && !p->printed_final) || done >= p->last_line + total / 10) {
		/* Not a terminal (a log, a pipe): a line every tenth. */
		p->printed_final = done == total;
		p->last_line = done;
		fprintf(stderr, _("mappe: rotating %s: %llu/%llu cases\n"), label,
		        (unsigned long long)done, (unsigned long long)total);
	}
}

/* A class held back by damaged cases: its message names them, and the
 * other classes go on. */
static void show_damaged(void *vctx, enum key_class c, const struct store_fault *why)
{
	struct progress *p = vctx;

	(void)c;
	if (p->tty)
		fputs("\r\033[K", stderr);
	cli_fail(M_INTEGRITY, "%s", tui_fault(why));
	p->cls = KC_COUNT;
}

/* Every class in classes, resuming the same command after a crash (the
 * classes it finished are not rotated again). */
static int rotate_classes(store *st, key_classes classes, long batch)
{
	/* Every class of the call is in the one pass from its first batch. */
	struct progress p = {isatty(STDERR_FILENO), time(NULL), 0, false, KC_COUNT, classes};
	int rc = store_rotate_classes(st, classes, (size_t)batch, show_progress, show_damaged, &p);

	if (rc) {
		if (p.tty && p.cls != KC_COUNT)
			fputc('\n', stderr);
		return cli_fail(rc, "%s", tui_error(st));
	}
	return M_OK;
}

/* The authority key first: a class rotation after it grants from the new
 * key. */
static int rotate_authority(store *st)
{
	size_t users = 0;
	int rc = store_rotate_authority(st, &users);

	if (rc)
		return cli_fail(rc, "%s", tui_error(st));
	fprintf(stderr,
	        _("mappe: the authority key is replaced (epoch %u); %zu user records signed "
	          "anew; each keyslot moves to it at its owner's next login\n"),
	        store_authority_epoch(st), users);
	return M_OK;
}

static int keys_rotate(struct cli *cli)
{
	key_classes classes = (1u << KC_COUNT) - 1;
	enum key_class c;
	store *st;
	int rc;

	if (cli->klass && strcmp(cli->klass, "authority") == 0) {
		if ((rc = open_ready(cli, &st)))
			return rc;
		rc = rotate_authority(st);
		store_close(st);
		return rc;
	}
	if (cli->klass) {
		if (keys_class_parse(cli->klass, &c) != 0)
			return cli_fail(M_USAGE, _("unknown class '%.20s'"), cli->klass);
		classes = 1u << c;
	}
	if ((rc = open_ready(cli, &st)))
		return rc;
	rc = rotate_classes(st, classes, cli->batch);
	store_close(st);
	return rc;
}

/* The authority's epoch, and who still trusts an older one: they have not
 * logged in since it was replaced (docs/security.md, "The authority key"). */
static void print_authority(store *st, bool json)
{
	struct store_user_info *users = NULL;
	uint32_t epoch = store_authority_epoch(st);
	size_t n = 0, behind = 0;

	if (store_user_list(st, &users, &n) != M_OK)
		n = 0;
	if (json)
		printf(", {\"authority_epoch\": %u, \"not_moved\": [", epoch);
	else
		printf("%-10s %s %u", "authority", _("epoch"), epoch);
	for (size_t i = 0; i < n; i++) {
		if (users[i].revoked || users[i].pin >= epoch)
			continue;
		/* Names are printed as every other stored text is. */
		if (json) {
			fputs(behind ? ", " : "", stdout);
			json_write_string(stdout, users[i].name, strlen(users[i].name));
		} else {
			printf("%s ", behind ? "" : _("\n           not logged in since it was replaced:"));
			text_write_safe(stdout, users[i].name, strlen(users[i].name), NULL);
		}
		behind++;
	}
	fputs(json ? "]}" : "\n", stdout);
	free(users);
}

static int keys_status(struct cli *cli)
{
	struct store_key_status s[KC_COUNT];
	store *st;
	int rc;

	if ((rc = open_ready(cli, &st)))
		return rc;
	if ((rc = store_key_status(st, s))) {
		cli_fail(rc, "%s", tui_error(st));
		store_close(st);
		return rc;
	}
	if (cli->json)
		fputs("[", stdout);
	for (unsigned c = 0; c < KC_COUNT; c++) {
		char names[64][64];
		size_t nh = 0;
		store_class_holders(st, (enum key_class)c, s[c].active, names, 64, &nh);
		if (cli->json) {
			printf("%s{\"class\": \"%s\", \"active_epoch\": %u, \"epochs\": [",
			       c ? ", " : "", keys_class_name((enum key_class)c), s[c].active);
			for (size_t i = 0; i < s[c].nuse; i++)
				printf("%s{\"epoch\": %u, \"records\": %llu}", i ? ", " : "",
				       s[c].use[i].epoch, (unsigned long long)s[c].use[i].records);
			printf("], \"rotation\": ");
			if (s[c].rotation.active)
				printf("{\"from\": %u, \"to\": %u, \"phase\": %u, \"cursor\": %llu, "
				       "\"done\": %llu}",
				       s[c].rotation.from, s[c].rotation.to, s[c].rotation.phase,
				       (unsigned long long)s[c].rotation.cursor,
				       (unsigned long long)s[c].rotation.done);
			else
				fputs("null", stdout);
			fputs(", \"holders\": [", stdout);
			for (size_t i = 0; i < nh; i++) {
				fputs(i ? ", " : "", stdout);
				json_write_string(stdout, names[i], strlen(names[i]));
			}
			fputs("]}", stdout);
			continue;
		}
		printf("%-10s %s %u", keys_class_name((enum key_class)c), _("epoch"), s[c].active);
		for (size_t i = 0; i < s[c].nuse; i++)
			if (s[c].use[i].epoch != s[c].active)
				printf(_("  (epoch %u decrypt-only: %llu cases)"), s[c].use[i].epoch,
				       (unsigned long long)s[c].use[i].records);
		if (s[c].rotation.active)
			printf(_("  ROTATING %u->%u, %s, next case %llu"), s[c].rotation.from,
			       s[c].rotation.to,
			       (s[c].rotation.phase & 0x7f) == 1   ? _("re-encrypting")
			       : (s[c].rotation.phase & 0x7f) == 3 ? _("held back by damaged cases")
			                                           : _("checking"),
			       (unsigned long long)s[c].rotation.cursor);
		printf("\n           %s:", _("held by"));
		for (size_t i = 0; i < nh; i++) {
			putchar(' ');
			text_write_safe(stdout, names[i], strlen(names[i]), NULL);
		}
		putchar('\n');
	}
	print_authority(st, cli->json);
	if (cli->json)
		puts("]");
	store_close(st);
	return M_OK;
}

int cmd_keys(struct cli *cli)
{
	if (cli->argc == 1 && strcmp(cli->argv[0], "rotate") == 0 && !cli->json)
		return keys_rotate(cli);
	if (cli->argc == 1 && strcmp(cli->argv[0], "status") == 0 && !cli->klass && !cli->batch)
		return keys_status(cli);
	return cli_fail(M_USAGE, _("usage: mappe keys rotate [--class C|authority] [--batch N] | "
	                           "mappe keys status [--json]"));
}

/* Revoke: slot and grants first, then rotate every class they held, since
 * they had those keys in memory. Running it again finishes the rotations. */
static int user_revoke(struct cli *cli)
{
	key_classes held;
	bool authority = false;
	store *st;
	int rc;

	if (cli->argc != 2)
		return cli_fail(M_USAGE, _("usage: mappe user revoke NAME"));
	if ((rc = open_ready(cli, &st)))
		return rc;
	if ((rc = store_user_revoke(st, cli->argv[1], &held, &authority))) {
		cli_fail(rc, "%s", tui_error(st));
		store_close(st);
		return rc;
	}
	fprintf(stderr, _("mappe: %s revoked; rotating the keys they held\n"), cli->argv[1]);
	rc = authority ? rotate_authority(st) : M_OK;
	if (rc == M_OK)
		rc = rotate_classes(st, held, cli->batch);
	store_close(st);
	return rc;
}

static int user_grant(struct cli *cli, bool grant)
{
	enum key_class c;
	bool changed;
	store *st;
	int rc;

	if (cli->argc != 3)
		return cli_fail(M_USAGE, grant ? _("usage: mappe user grant NAME protected")
		                               : _("usage: mappe user ungrant NAME protected"));
	if (keys_class_parse(cli->argv[2], &c) != 0)
		return cli_fail(M_USAGE, _("unknown class '%.20s'"), cli->argv[2]);
	if ((rc = open_ready(cli, &st)))
		return rc;
	if ((rc = store_user_grant(st, cli->argv[1], c, grant, &changed))) {
		cli_fail(rc, "%s", tui_error(st));
		store_close(st);
		return rc;
	}
	if (grant)
		fprintf(stderr, changed ? _("mappe: %s now holds the %s key\n")
		                        : _("mappe: %s held the %s key already\n"),
		        cli->argv[1], keys_class_name(c));
	else
		fprintf(stderr, changed ? _("mappe: %s no longer holds the %s key\n")
		                        : _("mappe: %s did not hold the %s key\n"),
		        cli->argv[1], keys_class_name(c));
	/* A withdrawal is a small revocation: they may keep the key in mind. */
	if (!grant && changed)
		rc = rotate_classes(st, 1u << c, cli->batch);
	store_close(st);
	return rc;
}

int cmd_user(struct cli *cli)
{
	if (cli->argc >= 1 && strcmp(cli->argv[0], "revoke") == 0 && !cli->role)
		return user_revoke(cli);
	if (cli->argc >= 1 && strcmp(cli->argv[0], "grant") == 0 && !cli->role)
		return user_grant(cli, true);
	if (cli->argc >= 1 && strcmp(cli->argv[0], "ungrant") == 0 && !cli->role)
		return user_grant(cli, false);
	if (cli->argc >= 1 && strcmp(cli->argv[0], "add") == 0)
		return user_add(cli);
	if (cli->argc == 1 && strcmp(cli->argv[0], "list") == 0 && !cli->role)
		return user_list(cli);
	return cli_fail(M_USAGE, _("usage: mappe user add NAME --role ROLE | user list | "
	                           "user revoke NAME | user grant|ungrant NAME protected"));
}

int cmd_passwd(struct cli *cli)
{
	struct store_fault why;
	char *old = NULL, *new = NULL;
	size_t oldlen, newlen;
	store *st;
	int rc;

	if (cli->argc)
		return cli_fail(M_USAGE, _("usage: mappe passwd"));
	rc = store_open(cli->db, NULL, &st, &why);
	if (rc)
		return cli_fail(rc, "%s", tui_fault(&why));
	rc = cli_read_secret(cli->pass_fd, _("Current passphrase: "), false, &old, &oldlen);
	if (rc == M_OK && (rc = store_unlock(st, cli->user, old, oldlen)))
		cli_fail(rc, "%s", tui_error(st));
	if (rc == M_OK)
		rc = cli_new_passphrase(cli, _("New passphrase: "), &new, &newlen);
	if (rc == M_OK && newlen == oldlen && keys_memeq(old, new, oldlen))
		rc = cli_fail(M_INPUT, _("the new passphrase must differ from the current one"));
	if (rc == M_OK && (rc = store_passwd(st, old, oldlen, new, newlen)))
		cli_fail(rc, "%s", tui_error(st));
	if (rc == M_OK)
		fprintf(stderr, _("mappe: passphrase changed\n"));
	keys_secure_free(old);
	keys_secure_free(new);
	store_close(st);
	return rc;
}

static void show_migration(void *vctx, const struct store_migration *m)
{
	const bool *tty = vctx;

	if (!*tty)
		return;
	/* Ids start at 1 and cases are never deleted: the cursor's ids below it. */
	uint64_t done = m->pending && !m->moved ? (m->cursor ? m->cursor - 1 : 0) : m->total;
	fputs("\r\033[K", stderr);
	fprintf(stderr, _("moving cases to the new format: %llu of %llu"),
	        (unsigned long long)(done < m->total ? done : m->total),
	        (unsigned long long)m->total);
	if (m->pending && m->moved)
		fputs(_("; retiring the old record key"), stderr);
}

/* Online: caseworkers go on working while the cases move, batch by batch. */
int cmd_migrate(struct cli *cli)
{
	struct store_migration m;
	bool tty = isatty(STDERR_FILENO);
	store *st;
	int rc;

	if (cli->argc)
		return cli_fail(M_USAGE, _("usage: mappe migrate [--batch N]"));
	cli->migrating = true;
	if ((rc = cli_open(cli, &st)))
		return rc;
	if (store_role(st) != ROLE_ADMIN) {
		store_close(st);
		return cli_fail(M_AUTH, _("not permitted: only an administrator can migrate a store"));
	}
	if ((rc = store_migration_get(st, &m)) == M_OK && !m.pending) {
		printf(_("every case is in the current format already\n"));
		store_close(st);
		return M_OK;
	}
	if (rc == M_OK)
		rc = store_migrate(st, (size_t)cli->batch, show_migration, &tty);
	if (tty)
		fputc('\n', stderr);
	if (rc)
		cli_fail(rc, "%s", tui_error(st));
	else if ((rc = store_migration_get(st, &m)) == M_OK)
		printf(_("moved the store's %llu cases to the current format; run mappe check\n"),
		       (unsigned long long)m.total);
	store_close(st);
	return rc;
}

static void report_signed(void *ctx, const char *name, enum key_role role)
{
	(void)ctx;
	fputs("  ", stdout);
	text_write_safe(stdout, name, strlen(name), "");
	printf("  %s\n", keys_role_name(role));
}

/* The one login an older store allows: its user records are unsigned, and
 * signing them is an administrator's decision, made on the list. */
int cmd_upgrade(struct cli *cli)
{
	uint32_t from;
	store *st;
	int rc;

	if (cli->argc)
		return cli_fail(M_USAGE, _("usage: mappe upgrade"));
	cli->upgrade = true;
	if ((rc = cli_open(cli, &st)))
		return rc;
	if (store_role(st) != ROLE_ADMIN) {
		store_close(st);
		return cli_fail(M_AUTH, _("not permitted: only an administrator can upgrade a store"));
	}
	from = store_schema(st);
	if (from >= STORE_SCHEMA_CURRENT) {
		printf(_("the store is already at schema %u\n"), from);
		store_close(st);
		return M_OK;
	}
	if (from < 4)
		printf(_("signing the user records as they stand (check them):\n"));
	rc = store_upgrade(st, report_signed, NULL);
	if (rc)
		cli_fail(rc, "%s", tui_error(st));
	else
		printf(_("upgraded the store from schema %u to %u\n"), from, store_schema(st));
	store_close(st);
	return rc;
}

/* ---- code tables IMDi owns ------------------------------------------------ */

static void codes_print_json(const struct code_list *l)
{
	printf("{\"table\":");
	json_write_string(stdout, code_table_id(l->table), strlen(code_table_id(l->table)));
	printf(",\"version\":");
	json_write_string(stdout, l->version, strlen(l->version));
	printf(",\"provisional\":%s,\"loaded\":", l->provisional ? "true" : "false");
	if (l->loaded) {
		char when[32];
		const char *t = cli_time(l->loaded, true, when);
		json_write_string(stdout, t, strlen(t));
		printf(",\"loaded_by\":");
		json_write_string(stdout, l->loaded_by, strlen(l->loaded_by));
	} else {
		printf("null,\"loaded_by\":null");
	}
	printf(",\"codes\":[");
	for (size_t i = 0; i < l->n; i++) {
		printf("%s{\"code\":", i ? "," : "");
		json_write_string(stdout, l->row[i].code, strlen(l->row[i].code));
		printf(",\"label_nb\":");
		json_write_string(stdout, l->row[i].label_nb, strlen(l->row[i].label_nb));
		printf(",\"label_en\":");
		json_write_string(stdout, l->row[i].label_en, strlen(l->row[i].label_en));
		putchar('}');
	}
	printf("]}\n");
}

static void codes_print(const struct code_list *l, bool norwegian)
{
	const char *label = code_table_label(l->table, norwegian);

	printf("%s (%s)", code_table_id(l->table), label);
	if (l->provisional) {
		printf(_(": provisional, mappe's default until IMDi's table is loaded "
		         "(mappe codes load FILE)\n"));
	} else {
		char when[32];
		printf(_(": version "));
		text_write_safe(stdout, l->version, strlen(l->version), NULL);
		printf(_(", loaded %s by "), cli_time(l->loaded, true, when));
		text_write_safe(stdout, l->loaded_by, strlen(l->loaded_by), NULL);
		putchar('\n');
	}
	for (size_t i = 0; i < l->n; i++) {
		const char *s = norwegian ? l->row[i].label_nb : l->row[i].label_en;
		printf("  %-22s ", l->row[i].code);
		text_write_safe(stdout, s, strlen(s), NULL);
		putchar('\n');
	}
}

static int codes_list(struct cli *cli)
{
	int only = -1, rc = M_OK;
	store *st;

	if (cli->argc > 2)
		return cli_fail(M_USAGE, _("usage: mappe codes list [TABLE] [--json]"));
	if (cli->argc == 2 && (only = code_table_parse(cli->argv[1], strlen(cli->argv[1]))) < 0)
		return cli_fail(M_USAGE, _("no code table '%.32s' (end_reason, main_activity)"),
		                cli->argv[1]);
	if ((rc = open_ready(cli, &st)))
		return rc;
	for (int t = 0; t < CT_COUNT && rc == M_OK; t++) {
		struct code_list l;
		if (only >= 0 && t != only)
			continue;
		if ((rc = store_codes_current(st, (enum code_table)t, &l))) {
			cli_fail(rc, "%s", tui_error(st));
			break;
		}
		if (cli->json)
			codes_print_json(&l);
		else
			codes_print(&l, cli->norwegian);
		code_list_free(&l);
	}
	store_close(st);
	return rc;
}

static int codes_load(struct cli *cli)
{
	bool loaded[CT_COUNT];
	size_t len;
	char *buf;
	store *st;
	int rc;

	if (cli->argc != 2 || cli->json)
		return cli_fail(M_USAGE, _("usage: mappe codes load FILE"));
	const char *path = cli->argv[1];
	const char *name = strcmp(path, "-") == 0 ? "stdin" : path;
	if ((rc = cli_read_input(cli, path, &buf, &len)))
		return rc;
	if ((rc = open_ready(cli, &st))) {
		keys_secure_free(buf);
		return rc;
	}
	rc = store_codes_load(st, name, buf, len, loaded);
	keys_secure_free(buf);
	if (rc) {
		cli_fail(rc, "%s", tui_error(st));
		store_close(st);
		return rc;
	}
	bool any = false;
	for (int t = 0; t < CT_COUNT; t++) {
		if (!loaded[t])
			continue;
		struct code_list l;
		if (store_codes_current(st, (enum code_table)t, &l) == M_OK) {
			cli_say(_("mappe: %s: version %s loaded, %zu codes\n"),
			        code_table_id((enum code_table)t), l.version, l.n);
			code_list_free(&l);
		}
		any = true;
	}
	if (!any)
		cli_say(_("mappe: %s: every table in it was loaded already; nothing changed\n"), name);
	store_close(st);
	return M_OK;
}

int cmd_codes(struct cli *cli)
{
	if (cli->argc >= 1 && strcmp(cli->argv[0], "list") == 0)
		return codes_list(cli);
	if (cli->argc >= 1 && strcmp(cli->argv[0], "load") == 0)
		return codes_load(cli);
	return cli_fail(M_USAGE, _("usage: mappe codes load FILE | mappe codes list [TABLE] [--json]"));
}

/* ---- the rules of law, and their corrections ----------------------------- */

static const char *unit_word(enum rule_unit u)
{
	switch (u) {
	case RU_DAYS: return _("days");
	case RU_MONTHS: return _("months");
	case RU_YEARS: return _("years");
	case RU_KRONER: return _("kroner");
	case RU_COUNT: break;
	}
	return _("count");
}

static void rule_row_json(const struct rule_row *row)
{
	const struct rule_def *d = &rule_catalogue[row->rule];
	static const char *const unit[] = {"days", "months", "years", "count", "kroner"};

	printf("{\"rule\":\"%s\",\"unit\":\"%s\",\"regime\":", d->id, unit[d->unit]);
	if (row->regime == REGIME_ANY)
		printf("null");
	else
		printf("\"%s\"", regime_name(row->regime));
	printf(",\"from\":\"%s\",\"value\":%ld,\"verified\":%s,\"source\":", row->from, row->value,
	       row->verified == RV_UNVERIFIED ? "false" : "true");
	json_write_string(stdout, row->source, strlen(row->source));
	printf(",\"set_by\":");
	if (row->set_by) {
		char when[32];
		const char *t = cli_time(row->set_at, true, when);
		json_write_string(stdout, row->set_by, strlen(row->set_by));
		printf(",\"set_at\":");
		json_write_string(stdout, t, strlen(t));
	} else {
		printf("null,\"set_at\":null");
	}
	printf("}\n");
}

static void rule_row_text(const struct rule_row *row, bool norwegian)
{
	char day[11], when[32];
	const char *regime = row->regime == REGIME_ANY ? _("every regime") : regime_name(row->regime);

	printf(_("  from %-10s  %-22s %6ld  "), date_for_people(row->from, norwegian, day), regime,
	       row->value);
	if (row->verified == RV_SET) {
		printf(_("set by "));
		text_write_safe(stdout, row->set_by, strlen(row->set_by), NULL);
		printf(" %s: ", cli_time(row->set_at, false, when));
	} else {
		fputs(row->verified == RV_VERIFIED ? _("verified: ") : _("NOT VERIFIED: "), stdout);
	}
	text_write_safe(stdout, row->source, strlen(row->source), NULL);
	putchar('\n');
}

static int rules_list(struct cli *cli)
{
	struct rule_set set;
	int only = -1, rc;
	store *st;

	if (cli->argc > 2 || cli->from || cli->regime || cli->source)
		return cli_fail(M_USAGE, _("usage: mappe rules list [RULE] [--json]"));
	if (cli->argc == 2 && (only = rule_parse(cli->argv[1])) < 0)
		return cli_fail(M_USAGE, _("no rule '%.40s' (mappe rules list names them)"),
		                cli->argv[1]);
	if ((rc = open_ready(cli, &st)))
		return rc;
	if ((rc = store_rules(st, &set))) {
		cli_fail(rc, "%s", tui_error(st));
		store_close(st);
		return rc;
	}
	for (int r = 0; r < RULE_COUNT; r++) {
		const struct rule_def *d = &rule_catalogue[r];
		if (only >= 0 && r != only)
			continue;
		if (!cli->json)
			printf("%s (%s): %s\n", d->id, unit_word(d->unit), _(d->what));
		for (size_t i = 0; i < set.n; i++) {
			if (set.row[i].rule != (enum rule_id)r)
				continue;
			if (cli->json)
				rule_row_json(&set.row[i]);
			else
				rule_row_text(&set.row[i], cli->norwegian);
		}
	}
	rule_set_free(&set);
	store_close(st);
	return M_OK;
}

static int rules_set(struct cli *cli)
{
	int r, g = REGIME_ANY, rc;
	char *end;
	store *st;

	if (cli->argc != 3 || !cli->from || !cli->source || cli->json)
		return cli_fail(M_USAGE, _("usage: mappe rules set RULE VALUE --from DATE "
		                           "[--regime R] --source TEXT"));
	if ((r = rule_parse(cli->argv[1])) < 0)
		return cli_fail(M_USAGE, _("no rule '%.40s' (mappe rules list names them)"),
		                cli->argv[1]);
	if (cli->regime && (g = regime_parse(cli->regime)) < 0)
		return cli_fail(M_USAGE, _("--regime expects introduksjonsloven, integreringsloven or "
		                           "integreringsloven_6a"));
	long value = strtol(cli->argv[2], &end, 10);
	if (end == cli->argv[2] || *end)
		return cli_fail(M_USAGE, _("the value must be a whole number"));
	/* Dates as people type them (17.04.2031) or as files keep them. */
	char from[11];
	const char *why = date_normalise(cli->from, from);
	if (why)
		return cli_fail(M_USAGE, "--from: %s", _(why));
	if ((rc = open_ready(cli, &st)))
		return rc;
	if ((rc = store_rule_correct(st, (enum rule_id)r, (enum regime)g, from, value, cli->source))) {
		cli_fail(rc, "%s", tui_error(st));
		store_close(st);
		return rc;
	}
	char day[11];
	cli_say(_("mappe: %s is %ld from %s (%s); mappe rules list shows it\n"), cli->argv[1], value,
	        date_for_people(from, cli->norwegian, day),
	        g == REGIME_ANY ? _("every regime") : regime_name((enum regime)g));
	store_close(st);
	return M_OK;
}

int cmd_rules(struct cli *cli)
{
	if (cli->argc >= 1 && strcmp(cli->argv[0], "list") == 0)
		return rules_list(cli);
	if (cli->argc >= 1 && strcmp(cli->argv[0], "set") == 0)
		return rules_set(cli);
	return cli_fail(M_USAGE, _("usage: mappe rules list [RULE] [--json] | mappe rules set RULE "
	                           "VALUE --from DATE [--regime R] --source TEXT"));
}
