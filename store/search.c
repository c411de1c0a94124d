/* search.c: find people without leaking them. Names are decrypted once into
 * locked memory and searched there; nothing about a name reaches the disk. */
#include "store/fold.h"
#include "store/nameindex.h"
#include "store/private.h"
#include "store/validate.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

struct search_entry {
	uint64_t id;
	uint32_t version;
	uint8_t status;
	uint8_t words; /* of the folded name, alternates aside (search ranks by it) */
	/* A staff login, kept in clear in the record header: one copy of each
	 * in the index's table (a few dozen), not 33 bytes a case. */
	const char *caseworker;
	const char *folded;  /* in the arena's chunks */
	const char *display;
	const char *birth;
	const char *household; /* household_id, "" when none or locked */
	const char *nid;       /* national id, NID_BYTES in the arena; NULL: none */
	/* The next deadline (next_put), in the arena: from personal data.
	 * NULL: not computed yet (another's case, until it is shown). */
	const char *next;
};

/* The arena is a list of locked chunks, each far below RLIMIT_MEMLOCK (8 MiB
 * for a non-root user): one arena of 100 000 cases' names outgrew it, and one
 * failed mlock then left every name swappable. Per chunk, a failure costs
 * one chunk (and is warned about). Chunks never move: entries point in. */
enum { CHUNK_BYTES = 256 << 10 };

struct search_index {
	struct search_entry *e; /* sorted by id; ids and offsets: no personal data */
	size_t n, cap;
	char **chunk; /* secure memory: display names, folded names, birth dates */
	size_t nchunks, chunks_cap;
	size_t used;   /* in the last chunk */
	uint64_t next; /* resume point while loading in batches */
	bool done;     /* every case read; until then, entries are the ids below next */
	size_t total;  /* cases in the store as the load began: its progress */
	const void *in_map; /* an address in LMDB's map of the file (map_release) */
	uint64_t synced;         /* meta "cases_gen" as of the load or the last sync */
	struct case_rec scratch; /* one locked arena reused for every case read */
	bool deadlines;          /* each case's next deadline computed too */
	name_index *names;       /* the words of e[].folded (nameindex.h) */
	bool moved;              /* rows moved since the words were indexed */
	struct rule_set rules;   /* as of the load: what deadlines are computed by */
	/* The rows that have a national id, sorted by it, in secure memory
	 * (their order follows the numbers'); built at the first look-up,
	 * again after the rows changed. */
	uint32_t *nid_rows;
	size_t nid_n;
	size_t nid_for; /* ix->n when built */
	bool nid_ok;
	bool keys_ok; /* key_id and key_words below are those of every row */
	char **workers;          /* the caseworkers' logins the entries point to */
	size_t nworkers, workers_cap;
	/* search_run's hits as it ranks them, and the counting sort's output:
	 * kept from one keystroke to the next, as a fresh block of a few MB
	 * each time (a first letter at a million cases) is a page fault per
	 * 4 KiB. Case ids, scores and pointers into the arena, no names. */
	struct ranked *rank[2];
	size_t rank_cap;
	/* Each row's case id and word count, in row order: what ranking reads
	 * of a hit, 9 bytes a row beside the entry's 72 (a first letter at a
	 * million cases is 270 000 hits, a cache miss each in the entries;
	 * these stay in the cache). Built at the first name search, kept by
	 * row_key_put; rows that moved drop it until the next search. */
	uint64_t *key_id;
	uint8_t *key_words;
	size_t keys_cap;
};

/* The table's copy of login (NULL: out of memory). */
static const char *worker_intern(search_index *ix, const char *login)
{
	char *p;

	/* The last one found first: cases come in runs of one caseworker's. */
	for (size_t i = ix->nworkers; i-- > 0;)
		if (strcmp(ix->workers[i], login) == 0)
			return ix->workers[i];
	if (ix->nworkers == ix->workers_cap) {
		size_t cap = ix->workers_cap ? ix->workers_cap * 2 : 16;
		char **pp = realloc(ix->workers, cap * sizeof *pp);
		if (!pp)
			return NULL;
		ix->workers = pp;
		ix->workers_cap = cap;
	}
	if (!(p = strdup(login)))
		return NULL;
	ix->workers[ix->nworkers++] = p;
	return p;
}

/* Room for one more entry. */
static int entries_reserve(store *st, search_index *ix)
{
	size_t cap;
	void *p;

	if (ix->n < ix->cap)
		return M_OK;
	cap = ix->cap ? ix->cap * 2 : 1024;
	if (!(p = realloc(ix->e, cap * sizeof *ix->e)))
		return st_err(st, NOMEM);
	ix->e = p;
	ix->cap = cap;
	return M_OK;
}

/* e[row] was written (in place or appended): its key too, if the keys are
 * kept. Every write of an entry comes here or drops the keys, so kept
 * keys are those of every row. No room: built again at the next search. */
static void row_key_put(search_index *ix, size_t row)
{
	if (!ix->keys_ok)
		return;
	if (row >= ix->keys_cap) {
		ix->keys_ok = false;
		return;
	}
	ix->key_id[row] = ix->e[row].id;
	ix->key_words[row] = ix->e[row].words;
}

/* The keys of every row, as search_run reads them. */
static int row_keys_ready(store *st, search_index *ix)
{
	if (ix->keys_ok)
		return M_OK;
	if (ix->keys_cap < ix->n || !ix->key_id) {
		size_t cap = ix->cap > ix->n ? ix->cap : ix->n;
		uint64_t *id = realloc(ix->key_id, (cap ? cap : 1) * sizeof *id);
		uint8_t *w;
		if (!id)
			return st_err(st, NOMEM);
		ix->key_id = id;
		if (!(w = realloc(ix->key_words, cap ? cap : 1)))
			return st_err(st, NOMEM);
		ix->key_words = w;
		ix->keys_cap = cap;
	}
	for (size_t i = 0; i < ix->n; i++) {
		ix->key_id[i] = ix->e[i].id;
		ix->key_words[i] = ix->e[i].words;
	}
	ix->keys_ok = true;
	return M_OK;
}

