/* import.c: cases in and out as CSV, JSON Lines and JSON. Every value passes
 * field_normalise; an import is validated whole before one transaction
 * writes it, so one bad line writes nothing. */
#include "store/formats.h"
#include "store/private.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

struct import_row {
	unsigned line;
	struct case_rec c;
};

struct import {
	store *st;
	const char *name;
	char *err;
	size_t errlen;
	struct import_row *rows;
	size_t n, cap;
	char *arena; /* secure: normalised values of every row */
	size_t used, acap;
};

static int import_fail(struct import *im, int status, unsigned line, int field, const char *msg)
{
	if (field >= 0)
		snprintf(im->err, im->errlen, "%s:%u: field %s: %s", im->name, line,
		         field_catalogue[field].id, msg);
	else
		snprintf(im->err, im->errlen, "%s:%u: %s", im->name, line, msg);
	return status;
}

static struct case_rec *new_row(struct import *im, unsigned line)
{
	if (im->n == im->cap) {
		size_t cap = im->cap ? im->cap * 2 : 64;
		void *p = realloc(im->rows, cap * sizeof *im->rows);
		if (!p)
			return NULL;
		im->rows = p;
		im->cap = cap;
	}
	im->rows[im->n].line = line;
	case_init(&im->rows[im->n].c);
	return &im->rows[im->n++].c;
}

/* Normalise one value into the import arena and point the row at it. The
 * arena never moves (sized for the whole input up front), so rows can keep
 * plain pointers into it. */
static int set_value(struct import *im, struct case_rec *c, unsigned line, int f,
                     const char *val, size_t len)
{
	const struct field_def *d = &field_catalogue[f];
	const char *msg;
	size_t outlen;

	if (len > FIELD_MAX_BYTES)
		return import_fail(im, M_INPUT, line, f, "too long (at most 4096 bytes)");
	if (im->acap - im->used < len + 8)
		return import_fail(im, M_INPUT, line, f, "internal error: import arena full");
	msg = field_normalise((enum field_id)f, val, len, im->arena + im->used, len + 8, &outlen);
	if (msg)
		return import_fail(im, M_INPUT, line, f, msg);
	if (outlen == 0)
		return M_OK;
	if (d->cls != KC_NONE && !store_can_read(im->st, d->cls)) {
		snprintf(im->err, im->errlen, "%s:%u: field %s: not permitted: needs the %s key",
		         im->name, line, d->id, keys_class_name(d->cls));
		return M_AUTH;
	}
	c->value[f] = im->arena + im->used;
	c->len[f] = (uint32_t)outlen;
	c->dirty[f] = true;
	im->used += outlen + 1;
	return M_OK;
}

/* Quote a name only when it has the shape of a field id with an underscore
 * (favourite_colour): a headerless file's first row is people's names, and
 * "ruta" must not reach the message. */
static bool looks_like_id(const char *s, size_t n)
{
	bool underscore = false;

	if (n == 0 || n > 40)
		return false;
	for (size_t i = 0; i < n; i++) {
		if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= '0' && s[i] <= '9') || s[i] == '_'))
			return false;
		underscore |= s[i] == '_';
	}
	return underscore;
}

/* A column or key that is no field: name it only if it looks like a field id,
 * since a file without a header would otherwise put personal data in the
 * message. */
static int unknown_name(struct import *im, unsigned line, const char *what, unsigned col,
                        const char *s, size_t n)
{
	char msg[128];

	if (looks_like_id(s, n))
		snprintf(msg, sizeof msg, "unknown %s '%.*s'", what, (int)n, s);
	else
		snprintf(msg, sizeof msg, "unknown %s %u (not a field id: is the header missing?)",
		         what, col);
	return import_fail(im, M_INPUT, line, -1, msg);
}

