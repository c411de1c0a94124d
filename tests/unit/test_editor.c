/* Unit tests for tui/editor.c, the line and note editor, without curses: edits
 * and moves over whole clusters (combining accents, Arabic harakat, Ge'ez),
 * word moves, the UTF-8 byte limit, horizontal scroll and soft wrap by display
 * width, and the UTF-8 boundary. Expected layouts are worked out by hand in the
 * comments; boundaries and widths are checked against mbstowcs/wcwidth, not
 * against the editor's own helpers. Runs in C.UTF-8, as the program does. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <wchar.h>

#include "store/store.h"
#include "tui/editor.h"

/* Every text the tests use; each one is also checked for a lossless round trip. */
#define CYRILLIC_NAME "Олена Шевченко-Ås  x"
#define DECOMPOSED    "Jose\u0301 Mari\u0301a" /* e and i + U+0301 */
/* مُحَمَّد عَلِي: mim damma, hah fatha, mim fatha shadda, dal; ain fatha, lam kasra, yeh */
#define ARABIC_1  "\u0645\u064f\u062d\u064e"
#define ARABIC_2  "\u062f \u0639\u064e\u0644\u0650\u064a"
#define ARABIC    ARABIC_1 "\u0645\u064e\u0651" ARABIC_2
#define TIGRINYA  "ሰላም ትግርኛ"
#define CJK       "王小明王小明"
#define MIXED     "Åse 王小明 e\xcc\x81 " ARABIC " ሰላም Олена 😀!"
#define MULTILINE "kort\nen mye lengre linje\nx\n\nmidt"

static const char *const samples[] = {
    "",
    "a",
    "Åse Nilsen",
    CYRILLIC_NAME,
    DECOMPOSED,
    ARABIC,
    TIGRINYA,
    CJK,
    MIXED,
    "a\xcc\x81\xcc\xa3 stacked marks",
    "ሰ\xe1\x8d\x9f Ge'ez mark", /* U+135F */
    "emoji 😀 and 𝄞 (four bytes)",
    MULTILINE,
    "ends with a newline\n",
};

static void init_ed(struct editor *ed, size_t maxbytes, bool multi, const char *text)
{
	assert_int_equal(ed_init(ed, maxbytes, multi), 0);
	if (text)
		assert_int_equal(ed_set_utf8(ed, text, strlen(text)), 0);
}

static void assert_text(const struct editor *ed, const char *want)
{
	char out[8192];

	assert_int_equal(ed_get_utf8(ed, out, sizeof out), strlen(want));
	assert_string_equal(out, want);
	assert_int_equal(ed_utf8_len(ed), strlen(want));
}

static void type(struct editor *ed, const wchar_t *s)
{
	for (; *s; s++)
		assert_int_equal(ed_apply(ed, *s == L'\n' ? ED_NEWLINE : ED_INSERT, *s), 0);
}

static void repeat(struct editor *ed, enum ed_op op, int n)
{
	for (int i = 0; i < n; i++)
		assert_int_equal(ed_apply(ed, op, 0), 0);
}

static void to_start(struct editor *ed)
{
	while (ed_apply(ed, ED_LEFT, 0) == 0)
		;
	assert_int_equal(ed->cur, 0);
}

/* The test's own idea of a cluster boundary (no control characters here). */
static bool boundary(const struct editor *ed, size_t i)
{
	return i == 0 || i >= ed->len || wcwidth(ed->buf[i]) != 0;
}

/* ---- editing ------------------------------------------------------------- */

static void test_insert_delete_positions(void **state)
{
	struct editor ed;
	(void)state;

	init_ed(&ed, FIELD_MAX_BYTES, false, "ace");
	assert_int_equal(ed.cur, 3);
	type(&ed, L"f"); /* end */
	assert_text(&ed, "acef");
	repeat(&ed, ED_HOME, 1);
	type(&ed, L"Å"); /* start */
	assert_text(&ed, "Åacef");
	assert_int_equal(ed.cur, 1);
	repeat(&ed, ED_RIGHT, 2);
	type(&ed, L"dø"); /* middle */
	assert_text(&ed, "Åacdøef");
	assert_int_equal(ed.cur, 5);
	repeat(&ed, ED_DELETE, 1); /* middle */
	assert_text(&ed, "Åacdøf");
	repeat(&ed, ED_BACKSPACE, 2); /* middle */
	assert_text(&ed, "Åacf");
	assert_int_equal(ed.cur, 3);
	repeat(&ed, ED_HOME, 1);
	assert_int_equal(ed_apply(&ed, ED_BACKSPACE, 0), 1); /* nothing before */
	repeat(&ed, ED_DELETE, 1);                           /* start */
	assert_text(&ed, "acf");
	assert_int_equal(ed.cur, 0);
	repeat(&ed, ED_END, 1);
	assert_int_equal(ed_apply(&ed, ED_DELETE, 0), 1); /* nothing after */
	repeat(&ed, ED_BACKSPACE, 1);                     /* end */
	assert_text(&ed, "ac");
	assert_int_equal(ed.cur, 2);
	ed_free(&ed);
	assert_null(ed.buf);
	ed_free(&ed); /* twice is harmless */
}

static void test_backspace_combining(void **state)
{
	struct editor ed;
	(void)state;

	init_ed(&ed, 4096, false, "Jose\xcc\x81");
	assert_int_equal(ed.len, 5);
	assert_int_equal(ed_apply(&ed, ED_BACKSPACE, 0), 0);
	assert_text(&ed, "Jos"); /* e and U+0301 went together */
	assert_int_equal(ed.cur, 3);

	/* A mark typed after its letter joins it: one step left crosses both. */
	type(&ed, L"e\u0301");
	assert_int_equal(ed.cur, 5);
	repeat(&ed, ED_LEFT, 1);
	assert_int_equal(ed.cur, 3);
	repeat(&ed, ED_RIGHT, 1);
	assert_int_equal(ed.cur, 5);
	repeat(&ed, ED_LEFT, 1);
	repeat(&ed, ED_DELETE, 1);
	assert_text(&ed, "Jos");

	/* Two marks on one letter. */
	assert_int_equal(ed_set_utf8(&ed, "xa\xcc\x81\xcc\xa3y", 7), 0);
	repeat(&ed, ED_LEFT, 1);
	assert_int_equal(ed.cur, 4);
	repeat(&ed, ED_BACKSPACE, 1);
	assert_text(&ed, "xy");
	assert_int_equal(ed.cur, 1);
	ed_free(&ed);
}

