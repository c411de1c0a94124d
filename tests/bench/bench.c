/*
 * bench: mappe beside what a user would pick instead, in the same run, on the
 * same synthetic cases (method: docs in tests/bench/README.md).
 *
 *   bench [--cases N] [--ops N] [--dir DIR]
 *
 * Four configurations, each in its own directory under a mkdtemp in DIR
 * (default /tmp), removed at the end:
 *   mappe      the real store API (store/store.h)
 *   LMDB       the same record layout without crypto: u64 id|u16 field -> value,
 *              a header per case, national id -> id; names in a plain list
 *   SQLCipher  raw key, HMAC on, page size 4096, WAL, synchronous=FULL
 *   SQLite     the same library and schema with no PRAGMA key (no encryption)
 *
 * Every timed operation is checked against the values the CSV was made of, and
 * every configuration must give the same answer for lookup-id and show. Key
 * derivation is measured apart. Progress goes to stderr, the report to stdout.
 * The data are invented (synth_write), so nothing here wipes memory.
 */
#include <errno.h>
#include <ftw.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <sys/vfs.h>
#include <time.h>
#include <unistd.h>

#include <lmdb.h>
#include <sodium.h>
#include <sqlcipher/sqlite3.h>

#include "store/store.h"

#ifndef BENCH_CFLAGS
#define BENCH_CFLAGS "-O2 (assumed; build with -DBENCH_CFLAGS='\"...\"' to record the flags)"
#endif
#ifndef BENCH_LIBCFLAGS
#define BENCH_LIBCFLAGS "make's default (-O2 -g)"
#endif

#if defined(__clang__)
#define COMPILER "clang " __clang_version__
#elif defined(__GNUC__)
#define COMPILER "gcc " __VERSION__
#else
#define COMPILER "cc"
#endif

#define SEED         42u
#define CHUNK        1000u /* cases per import transaction */
#define SEARCH_NAMES 200u  /* sampled family names typed character by character */
#define OPEN_REPS    5
#define KDF_REPS     3
#define MAXCOL       32
#define MAX_CASES    10000000ull
#define PASS         "bench passphrase (synthetic data only)"
#define ADMIN        "admin"
#define STR(x)       #x
#define XSTR(x)      STR(x)

enum { C_MAPPE, C_LMDB, C_SQLCIPHER, C_SQLITE, NCONF };
static const char *const conf_name[NCONF] = {"mappe", "LMDB", "SQLCipher", "SQLite"};

/* ---- small things ---------------------------------------------------------- */

static char g_root[4096]; /* our mkdtemp; removed at exit */

static int rm_entry(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
	(void)sb;
	(void)flag;
	(void)ftw;
	remove(path);
	return 0;
}