static int parse_csv(struct import *im, char *buf, size_t len)
{
	struct csv_reader r;
	struct csv_row row;
	int cols[CSV_MAX_FIELDS];
	size_t ncols;
	char msg[160];
	int rc;

	csv_init(&r, buf, len);
	rc = csv_next(&r, &row, msg, sizeof msg);
	if (rc < 0)
		return import_fail(im, M_INPUT, r.line, -1, msg);
	if (rc == 0)
		return import_fail(im, M_INPUT, 1, -1, "empty file: expected a header line");
	ncols = row.nfields;
	for (size_t i = 0; i < ncols; i++) {
		cols[i] = field_by_id(row.field[i], row.flen[i]);
		if (cols[i] < 0)
			return unknown_name(im, row.line, "column", (unsigned)i + 1, row.field[i],
			                    row.flen[i]);
		for (size_t j = 0; j < i; j++)
			if (cols[j] == cols[i])
				return import_fail(im, M_INPUT, row.line, cols[i],
				                   "column appears twice");
	}
	while ((rc = csv_next(&r, &row, msg, sizeof msg)) > 0) {
		struct case_rec *c;
		if (row.nfields != ncols) {
			snprintf(msg, sizeof msg, "expected %zu fields, found %zu", ncols,
			         row.nfields);
			return import_fail(im, M_INPUT, row.line, -1, msg);
		}
		if (!(c = new_row(im, row.line)))
			return import_fail(im, M_UNAVAILABLE, row.line, -1, "out of memory");
		for (size_t i = 0; i < ncols; i++)
			if ((rc = set_value(im, c, row.line, cols[i], row.field[i], row.flen[i])))
				return rc;
	}
	if (rc < 0)
		return import_fail(im, M_INPUT, r.line, -1, msg);
	return M_OK;
}

/* One JSON member onto a case: strings for every field, true/false for
 * booleans, null to leave a field empty. */
static int json_value(struct import *im, struct case_rec *c, unsigned line,
                      const struct json_member *m, int f)
{
	const struct field_def *d = &field_catalogue[f];

	switch (m->kind) {
	case JSON_STRING:
		return set_value(im, c, line, f, m->val, m->vlen);
	case JSON_TRUE:
	case JSON_FALSE:
		if (d->type != FT_BOOL)
			return import_fail(im, M_INPUT, line, f, "expected a string");
		return set_value(im, c, line, f, m->kind == JSON_TRUE ? "true" : "false",
		                 m->kind == JSON_TRUE ? 4 : 5);
	case JSON_NULL:
		return set_value(im, c, line, f, "", 0);
	case JSON_NUMBER:
		break;
	}
	return import_fail(im, M_INPUT, line, f, "expected a string");
}

static int parse_jsonl(struct import *im, char *buf, size_t len)
{
	struct json_object *obj = malloc(sizeof *obj);
	unsigned line = 0;
	size_t pos = 0;
	int rc = M_OK;

	if (!obj)
		return import_fail(im, M_UNAVAILABLE, 0, -1, "out of memory");
	if (len >= 3 && memcmp(buf, "\xef\xbb\xbf", 3) == 0)
		pos = 3;
	while (pos < len && rc == M_OK) {
		size_t end = pos, l;
		char msg[160];
		struct case_rec *c;

		while (end < len && buf[end] != '\n')
			end++;
		line++;
		l = end - pos;
		if (l && buf[pos + l - 1] == '\r')
			l--;
		bool blank = true;
		for (size_t i = 0; i < l; i++)
			blank &= buf[pos + i] == ' ' || buf[pos + i] == '\t';
		if (!blank) {
			/* The parser needs the byte after the object writable. */
			buf[pos + l] = 0;
			if (json_parse_object(buf + pos, l, obj, msg, sizeof msg) != 0) {
				rc = import_fail(im, M_INPUT, line, -1, msg);
				break;
			}
			if (!(c = new_row(im, line))) {
				rc = import_fail(im, M_UNAVAILABLE, line, -1, "out of memory");
				break;
			}
			for (size_t i = 0; i < obj->n && rc == M_OK; i++) {
				const struct json_member *m = &obj->m[i];
				int f = field_by_id(m->key, m->klen);
				if (f < 0)
					rc = unknown_name(im, line, "key", (unsigned)i + 1, m->key,
					                  m->klen);
				else
					rc = json_value(im, c, line, m, f);
			}
		}
		pos = end + 1;
	}
	keys_wipe(obj, sizeof *obj);
	free(obj);
	return rc;
}

