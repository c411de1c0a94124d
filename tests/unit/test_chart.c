/* Unit tests for tui/chart.c, the dashboard's charts as text, without
 * curses: bars scaled to the largest month, a small month never drawn as
 * nothing, zero and a year of zeros, a month above the scale marked, the
 * eighths, whole blocks and ASCII, the widths asked for; the meter of
 * settled against the decision, reached, short by one and above it; and
 * the glyphs chosen for a locale and a terminal. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tui/ui.h"

enum { H = 8, CAP = 256 };

static char buf[H][CAP];
static char *lines[H] = {buf[0], buf[1], buf[2], buf[3], buf[4], buf[5], buf[6], buf[7]};

/* Columns of UTF-8 text whose every glyph is one column wide. */
static size_t columns(const char *s)
{
	size_t n = 0;

	for (; *s; s++)
		n += ((unsigned char)*s & 0xc0) != 0x80;
	return n;
}

/* The glyph in column col of s, as a string. */
static const char *glyph(const char *s, size_t col)
{
	static char out[5];
	size_t n = 0;

	for (; *s; s++) {
		if (((unsigned char)*s & 0xc0) == 0x80)
			continue;
		if (n++ == col) {
			size_t len = 1;
			while (s[len] && ((unsigned char)s[len] & 0xc0) == 0x80)
				len++;
			memcpy(out, s, len);
			out[len] = '\0';
			return out;
		}
	}
	return "";
}

/* Full cells of bar i (bar_w 1, gap 0) from the bottom, and its top glyph. */
static int full_cells(int height, size_t i, const char *full)
{
	int n = 0;

	for (int r = height - 1; r >= 0 && strcmp(glyph(lines[r], i), full) == 0; r--)
		n++;
	return n;
}

static void test_bars_scale(void **state)
{
	long v[12] = {0, 2, 4, 8, 1, 0, 0, 0, 0, 0, 0, 6};

	(void)state;
	assert_int_equal(chart_bars(v, 12, 8, 4, 1, 0, CHART_EIGHTHS, lines, CAP), 0);
	/* The largest fills the height; half of it half; 6 of 8 three of four. */
	assert_int_equal(full_cells(4, 3, "█"), 4);
	assert_int_equal(full_cells(4, 2, "█"), 2);
	assert_string_equal(glyph(lines[1], 2), " ");
	assert_int_equal(full_cells(4, 11, "█"), 3);
	assert_int_equal(full_cells(4, 1, "█"), 1);
	/* 1 of 8 in 4 lines is half a line: ▄. */
	assert_int_equal(full_cells(4, 4, "█"), 0);
	assert_string_equal(glyph(lines[3], 4), "▄");
	/* Zero is nothing at all. */
	for (int r = 0; r < 4; r++)
		assert_string_equal(glyph(lines[r], 0), " ");
	for (int r = 0; r < 4; r++)
		assert_int_equal(columns(lines[r]), 12);
}

static void test_bars_small_never_nothing(void **state)
{
	long v[3] = {1, 1000, 0};

	(void)state;
	assert_int_equal(chart_bars(v, 3, 1000, 4, 1, 0, CHART_EIGHTHS, lines, CAP), 0);
	assert_string_equal(glyph(lines[3], 0), "▁");
	assert_string_equal(glyph(lines[3], 2), " ");
	assert_int_equal(chart_bars(v, 3, 1000, 4, 1, 0, CHART_BLOCKS, lines, CAP), 0);
	assert_string_equal(glyph(lines[3], 0), "█");
	assert_string_equal(glyph(lines[2], 0), " ");
	assert_int_equal(chart_bars(v, 3, 1000, 4, 1, 0, CHART_ASCII, lines, CAP), 0);
	assert_string_equal(glyph(lines[3], 0), "#");
	assert_string_equal(glyph(lines[3], 2), " ");
}

static void test_bars_all_zero(void **state)
{
	long v[12] = {0};

	(void)state;
	/* A year with nobody settled yet: max 0, blank lines, no division. */
	assert_int_equal(chart_bars(v, 12, 0, 3, 2, 1, CHART_EIGHTHS, lines, CAP), 0);
	for (int r = 0; r < 3; r++) {
		assert_int_equal(columns(lines[r]), 36);
		assert_null(strpbrk(lines[r], "#\xe2"));
	}
}

static void test_bars_above_scale(void **state)
{
	long v[2] = {15, 10};

	(void)state;
	assert_int_equal(chart_bars(v, 2, 10, 3, 1, 1, CHART_EIGHTHS, lines, CAP), 0);
	assert_string_equal(glyph(lines[0], 0), "↑");
	assert_string_equal(glyph(lines[1], 0), "█");
	assert_string_equal(glyph(lines[2], 0), "█");
	/* Exactly the scale is full, not above it. */
	assert_string_equal(glyph(lines[0], 2), "█");
	assert_int_equal(chart_bars(v, 2, 10, 3, 1, 1, CHART_ASCII, lines, CAP), 0);
	assert_string_equal(lines[0], "^ # ");
}

