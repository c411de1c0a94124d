/* The security review of 2026-12-01 (issue 9's changes): findings proved
 * on a real store. Each test failed before its fix.
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

#include "store/private.h"
#include "store/store.h"
#include "tests/unit/fixture.h"

static const char admin_pass[] = "admin passphrase one";

static int setup(void **state)
{
	(void)state;
	return keys_init() == KEYS_OK ? 0 : -1;
}

/* A revoked login's drafts go with it: a user enrolled again under the same
 * name (a reused login, or the same person after a compromise) must not
 * open the old session's unsaved text. */
static void test_revoked_drafts_not_inherited(void **state)
{
	static const char karin_pass[] = "karin passphrase one";
	static const char again_pass[] = "karin passphrase two";
	static const char draft[] = "Zqx unsaved words of the revoked session";
	struct tstore t;
	struct case_rec c;
	struct store_draft d[4];
	size_t n = 0;
	uint64_t id;
	key_classes held = 0;

	(void)state;
	assert_int_equal(ts_create(&t, 0, "admin", admin_pass), 0);
	assert_int_equal(
	    store_user_add(t.st, "karin", ROLE_CASEWORKER, karin_pass, strlen(karin_pass)), M_OK);
	case_init(&c);
	assert_int_equal(case_set(&c, F_given_name, "Zqxa", 4), 0);
	assert_int_equal(store_case_insert(t.st, &c, 1, &id), M_OK);
	case_clear(&c);
	ts_reopen_as(&t, "karin", karin_pass);
	assert_int_equal(store_draft_save(t.st, id, NULL, 1, draft, strlen(draft)), M_OK);

	ts_reopen_as(&t, "admin", admin_pass);
	assert_int_equal(store_user_revoke(t.st, "karin", &held, NULL), M_OK);
	assert_int_equal(store_rotate_classes(t.st, held, 100, NULL, NULL, NULL), M_OK);
	assert_int_equal(
	    store_user_add(t.st, "karin", ROLE_CASEWORKER, again_pass, strlen(again_pass)), M_OK);

	ts_reopen_as(&t, "karin", again_pass);
	assert_int_equal(store_draft_list(t.st, d, 4, &n), M_OK);
	assert_int_equal(n, 0); /* the revoked session's draft is gone */
	ts_destroy(&t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_revoked_drafts_not_inherited),
	};
	return cmocka_run_group_tests(tests, setup, NULL);
}
