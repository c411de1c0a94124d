/*
 * bench: mappe beside what a user would pick instead, in the same run, on the
 * same synthetic cases (method: docs in tests/bench/README.md).
 *
 *   bench [--cases N] [--ops N] [--dir DIR] [--import-seconds S] [--rotate-seconds S]
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
 *
 * concurrent and rotate run other processes: this program again, exec'd as
 * bench --child (readers, a writer, a saver, mappe's rotator), each opening
 * its own store or connection, so that no LMDB environment crosses a fork.
 */
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <inttypes.h>
#include <limits.h>
#include <math.h>
#include <poll.h>
#include <pty.h>
#include <signal.h>
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
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <lmdb.h>
#include <sodium.h>
#include <sqlcipher/sqlite3.h>

#include "store/fold.h" /* the quality rows' namesakes: the matcher's own judgement */
#include "store/store.h"
#include "tests/gen/synth.h"
#include "tests/unit/open.h"

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
#define MAXCOL       128
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

static uint64_t now_ns(void);
static uint64_t g_start; /* the run's start, for the progress lines */

__attribute__((format(printf, 1, 2))) static void progress(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "bench: [%6.1f s] ", (double)(now_ns() - g_start) / 1e9);
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

	if (t_store_create(dir, ADMIN, PASS, strlen(PASS), &opt, err, sizeof err) != M_OK)
		die("store_create: %s", err);
	if (t_store_open(dir, &opt, &st, err, sizeof err) != M_OK)
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

/* ---- other processes: readers, a writer, a saver -------------------------- */

/* concurrent and rotate need other processes, each with its own store or
 * connection. They are this program again (/proc/self/exe --child ...), so
 * that no LMDB environment or SQLite connection crosses a fork: the child
 * execs before it touches anything. Each child reads the sampled cases and
 * the keys from a work file in the run's directory, reports on stdout, one
 * line per operation, and takes orders on stdin: a byte to start, end of
 * file to stop. */

#define READERS       10
#define SAVE_EVERY_MS 200
#define BUSY_MS       600000 /* SQLite busy_timeout: a save waits out a whole rekey */
#define ROTATE_BATCH  0      /* batches sized by time, as mappe keys rotate */
#define PHONE_WRITER  1u     /* phone numbers +47<base>NNNNNN, one base per kind of writer */
#define PHONE_SAVER   2u

static char g_keyhex[65], g_newkeyhex[65]; /* SQLCipher's raw key, before and after rekey */
static char g_work[4300];                  /* the work file */

static void key_pragma(char *out, size_t cap, const char *verb, const char *hex)
{
	snprintf(out, cap, "PRAGMA %s = \"x'%s'\"", verb, hex);
}

/* The phone number a writer of kind base sets in its j-th save, normalised
 * as every other value is. */
static void phone_of(unsigned base, size_t j, char *out, size_t cap, size_t *len)
{
	char raw[32];

	snprintf(raw, sizeof raw, "+479%u%06zu", base, j % 1000000u);
	if (field_normalise(F_phone, raw, strlen(raw), out, cap, len))
		die("a generated phone number is invalid");
}

struct work {
	size_t n; /* cases in the stores */
	size_t m; /* samples */
	uint64_t *id;
	char (*nid)[32];
};

static void work_read(const char *path, struct work *w)
{
	FILE *f = fopen(path, "r");
	char line[256];

	memset(w, 0, sizeof *w);
	if (!f)
		die("%s: %s", path, strerror(errno));
	if (fscanf(f, "cases %zu\nkey %64s\nnewkey %64s\nsamples %zu\n", &w->n, g_keyhex,
	           g_newkeyhex, &w->m) != 4 ||
	    w->m == 0)
		die("%s: malformed", path);
	w->id = xmalloc(w->m * sizeof *w->id);
	w->nid = xmalloc(w->m * sizeof *w->nid);
	for (size_t k = 0; k < w->m; k++) {
		unsigned long long id;
		if (!fgets(line, sizeof line, f) || sscanf(line, "%llu %31s", &id, w->nid[k]) != 2)
			die("%s: malformed", path);
		w->id[k] = id;
	}
	fclose(f);
}

/* A child's own connection: the pragmas of sql_connect that belong to a
 * connection (journal_mode=WAL is the file's already), and a busy timeout,
 * as any program sharing a database sets. */
static sqlite3 *child_sql_connect(const char *path, const char *hex)
{
	char pragma[128];
	sqlite3 *db;

	if (sqlite3_open_v2(path, &db, SQLITE_OPEN_READWRITE, NULL) != SQLITE_OK)
		die("%s: %s", path, db ? sqlite3_errmsg(db) : "cannot open");
	sqlite3_busy_timeout(db, BUSY_MS);
	if (hex) {
		key_pragma(pragma, sizeof pragma, "key", hex);
		sql_exec(db, pragma);
		sql_exec(db, "PRAGMA cipher_page_size = 4096");
	}
	sql_exec(db, "PRAGMA synchronous = FULL");
	return db;
}

struct conn {
	int conf;
	store *st;
	struct plain pl;
	sqlite3 *db;
	const char *path;
	bool rekeyed;
	sqlite3_stmt *show, *lookup, *update;
	size_t reconnects;
};

static void conn_prepare(struct conn *c)
{
	c->show = sql_prepare(c->db, "SELECT * FROM cases WHERE id = ?1");
	c->lookup = sql_prepare(c->db, "SELECT id FROM cases WHERE national_id = ?1");
	c->update = sql_prepare(
	    c->db,
	    "UPDATE cases SET phone = ?1, version = version + 1, updated = ?2 WHERE id = ?3");
}

static void conn_close_sql(struct conn *c)
{
	sqlite3_finalize(c->show);
	sqlite3_finalize(c->lookup);
	sqlite3_finalize(c->update);
	sqlite3_close(c->db);
	c->db = NULL;
}

static void conn_open(struct conn *c, int conf, const char *path, size_t n)
{
	memset(c, 0, sizeof *c);
	c->conf = conf;
	c->path = path;
	if (conf == C_MAPPE) {
		static const struct keys_kdf kdf = {2, 64ull << 20};
		const struct store_options opt = {0, &kdf};
		char err[512] = "";
		if (t_store_open(path, &opt, &c->st, err, sizeof err) != M_OK)
			die("store_open: %s", err);
		if (store_unlock(c->st, ADMIN, PASS, strlen(PASS)) != M_OK)
			die("store_unlock: %s", store_error(c->st));
	} else if (conf == C_LMDB) {
		MDB_txn *txn;
		size_t map = (size_t)1 << 30;
		if (n * 8192 > map)
			map = n * 8192;
		mdb_check(mdb_env_create(&c->pl.env), "create");
		mdb_env_set_maxdbs(c->pl.env, 8);
		mdb_env_set_mapsize(c->pl.env, map);
		mdb_check(mdb_env_open(c->pl.env, path, MDB_NOTLS, 0660), "open");
		mdb_check(mdb_txn_begin(c->pl.env, NULL, MDB_RDONLY, &txn), "begin");
		mdb_check(mdb_dbi_open(txn, "meta", 0, &c->pl.meta), "meta");
		mdb_check(mdb_dbi_open(txn, "cases", 0, &c->pl.cases), "cases");
		mdb_check(mdb_dbi_open(txn, "fields", 0, &c->pl.fields), "fields");
		mdb_check(mdb_dbi_open(txn, "nid", 0, &c->pl.nid), "nid");
		mdb_check(mdb_txn_commit(txn), "commit");
	} else {
		c->db = child_sql_connect(path, conf == C_SQLCIPHER ? g_keyhex : NULL);
		conn_prepare(c);
	}
}

static void conn_close(struct conn *c)
{
	if (c->st)
		store_close(c->st);
	if (c->pl.env)
		mdb_env_close(c->pl.env);
	if (c->db)
		conn_close_sql(c);
}

/* Open one case and touch every field; false if it is not there. */
static bool conn_show(struct conn *c, uint64_t id)
{
	bool found = false;

	if (c->conf == C_MAPPE) {
		struct case_rec r;
		case_init(&r);
		found = store_case_get(c->st, id, &r) == M_OK && r.id == id;
		case_clear(&r);
	} else if (c->conf == C_LMDB) {
		MDB_txn *txn;
		uint8_t k[8];
		MDB_val key = {8, k}, val;
		struct plain_hdr h;
		size_t bytes = 0;

		mdb_check(mdb_txn_begin(c->pl.env, NULL, MDB_RDONLY, &txn), "begin");
		be64(k, id);
		if (mdb_get(txn, c->pl.cases, &key, &val) == 0) {
			hdr_decode(&val, &h);
			found = true;
			for (unsigned j = 0; j < h.nf; j++) {
				uint8_t fk[10];
				MDB_val fkv = {10, fk}, v;
				fkey(fk, id, h.num[j]);
				if (mdb_get(txn, c->pl.fields, &fkv, &v) == 0)
					bytes += v.mv_size;
				else
					found = false;
			}
		}
		mdb_txn_abort(txn);
		found &= bytes > 0;
	} else {
		int rc;
		sqlite3_bind_int64(c->show, 1, (sqlite3_int64)id);
		while ((rc = sqlite3_step(c->show)) == SQLITE_ROW) {
			for (int col = 0; col < sqlite3_column_count(c->show); col++)
				(void)sqlite3_column_text(c->show, col);
			found = true;
		}
		sqlite3_reset(c->show);
		found &= rc == SQLITE_DONE;
	}
	return found;
}

/* By national id: true if exactly the one case. */
static bool conn_lookup(struct conn *c, const char *nid, uint64_t want)
{
	size_t len = strlen(nid), n = 0;
	uint64_t got = 0;

	if (c->conf == C_MAPPE) {
		uint64_t *ids = NULL;
		if (store_find_national_id(c->st, nid, &ids, &n) != M_OK)
			return false;
		got = n ? ids[0] : 0;
		free(ids);
	} else if (c->conf == C_LMDB) {
		got = plain_lookup(&c->pl, nid, len);
		n = got != 0;
	} else {
		int rc;
		sqlite3_bind_text(c->lookup, 1, nid, (int)len, SQLITE_STATIC);
		while ((rc = sqlite3_step(c->lookup)) == SQLITE_ROW)
			got = n++ ? got : (uint64_t)sqlite3_column_int64(c->lookup, 0);
		sqlite3_reset(c->lookup);
		if (rc != SQLITE_DONE)
			return false;
	}
	return n == 1 && got == want;
}

/* One durable save of the phone; 0 or the configuration's error code. A
 * SQLCipher connection that finds the file rekeyed under it reconnects with
 * the new key (which a real client would have to be given) and tries again,
 * inside the same timed save. */
