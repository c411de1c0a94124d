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
	struct import_row *rows;
	size_t n, cap;
	char *arena; /* secure: normalised values of every row */
	size_t used, acap;
};

/* Fail with a code of errors.def located in the file: give .line always.
 *   return im_err(im, FIELD_INVALID, .line = line, .field = f, .why = msg); */
#define im_err(im, CODE, ...) st_err((im)->st, CODE, .file = (im)->name, __VA_ARGS__)

#define TOO_LONG     N_("too long (at most 4096 bytes)")
#define ARENA_FULL   N_("internal error: import arena full")
#define NOT_A_STRING N_("expected a string")

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
		return im_err(im, FIELD_INVALID, .line = line, .field = f, .why = TOO_LONG);
	if (im->acap - im->used < len + 8)
		return im_err(im, FIELD_INVALID, .line = line, .field = f, .why = ARENA_FULL);
	msg = field_normalise((enum field_id)f, val, len, im->arena + im->used, len + 8, &outlen);
	if (msg)
		return im_err(im, FIELD_INVALID, .line = line, .field = f, .why = msg);
	if (outlen == 0)
		return M_OK;
	if (d->cls != KC_NONE && !store_can_read(im->st, d->cls))
		return im_err(im, IMPORT_FIELD_NEEDS_KEY, .line = line, .field = f, .cls = d->cls);
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

/* A JSON value as the text to normalise: a string; true or false for a
 * boolean; null to leave it empty; a number for hours. NULL when the kind
 * does not fit the field. */
static const char *json_text(const struct json_member *m, const struct field_def *d,
                             size_t *len)
{
	switch (m->kind) {
	case JSON_STRING:
		*len = m->vlen;
		return m->val;
	case JSON_TRUE:
	case JSON_FALSE:
		if (d->type != FT_BOOL)
			return NULL;
		*len = m->kind == JSON_TRUE ? 4 : 5;
		return m->kind == JSON_TRUE ? "true" : "false";
	case JSON_NULL:
		*len = 0;
		return "";
	case JSON_NUMBER:
		if (d->check != CHECK_HOURS)
			return NULL;
		*len = m->vlen;
		return m->val;
	case JSON_ARRAY:
	case JSON_STRINGS:
		break;
	}
	return NULL;
}

static bool key_is(const struct json_member *m, const char *k)
{
	return m->klen == strlen(k) && memcmp(m->key, k, m->klen) == 0;
}

/* An item's own members: "_item": N (the item's id), "_remove": true. */
static const char *item_header(const struct json_object *o, uint32_t *id, bool *remove)
{
	*id = 0;
	*remove = false;
	for (size_t i = 0; i < o->n; i++) {
		const struct json_member *m = &o->m[i];
		if (key_is(m, "_item")) {
			char *end;
			unsigned long v = m->kind == JSON_NUMBER ? strtoul(m->val, &end, 10) : 0;
			if (m->kind != JSON_NUMBER || *end || v == 0 || v > UINT32_MAX)
				return N_("_item must be a positive whole number");
			*id = (uint32_t)v;
		} else if (key_is(m, "_remove")) {
			if (m->kind != JSON_TRUE && m->kind != JSON_FALSE)
				return N_("_remove must be true or false");
			*remove = m->kind == JSON_TRUE;
		}
	}
	if (*remove && !*id)
		return N_("_remove needs the _item to remove");
	return NULL;
}

/* Normalise one item value into the import arena and set it on the n-th
 * item column group or array element of list l (made on its first value). */
static int set_item_value(struct import *im, struct case_rec *c, unsigned line, int *item,
                          enum list_id l, unsigned n, int f, const char *val, size_t len)
{
	const struct field_def *d = &item_catalogue[f].f;
	const char *msg = NULL;
	size_t outlen = 0;