static int arena_put(search_index *ix, const char *s, size_t len, const char **out)
{
	char *at;

	if (!ix->nchunks || CHUNK_BYTES - ix->used < len + 1) {
		char *p;
		if (ix->nchunks == ix->chunks_cap) {
			size_t cap = ix->chunks_cap ? ix->chunks_cap * 2 : 16;
			char **pp = realloc(ix->chunk, cap * sizeof *pp);
			if (!pp)
				return -1;
			ix->chunk = pp;
			ix->chunks_cap = cap;
		}
		/* len + 1 never exceeds a chunk: values are at most a few
		 * FIELD_MAX_BYTES. */
		if (len + 1 > CHUNK_BYTES || !(p = keys_secure_alloc(CHUNK_BYTES)))
			return -1;
		ix->chunk[ix->nchunks++] = p;
		ix->used = 0;
	}
	at = ix->chunk[ix->nchunks - 1] + ix->used;
	memcpy(at, s, len);
	at[len] = 0;
	*out = at;
	ix->used += len + 1;
	return 0;
}

enum { LOAD_BATCH = 512 };

/* A next deadline as the arena keeps it: its id (NEXT_NONE: none), then
 * the due day, 4 bytes little-endian. */
enum { NEXT_BYTES = 5, NEXT_NONE = 0xff };

static void next_put(uint8_t b[NEXT_BYTES], const struct deadline *d)
{
	uint32_t due = d ? (uint32_t)(int32_t)d->due : 0;

	b[0] = d ? (uint8_t)d->id : NEXT_NONE;
	for (int i = 0; i < 4; i++)
		b[1 + i] = (uint8_t)(due >> (8 * i));
}

static bool next_get(const char *p, struct deadline *d)
{
	const uint8_t *b = (const uint8_t *)p;
	uint32_t due = 0;

	if (!b || b[0] == NEXT_NONE || b[0] >= DL_COUNT)
		return false;
	for (int i = 0; i < 4; i++)
		due |= (uint32_t)b[1 + i] << (8 * i);
	d->id = (enum deadline_id)b[0];
	d->due = (int32_t)due;
	return true;
}

/* Case cp's next deadline into the arena, at *out. */
static int next_keep(store *st, search_index *ix, const struct case_rec *cp, const char **out)
{
	struct deadline d[DL_COUNT], next;
	uint8_t nb[NEXT_BYTES];

	next_put(nb, deadline_next(d, st_case_deadlines(st, cp, &ix->rules, d), &next) ? &next
	                                                                               : NULL);
	return arena_put(ix, (const char *)nb, sizeof nb, out) ? st_err(st, NOMEM) : M_OK;
}

/* A national id as the index keeps it: its 11 digits as a number, 8 bytes
 * little-endian in the arena (the identity class, decrypted with the names). */
enum { NID_BYTES = 8 };

static bool nid_pack(const char *v, size_t len, uint64_t *out)
{
	uint64_t x = 0;

	if (!v || len != 11)
		return false;
	for (size_t i = 0; i < len; i++) {
		if (v[i] < '0' || v[i] > '9')
			return false;
		x = x * 10 + (uint64_t)(v[i] - '0');
	}
	*out = x;
	return true;
}

static uint64_t nid_get(const char *p)
{
	const uint8_t *b = (const uint8_t *)p;
	uint64_t x = 0;

	for (int i = 0; i < NID_BYTES; i++)
		x |= (uint64_t)b[i] << (8 * i);
	return x;
}

/* Case c's national id into the arena, at *out (NULL when it has none the
 * user may read): session look-ups answer from memory. */
static int nid_keep(search_index *ix, const struct case_rec *c, const char **out)
{
	uint8_t b[NID_BYTES];
	uint64_t x;
	int rc;

	*out = NULL;
	if (c->locked[F_national_id] ||
	    !nid_pack(c->value[F_national_id], c->len[F_national_id], &x))
		return 0;
	for (int i = 0; i < NID_BYTES; i++)
		b[i] = (uint8_t)(x >> (8 * i));
	rc = arena_put(ix, (const char *)b, sizeof b, out);
	keys_wipe(b, sizeof b);
	keys_wipe(&x, sizeof x);
	return rc;
}

/* The words of a folded name, its alternate readings aside. */
static unsigned name_words(const char *f)
{
	unsigned n = 0;

	for (const char *p = f; *p; p++)
		if ((p == f || p[-1] == ' ') && *p != FOLD_ALTERNATE)
			n++;
	return n;
}

/* Decrypt what the list screens show of one case (fields.def's FLAG_LIST:
 * the names and the birth date beside the clear header) into the arena;
 * and, in the user's own caseload, the next deadline: what My day and the
 * start-up look at. Other cases' wait until the list shows them
 * (search_index_next): the programme and health classes they are computed
 * from cost as much again as the names' (about 0.3 s of 20 000 cases). */
