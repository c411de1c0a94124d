/* National ids from memory (issue 13): a session's index keeps the numbers
 * it decrypted with the names, in its locked arena, and answers a look-up
 * without a transaction; after a colleague's change (search_index_sync) the
 * new number is found and the old one not. Transactions are counted by
 * wrapping mdb_txn_begin. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store/store.h"
#include "tests/unit/fixture.h"
#include "tests/unit/nid.h"

static unsigned long txns;

/* LMDB's types stay store/'s: pointers are pointers. */
int __real_mdb_txn_begin(void *env, void *parent, unsigned int flags, void **txn);
int __wrap_mdb_txn_begin(void *env, void *parent, unsigned int flags, void **txn);
int __wrap_mdb_txn_begin(void *env, void *parent, unsigned int flags, void **txn)
{
	txns++;
	return __real_mdb_txn_begin(env, parent, flags, txn);
}

static uint64_t insert(store *st, const char *given, const char *nid)
{
	struct case_rec c;
	uint64_t id = 0;

	case_init(&c);
	case_set(&c, F_given_name, given, strlen(given));
	case_set(&c, F_family_name, "Testesen", 8);
	if (nid)
		case_set(&c, F_national_id, nid, strlen(nid));
	assert_int_equal(store_case_insert(st, &c, 1, &id), M_OK);
	case_clear(&c);
	return id;
}

static void set_nid(store *st, uint64_t id, const char *nid)
{
	struct case_rec c;

	case_init(&c);
	c.id = id;
	case_set(&c, F_national_id, nid, nid ? strlen(nid) : 0);
	assert_int_equal(store_case_update(st, &c, 0), M_OK);
	case_clear(&c);
}

/* The ids the index gives for nid, with no transaction begun meanwhile; 0
 * in *first when none. */
static size_t mem_lookup(store *st, search_index *ix, const char *nid, uint64_t *first)
{
	uint64_t *ids = NULL;
	size_t n = 9;
	unsigned long before = txns;

	assert_int_equal(search_index_national_id(st, ix, nid, &ids, &n), M_OK);
	assert_int_equal(txns, before);
	*first = n ? ids[0] : 0;
	free(ids);
	return n;
}

static void test_lookup_without_a_transaction(void **state)
{
	struct tstore *t = *state;
	char a[12], b[12], c[12], none[12];
	uint64_t ia, ib, ic, got;
	search_index *ix = NULL;

	make_nid(a, 12, 3, 85, 100);
	make_nid(b, 1, 1, 90, 200);
	make_nid(c, 28, 2, 70, 300);
	make_nid(none, 5, 5, 55, 400);
	ia = insert(t->st, "Amina", a);
	insert(t->st, "Utenid", NULL);
	ib = insert(t->st, "Bashir", b);
	ic = insert(t->st, "Cyrus", c);
	assert_int_equal(search_index_load(t->st, &ix), M_OK);

	assert_int_equal(mem_lookup(t->st, ix, a, &got), 1);
	assert_true(got == ia);
	assert_int_equal(mem_lookup(t->st, ix, b, &got), 1);
	assert_true(got == ib);
	assert_int_equal(mem_lookup(t->st, ix, c, &got), 1);
	assert_true(got == ic);
	assert_int_equal(mem_lookup(t->st, ix, none, &got), 0);
	assert_int_equal(mem_lookup(t->st, ix, "1234", &got), 0);
	assert_int_equal(mem_lookup(t->st, ix, "", &got), 0);

	/* The same answer the blind index gives, which needs a transaction. */
	{
		uint64_t *ids = NULL;
		size_t n = 0;
		unsigned long before = txns;
		assert_int_equal(store_find_national_id(t->st, b, &ids, &n), M_OK);
		assert_int_equal(n, 1);
		assert_true(ids[0] == ib);
		assert_true(txns > before);
		free(ids);
	}

	/* Locked: the keys are gone, the index (still held) answers alone. */
	store_lock(t->st);
	assert_int_equal(mem_lookup(t->st, ix, c, &got), 1);
	assert_true(got == ic);
	search_index_free(ix);
}

/* A colleague changes one number, gives a new case one and removes
 * another's: the session finds the new ones after its sync, not the old. */
