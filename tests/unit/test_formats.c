/* Unit tests for store/formats.c: the CSV and JSON readers and the JSON
 * string writer. Inputs are copied into exact-size heap buffers (len + 1, the
 * contract) so that ASan and valgrind see any read past the end. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "store/formats.h"

/* The spare byte at buf[len] holds a byte that would change the outcome if a
 * reader looked at it, which catches overreads the allocator cannot. */
static char *copy_in(const char *s, size_t len, char poison)
{
	char *buf = malloc(len + 1);

	assert_non_null(buf);
	memcpy(buf, s, len);
	buf[len] = poison;
	return buf;
}

/* ---- CSV ------------------------------------------------------------------ */

struct csv_fixture {
	char *buf;
	struct csv_reader r;
	struct csv_row row;
	char err[128];
};

static void csv_open(struct csv_fixture *fx, const char *s, size_t len)
{
	fx->buf = copy_in(s, len, '"');
	fx->err[0] = '\0';
	csv_init(&fx->r, fx->buf, len);
}

#define CSV_OPEN(fx, lit) csv_open((fx), (lit), sizeof(lit) - 1)

/* csv_next, with its error as "line N: why" in fx->err. */
static int csv_next_fx(struct csv_fixture *fx)
{
	struct parse_error pe = {0};
	int rc = csv_next(&fx->r, &fx->row, &pe);

	if (rc < 0) {
		assert_int_equal(pe.column, 0);
		assert_non_null(pe.why);
		snprintf(fx->err, sizeof fx->err, "line %u: %s", pe.line, pe.why);
	}
	return rc;
}

static void expect_row(struct csv_fixture *fx, unsigned line, size_t n, ...)
{
	va_list ap;

	assert_int_equal(csv_next_fx(fx), 1);
	assert_int_equal(fx->row.line, line);
	assert_int_equal(fx->row.nfields, n);
	va_start(ap, n);
	for (size_t i = 0; i < n; i++) {
		const char *want = va_arg(ap, const char *);

		assert_int_equal(fx->row.flen[i], strlen(want));
		assert_memory_equal(fx->row.field[i], want, strlen(want));
		assert_int_equal(fx->row.field[i][fx->row.flen[i]], '\0');
	}
	va_end(ap);
}

static void expect_end(struct csv_fixture *fx)
{
	assert_int_equal(csv_next_fx(fx), 0);
	assert_int_equal(csv_next_fx(fx), 0);
}

static void expect_error(struct csv_fixture *fx, const char *msg)
{
	assert_int_equal(csv_next_fx(fx), -1);
	assert_string_equal(fx->err, msg);
}

static void test_csv_comma(void **state)
{
	struct csv_fixture fx;

	(void)state;
	CSV_OPEN(&fx, "name,born,note\nAda,1815-12-10,x;y\n");
	assert_int_equal(fx.r.delim, ',');
	expect_row(&fx, 1, 3, "name", "born", "note");
	expect_row(&fx, 2, 3, "Ada", "1815-12-10", "x;y");
	expect_end(&fx);
	free(fx.buf);
}

static void test_csv_semicolon(void **state)
{
	struct csv_fixture fx;

	(void)state;
	CSV_OPEN(&fx, "navn;fødd;merknad\nÅse;1990-01-02;2,5\n");
	assert_int_equal(fx.r.delim, ';');
	expect_row(&fx, 1, 3, "navn", "fødd", "merknad");
	expect_row(&fx, 2, 3, "Åse", "1990-01-02", "2,5");
	expect_end(&fx);
	free(fx.buf);
}

static void test_csv_delimiter_detection(void **state)
{
	struct csv_fixture fx;

	(void)state;
	/* a tie goes to the comma */
	CSV_OPEN(&fx, "a;b,c\n");
	assert_int_equal(fx.r.delim, ',');
	free(fx.buf);
	/* separators inside quotes do not count */
	CSV_OPEN(&fx, "\"x,y,\"\"z\"\"\";b;c\n1,2\n");
	assert_int_equal(fx.r.delim, ';');
	expect_row(&fx, 1, 3, "x,y,\"z\"", "b", "c");
	free(fx.buf);
	/* only the first line counts, and leading blank lines are not it */
	CSV_OPEN(&fx, "\r\n\na;b\n1,2,3,4\n");
	assert_int_equal(fx.r.delim, ';');
	expect_row(&fx, 3, 2, "a", "b");
	expect_row(&fx, 4, 1, "1,2,3,4");
	free(fx.buf);
	/* no separator at all: one column, comma by default */
	CSV_OPEN(&fx, "only\n");
	assert_int_equal(fx.r.delim, ',');
	expect_row(&fx, 1, 1, "only");
	free(fx.buf);
}

