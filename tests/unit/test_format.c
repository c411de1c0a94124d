/* Store format 5 on the raw file (issue 8): what a holder of a copy of
 * data.mdb sees, and what a save touches. One envelope per class inside the
 * case, its fields' presence inside the ciphertext, sizes rounded to
 * buckets; a save rewrites only the classes it changed; a placeholder for a
 * class its writer could not seal; entries a later catalogue adds (and list
 * items) carried through a save.
 *
 * All values are invented and never printed. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store/private.h"
#include "store/store.h"
#include "tests/unit/fixture.h"
#include "tests/unit/hdr5.h"

static const char admin_pass[] = "admin passphrase one";
static const char kari_pass[] = "kari passphrase one";
static const char helga_pass[] = "helga passphrase one";

static int setup(void **state)
{
	(void)state;
	return keys_init() == KEYS_OK ? 0 : -1;
}

/* ---- the raw tables ------------------------------------------------------------ */

struct shape {
	unsigned db;
	size_t klen, vlen;
};

struct dump {
	struct shape *s;
	size_t n, cap;
	uint8_t *val[64]; /* the values of the cases table, by case id - 1 */
	size_t vlen[64];
};

static void dump_free(struct dump *d)
{
	for (size_t i = 0; i < 64; i++)
		free(d->val[i]);
	free(d->s);
	memset(d, 0, sizeof *d);
}

static int dump_txn(store *st, MDB_txn *txn, void *vctx)
{
	struct dump *d = vctx;

	dump_free(d);
	for (unsigned db = 0; db < DB_COUNT; db++) {
		MDB_cursor *cur;
		MDB_val k, v;
		int rc;
		if (mdb_cursor_open(txn, st->dbi[db], &cur))
			return M_UNAVAILABLE;
		for (rc = mdb_cursor_get(cur, &k, &v, MDB_FIRST); rc == 0;
		     rc = mdb_cursor_get(cur, &k, &v, MDB_NEXT)) {
			if (d->n == d->cap) {
				d->cap = d->cap ? d->cap * 2 : 64;
				d->s = realloc(d->s, d->cap * sizeof *d->s);
				assert_non_null(d->s);
			}
			d->s[d->n++] = (struct shape){db, k.mv_size, v.mv_size};
			if (db == DB_CASES && k.mv_size == 8 && rd64(k.mv_data) - 1 < 64) {
				uint64_t i = rd64(k.mv_data) - 1;
				d->val[i] = malloc(v.mv_size);
				assert_non_null(d->val[i]);
				memcpy(d->val[i], v.mv_data, v.mv_size);
				d->vlen[i] = v.mv_size;
			}
		}
		mdb_cursor_close(cur);
	}
	return M_OK;
}

static void dump(store *st, struct dump *d)
{
	memset(d, 0, sizeof *d);
	assert_int_equal(st_txn(st, false, dump_txn, d), M_OK);
}

static int by_shape(const void *a, const void *b)
{
	const struct shape *x = a, *y = b;

	if (x->db != y->db)
		return x->db < y->db ? -1 : 1;
	if (x->klen != y->klen)
		return x->klen < y->klen ? -1 : 1;
	return (x->vlen > y->vlen) - (x->vlen < y->vlen);
}

/* The same multiset of (table, key length, value length), in one table or
 * in all (db = DB_COUNT). */
static bool same_shape(struct dump *a, struct dump *b, unsigned db)
{
	size_t i = 0, j = 0;

	qsort(a->s, a->n, sizeof *a->s, by_shape);
	qsort(b->s, b->n, sizeof *b->s, by_shape);
	for (;;) {
		while (i < a->n && db != DB_COUNT && a->s[i].db != db)
			i++;
		while (j < b->n && db != DB_COUNT && b->s[j].db != db)
			j++;
		if (i == a->n || j == b->n)
			return i == a->n && j == b->n;
		if (by_shape(&a->s[i], &b->s[j]) != 0) {
			printf("# table %u: key %zu value %zu against key %zu value %zu\n",
			       a->s[i].db, a->s[i].klen, a->s[i].vlen, b->s[j].klen, b->s[j].vlen);
			return false;
		}
		i++, j++;
	}
}

