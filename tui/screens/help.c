/* help.c: the keys of the screen below, generated from the keymap. */
#define NCURSES_WIDECHAR 1
#include "tui/ui.h"

#include <curses.h>
#include <stdio.h>
#include <stdlib.h>

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

int view_help_open(struct ui *ui, const struct view_ops *of)
{
	struct help_view *hv = calloc(1, sizeof *hv);

	if (!hv)
		return M_UNAVAILABLE;
	hv->of = of;
	ui_push(ui, &help_ops, hv);
	return M_OK;
}

const struct view_ops help_ops = {
    .title = N_("Help"),
    .hints = RQ(REQ_QUIT),
    .draw = help_draw,
    .key = help_key,
    .free = help_free,
};
