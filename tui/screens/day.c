/* day.c: my day: the deadlines in the user's caseload that are overdue or
 * due within a week, soonest first, each with the person and what is due;
 * Enter opens the case. The first screen a caseworker sees. */
#define NCURSES_WIDECHAR 1
#include "tui/ui.h"

#include <curses.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct day_row {
	uint64_t id;
	enum deadline_id d;
	long due;
	enum deadline_state state;
	char *name; /* given and family name, in secure memory */
};

struct day_view {
	struct day_row *row;
	size_t n, cap;
	long today, soon;
	bool loaded;
	struct listview list;
};

static void rows_clear(struct day_view *dv)
{
	for (size_t i = 0; i < dv->n; i++)
		keys_secure_free(dv->row[i].name);
	free(dv->row);
	dv->row = NULL;
	dv->n = dv->cap = 0;
}

static void day_free(void *self)
{
	struct day_view *dv = self;

	rows_clear(dv);
	free(dv);
}

static int collect(void *ctx, const struct case_rec *c, const struct deadline *d, size_t n)
{
	struct day_view *dv = ctx;

	for (size_t i = 0; i < n; i++) {
		enum deadline_state s = deadline_state_on(d[i].due, dv->today, dv->soon);
		if (s == DS_LATER)
			continue;
		if (dv->n == dv->cap) {
			size_t cap = dv->cap ? 2 * dv->cap : 32;
			struct day_row *grown = realloc(dv->row, cap * sizeof *grown);
			if (!grown)
				return M_UNAVAILABLE;
			dv->row = grown;
			dv->cap = cap;
		}
		const char *g = case_get(c, F_given_name), *f = case_get(c, F_family_name);
		size_t len = strlen(g ? g : "") + strlen(f ? f : "") + 2;
		char *name = keys_secure_alloc(len);
		if (name)
			snprintf(name, len, "%s%s%s", g ? g : "", g && f ? " " : "", f ? f : "");
		dv->row[dv->n++] = (struct day_row){c->id, d[i].id, d[i].due, s, name};
	}
	return M_OK;
}

static int by_due(const void *a, const void *b)
{
	const struct day_row *x = a, *y = b;

	if (x->due != y->due)
		return x->due < y->due ? -1 : 1;
	return x->id < y->id ? -1 : x->id > y->id;
}

static void day_load(struct ui *ui, struct day_view *dv)
{
	rows_clear(dv);
	dv->today = st_today();
	const struct rule_row *soon = rule_at(RULE_soon_days, REGIME_ANY, dv->today);
	dv->soon = soon ? soon->value : 7;
	/* Only the cases whose next deadline (the index's) is due by then. */
	size_t n = search_index_due(ui->ix, store_user(ui->st), dv->today + dv->soon, NULL, 0);
	uint64_t *ids = malloc((n ? n : 1) * sizeof *ids);
	if (ids)
		n = search_index_due(ui->ix, store_user(ui->st), dv->today + dv->soon, ids, n);
	if (!ids || store_deadlines_of(ui->st, false, ids, n, collect, dv) != M_OK)
		ui_say(ui, true, "%s", ids ? tui_error(ui->st) : _("out of memory"));
	free(ids);
	if (dv->n)
		qsort(dv->row, dv->n, sizeof *dv->row, by_due);
	dv->loaded = true;
}

static int day_height(void)
{
	return LINES - 4; /* title, heading, message, key bar */
}

static void day_draw(void *self, struct ui *ui)
{
	struct day_view *dv = self;
	struct listview_row it = {0};
	char heading[160];

	if (!dv->loaded)
		day_load(ui, dv);
	snprintf(heading, sizeof heading,
	         dv->n ? _("Overdue and due within %ld days, in your caseload")
	               : _("Nothing overdue or due within %ld days in your caseload"),
	         dv->soon);
	ui_attr(ui, C_LABEL, true);
	ui_put_cut(1, 1, heading, COLS - 2);
	ui_attr(ui, C_LABEL, false);
	listview_set(&dv->list, dv->n, day_height());
	while (listview_each(&dv->list, &it)) {
		const struct day_row *r = &dv->row[it.row];
		int y = 2 + it.y, x = 1;
		char iso[11], day[11];
		bool sel = it.row == dv->list.sel;
		if (sel)
			ui_attr(ui, C_SELECTED, true);
		date_iso(r->due, iso);
		x += ui_put(y, x, date_for_people(iso, ui->nb, day), 10) + 1;
		if (!sel)
			ui_attr(ui, r->state == DS_OVERDUE ? C_ERROR : C_LOCKED, true);
		x += ui_put(y, x, r->state == DS_OVERDUE ? _("overdue") : _("soon"), 9) + 1;
		if (!sel)
			ui_attr(ui, r->state == DS_OVERDUE ? C_ERROR : C_LOCKED, false);
		int label_w = COLS >= 80 ? 32 : (COLS - x) / 2;
		ui_put_cut(y, x, deadline_label(r->d, ui->nb), label_w);
		x += label_w + 1;
		if (x < COLS - 1)
			ui_put_cut(y, x, r->name ? r->name : "", COLS - 1 - x);
		if (sel)
			ui_attr(ui, C_SELECTED, false);
	}
	ui_put_more(&dv->list, 2, COLS - 1);
}

static bool day_key(void *self, struct ui *ui, enum request req, wint_t ch, bool fnkey)
{
	struct day_view *dv = self;

	(void)ch;
	(void)fnkey;
	listview_set(&dv->list, dv->n, day_height());
	switch (req) {
	case REQ_OPEN:
		if (dv->n)
			view_case_open(ui, dv->row[dv->list.sel].id);
		return true;
	case REQ_QUIT:
		return false;
	default:
		return listview_request(&dv->list, req) || true;
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

/* The index has each case's next deadline: nothing is read. */
bool day_has_due(struct ui *ui)
{
	long today = st_today();
	const struct rule_row *soon = rule_at(RULE_soon_days, REGIME_ANY, today);

	return search_index_due(ui->ix, store_user(ui->st), today + (soon ? soon->value : 7), NULL,
	                        0) > 0;
}

int view_day_open(struct ui *ui)
{
	struct day_view *dv = calloc(1, sizeof *dv);

	if (!dv)
		return M_UNAVAILABLE;
	listview_init(&dv->list, true, NULL, NULL);
	ui_push(ui, &day_ops, dv);
	return M_OK;
}

static const struct binding day_keys[] = {
    {'\n', false, REQ_OPEN},   {'q', false, REQ_QUIT},      {KEY_PPAGE, true, REQ_PGUP},
    {KEY_NPAGE, true, REQ_PGDN}, {KEY_HOME, true, REQ_TOP},  {KEY_END, true, REQ_BOTTOM},
};
static const enum request day_bar[] = {REQ_HELP, REQ_QUIT, REQ_OPEN, REQ_UP, REQ_DOWN};
static KEYMAP(day_keymap, day_keys, day_bar, &browse_keymap);
static const struct keymap *const day_keymaps[] = {&day_keymap, NULL};

const struct view_ops day_ops = {
    .title = N_("My day"),
    .keymaps = day_keymaps,
    .draw = day_draw,
    .key = day_key,
    .free = day_free,
    .changed = day_changed,
};
