/* dashboard.c: the lead's year (domain.md, the settlement ledger): settled
 * so far against the council's latest decision and IMDi's request, month
 * by month as a bar chart, the decision's revisions, unaccompanied minors
 * and family reunification apart, the people in programme, and the unit's
 * deadlines overdue or due this week with the caseworkers they fall on
 * (Enter: that caseworker's My day). ← → step a year. Leads and
 * administrators: it reads every case; the first screen a lead sees.
 *
 * Every part is a few lines; when the window has fewer, the least
 * important go first (the chart shrinks to its figures, the caseworkers
 * to their first line) rather than draw over each other. */
#define NCURSES_WIDECHAR 1
#include "tui/ui.h"

#include <curses.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

struct cw_count {
	char name[64];
	long overdue, soon;
};

/* A count of every case takes most of a second at 20 000, and a busy unit
 * saves every few seconds: colleagues' saves are counted this often. */
enum { RECOUNT = 30 };

struct dash_view {
	int year;
	bool loaded, have_ledger, deadlines_read;
	bool stale;       /* something was saved since it was counted */
	time_t loaded_at; /* when it was */
	struct ledger led;
	long today, soon_days;
	long overdue, soon; /* the unit's deadlines */
	struct cw_count *cw;
	size_t ncw, cap;
	size_t sel, cw_top; /* the caseworker chosen, the first one shown */
	enum chart_glyphs glyphs;
};

static bool team_role(struct ui *ui)
{
	return store_role(ui->st) == ROLE_LEAD || store_role(ui->st) == ROLE_ADMIN;
}

static void dash_free(void *self)
{
	struct dash_view *dv = self;

	if (dv->have_ledger)
		ledger_free(&dv->led);
	free(dv->cw);
	free(dv);
}

static struct cw_count *cw_of(struct dash_view *dv, const char *name)
{
	for (size_t i = 0; i < dv->ncw; i++)
		if (strcmp(dv->cw[i].name, name) == 0)
			return &dv->cw[i];
	if (dv->ncw == dv->cap) {
		size_t cap = dv->cap ? 2 * dv->cap : 16;
		struct cw_count *grown = realloc(dv->cw, cap * sizeof *grown);
		if (!grown)
			return NULL;
		dv->cw = grown;
		dv->cap = cap;
	}
	struct cw_count *c = &dv->cw[dv->ncw++];
	*c = (struct cw_count){0};
	snprintf(c->name, sizeof c->name, "%s", name);
	return c;
}

static int count_deadlines(void *ctx, const struct case_rec *c, const struct deadline *d, size_t n)
{
	struct dash_view *dv = ctx;
	const char *name = case_get(c, F_caseworker);
	struct cw_count *cw = NULL;

	for (size_t i = 0; i < n; i++) {
		enum deadline_state s = deadline_state_on(d[i].due, dv->today, dv->soon_days);
		if (s == DS_LATER)
			continue;
		if (!cw && !(cw = cw_of(dv, name ? name : "")))
			return M_UNAVAILABLE;
		if (s == DS_OVERDUE) {
			cw->overdue++;
			dv->overdue++;
		} else {
			cw->soon++;
			dv->soon++;
		}
	}
	return M_OK;
}

/* Most overdue first: who needs a word this morning. */
static int by_load(const void *a, const void *b)
{
	const struct cw_count *x = a, *y = b;

	if (x->overdue != y->overdue)
		return x->overdue > y->overdue ? -1 : 1;
	if (x->soon != y->soon)
		return x->soon > y->soon ? -1 : 1;
	return strcmp(x->name, y->name);
}

/* Today's deadlines once; the ledger of the year shown each time it moves. */
static void dash_load(struct ui *ui, struct dash_view *dv)
{
	if (!dv->deadlines_read) {
		dv->today = st_today();
		dv->soon_days = rule_value(RULE_soon_days, REGIME_ANY, dv->today, 7);
		dv->overdue = dv->soon = 0;
		dv->ncw = 0;
		if (store_deadlines(ui->st, true, count_deadlines, dv) != M_OK)
			ui_say(ui, true, "%s", tui_error(ui->st));
		if (dv->ncw)
			qsort(dv->cw, dv->ncw, sizeof *dv->cw, by_load);
		if (dv->sel >= dv->ncw)
			dv->sel = dv->ncw ? dv->ncw - 1 : 0;
		dv->deadlines_read = true;
	}
	if (dv->have_ledger)
		ledger_free(&dv->led);
	dv->have_ledger = false;
	if (store_ledger(ui->st, dv->year, &dv->led) == M_OK)
		dv->have_ledger = true;
	else
		ui_say(ui, true, "%s", tui_error(ui->st));
	dv->loaded = true;
}

