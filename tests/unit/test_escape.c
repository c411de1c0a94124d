/* Issue 7, finding 2: text a terminal would obey. A note or value holding
 * escape sequences, C1 controls, bidi overrides or invalid UTF-8 is refused
 * where it enters the store; and one planted below that check (an older
 * mappe's data, or another program's) is printed escaped, with show --json
 * still valid JSON.
 *
 * Planting uses store/private.h (tests/unit/plant.h), as the tampering tests
 * of test_store.c do. Every value is invented. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store/private.h"
#include "store/store.h"
#include "store/validate.h"
#include "tests/unit/plant.h"
#include "tests/unit/tmpdir.h"
#include "tests/unit/open.h"

static const struct keys_kdf kdf_min = {2, 64ull << 20};
static const char admin_pass[] = "admin passphrase one";

struct fx {
	char dir[128];
	store *st;
	uint64_t id; /* one ordinary case */
};

static int fx_setup(void **state)
{
	struct store_options opt = {0, &kdf_min};
	struct fx *t = calloc(1, sizeof *t);
	struct case_rec c;
	char err[512];

	if (!t || keys_init() != KEYS_OK)
		return -1;
	make_dir(t->dir, sizeof t->dir);
	if (t_store_create(t->dir, "admin", admin_pass, strlen(admin_pass), &opt, err, sizeof err) ||
	    t_store_open(t->dir, &opt, &t->st, err, sizeof err) ||
	    store_unlock(t->st, "admin", admin_pass, strlen(admin_pass)))
		return -1;
	case_init(&c);
	case_set(&c, F_given_name, "Kari", 4);
	case_set(&c, F_family_name, "Nordmann", 8);
	if (store_case_insert(t->st, &c, 1, &t->id))
		return -1;
	case_clear(&c);
	*state = t;
	return 0;
}

static int fx_teardown(void **state)
{
	struct fx *t = *state;

	store_close(t->st);
	remove_dir(t->dir);
	free(t);
	return 0;
}

/* ---- in: the store boundary ---------------------------------------------- */

static void note_refused(store *st, uint64_t id, const char *text, const char *want)
{
	assert_int_equal(store_note_add(st, id, NOTE_OTHER, false, text, strlen(text)), M_INPUT);
	assert_string_equal(store_error(st), want);
}

static void test_note_add_refuses_controls(void **state)
{
	struct fx *t = *state;
	struct note *notes;
	size_t n;

	/* Clear the screen, retitle the window, paint a prompt. */
	note_refused(t->st, t->id, "ok\x1b[2J\x1b]0;mappe\x07Passphrase: ",
	             "note: contains a control character (U+001B)");
	note_refused(t->st, t->id,
	             "csi\xC2\x9B"
	             "2J",
	             "note: contains a control character (U+009B)");
	note_refused(t->st, t->id, "del\x7f", "note: contains a control character (U+007F)");
	note_refused(t->st, t->id,
	             "\xE2\x80\xAE"
	             "evil",
	             "note: contains a bidirectional control character (U+202E)");
	note_refused(t->st, t->id,
	             "x\xE2\x81\xA6"
	             "y",
	             "note: contains a bidirectional control character (U+2066)");
	note_refused(t->st, t->id, "x\xF3\xA0\x81\x81", "note: contains a tag character (U+E0041)");
	note_refused(t->st, t->id, "bad\xC3\x28", "note: is not valid UTF-8 text");
	note_refused(t->st, t->id, "\xE3\x85\xA4",
	             "note: must not be blank: it holds only spaces or invisible characters");
	note_refused(t->st, t->id, "lone\rcr", "note: contains a control character (U+000D)");
	assert_int_equal(store_notes_get(t->st, t->id, &notes, &n), M_OK);
	assert_int_equal(n, 0);
	notes_free(notes, n);
}

static void test_note_add_keeps_text(void **state)
{
	struct fx *t = *state;
	static const char persian[] = "دیدار با محمد\xE2\x80\x8Cرضا\n\tگام بعدی";
	struct note *notes;
	size_t n;

	assert_int_equal(
	    store_note_add(t->st, t->id, NOTE_MEETING, false, persian, strlen(persian)), M_OK);
	/* CRLF is stored as LF, as in fields. */
	assert_int_equal(store_note_add(t->st, t->id, NOTE_PHONE, false, "one\r\ntwo", 8), M_OK);
	assert_int_equal(store_notes_get(t->st, t->id, &notes, &n), M_OK);
	assert_int_equal(n, 2);
	assert_int_equal(notes[0].len, strlen(persian));
	assert_memory_equal(notes[0].text, persian, notes[0].len);
	assert_int_equal(notes[1].len, 7);
	assert_memory_equal(notes[1].text, "one\ntwo", 7);
	notes_free(notes, n);
}

