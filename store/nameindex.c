/* nameindex.c: the word index (nameindex.h). Three sorted tables over one
 * pool of interned strings, all in locked memory:
 *   words  single-word units by text: literal prefixes, and typos (a range
 *          of one first letter, each distinct text tried once)
 *   joins  units of two or three words by text: literal prefixes
 *   keys   every unit's skeletons (with their vowel slots): equal, or a
 *          prefix once the query's skeleton is long enough
 *   groups variants.def groups of single-word units
 * A query of one position is scored straight from the postings it finds; a
 * longer one narrows the rows position by position (a set of rows that can
 * cover the words so far, as fold_rank covers them) and runs fold_rank on
 * what is left. */
#include "store/nameindex.h"

#include "keys/keys.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

enum { P_NATIVE = 1, P_VARIANT = 2, P_V0 = 4, P_V1 = 8, P_STRICT = 16 };

/* Each posting says which words of its name the unit covers (first,
 * nwords), so that a query of several words is solved from postings. */
struct text_post {
	uint32_t str, row; /* str: offset of the text in the pool, then its id while building */
	uint8_t len, flags, first, nwords;
};

struct key_post {
	uint32_t str, row; /* the key's letters, then as many slot letters */
	uint8_t klen, flags, first, nwords;
};

struct group_post {
	uint32_t row;
	uint16_t group;
	uint8_t flags, first;
};

/* A query unit's match with a unit of a row's name, while solving. */
struct match {
	uint32_t row;
	uint8_t unit, first, nwords, kind;
	int16_t score;
};

/* A table that grows in locked memory. */
struct table {
	void *p;
	size_t n, cap, size;
};

struct name_index {
	struct table pool; /* bytes */
	struct table words, joins, keys, groups;
	size_t rows;       /* rows indexed */
	size_t known;      /* rows known: indexed and appended since */
	uint64_t *stale;   /* rows below rows whose postings are out of date */
	bool any_stale;
	struct table pending; /* uint32_t rows scored directly */
	/* Per query, reused: position sets and one set of a unit's rows. */
	uint64_t *sets;
	size_t set_words, nsets;
	uint8_t *score, *kind; /* per row, for one-position queries */
	uint32_t *touched;
	size_t ntouched;
	uint32_t *count;       /* per row, matches while solving */
	struct table matches;  /* struct match, of one query */
	size_t gen;            /* moves on with every change: what a cache is of */
	struct typed *typed;   /* the words before the last of the query before */
};

/* Type-ahead: while the last word of a query grows, the words before it
 * are the same, and so are the rows that can cover them and their matches.
 * Kept from one keystroke to the next, in locked memory, and checked unit
 * by unit before use. */
struct typed {
	size_t npos, rows, gen, nunits;
	bool optional[16];
	struct fold_unit units[64]; /* the units wholly before the last position */
	uint8_t index[64];          /* their places in that query's list */
	uint64_t *sets;             /* positions [0, npos - 1]: npos sets */
	size_t set_words;
	struct table matches;       /* of those units */
};

static int table_grow(struct table *t, size_t more)
{
	size_t cap;
	void *p;

	if (t->n + more <= t->cap)
		return 0;
	cap = t->cap ? t->cap : 4096 / t->size;
	while (cap < t->n + more)
		cap *= 2;
	if (!(p = keys_secure_alloc(cap * t->size)))
		return -1;
	if (t->n)
		memcpy(p, t->p, t->n * t->size);
	keys_secure_free(t->p);
	t->p = p;
	t->cap = cap;
	return 0;
}

/* A table at its size: the doubling while building leaves up to half of a
 * table unused, in locked memory. */
static int table_fit(struct table *t)
{
	void *p;

	if (t->n == t->cap || !t->n)
		return 0;
	if (!(p = keys_secure_alloc(t->n * t->size)))
		return -1;
	memcpy(p, t->p, t->n * t->size);
	keys_secure_free(t->p);
	t->p = p;
	t->cap = t->n;
	return 0;
}

static void table_free(struct table *t)
{
	keys_secure_free(t->p);
	t->p = NULL;
	t->n = t->cap = 0;
}

/* ---- building --------------------------------------------------------- */

/* Interned strings: an open-addressing table of pool offsets while
 * building, so that a given name common to a thousand people is stored
 * once. */
struct intern {
	uint32_t *slot; /* offset + 1; 0 empty */
	uint32_t *id_of; /* per slot */
	size_t cap, n;
	uint32_t *offsets; /* by id */
	uint8_t *lens;     /* by id: bytes compared (a key: klen, its slots follow) */
	size_t ids_cap;
};

static uint64_t hash_bytes(const char *s, size_t n)
{
	uint64_t h = 1469598103934665603ull;

	for (size_t i = 0; i < n; i++)
		h = (h ^ (unsigned char)s[i]) * 1099511628211ull;
	return h;
}

