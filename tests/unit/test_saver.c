/* Who saved a case (issue 9): every version records the enrolled user who
 * made it and when, sealed in the case's class table under the record class
 * (every user reads it, the file does not show it); a case last written
 * before that, or moved from format 4, reads as saved by someone unknown;
 * nothing a user gives (update's JSON, an import) can name the saver. And
 * an update decrypts each class it touches once, not once to compare and
 * again to save (this file links with keys_open_bucket and keys_open
 * wrapped, to count them).
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

#include "store/private.h"
#include "store/store.h"
#include "tests/unit/fixture.h"
#include "tests/unit/raw.h"

static const char admin_pass[] = "admin passphrase one";
static const char kari_pass[] = "kari passphrase one";
static const char helga_pass[] = "helga passphrase one";
/* As long as a user name may be: the table keeps room for it. */
static const char long_name[] = "a_colleague_with_a_long_login_32";
static const char long_pass[] = "long passphrase one";

/* ---- counting decryptions ---------------------------------------------------- */

static unsigned opens_bucket, opens_plain;

int __real_keys_open_bucket(const keyring *kr, const struct keys_place *place, const uint8_t *env,
                            size_t envlen, uint8_t *out, size_t outcap, size_t *outlen);
int __wrap_keys_open_bucket(const keyring *kr, const struct keys_place *place, const uint8_t *env,
                            size_t envlen, uint8_t *out, size_t outcap, size_t *outlen);
int __real_keys_open(const keyring *kr, const struct keys_place *place, const uint8_t *env,
                     size_t envlen, uint8_t *out, size_t outcap, size_t *outlen);
int __wrap_keys_open(const keyring *kr, const struct keys_place *place, const uint8_t *env,
                     size_t envlen, uint8_t *out, size_t outcap, size_t *outlen);

int __wrap_keys_open_bucket(const keyring *kr, const struct keys_place *place, const uint8_t *env,
                            size_t envlen, uint8_t *out, size_t outcap, size_t *outlen)
{
	opens_bucket++;
	return __real_keys_open_bucket(kr, place, env, envlen, out, outcap, outlen);
}

int __wrap_keys_open(const keyring *kr, const struct keys_place *place, const uint8_t *env,
                     size_t envlen, uint8_t *out, size_t outcap, size_t *outlen)
{
	opens_plain++;
	return __real_keys_open(kr, place, env, envlen, out, outcap, outlen);
}

/* ---- helpers ------------------------------------------------------------------- */

static int setup(void **state)
{
	(void)state;
	return keys_init() == KEYS_OK ? 0 : -1;
}

static void set(struct case_rec *c, enum field_id f, const char *v)
{
	assert_int_equal(case_set(c, f, v, strlen(v)), 0);
}

static void get(store *st, uint64_t id, struct case_rec *c)
{
	case_init(c);
	int rc = store_case_get(st, id, c);
	if (rc)
		print_message("# %s\n", store_error(st));
	assert_int_equal(rc, M_OK);
}

/* A store with admin, kari (caseworker) and helga (health), and case 1
 * inserted by admin; left unlocked as admin. */
static void store_with_case(struct tstore *t)
{
	struct case_rec c;
	uint64_t id;

	assert_int_equal(ts_create(t, 0, "admin", admin_pass), 0);
	assert_int_equal(
	    store_user_add(t->st, "kari", ROLE_CASEWORKER, kari_pass, strlen(kari_pass)), M_OK);
	assert_int_equal(
	    store_user_add(t->st, "helga", ROLE_HEALTH, helga_pass, strlen(helga_pass)), M_OK);
	case_init(&c);
	set(&c, F_given_name, "Zqxa");
	set(&c, F_family_name, "Zqxb");
	set(&c, F_phone, "+4791111111");
	set(&c, F_health_needs, "Zqx behov");
	assert_int_equal(store_case_insert(t->st, &c, 1, &id), M_OK);
	assert_int_equal(id, 1);
	case_clear(&c);
}

static void update_phone(store *st, uint64_t id, const char *phone)
{
	struct case_rec c;

	case_init(&c);
	c.id = id;
	set(&c, F_phone, phone);
	int rc = store_case_update(st, &c, 0);
	if (rc)
		print_message("# %s\n", store_error(st));
	assert_int_equal(rc, M_OK);
	case_clear(&c);
}

/* The case's value in the cases table, as a copy of the file shows it. */
static size_t raw_case(store *st, uint64_t id, uint8_t *out, size_t cap)
{
	uint8_t k[8];
	struct raw r = {.db = DB_CASES, .k = k, .klen = 8};

	be64(k, id);
	assert_int_equal(st_txn(st, false, raw_get_txn, &r), M_OK);
	assert_true(r.found);
	assert_true(r.gotlen <= cap);
	memcpy(out, r.got, r.gotlen);
	return r.gotlen;
}

