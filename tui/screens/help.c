/* help.c: the keys of the screen below as it was (its mode), one line each,
 * generated from its keymap and the requests' descriptions. */
#define NCURSES_WIDECHAR 1
#include "tui/ui.h"

#include <curses.h>
#include <stdio.h>
#include <stdlib.h>

struct help_view {
	const struct keymap *of; /* the keymap in front when help was asked for */
	int top;
	int lines; /* drawn last time, for scrolling */
};

static void help_free(void *self)
{
	free(self);
}

/* Every key that makes request r in km, "^A Home"; false for none. */
static bool keys_of(const struct keymap *km, enum request r, char *out, size_t size)
{
	struct binding b;
	size_t off = 0;

	out[0] = 0;
	for (size_t i = 0; keymap_binding(km, i, &b); i++) {
		char name[32];
		if (b.req != r)
			continue;
		ui_key_name(b.ch, b.fnkey, name, sizeof name);
		if (off < size)
			off +=
			    (size_t)snprintf(out + off, size - off, "%s%s", off ? " " : "", name);
	}
	return off > 0;
}

/* One line for each request a key makes there, in the requests' order. */
static void help_draw(void *self, struct ui *ui)
{
	struct help_view *hv = self;
	int y = 2 - hv->top, key_w = 0;
	char keys[96];

	ui_attr(ui, C_LABEL, true);
	ui_put(1, 1, _("Keys on this screen"), COLS - 2);
	ui_attr(ui, C_LABEL, false);
	for (int r = 1; r < REQ_COUNT; r++)
		if (request_offered(ui, (enum request)r) &&
		    keys_of(hv->of, (enum request)r, keys, sizeof keys) &&
		    ui_text_width(keys) > key_w)
			key_w = ui_text_width(keys);
	if (key_w > COLS / 3)
		key_w = COLS / 3;
	for (int r = 1; r < REQ_COUNT; r++) {
		if (!request_offered(ui, (enum request)r) ||
		    !keys_of(hv->of, (enum request)r, keys, sizeof keys))
			continue;
		if (y >= 2 && y < LINES - 2) {
			ui_attr(ui, C_KEY, true);
			ui_put(y, 3, keys, key_w);
			ui_attr(ui, C_KEY, false);
			ui_put(y, 3 + key_w + 2, request_help((enum request)r), COLS - key_w - 6);
		}
		y++;
	}
	hv->lines = y + hv->top - 2;
}

static bool help_key(void *self, struct ui *ui, enum request req, wint_t ch, bool fnkey)
{
	struct help_view *hv = self;

	(void)ui;
	(void)ch;
	(void)fnkey;
	if (req == REQ_DOWN && hv->top + (LINES - 4) < hv->lines)
		hv->top++;
	else if (req == REQ_UP && hv->top > 0)
		hv->top--;
	else if (req == REQ_QUIT)
		return false;
	return true;
}

int view_help_open(struct ui *ui, const struct keymap *of)
{
	struct help_view *hv = calloc(1, sizeof *hv);

	if (!hv)
		return M_UNAVAILABLE;
	hv->of = of;
	ui_push(ui, &help_ops, hv);
	return M_OK;
}

/* Help closes with the keys that opened it, too. */
static const struct binding help_keys[] = {
    {'q', false, REQ_QUIT},
    {'?', false, REQ_QUIT},
    {KEY_F(1), true, REQ_QUIT},
    {'\n', false, REQ_QUIT},
};
static const enum request help_bar[] = {REQ_QUIT, REQ_UP, REQ_DOWN};
static KEYMAP(help_keymap, help_keys, help_bar, &browse_keymap);
static const struct keymap *const help_keymaps[] = {&help_keymap, NULL};

const struct view_ops help_ops = {
    .title = N_("Help"),
    .keymaps = help_keymaps,
    .draw = help_draw,
    .key = help_key,
    .free = help_free,
};
