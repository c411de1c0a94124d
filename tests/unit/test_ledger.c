/* The settlement ledger (issue 11): the targets of a year with every
 * version kept and sealed, and the year's numbers counted from the cases:
 * settled by agreement on the settlement date, family reunification apart
 * and never in the total, unaccompanied minors inside it, by month, origin
 * and household type; leads and administrators only. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store/private.h"
#include "store/validate.h"
#include "tests/unit/fixture.h"
#include "tests/unit/open.h"
#include "tests/unit/raw.h"

static const char kari_pass[] = "kari's own passphrase";
static const char lise_pass[] = "lise's own passphrase";

static void set(struct case_rec *c, enum field_id f, const char *v)
{
	assert_int_equal(case_set(c, f, v, strlen(v)), 0);
}

/* A case of the given field=value pairs (NULL-terminated). */
static uint64_t insert(store *st, const char *const *kv)
{
	struct case_rec c;
	uint64_t id = 0;

	case_init(&c);
	set(&c, F_given_name, "Zqxledger");
	set(&c, F_family_name, "Testesen");
	for (size_t i = 0; kv && kv[i]; i += 2) {
		int f = field_by_id(kv[i], strlen(kv[i]));
		assert_true(f >= 0);
		set(&c, (enum field_id)f, kv[i + 1]);
	}
	assert_int_equal(store_case_insert(st, &c, 1, &id), M_OK);
	case_clear(&c);
	return id;
}

/* One settled by agreement on day, nothing else said. */
static void settled(store *st, const char *day)
{
	const char *kv[] = {"settled_by_agreement", "true", "settlement_date", day, NULL};
	insert(st, kv);
}

static struct target numbers(int year, long requested, long decided)
{
	return (struct target){.year = year,
	                       .requested = requested,
	                       .minors = -1,
	                       .decided = decided,
	                       .date = DAY_NONE,
	                       .answer_by = DAY_NONE,
	                       .body = BODY_COUNCIL};
}

/* ---- targets ----------------------------------------------------------- */

static void test_target_revisions(void **state)
{
	struct tstore *t = *state;
	struct target v = numbers(2026, 100, 90), *all;
	size_t n;

	v.minors = 10;
	v.date = date_days("2026-02-12");
	v.answer_by = date_days("2026-01-31");
	assert_int_equal(store_target_set(t->st, &v), M_OK);
	/* A revision gives only the decision, with its date and body. */
	v = numbers(2026, -1, 110);
	v.date = date_days("2026-06-18");
	v.body = BODY_EXECUTIVE;
	assert_int_equal(store_target_set(t->st, &v), M_OK);
	assert_int_equal(store_target_set(t->st, &(struct target){.year = 2025,
	                                                          .requested = 50,
	                                                          .minors = -1,
	                                                          .decided = 40,
	                                                          .date = DAY_NONE,
	                                                          .answer_by = DAY_NONE}),
	                 M_OK);

	assert_int_equal(store_targets(t->st, 2026, &all, &n), M_OK);
	assert_int_equal(n, 2);
	assert_int_equal(all[0].decided, 90);
	assert_int_equal(all[0].body, BODY_COUNCIL);
	assert_int_equal(all[0].date, date_days("2026-02-12"));
	assert_int_equal(all[1].decided, 110);
	assert_int_equal(all[1].requested, 100); /* carried over */
	assert_int_equal(all[1].minors, 10);
	assert_int_equal(all[1].answer_by, date_days("2026-01-31"));
	assert_int_equal(all[1].body, BODY_EXECUTIVE);
	assert_string_equal(all[1].by, "admin");
	assert_true(all[1].at > 0);
	free(all);

	assert_int_equal(store_targets(t->st, 0, &all, &n), M_OK);
	assert_int_equal(n, 3);
	assert_int_equal(all[0].year, 2025);
	assert_int_equal(all[1].year, 2026);
	assert_int_equal(all[2].decided, 110);
	free(all);

	/* The ledger compares against the latest. */
	struct ledger l;
	assert_int_equal(store_ledger(t->st, 2026, &l), M_OK);
	assert_int_equal(l.requested, 100);
	assert_int_equal(l.minors_requested, 10);
	assert_int_equal(l.decided, 110);
	assert_int_equal(l.answer_by, date_days("2026-01-31"));
	assert_int_equal(l.nhistory, 2);
	assert_int_equal(l.history[0].decided, 90);
	ledger_free(&l);
	assert_int_equal(store_ledger(t->st, 2024, &l), M_OK);
	assert_int_equal(l.decided, -1);
	assert_int_equal(l.nhistory, 0);
	ledger_free(&l);
}

