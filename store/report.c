/* report.c: the deadlines of every case a user works on, from the case's
 * own dates (deadlines.c computes; this reads the cases in batches). */
#include "store/private.h"
#include "store/validate.h"

#include <stdlib.h>
#include <string.h>

#define REPORT_BATCH 256

static long day_of(const struct case_rec *c, enum field_id f)
{
	return c->value[f] && c->len[f] && !c->locked[f] ? date_days(c->value[f]) : DAY_NONE;
}

static long item_day(const struct case_rec *c, int i, enum item_field_id f)
{
	const char *v = case_item_get(c, i, f);

	return v && *v ? date_days(v) : DAY_NONE;
}

static bool is(const struct case_rec *c, enum field_id f, const char *v)
{
	return c->value[f] && !c->locked[f] && strcmp(c->value[f], v) == 0;
}

static void later(long *best, long day)
{
	if (day != DAY_NONE && (*best == DAY_NONE || day > *best))
		*best = day;
}

void case_deadline_facts(const struct case_rec *c, struct deadline_facts *f)
{
	const char *rv = c->locked[F_regime] ? NULL : c->value[F_regime];
	int ri = rv ? field_choice_find(F_regime, rv, strlen(rv)) : -1;
	int s = c->value[F_status] ? status_parse(c->value[F_status], c->len[F_status]) : 0;

	*f = (struct deadline_facts){
	    .regime = ri >= 0 ? (enum regime)(ri + 1) : REGIME_ANY,
	    .birth_date = day_of(c, F_birth_date),
	    .arrival_norway = day_of(c, F_arrival_norway),
	    .permit_granted = day_of(c, F_permit_granted),
	    .settlement_date = day_of(c, F_settlement_date),
	    .first_settlement_with_permit = day_of(c, F_first_settlement_with_permit),
	    .programme_claim = day_of(c, F_programme_claim),
	    .settled_by_agreement = is(c, F_settled_by_agreement, "true"),
	    .mapping_done = day_of(c, F_mapping_done),
	    .programme_decision = day_of(c, F_programme_decision),
	    .programme_start = day_of(c, F_programme_start),
	    .programme_end = day_of(c, F_programme_end),
	    .plan_date = day_of(c, F_plan_date),
	    .contract_date = day_of(c, F_contract_date),
	    .plan_reviewed = day_of(c, F_plan_reviewed),
	    .ended = day_of(c, F_ended),
	    .extension_months = c->value[F_extension_months] && !c->locked[F_extension_months]
	                            ? strtol(c->value[F_extension_months], NULL, 10)
	                            : -1,
	    .upper_secondary = is(c, F_has_upper_secondary, "true")    ? 1
	                       : is(c, F_has_upper_secondary, "false") ? 0
	                                                               : -1,
	    .tb_not_due = is(c, F_tb_status, "done_before_settlement") || is(c, F_tb_status, "done") ||
	                  is(c, F_tb_status, "not_required"),
	    .tb_screening = day_of(c, F_tb_screening),
	    .health_check = day_of(c, F_health_check),
	    .health_check_offered = day_of(c, F_health_check_offered),
	    .in_programme = s == STATUS_in_programme || s == STATUS_on_leave || s == STATUS_stopped,
	    .programme_over = s == STATUS_completed || s == STATUS_broken_off || s == STATUS_moved ||
	                      s == STATUS_closed,
	    .stop_from = DAY_NONE,
	    .stop_to = DAY_NONE,
	    .last_event = DAY_NONE,
	    .nir_registered = day_of(c, F_nir_registered),
	};
	/* Registrable in NIR (domain-rules.md 3.1), the end apart: end_record. */
	static const enum field_id events[] = {F_programme_decision, F_programme_start,
	                                       F_mapping_done,       F_career_guidance,
	                                       F_contract_date,      F_life_skills_done,
	                                       F_parenting_course_done};
	for (size_t i = 0; i < sizeof events / sizeof events[0]; i++)
		later(&f->last_event, day_of(c, events[i]));
	for (int i = case_item_next(c, L_leave, 0); i >= 0; i = case_item_next(c, L_leave, i + 1)) {
		long from = item_day(c, i, I_leave_from), to = item_day(c, i, I_leave_to);
		if (from != DAY_NONE && to != DAY_NONE && to >= from)
			f->leave_days += to - from + 1;
		later(&f->last_event, item_day(c, i, I_leave_decision_date));
	}
	for (int i = case_item_next(c, L_stops, 0); i >= 0; i = case_item_next(c, L_stops, i + 1)) {
		const char *kind = case_item_get(c, i, I_stops_kind);
		long from = item_day(c, i, I_stops_from);
		later(&f->last_event, item_day(c, i, I_stops_decision_date));
		/* The stop in force: the latest temporary one, while stopped. */
		if (s == STATUS_stopped && kind && strcmp(kind, "temporary") == 0 && from != DAY_NONE &&
		    (f->stop_from == DAY_NONE || from > f->stop_from)) {
			f->stop_from = from;
			f->stop_to = item_day(c, i, I_stops_to);
		}
	}
}

