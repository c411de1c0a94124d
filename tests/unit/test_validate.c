/* Tests for store/validate.c. Every national id here is computed in the test
 * from a birth date and an individual number, never copied from a person. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <limits.h>
#include <stdio.h>
#include <string.h>

#include "store/store.h"
#include "store/validate.h"

#define OK(expr)  assert_null(expr)
#define BAD(expr) assert_non_null(expr)

/* ---- UTF-8 text ----------------------------------------------------------- */

static const char *text(const char *s, bool multiline)
{
	return valid_utf8_text(s, strlen(s), multiline);
}

static void test_utf8_valid(void **state)
{
	(void)state;
	OK(text("", false));
	OK(text("plain ASCII", false));
	OK(text("Ødegård, Ås", false));
	OK(text("Олена Шевченко", false));
	OK(text("محمد", false));
	OK(text("ተስፋይ", false));
	OK(text("tab\tseparated", true));    /* single-line: test_text_tab */
	OK(text("\xF0\x9F\x98\x80", false)); /* U+1F600, 4 bytes */
	OK(text("\xF4\x8F\xBF\xBF", false)); /* U+10FFFF, the last code point */
	OK(text("\xEF\xBF\xBD", false));     /* U+FFFD */
	OK(text("\xED\x9F\xBF", false));     /* U+D7FF, just below the surrogates */
	OK(text("\xEE\x80\x80", false));     /* U+E000, just above them */
	OK(text("line one\nline two", true));
	OK(text("line one\r\nline two\r\n", true));
	OK(text("\xC2\xA0x", false)); /* U+00A0, first after C1 (alone: blank) */
}

static void test_utf8_invalid(void **state)
{
	(void)state;
	BAD(text("\xC0\x80", false));         /* overlong NUL */
	BAD(text("\xC1\xBF", false));         /* overlong */
	BAD(text("\xE0\x80\x80", false));     /* overlong 3-byte */
	BAD(text("\xE0\x9F\xBF", false));     /* overlong 3-byte */
	BAD(text("\xF0\x80\x80\x80", false)); /* overlong 4-byte */
	BAD(text("\xF0\x8F\xBF\xBD", false)); /* overlong 4-byte U+FFFD */
	BAD(text("\xF0\x80\x81\x81", false)); /* overlong 4-byte "A" */
	BAD(text("\xE0\x81\x81", false));     /* overlong 3-byte "A" */
	BAD(text("\xC0\xAF", false));         /* overlong "/" */
	BAD(text("\xED\xA0\x80", false));     /* U+D800 surrogate */
	BAD(text("\xED\xBF\xBF", false));     /* U+DFFF surrogate */
	BAD(text("\xF4\x90\x80\x80", false)); /* U+110000 */
	BAD(text("\xF5\x80\x80\x80", false));
	BAD(text("\xFF", false));
	BAD(text("\x80", false));         /* lone continuation */
	BAD(text("ab\xC3", false));       /* truncated */
	BAD(text("\xE2\x82", false));     /* truncated */
	BAD(text("\xC3\x28", false));     /* bad continuation */
	BAD(text("\xC2\x80", false));     /* U+0080, C1 */
	BAD(text("\xC2\x9F", false));     /* U+009F, C1 */
	BAD(text("\xEF\xBF\xBE", false)); /* U+FFFE */
	BAD(text("\xEF\xBF\xBF", false)); /* U+FFFF */
	BAD(text("bell\a", false));
	BAD(text("esc\x1b[31m", true));
	BAD(text("del\x7f", false));
	BAD(text("two\nlines", false));
	BAD(text("two\r\nlines", false));
	BAD(text("lone\rcr", false));
	BAD(text("lone\rcr", true));
	BAD(text("trailing cr\r", true));
	BAD(text("vt\v", true));
}

static void test_utf8_length_bounded(void **state)
{
	(void)state;
	/* An embedded NUL inside len is refused; text after len is not read. */
	assert_string_equal(valid_utf8_text("a\0b", 3, false), "contains a NUL byte");
	assert_null(valid_utf8_text("ab\x01", 2, false));
	/* A sequence cut by len is invalid even if the bytes after it would finish it. */
	assert_non_null(valid_utf8_text("\xC3\xB8", 1, false));
	assert_null(valid_utf8_text(NULL, 0, true));
}

/* ---- what each kind of text may hold (issue 7, finding 2) -------------- */

static void test_text_controls_named(void **state)
{
	(void)state;
	/* The message names the field's problem and the character, never the value. */
	assert_string_equal(text("esc\x1b[2J", true), "contains a control character (U+001B)");
	assert_string_equal(text("bell\a", false), "contains a control character (U+0007)");
	assert_string_equal(text("del\x7f", true), "contains a control character (U+007F)");
	assert_string_equal(text("csi\xC2\x9B", true), "contains a control character (U+009B)");
	assert_string_equal(text("nel\xC2\x85", false), "contains a control character (U+0085)");
	assert_string_equal(text("lone\rcr", true), "contains a control character (U+000D)");
	assert_string_equal(text("a\xE2\x80\xA8"
	                         "b",
	                         true),
	                    "contains a line separator (U+2028)");
	assert_string_equal(text("a\xE2\x80\xA9"
	                         "b",
	                         true),
	                    "contains a paragraph separator (U+2029)");
	assert_string_equal(text("a\xE2\x80\xA8"
	                         "b",
	                         false),
	                    "must be a single line");
}

static void test_text_bidi_refused(void **state)
{
	static const char *const bidi[] = {
	    "\xE2\x80\xAA", "\xE2\x80\xAB", "\xE2\x80\xAC", "\xE2\x80\xAD", "\xE2\x80\xAE",
	    "\xE2\x81\xA6", "\xE2\x81\xA7", "\xE2\x81\xA8", "\xE2\x81\xA9",
	};
	char buf[32];

	(void)state;
	for (size_t i = 0; i < sizeof bidi / sizeof bidi[0]; i++) {
		for (int multiline = 0; multiline <= 1; multiline++) {
			snprintf(buf, sizeof buf, "abc%sdef", bidi[i]);
			const char *msg = text(buf, multiline);
			assert_non_null(msg);
			assert_non_null(strstr(msg, "bidirectional control character (U+20"));
		}
	}
	assert_string_equal(text("\xE2\x80\xAE"
	                         "fdp.exe",
	                         false),
	                    "contains a bidirectional control character (U+202E)");
	assert_string_equal(text("x\xE2\x81\xA9", true),
	                    "contains a bidirectional control character (U+2069)");
	BAD(text("x\xE2\x81\xAA", true)); /* U+206A, deprecated format character */
	BAD(text("x\xEF\xBF\xB9", true)); /* U+FFF9, interlinear annotation */
	/* The marks reorder nothing and mixed-direction text needs them. */
	OK(text("Oslo \xE2\x80\x8F"
	        "محمد",
	        false)); /* RLM */
	OK(text("\xE2\x80\x8E"
	        "abc",
	        false)); /* LRM */
	OK(text("\xD8\x9C"
	        "abc",
	        false)); /* ALM */
}