static void test_target_invalid(void **state)
{
	struct tstore *t = *state;
	struct target v = numbers(2026, -1, 20);

	assert_int_equal(store_target_set(t->st, &v), M_USAGE); /* first needs requested */
	assert_int_equal(store_fault(t->st)->code, E_TARGET_FIRST_NEEDS);
	v = numbers(1999, 10, 10);
	assert_int_equal(store_target_set(t->st, &v), M_USAGE);
	assert_int_equal(store_fault(t->st)->code, E_TARGET_YEAR_INVALID);
	v = numbers(2101, 10, 10);
	assert_int_equal(store_target_set(t->st, &v), M_USAGE);
	v = numbers(2026, 10, -5);
	assert_int_equal(store_target_set(t->st, &v), M_USAGE);
	assert_int_equal(store_fault(t->st)->code, E_TARGET_COUNT_INVALID);
	v = numbers(2026, 10, 10);
	v.minors = 11;
	assert_int_equal(store_target_set(t->st, &v), M_USAGE);
	assert_int_equal(store_fault(t->st)->code, E_TARGET_MINORS_ABOVE);
	v.minors = 10;
	v.body = BODY_COUNT;
	assert_int_equal(store_target_set(t->st, &v), M_USAGE);
	v.body = BODY_COUNCIL;
	v.date = date_days("1989-12-31"); /* before any year a target is for */
	assert_int_equal(store_target_set(t->st, &v), M_USAGE);
	assert_int_equal(store_fault(t->st)->code, E_TARGET_DATE_INVALID);
	v.date = 84006; /* 2200-01-01 */
	assert_int_equal(store_target_set(t->st, &v), M_USAGE);
	v.date = date_days("1990-01-01");
	v.requested = v.decided = TARGET_MAX;
	assert_int_equal(store_target_set(t->st, &v), M_OK);
	struct target *all;
	size_t n;
	assert_int_equal(store_targets(t->st, 2026, &all, &n), M_OK); /* reads back */
	assert_int_equal(n, 1);
	assert_int_equal(all[0].decided, TARGET_MAX);
	assert_int_equal(all[0].date, date_days("1990-01-01"));
	free(all);
	v = numbers(2026, 10, -1); /* a revision of the request alone */
	assert_int_equal(store_target_set(t->st, &v), M_OK);
	/* A revision's minors against the carried-over request. */
	v = numbers(2026, -1, -1);
	v.minors = 12;
	assert_int_equal(store_target_set(t->st, &v), M_USAGE);
	assert_int_equal(store_fault(t->st)->code, E_TARGET_MINORS_ABOVE);

	assert_string_equal(target_body_name(BODY_EXECUTIVE), "executive");
	assert_int_equal(target_body_parse("council"), BODY_COUNCIL);
	assert_int_equal(target_body_parse("formannskap"), -1);
}

static void test_caseworker_refused(void **state)
{
	struct tstore *t = *state;
	struct target v = numbers(2026, 10, 10), *all = NULL;
	struct ledger l;
	size_t n;

	assert_int_equal(store_target_set(t->st, &v), M_OK);
	assert_int_equal(
	    store_user_add(t->st, "kari", ROLE_CASEWORKER, kari_pass, strlen(kari_pass)), M_OK);
	assert_int_equal(store_user_add(t->st, "lise", ROLE_LEAD, lise_pass, strlen(lise_pass)),
	                 M_OK);
	ts_reopen_as(t, "kari", kari_pass);
	assert_int_equal(store_target_set(t->st, &v), M_AUTH);
	assert_int_equal(store_fault(t->st)->code, E_TARGETS_LEADS);
	assert_int_equal(store_targets(t->st, 2026, &all, &n), M_AUTH);
	assert_null(all);
	assert_int_equal(store_ledger(t->st, 2026, &l), M_AUTH);
	ts_reopen_as(t, "lise", lise_pass);
	v.decided = 12;
	assert_int_equal(store_target_set(t->st, &v), M_OK);
	assert_int_equal(store_targets(t->st, 2026, &all, &n), M_OK);
	assert_int_equal(n, 2);
	assert_string_equal(all[1].by, "lise");
	free(all);
}

/* A writer of the file changes a number: the version no longer
 * authenticates, and nothing is counted from it. */
