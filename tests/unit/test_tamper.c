/* Someone who can write the store file but holds no administrator's key
 * (issue 7, findings 1, 8 and 9): planted and edited user records, cases
 * deleted behind the store's back, a wound-back case counter, orphan notes,
 * and a truncated data.mdb. Every attack is made on the raw LMDB file, as
 * such a writer would, through st_txn (store/private.h); every defence is
 * observed through the public store API.
 *
 * All values are invented and never printed. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "store/private.h"
#include "store/store.h"
#include "tests/unit/fixture.h"
#include "tests/unit/raw.h"
#include "tests/unit/open.h"

static const struct store_options opts = {0, &fixture_kdf};
static const char admin_pass[] = FIXTURE_ADMIN_PASS;
static const char kari_pass[] = "kari passphrase one";
static const char eve_pass[] = "eve chose this one";

/* users.c's layout: u8 version | u8 role | u8 flags | u8 0 | i64 created |
 * pk[32] | keyslot | (v2) authority MAC[32]. */
enum { USER_V1 = 4 + 8 + KEYS_PK_BYTES + KEYS_SLOT_BYTES, USER_V2 = USER_V1 + KEYS_MAC_BYTES,
       FLAG_PROTECTED = 4 };

static int fx_setup(void **state)
{
	struct tstore *t = calloc(1, sizeof *t);

	if (!t || ts_create(t, 0, "admin", admin_pass) != 0 ||
	    store_user_add(t->st, "kari", ROLE_CASEWORKER, kari_pass, strlen(kari_pass))) {
		if (t)
			ts_destroy(t);
		free(t);
		return -1;
	}
	*state = t;
	return 0;
}

/* ---- raw access ------------------------------------------------------------- */

static size_t count_grants_of(store *st, const char *name)
{
	char names[16][64];
	size_t n, total = 0;

	for (unsigned c = 0; c < KC_COUNT; c++) {
		for (uint32_t e = 1; e <= 3; e++) {
			assert_int_equal(store_class_holders(st, (enum key_class)c, e, names, 16, &n),
			                 M_OK);
			for (size_t i = 0; i < n; i++)
				total += strcmp(names[i], name) == 0;
		}
	}
	return total;
}

/* A version-1 user record, as the attack builds it: a lead with the
 * protected flag, and a keyslot from public values and a passphrase of the
 * attacker's choosing. */
static void plant_v1_user(store *st, const char *name, const char *pass)
{
	uint8_t rec[USER_V1] = {1, ROLE_LEAD, FLAG_PROTECTED, 0};

	assert_int_equal(keys_slot_create(pass, strlen(pass), &fixture_kdf, st->store_id, name,
	                                  st->authority_pk, rec + 12, rec + 12 + KEYS_PK_BYTES),
	                 KEYS_OK);
	raw_put(st, DB_USERS, name, strlen(name), rec, sizeof rec);
}

/* ---- finding 1: a file writer grants themselves every key ------------------- */

static void test_planted_v1_user(void **state)
{
	struct tstore *t = *state;
	uint8_t rec[512];
	size_t len = 0;
	struct reports r;
	key_classes held = 0;
	bool authority = false;

	plant_v1_user(t->st, "eve", eve_pass);

	/* The administrator's routine login signs nothing. */
	assert_int_equal(ts_as(t, "admin", admin_pass), M_OK);
	assert_true(raw_get(t->st, DB_USERS, "eve", 3, rec, sizeof rec, &len));
	assert_int_equal(len, USER_V1);

	/* The routine rotation refuses to seal a key to the planted record,
	 * and says which record it is. */
	assert_int_equal(store_rotate(t->st, KC_IDENTITY, 64, NULL, NULL), M_INTEGRITY);
	assert_non_null(strstr(store_error(t->st), "eve"));
	assert_int_equal(count_grants_of(t->st, "eve"), 0);

	/* check names it; eve's own login is refused as tampering. */
	assert_int_equal(check(t->st, &r), M_INTEGRITY);
	assert_non_null(strstr(r.all, "eve"));
	assert_int_equal(ts_as(t, "eve", eve_pass), M_INTEGRITY);

	/* The way out: revoking the record deletes it and rotates every class. */
	assert_int_equal(ts_as(t, "admin", admin_pass), M_OK);
	assert_int_equal(store_user_revoke(t->st, "eve", &held, &authority), M_OK);
	assert_int_equal(held, (1u << KC_COUNT) - 1);
	assert_true(authority);
	assert_false(raw_get(t->st, DB_USERS, "eve", 3, NULL, 0, NULL));
	assert_int_equal(store_rotate(t->st, KC_IDENTITY, 64, NULL, NULL), M_OK);
	assert_int_equal(count_grants_of(t->st, "eve"), 0);
	assert_int_equal(check(t->st, &r), M_OK);
}

