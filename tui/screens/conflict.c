/* conflict.c: a colleague saved the case while the form was open: both
 * values of every field both changed, and the user chooses, field by field. */
#define NCURSES_WIDECHAR 1
#include "tui/ui.h"

#include <curses.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct conflict {
	uint64_t id;
	const struct case_rec *orig; /* what the form started from */
	uint32_t base;               /* the version the edits started from */
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
	if ((rc = store_case_get(ui->st, cf->id, &cf->theirs)))
		return rc;
	cf->n = 0;
	/* A form restored from a draft started at an older version than the
	 * values it shows: what the colleague changed is unknown, so every
	 * field that differs is in dispute. */
	bool unknown_base = cf->orig->version != cf->base;
	for (int f = 0; f < F_COUNT; f++) {
		const char *orig = or_empty(cf->orig->value[f]);
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
	         (unsigned long long)cf->id, cf->theirs.version);
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
		ui_put(y++, 5 + label_w, ui_value_label(ui, (enum field_id)f, or_empty(cf->mine.value[f])),
		       COLS - label_w - 6);
		snprintf(line, sizeof line, "%s %s", cf->take_mine[f] ? "[ ]" : "[x]", _("theirs:"));
		ui_put(y, 5, line, label_w);
		ui_put(y++, 5 + label_w, ui_value_label(ui, (enum field_id)f, or_empty(cf->theirs.value[f])),
		       COLS - label_w - 6);
	}
}

static bool conflict_key(void *self, struct ui *ui, enum request req, wint_t ch, bool fnkey)
{
	struct conflict *cf = self;
	int f = cf->n ? cf->field[cf->sel] : -1;

	(void)ch;
	(void)fnkey;
	if (req == REQ_CANCEL || req == REQ_QUIT)
		return false; /* back to the form, nothing saved */
	if (req == REQ_UP && cf->sel > 0)
		cf->sel--;
	else if ((req == REQ_DOWN || req == REQ_NEXT) && cf->sel + 1 < cf->n)
		cf->sel++;
	else if (f >= 0 && req == REQ_TOGGLE)
		cf->take_mine[f] = !cf->take_mine[f];
	else if (f >= 0 && req == REQ_TAKE_MINE)
		cf->take_mine[f] = true;
	else if (f >= 0 && req == REQ_TAKE_THEIRS)
		cf->take_mine[f] = false;
	else if (req == REQ_SAVE) {
		struct case_rec upd;
		bool any = false;
		int rc;
		case_init(&upd);
		upd.id = cf->id;
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
			store_draft_delete(ui->st, cf->id); /* the edits were settled */
			ui_changed(ui, cf->id);
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
		store_draft_delete(ui->st, cf->id);
		case_clear(&upd);
		ui_changed(ui, cf->id);
		ui->pop_more = 1; /* the form is done too */
		return false;
	}
	return true;
}

void view_conflict_open(struct ui *ui, const struct case_rec *orig, uint32_t base,
                        struct case_rec *mine)
{
	struct conflict *cf = calloc(1, sizeof *cf);

	if (!cf) {
		case_clear(mine);
		return;
	}
	cf->id = orig->id;
	cf->orig = orig;
	cf->base = base;
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

/* Letters choose a side (y or m: yours, mine; t or d: theirs, deres), so q
 * is no key here. */
static const struct binding conflict_keys[] = {
    {CTRL('s'), false, REQ_SAVE},   {KEY_F(2), true, REQ_SAVE},     {'\n', false, REQ_SAVE},
    {27, false, REQ_CANCEL},        {'?', false, REQ_HELP},         {KEY_UP, true, REQ_UP},
    {KEY_DOWN, true, REQ_DOWN},     {'\t', false, REQ_NEXT},        {'m', false, REQ_TAKE_MINE},
    {'y', false, REQ_TAKE_MINE},    {'t', false, REQ_TAKE_THEIRS},  {'d', false, REQ_TAKE_THEIRS},
    {' ', false, REQ_TOGGLE},       {KEY_LEFT, true, REQ_TOGGLE},   {KEY_RIGHT, true, REQ_TOGGLE},
};
static const enum request conflict_bar[] = {REQ_HELP,      REQ_SAVE,        REQ_UP,    REQ_DOWN,
                                            REQ_TAKE_MINE, REQ_TAKE_THEIRS, REQ_CANCEL};
static KEYMAP(conflict_keymap, conflict_keys, conflict_bar, &generic_keymap);
static const struct keymap *const conflict_keymaps[] = {&conflict_keymap, NULL};

const struct view_ops conflict_ops = {
    .title = N_("Conflict"),
    .keymaps = conflict_keymaps,
    .draw = conflict_draw,
    .key = conflict_key,
    .free = conflict_free,
};