static int entry_fill(store *st, MDB_txn *txn, search_index *ix, struct search_entry *e,
                      uint64_t id)
{
	char full[2 * FIELD_MAX_BYTES + 2], folded[4 * FIELD_MAX_BYTES];
	unsigned words;
	bool want[F_COUNT];
	const char *birth;
	struct case_rec *cp = &ix->scratch;
	const struct case_rec *c = cp;
	struct rec_header h = {0};
	uint32_t lists = 0;
	size_t flen, dlen, fcap;
	bool mine;
	int rc;

	/* The epochs are the transaction's: its caller read them (st_load_epochs). */
	if ((rc = st_hdr_read(st, txn, id, &h)))
		return rc;
	/* The caseworker is in the clear header. With the deadlines: the
	 * dates they read, from the classes that hold them (programme,
	 * health), beside the names' (identity). */
	mine = ix->deadlines && strcmp(h.caseworker, st->user) == 0;
	if (mine)
		st_deadline_want(want, &lists);
	else
		memset(want, 0, sizeof want);
	for (int f = 0; f < F_COUNT; f++)
		want[f] |= field_has((enum field_id)f, FLAG_LIST);
	want[F_household_id] = true; /* the case view's household (same class as names) */
	want[F_national_id] = true;  /* look-ups from memory (the same class too) */
	if ((rc = st_case_fill_listed(st, txn, id, &h, cp, want, lists)) != M_OK) {
		case_reset(cp);
		return rc;
	}
	memset(e, 0, sizeof *e);
	if (mine && (rc = next_keep(st, ix, cp, &e->next))) {
		case_reset(cp);
		return rc;
	}
	e->id = id;
	e->version = c->version;
	e->status = (uint8_t)status_parse(c->value[F_status], c->len[F_status]);
	if (!(e->caseworker =
	          worker_intern(ix, c->value[F_caseworker] ? c->value[F_caseworker] : ""))) {
		case_reset(cp);
		return st_err(st, NOMEM);
	}
	dlen = (size_t)snprintf(full, sizeof full, "%s%s%s",
	                        c->value[F_given_name] ? c->value[F_given_name] : "",
	                        c->value[F_given_name] && c->value[F_family_name] ? " " : "",
	                        c->value[F_family_name] ? c->value[F_family_name] : "");
	if (dlen >= sizeof full)
		dlen = sizeof full - 1;
	/* The room search_run gives a query of the same length: wiping all
	 * 24 KiB of both buffers for every case was a tenth of the load. */
	fcap = 4 * dlen + 8 < sizeof folded ? 4 * dlen + 8 : sizeof folded;
	flen = fold_name(full, dlen, folded, fcap);
	words = name_words(folded);
	e->words = (uint8_t)(words < UINT8_MAX ? words : UINT8_MAX);
	birth = c->value[F_birth_date] ? c->value[F_birth_date] : "";
	const char *home = c->value[F_household_id] && !c->locked[F_household_id]
	                       ? c->value[F_household_id]
	                       : "";
	rc = arena_put(ix, full, dlen, &e->display) || arena_put(ix, folded, flen, &e->folded) ||
	     arena_put(ix, birth, strlen(birth), &e->birth) ||
	     arena_put(ix, home, strlen(home), &e->household) || nid_keep(ix, c, &e->nid);
	keys_wipe(full, dlen + 1);
	keys_wipe(folded, fcap);
	case_reset(cp);
	return rc ? st_err(st, NOMEM) : M_OK;
}

/* meta "cases_gen" (record.c): 0 while no case was written since it came. */
static int cases_gen(store *st, MDB_txn *txn, uint64_t *out, const void **in_map)
{
	MDB_val v;
	int rc = st_get(st, txn, DB_META, "cases_gen", 9, &v);

	*out = 0;
	if (rc == -1)
		return M_OK;
	if (rc)
		return rc;
	if (in_map)
		*in_map = v.mv_data;
	if (v.mv_size == 8)
		*out = rd64(v.mv_data);
	return M_OK;
}

/* The pages of the map that reading touched leave this process's resident
 * set: they are the file's (LMDB maps it read-only, MAP_SHARED, no
 * MDB_WRITEMAP), still in the page cache, and fault in again when read.
 * Loading the list touched nearly every page of the file: 137 MB of a
 * session's 154 at 100 000 cases. LMDB does not say where its map is
 * (me_mapaddr is only MDB_FIXEDMAP's): the mapping that holds a value it
 * returned is, found in /proc/self/maps. Never inside a transaction of
 * ours: a page dropped there would only be read again. */
static void map_release(const search_index *ix)
{
	uintptr_t at = (uintptr_t)ix->in_map;
	char line[512];
	FILE *f;

	if (!at || !(f = fopen("/proc/self/maps", "re")))
		return;
	while (fgets(line, sizeof line, f)) {
		unsigned long lo, hi;
		if (sscanf(line, "%lx-%lx", &lo, &hi) == 2 && lo <= at && at < hi) {
			(void)madvise((void *)lo, hi - lo, MADV_DONTNEED);
			break;
		}
	}
	fclose(f);
}

/* How many cases the store holds now: the load's progress. */
static size_t cases_count(store *st, MDB_txn *txn)
{
	MDB_stat s;

	return mdb_stat(txn, st->dbi[DB_CASES], &s) ? 0 : (size_t)s.ms_entries;
}

static int names_added(search_index *ix, size_t first, size_t n);

static int load_txn(store *st, MDB_txn *txn, void *vctx)
{
	search_index *ix = vctx;
	uint64_t ids[LOAD_BATCH];
	size_t n, first;
	int rc = st_case_ids(st, txn, ix->next, ids, LOAD_BATCH, &n);

	/* Until done, every entry's id is below next: what a failed try of
	 * this batch appended (st_txn runs it again) goes. */
	while (ix->n && ix->e[ix->n - 1].id >= ix->next)
		ix->n--;
	first = ix->n;
	if (rc || (rc = st_load_epochs(st, txn)))
		return rc;
	/* As of the first batch: a write after it is read again by the next
	 * sync, even one this load went on to read. */
	if (ix->next == 0 && !ix->n) {
		if ((rc = cases_gen(st, txn, &ix->synced, &ix->in_map)))
			return rc;
		ix->total = cases_count(st, txn);
	}

	for (size_t i = 0; i < n; i++) {
		if ((rc = entries_reserve(st, ix)))
			return rc;
		rc = entry_fill(st, txn, ix, &ix->e[ix->n], ids[i]);
		if (rc == M_OK)
			row_key_put(ix, ix->n++);
		else if (rc != M_INTEGRITY) /* a broken case is mappe check's to report */
			return rc;
	}
	/* An id at the very end (only a file writer puts one there) ends it
	 * rather than wrapping the cursor back to the first case. */
	if (n < LOAD_BATCH || ids[n - 1] == UINT64_MAX)
		ix->done = true;
	else
		ix->next = ids[n - 1] + 1;
	if (ix->n > first && names_added(ix, first, ix->n - first))
		return st_err(st, NOMEM);
	return M_OK;
}