static bool contains(const uint8_t *b, size_t n, const char *s)
{
	size_t m = strlen(s);

	for (size_t i = 0; i + m <= n; i++)
		if (memcmp(b + i, s, m) == 0)
			return true;
	return false;
}

/* ---- the saver ------------------------------------------------------------------- */

/* An insert and every update record who made the version and when; the
 * save's own case_rec learns it too. */
static void test_save_records_saver(void **state)
{
	struct tstore t;
	struct case_rec c;
	int64_t before, after;

	(void)state;
	store_with_case(&t);
	get(t.st, 1, &c);
	assert_string_equal(c.saved_by, "admin");
	assert_true(c.saved_at > 0);
	case_clear(&c);

	ts_reopen_as(&t, "kari", kari_pass);
	before = (int64_t)time(NULL);
	case_init(&c);
	c.id = 1;
	set(&c, F_phone, "+4792222222");
	assert_int_equal(store_case_update(t.st, &c, 1), M_OK);
	after = (int64_t)time(NULL);
	assert_string_equal(c.saved_by, "kari");
	assert_true(c.saved_at >= before && c.saved_at <= after);
	case_clear(&c);

	/* Another process reads it: a health worker, who holds other classes. */
	ts_reopen_as(&t, "helga", helga_pass);
	get(t.st, 1, &c);
	assert_int_equal(c.version, 2);
	assert_string_equal(c.saved_by, "kari");
	assert_true(c.saved_at >= before && c.saved_at <= after);
	case_clear(&c);

	/* Helga's save of her own class makes her the saver. */
	case_init(&c);
	c.id = 1;
	set(&c, F_health_needs, "Zqx annet");
	assert_int_equal(store_case_update(t.st, &c, 2), M_OK);
	case_clear(&c);
	ts_reopen_as(&t, "admin", admin_pass);
	get(t.st, 1, &c);
	assert_string_equal(c.saved_by, "helga");
	case_clear(&c);
	ts_destroy(&t);
}

/* What makes no version leaves the saver: a save of the values stored
 * already, a journal note (it moves c.updated only), a rotation of the
 * record class that seals the table anew. */
static void test_saver_kept_without_a_version(void **state)
{
	struct tstore t;
	struct case_rec c;
	int64_t at;

	(void)state;
	store_with_case(&t);
	ts_reopen_as(&t, "kari", kari_pass);
	update_phone(t.st, 1, "+4792222222");
	get(t.st, 1, &c);
	at = c.saved_at;
	case_clear(&c);

	ts_reopen_as(&t, "admin", admin_pass);
	update_phone(t.st, 1, "+4792222222"); /* unchanged: no version */
	assert_int_equal(store_note_add(t.st, 1, NOTE_PHONE, false, "Zqx", 3), M_OK);
	assert_int_equal(store_rotate(t.st, KC_RECORD, 0, NULL, NULL), M_OK);
	get(t.st, 1, &c);
	assert_int_equal(c.version, 2);
	assert_int_equal(c.notes, 1);
	assert_string_equal(c.saved_by, "kari");
	assert_true(c.saved_at == at);
	case_clear(&c);
	ts_destroy(&t);
}

/* ---- cases without a saver ------------------------------------------------------- */

/* A format-5 case as every mappe before this one wrote it: the class table
 * without the saver (its header re-sealed without one). */
static int forget_saver_txn(store *st, MDB_txn *txn, void *vctx)
{
	uint64_t id = *(uint64_t *)vctx;
	struct rec_header h = {0};
	int rc;

	if ((rc = st_load_epochs(st, txn)) || (rc = st_hdr_read(st, txn, id, &h)))
		return rc;
	h.saved_by[0] = 0;
	h.saved_at = 0;
	return st_hdr_write(st, txn, id, &h);
}

static void test_old_case_unknown(void **state)
{
	struct tstore t;
	struct case_rec c;
	uint64_t id = 1;
	uint8_t before[4096], now[4096];
	size_t nb, nn;

	(void)state;
	store_with_case(&t);
	nb = raw_case(t.st, 1, before, sizeof before);
	assert_int_equal(st_txn(t.st, true, forget_saver_txn, &id), M_OK);
	nn = raw_case(t.st, 1, now, sizeof now);
	/* The old table is two pad blocks shorter: this is the old layout. */
	assert_int_equal(nb - nn, keys_envelope_size(69) - keys_envelope_size(28));

	ts_reopen_as(&t, "kari", kari_pass);
	get(t.st, 1, &c);
	assert_string_equal(c.saved_by, "");
	assert_true(c.saved_at == 0);
	assert_string_equal(c.value[F_given_name], "Zqxa");
	case_clear(&c);
	/* Its next save records the saver. */
	update_phone(t.st, 1, "+4793333333");
	get(t.st, 1, &c);
	assert_string_equal(c.saved_by, "kari");
	case_clear(&c);
	ts_destroy(&t);
}

