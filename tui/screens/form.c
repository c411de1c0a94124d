/* form.c: editing a case.
 *
 * A form is built from the field catalogue: one line editor per field the
 * user's keys open, a locked line for the others. Values are checked with
 * field_normalise as the cursor leaves a field and again on save, and the
 * message stands beside the field. A save sends only what changed, with the
 * version the form was opened at: if a colleague saved first, the conflict
 * dialog shows both values of every field both changed, and nothing is
 * overwritten without the user choosing.
 */
#define NCURSES_WIDECHAR 1
#include "tui/editor.h"
#include "tui/ui.h"

#include <curses.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { LINES_ROWS = 3 };

struct form {
	struct case_rec *c; /* the case view's copy: what the form started from */
	struct case_rec *own; /* a new case's (empty) record, the form's own */
	uint64_t id;
	uint32_t version;
	struct editor ed[F_COUNT];
	bool editable[F_COUNT];
	const char *error[F_COUNT];
	int focus;
	/* The focused field's mark as it was when the focus came to it: typing
	 * in it redraws only the text (a thin client's bytes: a character is
	 * the character); the mark and the count follow when the focus moves. */
	int marked_focus;
	bool marked;
	int top;     /* first screen row of the form, for scrolling */
	time_t kept; /* when the typing was last kept as a draft */
	bool crossed; /* the birth date check was shown: ^S again saves */
	char title[320]; /* a new case's, when not "New case" (a family member) */
};

static void form_keep_to(struct form *fm, struct ui *ui, bool wait);

static int field_rows(enum field_id f)
{
	return field_catalogue[f].type == FT_LINES ? LINES_ROWS : 1;
}

static void form_free(void *self)
{
	struct form *fm = self;

	for (int f = 0; f < F_COUNT; f++)
		ed_free(&fm->ed[f]);
	if (fm->own) {
		case_clear(fm->own);
		free(fm->own);
	}
	free(fm);
}

static const char *form_value(struct form *fm, enum field_id f, char **out, size_t *len);

/* Whether field f now holds another value than the one read: typing a value
 * back (or "syria" for Syria) is no change. Text that is not valid yet is. */
static bool form_differs(struct form *fm, enum field_id f)
{
	char *v;
	size_t len;
	bool differs;

	if (!fm->editable[f] || !ed_changed(&fm->ed[f]))
		return false;
	if (form_value(fm, f, &v, &len))
		return true;
	differs = strcmp(v, fm->c->value[f] ? fm->c->value[f] : "") != 0;
	keys_secure_free(v);
	return differs;
}

/* How many fields differ; which ones in differs[] (may be NULL). */
static int form_changed(struct form *fm, bool *differs)
{
	int n = 0;

	for (int f = 0; f < F_COUNT; f++) {
		bool d = form_differs(fm, (enum field_id)f);
		if (differs)
			differs[f] = d;
		n += d;
	}
	return n;
}

/* Typed in at all: kept as a draft even when typed back, so that the draft
 * kept before follows the typing. */
static bool form_edited(const struct form *fm)
{
	for (int f = 0; f < F_COUNT; f++)
		if (fm->editable[f] && ed_changed(&fm->ed[f]))
			return true;
	return false;
}

/* A group's heading stands above its first field (fields.def's order). */
static bool heads_group(enum field_id f)
{
	return f == 0 || field_catalogue[f].group != field_catalogue[f - 1].group;
}

/* Normalise a field's text into secure memory; NULL message when valid. */
static const char *form_value(struct form *fm, enum field_id f, char **out, size_t *len)
{
	size_t raw_len = ed_utf8_len(&fm->ed[f]), cap = raw_len + 8;
	char *raw = keys_secure_alloc(raw_len + 1), *norm = keys_secure_alloc(cap);
	const char *msg = NULL;

	*out = NULL;
	if (!raw || !norm) {
		keys_secure_free(raw);
		keys_secure_free(norm);
		return N_("out of memory");
	}
	ed_get_utf8(&fm->ed[f], raw, raw_len + 1);
	msg = field_normalise(f, raw, raw_len, norm, cap, len);
	keys_secure_free(raw);
	if (msg)
		keys_secure_free(norm);
	else
		*out = norm;
	return msg;
}