/* A role or flag edited in a signed record: never signed anew. */
static void test_edited_user_not_resigned(void **state)
{
	struct tstore *t = *state;
	uint8_t rec[512];
	size_t len = 0;
	bool changed = false;
	struct reports r;

	assert_true(raw_get(t->st, DB_USERS, "kari", 4, rec, sizeof rec, &len));
	assert_int_equal(len, USER_V2);
	rec[2] |= FLAG_PROTECTED;
	raw_put(t->st, DB_USERS, "kari", 4, rec, len);

	assert_int_equal(ts_as(t, "admin", admin_pass), M_OK);
	assert_int_equal(store_user_grant(t->st, "kari", KC_PROTECTED, true, &changed),
	                 M_INTEGRITY);
	assert_int_equal(store_rotate(t->st, KC_PROTECTED, 64, NULL, NULL), M_INTEGRITY);
	assert_non_null(strstr(store_error(t->st), "kari"));
	assert_int_equal(check(t->st, &r), M_INTEGRITY);
	assert_non_null(strstr(r.all, "kari"));

	/* Raising the role instead: refused at kari's own login. */
	rec[2] &= (uint8_t)~FLAG_PROTECTED;
	rec[1] = ROLE_LEAD;
	raw_put(t->st, DB_USERS, "kari", 4, rec, len);
	assert_int_equal(ts_as(t, "kari", kari_pass), M_INTEGRITY);
}

/* A schema-3 store: its records are signed only by mappe upgrade, by an
 * administrator who is shown every record it signs; until then nobody logs
 * in. */
static int to_schema3_txn(store *st, MDB_txn *txn, void *vctx)
{
	MDB_cursor *cur;
	MDB_val k, v;
	uint8_t b[4], recs[8][USER_V1];
	char names[8][64];
	size_t n = 0;
	int rc;
	bool strip = vctx != NULL; /* strip the signatures, as schema 3 had none */

	/* Read first, write after: pointers into the table do not outlive a put. */
	assert_int_equal(mdb_cursor_open(txn, st->dbi[DB_USERS], &cur), 0);
	for (rc = mdb_cursor_get(cur, &k, &v, MDB_FIRST); strip && rc == 0;
	     rc = mdb_cursor_get(cur, &k, &v, MDB_NEXT)) {
		if (v.mv_size != USER_V2)
			continue;
		assert_true(n < 8 && k.mv_size < 64);
		memcpy(recs[n], v.mv_data, USER_V1);
		recs[n][0] = 1;
		memcpy(names[n], k.mv_data, k.mv_size);
		names[n][k.mv_size] = 0;
		n++;
	}
	mdb_cursor_close(cur);
	for (size_t i = 0; i < n; i++)
		assert_int_equal(st_put(st, txn, DB_USERS, names[i], strlen(names[i]), recs[i],
		                        USER_V1, 0),
		                 M_OK);
	MDB_val mk = {11, "next_id_mac"};
	if (strip)
		assert_int_equal(mdb_del(txn, st->dbi[DB_META], &mk, NULL), 0);
	be32(b, 3);
	return st_put(st, txn, DB_META, "schema", 6, b, 4, 0);
}

