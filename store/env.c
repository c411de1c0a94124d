/* env.c: the LMDB environment: the transaction retry loop and its gates, get
 * and put, the session's scratch memory (schema.c opens and creates it).
 * store.md's checklist is the reference for every choice. */
#include "store/private.h"

#include <errno.h>
#include <limits.h>
#include <fcntl.h>
#include <pwd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

const char *const st_db_names[DB_COUNT] = {
    [DB_META] = "meta",     [DB_USERS] = "users", [DB_GRANTS] = "grants",
    [DB_EPOCHS] = "epochs", [DB_CASES] = "cases", [DB_FIELDS] = "fields",
    [DB_NOTES] = "notes",   [DB_NID] = "nid",     [DB_DRAFTS] = "drafts", [DB_AUDIT] = "audit",
};

int st_mdb(store *st, int rc, const char *what)
{
	st->mdb_rc = rc;
	switch (rc) {
	case MDB_CORRUPTED:
	case MDB_PAGE_NOTFOUND:
	case MDB_INVALID:
	case MDB_VERSION_MISMATCH:
		return st_err(st, MDB_DAMAGED, .what = what, .detail = mdb_strerror(rc));
	case ENOSPC:
	case EDQUOT:
		return st_err(st, MDB_DISK_FULL, .what = what);
	case EIO:
		return st_err(st, MDB_DISK_IO, .what = what);
	case EACCES:
	case EROFS:
		return st_err(st, MDB_DENIED, .what = what);
	default:
		return st_err(st, MDB_OTHER, .what = what, .detail = mdb_strerror(rc));
	}
}

int st_del_prefix(store *st, MDB_txn *txn, enum store_db db, const void *prefix, size_t len)
{
	MDB_cursor *cur;
	MDB_val k, v;
	int rc = mdb_cursor_open(txn, st->dbi[db], &cur);

	if (rc)
		return st_mdb(st, rc, st_db_names[db]);
	/* Seek again after each delete rather than trust where it leaves the
	 * cursor. */
	for (;;) {
		k = (MDB_val){len, (void *)prefix};
		if ((rc = mdb_cursor_get(cur, &k, &v, MDB_SET_RANGE)))
			break;
		if (k.mv_size < len || memcmp(k.mv_data, prefix, len) != 0)
			break;
		if ((rc = mdb_cursor_del(cur, 0)))
			break;
	}
	mdb_cursor_close(cur);
	return rc == 0 || rc == MDB_NOTFOUND ? M_OK : st_mdb(st, rc, st_db_names[db]);
}

int st_get(store *st, MDB_txn *txn, enum store_db db, const void *k, size_t klen, MDB_val *v)
{
	MDB_val key = {klen, (void *)k};
	int rc = mdb_get(txn, st->dbi[db], &key, v);

	if (rc == MDB_NOTFOUND)
		return -1;
	if (rc)
		return st_mdb(st, rc, st_db_names[db]);
	return M_OK;
}

int st_put(store *st, MDB_txn *txn, enum store_db db, const void *k, size_t klen, const void *v,
           size_t vlen, unsigned flags)
{
	MDB_val key = {klen, (void *)k}, val = {vlen, (void *)v};
	int rc = mdb_put(txn, st->dbi[db], &key, &val, flags);

	return rc ? st_mdb(st, rc, st_db_names[db]) : M_OK;
}

void *st_scratch(store *st, size_t n)
{
	size_t cap;
	void *p;

	if (st->scratch_cap >= n)
		return st->scratch;
	cap = st->scratch_cap ? st->scratch_cap : 4096;
	while (cap < n)
		cap *= 2;
	p = keys_secure_alloc(cap);
	if (!p)
		return NULL;
	keys_secure_free(st->scratch);
	st->scratch = p;
	st->scratch_cap = cap;
	return p;
}