static void test_word_moves(void **state)
{
	/* Олена(0-4) space(5) Шевченко(6-13) -(14) Ås(15-16) spaces(17-18) x(19) */
	static const size_t right[] = {5, 14, 17, 20};
	static const size_t left[] = {19, 15, 6, 0};
	struct editor ed;
	(void)state;

	init_ed(&ed, 4096, false, CYRILLIC_NAME);
	assert_int_equal(ed.len, 20);
	repeat(&ed, ED_HOME, 1);
	for (size_t i = 0; i < 4; i++) {
		assert_int_equal(ed_apply(&ed, ED_WORD_RIGHT, 0), 0);
		assert_int_equal(ed.cur, right[i]);
	}
	assert_int_equal(ed_apply(&ed, ED_WORD_RIGHT, 0), 1);
	for (size_t i = 0; i < 4; i++) {
		assert_int_equal(ed_apply(&ed, ED_WORD_LEFT, 0), 0);
		assert_int_equal(ed.cur, left[i]);
	}
	assert_int_equal(ed_apply(&ed, ED_WORD_LEFT, 0), 1);

	/* From inside a word: to its own start and end. */
	repeat(&ed, ED_RIGHT, 10);
	repeat(&ed, ED_WORD_LEFT, 1);
	assert_int_equal(ed.cur, 6);
	repeat(&ed, ED_RIGHT, 3);
	repeat(&ed, ED_WORD_RIGHT, 1);
	assert_int_equal(ed.cur, 14);
	assert_false(ed_changed(&ed));
	ed_free(&ed);
}

static void test_kill_eol(void **state)
{
	struct editor ed;
	(void)state;

	init_ed(&ed, 4096, false, CYRILLIC_NAME);
	repeat(&ed, ED_HOME, 1);
	repeat(&ed, ED_WORD_RIGHT, 2);
	repeat(&ed, ED_KILL_EOL, 1);
	assert_text(&ed, "Олена Шевченко");
	assert_int_equal(ed.cur, 14);
	assert_int_equal(ed_apply(&ed, ED_KILL_EOL, 0), 1);
	repeat(&ed, ED_HOME, 1);
	repeat(&ed, ED_KILL_EOL, 1);
	assert_text(&ed, "");
	ed_free(&ed);

	/* Multi-line: up to the '\n', then the '\n' itself. */
	init_ed(&ed, 4096, true, "ab\ncd");
	repeat(&ed, ED_UP, 1);
	repeat(&ed, ED_HOME, 1);
	repeat(&ed, ED_RIGHT, 1);
	repeat(&ed, ED_KILL_EOL, 1);
	assert_text(&ed, "a\ncd");
	repeat(&ed, ED_KILL_EOL, 1);
	assert_text(&ed, "acd");
	assert_int_equal(ed.cur, 1);
	ed_free(&ed);
}

static void test_kill_word_back(void **state)
{
	static const char *const after[] = {
	    "Олена Шевченко-Ås  ",
	    "Олена Шевченко-",
	    "Олена ",
	    "",
	};
	struct editor ed;
	(void)state;

	init_ed(&ed, 4096, false, CYRILLIC_NAME);
	for (size_t i = 0; i < 4; i++) {
		assert_int_equal(ed_apply(&ed, ED_KILL_WORD_BACK, 0), 0);
		assert_text(&ed, after[i]);
		assert_int_equal(ed.cur, ed.len);
	}
	assert_int_equal(ed_apply(&ed, ED_KILL_WORD_BACK, 0), 1);

	/* In the middle: only what is before the cursor goes. */
	assert_int_equal(ed_set_utf8(&ed, "Ali Hassan", 10), 0);
	repeat(&ed, ED_LEFT, 3);
	repeat(&ed, ED_KILL_WORD_BACK, 1);
	assert_text(&ed, "Ali san");
	assert_int_equal(ed.cur, 4);
	ed_free(&ed);
}

static void test_kill_line(void **state)
{
	struct editor ed;
	(void)state;

	init_ed(&ed, 4096, false, "Åse Nilsen");
	repeat(&ed, ED_LEFT, 3);
	repeat(&ed, ED_KILL_LINE, 1);
	assert_text(&ed, "");
	assert_int_equal(ed.cur, 0);
	assert_int_equal(ed_apply(&ed, ED_KILL_LINE, 0), 1);
	ed_free(&ed);

	init_ed(&ed, 4096, true, "one\ntwo\nthree");
	repeat(&ed, ED_UP, 1);
	repeat(&ed, ED_KILL_LINE, 1);
	assert_text(&ed, "one\n\nthree");
	assert_int_equal(ed.cur, 4);
	ed_free(&ed);
}

static void test_home_end(void **state)
{
	struct editor ed;
	(void)state;

	init_ed(&ed, 4096, false, "Åse Nilsen");
	repeat(&ed, ED_LEFT, 4);
	repeat(&ed, ED_HOME, 1);
	assert_int_equal(ed.cur, 0);
	assert_int_equal(ed_apply(&ed, ED_HOME, 0), 1);
	repeat(&ed, ED_END, 1);
	assert_int_equal(ed.cur, 10);
	assert_int_equal(ed_apply(&ed, ED_END, 0), 1);
	ed_free(&ed);

	/* Multi-line: the line's ends, not the text's. */
	init_ed(&ed, 4096, true, "ab\ncde\nf");
	repeat(&ed, ED_UP, 1);
	repeat(&ed, ED_HOME, 1);
	assert_int_equal(ed.cur, 3);
	repeat(&ed, ED_END, 1);
	assert_int_equal(ed.cur, 6);
	ed_free(&ed);
}

/* ---- limits and refusals --------------------------------------------------- */

