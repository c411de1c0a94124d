/* items.c: one list inside a case (store/lists.def), and the small form of
 * one of its items.
 *
 * The case view's l opens it (tig's sub-views, NeoMutt's attachment menu):
 * the list's items one a line, a adds one, Enter edits the one selected, d
 * removes it after asking. Editing is a form of the item's fields with the
 * case form's line editors: each value is checked with item_normalise as
 * the cursor leaves it and again on ^S, the message beside the field. Every
 * add, edit and removal is saved at once through store_case_update with
 * the version it was read at: if a colleague saved meanwhile, the list is
 * read again and what was typed stays in the form, to be saved again. A
 * removed item's id is never given again (the store keeps the highest).
 */
#define NCURSES_WIDECHAR 1
#include "tui/editor.h"
#include "tui/ui.h"

#include <curses.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { ITEM_FIELDS_MAX = 8, ITEMS_SHOWN_MAX = 4096 };

struct items_view {
	struct case_rec c; /* the case as last read */
	enum list_id l;
	struct listview lv;
	int rows[ITEMS_SHOWN_MAX]; /* the list's live items: indexes in c.items */
	bool stale;                /* the store changed while an item was edited */
	/* The item form, while editing (mode 1). */
	bool editing;
	uint32_t item;               /* the item edited; 0: a new one */
	uint32_t version;            /* the case's version the edit started from */
	int fields[ITEM_FIELDS_MAX]; /* the list's item fields, fields.def's order */
	int nf;
	struct editor ed[ITEM_FIELDS_MAX];
	bool editable[ITEM_FIELDS_MAX];
	const char *error[ITEM_FIELDS_MAX];
	int focus;
};

static const struct field_def *field_of(const struct items_view *iv, int k)
{
	return &item_catalogue[iv->fields[k]].f;
}

static const char *ilabel(struct ui *ui, const struct field_def *d)
{
	return ui->nb ? d->label_nb : d->label_en;
}

static bool list_open(struct ui *ui, const struct items_view *iv)
{
	return !iv->c.list_locked[iv->l] && store_can_read(ui->st, list_catalogue[iv->l].cls);
}

static void edit_free(struct items_view *iv)
{
	for (int k = 0; k < iv->nf; k++)
		ed_free(&iv->ed[k]);
	memset(iv->ed, 0, sizeof iv->ed);
	memset(iv->error, 0, sizeof iv->error);
	iv->editing = false;
}

static void items_free(void *self)
{
	struct items_view *iv = self;

	edit_free(iv);
	case_clear(&iv->c);
	free(iv);
}

static void items_rows(struct items_view *iv)
{
	size_t n = 0;

	for (int i = case_item_next(&iv->c, iv->l, 0); i >= 0 && n < ITEMS_SHOWN_MAX;
	     i = case_item_next(&iv->c, iv->l, i + 1))
		iv->rows[n++] = i;
	listview_set(&iv->lv, n, LINES - 5);
}

static int items_reload(struct ui *ui, struct items_view *iv)
{
	uint64_t id = iv->c.id;
	int rc;

	case_clear(&iv->c);
	case_init(&iv->c);
	rc = store_case_get(ui->st, id, &iv->c);
	iv->c.id = id;
	items_rows(iv);
	return rc;
}

/* One item on one line: its id and its values as people read them, a
 * field of a class the user holds no key for as locked. */
void items_summary(struct ui *ui, const struct case_rec *c, int i, char *out, size_t cap)
{
	const struct case_item *it = &c->items[i];
	size_t used;
	bool first = true;
	int k = snprintf(out, cap, "#%u", (unsigned)it->id);

	used = k > 0 && (size_t)k < cap ? (size_t)k : 0;
	for (int f = 0; f < I_COUNT && used + 1 < cap; f++) {
		const struct field_def *d = &item_catalogue[f].f;
		char buf[64], locked[96];
		const char *shown;
		if (item_catalogue[f].list != it->list || (!it->value[f] && !it->locked[f]))
			continue;
		if (it->locked[f]) {
			snprintf(locked, sizeof locked, _("%s [locked]"), ilabel(ui, d));
			shown = locked;
		} else if (ui_item_masked(ui, c->id, it->id, (enum item_field_id)f)) {
			shown = ui_mask();
		} else {
			shown = field_def_display(d, it->value[f], ui->nb, buf, sizeof buf);
		}
		k = snprintf(out + used, cap - used, "%s%s", first ? "  " : " · ", shown);
		explicit_bzero(buf, sizeof buf); /* a value shown: personal data */
		if (k < 0)
			break;
		first = false;
		used += (size_t)k < cap - used ? (size_t)k : cap - used - 1;
	}
}

