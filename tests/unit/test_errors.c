/* Errors are codes (issue 8): every failure of the store is a code of
 * store/errors.def with structured arguments; its message is rendered from
 * a template, in English by the store and in the user's language by the
 * UI, which may move the arguments. */
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
#include "tests/unit/nid.h"

static int setup(void **state)
{
	(void)state;
	return keys_init() == KEYS_OK ? 0 : -1;
}

/* Every code has a message, an exit status that is a failure, and names
 * only arguments the renderer knows (an unknown one would stay in braces). */
static void test_every_code(void **state)
{
	struct store_fault f = {0};
	char out[1024];

	(void)state;
	assert_int_equal(store_code_status(E_NONE), M_OK);
	for (int c = E_NONE + 1; c < E_COUNT; c++) {
		const char *msg = store_code_message((enum store_code)c);
		enum mappe_status s = store_code_status((enum store_code)c);

		assert_non_null(msg);
		assert_true(msg[0] != '\0');
		assert_true(s >= M_USAGE && s <= M_UNAVAILABLE);
		f.code = (enum store_code)c;
		store_fault_format(&f, NULL, out, sizeof out);
		if (strchr(out, '{') || strchr(out, '}'))
			fail_msg("code %d: an unknown argument in \"%s\"", c, msg);
		/* No printf conversions: a template is never a format string. */
		for (const char *p = msg; (p = strchr(p, '%')); p++)
			fail_msg("code %d: a %% in \"%s\"", c, msg);
	}
}

static void test_arguments(void **state)
{
	struct store_fault f = {.code = E_FIELD_NEEDS_KEY, .field = F_national_id, .cls = KC_IDENTITY};
	char out[256];

	(void)state;
	store_fault_format(&f, NULL, out, sizeof out);
	assert_string_equal(out, "not permitted: field national_id needs the identity key");

	f = (struct store_fault){.code = E_CASE_CHANGED, .record = 42, .n = 3, .m = 5};
	store_fault_format(&f, NULL, out, sizeof out);
	assert_string_equal(out, "case 42 changed since version 3 (now version 5); nothing saved");

	f = (struct store_fault){.code = E_GRANT_BY_ROLE, .cls = KC_HEALTH, .role = ROLE_HEALTH};
	strcpy(f.name, "helga");
	store_fault_format(&f, NULL, out, sizeof out);
	assert_string_equal(out, "user helga holds health through the role health; change the role");
}

/* A fault from an input file is named after its file and line. */
static void test_file_and_line(void **state)
{
	struct store_fault f = {.code = E_NO_CASE, .record = 7, .line = 12};
	char out[256];

	(void)state;
	strcpy(f.file, "people.csv");
	store_fault_format(&f, NULL, out, sizeof out);
	assert_string_equal(out, "people.csv:12: no case 7");
	f.line = 0;
	strcpy(f.file, "stdin");
	store_fault_format(&f, NULL, out, sizeof out);
	assert_string_equal(out, "stdin: no case 7");
}

static const char *norwegian(const char *msgid)
{
	if (strcmp(msgid, "not permitted: field {field} needs the {class} key") == 0)
		return "ikke tillatt: {class}-nøkkelen trengs for feltet {field}";
	if (strcmp(msgid, "identity") == 0)
		return "identitet";
	if (strcmp(msgid, "field {field}: {why}") == 0)
		return "felt {field}: {why}";
	if (strcmp(msgid, "must be 11 digits") == 0)
		return "må være 11 sifre";
	return msgid;
}

/* The UI's translation moves arguments, and translates the class and the
 * reason; the store's own text stays English. */
static void test_translated(void **state)
{
	struct store_fault f = {.code = E_FIELD_NEEDS_KEY, .field = F_national_id, .cls = KC_IDENTITY};
	char out[256];

	(void)state;
	store_fault_format(&f, norwegian, out, sizeof out);
	assert_string_equal(out, "ikke tillatt: identitet-nøkkelen trengs for feltet national_id");
	f = (struct store_fault){.code = E_FIELD_INVALID, .field = F_national_id,
	                         .why = "must be 11 digits"};
	store_fault_format(&f, norwegian, out, sizeof out);
	assert_string_equal(out, "felt national_id: må være 11 sifre");
}

