/* Unit tests for store/fold.c: transliteration of the scripts caseworkers meet,
 * the bounded output, and the scoring rules that make plain-Latin searches find
 * names written in any of them. */
#include "store/fold.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#define BUF 512

static void assert_fold(const char *in, const char *want)
{
	char out[BUF];
	size_t n = fold_text(in, strlen(in), out, sizeof out);

	assert_string_equal(out, want);
	assert_int_equal(n, strlen(want));
}

/* Both sides go through fold_name, as the store does. */
static int score(const char *query, const char *name)
{
	char q[BUF], n[BUF];

	fold_name(query, strlen(query), q, sizeof q);
	fold_name(name, strlen(name), n, sizeof n);
	return fold_score(q, n);
}

static void test_fold_ascii(void **state)
{
	(void)state;
	assert_fold("Hello World", "hello world");
	assert_fold("  Hello,   World!  ", "hello world");
	assert_fold("Room 12B", "room 12b");
	assert_fold("", "");
	assert_fold(" - ,. ", "");
}

static void test_fold_separators(void **state)
{
	(void)state;
	assert_fold("Anne-Marie O'Neil", "anne marie o neil");
	assert_fold("Jan\tOle\nHansen", "jan ole hansen");
	/* Punctuation and symbols separate words; other scripts are kept. */
	assert_fold("abc中def", "abc中def"); /* a script without a table is kept */
	assert_fold("Ωmega", "ωmega"); /* case folded (NFKC + full folding) */
	assert_fold("×÷", "");
}

static void test_fold_norwegian(void **state)
{
	(void)state;
	assert_fold("Ødegård", "odegard");
	assert_fold("ÆSØY", "aesoy");
	assert_fold("Åsen", "asen");
	assert_fold("Bjørn Kåre Sæther", "bjorn kare saether");
	assert_fold("Strauß", "strauss");
	assert_fold("Þórunn Œdipe", "thorunn oedipe");
}

static void test_fold_latin_extended(void **state)
{
	(void)state;
	assert_fold("Łukasz Żółć Ścibor", "lukasz zolc scibor");
	assert_fold("Işık Güneş İnce Ağaoğlu", "isik gunes ince agaoglu");
	assert_fold("Ștefan Țurcanu", "stefan turcanu");
	assert_fold("Nguyễn Thị Ngọc Ánh", "nguyen thi ngoc anh");
	assert_fold("Trương Phước Đặng", "truong phuoc dang");
	assert_fold("Hồ Chí Minh Ưu Ờ", "ho chi minh uu o");
	assert_fold("ḤASAN ṣāliḥ", "hasan salih");
	assert_fold("Dvořák Čapek Ĳssel", "dvorak capek ijssel");
	assert_fold("ɓ ɗ ŋ ɛ ɔ ɣ", "b d n e o g");
}

static void test_fold_decomposed(void **state)
{
	char a[BUF], b[BUF];

	(void)state;
	fold_text("\xc3\xa9", 2, a, sizeof a);
	fold_text("e\xcc\x81", 3, b, sizeof b);
	assert_string_equal(a, "e");
	assert_string_equal(a, b);
	/* Vietnamese with both marks combining, and a ring above on A. */
	assert_fold("Nguye\xcc\x82\xcc\x83n", "nguyen");
	assert_fold("A\xcc\x8asen", "asen");
	/* A combining mark never splits the word it sits in. */
	assert_fold("Jose\xcc\x81 Mari\xcc\x81\x61", "jose maria");
}

static void test_fold_ukrainian(void **state)
{
	(void)state;
	assert_fold("Олена Шевченко", "olena shevchenko");
	assert_fold("ГАННА", "hanna");
	assert_fold("Ґудзь Щербак", "gudz shcherbak");
	assert_fold("Євген Їжак Юлія Яна", "yevhen yizhak yuliya yana");
	assert_fold("Андрій Іванович", "andriy ivanovych");
	assert_fold("Згурський", "zghurskyy");
	/* The apostrophe inside a Ukrainian word, whichever character typed it. */
	assert_fold("Марʼяна", "maryana");
	assert_fold("Мар'яна", "maryana");
	assert_fold("Мар’яна", "maryana");
	/* ... but next to Latin it is still a break. */
	assert_fold("Мар' яна", "mar yana");
}

