/* display.c: one frame: the screen on top, then the title bar, the message
 * line and the key bar around it; or a message when the window is too small. */
#define NCURSES_WIDECHAR 1
#include "tui/ui.h"

#include <curses.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

void ui_cursor(struct ui *ui, int y, int x)
{
	ui->cursor_on = true;
	ui->cursor_y = y;
	ui->cursor_x = x;
}

void ui_say(struct ui *ui, bool error, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(ui->message, sizeof ui->message, fmt, ap);
	va_end(ap);
	ui->message_error = error;
}

static void draw_frame(struct ui *ui, const struct view *v)
{
	const struct view_ops *ops = v->ops;
	const struct keymap *km = keymap_of(v);
	char title[160];
	int x = 0;

	/* Title bar: where you are and who you are. */
	ui_attr(ui, C_TITLE, true);
	snprintf(title, sizeof title, " mappe · %s", _(ops->title));
	if (ops->subtitle) {
		char sub[96];
		const char *s = ops->subtitle(v->self, ui, sub, sizeof sub);
		if (s && *s)
			snprintf(title + strlen(title), sizeof title - strlen(title), " · %s", s);
	}
	ui_put_pad(0, 0, title, COLS);
	{
		char who[96];
		/* Privacy mode is said at the right edge, whatever else fits. */
		const char *tag = ui->privacy ? _(" PRIVATE ") : "";
		int tw = ui_text_width(tag);
		snprintf(who, sizeof who, "%s (%s) ", store_user(ui->st),
		         _(keys_role_name(store_role(ui->st))));
		int w = ui_text_width(who);
		if (w < COLS - tw - ui_text_width(title) - 1)
			ui_put(0, COLS - tw - w, who, w);
		if (tw) {
			ui_attr(ui, C_TITLE, false);
			ui_attr(ui, C_ERROR, true);
			ui_put(0, COLS - tw, tag, tw);
			ui_attr(ui, C_ERROR, false);
			ui_attr(ui, C_TITLE, true);
		}
	}
	ui_attr(ui, C_TITLE, false);

	/* Message line. */
	move(LINES - 2, 0);
	clrtoeol();
	if (ui->message[0]) {
		ui_attr(ui, ui->message_error ? C_ERROR : C_NORMAL, true);
		ui_put(LINES - 2, 1, ui->message, COLS - 2);
		ui_attr(ui, ui->message_error ? C_ERROR : C_NORMAL, false);
	}

	/* Key bar (htop's FunctionBar): the keymap in front of the user, in the
	 * order its bar gives, as many as fit; each request with the first key
	 * that makes it there, so never a key that does something else. */
	ui_attr(ui, C_BAR, true);
	move(LINES - 1, 0);
	clrtoeol();
	ui_put_pad(LINES - 1, 0, "", COLS);
	for (size_t i = 0; i < km->nbar; i++) {
		enum request r = km->bar[i];
		struct binding b;
		char key[32];
		bool bound = false;
		/* Privacy mode's keys while it is on: off, the bar is as it was. */
		if (!request_offered(ui, r) ||
		    ((r == REQ_REVEAL || r == REQ_PRIVACY) && !ui->privacy))
			continue;
		for (size_t j = 0; !bound && keymap_binding(km, j, &b); j++)
			bound = b.req == r;
		if (!bound)
			continue;
		ui_key_name(b.ch, b.fnkey, key, sizeof key);
		if (x + ui_text_width(key) + 1 + ui_text_width(request_label(r)) + 1 > COLS)
			break;
		ui_attr(ui, C_KEY, true);
		x += ui_put(LINES - 1, x, key, COLS - x);
		ui_attr(ui, C_KEY, false);
		x += ui_put(LINES - 1, x, " ", 1);
		x += ui_put(LINES - 1, x, request_label(r), COLS - x);
		x += ui_put(LINES - 1, x, "  ", COLS - x);
	}
	ui_attr(ui, C_BAR, false);
}

static void draw_too_small(void)
{
	char msg[96];

	erase();
	snprintf(msg, sizeof msg, _("Window too small: needs %dx%d"), UI_MIN_COLS, UI_MIN_ROWS);
	for (int y = 0, off = 0; y < LINES && off < (int)strlen(msg); y++) {
		/* Wrap the message over as many rows as it takes. */
		int w = ui_put(y, 0, msg + off, COLS);
		off += w; /* the message is ASCII-free of wide text: one byte per column */
		if (w == 0)
			break;
	}
}

void ui_redraw(struct ui *ui)
{
	struct view *v;

	if (ui->depth == 0)
		return; /* the lock screen draws itself */
	v = &ui->stack[ui->depth - 1];

	erase();
	ui->cursor_on = false;
	if (COLS < UI_MIN_COLS || LINES < UI_MIN_ROWS) {
		draw_too_small();
	} else {
		v->ops->draw(v->self, ui);
		draw_frame(ui, v);
		if (ui->overlay)
			ui->overlay(ui, ui->overlay_ctx);
	}
	/* The text cursor shows only where text is being typed. */
	if (ui->cursor_on && ui->cursor_y >= 0 && ui->cursor_y < LINES && ui->cursor_x >= 0 &&
	    ui->cursor_x < COLS) {
		leaveok(stdscr, FALSE);
		move(ui->cursor_y, ui->cursor_x);
		curs_set(1);
	} else {
		/* A hidden cursor stays where the last change left it: parking
		 * it costs a move on every update (docs/performance.md). */
		leaveok(stdscr, TRUE);
		curs_set(0);
	}
	if (!ui->script)
		refresh();
}