static void items_draw_list(struct items_view *iv, struct ui *ui)
{
	struct listview_row it = {0};
	char text[512];

	items_rows(iv);
	snprintf(text, sizeof text, _("%s · case %llu"), list_label(iv->l, ui->nb),
	         (unsigned long long)iv->c.id);
	ui_attr(ui, C_LABEL, true);
	ui_put_cut(1, 1, text, COLS - 2);
	ui_attr(ui, C_LABEL, false);
	if (!list_open(ui, iv)) {
		snprintf(text, sizeof text, _("[locked: needs the %s key]"),
		         _(keys_class_name(list_catalogue[iv->l].cls)));
		ui_attr(ui, C_LOCKED, true);
		ui_put_cut(3, 3, text, COLS - 4);
		ui_attr(ui, C_LOCKED, false);
		return;
	}
	if (iv->lv.n == 0) {
		ui_attr(ui, C_LOCKED, true);
		ui_put_cut(3, 3, _("No items: a adds one"), COLS - 4);
		ui_attr(ui, C_LOCKED, false);
		return;
	}
	while (listview_each(&iv->lv, &it)) {
		bool sel = it.row == iv->lv.sel;
		items_summary(ui, &iv->c, iv->rows[it.row], text, sizeof text);
		if (sel)
			ui_attr(ui, C_SELECTED, true);
		ui_put_pad(3 + it.y, 1, "", COLS - 2);
		ui_put_cut(3 + it.y, 2, text, COLS - 3);
		if (sel)
			ui_attr(ui, C_SELECTED, false);
	}
	ui_put_more(&iv->lv, 3, COLS - 1);
}

/* What an enum takes, by the labels the form shows. */
static void item_choices(struct ui *ui, const struct field_def *d)
{
	char list[256];
	size_t used = 0;

	if (d->type != FT_ENUM || !d->choice)
		return;
	list[0] = 0;
	for (int i = 0; d->choice[i].id && used < sizeof list; i++) {
		int k = snprintf(list + used, sizeof list - used, "%s%s", i ? ", " : "",
		                 ui->nb ? d->choice[i].label_nb : d->choice[i].label_en);
		if (k < 0)
			break;
		used += (size_t)k;
	}
	ui_say(ui, false, "%s %s", _("Choices:"), list);
}

/* Privacy mode: field k of the item form masked, and holding something. */
static bool item_form_masked(const struct items_view *iv, const struct ui *ui, int k)
{
	return iv->editable[k] && iv->ed[k].len > 0 &&
	       ui_item_masked(ui, iv->c.id, iv->item, (enum item_field_id)iv->fields[k]);
}

/* The focused field shown (audited) when it is masked; false if it was not. */
static bool item_form_reveal(struct items_view *iv, struct ui *ui)
{
	if (!item_form_masked(iv, ui, iv->focus))
		return false;
	if (ui_reveal_item(ui, iv->c.id, iv->item, (enum item_field_id)iv->fields[iv->focus]) ==
	    M_OK)
		ui_say(ui, false, "%s", _("Shown until you leave the field"));
	return true;
}

