/* audit.c: the lead's log review (domain.md: leaders review access outside
 * a user's caseload; the government's guidelines on access logs ask for a
 * routine one). A row per caseworker who consulted cases outside their
 * caseload, with how many and when last; Enter opens that user's entries:
 * each access with its time, what was done, the case, whose caseload it
 * was in and the purpose. The same review as mappe report
 * outside-caseload (store_outside_caseload). Leads and administrators;
 * opening it is itself logged. */
#define NCURSES_WIDECHAR 1
#include "tui/ui.h"

#include <curses.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct audit_view {
	struct outside_report r;
	bool entries;    /* a user's entries, not the users */
	size_t user;     /* whose, when entries */
	size_t user_sel; /* the users' selection, kept while in the entries */
	struct listview list;
};

/* Title, the explanation, the heading, message line and key bar. */
static int audit_height(void)
{
	return LINES - 5;
}

static void audit_free(void *self)
{
	struct audit_view *av = self;

	outside_report_free(&av->r);
	free(av);
}

static size_t audit_rows(const struct audit_view *av)
{
	return av->entries ? av->r.users[av->user].n : av->r.nusers;
}

static void put_label(struct ui *ui, int y, int x, const char *s, int w)
{
	ui_attr(ui, C_LABEL, true);
	ui_put_cut(y, x, s, w);
	ui_attr(ui, C_LABEL, false);
}

/* The widest role name in the UI's language: the column cuts none. */
static int role_width(void)
{
	int w = ui_text_width(_("no longer enrolled"));

	for (int r = 0; r < ROLE_COUNT; r++) {
		int rw = ui_text_width(_(keys_role_name((enum key_role)r)));
		if (rw > w)
			w = rw;
	}
	return w;
}

/* Column widths for the window: the narrower it is, the fewer columns. */
static void draw_users(struct ui *ui, struct audit_view *av)
{
	struct listview_row it = {0};
	int name_w = COLS >= 64 ? 16 : 12, role_w = role_width();
	bool wide = COLS >= name_w + role_w + 30;

	put_label(ui, 1, 1,
	          av->r.nusers ? _("Caseworkers who opened cases outside their caseload")
	                       : _("No access outside a caseload is recorded"),
	          COLS - 2);
	if (!av->r.nusers)
		return;
	int x = 1;
	ui_attr(ui, C_LABEL, true);
	ui_put_cut(2, x, _("User"), name_w);
	x += name_w + 1;
	if (wide) {
		ui_put_cut(2, x, _("Role"), role_w);
		x += role_w + 1;
	}
	ui_put_cut(2, x, _("Outside"), 8);
	x += 9;
	if (x < COLS - 1)
		ui_put_cut(2, x, _("Last"), COLS - 1 - x);
	ui_attr(ui, C_LABEL, false);
	listview_set(&av->list, av->r.nusers, audit_height());
	while (listview_each(&av->list, &it)) {
		const struct outside_user *u = &av->r.users[it.row];
		int y = 3 + it.y;
		char num[24], last[32] = "";
		bool sel = it.row == av->list.sel;
		if (sel)
			ui_attr(ui, C_SELECTED, true);
		ui_put_pad(y, 0, "", COLS);
		x = 1;
		ui_put_cut(y, x, u->user, name_w);
		x += name_w + 1;
		if (wide) {
			ui_put_cut(y, x,
			           u->role < 0 ? _("no longer enrolled")
			                       : _(keys_role_name((enum key_role)u->role)),
			           role_w);
			x += role_w + 1;
		}
		snprintf(num, sizeof num, "%zu", u->n);
		ui_put(y, x, num, 8);
		x += 9;
		if (u->n)
			cli_time(u->a[u->n - 1].e.time, true, last);
		if (x < COLS - 1)
			ui_put_cut(y, x, last, COLS - 1 - x);
		if (sel)
			ui_attr(ui, C_SELECTED, false);
	}
	ui_put_more(&av->list, 3, COLS - 1);
}

/* At x, at most w columns and never past the window's edge. */
static int put_col(int y, int x, const char *s, int w)
{
	if (w > COLS - 1 - x)
		w = COLS - 1 - x;
	if (w > 0)
		ui_put_cut(y, x, s, w);
	return x + w + 1;
}

static void draw_entries(struct ui *ui, struct audit_view *av)
{
	const struct outside_user *u = &av->r.users[av->user];
	struct listview_row it = {0};
	char head[160];
	/* Narrow, the time, the case and what was done; wider, whose
	 * caseload it was in and the purpose too. */
	bool wide = COLS >= 60;
	int time_w = 16, what_w = COLS >= 72 ? 20 : 12, case_w = 6, cw_w = COLS >= 72 ? 14 : 9;

	snprintf(head, sizeof head,
	         u->n == 1 ? _("%s: %zu access outside the caseload")
	                   : _("%s: %zu accesses outside the caseload"),
	         u->user, u->n);
	put_label(ui, 1, 1, head, COLS - 2);
	int x = 1;
	ui_attr(ui, C_LABEL, true);
	x = put_col(2, x, _("Time"), time_w);
	x = put_col(2, x, _("Case"), case_w);
	x = put_col(2, x, _("What"), wide ? what_w : COLS);
	if (wide) {
		x = put_col(2, x, _("Caseload of"), cw_w);
		put_col(2, x, _("Purpose"), COLS);
	}
	ui_attr(ui, C_LABEL, false);
	listview_set(&av->list, u->n, audit_height());
	while (listview_each(&av->list, &it)) {
		const struct outside_access *a = &u->a[it.row];
		int y = 3 + it.y;
		char t[32], id[24];
		bool sel = it.row == av->list.sel;
		if (sel)
			ui_attr(ui, C_SELECTED, true);
		ui_put_pad(y, 0, "", COLS);
		snprintf(id, sizeof id, "%llu", (unsigned long long)a->e.case_id);
		x = put_col(y, 1, cli_time(a->e.time, true, t), time_w);
		x = put_col(y, x, id, case_w);
		x = put_col(y, x, audit_action_label(a->e.action), wide ? what_w : COLS);
		if (wide) {
			x = put_col(y, x, a->caseworker[0] ? a->caseworker : _("(nobody)"), cw_w);
			put_col(y, x, audit_purpose_label(a->e.purpose), COLS);
		}
		if (sel)
			ui_attr(ui, C_SELECTED, false);
	}
	ui_put_more(&av->list, 3, COLS - 1);
}

