/* list.c: the case list: every case, or a search's hits, through the status
 * and caseload filters; a virtual list, only the rows on screen are drawn. */
#define NCURSES_WIDECHAR 1
#include "tui/ui.h"

#include <curses.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { QUERY_MAX = 256 };

struct list_view {
	size_t *rows; /* index rows shown, in order: a virtual list */
	size_t n;
	/* While a search is on: how each index row matched (enum
	 * search_match; 0 for none), for the mark before its name. */
	unsigned char *match;
	size_t nmatch;
	struct listview list; /* over rows[0, n), with the cursor */
	bool searching;
	char *query; /* secure memory: a search is personal data */
	size_t qlen;
	int status; /* -1: every status */
	bool mine;
	bool by_next; /* soonest next deadline first */
	uint64_t sel_id;      /* the case under the cursor as last drawn */
	unsigned long serial; /* ui->index_serial the rows were computed at */
};

static void list_free(void *self)
{
	struct list_view *lv = self;

	keys_secure_free(lv->query);
	free(lv->rows);
	free(lv->match);
	free(lv);
}

static bool row_passes(struct ui *ui, const struct list_view *lv, size_t row)
{
	struct search_row r;

	search_index_row(ui->ix, row, &r);
	if (lv->status >= 0 &&
	    strcmp(r.status, field_catalogue[F_status].choice[lv->status].id) != 0)
		return false;
	if (lv->mine && strcmp(r.caseworker, store_user(ui->st)) != 0)
		return false;
	return true;
}

static uint64_t row_id(struct ui *ui, size_t row)
{
	struct search_row r;

	search_index_row(ui->ix, row, &r);
	return r.id;
}

static int list_height(void)
{
	return LINES - 5; /* title, column header, message, key bar, query line */
}

struct by_due {
	long due; /* LONG_MAX: none */
	size_t row;
};

static int by_due_cmp(const void *a, const void *b)
{
	const struct by_due *x = a, *y = b;

	if (x->due != y->due)
		return x->due < y->due ? -1 : 1;
	return (x->row > y->row) - (x->row < y->row); /* rows are in id order */
}

/* The rows shown, soonest next deadline first, cases with none last: every
 * case's next deadline is computed for it (once; about 0.3 s of 20 000). */
static void sort_by_next(struct ui *ui, struct list_view *lv)
{
	struct by_due *k = malloc((lv->n ? lv->n : 1) * sizeof *k);

	if (!k)
		return;
	if (search_index_next(ui->st, ui->ix, lv->rows, lv->n) != M_OK)
		ui_say(ui, true, "%s", tui_error(ui->st));
	for (size_t i = 0; i < lv->n; i++) {
		struct search_row r;
		search_index_row(ui->ix, lv->rows[i], &r);
		k[i] = (struct by_due){r.has_next ? r.next.due : LONG_MAX, lv->rows[i]};
	}
	qsort(k, lv->n, sizeof *k, by_due_cmp);
	for (size_t i = 0; i < lv->n; i++)
		lv->rows[i] = k[i].row;
	free(k);
}

/* Recompute which rows show: every case, or the search results best first,
 * through the status and caseload filters. */
static void list_refilter(struct ui *ui, struct list_view *lv)
{
	size_t total = search_index_size(ui->ix);

	if (ui->reveal.kind == REVEAL_ROW && ui->reveal.view == lv)
		ui_reveal_clear(ui); /* the rows move: the cursor with them */

	lv->serial = ui->index_serial;
	free(lv->rows);
	free(lv->match);
	lv->match = NULL;
	lv->nmatch = 0;
	lv->rows = calloc(total ? total : 1, sizeof *lv->rows);
	lv->n = 0;
	if (!lv->rows)
		return;
	if (lv->qlen) {
		struct search_hit *hits = NULL;
		size_t n = 0;
		if (search_run(ui->st, ui->ix, lv->query, lv->qlen, &hits, &n) != M_OK)
			ui_say(ui, true, "%s", tui_error(ui->st));
		/* By index row: the rows may be sorted by deadline after. */
		lv->match = calloc(total ? total : 1, 1);
		lv->nmatch = lv->match ? total : 0;
		for (size_t i = 0; i < n; i++) {
			long row = search_index_find(ui->ix, hits[i].id);
			if (row >= 0 && row_passes(ui, lv, (size_t)row)) {
				lv->rows[lv->n++] = (size_t)row;
				if (lv->match)
					lv->match[row] = (unsigned char)hits[i].match;
			}
		}
		free(hits);
	} else {
		for (size_t i = 0; i < total; i++)
			if (row_passes(ui, lv, i))
				lv->rows[lv->n++] = i;
	}
	if (lv->by_next)
		sort_by_next(ui, lv);
	listview_set(&lv->list, lv->n, list_height());
}

