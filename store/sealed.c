/* sealed.c: settings an administrator decides (code tables, corrections of
 * the rules), kept in meta and sealed so that nobody edits them in the file.
 *
 * meta key -> u32 record epoch | MAC[32] | body
 * The MAC is a record-class header MAC for record 0 over the key and the
 * body, like the case counter's: whoever reads cases can check it, and an
 * entry changed in the file, or planted there, does not authenticate. Key
 * rotation of the record class seals them again (st_sealed_reseal). */
#include "store/private.h"

#include <stdlib.h>
#include <string.h>

#define SEALED_HEAD (4 + KEYS_MAC_BYTES)

static int mac(store *st, const void *key, size_t klen, const void *body, size_t blen,
               uint32_t epoch, uint8_t out[KEYS_MAC_BYTES], bool verify)
{
	uint8_t *m = malloc(klen + blen + 1);
	int rc;

	if (!m)
		return KEYS_ENOMEM;
	memcpy(m, key, klen);
	memcpy(m + klen, body, blen);
	rc = verify ? keys_header_verify(st->kr, epoch, 0, m, klen + blen, out)
	            : keys_header_mac(st->kr, epoch, 0, m, klen + blen, out);
	free(m);
	return rc;
}

int st_sealed_put(store *st, MDB_txn *txn, const void *key, size_t klen, const void *body,
                  size_t blen)
{
	uint8_t *v = malloc(SEALED_HEAD + blen);
	uint32_t epoch = st->epoch[KC_RECORD];
	int rc;

	if (!v)
		return st_err(st, NOMEM);
	be32(v, epoch);
	memcpy(v + SEALED_HEAD, body, blen);
	if (!st->kr)
		rc = st_err(st, NO_RECORD_KEY);
	else if ((rc = mac(st, key, klen, body, blen, epoch, v + 4, false)) != KEYS_OK)
		rc = rc == KEYS_ENOMEM ? st_err(st, NOMEM) : st_err(st, NO_RECORD_KEY);
	else
		rc = st_put(st, txn, DB_META, key, klen, v, SEALED_HEAD + blen, 0);
	free(v);
	return rc;
}

int st_sealed_open(store *st, const MDB_val *k, const MDB_val *v, const uint8_t **body,
                   size_t *blen)
{
	const uint8_t *p = v->mv_data;

	if (!st->kr || v->mv_size < SEALED_HEAD)
		return -1;
	if (mac(st, k->mv_data, k->mv_size, p + SEALED_HEAD, v->mv_size - SEALED_HEAD, rd32(p),
	        (uint8_t *)p + 4, true) != KEYS_OK)
		return -1;
	*body = p + SEALED_HEAD;
	*blen = v->mv_size - SEALED_HEAD;
	return M_OK;
}

int st_sealed_unchecked(const MDB_val *v, const uint8_t **body, size_t *blen)
{
	if (v->mv_size < SEALED_HEAD)
		return -1;
	*body = (const uint8_t *)v->mv_data + SEALED_HEAD;
	*blen = v->mv_size - SEALED_HEAD;
	return M_OK;
}

int st_sealed_each(store *st, MDB_txn *txn, const void *prefix, size_t plen, st_sealed_fn fn,
                   void *ctx)
{
	MDB_cursor *cur;
	MDB_val k = {plen, (void *)prefix}, v;
	int rc = mdb_cursor_open(txn, st->dbi[DB_META], &cur);

	if (rc)
		return st_mdb(st, rc, "meta");
	for (rc = mdb_cursor_get(cur, &k, &v, MDB_SET_RANGE); rc == 0;
	     rc = mdb_cursor_get(cur, &k, &v, MDB_NEXT)) {
		if (k.mv_size < plen || memcmp(k.mv_data, prefix, plen) != 0)
			break;
		const uint8_t *body = NULL;
		size_t blen = 0;
		bool genuine = st_sealed_open(st, &k, &v, &body, &blen) == M_OK;
		int frc = fn(st, &k, genuine ? body : NULL, blen, ctx);
		if (frc) {
			mdb_cursor_close(cur);
			return frc;
		}
	}
	mdb_cursor_close(cur);
	return rc == 0 || rc == MDB_NOTFOUND ? M_OK : st_mdb(st, rc, "meta");
}

/* Collect first: writing under an open cursor would move it. */
struct reseal {
	MDB_val *k, *b;
	size_t n;
	bool forged;
};

static int collect(store *st, const MDB_val *k, const uint8_t *body, size_t blen, void *ctx)
{
	struct reseal *r = ctx;

	if (!body) {
		r->forged = true; /* left as it is: reading it says so */
		return M_OK;
	}
	MDB_val *nk = realloc(r->k, (r->n + 1) * sizeof *nk);
	if (nk)
		r->k = nk;
	MDB_val *nb = realloc(r->b, (r->n + 1) * sizeof *nb);
	if (nb)
		r->b = nb;
	void *kc = malloc(k->mv_size), *bc = malloc(blen + 1);
	if (!nk || !nb || !kc || !bc) {
		free(kc);
		free(bc);
		return st_err(st, NOMEM);
	}
	memcpy(kc, k->mv_data, k->mv_size);
	memcpy(bc, body, blen);
	r->k[r->n] = (MDB_val){k->mv_size, kc};
	r->b[r->n] = (MDB_val){blen, bc};
	r->n++;
	/* kc and bc are r's now: reseal_prefix frees them. */
	// cppcheck-suppress memleak
	return M_OK;
}

static int reseal_prefix(store *st, MDB_txn *txn, const void *prefix, size_t plen)
{
	struct reseal r = {0};
	int rc = st_sealed_each(st, txn, prefix, plen, collect, &r);

	for (size_t i = 0; rc == M_OK && i < r.n; i++)
		rc = st_sealed_put(st, txn, r.k[i].mv_data, r.k[i].mv_size, r.b[i].mv_data,
		                   r.b[i].mv_size);
	for (size_t i = 0; i < r.n; i++) {
		free(r.k[i].mv_data);
		free(r.b[i].mv_data);
	}
	free(r.k);
	free(r.b);
	return rc;
}

int st_sealed_reseal(store *st, MDB_txn *txn)
{
	/* Every user of sealed entries, by its key's first word. */
	static const char *const prefixes[] = {"codes",   "rules", "export",
	                                       "targets", "audit", "retention"};
	int rc = M_OK;

	for (size_t i = 0; rc == M_OK && i < sizeof prefixes / sizeof prefixes[0]; i++)
		rc = reseal_prefix(st, txn, prefixes[i], strlen(prefixes[i]) + 1);
	return rc;
}
