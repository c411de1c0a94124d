/* deadlines.c: domain.md's deadlines, each from its own clock's date and
 * the rules in force on that date, for the people each applies to. Pure:
 * the facts come from a case (cases.c), the values from a rule set. */
#include "store/catalogue.h"
#include "store/store.h"

#include <string.h>

static const struct {
	const char *id, *nb, *en;
	enum key_class cls;
} deadlines[DL_COUNT] = {
#define X(did, dcls, dnb, den) [DL_##did] = {#did, dnb, den, dcls},
    DEADLINES(X)
#undef X
};

const char *deadline_id_name(enum deadline_id d)
{
	return (unsigned)d < DL_COUNT ? deadlines[d].id : "?";
}

const char *deadline_label(enum deadline_id d, bool norwegian)
{
	if ((unsigned)d >= DL_COUNT)
		return "?";
	return norwegian ? deadlines[d].nb : deadlines[d].en;
}

enum key_class deadline_class(enum deadline_id d)
{
	return (unsigned)d < DL_COUNT ? deadlines[d].cls : KC_NONE;
}

int deadline_parse(const char *s)
{
	for (int d = 0; d < DL_COUNT; d++)
		if (strcmp(deadlines[d].id, s) == 0)
			return d;
	return -1;
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
	if (has(f->arrival_norway) && !has(f->health_check))
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
	if (has(f->last_event) && (!has(f->nir_registered) || f->nir_registered < f->last_event))
		DUE(nir_registration, months_after(rs, RULE_nir_months, f, f->last_event, 2));
	if (f->in_programme && has(f->stop_from))
		DUE(stop_expiry, has(f->stop_to)
		                     ? f->stop_to
		                     : months_after(rs, RULE_stop_max_months, f, f->stop_from, 3));
	if (has(f->ended) && (!has(f->nir_registered) || f->nir_registered < f->ended))
		DUE(end_record, months_after(rs, RULE_nir_months, f, f->ended, 2));
#undef DUE
	return n;
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