static void form_check(struct form *fm, enum field_id f)
{
	char *v;
	size_t len;

	if (!fm->editable[f])
		return;
	fm->error[f] = form_value(fm, f, &v, &len);
	keys_secure_free(v);
}

/* The row of field upto's value, counted from the form's first row. */
static int form_y(int upto)
{
	int y = 0;

	for (int f = 0; f < upto; f++)
		y += field_rows((enum field_id)f) + heads_group((enum field_id)f);
	return y + heads_group((enum field_id)upto);
}

/* What an enum or a boolean takes, by the labels the form shows (the ids
 * and the other language's labels are taken too). The status: in the
 * lifecycle's order, only the steps from `from`, the status stored (-1: a
 * new case, which may start in any). */
static void form_choices(struct ui *ui, enum field_id f, int from)
{
	char list[256];
	size_t used = 0;
	int n = field_choice_count(f), order[STATUS_COUNT];

	if (field_catalogue[f].type == FT_BOOL) {
		ui_say(ui, false, "%s %s, %s", _("Choices:"), ui->nb ? "ja" : "yes",
		       ui->nb ? "nei" : "no");
		return;
	}
	if (n == 0)
		return;
	if (f == F_status)
		n = status_choices(from, order);
	list[0] = 0;
	for (int i = 0; i < n && used < sizeof list; i++) {
		int c = f == F_status ? order[i] : i;
		if (f == F_status && c == from)
			continue; /* staying is no step */
		int k = snprintf(list + used, sizeof list - used, "%s%s", used ? ", " : "",
		                 field_choice_label(f, c, ui->nb));
		if (k < 0)
			break;
		used += (size_t)k;
	}
	if (f == F_status && from >= 0 && !used)
		ui_say(ui, false, _("%s: no step leads on from it"), field_choice_label(f, from, ui->nb));
	else if (f == F_status && from >= 0)
		ui_say(ui, false, _("Steps from %s: %s"), field_choice_label(f, from, ui->nb), list);
	else
		ui_say(ui, false, "%s %s", _("Choices:"), list);
}

/* The status the case is stored in, -1 for a new one. */
static int form_stored_status(const struct form *fm)
{
	const char *v = fm->id ? fm->c->value[F_status] : NULL;

	return v ? field_choice_find(F_status, v, strlen(v)) : -1;
}

/* Field f is masked (privacy mode) and holds something to mask. */
static bool form_masked(const struct form *fm, const struct ui *ui, enum field_id f)
{
	return fm->editable[f] && (fm->ed[f].len > 0 || ui_mask_empty(ui, f)) &&
	       ui_masked(ui, fm->id, f);
}