/* Like snprintf: the length it needed, and a terminated prefix. */
static void test_truncation(void **state)
{
	struct store_fault f = {.code = E_NO_CASE, .record = 123456};
	char out[8];
	size_t n;

	(void)state;
	n = store_fault_format(&f, NULL, out, sizeof out);
	assert_int_equal(n, strlen("no case 123456"));
	assert_string_equal(out, "no case");
	assert_int_equal(store_fault_format(&f, NULL, NULL, 0), n);
}

/* A real store reports what went wrong as data: the code and the case. */
static void test_store_reports_codes(void **state)
{
	struct tstore t = {0};
	struct case_rec c;

	(void)state;
	assert_int_equal(ts_create(&t, 0, "admin", "admin passphrase one"), M_OK);
	case_init(&c);
	assert_int_equal(store_case_get(t.st, 77, &c), M_INPUT);
	assert_int_equal(store_fault(t.st)->code, E_NO_CASE);
	assert_int_equal(store_fault(t.st)->record, 77);
	assert_string_equal(store_error(t.st), "no case 77");
	case_clear(&c);

	store_lock(t.st);
	assert_int_equal(store_case_get(t.st, 1, &c), M_AUTH);
	assert_int_equal(store_fault(t.st)->code, E_NOT_UNLOCKED);
	ts_destroy(&t);
}

/* Before there is a store, the failure comes out as a fault too. */
static void test_open_reports_codes(void **state)
{
	struct store_fault f = {0};
	store *st = NULL;

	(void)state;
	assert_int_equal(store_open("/nonexistent/mappe", NULL, &st, &f), M_UNAVAILABLE);
	assert_null(st);
	assert_int_equal(f.code, E_NO_STORE);
	assert_string_equal(f.dir, "/nonexistent/mappe");
	assert_int_equal(store_open("/nonexistent/mappe", NULL, &st, NULL), M_UNAVAILABLE);
}

static int del_txn(store *st, MDB_txn *txn, void *ctx)
{
	uint8_t k[8];
	MDB_val key = {sizeof k, k};

	be64(k, *(const uint64_t *)ctx);
	return mdb_del(txn, st->dbi[DB_CASES], &key, NULL) ? M_UNAVAILABLE : M_OK;
}

struct seen {
	size_t n;
	enum store_code code;
	uint64_t id;
};

static void seen(void *ctx, uint64_t id, const struct store_fault *what)
{
	struct seen *s = ctx;

	s->n++;
	s->code = what->code;
	s->id = id;
}

/* mappe check reports faults, each naming its case where it has one: a
 * deleted case is CHECK_CASE_DELETED with the case, not a sentence. */
static void test_check_reports_codes(void **state)
{
	struct tstore t = {0};
	struct case_rec c[3];
	uint64_t ids[3];
	struct seen s = {0};
	size_t checked = 0;

	(void)state;
	assert_int_equal(ts_create(&t, 0, "admin", "admin passphrase one"), M_OK);
	for (int i = 0; i < 3; i++) {
		case_init(&c[i]);
		assert_int_equal(case_set(&c[i], F_given_name, "Ada", 3), M_OK);
	}
	assert_int_equal(store_case_insert(t.st, c, 3, ids), M_OK);
	for (int i = 0; i < 3; i++)
		case_clear(&c[i]);
	assert_int_equal(st_txn(t.st, true, del_txn, &ids[1]), M_OK);
	assert_int_equal(store_check(t.st, seen, &s, &checked), M_INTEGRITY);
	assert_int_equal(s.n, 1);
	assert_int_equal(s.code, E_CHECK_CASE_DELETED);
	assert_int_equal(s.id, ids[1]);
	assert_true(store_code_names_case(s.code));
	ts_destroy(&t);
}