void *st_build(store *st, size_t n)
{
	size_t cap;
	void *p;

	if (st->build_cap >= n)
		return st->build;
	cap = st->build_cap ? st->build_cap : 4096;
	while (cap < n)
		cap *= 2;
	p = keys_secure_alloc(cap);
	if (!p)
		return NULL;
	if (st->build)
		memcpy(p, st->build, st->build_cap);
	keys_secure_free(st->build);
	st->build = p;
	st->build_cap = cap;
	return p;
}

void st_scratch_free(store *st)
{
	keys_secure_free(st->scratch);
	keys_secure_free(st->build);
	keys_secure_free(st->kept);
	st->scratch = st->build = st->kept = NULL;
	st->scratch_cap = st->build_cap = st->kept_cap = 0;
}
/* ---- the gates: bounded waits for another process's locks --------------- */

enum { GATE_WAIT_MS = 10000 };

int64_t st_now_ms(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (int64_t)t.tv_sec * 1000 + t.tv_nsec / 1000000;
}

static void nap_ms(long ms)
{
	struct timespec t = {ms / 1000, (ms % 1000) * 1000000};

	nanosleep(&t, NULL); /* a signal only shortens the nap */
}

/* The state letter of /proc/PID/stat (T: stopped), 0 if unknown. */
static char proc_state(pid_t pid)
{
	char path[64], buf[512], *p;
	FILE *f;
	size_t n;

	snprintf(path, sizeof path, "/proc/%d/stat", (int)pid);
	if (!(f = fopen(path, "re")))
		return 0;
	n = fread(buf, 1, sizeof buf - 1, f);
	fclose(f);
	buf[n] = 0;
	/* The command name may hold ')': the state follows the last one. */
	p = strrchr(buf, ')');
	return p && p[1] == ' ' && p[2] ? p[2] : 0;
}

/* The holder's login name, for the administrator; "?" if unknown. */
static bool parse_uid(const char *s, unsigned *uid)
{
	char *end;
	unsigned long v;

	errno = 0;
	v = strtoul(s, &end, 10);
	if (errno || end == s || v > UINT_MAX)
		return false;
	*uid = (unsigned)v;
	return true;
}

static void proc_user(pid_t pid, char *out, size_t cap)
{
	char path[64], line[256];
	unsigned uid;
	FILE *f;

	snprintf(out, cap, "?");
	snprintf(path, sizeof path, "/proc/%d/status", (int)pid);
	if (!(f = fopen(path, "re")))
		return;
	while (fgets(line, sizeof line, f))
		if (strncmp(line, "Uid:", 4) == 0 && parse_uid(line + 4, &uid)) {
			struct passwd *pw = getpwuid((uid_t)uid);
			if (pw && store_user_name_valid(pw->pw_name))
				snprintf(out, cap, "%s", pw->pw_name);
			else
				snprintf(out, cap, "uid %u", uid);
			break;
		}
	fclose(f);
}

long st_lock_wait_ms(long dflt)
{
	const char *s = secure_getenv("MAPPE_LOCK_WAIT_MS");
	char *end;
	long v;

	if (!s || !*s)
		return dflt;
	errno = 0;
	v = strtol(s, &end, 10);
	return errno || *end || v < 0 || v > 600000 ? dflt : v;
}

enum gate { GATE_WRITE, GATE_READ };

static int gate_busy(store *st, enum gate g, pid_t pid, int64_t waited)
{
	unsigned long long s = (unsigned long long)(waited / 1000);
	char user[64];
	char state;

	if (pid <= 0)
		return g == GATE_WRITE ? st_err(st, BUSY_WRITE, .n = s) : st_err(st, BUSY_READ, .n = s);
	state = proc_state(pid);
	proc_user(pid, user, sizeof user);
	if (state == 'T' || state == 't')
		return g == GATE_WRITE
		           ? st_err(st, BUSY_WRITER_STOPPED, .m = (unsigned long long)pid, .name = user)
		           : st_err(st, BUSY_READER_STOPPED, .m = (unsigned long long)pid, .name = user);
	if (g == GATE_WRITE)
		return st_err(st, BUSY_WRITING, .n = s, .m = (unsigned long long)pid, .name = user);
	return st_err(st, BUSY_READING, .n = s, .m = (unsigned long long)pid, .name = user);
}