static void test_target_tampered(void **state)
{
	struct tstore *t = *state;
	struct target v = numbers(2026, 100, 90), *all = NULL;
	struct ledger l;
	uint8_t key[14] = "targets", val[256];
	size_t n, len;

	assert_int_equal(store_target_set(t->st, &v), M_OK);
	be16(key + 8, 2026);
	be32(key + 10, 0);
	assert_true(raw_get(t->st, DB_META, key, sizeof key, val, sizeof val, &len));
	val[4 + 32 + 1 + 8 * 2 + 7] ^= 1; /* the decision's lowest byte: 90 -> 91 */
	raw_put(t->st, DB_META, key, sizeof key, val, len);
	assert_int_equal(store_targets(t->st, 2026, &all, &n), M_INTEGRITY);
	assert_int_equal(store_fault(t->st)->code, E_TARGET_FORGED);
	assert_int_equal(store_ledger(t->st, 2026, &l), M_INTEGRITY);
	/* And a version taken out of the middle shows as a gap. */
	val[4 + 32 + 1 + 8 * 2 + 7] ^= 1;
	raw_put(t->st, DB_META, key, sizeof key, val, len);
	v.decided = 95;
	assert_int_equal(store_target_set(t->st, &v), M_OK);
	v.decided = 99;
	assert_int_equal(store_target_set(t->st, &v), M_OK);
	be32(key + 10, 1);
	raw_put(t->st, DB_META, key, sizeof key, NULL, 0);
	assert_int_equal(store_targets(t->st, 2026, &all, &n), M_INTEGRITY);
	assert_int_equal(store_fault(t->st)->code, E_TARGET_DAMAGED);
}

/* A revision that changes nothing is refused; a new decision without its
 * date is of today, not of the decision before; a revision of the request
 * alone is no new decision. */
static void test_target_revision_rules(void **state)
{
	struct tstore *t = *state;
	struct target v = numbers(2026, 100, 90), *all = NULL;
	size_t n;
	char day[11];

	assert_int_equal(store_target_set(t->st, &v), M_OK);
	assert_int_equal(store_target_set(t->st, &v), M_USAGE);
	assert_int_equal(store_fault(t->st)->code, E_TARGET_UNCHANGED);
	v = numbers(2026, -1, 95);
	v.date = DAY_NONE;
	assert_int_equal(store_target_set(t->st, &v), M_OK);
	v = numbers(2026, 120, -1);
	v.date = DAY_NONE;
	assert_int_equal(store_target_set(t->st, &v), M_OK);
	assert_int_equal(store_targets(t->st, 2026, &all, &n), M_OK);
	assert_int_equal(n, 3);
	date_iso(all[1].date, day);
	char today[11];
	date_iso(st_today(), today);
	assert_string_equal(day, today);
	assert_true(all[2].date == all[1].date); /* the request's revision keeps it */
	assert_true(target_is_decision(all, 0) && target_is_decision(all, 1));
	assert_false(target_is_decision(all, 2));
	free(all);
}

/* A rotation of the record class seals the targets again: the old epoch's
 * key is deleted after it, and every version still reads. */
static void test_target_after_rotation(void **state)
{
	struct tstore *t = *state;
	struct target v = numbers(2026, 100, 90), *all = NULL;
	size_t n;

	assert_int_equal(store_target_set(t->st, &v), M_OK);
	v = numbers(2026, -1, 95);
	assert_int_equal(store_target_set(t->st, &v), M_OK);
	assert_int_equal(store_rotate(t->st, KC_RECORD, 100, NULL, NULL), M_OK);
	ts_reopen_as(t, "admin", FIXTURE_ADMIN_PASS);
	assert_int_equal(store_targets(t->st, 2026, &all, &n), M_OK);
	assert_int_equal(n, 2);
	assert_int_equal(all[1].decided, 95);
	free(all);
}

/* ---- the ledger's arithmetic ------------------------------------------- */