static void test_csv_bom(void **state)
{
	struct csv_fixture fx;

	(void)state;
	CSV_OPEN(&fx, "\xEF\xBB\xBF"
	              "a;b\n1;2\n");
	assert_int_equal(fx.r.delim, ';');
	expect_row(&fx, 1, 2, "a", "b");
	expect_row(&fx, 2, 2, "1", "2");
	expect_end(&fx);
	free(fx.buf);
	/* a BOM and nothing else is an empty file */
	CSV_OPEN(&fx, "\xEF\xBB\xBF");
	expect_end(&fx);
	free(fx.buf);
}

static void test_csv_crlf(void **state)
{
	struct csv_fixture fx;

	(void)state;
	CSV_OPEN(&fx, "a,b\r\n1,2\r\n3,\r\n");
	expect_row(&fx, 1, 2, "a", "b");
	expect_row(&fx, 2, 2, "1", "2");
	expect_row(&fx, 3, 2, "3", "");
	expect_end(&fx);
	free(fx.buf);
	/* a CR cut off from its LF at the very end */
	CSV_OPEN(&fx, "a,b\r");
	expect_row(&fx, 1, 2, "a", "b");
	expect_end(&fx);
	free(fx.buf);
}

static void test_csv_quoted(void **state)
{
	struct csv_fixture fx;

	(void)state;
	CSV_OPEN(&fx, "id,note\r\n"
	              "1,\"x, \"\"y\"\"\r\nz\n\"\r\n"
	              "2,\"\"\r\n"
	              "\"3\",\"a\rb\"\n");
	expect_row(&fx, 1, 2, "id", "note");
	expect_row(&fx, 2, 2, "1", "x, \"y\"\nz\n");
	/* the record above spans lines 2-4 */
	expect_row(&fx, 5, 2, "2", "");
	/* a lone CR inside quotes is data */
	expect_row(&fx, 6, 2, "3", "a\rb");
	expect_end(&fx);
	free(fx.buf);
}

static void test_csv_no_final_newline(void **state)
{
	struct csv_fixture fx;

	(void)state;
	CSV_OPEN(&fx, "a,b\n1,22");
	expect_row(&fx, 1, 2, "a", "b");
	expect_row(&fx, 2, 2, "1", "22");
	expect_end(&fx);
	free(fx.buf);

	CSV_OPEN(&fx, "a,b\n1,");
	expect_row(&fx, 1, 2, "a", "b");
	expect_row(&fx, 2, 2, "1", "");
	expect_end(&fx);
	free(fx.buf);

	CSV_OPEN(&fx, "a,\"b\nc\"");
	expect_row(&fx, 1, 2, "a", "b\nc");
	expect_end(&fx);
	free(fx.buf);
}

static void test_csv_blank_lines(void **state)
{
	struct csv_fixture fx;

	(void)state;
	CSV_OPEN(&fx, "\na,b\n\n\r\n1,2\n\n");
	expect_row(&fx, 2, 2, "a", "b");
	expect_row(&fx, 5, 2, "1", "2");
	expect_end(&fx);
	free(fx.buf);

	CSV_OPEN(&fx, "");
	expect_end(&fx);
	free(fx.buf);

	CSV_OPEN(&fx, "\n\r\n\n");
	expect_end(&fx);
	free(fx.buf);

	/* a line of spaces is not blank: it is one field */
	CSV_OPEN(&fx, " \n");
	expect_row(&fx, 1, 1, " ");
	free(fx.buf);
}

static void test_csv_empty_fields(void **state)
{
	struct csv_fixture fx;

	(void)state;
	CSV_OPEN(&fx, ",,\na,,b\n,\"\",\n");
	expect_row(&fx, 1, 3, "", "", "");
	expect_row(&fx, 2, 3, "a", "", "b");
	expect_row(&fx, 3, 3, "", "", "");
	expect_end(&fx);
	free(fx.buf);
}

static void test_csv_unterminated_quote(void **state)
{
	struct csv_fixture fx;

	(void)state;
	CSV_OPEN(&fx, "a,b\n1,\"secret\n\nmore\n");
	expect_row(&fx, 1, 2, "a", "b");
	/* the line where the quote opened, not where the input ran out */
	expect_error(&fx, "line 2: unterminated quoted field");
	free(fx.buf);

	CSV_OPEN(&fx, "\"");
	expect_error(&fx, "line 1: unterminated quoted field");
	free(fx.buf);

	/* an escaped quote at the very end does not close the field */
	CSV_OPEN(&fx, "\"ab\"\"");
	expect_error(&fx, "line 1: unterminated quoted field");
	free(fx.buf);
}

static void test_csv_stray_quote(void **state)
{
	struct csv_fixture fx;

	(void)state;
	CSV_OPEN(&fx, "a,b\n\n1,se\"cret\n");
	expect_row(&fx, 1, 2, "a", "b");
	expect_error(&fx, "line 3: quote in unquoted field");
	free(fx.buf);

	CSV_OPEN(&fx, "a,\"b\nc\"secret,d\n");
	expect_error(&fx, "line 2: text after closing quote");
	free(fx.buf);

	CSV_OPEN(&fx, "\"a\" ,b\n");
	expect_error(&fx, "line 1: text after closing quote");
	free(fx.buf);
}

