/* views.c: the case list, the case view and help. */
#define NCURSES_WIDECHAR 1
#include "tui/ui.h"

#include <curses.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- the case list ------------------------------------------------------- */

enum { QUERY_MAX = 256 };

struct list_view {
	size_t *rows; /* index rows shown, in order: a virtual list */
	size_t n;
	size_t sel, top;
	bool searching;
	char *query; /* secure memory: a search is personal data */
	size_t qlen;
	int status; /* -1: every status */
	bool mine;
};

static void list_free(void *self)
{
	struct list_view *lv = self;

	keys_secure_free(lv->query);
	free(lv->rows);
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

/* Recompute which rows show: every case, or the search results best first,
 * through the status and caseload filters. */
static void list_refilter(struct ui *ui, struct list_view *lv)
{
	size_t total = search_index_size(ui->ix);

	free(lv->rows);
	lv->rows = calloc(total ? total : 1, sizeof *lv->rows);
	lv->n = 0;
	if (!lv->rows)
		return;
	if (lv->qlen) {
		struct search_hit *hits = NULL;
		size_t n = 0;
		if (search_run(ui->st, ui->ix, lv->query, lv->qlen, &hits, &n) != M_OK)
			ui_say(ui, true, "%s", tui_error(ui->st));
		for (size_t i = 0; i < n; i++) {
			long row = search_index_find(ui->ix, hits[i].id);
			if (row >= 0 && row_passes(ui, lv, (size_t)row))
				lv->rows[lv->n++] = (size_t)row;
		}
		free(hits);
	} else {
		for (size_t i = 0; i < total; i++)
			if (row_passes(ui, lv, i))
				lv->rows[lv->n++] = i;
	}
	if (lv->sel >= lv->n)
		lv->sel = lv->n ? lv->n - 1 : 0;
}

static int list_height(void)
{
	return LINES - 5; /* title, column header, message, key bar, query line */
}

static void list_draw(void *self, struct ui *ui)
{
	struct list_view *lv = self;
	int h = list_height(), name_w = COLS - 2 - 11 - 13 - 11;
	char head[256];

	if (name_w < 10)
		name_w = COLS - 2 - 11;
	if (lv->sel < lv->top)
		lv->top = lv->sel;
	if (lv->sel >= lv->top + (size_t)h)
		lv->top = lv->sel - (size_t)h + 1;

	ui_attr(ui, C_LABEL, true);
	ui_put_pad(1, 1, _("Name"), name_w);
	if (name_w < COLS - 2 - 11 - 13 - 11 + 1) {
		ui_put_pad(1, 1 + name_w, _("Born"), 11);
		ui_put_pad(1, 1 + name_w + 11, "Status", 13);
		ui_put_pad(1, 1 + name_w + 24, _("Worker"), 11);
	}
	ui_attr(ui, C_LABEL, false);

	/* Only the rows on screen are drawn, however many cases there are. */
	for (int i = 0; i < h && lv->top + (size_t)i < lv->n; i++) {
		struct search_row r;
		int y = 2 + i;
		bool sel = lv->top + (size_t)i == lv->sel;
		search_index_row(ui->ix, lv->rows[lv->top + (size_t)i], &r);
		if (sel)
			ui_attr(ui, C_SELECTED, true);
		ui_put_pad(y, 0, "", COLS);
		ui_put_pad(y, 1, r.name[0] ? r.name : _("[locked]"), name_w - 1);
		if (name_w < COLS - 2 - 11 - 13 - 11 + 1) {
			ui_put_pad(y, 1 + name_w, r.birth_date, 11);
			ui_put_pad(y, 1 + name_w + 11, ui_value_label(ui, F_status, r.status), 13);
			ui_put_pad(y, 1 + name_w + 24, r.caseworker, 11);
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
	if (lv->searching || lv->qlen) {
		int x = ui_put(LINES - 3, 1, _("Search: "), COLS - 2) + 1;
		x += ui_put(LINES - 3, x, lv->query, COLS - x - 16);
		if (lv->searching)
			ui_cursor(ui, LINES - 3, x);
	}
	{
		char count[64];
		snprintf(count, sizeof count, "%zu/%zu", lv->n, search_index_size(ui->ix));
		int w = ui_text_width(count);
		ui_put(LINES - 3, COLS - w - 1, count, w);
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
	int h = list_height();

	if (lv->searching) {
		if (req == REQ_OPEN || req == REQ_DOWN) {
			lv->searching = false;
			if (req == REQ_OPEN && lv->n)
				view_case_open(ui, row_id(ui, lv->rows[lv->sel]));
			return true;
		}
		if (req == REQ_CANCEL) {
			lv->searching = false;
			keys_wipe(lv->query, QUERY_MAX);
			lv->qlen = 0;
			list_refilter(ui, lv);
			return true;
		}
		if ((fnkey && ch == KEY_BACKSPACE) || (!fnkey && (ch == 127 || ch == 8))) {
			query_backspace(lv);
			lv->sel = 0;
			list_refilter(ui, lv);
			return true;
		}
		if (!fnkey && ch >= 0x20 && ch != 0x7f) {
			char mb[MB_LEN_MAX];
			mbstate_t ps;
			size_t n;
			memset(&ps, 0, sizeof ps);
			n = wcrtomb(mb, (wchar_t)ch, &ps);
			if (n != (size_t)-1 && lv->qlen + n < QUERY_MAX) {
				memcpy(lv->query + lv->qlen, mb, n);
				lv->qlen += n;
				lv->query[lv->qlen] = 0;
				lv->sel = 0;
				list_refilter(ui, lv);
			}
		}
		return true;
	}

	switch (req) {
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
	case REQ_UP:
		if (lv->sel)
			lv->sel--;
		return true;
	case REQ_DOWN:
		if (lv->sel + 1 < lv->n)
			lv->sel++;
		return true;
	case REQ_PGUP:
		/* Whole pages, like less: the row under the cursor moves with it. */
		lv->top = lv->top > (size_t)h ? lv->top - (size_t)h : 0;
		lv->sel = lv->sel > (size_t)h ? lv->sel - (size_t)h : 0;
		return true;
	case REQ_PGDN:
		if (lv->top + (size_t)h < lv->n)
			lv->top += (size_t)h;
		lv->sel = lv->n ? (lv->sel + (size_t)h < lv->n ? lv->sel + (size_t)h : lv->n - 1) : 0;
		return true;
	case REQ_TOP:
		lv->sel = 0;
		return true;
	case REQ_BOTTOM:
		lv->sel = lv->n ? lv->n - 1 : 0;
		return true;
	case REQ_OPEN:
		if (lv->n)
			view_case_open(ui, row_id(ui, lv->rows[lv->sel]));
		return true;
	case REQ_STATUS: {
		/* Cycle: every status, then each of statuses.def's in turn. */
		lv->status = lv->status + 1 < STATUS_COUNT ? lv->status + 1 : -1;
		list_refilter(ui, lv);
		if (lv->status < 0)
			ui_say(ui, false, "%s", _("Every status"));
		else
			ui_say(ui, false, "%s: %s", field_label(F_status, ui->nb),
			       field_choice_label(F_status, lv->status, ui->nb));
		return true;
	}
	case REQ_KEYS:
		view_keys_open(ui);
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

/* The list in search mode takes text, so it answers to a second table. */
static bool list_key_dispatch(void *self, struct ui *ui, enum request req, wint_t ch, bool fnkey)
{
	struct list_view *lv = self;

	if (lv->searching)
		req = keymap_lookup(ch, fnkey, true);
	return list_key(self, ui, req, ch, fnkey);
}

static const struct view_ops list_ops = {
    N_("Cases"),
    RQ(REQ_HELP) | RQ(REQ_SEARCH) | RQ(REQ_OPEN) | RQ(REQ_STATUS) | RQ(REQ_MINE) | RQ(REQ_KEYS) |
        RQ(REQ_QUIT),
    list_draw, list_key_dispatch, list_free, false, NULL,
};

int view_list_open(struct ui *ui)
{
	struct list_view *lv = calloc(1, sizeof *lv);

	if (!lv || !(lv->query = keys_secure_alloc(QUERY_MAX))) {
		free(lv);
		return M_UNAVAILABLE;
	}
	lv->query[0] = 0;
	lv->status = -1;
	list_refilter(ui, lv);
	ui_push(ui, &list_ops, lv);
	return M_OK;
}

/* ---- one case ------------------------------------------------------------ */

/* The journal is shown a page at a time, the newest first: a case may have
 * tens of thousands of notes. */
enum { CASE_NOTES_PAGE = 20 };

struct case_view {
	struct case_rec c;
	struct note_page pg; /* the notes shown */
	bool notes_locked;
	int top;
	int lines;   /* rendered height, for scrolling */
	int journal; /* the journal heading's line, to scroll to after paging */
};

static void case_free(void *self)
{
	struct case_view *cv = self;

	note_page_clear(&cv->pg);
	case_clear(&cv->c);
	free(cv);
}

/* Draw a value that may span lines; returns the rows used. */
static int put_value(int y, int x, const char *v, int width, int ymax)
{
	int rows = 0;

	while (v && y + rows < ymax) {
		const char *nl = strchr(v, '\n');
		size_t n = nl ? (size_t)(nl - v) : strlen(v);
		char line[FIELD_MAX_BYTES + 1];
		memcpy(line, v, n < FIELD_MAX_BYTES ? n : FIELD_MAX_BYTES);
		line[n < FIELD_MAX_BYTES ? n : FIELD_MAX_BYTES] = 0;
		ui_put(y + rows, x, line, width);
		keys_wipe(line, sizeof line);
		rows++;
		v = nl ? nl + 1 : NULL;
	}
	return rows ? rows : 1;
}

static void case_draw(void *self, struct ui *ui)
{
	struct case_view *cv = self;
	int y = 1 - cv->top, ymax = LINES - 2, group = -1;
	int label_w = COLS >= 70 ? 26 : COLS / 3;
	char head[128];

	snprintf(head, sizeof head, _("Case %llu · version %u"), (unsigned long long)cv->c.id,
	         cv->c.version);
	if (y >= 1 && y < ymax) {
		ui_attr(ui, C_LABEL, true);
		ui_put(y, 1, head, COLS - 2);
		ui_attr(ui, C_LABEL, false);
	}
	y++;
	for (int f = 0; f < F_COUNT; f++) {
		const struct field_def *d = &field_catalogue[f];
		bool readable = d->cls == KC_NONE || store_can_read(ui->st, d->cls);
		if (!cv->c.value[f] && !cv->c.locked[f] && readable)
			continue; /* empty fields, and groups of them, stay out of the way */
		if ((int)d->group != group) {
			group = (int)d->group;
			y++;
			if (y >= 1 && y < ymax) {
				ui_attr(ui, C_LABEL, true);
				ui_put(y, 1, field_group_label(d->group, ui->nb), COLS - 2);
				ui_attr(ui, C_LABEL, false);
			}
			y++;
		}
		if (y >= 1 && y < ymax)
			ui_put(y, 3, field_label((enum field_id)f, ui->nb), label_w - 3);
		if (cv->c.locked[f] || !readable) {
			/* Locked, never blank: the field may well hold something. */
			char msg[96];
			snprintf(msg, sizeof msg, _("[locked: needs the %s key]"),
			         keys_class_name(d->cls));
			if (y >= 1 && y < ymax) {
				ui_attr(ui, C_LOCKED, true);
				ui_put(y, label_w + 1, msg, COLS - label_w - 2);
				ui_attr(ui, C_LOCKED, false);
			}
			y++;
			continue;
		}
		if (y >= 1)
			y += put_value(y, label_w + 1,
			               ui_value_label(ui, (enum field_id)f, cv->c.value[f]),
			               COLS - label_w - 2, ymax);
		else
			y += 1 + (int)(strchr(cv->c.value[f], '\n') != NULL);
	}
	y++;
	cv->journal = y + cv->top - 1;
	if (y >= 1 && y < ymax) {
		ui_attr(ui, C_LABEL, true);
		ui_put(y, 1, "Journal", COLS - 2);
		ui_attr(ui, C_LABEL, false);
	}
	y++;
	if (cv->pg.from > 0) {
		char more[96];
		snprintf(more, sizeof more, _("%u older notes: o shows the page before"),
		         (unsigned)cv->pg.from);
		if (y >= 1 && y < ymax) {
			ui_attr(ui, C_LOCKED, true);
			ui_put(y, 3, more, COLS - 4);
			ui_attr(ui, C_LOCKED, false);
		}
		y++;
	}
	if (cv->notes_locked && y >= 1 && y < ymax) {
		ui_attr(ui, C_LOCKED, true);
		ui_put(y++, 3, _("[locked: needs the notes key]"),
		       COLS - 4);
		ui_attr(ui, C_LOCKED, false);
	}
	for (size_t i = 0; i < cv->pg.n; i++) {
		const struct note *nt = &cv->pg.notes[i];
		char when[32], line[160];
		snprintf(line, sizeof line, "%s  %s  %s", cli_time(nt->time, true, when),
		         nt->author, note_kind_name(nt->kind));
		if (y >= 1 && y < ymax)
			ui_put(y, 3, line, COLS - 4);
		y++;
		if (y >= 1)
			y += put_value(y, 5, nt->text, COLS - 6, ymax);
		else
			y++;
	}
	if (cv->pg.from + cv->pg.n < cv->pg.total) {
		char more[96];
		snprintf(more, sizeof more, _("%u newer notes: End shows the newest"),
		         (unsigned)(cv->pg.total - cv->pg.from - cv->pg.n));
		if (y >= 1 && y < ymax) {
			ui_attr(ui, C_LOCKED, true);
			ui_put(y, 3, more, COLS - 4);
			ui_attr(ui, C_LOCKED, false);
		}
		y++;
	}
	cv->lines = y + cv->top;
}

/* The page that ends just before note `end`. A page of long notes holds
 * fewer (store_notes_read stops at NOTE_PAGE_BYTES): then start later, so
 * that paging back never skips a note. */
static int read_ending_at(struct ui *ui, struct case_view *cv, uint32_t end)
{
	uint32_t from = end > CASE_NOTES_PAGE ? end - CASE_NOTES_PAGE : 0;

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
	if ((rc = store_case_get(ui->st, id, &cv->c)))
		return rc;
	cv->notes_locked = !store_can_read(ui->st, KC_NOTES);
	if (!cv->notes_locked)
		rc = read_ending_at(ui, cv, cv->c.notes); /* the newest page */
	return rc;
}

/* Show the page that ends before note `end`, scrolled to the journal. */
static void case_page(struct ui *ui, struct case_view *cv, uint32_t end)
{
	if (read_ending_at(ui, cv, end) != M_OK) {
		ui_say(ui, true, "%s", tui_error(ui->st));
		return;
	}
	cv->top = cv->journal;
}

static bool case_key(void *self, struct ui *ui, enum request req, wint_t ch, bool fnkey)
{
	struct case_view *cv = self;
	int page = LINES - 4;

	(void)ch;
	(void)fnkey;
	switch (req) {
	case REQ_QUIT:
	case REQ_CANCEL:
		return false;
	case REQ_UP:
		if (cv->top > 0)
			cv->top--;
		return true;
	case REQ_DOWN:
		if (cv->top + page < cv->lines)
			cv->top++;
		return true;
	case REQ_PGUP:
		cv->top = cv->top > page ? cv->top - page : 0;
		return true;
	case REQ_PGDN:
		if (cv->top + page < cv->lines)
			cv->top += page;
		return true;
	case REQ_TOP:
		cv->top = 0;
		return true;
	case REQ_OLDER:
		if (cv->pg.from > 0)
			case_page(ui, cv, cv->pg.from);
		return true;
	case REQ_BOTTOM:
		/* The newest notes, counted anew: a colleague may have added some. */
		if (!cv->notes_locked && cv->pg.from + cv->pg.n < cv->pg.total &&
		    store_notes_read(ui->st, cv->c.id, UINT32_MAX, 1, &cv->pg) == M_OK)
			case_page(ui, cv, cv->pg.total);
		return true;
	case REQ_EDIT:
		view_form_open(ui, &cv->c);
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

static const struct view_ops case_ops = {
    N_("Case"),
    RQ(REQ_HELP) | RQ(REQ_EDIT) | RQ(REQ_NOTE) | RQ(REQ_UP) | RQ(REQ_DOWN) | RQ(REQ_QUIT),
    case_draw, case_key, case_free, false, NULL,
};

int view_case_open(struct ui *ui, uint64_t id)
{
	struct case_view *cv = calloc(1, sizeof *cv);
	int rc;

	if (!cv)
		return M_UNAVAILABLE;
	case_init(&cv->c);
	note_page_init(&cv->pg);
	rc = case_load(ui, cv, id);
	if (rc) {
		ui_say(ui, true, "%s", tui_error(ui->st));
		case_free(cv);
		return rc;
	}
	ui_push(ui, &case_ops, cv);
	return M_OK;
}

struct case_rec *view_case_current(struct ui *ui)
{
	if (ui->depth && ui->stack[ui->depth - 1].ops == &case_ops)
		return &((struct case_view *)ui->stack[ui->depth - 1].self)->c;
	return NULL;
}

/* Reload the case under the top view after a save elsewhere. */
void view_case_reload(struct ui *ui, uint64_t id)
{
	for (int i = ui->depth - 1; i >= 0; i--)
		if (ui->stack[i].ops == &case_ops) {
			struct case_view *cv = ui->stack[i].self;
			if (cv->c.id == id && case_load(ui, cv, id) != M_OK)
				ui_say(ui, true, "%s", tui_error(ui->st));
		}
}

/* ---- help: generated from the keymap ---------------------------------------- */

struct help_view {
	const struct view_ops *of;
	int top;
};

static void help_free(void *self)
{
	free(self);
}

static void help_draw(void *self, struct ui *ui)
{
	struct help_view *hv = self;
	int y = 2 - hv->top;

	ui_attr(ui, C_LABEL, true);
	ui_put(1, 1, _("Keys on this screen"), COLS - 2);
	ui_attr(ui, C_LABEL, false);
	for (int r = 1; r < REQ_COUNT; r++) {
		char keys[64] = "";
		/* The case view's note pages are named on the screen itself, and
		 * here; not in its bottom bar. */
		bool pages = hv->of == &case_ops && (r == REQ_OLDER || r == REQ_BOTTOM);
		if (!(hv->of->hints & RQ(r)) && r != REQ_REDRAW && r != REQ_UP && r != REQ_DOWN &&
		    r != REQ_PGUP && r != REQ_PGDN && !pages)
			continue;
		if (r == REQ_KEYS && store_role(ui->st) != ROLE_ADMIN)
			continue;
		snprintf(keys, sizeof keys, "%s", request_key((enum request)r));
		if (y >= 2 && y < LINES - 2) {
			ui_attr(ui, C_KEY, true);
			ui_put(y, 3, keys, 10);
			ui_attr(ui, C_KEY, false);
			ui_put(y, 14, request_label((enum request)r), COLS - 15);
		}
		y++;
	}
}

static bool help_key(void *self, struct ui *ui, enum request req, wint_t ch, bool fnkey)
{
	struct help_view *hv = self;

	(void)ui;
	(void)ch;
	(void)fnkey;
	if (req == REQ_DOWN)
		hv->top++;
	else if (req == REQ_UP && hv->top > 0)
		hv->top--;
	else if (req == REQ_QUIT || req == REQ_CANCEL || req == REQ_HELP || req == REQ_OPEN)
		return false;
	return true;
}

static const struct view_ops help_ops = {
    N_("Help"), RQ(REQ_QUIT), help_draw, help_key, help_free, false, NULL,
};

int view_help_open(struct ui *ui, const struct view_ops *of)
{
	struct help_view *hv = calloc(1, sizeof *hv);

	if (!hv)
		return M_UNAVAILABLE;
	hv->of = of;
	ui_push(ui, &help_ops, hv);
	return M_OK;
}


/* ---- keys: the administrator's view of epochs and rotations ------------------ */

struct keys_view {
	struct store_key_status s[KC_COUNT];
	char holders[KC_COUNT][160];
	char not_moved[160]; /* users whose keyslot still trusts an older authority */
	int sel;             /* a class, or KC_COUNT: the authority row */
};

static void keys_free(void *self)
{
	free(self);
}

static void keys_load_authority(struct ui *ui, struct keys_view *kv)
{
	struct store_user_info *users = NULL;
	uint32_t epoch = store_authority_epoch(ui->st);
	size_t n = 0, off = 0;

	kv->not_moved[0] = 0;
	if (store_user_list(ui->st, &users, &n) != M_OK)
		return;
	for (size_t i = 0; i < n && off < sizeof kv->not_moved; i++)
		if (!users[i].revoked && users[i].pin < epoch)
			off += (size_t)snprintf(kv->not_moved + off, sizeof kv->not_moved - off, "%s%s",
			                        off ? " " : "", users[i].name);
	free(users);
}

static int keys_load(struct ui *ui, struct keys_view *kv)
{
	int rc = store_key_status(ui->st, kv->s);

	keys_load_authority(ui, kv);
	for (unsigned c = 0; rc == M_OK && c < KC_COUNT; c++) {
		char names[64][64];
		size_t n = 0, off = 0;
		store_class_holders(ui->st, (enum key_class)c, kv->s[c].active, names, 64, &n);
		kv->holders[c][0] = 0;
		for (size_t i = 0; i < n && off < sizeof kv->holders[c]; i++)
			off += (size_t)snprintf(kv->holders[c] + off, sizeof kv->holders[c] - off, "%s%s",
			                        i ? " " : "", names[i]);
	}
	return rc;
}

static void keys_draw(void *self, struct ui *ui)
{
	struct keys_view *kv = self;
	int y = 1;

	ui_attr(ui, C_LABEL, true);
	ui_put_pad(y, 1, _("Class"), 11);
	ui_put_pad(y, 12, _("Epoch"), 6);
	ui_put_pad(y, 18, _("Epoch: cases"), 22);
	ui_put(y++, 40, _("Held by"), COLS - 41);
	ui_attr(ui, C_LABEL, false);
	for (int c = 0; c < KC_COUNT && y < LINES - 3; c++, y++) {
		char num[16], use[64] = "";
		size_t off = 0;
		bool sel = c == kv->sel;
		if (sel)
			ui_attr(ui, C_SELECTED, true);
		ui_put_pad(y, 0, "", COLS);
		ui_put(y, 1, keys_class_name((enum key_class)c), 10);
		snprintf(num, sizeof num, "%u", kv->s[c].active);
		ui_put(y, 12, num, 5);
		for (size_t i = 0; i < kv->s[c].nuse && off < sizeof use; i++)
			off += (size_t)snprintf(use + off, sizeof use - off, "%s%u: %llu", i ? ", " : "",
			                        kv->s[c].use[i].epoch,
			                        (unsigned long long)kv->s[c].use[i].records);
		if (kv->s[c].rotation.active)
			snprintf(use, sizeof use, _("rotating %u→%u"), kv->s[c].rotation.from,
			         kv->s[c].rotation.to);
		ui_put(y, 18, use, 21);
		ui_put(y, 40, kv->holders[c], COLS - 41);
		if (sel)
			ui_attr(ui, C_SELECTED, false);
	}
	/* The key that grants and signs: who has not logged in since it was
	 * replaced still trusts the old one. */
	if (y < LINES - 3) {
		char num[16];
		bool sel = kv->sel == KC_COUNT;
		if (sel)
			ui_attr(ui, C_SELECTED, true);
		ui_put_pad(y, 0, "", COLS);
		ui_put(y, 1, "authority", 10);
		snprintf(num, sizeof num, "%u", store_authority_epoch(ui->st));
		ui_put(y, 12, num, 5);
		if (kv->not_moved[0]) {
			ui_put(y, 18, _("not moved:"), 21);
			ui_put(y, 40, kv->not_moved, COLS - 41);
		}
		if (sel)
			ui_attr(ui, C_SELECTED, false);
	}
}

static struct ui *progress_ui;

/* Drawn from inside the rotation, between its batches. */
static void keys_progress(void *ctx, const struct store_rotation *r)
{
	struct ui *ui = progress_ui;
	uint64_t total = r->total ? r->total : 1, done = r->done < total ? r->done : total;
	int w = COLS - 30, fill;
	char line[96];

	(void)ctx;
	if (w < 10)
		w = 10;
	fill = (int)((uint64_t)w * done / total);
	move(LINES - 3, 0);
	clrtoeol();
	snprintf(line, sizeof line, "%s %llu/%llu", keys_class_name(r->cls),
	         (unsigned long long)done, (unsigned long long)total);
	ui_put(LINES - 3, 1, line, 26);
	ui_attr(ui, C_SELECTED, true);
	for (int i = 0; i < fill; i++)
		mvaddch(LINES - 3, 28 + i, ' ');
	ui_attr(ui, C_SELECTED, false);
	for (int i = fill; i < w; i++)
		mvaddch(LINES - 3, 28 + i, ACS_CKBOARD);
	if (!ui->script)
		refresh();
}

static bool keys_key(void *self, struct ui *ui, enum request req, wint_t ch, bool fnkey)
{
	struct keys_view *kv = self;

	(void)fnkey;
	(void)ch;
	if (req == REQ_QUIT || req == REQ_CANCEL)
		return false;
	if (req == REQ_UP && kv->sel > 0)
		kv->sel--;
	else if (req == REQ_DOWN && kv->sel < KC_COUNT)
		kv->sel++;
	else if (req == REQ_ROTATE && kv->sel == KC_COUNT) {
		size_t users = 0;
		if (!ui_confirm(ui, _("Replace the authority key now? Each user's keyslot follows at "
		                      "their next login.")))
			return true;
		if (store_rotate_authority(ui->st, &users) != M_OK)
			ui_say(ui, true, "%s", tui_error(ui->st));
		else
			ui_say(ui, false, _("The authority key is replaced (epoch %u)"),
			       store_authority_epoch(ui->st));
		if (keys_load(ui, kv) != M_OK)
			ui_say(ui, true, "%s", tui_error(ui->st));
	} else if (req == REQ_ROTATE) {
		char q[96];
		snprintf(q, sizeof q, _("Rotate the %s key now?"), keys_class_name((enum key_class)kv->sel));
		if (!ui_confirm(ui, q))
			return true;
		progress_ui = ui;
		if (store_rotate(ui->st, (enum key_class)kv->sel, 0, keys_progress, NULL) != M_OK)
			ui_say(ui, true, "%s", tui_error(ui->st));
		else
			ui_say(ui, false, _("%s: epoch %u active; the old keys are deleted"),
			       keys_class_name((enum key_class)kv->sel), kv->s[kv->sel].active + 1);
		if (keys_load(ui, kv) != M_OK)
			ui_say(ui, true, "%s", tui_error(ui->st));
	}
	return true;
}

static const struct view_ops keys_ops = {
    N_("Keys"), RQ(REQ_HELP) | RQ(REQ_ROTATE) | RQ(REQ_UP) | RQ(REQ_DOWN) | RQ(REQ_QUIT),
    keys_draw, keys_key, keys_free, false, NULL,
};

int view_keys_open(struct ui *ui)
{
	struct keys_view *kv = calloc(1, sizeof *kv);

	if (!kv)
		return M_UNAVAILABLE;
	if (store_role(ui->st) != ROLE_ADMIN) {
		free(kv);
		ui_say(ui, true, "%s", _("The keys screen is for administrators"));
		return M_AUTH;
	}
	if (keys_load(ui, kv) != M_OK) {
		ui_say(ui, true, "%s", tui_error(ui->st));
		free(kv);
		return M_UNAVAILABLE;
	}
	ui_push(ui, &keys_ops, kv);
	return M_OK;
}
