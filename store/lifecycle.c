/* lifecycle.c: what the law asks of a case when it is saved (domain.md):
 * the steps between statuses and what a status needs (statuses.def), that a
 * programme decision has its mapping, that the programme's length and
 * extension are within the rules of the person's group and regime
 * (rules.def, with the corrections), and that a code is in IMDi's table in
 * force (codes.c). The same checks for `mappe update`, an import and the
 * form: the store refuses, and each shows the one message. */
#include "store/private.h"
#include "store/validate.h"

#include <stdlib.h>
#include <string.h>

/* The case as it would be after the save: the values given, else those
 * stored. */
struct merged {
	const struct case_rec *c, *cur;
};

static const char *value(const struct merged *m, enum field_id f)
{
	const struct case_rec *r = m->c->dirty[f] || !m->cur ? m->c : m->cur;

	return r->value[f] && r->len[f] ? r->value[f] : NULL;
}

static bool locked(const struct merged *m, enum field_id f)
{
	return !m->c->dirty[f] && m->cur && m->cur->locked[f];
}

/* Fields the checks read, for a read of only their classes. */
static void wanted(bool want[F_COUNT])
{
	static const enum field_id read[] = {
	    F_programme_decision, F_mapping_done,     F_programme_length_months, F_extension_months,
	    F_has_upper_secondary, F_end_goal,        F_regime,                  F_programme_start,
	};
	memset(want, 0, F_COUNT * sizeof *want);
	for (size_t i = 0; i < sizeof read / sizeof read[0]; i++)
		want[read[i]] = true;
#define REQ(rs, rf) want[F_##rf] = true;
	STATUS_REQUIRES(REQ)
#undef REQ
}

