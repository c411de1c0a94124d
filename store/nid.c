/* nid.c: the national-id blind index (the nid table): entries added and
 * removed with a case's national id, and look-ups that confirm each
 * candidate by decrypting its number (record.c reads both formats). */
#include "store/private.h"

#include <string.h>

/* ---- national-id blind index ------------------------------------------- */

/* Entries: u32 epoch | u16 tag | u16 check | u64 id -> "" (format 5; the
 * check is 16 more bits of the keyed hash, so that a look-up goes straight
 * to its number's entries) or, written by format 4, u32 epoch | u16 tag |
 * u64 id -> "", read while format-4 cases remain. */
static size_t nid_key(uint8_t k[16], uint32_t epoch, uint16_t tag, uint16_t check, uint64_t id)
{
	be32(k, epoch);
	be16(k + 4, tag);
	be16(k + 6, check);
	be64(k + 8, id);
	return 16;
}

static size_t nid_key4(uint8_t k[14], uint32_t epoch, uint16_t tag, uint64_t id)
{
	be32(k, epoch);
	be16(k + 4, tag);
	be64(k + 6, id);
	return 14;
}

int st_nid_index(store *st, MDB_txn *txn, uint32_t epoch, const char *nid, size_t len,
                 uint64_t id, bool add)
{
	uint8_t k[16];
	uint16_t tag, check;
	MDB_val key = {16, k};
	int rc;

	if (keys_blind_index2(st->kr, epoch, nid, len, &tag, &check))
		return st_denied(st, NID_FIELD);
	nid_key(k, epoch, tag, check, id);
	if (add)
		return st_put(st, txn, DB_NID, k, 16, "", 0, 0);
	rc = mdb_del(txn, st->dbi[DB_NID], &key, NULL);
	if (rc == MDB_NOTFOUND && st->legacy) {
		key.mv_size = nid_key4(k, epoch, tag, id);
		rc = mdb_del(txn, st->dbi[DB_NID], &key, NULL);
	}
	return rc && rc != MDB_NOTFOUND ? st_mdb(st, rc, "nid index") : M_OK;
}

/* fn(ctx, id) for each case the index names for a number's (epoch, tag,
 * check): its own entries, found directly, and while format-4 cases remain
 * every format-4 entry of the tag's bucket. fn returns nonzero to stop. */
static int nid_candidates(store *st, MDB_cursor *cur, uint32_t epoch, uint16_t tag,
                          uint16_t check, int (*fn)(void *ctx, uint64_t id), void *ctx)
{
	uint8_t k[16];
	MDB_val key, val;
	int rc;

	nid_key(k, epoch, tag, check, 0);
	key = (MDB_val){16, k};
	for (rc = mdb_cursor_get(cur, &key, &val, MDB_SET_RANGE); rc == 0;
	     rc = mdb_cursor_get(cur, &key, &val, MDB_NEXT)) {
		const uint8_t *kp = key.mv_data;
		if (key.mv_size < 8 || memcmp(kp, k, 8) != 0)
			break;
		if (key.mv_size == 16 && fn(ctx, rd64(kp + 8)))
			return M_OK;
	}
	if (rc && rc != MDB_NOTFOUND)
		return st_mdb(st, rc, "nid index");
	if (!st->legacy)
		return M_OK;
	nid_key4(k, epoch, tag, 0);
	key = (MDB_val){14, k};
	for (rc = mdb_cursor_get(cur, &key, &val, MDB_SET_RANGE); rc == 0;
	     rc = mdb_cursor_get(cur, &key, &val, MDB_NEXT)) {
		const uint8_t *kp = key.mv_data;
		if (key.mv_size < 6 || memcmp(kp, k, 6) != 0)
			break;
		if (key.mv_size == 14 && fn(ctx, rd64(kp + 6)))
			return M_OK;
	}
	return rc && rc != MDB_NOTFOUND ? st_mdb(st, rc, "nid index") : M_OK;
}

/* A blind-index candidate of format 5: its national id with the AEADs
 * alone (st_hdr5_decode). -1 if it is not such a case or does not open. */
static int nid_candidate5(store *st, MDB_txn *txn, uint64_t id, struct rec_header *h,
                          const uint8_t **v, size_t *len)
{
	uint8_t k[8];
	MDB_val val;

	be64(k, id);
	if (st_get(st, txn, DB_CASES, k, 8, &val) != M_OK || val.mv_size == 0 ||
	    ((const uint8_t *)val.mv_data)[0] != HDR_FORMAT5 ||
	    st_hdr5_decode(st, id, val.mv_data, val.mv_size, h, false) != M_OK)
		return -1;
	return st_case5_nid(st, id, h, v, len, NULL) == M_OK ? 0 : -1;
}

