/* CSV and JSON readers and the JSON string writer (see formats.h).
 *
 * Both readers treat their input as hostile: every read is bounds-checked
 * against len, and error messages carry a position only, never input bytes,
 * because the input is personal data. */
#include "store/formats.h"
#include "store/validate.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* ---- CSV ------------------------------------------------------------------ */

static int csv_fail(struct parse_error *pe, unsigned line, const char *why)
{
	if (pe)
		*pe = (struct parse_error){.line = line, .why = why};
	return -1;
}

void csv_init(struct csv_reader *r, char *buf, size_t len)
{
	size_t i, commas = 0, semis = 0;
	bool quoted = false;

	r->buf = buf;
	r->len = len;
	r->pos = 0;
	r->line = 1;
	if (len >= 3 && memcmp(buf, "\xEF\xBB\xBF", 3) == 0)
		r->pos = 3;

	/* csv_next skips blank lines, so the header is the first non-blank one. */
	i = r->pos;
	while (i < len && (buf[i] == '\n' || buf[i] == '\r'))
		i++;
	/* Toggling on every quote also gets "" escapes right: they toggle twice. */
	for (; i < len; i++) {
		char c = buf[i];

		if (c == '"')
			quoted = !quoted;
		else if (quoted)
			continue;
		else if (c == '\n' || c == '\0')
			break;
		else if (c == ',')
			commas++;
		else if (c == ';')
			semis++;
	}
	r->delim = semis > commas ? ';' : ',';
}

/* Reads one quoted field starting at the opening quote, unescaping in place.
 * Returns the end of the unescaped text in *end, or -1. */
static int csv_quoted(char *b, size_t len, size_t *pos, unsigned *line, size_t *end,
                      struct parse_error *pe)
{
	unsigned qline = *line;
	size_t p = *pos + 1, w = p;

	for (;;) {
		char c;

		/* Name the line the quote opened on: that is where the fix goes. */
		if (p >= len)
			return csv_fail(pe, qline, N_("unterminated quoted field"));
		c = b[p];
		if (c == '"') {
			if (p + 1 < len && b[p + 1] == '"') {
				b[w++] = '"';
				p += 2;
				continue;
			}
			p++;
			break;
		}
		if (c == '\0')
			return csv_fail(pe, *line, N_("NUL byte"));
		if (c == '\r' && p + 1 < len && b[p + 1] == '\n') {
			p++;
			c = '\n';
		}
		if (c == '\n')
			(*line)++;
		b[w++] = c;
		p++;
	}
	*pos = p;
	*end = w;
	return 0;
}

int csv_next(struct csv_reader *r, struct csv_row *row, struct parse_error *pe)
{
	char *b = r->buf;
	size_t len = r->len, pos = r->pos;
	unsigned line = r->line;

	/* A lone '\r' at the very end is the remains of a CRLF, not a record. */
	for (;;) {
		if (pos < len && b[pos] == '\n') {
			pos++;
			line++;
		} else if (pos < len && b[pos] == '\r' && (pos + 1 == len || b[pos + 1] == '\n')) {
			pos += pos + 1 == len ? 1 : 2;
			line++;
		} else {
			break;
		}
	}
	if (pos >= len) {
		r->pos = pos;
		r->line = line;
		return 0;
	}

	row->line = line;
	row->nfields = 0;
	for (;;) {
		size_t start, end;
		bool last = true;

		if (row->nfields == CSV_MAX_FIELDS)
			return csv_fail(pe, line, N_("too many fields"));
		if (pos < len && b[pos] == '"') {
			start = pos + 1;
			if (csv_quoted(b, len, &pos, &line, &end, pe) < 0)
				return -1;
		} else {
			start = pos;
			while (pos < len && b[pos] != r->delim && b[pos] != '\n' &&
			       b[pos] != '\r') {
				if (b[pos] == '"')
					return csv_fail(pe, line, N_("quote in unquoted field"));
				if (b[pos] == '\0')
					return csv_fail(pe, line, N_("NUL byte"));
				pos++;
			}
			end = pos;
		}

		/* Classify the terminator before the NUL below overwrites it. At the
		 * end of the input, end may be len: the documented extra byte. */
		if (pos >= len) {
			last = true;
		} else if (b[pos] == r->delim) {
			last = false;
			pos++;
		} else if (b[pos] == '\n') {
			pos++;
			line++;
		} else if (b[pos] == '\r' && pos + 1 == len) {
			pos++;
			line++;
		} else if (b[pos] == '\r' && b[pos + 1] == '\n') {
			pos += 2;
			line++;
		} else if (b[pos] == '\r') {
			/* Old Mac line ends are not supported; guessing would merge records. */
			return csv_fail(pe, line, N_("carriage return without line feed"));
		} else if (b[pos] == '\0') {
			return csv_fail(pe, line, N_("NUL byte"));
		} else {
			return csv_fail(pe, line, N_("text after closing quote"));
		}

		b[end] = '\0';
		row->field[row->nfields] = b + start;
		row->flen[row->nfields] = end - start;
		row->nfields++;
		/* Commit only whole records, so an error leaves the reader where it was. */
		if (last) {
			r->pos = pos;
			r->line = line;
			return 1;
		}
	}
}

