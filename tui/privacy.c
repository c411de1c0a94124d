/* privacy.c: privacy mode for home visits (security.md: shoulder surfing).
 * What is masked is the catalogue's word (field_masked, item_masked,
 * deadline_masked); here is only whether it shows now: masked, but the one
 * value revealed, which the audit log records before it is drawn. */
#define NCURSES_WIDECHAR 1
#include "tui/ui.h"

#include <stdio.h>
#include <stdlib.h>

const char *ui_mask(void)
{
	static int ascii = -1;

	/* One width whatever the value: neither the columns nor the mask tell
	 * how long a number or an address is. */
	if (ascii < 0)
		ascii = chart_glyphs_for(getenv("TERM")) == CHART_ASCII;
	return ascii ? "*****" : "•••••";
}

static bool revealed(const struct ui *ui, enum reveal_kind k, uint64_t id, int field, uint32_t item)
{
	const struct ui_reveal *r = &ui->reveal;

	return r->kind == k && r->id == id && r->field == field && r->item == item;
}

bool ui_masked(const struct ui *ui, uint64_t id, enum field_id f)
{
	return ui->privacy && field_masked(f) && !revealed(ui, REVEAL_FIELD, id, (int)f, 0);
}

bool ui_item_masked(const struct ui *ui, uint64_t id, uint32_t item, enum item_field_id f)
{
	return ui->privacy && item_masked(f) && !revealed(ui, REVEAL_ITEM, id, (int)f, item);
}

bool ui_deadline_masked(const struct ui *ui, uint64_t id, enum deadline_id d)
{
	return ui->privacy && deadline_masked(d) && !revealed(ui, REVEAL_ROW, id, 0, 0);
}

bool ui_mask_empty(const struct ui *ui, enum field_id f)
{
	return ui->privacy && (unsigned)f < F_COUNT && field_catalogue[f].cls == KC_PROTECTED;
}

const char *ui_field_text(struct ui *ui, uint64_t id, enum field_id f, const char *value)
{
	if (((value && *value) || ui_mask_empty(ui, f)) && ui_masked(ui, id, f))
		return ui_mask();
	return ui_value_label(ui, f, value);
}

/* The audit entry first: a value nobody could later say was looked at is
 * not shown. */
static int reveal(struct ui *ui, enum reveal_kind k, uint64_t id, int field, uint32_t item,
                  enum key_class cls, const char *name)
{
	int rc = M_OK;

	/* A new case's values are only what the user typed: no case to log;
	 * nor is there when name is NULL (ui_reveal_typed). */
	if (id && name)
		rc = store_audit(ui->st, &(struct audit_event){.action = AUDIT_REVEAL,
		                                               .case_id = id,
		                                               .classes = 1u << cls,
		                                               .purpose = "privacy reveal",
		                                               .detail = name});
	if (rc != M_OK) {
		ui_say(ui, true, "%s", tui_error(ui->st));
		return rc;
	}
	ui->reveal = (struct ui_reveal){k, id, field, item,
	                                ui->depth ? ui->stack[ui->depth - 1].self : NULL};
	ui->privacy_serial++;
	return M_OK;
}

int ui_reveal_field(struct ui *ui, uint64_t id, enum field_id f)
{
	return reveal(ui, REVEAL_FIELD, id, (int)f, 0, field_catalogue[f].cls,
	              field_catalogue[f].id);
}

int ui_reveal_item(struct ui *ui, uint64_t id, uint32_t item, enum item_field_id f)
{
	char name[96];

	/* As a CSV column names it, without the item's number. */
	snprintf(name, sizeof name, "%s.%s", list_catalogue[item_catalogue[f].list].id,
	         item_catalogue[f].f.id);
	return reveal(ui, REVEAL_ITEM, id, (int)f, item, item_catalogue[f].f.cls, name);
}

int ui_reveal_row(struct ui *ui, uint64_t id, enum deadline_id d)
{
	return reveal(ui, REVEAL_ROW, id, 0, 0, deadline_class(d), deadline_id_name(d));
}

void ui_reveal_typed(struct ui *ui, uint64_t id, enum field_id f)
{
	(void)reveal(ui, REVEAL_FIELD, id, (int)f, 0, field_catalogue[f].cls, NULL);
}

void ui_reveal_typed_item(struct ui *ui, uint64_t id, uint32_t item, enum item_field_id f)
{
	(void)reveal(ui, REVEAL_ITEM, id, (int)f, item, item_catalogue[f].f.cls, NULL);
}

void ui_reveal_clear(struct ui *ui)
{
	if (ui->reveal.kind == REVEAL_NONE)
		return;
	ui->reveal = (struct ui_reveal){.kind = REVEAL_NONE};
	ui->privacy_serial++;
}

void ui_privacy_toggle(struct ui *ui)
{
	ui->privacy = !ui->privacy;
	ui_reveal_clear(ui);
	ui->privacy_serial++;
	ui_say(ui, false, "%s",
	       ui->privacy ? _("Privacy mode on: sensitive values masked; r reveals one")
	                   : _("Privacy mode off"));
}
