/* cmd/tui.c: mappe / mappe tui: unlock on a clean screen, then the screens. */
#include "tui/ui.h"

#include <errno.h>
#include <fcntl.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
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
		cli_fail(rc, "%s", tui_error(st));
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
	/* Privacy mode from the start (laptops taken on home visits):
	 * privacy.default = on in /etc/mappe.conf; MAPPE_PRIVACY for a session
	 * that is not setgid. P (^P where letters are text) turns it off. */
	if (cli_conf("privacy.default", conf, sizeof conf))
		(void)conf_bool(conf, &ui.privacy);
	if ((env = secure_getenv("MAPPE_PRIVACY")) && *env)
		(void)conf_bool(env, &ui.privacy);

	if (cli->script && !(ui.script = fopen(cli->script, "r")))
		return cli_fail(M_USAGE, _("%s: cannot read the script"), cli->script);
	/* This login is what My day counts "new" from next time; the one
	 * before, from now. Not recorded, My day shows more as new, no less. */
	(void)store_login_note(st);
	/* The first batch, then the list is up; the rest is read between keys
	 * (ui_load_more): a store of a million cases opens as fast as one of
	 * a thousand (docs/performance.md, issue 13). */
	if ((rc = search_index_open(st, &ui.ix)))
		cli_fail(rc, "%s", tui_error(st));
	else if ((rc = view_list_open(&ui)) == M_OK) {
		/* A caseworker's day starts with what is due or new, when
		 * something is: known once their caseload is read. */
		if (store_role(st) == ROLE_CASEWORKER && !search_index_complete(ui.ix))
			ui.day_when_loaded = true;
		else if (store_role(st) == ROLE_CASEWORKER && day_has_due(&ui))
			view_day_open(&ui);
		/* A lead's starts with the year: where it stands against the
		 * council's decision, and whose deadlines are overdue. */
		else if (store_role(st) == ROLE_LEAD)
			view_dashboard_open(&ui);
		rc = ui_loop(&ui);
	}
	search_index_free(ui.ix);
	free(ui.picked);
	if (ui.script)
		fclose(ui.script);
	return rc;
}

/* The login on a terminal: three tries at the passphrase, as at a console,
 * each saying that it is working (Argon2id takes a second, longer while
 * other logins on the host hold the derivation slots). A passphrase from a
 * descriptor gets one. */
static int unlock_tries(struct cli *cli, store *st, char **pass, size_t *plen)
{
	enum { TRIES = 3 };
	bool tty = cli->pass_fd < 0;
	int rc = M_AUTH;

	for (int i = 0; i < (tty ? TRIES : 1) && rc == M_AUTH; i++) {
		keys_secure_free(*pass);
		*pass = NULL;
		if ((rc = cli_read_secret(cli->pass_fd, _("Passphrase: "), false, pass, plen)))
			return rc;
		if (tty) {
			fprintf(stderr, "%s", _("unlocking ..."));
			cli_tty_hush(true);
		}
		store_on_kdf_wait(st, cli_say_waiting, &tty);
		rc = store_unlock(st, cli->user, *pass, *plen);
		store_on_kdf_wait(st, NULL, NULL);
		if (tty) {
			cli_tty_hush(false);
			fputs("\r\033[K", stderr);
		}
		if (rc == M_AUTH && tty && i + 1 < TRIES)
			fprintf(stderr, _("mappe: %s; try again\n"), tui_error(st));
	}
	if (rc)
		cli_fail(rc, "%s", tui_error(st));
	return rc;
}