static void test_csv_nul(void **state)
{
	static const char in1[] = "a,b\n1,x\0y\n";
	static const char in2[] = "a,\"x\ny\0\"\n";
	static const char in3[] = "a,\"x\"\0\n";
	static const char in4[] = "\0";
	struct csv_fixture fx;

	(void)state;
	csv_open(&fx, in1, sizeof in1 - 1);
	expect_row(&fx, 1, 2, "a", "b");
	expect_error(&fx, "line 2: NUL byte");
	free(fx.buf);

	csv_open(&fx, in2, sizeof in2 - 1);
	expect_error(&fx, "line 2: NUL byte");
	free(fx.buf);

	csv_open(&fx, in3, sizeof in3 - 1);
	expect_error(&fx, "line 1: NUL byte");
	free(fx.buf);

	csv_open(&fx, in4, sizeof in4 - 1);
	expect_error(&fx, "line 1: NUL byte");
	free(fx.buf);
}

static void test_csv_lone_cr(void **state)
{
	struct csv_fixture fx;

	(void)state;
	CSV_OPEN(&fx, "a,b\r1,2\r");
	expect_error(&fx, "line 1: carriage return without line feed");
	free(fx.buf);
}

static void test_csv_too_many_fields(void **state)
{
	char in[2 * (CSV_MAX_FIELDS + 1) + 1];
	struct csv_fixture fx;
	size_t n = 0;

	(void)state;
	for (int i = 0; i < CSV_MAX_FIELDS; i++) {
		in[n++] = 'x';
		in[n++] = ',';
	}
	in[n - 1] = '\n';
	csv_open(&fx, in, n);
	assert_int_equal(csv_next_fx(&fx), 1);
	assert_int_equal(fx.row.nfields, CSV_MAX_FIELDS);
	expect_end(&fx);
	free(fx.buf);

	/* one more, and an empty last field counts as well */
	in[n - 1] = ',';
	csv_open(&fx, in, n);
	expect_error(&fx, "line 1: too many fields");
	free(fx.buf);
}

static void test_csv_error_leaves_reader(void **state)
{
	struct csv_fixture fx;

	(void)state;
	CSV_OPEN(&fx, "a,b\n1,\"x\n");
	expect_row(&fx, 1, 2, "a", "b");
	expect_error(&fx, "line 2: unterminated quoted field");
	assert_int_equal(fx.r.line, 2);
	free(fx.buf);
}

/* Every prefix of a tricky file must parse or fail cleanly. */
static void test_csv_prefixes(void **state)
{
	static const char in[] = "\xEF\xBB\xBF"
	                         "a;\"b;\"\"c\"\"\r\nd\"\r\n\r\n;;\n\"\"\n";

	(void)state;
	for (size_t len = 0; len <= sizeof in - 1; len++) {
		struct csv_fixture fx;
		int rc;
		int rows = 0;

		csv_open(&fx, in, len);
		while ((rc = csv_next_fx(&fx)) == 1)
			assert_true(++rows <= 3);
		assert_true(rc == 0 || rc == -1);
		free(fx.buf);
	}
}

/* ---- JSON ----------------------------------------------------------------- */

struct json_fixture {
	char *buf;
	struct json_object o;
	char err[128];
};

static int jparse(struct json_fixture *fx, const char *s, size_t len)
{
	fx->buf = copy_in(s, len, '}');
	struct parse_error pe = {0};
	int rc;

	fx->err[0] = '\0';
	rc = json_parse_object(fx->buf, len, &fx->o, &pe);
	if (rc < 0) {
		assert_int_equal(pe.line, 0);
		assert_non_null(pe.why);
		snprintf(fx->err, sizeof fx->err, "column %zu: %s", pe.column, pe.why);
	}
	return rc;
}

/* Parses a NUL-free string and expects success. */
static void json_ok(struct json_fixture *fx, const char *s)
{
	int rc = jparse(fx, s, strlen(s));

	if (rc != 0)
		fail_msg("unexpected error: %s", fx->err);
}

/* Parses a NUL-free string and expects exactly this error. */
static void json_bad(const char *s, const char *msg)
{
	struct json_fixture fx;

	assert_int_equal(jparse(&fx, s, strlen(s)), -1);
	if (msg)
		assert_string_equal(fx.err, msg);
	else
		assert_true(fx.err[0] != '\0');
	free(fx.buf);
}

static void expect_member(const struct json_fixture *fx, size_t i, const char *key,
                          enum json_kind kind, const char *val, size_t vlen)
{
	const struct json_member *m = &fx->o.m[i];

	assert_true(i < fx->o.n);
	assert_int_equal(m->klen, strlen(key));
	assert_memory_equal(m->key, key, m->klen);
	assert_int_equal(m->key[m->klen], '\0');
	assert_int_equal(m->kind, kind);
	if (!val) {
		assert_null(m->val);
		return;
	}
	assert_non_null(m->val);
	assert_int_equal(m->vlen, vlen);
	assert_memory_equal(m->val, val, vlen);
	assert_int_equal(m->val[vlen], '\0');
}