/* The rows are the search index's: the changed case's name and status are
 * read again. The row stays where it is until the list is filtered again.
 * Id 0: the live catch-up synced the index, whose rows may have moved:
 * filtered again (the search too), the cursor kept on its case. */
static void list_changed(void *self, struct ui *ui, uint64_t id)
{
	struct list_view *lv = self;

	if (id) {
		bool known = search_index_find(ui->ix, id) >= 0;
		search_index_refresh(ui->st, ui->ix, id);
		if (!known)
			list_refilter(ui, lv); /* a case registered here: a new row */
		return;
	}
	if (lv->serial == ui->index_serial)
		return;
	size_t off = lv->list.sel - lv->list.top; /* the cursor's line on screen */
	list_refilter(ui, lv);
	for (size_t i = 0; lv->sel_id && i < lv->n; i++)
		if (row_id(ui, lv->rows[i]) == lv->sel_id) {
			lv->list.sel = i;
			break;
		}
	/* The cursor's line on screen stays where it was. */
	lv->list.top = lv->list.sel >= off ? lv->list.sel - off : 0;
	listview_set(&lv->list, lv->n, list_height());
}

/* More of the list read: the rows again (the search too), the cursor kept
 * on its case, as after a catch-up. */
static void list_grew(void *self, struct ui *ui)
{
	list_changed(self, ui, 0);
}

/* A search hit's mark before its name: none for an exact match, "~" for a
 * close one (another spelling), "?" for a loose one (a typo, part of a
 * name); characters, so that they read apart without colour too. With
 * the blank after it, MARK_W columns. */
enum { MARK_W = 2 };

static const char *match_mark(unsigned char m)
{
	return m == SEARCH_CLOSE ? "~" : m == SEARCH_LOOSE ? "?" : " ";
}

/* The next deadline's column: "!14.12 decision", the mark when overdue (a
 * colour too, but the mark reads without one); the year only when it is not
 * this year's. Its width with the blank before the next column. */
enum { NEXT_W = 19, NAME_MIN = 20 };

static const char *next_short(enum deadline_id d)
{
	static const char *const shortname[DL_COUNT] = {
	    [DL_tb_screening] = N_("TB"),
	    [DL_health_check] = N_("health"),
	    [DL_mapping] = N_("mapping"),
	    [DL_programme_decision] = N_("decision"),
	    [DL_eligibility_lapse] = N_("right lapses"),
	    [DL_plan_contract] = N_("plan"),
	    [DL_plan_review] = N_("plan review"),
	    [DL_extension_assessment] = N_("extension"),
	    [DL_norwegian_completion] = N_("Norwegian"),
	    [DL_nir_registration] = N_("NIR"),
	    [DL_stop_expiry] = N_("stop ends"),
	    [DL_end_record] = N_("end to NIR"),
	};
	return (unsigned)d < DL_COUNT && shortname[d] ? _(shortname[d]) : "?";
}

static void next_text(struct ui *ui, const struct deadline *d, long today, char *out, size_t cap)
{
	char iso[11], t[11];

	date_iso(d->due, iso);
	date_iso(today, t);
	if (ui->nb)
		/* DD.MM, or DD.MM.YY in another year */
		snprintf(t, sizeof t, "%.2s.%.2s%s%.2s", iso + 8, iso + 5,
		         memcmp(iso, t, 4) ? "." : "", memcmp(iso, t, 4) ? iso + 2 : "");
	else if (memcmp(iso, t, 4) == 0)
		snprintf(t, sizeof t, "%.5s", iso + 5); /* MM-DD */
	else
		snprintf(t, sizeof t, "%s", iso);
	snprintf(out, cap, "%s%s %s", d->due < today ? "!" : " ", t, next_short(d->id));
}