static void form_draw(void *self, struct ui *ui)
{
	struct form *fm = self;
	int label_w = COLS >= 70 ? 24 : COLS / 3, body = LINES - 4;
	int value_w = COLS - label_w - 2, err_x, y0, head_w;
	char head[352];
	bool differs[F_COUNT];
	int changed = form_changed(fm, differs);

	if (fm->marked_focus != fm->focus) {
		fm->marked_focus = fm->focus;
		fm->marked = differs[fm->focus];
	}
	changed += (int)fm->marked - (int)differs[fm->focus];
	differs[fm->focus] = fm->marked;

	/* The error stands beside the value when at least 16 columns are left
	 * for it; the message line always has it in full for the field just
	 * left or being saved. */
	if (value_w >= 36 + 16) {
		value_w = value_w - 16 > 48 ? 48 : value_w - 16;
		err_x = label_w + 1 + value_w + 1;
	} else {
		err_x = -1;
	}
	if (!fm->id)
		snprintf(head, sizeof head, "%s", fm->title[0] ? fm->title : _("New case"));
	else
		snprintf(head, sizeof head, _("Editing case %llu · version %u"), (unsigned long long)fm->id,
	         fm->version);
	ui_attr(ui, C_LABEL, true);
	head_w = ui_put(1, 1, head, COLS - 2);
	ui_attr(ui, C_LABEL, false);
	if (changed) {
		char n[48];
		snprintf(n, sizeof n, _(" · %d changed"), changed);
		ui_put(1, 1 + head_w, n, COLS - 2 - head_w);
	}

	/* Keep the focused field on screen, and its group's heading. */
	y0 = form_y(fm->focus);
	if (y0 - heads_group((enum field_id)fm->focus) < fm->top)
		fm->top = y0 - heads_group((enum field_id)fm->focus);
	if (y0 + field_rows((enum field_id)fm->focus) > fm->top + body - 1)
		fm->top = y0 + field_rows((enum field_id)fm->focus) - body + 1;

	for (int f = 0, y = 2 - fm->top; f < F_COUNT; y += field_rows((enum field_id)f), f++) {
		const struct field_def *d = &field_catalogue[f];
		bool focus = f == fm->focus;
		if (heads_group((enum field_id)f)) {
			if (y >= 2 && y < 2 + body) {
				ui_attr(ui, C_LABEL, true);
				ui_put(y, 1, field_group_label(d->group, ui->nb), label_w - 1);
				ui_attr(ui, C_LABEL, false);
			}
			y++;
		}
		if (y < 2 || y + field_rows((enum field_id)f) > 2 + body)
			continue;
		if (focus)
			ui_attr(ui, C_LABEL, true);
		ui_put(y, 1, focus ? "›" : " ", 1);
		/* Changed since it was read: saved by ^S, lost by Esc. */
		ui_put(y, 2, differs[f] ? "•" : " ", 1);
		ui_put(y, 3, field_label((enum field_id)f, ui->nb), label_w - 3);
		if (focus)
			ui_attr(ui, C_LABEL, false);
		if (!fm->editable[f]) {
			char msg[96];
			snprintf(msg, sizeof msg, _("[locked: needs the %s key]"),
			         _(keys_class_name(d->cls)));
			ui_attr(ui, C_LOCKED, true);
			ui_put(y, label_w + 1, msg, value_w);
			ui_attr(ui, C_LOCKED, false);
			continue;
		}
		if (form_masked(fm, ui, (enum field_id)f)) {
			/* Privacy mode: one line, one width, whatever it holds. */
			for (int r = 0; r < field_rows((enum field_id)f); r++) {
				ui_attr(ui, C_EDIT, focus);
				ui_put_pad(y + r, label_w + 1, r ? "" : ui_mask(), value_w);
				ui_attr(ui, C_EDIT, false);
			}
		} else if (d->type == FT_LINES) {
			struct ed_row rows[LINES_ROWS];
			int cr = 0, cc = 0;
			int n = ed_view_lines(&fm->ed[f], value_w, LINES_ROWS, rows, &cr, &cc);
			for (int r = 0; r < LINES_ROWS; r++) {
				ui_attr(ui, C_EDIT, focus);
				ui_put_pad(y + r, label_w + 1, "", value_w);
				if (r < n)
					ui_put_wide(y + r, label_w + 1, fm->ed[f].buf, rows[r].start,
					         rows[r].end);
				ui_attr(ui, C_EDIT, false);
			}
			if (focus)
				ui_cursor(ui, y + cr, label_w + 1 + cc);
		} else {
			struct ed_view v;
			ed_view(&fm->ed[f], value_w, &v);
			ui_attr(ui, C_EDIT, focus);
			ui_put_pad(y, label_w + 1, "", value_w);
			ui_put_wide(y, label_w + 1, fm->ed[f].buf, v.start, v.end);
			ui_attr(ui, C_EDIT, false);
			if (focus)
				ui_cursor(ui, y, label_w + 1 + v.cursor_col);
		}
		if (fm->error[f] && err_x > 0) {
			ui_attr(ui, C_ERROR, true);
			ui_put(y, err_x, _(fm->error[f]), COLS - err_x - 1);
			ui_attr(ui, C_ERROR, false);
		}
	}
	if (fm->error[fm->focus] && err_x < 0 && !ui->message[0]) {
		ui_say(ui, true, "%s: %s", field_label((enum field_id)fm->focus, ui->nb),
		       _(fm->error[fm->focus]));
	} else if (!ui->message[0]) {
		form_choices(ui, (enum field_id)fm->focus, form_stored_status(fm));
	}
}