static int conn_save(struct conn *c, uint64_t id, const char *phone, size_t len)
{
	if (c->conf == C_MAPPE) {
		struct case_rec r;
		int rc;
		case_init(&r);
		r.id = id;
		if (case_set(&r, F_phone, phone, len))
			die("case_set: out of memory");
		rc = store_case_update(c->st, &r, 0);
		case_clear(&r);
		return rc;
	}
	if (c->conf == C_LMDB) {
		plain_update(&c->pl, id, phone, len);
		return 0;
	}
	for (int attempt = 0;; attempt++) {
		int rc;
		sqlite3_bind_text(c->update, 1, phone, (int)len, SQLITE_STATIC);
		sqlite3_bind_int64(c->update, 2, (sqlite3_int64)time(NULL));
		sqlite3_bind_int64(c->update, 3, (sqlite3_int64)id);
		rc = sqlite3_step(c->update);
		sqlite3_reset(c->update);
		if (rc == SQLITE_DONE)
			return sqlite3_changes(c->db) == 1 ? 0 : -1;
		if (rc == SQLITE_NOTADB && c->conf == C_SQLCIPHER && !c->rekeyed) {
			conn_close_sql(c);
			c->db = child_sql_connect(c->path, g_newkeyhex);
			conn_prepare(c);
			c->rekeyed = true;
			c->reconnects++;
			continue;
		}
		if ((rc == SQLITE_BUSY || rc == SQLITE_LOCKED) && attempt < 3)
			continue;
		return rc;
	}
}

/* Has the parent closed our stdin (stop), or sent the start byte? Waits at
 * most timeout_ms. 1: a byte, 0: nothing yet, -1: end of file. */
static int order(int timeout_ms)
{
	struct pollfd p = {STDIN_FILENO, POLLIN, 0};
	char ch;
	ssize_t got;

	if (poll(&p, 1, timeout_ms) <= 0)
		return 0;
	got = read(STDIN_FILENO, &ch, 1);
	return got == 1 ? 1 : -1;
}

static void rotator_progress(void *ctx, const struct store_rotation *r)
{
	(void)ctx;
	printf("batch %u %d %" PRIu64 " %" PRIu64 " %" PRIu64 "\n", (unsigned)r->cls, r->active,
	       r->done, r->total, now_ns());
	fflush(stdout);
}

static void rotator_damaged(void *ctx, enum key_class c, const struct store_fault *msg)
{
	(void)ctx;
	(void)msg;
	printf("damaged %u\n", (unsigned)c);
	fflush(stdout);
}

/* bench --child reader|writer|rotator CONF PATH WORK INTERVAL_MS COUNT BASE
 *   reader: show and lookup-id on the samples, from offset BASE, until stopped;
 *           then "reads N ERRORS"
 *   writer: a durable save of the phone of the samples in turn, one every
 *           INTERVAL_MS (0: back to back), COUNT of them (0: until stopped);
 *           one line "save ID J NS RC" each, J numbering the phones
 *   rotator: (mappe) store_rotate_classes over every class, as mappe keys
 *           rotate; "batch CLASS ACTIVE DONE TOTAL NS" after each batch, then
 *           "rotated RC NS" */
static int child_main(int argc, char **argv)
{
	struct work w;
	struct conn c;
	unsigned long conf, interval, count, base;
	bool reader, rotator;

	if (argc != 9)
		die("--child: bad arguments");
	reader = strcmp(argv[2], "reader") == 0;
	rotator = strcmp(argv[2], "rotator") == 0;
	conf = strtoul(argv[3], NULL, 10);
	interval = strtoul(argv[6], NULL, 10);
	count = strtoul(argv[7], NULL, 10);
	base = strtoul(argv[8], NULL, 10);
	if ((!reader && !rotator && strcmp(argv[2], "writer") != 0) || conf >= NCONF ||
	    (rotator && conf != C_MAPPE))
		die("--child: bad arguments");
	if (keys_init() != KEYS_OK || sodium_init() < 0)
		die("libsodium does not start");
	work_read(argv[5], &w);
	conn_open(&c, (int)conf, argv[4], w.n);
	printf("ready\n");
	fflush(stdout);
	if (order(-1) != 1)
		return 0; /* the parent gave up */

	if (rotator) {
		/* One line per batch, flushed, so that the parent sees how far
		 * it got if it has to stop us. */
		uint64_t t0 = now_ns();
		int rc = store_rotate_classes(c.st, (1u << KC_COUNT) - 1, ROTATE_BATCH,
		                              rotator_progress, rotator_damaged, NULL);
		printf("rotated %d %" PRIu64 "\n", rc, now_ns() - t0);
		if (rc)
			fprintf(stderr, "bench: store_rotate_classes: %s\n", store_error(c.st));
	} else if (reader) {
		unsigned long long reads = 0, errors = 0;
		for (size_t k = base * (w.m / READERS);; k++) {
			size_t s = k % w.m;
			errors += !conn_show(&c, w.id[s]);
			errors += !conn_lookup(&c, w.nid[s], w.id[s]);
			reads += 2;
			if ((k & 15) == 0 && order(0) < 0)
				break;
		}
		printf("reads %llu %llu\n", reads, errors);
	} else {
		uint64_t next = now_ns();
		for (size_t j = 0; count == 0 || j < count; j++) {
			size_t s = j % w.m, plen;
			char phone[32];
			uint64_t t0, t;
			int rc;

			if (interval) {
				uint64_t now = now_ns();
				int wait = next > now ? (int)((next - now + 999999) / 1000000) : 0;
				if (order(wait) < 0)
					break;
				next = (next > now ? next : now) + interval * 1000000ull;
			} else if (count == 0 && order(0) < 0) {
				break;
			}
			phone_of((unsigned)base, j, phone, sizeof phone, &plen);
			t0 = now_ns();
			rc = conn_save(&c, w.id[s], phone, plen);
			t = now_ns() - t0;
			printf("save %" PRIu64 " %zu %" PRIu64 " %d\n", w.id[s], j, t, rc);
		}
		if (c.reconnects)
			printf("reconnects %zu\n", c.reconnects);
	}
	fflush(stdout);
	conn_close(&c);
	free(w.id);
	free(w.nid);
	return ferror(stdout) ? 2 : 0;
}

/* The parent's side of a child. */
struct child;
static void child_stop(struct child *ch);

struct child {
	pid_t pid;
	int ctl; /* its stdin */
	int out; /* its stdout */
	char buf[4096];
	size_t have;
};

static void child_start(struct child *ch, const char *kind, int conf, const char *path,
                        unsigned interval_ms, size_t count, unsigned base)
{
	int in[2], out[2];
	char a_conf[16], a_int[16], a_count[32], a_base[16];

	snprintf(a_conf, sizeof a_conf, "%d", conf);
	snprintf(a_int, sizeof a_int, "%u", interval_ms);
	snprintf(a_count, sizeof a_count, "%zu", count);
	snprintf(a_base, sizeof a_base, "%u", base);
	if (pipe2(in, O_CLOEXEC) != 0 || pipe2(out, O_CLOEXEC) != 0)
		die("pipe: %s", strerror(errno));
	fflush(NULL);
	ch->pid = fork();
	if (ch->pid < 0)
		die("fork: %s", strerror(errno));
	if (ch->pid == 0) {
		/* Nothing of the parent's stores may reach the child. */
		if (dup2(in[0], STDIN_FILENO) < 0 || dup2(out[1], STDOUT_FILENO) < 0)
			_exit(127);
		close_range(3, UINT_MAX, 0);
		execl("/proc/self/exe", "bench", "--child", kind, a_conf, path, g_work, a_int,
		      a_count, a_base, (char *)NULL);
		_exit(127);
	}
	close(in[0]);
	close(out[1]);
	ch->ctl = in[1];
	ch->out = out[0];
	ch->have = 0;
}

/* The child's next line (without the newline) into line: 1; 0 at its end;
 * -1 when deadline (CLOCK_MONOTONIC ns; 0 = none) passed first. */
static int child_line(struct child *ch, char *line, size_t cap, uint64_t deadline)
{
	for (;;) {
		char *nl = memchr(ch->buf, '\n', ch->have);
		struct pollfd p = {ch->out, POLLIN, 0};
		int timeout = -1;
		ssize_t got;

		if (nl) {
			size_t len = (size_t)(nl - ch->buf);
			snprintf(line, cap, "%.*s", (int)len, ch->buf);
			memmove(ch->buf, nl + 1, ch->have - len - 1);
			ch->have -= len + 1;
			return 1;
		}
		if (ch->have == sizeof ch->buf)
			die("a child's line is too long");
		if (deadline) {
			uint64_t now = now_ns();
			if (now >= deadline)
				return -1;
			timeout = (int)((deadline - now) / 1000000u) + 1;
		}
		if (poll(&p, 1, timeout) == 0)
			continue;
		got = read(ch->out, ch->buf + ch->have, sizeof ch->buf - ch->have);
		if (got < 0 && errno == EINTR)
			continue;
		if (got <= 0)
			return 0;
		ch->have += (size_t)got;
	}
}

static void child_ready(struct child *ch)
{
	char line[64];

	if (child_line(ch, line, sizeof line, 0) != 1 || strcmp(line, "ready") != 0)
		die("a child process did not start");
}

/* Reap it; false if it failed. */
static bool child_reap(struct child *ch)
{
	int status;

	close(ch->out);
	ch->out = -1;
	child_stop(ch);
	return waitpid(ch->pid, &status, 0) == ch->pid && WIFEXITED(status) &&
	       WEXITSTATUS(status) == 0;
}

static void child_go(struct child *ch)
{
	if (write(ch->ctl, "g", 1) != 1)
		die("a child is gone: %s", strerror(errno));
}

static void child_stop(struct child *ch)
{
	if (ch->ctl >= 0)
		close(ch->ctl);
	ch->ctl = -1;
}

/* What writers and savers report. */
struct saves {
	size_t n, cap, failed, reconnects;
	int fail_rc; /* the first failure's code */
	uint64_t *id, *ns;
	size_t *j;
	unsigned long long reads, read_errors;
};

/* Read the child's lines to its end, and reap it. */
static void child_finish(struct child *ch, struct saves *s)
{
	char line[256];

	while (child_line(ch, line, sizeof line, 0) == 1) {
		unsigned long long id, ns, r, e;
		size_t j;
		int rc;

		if (sscanf(line, "save %llu %zu %llu %d", &id, &j, &ns, &rc) == 4) {
			if (s->n == s->cap) {
				s->cap = s->cap ? 2 * s->cap : 256;
				s->id = xrealloc(s->id, s->cap * sizeof *s->id);
				s->ns = xrealloc(s->ns, s->cap * sizeof *s->ns);
				s->j = xrealloc(s->j, s->cap * sizeof *s->j);
			}
			s->id[s->n] = id;
			s->ns[s->n] = ns;
			s->j[s->n] = rc == 0 ? j : SIZE_MAX;
			if (rc && !s->failed++)
				s->fail_rc = rc;
			s->n++;
		} else if (sscanf(line, "reads %llu %llu", &r, &e) == 2) {
			s->reads += r;
			s->read_errors += e;
		} else if (sscanf(line, "reconnects %zu", &j) == 1) {
			s->reconnects += j;
		}
	}
	if (!child_reap(ch))
		die("a child process failed");
}