static void test_case_values_checked_in_store(void **state)
{
	struct fx *t = *state;
	struct case_rec c;
	uint64_t id;

	case_init(&c);
	c.id = t->id;
	case_set(&c, F_given_name,
	         "\xE2\x80\xAE"
	         "iraK",
	         7);
	assert_int_equal(store_case_update(t->st, &c, 0), M_INPUT);
	assert_string_equal(
	    store_error(t->st),
	    "field given_name: contains a bidirectional control character (U+202E)");
	case_clear(&c);

	case_init(&c);
	case_set(&c, F_municipality, "Oslo\x1b[8m", 8);
	assert_int_equal(store_case_insert(t->st, &c, 1, &id), M_INPUT);
	assert_string_equal(store_error(t->st),
	                    "field municipality: contains a control character (U+001B)");
	case_clear(&c);

	case_init(&c);
	case_set(&c, F_family_name, "\xE3\x85\xA4", 3);
	assert_int_equal(store_case_insert(t->st, &c, 1, &id), M_INPUT);
	assert_string_equal(
	    store_error(t->st),
	    "field family_name: must not be blank: it holds only spaces or invisible characters");
	case_clear(&c);
}

/* ---- out: what was planted below the check -------------------------------- */

/* A strict RFC 8259 reader that says only yes or no, and also no to any raw
 * control, C1 or bidi character: what show --json prints must be JSON, and
 * safe on the terminal it is often printed to. */
struct jv {
	const unsigned char *s;
	size_t len, pos;
};

static bool jv_value(struct jv *p, int depth);

static void jv_ws(struct jv *p)
{
	while (p->pos < p->len && strchr(" \t\r\n", p->s[p->pos]) && p->s[p->pos])
		p->pos++;
}

static bool jv_lit(struct jv *p, const char *w)
{
	size_t n = strlen(w);

	if (p->len - p->pos < n || memcmp(p->s + p->pos, w, n) != 0)
		return false;
	p->pos += n;
	return true;
}

static bool jv_string(struct jv *p)
{
	if (p->pos >= p->len || p->s[p->pos] != '"')
		return false;
	p->pos++;
	while (p->pos < p->len) {
		uint32_t cp;
		size_t n = utf8_decode(p->s + p->pos, p->len - p->pos, &cp);

		if (n == 0 || text_char_unsafe(cp))
			return false;
		if (cp == '"') {
			p->pos++;
			return true;
		}
		if (cp == '\\') {
			if (p->pos + 1 >= p->len)
				return false;
			char e = (char)p->s[p->pos + 1];
			if (e == 'u') {
				if (p->len - p->pos < 6)
					return false;
				for (int i = 2; i < 6; i++)
					if (!strchr("0123456789abcdefABCDEF", p->s[p->pos + i]) ||
					    !p->s[p->pos + i])
						return false;
				p->pos += 6;
				continue;
			}
			if (!strchr("\"\\/bfnrt", e) || !e)
				return false;
			p->pos += 2;
			continue;
		}
		p->pos += n;
	}
	return false;
}

static bool jv_number(struct jv *p)
{
	size_t start = p->pos;

	if (p->pos < p->len && p->s[p->pos] == '-')
		p->pos++;
	while (p->pos < p->len && p->s[p->pos] >= '0' && p->s[p->pos] <= '9')
		p->pos++;
	return p->pos > start;
}

static bool jv_list(struct jv *p, int depth, char close, bool members)
{
	p->pos++;
	jv_ws(p);
	if (p->pos < p->len && p->s[p->pos] == close) {
		p->pos++;
		return true;
	}
	for (;;) {
		jv_ws(p);
		if (members) {
			if (!jv_string(p))
				return false;
			jv_ws(p);
			if (p->pos >= p->len || p->s[p->pos++] != ':')
				return false;
		}
		if (!jv_value(p, depth + 1))
			return false;
		jv_ws(p);
		if (p->pos >= p->len)
			return false;
		if (p->s[p->pos] == close) {
			p->pos++;
			return true;
		}
		if (p->s[p->pos++] != ',')
			return false;
	}
}

static bool jv_value(struct jv *p, int depth)
{
	if (depth > 16)
		return false;
	jv_ws(p);
	if (p->pos >= p->len)
		return false;
	switch (p->s[p->pos]) {
	case '{':
		return jv_list(p, depth, '}', true);
	case '[':
		return jv_list(p, depth, ']', false);
	case '"':
		return jv_string(p);
	default:
		return jv_lit(p, "true") || jv_lit(p, "false") || jv_lit(p, "null") || jv_number(p);
	}
}

static bool json_valid(const char *s, size_t len)
{
	struct jv p = {(const unsigned char *)s, len, 0};

	if (!jv_value(&p, 0))
		return false;
	jv_ws(&p);
	return p.pos == len;
}