static void test_json_simple(void **state)
{
	struct json_fixture fx;

	(void)state;
	json_ok(&fx, "{\"name\":\"Ada\",\"age\":36,\"kommune\":\"Bærum\"}");
	assert_int_equal(fx.o.n, 3);
	expect_member(&fx, 0, "name", JSON_STRING, "Ada", 3);
	expect_member(&fx, 1, "age", JSON_NUMBER, "36", 2);
	expect_member(&fx, 2, "kommune", JSON_STRING, "Bærum", strlen("Bærum"));
	free(fx.buf);
}

static void test_json_empty_object(void **state)
{
	struct json_fixture fx;

	(void)state;
	json_ok(&fx, "{}");
	assert_int_equal(fx.o.n, 0);
	free(fx.buf);
	json_ok(&fx, " \r\n\t{ \n }\n");
	assert_int_equal(fx.o.n, 0);
	free(fx.buf);

	json_bad("", "column 1: unexpected end of input");
	json_bad("  \n", "column 4: unexpected end of input");
	json_bad("[]", "column 1: expected '{'");
	json_bad("\"a\"", "column 1: expected '{'");
	json_bad("{,}", "column 2: expected a key");
	json_bad("{\"a\":1,}", "column 8: expected a key");
}

static void test_json_escapes(void **state)
{
	static const char want[] = "q\"b\\s/b\bf\fn\nr\rt\tA\xC3\xA9\xE2\x82\xAC\x7F!";
	struct json_fixture fx;

	(void)state;
	json_ok(&fx, "{\"k\\n\\u0041\":\"q\\\"b\\\\s\\/b\\bf\\fn\\nr\\rt\\t\\u0041\\u00e9\\u20AC"
	             "\\u007f!\"}");
	assert_int_equal(fx.o.n, 1);
	expect_member(&fx, 0, "k\nA", JSON_STRING, want, sizeof want - 1);
	free(fx.buf);

	/* the escape that would end the object if misread as one character */
	json_bad("{\"a\":\"\\x\"}", "column 7: invalid escape");
	json_bad("{\"a\":\"\\u12G4\"}", "column 7: invalid \\u escape");
	json_bad("{\"a\":\"\\u12\"}", "column 7: invalid \\u escape");
	json_bad("{\"a\":\"\\U0041\"}", "column 7: invalid escape");
}

static void test_json_surrogates(void **state)
{
	struct json_fixture fx;

	(void)state;
	json_ok(&fx, "{\"e\":\"<\\ud83d\\ude00>\",\"g\":\"\\uD834\\uDD1E\"}");
	expect_member(&fx, 0, "e", JSON_STRING, "<\xF0\x9F\x98\x80>", 6);
	expect_member(&fx, 1, "g", JSON_STRING, "\xF0\x9D\x84\x9E", 4);
	free(fx.buf);

	json_ok(&fx, "{\"max\":\"\\udbff\\udfff\"}");
	expect_member(&fx, 0, "max", JSON_STRING, "\xF4\x8F\xBF\xBF", 4);
	free(fx.buf);

	json_bad("{\"e\":\"\\ud83d\"}", "column 7: lone surrogate");
	json_bad("{\"e\":\"\\ud83dx\"}", "column 7: lone surrogate");
	json_bad("{\"e\":\"\\ude00\"}", "column 7: lone surrogate");
	json_bad("{\"e\":\"\\ud83d\\u0041\"}", "column 7: lone surrogate");
	json_bad("{\"e\":\"\\ud83d\\ud83d\"}", "column 7: lone surrogate");
	json_bad("{\"e\":\"\\ud83d\\n\"}", "column 7: lone surrogate");
}

static void test_json_u0000(void **state)
{
	(void)state;
	json_bad("{\"a\":\"x\\u0000\"}", "column 8: \\u0000 is not allowed");
	json_bad("{\"\\u0000\":1}", "column 3: \\u0000 is not allowed");
}

static void test_json_control_and_nul(void **state)
{
	static const char nul_in_string[] = "{\"a\":\"x\0\"}";
	static const char nul_before[] = "\0{}";
	static const char nul_after[] = "{} \0";
	static const char nul_between[] = "{\"a\":1\0}";
	struct json_fixture fx;

	(void)state;
	json_bad("{\"a\":\"x\ty\"}", "column 8: control character in string");
	json_bad("{\"a\":\"x\ny\"}", "column 8: control character in string");
	json_bad("{\"a\":\"\x1f\"}", "column 7: control character in string");

	assert_int_equal(jparse(&fx, nul_in_string, sizeof nul_in_string - 1), -1);
	assert_string_equal(fx.err, "column 8: NUL byte");
	free(fx.buf);
	assert_int_equal(jparse(&fx, nul_before, sizeof nul_before - 1), -1);
	assert_string_equal(fx.err, "column 1: NUL byte");
	free(fx.buf);
	assert_int_equal(jparse(&fx, nul_after, sizeof nul_after - 1), -1);
	assert_string_equal(fx.err, "column 4: NUL byte");
	free(fx.buf);
	assert_int_equal(jparse(&fx, nul_between, sizeof nul_between - 1), -1);
	assert_string_equal(fx.err, "column 7: NUL byte");
	free(fx.buf);
}

