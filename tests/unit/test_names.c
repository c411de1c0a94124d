/* The matcher against tests/unit/names.tsv: realistic name pairs (the name as
 * stored, the name as a caseworker types it) with the kind of match each
 * should get, and near-name negatives that must stay out. One test per rule
 * of the file, so the TAP lines say which cause of issue 13 still misses;
 * then the overall recall and precision as TAP diagnostics.
 *
 * What a line needs (store/fold.h, enum fold_kind):
 *   exact  the kind is exact. An exact line is the same word or a prefix of it,
 *          and the caseworker reads "exact" as "this is the spelling on file":
 *          a close or loose mark there would send them looking further.
 *   close  close or exact. The file cannot make the matcher worse on purpose;
 *          whether variants sort below exact words is test_ranking's concern,
 *          and an exact where close was expected is counted as a diagnostic.
 *   loose  any kind but none: a typo found at all is the point.
 *   none   none or loose. A different person one edit away (Ali, Alia) cannot
 *          be told from a typo of the name, and the typo rule must keep finding
 *          typos; loose is marked apart in the list, so the caseworker sees it
 *          as a guess. Exact or close for a negative fails: that is the
 *          unmarked wrong person of issue 13. Negatives returned at all (as
 *          loose) are counted and printed, to be kept low. */
#include "store/fold.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#ifndef NAMES_TSV
#define NAMES_TSV "tests/unit/names.tsv"
#endif
#ifndef NAMES_KNOWN
#define NAMES_KNOWN "tests/unit/names-known.tsv"
#endif

#define BUF       512
#define MAX_LINES 4096
#define MAX_RULES 32

enum expect { WANT_NONE, WANT_LOOSE, WANT_CLOSE, WANT_EXACT };

struct pair {
	int line;
	const char *rule, *stored, *query;
	enum expect want;
	enum fold_kind got;
	int score;
	const char *known; /* names-known.tsv's why, when listed there */
};

static struct pair pairs[MAX_LINES];
static size_t npairs;
static char *file_text;
static const char *rules[MAX_RULES];
static size_t nrules;

static const char *kind_name(int k)
{
	static const char *const names[] = {"none", "loose", "close", "exact"};

	return k >= 0 && k <= 3 ? names[k] : "?";
}

static int parse_expect(const char *s, enum expect *e)
{
	for (int k = 0; k <= 3; k++)
		if (strcmp(s, kind_name(k)) == 0) {
			*e = (enum expect)k;
			return 0;
		}
	return -1;
}

/* Splits the file in place: each pair points into file_text. */
static int load(const char *path)
{
	FILE *f = fopen(path, "rb");
	long size;
	char *s, *next;
	int line = 0;

	if (!f)
		return -1;
	if (fseek(f, 0, SEEK_END) != 0 || (size = ftell(f)) < 0 || fseek(f, 0, SEEK_SET) != 0) {
		fclose(f);
		return -1;
	}
	file_text = malloc((size_t)size + 1);
	if (!file_text || fread(file_text, 1, (size_t)size, f) != (size_t)size) {
		fclose(f);
		return -1;
	}
	fclose(f);
	file_text[size] = '\0';
	for (s = file_text; s && *s; s = next) {
		char *field[4];
		size_t k, r;
		struct pair *p;

		line++;
		next = strchr(s, '\n');
		if (next)
			*next++ = '\0';
		if (*s == '#' || *s == '\0')
			continue;
		for (k = 0; k < 4; k++) {
			field[k] = s;
			s = strchr(s, '\t');
			if (k < 3) {
				if (!s) {
					fprintf(stderr, "%s:%d: want 4 tab-separated fields\n", path, line);
					return -1;
				}
				*s++ = '\0';
			}
		}
		if (s || npairs == MAX_LINES) {
			fprintf(stderr, "%s:%d: too many fields or lines\n", path, line);
			return -1;
		}
		p = &pairs[npairs++];
		p->line = line;
		p->rule = field[0];
		p->stored = field[1];
		p->query = field[2];
		if (parse_expect(field[3], &p->want) != 0) {
			fprintf(stderr, "%s:%d: EXPECT is exact, close, loose or none\n", path, line);
			return -1;
		}
		for (r = 0; r < nrules && strcmp(rules[r], p->rule) != 0; r++)
			;
		if (r == nrules) {
			if (nrules == MAX_RULES)
				return -1;
			rules[nrules++] = p->rule;
		}
	}
	return 0;
}

/* names-known.tsv: LINE, STORED, QUERY, WHY; matched by STORED and QUERY
 * (the line number is for the reader). */
static char *known_text;

static int load_known(const char *path)
{
	FILE *f = fopen(path, "rb");
	long size;
	char *s, *next;

	if (!f)
		return -1;
	if (fseek(f, 0, SEEK_END) != 0 || (size = ftell(f)) < 0 || fseek(f, 0, SEEK_SET) != 0 ||
	    !(known_text = calloc(1, (size_t)size + 1)) ||
	    fread(known_text, 1, (size_t)size, f) != (size_t)size) {
		fclose(f);
		return -1;
	}
	fclose(f);
	for (s = known_text; s && *s; s = next) {
		char *field[4];
		int k;

		next = strchr(s, '\n');
		if (next)
			*next++ = '\0';
		if (*s == '#' || *s == '\0')
			continue;
		for (k = 0; k < 4 && s; k++) {
			field[k] = s;
			s = strchr(s, '\t');
			if (s && k < 3)
				*s++ = '\0';
		}
		if (k < 4) {
			fprintf(stderr, "%s: want LINE, STORED, QUERY, WHY\n", path);
			return -1;
		}
		for (size_t i = 0; i < npairs; i++)
			if (strcmp(pairs[i].stored, field[1]) == 0 && strcmp(pairs[i].query, field[2]) == 0)
				pairs[i].known = field[3];
	}
	return 0;
}

