/* Live data: store_generation tells an open session that someone wrote,
 * search_index_sync brings its index up to date with what they wrote, and
 * store_rotate_stop leaves a rotation where a kill would, to be resumed.
 * The other process is a forked child with its own environment. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "store/store.h"
#include "tests/unit/fixture.h"
#include "tests/unit/open.h"

static const char admin_pass[] = FIXTURE_ADMIN_PASS;

static size_t hits_for(store *st, search_index *ix, const char *q, uint64_t want)
{
	struct search_hit *hits = NULL;
	size_t n = 0, found = 0;

	assert_int_equal(search_run(st, ix, q, strlen(q), &hits, &n), M_OK);
	for (size_t i = 0; i < n; i++)
		found += hits[i].id == want;
	free(hits);
	return found;
}

/* Reads leave the generation; every write moves it. */
static void test_generation_moves_on_writes(void **state)
{
	struct tstore *t = *state;
	struct case_rec c;
	uint64_t id = ts_insert_name(t->st, "Kari", "Nordmann"), g0, g1;

	g0 = store_generation(t->st);
	assert_true(g0 > 0);
	case_init(&c);
	assert_int_equal(store_case_get(t->st, id, &c), M_OK);
	case_clear(&c);
	assert_true(store_generation(t->st) == g0);
	ts_rename(t->st, id, "Kristin");
	g1 = store_generation(t->st);
	assert_true(g1 > g0);
	assert_int_equal(store_note_add(t->st, id, NOTE_OTHER, false, "ringt", 5), M_OK);
	assert_true(store_generation(t->st) > g1);
	assert_true(store_generation(NULL) == 0);
}

/* The index learns of a rename and a new case, and nothing of a write that
 * touched no case (a draft). */
static void test_sync_same_process(void **state)
{
	struct tstore *t = *state;
	uint64_t a = ts_insert_name(t->st, "Ingrid", "Testesen"), b = ts_insert_name(t->st, "Per", "Hansen"), c;
	search_index *ix = NULL;
	size_t changed = 99;

	assert_int_equal(search_index_load(t->st, &ix), M_OK);
	assert_int_equal(search_index_size(ix), 2);
	assert_int_equal(search_index_sync(t->st, ix, &changed), M_OK);
	assert_int_equal(changed, 0);

	assert_int_equal(store_draft_save(t->st, a, NULL, 1, "utkast", 6), M_OK);
	assert_int_equal(search_index_sync(t->st, ix, &changed), M_OK);
	assert_int_equal(changed, 0);

	ts_rename(t->st, a, "Ingeborg");
	c = ts_insert_name(t->st, "Zelmira", "Nyankomst");
	assert_string_equal(ts_row_name(ix, a), "Ingrid Testesen"); /* not yet */
	assert_null(ts_row_name(ix, c));
	assert_int_equal(search_index_sync(t->st, ix, &changed), M_OK);
	assert_int_equal(changed, 2);
	assert_int_equal(search_index_size(ix), 3);
	assert_string_equal(ts_row_name(ix, a), "Ingeborg Testesen");
	assert_string_equal(ts_row_name(ix, b), "Per Hansen");
	assert_string_equal(ts_row_name(ix, c), "Zelmira Nyankomst");
	assert_int_equal(hits_for(t->st, ix, "zelmira", c), 1);
	assert_int_equal(hits_for(t->st, ix, "ingeborg", a), 1);
	/* In id order still: row i is the i-th id. */
	for (size_t i = 1; i < search_index_size(ix); i++) {
		struct search_row r0, r1;
		search_index_row(ix, i - 1, &r0);
		search_index_row(ix, i, &r1);
		assert_true(r0.id < r1.id);
	}
	assert_int_equal(search_index_sync(t->st, ix, &changed), M_OK);
	assert_int_equal(changed, 0);
	search_index_free(ix);
}

enum { CHILD_OPEN = 100, CHILD_UNLOCK, CHILD_PIPE };

/* A colleague in another process: waits for the word, renames case id and
 * adds one, says done. */
static int child_colleague(const char *dir, uint64_t id, int go, int done)
{
	char err[512] = "", b;
	const struct store_options opt = {0, &fixture_kdf};
	store *st = NULL;
	int rc;

	if (read(go, &b, 1) != 1)
		return CHILD_PIPE;
	if (t_store_open(dir, &opt, &st, err, sizeof err) != M_OK)
		return CHILD_OPEN;
	if (store_unlock(st, "admin", admin_pass, strlen(admin_pass)) != M_OK) {
		store_close(st);
		return CHILD_UNLOCK;
	}
	ts_rename(st, id, "Ingeborg");
	ts_insert_name(st, "Zelmira", "Nyankomst");
	store_close(st);
	rc = write(done, "d", 1) == 1 ? M_OK : CHILD_PIPE;
	return rc;
}

