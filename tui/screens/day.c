/* day.c: my day: the cases newly assigned to the user since their last
 * login, newest first, then the deadlines in their caseload that are
 * overdue or due within a week, soonest first, each with the person and
 * what is due; Enter opens the case, a deadline's at the group where it is
 * met. Leads and administrators see the deadlines of every caseworker,
 * each row naming whose, and c shows one caseworker's at a time. The
 * first screen a caseworker sees when there is something in it. */
#define NCURSES_WIDECHAR 1
#include "tui/ui.h"

#include <curses.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum day_kind { ROW_NEW, ROW_DUE, ROW_NONE /* "nothing due": a heading alone */ };

struct day_row {
	enum day_kind kind;
	uint64_t id;
	enum deadline_id d;
	long due;
	enum deadline_state state;
	int64_t assigned_at;
	char caseworker[64];
	char *name; /* given and family name, in secure memory */
};

struct day_view {
	struct day_row *row; /* every row read: the new, then the deadlines */
	size_t n, cap, nnew;
	size_t *shown; /* the rows the filter lets through, as listed */
	size_t nshown;
	struct day_row none;
	long today, soon;
	bool team;       /* a lead's or administrator's: every caseworker's deadlines */
	char filter[64]; /* the caseworker shown, "" for all */
	bool loaded;
	struct listview list;
};

static void rows_clear(struct day_view *dv)
{
	for (size_t i = 0; i < dv->n; i++)
		keys_secure_free(dv->row[i].name);
	free(dv->row);
	free(dv->shown);
	dv->row = NULL;
	dv->shown = NULL;
	dv->n = dv->cap = dv->nnew = dv->nshown = 0;
}

static void day_free(void *self)
{
	struct day_view *dv = self;

	rows_clear(dv);
	free(dv);
}

static struct day_row *row_add(struct day_view *dv, const struct case_rec *c)
{
	if (dv->n == dv->cap) {
		size_t cap = dv->cap ? 2 * dv->cap : 32;
		struct day_row *grown = realloc(dv->row, cap * sizeof *grown);
		if (!grown)
			return NULL;
		dv->row = grown;
		dv->cap = cap;
	}
	struct day_row *r = &dv->row[dv->n++];
	const char *g = case_get(c, F_given_name), *f = case_get(c, F_family_name),
	           *cw = case_get(c, F_caseworker);
	size_t len = strlen(g ? g : "") + strlen(f ? f : "") + 2;
	*r = (struct day_row){.id = c->id};
	snprintf(r->caseworker, sizeof r->caseworker, "%s", cw ? cw : "");
	if ((r->name = keys_secure_alloc(len)))
		snprintf(r->name, len, "%s%s%s", g ? g : "", g && f ? " " : "", f ? f : "");
	return r;
}

static int collect_new(void *ctx, const struct case_rec *c)
{
	struct day_view *dv = ctx;
	struct day_row *r = row_add(dv, c);

	if (!r)
		return M_UNAVAILABLE;
	r->kind = ROW_NEW;
	r->assigned_at = c->assigned_at;
	dv->nnew++;
	return M_OK;
}

static int collect(void *ctx, const struct case_rec *c, const struct deadline *d, size_t n)
{
	struct day_view *dv = ctx;

	for (size_t i = 0; i < n; i++) {
		enum deadline_state s = deadline_state_on(d[i].due, dv->today, dv->soon);
		if (s == DS_LATER)
			continue;
		struct day_row *r = row_add(dv, c);
		if (!r)
			return M_UNAVAILABLE;
		r->kind = ROW_DUE;
		r->d = d[i].id;
		r->due = d[i].due;
		r->state = s;
	}
	return M_OK;
}

static int newest_first(const void *a, const void *b)
{
	const struct day_row *x = a, *y = b;

	if (x->assigned_at != y->assigned_at)
		return x->assigned_at > y->assigned_at ? -1 : 1;
	return x->id > y->id ? -1 : x->id < y->id; /* the later insert, in a second */
}

static int by_due(const void *a, const void *b)
{
	const struct day_row *x = a, *y = b;

	if (x->due != y->due)
		return x->due < y->due ? -1 : 1;
	return x->id < y->id ? -1 : x->id > y->id;
}

/* The rows the filter lets through: every new one (they are the user's
 * own), the deadlines of the caseworker chosen, and "nothing due" when no
 * deadline is left. */