static void test_json_nested(void **state)
{
	(void)state;
	json_bad("{\"a\":{}}", "column 6: nested objects and arrays are not supported");
	/* An array holds flat objects only (a list's items). */
	json_bad("{\"a\":1, \"b\": [1,2]}", "column 15: expected an object in the array");
	json_bad("{\"a\":[", "column 7: unexpected end of input");
	json_bad("{\"a\":[{\"b\": [{}]}]}",
	         "column 13: nested objects and arrays are not supported");
	json_bad("{\"a\":[{\"b\": {}}]}",
	         "column 13: nested objects and arrays are not supported");
	json_bad("{\"a\":[{\"b\": 1} {}]}", "column 16: expected ',' or ']'");
	json_bad("{\"a\":[{\"b\": 1, \"b\": 2}]}", "column 16: duplicate key");
}

/* A list's items: an array of flat objects, parsed in place. */
static void test_json_array(void **state)
{
	struct json_fixture fx;
	const char *s = "{\"a\": \"x\", \"l\": [{\"_item\": 2, \"e\": \"Zq\\u00e6\"}, {}, "
	                "{\"h\": 37.5}], \"z\": []}";

	(void)state;
	assert_int_equal(jparse(&fx, s, strlen(s)), 0);
	assert_int_equal(fx.o.n, 3);
	assert_int_equal(fx.o.m[1].kind, JSON_ARRAY);
	assert_int_equal(fx.o.m[1].narr, 3);
	assert_int_equal(fx.o.m[1].arr[0].n, 2);
	assert_string_equal(fx.o.m[1].arr[0].m[0].val, "2");
	assert_string_equal(fx.o.m[1].arr[0].m[1].val, "Zq\xc3\xa6");
	assert_int_equal(fx.o.m[1].arr[1].n, 0);
	assert_string_equal(fx.o.m[1].arr[2].m[0].val, "37.5");
	assert_int_equal(fx.o.m[2].kind, JSON_ARRAY);
	assert_int_equal(fx.o.m[2].narr, 0);
	json_object_release(&fx.o);
	assert_null(fx.o.m[1].arr);
	free(fx.buf);
}

static void test_json_duplicate_key(void **state)
{
	(void)state;
	json_bad("{\"a\":1,\"a\":2}", "column 8: duplicate key");
	/* keys are compared after unescaping */
	json_bad("{\"ab\":1, \"\\u0061b\":2}", "column 10: duplicate key");
	json_bad("{\"\":1,\"\":2}", "column 7: duplicate key");
}

static void test_json_trailing_garbage(void **state)
{
	struct json_fixture fx;

	(void)state;
	json_bad("{\"a\":1} x", "column 9: unexpected text after the object");
	json_bad("{}{}", "column 3: unexpected text after the object");
	json_bad("{\"a\":1}}", "column 8: unexpected text after the object");
	json_ok(&fx, "{\"a\":1} \r\n\t ");
	free(fx.buf);
}

static void test_json_numbers(void **state)
{
	static const char *const good[] = {
	    "0",    "-0",   "7",    "12",     "-12.5",   "0.0",
	    "1e10", "1E+2", "1e-3", "1.5e-3", "-0.25E9", "123456789012345678901234567890",
	};
	static const char *const bad[] = {
	    "01", "-",   "1.",       ".5",        "+1",    "1e",   "1e+", "--1", "0x1", "1.e3",
	    "-a", "NaN", "Infinity", "-Infinity", "1.2.3", "1e5e", "1-2", "00",  "-01", "1e+-2",
	};
	char in[128];

	(void)state;
	for (size_t i = 0; i < sizeof good / sizeof good[0]; i++) {
		struct json_fixture fx;

		snprintf(in, sizeof in, "{\"n\":%s}", good[i]);
		json_ok(&fx, in);
		expect_member(&fx, 0, "n", JSON_NUMBER, good[i], strlen(good[i]));
		free(fx.buf);
		/* and followed by whitespace or a comma rather than the brace */
		snprintf(in, sizeof in, "{\"n\":%s ,\"m\":%s\n}", good[i], good[i]);
		json_ok(&fx, in);
		expect_member(&fx, 0, "n", JSON_NUMBER, good[i], strlen(good[i]));
		expect_member(&fx, 1, "m", JSON_NUMBER, good[i], strlen(good[i]));
		free(fx.buf);
	}
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		snprintf(in, sizeof in, "{\"n\":%s}", bad[i]);
		json_bad(in, NULL);
	}
	json_bad("{\"n\":01}", "column 6: invalid number");
	json_bad("{\"n\":1x}", "column 7: expected ',' or '}'");
}