	if (len > FIELD_MAX_BYTES)
		msg = TOO_LONG;
	else if (im->acap - im->used < len + 8)
		msg = ARENA_FULL;
	else
		msg = item_normalise((enum item_field_id)f, val, len, im->arena + im->used, len + 8,
		                     &outlen);
	if (msg)
		return im_err(im, IMPORT_ITEM_INVALID, .line = line, .list = (int)l, .n = n,
		              .item = f, .why = msg);
	if (outlen == 0)
		return M_OK;
	if (!store_can_read(im->st, d->cls) || !store_can_read(im->st, list_catalogue[l].cls))
		return im_err(
		    im, IMPORT_ITEM_NEEDS_KEY, .line = line, .list = (int)l, .n = n, .item = f,
		    .cls = store_can_read(im->st, d->cls) ? list_catalogue[l].cls : d->cls);
	if (*item < 0 && (*item = st_item_append(c, l, 0)) < 0)
		return im_err(im, NOMEM, .line = line);
	c->items[*item].value[f] = im->arena + im->used;
	c->items[*item].len[f] = (uint32_t)outlen;
	c->items[*item].dirty[f] = true;
	im->used += outlen + 1;
	return M_OK;
}

/* A list's array in a JSON Lines import: every object a new item. */
static int json_items(struct import *im, struct case_rec *c, unsigned line, enum list_id l,
                      const struct json_member *a)
{
	int rc = M_OK;

	if (a->kind != JSON_ARRAY)
		return im_err(im, LIST_NOT_ARRAY, .line = line, .list = (int)l);
	for (size_t k = 0; k < a->narr && rc == M_OK; k++) {
		const struct json_object *o = &a->arr[k];
		int item = -1;
		for (size_t i = 0; i < o->n && rc == M_OK; i++) {
			const struct json_member *m = &o->m[i];
			int f;
			const char *v;
			size_t vlen;
			if (key_is(m, "_item") || key_is(m, "_remove"))
				return im_err(im, IMPORT_ITEM_IDS, .line = line, .list = (int)l);
			if ((f = item_field_by_id(l, m->key, m->klen)) < 0) {
				/* A name only if it looks like a field id (looks_like_id). */
				if (looks_like_id(m->key, m->klen))
					return im_err(im, LIST_FIELD_UNKNOWN, .line = line,
					              .list = (int)l, .name = m->key,
					              .namelen = (int)m->klen);
				return im_err(im, LIST_FIELD_UNKNOWN_AT, .line = line,
				              .list = (int)l, .n = i + 1);
			}
			if (!(v = json_text(m, &item_catalogue[f].f, &vlen)))
				return im_err(im, IMPORT_ITEM_INVALID, .line = line, .list = (int)l,
				              .n = k + 1, .item = f, .why = NOT_A_STRING);
			rc = set_item_value(im, c, line, &item, l, (unsigned)k + 1, f, v, vlen);
		}
	}
	return rc;
}

/* A CSV column: a field, or field f of the n-th item of list l
 * ("placements.1.employer"). */
struct csv_col {
	int f;
	int l; /* -1: a case field; COL_IGNORED: an export's "_id" */
	unsigned n;
};
#define COL_IGNORED (-2)

static bool parse_item_column(const char *s, size_t len, struct csv_col *col)
{
	const char *dot = memchr(s, '.', len), *dot2;
	unsigned long n = 0;

	if (!dot || (col->l = list_by_id(s, (size_t)(dot - s))) < 0)
		return false;
	dot++;
	dot2 = memchr(dot, '.', len - (size_t)(dot - s));
	if (!dot2 || dot2 == dot || *dot == '0' || dot2 - dot > 4)
		return false;
	for (const char *p = dot; p < dot2; p++) {
		if (*p < '0' || *p > '9')
			return false;
		n = n * 10 + (unsigned long)(*p - '0');
	}
	dot2++;
	col->n = (unsigned)n;
	col->f = item_field_by_id((enum list_id)col->l, dot2, len - (size_t)(dot2 - s));
	return col->f >= 0;
}

struct item_order {
	unsigned n;
	int l;
	size_t col;
};

static int by_group(const void *a, const void *b)
{
	const struct item_order *x = a, *y = b;

	if (x->l != y->l)
		return x->l < y->l ? -1 : 1;
	if (x->n != y->n)
		return x->n < y->n ? -1 : 1;
	return x->col < y->col ? -1 : x->col > y->col;
}