static int intern_init(struct intern *in)
{
	memset(in, 0, sizeof *in);
	in->cap = 1 << 12;
	in->slot = calloc(in->cap, sizeof *in->slot);
	in->id_of = calloc(in->cap, sizeof *in->id_of);
	return in->slot && in->id_of ? 0 : -1;
}

static void intern_free(struct intern *in)
{
	free(in->slot);
	free(in->id_of);
	free(in->offsets);
	free(in->lens);
	memset(in, 0, sizeof *in);
}

/* The id of bytes s[0, n) (n: the bytes that make it distinct; cmp_len:
 * the bytes it sorts by), adding them to the pool when new. */
static int intern_put(struct intern *in, struct table *pool, const char *s, size_t n,
                      size_t cmp_len, uint32_t *id)
{
	uint64_t h = hash_bytes(s, n);
	size_t i;

	if ((in->n + 1) * 2 > in->cap) {
		/* Grow: the table holds its strings' hashes nowhere, so they
		 * are hashed again from the pool with their stored lengths. */
		size_t cap = in->cap * 2;
		uint32_t *slot = calloc(cap, sizeof *slot), *id_of = calloc(cap, sizeof *id_of);
		if (!slot || !id_of) {
			free(slot);
			free(id_of);
			return -1;
		}
		for (size_t k = 0; k < in->cap; k++) {
			uint32_t sid;
			size_t j;
			if (!in->slot[k])
				continue;
			sid = in->id_of[k];
			j = hash_bytes((const char *)pool->p + in->slot[k] - 1,
			               in->lens[sid] & 0x80 ? 2u * (in->lens[sid] & 0x7f)
			                                    : in->lens[sid]) &
			    (cap - 1);
			while (slot[j])
				j = (j + 1) & (cap - 1);
			slot[j] = in->slot[k];
			id_of[j] = sid;
		}
		free(in->slot);
		free(in->id_of);
		in->slot = slot;
		in->id_of = id_of;
		in->cap = cap;
	}
	for (i = h & (in->cap - 1); in->slot[i]; i = (i + 1) & (in->cap - 1)) {
		uint32_t sid = in->id_of[i];
		size_t sn = in->lens[sid] & 0x80 ? 2u * (in->lens[sid] & 0x7f) : in->lens[sid];
		if (sn == n && memcmp((const char *)pool->p + in->slot[i] - 1, s, n) == 0) {
			*id = sid;
			return 0;
		}
	}
	if (in->n == in->ids_cap) {
		size_t cap = in->ids_cap ? in->ids_cap * 2 : 4096;
		uint32_t *o = realloc(in->offsets, cap * sizeof *o);
		if (!o)
			return -1;
		in->offsets = o;
		uint8_t *l = realloc(in->lens, cap);
		if (!l)
			return -1;
		in->lens = l;
		in->ids_cap = cap;
	}
	if (table_grow(pool, n + 1))
		return -1;
	memcpy((char *)pool->p + pool->n, s, n);
	((char *)pool->p)[pool->n + n] = '\0';
	in->offsets[in->n] = (uint32_t)pool->n;
	/* A key's length byte says its slots follow (bit 7). */
	in->lens[in->n] = (uint8_t)(cmp_len == n ? n : (0x80 | cmp_len));
	in->slot[i] = (uint32_t)pool->n + 1;
	in->id_of[i] = (uint32_t)in->n;
	pool->n += n + 1;
	*id = (uint32_t)in->n++;
	return 0;
}

struct build {
	name_index *ni;
	struct intern texts, keys;
	uint32_t row;
	unsigned units; /* of this row: fold_rank compares the first FOLD_NAME_UNITS */
	int rc;
};

static int post_text(struct build *b, struct table *t, const struct fold_unit *u)
{
	struct text_post *p;
	uint32_t id;

	if (intern_put(&b->texts, &b->ni->pool, u->text, u->len, u->len, &id) || table_grow(t, 1))
		return -1;
	p = (struct text_post *)t->p + t->n++;
	*p = (struct text_post){id, b->row, (uint8_t)u->len,
	                        (uint8_t)((u->native ? P_NATIVE : 0) | (u->variant ? P_VARIANT : 0)),
	                        u->first, u->nwords};
	return 0;
}

static int post_key(struct build *b, const struct fold_unit *u, int v, uint8_t which)
{
	char buf[2 * FOLD_KEY_MAX];
	struct key_post *p;
	uint32_t id;
	size_t n = u->klen[v];
	int rc;

	memcpy(buf, u->key[v], n);
	memcpy(buf + n, u->slot[v], n);
	rc = intern_put(&b->keys, &b->ni->pool, buf, 2 * n, n, &id);
	explicit_bzero(buf, 2 * n); /* a name's skeleton */
	if (rc || table_grow(&b->ni->keys, 1))
		return -1;
	p = (struct key_post *)b->ni->keys.p + b->ni->keys.n++;
	*p = (struct key_post){id, b->row, (uint8_t)n,
	                       (uint8_t)(which | (u->native ? P_NATIVE : 0) |
	                                 (u->variant ? P_VARIANT : 0) | (u->strict ? P_STRICT : 0)),
	                       u->first, u->nwords};
	return 0;
}