static void day_filter(struct day_view *dv)
{
	dv->nshown = 0;
	for (size_t i = 0; i < dv->n; i++)
		if (dv->row[i].kind == ROW_NEW || !*dv->filter ||
		    strcmp(dv->row[i].caseworker, dv->filter) == 0)
			dv->shown[dv->nshown++] = i;
	if (dv->nshown == dv->nnew)
		dv->shown[dv->nshown++] = SIZE_MAX; /* dv->none */
}

static const struct day_row *shown_row(const struct day_view *dv, size_t i)
{
	return dv->shown[i] == SIZE_MAX ? &dv->none : &dv->row[dv->shown[i]];
}

static void day_load(struct ui *ui, struct day_view *dv)
{
	rows_clear(dv);
	dv->today = st_today();
	const struct rule_row *soon = rule_at(RULE_soon_days, REGIME_ANY, dv->today);
	dv->soon = soon ? soon->value : 7;
	dv->none = (struct day_row){.kind = ROW_NONE};
	dv->team = store_role(ui->st) == ROLE_LEAD || store_role(ui->st) == ROLE_ADMIN;
	if (store_assigned_since(ui->st, store_previous_login(ui->st), collect_new, dv) != M_OK)
		ui_say(ui, true, "%s", tui_error(ui->st));
	else if (dv->team) {
		/* The team's: the index has next deadlines for one's own caseload
		 * only, so a lead's view reads the deadlines of every case. */
		if (store_deadlines(ui->st, true, collect, dv) != M_OK)
			ui_say(ui, true, "%s", tui_error(ui->st));
	} else {
		/* Only the cases whose next deadline (the index's) is due by then. */
		size_t n = search_index_due(ui->ix, store_user(ui->st), dv->today + dv->soon, NULL, 0);
		uint64_t *ids = malloc((n ? n : 1) * sizeof *ids);
		if (ids)
			n = search_index_due(ui->ix, store_user(ui->st), dv->today + dv->soon, ids, n);
		if (!ids || store_deadlines_of(ui->st, false, ids, n, collect, dv) != M_OK)
			ui_say(ui, true, "%s", ids ? tui_error(ui->st) : _("out of memory"));
		free(ids);
	}
	if (dv->nnew)
		qsort(dv->row, dv->nnew, sizeof *dv->row, newest_first);
	if (dv->n > dv->nnew)
		qsort(dv->row + dv->nnew, dv->n - dv->nnew, sizeof *dv->row, by_due);
	if ((dv->shown = malloc((dv->n + 1) * sizeof *dv->shown)))
		day_filter(dv);
	else
		rows_clear(dv); /* nothing shown rather than half */
	dv->loaded = true;
}

/* A row's lines: a section's first row brings its heading, after a blank
 * line below the new cases; "nothing due" is that heading alone. */
struct row_shape {
	int blank, head, body;
};

static struct row_shape row_shape(const struct day_view *dv, size_t i)
{
	const struct day_row *r = shown_row(dv, i);
	bool first = i == 0 || (r->kind != ROW_NEW && shown_row(dv, i - 1)->kind == ROW_NEW);

	return (struct row_shape){first && i > 0, first, r->kind != ROW_NONE};
}

static int row_lines(void *ctx, size_t i)
{
	struct row_shape s = row_shape(ctx, i);

	return s.blank + s.head + s.body;
}

static int day_height(void)
{
	return LINES - 3; /* title, message, key bar */
}

static void deadline_heading(const struct day_view *dv, char *out, size_t cap)
{
	bool any = shown_row(dv, dv->nshown - 1)->kind != ROW_NONE;

	if (!dv->team)
		snprintf(out, cap,
		         any ? _("Overdue and due within %ld days, in your caseload")
		             : _("Nothing overdue or due within %ld days in your caseload"),
		         dv->soon);
	else if (!*dv->filter)
		snprintf(
		    out, cap,
		    any ? _("Overdue and due within %ld days, in every caseworker's caseload")
		        : _("Nothing overdue or due within %ld days in any caseworker's caseload"),
		    dv->soon);
	else
		snprintf(out, cap,
		         any ? _("Overdue and due within %ld days, in %s's caseload")
		             : _("Nothing overdue or due within %ld days in %s's caseload"),
		         dv->soon, dv->filter);
}

static void put_heading(struct ui *ui, int y, const char *text)
{
	ui_attr(ui, C_LABEL, true);
	ui_put_cut(y, 1, text, COLS - 2);
	ui_attr(ui, C_LABEL, false);
}