/* Two gates, POSIX record locks on bytes of data.mdb (LMDB locks nothing in
 * that file), each taken with a bounded wait; the kernel names the holder.
 *
 * The write gate is taken before every write transaction. LMDB's writer
 * mutex waits forever, even for a process that its owner has stopped with
 * SIGSTOP (which no program can block); since every mappe writer passes
 * the gate first, nobody reaches mdb_txn_begin behind a stopped process.
 *
 * The reader gate is held around every LMDB call that takes the reader
 * table's mutex or the lock file's exclusive lock, which also wait forever:
 * mdb_env_open, mdb_env_close, mdb_reader_check and the start of every read
 * transaction. A process stopped inside one of them holds the gate too, so
 * the others get a bounded wait instead of a hang. It is held for
 * microseconds, except while the store opens.
 *
 * Both go through a descriptor of data.mdb that is already open: no
 * open-files limit can make them fail. A POSIX record lock belongs to the
 * process and goes with the first close() of any descriptor of its file:
 * nothing in mappe may open and close data.mdb while it holds one. */
_Static_assert(ST_WRITE_GATE < ST_READ_GATE && ST_READ_GATE < KEYS_KDF_LOCK_BASE,
               "the gates and the KDF locks are apart");
static off_t gate_byte(enum gate g)
{
	return g == GATE_WRITE ? ST_WRITE_GATE : ST_READ_GATE;
}

static void gate_alarm(int sig)
{
	(void)sig; /* only to interrupt F_SETLKW */
}

/* Wait in F_SETLKW (the kernel wakes a waiter when the lock is released,
 * so a writer that commits batch after batch, like a key rotation, cannot
 * starve a colleague's save the way polling could be), interrupted by
 * SIGALRM after ms. The caller's SIGALRM handler and timer are restored.
 * 0 taken, 1 not yet, -1 the lock cannot be used. */
static int gate_wait(int fd, struct flock *l, int64_t ms)
{
	struct sigaction sa = {.sa_handler = gate_alarm}, old_sa;
	/* Repeating: should the first SIGALRM land before fcntl sleeps, the
	 * next one still wakes it. */
	struct itimerval it = {{0, 50000}, {(time_t)(ms / 1000), (suseconds_t)(ms % 1000) * 1000}};
	struct itimerval off = {{0, 0}, {0, 0}}, old_it;
	sigset_t alrm, saved;
	int rc, err;

	if (ms <= 0)
		return 1;
	sigemptyset(&sa.sa_mask); /* and no SA_RESTART */
	sigemptyset(&alrm);
	sigaddset(&alrm, SIGALRM);
	sigaction(SIGALRM, &sa, &old_sa);
	sigprocmask(SIG_UNBLOCK, &alrm, &saved);
	setitimer(ITIMER_REAL, &it, &old_it);
	rc = fcntl(fd, F_SETLKW, l);
	err = errno;
	setitimer(ITIMER_REAL, &off, NULL);
	sigprocmask(SIG_SETMASK, &saved, NULL);
	sigaction(SIGALRM, &old_sa, NULL);
	if (old_it.it_value.tv_sec || old_it.it_value.tv_usec)
		setitimer(ITIMER_REAL, &old_it, NULL);
	if (rc == 0)
		return 0;
	errno = err;
	/* EDEADLK: the kernel saw a cycle of waiters; wait again. */
	return err == EINTR || err == EDEADLK || err == EAGAIN || err == EACCES ? 1 : -1;
}