/* Move the focus, checking the field being left. */
static void form_move(struct form *fm, struct ui *ui, int dir)
{
	int f = fm->focus;

	form_check(fm, (enum field_id)f);
	if (fm->error[f])
		ui_say(ui, true, "%s: %s", field_label((enum field_id)f, ui->nb), _(fm->error[f]));
	do
		f = (f + dir + F_COUNT) % F_COUNT;
	while (!fm->editable[f] && f != fm->focus);
	fm->focus = f;
	ui_reveal_clear(ui); /* moved on: masked again */
}

/* A new case: registered, or, if its national id is another case's, that
 * case offered (opened above the form, which stays for a second look). */
static bool form_insert(struct ui *ui, struct case_rec *upd)
{
	const char *me = store_user(ui->st);
	uint64_t id = 0;
	int rc;

	if (!upd->value[F_caseworker] && case_set(upd, F_caseworker, me, strlen(me)) != M_OK) {
		case_clear(upd);
		ui_say(ui, true, "%s", _("out of memory"));
		return true;
	}
	rc = store_case_insert(ui->st, upd, 1, &id);
	const struct store_fault *why = store_fault(ui->st);

	case_clear(upd);
	if (rc == M_INPUT && why->code == E_NID_REGISTERED && why->record) {
		char q[160];
		uint64_t other = why->record;
		snprintf(q, sizeof q, _("This national id is registered in case %llu. Open it?"),
		         (unsigned long long)other);
		if (ui_ask(ui, q) == 1)
			view_case_open(ui, other);
		return true;
	}
	if (rc) {
		ui_say(ui, true, "%s", tui_error(ui->st));
		return true;
	}
	ui_say(ui, false, _("Registered: case %llu"), (unsigned long long)id);
	ui_changed(ui, id);
	return false;
}

/* A birth date the national id (or D-number) does not hold is most often
 * a typo in one of them: said once, then ^S again saves what was typed
 * (the register can be wrong too). The number is never shown. */
static bool birth_date_disagrees(struct form *fm, struct ui *ui, const struct case_rec *upd)
{
	const char *nid = upd->dirty[F_national_id] ? upd->value[F_national_id]
	                                           : fm->c->value[F_national_id];
	const char *born = upd->dirty[F_birth_date] ? upd->value[F_birth_date]
	                                           : fm->c->value[F_birth_date];
	char held[11];

	if (fm->crossed || !nid || !born || !*nid || !*born ||
	    !national_id_birth_date(nid, held) || strcmp(held, born) == 0)
		return false;
	fm->crossed = true;
	ui_say(ui, true, "%s", _("Birth date and national id disagree; ^S again saves as typed"));
	return true;
}

/* Save what changed, with the version the form was opened at. */
static bool form_save(struct form *fm, struct ui *ui)
{
	struct case_rec upd;
	int bad = -1, rc;
	bool any = false;

	case_init(&upd);
	upd.id = fm->id;
	for (int f = 0; f < F_COUNT; f++) {
		char *v;
		size_t len;
		const char *old;
		if (!fm->editable[f] || !ed_changed(&fm->ed[f]))
			continue;
		fm->error[f] = form_value(fm, (enum field_id)f, &v, &len);
		if (fm->error[f]) {
			if (bad < 0)
				bad = f;
			continue;
		}
		old = fm->c->value[f] ? fm->c->value[f] : "";
		if (strcmp(old, v) != 0) {
			case_set(&upd, (enum field_id)f, v, len);
			any = true;
		}
		keys_secure_free(v);
	}
	if (bad >= 0) {
		fm->focus = bad;
		ui_say(ui, true, "%s: %s", field_label((enum field_id)bad, ui->nb), _(fm->error[bad]));
		case_clear(&upd);
		return true;
	}
	if (!any) {
		case_clear(&upd);
		ui_say(ui, false, "%s", _("Nothing changed"));
		if (fm->id)
			store_draft_delete(ui->st, fm->id);
		return false;
	}
	if (birth_date_disagrees(fm, ui, &upd)) {
		case_clear(&upd);
		return true;
	}
	if (!fm->id)
		return form_insert(ui, &upd);
	rc = store_case_update(ui->st, &upd, fm->version);
	if (rc == M_CONFLICT) {
		view_conflict_open(ui, fm->c, fm->version, &upd); /* takes upd */
		return true;
	}
	if (rc) {
		ui_say(ui, true, "%s", tui_error(ui->st));
		case_clear(&upd);
		return true;
	}
	ui_say(ui, false, _("Saved: version %u"), upd.version);
	store_draft_delete(ui->st, fm->id);
	ui_changed(ui, fm->id);
	case_clear(&upd);
	return false;
}

