/* cli.c: what every command needs: messages, passphrases, input, the store. */
#include "tui/tui.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

enum { SECRET_MAX = 1024, PASSPHRASE_MIN = 10 };

/* Messages carry user-supplied text (a file name, an option's value), so
 * they reach the terminal only through text_write_safe. newlines: whether
 * the message's own line breaks are kept. */
static void say(bool newlines, const char *fmt, va_list ap)
{
	char buf[1024], *msg = buf;
	va_list again;
	int n;

	va_copy(again, ap);
	n = vsnprintf(buf, sizeof buf, fmt, ap);
	if (n >= 0 && (size_t)n >= sizeof buf) {
		/* A long path: print it whole rather than cut. */
		msg = malloc((size_t)n + 1);
		if (msg)
			vsnprintf(msg, (size_t)n + 1, fmt, again);
		else
			msg = buf, n = (int)sizeof buf - 1;
	}
	va_end(again);
	if (n > 0)
		text_write_safe(stderr, msg, (size_t)n, newlines ? "" : NULL);
	if (msg != buf)
		free(msg);
}

int cli_fail(int status, const char *fmt, ...)
{
	va_list ap;

	fputs("mappe: ", stderr);
	va_start(ap, fmt);
	say(false, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	return status;
}

void cli_say(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	say(true, fmt, ap);
	va_end(ap);
}

/* One byte at a time: the same descriptor may carry the old passphrase on
 * its first line and the new one on its second. */
static int read_line_fd(int fd, char *buf, size_t cap, size_t *len)
{
	size_t n = 0;

	for (;;) {
		char ch;
		ssize_t r = read(fd, &ch, 1);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			return -1;
		if (r == 0 || ch == '\n')
			break;
		if (n + 1 >= cap)
			return -2;
		buf[n++] = ch;
	}
	if (n && buf[n - 1] == '\r')
		n--;
	buf[n] = 0;
	*len = n;
	return 0;
}

/* The terminal with echo off, and Ctrl-C, Ctrl-Z and Ctrl-backslash held
 * back meanwhile: a signal while echo is off would leave the terminal silent. */
struct tty_quiet {
	int fd;
	struct termios old;
	sigset_t saved;
};

/* prompt (or NULL) is written first; canon asks for line input; when: as
 * tcsetattr takes it. -3: no terminal. */
static int tty_quiet_begin(struct tty_quiet *q, const char *prompt, bool canon, int when)
{
	struct termios quiet;
	sigset_t block;
	int fd = open("/dev/tty", O_RDWR | O_CLOEXEC);

	if (fd < 0)
		return -3;
	if (tcgetattr(fd, &q->old) != 0) {
		close(fd);
		return -3;
	}
	quiet = q->old;
	quiet.c_lflag &= ~(tcflag_t)(ECHO | ECHONL);
	if (canon)
		quiet.c_lflag |= ICANON;
	sigemptyset(&block);
	sigaddset(&block, SIGINT);
	sigaddset(&block, SIGTSTP);
	sigaddset(&block, SIGQUIT);
	sigprocmask(SIG_BLOCK, &block, &q->saved);
	if (prompt && write(fd, prompt, strlen(prompt)) < 0) {
		/* nothing to do: the read that follows still works */
	}
	tcsetattr(fd, when, &quiet);
	q->fd = fd;
	return 0;
}

/* Gives the terminal back as it was; keys typed meanwhile are dropped.
 * newline ends the line the prompt was on. */
static void tty_quiet_end(struct tty_quiet *q, bool newline)
{
	tcsetattr(q->fd, TCSAFLUSH, &q->old);
	if (newline && write(q->fd, "\n", 1) < 0) {
		/* nothing to do: the terminal is given back all the same */
	}
	sigprocmask(SIG_SETMASK, &q->saved, NULL);
	close(q->fd);
	q->fd = -1;
}

static int read_tty(const char *prompt, char *buf, size_t cap, size_t *len)
{
	struct tty_quiet q;
	int rc = tty_quiet_begin(&q, prompt, true, TCSAFLUSH);

	if (rc)
		return rc;
	rc = read_line_fd(q.fd, buf, cap, len);
	tty_quiet_end(&q, true);
	return rc;
}

/* Between two passphrase prompts (Argon2id runs meanwhile) keys typed
 * ahead, perhaps the next try at the passphrase, must not be echoed; they
 * are dropped when the terminal is given back. */
static struct tty_quiet hush = {.fd = -1};

void cli_tty_hush(bool on)
{
	if (on && hush.fd < 0)
		tty_quiet_begin(&hush, NULL, false, TCSANOW);
	else if (!on && hush.fd >= 0)
		tty_quiet_end(&hush, false);
}

int cli_read_secret(int fd, const char *prompt, bool confirm, char **out, size_t *len)
{
	char *buf = keys_secure_alloc(SECRET_MAX), *again = NULL;
	size_t n = 0, n2 = 0;
	int rc;

	*out = NULL;
	if (!buf)
		return cli_fail(M_UNAVAILABLE, _("out of memory"));
	rc = fd >= 0 ? read_line_fd(fd, buf, SECRET_MAX, &n) : read_tty(prompt, buf, SECRET_MAX, &n);
	if (rc == -3) {
		keys_secure_free(buf);
		/* A passphrase being set (confirmed on a terminal) has its own option. */
		return confirm ? cli_fail(M_USAGE, _("no terminal to ask for the new passphrase: use "
		                                     "--new-passphrase-fd N"))
		               : cli_fail(M_USAGE, _("no terminal to ask for the passphrase: use "
		                                     "--passphrase-fd N"));
	}
	if (rc == 0 && confirm && fd < 0) {
		again = keys_secure_alloc(SECRET_MAX);
		if (!again || read_tty(_("Repeat: "), again, SECRET_MAX, &n2) != 0)
			rc = -1;
		else if (n2 != n || !keys_memeq(buf, again, n))
			rc = -4;
		keys_secure_free(again);
	}
	if (rc) {
		keys_secure_free(buf);
		if (rc == -4)
			return cli_fail(M_INPUT, _("the two passphrases differ; nothing changed"));
		if (rc == -2)
			return cli_fail(M_INPUT, _("passphrase too long (at most %d bytes)"),
			                SECRET_MAX - 1);
		return cli_fail(M_USAGE, _("cannot read the passphrase: %s"), strerror(errno));
	}
	*out = buf;
	*len = n;
	return M_OK;
}

int cli_new_passphrase(const struct cli *cli, const char *prompt, char **out, size_t *len)
{
	int rc = cli_read_secret(cli->newpass_fd, prompt, true, out, len);

	if (rc)
		return rc;
	if (*len < PASSPHRASE_MIN) {
		keys_secure_free(*out);
		*out = NULL;
		return cli_fail(M_INPUT, _("a passphrase needs at least %d characters"),
		                PASSPHRASE_MIN);
	}
	return M_OK;
}

int cli_read_line(int fd, char **out, size_t *len)
{
	char *buf = keys_secure_alloc(SECRET_MAX);

	*out = NULL;
	if (!buf)
		return cli_fail(M_UNAVAILABLE, _("out of memory"));
	if (read_line_fd(fd, buf, SECRET_MAX, len) != 0) {
		keys_secure_free(buf);
		return cli_fail(M_INPUT, _("stdin: cannot read a line (at most %d bytes)"),
		                SECRET_MAX - 1);
	}
	*out = buf;
	return M_OK;
}

/* Read fd to its end into secure memory; name is for messages. */
static int read_fd_all(int fd, const char *name, char **out, size_t *len)
{
	size_t cap = 1 << 16, n = 0;
	char *buf;
	struct stat sb;

	*out = NULL;
	if (fstat(fd, &sb) == 0 && S_ISREG(sb.st_mode) && (size_t)sb.st_size >= cap)
		cap = (size_t)sb.st_size + 1;
	buf = keys_secure_alloc(cap);
	for (;;) {
		ssize_t r;
		if (!buf)
			return cli_fail(M_UNAVAILABLE, _("%s: out of memory"), name);
		if (n + 1 == cap) {
			/* Grow by copying: secure memory cannot be realloc'd. */
			char *p = keys_secure_alloc(cap * 2);
			if (p)
				memcpy(p, buf, n);
			keys_secure_free(buf);
			buf = p;
			cap *= 2;
			continue;
		}
		r = read(fd, buf + n, cap - 1 - n);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			int e = errno;
			keys_secure_free(buf);
			return cli_fail(M_INPUT, _("%s: %s"), name, strerror(e));
		}
		if (r == 0)
			break;
		n += (size_t)r;
	}
	buf[n] = 0;
	*out = buf;
	*len = n;
	return M_OK;
}