static void test_lookup_after_sync(void **state)
{
	struct tstore *t = *state;
	char a[12], a2[12], b[12], c[12];
	uint64_t ia, ib, ic, got;
	search_index *ix = NULL;
	size_t changed = 0;

	make_nid(a, 12, 3, 85, 100);
	make_nid(a2, 13, 4, 86, 110);
	make_nid(b, 1, 1, 90, 200);
	make_nid(c, 28, 2, 70, 300);
	ia = insert(t->st, "Amina", a);
	ib = insert(t->st, "Bashir", b);
	assert_int_equal(search_index_load_names(t->st, &ix), M_OK);
	assert_int_equal(mem_lookup(t->st, ix, a, &got), 1);

	set_nid(t->st, ia, a2);
	set_nid(t->st, ib, NULL);
	ic = insert(t->st, "Cyrus", c);
	/* Until the sync the index answers as of its load. */
	assert_int_equal(mem_lookup(t->st, ix, a, &got), 1);
	assert_int_equal(mem_lookup(t->st, ix, c, &got), 0);

	assert_int_equal(search_index_sync(t->st, ix, &changed), M_OK);
	assert_int_equal(changed, 3);
	assert_int_equal(mem_lookup(t->st, ix, a, &got), 0);
	assert_int_equal(mem_lookup(t->st, ix, a2, &got), 1);
	assert_true(got == ia);
	assert_int_equal(mem_lookup(t->st, ix, b, &got), 0);
	assert_int_equal(mem_lookup(t->st, ix, c, &got), 1);
	assert_true(got == ic);

	/* A save of one's own (search_index_refresh) too. */
	set_nid(t->st, ic, b);
	assert_int_equal(search_index_refresh(t->st, ix, ic), M_OK);
	assert_int_equal(mem_lookup(t->st, ix, c, &got), 0);
	assert_int_equal(mem_lookup(t->st, ix, b, &got), 1);
	assert_true(got == ic);
	search_index_free(ix);
}

/* Many numbers, each found as the case that has it (the sorted rows'
 * binary search at every place). */
static void test_lookup_many(void **state)
{
	struct tstore *t = *state;
	enum { N = 300 };
	char nid[N][12];
	uint64_t id[N], got;
	search_index *ix = NULL;

	for (unsigned i = 0; i < N; i++) {
		make_nid(nid[i], 1 + i % 28, 1 + (i / 28) % 12, 60 + i % 30, 100);
		id[i] = insert(t->st, "Person", nid[i]);
	}
	assert_int_equal(search_index_load(t->st, &ix), M_OK);
	for (unsigned i = 0; i < N; i++) {
		size_t want = 0;
		for (unsigned j = 0; j < N; j++)
			want += strcmp(nid[i], nid[j]) == 0;
		assert_int_equal(mem_lookup(t->st, ix, nid[i], &got), want);
		if (want == 1)
			assert_true(got == id[i]);
	}
	search_index_free(ix);
}

/* find --each-line's results: a batch of reads logged costs what one read
 * logged costs (one write transaction), and every entry is in the log. */
static int count_entry(void *ctx, const struct audit_entry *e)
{
	size_t *n = ctx;

	*n += e->action == AUDIT_SEARCH_OPEN;
	return 0;
}

static void test_audit_batch_one_transaction(void **state)
{
	struct tstore *t = *state;
	enum { N = 50 };
	struct audit_event ev[N];
	unsigned long before, one, batch;
	uint64_t id = insert(t->st, "Amina", NULL);
	size_t logged = 0;

	for (unsigned i = 0; i < N; i++)
		ev[i] = (struct audit_event){
		    .action = AUDIT_SEARCH_OPEN, .case_id = id, .classes = 1u << KC_IDENTITY};
	before = txns;
	assert_int_equal(store_audit(t->st, &ev[0]), M_OK);
	one = txns - before;
	before = txns;
	assert_int_equal(store_audit_batch(t->st, ev, N), M_OK);
	batch = txns - before;
	assert_true(one >= 1);
	assert_int_equal(batch, one);
	before = txns;
	assert_int_equal(store_audit_batch(t->st, ev, 0), M_OK);
	assert_int_equal(txns, before);
	assert_int_equal(
	    store_audit_each(t->st, &(struct audit_filter){.action = -1}, count_entry, &logged),
	    M_OK);
	assert_int_equal(logged, N + 1);
}

#define FX(fn) cmocka_unit_test_setup_teardown(fn, fixture_store_setup, fixture_store_teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
	    FX(test_lookup_without_a_transaction),
	    FX(test_lookup_after_sync),
	    FX(test_lookup_many),
	    FX(test_audit_batch_one_transaction),
	};
	return cmocka_run_group_tests(tests, fixture_keys_setup, NULL);
}
