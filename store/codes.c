/* codes.c: the code tables IMDi owns (codes.def), loaded by administrators,
 * every version kept, each sealed (sealed.c) so that nobody edits them in
 * the file.
 *
 * meta "codes" 0x00 table 0x00 version -> sealed body:
 *   u8 format (1) | u64 loaded (seconds) | u8 n | loader[n] |
 *   u16 rows | rows of u8 n code[n] | u16 n nb[n] | u16 n en[n]
 */
#include "store/formats.h"
#include "store/private.h"
#include "store/validate.h"

#include <stdlib.h>
#include <string.h>

#define CODES_FORMAT   1
#define CODE_MAX       32
#define CODE_LABEL_MAX 200
#define CODES_ROWS_MAX 1000

static const struct named tables[CT_COUNT] = {
#define CODE_TABLE(tid, tnb, ten) [CT_##tid] = {#tid, tnb, ten},
#include "store/codes.def"
#undef CODE_TABLE
};

static const struct {
	enum code_table t;
	struct code_row row;
} defaults[] = {
#define DEFAULT_CODE(dt, dcode, dnb, den) {CT_##dt, {#dcode, dnb, den}},
#include "store/codes.def"
#undef DEFAULT_CODE
};

const char *code_table_id(enum code_table t)
{
	return named_id(tables, CT_COUNT, (unsigned)t);
}

const char *code_table_label(enum code_table t, bool norwegian)
{
	return named_label(tables, CT_COUNT, (unsigned)t, norwegian);
}

int code_table_parse(const char *s, size_t len)
{
	return named_find(tables, CT_COUNT, sizeof tables[0], s, len);
}

const char *code_list_label(const struct code_list *l, const char *code, bool norwegian)
{
	for (size_t i = 0; i < l->n; i++)
		if (strcmp(l->row[i].code, code) == 0)
			return norwegian ? l->row[i].label_nb : l->row[i].label_en;
	return NULL;
}

void code_list_free(struct code_list *l)
{
	if (!l)
		return;
	free(l->row);
	free(l->mem);
	memset(l, 0, sizeof *l);
}

static void default_list(enum code_table t, struct code_list *out)
{
	memset(out, 0, sizeof *out);
	out->table = t;
	out->provisional = true;
	snprintf(out->version, sizeof out->version, "provisional");
	for (size_t i = 0; i < sizeof defaults / sizeof defaults[0]; i++)
		if (defaults[i].t == t)
			out->n++;
	out->row = calloc(out->n ? out->n : 1, sizeof *out->row);
	size_t k = 0;
	for (size_t i = 0; out->row && i < sizeof defaults / sizeof defaults[0]; i++)
		if (defaults[i].t == t)
			out->row[k++] = defaults[i].row;
	if (!out->row)
		out->n = 0;
}

/* ---- the sealed entries ------------------------------------------------- */

static size_t codes_key(uint8_t *k, enum code_table t, const char *version)
{
	size_t n = 0, vl = version ? strlen(version) : 0;

	memcpy(k, "codes", 6); /* with its NUL */
	n = 6;
	memcpy(k + n, tables[t].id, strlen(tables[t].id) + 1);
	n += strlen(tables[t].id) + 1;
	if (vl)
		memcpy(k + n, version, vl);
	return n + vl;
}

static bool version_valid(const char *s)
{
	size_t n = strlen(s);

	if (n == 0 || n > CODE_MAX)
		return false;
	for (size_t i = 0; i < n; i++) {
		char c = s[i];
		if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		      c == '.' || c == '-' || c == '_'))
			return false;
	}
	return strcmp(s, "provisional") != 0;
}

static bool code_valid(const char *s)
{
	size_t n = strlen(s);

	if (n == 0 || n > CODE_MAX)
		return false;
	for (size_t i = 0; i < n; i++)
		if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= '0' && s[i] <= '9') || s[i] == '_'))
			return false;
	return true;
}

/* Why a label is refused (NULL: it is fine): it reaches the terminal. */
static const char *label_why(const char *s, size_t n)
{
	const char *why = valid_utf8_text(s, n, false);

	if (!why && (n == 0 || n > CODE_LABEL_MAX))
		why = N_("a label must be 1 to 200 bytes");
	return why;
}