/* A case of format 4 (no class table at all), moved by mappe migrate:
 * the migration is no save, so nobody is named. */
static int plant_v4_txn(store *st, MDB_txn *txn, void *vctx)
{
	struct rec_header h = {0};
	uint8_t cursor[8] = {0};
	int rc;

	(void)vctx;
	h.format = HDR_FORMAT;
	h.version = 3;
	h.created = h.updated = st_now();
	snprintf(h.caseworker, sizeof h.caseworker, "kari");
	if ((rc = st_load_epochs(st, txn)) || (rc = st_hdr_write(st, txn, 2, &h)) ||
	    (rc = st_put(st, txn, DB_META, "migrate", 7, cursor, sizeof cursor, 0)))
		return rc;
	return st_counter_write(st, txn, st->kr, 3);
}

static void test_migrated_case_unknown(void **state)
{
	struct tstore t;
	struct case_rec c;

	(void)state;
	store_with_case(&t);
	assert_int_equal(st_txn(t.st, true, plant_v4_txn, NULL), M_OK);
	ts_reopen_as(&t, "admin", admin_pass);
	get(t.st, 2, &c);
	assert_string_equal(c.saved_by, ""); /* format 4 has no place for one */
	case_clear(&c);
	assert_int_equal(store_migrate(t.st, 0, NULL, NULL), M_OK);
	get(t.st, 2, &c);
	assert_int_equal(c.version, 3);
	assert_string_equal(c.saved_by, "");
	assert_true(c.saved_at == 0);
	case_clear(&c);
	/* The case that was format 5 already keeps its saver through it. */
	get(t.st, 1, &c);
	assert_string_equal(c.saved_by, "admin");
	case_clear(&c);
	ts_destroy(&t);
}

/* ---- nobody names the saver ------------------------------------------------------ */

static void test_saver_not_settable(void **state)
{
	struct tstore t;
	struct case_rec c;
	struct store_fault fault;
	uint32_t expect;
	uint64_t *ids = NULL;
	size_t n = 0;
	static const char *const updates[] = {
	    "{\"saved_by\": \"helga\"}",
	    "{\"_saved_by\": \"helga\"}",
	    "{\"phone\": \"+4794444444\", \"saved_by\": \"helga\"}",
	    "{\"phone\": \"+4794444444\", \"_saved_by\": \"helga\"}",
	};
	static const char *const imports[] = {
	    "{\"given_name\": \"Zqxc\", \"saved_by\": \"helga\"}\n",
	    "{\"given_name\": \"Zqxc\", \"_saved_by\": \"helga\"}\n",
	};

	(void)state;
	store_with_case(&t);
	ts_reopen_as(&t, "kari", kari_pass);
	for (size_t i = 0; i < sizeof updates / sizeof *updates; i++) {
		char buf[128];
		snprintf(buf, sizeof buf, "%s", updates[i]);
		case_init(&c);
		c.id = 1;
		assert_int_equal(case_apply_json(&c, buf, strlen(buf), &expect, &fault), M_INPUT);
		case_clear(&c);
	}
	/* What update takes is saved under the session's own name. */
	{
		char buf[] = "{\"phone\": \"+4794444444\", \"_version\": 1}";
		case_init(&c);
		c.id = 1;
		assert_int_equal(case_apply_json(&c, buf, strlen(buf), &expect, &fault), M_OK);
		assert_int_equal(store_case_update(t.st, &c, expect), M_OK);
		case_clear(&c);
	}
	get(t.st, 1, &c);
	assert_string_equal(c.saved_by, "kari");
	case_clear(&c);

	/* An import (a lead's or administrator's) can name no saver either. */
	ts_reopen_as(&t, "admin", admin_pass);
	for (size_t i = 0; i < sizeof imports / sizeof *imports; i++) {
		char buf[128];
		snprintf(buf, sizeof buf, "%s", imports[i]);
		assert_int_equal(store_import(t.st, "cases.jsonl", buf, strlen(buf), IMPORT_JSONL,
		                              false, &ids, &n),
		                 M_INPUT);
		free(ids);
		ids = NULL;
	}
	{
		char buf[] = "given_name,saved_by\nZqxc,helga\n";
		assert_int_equal(
		    store_import(t.st, "cases.csv", buf, strlen(buf), IMPORT_CSV, false, &ids, &n),
		    M_INPUT);
		free(ids);
		ids = NULL;
	}
	{
		char buf[] = "given_name\nZqxc\n";
		assert_int_equal(
		    store_import(t.st, "cases.csv", buf, strlen(buf), IMPORT_CSV, false, &ids, &n),
		    M_OK);
		assert_int_equal(n, 1);
		get(t.st, ids[0], &c);
		assert_string_equal(c.saved_by, "admin"); /* who imported it */
		case_clear(&c);
		free(ids);
	}
	ts_destroy(&t);
}