/* ---- the parts, as lines of text ---------------------------------------- */

static const char *const month_names[12] = {
    N_("Jan"), N_("Feb"), N_("Mar"), N_("Apr"), N_("May"), N_("Jun"),
    N_("Jul"), N_("Aug"), N_("Sep"), N_("Oct"), N_("Nov"), N_("Dec"),
};

static const char *body_label(enum target_body b)
{
	return b == BODY_EXECUTIVE ? _("executive committee") : _("council");
}

/* The year of a day, and its month (0-11). */
static int year_of(long day, int *month)
{
	char iso[11];

	date_iso(day, iso);
	if (month)
		*month = (iso[5] - '0') * 10 + (iso[6] - '0') - 1;
	return (int)strtol(iso, NULL, 10);
}

/* Day as people read it, in out: date_for_people gives back the ISO text
 * itself in English, which must outlive this call. */
static const char *people_date(struct ui *ui, long day, char out[11])
{
	char iso[11], nb[11];

	date_iso(day, iso);
	snprintf(out, 11, "%s", date_for_people(iso, ui->nb, nb));
	return out;
}

/* Fragments laid out on lines of width columns, " · " between two on a
 * line; a fragment wider than a line has one to itself (cut). With draw,
 * from line y. Returns the lines it takes. */
static int flow(int y, int width, char (*part)[200], int n, bool draw, int max_lines)
{
	int lines = 0, x = 0;

	for (int i = 0; i < n; i++) {
		int w = ui_text_width(part[i]);
		if (!part[i][0])
			continue;
		/* After a label ("Decided:") or a comma and before an arrow
		 * (→ 110), a blank joins; between two facts, a dot. */
		bool joined =
		    i > 0 &&
		    (strncmp(part[i], "→", 3) == 0 ||
		     (part[i - 1][0] && strchr(":,", part[i - 1][strlen(part[i - 1]) - 1])));
		int sep = joined ? 1 : 3;
		if (lines == 0 || (x && x + sep + w > width)) {
			if (lines == max_lines)
				break;
			lines++;
			x = 0;
		} else if (x) {
			if (draw)
				ui_put(y + lines - 1, 1 + x, joined ? " " : " · ", sep);
			x += sep;
		}
		if (draw)
			x += ui_put_cut(y + lines - 1, 1 + x, part[i], width - x);
		else
			x += w < width - x ? w : width - x;
	}
	return lines;
}

/* "Settled in 2026: 89 of 110 decided" and how far from it, as two
 * fragments that share a line when it is wide enough. */
static int headline(const struct dash_view *dv, char (*part)[200])
{
	const struct ledger *l = &dv->led;

	if (!dv->have_ledger) {
		snprintf(part[0], sizeof part[0], _("%d: the ledger could not be read"), dv->year);
		return 1;
	}
	if (l->decided < 0) {
		snprintf(part[0], sizeof part[0], _("Settled in %d: %ld"), dv->year, l->settled);
		snprintf(part[1], sizeof part[1], "%s", _("no decision recorded"));
		return 2;
	}
	snprintf(part[0], sizeof part[0], _("Settled in %d: %ld of %ld decided"), dv->year,
	         l->settled, l->decided);
	if (l->settled < l->decided)
		snprintf(part[1], sizeof part[1], _("%ld to go"), l->decided - l->settled);
	else if (l->settled == l->decided)
		snprintf(part[1], sizeof part[1], "%s", _("the decision is met"));
	else
		snprintf(part[1], sizeof part[1], _("%ld more than decided"),
		         l->settled - l->decided);
	return 2;
}

