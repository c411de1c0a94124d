/* report.c: the deadlines of every case a user works on, from the case's
 * own dates (deadlines.c computes; this reads the cases in batches). */
#include "store/private.h"
#include "store/validate.h"

#include <stdlib.h>
#include <string.h>

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

static const struct {
	enum field_id field;
	enum list_id list;
	enum item_field_id item;
} nir_src[NE_COUNT] = {
#define X(id, field, list, item, nb, en) [NE_##id] = {field, list, item},
    NIR_EVENTS(X)
#undef X
};

int case_nir_events(const struct case_rec *c, nir_event_fn fn, void *ctx)
{
	int rc;

	for (int e = 0; e < NE_COUNT; e++) {
		if (nir_src[e].list == L_COUNT) {
			long d = day_of(c, nir_src[e].field);
			if (d != DAY_NONE && (rc = fn(ctx, (enum nir_event_id)e, d)))
				return rc;
			continue;
		}
		for (int i = case_item_next(c, nir_src[e].list, 0); i >= 0;
		     i = case_item_next(c, nir_src[e].list, i + 1)) {
			long d = item_day(c, i, nir_src[e].item);
			if (d != DAY_NONE && (rc = fn(ctx, (enum nir_event_id)e, d)))
				return rc;
		}
	}
	return 0;
}

/* The earliest registrable event before the end not yet registered. */
static int unregistered(void *ctx, enum nir_event_id e, long day)
{
	struct deadline_facts *f = ctx;

	if (e != NE_end && day != DAY_NONE &&
	    (f->nir_registered == DAY_NONE || day > f->nir_registered) &&
	    (f->nir_unregistered == DAY_NONE || day < f->nir_unregistered))
		f->nir_unregistered = day;
	return 0;
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
	    .nir_unregistered = DAY_NONE,
	    .nir_registered = day_of(c, F_nir_registered),
	};
	case_nir_events(c, unregistered, f);
	for (int i = case_item_next(c, L_leave, 0); i >= 0; i = case_item_next(c, L_leave, i + 1)) {
		long from = item_day(c, i, I_leave_from), to = item_day(c, i, I_leave_to);
		if (from != DAY_NONE && to != DAY_NONE && to >= from)
			f->leave_days += to - from + 1;
	}
	for (int i = case_item_next(c, L_stops, 0); i >= 0; i = case_item_next(c, L_stops, i + 1)) {
		const char *kind = case_item_get(c, i, I_stops_kind);
		long from = item_day(c, i, I_stops_from);
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

struct deadline_scan {
	store *st;
	bool all;
	struct rule_set rules;
	store_deadline_fn fn;
	void *ctx;
};

/* The caseworker is in the clear header: another's case is passed over
 * without decrypting anything of it. */
static bool pick_caseload(void *vctx, const struct store_case_head *h)
{
	const struct deadline_scan *ds = vctx;

	return ds->all || strcmp(h->caseworker, store_user(ds->st)) == 0;
}

static int deadlines_of(void *vctx, const struct case_rec *c)
{
	struct deadline_scan *ds = vctx;
	struct deadline shown[DL_COUNT];
	size_t k = st_case_deadlines(ds->st, c, &ds->rules, shown);

	return k ? ds->fn(ds->ctx, c, shown, k) : 0;
}

static int deadline_scan(store *st, bool all, const uint64_t *ids, size_t n, store_deadline_fn fn,
                         void *ctx)
{
	struct deadline_scan ds = {.st = st, .all = all, .fn = fn, .ctx = ctx};
	bool want[F_COUNT];
	/* Only the classes that hold what the deadlines read. */
	struct store_scan sc = {.want = want, .ids = ids, .nids = n, .pick = pick_caseload,
	                        .fn = deadlines_of, .ctx = &ds};
	int rc;

	if (!st->kr)
		return st_err(st, NOT_UNLOCKED);
	if (all && store_role(st) != ROLE_LEAD && store_role(st) != ROLE_ADMIN)
		return st_err(st, DEADLINES_ALL_LEADS);
	if ((rc = store_rules(st, &ds.rules)))
		return rc;
	st_deadline_want(want, &sc.lists);
	rc = store_scan(st, &sc);
	rule_set_free(&ds.rules);
	return rc;
}

int store_deadlines(store *st, bool all, store_deadline_fn fn, void *ctx)
{
	return deadline_scan(st, all, NULL, 0, fn, ctx);
}

int store_deadlines_of(store *st, bool all, const uint64_t *ids, size_t n, store_deadline_fn fn,
                       void *ctx)
{
	static const uint64_t none;

	/* ids NULL would be every case: no ids is none. */
	return deadline_scan(st, all, n ? ids : &none, n, fn, ctx);
}

/* ---- cases newly assigned (My day) -------------------------------------- */

struct assigned_scan {
	store *st;
	int64_t since;
	store_assigned_fn fn;
	void *ctx;
};

/* The caseworker is in the clear header, the assignment in its sealed
 * table: only the user's own new cases are read further, and of them only
 * the names. */
static bool pick_assigned(void *vctx, const struct store_case_head *h)
{
	const struct assigned_scan *as = vctx;

	return strcmp(h->caseworker, store_user(as->st)) == 0 && h->assigned_at != 0 &&
	       h->assigned_at >= as->since;
}

static int assigned_one(void *vctx, const struct case_rec *c)
{
	const struct assigned_scan *as = vctx;

	return as->fn(as->ctx, c);
}

int store_assigned_since(store *st, int64_t since, store_assigned_fn fn, void *ctx)
{
	struct assigned_scan as = {.st = st, .since = since, .fn = fn, .ctx = ctx};
	bool want[F_COUNT] = {[F_given_name] = true, [F_family_name] = true};
	struct store_scan sc = {.want = want, .pick = pick_assigned, .fn = assigned_one, .ctx = &as};

	return store_scan(st, &sc);
}