static void test_maxbytes_two_byte(void **state)
{
	struct editor ed;
	(void)state;

	init_ed(&ed, 10, false, NULL);
	type(&ed, L"øøøøø"); /* exactly 10 bytes */
	assert_int_equal(ed_utf8_len(&ed), 10);
	assert_int_equal(ed_apply(&ed, ED_INSERT, L'ø'), 1);
	assert_int_equal(ed_apply(&ed, ED_INSERT, L'a'), 1);
	repeat(&ed, ED_LEFT, 2);
	assert_int_equal(ed_apply(&ed, ED_INSERT, L'a'), 1); /* nor in the middle */
	assert_int_equal(ed.cur, 3);
	assert_text(&ed, "øøøøø");
	ed_free(&ed);

	init_ed(&ed, 11, false, NULL);
	type(&ed, L"øøøøø");
	assert_int_equal(ed_apply(&ed, ED_INSERT, L'ø'), 1); /* 12 > 11 */
	assert_int_equal(ed_apply(&ed, ED_INSERT, L'a'), 0); /* 11 */
	assert_int_equal(ed_apply(&ed, ED_INSERT, L'b'), 1);
	assert_text(&ed, "øøøøøa");
	/* Room again after a delete. */
	repeat(&ed, ED_BACKSPACE, 1);
	assert_int_equal(ed_apply(&ed, ED_INSERT, L'å'), 1);
	assert_int_equal(ed_apply(&ed, ED_INSERT, L'b'), 0);
	ed_free(&ed);

	/* A '\n' counts one byte. */
	init_ed(&ed, 4, true, "øø");
	assert_int_equal(ed_apply(&ed, ED_NEWLINE, 0), 1);
	ed_free(&ed);
}

static void test_maxbytes_three_byte(void **state)
{
	struct editor ed;
	(void)state;

	init_ed(&ed, 9, false, NULL);
	type(&ed, L"王小明"); /* exactly 9 bytes */
	assert_int_equal(ed_apply(&ed, ED_INSERT, L'王'), 1);
	assert_int_equal(ed_apply(&ed, ED_INSERT, L'ø'), 1);
	assert_int_equal(ed_apply(&ed, ED_INSERT, L'a'), 1);
	assert_text(&ed, "王小明");
	ed_free(&ed);

	init_ed(&ed, 10, false, NULL);
	type(&ed, L"ሰላም");                                      /* Ge'ez: 3 bytes each */
	assert_int_equal(ed_apply(&ed, ED_INSERT, L'ø'), 1);    /* 11 > 10 */
	assert_int_equal(ed_apply(&ed, ED_INSERT, 0x1F600), 1); /* 13 > 10 */
	assert_int_equal(ed_apply(&ed, ED_INSERT, L'a'), 0);    /* 10 */
	assert_int_equal(ed_apply(&ed, ED_INSERT, L'b'), 1);
	assert_text(&ed, "ሰላምa");
	ed_free(&ed);

	/* ed_set_utf8 holds to the same limit. */
	init_ed(&ed, 9, false, "ok");
	assert_int_equal(ed_set_utf8(&ed, "王小明", 9), 0);
	assert_int_equal(ed_set_utf8(&ed, "王小明a", 10), -1);
	assert_text(&ed, "王小明");
	ed_free(&ed);
}

static void test_control_refused(void **state)
{
	static const uint32_t bad[] = {0x00,   0x01,   0x09,   0x0a,   0x0d,   0x1b,
	                               0x1f,   0x7f,   0x80,   0x85,   0x9f,   0x2028,
	                               0x2029, 0xd800, 0xdfff, 0xfffe, 0xffff, 0x110000};
	struct editor ed;
	(void)state;

	for (int multi = 0; multi < 2; multi++) {
		init_ed(&ed, 4096, multi, "ab");
		repeat(&ed, ED_LEFT, 1);
		for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
			assert_int_equal(ed_apply(&ed, ED_INSERT, (wchar_t)bad[i]), 1);
		assert_text(&ed, "ab");
		assert_int_equal(ed.cur, 1);
		assert_false(ed_changed(&ed));
		type(&ed, L" \u00a0\u200d"); /* space, no-break space and ZWJ are text */
		assert_true(ed_changed(&ed));
		ed_free(&ed);
	}

	/* Single-line editors leave line breaks and vertical moves to the form. */
	init_ed(&ed, 4096, false, "ab");
	assert_int_equal(ed_apply(&ed, ED_NEWLINE, 0), 1);
	assert_int_equal(ed_apply(&ed, ED_UP, 0), 1);
	assert_int_equal(ed_apply(&ed, ED_DOWN, 0), 1);
	assert_text(&ed, "ab");
	assert_int_equal(ed.cur, 2);
	ed_free(&ed);
}

/* Issue 7, finding 2: bidi overrides and isolates and tag characters are
 * refused from a key like controls, and when stored text holds one (it may
 * predate the validators) it is a one-column cluster of its own that the
 * screen draws as U+FFFD, not a zero-width mark sent to the terminal. */
static void test_bidi_and_tags_not_text(void **state)
{
	static const uint32_t bad[] = {0x202a, 0x202b, 0x202c, 0x202d,  0x202e,  0x2066,
	                               0x2067, 0x2068, 0x2069, 0xe0001, 0xe0041, 0xe007f};
	static const wchar_t planted[] = L"a\u202eb\U000e0041c";
	struct editor ed;
	int used = -1;
	(void)state;

	init_ed(&ed, 4096, true, "ab");
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		assert_int_equal(ed_apply(&ed, ED_INSERT, (wchar_t)bad[i]), 1);
		assert_true(text_nonprint((wchar_t)bad[i]));
	}
	assert_text(&ed, "ab");
	type(&ed, L"\u200c\u200f"); /* ZWNJ and RLM stay text */
	ed_free(&ed);
	assert_false(text_nonprint(L'\u200c'));
	assert_false(text_nonprint(L'a'));
	assert_true(text_nonprint(L'\x1b'));
	assert_true(text_nonprint(L'\x9b'));

	init_ed(&ed, 4096, false, "");
	assert_int_equal(ed_set_utf8(&ed,
	                             "a\xe2\x80\xae"
	                             "b\xf3\xa0\x81\x81"
	                             "c",
	                             10),
	                 0);
	assert_int_equal(ed.len, 5);
	assert_int_equal(text_width(planted, 5), 5);
	ed_apply(&ed, ED_HOME, 0);
	for (size_t want = 1; want <= 5; want++) {
		assert_int_equal(ed_apply(&ed, ED_RIGHT, 0), 0);
		assert_int_equal(ed.cur, want); /* each its own cluster */
	}
	ed_free(&ed);
	assert_int_equal(utf8_fit("a\xe2\x80\xae"
	                          "b",
	                          80, &used),
	                 5);
	assert_int_equal(used, 3);
}

