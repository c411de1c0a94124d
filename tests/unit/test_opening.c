/* Opening fast (issue 13): the case list loads progressively. The first
 * batch makes the list usable, the rest follows between keys; meanwhile a
 * search sees only the cases read so far, a sync or a refresh leaves the
 * unread ones to the load, and at the end the index is exactly the one a
 * load in one go makes. */
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
#include "tests/unit/open.h"

enum { CASES = 1300, BATCH = 512 }; /* three batches: 512, 512, 276 */

/* A name of letters alone, one of its own for each i. */
static void name_of(size_t i, char out[16])
{
	snprintf(out, 16, "Q%c%c%c", 'a' + (int)(i / 676 % 26), 'a' + (int)(i / 26 % 26),
	         'a' + (int)(i % 26));
}

static void insert_many(store *st, uint64_t *ids)
{
	struct case_rec *c = calloc(CASES, sizeof *c);
	char given[16];

	assert_non_null(c);
	for (size_t i = 0; i < CASES; i++) {
		case_init(&c[i]);
		name_of(i, given);
		case_set(&c[i], F_given_name, given, strlen(given));
		case_set(&c[i], F_family_name, "Lastesen", 8);
	}
	assert_int_equal(store_case_insert(st, c, CASES, ids), M_OK);
	for (size_t i = 0; i < CASES; i++)
		case_clear(&c[i]);
	free(c);
}

/* Whether a search for q finds case want. */
static bool found(store *st, search_index *ix, const char *q, uint64_t want)
{
	struct search_hit *hits = NULL;
	size_t n = 0;
	bool yes = false;

	assert_int_equal(search_run(st, ix, q, strlen(q), &hits, &n), M_OK);
	for (size_t i = 0; i < n; i++)
		yes |= hits[i].id == want;
	free(hits);
	return yes;
}

static void assert_id_order(const search_index *ix)
{
	for (size_t i = 1; i < search_index_size(ix); i++) {
		struct search_row r0, r1;
		search_index_row(ix, i - 1, &r0);
		search_index_row(ix, i, &r1);
		assert_true(r0.id < r1.id);
	}
}

/* The first batch, then the rest: a search partial until the end. */
static void test_first_batch_then_the_rest(void **state)
{
	struct tstore *t = *state;
	uint64_t *ids = calloc(CASES, sizeof *ids);
	search_index *ix = NULL;
	char late[16], mid[16];

	assert_non_null(ids);
	insert_many(t->st, ids);
	name_of(CASES - 1, late);

	assert_int_equal(search_index_open(t->st, &ix), M_OK);
	assert_false(search_index_complete(ix));
	assert_int_equal(search_index_size(ix), BATCH);
	assert_int_equal(search_index_expected(ix), CASES);
	assert_non_null(ts_row_name(ix, ids[BATCH - 1]));
	assert_null(ts_row_name(ix, ids[BATCH]));
	assert_false(found(t->st, ix, late, ids[CASES - 1])); /* not read yet */

	assert_int_equal(search_index_load_more(t->st, ix, 1), M_OK);
	assert_int_equal(search_index_size(ix), 2 * BATCH);
	assert_false(search_index_complete(ix));
	/* The second batch is searched too, before the words are indexed. */
	name_of(BATCH + 100, mid);
	assert_true(found(t->st, ix, mid, ids[BATCH + 100]));
	assert_false(found(t->st, ix, late, ids[CASES - 1]));
	assert_int_equal(search_index_load_more(t->st, ix, 1), M_OK);
	assert_true(search_index_complete(ix));
	assert_int_equal(search_index_size(ix), CASES);
	assert_int_equal(search_index_expected(ix), CASES);
	assert_true(found(t->st, ix, late, ids[CASES - 1]));
	assert_id_order(ix);
	/* Complete: more is nothing. */
	assert_int_equal(search_index_load_more(t->st, ix, 1), M_OK);
	assert_int_equal(search_index_size(ix), CASES);
	search_index_free(ix);
	free(ids);
}

/* Writes while it loads: a rename among the cases read (sync takes it in),
 * one among those not read yet and a new case (the load reads them as
 * they are then, once each), a save in this session of a case not read
 * (refresh leaves it to the load). The end is what a load in one go of
 * the same store gives, row for row. */
static void test_writes_while_loading(void **state)
{
	struct tstore *t = *state;
	uint64_t *ids = calloc(CASES, sizeof *ids), added = 0;
	search_index *ix = NULL, *whole = NULL;
	struct case_rec c;
	size_t changed = 0;

	assert_non_null(ids);
	insert_many(t->st, ids);
	assert_int_equal(search_index_open(t->st, &ix), M_OK);
	assert_int_equal(search_index_size(ix), BATCH);

	ts_rename(t->st, ids[10], "Ingeborg");
	ts_rename(t->st, ids[1000], "Zelmira");
	case_init(&c);
	case_set(&c, F_given_name, "Nyankomst", 9);
	assert_int_equal(store_case_insert(t->st, &c, 1, &added), M_OK);
	case_clear(&c);

	assert_int_equal(search_index_refresh(t->st, ix, ids[1000]), M_OK);
	assert_int_equal(search_index_refresh(t->st, ix, added), M_OK);
	assert_int_equal(search_index_size(ix), BATCH); /* neither read ahead of the load */
	assert_null(ts_row_name(ix, added));

	assert_int_equal(search_index_sync(t->st, ix, &changed), M_OK);
	assert_int_equal(changed, 1); /* the rename among the cases read, alone */
	assert_int_equal(search_index_size(ix), BATCH);
	assert_string_equal(ts_row_name(ix, ids[10]), "Ingeborg Lastesen");
	assert_true(found(t->st, ix, "ingeborg", ids[10]));
	assert_false(found(t->st, ix, "zelmira", ids[1000]));

	while (!search_index_complete(ix))
		assert_int_equal(search_index_load_more(t->st, ix, 1), M_OK);
	assert_int_equal(search_index_size(ix), CASES + 1);
	assert_string_equal(ts_row_name(ix, ids[1000]), "Zelmira Lastesen");
	assert_string_equal(ts_row_name(ix, added), "Nyankomst");
	assert_true(found(t->st, ix, "zelmira", ids[1000]));
	assert_id_order(ix);
	assert_int_equal(search_index_sync(t->st, ix, &changed), M_OK);
	assert_int_equal(changed, 0);

	assert_int_equal(search_index_load(t->st, &whole), M_OK);
	assert_int_equal(search_index_size(whole), search_index_size(ix));
	for (size_t i = 0; i < search_index_size(ix); i++) {
		struct search_row a, b;
		search_index_row(ix, i, &a);
		search_index_row(whole, i, &b);
		assert_true(a.id == b.id);
		assert_int_equal(a.version, b.version);
		assert_string_equal(a.name, b.name);
		assert_string_equal(a.birth_date, b.birth_date);
		assert_string_equal(a.status, b.status);
		assert_string_equal(a.caseworker, b.caseworker);
	}
	search_index_free(whole);
	search_index_free(ix);
	free(ids);
}

#define FX(fn) cmocka_unit_test_setup_teardown(fn, fixture_store_setup, fixture_store_teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
	    FX(test_first_batch_then_the_rest),
	    FX(test_writes_while_loading),
	};

	return cmocka_run_group_tests_name("opening", tests, fixture_keys_setup, NULL);
}