static int request_line(struct ui *ui, const struct dash_view *dv, char (*part)[200], int width)
{
	const struct ledger *l = &dv->led;
	char day[11];
	int n = 0;

	if (!dv->have_ledger)
		return 0;
	if (l->requested < 0) {
		snprintf(part[n++], sizeof part[0], "%s", _("IMDi's request: not recorded"));
		return n;
	}
	/* "of which" belongs to the number: a line of its own only when the
	 * two do not fit one. */
	if (l->minors_requested > 0) {
		snprintf(part[n], sizeof part[0],
		         _("IMDi's request: %ld, of which %ld unaccompanied minors"), l->requested,
		         l->minors_requested);
		if (ui_text_width(part[n]) > width) {
			snprintf(part[n++], sizeof part[0], _("IMDi's request: %ld,"),
			         l->requested);
			snprintf(part[n], sizeof part[0], _("of which %ld unaccompanied minors"),
			         l->minors_requested);
		}
		n++;
	} else {
		snprintf(part[n++], sizeof part[0], _("IMDi's request: %ld"), l->requested);
	}
	if (l->answer_by != DAY_NONE)
		snprintf(part[n++], sizeof part[0], _("answer by %s"),
		         people_date(ui, l->answer_by, day));
	return n;
}

/* The decision's versions, oldest first: "Decided: 90 (council, 12.02.2026)
 * · 110 (executive committee, 15.06.2026)". A version that changed only the
 * request says nothing new about the decision. */
static int decisions(struct ui *ui, const struct dash_view *dv, char (*part)[200], int max)
{
	const struct ledger *l = &dv->led;
	int n = 1, total = 0;

	if (!dv->have_ledger)
		return 0;
	for (int pass = 0; pass < 2; pass++) {
		for (size_t i = 0; i < l->nhistory && n < max; i++) {
			const struct target *t = &l->history[i];
			char day[11], when[40] = "";
			if (t->decided < 0 || !target_is_decision(l->history, i))
				continue;
			if (pass == 0) {
				total++;
				continue;
			}
			if (t->date != DAY_NONE)
				snprintf(when, sizeof when, ", %s", people_date(ui, t->date, day));
			snprintf(part[n], sizeof part[n], "%s%ld (%s%s)", n > 1 ? "→ " : "",
			         t->decided, body_label(t->body), when);
			n++;
		}
	}
	if (n == 1)
		return 0;
	/* The arrows are the revisions, oldest first. */
	snprintf(part[0], sizeof part[0], "%s", _("Decided:"));
	(void)total;
	return n;
}

static int subsets(const struct dash_view *dv, char (*part)[200])
{
	const struct ledger *l = &dv->led;
	int n = 0;

	if (!dv->have_ledger)
		return 0;
	snprintf(part[n++], sizeof part[0], _("Of these, unaccompanied minors: %ld"),
	         l->unaccompanied_minors);
	snprintf(part[n++], sizeof part[0], _("Family reunification (not counted): %ld"),
	         l->family_reunification);
	snprintf(part[n++], sizeof part[0], _("In programme now: %ld"), l->in_programme);
	if (l->unreadable)
		snprintf(part[n++], sizeof part[0], _("%zu cases could not be read"),
		         l->unreadable);
	return n;
}

/* The chart's geometry at this width: each month col columns, its bar bar. */
struct chart_geom {
	int col, bar, x;
	bool names; /* three letters, else one */
};

static struct chart_geom chart_geom(int width)
{
	struct chart_geom g;

	g.col = width / 12;
	if (g.col > 6)
		g.col = 6;
	if (g.col < 2)
		g.col = 2;
	g.bar = g.col >= 5 ? g.col - 2 : g.col - 1;
	g.names = g.col >= 4;
	g.x = 1;
	return g;
}

static void draw_chart(const struct dash_view *dv, int y, int height, int width)
{
	struct chart_geom g = chart_geom(width);
	char buf[8][512];
	char *lines[8];
	long max = 0;

	if (height > 8)
		height = 8;
	for (int m = 0; m < 12; m++)
		if (dv->led.by_month[m] > max)
			max = dv->led.by_month[m];
	for (int r = 0; r < 8; r++)
		lines[r] = buf[r];
	if (chart_bars(dv->led.by_month, 12, max, height, g.bar, g.col - g.bar, dv->glyphs, lines,
	               sizeof buf[0]) != 0)
		return;
	/* The months to come are not zero yet: no bar, not even a base. */
	for (int r = 0; r < height; r++)
		ui_put(y + r, g.x, lines[r], width);
}

