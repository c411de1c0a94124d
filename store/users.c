/* users.c: enrolment, keyslots, grants and unlocking.
 *
 * User record (users table, key = name):
 *   u8 version (2) | u8 role | u8 flags | u8 pin | i64 created |
 *   public key[32] | keyslot[KEYS_SLOT_BYTES] | authority MAC[32]
 * The MAC covers what only an administrator decides: name, role, the
 * revoked and protected flags, the public key; not the keyslot or the
 * must-change flag, which the user's own passwd rewrites, nor the pin: the
 * authority epoch the keyslot is bound to, which the owner's login moves
 * forward after an authority rotation (the slot itself says whether it is
 * right: the pinned key is in its associated data). Version 1 had no
 * MAC: it is read only in a schema-3 store, whose upgrade (in an
 * administrator's unlock) signs it; anywhere else it was planted.
 *
 * Nothing is signed on the strength of what the file says: a record is
 * signed when an administrator creates it, or changes one whose signature
 * they have just verified (user_read_verified).
 */
#include "store/private.h"
#include "store/validate.h"

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
	uint8_t pin; /* authority epoch of the keyslot */
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
		return st_err(st, USER_RECORD_FORGED, .name = name);
	return M_OK;
}

/* name is the record's key, for the message (at most 64 bytes are shown). */
static int user_decode(store *st, const char *name, size_t namelen, const MDB_val *v,
                       struct user_rec *u)
{
	const uint8_t *p = v->mv_data;
	int shown = namelen > 64 ? 64 : (int)namelen;
	bool v1 = v->mv_size == USER_BYTES_V1 && p[0] == 1;

	if (v1 && st->schema >= 4)
		return st_err(st, USER_RECORD_PLANTED, .name = name, .namelen = shown, .n = st->schema);
	if ((!v1 && (v->mv_size != USER_BYTES || p[0] != USER_VERSION)) || p[1] >= ROLE_COUNT ||
	    !store_user_name_valid_n(name, namelen))
		return st_err(st, USER_RECORD_DAMAGED, .name = name, .namelen = shown);
	u->signed_ = !v1;
	if (!v1)
		memcpy(u->mac, p + USER_BYTES_V1, KEYS_MAC_BYTES);
	u->role = (enum key_role)p[1];
	u->flags = p[2];
	u->pin = p[3];
	u->created = (int64_t)rd64(p + 4);
	memcpy(u->pk, p + 12, KEYS_PK_BYTES);
	memcpy(u->slot, p + 12 + KEYS_PK_BYTES, KEYS_SLOT_BYTES);
	return M_OK;
}

/* An administrator's decision: sign what the record now says. */
static int user_sign(store *st, const keyring *signer, const char *name, struct user_rec *u)
{
	uint8_t sb[128];

	if (!signer || !keyring_is_authority(signer) ||
	    keyring_authority_mac(signer, sb, user_signed_bytes(st, name, u, sb), u->mac) != KEYS_OK)
		return st_err(st, USER_CHANGE_ADMIN_ONLY);
	u->signed_ = true;
	return M_OK;
}

/* Write the record with the signature it carries (user_sign, or the one it
 * was read with: passwd changes only what the signature does not cover). */
static int user_put(store *st, MDB_txn *txn, const char *name, const struct user_rec *u)
{
	uint8_t b[USER_BYTES];

	if (!u->signed_)
		return st_err(st, USER_RECORD_UNSIGNED);
	b[0] = USER_VERSION;
	b[1] = (uint8_t)u->role;
	b[2] = u->flags;
	b[3] = u->pin;
	be64(b + 4, (uint64_t)u->created);
	memcpy(b + 12, u->pk, KEYS_PK_BYTES);
	memcpy(b + 12 + KEYS_PK_BYTES, u->slot, KEYS_SLOT_BYTES);
	memcpy(b + USER_BYTES_V1, u->mac, KEYS_MAC_BYTES);
	return st_put(st, txn, DB_USERS, name, strlen(name), b, sizeof b, 0);
}