/* The same national id twice in one file is a duplicate too. */
static int by_nid(const void *a, const void *b)
{
	const struct import_row *x = *(struct import_row *const *)a;
	const struct import_row *y = *(struct import_row *const *)b;
	int c = strcmp(x->c.value[F_national_id], y->c.value[F_national_id]);
	return c ? c : (x->line > y->line) - (x->line < y->line);
}

static int check_duplicates(struct import *im)
{
	struct import_row **v = malloc((im->n ? im->n : 1) * sizeof(struct import_row *));
	size_t k = 0;
	int rc = M_OK;

	if (!v)
		return import_fail(im, M_UNAVAILABLE, 0, -1, "out of memory");
	for (size_t i = 0; i < im->n; i++)
		if (im->rows[i].c.value[F_national_id])
			v[k++] = &im->rows[i];
	qsort(v, k, sizeof(struct import_row *), by_nid);
	for (size_t i = 1; i < k && rc == M_OK; i++)
		if (strcmp(v[i]->c.value[F_national_id], v[i - 1]->c.value[F_national_id]) == 0) {
			char msg[64];
			snprintf(msg, sizeof msg, "the same as on line %u", v[i - 1]->line);
			rc = import_fail(im, M_INPUT, v[i]->line, F_national_id, msg);
		}
	free(v);
	return rc;
}

struct import_txn_ctx {
	struct import *im;
	uint64_t *ids;
	size_t failed;
};

static int import_txn(store *st, MDB_txn *txn, void *vctx)
{
	struct import_txn_ctx *ctx = vctx;
	int rc;

	struct import *im = ctx->im;
	const char **nid = NULL;
	size_t *len = NULL;
	uint64_t *found = NULL, next;

	if ((rc = st_load_epochs(st, txn)) || (rc = st_counter_read(st, txn, &next)))
		return rc;
	/* Duplicates against the store, once for the whole file. */
	nid = calloc(im->n, sizeof *nid);
	len = calloc(im->n, sizeof *len);
	found = calloc(im->n, sizeof *found);
	if (!nid || !len || !found) {
		rc = st_fail(st, M_UNAVAILABLE, "out of memory");
		goto out;
	}
	for (size_t i = 0; i < im->n; i++) {
		nid[i] = im->rows[i].c.value[F_national_id];
		len[i] = im->rows[i].c.len[F_national_id];
	}
	if (store_can_read(st, KC_IDENTITY) &&
	    (rc = st_nid_find_many(st, txn, nid, len, im->n, found)))
		goto out;
	for (size_t i = 0; i < im->n; i++)
		if (found[i]) {
			ctx->failed = i;
			rc = st_fail(st, M_INPUT, "field national_id: already registered in case %llu",
			             (unsigned long long)found[i]);
			goto out;
		}
	/* The ids, and the counter, once for the whole file. */
	st->nid_checked = true;
	for (size_t i = 0; i < im->n; i++) {
		ctx->failed = i;
		if ((rc = st_case_insert_at(st, txn, &im->rows[i].c, next + i)))
			goto out;
		ctx->ids[i] = next + i;
	}
	if ((rc = st_counter_write(st, txn, st->kr, next + im->n)))
		goto out;
	ctx->failed = SIZE_MAX; /* a failure from here on is the commit's */
out:
	st->nid_checked = false;
	free(nid);
	free(len);
	free(found);
	return rc;
}