static void draw_due(struct ui *ui, const struct day_view *dv, const struct day_row *r, int y,
                     bool sel)
{
	int x = 1;
	char iso[11], day[11];

	date_iso(r->due, iso);
	x += ui_put(y, x, date_for_people(iso, ui->nb, day), 10) + 1;
	if (!sel)
		ui_attr(ui, r->state == DS_OVERDUE ? C_ERROR : C_LOCKED, true);
	/* The state in a column as wide as its longer word, in either language:
	 * the labels after it line up ("oversittet" is ten). */
	int state_w = ui_text_width(_("overdue"));
	if (ui_text_width(_("soon")) > state_w)
		state_w = ui_text_width(_("soon"));
	ui_put(y, x, r->state == DS_OVERDUE ? _("overdue") : _("soon"), state_w);
	x += state_w + 1;
	if (!sel)
		ui_attr(ui, r->state == DS_OVERDUE ? C_ERROR : C_LOCKED, false);
	int label_w = COLS >= 80 ? (dv->team ? 30 : 32) : (COLS - x) / 2;
	ui_put_cut(y, x,
	           ui_deadline_masked(ui, r->id, r->d) ? ui_mask() : deadline_label(r->d, ui->nb),
	           label_w);
	x += label_w + 1;
	if (dv->team && x < COLS - 1) {
		/* Whose: a lead's day is the team's. */
		int cw_w = COLS >= 80 ? 9 : 6;
		ui_put_cut(y, x, r->caseworker, cw_w);
		x += cw_w + 1;
	}
	if (x < COLS - 1)
		ui_put_cut(y, x, r->name ? r->name : "", COLS - 1 - x);
}

static void draw_new(const struct day_row *r, int y)
{
	char when[32];
	int x = 1;

	x += ui_put(y, x, cli_time(r->assigned_at, true, when), 16) + 2;
	if (x < COLS - 1)
		ui_put_cut(y, x, r->name ? r->name : "", COLS - 1 - x);
}

static void day_draw(void *self, struct ui *ui)
{
	struct day_view *dv = self;
	struct listview_row it = {0};
	char heading[200];

	if (!dv->loaded)
		day_load(ui, dv);
	if (!dv->shown)
		return;
	listview_set(&dv->list, dv->nshown, day_height());
	while (listview_each(&dv->list, &it)) {
		const struct day_row *r = shown_row(dv, it.row);
		struct row_shape s = row_shape(dv, it.row);
		int head = 1 + it.y + s.blank, body = head + s.head;
		bool sel = it.row == dv->list.sel;
		if (s.head && head >= 1 && head < 1 + dv->list.height) {
			if (r->kind == ROW_NEW) {
				put_heading(ui, head, _("Newly assigned to you"));
			} else {
				deadline_heading(dv, heading, sizeof heading);
				put_heading(ui, head, heading);
			}
		}
		if (!s.body || body < 1 || body >= 1 + dv->list.height)
			continue;
		if (sel)
			ui_attr(ui, C_SELECTED, true);
		if (r->kind == ROW_NEW)
			draw_new(r, body);
		else
			draw_due(ui, dv, r, body, sel);
		if (sel)
			ui_attr(ui, C_SELECTED, false);
	}
	ui_put_more(&dv->list, 1, COLS - 1);
}

/* Where a deadline is met: the field whose group the case opens at. */
static const enum field_id deadline_field[DL_COUNT] = {
    [DL_tb_screening] = F_tb_screening,
    [DL_health_check] = F_health_check,
    [DL_mapping] = F_mapping_done,
    [DL_programme_decision] = F_programme_decision,
    [DL_eligibility_lapse] = F_first_settlement_with_permit,
    [DL_plan_contract] = F_plan_date,
    [DL_plan_review] = F_plan_reviewed,
    [DL_extension_assessment] = F_programme_end,
    [DL_norwegian_completion] = F_norwegian_goal,
    [DL_nir_registration] = F_nir_registered,
    [DL_stop_expiry] = F_programme_start, /* the stops are the programme's */
    [DL_end_record] = F_ended,
};

/* The next caseworker after the one shown, in name order, among those
 * with something due; after the last, everyone again. */
static void next_caseworker(struct day_view *dv)
{
	const char *best = NULL;

	for (size_t i = dv->nnew; i < dv->n; i++) {
		const char *cw = dv->row[i].caseworker;
		if (strcmp(cw, dv->filter) > 0 && (!best || strcmp(cw, best) < 0))
			best = cw;
	}
	/* A copy first: best points into the rows, filter is overwritten. */
	char next[sizeof dv->filter];
	snprintf(next, sizeof next, "%s", best ? best : "");
	memcpy(dv->filter, next, sizeof next);
	day_filter(dv);
	dv->list.sel = 0;
	dv->list.top = 0;
}

