/* nir.c: the registrable events of every case not yet registered in NIR
 * (domain-rules.md 3.1, D9, D16), each with its two-month deadline and the
 * yearly close, by the dated rules. Reads the programme class fields the
 * events are in and the names; nothing of the health class. */
#include "store/private.h"
#include "store/validate.h"

#include <stdlib.h>
#include <string.h>

struct nir_scan {
	store *st;
	struct rule_set rules;
	enum regime regime; /* the case's, while its events are read */
	long registered;    /* the case's nir_registered, or DAY_NONE */
	struct nir_pending *p;
	size_t n, cap;
	bool oom;
	store_nir_fn fn;
	void *ctx;
};

static long day_of(const struct case_rec *c, enum field_id f)
{
	return c->value[f] && c->len[f] && !c->locked[f] ? date_days(c->value[f]) : DAY_NONE;
}

static int pending_one(void *vctx, enum nir_event_id e, long day)
{
	struct nir_scan *ns = vctx;

	/* Registered when the case was brought up to date on or after it. */
	if (ns->registered != DAY_NONE && day <= ns->registered)
		return 0;
	if (ns->n == ns->cap) {
		size_t cap = ns->cap ? 2 * ns->cap : 16;
		struct nir_pending *grown =
		    st_realloc_wiped(ns->p, ns->cap * sizeof *grown, cap * sizeof *grown);
		if (!grown) {
			ns->oom = true;
			return M_UNAVAILABLE;
		}
		ns->p = grown;
		ns->cap = cap;
	}
	ns->p[ns->n++] = (struct nir_pending){
	    .event = e,
	    .date = day,
	    .due = nir_due_on(&ns->rules, ns->regime, day),
	    .close = nir_close_on(&ns->rules, ns->regime, day),
	};
	return 0;
}

static int by_due(const void *a, const void *b)
{
	const struct nir_pending *x = a, *y = b;

	if (x->due != y->due)
		return x->due < y->due ? -1 : 1;
	if (x->event != y->event)
		return (int)x->event - (int)y->event;
	return x->date < y->date ? -1 : x->date > y->date;
}

static int nir_case(void *vctx, const struct case_rec *c)
{
	struct nir_scan *ns = vctx;
	const char *rv = c->locked[F_regime] ? NULL : c->value[F_regime];
	int ri = rv ? field_choice_find(F_regime, rv, strlen(rv)) : -1;
	int rc;

	ns->regime = ri >= 0 ? (enum regime)(ri + 1) : REGIME_ANY;
	ns->registered = day_of(c, F_nir_registered);
	ns->n = 0;
	if ((rc = case_nir_events(c, pending_one, ns)))
		return rc;
	if (!ns->n)
		return 0;
	qsort(ns->p, ns->n, sizeof *ns->p, by_due);
	return ns->fn(ns->ctx, c, ns->p, ns->n);
}

int store_nir_pending(store *st, store_nir_fn fn, void *ctx, size_t *unreadable)
{
	struct nir_scan ns = {.st = st, .fn = fn, .ctx = ctx};
	/* The events' own fields, what decides whether and by which rules
	 * they are registered, and what the report shows of the person. */
	bool want[F_COUNT] = {
	    [F_given_name] = true, [F_family_name] = true, [F_nir_registered] = true,
	    [F_regime] = true,     [F_end_reason] = true,  [F_main_activity_at_end] = true};
	struct store_scan sc = {.want = want, .fn = nir_case, .ctx = &ns};
	int rc;

	if (unreadable)
		*unreadable = 0;
	if (!st->kr)
		return st_err(st, NOT_UNLOCKED);
	if (store_role(st) != ROLE_LEAD && store_role(st) != ROLE_ADMIN)
		return st_err(st, NIR_LEADS);
	nir_event_want(want, &sc.lists);
	if ((rc = store_rules(st, &ns.rules)))
		return rc;
	rc = store_scan(st, &sc);
	if (unreadable)
		*unreadable = sc.broken;
	rule_set_free(&ns.rules);
	st_free_wiped(ns.p, ns.cap * sizeof *ns.p);
	return rc;
}