static int unit_post(void *ctx, const struct fold_unit *u)
{
	struct build *b = ctx;

	if (b->units++ >= FOLD_NAME_UNITS)
		return 0;
	/* A unit with a w has a posting for each reading; one without, one for
	 * both (which is how a search tells the two apart). */
	bool two = u->has_w;

	if (post_text(b, u->nwords == 1 ? &b->ni->words : &b->ni->joins, u))
		return -1;
	if (u->klen[0] && post_key(b, u, 0, two ? P_V0 : P_V0 | P_V1))
		return -1;
	if (two && u->klen[1] && post_key(b, u, 1, P_V1))
		return -1;
	if (u->group) {
		struct group_post *g;
		if (table_grow(&b->ni->groups, 1))
			return -1;
		g = (struct group_post *)b->ni->groups.p + b->ni->groups.n++;
		*g = (struct group_post){b->row, (uint16_t)u->group,
		                         (uint8_t)(u->variant ? P_VARIANT : 0), u->first};
	}
	return 0;
}

static int index_row(name_index *ni, struct build *b, const char *folded)
{
	struct fold_word w[FOLD_WORDS_MAX];
	size_t n = fold_words(folded, w, FOLD_WORDS_MAX);

	(void)ni;
	return n ? fold_units(w, n, unit_post, b) : 0;
}

/* Sorting: the distinct strings once (by their bytes), then the postings by
 * their string's rank with a counting sort, which keeps each string's rows
 * in row order. */
struct rank_ctx {
	const char *pool;
	const struct intern *in;
};

static int id_cmp(const void *a, const void *b, void *vctx)
{
	const struct rank_ctx *c = vctx;
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
	size_t lx = c->in->lens[x] & 0x7f, ly = c->in->lens[y] & 0x7f;
	const char *sx = c->pool + c->in->offsets[x], *sy = c->pool + c->in->offsets[y];
	int r = memcmp(sx, sy, lx < ly ? lx : ly);

	if (r)
		return r;
	if (lx != ly)
		return lx < ly ? -1 : 1;
	/* Equal keys with other slots: any fixed order. */
	return x < y ? -1 : x > y;
}

static int ranks_of(const struct intern *in, const char *pool, uint32_t **out)
{
	uint32_t *order = malloc((in->n ? in->n : 1) * sizeof *order),
	         *rank = malloc((in->n ? in->n : 1) * sizeof *rank);
	struct rank_ctx c = {pool, in};

	if (!order || !rank) {
		free(order);
		free(rank);
		return -1;
	}
	for (uint32_t i = 0; i < in->n; i++)
		order[i] = i;
	qsort_r(order, in->n, sizeof *order, id_cmp, &c);
	for (uint32_t i = 0; i < in->n; i++)
		rank[order[i]] = i;
	free(order);
	*out = rank;
	return 0;
}

/* Postings t (elements of size, their u32 str at offset 0) in the order of
 * rank[str]; str becomes the pool offset. */
static int sort_posts(struct table *t, const uint32_t *rank, size_t nranks,
                      const struct intern *in)
{
	size_t *count = calloc(nranks + 1, sizeof *count);
	struct table out = {.size = t->size};

	if (!count || (t->n && table_grow(&out, t->n))) {
		free(count);
		table_free(&out);
		return -1;
	}
	for (size_t i = 0; i < t->n; i++)
		count[rank[*(uint32_t *)((char *)t->p + i * t->size)] + 1]++;
	for (size_t r = 0; r < nranks; r++)
		count[r + 1] += count[r];
	for (size_t i = 0; i < t->n; i++) {
		char *src = (char *)t->p + i * t->size;
		uint32_t id = *(uint32_t *)src;
		char *dst = (char *)out.p + count[rank[id]]++ * t->size;
		memcpy(dst, src, t->size);
		*(uint32_t *)dst = in->offsets[id];
	}
	out.n = t->n;
	free(count);
	table_free(t);
	*t = out;
	return 0;
}

static int group_cmp(const void *a, const void *b)
{
	const struct group_post *x = a, *y = b;

	if (x->group != y->group)
		return x->group < y->group ? -1 : 1;
	return x->row < y->row ? -1 : x->row > y->row;
}

static int scratch_alloc(name_index *ni)
{
	size_t words = (ni->rows + 63) / 64 + 1;

	ni->set_words = words;
	ni->nsets = 16 + 2; /* a query covers at most 16 positions (fold_query) */
	ni->sets = keys_secure_alloc(ni->nsets * words * sizeof *ni->sets);
	ni->stale = calloc(words, sizeof *ni->stale);
	ni->score = keys_secure_alloc(ni->rows + 1);
	ni->kind = keys_secure_alloc(ni->rows + 1);
	ni->touched = keys_secure_alloc((ni->rows + 1) * sizeof *ni->touched);
	ni->count = calloc(ni->rows + 1, sizeof *ni->count);
	ni->matches.size = sizeof(struct match);
	if (!ni->sets || !ni->stale || !ni->score || !ni->kind || !ni->touched || !ni->count)
		return -1;
	memset(ni->score, 0, ni->rows + 1);
	return 0;
}