static void test_text_tags_refused(void **state)
{
	(void)state;
	/* "hi" spelt in invisible tag characters after a visible word. */
	assert_string_equal(text("ok\xF3\xA0\x81\xA8\xF3\xA0\x81\xA9", false),
	                    "contains a tag character (U+E0068)");
	assert_string_equal(text("\xF3\xA0\x80\x81", true), "contains a tag character (U+E0001)");
	assert_string_equal(text("x\xF3\xA0\x81\xBF", true), "contains a tag character (U+E007F)");
	OK(text("\xE8\x91\x9B\xF3\xA0\x84\x80", false)); /* U+E0100, an ideographic variant */
}

static void test_text_blank_refused(void **state)
{
	static const char *const blank[] = {
	    "\xE3\x85\xA4",               /* U+3164 Hangul filler */
	    "\xE1\x85\x9F",               /* U+115F */
	    "\xE1\x85\xA0",               /* U+1160 */
	    "\xEF\xBE\xA0",               /* U+FFA0 */
	    "\xE2\xA0\x80",               /* U+2800 Braille blank */
	    "\xE2\x80\x8B",               /* U+200B zero-width space */
	    "\xE2\x80\x8C",               /* U+200C ZWNJ alone */
	    "\xE2\x80\x8D",               /* U+200D ZWJ alone */
	    "\xE2\x81\xA0",               /* U+2060 word joiner */
	    "\xEF\xBB\xBF",               /* U+FEFF */
	    "\xC2\xA0",                   /* no-break space */
	    "\xE3\x80\x80",               /* ideographic space */
	    "\xC2\xAD",                   /* soft hyphen */
	    "\xE2\x80\x8F",               /* RLM alone */
	    "\xE1\xA0\x8E",               /* U+180E */
	    "\xEF\xB8\x8F",               /* variation selector 16 alone */
	    " \xE3\x85\xA4 \xE2\x80\x8B", /* a mixture */
	};

	(void)state;
	for (size_t i = 0; i < sizeof blank / sizeof blank[0]; i++) {
		assert_string_equal(
		    text(blank[i], false),
		    "must not be blank: it holds only spaces or invisible characters");
		BAD(text(blank[i], true));
	}
	BAD(text("\xE3\x85\xA4\n\t\xE3\x85\xA4", true));
	OK(text("", false)); /* empty is no value, not a blank one */
	/* Inside text, where scripts need them, the invisible ones are fine. */
	OK(text("محمد\xE2\x80\x8Cرضا", false)); /* ZWNJ in Persian */
	OK(text("क्\xE2\x80\x8D"
	        "ष",
	        false));                                         /* ZWJ in Devanagari */
	OK(text("\xE0\xB8\x81\xE2\x80\x8B\xE0\xB8\x82", false)); /* ZWSP in Thai */
	OK(text("\xE2\x9D\xA4\xEF\xB8\x8F", false));             /* a heart and VS16 */
	OK(text("Storgata 5\xC2\xA0"
	        "B",
	        false)); /* NBSP between words */
}

static void test_text_tab(void **state)
{
	(void)state;
	assert_string_equal(text("tab\tseparated", false), "contains a tab");
	OK(text("tab\tseparated", true));
	OK(text("line\n\tindented", true));
}

/* Names are single-line text and more: no invisible character but ZWNJ and
 * ZWJ inside, nothing that looks like a space but the space. */
static void test_name_invisible_refused(void **state)
{
	static const char *const bad[] = {
	    "Kari\xE3\x85\xA4Nordmann", /* U+3164 between the names */
	    "\xE3\x85\xA4Kari",         /* U+3164 in front */
	    "Kari\xE3\x85\xA4",         /* U+3164 behind: "Kari " */
	    "Kari\xE1\x85\x9F",         /* U+115F */
	    "Kari\xEF\xBE\xA0",         /* U+FFA0 */
	    "Kari\xE2\x80\x8B"
	    "Nordmann",                 /* ZWSP */
	    "Kari\xE2\x81\xA0",         /* word joiner */
	    "Kari\xC2\xA0Nordmann",     /* NBSP */
	    "Kari\xE3\x80\x80Nordmann", /* ideographic space */
	    "Kari\xC2\xAD",             /* soft hyphen */
	    "Kari\xE2\x80\x8F",         /* RLM */
	    "Kari\xCD\x8F",             /* combining grapheme joiner */
	};
	const char *msg = "contains an invisible character or a space other than the plain space";

	(void)state;
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		if (!valid_name(bad[i]) || strcmp(valid_name(bad[i]), msg) != 0)
			fail_msg("name %zu: %s", i,
			         valid_name(bad[i]) ? valid_name(bad[i]) : "accepted");
	}
	BAD(valid_name("\xE3\x85\xA4"));
	OK(valid_name("محمد\xE2\x80\x8Cرضا")); /* ZWNJ inside a Persian name */
	OK(valid_name("क्\xE2\x80\x8D"
	              "षा"));             /* ZWJ inside a Devanagari name */
	OK(valid_name("葛\xEF\xB8\x80")); /* a variation selector */
	OK(valid_name("김민준"));
}

/* ---- dates ---------------------------------------------------------------- */

static void test_date_valid(void **state)
{
	(void)state;
	OK(valid_date("2024-02-29"));
	OK(valid_date("2000-02-29"));
	OK(valid_date("1900-01-01"));
	OK(valid_date("2199-12-31"));
	OK(valid_date("2023-12-31"));
	OK(valid_date("1996-02-29"));
	OK(valid_date("2023-04-30"));
}

static void test_date_invalid(void **state)
{
	(void)state;
	BAD(valid_date("2023-02-30"));
	BAD(valid_date("2023-02-29"));
	BAD(valid_date("1900-02-29"));
	BAD(valid_date("2100-02-29"));
	BAD(valid_date("2023-04-31"));
	BAD(valid_date("2023-00-10"));
	BAD(valid_date("2023-13-01"));
	BAD(valid_date("2023-01-00"));
	BAD(valid_date("2023-01-32"));
	BAD(valid_date("1899-12-31"));
	BAD(valid_date("2200-01-01"));
	BAD(valid_date("0000-01-01"));
	BAD(valid_date(""));
	BAD(valid_date("2023-2-3"));
	BAD(valid_date("2023/02/03"));
	BAD(valid_date("20230203"));
	BAD(valid_date("03.02.2023"));
	BAD(valid_date("2023-02-03 "));
	BAD(valid_date("2023-02-03T00:00"));
	BAD(valid_date("+023-02-03"));
	BAD(valid_date("2023-0a-03"));
	BAD(valid_date("2023-02--3"));
}

static void test_date_days_known(void **state)
{
	(void)state;
	assert_int_equal(date_days("1970-01-01"), 0);
	assert_int_equal(date_days("1969-12-31"), -1);
	assert_int_equal(date_days("1970-01-02"), 1);
	assert_int_equal(date_days("2000-03-01"), 11017);
	assert_int_equal(date_days("2024-02-29"), 19782);
	assert_int_equal(date_days("1900-01-01"), -25567);
	assert_int_equal(date_days("2199-12-31"), 84005);
	assert_true(date_days("2023-02-30") == LONG_MIN);
	assert_true(date_days("nonsense") == LONG_MIN);
}

static const int month_days[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};

