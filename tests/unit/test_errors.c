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

#include "store/store.h"

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
	for (int c = 0; c < E_COUNT; c++) {
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

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_every_code),     cmocka_unit_test(test_arguments),
	    cmocka_unit_test(test_file_and_line),  cmocka_unit_test(test_translated),
	    cmocka_unit_test(test_truncation),
	};
	return cmocka_run_group_tests(tests, setup, NULL);
}
