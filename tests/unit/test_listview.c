/* Unit tests for tui/listview.c, the list widget, without curses: paging a
 * list with a cursor to its end and back, keeping the cursor and the page
 * valid when the rows or the height change, scrolling rows of several lines
 * line by line so that every line is reached and the last one ends at the
 * bottom (the case view used to skip lines of multi-line notes and stop
 * short), and wrapping text by display width. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <locale.h>
#include <stdio.h>
#include <string.h>

#include "tui/ui.h"

/* Rows of these heights. */
struct heights {
	const int *h;
};

static int height_of(void *ctx, size_t row)
{
	return ((struct heights *)ctx)->h[row];
}

/* The screen line at the top of the page, counted from the first row's. */
static size_t top_line(const struct listview *lv)
{
	size_t y = 0;

	for (size_t r = 0; r < lv->top; r++)
		y += lv->lines ? (size_t)lv->lines(lv->ctx, r) : 1;
	return y + (size_t)lv->skip;
}

/* The list at 80x24: 42 cases in 19 lines. */
static void test_cursor_paging(void **state)
{
	struct listview lv;

	(void)state;
	listview_init(&lv, true, NULL, NULL);
	listview_set(&lv, 42, 19);
	assert_int_equal(lv.sel, 0);
	assert_int_equal(lv.top, 0);

	assert_true(listview_request(&lv, REQ_BOTTOM));
	assert_int_equal(lv.sel, 41);
	assert_int_equal(lv.top, 23); /* a full last page, the last row at its bottom */
	assert_false(listview_below(&lv));
	assert_true(listview_above(&lv));

	assert_true(listview_request(&lv, REQ_PGUP));
	assert_int_equal(lv.top, 4);
	assert_int_equal(lv.sel, 22);

	assert_true(listview_request(&lv, REQ_PGDN));
	assert_int_equal(lv.top, 23);
	assert_int_equal(lv.sel, 41);
	assert_true(listview_request(&lv, REQ_PGDN)); /* past the end: stays */
	assert_int_equal(lv.top, 23);
	assert_int_equal(lv.sel, 41);
	assert_true(listview_request(&lv, REQ_DOWN));
	assert_int_equal(lv.sel, 41);

	assert_true(listview_request(&lv, REQ_TOP));
	assert_int_equal(lv.sel, 0);
	assert_int_equal(lv.top, 0);
	assert_true(listview_request(&lv, REQ_UP));
	assert_int_equal(lv.sel, 0);

	/* Down to the page's last row, and one more: the page follows. */
	for (int i = 0; i < 19; i++)
		listview_request(&lv, REQ_DOWN);
	assert_int_equal(lv.sel, 19);
	assert_int_equal(lv.top, 1);

	/* PgDn from the top, as the list always did: a page, cursor with it. */
	listview_request(&lv, REQ_TOP);
	listview_request(&lv, REQ_PGDN);
	assert_int_equal(lv.top, 19);
	assert_int_equal(lv.sel, 19);

	assert_false(listview_request(&lv, REQ_OPEN));
	assert_false(listview_request(&lv, REQ_QUIT));
}

/* A live reload shrinks or grows the rows; a resize changes the height. */
static void test_cursor_clamps(void **state)
{
	struct listview lv;

	(void)state;
	listview_init(&lv, true, NULL, NULL);
	listview_set(&lv, 42, 19);
	listview_request(&lv, REQ_BOTTOM);

	listview_set(&lv, 30, 19); /* cases left the filter */
	assert_int_equal(lv.sel, 29);
	assert_int_equal(lv.top, 11);

	listview_set(&lv, 30, 7); /* a smaller window */
	assert_int_equal(lv.sel, 29);
	assert_int_equal(lv.top, 23);

	listview_set(&lv, 30, 40); /* a larger one: no blank lines under rows */
	assert_int_equal(lv.sel, 29);
	assert_int_equal(lv.top, 0);

	listview_set(&lv, 0, 19); /* nothing matches */
	assert_int_equal(lv.sel, 0);
	assert_int_equal(lv.top, 0);
	for (int r = REQ_UP; r <= REQ_BOTTOM; r++) {
		listview_request(&lv, (enum request)r);
		assert_int_equal(lv.sel, 0);
		assert_int_equal(lv.top, 0);
	}
	struct listview_row it = {0};
	assert_false(listview_each(&lv, &it));

	listview_set(&lv, 5, 0); /* no room: still valid */
	listview_request(&lv, REQ_BOTTOM);
	assert_int_equal(lv.sel, 4);
	assert_int_equal(lv.top, 4);
	it = (struct listview_row){0};
	assert_false(listview_each(&lv, &it));
}

