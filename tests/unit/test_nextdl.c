/* The next deadline (issue 10): the soonest of a case's deadlines, as the
 * search index keeps it for the case list's column and My day; computed
 * from the case's own dates and lists when the index is loaded, again when a
 * case is saved; health deadlines only for those who hold the health class.
 * And the deadlines of a case read from its deadline fields alone equal
 * those read from the whole case. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store/store.h"
#include "store/validate.h"
#include "tests/unit/fixture.h"
#include "tests/unit/open.h"

static const char kari_pass[] = "kari's own passphrase";

static void set(struct case_rec *c, enum field_id f, const char *v)
{
	assert_int_equal(case_set(c, f, v, strlen(v)), 0);
}

static long day(const char *iso)
{
	return date_days(iso);
}

/* ---- deadline_next ------------------------------------------------------- */

static void test_next_soonest(void **state)
{
	struct deadline d[] = {{DL_plan_review, 100}, {DL_mapping, 40}, {DL_nir_registration, 90}};
	struct deadline out;

	(void)state;
	assert_false(deadline_next(d, 0, &out));
	assert_true(deadline_next(d, 1, &out));
	assert_int_equal(out.id, DL_plan_review);
	assert_true(deadline_next(d, 3, &out));
	assert_int_equal(out.id, DL_mapping);
	assert_int_equal(out.due, 40);
}

/* Two due on one day: the first in DEADLINES order, whichever came first. */
static void test_next_tie(void **state)
{
	struct deadline d[] = {{DL_programme_decision, 40}, {DL_mapping, 40}};
	struct deadline out;

	(void)state;
	assert_true(deadline_next(d, 2, &out));
	assert_int_equal(out.id, DL_mapping);
}

/* ---- in the search index --------------------------------------------------- */

static uint64_t insert(store *st, const char *given, const char *const *kv)
{
	struct case_rec c;
	uint64_t id = 0;

	case_init(&c);
	set(&c, F_given_name, given);
	set(&c, F_family_name, "Zqxnext");
	for (size_t i = 0; kv && kv[i]; i += 2)
		set(&c, (enum field_id)field_by_id(kv[i], strlen(kv[i])), kv[i + 1]);
	assert_int_equal(store_case_insert(st, &c, 1, &id), M_OK);
	case_clear(&c);
	return id;
}

static bool next_of(const search_index *ix, uint64_t id, struct deadline *d)
{
	struct search_row r;
	long at = search_index_find(ix, id);

	assert_true(at >= 0);
	search_index_row(ix, (size_t)at, &r);
	*d = r.next;
	return r.has_next;
}

