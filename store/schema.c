/* schema.c: opening and creating a store: its tables, the schema version
 * and the migrations between schemas (private.h lists them). Above every
 * other file of store/, since creating a store and the keyed migrations
 * write users, grants and the case counter. */
#include "store/private.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* ---- schema ------------------------------------------------------------- */

/* Forward migrations: migrations[n] takes schema n to n + 1, inside the
 * opening write transaction, so a crash leaves the old schema whole. */
typedef int (*migration_fn)(store *st, MDB_txn *txn);

/* 1 -> 2: every epoch gets a floor; nothing was retired before. */
static int migrate_epoch_floor(store *st, MDB_txn *txn)
{
	for (unsigned c = 0; c < KC_COUNT; c++) {
		uint8_t k = (uint8_t)c;
		MDB_val v;
		int rc = st_get(st, txn, DB_EPOCHS, &k, 1, &v);
		if (rc == -1 || (rc == M_OK && v.mv_size != 4))
			return st_err(st, EPOCH_DAMAGED, .cls = c);
		if (rc || (rc = st_put_epoch(st, txn, (enum key_class)c, rd32(v.mv_data), 1)))
			return rc;
	}
	return M_OK;
}

/* 2 -> 3: the drafts table, which open_dbs creates. */
static int migrate_drafts(store *st, MDB_txn *txn)
{
	(void)st;
	(void)txn;
	return M_OK;
}

/* 3 -> 4: user records gain the authority's signature. Only an
 * administrator's keyring can sign, and the file alone cannot tell a store
 * that really is at schema 3 from one whose schema a writer set back, so
 * this runs only in `mappe upgrade`, which names every record it signs. */
static int migrate_signed_users(store *st, MDB_txn *txn)
{
	return st_sign_legacy_users(st, txn);
}

/* 4 -> 5: the case counter gains a MAC under the record class, so that a
 * wound-back counter or a deleted last case is caught (cases.c). */
static int migrate_counter_mac(store *st, MDB_txn *txn)
{
	MDB_val v;
	int rc = st_get(st, txn, DB_META, "next_id_mac", 11, &v);

	/* A store below schema 5 never had one: its schema was set back. */
	if (rc == M_OK)
		return st_err(st, SCHEMA_EDITED, .n = st->schema);
	if (rc != -1)
		return rc;
	return st_counter_seal(st, txn);
}

/* 5 -> 6: cases move to format 5 (record.c), online, in mappe migrate
 * (migrate.c): until it has moved the last one, meta "migrate" holds its
 * cursor and format-4 cases are read and written as they are. A store
 * without cases has nothing to move. */
static int migrate_case_format(store *st, MDB_txn *txn)
{
	MDB_stat ms;
	uint8_t b[8] = {0};
	int rc = mdb_stat(txn, st->dbi[DB_CASES], &ms);

	if (rc)
		return st_mdb(st, rc, "cases");
	st->legacy = ms.ms_entries > 0;
	return st->legacy ? st_put(st, txn, DB_META, "migrate", 7, b, sizeof b, 0) : M_OK;
}

/* 6 -> 7: a case's class table may end with who saved it (save.c). A
 * mappe of schema 6 would take such a table for a forged one; at 7 it is
 * told instead that a newer mappe wrote the store. Nothing is rewritten. */
static int migrate_saver(store *st, MDB_txn *txn)
{
	(void)st;
	(void)txn;
	return M_OK;
}

/* 7 -> 8: the class table may end with when the case was assigned
 * (record.c): a mappe of schema 7 would take it for a forged table, so it
 * is told a newer mappe wrote the store. Nothing is rewritten. */
static int migrate_assigned(store *st, MDB_txn *txn)
{
	(void)st;
	(void)txn;
	return M_OK;
}

/* 8 -> 9: the audit table, which open_dbs creates. From now on every case
 * written is logged in it (audit.c); a mappe of schema 8 would not. */
static int migrate_audit(store *st, MDB_txn *txn)
{
	(void)st;
	(void)txn;
	return M_OK;
}

struct migration {
	migration_fn fn;
	bool keyed; /* needs an administrator's keyring: runs at their unlock */
};

static const struct migration migrations[STORE_SCHEMA] = {
    [1] = {migrate_epoch_floor, false},
    [2] = {migrate_drafts, false},
    [3] = {migrate_signed_users, true},
    [4] = {migrate_counter_mac, true},
    [5] = {migrate_case_format, false},
    [6] = {migrate_saver, false},
    [7] = {migrate_assigned, false},
    [8] = {migrate_audit, false},
};