static bool needs_read(const struct case_rec *c)
{
	static const enum field_id touch[] = {
	    F_status,           F_programme_decision, F_mapping_done,     F_programme_length_months,
	    F_extension_months, F_has_upper_secondary, F_end_goal,        F_regime,
	};
	for (size_t i = 0; i < sizeof touch / sizeof touch[0]; i++)
		if (c->dirty[touch[i]])
			return true;
#define REQ(rs, rf)                                                                                 \
	if (c->dirty[F_##rf])                                                                      \
		return true;
	STATUS_REQUIRES(REQ)
#undef REQ
	return false;
}

static int check_status(store *st, const struct merged *m, int old)
{
	const char *v = value(m, F_status);
	int now = v ? status_parse(v, strlen(v)) : STATUS_requested;
	const struct case_rec *c = m->c;

	if (c->dirty[F_status] && old >= 0 && now != old && !status_step_allowed(old, now))
		return st_err(st, STATUS_STEP, .record = c->id, .name = status_name((unsigned)now),
		              .what = status_name((unsigned)old));
	/* What the status needs: checked when the status is set, and when a
	 * field it needs is taken away. */
#define REQ(rs, rf)                                                                                 \
	if (now == STATUS_##rs && (c->dirty[F_status] || c->dirty[F_##rf]) &&                      \
	    (locked(m, F_##rf) || !value(m, F_##rf)))                                              \
		return st_err(st, STATUS_NEEDS, .record = c->id, .name = #rs, .field = F_##rf);
	STATUS_REQUIRES(REQ)
#undef REQ
	return M_OK;
}

static int check_decision(store *st, const struct merged *m)
{
	const struct case_rec *c = m->c;

	if ((c->dirty[F_programme_decision] || c->dirty[F_mapping_done]) &&
	    value(m, F_programme_decision) && !locked(m, F_mapping_done) &&
	    !value(m, F_mapping_done))
		return st_err(st, DECISION_NEEDS_MAPPING, .record = c->id,
		              .field = F_programme_decision);
	return M_OK;
}

/* The person's group (domain-rules.md D7): with upper secondary education;
 * without, aiming to complete it; without, another end goal. Not knowing
 * the education, the widest limits. */
static void length_rules(const struct merged *m, enum rule_id *len, enum rule_id *ext)
{
	const char *up = value(m, F_has_upper_secondary);
	const char *goal = value(m, F_end_goal);

	if (up && strcmp(up, "true") == 0) {
		*len = RULE_length_max_upper_secondary;
		*ext = RULE_extension_max_upper_secondary;
	} else if (!up || (goal && strcmp(goal, "complete_upper_secondary") == 0)) {
		*len = RULE_length_max_complete_upper_secondary;
		*ext = RULE_extension_max_complete_upper_secondary;
	} else {
		*len = RULE_length_max_other_goal;
		*ext = RULE_extension_max_other_goal;
	}
}

static int check_length(store *st, MDB_txn *txn, const struct merged *m)
{
	const struct case_rec *c = m->c;
	const char *len = value(m, F_programme_length_months);
	const char *ext = value(m, F_extension_months);
	static const enum field_id touch[] = {F_programme_length_months, F_extension_months,
	                                      F_has_upper_secondary, F_end_goal, F_regime};
	bool dirty = false;

	for (size_t i = 0; i < sizeof touch / sizeof touch[0]; i++)
		dirty |= c->dirty[touch[i]];
	if (!dirty || (!len && !ext))
		return M_OK;

	/* The rules in force when the programme started (else today), for the
	 * person's regime. */
	const char *start = value(m, F_programme_start);
	long day = start ? date_days(start) : st_today();
	const char *rv = value(m, F_regime);
	int ri = rv ? field_choice_find(F_regime, rv, strlen(rv)) : -1;
	enum regime g = ri >= 0 ? (enum regime)(ri + 1) : REGIME_ANY;
	struct rule_set rs;
	int rc = st_rules_txn(st, txn, &rs);
	if (rc)
		return rc;
	enum rule_id rlen, rext;
	length_rules(m, &rlen, &rext);
	const struct rule_row *min = rule_set_at(&rs, RULE_length_min, g, day);
	const struct rule_row *max = rule_set_at(&rs, rlen, g, day);
	const struct rule_row *emax = rule_set_at(&rs, rext, g, day);
	if (len && min && strtol(len, NULL, 10) < min->value)
		rc = st_err(st, LENGTH_SHORT, .record = c->id, .field = F_programme_length_months,
		            .n = (unsigned long long)min->value, .what = "length_min");
	else if (len && max && strtol(len, NULL, 10) > max->value)
		rc = st_err(st, LENGTH_LONG, .record = c->id, .field = F_programme_length_months,
		            .n = (unsigned long long)max->value, .what = rule_catalogue[rlen].id);
	else if (ext && emax && strtol(ext, NULL, 10) > emax->value)
		rc = st_err(st, LENGTH_LONG, .record = c->id, .field = F_extension_months,
		            .n = (unsigned long long)emax->value, .what = rule_catalogue[rext].id);
	rule_set_free(&rs);
	return rc;
}

static int check_codes(store *st, MDB_txn *txn, const struct case_rec *c)
{
	for (int f = 0; f < F_COUNT; f++) {
		const struct field_def *d = &field_catalogue[f];
		if (d->check != CHECK_CODELIST || !c->dirty[f] || !c->value[f] || !c->len[f])
			continue;
		bool known = false;
		int rc = st_code_known(st, txn, (enum code_table)(d->codes - 1), c->value[f], &known);
		if (rc)
			return rc;
		if (!known)
			return st_err(st, CODE_NOT_IN_TABLE, .record = c->id, .field = f,
			              .name = code_table_id((enum code_table)(d->codes - 1)));
	}
	return M_OK;
}

int st_case_rules(store *st, MDB_txn *txn, const struct case_rec *c, int old_status)
{
	struct case_rec cur;
	struct merged m = {c, NULL};
	int rc = check_codes(st, txn, c);

	if (rc || !needs_read(c))
		return rc;
	case_init(&cur);
	if (old_status >= 0) { /* an update: what is stored counts too */
		bool want[F_COUNT];
		wanted(want);
		if ((rc = case_read_txn(st, txn, c->id, &cur, want))) {
			case_clear(&cur);
			return rc;
		}
		m.cur = &cur;
	}
	if (!(rc = check_status(st, &m, old_status)) && !(rc = check_decision(st, &m)))
		rc = check_length(st, txn, &m);
	case_clear(&cur);
	return rc;
}
