/* The code tables as stored (codes.c): a row that authenticates is still
 * checked for the shape `mappe codes load` gives every row. One who holds
 * the record key (or a bug, or a store of another version) can seal a body
 * no load would have written: a code with a space or capitals, a label with
 * a terminal escape, a code twice, a version name that is not one. Each is
 * refused as damaged rather than shown or matched against a case.
 *
 * The rows are sealed through st_sealed_put (store/private.h), as such a
 * writer would; every check is observed through the public store API. */
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

struct row {
	const char *code, *nb, *en;
};

struct plant {
	const char *version;
	const struct row *rows;
	size_t n;
};

static size_t put_str(uint8_t *b, size_t p, const char *s, bool wide)
{
	size_t n = strlen(s);

	if (wide)
		b[p++] = (uint8_t)(n >> 8);
	b[p++] = (uint8_t)n;
	memcpy(b + p, s, n);
	return p + n;
}

/* A body of codes.c's format 1, sealed under the key a load would use. */
static int plant_txn(store *st, MDB_txn *txn, void *ctx)
{
	const struct plant *pl = ctx;
	uint8_t body[4096], key[128];
	size_t p = 0, k = 0;

	body[p++] = 1;
	memset(body + p, 0, 7);
	body[p + 7] = 100; /* loaded: 100 s after the epoch */
	p += 8;
	p = put_str(body, p, "admin", false);
	body[p++] = (uint8_t)(pl->n >> 8);
	body[p++] = (uint8_t)pl->n;
	for (size_t i = 0; i < pl->n; i++) {
		p = put_str(body, p, pl->rows[i].code, false);
		p = put_str(body, p, pl->rows[i].nb, true);
		p = put_str(body, p, pl->rows[i].en, true);
	}
	memcpy(key, "codes\0end_reason", 17);
	k = 17;
	memcpy(key + k, pl->version, strlen(pl->version));
	k += strlen(pl->version);
	return st_sealed_put(st, txn, key, k, body, p);
}

static void plant(struct tstore *t, const char *version, const struct row *rows, size_t n)
{
	struct plant pl = {version, rows, n};

	assert_int_equal(st_txn(t->st, true, plant_txn, &pl), M_OK);
}

/* Every read of the table refuses it, naming the table and nothing of the row. */
static void assert_refused_as(struct tstore *t, enum store_code code)
{
	struct code_list *all = NULL, cur;
	size_t n = 0;
	char label[64];

	assert_int_equal(store_codes_versions(t->st, CT_end_reason, &all, &n), M_INTEGRITY);
	assert_int_equal(store_fault(t->st)->code, code);
	assert_string_equal(store_fault(t->st)->name, "end_reason");
	assert_null(all);
	assert_int_equal(store_codes_current(t->st, CT_end_reason, &cur), M_INTEGRITY);
	assert_int_equal(store_code_label(t->st, CT_end_reason, "x", false, label, sizeof label),
	                 M_INTEGRITY);
}

/* A row not of a load's shape. */
static void assert_refused(struct tstore *t)
{
	assert_refused_as(t, E_CODES_ROW_INVALID);
}

/* What the test plants, well formed, reads back: the tests below differ from
 * it in one thing each. */
static void test_well_formed(void **state)
{
	struct tstore *t = *state;
	const struct row rows[] = {{"work", "Arbeid", "Work"}, {"school_2", "Skole", "School"}};
	struct code_list cur;

	plant(t, "2026.1", rows, 2);
	assert_int_equal(store_codes_current(t->st, CT_end_reason, &cur), M_OK);
	assert_string_equal(cur.version, "2026.1");
	assert_int_equal(cur.n, 2);
	assert_string_equal(cur.row[1].code, "school_2");
	assert_string_equal(cur.row[0].label_nb, "Arbeid");
	code_list_free(&cur);
	/* The table's names (catalogue.c's named_*). */
	assert_int_equal(code_table_parse("main_activity", 13), CT_main_activity);
	assert_int_equal(code_table_parse("main_activityx", 14), -1);
	assert_string_equal(code_table_id(CT_COUNT), "?");
	assert_string_equal(code_table_label(CT_end_reason, false), "End reason");
}

static void test_code_shape(void **state)
{
	struct tstore *t = *state;
	const struct row rows[] = {{"work", "Arbeid", "Work"}, {"Bad code", "Dårlig", "Bad"}};

	plant(t, "2026.1", rows, 2);
	assert_refused(t);
}

static void test_code_empty(void **state)
{
	struct tstore *t = *state;
	const struct row rows[] = {{"", "Tom", "Empty"}};

	plant(t, "2026.1", rows, 1);
	assert_refused(t);
}

static void test_code_twice(void **state)
{
	struct tstore *t = *state;
	const struct row rows[] = {{"work", "Arbeid", "Work"}, {"work", "Jobb", "Job"}};

	plant(t, "2026.1", rows, 2);
	assert_refused(t);
}

/* A label reaches the terminal (show, the form's menu): no escape in it. */
static void test_label_escape(void **state)
{
	struct tstore *t = *state;
	const struct row rows[] = {{"work", "Arbeid\x1b]0;owned\x07", "Work"}};

	plant(t, "2026.1", rows, 1);
	assert_refused(t);
}

static void test_label_empty(void **state)
{
	struct tstore *t = *state;
	const struct row rows[] = {{"work", "Arbeid", ""}};

	plant(t, "2026.1", rows, 1);
	assert_refused(t);
}

static void test_label_not_utf8(void **state)
{
	struct tstore *t = *state;
	const struct row rows[] = {{"work", "Arbeid\xff", "Work"}};

	plant(t, "2026.1", rows, 1);
	assert_refused(t);
}

static void test_version_shape(void **state)
{
	struct tstore *t = *state;
	const struct row rows[] = {{"work", "Arbeid", "Work"}};

	plant(t, "2026 1", rows, 1);
	assert_refused_as(t, E_CODES_DAMAGED);
}

/* "provisional" is the shipped default's name: no stored version takes it. */
static void test_version_provisional(void **state)
{
	struct tstore *t = *state;
	const struct row rows[] = {{"work", "Arbeid", "Work"}};

	plant(t, "provisional", rows, 1);
	assert_refused_as(t, E_CODES_DAMAGED);
}

/* A case's code is checked against the table in force: a damaged table
 * refuses the save rather than match a code against it. */
static void test_save_refused(void **state)
{
	struct tstore *t = *state;
	const struct row rows[] = {{"Work", "Arbeid", "Work"}};
	struct case_rec c;
	uint64_t id;

	plant(t, "2026.1", rows, 1);
	case_init(&c);
	assert_int_equal(case_set(&c, F_end_reason, "Work", 4), M_OK);
	assert_int_not_equal(store_case_insert(t->st, &c, 1, &id), M_OK);
	assert_int_equal(store_fault(t->st)->code, E_CODES_ROW_INVALID);
	case_clear(&c);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
#define T(fn) cmocka_unit_test_setup_teardown(fn, fixture_store_setup, fixture_store_teardown)
	    T(test_well_formed),   T(test_code_shape),         T(test_code_empty),
	    T(test_code_twice),    T(test_label_escape),       T(test_label_empty),
	    T(test_label_not_utf8), T(test_version_shape),     T(test_version_provisional),
	    T(test_save_refused),
#undef T
	};
	return cmocka_run_group_tests(tests, fixture_keys_setup, NULL);
}
