/* form.c: editing a case, the conflict dialog, and the note editor.
 *
 * A form is built from the field catalogue: one line editor per field the
 * user's keys open, a locked line for the others. Values are checked with
 * field_normalise as the cursor leaves a field and again on save, and the
 * message stands beside the field. A save sends only what changed, with the
 * version the form was opened at: if a colleague saved first, the conflict
 * dialog shows both values of every field both changed, and nothing is
 * overwritten without the user choosing.
 */
#define NCURSES_WIDECHAR 1
#include "tui/editor.h"
#include "tui/ui.h"

#include <curses.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- the case form -------------------------------------------------------- */

enum { LINES_ROWS = 3 };

struct form {
	struct case_rec *c; /* the case view's copy: what the form started from */
	uint64_t id;
	uint32_t version;
	struct editor ed[F_COUNT];
	bool editable[F_COUNT];
	const char *error[F_COUNT];
	int focus;
	int top; /* first screen row of the form, for scrolling */
};

static int field_rows(enum field_id f)
{
	return field_catalogue[f].type == FT_LINES ? LINES_ROWS : 1;
}

static void form_free(void *self)
{
	struct form *fm = self;

	for (int f = 0; f < F_COUNT; f++)
		ed_free(&fm->ed[f]);
	free(fm);
}

static bool form_changed(const struct form *fm)
{
	for (int f = 0; f < F_COUNT; f++)
		if (fm->editable[f] && ed_changed(&fm->ed[f]))
			return true;
	return false;
}

/* Normalise a field's text into secure memory; NULL message when valid. */
static const char *form_value(struct form *fm, enum field_id f, char **out, size_t *len)
{
	size_t raw_len = ed_utf8_len(&fm->ed[f]), cap = raw_len + 8;
	char *raw = keys_secure_alloc(raw_len + 1), *norm = keys_secure_alloc(cap);
	const char *msg = NULL;

	*out = NULL;
	if (!raw || !norm) {
		keys_secure_free(raw);
		keys_secure_free(norm);
		return N_("out of memory");
	}
	ed_get_utf8(&fm->ed[f], raw, raw_len + 1);
	msg = field_normalise(f, raw, raw_len, norm, cap, len);
	keys_secure_free(raw);
	if (msg)
		keys_secure_free(norm);
	else
		*out = norm;
	return msg;
}

static void form_check(struct form *fm, enum field_id f)
{
	char *v;
	size_t len;

	if (!fm->editable[f])
		return;
	fm->error[f] = form_value(fm, f, &v, &len);
	keys_secure_free(v);
}

static int form_y(const struct form *fm, int upto)
{
	int y = 0;

	for (int f = 0; f < upto; f++)
		y += field_rows((enum field_id)f);
	(void)fm;
	return y;
}