static void test_index_next(void **state)
{
	struct tstore *t = *state;
	static const char *const settled[] = {"status", "settled", "settlement_date", "2026-08-15",
	                                      "settled_by_agreement", "true", NULL};
	static const char *const arrived[] = {"arrival_norway", "2026-11-20", "tb_status", "due",
	                                      NULL};
	search_index *ix = NULL, *names = NULL;
	struct deadline d;

	uint64_t a = insert(t->st, "Zqxa", settled);
	uint64_t b = insert(t->st, "Zqxb", NULL);
	uint64_t c = insert(t->st, "Zqxc", arrived);
	assert_int_equal(search_index_load(t->st, &ix), M_OK);

	/* The decision and its mapping both due 15 November: the mapping. */
	assert_true(next_of(ix, a, &d));
	assert_int_equal(d.id, DL_mapping);
	assert_int_equal(d.due, day("2026-11-15"));
	assert_false(next_of(ix, b, &d)); /* nothing due: blank */
	/* The administrator holds the health class: the TB examination. */
	assert_true(next_of(ix, c, &d));
	assert_int_equal(d.id, DL_tb_screening);
	assert_int_equal(d.due, day("2026-12-04"));

	/* Due by 1 December: a; by 4 December: a and c; ids in order. */
	uint64_t ids[4] = {0};
	assert_int_equal(search_index_due(ix, NULL, day("2026-12-01"), ids, 4), 1);
	assert_int_equal(ids[0], a);
	assert_int_equal(search_index_due(ix, NULL, day("2026-12-04"), ids, 4), 2);
	assert_int_equal(ids[1], c);
	assert_int_equal(search_index_due(ix, "admin", day("2026-12-04"), NULL, 0), 2);
	assert_int_equal(search_index_due(ix, "kari", day("2026-12-04"), NULL, 0), 0);

	/* A save moves it: the mapping and decision met, the plan and
	 * contract are due at the decision. */
	struct case_rec u;
	case_init(&u);
	u.id = a;
	set(&u, F_mapping_done, "2026-09-01");
	set(&u, F_programme_decision, "2026-09-10");
	assert_int_equal(store_case_update(t->st, &u, 0), M_OK);
	case_clear(&u);
	assert_int_equal(search_index_refresh(t->st, ix, a), M_OK);
	assert_true(next_of(ix, a, &d));
	assert_int_equal(d.id, DL_plan_contract);
	assert_int_equal(d.due, day("2026-09-10"));

	/* Without the deadlines (mappe find): names only. */
	assert_int_equal(search_index_load_names(t->st, &names), M_OK);
	assert_false(next_of(names, a, &d));
	assert_int_equal(search_index_due(names, NULL, day("2030-01-01"), NULL, 0), 0);
	search_index_free(names);
	search_index_free(ix);
}

/* A temporary stop's end is in the stops list: the index reads the lists
 * the deadlines need, not only fields. */
static void test_index_next_from_a_list(void **state)
{
	struct tstore *t = *state;
	search_index *ix = NULL;
	struct deadline d;
	struct case_rec c;
	uint64_t id = 0;
	int i;

	case_init(&c);
	set(&c, F_given_name, "Zqxstop");
	set(&c, F_status, "stopped");
	assert_true((i = case_item_add(&c, L_stops)) >= 0);
	assert_int_equal(case_item_set(&c, i, I_stops_kind, "temporary", 9), 0);
	assert_int_equal(case_item_set(&c, i, I_stops_from, "2026-11-01", 10), 0);
	assert_int_equal(case_item_set(&c, i, I_stops_to, "2026-12-10", 10), 0);
	assert_int_equal(store_case_insert(t->st, &c, 1, &id), M_OK);
	case_clear(&c);

	assert_int_equal(search_index_load(t->st, &ix), M_OK);
	assert_true(next_of(ix, id, &d));
	assert_int_equal(d.id, DL_stop_expiry);
	assert_int_equal(d.due, day("2026-12-10"));
	search_index_free(ix);
}

/* A caseworker holds no health key: the TB examination is not hers to
 * see, in the index as in the report; the health check neither. */
static void test_index_next_health_class(void **state)
{
	struct tstore *t = *state;
	static const char *const arrived[] = {"arrival_norway", "2026-11-20", "tb_status", "due",
	                                      "caseworker", "karin", "status", "settled",
	                                      "settlement_date", "2026-11-21",
	                                      "settled_by_agreement", "true", NULL};
	search_index *ix = NULL;
	struct deadline d;

	assert_int_equal(
	    store_user_add(t->st, "karin", ROLE_CASEWORKER, kari_pass, strlen(kari_pass)), M_OK);
	uint64_t id = insert(t->st, "Zqxtb", arrived);
	ts_reopen_as(t, "karin", kari_pass);
	assert_false(store_can_read(t->st, KC_HEALTH));
	assert_int_equal(search_index_load(t->st, &ix), M_OK);
	assert_true(next_of(ix, id, &d));
	assert_int_equal(d.id, DL_mapping); /* 21 February, not the TB's 4 December */
	assert_int_equal(d.due, day("2027-02-21"));
	search_index_free(ix);
}

