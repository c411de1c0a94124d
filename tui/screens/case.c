/* case.c: one case: its fields by group and a page of its journal. */
#define NCURSES_WIDECHAR 1
#include "tui/ui.h"

#include <curses.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The journal is shown a page at a time, the newest first: a case may have
 * tens of thousands of notes. */
enum { CASE_NOTES_PAGE = 20 };

/* What the case view shows, one row each: rows of several lines (a value
 * or a note wrapped at the screen's width) scroll by lines (listview.c). */
enum row_kind { R_HEAD, R_GROUP, R_FIELD, R_HOUSEHOLD, R_STIPEND, R_LISTS, R_LIST,
                R_LISTS_EMPTY, R_LISTS_LOCKED, R_JOURNAL, R_OLDER, R_NOTES_LOCKED, R_NOTE,
                R_NEWER };
struct case_row {
	enum row_kind kind;
	int at; /* the field, group or note */
	int lines;
};
enum { CASE_ROWS_MAX = 1 + 2 * F_COUNT + 7 + 2 + L_COUNT + KC_COUNT + CASE_NOTES_PAGE };
/* The items of a list the case view shows, the newest (l opens them all). */
enum { CASE_ITEMS_SHOWN = 5 };
/* The others of a household the case view names (h opens one). */
enum { HOUSEHOLD_SHOWN = 9 };

struct case_view {
	struct case_rec c;
	struct note_page pg; /* the notes shown */
	bool notes_locked;
	struct ui *ui;
	struct case_row rows[CASE_ROWS_MAX];
	int laid_out; /* the width the rows were measured at; 0: the case changed */
	unsigned long masked_at; /* ui->privacy_serial the rows were measured at */
	struct listview list;
	bool stale; /* the store changed while another screen was on top */
	size_t members[HOUSEHOLD_SHOWN]; /* the household's others: rows of ui->ix */
	size_t nmembers;
	bool stipend, stipend_ok; /* the finance group's computed rate: shown, computed */
	struct case_stipend sp;
};

static void case_free(void *self)
{
	struct case_view *cv = self;

	note_page_clear(&cv->pg);
	case_clear(&cv->c);
	free(cv);
}

/* Where a row is drawn: its first line at y; only the lines in
 * [top, bottom) are drawn, none when measuring. */
struct pen {
	struct ui *ui;
	int y, top, bottom;
	bool draw;
};

/* Text wrapped at x in width columns from line y on; the lines used. */
static int put_wrapped(const struct pen *p, int y, int x, const char *s, int width,
                       enum ui_color color)
{
	int n = 0;

	for (const char *line = s ? s : ""; line; n++) {
		size_t len;
		int cols;
		const char *next;
		if (p->draw && y + n >= p->bottom)
			break; /* below the page: nothing more to draw */
		next = ui_wrap(line, width, &len, &cols);
		if (p->draw && y + n >= p->top) {
			if (color != C_NORMAL)
				ui_attr(p->ui, color, true);
			ui_put(y + n, x, line, cols);
			if (color != C_NORMAL)
				ui_attr(p->ui, color, false);
		}
		line = next;
	}
	return n;
}

static int label_width(void)
{
	return COLS >= 70 ? 26 : COLS / 3;
}

/* List l of c: 0 empty, 1 with items, 2 locked (of a class not held). */
static int case_list_state(struct ui *ui, const struct case_rec *c, enum list_id l)
{
	if (c->list_locked[l] || !store_can_read(ui->st, list_catalogue[l].cls))
		return 2;
	return case_item_next(c, l, 0) >= 0;
}