/* The months of the year shown in which a decision was made (marked[],
 * NULL for none): whether any was. */
static bool months_marked(const struct dash_view *dv, bool *marked)
{
	bool any = false;

	for (size_t i = 0; dv->have_ledger && i < dv->led.nhistory; i++) {
		int m;
		const struct target *t = &dv->led.history[i];
		if (t->decided >= 0 && t->date != DAY_NONE && target_is_decision(dv->led.history, i) &&
		    year_of(t->date, &m) == dv->year) {
			if (marked)
				marked[m] = true;
			any = true;
		}
	}
	return any;
}

/* The months' names under the bars, a decision's month marked with '*',
 * and the numbers under them (when every one fits its column). */
static void draw_months(struct ui *ui, const struct dash_view *dv, int y, int width, bool numbers)
{
	struct chart_geom g = chart_geom(width);
	bool marked[12] = {0};

	months_marked(dv, marked);
	for (int m = 0; m < 12; m++) {
		char name[16], num[24];
		int x = g.x + m * g.col;
		const char *label = _(month_names[m]);
		if (g.names)
			snprintf(name, sizeof name, "%s%s", label,
			         marked[m] && g.col >= 5 ? "*" : "");
		else
			ui_put(y, x, label, 1); /* the initial */
		if (g.names)
			ui_put(y, x, name, g.col);
		if (!numbers)
			continue;
		snprintf(num, sizeof num, "%ld", dv->led.by_month[m]);
		if ((int)strlen(num) < g.col)
			ui_put(y + 1, x, num, g.col - 1);
		else
			ui_put(y + 1, x, "+", 1); /* more than its column holds */
	}
	(void)ui;
}

/* The caseworkers table: a cell each, name, overdue, due soon. */
struct table_geom {
	int name_w, over_w, soon_w, cell_w, per_row;
};

static struct table_geom table_geom(const char *h_cw, const char *h_over, const char *h_soon,
                                    int width)
{
	struct table_geom t;

	t.name_w = ui_text_width(h_cw);
	if (t.name_w < 12)
		t.name_w = 12;
	t.over_w = ui_text_width(h_over);
	t.soon_w = ui_text_width(h_soon);
	if (t.over_w < 4)
		t.over_w = 4;
	if (t.soon_w < 4)
		t.soon_w = 4;
	t.cell_w = t.name_w + 1 + t.over_w + 1 + t.soon_w;
	if (t.cell_w > width) {
		t.name_w -= t.cell_w - width;
		if (t.name_w < 4)
			t.name_w = 4;
		t.cell_w = t.name_w + 1 + t.over_w + 1 + t.soon_w;
	}
	t.per_row = (width + 3) / (t.cell_w + 3);
	if (t.per_row < 1)
		t.per_row = 1;
	return t;
}

static void put_right(int y, int x, int w, long v)
{
	char num[24];
	int n = snprintf(num, sizeof num, "%ld", v);

	ui_put(y, x + (n < w ? w - n : 0), num, w);
}

