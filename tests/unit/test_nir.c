/* The registrable events not yet registered in NIR (issue 11, mappe report
 * nir): an event dated after the case's nir_registered, or every event when
 * it is empty; each due nir_months after it (a month end stays a month end)
 * and by NIR's yearly close, the end of February of the next year; rules
 * an administrator corrects move the due day; leads and administrators
 * only; the health class is never opened. All values are invented. */
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
#include "store/validate.h"
#include "tests/unit/fixture.h"
#include "tests/unit/hdr5.h"
#include "tests/unit/raw.h"

static const char kari_pass[] = "kari's own passphrase";
static const char lead_pass[] = "the lead's passphrase";

static void set(struct case_rec *c, enum field_id f, const char *v)
{
	assert_int_equal(case_set(c, f, v, strlen(v)), 0);
}

static long day(const char *iso)
{
	return date_days(iso);
}

static const char *iso(long d)
{
	static char out[4][11];
	static int k;

	k = (k + 1) % 4;
	if (d == DAY_NONE)
		return "none";
	date_iso(d, out[k]);
	return out[k];
}

/* ---- the rules: due and close ------------------------------------------------ */

static struct rule_set shipped(void)
{
	return (struct rule_set){rule_rows, rule_row_count, NULL};
}

static void test_due_month_ends(void **state)
{
	struct rule_set rs = shipped();

	(void)state;
	/* Two months: a day past the end of the month lands on its last day. */
	assert_string_equal(iso(nir_due_on(&rs, REGIME_ANY, day("2026-12-31"))), "2027-02-28");
	assert_string_equal(iso(nir_due_on(&rs, REGIME_ANY, day("2027-12-31"))), "2028-02-29");
	assert_string_equal(iso(nir_due_on(&rs, REGIME_ANY, day("2027-01-31"))), "2027-03-31");
	assert_string_equal(iso(nir_due_on(&rs, REGIME_ANY, day("2026-10-15"))), "2026-12-15");
	assert_string_equal(iso(nir_due_on(&rs, REGIME_integreringsloven, day("2026-08-20"))),
	                    "2026-10-20");
	assert_true(nir_due_on(&rs, REGIME_ANY, DAY_NONE) == DAY_NONE);
}

static void test_close_end_of_february(void **state)
{
	struct rule_set rs = shipped();

	(void)state;
	/* Every event of a year by the end of February of the next. */
	assert_string_equal(iso(nir_close_on(&rs, REGIME_ANY, day("2026-12-31"))), "2027-02-28");
	assert_string_equal(iso(nir_close_on(&rs, REGIME_ANY, day("2026-01-01"))), "2027-02-28");
	assert_string_equal(iso(nir_close_on(&rs, REGIME_ANY, day("2027-12-31"))), "2028-02-29");
	assert_string_equal(iso(nir_close_on(&rs, REGIME_ANY, day("2027-03-05"))), "2028-02-29");
	assert_string_equal(iso(nir_close_on(&rs, REGIME_ANY, day("2028-06-01"))), "2029-02-28");
	/* An event under the old law, older than the rule's first row: judged
	 * by that row, not left without a deadline. */
	assert_string_equal(iso(nir_close_on(&rs, REGIME_introduksjonsloven, day("2019-05-02"))),
	                    "2020-02-29");
	assert_string_equal(iso(nir_due_on(&rs, REGIME_introduksjonsloven, day("2019-05-02"))),
	                    "2019-07-02");
	/* The close is a dated rule with its source, verified (S18). */
	const struct rule_row *row = rule_at(RULE_nir_close_months, REGIME_ANY, day("2026-12-01"));
	assert_non_null(row);
	assert_int_equal(row->value, 2);
	assert_int_equal(row->verified, RV_VERIFIED);
	assert_non_null(strstr(row->source, "S18"));
}

/* ---- one table of events ------------------------------------------------------- */

static int count_event(void *ctx, enum nir_event_id e, long d)
{
	int *seen = ctx;

	(void)d;
	seen[e]++;
	return 0;
}

/* Every event of NIR_EVENTS is read from the case, and what
 * nir_registration counts from (nir_unregistered) is the earliest of them
 * not registered, the end apart: one table for both, and the deadline is
 * the first report nir lists. */