/* Row r drawn (or measured) at p->y; returns its lines. */
static int case_row(struct case_view *cv, const struct case_row *r, const struct pen *p)
{
	struct ui *ui = cv->ui;
	int y = p->y, label_w = label_width(), n;
	char text[160];

	switch (r->kind) {
	case R_HEAD:
		snprintf(text, sizeof text, _("Case %llu · version %u"),
		         (unsigned long long)cv->c.id, cv->c.version);
		return put_wrapped(p, y, 1, text, COLS - 2, C_LABEL);
	case R_GROUP: /* a blank line, then the group's name */
		return 1 + put_wrapped(p, y + 1, 1,
		                       field_group_label((enum field_group)r->at, ui->nb), COLS - 2,
		                       C_LABEL);
	case R_FIELD: {
		const struct field_def *d = &field_catalogue[r->at];
		bool readable = d->cls == KC_NONE || store_can_read(ui->st, d->cls);
		/* A label in its column is cut, and says so; values wrap. */
		if (p->draw && y >= p->top && y < p->bottom)
			ui_put_cut(y, 3, field_label((enum field_id)r->at, ui->nb), label_w - 3);
		if (cv->c.locked[r->at] || !readable) {
			/* Locked, never blank: the field may well hold something. */
			snprintf(text, sizeof text, _("[locked: needs the %s key]"),
			         _(keys_class_name(d->cls)));
			return put_wrapped(p, y, label_w + 1, text, COLS - label_w - 2, C_LOCKED);
		}
		return put_wrapped(
		    p, y, label_w + 1,
		    ui_field_text(ui, cv->c.id, (enum field_id)r->at, cv->c.value[r->at]),
		    COLS - label_w - 2, C_NORMAL);
	}
	case R_HOUSEHOLD: {
		char names[HOUSEHOLD_SHOWN * 64 + 64];
		size_t used = 0;
		names[0] = '\0';
		for (size_t i = 0; i < cv->nmembers && used < sizeof names; i++) {
			struct search_row sr;
			search_index_row(ui->ix, cv->members[i], &sr);
			used += (size_t)snprintf(names + used, sizeof names - used, "%s%s (%llu)",
			                         i ? ", " : "", *sr.name ? sr.name : "?",
			                         (unsigned long long)sr.id);
		}
		if (p->draw && y >= p->top && y < p->bottom)
			ui_put_cut(y, 3, _("Also in it"), label_w - 3);
		n = put_wrapped(p, y, label_w + 1, names, COLS - label_w - 2, C_NORMAL);
		return n + put_wrapped(p, y + n, label_w + 1, _("h opens one of them"),
		                       COLS - label_w - 2, C_LOCKED);
	}
	case R_LISTS: /* a blank line, then the heading, with the key */
		return 1 + put_wrapped(p, y + 1, 1,
		                       _("Lists · l opens one: add, edit or remove its items"),
		                       COLS - 2, C_LABEL);
	case R_LISTS_EMPTY:
	case R_LISTS_LOCKED: {
		/* The empty lists (r->at of them) on one line, and the locked ones
		 * of each class (r->at): never blank, and out of the way of the
		 * lists that hold items. */
		char names[L_COUNT * 64 + 96];
		size_t used = 0;
		bool first = true;
		names[0] = '\0';
		for (int l = 0; l < L_COUNT && used < sizeof names; l++) {
			int st = case_list_state(ui, &cv->c, (enum list_id)l);
			if (r->kind == R_LISTS_EMPTY
			        ? st != 0
			        : st != 2 || (int)list_catalogue[l].cls != r->at)
				continue;
			used += (size_t)snprintf(names + used, sizeof names - used, "%s%s",
			                         first ? "" : " · ",
			                         list_label((enum list_id)l, ui->nb));
			first = false;
		}
		/* A case with nothing in its lists yet (most new ones): one line. */
		if (r->kind == R_LISTS_EMPTY && r->at == L_COUNT)
			snprintf(names, sizeof names, "%s", _("in any list"));
		if (r->kind == R_LISTS_LOCKED && used < sizeof names)
			snprintf(names + used, sizeof names - used, _(" (needs the %s key)"),
			         _(keys_class_name((enum key_class)r->at)));
		if (p->draw && y >= p->top && y < p->bottom)
			ui_put_cut(y, 3, r->kind == R_LISTS_EMPTY ? _("No items") : _("Locked"),
			           label_w - 3);
		return put_wrapped(p, y, label_w + 1, names, COLS - label_w - 2,
		                   r->kind == R_LISTS_EMPTY ? C_NORMAL : C_LOCKED);
	}
	case R_LIST: {
		/* A list that has items: each a line. */
		enum list_id l = (enum list_id)r->at;
		char item[512];
		int i = case_item_next(&cv->c, l, 0);
		if (p->draw && y >= p->top && y < p->bottom)
			ui_put_cut(y, 3, list_label(l, ui->nb), label_w - 3);
		/* A long list (a programme's attendance) shows its newest. */
		int count = 0, skip;
		for (int j = i; j >= 0; j = case_item_next(&cv->c, l, j + 1))
			count++;
		skip = count > CASE_ITEMS_SHOWN ? count - CASE_ITEMS_SHOWN : 0;
		n = 0;
		if (skip) {
			snprintf(text, sizeof text, _("%d earlier: l opens the list"), skip);
			n = put_wrapped(p, y, label_w + 1, text, COLS - label_w - 2, C_LOCKED);
		}
		for (int k = 0; i >= 0; i = case_item_next(&cv->c, l, i + 1), k++) {
			if (k < skip)
				continue;
			items_summary(ui, &cv->c, i, item, sizeof item);
			n += put_wrapped(p, y + n, label_w + 1, item, COLS - label_w - 2, C_NORMAL);
		}
		explicit_bzero(item, sizeof item);
		return n;
	}
	case R_JOURNAL:
		return 1 + put_wrapped(p, y + 1, 1, "Journal", COLS - 2, C_LABEL);
	case R_OLDER:
		snprintf(text, sizeof text, _("%u older notes: o shows the page before"),
		         (unsigned)cv->pg.from);
		return put_wrapped(p, y, 3, text, COLS - 4, C_LOCKED);
	case R_NOTES_LOCKED:
		return put_wrapped(p, y, 3, _("[locked: needs the notes key]"), COLS - 4, C_LOCKED);
	case R_NOTE: {
		const struct note *nt = &cv->pg.notes[r->at];
		char when[32];
		snprintf(text, sizeof text, "%s  %s  %s", cli_time(nt->time, true, when),
		         nt->author, tui_note_kind(nt->kind));
		n = put_wrapped(p, y, 3, text, COLS - 4, C_NORMAL);
		return n + put_wrapped(p, y + n, 5, nt->text, COLS - 6, C_NORMAL);
	}
	case R_STIPEND: { /* computed, never typed: shown as such */
		char rate[320];
		if (p->draw && y >= p->top && y < p->bottom)
			ui_put_cut(y, 3, _("Stipend (computed)"), label_w - 3);
		n = put_wrapped(p, y, label_w + 1,
		                tui_stipend_text(&cv->sp, cv->stipend_ok, ui->nb, rate, sizeof rate),
		                COLS - label_w - 2, C_NORMAL);
		explicit_bzero(rate, sizeof rate);
		return n;
	}
	case R_NEWER:
		snprintf(text, sizeof text, _("%u newer notes: End shows the newest"),
		         (unsigned)(cv->pg.total - cv->pg.from - cv->pg.n));
		return put_wrapped(p, y, 3, text, COLS - 4, C_LOCKED);
	}
	return 1;
}

