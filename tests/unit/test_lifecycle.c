/* Tests for the life of a key (security.md, "Rotation and revocation"): role
 * separation, revocation, rotation, passphrase changes, protected-by-name
 * grants and resuming an interrupted rotation.
 *
 * The store's own permission checks are not what is under test here: each
 * claim is proved on the bytes in the LMDB file with the keys/ API, as someone
 * holding a copy of the file and a user's passphrase would try it. The tables
 * are read raw through st_txn (store/private.h); record headers are read with
 * st_hdr_read in an administrator's transaction, only to learn each field's
 * write counter (its place).
 *
 * Every value here is invented. Values are compared without printing them, so
 * a failing test never writes case data to the log. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <dirent.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "store/private.h"
#include "store/store.h"
#include "tests/gen/synth.h"
#include "tests/unit/fixture.h"
#include "tests/unit/hdr5.h"
#include "tests/unit/nid.h"
#include "tests/unit/open.h"

static const struct store_options opts = {0, &fixture_kdf};
static const char admin_pass[] = FIXTURE_ADMIN_PASS;
static const char kari_pass[] = "kari passphrase one";
static const char helga_pass[] = "helga passphrase one";
static const char eve_pass[] = "eve passphrase one";
static const char ola_pass[] = "ola passphrase one";

/* users.c: u8 version | u8 role | u8 flags | u8 reserved | i64 created | pk | slot */
enum { USER_REC_BYTES = 4 + 8 + KEYS_PK_BYTES + KEYS_SLOT_BYTES + KEYS_MAC_BYTES }; /* v2: signed */

#define BIT(c) (1u << (c))

/* ---- temporary stores (tests/unit/fixture.h) ------------------------------ */

static int setup(void **state)
{
	(void)state;
	/* A child that died early must fail its test, not kill the runner. */
	signal(SIGPIPE, SIG_IGN);
	return keys_init() == KEYS_OK ? 0 : -1;
}

/* ---- invented people ------------------------------------------------------ */

struct person {
	const char *v[F_COUNT];
	char nid[12];
};

/* A value in every class that has fields. */
static void person(struct person *p, unsigned i)
{
	memset(p, 0, sizeof *p);
	make_nid(p->nid, 1 + i % 28, 1 + (i / 28) % 12, 70, 120);
	p->v[F_status] = "settled";
	p->v[F_given_name] = "Zqxlife-given";
	p->v[F_family_name] = "Zqxlife-family";
	p->v[F_birth_date] = "1970-05-06";
	p->v[F_national_id] = p->nid;
	p->v[F_phone] = "+4798765432";
	p->v[F_address] = "Qwxzgata 18\n0155 Zqxvik";
	p->v[F_address_protection] = "strictly_confidential";
	p->v[F_protected_address] = "Skjultveien 98\n9999 Zqxby";
	p->v[F_health_needs] = "Zqxlife-health-needs";
}

static void set(struct case_rec *c, enum field_id f, const char *v)
{
	assert_int_equal(case_set(c, f, v, strlen(v)), 0);
}

static uint64_t insert_person(store *st, const struct person *p)
{
	struct case_rec c;
	uint64_t id = 0;

	case_init(&c);
	for (int f = 0; f < F_COUNT; f++)
		if (p->v[f])
			set(&c, (enum field_id)f, p->v[f]);
	assert_int_equal(store_case_insert(st, &c, 1, &id), M_OK);
	case_clear(&c);
	return id;
}

/* Compare without printing the value. */
static void expect(const struct case_rec *c, enum field_id f, const char *want)
{
	assert_false(c->locked[f]);
	assert_non_null(c->value[f]);
	assert_int_equal(c->len[f], strlen(want));
	assert_true(memcmp(c->value[f], want, c->len[f]) == 0);
}

static void expect_locked(const struct case_rec *c, enum field_id f)
{
	assert_true(c->locked[f]);
	assert_null(c->value[f]);
}

static void collect(void *ctx, uint64_t id, const struct store_fault *what)
{
	size_t *n = ctx;

	(void)id;
	(void)what;
	(*n)++;
}

/* store_check passes, with every case checked and nothing reported. */
static void check_clean(store *st, size_t cases)
{
	size_t reports = 0, checked = 0;

	assert_int_equal(store_check(st, collect, &reports, &checked), M_OK);
	assert_int_equal(reports, 0);
	assert_int_equal(checked, cases);
}

/* ---- the raw tables --------------------------------------------------------- */

struct row {
	uint8_t key[80];
	size_t klen;
	uint8_t *val;
	size_t vlen;
};

struct rows {
	enum store_db db;
	struct row *r;
	size_t n, cap;
};

static void rows_free(struct rows *rs)
{
	for (size_t i = 0; i < rs->n; i++)
		free(rs->r[i].val);
	free(rs->r);
	rs->r = NULL;
	rs->n = rs->cap = 0;
}

static int rows_txn(store *st, MDB_txn *txn, void *vctx)
{
	struct rows *rs = vctx;
	MDB_cursor *cur;
	MDB_val k, v;
	int rc;

	rows_free(rs); /* st_txn may run this again */
	if ((rc = mdb_cursor_open(txn, st->dbi[rs->db], &cur)))
		return st_mdb(st, rc, "test dump");
	for (rc = mdb_cursor_get(cur, &k, &v, MDB_FIRST); rc == 0;
	     rc = mdb_cursor_get(cur, &k, &v, MDB_NEXT)) {
		struct row *r;
		if (k.mv_size > sizeof r->key) {
			mdb_cursor_close(cur);
			return M_INTEGRITY;
		}
		if (rs->n == rs->cap) {
			size_t cap = rs->cap ? rs->cap * 2 : 64;
			void *p = realloc(rs->r, cap * sizeof *rs->r);
			if (!p) {
				mdb_cursor_close(cur);
				return M_UNAVAILABLE;
			}
			rs->r = p;
			rs->cap = cap;
		}
		r = &rs->r[rs->n];
		memcpy(r->key, k.mv_data, k.mv_size);
		r->klen = k.mv_size;
		r->val = malloc(v.mv_size ? v.mv_size : 1);
		if (!r->val) {
			mdb_cursor_close(cur);
			return M_UNAVAILABLE;
		}
		memcpy(r->val, v.mv_data, v.mv_size);
		r->vlen = v.mv_size;
		rs->n++;
	}
	mdb_cursor_close(cur);
	return rc == MDB_NOTFOUND ? M_OK : st_mdb(st, rc, "test dump");
}

/* Every key and value of one table, copied out of one read transaction. */
static void rows_load(store *st, enum store_db db, struct rows *rs)
{
	memset(rs, 0, sizeof *rs);
	rs->db = db;
	assert_int_equal(st_txn(st, false, rows_txn, rs), M_OK);
}

/* Every class envelope inside the cases' values, as rows keyed
 * u64 id | u16 PLACE_CLASS(class): what the fields table held in format 4. */
static void envelopes_load(store *st, struct rows *rs)
{
	struct rows cases;

	rows_load(st, DB_CASES, &cases);
	memset(rs, 0, sizeof *rs);
	rs->db = DB_CASES;
	for (size_t i = 0; i < cases.n; i++) {
		const struct row *c = &cases.r[i];
		size_t p;

		assert_int_equal(c->val[0], HDR_FORMAT5);
		for (p = hdr5_mac_end(c->val); p < c->vlen;) {
			uint32_t n;
			size_t kl = st_len_get(c->val + p, c->vlen - p, &n);
			enum key_class ec;
			uint32_t epoch;
			struct row *r;

			assert_true(kl > 0 && p + kl + n <= c->vlen);
			assert_int_equal(keys_envelope_info(c->val + p + kl, n, &ec, &epoch), KEYS_OK);
			if (rs->n == rs->cap) {
				rs->cap = rs->cap ? rs->cap * 2 : 64;
				rs->r = realloc(rs->r, rs->cap * sizeof *rs->r);
				assert_non_null(rs->r);
			}
			r = &rs->r[rs->n++];
			memcpy(r->key, c->key, 8);
			be16(r->key + 8, PLACE_CLASS(ec));
			r->klen = 10;
			r->val = malloc(n);
			assert_non_null(r->val);
			memcpy(r->val, c->val + p + kl, n);
			r->vlen = n;
			p += kl + n;
		}
	}
	rows_free(&cases);
}

struct get {
	enum store_db db;
	const void *k;
	size_t klen;
	uint8_t *out;
	size_t cap, len;
};

static int get_txn(store *st, MDB_txn *txn, void *vctx)
{
	struct get *g = vctx;
	MDB_val v;
	int rc = st_get(st, txn, g->db, g->k, g->klen, &v);

	if (rc)
		return rc == -1 ? M_INPUT : rc;
	if (v.mv_size > g->cap)
		return M_USAGE;
	memcpy(g->out, v.mv_data, v.mv_size);
	g->len = v.mv_size;
	return M_OK;
}

/* One value, which must exist; returns its length. */
static size_t raw_get(store *st, enum store_db db, const void *k, size_t klen, void *out,
                      size_t cap)
{
	struct get g = {db, k, klen, out, cap, 0};

	assert_int_equal(st_txn(st, false, get_txn, &g), M_OK);
	return g.len;
}

struct meta_raw {
	uint8_t store_id[KEYS_STORE_ID_BYTES];
	uint8_t authority[KEYS_PK_BYTES];
};

static void meta_raw(store *st, struct meta_raw *m)
{
	assert_int_equal(raw_get(st, DB_META, "store_id", 8, m->store_id, sizeof m->store_id),
	                 KEYS_STORE_ID_BYTES);
	assert_int_equal(raw_get(st, DB_META, "authority", 9, m->authority, sizeof m->authority),
	                 KEYS_PK_BYTES);
}

struct user_raw {
	uint8_t role, flags;
	uint8_t pk[KEYS_PK_BYTES];
	uint8_t slot[KEYS_SLOT_BYTES];
};

static void user_raw(store *st, const char *name, struct user_raw *u)
{
	uint8_t b[256];

	assert_int_equal(raw_get(st, DB_USERS, name, strlen(name), b, sizeof b), USER_REC_BYTES);
	assert_int_equal(b[0], 2);
	u->role = b[1];
	u->flags = b[2];
	memcpy(u->pk, b + 12, KEYS_PK_BYTES);
	memcpy(u->slot, b + 12 + KEYS_PK_BYTES, KEYS_SLOT_BYTES);
}