static void test_fold_russian(void **state)
{
	(void)state;
	assert_fold("Ёлкин Эдуард", "yolkyn eduard");
	assert_fold("Мыльников Подъячев", "mylnykov podyachev");
	assert_fold("Хрущёв", "khrushchyov");
	/* Stress marks in dictionaries are combining acutes. */
	assert_fold("Ната\xcc\x81ша", "natasha");
}

static void test_fold_arabic(void **state)
{
	(void)state;
	assert_fold("محمد", "mhmd");
	assert_fold("مُحَمَّد", "mhmd");    /* harakat and shadda */
	assert_fold("محـــمد", "mhmd"); /* tatweel */
	assert_fold("فاطمة", "fatma");
	assert_fold("يوسف", "ywsf");
	assert_fold("خالد الغامدي", "khald alghamdy");
	assert_fold("أحمد إبراهيم آمنة", "ahmd ibrahym amna");
	/* Ain: a vowel at the start of a word, silent inside it. */
	assert_fold("عمر", "amr");
	assert_fold("سعد", "sd");
	assert_fold("عبد", "abd");
	/* Persian letters and digits. */
	assert_fold("پرویز چنگیز ژاله گلی کریمی", "prwyz chngyz zhalh gly krymy");
	assert_fold("١٢٣ ۴۵۶", "123 456");
	/* ZWNJ inside a Persian word does not split it. */
	assert_fold("مه\xe2\x80\x8cری", "mhry");
}

static void test_fold_geez(void **state)
{
	(void)state;
	assert_fold("ተስፋይ", "tesfay");
	assert_fold("ኣብርሃም", "abrham");
	assert_fold("ገብረመስቀል", "gebremesqel");
	assert_fold("ሃይለ፡ገብሩ", "hayle gebru"); /* Ethiopic word space */
	assert_fold("እዮብ", "eyob");
	assert_fold("ዮሃንስ ኣማኒኤል", "yohans amaniel");
	assert_fold("ሏ ቋ", "lwa qwa"); /* labialised forms */
}

static void test_fold_invalid_utf8(void **state)
{
	(void)state;
	/* Octal escapes, as a hex escape would swallow the letters after it. */
	assert_fold("ab\377cd", "abcd");
	assert_fold("ab\200\200cd", "abcd");
	assert_fold("ab\303", "ab");             /* truncated at the end */
	assert_fold("\300\257x", "x");           /* overlong '/' */
	assert_fold("a\355\240\200b", "ab");     /* surrogate */
	assert_fold("a\364\220\200\200b", "ab"); /* above U+10FFFF */
	assert_fold("\342\202A", "a");           /* truncated, then valid */
	/* The Cyrillic apostrophe rule looks past invalid bytes. */
	assert_fold("Мар\377'\377яна", "maryana");
}

static void test_fold_respects_len(void **state)
{
	static const char text[] = "Шевченко Olena";
	size_t len = sizeof text - 1;
	char *in = malloc(len); /* no terminator: ASan catches any read past len */
	char out[BUF];

	(void)state;
	assert_non_null(in);
	memcpy(in, text, len);
	assert_int_equal(fold_text(in, len, out, sizeof out), 16);
	assert_string_equal(out, "shevchenko olena");
	/* A length that cuts a character in half drops the half. */
	assert_int_equal(fold_text(in, 3, out, sizeof out), 2);
	assert_string_equal(out, "sh");
	assert_int_equal(fold_text(in, 0, out, sizeof out), 0);
	assert_string_equal(out, "");
	free(in);
}

/* Every capacity, each in a heap block of exactly that size so ASan sees any
 * overrun; the result must be a prefix of the full fold with no trailing space. */