static void items_draw_form(struct items_view *iv, struct ui *ui)
{
	int label_w = COLS >= 70 ? 24 : COLS / 3, value_w = COLS - label_w - 2, err_x;
	char head[256];

	/* An item's values are short: the message beside has the room. */
	if (value_w >= 36 + 16) {
		value_w = value_w - 32 < 24 ? 24 : value_w - 32 > 40 ? 40 : value_w - 32;
		err_x = label_w + 1 + value_w + 1;
	} else {
		err_x = -1;
	}
	if (iv->item)
		snprintf(head, sizeof head, _("%s #%u · case %llu"), list_label(iv->l, ui->nb),
		         (unsigned)iv->item, (unsigned long long)iv->c.id);
	else
		snprintf(head, sizeof head, _("%s: a new item · case %llu"),
		         list_label(iv->l, ui->nb), (unsigned long long)iv->c.id);
	ui_attr(ui, C_LABEL, true);
	ui_put_cut(1, 1, head, COLS - 2);
	ui_attr(ui, C_LABEL, false);
	/* A low window shows the fields from the focused one up. */
	int room = LINES - 5, top = iv->focus >= room ? iv->focus - room + 1 : 0;
	for (int k = top; k < iv->nf && 3 + k - top < LINES - 2; k++) {
		const struct field_def *d = field_of(iv, k);
		bool focus = k == iv->focus;
		int y = 3 + k - top;
		if (focus)
			ui_attr(ui, C_LABEL, true);
		ui_put(y, 1, focus ? "›" : " ", 1);
		ui_put(y, 2, iv->editable[k] && ed_changed(&iv->ed[k]) ? "•" : " ", 1);
		ui_put_cut(y, 3, ilabel(ui, d), label_w - 3);
		if (focus)
			ui_attr(ui, C_LABEL, false);
		if (!iv->editable[k]) {
			char msg[96];
			snprintf(msg, sizeof msg, _("[locked: needs the %s key]"),
			         _(keys_class_name(d->cls)));
			ui_attr(ui, C_LOCKED, true);
			ui_put_cut(y, label_w + 1, msg, COLS - label_w - 2);
			ui_attr(ui, C_LOCKED, false);
			continue;
		}
		struct ed_view v;
		ed_view(&iv->ed[k], value_w, &v);
		ui_attr(ui, C_EDIT, focus);
		ui_put_pad(y, label_w + 1, item_form_masked(iv, ui, k) ? ui_mask() : "", value_w);
		if (!item_form_masked(iv, ui, k))
			ui_put_wide(y, label_w + 1, iv->ed[k].buf, v.start, v.end);
		ui_attr(ui, C_EDIT, false);
		if (focus && !item_form_masked(iv, ui, k))
			ui_cursor(ui, y, label_w + 1 + v.cursor_col);
		if (iv->error[k] && err_x > 0) {
			ui_attr(ui, C_ERROR, true);
			ui_put(y, err_x, _(iv->error[k]), COLS - err_x - 1);
			ui_attr(ui, C_ERROR, false);
		}
	}
	if (iv->error[iv->focus] && err_x < 0 && !ui->message[0])
		ui_say(ui, true, "%s: %s", ilabel(ui, field_of(iv, iv->focus)),
		       _(iv->error[iv->focus]));
	else if (!ui->message[0])
		item_choices(ui, field_of(iv, iv->focus));
}

static void items_draw(void *self, struct ui *ui)
{
	struct items_view *iv = self;

	if (iv->editing)
		items_draw_form(iv, ui);
	else
		items_draw_list(iv, ui);
}

/* Normalise field k's text into secure memory; NULL message when valid. */
static const char *item_value(struct items_view *iv, int k, char **out, size_t *len)
{
	size_t raw_len = ed_utf8_len(&iv->ed[k]), cap = raw_len + 8;
	char *raw = keys_secure_alloc(raw_len + 1), *norm = keys_secure_alloc(cap);
	const char *msg;

	*out = NULL;
	if (!raw || !norm) {
		keys_secure_free(raw);
		keys_secure_free(norm);
		return N_("out of memory");
	}
	ed_get_utf8(&iv->ed[k], raw, raw_len + 1);
	msg = item_normalise((enum item_field_id)iv->fields[k], raw, raw_len, norm, cap, len);
	keys_secure_free(raw);
	if (msg)
		keys_secure_free(norm);
	else
		*out = norm;
	return msg;
}

static void item_check(struct items_view *iv, struct ui *ui, int k)
{
	char *v;
	size_t len;

	if (!iv->editable[k])
		return;
	iv->error[k] = item_value(iv, k, &v, &len);
	keys_secure_free(v);
	if (iv->error[k])
		ui_say(ui, true, "%s: %s", ilabel(ui, field_of(iv, k)), _(iv->error[k]));
}

static void item_move(struct items_view *iv, struct ui *ui, int dir)
{
	int k = iv->focus;

	item_check(iv, ui, k);
	do
		k = (k + dir + iv->nf) % iv->nf;
	while (!iv->editable[k] && k != iv->focus);
	iv->focus = k;
	ui_reveal_clear(ui); /* moved on: masked again */
}