static int case_lines(void *ctx, size_t row)
{
	return ((struct case_view *)ctx)->rows[row].lines;
}

static int case_height(void)
{
	return LINES - 3; /* title, message, key bar */
}

static size_t add_row(struct case_view *cv, size_t n, enum row_kind kind, int at)
{
	if (n < CASE_ROWS_MAX)
		cv->rows[n++] = (struct case_row){kind, at, 1};
	return n;
}

/* The stipend's row closes the finance group, heading it when no finance
 * field is shown, before the group `next` (GROUP_COUNT: the end). */
static size_t add_stipend(struct case_view *cv, size_t n, int *group, int next, bool *pending)
{
	if (!*pending || next <= GROUP_FINANCE || *group > GROUP_FINANCE)
		return n;
	/* Why it is not computed matters beside the finance fields, not alone. */
	if (!cv->stipend_ok && *group != GROUP_FINANCE)
		return n;
	if (*group != GROUP_FINANCE)
		n = add_row(cv, n, R_GROUP, GROUP_FINANCE);
	*group = GROUP_FINANCE;
	*pending = false;
	return add_row(cv, n, R_STIPEND, 0);
}

/* The rows of the case as it is now, measured at the screen's width: after
 * every load and before every key and frame (a resize rewraps them). */
static void case_layout(struct ui *ui, struct case_view *cv)
{
	struct pen measure = {ui, 0, 0, 0, false};
	size_t n = 0;
	int group = -1;
	bool household = false, stipend;

	/* Measuring wraps every note of the page (up to NOTE_PAGE_BYTES):
	 * only when the case or the width changed. */
	if (cv->laid_out == COLS && cv->masked_at == ui->privacy_serial) {
		listview_set(&cv->list, cv->list.n, case_height());
		return;
	}
	cv->laid_out = COLS;
	cv->masked_at = ui->privacy_serial; /* a value revealed may take more lines */
	cv->nmembers = ui->ix ? search_household(ui->ix, cv->c.id, cv->members, HOUSEHOLD_SHOWN) : 0;
	cv->stipend = tui_stipend(ui->st, &cv->c, &cv->sp, &cv->stipend_ok);
	stipend = cv->stipend;
	n = add_row(cv, n, R_HEAD, 0);
	for (int f = 0; f < F_COUNT; f++) {
		const struct field_def *d = &field_catalogue[f];
		bool readable = d->cls == KC_NONE || store_can_read(ui->st, d->cls);
		if (!cv->c.value[f] && !cv->c.locked[f] && readable &&
		    !ui_mask_empty(ui, (enum field_id)f))
			continue; /* empty fields, and groups of them, stay out of the way */
		if ((int)d->group != group) {
			/* The household's others after its fields. */
			if (group == GROUP_HOUSEHOLD && household)
				n = add_row(cv, n, R_HOUSEHOLD, 0);
			n = add_stipend(cv, n, &group, (int)d->group, &stipend);
			group = (int)d->group;
			n = add_row(cv, n, R_GROUP, group);
		}
		n = add_row(cv, n, R_FIELD, f);
		household |= f == F_household_id && cv->nmembers;
	}
	if (group == GROUP_HOUSEHOLD && household)
		n = add_row(cv, n, R_HOUSEHOLD, 0);
	n = add_stipend(cv, n, &group, GROUP_COUNT, &stipend);
	n = add_row(cv, n, R_LISTS, 0);
	int empty = 0;
	bool locked[KC_COUNT] = {false};
	for (int l = 0; l < L_COUNT; l++) {
		int st = case_list_state(ui, &cv->c, (enum list_id)l);
		if (st == 1)
			n = add_row(cv, n, R_LIST, l);
		empty += st == 0;
		if (st == 2)
			locked[list_catalogue[l].cls] = true;
	}
	if (empty)
		n = add_row(cv, n, R_LISTS_EMPTY, empty);
	for (int k = 0; k < KC_COUNT; k++)
		if (locked[k])
			n = add_row(cv, n, R_LISTS_LOCKED, k);
	n = add_row(cv, n, R_JOURNAL, 0);
	if (cv->pg.from > 0)
		n = add_row(cv, n, R_OLDER, 0);
	if (cv->notes_locked)
		n = add_row(cv, n, R_NOTES_LOCKED, 0);
	for (size_t i = 0; i < cv->pg.n; i++)
		n = add_row(cv, n, R_NOTE, (int)i);
	if (cv->pg.from + cv->pg.n < cv->pg.total)
		n = add_row(cv, n, R_NEWER, 0);
	for (size_t i = 0; i < n; i++)
		cv->rows[i].lines = case_row(cv, &cv->rows[i], &measure);
	listview_set(&cv->list, n, case_height());
}