int st_write_user(store *st, MDB_txn *txn, const keyring *signer, const char *name,
                  enum key_role role, bool must_change, const uint8_t pk[KEYS_PK_BYTES],
                  const uint8_t slot[KEYS_SLOT_BYTES])
{
	struct user_rec u = {.role = role,
	                     .flags = must_change ? USER_MUST_CHANGE : 0,
	                     .pin = (uint8_t)st->authority_epoch,
	                     .created = st_now()};

	int rc;

	memcpy(u.pk, pk, KEYS_PK_BYTES);
	memcpy(u.slot, slot, KEYS_SLOT_BYTES);
	if ((rc = user_sign(st, signer, name, &u)))
		return rc;
	return user_put(st, txn, name, &u);
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
		return st_err(st, GRANT_NEEDS_KEYS);
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
	/* The audit class keeps its older epochs for the entries sealed to
	 * them (audit.c): a lead or administrator enrolled later reads the
	 * whole log, as far as the granting administrator holds it. */
	for (uint32_t e = st->floor[KC_AUDIT]; (cls & (1u << KC_AUDIT)) && e < st->epoch[KC_AUDIT]; e++)
		if (keyring_has(kr, KC_AUDIT, e) && (rc = put_grant(st, txn, kr, name, KC_AUDIT, e, pk)))
			return rc;
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
	uint32_t epoch; /* the store's authority epoch, read with the record */
	uint8_t hist[256][KEYS_PK_BYTES]; /* authorities from the record's pin on */
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

/* A keyslot pinned beyond the authority history means the history was cut
 * in the file (to make users trust an old key again): no one logs in to
 * such a store. Only the pin byte of each record is read. */
static int pins_within_history(store *st, MDB_txn *txn, uint32_t epoch)
{
	MDB_cursor *cur;
	MDB_val k, v;
	int rc;

	if ((rc = mdb_cursor_open(txn, st->dbi[DB_USERS], &cur)))
		return st_mdb(st, rc, "users");
	for (rc = mdb_cursor_get(cur, &k, &v, MDB_FIRST); rc == 0;
	     rc = mdb_cursor_get(cur, &k, &v, MDB_NEXT)) {
		if (v.mv_size == USER_BYTES && ((const uint8_t *)v.mv_data)[3] > epoch) {
			mdb_cursor_close(cur);
			return st_err(st, AUTHORITY_HISTORY_CUT);
		}
	}
	mdb_cursor_close(cur);
	return rc == MDB_NOTFOUND ? M_OK : st_mdb(st, rc, "users");
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
	if (rc || (rc = user_decode(st, ctx->name, strlen(ctx->name), &v, &ctx->u)))
		return rc;
	ctx->found = true;
	if ((rc = st_load_epochs(st, txn)))
		return rc;
	ctx->epoch = st->authority_epoch;
	if ((rc = pins_within_history(st, txn, ctx->epoch)))
		return rc;
	for (uint32_t e = ctx->u.pin; e <= ctx->epoch; e++)
		if ((rc = st_authority_at(st, txn, e, ctx->hist[e])))
			return rc;
	return read_grants(st, txn, ctx->name, ctx->grants, MAX_GRANTS, &ctx->ngrants);
}

static int follow_successions(store *st, keyring *kr, const char *user,
                              const struct grant_copy *g, size_t n, uint32_t pin,
                              uint32_t epoch, const uint8_t (*hist)[KEYS_PK_BYTES]);

/* An authority rotation since this session unlocked: follow it, so that the
 * grants the new authority boxed open here too (the slot itself moves at
 * the next login, which has the passphrase). */
static int refresh_authority(store *st, MDB_txn *txn, const struct grant_copy *g, size_t n)
{
	uint8_t(*hist)[KEYS_PK_BYTES];
	MDB_val v;
	uint32_t epoch;
	int rc = st_get(st, txn, DB_META, "authorities", 11, &v);

	if (rc == -1)
		return M_OK;
	if (rc)
		return rc;
	epoch = (uint32_t)(v.mv_size / KEYS_PK_BYTES) - 1;
	if (v.mv_size < KEYS_PK_BYTES || epoch <= st->pin)
		return M_OK;
	hist = malloc(v.mv_size);
	if (!hist)
		return st_err(st, NOMEM);
	memcpy(hist, v.mv_data, v.mv_size);
	rc = follow_successions(st, st->kr, st->user, g, n, st->pin, epoch,
	                        (const uint8_t(*)[KEYS_PK_BYTES])hist);
	if (rc == M_OK) {
		st->pin = epoch;
		st->authority_epoch = epoch;
		memcpy(st->authority_pk, hist[epoch], KEYS_PK_BYTES);
	}
	free(hist);
	return rc;
}

int st_refresh_grants(store *st, MDB_txn *txn)
{
	struct grant_copy *g = calloc(MAX_GRANTS, sizeof *g);
	size_t n = 0;
	int rc;

	if (!g)
		return st_err(st, NOMEM);
	rc = read_grants(st, txn, st->user, g, MAX_GRANTS, &n);
	/* Never fatal: a session that cannot follow keeps what it had. */
	if (rc == M_OK && refresh_authority(st, txn, g, n) != M_OK)
		st_fault_clear(st);
	/* keyring_add_grant skips the keys it holds; one that does not open is
	 * left out, and the field it guards stays locked. */
	for (size_t i = 0; rc == M_OK && i < n; i++)
		if (g[i].cls == KEYS_AUTHORITY_CLASS ||
		    (g[i].cls < KC_COUNT && !keyring_has(st->kr, g[i].cls, g[i].epoch)))
			keyring_add_grant(st->kr, g[i].cls, g[i].epoch, g[i].g);
	keys_wipe(g, MAX_GRANTS * sizeof *g);
	free(g);
	return rc;
}

/* The role in the user record is in clear, but the grants are sealed by the
 * authority: a role edited in the file (caseworker to admin) no longer
 * matches the keys, and is refused. Administrators hold the authority key;
 * leads the audit class; health staff health but not finance; caseworkers
 * finance but not health; the archive both, without audit. */
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
	case ROLE_ARCHIVE:
		/* Both health and finance, which no caseworker or health worker
		 * holds, and no audit, which every lead does. */
		return !authority && !audit && finance && health;
	case ROLE_COUNT:
		break;
	}
	return false;
}

/* Every user record, decoded, copied out of the transaction's pages: a
 * caller may then write the table (which may move those pages) safely. */
struct user_copy {
	char name[64];
	struct user_rec u;
};

static int users_read_all(store *st, MDB_txn *txn, struct user_copy **out, size_t *n)
{
	MDB_cursor *cur;
	MDB_val k, v;
	struct user_copy *all = NULL;
	size_t cap = 0;
	int rc;

	*out = NULL;
	*n = 0;
	if ((rc = mdb_cursor_open(txn, st->dbi[DB_USERS], &cur)))
		return st_mdb(st, rc, "users");
	for (rc = mdb_cursor_get(cur, &k, &v, MDB_FIRST); rc == 0;
	     rc = mdb_cursor_get(cur, &k, &v, MDB_NEXT)) {
		if (*n == cap) {
			size_t ncap = cap ? cap * 2 : 32;
			void *p = realloc(all, ncap * sizeof *all);
			if (!p) {
				rc = st_err(st, NOMEM);
				goto out;
			}
			all = p;
			cap = ncap;
		}
		memset(&all[*n], 0, sizeof all[*n]);
		if ((rc = user_decode(st, k.mv_data, k.mv_size, &v, &all[*n].u)))
			goto out;
		memcpy(all[*n].name, k.mv_data, k.mv_size); /* decode checked the length */
		(*n)++;
	}
	rc = rc == MDB_NOTFOUND ? M_OK : st_mdb(st, rc, "users");
out:
	mdb_cursor_close(cur);
	if (rc) {
		if (all)
			keys_wipe(all, cap * sizeof *all);
		free(all);
		all = NULL;
		*n = 0;
	}
	*out = all;
	return rc;
}

static void users_free(struct user_copy *all, size_t n)
{
	if (all)
		keys_wipe(all, n * sizeof *all);
	free(all);
}

static key_classes user_classes(const struct user_rec *u);

/* What an unsigned record claims, against what the authority sealed to its
 * public key: a record planted in the file (or a role raised there) has no
 * grants from the authority to match, whatever else in the file was forged. */
static int legacy_matches_grants(store *st, MDB_txn *txn, const char *name,
                                 const struct user_rec *u)
{
	key_classes want = u->flags & USER_REVOKED ? 0 : user_classes(u), got = 0;
	bool want_authority = !(u->flags & USER_REVOKED) && u->role == ROLE_ADMIN;
	bool authority = false;
	uint8_t k[64 + 6];
	MDB_val v;

	for (unsigned c = 0; c <= KC_COUNT; c++) {
		unsigned cls = c < KC_COUNT ? c : KEYS_AUTHORITY_CLASS;
		uint32_t epoch = c < KC_COUNT ? st->epoch[c] : st->authority_epoch;
		bool ours = st_get(st, txn, DB_GRANTS, k, grant_key(k, name, cls, epoch), &v) ==
		                    M_OK &&
		            v.mv_size == KEYS_GRANT_BYTES &&
		            keyring_grant_is_ours(st->kr, cls, epoch, u->pk, v.mv_data);
		if (ours && c < KC_COUNT)
			got |= 1u << c;
		else if (ours)
			authority = true;
	}
	if (got != want || authority != want_authority)
		return st_err(st, USER_LEGACY_MISMATCH, .name = name);
	return M_OK;
}

