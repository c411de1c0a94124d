/* users.c: enrolment, keyslots, grants and unlocking.
 *
 * User record (users table, key = name):
 *   u8 version (2) | u8 role | u8 flags | u8 reserved | i64 created |
 *   public key[32] | keyslot[KEYS_SLOT_BYTES] | authority MAC[32]
 * The MAC covers what only an administrator decides: name, role, the
 * revoked and protected flags, the public key; not the keyslot or the
 * must-change flag, which the user's own passwd rewrites. Version 1 had no
 * MAC: an administrator's next unlock signs such records.
 */
#include "store/private.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* flags: the protected class is the one granted to named users too. */
enum { USER_VERSION = 2, USER_MUST_CHANGE = 1, USER_REVOKED = 2, USER_PROTECTED = 4 };
enum { USER_BYTES_V1 = 4 + 8 + KEYS_PK_BYTES + KEYS_SLOT_BYTES,
       USER_BYTES = USER_BYTES_V1 + KEYS_MAC_BYTES };

struct user_rec {
	enum key_role role;
	uint8_t flags;
	int64_t created;
	uint8_t pk[KEYS_PK_BYTES];
	uint8_t slot[KEYS_SLOT_BYTES];
	bool signed_;
	uint8_t mac[KEYS_MAC_BYTES];
};

/* What the authority's MAC covers. */
static size_t user_signed_bytes(store *st, const char *name, const struct user_rec *u,
                                uint8_t *b)
{
	size_t n = strlen(name), off = 0;

	memcpy(b, "mappe-user-v2", 13), off += 13;
	memcpy(b + off, st->store_id, KEYS_STORE_ID_BYTES), off += KEYS_STORE_ID_BYTES;
	b[off++] = (uint8_t)n;
	memcpy(b + off, name, n), off += n;
	b[off++] = (uint8_t)u->role;
	b[off++] = u->flags & (USER_REVOKED | USER_PROTECTED);
	memcpy(b + off, u->pk, KEYS_PK_BYTES), off += KEYS_PK_BYTES;
	return off;
}

/* Before sealing keys to a user on the strength of their record: the role
 * and flags must be the ones an administrator wrote. */
static int user_verify(store *st, const keyring *kr, const char *name, const struct user_rec *u)
{
	uint8_t b[128];

	if (!u->signed_ || keyring_authority_verify(kr, b, user_signed_bytes(st, name, u, b),
	                                            u->mac) != KEYS_OK)
		return st_fail(st, M_INTEGRITY,
		               "%s: the record of user %s does not authenticate: its role or "
		               "grants may have been edited in the file; nothing granted",
		               st->dir, name);
	return M_OK;
}

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

	bool v1 = v->mv_size == USER_BYTES_V1 && p[0] == 1;

	if (!v1 && (v->mv_size != USER_BYTES || p[0] != USER_VERSION))
		return st_fail(st, M_INTEGRITY, "%s: a user record is damaged", st->dir);
	if (p[1] >= ROLE_COUNT)
		return st_fail(st, M_INTEGRITY, "%s: a user record is damaged", st->dir);
	u->signed_ = !v1;
	if (!v1)
		memcpy(u->mac, p + USER_BYTES_V1, KEYS_MAC_BYTES);
	u->role = (enum key_role)p[1];
	u->flags = p[2];
	u->created = (int64_t)rd64(p + 4);
	memcpy(u->pk, p + 12, KEYS_PK_BYTES);
	memcpy(u->slot, p + 12 + KEYS_PK_BYTES, KEYS_SLOT_BYTES);
	return M_OK;
}

/* An administrator's keyring (signer) signs the record anew; anyone else
 * (passwd) keeps the signature it had. */
static int user_write_signed(store *st, MDB_txn *txn, const char *name, struct user_rec *u,
                             const keyring *signer)
{
	uint8_t b[USER_BYTES], sb[128];

	if (signer && keyring_is_authority(signer) &&
	    keyring_authority_mac(signer, sb, user_signed_bytes(st, name, u, sb), u->mac) == KEYS_OK)
		u->signed_ = true;
	if (!u->signed_)
		return st_fail(st, M_AUTH, "only an administrator can write an unsigned user record");
	b[0] = USER_VERSION;
	b[1] = (uint8_t)u->role;
	b[2] = u->flags;
	b[3] = 0;
	be64(b + 4, (uint64_t)u->created);
	memcpy(b + 12, u->pk, KEYS_PK_BYTES);
	memcpy(b + 12 + KEYS_PK_BYTES, u->slot, KEYS_SLOT_BYTES);
	memcpy(b + USER_BYTES_V1, u->mac, KEYS_MAC_BYTES);
	return st_put(st, txn, DB_USERS, name, strlen(name), b, sizeof b, 0);
}