struct signed_list {
	char names[256];
};

static void on_signed(void *ctx, const char *name, enum key_role role)
{
	struct signed_list *l = ctx;
	size_t n = strlen(l->names);

	snprintf(l->names + n, sizeof l->names - n, "%s:%s ", name, keys_role_name(role));
}

static int upgrade_as(struct tstore *t, const char *user, const char *pass,
                      struct signed_list *l)
{
	int rc;

	ts_close(t);
	ts_open(t);
	store_allow_upgrade(t->st);
	if ((rc = store_unlock(t->st, user, pass, strlen(pass))))
		return rc;
	memset(l, 0, sizeof *l);
	return store_upgrade(t->st, on_signed, l);
}

static void test_schema3_upgrade(void **state)
{
	struct tstore *t = *state;
	uint8_t rec[512];
	size_t len = 0;
	struct reports r;
	struct signed_list l;

	assert_int_equal(st_txn(t->st, true, to_schema3_txn, "strip"), M_OK);

	/* Nobody logs in to it, the administrator neither, until upgraded. */
	assert_int_equal(ts_as(t, "kari", kari_pass), M_UNAVAILABLE);
	assert_non_null(strstr(store_error(t->st), "mappe upgrade"));
	assert_int_equal(ts_as(t, "admin", admin_pass), M_UNAVAILABLE);
	assert_true(raw_get(t->st, DB_USERS, "kari", 4, rec, sizeof rec, &len));
	assert_int_equal(len, USER_V1);

	/* A caseworker cannot upgrade it. */
	assert_int_equal(upgrade_as(t, "kari", kari_pass, &l), M_AUTH);

	/* The administrator's upgrade signs them, names each, in one go. */
	assert_int_equal(upgrade_as(t, "admin", admin_pass, &l), M_OK);
	assert_string_equal(l.names, "admin:admin kari:caseworker ");
	assert_true(raw_get(t->st, DB_USERS, "kari", 4, rec, sizeof rec, &len));
	assert_int_equal(len, USER_V2);
	assert_true(raw_get(t->st, DB_META, "schema", 6, rec, sizeof rec, &len));
	assert_int_equal(rd32(rec), STORE_SCHEMA);
	assert_int_equal(check(t->st, &r), M_OK);
	assert_int_equal(ts_as(t, "kari", kari_pass), M_OK);
}

/* The original attack by another road: set the schema back to 3 so that
 * the upgrade signs a planted record. */
static void test_schema_set_back(void **state)
{
	struct tstore *t = *state;
	struct signed_list l;
	uint8_t b[4];

	/* Set back with signed records still there: refused, nothing signed. */
	plant_v1_user(t->st, "eve", eve_pass);
	assert_int_equal(st_txn(t->st, true, to_schema3_txn, NULL), M_OK);
	assert_int_equal(upgrade_as(t, "admin", admin_pass, &l), M_INTEGRITY);
	assert_non_null(strstr(store_error(t->st), "schema version was edited"));
	assert_string_equal(l.names, "");

	/* Set back to 4 with the counter sealed: refused as well. */
	be32(b, 4);
	raw_put(t->st, DB_META, "schema", 6, b, 4);
	assert_int_equal(upgrade_as(t, "admin", admin_pass, &l), M_INTEGRITY);

	/* Every trace of the store's age removed: eve still has no grant from
	 * the authority to match her record, so nothing is signed. */
	assert_int_equal(st_txn(t->st, true, to_schema3_txn, "strip"), M_OK);
	assert_int_equal(upgrade_as(t, "admin", admin_pass, &l), M_INTEGRITY);
	assert_non_null(strstr(store_error(t->st), "user eve does not match the keys"));
	assert_string_equal(l.names, "");
}

