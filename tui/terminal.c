/* terminal.c: whether TERM names a terminal the screens can draw on. Apart
 * from input.c: term.h's capability macros (hangup, lines) would clash. */
#define NCURSES_WIDECHAR 1
#include "tui/ui.h"

#include <curses.h>
#include <stdlib.h>
#include <term.h>
#include <unistd.h>

/* initscr() on a terminal terminfo does not know prints its own line and
 * exits, and on one that cannot move its cursor (dumb, an emacs shell) the
 * screens are garbage: say so before the passphrase is asked. */
int ui_check_terminal(void)
{
	const char *term = getenv("TERM");
	int err = 0;
	bool usable;

	if (!term || !*term)
		return cli_fail(M_USAGE, "%s",
		                _("the screens need a terminal like xterm, and TERM is not set; "
		                  "the commands work without one (mappe --help)"));
	usable = setupterm(term, STDOUT_FILENO, &err) == OK;
	if (usable) {
		const char *cup = tigetstr("cup");
		usable = cup && cup != (char *)-1 && tigetflag("hc") <= 0 && tigetflag("gn") <= 0;
		del_curterm(cur_term);
	}
	if (!usable)
		return cli_fail(M_USAGE,
		                _("the screens need a terminal like xterm, and TERM=%.40s is not "
		                  "one this system knows how to draw on; the commands work "
		                  "without one (mappe --help)"),
		                term);
	return M_OK;
}