static const char *name_at(void *ctx, size_t row)
{
	const search_index *ix = ctx;

	return row < ix->n ? ix->e[row].folded : NULL;
}

/* The word index over every row, anew. */
static int names_index(search_index *ix)
{
	name_index_free(ix->names);
	ix->names = NULL;
	ix->moved = false;
	return name_index_build(&ix->names, ix->n, name_at, ix);
}

/* Row's name is new or changed: searched directly until the words are
 * indexed again, when enough have (a rebuild costs about what loading
 * the names did; a colleague's save, a row). */
enum { PENDING_MAX = 512 };

static int names_changed(search_index *ix, size_t row)
{
	if (ix->moved || !ix->names)
		return 0;
	return name_index_changed(ix->names, row);
}

static int names_settle(search_index *ix)
{
	if (!ix->names || (!ix->moved && name_index_pending(ix->names) <= PENDING_MAX))
		return 0;
	return names_index(ix);
}

int search_index_prepare(store *st, search_index *ix)
{
	if ((ix->names && !ix->moved) || !names_index(ix))
		return M_OK;
	return st_err(st, NOMEM);
}

/* Rows [first, first + n) appended by a batch of a progressive load: searched
 * directly (the word index's pending rows) until the load ends. Before
 * the words are indexed (a load in one go, the first batch), nothing. */
static int names_added(search_index *ix, size_t first, size_t n)
{
	for (size_t row = first; row < first + n; row++)
		if (names_changed(ix, row))
			return -1;
	return 0;
}

/* At most batches more batches (0: every one left), each its own short read
 * transaction, so that a large store never pins old pages for the whole
 * load. */
static int load_batches(store *st, search_index *ix, unsigned batches)
{
	int rc = M_OK;

	if (!st->kr)
		return st_err(st, NOT_UNLOCKED);
	case_init(&ix->scratch);
	for (unsigned b = 0; !ix->done && rc == M_OK && (!batches || b < batches); b++) {
		rc = st_txn(st, false, load_txn, ix);
		/* A load in one go too keeps the resident pages to about 8 000
		 * cases' worth of the map. */
		if (b % 16 == 15)
			map_release(ix);
	}
	case_clear(&ix->scratch);
	map_release(ix);
	/* Read whole, with the words indexed meanwhile (a search while it
	 * loaded): the rows appended since, searched directly until now,
	 * indexed anew when they are many. */
	if (rc == M_OK && ix->done && names_settle(ix))
		rc = st_err(st, NOMEM);
	return rc;
}

static int index_load(store *st, bool deadlines, unsigned batches, search_index **out)
{
	search_index *ix = calloc(1, sizeof *ix);
	int rc = M_OK;

	if (!ix)
		return st_err(st, NOMEM);
	if (!st->kr) {
		free(ix);
		return st_err(st, NOT_UNLOCKED);
	}
	ix->deadlines = deadlines;
	if (deadlines && (rc = store_rules(st, &ix->rules))) {
		free(ix);
		return rc;
	}
	rc = load_batches(st, ix, batches);
	if (rc) {
		search_index_free(ix);
		return rc;
	}
	*out = ix;
	return M_OK;
}

int search_index_load(store *st, search_index **out)
{
	return index_load(st, true, 0, out);
}

int search_index_load_names(store *st, search_index **out)
{
	return index_load(st, false, 0, out);
}

int search_index_open(store *st, search_index **out)
{
	return index_load(st, true, 1, out);
}

int search_index_load_more(store *st, search_index *ix, unsigned batches)
{
	return ix->done ? M_OK : load_batches(st, ix, batches ? batches : 1);
}

bool search_index_complete(const search_index *ix)
{
	return ix->done;
}

size_t search_index_expected(const search_index *ix)
{
	return ix->done || ix->total < ix->n ? ix->n : ix->total;
}

void search_index_free(search_index *ix)
{
	if (!ix)
		return;
	if (ix->deadlines)
		rule_set_free(&ix->rules);
	name_index_free(ix->names);
	for (size_t i = 0; i < ix->nchunks; i++)
		keys_secure_free(ix->chunk[i]);
	keys_secure_free(ix->nid_rows);
	for (size_t i = 0; i < ix->nworkers; i++)
		free(ix->workers[i]);
	free(ix->workers);
	free(ix->chunk);
	free(ix->e);
	free(ix->rank[0]);
	free(ix->rank[1]);
	free(ix->key_id);
	free(ix->key_words);
	free(ix);
}

size_t search_index_size(const search_index *ix)
{
	return ix->n;
}

size_t search_household(const search_index *ix, uint64_t id, size_t *rows, size_t cap)
{
	long self = search_index_find(ix, id);
	size_t n = 0;

	if (self < 0 || !ix->e[self].household || !*ix->e[self].household)
		return 0;
	for (size_t i = 0; i < ix->n && n < cap; i++)
		if ((long)i != self && ix->e[i].household &&
		    strcmp(ix->e[i].household, ix->e[self].household) == 0)
			rows[n++] = i;
	return n;
}

void search_index_row(const search_index *ix, size_t i, struct search_row *out)
{
	const struct search_entry *e = &ix->e[i];

	out->id = e->id;
	out->version = e->version;
	out->name = e->display;
	out->birth_date = e->birth;
	out->status = status_name(e->status);
	out->caseworker = e->caseworker;
	out->has_next = next_get(e->next, &out->next);
}