static void draw_table(struct ui *ui, struct dash_view *dv, int y, int rows, int width)
{
	char h_soon[64];
	const char *h_over = _("Overdue"), *h_cw = _("Caseworker");

	snprintf(h_soon, sizeof h_soon, _("Next %ld days"), dv->soon_days);
	struct table_geom t = table_geom(h_cw, h_over, h_soon, width);
	size_t per = (size_t)t.per_row, shown = (size_t)(rows - 1) * per;

	/* The selection in sight: whole rows of cells scroll. */
	if (dv->sel < dv->cw_top)
		dv->cw_top = dv->sel / per * per;
	else if (shown && dv->sel >= dv->cw_top + shown)
		dv->cw_top = (dv->sel / per + 1) * per - shown;
	ui_attr(ui, C_LABEL, true);
	for (int c = 0; c < t.per_row && (size_t)c < dv->ncw; c++) {
		int x = 1 + c * (t.cell_w + 3);
		ui_put_cut(y, x, h_cw, t.name_w);
		ui_put(y, x + t.name_w + 1 + t.over_w - ui_text_width(h_over), h_over, t.over_w);
		ui_put(y, x + t.name_w + 1 + t.over_w + 1 + t.soon_w - ui_text_width(h_soon),
		       h_soon, t.soon_w);
	}
	ui_attr(ui, C_LABEL, false);
	for (size_t i = dv->cw_top; i < dv->ncw && i < dv->cw_top + shown; i++) {
		const struct cw_count *c = &dv->cw[i];
		int row = (int)((i - dv->cw_top) / per),
		    x = 1 + (int)((i - dv->cw_top) % per) * (t.cell_w + 3);
		bool sel = i == dv->sel;
		if (sel)
			ui_attr(ui, C_SELECTED, true);
		ui_put_pad(y + 1 + row, x, "", t.cell_w);
		ui_put_cut(y + 1 + row, x, c->name[0] ? c->name : _("(nobody)"), t.name_w);
		if (c->overdue && !sel)
			ui_attr(ui, C_ERROR, true);
		put_right(y + 1 + row, x + t.name_w + 1, t.over_w, c->overdue);
		if (c->overdue && !sel)
			ui_attr(ui, C_ERROR, false);
		put_right(y + 1 + row, x + t.name_w + 1 + t.over_w + 1, t.soon_w, c->soon);
		if (sel)
			ui_attr(ui, C_SELECTED, false);
	}
	if (dv->cw_top > 0)
		mvaddnwstr(y + 1, COLS - 1, L"\u2191", 1);
	if (dv->cw_top + shown < dv->ncw)
		mvaddnwstr(y + rows - 1, COLS - 1, L"\u2193", 1);
}

/* ---- the layout ----------------------------------------------------------- */

enum part {
	P_HEAD,
	P_METER,
	P_REQUEST,
	P_DECISIONS,
	P_GAP1,
	P_CHART_HEAD,
	P_CHART,
	P_MONTHS, /* names and numbers */
	P_SUBSETS,
	P_GAP2,
	P_DEADLINES,
	P_TABLE,
	P_COUNT
};

