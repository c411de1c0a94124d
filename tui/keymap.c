/* keymap.c: which request a key makes (tig's keys.c): each screen's keymap,
 * and each mode's, falls back through its parents to the generic keymap;
 * the requests' names for the key bar and the help screen (REQ_INFO); and
 * the line editor's requests. The screens' own keymaps are in their files. */
#define NCURSES_WIDECHAR 1
#include "tui/editor.h"
#include "tui/ui.h"

#include <curses.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>

/* clang-format off */
static const struct {
	const char *label, *help;
} requests[REQ_COUNT] = {
    [REQ_NONE] = {"", ""},
#define REQ_INFO(name, label, help) [REQ_##name] = {label, help},
    REQUESTS(REQ_INFO)
#undef REQ_INFO
};
/* clang-format on */

/* The loop itself does these, whatever the screen. */
static const struct binding generic_keys[] = {
    {KEY_F(1), true, REQ_HELP},
    {CTRL('l'), false, REQ_REDRAW},
    {CTRL('p'), false, REQ_PRIVACY}, /* where letters are text (forms, search) */
};
static const enum request generic_bar[] = {REQ_HELP};
KEYMAP(generic_keymap, generic_keys, generic_bar, NULL);

/* Screens that take no text: letters are commands. */
static const struct binding browse_keys[] = {
    {'q', false, REQ_QUIT}, {27, false, REQ_QUIT}, {'?', false, REQ_HELP},
    {KEY_UP, true, REQ_UP}, {'k', false, REQ_UP},  {KEY_DOWN, true, REQ_DOWN},
    {'j', false, REQ_DOWN}, {'P', false, REQ_PRIVACY},
};
static const enum request browse_bar[] = {REQ_HELP, REQ_QUIT};
KEYMAP(browse_keymap, browse_keys, browse_bar, &generic_keymap);

/* Screens where text is typed into a line editor (readline's keys). */
static const struct binding edit_keys[] = {
    {KEY_LEFT, true, REQ_ED_LEFT},           {KEY_RIGHT, true, REQ_ED_RIGHT},
    {CTRL('a'), false, REQ_ED_HOME},         {KEY_HOME, true, REQ_ED_HOME},
    {CTRL('e'), false, REQ_ED_END},          {KEY_END, true, REQ_ED_END},
    {CTRL('b'), false, REQ_ED_WORD_LEFT},    {CTRL('f'), false, REQ_ED_WORD_RIGHT},
    {KEY_BACKSPACE, true, REQ_ED_BACKSPACE}, {KEY_DC, true, REQ_ED_DELETE},
    {CTRL('k'), false, REQ_ED_KILL_EOL},     {CTRL('u'), false, REQ_ED_KILL_LINE},
    {CTRL('w'), false, REQ_ED_KILL_WORD},
};
static const enum request edit_bar[] = {REQ_HELP};
KEYMAP(edit_keymap, edit_keys, edit_bar, &generic_keymap);

/* One key for each of the names terminals give it: Enter is \r, \n or
 * KEY_ENTER; Backspace is DEL, ^H or KEY_BACKSPACE. */
static void fold_key(wint_t *ch, bool *fnkey)
{
	if ((!*fnkey && *ch == '\r') || (*fnkey && *ch == KEY_ENTER)) {
		*ch = '\n';
		*fnkey = false;
	} else if (!*fnkey && (*ch == 127 || *ch == CTRL('h'))) {
		*ch = KEY_BACKSPACE;
		*fnkey = true;
	}
}

static const struct binding *find(const struct keymap *km, wint_t ch, bool fnkey)
{
	for (size_t i = 0; i < km->n; i++)
		if (km->keys[i].ch == ch && km->keys[i].fnkey == fnkey)
			return &km->keys[i];
	return NULL;
}

enum request keymap_lookup(const struct keymap *km, wint_t ch, bool fnkey)
{
	fold_key(&ch, &fnkey);
	for (; km; km = km->parent) {
		const struct binding *b = find(km, ch, fnkey);
		if (b)
			return b->req;
	}
	return REQ_NONE;
}