/* With a cursor, tall rows are shown whole, the selected one on the page. */
static void test_cursor_tall_rows(void **state)
{
	static const int h[] = {2, 2, 2, 2, 2, 3};
	struct heights hs = {h};
	struct listview lv;
	struct listview_row it = {0};

	(void)state;
	listview_init(&lv, true, height_of, &hs);
	listview_set(&lv, 6, 5);
	listview_request(&lv, REQ_DOWN);
	listview_request(&lv, REQ_DOWN);
	assert_int_equal(lv.sel, 2);
	assert_int_equal(lv.top, 1); /* rows 1 and 2: 4 lines of 5 */
	assert_int_equal(lv.skip, 0);

	listview_request(&lv, REQ_BOTTOM);
	assert_int_equal(lv.sel, 5);
	assert_int_equal(lv.top, 4); /* 2 + 3 lines */

	listview_request(&lv, REQ_PGUP);
	assert_int_equal(lv.top, 2);
	assert_int_equal(lv.sel, 3);

	assert_true(listview_each(&lv, &it));
	assert_int_equal(it.row, 2);
	assert_int_equal(it.y, 0);
	assert_true(listview_each(&lv, &it));
	assert_int_equal(it.row, 3);
	assert_int_equal(it.y, 2);
	assert_true(listview_each(&lv, &it));
	assert_int_equal(it.row, 4);
	assert_int_equal(it.y, 4); /* its first line shows, the second is cut */
	assert_false(listview_each(&lv, &it));
}

/* A journal: notes of several lines, scrolled by screen lines. Every line
 * is reached one at a time, the last page ends at the last line, and the
 * rows drawn cover the page exactly. */
static void test_scroll_every_line(void **state)
{
	static const int h[] = {1, 2, 1, 5, 1, 7, 3, 4, 1, 6};
	struct heights hs = {h};
	struct listview lv;
	size_t total = 0, prev;

	(void)state;
	for (size_t i = 0; i < sizeof h / sizeof *h; i++)
		total += (size_t)h[i];
	listview_init(&lv, false, height_of, &hs);
	listview_set(&lv, sizeof h / sizeof *h, 8);
	assert_int_equal(top_line(&lv), 0);
	assert_false(listview_above(&lv));
	assert_true(listview_below(&lv));

	for (size_t want = 1; want <= total - 8; want++) {
		assert_true(listview_request(&lv, REQ_DOWN));
		assert_int_equal(top_line(&lv), want);
	}
	assert_false(listview_below(&lv));
	listview_request(&lv, REQ_DOWN); /* at the end: stays */
	assert_int_equal(top_line(&lv), total - 8);

	/* The rows drawn: the page's first line is line skip of row top, the
	 * last one the last line of the last row, at the page's bottom. */
	{
		struct listview_row it = {0};
		int last = 0;
		size_t row = 0;
		assert_true(listview_each(&lv, &it));
		assert_int_equal(it.y, -lv.skip);
		do {
			last = it.y + it.lines;
			row = it.row;
		} while (listview_each(&lv, &it));
		assert_int_equal(row, sizeof h / sizeof *h - 1);
		assert_int_equal(last, 8);
	}

	for (size_t want = total - 8; want-- > 0;) {
		assert_true(listview_request(&lv, REQ_UP));
		assert_int_equal(top_line(&lv), want);
	}

	/* PgDn a page less a line at a time, to the end and no further. */
	prev = 0;
	for (int i = 0; i < 10; i++) {
		listview_request(&lv, REQ_PGDN);
		size_t now = top_line(&lv);
		assert_true(now == prev + 7 || now == total - 8);
		prev = now;
	}
	assert_int_equal(prev, total - 8);
	listview_request(&lv, REQ_TOP);
	assert_int_equal(top_line(&lv), 0);
	listview_request(&lv, REQ_BOTTOM);
	assert_int_equal(top_line(&lv), total - 8);
	listview_request(&lv, REQ_PGUP);
	assert_int_equal(top_line(&lv), total - 15);

	/* Line 2 of row 5 at the top (the journal's heading after paging). */
	listview_show(&lv, 5, 2);
	assert_int_equal(lv.top, 5);
	assert_int_equal(lv.skip, 2);
}

/* A reload or a resize changes the rows' heights: the place is kept as
 * far as the new last page allows. */
static void test_scroll_clamps(void **state)
{
	int h[] = {3, 3, 3, 3};
	struct heights hs = {h};
	struct listview lv;

	(void)state;
	listview_init(&lv, false, height_of, &hs);
	listview_set(&lv, 4, 5);
	listview_request(&lv, REQ_BOTTOM);
	assert_int_equal(top_line(&lv), 7);
	assert_int_equal(lv.top, 2);
	assert_int_equal(lv.skip, 1);

	h[3] = 1; /* the last note got shorter (a narrower screen: taller) */
	listview_set(&lv, 4, 5);
	assert_int_equal(top_line(&lv), 5);

	listview_set(&lv, 2, 5); /* fewer rows */
	assert_int_equal(top_line(&lv), 1);
	listview_set(&lv, 2, 10); /* all of it fits */
	assert_int_equal(top_line(&lv), 0);
	assert_false(listview_above(&lv));
	assert_false(listview_below(&lv));

	listview_set(&lv, 0, 10);
	listview_request(&lv, REQ_BOTTOM);
	assert_int_equal(lv.top, 0);
	assert_int_equal(lv.skip, 0);
}