/* ---- JSON ----------------------------------------------------------------- */

struct jparser {
	char *b;
	size_t len;
	size_t pos;
	struct parse_error *pe;
};

static int jfail(struct jparser *p, size_t at, const char *why)
{
	if (p->pe)
		*p->pe = (struct parse_error){.column = at + 1, .why = why};
	return -1;
}

/* Fails at the current position, which is either the end of the input or a
 * byte that does not fit; a NUL gets its own message since it is never valid. */
static int jfail_here(struct jparser *p, const char *what)
{
	if (p->pos >= p->len)
		return jfail(p, p->len, N_("unexpected end of input"));
	if (p->b[p->pos] == '\0')
		return jfail(p, p->pos, N_("NUL byte"));
	return jfail(p, p->pos, what);
}

static void jskip_ws(struct jparser *p)
{
	while (p->pos < p->len) {
		char c = p->b[p->pos];

		if (c != ' ' && c != '\t' && c != '\n' && c != '\r')
			break;
		p->pos++;
	}
}

static bool jis_digit(char c)
{
	return c >= '0' && c <= '9';
}

static int jhex(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* Reads "\uXXXX" at b[at]; false if it is not there in full. */
static bool jread_u(const struct jparser *p, size_t at, unsigned *cp)
{
	unsigned v = 0;

	if (at > p->len || p->len - at < 6 || p->b[at] != '\\' || p->b[at + 1] != 'u')
		return false;
	for (size_t i = at + 2; i < at + 6; i++) {
		int h = jhex(p->b[i]);

		if (h < 0)
			return false;
		v = v << 4 | (unsigned)h;
	}
	*cp = v;
	return true;
}

static size_t jput_utf8(char *out, uint32_t cp)
{
	if (cp < 0x80) {
		out[0] = (char)cp;
		return 1;
	}
	if (cp < 0x800) {
		out[0] = (char)(0xC0 | cp >> 6);
		out[1] = (char)(0x80 | (cp & 0x3F));
		return 2;
	}
	if (cp < 0x10000) {
		out[0] = (char)(0xE0 | cp >> 12);
		out[1] = (char)(0x80 | (cp >> 6 & 0x3F));
		out[2] = (char)(0x80 | (cp & 0x3F));
		return 3;
	}
	out[0] = (char)(0xF0 | cp >> 18);
	out[1] = (char)(0x80 | (cp >> 12 & 0x3F));
	out[2] = (char)(0x80 | (cp >> 6 & 0x3F));
	out[3] = (char)(0x80 | (cp & 0x3F));
	return 4;
}

/* Unescapes the string at the opening quote in place. The write position never
 * passes the read position: every escape is at least as long as its result
 * (\uXXXX is 6 bytes for at most 3, a surrogate pair 12 for 4). */
static int jstring(struct jparser *p, char **s, size_t *slen)
{
	size_t open = p->pos, w = p->pos + 1;

	*s = p->b + w;
	p->pos++;
	for (;;) {
		unsigned char c;
		size_t esc;
		char out;

		if (p->pos >= p->len)
			return jfail(p, open, N_("unterminated string"));
		c = (unsigned char)p->b[p->pos];
		if (c == '"') {
			p->b[w] = '\0';
			*slen = (size_t)(p->b + w - *s);
			p->pos++;
			return 0;
		}
		if (c == '\0')
			return jfail(p, p->pos, N_("NUL byte"));
		if (c < 0x20)
			return jfail(p, p->pos, N_("control character in string"));
		if (c != '\\') {
			p->b[w++] = (char)c;
			p->pos++;
			continue;
		}

		esc = p->pos;
		if (p->len - esc < 2)
			return jfail(p, open, N_("unterminated string"));
		switch (p->b[esc + 1]) {
		case '"':
			out = '"';
			break;
		case '\\':
			out = '\\';
			break;
		case '/':
			out = '/';
			break;
		case 'b':
			out = '\b';
			break;
		case 'f':
			out = '\f';
			break;
		case 'n':
			out = '\n';
			break;
		case 'r':
			out = '\r';
			break;
		case 't':
			out = '\t';
			break;
		case 'u': {
			unsigned cp, lo;

			if (!jread_u(p, esc, &cp))
				return jfail(p, esc, N_("invalid \\u escape"));
			p->pos = esc + 6;
			if (cp == 0)
				return jfail(p, esc, N_("\\u0000 is not allowed"));
			if (cp >= 0xDC00 && cp <= 0xDFFF)
				return jfail(p, esc, N_("lone surrogate"));
			if (cp >= 0xD800 && cp <= 0xDBFF) {
				if (!jread_u(p, p->pos, &lo) || lo < 0xDC00 || lo > 0xDFFF)
					return jfail(p, esc, N_("lone surrogate"));
				cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
				p->pos += 6;
			}
			w += jput_utf8(p->b + w, cp);
			continue;
		}
		default:
			return jfail(p, esc, N_("invalid escape"));
		}
		p->b[w++] = out;
		p->pos = esc + 2;
	}
}

/* Validates -?(0|[1-9][0-9]*)(.[0-9]+)?([eE][+-]?[0-9]+)? and leaves it as text. */
static int jnumber(struct jparser *p)
{
	size_t start = p->pos, i = p->pos;
	const char *b = p->b;
	size_t len = p->len;

	if (i < len && b[i] == '-')
		i++;
	if (i < len && b[i] == '0') {
		i++;
	} else if (i < len && b[i] >= '1' && b[i] <= '9') {
		while (i < len && jis_digit(b[i]))
			i++;
	} else {
		return jfail(p, start, N_("invalid number"));
	}
	if (i < len && b[i] == '.') {
		i++;
		if (i >= len || !jis_digit(b[i]))
			return jfail(p, start, N_("invalid number"));
		while (i < len && jis_digit(b[i]))
			i++;
	}
	if (i < len && (b[i] == 'e' || b[i] == 'E')) {
		i++;
		if (i < len && (b[i] == '+' || b[i] == '-'))
			i++;
		if (i >= len || !jis_digit(b[i]))
			return jfail(p, start, N_("invalid number"));
		while (i < len && jis_digit(b[i]))
			i++;
	}
	/* Catch "01" or "1.2.3" here rather than as a puzzling missing comma. */
	if (i < len && (jis_digit(b[i]) || b[i] == '.' || b[i] == 'e' || b[i] == 'E' ||
	                b[i] == '+' || b[i] == '-'))
		return jfail(p, start, N_("invalid number"));
	p->pos = i;
	return 0;
}

static bool jliteral(struct jparser *p, const char *word)
{
	size_t n = strlen(word);

	if (p->len - p->pos < n || memcmp(p->b + p->pos, word, n) != 0)
		return false;
	p->pos += n;
	return true;
}

static int jmembers(struct jparser *p, struct json_object *out, bool nested);
static int jarray(struct jparser *p, struct json_member *m);

/* After '[': a string (or nothing) comes first. */
static bool jstrings_ahead(const struct jparser *p)
{
	size_t i = p->pos + 1;

	while (i < p->len && (p->b[i] == ' ' || p->b[i] == '\t' || p->b[i] == '\n' || p->b[i] == '\r'))
		i++;
	return i < p->len && p->b[i] == '"';
}

/* An array of strings, such as show's "_locked": read and checked, its
 * strings not kept (nothing takes a list of strings as input). */
static int jstrings(struct jparser *p, struct json_member *m)
{
	m->kind = JSON_STRINGS;
	p->pos++;
	for (;;) {
		char *s;
		size_t n;

		jskip_ws(p);
		if (p->pos >= p->len || p->b[p->pos] != '"')
			return jfail_here(p, N_("expected a string in the array"));
		if (jstring(p, &s, &n) < 0)
			return -1;
		m->narr++;
		jskip_ws(p);
		if (p->pos < p->len && p->b[p->pos] == ',') {
			p->pos++;
			continue;
		}
		if (p->pos < p->len && p->b[p->pos] == ']') {
			p->pos++;
			return 0;
		}
		return jfail_here(p, N_("expected ',' or ']'"));
	}
}

static int jvalue(struct jparser *p, struct json_member *m, bool nested)
{
	char c;

	m->val = NULL;
	m->vlen = 0;
	m->arr = NULL;
	m->narr = 0;
	if (p->pos >= p->len)
		return jfail_here(p, N_("invalid value"));
	c = p->b[p->pos];
	if (c == '"') {
		m->kind = JSON_STRING;
		return jstring(p, &m->val, &m->vlen);
	}
	if (c == '-' || jis_digit(c)) {
		size_t start = p->pos;

		m->kind = JSON_NUMBER;
		if (jnumber(p) < 0)
			return -1;
		m->val = p->b + start;
		m->vlen = p->pos - start;
		return 0;
	}
	if (c == '[' && jstrings_ahead(p))
		return jstrings(p, m);
	if (c == '[' && !nested)
		return jarray(p, m);
	if (c == '{' || c == '[')
		return jfail(p, p->pos, N_("nested objects and arrays are not supported"));
	if (jliteral(p, "true")) {
		m->kind = JSON_TRUE;
		return 0;
	}
	if (jliteral(p, "false")) {
		m->kind = JSON_FALSE;
		return 0;
	}
	if (jliteral(p, "null")) {
		m->kind = JSON_NULL;
		return 0;
	}
	return jfail_here(p, N_("invalid value"));
}

/* An array of flat objects: a list's items. */
static int jarray(struct jparser *p, struct json_member *m)
{
	size_t cap = 0;

	m->kind = JSON_ARRAY;
	p->pos++;
	jskip_ws(p);
	if (p->pos < p->len && p->b[p->pos] == ']') {
		p->pos++;
		return 0;
	}
	for (;;) {
		struct json_object *o;

		if (p->pos >= p->len || p->b[p->pos] != '{')
			return jfail_here(p, N_("expected an object in the array"));
		if (m->narr == JSON_MAX_ITEMS)
			return jfail(p, p->pos, N_("too many items in the array"));
		if (m->narr == cap) {
			size_t ncap = cap ? cap * 2 : 4;
			void *q;
			if (ncap > JSON_MAX_ITEMS)
				ncap = JSON_MAX_ITEMS;
			if (!(q = realloc(m->arr, ncap * sizeof *m->arr)))
				return jfail(p, p->pos, N_("out of memory"));
			m->arr = q;
			cap = ncap;
		}
		o = &m->arr[m->narr++];
		o->n = 0;
		p->pos++;
		jskip_ws(p);
		if (p->pos < p->len && p->b[p->pos] == '}')
			p->pos++;
		else if (jmembers(p, o, true) < 0)
			return -1;
		jskip_ws(p);
		if (p->pos < p->len && p->b[p->pos] == ',') {
			p->pos++;
			jskip_ws(p);
			continue;
		}
		if (p->pos < p->len && p->b[p->pos] == ']') {
			p->pos++;
			return 0;
		}
		return jfail_here(p, N_("expected ',' or ']'"));
	}
}

void json_object_release(struct json_object *o)
{
	for (size_t i = 0; i < o->n && i < JSON_MAX_MEMBERS; i++)
		if (o->m[i].kind == JSON_ARRAY && o->m[i].arr) {
			/* Not keys_wipe: pure code links without libsodium. */
			explicit_bzero(o->m[i].arr, o->m[i].narr * sizeof *o->m[i].arr);
			free(o->m[i].arr);
			o->m[i].arr = NULL;
			o->m[i].narr = 0;
		}
}

static int jmembers(struct jparser *p, struct json_object *out, bool nested)
{
	for (;;) {
		struct json_member *m;
		size_t keyat;
		char sep;

		if (p->pos >= p->len || p->b[p->pos] != '"')
			return jfail_here(p, N_("expected a key"));
		keyat = p->pos;
		if (out->n == JSON_MAX_MEMBERS)
			return jfail(p, keyat, N_("too many members"));
		m = &out->m[out->n];
		if (jstring(p, &m->key, &m->klen) < 0)
			return -1;
		for (size_t i = 0; i < out->n; i++) {
			if (out->m[i].klen == m->klen &&
			    memcmp(out->m[i].key, m->key, m->klen) == 0)
				return jfail(p, keyat, N_("duplicate key"));
		}

		jskip_ws(p);
		if (p->pos >= p->len || p->b[p->pos] != ':')
			return jfail_here(p, N_("expected ':'"));
		p->pos++;
		jskip_ws(p);
		m->kind = JSON_NULL;
		if (jvalue(p, m, nested) < 0) {
			if (m->arr)
				out->n++; /* so that json_object_release frees it */
			return -1;
		}

		jskip_ws(p);
		if (p->pos >= p->len || (p->b[p->pos] != ',' && p->b[p->pos] != '}'))
			return jfail_here(p, N_("expected ',' or '}'"));
		sep = p->b[p->pos];
		p->pos++;
		/* A number has no closing quote to overwrite; the byte after it is
		 * whitespace or the separator just read, so it is free now. */
		if (m->kind == JSON_NUMBER)
			m->val[m->vlen] = '\0';
		out->n++;
		if (sep == '}')
			return 0;
		jskip_ws(p);
	}
}

int json_parse_object(char *buf, size_t len, struct json_object *out, struct parse_error *pe)
{
	struct jparser p = {.b = buf, .len = len, .pos = 0, .pe = pe};

	out->n = 0;
	jskip_ws(&p);
	if (p.pos >= len || buf[p.pos] != '{')
		return jfail_here(&p, N_("expected '{'"));
	p.pos++;
	jskip_ws(&p);
	if (p.pos < len && buf[p.pos] == '}')
		p.pos++;
	else if (jmembers(&p, out, false) < 0)
		goto fail;
	jskip_ws(&p);
	if (p.pos < len) {
		if (buf[p.pos] == '\0')
			jfail(&p, p.pos, N_("NUL byte"));
		else
			jfail(&p, p.pos, N_("unexpected text after the object"));
		goto fail;
	}
	return 0;
fail:
	json_object_release(out);
	return -1;
}

static void json_u(FILE *f, uint32_t cp)
{
	if (cp >= 0x10000) {
		cp -= 0x10000;
		fprintf(f, "\\u%04x\\u%04x", (unsigned)(0xD800 + (cp >> 10)),
		        (unsigned)(0xDC00 + (cp & 0x3FF)));
	} else {
		fprintf(f, "\\u%04x", (unsigned)cp);
	}
}

void json_write_string(FILE *f, const char *s, size_t len)
{
	const unsigned char *u = (const unsigned char *)s;

	putc('"', f);
	for (size_t i = 0; i < len;) {
		uint32_t cp;
		size_t n = utf8_decode(u + i, len - i, &cp);

		/* Stored text may predate validation: JSON must stay JSON. */
		if (n == 0) {
			fputs("\\ufffd", f);
			i++;
			continue;
		}
		switch (cp) {
		case '"':
			fputs("\\\"", f);
			break;
		case '\\':
			fputs("\\\\", f);
			break;
		case '\n':
			fputs("\\n", f);
			break;
		case '\t':
			fputs("\\t", f);
			break;
		case '\r':
			fputs("\\r", f);
			break;
		case '\b':
			fputs("\\b", f);
			break;
		case '\f':
			fputs("\\f", f);
			break;
		default:
			if (text_char_unsafe(cp))
				json_u(f, cp);
			else
				fwrite(u + i, 1, n, f);
		}
		i += n;
	}
	putc('"', f);
}

void text_write_safe(FILE *f, const char *s, size_t len, const char *indent)
{
	const unsigned char *u = (const unsigned char *)s;

	for (size_t i = 0; i < len;) {
		uint32_t cp;
		size_t n = utf8_decode(u + i, len - i, &cp);

		if (n == 0) {
			fputs("\xEF\xBF\xBD", f); /* U+FFFD, as the screens show it */
			i++;
			continue;
		}
		if (cp == '\n' && indent) {
			putc('\n', f);
			fputs(indent, f);
		} else if (cp == '\t' && indent) {
			putc('\t', f);
		} else if (text_char_unsafe(cp)) {
			fprintf(f, "<U+%04X>", (unsigned)cp);
		} else {
			fwrite(u + i, 1, n, f);
		}
		i += n;
	}
}