int name_index_build(name_index **out, size_t n, name_at_fn at, void *ctx)
{
	name_index *ni = calloc(1, sizeof *ni);
	struct build b = {.ni = ni};
	uint32_t *trank = NULL, *krank = NULL;
	int rc = -1;

	*out = NULL;
	if (!ni || n > UINT32_MAX - 1)
		goto out;
	ni->pool.size = 1;
	ni->words.size = ni->joins.size = sizeof(struct text_post);
	ni->keys.size = sizeof(struct key_post);
	ni->groups.size = sizeof(struct group_post);
	ni->pending.size = sizeof(uint32_t);
	ni->rows = ni->known = n;
	if (intern_init(&b.texts) || intern_init(&b.keys))
		goto out;
	for (size_t r = 0; r < n; r++) {
		const char *f = at(ctx, r);
		b.row = (uint32_t)r;
		b.units = 0;
		if (f && index_row(ni, &b, f))
			goto out;
	}
	if (ranks_of(&b.texts, ni->pool.p, &trank) || ranks_of(&b.keys, ni->pool.p, &krank) ||
	    sort_posts(&ni->words, trank, b.texts.n, &b.texts) ||
	    sort_posts(&ni->joins, trank, b.texts.n, &b.texts) ||
	    sort_posts(&ni->keys, krank, b.keys.n, &b.keys))
		goto out;
	if (ni->groups.n > 1)
		qsort(ni->groups.p, ni->groups.n, sizeof(struct group_post), group_cmp);
	if (table_fit(&ni->pool) || table_fit(&ni->words) || table_fit(&ni->joins) ||
	    table_fit(&ni->keys) || table_fit(&ni->groups) || scratch_alloc(ni))
		goto out;
	rc = 0;
out:
	free(trank);
	free(krank);
	intern_free(&b.texts);
	intern_free(&b.keys);
	if (rc) {
		name_index_free(ni);
		return -1;
	}
	*out = ni;
	return 0;
}

void name_index_free(name_index *ni)
{
	if (!ni)
		return;
	table_free(&ni->pool);
	table_free(&ni->words);
	table_free(&ni->joins);
	table_free(&ni->keys);
	table_free(&ni->groups);
	table_free(&ni->pending);
	keys_secure_free(ni->sets);
	keys_secure_free(ni->score);
	keys_secure_free(ni->kind);
	keys_secure_free(ni->touched);
	table_free(&ni->matches);
	if (ni->typed) {
		keys_secure_free(ni->typed->sets);
		table_free(&ni->typed->matches);
		keys_secure_free(ni->typed);
	}
	free(ni->count);
	free(ni->stale);
	free(ni);
}

int name_index_changed(name_index *ni, size_t row)
{
	ni->gen++;
	if (row < ni->rows) {
		if (ni->stale[row / 64] & (UINT64_C(1) << (row % 64)))
			return 0;
		ni->stale[row / 64] |= UINT64_C(1) << (row % 64);
		ni->any_stale = true;
	} else if (row == ni->known) {
		ni->known++;
	} else {
		return 0; /* known already, and pending */
	}
	if (table_grow(&ni->pending, 1))
		return -1;
	((uint32_t *)ni->pending.p)[ni->pending.n++] = (uint32_t)row;
	return 0;
}

size_t name_index_pending(const name_index *ni)
{
	return ni->pending.n;
}

/* ---- searching -------------------------------------------------------- */

static bool is_stale(const name_index *ni, uint32_t row)
{
	return row >= ni->rows || (ni->stale[row / 64] >> (row % 64)) & 1;
}

/* What a unit's look-up does with each row it finds: set a bit, or keep
 * the best match. */
struct visit {
	name_index *ni;
	uint64_t *set; /* NULL: score */
	uint8_t unit;  /* with a set: the query unit, whose matches are kept */
	bool failed;
};

static void found(struct visit *v, uint32_t row, struct fold_match m, uint8_t first,
                  uint8_t nwords)
{
	name_index *ni = v->ni;

	/* Postings are of indexed rows only: stale is the one way out. */
	if (!m.score || (ni->any_stale && is_stale(ni, row)))
		return;
	if (v->set) {
		v->set[row / 64] |= UINT64_C(1) << (row % 64);
		if (ni->matches.n == ni->matches.cap && table_grow(&ni->matches, 1)) {
			v->failed = true;
			return;
		}
		((struct match *)ni->matches.p)[ni->matches.n++] =
		    (struct match){row, v->unit, first, nwords, (uint8_t)m.kind, (int16_t)m.score};
		return;
	}
	if (!ni->score[row])
		ni->touched[ni->ntouched++] = row;
	if (m.score > ni->score[row] || (m.score == ni->score[row] && m.kind > ni->kind[row])) {
		ni->score[row] = (uint8_t)m.score;
		ni->kind[row] = (uint8_t)m.kind;
	}
}

