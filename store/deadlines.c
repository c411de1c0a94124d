/* deadlines.c: domain.md's deadlines, each from its own clock's date and
 * the rules in force on that date, for the people each applies to. Pure:
 * the facts come from a case (cases.c), the values from a rule set. */
#include "store/catalogue.h"
#include "store/store.h"
#include "store/validate.h"

#include <string.h>

static const struct named deadlines[DL_COUNT] = {
#define X(did, dcls, dnb, den) [DL_##did] = {#did, dnb, den},
    DEADLINES(X)
#undef X
};

static const enum key_class deadline_classes[DL_COUNT] = {
#define X(did, dcls, dnb, den) [DL_##did] = dcls,
    DEADLINES(X)
#undef X
};

const char *deadline_id_name(enum deadline_id d)
{
	return named_id(deadlines, DL_COUNT, (unsigned)d);
}

const char *deadline_label(enum deadline_id d, bool norwegian)
{
	return named_label(deadlines, DL_COUNT, (unsigned)d, norwegian);
}

enum key_class deadline_class(enum deadline_id d)
{
	return (unsigned)d < DL_COUNT ? deadline_classes[d] : KC_NONE;
}

bool deadline_masked(enum deadline_id d)
{
	return (unsigned)d < DL_COUNT && class_masked(deadline_classes[d]);
}

int deadline_parse(const char *s)
{
	return named_find(deadlines, DL_COUNT, sizeof deadlines[0], s, strlen(s));
}

enum deadline_state deadline_state_on(long due, long today, long soon_days)
{
	if (due < today)
		return DS_OVERDUE;
	return due - today <= soon_days ? DS_SOON : DS_LATER;
}

bool deadline_next(const struct deadline *d, size_t n, struct deadline *out)
{
	if (!n)
		return false;
	*out = d[0];
	for (size_t i = 1; i < n; i++)
		if (d[i].due < out->due || (d[i].due == out->due && d[i].id < out->id))
			*out = d[i];
	return true;
}

static bool has(long day)
{
	return day != DAY_NONE;
}

/* A rule's value on the day its clock started (or, with no such day, today's
 * rows are not guessed at: the shipped fallback). */
static long rule(const struct rule_set *rs, enum rule_id r, const struct deadline_facts *f, long on,
                 long fallback)
{
	const struct rule_row *row = rule_set_at(rs, r, f->regime, on);

	return row ? row->value : fallback;
}

/* Whole years from birth to day. */
static long age_on(long birth, long day)
{
	char b[11], d[11];

	date_iso(birth, b);
	date_iso(day, d);
	long years = (d[0] - '0') * 1000 + (d[1] - '0') * 100 + (d[2] - '0') * 10 + (d[3] - '0') -
	             ((b[0] - '0') * 1000 + (b[1] - '0') * 100 + (b[2] - '0') * 10 + (b[3] - '0'));
	if (strcmp(d + 5, b + 5) < 0) /* the birthday is yet to come that year */
		years--;
	return years;
}

/* The introduction programme's group (intl. § 8): 18 to 55 (60 under Prop.
 * 81 L) when the permit was granted. Unknown dates do not exclude anyone: a
 * deadline shown to check is better than one hidden by a missing date. */
static bool in_programme_group(const struct deadline_facts *f, const struct rule_set *rs)
{
	if (!has(f->birth_date) || !has(f->permit_granted))
		return true;
	long age = age_on(f->birth_date, f->permit_granted);
	return age >= rule(rs, RULE_age_min, f, f->permit_granted, 18) &&
	       age <= rule(rs, RULE_age_max, f, f->permit_granted, 55);
}

static long months_after(const struct rule_set *rs, enum rule_id r, const struct deadline_facts *f,
                         long from, long fallback)
{
	return date_add_months(from, rule(rs, r, f, from, fallback));
}

size_t deadlines_compute(const struct deadline_facts *f, const struct rule_set *rs,
                         struct deadline out[DL_COUNT])
{
	size_t n = 0;
	bool open = !f->programme_over;
	bool group = in_programme_group(f, rs);
	/* The programme's clocks start at settlement by agreement, or else at
	 * the person's own claim (D3). */
	long start = f->settled_by_agreement ? f->settlement_date : f->programme_claim;

#define DUE(dl, day) (out[n++] = (struct deadline){DL_##dl, (day)})

	/* Health: from arrival in Norway, never from settlement. */
	if (has(f->arrival_norway) && !f->tb_not_due && !has(f->tb_screening))
		DUE(tb_screening, f->arrival_norway + rule(rs, RULE_tb_screening_days, f,
		                                             f->arrival_norway, 14));
	/* The duty is to offer the examination (domain.md): an offer recorded
	 * meets it, and so does an examination done. */
	if (has(f->arrival_norway) && !has(f->health_check) && !has(f->health_check_offered))
		DUE(health_check, months_after(rs, RULE_health_check_months, f, f->arrival_norway, 3));