static void test_json_literals(void **state)
{
	struct json_fixture fx;

	(void)state;
	json_ok(&fx, "{\"t\":true,\"f\":false,\"n\":null}");
	assert_int_equal(fx.o.n, 3);
	expect_member(&fx, 0, "t", JSON_TRUE, NULL, 0);
	expect_member(&fx, 1, "f", JSON_FALSE, NULL, 0);
	expect_member(&fx, 2, "n", JSON_NULL, NULL, 0);
	free(fx.buf);

	json_bad("{\"t\":tru}", "column 6: invalid value");
	json_bad("{\"t\":True}", "column 6: invalid value");
	json_bad("{\"t\":nul}", "column 6: invalid value");
	json_bad("{\"t\":truex}", "column 10: expected ',' or '}'");
	json_bad("{\"t\":'x'}", "column 6: invalid value");
	json_bad("{\"t\":}", "column 6: invalid value");
}

static void test_json_whitespace(void **state)
{
	struct json_fixture fx;

	(void)state;
	json_ok(&fx, " \t\r\n{ \"a\" : 1 ,\r\n\t\"b\"\n:\t\"x\" , \"c\":null } \n");
	assert_int_equal(fx.o.n, 3);
	expect_member(&fx, 0, "a", JSON_NUMBER, "1", 1);
	expect_member(&fx, 1, "b", JSON_STRING, "x", 1);
	expect_member(&fx, 2, "c", JSON_NULL, NULL, 0);
	free(fx.buf);
	/* JSON whitespace only: no vertical tab or form feed */
	json_bad("{\v}", "column 2: expected a key");
	json_bad("{\"a\"\f:1}", "column 5: expected ':'");
}

static void test_json_errors_name_column_only(void **state)
{
	(void)state;
	json_bad("{\"secret\" 1}", "column 11: expected ':'");
	json_bad("{\"secret\":\"value\" \"x\":1}", "column 19: expected ',' or '}'");
	json_bad("{\"a\":\"secret", "column 6: unterminated string");
	json_bad("{\"secret", "column 2: unterminated string");
	json_bad("{\"a\":1", "column 7: unexpected end of input");
	json_bad("secret", "column 1: expected '{'");
}

static void test_json_too_many_members(void **state)
{
	char in[16 * (JSON_MAX_MEMBERS + 1) + 8];
	struct json_fixture fx;
	size_t n = 0;

	(void)state;
	in[n++] = '{';
	for (int i = 0; i < JSON_MAX_MEMBERS; i++)
		n += (size_t)snprintf(in + n, sizeof in - n, "%s\"k%d\":%d", i ? "," : "", i, i);
	snprintf(in + n, sizeof in - n, "}");
	json_ok(&fx, in);
	assert_int_equal(fx.o.n, JSON_MAX_MEMBERS);
	expect_member(&fx, JSON_MAX_MEMBERS - 1, "k127", JSON_NUMBER, "127", 3);
	free(fx.buf);

	snprintf(in + n, sizeof in - n, ",\"x\":1}");
	assert_int_equal(jparse(&fx, in, strlen(in)), -1);
	assert_non_null(strstr(fx.err, "too many members"));
	free(fx.buf);
}

/* Every proper prefix of a valid object is invalid; none may read past len. */
static void test_json_truncated(void **state)
{
	static const char full[] =
	    " {\"n\\u00e5vn\" : \"\\ud83d\\ude00 \\\"x\\\"\\n\", \"a\":-12.5e+3,"
	    "\"t\":true,\"f\":false,\"z\":null,\"e\":\"\",\"u\":\"\\u00E6\"} ";
	const size_t flen = sizeof full - 1;

	(void)state;
	for (size_t len = 0; len < flen; len++) {
		struct json_fixture fx;

		/* the trailing space is optional: that prefix is the one valid one */
		if (len == flen - 1)
			continue;
		if (jparse(&fx, full, len) != -1)
			fail_msg("prefix of length %zu accepted", len);
		assert_true(fx.err[0] != '\0');
		free(fx.buf);
	}
	{
		struct json_fixture fx;

		assert_int_equal(jparse(&fx, full, flen), 0);
		assert_int_equal(fx.o.n, 7);
		expect_member(&fx, 0, "nåvn", JSON_STRING, "\xF0\x9F\x98\x80 \"x\"\n", 9);
		expect_member(&fx, 1, "a", JSON_NUMBER, "-12.5e+3", 8);
		free(fx.buf);
	}
}

/* The error is a position and a fixed reason, and may be skipped. */
static void test_json_error_fields(void **state)
{
	char buf[] = "{\"a\":}";
	char csv[] = "a\n\"b\n";
	struct parse_error pe = {0};
	struct json_object o;
	struct csv_reader r;
	struct csv_row row;

	(void)state;
	assert_int_equal(json_parse_object(buf, strlen(buf), &o, &pe), -1);
	assert_int_equal(pe.line, 0);
	assert_int_equal(pe.column, 6);
	assert_string_equal(pe.why, "invalid value");
	assert_int_equal(json_parse_object(buf, strlen(buf), &o, NULL), -1);

	csv_init(&r, csv, strlen(csv));
	assert_int_equal(csv_next(&r, &row, NULL), 1);
	pe = (struct parse_error){0};
	assert_int_equal(csv_next(&r, &row, &pe), -1);
	assert_int_equal(pe.line, 2);
	assert_int_equal(pe.column, 0);
	assert_string_equal(pe.why, "unterminated quoted field");
	assert_int_equal(csv_next(&r, &row, NULL), -1);
}

