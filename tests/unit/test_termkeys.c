/* Unit tests for tui/termkeys.c, the reader of what follows an Esc, without
 * curses: the sequences PuTTY (its defaults), xterm, rxvt, tmux/screen and the
 * Linux console send for their keys, each read to its end; unknown ones,
 * Alt with a key and sequences cut short are read whole and mean nothing; a
 * lone Esc is Esc, and two Escs together are two. The expected keys are the
 * terminals' documented ones (xterm's ctlseqs, PuTTY's manual 4.4, the Linux
 * console_codes(4)). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "tui/termkeys.h"

/* Read what comes after the Esc in `after` (the Esc itself not included),
 * then a timeout if the parser still waits: returns the key, and how many
 * bytes it read in *used (so a test sees that nothing was left over). */
static struct tk_key read_seq(const char *after, size_t *used)
{
	struct tk_parser p;
	struct tk_key k = {TK_ESC, -1};
	size_t i = 0, n = strlen(after);
	bool complete = false;

	tk_start(&p);
	assert_true(tk_busy(&p));
	while (i < n && !complete)
		complete = tk_feed(&p, (unsigned char)after[i++], &k);
	if (!complete)
		assert_true(tk_feed(&p, TK_TIMEOUT, &k));
	assert_false(tk_busy(&p));
	if (used)
		*used = i;
	return k;
}

static void assert_fn(const char *after, enum tk_fn want)
{
	size_t used;
	struct tk_key k = read_seq(after, &used);

	if (k.kind != TK_FN || k.code != (int)want)
		fail_msg("ESC %s: kind %d code %d, want function key %d", after, k.kind, k.code,
		         (int)want);
	assert_int_equal(used, strlen(after));
}

static void assert_char(const char *after, int want)
{
	size_t used;
	struct tk_key k = read_seq(after, &used);

	if (k.kind != TK_CHAR || k.code != want)
		fail_msg("ESC %s: kind %d code %d, want character %c", after, k.kind, k.code, want);
	assert_int_equal(used, strlen(after));
}

/* Read whole and meaning nothing: no byte of it is left to be typed. */
static void assert_ignored(const char *after)
{
	size_t used;
	struct tk_key k = read_seq(after, &used);

	if (k.kind != TK_IGNORE)
		fail_msg("ESC %s: kind %d code %d, want nothing", after, k.kind, k.code);
	assert_int_equal(used, strlen(after));
}

static void test_putty_defaults(void **state)
{
	(void)state;
	/* Function keys "ESC[n~", Home and End "Standard". */
	assert_fn("[11~", TK_F(1));
	assert_fn("[12~", TK_F(2));
	assert_fn("[13~", TK_F(3));
	assert_fn("[14~", TK_F(4));
	assert_fn("[15~", TK_F(5));
	assert_fn("[17~", TK_F(6));
	assert_fn("[21~", TK_F(10));
	assert_fn("[23~", TK_F(11));
	assert_fn("[24~", TK_F(12));
	assert_fn("[1~", TK_HOME);
	assert_fn("[4~", TK_END);
	assert_fn("[2~", TK_INSERT);
	assert_fn("[3~", TK_DELETE);
	assert_fn("[5~", TK_PGUP);
	assert_fn("[6~", TK_PGDN);
	/* Cursor keys in either mode. */
	assert_fn("[A", TK_UP);
	assert_fn("OA", TK_UP);
	assert_fn("[B", TK_DOWN);
	assert_fn("OC", TK_RIGHT);
	assert_fn("[D", TK_LEFT);
}

static void test_xterm(void **state)
{
	(void)state;
	assert_fn("OP", TK_F(1));
	assert_fn("OQ", TK_F(2));
	assert_fn("OR", TK_F(3));
	assert_fn("OS", TK_F(4));
	assert_fn("OH", TK_HOME);
	assert_fn("OF", TK_END);
	assert_fn("[H", TK_HOME);
	assert_fn("[F", TK_END);
	assert_fn("[Z", TK_BTAB);
	/* Modifiers on keys that move or delete are dropped. */
	assert_fn("[1;5C", TK_RIGHT);
	assert_fn("[1;5D", TK_LEFT);
	assert_fn("[1;2A", TK_UP);
	assert_fn("[1;3H", TK_HOME);
	assert_fn("[3;5~", TK_DELETE);
	assert_fn("[1;1P", TK_F(1));
	/* A function key with one is another key, which nothing is bound to. */
	assert_ignored("[1;2P");
	assert_ignored("[15;5~");
	assert_ignored("O2P");
	/* Old xterms' modifiers after SS3. */
	assert_fn("O5C", TK_RIGHT);
}

static void test_screen_tmux(void **state)
{
	(void)state;
	/* TERM=screen: khome ESC[1~, kend ESC[4~, kf1 ESC O P. */
	assert_fn("[1~", TK_HOME);
	assert_fn("[4~", TK_END);
	assert_fn("OP", TK_F(1));
	assert_fn("[15~", TK_F(5));
}

static void test_linux_console(void **state)
{
	(void)state;
	assert_fn("[[A", TK_F(1));
	assert_fn("[[B", TK_F(2));
	assert_fn("[[C", TK_F(3));
	assert_fn("[[D", TK_F(4));
	assert_fn("[[E", TK_F(5));
	assert_ignored("[[F");
	assert_ignored("[G"); /* the keypad's 5 with NumLock off */
}

static void test_rxvt(void **state)
{
	(void)state;
	assert_fn("[7~", TK_HOME);
	assert_fn("[8~", TK_END);
	assert_fn("[7^", TK_HOME);   /* Ctrl-Home */
	assert_fn("[3$", TK_DELETE); /* Shift-Del */
	assert_fn("[a", TK_UP);      /* Shift-Up */
	assert_fn("Od", TK_LEFT);    /* Ctrl-Left */
	assert_ignored("[11^");      /* Ctrl-F1 */
}