static void list_draw(void *self, struct ui *ui)
{
	struct list_view *lv = self;
	struct listview_row it = {0};
	/* The deadline's column goes first when the terminal is narrow. */
	bool next_col = COLS - 2 - 11 - 13 - 11 - NEXT_W >= NAME_MIN;
	int name_w = COLS - 2 - 11 - 13 - 11 - (next_col ? NEXT_W : 0);
	int next_x = COLS - 1 - NEXT_W;
	/* While a search is on, its marks take a narrow column of the name's. */
	int mark_w = lv->qlen && lv->match ? MARK_W : 0;
	long today = st_today();
	char head[256];

	if (name_w < 10)
		name_w = COLS - 2 - 11;
	listview_set(&lv->list, lv->n, list_height()); /* a resize */
	lv->sel_id = lv->n ? row_id(ui, lv->rows[lv->list.sel]) : 0;
	/* Other caseloads' next deadlines are computed as they come in sight
	 * (the user's own at login): a screenful of cases read, once. */
	if (next_col && lv->list.top < lv->n) {
		size_t shown = lv->n - lv->list.top;
		if (lv->list.height > 0 && shown > (size_t)lv->list.height)
			shown = (size_t)lv->list.height;
		if (search_index_next(ui->st, ui->ix, lv->rows + lv->list.top, shown) != M_OK)
			ui_say(ui, true, "%s", tui_error(ui->st));
	}

	ui_attr(ui, C_LABEL, true);
	ui_put_pad(1, 1, "", mark_w);
	ui_put_pad(1, 1 + mark_w, _("Name"), name_w - mark_w);
	if (name_w < COLS - 2 - 11 - 13 - 11 + 1) {
		ui_put_pad(1, 1 + name_w, _("Born"), 11);
		ui_put_pad(1, 1 + name_w + 11, "Status", 13);
		ui_put_pad(1, 1 + name_w + 24, _("Worker"), 11);
		if (next_col)
			ui_put_pad(1, next_x + 1, _("Next deadline"), NEXT_W - 1);
	}
	ui_attr(ui, C_LABEL, false);

	/* Only the rows on screen are drawn, however many cases there are. */
	while (listview_each(&lv->list, &it)) {
		struct search_row r;
		int y = 2 + it.y;
		bool sel = it.row == lv->list.sel;
		search_index_row(ui->ix, lv->rows[it.row], &r);
		if (sel)
			ui_attr(ui, C_SELECTED, true);
		/* The row's spaces first (the selection's colour), then each value
		 * in its column, a blank before the next; what is cut ends in …. */
		ui_put_pad(y, 0, "", COLS);
		if (mark_w && lv->rows[it.row] < lv->nmatch)
			ui_put_cut(y, 1, match_mark(lv->match[lv->rows[it.row]]), mark_w - 1);
		ui_put_cut(y, 1 + mark_w, r.name[0] ? r.name : _("[locked]"), name_w - 1 - mark_w);
		if (name_w < COLS - 2 - 11 - 13 - 11 + 1) {
			ui_put_cut(y, 1 + name_w, ui_value_label(ui, F_birth_date, r.birth_date), 10);
			ui_put_cut(y, 1 + name_w + 11, ui_value_label(ui, F_status, r.status), 12);
			ui_put_cut(y, 1 + name_w + 24, r.caseworker, next_col ? 10 : 11);
		}
		if (next_col && name_w < COLS - 2 - 11 && r.has_next) {
			char t[64];
			bool late = r.next.due < today;
			next_text(ui, &r.next, today, t, sizeof t);
			/* A TB examination due is health: the mark alone tells too. */
			if (ui_deadline_masked(ui, r.id, r.next.id)) {
				snprintf(t, sizeof t, " %s", ui_mask());
				late = false;
			}
			if (late && !sel)
				ui_attr(ui, C_ERROR, true);
			ui_put_cut(y, next_x, t, NEXT_W);
			if (late && !sel)
				ui_attr(ui, C_ERROR, false);
		}
		if (sel)
			ui_attr(ui, C_SELECTED, false);
	}
	if (lv->n == 0)
		ui_put(3, 2, _("No cases"), COLS - 4);

	/* The query line. */
	snprintf(head, sizeof head, "%s%s", lv->searching || lv->qlen ? "/" : "",
	         lv->mine ? _("  [my cases]") : "");
	move(LINES - 3, 0);
	clrtoeol();
	char count[128];
	size_t have = search_index_size(ui->ix);
	if (search_index_complete(ui->ix)) {
		snprintf(count, sizeof count, "%zu/%zu", lv->n, have);
	} else {
		/* Still loading (ui_load_more): a search found only among the
		 * cases read so far says so. */
		size_t all = search_index_expected(ui->ix);
		unsigned pct = all ? (unsigned)(100.0 * (double)have / (double)all) : 0;
		if (lv->qlen)
			snprintf(count, sizeof count, _("%zu/%zu (partial: %u%% of the list read)"),
			         lv->n, have, pct);
		else
			snprintf(count, sizeof count, _("%zu/%zu (loading the list: %u%%)"), lv->n,
			         have, pct);
	}
	int cw = ui_text_width(count);
	if (lv->searching || lv->qlen) {
		int x = ui_put(LINES - 3, 1, _("Search: "), COLS - 2) + 1;
		int room = COLS - x - cw - 2;
		x += ui_put(LINES - 3, x, lv->query, room > 14 ? room : 14);
		if (lv->searching)
			ui_cursor(ui, LINES - 3, x);
	}
	ui_put(LINES - 3, COLS - cw - 1, count, cw);
	/* The marks' legend before the count, where the query leaves room. */
	if (mark_w) {
		const char *legend = _("~ close  ? loose");
		int lw = ui_text_width(legend);
		int qx = 1 + ui_text_width(_("Search: ")) + 1 + ui_text_width(lv->query);
		if (COLS - cw - 1 - 3 - lw > qx + 2)
			ui_put(LINES - 3, COLS - cw - 1 - 3 - lw, legend, lw);
	}
}

