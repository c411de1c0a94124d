/* The line editor: see editor.h. Everything works on whole clusters (a base
 * character and the zero-width marks after it) so that a name written with
 * combining accents or Arabic harakat is never taken apart by a key. */
#include "tui/editor.h"

#include <limits.h>
#include <stdint.h>
#include <string.h>
#include <wctype.h>

#include "store/store.h"

/* Enough for any field (FIELD_MAX_BYTES) without growing; notes grow. */
#define ED_INITIAL_CAP 1024
/* A width for "no wrapping" that leaves room to add a cluster's width. */
#define ED_NO_WRAP    (INT_MAX / 2)
#define ED_MARGIN_MAX 8
#define NO_ROW        SIZE_MAX

/* ---- characters ------------------------------------------------------------ */

/* Characters that must not enter the text from a key: what the store's
 * validator refuses anyway, so that a paste cannot hide one in a value. */
static bool insertable(wchar_t c)
{
	uint32_t u = (uint32_t)c;

	/* Controls, bidi overrides and isolates, tags: text_char_unsafe. */
	if (text_char_unsafe(u) || u == 0xfffe || u == 0xffff)
		return false;
	return !(u >= 0xd800 && u <= 0xdfff) && u <= 0x10ffff;
}

bool text_nonprint(wchar_t c)
{
	return (uint32_t)c > 0x10ffff || wcwidth(c) < 0 || text_char_unsafe((uint32_t)c);
}

static bool is_nonprint(wchar_t c)
{
	return text_nonprint(c);
}

/* A printable character of no width: it belongs to the cluster before it. */
static bool is_mark(wchar_t c)
{
	return c != 0 && !is_nonprint(c) && wcwidth(c) == 0;
}

static size_t utf8_size(wchar_t c)
{
	uint32_t u = (uint32_t)c;

	return u < 0x80 ? 1 : u < 0x800 ? 2 : u < 0x10000 ? 3 : 4;
}

static size_t utf8_put(char *out, wchar_t c)
{
	uint32_t u = (uint32_t)c;

	if (u < 0x80) {
		out[0] = (char)u;
		return 1;
	}
	if (u < 0x800) {
		out[0] = (char)(0xc0 | u >> 6);
		out[1] = (char)(0x80 | (u & 0x3f));
		return 2;
	}
	if (u < 0x10000) {
		out[0] = (char)(0xe0 | u >> 12);
		out[1] = (char)(0x80 | (u >> 6 & 0x3f));
		out[2] = (char)(0x80 | (u & 0x3f));
		return 3;
	}
	out[0] = (char)(0xf0 | u >> 18);
	out[1] = (char)(0x80 | (u >> 12 & 0x3f));
	out[2] = (char)(0x80 | (u >> 6 & 0x3f));
	out[3] = (char)(0x80 | (u & 0x3f));
	return 4;
}

/* Decode one code point strictly (RFC 3629), reading the bytes in order so
 * that a NUL ends a sequence before anything past it is read. Returns the
 * sequence length, or 0 if invalid. Not mbrtowc: what the editor accepts must
 * not depend on the user's locale. */
static size_t utf8_get(const unsigned char *s, size_t len, wchar_t *cp)
{
	unsigned char b = s[0], lo = 0x80, hi = 0xbf;
	size_t n;
	uint32_t c;

	if (b < 0x80) {
		*cp = (wchar_t)b;
		return 1;
	}
	if (b >= 0xc2 && b <= 0xdf) {
		n = 2;
		c = b & 0x1f;
	} else if (b >= 0xe0 && b <= 0xef) {
		n = 3;
		c = b & 0x0f;
		if (b == 0xe0)
			lo = 0xa0; /* overlong */
		else if (b == 0xed)
			hi = 0x9f; /* surrogates */
	} else if (b >= 0xf0 && b <= 0xf4) {
		n = 4;
		c = b & 0x07;
		if (b == 0xf0)
			lo = 0x90; /* overlong */
		else if (b == 0xf4)
			hi = 0x8f; /* above U+10FFFF */
	} else {
		return 0;
	}
	if (len < 2 || s[1] < lo || s[1] > hi)
		return 0;
	c = c << 6 | (s[1] & 0x3f);
	for (size_t i = 2; i < n; i++) {
		if (i >= len || (s[i] & 0xc0) != 0x80)
			return 0;
		c = c << 6 | (s[i] & 0x3f);
	}
	*cp = (wchar_t)c;
	return n;
}

