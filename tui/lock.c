/* lock.c: the idle lock's screen (security.md). */
#define NCURSES_WIDECHAR 1
#include "tui/ui.h"

#include <curses.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

/* Idle lock (security.md): unsaved work becomes a draft, every decrypted
 * value and key is wiped, the screen is blanked, and only the passphrase
 * brings the session back. false: the user quit or the terminal went away. */
bool ui_idle_lock(struct ui *ui, struct script_state *ss)
{
	/* As many tries as the login gets: a session left locked on a shared
	 * thin client is no place for unlimited guessing. The work is a draft
	 * already, so ending the session loses nothing. */
	enum { MAX = 1024, TRIES = 3 };
	char *pass = keys_secure_alloc(MAX), user[64];
	size_t n = 0;
	bool back = false;
	int wrong = M_OK; /* the last unlock's status */
	int tries = 0;

	snprintf(user, sizeof user, "%s", store_user(ui->st));
	/* Privacy mode stays on; what was revealed is masked again. */
	ui_reveal_clear(ui);
	ui_keep_and_close(ui);
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
		if (!ui_read_key(ui, ss, &ch, &fn) || ui_hung_up())
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
			if (wrong == M_AUTH && ++tries >= TRIES)
				break;
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
	if (search_index_open(ui->st, &ui->ix) != M_OK || view_list_open(ui) != M_OK)
		return false;
	/* What was open when it locked comes back from its draft. */
	drafts_offer(ui);
	return true;
}