static int gate_take_fd(store *st, int fd, enum gate g, int64_t limit)
{
	struct flock l = {
	    .l_type = F_WRLCK, .l_whence = SEEK_SET, .l_start = gate_byte(g), .l_len = 1};
	int64_t start = st_now_ms(), waited = 0;
	int rc;

	for (int again = 0;; again++) {
		struct flock q = l;
		if (fcntl(fd, F_SETLK, &l) == 0)
			return M_OK;
		rc = errno == EACCES || errno == EAGAIN || errno == EINTR
		         ? gate_wait(fd, &l, limit - waited)
		         : -1;
		if (rc == 0)
			return M_OK;
		if (rc < 0)
			return g == GATE_WRITE ? st_err(st, GATE_WRITE_FAILED, .detail = strerror(errno))
			                       : st_err(st, GATE_READ_FAILED, .detail = strerror(errno));
		waited = st_now_ms() - start;
		if (waited < limit) {
			nap_ms(1); /* another signal cut the wait short */
			continue;
		}
		/* Released just now: go round again. */
		if (fcntl(fd, F_GETLK, &q) == 0 && q.l_type == F_UNLCK && again < 100)
			continue;
		return gate_busy(st, g, q.l_type == F_UNLCK ? 0 : q.l_pid, waited);
	}
}

static int gate_take(store *st, enum gate g, int64_t limit)
{
	int fd, rc;

	if ((rc = mdb_env_get_fd(st->env, &fd)))
		return st_mdb(st, rc, g == GATE_WRITE ? "write lock" : "reader lock");
	return gate_take_fd(st, fd, g, limit);
}

static void gate_give(store *st, enum gate g)
{
	struct flock l = {
	    .l_type = F_UNLCK, .l_whence = SEEK_SET, .l_start = gate_byte(g), .l_len = 1};
	int fd;

	if (mdb_env_get_fd(st->env, &fd) == 0)
		fcntl(fd, F_SETLK, &l);
}

static int64_t gate_limit(void)
{
	return st_lock_wait_ms(GATE_WAIT_MS);
}

/* mdb_reader_check under the reader gate; only when the gate is free now,
 * since it is housekeeping that the next caller does as well. */
static int reader_check(store *st, int *dead)
{
	struct flock l = {
	    .l_type = F_WRLCK, .l_whence = SEEK_SET, .l_start = ST_READ_GATE, .l_len = 1};
	int fd, rc;

	*dead = 0;
	if (mdb_env_get_fd(st->env, &fd) != 0 || fcntl(fd, F_SETLK, &l) != 0)
		return -1;
	rc = mdb_reader_check(st->env, dead);
	gate_give(st, GATE_READ);
	return rc;
}

/* Postfix's slmdb_recover is the model: grow, adopt or clean, then redo the
 * whole transaction. Each transaction function starts from what is on disk,
 * so running it again is always correct. */
static bool recover(store *st)
{
	int rc = st->mdb_rc;
	MDB_envinfo info;
	int dead;

	st->mdb_rc = 0;
	switch (rc) {
	case MDB_MAP_FULL:
		mdb_env_info(st->env, &info);
		st->map_size = info.me_mapsize * 2;
		return mdb_env_set_mapsize(st->env, st->map_size) == 0;
	case MDB_MAP_RESIZED:
		if (mdb_env_set_mapsize(st->env, 0) != 0)
			return false;
		mdb_env_info(st->env, &info);
		st->map_size = info.me_mapsize;
		return true;
	case MDB_READERS_FULL:
		return reader_check(st, &dead) == 0 && dead > 0;
	default:
		return false;
	}
}

/* Tell what a write transaction wrote beside its data (the audit log's
 * head, audit.c) whether it is now in the file. */
static void after_write(store *st, bool committed)
{
	void (*fn)(store *, bool) = st->after_write;

	st->after_write = NULL;
	if (fn)
		fn(st, committed);
}