int text_width(const wchar_t *s, size_t n)
{
	int w = 0;

	for (size_t i = 0; i < n; i++)
		w += is_nonprint(s[i]) ? 1 : wcwidth(s[i]);
	return w;
}

/* ---- clusters ---------------------------------------------------------------- */

/* A non-printable stands alone: marks after it form a cluster of their own
 * rather than hide inside a replacement character (or a '\n'). */
static size_t cluster_end(const wchar_t *b, size_t len, size_t i)
{
	if (i >= len)
		return len;
	if (is_nonprint(b[i++]))
		return i;
	while (i < len && is_mark(b[i]))
		i++;
	return i;
}

/* The start of the cluster that holds index i. */
static size_t cluster_start(const wchar_t *b, size_t i)
{
	while (i > 0 && is_mark(b[i]) && !is_nonprint(b[i - 1]))
		i--;
	return i;
}

static int cluster_width(const wchar_t *b, size_t len, size_t i)
{
	return text_width(b + i, cluster_end(b, len, i) - i);
}

static bool is_word(const wchar_t *b, size_t i)
{
	return iswalnum((wint_t)b[cluster_start(b, i)]) != 0;
}

/* ---- the buffer ---------------------------------------------------------------- */

/* Personal data must not be left behind in memory we give back, so growing
 * copies into a fresh secure buffer and frees (which wipes) the old one. */
static int reserve(struct editor *ed, size_t need)
{
	/* Every character takes at least one byte, so maxbytes + 1 always suffices. */
	size_t cap = ed->cap, limit = ed->maxbytes < SIZE_MAX ? ed->maxbytes + 1 : SIZE_MAX;
	wchar_t *nb;

	if (need <= ed->cap)
		return 0;
	if (limit < need)
		limit = need;
	while (cap < need)
		cap = cap > SIZE_MAX / 2 ? SIZE_MAX : cap * 2;
	if (cap > limit)
		cap = limit;
	if (cap > SIZE_MAX / sizeof(wchar_t))
		return -1;
	nb = keys_secure_alloc(cap * sizeof(wchar_t));
	if (!nb)
		return -1;
	wmemcpy(nb, ed->buf, ed->len + 1);
	keys_secure_free(ed->buf);
	ed->buf = nb;
	ed->cap = cap;
	return 0;
}

/* After an edit the cursor may sit inside a cluster that the edit joined
 * (a '\n' removed from in front of a lone mark); keep it on a boundary. */
static void snap_cursor(struct editor *ed)
{
	size_t s = cluster_start(ed->buf, ed->cur);

	if (s != ed->cur)
		ed->cur = cluster_end(ed->buf, ed->len, s);
}

static int insert_char(struct editor *ed, wchar_t c)
{
	size_t n = utf8_size(c);

	if (n > ed->maxbytes || ed->bytes > ed->maxbytes - n)
		return 1;
	if (reserve(ed, ed->len + 2) < 0)
		return -1;
	wmemmove(ed->buf + ed->cur + 1, ed->buf + ed->cur, ed->len - ed->cur + 1);
	ed->buf[ed->cur++] = c;
	ed->len++;
	ed->bytes += n;
	ed->changed = true;
	snap_cursor(ed);
	return 0;
}

static int delete_range(struct editor *ed, size_t a, size_t b)
{
	if (a >= b)
		return 1;
	for (size_t i = a; i < b; i++)
		ed->bytes -= utf8_size(ed->buf[i]);
	wmemmove(ed->buf + a, ed->buf + b, ed->len - b + 1);
	ed->len -= b - a;
	keys_wipe(ed->buf + ed->len + 1, (b - a) * sizeof(wchar_t));
	ed->cur = a;
	ed->changed = true;
	snap_cursor(ed);
	return 0;
}

static int move_to(struct editor *ed, size_t pos)
{
	if (pos == ed->cur)
		return 1;
	ed->cur = pos;
	return 0;
}

/* ---- lines, words and rows ---------------------------------------------------- */

static bool is_newline(const struct editor *ed, wchar_t c)
{
	return ed->multiline && c == L'\n';
}

static size_t line_start(const struct editor *ed, size_t i)
{
	while (i > 0 && !is_newline(ed, ed->buf[i - 1]))
		i--;
	return i;
}

