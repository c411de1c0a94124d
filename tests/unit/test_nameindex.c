/* The word index agrees with fold_rank run on every name: a property test
 * on generated names in many scripts and spellings, after renames and rows
 * appended, before and after a rebuild; and through the store, on a
 * generated store after inserts, renames and deletions caught up with by
 * search_index_sync. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "keys/keys.h"
#include "store/fold.h"
#include "store/nameindex.h"
#include "store/private.h"
#include "store/store.h"
#include "tests/unit/fixture.h"
#include "tests/unit/raw.h"

/* Name parts meant to collide: spellings of one name, near names, the
 * articles, compounds and scripts the matcher has rules for. */
static const char *const parts[] = {
    "Olena",      "Olga",      "Alena",       "Elena",     "Олена",      "Ольга",
    "Mohammed",   "Muhammad",  "Mahmoud",     "Mohamed",   "محمد",       "Maxamed",
    "Abdi",       "Cabdi",     "Abdo",        "Hassan",    "Xasan",      "Hussein",
    "Hossein",    "حسين",      "حسن",         "Fatima",    "Fatemeh",    "Fatma",
    "فاطمه",      "Ahmad",     "Ahmed",       "أحمد",      "Al-Shami",   "al Shami",
    "الشامي",     "ash-Shami", "Shami",       "Yuliia",    "Юлія",       "Yulia",
    "Kovalenko",  "Коваленко", "Kovalchuk",   "Ola",       "Ole",        "Ali",
    "Alia",       "Abdul",     "Abdel",       "Rahman",    "Abdulrahman", "Abdelrahman",
    "Gebre",      "Michael",   "Gebremichael", "ገብረ",     "ሚካኤል",       "Tesfay",
    "Volodymyr",  "Wolodymyr", "Vladimir",    "Володимир", "Mykola",     "Nikolai",
    "Микола",     "Shevchenko", "Schewtschenko", "Шевченко", "Polishchuk", "Poliszczuk",
    "Reza",       "رضا",       "Vahid",       "وحید",      "Walid",      "Nordmann",
    "Hansen",     "Ødegård",   "Odegaard",    "Åsen",      "Aasen",      "Warsame",
    "el-Sayed",   "Said",      "Saeed",       "Ελένη",     "ΕΛΕΝΗ",      "Ｏｌｅｎａ",
    "Zahra",      "Zehra",     "Xavier",      "Marco",     "Abbas",      "ab",
};
enum { NPARTS = sizeof parts / sizeof *parts, ROWS = 1500 };

struct names {
	char *folded[ROWS + 200];
	size_t n;
};

static const char *at(void *ctx, size_t row)
{
	struct names *nm = ctx;

	return row < nm->n ? nm->folded[row] : NULL;
}

static char *fold_alloc(const char *s)
{
	char buf[1024];

	fold_name(s, strlen(s), buf, sizeof buf);
	return strdup(buf);
}

static char *random_name(unsigned *seed)
{
	char s[512] = "";
	int words = 1 + rand_r(seed) % 4;

	for (int i = 0; i < words; i++) {
		if (i)
			strcat(s, " ");
		strcat(s, parts[rand_r(seed) % NPARTS]);
	}
	return fold_alloc(s);
}

/* A query as people type them: a prefix of a part or two, a typo, a whole
 * name, a stray letter. Folded (fold_name) into q. */
static void random_query(unsigned *seed, char *q, size_t cap)
{
	char s[256] = "";
	const char *p = parts[rand_r(seed) % NPARTS];
	int how = rand_r(seed) % 6;
	size_t n;

	switch (how) {
	case 0: /* a prefix, by bytes: may cut a letter, which folding drops */
		n = 1 + (size_t)rand_r(seed) % strlen(p);
		memcpy(s, p, n);
		s[n] = '\0';
		break;
	case 1: /* two words, the second half typed */
		snprintf(s, sizeof s, "%s %.*s", p, 1 + rand_r(seed) % 5,
		         parts[rand_r(seed) % NPARTS]);
		break;
	case 2: /* a typo: two letters swapped */
		snprintf(s, sizeof s, "%s", p);
		n = strlen(s);
		if (n > 3) {
			size_t i = 1 + (size_t)rand_r(seed) % (n - 2);
			char c = s[i];
			s[i] = s[i + 1];
			s[i + 1] = c;
		}
		break;
	case 3: /* three words */
		snprintf(s, sizeof s, "%s %s %s", p, parts[rand_r(seed) % NPARTS],
		         parts[rand_r(seed) % NPARTS]);
		break;
	case 4: /* an article in front */
		snprintf(s, sizeof s, "al %s", p);
		break;
	default: /* one or two letters */
		s[0] = (char)('a' + rand_r(seed) % 26);
		s[1] = rand_r(seed) % 2 ? (char)('a' + rand_r(seed) % 26) : '\0';
		s[2] = '\0';
		break;
	}
	fold_name(s, strlen(s), q, cap);
}