/* Class c's envelope inside a case value: *len bytes at the result. */
static const uint8_t *class_env(const uint8_t *v, size_t vlen, enum key_class c, size_t *len)
{
	uint32_t n = 0;
	size_t k = 0, at = hdr5_class_at(v, vlen, c, &n, &k);

	*len = n;
	return v + at + k;
}

static void set(struct case_rec *c, enum field_id f, const char *v)
{
	assert_int_equal(case_set(c, f, v, strlen(v)), 0);
}

/* The same person, with or without what the protected and health classes
 * hold. */
static void person(struct case_rec *c, bool sensitive)
{
	case_init(c);
	set(c, F_given_name, "Zqxa");
	set(c, F_family_name, "Zqxformat");
	set(c, F_birth_date, "1990-02-03");
	set(c, F_national_id, "03029012345");
	set(c, F_phone, "+4791234567");
	set(c, F_address, "Zqxveien 1\n0123 Zqxby");
	if (sensitive) {
		set(c, F_address_protection, "strictly_confidential");
		set(c, F_protected_address, "Zqxskjult 9\n9999 Zqxsted");
		set(c, F_tb_screening, "2024-01-02");
		set(c, F_health_needs, "Zqx astma og allergi");
	}
}

static void one_case_store(struct tstore *t, bool sensitive, const char *by, const char *pass)
{
	struct case_rec c;
	uint64_t id;

	assert_int_equal(ts_create(t, 0, "admin", admin_pass), 0);
	assert_int_equal(
	    store_user_add(t->st, "karin", ROLE_CASEWORKER, kari_pass, strlen(kari_pass)), M_OK);
	if (by)
		ts_reopen_as(t, by, pass);
	person(&c, sensitive);
	assert_int_equal(store_case_insert(t->st, &c, 1, &id), M_OK);
	assert_int_equal(id, 1);
	case_clear(&c);
}

static void no_report(void *ctx, uint64_t id, const struct store_fault *what)
{
	(void)ctx;
	fail_msg("check: case %llu: %s", (unsigned long long)id,
	         store_code_message(what->code));
}

/* ---- what the file shows ---------------------------------------------------------- */

/* Two single-case stores, one whose case has a protected address and
 * health data and one without: every table holds the same number of
 * entries of the same key and value lengths. */
static void test_presence_not_in_file(void **state)
{
	struct tstore a, b;
	struct dump da, db;

	(void)state;
	one_case_store(&a, true, NULL, NULL);
	one_case_store(&b, false, NULL, NULL);
	dump(a.st, &da);
	dump(b.st, &db);
	assert_true(same_shape(&da, &db, DB_COUNT));
	/* Nothing of the fields in the old per-field table. */
	for (size_t i = 0; i < da.n; i++)
		assert_true(da.s[i].db != DB_FIELDS);
	dump_free(&da);
	dump_free(&db);
	ts_destroy(&a);
	ts_destroy(&b);
}

/* A caseworker (a name as long as the administrator's: the clear header
 * names who registered the case), who holds neither the health nor the protected key,
 * registers the person: the case has the same shape as an administrator's
 * with those classes empty. */
