/* listview.c: the one list widget of the screens that show rows (the list,
 * the case view, help, keys). It owns the first row on screen, the selected
 * row and the count of rows, does the moving requests, and keeps all of them
 * valid when the rows or the page height change (a live reload, a resize);
 * the screen draws the rows it is told to. Rows may be taller than a screen
 * line (a note of several lines): a list with a cursor moves by rows, one
 * without scrolls by screen lines, so that every line can be reached and
 * the last one ends at the bottom. No curses: tests/unit/test_listview.c. */
#include "tui/editor.h"
#include "tui/ui.h"

#include <stdlib.h>
#include <string.h>

void listview_init(struct listview *lv, bool cursor, int (*lines)(void *ctx, size_t row), void *ctx)
{
	memset(lv, 0, sizeof *lv);
	lv->cursor = cursor;
	lv->lines = lines;
	lv->ctx = ctx;
	lv->height = 1;
}

static size_t row_lines(const struct listview *lv, size_t row)
{
	int h = lv->lines ? lv->lines(lv->ctx, row) : 1;

	return h > 0 ? (size_t)h : 1;
}

static size_t page(const struct listview *lv)
{
	return lv->height > 0 ? (size_t)lv->height : 1;
}

/* Screen lines of the rows [from, to). */
static size_t lines_between(const struct listview *lv, size_t from, size_t to)
{
	size_t y = 0;

	if (to > lv->n)
		to = lv->n;
	if (!lv->lines)
		return to > from ? to - from : 0;
	for (size_t r = from; r < to; r++)
		y += row_lines(lv, r);
	return y;
}

/* The last first row that still fills the page: below it, the page would
 * end in blank lines while rows above were hidden. */
static size_t last_top(const struct listview *lv)
{
	size_t t = lv->n, used = 0;

	if (!lv->lines)
		return lv->n > page(lv) ? lv->n - page(lv) : 0;
	while (t > 0 && used + row_lines(lv, t - 1) <= page(lv))
		used += row_lines(lv, --t);
	return t < lv->n ? t : (lv->n ? lv->n - 1 : 0);
}

/* Without a cursor the place is a screen line: line `pos` of all the rows
 * at the top, no further than the last page. */
static size_t scroll_pos(const struct listview *lv)
{
	return lines_between(lv, 0, lv->top) + (size_t)lv->skip;
}

static void scroll_to(struct listview *lv, size_t pos)
{
	size_t total = lines_between(lv, 0, lv->n);
	size_t max = total > page(lv) ? total - page(lv) : 0;

	if (pos > max)
		pos = max;
	lv->top = 0;
	lv->skip = 0;
	if (!lv->lines) {
		lv->top = pos;
		return;
	}
	while (lv->top < lv->n && pos >= row_lines(lv, lv->top))
		pos -= row_lines(lv, lv->top++);
	lv->skip = (int)pos;
}

/* With a cursor, rows are shown whole from the first: the selected one on
 * the page (its first lines, if it is taller than the page). */
static void show_sel(struct listview *lv)
{
	size_t used;

	lv->skip = 0;
	if (lv->n == 0) {
		lv->sel = lv->top = 0;
		return;
	}
	if (lv->sel >= lv->n)
		lv->sel = lv->n - 1;
	if (lv->top > lv->sel)
		lv->top = lv->sel;
	used = lines_between(lv, lv->top, lv->sel + 1);
	while (lv->top < lv->sel && used > page(lv))
		used -= row_lines(lv, lv->top++);
	if (lv->top > last_top(lv))
		lv->top = last_top(lv);
}

static void settle(struct listview *lv)
{
	if (lv->cursor)
		show_sel(lv);
	else
		scroll_to(lv, scroll_pos(lv));
}

void listview_set(struct listview *lv, size_t n, int height)
{
	lv->n = n;
	lv->height = height;
	if (lv->top > n)
		lv->top = n;
	settle(lv);
}

/* The rows that show whole from row `from` down (at least one), and from
 * the row before it up: what a page moves by when it moves by rows. */
static size_t rows_down(const struct listview *lv, size_t from)
{
	size_t r = from, used = 0;

	while (r < lv->n && used + row_lines(lv, r) <= page(lv))
		used += row_lines(lv, r++);
	return r > from ? r - from : 1;
}

static size_t rows_up(const struct listview *lv, size_t from)
{
	size_t r = from, used = 0;

	while (r > 0 && used + row_lines(lv, r - 1) <= page(lv))
		used += row_lines(lv, --r);
	return from > r ? from - r : 1;
}