struct next_ctx {
	search_index *ix;
	const size_t *rows; /* NULL: every row */
	size_t n, at;
};

static int next_txn(store *st, MDB_txn *txn, void *vctx)
{
	struct next_ctx *ctx = vctx;
	search_index *ix = ctx->ix;
	bool want[F_COUNT];
	bool team = st->role == ROLE_LEAD || st->role == ROLE_ADMIN;
	uint32_t lists;
	int rc = M_OK;

	st_deadline_want(want, &lists);
	if ((rc = st_load_epochs(st, txn)))
		return rc;
	case_init(&ix->scratch);
	for (size_t k = 0; ctx->at < ctx->n && k < LOAD_BATCH && rc == M_OK; ctx->at++) {
		size_t row = ctx->rows ? ctx->rows[ctx->at] : ctx->at;
		struct rec_header h = {0};
		if (row >= ix->n || ix->e[row].next)
			continue;
		struct search_entry *e = &ix->e[row];
		/* A colleague's deadlines are a lead's to see, as report
		 * deadlines --all is: a caseworker's list shows none for the
		 * cases of others, and nothing of those is decrypted for it. */
		if (!team && strcmp(e->caseworker, st->user) != 0) {
			uint8_t none[NEXT_BYTES];
			next_put(none, NULL);
			if (arena_put(ix, (const char *)none, sizeof none, &e->next))
				rc = st_err(st, NOMEM);
			continue;
		}
		k++;
		rc = st_hdr_read(st, txn, e->id, &h);
		if (rc == M_OK)
			rc = st_case_fill_listed(st, txn, e->id, &h, &ix->scratch, want, lists);
		if (rc == M_OK)
			rc = next_keep(st, ix, &ix->scratch, &e->next);
		else if (rc == M_INTEGRITY || rc == M_INPUT) /* broken, or gone: none */
			rc = M_OK;
		case_reset(&ix->scratch);
	}
	case_clear(&ix->scratch);
	return rc;
}

int search_index_next(store *st, search_index *ix, const size_t *rows, size_t n)
{
	struct next_ctx ctx = {ix, rows, rows ? n : ix->n, 0};
	int rc = M_OK;

	if (!ix->deadlines)
		return M_OK;
	/* Every draw of the list asks: no transaction when all are known. */
	while (ctx.at < ctx.n) {
		size_t row = rows ? rows[ctx.at] : ctx.at;
		if (row < ix->n && !ix->e[row].next)
			break;
		ctx.at++;
	}
	if (ctx.at == ctx.n)
		return M_OK;
	if (!st->kr)
		return st_err(st, NOT_UNLOCKED);
	/* A read transaction a batch, as the load. */
	while (ctx.at < ctx.n && (rc = st_txn(st, false, next_txn, &ctx)) == M_OK)
		;
	map_release(ix);
	return rc;
}

size_t search_index_due(const search_index *ix, const char *caseworker, long by, uint64_t *ids,
                        size_t cap)
{
	size_t n = 0;

	for (size_t i = 0; i < ix->n; i++) {
		struct deadline d;
		if (!next_get(ix->e[i].next, &d) || d.due > by ||
		    (caseworker && strcmp(ix->e[i].caseworker, caseworker) != 0))
			continue;
		if (n < cap)
			ids[n] = ix->e[i].id;
		n++;
	}
	return n;
}

long search_index_find(const search_index *ix, uint64_t id)
{
	size_t lo = 0, hi = ix->n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (ix->e[mid].id == id)
			return (long)mid;
		if (ix->e[mid].id < id)
			lo = mid + 1;
		else
			hi = mid;
	}
	return -1;
}

struct refresh_ctx {
	search_index *ix;
	uint64_t id;
	struct search_entry e;
};

static int refresh_txn(store *st, MDB_txn *txn, void *vctx)
{
	struct refresh_ctx *ctx = vctx;
	int rc = st_load_epochs(st, txn);

	return rc ? rc : entry_fill(st, txn, ctx->ix, &ctx->e, ctx->id);
}

int search_index_refresh(store *st, search_index *ix, uint64_t id)
{
	struct refresh_ctx ctx = {ix, id, {0}};
	long at = search_index_find(ix, id);
	int rc;

	/* Still loading, and not reached yet: the load reads it, as saved. */
	if (!ix->done && id >= ix->next)
		return M_OK;
	case_init(&ix->scratch);
	rc = st_txn(st, false, refresh_txn, &ctx);
	case_clear(&ix->scratch);
	map_release(ix);

	/* The old strings stay in the arena until the index is freed: a
	 * caseworker edits a few cases a session, not thousands. */
	if (rc)
		return rc;
	ix->nid_ok = false;
	if (at >= 0) {
		ix->e[at] = ctx.e;
	} else {
		if ((rc = entries_reserve(st, ix)))
			return rc;
		/* New ids are the largest: appending keeps the order. */
		at = (long)ix->n;
		ix->e[ix->n++] = ctx.e;
	}
	row_key_put(ix, (size_t)at);
	if (names_changed(ix, (size_t)at) || names_settle(ix))
		return st_err(st, NOMEM);
	return M_OK;
}

/* ---- catching up with other processes ---------------------------------- */

static int peek_txn(store *st, MDB_txn *txn, void *vctx)
{
	return cases_gen(st, txn, vctx, NULL);
}

enum { SYNC_BATCH = 1024 };

struct sync_ctx {
	search_index *ix;
	uint64_t gen;  /* meta "cases_gen" now */
	uint64_t next; /* the next case id to look at */
	size_t at;     /* the index's first entry not yet matched */
	size_t changed;
	bool done;
};