/* The first text posting whose text is not below s[0, n) in its first n
 * bytes. */
static size_t text_lower(const name_index *ni, const struct table *t, const char *s, size_t n)
{
	const struct text_post *p = t->p;
	const char *pool = ni->pool.p;
	size_t lo = 0, hi = t->n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2, l = p[mid].len < n ? p[mid].len : n;
		int c = memcmp(pool + p[mid].str, s, l);
		if (c < 0 || (c == 0 && p[mid].len < n))
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/* In the loops below, a string's postings are next to each other (one
 * interned offset): its comparison and its match are made once. */
static void find_literal(struct visit *v, const struct table *t, const struct fold_unit *u)
{
	const struct text_post *p = t->p;
	const char *pool = v->ni->pool.p;
	struct fold_match m = {0, FOLD_NONE};
	uint32_t last = UINT32_MAX;
	uint8_t last_flags = 0;

	for (size_t i = text_lower(v->ni, t, u->text, u->len); i < t->n; i++) {
		if (p[i].str != last) {
			if (p[i].len < u->len || memcmp(pool + p[i].str, u->text, u->len) != 0)
				break;
			last = p[i].str;
			last_flags = (uint8_t)~p[i].flags;
		}
		if (p[i].flags != last_flags) {
			m = fold_match_literal(u, pool + p[i].str, p[i].len, p[i].flags & P_VARIANT);
			last_flags = p[i].flags;
		}
		found(v, p[i].row, m, p[i].first, p[i].nwords);
	}
}

static void find_typo(struct visit *v, const struct fold_unit *u)
{
	const struct table *t = &v->ni->words;
	const struct text_post *p = t->p;
	const char *pool = v->ni->pool.p;
	struct fold_match m = {0, FOLD_NONE};
	uint32_t last = UINT32_MAX;

	if (!fold_typo_ok(u))
		return;
	for (size_t i = text_lower(v->ni, t, u->text, 1); i < t->n; i++) {
		if (pool[p[i].str] != u->text[0])
			break;
		if (p[i].str != last) { /* interned: equal texts share an offset */
			m = fold_match_typo(u, pool + p[i].str, p[i].len, 1);
			last = p[i].str;
		}
		found(v, p[i].row, m, p[i].first, 1);
	}
}

static void find_keys(struct visit *v, const struct fold_unit *u)
{
	const struct key_post *p = v->ni->keys.p;
	const char *pool = v->ni->pool.p;
	size_t nk = v->ni->keys.n;

	for (int k = 0; k < 2; k++) {
		const char *key = u->key[k];
		size_t n = u->klen[k], lo = 0, hi = nk;
		uint8_t want = k ? P_V1 : P_V0;

		if (!n)
			continue;
		while (lo < hi) {
			size_t mid = lo + (hi - lo) / 2, l = p[mid].klen < n ? p[mid].klen : n;
			int c = memcmp(pool + p[mid].str, key, l);
			if (c < 0 || (c == 0 && p[mid].klen < n))
				lo = mid + 1;
			else
				hi = mid;
		}
		bool prefix_ok = fold_key_prefix_ok(u, k);
		struct fold_match m = {0, FOLD_NONE};
		uint32_t last = UINT32_MAX;
		uint8_t last_flags = 0;

		for (size_t i = lo; i < nk; i++) {
			const char *s = pool + p[i].str;
			if (p[i].str != last) {
				if (p[i].klen < n || memcmp(s, key, n) != 0)
					break;
				if (p[i].klen > n && !prefix_ok)
					break; /* sorted: longer keys with this prefix follow */
				last = p[i].str;
				last_flags = (uint8_t)~p[i].flags;
			}
			if (!(p[i].flags & want))
				continue;
			if (p[i].flags != last_flags) {
				/* A posting for both readings: its unit has no w. */
				m = fold_match_key(u, k, s, s + p[i].klen, p[i].klen,
				                   p[i].flags & P_NATIVE, p[i].flags & P_VARIANT,
				                   p[i].flags & P_STRICT, !(p[i].flags & P_V0 && p[i].flags & P_V1));
				last_flags = p[i].flags;
			}
			found(v, p[i].row, m, p[i].first, p[i].nwords);
		}
	}
}

static void find_group(struct visit *v, const struct fold_unit *u)
{
	const struct group_post *g = v->ni->groups.p;
	size_t lo = 0, hi = v->ni->groups.n;

	if (!u->group)
		return;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (g[mid].group < u->group)
			lo = mid + 1;
		else
			hi = mid;
	}
	for (size_t i = lo; i < v->ni->groups.n && g[i].group == u->group; i++)
		found(v, g[i].row, fold_match_group(u, g[i].group), g[i].first, 1);
}