int store_import(store *st, const char *name, char *buf, size_t len, enum import_format fmt,
                 bool dry_run, uint64_t **ids, size_t *n, char *err, size_t errlen)
{
	struct import im = {st, name, err, errlen, NULL, 0, 0, NULL, 0, 0};
	int rc;

	*ids = NULL;
	*n = 0;
	err[0] = 0;
	if (!st->kr)
		return st_fail(st, M_AUTH, "not unlocked");
	/* Normalising can lengthen a value: the boolean "0" becomes "false".
	 * A one-byte value and its delimiter (2 input bytes) then take 6 arena
	 * bytes with the NUL, and nothing grows more than that, so 3 bytes per
	 * input byte always fit; 2 ran out on a file of short booleans. */
	im.acap = 3 * len + 64;
	im.arena = keys_secure_alloc(im.acap);
	if (!im.arena) {
		snprintf(err, errlen, "%s: out of memory", name);
		return M_UNAVAILABLE;
	}
	rc = fmt == IMPORT_CSV ? parse_csv(&im, buf, len) : parse_jsonl(&im, buf, len);
	if (rc == M_OK)
		rc = check_duplicates(&im);
	if (rc == M_OK && !dry_run && im.n) {
		struct import_txn_ctx ctx = {&im, calloc(im.n, sizeof(uint64_t)), 0};
		if (!ctx.ids) {
			rc = import_fail(&im, M_UNAVAILABLE, 0, -1, "out of memory");
		} else {
			rc = st_txn(st, true, import_txn, &ctx);
			if (rc == M_OK) {
				*ids = ctx.ids;
				*n = im.n;
			} else {
				/* Name the line whose case the store refused. */
				if (ctx.failed < im.n)
					snprintf(err, errlen, "%s:%u: %s", name,
					         im.rows[ctx.failed].line, st->err);
				else
					snprintf(err, errlen, "%s", st->err);
				free(ctx.ids);
			}
		}
	} else if (rc == M_OK) {
		*n = im.n;
	}
	free(im.rows); /* the values are in the arena */
	keys_secure_free(im.arena);
	return rc;
}

/* ---- update from JSON --------------------------------------------------- */

int case_apply_json(struct case_rec *c, char *json, size_t len, uint32_t *expect_version,
                    char *err, size_t errlen)
{
	struct json_object *obj = malloc(sizeof *obj);
	char msg[160];
	int rc = M_OK;

	*expect_version = 0;
	if (!obj) {
		snprintf(err, errlen, "out of memory");
		return M_UNAVAILABLE;
	}
	if (json_parse_object(json, len, obj, msg, sizeof msg) != 0) {
		snprintf(err, errlen, "stdin: %s", msg);
		free(obj);
		return M_INPUT;
	}
	for (size_t i = 0; i < obj->n && rc == M_OK; i++) {
		const struct json_member *m = &obj->m[i];
		int f;
		char *out;
		size_t outlen;
		const char *bad;

		if (m->klen == 8 && memcmp(m->key, "_version", 8) == 0) {
			char *end;
			unsigned long v = m->kind == JSON_NUMBER ? strtoul(m->val, &end, 10) : 0;
			if (m->kind != JSON_NUMBER || *end || v == 0 || v > UINT32_MAX) {
				snprintf(err, errlen, "stdin: _version must be a positive whole number");
				rc = M_INPUT;
			}
			*expect_version = (uint32_t)v;
			continue;
		}
		if (m->klen == 3 && memcmp(m->key, "_id", 3) == 0)
			continue; /* show --json output may be fed back */
		f = field_by_id(m->key, m->klen);
		if (f < 0) {
			if (looks_like_id(m->key, m->klen))
				snprintf(err, errlen, "stdin: unknown field '%.*s'", (int)m->klen,
				         m->key);
			else
				snprintf(err, errlen, "stdin: unknown field (member %zu)", i + 1);
			rc = M_INPUT;
			break;
		}
		const char *val = m->val;
		size_t vlen = m->vlen;
		if (m->kind == JSON_TRUE || m->kind == JSON_FALSE) {
			val = m->kind == JSON_TRUE ? "true" : "false";
			vlen = strlen(val);
			if (field_catalogue[f].type != FT_BOOL)
				val = NULL;
		} else if (m->kind == JSON_NULL) {
			val = "";
			vlen = 0;
		} else if (m->kind == JSON_NUMBER) {
			val = NULL;
		}
		if (!val) {
			snprintf(err, errlen, "stdin: field %s: expected a string",
			         field_catalogue[f].id);
			rc = M_INPUT;
			break;
		}
		if (vlen > FIELD_MAX_BYTES) {
			snprintf(err, errlen, "stdin: field %s: too long (at most 4096 bytes)",
			         field_catalogue[f].id);
			rc = M_INPUT;
			break;
		}
		out = keys_secure_alloc(vlen + 8);
		if (!out) {
			rc = M_UNAVAILABLE;
			break;
		}
		bad = field_normalise((enum field_id)f, val, vlen, out, vlen + 8, &outlen);
		if (bad) {
			snprintf(err, errlen, "stdin: field %s: %s", field_catalogue[f].id, bad);
			rc = M_INPUT;
		} else if (case_set(c, (enum field_id)f, out, outlen)) {
			rc = M_UNAVAILABLE;
		}
		keys_secure_free(out);
	}
	keys_wipe(obj, sizeof *obj);
	free(obj);
	return rc;
}