static void form_draw(void *self, struct ui *ui)
{
	struct form *fm = self;
	int label_w = COLS >= 70 ? 24 : COLS / 3, body = LINES - 4;
	int value_w = COLS - label_w - 2, err_x, y0;
	char head[96];

	/* The error stands beside the value when at least 16 columns are left
	 * for it; the message line always has it in full for the field just
	 * left or being saved. */
	if (value_w >= 36 + 16) {
		value_w = value_w - 16 > 48 ? 48 : value_w - 16;
		err_x = label_w + 1 + value_w + 1;
	} else {
		err_x = -1;
	}
	snprintf(head, sizeof head, _("Editing case %llu · version %u"), (unsigned long long)fm->id,
	         fm->version);
	ui_attr(ui, C_LABEL, true);
	ui_put(1, 1, head, COLS - 2);
	ui_attr(ui, C_LABEL, false);

	/* Keep the focused field on screen. */
	y0 = form_y(fm, fm->focus);
	if (y0 < fm->top)
		fm->top = y0;
	if (y0 + field_rows((enum field_id)fm->focus) > fm->top + body - 1)
		fm->top = y0 + field_rows((enum field_id)fm->focus) - body + 1;

	for (int f = 0, y = 2 - fm->top; f < F_COUNT; y += field_rows((enum field_id)f), f++) {
		const struct field_def *d = &field_catalogue[f];
		bool focus = f == fm->focus;
		if (y < 2 || y + field_rows((enum field_id)f) > 2 + body)
			continue;
		if (focus)
			ui_attr(ui, C_LABEL, true);
		ui_put(y, 1, focus ? "›" : " ", 1);
		ui_put(y, 3, field_label((enum field_id)f, ui->nb), label_w - 3);
		if (focus)
			ui_attr(ui, C_LABEL, false);
		if (!fm->editable[f]) {
			char msg[96];
			snprintf(msg, sizeof msg, _("[locked: needs the %s key]"), keys_class_name(d->cls));
			ui_attr(ui, C_LOCKED, true);
			ui_put(y, label_w + 1, msg, value_w);
			ui_attr(ui, C_LOCKED, false);
			continue;
		}
		if (d->type == FT_LINES) {
			struct ed_row rows[LINES_ROWS];
			int cr = 0, cc = 0;
			int n = ed_view_lines(&fm->ed[f], value_w, LINES_ROWS, rows, &cr, &cc);
			for (int r = 0; r < LINES_ROWS; r++) {
				ui_attr(ui, C_SELECTED, focus);
				ui_put_pad(y + r, label_w + 1, "", value_w);
				if (r < n)
					ui_put_wide(y + r, label_w + 1, fm->ed[f].buf, rows[r].start,
					         rows[r].end);
				ui_attr(ui, C_SELECTED, false);
			}
			if (focus)
				ui_cursor(ui, y + cr, label_w + 1 + cc);
		} else {
			struct ed_view v;
			ed_view(&fm->ed[f], value_w, &v);
			ui_attr(ui, C_SELECTED, focus);
			ui_put_pad(y, label_w + 1, "", value_w);
			ui_put_wide(y, label_w + 1, fm->ed[f].buf, v.start, v.end);
			ui_attr(ui, C_SELECTED, false);
			if (focus)
				ui_cursor(ui, y, label_w + 1 + v.cursor_col);
		}
		if (fm->error[f] && err_x > 0) {
			ui_attr(ui, C_ERROR, true);
			ui_put(y, err_x, _(fm->error[f]), COLS - err_x - 1);
			ui_attr(ui, C_ERROR, false);
		}
	}
	if (fm->error[fm->focus] && err_x < 0 && !ui->message[0]) {
		ui_say(ui, true, "%s: %s", field_label((enum field_id)fm->focus, ui->nb),
		       _(fm->error[fm->focus]));
	} else if (!ui->message[0] && field_catalogue[fm->focus].choices) {
		ui_say(ui, false, "%s %s", _("Choices:"), field_catalogue[fm->focus].choices);
	}
}

/* Move the focus, checking the field being left. */
static void form_move(struct form *fm, struct ui *ui, int dir)
{
	int f = fm->focus;

	form_check(fm, (enum field_id)f);
	if (fm->error[f])
		ui_say(ui, true, "%s: %s", field_label((enum field_id)f, ui->nb), _(fm->error[f]));
	do
		f = (f + dir + F_COUNT) % F_COUNT;
	while (!fm->editable[f] && f != fm->focus);
	fm->focus = f;
}

static void conflict_open(struct ui *ui, struct form *fm, struct case_rec *mine);
static const struct view_ops form_ops;