static void find_unit(struct visit *v, const struct fold_unit *u)
{
	find_literal(v, &v->ni->words, u);
	find_literal(v, &v->ni->joins, u);
	find_keys(v, u);
	find_group(v, u);
	find_typo(v, u);
}

struct unit_list {
	struct fold_unit u[64];
	size_t n;
};

/* One row's best covering of the query positions by its matches, as
 * fold_rank's: each position once (an article may be left out), by units
 * over words of the name not used twice. */
struct solve {
	const struct unit_list *ul;
	const struct match *m;
	size_t n, npos;
	const bool *optional;
	struct fold_match best;
	bool best_in_order;
	unsigned nodes;
};

enum { SOLVE_NODES = 4096 };

static void solve_from(struct solve *s, size_t pos, uint64_t used, int sum, enum fold_kind kind,
                       int last, bool in_order)
{
	if (pos >= s->npos) {
		if (fold_fit_better(sum, kind, in_order, s->best.score, s->best.kind,
		                    s->best_in_order)) {
			s->best = (struct fold_match){sum, kind};
			s->best_in_order = in_order;
		}
		return;
	}
	if (!s->nodes)
		return;
	s->nodes--;
	if (s->optional[pos])
		solve_from(s, pos + 1, used, sum, kind, last, in_order);
	for (size_t k = 0; k < s->n; k++) {
		const struct match *m = &s->m[k];
		const struct fold_unit *u = &s->ul->u[m->unit];
		uint64_t mask = 0;
		if (u->first != pos)
			continue;
		for (unsigned w = 0; w < m->nwords && m->first + w < 64; w++)
			mask |= UINT64_C(1) << (m->first + w);
		if (used & mask)
			continue;
		solve_from(s, pos + u->nwords, used | mask, sum + m->score,
		           (enum fold_kind)m->kind < kind ? (enum fold_kind)m->kind : kind, m->first,
		           in_order && (int)m->first > last);
	}
}

static int hit_push(struct name_hit **hits, size_t *n, size_t *cap, uint32_t row, int score,
                    enum fold_kind kind, bool in_order)
{
	if (*n == *cap) {
		size_t c = *cap ? *cap * 2 : 64;
		struct name_hit *h = realloc(*hits, c * sizeof *h);
		if (!h)
			return -1;
		*hits = h;
		*cap = c;
	}
	(*hits)[(*n)++] = (struct name_hit){row, score, kind, in_order};
	return 0;
}

static bool unit_same(const struct fold_unit *a, const struct fold_unit *b)
{
	if (a->len != b->len || a->first != b->first || a->nwords != b->nwords ||
	    a->native != b->native || a->variant != b->variant || a->has_w != b->has_w ||
	    a->strict != b->strict || a->group != b->group || memcmp(a->text, b->text, a->len) != 0)
		return false;
	for (int v = 0; v < 2; v++)
		if (a->klen[v] != b->klen[v] || memcmp(a->key[v], b->key[v], a->klen[v]) != 0 ||
		    memcmp(a->slot[v], b->slot[v], a->klen[v]) != 0)
			return false;
	return true;
}

static bool before_last(const struct fold_unit *u, size_t npos)
{
	return (size_t)u->first + u->nwords <= npos - 1;
}

/* The kept words before the last, if they are this query's: their sets
 * into sets[0, npos), their matches into ni->matches with this query's
 * unit numbers. */
static bool typed_restore(name_index *ni, const struct unit_list *ul, size_t npos, size_t rows,
                          const bool *optional, uint64_t *sets)
{
	struct typed *t = ni->typed;
	uint8_t map[64];
	size_t k = 0;

	if (!t || t->npos != npos || t->rows != rows || t->gen != ni->gen ||
	    t->set_words != ni->set_words ||
	    memcmp(t->optional, optional, (npos - 1) * sizeof *optional) != 0)
		return false;
	for (size_t i = 0; i < ul->n; i++) {
		if (!before_last(&ul->u[i], npos))
			continue;
		if (k == t->nunits || !unit_same(&ul->u[i], &t->units[k]))
			return false;
		map[t->index[k++]] = (uint8_t)i;
	}
	if (k != t->nunits || table_grow(&ni->matches, t->matches.n))
		return false;
	memcpy(sets, t->sets, npos * ni->set_words * sizeof *sets);
	if (t->matches.n)
		memcpy(ni->matches.p, t->matches.p, t->matches.n * sizeof(struct match));
	ni->matches.n = t->matches.n;
	for (size_t i = 0; i < ni->matches.n; i++) {
		struct match *m = (struct match *)ni->matches.p + i;
		m->unit = map[m->unit];
	}
	return true;
}

/* Keep the words before the last for the next keystroke (nothing kept
 * when memory is short: the next one looks them up again). */