static void test_placeholder_same_shape(void **state)
{
	struct tstore a, b;
	struct dump da, db;
	struct case_rec c;

	(void)state;
	one_case_store(&a, false, "karin", kari_pass);
	one_case_store(&b, false, NULL, NULL);
	dump(a.st, &da);
	dump(b.st, &db);
	assert_true(same_shape(&da, &db, DB_CASES));
	assert_true(same_shape(&da, &db, DB_NID));
	dump_free(&da);
	dump_free(&db);

	/* The administrator reads the blank classes as empty, not locked, and
	 * fills them; check is clean. */
	ts_reopen_as(&a, "admin", admin_pass);
	case_init(&c);
	assert_int_equal(store_case_get(a.st, 1, &c), M_OK);
	assert_false(c.locked[F_health_needs]);
	assert_null(c.value[F_health_needs]);
	assert_null(c.value[F_protected_address]);
	assert_string_equal(c.value[F_given_name], "Zqxa");
	set(&c, F_health_needs, "Zqx behov");
	assert_int_equal(store_case_update(a.st, &c, c.version), M_OK);
	case_clear(&c);
	case_init(&c);
	assert_int_equal(store_case_get(a.st, 1, &c), M_OK);
	assert_string_equal(c.value[F_health_needs], "Zqx behov");
	case_clear(&c);
	size_t checked = 0;
	assert_int_equal(store_check(a.st, no_report, NULL, &checked), M_OK);
	assert_int_equal(checked, 1);
	ts_destroy(&a);
	ts_destroy(&b);
}

/* ---- what a save touches ------------------------------------------------------------- */

/* A health worker saves the health class without the keys of the others:
 * every other class's envelope is byte for byte what it was. */
static void test_health_save_touches_health_only(void **state)
{
	struct tstore t;
	struct dump before, after;
	struct case_rec c;
	static const enum key_class others[] = {KC_IDENTITY, KC_CONTACT, KC_PROTECTED};

	(void)state;
	one_case_store(&t, true, NULL, NULL);
	assert_int_equal(store_user_add(t.st, "helga", ROLE_HEALTH, helga_pass, strlen(helga_pass)),
	                 M_OK);
	dump(t.st, &before);
	ts_reopen_as(&t, "helga", helga_pass);
	case_init(&c);
	assert_int_equal(store_case_get(t.st, 1, &c), M_OK);
	assert_true(c.locked[F_protected_address]);
	set(&c, F_health_needs, "Zqx nytt behov");
	assert_int_equal(store_case_update(t.st, &c, c.version), M_OK);
	case_clear(&c);
	dump(t.st, &after);

	for (size_t i = 0; i < sizeof others / sizeof *others; i++) {
		size_t la, lb;
		const uint8_t *ea = class_env(before.val[0], before.vlen[0], others[i], &la);
		const uint8_t *eb = class_env(after.val[0], after.vlen[0], others[i], &lb);
		assert_int_equal(la, lb);
		assert_memory_equal(ea, eb, la);
	}
	size_t la, lb;
	const uint8_t *ha = class_env(before.val[0], before.vlen[0], KC_HEALTH, &la);
	const uint8_t *hb = class_env(after.val[0], after.vlen[0], KC_HEALTH, &lb);
	assert_true(la != lb || memcmp(ha, hb, la) != 0);
	dump_free(&before);
	dump_free(&after);

	ts_reopen_as(&t, "admin", admin_pass);
	case_init(&c);
	assert_int_equal(store_case_get(t.st, 1, &c), M_OK);
	assert_string_equal(c.value[F_health_needs], "Zqx nytt behov");
	assert_string_equal(c.value[F_protected_address], "Zqxskjult 9\n9999 Zqxsted");
	assert_string_equal(c.value[F_tb_screening], "2024-01-02");
	case_clear(&c);
	ts_destroy(&t);
}

/* ---- entries this mappe does not know ------------------------------------------------ */

struct plant_ctx {
	uint64_t id;
};

static int add_entry(uint8_t *p, size_t *n, unsigned number, uint32_t item, const char *v)
{
	size_t len = strlen(v);

	p[(*n)++] = (uint8_t)(number & 0x7f) | (number > 0x7f ? 0x80 : 0);
	if (number > 0x7f)
		p[(*n)++] = (uint8_t)(number >> 7);
	p[(*n)++] = (uint8_t)item;
	p[(*n)++] = (uint8_t)len;
	memcpy(p + *n, v, len);
	*n += len;
	return 0;
}

/* Identity sealed anew with what a later catalogue would write: a field
 * number this one does not know, and two items of a list. */