static void test_invalid_utf8_refused(void **state)
{
	static const struct {
		const char *s;
		size_t len;
	} bad[] = {
	    {"\xc3", 1},                 /* truncated */
	    {"abc\xe2\x82", 5},          /* truncated at the end */
	    {"\xc3\x28", 2},             /* bad continuation */
	    {"\xc0\xaf", 2},             /* overlong '/' */
	    {"\xe0\x80\xaf", 3},         /* overlong */
	    {"\xf0\x80\x80\xaf", 4},     /* overlong */
	    {"\xed\xa0\x80", 3},         /* surrogate U+D800 */
	    {"\xf4\x90\x80\x80", 4},     /* above U+10FFFF */
	    {"\xf8\x88\x80\x80\x80", 5}, /* five-byte form */
	    {"\xff", 1},
	    {"\x80", 1}, /* lone continuation */
	    {"a\0b", 3}, /* NUL */
	};
	struct editor ed;
	(void)state;

	init_ed(&ed, 4096, true, "før");
	repeat(&ed, ED_LEFT, 1);
	type(&ed, L"x");
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		assert_int_equal(ed_set_utf8(&ed, bad[i].s, bad[i].len), -1);
		assert_text(&ed, "føxr");
		assert_int_equal(ed.cur, 3);
		assert_true(ed_changed(&ed));
	}
	ed_free(&ed);
}

static void test_changed(void **state)
{
	struct editor ed;
	(void)state;

	init_ed(&ed, 4096, false, NULL);
	assert_false(ed_changed(&ed));
	assert_int_equal(ed_set_utf8(&ed, "Åse", 4), 0);
	repeat(&ed, ED_HOME, 1);
	repeat(&ed, ED_WORD_RIGHT, 1);
	assert_int_equal(ed_apply(&ed, ED_INSERT, 0x1b), 1);
	assert_false(ed_changed(&ed)); /* moves and refusals are not edits */
	type(&ed, L"x");
	assert_true(ed_changed(&ed));
	repeat(&ed, ED_BACKSPACE, 1);
	assert_true(ed_changed(&ed)); /* edited back: still an edit */
	assert_int_equal(ed_set_utf8(&ed, "Åse", 4), 0);
	assert_false(ed_changed(&ed));
	ed_free(&ed);
}

static void test_growth(void **state)
{
	static const wchar_t cycle[] = L"aø王😀";
	struct editor ed;
	size_t bytes = 0;
	char *big, *out;
	(void)state;

	init_ed(&ed, NOTE_MAX_BYTES, true, NULL);
	for (size_t i = 0; i < 12000; i++) {
		wchar_t c = cycle[i % 4];

		assert_int_equal(ed_apply(&ed, ED_INSERT, c), 0);
		bytes += i % 4 + 1;
	}
	assert_true(ed.cap > 12000);
	assert_int_equal(ed_utf8_len(&ed), bytes);
	out = malloc(bytes + 1);
	assert_non_null(out);
	assert_int_equal(ed_get_utf8(&ed, out, bytes + 1), bytes);
	for (size_t i = 0, p = 0; i < 12000; i++) {
		static const char *const enc[] = {"a", "ø", "王", "😀"};

		assert_memory_equal(out + p, enc[i % 4], i % 4 + 1);
		p += i % 4 + 1;
	}
	free(out);

	/* A whole note at the limit, and one byte over. */
	big = malloc(NOTE_MAX_BYTES + 1);
	assert_non_null(big);
	memset(big, 'n', NOTE_MAX_BYTES + 1);
	assert_int_equal(ed_set_utf8(&ed, big, NOTE_MAX_BYTES), 0);
	assert_int_equal(ed.len, NOTE_MAX_BYTES);
	assert_int_equal(ed_apply(&ed, ED_INSERT, L'n'), 1);
	assert_int_equal(ed_set_utf8(&ed, big, NOTE_MAX_BYTES + 1), -1);
	free(big);
	ed_free(&ed);
}

static void test_empty(void **state)
{
	static const enum ed_op ops[] = {
	    ED_BACKSPACE, ED_DELETE,    ED_LEFT,       ED_RIGHT,    ED_HOME,
	    ED_END,       ED_WORD_LEFT, ED_WORD_RIGHT, ED_KILL_EOL, ED_KILL_WORD_BACK,
	    ED_KILL_LINE, ED_UP,        ED_DOWN};
	struct editor ed;
	struct ed_view v;
	struct ed_row rows[3];
	int row, col;
	(void)state;

	for (int multi = 0; multi < 2; multi++) {
		init_ed(&ed, 4096, multi, NULL);
		for (size_t i = 0; i < sizeof ops / sizeof ops[0]; i++)
			assert_int_equal(ed_apply(&ed, ops[i], 0), 1);
		ed_view(&ed, 10, &v);
		assert_int_equal(v.start, 0);
		assert_int_equal(v.end, 0);
		assert_int_equal(v.cursor_col, 0);
		assert_int_equal(ed_view_lines(&ed, 10, 3, rows, &row, &col), 1);
		assert_int_equal(rows[0].start, 0);
		assert_int_equal(rows[0].end, 0);
		assert_int_equal(row, 0);
		assert_int_equal(col, 0);
		assert_int_equal(ed_view_lines(&ed, 0, 3, rows, &row, &col), 0);
		assert_text(&ed, "");
		assert_false(ed_changed(&ed));
		ed_free(&ed);
	}
}

/* ---- widths ---------------------------------------------------------------- */

static void test_text_width(void **state)
{
	(void)state;
	assert_int_equal(text_width(L"", 0), 0);
	assert_int_equal(text_width(L"Åse", 3), 3);
	assert_int_equal(text_width(L"王小明", 3), 6);
	assert_int_equal(text_width(L"e\u0301", 2), 1);
	assert_int_equal(text_width(L"مُحَمَّد", 8), 4);
	assert_int_equal(text_width(L"ሰላም", 3), 3);
	assert_int_equal(text_width(L"a\x01\x02", 3), 3); /* shown as replacements */
	assert_int_equal(text_width(L"王小明", 2), 4);    /* only n characters */
}

/* The store lets a tab into a field (and a CR before a note's '\n'): each
 * shows as one replacement column, and a mark after one stays its own cluster
 * rather than hide in the replacement. */