static size_t line_end(const struct editor *ed, size_t i)
{
	while (i < ed->len && !is_newline(ed, ed->buf[i]))
		i++;
	return i;
}

static size_t word_left(const struct editor *ed)
{
	size_t i = ed->cur;

	while (i > 0 && !is_word(ed->buf, i - 1))
		i = cluster_start(ed->buf, i - 1);
	while (i > 0 && is_word(ed->buf, i - 1))
		i = cluster_start(ed->buf, i - 1);
	return i;
}

static size_t word_right(const struct editor *ed)
{
	size_t i = ed->cur;

	while (i < ed->len && !is_word(ed->buf, i))
		i = cluster_end(ed->buf, ed->len, i);
	while (i < ed->len && is_word(ed->buf, i))
		i = cluster_end(ed->buf, ed->len, i);
	return i;
}

/* One soft-wrapped row: [start, end) is shown, the next row starts at next
 * (end + 1 past a '\n'; end itself after a wrap), NO_ROW after the last. */
struct row {
	size_t start, end, next;
};

static void lay_row(const struct editor *ed, size_t s, int width, struct row *r)
{
	const wchar_t *b = ed->buf;
	size_t i = s, brk = 0;
	int col = 0;

	while (i < ed->len && !is_newline(ed, b[i])) {
		size_t j = cluster_end(b, ed->len, i);
		int w = text_width(b + i, j - i);

		/* A cluster wider than the whole row still takes one row. */
		if (col + w > width && i > s)
			break;
		col += w;
		if (iswspace((wint_t)b[i]))
			brk = j;
		i = j;
	}
	r->start = s;
	if (i < ed->len && !is_newline(ed, b[i])) {
		r->end = brk > s ? brk : i;
		r->next = r->end;
	} else {
		r->end = i;
		if (col >= width)
			r->next = i; /* an empty row for the cursor at the line's end */
		else
			r->next = i < ed->len ? i + 1 : NO_ROW;
	}
}

/* Whether the cursor position pos shows on row r: a position where a row
 * wraps shows at the start of the next row. */
static bool in_row(const struct row *r, size_t pos)
{
	return r->start <= pos && (pos < r->end || (pos == r->end && r->next != r->end));
}

/* The row holding pos; rows are laid out from the start of its line. */
static void find_row(const struct editor *ed, size_t pos, int width, struct row *r)
{
	lay_row(ed, line_start(ed, pos), width, r);
	while (!in_row(r, pos) && r->next != NO_ROW)
		lay_row(ed, r->next, width, r);
}

/* The last cluster boundary on row r not right of column goal, and never the
 * row's end when that shows on the next row. */
static size_t row_pos_at(const struct editor *ed, const struct row *r, int goal)
{
	size_t i = r->start;
	int col = 0;

	while (i < r->end) {
		size_t j = cluster_end(ed->buf, ed->len, i);
		int w = text_width(ed->buf + i, j - i);

		if (col + w > goal)
			break;
		col += w;
		i = j;
	}
	if (i == r->end && !in_row(r, i))
		i = cluster_start(ed->buf, i - 1);
	return i;
}

static int move_vertical(struct editor *ed, bool up)
{
	int width = ed->wrap > 0 ? ed->wrap : ED_NO_WRAP;
	struct row r, t;

	if (!ed->multiline)
		return 1;
	find_row(ed, ed->cur, width, &r);
	if (ed->goal_col < 0)
		ed->goal_col = text_width(ed->buf + r.start, ed->cur - r.start);
	if (up) {
		if (r.start == 0)
			return 1;
		/* The row that leads into r: in r's own line, or the last row of
		 * the line before when r starts a line. */
		lay_row(ed, line_start(ed, r.start - 1), width, &t);
		while (t.next != r.start && t.next != NO_ROW)
			lay_row(ed, t.next, width, &t);
	} else {
		if (r.next == NO_ROW)
			return 1;
		lay_row(ed, r.next, width, &t);
	}
	ed->cur = row_pos_at(ed, &t, ed->goal_col);
	return 0;
}

/* ---- the API ------------------------------------------------------------------- */

int ed_init(struct editor *ed, size_t maxbytes, bool multiline)
{
	size_t cap = maxbytes < ED_INITIAL_CAP ? maxbytes + 1 : ED_INITIAL_CAP;

	memset(ed, 0, sizeof *ed);
	ed->buf = keys_secure_alloc(cap * sizeof(wchar_t));
	if (!ed->buf)
		return -1;
	ed->buf[0] = 0;
	ed->cap = cap;
	ed->maxbytes = maxbytes;
	ed->multiline = multiline;
	ed->goal_col = -1;
	return 0;
}