/* A user's keyring built from nothing but the slot bytes and the passphrase:
 * what anyone holding a copy of the file and the passphrase can build. */
static int slot_keyring(store *st, const char *user, const struct user_raw *u, const char *pass,
                        keyring **kr)
{
	struct meta_raw m;

	meta_raw(st, &m);
	const struct keys_slot_ad ad = {m.store_id, user, u->pk, m.authority};
	*kr = NULL;
	return keyring_unlock(u->slot, &ad, pass, strlen(pass), kr);
}

/* grants: name 0x00 u8 class u32 epoch */
struct grant {
	char name[64];
	unsigned cls;
	uint32_t epoch;
	const uint8_t *g;
};

static void grant_parse(const struct row *r, struct grant *g)
{
	assert_true(r->klen >= 7 && r->klen - 6 < sizeof g->name);
	assert_int_equal(r->key[r->klen - 6], 0);
	assert_int_equal(r->vlen, KEYS_GRANT_BYTES);
	memcpy(g->name, r->key, r->klen - 6);
	g->name[r->klen - 6] = 0;
	g->cls = r->key[r->klen - 5];
	g->epoch = rd32(r->key + r->klen - 4);
	g->g = r->val;
}

/* The envelope of one field's class, copied out; returns its length. */
static size_t field_env(store *st, uint64_t id, enum field_id f, uint8_t *out, size_t cap)
{
	struct rows rs;
	size_t len = 0;

	envelopes_load(st, &rs);
	for (size_t i = 0; i < rs.n; i++)
		if (rd64(rs.r[i].key) == id &&
		    rd16(rs.r[i].key + 8) == PLACE_CLASS(field_catalogue[f].cls)) {
			assert_true(rs.r[i].vlen <= cap);
			memcpy(out, rs.r[i].val, rs.r[i].vlen);
			len = rs.r[i].vlen;
		}
	rows_free(&rs);
	assert_true(len > 0);
	return len;
}

struct hdr_get {
	uint64_t id;
	struct rec_header h;
};

static int hdr_txn(store *st, MDB_txn *txn, void *vctx)
{
	struct hdr_get *g = vctx;

	return st_hdr_read(st, txn, g->id, &g->h);
}

/* The place a field's envelope is bound to: its write counter is in the
 * record header, read (and its MAC checked) with an administrator's keys. */
static struct keys_place field_place(store *admin, uint64_t id, uint16_t number)
{
	struct hdr_get *g = calloc(1, sizeof *g);
	struct hdr_field *hf;
	struct keys_place p = {id, number, 0};

	assert_non_null(g);
	g->id = id;
	assert_int_equal(st_txn(admin, false, hdr_txn, g), M_OK);
	if (number >= PLACE_CLASS(0)) {
		assert_int_equal(g->h.format, HDR_FORMAT5);
		p.counter = g->h.slot[number & 0xff].counter;
		free(g);
		return p;
	}
	hf = st_hdr_find(&g->h, number);
	assert_non_null(hf);
	assert_true(hf->present);
	p.counter = hf->counter;
	free(g);
	return p;
}

struct entry_find {
	unsigned number;
	const uint8_t *v;
	size_t len;
};

static int entry_find_one(void *vctx, unsigned number, uint32_t item, const uint8_t *v,
                          size_t len)
{
	struct entry_find *e = vctx;

	if (item == 0 && number == e->number) {
		e->v = v;
		e->len = len;
	}
	return 0;
}

/* keys_open (or keys_open_bucket, for a class envelope) into secure scratch
 * memory; when it opens and want is given, the plaintext must be want (of a
 * class envelope: field `number`'s value inside it). */
static int try_open_field(const keyring *kr, const struct keys_place *place, const uint8_t *env,
                          size_t len, unsigned number, const char *want)
{
	uint8_t *out = keys_secure_alloc(len);
	size_t n = 0;
	int rc;

	assert_non_null(out);
	if (env[0] == 2) {
		rc = keys_open_bucket(kr, place, env, len, out, len, &n);
		if (rc == KEYS_OK && want) {
			struct entry_find e = {number, NULL, 0};
			assert_int_equal(st_class_each(out, n, entry_find_one, &e), 0);
			assert_non_null(e.v);
			assert_int_equal(e.len, strlen(want));
			assert_true(memcmp(e.v, want, e.len) == 0);
		}
	} else {
		rc = keys_open(kr, place, env, len, out, len, &n);
		if (rc == KEYS_OK && want) {
			assert_int_equal(n, strlen(want));
			assert_true(memcmp(out, want, n) == 0);
		}
	}
	keys_secure_free(out);
	return rc;
}

static int try_open(const keyring *kr, const struct keys_place *place, const uint8_t *env,
                    size_t len, const char *want)
{
	return try_open_field(kr, place, env, len, 0, want);
}

static int try_field(const keyring *kr, store *admin, uint64_t id, enum field_id f,
                     const char *want)
{
	uint8_t env[8192];
	size_t len = field_env(admin, id, f, env, sizeof env);
	const struct keys_place place = field_place(admin, id, PLACE_CLASS(field_catalogue[f].cls));

	return try_open_field(kr, &place, env, len, field_catalogue[f].number, want);
}

static unsigned popcount(key_classes c)
{
	unsigned n = 0;

	for (; c; c &= c - 1)
		n++;
	return n;
}

/* ---- 1. separation -------------------------------------------------------- */

static void test_separation(void **state)
{
	struct tstore *t = *state;
	struct case_rec c;
	struct user_raw kari, helga;
	struct rows grants;
	keyring *kr = NULL, *hk = NULL;
	uint64_t id = 0;
	unsigned own = 0, foreign_health = 0, foreign_protected = 0, foreign_authority = 0;
	const uint8_t *kari_identity = NULL;

	assert_int_equal(
	    store_user_add(t->st, "kari", ROLE_CASEWORKER, kari_pass, strlen(kari_pass)), M_OK);
	assert_int_equal(
	    store_user_add(t->st, "helga", ROLE_HEALTH, helga_pass, strlen(helga_pass)), M_OK);
	case_init(&c);
	set(&c, F_given_name, "Zqxsep-given");
	set(&c, F_health_needs, "Zqxsep-health");
	set(&c, F_protected_address, "Zqxsep-protected 1\n9999 Zqxby");
	assert_int_equal(store_case_insert(t->st, &c, 1, &id), M_OK);
	case_clear(&c);

	/* Kari's keyring from her slot alone: the initial passphrase still
	 * seals it (must-change is advisory, the slot is what it was). */
	user_raw(t->st, "kari", &kari);
	assert_int_equal(kari.role, ROLE_CASEWORKER);
	assert_int_equal(slot_keyring(t->st, "kari", &kari, kari_pass, &kr), KEYS_OK);
	assert_false(keyring_is_authority(kr));
	assert_false(keyring_has(kr, KC_RECORD, 1));

	/* Every grant in the table, whoever it is addressed to: a grant is a
	 * box to one public key, so only kari's own open. */
	rows_load(t->st, DB_GRANTS, &grants);
	for (size_t i = 0; i < grants.n; i++) {
		struct grant g;
		int rc;

		grant_parse(&grants.r[i], &g);
		rc = keyring_add_grant(kr, g.cls, g.epoch, g.g);
		if (strcmp(g.name, "kari") == 0) {
			assert_int_equal(rc, KEYS_OK);
			own++;
			if (g.cls == KC_IDENTITY)
				kari_identity = g.g;
			continue;
		}
		assert_int_equal(rc, KEYS_EAUTH);
		foreign_health += g.cls == KC_HEALTH;
		foreign_protected += g.cls == KC_PROTECTED;
		foreign_authority += g.cls == KEYS_AUTHORITY_CLASS;
	}
	/* The attempt covered what matters: helga's and the admin's health, the
	 * admin's protected and the authority key itself. */
	assert_int_equal(own, popcount(keys_role_classes(ROLE_CASEWORKER)));
	assert_int_equal(foreign_health, 2);
	assert_int_equal(foreign_protected, 1);
	assert_int_equal(foreign_authority, 1);
	for (unsigned cl = 0; cl < KC_COUNT; cl++)
		assert_int_equal(keyring_has(kr, (enum key_class)cl, 1) != 0,
		                 (keys_role_classes(ROLE_CASEWORKER) & BIT(cl)) != 0);
	assert_false(keyring_is_authority(kr));

	/* Her own grant relabelled as another class or as the authority: the
	 * class and epoch travel inside the box. */
	assert_non_null(kari_identity);
	assert_int_equal(keyring_add_grant(kr, KC_HEALTH, 1, kari_identity), KEYS_EINTEGRITY);
	assert_int_equal(keyring_add_grant(kr, KC_PROTECTED, 1, kari_identity), KEYS_EINTEGRITY);
	assert_int_equal(keyring_add_grant(kr, KC_IDENTITY, 2, kari_identity), KEYS_EINTEGRITY);
	assert_int_equal(keyring_add_grant(kr, KEYS_AUTHORITY_CLASS, 0, kari_identity),
	                 KEYS_EINTEGRITY);
	assert_false(keyring_has(kr, KC_HEALTH, 1));
	assert_false(keyring_is_authority(kr));

	/* The envelopes themselves. */
	assert_int_equal(try_field(kr, t->st, id, F_given_name, "Zqxsep-given"), KEYS_OK);
	assert_int_equal(try_field(kr, t->st, id, F_health_needs, NULL), KEYS_ELOCKED);
	assert_int_equal(try_field(kr, t->st, id, F_protected_address, NULL), KEYS_ELOCKED);
	/* The same bytes open for the administrator: the envelopes are sound
	 * and the places right, so the refusals above are the missing keys. */
	assert_int_equal(try_field(t->st->kr, t->st, id, F_health_needs, "Zqxsep-health"), KEYS_OK);
	assert_int_equal(
	    try_field(t->st->kr, t->st, id, F_protected_address, "Zqxsep-protected 1\n9999 Zqxby"),
	    KEYS_OK);

	/* Helga the other way round: health opens, protected and finance not. */
	user_raw(t->st, "helga", &helga);
	assert_int_equal(slot_keyring(t->st, "helga", &helga, helga_pass, &hk), KEYS_OK);
	for (size_t i = 0; i < grants.n; i++) {
		struct grant g;
		grant_parse(&grants.r[i], &g);
		assert_int_equal(keyring_add_grant(hk, g.cls, g.epoch, g.g) == KEYS_OK,
		                 strcmp(g.name, "helga") == 0);
	}
	assert_false(keyring_has(hk, KC_FINANCE, 1));
	assert_int_equal(try_field(hk, t->st, id, F_health_needs, "Zqxsep-health"), KEYS_OK);
	assert_int_equal(try_field(hk, t->st, id, F_given_name, "Zqxsep-given"), KEYS_OK);
	assert_int_equal(try_field(hk, t->st, id, F_protected_address, NULL), KEYS_ELOCKED);

	/* A wrong passphrase builds no keyring at all. */
	keyring *none = NULL;
	assert_int_equal(slot_keyring(t->st, "kari", &kari, helga_pass, &none), KEYS_EAUTH);
	assert_null(none);
	/* Nor does her slot under another user's name: the slot is bound to it. */
	assert_int_equal(slot_keyring(t->st, "helga", &kari, kari_pass, &none), KEYS_EAUTH);
	assert_null(none);

	keyring_free(hk);
	keyring_free(kr);
	rows_free(&grants);
}