static void cleanup(void)
{
	if (g_root[0]) {
		nftw(g_root, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
		g_root[0] = 0;
	}
}

__attribute__((format(printf, 1, 2), noreturn)) static void die(const char *fmt, ...)
{
	va_list ap;

	fflush(stdout);
	fputs("bench: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(2);
}

__attribute__((format(printf, 1, 2))) static void progress(const char *fmt, ...)
{
	va_list ap;

	fputs("bench: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

static void *xmalloc(size_t n)
{
	void *p = malloc(n ? n : 1);
	if (!p)
		die("out of memory");
	return p;
}

static void *xcalloc(size_t n, size_t size)
{
	void *p = calloc(n ? n : 1, size ? size : 1);
	if (!p)
		die("out of memory");
	return p;
}

static void *xrealloc(void *p, size_t n)
{
	p = realloc(p, n ? n : 1);
	if (!p)
		die("out of memory");
	return p;
}

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
	return (x > y) - (x < y);
}

/* Nearest-rank percentile of n samples (sorts them). */
static double pct(uint64_t *ns, size_t n, double p)
{
	size_t k;

	if (n == 0)
		return 0;
	qsort(ns, n, sizeof *ns, cmp_u64);
	k = (size_t)(p * (double)n + 0.999999);
	if (k < 1)
		k = 1;
	if (k > n)
		k = n;
	return (double)ns[k - 1];
}

/* splitmix64: the samples are the same in every run. */
struct rng {
	uint64_t s;
};

static uint64_t rng_next(struct rng *r)
{
	uint64_t z = (r->s += 0x9E3779B97F4A7C15ULL);
	z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
	z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
	return z ^ (z >> 31);
}

static size_t rng_below(struct rng *r, size_t n)
{
	return (size_t)(rng_next(r) % n);
}

static void be16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static void be64(uint8_t *p, uint64_t v)
{
	for (int i = 7; i >= 0; i--, v >>= 8)
		p[i] = (uint8_t)v;
}

static uint64_t rd64(const uint8_t *p)
{
	uint64_t v = 0;
	for (int i = 0; i < 8; i++)
		v = v << 8 | p[i];
	return v;
}

static uint64_t file_size(const char *path)
{
	struct stat sb;
	return stat(path, &sb) == 0 ? (uint64_t)sb.st_size : 0;
}

/* ---- the data: synth_write's CSV, and the values every store must return --- */

struct dataset {
	char *csv; /* header line, then n records */
	size_t csvlen, hdrlen;
	size_t n;
	size_t *row; /* n + 1 offsets: record i is csv[row[i] .. row[i+1]) */
	int ncol;
	enum field_id colf[MAXCOL];
	int c_given, c_family, c_birth, c_nid, c_phone, c_status, c_cw;
	char *arena; /* the normalised values, NUL-terminated */
	size_t used, acap;
	size_t *voff; /* n * ncol */
	uint32_t *vlen;
};

static const char *dval(const struct dataset *d, size_t i, int c, size_t *len)
{
	size_t k = i * (size_t)d->ncol + (size_t)c;
	*len = d->vlen[k];
	return d->arena + d->voff[k];
}

/* One CSV record at *pos: fields unescaped into scratch (NUL-terminated, which
 * needs at most the record's length + 1 bytes). Returns the number of fields,
 * 0 at the end, -1 when malformed. synth_write quotes with "" escapes and ends
 * records with \n; quoted fields may hold commas and newlines. */
static int csv_record(const char *s, size_t len, size_t *pos, char *scratch, char **field,
                      size_t *flen, int maxf)
{
	size_t p = *pos;
	char *o = scratch;
	int nf = 0;

	if (p >= len)
		return 0;
	for (;;) {
		if (nf == maxf)
			return -1;
		field[nf] = o;
		if (s[p] == '"') {
			for (p++;; p++) {
				if (p >= len)
					return -1;
				if (s[p] == '"') {
					if (p + 1 < len && s[p + 1] == '"') {
						*o++ = '"';
						p++;
						continue;
					}
					p++;
					break;
				}
				*o++ = s[p];
			}
		} else {
			while (p < len && s[p] != ',' && s[p] != '\n')
				*o++ = s[p++];
		}
		flen[nf] = (size_t)(o - field[nf]);
		*o++ = 0;
		nf++;
		if (p >= len)
			break;
		if (s[p] == ',') {
			p++;
			continue;
		}
		if (s[p] == '\n') {
			p++;
			break;
		}
		return -1;
	}
	*pos = p;
	return nf;
}

static int col_of(const struct dataset *d, enum field_id f)
{
	for (int c = 0; c < d->ncol; c++)
		if (d->colf[c] == f)
			return c;
	die("synth_write has no %s column", field_catalogue[f].id);
}

static void dataset_make(struct dataset *d, size_t n)
{
	FILE *f;
	char err[256], *field[MAXCOL], *scratch;
	size_t flen[MAXCOL], pos = 0, cap;
	int nf;

	memset(d, 0, sizeof *d);
	f = open_memstream(&d->csv, &d->csvlen);
	if (!f)
		die("open_memstream: %s", strerror(errno));
	if (synth_write(f, SEED, n, false, err, sizeof err) != 0)
		die("synth_write: %s", err);
	if (fclose(f) != 0)
		die("synth_write: %s", strerror(errno));

	scratch = xmalloc(d->csvlen + 1);
	nf = csv_record(d->csv, d->csvlen, &pos, scratch, field, flen, MAXCOL);
	if (nf <= 0)
		die("synth_write: no header");
	d->ncol = nf;
	d->hdrlen = pos;
	for (int c = 0; c < nf; c++) {
		int id = field_by_id(field[c], flen[c]);
		if (id < 0)
			die("synth_write: unknown column %s", field[c]);
		d->colf[c] = (enum field_id)id;
	}
	d->c_given = col_of(d, F_given_name);
	d->c_family = col_of(d, F_family_name);
	d->c_birth = col_of(d, F_birth_date);
	d->c_nid = col_of(d, F_national_id);
	d->c_phone = col_of(d, F_phone);
	d->c_status = col_of(d, F_status);
	d->c_cw = col_of(d, F_caseworker);

	d->row = xmalloc((n + 1) * sizeof *d->row);
	d->voff = xmalloc(n * (size_t)nf * sizeof *d->voff);
	d->vlen = xmalloc(n * (size_t)nf * sizeof *d->vlen);
	cap = 3 * d->csvlen + 64;
	d->arena = xmalloc(cap);
	d->acap = cap;
	for (size_t i = 0; i < n; i++) {
		d->row[i] = pos;
		if (csv_record(d->csv, d->csvlen, &pos, scratch, field, flen, MAXCOL) != nf)
			die("synth_write: record %zu is malformed", i + 1);
		for (int c = 0; c < nf; c++) {
			size_t k = i * (size_t)nf + (size_t)c, outlen;
			const char *msg;

			if (d->acap - d->used < flen[c] + 8)
				die("internal error: value arena full");
			msg = field_normalise(d->colf[c], field[c], flen[c], d->arena + d->used,
			                      flen[c] + 8, &outlen);
			if (msg)
				die("synth_write: record %zu field %s: %s", i + 1,
				    field_catalogue[d->colf[c]].id, msg);
			d->voff[k] = d->used;
			d->vlen[k] = (uint32_t)outlen;
			d->used += outlen + 1;
		}
	}
	d->row[n] = pos;
	d->n = n;
	free(scratch);
}

static void dataset_free(struct dataset *d)
{
	free(d->csv);
	free(d->row);
	free(d->arena);
	free(d->voff);
	free(d->vlen);
}

/* A chunk of records [first, first + m) as its own CSV file with the header. */
static size_t chunk_text(const struct dataset *d, size_t first, size_t m, char *buf)
{
	size_t body = d->row[first + m] - d->row[first];

	memcpy(buf, d->csv, d->hdrlen);
	memcpy(buf + d->hdrlen, d->csv + d->row[first], body);
	buf[d->hdrlen + body] = 0;
	return d->hdrlen + body;
}

static size_t max_chunk_len(const struct dataset *d)
{
	size_t m = 0;

	for (size_t first = 0; first < d->n; first += CHUNK) {
		size_t last = first + CHUNK < d->n ? first + CHUNK : d->n;
		size_t len = d->hdrlen + d->row[last] - d->row[first];
		if (len > m)
			m = len;
	}
	return m;
}

/* What the baselines do with an import chunk, as mappe does: parse the CSV,
 * map the header, normalise every value with the same field_normalise, and
 * only then write. */
struct chunk {
	size_t n;
	int ncol;
	enum field_id colf[MAXCOL];
	const char **v; /* n * ncol; NULL when empty */
	uint32_t *len;
	char *scratch, *norm;
};

static void chunk_parse(const char *text, size_t len, struct chunk *ck)
{
	char *field[MAXCOL];
	size_t flen[MAXCOL], pos = 0, ncap = 3 * len + 64, nused = 0, rows, rcap = CHUNK;
	char *sp;
	int nf;

	memset(ck, 0, sizeof *ck);
	ck->scratch = xmalloc(len + 1);
	ck->norm = xmalloc(ncap);
	sp = ck->scratch;
	nf = csv_record(text, len, &pos, sp, field, flen, MAXCOL);
	if (nf <= 0)
		die("import: no header");
	ck->ncol = nf;
	for (int c = 0; c < nf; c++) {
		int id = field_by_id(field[c], flen[c]);
		if (id < 0)
			die("import: unknown column");
		ck->colf[c] = (enum field_id)id;
	}
	ck->v = xmalloc(rcap * (size_t)nf * sizeof *ck->v);
	ck->len = xmalloc(rcap * (size_t)nf * sizeof *ck->len);
	for (rows = 0;; rows++) {
		/* scratch is reused: each record's values go to norm. */
		int got = csv_record(text, len, &pos, sp, field, flen, MAXCOL);

		if (got == 0)
			break;
		if (got != nf)
			die("import: record %zu is malformed", rows + 1);
		if (rows == rcap) {
			rcap *= 2;
			ck->v = xrealloc(ck->v, rcap * (size_t)nf * sizeof *ck->v);
			ck->len = xrealloc(ck->len, rcap * (size_t)nf * sizeof *ck->len);
		}
		for (int c = 0; c < nf; c++) {
			size_t k = rows * (size_t)nf + (size_t)c, outlen;
			if (ncap - nused < flen[c] + 8)
				die("internal error: import arena full");
			if (field_normalise(ck->colf[c], field[c], flen[c], ck->norm + nused,
			                    flen[c] + 8, &outlen))
				die("import: record %zu: invalid %s", rows + 1,
				    field_catalogue[ck->colf[c]].id);
			ck->v[k] = outlen ? ck->norm + nused : NULL;
			ck->len[k] = (uint32_t)outlen;
			nused += outlen + 1;
		}
	}
	ck->n = rows;
}

static void chunk_free(struct chunk *ck)
{
	free(ck->v);
	free(ck->len);
	free(ck->scratch);
	free(ck->norm);
}

/* ---- a case as returned by a configuration, for comparing answers --------- */

struct view {
	const char *v[MAXCOL];
	size_t len[MAXCOL];
	char *mem; /* copies, for the baselines */
	size_t used, cap;
};

static void view_put(struct view *w, int c, const void *s, size_t len)
{
	if (w->cap - w->used < len + 1)
		die("internal error: view buffer too small");
	memcpy(w->mem + w->used, s, len);
	w->mem[w->used + len] = 0;
	w->v[c] = w->mem + w->used;
	w->len[c] = len;
	w->used += len + 1;
}

static bool view_matches(const struct dataset *d, size_t i, const struct view *w)
{
	for (int c = 0; c < d->ncol; c++) {
		size_t len;
		const char *e = dval(d, i, c, &len);
		size_t wl = w->v[c] ? w->len[c] : 0;
		if (wl != len || (len && memcmp(w->v[c], e, len) != 0))
			return false;
	}
	return true;
}

/* ---- the list a case list screen shows (open), and type-ahead on it -------- */

enum { L_GIVEN, L_FAMILY, L_BIRTH, L_STATUS, L_CW, L_N };

struct list_entry {
	uint64_t id;
	uint32_t version;
	size_t off[L_N];
	uint32_t len[L_N];
};

struct list {
	struct list_entry *e;
	size_t n, cap;
	char *arena;
	size_t used, acap;
};

static void list_add(struct list *l, uint64_t id, uint32_t version, const char *const s[L_N],
                     const size_t len[L_N])
{
	struct list_entry *e;

	if (l->n == l->cap) {
		l->cap = l->cap ? 2 * l->cap : 1024;
		l->e = xrealloc(l->e, l->cap * sizeof *l->e);
	}
	e = &l->e[l->n++];
	e->id = id;
	e->version = version;
	for (int k = 0; k < L_N; k++) {
		if (l->acap - l->used < len[k] + 1) {
			l->acap = l->acap ? 2 * l->acap : 1 << 16;
			while (l->acap - l->used < len[k] + 1)
				l->acap *= 2;
			l->arena = xrealloc(l->arena, l->acap);
		}
		if (len[k])
			memcpy(l->arena + l->used, s[k], len[k]);
		l->arena[l->used + len[k]] = 0;
		e->off[k] = l->used;
		e->len[k] = (uint32_t)len[k];
		l->used += len[k] + 1;
	}
}

static void list_free(struct list *l)
{
	free(l->e);
	free(l->arena);
	memset(l, 0, sizeof *l);
}

/* ASCII case-insensitive prefix of the given or the family name: what
 * LIKE 'x%' does on a COLLATE NOCASE column. */
static size_t list_search(const struct list *l, const char *q, size_t qlen, uint64_t *hits)
{
	size_t n = 0;

	for (size_t i = 0; i < l->n; i++) {
		const struct list_entry *e = &l->e[i];
		if ((e->len[L_GIVEN] >= qlen &&
		     strncasecmp(l->arena + e->off[L_GIVEN], q, qlen) == 0) ||
		    (e->len[L_FAMILY] >= qlen &&
		     strncasecmp(l->arena + e->off[L_FAMILY], q, qlen) == 0))
			hits[n++] = e->id;
	}
	return n;
}

/* ---- plain LMDB ------------------------------------------------------------ */

struct plain {
	MDB_env *env;
	MDB_dbi meta, cases, fields, nid;
};

static void mdb_check(int rc, const char *what)
{
	if (rc)
		die("LMDB %s: %s", what, mdb_strerror(rc));
}

static void plain_open(struct plain *p, const char *dir, size_t n)
{
	MDB_txn *txn;
	size_t map = (size_t)1 << 30;

	if (n * 8192 > map)
		map = n * 8192;
	if (mkdir(dir, 0700) != 0)
		die("%s: %s", dir, strerror(errno));
	mdb_check(mdb_env_create(&p->env), "create");
	mdb_env_set_maxdbs(p->env, 8);
	mdb_env_set_mapsize(p->env, map);
	/* The same flags as mappe's store: durable commits. */
	mdb_check(mdb_env_open(p->env, dir, MDB_NOTLS, 0660), "open");
	mdb_check(mdb_txn_begin(p->env, NULL, 0, &txn), "begin");
	mdb_check(mdb_dbi_open(txn, "meta", MDB_CREATE, &p->meta), "meta");
	mdb_check(mdb_dbi_open(txn, "cases", MDB_CREATE, &p->cases), "cases");
	mdb_check(mdb_dbi_open(txn, "fields", MDB_CREATE, &p->fields), "fields");
	mdb_check(mdb_dbi_open(txn, "nid", MDB_CREATE, &p->nid), "nid");
	uint8_t b[8];
	MDB_val k = {7, "next_id"}, v = {8, b};
	be64(b, 1);
	mdb_check(mdb_put(txn, p->meta, &k, &v, 0), "put");
	mdb_check(mdb_txn_commit(txn), "commit");
}

/* Record header, in clear: u32 version | i64 created | i64 updated |
 * u8 len | status | u8 len | caseworker | u16 n | n x u16 field number. */
struct plain_hdr {
	uint32_t version;
	int64_t created, updated;
	char status[64], cw[64];
	uint16_t nf;
	uint16_t num[MAXCOL];
};

static size_t hdr_encode(const struct plain_hdr *h, uint8_t *b)
{
	size_t p = 0, sl = strlen(h->status), cl = strlen(h->cw);

	memcpy(b, &h->version, 4), p += 4;
	memcpy(b + p, &h->created, 8), p += 8;
	memcpy(b + p, &h->updated, 8), p += 8;
	b[p++] = (uint8_t)sl;
	memcpy(b + p, h->status, sl), p += sl;
	b[p++] = (uint8_t)cl;
	memcpy(b + p, h->cw, cl), p += cl;
	memcpy(b + p, &h->nf, 2), p += 2;
	memcpy(b + p, h->num, 2u * h->nf), p += 2u * h->nf;
	return p;
}

static void hdr_decode(const MDB_val *v, struct plain_hdr *h)
{
	const uint8_t *b = v->mv_data;
	size_t p = 0, l;

	if (v->mv_size < 24)
		die("LMDB: a header is malformed");
	memcpy(&h->version, b, 4), p += 4;
	memcpy(&h->created, b + p, 8), p += 8;
	memcpy(&h->updated, b + p, 8), p += 8;
	l = b[p++];
	memcpy(h->status, b + p, l), h->status[l] = 0, p += l;
	l = b[p++];
	memcpy(h->cw, b + p, l), h->cw[l] = 0, p += l;
	memcpy(&h->nf, b + p, 2), p += 2;
	if (h->nf > MAXCOL || p + 2u * h->nf != v->mv_size)
		die("LMDB: a header is malformed");
	memcpy(h->num, b + p, 2u * h->nf);
}

static void fkey(uint8_t k[10], uint64_t id, uint16_t num)
{
	be64(k, id);
	be16(k + 8, num);
}

static void plain_insert(struct plain *p, MDB_txn *txn, const struct chunk *ck, size_t r)
{
	struct plain_hdr h = {0};
	uint8_t b[8], hb[512], k[10];
	MDB_val key = {7, "next_id"}, val;
	uint64_t id;

	mdb_check(mdb_get(txn, p->meta, &key, &val), "next_id");
	id = rd64(val.mv_data);
	be64(b, id + 1);
	val = (MDB_val){8, b};
	mdb_check(mdb_put(txn, p->meta, &key, &val, 0), "next_id");

	h.version = 1;
	h.created = h.updated = (int64_t)time(NULL);
	for (int c = 0; c < ck->ncol; c++) {
		enum field_id f = ck->colf[c];
		const char *v = ck->v[r * (size_t)ck->ncol + (size_t)c];
		uint32_t len = ck->len[r * (size_t)ck->ncol + (size_t)c];

		if (!v)
			continue;
		if (f == F_status || f == F_caseworker) {
			snprintf(f == F_status ? h.status : h.cw, sizeof h.status, "%s", v);
			continue;
		}
		fkey(k, id, field_catalogue[f].number);
		key = (MDB_val){10, k};
		val = (MDB_val){len, (void *)v};
		mdb_check(mdb_put(txn, p->fields, &key, &val, 0), "fields");
		h.num[h.nf++] = field_catalogue[f].number;
		if (f == F_national_id) {
			/* Like mappe, a second case with the same id is refused. */
			key = (MDB_val){len, (void *)v};
			be64(b, id);
			val = (MDB_val){8, b};
			mdb_check(mdb_put(txn, p->nid, &key, &val, MDB_NOOVERWRITE), "nid");
		}
	}
	be64(b, id);
	key = (MDB_val){8, b};
	val = (MDB_val){hdr_encode(&h, hb), hb};
	mdb_check(mdb_put(txn, p->cases, &key, &val, 0), "cases");
}

static void plain_import(struct plain *p, const char *text, size_t len)
{
	struct chunk ck;
	MDB_txn *txn;

	chunk_parse(text, len, &ck);
	mdb_check(mdb_txn_begin(p->env, NULL, 0, &txn), "begin");
	for (size_t r = 0; r < ck.n; r++)
		plain_insert(p, txn, &ck, r);
	mdb_check(mdb_txn_commit(txn), "commit");
	chunk_free(&ck);
}

static bool plain_field(struct plain *p, MDB_txn *txn, uint64_t id, enum field_id f, MDB_val *v)
{
	uint8_t k[10];
	MDB_val key = {10, k};
	int rc;

	fkey(k, id, field_catalogue[f].number);
	rc = mdb_get(txn, p->fields, &key, v);
	if (rc == MDB_NOTFOUND)
		return false;
	mdb_check(rc, "fields");
	return true;
}

static void plain_load_list(struct plain *p, struct list *l)
{
	MDB_txn *txn;
	MDB_cursor *cur;
	MDB_val key, val;
	int rc;

	mdb_check(mdb_txn_begin(p->env, NULL, MDB_RDONLY, &txn), "begin");
	mdb_check(mdb_cursor_open(txn, p->cases, &cur), "cursor");
	for (rc = mdb_cursor_get(cur, &key, &val, MDB_FIRST); rc == 0;
	     rc = mdb_cursor_get(cur, &key, &val, MDB_NEXT)) {
		static const enum field_id want[3] = {F_given_name, F_family_name, F_birth_date};
		struct plain_hdr h;
		const char *s[L_N] = {"", "", ""};
		size_t len[L_N] = {0};
		uint64_t id = rd64(key.mv_data);

		hdr_decode(&val, &h);
		for (int k = 0; k < 3; k++) {
			MDB_val v;
			if (plain_field(p, txn, id, want[k], &v)) {
				s[k] = v.mv_data;
				len[k] = v.mv_size;
			}
		}
		s[L_STATUS] = h.status;
		len[L_STATUS] = strlen(h.status);
		s[L_CW] = h.cw;
		len[L_CW] = strlen(h.cw);
		list_add(l, id, h.version, s, len);
	}
	if (rc != MDB_NOTFOUND)
		mdb_check(rc, "cursor");
	mdb_cursor_close(cur);
	mdb_txn_abort(txn);
}

static uint64_t plain_lookup(struct plain *p, const char *nid, size_t len)
{
	MDB_txn *txn;
	MDB_val key = {len, (void *)nid}, val;
	uint64_t id = 0;
	int rc;

	mdb_check(mdb_txn_begin(p->env, NULL, MDB_RDONLY, &txn), "begin");
	rc = mdb_get(txn, p->nid, &key, &val);
	if (rc == 0 && val.mv_size == 8)
		id = rd64(val.mv_data);
	else if (rc != MDB_NOTFOUND)
		mdb_check(rc, "nid");
	mdb_txn_abort(txn);
	return id;
}

/* Read the header and every field it lists, copied out (w->mem). */
static bool plain_show(struct plain *p, const struct dataset *d, uint64_t id, struct view *w)
{
	MDB_txn *txn;
	uint8_t k[8];
	MDB_val key = {8, k}, val;
	struct plain_hdr h;
	int rc;

	mdb_check(mdb_txn_begin(p->env, NULL, MDB_RDONLY, &txn), "begin");
	be64(k, id);
	rc = mdb_get(txn, p->cases, &key, &val);
	if (rc == MDB_NOTFOUND) {
		mdb_txn_abort(txn);
		return false;
	}
	mdb_check(rc, "cases");
	hdr_decode(&val, &h);
	for (int c = 0; c < d->ncol; c++) {
		enum field_id f = d->colf[c];
		MDB_val v;

		if (f == F_status)
			view_put(w, c, h.status, strlen(h.status));
		else if (f == F_caseworker)
			view_put(w, c, h.cw, strlen(h.cw));
		else {
			bool listed = false;
			for (unsigned j = 0; j < h.nf; j++)
				listed |= h.num[j] == field_catalogue[f].number;
			if (listed && plain_field(p, txn, id, f, &v))
				view_put(w, c, v.mv_data, v.mv_size);
		}
	}
	mdb_txn_abort(txn);
	return true;
}

static void plain_update(struct plain *p, uint64_t id, const char *phone, size_t len)
{
	MDB_txn *txn;
	uint8_t k[10], hb[512];
	MDB_val key = {8, k}, val;
	struct plain_hdr h;

	mdb_check(mdb_txn_begin(p->env, NULL, 0, &txn), "begin");
	be64(k, id);
	mdb_check(mdb_get(txn, p->cases, &key, &val), "cases");
	hdr_decode(&val, &h);
	fkey(k, id, field_catalogue[F_phone].number);
	key = (MDB_val){10, k};
	val = (MDB_val){len, (void *)phone};
	mdb_check(mdb_put(txn, p->fields, &key, &val, 0), "fields");
	h.version++;
	h.updated = (int64_t)time(NULL);
	be64(k, id);
	key = (MDB_val){8, k};
	val = (MDB_val){hdr_encode(&h, hb), hb};
	mdb_check(mdb_put(txn, p->cases, &key, &val, 0), "cases");
	mdb_check(mdb_txn_commit(txn), "commit");
}

/* ---- SQLCipher and SQLite ------------------------------------------------- */

struct sql {
	sqlite3 *db;
	bool keyed;
	char path[4200];
	sqlite3_stmt *ins, *search, *lookup, *show, *update;
};

static char g_rawkey[100]; /* PRAGMA key="x'<64 hex>'" */

static void sql_exec(sqlite3 *db, const char *sql)
{
	char *msg = NULL;

	if (sqlite3_exec(db, sql, NULL, NULL, &msg) != SQLITE_OK) {
		char copy[256];
		snprintf(copy, sizeof copy, "%s", msg ? msg : sqlite3_errmsg(db));
		sqlite3_free(msg);
		die("SQL %.60s: %s", sql, copy);
	}
}

static void sql_text(sqlite3 *db, const char *sql, char *out, size_t cap)
{
	sqlite3_stmt *s;

	out[0] = 0;
	if (sqlite3_prepare_v2(db, sql, -1, &s, NULL) != SQLITE_OK)
		die("SQL %s: %s", sql, sqlite3_errmsg(db));
	if (sqlite3_step(s) == SQLITE_ROW && sqlite3_column_text(s, 0))
		snprintf(out, cap, "%s", (const char *)sqlite3_column_text(s, 0));
	sqlite3_finalize(s);
}

static sqlite3_stmt *sql_prepare(sqlite3 *db, const char *sql)
{
	sqlite3_stmt *s;

	if (sqlite3_prepare_v2(db, sql, -1, &s, NULL) != SQLITE_OK)
		die("SQL %.60s: %s", sql, sqlite3_errmsg(db));
	return s;
}

/* A connection with the run's pragmas: with keyed, SQLCipher with a raw key
 * (no key derivation) and 4096-byte pages; without, the same library as
 * plain SQLite. */
static sqlite3 *sql_connect(const char *path, bool keyed)
{
	sqlite3 *db;

	if (sqlite3_open_v2(path, &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, NULL) !=
	    SQLITE_OK)
		die("%s: %s", path, db ? sqlite3_errmsg(db) : "cannot open");
	if (keyed) {
		sql_exec(db, g_rawkey);
		sql_exec(db, "PRAGMA cipher_page_size = 4096");
	} else {
		sql_exec(db, "PRAGMA page_size = 4096");
	}
	sql_exec(db, "PRAGMA journal_mode = WAL");
	sql_exec(db, "PRAGMA synchronous = FULL");
	return db;
}

static void sql_open(struct sql *q, const struct dataset *d, const char *path, bool keyed)
{
	char sql[4096], cols[2048] = "", params[512] = "";
	size_t cl = 0, pl = 0;

	memset(q, 0, sizeof *q);
	q->keyed = keyed;
	snprintf(q->path, sizeof q->path, "%s", path);
	q->db = sql_connect(path, keyed);

	for (int c = 0; c < d->ncol; c++) {
		cl += (size_t)snprintf(cols + cl, sizeof cols - cl, ", %s",
		                       field_catalogue[d->colf[c]].id);
		pl += (size_t)snprintf(params + pl, sizeof params - pl, ", ?");
	}
	{
		char defs[2048] = "";
		size_t dl = 0;
		for (int c = 0; c < d->ncol; c++)
			dl += (size_t)snprintf(defs + dl, sizeof defs - dl, ", %s TEXT",
			                       field_catalogue[d->colf[c]].id);
		snprintf(sql, sizeof sql,
		         "CREATE TABLE cases(id INTEGER PRIMARY KEY, version INTEGER NOT NULL, "
		         "created INTEGER NOT NULL, updated INTEGER NOT NULL%s)",
		         defs);
	}
	sql_exec(q->db, sql);
	/* UNIQUE, as mappe refuses a second case with the same national id. */
	sql_exec(q->db, "CREATE UNIQUE INDEX cases_national_id ON cases(national_id)");
	/* COLLATE NOCASE: the collation LIKE's index optimisation needs (an
	 * index on lower(x) is never used by x LIKE 'p%'). */
	sql_exec(q->db, "CREATE INDEX cases_given_name ON cases(given_name COLLATE NOCASE)");
	sql_exec(q->db, "CREATE INDEX cases_family_name ON cases(family_name COLLATE NOCASE)");

	snprintf(sql, sizeof sql,
	         "INSERT INTO cases(id, version, created, updated%s) VALUES(NULL, 1, ?, ?%s)", cols,
	         params);
	q->ins = sql_prepare(q->db, sql);
	q->search = sql_prepare(
	    q->db, "SELECT id FROM cases WHERE given_name LIKE ?1 OR family_name LIKE ?1");
	q->lookup = sql_prepare(q->db, "SELECT id FROM cases WHERE national_id = ?1");
	snprintf(sql, sizeof sql, "SELECT id, version%s FROM cases WHERE id = ?1", cols);
	q->show = sql_prepare(q->db, sql);
	q->update = sql_prepare(
	    q->db,
	    "UPDATE cases SET phone = ?1, version = version + 1, updated = ?2 WHERE id = ?3");
}

static void sql_close(struct sql *q)
{
	sqlite3_finalize(q->ins);
	sqlite3_finalize(q->search);
	sqlite3_finalize(q->lookup);
	sqlite3_finalize(q->show);
	sqlite3_finalize(q->update);
	if (q->db && sqlite3_close(q->db) != SQLITE_OK)
		die("SQL close: %s", sqlite3_errmsg(q->db));
	q->db = NULL;
}

static void sql_step_done(sqlite3 *db, sqlite3_stmt *s)
{
	if (sqlite3_step(s) != SQLITE_DONE)
		die("SQL: %s", sqlite3_errmsg(db));
	sqlite3_reset(s);
}

static void sql_import(struct sql *q, const char *text, size_t len, size_t first)
{
	struct chunk ck;
	int64_t t = (int64_t)time(NULL);

	chunk_parse(text, len, &ck);
	sql_exec(q->db, "BEGIN");
	for (size_t r = 0; r < ck.n; r++) {
		sqlite3_bind_int64(q->ins, 1, t);
		sqlite3_bind_int64(q->ins, 2, t);
		for (int c = 0; c < ck.ncol; c++) {
			size_t k = r * (size_t)ck.ncol + (size_t)c;
			if (ck.v[k])
				sqlite3_bind_text(q->ins, 3 + c, ck.v[k], (int)ck.len[k],
				                  SQLITE_STATIC);
			else
				sqlite3_bind_null(q->ins, 3 + c);
		}
		sql_step_done(q->db, q->ins);
		if ((uint64_t)sqlite3_last_insert_rowid(q->db) != first + r + 1)
			die("SQL: unexpected id");
	}
	sql_exec(q->db, "COMMIT");
	chunk_free(&ck);
}

static void sql_load_list(sqlite3 *db, struct list *l)
{
	sqlite3_stmt *s = sql_prepare(
	    db, "SELECT id, version, given_name, family_name, birth_date, status, caseworker "
	        "FROM cases");
	int rc;

	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		const char *v[L_N];
		size_t len[L_N];
		for (int k = 0; k < L_N; k++) {
			const unsigned char *t = sqlite3_column_text(s, 2 + k);
			v[k] = t ? (const char *)t : "";
			len[k] = t ? (size_t)sqlite3_column_bytes(s, 2 + k) : 0;
		}
		list_add(l, (uint64_t)sqlite3_column_int64(s, 0),
		         (uint32_t)sqlite3_column_int64(s, 1), v, len);
	}
	if (rc != SQLITE_DONE)
		die("SQL list: %s", sqlite3_errmsg(db));
	sqlite3_finalize(s);
}

static size_t sql_search(struct sql *q, const char *pattern, size_t plen, uint64_t *hits)
{
	size_t n = 0;
	int rc;

	sqlite3_bind_text(q->search, 1, pattern, (int)plen, SQLITE_STATIC);
	while ((rc = sqlite3_step(q->search)) == SQLITE_ROW)
		hits[n++] = (uint64_t)sqlite3_column_int64(q->search, 0);
	if (rc != SQLITE_DONE)
		die("SQL search: %s", sqlite3_errmsg(q->db));
	sqlite3_reset(q->search);
	return n;
}

static size_t sql_lookup(struct sql *q, const char *nid, size_t len, uint64_t *ids, size_t cap)
{
	size_t n = 0;
	int rc;

	sqlite3_bind_text(q->lookup, 1, nid, (int)len, SQLITE_STATIC);
	while ((rc = sqlite3_step(q->lookup)) == SQLITE_ROW)
		if (n < cap)
			ids[n++] = (uint64_t)sqlite3_column_int64(q->lookup, 0);
	if (rc != SQLITE_DONE)
		die("SQL lookup: %s", sqlite3_errmsg(q->db));
	sqlite3_reset(q->lookup);
	return n;
}

static bool sql_show(struct sql *q, const struct dataset *d, uint64_t id, struct view *w)
{
	int rc;
	bool found = false;

	sqlite3_bind_int64(q->show, 1, (sqlite3_int64)id);
	while ((rc = sqlite3_step(q->show)) == SQLITE_ROW) {
		found = true;
		for (int c = 0; c < d->ncol; c++) {
			const unsigned char *t = sqlite3_column_text(q->show, 2 + c);
			if (t)
				view_put(w, c, t, (size_t)sqlite3_column_bytes(q->show, 2 + c));
		}
	}
	if (rc != SQLITE_DONE)
		die("SQL show: %s", sqlite3_errmsg(q->db));
	sqlite3_reset(q->show);
	return found;
}

static void sql_update(struct sql *q, uint64_t id, const char *phone, size_t len)
{
	sqlite3_bind_text(q->update, 1, phone, (int)len, SQLITE_STATIC);
	sqlite3_bind_int64(q->update, 2, (sqlite3_int64)time(NULL));
	sqlite3_bind_int64(q->update, 3, (sqlite3_int64)id);
	sql_step_done(q->db, q->update); /* autocommit: one durable transaction */
	if (sqlite3_changes(q->db) != 1)
		die("SQL update: no such case");
}

/* The query plan's details, joined, for the report. */
static void sql_plan(sqlite3 *db, const char *query, const char *bind, char *out, size_t cap)
{
	char sql[1024];
	sqlite3_stmt *s;
	size_t used = 0;

	snprintf(sql, sizeof sql, "EXPLAIN QUERY PLAN %s", query);
	s = sql_prepare(db, sql);
	if (bind)
		sqlite3_bind_text(s, 1, bind, -1, SQLITE_STATIC);
	out[0] = 0;
	while (sqlite3_step(s) == SQLITE_ROW) {
		const unsigned char *t = sqlite3_column_text(s, sqlite3_column_count(s) - 1);
		used += (size_t)snprintf(out + used, used < cap ? cap - used : 0, "%s%s",
		                         used ? "; " : "", t ? (const char *)t : "");
		if (used >= cap)
			break;
	}
	sqlite3_finalize(s);
}

/* ---- mappe ---------------------------------------------------------------- */

static store *mappe_make(const char *dir, double *unlock_ms)
{
	static const struct keys_kdf kdf = {2, 64ull << 20};
	const struct store_options opt = {0, &kdf};
	char err[512] = "";
	store *st;
	uint64_t t0;

	if (store_create(dir, ADMIN, PASS, strlen(PASS), &opt, err, sizeof err) != M_OK)
		die("store_create: %s", err);
	if (store_open(dir, &opt, &st, err, sizeof err) != M_OK)
		die("store_open: %s", err);
	t0 = now_ns();
	if (store_unlock(st, ADMIN, PASS, strlen(PASS)) != M_OK)
		die("store_unlock: %s", store_error(st));
	*unlock_ms = (double)(now_ns() - t0) / 1e6;
	return st;
}

static void mappe_view(const struct dataset *d, const struct case_rec *c, struct view *w)
{
	for (int k = 0; k < d->ncol; k++) {
		w->v[k] = c->value[d->colf[k]];
		w->len[k] = c->len[d->colf[k]];
	}
}

/* ---- key derivation, apart ------------------------------------------------- */

struct kdf_result {
	double argon_ms, argon_create_ms;
	unsigned long long argon_ops, argon_mib;
	double pbkdf_default_ms, pbkdf_256k_ms;
	char pbkdf_default_iter[32], pbkdf_256k_iter[32];
};

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

static double median(double *v, size_t n)
{
	qsort(v, n, sizeof *v, cmp_double);
	return v[n / 2];
}

static void kdf_mappe(const char *dir, struct kdf_result *r)
{
	struct keys_kdf def;
	char err[512] = "";
	double t[KDF_REPS];
	uint64_t t0;

	/* The documented default, not whatever this shell lowered it to. */
	unsetenv("MAPPE_KDF_OPSLIMIT");
	unsetenv("MAPPE_KDF_MEMLIMIT_MIB");
	keys_kdf_default(&def);
	r->argon_ops = (unsigned long long)def.opslimit;
	r->argon_mib = (unsigned long long)(def.memlimit >> 20);
	t0 = now_ns();
	if (store_create(dir, ADMIN, PASS, strlen(PASS), NULL, err, sizeof err) != M_OK)
		die("store_create: %s", err);
	r->argon_create_ms = (double)(now_ns() - t0) / 1e6;
	for (int i = 0; i < KDF_REPS; i++) {
		store *st;
		if (store_open(dir, NULL, &st, err, sizeof err) != M_OK)
			die("store_open: %s", err);
		t0 = now_ns();
		if (store_unlock(st, ADMIN, PASS, strlen(PASS)) != M_OK)
			die("store_unlock: %s", store_error(st));
		t[i] = (double)(now_ns() - t0) / 1e6;
		store_close(st);
	}
	r->argon_ms = median(t, KDF_REPS);
}

/* Open with a passphrase (PBKDF2) and run a first query: the whole cost of
 * getting from a passphrase to a readable SQLCipher database. */
static double kdf_sqlcipher(const char *path, int iter, char *iter_out, size_t cap)
{
	char key[128], it[64] = "";
	double t[KDF_REPS];
	sqlite3 *db;

	snprintf(key, sizeof key, "PRAGMA key = '%s'", PASS);
	if (iter)
		snprintf(it, sizeof it, "PRAGMA kdf_iter = %d", iter);
	if (sqlite3_open_v2(path, &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, NULL) !=
	    SQLITE_OK)
		die("%s: cannot open", path);
	sql_exec(db, key);
	if (iter)
		sql_exec(db, it);
	sql_exec(db, "CREATE TABLE t(x); INSERT INTO t VALUES(1)");
	sql_text(db, "PRAGMA kdf_iter", iter_out, cap);
	sqlite3_close(db);
	for (int i = 0; i < KDF_REPS; i++) {
		char out[32];
		uint64_t t0 = now_ns();
		if (sqlite3_open_v2(path, &db, SQLITE_OPEN_READWRITE, NULL) != SQLITE_OK)
			die("%s: cannot open", path);
		sql_exec(db, key);
		if (iter)
			sql_exec(db, it);
		sql_text(db, "SELECT count(*) FROM t", out, sizeof out);
		t[i] = (double)(now_ns() - t0) / 1e6;
		if (strcmp(out, "1") != 0)
			die("SQLCipher: the passphrase did not open the database");
		sqlite3_close(db);
	}
	return median(t, KDF_REPS);
}

/* ---- the report ------------------------------------------------------------ */

enum row_kind { K_TIME, K_RATE, K_BYTES, K_COUNT };

enum {
	R_OPEN,
	R_SEARCH50,
	R_SEARCH99,
	R_HITS,
	R_LOOKUP50,
	R_LOOKUP99,
	R_SHOW50,
	R_SHOW99,
	R_IMPORT,
	R_UPDATE50,
	R_UPDATE99,
	R_SIZE,
	R_COUNT
};

struct row {
	char label[64];
	enum row_kind kind;
	double v[NCONF];
};

static void fmt_num(char *out, size_t cap, double v, enum row_kind kind)
{
	if (kind == K_COUNT || kind == K_RATE)
		snprintf(out, cap, "%.0f", v);
	else if (v >= 100)
		snprintf(out, cap, "%.0f", v);
	else if (v >= 10)
		snprintf(out, cap, "%.1f", v);
	else
		snprintf(out, cap, "%.2f", v);
}

static void fmt_ratio(char *out, size_t cap, const struct row *r, int base)
{
	double m = r->v[C_MAPPE], b = r->v[base], x;

	if (r->kind == K_COUNT || m <= 0 || b <= 0) {
		snprintf(out, cap, "-");
		return;
	}
	x = r->kind == K_RATE ? b / m : m / b; /* cost: time per case for rates */
	snprintf(out, cap, x >= 10 ? "%.0fx" : "%.1fx", x);
}

static void print_table(const struct row *rows, size_t n, FILE *f)
{
	char a[32], b[32];

	fprintf(f, "| %-32s | %10s | %10s | %10s | %10s | %10s | %15s |\n", "workload", "mappe",
	        "LMDB", "SQLCipher", "SQLite", "mappe/LMDB", "mappe/SQLCipher");
	fprintf(f, "|----------------------------------|-----------:|-----------:|-----------:"
	           "|-----------:|-----------:|----------------:|\n");
	for (size_t i = 0; i < n; i++) {
		const struct row *r = &rows[i];
		fprintf(f, "| %-32s |", r->label);
		for (int c = 0; c < NCONF; c++) {
			fmt_num(a, sizeof a, r->v[c], r->kind);
			fprintf(f, " %10s |", a);
		}
		fmt_ratio(a, sizeof a, r, C_LMDB);
		fmt_ratio(b, sizeof b, r, C_SQLCIPHER);
		fprintf(f, " %10s | %15s |\n", a, b);
	}
}

static const char *fs_name(const char *path)
{
	struct statfs s;

	if (statfs(path, &s) != 0)
		return "unknown";
	switch ((unsigned long)s.f_type) {
	case 0xEF53:
		return "ext4";
	case 0x01021994:
		return "tmpfs (fsync is a no-op: durable times are not disk times)";
	case 0x58465342:
		return "xfs";
	case 0x9123683EUL:
		return "btrfs";
	case 0x794c7630:
		return "overlayfs";
	case 0x2fc12fc1:
		return "zfs";
	default:
		return "other";
	}
}

static void cpu_model(char *out, size_t cap)
{
	FILE *f = fopen("/proc/cpuinfo", "r");
	char line[512];

	snprintf(out, cap, "unknown CPU");
	if (!f)
		return;
	while (fgets(line, sizeof line, f)) {
		char *colon = strchr(line, ':');
		if (strncmp(line, "model name", 10) == 0 && colon) {
			colon++;
			while (*colon == ' ' || *colon == '\t')
				colon++;
			colon[strcspn(colon, "\n")] = 0;
			snprintf(out, cap, "%s", colon);
			break;
		}
	}
	fclose(f);
}

/* ---- main ------------------------------------------------------------------ */

static void usage(FILE *f)
{
	fputs("usage: bench [--cases N] [--ops N] [--dir DIR]\n"
	      "Measures mappe beside plain LMDB, SQLCipher and SQLite on the same synthetic\n"
	      "cases and prints one table. N cases (default 10000), ops timed operations per\n"
	      "workload (default 2000); the stores live in a new directory under DIR\n"
	      "(default /tmp), removed at the end.\n",
	      f);
}

static bool parse_count(const char *s, unsigned long long *out)
{
	char *end;
	unsigned long long v;

	if (!s || *s < '0' || *s > '9')
		return false;
	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno || *end || v == 0 || v > MAX_CASES)
		return false;
	*out = v;
	return true;
}

/* ---- the run ---------------------------------------------------------------- */

struct bench {
	size_t n, ops;
	const char *base;
	char p_mappe[4200], p_lmdb[4200], p_cipher[4200], p_lite[4200];
	struct dataset d;
	store *st;
	struct plain pl;
	struct sql sq[2];  /* SQLCipher, SQLite */
	search_index *ix;  /* mappe's case list, from open */
	struct list plist; /* LMDB's case list, from open */
	size_t *sample;    /* ops dataset indices, for lookup-id, show and update */
	uint64_t *t;       /* ops timings */
	struct row rows[R_COUNT];
	char checks[8][256];
	int nchecks;
	size_t failures;
	double mappe_unlock_ms;
	char v_cipher[64], v_hmac[32], v_pagesize[2][32], v_cachesize[32];
	char plan_search[512], plan_lookup[512];
	struct kdf_result kdf;
};

__attribute__((format(printf, 3, 4))) static void check(struct bench *b, bool ok, const char *fmt,
                                                        ...)
{
	va_list ap;

	if (b->nchecks == (int)(sizeof b->checks / sizeof b->checks[0]))
		die("internal error: too many checks");
	va_start(ap, fmt);
	vsnprintf(b->checks[b->nchecks++], sizeof b->checks[0], fmt, ap);
	va_end(ap);
	b->failures += !ok;
}

static struct sql *sql_of(struct bench *b, int conf)
{
	return &b->sq[conf - C_SQLCIPHER];
}

static void label(struct bench *b, int r, enum row_kind kind, const char *text)
{
	snprintf(b->rows[r].label, sizeof b->rows[r].label, "%s", text);
	b->rows[r].kind = kind;
}

static void bench_setup(struct bench *b)
{
	uint64_t t0;

	snprintf(b->p_mappe, sizeof b->p_mappe, "%s/mappe", g_root);
	snprintf(b->p_lmdb, sizeof b->p_lmdb, "%s/lmdb", g_root);
	snprintf(b->p_cipher, sizeof b->p_cipher, "%s/sqlcipher.db", g_root);
	snprintf(b->p_lite, sizeof b->p_lite, "%s/sqlite.db", g_root);

	/* A raw 256-bit key for SQLCipher: no PBKDF2 in the table. */
	{
		uint8_t k[32];
		char hex[65];
		randombytes_buf(k, sizeof k);
		sodium_bin2hex(hex, sizeof hex, k, sizeof k);
		snprintf(g_rawkey, sizeof g_rawkey, "PRAGMA key = \"x'%s'\"", hex);
	}

	t0 = now_ns();
	progress("generating %zu synthetic cases (seed %u)", b->n, SEED);
	dataset_make(&b->d, b->n);
	progress("  %.1f s", (double)(now_ns() - t0) / 1e9);

	b->st = mappe_make(b->p_mappe, &b->mappe_unlock_ms);
	plain_open(&b->pl, b->p_lmdb, b->n);
	sql_open(&b->sq[0], &b->d, b->p_cipher, true);
	sql_open(&b->sq[1], &b->d, b->p_lite, false);
	sql_text(b->sq[0].db, "PRAGMA cipher_version", b->v_cipher, sizeof b->v_cipher);
	sql_text(b->sq[0].db, "PRAGMA cipher_use_hmac", b->v_hmac, sizeof b->v_hmac);
	sql_text(b->sq[0].db, "PRAGMA page_size", b->v_pagesize[0], sizeof b->v_pagesize[0]);
	sql_text(b->sq[1].db, "PRAGMA page_size", b->v_pagesize[1], sizeof b->v_pagesize[1]);
	sql_text(b->sq[1].db, "PRAGMA cache_size", b->v_cachesize, sizeof b->v_cachesize);

	b->sample = xmalloc(b->ops * sizeof *b->sample);
	b->t = xmalloc(b->ops * sizeof *b->t);
	{
		struct rng r = {SEED * 104729u};
		for (size_t k = 0; k < b->ops; k++)
			b->sample[k] = rng_below(&r, b->n);
	}

	label(b, R_OPEN, K_TIME, "open, ms (median of " XSTR(OPEN_REPS) ")");
	label(b, R_SEARCH50, K_TIME, "search p50, us/keystroke");
	label(b, R_SEARCH99, K_TIME, "search p99, us/keystroke");
	label(b, R_HITS, K_COUNT, "search hits, all keystrokes");
	label(b, R_LOOKUP50, K_TIME, "lookup-id p50, us");
	label(b, R_LOOKUP99, K_TIME, "lookup-id p99, us");
	label(b, R_SHOW50, K_TIME, "show p50, us");
	label(b, R_SHOW99, K_TIME, "show p99, us");
	label(b, R_IMPORT, K_RATE, "import, cases/s");
	label(b, R_UPDATE50, K_TIME, "update p50, ms");
	label(b, R_UPDATE99, K_TIME, "update p99, ms");
	label(b, R_SIZE, K_BYTES, "size after import, MiB");
}

/* import: CHUNK cases per transaction, then the bytes on disk. */
static void run_import(struct bench *b)
{
	size_t cap = max_chunk_len(&b->d) + 1, n = b->n;
	char *buf = xmalloc(cap);
	char path[4300];

	for (int conf = 0; conf < NCONF; conf++) {
		uint64_t total = 0;

		progress("import: %s", conf_name[conf]);
		for (size_t first = 0; first < n; first += CHUNK) {
			size_t m = first + CHUNK < n ? CHUNK : n - first;
			size_t len = chunk_text(&b->d, first, m, buf);
			uint64_t *ids = NULL, t0;
			size_t nids = 0;
			char err[512];
			int rc = M_OK;

			t0 = now_ns();
			if (conf == C_MAPPE)
				rc = store_import(b->st, "bench.csv", buf, len, IMPORT_CSV, false,
				                  &ids, &nids, err, sizeof err);
			else if (conf == C_LMDB)
				plain_import(&b->pl, buf, len);
			else
				sql_import(sql_of(b, conf), buf, len, first);
			total += now_ns() - t0;
			if (conf == C_MAPPE) {
				if (rc != M_OK)
					die("store_import: %s", err);
				if (nids != m)
					die("store_import: %zu cases instead of %zu", nids, m);
				for (size_t j = 0; j < m; j++)
					if (ids[j] != first + j + 1)
						die("store_import: unexpected case id");
				free(ids);
			}
		}
		b->rows[R_IMPORT].v[conf] = (double)n / ((double)total / 1e9);
	}
	free(buf);

	snprintf(path, sizeof path, "%s/data.mdb", b->p_mappe);
	b->rows[R_SIZE].v[C_MAPPE] = (double)file_size(path);
	snprintf(path, sizeof path, "%s/data.mdb", b->p_lmdb);
	b->rows[R_SIZE].v[C_LMDB] = (double)file_size(path);
	for (int conf = C_SQLCIPHER; conf < NCONF; conf++) {
		snprintf(path, sizeof path, "%s-wal", sql_of(b, conf)->path);
		b->rows[R_SIZE].v[conf] =
		    (double)(file_size(sql_of(b, conf)->path) + file_size(path));
	}
	for (int conf = 0; conf < NCONF; conf++)
		b->rows[R_SIZE].v[conf] /= 1024.0 * 1024.0;

	sql_plan(b->sq[0].db,
	         "SELECT id FROM cases WHERE given_name LIKE ?1 OR family_name LIKE ?1", "Sh%",
	         b->plan_search, sizeof b->plan_search);
	sql_plan(b->sq[0].db, "SELECT id FROM cases WHERE national_id = ?1", NULL, b->plan_lookup,
	         sizeof b->plan_lookup);
}

/* open: from unlocked keys to the case list in memory. */
static void run_open(struct bench *b)
{
	uint64_t t[NCONF][OPEN_REPS], t0;
	size_t listed[NCONF] = {0};
	bool all = true;

	progress("open: %d rounds", OPEN_REPS);
	for (int rep = 0; rep < OPEN_REPS; rep++) {
		for (int conf = 0; conf < NCONF; conf++) {
			if (conf == C_MAPPE) {
				search_index *x;
				search_index_free(b->ix);
				b->ix = NULL;
				t0 = now_ns();
				if (search_index_load(b->st, &x) != M_OK)
					die("search_index_load: %s", store_error(b->st));
				t[conf][rep] = now_ns() - t0;
				b->ix = x;
				listed[conf] = search_index_size(x);
			} else if (conf == C_LMDB) {
				list_free(&b->plist);
				t0 = now_ns();
				plain_load_list(&b->pl, &b->plist);
				t[conf][rep] = now_ns() - t0;
				listed[conf] = b->plist.n;
			} else {
				/* A fresh connection, nothing decrypted in its page cache
				 * yet, as after a login. Not timed: the raw key and the
				 * pragmas. */
				struct list l = {0};
				sqlite3 *db =
				    sql_connect(sql_of(b, conf)->path, conf == C_SQLCIPHER);
				t0 = now_ns();
				sql_load_list(db, &l);
				t[conf][rep] = now_ns() - t0;
				listed[conf] = l.n;
				list_free(&l);
				sqlite3_close(db);
			}
		}
	}
	for (int conf = 0; conf < NCONF; conf++) {
		b->rows[R_OPEN].v[conf] = pct(t[conf], OPEN_REPS, 0.5) / 1e6;
		all &= listed[conf] == b->n;
	}
	check(b, all, "open: %zu/%zu/%zu/%zu cases listed of %zu (mappe/LMDB/SQLCipher/SQLite)",
	      listed[0], listed[1], listed[2], listed[3], b->n);
}

struct keystroke {
	size_t target; /* dataset index of the name being typed */
	size_t len;    /* prefix length in bytes, on a character boundary */
};

/* search: type-ahead, each prefix of SEARCH_NAMES sampled family names. */
static void run_search(struct bench *b)
{
	const struct dataset *d = &b->d;
	struct rng r = {SEED * 7919u};
	size_t nks = 0, kcap = 1024, *nhits[NCONF], found[NCONF] = {0}, same = 0;
	struct keystroke *ks = xmalloc(kcap * sizeof *ks);
	uint64_t *hits = xmalloc(b->n * sizeof *hits), *t, t0;
	double total[NCONF] = {0};

	for (unsigned s = 0; s < SEARCH_NAMES; s++) {
		size_t i = rng_below(&r, b->n), len;
		const char *fam = dval(d, i, d->c_family, &len);
		for (size_t k = 1; k <= len; k++) {
			if (k < len && ((unsigned char)fam[k] & 0xC0) == 0x80)
				continue; /* inside a character */
			if (nks == kcap)
				ks = xrealloc(ks, (kcap *= 2) * sizeof *ks);
			ks[nks++] = (struct keystroke){i, k};
		}
	}
	t = xmalloc(nks * sizeof *t);
	for (int conf = 0; conf < NCONF; conf++) {
		nhits[conf] = xcalloc(nks, sizeof **nhits);
		progress("search: %s, %zu keystrokes", conf_name[conf], nks);
		for (size_t k = 0; k < nks; k++) {
			size_t flen, nh = 0;
			const char *fam = dval(d, ks[k].target, d->c_family, &flen);
			uint64_t want = ks[k].target + 1;
			char q[FIELD_MAX_BYTES + 2];
			bool hit = false;

			memcpy(q, fam, ks[k].len);
			q[ks[k].len] = 0;
			if (conf == C_MAPPE) {
				struct search_hit *sh;
				t0 = now_ns();
				if (search_run(b->st, b->ix, q, ks[k].len, &sh, &nh) != M_OK)
					die("search_run: %s", store_error(b->st));
				t[k] = now_ns() - t0;
				for (size_t j = 0; j < nh; j++)
					hit |= sh[j].id == want;
				free(sh);
			} else {
				if (conf == C_LMDB) {
					t0 = now_ns();
					nh = list_search(&b->plist, q, ks[k].len, hits);
					t[k] = now_ns() - t0;
				} else {
					q[ks[k].len] = '%'; /* names hold no % or _ */
					t0 = now_ns();
					nh = sql_search(sql_of(b, conf), q, ks[k].len + 1, hits);
					t[k] = now_ns() - t0;
				}
				for (size_t j = 0; j < nh; j++)
					hit |= hits[j] == want;
			}
			nhits[conf][k] = nh;
			total[conf] += (double)nh;
			found[conf] += hit;
		}
		b->rows[R_SEARCH50].v[conf] = pct(t, nks, 0.5) / 1e3;
		b->rows[R_SEARCH99].v[conf] = pct(t, nks, 0.99) / 1e3;
		b->rows[R_HITS].v[conf] = total[conf];
	}
	for (size_t k = 0; k < nks; k++)
		same += nhits[C_LMDB][k] == nhits[C_SQLCIPHER][k] &&
		        nhits[C_LMDB][k] == nhits[C_SQLITE][k];
	check(b, same == nks,
	      "search: %zu keystrokes over %u names; LMDB, SQLCipher and SQLite hit counts equal "
	      "on %zu/%zu",
	      nks, SEARCH_NAMES, same, nks);
	/* The baselines must always find it; mappe's ranking is its own. */
	check(b, found[1] == nks && found[2] == nks && found[3] == nks,
	      "search: the case being typed was among the hits on %zu/%zu/%zu/%zu keystrokes "
	      "(mappe/LMDB/SQLCipher/SQLite)",
	      found[0], found[1], found[2], found[3]);
	for (int conf = 0; conf < NCONF; conf++)
		free(nhits[conf]);
	free(t);
	free(ks);
	free(hits);
	search_index_free(b->ix);
	b->ix = NULL;
	list_free(&b->plist);
}

/* lookup-id: the sampled cases by national id; exactly one, the right one. */
static void run_lookup(struct bench *b)
{
	const struct dataset *d = &b->d;
	size_t ok[NCONF] = {0};

	for (int conf = 0; conf < NCONF; conf++) {
		progress("lookup-id: %s", conf_name[conf]);
		for (size_t k = 0; k < b->ops; k++) {
			size_t len, ng = 0;
			const char *nid = dval(d, b->sample[k], d->c_nid, &len);
			uint64_t got[64], t0;

			if (conf == C_MAPPE) {
				uint64_t *ids;
				t0 = now_ns();
				if (store_find_national_id(b->st, nid, &ids, &ng) != M_OK)
					die("store_find_national_id: %s", store_error(b->st));
				b->t[k] = now_ns() - t0;
				for (size_t j = 0; j < ng && j < 64; j++)
					got[j] = ids[j];
				free(ids);
			} else if (conf == C_LMDB) {
				t0 = now_ns();
				got[0] = plain_lookup(&b->pl, nid, len);
				b->t[k] = now_ns() - t0;
				ng = got[0] != 0;
			} else {
				t0 = now_ns();
				ng = sql_lookup(sql_of(b, conf), nid, len, got, 64);
				b->t[k] = now_ns() - t0;
			}
			ok[conf] += ng == 1 && got[0] == b->sample[k] + 1;
		}
		b->rows[R_LOOKUP50].v[conf] = pct(b->t, b->ops, 0.5) / 1e3;
		b->rows[R_LOOKUP99].v[conf] = pct(b->t, b->ops, 0.99) / 1e3;
	}
	check(b, ok[0] == b->ops && ok[1] == b->ops && ok[2] == b->ops && ok[3] == b->ops,
	      "lookup-id: exactly the right case on %zu/%zu/%zu/%zu of %zu lookups "
	      "(mappe/LMDB/SQLCipher/SQLite)",
	      ok[0], ok[1], ok[2], ok[3], b->ops);
}

/* One case, every field, as configuration conf returns it. For mappe the
 * view points into c, which the caller clears. */
static bool read_case(struct bench *b, int conf, uint64_t id, struct view *w, struct case_rec *c)
{
	memset(w->v, 0, sizeof w->v);
	w->used = 0;
	if (conf == C_MAPPE) {
		if (store_case_get(b->st, id, c) != M_OK)
			return false;
		mappe_view(&b->d, c, w);
		return true;
	}
	if (conf == C_LMDB)
		return plain_show(&b->pl, &b->d, id, w);
	return sql_show(sql_of(b, conf), &b->d, id, w);
}

/* show: open one case and read (decrypt) every field. */
static void run_show(struct bench *b)
{
	size_t ok[NCONF] = {0};
	struct view w = {.cap = 64 * 1024};

	w.mem = xmalloc(w.cap);
	for (int conf = 0; conf < NCONF; conf++) {
		progress("show: %s", conf_name[conf]);
		for (size_t k = 0; k < b->ops; k++) {
			uint64_t id = b->sample[(k * 7 + 3) % b->ops] + 1, t0;
			struct case_rec c;
			bool found;

			case_init(&c);
			t0 = now_ns();
			found = read_case(b, conf, id, &w, &c);
			b->t[k] = now_ns() - t0;
			ok[conf] += found && view_matches(&b->d, id - 1, &w);
			case_clear(&c);
		}
		b->rows[R_SHOW50].v[conf] = pct(b->t, b->ops, 0.5) / 1e3;
		b->rows[R_SHOW99].v[conf] = pct(b->t, b->ops, 0.99) / 1e3;
	}
	free(w.mem);
	check(b, ok[0] == b->ops && ok[1] == b->ops && ok[2] == b->ops && ok[3] == b->ops,
	      "show: all %d fields as imported on %zu/%zu/%zu/%zu of %zu reads "
	      "(mappe/LMDB/SQLCipher/SQLite)",
	      b->d.ncol, ok[0], ok[1], ok[2], ok[3], b->ops);
}

/* update: the phone of one case, one durable transaction each; then every
 * updated case read back with the last phone written and nothing else
 * changed. */
static void run_update(struct bench *b)
{
	const struct dataset *d = &b->d;
	struct rng r = {SEED * 15485863u};
	char(*phone)[24] = xmalloc(b->ops * sizeof *phone);
	size_t *plen = xmalloc(b->ops * sizeof *plen);
	size_t *last = xmalloc(b->n * sizeof *last); /* the op that wrote case i last */
	size_t ok[NCONF] = {0}, updated = 0;
	struct view w = {.cap = 64 * 1024};

	for (size_t i = 0; i < b->n; i++)
		last[i] = SIZE_MAX;
	for (size_t k = 0; k < b->ops; k++) {
		char raw[24];
		snprintf(raw, sizeof raw, "+479%07u", (unsigned)rng_below(&r, 10000000));
		if (field_normalise(F_phone, raw, strlen(raw), phone[k], sizeof phone[k], &plen[k]))
			die("update: invalid phone");
		last[b->sample[k]] = k;
	}
	for (int conf = 0; conf < NCONF; conf++) {
		progress("update: %s", conf_name[conf]);
		for (size_t k = 0; k < b->ops; k++) {
			uint64_t id = b->sample[k] + 1, t0;
			if (conf == C_MAPPE) {
				struct case_rec c;
				int rc;
				case_init(&c);
				c.id = id;
				if (case_set(&c, F_phone, phone[k], plen[k]))
					die("case_set: out of memory");
				t0 = now_ns();
				rc = store_case_update(b->st, &c, 0);
				b->t[k] = now_ns() - t0;
				if (rc != M_OK)
					die("store_case_update: %s", store_error(b->st));
				case_clear(&c);
			} else if (conf == C_LMDB) {
				t0 = now_ns();
				plain_update(&b->pl, id, phone[k], plen[k]);
				b->t[k] = now_ns() - t0;
			} else {
				t0 = now_ns();
				sql_update(sql_of(b, conf), id, phone[k], plen[k]);
				b->t[k] = now_ns() - t0;
			}
		}
		b->rows[R_UPDATE50].v[conf] = pct(b->t, b->ops, 0.5) / 1e6;
		b->rows[R_UPDATE99].v[conf] = pct(b->t, b->ops, 0.99) / 1e6;
	}

	w.mem = xmalloc(w.cap);
	for (size_t i = 0; i < b->n; i++) {
		if (last[i] == SIZE_MAX)
			continue;
		updated++;
		for (int conf = 0; conf < NCONF; conf++) {
			struct case_rec c;
			bool good;

			case_init(&c);
			good = read_case(b, conf, i + 1, &w, &c);
			for (int col = 0; good && col < d->ncol; col++) {
				size_t len;
				const char *e = dval(d, i, col, &len);
				if (col == d->c_phone) {
					e = phone[last[i]];
					len = plen[last[i]];
				}
				good =
				    w.v[col] && w.len[col] == len && memcmp(w.v[col], e, len) == 0;
			}
			ok[conf] += good;
			case_clear(&c);
		}
	}
	free(w.mem);
	check(b, ok[0] == updated && ok[1] == updated && ok[2] == updated && ok[3] == updated,
	      "update: the last phone written, and nothing else changed, on %zu/%zu/%zu/%zu of %zu "
	      "updated cases (mappe/LMDB/SQLCipher/SQLite)",
	      ok[0], ok[1], ok[2], ok[3], updated);
	free(phone);
	free(plen);
	free(last);
}

/* Key derivation, apart: after the stores are closed. */
static void run_kdf(struct bench *b)
{
	char p_kdf[4200], p_sql[4200], p_sql2[4200];
	struct kdf_result *k = &b->kdf;

	snprintf(p_kdf, sizeof p_kdf, "%s/mappe-kdf", g_root);
	snprintf(p_sql, sizeof p_sql, "%s/kdf-default.db", g_root);
	snprintf(p_sql2, sizeof p_sql2, "%s/kdf-256000.db", g_root);
	progress("key derivation: mappe Argon2id at the default cost");
	kdf_mappe(p_kdf, k);
	progress("key derivation: SQLCipher PBKDF2");
	k->pbkdf_default_ms =
	    kdf_sqlcipher(p_sql, 0, k->pbkdf_default_iter, sizeof k->pbkdf_default_iter);
	k->pbkdf_256k_ms =
	    kdf_sqlcipher(p_sql2, 256000, k->pbkdf_256k_iter, sizeof k->pbkdf_256k_iter);
}

static void print_report(const struct bench *b)
{
	const struct kdf_result *k = &b->kdf;
	char cpu[256];
	struct utsname un;
	int maj, min, pat;

	cpu_model(cpu, sizeof cpu);
	if (uname(&un) != 0)
		snprintf(un.release, sizeof un.release, "?");

	printf("mappe bench: %zu cases (synth_write seed %u, %d fields each), %zu timed "
	       "operations per workload\n",
	       b->n, SEED, b->d.ncol, b->ops);
	printf("machine:   %ld CPUs, %s, Linux %s; stores in %s (%s)\n",
	       sysconf(_SC_NPROCESSORS_ONLN), cpu, un.release, b->base, fs_name(g_root));
	printf("versions:  %s; libsodium %s; SQLite %s with SQLCipher %s (libsqlcipher)\n",
	       mdb_version(&maj, &min, &pat), sodium_version_string(), sqlite3_libversion(),
	       b->v_cipher[0] ? b->v_cipher : "?");
	printf("compiler:  %s; bench: %s; libmappe.a: %s plus the Makefile's hardening flags\n",
	       COMPILER, BENCH_CFLAGS, BENCH_LIBCFLAGS);
	printf("configs:   mappe = store API, Argon2id (2, 64 MiB) keyslot, unlocked before "
	       "timing\n"
	       "           LMDB = same layout, no crypto (u64 id|u16 field -> value, header per "
	       "case, national id -> id); same env flags (durable)\n"
	       "           SQLCipher = raw key (no KDF), HMAC %s, page size %s, WAL, "
	       "synchronous=FULL, default cache (%s)\n"
	       "           SQLite = the same libsqlcipher with no PRAGMA key (no encryption), "
	       "page size %s, same schema and pragmas\n",
	       strcmp(b->v_hmac, "1") == 0 ? "on" : b->v_hmac, b->v_pagesize[0], b->v_cachesize,
	       b->v_pagesize[1]);
	printf("\n");
	print_table(b->rows, R_COUNT, stdout);
	printf("\nratios: mappe's cost / the baseline's (time per operation or per case, bytes); "
	       "above 1 = mappe slower or larger.\n");
	printf("open: mappe search_index_load (decrypt names and birth dates, fold for search); "
	       "LMDB: header + 3 field reads per case;\n"
	       "      SQL: SELECT id, version, given_name, family_name, birth_date, status, "
	       "caseworker on a fresh connection. All into memory.\n");
	printf("search: mappe search_run (any word, any script, fuzzy); LMDB: strncasecmp "
	       "prefix of given or family name on the list;\n"
	       "        SQL: given_name LIKE 'p%%' OR family_name LIKE 'p%%' (NOCASE indexes; "
	       "plan: %s)\n",
	       b->plan_search);
	printf("lookup-id: mappe store_find_national_id (blind index, decrypt to confirm); "
	       "LMDB get; SQL national_id = ? (plan: %s)\n",
	       b->plan_lookup);
	printf("import: CSV chunks of %u with header; every configuration parses and "
	       "normalises (field_normalise) then writes one transaction per chunk.\n",
	       CHUNK);
	printf("size: data.mdb; SQL: .db + -wal, right after the import.\n");

	printf("\nkey derivation (per unlock; reported apart, in no timing above):\n");
	printf("  mappe store_unlock, Argon2id opslimit %llu, %llu MiB (the default): %.0f ms "
	       "(median of %d; store_create %.0f ms)\n",
	       k->argon_ops, k->argon_mib, k->argon_ms, KDF_REPS, k->argon_create_ms);
	printf("  mappe store_unlock, Argon2id opslimit 2, 64 MiB (the store above): %.0f ms "
	       "(once)\n",
	       b->mappe_unlock_ms);
	printf("  SQLCipher %s PRAGMA key='passphrase' + first query, PBKDF2-HMAC-SHA1, kdf_iter "
	       "%s (this library's default): %.0f ms (median of %d)\n",
	       b->v_cipher, k->pbkdf_default_iter, k->pbkdf_default_ms, KDF_REPS);
	printf("  the same with kdf_iter %s (SQLCipher 4's default count; 4.x uses SHA512): %.0f "
	       "ms (median of %d)\n",
	       k->pbkdf_256k_iter, k->pbkdf_256k_ms, KDF_REPS);

	printf("\nnot measured in this run:\n");
	printf("  concurrent  10 reader processes + 1 writer needs a multi-process harness; this "
	       "program is one process\n");
	printf("  rotate      store_rotate vs PRAGMA rekey with interactive updates running "
	       "alongside needs the same harness\n");
	printf("  screen      terminal bytes per keystroke is a tui/ measurement, not a store "
	       "one\n");

	printf("\nchecks%s:\n", b->failures ? " (FAILED)" : "");
	for (int i = 0; i < b->nchecks; i++)
		printf("  %s\n", b->checks[i]);
	fflush(stdout);
}

int main(int argc, char **argv)
{
	unsigned long long ncases = 10000, nops = 2000;
	static struct bench b;

	b.base = "/tmp";
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
		if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
			usage(stdout);
			return 0;
		} else if (strcmp(a, "--cases") == 0 && parse_count(v, &ncases)) {
			i++;
		} else if (strcmp(a, "--ops") == 0 && parse_count(v, &nops)) {
			i++;
		} else if (strcmp(a, "--dir") == 0 && v && *v) {
			b.base = v;
			i++;
		} else {
			fprintf(stderr, "bench: bad argument: %s\n", a);
			usage(stderr);
			return 1;
		}
	}
	b.n = (size_t)ncases;
	b.ops = (size_t)nops;

	if (keys_init() != KEYS_OK || sodium_init() < 0)
		die("libsodium does not start");
	if (strlen(b.base) > sizeof g_root - 64)
		die("--dir: path too long");
	snprintf(g_root, sizeof g_root, "%s/mappe-bench-XXXXXX", b.base);
	if (!mkdtemp(g_root)) {
		int e = errno;
		g_root[0] = 0;
		die("%s: cannot make a directory: %s", b.base, strerror(e));
	}
	atexit(cleanup);

	bench_setup(&b);
	run_import(&b);
	run_open(&b);
	run_search(&b);
	run_lookup(&b);
	run_show(&b);
	run_update(&b);
	store_close(b.st);
	mdb_env_close(b.pl.env);
	sql_close(&b.sq[0]);
	sql_close(&b.sq[1]);
	run_kdf(&b);

	print_report(&b);
	dataset_free(&b.d);
	free(b.sample);
	free(b.t);
	cleanup();
	if (b.failures) {
		fprintf(stderr, "bench: %zu check(s) failed\n", b.failures);
		return 3;
	}
	return 0;
}
