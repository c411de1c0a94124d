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

struct case_view {
	struct case_rec c;
	struct note_page pg; /* the notes shown */
	bool notes_locked;
	int top;
	int lines;   /* rendered height, for scrolling */
	int journal; /* the journal heading's line, to scroll to after paging */
	bool stale;  /* the store changed while another screen was on top */
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

static void case_follow(struct ui *ui, struct case_view *cv);

static void case_draw(void *self, struct ui *ui)
{
	struct case_view *cv = self;
	int y = 1 - cv->top, ymax = LINES - 2, group = -1;
	int label_w = COLS >= 70 ? 26 : COLS / 3;
	char head[128];

	if (cv->stale) { /* back on top after a form, a note or help */
		cv->stale = false;
		case_follow(ui, cv);
	}
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
			         _(keys_class_name(d->cls)));
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
		         nt->author, tui_note_kind(nt->kind));
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
	case REQ_NEWER:
		/* The newest notes, counted anew: a colleague may have added some. */
		if (!cv->notes_locked && cv->pg.from + cv->pg.n < cv->pg.total &&
		    store_notes_read(ui->st, cv->c.id, UINT32_MAX, 1, &cv->pg) == M_OK)
			case_page(ui, cv, cv->pg.total);
		return true;
	case REQ_EDIT:
		view_form_open(ui, &cv->c);
		return true;
	case REQ_FAMILY:
		view_form_family(ui, &cv->c);
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

/* A colleague may have saved this case or added a note: read it again if
 * the version or the journal moved, scrolled where it was. */
static void case_follow(struct ui *ui, struct case_view *cv)
{
	struct case_rec now;
	bool moved;
	int top = cv->top;

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
	if (case_load(ui, cv, cv->c.id) != M_OK)
		ui_say(ui, true, "%s", tui_error(ui->st));
	cv->top = top;
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
    {'e', false, REQ_EDIT},     {'n', false, REQ_NOTE},        {KEY_PPAGE, true, REQ_PGUP},
    {KEY_NPAGE, true, REQ_PGDN}, {KEY_HOME, true, REQ_TOP},    {KEY_END, true, REQ_NEWER},
    {'o', false, REQ_OLDER},     {'f', false, REQ_FAMILY},
};
static const enum request case_bar[] = {REQ_HELP, REQ_QUIT,   REQ_EDIT, REQ_NOTE,
                                        REQ_FAMILY, REQ_UP, REQ_DOWN};
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