static void case_follow(struct ui *ui, struct case_view *cv);

static void case_draw(void *self, struct ui *ui)
{
	struct case_view *cv = self;
	struct listview_row it = {0};

	if (cv->stale) { /* back on top after a form, a note or help */
		cv->stale = false;
		case_follow(ui, cv);
	}
	case_layout(ui, cv);
	while (listview_each(&cv->list, &it)) {
		struct pen p = {ui, 1 + it.y, 1, 1 + cv->list.height, true};
		case_row(cv, &cv->rows[it.row], &p);
	}
	ui_put_more(&cv->list, 1, COLS - 1);
}

/* The page that ends just before note `end`. A page of long notes holds
 * fewer (store_notes_read stops at NOTE_PAGE_BYTES): then start later, so
 * that paging back never skips a note. */
static int read_ending_at(struct ui *ui, struct case_view *cv, uint32_t end)
{
	uint32_t from = end > CASE_NOTES_PAGE ? end - CASE_NOTES_PAGE : 0;

	cv->laid_out = 0;
	for (;;) {
		int rc = store_notes_read(ui->st, cv->c.id, from, end - from, &cv->pg);
		if (rc || cv->pg.n == 0 || cv->pg.from + cv->pg.n >= end)
			return rc;
		from += end - (cv->pg.from + (uint32_t)cv->pg.n);
	}
}

static int case_load(struct ui *ui, struct case_view *cv, uint64_t id)
{
	int rc;

	case_clear(&cv->c);
	cv->pg.n = 0;
	cv->laid_out = 0;
	if ((rc = store_case_get(ui->st, id, &cv->c)))
		return rc;
	cv->notes_locked = !store_can_read(ui->st, KC_NOTES);
	if (!cv->notes_locked)
		rc = read_ending_at(ui, cv, cv->c.notes); /* the newest page */
	return rc;
}