/* A stored version holds what a load would have written: the seal says who
 * wrote it (a holder of the record key), not that it was mappe. Row i of
 * l, its strings decoded: its code's and labels' shapes, and no code twice. */
static bool row_valid(const struct code_list *l, size_t i)
{
	const struct code_row *r = &l->row[i];

	if (!code_valid(r->code) || label_why(r->label_nb, strlen(r->label_nb)) ||
	    label_why(r->label_en, strlen(r->label_en)))
		return false;
	for (size_t j = 0; j < i; j++)
		if (strcmp(l->row[j].code, r->code) == 0)
			return false;
	return true;
}

/* Decode a verified body into out (its strings copied into out->mem). */
static int decode(store *st, enum code_table t, const char *version, const uint8_t *b, size_t n,
                  struct code_list *out)
{
	memset(out, 0, sizeof *out);
	out->table = t;
	if (n < 12 || b[0] != CODES_FORMAT)
		return st_err(st, CODES_DAMAGED, .name = tables[t].id);
	out->loaded = (int64_t)rd64(b + 1);
	size_t p = 9, ll = b[p++];
	if (p + ll + 2 > n || ll >= sizeof out->loaded_by || !version_valid(version) ||
	    !store_user_name_valid_n((const char *)b + p, ll))
		return st_err(st, CODES_DAMAGED, .name = tables[t].id);
	memcpy(out->loaded_by, b + p, ll);
	p += ll;
	size_t rows = rd16(b + p);
	p += 2;
	if (rows > CODES_ROWS_MAX)
		return st_err(st, CODES_DAMAGED, .name = tables[t].id);
	snprintf(out->version, sizeof out->version, "%s", version);
	/* Every string NUL-terminated in mem: at most the body's size again. */
	out->mem = malloc(n + 3 * rows + 1);
	out->row = calloc(rows ? rows : 1, sizeof *out->row);
	if (!out->mem || !out->row) {
		code_list_free(out);
		return st_err(st, NOMEM);
	}
	size_t m = 0;
	for (size_t i = 0; i < rows; i++) {
		const char **dst[3] = {&out->row[i].code, &out->row[i].label_nb,
		                       &out->row[i].label_en};
		for (int s = 0; s < 3; s++) {
			size_t sl;
			if (s == 0) {
				if (p + 1 > n)
					goto damaged;
				sl = b[p++];
			} else {
				if (p + 2 > n)
					goto damaged;
				sl = rd16(b + p);
				p += 2;
			}
			if (p + sl > n)
				goto damaged;
			memcpy(out->mem + m, b + p, sl);
			out->mem[m + sl] = '\0';
			*dst[s] = out->mem + m;
			m += sl + 1;
			p += sl;
		}
		if (!row_valid(out, i)) {
			code_list_free(out);
			return st_err(st, CODES_ROW_INVALID, .name = tables[t].id, .n = i + 1);
		}
	}
	if (p != n)
		goto damaged;
	out->n = rows;
	return M_OK;
damaged:
	code_list_free(out);
	return st_err(st, CODES_DAMAGED, .name = tables[t].id);
}

struct versions {
	enum code_table t;
	struct code_list *v;
	size_t n;
};

static void versions_free(struct versions *vs)
{
	for (size_t i = 0; i < vs->n; i++)
		code_list_free(&vs->v[i]);
	free(vs->v);
	vs->v = NULL;
	vs->n = 0;
}

static int add_version(store *st, const MDB_val *k, const uint8_t *body, size_t blen, void *ctx)
{
	struct versions *vs = ctx;
	size_t plen = 7 + strlen(tables[vs->t].id), vl = k->mv_size - plen;
	char version[CODE_MAX + 1];

	if (!body)
		return st_err(st, CODES_FORGED, .name = tables[vs->t].id);
	if (vl == 0 || vl > CODE_MAX)
		return st_err(st, CODES_DAMAGED, .name = tables[vs->t].id);
	memcpy(version, (const char *)k->mv_data + plen, vl);
	version[vl] = '\0';
	struct code_list *grown = realloc(vs->v, (vs->n + 1) * sizeof *grown);
	if (!grown)
		return st_err(st, NOMEM);
	vs->v = grown;
	int rc = decode(st, vs->t, version, body, blen, &vs->v[vs->n]);
	if (rc == M_OK)
		vs->n++;
	return rc;
}