static void test_fold_cap(void **state)
{
	static const char *const inputs[] = {
	    "Щербак Ødegård - ተስፋይ",
	    "a b c",
	    "ßß",
	    "Æ  محمد",
	};
	size_t t;

	(void)state;
	for (t = 0; t < sizeof inputs / sizeof inputs[0]; t++) {
		char full[BUF];
		size_t flen = fold_text(inputs[t], strlen(inputs[t]), full, sizeof full);
		size_t cap;

		for (cap = 1; cap <= flen + 2; cap++) {
			char *out = malloc(cap);
			size_t n;

			assert_non_null(out);
			n = fold_text(inputs[t], strlen(inputs[t]), out, cap);
			assert_true(n < cap);
			assert_int_equal(strlen(out), n);
			assert_memory_equal(out, full, n);
			if (n > 0)
				assert_true(out[n - 1] != ' ');
			if (cap > flen)
				assert_string_equal(out, full);
			free(out);
		}
	}
}

static void test_fold_cap_small(void **state)
{
	char buf[4];

	(void)state;
	memset(buf, 'X', sizeof buf);
	assert_int_equal(fold_text("Щ", strlen("Щ"), buf, 0), 0);
	assert_int_equal(buf[0], 'X'); /* cap 0: nothing written, not even NUL */

	assert_int_equal(fold_text("Щ", strlen("Щ"), buf, 1), 0);
	assert_string_equal(buf, "");
	assert_int_equal(buf[1], 'X');

	memset(buf, 'X', sizeof buf);
	assert_int_equal(fold_text("Щ", strlen("Щ"), buf, 2), 1);
	assert_string_equal(buf, "s");
	assert_int_equal(buf[2], 'X');

	memset(buf, 'X', sizeof buf);
	assert_int_equal(fold_text("Щ", strlen("Щ"), buf, 3), 2);
	assert_string_equal(buf, "sh");
	assert_int_equal(buf[3], 'X');

	/* Room for the space but not the letter after it: stop before the space. */
	memset(buf, 'X', sizeof buf);
	assert_int_equal(fold_text("ab c", 4, buf, 4), 2);
	assert_string_equal(buf, "ab");

	assert_int_equal(fold_text(NULL, 5, buf, sizeof buf), 0);
	assert_string_equal(buf, "");
	assert_int_equal(fold_text("x", 1, NULL, 0), 0);
}

static void test_score_required_matches(void **state)
{
	(void)state;
	assert_true(score("olena shev", "Олена Шевченко") > 0);
	assert_int_equal(score("olena shev", "Олена Шевченко"), 100 + 80);
	assert_int_equal(score("odegard", "Ødegård"), 100);
	assert_true(score("mohammed", "Muhammad Ali") > 0);
	assert_true(score("mohammed", "محمد") > 0);
	assert_int_equal(score("mohammed", "محمد"), 100);
	assert_int_equal(score("muhammad", "Mohammed"), 60);
	assert_int_equal(score("hanna", "Ганна"), 100);
	assert_int_equal(score("galina", "Галина"), 100);
	assert_int_equal(score("nguyen", "Nguyễn Văn An"), 100);
	assert_int_equal(score("tesfay", "ተስፋይ"), 100);
	assert_int_equal(score("abraham", "ኣብርሃም"), 100);
}

/* Å folds to a, and Norwegians also write it aa: the skeleton collapses the
 * double vowel, so each spelling finds the other at skeleton level. */
static void test_score_aa(void **state)
{
	(void)state;
	assert_int_equal(score("asen", "Åsen"), 100);
	assert_int_equal(score("aasen", "Åsen"), 60);
	assert_int_equal(score("asen", "Aasen"), 60);
	assert_int_equal(score("odegard", "Oedegaard"), 60);
}