int cmd_tui(struct cli *cli)
{
	struct store_fault why;
	char *pass = NULL;
	size_t plen;
	store *st = NULL;
	int rc;

	if (cli->argc)
		return cli_fail(M_USAGE, _("usage: mappe [tui]"));
	if (!cli->script && (rc = ui_check_terminal()))
		return rc;
	if ((rc = store_open(cli->db, NULL, &st, &why)))
		return cli_fail(rc, "%s", tui_fault(&why));
	cli_retention(st);
	if (cli->pass_fd < 0)
		clean_screen();
	rc = unlock_tries(cli, st, &pass, &plen);
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

/* The generator of invented people, installed beside this binary: its tables
 * of names stay out of mappe, which a deployment makes setgid. */
static int demo_generator(char *path, size_t cap)
{
	char self[4096];
	ssize_t n = readlink("/proc/self/exe", self, sizeof self - 1);
	char *slash;

	if (n <= 0)
		return -1;
	self[n] = '\0';
	if (!(slash = strrchr(self, '/')))
		return -1;
	*slash = '\0';
	return (size_t)snprintf(path, cap, "%s/mappe-gen", self) < cap ? 0 : -1;
}

/* mappe-gen's JSON Lines of the demo's cases (every field and list) into
 * *buf (one byte more than *len, as store_import wants), their dates up to
 * today (st_today: MAPPE_TODAY in tests), so that the demo has deadlines
 * overdue, due today and this week. It runs with the caller's own group,
 * not mappe's (POSIX_SPAWN_RESETIDS): making invented people needs no
 * privilege. */
static int demo_generate(long cases, char **buf, size_t *len)
{
	char gen[4200], count[24], today[11];
	char *argv[] = {"mappe-gen", "--seed",  "2026", "--count", count,
	                "--format",  "jsonl",   "--today", today, NULL};
	posix_spawn_file_actions_t fa;
	posix_spawnattr_t attr;
	int fds[2], status = 0, err;
	size_t cap = 1 << 16, n = 0;
	bool failed = false;
	char *b;
	pid_t pid;

	if (demo_generator(gen, sizeof gen) != 0 || access(gen, X_OK) != 0)
		return cli_fail(M_UNAVAILABLE,
		                _("cannot run mappe-gen beside mappe (%s): the demo store is made by it"),
		                gen);
	snprintf(count, sizeof count, "%ld", cases);
	/* Not after today in UTC, the clock the store's past dates are checked
	 * on: local midnight comes first east of Greenwich. */
	long day = st_today(), utc = (long)(time(NULL) / 86400);
	date_iso(day < utc ? day : utc, today);
	if (!(b = malloc(cap)) || pipe2(fds, O_CLOEXEC) != 0) {
		free(b);
		return cli_fail(M_UNAVAILABLE, _("out of memory"));
	}
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_adddup2(&fa, fds[1], STDOUT_FILENO);
	posix_spawnattr_init(&attr);
	posix_spawnattr_setflags(&attr, POSIX_SPAWN_RESETIDS);
	err = posix_spawn(&pid, gen, &fa, &attr, argv, environ);
	posix_spawn_file_actions_destroy(&fa);
	posix_spawnattr_destroy(&attr);
	close(fds[1]);
	if (err != 0) {
		close(fds[0]);
		free(b);
		return cli_fail(M_UNAVAILABLE,
		                _("cannot run mappe-gen beside mappe (%s): the demo store is made by it"),
		                gen);
	}
	for (;;) {
		if (n + 1 >= cap) {
			char *nb = realloc(b, cap * 2);
			if (!nb) {
				failed = true;
				break;
			}
			b = nb;
			cap *= 2;
		}
		ssize_t got = read(fds[0], b + n, cap - n - 1);
		if (got < 0 && errno == EINTR)
			continue;
		if (got <= 0) {
			failed = got < 0;
			break;
		}
		n += (size_t)got;
	}
	close(fds[0]); /* a generator still writing gets SIGPIPE */
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	if (failed || !(WIFEXITED(status) && WEXITSTATUS(status) == 0)) {
		free(b);
		return cli_fail(M_UNAVAILABLE, _("%s failed: no demo store was made"), gen);
	}
	b[n] = '\0';
	*buf = b;
	*len = n;
	return M_OK;
}

static int demo_fill(store *st, char *buf, size_t len)
{
	uint64_t *ids = NULL;
	size_t n = 0;
	int rc;

	/* store_import parses in place and needs the byte after the text. */
	rc = store_import(st, "demo", buf, len, IMPORT_JSONL, false, &ids, &n);
	if (rc)
		cli_fail(rc, "%s", tui_error(st));
	free(ids);
	return rc;
}

/* A day of year y (month, day), or today when that is later. */
static long demo_day(int y, const char *md, long today)
{
	char iso[11];

	snprintf(iso, sizeof iso, "%04d-%s", y, md);
	long d = today;
	for (long back = 0; back < 800; back++) { /* date_iso's inverse, by search */
		char probe[11];
		date_iso(today - back, probe);
		if (strcmp(probe, iso) == 0) {
			d = today - back;
			break;
		}
	}
	return d;
}

/* The targets of this year and last, in the proportions of the news items
 * ("decided 90, then 110; settled 89"): scaled to what the invented cases
 * settled, so that the leads' dashboard has numbers to set them against;
 * this year's decision revised once. */
static int demo_targets(store *st)
{
	char iso[11];
	long today = st_today();
	int rc;

	date_iso(today, iso);
	int year = (int)strtol(iso, NULL, 10);
	for (int y = year - 1; y <= year; y++) {
		struct ledger l;
		if ((rc = store_ledger(st, y, &l)))
			return cli_fail(rc, "%s", tui_error(st));
		long settled = l.settled;
		size_t had = l.nhistory;
		ledger_free(&l);
		if (had)
			continue;
		long requested = settled + settled / 5 + 2;
		struct target t = {.year = y,
		                   .requested = requested,
		                   .minors = requested / 10,
		                   .decided = y < year ? settled + 1 : settled * 8 / 10 + 1,
		                   .date = demo_day(y, "02-12", today),
		                   .answer_by = demo_day(y, "02-01", today),
		                   .body = BODY_COUNCIL};
		if ((rc = store_target_set(st, &t)))
			return cli_fail(rc, "%s", tui_error(st));
		if (y < year)
			continue;
		struct target revision = {.year = y,
		                          .requested = -1,
		                          .minors = -1,
		                          .decided = settled + settled / 10 + 2,
		                          .date = demo_day(y, "06-18", today),
		                          .answer_by = DAY_NONE,
		                          .body = BODY_EXECUTIVE};
		if ((rc = store_target_set(st, &revision)))
			return cli_fail(rc, "%s", tui_error(st));
	}
	return M_OK;
}

int cmd_demo(struct cli *cli)
{
	struct store_fault why;
	char path[4200];
	const char *db = cli->db;
	long cases = cli->cases ? cli->cases : 300;
	store *st = NULL;
	int rc;

	if (cli->argc)
		return cli_fail(M_USAGE, _("usage: mappe demo [--cases N]"));
	if (!cli->script && (rc = ui_check_terminal()))
		return rc;
	if (!cli->db_given) {
		/* Beside the real store, never in it. */
		snprintf(path, sizeof path, "%s-demo", cli->db);
		db = path;
	}
	char data[4300];
	snprintf(data, sizeof data, "%s/data.mdb", db);
	if (access(data, F_OK) != 0) {
		char *cases_text = NULL;
		size_t len = 0;

		fprintf(stderr, _("Creating a demo store of %ld invented cases in %s ...\n"),
		        cases, db);
		if ((rc = demo_generate(cases, &cases_text, &len)))
			return rc;
		rc = store_create(db, cli->user, DEMO_PASSPHRASE, strlen(DEMO_PASSPHRASE), NULL, &why);
		if (rc || (rc = store_open(db, NULL, &st, &why)))
			cli_fail(rc, "%s", tui_fault(&why));
		else if ((rc = store_unlock(st, cli->user, DEMO_PASSPHRASE, strlen(DEMO_PASSPHRASE))))
			cli_fail(rc, "%s", tui_error(st));
		else
			rc = demo_fill(st, cases_text, len);
		if (rc == M_OK)
			rc = demo_targets(st);
		free(cases_text);
		if (rc) {
			store_close(st);
			return rc;
		}
	} else {
		if ((rc = store_open(db, NULL, &st, &why)))
			return cli_fail(rc, "%s", tui_fault(&why));
		if ((rc = store_unlock(st, cli->user, DEMO_PASSPHRASE, strlen(DEMO_PASSPHRASE)))) {
			cli_fail(rc, "%s (%s)", tui_error(st),
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
