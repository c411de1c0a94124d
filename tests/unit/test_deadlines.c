/* Tests for store/deadlines.c: every deadline of domain.md at its
 * boundaries, from its own clock's date, for the people it applies to,
 * with the rules in force on that date. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <limits.h>
#include <stdio.h>
#include <string.h>

#include "store/store.h"
#include "store/validate.h"

static long day(const char *iso)
{
	long d = date_days(iso);

	assert_true(d != LONG_MIN);
	return d;
}

static const char *iso(long d)
{
	static char buf[4][11];
	static int k;

	k = (k + 1) % 4;
	date_iso(d, buf[k]);
	return buf[k];
}

/* A person with no dates at all: nothing is due. */
static struct deadline_facts nobody(void)
{
	return (struct deadline_facts){
	    .regime = REGIME_integreringsloven,
	    .birth_date = DAY_NONE, .arrival_norway = DAY_NONE, .permit_granted = DAY_NONE,
	    .settlement_date = DAY_NONE, .first_settlement_with_permit = DAY_NONE,
	    .programme_claim = DAY_NONE, .mapping_done = DAY_NONE, .programme_decision = DAY_NONE,
	    .programme_start = DAY_NONE, .programme_end = DAY_NONE, .plan_date = DAY_NONE,
	    .contract_date = DAY_NONE, .plan_reviewed = DAY_NONE, .ended = DAY_NONE,
	    .extension_months = -1, .upper_secondary = -1, .tb_screening = DAY_NONE,
	    .health_check = DAY_NONE, .health_check_offered = DAY_NONE, .stop_from = DAY_NONE, .stop_to = DAY_NONE,
	    .nir_unregistered = DAY_NONE, .nir_registered = DAY_NONE};
}

static const struct rule_set *shipped(void)
{
	static struct rule_set s;

	s = (struct rule_set){rule_rows, rule_row_count, NULL};
	return &s;
}

/* The due day of deadline d, or DAY_NONE if it does not apply. */
static long due(const struct deadline_facts *f, const struct rule_set *rs, enum deadline_id d)
{
	struct deadline out[DL_COUNT];
	size_t n = deadlines_compute(f, rs ? rs : shipped(), out);

	for (size_t i = 0; i < n; i++)
		if (out[i].id == d)
			return out[i].due;
	return DAY_NONE;
}

static void test_nothing_without_dates(void **state)
{
	(void)state;
	struct deadline_facts f = nobody();
	struct deadline out[DL_COUNT];

	assert_int_equal(deadlines_compute(&f, shipped(), out), 0);
}

/* TB: 14 days from arrival in Norway. Day 13 is soon, day 14 is the due
 * day (not yet overdue), day 15 is overdue. */
static void test_tb_boundaries(void **state)
{
	(void)state;
	struct deadline_facts f = nobody();

	f.arrival_norway = day("2026-03-01");
	f.settlement_date = day("2026-05-01"); /* settlement does not move it */
	long d = due(&f, NULL, DL_tb_screening);
	assert_string_equal(iso(d), "2026-03-15");
	assert_int_equal(deadline_state_on(d, f.arrival_norway + 13, 7), DS_SOON);
	assert_int_equal(deadline_state_on(d, f.arrival_norway + 14, 7), DS_SOON);
	assert_int_equal(deadline_state_on(d, f.arrival_norway + 15, 7), DS_OVERDUE);
	assert_int_equal(deadline_state_on(d, f.arrival_norway + 6, 7), DS_LATER);
	/* Done before settlement (the reception centre's), or a date: met. */
	f.tb_not_due = true;
	assert_true(due(&f, NULL, DL_tb_screening) == DAY_NONE);
	f.tb_not_due = false;
	f.tb_screening = day("2026-03-10");
	assert_true(due(&f, NULL, DL_tb_screening) == DAY_NONE);
	/* The health check: three months after arrival, until it is done. */
	assert_string_equal(iso(due(&f, NULL, DL_health_check)), "2026-06-01");
	f.health_check = day("2026-05-20");
	assert_true(due(&f, NULL, DL_health_check) == DAY_NONE);
	/* The duty is the offer: one recorded meets it, the examination not
	 * yet held (the demo's 2022 cases were overdue with an offer made). */
	f.health_check = DAY_NONE;
	f.health_check_offered = day("2026-05-02");
	assert_true(due(&f, NULL, DL_health_check) == DAY_NONE);
}