/* The schema that open can reach by itself: up to the first keyed step. */
static uint32_t open_target(uint32_t schema)
{
	for (uint32_t s = schema; s < STORE_SCHEMA; s++)
		if (migrations[s].keyed)
			return s;
	return STORE_SCHEMA;
}

static int run_migrations(store *st, MDB_txn *txn, uint32_t from, uint32_t to)
{
	uint8_t b[4];
	int rc;

	for (uint32_t s = from; s < to; s++) {
		if (!migrations[s].fn)
			return st_err(st, SCHEMA_NO_PATH, .n = s);
		if ((rc = migrations[s].fn(st, txn)))
			return rc;
	}
	if (from == to)
		return M_OK;
	be32(b, to);
	if ((rc = st_put(st, txn, DB_META, "schema", 6, b, 4, 0)))
		return rc;
	st->schema = to;
	return M_OK;
}

static int read_schema(store *st, MDB_txn *txn, uint32_t *schema)
{
	MDB_val v;
	int rc = st_get(st, txn, DB_META, "schema", 6, &v);

	if (rc == -1 || (rc == M_OK && v.mv_size != 4))
		return st_err(st, SCHEMA_NONE);
	if (rc)
		return rc;
	*schema = rd32(v.mv_data);
	return M_OK;
}

static int keyed_txn(store *st, MDB_txn *txn, void *vctx)
{
	uint32_t schema = 0;
	int rc;

	(void)vctx;
	/* Another administrator may have upgraded it since this store opened. */
	if ((rc = read_schema(st, txn, &schema)) || (rc = st_load_epochs(st, txn)))
		return rc;
	st->schema = schema;
	return run_migrations(st, txn, schema, STORE_SCHEMA);
}

void store_allow_upgrade(store *st)
{
	st->allow_upgrade = true;
}

uint32_t store_schema(const store *st)
{
	return st->schema;
}

int store_upgrade(store *st, void (*report)(void *ctx, const char *name, enum key_role role),
                  void *ctx)
{
	int rc;

	if (st->schema >= STORE_SCHEMA)
		return M_OK;
	if (!st->kr || !keyring_is_authority(st->kr))
		return st_err(st, UPGRADE_ADMIN_ONLY);
	st->upgrade_report = report;
	st->upgrade_ctx = ctx;
	rc = st_txn(st, true, keyed_txn, NULL);
	st->upgrade_report = NULL;
	return rc;
}

struct open_ctx {
	bool create;
	bool write;      /* may migrate; else only read */
	bool need_write; /* a read-only open found a migration to do */
	uint32_t schema;
};

enum { NEED_WRITE = 100 }; /* open_dbs: retry in a write transaction */

/* Tables a later schema added, made when such a store is opened to write. */
static bool added_later(int db)
{
	return db == DB_DRAFTS || db == DB_AUDIT;
}