/* Remove the last character (and any combining marks before it). */
static void query_backspace(struct list_view *lv)
{
	while (lv->qlen) {
		unsigned char c = (unsigned char)lv->query[--lv->qlen];
		lv->query[lv->qlen] = 0;
		if ((c & 0xc0) != 0x80)
			break;
	}
}

static bool list_key(void *self, struct ui *ui, enum request req, wint_t ch, bool fnkey)
{
	struct list_view *lv = self;

	if (lv->searching) {
		if (req == REQ_OPEN || req == REQ_RESULTS) {
			lv->searching = false;
			if (req == REQ_OPEN && lv->n)
				view_case_open_as(ui, row_id(ui, lv->rows[lv->list.sel]),
				                  AUDIT_SEARCH_OPEN);
			return true;
		}
		if (req == REQ_CLEAR) {
			lv->searching = false;
			keys_wipe(lv->query, QUERY_MAX);
			lv->qlen = 0;
			list_refilter(ui, lv);
			return true;
		}
		if (req == REQ_ED_BACKSPACE) {
			query_backspace(lv);
			lv->list.sel = 0;
			list_refilter(ui, lv);
			return true;
		}
		if (req == REQ_NONE && !fnkey && ch >= 0x20 && ch != 0x7f) {
			char mb[MB_LEN_MAX];
			mbstate_t ps;
			size_t n;
			memset(&ps, 0, sizeof ps);
			n = wcrtomb(mb, (wchar_t)ch, &ps);
			if (n != (size_t)-1 && lv->qlen + n < QUERY_MAX) {
				memcpy(lv->query + lv->qlen, mb, n);
				lv->qlen += n;
				lv->query[lv->qlen] = 0;
				lv->list.sel = 0;
				list_refilter(ui, lv);
			}
		}
		return true;
	}

	if (listview_request(&lv->list, req)) {
		ui_reveal_clear(ui); /* moved on: masked again */
		return true;
	}
	switch (req) {
	case REQ_REVEAL: {
		struct search_row r;
		if (!ui->privacy) {
			ui_say(ui, false, "%s",
			       _("Privacy mode is off: nothing is masked (P turns it on)"));
			return true;
		}
		if (lv->n)
			search_index_row(ui->ix, lv->rows[lv->list.sel], &r);
		if (!lv->n || !r.has_next || !ui_deadline_masked(ui, r.id, r.next.id))
			ui_say(ui, false, "%s", _("Nothing is masked in this row"));
		else
			ui_reveal_row(ui, r.id, r.next.id);
		return true;
	}
	case REQ_EXIT:
	case REQ_QUIT:
	case REQ_CANCEL:
		if (lv->qlen) { /* Esc first clears a search, then leaves */
			keys_wipe(lv->query, QUERY_MAX);
			lv->qlen = 0;
			list_refilter(ui, lv);
			return true;
		}
		return false;
	case REQ_SEARCH:
		lv->searching = true;
		return true;
	case REQ_OPEN:
		/* Rows a query picked are search results. */
		if (lv->n)
			view_case_open_as(ui, row_id(ui, lv->rows[lv->list.sel]),
			                  lv->qlen ? AUDIT_SEARCH_OPEN : AUDIT_OPEN);
		return true;
	case REQ_STATUS: {
		/* A menu of statuses.def's in the lifecycle's order, "every
		 * status" first. */
		const char *items[STATUS_COUNT + 1];
		int n = 0, pick;
		items[n++] = _("Every status");
		for (int r = 0; r < STATUS_COUNT; r++)
			items[n++] = field_choice_label(F_status, status_by_rank(r), ui->nb);
		pick = ui_menu(ui, field_label(F_status, ui->nb), items, n,
		               lv->status < 0 ? 0 : status_rank(lv->status) + 1);
		if (pick < 0)
			return true;
		lv->status = pick ? status_by_rank(pick - 1) : -1;
		list_refilter(ui, lv);
		return true;
	}
	case REQ_SORT:
		lv->by_next = !lv->by_next;
		lv->list.sel = lv->list.top = 0;
		list_refilter(ui, lv);
		return true;
	case REQ_KEYS:
		view_keys_open(ui);
		return true;
	case REQ_DAY:
		view_day_open(ui);
		return true;
	case REQ_DASHBOARD:
		view_dashboard_open(ui);
		return true;
	case REQ_ADD:
		view_form_new(ui);
		return true;
	case REQ_MINE:
		lv->mine = !lv->mine;
		list_refilter(ui, lv);
		ui_say(ui, false, "%s",
		       lv->mine ? _("Showing my cases")
		                : _("Showing every case"));
		return true;
	default:
		return true;
	}
}