static void typed_keep(name_index *ni, const struct unit_list *ul, size_t npos, size_t rows,
                       const bool *optional, const uint64_t *sets)
{
	struct typed *t = ni->typed;

	if (!t) {
		if (!(t = keys_secure_alloc(sizeof *t)))
			return;
		memset(t, 0, sizeof *t);
		t->matches.size = sizeof(struct match);
		ni->typed = t;
	}
	t->npos = 0; /* not valid until whole */
	if (t->set_words != ni->set_words || !t->sets) {
		keys_secure_free(t->sets);
		t->set_words = ni->set_words;
		if (!(t->sets = keys_secure_alloc(16 * t->set_words * sizeof *t->sets)))
			return;
	}
	t->nunits = 0;
	for (size_t i = 0; i < ul->n; i++)
		if (before_last(&ul->u[i], npos)) {
			t->units[t->nunits] = ul->u[i];
			t->index[t->nunits++] = (uint8_t)i;
		}
	t->matches.n = 0;
	if (ni->matches.n && table_grow(&t->matches, ni->matches.n))
		return;
	if (ni->matches.n)
		memcpy(t->matches.p, ni->matches.p, ni->matches.n * sizeof(struct match));
	t->matches.n = ni->matches.n;
	memcpy(t->sets, sets, npos * ni->set_words * sizeof *sets);
	memcpy(t->optional, optional, (npos - 1) * sizeof *optional);
	t->rows = rows;
	t->gen = ni->gen;
	t->npos = npos;
}

/* The rows of set solved from their matches, kept in ni->matches: bucketed
 * by row (a counting sort over the rows that have any), then each row's
 * best covering. */
struct solve_in {
	const char *q; /* the folded query */
	name_at_fn at;
	void *ctx;
};

static int solve_rows(name_index *ni, const struct unit_list *ul, const uint64_t *set,
                      size_t rows, size_t npos, const bool *optional, const struct solve_in *in,
                      struct name_hit **hits, size_t *nhits, size_t *cap)
{
	const struct match *m = ni->matches.p;
	struct match *by_row = NULL;
	size_t nm = ni->matches.n, at = 0, nrows = 0;
	int rc = -1;

	for (size_t i = 0; i < nm; i++) {
		uint32_t r = m[i].row;
		if (!((set[r / 64] >> (r % 64)) & 1))
			continue;
		if (!ni->count[r]++)
			ni->touched[nrows++] = r;
	}
	if (!nrows)
		return 0;
	if (!(by_row = malloc(nm * sizeof *by_row)))
		goto out;
	/* count[r] becomes the end of r's bucket, then its start. */
	for (size_t i = 0; i < nrows; i++) {
		at += ni->count[ni->touched[i]];
		ni->count[ni->touched[i]] = (uint32_t)at;
	}
	for (size_t i = nm; i-- > 0;) {
		uint32_t r = m[i].row;
		if ((set[r / 64] >> (r % 64)) & 1)
			by_row[--ni->count[r]] = m[i];
	}
	for (size_t i = 0; i < nrows; i++) {
		uint32_t r = ni->touched[i];
		size_t from = ni->count[r], to = i + 1 < nrows ? ni->count[ni->touched[i + 1]] : at;
		struct solve sv = {ul, by_row + from, to - from, npos, optional, {0, FOLD_NONE},
		                   false, SOLVE_NODES};
		if (r >= rows)
			continue;
		solve_from(&sv, 0, 0, 0, FOLD_EXACT, -1, true);
		/* Cut short (a name and a query of many equal words): the two
		 * searches try their choices in another order, so the row is
		 * ranked as fold_rank ranks it. */
		if (!sv.nodes)
			sv.best.score = fold_rank_fit(in->q, in->at(in->ctx, r), &sv.best.kind,
			                              &sv.best_in_order);
		if (sv.best.score && hit_push(hits, nhits, cap, r, sv.best.score, sv.best.kind,
		                              sv.best_in_order))
			goto out;
	}
	rc = 0;
out:
	for (size_t i = 0; i < nrows; i++)
		ni->count[ni->touched[i]] = 0;
	free(by_row);
	return rc;
}

/* Whether every covering of the query is a single unit: the positions
 * before the last are articles it may leave out ("al-a" is a or ala), and
 * every unit reaches the last. Then a row's best match is its score, with
 * no sets and no solving: the broadest queries ("a", "al-a": a quarter of
 * a million rows at a million) take the fast way. */
static bool one_unit_covers(const struct unit_list *ul, size_t npos, const bool *optional)
{
	if (optional[npos - 1])
		return false;
	for (size_t p = 0; p + 1 < npos; p++)
		if (!optional[p])
			return false;
	for (size_t i = 0; i < ul->n; i++)
		if ((size_t)ul->u[i].first + ul->u[i].nwords != npos)
			return false;
	return true;
}

/* The rows found by scoring, as hits, in the order found. (In row order,
 * by a scan of ni->score, it was slower at a million rows, not faster:
 * the scan's branches cost more than the caller's reads saved.) */