/* Save what changed, with the version the form was opened at. */
static bool form_save(struct form *fm, struct ui *ui)
{
	struct case_rec upd;
	int bad = -1, rc;
	bool any = false;

	case_init(&upd);
	upd.id = fm->id;
	for (int f = 0; f < F_COUNT; f++) {
		char *v;
		size_t len;
		const char *old;
		if (!fm->editable[f] || !ed_changed(&fm->ed[f]))
			continue;
		fm->error[f] = form_value(fm, (enum field_id)f, &v, &len);
		if (fm->error[f]) {
			if (bad < 0)
				bad = f;
			continue;
		}
		old = fm->c->value[f] ? fm->c->value[f] : "";
		if (strcmp(old, v) != 0) {
			case_set(&upd, (enum field_id)f, v, len);
			any = true;
		}
		keys_secure_free(v);
	}
	if (bad >= 0) {
		fm->focus = bad;
		ui_say(ui, true, "%s: %s", field_label((enum field_id)bad, ui->nb), _(fm->error[bad]));
		case_clear(&upd);
		return true;
	}
	if (!any) {
		case_clear(&upd);
		ui_say(ui, false, "%s", _("Nothing changed"));
		return false;
	}
	rc = store_case_update(ui->st, &upd, fm->version);
	if (rc == M_CONFLICT) {
		conflict_open(ui, fm, &upd); /* takes upd */
		return true;
	}
	if (rc) {
		ui_say(ui, true, "%s", tui_error(ui->st));
		case_clear(&upd);
		return true;
	}
	ui_say(ui, false, _("Saved: version %u"), upd.version);
	search_index_refresh(ui->st, ui->ix, fm->id);
	view_case_reload(ui, fm->id);
	case_clear(&upd);
	return false;
}

static bool form_key(void *self, struct ui *ui, enum request req, wint_t ch, bool fnkey)
{
	struct form *fm = self;
	struct editor *ed = &fm->ed[fm->focus];
	bool lines = field_catalogue[fm->focus].type == FT_LINES;

	switch (req) {
	case REQ_SAVE:
		return form_save(fm, ui);
	case REQ_CANCEL:
		if (form_changed(fm) && !ui_confirm(ui, _("Discard your changes?")))
			return true;
		return false;
	case REQ_NEXT:
		form_move(fm, ui, 1);
		return true;
	case REQ_PREV:
		form_move(fm, ui, -1);
		return true;
	case REQ_UP:
		if (!lines || ed_apply(ed, ED_UP, 0) != 0)
			form_move(fm, ui, -1);
		return true;
	case REQ_DOWN:
		if (!lines || ed_apply(ed, ED_DOWN, 0) != 0)
			form_move(fm, ui, 1);
		return true;
	case REQ_OPEN:
		if (lines)
			ed_apply(ed, ED_NEWLINE, 0);
		else
			form_move(fm, ui, 1);
		return true;
	case REQ_HELP:
		view_help_open(ui, &form_ops);
		return true;
	default:
		break;
	}
	if (ui_edit_key(ed, ch, fnkey) == 0)
		fm->error[fm->focus] = NULL; /* judged again when the cursor leaves */
	return true;
}

/* The link dropped: keep what was typed, valid or not, as a draft. */
static void form_keep(void *self, struct ui *ui)
{
	struct form *fm = self;
	struct case_rec d;

	case_init(&d);
	d.id = fm->id;
	for (int f = 0; f < F_COUNT; f++) {
		size_t len;
		char *raw;
		if (!fm->editable[f] || !ed_changed(&fm->ed[f]))
			continue;
		len = ed_utf8_len(&fm->ed[f]);
		if (!(raw = keys_secure_alloc(len + 1)))
			continue;
		ed_get_utf8(&fm->ed[f], raw, len + 1);
		case_set(&d, (enum field_id)f, raw, len);
		d.dirty[f] = true; /* an emptied field is an edit too */
		keys_secure_free(raw);
	}
	store_draft_save(ui->st, fm->id, &d, fm->version, NULL, 0);
	case_clear(&d);
}

static const struct view_ops form_ops = {
    N_("Edit"),
    RQ(REQ_HELP) | RQ(REQ_SAVE) | RQ(REQ_NEXT) | RQ(REQ_CANCEL),
    form_draw, form_key, form_free, true, form_keep,
};

