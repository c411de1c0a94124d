/* rules.c: the rules of law as dated rows (rules.def), and today's date. */
#include "store/catalogue.h"
#include "store/store.h"
#include "store/validate.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

const struct rule_def rule_catalogue[RULE_COUNT] = {
#define RULE(id, unit, what) [RULE_##id] = {#id, unit, what},
#include "store/rules.def"
#undef RULE
};

const struct rule_row rule_rows[] = {
#define IN_FORCE(id, regime, from, value, verified, source)                                        \
	{RULE_##id, regime, from, value, verified, source, NULL, 0},
#include "store/rules.def"
#undef IN_FORCE
};

const size_t rule_row_count = sizeof rule_rows / sizeof rule_rows[0];

static const char *const regime_names[REGIME_COUNT] = {[REGIME_ANY] = "",
#define X(id, num, nb, en) [(num) + 1] = #id,
                                                       REGIMES(X)
#undef X
};

static const struct rule_row *latest(const struct rule_set *s, enum rule_id r, enum regime g,
                                     long day)
{
	const struct rule_row *best = NULL;
	long best_from = 0;

	for (size_t i = 0; i < s->n; i++) {
		const struct rule_row *row = &s->row[i];
		if (row->rule != r || row->regime != g)
			continue; /* dates parsed for r alone: deadlines ask thousands */
		long from = date_days(row->from);
		if (from <= day && (!best || from >= best_from)) {
			best = row;
			best_from = from;
		}
	}
	return best;
}

const struct rule_row *rule_set_at(const struct rule_set *s, enum rule_id r, enum regime g,
                                   long day)
{
	const struct rule_row *row = NULL;

	if ((unsigned)r >= RULE_COUNT)
		return NULL;
	if ((unsigned)g < REGIME_COUNT && g != REGIME_ANY)
		row = latest(s, r, g, day);
	return row ? row : latest(s, r, REGIME_ANY, day);
}

const struct rule_row *rule_at(enum rule_id r, enum regime g, long day)
{
	static const struct rule_set shipped = {rule_rows, sizeof rule_rows / sizeof rule_rows[0],
	                                        NULL};

	return rule_set_at(&shipped, r, g, day);
}

long rule_value(enum rule_id r, enum regime g, long day, long fallback)
{
	const struct rule_row *row = rule_at(r, g, day);

	return row ? row->value : fallback;
}

const char *date_for_people(const char *iso, bool norwegian, char out[11])
{
	if (norwegian && date_to_dotted(iso, out))
		return out;
	return iso;
}

const char *date_normalise(const char *in, char out[11])
{
	/* Both ways it takes, as the fields' own check says them. */
	static const char either[] = N_("must be a date written DD.MM.YYYY or YYYY-MM-DD");
	const char *why;

	if (strlen(in) > 10)
		return either;
	memcpy(out, in, strlen(in) + 1);
	date_from_dotted(out);
	why = valid_date(out);
	return why && strcmp(why, "must be a date written YYYY-MM-DD") == 0 ? either : why;
}

int rule_parse(const char *id)
{
	for (int r = 0; r < RULE_COUNT; r++)
		if (strcmp(rule_catalogue[r].id, id) == 0)
			return r;
	return -1;
}

const char *regime_name(enum regime g)
{
	return (unsigned)g < REGIME_COUNT ? regime_names[g] : "";
}

int regime_parse(const char *s)
{
	for (int g = 1; g < REGIME_COUNT; g++)
		if (regime_names[g] && strcmp(regime_names[g], s) == 0)
			return g;
	return -1;
}

long st_today(void)
{
	/* Not for a setgid mappe: the day is not the caller's to choose there. */
	const char *fake = secure_getenv("MAPPE_TODAY");

	if (fake && !valid_date(fake))
		return date_days(fake);

	time_t now = (time_t)st_now();
	struct tm tm;
	if (!localtime_r(&now, &tm))
		return (long)(now / 86400);
	char iso[16];
	strftime(iso, sizeof iso, "%Y-%m-%d", &tm);
	return date_days(iso);
}
