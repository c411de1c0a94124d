/* keys.c: the administrator's view of epochs and rotations. */
#define NCURSES_WIDECHAR 1
#include "tui/ui.h"

#include <curses.h>
#include <stdio.h>
#include <stdlib.h>

struct keys_view {
	struct store_key_status s[KC_COUNT];
	char holders[KC_COUNT][160];
	char not_moved[160]; /* users whose keyslot still trusts an older authority */
	/* A row a class, and the authority's last (KC_COUNT); the selected
	 * one is rotated. */
	struct listview list;
};

static int keys_height(void)
{
	return LINES - 5; /* title, heading, progress, message, key bar */
}

static void keys_free(void *self)
{
	free(self);
}

static void keys_load_authority(struct ui *ui, struct keys_view *kv)
{
	struct store_user_info *users = NULL;
	uint32_t epoch = store_authority_epoch(ui->st);
	size_t n = 0, off = 0;

	kv->not_moved[0] = 0;
	if (store_user_list(ui->st, &users, &n) != M_OK)
		return;
	for (size_t i = 0; i < n && off < sizeof kv->not_moved; i++)
		if (!users[i].revoked && users[i].pin < epoch)
			off += (size_t)snprintf(kv->not_moved + off, sizeof kv->not_moved - off, "%s%s",
			                        off ? " " : "", users[i].name);
	free(users);
}

static int keys_load(struct ui *ui, struct keys_view *kv)
{
	int rc = store_key_status(ui->st, kv->s);

	keys_load_authority(ui, kv);
	for (unsigned c = 0; rc == M_OK && c < KC_COUNT; c++) {
		char names[64][64];
		size_t n = 0, off = 0;
		store_class_holders(ui->st, (enum key_class)c, kv->s[c].active, names, 64, &n);
		kv->holders[c][0] = 0;
		for (size_t i = 0; i < n && off < sizeof kv->holders[c]; i++)
			off += (size_t)snprintf(kv->holders[c] + off, sizeof kv->holders[c] - off, "%s%s",
			                        i ? " " : "", names[i]);
	}
	return rc;
}

/* The class c's row, at line y. */
static void keys_class_row(struct keys_view *kv, int c, int y)
{
	char num[16], use[64] = "";
	size_t off = 0;

	ui_put(y, 1, keys_class_name((enum key_class)c), 10);
	snprintf(num, sizeof num, "%u", kv->s[c].active);
	ui_put(y, 12, num, 5);
	for (size_t i = 0; i < kv->s[c].nuse && off < sizeof use; i++)
		off += (size_t)snprintf(use + off, sizeof use - off, "%s%u: %llu", i ? ", " : "",
		                        kv->s[c].use[i].epoch,
		                        (unsigned long long)kv->s[c].use[i].records);
	if (kv->s[c].rotation.active) {
		const struct store_rotation *r = &kv->s[c].rotation;
		uint64_t total = r->total ? r->total : 1, done = r->done < total ? r->done : total;
		snprintf(use, sizeof use, _("rotating %u→%u, %u%%"), r->from, r->to,
		         (unsigned)(100 * done / total));
	}
	ui_put(y, 18, use, 21);
	ui_put(y, 40, kv->holders[c], COLS - 41);
}

/* The key that grants and signs: who has not logged in since it was
 * replaced still trusts the old one. */
static void keys_authority_row(struct ui *ui, struct keys_view *kv, int y)
{
	char num[16];

	ui_put(y, 1, "authority", 10);
	snprintf(num, sizeof num, "%u", store_authority_epoch(ui->st));
	ui_put(y, 12, num, 5);
	if (kv->not_moved[0]) {
		ui_put(y, 18, _("not moved:"), 21);
		ui_put(y, 40, kv->not_moved, COLS - 41);
	}
}

static void keys_draw(void *self, struct ui *ui)
{
	struct keys_view *kv = self;
	struct listview_row it = {0};

	ui_attr(ui, C_LABEL, true);
	ui_put_pad(1, 1, _("Class"), 11);
	ui_put_pad(1, 12, _("Epoch"), 6);
	ui_put_pad(1, 18, _("Epoch: cases"), 22);
	ui_put(1, 40, _("Held by"), COLS - 41);
	ui_attr(ui, C_LABEL, false);
	listview_set(&kv->list, KC_COUNT + 1, keys_height());
	while (listview_each(&kv->list, &it)) {
		int y = 2 + it.y;
		bool sel = it.row == kv->list.sel;
		if (sel)
			ui_attr(ui, C_SELECTED, true);
		ui_put_pad(y, 0, "", COLS);
		if (it.row < KC_COUNT)
			keys_class_row(kv, (int)it.row, y);
		else
			keys_authority_row(ui, kv, y);
		if (sel)
			ui_attr(ui, C_SELECTED, false);
	}
}

/* Someone else's rotation (or the end of ours) moved the store: follow it.
 * Its progress is a cheap read per class; the full status (a scan of every
 * case, for the epochs in use) only when a rotation began or ended or an
 * active epoch moved. */
static void keys_changed(void *self, struct ui *ui, uint64_t id)
{
	struct keys_view *kv = self;
	struct store_rotation r[KC_COUNT];
	uint32_t active[KC_COUNT];
	bool reload = false;

	(void)id;
	if (store_active_epochs(ui->st, active) != M_OK)
		goto fail;
	for (unsigned c = 0; c < KC_COUNT; c++) {
		const struct store_rotation *was = &kv->s[c].rotation;
		if (store_rotation_get(ui->st, (enum key_class)c, &r[c]) != M_OK)
			goto fail;
		reload |= active[c] != kv->s[c].active || r[c].active != was->active ||
		          (r[c].active && (r[c].from != was->from || r[c].to != was->to));
	}
	if (reload) {
		if (keys_load(ui, kv) != M_OK)
			goto fail;
		return;
	}
	for (unsigned c = 0; c < KC_COUNT; c++)
		kv->s[c].rotation = r[c];
	return;
fail:
	ui_say(ui, true, "%s", tui_error(ui->st));
}