/* A caseworker who can write the file strips her own record to format 1
 * with a higher role, and sets the schema back: refused. */
static void test_schema_set_back_raises_role(void **state)
{
	struct tstore *t = *state;
	struct signed_list l;
	uint8_t rec[512];
	size_t len;

	assert_int_equal(st_txn(t->st, true, to_schema3_txn, "strip"), M_OK);
	assert_true(raw_get(t->st, DB_USERS, "kari", 4, rec, sizeof rec, &len));
	rec[1] = ROLE_LEAD;
	raw_put(t->st, DB_USERS, "kari", 4, rec, len);
	assert_int_equal(upgrade_as(t, "admin", admin_pass, &l), M_INTEGRITY);
	assert_non_null(strstr(store_error(t->st), "user kari does not match the keys"));
	assert_string_equal(l.names, "");
}

/* ---- finding 8: deleted cases, a wound-back counter, orphan notes ----------- */

static void insert_cases(store *st, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		struct case_rec c;
		case_init(&c);
		assert_int_equal(case_set(&c, F_given_name, "Zqx", 3), 0);
		assert_int_equal(case_set(&c, F_family_name, "Vbn", 3), 0);
		assert_int_equal(store_case_insert(st, &c, 1, NULL), M_OK);
		case_clear(&c);
	}
}

static void delete_case_header(store *st, uint64_t id)
{
	uint8_t k[8];

	be64(k, id);
	raw_put(st, DB_CASES, k, 8, NULL, 0);
}

static void test_deleted_case(void **state)
{
	struct tstore *t = *state;
	struct reports r;

	insert_cases(t->st, 3);
	assert_int_equal(check(t->st, &r), M_OK);

	/* The middle one, then the last: both missing below the counter. */
	delete_case_header(t->st, 2);
	assert_int_equal(check(t->st, &r), M_INTEGRITY);
	assert_non_null(strstr(r.all, "[2] case 2: the case is missing"));
	delete_case_header(t->st, 3);
	assert_int_equal(check(t->st, &r), M_INTEGRITY);
	assert_non_null(strstr(r.all, "[3] case 3: the case is missing"));
}

static void test_counter_wound_back(void **state)
{
	struct tstore *t = *state;
	uint8_t b[8], saved[8];
	size_t len;
	struct reports r;
	struct case_rec c;

	insert_cases(t->st, 3);
	assert_true(raw_get(t->st, DB_META, "next_id", 7, saved, sizeof saved, &len));

	/* Wound back in the file: it no longer authenticates, and no insert
	 * goes through. */
	be64(b, 2);
	raw_put(t->st, DB_META, "next_id", 7, b, 8);
	assert_int_equal(check(t->st, &r), M_INTEGRITY);
	assert_non_null(strstr(r.all, "counter"));
	case_init(&c);
	assert_int_equal(case_set(&c, F_given_name, "New", 3), 0);
	assert_int_equal(store_case_insert(t->st, &c, 1, NULL), M_INTEGRITY);

	/* Put back, the store is whole again. */
	raw_put(t->st, DB_META, "next_id", 7, saved, 8);
	assert_int_equal(check(t->st, &r), M_OK);
	case_clear(&c);
}

static int counter_to_two_txn(store *st, MDB_txn *txn, void *vctx)
{
	(void)vctx;
	return st_counter_write(st, txn, st->kr, 2);
}

static void test_counter_never_overwrites(void **state)
{
	struct tstore *t = *state;
	struct reports r;
	struct case_rec c;

	insert_cases(t->st, 3);
	assert_int_equal(st_txn(t->st, true, counter_to_two_txn, NULL), M_OK);
	assert_int_equal(check(t->st, &r), M_INTEGRITY);
	assert_non_null(strstr(r.all, "wound back"));
	case_init(&c);
	assert_int_equal(case_set(&c, F_given_name, "New", 3), 0);
	assert_int_equal(store_case_insert(t->st, &c, 1, NULL), M_INTEGRITY);
	assert_non_null(strstr(store_error(t->st), "existing case 2"));
	case_clear(&c);
}

