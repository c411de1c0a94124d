/* input.c: keys from the terminal (or the script), a resize or a dropped
 * link noticed while waiting for one, and the keys every line editor
 * understands. */
#define NCURSES_WIDECHAR 1
#include <sys/ioctl.h> /* before ui.h: it has a CTRL of its own for termios */

#include "tui/editor.h"
#include "tui/ui.h"

#include <curses.h>
#include <poll.h>
#include <signal.h>
#include <time.h>
#include <unistd.h>

static volatile sig_atomic_t hangup;

static void on_hangup(int sig)
{
	(void)sig;
	hangup = 1;
}

void ui_catch_hangup(void)
{
	signal(SIGHUP, on_hangup);
	signal(SIGTERM, on_hangup);
}

bool ui_hung_up(void)
{
	return hangup;
}


/* The size the terminal has now, which a SIGWINCH may have announced while
 * we were drawing rather than waiting in read(). */
static bool size_changed(void)
{
	struct winsize ws;

	if (ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) != 0 || ws.ws_row == 0 || ws.ws_col == 0)
		return false;
	if (ws.ws_row == LINES && ws.ws_col == COLS)
		return false;
	resize_term(ws.ws_row, ws.ws_col);
	return true;
}

static bool terminal_gone(void)
{
	struct pollfd p = {STDIN_FILENO, POLLIN, 0};

	return poll(&p, 1, 0) == 1 && (p.revents & (POLLHUP | POLLERR | POLLNVAL));
}

bool ui_read_key(struct ui *ui, struct script_state *ss, wint_t *ch, bool *fnkey)
{
	if (ui->script)
		return ui_script_key(ui, ss, ch, fnkey);
	/* Wake twice a second: a resize that raced the last redraw is caught
	 * here rather than when the next key comes. */
	timeout(500);
	for (;;) {
		int rc = get_wch(ch);
		if (hangup)
			return false;
		if (rc == ERR) {
			if (terminal_gone())
				return false;
			if (size_changed()) {
				*ch = KEY_RESIZE;
				*fnkey = true;
				return true;
			}
			if (ui->idle_lock > 0 && time(NULL) - ui->last_key >= ui->idle_lock) {
				*ch = KEY_IDLE;
				*fnkey = true;
				return true;
			}
			/* Between keys, twice a second: a colleague's save. */
			if (ui->live && ui_live_pending(ui)) {
				*ch = KEY_LIVE;
				*fnkey = true;
				return true;
			}
			continue;
		}
		ui->last_key = time(NULL);
		*fnkey = rc == KEY_CODE_YES;
		return true;
	}
}

/* Keys every editor understands, whatever the screen. */
int ui_edit_key(struct editor *ed, wint_t ch, bool fnkey)
{
	if (fnkey) {
		switch (ch) {
		case KEY_LEFT: return ed_apply(ed, ED_LEFT, 0);
		case KEY_RIGHT: return ed_apply(ed, ED_RIGHT, 0);
		case KEY_HOME: return ed_apply(ed, ED_HOME, 0);
		case KEY_END: return ed_apply(ed, ED_END, 0);
		case KEY_BACKSPACE: return ed_apply(ed, ED_BACKSPACE, 0);
		case KEY_DC: return ed_apply(ed, ED_DELETE, 0);
		default: return 1;
		}
	}
	switch (ch) {
	case 127:
	case 8: return ed_apply(ed, ED_BACKSPACE, 0);
	case CTRL('a'): return ed_apply(ed, ED_HOME, 0);
	case CTRL('e'): return ed_apply(ed, ED_END, 0);
	case CTRL('k'): return ed_apply(ed, ED_KILL_EOL, 0);
	case CTRL('w'): return ed_apply(ed, ED_KILL_WORD_BACK, 0);
	case CTRL('u'): return ed_apply(ed, ED_KILL_LINE, 0);
	case CTRL('b'): return ed_apply(ed, ED_WORD_LEFT, 0);
	case CTRL('f'): return ed_apply(ed, ED_WORD_RIGHT, 0);
	default:
		if (ch >= 0x20 && ch != 0x7f)
			return ed_apply(ed, ED_INSERT, (wchar_t)ch);
		return 1;
	}
}
