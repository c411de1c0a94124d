/* CSV and JSON readers and a JSON string writer: private to store/.
 * The readers parse in place (unescaping only ever shrinks text), so personal
 * data is never copied out of the caller's buffer; fields point into it and
 * are NUL-terminated there. */
#ifndef MAPPE_STORE_FORMATS_H
#define MAPPE_STORE_FORMATS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "store/store.h"

/* An export's CSV has a column for every field of every item a list holds
 * (list.N.field): a case with 200 attendance entries needs a thousand. */
#define CSV_MAX_FIELDS 4096

/* Why an input does not parse: where, and a fixed reason (N_, translated
 * where shown), never a byte of the input, which is personal data. */
struct parse_error {
	unsigned line; /* CSV: the line, from 1; JSON: 0 (one object, one line) */
	size_t column; /* JSON: the byte, from 1; CSV: 0 */
	const char *why;
};

struct csv_reader {
	char *buf;   /* the whole input, modified in place */
	size_t len;
	size_t pos;
	unsigned line; /* 1-based line number where the next record starts */
	char delim;    /* ',' or ';', detected from the header line */
};

struct csv_row {
	unsigned line; /* line on which the record started */
	size_t nfields;
	char *field[CSV_MAX_FIELDS];
	size_t flen[CSV_MAX_FIELDS];
};

/* Skips a UTF-8 BOM, detects the delimiter from the first line (the one of ,
 * and ; that occurs more often outside quotes; ',' on a tie). The caller must
 * provide a buffer of at least len + 1 bytes (buf[len] writable): a last field
 * without a final newline is NUL-terminated there. */
void csv_init(struct csv_reader *r, char *buf, size_t len);
/* 1: a row was read; 0: end of input; -1: error, with its line and reason in
 * *pe (7, "unterminated quoted field"); pe may be NULL. Handles CRLF and LF,
 * quoted fields with "" escapes, delimiters and newlines inside quotes (the
 * line counter counts those newlines), a missing final newline. Blank lines
 * are skipped. A NUL byte, a quote inside an unquoted field, text after a
 * closing quote, or more than CSV_MAX_FIELDS fields are errors. */
int csv_next(struct csv_reader *r, struct csv_row *row, struct parse_error *pe);

#define JSON_MAX_MEMBERS 128
#define JSON_MAX_ITEMS 1000 /* objects in one array */

/* JSON_ARRAY: of flat objects (a list's items); JSON_STRINGS: of strings,
 * counted in narr but not kept (show's "_locked"). */
enum json_kind { JSON_STRING, JSON_NUMBER, JSON_TRUE, JSON_FALSE, JSON_NULL, JSON_ARRAY,
                 JSON_STRINGS };

struct json_object;

struct json_member {
	char *key;
	size_t klen;
	enum json_kind kind;
	char *val; /* string contents unescaped, or the number's text; NULL for true/false/null */
	size_t vlen;
	struct json_object *arr; /* JSON_ARRAY: narr flat objects (a list's items) */
	size_t narr;
};

struct json_object {
	size_t n;
	struct json_member m[JSON_MAX_MEMBERS];
};

/* Parse one JSON object from buf[0..len), in place. Its values are strings,
 * numbers, true, false, null, or an array of flat objects (a list's items,
 * whose values are the same but arrays); other nesting is refused. Leading
 * and trailing whitespace are allowed; anything else after the object is an
 * error. \uXXXX escapes (with surrogate pairs) become UTF-8; \u0000 is refused.
 * Returns 0 or -1 with its column and reason in *pe (17, "expected ':'"); pe
 * may be NULL. Duplicate keys are an error. The caller must provide a
 * buffer of at least len + 1 bytes (buf[len] writable), as for csv_init. */
int json_parse_object(char *buf, size_t len, struct json_object *out, struct parse_error *pe);
/* Free (and wipe) the arrays' objects of a parsed object; the object itself
 * is the caller's. json_parse_object releases what it parsed when it fails. */
void json_object_release(struct json_object *o);

/* json_write_string is public: see store/store.h. */

#endif