/* Both sides through fold_name, as the store folds names and queries. */
static void rank(struct pair *p)
{
	char q[BUF], n[BUF];

	fold_name(p->query, strlen(p->query), q, sizeof q);
	fold_name(p->stored, strlen(p->stored), n, sizeof n);
	p->score = fold_rank(q, n, &p->got);
}

static int pair_ok(const struct pair *p)
{
	switch (p->want) {
	case WANT_EXACT:
		return p->got == FOLD_EXACT;
	case WANT_CLOSE:
		return p->got >= FOLD_CLOSE;
	case WANT_LOOSE:
		return p->got >= FOLD_LOOSE;
	case WANT_NONE:
		return p->got <= FOLD_LOOSE;
	}
	return 0;
}

static void test_rule(void **state)
{
	const char *rule = *state;
	int pos = 0, pos_ok = 0, neg = 0, neg_ok = 0, neg_loose = 0, over = 0, known = 0, fixed = 0;

	for (size_t i = 0; i < npairs; i++) {
		const struct pair *p = &pairs[i];
		int ok = pair_ok(p);

		if (strcmp(p->rule, rule) != 0)
			continue;
		if (p->known) {
			if (ok) {
				print_message("# line %d: %s | %s passes now: take it out of "
				              "names-known.tsv\n",
				              p->line, p->stored, p->query);
				fixed++;
			} else {
				print_message("# known miss, line %d: %s | %s: want %s, got %s (%s)\n",
				              p->line, p->stored, p->query, kind_name((int)p->want),
				              kind_name((int)p->got), p->known);
				known++;
				ok = 1; /* counted apart */
			}
		}
		if (p->want == WANT_NONE) {
			neg++;
			neg_ok += ok;
			neg_loose += p->got == FOLD_LOOSE;
		} else {
			pos++;
			pos_ok += ok;
			over += p->want == WANT_CLOSE && p->got == FOLD_EXACT;
		}
		if (!ok)
			print_message("# line %d: %s | %s: want %s, got %s\n", p->line, p->stored,
			              p->query, kind_name((int)p->want), kind_name((int)p->got));
	}
	print_message("# rule %s: %d/%d positives, %d/%d negatives kept out", rule, pos_ok, pos,
	              neg_ok, neg);
	if (neg_loose)
		print_message(" (%d returned as loose)", neg_loose);
	if (over)
		print_message(" (%d close lines exact)", over);
	if (known)
		print_message(" (%d known misses)", known);
	print_message("\n");
	if (pos_ok != pos || neg_ok != neg || fixed)
		fail_msg("rule %s: %d of %d lines wrong, %d known misses passing", rule,
		         pos + neg - pos_ok - neg_ok, pos + neg, fixed);
}

/* The numbers issue 13 reports, from the same lines: found at all, found with
 * the right kind, and wrong people returned. */
static void test_summary(void **state)
{
	int pos = 0, found = 0, right = 0, neg = 0, returned = 0, unmarked = 0;

	(void)state;
	for (size_t i = 0; i < npairs; i++) {
		const struct pair *p = &pairs[i];

		if (p->want == WANT_NONE) {
			neg++;
			returned += p->got != FOLD_NONE;
			unmarked += p->got >= FOLD_CLOSE;
		} else {
			pos++;
			found += p->got != FOLD_NONE;
			right += pair_ok(p);
		}
	}
	print_message("# pairs: %d positives, %d negatives\n", pos, neg);
	print_message("# recall: %.1f%% found, %.1f%% with the right kind\n", 100.0 * found / pos,
	              100.0 * right / pos);
	print_message("# negatives: %.1f%% returned, %.1f%% as exact or close\n",
	              100.0 * returned / neg, 100.0 * unmarked / neg);
	print_message("# precision: %.1f%% of the pairs returned are the right person\n",
	              found + returned ? 100.0 * found / (found + returned) : 100.0);
	/* The file must keep its promise of coverage (issue 13). */
	assert_true(pos >= 300);
	assert_true(neg >= 100);
}

int main(void)
{
	static struct CMUnitTest tests[MAX_RULES + 1];
	const char *path = getenv("MAPPE_NAMES_TSV"), *known = getenv("MAPPE_NAMES_KNOWN");
	size_t i;

	if (!path)
		path = NAMES_TSV;
	if (!known)
		known = NAMES_KNOWN;
	if (load(path) != 0 || load_known(known) != 0) {
		fprintf(stderr, "test_names: cannot read %s or %s\n", path, known);
		return 1;
	}
	for (i = 0; i < npairs; i++)
		rank(&pairs[i]);
	for (i = 0; i < nrules; i++)
		tests[i] = (struct CMUnitTest){
		    .name = rules[i], .test_func = test_rule, .initial_state = (void *)rules[i]};
	tests[nrules] = (struct CMUnitTest){.name = "summary", .test_func = test_summary};
	return _cmocka_run_group_tests("test_names", tests, nrules + 1, NULL, NULL);
}