/* The decision three months after settlement: the end of the third month
 * across month ends and leap years. */
static void test_three_months(void **state)
{
	(void)state;
	static const char *const cases[][2] = {
	    {"2023-11-30", "2024-02-29"}, /* into a leap February */
	    {"2022-11-30", "2023-02-28"}, /* into a common one */
	    {"2023-11-29", "2024-02-29"}, {"2024-01-31", "2024-04-30"},
	    {"2025-05-31", "2025-08-31"}, {"2025-12-15", "2026-03-15"},
	    {"2024-02-29", "2024-05-29"},
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		struct deadline_facts f = nobody();
		f.settled_by_agreement = true;
		f.settlement_date = day(cases[i][0]);
		assert_string_equal(iso(due(&f, NULL, DL_programme_decision)), cases[i][1]);
		/* Mapping is due by then too, or by the decision if that is earlier. */
		assert_string_equal(iso(due(&f, NULL, DL_mapping)), cases[i][1]);
	}
}

static void test_clock_start(void **state)
{
	(void)state;
	struct deadline_facts f = nobody();

	/* Not settled by agreement: the clock is the person's own claim. */
	f.settlement_date = day("2026-01-10");
	f.programme_claim = day("2026-02-20");
	assert_string_equal(iso(due(&f, NULL, DL_programme_decision)), "2026-05-20");
	f.settled_by_agreement = true;
	assert_string_equal(iso(due(&f, NULL, DL_programme_decision)), "2026-04-10");
	/* A decision before the mapping: mapping was due by the decision. */
	f.programme_decision = day("2026-03-01");
	assert_true(due(&f, NULL, DL_programme_decision) == DAY_NONE);
	assert_string_equal(iso(due(&f, NULL, DL_mapping)), "2026-03-01");
	f.mapping_done = day("2026-02-25");
	assert_true(due(&f, NULL, DL_mapping) == DAY_NONE);
	/* With the decision, the plan and contract are due at it, until both. */
	assert_string_equal(iso(due(&f, NULL, DL_plan_contract)), "2026-03-01");
	f.plan_date = day("2026-03-05");
	assert_true(due(&f, NULL, DL_plan_contract) != DAY_NONE);
	f.contract_date = day("2026-03-05");
	assert_true(due(&f, NULL, DL_plan_contract) == DAY_NONE);
}

/* The right lapses two years after the first settlement with a permit:
 * 29 February and two years is 28 February. */
static void test_two_year_lapse(void **state)
{
	(void)state;
	struct deadline_facts f = nobody();

	f.first_settlement_with_permit = day("2024-02-29");
	assert_string_equal(iso(due(&f, NULL, DL_eligibility_lapse)), "2026-02-28");
	f.first_settlement_with_permit = day("2025-03-01");
	assert_string_equal(iso(due(&f, NULL, DL_eligibility_lapse)), "2027-03-01");
	long d = due(&f, NULL, DL_eligibility_lapse);
	assert_int_equal(deadline_state_on(d, day("2027-03-01"), 7), DS_SOON);
	assert_int_equal(deadline_state_on(d, day("2027-03-02"), 7), DS_OVERDUE);
	f.programme_decision = day("2026-01-01"); /* decided in time: gone */
	assert_true(due(&f, NULL, DL_eligibility_lapse) == DAY_NONE);
}

/* Only the programme's group: 18 to 55 when the permit was granted, and 60
 * from the day an administrator records Prop. 81 L's date. */