/* Every version of vs->t in the file, each authenticated. */
static int read_versions(store *st, MDB_txn *txn, void *ctx)
{
	struct versions *vs = ctx;
	uint8_t prefix[64];
	size_t plen = codes_key(prefix, vs->t, NULL);

	versions_free(vs);
	return st_sealed_each(st, txn, prefix, plen, add_version, vs);
}

/* Newest loaded first (the one in force), then by version. */
static int by_loaded(const void *a, const void *b)
{
	const struct code_list *x = a, *y = b;

	if (x->loaded != y->loaded)
		return x->loaded > y->loaded ? -1 : 1;
	return strcmp(y->version, x->version);
}

int store_codes_versions(store *st, enum code_table t, struct code_list **out, size_t *n)
{
	struct versions vs = {.t = t};
	int rc;

	*out = NULL;
	*n = 0;
	if ((unsigned)t >= CT_COUNT)
		return st_err(st, CODES_TABLE_UNKNOWN, .name = "?");
	if (!st->kr)
		return st_err(st, NOT_UNLOCKED);
	if ((rc = st_txn(st, false, read_versions, &vs))) {
		versions_free(&vs);
		return rc;
	}
	if (vs.n)
		qsort(vs.v, vs.n, sizeof *vs.v, by_loaded);
	/* The provisional default last: what a code no version has might be. */
	struct code_list *grown = realloc(vs.v, (vs.n + 1) * sizeof *grown);
	if (!grown) {
		versions_free(&vs);
		return st_err(st, NOMEM);
	}
	vs.v = grown;
	default_list(t, &vs.v[vs.n++]);
	*out = vs.v;
	*n = vs.n;
	return M_OK;
}

void code_lists_free(struct code_list *l, size_t n)
{
	for (size_t i = 0; l && i < n; i++)
		code_list_free(&l[i]);
	free(l);
}

int store_codes_current(store *st, enum code_table t, struct code_list *out)
{
	struct code_list *all;
	size_t n;
	int rc = store_codes_versions(st, t, &all, &n);

	memset(out, 0, sizeof *out);
	if (rc)
		return rc;
	if (!all || !n) /* never: the default is always there */
		return st_err(st, CODES_DAMAGED, .name = code_table_id(t));
	*out = all[0];
	memset(&all[0], 0, sizeof all[0]);
	code_lists_free(all, n);
	return M_OK;
}

/* ---- loading a file ------------------------------------------------------ */

struct load {
	const char *file;
	struct code_list in[CT_COUNT]; /* what the file holds, per table */
	size_t cap[CT_COUNT];
	unsigned line[CT_COUNT]; /* the first line of each table */
	bool *loaded;
	char loader[64];
};

static size_t encode(const struct load *ld, const struct code_list *l, int64_t now, uint8_t *b)
{
	size_t p = 0, ll = strlen(ld->loader);

	b[p++] = CODES_FORMAT;
	be64(b + p, (uint64_t)now);
	p += 8;
	b[p++] = (uint8_t)ll;
	memcpy(b + p, ld->loader, ll);
	p += ll;
	be16(b + p, (uint16_t)l->n);
	p += 2;
	for (size_t i = 0; i < l->n; i++) {
		const char *s[3] = {l->row[i].code, l->row[i].label_nb, l->row[i].label_en};
		for (int k = 0; k < 3; k++) {
			size_t sl = strlen(s[k]);
			if (k == 0)
				b[p++] = (uint8_t)sl;
			else {
				be16(b + p, (uint16_t)sl);
				p += 2;
			}
			memcpy(b + p, s[k], sl);
			p += sl;
		}
	}
	return p;
}