static void test_keypad_application_mode(void **state)
{
	(void)state;
	assert_char("Op", '0');
	assert_char("Ow", '7');
	assert_char("Oy", '9');
	assert_char("Ol", ',');
	assert_char("Om", '-');
	assert_char("On", '.');
	assert_char("Ok", '+');
	assert_char("Oj", '*');
	assert_char("Oo", '/');
	assert_char("OM", '\r');
	assert_char("OX", '=');
}

static void test_unknown_read_whole(void **state)
{
	(void)state;
	assert_ignored("[99~");
	assert_ignored("[0~");
	assert_ignored("[9999999999~"); /* a parameter too big to keep */
	assert_ignored("[1;2;3;4;5;6;7;8;9~");
	assert_ignored("[200~"); /* bracketed paste, never asked for */
	assert_ignored("[201~");
	assert_ignored("[?1;2c"); /* a private marker: a report */
	assert_ignored("[>0;95;0c");
	assert_ignored("[1 q"); /* an intermediate byte */
	assert_ignored("[2A");  /* a cursor move, not a key */
	assert_ignored("[P");
	assert_ignored("[I"); /* focus in */
	assert_ignored("[<0;10;5M");
	assert_ignored("[3:1~"); /* sub-parameters */
	assert_ignored("Oz");
	assert_ignored("O");
}

static void test_alt_with_a_key(void **state)
{
	(void)state;
	assert_ignored("x");
	assert_ignored("q");
	assert_ignored("\r");
	assert_ignored("\x7f");
	assert_ignored("[");      /* Alt-[ alone: cut short by the timeout */
	assert_ignored("\x1b[A"); /* Alt-Up: ESC before the sequence */
	assert_ignored("\x1bOP"); /* Alt-F1 */
	assert_ignored("\x1b[11~");
	assert_ignored("\x1bq");

	struct tk_parser p;
	struct tk_key k;

	tk_start(&p);
	assert_true(tk_feed(&p, 0xf8, &k)); /* Alt-ø */
	assert_int_equal(k.kind, TK_IGNORE);
	tk_start(&p);
	assert_true(tk_feed(&p, TK_FNKEY, &k)); /* Alt with a key curses read */
	assert_int_equal(k.kind, TK_IGNORE);
	assert_false(tk_busy(&p));
}

static void test_lone_and_double_esc(void **state)
{
	struct tk_parser p;
	struct tk_key k;

	(void)state;
	tk_start(&p);
	assert_true(tk_feed(&p, TK_TIMEOUT, &k));
	assert_int_equal(k.kind, TK_ESC);
	assert_false(tk_busy(&p));

	/* Two together: one Esc now, the second read like the first. */
	tk_start(&p);
	assert_false(tk_feed(&p, 27, &k));
	assert_true(tk_feed(&p, TK_TIMEOUT, &k));
	assert_int_equal(k.kind, TK_ESC);
	assert_true(tk_busy(&p));
	assert_true(tk_feed(&p, TK_TIMEOUT, &k));
	assert_int_equal(k.kind, TK_ESC);
	assert_false(tk_busy(&p));

	/* Three: Esc, then the two left are read on. */
	tk_start(&p);
	assert_false(tk_feed(&p, 27, &k));
	assert_true(tk_feed(&p, 27, &k));
	assert_int_equal(k.kind, TK_ESC);
	assert_true(tk_busy(&p));
}

static void test_cut_short(void **state)
{
	struct tk_parser p;
	struct tk_key k;
	const char *s = "[1";

	(void)state;
	/* ESC [ 1 and no more in time: nothing, and no '1' typed. */
	assert_ignored("[1");
	assert_ignored("[1;");
	assert_ignored("[[");

	/* A new Esc inside a sequence: the cut one is nothing, and the new
	 * one is read in full. */
	tk_start(&p);
	for (; *s; s++)
		assert_false(tk_feed(&p, *s, &k));
	assert_true(tk_feed(&p, 27, &k));
	assert_int_equal(k.kind, TK_IGNORE);
	assert_true(tk_busy(&p));
	assert_false(tk_feed(&p, 'O', &k));
	assert_true(tk_feed(&p, 'H', &k));
	assert_int_equal(k.kind, TK_FN);
	assert_int_equal(k.code, TK_HOME);

	/* A control byte inside: nothing. */
	tk_start(&p);
	assert_false(tk_feed(&p, '[', &k));
	assert_true(tk_feed(&p, '\n', &k));
	assert_int_equal(k.kind, TK_IGNORE);
}

static void test_patience(void **state)
{
	struct tk_parser p;
	struct tk_key k;

	(void)state;
	/* A lone Esc is waited on briefly; a started sequence longer. */
	tk_start(&p);
	int lone = tk_patience(&p);
	assert_false(tk_feed(&p, '[', &k));
	assert_true(tk_patience(&p) > lone);
	assert_true(lone > 0 && lone <= 100);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_putty_defaults),
	    cmocka_unit_test(test_xterm),
	    cmocka_unit_test(test_screen_tmux),
	    cmocka_unit_test(test_linux_console),
	    cmocka_unit_test(test_rxvt),
	    cmocka_unit_test(test_keypad_application_mode),
	    cmocka_unit_test(test_unknown_read_whole),
	    cmocka_unit_test(test_alt_with_a_key),
	    cmocka_unit_test(test_lone_and_double_esc),
	    cmocka_unit_test(test_cut_short),
	    cmocka_unit_test(test_patience),
	};

	return cmocka_run_group_tests_name("termkeys", tests, NULL, NULL);
}
