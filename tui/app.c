/* app.c: the terminal UI's frame: curses, the input loop, the view stack,
 * the key bar, help, and the scripted mode the screen tests drive.
 *
 * Never an LMDB transaction across a key wait: the store functions read,
 * copy out and end before they return, and this loop only ever calls them
 * between keys.
 */
#define NCURSES_WIDECHAR 1
#include "tui/editor.h"
#include "tui/ui.h"

#include <curses.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <sys/ioctl.h>
#include <limits.h>
#include <locale.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* ---- keymap ------------------------------------------------------------- */

static const struct {
	const char *key, *label;
} requests[REQ_COUNT] = {
    [REQ_NONE] = {"", ""},
#define REQ_INFO(name, key, label) [REQ_##name] = {key, label},
    REQUESTS(REQ_INFO)
#undef REQ_INFO
};

/* A key of our own: the idle time ran out. */
#define KEY_IDLE (KEY_MAX + 1)

#undef CTRL /* sys/ioctl.h has one for termios */
#define CTRL(c) ((c)&0x1f)

static const struct binding {
	wint_t ch;
	bool fnkey;
	bool in_text; /* also while typing text */
	enum request req;
} keymap[] = {
    {'q', false, false, REQ_QUIT},         {'?', false, false, REQ_HELP},
    {'/', false, false, REQ_SEARCH},       {'\n', false, true, REQ_OPEN},
    {'\r', false, true, REQ_OPEN},         {KEY_ENTER, true, true, REQ_OPEN},
    {'e', false, false, REQ_EDIT},         {'n', false, false, REQ_NOTE},
    {CTRL('s'), false, true, REQ_SAVE},    {KEY_F(2), true, true, REQ_SAVE},
    {'s', false, false, REQ_STATUS},       {'m', false, false, REQ_MINE},
    {'K', false, false, REQ_KEYS},         {'r', false, false, REQ_ROTATE},
    {KEY_UP, true, true, REQ_UP},          {'k', false, false, REQ_UP},
    {KEY_DOWN, true, true, REQ_DOWN},      {'j', false, false, REQ_DOWN},
    {KEY_PPAGE, true, true, REQ_PGUP},     {KEY_NPAGE, true, true, REQ_PGDN},
    {KEY_HOME, true, false, REQ_TOP},      {KEY_END, true, false, REQ_BOTTOM},
    {'o', false, false, REQ_OLDER},
    {'\t', false, true, REQ_NEXT},         {KEY_BTAB, true, true, REQ_PREV},
    {27, false, true, REQ_CANCEL},         {CTRL('l'), false, true, REQ_REDRAW},
    {KEY_F(1), true, true, REQ_HELP},
};

enum request keymap_lookup(wint_t ch, bool fnkey, bool text_input)
{
	for (size_t i = 0; i < sizeof keymap / sizeof *keymap; i++)
		if (keymap[i].ch == ch && keymap[i].fnkey == fnkey &&
		    (!text_input || keymap[i].in_text))
			return keymap[i].req;
	return REQ_NONE;
}

const char *request_label(enum request r)
{
	return _(requests[r].label);
}

const char *request_key(enum request r)
{
	return requests[r].key;
}

/* ---- drawing ------------------------------------------------------------ */

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
	if (ui->color && c != C_NORMAL)
		a |= COLOR_PAIR(c);
	if (on)
		attron(a);
	else
		attroff(a);
}

/* Decode one character; invalid bytes show as U+FFFD and advance by one. */
static size_t next_wc(const char *s, wchar_t *wc)
{
	mbstate_t ps;
	size_t n;

	memset(&ps, 0, sizeof ps);
	n = mbrtowc(wc, s, MB_CUR_MAX, &ps);
	if (n == (size_t)-1 || n == (size_t)-2 || n == 0) {
		*wc = 0xfffd;
		return 1;
	}
	return n;
}

int ui_text_width(const char *s)
{
	int used = 0;

	utf8_fit(s, INT_MAX, &used);
	return used;
}

