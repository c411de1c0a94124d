/* note.c: a new journal note. */
#define NCURSES_WIDECHAR 1
#include "tui/editor.h"
#include "tui/ui.h"

#include <curses.h>
#include <stdlib.h>

struct note_editor {
	uint64_t id;
	struct editor ed;
	enum note_kind kind;
	bool interpreter;
	time_t kept; /* when the text was last kept as a draft */
};

static void note_keep_to(struct note_editor *ne, struct ui *ui, bool wait);

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
	         (unsigned long long)ne->id, tui_note_kind(ne->kind),
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
		store_draft_delete(ui->st, ne->id);
		ui_changed(ui, ne->id);
		return false;
	}
	case REQ_CANCEL:
		if (ed_utf8_len(&ne->ed) && !ui_confirm(ui, _("Discard this note?")))
			return true;
		store_draft_delete(ui->st, ne->id);
		return false;
	case REQ_KIND:
		ne->kind = (enum note_kind)((ne->kind + 1) % 4);
		return true;
	case REQ_INTERPRETER:
		ne->interpreter = !ne->interpreter;
		return true;
	case REQ_NEWLINE:
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
	ui_edit(&ne->ed, req, ch, fnkey);
	if (ed_utf8_len(&ne->ed) && drafts_due(&ne->kept))
		note_keep_to(ne, ui, false);
	return true;
}

static void note_keep_to(struct note_editor *ne, struct ui *ui, bool wait)
{
	size_t len = ed_utf8_len(&ne->ed);
	char *text;

	if (len == 0 || !(text = keys_secure_alloc(len + 1)))
		return;
	ed_get_utf8(&ne->ed, text, len + 1);
	if (wait)
		store_draft_save(ui->st, ne->id, NULL, 0, text, len);
	else
		store_draft_keep(ui->st, ne->id, NULL, 0, text, len);
	keys_secure_free(text);
}

static void note_keep(void *self, struct ui *ui)
{
	note_keep_to(self, ui, true);
}

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

static const struct binding note_keys[] = {
    {CTRL('s'), false, REQ_SAVE},  {KEY_F(2), true, REQ_SAVE},    {27, false, REQ_CANCEL},
    {'\t', false, REQ_KIND},       {CTRL('t'), false, REQ_INTERPRETER},
    {'\n', false, REQ_NEWLINE},    {KEY_UP, true, REQ_UP},        {KEY_DOWN, true, REQ_DOWN},
};
static const enum request note_bar[] = {REQ_HELP, REQ_SAVE, REQ_CANCEL};
static KEYMAP(note_keymap, note_keys, note_bar, &edit_keymap);
static const struct keymap *const note_keymaps[] = {&note_keymap, NULL};

const struct view_ops note_ops = {
    .title = N_("New note"),
    .keymaps = note_keymaps,
    .draw = note_draw,
    .key = note_key,
    .free = note_free,
    .keep = note_keep,
};
