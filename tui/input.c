/* input.c: keys from the terminal (or the script), a resize or a dropped
 * link noticed while waiting for one, and the sequences curses does not
 * know (termkeys.c reads them). */
#define NCURSES_WIDECHAR 1
#include <sys/ioctl.h> /* before ui.h: it has a CTRL of its own for termios */

#include "tui/termkeys.h"
#include "tui/ui.h"

#include <curses.h>
#include <poll.h>
#include <signal.h>
#include <string.h>
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

/* The keys termkeys.c names, as curses names them. */
static const int fn_codes[] = {
    [TK_UP] = KEY_UP,       [TK_DOWN] = KEY_DOWN,   [TK_RIGHT] = KEY_RIGHT, [TK_LEFT] = KEY_LEFT,
    [TK_HOME] = KEY_HOME,   [TK_END] = KEY_END,     [TK_INSERT] = KEY_IC,   [TK_DELETE] = KEY_DC,
    [TK_PGUP] = KEY_PPAGE,  [TK_PGDN] = KEY_NPAGE,  [TK_BTAB] = KEY_BTAB,   [TK_F(1)] = KEY_F(1),
    [TK_F(2)] = KEY_F(2),   [TK_F(3)] = KEY_F(3),   [TK_F(4)] = KEY_F(4),   [TK_F(5)] = KEY_F(5),
    [TK_F(6)] = KEY_F(6),   [TK_F(7)] = KEY_F(7),   [TK_F(8)] = KEY_F(8),   [TK_F(9)] = KEY_F(9),
    [TK_F(10)] = KEY_F(10), [TK_F(11)] = KEY_F(11), [TK_F(12)] = KEY_F(12),
};

/* Between keys: a second Esc that came with the first waits here. */
static struct tk_parser seq;

/* The next byte of a sequence, within ms milliseconds. */
static int next_byte(int ms)
{
	wint_t c;
	int rc;

	timeout(ms);
	rc = get_wch(&c);
	if (rc == ERR)
		return TK_TIMEOUT;
	if (rc == KEY_CODE_YES) {
		if (c == KEY_RESIZE) {
			/* Not part of the sequence: the loop takes it next. */
			ungetch(KEY_RESIZE);
			return TK_TIMEOUT;
		}
		return TK_FNKEY;
	}
	return (int)c;
}

/* What curses could not read after an Esc: true with the key it makes,
 * false when it makes none (an unknown sequence is dropped whole). */
static bool sequence_key(wint_t *ch, bool *fnkey)
{
	struct tk_key k;

	while (!tk_feed(&seq, next_byte(tk_patience(&seq)), &k))
		;
	switch (k.kind) {
	case TK_ESC:
		*ch = 27;
		*fnkey = false;
		return true;
	case TK_CHAR:
		*ch = (wint_t)k.code;
		*fnkey = false;
		return true;
	case TK_FN:
		*ch = (wint_t)fn_codes[k.code];
		*fnkey = true;
		return true;
	default:
		return false;
	}
}

/* The terminfo name of a keypad key curses gave: the standard five by
 * where they sit (ka1 is the top left one), and the extended ones xterm's
 * entry adds (ka2, kpZRO for the 0, kpADD for the +). NULL for other keys. */
static const char *keypad_cap(wint_t ch)
{
	static const struct {
		int code;
		char cap[4];
	} caps[] = {
	    {KEY_A1, "ka1"}, {KEY_A3, "ka3"}, {KEY_B2, "kb2"}, {KEY_C1, "kc1"}, {KEY_C3, "kc3"}};
	static const char extended[][4] = {"ka2", "kb1", "kb3", "kc2"};
	const char *name;

	for (size_t i = 0; i < sizeof caps / sizeof *caps; i++)
		if ((int)ch == caps[i].code)
			return caps[i].cap;
	if (ch <= KEY_MAX || !(name = keyname((int)ch)))
		return NULL;
	if (strncmp(name, "kp", 2) == 0)
		return name;
	for (size_t i = 0; i < sizeof extended / sizeof *extended; i++)
		if (strcmp(name, extended[i]) == 0)
			return name;
	return NULL;
}