static void test_orphan_notes(void **state)
{
	struct tstore *t = *state;
	uint8_t k[12], v[64] = {0};
	struct reports r;

	insert_cases(t->st, 1);
	assert_int_equal(store_note_add(t->st, 1, 0, false, "visit", 5), M_OK);
	assert_int_equal(check(t->st, &r), M_OK);

	be64(k, 99);
	be32(k + 8, 0);
	raw_put(t->st, DB_NOTES, k, 12, v, sizeof v);
	assert_int_equal(check(t->st, &r), M_INTEGRITY);
	assert_non_null(strstr(r.all, "[99] case 99: journal notes without a case"));
	raw_put(t->st, DB_NOTES, k, 12, NULL, 0);

	be64(k, 1);
	be32(k + 8, 7);
	raw_put(t->st, DB_NOTES, k, 12, v, sizeof v);
	assert_int_equal(check(t->st, &r), M_INTEGRITY);
	assert_non_null(strstr(r.all, "[1] case 1: a note that the record header does not count"));
}

/* ---- finding 16: a revoked administrator's authority key ------------------ */

/* What the revoked administrator keeps: their unlocked keyring, taken from
 * their session before they are revoked, as a memory dump would. */
static keyring *steal_keyring(struct tstore *t, const char *user, const char *pass)
{
	keyring *kr;

	assert_int_equal(ts_as(t, user, pass), M_OK);
	kr = t->st->kr;
	t->st->kr = NULL;
	return kr;
}

static void user_pk(store *st, const char *name, uint8_t pk[KEYS_PK_BYTES], uint8_t *pin)
{
	uint8_t rec[512];
	size_t len = 0;

	assert_true(raw_get(st, DB_USERS, name, strlen(name), rec, sizeof rec, &len));
	assert_int_equal(len, USER_V2);
	memcpy(pk, rec + 12, KEYS_PK_BYTES);
	*pin = rec[3];
}

static void expect_case_opens(store *st)
{
	struct case_rec c;

	case_init(&c);
	assert_int_equal(store_case_get(st, 1, &c), M_OK);
	assert_non_null(c.value[F_given_name]);
	assert_memory_equal(c.value[F_given_name], "Zqx", 3);
	case_clear(&c);
}

static const char ola_pass[] = "ola passphrase one";