static int txn_once(store *st, bool write, txn_fn fn, void *ctx)
{
	for (int attempt = 0; attempt < 8; attempt++) {
		MDB_txn *txn;
		int rc, status;

		st->mdb_rc = 0;
		/* The classes a case write seals, for its audit entry: none
		 * carried over from an attempt or a transaction that aborted. */
		st->written = 0;
		if (!write && (status = gate_take(st, GATE_READ, gate_limit())))
			return status;
		rc = mdb_txn_begin(st->env, NULL, write ? 0 : MDB_RDONLY, &txn);
		if (!write)
			gate_give(st, GATE_READ);
		if (rc) {
			status = st_mdb(st, rc, "begin transaction");
			if (recover(st))
				continue;
			return status;
		}
		status = fn(st, txn, ctx);
		if (status != M_OK) {
			mdb_txn_abort(txn);
			after_write(st, false);
			if (recover(st))
				continue;
			return status;
		}
		/* Read-only transactions commit too: table handles opened in
		 * them stay valid only then, and it costs nothing more. */
		rc = mdb_txn_commit(txn);
		after_write(st, rc == 0);
		if (rc == 0)
			return M_OK;
		status = st_mdb(st, rc, "commit");
		if (!recover(st))
			return status;
	}
	return M_UNAVAILABLE;
}

/* A writer waiting for the write gate holds a shared lock on the wait
 * byte meanwhile. The kernel does not queue lock waiters fairly, and a
 * process that commits batch after batch (a rotation, a migration) would
 * take the gate again before a woken colleague runs: it yields instead,
 * while anyone else is waiting, so that a save waits at most one batch. */
static void announce_wait(store *st, bool waiting)
{
	struct flock l = {.l_type = waiting ? F_RDLCK : F_UNLCK, .l_whence = SEEK_SET,
	                  .l_start = ST_WAIT_BYTE, .l_len = 1};
	int fd;

	if (mdb_env_get_fd(st->env, &fd) == 0)
		fcntl(fd, F_SETLK, &l);
}

static void yield_to_waiters(store *st)
{
	enum { YIELD_MAX_MS = 200 };
	int64_t start = st_now_ms();
	int fd;

	if (mdb_env_get_fd(st->env, &fd) != 0)
		return;
	while (st_now_ms() - start < YIELD_MAX_MS) {
		struct flock q = {
		    .l_type = F_WRLCK, .l_whence = SEEK_SET, .l_start = ST_WAIT_BYTE, .l_len = 1};
		if (fcntl(fd, F_GETLK, &q) != 0 || q.l_type == F_UNLCK)
			return;
		nap_ms(1);
	}
}

int st_txn(store *st, bool write, txn_fn fn, void *ctx)
{
	sigset_t stop, saved;
	int rc;

	if (!write)
		return txn_once(st, false, fn, ctx);
	/* LMDB has one writer per store: a process stopped (Ctrl-Z) inside a
	 * write transaction would stop every colleague's save and login, so
	 * the stop signals wait until it has committed. SIGSTOP cannot be
	 * blocked: the gate bounds what it costs the others. */
	sigemptyset(&stop);
	sigaddset(&stop, SIGTSTP);
	sigaddset(&stop, SIGTTIN);
	sigaddset(&stop, SIGTTOU);
	sigprocmask(SIG_BLOCK, &stop, &saved);
	if (st->yield_writers)
		yield_to_waiters(st);
	announce_wait(st, true);
	rc = gate_take(st, GATE_WRITE, st->no_wait ? 0 : gate_limit());
	announce_wait(st, false);
	if (rc == M_OK) {
		rc = txn_once(st, true, fn, ctx);
		gate_give(st, GATE_WRITE);
	}
	sigprocmask(SIG_SETMASK, &saved, NULL);
	return rc;
}