int st_sign_legacy_users(store *st, MDB_txn *txn)
{
	struct user_copy *all = NULL;
	size_t n = 0;
	int rc;

	if (st->schema != 3)
		return st_err(st, USER_SIGN_WRONG_SCHEMA);
	/* A damaged record stops the upgrade: signing it would bless it. */
	if ((rc = users_read_all(st, txn, &all, &n)))
		return rc;
	/* Signed records did not exist at schema 3: this store's schema was set
	 * back in the file, to have a planted record signed. */
	for (size_t i = 0; rc == M_OK && i < n; i++)
		if (all[i].u.signed_)
			rc = st_err(st, USER_SIGN_SCHEMA_EDITED, .name = all[i].name);
		else
			rc = legacy_matches_grants(st, txn, all[i].name, &all[i].u);
	for (size_t i = 0; rc == M_OK && i < n; i++) {
		if ((rc = user_sign(st, st->kr, all[i].name, &all[i].u)) ||
		    (rc = user_put(st, txn, all[i].name, &all[i].u)))
			break;
		if (st->upgrade_report)
			st->upgrade_report(st->upgrade_ctx, all[i].name, all[i].u.role);
	}
	users_free(all, n);
	return rc;
}

/* Walk from the authority the slot is pinned to up to the current one:
 * each step is a succession boxed to this user by the authority before it,
 * naming the key the history lists. */
static int follow_successions(store *st, keyring *kr, const char *user,
                              const struct grant_copy *g, size_t n, uint32_t pin,
                              uint32_t epoch, const uint8_t (*hist)[KEYS_PK_BYTES])
{
	for (uint32_t e = pin + 1; e <= epoch; e++) {
		size_t i = 0;
		while (i < n && !(g[i].cls == KEYS_SUCCESSION_CLASS && g[i].epoch == e))
			i++;
		if (i == n || keyring_follow(kr, e, g[i].g, hist[e]) != KEYS_OK)
			return st_err(st, SUCCESSION_FORGED, .n = e, .name = user);
	}
	return M_OK;
}

struct repin_ctx {
	const char *name;
	const uint8_t *old_slot;
	const uint8_t *new_slot;
	uint8_t pin;
};

static int repin_txn(store *st, MDB_txn *txn, void *vctx)
{
	struct repin_ctx *ctx = vctx;
	struct user_rec u = {0};
	MDB_val v;
	int rc = st_get(st, txn, DB_USERS, ctx->name, strlen(ctx->name), &v);

	if (rc)
		return rc == -1 ? st_err(st, AUTH_FAILED) : rc;
	if ((rc = user_decode(st, ctx->name, strlen(ctx->name), &v, &u)))
		return rc;
	/* A passwd or another login meanwhile: theirs stands. */
	if (!keys_memeq(u.slot, ctx->old_slot, KEYS_SLOT_BYTES))
		return M_CONFLICT;
	memcpy(u.slot, ctx->new_slot, KEYS_SLOT_BYTES);
	u.pin = ctx->pin;
	if ((rc = user_put(st, txn, ctx->name, &u)))
		return rc;
	return st_drop_grants(st, txn, ctx->name, KEYS_SUCCESSION_CLASS, 0);
}

static int kdf_enter(store *st, struct keys_kdf_hold *hold);

static void repin(store *st, struct unlock_ctx *ctx, const char *pass, size_t passlen)
{
	uint8_t slot[KEYS_SLOT_BYTES];
	const struct keys_slot_ad ad = {st->store_id, ctx->name, ctx->u.pk, ctx->hist[ctx->epoch]};
	struct repin_ctx rctx = {ctx->name, ctx->u.slot, slot, (uint8_t)ctx->epoch};
	struct keys_kdf_hold hold;
	int rc = kdf_enter(st, &hold);

	if (rc)
		return; /* the next login tries again */
	rc = keyring_reseal_slot(st->kr, pass, passlen, &st->kdf, &ad, slot);
	keys_kdf_unlock(&hold);
	if (rc == KEYS_OK)
		st_txn(st, true, repin_txn, &rctx);
	keys_wipe(slot, sizeof slot);
	st_fault_clear(st);
}

enum { KDF_WAIT_MS = 3000 };

/* A turn at Argon2id (keys_kdf_lock), through the store's own descriptor of
 * data.mdb. Never a free pass: if the throttle cannot be used, no
 * derivation runs. */
static int kdf_enter(store *st, struct keys_kdf_hold *hold)
{
	int fd = -1;

	if (mdb_env_get_fd(st->env, &fd) != 0 ||
	    keys_kdf_lock_notify(fd, (unsigned)getuid(), st_lock_wait_ms(KDF_WAIT_MS), st->kdf_wait,
	                         st->kdf_wait_ctx, hold) != KEYS_OK)
		return st_err(st, KDF_TURN);
	return M_OK;
}

void store_on_kdf_wait(store *st, void (*fn)(void *ctx), void *ctx)
{
	st->kdf_wait = fn;
	st->kdf_wait_ctx = ctx;
}

static int auth_failed(store *st)
{
	/* The same words whether the user is unknown or the passphrase wrong. */
	return st_err(st, AUTH_FAILED);
}

/* Argon2id (or locked memory) could not get its memory: the host is short of
 * it, nothing is wrong with the store. */
static int kdf_no_memory(store *st)
{
	return st_err(st, KDF_NOMEM);
}

static int login_failed_txn(store *st, MDB_txn *txn, void *name)
{
	int rc = st_load_epochs(st, txn);

	return rc ? rc : st_audit_login_failed(st, txn, name);
}

/* A wrong passphrase (or an unknown name) is logged too, under the name
 * given; the caller still learns only that the login failed. */
static void log_failed(store *st, const char *user)
{
	struct store_fault f = st->fault;

	(void)st_txn(st, true, login_failed_txn, (void *)user);
	st_fault_restore(st, &f);
}