static void test_score_skeleton_spellings(void **state)
{
	(void)state;
	/* A name in its own script scores as the same word: its romanisation
	 * is one of many, and it must rank with the name written in Latin. */
	assert_int_equal(score("sjevtsjenko", "Шевченко"), 100); /* Norwegian transliteration */
	assert_int_equal(score("jurij", "Юрій"), 100);
	assert_int_equal(score("iurii", "Юрій"), 100);
	assert_int_equal(score("aleksander", "Alexander"), 60);
	assert_int_equal(score("tarik", "طارق"), 100);
	assert_int_equal(score("yusuf", "يوسف"), 100);
	assert_int_equal(score("mahmoud", "محمود"), 100);
	assert_int_equal(score("omar", "عمر"), 100);
	assert_int_equal(score("fatima", "فاطمة"), 100);
	assert_int_equal(score("khalid", "Halid"), 60);
	assert_int_equal(score("gebremeskel", "ገብረመስቀል"), 100);
	assert_int_equal(score("haile", "ሃይለ"), 100);
	assert_int_equal(score("ganna", "Ганна"), 100);
}

static void test_score_word_order(void **state)
{
	(void)state;
	assert_int_equal(score("shevchenko olena", "Олена Шевченко"), 200);
	assert_int_equal(score("olena shevchenko", "Олена Шевченко"), 200);
	assert_int_equal(score("shev ol", "Олена Шевченко"), 160);
}

static void test_score_no_match(void **state)
{
	(void)state;
	assert_int_equal(score("petter", "Олена Шевченко"), 0);
	/* One unmatched word sinks the whole query. */
	assert_int_equal(score("olena zzz", "Олена Шевченко"), 0);
	assert_int_equal(score("olena shevchenko ivanivna", "Олена Шевченко"), 0);
	assert_int_equal(score("ola", "Kari"), 0);
}

static void test_score_distinct_words(void **state)
{
	(void)state;
	assert_int_equal(score("anna anna", "Anna Hansen"), 0);
	assert_int_equal(score("anna anna", "Anna Anna"), 200);
	assert_int_equal(score("an anna", "Anna Hansen"), 0);
	/* Greedy would give "ol" the first prefix match, Olsen, and leave
	 * "olsen" nothing; the search finds the assignment that works. */
	assert_int_equal(score("ol olsen", "Olsen Ola"), 180);
}

static void test_score_ranking(void **state)
{
	int exact, prefix, skel, edit;

	(void)state;
	exact = score("shevchenko", "Shevchenko");
	prefix = score("shevch", "Shevchenko");
	skel = score("shivchinko", "Shevchenko");
	edit = score("shevchenco", "Shevchenko");
	assert_int_equal(exact, 100);
	assert_int_equal(prefix, 80);
	assert_int_equal(skel, 60);
	assert_int_equal(edit, 40);
	assert_true(exact > prefix && prefix > skel && skel > edit && edit > 0);
	/* A word prefers the name word it matches best. */
	assert_int_equal(score("ola", "Olav Ola"), 100);
}

static void test_score_skeleton_prefix(void **state)
{
	(void)state;
	/* A query skeleton may be a prefix of the name's from three skeleton
	 * letters, or two of a four-letter word, on; below a full one. */
	assert_int_equal(score("moh", "Muhammad"), 0);
	assert_int_equal(score("moha", "Muhammad"), 50);
	assert_int_equal(score("mohamm", "Muhammad"), 50);
	assert_int_equal(score("mh", "Muhammad"), 0);
	/* Equal skeletons count at any length. */
	assert_int_equal(score("li", "Ly"), 60);
}

static void test_score_edit(void **state)
{
	(void)state;
	assert_int_equal(score("hasnen", "Hansen"), 40);  /* transposition */
	assert_int_equal(score("hanssen", "Hansen"), 60); /* double collapses */
	assert_int_equal(score("hansem", "Hansen"), 40);  /* substitution */
	assert_int_equal(score("hanen", "Hansen"), 40);   /* deletion */
	assert_int_equal(score("hansenb", "Hansen"), 40); /* insertion */
	/* A typo inside a half-typed word, against the prefix of its length. */
	assert_int_equal(score("shecv", "Shevchenko"), 40);
	/* Short words get no edit allowance. */
	assert_int_equal(score("bol", "Bil"), 0); /* one consonant, other vowels: another name */
	assert_int_equal(score("hassan", "Hussein"), 30); /* more: vowels apart: loose */
	assert_int_equal(score("ban", "Bil"), 0);
	assert_int_equal(score("hxnsxn", "Hansen"), 0);
}

