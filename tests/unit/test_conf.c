/* /etc/mappe.conf: "key = value" lines (tui/cmd/conf.c). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <string.h>

#include "tui/tui.h"

static bool find(const char *text, const char *key, char *buf, size_t cap)
{
	return conf_find(text, strlen(text), key, buf, cap);
}

static void test_lines(void **state)
{
	char v[32];

	(void)state;
	assert_true(find("db = /var/lib/mappe\nidle_lock=300\n", "db", v, sizeof v));
	assert_string_equal(v, "/var/lib/mappe");
	assert_true(find("db = /a\nidle_lock=300", "idle_lock", v, sizeof v));
	assert_string_equal(v, "300");
	/* Another key that begins with this one, a comment, an empty value. */
	assert_false(find("dbx = /a\n# db = /b\ndb =\n", "db", v, sizeof v));
	/* Blanks and a DOS line end around the value; the first line wins. */
	assert_true(find("  db\t=  /srv/m \t\r\ndb = /other\n", "db", v, sizeof v));
	assert_string_equal(v, "/srv/m");
}

static void test_never_cut_short(void **state)
{
	char v[8];

	(void)state;
	/* A path that does not fit names another directory if cut: ignored. */
	assert_false(find("db = /var/lib/mappe\n", "db", v, sizeof v));
	assert_true(find("db = /var/lib/mappe\ndb = /m\n", "db", v, sizeof v));
	assert_string_equal(v, "/m");
	/* A NUL inside the value is not a shorter value. */
	assert_false(conf_find("db = /a\0b\n", 10, "db", v, sizeof v));
}

static void test_seconds(void **state)
{
	int s = -1;

	(void)state;
	assert_true(conf_seconds("0", &s));
	assert_int_equal(s, 0);
	assert_true(conf_seconds("600", &s));
	assert_int_equal(s, 600);
	assert_false(conf_seconds("-1", &s));
	assert_false(conf_seconds("99999999999", &s));
	assert_false(conf_seconds("10m", &s));
	assert_false(conf_seconds("", &s));
	assert_int_equal(s, 600);
}

/* privacy.default: the words an administrator writes, in any case; nothing else. */
static void test_bool(void **state)
{
	bool v = false;
	(void)state;

	assert_true(conf_bool("on", &v));
	assert_true(v);
	assert_true(conf_bool("off", &v));
	assert_false(v);
	assert_true(conf_bool("yes", &v) && v);
	assert_true(conf_bool("false", &v) && !v);
	assert_true(conf_bool("1", &v) && v);
	assert_true(conf_bool("On", &v) && v);
	assert_false(conf_bool("ja", &v));
	assert_false(conf_bool("", &v));
	assert_false(conf_bool("onn", &v));
	assert_true(v); /* untouched */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_lines),
	    cmocka_unit_test(test_never_cut_short),
	    cmocka_unit_test(test_seconds),
	    cmocka_unit_test(test_bool),
	};

	return cmocka_run_group_tests_name("conf", tests, NULL, NULL);
}