static int nid_of(store *st, MDB_txn *txn, uint64_t id, struct case_rec *scratch,
                  const uint8_t **v, size_t *len);

struct lookup_ctx {
	store *st;
	MDB_txn *txn;
	const char *nid;
	size_t len;
	struct case_rec *scratch; /* one locked arena for every format-4 candidate */
	uint64_t *ids;
	size_t cap, *n;
};

/* A candidate shares the number's tag (and check): decrypt to confirm. */
static int lookup_one(void *vctx, uint64_t id)
{
	struct lookup_ctx *ctx = vctx;
	const uint8_t *v;
	size_t vlen;

	for (size_t i = 0; i < *ctx->n; i++)
		if (ctx->ids[i] == id)
			return 0; /* under both epochs of a rotation */
	if (nid_of(ctx->st, ctx->txn, id, ctx->scratch, &v, &vlen) == 0 && v &&
	    vlen == ctx->len && memcmp(v, ctx->nid, vlen) == 0 && *ctx->n < ctx->cap)
		ctx->ids[(*ctx->n)++] = id;
	return 0;
}

int nid_lookup_txn(store *st, MDB_txn *txn, const char *nid, size_t len, uint64_t *ids,
                   size_t cap, size_t *n)
{
	MDB_cursor *cur;
	struct case_rec scratch;
	struct lookup_ctx ctx = {st, txn, nid, len, &scratch, ids, cap, n};
	int rc = M_OK;

	*n = 0;
	if ((rc = mdb_cursor_open(txn, st->dbi[DB_NID], &cur)))
		return st_mdb(st, rc, "nid index");
	case_init(&scratch);
	/* Look in every live identity epoch: during a rotation entries of both
	 * the old and the new epoch exist. */
	for (uint32_t epoch = st->floor[NID_CLASS];
	     rc == M_OK && epoch <= st->epoch[NID_CLASS]; epoch++) {
		uint16_t tag, check;
		if (keys_blind_index2(st->kr, epoch, nid, len, &tag, &check))
			continue;
		rc = nid_candidates(st, cur, epoch, tag, check, lookup_one, &ctx);
	}
	mdb_cursor_close(cur);
	case_clear(&scratch);
	if (rc == M_OK)
		st_fault_clear(st);
	return rc;
}

/* The national id case id holds, for comparing: format 5 or 4. */
static int nid_of(store *st, MDB_txn *txn, uint64_t id, struct case_rec *scratch,
                  const uint8_t **v, size_t *len)
{
	struct rec_header h;
	struct hdr_field *hf;

	*v = NULL;
	*len = 0;
	if (nid_candidate5(st, txn, id, &h, v, len) == 0)
		return 0;
	if (st_hdr_read(st, txn, id, &h) || h.format == HDR_FORMAT5)
		return -1;
	hf = st_hdr_find(&h, field_catalogue[NID_FIELD].number);
	case_reset(scratch);
	if (!hf || !hf->present || st_read_field_into(st, txn, id, hf, scratch, NID_FIELD))
		return -1;
	*v = (const uint8_t *)scratch->value[NID_FIELD];
	*len = scratch->len[NID_FIELD];
	return 0;
}

int st_nid_find_many(store *st, MDB_txn *txn, const char *const *nid, const size_t *len,
                     size_t n, uint64_t *found)
{
	uint64_t ids[8];
	size_t k;
	int rc = M_OK;

	/* Each number goes straight to its own entries (tag and check), so
	 * the cost is the file's, not the store's: no bucket is scanned, no
	 * other case decrypted. */
	memset(found, 0, n * sizeof *found);
	for (size_t i = 0; i < n && rc == M_OK; i++) {
		if (!nid[i])
			continue;
		rc = nid_lookup_txn(st, txn, nid[i], len[i], ids, 8, &k);
		if (rc == M_OK && k)
			found[i] = ids[0];
	}
	return rc;
}

int st_nid_duplicate(store *st, MDB_txn *txn, const char *nid, size_t len, uint64_t self)
{
	uint64_t ids[8];
	size_t n;
	int rc = nid_lookup_txn(st, txn, nid, len, ids, 8, &n);

	if (rc)
		return rc;
	for (size_t i = 0; i < n; i++)
		if (ids[i] != self)
			return st_err(st, NID_REGISTERED, .record = ids[i], .field = NID_FIELD);
	return M_OK;
}