static bool leap(int y)
{
	return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

/* Walk every day of the accepted range: each must validate and be exactly one
 * day after the one before; the day after each month's last must not. */
static void test_date_days_every_day(void **state)
{
	(void)state;
	long prev = date_days("1900-01-01") - 1;
	char buf[48];
	int count = 0;

	for (int y = 1900; y <= 2199; y++) {
		for (int m = 1; m <= 12; m++) {
			int dim = month_days[m - 1] + (m == 2 && leap(y));

			for (int d = 1; d <= dim; d++) {
				snprintf(buf, sizeof buf, "%04d-%02d-%02d", y, m, d);
				assert_null(valid_date(buf));
				assert_int_equal(date_days(buf), prev + 1);
				prev++;
				count++;
			}
			snprintf(buf, sizeof buf, "%04d-%02d-%02d", y, m, dim + 1);
			assert_non_null(valid_date(buf));
		}
	}
	assert_int_equal(count, 300 * 365 + 73); /* 73 leap years: 1904..2196 less 2100 */
}

/* ---- national identity numbers -------------------------------------------- */

/* Build an 11-digit number from its parts; false if no check digits exist. */
static bool make_nid(int day, int month, int yy, int ind, char out[12])
{
	char nine[64];

	assert_int_equal(snprintf(nine, sizeof nine, "%02d%02d%02d%03d", day, month, yy, ind), 9);
	memcpy(out, nine, 9);
	out[11] = '\0';
	return national_id_check_digits(nine, 0, out + 9) == 0;
}

/* The first individual number in [lo, hi] for which check digits exist. */
static int find_nid(int day, int month, int yy, int lo, int hi, char out[12])
{
	for (int ind = lo; ind <= hi; ind++)
		if (make_nid(day, month, yy, ind, out))
			return ind;
	fail_msg("no individual number in %d..%d has check digits", lo, hi);
	return -1;
}

static void test_nid_check_digits_known(void **state)
{
	(void)state;
	char k[2];

	/* Reference values from an independent implementation. */
	assert_int_equal(national_id_check_digits("150385123", 0, k), 0);
	assert_memory_equal(k, "63", 2);
	assert_int_equal(national_id_check_digits("150385124", 0, k), 0);
	assert_memory_equal(k, "44", 2);
	assert_int_equal(national_id_check_digits("010100500", 0, k), 0);
	assert_memory_equal(k, "53", 2);
	assert_int_equal(national_id_check_digits("550385123", 0, k), 0);
	assert_memory_equal(k, "57", 2);
	assert_int_equal(national_id_check_digits("311299999", 0, k), -1);
	assert_int_equal(national_id_check_digits("15038512x", 0, k), -1);

	OK(valid_national_id("15038512363"));
	OK(valid_national_id("15038512444"));
	OK(valid_national_id("01010050053")); /* 2000-01-01 */
	OK(valid_national_id("55038512357")); /* D-number, 1985-03-15 */
	OK(valid_national_id("01016012315"));
}

/* Some nine-digit prefixes have no check digit (the remainder gives 10);
 * the function must say so, and about a tenth of prefixes should. */
static void test_nid_check_digits_none(void **state)
{
	(void)state;
	int none = 0;
	char out[12];

	for (int ind = 0; ind < 1000; ind++)
		if (!make_nid(15, 3, 85, ind, out))
			none++;
	assert_true(none > 100 && none < 250);
}

static void test_nid_centuries(void **state)
{
	(void)state;
	char n[12];

	/* 000-499: 1900-1999 */
	find_nid(15, 3, 85, 0, 499, n);
	OK(valid_national_id(n));
	assert_false(national_id_is_d_number(n));
	find_nid(1, 1, 0, 0, 499, n); /* 1900-01-01 */
	OK(valid_national_id(n));
	/* 500-749 with 54-99: 1854-1899 */
	find_nid(12, 6, 60, 500, 749, n);
	OK(valid_national_id(n));
	/* 500-999 with 00-39: 2000-2039 */
	find_nid(24, 12, 22, 500, 999, n);
	OK(valid_national_id(n));
	find_nid(24, 12, 39, 900, 999, n);
	OK(valid_national_id(n));
	/* 900-999 with 40-99: 1940-1999 */
	find_nid(7, 7, 45, 900, 999, n);
	OK(valid_national_id(n));
	/* 500-749 with 40-53 fits no century */
	find_nid(7, 7, 45, 500, 749, n);
	BAD(valid_national_id(n));
	/* 750-899 with 40-99 fits no century */
	find_nid(7, 7, 45, 750, 899, n);
	BAD(valid_national_id(n));
	find_nid(7, 7, 99, 750, 899, n);
	BAD(valid_national_id(n));
	find_nid(7, 7, 99, 850, 899, n);
	BAD(valid_national_id(n));
	find_nid(7, 7, 40, 880, 899, n);
	BAD(valid_national_id(n));
	/* the 1800s start at 54 */
	find_nid(7, 7, 53, 500, 749, n);
	BAD(valid_national_id(n));
	find_nid(7, 7, 50, 700, 749, n);
	BAD(valid_national_id(n));
	find_nid(7, 7, 54, 700, 749, n);
	OK(valid_national_id(n));
	/* ...but 750-899 with 00-39 is 2000-2039 */
	find_nid(7, 7, 10, 750, 899, n);
	OK(valid_national_id(n));
}

/* 29 February exists in 2000 but not in 1900: only the century from the
 * individual number tells the two apart. */
static void test_nid_leap_years(void **state)
{
	(void)state;
	char n[12];

	find_nid(29, 2, 0, 500, 999, n);
	OK(valid_national_id(n));
	find_nid(29, 2, 0, 0, 499, n);
	BAD(valid_national_id(n));
	find_nid(29, 2, 24, 500, 999, n);
	OK(valid_national_id(n));
	find_nid(29, 2, 23, 500, 999, n);
	BAD(valid_national_id(n));
	find_nid(29, 2, 96, 0, 499, n);
	OK(valid_national_id(n));
	find_nid(29, 2, 96, 900, 999, n);
	OK(valid_national_id(n));
	find_nid(29, 2, 96, 500, 749, n); /* 1896 */
	OK(valid_national_id(n));
	find_nid(31, 4, 85, 0, 499, n);
	BAD(valid_national_id(n));
	find_nid(30, 4, 85, 0, 499, n);
	OK(valid_national_id(n));
}

static void test_nid_bad_dates(void **state)
{
	(void)state;
	char n[12];

	find_nid(0, 3, 85, 0, 499, n);
	BAD(valid_national_id(n));
	find_nid(32, 3, 85, 0, 499, n);
	BAD(valid_national_id(n));
	find_nid(40, 3, 85, 0, 499, n);
	BAD(valid_national_id(n));
	find_nid(15, 0, 85, 0, 499, n);
	BAD(valid_national_id(n));
	find_nid(15, 13, 85, 0, 499, n);
	BAD(valid_national_id(n));
	find_nid(15, 20, 85, 0, 499, n);
	BAD(valid_national_id(n));
}

static void test_nid_d_numbers(void **state)
{
	(void)state;
	char n[12];

	find_nid(41, 1, 90, 0, 499, n); /* 1 January */
	OK(valid_national_id(n));
	assert_true(national_id_is_d_number(n));
	find_nid(71, 1, 90, 0, 499, n); /* 31 January */
	OK(valid_national_id(n));
	assert_true(national_id_is_d_number(n));
	find_nid(71, 4, 90, 0, 499, n); /* 31 April */
	BAD(valid_national_id(n));
	find_nid(72, 1, 90, 0, 499, n);
	BAD(valid_national_id(n));
	find_nid(69, 2, 0, 500, 999, n); /* 29 February 2000 */
	OK(valid_national_id(n));
	find_nid(69, 2, 0, 0, 499, n); /* 29 February 1900 */
	BAD(valid_national_id(n));
	assert_false(national_id_is_d_number("3101901234"));
	assert_false(national_id_is_d_number("8101901234x"));
	assert_false(national_id_is_d_number("81019012345"));
	assert_false(national_id_is_d_number("31019012345"));
	assert_true(national_id_is_d_number("41019012345")); /* the shape, not validity */
}

static void test_nid_h_and_synthetic_refused(void **state)
{
	(void)state;
	static const int months[] = {41, 43, 52, 81, 83, 92};
	char n[12];

	/* With valid check digits, so the refusal is for what the month says. */
	for (size_t i = 0; i < sizeof months / sizeof months[0]; i++) {
		find_nid(15, months[i], 85, 0, 499, n);
		assert_string_equal(valid_national_id(n),
		                    "H-numbers and synthetic test numbers are not accepted");
	}
	find_nid(55, 83, 85, 0, 499, n); /* synthetic D-number */
	BAD(valid_national_id(n));
	find_nid(15, 53, 85, 0, 499, n);
	BAD(valid_national_id(n));
	find_nid(15, 93, 85, 0, 499, n);
	BAD(valid_national_id(n));
}

/* Both check digits are mod 11 with weights coprime to 11, so every single
 * digit error and every swap of two different digits among the first nine
 * must be caught. */
static void test_nid_single_digit_errors(void **state)
{
	(void)state;
	static const int parts[][4] = {
	    {15, 3, 85, 0}, {41, 1, 90, 0}, {29, 2, 0, 500}, {7, 7, 45, 900}, {12, 6, 60, 500},
	};

	for (size_t p = 0; p < sizeof parts / sizeof parts[0]; p++) {
		char n[12], m[12];

		int lo = parts[p][3];

		find_nid(parts[p][0], parts[p][1], parts[p][2], lo, lo == 900 ? 999 : lo + 499, n);
		assert_null(valid_national_id(n));
		for (int i = 0; i < 11; i++) {
			for (char d = '0'; d <= '9'; d++) {
				if (d == n[i])
					continue;
				memcpy(m, n, sizeof m);
				m[i] = d;
				assert_non_null(valid_national_id(m));
			}
		}
		for (int i = 0; i + 1 < 9; i++) {
			if (n[i] == n[i + 1])
				continue;
			memcpy(m, n, sizeof m);
			m[i] = n[i + 1];
			m[i + 1] = n[i];
			assert_non_null(valid_national_id(m));
		}
		/* The check digits swapped: fails unless they are equal. */
		memcpy(m, n, sizeof m);
		m[9] = n[10];
		m[10] = n[9];
		if (n[9] != n[10])
			assert_non_null(valid_national_id(m));
	}
}

static void test_nid_format(void **state)
{
	(void)state;
	BAD(valid_national_id(""));
	BAD(valid_national_id("1503851236"));
	BAD(valid_national_id("150385123630"));
	BAD(valid_national_id("150385 12363"));
	BAD(valid_national_id("15038512363 "));
	BAD(valid_national_id("1503851236a"));
	BAD(valid_national_id("15.03.85-12363"));
	BAD(valid_national_id("-5038512363"));
	assert_string_equal(valid_national_id("1503851236"), "must be 11 digits");
	assert_string_equal(valid_national_id("15038512364"), "check digit does not match");
}

/* Every single individual number of one date: the valid ones are exactly the
 * prefixes national_id_check_digits accepts. */
static void test_nid_agrees_with_check_digits(void **state)
{
	(void)state;
	char n[12];

	for (int ind = 0; ind < 500; ind++) {
		if (make_nid(31, 12, 99, ind, n))
			assert_null(valid_national_id(n));
		else
			assert_non_null(valid_national_id(n));
	}
}

/* ---- DUF, organisation numbers ------------------------------------------ */

static void test_duf(void **state)
{
	(void)state;
	OK(valid_duf("201912345678"));
	OK(valid_duf("000000000000"));
	BAD(valid_duf(""));
	BAD(valid_duf("20191234567"));
	BAD(valid_duf("2019123456789"));
	BAD(valid_duf("2019 1234 5678"));
	BAD(valid_duf("20191234567a"));
}

static void test_orgnr(void **state)
{
	(void)state;
	OK(valid_orgnr("974760673")); /* Brønnøysundregistrene */
	OK(valid_orgnr("923609016")); /* Equinor ASA */
	OK(valid_orgnr("984851006")); /* DNB Bank ASA */
	OK(valid_orgnr("958935420")); /* Oslo kommune: remainder 0, check digit 0 */
	OK(valid_orgnr("964338531")); /* Bergen kommune */
	BAD(valid_orgnr("974760674"));
	BAD(valid_orgnr("97476067"));
	BAD(valid_orgnr("9747606730"));
	BAD(valid_orgnr("974 760 673"));
	BAD(valid_orgnr("NO974760673"));
	BAD(valid_orgnr(""));

	/* Every single-digit error is caught. */
	char m[10];
	for (int i = 0; i < 9; i++) {
		for (char d = '0'; d <= '9'; d++) {
			memcpy(m, "974760673", sizeof m);
			if (m[i] == d)
				continue;
			m[i] = d;
			BAD(valid_orgnr(m));
		}
	}

	/* A prefix whose remainder is 1 has no check digit: all ten fail. */
	static const int w[8] = {3, 2, 7, 6, 5, 4, 3, 2};
	for (long p = 10000000;; p++) {
		char s[32];
		int sum = 0;

		snprintf(s, sizeof s, "%08ld0", p);
		for (int i = 0; i < 8; i++)
			sum += (s[i] - '0') * w[i];
		if (sum % 11 != 1)
			continue;
		for (char d = '0'; d <= '9'; d++) {
			s[8] = d;
			BAD(valid_orgnr(s));
		}
		break;
	}
}

/* ---- country and language codes ----------------------------------------- */

static int count_two_letter(const char *(*fn)(const char *), char first)
{
	char s[3] = {0};
	int n = 0;

	for (int a = 0; a < 26; a++) {
		for (int b = 0; b < 26; b++) {
			s[0] = (char)(first + a);
			s[1] = (char)(first + b);
			if (!fn(s))
				n++;
		}
	}
	return n;
}

static void test_country(void **state)
{
	(void)state;
	OK(valid_country("NO"));
	OK(valid_country("SE"));
	OK(valid_country("UA"));
	OK(valid_country("SY"));
	OK(valid_country("AF"));
	OK(valid_country("ER"));
	OK(valid_country("SO"));
	OK(valid_country("SS"));
	OK(valid_country("PS"));
	OK(valid_country("XK"));
	OK(valid_country("AD")); /* first in the table */
	OK(valid_country("ZW")); /* last */
	BAD(valid_country("no"));
	BAD(valid_country("No"));
	BAD(valid_country(""));
	BAD(valid_country("N"));
	BAD(valid_country("NOR"));
	BAD(valid_country("N0"));
	BAD(valid_country("AA"));
	BAD(valid_country("ZZ"));
	BAD(valid_country("UK")); /* reserved; the United Kingdom is GB */
	BAD(valid_country("EU"));
	BAD(valid_country("YU")); /* withdrawn */
	BAD(valid_country("AN")); /* withdrawn */
	BAD(valid_country("XX"));
	/* 249 assigned codes plus XK, and no lower-case form passes. */
	assert_int_equal(count_two_letter(valid_country, 'A'), 250);
	assert_int_equal(count_two_letter(valid_country, 'a'), 0);
}

/* The languages a unit serving Afghans, Eritreans, Somalis and Kurds writes
 * (issue 10): ISO 639-3 where there is no two-letter code, and BCP 47's
 * script and region subtags. */
static void test_language_tags(void **state)
{
	(void)state;
	OK(valid_language("prs")); /* Dari */
	OK(valid_language("ckb")); /* Sorani */
	OK(valid_language("kmr")); /* Kurmanji */
	OK(valid_language("ti"));
	OK(valid_language("so"));
	OK(valid_language("fa-AF"));
	OK(valid_language("prs-AF"));
	OK(valid_language("sr-Latn-RS"));
	OK(valid_language("zh-Hant"));
	OK(valid_language("es-419"));
	BAD(valid_language("ara"));   /* ar is the code to use */
	BAD(valid_language("fa-af")); /* not canonical: language_canonical first */
	BAD(valid_language("fa-XX"));
	BAD(valid_language("fa-Abcd"));
	BAD(valid_language("fa-AF-Latn"));
	BAD(valid_language("fa-AF-x"));
	BAD(valid_language("fa--AF"));
	BAD(valid_language("fa-"));
	BAD(valid_language("x-klingon"));
	BAD(valid_language("qqq"));
	BAD(valid_language("fa-12"));

	struct {
		const char *in, *out;
	} canon[] = {
	    {"FA-af", "fa-AF"},          {"ara", "ar"},       {"prs_af", "prs-AF"},
	    {"SR-latn-rs", "sr-Latn-RS"}, {"nob", "nb"},       {"prs", "prs"},
	    {"TIR-er", "ti-ER"},
	};
	for (size_t i = 0; i < sizeof canon / sizeof canon[0]; i++) {
		char buf[32];
		snprintf(buf, sizeof buf, "%s", canon[i].in);
		language_canonical(buf);
		assert_string_equal(buf, canon[i].out);
		OK(valid_language(buf));
	}

	/* Through the catalogue, as a CSV from a Norwegian unit types them. */
	char out[64];
	size_t len;
	OK(field_normalise(F_language, "fa-af", 5, out, sizeof out, &len));
	assert_string_equal(out, "fa-AF");
	OK(field_normalise(F_interpreter_language, "PRS", 3, out, sizeof out, &len));
	assert_string_equal(out, "prs");
	BAD(field_normalise(F_language, "farsi", 5, out, sizeof out, &len));

	/* By name, in either language, with a region as the screens show it. */
	OK(field_normalise(F_language, "dari", 4, out, sizeof out, &len));
	assert_string_equal(out, "prs");
	OK(field_normalise(F_language, "Central Kurdish", 15, out, sizeof out, &len));
	assert_string_equal(out, "ckb");
	const char *tag = "persisk (Afghanistan)";
	OK(field_normalise(F_language, tag, strlen(tag), out, sizeof out, &len));
	assert_string_equal(out, "fa-AF");
	char buf[64];
	assert_string_equal(field_display_name(F_language, "fa-AF", true, buf, sizeof buf),
	                    "persisk (Afghanistan)");
	assert_string_equal(field_display_name(F_language, "prs-AF", false, buf, sizeof buf),
	                    "Dari (Afghanistan)");
	assert_string_equal(field_display_name(F_language, "kmr", true, buf, sizeof buf), "kurmanji");
	/* A tag the names do not cover is shown as it is. */
	assert_string_equal(field_display_name(F_language, "sr-Latn-RS", true, buf, sizeof buf),
	                    "sr-Latn-RS");
}

static void test_language(void **state)
{
	(void)state;
	OK(valid_language("nb"));
	OK(valid_language("nn"));
	OK(valid_language("no"));
	OK(valid_language("se")); /* Northern Sámi */
	OK(valid_language("uk"));
	OK(valid_language("ar"));
	OK(valid_language("fa"));
	OK(valid_language("ti"));
	OK(valid_language("so"));
	OK(valid_language("ru"));
	OK(valid_language("en"));
	OK(valid_language("ps"));
	OK(valid_language("ku"));
	OK(valid_language("aa")); /* first */
	OK(valid_language("zu")); /* last */
	BAD(valid_language("NB"));
	BAD(valid_language("Nb"));
	BAD(valid_language("nob"));
	BAD(valid_language("n"));
	BAD(valid_language(""));
	BAD(valid_language("xx"));
	BAD(valid_language("bh"));  /* withdrawn */
	assert_int_equal(count_two_letter(valid_language, 'a'), 183);
	assert_int_equal(count_two_letter(valid_language, 'A'), 0);
}

/* ---- phone ---------------------------------------------------------------- */

static void test_phone(void **state)
{
	(void)state;
	OK(valid_phone("+4791234567"));
	OK(valid_phone("+47 912 34 567"));
	OK(valid_phone("+47  91234567"));
	OK(valid_phone("+ 47 91234567"));
	OK(valid_phone("+380 67 123 4567"));
	OK(valid_phone("+12345678"));          /* 8 digits */
	OK(valid_phone("+123456789012345"));   /* 15 digits */
	BAD(valid_phone("+1234567"));          /* 7 */
	BAD(valid_phone("+1234567890123456")); /* 16 */
	BAD(valid_phone(""));
	BAD(valid_phone("+"));
	BAD(valid_phone("   "));
	BAD(valid_phone("91234567"));
	BAD(valid_phone("004791234567"));
	BAD(valid_phone("+0471234567"));
	BAD(valid_phone("++4791234567"));
	BAD(valid_phone("+47-912-34-567"));
	BAD(valid_phone("+47 (0) 91234567"));
	BAD(valid_phone("+47\t91234567"));
	BAD(valid_phone("+47 9123456x"));
	BAD(valid_phone("+47 91234567+"));
}

static void test_phone_normalise(void **state)
{
	(void)state;
	char out[32];

	assert_int_equal(phone_normalise("+47 912 34 567", out, sizeof out), 11);
	assert_string_equal(out, "+4791234567");
	OK(valid_phone(out));
	assert_int_equal(phone_normalise("+4791234567", out, sizeof out), 11);
	assert_string_equal(out, "+4791234567");
	assert_int_equal(phone_normalise("", out, sizeof out), 0);
	assert_string_equal(out, "");

	/* Truncation: like snprintf, the full length is returned. */
	memset(out, 'x', sizeof out);
	assert_int_equal(phone_normalise("+47 912 34 567", out, 5), 11);
	assert_string_equal(out, "+479");
	assert_int_equal(out[5], 'x');
	assert_int_equal(phone_normalise("+47 912 34 567", out, 12), 11);
	assert_string_equal(out, "+4791234567");
	memset(out, 'x', sizeof out);
	assert_int_equal(phone_normalise("+47 912", out, 0), 6);
	assert_int_equal(out[0], 'x');
}

/* ---- e-mail --------------------------------------------------------------- */

static void test_email_valid(void **state)
{
	(void)state;
	OK(valid_email("kari.nordmann@bergen.kommune.no"));
	OK(valid_email("a@b.no"));
	OK(valid_email("o'brien+tag@example.com"));
	OK(valid_email("x_y@sub-domain.example.org"));
	OK(valid_email("!#$%&'*+/=?^_`{|}~-@example.museum"));
	OK(valid_email("USER@EXAMPLE.NO"));
	OK(valid_email("a@1.2.no"));
	OK(valid_email("a@xn--dgrd-fraay.no"));
}

static void test_email_invalid(void **state)
{
	(void)state;
	BAD(valid_email(""));
	BAD(valid_email("a"));
	BAD(valid_email("@b.no"));
	BAD(valid_email("a@"));
	BAD(valid_email("a@b"));
	BAD(valid_email("a@@b.no"));
	BAD(valid_email("a@b@c.no"));
	BAD(valid_email(".a@b.no"));
	BAD(valid_email("a.@b.no"));
	BAD(valid_email("a..b@c.no"));
	BAD(valid_email("a b@c.no"));
	BAD(valid_email("a@b c.no"));
	BAD(valid_email("a@-b.no"));
	BAD(valid_email("a@b-.no"));
	BAD(valid_email("a@b..no"));
	BAD(valid_email("a@.b.no"));
	BAD(valid_email("a@b.no."));
	BAD(valid_email("a@b.n"));
	BAD(valid_email("a@b.n0"));
	BAD(valid_email("a@b.123"));
	BAD(valid_email("a@b_c.no"));
	BAD(valid_email("ø@b.no"));
	BAD(valid_email("a@bø.no"));
	BAD(valid_email("\"a\"@b.no"));
	BAD(valid_email("a@[127.0.0.1]"));
	BAD(valid_email("a(comment)@b.no"));
	BAD(valid_email("a,b@c.no"));
	BAD(valid_email("Kari <kari@b.no>"));
}

static void test_email_lengths(void **state)
{
	(void)state;
	char s[300];

	/* 64 bytes before the @ is the limit. */
	memset(s, 'a', 64);
	strcpy(s + 64, "@b.no");
	OK(valid_email(s));
	memset(s, 'a', 65);
	strcpy(s + 65, "@b.no");
	BAD(valid_email(s));

	/* 254 in all: "a@", three labels of 63 and their dots, 57 more, ".no" */
	strcpy(s, "a@");
	for (int i = 0; i < 3; i++) {
		memset(s + 2 + 64 * i, 'b', 63);
		s[2 + 64 * i + 63] = '.';
	}
	memset(s + 194, 'c', 57);
	strcpy(s + 251, ".no");
	assert_int_equal(strlen(s), 254);
	OK(valid_email(s));
	memmove(s + 1, s, strlen(s) + 1); /* 255 */
	BAD(valid_email(s));

	/* A label of 64 is too long. */
	strcpy(s, "a@");
	memset(s + 2, 'b', 64);
	strcpy(s + 66, ".no");
	BAD(valid_email(s));
}

/* ---- names ---------------------------------------------------------------- */

static void test_name_valid(void **state)
{
	(void)state;
	OK(valid_name("Олена"));
	OK(valid_name("Ødegård"));
	OK(valid_name("محمد"));
	OK(valid_name("ተስፋይ"));
	OK(valid_name("O'Brien"));
	OK(valid_name("O\xE2\x80\x99"
	              "Brien")); /* typographic apostrophe */
	OK(valid_name("Anne-Lise"));
	OK(valid_name("Nguyễn"));
	OK(valid_name("Nguye\xCC\x82\xCC\x83n")); /* decomposed */
	OK(valid_name("Ng. Van"));
	OK(valid_name("Ås"));
	OK(valid_name("Al-Hassan"));
	OK(valid_name("الحسن"));
	OK(valid_name("Шевченко"));
	OK(valid_name("Наталія"));
	OK(valid_name("ገብረሂወት"));
	OK(valid_name("احمدی"));
	OK(valid_name("محمد\xE2\x80\x8Cرضا")); /* ZWNJ inside a Persian name */
	OK(valid_name("Mohammad Reza"));
	OK(valid_name("王芳"));
	OK(valid_name("佐々木"));
	OK(valid_name("Þórunn Ægisdóttir"));
	OK(valid_name("Ŋuolja")); /* Sámi */
	OK(valid_name("Zoë d'Artagnan"));
	OK(valid_name("X"));
}

static void test_name_invalid(void **state)
{
	(void)state;
	BAD(valid_name(""));
	BAD(valid_name(" "));
	BAD(valid_name("abc1"));
	BAD(valid_name("a<b>"));
	BAD(valid_name("a\tb"));
	BAD(valid_name("a\nb"));
	BAD(valid_name(" Kari"));
	BAD(valid_name("Kari "));
	BAD(valid_name("Kari  Nordmann"));
	BAD(valid_name("."));
	BAD(valid_name("-"));
	BAD(valid_name("' - ."));
	BAD(valid_name("Kari, Nordmann"));
	BAD(valid_name("Kari_Nordmann"));
	BAD(valid_name("Kari@Nordmann"));
	BAD(valid_name("Kari\"N\""));
	BAD(valid_name("Kari\xC2\xA0Nordmann")); /* no-break space */
	BAD(valid_name("Kari\xC2\x85"));         /* C1 NEL */
	BAD(valid_name("\xC2\xABKari\xC2\xBB")); /* guillemets */
	BAD(valid_name("Kari\xE2\x80\x8B"));     /* zero-width space */
	BAD(valid_name("\xE2\x80\xAE"
	               "abc")); /* right-to-left override */
	BAD(valid_name("\xE2\x81\xA7"
	               "abc"));                      /* first strong isolate */
	BAD(valid_name("Kari\xE2\x80\x94Nordmann")); /* em dash */
	BAD(valid_name("Kari \xF0\x9F\x98\x80"));    /* emoji */
	BAD(valid_name("Kari\xE2\x82\xAC"));         /* euro sign */
	BAD(valid_name("\xE2\x84\x95ora"));          /* double-struck N */
	BAD(valid_name("محمد٣"));                    /* Arabic-Indic digit */
	BAD(valid_name("احمدی۲"));                   /* Persian digit */
	BAD(valid_name("محمد، علي"));                /* Arabic comma */
	BAD(valid_name("ተስፋይ፡ኪዳነ"));                 /* Ethiopic wordspace */
	BAD(valid_name("Kari\xEF\xBC\x91"));         /* fullwidth digit */
	BAD(valid_name("\xEE\x80\x80"));             /* private use */
	BAD(valid_name("\xEF\xBB\xBFKari"));         /* byte order mark */
	BAD(valid_name("Kari\xC3"));                 /* invalid UTF-8 */
	BAD(valid_name("\xCC\x81"));                 /* a lone combining mark */
	BAD(valid_name("\xE2\x80\x8C"));             /* a lone ZWNJ */
}

static void test_name_length(void **state)
{
	(void)state;
	char s[260];

	memset(s, 'a', 200);
	s[200] = '\0';
	OK(valid_name(s));
	memset(s, 'a', 201);
	s[201] = '\0';
	BAD(valid_name(s));
	/* 100 two-byte letters is 200 bytes */
	for (int i = 0; i < 100; i++)
		memcpy(s + 2 * i, "ø", 2);
	s[200] = '\0';
	OK(valid_name(s));
	memcpy(s + 200, "ø", 3);
	BAD(valid_name(s));
}

/* ---- codes, booleans, choices ------------------------------------------- */

static void test_code(void **state)
{
	(void)state;
	OK(valid_code("a"));
	OK(valid_code("HH-2024/017_a"));
	OK(valid_code("12345678901234567890123456789012"));
	BAD(valid_code("123456789012345678901234567890123"));
	BAD(valid_code(""));
	BAD(valid_code("a b"));
	BAD(valid_code("a.b"));
	BAD(valid_code("æ"));
	BAD(valid_code("a\\b"));
	BAD(valid_code("a:b"));
}

static void test_bool(void **state)
{
	(void)state;
	static const char *const yes[] = {"true", "TRUE", "True", "yes", "YES",
	                                  "Yes",  "ja",   "JA",   "Ja",  "1"};
	static const char *const no[] = {"false", "FALSE", "False", "no",  "NO",
	                                 "No",    "nei",   "NEI",   "Nei", "0"};
	static const char *const bad[] = {"",   "y",  "n",    "2",  "truee", "tru", "ja ",
	                                  " 1", "01", "sann", "on", "off",   "nope"};
	const char *c;

	for (size_t i = 0; i < sizeof yes / sizeof yes[0]; i++) {
		c = NULL;
		assert_null(valid_bool(yes[i], &c));
		assert_string_equal(c, "true");
	}
	for (size_t i = 0; i < sizeof no / sizeof no[0]; i++) {
		c = NULL;
		assert_null(valid_bool(no[i], &c));
		assert_string_equal(c, "false");
	}
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		c = "stale";
		assert_non_null(valid_bool(bad[i], &c));
		assert_null(c);
	}
	assert_null(valid_bool("yes", NULL));
	assert_non_null(valid_bool("maybe", NULL));
}

