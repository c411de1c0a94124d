/* A temporary store for the unit tests: made in a mkdtemp directory,
 * opened, closed and reopened as one user or another, as separate
 * processes would. Argon2id at its floor: the tests run many unlocks.
 * Include after cmocka.h and store/store.h. */
#ifndef MAPPE_TESTS_FIXTURE_H
#define MAPPE_TESTS_FIXTURE_H

#include <stdlib.h>
#include <string.h>

#include "tests/unit/tmpdir.h"
#include "tests/unit/open.h"

static const struct keys_kdf fixture_kdf = {2, 64ull << 20};

/* The passphrase of "admin", the first administrator of a fixture store. */
#define FIXTURE_ADMIN_PASS "admin passphrase one"

struct tstore {
	char dir[128];
	store *st;
	struct store_options opt; /* kdf: fixture_kdf unless set */
};

static inline void ts_open(struct tstore *t)
{
	char err[512] = "";

	if (!t->opt.kdf)
		t->opt.kdf = &fixture_kdf;
	assert_null(t->st);
	assert_int_equal(t_store_open(t->dir, &t->opt, &t->st, err, sizeof err), M_OK);
	assert_non_null(t->st);
}

static inline void ts_close(struct tstore *t)
{
	store_close(t->st);
	t->st = NULL;
}

static inline int ts_unlock(struct tstore *t, const char *user, const char *pass)
{
	return store_unlock(t->st, user, pass, strlen(pass));
}

/* Close, reopen and unlock as another user: a new process's view. One
 * environment per process at a time, as LMDB requires. */
static inline int ts_as(struct tstore *t, const char *user, const char *pass)
{
	ts_close(t);
	ts_open(t);
	return ts_unlock(t, user, pass);
}

static inline void ts_reopen_as(struct tstore *t, const char *user, const char *pass)
{
	assert_int_equal(ts_as(t, user, pass), M_OK);
}

/* A new store whose first administrator is admin, opened and unlocked. */
static inline int ts_create(struct tstore *t, size_t map_size, const char *admin,
                            const char *pass)
{
	char err[512] = "";

	memset(t, 0, sizeof *t);
	t->opt.kdf = &fixture_kdf;
	t->opt.map_size = map_size;
	make_dir(t->dir, sizeof t->dir);
	if (t_store_create(t->dir, admin, pass, strlen(pass), &t->opt, err, sizeof err) != M_OK ||
	    t_store_open(t->dir, &t->opt, &t->st, err, sizeof err) != M_OK ||
	    ts_unlock(t, admin, pass) != M_OK) {
		ts_close(t);
		remove_dir(t->dir);
		return -1;
	}
	return 0;
}

static inline void ts_destroy(struct tstore *t)
{
	ts_close(t);
	if (t->dir[0])
		remove_dir(t->dir);
	t->dir[0] = 0;
}

/* cmocka group setup: keys/ ready before any store is made. */
static inline int fixture_keys_setup(void **state)
{
	(void)state;
	return keys_init() == KEYS_OK ? 0 : -1;
}

/* cmocka test setup and teardown: each test starts with a store of its own
 * (a struct tstore in *state), its administrator unlocked. */
static inline int fixture_store_setup(void **state)
{
	struct tstore *t = calloc(1, sizeof *t);

	if (!t || ts_create(t, 0, "admin", FIXTURE_ADMIN_PASS) != 0) {
		free(t);
		return -1;
	}
	*state = t;
	return 0;
}

static inline int fixture_store_teardown(void **state)
{
	struct tstore *t = *state;

	ts_destroy(t);
	free(t);
	return 0;
}

/* A case of a name only, inserted as the fixture's user; its id. */
static inline uint64_t ts_insert_name(store *st, const char *given, const char *family)
{
	struct case_rec c;
	uint64_t id = 0;

	case_init(&c);
	case_set(&c, F_given_name, given, strlen(given));
	case_set(&c, F_family_name, family, strlen(family));
	assert_int_equal(store_case_insert(st, &c, 1, &id), M_OK);
	case_clear(&c);
	return id;
}

/* Case id's given name changed, the rest kept. */
static inline void ts_rename(store *st, uint64_t id, const char *given)
{
	struct case_rec c;

	case_init(&c);
	c.id = id;
	case_set(&c, F_given_name, given, strlen(given));
	assert_int_equal(store_case_update(st, &c, 0), M_OK);
	case_clear(&c);
}

/* The name a search index's row of case id shows, or NULL. */
static inline const char *ts_row_name(const search_index *ix, uint64_t id)
{
	struct search_row r;
	long at = search_index_find(ix, id);

	if (at < 0)
		return NULL;
	search_index_row(ix, (size_t)at, &r);
	return r.name;
}

#endif
