/* users.c: enrolment, keyslots, grants and unlocking.
 *
 * User record (users table, key = name):
 *   u8 version (1) | u8 role | u8 flags | u8 reserved | i64 created |
 *   public key[32] | keyslot[KEYS_SLOT_BYTES]
 */
#include "store/private.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

enum { USER_VERSION = 1, USER_MUST_CHANGE = 1, USER_REVOKED = 2 };
enum { USER_BYTES = 4 + 8 + KEYS_PK_BYTES + KEYS_SLOT_BYTES };

struct user_rec {
	enum key_role role;
	uint8_t flags;
	int64_t created;
	uint8_t pk[KEYS_PK_BYTES];
	uint8_t slot[KEYS_SLOT_BYTES];
};

bool store_user_name_valid(const char *name)
{
	size_t n = strlen(name);

	/* Unix login names: the account is the identity on a shared host. */
	if (n == 0 || n > 32 || !(islower((unsigned char)name[0]) || name[0] == '_'))
		return false;
	for (size_t i = 0; i < n; i++) {
		unsigned char ch = (unsigned char)name[i];
		if (!(islower(ch) || isdigit(ch) || ch == '_' || ch == '-' || ch == '.'))
			return false;
	}
	return true;
}

static int user_decode(store *st, const MDB_val *v, struct user_rec *u)
{
	const uint8_t *p = v->mv_data;

	if (v->mv_size != USER_BYTES || p[0] != USER_VERSION || p[1] >= ROLE_COUNT)
		return st_fail(st, M_INTEGRITY, "%s: a user record is damaged", st->dir);
	u->role = (enum key_role)p[1];
	u->flags = p[2];
	u->created = (int64_t)rd64(p + 4);
	memcpy(u->pk, p + 12, KEYS_PK_BYTES);
	memcpy(u->slot, p + 12 + KEYS_PK_BYTES, KEYS_SLOT_BYTES);
	return M_OK;
}

static int user_write(store *st, MDB_txn *txn, const char *name, const struct user_rec *u)
{
	uint8_t b[USER_BYTES];

	b[0] = USER_VERSION;
	b[1] = (uint8_t)u->role;
	b[2] = u->flags;
	b[3] = 0;
	be64(b + 4, (uint64_t)u->created);
	memcpy(b + 12, u->pk, KEYS_PK_BYTES);
	memcpy(b + 12 + KEYS_PK_BYTES, u->slot, KEYS_SLOT_BYTES);
	return st_put(st, txn, DB_USERS, name, strlen(name), b, sizeof b, 0);
}

int st_write_user(store *st, MDB_txn *txn, const char *name, enum key_role role,
                  bool must_change, const uint8_t pk[KEYS_PK_BYTES],
                  const uint8_t slot[KEYS_SLOT_BYTES])
{
	struct user_rec u = {.role = role,
	                     .flags = must_change ? USER_MUST_CHANGE : 0,
	                     .created = st_now()};

	memcpy(u.pk, pk, KEYS_PK_BYTES);
	memcpy(u.slot, slot, KEYS_SLOT_BYTES);
	return user_write(st, txn, name, &u);
}

static size_t grant_key(uint8_t *k, const char *name, unsigned cls, uint32_t epoch)
{
	size_t n = strlen(name);

	memcpy(k, name, n);
	k[n] = 0;
	k[n + 1] = (uint8_t)cls;
	be32(k + n + 2, epoch);
	return n + 6;
}

static int put_grant(store *st, MDB_txn *txn, const keyring *kr, const char *name,
                     unsigned cls, uint32_t epoch, const uint8_t pk[KEYS_PK_BYTES])
{
	uint8_t k[64 + 6], g[KEYS_GRANT_BYTES];

	if (keyring_grant(kr, cls, epoch, pk, g) != KEYS_OK)
		return st_fail(st, M_AUTH, "not permitted: only an administrator holding the "
		                           "keys can grant them");
	return st_put(st, txn, DB_GRANTS, k, grant_key(k, name, cls, epoch), g, sizeof g, 0);
}

/* Seal every class the role allows, at its active epoch, to the user. */
int st_grant_role(store *st, MDB_txn *txn, const keyring *kr, const char *name,
                  enum key_role role, const uint8_t pk[KEYS_PK_BYTES])
{
	key_classes cls = keys_role_classes(role);
	int rc;

	for (unsigned c = 0; c < KC_COUNT; c++) {
		if (!(cls & (1u << c)))
			continue;
		rc = put_grant(st, txn, kr, name, c, st->epoch[c], pk);
		if (rc)
			return rc;
	}
	if (role == ROLE_ADMIN)
		return put_grant(st, txn, kr, name, KEYS_AUTHORITY_CLASS, 0, pk);
	return M_OK;
}