	if (group && open && has(start) && !has(f->mapping_done)) {
		long due = months_after(rs, RULE_decision_months, f, start, 3);
		if (has(f->programme_decision) && f->programme_decision < due)
			due = f->programme_decision;
		DUE(mapping, due);
	}
	if (group && open && has(start) && !has(f->programme_decision))
		DUE(programme_decision, months_after(rs, RULE_decision_months, f, start, 3));
	if (group && open && has(f->first_settlement_with_permit) && !has(f->programme_decision)) {
		long years = rule(rs, RULE_eligibility_years, f, f->first_settlement_with_permit, 2);
		DUE(eligibility_lapse, date_add_months(f->first_settlement_with_permit, 12 * years));
	}
	if (open && has(f->programme_decision) && (!has(f->plan_date) || !has(f->contract_date)))
		DUE(plan_contract, f->programme_decision);

	if (f->in_programme) {
		long last = has(f->plan_reviewed) ? f->plan_reviewed : f->plan_date;
		if (has(last))
			DUE(plan_review, months_after(rs, RULE_plan_review_months, f, last, 6));
		if (has(f->programme_end) && f->extension_months < 0)
			DUE(extension_assessment,
			    f->programme_end - rule(rs, RULE_extension_lead_days, f, f->programme_end, 60));
	}
	if (open && has(f->programme_start) && f->upper_secondary >= 0) {
		enum rule_id r = f->upper_secondary ? RULE_norwegian_months_upper_secondary
		                                    : RULE_norwegian_months_other;
		long due = months_after(rs, r, f, f->programme_start, f->upper_secondary ? 18 : 36);
		DUE(norwegian_completion, due + (f->leave_days > 0 ? f->leave_days : 0));
	}
	if (has(f->nir_unregistered) &&
	    (!has(f->nir_registered) || f->nir_registered < f->nir_unregistered))
		DUE(nir_registration, months_after(rs, RULE_nir_months, f, f->nir_unregistered, 2));
	if (f->in_programme && has(f->stop_from))
		DUE(stop_expiry, has(f->stop_to)
		                     ? f->stop_to
		                     : months_after(rs, RULE_stop_max_months, f, f->stop_from, 3));
	if (has(f->ended) && (!has(f->nir_registered) || f->nir_registered < f->ended))
		DUE(end_record, months_after(rs, RULE_nir_months, f, f->ended, 2));
#undef DUE
	return n;
}

/* ---- registrable events in NIR ------------------------------------------ */

static const struct named nir_events[NE_COUNT] = {
#define X(id, field, list, item, nb, en) [NE_##id] = {#id, nb, en},
    NIR_EVENTS(X)
#undef X
};

static const struct {
	enum field_id field;
	enum list_id list;
} nir_event_src[NE_COUNT] = {
#define X(id, field, list, item, nb, en) [NE_##id] = {field, list},
    NIR_EVENTS(X)
#undef X
};

const char *nir_event_name(enum nir_event_id e)
{
	return named_id(nir_events, NE_COUNT, (unsigned)e);
}

const char *nir_event_label(enum nir_event_id e, bool norwegian)
{
	return named_label(nir_events, NE_COUNT, (unsigned)e, norwegian);
}

void nir_event_want(bool want[F_COUNT], uint32_t *lists)
{
	for (int e = 0; e < NE_COUNT; e++) {
		if (nir_event_src[e].field != F_COUNT)
			want[nir_event_src[e].field] = true;
		if (nir_event_src[e].list != L_COUNT)
			*lists |= 1u << nir_event_src[e].list;
	}
}

/* The row in force on day; for a day before the rule's first row (an
 * event under the old law), that first row: an event is never left
 * without a deadline for want of an older row. */
static const struct rule_row *nir_rule(const struct rule_set *rs, enum rule_id r, enum regime g,
                                       long day)
{
	const struct rule_row *row = rule_set_at(rs, r, g, day), *first = NULL;

	for (size_t i = 0; !row && i < rs->n; i++)
		if (rs->row[i].rule == r &&
		    (rs->row[i].regime == REGIME_ANY || rs->row[i].regime == g) &&
		    (!first || date_days(rs->row[i].from) < date_days(first->from)))
			first = &rs->row[i];
	return row ? row : first;
}

long nir_due_on(const struct rule_set *rs, enum regime g, long day)
{
	const struct rule_row *row = nir_rule(rs, RULE_nir_months, g, day);

	return row && day != DAY_NONE ? date_add_months(day, row->value) : DAY_NONE;
}

long nir_close_on(const struct rule_set *rs, enum regime g, long day)
{
	const struct rule_row *row = nir_rule(rs, RULE_nir_close_months, g, day);
	char iso[11];

	if (!row || day == DAY_NONE)
		return DAY_NONE;
	/* From the last day of the event's year: a month past it ends on the
	 * last day of that month, 28 or 29 February for 2. */
	date_iso(day, iso);
	memcpy(iso + 4, "-12-31", 7);
	return date_add_months(date_days(iso), row->value);
}