static void test_choice(void **state)
{
	(void)state;
	const char *status = "requested|settled|in_programme|on_leave|completed|closed|stopped|"
	                     "broken_off|moved";

	OK(valid_choice("a", "a|b|c"));
	OK(valid_choice("b", "a|b|c"));
	OK(valid_choice("c", "a|b|c"));
	OK(valid_choice("x", "x"));
	OK(valid_choice("in_programme", status));
	OK(valid_choice("closed", status));
	OK(valid_choice("requested", status));
	BAD(valid_choice("", "a|b|c"));
	BAD(valid_choice("ab", "a|b|c"));
	BAD(valid_choice("A", "a|b|c"));
	BAD(valid_choice("a|b", "a|b|c"));
	BAD(valid_choice("in", status));
	BAD(valid_choice("in_programme ", status));
	BAD(valid_choice("Closed", status));
	BAD(valid_choice("x", ""));
	OK(valid_choice("", ""));
}

/* The messages are shown and logged: none may echo what was typed. */
static void test_messages_never_quote(void **state)
{
	(void)state;
	static const char *const inputs[] = {
	    "15038512364", "98765",      "2023-02-30", "Kari1", "QQ",    "qq",
	    "+47 9x",      "kari@@x.no", "12345",      "Maybe", "nope!",
	};

	for (size_t i = 0; i < sizeof inputs / sizeof inputs[0]; i++) {
		const char *s = inputs[i];
		const char *msgs[] = {
		    valid_national_id(s), valid_date(s),       valid_name(s),
		    valid_country(s),     valid_language(s),   valid_phone(s),
		    valid_email(s),       valid_orgnr(s),      valid_duf(s),
		    valid_code(s),        valid_bool(s, NULL), valid_choice(s, "a|b"),
		};

		for (size_t j = 0; j < sizeof msgs / sizeof msgs[0]; j++)
			if (msgs[j])
				assert_null(strstr(msgs[j], s));
	}
	assert_string_equal(valid_national_id("01010050054"), "check digit does not match");
}