int ui_put(int y, int x, const char *s, int width)
{
	int used = 0;
	size_t n;

	if (width <= 0 || !s)
		return 0;
	/* The editor's measure: whole characters, a base with its combining
	 * marks, never half a wide character. */
	n = utf8_fit(s, width, &used);
	move(y, x);
	while (n) {
		wchar_t wc;
		size_t k = next_wc(s, &wc);
		if (k > n)
			break;
		if (wc == '\t')
			wc = ' '; /* a note's tab, in the one column utf8_fit gave it */
		else if (text_nonprint(wc))
			wc = 0xfffd;
		addnwstr(&wc, 1);
		s += k;
		n -= k;
	}
	return used;
}

void ui_put_pad(int y, int x, const char *s, int width)
{
	int used = ui_put(y, x, s, width);

	for (; used < width; used++)
		mvaddch(y, x + used, ' ');
}

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
	char title[160];
	int x = 0;

	/* Title bar: where you are and who you are. */
	ui_attr(ui, C_TITLE, true);
	snprintf(title, sizeof title, " mappe · %s", _(ops->title));
	ui_put_pad(0, 0, title, COLS);
	{
		char who[96];
		snprintf(who, sizeof who, "%s (%s) ", store_user(ui->st),
		         keys_role_name(store_role(ui->st)));
		int w = ui_text_width(who);
		if (w < COLS - ui_text_width(title) - 1)
			ui_put(0, COLS - w, who, w);
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

	/* Key bar: the keys that work here, as many as fit (htop's
	 * FunctionBar), help first so that it is never cut off. */
	ui_attr(ui, C_BAR, true);
	move(LINES - 1, 0);
	clrtoeol();
	ui_put_pad(LINES - 1, 0, "", COLS);
	for (int pass = 0; pass < 2; pass++) {
		for (int r = 1; r < REQ_COUNT; r++) {
			char item[80];
			bool help = r == REQ_HELP;
			int w;
			if (!(ops->hints & RQ(r)) || help != (pass == 0))
				continue;
			if (r == REQ_KEYS && store_role(ui->st) != ROLE_ADMIN)
				continue; /* only administrators have a keys screen */
			snprintf(item, sizeof item, "%s %s", requests[r].key, request_label(r));
			w = ui_text_width(item);
			if (x + w + 1 > COLS)
				break;
			ui_attr(ui, C_KEY, true);
			x += ui_put(LINES - 1, x, requests[r].key, COLS - x);
			ui_attr(ui, C_KEY, false);
			x += ui_put(LINES - 1, x, " ", 1);
			x += ui_put(LINES - 1, x, request_label(r), COLS - x);
			x += ui_put(LINES - 1, x, "  ", COLS - x);
		}
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

static void redraw(struct ui *ui)
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
	}
	/* The text cursor shows only where text is being typed. */
	if (ui->cursor_on && ui->cursor_y >= 0 && ui->cursor_y < LINES && ui->cursor_x >= 0 &&
	    ui->cursor_x < COLS) {
		move(ui->cursor_y, ui->cursor_x);
		curs_set(1);
	} else {
		curs_set(0);
	}
	if (!ui->script)
		refresh();
}

/* ---- the view stack ------------------------------------------------------ */

void ui_push(struct ui *ui, const struct view_ops *ops, void *self)
{
	if (ui->depth == UI_MAX_VIEWS) {
		ops->free(self);
		ui_say(ui, true, "%s", _("Too many screens open"));
		return;
	}
	ui->stack[ui->depth++] = (struct view){ops, self};
}

static void pop(struct ui *ui)
{
	struct view *v = &ui->stack[--ui->depth];
	v->ops->free(v->self);
}

/* ---- input ---------------------------------------------------------------- */

