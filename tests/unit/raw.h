/* Raw access to a store's tables, as a writer of the file with no key
 * would have it: a value put, deleted or copied out through st_txn. For
 * the tamper tests, with what mappe check then reports. Include after
 * cmocka.h and store/private.h. */
#ifndef MAPPE_TESTS_RAW_H
#define MAPPE_TESTS_RAW_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct raw {
	enum store_db db;
	const void *k;
	size_t klen;
	const void *v; /* NULL: delete */
	size_t vlen;
	uint8_t got[8192];
	size_t gotlen;
	bool found;
};

static inline int raw_put_txn(store *st, MDB_txn *txn, void *vctx)
{
	struct raw *r = vctx;
	MDB_val k = {r->klen, (void *)r->k};

	if (!r->v) {
		int rc = mdb_del(txn, st->dbi[r->db], &k, NULL);
		return rc == 0 || rc == MDB_NOTFOUND ? M_OK : M_UNAVAILABLE;
	}
	return st_put(st, txn, r->db, r->k, r->klen, r->v, r->vlen, 0);
}

static inline int raw_get_txn(store *st, MDB_txn *txn, void *vctx)
{
	struct raw *r = vctx;
	MDB_val v;
	int rc = st_get(st, txn, r->db, r->k, r->klen, &v);

	r->found = rc == M_OK;
	if (r->found) {
		assert_true(v.mv_size <= sizeof r->got);
		memcpy(r->got, v.mv_data, v.mv_size);
		r->gotlen = v.mv_size;
	}
	return rc == -1 ? M_OK : rc;
}

/* Put v at k (v NULL: delete it). */
static inline void raw_put(store *st, enum store_db db, const void *k, size_t klen,
                           const void *v, size_t vlen)
{
	struct raw r = {db, k, klen, v, vlen, {0}, 0, false};

	assert_int_equal(st_txn(st, true, raw_put_txn, &r), M_OK);
}

/* Whether k exists; if so and out (cap bytes) is given, its value (*len
 * bytes). */
static inline bool raw_get(store *st, enum store_db db, const void *k, size_t klen, uint8_t *out,
                           size_t cap, size_t *len)
{
	struct raw *r = calloc(1, sizeof *r);
	bool found;

	if (len)
		*len = 0;
	assert_non_null(r);
	*r = (struct raw){db, k, klen, NULL, 0, {0}, 0, false};
	assert_int_equal(st_txn(st, false, raw_get_txn, r), M_OK);
	if (r->found && out) {
		assert_true(r->gotlen <= cap);
		memcpy(out, r->got, r->gotlen);
		*len = r->gotlen;
	}
	found = r->found;
	free(r);
	return found;
}

/* What mappe check says of the store: how many reports, and their text
 * ("[id] message" a line) to search with strstr. */
struct reports {
	size_t n;
	char all[4096];
};

static inline void raw_collect(void *ctx, uint64_t id, const struct store_fault *what)
{
	struct reports *r = ctx;
	size_t used = strlen(r->all);
	char text[512];

	r->n++;
	store_fault_format(what, NULL, text, sizeof text);
	snprintf(r->all + used, sizeof r->all - used, "[%llu] %s\n", (unsigned long long)id, text);
}

static inline int check(store *st, struct reports *r)
{
	size_t checked;

	memset(r, 0, sizeof *r);
	return store_check(st, raw_collect, r, &checked);
}

#endif