/* Entry at becomes case id, read in txn: put there, replacing it or before
 * it. M_INTEGRITY (a broken case, mappe check's to report) keeps what was
 * there; false in *put then. */
static int sync_put(store *st, MDB_txn *txn, struct sync_ctx *ctx, uint64_t id, bool replace,
                    bool *put)
{
	search_index *ix = ctx->ix;
	struct search_entry e;
	int rc = entry_fill(st, txn, ix, &e, id);

	*put = false;
	if (rc == M_INTEGRITY)
		return M_OK;
	if (rc)
		return rc;
	if (!replace) {
		if ((rc = entries_reserve(st, ix)))
			return rc;
		if (ctx->at < ix->n) {
			ix->moved = true; /* put between others: the rows after it move */
			ix->keys_ok = false;
		}
		memmove(&ix->e[ctx->at + 1], &ix->e[ctx->at], (ix->n - ctx->at) * sizeof *ix->e);
		ix->n++;
	}
	/* The old strings stay in the arena until the index is freed: about a
	 * hundred bytes a colleague's save. */
	ix->e[ctx->at] = e;
	row_key_put(ix, ctx->at);
	if (names_changed(ix, ctx->at))
		return st_err(st, NOMEM);
	ctx->changed++;
	*put = true;
	return M_OK;
}

/* The first entry whose id is id or above. */
static size_t lower_bound(const search_index *ix, uint64_t id)
{
	size_t lo = 0, hi = ix->n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (ix->e[mid].id < id)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

static void sync_drop(struct sync_ctx *ctx)
{
	search_index *ix = ctx->ix;

	memmove(&ix->e[ctx->at], &ix->e[ctx->at + 1], (ix->n - ctx->at - 1) * sizeof *ix->e);
	ix->n--;
	ix->moved = true;
	ix->keys_ok = false;
	ctx->changed++;
}

/* One batch of case headers against the index, both in id order. A header
 * is looked at in the clear and unverified (st_hdr_version_raw): a version
 * that moved only makes the case be read again, verified. */
static int sync_txn(store *st, MDB_txn *txn, void *vctx)
{
	struct sync_ctx *ctx = vctx;
	search_index *ix = ctx->ix;
	MDB_cursor *cur;
	uint8_t k[8];
	MDB_val key = {8, k}, val;
	size_t seen = 0;
	uint64_t last = 0;
	int rc, mrc;

	if (ctx->next == 0 && (rc = cases_gen(st, txn, &ctx->gen, NULL)))
		return rc;
	if ((rc = st_load_epochs(st, txn)))
		return rc;
	/* Where the last batch ended, found again: a transaction st_txn runs
	 * again after a failure then starts where this one did. */
	ctx->at = lower_bound(ix, ctx->next);
	be64(k, ctx->next);
	if ((mrc = mdb_cursor_open(txn, st->dbi[DB_CASES], &cur)))
		return st_mdb(st, mrc, "cases");
	rc = M_OK;
	case_init(&ix->scratch);
	for (mrc = mdb_cursor_get(cur, &key, &val, MDB_SET_RANGE); mrc == 0 && seen < SYNC_BATCH;
	     mrc = mdb_cursor_get(cur, &key, &val, MDB_NEXT)) {
		uint64_t id;
		uint32_t version;
		bool put;
		if (key.mv_size != 8)
			continue;
		id = rd64(key.mv_data);
		/* Still loading: the cases from next on are the load's to read. */
		if (!ix->done && id >= ix->next) {
			mrc = MDB_NOTFOUND;
			break;
		}
		version = st_hdr_version_raw(val.mv_data, val.mv_size);
		seen++;
		last = id;
		while (ctx->at < ix->n && ix->e[ctx->at].id < id)
			sync_drop(ctx); /* gone from the store */
		if (ctx->at < ix->n && ix->e[ctx->at].id == id) {
			if (ix->e[ctx->at].version != version)
				rc = sync_put(st, txn, ctx, id, true, &put);
			ctx->at++;
		} else {
			/* New (appended: new ids are the largest), or one a
			 * load found broken, tried again. */
			rc = sync_put(st, txn, ctx, id, false, &put);
			ctx->at += put;
		}
		if (rc)
			break;
		/* entry_fill read other tables: the cursor is still where it was. */
	}
	case_clear(&ix->scratch);
	mdb_cursor_close(cur);
	if (rc)
		return rc;
	if (mrc && mrc != MDB_NOTFOUND)
		return st_mdb(st, mrc, "cases");
	if (seen < SYNC_BATCH || last == UINT64_MAX) {
		while (ctx->at < ix->n)
			sync_drop(ctx);
		ctx->done = true;
	} else {
		ctx->next = last + 1;
	}
	return M_OK;
}

int search_index_sync(store *st, search_index *ix, size_t *changed)
{
	struct sync_ctx ctx = {.ix = ix};
	int rc;

	if (changed)
		*changed = 0;
	if (!st->kr)
		return st_err(st, NOT_UNLOCKED);
	if ((rc = st_txn(st, false, peek_txn, &ctx.gen)))
		return rc;
	if (ctx.gen == ix->synced)
		return M_OK;
	while (!ctx.done && rc == M_OK)
		rc = st_txn(st, false, sync_txn, &ctx);
	if (ctx.changed)
		ix->nid_ok = false;
	map_release(ix);
	if (changed)
		*changed = ctx.changed;
	if (rc)
		return rc;
	/* A write after the first batch looked at its meta is caught next
	 * time, even if this pass read it already. */
	ix->synced = ctx.gen;
	if (names_settle(ix))
		return st_err(st, NOMEM);
	return M_OK;
}

/* ---- national ids from memory ------------------------------------------ */

static int by_nid(const void *a, const void *b, void *vix)
{
	const search_index *ix = vix;
	uint64_t x = nid_get(ix->e[*(const uint32_t *)a].nid),
	         y = nid_get(ix->e[*(const uint32_t *)b].nid);

	return x < y ? -1 : x > y;
}

static int nid_build(store *st, search_index *ix)
{
	size_t n = 0;

	keys_secure_free(ix->nid_rows);
	ix->nid_rows = NULL;
	ix->nid_n = 0;
	for (size_t i = 0; i < ix->n; i++)
		n += ix->e[i].nid != NULL;
	if (n && !(ix->nid_rows = keys_secure_alloc(n * sizeof *ix->nid_rows)))
		return st_err(st, NOMEM);
	for (size_t i = 0; i < ix->n; i++)
		if (ix->e[i].nid)
			ix->nid_rows[ix->nid_n++] = (uint32_t)i;
	if (ix->nid_n > 1)
		qsort_r(ix->nid_rows, ix->nid_n, sizeof *ix->nid_rows, by_nid, ix);
	ix->nid_for = ix->n;
	ix->nid_ok = true;
	return M_OK;
}

int search_index_national_id(store *st, search_index *ix, const char *nid, uint64_t **ids,
                             size_t *n)
{
	uint64_t want;
	size_t lo = 0, hi, k = 0;

	*ids = NULL;
	*n = 0;
	if (!nid_pack(nid, strlen(nid), &want))
		return M_OK;
	if (!ix->nid_ok || ix->nid_for != ix->n) {
		int rc = nid_build(st, ix);
		if (rc) {
			keys_wipe(&want, sizeof want);
			return rc;
		}
	}
	hi = ix->nid_n;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (nid_get(ix->e[ix->nid_rows[mid]].nid) < want)
			lo = mid + 1;
		else
			hi = mid;
	}
	for (hi = lo; hi < ix->nid_n && nid_get(ix->e[ix->nid_rows[hi]].nid) == want; hi++)
		;
	keys_wipe(&want, sizeof want);
	if (hi == lo)
		return M_OK;
	if (!(*ids = malloc((hi - lo) * sizeof **ids)))
		return st_err(st, NOMEM);
	for (size_t i = lo; i < hi; i++)
		(*ids)[k++] = ix->e[ix->nid_rows[i]].id;
	/* In id order, as the blind index gives them. */
	for (size_t i = 1; i < k; i++)
		for (size_t j = i; j > 0 && (*ids)[j - 1] > (*ids)[j]; j--) {
			uint64_t t = (*ids)[j];
			(*ids)[j] = (*ids)[j - 1];
			(*ids)[j - 1] = t;
		}
	*n = k;
	return M_OK;
}

