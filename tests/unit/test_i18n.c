/* tui/i18n.c: a translation is used as a printf format only when its
 * conversions are the message's own, in the same order; never with %n. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <locale.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tui/tui.h"

static void test_same_conversions_match(void **state)
{
	(void)state;
	assert_true(tui_format_matches("no conversions", "ingen"));
	assert_true(tui_format_matches("", ""));
	assert_true(tui_format_matches("%s: %s", "%s: %s (norsk)"));
	assert_true(tui_format_matches("unknown command '%.40s'", "ukjent kommando «%.40s»"));
	assert_true(tui_format_matches("%zu cases, %llu id", "%zu saker, id %llu"));
	assert_true(tui_format_matches("%ld to %ld", "fra %ld til %ld"));
	/* %% is text, not a conversion, on either side */
	assert_true(tui_format_matches("100%% of %d", "%d: 100 %%"));
	assert_true(tui_format_matches("50%%", "femti"));
}

static void test_different_conversions_refused(void **state)
{
	(void)state;
	assert_false(tui_format_matches("%s", ""));                   /* one fewer */
	assert_false(tui_format_matches("plain", "%s"));              /* one more */
	assert_false(tui_format_matches("%s then %d", "%d then %s")); /* reordered */
	assert_false(tui_format_matches("%d", "%ld"));                /* another type */
	assert_false(tui_format_matches("%.40s", "%s"));              /* precision dropped */
	assert_false(tui_format_matches("%s", "%40s"));               /* width added */
	assert_false(tui_format_matches("%s %s", "%2$s %1$s"));       /* positions */
	assert_false(tui_format_matches("%s", "%*s"));                /* reads an int */
}

static void test_percent_n_never(void **state)
{
	(void)state;
	assert_false(tui_format_matches("%s", "%s%n"));
	assert_false(tui_format_matches("%s", "%n"));
	assert_false(tui_format_matches("%s", "%hhn%s"));
	assert_false(tui_format_matches("%s", "%1$n"));
	assert_false(tui_format_matches("x", "%n"));
	/* not even when the message had one */
	assert_false(tui_format_matches("%n", "%n"));
}

static void test_malformed_refused(void **state)
{
	(void)state;
	assert_false(tui_format_matches("%s", "%s %"));  /* unfinished */
	assert_false(tui_format_matches("%s", "%s %y")); /* unknown */
	assert_false(tui_format_matches("%s", "%s %l")); /* length, no conversion */
}

/* The project's own catalogue passes, through gettext itself. */
static void test_real_catalogue_used(void **state)
{
	const char *msg = "unknown command '%.40s'; see mappe --help";
	(void)state;
	if (access("build/locale/nb/LC_MESSAGES/mappe.mo", R_OK) != 0)
		skip();
	setlocale(LC_ALL, "C.UTF-8");
	setenv("LANGUAGE", "nb", 1);
	bindtextdomain("mappe", "build/locale");
	textdomain("mappe");
	assert_ptr_not_equal(gettext(msg), msg);
	assert_string_equal(tui_gettext(msg), gettext(msg));
	assert_ptr_equal(tui_gettext("not in any catalogue %s"), "not in any catalogue %s");
}

static bool is_word(const char *w)
{
	for (const char *const *p = tui_words; *p; p++)
		if (strcmp(*p, w) == 0)
			return true;
	return false;
}

/* Every class and role a message can name is in the catalogue's list. */
static void test_words_cover_keys(void **state)
{
	(void)state;
	for (int c = 0; c < KC_COUNT; c++)
		assert_true(is_word(keys_class_name((enum key_class)c)));
	for (int r = 0; r < ROLE_COUNT; r++)
		assert_true(is_word(keys_role_name((enum key_role)r)));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_same_conversions_match),
	    cmocka_unit_test(test_different_conversions_refused),
	    cmocka_unit_test(test_percent_n_never),
	    cmocka_unit_test(test_malformed_refused),
	    cmocka_unit_test(test_real_catalogue_used),
	    cmocka_unit_test(test_words_cover_keys),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