int cli_read_all(const char *path, char **out, size_t *len)
{
	int fd = !path || strcmp(path, "-") == 0 ? STDIN_FILENO : open(path, O_RDONLY | O_CLOEXEC);
	const char *name = fd == STDIN_FILENO ? "stdin" : path;
	int rc;

	*out = NULL;
	if (fd < 0)
		return cli_fail(M_INPUT, _("%s: %s"), name, strerror(errno));
	rc = read_fd_all(fd, name, out, len);
	if (fd != STDIN_FILENO)
		close(fd);
	return rc;
}

int cli_open_input(const struct cli *cli, const char *path, int *out)
{
	static const char *const own[] = {"data.mdb", "lock.mdb"};
	gid_t egid = getegid(), rgid = getgid();
	struct stat sb;
	int fd, e;

	*out = -1;
	/* With the caller's own group, not mappe's: a setgid mappe must not read
	 * for them what only the group may read, and a check before the open
	 * (access) is undone by a symlink swapped in between. */
	if (egid != rgid && setegid(rgid) != 0)
		return cli_fail(M_UNAVAILABLE, _("cannot set the group back to yours: %s"),
		                strerror(errno));
	fd = open(path, O_RDONLY | O_NOCTTY | O_CLOEXEC);
	e = errno;
	if (egid != rgid && setegid(egid) != 0) {
		if (fd >= 0)
			close(fd);
		return cli_fail(M_UNAVAILABLE, _("cannot take the group mappe back: %s"),
		                strerror(errno));
	}
	if (fd < 0 && (e == EACCES || e == EPERM))
		return cli_fail(M_INPUT, _("%s: permission denied: you may not read this file"),
		                path);
	if (fd < 0)
		return cli_fail(M_INPUT, _("%s: %s"), path, strerror(e));
	/* From here on the opened file, never the name again. */
	if (fstat(fd, &sb) != 0 || !(S_ISREG(sb.st_mode) || S_ISFIFO(sb.st_mode))) {
		close(fd);
		return cli_fail(M_INPUT, _("%s: not a regular file or a pipe"), path);
	}
	for (size_t i = 0; i < sizeof own / sizeof *own; i++) {
		char p[4200];
		struct stat ssb;
		snprintf(p, sizeof p, "%s/%s", cli->db, own[i]);
		if (stat(p, &ssb) == 0 && ssb.st_dev == sb.st_dev && ssb.st_ino == sb.st_ino) {
			close(fd);
			return cli_fail(M_INPUT,
			                _("%s: this is the store's own file, not cases to read"),
			                path);
		}
	}
	*out = fd;
	return M_OK;
}