static void dash_draw(void *self, struct ui *ui)
{
	struct dash_view *dv = self;
	char head[2][200], req[3][200], dl[2][200], chart_head[200], dec[12][200], sub[4][200];
	int avail = LINES - 3, width = COLS - 2, rows[P_COUNT] = {0}, want[P_COUNT] = {0};

	if (dv->stale && (!dv->loaded || time(NULL) - dv->loaded_at >= RECOUNT))
		dv->loaded = dv->deadlines_read = dv->stale = false;
	if (!dv->loaded) {
		/* The terminal curses draws on (the tests' is xterm-256color),
		 * known once the screen is up, in the user's own locale. */
		dv->glyphs = chart_glyphs_for(termname());
		/* A scan of every case: at 20 000 it takes a moment. */
		ui_put(1, 1, _("Counting…"), COLS - 2);
		if (!ui->script)
			refresh();
		dash_load(ui, dv);
		dv->loaded_at = time(NULL);
		erase();
	}
	int nhead = headline(dv, head), ndl = 2;
	int nreq = request_line(ui, dv, req, width);
	int ndec = decisions(ui, dv, dec, 12);
	int nsub = subsets(dv, sub);
	snprintf(chart_head, sizeof chart_head, _("Settled by month, %d"), dv->year);
	if (chart_geom(width).col >= 5 && months_marked(dv, NULL)) {
		/* What the '*' after a month's name means. */
		size_t n = strlen(chart_head);
		snprintf(chart_head + n, sizeof chart_head - n, " · %s",
		         _("* a decision that month"));
	}
	if (dv->overdue || dv->soon) {
		snprintf(dl[0], sizeof dl[0], _("Deadlines of the unit: %ld overdue"), dv->overdue);
		snprintf(dl[1], sizeof dl[1], _("%ld due within %ld days"), dv->soon,
		         dv->soon_days);
	} else {
		snprintf(dl[0], sizeof dl[0], "%s", _("Deadlines of the unit:"));
		snprintf(dl[1], sizeof dl[1], _("nothing overdue or due within %ld days"),
		         dv->soon_days);
	}

	/* What each part would take, then what fits, most important first. */
	want[P_HEAD] = flow(0, width, head, nhead, false, 2);
	want[P_METER] = dv->have_ledger && dv->led.decided > 0 ? 1 : 0;
	want[P_REQUEST] = flow(0, width, req, nreq, false, 2);
	want[P_DECISIONS] = flow(0, width, dec, ndec, false, 3);
	want[P_GAP1] = 1;
	want[P_CHART_HEAD] = dv->have_ledger ? 1 : 0;
	want[P_CHART] = dv->have_ledger ? 2 : 0; /* at least; more below */
	want[P_MONTHS] = dv->have_ledger ? 2 : 0;
	want[P_SUBSETS] = flow(0, width, sub, nsub, false, 3);
	want[P_GAP2] = 1;
	want[P_DEADLINES] = flow(0, width, dl, ndl, false, 2);
	want[P_TABLE] = dv->ncw ? 2 : 0; /* the heading and a row; more below */
	static const enum part order[] = {P_HEAD,       P_DEADLINES, P_MONTHS, P_SUBSETS,
	                                  P_REQUEST,    P_CHART,     P_TABLE,  P_DECISIONS,
	                                  P_CHART_HEAD, P_METER,     P_GAP2,   P_GAP1};
	for (size_t i = 0; i < sizeof order / sizeof *order; i++) {
		enum part p = order[i];
		/* Fragments that flow give up their last ones; the others are
		 * whole or not at all. */
		bool flows = p == P_HEAD || p == P_DEADLINES || p == P_SUBSETS ||
		             p == P_DECISIONS || p == P_REQUEST;
		int take = want[p] <= avail ? want[p] : flows ? avail : 0;
		rows[p] = take;
		avail -= take;
	}
	/* Then the bars grow to four lines, the caseworkers to all of them,
	 * and the bars to eight. */
	if (rows[P_CHART])
		for (; avail > 0 && rows[P_CHART] < 4; avail--)
			rows[P_CHART]++;
	if (rows[P_TABLE]) {
		char h_soon[64];
		snprintf(h_soon, sizeof h_soon, _("Next %ld days"), dv->soon_days);
		struct table_geom t = table_geom(_("Caseworker"), _("Overdue"), h_soon, width);
		int need = 1 + (int)((dv->ncw + (size_t)t.per_row - 1) / (size_t)t.per_row);
		for (; avail > 0 && rows[P_TABLE] < need; avail--)
			rows[P_TABLE]++;
	}
	if (rows[P_CHART])
		for (; avail > 0 && rows[P_CHART] < 8; avail--)
			rows[P_CHART]++;

	int y = 1;
	if (rows[P_HEAD]) {
		ui_attr(ui, C_LABEL, true);
		flow(y, width, head, nhead, true, rows[P_HEAD]);
		ui_attr(ui, C_LABEL, false);
		y += rows[P_HEAD];
	}
	if (rows[P_METER]) {
		char meter[512], pct[16];
		snprintf(pct, sizeof pct, " %ld %%", dv->led.settled * 100 / dv->led.decided);
		int w = width - ui_text_width(pct);
		if (w > 50)
			w = 50;
		if (w > 0 && chart_meter(dv->led.settled, dv->led.decided, w, dv->glyphs, meter,
		                         sizeof meter) == 0) {
			ui_put(y, 1, meter, w);
			ui_put(y, 1 + w, pct, width - w);
		}
		y++;
	}
	if (rows[P_REQUEST]) {
		flow(y, width, req, nreq, true, rows[P_REQUEST]);
		y += rows[P_REQUEST];
	}
	if (rows[P_DECISIONS]) {
		/* Where the rows cannot hold every version, the oldest go: the
		 * latest decision is the one the year is measured against. */
		while (ndec > 2 && flow(0, width, dec, ndec, false, 99) > rows[P_DECISIONS]) {
			memmove(dec[1], dec[2], (size_t)(ndec - 2) * sizeof dec[0]);
			ndec--;
		}
		flow(y, width, dec, ndec, true, rows[P_DECISIONS]);
		y += rows[P_DECISIONS];
	}
	y += rows[P_GAP1];
	if (rows[P_CHART_HEAD]) {
		ui_attr(ui, C_LABEL, true);
		ui_put_cut(y, 1, chart_head, width);
		ui_attr(ui, C_LABEL, false);
		y++;
	}
	if (rows[P_CHART]) {
		draw_chart(dv, y, rows[P_CHART], width);
		y += rows[P_CHART];
	}
	if (rows[P_MONTHS]) {
		draw_months(ui, dv, y, width, true);
		y += rows[P_MONTHS];
	}
	if (rows[P_SUBSETS]) {
		flow(y, width, sub, nsub, true, rows[P_SUBSETS]);
		y += rows[P_SUBSETS];
	}
	y += rows[P_GAP2];
	if (rows[P_DEADLINES]) {
		ui_attr(ui, C_LABEL, true);
		flow(y, width, dl, ndl, true, rows[P_DEADLINES]);
		ui_attr(ui, C_LABEL, false);
		y += rows[P_DEADLINES];
	}
	if (rows[P_TABLE])
		draw_table(ui, dv, y, rows[P_TABLE], width);
}