/* Room for a body: the fixed part, a loader name and the rows at their
 * longest (labels may come back longer than CODE_LABEL_MAX only from a
 * damaged file, which decode refuses). */
static size_t body_cap(const struct code_list *l)
{
	size_t cap = 12 + 64;

	for (size_t i = 0; i < l->n; i++)
		cap += 5 + strlen(l->row[i].code) + strlen(l->row[i].label_nb) +
		       strlen(l->row[i].label_en);
	return cap;
}

static bool same_rows(const struct code_list *a, const struct code_list *b)
{
	if (a->n != b->n)
		return false;
	for (size_t i = 0; i < a->n; i++)
		if (strcmp(a->row[i].code, b->row[i].code) != 0 ||
		    strcmp(a->row[i].label_nb, b->row[i].label_nb) != 0 ||
		    strcmp(a->row[i].label_en, b->row[i].label_en) != 0)
			return false;
	return true;
}

static int write_tables(store *st, MDB_txn *txn, void *ctx)
{
	struct load *ld = ctx;
	int64_t now = st_now();
	int rc = M_OK;

	for (int t = 0; t < CT_COUNT && rc == M_OK; t++) {
		struct code_list *l = &ld->in[t];
		struct versions vs = {.t = (enum code_table)t};
		ld->loaded[t] = false;
		if (!l->n)
			continue;
		if ((rc = read_versions(st, txn, &vs)))
			break;
		bool again = false;
		for (size_t i = 0; i < vs.n && rc == M_OK; i++) {
			if (strcmp(vs.v[i].version, l->version) != 0)
				continue;
			if (same_rows(&vs.v[i], l))
				again = true; /* loaded before: nothing to do */
			else
				rc = st_err(st, CODES_VERSION_EXISTS, .name = tables[t].id,
				            .line = ld->line[t]);
		}
		versions_free(&vs);
		if (rc || again)
			continue;
		size_t cap = body_cap(l);
		uint8_t *body = malloc(cap), key[64];
		if (!body) {
			rc = st_err(st, NOMEM);
			break;
		}
		size_t klen = codes_key(key, (enum code_table)t, l->version);
		rc = st_sealed_put(st, txn, key, klen, body, encode(ld, l, now, body));
		free(body);
		if (rc == M_OK)
			ld->loaded[t] = true;
	}
	return rc;
}

static int add_row(store *st, struct load *ld, const char *table, const char *version,
                   const char *code, const char *nb, const char *en, unsigned line)
{
	int t = code_table_parse(table, strlen(table));

	if (t < 0)
		return st_err(st, CODES_TABLE_UNKNOWN, .name = table, .namelen = 32, .line = line);
	struct code_list *l = &ld->in[t];
	if (!version_valid(version))
		return st_err(st, CODES_VERSION_INVALID, .line = line);
	if (l->n == 0) {
		snprintf(l->version, sizeof l->version, "%s", version);
		ld->line[t] = line;
	} else if (strcmp(l->version, version) != 0)
		return st_err(st, CODES_VERSION_MIXED, .name = tables[t].id, .line = line);
	if (!code_valid(code))
		return st_err(st, CODES_CODE_INVALID, .line = line);
	for (size_t i = 0; i < l->n; i++)
		if (strcmp(l->row[i].code, code) == 0)
			return st_err(st, CODES_CODE_TWICE, .name = tables[t].id, .line = line);
	const char *label[2] = {nb, en};
	for (int k = 0; k < 2; k++) {
		const char *why = label_why(label[k], strlen(label[k]));
		if (why)
			return st_err(st, CODES_LABEL_INVALID, .why = why, .n = (unsigned)k + 4,
			              .line = line);
	}
	if (l->n == CODES_ROWS_MAX)
		return st_err(st, CODES_TOO_MANY, .name = tables[t].id, .n = CODES_ROWS_MAX,
		              .line = line);
	if (l->n == ld->cap[t]) {
		size_t cap = ld->cap[t] ? 2 * ld->cap[t] : 16;
		struct code_row *grown = realloc(l->row, cap * sizeof *grown);
		if (!grown)
			return st_err(st, NOMEM);
		l->row = grown;
		ld->cap[t] = cap;
	}
	l->row[l->n++] = (struct code_row){code, nb, en};
	return M_OK;
}