bool keymap_binding(const struct keymap *km, size_t i, struct binding *b)
{
	for (const struct keymap *k = km; k; k = k->parent) {
		for (size_t j = 0; j < k->n; j++) {
			const struct binding *kb = &k->keys[j];
			bool shadowed = false;
			for (const struct keymap *before = km; before != k; before = before->parent)
				shadowed |= find(before, kb->ch, kb->fnkey) != NULL;
			if (shadowed || i-- > 0)
				continue;
			*b = *kb;
			return true;
		}
	}
	return false;
}

const struct keymap *keymap_of(const struct view *v)
{
	return v->ops->keymaps[v->ops->mode ? v->ops->mode(v->self) : 0];
}

const char *ui_key_name(wint_t ch, bool fnkey, char *buf, size_t size)
{
	static const struct {
		wint_t ch;
		bool fnkey;
		const char *name;
	} names[] = {
	    {'\n', false, "Enter"},    {'\t', false, "Tab"},     {27, false, "Esc"},
	    {' ', false, "Space"},     {KEY_UP, true, "↑"},      {KEY_DOWN, true, "↓"},
	    {KEY_LEFT, true, "←"},     {KEY_RIGHT, true, "→"},   {KEY_PPAGE, true, "PgUp"},
	    {KEY_NPAGE, true, "PgDn"}, {KEY_HOME, true, "Home"}, {KEY_END, true, "End"},
	    {KEY_BTAB, true, "S-Tab"}, {KEY_DC, true, "Del"},    {KEY_BACKSPACE, true, "Backspace"},
	};

	for (size_t i = 0; i < sizeof names / sizeof *names; i++)
		if (names[i].ch == ch && names[i].fnkey == fnkey) {
			snprintf(buf, size, "%s", names[i].name);
			return buf;
		}
	if (fnkey && ch >= KEY_F(1) && ch <= KEY_F(63)) {
		snprintf(buf, size, "F%d", (int)(ch - KEY_F0));
	} else if (!fnkey && ch < 0x20) {
		snprintf(buf, size, "^%c", (char)(ch + '@'));
	} else if (!fnkey) {
		char mb[MB_LEN_MAX + 1];
		mbstate_t ps;
		size_t n;
		memset(&ps, 0, sizeof ps);
		n = wcrtomb(mb, (wchar_t)ch, &ps);
		mb[n == (size_t)-1 ? 0 : n] = 0;
		snprintf(buf, size, "%s", mb);
	} else {
		snprintf(buf, size, "?");
	}
	return buf;
}

const char *request_label(enum request r)
{
	return _(requests[r].label);
}

const char *request_help(enum request r)
{
	return _(requests[r].help);
}

bool request_offered(struct ui *ui, enum request r)
{
	/* My day's filter and the dashboard: the team's deadlines and the
	 * year's ledger are a lead's. */
	if (r == REQ_CASEWORKER || r == REQ_DASHBOARD || r == REQ_DAY_OF || r == REQ_AUDIT)
		return store_role(ui->st) == ROLE_LEAD || store_role(ui->st) == ROLE_ADMIN;
	return r != REQ_KEYS || store_role(ui->st) == ROLE_ADMIN;
}

int ui_edit(struct editor *ed, enum request req, wint_t ch, bool fnkey)
{
	static const enum ed_op ops[REQ_COUNT] = {
	    [REQ_ED_LEFT] = ED_LEFT,
	    [REQ_ED_RIGHT] = ED_RIGHT,
	    [REQ_ED_HOME] = ED_HOME,
	    [REQ_ED_END] = ED_END,
	    [REQ_ED_WORD_LEFT] = ED_WORD_LEFT,
	    [REQ_ED_WORD_RIGHT] = ED_WORD_RIGHT,
	    [REQ_ED_BACKSPACE] = ED_BACKSPACE,
	    [REQ_ED_DELETE] = ED_DELETE,
	    [REQ_ED_KILL_EOL] = ED_KILL_EOL,
	    [REQ_ED_KILL_LINE] = ED_KILL_LINE,
	    [REQ_ED_KILL_WORD] = ED_KILL_WORD_BACK,
	};

	if (req == REQ_NONE)
		return !fnkey && ch >= 0x20 && ch != 0x7f ? ed_apply(ed, ED_INSERT, (wchar_t)ch)
		                                          : 1;
	if (req >= REQ_ED_LEFT && req <= REQ_ED_KILL_WORD)
		return ed_apply(ed, ops[req], 0);
	return 1;
}