/* Privacy mode: the focused field shown (audited) when it is masked;
 * false when it was not. */
static bool form_reveal(struct form *fm, struct ui *ui)
{
	if (!form_masked(fm, ui, (enum field_id)fm->focus))
		return false;
	if (ui_reveal_field(ui, fm->id, (enum field_id)fm->focus) == M_OK)
		ui_say(ui, false, "%s", _("Shown until you leave the field"));
	return true;
}

/* Before a key edits the focused field: a masked value is shown first (the
 * key is not applied: true); an empty field typed into shows the typing. */
static bool form_before_edit(struct form *fm, struct ui *ui)
{
	enum field_id f = (enum field_id)fm->focus;

	if (form_reveal(fm, ui))
		return true;
	if (ui->privacy && fm->editable[f] && fm->ed[f].len == 0 && field_masked(f))
		ui_reveal_typed(ui, fm->id, f);
	return false;
}

static bool form_key(void *self, struct ui *ui, enum request req, wint_t ch, bool fnkey)
{
	struct form *fm = self;
	struct editor *ed = &fm->ed[fm->focus];
	bool lines = field_catalogue[fm->focus].type == FT_LINES;

	switch (req) {
	case REQ_SAVE:
		return form_save(fm, ui);
	case REQ_CANCEL:
		if (form_changed(fm, NULL) && !ui_confirm(ui, _("Discard your changes?")))
			return true;
		store_draft_delete(ui->st, fm->id);
		return false;
	case REQ_NEXT:
		form_move(fm, ui, 1);
		return true;
	case REQ_PREV:
		form_move(fm, ui, -1);
		return true;
	case REQ_UP:
		if (!lines || ed_apply(ed, ED_UP, 0) != 0)
			form_move(fm, ui, -1);
		return true;
	case REQ_DOWN:
		if (!lines || ed_apply(ed, ED_DOWN, 0) != 0)
			form_move(fm, ui, 1);
		return true;
	case REQ_NEWLINE:
		if (form_before_edit(fm, ui))
			return true;
		ed_apply(ed, ED_NEWLINE, 0);
		return true;
	case REQ_REVEAL:
		if (!form_reveal(fm, ui))
			ui_say(ui, false, "%s",
			       ui->privacy
			           ? _("Nothing is masked here")
			           : _("Privacy mode is off: nothing is masked (^P turns it on)"));
		return true;
	default:
		break;
	}
	if (form_before_edit(fm, ui))
		return true; /* shown first: no edit to what the user cannot see */
	if (ui_edit(ed, req, ch, fnkey) == 0)
		fm->error[fm->focus] = NULL; /* judged again when the cursor leaves */
	fm->crossed = false; /* an edit: the check speaks again at the next ^S */
	if (form_edited(fm) && drafts_due(&fm->kept))
		form_keep_to(fm, ui, false);
	return true;
}

/* Keep what was typed, valid or not, as a draft: while typing without
 * waiting for the store, when the link drops or the session locks with. */
static void form_keep_to(struct form *fm, struct ui *ui, bool wait)
{
	struct case_rec d;

	if (!fm->id)
		return; /* drafts belong to a case: a new one has no id yet */
	case_init(&d);
	d.id = fm->id;
	for (int f = 0; f < F_COUNT; f++) {
		size_t len;
		char *raw;
		if (!fm->editable[f] || !ed_changed(&fm->ed[f]))
			continue;
		len = ed_utf8_len(&fm->ed[f]);
		if (!(raw = keys_secure_alloc(len + 1)))
			continue;
		ed_get_utf8(&fm->ed[f], raw, len + 1);
		case_set(&d, (enum field_id)f, raw, len);
		d.dirty[f] = true; /* an emptied field is an edit too */
		keys_secure_free(raw);
	}
	if (wait)
		store_draft_save(ui->st, fm->id, &d, fm->version, NULL, 0);
	else
		store_draft_keep(ui->st, fm->id, &d, fm->version, NULL, 0);
	case_clear(&d);
}