/* ---- unlocking ---------------------------------------------------------- */

#define MAX_GRANTS 128

struct grant_copy {
	unsigned cls;
	uint32_t epoch;
	uint8_t g[KEYS_GRANT_BYTES];
};

struct unlock_ctx {
	const char *name;
	bool found;
	struct user_rec u;
	size_t ngrants;
	struct grant_copy grants[MAX_GRANTS];
};

static int unlock_read(store *st, MDB_txn *txn, void *vctx)
{
	struct unlock_ctx *ctx = vctx;
	size_t n = strlen(ctx->name);
	MDB_cursor *cur;
	MDB_val k = {n + 1, (void *)ctx->name}, v; /* name and its NUL: the grants prefix */
	int rc = st_get(st, txn, DB_USERS, ctx->name, n, &v);

	ctx->found = false;
	ctx->ngrants = 0;
	if (rc == -1)
		return M_OK;
	if (rc || (rc = user_decode(st, &v, &ctx->u)))
		return rc;
	ctx->found = true;
	if ((rc = st_load_epochs(st, txn)))
		return rc;
	if ((rc = mdb_cursor_open(txn, st->dbi[DB_GRANTS], &cur)))
		return st_mdb(st, rc, "grants");
	for (rc = mdb_cursor_get(cur, &k, &v, MDB_SET_RANGE); rc == 0;
	     rc = mdb_cursor_get(cur, &k, &v, MDB_NEXT)) {
		const uint8_t *kp = k.mv_data;
		if (k.mv_size != n + 6 || memcmp(kp, ctx->name, n) != 0 || kp[n] != 0)
			break;
		if (v.mv_size != KEYS_GRANT_BYTES || ctx->ngrants == MAX_GRANTS)
			continue;
		ctx->grants[ctx->ngrants].cls = kp[n + 1];
		ctx->grants[ctx->ngrants].epoch = rd32(kp + n + 2);
		memcpy(ctx->grants[ctx->ngrants].g, v.mv_data, KEYS_GRANT_BYTES);
		ctx->ngrants++;
	}
	mdb_cursor_close(cur);
	return rc == 0 || rc == MDB_NOTFOUND ? M_OK : st_mdb(st, rc, "grants");
}

/* The role in the user record is in clear, but the grants are sealed by the
 * authority: a role edited in the file (caseworker to admin) no longer
 * matches the keys, and is refused. Administrators hold the authority key;
 * leads the audit class; health staff health but not finance; caseworkers
 * finance but not health. */
static bool role_matches_keys(const store *st, const keyring *kr, enum key_role role)
{
	bool authority = keyring_is_authority(kr);
	bool audit = keyring_has(kr, KC_AUDIT, st->epoch[KC_AUDIT]);
	bool health = keyring_has(kr, KC_HEALTH, st->epoch[KC_HEALTH]);
	bool finance = keyring_has(kr, KC_FINANCE, st->epoch[KC_FINANCE]);

	switch (role) {
	case ROLE_ADMIN:
		return authority;
	case ROLE_LEAD:
		return !authority && audit;
	case ROLE_HEALTH:
		return !authority && !audit && health && !finance;
	case ROLE_CASEWORKER:
		return !authority && !audit && finance && !health;
	case ROLE_COUNT:
		break;
	}
	return false;
}

static int auth_failed(store *st)
{
	/* The same words whether the user is unknown or the passphrase wrong. */
	return st_fail(st, M_AUTH, "authentication failed");
}