static const struct {
	const char *name;
	wint_t ch;
	bool fnkey;
} script_keys[] = {
    {"Enter", '\n', false},     {"Esc", 27, false},          {"Tab", '\t', false},
    {"BTab", KEY_BTAB, true},   {"Up", KEY_UP, true},        {"Down", KEY_DOWN, true},
    {"Left", KEY_LEFT, true},   {"Right", KEY_RIGHT, true},  {"Home", KEY_HOME, true},
    {"End", KEY_END, true},     {"PgUp", KEY_PPAGE, true},   {"PgDn", KEY_NPAGE, true},
    {"Backspace", KEY_BACKSPACE, true}, {"Del", KEY_DC, true}, {"F1", KEY_F(1), true},
    {"F2", KEY_F(2), true},     {"lt", '<', false},          {"C-s", CTRL('s'), false},
    {"C-l", CTRL('l'), false},  {"C-a", CTRL('a'), false},   {"C-e", CTRL('e'), false},
    {"C-k", CTRL('k'), false},  {"C-w", CTRL('w'), false},   {"C-u", CTRL('u'), false},
};

struct script_state {
	char line[1024];
	char *pos;
};

/* Write the screen as text, one row a line, trailing blanks removed. */
static int dump_screen(const char *path)
{
	FILE *f = fopen(path, "w");
	wchar_t row[512];

	if (!f)
		return -1;
	for (int y = 0; y < LINES; y++) {
		char out[2048];
		int n = mvinnwstr(y, 0, row, COLS < 511 ? COLS : 511);
		size_t len;
		if (n < 0)
			n = 0;
		row[n] = 0;
		len = wcstombs(out, row, sizeof out - 1);
		if (len == (size_t)-1)
			len = 0;
		out[len] = 0;
		while (len && out[len - 1] == ' ')
			out[--len] = 0;
		fprintf(f, "%s\n", out);
	}
	return fclose(f);
}

/* The scripted mode (tig's TIG_SCRIPT): each line is keys to type, with
 * <Name> for special keys, or a command: ":dump FILE" (the screen as text),
 * ":size COLSxROWS", ":signal FILE" (create it) and ":wait FILE" (until it
 * exists), the last two for tests that need another process in between. */
static bool script_key(struct ui *ui, struct script_state *ss, wint_t *ch, bool *fnkey)
{
	for (;;) {
		if (!ss->pos || !*ss->pos) {
			if (!fgets(ss->line, sizeof ss->line, ui->script))
				return false;
			ss->line[strcspn(ss->line, "\n")] = 0;
			ss->pos = ss->line;
			if (ss->line[0] == '#') {
				ss->pos = NULL;
				continue;
			}
			if (ss->line[0] == ':') {
				char *end;
				if (strncmp(ss->line, ":dump ", 6) == 0) {
					redraw(ui);
					dump_screen(ss->line + 6);
				} else if (strncmp(ss->line, ":signal ", 8) == 0) {
					/* Tell a test driver we got here... */
					redraw(ui);
					int fd = open(ss->line + 8, O_WRONLY | O_CREAT | O_CLOEXEC, 0600);
					if (fd >= 0)
						close(fd);
				} else if (strncmp(ss->line, ":wait ", 6) == 0) {
					/* ...and wait for it to act (another process
					 * saving, say), at most 30 s. */
					for (int i = 0; i < 300 && access(ss->line + 6, F_OK) != 0; i++)
						usleep(100000);
				} else if (strcmp(ss->line, ":idle") == 0) {
					*ch = KEY_IDLE;
					*fnkey = true;
					ss->pos = NULL;
					return true;
				} else if (strncmp(ss->line, ":size ", 6) == 0) {
					long cols = strtol(ss->line + 6, &end, 10);
					long rows = *end == 'x' ? strtol(end + 1, NULL, 10) : 0;
					if (cols > 0 && rows > 0)
						resizeterm((int)rows, (int)cols);
					*ch = KEY_RESIZE;
					*fnkey = true;
					ss->pos = NULL;
					return true;
				}
				ss->pos = NULL;
				continue;
			}
		}
		if (*ss->pos == '<') {
			char *end = strchr(ss->pos, '>');
			if (end) {
				size_t n = (size_t)(end - ss->pos - 1);
				for (size_t i = 0; i < sizeof script_keys / sizeof *script_keys; i++) {
					if (strlen(script_keys[i].name) == n &&
					    strncmp(script_keys[i].name, ss->pos + 1, n) == 0) {
						*ch = script_keys[i].ch;
						*fnkey = script_keys[i].fnkey;
						ss->pos = end + 1;
						return true;
					}
				}
			}
		}
		{
			wchar_t wc;
			ss->pos += next_wc(ss->pos, &wc);
			*ch = (wint_t)wc;
			*fnkey = false;
			return true;
		}
	}
}