int st_load_epochs(store *st, MDB_txn *txn)
{
	uint32_t epoch[KC_COUNT];
	bool changed = false;

	for (unsigned c = 0; c < KC_COUNT; c++) {
		uint8_t k = (uint8_t)c;
		MDB_val v;
		int rc = st_get(st, txn, DB_EPOCHS, &k, 1, &v);

		if (rc == -1 || (rc == M_OK && v.mv_size != 8))
			return st_err(st, EPOCH_MISSING, .cls = c);
		if (rc)
			return rc;
		epoch[c] = rd32(v.mv_data);
		st->floor[c] = rd32((const uint8_t *)v.mv_data + 4);
		changed |= epoch[c] != st->epoch[c];
	}
	memcpy(st->epoch, epoch, sizeof epoch);
	{
		MDB_val v;
		int rc = st_get(st, txn, DB_META, "migrate", 7, &v);
		if (rc > 0)
			return rc;
		st->legacy = rc == M_OK;
	}
	/* A rotation began since this session unlocked: its new keys are
	 * sealed to us already (users.c set the hook at the unlock). */
	if (changed && st->kr && st->user[0] && st->epochs_changed)
		return st->epochs_changed(st, txn);
	return M_OK;
}

int st_put_epoch(store *st, MDB_txn *txn, enum key_class c, uint32_t active, uint32_t floor)
{
	uint8_t k = (uint8_t)c, b[8];

	be32(b, active);
	be32(b + 4, floor);
	return st_put(st, txn, DB_EPOCHS, &k, 1, b, sizeof b, 0);
}

/* LMDB maps the file and reads pages in place: a page past the end of a
 * truncated file is a SIGBUS, not an error code. Every committed page lies
 * below the last page the meta page names, so the file must reach it. */
int st_authority_at(store *st, MDB_txn *txn, uint32_t epoch, uint8_t pk[KEYS_PK_BYTES])
{
	MDB_val v;
	int rc = st_get(st, txn, DB_META, "authorities", 11, &v);

	if (rc == -1 && epoch == 0) {
		rc = st_get(st, txn, DB_META, "authority", 9, &v);
		if (rc == M_OK && v.mv_size == KEYS_PK_BYTES) {
			memcpy(pk, v.mv_data, KEYS_PK_BYTES);
			return M_OK;
		}
	}
	if (rc && rc != -1)
		return rc;
	if (rc == -1 || v.mv_size % KEYS_PK_BYTES || (uint64_t)epoch >= v.mv_size / KEYS_PK_BYTES)
		return st_err(st, AUTHORITY_EPOCH_MISSING, .n = epoch);
	memcpy(pk, (const uint8_t *)v.mv_data + (size_t)epoch * KEYS_PK_BYTES, KEYS_PK_BYTES);
	return M_OK;
}

static int env_check_size(store *st)
{
	MDB_envinfo info;
	MDB_stat ms;
	struct stat sb;
	mdb_filehandle_t fd;

	if (mdb_env_get_fd(st->env, &fd) != 0 || fstat(fd, &sb) != 0 ||
	    mdb_env_info(st->env, &info) != 0 || mdb_env_stat(st->env, &ms) != 0)
		return st_err(st, DATA_STAT);
	if ((uint64_t)sb.st_size < ((uint64_t)info.me_last_pgno + 1) * ms.ms_psize)
		return st_err(st, DATA_TRUNCATED, .n = (long long)sb.st_size, .m = ((unsigned long long)info.me_last_pgno + 1) * ms.ms_psize);
	return M_OK;
}

