/* Unit tests for the keymaps (tui/keymap.c and each screen's file): every
 * keymap of every screen, and of each of its modes, binds no key twice; every
 * request a key makes there has a label for the key bar and a line for help;
 * everything the key bar offers is a key that does it there; and where text
 * is typed, letters are text, not commands. The keymaps are data: this reads
 * them through screens.def, without a terminal. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#define NCURSES_WIDECHAR 1
#include "tui/ui.h"

#include <curses.h>
#include <stdio.h>
#include <string.h>

static const struct {
	const char *name;
	const struct view_ops *ops;
} screens[] = {
#define SCREEN(name) {#name, &name##_ops},
#include "tui/screens.def"
#undef SCREEN
};

#define EACH_KEYMAP(s, m, km)                                                                      \
	for (size_t s = 0; s < sizeof screens / sizeof *screens; s++)                              \
		for (size_t m = 0; screens[s].ops->keymaps[m]; m++)                                \
			for (const struct keymap *km = screens[s].ops->keymaps[m]; km;             \
			     km = km->parent)

static void every_screen_has_a_keymap(void **state)
{
	(void)state;
	for (size_t s = 0; s < sizeof screens / sizeof *screens; s++) {
		if (!screens[s].ops->keymaps || !screens[s].ops->keymaps[0])
			fail_msg("screen %s has no keymap", screens[s].name);
		if (!screens[s].ops->keymaps[1] && screens[s].ops->mode)
			fail_msg("screen %s has modes but one keymap", screens[s].name);
	}
}

static void no_key_twice(void **state)
{
	(void)state;
	EACH_KEYMAP(s, m, km)
	{
		for (size_t i = 0; i < km->n; i++)
			for (size_t j = i + 1; j < km->n; j++)
				if (km->keys[i].ch == km->keys[j].ch &&
				    km->keys[i].fnkey == km->keys[j].fnkey)
					fail_msg("%s (screen %s): key %#x bound twice", km->name,
					         screens[s].name, (unsigned)km->keys[i].ch);
	}
}

static void every_request_is_named(void **state)
{
	(void)state;
	EACH_KEYMAP(s, m, km)
	{
		for (size_t i = 0; i < km->n; i++) {
			enum request r = km->keys[i].req;
			if (r <= REQ_NONE || r >= REQ_COUNT)
				fail_msg("%s: key %#x makes no request", km->name,
				         (unsigned)km->keys[i].ch);
			if (!request_label(r)[0] || !request_help(r)[0])
				fail_msg("%s: request %d has no label or no help line", km->name,
				         (int)r);
		}
	}
}

/* The bar shows a request with the first key that works for it: there must
 * be one, or the bar would offer a key that does something else. */
static void the_bar_offers_only_keys_that_work(void **state)
{
	(void)state;
	EACH_KEYMAP(s, m, km)
	{
		if (km != screens[s].ops->keymaps[m])
			continue; /* a parent's bar is never shown */
		for (size_t i = 0; i < km->nbar; i++) {
			struct binding b;
			bool found = false;
			for (size_t j = 0; !found && keymap_binding(km, j, &b); j++)
				if (b.req == km->bar[i] &&
				    keymap_lookup(km, b.ch, b.fnkey) == km->bar[i])
					found = true;
			if (!found)
				fail_msg("%s: the bar offers request %d, which no key makes",
				         km->name, (int)km->bar[i]);
		}
	}
}

/* What help lists is what the lookup does: every binding it walks is the
 * one the lookup finds for that key. */
static void help_lists_what_the_keys_do(void **state)
{
	(void)state;
	EACH_KEYMAP(s, m, km)
	{
		struct binding b;
		if (km != screens[s].ops->keymaps[m])
			continue;
		for (size_t j = 0; keymap_binding(km, j, &b); j++)
			assert_int_equal(keymap_lookup(km, b.ch, b.fnkey), b.req);
	}
}

static const struct keymap *mode_of(const struct view_ops *ops, size_t m)
{
	return ops->keymaps[m];
}