static void test_settled_by_month_and_year(void **state)
{
	struct tstore *t = *state;
	struct ledger l;

	settled(t->st, "2025-12-31");
	settled(t->st, "2026-01-01");
	settled(t->st, "2026-01-15");
	settled(t->st, "2026-12-31");
	settled(t->st, "2027-01-01");
	/* Not by agreement: a case, never a settled person. */
	insert(t->st, (const char *[]){"settled_by_agreement", "false", "settlement_date",
	                               "2026-03-03", NULL});
	insert(t->st, (const char *[]){"settlement_date", "2026-03-03", NULL});
	/* By agreement with no settlement date: not yet settled. */
	insert(t->st, (const char *[]){"settled_by_agreement", "true", NULL});

	assert_int_equal(store_ledger(t->st, 2026, &l), M_OK);
	assert_int_equal(l.settled, 3);
	assert_int_equal(l.by_month[0], 2);
	assert_int_equal(l.by_month[11], 1);
	assert_int_equal(l.by_month[2], 0);
	assert_int_equal(l.by_origin[LO_UNKNOWN], 3);
	assert_int_equal(l.unreadable, 0);
	ledger_free(&l);
	assert_int_equal(store_ledger(t->st, 2025, &l), M_OK);
	assert_int_equal(l.settled, 1);
	assert_int_equal(l.by_month[11], 1);
	ledger_free(&l);
	assert_int_equal(store_ledger(t->st, 2027, &l), M_OK);
	assert_int_equal(l.settled, 1);
	assert_int_equal(l.by_month[0], 1);
	ledger_free(&l);
}

static void test_family_reunification_apart(void **state)
{
	struct tstore *t = *state;
	struct ledger l;

	settled(t->st, "2026-04-10");
	/* Reunified: never settled, also when flagged by agreement. */
	insert(t->st, (const char *[]){"family_reunification", "true", "settled_by_agreement",
	                               "true", "settlement_date", "2026-05-02", NULL});
	insert(t->st, (const char *[]){"family_reunification", "true", "settlement_date",
	                               "2026-05-20", NULL});
	insert(t->st, (const char *[]){"family_reunification", "true", "settlement_date",
	                               "2025-05-20", NULL});

	assert_int_equal(store_ledger(t->st, 2026, &l), M_OK);
	assert_int_equal(l.settled, 1);
	assert_int_equal(l.by_month[4], 0);
	assert_int_equal(l.family_reunification, 2);
	assert_int_equal(l.fr_by_month[4], 2);
	assert_int_equal(l.by_origin[LO_UNKNOWN], 1);
	long households = 0;
	for (int h = 0; h < LH_COUNT; h++)
		households += l.by_household[h];
	assert_int_equal(households, 1);
	ledger_free(&l);
}

static void test_minors_inside_and_origin(void **state)
{
	struct tstore *t = *state;
	struct ledger l;

	insert(t->st,
	       (const char *[]){"settled_by_agreement", "true", "settlement_date", "2026-02-01",
	                        "unaccompanied_minor", "true", "birth_date", "2010-03-01",
	                        "settlement_origin", "reception_centre", NULL});
	insert(t->st, (const char *[]){"settled_by_agreement", "true", "settlement_date",
	                               "2026-02-03", "unaccompanied_minor", "true",
	                               "settlement_origin", "resettlement", NULL});
	insert(t->st,
	       (const char *[]){"settled_by_agreement", "true", "settlement_date", "2026-03-01",
	                        "settlement_origin", "outside_reception", NULL});
	insert(t->st, (const char *[]){"settled_by_agreement", "true", "settlement_date",
	                               "2026-03-02", "settlement_origin", "resettlement", NULL});

	assert_int_equal(store_ledger(t->st, 2026, &l), M_OK);
	assert_int_equal(l.settled, 4);
	assert_int_equal(l.unaccompanied_minors, 2);
	assert_int_equal(l.by_household[LH_UNACCOMPANIED_MINOR], 2);
	assert_int_equal(l.by_origin[LO_RECEPTION], 1);
	assert_int_equal(l.by_origin[LO_RESETTLEMENT], 2);
	assert_int_equal(l.by_origin[LO_OUTSIDE], 1);
	assert_int_equal(l.by_origin[LO_UNKNOWN], 0);
	assert_string_equal(ledger_origin_name(LO_RECEPTION), "reception_centre");
	assert_string_equal(ledger_household_name(LH_FAMILY_CHILDREN), "family_with_children");
	ledger_free(&l);
}

static void member(store *st, const char *hid, const char *relation, const char *birth,
                   const char *day)
{
	const char *kv[12] = {"settled_by_agreement", "true", "settlement_date", day,
	                      "household_id",         hid};
	size_t k = 6;

	if (relation) {
		kv[k++] = "relation";
		kv[k++] = relation;
	}
	if (birth) {
		kv[k++] = "birth_date";
		kv[k++] = birth;
	}
	insert(st, kv);
}