int view_form_restore(struct ui *ui, struct case_rec *c, const struct case_rec *draft,
                      uint32_t base)
{
	struct form *fm;
	int rc = view_form_open(ui, c);

	if (rc || ui->stack[ui->depth - 1].ops != &form_ops)
		return rc;
	fm = ui->stack[ui->depth - 1].self;
	/* The version the edits started from: if the case changed since, the
	 * save goes through the conflict dialog. */
	fm->version = base;
	for (int f = 0; f < F_COUNT; f++) {
		if (!draft->dirty[f] || !fm->editable[f])
			continue;
		if (ed_set_utf8(&fm->ed[f], draft->value[f] ? draft->value[f] : "", draft->len[f]) == 0)
			fm->ed[f].changed = true;
		form_check(fm, (enum field_id)f);
	}
	return M_OK;
}

int view_form_open(struct ui *ui, struct case_rec *c)
{
	struct form *fm = calloc(1, sizeof *fm);
	int first = -1;

	if (!fm)
		return M_UNAVAILABLE;
	fm->c = c;
	fm->id = c->id;
	fm->version = c->version;
	for (int f = 0; f < F_COUNT; f++) {
		const struct field_def *d = &field_catalogue[f];
		fm->editable[f] = d->cls == KC_NONE || store_can_read(ui->st, d->cls);
		if (!fm->editable[f])
			continue;
		if (ed_init(&fm->ed[f], FIELD_MAX_BYTES, d->type == FT_LINES) != 0) {
			form_free(fm);
			ui_say(ui, true, "%s", _("out of memory"));
			return M_UNAVAILABLE;
		}
		/* Stored before the validators held it to UTF-8: say which
		 * field, rather than "out of memory". */
		if (c->value[f] && ed_set_utf8(&fm->ed[f], c->value[f], c->len[f]) != 0) {
			form_free(fm);
			ui_say(ui, true,
			       _("%s: the stored value is not valid UTF-8 text; correct it "
			         "with mappe update"),
			       field_label((enum field_id)f, ui->nb));
			return M_INPUT;
		}
		if (first < 0 && d->cls != KC_NONE)
			first = f;
	}
	fm->focus = first >= 0 ? first : 0;
	ui_push(ui, &form_ops, fm);
	return M_OK;
}

/* ---- the conflict dialog ------------------------------------------------------ */

struct conflict {
	struct form *fm;
	struct case_rec mine;   /* our changes (dirty fields) */
	struct case_rec theirs; /* what is saved now */
	int field[F_COUNT];     /* the fields both of us changed, differently */
	bool take_mine[F_COUNT];
	int n, sel;
};

static void conflict_free(void *self)
{
	struct conflict *cf = self;

	case_clear(&cf->mine);
	case_clear(&cf->theirs);
	free(cf);
}

static const char *or_empty(const char *s)
{
	return s ? s : "";
}

/* Load what is saved now and find the fields in dispute. */
static int conflict_load(struct ui *ui, struct conflict *cf)
{
	int rc;

	case_clear(&cf->theirs);
	if ((rc = store_case_get(ui->st, cf->fm->id, &cf->theirs)))
		return rc;
	cf->n = 0;
	/* A form restored from a draft started at an older version than the
	 * values it shows: what the colleague changed is unknown, so every
	 * field that differs is in dispute. */
	bool unknown_base = cf->fm->c->version != cf->fm->version;
	for (int f = 0; f < F_COUNT; f++) {
		const char *orig = or_empty(cf->fm->c->value[f]);
		const char *theirs = or_empty(cf->theirs.value[f]);
		if (!cf->mine.dirty[f])
			continue;
		if ((unknown_base || strcmp(theirs, orig) != 0) &&
		    strcmp(theirs, or_empty(cf->mine.value[f])) != 0) {
			cf->field[cf->n++] = f;
			cf->take_mine[f] = true;
		}
	}
	return M_OK;
}