void ed_free(struct editor *ed)
{
	keys_secure_free(ed->buf);
	memset(ed, 0, sizeof *ed);
}

int ed_set_utf8(struct editor *ed, const char *s, size_t len)
{
	const unsigned char *u = (const unsigned char *)s;
	size_t n = 0, i;
	wchar_t c;

	if (len > ed->maxbytes)
		return -1;
	for (i = 0; i < len; n++) {
		size_t k = utf8_get(u + i, len - i, &c);

		if (k == 0 || c == 0)
			return -1;
		i += k;
	}
	if (reserve(ed, n + 1) < 0)
		return -1;
	keys_wipe(ed->buf, ed->len * sizeof(wchar_t));
	for (i = 0, n = 0; i < len; n++)
		i += utf8_get(u + i, len - i, &ed->buf[n]);
	ed->buf[n] = 0;
	ed->len = ed->cur = n;
	ed->bytes = len;
	ed->scroll = 0;
	ed->changed = false;
	ed->goal_col = -1;
	return 0;
}

size_t ed_get_utf8(const struct editor *ed, char *out, size_t cap)
{
	size_t pos = 0;

	if (cap == 0)
		return ed->bytes;
	for (size_t i = 0; i < ed->len; i++) {
		size_t n = utf8_size(ed->buf[i]);

		if (n >= cap - pos)
			break;
		pos += utf8_put(out + pos, ed->buf[i]);
	}
	out[pos] = '\0';
	return ed->bytes;
}

size_t ed_utf8_len(const struct editor *ed)
{
	return ed->bytes;
}

bool ed_changed(const struct editor *ed)
{
	return ed->changed;
}

int ed_apply(struct editor *ed, enum ed_op op, wchar_t ch)
{
	const wchar_t *b = ed->buf;
	size_t cur = ed->cur, e;

	if (op != ED_UP && op != ED_DOWN)
		ed->goal_col = -1;
	switch (op) {
	case ED_INSERT:
		return insertable(ch) ? insert_char(ed, ch) : 1;
	case ED_NEWLINE:
		return ed->multiline ? insert_char(ed, L'\n') : 1;
	case ED_BACKSPACE:
		return cur > 0 ? delete_range(ed, cluster_start(b, cur - 1), cur) : 1;
	case ED_DELETE:
		return delete_range(ed, cur, cluster_end(b, ed->len, cur));
	case ED_LEFT:
		return cur > 0 ? move_to(ed, cluster_start(b, cur - 1)) : 1;
	case ED_RIGHT:
		return move_to(ed, cluster_end(b, ed->len, cur));
	case ED_HOME:
		return move_to(ed, line_start(ed, cur));
	case ED_END:
		return move_to(ed, line_end(ed, cur));
	case ED_WORD_LEFT:
		return move_to(ed, word_left(ed));
	case ED_WORD_RIGHT:
		return move_to(ed, word_right(ed));
	case ED_KILL_EOL:
		e = line_end(ed, cur);
		if (e == cur && cur < ed->len)
			e++; /* the '\n': join the next line, as emacs does */
		return delete_range(ed, cur, e);
	case ED_KILL_WORD_BACK:
		return delete_range(ed, word_left(ed), cur);
	case ED_KILL_LINE:
		return delete_range(ed, line_start(ed, cur), line_end(ed, cur));
	case ED_UP:
	case ED_DOWN:
		return move_vertical(ed, op == ED_UP);
	}
	return 1;
}

/* Columns of the whole clusters from i that fit in max columns. */
static int width_ahead(const wchar_t *b, size_t len, size_t i, int max)
{
	int w = 0;

	while (i < len) {
		int cw = cluster_width(b, len, i);

		if (w + cw > max)
			break;
		w += cw;
		i = cluster_end(b, len, i);
	}
	return w;
}

/* From s back over whole clusters while *cols, counting them, stays
 * within limit: where that stops. */
static size_t back_within(const wchar_t *b, size_t s, int *cols, int limit)
{
	while (s > 0) {
		size_t p = cluster_start(b, s - 1);
		int w = text_width(b + p, s - p);

		if (*cols + w > limit)
			break;
		*cols += w;
		s = p;
	}
	return s;
}

