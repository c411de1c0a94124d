/* My day's "newly assigned" (issue 10): the store keeps, sealed in a case's
 * class table, when another user made its caseworker theirs (an update, an
 * import, an insert for them), and for each user the time of their last
 * login to the screens under a MAC only they can make; a case assigned to
 * them since their previous login is new to them. Nothing a user gives
 * names either, nothing else moves them.
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
#include <time.h>
#include <unistd.h>

#include "store/private.h"
#include "store/store.h"
#include "tests/unit/fixture.h"
#include "tests/unit/raw.h"

static const char admin_pass[] = "admin passphrase one";
static const char kari_pass[] = "kari passphrase one";
static const char ola_pass[] = "ola passphrase one";

static int setup(void **state)
{
	(void)state;
	return keys_init() == KEYS_OK ? 0 : -1;
}

static void set(struct case_rec *c, enum field_id f, const char *v)
{
	assert_int_equal(case_set(c, f, v, strlen(v)), 0);
}

static int64_t assigned(store *st, uint64_t id)
{
	struct case_rec c;
	int64_t at;

	case_init(&c);
	int rc = store_case_get(st, id, &c);
	if (rc)
		print_message("# %s\n", store_error(st));
	assert_int_equal(rc, M_OK);
	at = c.assigned_at;
	case_clear(&c);
	return at;
}

static void update(store *st, uint64_t id, enum field_id f, const char *v)
{
	struct case_rec c;

	case_init(&c);
	c.id = id;
	set(&c, f, v);
	int rc = store_case_update(st, &c, 0);
	if (rc)
		print_message("# %s\n", store_error(st));
	assert_int_equal(rc, M_OK);
	case_clear(&c);
}

/* A store with admin, kari and ola (caseworkers), and case 1 inserted by
 * admin for admin; left unlocked as admin. */
static void store_with_case(struct tstore *t)
{
	struct case_rec c;
	uint64_t id;

	assert_int_equal(ts_create(t, 0, "admin", admin_pass), 0);
	assert_int_equal(
	    store_user_add(t->st, "kari", ROLE_CASEWORKER, kari_pass, strlen(kari_pass)), M_OK);
	assert_int_equal(store_user_add(t->st, "ola", ROLE_CASEWORKER, ola_pass, strlen(ola_pass)),
	                 M_OK);
	case_init(&c);
	set(&c, F_given_name, "Zqxa");
	set(&c, F_family_name, "Zqxb");
	assert_int_equal(store_case_insert(t->st, &c, 1, &id), M_OK);
	assert_int_equal(id, 1);
	case_clear(&c);
}

/* ---- the assignment time ----------------------------------------------------- */

/* Set when the caseworker changes to someone other than the user saving;
 * kept by every other save, a note and a rotation of the record class;
 * cleared when a caseworker takes the case themselves. */
static void test_assigned_on_update(void **state)
{
	struct tstore t;
	int64_t before, after, at;

	(void)state;
	store_with_case(&t);
	assert_true(assigned(t.st, 1) == 0); /* admin's own */

	before = (int64_t)time(NULL);
	update(t.st, 1, F_caseworker, "kari");
	after = (int64_t)time(NULL);
	at = assigned(t.st, 1);
	assert_true(at >= before && at <= after);

	/* Everything else keeps it: other fields, the same caseworker given
	 * again, a note, a rotation, kari's own saves. */
	update(t.st, 1, F_phone, "+4791111111");
	update(t.st, 1, F_caseworker, "kari");
	assert_int_equal(store_note_add(t.st, 1, NOTE_PHONE, false, "Zqx", 3), M_OK);
	assert_int_equal(store_rotate(t.st, KC_RECORD, 0, NULL, NULL), M_OK);
	ts_reopen_as(&t, "kari", kari_pass);
	update(t.st, 1, F_phone, "+4792222222");
	assert_true(assigned(t.st, 1) == at);

	/* Kari hands it to ola: new to ola. */
	update(t.st, 1, F_caseworker, "ola");
	assert_true(assigned(t.st, 1) >= at);
	assert_true(assigned(t.st, 1) != 0);

	/* Ola takes... kari takes it back herself: not news to her. */
	update(t.st, 1, F_caseworker, "kari");
	assert_true(assigned(t.st, 1) == 0);
	ts_destroy(&t);
}

/* An insert for another user (the command line's add, an import's
 * caseworker column) is an assignment; one for oneself, or an import
 * without the column, is not. */