/* ---- 2. revocation -------------------------------------------------------- */

/* Rotate every class in held, as the revoke command does next. */
static void rotate_held(store *st, key_classes held)
{
	for (unsigned cl = 0; cl < KC_COUNT; cl++)
		if (held & BIT(cl))
			assert_int_equal(store_rotate(st, (enum key_class)cl, 10, NULL, NULL),
			                 M_OK);
}

static void test_revocation(void **state)
{
	struct tstore *t = *state;
	struct person p[3];
	uint64_t ids[3];
	struct user_raw eve, after;
	struct rows grants, fields, notes, nid, cases;
	struct grant saved[16];
	size_t nsaved = 0, rotated_envs = 0;
	key_classes held = 0;
	keyring *kr = NULL;
	static const uint8_t zero[KEYS_SLOT_BYTES];
	static const char note[] = "Zqxlife note: a home visit";

	for (unsigned i = 0; i < 3; i++) {
		person(&p[i], i);
		ids[i] = insert_person(t->st, &p[i]);
	}
	assert_int_equal(store_note_add(t->st, ids[0], NOTE_HOME_VISIT, false, note, strlen(note)),
	                 M_OK);
	assert_int_equal(store_user_add(t->st, "eve", ROLE_CASEWORKER, eve_pass, strlen(eve_pass)),
	                 M_OK);

	/* What eve could walk away with: her user record and her grants. */
	user_raw(t->st, "eve", &eve);
	rows_load(t->st, DB_GRANTS, &grants);
	for (size_t i = 0; i < grants.n; i++) {
		struct grant g;
		grant_parse(&grants.r[i], &g);
		if (strcmp(g.name, "eve") == 0) {
			assert_true(nsaved < sizeof saved / sizeof *saved);
			saved[nsaved] = g;
			saved[nsaved].g = malloc(KEYS_GRANT_BYTES);
			assert_non_null(saved[nsaved].g);
			memcpy((uint8_t *)saved[nsaved].g, g.g, KEYS_GRANT_BYTES);
			assert_int_equal(g.epoch, 1);
			nsaved++;
		}
	}
	rows_free(&grants);
	assert_int_equal(nsaved, popcount(keys_role_classes(ROLE_CASEWORKER)));

	assert_int_equal(store_user_revoke(t->st, "eve", &held, NULL), M_OK);
	assert_int_equal(held, keys_role_classes(ROLE_CASEWORKER));
	rotate_held(t->st, held);

	/* The store refuses her... */
	ts_close(t);
	ts_open(t);
	assert_int_equal(ts_unlock(t, "eve", eve_pass), M_AUTH);
	assert_int_equal(ts_unlock(t, "admin", admin_pass), M_OK);
	/* ...because her slot is gone from the file, and every grant to her. */
	user_raw(t->st, "eve", &after);
	assert_true(memcmp(after.slot, zero, KEYS_SLOT_BYTES) == 0);
	rows_load(t->st, DB_GRANTS, &grants);
	for (size_t i = 0; i < grants.n; i++) {
		struct grant g;
		grant_parse(&grants.r[i], &g);
		assert_string_not_equal(g.name, "eve");
		/* The old roots of what she held are deleted for everyone. */
		if (g.cls < KC_COUNT && (held & BIT(g.cls)))
			assert_int_equal(g.epoch, 2);
	}

	/* But she kept a copy of her slot: it still opens with her passphrase
	 * (nothing can take that back)... */
	assert_int_equal(slot_keyring(t->st, "eve", &eve, eve_pass, &kr), KEYS_OK);
	/* ...and opens no grant in the table... */
	for (size_t i = 0; i < grants.n; i++) {
		struct grant g;
		grant_parse(&grants.r[i], &g);
		assert_int_not_equal(keyring_add_grant(kr, g.cls, g.epoch, g.g), KEYS_OK);
	}
	/* ...while her saved grants still give her the epoch-1 roots she had in
	 * memory anyway. */
	for (size_t i = 0; i < nsaved; i++)
		assert_int_equal(keyring_add_grant(kr, saved[i].cls, saved[i].epoch, saved[i].g),
		                 KEYS_OK);
	for (unsigned cl = 0; cl < KC_COUNT; cl++) {
		assert_int_equal(keyring_has(kr, (enum key_class)cl, 1) != 0,
		                 (held & BIT(cl)) != 0);
		assert_false(keyring_has(kr, (enum key_class)cl, 2));
	}

	/* Epoch 1 no longer protects anything: every envelope of a rotated
	 * class is under epoch 2, and none opens with what she holds. */
	envelopes_load(t->st, &fields);
	for (size_t i = 0; i < fields.n; i++) {
		const struct row *r = &fields.r[i];
		enum key_class ec;
		uint32_t epoch;

		assert_int_equal(r->klen, 10);
		assert_int_equal(keys_envelope_info(r->val, r->vlen, &ec, &epoch), KEYS_OK);
		if (!(held & BIT(ec))) {
			assert_int_equal(epoch, 1); /* health, protected: never hers, not rotated */
			continue;
		}
		assert_int_equal(epoch, 2);
		const struct keys_place place = field_place(t->st, rd64(r->key), rd16(r->key + 8));
		assert_int_equal(try_open(kr, &place, r->val, r->vlen, NULL), KEYS_ELOCKED);
		/* The administrator opens the same bytes. */
		assert_int_equal(try_open(t->st->kr, &place, r->val, r->vlen, NULL), KEYS_OK);
		rotated_envs++;
	}
	/* identity, contact, programme and finance of each of the three cases
	 * (the last two for their lists, empty or not). */
	assert_int_equal(rotated_envs, 3 * 4);
	rows_load(t->st, DB_NOTES, &notes);
	assert_int_equal(notes.n, 1);
	for (size_t i = 0; i < notes.n; i++) {
		const struct row *r = &notes.r[i];
		const struct keys_place place = {rd64(r->key), NOTE_FIELD, rd32(r->key + 8)};
		enum key_class ec;
		uint32_t epoch;

		assert_int_equal(keys_envelope_info(r->val, r->vlen, &ec, &epoch), KEYS_OK);
		assert_int_equal(ec, KC_NOTES);
		assert_int_equal(epoch, 2);
		assert_int_equal(try_open(kr, &place, r->val, r->vlen, NULL), KEYS_ELOCKED);
		assert_int_equal(try_open(t->st->kr, &place, r->val, r->vlen, NULL), KEYS_OK);
	}
	/* The record headers are MACed under record epoch 2: her old record
	 * key neither verifies them nor could forge one. */
	rows_load(t->st, DB_CASES, &cases);
	assert_int_equal(cases.n, 3);
	for (size_t i = 0; i < cases.n; i++) {
		const struct row *r = &cases.r[i];
		size_t body = hdr5_mac_end(r->val) - KEYS_MAC_BYTES;

		assert_int_equal(rd32(r->val + 6), 2);
		assert_int_equal(
		    keys_header_verify(kr, 2, rd64(r->key), r->val, body, r->val + body),
		    KEYS_ELOCKED);
		assert_int_equal(
		    keys_header_verify(kr, 1, rd64(r->key), r->val, body, r->val + body),
		    KEYS_EINTEGRITY);
		assert_int_equal(
		    keys_header_verify(t->st->kr, 2, rd64(r->key), r->val, body, r->val + body),
		    KEYS_OK);
	}
	/* The blind index moved too: her old identity key tags nothing. */
	rows_load(t->st, DB_NID, &nid);
	assert_int_equal(nid.n, 3);
	for (size_t i = 0; i < nid.n; i++)
		assert_int_equal(rd32(nid.r[i].key), 2);

	/* Everyone else lost nothing. */
	struct case_rec c;
	case_init(&c);
	for (unsigned i = 0; i < 3; i++) {
		assert_int_equal(store_case_get(t->st, ids[i], &c), M_OK);
		for (int f = 0; f < F_COUNT; f++)
			if (p[i].v[f])
				expect(&c, (enum field_id)f, p[i].v[f]);
	}
	case_clear(&c);
	check_clean(t->st, 3);
	struct store_key_status ks[KC_COUNT];
	assert_int_equal(store_key_status(t->st, ks), M_OK);
	for (unsigned cl = 0; cl < KC_COUNT; cl++) {
		assert_int_equal(ks[cl].active, held & BIT(cl) ? 2 : 1);
		assert_false(ks[cl].rotation.active);
		for (size_t u = 0; u < ks[cl].nuse; u++)
			assert_int_equal(ks[cl].use[u].epoch, ks[cl].active);
	}
	struct store_user_info *users = NULL;
	size_t nusers = 0;
	bool seen = false;
	assert_int_equal(store_user_list(t->st, &users, &nusers), M_OK);
	for (size_t i = 0; i < nusers; i++)
		if (strcmp(users[i].name, "eve") == 0) {
			seen = true;
			assert_true(users[i].revoked);
			assert_int_equal(users[i].classes, 0);
		}
	assert_true(seen);
	free(users);

	for (size_t i = 0; i < nsaved; i++)
		free((uint8_t *)saved[i].g);
	keyring_free(kr);
	rows_free(&grants);
	rows_free(&fields);
	rows_free(&notes);
	rows_free(&nid);
	rows_free(&cases);
}