int store_unlock(store *st, const char *user, const char *pass, size_t passlen)
{
	struct unlock_ctx *ctx = calloc(1, sizeof *ctx);
	keyring *kr = NULL;
	struct keys_kdf_hold hold;
	int rc;

	if (!ctx)
		return st_err(st, NOMEM);
	/* An older store is used by nobody until it is upgraded: its user
	 * records are not signed yet, so no role in them can be trusted. */
	if (st->schema < STORE_SCHEMA && !st->allow_upgrade) {
		rc = st_err(st, SCHEMA_OLDER, .n = st->schema);
		goto out;
	}
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
		rc = keys_slot_create(pass, passlen, &st->kdf, st->store_id, user, st->authority_pk,
		                      pk, slot);
		keys_kdf_unlock(&hold);
		/* Short of memory, a real user would be told so: so is this one. */
		rc = rc == KEYS_ENOMEM ? kdf_no_memory(st) : auth_failed(st);
		goto out;
	}
	const struct keys_slot_ad ad = {st->store_id, user, ctx->u.pk, ctx->hist[ctx->u.pin]};
	rc = keyring_unlock(ctx->u.slot, &ad, pass, passlen, &kr);
	keys_kdf_unlock(&hold);
	if (rc == KEYS_EAUTH) {
		rc = auth_failed(st);
		goto out;
	}
	if (rc == KEYS_ENOMEM) {
		rc = kdf_no_memory(st);
		goto out;
	}
	if (rc) {
		rc = st_err(st, KEYSLOT_FORGED, .name = user);
		goto out;
	}
	if ((rc = follow_successions(st, kr, user, ctx->grants, ctx->ngrants, ctx->u.pin,
	                             ctx->epoch, ctx->hist)))
		goto out;
	for (size_t i = 0; i < ctx->ngrants; i++) {
		const struct grant_copy *g = &ctx->grants[i];
		if (g->cls == KEYS_SUCCESSION_CLASS)
			continue;
		if (keyring_add_grant(kr, g->cls, g->epoch, g->g) != KEYS_OK) {
			rc = st_err(st, GRANT_FORGED, .name = user);
			goto out;
		}
	}
	if (!keyring_has(kr, KC_RECORD, st->epoch[KC_RECORD])) {
		rc = auth_failed(st);
		goto out;
	}
	if (!role_matches_keys(st, kr, ctx->u.role)) {
		rc = st_err(st, ROLE_MISMATCH, .name = user);
		goto out;
	}
	keyring_free(st->kr);
	st->kr = kr;
	kr = NULL;
	st->epochs_changed = st_refresh_grants;
	st->pin = ctx->epoch;
	snprintf(st->user, sizeof st->user, "%s", user);
	/* A slot still pinned to an earlier authority moves to this one now,
	 * while the passphrase is at hand; if that fails, the next login tries
	 * again (the successions stay until it succeeds). */
	if (ctx->u.pin < ctx->epoch)
		repin(st, ctx, pass, passlen);
	st->role = ctx->u.role;
	st->must_change = ctx->u.flags & USER_MUST_CHANGE;
	st->user_created = ctx->u.created;
	/* No session without its entry in the log. */
	rc = store_audit(st, &(struct audit_event){.action = AUDIT_UNLOCK, .purpose = "login"});
	if (rc) {
		struct store_fault f = st->fault;
		store_lock(st);
		st_fault_restore(st, &f);
	}
out:
	if (rc == M_AUTH && st->fault.code == E_AUTH_FAILED)
		log_failed(st, user);
	keyring_free(kr);
	keys_wipe(ctx, sizeof *ctx);
	free(ctx);
	return rc;
}

/* ---- the last login --------------------------------------------------------
 *
 * meta "login" 0x00 name -> i64 time | MAC[32]: when the user last logged in
 * to the screens, MACed under a key derived from their own secret key
 * (keyring_user_mac) over the store id, the name and the time. Not a
 * refugee's data, and not a secret (the audit log has logins too), but
 * what My day counts "new" from: nobody else, colleagues included, can
 * write one that authenticates for them. Without one (the first login, or
 * an entry planted or from before the user was enrolled again with a new
 * key) it counts from just after the user's enrolment: the cases imported
 * before they came are not news, those given to them since are. One put back from an
 * older copy only shows more cases as new. */

static size_t login_key(uint8_t *k, const char *name)
{
	size_t n = strlen(name);

	memcpy(k, "login", 6); /* with its 0 */
	memcpy(k + 6, name, n);
	return 6 + n;
}

static size_t login_signed(const store *st, int64_t at, uint8_t *b)
{
	size_t n = strlen(st->user), off = 0;

	memcpy(b, "mappe-login-v1", 14), off += 14;
	memcpy(b + off, st->store_id, KEYS_STORE_ID_BYTES), off += KEYS_STORE_ID_BYTES;
	b[off++] = (uint8_t)n;
	memcpy(b + off, st->user, n), off += n;
	be64(b + off, (uint64_t)at), off += 8;
	return off;
}

struct login_ctx {
	int64_t prev;
	bool note; /* write this login, or only read the last */
};

static int login_txn(store *st, MDB_txn *txn, void *vctx)
{
	struct login_ctx *ctx = vctx;
	int64_t now = st_now();
	uint8_t k[6 + 64], b[128], v[8 + KEYS_MAC_BYTES];
	size_t klen = login_key(k, st->user);
	MDB_val got;
	int rc = st_get(st, txn, DB_META, k, klen, &got);

	/* Strictly after the enrolment: an import and the enrolment that
	 * follows it in one second are before. */
	ctx->prev = st->user_created + 1;
	if (rc != M_OK && rc != -1)
		return rc;
	if (rc == M_OK && got.mv_size == sizeof v) {
		const uint8_t *p = got.mv_data;
		int64_t at = (int64_t)rd64(p);
		if (keyring_user_verify(st->kr, b, login_signed(st, at, b), p + 8) == KEYS_OK)
			ctx->prev = at;
	}
	if (!ctx->note)
		return M_OK;
	be64(v, (uint64_t)now);
	if (keyring_user_mac(st->kr, b, login_signed(st, now, b), v + 8) != KEYS_OK)
		return st_err(st, NOT_UNLOCKED);
	return st_put(st, txn, DB_META, k, klen, v, sizeof v, 0);
}

int store_login_note(store *st)
{
	struct login_ctx ctx = {0, true};
	bool was = st->no_wait;
	int rc;

	if (!st->kr)
		return st_err(st, NOT_UNLOCKED);
	/* Never at the write gate: a writer holding it (or stopped holding it)
	 * must not keep anyone from logging in. When it is busy this login is
	 * not noted, only the last one read: the next login then shows as new
	 * what this one did too. */
	st->no_wait = true;
	rc = st_txn(st, true, login_txn, &ctx);
	st->no_wait = was;
	if (rc) {
		ctx.note = false;
		if ((rc = st_txn(st, false, login_txn, &ctx)))
			return rc;
	}
	st->previous_login = ctx.prev;
	return M_OK;
}

int64_t store_previous_login(const store *st)
{
	return st->previous_login;
}