static void test_age_group(void **state)
{
	(void)state;
	struct deadline_facts f = nobody();

	f.settled_by_agreement = true;
	f.settlement_date = day("2026-09-01");
	f.birth_date = day("1970-05-01");
	f.permit_granted = day("2025-04-30"); /* 54 */
	assert_true(due(&f, NULL, DL_programme_decision) != DAY_NONE);
	f.permit_granted = day("2025-05-01"); /* 55 on the day */
	assert_true(due(&f, NULL, DL_programme_decision) != DAY_NONE);
	f.birth_date = day("1969-05-01"); /* 56 */
	assert_true(due(&f, NULL, DL_programme_decision) == DAY_NONE);
	assert_true(due(&f, NULL, DL_mapping) == DAY_NONE);
	f.birth_date = day("2008-05-02"); /* 16 */
	assert_true(due(&f, NULL, DL_programme_decision) == DAY_NONE);

	struct rule_row rows[64];
	memcpy(rows, rule_rows, rule_row_count * sizeof rows[0]);
	rows[rule_row_count] = (struct rule_row){RULE_age_max, REGIME_integreringsloven, "2026-07-01",
	                                         60, RV_SET, "Prop. 81 L", "ada", 1};
	struct rule_set corrected = {rows, rule_row_count + 1, NULL};
	f.birth_date = day("1968-03-01");    /* 58 */
	f.permit_granted = day("2026-06-30"); /* before the change */
	assert_true(due(&f, &corrected, DL_programme_decision) == DAY_NONE);
	f.permit_granted = day("2026-07-01");
	assert_true(due(&f, &corrected, DL_programme_decision) != DAY_NONE);
	f.regime = REGIME_introduksjonsloven; /* the old act keeps 55 */
	assert_true(due(&f, &corrected, DL_programme_decision) == DAY_NONE);
	/* The health clocks are for everyone. */
	f.arrival_norway = day("2026-06-01");
	assert_true(due(&f, &corrected, DL_tb_screening) != DAY_NONE);
}

static void test_norwegian_and_leave(void **state)
{
	(void)state;
	struct deadline_facts f = nobody();

	f.programme_start = day("2026-01-15");
	assert_true(due(&f, NULL, DL_norwegian_completion) == DAY_NONE); /* education unknown */
	f.upper_secondary = 1;
	assert_string_equal(iso(due(&f, NULL, DL_norwegian_completion)), "2027-07-15");
	f.upper_secondary = 0;
	assert_string_equal(iso(due(&f, NULL, DL_norwegian_completion)), "2029-01-15");
	f.leave_days = 20; /* approved leave extends it */
	assert_string_equal(iso(due(&f, NULL, DL_norwegian_completion)), "2029-02-04");
	f.regime = REGIME_integreringsloven_6a;
	f.leave_days = 0;
	assert_string_equal(iso(due(&f, NULL, DL_norwegian_completion)), "2027-01-15");
}

static void test_in_programme(void **state)
{
	(void)state;
	struct deadline_facts f = nobody();

	f.in_programme = true;
	f.plan_date = day("2026-02-01");
	assert_string_equal(iso(due(&f, NULL, DL_plan_review)), "2026-08-01");
	f.plan_reviewed = day("2026-07-15");
	assert_string_equal(iso(due(&f, NULL, DL_plan_review)), "2027-01-15");
	f.programme_end = day("2027-06-30");
	assert_string_equal(iso(due(&f, NULL, DL_extension_assessment)), "2027-05-01");
	f.extension_months = 6;
	assert_true(due(&f, NULL, DL_extension_assessment) == DAY_NONE);
	/* A temporary stop lasts at most three months. */
	f.stop_from = day("2026-11-30");
	assert_string_equal(iso(due(&f, NULL, DL_stop_expiry)), "2027-02-28");
	f.stop_to = day("2027-01-10");
	assert_string_equal(iso(due(&f, NULL, DL_stop_expiry)), "2027-01-10");
	/* Not in programme: none of these. */
	f.in_programme = false;
	assert_true(due(&f, NULL, DL_plan_review) == DAY_NONE);
	assert_true(due(&f, NULL, DL_stop_expiry) == DAY_NONE);
}

static void test_nir(void **state)
{
	(void)state;
	struct deadline_facts f = nobody();

	f.nir_unregistered = day("2026-10-31");
	assert_string_equal(iso(due(&f, NULL, DL_nir_registration)), "2026-12-31");
	f.nir_registered = day("2026-11-02");
	assert_true(due(&f, NULL, DL_nir_registration) == DAY_NONE);
	f.ended = day("2026-12-31");
	f.programme_over = true;
	assert_string_equal(iso(due(&f, NULL, DL_end_record)), "2027-02-28");
	f.nir_registered = day("2027-01-05");
	assert_true(due(&f, NULL, DL_end_record) == DAY_NONE);
	/* Over: no decision, mapping or lapse, whatever the dates say. */
	f.settled_by_agreement = true;
	f.settlement_date = day("2026-01-01");
	f.first_settlement_with_permit = day("2026-01-01");
	assert_true(due(&f, NULL, DL_programme_decision) == DAY_NONE);
	assert_true(due(&f, NULL, DL_eligibility_lapse) == DAY_NONE);
}