/* Show the page that ends before note `end`, scrolled to the journal's
 * heading. */
static void case_page(struct ui *ui, struct case_view *cv, uint32_t end)
{
	if (read_ending_at(ui, cv, end) != M_OK) {
		ui_say(ui, true, "%s", tui_error(ui->st));
		return;
	}
	case_layout(ui, cv);
	for (size_t i = 0; i < cv->list.n; i++)
		if (cv->rows[i].kind == R_JOURNAL)
			listview_show(&cv->list, i, 1);
}

/* Open another member of the household: the one there is, or a menu. */
static void case_household(struct ui *ui, struct case_view *cv)
{
	const char *items[HOUSEHOLD_SHOWN];
	struct search_row sr[HOUSEHOLD_SHOWN];
	int pick = 0;

	if (!cv->nmembers) {
		ui_say(ui, false, "%s", _("No one else is registered in this household"));
		return;
	}
	for (size_t i = 0; i < cv->nmembers; i++) {
		search_index_row(ui->ix, cv->members[i], &sr[i]);
		items[i] = *sr[i].name ? sr[i].name : "?";
	}
	if (cv->nmembers > 1 &&
	    (pick = ui_menu(ui, _("Household"), items, (int)cv->nmembers, 0)) < 0)
		return;
	view_case_open(ui, sr[pick].id);
}

/* Open one of the case's lists: a menu of them, with how many items. */
static void case_lists(struct ui *ui, struct case_view *cv)
{
	char labels[L_COUNT][128];
	const char *items[L_COUNT];
	int pick;

	for (int l = 0; l < L_COUNT; l++) {
		int k = 0;
		for (int i = case_item_next(&cv->c, (enum list_id)l, 0); i >= 0;
		     i = case_item_next(&cv->c, (enum list_id)l, i + 1))
			k++;
		if (cv->c.list_locked[l] || !store_can_read(ui->st, list_catalogue[l].cls))
			snprintf(labels[l], sizeof labels[l], _("%s (locked)"),
			         list_label((enum list_id)l, ui->nb));
		else
			snprintf(labels[l], sizeof labels[l], "%s (%d)", list_label((enum list_id)l, ui->nb),
			         k);
		items[l] = labels[l];
	}
	if ((pick = ui_menu(ui, _("Lists"), items, L_COUNT, 0)) >= 0)
		view_items_open(ui, cv->c.id, (enum list_id)pick);
}

/* Privacy mode: one of the case's masked values shown, chosen from a menu
 * when it has several; scrolled into sight if it is not. */
static void case_reveal(struct ui *ui, struct case_view *cv)
{
	const char *items[F_COUNT];
	enum field_id which[F_COUNT];
	int n = 0, pick = 0;
	struct listview_row it = {0};

	if (!ui->privacy) {
		ui_say(ui, false, "%s",
		       _("Privacy mode is off: nothing is masked (P turns it on)"));
		return;
	}
	for (int f = 0; f < F_COUNT; f++)
		if (((cv->c.value[f] && *cv->c.value[f]) || ui_mask_empty(ui, (enum field_id)f)) &&
		    !cv->c.locked[f] && store_can_read(ui->st, field_catalogue[f].cls) &&
		    ui_masked(ui, cv->c.id, (enum field_id)f)) {
			which[n] = (enum field_id)f;
			items[n++] = field_label((enum field_id)f, ui->nb);
		}
	if (n == 0) {
		ui_say(ui, false, "%s", _("Nothing is masked in this case"));
		return;
	}
	if (n > 1 && (pick = ui_menu(ui, _("Reveal"), items, n, 0)) < 0)
		return;
	if (ui_reveal_field(ui, cv->c.id, which[pick]) != M_OK)
		return;
	case_layout(ui, cv);
	for (size_t i = 0; i < cv->list.n; i++) {
		if (cv->rows[i].kind != R_FIELD || cv->rows[i].at != (int)which[pick])
			continue;
		while (listview_each(&cv->list, &it))
			if (it.row == i && it.y >= 0 && it.y + it.lines <= cv->list.height)
				return; /* in sight */
		listview_show(&cv->list, i, 0);
		return;
	}
}