/* ---- 3. rotation keeps everything readable -------------------------------- */

enum { NCASES = 50 };

struct known {
	uint64_t id[NCASES];
	char nid[NCASES][12];
	char given[NCASES][128];
};

/* The caseworker's session, in a process of its own (LMDB must not be opened
 * twice in one process): reads every case and finds each by national id.
 * 0, or which step failed. */
static unsigned char reader_check(store *st, const struct known *k)
{
	struct case_rec c;
	unsigned char rc = 0;

	case_init(&c);
	for (size_t i = 0; i < NCASES && rc == 0; i++) {
		uint64_t *ids = NULL;
		size_t n = 0;

		if (store_case_get(st, k->id[i], &c) != M_OK)
			rc = 10;
		else if (c.locked[F_given_name] || !c.value[F_given_name] ||
		         strcmp(c.value[F_given_name], k->given[i]) != 0)
			rc = 11;
		else if (store_find_national_id(st, k->nid[i], &ids, &n) != M_OK)
			rc = 12;
		else if (n != 1 || ids[0] != k->id[i])
			rc = 13;
		free(ids);
	}
	case_clear(&c);
	return rc;
}

static int child_reader(const char *dir, int cmd, int reply, const struct known *k)
{
	char err[512];
	store *st = NULL;
	char b;

	if (t_store_open(dir, &opts, &st, err, sizeof err) != M_OK)
		return 2;
	if (store_unlock(st, "ola", ola_pass, strlen(ola_pass)) != M_OK)
		return 3;
	/* Each 'r' asks for a full read, answered with one status byte. */
	while (read(cmd, &b, 1) == 1 && b == 'r') {
		unsigned char r = reader_check(st, k);
		if (write(reply, &r, 1) != 1)
			return 4;
	}
	store_close(st);
	return 0;
}

/* 255 when the reader is gone. */
static unsigned char ask_reader(int cmd, int reply)
{
	unsigned char r = 255;

	if (write(cmd, "r", 1) != 1 || read(reply, &r, 1) != 1)
		return 255;
	return r;
}

struct progress {
	unsigned calls;
	unsigned ask_at;
	int cmd, reply;
	unsigned char mid;
	struct store_rotation last;
};

static void on_progress(void *ctx, const struct store_rotation *r)
{
	struct progress *p = ctx;

	p->last = *r;
	if (++p->calls == p->ask_at)
		p->mid = ask_reader(p->cmd, p->reply);
}

static void test_rotation_readable(void **state)
{
	struct tstore *t = *state;
	struct known *k = calloc(1, sizeof *k);
	char *buf = NULL, err[512] = "";
	size_t len = 0, n = 0;
	uint64_t *ids = NULL;
	FILE *f;
	struct case_rec c;
	int cmd[2], reply[2], status;
	pid_t pid;

	assert_non_null(k);
	assert_int_equal(store_user_add(t->st, "ola", ROLE_CASEWORKER, ola_pass, strlen(ola_pass)),
	                 M_OK);
	f = open_memstream(&buf, &len);
	assert_non_null(f);
	assert_int_equal(synth_write(f, 20240607, NCASES, false, err, sizeof err), 0);
	assert_int_equal(fclose(f), 0);
	/* open_memstream keeps a NUL after the data: the len + 1 bytes import
	 * parses in place. */
	assert_int_equal(store_import(t->st, "synth.csv", buf, len, IMPORT_CSV, false, &ids, &n),
	                 M_OK);
	free(buf);
	assert_int_equal(n, NCASES);

	case_init(&c);
	for (size_t i = 0; i < NCASES; i++) {
		k->id[i] = ids[i];
		assert_int_equal(store_case_get(t->st, ids[i], &c), M_OK);
		assert_non_null(c.value[F_national_id]);
		assert_non_null(c.value[F_given_name]);
		assert_int_equal(c.len[F_national_id], 11);
		assert_true(c.len[F_given_name] < sizeof k->given[i]);
		memcpy(k->nid[i], c.value[F_national_id], 12);
		memcpy(k->given[i], c.value[F_given_name], c.len[F_given_name] + 1);
	}
	case_clear(&c);
	free(ids);

	/* The caseworker unlocks before the rotation and stays. */
	ts_close(t);
	assert_int_equal(pipe(cmd), 0);
	assert_int_equal(pipe(reply), 0);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		close(cmd[1]);
		close(reply[0]);
		_exit(child_reader(t->dir, cmd[0], reply[1], k));
	}
	close(cmd[0]);
	close(reply[1]);
	ts_open(t);
	assert_int_equal(ts_unlock(t, "admin", admin_pass), M_OK);
	assert_int_equal(ask_reader(cmd[1], reply[0]), 0);

	/* 50 cases, 7 at a time: seven full batches, one of 1, then the end;
	 * the reader reads everything while identity is half rotated. */
	struct progress pr = {0, 3, cmd[1], reply[0], 255, {0}};
	assert_int_equal(store_rotate(t->st, KC_IDENTITY, 7, on_progress, &pr), M_OK);
	assert_int_equal(pr.calls, 9);
	assert_int_equal(pr.mid, 0);
	assert_false(pr.last.active);
	assert_int_equal(pr.last.done, NCASES);
	assert_int_equal(pr.last.from, 1);
	assert_int_equal(pr.last.to, 2);

	/* Its keyring picks up epoch 2 when it sees the new epoch; the
	 * epoch-1 grants it unlocked with are deleted by now. */
	assert_int_equal(ask_reader(cmd[1], reply[0]), 0);
	close(cmd[1]);
	assert_int_equal(waitpid(pid, &status, 0), pid);
	close(reply[0]);
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 0);

	for (size_t i = 0; i < NCASES; i++) {
		assert_int_equal(store_find_national_id(t->st, k->nid[i], &ids, &n), M_OK);
		assert_int_equal(n, 1);
		assert_int_equal(ids[0], k->id[i]);
		free(ids);
	}
	check_clean(t->st, NCASES);

	struct store_key_status ks[KC_COUNT];
	assert_int_equal(store_key_status(t->st, ks), M_OK);
	assert_int_equal(ks[KC_IDENTITY].active, 2);
	assert_false(ks[KC_IDENTITY].rotation.active);
	assert_int_equal(ks[KC_IDENTITY].nuse, 1);
	assert_int_equal(ks[KC_IDENTITY].use[0].epoch, 2);
	assert_int_equal(ks[KC_IDENTITY].use[0].records, NCASES);
	for (unsigned cl = 0; cl < KC_COUNT; cl++)
		if (cl != KC_IDENTITY)
			assert_int_equal(ks[cl].active, 1);

	/* Raw: the blind index is wholly under epoch 2, one entry a case, and
	 * the epoch-1 identity root survives in no grant. */
	struct rows rs;
	rows_load(t->st, DB_NID, &rs);
	assert_int_equal(rs.n, NCASES);
	for (size_t i = 0; i < rs.n; i++) {
		assert_int_equal(rs.r[i].klen, 16);
		assert_true(rd32(rs.r[i].key) >= 2);
	}
	rows_free(&rs);
	rows_load(t->st, DB_GRANTS, &rs);
	for (size_t i = 0; i < rs.n; i++) {
		struct grant g;
		grant_parse(&rs.r[i], &g);
		if (g.cls == KC_IDENTITY)
			assert_int_equal(g.epoch, 2);
	}
	rows_free(&rs);
	envelopes_load(t->st, &rs);
	for (size_t i = 0; i < rs.n; i++) {
		enum key_class ec;
		uint32_t epoch;
		assert_int_equal(keys_envelope_info(rs.r[i].val, rs.r[i].vlen, &ec, &epoch),
		                 KEYS_OK);
		assert_int_equal(epoch, ec == KC_IDENTITY ? 2 : 1);
	}
	rows_free(&rs);
	free(k);
}

/* ---- 4. a new passphrase ---------------------------------------------------- */

static void test_passphrase_change(void **state)
{
	struct tstore *t = *state;
	static const char new_pass[] = "kari passphrase two";
	struct person p;
	struct case_rec c;
	struct user_raw before, after;
	struct rows g0, g1;
	keyring *kr = NULL;
	uint64_t id;

	person(&p, 4);
	id = insert_person(t->st, &p);
	assert_int_equal(
	    store_user_add(t->st, "kari", ROLE_CASEWORKER, kari_pass, strlen(kari_pass)), M_OK);
	user_raw(t->st, "kari", &before);
	rows_load(t->st, DB_GRANTS, &g0);

	ts_reopen_as(t, "kari", kari_pass);
	assert_true(store_must_change_passphrase(t->st));
	assert_int_equal(
	    store_passwd(t->st, kari_pass, strlen(kari_pass), new_pass, strlen(new_pass)), M_OK);
	assert_false(store_must_change_passphrase(t->st));

	ts_close(t);
	ts_open(t);
	assert_int_equal(ts_unlock(t, "kari", kari_pass), M_AUTH);
	assert_int_equal(ts_unlock(t, "kari", new_pass), M_OK);
	assert_false(store_must_change_passphrase(t->st));
	case_init(&c);
	assert_int_equal(store_case_get(t->st, id, &c), M_OK);
	expect(&c, F_given_name, p.v[F_given_name]);
	expect(&c, F_national_id, p.nid);
	expect(&c, F_phone, p.v[F_phone]);
	expect_locked(&c, F_health_needs);
	expect_locked(&c, F_protected_address);
	case_clear(&c);

	/* Only the slot was rewrapped: the same key pair, and not one grant
	 * byte changed. */
	ts_reopen_as(t, "admin", admin_pass);
	user_raw(t->st, "kari", &after);
	assert_true(memcmp(before.pk, after.pk, KEYS_PK_BYTES) == 0);
	assert_false(memcmp(before.slot, after.slot, KEYS_SLOT_BYTES) == 0);
	rows_load(t->st, DB_GRANTS, &g1);
	assert_int_equal(g0.n, g1.n);
	for (size_t i = 0; i < g0.n; i++) {
		assert_int_equal(g0.r[i].klen, g1.r[i].klen);
		assert_true(memcmp(g0.r[i].key, g1.r[i].key, g0.r[i].klen) == 0);
		assert_int_equal(g0.r[i].vlen, g1.r[i].vlen);
		assert_true(memcmp(g0.r[i].val, g1.r[i].val, g0.r[i].vlen) == 0);
	}
	/* On the bytes: the new slot opens with the new passphrase only, the
	 * old slot with the old one (a backup stays as it was). */
	assert_int_equal(slot_keyring(t->st, "kari", &after, kari_pass, &kr), KEYS_EAUTH);
	assert_int_equal(slot_keyring(t->st, "kari", &before, new_pass, &kr), KEYS_EAUTH);
	assert_int_equal(slot_keyring(t->st, "kari", &after, new_pass, &kr), KEYS_OK);
	for (size_t i = 0; i < g1.n; i++) {
		struct grant g;
		grant_parse(&g1.r[i], &g);
		assert_int_equal(keyring_add_grant(kr, g.cls, g.epoch, g.g) == KEYS_OK,
		                 strcmp(g.name, "kari") == 0);
	}
	assert_int_equal(try_field(kr, t->st, id, F_given_name, p.v[F_given_name]), KEYS_OK);
	assert_int_equal(try_field(kr, t->st, id, F_phone, p.v[F_phone]), KEYS_OK);
	assert_int_equal(try_field(kr, t->st, id, F_health_needs, NULL), KEYS_ELOCKED);
	keyring_free(kr);
	rows_free(&g0);
	rows_free(&g1);
}