static void audit_draw(void *self, struct ui *ui)
{
	struct audit_view *av = self;

	if (av->entries)
		draw_entries(ui, av);
	else
		draw_users(ui, av);
}

static bool audit_key(void *self, struct ui *ui, enum request req, wint_t ch, bool fnkey)
{
	struct audit_view *av = self;

	(void)ch;
	(void)fnkey;
	listview_set(&av->list, audit_rows(av), audit_height());
	switch (req) {
	case REQ_ENTRIES:
		if (!av->entries && av->r.nusers) {
			av->user_sel = av->list.sel;
			av->user = av->list.sel;
			av->entries = true;
			listview_init(&av->list, true, NULL, NULL);
		}
		return true;
	case REQ_OPEN:
		/* The case the entry is about, if the lead may open it: logged
		 * as opened from here. */
		if (av->entries && av->list.sel < av->r.users[av->user].n)
			view_case_open(ui, av->r.users[av->user].a[av->list.sel].e.case_id);
		return true;
	case REQ_QUIT:
		if (!av->entries)
			return false;
		av->entries = false;
		listview_init(&av->list, true, NULL, NULL);
		listview_set(&av->list, audit_rows(av), audit_height());
		listview_show(&av->list, av->user_sel, 0);
		return true;
	default:
		listview_request(&av->list, req);
		return true;
	}
}

static size_t audit_mode(const void *self)
{
	return ((const struct audit_view *)self)->entries ? 1 : 0;
}

static const char *audit_subtitle(const void *self, struct ui *ui, char *buf, size_t cap)
{
	const struct audit_view *av = self;

	(void)ui;
	if (!av->entries)
		return "";
	snprintf(buf, cap, "%s", av->r.users[av->user].user);
	return buf;
}

int view_audit_open(struct ui *ui)
{
	enum key_role role = store_role(ui->st);

	if (role != ROLE_LEAD && role != ROLE_ADMIN) {
		ui_say(ui, true, "%s", _("The log review is for leads and administrators"));
		return M_AUTH;
	}
	struct audit_view *av = calloc(1, sizeof *av);
	if (!av)
		return M_UNAVAILABLE;
	listview_init(&av->list, true, NULL, NULL);
	/* Logged before anything of it is read. */
	int rc = store_audit(ui->st, &(struct audit_event){.action = AUDIT_AUDIT_READ,
	                                                   .purpose = "screen: Log review"});
	if (rc == M_OK)
		rc = store_outside_caseload(ui->st, 0, &av->r);
	if (rc != M_OK) {
		ui_say(ui, true, "%s", tui_error(ui->st));
		free(av);
		return rc;
	}
	ui_push(ui, &audit_ops, av);
	return M_OK;
}

static const struct binding users_keys[] = {
    {'\n', false, REQ_ENTRIES},  {'q', false, REQ_QUIT},    {KEY_PPAGE, true, REQ_PGUP},
    {KEY_NPAGE, true, REQ_PGDN}, {KEY_HOME, true, REQ_TOP}, {KEY_END, true, REQ_BOTTOM},
};
static const enum request users_bar[] = {REQ_HELP, REQ_QUIT, REQ_ENTRIES, REQ_UP, REQ_DOWN};
static KEYMAP(users_keymap, users_keys, users_bar, &browse_keymap);

static const struct binding entries_keys[] = {
    {'\n', false, REQ_OPEN},   {'q', false, REQ_QUIT},    {KEY_PPAGE, true, REQ_PGUP},
    {KEY_NPAGE, true, REQ_PGDN}, {KEY_HOME, true, REQ_TOP}, {KEY_END, true, REQ_BOTTOM},
};
static const enum request entries_bar[] = {REQ_HELP, REQ_QUIT, REQ_OPEN, REQ_UP, REQ_DOWN, REQ_PGDN};
static KEYMAP(entries_keymap, entries_keys, entries_bar, &browse_keymap);
static const struct keymap *const audit_keymaps[] = {&users_keymap, &entries_keymap, NULL};

const struct view_ops audit_ops = {
    .title = N_("Log review"),
    .keymaps = audit_keymaps,
    .mode = audit_mode,
    .draw = audit_draw,
    .key = audit_key,
    .free = audit_free,
    .subtitle = audit_subtitle,
};