/* The order values go in: the store numbers new items as they come, so
 * every list's item 1 before any item 2, and within a number the columns
 * as the file has them. */
static int by_number(const void *a, const void *b)
{
	const struct item_order *x = a, *y = b;

	if (x->n != y->n)
		return x->n < y->n ? -1 : 1;
	return x->col < y->col ? -1 : x->col > y->col;
}

static int parse_csv(struct import *im, char *buf, size_t len)
{
	struct csv_reader r;
	struct csv_row row;
	struct csv_col cols[CSV_MAX_FIELDS];
	int item[CSV_MAX_FIELDS]; /* per column: the item its group made in this row */
	/* The item columns in the order their values go in (by item number,
	 * then column), and each one's group head: the first column of the
	 * same list and number, whose item[] the group shares. Worked out once
	 * from the header, not again on every row of a wide file. */
	struct item_order order[CSV_MAX_FIELDS];
	size_t head[CSV_MAX_FIELDS], nitems = 0;
	size_t ncols;
	struct parse_error pe;
	int rc;

	csv_init(&r, buf, len);
	rc = csv_next(&r, &row, &pe);
	if (rc < 0)
		return im_err(im, CSV_SYNTAX, .line = pe.line, .why = pe.why);
	if (rc == 0)
		return im_err(im, CSV_EMPTY, .line = 1);
	ncols = row.nfields;
	for (size_t i = 0; i < ncols; i++) {
		cols[i] = (struct csv_col){field_by_id(row.field[i], row.flen[i]), -1, 0};
		/* An export's case ids: this store numbers the cases anew. */
		if (row.flen[i] == 3 && memcmp(row.field[i], "_id", 3) == 0) {
			cols[i] = (struct csv_col){-1, COL_IGNORED, 0};
			continue;
		}
		if (cols[i].f < 0 && !parse_item_column(row.field[i], row.flen[i], &cols[i])) {
			/* A name only if it looks like a field id: a file without a
			 * header would put personal data in the message. */
			if (looks_like_id(row.field[i], row.flen[i]))
				return im_err(im, COLUMN_UNKNOWN, .line = row.line,
				              .name = row.field[i], .namelen = (int)row.flen[i]);
			return im_err(im, COLUMN_UNKNOWN_AT, .line = row.line, .n = i + 1);
		}
		for (size_t j = 0; j < i; j++)
			if (cols[j].f == cols[i].f && cols[j].l == cols[i].l &&
			    cols[j].n == cols[i].n) {
				if (cols[i].l < 0)
					return im_err(im, COLUMN_TWICE, .line = row.line,
					              .field = cols[i].f);
				return im_err(im, ITEM_COLUMN_TWICE, .line = row.line,
				              .list = cols[i].l, .n = cols[i].n, .item = cols[i].f);
			}
	}
	for (size_t i = 0; i < ncols; i++)
		if (cols[i].l >= 0)
			order[nitems++] = (struct item_order){cols[i].n, cols[i].l, i};
	/* Group heads: by list and number, the lowest column first. */
	qsort(order, nitems, sizeof *order, by_group);
	for (size_t k = 0; k < nitems; k++)
		head[order[k].col] = k && order[k - 1].l == order[k].l && order[k - 1].n == order[k].n
		                         ? head[order[k - 1].col]
		                         : order[k].col;
	qsort(order, nitems, sizeof *order, by_number);
	while ((rc = csv_next(&r, &row, &pe)) > 0) {
		struct case_rec *c;
		if (row.nfields != ncols)
			return im_err(im, CSV_FIELD_COUNT, .line = row.line, .n = ncols,
			              .m = row.nfields);
		if (!(c = new_row(im, row.line)))
			return im_err(im, NOMEM, .line = row.line);
		/* The items in the order of their column groups' numbers, which
		 * the store numbers in turn; a group with no value adds none. */
		for (size_t i = 0; i < ncols; i++)
			item[i] = -1;
		for (size_t i = 0; i < ncols; i++)
			if (cols[i].l == -1 &&
			    (rc = set_value(im, c, row.line, cols[i].f, row.field[i], row.flen[i])))
				return rc;
		for (size_t k = 0; k < nitems; k++) {
			size_t i = order[k].col;
			if ((rc = set_item_value(im, c, row.line, &item[head[i]], (enum list_id)cols[i].l,
			                         cols[i].n, cols[i].f, row.field[i], row.flen[i])))
				return rc;
		}
	}
	if (rc < 0)
		return im_err(im, CSV_SYNTAX, .line = pe.line, .why = pe.why);
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
			break;
		return set_value(im, c, line, f, m->kind == JSON_TRUE ? "true" : "false",
		                 m->kind == JSON_TRUE ? 4 : 5);
	case JSON_NULL:
		return set_value(im, c, line, f, "", 0);
	case JSON_NUMBER:
	case JSON_ARRAY:
	case JSON_STRINGS:
		break;
	}
	return im_err(im, FIELD_INVALID, .line = line, .field = f, .why = NOT_A_STRING);
}