int store_unlock(store *st, const char *user, const char *pass, size_t passlen)
{
	struct unlock_ctx *ctx = calloc(1, sizeof *ctx);
	keyring *kr = NULL;
	int rc, lock;

	if (!ctx)
		return st_fail(st, M_UNAVAILABLE, "out of memory");
	if (!store_user_name_valid(user)) {
		rc = auth_failed(st);
		goto out;
	}
	ctx->name = user;
	rc = st_txn(st, false, unlock_read, ctx);
	if (rc)
		goto out;

	lock = keys_kdf_lock(st->dir);
	if (!ctx->found || (ctx->u.flags & USER_REVOKED)) {
		/* Spend the same Argon2id time as a real attempt, so that timing
		 * does not tell which user names exist. */
		uint8_t pk[KEYS_PK_BYTES], slot[KEYS_SLOT_BYTES];
		keys_slot_create(pass, passlen, &st->kdf, st->store_id, user, st->authority_pk, pk,
		                 slot);
		keys_kdf_unlock(lock);
		rc = auth_failed(st);
		goto out;
	}
	const struct keys_slot_ad ad = {st->store_id, user, ctx->u.pk, st->authority_pk};
	rc = keyring_unlock(ctx->u.slot, &ad, pass, passlen, &kr);
	keys_kdf_unlock(lock);
	if (rc == KEYS_EAUTH) {
		rc = auth_failed(st);
		goto out;
	}
	if (rc) {
		rc = st_fail(st, M_INTEGRITY,
		             "%s: the keyslot of user %s does not authenticate: the store may have "
		             "been tampered with",
		             st->dir, user);
		goto out;
	}
	for (size_t i = 0; i < ctx->ngrants; i++) {
		const struct grant_copy *g = &ctx->grants[i];
		if (keyring_add_grant(kr, g->cls, g->epoch, g->g) != KEYS_OK) {
			rc = st_fail(st, M_INTEGRITY,
			             "%s: a key grant of user %s does not authenticate: the store "
			             "may have been tampered with",
			             st->dir, user);
			goto out;
		}
	}
	if (!keyring_has(kr, KC_RECORD, st->epoch[KC_RECORD])) {
		rc = auth_failed(st);
		goto out;
	}
	if (!role_matches_keys(st, kr, ctx->u.role)) {
		rc = st_fail(st, M_INTEGRITY,
		             "%s: the role recorded for user %s does not match the keys granted to "
		             "them: the store may have been tampered with",
		             st->dir, user);
		goto out;
	}
	keyring_free(st->kr);
	st->kr = kr;
	kr = NULL;
	snprintf(st->user, sizeof st->user, "%s", user);
	st->role = ctx->u.role;
	st->must_change = ctx->u.flags & USER_MUST_CHANGE;
	rc = M_OK;
out:
	keyring_free(kr);
	keys_wipe(ctx, sizeof *ctx);
	free(ctx);
	return rc;
}

const char *store_user(const store *st)
{
	return st->user;
}

enum key_role store_role(const store *st)
{
	return st->role;
}

bool store_must_change_passphrase(const store *st)
{
	return st->must_change;
}

bool store_can_read(const store *st, enum key_class c)
{
	return st->kr && (unsigned)c < KC_COUNT && keyring_has(st->kr, c, st->epoch[c]);
}

/* ---- enrolment and passphrases ------------------------------------------ */

struct add_ctx {
	const char *name;
	enum key_role role;
	const uint8_t *pk;
	const uint8_t *slot;
};

static int add_txn(store *st, MDB_txn *txn, void *vctx)
{
	struct add_ctx *ctx = vctx;
	MDB_val v;
	int rc = st_get(st, txn, DB_USERS, ctx->name, strlen(ctx->name), &v);

	if (rc == M_OK)
		return st_fail(st, M_INPUT, "user %s already exists", ctx->name);
	if (rc != -1)
		return rc;
	if ((rc = st_load_epochs(st, txn)))
		return rc;
	rc = st_write_user(st, txn, ctx->name, ctx->role, true, ctx->pk, ctx->slot);
	if (rc)
		return rc;
	return st_grant_role(st, txn, st->kr, ctx->name, ctx->role, ctx->pk);
}

int store_user_add(store *st, const char *name, enum key_role role, const char *pass,
                   size_t passlen)
{
	uint8_t pk[KEYS_PK_BYTES], slot[KEYS_SLOT_BYTES];
	struct add_ctx ctx = {name, role, pk, slot};
	int rc, lock;

	if (!st->kr || !keyring_is_authority(st->kr))
		return st_fail(st, M_AUTH, "not permitted: only an administrator can enrol users");
	if (!store_user_name_valid(name))
		return st_fail(st, M_USAGE,
		               "invalid user name: use the Unix login name (a-z, 0-9, . _ -)");
	lock = keys_kdf_lock(st->dir);
	rc = keys_slot_create(pass, passlen, &st->kdf, st->store_id, name, st->authority_pk, pk,
	                      slot);
	keys_kdf_unlock(lock);
	if (rc)
		return st_fail(st, M_UNAVAILABLE, "cannot derive the key (out of memory?)");
	rc = st_txn(st, true, add_txn, &ctx);
	keys_wipe(slot, sizeof slot);
	return rc;
}

struct list_ctx {
	struct store_user_info *users;
	size_t n, cap;
};