static int hit_cmp(const void *a, const void *b)
{
	const struct name_hit *x = a, *y = b;

	return x->row < y->row ? -1 : x->row > y->row;
}

/* The index's hits for q, and fold_rank_fit's on every row, the same:
 * score, kind and order. */
static void agree(name_index *ni, struct names *nm, const char *q)
{
	struct name_hit *hits = NULL;
	size_t n = 0, k = 0;

	assert_int_equal(name_index_search(ni, q, nm->n, at, nm, &hits, &n), 0);
	if (n > 1)
		qsort(hits, n, sizeof *hits, hit_cmp);
	for (size_t r = 0; r < nm->n; r++) {
		enum fold_kind kind;
		bool in_order;
		int s = fold_rank_fit(q, nm->folded[r], &kind, &in_order);
		if (!s)
			continue;
		if (k >= n || hits[k].row != r) {
			print_error("query [%s]: row %zu [%s] scores %d, the index %s\n", q, r,
			            nm->folded[r], s, k < n ? "skips it" : "ends");
			fail();
		}
		if (hits[k].score != s || hits[k].kind != kind || hits[k].in_order != in_order) {
			print_error("query [%s]: row %zu [%s] scores %d (kind %d, in order %d), "
			            "the index %d (%d, %d)\n",
			            q, r, nm->folded[r], s, kind, in_order, hits[k].score,
			            hits[k].kind, hits[k].in_order);
			fail();
		}
		k++;
	}
	if (k != n) {
		print_error("query [%s]: the index has row %u [%s] too\n", q, hits[k].row,
		            nm->folded[hits[k].row]);
		fail();
	}
	free(hits);
}

static void queries(name_index *ni, struct names *nm, unsigned *seed, int count)
{
	char q[512];

	for (int i = 0; i < count; i++) {
		random_query(seed, q, sizeof q);
		agree(ni, nm, q);
	}
	/* And every part whole, alone. */
	for (size_t i = 0; i < NPARTS; i++) {
		fold_name(parts[i], strlen(parts[i]), q, sizeof q);
		agree(ni, nm, q);
	}
	/* An article, then one word or its start: every covering is one
	 * unit (the word, or the join), scored straight from the postings. */
	static const char *const articles[] = {"Al-A", "al a", "Al-Sh", "al-shami", "el s",
	                                       "El-Sayed", "al al", "Al Ahmad", "ال ش"};
	for (size_t i = 0; i < sizeof articles / sizeof *articles; i++) {
		fold_name(articles[i], strlen(articles[i]), q, sizeof q);
		agree(ni, nm, q);
	}
}

static void test_agrees_with_fold_rank(void **state)
{
	struct names *nm = calloc(1, sizeof *nm);
	name_index *ni = NULL;
	unsigned seed = 13;

	(void)state;
	assert_non_null(nm);
	for (nm->n = 0; nm->n < ROWS; nm->n++)
		nm->folded[nm->n] = random_name(&seed);
	assert_int_equal(name_index_build(&ni, nm->n, at, nm), 0);
	queries(ni, nm, &seed, 600);

	/* Renames and new rows: kept aside, searched directly. */
	for (int i = 0; i < 60; i++) {
		size_t r = (size_t)rand_r(&seed) % nm->n;
		free(nm->folded[r]);
		nm->folded[r] = random_name(&seed);
		assert_int_equal(name_index_changed(ni, r), 0);
	}
	for (int i = 0; i < 40; i++) {
		nm->folded[nm->n] = random_name(&seed);
		assert_int_equal(name_index_changed(ni, nm->n), 0);
		nm->n++;
	}
	assert_true(name_index_pending(ni) > 0);
	queries(ni, nm, &seed, 400);

	/* Built again: the same answers. */
	name_index_free(ni);
	assert_int_equal(name_index_build(&ni, nm->n, at, nm), 0);
	assert_int_equal(name_index_pending(ni), 0);
	queries(ni, nm, &seed, 300);

	name_index_free(ni);
	for (size_t r = 0; r < nm->n; r++)
		free(nm->folded[r]);
	free(nm);
}