static void test_stored_controls(void **state)
{
	struct editor ed;
	struct ed_view v;
	int used;
	(void)state;

	init_ed(&ed, 4096, false, "a\tb");
	ed_view(&ed, 10, &v);
	assert_int_equal(v.cursor_col, 3);
	repeat(&ed, ED_LEFT, 1);
	repeat(&ed, ED_BACKSPACE, 1);
	assert_text(&ed, "ab");
	assert_int_equal(ed_set_utf8(&ed, "\t\u0301b", 4), 0);
	assert_int_equal(text_width(ed.buf, ed.len), 2);
	to_start(&ed);
	repeat(&ed, ED_RIGHT, 1);
	assert_int_equal(ed.cur, 1);
	repeat(&ed, ED_RIGHT, 1);
	assert_int_equal(ed.cur, 2);
	assert_int_equal(utf8_fit("\t\u0301b", 1, &used), 3);
	assert_int_equal(used, 1);
	ed_free(&ed);
}

/* Walk the cursor right to the end and back, checking the single-line view at
 * every position: the cursor is on screen, its whole cluster shows, the view
 * holds whole clusters only and as many as fit, and, where there is text on
 * that side, a margin of text shows beside the cursor. */
static void walk_view(struct editor *ed, int width)
{
	int margin = (width - 1) / 4 > 8 ? 8 : (width - 1) / 4;
	struct ed_view v;

	to_start(ed);
	for (int dir = 0; dir < 2; dir++) {
		enum ed_op op = dir == 0 ? ED_RIGHT : ED_LEFT;

		do {
			int shown, col;

			ed_view(ed, width, &v);
			col = v.cursor_col;
			shown = text_width(ed->buf + v.start, v.end - v.start);
			assert_in_range(col, 0, width - 1);
			assert_true(v.start <= ed->cur && ed->cur <= v.end);
			assert_true(ed->cur < v.end || ed->cur == ed->len);
			assert_int_equal(col, text_width(ed->buf + v.start, ed->cur - v.start));
			assert_true(shown <= width);
			assert_true(boundary(ed, v.start) && boundary(ed, v.end));
			assert_int_equal(ed->scroll, v.start);
			if (v.end < ed->len) {
				size_t n = v.end + 1;

				while (n < ed->len && wcwidth(ed->buf[n]) == 0)
					n++;
				assert_true(shown + text_width(ed->buf + v.end, n - v.end) > width);
			}
			if (v.start > 0)
				assert_true(col >= margin - 1); /* a wide char may take one less */
			if (ed->cur < ed->len && v.end < ed->len)
				assert_true(text_width(ed->buf + ed->cur, v.end - ed->cur) >=
				            margin);
		} while (ed_apply(ed, op, 0) == 0);
	}
}

static void test_scroll_cyrillic(void **state)
{
	wchar_t text[41];
	struct editor ed;
	struct ed_view v;
	(void)state;

	for (int i = 0; i < 40; i++)
		text[i] = i % 7 == 6 ? L' ' : (wchar_t)(L'А' + i % 32);
	text[40] = 0;
	init_ed(&ed, 4096, false, NULL);
	type(&ed, text);
	assert_int_equal(ed_utf8_len(&ed), 40 + 35); /* 35 two-byte letters */
	walk_view(&ed, 10);

	/* At the end: nine letters and the cursor's cell; the margin is 2. */
	repeat(&ed, ED_END, 1);
	ed_view(&ed, 10, &v);
	assert_int_equal(v.start, 31);
	assert_int_equal(v.end, 40);
	assert_int_equal(v.cursor_col, 9);
	/* Walking left scrolls only once the cursor is 2 columns from the edge. */
	repeat(&ed, ED_LEFT, 7);
	ed_view(&ed, 10, &v);
	assert_int_equal(v.start, 31);
	assert_int_equal(v.cursor_col, 2);
	repeat(&ed, ED_LEFT, 1);
	ed_view(&ed, 10, &v);
	assert_int_equal(v.start, 30);
	assert_int_equal(v.cursor_col, 2);

	/* Deleting at the end brings hidden text back instead of leaving a gap. */
	repeat(&ed, ED_END, 1);
	ed_view(&ed, 10, &v);
	repeat(&ed, ED_BACKSPACE, 5);
	ed_view(&ed, 10, &v);
	assert_int_equal(v.start, 26);
	assert_int_equal(v.cursor_col, 9);

	for (int w = 1; w <= 45; w++)
		walk_view(&ed, w);
	ed_free(&ed);
}

static void test_scroll_cjk(void **state)
{
	struct editor ed;
	struct ed_view v;
	(void)state;

	init_ed(&ed, 4096, false, CJK);
	walk_view(&ed, 5);
	/* Every view in 5 columns shows two wide characters, never two and a half. */
	to_start(&ed);
	do {
		ed_view(&ed, 5, &v);
		assert_int_equal(text_width(ed.buf + v.start, v.end - v.start), 4);
		assert_true(v.cursor_col % 2 == 0);
	} while (ed_apply(&ed, ED_RIGHT, 0) == 0);
	/* At the end: 小明 and the cursor's cell. */
	ed_view(&ed, 5, &v);
	assert_int_equal(v.start, 4);
	assert_int_equal(v.cursor_col, 4);

	for (int w = 2; w <= 14; w++)
		walk_view(&ed, w);

	/* One column cannot hold a wide character: nothing shows, nothing is cut. */
	to_start(&ed);
	ed_view(&ed, 1, &v);
	assert_int_equal(v.start, v.end);
	assert_int_equal(v.cursor_col, 0);
	ed_free(&ed);
}