void ed_view(struct editor *ed, int width, struct ed_view *v)
{
	const wchar_t *b = ed->buf;
	size_t len = ed->len, cur = ed->cur, s = ed->scroll, e;
	int margin, cell, ahead, col, tail;

	if (width < 1) {
		v->start = v->end = cur;
		v->cursor_col = 0;
		return;
	}
	/* A quarter of the width and at most 8 columns: both margins and a wide
	 * character under the cursor always fit together. */
	margin = (width - 1) / 4;
	if (margin > ED_MARGIN_MAX)
		margin = ED_MARGIN_MAX;
	s = s > len ? len : cluster_start(b, s);

	/* The cursor's cell is the whole cluster under it, or one column at the
	 * end of the text. */
	cell = 1;
	ahead = 0;
	if (cur < len) {
		e = cluster_end(b, len, cur);
		cell = text_width(b + cur, e - cur);
		if (cell < 1)
			cell = 1;
		ahead = width_ahead(b, len, e, margin);
	}

	/* Too close to the left edge, or past it: show margin columns before. */
	if (s > cur || (s > 0 && text_width(b + s, cur - s) < margin)) {
		col = 0;
		s = back_within(b, cur, &col, margin);
	}
	/* Too close to the right edge: drop clusters on the left. */
	col = text_width(b + s, cur - s);
	while (s < cur && col + cell + ahead > width) {
		size_t n = cluster_end(b, len, s);

		col -= text_width(b + s, n - s);
		s = n;
	}
	/* Text was deleted at the end: bring back hidden text from the left
	 * rather than leave columns empty. */
	tail = text_width(b + s, len - s) + 1;
	s = back_within(b, s, &tail, width);
	ed->scroll = s;

	col = 0;
	for (e = s; e < len;) {
		size_t n = cluster_end(b, len, e);
		int w = text_width(b + e, n - e);

		if (col + w > width)
			break;
		col += w;
		e = n;
	}
	v->start = s;
	v->end = e;
	v->cursor_col = text_width(b + s, cur - s);
}

int ed_view_lines(struct editor *ed, int width, int height, struct ed_row *rows, int *cursor_row,
                  int *cursor_col)
{
	struct row r;
	size_t k, total, crow = 0;
	int n = 0;

	*cursor_row = *cursor_col = 0;
	if (width < 1 || height < 1)
		return 0;
	ed->wrap = width;

	/* The whole text is laid out to count rows: simple, and about a
	 * millisecond per keystroke for a note of NOTE_MAX_BYTES. */
	lay_row(ed, 0, width, &r);
	for (k = 0;; k++) {
		if (in_row(&r, ed->cur)) {
			crow = k;
			*cursor_col = text_width(ed->buf + r.start, ed->cur - r.start);
		}
		if (r.next == NO_ROW)
			break;
		lay_row(ed, r.next, width, &r);
	}
	total = k + 1;

	if (ed->scroll > crow)
		ed->scroll = crow;
	if (crow - ed->scroll >= (size_t)height)
		ed->scroll = crow - (size_t)height + 1;
	if (ed->scroll > 0 && total - ed->scroll < (size_t)height)
		ed->scroll = total > (size_t)height ? total - (size_t)height : 0;
	*cursor_row = (int)(crow - ed->scroll);

	lay_row(ed, 0, width, &r);
	for (k = 0; n < height; k++) {
		if (k >= ed->scroll) {
			rows[n].start = r.start;
			rows[n].end = r.end;
			n++;
		}
		if (r.next == NO_ROW)
			break;
		lay_row(ed, r.next, width, &r);
	}
	return n;
}

/* Character by character is enough: a combining mark takes no columns, so it
 * fits wherever its base did, and the first character that does not fit is
 * never a mark. */
size_t utf8_fit(const char *s, int width, int *used)
{
	const unsigned char *u = (const unsigned char *)s;
	size_t i = 0;
	int col = 0;

	while (u[i]) {
		wchar_t c;
		size_t k = utf8_get(u + i, SIZE_MAX, &c);
		int w = 1; /* an invalid byte shows as one replacement character */

		if (k == 0)
			k = 1;
		else
			w = text_width(&c, 1);
		if (col + w > width)
			break;
		col += w;
		i += k;
	}
	if (used)
		*used = col;
	return i;
}