/* ---- the input side: import and update (issue 8) ---- */

static const char admin_pass[] = "errors admin passphrase";

/* A valid fødselsnummer born 1 January 1990. */
static void valid_nid(char out[12])
{
	make_nid(out, 1, 1, 90, 100);
}

static int import_csv(store *st, const char *name, const char *csv)
{
	size_t len = strlen(csv), n = 0;
	char *buf = malloc(len + 1);
	uint64_t *ids = NULL;
	int rc;

	assert_non_null(buf);
	memcpy(buf, csv, len + 1);
	rc = store_import(st, name, buf, len, IMPORT_CSV, false, &ids, &n);
	free(ids);
	free(buf);
	return rc;
}

/* A bad value on line 3 is a code with the file, the line, the field and
 * the validator's own reason, not a sentence. */
static void test_import_bad_value(void **state)
{
	static const char bad[] = "41019012346"; /* a D-number, wrong check digit */
	const struct store_fault *f;
	struct tstore t;
	char out[32];
	size_t outlen;
	const char *why;

	(void)state;
	why = field_normalise(F_national_id, bad, strlen(bad), out, sizeof out, &outlen);
	assert_non_null(why);
	assert_int_equal(ts_create(&t, 0, "admin", admin_pass), 0);
	assert_int_equal(
	    import_csv(t.st, "people.csv", "given_name,national_id\nZqxa,\nZqxb,41019012346\n"),
	    M_INPUT);
	f = store_fault(t.st);
	assert_int_equal(f->code, E_FIELD_INVALID);
	assert_string_equal(f->file, "people.csv");
	assert_int_equal(f->line, 3);
	assert_int_equal(f->field, F_national_id);
	assert_non_null(f->why);
	assert_string_equal(f->why, why);
	assert_string_equal(store_error(t.st), "people.csv:3: field national_id: check digit does "
	                                       "not match");
	assert_null(strstr(store_error(t.st), bad));

	/* An unknown column is named, and the header's line. */
	assert_int_equal(import_csv(t.st, "c.csv", "given_name,shoe_size\nZqxa,44\n"), M_INPUT);
	f = store_fault(t.st);
	assert_int_equal(f->code, E_COLUMN_UNKNOWN);
	assert_int_equal(f->line, 1);
	assert_string_equal(f->name, "shoe_size");
	ts_destroy(&t);
}

/* A reader's error is where the reader found it: a NUL on line 3 inside a
 * quoted field that opened on line 2. */
static void test_import_syntax(void **state)
{
	static const char csv[] = "given_name,address\nZqxa,\"Zqx 1\nZ\0\"\n";
	const struct store_fault *f;
	struct tstore t;
	uint64_t *ids = NULL;
	size_t n = 0;
	char *buf = malloc(sizeof csv);

	(void)state;
	assert_non_null(buf);
	memcpy(buf, csv, sizeof csv);
	assert_int_equal(ts_create(&t, 0, "admin", admin_pass), 0);
	assert_int_equal(
	    store_import(t.st, "q.csv", buf, sizeof csv - 1, IMPORT_CSV, false, &ids, &n), M_INPUT);
	f = store_fault(t.st);
	assert_int_equal(f->code, E_CSV_SYNTAX);
	assert_int_equal(f->line, 3);
	assert_string_equal(f->why, "NUL byte");
	assert_string_equal(store_error(t.st), "q.csv:3: NUL byte");
	free(buf);
	ts_destroy(&t);
}

/* The store's own refusal of a row (its national id is registered) keeps
 * the store's code and gets the file and the line of the row. */