/* ---- json_write_string ---------------------------------------------------- */

static char *write_string(const char *s, size_t len, size_t *outlen)
{
	char *out = NULL;
	FILE *f = open_memstream(&out, outlen);

	assert_non_null(f);
	json_write_string(f, s, len);
	assert_int_equal(fclose(f), 0);
	return out;
}

static void test_json_write_escapes(void **state)
{
	static const char in[] = "a\"b\\c/\n\t\r\b\f\x01\x1f\x7f\xC3\xA9\0z";
	static const char want[] = "\"a\\\"b\\\\c/\\n\\t\\r\\b\\f\\u0001\\u001f\\u007f\xC3\xA9"
	                           "\\u0000z\"";
	size_t outlen;
	char *out = write_string(in, sizeof in - 1, &outlen);

	(void)state;
	assert_int_equal(outlen, sizeof want - 1);
	assert_memory_equal(out, want, outlen);
	free(out);

	out = write_string("", 0, &outlen);
	assert_int_equal(outlen, 2);
	assert_memory_equal(out, "\"\"", 2);
	free(out);
}

static void round_trip(const char *s, size_t len)
{
	struct json_fixture fx;
	char *doc = NULL;
	size_t doclen;
	FILE *f = open_memstream(&doc, &doclen);

	assert_non_null(f);
	fputc('{', f);
	json_write_string(f, s, len);
	fputc(':', f);
	json_write_string(f, s, len);
	fputc('}', f);
	assert_int_equal(fclose(f), 0);

	if (jparse(&fx, doc, doclen) != 0)
		fail_msg("round trip failed: %s", fx.err);
	assert_int_equal(fx.o.n, 1);
	assert_int_equal(fx.o.m[0].kind, JSON_STRING);
	assert_int_equal(fx.o.m[0].klen, len);
	assert_int_equal(fx.o.m[0].vlen, len);
	if (len) {
		assert_memory_equal(fx.o.m[0].key, s, len);
		assert_memory_equal(fx.o.m[0].val, s, len);
	}
	assert_int_equal(fx.o.m[0].key[len], '\0');
	assert_int_equal(fx.o.m[0].val[len], '\0');
	free(fx.buf);
	free(doc);
}

static void test_json_write_round_trip(void **state)
{
	char all[127];

	(void)state;
	/* every ASCII byte but NUL, which the reader refuses by design; bytes
	 * that are not UTF-8 become U+FFFD (test_json_write_never_invalid) */
	for (int i = 1; i <= 127; i++)
		all[i - 1] = (char)i;
	round_trip(all, sizeof all);
	round_trip("", 0);
	round_trip("Ærlig \"Østby\"\r\n\\ Åsa\t😀", strlen("Ærlig \"Østby\"\r\n\\ Åsa\t😀"));
	round_trip("\\u0041", 6);
}

/* What show --json printed before: raw C1 controls and invalid UTF-8, so no
 * JSON reader took it. Every byte sequence now gives ASCII-clean JSON. */
static void test_json_write_never_invalid(void **state)
{
	static const struct {
		const char *in;
		size_t len;
		const char *want;
	} cases[] = {
	    {"a\xC2\x9B"
	     "2J",
	     5, "\"a\\u009b2J\""},                            /* C1 CSI */
	    {"\x1b]0;x\x07", 6, "\"\\u001b]0;x\\u0007\""},    /* OSC title */
	    {"\xFF\xC3", 2, "\"\\ufffd\\ufffd\""},            /* invalid bytes */
	    {"\xC3\x28", 2, "\"\\ufffd(\""},                  /* bad continuation */
	    {"\xED\xA0\x80", 3, "\"\\ufffd\\ufffd\\ufffd\""}, /* a surrogate */
	    {"\xE2\x80\xAE"
	     "abc",
	     6, "\"\\u202eabc\""},                                           /* RLO */
	    {"\xE2\x81\xA6", 3, "\"\\u2066\""},                              /* LRI */
	    {"\xE2\x80\xA8", 3, "\"\\u2028\""},                              /* line separator */
	    {"\xF3\xA0\x81\x81", 4, "\"\\udb40\\udc41\""},                   /* tag A, a pair */
	    {"\xE2\x80\x8C\xE2\x80\x8F", 6, "\"\xE2\x80\x8C\xE2\x80\x8F\""}, /* ZWNJ, RLM */
	};

	(void)state;
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		size_t outlen;
		char *out = write_string(cases[i].in, cases[i].len, &outlen);

		if (outlen != strlen(cases[i].want) || memcmp(out, cases[i].want, outlen) != 0)
			fail_msg("case %zu: got %.*s", i, (int)outlen, out);
		free(out);
	}
}