/* Type-ahead: every prefix of whole names typed in turn, the words before
 * the last kept from one keystroke to the next; a rename in the middle of
 * typing must not leave the kept rows stale. */
static void test_type_ahead(void **state)
{
	struct names *nm = calloc(1, sizeof *nm);
	name_index *ni = NULL;
	unsigned seed = 21;

	(void)state;
	assert_non_null(nm);
	for (nm->n = 0; nm->n < 800; nm->n++)
		nm->folded[nm->n] = random_name(&seed);
	assert_int_equal(name_index_build(&ni, nm->n, at, nm), 0);
	for (int t = 0; t < 60; t++) {
		char *typed = random_name(&seed), q[512];
		size_t len = strlen(typed);
		for (size_t k = 1; k <= len; k++) {
			memcpy(q, typed, k);
			q[k] = '\0';
			agree(ni, nm, q);
			if (t % 5 == 0 && k == len / 2) {
				/* A row this query finds is renamed to something else. */
				struct name_hit *hits = NULL;
				size_t n = 0, r;
				assert_int_equal(name_index_search(ni, q, nm->n, at, nm, &hits, &n), 0);
				r = n ? hits[0].row : (size_t)rand_r(&seed) % nm->n;
				free(hits);
				free(nm->folded[r]);
				nm->folded[r] = strdup("zzyzx qwv");
				assert_int_equal(name_index_changed(ni, r), 0);
			}
		}
		free(typed);
	}
	name_index_free(ni);
	for (size_t r = 0; r < nm->n; r++)
		free(nm->folded[r]);
	free(nm);
}

/* Names of more words than the matcher compares units of (FOLD_NAME_UNITS):
 * the index must not find what fold_rank leaves out. */
static void test_long_names(void **state)
{
	struct names *nm = calloc(1, sizeof *nm);
	name_index *ni = NULL;
	unsigned seed = 5;
	char q[512];

	(void)state;
	assert_non_null(nm);
	for (nm->n = 0; nm->n < 20; nm->n++) {
		char s[4096] = "";
		for (int w = 0; w < 45; w++) {
			strcat(s, w ? " " : "");
			strcat(s, parts[rand_r(&seed) % NPARTS]);
		}
		nm->folded[nm->n] = fold_alloc(s);
	}
	/* And a name of one word many times, searched by a query of it as many
	 * times: both searches are cut short, and must still agree. */
	nm->folded[nm->n++] = fold_alloc("alibaba ali ali ali ali ali ali ali ali");
	assert_int_equal(name_index_build(&ni, nm->n, at, nm), 0);
	for (size_t i = 0; i < NPARTS; i++) {
		fold_name(parts[i], strlen(parts[i]), q, sizeof q);
		agree(ni, nm, q);
	}
	for (int k = 2; k <= 15; k++) {
		char s[256] = "";
		for (int w = 0; w < k; w++)
			strcat(s, "ali ");
		strcat(s, "alibaba");
		fold_name(s, strlen(s), q, sizeof q);
		agree(ni, nm, q);
	}
	name_index_free(ni);
	for (size_t r = 0; r < nm->n; r++)
		free(nm->folded[r]);
	free(nm);
}

/* An empty index, and rows without a name. */
static void test_empty(void **state)
{
	struct names nm = {.n = 0};
	struct name_hit *hits = NULL;
	name_index *ni = NULL;
	size_t n = 5;
	char q[64];

	(void)state;
	assert_int_equal(name_index_build(&ni, 0, at, &nm), 0);
	fold_name("olena", 5, q, sizeof q);
	assert_int_equal(name_index_search(ni, q, 0, at, &nm, &hits, &n), 0);
	assert_int_equal(n, 0);
	assert_int_equal(name_index_search(ni, "", 0, at, &nm, &hits, &n), 0);
	assert_int_equal(n, 0);
	name_index_free(ni);
}

/* ---- through the store ------------------------------------------------ */

static const char admin_pass[] = FIXTURE_ADMIN_PASS;

static int setup(void **state)
{
	struct tstore *t = calloc(1, sizeof *t);

	if (!t || ts_create(t, 64u << 20, "admin", admin_pass)) {
		free(t);
		return -1;
	}
	*state = t;
	return 0;
}

static int teardown(void **state)
{
	ts_destroy(*state);
	free(*state);
	return 0;
}

