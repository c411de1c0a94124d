/* dialog.c: a question on the message line, answered with one key. */
#define NCURSES_WIDECHAR 1
#include "tui/ui.h"

#include <curses.h>

int ui_ask(struct ui *ui, const char *question)
{
	wint_t ch;
	bool fn, got;

	ui_say(ui, false, "%s %s", question, _("(y/n)"));
	ui_redraw(ui);
	got = ui_read_key(ui, ui->script_state, &ch, &fn);
	ui->message[0] = 0;
	if (!got || fn)
		return -1;
	if (ch == 'y' || ch == 'Y' || ch == 'j' || ch == 'J')
		return 1;
	return ch == 'n' || ch == 'N' ? 0 : -1;
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