static void test_authority_rotation(void **state)
{
	struct tstore *t = *state;
	uint8_t pk[KEYS_PK_BYTES], g[KEYS_GRANT_BYTES], k[64], rec[512];
	key_classes held = 0;
	bool authority = false;
	size_t users = 0, len;
	uint8_t pin;
	keyring *evil;
	struct reports r;

	insert_cases(t->st, 1);
	assert_int_equal(store_user_add(t->st, "ola", ROLE_ADMIN, ola_pass, strlen(ola_pass)), M_OK);
	evil = steal_keyring(t, "ola", ola_pass);
	assert_true(keyring_is_authority(evil));

	/* Revoking an administrator replaces the authority. */
	assert_int_equal(ts_as(t, "admin", admin_pass), M_OK);
	assert_int_equal(store_user_revoke(t->st, "ola", &held, &authority), M_OK);
	assert_true(authority);
	assert_int_equal(store_rotate_authority(t->st, &users), M_OK);
	assert_int_equal(users, 3);
	assert_int_equal(check(t->st, &r), M_OK);

	/* Each slot moves to the new authority at its owner's next login. */
	user_pk(t->st, "kari", pk, &pin);
	assert_int_equal(pin, 0);
	assert_int_equal(ts_as(t, "kari", kari_pass), M_OK);
	expect_case_opens(t->st);
	user_pk(t->st, "kari", pk, &pin);
	assert_int_equal(pin, 1);
	assert_int_equal(ts_as(t, "kari", kari_pass), M_OK); /* and opens there */

	/* The old key's grant, planted for kari: refused, not taken. */
	assert_int_equal(keyring_grant(evil, KC_IDENTITY, 1, pk, g), KEYS_OK);
	memcpy(k, "kari", 4);
	k[4] = 0;
	k[5] = KC_IDENTITY;
	be32(k + 6, 1);
	assert_true(raw_get(t->st, DB_GRANTS, k, 10, rec, sizeof rec, &len));
	raw_put(t->st, DB_GRANTS, k, 10, g, sizeof g);
	assert_int_equal(ts_as(t, "kari", kari_pass), M_INTEGRITY);
	raw_put(t->st, DB_GRANTS, k, 10, rec, len);
	assert_int_equal(ts_as(t, "kari", kari_pass), M_OK);

	/* A user record signed with the old key: check refuses it. */
	assert_int_equal(ts_as(t, "admin", admin_pass), M_OK);
	{
		uint8_t b[128];
		size_t off = 0;
		assert_true(raw_get(t->st, DB_USERS, "kari", 4, rec, sizeof rec, &len));
		rec[1] = ROLE_LEAD;
		/* users.c's signed bytes: tag | store id | name | role | flags | pk */
		memcpy(b, "mappe-user-v2", 13), off = 13;
		memcpy(b + off, t->st->store_id, KEYS_STORE_ID_BYTES), off += KEYS_STORE_ID_BYTES;
		b[off++] = 4;
		memcpy(b + off, "kari", 4), off += 4;
		b[off++] = rec[1];
		b[off++] = rec[2] & 6;
		memcpy(b + off, rec + 12, KEYS_PK_BYTES), off += KEYS_PK_BYTES;
		assert_int_equal(keyring_authority_mac(evil, b, off, rec + USER_V1), KEYS_OK);
		raw_put(t->st, DB_USERS, "kari", 4, rec, len);
	}
	assert_int_equal(check(t->st, &r), M_INTEGRITY);
	assert_non_null(strstr(r.all, "kari"));
	keyring_free(evil);
}

/* The administrator who rotated, and one who did not, both carry on. */
static void test_authority_admins_follow(void **state)
{
	struct tstore *t = *state;
	size_t users = 0;
	struct reports r;

	insert_cases(t->st, 1);
	assert_int_equal(store_user_add(t->st, "ola", ROLE_ADMIN, ola_pass, strlen(ola_pass)), M_OK);
	assert_int_equal(store_rotate_authority(t->st, &users), M_OK);
	/* Still this session: it can enrol and rotate under the new key. */
	assert_int_equal(store_user_add(t->st, "per", ROLE_HEALTH, "per pass one", 12), M_OK);
	assert_int_equal(store_rotate(t->st, KC_HEALTH, 64, NULL, NULL), M_OK);
	assert_int_equal(store_rotate_authority(t->st, &users), M_OK);
	assert_int_equal(users, 4);

	/* ola is two authorities behind: follows both, holds the new one. */
	assert_int_equal(ts_as(t, "ola", ola_pass), M_OK);
	assert_true(keyring_is_authority(t->st->kr));
	assert_int_equal(check(t->st, &r), M_OK);
	expect_case_opens(t->st);
	assert_int_equal(ts_as(t, "per", "per pass one"), M_OK);
	assert_int_equal(ts_as(t, "admin", admin_pass), M_OK);
	assert_int_equal(check(t->st, &r), M_OK);

	/* A succession removed from the file: that login is refused. */
	uint8_t k[64];
	memcpy(k, "kari", 4);
	k[4] = 0;
	k[5] = KEYS_SUCCESSION_CLASS;
	be32(k + 6, 1);
	raw_put(t->st, DB_GRANTS, k, 10, NULL, 0);
	assert_int_equal(ts_as(t, "kari", kari_pass), M_INTEGRITY);
	assert_non_null(strstr(store_error(t->st), "succession"));
}