/* A keypad key sends what the terminal's keypad sends there: xterm's ka1
 * is ESC O w, the 7 in application mode, and the Linux console's kb2 is the
 * 5 with NumLock off. termkeys.c reads what it sends, as it would had curses
 * not known it: true with the key, false for none. */
static bool keypad_key(const char *cap, wint_t *ch, bool *fnkey)
{
	struct tk_parser p;
	struct tk_key k = {TK_IGNORE, 0};
	const char *s = tigetstr(cap);

	if (!s || s == (char *)-1 || s[0] != 27)
		return true; /* not a sequence: as curses gave it */
	tk_start(&p);
	for (s++; *s && !tk_feed(&p, (unsigned char)*s, &k); s++)
		;
	if (tk_busy(&p) && !tk_feed(&p, TK_TIMEOUT, &k))
		return false;
	if (k.kind == TK_CHAR) {
		*ch = (wint_t)k.code;
		*fnkey = false;
		return true;
	}
	if (k.kind == TK_FN) {
		*ch = (wint_t)fn_codes[k.code];
		return true;
	}
	return false;
}

/* A key with a modifier that terminfo names (xterm's kRIT5, Ctrl-Right, is
 * ESC [ 1 ; 5 C): the key itself, as termkeys.c reads it where terminfo
 * does not name it. Other keys of terminfo's own naming stay unbound. */
static wint_t modified_key(wint_t ch)
{
	static const struct {
		char name[5];
		int code;
	} keys[] = {{"kUP", KEY_UP},    {"kDN", KEY_DOWN},  {"kRIT", KEY_RIGHT},
	            {"kLFT", KEY_LEFT}, {"kHOM", KEY_HOME}, {"kEND", KEY_END},
	            {"kDC", KEY_DC},    {"kIC", KEY_IC},    {"kNXT", KEY_NPAGE},
	            {"kPRV", KEY_PPAGE}};
	const char *name = keyname((int)ch);

	for (size_t i = 0; name && i < sizeof keys / sizeof *keys; i++) {
		size_t len = strlen(keys[i].name);
		if (strncmp(name, keys[i].name, len) == 0 && name[len] >= '2' && name[len] <= '8' &&
		    !name[len + 1])
			return (wint_t)keys[i].code;
	}
	return ch;
}

/* Keys curses knows under names of their own; false for one that is no key
 * of ours. */
static bool same_key(wint_t *ch, bool *fnkey)
{
	const char *cap;

	switch (*ch) {
	case KEY_FIND:
		*ch = KEY_HOME;
		return true; /* rxvt's ESC [ 1 ~, the VT220's Find */
	case KEY_SELECT:
		*ch = KEY_END;
		return true;
	default:
		if ((cap = keypad_cap(*ch)))
			return keypad_key(cap, ch, fnkey);
		if (*ch > KEY_MAX)
			*ch = modified_key(*ch);
		return true;
	}
}

bool ui_read_key(struct ui *ui, struct script_state *ss, wint_t *ch, bool *fnkey)
{
	if (ui->script)
		return ui_script_key(ui, ss, ch, fnkey);
	for (;;) {
		int rc;

		if (tk_busy(&seq)) {
			bool got = sequence_key(ch, fnkey);
			if (hangup)
				return false;
			if (got)
				return true;
			continue;
		}
		/* Wake twice a second: a resize that raced the last redraw is
		 * caught here rather than when the next key comes. While the
		 * list loads, a key that waits goes first, then the next batch. */
		bool loading = ui->live && ui->ix && !search_index_complete(ui->ix);
		timeout(loading ? 0 : 500);
		rc = get_wch(ch);
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
			if (loading) {
				*ch = KEY_LOAD;
				*fnkey = true;
				return true;
			}
			continue;
		}
		ui->last_key = time(NULL);
		*fnkey = rc == KEY_CODE_YES;
		if (*fnkey) {
			if (same_key(ch, fnkey))
				return true;
			continue;
		}
		if (*ch != 27)
			return true;
		/* A bare Esc: curses did not know what came with it, if
		 * anything did. */
		tk_start(&seq);
	}
}