static bool dash_key(void *self, struct ui *ui, enum request req, wint_t ch, bool fnkey)
{
	struct dash_view *dv = self;

	(void)ch;
	(void)fnkey;
	switch (req) {
	case REQ_YEAR_BACK:
		if (dv->year > TARGET_YEAR_MIN) {
			dv->year--;
			dv->loaded = false;
		}
		return true;
	case REQ_YEAR_NEXT:
		if (dv->year < TARGET_YEAR_MAX) {
			dv->year++;
			dv->loaded = false;
		}
		return true;
	case REQ_UP:
		if (dv->sel > 0)
			dv->sel--;
		return true;
	case REQ_DOWN:
		if (dv->sel + 1 < dv->ncw)
			dv->sel++;
		return true;
	case REQ_DAY:
		view_day_open(ui);
		return true;
	case REQ_AUDIT:
		view_audit_open(ui);
		return true;
	case REQ_DAY_OF:
		if (dv->ncw)
			view_day_open_for(ui, dv->cw[dv->sel].name);
		return true;
	case REQ_QUIT:
		return false;
	default:
		return true;
	}
}

/* A save may settle someone or meet a deadline: count again when next
 * drawn. The user's own save (a case id) at once; colleagues' (id 0, the
 * live catch-up) at most every RECOUNT seconds. */

static void dash_changed(void *self, struct ui *ui, uint64_t id)
{
	struct dash_view *dv = self;

	(void)ui;
	if (id)
		dv->loaded = false;
	dv->stale = true;
}

static const char *dash_subtitle(const void *self, struct ui *ui, char *buf, size_t cap)
{
	const struct dash_view *dv = self;

	(void)ui;
	snprintf(buf, cap, "%d", dv->year);
	return buf;
}

int view_dashboard_open(struct ui *ui)
{
	if (!team_role(ui)) {
		ui_say(ui, true, "%s", _("The dashboard is for leads and administrators"));
		return M_AUTH;
	}
	struct dash_view *dv = calloc(1, sizeof *dv);
	if (!dv)
		return M_UNAVAILABLE;
	dv->year = year_of(st_today(), NULL);
	ui_push(ui, &dashboard_ops, dv);
	return M_OK;
}

static const struct binding dash_keys[] = {
    {KEY_LEFT, true, REQ_YEAR_BACK}, {'<', false, REQ_YEAR_BACK}, {KEY_RIGHT, true, REQ_YEAR_NEXT},
    {'>', false, REQ_YEAR_NEXT},     {'\n', false, REQ_DAY_OF},   {'D', false, REQ_DAY},
    {'L', false, REQ_AUDIT},
};
static const enum request dash_bar[] = {REQ_HELP, REQ_QUIT,  REQ_YEAR_BACK, REQ_YEAR_NEXT, REQ_DAY,
                                        REQ_AUDIT, REQ_DAY_OF, REQ_UP,        REQ_DOWN};
static KEYMAP(dash_keymap, dash_keys, dash_bar, &browse_keymap);
static const struct keymap *const dash_keymaps[] = {&dash_keymap, NULL};

const struct view_ops dashboard_ops = {
    .title = N_("Dashboard"),
    .subtitle = dash_subtitle,
    .keymaps = dash_keymaps,
    .draw = dash_draw,
    .key = dash_key,
    .free = dash_free,
    .changed = dash_changed,
};