static int list_txn(store *st, MDB_txn *txn, void *vctx)
{
	struct list_ctx *ctx = vctx;
	MDB_cursor *cur;
	MDB_val k, v;
	int rc;

	ctx->n = 0;
	if ((rc = st_load_epochs(st, txn)))
		return rc;
	if ((rc = mdb_cursor_open(txn, st->dbi[DB_USERS], &cur)))
		return st_mdb(st, rc, "users");
	for (rc = mdb_cursor_get(cur, &k, &v, MDB_FIRST); rc == 0;
	     rc = mdb_cursor_get(cur, &k, &v, MDB_NEXT)) {
		struct store_user_info *ui;
		struct user_rec u = {0};
		if (k.mv_size >= sizeof ui->name || user_decode(st, &v, &u))
			continue;
		if (ctx->n == ctx->cap) {
			size_t cap = ctx->cap ? ctx->cap * 2 : 16;
			void *p = realloc(ctx->users, cap * sizeof *ctx->users);
			if (!p) {
				mdb_cursor_close(cur);
				return st_fail(st, M_UNAVAILABLE, "out of memory");
			}
			ctx->users = p;
			ctx->cap = cap;
		}
		ui = &ctx->users[ctx->n++];
		memset(ui, 0, sizeof *ui);
		memcpy(ui->name, k.mv_data, k.mv_size);
		ui->role = u.role;
		ui->must_change = u.flags & USER_MUST_CHANGE;
		ui->created = u.created;
		/* Which classes the user holds now: grants at the active epoch. */
		for (unsigned c = 0; c < KC_COUNT; c++) {
			uint8_t gk[64 + 6];
			MDB_val gv;
			if (st_get(st, txn, DB_GRANTS, gk, grant_key(gk, ui->name, c, st->epoch[c]),
			           &gv) == M_OK)
				ui->classes |= 1u << c;
		}
	}
	mdb_cursor_close(cur);
	return rc == MDB_NOTFOUND ? M_OK : st_mdb(st, rc, "users");
}

int store_user_list(store *st, struct store_user_info **out, size_t *n)
{
	struct list_ctx ctx = {0};
	int rc = st_txn(st, false, list_txn, &ctx);

	if (rc) {
		free(ctx.users);
		return rc;
	}
	*out = ctx.users;
	*n = ctx.n;
	return M_OK;
}

struct passwd_ctx {
	const uint8_t *old_slot;
	const uint8_t *new_slot;
};

static int passwd_txn(store *st, MDB_txn *txn, void *vctx)
{
	struct passwd_ctx *ctx = vctx;
	struct user_rec u = {0};
	MDB_val v;
	int rc = st_get(st, txn, DB_USERS, st->user, strlen(st->user), &v);

	if (rc == -1)
		return auth_failed(st);
	if (rc || (rc = user_decode(st, &v, &u)))
		return rc;
	/* Someone else changed this slot since we read it (a second session):
	 * do not overwrite their passphrase with ours. */
	if (!keys_memeq(u.slot, ctx->old_slot, KEYS_SLOT_BYTES))
		return st_fail(st, M_CONFLICT, "the passphrase was changed elsewhere meanwhile");
	memcpy(u.slot, ctx->new_slot, KEYS_SLOT_BYTES);
	u.flags &= (uint8_t)~USER_MUST_CHANGE;
	return user_write(st, txn, st->user, &u);
}

static int read_own(store *st, MDB_txn *txn, void *vctx)
{
	MDB_val v;
	int rc = st_get(st, txn, DB_USERS, st->user, strlen(st->user), &v);

	if (rc == -1)
		return auth_failed(st);
	return rc ? rc : user_decode(st, &v, vctx);
}

int store_passwd(store *st, const char *oldpass, size_t oldlen, const char *newpass,
                 size_t newlen)
{
	struct user_rec u = {0};
	uint8_t slot[KEYS_SLOT_BYTES];
	int rc, lock;

	if (!st->kr)
		return auth_failed(st);
	if ((rc = st_txn(st, false, read_own, &u)))
		return rc;
	const struct keys_slot_ad ad = {st->store_id, st->user, u.pk, st->authority_pk};
	lock = keys_kdf_lock(st->dir);
	rc = keys_slot_rewrap(u.slot, &ad, oldpass, oldlen, newpass, newlen, &st->kdf, slot);
	keys_kdf_unlock(lock);
	if (rc == KEYS_EAUTH)
		return auth_failed(st);
	if (rc)
		return st_fail(st, M_UNAVAILABLE, "cannot derive the key (out of memory?)");
	struct passwd_ctx ctx = {u.slot, slot};
	rc = st_txn(st, true, passwd_txn, &ctx);
	if (rc == M_OK)
		st->must_change = false;
	keys_wipe(slot, sizeof slot);
	return rc;
}