static int parse_jsonl(struct import *im, char *buf, size_t len)
{
	struct json_object *obj = malloc(sizeof *obj);
	unsigned line = 0;
	size_t pos = 0;
	int rc = M_OK;

	if (!obj)
		return im_err(im, NOMEM, .line = 0);
	if (len >= 3 && memcmp(buf, "\xef\xbb\xbf", 3) == 0)
		pos = 3;
	while (pos < len && rc == M_OK) {
		size_t end = pos, l;
		struct parse_error pe;
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
			if (json_parse_object(buf + pos, l, obj, &pe) != 0) {
				rc = im_err(im, JSON_SYNTAX, .line = line, .n = pe.column,
				            .why = pe.why);
				break;
			}
			if (!(c = new_row(im, line))) {
				rc = im_err(im, NOMEM, .line = line);
				break;
			}
			for (size_t i = 0; i < obj->n && rc == M_OK; i++) {
				const struct json_member *m = &obj->m[i];
				int f = field_by_id(m->key, m->klen), li;
				if (key_is(m, "_id"))
					continue; /* an export's: the case is numbered anew */
				if (f >= 0)
					rc = json_value(im, c, line, m, f);
				else if ((li = list_by_id(m->key, m->klen)) >= 0)
					rc = json_items(im, c, line, (enum list_id)li, m);
				else if (looks_like_id(m->key, m->klen))
					rc = im_err(im, KEY_UNKNOWN, .line = line, .name = m->key,
					            .namelen = (int)m->klen);
				else
					rc = im_err(im, KEY_UNKNOWN_AT, .line = line, .n = i + 1);
			}
			json_object_release(obj);
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
	int c = strcmp(x->c.value[NID_FIELD], y->c.value[NID_FIELD]);
	return c ? c : (x->line > y->line) - (x->line < y->line);
}

static int check_duplicates(struct import *im)
{
	struct import_row **v = malloc((im->n ? im->n : 1) * sizeof(struct import_row *));
	size_t k = 0;
	int rc = M_OK;

	if (!v)
		return im_err(im, NOMEM, .line = 0);
	for (size_t i = 0; i < im->n; i++)
		if (im->rows[i].c.value[NID_FIELD])
			v[k++] = &im->rows[i];
	qsort(v, k, sizeof(struct import_row *), by_nid);
	for (size_t i = 1; i < k && rc == M_OK; i++)
		if (strcmp(v[i]->c.value[NID_FIELD], v[i - 1]->c.value[NID_FIELD]) == 0)
			rc = im_err(im, NID_TWICE, .line = v[i]->line, .field = NID_FIELD,
			            .n = v[i - 1]->line);
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
		rc = st_err(st, NOMEM);
		goto out;
	}
	for (size_t i = 0; i < im->n; i++) {
		nid[i] = im->rows[i].c.value[NID_FIELD];
		len[i] = im->rows[i].c.len[NID_FIELD];
	}
	if (store_can_read(st, NID_CLASS) &&
	    (rc = st_nid_find_many(st, txn, nid, len, im->n, found)))
		goto out;
	for (size_t i = 0; i < im->n; i++)
		if (found[i]) {
			ctx->failed = i;
			rc = st_err(st, NID_REGISTERED, .record = found[i], .field = NID_FIELD);
			goto out;
		}
	/* The ids, and the counter, once for the whole file. */
	st->nid_checked = true;
	for (size_t i = 0; i < im->n; i++) {
		ctx->failed = i;
		if ((rc = st_case_rules(st, txn, &im->rows[i].c, -1)) ||
		    (rc = st_case_insert_at(st, txn, &im->rows[i].c, next + i)))
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
                 bool dry_run, uint64_t **ids, size_t *n)
{
	struct import im = {st, name, NULL, 0, 0, NULL, 0, 0};
	int rc;

	*ids = NULL;
	*n = 0;
	if (!st->kr)
		return st_err(st, NOT_UNLOCKED);
	/* Normalising can lengthen a value: the boolean "0" becomes "false".
	 * A one-byte value and its delimiter (2 input bytes) then take 6 arena
	 * bytes with the NUL, and nothing grows more than that, so 3 bytes per
	 * input byte always fit; 2 ran out on a file of short booleans. */
	im.acap = 3 * len + 64;
	im.arena = keys_secure_alloc(im.acap);
	if (!im.arena)
		return im_err(&im, NOMEM, .line = 0);
	rc = fmt == IMPORT_CSV ? parse_csv(&im, buf, len) : parse_jsonl(&im, buf, len);
	if (rc == M_OK)
		rc = check_duplicates(&im);
	if (rc == M_OK && !dry_run && im.n) {
		struct import_txn_ctx ctx = {&im, calloc(im.n, sizeof(uint64_t)), 0};
		if (!ctx.ids) {
			rc = im_err(&im, NOMEM, .line = 0);
		} else {
			rc = st_txn(st, true, import_txn, &ctx);
			if (rc == M_OK) {
				*ids = ctx.ids;
				*n = im.n;
			} else {
				/* Name the line whose case the store refused. */
				if (ctx.failed < im.n)
					st_fault_locate(st, name, im.rows[ctx.failed].line);
				free(ctx.ids);
			}
		}
	} else if (rc == M_OK) {
		*n = im.n;
	}
	for (size_t i = 0; i < im.n; i++)
		free(im.rows[i].c.items);
	free(im.rows); /* the values are in the arena */
	keys_secure_free(im.arena);
	return rc;
}

/* ---- update from JSON --------------------------------------------------- */

/* Update's faults are from its JSON on stdin. */
#define up_err(fault, CODE, ...) st_fault_err((fault), CODE, .file = "stdin", __VA_ARGS__)

/* The journal in an update: the notes show --json wrote, each with its
 * "_item", pass through untouched (they are not compared: nothing here
 * writes the journal); it is append-only, so a note without an "_item", or
 * one to remove, is refused: notes go in with note add. */
static int keep_notes(const struct json_member *a, struct store_fault *fault)
{
	if (a->kind != JSON_ARRAY)
		return up_err(fault, NOTES_APPEND_ONLY, .line = 0);
	for (size_t k = 0; k < a->narr; k++) {
		const struct json_object *o = &a->arr[k];
		bool item = false;
		for (size_t i = 0; i < o->n; i++) {
			if (key_is(&o->m[i], "_remove"))
				return up_err(fault, NOTES_APPEND_ONLY, .line = 0);
			item = item || key_is(&o->m[i], "_item");
		}
		if (!item)
			return up_err(fault, NOTES_APPEND_ONLY, .line = 0);
	}
	return M_OK;
}

/* A list's array in an update: an object with "_item" edits that item, one
 * without adds an item, {"_item": N, "_remove": true} removes item N. */
static int apply_items(struct case_rec *c, enum list_id l, const struct json_member *a,
                       struct store_fault *fault)
{
	if (a->kind != JSON_ARRAY)
		return up_err(fault, LIST_NOT_ARRAY, .list = (int)l);
	for (size_t k = 0; k < a->narr; k++) {
		const struct json_object *o = &a->arr[k];
		const char *bad = NULL;
		uint32_t id;
		bool remove;
		int item;

		if ((bad = item_header(o, &id, &remove)))
			return up_err(fault, LIST_INVALID, .list = (int)l, .why = bad);
		item = id ? case_item_edit(c, l, id) : case_item_add(c, l);
		if (item < 0)
			return st_fault_err(fault, NOMEM, .list = (int)l);
		if (remove) {
			if (o->n > 2)
				return up_err(
				    fault, LIST_INVALID, .list = (int)l,
				    .why = N_("an item to remove has only _item and _remove"));
			case_item_remove(c, item);
			continue;
		}
		for (size_t i = 0; i < o->n; i++) {
			const struct json_member *m = &o->m[i];
			const char *v;
			size_t vlen, outlen;
			char *out;
			int f;

			if (key_is(m, "_item") || key_is(m, "_remove") || key_is(m, "_locked"))
				continue; /* show --json output may be fed back */
			if ((f = item_field_by_id(l, m->key, m->klen)) < 0) {
				if (looks_like_id(m->key, m->klen))
					return up_err(fault, LIST_FIELD_UNKNOWN, .list = (int)l,
					              .name = m->key, .namelen = (int)m->klen);
				return up_err(fault, LIST_FIELD_UNKNOWN_AT, .list = (int)l,
				              .n = i + 1);
			}
			if (!(v = json_text(m, &item_catalogue[f].f, &vlen)))
				return up_err(fault, ITEM_INVALID, .list = (int)l, .item = f,
				              .why = NOT_A_STRING);
			if (vlen > FIELD_MAX_BYTES)
				return up_err(fault, ITEM_INVALID, .list = (int)l, .item = f,
				              .why = TOO_LONG);
			if (!(out = keys_secure_alloc(vlen + 8)))
				return st_fault_err(fault, NOMEM, .list = (int)l);
			bad = item_normalise((enum item_field_id)f, v, vlen, out, vlen + 8, &outlen);
			int rc = M_OK;
			if (bad)
				rc = up_err(fault, ITEM_INVALID, .list = (int)l, .item = f,
				            .why = bad);
			else if (case_item_set(c, item, (enum item_field_id)f, out, outlen))
				rc = st_fault_err(fault, NOMEM, .list = (int)l);
			keys_secure_free(out);
			if (rc)
				return rc;
		}
	}
	return M_OK;
}

int case_apply_json(struct case_rec *c, char *json, size_t len, uint32_t *expect_version,
                    struct store_fault *fault)
{
	struct json_object *obj = malloc(sizeof *obj);
	struct parse_error pe;
	int rc = M_OK;

	*expect_version = 0;
	*fault = (struct store_fault){0};
	if (!obj)
		return st_fault_err(fault, NOMEM, .line = 0);
	if (json_parse_object(json, len, obj, &pe) != 0) {
		free(obj);
		return up_err(fault, JSON_SYNTAX, .n = pe.column, .why = pe.why);
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
			if (m->kind != JSON_NUMBER || *end || v == 0 || v > UINT32_MAX)
				rc = up_err(fault, VERSION_INVALID, .line = 0);
			*expect_version = (uint32_t)v;
			continue;
		}
		/* show --json output may be fed back: its _id, the fields it
		 * could not show, the stipend it computed (never stored), and
		 * the journal as it was. */
		if (key_is(m, "_id") || key_is(m, "_locked") ||
		    (m->klen >= 8 && memcmp(m->key, "_stipend", 8) == 0))
			continue;
		if (key_is(m, "notes")) {
			rc = keep_notes(m, fault);
			continue;
		}
		f = field_by_id(m->key, m->klen);
		if (f < 0 && list_by_id(m->key, m->klen) >= 0) {
			rc = apply_items(c, (enum list_id)list_by_id(m->key, m->klen), m, fault);
			continue;
		}
		if (f < 0) {
			if (looks_like_id(m->key, m->klen))
				rc = up_err(fault, FIELD_UNKNOWN, .name = m->key,
				            .namelen = (int)m->klen);
			else
				rc = up_err(fault, FIELD_UNKNOWN_AT, .n = i + 1);
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
			rc = up_err(fault, FIELD_INVALID, .field = f, .why = NOT_A_STRING);
			break;
		}
		if (vlen > FIELD_MAX_BYTES) {
			rc = up_err(fault, FIELD_INVALID, .field = f, .why = TOO_LONG);
			break;
		}
		out = keys_secure_alloc(vlen + 8);
		if (!out) {
			rc = st_fault_err(fault, NOMEM, .field = f);
			break;
		}
		bad = field_normalise((enum field_id)f, val, vlen, out, vlen + 8, &outlen);
		if (bad)
			rc = up_err(fault, FIELD_INVALID, .field = f, .why = bad);
		else if (case_set(c, (enum field_id)f, out, outlen))
			rc = st_fault_err(fault, NOMEM, .field = f);
		keys_secure_free(out);
	}
	json_object_release(obj);
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

/* A list as an array of objects, each with its "_item" id and, if some of
 * its fields are of a class the user holds no key for, their "_locked". */
static void write_items(FILE *f, const struct case_rec *c, enum list_id l)
{
	int i = case_item_next(c, l, 0);

	if (i < 0)
		return; /* like a field without a value */
	fprintf(f, ", \"%s\": [", list_catalogue[l].id);
	for (bool first = true; i >= 0; i = case_item_next(c, l, i + 1), first = false) {
		const struct case_item *it = &c->items[i];
		bool none = true;

		fprintf(f, "%s{\"_item\": %u", first ? "" : ", ", it->id);
		for (int g = 0; g < I_COUNT; g++) {
			const struct field_def *d = &item_catalogue[g].f;
			if (item_catalogue[g].list != l || !it->value[g] || it->locked[g])
				continue;
			fprintf(f, ", \"%s\": ", d->id);
			if (d->type == FT_BOOL)
				fputs(strcmp(it->value[g], "true") == 0 ? "true" : "false", f);
			else
				json_write_string(f, it->value[g], it->len[g]);
		}
		for (int g = 0; g < I_COUNT; g++) {
			if (item_catalogue[g].list != l || !it->locked[g])
				continue;
			fprintf(f, "%s\"%s\"", none ? ", \"_locked\": [" : ", ", item_catalogue[g].f.id);
			none = false;
		}
		fputs(none ? "}" : "]}", f);
	}
	fputs("]", f);
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
	for (int l = 0; l < L_COUNT; l++)
		if (!c->list_locked[l])
			write_items(f, c, (enum list_id)l);
	fputs(", \"_locked\": [", f);
	for (int i = 0; i < F_COUNT; i++) {
		if (!c->locked[i])
			continue;
		fprintf(f, "%s\"%s\"", first ? "" : ", ", field_catalogue[i].id);
		first = false;
	}
	for (int l = 0; l < L_COUNT; l++) {
		if (!c->list_locked[l])
			continue;
		fprintf(f, "%s\"%s\"", first ? "" : ", ", list_catalogue[l].id);
		first = false;
	}
	if (notes_locked)
		fprintf(f, "%s\"notes\"", first ? "" : ", ");
	fputs("]", f);
	if (!notes_locked)
		fputs(", \"notes\": [", f);
}

void case_write_json_notes(FILE *f, const struct note *notes, size_t n, uint32_t from,
                           bool first)
{
	for (size_t i = 0; i < n; i++) {
		char when[32];
		time_t t = (time_t)notes[i].time;
		struct tm tm;
		gmtime_r(&t, &tm);
		strftime(when, sizeof when, "%Y-%m-%dT%H:%M:%SZ", &tm);
		fprintf(f, "%s{\"_item\": %llu, \"author\": ", i || !first ? ", " : "",
		        (unsigned long long)from + i + 1);
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
		case_write_json_notes(f, notes, n, 0, true);
	case_write_json_end(f, notes_locked);
}