static void test_score_empty(void **state)
{
	(void)state;
	assert_int_equal(fold_score("", "olena"), 0);
	assert_int_equal(fold_score("   ", "olena"), 0);
	assert_int_equal(fold_score("olena", ""), 0);
	assert_int_equal(fold_score(NULL, "olena"), 0);
	assert_int_equal(fold_score("olena", NULL), 0);
	assert_int_equal(score(" - ", "Olena"), 0);
	/* Unfolded spacing is tolerated. */
	assert_int_equal(fold_score("  olena   shev ", " olena  shevchenko "), 180);
}

static void test_score_long_words(void **state)
{
	char a[300], b[300];

	(void)state;
	memset(a, 'x', sizeof a - 1);
	a[sizeof a - 1] = '\0';
	memcpy(b, a, sizeof b);
	assert_int_equal(fold_score(a, b), 100);
	b[250] = 'y'; /* differs only beyond the 64 bytes compared */
	assert_int_equal(fold_score(a, b), 100);
	b[250] = 'x';
	b[10] = 'b';
	assert_int_equal(fold_score(a, b), 40);
	a[200] = '\0';
	assert_int_equal(fold_score(a, b), 40); /* one edit from b's prefix */
}

static void test_score_many_words(void **state)
{
	char q[BUF], n[BUF];
	size_t i;

	(void)state;
	q[0] = n[0] = '\0';
	for (i = 0; i < 16; i++)
		strcat(q, "a ");
	for (i = 0; i < 100; i++)
		strcat(n, "a ");
	/* Many interchangeable words: bounded search still finds a full match. */
	assert_int_equal(fold_score(q, n), 1600);
	strcat(q, "a");
	assert_int_equal(fold_score(q, n), 0); /* 17 query words */
}

/* Scripts without a table are kept as they are, so they still match. */
static void test_other_scripts_kept(void **state)
{
	char out[64];
	(void)state;

	fold_text("王 小明", strlen("王 小明"), out, sizeof out);
	assert_string_equal(out, "王 小明");
	assert_true(fold_score("王", out) > 0);
	fold_text("Ελένη, 김", strlen("Ελένη, 김"), out, sizeof out);
	assert_true(fold_score("김", out) > 0);
	/* punctuation and emoji still separate words */
	fold_text("王。小明😀", strlen("王。小明😀"), out, sizeof out);
	assert_string_equal(out, "王 小明");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_other_scripts_kept),
	    cmocka_unit_test(test_fold_ascii),
	    cmocka_unit_test(test_fold_separators),
	    cmocka_unit_test(test_fold_norwegian),
	    cmocka_unit_test(test_fold_latin_extended),
	    cmocka_unit_test(test_fold_decomposed),
	    cmocka_unit_test(test_fold_ukrainian),
	    cmocka_unit_test(test_fold_russian),
	    cmocka_unit_test(test_fold_arabic),
	    cmocka_unit_test(test_fold_geez),
	    cmocka_unit_test(test_fold_invalid_utf8),
	    cmocka_unit_test(test_fold_respects_len),
	    cmocka_unit_test(test_fold_cap),
	    cmocka_unit_test(test_fold_cap_small),
	    cmocka_unit_test(test_score_required_matches),
	    cmocka_unit_test(test_score_aa),
	    cmocka_unit_test(test_score_skeleton_spellings),
	    cmocka_unit_test(test_score_word_order),
	    cmocka_unit_test(test_score_no_match),
	    cmocka_unit_test(test_score_distinct_words),
	    cmocka_unit_test(test_score_ranking),
	    cmocka_unit_test(test_score_skeleton_prefix),
	    cmocka_unit_test(test_score_edit),
	    cmocka_unit_test(test_score_empty),
	    cmocka_unit_test(test_score_long_words),
	    cmocka_unit_test(test_score_many_words),
	};

	return cmocka_run_group_tests_name("fold", tests, NULL, NULL);
}