static void test_arabic_harakat(void **state)
{
	/* م ُ | ح َ | م َ ّ | د | space | ع َ | ل ِ | ي: 8 clusters, 14 wchars. */
	static const size_t stops[] = {0, 2, 4, 7, 8, 9, 11, 13, 14};
	struct editor ed;
	(void)state;

	init_ed(&ed, 4096, false, ARABIC);
	assert_int_equal(ed.len, 14);
	assert_int_equal(text_width(ed.buf, ed.len), 8);
	repeat(&ed, ED_HOME, 1);
	for (size_t i = 1; i < 9; i++) {
		assert_int_equal(ed_apply(&ed, ED_RIGHT, 0), 0);
		assert_int_equal(ed.cur, stops[i]);
	}
	for (size_t i = 8; i-- > 0;) {
		assert_int_equal(ed_apply(&ed, ED_LEFT, 0), 0);
		assert_int_equal(ed.cur, stops[i]);
	}
	/* Harakat are part of the word. */
	repeat(&ed, ED_WORD_RIGHT, 1);
	assert_int_equal(ed.cur, 8);
	repeat(&ed, ED_END, 1);
	repeat(&ed, ED_WORD_LEFT, 1);
	assert_int_equal(ed.cur, 9);
	/* Backspace after مَّ takes the letter, shadda and fatha at once. */
	repeat(&ed, ED_HOME, 1);
	repeat(&ed, ED_RIGHT, 3);
	repeat(&ed, ED_BACKSPACE, 1);
	assert_text(&ed, ARABIC_1 ARABIC_2);
	/* A haraka typed after a letter joins it. */
	type(&ed, L"م\u064e");
	assert_text(&ed, ARABIC_1 "\u0645\u064e" ARABIC_2);
	repeat(&ed, ED_LEFT, 1);
	assert_int_equal(ed.cur, 4);
	for (int w = 1; w <= 10; w++)
		walk_view(&ed, w);
	ed_free(&ed);
}

static void test_tigrinya(void **state)
{
	struct editor ed;
	(void)state;

	init_ed(&ed, 4096, false, TIGRINYA);
	assert_int_equal(ed.len, 8);
	assert_int_equal(ed_utf8_len(&ed), 7 * 3 + 1);
	assert_int_equal(text_width(ed.buf, ed.len), 8);
	repeat(&ed, ED_WORD_LEFT, 1);
	assert_int_equal(ed.cur, 4);
	repeat(&ed, ED_WORD_LEFT, 1);
	assert_int_equal(ed.cur, 0);
	repeat(&ed, ED_WORD_RIGHT, 1);
	assert_int_equal(ed.cur, 3);
	repeat(&ed, ED_DELETE, 1);
	assert_text(&ed, "ሰላምትግርኛ");
	repeat(&ed, ED_KILL_WORD_BACK, 1);
	assert_text(&ed, "ትግርኛ");
	for (int w = 1; w <= 6; w++)
		walk_view(&ed, w);

	/* The Ge'ez combining gemination mark U+135F stays with its syllable. */
	type(&ed, L"ሰ\u135f");
	repeat(&ed, ED_LEFT, 1);
	assert_int_equal(ed.cur, 0);
	repeat(&ed, ED_DELETE, 1);
	assert_text(&ed, "ትግርኛ");
	ed_free(&ed);
}

/* ---- the UTF-8 boundary ------------------------------------------------------ */

static void test_round_trip(void **state)
{
	char out[512];
	(void)state;

	for (size_t i = 0; i < sizeof samples / sizeof samples[0]; i++) {
		const char *s = samples[i];
		size_t n = strlen(s), wn = mbstowcs(NULL, s, 0);
		wchar_t *w = calloc(wn + 1, sizeof *w);
		struct editor ed;

		assert_non_null(w);
		assert_int_not_equal(wn, (size_t)-1);
		mbstowcs(w, s, wn + 1);

		/* Set and get. */
		init_ed(&ed, 4096, true, s);
		assert_int_equal(ed.len, wn);
		assert_memory_equal(ed.buf, w, wn * sizeof *w);
		assert_text(&ed, s);
		assert_false(ed_changed(&ed));
		/* Every smaller buffer: a prefix cut at a character boundary, as
		 * long as fits, and always the full length as the result. */
		for (size_t cap = 0; cap <= n + 1; cap++) {
			size_t got;

			memset(out, 'Z', sizeof out);
			assert_int_equal(ed_get_utf8(&ed, cap ? out : NULL, cap), n);
			if (cap == 0) {
				assert_int_equal(out[0], 'Z');
				continue;
			}
			got = strlen(out);
			assert_true(got < cap);
			assert_memory_equal(out, s, got);
			assert_true((s[got] & 0xc0) != 0x80);
			if (got < n) {
				size_t next = 1;

				while ((s[got + next] & 0xc0) == 0x80)
					next++;
				assert_true(got + next >= cap);
			}
		}
		ed_free(&ed);

		/* Typed in one key at a time. */
		init_ed(&ed, 4096, true, NULL);
		type(&ed, w);
		assert_text(&ed, s);
		assert_true(ed_changed(&ed) == (n > 0));
		ed_free(&ed);
		free(w);
	}
}

static void test_utf8_fit(void **state)
{
	static const char *const texts[] = {
	    MIXED, DECOMPOSED, ARABIC, TIGRINYA, CJK, "a\xcc\x81\xcc\xa3 b", "\xcc\x81lone mark"};
	int used;
	(void)state;

	for (size_t t = 0; t < sizeof texts / sizeof texts[0]; t++) {
		const char *s = texts[t];
		size_t n = strlen(s), bounds[256], nb = 0;
		int cols[256], total;
		mbstate_t ps;

		/* Cluster boundaries and the columns up to each, found with
		 * mbrtowc and wcwidth: a boundary is where a character of
		 * non-zero width starts. */
		memset(&ps, 0, sizeof ps);
		total = 0;
		for (size_t i = 0; i < n;) {
			wchar_t c;
			size_t k = mbrtowc(&c, s + i, n - i, &ps);

			assert_true(k > 0 && k <= 4);
			if (i == 0 || wcwidth(c) != 0) {
				bounds[nb] = i;
				cols[nb++] = total;
			}
			total += wcwidth(c);
			i += k;
		}
		bounds[nb] = n;
		cols[nb++] = total;

		for (int w = 0; w <= total + 2; w++) {
			size_t got = utf8_fit(s, w, &used), b = 0;

			while (b < nb && bounds[b] != got)
				b++;
			assert_true(b < nb); /* never inside a cluster */
			assert_int_equal(used, cols[b]);
			assert_true(used <= w);
			if (b + 1 < nb)
				assert_true(cols[b + 1] > w); /* and as much as fits */
		}
	}

	assert_int_equal(utf8_fit("王x", 1, &used), 0); /* never half a wide char */
	assert_int_equal(used, 0);
	assert_int_equal(utf8_fit("王x", 3, NULL), 4);
	assert_int_equal(utf8_fit("e\xcc\x81x", 1, &used), 3);
	assert_int_equal(used, 1);
	assert_int_equal(utf8_fit("a\xff\xfe!", 3, &used), 3); /* a bad byte: one column */
	assert_int_equal(used, 3);
	assert_int_equal(utf8_fit("\xe2\x82", 5, &used), 2); /* truncated: two bad bytes */
	assert_int_equal(utf8_fit("abc", -1, &used), 0);
	assert_int_equal(used, 0);
	assert_int_equal(utf8_fit("", 5, &used), 0);
}