_Static_assert((int)FOLD_LOOSE == (int)SEARCH_LOOSE && (int)FOLD_CLOSE == (int)SEARCH_CLOSE &&
                   (int)FOLD_EXACT == (int)SEARCH_EXACT,
               "a fold kind is a search match");

const char *search_match_name(enum search_match m)
{
	return m == SEARCH_EXACT ? "exact" : m == SEARCH_CLOSE ? "close" : "loose";
}

/* How many of the best hits are ranked fully (by kind, score, fit, then
 * name); the rest only by kind, score and fit: a list shows a screen of
 * them. Every exact hit comes before every close one, and those before
 * the loose. */
enum { RANKED = 256 };

/* Among hits of one kind and score, the better fit first: the query's
 * words in the name's order ("mohamed ali": Mohamed Ali before Ali
 * Mohamed), then fewer words of the name left over (Mohamed Ali before
 * Mohamed Mahad Ali). 0 to FIT_MAX - 1. */
enum { FIT_ORDER = 8, FIT_WORDS = 7, FIT_MAX = 16 };

struct ranked {
	struct search_hit hit;
	uint32_t row; /* its entry, whose folded name breaks ties */
	uint32_t fit;
};

static unsigned fit_of(bool in_order, unsigned words)
{
	unsigned extra = words ? words - 1 : 0;

	return (in_order ? FIT_ORDER : 0) + FIT_WORDS - (extra < FIT_WORDS ? extra : FIT_WORDS);
}

/* Folded names compared without fold_name's marks, so that Юлія Коваленко
 * sorts beside Yuliia Kovalenko, not after every Latin name. */
static int folded_cmp(const char *a, const char *b)
{
	for (;;) {
		while (*a == FOLD_NATIVE || *a == FOLD_ALTERNATE || *a == FOLD_NATIVE_FULL ||
		       *a == FOLD_SEP)
			a++;
		while (*b == FOLD_NATIVE || *b == FOLD_ALTERNATE || *b == FOLD_NATIVE_FULL ||
		       *b == FOLD_SEP)
			b++;
		if (*a != *b || !*a)
			return (unsigned char)*a - (unsigned char)*b;
		a++;
		b++;
	}
}

static int by_rank(const void *a, const void *b, void *ctx)
{
	const struct ranked *x = a, *y = b;
	const search_index *ix = ctx;
	int c;

	if (x->hit.match != y->hit.match)
		return x->hit.match > y->hit.match ? -1 : 1;
	if (x->hit.score != y->hit.score)
		return x->hit.score > y->hit.score ? -1 : 1;
	if (x->fit != y->fit)
		return x->fit > y->fit ? -1 : 1;
	c = folded_cmp(ix->e[x->row].folded, ix->e[y->row].folded);
	if (c)
		return c;
	return x->hit.id < y->hit.id ? -1 : x->hit.id > y->hit.id;
}

/* Room for n ranked hits in both of ix->rank. */
static int rank_room(search_index *ix, size_t n)
{
	size_t cap = ix->rank_cap ? ix->rank_cap : 256;

	if (n <= ix->rank_cap)
		return 0;
	while (cap < n)
		cap *= 2;
	for (int i = 0; i < 2; i++) {
		struct ranked *p = realloc(ix->rank[i], cap * sizeof *p);
		if (!p)
			return -1;
		ix->rank[i] = p;
	}
	ix->rank_cap = cap;
	return 0;
}