static void test_assigned_on_insert_and_import(void **state)
{
	struct tstore t;
	struct case_rec c;
	uint64_t id, *ids = NULL;
	size_t n = 0;
	int64_t before = (int64_t)time(NULL);

	(void)state;
	store_with_case(&t);
	case_init(&c);
	set(&c, F_given_name, "Zqxc");
	set(&c, F_caseworker, "kari");
	assert_int_equal(store_case_insert(t.st, &c, 1, &id), M_OK);
	assert_true(c.assigned_at >= before);
	case_clear(&c);
	assert_true(assigned(t.st, id) >= before);

	char buf[] = "given_name,caseworker\nZqxd,kari\nZqxe,\nZqxf,admin\n";
	assert_int_equal(
	    store_import(t.st, "cases.csv", buf, strlen(buf), IMPORT_CSV, false, &ids, &n), M_OK);
	assert_int_equal(n, 3);
	assert_true(assigned(t.st, ids[0]) >= before);
	assert_true(assigned(t.st, ids[1]) == 0);
	assert_true(assigned(t.st, ids[2]) == 0);
	free(ids);
	ids = NULL;

	/* Nobody names it: there is no field for it. */
	char named[] = "given_name,assigned_at\nZqxg,2026-01-01\n";
	assert_int_equal(
	    store_import(t.st, "cases.csv", named, strlen(named), IMPORT_CSV, false, &ids, &n),
	    M_INPUT);
	free(ids);
	ts_destroy(&t);
}

/* The table with it is as long in the file as the one before it (three
 * pad blocks), and the time is not in clear. */
static void test_assigned_sealed(void **state)
{
	struct tstore t;
	uint8_t k[8], b1[4096];
	size_t n1;
	struct raw r = {.db = DB_CASES, .k = k, .klen = 8};

	(void)state;
	store_with_case(&t);
	be64(k, 1);
	assert_int_equal(st_txn(t.st, false, raw_get_txn, &r), M_OK);
	n1 = r.gotlen;
	memcpy(b1, r.got, n1);
	update(t.st, 1, F_caseworker, "kari");
	assert_int_equal(st_txn(t.st, false, raw_get_txn, &r), M_OK);
	/* Only the caseworker's name (clear) made it longer. */
	assert_int_equal(r.gotlen, n1 + strlen("kari") - strlen("admin"));
	assert_int_equal(keys_envelope_size(69), keys_envelope_size(77));
	ts_destroy(&t);
}

/* ---- the last login ---------------------------------------------------------- */

static void test_login_recorded(void **state)
{
	struct tstore t;
	int64_t t0, t1;

	(void)state;
	store_with_case(&t);
	ts_reopen_as(&t, "kari", kari_pass);
	assert_true(store_previous_login(t.st) == 0);
	t0 = (int64_t)time(NULL);
	assert_int_equal(store_login_note(t.st), M_OK);
	/* Her first: from just after her enrolment. */
	assert_true(store_previous_login(t.st) > 0 && store_previous_login(t.st) <= t0 + 1);

	/* A command's unlock is no login to the screens. */
	ts_reopen_as(&t, "kari", kari_pass);
	assert_true(store_previous_login(t.st) == 0);
	t1 = (int64_t)time(NULL);
	assert_int_equal(store_login_note(t.st), M_OK);
	assert_true(store_previous_login(t.st) >= t0 && store_previous_login(t.st) <= t1);

	/* Each user their own. */
	ts_reopen_as(&t, "ola", ola_pass);
	assert_int_equal(store_login_note(t.st), M_OK);
	assert_true(store_previous_login(t.st) <= t0 + 1);
	ts_reopen_as(&t, "kari", kari_pass);
	assert_int_equal(store_login_note(t.st), M_OK);
	assert_true(store_previous_login(t.st) >= t1);
	ts_destroy(&t);
}

/* Nobody writes kari's last login for her: ola's entry copied to kari's
 * key, or any other bytes, count as no login (what was assigned to her
 * since her enrolment shows as new: nothing is hidden). */
static void test_login_not_forgeable(void **state)
{
	struct tstore t;
	struct raw r = {.db = DB_META, .k = "login\0ola", .klen = 9};
	uint8_t v[40];
	int64_t enrolled;

	(void)state;
	store_with_case(&t);
	ts_reopen_as(&t, "kari", kari_pass);
	assert_int_equal(store_login_note(t.st), M_OK);
	enrolled = store_previous_login(t.st); /* her first login's: her enrolment */
	assert_true(enrolled > 0);
	ts_reopen_as(&t, "ola", ola_pass);
	assert_int_equal(store_login_note(t.st), M_OK);
	assert_int_equal(st_txn(t.st, false, raw_get_txn, &r), M_OK);
	assert_true(r.found);
	assert_int_equal(r.gotlen, sizeof v);
	memcpy(v, r.got, sizeof v);
	ts_reopen_as(&t, "kari", kari_pass);
	assert_int_equal(store_login_note(t.st), M_OK);
	raw_put(t.st, DB_META, "login\0kari", 10, v, sizeof v);
	ts_reopen_as(&t, "kari", kari_pass);
	assert_int_equal(store_login_note(t.st), M_OK);
	assert_true(store_previous_login(t.st) == enrolled);

	/* Her own entry with its time moved: no login either. */
	r.k = "login\0kari";
	r.klen = 10;
	assert_int_equal(st_txn(t.st, false, raw_get_txn, &r), M_OK);
	memcpy(v, r.got, sizeof v);
	v[7] ^= 1;
	raw_put(t.st, DB_META, "login\0kari", 10, v, sizeof v);
	ts_reopen_as(&t, "kari", kari_pass);
	assert_int_equal(store_login_note(t.st), M_OK);
	assert_true(store_previous_login(t.st) == enrolled);
	ts_destroy(&t);
}