/* Review R5: an administrator's session opened before another
 * administrator's authority rotation takes every record for forged; it must
 * be told to log in again, not delete a valid record. */
static void test_stale_admin_session(void **state)
{
	struct tstore *t = *state;
	uint8_t rec[512];
	size_t len = 0, users = 0;
	key_classes held = 0;
	keyring *stale;
	struct reports r;

	assert_int_equal(store_user_add(t->st, "ola", ROLE_ADMIN, ola_pass, strlen(ola_pass)), M_OK);
	assert_int_equal(store_user_add(t->st, "per", ROLE_HEALTH, "per pass one", 12), M_OK);
	stale = steal_keyring(t, "admin", admin_pass); /* an open session */
	assert_int_equal(ts_as(t, "ola", ola_pass), M_OK);
	assert_int_equal(store_rotate_authority(t->st, &users), M_OK);

	ts_close(t);
	ts_open(t);
	t->st->kr = stale;
	t->st->epochs_changed = st_refresh_grants; /* as store_unlock sets it */
	snprintf(t->st->user, sizeof t->st->user, "admin");
	t->st->pin = 0;
	t->st->authority_epoch = 0;
	assert_int_equal(check(t->st, &r), M_CONFLICT);
	assert_non_null(strstr(store_error(t->st), "log in again"));
	assert_int_equal(store_user_revoke(t->st, "per", &held, NULL), M_CONFLICT);
	assert_true(raw_get(t->st, DB_USERS, "per", 3, rec, sizeof rec, &len));
}

/* Review R8: passwd in a session that followed an authority succession
 * (its slot is still bound to the old authority until the next login). */
static void test_passwd_after_following(void **state)
{
	struct tstore *t = *state;
	uint8_t h0[KEYS_PK_BYTES];
	size_t users = 0;
	key_classes held = 0;
	keyring *kari;

	insert_cases(t->st, 1);
	assert_int_equal(store_user_add(t->st, "ola", ROLE_ADMIN, ola_pass, strlen(ola_pass)), M_OK);
	memcpy(h0, t->st->authority_pk, KEYS_PK_BYTES);
	kari = steal_keyring(t, "kari", kari_pass); /* kari's session stays open */
	assert_int_equal(ts_as(t, "admin", admin_pass), M_OK);
	assert_int_equal(store_user_revoke(t->st, "ola", &held, NULL), M_OK);
	assert_int_equal(store_rotate_authority(t->st, &users), M_OK);
	assert_int_equal(store_rotate_classes(t->st, held, 64, NULL, NULL,
	                                      NULL),
	                 M_OK);

	/* Kari's session as it was: old epochs, old authority, pin 0. */
	ts_close(t);
	ts_open(t);
	t->st->kr = kari;
	t->st->epochs_changed = st_refresh_grants; /* as store_unlock sets it */
	snprintf(t->st->user, sizeof t->st->user, "kari");
	t->st->pin = 0;
	t->st->authority_epoch = 0;
	memcpy(t->st->authority_pk, h0, KEYS_PK_BYTES);
	for (unsigned c = 0; c < KC_COUNT; c++)
		t->st->epoch[c] = 1;
	t->st->role = ROLE_CASEWORKER;
	expect_case_opens(t->st); /* the refresh follows the succession */
	assert_int_equal(t->st->pin, 1);
	assert_int_equal(store_passwd(t->st, kari_pass, strlen(kari_pass), "kari new pass 2", 15),
	                 M_OK);
	assert_int_equal(ts_as(t, "kari", "kari new pass 2"), M_OK);
}