/* ix->rank[0][0, n) best first, in *out (one of ix->rank): a counting sort
 * by kind, score and fit (scores are small integers, and close together for
 * one query), then the first RANKED by name too. */
static int rank_hits(store *st, search_index *ix, size_t n, struct ranked **out)
{
	enum { KINDS = 4 };
	struct ranked *r = ix->rank[0], *to = ix->rank[1];
	size_t top = 0, low = SIZE_MAX, span, *count;

	*out = r;
	if (n <= RANKED) {
		if (n)
			qsort_r(r, n, sizeof *r, by_rank, ix);
		return M_OK;
	}
	for (size_t i = 0; i < n; i++) {
		size_t sc = (size_t)r[i].hit.score;
		top = sc > top ? sc : top;
		low = sc < low ? sc : low;
	}
	span = (top - low + 1) * FIT_MAX;
	if (!(count = calloc(span * KINDS + 1, sizeof *count)))
		return st_err(st, NOMEM);
	/* Descending: the best kind, score and fit in bucket 0. */
#define BUCKET(x)                                                                         \
	((KINDS - 1 - (size_t)(x).hit.match) * span + (top - (size_t)(x).hit.score) * FIT_MAX + \
	 (FIT_MAX - 1 - (x).fit))
	for (size_t i = 0; i < n; i++)
		count[BUCKET(r[i]) + 1]++;
	for (size_t b = 0; b < span * KINDS; b++)
		count[b + 1] += count[b];
	for (size_t i = 0; i < n; i++)
		to[count[BUCKET(r[i])]++] = r[i];
#undef BUCKET
	free(count);
	qsort_r(to, RANKED, sizeof *to, by_rank, ix);
	*out = to;
	return M_OK;
}

static bool all_digits(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (s[i] < '0' || s[i] > '9')
			return false;
	return n > 0;
}

/* A birth date as caseworkers type it: 2001-04-17 or 17.04.2001. */
static bool parse_date_query(const char *q, size_t n, char out[11])
{
	if (n == 10 && q[4] == '-' && q[7] == '-') {
		memcpy(out, q, 10);
	} else if (n == 10 && q[2] == '.' && q[5] == '.') {
		memcpy(out, q + 6, 4);
		out[4] = '-';
		memcpy(out + 5, q + 3, 2);
		out[7] = '-';
		memcpy(out + 8, q, 2);
	} else {
		return false;
	}
	out[10] = 0;
	return valid_date(out) == NULL;
}

int search_run(store *st, search_index *ix, const char *query, size_t len,
               struct search_hit **hits, size_t *nhits)
{
	struct ranked *r = NULL;
	size_t n = 0;
	char date[11], *fq = NULL;
	int rc = M_OK;

	*hits = NULL;
	*nhits = 0;
	while (len && (query[0] == ' ' || query[0] == '\t'))
		query++, len--;
	while (len && (query[len - 1] == ' ' || query[len - 1] == '\t' ||
	               query[len - 1] == '\n' || query[len - 1] == '\r'))
		len--;
	if (len == 0)
		return M_OK;

	if (all_digits(query, len) && len == 11) {
		uint64_t *ids;
		char nid[12];
		memcpy(nid, query, 11);
		nid[11] = 0;
		rc = search_index_national_id(st, ix, nid, &ids, &n); /* from memory */
		keys_wipe(nid, sizeof nid);
		if (rc)
			return rc;
		if (n) {
			*hits = calloc(n, sizeof **hits);
			if (!*hits) {
				free(ids);
				return st_err(st, NOMEM);
			}
			for (size_t i = 0; i < n; i++)
				(*hits)[i] = (struct search_hit){ids[i], 1000, SEARCH_EXACT};
			*nhits = n;
		}
		free(ids);
		return M_OK;
	}

	if (parse_date_query(query, len, date)) {
		if (rank_room(ix, ix->n))
			return st_err(st, NOMEM);
		r = ix->rank[0];
		for (size_t i = 0; i < ix->n; i++)
			if (strcmp(ix->e[i].birth, date) == 0)
				r[n++] = (struct ranked){{ix->e[i].id, 100, SEARCH_EXACT}, (uint32_t)i, 0};
		keys_wipe(date, sizeof date); /* a birth date typed as a query */
	} else {
		/* Room past the folded query: memcmp's vector loads read ahead,
		 * and a secure block ends at its guard page. */
		size_t cap = 4 * len + 72;
		struct name_hit *nh = NULL;
		size_t nn = 0;
		int nrc;
		if ((rc = search_index_prepare(st, ix)) || (rc = row_keys_ready(st, ix)))
			return rc;
		if (!(fq = keys_secure_alloc(cap)))
			return st_err(st, NOMEM);
		fold_name(query, len, fq, cap - 64);
		nrc = name_index_search(ix->names, fq, ix->n, name_at, ix, &nh, &nn);
		keys_secure_free(fq);
		if (nrc || rank_room(ix, nn)) {
			free(nh);
			return st_err(st, NOMEM);
		}
		r = ix->rank[0];
		for (size_t i = 0; i < nn; i++) {
			uint32_t row = nh[i].row;
			r[n++] = (struct ranked){
			    {ix->key_id[row], nh[i].score, (enum search_match)nh[i].kind}, row,
			    fit_of(nh[i].in_order, ix->key_words[row])};
		}
		free(nh);
	}
	if ((rc = rank_hits(st, ix, n, &r)))
		return rc;
	if (n) {
		*hits = malloc(n * sizeof **hits);
		if (!*hits) {
			rc = st_err(st, NOMEM);
			n = 0;
		}
	}
	for (size_t i = 0; i < n; i++)
		(*hits)[i] = r[i].hit;
	*nhits = n;
	return rc;
}