/* The form of item id (0: a new one), from the case as read. */
static void item_edit(struct items_view *iv, struct ui *ui, uint32_t id)
{
	int i = id ? case_item_find(&iv->c, iv->l, id) : -1, first = -1;

	if (!list_open(ui, iv)) {
		ui_say(ui, true, _("%s need the %s key"), list_label(iv->l, ui->nb),
		       _(keys_class_name(list_catalogue[iv->l].cls)));
		return;
	}
	iv->nf = 0;
	for (int f = 0; f < I_COUNT && iv->nf < ITEM_FIELDS_MAX; f++)
		if (item_catalogue[f].list == iv->l)
			iv->fields[iv->nf++] = f;
	for (int k = 0; k < iv->nf; k++) {
		const struct field_def *d = field_of(iv, k);
		const char *v = i >= 0 ? iv->c.items[i].value[iv->fields[k]] : NULL;
		iv->editable[k] = store_can_read(ui->st, d->cls) &&
		                  !(i >= 0 && iv->c.items[i].locked[iv->fields[k]]);
		if (!iv->editable[k])
			continue;
		if (ed_init(&iv->ed[k], FIELD_MAX_BYTES, false) != 0) {
			edit_free(iv);
			ui_say(ui, true, "%s", _("out of memory"));
			return;
		}
		if (v) {
			char buf[64];
			const char *shown = field_def_display(d, v, ui->nb, buf, sizeof buf);
			ed_set_utf8(&iv->ed[k], shown, strlen(shown));
			explicit_bzero(buf, sizeof buf);
		}
		if (first < 0)
			first = k;
	}
	iv->focus = first >= 0 ? first : 0;
	iv->item = id;
	iv->version = iv->c.version;
	iv->editing = true;
	iv->stale = false;
}

static bool item_edited(const struct items_view *iv)
{
	for (int k = 0; k < iv->nf; k++)
		if (iv->editable[k] && ed_changed(&iv->ed[k]))
			return true;
	return false;
}

/* The case read again after a colleague's save; the form keeps what was
 * typed, and its next ^S starts from the version read now. */
static void item_conflict(struct items_view *iv, struct ui *ui)
{
	if (items_reload(ui, iv) != M_OK) {
		ui_say(ui, true, "%s", tui_error(ui->st));
		return;
	}
	iv->version = iv->c.version;
	ui_changed(ui, iv->c.id);
	ui_say(ui, true, "%s",
	       _("A colleague saved this case meanwhile; what you typed is kept: ^S saves it"));
}

/* Save the item's fields that changed; false when the form is done. */
static bool item_save(struct items_view *iv, struct ui *ui)
{
	struct case_rec upd;
	int i = iv->item ? case_item_find(&iv->c, iv->l, iv->item) : -1, item, bad = -1, rc;
	bool any = false;

	case_init(&upd);
	upd.id = iv->c.id;
	item = iv->item ? case_item_edit(&upd, iv->l, iv->item) : case_item_add(&upd, iv->l);
	if (item < 0 || (iv->item && i < 0)) {
		case_clear(&upd);
		ui_say(ui, true, "%s",
		       item < 0 ? _("out of memory") : _("This item was removed meanwhile"));
		return true;
	}
	for (int k = 0; k < iv->nf; k++) {
		char *v;
		size_t len;
		const char *old;
		if (!iv->editable[k] || !ed_changed(&iv->ed[k]))
			continue;
		iv->error[k] = item_value(iv, k, &v, &len);
		if (iv->error[k]) {
			if (bad < 0)
				bad = k;
			continue;
		}
		old = i >= 0 && iv->c.items[i].value[iv->fields[k]]
		          ? iv->c.items[i].value[iv->fields[k]]
		          : "";
		if (strcmp(old, v) != 0) {
			if (case_item_set(&upd, item, (enum item_field_id)iv->fields[k],
			                  len ? v : NULL, len) == 0)
				any = true;
		}
		keys_secure_free(v);
	}
	if (bad >= 0) {
		iv->focus = bad;
		ui_say(ui, true, "%s: %s", ilabel(ui, field_of(iv, bad)), _(iv->error[bad]));
		case_clear(&upd);
		return true;
	}
	if (!any) {
		case_clear(&upd);
		ui_say(ui, false, "%s", _("Nothing changed"));
		return false;
	}
	rc = store_case_update(ui->st, &upd, iv->version);
	if (rc == M_CONFLICT) {
		case_clear(&upd);
		item_conflict(iv, ui);
		return true;
	}
	if (rc) {
		ui_say(ui, true, "%s", tui_error(ui->st));
		case_clear(&upd);
		return true;
	}
	if (iv->item)
		ui_say(ui, false, _("Saved #%u: version %u"), (unsigned)iv->item, upd.version);
	else
		ui_say(ui, false, _("Added #%u: version %u"), (unsigned)upd.items[item].id,
		       upd.version);
	case_clear(&upd);
	return false;
}