static int user_write(store *st, MDB_txn *txn, const char *name, struct user_rec *u)
{
	return user_write_signed(st, txn, name, u, st->kr);
}

int st_write_user(store *st, MDB_txn *txn, const keyring *signer, const char *name,
                  enum key_role role, bool must_change, const uint8_t pk[KEYS_PK_BYTES],
                  const uint8_t slot[KEYS_SLOT_BYTES])
{
	struct user_rec u = {.role = role,
	                     .flags = must_change ? USER_MUST_CHANGE : 0,
	                     .created = st_now()};

	memcpy(u.pk, pk, KEYS_PK_BYTES);
	memcpy(u.slot, slot, KEYS_SLOT_BYTES);
	return user_write_signed(st, txn, name, &u, signer);
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

/* Copy a user's grants out of the transaction. */
static int read_grants(store *st, MDB_txn *txn, const char *name, struct grant_copy *out,
                       size_t cap, size_t *count)
{
	size_t n = strlen(name);
	MDB_cursor *cur;
	MDB_val k = {n + 1, (void *)name}, v; /* the name and its NUL: the grants prefix */
	int rc;

	*count = 0;
	if ((rc = mdb_cursor_open(txn, st->dbi[DB_GRANTS], &cur)))
		return st_mdb(st, rc, "grants");
	for (rc = mdb_cursor_get(cur, &k, &v, MDB_SET_RANGE); rc == 0;
	     rc = mdb_cursor_get(cur, &k, &v, MDB_NEXT)) {
		const uint8_t *kp = k.mv_data;
		if (k.mv_size != n + 6 || memcmp(kp, name, n) != 0 || kp[n] != 0)
			break;
		if (v.mv_size != KEYS_GRANT_BYTES || *count == cap)
			continue;
		out[*count].cls = kp[n + 1];
		out[*count].epoch = rd32(kp + n + 2);
		memcpy(out[*count].g, v.mv_data, KEYS_GRANT_BYTES);
		(*count)++;
	}
	mdb_cursor_close(cur);
	return rc == 0 || rc == MDB_NOTFOUND ? M_OK : st_mdb(st, rc, "grants");
}

static int unlock_read(store *st, MDB_txn *txn, void *vctx)
{
	struct unlock_ctx *ctx = vctx;
	MDB_val v;
	int rc = st_get(st, txn, DB_USERS, ctx->name, strlen(ctx->name), &v);

	ctx->found = false;
	ctx->ngrants = 0;
	if (rc == -1)
		return M_OK;
	if (rc || (rc = user_decode(st, &v, &ctx->u)))
		return rc;
	ctx->found = true;
	if ((rc = st_load_epochs(st, txn)))
		return rc;
	return read_grants(st, txn, ctx->name, ctx->grants, MAX_GRANTS, &ctx->ngrants);
}

int st_refresh_grants(store *st, MDB_txn *txn)
{
	struct grant_copy *g = calloc(MAX_GRANTS, sizeof *g);
	size_t n = 0;
	int rc;

	if (!g)
		return st_fail(st, M_UNAVAILABLE, "out of memory");
	rc = read_grants(st, txn, st->user, g, MAX_GRANTS, &n);
	/* keyring_add_grant skips the keys it holds; one that does not open is
	 * left out, and the field it guards stays locked. */
	for (size_t i = 0; rc == M_OK && i < n; i++)
		if (g[i].cls == KEYS_AUTHORITY_CLASS || !keyring_has(st->kr, g[i].cls, g[i].epoch))
			keyring_add_grant(st->kr, g[i].cls, g[i].epoch, g[i].g);
	keys_wipe(g, MAX_GRANTS * sizeof *g);
	free(g);
	return rc;
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

static int sign_legacy_txn(store *st, MDB_txn *txn, void *vctx)
{
	MDB_cursor *cur;
	MDB_val k, v;
	int rc;

	(void)vctx;
	if ((rc = mdb_cursor_open(txn, st->dbi[DB_USERS], &cur)))
		return st_mdb(st, rc, "users");
	for (rc = mdb_cursor_get(cur, &k, &v, MDB_FIRST); rc == 0;
	     rc = mdb_cursor_get(cur, &k, &v, MDB_NEXT)) {
		struct user_rec u = {0};
		char name[64];
		int wrc;
		if (k.mv_size >= sizeof name || user_decode(st, &v, &u) || u.signed_)
			continue;
		memcpy(name, k.mv_data, k.mv_size);
		name[k.mv_size] = 0;
		if ((wrc = user_write_signed(st, txn, name, &u, st->kr))) {
			mdb_cursor_close(cur);
			return wrc;
		}
	}
	mdb_cursor_close(cur);
	return rc == MDB_NOTFOUND ? M_OK : st_mdb(st, rc, "users");
}

enum { KDF_WAIT_MS = 3000 };

/* A turn at Argon2id (keys_kdf_lock), through the store's own descriptor of
 * data.mdb. Never a free pass: if the throttle cannot be used, no
 * derivation runs. */
static int kdf_enter(store *st, struct keys_kdf_hold *hold)
{
	int fd = -1;

	if (mdb_env_get_fd(st->env, &fd) != 0 ||
	    keys_kdf_lock(fd, (unsigned)getuid(), st_lock_wait_ms(KDF_WAIT_MS), hold) != KEYS_OK)
		return st_fail(st, M_UNAVAILABLE,
		               "%s: cannot take a turn at key derivation (the store's file locks "
		               "do not work here: a local disk is needed)",
		               st->dir);
	return M_OK;
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
	struct keys_kdf_hold hold;
	int rc;

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

	if ((rc = kdf_enter(st, &hold)))
		goto out;
	if (!ctx->found || (ctx->u.flags & USER_REVOKED)) {
		/* Spend the same Argon2id time as a real attempt, so that timing
		 * does not tell which user names exist. */
		uint8_t pk[KEYS_PK_BYTES], slot[KEYS_SLOT_BYTES];
		keys_slot_create(pass, passlen, &st->kdf, st->store_id, user, st->authority_pk, pk,
		                 slot);
		keys_kdf_unlock(&hold);
		rc = auth_failed(st);
		goto out;
	}
	const struct keys_slot_ad ad = {st->store_id, user, ctx->u.pk, st->authority_pk};
	rc = keyring_unlock(ctx->u.slot, &ad, pass, passlen, &kr);
	keys_kdf_unlock(&hold);
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
	/* Records from before roles were signed: the first administrator to
	 * unlock signs them as they stand (documented in docs/security.md). */
	if (keyring_is_authority(st->kr) && (rc = st_txn(st, true, sign_legacy_txn, NULL)))
		goto out;
	st->role = ctx->u.role;
	st->must_change = ctx->u.flags & USER_MUST_CHANGE;
	rc = M_OK;
out:
	keyring_free(kr);
	keys_wipe(ctx, sizeof *ctx);
	free(ctx);
	return rc;
}

void store_lock(store *st)
{
	/* keyring_free wipes every key before the memory goes back. */
	keyring_free(st->kr);
	st->kr = NULL;
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
	rc = st_write_user(st, txn, st->kr, ctx->name, ctx->role, true, ctx->pk, ctx->slot);
	if (rc)
		return rc;
	return st_grant_role(st, txn, st->kr, ctx->name, ctx->role, ctx->pk);
}

int store_user_add(store *st, const char *name, enum key_role role, const char *pass,
                   size_t passlen)
{
	uint8_t pk[KEYS_PK_BYTES], slot[KEYS_SLOT_BYTES];
	struct add_ctx ctx = {name, role, pk, slot};
	struct keys_kdf_hold hold;
	int rc;

	if (!st->kr || !keyring_is_authority(st->kr))
		return st_fail(st, M_AUTH, "not permitted: only an administrator can enrol users");
	if (!store_user_name_valid(name))
		return st_fail(st, M_USAGE,
		               "invalid user name: use the Unix login name (a-z, 0-9, . _ -)");
	if ((rc = kdf_enter(st, &hold)))
		return rc;
	rc = keys_slot_create(pass, passlen, &st->kdf, st->store_id, name, st->authority_pk, pk,
	                      slot);
	keys_kdf_unlock(&hold);
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
		ui->revoked = u.flags & USER_REVOKED;
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
	struct keys_kdf_hold hold;
	int rc;

	if (!st->kr)
		return auth_failed(st);
	if ((rc = st_txn(st, false, read_own, &u)))
		return rc;
	const struct keys_slot_ad ad = {st->store_id, st->user, u.pk, st->authority_pk};
	if ((rc = kdf_enter(st, &hold)))
		return rc;
	rc = keys_slot_rewrap(u.slot, &ad, oldpass, oldlen, newpass, newlen, &st->kdf, slot);
	keys_kdf_unlock(&hold);
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

/* ---- the life of a key: who is allowed what ------------------------------ */

/* The classes of the role and of named grants, revoked or not. */
static key_classes user_classes(const struct user_rec *u)
{
	return keys_role_classes(u->role) | (u->flags & USER_PROTECTED ? 1u << KC_PROTECTED : 0);
}

static key_classes allowed_classes(const struct user_rec *u)
{
	return u->flags & USER_REVOKED ? 0 : user_classes(u);
}

int st_grant_epoch(store *st, MDB_txn *txn, enum key_class c, uint32_t epoch, size_t *count)
{
	MDB_cursor *cur;
	MDB_val k, v;
	int rc;

	*count = 0;
	if ((rc = mdb_cursor_open(txn, st->dbi[DB_USERS], &cur)))
		return st_mdb(st, rc, "users");
	for (rc = mdb_cursor_get(cur, &k, &v, MDB_FIRST); rc == 0;
	     rc = mdb_cursor_get(cur, &k, &v, MDB_NEXT)) {
		struct user_rec u = {0};
		char name[64];
		int prc;
		if (k.mv_size >= sizeof name || user_decode(st, &v, &u))
			continue;
		if (!(allowed_classes(&u) & (1u << c)))
			continue;
		memcpy(name, k.mv_data, k.mv_size);
		name[k.mv_size] = 0;
		if ((prc = user_verify(st, st->kr, name, &u))) {
			mdb_cursor_close(cur);
			return prc;
		}
		if ((prc = put_grant(st, txn, st->kr, name, c, epoch, u.pk))) {
			mdb_cursor_close(cur);
			return prc;
		}
		(*count)++;
	}
	mdb_cursor_close(cur);
	return rc == MDB_NOTFOUND ? M_OK : st_mdb(st, rc, "users");
}

int st_drop_grants(store *st, MDB_txn *txn, const char *name, int cls, uint32_t below)
{
	MDB_cursor *cur;
	MDB_val k, v;
	int rc;

	if ((rc = mdb_cursor_open(txn, st->dbi[DB_GRANTS], &cur)))
		return st_mdb(st, rc, "grants");
	for (rc = mdb_cursor_get(cur, &k, &v, MDB_FIRST); rc == 0;
	     rc = mdb_cursor_get(cur, &k, &v, MDB_NEXT)) {
		const uint8_t *kp = k.mv_data;
		size_t n = k.mv_size;
		if (n < 7 || kp[n - 6] != 0)
			continue;
		if (name && (n - 6 != strlen(name) || memcmp(kp, name, n - 6) != 0))
			continue;
		if (cls >= 0 && kp[n - 5] != cls)
			continue;
		if (below && rd32(kp + n - 4) >= below)
			continue;
		if ((rc = mdb_cursor_del(cur, 0))) {
			mdb_cursor_close(cur);
			return st_mdb(st, rc, "grants");
		}
	}
	mdb_cursor_close(cur);
	return rc == MDB_NOTFOUND ? M_OK : st_mdb(st, rc, "grants");
}

/* A user's record, or M_INPUT naming who is missing. */
static int user_read(store *st, MDB_txn *txn, const char *name, struct user_rec *u)
{
	MDB_val v;
	int rc = st_get(st, txn, DB_USERS, name, strlen(name), &v);

	if (rc == -1)
		return st_fail(st, M_INPUT, "no user %s", name);
	return rc ? rc : user_decode(st, &v, u);
}

struct revoke_ctx {
	const char *name;
	key_classes held;
};

static int revoke_txn(store *st, MDB_txn *txn, void *vctx)
{
	struct revoke_ctx *ctx = vctx;
	struct user_rec u = {0};
	int rc = user_read(st, txn, ctx->name, &u);

	if (rc)
		return rc;
	/* What they could have had in memory: every class of their role and
	 * named grants, whether or not this is the second run after a crash. */
	ctx->held = user_classes(&u);
	/* USER_PROTECTED stays, so that a second run after a crash still knows
	 * to rotate protected; a revoked user is allowed nothing anyway. */
	u.flags |= USER_REVOKED;
	/* The keyslot goes: the secret key inside it is gone for good. */
	keys_wipe(u.slot, sizeof u.slot);
	if ((rc = user_write(st, txn, ctx->name, &u)))
		return rc;
	/* A rotation in flight has sealed its new epoch to them already. */
	for (unsigned c = 0; c < KC_COUNT; c++)
		if ((ctx->held & (1u << c)) && (rc = st_rotation_supersede(st, txn, (enum key_class)c)))
			return rc;
	return st_drop_grants(st, txn, ctx->name, -1, 0);
}

int store_user_revoke(store *st, const char *name, key_classes *held)
{
	struct revoke_ctx ctx = {name, 0};
	int rc;

	if (!st->kr || !keyring_is_authority(st->kr))
		return st_fail(st, M_AUTH, "not permitted: only an administrator can revoke");
	if (strcmp(name, st->user) == 0)
		return st_fail(st, M_INPUT, "you cannot revoke yourself; ask another administrator");
	rc = st_txn(st, true, revoke_txn, &ctx);
	if (rc == M_OK)
		*held = ctx.held;
	return rc;
}

struct named_ctx {
	const char *name;
	enum key_class c;
	bool grant;
	bool changed;
};

static int named_txn(store *st, MDB_txn *txn, void *vctx)
{
	struct named_ctx *ctx = vctx;
	struct user_rec u = {0};
	int rc = user_read(st, txn, ctx->name, &u);

	if (rc)
		return rc;
	if (u.flags & USER_REVOKED)
		return st_fail(st, M_INPUT, "user %s is revoked", ctx->name);
	if ((rc = st_load_epochs(st, txn)))
		return rc;
	if ((rc = user_verify(st, st->kr, ctx->name, &u)))
		return rc;
	if (ctx->grant) {
		ctx->changed = !(allowed_classes(&u) & (1u << ctx->c));
		u.flags |= USER_PROTECTED;
		if ((rc = user_write(st, txn, ctx->name, &u)))
			return rc;
		/* Every live epoch (from the floor up), so that data not yet
		 * re-encrypted by a rotation in progress opens too; never a
		 * retired one, whose key this session may still remember. */
		for (uint32_t e = st->floor[ctx->c]; e <= st->epoch[ctx->c]; e++)
			if (keyring_has(st->kr, ctx->c, e) &&
			    (rc = put_grant(st, txn, st->kr, ctx->name, ctx->c, e, u.pk)))
				return rc;
		return M_OK;
	}
	ctx->changed = (u.flags & USER_PROTECTED) != 0;
	if (keys_role_classes(u.role) & (1u << ctx->c))
		return st_fail(st, M_INPUT, "user %s holds %s through the role %s; change the role",
		               ctx->name, keys_class_name(ctx->c), keys_role_name(u.role));
	u.flags &= (uint8_t)~USER_PROTECTED;
	if ((rc = user_write(st, txn, ctx->name, &u)))
		return rc;
	return st_drop_grants(st, txn, ctx->name, ctx->c, 0);
}

int store_user_grant(store *st, const char *name, enum key_class c, bool grant, bool *changed)
{
	struct named_ctx ctx = {name, c, grant, false};
	int rc;

	if (!st->kr || !keyring_is_authority(st->kr))
		return st_fail(st, M_AUTH, "not permitted: only an administrator can grant keys");
	if (c != KC_PROTECTED)
		return st_fail(st, M_USAGE,
		               "only the protected class is granted by name; the others follow "
		               "the role");
	rc = st_txn(st, true, named_txn, &ctx);
	*changed = ctx.changed;
	return rc;
}

struct holders_ctx {
	enum key_class c;
	uint32_t epoch;
	char (*names)[64];
	size_t n, cap;
};

static int holders_txn(store *st, MDB_txn *txn, void *vctx)
{
	struct holders_ctx *ctx = vctx;
	MDB_cursor *cur;
	MDB_val k, v;
	int rc;

	ctx->n = 0;
	if ((rc = mdb_cursor_open(txn, st->dbi[DB_GRANTS], &cur)))
		return st_mdb(st, rc, "grants");
	for (rc = mdb_cursor_get(cur, &k, &v, MDB_FIRST); rc == 0;
	     rc = mdb_cursor_get(cur, &k, &v, MDB_NEXT)) {
		const uint8_t *kp = k.mv_data;
		size_t n = k.mv_size;
		if (n < 7 || n - 6 >= 64 || kp[n - 6] != 0 || kp[n - 5] != ctx->c ||
		    rd32(kp + n - 4) != ctx->epoch || ctx->n == ctx->cap)
			continue;
		memcpy(ctx->names[ctx->n], kp, n - 6);
		ctx->names[ctx->n][n - 6] = 0;
		ctx->n++;
	}
	mdb_cursor_close(cur);
	return rc == MDB_NOTFOUND ? M_OK : st_mdb(st, rc, "grants");
}

int store_class_holders(store *st, enum key_class c, uint32_t epoch, char (*names)[64],
                        size_t cap, size_t *n)
{
	struct holders_ctx ctx = {c, epoch, names, 0, cap};
	int rc = st_txn(st, false, holders_txn, &ctx);

	*n = ctx.n;
	return rc;
}