/* ---- multi-line ---------------------------------------------------------- */

static void line_col(const struct editor *ed, int *line, int *col)
{
	size_t s = 0;

	*line = 0;
	for (size_t i = 0; i < ed->cur; i++) {
		if (ed->buf[i] == L'\n') {
			(*line)++;
			s = i + 1;
		}
	}
	*col = text_width(ed->buf + s, ed->cur - s);
}

static void assert_at(const struct editor *ed, int line, int col)
{
	int l, c;

	line_col(ed, &l, &c);
	assert_int_equal(l, line);
	assert_int_equal(c, col);
}

static void test_multiline_newline(void **state)
{
	struct editor ed;
	(void)state;

	init_ed(&ed, 4096, true, NULL);
	type(&ed, L"ab");
	assert_int_equal(ed_apply(&ed, ED_NEWLINE, 0), 0);
	type(&ed, L"cd");
	assert_text(&ed, "ab\ncd");
	assert_at(&ed, 1, 2);
	assert_int_equal(ed_apply(&ed, ED_INSERT, L'\n'), 1); /* only through ED_NEWLINE */
	repeat(&ed, ED_HOME, 1);
	assert_int_equal(ed.cur, 3);
	repeat(&ed, ED_BACKSPACE, 1); /* joins the lines */
	assert_text(&ed, "abcd");
	assert_int_equal(ed.cur, 2);
	repeat(&ed, ED_NEWLINE, 1);
	repeat(&ed, ED_LEFT, 1);
	repeat(&ed, ED_DELETE, 1); /* so does delete at a line's end */
	assert_text(&ed, "abcd");
	/* A mark after a '\n' stands alone; deleting the '\n' joins it to the
	 * letter before, and the cursor moves past the joined cluster. */
	assert_int_equal(ed_set_utf8(&ed, "x\n\u0301y", 5), 0);
	repeat(&ed, ED_LEFT, 2);
	assert_int_equal(ed.cur, 2);
	repeat(&ed, ED_BACKSPACE, 1);
	assert_text(&ed, "x\u0301y");
	assert_int_equal(ed.cur, 2);
	repeat(&ed, ED_LEFT, 1);
	assert_int_equal(ed.cur, 0);
	/* Word moves cross lines. */
	assert_int_equal(ed_set_utf8(&ed, "one\ntwo", 7), 0);
	repeat(&ed, ED_WORD_LEFT, 2);
	assert_int_equal(ed.cur, 0);
	ed_free(&ed);
}

static void test_up_down(void **state)
{
	struct editor ed;
	(void)state;

	/* Lines of 4, 19, 1, 0 and 4 columns; the cursor starts at the end. */
	init_ed(&ed, 4096, true, MULTILINE);
	assert_at(&ed, 4, 4);
	repeat(&ed, ED_UP, 1);
	assert_at(&ed, 3, 0);
	repeat(&ed, ED_UP, 1);
	assert_at(&ed, 2, 1);
	repeat(&ed, ED_UP, 1);
	assert_at(&ed, 1, 4); /* back at the column the run of moves began in */
	repeat(&ed, ED_UP, 1);
	assert_at(&ed, 0, 4);
	assert_int_equal(ed_apply(&ed, ED_UP, 0), 1);
	assert_at(&ed, 0, 4);
	repeat(&ed, ED_DOWN, 1);
	assert_at(&ed, 1, 4);
	repeat(&ed, ED_END, 1); /* a new goal column */
	assert_at(&ed, 1, 19);
	repeat(&ed, ED_UP, 1);
	assert_at(&ed, 0, 4);
	repeat(&ed, ED_DOWN, 1);
	assert_at(&ed, 1, 19);
	repeat(&ed, ED_DOWN, 3);
	assert_at(&ed, 4, 4);
	assert_int_equal(ed_apply(&ed, ED_DOWN, 0), 1);
	ed_free(&ed);

	/* Wide characters: column 3 falls inside 小, so the cursor stops before it. */
	init_ed(&ed, 4096, true, "王小明\nabcdefg");
	repeat(&ed, ED_HOME, 1);
	repeat(&ed, ED_RIGHT, 3);
	repeat(&ed, ED_UP, 1);
	assert_at(&ed, 0, 2);
	assert_int_equal(ed.cur, 1);
	repeat(&ed, ED_DOWN, 1);
	assert_at(&ed, 1, 3);
	/* Combining marks: a column counts the cluster once. */
	assert_int_equal(ed_set_utf8(&ed, "Jose\xcc\x81 M\nabcdefgh", 17), 0);
	repeat(&ed, ED_HOME, 1);
	repeat(&ed, ED_RIGHT, 5);
	repeat(&ed, ED_UP, 1);
	assert_at(&ed, 0, 5);
	assert_int_equal(ed.cur, 6);
	ed_free(&ed);
}

static void assert_row(const struct ed_row *r, size_t start, size_t end)
{
	assert_int_equal(r->start, start);
	assert_int_equal(r->end, end);
}