static char *write_safe(const char *s, size_t len, const char *indent)
{
	char *out = NULL;
	size_t outlen;
	FILE *f = open_memstream(&out, &outlen);

	assert_non_null(f);
	text_write_safe(f, s, len, indent);
	assert_int_equal(fclose(f), 0);
	return out;
}

/* The one routine every command prints stored text through. */
static void test_text_write_safe(void **state)
{
	static const struct {
		const char *in;
		size_t len;
		const char *indent;
		const char *want;
	} cases[] = {
	    {"\x1b[2J\x1b]0;ok\x07", 11, "  ", "<U+001B>[2J<U+001B>]0;ok<U+0007>"},
	    {"a\xC2\x9B"
	     "31m",
	     6, NULL, "a<U+009B>31m"},
	    {"del\x7f", 4, NULL, "del<U+007F>"},
	    {"nul\0x", 5, NULL, "nul<U+0000>x"},
	    {"cr\rx", 4, "  ", "cr<U+000D>x"},
	    {"\xE2\x80\xAE"
	     "gpj.exe",
	     10, NULL, "<U+202E>gpj.exe"},
	    {"\xE2\x81\xA9", 3, NULL, "<U+2069>"},
	    {"\xF3\xA0\x80\x81", 4, NULL, "<U+E0001>"},
	    {"\xFF"
	     "a\xC3",
	     3, NULL,
	     "\xEF\xBF\xBD"
	     "a\xEF\xBF\xBD"},
	    {"one\ntwo\tthree", 13, "    ", "one\n    two\tthree"},
	    {"one\ntwo\tthree", 13, NULL, "one<U+000A>two<U+0009>three"},
	    {"Ødegård محمد\xE2\x80\x8Cرضا", 27, NULL, "Ødegård محمد\xE2\x80\x8Cرضا"},
	};

	(void)state;
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		char *out = write_safe(cases[i].in, cases[i].len, cases[i].indent);

		if (strcmp(out, cases[i].want) != 0)
			fail_msg("case %zu: got %s", i, out);
		free(out);
	}
	assert_true(text_char_unsafe(0x1b));
	assert_true(text_char_unsafe('\n'));
	assert_true(text_char_unsafe(0x85));
	assert_true(text_char_unsafe(0x202a));
	assert_true(text_char_unsafe(0x2068));
	assert_true(text_char_unsafe(0xe007f));
	assert_false(text_char_unsafe(' '));
	assert_false(text_char_unsafe(0x200c));
	assert_false(text_char_unsafe(0x200f));
	assert_false(text_char_unsafe(0xa0));
	assert_false(text_char_unsafe(0xe0100));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_csv_comma),
	    cmocka_unit_test(test_csv_semicolon),
	    cmocka_unit_test(test_csv_delimiter_detection),
	    cmocka_unit_test(test_csv_bom),
	    cmocka_unit_test(test_csv_crlf),
	    cmocka_unit_test(test_csv_quoted),
	    cmocka_unit_test(test_csv_no_final_newline),
	    cmocka_unit_test(test_csv_blank_lines),
	    cmocka_unit_test(test_csv_empty_fields),
	    cmocka_unit_test(test_csv_unterminated_quote),
	    cmocka_unit_test(test_csv_stray_quote),
	    cmocka_unit_test(test_csv_nul),
	    cmocka_unit_test(test_csv_lone_cr),
	    cmocka_unit_test(test_csv_too_many_fields),
	    cmocka_unit_test(test_csv_error_leaves_reader),
	    cmocka_unit_test(test_csv_prefixes),
	    cmocka_unit_test(test_json_simple),
	    cmocka_unit_test(test_json_empty_object),
	    cmocka_unit_test(test_json_escapes),
	    cmocka_unit_test(test_json_surrogates),
	    cmocka_unit_test(test_json_u0000),
	    cmocka_unit_test(test_json_control_and_nul),
	    cmocka_unit_test(test_json_nested),
	    cmocka_unit_test(test_json_array),
	    cmocka_unit_test(test_json_duplicate_key),
	    cmocka_unit_test(test_json_trailing_garbage),
	    cmocka_unit_test(test_json_numbers),
	    cmocka_unit_test(test_json_literals),
	    cmocka_unit_test(test_json_whitespace),
	    cmocka_unit_test(test_json_errors_name_column_only),
	    cmocka_unit_test(test_json_too_many_members),
	    cmocka_unit_test(test_json_truncated),
	    cmocka_unit_test(test_json_error_fields),
	    cmocka_unit_test(test_json_write_escapes),
	    cmocka_unit_test(test_json_write_round_trip),
	    cmocka_unit_test(test_json_write_never_invalid),
	    cmocka_unit_test(test_text_write_safe),
	};

	return cmocka_run_group_tests_name("formats", tests, NULL, NULL);
}