static int scored_rows(name_index *ni, size_t rows, struct name_hit **hits, size_t *nhits,
                       size_t *cap)
{
	if (ni->ntouched > *cap) { /* one block, not a dozen reallocs */
		struct name_hit *h = realloc(*hits, ni->ntouched * sizeof *h);
		if (!h)
			return -1;
		*hits = h;
		*cap = ni->ntouched;
	}
	for (size_t i = 0; i < ni->ntouched; i++) {
		uint32_t r = ni->touched[i];
		if (r < rows &&
		    hit_push(hits, nhits, cap, r, ni->score[r], (enum fold_kind)ni->kind[r], true))
			return -1;
	}
	return 0;
}

int name_index_search(name_index *ni, const char *q, size_t rows, name_at_fn at, void *ctx,
                      struct name_hit **hits, size_t *nhits)
{
	struct unit_list *ul = NULL;
	bool optional[FOLD_WORDS_MAX];
	size_t npos, cap = 0, W = ni->set_words;
	const uint32_t *pending = ni->pending.p;
	int rc = -1;

	*hits = NULL;
	*nhits = 0;
	if (!(ul = malloc(sizeof *ul)))
		return -1;
	ul->n = fold_query(q, ul->u, sizeof ul->u / sizeof *ul->u, optional, &npos);
	if (!npos || npos + 1 > ni->nsets) {
		free(ul);
		return 0;
	}

	/* A query of one word keeps nothing of the words before: what the last
	 * query of several kept is wiped. */
	if (npos == 1 && ni->typed && ni->typed->npos) {
		explicit_bzero(ni->typed->units, sizeof ni->typed->units);
		ni->typed->npos = ni->typed->nunits = 0;
	}
	if (one_unit_covers(ul, npos, optional)) {
		/* Scored from the postings: the best match of one unit is
		 * fold_rank's score when every covering is one unit. */
		struct visit v = {ni, NULL, 0, false};
		ni->ntouched = 0;
		for (size_t i = 0; i < ul->n; i++)
			find_unit(&v, &ul->u[i]);
		if (scored_rows(ni, rows, hits, nhits, &cap))
			goto out;
	} else {
		/* sets[p]: the rows that can cover positions [0, p). First the
		 * units wholly before the last position (kept from the keystroke
		 * before when its words were these), then those that reach it. */
		uint64_t *set = ni->sets, *unit_set = ni->sets + (ni->nsets - 1) * W;
		bool kept = typed_restore(ni, ul, npos, rows, optional, set);
		if (!kept) {
			ni->matches.n = 0;
			memset(set, 0, npos * W * sizeof *set);
			memset(set, 0xff, W * sizeof *set);
		}
		memset(set + npos * W, 0, W * sizeof *set);
		for (int pass = kept ? 1 : 0; pass < 2; pass++) {
			for (size_t p = 0; p < npos; p++) {
				uint64_t *from = set + p * W, any = 0;
				for (size_t k = 0; k < W; k++)
					any |= from[k];
				if (!any)
					continue;
				/* An article left out: in the pass of what it reaches. */
				if (optional[p] && (p + 1 == npos) == (pass == 1))
					for (size_t k = 0; k < W; k++)
						set[(p + 1) * W + k] |= from[k];
				for (size_t i = 0; i < ul->n; i++) {
					const struct fold_unit *u = &ul->u[i];
					struct visit v = {ni, unit_set, (uint8_t)i, false};
					uint64_t *to;
					if (u->first != p || p + u->nwords > npos ||
					    before_last(u, npos) != (pass == 0))
						continue;
					memset(unit_set, 0, W * sizeof *unit_set);
					find_unit(&v, u);
					if (v.failed)
						goto out;
					to = set + (p + u->nwords) * W;
					for (size_t k = 0; k < W; k++)
						to[k] |= from[k] & unit_set[k];
				}
			}
			if (pass == 0)
				typed_keep(ni, ul, npos, rows, optional, set);
		}
		struct solve_in in = {q, at, ctx};
		if (solve_rows(ni, ul, set + npos * W, rows, npos, optional, &in, hits, nhits, &cap))
			goto out;
	}
	/* Rows changed since the build: scored directly. */
	for (size_t i = 0; i < ni->pending.n; i++) {
		enum fold_kind kind;
		bool in_order;
		const char *f;
		int s;
		if (pending[i] >= rows || !(f = at(ctx, pending[i])))
			continue;
		s = fold_rank_fit(q, f, &kind, &in_order);
		if (s && hit_push(hits, nhits, &cap, pending[i], s, kind, in_order))
			goto out;
	}
	rc = 0;
out:
	for (size_t i = 0; i < ni->ntouched; i++)
		ni->score[ni->touched[i]] = 0;
	ni->ntouched = 0;
	if (ul)
		explicit_bzero(ul, sizeof *ul);
	free(ul);
	if (rc) {
		free(*hits);
		*hits = NULL;
		*nhits = 0;
	}
	return rc;
}