static void test_soft_wrap(void **state)
{
	struct editor ed;
	struct ed_row rows[64];
	int n, row, col;
	(void)state;

	/* Width 10, broken after the last blank that fits:
	 *   "Olena "     [0,6)    ("Olena drar" fits, but the blank after it does not)
	 *   "drar til "  [6,15)
	 *   "Bergen i "  [15,24)
	 *   "morgen"     [24,30) */
	init_ed(&ed, 4096, true, "Olena drar til Bergen i morgen");
	n = ed_view_lines(&ed, 10, 8, rows, &row, &col);
	assert_int_equal(n, 4);
	assert_row(&rows[0], 0, 6);
	assert_row(&rows[1], 6, 15);
	assert_row(&rows[2], 15, 24);
	assert_row(&rows[3], 24, 30);
	assert_int_equal(row, 3);
	assert_int_equal(col, 6);

	/* Up and down now go by rows, keeping column 6 where the row has one. */
	repeat(&ed, ED_UP, 1);
	assert_int_equal(ed.cur, 21);
	repeat(&ed, ED_UP, 1);
	assert_int_equal(ed.cur, 12);
	repeat(&ed, ED_UP, 1);
	assert_int_equal(ed.cur, 5); /* 6 would show at the start of the next row */
	assert_int_equal(ed_apply(&ed, ED_UP, 0), 1);
	ed_view_lines(&ed, 10, 8, rows, &row, &col);
	assert_int_equal(row, 0);
	assert_int_equal(col, 5);
	repeat(&ed, ED_DOWN, 1);
	assert_int_equal(ed.cur, 12);

	/* Two rows high: the view follows the cursor. */
	repeat(&ed, ED_END, 1);
	n = ed_view_lines(&ed, 10, 2, rows, &row, &col);
	assert_int_equal(n, 2);
	assert_int_equal(ed.scroll, 2);
	assert_row(&rows[0], 15, 24);
	assert_int_equal(row, 1);
	repeat(&ed, ED_UP, 1);
	ed_view_lines(&ed, 10, 2, rows, &row, &col);
	assert_int_equal(ed.scroll, 2);
	assert_int_equal(row, 0);
	/* Three rows high, then a shorter text: the view moves up to stay full
	 * rather than leave a blank row under "Bergen i ". */
	repeat(&ed, ED_END, 1);
	ed_view_lines(&ed, 10, 3, rows, &row, &col);
	assert_int_equal(ed.scroll, 1);
	repeat(&ed, ED_KILL_WORD_BACK, 1);
	n = ed_view_lines(&ed, 10, 3, rows, &row, &col);
	assert_int_equal(n, 3);
	assert_int_equal(ed.scroll, 0);
	assert_int_equal(row, 2);
	assert_int_equal(col, 9);
	repeat(&ed, ED_HOME, 1);
	n = ed_view_lines(&ed, 10, 2, rows, &row, &col);
	assert_int_equal(ed.scroll, 0);
	assert_row(&rows[0], 0, 6);
	assert_int_equal(row, 0);
	assert_int_equal(col, 0);
	ed_free(&ed);

	/* A line that fills its row exactly gets an empty row for the cursor;
	 * a word longer than a row is broken between characters. */
	init_ed(&ed, 4096, true, "abcde\nfghijklm");
	n = ed_view_lines(&ed, 5, 8, rows, &row, &col);
	assert_int_equal(n, 4);
	assert_row(&rows[0], 0, 5);
	assert_row(&rows[1], 5, 5);
	assert_row(&rows[2], 6, 11);
	assert_row(&rows[3], 11, 14);
	assert_int_equal(row, 3);
	assert_int_equal(col, 3);
	repeat(&ed, ED_UP, 2);
	assert_int_equal(ed.cur, 5);
	ed_view_lines(&ed, 5, 8, rows, &row, &col);
	assert_int_equal(row, 1);
	assert_int_equal(col, 0);
	repeat(&ed, ED_DOWN, 1);
	assert_int_equal(ed.cur, 9); /* column 3 again, the goal of this run of moves */
	ed_free(&ed);

	/* Wide characters wrap whole: 5 columns hold two of them. */
	init_ed(&ed, 4096, true, CJK "\n\n" ARABIC);
	n = ed_view_lines(&ed, 5, 8, rows, &row, &col);
	assert_int_equal(n, 6);
	assert_row(&rows[0], 0, 2);
	assert_row(&rows[1], 2, 4);
	assert_row(&rows[2], 4, 6);
	assert_row(&rows[3], 7, 7);
	assert_row(&rows[4], 8, 17); /* مُحَمَّد and the blank: 5 columns */
	assert_row(&rows[5], 17, 22);
	assert_int_equal(row, 5);
	assert_int_equal(col, 3);
	for (int i = 0; i < n; i++)
		assert_true(text_width(ed.buf + rows[i].start, rows[i].end - rows[i].start) <= 5);
	/* Every position shows on exactly one row, inside the width. */
	for (int w = 1; w <= 12; w++) {
		to_start(&ed);
		do {
			n = ed_view_lines(&ed, w, 40, rows, &row, &col);
			assert_in_range(row, 0, n - 1);
			assert_true(rows[row].start <= ed.cur && ed.cur <= rows[row].end);
			assert_int_equal(
			    col, text_width(ed.buf + rows[row].start, ed.cur - rows[row].start));
			assert_true(col < w);
		} while (ed_apply(&ed, ED_RIGHT, 0) == 0);
	}
	ed_free(&ed);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_insert_delete_positions),
	    cmocka_unit_test(test_backspace_combining),
	    cmocka_unit_test(test_word_moves),
	    cmocka_unit_test(test_kill_eol),
	    cmocka_unit_test(test_kill_word_back),
	    cmocka_unit_test(test_kill_line),
	    cmocka_unit_test(test_home_end),
	    cmocka_unit_test(test_maxbytes_two_byte),
	    cmocka_unit_test(test_maxbytes_three_byte),
	    cmocka_unit_test(test_control_refused),
	    cmocka_unit_test(test_invalid_utf8_refused),
	    cmocka_unit_test(test_changed),
	    cmocka_unit_test(test_growth),
	    cmocka_unit_test(test_empty),
	    cmocka_unit_test(test_text_width),
	    cmocka_unit_test(test_stored_controls),
	    cmocka_unit_test(test_scroll_cyrillic),
	    cmocka_unit_test(test_scroll_cjk),
	    cmocka_unit_test(test_arabic_harakat),
	    cmocka_unit_test(test_tigrinya),
	    cmocka_unit_test(test_round_trip),
	    cmocka_unit_test(test_utf8_fit),
	    cmocka_unit_test(test_multiline_newline),
	    cmocka_unit_test(test_up_down),
	    cmocka_unit_test(test_soft_wrap),
	    cmocka_unit_test(test_bidi_and_tags_not_text),
	};

	/* Widths and letter classes come from the locale, as in the program. */
	if (!setlocale(LC_ALL, "C.UTF-8")) {
		fprintf(stderr, "test_editor: no C.UTF-8 locale\n");
		return 1;
	}
	if (keys_init() != KEYS_OK)
		return 1;
	return cmocka_run_group_tests_name("editor", tests, NULL, NULL);
}