/* Another caseworker's case: its next deadline is computed when asked for
 * (the list asks for the rows it shows), not at the load. */
static void test_index_next_lazy(void **state)
{
	struct tstore *t = *state;
	static const char *const hers[] = {"caseworker", "karin", "status", "settled",
	                                   "settlement_date", "2026-08-15",
	                                   "settled_by_agreement", "true", NULL};
	search_index *ix = NULL;
	struct deadline d;

	assert_int_equal(
	    store_user_add(t->st, "karin", ROLE_CASEWORKER, kari_pass, strlen(kari_pass)), M_OK);
	uint64_t id = insert(t->st, "Zqxhers", hers);
	assert_int_equal(search_index_load(t->st, &ix), M_OK);
	assert_false(next_of(ix, id, &d));
	assert_int_equal(search_index_due(ix, NULL, day("2026-12-01"), NULL, 0), 0);
	size_t row = (size_t)search_index_find(ix, id);
	assert_int_equal(search_index_next(t->st, ix, &row, 1), M_OK);
	assert_true(next_of(ix, id, &d));
	assert_int_equal(d.id, DL_mapping);
	assert_int_equal(d.due, day("2026-11-15"));
	assert_int_equal(search_index_due(ix, "karin", day("2026-12-01"), NULL, 0), 1);
	search_index_free(ix);

	/* Hers, as she logs in: at the load. */
	ts_reopen_as(t, "karin", kari_pass);
	assert_int_equal(search_index_load(t->st, &ix), M_OK);
	assert_true(next_of(ix, id, &d));
	assert_int_equal(d.id, DL_mapping);
	search_index_free(ix);
}

/* A caseworker's list shows no colleague's deadline (report deadlines
 * --all is a lead's): search_index_next passes a colleague's case by as
 * having none, and a lead's computes it. */
static void test_index_next_colleague(void **state)
{
	struct tstore *t = *state;
	static const char *const olas[] = {"caseworker", "olav", "status", "settled",
	                                   "settlement_date", "2026-08-15",
	                                   "settled_by_agreement", "true", NULL};
	static const char lead_pass[] = "lena's own passphrase";
	search_index *ix = NULL;
	struct deadline d;

	assert_int_equal(
	    store_user_add(t->st, "karin", ROLE_CASEWORKER, kari_pass, strlen(kari_pass)), M_OK);
	assert_int_equal(store_user_add(t->st, "olav", ROLE_CASEWORKER, kari_pass, strlen(kari_pass)),
	                 M_OK);
	assert_int_equal(store_user_add(t->st, "lena", ROLE_LEAD, lead_pass, strlen(lead_pass)),
	                 M_OK);
	uint64_t id = insert(t->st, "Zqxolas", olas);

	ts_reopen_as(t, "karin", kari_pass);
	assert_int_equal(search_index_load(t->st, &ix), M_OK);
	size_t row = (size_t)search_index_find(ix, id);
	assert_int_equal(search_index_next(t->st, ix, &row, 1), M_OK);
	assert_false(next_of(ix, id, &d));
	assert_int_equal(search_index_next(t->st, ix, NULL, 0), M_OK); /* the sort's: every row */
	assert_false(next_of(ix, id, &d));
	search_index_free(ix);

	ts_reopen_as(t, "lena", lead_pass);
	assert_int_equal(search_index_load(t->st, &ix), M_OK);
	row = (size_t)search_index_find(ix, id);
	assert_int_equal(search_index_next(t->st, ix, &row, 1), M_OK);
	assert_true(next_of(ix, id, &d));
	assert_int_equal(d.id, DL_mapping);
	search_index_free(ix);
}

/* store_deadlines reads only the classes and lists the deadlines need;
 * what it hands over must be what a whole read computes. */
struct whole {
	store *st;
	struct rule_set rules;
	size_t cases, checked;
};

