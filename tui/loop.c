/* loop.c: the input loop and the view stack.
 *
 * Never an LMDB transaction across a key wait: the store functions read,
 * copy out and end before they return, and this loop only ever calls them
 * between keys.
 */
#define NCURSES_WIDECHAR 1
#include "tui/ui.h"

#include <curses.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

void ui_push(struct ui *ui, const struct view_ops *ops, void *self)
{
	if (ui->depth == UI_MAX_VIEWS) {
		ops->free(self);
		ui_say(ui, true, "%s", _("Too many screens open"));
		return;
	}
	ui->stack[ui->depth++] = (struct view){ops, self};
}

void ui_changed(struct ui *ui, uint64_t id)
{
	for (int i = ui->depth - 1; i >= 0; i--)
		if (ui->stack[i].ops->changed)
			ui->stack[i].ops->changed(ui->stack[i].self, ui, id);
}

bool ui_live_pending(struct ui *ui)
{
	return ui->st && store_generation(ui->st) != ui->generation;
}

/* Catch up with what colleagues wrote: the index first (its rows may move),
 * then every screen hears "anything may have changed". The generation is
 * taken before, so that a write meanwhile is caught at the next wake. */
static void live_catch_up(struct ui *ui)
{
	size_t changed = 0;

	ui->generation = store_generation(ui->st);
	if (ui->ix && search_index_sync(ui->st, ui->ix, &changed) != M_OK)
		ui_say(ui, true, "%s", tui_error(ui->st));
	if (changed)
		ui->index_serial++;
	ui_changed(ui, 0);
}

/* A batch is about 3 ms of 100 000 cases on a 2-core host: two, and a key
 * typed meanwhile waits at most that. The rows (a search run again) follow
 * a tenth of a second at a time, and at the end. */
enum { LOAD_BATCHES = 2, LOAD_ROWS_MS = 100 };

void ui_load_more(struct ui *ui)
{
	struct timespec now;

	if (!ui->ix || search_index_complete(ui->ix))
		return;
	if (search_index_load_more(ui->st, ui->ix, LOAD_BATCHES) != M_OK) {
		ui_say(ui, true, "%s", tui_error(ui->st));
		return;
	}
	clock_gettime(CLOCK_MONOTONIC, &now);
	long ms = (now.tv_sec - ui->loaded_at.tv_sec) * 1000 +
	          (now.tv_nsec - ui->loaded_at.tv_nsec) / 1000000;
	bool done = search_index_complete(ui->ix);
	/* Only the screens that show the list's rows hear of it: to the
	 * others nothing changed (ui_changed would have them read their
	 * case again). */
	if (done || ms >= LOAD_ROWS_MS) {
		ui->loaded_at = now;
		ui->index_serial++;
		for (int i = ui->depth - 1; i >= 0; i--)
			if (ui->stack[i].ops->grew)
				ui->stack[i].ops->grew(ui->stack[i].self, ui);
	}
	/* A caseworker's day starts with what is due, as with a list read at
	 * once: unless they began with something else meanwhile. */
	if (done && ui->day_when_loaded) {
		ui->day_when_loaded = false;
		if (!ui->key_typed && ui->depth == 1 && day_has_due(ui))
			view_day_open(ui);
	}
}

static void pop(struct ui *ui)
{
	struct view *v = &ui->stack[--ui->depth];
	v->ops->free(v->self);
}

/* Keep what is open as drafts and close every view. */
void ui_keep_and_close(struct ui *ui)
{
	for (int i = ui->depth - 1; i >= 0; i--)
		if (ui->stack[i].ops->keep)
			ui->stack[i].ops->keep(ui->stack[i].self, ui);
	while (ui->depth > 0)
		pop(ui);
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
	ui_catch_hangup();
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
	ui_colors_init(ui);
	ui->last_key = time(NULL);
	/* The index was loaded before: what was written since is in its
	 * cases_gen, and the first wake catches up. */
	ui->generation = 0;
	if (ui->start)
		ui->start(ui);

	while (ui->depth > 0 && !ui->quit && !ui_hung_up()) {
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
		ui_redraw(ui);
		ui->live = true;
		if (!ui_read_key(ui, ss, &ch, &fnkey)) {
			ui->live = false;
			lost = !ui->script;
			break;
		}
		ui->live = false;
		if (fnkey && ch == KEY_RESIZE)
			continue; /* the next redraw uses the new LINES and COLS */
		/* What the audit log says a save from here was for: its screen. */
		char purpose[64];
		const char *picked = ui_case_purpose(ui, view_case_below(ui));
		snprintf(purpose, sizeof purpose, "screen: %s", v->ops->title);
		/* Or, on a case outside the caseload, the purpose picked. */
		store_audit_purpose(ui->st, picked ? picked : purpose);
		if (fnkey && ch == KEY_LIVE) {
			live_catch_up(ui);
			continue;
		}
		if (fnkey && ch == KEY_LOAD) {
			ui_load_more(ui);
			continue;
		}
		if (fnkey && ch == KEY_IDLE) {
			if (!ui_idle_lock(ui, ss))
				break;
			continue;
		}
		ui->key_typed = true;
		if (COLS < UI_MIN_COLS || LINES < UI_MIN_ROWS) {
			if (!fnkey && (ch == 'q' || ch == CTRL('c')))
				break;
			continue;
		}
		req = keymap_lookup(keymap_of(v), ch, fnkey);
		ui->message[0] = 0;
		if (req == REQ_REDRAW) {
			clearok(curscr, TRUE);
			continue;
		}
		if (req == REQ_HELP) {
			ui_reveal_clear(ui);
			view_help_open(ui, keymap_of(v));
			continue;
		}
		if (req == REQ_PRIVACY) { /* on every screen, whatever it is doing */
			ui_privacy_toggle(ui);
			continue;
		}
		const void *was = v->self;
		int depth = ui->depth;
		if (!v->ops->key(v->self, ui, req, ch, fnkey)) {
			/* Esc is "back" everywhere; on the first screen it would end
			 * the session, which q does without asking. */
			if (ui->depth == 1 && !fnkey && ch == 27 && !ui_confirm(ui, _("Quit mappe?")))
				continue;
			pop(ui);
			for (; ui->pop_more > 0 && ui->depth > 1; ui->pop_more--)
				pop(ui);
			ui->pop_more = 0;
		}
		/* A value revealed shows on its screen alone: another one opened
		 * over it, or back to the one below, and it is masked again. */
		if (ui->depth != depth || ui->depth == 0 || ui->stack[ui->depth - 1].self != was ||
		    (ui->reveal.kind != REVEAL_NONE && ui->reveal.view != was))
			ui_reveal_clear(ui);
	}
	/* The terminal went away with work open: keep it, sealed, for the
	 * next login. Nothing of it is drawn again. */
	if ((lost || ui_hung_up()) && ui->st && store_can_read(ui->st, KC_RECORD))
		ui_keep_and_close(ui);
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
