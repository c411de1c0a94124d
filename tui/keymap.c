/* keymap.c: which request a key makes, and how requests are named in the key
 * bar and on the help screen (tig's keys.c and REQ_INFO). */
#define NCURSES_WIDECHAR 1
#include "tui/ui.h"

#include <curses.h>

static const struct {
	const char *key, *label;
} requests[REQ_COUNT] = {
    [REQ_NONE] = {"", ""},
#define REQ_INFO(name, key, label) [REQ_##name] = {key, label},
    REQUESTS(REQ_INFO)
#undef REQ_INFO
};

static const struct binding {
	wint_t ch;
	bool fnkey;
	bool in_text; /* also while typing text */
	enum request req;
} keymap[] = {
    {'q', false, false, REQ_QUIT},         {'?', false, false, REQ_HELP},
    {'/', false, false, REQ_SEARCH},       {'\n', false, true, REQ_OPEN},
    {'\r', false, true, REQ_OPEN},         {KEY_ENTER, true, true, REQ_OPEN},
    {'e', false, false, REQ_EDIT},         {'n', false, false, REQ_NOTE},
    {CTRL('s'), false, true, REQ_SAVE},    {KEY_F(2), true, true, REQ_SAVE},
    {'s', false, false, REQ_STATUS},       {'m', false, false, REQ_MINE},
    {'K', false, false, REQ_KEYS},         {'r', false, false, REQ_ROTATE},
    {KEY_UP, true, true, REQ_UP},          {'k', false, false, REQ_UP},
    {KEY_DOWN, true, true, REQ_DOWN},      {'j', false, false, REQ_DOWN},
    {KEY_PPAGE, true, true, REQ_PGUP},     {KEY_NPAGE, true, true, REQ_PGDN},
    {KEY_HOME, true, false, REQ_TOP},      {KEY_END, true, false, REQ_BOTTOM},
    {'o', false, false, REQ_OLDER},
    {'\t', false, true, REQ_NEXT},         {KEY_BTAB, true, true, REQ_PREV},
    {27, false, true, REQ_CANCEL},         {CTRL('l'), false, true, REQ_REDRAW},
    {KEY_F(1), true, true, REQ_HELP},
};

enum request keymap_lookup(wint_t ch, bool fnkey, bool text_input)
{
	for (size_t i = 0; i < sizeof keymap / sizeof *keymap; i++)
		if (keymap[i].ch == ch && keymap[i].fnkey == fnkey &&
		    (!text_input || keymap[i].in_text))
			return keymap[i].req;
	return REQ_NONE;
}

const char *request_label(enum request r)
{
	return _(requests[r].label);
}

const char *request_key(enum request r)
{
	return requests[r].key;
}