/* ---- JSON out ----------------------------------------------------------- */

static void write_value(FILE *f, enum field_id id, const char *v, size_t len)
{
	if (field_catalogue[id].type == FT_BOOL)
		fputs(strcmp(v, "true") == 0 ? "true" : "false", f);
	else
		json_write_string(f, v, len);
}

void case_write_json_begin(FILE *f, const struct case_rec *c, bool notes_locked)
{
	bool first = true;

	fprintf(f, "{\"_id\": %llu, \"_version\": %u", (unsigned long long)c->id, c->version);
	for (int i = 0; i < F_COUNT; i++) {
		if (!c->value[i])
			continue;
		fprintf(f, ", \"%s\": ", field_catalogue[i].id);
		write_value(f, (enum field_id)i, c->value[i], c->len[i]);
	}
	fputs(", \"_locked\": [", f);
	for (int i = 0; i < F_COUNT; i++) {
		if (!c->locked[i])
			continue;
		fprintf(f, "%s\"%s\"", first ? "" : ", ", field_catalogue[i].id);
		first = false;
	}
	if (notes_locked)
		fprintf(f, "%s\"notes\"", first ? "" : ", ");
	fputs("]", f);
	if (!notes_locked)
		fputs(", \"notes\": [", f);
}

void case_write_json_notes(FILE *f, const struct note *notes, size_t n, bool first)
{
	for (size_t i = 0; i < n; i++) {
		char when[32];
		time_t t = (time_t)notes[i].time;
		struct tm tm;
		gmtime_r(&t, &tm);
		strftime(when, sizeof when, "%Y-%m-%dT%H:%M:%SZ", &tm);
		fprintf(f, "%s{\"author\": ", i || !first ? ", " : "");
		json_write_string(f, notes[i].author, strlen(notes[i].author));
		fprintf(f, ", \"time\": \"%s\", \"kind\": \"%s\", \"interpreter_used\": %s, "
		           "\"text\": ",
		        when, note_kind_name(notes[i].kind),
		        notes[i].interpreter_used ? "true" : "false");
		json_write_string(f, notes[i].text, notes[i].len);
		fputs("}", f);
	}
}

void case_write_json_end(FILE *f, bool notes_locked)
{
	if (!notes_locked)
		fputs("]", f);
	fputs("}\n", f);
}

void case_write_json(FILE *f, const struct case_rec *c, const struct note *notes, size_t n,
                     bool notes_locked)
{
	case_write_json_begin(f, c, notes_locked);
	if (!notes_locked)
		case_write_json_notes(f, notes, n, true);
	case_write_json_end(f, notes_locked);
}