int stipend_on(const struct rule_set *rs, long birth, int lives_with_parent, enum regime g,
               long day, struct stipend *out)
{
	const struct rule_row *gr = rule_set_at(rs, RULE_g_amount, g, day);
	const struct rule_row *mult = rule_set_at(rs, RULE_stipend_g, g, day);
	const struct rule_row *young = rule_set_at(rs, RULE_stipend_young_age, g, day);

	memset(out, 0, sizeof *out);
	if (birth == DAY_NONE || !gr || !mult || !young)
		return -1;
	out->g = gr->value;
	out->young = age_on(birth, day) < young->value;
	out->thirds = 3;
	if (out->young) {
		if (lives_with_parent < 0)
			return -1;
		const struct rule_row *t =
		    rule_set_at(rs,
		                lives_with_parent ? RULE_stipend_young_with_parent_thirds
		                                  : RULE_stipend_young_alone_thirds,
		                g, day);
		if (!t)
			return -1;
		out->thirds = (int)t->value;
	}
	out->annual = out->g * mult->value * out->thirds / 3;
	return 0;
}

static long case_day(const struct case_rec *c, enum field_id f)
{
	return c->value[f] && c->len[f] && !c->locked[f] ? date_days(c->value[f]) : DAY_NONE;
}

/* The rules the stipend rests on: a new row of any of them may change it. */
static bool stipend_rule(enum rule_id r)
{
	return r == RULE_g_amount || r == RULE_stipend_g || r == RULE_stipend_young_age ||
	       r == RULE_stipend_young_alone_thirds || r == RULE_stipend_young_with_parent_thirds;
}

/* The first day after `after` that may change the rate: a row of its rules
 * coming into force, or the day the person is no longer young. */
static long next_candidate(const struct rule_set *rs, enum regime g, long birth, long after)
{
	long best = DAY_NONE;

	for (size_t i = 0; i < rs->n; i++) {
		const struct rule_row *r = &rs->row[i];
		if (!stipend_rule(r->rule) || (r->regime != REGIME_ANY && r->regime != g))
			continue;
		long from = date_days(r->from);
		if (from > after && (best == DAY_NONE || from < best))
			best = from;
	}
	const struct rule_row *young = rule_set_at(rs, RULE_stipend_young_age, g, after);
	if (young && age_on(birth, after) < young->value) {
		/* date_add_months ends a 29 February birthday on the 28th, when
		 * age_on does not count the year yet: then the next day. */
		long bd = date_add_months(birth, 12 * young->value);
		if (age_on(birth, bd) < young->value)
			bd++;
		if (bd > after && (best == DAY_NONE || bd < best))
			best = bd;
	}
	return best;
}

int case_stipend(const struct case_rec *c, const struct rule_set *rs, long day,
                 struct case_stipend *out)
{
	const char *rv = c->locked[F_regime] ? NULL : c->value[F_regime];
	const char *lv = c->locked[F_lives_with_parent] ? NULL : c->value[F_lives_with_parent];
	int ri = rv ? field_choice_find(F_regime, rv, strlen(rv)) : -1;
	enum regime g = ri >= 0 ? (enum regime)(ri + 1) : REGIME_ANY;
	long birth = case_day(c, F_birth_date), end = case_day(c, F_programme_end);

	memset(out, 0, sizeof *out);
	out->next = DAY_NONE;
	out->with_parent = !lv ? -1 : strcmp(lv, "true") == 0 ? 1 : strcmp(lv, "false") == 0 ? 0 : -1;
	if (birth == DAY_NONE) {
		out->why = N_("the birth date is not known");
		return -1;
	}
	if (stipend_on(rs, birth, out->with_parent, g, day, &out->now) != 0) {
		out->why = rule_set_at(rs, RULE_g_amount, g, day)
		               ? N_("whether the person lives with a parent is not known")
		               : N_("no G is in force on the day");
		return -1;
	}
	out->g_from = date_days(rule_set_at(rs, RULE_g_amount, g, day)->from);
	out->stipend_g = rule_set_at(rs, RULE_stipend_g, g, day)->value;
	out->young_age = rule_set_at(rs, RULE_stipend_young_age, g, day)->value;
	if (case_day(c, F_ended) != DAY_NONE)
		return 0; /* the programme is over: the rate changes no more */
	/* The first day the rate is another, by the planned end; a row that
	 * leaves it as it is (a correction of the same value) is passed by. */
	for (long at = next_candidate(rs, g, birth, day); at != DAY_NONE;
	     at = next_candidate(rs, g, birth, at)) {
		struct stipend then;
		if (end != DAY_NONE && at > end)
			break;
		if (stipend_on(rs, birth, out->with_parent, g, at, &then) != 0)
			break; /* young again for want of the household: not known */
		if (then.annual != out->now.annual) {
			out->next = at;
			out->next_annual = then.annual;
			break;
		}
	}
	return 0;
}