/* A revoked user's last login goes with them (review of issue 10). */
static void test_login_dropped_at_revoke(void **state)
{
	struct tstore t;
	key_classes held;
	bool authority;

	(void)state;
	store_with_case(&t);
	ts_reopen_as(&t, "ola", ola_pass);
	assert_int_equal(store_login_note(t.st), M_OK);
	assert_true(raw_get(t.st, DB_META, "login\0ola", 9, NULL, 0, NULL));
	ts_reopen_as(&t, "admin", admin_pass);
	assert_int_equal(store_user_revoke(t.st, "ola", &held, &authority), M_OK);
	assert_false(raw_get(t.st, DB_META, "login\0ola", 9, NULL, 0, NULL));
	ts_destroy(&t);
}

/* ---- newly assigned ---------------------------------------------------------- */

struct seen {
	uint64_t id[8];
	size_t n;
	bool named;
};

static int on_assigned(void *ctx, const struct case_rec *c)
{
	struct seen *s = ctx;

	assert_true(s->n < 8);
	s->id[s->n++] = c->id;
	s->named = c->value[F_given_name] != NULL;
	return M_OK;
}

static void test_assigned_since(void **state)
{
	struct tstore t;
	struct seen s = {0};
	struct case_rec c;
	uint64_t id;

	(void)state;
	store_with_case(&t);
	sleep(1); /* after kari's enrolment's second */
	update(t.st, 1, F_caseworker, "kari");
	case_init(&c);
	set(&c, F_given_name, "Zqxh");
	set(&c, F_caseworker, "ola");
	assert_int_equal(store_case_insert(t.st, &c, 1, &id), M_OK);
	case_clear(&c);

	/* Kari's first login: case 1 is new to her, ola's is not hers. */
	ts_reopen_as(&t, "kari", kari_pass);
	assert_int_equal(store_login_note(t.st), M_OK);
	assert_int_equal(store_assigned_since(t.st, store_previous_login(t.st), on_assigned, &s),
	                 M_OK);
	assert_int_equal(s.n, 1);
	assert_int_equal(s.id[0], 1);
	assert_true(s.named);

	/* Later than anything assigned: nothing new. */
	memset(&s, 0, sizeof s);
	assert_int_equal(store_assigned_since(t.st, (int64_t)time(NULL) + 10, on_assigned, &s),
	                 M_OK);
	assert_int_equal(s.n, 0);

	/* Ola's case handed to kari after her login: new at her next. */
	ts_reopen_as(&t, "admin", admin_pass);
	update(t.st, id, F_caseworker, "kari");
	ts_reopen_as(&t, "kari", kari_pass);
	assert_int_equal(store_login_note(t.st), M_OK);
	memset(&s, 0, sizeof s);
	assert_int_equal(store_assigned_since(t.st, store_previous_login(t.st), on_assigned, &s),
	                 M_OK);
	assert_true(s.n >= 1);
	assert_int_equal(s.id[s.n - 1], id);
	ts_destroy(&t);
}

/* A user's first login counts from their enrolment: the cases imported for
 * them before they came are not news (a unit's first import), those given
 * to them since are. */
static void test_first_login_from_enrolment(void **state)
{
	struct tstore t;
	struct seen s = {0};
	uint64_t *ids = NULL;
	size_t n = 0;
	char buf[] = "given_name,caseworker\nZqxi,kari\nZqxj,ada\n";

	(void)state;
	assert_int_equal(ts_create(&t, 0, "admin", admin_pass), 0);
	assert_int_equal(
	    store_import(t.st, "cases.csv", buf, strlen(buf), IMPORT_CSV, false, &ids, &n), M_OK);
	assert_int_equal(n, 2);
	sleep(1); /* the import's second is over */
	assert_int_equal(
	    store_user_add(t.st, "kari", ROLE_CASEWORKER, kari_pass, strlen(kari_pass)), M_OK);
	sleep(1);
	update(t.st, ids[1], F_caseworker, "kari");
	ts_reopen_as(&t, "kari", kari_pass);
	assert_int_equal(store_login_note(t.st), M_OK);
	assert_int_equal(store_assigned_since(t.st, store_previous_login(t.st), on_assigned, &s),
	                 M_OK);
	assert_int_equal(s.n, 1);
	assert_int_equal(s.id[0], ids[1]);
	free(ids);
	ts_destroy(&t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_assigned_on_update),
	    cmocka_unit_test(test_assigned_on_insert_and_import),
	    cmocka_unit_test(test_assigned_sealed),
	    cmocka_unit_test(test_login_recorded),
	    cmocka_unit_test(test_login_not_forgeable),
	    cmocka_unit_test(test_login_dropped_at_revoke),
	    cmocka_unit_test(test_assigned_since),
	    cmocka_unit_test(test_first_login_from_enrolment),
	};
	return cmocka_run_group_tests(tests, setup, NULL);
}
