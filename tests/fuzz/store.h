/* The real store the fuzzers that go through store/ work on: made once in
 * a mkdtemp directory with "admin" unlocked, MDB_NOSYNC so that a run costs
 * no fsync. A failure here is no finding: the harness aborts. Include after
 * store/private.h. */
#ifndef MAPPE_TESTS_FUZZ_STORE_H
#define MAPPE_TESTS_FUZZ_STORE_H

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "tests/unit/open.h"

static inline store *fuzz_store(void)
{
	static const char pass[] = "fuzz passphrase";
	static const struct keys_kdf kdf = {2, 64ull << 20};
	const struct store_options opt = {0, &kdf};
	char dir[] = "/tmp/mappe-fuzz-XXXXXX", err[512];
	store *st = NULL;

	if (keys_init() || !mkdtemp(dir) ||
	    t_store_create(dir, "admin", pass, strlen(pass), &opt, err, sizeof err) ||
	    t_store_open(dir, &opt, &st, err, sizeof err) ||
	    store_unlock(st, "admin", pass, strlen(pass)))
		abort();
	mdb_env_set_flags(st->env, MDB_NOSYNC, 1);
	return st;
}

struct fuzz_raw {
	enum store_db db;
	const void *k;
	size_t klen;
	const void *v; /* NULL: delete */
	size_t vlen;
};

static inline int fuzz_raw_txn(store *s, MDB_txn *txn, void *vctx)
{
	struct fuzz_raw *r = vctx;
	MDB_val k = {r->klen, (void *)r->k};

	if (!r->v) {
		int rc = mdb_del(txn, s->dbi[r->db], &k, NULL);
		return rc == 0 || rc == MDB_NOTFOUND ? M_OK : M_UNAVAILABLE;
	}
	return st_put(s, txn, r->db, r->k, r->klen, r->v, r->vlen, 0);
}

/* Put v at k in table db as a writer of the file would (v NULL: delete it). */
static inline void fuzz_raw(store *st, enum store_db db, const void *k, size_t klen, const void *v,
                            size_t vlen)
{
	struct fuzz_raw r = {db, k, klen, v, vlen};

	if (st_txn(st, true, fuzz_raw_txn, &r) != M_OK)
		abort();
}

struct fuzz_header {
	uint8_t *b;
	size_t cap, len;
};

static inline int fuzz_header_txn(store *s, MDB_txn *txn, void *vctx)
{
	struct fuzz_header *h = vctx;
	uint8_t k[8];
	MDB_val v;

	be64(k, 1);
	if (st_get(s, txn, DB_CASES, k, 8, &v) != M_OK || v.mv_size > h->cap)
		return M_INTEGRITY;
	memcpy(h->b, v.mv_data, v.mv_size);
	h->len = v.mv_size;
	return M_OK;
}

/* Case 1's value in the cases table (its header), to put back after each
 * run: into b (cap bytes), its length in *len. */
static inline int fuzz_save_header(store *st, uint8_t *b, size_t cap, size_t *len)
{
	struct fuzz_header h = {b, cap, 0};
	int rc = st_txn(st, false, fuzz_header_txn, &h);

	*len = h.len;
	return rc;
}

#endif