static volatile sig_atomic_t hangup;

static void on_hangup(int sig)
{
	(void)sig;
	hangup = 1;
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

static bool read_key(struct ui *ui, struct script_state *ss, wint_t *ch, bool *fnkey)
{
	if (ui->script)
		return script_key(ui, ss, ch, fnkey);
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
			continue;
		}
		ui->last_key = time(NULL);
		*fnkey = rc == KEY_CODE_YES;
		return true;
	}
}

int ui_ask(struct ui *ui, const char *question)
{
	wint_t ch;
	bool fn, got;

	ui_say(ui, false, "%s %s", question, _("(y/n)"));
	redraw(ui);
	got = read_key(ui, ui->script_state, &ch, &fn);
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
	redraw(ui);
	got = read_key(ui, ui->script_state, &ch, &fn);
	ui->message[0] = 0;
	return got && !fn && (ch == 'y' || ch == 'Y' || ch == 'j' || ch == 'J');
}

/* ---- start ------------------------------------------------------------------ */

static void colors_init(struct ui *ui)
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

/* Keep what is open as drafts and close every view. */
static void keep_and_close(struct ui *ui)
{
	for (int i = ui->depth - 1; i >= 0; i--)
		if (ui->stack[i].ops->keep)
			ui->stack[i].ops->keep(ui->stack[i].self, ui);
	while (ui->depth > 0)
		pop(ui);
}

/* Idle lock (security.md): unsaved work becomes a draft, every decrypted
 * value and key is wiped, the screen is blanked, and only the passphrase
 * brings the session back. false: the user quit or the terminal went away. */
static bool idle_lock(struct ui *ui, struct script_state *ss)
{
	enum { MAX = 1024 };
	char *pass = keys_secure_alloc(MAX), user[64];
	size_t n = 0;
	bool back = false;
	int wrong = M_OK; /* the last unlock's status */

	snprintf(user, sizeof user, "%s", store_user(ui->st));
	keep_and_close(ui);
	search_index_free(ui->ix);
	ui->ix = NULL;
	store_lock(ui->st);
	clearok(curscr, TRUE);
	while (pass) {
		wint_t ch;
		bool fn;
		char msg[160];
		erase();
		snprintf(msg, sizeof msg, _("mappe is locked. Passphrase for %s:"), user);
		ui_put(LINES / 2 - 1, 2, msg, COLS - 4);
		if (wrong) {
			ui_attr(ui, C_ERROR, true);
			/* Not enough memory for Argon2id is no wrong passphrase. */
			ui_put(LINES / 2 + 1, 2,
			       wrong == M_AUTH ? _("authentication failed") : tui_error(ui->st),
			       COLS - 4);
			ui_attr(ui, C_ERROR, false);
		}
		ui_put(LINES - 1, 0, _("Enter unlocks · ^C quits"), COLS);
		curs_set(0);
		if (!ui->script)
			refresh();
		if (!read_key(ui, ss, &ch, &fn) || hangup)
			break;
		if (fn && ch == KEY_IDLE)
			continue;
		if (!fn && ch == 3) /* ^C */
			break;
		if ((fn && ch == KEY_BACKSPACE) || (!fn && (ch == 127 || ch == 8))) {
			while (n && ((unsigned char)pass[n - 1] & 0xc0) == 0x80)
				n--;
			if (n)
				n--;
			continue;
		}
		if (!fn && (ch == '\n' || ch == '\r')) {
			if ((wrong = store_unlock(ui->st, user, pass, n)) == M_OK) {
				back = true;
				break;
			}
			n = 0;
			keys_wipe(pass, MAX);
			continue;
		}
		if (!fn && ch >= 0x20) {
			char mb[MB_LEN_MAX];
			mbstate_t ps;
			size_t k;
			memset(&ps, 0, sizeof ps);
			k = wcrtomb(mb, (wchar_t)ch, &ps);
			if (k != (size_t)-1 && n + k < MAX) {
				memcpy(pass + n, mb, k);
				n += k;
			}
		}
	}
	keys_secure_free(pass);
	if (!back)
		return false;
	ui->last_key = time(NULL);
	if (search_index_load(ui->st, &ui->ix) != M_OK || view_list_open(ui) != M_OK)
		return false;
	/* What was open when it locked comes back from its draft. */
	drafts_offer(ui);
	return true;
}

