/* backup.c: mappe backup: a consistent compacted copy of the live store
 * (store.md 10: mdb_env_copy2's copy with MDB_CP_COMPACT, never cp of a
 * file others write), its SHA-256 beside it, and the check of a copy.
 *
 * The copy is LMDB's own: one read transaction, so it is the store as at
 * the moment the copy began, whatever others commit meanwhile, and nobody
 * waits for it (a compacting copy takes no writer lock). It holds what the
 * store holds: ciphertext and clear headers, under the keys of that day. */
#include "store/private.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static const char copy_name[] = "data.mdb";

/* What a backup made so far, to take back on failure. */
struct made {
	int dfd;
	bool dir, copy, sums;
};

static void undo(const char *dest, struct made *m)
{
	if (m->copy)
		unlinkat(m->dfd, copy_name, 0);
	if (m->sums)
		unlinkat(m->dfd, STORE_BACKUP_SUMS, 0);
	if (m->dfd >= 0)
		close(m->dfd);
	if (m->dir)
		rmdir(dest);
	*m = (struct made){.dfd = -1};
}

static bool is_admin(const store *st)
{
	return st->kr && st->role == ROLE_ADMIN;
}

/* Whether dest (which exists) is the store's directory or below it: a copy
 * there would be one more file in the store's 2770 directory, readable by
 * the group, and lost with the disk it protects against. */
static bool inside_store(const store *st, const char *dest)
{
	char *d = realpath(dest, NULL), *s = realpath(st->dir, NULL);
	bool in = false;

	if (d && s) {
		size_t n = strlen(s);
		in = strncmp(d, s, n) == 0 && (d[n] == 0 || d[n] == '/' || (n == 1 && s[0] == '/'));
	}
	free(d);
	free(s);
	return in;
}

static bool dir_empty(int dfd)
{
	int fd = dup(dfd);
	DIR *d = fd >= 0 ? fdopendir(fd) : NULL;
	struct dirent *e;
	bool empty = true;

	if (!d) {
		if (fd >= 0)
			close(fd);
		return false;
	}
	while ((e = readdir(d)))
		if (strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0) {
			empty = false;
			break;
		}
	closedir(d);
	return empty;
}

