/* dialog.c: a question on the message line, answered with one key. */
#define NCURSES_WIDECHAR 1
#include "tui/ui.h"

#include <curses.h>

static bool is_yes(wint_t ch)
{
	return ch == 'y' || ch == 'Y' || ch == 'j' || ch == 'J';
}

/* 1 for y (j), 0 for n, -1 for Esc, the idle lock or a dropped link. once:
 * the first key answers, anything but yes is -1; otherwise other keys, a
 * resize among them, ask again. */
static int ask(struct ui *ui, const char *question, bool once)
{
	for (;;) {
		wint_t ch;
		bool fn;

		ui_say(ui, false, "%s %s", question, _("(y/n)"));
		ui_redraw(ui);
		if (!ui_read_key(ui, ui->script_state, &ch, &fn) || (fn && ch == KEY_IDLE) ||
		    (!fn && ch == 27) || (once && (fn || !is_yes(ch)))) {
			ui->message[0] = 0;
			return -1;
		}
		if (!fn && (is_yes(ch) || ch == 'n' || ch == 'N')) {
			ui->message[0] = 0;
			return is_yes(ch) ? 1 : 0;
		}
	}
}

/* Waits for y (j) or n; Esc, the idle lock or a dropped link leave the
 * question open (-1). Other keys, a resize among them, ask again. */
int ui_ask(struct ui *ui, const char *question)
{
	return ask(ui, question, false);
}

/* One key answers: yes, or anything else for no. */
bool ui_confirm(struct ui *ui, const char *question)
{
	return ask(ui, question, true) == 1;
}

struct menu {
	const char *title;
	const char *const *items;
	int n, at, w;
};

static void draw_menu(struct ui *ui, const void *ctx)
{
	const struct menu *m = ctx;
	int top = (LINES - (m->n + 2)) / 2, left = (COLS - m->w) / 2;

	if (top < 1)
		top = 1;
	if (left < 0)
		left = 0;
	ui_attr(ui, C_TITLE, true);
	ui_put_pad(top, left, "", m->w);
	ui_put(top, left + 1, m->title, m->w - 2);
	ui_attr(ui, C_TITLE, false);
	for (int i = 0; i < m->n && top + 1 + i < LINES - 1; i++) {
		char line[160];
		snprintf(line, sizeof line, " %c %d  %s", i == m->at ? '>' : ' ', (i + 1) % 10,
		         m->items[i]);
		if (i == m->at)
			ui_attr(ui, C_SELECTED, true);
		ui_put_pad(top + 1 + i, left, line, m->w);
		if (i == m->at)
			ui_attr(ui, C_SELECTED, false);
	}
	if (top + 1 + m->n < LINES - 1)
		ui_put_pad(top + 1 + m->n, left, "", m->w);
}

int ui_menu(struct ui *ui, const char *title, const char *const *items, int n, int at)
{
	struct menu m = {title, items, n, at, ui_text_width(title) + 4};
	int pick = -2;

	for (int i = 0; i < n; i++)
		if (ui_text_width(items[i]) + 8 > m.w)
			m.w = ui_text_width(items[i]) + 8;
	ui->overlay = draw_menu;
	ui->overlay_ctx = &m;
	while (pick == -2) {
		wint_t ch;
		bool fn;

		ui_redraw(ui);
		if (!ui_read_key(ui, ui->script_state, &ch, &fn) || (fn && ch == KEY_IDLE))
			pick = -1;
		else if (fn && ch == KEY_UP)
			m.at = m.at > 0 ? m.at - 1 : n - 1;
		else if (fn && ch == KEY_DOWN)
			m.at = m.at + 1 < n ? m.at + 1 : 0;
		else if (!fn && ch == 'k')
			m.at = m.at > 0 ? m.at - 1 : n - 1;
		else if (!fn && ch == 'j')
			m.at = m.at + 1 < n ? m.at + 1 : 0;
		else if (!fn && (ch == '\n' || ch == '\r'))
			pick = m.at;
		else if (!fn && ch == 27)
			pick = -1;
		else if (!fn && ch >= '0' && ch <= '9' && (ch == '0' ? 9 : (int)ch - '1') < n)
			pick = ch == '0' ? 9 : (int)ch - '1';
	}
	ui->overlay = NULL;
	ui->overlay_ctx = NULL;
	return pick;
}