static int open_dbs(store *st, MDB_txn *txn, void *vctx)
{
	struct open_ctx *ctx = vctx;
	MDB_val v;
	int rc;

	for (int i = 0; i < DB_COUNT; i++) {
		/* Tables added by a later schema are made here, in the same
		 * transaction as the migration that bumps the version. */
		rc = mdb_dbi_open(txn, st_db_names[i],
		                  ctx->create || (ctx->write && added_later(i)) ? MDB_CREATE : 0,
		                  &st->dbi[i]);
		if (rc == MDB_NOTFOUND && !ctx->write && added_later(i)) {
			ctx->need_write = true;
			return NEED_WRITE;
		}
		if (rc == MDB_NOTFOUND)
			return st_err(st, NO_TABLE, .what = st_db_names[i]);
		if (rc)
			return st_mdb(st, rc, "open tables");
	}
	if (ctx->create)
		return M_OK;

	if ((rc = read_schema(st, txn, &ctx->schema)))
		return rc;
	if (ctx->schema > STORE_SCHEMA)
		return st_err(st, SCHEMA_NEWER, .n = ctx->schema, .m = STORE_SCHEMA);
	if (ctx->schema < 1)
		return st_err(st, SCHEMA_DAMAGED);
	st->schema = ctx->schema;
	uint32_t target = open_target(ctx->schema);
	if (ctx->schema < target && !ctx->write) {
		ctx->need_write = true;
		return NEED_WRITE;
	}
	if ((rc = run_migrations(st, txn, ctx->schema, target)))
		return rc;

	rc = st_get(st, txn, DB_META, "store_id", 8, &v);
	if (rc || v.mv_size != KEYS_STORE_ID_BYTES)
		return st_err(st, STORE_ID_MISSING);
	memcpy(st->store_id, v.mv_data, KEYS_STORE_ID_BYTES);
	rc = st_get(st, txn, DB_META, "authority", 9, &v);
	if (rc || v.mv_size != KEYS_PK_BYTES)
		return st_err(st, AUTHORITY_MISSING);
	memcpy(st->authority_pk, v.mv_data, KEYS_PK_BYTES);
	/* After an authority rotation, the history's last key is the current
	 * one; anything else is an edit of one of them. */
	rc = st_get(st, txn, DB_META, "authorities", 11, &v);
	st->authority_epoch = 0;
	if (rc == M_OK) {
		if (v.mv_size < KEYS_PK_BYTES || v.mv_size % KEYS_PK_BYTES ||
		    v.mv_size / KEYS_PK_BYTES > 256 ||
		    memcmp((const uint8_t *)v.mv_data + v.mv_size - KEYS_PK_BYTES, st->authority_pk,
		           KEYS_PK_BYTES) != 0)
			return st_err(st, AUTHORITY_HISTORY_DAMAGED);
		st->authority_epoch = (uint32_t)(v.mv_size / KEYS_PK_BYTES - 1);
	} else if (rc != -1) {
		return rc;
	}
	return st_load_epochs(st, txn);
}
/* What a directory must be before LMDB sees it. */
static int open_checks(store *st, const char *dir)
{
	struct stat sb;
	char path[4200];

	if (stat(dir, &sb) != 0 && errno == EACCES)
		return st_err(st, OPEN_DENIED);
	if (stat(dir, &sb) != 0 || !S_ISDIR(sb.st_mode))
		return st_err(st, NO_STORE);
	snprintf(path, sizeof path, "%s/data.mdb", dir);
	if (stat(path, &sb) != 0 && errno == EACCES)
		return st_err(st, OPEN_DENIED);
	if (stat(path, &sb) != 0)
		return st_err(st, NO_DATA);
	/* LMDB would take an empty file for a new store and write one: only
	 * init creates a store. */
	if (!S_ISREG(sb.st_mode))
		return st_err(st, DATA_NOT_FILE);
	if (sb.st_size == 0)
		return st_err(st, DATA_EMPTY);
	/* AT_EACCESS: a setgid mappe reaches the store through its effective
	 * group, which plain access() would ignore. */
	if (faccessat(AT_FDCWD, path, R_OK | W_OK, AT_EACCESS) != 0)
		return st_err(st, OPEN_DENIED);
	return M_OK;
}

/* A failure before there is a store for the caller: the fault goes out. */
static int gone(store *st, int rc, struct store_fault *fault)
{
	if (fault)
		*fault = st ? st->fault : (struct store_fault){.code = E_NOMEM};
	store_close(st);
	return rc;
}

int store_open(const char *dir, const struct store_options *opt, store **out,
               struct store_fault *fault)
{
	store *st = st_store_new();
	struct open_ctx ctx = {.create = false};
	int rc;

	*out = NULL;
	if (!st)
		return gone(NULL, M_UNAVAILABLE, fault);
	rc = st_set_dir(st, dir);
	if (rc == M_OK)
		rc = open_checks(st, dir);
	if (rc == M_OK)
		rc = st_env_setup(st, opt, false);
	/* Every login opens the store in a read transaction, so that a writer
	 * holding the lock stalls no one; only a migration takes the write lock. */
	if (rc == M_OK && (rc = st_txn(st, false, open_dbs, &ctx)) == NEED_WRITE) {
		ctx.write = true;
		rc = st_txn(st, true, open_dbs, &ctx);
	}
	if (rc != M_OK)
		return gone(st, rc, fault);
	*out = st;
	return M_OK;
}

/* ---- creation ----------------------------------------------------------- */

struct create_ctx {
	keyring *kr;
	const char *admin;
	const uint8_t *admin_pk;
	const uint8_t *slot;
};

