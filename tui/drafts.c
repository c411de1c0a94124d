/* drafts.c: at start, and after the idle lock, offer the drafts a dropped
 * connection (or the lock) left, one at a time. */
#include "tui/ui.h"

#include <stdio.h>
#include <time.h>

enum { DRAFT_EVERY_S = 3 };

bool drafts_due(time_t *last)
{
	time_t now = time(NULL);

	if (*last && now - *last < DRAFT_EVERY_S)
		return false;
	*last = now;
	return true;
}

void drafts_offer(struct ui *ui)
{
	struct store_draft d[8];
	size_t n = 0;

	if (store_draft_list(ui->st, d, 8, &n) != M_OK)
		return;
	for (size_t i = 0; i < n; i++) {
		char when[32], q[200];
		struct case_rec draft;
		char *note = NULL;
		size_t notelen = 0;
		uint32_t base;

		long row = ui->ix ? search_index_find(ui->ix, d[i].id) : -1;
		struct search_row r = {0};
		if (row >= 0)
			search_index_row(ui->ix, (size_t)row, &r);
		if (r.name && r.name[0])
			snprintf(q, sizeof q, _("Restore unsaved changes to %s (case %llu) from %s?"),
			         r.name, (unsigned long long)d[i].id, cli_time(d[i].saved, true, when));
		else
			snprintf(q, sizeof q, _("Restore unsaved changes to case %llu from %s?"),
			         (unsigned long long)d[i].id, cli_time(d[i].saved, true, when));
		int answer = ui_ask(ui, q);
		if (answer == 0)
			store_draft_delete(ui->st, d[i].id);
		if (answer != 1)
			continue; /* anything but y or n (a lock, a dropped link) keeps it */
		case_init(&draft);
		int rc = store_draft_load(ui->st, d[i].id, &draft, &base, &note, &notelen);
		if (rc == M_OK)
			rc = view_case_open(ui, d[i].id);
		if (rc == UI_CANCELLED) {
			/* No purpose given: the draft stays for the next login. */
		} else if (rc != M_OK) {
			ui_say(ui, true, "%s", tui_error(ui->st));
		} else if (note) {
			view_note_restore(ui, d[i].id, note, notelen);
		} else {
			struct case_rec *c = view_case_current(ui);
			if (c)
				view_form_restore(ui, c, &draft, base);
		}
		/* The draft stays until the form's edits are saved or discarded. */
		keys_secure_free(note);
		case_clear(&draft);
		break; /* one at a time: the others are offered at the next start */
	}
}