/* While a search is typed, letters are text: the search's own keymap. */
static size_t list_mode(const void *self)
{
	const struct list_view *lv = self;

	return lv->searching ? 1 : 0;
}

int view_list_open(struct ui *ui)
{
	struct list_view *lv = calloc(1, sizeof *lv);

	if (!lv || !(lv->query = keys_secure_alloc(QUERY_MAX))) {
		free(lv);
		return M_UNAVAILABLE;
	}
	lv->query[0] = 0;
	lv->status = -1;
	listview_init(&lv->list, true, NULL, NULL);
	list_refilter(ui, lv);
	ui_push(ui, &list_ops, lv);
	return M_OK;
}

static const struct binding list_keys[] = {
    {'q', false, REQ_EXIT},        {27, false, REQ_EXIT},
    {'/', false, REQ_SEARCH},      {'\n', false, REQ_OPEN},      {'s', false, REQ_STATUS},
    {'m', false, REQ_MINE},        {'K', false, REQ_KEYS},       {KEY_PPAGE, true, REQ_PGUP},
    {'a', false, REQ_ADD},         {'D', false, REQ_DAY},        {'o', false, REQ_SORT},
    {KEY_NPAGE, true, REQ_PGDN},   {KEY_HOME, true, REQ_TOP},    {KEY_END, true, REQ_BOTTOM},
    {'y', false, REQ_DASHBOARD},   {'r', false, REQ_REVEAL},
};
/* Privacy's keys show in privacy mode only (display.c). */
static const enum request list_bar[] = {REQ_HELP, REQ_EXIT, REQ_PRIVACY, REQ_REVEAL, REQ_SEARCH,
                                        REQ_OPEN, REQ_ADD,  REQ_STATUS,  REQ_MINE,   REQ_KEYS};
/* The list's marks, in its help (and the search's). */
static const char *const list_legend[] = {
    "~",  N_("A close match in a search: another spelling (no mark: exact)"),
    "?",  N_("A loose match in a search: a typo, or part of a name"),
    NULL,
};
static KEYMAP_LEGEND(list_keymap, list_keys, list_bar, &browse_keymap, list_legend);

static const struct binding search_keys[] = {
    {'\n', false, REQ_OPEN},
    {KEY_DOWN, true, REQ_RESULTS},
    {27, false, REQ_CLEAR},
    {KEY_BACKSPACE, true, REQ_ED_BACKSPACE},
};
static const enum request search_bar[] = {REQ_HELP, REQ_OPEN, REQ_CLEAR, REQ_RESULTS};
static KEYMAP_LEGEND(search_keymap, search_keys, search_bar, &generic_keymap, list_legend);

static const struct keymap *const list_keymaps[] = {&list_keymap, &search_keymap, NULL};

/* The filters that are on, after the title: they stay in sight. */
static const char *list_subtitle(const void *self, struct ui *ui, char *buf, size_t cap)
{
	const struct list_view *lv = self;

	buf[0] = '\0';
	if (lv->status >= 0)
		snprintf(buf, cap, "%s: %s", field_label(F_status, ui->nb),
		         field_choice_label(F_status, lv->status, ui->nb));
	if (lv->mine)
		snprintf(buf + strlen(buf), cap - strlen(buf), "%s%s", buf[0] ? " · " : "",
		         _("My cases"));
	if (lv->by_next)
		snprintf(buf + strlen(buf), cap - strlen(buf), "%s%s", buf[0] ? " · " : "",
		         _("Soonest deadline first"));
	return buf;
}

const struct view_ops list_ops = {
    .title = N_("Cases"),
    .subtitle = list_subtitle,
    .keymaps = list_keymaps,
    .mode = list_mode,
    .draw = list_draw,
    .key = list_key,
    .free = list_free,
    .changed = list_changed,
    .grew = list_grew,
};
