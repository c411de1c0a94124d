/* Tests for store/rules.c and rules.def: the rules of law as dated rows, and
 * the national-id schemes they switch (today's, and 2032's). Every national
 * id here is computed from a birth date and an individual number. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store/store.h"
#include "store/validate.h"

static long day(const char *iso)
{
	long d = date_days(iso);

	assert_true(d != LONG_MIN);
	return d;
}

/* The table itself: every rule has rows, every row a real date, a source
 * and a known unit, and the rows of one rule and regime are in date order
 * (rule_at takes the last that has come). */
static void test_table_well_formed(void **state)
{
	(void)state;
	bool has_rows[RULE_COUNT] = {0};

	for (size_t i = 0; i < rule_row_count; i++) {
		const struct rule_row *r = &rule_rows[i];
		assert_true((unsigned)r->rule < RULE_COUNT);
		assert_true((unsigned)r->regime < REGIME_COUNT);
		assert_null(valid_date(r->from));
		assert_true(r->source && *r->source);
		has_rows[r->rule] = true;
		for (size_t j = 0; j < i; j++)
			if (rule_rows[j].rule == r->rule && rule_rows[j].regime == r->regime)
				assert_true(date_days(rule_rows[j].from) < date_days(r->from));
	}
	for (int r = 0; r < RULE_COUNT; r++) {
		assert_true(has_rows[r]);
		assert_true(rule_catalogue[r].id && *rule_catalogue[r].what);
		assert_int_equal(rule_parse(rule_catalogue[r].id), r);
	}
	assert_int_equal(rule_parse("no_such_rule"), -1);
}

/* The row in force moves on its date, not a day before. */
static void test_effective_from(void **state)
{
	(void)state;
	assert_int_equal(rule_value(RULE_nid_k1_remainders, REGIME_ANY, day("2031-12-31"), -1), 1);
	assert_int_equal(rule_value(RULE_nid_k1_remainders, REGIME_ANY, day("2032-01-01"), -1), 4);
	assert_int_equal(rule_value(RULE_nid_k1_remainders, REGIME_ANY, day("2040-06-30"), -1), 4);
	/* Before the first row nothing is in force: the caller's fallback. */
	assert_null(rule_at(RULE_age_max, REGIME_integreringsloven, day("2020-12-31")));
	assert_int_equal(rule_value(RULE_age_max, REGIME_ANY, day("2020-12-31"), -7), -7);
	assert_int_equal(rule_value(RULE_age_max, REGIME_integreringsloven, day("2021-01-01"), -1),
	                 55);
}

/* A regime with rows of its own uses them; one without falls back to the
 * rows for every regime. */
static void test_regime_choice(void **state)
{
	(void)state;
	long d = day("2024-03-01");

	assert_int_equal(rule_value(RULE_length_max_other_goal, REGIME_integreringsloven, d, -1),
	                 24);
	assert_int_equal(rule_value(RULE_length_max_other_goal, REGIME_integreringsloven_6a, d, -1),
	                 12);
	assert_int_equal(
	    rule_value(RULE_norwegian_months_other, REGIME_integreringsloven_6a, d, -1), 12);
	assert_int_equal(rule_value(RULE_norwegian_months_other, REGIME_introduksjonsloven, d, -1),
	                 36);
	/* The old act has its own age rows, from its own date. */
	assert_int_equal(rule_value(RULE_age_max, REGIME_introduksjonsloven, day("2010-05-05"), -1),
	                 55);
	/* Before a regime's own rows, the rows for every regime (none in 2010). */
	assert_null(rule_at(RULE_age_max, REGIME_integreringsloven, day("2010-05-05")));
	assert_int_equal(rule_value(RULE_length_max_other_goal, REGIME_integreringsloven_6a,
	                            day("2021-07-01"), -1),
	                 24);
	const struct rule_row *r =
	    rule_at(RULE_length_max_other_goal, REGIME_integreringsloven_6a, d);
	assert_non_null(r);
	assert_int_equal(r->verified, RV_UNVERIFIED);

	assert_int_equal(regime_parse("integreringsloven_6a"), REGIME_integreringsloven_6a);
	assert_string_equal(regime_name(REGIME_introduksjonsloven), "introduksjonsloven");
	assert_int_equal(regime_parse(""), -1);
	assert_int_equal(regime_parse("integreringsloven_6b"), -1);
}

/* An administrator's correction (store_rules appends them after the shipped
 * rows): from its date it wins, for its regime only; before it, and for
 * other regimes, what was there stays; a correction dated like a shipped
 * row overrides it. */
static void test_corrections(void **state)
{
	(void)state;
	struct rule_row rows[] = {
	    {RULE_age_max, REGIME_ANY, "2021-01-01", 55, RV_VERIFIED, "S5", NULL, 0},
	    {RULE_age_max, REGIME_integreringsloven, "2026-07-01", 60, RV_SET, "Prop. 81 L", "ada",
	     1},
	    {RULE_plan_review_months, REGIME_ANY, "2021-01-01", 6, RV_UNVERIFIED, "S48", NULL, 0},
	    {RULE_plan_review_months, REGIME_ANY, "2021-01-01", 4, RV_SET, "local", "ada", 1},
	};
	struct rule_set s = {rows, sizeof rows / sizeof rows[0], NULL};

	assert_int_equal(
	    rule_set_at(&s, RULE_age_max, REGIME_integreringsloven, day("2026-06-30"))->value, 55);
	assert_int_equal(
	    rule_set_at(&s, RULE_age_max, REGIME_integreringsloven, day("2026-07-01"))->value, 60);
	assert_int_equal(
	    rule_set_at(&s, RULE_age_max, REGIME_integreringsloven_6a, day("2027-01-01"))->value,
	    55);
	assert_int_equal(rule_set_at(&s, RULE_age_max, REGIME_ANY, day("2027-01-01"))->value, 55);
	const struct rule_row *r =
	    rule_set_at(&s, RULE_plan_review_months, REGIME_ANY, day("2024-01-01"));
	assert_int_equal(r->value, 4);
	assert_int_equal(r->verified, RV_SET);
	assert_string_equal(r->set_by, "ada");
}