/* Review R4: a header planted at a far id must not make check count to it. */
static void test_check_far_case_id(void **state)
{
	struct tstore *t = *state;
	uint8_t k[8], v[64] = {0};
	struct reports r;

	insert_cases(t->st, 1);
	be64(k, (uint64_t)1 << 60);
	raw_put(t->st, DB_CASES, k, 8, v, sizeof v);
	be64(k, UINT64_MAX);
	raw_put(t->st, DB_CASES, k, 8, v, sizeof v);
	assert_int_equal(check(t->st, &r), M_INTEGRITY); /* ends, and says so */
	assert_non_null(strstr(r.all, "case ids missing in all"));
}

/* A user record deleted from the file leaves its grants: check names them. */
static void test_grants_without_user(void **state)
{
	struct tstore *t = *state;
	struct reports r;

	raw_put(t->st, DB_USERS, "kari", 4, NULL, 0);
	assert_int_equal(check(t->st, &r), M_INTEGRITY);
	assert_non_null(strstr(r.all, "key grants of user kari, who has no record"));
}

/* ---- finding 9: a truncated data.mdb -------------------------------------- */

/* Open and unlock in a child: a SIGBUS there fails the test, not the runner.
 * Exit status: the store status of the first step that failed, or 0. */
static int open_in_child(const char *dir, char *err, size_t errlen)
{
	int pfd[2], status;
	pid_t pid;

	assert_int_equal(pipe(pfd), 0);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		store *st = NULL;
		char e[512] = "";
		int rc = t_store_open(dir, &opts, &st, e, sizeof e);
		if (rc == M_OK) {
			rc = store_unlock(st, "admin", admin_pass, strlen(admin_pass));
			snprintf(e, sizeof e, "%s", store_error(st));
		}
		store_close(st);
		if (write(pfd[1], e, strlen(e)) < 0)
			_exit(99);
		_exit(rc);
	}
	close(pfd[1]);
	ssize_t n = read(pfd[0], err, errlen - 1);
	err[n > 0 ? n : 0] = 0;
	close(pfd[0]);
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_false(WIFSIGNALED(status)); /* no SIGBUS, no crash */
	return WEXITSTATUS(status);
}

static off_t file_size(const char *path)
{
	struct stat sb;

	assert_int_equal(stat(path, &sb), 0);
	return sb.st_size;
}

static void test_truncated(void **state)
{
	struct tstore *t = *state;
	char path[256], err[512];
	off_t full;

	insert_cases(t->st, 300);
	ts_close(t);
	snprintf(path, sizeof path, "%s/data.mdb", t->dir);
	full = file_size(path);
	assert_true(full > 16 * 4096);
	assert_int_equal(open_in_child(t->dir, err, sizeof err), M_OK);

	const off_t sizes[] = {full - 4096, full / 2, 3 * 4096, 8192, 4096, 100, 0};
	for (size_t i = 0; i < sizeof sizes / sizeof *sizes; i++) {
		assert_int_equal(truncate(path, sizes[i]), 0);
		assert_int_equal(open_in_child(t->dir, err, sizeof err), M_INTEGRITY);
		assert_non_null(strstr(err, "data.mdb is damaged"));
		/* Refused without writing: not re-created, not grown. */
		assert_int_equal(file_size(path), sizes[i]);
	}
}

#define FX(fn) cmocka_unit_test_setup_teardown(fn, fx_setup, fixture_store_teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
	    FX(test_planted_v1_user),   FX(test_edited_user_not_resigned),
	    FX(test_schema3_upgrade),   FX(test_schema_set_back),
	    FX(test_schema_set_back_raises_role),
	    FX(test_deleted_case),
	    FX(test_counter_wound_back), FX(test_counter_never_overwrites),
	    FX(test_orphan_notes),      FX(test_truncated),
	    FX(test_authority_rotation), FX(test_authority_admins_follow),
	    FX(test_stale_admin_session), FX(test_passwd_after_following),
	    FX(test_check_far_case_id),  FX(test_grants_without_user),
	};

	return cmocka_run_group_tests_name("tamper", tests, fixture_keys_setup, NULL);
}
