/* conflict.c: a colleague saved the case while the form was open: both
 * values of every field both changed, and the user chooses, field by field. */
#define NCURSES_WIDECHAR 1
#include "tui/ui.h"

#include <curses.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

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

static const struct keymap conflict_keymap;

/* When the version in front of the user was saved, in local time: the
 * clock alone today, else the date too (DD.MM.YYYY in Norwegian). */
static const char *saved_when(struct ui *ui, int64_t t, char *buf, size_t cap)
{
	time_t tt = (time_t)t, now = time(NULL);
	struct tm tm, today;
	char clock[16], date[16];

	if (!localtime_r(&tt, &tm) || !localtime_r(&now, &today) ||
	    !strftime(clock, sizeof clock, "%H:%M", &tm) ||
	    !strftime(date, sizeof date, ui->nb ? "%d.%m.%Y" : "%Y-%m-%d", &tm))
		return "";
	if (tm.tm_year == today.tm_year && tm.tm_yday == today.tm_yday)
		snprintf(buf, cap, _("at %s"), clock);
	else
		snprintf(buf, cap, _("on %s at %s"), date, clock);
	return buf;
}

/* Who saved the version that met ours, and when: the colleague by their
 * user name, "A colleague" for a case saved before mappe kept the saver. */
static void saved_by_line(struct ui *ui, const struct conflict *cf, char *buf, size_t cap)
{
	const struct case_rec *t = &cf->theirs;
	char when[64];
	const char *me = store_user(ui->st);

	saved_when(ui, t->saved_at ? t->saved_at : t->updated, when, sizeof when);
	if (!t->saved_by[0])
		snprintf(
		    buf, cap,
		    _("A colleague saved case %llu %s while you were editing (now version %u)."),
		    (unsigned long long)cf->id, when, t->version);
	else if (me && strcmp(t->saved_by, me) == 0)
		snprintf(buf, cap,
		         _("You saved case %llu %s in another session while you were editing here "
		           "(now version %u)."),
		         (unsigned long long)cf->id, when, t->version);
	else
		snprintf(buf, cap,
		         _("%s saved case %llu %s while you were editing (now version %u)."),
		         t->saved_by, (unsigned long long)cf->id, when, t->version);
}

/* The keys of request r here, "m/y": at most max of them. */
static const char *keys_of(enum request r, int max, char *buf, size_t cap)
{
	struct binding b;
	size_t at = 0;
	int n = 0;

	buf[0] = 0;
	for (size_t i = 0; n < max && keymap_binding(&conflict_keymap, i, &b); i++) {
		char name[32];
		if (b.req != r)
			continue;
		ui_key_name(b.ch, b.fnkey, name, sizeof name);
		at += (size_t)snprintf(buf + at, cap - at, "%s%s", n++ ? "/" : "", name);
		if (at >= cap)
			break;
	}
	return buf;
}

/* Text over at most `lines` rows of width columns, broken at spaces (a
 * word wider than a row is cut); the rows used. */
static int put_wrapped(int y, int x, const char *s, int width, int lines)
{
	int used = 0;

	while (*s && used < lines) {
		char row[512];
		size_t n = strlen(s), cut = n;
		if (n >= sizeof row)
			n = cut = sizeof row - 1;
		memcpy(row, s, n);
		row[n] = 0;
		while (ui_text_width(row) > width && used + 1 < lines) {
			char *sp = strrchr(row, ' ');
			if (!sp)
				break;
			*sp = 0;
			cut = (size_t)(sp - row) + 1;
		}
		ui_put(y + used++, x, row, width);
		if (cut >= n)
			break;
		s += cut;
	}
	return used;
}

static void conflict_draw(void *self, struct ui *ui)
{
	struct conflict *cf = self;
	int label_w = COLS >= 70 ? 24 : COLS / 3, y = 1;
	char head[320];

	saved_by_line(ui, cf, head, sizeof head);
	ui_attr(ui, C_ERROR, true);
	y += put_wrapped(y, 1, head, COLS - 2, 2);
	ui_attr(ui, C_ERROR, false);
	ui_put(y++, 1,
	       cf->n ? _("Choose, field by field, which value to keep:")
	             : _("They changed other fields than you: your changes can be saved."),
	       COLS - 2);
	if (cf->n) {
		char mine[48], theirs[48], toggle[48], save[48], how[320];
		snprintf(how, sizeof how,
		         _("%s keeps yours, %s keeps theirs, %s switches; %s saves."),
		         keys_of(REQ_TAKE_MINE, 2, mine, sizeof mine),
		         keys_of(REQ_TAKE_THEIRS, 2, theirs, sizeof theirs),
		         keys_of(REQ_TOGGLE, 1, toggle, sizeof toggle),
		         keys_of(REQ_SAVE, 1, save, sizeof save));
		y += put_wrapped(y, 1, how, COLS - 2, 2);
	}
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
		ui_put(y++, 5 + label_w,
		       ui_field_text(ui, cf->id, (enum field_id)f, or_empty(cf->mine.value[f])),
		       COLS - label_w - 6);
		snprintf(line, sizeof line, "%s %s", cf->take_mine[f] ? "[ ]" : "[x]", _("theirs:"));
		ui_put(y, 5, line, label_w);
		ui_put(y++, 5 + label_w,
		       ui_field_text(ui, cf->id, (enum field_id)f, or_empty(cf->theirs.value[f])),
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
	if (req == REQ_UP || req == REQ_DOWN || req == REQ_NEXT)
		ui_reveal_clear(ui); /* moved on: masked again */
	if (req == REQ_UP && cf->sel > 0)
		cf->sel--;
	else if ((req == REQ_DOWN || req == REQ_NEXT) && cf->sel + 1 < cf->n)
		cf->sel++;
	else if (req == REQ_REVEAL) {
		/* Both values of the field, yours and theirs. */
		if (f < 0 || !ui_masked(ui, cf->id, (enum field_id)f))
			ui_say(ui, false, "%s", _("Nothing is masked here"));
		else
			ui_reveal_field(ui, cf->id, (enum field_id)f);
	} else if (f >= 0 && req == REQ_TOGGLE)
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
    {'r', false, REQ_REVEAL},
};
static const enum request conflict_bar[] = {REQ_HELP,      REQ_SAVE,        REQ_PRIVACY, REQ_REVEAL,
                                            REQ_UP,        REQ_DOWN,        REQ_TAKE_MINE,
                                            REQ_TAKE_THEIRS, REQ_CANCEL};
static KEYMAP(conflict_keymap, conflict_keys, conflict_bar, &generic_keymap);
static const struct keymap *const conflict_keymaps[] = {&conflict_keymap, NULL};

const struct view_ops conflict_ops = {
    .title = N_("Conflict"),
    .keymaps = conflict_keymaps,
    .draw = conflict_draw,
    .key = conflict_key,
    .free = conflict_free,
};
