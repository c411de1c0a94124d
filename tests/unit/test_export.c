/* The export record (issue 11, for the audit log of issue 12): every
 * export leaves one, sealed in meta before the first byte is written, with
 * who, when, which fields, how many cases, the format and the filters; one
 * changed or removed in the file is an integrity failure on reading.
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
#include "tests/unit/hdr5.h"
#include "tests/unit/raw.h"

static const char admin_pass[] = "admin passphrase one";
static const char lena_pass[] = "lena passphrase one";
static const char kari_pass[] = "kari passphrase one";

static int setup(void **state)
{
	(void)state;
	return keys_init() == KEYS_OK ? 0 : -1;
}

/* Four cases: two settled of kari's, one in programme of kari's, one
 * settled of admin's; a lead (lena) and a caseworker (kari). */
static void store_with_cases(struct tstore *t)
{
	char csv[] = "status,caseworker,given_name,family_name,address_protection\n"
	             "settled,kari,Ane,Berg,none\n"
	             "settled,kari,Per,Dal,none\n"
	             "in_programme,kari,Siv,Eng,none\n"
	             "settled,admin,Tor,Fjell,none\n";
	uint64_t *ids;
	size_t n;

	assert_int_equal(ts_create(t, 0, "admin", admin_pass), 0);
	assert_int_equal(store_user_add(t->st, "lena", ROLE_LEAD, lena_pass, strlen(lena_pass)),
	                 M_OK);
	assert_int_equal(
	    store_user_add(t->st, "kari", ROLE_CASEWORKER, kari_pass, strlen(kari_pass)), M_OK);
	int rc = store_import(t->st, "t.csv", csv, sizeof csv - 1, IMPORT_CSV, false, &ids, &n);
	if (rc)
		print_message("# %s\n", store_error(t->st));
	assert_int_equal(rc, M_OK);
	assert_int_equal(n, 4);
	free(ids);
}

/* Export into a file in memory; the bytes written, and the call's status. */
static int export_to(store *st, const struct export_spec *spec, struct export_result *res,
                     char **text, size_t *len)
{
	FILE *f = open_memstream(text, len);
	assert_non_null(f);
	int rc = store_export(st, spec, f, res);
	fclose(f);
	return rc;
}

static void records(store *st, struct export_record **r, size_t *n)
{
	int rc = store_export_records(st, r, n);
	if (rc)
		print_message("# %s\n", store_error(st));
	assert_int_equal(rc, M_OK);
}

static void test_recorded(void **state)
{
	struct tstore t;
	struct export_result res;
	struct export_record *r;
	bool fields[F_COUNT] = {false}, lists[L_COUNT] = {false};
	char *text;
	size_t len, n;
	int64_t before = (int64_t)time(NULL);

	(void)state;
	store_with_cases(&t);
	records(t.st, &r, &n);
	assert_int_equal(n, 0);
	free(r);

	/* Everything, as an administrator. */
	struct export_spec all = {.format = EXPORT_CSV};
	assert_int_equal(export_to(t.st, &all, &res, &text, &len), M_OK);
	assert_int_equal(res.cases, 4);
	assert_int_equal(res.counted, 4);
	free(text);

	/* Two fields of kari's settled cases, as JSON Lines, as the lead. */
	ts_reopen_as(&t, "lena", lena_pass);
	fields[F_given_name] = fields[F_address_protection] = true;
	struct export_spec some = {.format = EXPORT_JSONL,
	                           .fields = fields,
	                           .lists = lists,
	                           .status = "settled",
	                           .caseworker = "kari"};
	assert_int_equal(export_to(t.st, &some, &res, &text, &len), M_OK);
	assert_int_equal(res.cases, 2);
	assert_true(res.locked_field[F_address_protection]); /* a lead holds no protected key */
	assert_false(res.field[F_address_protection]);
	assert_null(strstr(text, "address_protection"));
	assert_non_null(strstr(text, "\"given_name\": \"Ane\""));
	assert_null(strstr(text, "Siv")); /* in programme */
	assert_null(strstr(text, "Tor")); /* admin's */
	free(text);

	records(t.st, &r, &n);
	assert_int_equal(n, 2);
	assert_int_equal(r[0].seq, 1);
	assert_string_equal(r[0].user, "admin");
	assert_int_equal(r[0].format, EXPORT_CSV);
	assert_int_equal(r[0].cases, 4);
	assert_int_equal(r[0].status, -1);
	assert_string_equal(r[0].caseworker, "");
	assert_true(r[0].field[F_protected_address]);
	assert_true(r[0].item[I_placements_employer]);
	assert_true(r[0].at >= before && r[0].at <= (int64_t)time(NULL));

	assert_int_equal(r[1].seq, 2);
	assert_string_equal(r[1].user, "lena");
	assert_int_equal(r[1].format, EXPORT_JSONL);
	assert_int_equal(r[1].cases, 2);
	assert_int_equal(r[1].status, STATUS_settled);
	assert_string_equal(r[1].caseworker, "kari");
	for (int f = 0; f < F_COUNT; f++)
		assert_int_equal(r[1].field[f], f == F_given_name);
	for (int g = 0; g < I_COUNT; g++)
		assert_false(r[1].item[g]);
	free(r);
	ts_destroy(&t);
}