int cli_read_input(const struct cli *cli, const char *path, char **out, size_t *len)
{
	int fd, rc;

	*out = NULL;
	if (!path || strcmp(path, "-") == 0)
		return read_fd_all(STDIN_FILENO, "stdin", out, len);
	if ((rc = cli_open_input(cli, path, &fd)))
		return rc;
	rc = read_fd_all(fd, path, out, len);
	close(fd);
	return rc;
}

int cli_open(const struct cli *cli, store **out)
{
	struct store_fault why;
	char *pass = NULL;
	size_t plen = 0;
	store *st;
	int rc = store_open(cli->db, NULL, &st, &why);

	*out = NULL;
	if (rc)
		return cli_fail(rc, "%s", tui_fault(&why));
	cli_retention(st);
	if (cli->upgrade)
		store_allow_upgrade(st);
	/* What the audit log says this session's acts were for. */
	char purpose[64];
	snprintf(purpose, sizeof purpose, "mappe %s", cli->command ? cli->command : "");
	store_audit_purpose(st, purpose);
	rc = cli_read_secret(cli->pass_fd, _("Passphrase: "), false, &pass, &plen);
	if (rc) {
		store_close(st);
		return rc;
	}
	bool tty = cli->pass_fd < 0;
	store_on_kdf_wait(st, cli_say_waiting, &tty);
	rc = store_unlock(st, cli->user, pass, plen);
	store_on_kdf_wait(st, NULL, NULL);
	keys_secure_free(pass);
	if (rc) {
		cli_fail(rc, "%s", tui_error(st));
		store_close(st);
		return rc;
	}
	/* The store works in both formats meanwhile; its administrators are
	 * reminded that the old one still shows which fields cases have. */
	struct store_migration m;
	if (!cli->migrating && store_role(st) == ROLE_ADMIN && store_migration_get(st, &m) == M_OK &&
	    m.pending)
		fprintf(stderr, _("mappe: this store still has cases in the old format, which shows "
		                  "which fields they hold: run mappe migrate\n"));
	*out = st;
	return M_OK;
}

void cli_say_waiting(void *tty)
{
	if (*(const bool *)tty)
		fprintf(stderr, "\r\033[K%s", _("waiting for other logins ..."));
	else
		fprintf(stderr, "%s", _("mappe: waiting for other logins on this host ...\n"));
}

const char *cli_time(int64_t t, bool with_clock, char buf[32])
{
	time_t tt = (time_t)t;
	struct tm tm;

	/* Local time for people (TZ decides; Europe/Oslo on a deployment). */
	if (!localtime_r(&tt, &tm) ||
	    strftime(buf, 32, with_clock ? "%Y-%m-%d %H:%M" : "%Y-%m-%d", &tm) == 0)
		snprintf(buf, 32, "?");
	return buf;
}

int cli_parse_id(const char *s, uint64_t *id)
{
	char *end;
	uintmax_t v;

	if (!s || !*s || *s == '-' || *s == '+')
		return cli_fail(M_USAGE, _("expected a case id (a number)"));
	errno = 0;
	v = strtoumax(s, &end, 10);
	if (errno || *end || v == 0 || v > UINT64_MAX)
		return cli_fail(M_USAGE, _("expected a case id (a number)"));
	*id = (uint64_t)v;
	return M_OK;
}