/* While a search is typed (the list's second keymap) or a field edited,
 * q, s and ? are text; F1 still helps. */
static void letters_are_text_where_text_is_typed(void **state)
{
	const struct keymap *typing[] = {mode_of(&list_ops, 1), mode_of(&form_ops, 0),
	                                 mode_of(&form_ops, 1), mode_of(&note_ops, 0)};

	(void)state;
	for (size_t i = 0; i < sizeof typing / sizeof *typing; i++) {
		for (const char *c = "qs?/eKmjk "; *c; c++)
			if (keymap_lookup(typing[i], (wint_t)*c, false) != REQ_NONE)
				fail_msg("%s: '%c' is not text", typing[i]->name, *c);
		assert_int_equal(keymap_lookup(typing[i], KEY_F(1), true), REQ_HELP);
		assert_int_equal(keymap_lookup(typing[i], '\r', false),
		                 keymap_lookup(typing[i], '\n', false));
	}
	assert_int_equal(keymap_lookup(mode_of(&list_ops, 0), '?', false), REQ_HELP);
	assert_int_equal(keymap_lookup(mode_of(&list_ops, 0), 'q', false), REQ_EXIT);
	assert_int_equal(keymap_lookup(mode_of(&conflict_ops, 0), '?', false), REQ_HELP);
}

/* The form's editing keys are in its keymap, so help can list them. */
static void the_form_has_the_editing_keys(void **state)
{
	const struct keymap *km = mode_of(&form_ops, 0);

	(void)state;
	assert_int_equal(keymap_lookup(km, CTRL('a'), false), REQ_ED_HOME);
	assert_int_equal(keymap_lookup(km, KEY_HOME, true), REQ_ED_HOME);
	assert_int_equal(keymap_lookup(km, CTRL('e'), false), REQ_ED_END);
	assert_int_equal(keymap_lookup(km, KEY_END, true), REQ_ED_END);
	assert_int_equal(keymap_lookup(km, CTRL('k'), false), REQ_ED_KILL_EOL);
	assert_int_equal(keymap_lookup(km, CTRL('u'), false), REQ_ED_KILL_LINE);
	assert_int_equal(keymap_lookup(km, CTRL('w'), false), REQ_ED_KILL_WORD);
	assert_int_equal(keymap_lookup(km, KEY_BTAB, true), REQ_PREV);
	assert_int_equal(keymap_lookup(km, 127, false), REQ_ED_BACKSPACE);
	/* A field of lines: Enter is a new line there, the next field elsewhere. */
	assert_int_equal(keymap_lookup(km, '\n', false), REQ_NEXT);
	assert_int_equal(keymap_lookup(mode_of(&form_ops, 1), '\n', false), REQ_NEWLINE);
	assert_int_equal(keymap_lookup(mode_of(&form_ops, 1), CTRL('k'), false), REQ_ED_KILL_EOL);
}

static void keys_are_named_as_people_type_them(void **state)
{
	char buf[32];

	(void)state;
	assert_string_equal(ui_key_name(CTRL('a'), false, buf, sizeof buf), "^A");
	assert_string_equal(ui_key_name(KEY_BTAB, true, buf, sizeof buf), "S-Tab");
	assert_string_equal(ui_key_name(KEY_F(1), true, buf, sizeof buf), "F1");
	assert_string_equal(ui_key_name('\n', false, buf, sizeof buf), "Enter");
	assert_string_equal(ui_key_name('q', false, buf, sizeof buf), "q");
	assert_string_equal(ui_key_name(KEY_HOME, true, buf, sizeof buf), "Home");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(every_screen_has_a_keymap),
	    cmocka_unit_test(no_key_twice),
	    cmocka_unit_test(every_request_is_named),
	    cmocka_unit_test(the_bar_offers_only_keys_that_work),
	    cmocka_unit_test(help_lists_what_the_keys_do),
	    cmocka_unit_test(letters_are_text_where_text_is_typed),
	    cmocka_unit_test(the_form_has_the_editing_keys),
	    cmocka_unit_test(keys_are_named_as_people_type_them),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