/* The stipend: 2G, a third or two for the young, across a 25th birthday and
 * the G's change on 1 May. */
static void test_stipend(void **state)
{
	(void)state;
	struct stipend sp;
	long birth = day("2000-05-15");

	/* 24 on 30 April 2025, living alone: two thirds of 2G of 2024. */
	assert_int_equal(stipend_on(shipped(), birth, 0, REGIME_integreringsloven, day("2025-04-30"), &sp), 0);
	assert_true(sp.young);
	assert_int_equal(sp.g, 124028);
	assert_int_equal(sp.thirds, 2);
	assert_int_equal(sp.annual, 124028 * 2 * 2 / 3);
	/* 1 May: the new G, still 24. */
	assert_int_equal(stipend_on(shipped(), birth, 0, REGIME_integreringsloven, day("2025-05-01"), &sp), 0);
	assert_int_equal(sp.g, 130160);
	assert_int_equal(sp.annual, 130160 * 2 * 2 / 3);
	/* Living with a parent: a third. */
	assert_int_equal(stipend_on(shipped(), birth, 1, REGIME_integreringsloven, day("2025-05-14"), &sp), 0);
	assert_int_equal(sp.thirds, 1);
	assert_int_equal(sp.annual, 130160 * 2 / 3);
	/* The 25th birthday: the full rate, whoever they live with. */
	assert_int_equal(stipend_on(shipped(), birth, 1, REGIME_integreringsloven, day("2025-05-15"), &sp), 0);
	assert_false(sp.young);
	assert_int_equal(sp.thirds, 3);
	assert_int_equal(sp.annual, 130160 * 2);
	assert_int_equal(stipend_on(shipped(), birth, -1, REGIME_integreringsloven, day("2025-05-15"), &sp), 0);
	/* Not known: the young one's household, the birth date, a G that old. */
	assert_int_equal(stipend_on(shipped(), birth, -1, REGIME_integreringsloven, day("2025-05-14"), &sp), -1);
	assert_int_equal(stipend_on(shipped(), DAY_NONE, 0, REGIME_integreringsloven, day("2025-05-14"), &sp), -1);
	assert_int_equal(stipend_on(shipped(), birth, 0, REGIME_integreringsloven, day("2023-04-30"), &sp), -1);
}

/* A case as the store gives it: only the fields the stipend reads. */
static void put(struct case_rec *c, enum field_id f, const char *v)
{
	c->value[f] = (char *)v;
	c->len[f] = v ? (uint32_t)strlen(v) : 0;
}

/* A case's stipend: what it rests on, and the next day it changes while the
 * programme lasts (a new G on 1 May, the 25th birthday). */