/* Help: rows of one line each, without a cursor. */
static void test_scroll_one_line_rows(void **state)
{
	struct listview lv;

	(void)state;
	listview_init(&lv, false, NULL, NULL);
	listview_set(&lv, 15, 8);
	listview_request(&lv, REQ_DOWN);
	assert_int_equal(lv.top, 1);
	listview_request(&lv, REQ_PGDN);
	assert_int_equal(lv.top, 7); /* the last page */
	listview_request(&lv, REQ_PGDN);
	assert_int_equal(lv.top, 7);
	listview_request(&lv, REQ_PGUP);
	assert_int_equal(lv.top, 0);
}

/* Lines of s wrapped at width, joined by '|', each with its columns. */
static void wrap_all(const char *s, int width, char *out, size_t cap, int *cols, int *n)
{
	size_t off = 0;

	*n = 0;
	for (const char *line = s; line;) {
		size_t len;
		const char *next = ui_wrap(line, width, &len, &cols[*n]);
		off +=
		    (size_t)snprintf(out + off, cap - off, "%s%.*s", *n ? "|" : "", (int)len, line);
		(*n)++;
		line = next;
	}
}

static void test_wrap(void **state)
{
	char out[512];
	int cols[32], n;

	(void)state;
	wrap_all("", 10, out, sizeof out, cols, &n);
	assert_int_equal(n, 1);
	assert_string_equal(out, "");

	wrap_all("Storgata 5\n9405 Harstad", 40, out, sizeof out, cols, &n);
	assert_string_equal(out, "Storgata 5|9405 Harstad");
	assert_int_equal(cols[0], 10);
	assert_int_equal(cols[1], 12);

	wrap_all("a\n\nb\n", 5, out, sizeof out, cols, &n);
	assert_int_equal(n, 4);
	assert_string_equal(out, "a||b|");

	/* At the last blank that fits; the blank itself is not shown. */
	wrap_all("the quick brown fox", 10, out, sizeof out, cols, &n);
	assert_string_equal(out, "the quick|brown fox");
	wrap_all("the quick brown", 9, out, sizeof out, cols, &n);
	assert_string_equal(out, "the quick|brown");
	wrap_all("quick \nx", 5, out, sizeof out, cols, &n); /* no empty line */
	assert_string_equal(out, "quick|x");

	/* æøå are one column each (two bytes). */
	wrap_all("blåbærsyltetøy på skiver", 17, out, sizeof out, cols, &n);
	assert_string_equal(out, "blåbærsyltetøy på|skiver");
	assert_int_equal(cols[0], 17);

	/* A word wider than the line breaks between characters, from where
	 * it starts; one that fits a line of its own goes to the next. */
	wrap_all("abcdefghij", 4, out, sizeof out, cols, &n);
	assert_string_equal(out, "abcd|efgh|ij");
	wrap_all("see https://example.no/x", 10, out, sizeof out, cols, &n);
	assert_string_equal(out, "see https:|//example.|no/x");
	wrap_all("see abcdefghij", 10, out, sizeof out, cols, &n);
	assert_string_equal(out, "see|abcdefghij");

	/* Wide characters take two columns and are never cut in half. */
	wrap_all("王小明打电话", 5, out, sizeof out, cols, &n);
	assert_string_equal(out, "王小|明打|电话");
	assert_int_equal(cols[0], 4);
	wrap_all("a王小", 4, out, sizeof out, cols, &n);
	assert_string_equal(out, "a王|小");
	assert_int_equal(cols[0], 3);

	/* A combining mark stays with its base (e + U+0301). */
	wrap_all("cafe\xcc\x81s", 4, out, sizeof out, cols, &n);
	assert_string_equal(out, "cafe\xcc\x81|s");
	assert_int_equal(cols[0], 4);

	/* Too narrow for one wide character: left out, no endless loop. */
	wrap_all("王x", 1, out, sizeof out, cols, &n);
	assert_int_equal(n, 2);
	assert_int_equal(cols[0], 0);
	assert_string_equal(out, "王|x");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_cursor_paging),
	    cmocka_unit_test(test_cursor_clamps),
	    cmocka_unit_test(test_cursor_tall_rows),
	    cmocka_unit_test(test_scroll_every_line),
	    cmocka_unit_test(test_scroll_clamps),
	    cmocka_unit_test(test_scroll_one_line_rows),
	    cmocka_unit_test(test_wrap),
	};

	if (!setlocale(LC_ALL, "C.UTF-8")) {
		fprintf(stderr, "test_listview: no C.UTF-8 locale\n");
		return 1;
	}
	return cmocka_run_group_tests_name("listview", tests, NULL, NULL);
}
