/* script.c: the scripted mode the screen tests drive (tig's TIG_SCRIPT):
 * keys from a file instead of the terminal, and screen dumps as text. */
#define NCURSES_WIDECHAR 1
#include "tui/ui.h"

#include <curses.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

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
    {"C-p", CTRL('p'), false},  {"C-r", CTRL('r'), false},
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
bool ui_script_key(struct ui *ui, struct script_state *ss, wint_t *ch, bool *fnkey)
{
	for (;;) {
		if (ss->load_all) {
			if (ui->ix && !search_index_complete(ui->ix)) {
				*ch = KEY_LOAD;
				*fnkey = true;
				return true;
			}
			ss->load_all = false;
		}
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
					ui_redraw(ui);
					dump_screen(ss->line + 6);
				} else if (strncmp(ss->line, ":signal ", 8) == 0) {
					/* Tell a test driver we got here... */
					ui_redraw(ui);
					int fd = open(ss->line + 8, O_WRONLY | O_CREAT | O_CLOEXEC, 0600);
					if (fd >= 0)
						close(fd);
				} else if (strncmp(ss->line, ":wait ", 6) == 0) {
					/* ...and wait for it to act (another process
					 * saving, say), at most 30 s. */
					for (int i = 0; i < 300 && access(ss->line + 6, F_OK) != 0; i++)
						usleep(100000);
				} else if (strcmp(ss->line, ":load") == 0 ||
				           strcmp(ss->line, ":load all") == 0) {
					/* The next batches of a list still loading:
					 * in a script, only when it says so; "all":
					 * until it is read whole (the line again). */
					ss->pos = NULL;
					if (ss->line[5]) {
						ss->load_all = true;
						continue;
					}
					*ch = KEY_LOAD;
					*fnkey = true;
					return true;
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
			ss->pos += ui_next_wc(ss->pos, &wc);
			*ch = (wint_t)wc;
			*fnkey = false;
			return true;
		}
	}
}