static void test_one_table(void **state)
{
	struct case_rec c;
	struct deadline_facts f;
	int seen[NE_COUNT] = {0}, i;

	(void)state;
	case_init(&c);
	set(&c, F_programme_decision, "2026-01-10");
	set(&c, F_programme_start, "2026-01-20");
	set(&c, F_mapping_done, "2026-01-05");
	set(&c, F_career_guidance, "2026-01-06");
	set(&c, F_contract_date, "2026-01-11");
	set(&c, F_life_skills_done, "2026-05-01");
	set(&c, F_parenting_course_done, "2026-05-02");
	assert_true((i = case_item_add(&c, L_leave)) >= 0);
	assert_int_equal(case_item_set(&c, i, I_leave_decision_date, "2026-06-01", 10), 0);
	assert_true((i = case_item_add(&c, L_stops)) >= 0);
	assert_int_equal(case_item_set(&c, i, I_stops_decision_date, "2026-07-01", 10), 0);
	assert_true((i = case_item_add(&c, L_stops)) >= 0);
	assert_int_equal(case_item_set(&c, i, I_stops_decision_date, "2026-08-01", 10), 0);
	set(&c, F_ended, "2026-09-30");
	assert_int_equal(case_nir_events(&c, count_event, seen), 0);
	for (int e = 0; e < NE_COUNT; e++)
		assert_int_equal(seen[e], e == NE_stop ? 2 : 1);
	case_deadline_facts(&c, &f);
	assert_string_equal(iso(f.nir_unregistered), "2026-01-05"); /* the mapping */
	set(&c, F_nir_registered, "2026-05-01");
	case_deadline_facts(&c, &f);
	assert_string_equal(iso(f.nir_unregistered), "2026-05-02"); /* the parenting course */
	set(&c, F_nir_registered, "2026-08-01");
	case_deadline_facts(&c, &f);
	assert_true(f.nir_unregistered == DAY_NONE); /* the end is end_record's */
	assert_string_equal(nir_event_name(NE_end), "end");
	assert_string_equal(nir_event_label(NE_leave, true), "Vedtak om permisjon");
	assert_string_equal(nir_event_label(NE_leave, false), "Leave decision");
	case_clear(&c);
}

/* ---- the store's report ----------------------------------------------------------- */

struct got {
	uint64_t id[8];
	struct nir_pending p[8][NE_COUNT + 4];
	size_t n[8], ncases;
	bool health_seen;
};

static int collect(void *ctx, const struct case_rec *c, const struct nir_pending *p, size_t n)
{
	struct got *g = ctx;

	assert_true(g->ncases < 8 && n <= NE_COUNT + 4);
	g->id[g->ncases] = c->id;
	memcpy(g->p[g->ncases], p, n * sizeof *p);
	g->n[g->ncases++] = n;
	for (int f = 0; f < F_COUNT; f++)
		if (field_catalogue[f].cls == KC_HEALTH && c->value[f])
			g->health_seen = true;
	return 0;
}

static uint64_t insert(store *st, const char *const *kv)
{
	struct case_rec c;
	uint64_t id = 0;

	case_init(&c);
	set(&c, F_given_name, "Zqxnir");
	set(&c, F_family_name, "Testesen");
	for (size_t i = 0; kv[i]; i += 2)
		set(&c, (enum field_id)field_by_id(kv[i], strlen(kv[i])), kv[i + 1]);
	assert_int_equal(store_case_insert(st, &c, 1, &id), M_OK);
	case_clear(&c);
	return id;
}

static const struct nir_pending *find(const struct got *g, uint64_t id, size_t *n)
{
	for (size_t i = 0; i < g->ncases; i++)
		if (g->id[i] == id) {
			*n = g->n[i];
			return g->p[i];
		}
	*n = 0;
	return NULL;
}

static void test_registered_and_not(void **state)
{
	struct tstore *t = *state;
	static const char *const partly[] = {
	    "mapping_done", "2026-08-01",     "programme_decision", "2026-08-20", "programme_start",
	    "2026-12-31",   "nir_registered", "2026-08-20",         NULL};
	static const char *const none[] = {"mapping_done", "2026-08-01", "programme_decision",
	                                   "2026-01-31", NULL};
	static const char *const all[] = {
	    "mapping_done", "2026-08-01", "programme_decision", "2026-08-20", "nir_registered",
	    "2026-09-01",   NULL};
	struct got g = {0};
	const struct nir_pending *p;
	size_t n, unreadable = 99;

	uint64_t a = insert(t->st, partly), b = insert(t->st, none), c = insert(t->st, all);
	assert_int_equal(store_nir_pending(t->st, collect, &g, &unreadable), M_OK);
	assert_int_equal(unreadable, 0);
	assert_int_equal(g.ncases, 2);
	/* Only the event after nir_registered; one on its day is registered. */
	p = find(&g, a, &n);
	assert_int_equal(n, 1);
	assert_int_equal(p[0].event, NE_programme_start);
	assert_string_equal(iso(p[0].date), "2026-12-31");
	assert_string_equal(iso(p[0].due), "2027-02-28");
	assert_string_equal(iso(p[0].close), "2027-02-28");
	/* Every event when it is empty, by due. */
	p = find(&g, b, &n);
	assert_int_equal(n, 2);
	assert_int_equal(p[0].event, NE_programme_decision);
	assert_string_equal(iso(p[0].due), "2026-03-31");
	assert_string_equal(iso(p[0].close), "2027-02-28");
	assert_int_equal(p[1].event, NE_mapping);
	assert_string_equal(iso(p[1].due), "2026-10-01");
	/* All registered: not there. */
	assert_null(find(&g, c, &n));
}