static void saves_free(struct saves *s)
{
	free(s->id);
	free(s->ns);
	free(s->j);
	memset(s, 0, sizeof *s);
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
	if (t_store_create(dir, ADMIN, PASS, strlen(PASS), NULL, err, sizeof err) != M_OK)
		die("store_create: %s", err);
	r->argon_create_ms = (double)(now_ns() - t0) / 1e6;
	for (int i = 0; i < KDF_REPS; i++) {
		store *st;
		if (t_store_open(dir, NULL, &st, err, sizeof err) != M_OK)
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

enum row_kind { K_TIME, K_RATE, K_BYTES, K_COUNT, K_PCT };

enum {
	R_OPEN,
	R_OPEN_FULL,
	R_RSS,
	R_RSS_SEARCH,
	R_OPEN_NAMES,
	R_OPEN_ALLNEXT,
	R_DEADLINES,
	R_NIR,
	R_LEDGER,
	R_SEARCH50,
	R_SEARCH99,
	R_HITS,
	R_QFIRST,
	R_QFIRSTANY,
	R_QTOP5,
	R_QNEG,
	R_LOOKUP50,
	R_LOOKUP99,
	R_LOOKMEM50,
	R_LOOKMEM99,
	R_SHOW50,
	R_SHOW99,
	R_AUDIT50,
	R_AUDIT99,
	R_IMPORT,
	R_EXPORT,
	R_BACKUP,
	R_UPDATE50,
	R_UPDATE99,
	R_ROTATE,
	R_SAVEROT,
	R_CONC,
	R_SIZE,
	R_COUNT
};

struct row {
	char label[64];
	enum row_kind kind;
	double v[NCONF];
	char mark[NCONF]; /* '>': at least (stopped at a budget); '*': see the footnote */
};

static void fmt_num(char *out, size_t cap, double v, enum row_kind kind)
{
	if (isnan(v))
		snprintf(out, cap, "n/a");
	else if (kind == K_COUNT || kind == K_RATE)
		snprintf(out, cap, "%.0f", v);
	else if (kind == K_PCT)
		snprintf(out, cap, "%.1f", v);
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

	if (r->kind == K_COUNT || r->kind == K_PCT || isnan(m) || isnan(b) || m <= 0 || b <= 0) {
		snprintf(out, cap, "-");
		return;
	}
	x = r->kind == K_RATE ? b / m : m / b; /* cost: time per case for rates */
	/* '*': mappe's store is smaller than the baseline's (a cut import), so
	 * the ratio compares different sizes and says so. */
	snprintf(out, cap, x >= 10 ? "%s%.0fx%s" : "%s%.1fx%s", r->mark[C_MAPPE] == '>' ? ">" : "",
	         x, r->mark[C_MAPPE] == '*' ? "*" : "");
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
			char m[40];
			fmt_num(a, sizeof a, r->v[c], r->kind);
			if (r->mark[c] == '>')
				snprintf(m, sizeof m, ">%s", a);
			else if (r->mark[c])
				snprintf(m, sizeof m, "%s%c", a, r->mark[c]);
			else
				snprintf(m, sizeof m, "%s", a);
			fprintf(f, " %10s |", m);
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
	fputs("usage: bench [--cases N] [--ops N] [--dir DIR] [--import-seconds S]\n"
	      "             [--rotate-seconds S]\n"
	      "Measures mappe beside plain LMDB, SQLCipher and SQLite on the same synthetic\n"
	      "cases and prints one table. N cases (default 10000), ops timed operations per\n"
	      "workload (default 2000); the stores live in a new directory under DIR\n"
	      "(default /tmp), removed at the end. mappe's import stops after S seconds and\n"
	      "its rotation after S seconds (0, the default: no limit); the output says so\n"
	      "when either was cut.\n",
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
	char checks[24][256];
	int nchecks;
	char notes[32][320]; /* what the multi-process workloads saw */
	int nnotes;
	char scaled[8][400]; /* what was cut down for a large run */
	int nscaled;
	size_t conc_writes;  /* saves by the concurrent writer */
	size_t n_mappe;      /* cases in mappe's store: fewer than n if its import was cut */
	size_t search_names; /* family names typed in search */
	char quality[1024];  /* what the name pairs measured, for the report */
	double import_budget, rotate_budget; /* seconds; 0 = none */
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

__attribute__((format(printf, 2, 3))) static void scaled(struct bench *b, const char *fmt, ...)
{
	va_list ap;

	if (b->nscaled == (int)(sizeof b->scaled / sizeof b->scaled[0]))
		die("internal error: too many scaled notes");
	va_start(ap, fmt);
	vsnprintf(b->scaled[b->nscaled++], sizeof b->scaled[0], fmt, ap);
	va_end(ap);
}

static void label(struct bench *b, int r, enum row_kind kind, const char *text)
{
	snprintf(b->rows[r].label, sizeof b->rows[r].label, "%s", text);
	b->rows[r].kind = kind;
}

static void write_work(struct bench *b);

/* The cases lookup-id, show, update and the other processes work on: the
 * same in every configuration, from the first `range` cases. */
static void draw_samples(struct bench *b, size_t range)
{
	struct rng r = {SEED * 104729u};

	for (size_t k = 0; k < b->ops; k++)
		b->sample[k] = rng_below(&r, range);
	write_work(b);
}

static void bench_setup(struct bench *b)
{
	uint64_t t0;

	snprintf(b->p_mappe, sizeof b->p_mappe, "%s/mappe", g_root);
	snprintf(b->p_lmdb, sizeof b->p_lmdb, "%s/lmdb", g_root);
	snprintf(b->p_cipher, sizeof b->p_cipher, "%s/sqlcipher.db", g_root);
	snprintf(b->p_lite, sizeof b->p_lite, "%s/sqlite.db", g_root);

	/* A raw 256-bit key for SQLCipher: no PBKDF2 in the table; and the
	 * one PRAGMA rekey will change it to. */
	{
		uint8_t k[32];
		randombytes_buf(k, sizeof k);
		sodium_bin2hex(g_keyhex, sizeof g_keyhex, k, sizeof k);
		randombytes_buf(k, sizeof k);
		sodium_bin2hex(g_newkeyhex, sizeof g_newkeyhex, k, sizeof k);
		key_pragma(g_rawkey, sizeof g_rawkey, "key", g_keyhex);
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
	draw_samples(b, b->n);
	b->conc_writes = b->ops / 4 ? b->ops / 4 : 1;
	/* The same names at any size: a p99 is of a thousand keystrokes or
	 * more, not the second slowest of a few dozen (20 names at a million
	 * cases were 142 keystrokes). The baselines' scans then take about
	 * 15 s each at a million. */
	b->search_names = SEARCH_NAMES;

	label(b, R_OPEN, K_TIME, "open, ms");
	label(b, R_OPEN_FULL, K_TIME, "open, whole list read, ms");
	label(b, R_RSS, K_BYTES, "session RSS, MiB");
	label(b, R_RSS_SEARCH, K_BYTES, "session RSS after a search, MiB");
	label(b, R_OPEN_NAMES, K_TIME, "open without next deadline, ms");
	label(b, R_OPEN_ALLNEXT, K_TIME, "open, every next deadline, ms");
	label(b, R_DEADLINES, K_TIME, "deadlines of all cases, ms");
	label(b, R_NIR, K_TIME, "report nir, ms");
	label(b, R_LEDGER, K_TIME, "report ledger, ms");
	label(b, R_SEARCH50, K_TIME, "search p50, us/keystroke");
	label(b, R_SEARCH99, K_TIME, "search p99, us/keystroke");
	label(b, R_HITS, K_COUNT, "search hits, all keystrokes");
	label(b, R_QFIRST, K_PCT, "search right first, %");
	label(b, R_QFIRSTANY, K_PCT, "search right first, namesakes in any script, %");
	label(b, R_QTOP5, K_PCT, "search top 5, %");
	label(b, R_QNEG, K_PCT, "search negatives returned, %");
	label(b, R_LOOKUP50, K_TIME, "lookup-id p50, us");
	label(b, R_LOOKUP99, K_TIME, "lookup-id p99, us");
	label(b, R_LOOKMEM50, K_TIME, "lookup-id in session p50, us");
	label(b, R_LOOKMEM99, K_TIME, "lookup-id in session p99, us");
	label(b, R_SHOW50, K_TIME, "show p50, us");
	label(b, R_SHOW99, K_TIME, "show p99, us");
	label(b, R_AUDIT50, K_TIME, "show + access logged p50, us");
	label(b, R_AUDIT99, K_TIME, "show + access logged p99, us");
	label(b, R_IMPORT, K_RATE, "import, cases/s");
	label(b, R_EXPORT, K_RATE, "export csv, cases/s");
	label(b, R_BACKUP, K_TIME, "backup (compacting copy), s");
	label(b, R_UPDATE50, K_TIME, "update p50, ms");
	label(b, R_UPDATE99, K_TIME, "update p99, ms");
	label(b, R_ROTATE, K_TIME, "rotate all classes, s");
	label(b, R_SAVEROT, K_TIME, "save p99 during rotate, ms");
	label(b, R_CONC, K_TIME, "concurrent writer p99, ms");
	label(b, R_SIZE, K_BYTES, "size after import, MiB");
}

/* import: CHUNK cases per transaction, then the bytes on disk. */
static void run_import(struct bench *b)
{
	size_t cap = max_chunk_len(&b->d) + 1, n = b->n;
	char *buf = xmalloc(cap);
	char path[4300];

	b->n_mappe = n;
	for (int conf = 0; conf < NCONF; conf++) {
		uint64_t total = 0;
		size_t done = n;

		progress("import: %s", conf_name[conf]);
		for (size_t first = 0; first < n; first += CHUNK) {
			size_t m = first + CHUNK < n ? CHUNK : n - first;
			size_t len = chunk_text(&b->d, first, m, buf);
			uint64_t *ids = NULL, t0;
			size_t nids = 0;
			int rc = M_OK;

			t0 = now_ns();
			if (conf == C_MAPPE)
				rc = store_import(b->st, "bench.csv", buf, len, IMPORT_CSV, false,
				                  &ids, &nids);
			else if (conf == C_LMDB)
				plain_import(&b->pl, buf, len);
			else
				sql_import(sql_of(b, conf), buf, len, first);
			total += now_ns() - t0;
			if (conf == C_MAPPE) {
				if (rc != M_OK)
					die("store_import: %s", store_error(b->st));
				if (nids != m)
					die("store_import: %zu cases instead of %zu", nids, m);
				for (size_t j = 0; j < m; j++)
					if (ids[j] != first + j + 1)
						die("store_import: unexpected case id");
				free(ids);
				if (b->import_budget && (double)total / 1e9 > b->import_budget &&
				    first + m < n) {
					done = first + m;
					break;
				}
			}
		}
		b->rows[R_IMPORT].v[conf] = (double)done / ((double)total / 1e9);
		if (conf == C_MAPPE)
			b->n_mappe = done;
	}
	free(buf);
	if (b->n_mappe < n) {
		/* Every row of mappe's column is then at n_mappe cases, and the
		 * samples come from them, for every configuration alike. */
		for (int r = 0; r < R_COUNT; r++)
			b->rows[r].mark[C_MAPPE] = '*';
		draw_samples(b, b->n_mappe);
		scaled(b,
		       "import: mappe's import stopped at its budget (BENCH_IMPORT_SECONDS=%g) "
		       "after %zu of %zu cases; * = mappe's store holds %zu cases, the others %zu "
		       "(so its ratios compare stores of different sizes); samples come from the "
		       "first %zu",
		       b->import_budget, b->n_mappe, n, b->n_mappe, n, b->n_mappe);
	}

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

__attribute__((format(printf, 2, 3))) static void note(struct bench *b, const char *fmt, ...);

/* open: from unlocked keys to the case list in memory. */
static void run_open(struct bench *b)
{
	uint64_t t[NCONF][OPEN_REPS], full[OPEN_REPS], t0;
	size_t listed[NCONF] = {0};
	bool all = true;

	progress("open: %d rounds", OPEN_REPS);
	for (int rep = 0; rep < OPEN_REPS; rep++) {
		for (int conf = 0; conf < NCONF; conf++) {
			if (conf == C_MAPPE) {
				/* As the terminal UI opens: the list usable after
				 * the first batch, the rest read between keys. */
				search_index *x;
				search_index_free(b->ix);
				b->ix = NULL;
				t0 = now_ns();
				if (search_index_open(b->st, &x) != M_OK)
					die("search_index_open: %s", store_error(b->st));
				t[conf][rep] = now_ns() - t0;
				while (!search_index_complete(x))
					if (search_index_load_more(b->st, x, 16) != M_OK)
						die("search_index_load_more: %s", store_error(b->st));
				full[rep] = now_ns() - t0;
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
		b->rows[R_OPEN_FULL].v[conf] = NAN;
		all &= listed[conf] == (conf == C_MAPPE ? b->n_mappe : b->n);
	}
	b->rows[R_OPEN_FULL].v[C_MAPPE] = pct(full, OPEN_REPS, 0.5) / 1e6;
	note(b,
	     "open: medians of %d; mappe's: the list usable (search_index_open, the first 512 "
	     "cases), the others' the whole list; mappe reads the rest between keys, whole "
	     "list read %.0f ms",
	     OPEN_REPS, b->rows[R_OPEN_FULL].v[C_MAPPE]);
	check(b, all,
	      "open: %zu/%zu/%zu/%zu cases listed of %zu/%zu/%zu/%zu (mappe/LMDB/SQLCipher/SQLite)",
	      listed[0], listed[1], listed[2], listed[3], b->n_mappe, b->n, b->n, b->n);
}

/* A kB line of /proc/PID/status ("VmRSS:"), in MiB; NAN if absent. */
static double status_mib(pid_t pid, const char *key)
{
	char path[64], line[256];
	double v = NAN;
	size_t kl = strlen(key);
	FILE *f;

	snprintf(path, sizeof path, "/proc/%d/status", (int)pid);
	if (!(f = fopen(path, "re")))
		return NAN;
	while (fgets(line, sizeof line, f))
		if (strncmp(line, key, kl) == 0) {
			v = strtod(line + kl, NULL) / 1024.0;
			break;
		}
	fclose(f);
	return v;
}

/* utime + stime of pid, in clock ticks. */
static unsigned long long cpu_ticks(pid_t pid)
{
	char path[64], buf[1024];
	unsigned long long u = 0, s = 0;
	FILE *f;
	char *p;

	snprintf(path, sizeof path, "/proc/%d/stat", (int)pid);
	if (!(f = fopen(path, "re")))
		return 0;
	if (!fgets(buf, sizeof buf, f))
		buf[0] = 0;
	fclose(f);
	/* After the command's ")": state, then 10 fields, utime, stime. */
	if ((p = strrchr(buf, ')')) &&
	    sscanf(p + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %llu %llu", &u, &s) != 2)
		u = s = 0;
	return u + s;
}

/* session RSS: a real terminal UI session of build/mappe on a pty at 80x24,
 * unlocked on the bench store, on the case list with every case read (its
 * CPU idle for a second): its resident memory, and how much of it is
 * shared (file pages: the binary, libraries, LMDB's map; shmem). */
/* Drain the screen; true when the session's CPU time stood still for a
 * second (what it was doing done, the loop waiting for a key), false after
 * 10 minutes. */
static bool settle(int master, pid_t pid)
{
	uint64_t start = now_ns(), still_since = now_ns();
	unsigned long long last = ~0ull;

	while (now_ns() - start < 600ull * 1000000000ull) {
		struct pollfd p = {master, POLLIN, 0};
		char buf[4096];
		if (poll(&p, 1, 100) > 0 && read(master, buf, sizeof buf) <= 0)
			return false;
		unsigned long long t = cpu_ticks(pid);
		if (t != last) {
			last = t;
			still_since = now_ns();
		} else if (now_ns() - still_since > 1000000000ull && now_ns() - start > 2000000000ull) {
			return true;
		}
	}
	return false;
}

static void run_session_rss(struct bench *b)
{
	char exe[PATH_MAX], bin[PATH_MAX + 16], *slash;
	struct winsize ws = {.ws_row = 24, .ws_col = 80};
	ssize_t len = readlink("/proc/self/exe", exe, sizeof exe - 1);
	int fds[2], master;
	pid_t pid;

	for (int conf = 0; conf < NCONF; conf++)
		b->rows[R_RSS].v[conf] = b->rows[R_RSS_SEARCH].v[conf] = NAN;
	if (len <= 0)
		return;
	exe[len] = 0;
	/* build/bench/bench: build/mappe */
	for (int i = 0; i < 2 && (slash = strrchr(exe, '/')); i++)
		*slash = 0;
	snprintf(bin, sizeof bin, "%s/mappe", exe);
	if (access(bin, X_OK) != 0) {
		note(b, "session RSS: not measured (no %s)", bin);
		return;
	}
	progress("session RSS: mappe on a pty");
	if (pipe(fds))
		die("pipe: %s", strerror(errno));
	pid = forkpty(&master, NULL, NULL, &ws);
	if (pid < 0)
		die("forkpty: %s", strerror(errno));
	if (pid == 0) {
		close(fds[1]);
		if (fds[0] != 3) {
			dup2(fds[0], 3);
			close(fds[0]);
		}
		setenv("TERM", "xterm-256color", 1);
		setenv("LC_ALL", "C.UTF-8", 1);
		unsetenv("MAPPE_PRIVACY");
		execl(bin, bin, "--db", b->p_mappe, "--user", ADMIN, "--passphrase-fd", "3", "tui",
		      (char *)NULL);
		_exit(127);
	}
	close(fds[0]);
	if (write(fds[1], PASS "\n", strlen(PASS) + 1) < 0)
		die("write: %s", strerror(errno));
	close(fds[1]);
	bool idle = settle(master, pid);
	double rss = status_mib(pid, "VmRSS:"), anon = status_mib(pid, "RssAnon:"),
	       file = status_mib(pid, "RssFile:"), shm = status_mib(pid, "RssShmem:"),
	       lck = status_mib(pid, "VmLck:"), rss2 = NAN, lck2 = NAN;
	/* Then a name searched: the word index built (at the first search). */
	if (idle && write(master, "/ol", 3) == 3 && settle(master, pid)) {
		rss2 = status_mib(pid, "VmRSS:");
		lck2 = status_mib(pid, "VmLck:");
	}
	if (write(master, "\033q", 2) < 0)
		(void)0;
	for (int i = 0; i < 50 && waitpid(pid, NULL, WNOHANG) == 0; i++)
		usleep(100000);
	if (waitpid(pid, NULL, WNOHANG) == 0) {
		kill(pid, SIGKILL);
		waitpid(pid, NULL, 0);
	}
	close(master);
	if (!idle) {
		note(b, "session RSS: not measured (the session did not settle)");
		return;
	}
	b->rows[R_RSS].v[C_MAPPE] = rss;
	b->rows[R_RSS_SEARCH].v[C_MAPPE] = rss2;
	if (!isnan(rss2))
		note(b, "session RSS after a search: /ol typed, the word index built: %.1f MiB (%.1f locked)",
		     rss2, lck2);
	note(b,
	     "session RSS: mappe's TUI on a pty, on the list with every case read: %.1f MiB, "
	     "of it %.1f private (anonymous; %.1f locked), %.1f shared (file %.1f: the binary, "
	     "libraries, LMDB's map; shmem %.1f)",
	     rss, anon, lck, file + shm, file, shm);
}

static int count_deadlines(void *ctx, const struct case_rec *c, const struct deadline *d,
                           size_t n)
{
	(void)c;
	(void)d;
	*(size_t *)ctx += n;
	return 0;
}

/* mappe alone: the case list without its next-deadline column (the index
 * as mappe find loads it), and every case's deadlines (mappe report
 * deadlines --all); each must agree with the index's next deadlines. */
static void run_open_deadlines(struct bench *b)
{
	uint64_t tn[OPEN_REPS], ta[OPEN_REPS], td[OPEN_REPS], t0;
	size_t listed = 0, found = 0, with_next = 0;

	progress("open without next deadline, deadlines: %d rounds", OPEN_REPS);
	for (int rep = 0; rep < OPEN_REPS; rep++) {
		search_index *x;
		t0 = now_ns();
		if (search_index_load_names(b->st, &x) != M_OK)
			die("search_index_load_names: %s", store_error(b->st));
		tn[rep] = now_ns() - t0;
		listed = search_index_size(x);
		search_index_free(x);
		t0 = now_ns();
		if (search_index_load(b->st, &x) != M_OK ||
		    search_index_next(b->st, x, NULL, 0) != M_OK)
			die("search_index_next: %s", store_error(b->st));
		ta[rep] = now_ns() - t0;
		with_next = 0;
		for (size_t i = 0; i < search_index_size(x); i++) {
			struct search_row r;
			search_index_row(x, i, &r);
			with_next += r.has_next;
		}
		search_index_free(x);
		found = 0;
		t0 = now_ns();
		if (store_deadlines(b->st, true, count_deadlines, &found) != M_OK)
			die("store_deadlines: %s", store_error(b->st));
		td[rep] = now_ns() - t0;
	}
	for (int conf = 0; conf < NCONF; conf++)
		b->rows[R_OPEN_NAMES].v[conf] = b->rows[R_OPEN_ALLNEXT].v[conf] =
		    b->rows[R_DEADLINES].v[conf] = NAN;
	b->rows[R_OPEN_NAMES].v[C_MAPPE] = pct(tn, OPEN_REPS, 0.5) / 1e6;
	b->rows[R_OPEN_ALLNEXT].v[C_MAPPE] = pct(ta, OPEN_REPS, 0.5) / 1e6;
	b->rows[R_DEADLINES].v[C_MAPPE] = pct(td, OPEN_REPS, 0.5) / 1e6;
	check(b, listed == b->n_mappe && (found > 0) == (with_next > 0) && with_next <= found,
	      "open without next deadline: %zu cases listed of %zu; deadlines: %zu not met, %zu "
	      "cases with a next one in the index",
	      listed, b->n_mappe, found, with_next);
}

static int count_nir(void *ctx, const struct case_rec *c, const struct nir_pending *p, size_t n)
{
	(void)c;
	(void)p;
	*(size_t *)ctx += n;
	return 0;
}

/* mappe alone: every case's registrable events not registered in NIR, as
 * mappe report nir reads them (the programme and identity classes). The
 * count must be the CSV's: an event's date after nir_registered, or any
 * when it is empty (the CSV has no lists, so the date fields alone). */
static void run_report_nir(struct bench *b)
{
	static const enum field_id events[] = {
#define X(id, field, list, item, nb, en) field,
	    NIR_EVENTS(X)
#undef X
	};
	const struct dataset *d = &b->d;
	uint64_t t[OPEN_REPS], t0;
	size_t found = 0, want = 0, len;
	int c_nir = col_of(d, F_nir_registered);

	for (size_t i = 0; i < b->n_mappe; i++) {
		const char *nir = dval(d, i, c_nir, &len);
		bool none = len == 0;
		for (size_t e = 0; e < sizeof events / sizeof *events; e++) {
			if (events[e] == F_COUNT)
				continue;
			const char *v = dval(d, i, col_of(d, events[e]), &len);
			want += len && (none || strcmp(v, nir) > 0);
		}
	}
	progress("report nir: %d rounds", OPEN_REPS);
	for (int rep = 0; rep < OPEN_REPS; rep++) {
		found = 0;
		t0 = now_ns();
		if (store_nir_pending(b->st, count_nir, &found, NULL) != M_OK)
			die("store_nir_pending: %s", store_error(b->st));
		t[rep] = now_ns() - t0;
	}
	for (int conf = 0; conf < NCONF; conf++)
		b->rows[R_NIR].v[conf] = NAN;
	b->rows[R_NIR].v[C_MAPPE] = pct(t, OPEN_REPS, 0.5) / 1e6;
	check(b, found == want && found > 0,
	      "report nir: %zu events not registered, the CSV has %zu", found, want);
}

/* report ledger (mappe only): store_ledger of synth_write's year (its
 * dates end on 2024-12-31), as mappe report ledger, which reads every case
 * and decrypts its identity and programme classes. Checked against the
 * input: the family reunified and the people in the programme exactly;
 * the settled no more than those settled by agreement in the year (the
 * children born after their household's settlement are not counted). */
static bool is_value(const struct dataset *d, size_t i, int c, const char *v)
{
	size_t len;
	const char *s = dval(d, i, c, &len);
	return len == strlen(v) && memcmp(s, v, len) == 0;
}

static void run_ledger(struct bench *b)
{
	const struct dataset *d = &b->d;
	uint64_t t[OPEN_REPS], t0;
	struct ledger l = {0};
	long settled_max = 0, fr = 0, in_prog = 0, settled = -1;
	int c_sba = col_of(d, F_settled_by_agreement), c_fr = col_of(d, F_family_reunification),
	    c_sd = col_of(d, F_settlement_date);

	progress("report ledger: %d rounds", OPEN_REPS);
	for (int rep = 0; rep < OPEN_REPS; rep++) {
		t0 = now_ns();
		if (store_ledger(b->st, 2024, &l) != M_OK)
			die("store_ledger: %s", store_error(b->st));
		t[rep] = now_ns() - t0;
		if (rep + 1 < OPEN_REPS)
			ledger_free(&l);
	}
	for (size_t i = 0; i < b->n_mappe; i++) {
		size_t len;
		const char *sd = dval(d, i, c_sd, &len);
		bool year = len == 10 && memcmp(sd, "2024-", 5) == 0;
		if (year && is_value(d, i, c_fr, "true"))
			fr++;
		else if (year && is_value(d, i, c_sba, "true"))
			settled_max++;
		in_prog += is_value(d, i, d->c_status, "in_programme") ||
		           is_value(d, i, d->c_status, "on_leave") ||
		           is_value(d, i, d->c_status, "stopped");
	}
	settled = l.settled;
	for (int conf = 0; conf < NCONF; conf++)
		b->rows[R_LEDGER].v[conf] = NAN;
	b->rows[R_LEDGER].v[C_MAPPE] = pct(t, OPEN_REPS, 0.5) / 1e6;
	check(b, settled > 0 && settled <= settled_max && l.family_reunification == fr &&
	             l.in_programme == in_prog && l.unreadable == 0,
	      "report ledger 2024: %ld settled (at most %ld by agreement), %ld of %ld reunified, "
	      "%ld of %ld in the programme, %zu unreadable",
	      settled, settled_max, l.family_reunification, fr, l.in_programme, in_prog,
	      l.unreadable);
	ledger_free(&l);
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

	for (unsigned s = 0; s < b->search_names; s++) {
		size_t i = rng_below(&r, b->n_mappe), len;
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
	      "search: %zu keystrokes over %zu names; LMDB, SQLCipher and SQLite hit counts equal "
	      "on %zu/%zu",
	      nks, b->search_names, same, nks);
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

	/* In a session: the numbers the index decrypted with the names, from
	 * its memory (the load is open's, not timed here). The first look-up
	 * sorts the rows by number: timed, in the p99. */
	{
		search_index *ix = NULL;
		size_t hit = 0;

		progress("lookup-id in session: mappe");
		if (search_index_load_names(b->st, &ix) != M_OK)
			die("search_index_load_names: %s", store_error(b->st));
		for (size_t k = 0; k < b->ops; k++) {
			size_t len, ng = 0;
			const char *nid = dval(d, b->sample[k], d->c_nid, &len);
			uint64_t *ids = NULL, t0 = now_ns();
			if (search_index_national_id(b->st, ix, nid, &ids, &ng) != M_OK)
				die("search_index_national_id: %s", store_error(b->st));
			b->t[k] = now_ns() - t0;
			hit += ng == 1 && ids[0] == b->sample[k] + 1;
			free(ids);
		}
		search_index_free(ix);
		for (int conf = 0; conf < NCONF; conf++)
			b->rows[R_LOOKMEM50].v[conf] = b->rows[R_LOOKMEM99].v[conf] = NAN;
		b->rows[R_LOOKMEM50].v[C_MAPPE] = pct(b->t, b->ops, 0.5) / 1e3;
		b->rows[R_LOOKMEM99].v[C_MAPPE] = pct(b->t, b->ops, 0.99) / 1e3;
		check(b, hit == b->ops,
		      "lookup-id in session: exactly the right case on %zu of %zu lookups", hit,
		      b->ops);
	}
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

/* The baselines' access log: what an application on plain LMDB or SQLite
 * would write for the same read, one durable commit each (mappe's entry is
 * sealed, chained and committed in its own write transaction too). */
static void log_access(struct bench *b, int conf, uint64_t id, uint64_t seq)
{
	char rec[96];
	int n = snprintf(rec, sizeof rec, "%lld caseworker %llu open case screen",
	                 (long long)time(NULL), (unsigned long long)id);

	if (conf == C_LMDB) {
		MDB_txn *txn;
		uint8_t k[12] = {'a', 'c', 'c', 0};
		MDB_val key = {sizeof k, k}, val = {(size_t)n, rec};

		be64(k + 4, seq);
		mdb_check(mdb_txn_begin(b->pl.env, NULL, 0, &txn), "begin");
		mdb_check(mdb_put(txn, b->pl.meta, &key, &val, 0), "access log");
		mdb_check(mdb_txn_commit(txn), "commit");
		return;
	}
	struct sql *q = sql_of(b, conf);
	sqlite3_stmt *s;
	if (sqlite3_prepare_v2(q->db, "INSERT INTO access_log VALUES (?, ?)", -1, &s, NULL) !=
	    SQLITE_OK)
		die("SQLite access log: %s", sqlite3_errmsg(q->db));
	sqlite3_bind_int64(s, 1, (sqlite3_int64)seq);
	sqlite3_bind_text(s, 2, rec, n, SQLITE_STATIC);
	if (sqlite3_step(s) != SQLITE_DONE)
		die("SQLite access log: %s", sqlite3_errmsg(q->db));
	sqlite3_finalize(s);
}

__attribute__((format(printf, 2, 3))) static void note(struct bench *b, const char *fmt, ...);

/* show with its access logged: what a caseworker's open costs (issue 12). */
static void run_show_audited(struct bench *b)
{
	size_t ok[NCONF] = {0};
	struct view w = {.cap = 64 * 1024};

	w.mem = xmalloc(w.cap);
	for (int conf = C_SQLCIPHER; conf < NCONF; conf++)
		sql_exec(sql_of(b, conf)->db,
		         "CREATE TABLE IF NOT EXISTS access_log (seq INTEGER PRIMARY KEY, rec TEXT)");
	store_audit_purpose(b->st, "bench");
	for (int conf = 0; conf < NCONF; conf++) {
		progress("show + access log: %s", conf_name[conf]);
		for (size_t k = 0; k < b->ops; k++) {
			uint64_t id = b->sample[(k * 11 + 5) % b->ops] + 1, t0;
			struct case_rec c;
			bool found;

			case_init(&c);
			t0 = now_ns();
			found = read_case(b, conf, id, &w, &c);
			if (found && conf == C_MAPPE)
				found = store_audit(b->st, &(struct audit_event){.action = AUDIT_OPEN,
				                                                 .case_id = id}) == M_OK;
			else if (found)
				log_access(b, conf, id, k + 1);
			b->t[k] = now_ns() - t0;
			ok[conf] += found && view_matches(&b->d, id - 1, &w);
			case_clear(&c);
		}
		b->rows[R_AUDIT50].v[conf] = pct(b->t, b->ops, 0.5) / 1e3;
		b->rows[R_AUDIT99].v[conf] = pct(b->t, b->ops, 0.99) / 1e3;
	}
	free(w.mem);
	/* 40 caseworkers opening a case every 30 s: 4/3 entries a second, each
	 * holding the write lock for about its median. */
	note(b,
	     "access log at 40 caseworkers opening a case every 30 s: %.2f%% of the write lock's "
	     "time; an open waits at most one other's entry (p99 %.2f ms)",
	     40.0 / 30.0 * b->rows[R_AUDIT50].v[C_MAPPE] / 1e6 * 100.0,
	     b->rows[R_AUDIT99].v[C_MAPPE] / 1e3);
	check(b, ok[0] == b->ops && ok[1] == b->ops && ok[2] == b->ops && ok[3] == b->ops,
	      "show + access log: all %d fields on %zu/%zu/%zu/%zu of %zu reads, each logged",
	      b->d.ncol, ok[0], ok[1], ok[2], ok[3], b->ops);
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
				/* An empty value reads back as none (view_matches). */
				size_t wl = w.v[col] ? w.len[col] : 0;
				good = wl == len && (!len || memcmp(w.v[col], e, len) == 0);
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

/* The work file every child reads: the keys and the sampled cases. */
static void write_work(struct bench *b)
{
	FILE *f;

	snprintf(g_work, sizeof g_work, "%s/work", g_root);
	f = fopen(g_work, "w");
	if (!f)
		die("%s: %s", g_work, strerror(errno));
	fprintf(f, "cases %zu\nkey %s\nnewkey %s\nsamples %zu\n", b->n, g_keyhex, g_newkeyhex,
	        b->ops);
	for (size_t k = 0; k < b->ops; k++) {
		size_t len;
		const char *nid = dval(&b->d, b->sample[k], b->d.c_nid, &len);
		fprintf(f, "%zu %.*s\n", b->sample[k] + 1, (int)len, nid);
	}
	if (fclose(f) != 0)
		die("%s: %s", g_work, strerror(errno));
}

/* Every case a writer saved holds the phone of its last successful save,
 * read back by the parent's own handle. Returns how many do. */
static size_t saves_verify(struct bench *b, int conf, const struct saves *s, unsigned base,
                           size_t *cases)
{
	size_t *last = xmalloc(b->n * sizeof *last), ok = 0;
	struct view w = {.cap = 64 * 1024};

	w.mem = xmalloc(w.cap);
	*cases = 0;
	for (size_t i = 0; i < b->n; i++)
		last[i] = SIZE_MAX;
	for (size_t k = 0; k < s->n; k++)
		if (s->j[k] != SIZE_MAX && s->id[k] >= 1 && s->id[k] <= b->n)
			last[s->id[k] - 1] = s->j[k];
	for (size_t i = 0; i < b->n; i++) {
		char phone[32];
		size_t plen;
		struct case_rec c;

		if (last[i] == SIZE_MAX)
			continue;
		(*cases)++;
		phone_of(base, last[i], phone, sizeof phone, &plen);
		case_init(&c);
		if (read_case(b, conf, i + 1, &w, &c) && w.v[b->d.c_phone] &&
		    w.len[b->d.c_phone] == plen && memcmp(w.v[b->d.c_phone], phone, plen) == 0)
			ok++;
		case_clear(&c);
	}
	free(w.mem);
	free(last);
	return ok;
}

__attribute__((format(printf, 2, 3))) static void note(struct bench *b, const char *fmt, ...)
{
	va_list ap;

	if (b->nnotes == (int)(sizeof b->notes / sizeof b->notes[0]))
		die("internal error: too many notes");
	va_start(ap, fmt);
	vsnprintf(b->notes[b->nnotes++], sizeof b->notes[0], fmt, ap);
	va_end(ap);
}

/* p50, p99 and max of a writer's saves, in ms. */
static void saves_pct(const struct saves *s, double *p50, double *p99, double *max)
{
	uint64_t *t = xmalloc(s->n * sizeof *t);

	memcpy(t, s->ns, s->n * sizeof *t);
	*p50 = pct(t, s->n, 0.5) / 1e6;
	*p99 = pct(t, s->n, 0.99) / 1e6;
	*max = s->n ? (double)t[s->n - 1] / 1e6 : 0;
	free(t);
}

static const char *conf_path(const struct bench *b, int conf)
{
	return conf == C_MAPPE  ? b->p_mappe
	       : conf == C_LMDB ? b->p_lmdb
	                        : b->sq[conf - C_SQLCIPHER].path;
}

/* concurrent: READERS reader processes (show and lookup-id in a loop) and
 * one writer process (durable saves back to back); the writer's p99. */
static void run_concurrent(struct bench *b)
{
	size_t verified[NCONF] = {0}, cases[NCONF] = {0}, errors = 0, failed = 0;

	for (int conf = 0; conf < NCONF; conf++) {
		struct child rd[READERS], wr;
		struct saves s = {0}, r = {0};
		double p50, p99, max;
		uint64_t t0;

		progress("concurrent: %s, %d readers and a writer of %zu saves", conf_name[conf],
		         READERS, b->conc_writes);
		for (int i = 0; i < READERS; i++)
			child_start(&rd[i], "reader", conf, conf_path(b, conf), 0, 0, (unsigned)i);
		child_start(&wr, "writer", conf, conf_path(b, conf), 0, b->conc_writes,
		            PHONE_WRITER);
		for (int i = 0; i < READERS; i++)
			child_ready(&rd[i]);
		child_ready(&wr);
		for (int i = 0; i < READERS; i++)
			child_go(&rd[i]);
		t0 = now_ns();
		child_go(&wr);
		child_finish(&wr, &s);
		for (int i = 0; i < READERS; i++)
			child_stop(&rd[i]);
		for (int i = 0; i < READERS; i++)
			child_finish(&rd[i], &r);
		saves_pct(&s, &p50, &p99, &max);
		b->rows[R_CONC].v[conf] = p99;
		note(
		    b,
		    "concurrent %-9s writer: %zu saves in %.1f s, p50 %.2f, p99 %.2f, max %.1f ms; "
		    "readers: %.0f reads/s in all",
		    conf_name[conf], s.n, (double)(now_ns() - t0) / 1e9, p50, p99, max,
		    (double)r.reads / ((double)(now_ns() - t0) / 1e9));
		errors += r.read_errors;
		failed += s.failed;
		verified[conf] = saves_verify(b, conf, &s, PHONE_WRITER, &cases[conf]);
		saves_free(&s);
	}
	check(b, errors == 0 && failed == 0,
	      "concurrent: %zu wrong reads, %zu failed saves (all configurations)", errors, failed);
	check(b,
	      verified[0] == cases[0] && verified[1] == cases[1] && verified[2] == cases[2] &&
	          verified[3] == cases[3],
	      "concurrent: the writer's last phone on %zu/%zu/%zu/%zu of %zu/%zu/%zu/%zu cases "
	      "(mappe/LMDB/SQLCipher/SQLite)",
	      verified[0], verified[1], verified[2], verified[3], cases[0], cases[1], cases[2],
	      cases[3]);
}

/* What the rotator reported: per class, its first and last batch and how
 * far it got. */
struct rot_ctx {
	uint64_t start[KC_COUNT], end[KC_COUNT], done[KC_COUNT], total[KC_COUNT];
	unsigned seen, finished;
	size_t batches, damaged;
	int rc;
	bool ended; /* its "rotated" line came */
};

static void rot_line(struct rot_ctx *x, const char *line)
{
	unsigned cls;
	int active, rc;
	unsigned long long done, total, t;

	if (sscanf(line, "batch %u %d %llu %llu %llu", &cls, &active, &done, &total, &t) == 5 &&
	    cls < KC_COUNT) {
		if (!(x->seen & (1u << cls))) {
			x->seen |= 1u << cls;
			x->start[cls] = t;
		}
		x->end[cls] = t;
		x->done[cls] = done;
		/* The line after a class's last batch carries a total of 0. */
		if (total > x->total[cls])
			x->total[cls] = total;
		if (!active)
			x->finished |= 1u << cls;
		x->batches++;
	} else if (sscanf(line, "damaged %u", &cls) == 1) {
		x->damaged++;
	} else if (sscanf(line, "rotated %d %llu", &rc, &t) == 2) {
		x->rc = rc;
		x->ended = true;
	}
}

/* mappe: a rotator process runs store_rotate_classes over every class,
 * stopped (kill -9, which a rotation resumes from) if it outlasts the
 * budget. Returns its seconds. */
static double rotate_mappe(struct bench *b, struct rot_ctx *x, bool *cut)
{
	struct child rot;
	char line[256];
	uint64_t t0, deadline;
	int got;

	child_start(&rot, "rotator", C_MAPPE, b->p_mappe, 0, 0, 0);
	child_ready(&rot);
	t0 = now_ns();
	deadline = b->rotate_budget ? t0 + (uint64_t)(b->rotate_budget * 1e9) : 0;
	child_go(&rot);
	while ((got = child_line(&rot, line, sizeof line, deadline)) == 1)
		rot_line(x, line);
	*cut = got < 0;
	if (*cut) {
		kill(rot.pid, SIGKILL);
		close(rot.out);
		child_stop(&rot);
		waitpid(rot.pid, NULL, 0);
	} else if (!child_reap(&rot) || !x->ended || x->rc != M_OK) {
		die("the rotation failed (rc %d)", x->rc);
	}
	return (double)(now_ns() - t0) / 1e9;
}

/* rotate: mappe's online rotation of every class against SQLCipher's PRAGMA
 * rekey, each with a saver process (unlocked once, a durable save every
 * SAVE_EVERY_MS) running meanwhile. */
static void run_rotate(struct bench *b)
{
	size_t verified[2] = {0}, cases[2] = {0}, nsaves[2] = {0};
	struct rot_ctx x = {0};
	bool cut = false, newkey_ok = false;

	for (int k = 0; k < 2; k++) {
		int conf = k == 0 ? C_MAPPE : C_SQLCIPHER;
		struct child sv;
		struct saves s = {0};
		double p50, p99, max, secs;

		progress("rotate: %s, with a saver every %d ms", conf_name[conf], SAVE_EVERY_MS);
		child_start(&sv, "writer", conf, conf_path(b, conf), SAVE_EVERY_MS, 0, PHONE_SAVER);
		child_ready(&sv);
		child_go(&sv);
		if (conf == C_MAPPE) {
			secs = rotate_mappe(b, &x, &cut);
		} else {
			char pragma[128];
			uint64_t t0 = now_ns();
			/* sqlite3_rekey returns SQLITE_OK even when it could not
			 * begin its transaction (the saver's save holds the write
			 * lock for a moment), and then rekeys nothing: wait for
			 * the lock as the saver does. The check below proves it. */
			sqlite3_busy_timeout(b->sq[0].db, BUSY_MS);
			key_pragma(pragma, sizeof pragma, "rekey", g_newkeyhex);
			sql_exec(b->sq[0].db, pragma);
			secs = (double)(now_ns() - t0) / 1e9;
		}
		child_stop(&sv);
		child_finish(&sv, &s);
		saves_pct(&s, &p50, &p99, &max);
		b->rows[R_ROTATE].v[conf] = secs;
		b->rows[R_SAVEROT].v[conf] = p99;
		nsaves[k] = s.n;
		note(b,
		     "rotate %-9s %.1f s%s; saver: %zu saves, p50 %.2f, p99 %.2f, max %.1f ms, %zu "
		     "failed%s%s",
		     conf_name[conf], secs, conf == C_MAPPE && cut ? " (stopped: budget)" : "", s.n,
		     p50, p99, max, s.failed,
		     !s.failed ? ""
		     : conf == C_MAPPE && s.fail_rc == M_UNAVAILABLE
		         ? " (M_UNAVAILABLE: waited 10 s for the write lock)"
		         : " (see the child's stderr)",
		     s.reconnects ? "; its first save after the rekey reconnected with the new key"
		                  : "");
		verified[k] = saves_verify(b, conf, &s, PHONE_SAVER, &cases[k]);
		saves_free(&s);
	}
	if (cut)
		b->rows[R_ROTATE].mark[C_MAPPE] = '>';
	{
		char per[600] = "";
		size_t used = 0;
		uint64_t visited = 0, all = 0;
		for (unsigned c = 0; c < KC_COUNT; c++) {
			if (!(x.seen & (1u << c)))
				continue;
			visited += x.done[c];
			if (x.total[c] > all)
				all = x.total[c];
			used += (size_t)snprintf(
			    per + used, used < sizeof per ? sizeof per - used : 0, "%s%s %.1f%s",
			    used ? ", " : "", keys_class_name((enum key_class)c),
			    (double)(x.end[c] - x.start[c]) / 1e9,
			    x.finished & (1u << c) ? "" : " (unfinished)");
		}
		note(b,
		     "rotate mappe per class (s, first to last batch of the one pass): %s; %zu "
		     "progress reports (one per class and batch; batches %s)",
		     per, x.batches, ROTATE_BATCH ? "of a fixed size" : "sized by time");
		if (cut && visited)
			scaled(b,
			       "rotate: mappe's rotation stopped at its budget "
			       "(BENCH_ROTATE_SECONDS=%g)"
			       " after %" PRIu64 " case passes of %u x %" PRIu64
			       " (the per-class line above says how far); if every pass cost "
			       "the same, all would take ~%.0f s (a crude guess: empty classes "
			       "pass faster)",
			       b->rotate_budget, visited, (unsigned)KC_COUNT, all,
			       b->rows[R_ROTATE].v[C_MAPPE] * (double)KC_COUNT * (double)all /
			           (double)visited);
	}
	/* The rekey took: the new key opens the file, the old one no longer. */
	{
		char out[32] = "", pragma[128];
		sqlite3 *db;
		if (sqlite3_open_v2(b->sq[0].path, &db, SQLITE_OPEN_READONLY, NULL) == SQLITE_OK) {
			key_pragma(pragma, sizeof pragma, "key", g_newkeyhex);
			sql_exec(db, pragma);
			sql_exec(db, "PRAGMA cipher_page_size = 4096");
			/* quick_check reads every page, so every page was
			 * rekeyed; a page under the old key fails it. */
			sqlite3_stmt *q;
			if (sqlite3_prepare_v2(db, "PRAGMA quick_check", -1, &q, NULL) ==
			        SQLITE_OK &&
			    sqlite3_step(q) == SQLITE_ROW && sqlite3_column_text(q, 0))
				snprintf(out, sizeof out, "%s",
				         (const char *)sqlite3_column_text(q, 0));
			sqlite3_finalize(q);
			newkey_ok = strcmp(out, "ok") == 0;
		}
		sqlite3_close(db);
		if (sqlite3_open_v2(b->sq[0].path, &db, SQLITE_OPEN_READONLY, NULL) == SQLITE_OK) {
			key_pragma(pragma, sizeof pragma, "key", g_keyhex);
			sql_exec(db, pragma);
			sql_exec(db, "PRAGMA cipher_page_size = 4096");
			newkey_ok &= sqlite3_exec(db, "SELECT count(*) FROM cases", NULL, NULL,
			                          NULL) == SQLITE_NOTADB;
		}
		sqlite3_close(db);
	}
	/* Nothing to rotate without encryption. */
	b->rows[R_ROTATE].v[C_LMDB] = b->rows[R_ROTATE].v[C_SQLITE] = NAN;
	b->rows[R_SAVEROT].v[C_LMDB] = b->rows[R_SAVEROT].v[C_SQLITE] = NAN;
	check(b, x.damaged == 0 && nsaves[0] > 0 && nsaves[1] > 0 && newkey_ok,
	      "rotate: %zu classes held back by damaged cases; %zu/%zu saves during it "
	      "(mappe/SQLCipher); SQLCipher opens with the new key %s",
	      x.damaged, nsaves[0], nsaves[1], newkey_ok ? "only" : "NOT only");
	check(b, verified[0] == cases[0] && verified[1] == cases[1],
	      "rotate: the saver's last phone on %zu/%zu of %zu/%zu cases (mappe/SQLCipher)",
	      verified[0], verified[1], cases[0], cases[1]);
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

/* ---- search quality ------------------------------------------------------- */

/* tests/unit/names.tsv (test_names): name pairs as stored and as typed, and
 * near-name negatives. Their stored names go into mappe's store beside the
 * generated cases, so that every query meets n_mappe distractors, and each
 * query runs once through search_run. Last of the workloads: the extra cases
 * change no other row. mappe alone: the baselines have no fuzzy search. */
struct qpair {
	char *query;
	size_t who; /* index of the stored name */
	bool negative;
};

/* Whether two names are one name to the matcher: each, folded, finds the
 * other word for word exactly (Юлія Коваленко and Yuliia Kovalenko; not
 * Andriy and Andrii, two spellings: a close match). */
static bool same_name(const char *a, const char *b)
{
	char fa[1024], fb[1024];
	struct fold_word w[FOLD_WORDS_MAX];
	size_t nwa = 0, nwb = 0, n;
	enum fold_kind k;

	fold_name(a, strlen(a), fa, sizeof fa);
	fold_name(b, strlen(b), fb, sizeof fb);
	n = fold_words(fa, w, FOLD_WORDS_MAX);
	for (size_t i = 0; i < n; i++)
		nwa += !w[i].alternate;
	n = fold_words(fb, w, FOLD_WORDS_MAX);
	for (size_t i = 0; i < n; i++)
		nwb += !w[i].alternate;
	return nwa == nwb && fold_rank(fa, fb, &k) == (int)(SCORE_EXACT * nwa) && k == FOLD_EXACT &&
	       fold_rank(fb, fa, &k) == (int)(SCORE_EXACT * nwb) && k == FOLD_EXACT;
}

/* Hits before the stored person that are not namesakes of them (a generated
 * case with the very same name cannot be told apart by any matcher), up to
 * stop; *any those that are not the same name in another script either
 * (same_name). *found says whether the person was among the hits. */
static size_t quality_rank(const search_index *ix, const struct search_hit *h, size_t n,
                           uint64_t id, const char *name, size_t stop, bool *found,
                           enum search_match *match, size_t *any)
{
	size_t ahead = 0;

	*found = false;
	*any = 0;
	for (size_t j = 0; j < n && (ahead < stop || !*any); j++) {
		struct search_row r;
		long at;

		if (h[j].id == id) {
			*found = true;
			*match = h[j].match;
			return ahead;
		}
		at = search_index_find(ix, h[j].id);
		if (at < 0)
			continue;
		search_index_row(ix, (size_t)at, &r);
		if (strcmp(r.name, name) != 0) {
			ahead++;
			*any += !same_name(r.name, name);
		}
	}
	return ahead;
}

static void run_quality(struct bench *b)
{
	const char *path = getenv("MAPPE_NAMES_TSV");
	FILE *f;
	char line[1024];
	struct qpair *pairs = NULL;
	char **names = NULL;
	uint64_t *ids;
	struct case_rec *recs;
	size_t np = 0, pcap = 0, nn = 0, ncap = 0, pos = 0, first = 0, first_any = 0, top5 = 0,
	       neg = 0, returned = 0, unmarked = 0;
	search_index *ix;
	uint64_t t0;

	for (int c = 0; c < NCONF; c++)
		b->rows[R_QFIRST].v[c] = b->rows[R_QFIRSTANY].v[c] = b->rows[R_QTOP5].v[c] =
		    b->rows[R_QNEG].v[c] = NAN;
	if (!path)
		path = "tests/unit/names.tsv";
	f = fopen(path, "r");
	if (!f) {
		snprintf(b->quality, sizeof b->quality,
		         "quality: %s not found (MAPPE_NAMES_TSV): not measured\n", path);
		return;
	}
	while (fgets(line, sizeof line, f)) {
		char *field[4], *s = line;
		size_t k, w;

		line[strcspn(line, "\r\n")] = 0;
		if (line[0] == '#' || line[0] == 0)
			continue;
		for (k = 0; k < 4 && s; k++) {
			field[k] = s;
			s = strchr(s, '\t');
			if (s)
				*s++ = 0;
		}
		if (k < 4)
			die("%s: a line without 4 fields", path);
		for (w = 0; w < nn && strcmp(names[w], field[1]) != 0; w++)
			;
		if (w == nn) {
			if (nn == ncap)
				names = xrealloc(names, (ncap = ncap ? 2 * ncap : 256) * sizeof *names);
			names[nn++] = strdup(field[1]);
		}
		if (np == pcap)
			pairs = xrealloc(pairs, (pcap = pcap ? 2 * pcap : 512) * sizeof *pairs);
		pairs[np++] = (struct qpair){strdup(field[2]), w, strcmp(field[3], "none") == 0};
	}
	fclose(f);

	progress("quality: %zu stored names of %zu pairs into mappe beside %zu cases", nn, np,
	         b->n_mappe);
	t0 = now_ns();
	recs = xcalloc(nn, sizeof *recs);
	ids = xcalloc(nn, sizeof *ids);
	for (size_t w = 0; w < nn; w++) {
		const char *sp = strchr(names[w], ' ');
		size_t gl = sp ? (size_t)(sp - names[w]) : strlen(names[w]);

		case_init(&recs[w]);
		if (case_set(&recs[w], F_given_name, names[w], gl) != M_OK ||
		    (sp && case_set(&recs[w], F_family_name, sp + 1, strlen(sp + 1)) != M_OK))
			die("quality: a stored name of %s is not a valid name", path);
	}
	if (store_case_insert(b->st, recs, nn, ids) != M_OK)
		die("quality: store_case_insert: %s", store_error(b->st));
	if (search_index_load(b->st, &ix) != M_OK)
		die("quality: search_index_load: %s", store_error(b->st));
	for (size_t k = 0; k < np; k++) {
		struct search_hit *h = NULL;
		size_t n = 0, ahead, any;
		long at = search_index_find(ix, ids[pairs[k].who]);
		struct search_row me;
		enum search_match m = SEARCH_LOOSE;
		bool found;

		if (at < 0)
			die("quality: a stored name is missing from the index");
		search_index_row(ix, (size_t)at, &me);
		if (search_run(b->st, ix, pairs[k].query, strlen(pairs[k].query), &h, &n) != M_OK)
			die("search_run: %s", store_error(b->st));
		ahead = quality_rank(ix, h, n, ids[pairs[k].who], me.name,
		                     pairs[k].negative ? SIZE_MAX : 5, &found, &m, &any);
		if (pairs[k].negative) {
			neg++;
			returned += found;
			unmarked += found && m >= SEARCH_CLOSE;
		} else {
			pos++;
			first += found && ahead == 0;
			first_any += found && any == 0;
			top5 += found && ahead < 5;
		}
		free(h);
	}
	search_index_free(ix);
	b->rows[R_QFIRST].v[C_MAPPE] = pos ? 100.0 * (double)first / (double)pos : NAN;
	b->rows[R_QFIRSTANY].v[C_MAPPE] = pos ? 100.0 * (double)first_any / (double)pos : NAN;
	b->rows[R_QTOP5].v[C_MAPPE] = pos ? 100.0 * (double)top5 / (double)pos : NAN;
	b->rows[R_QNEG].v[C_MAPPE] = neg ? 100.0 * (double)returned / (double)neg : NAN;
	snprintf(b->quality, sizeof b->quality,
	         "quality: %s, %zu pairs and %zu near-name negatives; their %zu stored names added "
	         "to mappe's store\n"
	         "      beside its %zu cases, each query once through search_run (%.1f s in all). "
	         "Right first / top 5: no other name\n"
	         "      ahead of the stored person (a namesake ahead is no miss; 'in any script': "
	         "nor one the matcher\n"
	         "      finds exactly both ways, Юлія Коваленко for Yuliia Kovalenko). Negatives "
	         "returned: the other person among the hits\n"
	         "      at all; %zu of the %zu as exact or close. mappe alone: the baselines have "
	         "no fuzzy search.\n",
	         path, pos, neg, nn, b->n_mappe, (double)(now_ns() - t0) / 1e9, unmarked, returned);
	for (size_t w = 0; w < nn; w++) {
		case_clear(&recs[w]);
		free(names[w]);
	}
	for (size_t k = 0; k < np; k++)
		free(pairs[k].query);
	free(recs);
	free(ids);
	free(names);
	free(pairs);
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
	{
		char ib[32] = "none", rb[32] = "none";
		if (b->import_budget)
			snprintf(ib, sizeof ib, "%g s", b->import_budget);
		if (b->rotate_budget)
			snprintf(rb, sizeof rb, "%g s", b->rotate_budget);
		printf("budgets:   mappe import %s, mappe rotation %s (past them the run stops "
		       "that phase and says so below)\n",
		       ib, rb);
	}
	printf("\n");
	print_table(b->rows, R_COUNT, stdout);
	printf("\nratios: mappe's cost / the baseline's (time per operation or per case, bytes); "
	       "above 1 = mappe slower or larger.\n");
	printf("open: mappe search_index_open, the list usable (its first 512 cases: decrypt names and "
	       "birth dates, fold for search, the next deadline of the user's caseload);\n"
	       "      whole list read: then search_index_load_more to the end, as the UI between keys;\n"
	       "      session RSS: build/mappe tui on a pty, on the list with every case read;\n"
	       "      without: search_index_load_names; every: then search_index_next of every case);\n"
	       "      deadlines: mappe store_deadlines, every case (report deadlines --all);\n"
	       "      report nir: mappe store_nir_pending, every case's events not in NIR;\n"
	       "      report ledger: mappe store_ledger of 2024, every case's identity and "
	       "programme classes.\n"
	       "      LMDB: header + 3 field reads per case;\n"
	       "      SQL: SELECT id, version, given_name, family_name, birth_date, status, "
	       "caseworker on a fresh connection. All into memory.\n");
	printf("search: mappe search_run (any word, any script, fuzzy); LMDB: strncasecmp "
	       "prefix of given or family name on the list;\n"
	       "        SQL: given_name LIKE 'p%%' OR family_name LIKE 'p%%' (NOCASE indexes; "
	       "plan: %s)\n",
	       b->plan_search);
	if (b->quality[0])
		printf("%s", b->quality);
	printf("lookup-id: mappe store_find_national_id (blind index, decrypt to confirm); "
	       "LMDB get; SQL national_id = ? (plan: %s)\n",
	       b->plan_lookup);
	printf("lookup-id in session: mappe search_index_national_id (the numbers the session's "
	       "index decrypted with the names, sorted in locked memory; no transaction)\n");
	printf("import: CSV chunks of %u with header; every configuration parses and "
	       "normalises (field_normalise) then writes one transaction per chunk.\n",
	       CHUNK);
	printf("export csv: mappe store_export of every case and field to /dev/null (the export "
	       "record, a header pass, then the cases); mappe alone.\n");
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

	printf("concurrent: %d reader processes (show and lookup-id of the sampled cases in a "
	       "loop) and 1 writer process (%zu durable\n"
	       "      phone saves back to back), each with its own store or connection; the "
	       "writer's p99.\n",
	       READERS, b->conc_writes);
	printf("rotate: mappe store_rotate_classes(every class, batch %d) as mappe keys rotate; "
	       "SQLCipher PRAGMA rekey to a new raw key.\n"
	       "      Meanwhile a saver process, unlocked once, saves a phone every %d ms "
	       "(durable; SQLite busy_timeout %d s); its p99.\n",
	       ROTATE_BATCH, SAVE_EVERY_MS, BUSY_MS / 1000);
	for (int i = 0; i < b->nnotes; i++)
		printf("  %s\n", b->notes[i]);

	printf("\nscaled down in this run%s\n", b->nscaled ? ":" : ": nothing");
	for (int i = 0; i < b->nscaled; i++)
		printf("  %s\n", b->scaled[i]);
	printf("\nnot measured by this program:\n");
	printf("  screen      terminal bytes per keystroke are mappe's on a pty, not the store's: "
	       "make bench prints them\n"
	       "              after this report (tests/bench/ptybytes.py)\n");

	printf("\nchecks%s:\n", b->failures ? " (FAILED)" : "");
	for (int i = 0; i < b->nchecks; i++)
		printf("  %s\n", b->checks[i]);
	printf("\nwall time: %.0f s\n", (double)(now_ns() - g_start) / 1e9);
	fflush(stdout);
}

/* export csv: mappe export of every case and field into /dev/null, as the
 * command writes it (the record first, a header pass, then the cases);
 * mappe alone: the baselines have no export of their own to compare. */
static void run_export(struct bench *b)
{
	struct export_spec spec = {.format = EXPORT_CSV};
	struct export_result res;
	FILE *out = fopen("/dev/null", "w");
	uint64_t t0;

	if (!out)
		die("/dev/null: %s", strerror(errno));
	progress("export: mappe");
	t0 = now_ns();
	if (store_export(b->st, &spec, out, &res) != M_OK)
		die("store_export: %s", store_error(b->st));
	b->rows[R_EXPORT].v[C_MAPPE] = (double)res.cases / ((double)(now_ns() - t0) / 1e9);
	fclose(out);
	for (int conf = 1; conf < NCONF; conf++)
		b->rows[R_EXPORT].v[conf] = NAN;
	check(b, res.cases == b->n_mappe && res.counted == b->n_mappe,
	      "export csv: %llu of %zu cases written, %llu recorded", (unsigned long long)res.cases,
	      b->n_mappe, (unsigned long long)res.counted);
}

/* backup: mappe backup of the store just imported (LMDB's compacting copy,
 * its SHA-256 read back, the copy opened read-only and counted, the audit
 * entry), against plain LMDB's compacting copy alone; then the copy
 * verified. The baselines' SQLite has an online backup too, but not the
 * same thing: n/a. */
static void run_backup(struct bench *b)
{
	struct store_backup r, v;
	char dest[4300];
	uint64_t t0;
	int fd;

	progress("backup: mappe");
	snprintf(dest, sizeof dest, "%s/backup-mappe", g_root);
	t0 = now_ns();
	if (store_backup(b->st, dest, &r) != M_OK)
		die("store_backup: %s", store_error(b->st));
	b->rows[R_BACKUP].v[C_MAPPE] = (double)(now_ns() - t0) / 1e9;
	bool verified = store_backup_verify(b->st, dest, &v) == M_OK;
	check(b, verified && v.cases == b->n_mappe && r.cases == b->n_mappe,
	      "backup: the copy %s and holds %llu of %zu cases", verified ? "verifies" : "FAILS verify",
	      (unsigned long long)v.cases, b->n_mappe);
	note(b, "backup mappe     %.2f s for %.1f MiB (the store after its import: %.1f MiB; the "
	        "export's audit entries came since), SHA-256 and the read-only check included",
	     b->rows[R_BACKUP].v[C_MAPPE], (double)r.bytes / (1024.0 * 1024.0),
	     b->rows[R_SIZE].v[C_MAPPE]);

	progress("backup: LMDB");
	snprintf(dest, sizeof dest, "%s/backup-lmdb.mdb", g_root);
	fd = open(dest, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	if (fd < 0)
		die("%s: %s", dest, strerror(errno));
	t0 = now_ns();
	mdb_check(mdb_env_copyfd2(b->pl.env, fd, MDB_CP_COMPACT), "copy");
	if (fsync(fd) != 0)
		die("fsync: %s", strerror(errno));
	b->rows[R_BACKUP].v[C_LMDB] = (double)(now_ns() - t0) / 1e9;
	close(fd);
	b->rows[R_BACKUP].v[C_SQLCIPHER] = b->rows[R_BACKUP].v[C_SQLITE] = NAN;
}

int main(int argc, char **argv)
{
	unsigned long long ncases = 10000, nops = 2000;
	static struct bench b;

	if (argc > 1 && strcmp(argv[1], "--child") == 0)
		return child_main(argc, argv);
	signal(SIGPIPE, SIG_IGN); /* a child that died is reported, not fatal here */
	g_start = now_ns();

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
		} else if ((strcmp(a, "--import-seconds") == 0 ||
		            strcmp(a, "--rotate-seconds") == 0) &&
		           v && *v >= '0' && *v <= '9') {
			char *end;
			double secs = strtod(v, &end);
			if (*end || secs < 0)
				goto bad;
			*(a[2] == 'i' ? &b.import_budget : &b.rotate_budget) = secs;
			i++;
		} else if (strcmp(a, "--dir") == 0 && v && *v) {
			b.base = v;
			i++;
		} else {
		bad:
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
	run_export(&b);
	run_backup(&b);
	run_open(&b);
	run_session_rss(&b);
	run_open_deadlines(&b);
	run_report_nir(&b);
	run_ledger(&b);
	run_search(&b);
	run_lookup(&b);
	run_show(&b);
	run_show_audited(&b);
	run_update(&b);
	run_concurrent(&b);
	run_rotate(&b);
	run_quality(&b);
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
