/* colour.c: the colour pairs, with a monochrome fallback and NO_COLOR. */
#define NCURSES_WIDECHAR 1
#include "tui/ui.h"

#include <curses.h>
#include <stdlib.h>

void ui_attr(struct ui *ui, enum ui_color c, bool on)
{
	attr_t a = A_NORMAL;

	/* Monochrome terminals and NO_COLOR get the same structure in
	 * reverse, bold and dim. */
	switch (c) {
	case C_TITLE:
	case C_BAR:
		a = A_REVERSE;
		break;
	case C_KEY:
	case C_LABEL:
		a = A_BOLD;
		break;
	case C_SELECTED:
	case C_EDIT:
		a = A_REVERSE;
		break;
	case C_LOCKED:
		a = A_DIM;
		break;
	case C_ERROR:
		a = A_BOLD;
		break;
	case C_NORMAL:
		break;
	}
	if (ui->color && c != C_NORMAL && c != C_EDIT)
		a |= COLOR_PAIR(c);
	if (on)
		attron(a);
	else
		attroff(a);
}

void ui_colors_init(struct ui *ui)
{
	const char *nc = getenv("NO_COLOR");

	ui->color = has_colors() && !(nc && *nc);
	if (!ui->color)
		return;
	start_color();
	use_default_colors();
	init_pair(C_TITLE, COLOR_WHITE, COLOR_BLUE);
	init_pair(C_BAR, COLOR_BLACK, COLOR_CYAN);
	init_pair(C_KEY, COLOR_BLACK, COLOR_CYAN);
	init_pair(C_SELECTED, COLOR_BLACK, COLOR_CYAN);
	init_pair(C_LOCKED, COLOR_YELLOW, -1);
	init_pair(C_ERROR, COLOR_RED, -1);
	init_pair(C_LABEL, -1, -1);
}