static void test_import_store_refusal_located(void **state)
{
	const struct store_fault *f;
	struct tstore t;
	char nid[12], csv[128];

	(void)state;
	valid_nid(nid);
	assert_int_equal(ts_create(&t, 0, "admin", admin_pass), 0);
	snprintf(csv, sizeof csv, "national_id\n%s\n", nid);
	assert_int_equal(import_csv(t.st, "a.csv", csv), M_OK);
	snprintf(csv, sizeof csv, "given_name,national_id\nZqxa,\nZqxb,%s\n", nid);
	assert_int_equal(import_csv(t.st, "b.csv", csv), M_INPUT);
	f = store_fault(t.st);
	assert_int_equal(f->code, E_NID_REGISTERED);
	assert_int_equal(f->record, 1);
	assert_string_equal(f->file, "b.csv");
	assert_int_equal(f->line, 3);
	assert_string_equal(store_error(t.st),
	                    "b.csv:3: field national_id: already registered in case 1");
	assert_null(strstr(store_error(t.st), nid));
	ts_destroy(&t);
}

static int apply(const char *json, struct store_fault *f)
{
	size_t len = strlen(json);
	char *buf = malloc(len + 1);
	struct case_rec c;
	uint32_t expect;
	int rc;

	assert_non_null(buf);
	memcpy(buf, json, len + 1);
	case_init(&c);
	c.id = 1;
	rc = case_apply_json(&c, buf, len, &expect, f);
	case_clear(&c);
	free(buf);
	return rc;
}

/* Update has no store: its fault is the caller's, from stdin. */
static void test_update_faults(void **state)
{
	struct store_fault f;
	char out[256];

	(void)state;
	assert_int_equal(apply("{\"placements\": [{\"colour_x\": \"x\"}]}", &f), M_INPUT);
	assert_int_equal(f.code, E_LIST_FIELD_UNKNOWN);
	assert_int_equal(f.list, L_placements);
	assert_string_equal(f.name, "colour_x");
	assert_string_equal(f.file, "stdin");
	store_fault_format(&f, NULL, out, sizeof out);
	assert_string_equal(out, "stdin: list placements: unknown field 'colour_x'");

	/* A name that is not shaped like a field id is never quoted back. */
	assert_int_equal(apply("{\"placements\": [{\"Zqx Ola\": \"x\"}]}", &f), M_INPUT);
	assert_int_equal(f.code, E_LIST_FIELD_UNKNOWN_AT);
	assert_int_equal(f.n, 1);
	assert_string_equal(f.name, "");

	assert_int_equal(apply("{\"shoe_size\": \"44\"}", &f), M_INPUT);
	assert_int_equal(f.code, E_FIELD_UNKNOWN);
	assert_string_equal(f.name, "shoe_size");

	assert_int_equal(apply("{\"birth_date\": \"2023-02-30\"}", &f), M_INPUT);
	assert_int_equal(f.code, E_FIELD_INVALID);
	assert_int_equal(f.field, F_birth_date);
	assert_string_equal(f.why, "that day does not exist in that month");

	assert_int_equal(apply("{\"given_name\" 1}", &f), M_INPUT);
	assert_int_equal(f.code, E_JSON_SYNTAX);
	assert_int_equal(f.n, 15);
	assert_string_equal(f.why, "expected ':'");
	store_fault_format(&f, NULL, out, sizeof out);
	assert_string_equal(out, "stdin: column 15: expected ':'");

	assert_int_equal(apply("{\"placements\": [{\"_remove\": true}]}", &f), M_INPUT);
	assert_int_equal(f.code, E_LIST_INVALID);
	assert_string_equal(f.why, "_remove needs the _item to remove");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_every_code),     cmocka_unit_test(test_arguments),
	    cmocka_unit_test(test_file_and_line),  cmocka_unit_test(test_translated),
	    cmocka_unit_test(test_truncation),     cmocka_unit_test(test_store_reports_codes),
	    cmocka_unit_test(test_open_reports_codes), cmocka_unit_test(test_check_reports_codes),
	    cmocka_unit_test(test_import_bad_value),
	    cmocka_unit_test(test_import_syntax),
	    cmocka_unit_test(test_import_store_refusal_located),
	    cmocka_unit_test(test_update_faults),
	};
	return cmocka_run_group_tests(tests, setup, NULL);
}