void store_lock(store *st)
{
	/* keyring_free wipes every key before the memory goes back. */
	keyring_free(st->kr);
	st->kr = NULL;
	st_scratch_free(st);
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

key_classes store_readable(const store *st)
{
	key_classes k = 0;

	for (unsigned c = 0; c < KC_COUNT; c++)
		if (c != KC_RECORD && c != KC_AUDIT && store_can_read(st, (enum key_class)c))
			k |= 1u << c;
	return k;
}

bool store_can_read(const store *st, enum key_class c)
{
	return st->kr && (unsigned)c < KC_COUNT && keyring_has(st->kr, c, st->epoch[c]);
}

static int authority_current(store *st, MDB_txn *txn);

/* ---- enrolment and passphrases ------------------------------------------ */

struct add_ctx {
	const char *name;
	enum key_role role;
	const uint8_t *pk;
	const uint8_t *slot;
};

static int user_read_verified(store *st, MDB_txn *txn, const char *name, struct user_rec *u);

/* meta "owed" NAME: what a revocation left to rotate, u32 classes held |
 * u32 epoch per class | u32 authority epoch (0: not an administrator), as
 * of the revocation. Until every one has moved on, the user may not be
 * enrolled again: the new keypair would be granted the keys the old one's
 * holder may still have. */
enum { OWED_BYTES = 4 + 4 * KC_COUNT + 4 };

static size_t owed_key(uint8_t *k, const char *name)
{
	size_t n = strlen(name);

	memcpy(k, "owed ", 5);
	memcpy(k + 5, name, n);
	return 5 + n;
}

static int owed_write(store *st, MDB_txn *txn, const char *name, key_classes held,
                      bool authority)
{
	uint8_t k[80], v[OWED_BYTES];

	be32(v, held);
	for (unsigned c = 0; c < KC_COUNT; c++)
		be32(v + 4 + 4 * (size_t)c, st->epoch[c]);
	be32(v + 4 + 4 * (size_t)KC_COUNT, authority ? st->authority_epoch : 0);
	return st_put(st, txn, DB_META, k, owed_key(k, name), v, sizeof v, 0);
}

/* M_OK when nothing is owed for name (or the rotations have all run). */
static int owed_check(store *st, MDB_txn *txn, const char *name)
{
	uint8_t k[80];
	size_t klen = owed_key(k, name);
	MDB_val v;
	int rc = st_get(st, txn, DB_META, k, klen, &v);

	if (rc == -1)
		return M_OK;
	if (rc)
		return rc;
	if (v.mv_size != OWED_BYTES)
		return st_err(st, USER_RECORD_DAMAGED, .name = name);
	const uint8_t *p = v.mv_data;
	key_classes held = rd32(p);
	uint32_t authority = rd32(p + 4 + 4 * (size_t)KC_COUNT);
	for (unsigned c = 0; c < KC_COUNT; c++)
		if ((held & (1u << c)) && st->epoch[c] <= rd32(p + 4 + 4 * (size_t)c))
			return st_err(st, REENROL_OWED, .name = name, .cls = (int)c);
	if (authority && st->authority_epoch <= authority)
		return st_err(st, REENROL_OWED_AUTHORITY, .name = name);
	MDB_val key = {klen, k};
	rc = mdb_del(txn, st->dbi[DB_META], &key, NULL);
	return rc && rc != MDB_NOTFOUND ? st_mdb(st, rc, "meta") : M_OK;
}

int st_user_active(store *st, MDB_txn *txn, const char *name, size_t len)
{
	struct user_rec u = {0};
	MDB_val v;
	int shown = len > 63 ? 63 : (int)len;
	int rc = store_user_name_valid_n(name, len)
	             ? st_get(st, txn, DB_USERS, name, len, &v)
	             : -1;

	if (rc == M_OK && user_decode(st, name, len, &v, &u) == M_OK && !(u.flags & USER_REVOKED))
		rc = M_OK;
	else if (rc == M_OK || rc == -1)
		/* Named only if it could be a user name: anything else is not
		 * repeated back. */
		rc = store_user_name_valid_n(name, len)
		         ? st_err(st, CASEWORKER_UNKNOWN, .name = name, .namelen = shown)
		         : st_err(st, CASEWORKER_UNKNOWN, .name = "?");
	keys_wipe(&u, sizeof u);
	return rc;
}

/* The drafts of a revoked login (key: name 0x00 case id): nobody who logs
 * in under that name again may open the old session's unsaved text. */
static int drop_drafts(store *st, MDB_txn *txn, const char *name)
{
	uint8_t p[72];
	size_t n = strlen(name);

	if (n >= sizeof p)
		return M_OK; /* no valid user name is that long */
	memcpy(p, name, n);
	p[n] = 0;
	return st_del_prefix(st, txn, DB_DRAFTS, p, n + 1);
}

/* A revoked user's last login: nothing of theirs stays behind (a user
 * enrolled again under the name has a new key, which would not verify it). */
static int drop_login(store *st, MDB_txn *txn, const char *name)
{
	uint8_t k[6 + 64];

	if (strlen(name) > 64)
		return M_OK; /* no valid user name is that long */
	MDB_val key = {login_key(k, name), k};
	int rc = mdb_del(txn, st->dbi[DB_META], &key, NULL);
	return rc && rc != MDB_NOTFOUND ? st_mdb(st, rc, "meta") : M_OK;
}

/* A revoked user may be enrolled again: a new record with the new keypair
 * replaces the revoked one (whose keyslot is already wiped), and no grant
 * of the old keypair may remain. Anyone else is there already. */
static int readd_revoked(store *st, MDB_txn *txn, const char *name)
{
	struct user_rec u = {0};
	int rc = user_read_verified(st, txn, name, &u);

	if (rc == M_OK && !(u.flags & USER_REVOKED))
		rc = st_err(st, USER_EXISTS, .name = name);
	keys_wipe(&u, sizeof u);
	if (rc == M_OK && (rc = st_load_epochs(st, txn)) == M_OK &&
	    (rc = owed_check(st, txn, name)) == M_OK)
		rc = drop_drafts(st, txn, name);
	return rc ? rc : st_drop_grants(st, txn, name, -1, 0);
}

static int add_txn(store *st, MDB_txn *txn, void *vctx)
{
	struct add_ctx *ctx = vctx;
	MDB_val v;
	int rc = st_get(st, txn, DB_USERS, ctx->name, strlen(ctx->name), &v);

	if (rc != M_OK && rc != -1)
		return rc;
	if ((rc == M_OK && (rc = readd_revoked(st, txn, ctx->name))) ||
	    (rc = st_load_epochs(st, txn)) || (rc = authority_current(st, txn)))
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
		return st_err(st, ENROL_ADMIN_ONLY);
	if (!store_user_name_valid(name))
		return st_err(st, USER_NAME_UNIX);
	if ((rc = kdf_enter(st, &hold)))
		return rc;
	rc = keys_slot_create(pass, passlen, &st->kdf, st->store_id, name, st->authority_pk, pk,
	                      slot);
	keys_kdf_unlock(&hold);
	if (rc)
		return kdf_no_memory(st);
	char what[96];
	snprintf(what, sizeof what, "enrol %s as %s", name, keys_role_name(role));
	rc = st_txn_audited(st, add_txn, &ctx,
	                    &(struct audit_event){.action = AUDIT_USER, .detail = what});
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
		/* A record that does not decode is named, not skipped. */
		if ((rc = user_decode(st, k.mv_data, k.mv_size, &v, &u))) {
			mdb_cursor_close(cur);
			return rc;
		}
		if (ctx->n == ctx->cap) {
			size_t cap = ctx->cap ? ctx->cap * 2 : 16;
			void *p = realloc(ctx->users, cap * sizeof *ctx->users);
			if (!p) {
				mdb_cursor_close(cur);
				return st_err(st, NOMEM);
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
		ui->pin = u.pin;
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
	if (rc || (rc = user_decode(st, st->user, strlen(st->user), &v, &u)))
		return rc;
	/* Someone else changed this slot since we read it (a second session):
	 * do not overwrite their passphrase with ours. */
	if (!keys_memeq(u.slot, ctx->old_slot, KEYS_SLOT_BYTES))
		return st_err(st, PASSPHRASE_CHANGED);
	memcpy(u.slot, ctx->new_slot, KEYS_SLOT_BYTES);
	u.flags &= (uint8_t)~USER_MUST_CHANGE;
	/* The slot and the must-change flag are outside the signature. */
	return user_put(st, txn, st->user, &u);
}

struct own_ctx {
	struct user_rec u;
	uint8_t pinned[KEYS_PK_BYTES]; /* the authority the slot is bound to */
};

static int read_own(store *st, MDB_txn *txn, void *vctx)
{
	struct own_ctx *ctx = vctx;
	MDB_val v;
	int rc = st_get(st, txn, DB_USERS, st->user, strlen(st->user), &v);

	if (rc == -1)
		return auth_failed(st);
	if (rc || (rc = user_decode(st, st->user, strlen(st->user), &v, &ctx->u)))
		return rc;
	/* A session that followed an authority rotation still has a slot bound
	 * to the old authority until its next login. */
	return st_authority_at(st, txn, ctx->u.pin, ctx->pinned);
}

int store_passwd(store *st, const char *oldpass, size_t oldlen, const char *newpass,
                 size_t newlen)
{
	struct own_ctx own = {0};
	const struct user_rec *u = &own.u;
	uint8_t slot[KEYS_SLOT_BYTES];
	struct keys_kdf_hold hold;
	int rc;

	if (!st->kr)
		return auth_failed(st);
	if ((rc = st_txn(st, false, read_own, &own)))
		return rc;
	const struct keys_slot_ad ad = {st->store_id, st->user, u->pk, own.pinned};
	if ((rc = kdf_enter(st, &hold)))
		return rc;
	rc = keys_slot_rewrap(u->slot, &ad, oldpass, oldlen, newpass, newlen, &st->kdf, slot);
	keys_kdf_unlock(&hold);
	if (rc == KEYS_EAUTH)
		return auth_failed(st);
	if (rc == KEYS_ENOMEM)
		return kdf_no_memory(st);
	if (rc)
		return st_err(st, KEYSLOT_FORGED, .name = st->user);
	struct passwd_ctx ctx = {u->slot, slot};
	rc = st_txn_audited(st, passwd_txn, &ctx,
	                    &(struct audit_event){.action = AUDIT_KEYS, .detail = "passphrase changed"});
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
		/* Every record counts: one that does not decode stops the grant
		 * (and with it the rotation), named, rather than being passed over. */
		if ((prc = user_decode(st, k.mv_data, k.mv_size, &v, &u))) {
			mdb_cursor_close(cur);
			return prc;
		}
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
		return st_err(st, NO_USER, .name = name);
	return rc ? rc : user_decode(st, name, strlen(name), &v, u);
}

/* Before an administrator changes a record and signs it anew: it must say
 * what an administrator last signed, or the new signature would bless an
 * edit made in the file. */
static int user_read_verified(store *st, MDB_txn *txn, const char *name, struct user_rec *u)
{
	int rc = user_read(st, txn, name, u);

	return rc ? rc : user_verify(st, st->kr, name, u);
}

struct revoke_ctx {
	const char *name;
	key_classes held;
	bool authority; /* they held the authority key */
	bool forged;
};

/* A record that does not authenticate (planted, or edited in the file) is
 * not signed anew: it goes, with its grants, and every class is rotated,
 * since nothing in it can be trusted to say what its holder had. */
static int revoke_forged(store *st, MDB_txn *txn, struct revoke_ctx *ctx)
{
	MDB_val key = {strlen(ctx->name), (void *)ctx->name};
	int rc = mdb_del(txn, st->dbi[DB_USERS], &key, NULL);

	if (rc && rc != MDB_NOTFOUND)
		return st_mdb(st, rc, "users");
	ctx->held = (1u << KC_COUNT) - 1;
	ctx->authority = true;
	ctx->forged = true;
	for (unsigned c = 0; c < KC_COUNT; c++)
		if ((rc = st_rotation_supersede(st, txn, (enum key_class)c)))
			return rc;
	return st_drop_grants(st, txn, ctx->name, -1, 0);
}

static int revoke_txn(store *st, MDB_txn *txn, void *vctx)
{
	struct revoke_ctx *ctx = vctx;
	struct user_rec u = {0};
	int rc;

	/* A session from before another administrator's authority rotation
	 * would take every record for forged, and delete it. */
	if ((rc = authority_current(st, txn)))
		return rc;
	rc = user_read_verified(st, txn, ctx->name, &u);
	if (rc == M_INTEGRITY)
		return revoke_forged(st, txn, ctx);
	if (rc)
		return rc;
	/* What they could have had in memory: every class of their role and
	 * named grants, whether or not this is the second run after a crash. */
	ctx->held = user_classes(&u);
	ctx->authority = u.role == ROLE_ADMIN;
	/* USER_PROTECTED stays, so that a second run after a crash still knows
	 * to rotate protected; a revoked user is allowed nothing anyway. */
	u.flags |= USER_REVOKED;
	/* The keyslot goes: the secret key inside it is gone for good. */
	keys_wipe(u.slot, sizeof u.slot);
	if ((rc = user_sign(st, st->kr, ctx->name, &u)) || (rc = user_put(st, txn, ctx->name, &u)))
		return rc;
	/* A rotation in flight has sealed its new epoch to them already. */
	for (unsigned c = 0; c < KC_COUNT; c++)
		if ((ctx->held & (1u << c)) && (rc = st_rotation_supersede(st, txn, (enum key_class)c)))
			return rc;
	if ((rc = st_load_epochs(st, txn)) ||
	    (rc = owed_write(st, txn, ctx->name, ctx->held, ctx->authority)) ||
	    (rc = drop_drafts(st, txn, ctx->name)) || (rc = drop_login(st, txn, ctx->name)))
		return rc;
	return st_drop_grants(st, txn, ctx->name, -1, 0);
}

int store_user_revoke(store *st, const char *name, key_classes *held, bool *authority)
{
	struct revoke_ctx ctx = {name, 0, false, false};
	int rc;

	if (!st->kr || !keyring_is_authority(st->kr))
		return st_err(st, REVOKE_ADMIN_ONLY);
	if (strcmp(name, st->user) == 0)
		return st_err(st, REVOKE_SELF);
	char what[96];
	snprintf(what, sizeof what, "revoke %s", name);
	rc = st_txn_audited(st, revoke_txn, &ctx,
	                    &(struct audit_event){.action = AUDIT_USER, .detail = what});
	if (rc == M_OK) {
		*held = ctx.held;
		if (authority)
			*authority = ctx.authority;
	}
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
		return st_err(st, USER_REVOKED, .name = ctx->name);
	if ((rc = st_load_epochs(st, txn)) || (rc = authority_current(st, txn)))
		return rc;
	if ((rc = user_verify(st, st->kr, ctx->name, &u)))
		return rc;
	if (ctx->grant) {
		ctx->changed = !(allowed_classes(&u) & (1u << ctx->c));
		u.flags |= USER_PROTECTED;
		if ((rc = user_sign(st, st->kr, ctx->name, &u)) ||
		    (rc = user_put(st, txn, ctx->name, &u)))
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
		return st_err(st, GRANT_BY_ROLE, .name = ctx->name, .cls = ctx->c, .role = u.role);
	u.flags &= (uint8_t)~USER_PROTECTED;
	if ((rc = user_sign(st, st->kr, ctx->name, &u)) || (rc = user_put(st, txn, ctx->name, &u)))
		return rc;
	/* As for a revocation: a rotation in flight sealed its new epoch to
	 * them, and one an all-class rotation finished must be done again. */
	if (ctx->changed && (rc = st_rotation_supersede(st, txn, ctx->c)))
		return rc;
	return st_drop_grants(st, txn, ctx->name, ctx->c, 0);
}

int store_user_grant(store *st, const char *name, enum key_class c, bool grant, bool *changed)
{
	struct named_ctx ctx = {name, c, grant, false};
	int rc;

	if (!st->kr || !keyring_is_authority(st->kr))
		return st_err(st, GRANT_ADMIN_ONLY);
	if (c != KC_PROTECTED)
		return st_err(st, GRANT_NOT_BY_NAME);
	char what[96];
	snprintf(what, sizeof what, "%s %s to %s", grant ? "grant" : "withdraw",
	         keys_class_name(c), name);
	rc = st_txn_audited(st, named_txn, &ctx,
	                    &(struct audit_event){.action = AUDIT_USER, .detail = what});
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

/* ---- check ------------------------------------------------------------------ */

/* Grants whose user record is gone: the record was deleted behind the
 * store's back (revocation deletes the grants first). Once per name. */
static int check_orphan_grants(store *st, MDB_txn *txn,
                               void (*report)(void *, uint64_t, const struct store_fault *),
                               void *rctx, size_t *broken)
{
	MDB_cursor *cur;
	MDB_val k, v, uv;
	struct store_fault f;
	char last[64] = "";
	int rc;

	if ((rc = mdb_cursor_open(txn, st->dbi[DB_GRANTS], &cur)))
		return st_mdb(st, rc, "grants");
	for (rc = mdb_cursor_get(cur, &k, &v, MDB_FIRST); rc == 0;
	     rc = mdb_cursor_get(cur, &k, &v, MDB_NEXT)) {
		const uint8_t *kp = k.mv_data;
		size_t n = k.mv_size < 6 ? 0 : k.mv_size - 6;
		char name[64];
		if (n == 0 || n >= sizeof name || kp[n] != 0) {
			st_fault(&f, st, CHECK_GRANT_MALFORMED);
			report(rctx, 0, &f);
			(*broken)++;
			continue;
		}
		memcpy(name, kp, n);
		name[n] = 0;
		if (strcmp(name, last) == 0)
			continue;
		snprintf(last, sizeof last, "%s", name);
		if (st_get(st, txn, DB_USERS, name, n, &uv) == -1 && store_user_name_valid(name)) {
			st_fault(&f, st, CHECK_GRANT_ORPHAN, .name = name);
			report(rctx, 0, &f);
			(*broken)++;
		} else if (!store_user_name_valid(name)) {
			st_fault(&f, st, CHECK_GRANT_NO_USER);
			report(rctx, 0, &f);
			(*broken)++;
		}
	}
	mdb_cursor_close(cur);
	return rc == MDB_NOTFOUND ? M_OK : st_mdb(st, rc, "grants");
}

int st_check_users(store *st, MDB_txn *txn,
                   void (*report)(void *, uint64_t, const struct store_fault *), void *rctx,
                   size_t *broken)
{
	MDB_cursor *cur;
	MDB_val k, v;
	int rc;

	/* Signatures made since this session's authority would all fail. */
	if (keyring_is_authority(st->kr) && (rc = authority_current(st, txn)))
		return rc;
	if ((rc = check_orphan_grants(st, txn, report, rctx, broken)))
		return rc;
	if ((rc = mdb_cursor_open(txn, st->dbi[DB_USERS], &cur)))
		return st_mdb(st, rc, "users");
	for (rc = mdb_cursor_get(cur, &k, &v, MDB_FIRST); rc == 0;
	     rc = mdb_cursor_get(cur, &k, &v, MDB_NEXT)) {
		struct user_rec u = {0};
		char name[64];
		/* Only an administrator can verify signatures; anyone sees a
		 * record that does not decode, or an unsigned one. */
		int bad = user_decode(st, k.mv_data, k.mv_size, &v, &u);
		if (!bad && keyring_is_authority(st->kr)) {
			memcpy(name, k.mv_data, k.mv_size);
			name[k.mv_size] = 0;
			bad = user_verify(st, st->kr, name, &u);
		}
		if (bad) {
			report(rctx, 0, &st->fault);
			(*broken)++;
		}
		keys_wipe(&u, sizeof u);
	}
	mdb_cursor_close(cur);
	st_fault_clear(st);
	return rc == MDB_NOTFOUND ? M_OK : st_mdb(st, rc, "users");
}

/* ---- the authority ------------------------------------------------------------
 *
 * The authority key boxes every grant and (through a derived key) signs
 * every user record. When an administrator is revoked, or on request, it is
 * replaced: a new keypair, a succession boxed from the old one to every
 * user, every record signed anew and every live grant boxed anew from the
 * new key, the old authority grants deleted; all in one transaction. From
 * then on nothing made with the old key authenticates to a user whose slot
 * has moved on, and each slot moves at its owner's next login. */

/* A session that unlocked before someone else's authority rotation holds
 * the old key: what it would sign or box now would not authenticate. */
static int authority_current(store *st, MDB_txn *txn)
{
	MDB_val v;
	int rc = st_get(st, txn, DB_META, "authorities", 11, &v);
	uint32_t epoch = rc == M_OK ? (uint32_t)(v.mv_size / KEYS_PK_BYTES) - 1 : 0;

	if (rc && rc != -1)
		return rc;
	if (epoch != st->authority_epoch || (st->kr && st->pin != st->authority_epoch))
		return st_err(st, AUTHORITY_ROTATED);
	return M_OK;
}

struct authority_ctx {
	uint8_t new_pk[KEYS_PK_BYTES];
	size_t users;
};

static int regrant_user(store *st, MDB_txn *txn, const char *name, const struct user_rec *u,
                        uint32_t epoch)
{
	uint8_t k[64 + 6], g[KEYS_GRANT_BYTES];
	key_classes cls = allowed_classes(u);
	int rc;

	if (keyring_succession(st->kr, epoch, u->pk, g) != KEYS_OK)
		return st_err(st, SUCCESSION_BOX);
	if ((rc = st_put(st, txn, DB_GRANTS, k, grant_key(k, name, KEYS_SUCCESSION_CLASS, epoch), g,
	                 sizeof g, 0)))
		return rc;
	/* Every live epoch the user is allowed, so that data a rotation in
	 * progress has not reached yet opens too. */
	for (unsigned c = 0; c < KC_COUNT; c++)
		for (uint32_t e = st->floor[c]; (cls & (1u << c)) && e <= st->epoch[c]; e++)
			if (keyring_has(st->kr, (enum key_class)c, e) &&
			    (rc = put_grant(st, txn, st->kr, name, c, e, u->pk)))
				return rc;
	if (u->role == ROLE_ADMIN && !(u->flags & USER_REVOKED))
		return put_grant(st, txn, st->kr, name, KEYS_AUTHORITY_CLASS, epoch, u->pk);
	return M_OK;
}

static int authority_txn(store *st, MDB_txn *txn, void *vctx)
{
	struct authority_ctx *ctx = vctx;
	struct user_copy *all = NULL;
	size_t n = 0;
	uint32_t epoch;
	uint8_t *hist = NULL;
	int rc;

	/* A retry (the map grew) starts again from the old key. */
	keyring_authority_settle(st->kr, 0);
	if ((rc = st_load_epochs(st, txn)) || (rc = authority_current(st, txn)))
		return rc;
	epoch = st->authority_epoch + 1;
	if (epoch > 255)
		return st_err(st, AUTHORITY_EXHAUSTED);
	/* Every record must say what an administrator signed before it is
	 * signed again: otherwise the rotation would bless an edit. */
	if ((rc = users_read_all(st, txn, &all, &n)))
		return rc;
	for (size_t i = 0; rc == M_OK && i < n; i++)
		rc = user_verify(st, st->kr, all[i].name, &all[i].u);
	if (rc == M_OK && keyring_authority_succeed(st->kr, ctx->new_pk) != KEYS_OK)
		rc = st_err(st, AUTHORITY_ADMIN_ONLY);
	for (size_t i = 0; rc == M_OK && i < n; i++) {
		struct user_rec *u = &all[i].u;
		if (!(u->flags & USER_REVOKED) && (rc = regrant_user(st, txn, all[i].name, u, epoch)))
			break;
		if ((rc = user_sign(st, st->kr, all[i].name, u)) ||
		    (rc = user_put(st, txn, all[i].name, u)))
			break;
	}
	/* The old authority travels in no grant any more. */
	if (rc == M_OK)
		rc = st_drop_grants(st, txn, NULL, KEYS_AUTHORITY_CLASS, epoch);
	if (rc == M_OK && !(hist = malloc(((size_t)epoch + 1) * KEYS_PK_BYTES)))
		rc = st_err(st, NOMEM);
	for (uint32_t e = 0; rc == M_OK && hist && e < epoch; e++)
		rc = st_authority_at(st, txn, e, hist + (size_t)e * KEYS_PK_BYTES);
	if (rc == M_OK && hist) {
		memcpy(hist + (size_t)epoch * KEYS_PK_BYTES, ctx->new_pk, KEYS_PK_BYTES);
		rc = st_put(st, txn, DB_META, "authorities", 11, hist,
		            ((size_t)epoch + 1) * KEYS_PK_BYTES, 0);
	}
	if (rc == M_OK)
		rc = st_put(st, txn, DB_META, "authority", 9, ctx->new_pk, KEYS_PK_BYTES, 0);
	if (rc == M_OK)
		ctx->users = n;
	free(hist);
	users_free(all, n);
	return rc;
}

int store_rotate_authority(store *st, size_t *users)
{
	struct authority_ctx ctx = {0};
	int rc;

	int lock;

	if (!st->kr || !keyring_is_authority(st->kr))
		return st_err(st, ROTATE_ADMIN_ONLY);
	/* A class rotation elsewhere would box its new grants from the key this
	 * one replaces: one at a time. */
	if ((lock = st_rotation_lock(st)) < 0)
		return st_err(st, ROTATION_RUNNING_WAIT);
	rc = st_txn_audited(st, authority_txn, &ctx,
	                    &(struct audit_event){.action = AUDIT_KEYS, .detail = "rotate authority"});
	close(lock);
	/* The old key goes for good only once the store holds the new one. */
	keyring_authority_settle(st->kr, rc == M_OK);
	if (rc == M_OK) {
		st->authority_epoch++;
		st->pin = st->authority_epoch;
		memcpy(st->authority_pk, ctx.new_pk, KEYS_PK_BYTES);
		if (users)
			*users = ctx.users;
	}
	return rc;
}

uint32_t store_authority_epoch(const store *st)
{
	return st->authority_epoch;
}
