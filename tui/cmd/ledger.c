/* ledger.c: mappe target set / target list and mappe report ledger (cli.md):
 * IMDi's request and the council's decision for a year, every version kept,
 * and the year's settlement ledger against them (docs/ledger.md). */
#include "tui/tui.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <wchar.h>

/* Display columns of UTF-8 text (Norwegian labels are wider in bytes). */
static int columns(const char *s)
{
	wchar_t w[256];
	size_t n = mbstowcs(w, s, sizeof w / sizeof w[0] - 1);

	if (n == (size_t)-1)
		return (int)strlen(s);
	w[n] = 0;
	int c = wcswidth(w, n);
	return c < 0 ? (int)n : c;
}

/* s, then spaces to width columns (at least one space after it). */
static void pad(const char *s, int width)
{
	int c = columns(s);

	fputs(s, stdout);
	for (int i = c; i < width; i++)
		putchar(' ');
}

/* Spaces before s to width columns, then s. */
static void lpad(const char *s, int width)
{
	for (int i = columns(s); i < width; i++)
		putchar(' ');
	fputs(s, stdout);
}

/* A whole number from 0 to max, or the usage failure naming the option. */
static int parse_count(const char *s, const char *option, long max, long *out)
{
	char *end;
	long v;

	if (!s)
		return M_OK;
	v = (*s >= '0' && *s <= '9') ? strtol(s, &end, 10) : -1;
	if (v < 0 || *end || v > max)
		return cli_fail(M_USAGE, _("%s expects a whole number from 0 to %ld"), option, max);
	*out = v;
	return M_OK;
}

static int parse_year(const char *s, const char *option, int *out)
{
	char *end;
	long v = s && *s >= '0' && *s <= '9' ? strtol(s, &end, 10) : -1;

	if (v < TARGET_YEAR_MIN || v > TARGET_YEAR_MAX || *end)
		return cli_fail(M_USAGE, _("%s expects a year from %d to %d"), option,
		                TARGET_YEAR_MIN, TARGET_YEAR_MAX);
	*out = (int)v;
	return M_OK;
}

/* Days since 1970-01-01 of an ISO date date_normalise wrote (the civil
 * calendar: Howard Hinnant's days_from_civil). */
