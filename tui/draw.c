/* draw.c: putting text on the screen, clipped by display width, never by
 * bytes. */
#define NCURSES_WIDECHAR 1
#include "tui/editor.h"
#include "tui/ui.h"

#include <curses.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

/* Decode one character; invalid bytes show as U+FFFD and advance by one. */
size_t ui_next_wc(const char *s, wchar_t *wc)
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
		size_t k = ui_next_wc(s, &wc);
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

int ui_put_cut(int y, int x, const char *s, int width)
{
	int used;

	if (width <= 0 || !s || ui_text_width(s) <= width)
		return ui_put(y, x, s, width);
	used = ui_put(y, x, s, width - 1);
	mvaddnwstr(y, x + used, L"\u2026", 1);
	return used + 1;
}

void ui_put_more(const struct listview *lv, int y, int x)
{
	if (listview_above(lv))
		mvaddnwstr(y, x, L"\u2191", 1);
	if (listview_below(lv))
		mvaddnwstr(y + lv->height - 1, x, L"\u2193", 1);
}

void ui_put_pad(int y, int x, const char *s, int width)
{
	int used = ui_put(y, x, s, width);

	for (; used < width; used++)
		mvaddch(y, x + used, ' ');
}

/* Draw wchar text [start, end) at y, x. */
void ui_put_wide(int y, int x, const wchar_t *s, size_t start, size_t end)
{
	move(y, x);
	for (size_t i = start; i < end; i++) {
		wchar_t one[2] = {s[i], 0};
		if (text_nonprint(s[i]))
			one[0] = 0xfffd;
		addnwstr(one, 1);
	}
}

/* A value as people read it (field_display_name: labels, countries and
 * languages by name, ja/nei, DD.MM.YYYY in Norwegian, grouped numbers); the
 * stored values stay in CSV and JSON, and a value the catalogue does not
 * know shows as it is. The text lasts until the next call: each is drawn
 * before the next is asked for. */
const char *ui_value_label(struct ui *ui, enum field_id f, const char *value)
{
	static char buf[256];
	const struct field_def *d = &field_catalogue[f];

	/* A code of IMDi's tables by its label, the code after it. */
	if (d->check == CHECK_CODELIST && value && ui->st) {
		char label[200];
		if (store_code_label(ui->st, (enum code_table)(d->codes - 1), value, ui->nb, label,
		                     sizeof label) == M_OK) {
			snprintf(buf, sizeof buf, "%s (%s)", label, value);
			return buf;
		}
	}
	return field_display_name(f, value, ui->nb, buf, sizeof buf);
}