static int write_all(int fd, const char *p, size_t n)
{
	while (n) {
		ssize_t w = write(fd, p, n);
		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0)
			return -1;
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

static void hex(char out[2 * KEYS_SHA256_BYTES + 1], const uint8_t *h)
{
	static const char digits[] = "0123456789abcdef";

	for (size_t i = 0; i < KEYS_SHA256_BYTES; i++) {
		out[2 * i] = digits[h[i] >> 4];
		out[2 * i + 1] = digits[h[i] & 15];
	}
	out[2 * KEYS_SHA256_BYTES] = 0;
}

/* dest's last name ("b" of "/a/b/"), "" for "/". */
static void last_name(const char *dest, char *out, size_t cap)
{
	size_t n = strlen(dest), b;

	while (n > 0 && dest[n - 1] == '/')
		n--;
	for (b = n; b > 0 && dest[b - 1] != '/'; b--)
		;
	snprintf(out, cap, "%.*s", (int)(n - b), dest + b);
}

/* The failure of a write into dest, by errno. */
static int dest_failed(store *st, const char *dest, int e)
{
	if (e == ENOSPC || e == EDQUOT)
		return st_err(st, BACKUP_DISK_FULL, .file = dest);
	return st_err(st, BACKUP_DEST_FAILED, .file = dest, .detail = strerror(e));
}

/* Open the copy in dest as LMDB read-only and without a lock file (nothing
 * of it is written, not even lock.mdb beside it: it stays byte for byte
 * what its checksum says), and see that it is a mappe store. Nobody else
 * uses a copy, so there is nothing to lock against. */
static int inspect(store *st, const char *dest, struct store_backup *out)
{
	MDB_env *env = NULL;
	MDB_txn *txn = NULL;
	MDB_dbi dbi[DB_COUNT];
	MDB_val k, v;
	MDB_stat ms;
	const char *why = NULL;
	int rc;

	if ((rc = mdb_env_create(&env)))
		return st_err(st, BACKUP_NOT_STORE, .file = dest, .detail = mdb_strerror(rc));
	mdb_env_set_maxdbs(env, DB_COUNT + 4);
	rc = mdb_env_open(env, dest, MDB_RDONLY | MDB_NOLOCK | MDB_NOTLS, 0600);
	if (rc == 0)
		rc = mdb_txn_begin(env, NULL, MDB_RDONLY, &txn);
	if (rc) {
		why = mdb_strerror(rc);
		goto done;
	}
	/* The tables every schema has had; a later one (drafts, audit) may be
	 * missing from an older store's copy, and is made when it is opened. */
	static const enum store_db core[] = {DB_META,  DB_USERS,  DB_GRANTS, DB_EPOCHS,
	                                     DB_CASES, DB_FIELDS, DB_NOTES,  DB_NID};
	for (size_t i = 0; i < sizeof core / sizeof *core; i++)
		if ((rc = mdb_dbi_open(txn, st_db_names[core[i]], 0, &dbi[core[i]]))) {
			why = rc == MDB_NOTFOUND ? st_db_names[core[i]] : mdb_strerror(rc);
			goto done;
		}
	k = (MDB_val){6, "schema"};
	if (mdb_get(txn, dbi[DB_META], &k, &v) || v.mv_size != 4) {
		why = "schema";
		goto done;
	}
	out->schema = rd32(v.mv_data);
	if (out->schema < 1 || out->schema > STORE_SCHEMA) {
		why = "schema";
		goto done;
	}
	k = (MDB_val){8, "store_id"};
	if (mdb_get(txn, dbi[DB_META], &k, &v) || v.mv_size != KEYS_STORE_ID_BYTES) {
		why = "store_id";
		goto done;
	}
	out->same_store = memcmp(v.mv_data, st->store_id, KEYS_STORE_ID_BYTES) == 0;
	if ((rc = mdb_stat(txn, dbi[DB_CASES], &ms))) {
		why = mdb_strerror(rc);
		goto done;
	}
	out->cases = ms.ms_entries;
done:
	if (txn)
		mdb_txn_abort(txn);
	mdb_env_close(env);
	return why ? st_err(st, BACKUP_NOT_STORE, .file = dest, .detail = why) : M_OK;
}

int store_backup(store *st, const char *dest, struct store_backup *out)
{
	struct made m = {.dfd = -1};
	char sums[2 * KEYS_SHA256_BYTES + sizeof copy_name + 4], h[2 * KEYS_SHA256_BYTES + 1];
	char name[96];
	int fd = -1, rc, e;

	*out = (struct store_backup){0};
	if (!st->kr)
		return st_err(st, NOT_UNLOCKED);
	if (!is_admin(st))
		return st_err(st, BACKUP_NOT_PERMITTED);
	if (mkdir(dest, 0700) == 0)
		m.dir = true;
	else if (errno == ENOENT)
		return st_err(st, BACKUP_DEST_NO_PARENT, .file = dest);
	else if (errno != EEXIST)
		return dest_failed(st, dest, errno);
	m.dfd = open(dest, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (m.dfd < 0) {
		e = errno;
		undo(dest, &m);
		return e == ENOTDIR || e == ELOOP ? st_err(st, BACKUP_DEST_NOT_DIR, .file = dest)
		                                  : dest_failed(st, dest, e);
	}
	if (inside_store(st, dest)) {
		undo(dest, &m);
		return st_err(st, BACKUP_DEST_INSIDE, .file = dest);
	}
	if (!m.dir && !dir_empty(m.dfd)) {
		undo(dest, &m);
		return st_err(st, BACKUP_DEST_NOT_EMPTY, .file = dest);
	}

	fd = openat(m.dfd, copy_name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (fd < 0) {
		rc = dest_failed(st, dest, errno);
		goto fail;
	}
	m.copy = true;
	rc = mdb_env_copyfd2(st->env, fd, MDB_CP_COMPACT);
	/* A full disk may only show when the pages reach it. */
	if (rc == 0 && fsync(fd) != 0)
		rc = errno;
	if (close(fd) != 0 && rc == 0)
		rc = errno;
	fd = -1;
	if (rc) {
		rc = rc == ENOSPC || rc == EDQUOT || rc == EACCES || rc == EROFS || rc == EIO
		         ? dest_failed(st, dest, rc)
		         : st_err(st, BACKUP_COPY_FAILED, .file = dest, .detail = mdb_strerror(rc));
		goto fail;
	}

	/* The sum of what reached the file, read back, not of what was sent. */
	if ((fd = openat(m.dfd, copy_name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC)) < 0 ||
	    keys_sha256_fd(fd, out->sha256, &out->bytes) != KEYS_OK) {
		rc = dest_failed(st, dest, errno);
		goto fail;
	}
	close(fd);
	fd = -1;
	hex(h, out->sha256);
	snprintf(sums, sizeof sums, "%s  %s\n", h, copy_name);
	fd = openat(m.dfd, STORE_BACKUP_SUMS, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC,
	            0600);
	if (fd < 0) {
		rc = dest_failed(st, dest, errno);
		goto fail;
	}
	m.sums = true;
	if (write_all(fd, sums, strlen(sums)) != 0 || fsync(fd) != 0) {
		rc = dest_failed(st, dest, errno);
		goto fail;
	}
	if (close(fd) != 0) {
		fd = -1;
		rc = dest_failed(st, dest, errno);
		goto fail;
	}
	fd = -1;
	if (fsync(m.dfd) != 0) {
		rc = dest_failed(st, dest, errno);
		goto fail;
	}
	if ((rc = inspect(st, dest, out)))
		goto fail;

	/* Recorded once it exists; a copy the log cannot tell of is taken back.
	 * The detail is the directory's last name: where, never what. */
	last_name(dest, name, sizeof name);
	if ((rc = store_audit(st, &(struct audit_event){.action = AUDIT_BACKUP, .detail = name})))
		goto fail;
	close(m.dfd);
	return M_OK;
fail:
	if (fd >= 0)
		close(fd);
	undo(dest, &m);
	return rc;
}

/* SHA256SUMS's line for data.mdb: "HEX  data.mdb" (or "HEX *data.mdb",
 * sha256sum's binary mode). */
static bool read_sum(int dfd, uint8_t want[KEYS_SHA256_BYTES])
{
	char buf[4096], *line, *save = NULL;
	int fd = openat(dfd, STORE_BACKUP_SUMS, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	ssize_t n;
	bool found = false;

	if (fd < 0)
		return false;
	n = read(fd, buf, sizeof buf - 1);
	close(fd);
	if (n <= 0)
		return false;
	buf[n] = 0;
	for (line = strtok_r(buf, "\n", &save); line && !found;
	     line = strtok_r(NULL, "\n", &save)) {
		size_t len = strlen(line);
		if (len && line[len - 1] == '\r')
			line[--len] = 0;
		if (len != 2 * KEYS_SHA256_BYTES + 2 + strlen(copy_name) ||
		    line[2 * KEYS_SHA256_BYTES] != ' ' ||
		    (line[2 * KEYS_SHA256_BYTES + 1] != ' ' &&
		     line[2 * KEYS_SHA256_BYTES + 1] != '*') ||
		    strcmp(line + 2 * KEYS_SHA256_BYTES + 2, copy_name) != 0)
			continue;
		found = true;
		for (size_t i = 0; i < 2 * KEYS_SHA256_BYTES && found; i++) {
			char c = line[i];
			int d = c >= '0' && c <= '9'   ? c - '0'
			        : c >= 'a' && c <= 'f' ? c - 'a' + 10
			        : c >= 'A' && c <= 'F' ? c - 'A' + 10
			                               : -1;
			if (d < 0)
				found = false;
			else if (i % 2 == 0)
				want[i / 2] = (uint8_t)(d << 4);
			else
				want[i / 2] |= (uint8_t)d;
		}
	}
	return found;
}

int store_backup_verify(store *st, const char *dest, struct store_backup *out)
{
	uint8_t want[KEYS_SHA256_BYTES];
	struct stat copy, live;
	mdb_filehandle_t lfd;
	int dfd, fd, e;

	*out = (struct store_backup){0};
	if (!st->kr)
		return st_err(st, NOT_UNLOCKED);
	if (!is_admin(st))
		return st_err(st, BACKUP_NOT_PERMITTED);
	if ((dfd = open(dest, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0)
		return st_err(st, BACKUP_NO_COPY, .file = dest, .detail = strerror(errno));
	if ((fd = openat(dfd, copy_name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC)) < 0) {
		e = errno;
		close(dfd);
		return st_err(st, BACKUP_NO_COPY, .file = dest, .detail = strerror(e));
	}
	/* The live file itself (the store's directory, or a link to its file)
	 * is no backup; and LMDB must never open and close it a second time in
	 * this process (the gates are POSIX locks on it: private.h). */
	if (fstat(fd, &copy) == 0 && mdb_env_get_fd(st->env, &lfd) == 0 && fstat(lfd, &live) == 0 &&
	    copy.st_dev == live.st_dev && copy.st_ino == live.st_ino) {
		close(fd);
		close(dfd);
		return st_err(st, BACKUP_IS_STORE, .file = dest);
	}
	if (keys_sha256_fd(fd, out->sha256, &out->bytes) != KEYS_OK) {
		e = errno;
		close(fd);
		close(dfd);
		return st_err(st, BACKUP_NO_COPY, .file = dest, .detail = strerror(e));
	}
	close(fd);
	bool have = read_sum(dfd, want);
	close(dfd);
	if (!have)
		return st_err(st, BACKUP_NO_SUMS, .file = dest);
	/* Only a copy that is what was written is handed to LMDB: a damaged
	 * file could crash it. */
	if (memcmp(want, out->sha256, sizeof want) != 0)
		return st_err(st, BACKUP_MISMATCH, .file = dest);
	return inspect(st, dest, out);
}