static bool case_key(void *self, struct ui *ui, enum request req, wint_t ch, bool fnkey)
{
	struct case_view *cv = self;

	(void)ch;
	(void)fnkey;
	case_layout(ui, cv);
	if (listview_request(&cv->list, req)) {
		ui_reveal_clear(ui); /* moved on: masked again */
		return true;
	}
	switch (req) {
	case REQ_REVEAL:
		case_reveal(ui, cv);
		return true;
	case REQ_QUIT:
	case REQ_CANCEL:
		return false;
	case REQ_OLDER:
		if (cv->pg.from > 0)
			case_page(ui, cv, cv->pg.from);
		return true;
	case REQ_NEWER:
		/* From an older page: the newest notes, counted anew (a colleague
		 * may have added some), at the journal's heading as o shows a page.
		 * On the newest page: its end, the newest note's last line. */
		if (!cv->notes_locked && cv->pg.from + cv->pg.n < cv->pg.total) {
			cv->laid_out = 0; /* the page read changes */
			if (store_notes_read(ui->st, cv->c.id, UINT32_MAX, 1, &cv->pg) == M_OK)
				case_page(ui, cv, cv->pg.total);
		} else {
			listview_request(&cv->list, REQ_BOTTOM);
		}
		return true;
	case REQ_EDIT:
		view_form_open(ui, &cv->c);
		return true;
	case REQ_FAMILY:
		view_form_family(ui, &cv->c);
		return true;
	case REQ_HOUSEHOLD:
		case_household(ui, cv);
		return true;
	case REQ_LISTS:
		case_lists(ui, cv);
		return true;
	case REQ_NOTE:
		if (cv->notes_locked)
			ui_say(ui, true, "%s", _("Notes need the notes key"));
		else
			view_note_open(ui, cv->c.id);
		return true;
	default:
		return true;
	}
}

int view_case_open(struct ui *ui, uint64_t id)
{
	return view_case_open_as(ui, id, AUDIT_OPEN);
}

const char *ui_case_purpose(const struct ui *ui, uint64_t id)
{
	for (size_t i = 0; i < ui->npicked; i++)
		if (ui->picked[i].id == id)
			return outside_purpose_stored((enum outside_purpose)ui->picked[i].purpose);
	return NULL;
}

uint64_t view_case_below(const struct ui *ui)
{
	for (int d = ui->depth - 1; d >= 0; d--)
		if (ui->stack[d].ops == &case_ops)
			return ((const struct case_view *)ui->stack[d].self)->c.id;
	return 0;
}

/* Why the user opens case c, when it is outside their caseload and their
 * role must say (outside_purpose_asked): once a case a session, then
 * remembered. Into purpose; false when they gave none (Esc). */
static bool case_purpose(struct ui *ui, const struct case_rec *c, char *purpose, size_t cap)
{
	const char *items[OP_COUNT], *had;
	const char *cw = case_get(c, F_caseworker);
	int pick;

	if (!outside_purpose_asked(ui->st, cw ? cw : ""))
		return true;
	if ((had = ui_case_purpose(ui, c->id))) {
		snprintf(purpose, cap, "%s", had);
		return true;
	}
	for (int i = 0; i < OP_COUNT; i++)
		items[i] = outside_purpose_label((enum outside_purpose)i);
	pick = ui_menu(ui, _("Not in your caseload: why open this case?"), items, OP_COUNT, 0);
	if (pick < 0)
		return false;
	struct ui_picked *grown = realloc(ui->picked, (ui->npicked + 1) * sizeof *grown);
	if (grown) { /* without room, asked again next time */
		ui->picked = grown;
		ui->picked[ui->npicked++] = (struct ui_picked){c->id, pick};
	}
	snprintf(purpose, cap, "%s", outside_purpose_stored((enum outside_purpose)pick));
	return true;
}

int view_case_open_as(struct ui *ui, uint64_t id, enum audit_action how)
{
	struct case_view *cv = calloc(1, sizeof *cv);
	char purpose[64];
	int rc;

	if (!cv)
		return M_UNAVAILABLE;
	case_init(&cv->c);
	note_page_init(&cv->pg);
	cv->ui = ui;
	listview_init(&cv->list, false, case_lines, cv);
	/* The purpose: the screen it was opened from. */
	snprintf(purpose, sizeof purpose, "screen: %s",
	         ui->depth ? ui->stack[ui->depth - 1].ops->title : "start");
	rc = case_load(ui, cv, id);
	if (rc == M_OK && !case_purpose(ui, &cv->c, purpose, sizeof purpose)) {
		ui_say(ui, false, "%s", _("Not opened: a case outside your caseload needs a purpose"));
		case_free(cv);
		return UI_CANCELLED;
	}
	/* Not shown without its entry in the audit log. */
	if (rc == M_OK)
		rc = store_audit(ui->st, &(struct audit_event){.action = how,
		                                               .case_id = id,
		                                               .classes = store_readable(ui->st),
		                                               .purpose = purpose});
	if (rc) {
		ui_say(ui, true, "%s", tui_error(ui->st));
		case_free(cv);
		return rc;
	}
	ui_push(ui, &case_ops, cv);
	return M_OK;
}