/* Remove the selected item, after asking; saved at once. */
static void item_remove(struct items_view *iv, struct ui *ui)
{
	struct case_rec upd;
	char q[160];
	uint32_t id;
	int item, rc;

	if (!list_open(ui, iv) || iv->lv.n == 0)
		return;
	id = iv->c.items[iv->rows[iv->lv.sel]].id;
	snprintf(q, sizeof q, _("Remove %s #%u?"), list_label(iv->l, ui->nb), (unsigned)id);
	if (!ui_confirm(ui, q))
		return;
	case_init(&upd);
	upd.id = iv->c.id;
	if ((item = case_item_edit(&upd, iv->l, id)) < 0 || case_item_remove(&upd, item) != 0) {
		case_clear(&upd);
		ui_say(ui, true, "%s", _("out of memory"));
		return;
	}
	rc = store_case_update(ui->st, &upd, iv->c.version);
	if (rc == M_CONFLICT) {
		items_reload(ui, iv);
		ui_changed(ui, iv->c.id);
		ui_say(ui, true, "%s",
		       _("A colleague saved this case meanwhile: read again; d again removes"));
	} else if (rc) {
		ui_say(ui, true, "%s", tui_error(ui->st));
	} else {
		ui_say(ui, false, _("Removed #%u: version %u"), (unsigned)id, upd.version);
		ui_changed(ui, iv->c.id);
	}
	case_clear(&upd);
}

static bool items_key_form(struct items_view *iv, struct ui *ui, enum request req, wint_t ch,
                           bool fnkey)
{
	switch (req) {
	case REQ_SAVE:
		if (!item_save(iv, ui)) {
			uint32_t id = iv->item;
			edit_free(iv);
			ui_changed(ui, iv->c.id);
			/* The item saved (a new one is last) selected. */
			for (size_t r = 0; r < iv->lv.n; r++)
				if (id ? iv->c.items[iv->rows[r]].id == id : r + 1 == iv->lv.n)
					listview_show(&iv->lv, r, 0);
		}
		return true;
	case REQ_CANCEL:
		if (item_edited(iv) && !ui_confirm(ui, _("Discard your changes?")))
			return true;
		edit_free(iv);
		if (iv->stale && items_reload(ui, iv) != M_OK)
			ui_say(ui, true, "%s", tui_error(ui->st));
		return true;
	case REQ_NEXT:
		item_move(iv, ui, 1);
		return true;
	case REQ_PREV:
		item_move(iv, ui, -1);
		return true;
	case REQ_REVEAL:
		if (!item_form_reveal(iv, ui))
			ui_say(ui, false, "%s",
			       ui->privacy
			           ? _("Nothing is masked here")
			           : _("Privacy mode is off: nothing is masked (^P turns it on)"));
		return true;
	default:
		break;
	}
	if (item_form_reveal(iv, ui))
		return true; /* shown first: no edit to what the user cannot see */
	/* An empty field typed into: the typing shows (the user's own). */
	if (ui->privacy && iv->editable[iv->focus] && iv->ed[iv->focus].len == 0 &&
	    item_masked((enum item_field_id)iv->fields[iv->focus]))
		ui_reveal_typed_item(ui, iv->c.id, iv->item, (enum item_field_id)iv->fields[iv->focus]);
	if (iv->editable[iv->focus] && ui_edit(&iv->ed[iv->focus], req, ch, fnkey) == 0)
		iv->error[iv->focus] = NULL; /* judged again when the cursor leaves */
	return true;
}

/* The selected item's masked value shown (the first, if it has several). */
static void items_reveal(struct items_view *iv, struct ui *ui)
{
	const struct case_item *it;

	if (!ui->privacy) {
		ui_say(ui, false, "%s",
		       _("Privacy mode is off: nothing is masked (P turns it on)"));
		return;
	}
	it = iv->lv.n ? &iv->c.items[iv->rows[iv->lv.sel]] : NULL;
	for (int f = 0; it && f < I_COUNT; f++)
		if (item_catalogue[f].list == it->list && it->value[f] && !it->locked[f] &&
		    ui_item_masked(ui, iv->c.id, it->id, (enum item_field_id)f)) {
			ui_reveal_item(ui, iv->c.id, it->id, (enum item_field_id)f);
			return;
		}
	ui_say(ui, false, "%s", _("Nothing is masked in this row"));
}