/* What case_deadline_facts reads: fields.def's FLAG_DEADLINE dates, the
 * values beside them that decide which rules apply and whether a clock runs,
 * and the leave and stop lists; the names besides, that a report shows. */
void st_deadline_want(bool want[F_COUNT], uint32_t *lists)
{
	static const enum field_id also[] = {F_regime,           F_settled_by_agreement,
	                                     F_extension_months, F_has_upper_secondary,
	                                     F_tb_status,        F_given_name,
	                                     F_family_name};

	for (int f = 0; f < F_COUNT; f++)
		want[f] = field_has((enum field_id)f, FLAG_DEADLINE);
	for (size_t i = 0; i < sizeof also / sizeof also[0]; i++)
		want[also[i]] = true;
	*lists = 1u << L_leave | 1u << L_stops;
}

size_t st_case_deadlines(store *st, const struct case_rec *c, const struct rule_set *rs,
                         struct deadline out[DL_COUNT])
{
	struct deadline_facts f;
	struct deadline d[DL_COUNT];
	size_t k = 0, nd;

	case_deadline_facts(c, &f);
	nd = deadlines_compute(&f, rs, d);
	/* Health deadlines for those who hold the health class only. */
	for (size_t j = 0; j < nd; j++)
		if (store_can_read(st, deadline_class(d[j].id)))
			out[k++] = d[j];
	return k;
}

struct scan {
	bool all;
	struct rule_set rules;
	store_deadline_fn fn;
	void *ctx;
	uint64_t next;
	const uint64_t *ids; /* the cases to read, or NULL: every case */
	size_t nids, at;
	bool want[F_COUNT];
	uint32_t lists;
	bool done;
	int cb_rc;
};

static int scan_txn(store *st, MDB_txn *txn, void *vctx)
{
	struct scan *sc = vctx;
	uint64_t batch[REPORT_BATCH];
	const uint64_t *ids = batch;
	size_t n;
	struct case_rec c;
	int rc = M_OK;

	if (sc->ids) {
		ids = sc->ids + sc->at;
		n = sc->nids - sc->at < REPORT_BATCH ? sc->nids - sc->at : REPORT_BATCH;
	} else {
		rc = st_case_ids(st, txn, sc->next, batch, REPORT_BATCH, &n);
	}
	if (rc)
		return rc;
	case_init(&c);
	if (rc == M_OK)
		rc = st_load_epochs(st, txn);
	for (size_t i = 0; i < n && rc == M_OK; i++) {
		struct rec_header h = {0};
		/* The caseworker is in the clear header: another's case is
		 * passed over without decrypting anything of it. */
		rc = st_hdr_read(st, txn, ids[i], &h);
		if (rc == M_INPUT && sc->ids) { /* gone since the caller looked */
			rc = M_OK;
			continue;
		}
		if (rc == M_OK && !sc->all && strcmp(h.caseworker, st->user) != 0)
			continue;
		/* Only the classes that hold what the deadlines read. */
		if (rc == M_OK)
			rc = st_case_fill_lists(st, txn, ids[i], &h, &c, sc->want, sc->lists);
		if (rc == M_INTEGRITY) { /* a broken case is mappe check's to report */
			rc = M_OK;
			continue;
		}
		if (rc)
			break;
		struct deadline shown[DL_COUNT];
		size_t k = st_case_deadlines(st, &c, &sc->rules, shown);
		if (k && (sc->cb_rc = sc->fn(sc->ctx, &c, shown, k)))
			rc = sc->cb_rc;
	}
	case_clear(&c);
	if (rc)
		return rc;
	if (sc->ids) {
		sc->at += n;
		sc->done = sc->at == sc->nids;
	} else if (n < REPORT_BATCH || ids[n - 1] == UINT64_MAX) {
		sc->done = true;
	} else {
		sc->next = ids[n - 1] + 1;
	}
	return M_OK;
}