/* User names are ASCII login names in every locale (users.c tested them with
 * islower, which a Latin-1 locale answers yes to for the byte of "å"). */
static void test_user_name(void **state)
{
	(void)state;
	assert_true(store_user_name_valid("kari"));
	assert_true(store_user_name_valid("_svc"));
	assert_true(store_user_name_valid("a.b-c_1"));
	assert_true(store_user_name_valid("abcdefghijklmnopqrstuvwxyz012345")); /* 32 */
	assert_false(store_user_name_valid(""));
	assert_false(store_user_name_valid("Kari"));
	assert_false(store_user_name_valid("1kari"));
	assert_false(store_user_name_valid("-kari"));
	assert_false(store_user_name_valid("abcdefghijklmnopqrstuvwxyz0123456")); /* 33 */
	assert_false(store_user_name_valid("kari ola"));
	assert_false(store_user_name_valid("\xc3\xa5se"));      /* åse in UTF-8 */
	assert_false(store_user_name_valid("\xe5se"));          /* åse in Latin-1 */
	assert_false(store_user_name_valid("kari\xe5"));
	assert_true(store_user_name_valid_n("kari\xe5", 4)); /* the first n bytes only */
	assert_false(store_user_name_valid_n("kari", 0));
}

static void test_date_dotted(void **state)
{
	static const char *const good[][2] = {
	    {"03.02.2023", "2023-02-03"}, {"3.2.2023", "2023-02-03"},
	    {"31.12.1999", "1999-12-31"}, {"1.10.2001", "2001-10-01"},
	    {"10.1.2001", "2001-01-10"},
	};
	static const char *const bad[] = {
	    "2023-02-03", "03.02.23", "03-02-2023", "003.02.2023", "03.002.2023",
	    "03.02.02023", ".02.2023", "03..2023", "03.02.", "a3.02.2023", "03.02.2023.", "",
	};
	char s[32], out[11];
	(void)state;

	for (size_t i = 0; i < sizeof good / sizeof good[0]; i++) {
		strcpy(s, good[i][0]);
		assert_true(date_from_dotted(s));
		assert_string_equal(s, good[i][1]);
	}
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		strcpy(s, bad[i]);
		assert_false(date_from_dotted(s));
		assert_string_equal(s, bad[i]);
	}
	/* The shape only: whether the day exists is valid_date's. */
	strcpy(s, "31.02.2023");
	assert_true(date_from_dotted(s));
	BAD(valid_date(s));

	assert_true(date_to_dotted("2023-02-03", out));
	assert_string_equal(out, "03.02.2023");
	assert_false(date_to_dotted("03.02.2023", out));
	assert_false(date_to_dotted("2023-2-3", out));
}