static void form_keep(void *self, struct ui *ui)
{
	form_keep_to(self, ui, true);
}

int view_form_restore(struct ui *ui, struct case_rec *c, const struct case_rec *draft,
                      uint32_t base)
{
	struct form *fm;
	int rc = view_form_open(ui, c);

	if (rc || ui->stack[ui->depth - 1].ops != &form_ops)
		return rc;
	fm = ui->stack[ui->depth - 1].self;
	/* The version the edits started from: if the case changed since, the
	 * save goes through the conflict dialog. */
	fm->version = base;
	for (int f = 0; f < F_COUNT; f++) {
		if (!draft->dirty[f] || !fm->editable[f])
			continue;
		if (ed_set_utf8(&fm->ed[f], draft->value[f] ? draft->value[f] : "", draft->len[f]) == 0)
			fm->ed[f].changed = true;
		form_check(fm, (enum field_id)f);
	}
	return M_OK;
}

static int form_set_shown(struct form *fm, struct ui *ui, enum field_id f)
{
	char buf[64];
	const char *v = fm->c->value[f], *shown = field_display_name(f, v, ui->nb, buf, sizeof buf);

	return ed_set_utf8(&fm->ed[f], shown, shown == v ? fm->c->len[f] : strlen(shown));
}

/* An empty form for a new person, the caseworker already the user. */
int view_form_new(struct ui *ui)
{
	struct case_rec *c = calloc(1, sizeof *c);
	const char *me = store_user(ui->st);
	struct form *fm;
	int rc;

	if (!c)
		return M_UNAVAILABLE;
	case_init(c);
	if ((rc = view_form_open(ui, c)) != M_OK) {
		case_clear(c);
		free(c);
		return rc;
	}
	fm = ui->stack[ui->depth - 1].self;
	fm->own = c;
	/* Shown, not typed: the insert takes it unless it is changed. */
	if (fm->editable[F_caseworker])
		ed_set_utf8(&fm->ed[F_caseworker], me, strlen(me));
	return M_OK;
}

/* The household a family member joins: c's, or a new one saved on c
 * first, with c's version. A colleague who saved c meanwhile changed its
 * identity class (an update compares only the classes it writes): c is read
 * again, and their household, if they gave it one, is the one; else the
 * save is tried once more, and a second conflict is said as any other. A
 * new id is H- and the case's number: unique while that case keeps it. */
static int family_household(struct ui *ui, struct case_rec *c, char *hh, size_t cap)
{
	int rc = M_CONFLICT;

	for (int tries = 0; tries < 2 && rc == M_CONFLICT; tries++) {
		struct case_rec upd;
		if (c->value[F_household_id] && c->len[F_household_id] > 0 &&
		    c->len[F_household_id] < cap) {
			memcpy(hh, c->value[F_household_id], c->len[F_household_id]);
			hh[c->len[F_household_id]] = 0;
			return M_OK;
		}
		snprintf(hh, cap, "H-%llu", (unsigned long long)c->id);
		case_init(&upd);
		upd.id = c->id;
		if (case_set(&upd, F_household_id, hh, strlen(hh)) != M_OK) {
			case_clear(&upd);
			ui_say(ui, true, "%s", _("out of memory"));
			return M_UNAVAILABLE;
		}
		rc = store_case_update(ui->st, &upd, c->version);
		case_clear(&upd);
		if (rc == M_OK || rc == M_CONFLICT)
			ui_changed(ui, c->id); /* c is read again: hh is our own copy */
	}
	if (rc)
		ui_say(ui, true, "%s", tui_error(ui->st));
	return rc;
}