/* The record is written before the output: an export that cannot write a
 * byte is recorded all the same. */
static void test_recorded_before_output(void **state)
{
	struct tstore t;
	struct export_result res;
	struct export_record *r;
	size_t n;
	FILE *full = fopen("/dev/full", "w");

	(void)state;
	assert_non_null(full);
	setvbuf(full, NULL, _IONBF, 0);
	store_with_cases(&t);
	struct export_spec nir = {.format = EXPORT_NIR};
	assert_int_equal(store_export(t.st, &nir, full, &res), M_UNAVAILABLE);
	assert_int_equal(store_fault(t.st)->code, E_EXPORT_WRITE_FAILED);
	fclose(full);
	records(t.st, &r, &n);
	assert_int_equal(n, 1);
	assert_int_equal(r[0].format, EXPORT_NIR);
	assert_int_equal(r[0].cases, 1); /* the one in programme */
	free(r);
	ts_destroy(&t);
}

/* Only leads and administrators export, and a refused export leaves no
 * record; nor do they read the records. */
static void test_caseworker_refused(void **state)
{
	struct tstore t;
	struct export_result res;
	struct export_record *r;
	char *text;
	size_t len, n;

	(void)state;
	store_with_cases(&t);
	ts_reopen_as(&t, "kari", kari_pass);
	struct export_spec all = {.format = EXPORT_CSV};
	assert_int_equal(export_to(t.st, &all, &res, &text, &len), M_AUTH);
	assert_int_equal(len, 0);
	free(text);
	assert_int_equal(store_export_records(t.st, &r, &n), M_AUTH);
	ts_reopen_as(&t, "admin", admin_pass);
	records(t.st, &r, &n);
	assert_int_equal(n, 0);
	free(r);
	ts_destroy(&t);
}

static void export_once(store *st)
{
	struct export_result res;
	char *text;
	size_t len;
	struct export_spec all = {.format = EXPORT_CSV};

	assert_int_equal(export_to(st, &all, &res, &text, &len), M_OK);
	free(text);
}

static size_t key(uint8_t *k, char kind, uint64_t seq)
{
	memcpy(k, "export", 7);
	k[7] = (uint8_t)kind;
	if (kind != 'r')
		return 8;
	be64(k + 8, seq);
	return 16;
}

/* A writer of the file without the keys: a record altered, one removed,
 * the last removed, or one planted; each is an integrity failure. */