/* ---- 5. protected, by name ------------------------------------------------ */

static void test_protected_by_name(void **state)
{
	struct tstore *t = *state;
	struct person p;
	struct case_rec c;
	struct user_raw kari;
	struct rows grants;
	uint8_t *saved = NULL;
	keyring *kr = NULL;
	bool changed = false;
	uint64_t id;
	unsigned protected_grants = 0;

	person(&p, 5);
	id = insert_person(t->st, &p);
	assert_int_equal(
	    store_user_add(t->st, "kari", ROLE_CASEWORKER, kari_pass, strlen(kari_pass)), M_OK);
	assert_int_equal(store_user_grant(t->st, "kari", KC_PROTECTED, true, &changed), M_OK);
	assert_true(changed);
	/* Keep the grant she now has, as she could. */
	rows_load(t->st, DB_GRANTS, &grants);
	for (size_t i = 0; i < grants.n; i++) {
		struct grant g;
		grant_parse(&grants.r[i], &g);
		if (strcmp(g.name, "kari") == 0 && g.cls == KC_PROTECTED) {
			assert_int_equal(g.epoch, 1);
			assert_null(saved);
			saved = malloc(KEYS_GRANT_BYTES);
			assert_non_null(saved);
			memcpy(saved, g.g, KEYS_GRANT_BYTES);
		}
	}
	rows_free(&grants);
	assert_non_null(saved);

	ts_reopen_as(t, "kari", kari_pass);
	assert_true(store_can_read(t->st, KC_PROTECTED));
	assert_false(store_can_read(t->st, KC_HEALTH));
	case_init(&c);
	assert_int_equal(store_case_get(t->st, id, &c), M_OK);
	expect(&c, F_protected_address, p.v[F_protected_address]);
	expect(&c, F_address_protection, p.v[F_address_protection]);
	expect_locked(&c, F_health_needs);
	case_clear(&c);

	ts_reopen_as(t, "admin", admin_pass);
	assert_int_equal(store_user_grant(t->st, "kari", KC_PROTECTED, false, &changed), M_OK);
	assert_true(changed);
	/* The withdrawal itself deletes her grant; the rotation is for the key
	 * she may have kept. */
	rows_load(t->st, DB_GRANTS, &grants);
	for (size_t i = 0; i < grants.n; i++) {
		struct grant g;
		grant_parse(&grants.r[i], &g);
		assert_false(strcmp(g.name, "kari") == 0 && g.cls == KC_PROTECTED);
	}
	rows_free(&grants);
	assert_int_equal(store_rotate(t->st, KC_PROTECTED, 10, NULL, NULL), M_OK);
	/* Withdrawing again takes nothing more away. */
	assert_int_equal(store_user_grant(t->st, "kari", KC_PROTECTED, false, &changed), M_OK);
	assert_false(changed);

	ts_reopen_as(t, "kari", kari_pass);
	assert_false(store_can_read(t->st, KC_PROTECTED));
	case_init(&c);
	assert_int_equal(store_case_get(t->st, id, &c), M_OK);
	expect_locked(&c, F_protected_address);
	expect_locked(&c, F_address_protection);
	expect(&c, F_given_name, p.v[F_given_name]);
	case_clear(&c);

	/* On the bytes: no grant in the table opens a protected root of the new
	 * epoch for her, and the one she kept is for an epoch no envelope uses. */
	ts_reopen_as(t, "admin", admin_pass);
	user_raw(t->st, "kari", &kari);
	assert_int_equal(slot_keyring(t->st, "kari", &kari, kari_pass, &kr), KEYS_OK);
	rows_load(t->st, DB_GRANTS, &grants);
	for (size_t i = 0; i < grants.n; i++) {
		struct grant g;
		int rc;

		grant_parse(&grants.r[i], &g);
		rc = keyring_add_grant(kr, g.cls, g.epoch, g.g);
		if (g.cls != KC_PROTECTED)
			continue;
		assert_int_equal(g.epoch, 2);
		assert_string_not_equal(g.name, "kari");
		assert_int_not_equal(rc, KEYS_OK);
		protected_grants++;
	}
	assert_int_equal(protected_grants, 1); /* the administrator's */
	assert_false(keyring_has(kr, KC_PROTECTED, 2));
	assert_int_equal(keyring_add_grant(kr, KC_PROTECTED, 1, saved), KEYS_OK);
	assert_int_equal(try_field(kr, t->st, id, F_protected_address, NULL), KEYS_ELOCKED);
	assert_int_equal(try_field(kr, t->st, id, F_address_protection, NULL), KEYS_ELOCKED);
	assert_int_equal(try_field(kr, t->st, id, F_given_name, p.v[F_given_name]), KEYS_OK);
	assert_int_equal(
	    try_field(t->st->kr, t->st, id, F_protected_address, p.v[F_protected_address]),
	    KEYS_OK);
	check_clean(t->st, 1);
	keyring_free(kr);
	rows_free(&grants);
	free(saved);
}

/* ---- 6. an interrupted rotation resumes ---------------------------------- */

/* After the third batch the process stops dead (no cleanup, no commit of
 * anything further), as a crash or a closed terminal would. */
static void exit_after_three(void *ctx, const struct store_rotation *r)
{
	unsigned *calls = ctx;

	(void)r;
	if (++*calls == 3)
		_exit(0);
}

static int child_rotate(const char *dir, enum key_class cls)
{
	char err[512];
	store *st = NULL;
	unsigned calls = 0;
	int rc;

	if (t_store_open(dir, &opts, &st, err, sizeof err) != M_OK)
		return 2;
	if (store_unlock(st, "admin", admin_pass, strlen(admin_pass)) != M_OK)
		return 3;
	rc = store_rotate(st, cls, 1, exit_after_three, &calls);
	/* Reaching here means it was never interrupted. */
	return 10 + rc;
}

/* Run a rotation of cls in another process and stop it after three batches.
 * The parent's environment is closed across the fork. */
static void interrupt_rotation(struct tstore *t, enum key_class cls)
{
	int status;
	pid_t pid;

	ts_close(t);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0)
		_exit(child_rotate(t->dir, cls));
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 0);
	ts_open(t);
}

enum { NRESUME = 8 };

static void test_resume(void **state)
{
	struct tstore *t = *state;
	struct person p[NRESUME];
	uint64_t ids[NRESUME];
	struct store_rotation r;
	struct store_key_status ks[KC_COUNT];
	struct case_rec c;
	struct rows rs;

	for (unsigned i = 0; i < NRESUME; i++) {
		person(&p[i], 60 + i);
		ids[i] = insert_person(t->st, &p[i]);
		assert_int_equal(ids[i], i + 1);
	}
	assert_int_equal(
	    store_user_add(t->st, "kari", ROLE_CASEWORKER, kari_pass, strlen(kari_pass)), M_OK);
	interrupt_rotation(t, KC_CONTACT);
	assert_int_equal(ts_unlock(t, "admin", admin_pass), M_OK);

	assert_int_equal(store_rotation_get(t->st, KC_CONTACT, &r), M_OK);
	assert_true(r.active);
	assert_int_equal(r.phase, 1);
	assert_int_equal(r.done, 3);
	assert_int_equal(r.from, 1);
	assert_int_equal(r.to, 2);
	assert_int_equal(r.cursor, ids[2] + 1);
	assert_int_equal(r.total, NRESUME);

	/* Half and half on disk: the first three cases under epoch 2. */
	envelopes_load(t->st, &rs);
	for (size_t i = 0; i < rs.n; i++) {
		enum key_class ec;
		uint32_t epoch;
		assert_int_equal(keys_envelope_info(rs.r[i].val, rs.r[i].vlen, &ec, &epoch),
		                 KEYS_OK);
		if (ec == KC_CONTACT)
			assert_int_equal(epoch, rd64(rs.r[i].key) <= ids[2] ? 2 : 1);
		else
			assert_int_equal(epoch, 1);
	}
	rows_free(&rs);
	/* Both epochs decrypt and check mid-rotation. */
	check_clean(t->st, NRESUME);
	assert_int_equal(store_key_status(t->st, ks), M_OK);
	assert_int_equal(ks[KC_CONTACT].active, 2);
	assert_true(ks[KC_CONTACT].rotation.active);
	assert_int_equal(ks[KC_CONTACT].nuse, 2);
	for (size_t u = 0; u < 2; u++)
		assert_int_equal(ks[KC_CONTACT].use[u].records,
		                 ks[KC_CONTACT].use[u].epoch == 2 ? 3 : NRESUME - 3);

	/* A caseworker who unlocks now reads both halves. */
	ts_reopen_as(t, "kari", kari_pass);
	case_init(&c);
	for (unsigned i = 0; i < NRESUME; i++) {
		assert_int_equal(store_case_get(t->st, ids[i], &c), M_OK);
		expect(&c, F_phone, p[i].v[F_phone]);
		expect(&c, F_address, p[i].v[F_address]);
	}
	case_clear(&c);

	/* Running it again finishes what the first run began. */
	ts_reopen_as(t, "admin", admin_pass);
	assert_int_equal(store_rotate(t->st, KC_CONTACT, 1, NULL, NULL), M_OK);
	assert_int_equal(store_rotation_get(t->st, KC_CONTACT, &r), M_OK);
	assert_false(r.active);
	assert_int_equal(store_key_status(t->st, ks), M_OK);
	assert_int_equal(ks[KC_CONTACT].active, 2);
	assert_false(ks[KC_CONTACT].rotation.active);
	assert_int_equal(ks[KC_CONTACT].nuse, 1);
	assert_int_equal(ks[KC_CONTACT].use[0].epoch, 2);
	assert_int_equal(ks[KC_CONTACT].use[0].records, NRESUME);
	check_clean(t->st, NRESUME);
	rows_load(t->st, DB_GRANTS, &rs);
	for (size_t i = 0; i < rs.n; i++) {
		struct grant g;
		grant_parse(&rs.r[i], &g);
		if (g.cls == KC_CONTACT)
			assert_int_equal(g.epoch, 2);
	}
	rows_free(&rs);
	ts_reopen_as(t, "kari", kari_pass);
	case_init(&c);
	for (unsigned i = 0; i < NRESUME; i++) {
		assert_int_equal(store_case_get(t->st, ids[i], &c), M_OK);
		expect(&c, F_phone, p[i].v[F_phone]);
	}
	case_clear(&c);
}

