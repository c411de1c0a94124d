/* The purpose a user picks for opening a case outside their caseload
 * (issue 12): fixed codes, stored as "outside: CODE" and shown translated;
 * who is asked, by role and by the case's caseworker. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "tui/tui.h"

#include <stdio.h>
#include <string.h>

#include "tests/unit/fixture.h"

static void test_codes_round_trip(void **state)
{
	(void)state;
	for (int i = 0; i < OP_COUNT; i++) {
		char want[64];
		const char *code = outside_purpose_code((enum outside_purpose)i);
		assert_int_equal(outside_purpose_parse(code), i);
		snprintf(want, sizeof want, "outside: %s", code);
		assert_string_equal(outside_purpose_stored((enum outside_purpose)i), want);
		/* No personal data: a code is a short word of [a-z-]. */
		assert_true(strspn(code, "abcdefghijklmnopqrstuvwxyz-") == strlen(code));
	}
	assert_string_equal(outside_purpose_code(OP_STANDING_IN), "standing-in");
	assert_string_equal(outside_purpose_code(OP_OTHER), "other");
	assert_int_equal(outside_purpose_parse("Duty"), -1);
	assert_int_equal(outside_purpose_parse("duty "), -1);
	assert_int_equal(outside_purpose_parse(""), -1);
	assert_int_equal(outside_purpose_parse(NULL), -1);
}

static void test_labels(void **state)
{
	(void)state;
	assert_string_equal(audit_purpose_label("outside: duty"), "outside caseload: On duty");
	assert_string_equal(audit_purpose_label("outside: asked"),
	                    "outside caseload: Asked by the case's caseworker");
	/* Not one of the codes: as it is, like any purpose mappe did not write. */
	assert_string_equal(audit_purpose_label("outside: because"), "outside: because");
	assert_string_equal(audit_purpose_label("mappe show"), "mappe show");
}

#define CW_PASS "caseworker passphrase"
#define HEALTH_PASS "health passphrase one"
#define LEAD_PASS "lead passphrase one"
#define ARCHIVE_PASS "archive passphrase one"

static void test_who_is_asked(void **state)
{
	struct tstore *t = *state;

	/* An administrator works across caseloads by their role. */
	assert_false(outside_purpose_asked(t->st, "kari"));
	assert_false(outside_purpose_asked(t->st, ""));
	assert_int_equal(store_user_add(t->st, "kari", ROLE_CASEWORKER, CW_PASS, strlen(CW_PASS)),
	                 M_OK);
	assert_int_equal(store_user_add(t->st, "helga", ROLE_HEALTH, HEALTH_PASS,
	                                strlen(HEALTH_PASS)),
	                 M_OK);
	assert_int_equal(store_user_add(t->st, "lena", ROLE_LEAD, LEAD_PASS, strlen(LEAD_PASS)),
	                 M_OK);
	assert_int_equal(store_user_add(t->st, "arne", ROLE_ARCHIVE, ARCHIVE_PASS,
	                                strlen(ARCHIVE_PASS)),
	                 M_OK);
	ts_reopen_as(t, "kari", CW_PASS);
	assert_false(outside_purpose_asked(t->st, "kari")); /* her own */
	assert_true(outside_purpose_asked(t->st, "ola"));
	assert_true(outside_purpose_asked(t->st, "")); /* nobody's */
	assert_true(outside_purpose_asked(t->st, NULL));
	assert_true(outside_purpose_asked(t->st, "kari2"));
	ts_reopen_as(t, "helga", HEALTH_PASS);
	assert_true(outside_purpose_asked(t->st, "kari"));
	ts_reopen_as(t, "lena", LEAD_PASS);
	assert_false(outside_purpose_asked(t->st, "kari")); /* reviewing the team */
	ts_reopen_as(t, "arne", ARCHIVE_PASS);
	assert_false(outside_purpose_asked(t->st, "kari"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_codes_round_trip),
	    cmocka_unit_test(test_labels),
	    cmocka_unit_test_setup_teardown(test_who_is_asked, fixture_store_setup,
	                                    fixture_store_teardown),
	};
	return cmocka_run_group_tests(tests, fixture_keys_setup, NULL);
}