/* The case scrolled to the heading of field f's group (My day: where
 * what is due is entered); at the top when the group shows nothing. */
int view_case_open_at(struct ui *ui, uint64_t id, enum field_id f)
{
	int rc = view_case_open(ui, id);
	struct case_view *cv;

	if (rc || (unsigned)f >= F_COUNT || ui->stack[ui->depth - 1].ops != &case_ops)
		return rc; /* not opened, or no room for it */
	cv = ui->stack[ui->depth - 1].self;
	case_layout(ui, cv);
	for (size_t i = 0; i < cv->list.n; i++)
		if (cv->rows[i].kind == R_GROUP && cv->rows[i].at == (int)field_catalogue[f].group) {
			listview_show(&cv->list, i, 1); /* past its blank line */
			break;
		}
	return M_OK;
}

struct case_rec *view_case_current(struct ui *ui)
{
	if (ui->depth && ui->stack[ui->depth - 1].ops == &case_ops)
		return &((struct case_view *)ui->stack[ui->depth - 1].self)->c;
	return NULL;
}

/* A colleague may have saved this case or added a note: read it again if
 * the version or the journal moved, scrolled where it was. */
static void case_follow(struct ui *ui, struct case_view *cv)
{
	struct case_rec now;
	bool moved;

	case_init(&now);
	if (store_case_get(ui->st, cv->c.id, &now) != M_OK) {
		ui_say(ui, true, "%s", tui_error(ui->st));
		case_clear(&now);
		return;
	}
	moved = now.version != cv->c.version || now.notes != cv->c.notes;
	case_clear(&now);
	if (!moved)
		return;
	/* The list keeps its place; the next layout fits it to the rows. */
	if (case_load(ui, cv, cv->c.id) != M_OK)
		ui_say(ui, true, "%s", tui_error(ui->st));
}

/* Reload the case, if it is this one. Id 0 (the live catch-up): only when
 * this screen is on top. A form or the conflict dialog above holds a
 * pointer to cv->c, what the edit started from and what "theirs" is
 * compared against: it must not change under them. Looked at again when
 * this screen is back on top (case_draw). */
static void case_changed(void *self, struct ui *ui, uint64_t id)
{
	struct case_view *cv = self;

	if (id == 0) {
		if (ui->depth && ui->stack[ui->depth - 1].self == cv)
			case_follow(ui, cv);
		else
			cv->stale = true;
		return;
	}
	if (cv->c.id == id && case_load(ui, cv, id) != M_OK)
		ui_say(ui, true, "%s", tui_error(ui->st));
}

static const struct binding case_keys[] = {
    {'e', false, REQ_EDIT},      {'n', false, REQ_NOTE},    {KEY_PPAGE, true, REQ_PGUP},
    {KEY_NPAGE, true, REQ_PGDN}, {KEY_HOME, true, REQ_TOP}, {KEY_END, true, REQ_NEWER},
    {'o', false, REQ_OLDER},     {'f', false, REQ_FAMILY},  {'h', false, REQ_HOUSEHOLD},
    {'l', false, REQ_LISTS},     {'r', false, REQ_REVEAL},
};
static const enum request case_bar[] = {REQ_HELP, REQ_QUIT,   REQ_PRIVACY, REQ_REVEAL, REQ_EDIT,
                                        REQ_NOTE, REQ_FAMILY, REQ_UP,      REQ_DOWN};
static KEYMAP(case_keymap, case_keys, case_bar, &browse_keymap);
static const struct keymap *const case_keymaps[] = {&case_keymap, NULL};

const struct view_ops case_ops = {
    .title = N_("Case"),
    .keymaps = case_keymaps,
    .draw = case_draw,
    .key = case_key,
    .free = case_free,
    .changed = case_changed,
};