enum { COL_TABLE, COL_VERSION, COL_CODE, COL_NB, COL_EN, COL_COUNT };

int store_codes_load(store *st, const char *file, char *buf, size_t len, bool loaded[CT_COUNT])
{
	static const char *const names[COL_COUNT] = {"table", "version", "code", "label_nb",
	                                             "label_en"};
	struct load ld = {.file = file, .loaded = loaded};
	struct csv_reader r;
	struct csv_row row;
	struct parse_error pe;
	int col[COL_COUNT], rc;

	memset(loaded, 0, CT_COUNT * sizeof *loaded);
	if (!st->kr)
		return st_err(st, NOT_UNLOCKED);
	if (store_role(st) != ROLE_ADMIN)
		return st_err(st, CODES_ADMIN_ONLY);
	snprintf(ld.loader, sizeof ld.loader, "%s", st->user);
	csv_init(&r, buf, len);
	if ((rc = csv_next(&r, &row, &pe)) < 0) {
		rc = st_err(st, CSV_SYNTAX, .why = pe.why, .line = pe.line);
		goto out;
	}
	if (rc == 0) {
		rc = st_err(st, CSV_EMPTY);
		goto out;
	}
	for (int c = 0; c < COL_COUNT; c++) {
		col[c] = -1;
		for (size_t i = 0; i < row.nfields; i++)
			if (strcmp(row.field[i], names[c]) == 0)
				col[c] = (int)i;
		if (col[c] < 0) {
			rc = st_err(st, CODES_COLUMN_MISSING, .name = names[c], .line = 1);
			goto out;
		}
	}
	size_t header_n = row.nfields;
	while ((rc = csv_next(&r, &row, &pe)) > 0) {
		if (row.nfields != header_n) {
			rc = st_err(st, CSV_FIELD_COUNT, .n = header_n, .m = row.nfields,
			            .line = row.line);
			goto out;
		}
		if ((rc = add_row(st, &ld, row.field[col[COL_TABLE]], row.field[col[COL_VERSION]],
		                  row.field[col[COL_CODE]], row.field[col[COL_NB]],
		                  row.field[col[COL_EN]], row.line)))
			goto out;
	}
	if (rc < 0) {
		rc = st_err(st, CSV_SYNTAX, .why = pe.why, .line = pe.line);
		goto out;
	}
	rc = st_txn(st, true, write_tables, &ld);
out:
	if (rc)
		st_fault_locate(st, file, st->fault.line);
	for (int t = 0; t < CT_COUNT; t++)
		free(ld.in[t].row);
	return rc;
}

int st_code_known(store *st, MDB_txn *txn, enum code_table t, const char *code, bool *known)
{
	struct versions vs = {.t = t};
	int rc = read_versions(st, txn, &vs);

	*known = false;
	if (rc) {
		versions_free(&vs);
		return rc;
	}
	if (vs.n) {
		/* The version in force: the one loaded last. */
		qsort(vs.v, vs.n, sizeof *vs.v, by_loaded);
		*known = code_list_label(&vs.v[0], code, false) != NULL;
	} else {
		struct code_list d;
		default_list(t, &d);
		*known = code_list_label(&d, code, false) != NULL;
		code_list_free(&d);
	}
	versions_free(&vs);
	return M_OK;
}

int store_code_label(store *st, enum code_table t, const char *code, bool norwegian, char *out,
                     size_t cap)
{
	struct code_list *all;
	size_t n;
	int rc = store_codes_versions(st, t, &all, &n);

	if (cap)
		out[0] = '\0';
	if (rc)
		return rc;
	/* The newest version that has the code: an old code keeps its label. */
	for (size_t i = 0; i < n; i++) {
		const char *label = code_list_label(&all[i], code, norwegian);
		if (label) {
			snprintf(out, cap, "%s", label);
			break;
		}
	}
	code_lists_free(all, n);
	return out[0] ? M_OK : -1;
}