static bool items_key(void *self, struct ui *ui, enum request req, wint_t ch, bool fnkey)
{
	struct items_view *iv = self;

	if (iv->editing)
		return items_key_form(iv, ui, req, ch, fnkey);
	items_rows(iv);
	if (listview_request(&iv->lv, req)) {
		ui_reveal_clear(ui); /* moved on: masked again */
		return true;
	}
	switch (req) {
	case REQ_QUIT:
		return false;
	case REQ_REVEAL:
		items_reveal(iv, ui);
		return true;
	case REQ_ITEM_ADD:
		item_edit(iv, ui, 0);
		return true;
	case REQ_ITEM_EDIT:
		if (list_open(ui, iv) && iv->lv.n == 0)
			ui_say(ui, false, "%s", _("No items: a adds one"));
		else
			item_edit(iv, ui, iv->lv.n ? iv->c.items[iv->rows[iv->lv.sel]].id : 0);
		return true;
	case REQ_ITEM_REMOVE:
		if (!list_open(ui, iv))
			ui_say(ui, true, _("%s need the %s key"), list_label(iv->l, ui->nb),
			       _(keys_class_name(list_catalogue[iv->l].cls)));
		else
			item_remove(iv, ui);
		return true;
	default:
		return true;
	}
}

/* A save of this case, ours or a colleague's: the list read again, but
 * not under an item being edited (the form compares with what it read). */
static void items_changed(void *self, struct ui *ui, uint64_t id)
{
	struct items_view *iv = self;

	if (id != 0 && id != iv->c.id)
		return;
	if (iv->editing) {
		iv->stale = true;
		return;
	}
	if (items_reload(ui, iv) != M_OK)
		ui_say(ui, true, "%s", tui_error(ui->st));
}

int view_items_open(struct ui *ui, uint64_t id, enum list_id l)
{
	struct items_view *iv = calloc(1, sizeof *iv);

	if (!iv)
		return M_UNAVAILABLE;
	case_init(&iv->c);
	iv->l = l;
	listview_init(&iv->lv, true, NULL, NULL);
	if (store_case_get(ui->st, id, &iv->c) != M_OK) {
		ui_say(ui, true, "%s", tui_error(ui->st));
		items_free(iv);
		return M_UNAVAILABLE;
	}
	items_rows(iv);
	ui_push(ui, &items_ops, iv);
	return M_OK;
}

static const struct binding items_keys[] = {
    {'a', false, REQ_ITEM_ADD},    {'\n', false, REQ_ITEM_EDIT},    {'e', false, REQ_ITEM_EDIT},
    {'d', false, REQ_ITEM_REMOVE}, {KEY_DC, true, REQ_ITEM_REMOVE}, {KEY_PPAGE, true, REQ_PGUP},
    {KEY_NPAGE, true, REQ_PGDN},   {KEY_HOME, true, REQ_TOP},       {'r', false, REQ_REVEAL},
};
static const enum request items_bar[] = {REQ_HELP,     REQ_QUIT,      REQ_PRIVACY,    REQ_REVEAL,
                                         REQ_ITEM_ADD, REQ_ITEM_EDIT, REQ_ITEM_REMOVE};
static KEYMAP(items_keymap, items_keys, items_bar, &browse_keymap);

static const struct binding item_form_keys[] = {
    {CTRL('s'), false, REQ_SAVE}, {KEY_F(2), true, REQ_SAVE}, {27, false, REQ_CANCEL},
    {'\t', false, REQ_NEXT},      {'\n', false, REQ_NEXT},    {KEY_DOWN, true, REQ_NEXT},
    {KEY_BTAB, true, REQ_PREV},   {KEY_UP, true, REQ_PREV},   {CTRL('r'), false, REQ_REVEAL},
};
static const enum request item_form_bar[] = {REQ_HELP,   REQ_SAVE,    REQ_NEXT,
                                             REQ_CANCEL, REQ_PRIVACY, REQ_REVEAL};
static KEYMAP(item_form_keymap, item_form_keys, item_form_bar, &edit_keymap);
static const struct keymap *const items_keymaps[] = {&items_keymap, &item_form_keymap, NULL};

static size_t items_mode(const void *self)
{
	return ((const struct items_view *)self)->editing ? 1 : 0;
}

const struct view_ops items_ops = {
    .title = N_("List"),
    .keymaps = items_keymaps,
    .mode = items_mode,
    .draw = items_draw,
    .key = items_key,
    .free = items_free,
    .changed = items_changed,
};
