/* help.c: the keys of the screen below as it was (its mode), one line each,
 * generated from its keymap and the requests' descriptions. */
#define NCURSES_WIDECHAR 1
#include "tui/ui.h"

#include <curses.h>
#include <stdio.h>
#include <stdlib.h>

struct help_view {
	const struct keymap *of;      /* the keymap in front when help was asked for */
	enum request rows[REQ_COUNT]; /* the requests a key makes there, in order */
	size_t n;
	size_t nlegend; /* then the keymap's marks, one row each */
	struct listview list;
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

static int help_height(void)
{
	return LINES - 4; /* title, heading, message, key bar */
}

/* One line for each request a key makes there, in the requests' order. */
static void help_draw(void *self, struct ui *ui)
{
	struct help_view *hv = self;
	struct listview_row it = {0};
	int key_w = 0;
	char keys[96];

	ui_attr(ui, C_LABEL, true);
	ui_put(1, 1, _("Keys on this screen"), COLS - 2);
	ui_attr(ui, C_LABEL, false);
	for (size_t i = 0; i < hv->n; i++)
		if (keys_of(hv->of, hv->rows[i], keys, sizeof keys) && ui_text_width(keys) > key_w)
			key_w = ui_text_width(keys);
	for (size_t i = 0; i < hv->nlegend; i++)
		if (ui_text_width(hv->of->legend[2 * i]) > key_w)
			key_w = ui_text_width(hv->of->legend[2 * i]);
	if (key_w > COLS / 3)
		key_w = COLS / 3;
	listview_set(&hv->list, hv->n + hv->nlegend, help_height());
	while (listview_each(&hv->list, &it)) {
		int y = 2 + it.y;
		if (it.row >= hv->n) {
			/* A mark the screen shows, in the keys' column. */
			const char *const *m = hv->of->legend + 2 * (it.row - hv->n);
			ui_attr(ui, C_KEY, true);
			ui_put_cut(y, 3, m[0], key_w);
			ui_attr(ui, C_KEY, false);
			ui_put_cut(y, 3 + key_w + 2, _(m[1]), COLS - key_w - 7);
			continue;
		}
		keys_of(hv->of, hv->rows[it.row], keys, sizeof keys);
		ui_attr(ui, C_KEY, true);
		ui_put_cut(y, 3, keys, key_w);
		ui_attr(ui, C_KEY, false);
		/* The last column is the arrows'. */
		ui_put_cut(y, 3 + key_w + 2, request_help(hv->rows[it.row]), COLS - key_w - 7);
	}
	ui_put_more(&hv->list, 2, COLS - 1);
}

static bool help_key(void *self, struct ui *ui, enum request req, wint_t ch, bool fnkey)
{
	struct help_view *hv = self;

	(void)ui;
	(void)ch;
	(void)fnkey;
	listview_set(&hv->list, hv->n + hv->nlegend, help_height());
	return listview_request(&hv->list, req) || req != REQ_QUIT;
}

int view_help_open(struct ui *ui, const struct keymap *of)
{
	struct help_view *hv = calloc(1, sizeof *hv);
	char keys[96];

	if (!hv)
		return M_UNAVAILABLE;
	hv->of = of;
	for (int r = 1; r < REQ_COUNT; r++)
		if (request_offered(ui, (enum request)r) &&
		    keys_of(of, (enum request)r, keys, sizeof keys))
			hv->rows[hv->n++] = (enum request)r;
	for (const char *const *m = of->legend; m && m[0] && m[1]; m += 2)
		hv->nlegend++;
	listview_init(&hv->list, false, NULL, NULL);
	ui_push(ui, &help_ops, hv);
	return M_OK;
}

/* Help closes with the keys that opened it, too. */
static const struct binding help_keys[] = {
    {'q', false, REQ_QUIT},    {'?', false, REQ_QUIT},      {KEY_F(1), true, REQ_QUIT},
    {'\n', false, REQ_QUIT},   {KEY_PPAGE, true, REQ_PGUP}, {KEY_NPAGE, true, REQ_PGDN},
    {KEY_HOME, true, REQ_TOP}, {KEY_END, true, REQ_BOTTOM},
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