static void conflict_draw(void *self, struct ui *ui)
{
	struct conflict *cf = self;
	int label_w = COLS >= 70 ? 24 : COLS / 3, y = 1;
	char head[160];

	snprintf(head, sizeof head,
	         _("Someone else saved case %llu while you edited (now version %u)."),
	         (unsigned long long)cf->fm->id, cf->theirs.version);
	ui_attr(ui, C_ERROR, true);
	ui_put(y++, 1, head, COLS - 2);
	ui_attr(ui, C_ERROR, false);
	ui_put(y++, 1,
	       cf->n ? _("Choose, field by field, which value to keep:")
	             : _("They changed other fields than you: your changes can be saved."),
	       COLS - 2);
	y++;
	for (int i = 0; i < cf->n && y + 3 < LINES - 2; i++) {
		int f = cf->field[i];
		bool sel = i == cf->sel;
		char line[64];
		ui_attr(ui, C_LABEL, sel);
		ui_put(y, 1, sel ? "›" : " ", 1);
		ui_put(y++, 3, field_label((enum field_id)f, ui->nb), COLS - 4);
		ui_attr(ui, C_LABEL, false);
		snprintf(line, sizeof line, "%s %s", cf->take_mine[f] ? "[x]" : "[ ]", _("yours: "));
		ui_put(y, 5, line, label_w);
		ui_put(y++, 5 + label_w, or_empty(cf->mine.value[f]), COLS - label_w - 6);
		snprintf(line, sizeof line, "%s %s", cf->take_mine[f] ? "[ ]" : "[x]", _("theirs:"));
		ui_put(y, 5, line, label_w);
		ui_put(y++, 5 + label_w, or_empty(cf->theirs.value[f]), COLS - label_w - 6);
	}
}

static bool conflict_key(void *self, struct ui *ui, enum request req, wint_t ch, bool fnkey)
{
	struct conflict *cf = self;
	int f = cf->n ? cf->field[cf->sel] : -1;

	if (req == REQ_CANCEL || req == REQ_QUIT)
		return false; /* back to the form, nothing saved */
	if (req == REQ_UP && cf->sel > 0)
		cf->sel--;
	else if ((req == REQ_DOWN || req == REQ_NEXT) && cf->sel + 1 < cf->n)
		cf->sel++;
	else if (f >= 0 && ((fnkey && (ch == KEY_LEFT || ch == KEY_RIGHT)) || ch == ' '))
		cf->take_mine[f] = !cf->take_mine[f];
	else if (f >= 0 && !fnkey && (ch == 'm' || ch == 'y'))
		cf->take_mine[f] = true;
	else if (f >= 0 && !fnkey && (ch == 't' || ch == 'd'))
		cf->take_mine[f] = false;
	else if (req == REQ_SAVE || req == REQ_OPEN) {
		struct case_rec upd;
		bool any = false;
		int rc;
		case_init(&upd);
		upd.id = cf->fm->id;
		for (int g = 0; g < F_COUNT; g++) {
			bool disputed = false;
			for (int i = 0; i < cf->n; i++)
				disputed |= cf->field[i] == g;
			if (cf->mine.dirty[g] && (!disputed || cf->take_mine[g])) {
				case_set(&upd, (enum field_id)g, cf->mine.value[g], cf->mine.len[g]);
				any = true;
			}
		}
		if (!any) {
			case_clear(&upd);
			ui_say(ui, false, "%s", _("Kept the saved values; nothing of yours was saved"));
			view_case_reload(ui, cf->fm->id);
			ui->pop_more = 1;
			return false;
		}
		rc = store_case_update(ui->st, &upd, cf->theirs.version);
		if (rc == M_CONFLICT) {
			/* Again: show the newest values and ask again. */
			case_clear(&upd);
			if (conflict_load(ui, cf) != M_OK)
				ui_say(ui, true, "%s", tui_error(ui->st));
			else
				ui_say(ui, true, "%s", _("Saved again meanwhile: check once more"));
			return true;
		}
		if (rc) {
			ui_say(ui, true, "%s", tui_error(ui->st));
			case_clear(&upd);
			return true;
		}
		ui_say(ui, false, _("Saved: version %u"), upd.version);
		case_clear(&upd);
		search_index_refresh(ui->st, ui->ix, cf->fm->id);
		view_case_reload(ui, cf->fm->id);
		ui->pop_more = 1; /* the form is done too */
		return false;
	}
	return true;
}