static long iso_days(const char *iso)
{
	long y = strtol(iso, NULL, 10), m = strtol(iso + 5, NULL, 10),
	     d = strtol(iso + 8, NULL, 10);

	y -= m <= 2;
	long era = (y >= 0 ? y : y - 399) / 400;
	long yoe = y - era * 400;
	long doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	long doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

static int parse_day(const char *s, const char *option, long *out)
{
	char iso[11];
	const char *why;

	if (!s)
		return M_OK;
	if ((why = date_normalise(s, iso)))
		return cli_fail(M_USAGE, "%s: %s", option, _(why));
	*out = iso_days(iso);
	return M_OK;
}

static int parse_body(const char *s, int *out)
{
	int b = target_body_parse(s);

	/* The Norwegian names too: that is what the minutes say. */
	if (b < 0 && s && (strcmp(s, "kommunestyret") == 0 || strcmp(s, "kommunestyre") == 0))
		b = BODY_COUNCIL;
	if (b < 0 && s && (strcmp(s, "formannskapet") == 0 || strcmp(s, "formannskap") == 0))
		b = BODY_EXECUTIVE;
	if (b < 0)
		return cli_fail(M_USAGE, _("--body expects council or executive"));
	*out = b;
	return M_OK;
}

static const char *body_label(enum target_body b)
{
	return b == BODY_EXECUTIVE ? _("executive committee") : _("council");
}

static const char *day_shown(long day, bool norwegian, char out[11])
{
	char iso[11], shown[11];

	if (day == DAY_NONE)
		return "-";
	date_iso(day, iso);
	/* In English that is iso itself, which ends with this call. */
	snprintf(out, 11, "%s", date_for_people(iso, norwegian, shown));
	return out;
}

static void json_day(long day)
{
	char iso[11];

	if (day == DAY_NONE) {
		fputs("null", stdout);
		return;
	}
	date_iso(day, iso);
	printf("\"%s\"", iso);
}

static void json_count(long n)
{
	if (n < 0)
		fputs("null", stdout);
	else
		printf("%ld", n);
}

static void count_shown(long n, char out[24])
{
	if (n < 0)
		snprintf(out, 24, "-");
	else
		snprintf(out, 24, "%ld", n);
}

static const char *utc(int64_t t, char buf[32])
{
	time_t tt = (time_t)t;
	struct tm tm;

	if (!gmtime_r(&tt, &tm) || strftime(buf, 32, "%Y-%m-%dT%H:%M:%SZ", &tm) == 0)
		snprintf(buf, 32, "?");
	return buf;
}

static int failed(store *st, int rc)
{
	return cli_fail(rc, "%s", tui_error(st));
}

/* ---- mappe target ------------------------------------------------------- */

static int target_set(struct cli *cli, store *st, int year)
{
	struct target t = {.year = year,
	                   .requested = -1,
	                   .minors = -1,
	                   .decided = -1,
	                   .date = DAY_NONE,
	                   .answer_by = DAY_NONE,
	                   .body = BODY_COUNCIL};
	struct target *all = NULL;
	size_t n = 0;
	int body = -1, rc;

	if ((rc = parse_count(cli->requested, "--requested", TARGET_MAX, &t.requested)) ||
	    (rc = parse_count(cli->minors, "--minors", TARGET_MAX, &t.minors)) ||
	    (rc = parse_count(cli->decided, "--decided", TARGET_MAX, &t.decided)) ||
	    (rc = parse_day(cli->date, "--date", &t.date)) ||
	    (rc = parse_day(cli->answer_by, "--answer-by", &t.answer_by)) ||
	    (cli->body && (rc = parse_body(cli->body, &body))))
		return rc;
	if (!cli->requested && !cli->minors && !cli->decided && !cli->date && !cli->body &&
	    !cli->answer_by)
		return cli_fail(M_USAGE, _("usage: mappe target set YEAR --requested N --decided N "
		                           "[--minors N] [--date D] [--body council|executive] "
		                           "[--answer-by D]"));
	if ((rc = store_targets(st, year, &all, &n)))
		return failed(st, rc);
	/* The body goes with the decision: a revision that leaves the decision
	 * as it was keeps its body too. */
	if (body >= 0)
		t.body = (enum target_body)body;
	else if (n && !cli->decided)
		t.body = all[n - 1].body;
	free(all);
	if (!n && (!cli->requested || !cli->decided))
		return cli_fail(M_USAGE,
		                _("the first numbers of %d need --requested and --decided"), year);
	if ((rc = store_target_set(st, &t)))
		return failed(st, rc);
	if ((rc = store_targets(st, year, &all, &n)))
		return failed(st, rc);
	if (n)
		cli_say(_("mappe: %d: version %zu recorded: requested %ld, decided %ld\n"), year, n,
		        all[n - 1].requested, all[n - 1].decided);
	free(all);
	return M_OK;
}

static int target_list(struct cli *cli, store *st, int year)
{
	struct target *all = NULL;
	size_t n = 0;
	int rc = store_targets(st, year, &all, &n);

	if (rc)
		return failed(st, rc);
	if (cli->json) {
		size_t version = 0;
		for (size_t i = 0; i < n; i++) {
			const struct target *t = &all[i];
			char at[32];
			version = i && all[i - 1].year == t->year ? version + 1 : 1;
			printf("{\"year\": %d, \"version\": %zu, \"requested\": ", t->year,
			       version);
			json_count(t->requested);
			fputs(", \"minors\": ", stdout);
			json_count(t->minors);
			fputs(", \"decided\": ", stdout);
			json_count(t->decided);
			fputs(", \"date\": ", stdout);
			json_day(t->date);
			printf(", \"body\": \"%s\", \"answer_by\": ", target_body_name(t->body));
			json_day(t->answer_by);
			fputs(", \"by\": ", stdout);
			json_write_string(stdout, t->by, strlen(t->by));
			printf(", \"at\": \"%s\"}\n", utc(t->at, at));
		}
		free(all);
		return M_OK;
	}
	if (!n) {
		if (year)
			cli_say(_("mappe: no numbers are recorded for %d (mappe target set)\n"),
			        year);
		else
			cli_say(_("mappe: no numbers are recorded (mappe target set)\n"));
		free(all);
		return M_OK;
	}
	/* Header and rows: labels padded by display width, numbers right. */
	const char *head[] = {_("Year"),        _("Version"),   _("Requested"),
	                      _("of which UM"), _("Decided"),   _("Decision date"),
	                      _("Body"),        _("Answer by"), _("Recorded by")};
	int width[9];
	for (int c = 0; c < 9; c++)
		width[c] = columns(head[c]) > 4 ? columns(head[c]) : 4;
	for (size_t i = 0; i < n; i++) {
		int bw = columns(body_label(all[i].body)), uw = columns(all[i].by);
		if (bw > width[6])
			width[6] = bw;
		if (uw > width[8])
			width[8] = uw;
	}
	if (width[5] < 10)
		width[5] = 10;
	if (width[7] < 10)
		width[7] = 10;
	for (int c = 0; c < 9; c++) {
		if (c >= 1 && c <= 4)
			lpad(head[c], width[c]);
		else
			pad(head[c], width[c]);
		fputs("  ", stdout);
	}
	fputs(_("Recorded"), stdout);
	putchar('\n');
	size_t version = 0;
	for (size_t i = 0; i < n; i++) {
		const struct target *t = &all[i];
		char num[24], day[11], when[32], y[8];
		version = i && all[i - 1].year == t->year ? version + 1 : 1;
		snprintf(y, sizeof y, "%d", t->year);
		pad(y, width[0]);
		fputs("  ", stdout);
		snprintf(num, sizeof num, "%zu", version);
		lpad(num, width[1]);
		fputs("  ", stdout);
		count_shown(t->requested, num);
		lpad(num, width[2]);
		fputs("  ", stdout);
		count_shown(t->minors, num);
		lpad(num, width[3]);
		fputs("  ", stdout);
		count_shown(t->decided, num);
		lpad(num, width[4]);
		fputs("  ", stdout);
		pad(day_shown(t->date, cli->norwegian, day), width[5]);
		fputs("  ", stdout);
		pad(body_label(t->body), width[6]);
		fputs("  ", stdout);
		pad(day_shown(t->answer_by, cli->norwegian, day), width[7]);
		fputs("  ", stdout);
		/* A user name: checked when enrolled, written safe all the same. */
		text_write_safe(stdout, t->by, strlen(t->by), NULL);
		for (int c = columns(t->by); c < width[8]; c++)
			putchar(' ');
		fputs("  ", stdout);
		fputs(cli_time(t->at, true, when), stdout);
		putchar('\n');
	}
	free(all);
	return M_OK;
}

int cmd_target(struct cli *cli)
{
	bool set = cli->argc == 2 && strcmp(cli->argv[0], "set") == 0;
	bool list = (cli->argc == 1 || cli->argc == 2) && strcmp(cli->argv[0], "list") == 0;
	int year = 0, rc;
	store *st;

	if (!set && !list)
		return cli_fail(M_USAGE, _("usage: mappe target set YEAR --requested N --decided N "
		                           "[--minors N] [--date D] [--body council|executive] "
		                           "[--answer-by D] | mappe target list [YEAR] [--json]"));
	if (set && cli->json)
		return cli_fail(M_USAGE,
		                _("an option given does not apply to 'mappe %s'; see mappe %s "
		                  "--help"),
		                "target set", "target");
	if (list && (cli->requested || cli->minors || cli->decided || cli->date || cli->body ||
	             cli->answer_by))
		return cli_fail(M_USAGE,
		                _("an option given does not apply to 'mappe %s'; see mappe %s "
		                  "--help"),
		                "target list", "target");
	if (cli->argc == 2 && (rc = parse_year(cli->argv[1], "YEAR", &year)))
		return rc;
	if ((rc = cli_open(cli, &st)))
		return rc;
	rc = set ? target_set(cli, st, year) : target_list(cli, st, year);
	store_close(st);
	return rc;
}

/* ---- mappe report ledger ---------------------------------------------------- */

static void json_months(const long m[12])
{
	putchar('[');
	for (int i = 0; i < 12; i++)
		printf(i ? ", %ld" : "%ld", m[i]);
	putchar(']');
}

static void ledger_json(const struct ledger *l)
{
	printf("{\"year\": %d, \"requested\": ", l->year);
	json_count(l->requested);
	fputs(", \"decided\": ", stdout);
	json_count(l->decided);
	fputs(", \"decided_history\": [", stdout);
	for (size_t i = 0, k = 0; i < l->nhistory; i++) {
		const struct target *t = &l->history[i];
		if (!target_is_decision(l->history, i))
			continue;
		fputs(k++ ? ", {\"date\": " : "{\"date\": ", stdout);
		json_day(t->date);
		printf(", \"decided\": %ld, \"body\": \"%s\"}", t->decided,
		       target_body_name(t->body));
	}
	printf("], \"settled\": %ld, \"unaccompanied_minors\": %ld, \"family_reunification\": %ld, "
	       "\"by_month\": ",
	       l->settled, l->unaccompanied_minors, l->family_reunification);
	json_months(l->by_month);
	fputs(", \"minors_requested\": ", stdout);
	json_count(l->minors_requested);
	fputs(", \"answer_by\": ", stdout);
	json_day(l->answer_by);
	fputs(", \"by_origin\": {", stdout);
	for (int o = 0; o < LO_COUNT; o++)
		printf(o ? ", \"%s\": %ld" : "\"%s\": %ld",
		       ledger_origin_name((enum ledger_origin)o), l->by_origin[o]);
	fputs("}, \"by_household\": {", stdout);
	for (int h = 0; h < LH_COUNT; h++)
		printf(h ? ", \"%s\": %ld" : "\"%s\": %ld",
		       ledger_household_name((enum ledger_household)h), l->by_household[h]);
	fputs("}, \"family_reunification_by_month\": ", stdout);
	json_months(l->fr_by_month);
	printf(", \"in_programme\": %ld}\n", l->in_programme);
}

#define LABEL_W 44
#define NUM_W   10

static void row(const char *label, const char *value, const char *after)
{
	fputs("  ", stdout);
	pad(label, LABEL_W);
	lpad(value, NUM_W);
	if (after && *after)
		printf("  %s", after);
	putchar('\n');
}

static void row_n(const char *label, long n, const char *after)
{
	char num[24];

	count_shown(n, num);
	row(label, num, after);
}

static void ledger_text(const struct ledger *l, bool norwegian)
{
	static const char *const month[12] = {N_("January"), N_("February"), N_("March"),
	                                      N_("April"),   N_("May"),      N_("June"),
	                                      N_("July"),    N_("August"),   N_("September"),
	                                      N_("October"), N_("November"), N_("December")};
	const char *origin[LO_COUNT] = {_("from a reception centre"), _("resettlement refugees"),
	                                _("outside reception"), _("origin not recorded")};
	const char *household[LH_COUNT] = {_("single adults"), _("families with children"),
	                                   _("families without children"),
	                                   _("unaccompanied minors")};
	char num[24], day[11], after[128];

	printf(_("Settlement ledger %d\n"), l->year);
	count_shown(l->minors_requested, num);
	snprintf(after, sizeof after, _("of which unaccompanied minors: %s"), num);
	row_n(_("Requested by IMDi"), l->requested, l->minors_requested >= 0 ? after : NULL);
	row_n(_("Decided (latest decision)"), l->decided, NULL);
	row(_("Answer to IMDi by"), day_shown(l->answer_by, norwegian, day), NULL);
	after[0] = 0;
	if (l->decided > 0)
		snprintf(after, sizeof after, _("%ld%% of the decision"),
		         l->settled * 100 / l->decided);
	row_n(_("Settled by agreement"), l->settled, after);
	row_n(_("  of them unaccompanied minors"), l->unaccompanied_minors, NULL);
	row_n(_("Family reunification (not in the total)"), l->family_reunification, NULL);
	row_n(_("In the programme now"), l->in_programme, NULL);

	printf("\n  ");
	pad(_("Month"), LABEL_W);
	lpad(_("Settled"), NUM_W);
	fputs("  ", stdout);
	fputs(_("Family reunification"), stdout);
	putchar('\n');
	for (int m = 0; m < 12; m++) {
		fputs("  ", stdout);
		pad(_(month[m]), LABEL_W);
		snprintf(num, sizeof num, "%ld", l->by_month[m]);
		lpad(num, NUM_W);
		snprintf(num, sizeof num, "%ld", l->fr_by_month[m]);
		fputs("  ", stdout);
		lpad(num, columns(_("Family reunification")));
		putchar('\n');
	}

	printf("\n  %s\n", _("Settled by origin"));
	for (int o = 0; o < LO_COUNT; o++)
		row_n(origin[o], l->by_origin[o], NULL);
	printf("\n  %s\n", _("Settled by household type"));
	for (int h = 0; h < LH_COUNT; h++)
		row_n(household[h], l->by_household[h], NULL);

	printf("\n  %s\n", _("Decisions"));
	if (!l->nhistory)
		printf("  %s\n", _("none recorded (mappe target set)"));
	for (size_t i = 0; i < l->nhistory; i++) {
		const struct target *t = &l->history[i];
		if (!target_is_decision(l->history, i))
			continue;
		fputs("  ", stdout);
		pad(day_shown(t->date, norwegian, day), 12);
		snprintf(num, sizeof num, "%ld", t->decided);
		lpad(num, NUM_W);
		printf("  %s\n", body_label(t->body));
	}
}

int cmd_report_ledger(struct cli *cli)
{
	struct ledger l;
	char iso[11];
	int year, rc;
	store *st;

	if (cli->argc != 1)
		return cli_fail(M_USAGE, _("usage: mappe report ledger [--year Y] [--json]"));
	if (cli->all)
		return cli_fail(M_USAGE,
		                _("an option given does not apply to 'mappe %s'; see mappe %s "
		                  "--help"),
		                "report ledger", "report");
	date_iso(st_today(), iso);
	year = (int)strtol(iso, NULL, 10);
	if (cli->year && (rc = parse_year(cli->year, "--year", &year)))
		return rc;
	if ((rc = cli_open(cli, &st)))
		return rc;
	if ((rc = store_ledger(st, year, &l))) {
		failed(st, rc);
		store_close(st);
		return rc;
	}
	if (cli->json)
		ledger_json(&l);
	else
		ledger_text(&l, cli->norwegian);
	if (l.unreadable)
		cli_say(
		    _("mappe: %zu cases could not be read and are not counted (locked to you, or "
		      "damaged: mappe check)\n"),
		    l.unreadable);
	ledger_free(&l);
	store_close(st);
	return M_OK;
}