/* ---- edges of the same story ------------------------------------------------ */

/* store.h: "Running it again after a crash is harmless": the rerun must name
 * the same classes to rotate, protected included, or a crash between the
 * revoke and the rotations leaves the protected key the user held in use. */
static void test_revoke_rerun(void **state)
{
	struct tstore *t = *state;
	key_classes first = 0, again = 0;
	bool changed;

	assert_int_equal(store_user_add(t->st, "eve", ROLE_CASEWORKER, eve_pass, strlen(eve_pass)),
	                 M_OK);
	assert_int_equal(store_user_grant(t->st, "eve", KC_PROTECTED, true, &changed), M_OK);
	assert_int_equal(store_user_revoke(t->st, "eve", &first, NULL), M_OK);
	assert_int_equal(first, keys_role_classes(ROLE_CASEWORKER) | BIT(KC_PROTECTED));
	/* The crash: nothing rotated yet. The administrator runs it again. */
	assert_int_equal(store_user_revoke(t->st, "eve", &again, NULL), M_OK);
	/* A rerun must still know every class she held, protected included. */
	assert_int_equal(again, first);
}

/* Rotation deletes the old epoch's grants, the only copies of its root key.
 * The administrator's session that ran it still holds that key in memory; a
 * grant by name made from that session must not seal it to anyone again. */
static void test_grant_after_rotation(void **state)
{
	struct tstore *t = *state;
	struct rows grants;
	size_t stale = 0;
	bool changed;

	assert_int_equal(
	    store_user_add(t->st, "kari", ROLE_CASEWORKER, kari_pass, strlen(kari_pass)), M_OK);
	assert_int_equal(store_rotate(t->st, KC_PROTECTED, 10, NULL, NULL), M_OK);
	assert_int_equal(store_user_grant(t->st, "kari", KC_PROTECTED, true, &changed), M_OK);
	assert_true(changed);
	rows_load(t->st, DB_GRANTS, &grants);
	for (size_t i = 0; i < grants.n; i++) {
		struct grant g;
		grant_parse(&grants.r[i], &g);
		if (g.cls == KC_PROTECTED && g.epoch != 2)
			stale++;
	}
	rows_free(&grants);
	/* The retired epoch-1 root must not be sealed to anyone again. */
	assert_int_equal(stale, 0);
}

/* store.h: store_key_status's use[] lists the epochs "oldest first". Mid-
 * rotation the first cases are re-encrypted first, so a scan in id order
 * meets the new epoch before the old one. */
static void test_status_oldest_first(void **state)
{
	struct tstore *t = *state;
	struct store_key_status ks[KC_COUNT];

	for (unsigned i = 0; i < 5; i++) {
		struct person p;
		person(&p, 90 + i);
		insert_person(t->st, &p);
	}
	interrupt_rotation(t, KC_CONTACT);
	assert_int_equal(ts_unlock(t, "admin", admin_pass), M_OK);
	assert_int_equal(store_key_status(t->st, ks), M_OK);
	assert_true(ks[KC_CONTACT].rotation.active);
	assert_int_equal(ks[KC_CONTACT].nuse, 2);
	/* Oldest first, as store.h promises. */
	assert_int_equal(ks[KC_CONTACT].use[0].epoch, 1);
	assert_int_equal(ks[KC_CONTACT].use[1].epoch, 2);
}

struct put {
	enum store_db db;
	const void *k, *v;
	size_t klen, vlen;
};

static int put_txn(store *st, MDB_txn *txn, void *vctx)
{
	struct put *p = vctx;

	return st_put(st, txn, p->db, p->k, p->klen, p->v, p->vlen, 0);
}

/* After a rotation nobody holds the old epoch's key, so an envelope under it
 * cannot be opened to find out whether it belongs where it is. Put back in
 * place of its re-encrypted successor by someone with write access to the
 * file, it must still be reported, as st_open_env reports an epoch newer than
 * the active one, and not pass as merely locked. */
static void test_replay_retired_epoch(void **state)
{
	struct tstore *t = *state;
	struct person p;
	uint8_t old[8192], k[10];
	size_t len, reports = 0, checked = 0;
	struct case_rec c;
	uint64_t id;
	int rc;

	person(&p, 7);
	id = insert_person(t->st, &p);
	/* The whole case as it was: its header (record epoch 1, still live)
	 * authenticates, its contact envelope is under the retired epoch. */
	be64(k, id);
	len = raw_get(t->st, DB_CASES, k, 8, old, sizeof old);
	assert_int_equal(store_rotate(t->st, KC_CONTACT, 10, NULL, NULL), M_OK);
	struct put put = {DB_CASES, k, old, 8, len};
	assert_int_equal(st_txn(t->st, true, put_txn, &put), M_OK);

	/* A fresh session: the administrator holds contact at epoch 2 only. */
	ts_reopen_as(t, "admin", admin_pass);
	assert_true(store_can_read(t->st, KC_CONTACT));
	case_init(&c);
	rc = store_case_get(t->st, id, &c);
	bool looks_locked = rc == M_OK && c.locked[F_phone];
	case_clear(&c);
	rc = store_check(t->st, collect, &reports, &checked);
	/* Under a retired epoch is tampering, not a field merely locked. */
	assert_false(looks_locked);
	assert_int_equal(rc, M_INTEGRITY);
	assert_int_equal(reports, 1);
}

/* ---- 7. a damaged case does not stop a revocation ------------------------ */

/* The grants a user holds now, copied out: what they could walk away with. */
static size_t save_grants(store *st, const char *name, struct grant *saved, size_t cap)
{
	struct rows grants;
	size_t n = 0;

	rows_load(st, DB_GRANTS, &grants);
	for (size_t i = 0; i < grants.n; i++) {
		struct grant g;
		grant_parse(&grants.r[i], &g);
		if (strcmp(g.name, name) != 0)
			continue;
		assert_true(n < cap);
		saved[n] = g;
		saved[n].g = malloc(KEYS_GRANT_BYTES);
		assert_non_null(saved[n].g);
		memcpy((uint8_t *)saved[n].g, g.g, KEYS_GRANT_BYTES);
		n++;
	}
	rows_free(&grants);
	return n;
}

/* msg names case id as "case ID" (not a longer number). */
static bool names_case(const char *msg, uint64_t id)
{
	char want[32];
	size_t n = (size_t)snprintf(want, sizeof want, "case %llu", (unsigned long long)id);

	for (const char *p = strstr(msg, want); p; p = strstr(p + 1, want))
		if (p[n] < '0' || p[n] > '9')
			return true;
	return false;
}

static void raw_put(store *st, enum store_db db, const void *k, size_t klen, const void *v,
                    size_t vlen)
{
	struct put put = {db, k, v, klen, vlen};

	assert_int_equal(st_txn(st, true, put_txn, &put), M_OK);
}

/* A case's header as it was, to put back after a test damaged it. */
struct header_copy {
	uint8_t k[8];
	uint8_t v[4096];
	size_t len;
};

/* Flips bits of the last byte of case id's header MAC, as a writer of the
 * file could; the header as it was in *was. */
static void damage_header(store *st, uint64_t id, uint8_t flip, struct header_copy *was)
{
	uint8_t bad[sizeof was->v];

	be64(was->k, id);
	was->len = raw_get(st, DB_CASES, was->k, 8, was->v, sizeof was->v);
	memcpy(bad, was->v, was->len);
	bad[hdr5_mac_end(was->v) - 1] ^= flip;
	raw_put(st, DB_CASES, was->k, 8, bad, was->len);
}

static void restore_header(store *st, const struct header_copy *was)
{
	raw_put(st, DB_CASES, was->k, 8, was->v, was->len);
}

struct check_log {
	size_t n;
	uint64_t id[8];
};

static void log_report(void *ctx, uint64_t id, const struct store_fault *what)
{
	struct check_log *l = ctx;

	(void)what;
	if (l->n < 8)
		l->id[l->n] = id;
	l->n++;
}

enum { NDAMAGE = 5, DAMAGED = 2 /* index: case id 3 */ };

/* Every envelope of a class in held: under epoch 1 only if it is the damaged
 * case's, and then it is the only kind the revoked user's keys open; every
 * other one is under epoch 2, opens for the administrator and not for her. */