static const struct view_ops conflict_ops = {
    N_("Conflict"),
    RQ(REQ_HELP) | RQ(REQ_SAVE) | RQ(REQ_UP) | RQ(REQ_DOWN) | RQ(REQ_CANCEL),
    conflict_draw, conflict_key, conflict_free, true, NULL,
};

static void conflict_open(struct ui *ui, struct form *fm, struct case_rec *mine)
{
	struct conflict *cf = calloc(1, sizeof *cf);

	if (!cf) {
		case_clear(mine);
		return;
	}
	cf->fm = fm;
	cf->mine = *mine; /* the arena moves with it */
	case_init(mine);
	case_init(&cf->theirs);
	if (conflict_load(ui, cf) != M_OK) {
		ui_say(ui, true, "%s", tui_error(ui->st));
		conflict_free(cf);
		return;
	}
	ui_push(ui, &conflict_ops, cf);
}

/* ---- a new journal note ----------------------------------------------------------- */

struct note_editor {
	uint64_t id;
	struct editor ed;
	enum note_kind kind;
	bool interpreter;
};

static void note_free(void *self)
{
	struct note_editor *ne = self;

	ed_free(&ne->ed);
	free(ne);
}

static void note_draw(void *self, struct ui *ui)
{
	struct note_editor *ne = self;
	int height = LINES - 6, width = COLS - 4, cr = 0, cc = 0, n;
	struct ed_row *rows = calloc((size_t)(height > 0 ? height : 1), sizeof *rows);
	char head[160];

	snprintf(head, sizeof head, _("New note for case %llu · kind: %s (Tab) · interpreter: %s (^T)"),
	         (unsigned long long)ne->id, note_kind_name(ne->kind),
	         ne->interpreter ? _("yes") : _("no"));
	ui_attr(ui, C_LABEL, true);
	ui_put(1, 1, head, COLS - 2);
	ui_attr(ui, C_LABEL, false);
	if (!rows)
		return;
	n = ed_view_lines(&ne->ed, width, height, rows, &cr, &cc);
	for (int r = 0; r < n; r++)
		ui_put_wide(3 + r, 2, ne->ed.buf, rows[r].start, rows[r].end);
	ui_cursor(ui, 3 + cr, 2 + cc);
	free(rows);
}

static bool note_key(void *self, struct ui *ui, enum request req, wint_t ch, bool fnkey)
{
	struct note_editor *ne = self;

	switch (req) {
	case REQ_SAVE: {
		size_t len = ed_utf8_len(&ne->ed);
		char *text = keys_secure_alloc(len + 1);
		int rc;
		if (!text)
			return true;
		ed_get_utf8(&ne->ed, text, len + 1);
		while (len && (text[len - 1] == '\n' || text[len - 1] == ' '))
			text[--len] = 0;
		if (len == 0) {
			keys_secure_free(text);
			ui_say(ui, true, "%s", _("The note is empty"));
			return true;
		}
		rc = store_note_add(ui->st, ne->id, ne->kind, ne->interpreter, text, len);
		keys_secure_free(text);
		if (rc) {
			ui_say(ui, true, "%s", tui_error(ui->st));
			return true;
		}
		ui_say(ui, false, "%s", _("Note saved"));
		view_case_reload(ui, ne->id);
		return false;
	}
	case REQ_CANCEL:
		if (ed_utf8_len(&ne->ed) && !ui_confirm(ui, _("Discard this note?")))
			return true;
		return false;
	case REQ_NEXT:
		ne->kind = (enum note_kind)((ne->kind + 1) % 4);
		return true;
	case REQ_OPEN:
		ed_apply(&ne->ed, ED_NEWLINE, 0);
		return true;
	case REQ_UP:
		ed_apply(&ne->ed, ED_UP, 0);
		return true;
	case REQ_DOWN:
		ed_apply(&ne->ed, ED_DOWN, 0);
		return true;
	default:
		break;
	}
	if (!fnkey && ch == CTRL('t'))
		ne->interpreter = !ne->interpreter;
	else
		ui_edit_key(&ne->ed, ch, fnkey);
	return true;
}