/* ---- what the file shows ----------------------------------------------------------- */

/* The saver is sealed, and its length does not show: a case saved by a
 * one-letter login and by the longest one are the same size in the file. */
static void test_saver_sealed(void **state)
{
	struct tstore t;
	uint8_t a[4096], b[4096];
	size_t na, nb;

	(void)state;
	store_with_case(&t);
	assert_int_equal(
	    store_user_add(t.st, long_name, ROLE_CASEWORKER, long_pass, strlen(long_pass)), M_OK);
	assert_int_equal(store_user_add(t.st, "k", ROLE_CASEWORKER, kari_pass, strlen(kari_pass)),
	                 M_OK);
	ts_reopen_as(&t, "k", kari_pass);
	update_phone(t.st, 1, "+4792222222");
	na = raw_case(t.st, 1, a, sizeof a);
	ts_reopen_as(&t, long_name, long_pass);
	update_phone(t.st, 1, "+4793333333");
	nb = raw_case(t.st, 1, b, sizeof b);
	assert_int_equal(na, nb);
	assert_false(contains(b, nb, long_name));
	ts_reopen_as(&t, "helga", helga_pass);
	{
		struct case_rec c;
		case_init(&c);
		c.id = 1;
		set(&c, F_health_needs, "Zqx annet");
		assert_int_equal(store_case_update(t.st, &c, 0), M_OK);
		case_clear(&c);
	}
	nb = raw_case(t.st, 1, b, sizeof b);
	assert_false(contains(b, nb, "helga"));
	ts_destroy(&t);
}

/* ---- one decryption per class ------------------------------------------------------ */

/* An update opens the case's class table once and each class it touches
 * once: comparing the given values with the stored ones and rebuilding the
 * class share one decryption. */
static void test_update_decrypts_once(void **state)
{
	struct tstore t;
	struct case_rec c;

	(void)state;
	store_with_case(&t);

	/* One field of one class. */
	opens_bucket = opens_plain = 0;
	update_phone(t.st, 1, "+4792222222");
	assert_int_equal(opens_bucket, 1);
	assert_int_equal(opens_plain, 1);

	/* The same value again: compared, nothing written. */
	opens_bucket = opens_plain = 0;
	update_phone(t.st, 1, "+4792222222");
	assert_int_equal(opens_bucket, 1);
	assert_int_equal(opens_plain, 1);

	/* The national id (its class also holds the blind index's old value)
	 * and a field of a second class. */
	opens_bucket = opens_plain = 0;
	case_init(&c);
	c.id = 1;
	set(&c, F_national_id, "01019012345");
	set(&c, F_phone, "+4793333333");
	assert_int_equal(store_case_update(t.st, &c, 0), M_OK);
	case_clear(&c);
	assert_int_equal(opens_bucket, 2);
	assert_int_equal(opens_plain, 1);

	/* A new list item: the list's class is scanned for its ids and
	 * rebuilt from the same decryption. */
	opens_bucket = opens_plain = 0;
	case_init(&c);
	c.id = 1;
	int it = case_item_add(&c, L_placements);
	assert_true(it >= 0);
	assert_int_equal(case_item_set(&c, it, I_placements_employer, "Zqx En", 6), 0);
	assert_int_equal(store_case_update(t.st, &c, 0), M_OK);
	case_clear(&c);
	assert_int_equal(opens_bucket, 1);
	assert_int_equal(opens_plain, 1);

	get(t.st, 1, &c);
	assert_int_equal(case_item_next(&c, L_placements, 0) >= 0, 1);
	assert_string_equal(c.value[F_national_id], "01019012345");
	assert_string_equal(c.value[F_phone], "+4793333333");
	assert_string_equal(c.value[F_given_name], "Zqxa");
	assert_string_equal(c.value[F_health_needs], "Zqx behov");
	case_clear(&c);
	ts_destroy(&t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_save_records_saver),
	    cmocka_unit_test(test_saver_kept_without_a_version),
	    cmocka_unit_test(test_old_case_unknown),
	    cmocka_unit_test(test_migrated_case_unknown),
	    cmocka_unit_test(test_saver_not_settable),
	    cmocka_unit_test(test_saver_sealed),
	    cmocka_unit_test(test_update_decrypts_once),
	};
	return cmocka_run_group_tests(tests, setup, NULL);
}