/* No ESC, no C1 (raw or as UTF-8), no bidi control, no invalid UTF-8. */
static bool terminal_safe(const char *s, size_t len)
{
	const unsigned char *u = (const unsigned char *)s;

	for (size_t i = 0; i < len;) {
		uint32_t cp;
		size_t n = utf8_decode(u + i, len - i, &cp);

		if (n == 0 || (text_char_unsafe(cp) && cp != '\n' && cp != '\t'))
			return false;
		i += n;
	}
	return true;
}

/* Everything a hostile note or an old value could hold. */
static const char hostile[] = "a\x1b[2J\x1b]0;owned\x07\x1b[8m"
                              "\xC2\x9B"
                              "31m\xC2\x85\x7f"
                              "\xE2\x80\xAE"
                              "gpj.exe"
                              "\xF3\xA0\x81\x81"
                              "\xFF\xC3\x28\xED\xA0\x80"
                              "\nPassphrase: ";

static void test_planted_note_printed_safely(void **state)
{
	struct fx *t = *state;
	struct case_rec c;
	struct note *notes;
	size_t n, outlen;
	char *out = NULL;
	FILE *f;

	assert_int_equal(plant_note(t->st, t->id, "ev\x1b[5mil", hostile, sizeof hostile - 1),
	                 M_OK);
	assert_int_equal(store_notes_get(t->st, t->id, &notes, &n), M_OK);
	assert_int_equal(n, 1);
	assert_int_equal(notes[0].len, sizeof hostile - 1); /* stored as it was */

	case_init(&c);
	assert_int_equal(store_case_get(t->st, t->id, &c), M_OK);
	f = open_memstream(&out, &outlen);
	assert_non_null(f);
	case_write_json(f, &c, notes, n, false);
	assert_int_equal(fclose(f), 0);
	assert_true(json_valid(out, outlen));
	assert_true(terminal_safe(out, outlen));
	assert_non_null(strstr(out, "\\u001b[2J"));
	assert_non_null(strstr(out, "\\u009b31m"));
	assert_non_null(strstr(out, "\\u202egpj.exe"));
	assert_non_null(strstr(out, "\\ufffd"));
	assert_non_null(strstr(out, "\"author\": \"ev\\u001b[5mil\""));
	free(out);

	out = NULL;
	f = open_memstream(&out, &outlen);
	assert_non_null(f);
	text_write_safe(f, notes[0].text, notes[0].len, "    ");
	text_write_safe(f, notes[0].author, strlen(notes[0].author), NULL);
	assert_int_equal(fclose(f), 0);
	assert_true(terminal_safe(out, outlen));
	assert_non_null(strstr(out, "a<U+001B>[2J<U+001B>]0;owned<U+0007>"));
	assert_non_null(strstr(out, "\n    Passphrase: "));
	free(out);
	notes_free(notes, n);
	case_clear(&c);
}

static void test_planted_values_printed_safely(void **state)
{
	struct fx *t = *state;
	struct case_rec c, got;
	size_t outlen;
	char *out = NULL;
	uint64_t id;
	FILE *f;

	case_init(&c);
	case_set(&c, F_given_name, hostile, sizeof hostile - 1);
	case_set(&c, F_family_name, "\xE3\x85\xA4", 3);
	case_set(&c, F_address, hostile, sizeof hostile - 1);
	case_set(&c, F_caseworker, "k\x1b[2Jari", 8);
	assert_int_equal(plant_case(t->st, &c, &id), M_OK);
	case_clear(&c);

	case_init(&got);
	assert_int_equal(store_case_get(t->st, id, &got), M_OK);
	assert_int_equal(got.len[F_given_name], sizeof hostile - 1);
	f = open_memstream(&out, &outlen);
	assert_non_null(f);
	case_write_json(f, &got, NULL, 0, false);
	assert_int_equal(fclose(f), 0);
	assert_true(json_valid(out, outlen));
	assert_true(terminal_safe(out, outlen));
	free(out);
	case_clear(&got);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_note_add_refuses_controls, fx_setup, fx_teardown),
	    cmocka_unit_test_setup_teardown(test_note_add_keeps_text, fx_setup, fx_teardown),
	    cmocka_unit_test_setup_teardown(test_case_values_checked_in_store, fx_setup,
	                                    fx_teardown),
	    cmocka_unit_test_setup_teardown(test_planted_note_printed_safely, fx_setup,
	                                    fx_teardown),
	    cmocka_unit_test_setup_teardown(test_planted_values_printed_safely, fx_setup,
	                                    fx_teardown),
	};

	return cmocka_run_group_tests_name("escape", tests, NULL, NULL);
}