static bool cursor_request(struct listview *lv, enum request req)
{
	size_t k;

	switch (req) {
	case REQ_UP:
		if (lv->sel > 0)
			lv->sel--;
		break;
	case REQ_DOWN:
		lv->sel++;
		break;
	case REQ_PGUP:
		/* Whole pages, like less: the row under the cursor moves with it. */
		k = rows_up(lv, lv->top);
		lv->top = lv->top > k ? lv->top - k : 0;
		lv->sel = lv->sel > k ? lv->sel - k : 0;
		break;
	case REQ_PGDN:
		k = rows_down(lv, lv->top);
		lv->top += k;
		lv->sel += k;
		break;
	case REQ_TOP:
		lv->sel = 0;
		break;
	case REQ_BOTTOM:
		lv->sel = lv->n ? lv->n - 1 : 0;
		break;
	default:
		return false;
	}
	show_sel(lv);
	return true;
}

static bool scroll_request(struct listview *lv, enum request req)
{
	size_t pos = scroll_pos(lv);
	/* A page less a line: the last line of one page is the first of the
	 * next, to read on from. */
	size_t step = page(lv) > 1 ? page(lv) - 1 : 1;

	switch (req) {
	case REQ_UP:
		pos = pos ? pos - 1 : 0;
		break;
	case REQ_DOWN:
		pos++;
		break;
	case REQ_PGUP:
		pos = pos > step ? pos - step : 0;
		break;
	case REQ_PGDN:
		pos += step;
		break;
	case REQ_TOP:
		pos = 0;
		break;
	case REQ_BOTTOM:
		pos = (size_t)-1;
		break;
	default:
		return false;
	}
	scroll_to(lv, pos);
	return true;
}

bool listview_request(struct listview *lv, enum request req)
{
	return lv->cursor ? cursor_request(lv, req) : scroll_request(lv, req);
}

void listview_show(struct listview *lv, size_t row, int line)
{
	if (lv->cursor) {
		lv->sel = row;
		lv->top = row;
		show_sel(lv);
		return;
	}
	scroll_to(lv, lines_between(lv, 0, row) + (line > 0 ? (size_t)line : 0));
}

static bool first_row(const struct listview *lv, struct listview_row *it)
{
	it->started = true;
	it->row = lv->top;
	it->y = -lv->skip;
	it->lines = 0;
	if (it->row >= lv->n || lv->height <= 0)
		return false;
	it->lines = (int)row_lines(lv, it->row);
	return true;
}

bool listview_each(const struct listview *lv, struct listview_row *it)
{
	if (!it->started)
		return first_row(lv, it);
	it->y += it->lines;
	it->row++;
	if (it->row >= lv->n || it->y >= lv->height)
		return false;
	it->lines = (int)row_lines(lv, it->row);
	return true;
}

bool listview_above(const struct listview *lv)
{
	return lv->top > 0 || lv->skip > 0;
}

bool listview_below(const struct listview *lv)
{
	return scroll_pos(lv) + page(lv) < lines_between(lv, 0, lv->n);
}

/* The editor's measure of one character (utf8_fit's): marks take no
 * columns, an invalid byte one. */
static size_t next_char(const char *s, wchar_t *c, int *w)
{
	mbstate_t ps;
	size_t k;

	memset(&ps, 0, sizeof ps);
	k = mbrtowc(c, s, MB_CUR_MAX, &ps);
	if (k == (size_t)-1 || k == (size_t)-2 || k == 0) {
		*c = 0xfffd;
		*w = 1;
		return 1;
	}
	*w = text_width(c, 1);
	return k;
}

/* Whether the word at s (up to a blank or the line's end) is wider than
 * width: it will not fit on a line of its own either. */
static bool word_wider(const char *s, int width)
{
	int col = 0;

	while (*s && *s != '\n' && col <= width) {
		wchar_t c;
		int w;
		size_t k = next_char(s, &c, &w);
		if (c == ' ' || c == '\t')
			break;
		col += w;
		s += k;
	}
	return col > width;
}

const char *ui_wrap(const char *s, int width, size_t *len, int *cols)
{
	size_t i = 0, cut = 0;
	int col = 0, cut_col = 0;

	if (width < 1)
		width = 1;
	while (s[i] && s[i] != '\n') {
		wchar_t c;
		int w;
		size_t k = next_char(s + i, &c, &w);
		bool blank = c == ' ' || c == '\t';
		if (col + w > width) {
			if (blank) { /* the break is here: the blank is not shown */
				*len = i;
				*cols = col;
				i += k;
				if (s[i] == '\n') /* nor an empty line for the line's end */
					i++;
				return s[i] ? s + i : NULL;
			}
			/* After the last word that fits; but a word wider than a
			 * whole line starts here and breaks between characters. */
			if (cut && !word_wider(s + cut + 1, width)) {
				*len = cut;
				*cols = cut_col;
				return s + cut + 1;
			}
			if (i == 0) { /* wider than the line: left out, never cut */
				*len = k;
				*cols = 0;
				return s[k] ? s + k : NULL;
			}
			*len = i; /* a word wider than the line, between characters */
			*cols = col;
			return s + i;
		}
		if (blank && i > 0) {
			cut = i;
			cut_col = col;
		}
		col += w;
		i += k;
	}
	*len = i;
	*cols = col;
	return s[i] == '\n' ? s + i + 1 : NULL;
}