int ui_loop(struct ui *ui)
{
	struct script_state *ss = calloc(1, sizeof *ss);
	SCREEN *scr = NULL;
	bool lost = false, unlocked_said = false;
	FILE *devnull = NULL;

	if (!ss)
		return cli_fail(M_UNAVAILABLE, "out of memory");
	ui->script_state = ss;
	signal(SIGHUP, on_hangup);
	signal(SIGTERM, on_hangup);
	if (ui->script) {
		/* No terminal: curses draws into its own buffers at 80x24 and
		 * the script dumps them. */
		devnull = fopen("/dev/null", "r+");
		scr = newterm("xterm-256color", devnull, devnull);
		if (!scr) {
			free(ss);
			return cli_fail(M_UNAVAILABLE, "cannot start the screen (terminfo?)");
		}
		resizeterm(24, 80);
	} else {
		initscr(); /* the alternate screen: nothing stays in scrollback */
	}
	raw();
	noecho();
	nonl();
	keypad(stdscr, TRUE);
	set_escdelay(25);
	curs_set(0);
	colors_init(ui);
	ui->last_key = time(NULL);
	if (ui->start)
		ui->start(ui);

	while (ui->depth > 0 && !ui->quit && !hangup) {
		struct view *v = &ui->stack[ui->depth - 1];
		enum request req;
		wint_t ch;
		bool fnkey;

		/* A colleague's mappe killed with kill -9 leaves a reader slot
		 * that pins old pages until someone clears it: any key will do. */
		store_maintain(ui->st);
		if (!unlocked_said && !ui->message[0] && store_memory_unlocked()) {
			ui_say(ui, true, "%s",
			       _("Memory not locked: decrypted data may reach swap. Tell the "
			         "administrator."));
			unlocked_said = true;
		}
		redraw(ui);
		if (!read_key(ui, ss, &ch, &fnkey)) {
			lost = !ui->script;
			break;
		}
		if (fnkey && ch == KEY_RESIZE)
			continue; /* the next redraw uses the new LINES and COLS */
		if (fnkey && ch == KEY_IDLE) {
			if (!idle_lock(ui, ss))
				break;
			continue;
		}
		if (COLS < UI_MIN_COLS || LINES < UI_MIN_ROWS) {
			if (!fnkey && (ch == 'q' || ch == CTRL('c')))
				break;
			continue;
		}
		req = keymap_lookup(ch, fnkey, v->ops->text_input);
		if (!fnkey && ch == '\r')
			req = keymap_lookup('\n', false, v->ops->text_input);
		ui->message[0] = 0;
		if (req == REQ_REDRAW) {
			clearok(curscr, TRUE);
			continue;
		}
		if (req == REQ_HELP && !v->ops->text_input) {
			view_help_open(ui, v->ops);
			continue;
		}
		if (!v->ops->key(v->self, ui, req, ch, fnkey)) {
			pop(ui);
			for (; ui->pop_more > 0 && ui->depth > 1; ui->pop_more--)
				pop(ui);
			ui->pop_more = 0;
		}
	}
	/* The terminal went away with work open: keep it, sealed, for the
	 * next login. Nothing of it is drawn again. */
	if ((lost || hangup) && ui->st && store_can_read(ui->st, KC_RECORD))
		keep_and_close(ui);
	while (ui->depth > 0)
		pop(ui);
	endwin();
	if (scr)
		delscreen(scr);
	if (devnull)
		fclose(devnull);
	ui->script_state = NULL;
	free(ss);
	return M_OK;
}