static void test_tampering(void **state)
{
	struct tstore t;
	struct export_record *r;
	uint8_t k[16], v[4096], saved[4096];
	size_t klen, vlen, slen, n;

	(void)state;
	store_with_cases(&t);
	export_once(t.st);
	export_once(t.st);
	export_once(t.st);

	/* Altered: the count of cases in record 2. */
	klen = key(k, 'r', 2);
	assert_true(raw_get(t.st, DB_META, k, klen, saved, sizeof saved, &slen));
	memcpy(v, saved, slen);
	v[slen - 1] ^= 1;
	raw_put(t.st, DB_META, k, klen, v, slen);
	assert_int_equal(store_export_records(t.st, &r, &n), M_INTEGRITY);
	assert_int_equal(store_fault(t.st)->code, E_EXPORT_LOG_FORGED);

	/* Removed from the middle. */
	raw_put(t.st, DB_META, k, klen, NULL, 0);
	assert_int_equal(store_export_records(t.st, &r, &n), M_INTEGRITY);
	assert_int_equal(store_fault(t.st)->code, E_EXPORT_LOG_MISSING);
	raw_put(t.st, DB_META, k, klen, saved, slen);
	records(t.st, &r, &n);
	assert_int_equal(n, 3);
	free(r);

	/* The last removed: the sealed count says there were three. */
	klen = key(k, 'r', 3);
	assert_true(raw_get(t.st, DB_META, k, klen, saved, sizeof saved, &slen));
	raw_put(t.st, DB_META, k, klen, NULL, 0);
	assert_int_equal(store_export_records(t.st, &r, &n), M_INTEGRITY);
	assert_int_equal(store_fault(t.st)->code, E_EXPORT_LOG_MISSING);

	/* Record 2's value moved to 3's key: the MAC binds the key. */
	klen = key(k, 'r', 2);
	assert_true(raw_get(t.st, DB_META, k, klen, v, sizeof v, &vlen));
	klen = key(k, 'r', 3);
	raw_put(t.st, DB_META, k, klen, v, vlen);
	assert_int_equal(store_export_records(t.st, &r, &n), M_INTEGRITY);
	assert_int_equal(store_fault(t.st)->code, E_EXPORT_LOG_FORGED);
	raw_put(t.st, DB_META, k, klen, saved, slen);
	records(t.st, &r, &n);
	assert_int_equal(n, 3);
	free(r);

	/* The count wound back. */
	klen = key(k, 'n', 0);
	assert_true(raw_get(t.st, DB_META, k, klen, v, sizeof v, &vlen));
	v[vlen - 1] = 2;
	raw_put(t.st, DB_META, k, klen, v, vlen);
	assert_int_equal(store_export_records(t.st, &r, &n), M_INTEGRITY);
	ts_destroy(&t);
}

/* A rotation of the record class seals the records again: they still
 * read, and a new export goes on from them. */
static void test_rotation_keeps_records(void **state)
{
	struct tstore t;
	struct export_record *r;
	size_t n;

	(void)state;
	store_with_cases(&t);
	export_once(t.st);
	int rc = store_rotate(t.st, KC_RECORD, 0, NULL, NULL);
	if (rc)
		print_message("# %s\n", store_error(t.st));
	assert_int_equal(rc, M_OK);
	ts_reopen_as(&t, "admin", admin_pass);
	export_once(t.st);
	records(t.st, &r, &n);
	assert_int_equal(n, 2);
	assert_int_equal(r[1].seq, 2);
	free(r);
	ts_destroy(&t);
}

/* --caseworker and --status pick by the clear header: nothing of another
 * case is decrypted, so another caseworker's damaged case is not even
 * opened (the full export passes over it and counts it). */
static void test_filter_decrypts_nothing_else(void **state)
{
	struct tstore t;
	struct export_result res;
	uint8_t k[8], v[8192];
	size_t vlen, kk = 0;
	uint32_t len = 0;
	char *text;
	size_t tlen;

	(void)state;
	store_with_cases(&t);
	be64(k, 4); /* admin's */
	assert_true(raw_get(t.st, DB_CASES, k, sizeof k, v, sizeof v, &vlen));
	size_t at = hdr5_class_at(v, vlen, KC_IDENTITY, &len, &kk);
	v[at + kk + len - 1] ^= 1; /* the identity class's tag */
	raw_put(t.st, DB_CASES, k, sizeof k, v, vlen);

	struct export_spec all = {.format = EXPORT_CSV};
	assert_int_equal(export_to(t.st, &all, &res, &text, &tlen), M_OK);
	free(text);
	assert_int_equal(res.broken, 1);
	assert_int_equal(res.cases, 3);

	struct export_spec kari = {.format = EXPORT_CSV, .caseworker = "kari"};
	assert_int_equal(export_to(t.st, &kari, &res, &text, &tlen), M_OK);
	free(text);
	assert_int_equal(res.broken, 0);
	assert_int_equal(res.cases, 3);

	struct export_spec prog = {.format = EXPORT_JSONL, .status = "in_programme"};
	assert_int_equal(export_to(t.st, &prog, &res, &text, &tlen), M_OK);
	assert_non_null(strstr(text, "Siv"));
	free(text);
	assert_int_equal(res.broken, 0);
	assert_int_equal(res.cases, 1);
	ts_destroy(&t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_recorded),
	    cmocka_unit_test(test_recorded_before_output),
	    cmocka_unit_test(test_caseworker_refused),
	    cmocka_unit_test(test_tampering),
	    cmocka_unit_test(test_rotation_keeps_records),
	    cmocka_unit_test(test_filter_decrypts_nothing_else),
	};
	return cmocka_run_group_tests(tests, setup, NULL);
}