static void test_today(void **state)
{
	(void)state;
	setenv("MAPPE_TODAY", "2032-01-01", 1);
	assert_int_equal(st_today(), day("2032-01-01"));
	/* Not a date: the real clock, never a bogus day. */
	setenv("MAPPE_TODAY", "2032-13-01", 1);
	assert_true(st_today() > day("2026-01-01"));
	unsetenv("MAPPE_TODAY");
	assert_true(st_today() > day("2026-01-01"));
}

/* ---- national ids: both schemes ------------------------------------------ */

/* A number born on dd.mm.yy with individual number ind whose first control
 * sum leaves remainder r (0: today's scheme; 1-3: the scheme of 2032). */
static bool make_nid(int dd, int mm, int yy, int ind, int r, char out[12])
{
	char nine[10];

	snprintf(nine, sizeof nine, "%02d%02d%02d%03d", dd, mm, yy, ind);
	memcpy(out, nine, 9);
	out[11] = '\0';
	return national_id_check_digits(nine, r, out + 9) == 0;
}

static void find_nid(int r, char out[12])
{
	for (int ind = 0; ind < 500; ind++)
		if (make_nid(15, 3, 85, ind, r, out))
			return;
	fail_msg("no individual number gives remainder %d", r);
}

static void test_nid_schemes(void **state)
{
	(void)state;
	char n[12];

	find_nid(0, n);
	assert_null(valid_national_id_scheme(n, 1));
	assert_null(valid_national_id_scheme(n, 4));
	for (int r = 1; r <= 3; r++) {
		find_nid(r, n);
		/* Today: a number of the new scheme is refused, and says why. */
		assert_string_equal(valid_national_id_scheme(n, 1),
		                    "its check digits follow the scheme of 2032, not yet in force");
		/* From 2032: valid, and its birth date still reads. */
		assert_null(valid_national_id_scheme(n, 4));
		char birth[11];
		assert_true(national_id_birth_date(n, birth));
		assert_string_equal(birth, "1985-03-15");
	}
	/* Remainder 4 and up: no scheme has it. */
	for (int r = 4; r <= 10; r++) {
		if (!make_nid(15, 3, 85, 123, r, n))
			continue;
		assert_string_equal(valid_national_id_scheme(n, 4), "check digit does not match");
	}
	/* A wrong second digit, in either scheme. */
	find_nid(2, n);
	n[10] = n[10] == '9' ? '0' : (char)(n[10] + 1);
	assert_string_equal(valid_national_id_scheme(n, 4), "check digit does not match");
	/* D-numbers follow the same schemes. */
	assert_true(make_nid(55, 3, 85, 123, 0, n) || make_nid(55, 3, 85, 124, 0, n));
	assert_null(valid_national_id_scheme(n, 1));
}

/* Through the field catalogue, the scheme is the one the rules say is in
 * force today: MAPPE_TODAY moves it. */
static void test_nid_by_date(void **state)
{
	(void)state;
	char n[12], out[64];
	size_t len;

	find_nid(3, n);
	setenv("MAPPE_TODAY", "2031-12-31", 1);
	assert_non_null(field_normalise(F_national_id, n, 11, out, sizeof out, &len));
	setenv("MAPPE_TODAY", "2032-01-01", 1);
	assert_null(field_normalise(F_national_id, n, 11, out, sizeof out, &len));
	assert_string_equal(out, n);
	find_nid(0, n);
	setenv("MAPPE_TODAY", "2031-12-31", 1);
	assert_null(field_normalise(F_national_id, n, 11, out, sizeof out, &len));
	unsetenv("MAPPE_TODAY");
}

/* ---- account numbers ---------------------------------------------------- */

static void test_account(void **state)
{
	(void)state;
	assert_null(valid_account("12345678903")); /* the textbook 1234.56.78903 */
	assert_null(valid_account("86011117947"));
	assert_non_null(valid_account("12345678904"));
	assert_non_null(valid_account("1234567890"));
	assert_non_null(valid_account("1234567890x"));
	/* A remainder of 1 leaves no check digit: no such account exists. */
	bool seen = false;
	char a[24] = "00000000000";
	for (unsigned i = 0; i < 1000 && !seen; i++) {
		snprintf(a, sizeof a, "1234567%03u0", i % 1000);
		int sum = 0;
		static const int w[10] = {5, 4, 3, 2, 7, 6, 5, 4, 3, 2};
		for (int k = 0; k < 10; k++)
			sum += (a[k] - '0') * w[k];
		if (sum % 11 == 1) {
			seen = true;
			for (char c = '0'; c <= '9'; c++) {
				a[10] = c;
				assert_non_null(valid_account(a));
			}
		}
	}
	assert_true(seen);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_table_well_formed),
	    cmocka_unit_test(test_effective_from),
	    cmocka_unit_test(test_regime_choice),
	    cmocka_unit_test(test_corrections),
	    cmocka_unit_test(test_today),
	    cmocka_unit_test(test_nid_schemes),
	    cmocka_unit_test(test_nid_by_date),
	    cmocka_unit_test(test_account),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