static void note_keep(void *self, struct ui *ui)
{
	struct note_editor *ne = self;
	size_t len = ed_utf8_len(&ne->ed);
	char *text;

	if (len == 0 || !(text = keys_secure_alloc(len + 1)))
		return;
	ed_get_utf8(&ne->ed, text, len + 1);
	store_draft_save(ui->st, ne->id, NULL, 0, text, len);
	keys_secure_free(text);
}

static const struct view_ops note_ops = {
    N_("New note"), RQ(REQ_HELP) | RQ(REQ_SAVE) | RQ(REQ_CANCEL), note_draw, note_key, note_free,
    true, note_keep,
};

int view_note_restore(struct ui *ui, uint64_t id, const char *text, size_t len)
{
	struct note_editor *ne;
	int rc = view_note_open(ui, id);

	if (rc || ui->stack[ui->depth - 1].ops != &note_ops)
		return rc;
	ne = ui->stack[ui->depth - 1].self;
	if (ed_set_utf8(&ne->ed, text, len) == 0)
		ne->ed.changed = true;
	return M_OK;
}

void drafts_offer(struct ui *ui)
{
	struct store_draft d[8];
	size_t n = 0;

	if (store_draft_list(ui->st, d, 8, &n) != M_OK)
		return;
	for (size_t i = 0; i < n; i++) {
		char when[32], q[200];
		struct case_rec draft;
		char *note = NULL;
		size_t notelen = 0;
		uint32_t base;

		snprintf(q, sizeof q,
		         _("Restore unsaved changes to case %llu from %s?"),
		         (unsigned long long)d[i].id, cli_time(d[i].saved, true, when));
		int answer = ui_ask(ui, q);
		if (answer == 0)
			store_draft_delete(ui->st, d[i].id);
		if (answer != 1)
			continue; /* anything but y or n (a lock, a dropped link) keeps it */
		case_init(&draft);
		if (store_draft_load(ui->st, d[i].id, &draft, &base, &note, &notelen) != M_OK ||
		    view_case_open(ui, d[i].id) != M_OK) {
			ui_say(ui, true, "%s", tui_error(ui->st));
		} else if (note) {
			view_note_restore(ui, d[i].id, note, notelen);
		} else {
			struct case_rec *c = view_case_current(ui);
			if (c)
				view_form_restore(ui, c, &draft, base);
		}
		/* The edits are back in a form: the draft has done its work. */
		store_draft_delete(ui->st, d[i].id);
		keys_secure_free(note);
		case_clear(&draft);
		break; /* one at a time: the others are offered at the next start */
	}
}

int view_note_open(struct ui *ui, uint64_t id)
{
	struct note_editor *ne = calloc(1, sizeof *ne);

	if (!ne || ed_init(&ne->ed, NOTE_MAX_BYTES, true) != 0) {
		free(ne);
		ui_say(ui, true, "%s", _("out of memory"));
		return M_UNAVAILABLE;
	}
	ne->id = id;
	ne->kind = NOTE_HOME_VISIT;
	ui_push(ui, &note_ops, ne);
	return M_OK;
}
