/* dialog.c: a question on the message line, answered with one key. */
#define NCURSES_WIDECHAR 1
#include "tui/ui.h"

#include <curses.h>

/* Waits for y (j) or n; Esc, the idle lock or a dropped link leave the
 * question open (-1). Other keys, a resize among them, ask again. */
int ui_ask(struct ui *ui, const char *question)
{
	wint_t ch;
	bool fn;

	for (;;) {
		ui_say(ui, false, "%s %s", question, _("(y/n)"));
		ui_redraw(ui);
		if (!ui_read_key(ui, ui->script_state, &ch, &fn) || (fn && ch == KEY_IDLE) ||
		    (!fn && ch == 27)) {
			ui->message[0] = 0;
			return -1;
		}
		if (fn)
			continue;
		if (ch == 'y' || ch == 'Y' || ch == 'j' || ch == 'J' || ch == 'n' || ch == 'N') {
			ui->message[0] = 0;
			return ch == 'n' || ch == 'N' ? 0 : 1;
		}
	}
}

bool ui_confirm(struct ui *ui, const char *question)
{
	wint_t ch;
	bool fn;

	bool got;

	ui_say(ui, false, "%s %s", question, _("(y/n)"));
	ui_redraw(ui);
	got = ui_read_key(ui, ui->script_state, &ch, &fn);
	ui->message[0] = 0;
	return got && !fn && (ch == 'y' || ch == 'Y' || ch == 'j' || ch == 'J');
}