static int plant_txn(store *st, MDB_txn *txn, void *vctx)
{
	struct plant_ctx *ctx = vctx;
	struct rec_header h;
	uint8_t pt[256], *owned = NULL;
	size_t n = 0;
	int rc;

	if ((rc = st_load_epochs(st, txn)) || (rc = st_hdr_read(st, txn, ctx->id, &h)))
		return rc;
	pt[n++] = 1;
	add_entry(pt, &n, field_catalogue[F_given_name].number, 0, "Zqxa");
	add_entry(pt, &n, 200, 0, "later field");
	add_entry(pt, &n, 201, 1, "item one");
	add_entry(pt, &n, 201, 7, "item seven");
	if ((rc = st_class_seal(st, ctx->id, &h, KC_IDENTITY, pt, n, &owned)) == M_OK)
		rc = st_hdr_write(st, txn, ctx->id, &h);
	free(owned);
	return rc;
}

struct seen {
	unsigned later, items;
	bool given;
};

static int seen_one(void *vctx, unsigned number, uint32_t item, const uint8_t *v, size_t len)
{
	struct seen *s = vctx;

	if (number == 200 && item == 0 && len == 11 && memcmp(v, "later field", 11) == 0)
		s->later++;
	if (number == 201 && (item == 1 || item == 7))
		s->items++;
	if (number == field_catalogue[F_given_name].number && len == 4 && memcmp(v, "Zqxb", 4) == 0)
		s->given = true;
	return 0;
}

static int seen_txn(store *st, MDB_txn *txn, void *vctx)
{
	struct seen *s = vctx;
	struct rec_header h;
	const uint8_t *pt;
	size_t n;
	int rc;

	if ((rc = st_load_epochs(st, txn)) || (rc = st_hdr_read(st, txn, 1, &h)) ||
	    (rc = st_class_open(st, 1, &h, KC_IDENTITY, &pt, &n)))
		return rc;
	return st_class_each(pt, n, seen_one, s) < 0 ? M_INTEGRITY : M_OK;
}

static void test_unknown_entries_carried(void **state)
{
	struct tstore t;
	struct plant_ctx pc = {1};
	struct case_rec c;
	struct seen s = {0};

	(void)state;
	one_case_store(&t, false, NULL, NULL);
	assert_int_equal(st_txn(t.st, true, plant_txn, &pc), M_OK);
	case_init(&c);
	assert_int_equal(store_case_get(t.st, 1, &c), M_OK);
	assert_string_equal(c.value[F_given_name], "Zqxa");
	set(&c, F_given_name, "Zqxb");
	assert_int_equal(store_case_update(t.st, &c, c.version), M_OK);
	case_clear(&c);
	assert_int_equal(st_txn(t.st, false, seen_txn, &s), M_OK);
	assert_true(s.given);
	assert_int_equal(s.later, 1);
	assert_int_equal(s.items, 2);
	ts_destroy(&t);
}

/* ---- buckets --------------------------------------------------------------------------- */

static void test_buckets(void **state)
{
	(void)state;
	/* Everything shorter than the floor is the floor. */
	for (size_t n = 0; n < 128; n++)
		assert_int_equal(keys_bucket(n, 128), 128);
	assert_int_equal(keys_bucket(63, 64), 64);
	assert_int_equal(keys_bucket(64, 64), 80);
	/* Above it, never more than a quarter of padding. */
	for (size_t n = 128; n < 100000; n += 7) {
		size_t b = keys_bucket(n, 128);
		assert_true(b > n);
		assert_true(b - n <= n / 4 + 1);
	}
	assert_int_equal(st_class_floor(KC_HEALTH), 96);
	assert_int_equal(st_class_floor(KC_PROTECTED), 96);
	assert_int_equal(st_class_floor(KC_IDENTITY), 64);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_presence_not_in_file),
	    cmocka_unit_test(test_placeholder_same_shape),
	    cmocka_unit_test(test_health_save_touches_health_only),
	    cmocka_unit_test(test_unknown_entries_carried),
	    cmocka_unit_test(test_buckets),
	};
	return cmocka_run_group_tests_name("format", tests, setup, NULL);
}