int view_form_family(struct ui *ui, struct case_rec *c)
{
	char hh[40], name[256];
	const char *given, *family;
	struct form *fm;
	int rc;

	/* The household and the names are in the identity class. */
	if (!store_can_read(ui->st, KC_IDENTITY)) {
		ui_say(ui, true, "%s",
		       _("A family member's household and name need the identity key"));
		return M_AUTH;
	}
	if ((rc = family_household(ui, c, hh, sizeof hh)) != M_OK)
		return rc;
	/* As c is now: it may have been read again. */
	given = c->value[F_given_name];
	family = c->value[F_family_name];
	snprintf(name, sizeof name, "%s%s%s", given ? given : "", given && family ? " " : "",
	         family ? family : "");
	if ((rc = view_form_new(ui)) != M_OK)
		return rc;
	fm = ui->stack[ui->depth - 1].self;
	/* Typed for the user: the insert saves it, and it shows as changed. */
	if (ed_set_utf8(&fm->ed[F_household_id], hh, strlen(hh)) == 0)
		fm->ed[F_household_id].changed = true;
	snprintf(fm->title, sizeof fm->title, _("New person in the household of %s"), name);
	return M_OK;
}

int view_form_open(struct ui *ui, struct case_rec *c)
{
	struct form *fm = calloc(1, sizeof *fm);
	int first = -1;

	if (!fm)
		return M_UNAVAILABLE;
	fm->marked_focus = -1;
	fm->c = c;
	fm->id = c->id;
	fm->version = c->version;
	for (int f = 0; f < F_COUNT; f++) {
		const struct field_def *d = &field_catalogue[f];
		fm->editable[f] = d->cls == KC_NONE || store_can_read(ui->st, d->cls);
		if (!fm->editable[f])
			continue;
		if (ed_init(&fm->ed[f], FIELD_MAX_BYTES, d->type == FT_LINES) != 0) {
			form_free(fm);
			ui_say(ui, true, "%s", _("out of memory"));
			return M_UNAVAILABLE;
		}
		/* Shown as people write it (bosatt, ja, 17.04.2001); saving
		 * normalises it back, so an untouched field is no change.
		 * Stored before the validators held it to UTF-8: say which
		 * field, rather than "out of memory". */
		if (c->value[f] && form_set_shown(fm, ui, (enum field_id)f) != 0) {
			form_free(fm);
			ui_say(ui, true,
			       _("%s: the stored value is not valid UTF-8 text; correct it "
			         "with mappe update"),
			       field_label((enum field_id)f, ui->nb));
			return M_INPUT;
		}
		if (first < 0 && d->cls != KC_NONE)
			first = f;
	}
	fm->focus = first >= 0 ? first : 0;
	ui_push(ui, &form_ops, fm);
	return M_OK;
}

/* In a field of one line, Enter and the arrows go from field to field; in
 * one of several lines (form_lines_keys), they move in the text. */
static const struct binding form_keys[] = {
    {CTRL('s'), false, REQ_SAVE}, {KEY_F(2), true, REQ_SAVE}, {27, false, REQ_CANCEL},
    {'\t', false, REQ_NEXT},      {'\n', false, REQ_NEXT},    {KEY_DOWN, true, REQ_NEXT},
    {KEY_BTAB, true, REQ_PREV},   {KEY_UP, true, REQ_PREV},   {CTRL('r'), false, REQ_REVEAL},
};
static const enum request form_bar[] = {REQ_HELP,   REQ_SAVE,    REQ_NEXT,
                                        REQ_CANCEL, REQ_PRIVACY, REQ_REVEAL};
static KEYMAP(form_keymap, form_keys, form_bar, &edit_keymap);

static const struct binding form_lines_keys[] = {
    {'\n', false, REQ_NEWLINE},
    {KEY_UP, true, REQ_UP},
    {KEY_DOWN, true, REQ_DOWN},
};
static KEYMAP(form_lines_keymap, form_lines_keys, form_bar, &form_keymap);
static const struct keymap *const form_keymaps[] = {&form_keymap, &form_lines_keymap, NULL};

static size_t form_mode(const void *self)
{
	const struct form *fm = self;

	return field_catalogue[fm->focus].type == FT_LINES ? 1 : 0;
}

const struct view_ops form_ops = {
    .title = N_("Edit"),
    .keymaps = form_keymaps,
    .mode = form_mode,
    .draw = form_draw,
    .key = form_key,
    .free = form_free,
    .keep = form_keep,
};