static void test_household_types(void **state)
{
	struct tstore *t = *state;
	struct ledger l;

	/* A family with two children, one of them by age alone. */
	member(t->st, "H1", NULL, "1985-01-01", "2026-03-01");
	member(t->st, "H1", "spouse", "1987-01-01", "2026-03-01");
	member(t->st, "H1", "child", "2012-01-01", "2026-03-01");
	member(t->st, "H1", NULL, "2016-06-01", "2026-03-01");
	/* Born after the household came: not a settled person. */
	member(t->st, "H1", "child", "2026-08-01", "2026-08-01");
	/* A couple. */
	member(t->st, "H2", NULL, "1970-01-01", "2026-04-01");
	member(t->st, "H2", "spouse", "1972-01-01", "2026-04-01");
	/* Single adults: alone in a household, or with none. */
	member(t->st, "H3", NULL, "1990-01-01", "2026-05-01");
	settled(t->st, "2026-05-02");
	/* An adult child of 19 with a parent: a family without children. */
	member(t->st, "H4", NULL, "1960-01-01", "2026-06-01");
	member(t->st, "H4", NULL, "2007-01-01", "2026-06-01");
	/* A family member reunified later does not make a family of a single. */
	member(t->st, "H5", NULL, "1980-01-01", "2026-07-01");
	insert(t->st, (const char *[]){"household_id", "H5", "relation", "child", "birth_date",
	                               "2015-01-01", "family_reunification", "true",
	                               "settlement_date", "2026-10-01", NULL});

	assert_int_equal(store_ledger(t->st, 2026, &l), M_OK);
	assert_int_equal(l.settled, 4 + 2 + 2 + 2 + 1);
	assert_int_equal(l.by_household[LH_FAMILY_CHILDREN], 4);
	assert_int_equal(l.by_household[LH_FAMILY_NO_CHILDREN], 4);
	assert_int_equal(l.by_household[LH_SINGLE_ADULT], 3);
	assert_int_equal(l.by_household[LH_UNACCOMPANIED_MINOR], 0);
	assert_int_equal(l.by_month[7], 0); /* the child born in August */
	assert_int_equal(l.family_reunification, 1);
	ledger_free(&l);
}

/* The household spans years: its members settled in the year are typed by
 * the whole household, and a child born after its first settlement is not
 * a settled person in the later year. */
static void test_household_across_years(void **state)
{
	struct tstore *t = *state;
	struct ledger l;

	member(t->st, "H9", NULL, "1980-01-01", "2025-12-31");
	member(t->st, "H9", "child", "2026-02-01", "2026-02-10");
	member(t->st, "H9", "spouse", "1982-01-01", "2026-01-01");

	assert_int_equal(store_ledger(t->st, 2026, &l), M_OK);
	assert_int_equal(l.settled, 1);
	assert_int_equal(l.by_month[0], 1);
	assert_int_equal(l.by_household[LH_FAMILY_NO_CHILDREN], 1);
	ledger_free(&l);
	assert_int_equal(store_ledger(t->st, 2025, &l), M_OK);
	assert_int_equal(l.settled, 1);
	assert_int_equal(l.by_household[LH_FAMILY_NO_CHILDREN], 1);
	ledger_free(&l);
}

static void test_in_programme_clear(void **state)
{
	struct tstore *t = *state;
	struct ledger l;

	insert(t->st, (const char *[]){"status", "requested", NULL});
	assert_int_equal(store_ledger(t->st, 2026, &l), M_OK);
	assert_int_equal(l.in_programme, 0);
	assert_int_equal(l.settled, 0);
	ledger_free(&l);
}

#define FX(fn) cmocka_unit_test_setup_teardown(fn, fixture_store_setup, fixture_store_teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
	    FX(test_target_revisions),
	    FX(test_target_invalid),
	    FX(test_caseworker_refused),
	    FX(test_target_tampered),
	    FX(test_target_after_rotation),
	    FX(test_target_revision_rules),
	    FX(test_settled_by_month_and_year),
	    FX(test_family_reunification_apart),
	    FX(test_minors_inside_and_origin),
	    FX(test_household_types),
	    FX(test_household_across_years),
	    FX(test_in_programme_clear),
	};

	setenv("MAPPE_TODAY", "2026-12-01", 1);
	return cmocka_run_group_tests_name("ledger", tests, fixture_keys_setup, NULL);
}