static void test_phone_norway(void **state)
{
	char s[32], out[32];
	(void)state;

	strcpy(s, "91234567");
	assert_true(phone_add_norway(s));
	assert_string_equal(s, "+4791234567");
	strcpy(s, "912 34 567");
	assert_true(phone_add_norway(s));
	assert_string_equal(s, "+4791234567");
	strcpy(s, "0047 22 12 34 56");
	assert_true(phone_add_norway(s));
	assert_string_equal(s, "+4722123456");
	strcpy(s, "+4791234567");
	assert_false(phone_add_norway(s));
	strcpy(s, "9123456");
	assert_false(phone_add_norway(s));
	strcpy(s, "912345678");
	assert_false(phone_add_norway(s));
	strcpy(s, "9123-4567");
	assert_false(phone_add_norway(s));
	assert_string_equal(s, "9123-4567");

	assert_true(phone_group("+4791234567", out, sizeof out));
	assert_string_equal(out, "+47 912 34 567");
	assert_true(phone_group("+4741234567", out, sizeof out));
	assert_string_equal(out, "+47 412 34 567");
	assert_true(phone_group("+4722123456", out, sizeof out));
	assert_string_equal(out, "+47 22 12 34 56");
	assert_false(phone_group("+46701234567", out, sizeof out));
	assert_false(phone_group("+479123456", out, sizeof out));
	assert_false(phone_group("+4791234567", out, 8));

	assert_true(national_id_group("15038512363", out));
	assert_string_equal(out, "150385 12363");
	assert_false(national_id_group("1503851236", out));
	assert_false(national_id_group("150385 12363", out));
}