static void test_bars_ascii_only(void **state)
{
	long v[12] = {3, 7, 1, 0, 12, 9, 4, 4, 5, 2, 8, 11};

	(void)state;
	assert_int_equal(chart_bars(v, 12, 12, 6, 3, 2, CHART_ASCII, lines, CAP), 0);
	for (int r = 0; r < 6; r++) {
		for (const char *p = lines[r]; *p; p++)
			assert_true(*p == ' ' || *p == '#');
		assert_int_equal(strlen(lines[r]), 60);
	}
	/* 12 and 11 (5.5 lines, rounded) reach the top; 0 is nothing. */
	assert_string_equal(lines[0],
	                    "                    ###                                ###  ");
	assert_string_equal(lines[5],
	                    "###  ###  ###       ###  ###  ###  ###  ###  ###  ###  ###  ");
}

static void test_bars_widths(void **state)
{
	long v[12] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12};

	(void)state;
	for (int w = 1; w <= 4; w++)
		for (int gap = 0; gap <= 2; gap++) {
			assert_int_equal(
			    chart_bars(v, 12, 12, 5, w, gap, CHART_EIGHTHS, lines, CAP), 0);
			for (int r = 0; r < 5; r++)
				assert_int_equal(columns(lines[r]), (size_t)(12 * (w + gap)));
			/* A bar is the same glyph across its width. */
			assert_string_equal(glyph(lines[4], 0), glyph(lines[4], (size_t)w - 1));
		}
	/* Too small a buffer is said, not overrun. */
	char small[10];
	char *one[1] = {small};
	assert_int_equal(chart_bars(v, 12, 12, 1, 1, 0, CHART_EIGHTHS, one, sizeof small), -1);
	assert_int_equal(chart_bars(v, 12, 12, 0, 1, 0, CHART_EIGHTHS, lines, CAP), -1);
}

static void test_meter(void **state)
{
	char m[CAP];

	(void)state;
	/* 89 of 110 in 20 columns: 16.2 cells done. */
	assert_int_equal(chart_meter(89, 110, 20, CHART_EIGHTHS, m, sizeof m), 0);
	assert_int_equal(columns(m), 20);
	assert_string_equal(glyph(m, 15), "█");
	assert_string_equal(glyph(m, 16), "▏");
	assert_string_equal(glyph(m, 17), "░");
	assert_int_equal(chart_meter(89, 110, 20, CHART_ASCII, m, sizeof m), 0);
	assert_string_equal(m, "################....");
	/* Reached: full. One short: never full. */
	assert_int_equal(chart_meter(110, 110, 10, CHART_ASCII, m, sizeof m), 0);
	assert_string_equal(m, "##########");
	assert_int_equal(chart_meter(109, 110, 10, CHART_ASCII, m, sizeof m), 0);
	assert_string_equal(m, "#########.");
	assert_int_equal(chart_meter(109, 110, 10, CHART_EIGHTHS, m, sizeof m), 0);
	assert_string_equal(glyph(m, 9), "▉");
	/* Above the decision: full, and marked. */
	assert_int_equal(chart_meter(120, 110, 10, CHART_ASCII, m, sizeof m), 0);
	assert_string_equal(m, "#########>");
	assert_int_equal(chart_meter(120, 110, 10, CHART_BLOCKS, m, sizeof m), 0);
	assert_string_equal(m, "█████████▶");
	/* None yet, and no decision yet: nothing done, all to go. */
	assert_int_equal(chart_meter(0, 110, 5, CHART_ASCII, m, sizeof m), 0);
	assert_string_equal(m, ".....");
	assert_int_equal(chart_meter(7, 0, 5, CHART_ASCII, m, sizeof m), 0);
	assert_string_equal(m, ".....");
	/* One settled is something. */
	assert_int_equal(chart_meter(1, 1000, 5, CHART_BLOCKS, m, sizeof m), 0);
	assert_string_equal(m, "█░░░░");
	assert_int_equal(chart_meter(1, 2, 5, CHART_ASCII, m, 3), -1);
}

static void test_glyphs_for(void **state)
{
	(void)state;
	unsetenv("LC_ALL");
	unsetenv("LC_CTYPE");
	setenv("LANG", "C.UTF-8", 1);
	assert_int_equal(chart_glyphs_for("xterm-256color"), CHART_EIGHTHS);
	assert_int_equal(chart_glyphs_for("linux"), CHART_BLOCKS);
	assert_int_equal(chart_glyphs_for("vt100"), CHART_ASCII);
	setenv("LANG", "C", 1);
	assert_int_equal(chart_glyphs_for("xterm-256color"), CHART_ASCII);
	setenv("LC_ALL", "POSIX", 1);
	setenv("LANG", "C.UTF-8", 1);
	assert_int_equal(chart_glyphs_for("xterm"), CHART_ASCII);
	/* A UTF-8 locale not installed on the host: its name says. */
	setenv("LC_ALL", "nb_NO.UTF-8", 1);
	assert_int_equal(chart_glyphs_for("xterm"), CHART_EIGHTHS);
	setenv("LC_ALL", "nb_NO.ISO-8859-1", 1);
	assert_int_equal(chart_glyphs_for("xterm"), CHART_ASCII);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_bars_scale),      cmocka_unit_test(test_bars_small_never_nothing),
	    cmocka_unit_test(test_bars_all_zero),   cmocka_unit_test(test_bars_above_scale),
	    cmocka_unit_test(test_bars_ascii_only), cmocka_unit_test(test_bars_widths),
	    cmocka_unit_test(test_meter),           cmocka_unit_test(test_glyphs_for),
	};

	setlocale(LC_ALL, "C.UTF-8");
	return cmocka_run_group_tests(tests, NULL, NULL);
}