static int create_txn(store *st, MDB_txn *txn, void *vctx)
{
	struct create_ctx *ctx = vctx;
	struct open_ctx octx = {.create = true, .write = true};
	uint8_t b[8];
	int rc = open_dbs(st, txn, &octx);

	if (rc)
		return rc;
	{
		MDB_cursor *cur;
		MDB_val k, v;
		if (mdb_cursor_open(txn, st->dbi[DB_META], &cur) == 0) {
			int any = mdb_cursor_get(cur, &k, &v, MDB_FIRST) == 0;
			mdb_cursor_close(cur);
			if (any)
				return st_err(st, STORE_EXISTS);
		}
	}
	be32(b, STORE_SCHEMA);
	st->schema = STORE_SCHEMA;
	if ((rc = st_put(st, txn, DB_META, "schema", 6, b, 4, 0)) ||
	    (rc = st_put(st, txn, DB_META, "store_id", 8, st->store_id, KEYS_STORE_ID_BYTES, 0)) ||
	    (rc = st_put(st, txn, DB_META, "authority", 9, st->authority_pk, KEYS_PK_BYTES, 0)))
		return rc;
	for (unsigned c = 0; c < KC_COUNT; c++) {
		st->epoch[c] = st->floor[c] = 1;
		if ((rc = st_put_epoch(st, txn, (enum key_class)c, 1, 1)))
			return rc;
	}
	if ((rc = st_counter_write(st, txn, ctx->kr, 1)))
		return rc;
	rc = st_write_user(st, txn, ctx->kr, ctx->admin, ROLE_ADMIN, false, ctx->admin_pk, ctx->slot);
	if (rc)
		return rc;
	return st_grant_role(st, txn, ctx->kr, ctx->admin, ROLE_ADMIN, ctx->admin_pk);
}

/* Like mkdir -p for everything above dir, so that a first run can name a
 * store under a directory that does not exist yet. */
static int mkdir_parents(const char *dir)
{
	char path[4096];
	size_t n = strlen(dir);

	if (n >= sizeof path)
		return -1;
	memcpy(path, dir, n + 1);
	while (n > 1 && path[n - 1] == '/')
		path[--n] = 0;
	for (char *p = path + 1; (p = strchr(p, '/')); p++) {
		*p = 0;
		if (mkdir(path, 0750) != 0 && errno != EEXIST) {
			*p = '/';
			return -1;
		}
		*p = '/';
	}
	return 0;
}

static int dir_is_empty(const char *dir)
{
	char path[4200];
	struct stat sb;
	static const char *const files[] = {"data.mdb", "lock.mdb"};

	for (size_t i = 0; i < sizeof files / sizeof *files; i++) {
		snprintf(path, sizeof path, "%s/%s", dir, files[i]);
		if (stat(path, &sb) == 0)
			return 0;
	}
	return 1;
}

int store_create(const char *dir, const char *admin, const char *pass, size_t passlen,
                 const struct store_options *opt, struct store_fault *fault)
{
	store *st = st_store_new();
	keyring *kr = NULL;
	uint8_t pk[KEYS_PK_BYTES], slot[KEYS_SLOT_BYTES];
	struct create_ctx ctx;
	int rc;

	if (!st)
		return gone(NULL, M_UNAVAILABLE, fault);
	rc = st_set_dir(st, dir);
	if (rc)
		goto out;
	if (!store_user_name_valid(admin)) {
		rc = st_err(st, USER_NAME_INVALID);
		goto out;
	}
	/* The process umask decides: 0700 for a personal store; a deployment
	 * makes its 2770 directory beforehand (docs/deployment.md). */
	if (mkdir_parents(dir) != 0 || (mkdir(dir, 0770) != 0 && errno != EEXIST)) {
		rc = st_err(st, MKDIR, .detail = strerror(errno));
		goto out;
	}
	if (!dir_is_empty(dir)) {
		rc = st_err(st, STORE_EXISTS);
		goto out;
	}
	if (opt && opt->kdf)
		st->kdf = *opt->kdf;
	else
		keys_kdf_default(&st->kdf);

	/* Keys first, outside any transaction: Argon2id takes a while. */
	keys_random(st->store_id, sizeof st->store_id);
	if (keyring_new(st->store_id, &kr) || keyring_new_authority(kr, st->authority_pk)) {
		rc = st_err(st, NOMEM);
		goto out;
	}
	for (unsigned c = 0; c < KC_COUNT; c++)
		if (keyring_new_root(kr, (enum key_class)c, 1)) {
			rc = st_err(st, NOMEM);
			goto out;
		}
	if (keys_slot_create(pass, passlen, &st->kdf, st->store_id, admin, st->authority_pk, pk,
	                     slot)) {
		rc = st_err(st, KDF_NOMEM_CREATE);
		goto out;
	}

	rc = st_env_setup(st, opt, true);
	if (rc)
		goto out;
	ctx = (struct create_ctx){kr, admin, pk, slot};
	rc = st_txn(st, true, create_txn, &ctx);
out:
	keyring_free(kr);
	keys_wipe(slot, sizeof slot);
	if (rc)
		return gone(st, rc, fault);
	store_close(st);
	return M_OK;
}