/* The birth date a number holds, for the form's cross-check: a D-number's
 * day less 40; nothing from a number that is not valid. */
static void test_national_id_birth_date(void **state)
{
	char d[11];

	(void)state;
	assert_true(national_id_birth_date("15038512363", d));
	assert_string_equal(d, "1985-03-15");
	assert_true(national_id_birth_date("55038512357", d));
	assert_string_equal(d, "1985-03-15");
	assert_true(national_id_birth_date("01010050053", d));
	assert_string_equal(d, "2000-01-01");
	assert_false(national_id_birth_date("15038512364", d)); /* check digit */
	assert_false(national_id_birth_date("1503851236", d));
	assert_false(national_id_birth_date("", d));
}

/* The binary searches every sorted table of validate.c and fold.c shares:
 * each end, between elements, before and after them, and an empty table. */
static void test_sorted_find(void **state)
{
	static const struct {
		uint32_t lo, hi;
		const char *what;
	} ranges[] = {{0x10, 0x1f, "a"}, {0x30, 0x30, "b"}, {0x40, 0x4f, "c"}};
	struct coded {
		int n;
		char code[4];
	};
	static const struct coded codes[] = {{1, "ab"}, {2, "abc"}, {3, "b"}, {4, "zz"}};
	const size_t off = offsetof(struct coded, code);

	(void)state;
	assert_int_equal(sorted_range_find(ranges, 3, sizeof ranges[0], 0x10), 0);
	assert_int_equal(sorted_range_find(ranges, 3, sizeof ranges[0], 0x1f), 0);
	assert_int_equal(sorted_range_find(ranges, 3, sizeof ranges[0], 0x30), 1);
	assert_int_equal(sorted_range_find(ranges, 3, sizeof ranges[0], 0x4f), 2);
	assert_int_equal(sorted_range_find(ranges, 3, sizeof ranges[0], 0x0f), 3);
	assert_int_equal(sorted_range_find(ranges, 3, sizeof ranges[0], 0x20), 3);
	assert_int_equal(sorted_range_find(ranges, 3, sizeof ranges[0], 0x50), 3);
	assert_int_equal(sorted_range_find(ranges, 0, sizeof ranges[0], 0x10), 0);
	for (size_t i = 0; i < 4; i++)
		assert_int_equal(sorted_code_find(codes, 4, sizeof codes[0], off, codes[i].code), i);
	assert_int_equal(sorted_code_find(codes, 4, sizeof codes[0], off, "a"), 4);
	assert_int_equal(sorted_code_find(codes, 4, sizeof codes[0], off, "abd"), 4);
	assert_int_equal(sorted_code_find(codes, 4, sizeof codes[0], off, "zzz"), 4);
	assert_int_equal(sorted_code_find(codes, 0, sizeof codes[0], off, "ab"), 0);
	/* What the tables answer through them. */
	assert_null(valid_country("NO"));
	assert_non_null(valid_country("QQ"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_national_id_birth_date),
	    cmocka_unit_test(test_utf8_valid),
	    cmocka_unit_test(test_utf8_invalid),
	    cmocka_unit_test(test_utf8_length_bounded),
	    cmocka_unit_test(test_text_controls_named),
	    cmocka_unit_test(test_text_bidi_refused),
	    cmocka_unit_test(test_text_tags_refused),
	    cmocka_unit_test(test_text_blank_refused),
	    cmocka_unit_test(test_text_tab),
	    cmocka_unit_test(test_name_invisible_refused),
	    cmocka_unit_test(test_date_valid),
	    cmocka_unit_test(test_date_invalid),
	    cmocka_unit_test(test_date_days_known),
	    cmocka_unit_test(test_date_days_every_day),
	    cmocka_unit_test(test_nid_check_digits_known),
	    cmocka_unit_test(test_nid_check_digits_none),
	    cmocka_unit_test(test_nid_centuries),
	    cmocka_unit_test(test_nid_leap_years),
	    cmocka_unit_test(test_nid_bad_dates),
	    cmocka_unit_test(test_nid_d_numbers),
	    cmocka_unit_test(test_nid_h_and_synthetic_refused),
	    cmocka_unit_test(test_nid_single_digit_errors),
	    cmocka_unit_test(test_nid_format),
	    cmocka_unit_test(test_nid_agrees_with_check_digits),
	    cmocka_unit_test(test_duf),
	    cmocka_unit_test(test_orgnr),
	    cmocka_unit_test(test_country),
	    cmocka_unit_test(test_language),
	    cmocka_unit_test(test_language_tags),
	    cmocka_unit_test(test_phone),
	    cmocka_unit_test(test_phone_normalise),
	    cmocka_unit_test(test_date_dotted),
	    cmocka_unit_test(test_phone_norway),
	    cmocka_unit_test(test_email_valid),
	    cmocka_unit_test(test_email_invalid),
	    cmocka_unit_test(test_email_lengths),
	    cmocka_unit_test(test_name_valid),
	    cmocka_unit_test(test_name_invalid),
	    cmocka_unit_test(test_name_length),
	    cmocka_unit_test(test_code),
	    cmocka_unit_test(test_bool),
	    cmocka_unit_test(test_choice),
	    cmocka_unit_test(test_messages_never_quote),
	    cmocka_unit_test(test_user_name),
	    cmocka_unit_test(test_sorted_find),
	};

	return cmocka_run_group_tests_name("validate", tests, NULL, NULL);
}