static int scan_run(store *st, struct scan *sc)
{
	int rc;

	if (!st->kr)
		return st_err(st, NOT_UNLOCKED);
	if (sc->all && store_role(st) != ROLE_LEAD && store_role(st) != ROLE_ADMIN)
		return st_err(st, DEADLINES_ALL_LEADS);
	if ((rc = store_rules(st, &sc->rules)))
		return rc;
	st_deadline_want(sc->want, &sc->lists);
	/* A read transaction a batch: a long report never holds one open. */
	while (!sc->done && (rc = st_txn(st, false, scan_txn, sc)) == M_OK)
		;
	rule_set_free(&sc->rules);
	return sc->cb_rc ? sc->cb_rc : rc;
}

int store_deadlines(store *st, bool all, store_deadline_fn fn, void *ctx)
{
	struct scan sc = {.all = all, .fn = fn, .ctx = ctx};

	return scan_run(st, &sc);
}

int store_deadlines_of(store *st, bool all, const uint64_t *ids, size_t n, store_deadline_fn fn,
                       void *ctx)
{
	struct scan sc = {.all = all, .fn = fn, .ctx = ctx, .ids = ids, .nids = n, .done = !n};

	return scan_run(st, &sc);
}

/* ---- cases newly assigned (My day) -------------------------------------- */

struct assigned_scan {
	int64_t since;
	store_assigned_fn fn;
	void *ctx;
	uint64_t next;
	bool done;
	int cb_rc;
};

static int assigned_txn(store *st, MDB_txn *txn, void *vctx)
{
	struct assigned_scan *sc = vctx;
	uint64_t ids[REPORT_BATCH];
	size_t n;
	struct case_rec c;
	bool want[F_COUNT] = {[F_given_name] = true, [F_family_name] = true};
	int rc = st_case_ids(st, txn, sc->next, ids, REPORT_BATCH, &n);

	if (rc)
		return rc;
	case_init(&c);
	rc = st_load_epochs(st, txn);
	for (size_t i = 0; i < n && rc == M_OK; i++) {
		struct rec_header h = {0};
		/* The caseworker is in the clear header, the assignment in its
		 * sealed table: only the user's own new cases are read further,
		 * and of them only the names. */
		rc = st_hdr_read(st, txn, ids[i], &h);
		if (rc == M_INTEGRITY) { /* mappe check's to report */
			rc = M_OK;
			continue;
		}
		if (rc || strcmp(h.caseworker, st->user) != 0 || h.assigned_at == 0 ||
		    h.assigned_at < sc->since)
			continue;
		rc = st_case_fill(st, txn, ids[i], &h, &c, want);
		if (rc == M_INTEGRITY) {
			rc = M_OK;
			continue;
		}
		if (rc == M_OK && (sc->cb_rc = sc->fn(sc->ctx, &c)))
			rc = sc->cb_rc;
	}
	case_clear(&c);
	if (rc)
		return rc;
	if (n < REPORT_BATCH || ids[n - 1] == UINT64_MAX)
		sc->done = true;
	else
		sc->next = ids[n - 1] + 1;
	return M_OK;
}

int store_assigned_since(store *st, int64_t since, store_assigned_fn fn, void *ctx)
{
	struct assigned_scan sc = {.since = since, .fn = fn, .ctx = ctx};
	int rc;

	if (!st->kr)
		return st_err(st, NOT_UNLOCKED);
	while (!sc.done && (rc = st_txn(st, false, assigned_txn, &sc)) == M_OK)
		;
	return sc.cb_rc ? sc.cb_rc : rc;
}