int st_env_setup(store *st, const struct store_options *opt, bool create)
{
	MDB_envinfo info;
	char path[4200];
	int rc, dead, gfd;

	st->map_size = opt && opt->map_size ? opt->map_size : STORE_DEFAULT_MAP;
	if (opt && opt->kdf)
		st->kdf = *opt->kdf;
	else
		keys_kdf_default(&st->kdf);

	rc = mdb_env_create(&st->env);
	if (rc)
		return st_mdb(st, rc, "create environment");
	mdb_env_set_maxreaders(st->env, 1024);
	mdb_env_set_maxdbs(st->env, DB_COUNT + 4);
	mdb_env_set_mapsize(st->env, st->map_size);

	/* The reader gate around the open, through a descriptor of our own
	 * (LMDB has none yet), whose close gives the gate back. No data.mdb:
	 * a store being created, which no one else can be opening. */
	snprintf(path, sizeof path, "%s/data.mdb", st->dir);
	gfd = open(path, O_RDWR | O_CLOEXEC);
	if (gfd < 0 && errno != ENOENT)
		return st_mdb(st, errno, "open");
	if (gfd >= 0 && (rc = gate_take_fd(st, gfd, GATE_READ, gate_limit()))) {
		close(gfd);
		return rc;
	}
	/* Another process may be creating the lock file at this instant: retry
	 * briefly rather than fail a login on a busy host. */
	for (int i = 0;; i++) {
		rc = mdb_env_open(st->env, st->dir, MDB_NOTLS, 0660);
		if (rc != EAGAIN || i == 20)
			break;
		usleep(50000);
	}
	/* A reader killed with kill -9 keeps its slot while others have the
	 * store open, and pins old pages until cleared. */
	if (rc == 0)
		mdb_reader_check(st->env, &dead);
	if (gfd >= 0)
		close(gfd);
	/* lmdb.h: after a failed open the handle must be closed, and nothing
	 * else: its descriptor numbers are stale (store_close would take a
	 * lock through one). */
	if (rc) {
		mdb_env_close(st->env);
		st->env = NULL;
	}
	if (rc == MDB_INVALID || rc == MDB_VERSION_MISMATCH || (rc == ENOENT && !create))
		return st_err(st, DATA_NOT_LMDB);
	if (rc)
		return st_mdb(st, rc, "open");
	if (!create && (rc = env_check_size(st)))
		return rc;
	mdb_env_info(st->env, &info);
	if (info.me_mapsize > st->map_size)
		st->map_size = info.me_mapsize;
	return M_OK;
}

int st_set_dir(store *st, const char *dir)
{
	if (strlen(dir) >= sizeof st->dir - 16)
		return st_err(st, PATH_TOO_LONG);
	snprintf(st->dir, sizeof st->dir, "%s", dir);
	return M_OK;
}

store *st_store_new(void)
{
	store *st = calloc(1, sizeof *st);
	return st;
}

void store_maintain(store *st)
{
	int dead;

	if (st && st->env)
		reader_check(st, &dead);
}

/* The meta page LMDB picks for a new reader, read from the map: no
 * transaction, no lock, no system call. Another process's commit is in the
 * shared map as soon as it is on the file. */
uint64_t store_generation(const store *st)
{
	MDB_envinfo info;

	if (!st || !st->env || mdb_env_info(st->env, &info) != 0)
		return 0;
	return (uint64_t)info.me_last_txnid;
}

void store_close(store *st)
{
	if (!st)
		return;
	keyring_free(st->kr);
	st_scratch_free(st);
	keys_secure_free(st->audit.key);
	/* Closing the last environment takes the lock file's exclusive lock:
	 * under the reader gate, which goes with LMDB's descriptors. Should a
	 * stopped process hold the gate, the process's exit closes it all. */
	if (st->env) {
		int fd = -1;
		mdb_env_get_fd(st->env, &fd);
		if (fd < 0 || gate_take(st, GATE_READ, 1000) == M_OK)
			mdb_env_close(st->env);
	}
	keys_wipe(st, sizeof *st);
	free(st);
}

const char *store_error(const store *st)
{
	return st->err;
}

bool store_memory_unlocked(void)
{
	return keys_memory_unlocked();
}

const char *store_dir(const store *st)
{
	return st->dir;
}