static void test_case_stipend(void **state)
{
	(void)state;
	struct case_rec c;
	struct case_stipend cs;

	memset(&c, 0, sizeof c);
	put(&c, F_birth_date, "2000-05-15");
	put(&c, F_lives_with_parent, "false");
	put(&c, F_regime, "integreringsloven");
	assert_int_equal(case_stipend(&c, shipped(), day("2025-04-30"), &cs), 0);
	assert_int_equal(cs.now.annual, 124028 * 4 / 3);
	assert_int_equal(cs.now.thirds, 2);
	assert_string_equal(iso(cs.g_from), "2024-05-01");
	assert_int_equal(cs.stipend_g, 2);
	assert_int_equal(cs.young_age, 25);
	assert_int_equal(cs.with_parent, 0);
	assert_string_equal(iso(cs.next), "2025-05-01");
	assert_int_equal(cs.next_annual, 130160 * 4 / 3);
	/* After the new G: the 25th birthday is next. */
	assert_int_equal(case_stipend(&c, shipped(), day("2025-05-01"), &cs), 0);
	assert_string_equal(iso(cs.next), "2025-05-15");
	assert_int_equal(cs.next_annual, 130160 * 2);
	/* ... unless the programme ends before it, or has ended. */
	put(&c, F_programme_end, "2025-05-14");
	assert_int_equal(case_stipend(&c, shipped(), day("2025-05-01"), &cs), 0);
	assert_true(cs.next == DAY_NONE);
	put(&c, F_programme_end, "2025-05-15");
	assert_int_equal(case_stipend(&c, shipped(), day("2025-05-01"), &cs), 0);
	assert_string_equal(iso(cs.next), "2025-05-15");
	put(&c, F_ended, "2025-05-02");
	assert_int_equal(case_stipend(&c, shipped(), day("2025-05-01"), &cs), 0);
	assert_true(cs.next == DAY_NONE);
	put(&c, F_ended, NULL);
	put(&c, F_programme_end, NULL);
	/* 25: the full rate, and no row after it in the shipped rules. */
	assert_int_equal(case_stipend(&c, shipped(), day("2025-05-15"), &cs), 0);
	assert_int_equal(cs.now.annual, 260320);
	assert_true(cs.next == DAY_NONE);

	/* Born on 29 February: 25 on 1 March in a year without one. */
	put(&c, F_birth_date, "2000-02-29");
	assert_int_equal(case_stipend(&c, shipped(), day("2025-02-27"), &cs), 0);
	assert_string_equal(iso(cs.next), "2025-03-01");

	/* A row that keeps the value is no change: the one after it is. */
	struct rule_row rows[64];
	size_t n = 0;
	for (size_t i = 0; i < rule_row_count && n < 62; i++)
		rows[n++] = rule_rows[i];
	rows[n++] = (struct rule_row){RULE_g_amount, REGIME_ANY, "2025-09-01", 130160,
	                              RV_SET,        "test",     "ada",        0};
	rows[n++] = (struct rule_row){RULE_g_amount, REGIME_ANY, "2026-05-01", 135000,
	                              RV_SET,        "test",     "ada",        0};
	assert_true(rule_row_count < 62);
	struct rule_set set = {rows, n, NULL};
	assert_int_equal(case_stipend(&c, &set, day("2025-06-01"), &cs), 0);
	assert_string_equal(iso(cs.next), "2026-05-01");
	assert_int_equal(cs.next_annual, 270000);

	/* Not known: the young one's household, a locked or empty birth date. */
	put(&c, F_birth_date, "2004-01-01");
	put(&c, F_lives_with_parent, NULL);
	assert_int_equal(case_stipend(&c, shipped(), day("2025-06-01"), &cs), -1);
	assert_string_equal(cs.why, "whether the person lives with a parent is not known");
	c.locked[F_birth_date] = true;
	assert_int_equal(case_stipend(&c, shipped(), day("2025-06-01"), &cs), -1);
	assert_string_equal(cs.why, "the birth date is not known");
	c.locked[F_birth_date] = false;
	put(&c, F_birth_date, "1980-01-01");
	assert_int_equal(case_stipend(&c, shipped(), day("2023-01-01"), &cs), -1);
	assert_string_equal(cs.why, "no G is in force on the day");
}

static void test_names(void **state)
{
	(void)state;
	for (int d = 0; d < DL_COUNT; d++) {
		assert_int_equal(deadline_parse(deadline_id_name((enum deadline_id)d)), d);
		assert_true(*deadline_label((enum deadline_id)d, true));
	}
	assert_int_equal(deadline_class(DL_tb_screening), KC_HEALTH);
	assert_int_equal(deadline_class(DL_mapping), KC_PROGRAMME);
	assert_int_equal(deadline_parse("tb"), -1);
}

static void test_add_months(void **state)
{
	(void)state;
	assert_string_equal(iso(date_add_months(day("2024-01-31"), 1)), "2024-02-29");
	assert_string_equal(iso(date_add_months(day("2023-01-31"), 1)), "2023-02-28");
	assert_string_equal(iso(date_add_months(day("2024-12-31"), 2)), "2025-02-28");
	assert_string_equal(iso(date_add_months(day("2024-03-31"), -1)), "2024-02-29");
	assert_string_equal(iso(date_add_months(day("2024-01-15"), -13)), "2022-12-15");
	assert_string_equal(iso(date_add_months(day("1969-12-31"), 0)), "1969-12-31");
	assert_string_equal(iso(date_add_months(day("2024-02-29"), 24)), "2026-02-28");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_nothing_without_dates), cmocka_unit_test(test_tb_boundaries),
	    cmocka_unit_test(test_three_months),          cmocka_unit_test(test_clock_start),
	    cmocka_unit_test(test_two_year_lapse),        cmocka_unit_test(test_age_group),
	    cmocka_unit_test(test_norwegian_and_leave),   cmocka_unit_test(test_in_programme),
	    cmocka_unit_test(test_nir),                   cmocka_unit_test(test_stipend),
	    cmocka_unit_test(test_case_stipend),
	    cmocka_unit_test(test_names),
	    cmocka_unit_test(test_add_months),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