static void envelopes_after(struct tstore *t, const keyring *kr, key_classes held,
                            uint64_t damaged, size_t *rotated, size_t *kept)
{
	struct rows fields, notes;

	*rotated = *kept = 0;
	envelopes_load(t->st, &fields);
	for (size_t i = 0; i < fields.n; i++) {
		const struct row *r = &fields.r[i];
		enum key_class ec;
		uint32_t epoch;

		assert_int_equal(keys_envelope_info(r->val, r->vlen, &ec, &epoch), KEYS_OK);
		if (!(held & BIT(ec)))
			continue;
		if (rd64(r->key) == damaged) {
			assert_int_equal(epoch, 1);
			(*kept)++;
			continue;
		}
		assert_int_equal(epoch, 2);
		const struct keys_place place = field_place(t->st, rd64(r->key), rd16(r->key + 8));
		assert_int_equal(try_open(kr, &place, r->val, r->vlen, NULL), KEYS_ELOCKED);
		assert_int_equal(try_open(t->st->kr, &place, r->val, r->vlen, NULL), KEYS_OK);
		(*rotated)++;
	}
	rows_load(t->st, DB_NOTES, &notes);
	for (size_t i = 0; i < notes.n; i++) {
		const struct row *r = &notes.r[i];
		const struct keys_place place = {rd64(r->key), NOTE_FIELD, rd32(r->key + 8)};
		enum key_class ec;
		uint32_t epoch;

		assert_int_equal(keys_envelope_info(r->val, r->vlen, &ec, &epoch), KEYS_OK);
		if (rd64(r->key) == damaged) {
			assert_int_equal(epoch, 1);
			(*kept)++;
			continue;
		}
		assert_int_equal(epoch, 2);
		assert_int_equal(try_open(kr, &place, r->val, r->vlen, NULL), KEYS_ELOCKED);
		assert_int_equal(try_open(t->st->kr, &place, r->val, r->vlen, NULL), KEYS_OK);
		(*rotated)++;
	}
	rows_free(&fields);
	rows_free(&notes);
}

/* Rotate each class of held once; the classes that came back M_INTEGRITY,
 * each naming the damaged case. */
static key_classes rotate_each(store *st, key_classes held, uint64_t damaged)
{
	key_classes back = 0;

	for (unsigned cl = 0; cl < KC_COUNT; cl++) {
		if (!(held & BIT(cl)))
			continue;
		int rc = store_rotate(st, (enum key_class)cl, 2, NULL, NULL);
		if (rc == M_OK)
			continue;
		assert_int_equal(rc, M_INTEGRITY);
		assert_true(names_case(store_error(st), damaged));
		back |= BIT(cl);
	}
	return back;
}

/* One flipped byte in one case's header MAC (a disk error, or someone with
 * write access to the file) must not keep a revoked user's keys working:
 * every other case moves to the new epoch, every new write is under keys she
 * never held, the damaged case is named, and once it is repaired the same
 * command finishes the rotation and deletes the old keys. */
static void test_rotation_damaged_case(void **state)
{
	struct tstore *t = *state;
	struct person p[NDAMAGE];
	uint64_t ids[NDAMAGE], damaged, fresh = 0;
	struct grant saved[16];
	struct user_raw eve;
	struct rows rs;
	struct case_rec c;
	struct check_log log = {0};
	struct store_key_status ks[KC_COUNT];
	struct header_copy was;
	size_t nsaved, rotated, kept, checked = 0;
	key_classes held = 0, back;
	keyring *kr = NULL;
	static const char note[] = "Zqxlife note: a phone call";
	/* Programme and finance too: every case has their envelopes (the
	 * lists: placements, deductions), empty or not, from its insert on. */
	const key_classes expect_back = BIT(KC_RECORD) | BIT(KC_IDENTITY) | BIT(KC_CONTACT) |
	                                BIT(KC_PROGRAMME) | BIT(KC_FINANCE) | BIT(KC_NOTES);

	for (unsigned i = 0; i < NDAMAGE; i++) {
		person(&p[i], 30 + i);
		ids[i] = insert_person(t->st, &p[i]);
		assert_int_equal(
		    store_note_add(t->st, ids[i], NOTE_PHONE, false, note, strlen(note)), M_OK);
	}
	damaged = ids[DAMAGED];
	assert_int_equal(store_user_add(t->st, "eve", ROLE_CASEWORKER, eve_pass, strlen(eve_pass)),
	                 M_OK);
	/* Her keys as she had them in memory before the revocation. */
	nsaved = save_grants(t->st, "eve", saved, 16);
	assert_int_equal(nsaved, popcount(keys_role_classes(ROLE_CASEWORKER)));
	user_raw(t->st, "eve", &eve);
	assert_int_equal(slot_keyring(t->st, "eve", &eve, eve_pass, &kr), KEYS_OK);
	for (size_t i = 0; i < nsaved; i++)
		assert_int_equal(keyring_add_grant(kr, saved[i].cls, saved[i].epoch, saved[i].g),
		                 KEYS_OK);

	damage_header(t->st, damaged, 0x01, &was);

	assert_int_equal(store_user_revoke(t->st, "eve", &held, NULL), M_OK);
	back = rotate_each(t->st, held, damaged);
	/* Held back: the classes with something of the damaged case under
	 * epoch 1 (its header, names, phone, its programme envelope, note);
	 * finance, where it has nothing, finishes. */
	assert_int_equal(back, expect_back);

	assert_int_equal(store_key_status(t->st, ks), M_OK);
	for (unsigned cl = 0; cl < KC_COUNT; cl++) {
		/* New writes use epoch 2 in every class she held. */
		assert_int_equal(ks[cl].active, held & BIT(cl) ? 2 : 1);
		assert_int_equal(ks[cl].rotation.active, (back & BIT(cl)) != 0);
	}
	envelopes_after(t, kr, held, damaged, &rotated, &kept);
	/* 4 good cases: the identity, contact, programme and finance
	 * envelopes and a note each. */
	assert_int_equal(rotated, (NDAMAGE - 1) * 5);
	assert_int_equal(kept, 5);
	rows_load(t->st, DB_CASES, &rs);
	for (size_t i = 0; i < rs.n; i++)
		assert_int_equal(rd32(rs.r[i].val + 6), rd64(rs.r[i].key) == damaged ? 1 : 2);
	rows_free(&rs);

	/* The store works on: reads, look-ups, new cases, edits, notes; and
	 * what is written now is under keys she never held. */
	case_init(&c);
	for (unsigned i = 0; i < NDAMAGE; i++) {
		uint64_t *found = NULL;
		size_t n = 0;
		if (i == DAMAGED) {
			assert_int_equal(store_case_get(t->st, ids[i], &c), M_INTEGRITY);
			continue;
		}
		assert_int_equal(store_case_get(t->st, ids[i], &c), M_OK);
		for (int f = 0; f < F_COUNT; f++)
			if (p[i].v[f])
				expect(&c, (enum field_id)f, p[i].v[f]);
		assert_int_equal(store_find_national_id(t->st, p[i].nid, &found, &n), M_OK);
		assert_int_equal(n, 1);
		assert_int_equal(found[0], ids[i]);
		free(found);
	}
	set(&c, F_phone, "+4791234567");
	assert_int_equal(store_case_update(t->st, &c, 0), M_OK);
	case_clear(&c);
	struct person np;
	person(&np, 40);
	fresh = insert_person(t->st, &np);
	assert_int_equal(store_note_add(t->st, ids[0], NOTE_OTHER, false, note, strlen(note)),
	                 M_OK);
	envelopes_after(t, kr, held, damaged, &rotated, &kept);
	assert_int_equal(rotated, (NDAMAGE - 1) * 5 + 4 + 1); /* + a new case, a note */
	assert_int_equal(kept, 5);
	rows_load(t->st, DB_CASES, &rs);
	for (size_t i = 0; i < rs.n; i++) {
		const struct row *r = &rs.r[i];
		size_t body = hdr5_mac_end(r->val) - KEYS_MAC_BYTES;
		if (rd64(r->key) == damaged)
			continue;
		assert_int_equal(rd32(r->val + 6), 2);
		assert_int_not_equal(
		    keys_header_verify(kr, 2, rd64(r->key), r->val, body, r->val + body), KEYS_OK);
	}
	rows_free(&rs);
	/* check names the damaged case, and only it. */
	assert_int_equal(store_check(t->st, log_report, &log, &checked), M_INTEGRITY);
	assert_int_equal(log.n, 1);
	assert_int_equal(log.id[0], damaged);
	assert_int_equal(checked, NDAMAGE + 1);

	/* Again, unrepaired: the same report, and no new epoch. */
	assert_int_equal(rotate_each(t->st, back, damaged), expect_back);
	assert_int_equal(store_key_status(t->st, ks), M_OK);
	for (unsigned cl = 0; cl < KC_COUNT; cl++)
		assert_int_equal(ks[cl].active, held & BIT(cl) ? 2 : 1);

	/* Repaired (the header as it was): the same command finishes, and the
	 * old keys are deleted. */
	restore_header(t->st, &was);
	assert_int_equal(rotate_each(t->st, back, damaged), 0);
	assert_int_equal(store_key_status(t->st, ks), M_OK);
	for (unsigned cl = 0; cl < KC_COUNT; cl++) {
		assert_int_equal(ks[cl].active, held & BIT(cl) ? 2 : 1);
		assert_false(ks[cl].rotation.active);
		if (held & BIT(cl))
			assert_int_equal(ks[cl].nuse, 1);
	}
	envelopes_after(t, kr, held, 0, &rotated, &kept);
	assert_int_equal(rotated, NDAMAGE * 5 + 4 + 1);
	assert_int_equal(kept, 0);
	rows_load(t->st, DB_GRANTS, &rs);
	for (size_t i = 0; i < rs.n; i++) {
		struct grant g;
		grant_parse(&rs.r[i], &g);
		if (g.cls < KC_COUNT && (held & BIT(g.cls)))
			assert_int_equal(g.epoch, 2);
	}
	rows_free(&rs);
	case_init(&c);
	assert_int_equal(store_case_get(t->st, damaged, &c), M_OK);
	for (int f = 0; f < F_COUNT; f++)
		if (p[DAMAGED].v[f])
			expect(&c, (enum field_id)f, p[DAMAGED].v[f]);
	assert_int_equal(store_case_get(t->st, fresh, &c), M_OK);
	expect(&c, F_national_id, np.nid);
	case_clear(&c);
	check_clean(t->st, NDAMAGE + 1);

	for (size_t i = 0; i < nsaved; i++)
		free((uint8_t *)saved[i].g);
	keyring_free(kr);
}

/* Killed mid-way with a damaged case behind the cursor: the rerun resumes,
 * still names it, and finishes once it is repaired. */