/* search_run's hits for a query against fold_rank on every row's name. */
static void store_agrees(store *st, search_index *ix, const char *query)
{
	struct search_hit *hits = NULL;
	size_t n = 0, expect = 0;
	char q[512], f[1024];

	assert_int_equal(search_run(st, ix, query, strlen(query), &hits, &n), M_OK);
	fold_name(query, strlen(query), q, sizeof q);
	for (size_t i = 0; i < search_index_size(ix); i++) {
		struct search_row r;
		enum fold_kind kind;
		bool found = false;
		int s;
		search_index_row(ix, i, &r);
		fold_name(r.name, strlen(r.name), f, sizeof f);
		s = fold_rank(q, f, &kind);
		for (size_t k = 0; k < n; k++)
			if (hits[k].id == r.id) {
				found = true;
				if (hits[k].score != s || (int)hits[k].match != (int)kind) {
					print_error("query [%s]: case %llu [%s] scores %d (kind %d), "
					            "search_run %d (%d)\n",
					            query, (unsigned long long)r.id, r.name, s, kind,
					            hits[k].score, hits[k].match);
					fail();
				}
			}
		if (found != (s > 0)) {
			print_error("query [%s]: case %llu [%s] scores %d, %s\n", query,
			            (unsigned long long)r.id, r.name, s, found ? "hit" : "missed");
			fail();
		}
		expect += s > 0;
	}
	assert_int_equal(n, expect);
	/* Best first. */
	for (size_t k = 1; k < n; k++)
		assert_true(hits[k - 1].score >= hits[k].score);
	free(hits);
}

static void store_queries(store *st, search_index *ix)
{
	static const char *const q[] = {
	    "o",        "ol",         "olena",        "olena shev", "mohammed",  "moha",
	    "abdi hassan", "cabdi",   "al shami",     "alshami",    "ahmad al-shami", "yuliia",
	    "abdul rahman", "gebremichael", "reza",   "fatemeh",    "mohamamd",  "nikolai",
	    "xasan",    "hussein",    "a",            "ab",         "ola",       "wolodymyr",
	};

	for (size_t i = 0; i < sizeof q / sizeof *q; i++)
		store_agrees(st, ix, q[i]);
}

static void test_store_after_changes(void **state)
{
	struct tstore *t = *state;
	search_index *ix = NULL;
	uint64_t ids[300];
	unsigned seed = 7;
	size_t changed = 0;

	for (size_t i = 0; i < 300; i++)
		ids[i] = ts_insert_name(t->st, parts[rand_r(&seed) % NPARTS], parts[rand_r(&seed) % NPARTS]);
	assert_int_equal(search_index_load(t->st, &ix), M_OK);
	store_queries(t->st, ix);

	/* Renames and inserts, caught up with as another process's. */
	for (int i = 0; i < 20; i++)
		ts_rename(t->st, ids[rand_r(&seed) % 300], parts[rand_r(&seed) % NPARTS]);
	for (int i = 0; i < 10; i++)
		ts_insert_name(t->st, parts[rand_r(&seed) % NPARTS], "Nyankomst");
	assert_int_equal(search_index_sync(t->st, ix, &changed), M_OK);
	assert_true(changed > 0);
	store_queries(t->st, ix);

	/* One's own saves, read back one case at a time: a rename in place and
	 * a new case at the end (the rows' ids and word counts kept beside the
	 * entries follow both). */
	ts_rename(t->st, ids[7], "Abdul Rahman Haile");
	assert_int_equal(search_index_refresh(t->st, ix, ids[7]), M_OK);
	assert_int_equal(search_index_refresh(t->st, ix,
	                                      ts_insert_name(t->st, "Olena", "Al-Shami")),
	                 M_OK);
	store_queries(t->st, ix);

	/* Cases gone (only a writer of the file removes one): the rows move,
	 * and the index is built again. */
	for (int i = 0; i < 5; i++) {
		uint8_t k[8];
		be64(k, ids[40 + 20 * i]);
		raw_put(t->st, DB_CASES, k, 8, NULL, 0);
	}
	ts_rename(t->st, ids[1], "Zelmira"); /* the generation moves on */
	assert_int_equal(search_index_sync(t->st, ix, &changed), M_OK);
	assert_int_equal(search_index_size(ix), 306);
	store_queries(t->st, ix);
	search_index_free(ix);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_agrees_with_fold_rank),
	    cmocka_unit_test(test_type_ahead),
	    cmocka_unit_test(test_long_names),
	    cmocka_unit_test(test_empty),
	    cmocka_unit_test_setup_teardown(test_store_after_changes, setup, teardown),
	};

	if (keys_init() != 0)
		return 1;
	return cmocka_run_group_tests_name("nameindex", tests, NULL, NULL);
}