static int against_whole(void *ctx, const struct case_rec *c, const struct deadline *d, size_t n)
{
	struct whole *w = ctx;
	struct case_rec full;
	struct deadline_facts f;
	struct deadline all[DL_COUNT];
	size_t k = 0;

	case_init(&full);
	assert_int_equal(store_case_get(w->st, c->id, &full), M_OK);
	case_deadline_facts(&full, &f);
	size_t nd = deadlines_compute(&f, &w->rules, all);
	for (size_t j = 0; j < nd; j++) {
		if (!store_can_read(w->st, deadline_class(all[j].id)))
			continue;
		assert_true(k < n);
		assert_int_equal(all[j].id, d[k].id);
		assert_int_equal(all[j].due, d[k].due);
		k++;
	}
	assert_int_equal(k, n);
	assert_string_equal(case_get(c, F_given_name), case_get(&full, F_given_name));
	case_clear(&full);
	w->checked++;
	return 0;
}

static void test_partial_read_equals_whole(void **state)
{
	struct tstore *t = *state;
	static const char *const rich[] = {
	    "status", "in_programme", "regime", "integreringsloven", "birth_date", "1990-01-01",
	    "permit_granted", "2025-01-01", "arrival_norway", "2025-01-01", "settlement_date",
	    "2025-03-01", "settled_by_agreement", "true", "first_settlement_with_permit",
	    "2025-03-01", "mapping_done", "2025-04-01", "programme_decision", "2025-05-01",
	    "programme_start", "2025-06-01", "programme_end", "2027-06-01", "has_upper_secondary",
	    "false", "plan_date", "2025-05-01", "career_guidance", "2025-07-01", "phone",
	    "+4791234567", "tb_status", "done", NULL};
	struct whole w = {.st = t->st};
	struct case_rec c;
	uint64_t id;
	int i;

	insert(t->st, "Zqxrich", rich);
	/* Leave moves the Norwegian deadline on: read from the leave list. */
	case_init(&c);
	set(&c, F_given_name, "Zqxleave");
	for (size_t k = 2; rich[k]; k += 2)
		set(&c, (enum field_id)field_by_id(rich[k], strlen(rich[k])), rich[k + 1]);
	set(&c, F_status, "in_programme");
	assert_true((i = case_item_add(&c, L_leave)) >= 0);
	assert_int_equal(case_item_set(&c, i, I_leave_from, "2025-09-01", 10), 0);
	assert_int_equal(case_item_set(&c, i, I_leave_to, "2025-09-30", 10), 0);
	assert_true((i = case_item_add(&c, L_attendance)) >= 0);
	assert_int_equal(case_item_set(&c, i, I_attendance_date, "2025-09-02", 10), 0);
	assert_int_equal(store_case_insert(t->st, &c, 1, &id), M_OK);
	case_clear(&c);

	assert_int_equal(store_rules(t->st, &w.rules), M_OK);
	assert_int_equal(store_deadlines(t->st, true, against_whole, &w), M_OK);
	assert_int_equal(w.checked, 2);
	/* The same through the ids My day passes. */
	w.checked = 0;
	uint64_t ids[] = {id, 999}; /* 999: no such case, passed over */
	assert_int_equal(store_deadlines_of(t->st, true, ids, 2, against_whole, &w), M_OK);
	assert_int_equal(w.checked, 1);
	rule_set_free(&w.rules);
}

#define FX(fn) cmocka_unit_test_setup_teardown(fn, fixture_store_setup, fixture_store_teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_next_soonest),
	    cmocka_unit_test(test_next_tie),
	    FX(test_index_next),
	    FX(test_index_next_from_a_list),
	    FX(test_index_next_health_class),
	    FX(test_index_next_lazy),
	    FX(test_index_next_colleague),
	    FX(test_partial_read_equals_whole),
	};

	setenv("MAPPE_TODAY", "2026-12-01", 1);
	return cmocka_run_group_tests_name("nextdl", tests, fixture_keys_setup, NULL);
}