/* An administrator corrects nir_months: the due day moves with it, for the
 * events on or after the correction's date. */
static void test_rule_correction(void **state)
{
	struct tstore *t = *state;
	static const char *const kv[] = {"mapping_done", "2026-10-31", "programme_decision",
	                                 "2026-10-31", NULL};
	struct got g = {0};
	size_t n;

	uint64_t id = insert(t->st, kv);
	assert_int_equal(store_nir_pending(t->st, collect, &g, NULL), M_OK);
	assert_string_equal(iso(find(&g, id, &n)[0].due), "2026-12-31");
	assert_int_equal(store_rule_correct(t->st, RULE_nir_months, REGIME_ANY, "2026-06-01", 3,
	                                    "a test's correction"),
	                 M_OK);
	memset(&g, 0, sizeof g);
	assert_int_equal(store_nir_pending(t->st, collect, &g, NULL), M_OK);
	assert_string_equal(iso(find(&g, id, &n)[0].due), "2027-01-31");
	/* And the close, when it is corrected. */
	assert_int_equal(store_rule_correct(t->st, RULE_nir_close_months, REGIME_ANY, "2026-06-01",
	                                    3, "a test's correction"),
	                 M_OK);
	memset(&g, 0, sizeof g);
	assert_int_equal(store_nir_pending(t->st, collect, &g, NULL), M_OK);
	assert_string_equal(iso(find(&g, id, &n)[0].close), "2027-03-31");
}

static void test_leads_only(void **state)
{
	struct tstore *t = *state;
	static const char *const kv[] = {
	    "caseworker", "karin", "mapping_done", "2026-10-31", "programme_decision",
	    "2026-10-31", NULL};
	struct got g = {0};

	assert_int_equal(
	    store_user_add(t->st, "karin", ROLE_CASEWORKER, kari_pass, strlen(kari_pass)), M_OK);
	assert_int_equal(store_user_add(t->st, "lena", ROLE_LEAD, lead_pass, strlen(lead_pass)),
	                 M_OK);
	insert(t->st, kv);
	ts_reopen_as(t, "karin", kari_pass);
	assert_int_equal(store_nir_pending(t->st, collect, &g, NULL), M_AUTH);
	assert_int_equal(store_fault(t->st)->code, E_NIR_LEADS);
	assert_int_equal(g.ncases, 0);
	ts_reopen_as(t, "lena", lead_pass);
	assert_int_equal(store_nir_pending(t->st, collect, &g, NULL), M_OK);
	assert_int_equal(g.ncases, 1);
}

/* The health class is never opened: an administrator holds it, yet the
 * case comes without a health value, and a health envelope that no longer
 * authenticates leaves the report as it was (a read of it would fail). */
static void test_health_never_read(void **state)
{
	struct tstore *t = *state;
	static const char *const kv[] = {"mapping_done", "2026-10-31",      "programme_decision",
	                                 "2026-10-31",   "tb_status",       "due",
	                                 "health_needs", "Zqx adaptations", NULL};
	struct got g = {0};
	struct case_rec c;
	uint8_t k[8], v[8192];
	size_t vlen = 0, at, kl = 0, unreadable = 99;
	uint32_t len = 0;

	uint64_t id = insert(t->st, kv);
	assert_true(store_can_read(t->st, KC_HEALTH));
	assert_int_equal(store_nir_pending(t->st, collect, &g, NULL), M_OK);
	assert_int_equal(g.ncases, 1);
	assert_false(g.health_seen);

	be64(k, id);
	assert_true(raw_get(t->st, DB_CASES, k, 8, v, sizeof v, &vlen));
	at = hdr5_class_at(v, vlen, KC_HEALTH, &len, &kl);
	v[at + kl + len - 1] ^= 0x55; /* in the envelope's tag */
	raw_put(t->st, DB_CASES, k, 8, v, vlen);
	case_init(&c);
	assert_int_equal(store_case_get(t->st, id, &c), M_INTEGRITY);
	case_clear(&c);

	memset(&g, 0, sizeof g);
	assert_int_equal(store_nir_pending(t->st, collect, &g, &unreadable), M_OK);
	assert_int_equal(unreadable, 0);
	assert_int_equal(g.ncases, 1);
	assert_int_equal(g.p[0][0].event, NE_programme_decision);
}

#define FX(fn) cmocka_unit_test_setup_teardown(fn, fixture_store_setup, fixture_store_teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_due_month_ends),
	    cmocka_unit_test(test_close_end_of_february),
	    cmocka_unit_test(test_one_table),
	    FX(test_registered_and_not),
	    FX(test_rule_correction),
	    FX(test_leads_only),
	    FX(test_health_never_read),
	};

	setenv("MAPPE_TODAY", "2026-12-01", 1);
	return cmocka_run_group_tests_name("nir", tests, fixture_keys_setup, NULL);
}