/* The rotation this screen runs, in this process: it holds the
 * administrator's keys, which never leave it. */
static struct ui *progress_ui;

/* Between batches (no transaction open): q, Esc or ^C, or the terminal
 * going away, stops the rotation after the batch just committed, in the
 * state a kill leaves, which r (or mappe keys rotate) resumes. */
static void keys_poll_stop(struct ui *ui)
{
	wint_t ch;
	int rc;

	if (ui_hung_up()) {
		store_rotate_stop(ui->st);
		return;
	}
	if (ui->script)
		return;
	timeout(0);
	while ((rc = get_wch(&ch)) != ERR)
		if (rc == OK && (ch == 'q' || ch == 27 || ch == CTRL('c')))
			store_rotate_stop(ui->st);
}

/* Drawn from inside the rotation, between its batches. */
static void keys_progress(void *ctx, const struct store_rotation *r)
{
	struct ui *ui = progress_ui;
	uint64_t total = r->total ? r->total : 1, done = r->done < total ? r->done : total;
	int w = COLS - 30, fill;
	char line[96];

	(void)ctx;
	keys_poll_stop(ui);
	if (w < 10)
		w = 10;
	fill = (int)((uint64_t)w * done / total);
	move(LINES - 3, 0);
	clrtoeol();
	snprintf(line, sizeof line, "%s %llu/%llu", keys_class_name(r->cls),
	         (unsigned long long)done, (unsigned long long)total);
	ui_put(LINES - 3, 1, line, 26);
	ui_attr(ui, C_SELECTED, true);
	for (int i = 0; i < fill; i++)
		mvaddch(LINES - 3, 28 + i, ' ');
	ui_attr(ui, C_SELECTED, false);
	for (int i = fill; i < w; i++)
		mvaddch(LINES - 3, 28 + i, ACS_CKBOARD);
	move(LINES - 2, 0);
	clrtoeol();
	ui_put(LINES - 2, 1, _("q or Esc stops the rotation after this batch; r resumes it"),
	       COLS - 2);
	if (!ui->script)
		refresh();
}

static bool keys_key(void *self, struct ui *ui, enum request req, wint_t ch, bool fnkey)
{
	struct keys_view *kv = self;
	int rc, sel;

	(void)fnkey;
	(void)ch;
	if (req == REQ_QUIT || req == REQ_CANCEL)
		return false;
	listview_set(&kv->list, KC_COUNT + 1, keys_height());
	if (listview_request(&kv->list, req))
		return true;
	sel = (int)kv->list.sel;
	if (req == REQ_ROTATE && sel == KC_COUNT) {
		size_t users = 0;
		if (!ui_confirm(ui, _("Replace the authority key now? Each user's keyslot follows at "
		                      "their next login.")))
			return true;
		if (store_rotate_authority(ui->st, &users) != M_OK)
			ui_say(ui, true, "%s", tui_error(ui->st));
		else
			ui_say(ui, false, _("The authority key is replaced (epoch %u)"),
			       store_authority_epoch(ui->st));
		if (keys_load(ui, kv) != M_OK)
			ui_say(ui, true, "%s", tui_error(ui->st));
	} else if (req == REQ_ROTATE) {
		char q[96];
		snprintf(q, sizeof q, _("Rotate the %s key now?"),
		         keys_class_name((enum key_class)sel));
		if (!ui_confirm(ui, q))
			return true;
		progress_ui = ui;
		rc = store_rotate(ui->st, (enum key_class)sel, 0, keys_progress, NULL);
		if (rc != M_OK)
			ui_say(ui, true, "%s", tui_error(ui->st));
		if (keys_load(ui, kv) != M_OK)
			ui_say(ui, true, "%s", tui_error(ui->st));
		else if (rc == M_OK) /* a resumed rotation made its epoch active before */
			ui_say(ui, false, _("%s: epoch %u active; the old keys are deleted"),
			       keys_class_name((enum key_class)sel), kv->s[sel].active);
	}
	return true;
}

int view_keys_open(struct ui *ui)
{
	struct keys_view *kv = calloc(1, sizeof *kv);

	if (!kv)
		return M_UNAVAILABLE;
	listview_init(&kv->list, true, NULL, NULL);
	if (store_role(ui->st) != ROLE_ADMIN) {
		free(kv);
		ui_say(ui, true, "%s", _("The keys screen is for administrators"));
		return M_AUTH;
	}
	if (keys_load(ui, kv) != M_OK) {
		ui_say(ui, true, "%s", tui_error(ui->st));
		free(kv);
		return M_UNAVAILABLE;
	}
	ui_push(ui, &keys_ops, kv);
	return M_OK;
}

static const struct binding keys_keys[] = {
    {'r', false, REQ_ROTATE},
};
static const enum request keys_bar[] = {REQ_HELP, REQ_QUIT, REQ_ROTATE, REQ_UP, REQ_DOWN};
static KEYMAP(keys_keymap, keys_keys, keys_bar, &browse_keymap);
static const struct keymap *const keys_keymaps[] = {&keys_keymap, NULL};

const struct view_ops keys_ops = {
    .title = N_("Keys"),
    .keymaps = keys_keymaps,
    .draw = keys_draw,
    .key = keys_key,
    .free = keys_free,
    .changed = keys_changed,
};