/* What a session on a timer sees: the generation moved, with no
 * transaction of its own in between, and a sync takes in both writes. */
static void test_sync_other_process(void **state)
{
	struct tstore *t = *state;
	uint64_t a = ts_insert_name(t->st, "Ingrid", "Testesen"), g0;
	search_index *ix = NULL;
	size_t changed = 0;
	int go[2], done[2], status;
	pid_t pid;
	char b;

	ts_close(t); /* nothing of LMDB's may cross the fork */
	assert_int_equal(pipe(go), 0);
	assert_int_equal(pipe(done), 0);
	fflush(NULL);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		close(go[1]);
		close(done[0]);
		_exit(child_colleague(t->dir, a, go[0], done[1]));
	}
	close(go[0]);
	close(done[1]);
	ts_open(t);
	assert_int_equal(ts_unlock(t, "admin", admin_pass), M_OK);
	assert_int_equal(search_index_load(t->st, &ix), M_OK);
	assert_int_equal(search_index_size(ix), 1);
	g0 = store_generation(t->st);
	assert_int_equal(write(go[1], "g", 1), 1);
	assert_int_equal(read(done[0], &b, 1), 1);
	close(go[1]);
	close(done[0]);
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), M_OK);

	assert_true(store_generation(t->st) > g0);
	assert_string_equal(ts_row_name(ix, a), "Ingrid Testesen");
	assert_int_equal(search_index_sync(t->st, ix, &changed), M_OK);
	assert_int_equal(changed, 2);
	assert_int_equal(search_index_size(ix), 2);
	assert_string_equal(ts_row_name(ix, a), "Ingeborg Testesen");
	assert_int_equal(hits_for(t->st, ix, "nyankomst", a + 1), 1);
	search_index_free(ix);
}

struct stopper {
	store *st;
	int calls;
};

static void stop_at_first(void *ctx, const struct store_rotation *r)
{
	struct stopper *s = ctx;

	(void)r;
	if (s->calls++ == 0)
		store_rotate_stop(s->st);
}

/* Stopped after its first batch, a rotation stays in progress and says
 * so; run again, it finishes from there. */
static void test_rotation_stop_resumes(void **state)
{
	struct tstore *t = *state;
	struct stopper s = {t->st, 0};
	struct store_rotation r;
	uint64_t ids[4];

	for (int i = 0; i < 4; i++)
		ids[i] = ts_insert_name(t->st, "Ola", "Normann");
	assert_int_equal(store_rotate(t->st, KC_IDENTITY, 1, stop_at_first, &s), M_UNAVAILABLE);
	assert_int_equal(store_fault(t->st)->code, E_ROTATION_STOPPED);
	assert_int_equal(store_fault(t->st)->cls, KC_IDENTITY);
	assert_int_equal(store_fault(t->st)->n, 1);
	assert_int_equal(store_fault(t->st)->m, 4);
	assert_int_equal(s.calls, 1);
	assert_int_equal(store_rotation_get(t->st, KC_IDENTITY, &r), M_OK);
	assert_true(r.active);
	assert_int_equal(r.done, 1);

	/* The flag went with the stopped call: this one runs to the end. */
	s.calls = 99;
	assert_int_equal(store_rotate(t->st, KC_IDENTITY, 1, stop_at_first, &s), M_OK);
	assert_int_equal(store_rotation_get(t->st, KC_IDENTITY, &r), M_OK);
	assert_false(r.active);
	for (int i = 0; i < 4; i++) {
		struct case_rec c;
		case_init(&c);
		assert_int_equal(store_case_get(t->st, ids[i], &c), M_OK);
		assert_string_equal(case_get(&c, F_given_name), "Ola");
		case_clear(&c);
	}
}

#define FX(fn) cmocka_unit_test_setup_teardown(fn, fixture_store_setup, fixture_store_teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
	    FX(test_generation_moves_on_writes),
	    FX(test_sync_same_process),
	    FX(test_sync_other_process),
	    FX(test_rotation_stop_resumes),
	};

	return cmocka_run_group_tests_name("live", tests, fixture_keys_setup, NULL);
}