static bool day_key(void *self, struct ui *ui, enum request req, wint_t ch, bool fnkey)
{
	struct day_view *dv = self;
	const struct day_row *r;

	(void)ch;
	(void)fnkey;
	if (!dv->shown)
		return req != REQ_QUIT;
	listview_set(&dv->list, dv->nshown, day_height());
	switch (req) {
	case REQ_OPEN:
		r = shown_row(dv, dv->list.sel);
		if (r->kind == ROW_NEW)
			view_case_open(ui, r->id);
		else if (r->kind == ROW_DUE)
			view_case_open_at(ui, r->id, deadline_field[r->d]);
		return true;
	case REQ_CASEWORKER:
		if (dv->team)
			next_caseworker(dv);
		return true;
	case REQ_DASHBOARD:
		/* Back to the dashboard this day was opened from, or to one. */
		if (ui->depth > 1 && ui->stack[ui->depth - 2].ops == &dashboard_ops)
			return false;
		view_dashboard_open(ui);
		return true;
	case REQ_REVEAL:
		r = shown_row(dv, dv->list.sel);
		if (!ui->privacy)
			ui_say(ui, false, "%s",
			       _("Privacy mode is off: nothing is masked (P turns it on)"));
		else if (r->kind != ROW_DUE || !ui_deadline_masked(ui, r->id, r->d))
			ui_say(ui, false, "%s", _("Nothing is masked in this row"));
		else
			ui_reveal_row(ui, r->id, r->d);
		return true;
	case REQ_QUIT:
		return false;
	default:
		if (listview_request(&dv->list, req))
			ui_reveal_clear(ui); /* moved on: masked again */
		return true;
	}
}

/* A save anywhere may meet or move a deadline: read them again. */
static void day_changed(void *self, struct ui *ui, uint64_t id)
{
	struct day_view *dv = self;

	(void)ui;
	(void)id;
	dv->loaded = false;
}

/* Opened while the list loaded: its due cases are the index's, read
 * again once every case is in it. */
static void day_grew(void *self, struct ui *ui)
{
	struct day_view *dv = self;

	if (search_index_complete(ui->ix))
		dv->loaded = false;
}

static int count_new(void *ctx, const struct case_rec *c)
{
	(void)c;
	*(bool *)ctx = true;
	return 1;
}

/* Something new, or something due: the index has each case's next
 * deadline, so nothing is decrypted for the deadlines. */
bool day_has_due(struct ui *ui)
{
	long today = st_today();
	const struct rule_row *soon = rule_at(RULE_soon_days, REGIME_ANY, today);
	bool due = false;

	store_assigned_since(ui->st, store_previous_login(ui->st), count_new, &due);
	return due || search_index_due(ui->ix, store_user(ui->st), today + (soon ? soon->value : 7),
	                               NULL, 0) > 0;
}

int view_day_open(struct ui *ui)
{
	return view_day_open_for(ui, "");
}

int view_day_open_for(struct ui *ui, const char *caseworker)
{
	struct day_view *dv = calloc(1, sizeof *dv);

	if (!dv)
		return M_UNAVAILABLE;
	/* The filter c sets, from the start (a lead's, from the dashboard). */
	snprintf(dv->filter, sizeof dv->filter, "%s", caseworker ? caseworker : "");
	listview_init(&dv->list, true, row_lines, dv);
	ui_push(ui, &day_ops, dv);
	return M_OK;
}

static const struct binding day_keys[] = {
    {'\n', false, REQ_OPEN},     {'q', false, REQ_QUIT},      {'c', false, REQ_CASEWORKER},
    {KEY_PPAGE, true, REQ_PGUP}, {KEY_NPAGE, true, REQ_PGDN}, {KEY_HOME, true, REQ_TOP},
    {KEY_END, true, REQ_BOTTOM}, {'y', false, REQ_DASHBOARD}, {'r', false, REQ_REVEAL},
};
static const enum request day_bar[] = {REQ_HELP,   REQ_QUIT, REQ_PRIVACY,
                                       REQ_REVEAL, REQ_OPEN, REQ_CASEWORKER,
                                       REQ_UP,     REQ_DOWN, REQ_DASHBOARD};
static KEYMAP(day_keymap, day_keys, day_bar, &browse_keymap);
static const struct keymap *const day_keymaps[] = {&day_keymap, NULL};

const struct view_ops day_ops = {
    .title = N_("My day"),
    .keymaps = day_keymaps,
    .draw = day_draw,
    .key = day_key,
    .free = day_free,
    .changed = day_changed,
    .grew = day_grew,
};