static void test_rotation_damaged_interrupted(void **state)
{
	struct tstore *t = *state;
	uint64_t ids[NRESUME];
	struct header_copy was;
	struct store_rotation r;
	struct rows rs;

	for (unsigned i = 0; i < NRESUME; i++) {
		struct person p;
		person(&p, 100 + i);
		ids[i] = insert_person(t->st, &p);
	}
	damage_header(t->st, ids[1], 0x04, &was);

	interrupt_rotation(t, KC_CONTACT); /* three batches of one: cases 1 to 3 */
	assert_int_equal(ts_unlock(t, "admin", admin_pass), M_OK);
	assert_int_equal(store_rotation_get(t->st, KC_CONTACT, &r), M_OK);
	assert_true(r.active);
	assert_int_equal(r.phase, 1);
	assert_int_equal(r.cursor, ids[2] + 1);

	assert_int_equal(store_rotate(t->st, KC_CONTACT, 1, NULL, NULL), M_INTEGRITY);
	assert_true(names_case(store_error(t->st), ids[1]));
	assert_int_equal(store_rotation_get(t->st, KC_CONTACT, &r), M_OK);
	assert_true(r.active);
	assert_int_equal(r.phase, 3);
	assert_int_equal(r.to, 2);
	envelopes_load(t->st, &rs);
	for (size_t i = 0; i < rs.n; i++) {
		enum key_class ec;
		uint32_t epoch;
		assert_int_equal(keys_envelope_info(rs.r[i].val, rs.r[i].vlen, &ec, &epoch),
		                 KEYS_OK);
		if (ec == KC_CONTACT)
			assert_int_equal(epoch, rd64(rs.r[i].key) == ids[1] ? 1 : 2);
	}
	rows_free(&rs);

	restore_header(t->st, &was);
	assert_int_equal(store_rotate(t->st, KC_CONTACT, 1, NULL, NULL), M_OK);
	assert_int_equal(store_rotation_get(t->st, KC_CONTACT, &r), M_OK);
	assert_false(r.active);
	check_clean(t->st, NRESUME);
}

/* ---- 8. an all-class rotation resumes where it stopped ------------------- */

#define ALL_CLASSES ((key_classes)(BIT(KC_COUNT) - 1))

/* Dies in the second batch of class *ctx: the classes before it are
 * finished. */
static void exit_in_class(void *ctx, const struct store_rotation *r)
{
	if (r->cls == *(const enum key_class *)ctx && !r->active)
		_exit(0);
}

static void interrupt_all(struct tstore *t, enum key_class at)
{
	int status;
	pid_t pid;

	ts_close(t);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		char err[512];
		store *st = NULL;
		if (t_store_open(t->dir, &opts, &st, err, sizeof err) != M_OK ||
		    store_unlock(st, "admin", admin_pass, strlen(admin_pass)) != M_OK)
			_exit(2);
		_exit(10 + store_rotate_classes(st, ALL_CLASSES, 1, exit_in_class, NULL, &at));
	}
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 0);
	ts_open(t);
	assert_int_equal(ts_unlock(t, "admin", admin_pass), M_OK);
}

static void expect_epochs(store *st, const uint32_t want[KC_COUNT])
{
	struct store_key_status ks[KC_COUNT];

	assert_int_equal(store_key_status(st, ks), M_OK);
	for (unsigned cl = 0; cl < KC_COUNT; cl++)
		assert_int_equal(ks[cl].active, want[cl]);
}

static bool plan_left(store *st)
{
	uint8_t b[64];
	struct get g = {DB_META, "rotplan", 7, b, sizeof b, 0};

	return st_txn(st, false, get_txn, &g) == M_OK;
}

static void test_rotate_classes_resume(void **state)
{
	struct tstore *t = *state;
	uint32_t want[KC_COUNT];
	struct store_key_status ks[KC_COUNT];

	for (unsigned i = 0; i < 5; i++) {
		struct person p;
		person(&p, 50 + i);
		insert_person(t->st, &p);
	}
	interrupt_all(t, KC_CONTACT);
	/* One pass began every class and re-encrypted every case; killed
	 * once record, identity and contact were proved unused and finished. */
	assert_int_equal(store_key_status(t->st, ks), M_OK);
	for (unsigned cl = 0; cl < KC_COUNT; cl++) {
		assert_int_equal(ks[cl].active, 2);
		assert_int_equal(ks[cl].rotation.active, cl > KC_CONTACT);
	}
	assert_true(plan_left(t->st));

	/* The same call again: the rest finish, and record, identity and
	 * contact, finished, stay at epoch 2. */
	assert_int_equal(store_rotate_classes(t->st, ALL_CLASSES, 1, NULL, NULL, NULL), M_OK);
	for (unsigned cl = 0; cl < KC_COUNT; cl++)
		want[cl] = 2;
	expect_epochs(t->st, want);
	assert_false(plan_left(t->st));
	check_clean(t->st, 5);

	/* Finished, the next routine rotation is a new one. */
	assert_int_equal(store_rotate_classes(t->st, ALL_CLASSES, 10, NULL, NULL, NULL), M_OK);
	for (unsigned cl = 0; cl < KC_COUNT; cl++)
		want[cl] = 3;
	expect_epochs(t->st, want);
	assert_false(plan_left(t->st));
}

/* A class the interrupted rotation finished was sealed to a user revoked
 * since: resuming must rotate it again, not skip it. */
static void test_rotate_classes_revoke_between(void **state)
{
	struct tstore *t = *state;
	uint32_t want[KC_COUNT];
	key_classes held = 0;

	for (unsigned i = 0; i < 5; i++) {
		struct person p;
		person(&p, 60 + i);
		insert_person(t->st, &p);
	}
	assert_int_equal(store_user_add(t->st, "eve", ROLE_CASEWORKER, eve_pass, strlen(eve_pass)),
	                 M_OK);
	interrupt_all(t, KC_CONTACT);
	assert_int_equal(store_user_revoke(t->st, "eve", &held, NULL), M_OK);
	assert_true(held & BIT(KC_RECORD));
	assert_int_equal(store_rotate_classes(t->st, ALL_CLASSES, 3, NULL, NULL, NULL), M_OK);
	/* Every class she held at 2 goes on to 3: the finished ones (record,
	 * identity, contact) again, the ones in flight superseded. */
	for (unsigned cl = 0; cl < KC_COUNT; cl++)
		want[cl] = held & BIT(cl) ? 3 : 2;
	expect_epochs(t->st, want);
	assert_false(plan_left(t->st));
	check_clean(t->st, 5);
}

/* The same for a withdrawal of protected by name. */
static void test_rotate_classes_ungrant_between(void **state)
{
	struct tstore *t = *state;
	uint32_t want[KC_COUNT];
	bool changed;

	for (unsigned i = 0; i < 5; i++) {
		struct person p;
		person(&p, 80 + i);
		insert_person(t->st, &p);
	}
	assert_int_equal(
	    store_user_add(t->st, "kari", ROLE_CASEWORKER, kari_pass, strlen(kari_pass)), M_OK);
	assert_int_equal(store_user_grant(t->st, "kari", KC_PROTECTED, true, &changed), M_OK);
	interrupt_all(t, KC_NOTES);
	assert_int_equal(store_user_grant(t->st, "kari", KC_PROTECTED, false, &changed), M_OK);
	assert_true(changed);
	assert_int_equal(store_rotate_classes(t->st, ALL_CLASSES, 3, NULL, NULL, NULL), M_OK);
	for (unsigned cl = 0; cl < KC_COUNT; cl++)
		want[cl] = cl == KC_PROTECTED ? 3 : 2; /* she held protected at 2 */
	expect_epochs(t->st, want);
	assert_false(plan_left(t->st));
}

struct damaged_log {
	key_classes classes;
	uint64_t id;
	bool all_named; /* every message names the case */
};

static void on_damaged(void *ctx, enum key_class c, const struct store_fault *why)
{
	struct damaged_log *l = ctx;
	char msg[512];

	store_fault_format(why, NULL, msg, sizeof msg);
	l->classes |= BIT(c);
	l->all_named = l->all_named && names_case(msg, l->id);
}

/* The same through store_rotate_classes, as keys rotate runs it: the held
 * back classes are reported and the others done; again, only they are
 * retried; repaired, it finishes with no class rotated twice. */
static void test_rotate_classes_damaged(void **state)
{
	struct tstore *t = *state;
	uint64_t ids[4];
	uint32_t want[KC_COUNT];
	struct header_copy was;
	const key_classes expect_back = BIT(KC_RECORD) | BIT(KC_IDENTITY) | BIT(KC_CONTACT) |
	                                BIT(KC_PROGRAMME) | BIT(KC_FINANCE) | BIT(KC_HEALTH) |
	                                BIT(KC_PROTECTED);

	for (unsigned i = 0; i < 4; i++) {
		struct person p;
		person(&p, 70 + i);
		ids[i] = insert_person(t->st, &p);
	}
	damage_header(t->st, ids[1], 0x80, &was);
	for (unsigned cl = 0; cl < KC_COUNT; cl++)
		want[cl] = 2;

	for (int round = 0; round < 2; round++) {
		struct damaged_log log = {0, ids[1], true};
		assert_int_equal(
		    store_rotate_classes(t->st, ALL_CLASSES, 2, NULL, on_damaged, &log),
		    M_INTEGRITY);
		assert_int_equal(log.classes, expect_back);
		assert_true(log.all_named);
		expect_epochs(t->st, want);
		assert_true(plan_left(t->st));
	}
	restore_header(t->st, &was);
	struct damaged_log none = {0, ids[1], true};
	assert_int_equal(store_rotate_classes(t->st, ALL_CLASSES, 2, NULL, on_damaged, &none),
	                 M_OK);
	assert_int_equal(none.classes, 0);
	expect_epochs(t->st, want);
	assert_false(plan_left(t->st));
	check_clean(t->st, 4);
}

#define FX(fn) cmocka_unit_test_setup_teardown(fn, fixture_store_setup, fixture_store_teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
	    FX(test_separation),          FX(test_revocation),
	    FX(test_rotation_readable),   FX(test_passphrase_change),
	    FX(test_protected_by_name),   FX(test_resume),
	    FX(test_revoke_rerun),        FX(test_grant_after_rotation),
	    FX(test_status_oldest_first), FX(test_replay_retired_epoch),
	    FX(test_rotation_damaged_case),
	    FX(test_rotation_damaged_interrupted),
	    FX(test_rotate_classes_resume),
	    FX(test_rotate_classes_revoke_between),
	    FX(test_rotate_classes_ungrant_between),
	    FX(test_rotate_classes_damaged),
	};

	return cmocka_run_group_tests_name("lifecycle", tests, setup, NULL);
}
