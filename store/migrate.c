/* migrate.c: moving every format-4 case to format 5, online (mappe migrate).
 *
 * meta "migrate" holds u64 the next case id to look at; it exists while
 * format-4 cases may remain. Once the last of them has moved it holds
 * MOVED_ALL, and the record class is rotated: every format-4 header was
 * MACed under a record epoch that is then retired, so a format-4 copy of
 * a case put back later (with the marker, which no key protects: the step
 * to schema 6 runs before anyone unlocks) cannot authenticate. The marker
 * goes when that rotation is done, and a format-4 record is tampering from
 * then on (cases.c).
 * Each batch is one short write transaction that moves its cases and the
 * cursor together, so kill -9 at any instant loses at most the batch in
 * flight, which the next run does again. Readers and writers go on
 * meanwhile: every path reads and writes both formats, and a case is
 * moved whole, inside the write lock, from what it holds at that moment. */
#include "store/private.h"

#include <stdlib.h>
#include <string.h>

#define MOVED_ALL UINT64_MAX

static int cursor_read(store *st, MDB_txn *txn, bool *pending, uint64_t *next)
{
	MDB_val v;
	int rc = st_get(st, txn, DB_META, "migrate", 7, &v);

	*pending = rc == M_OK;
	*next = 0;
	if (rc == -1)
		return M_OK;
	if (rc)
		return rc;
	if (v.mv_size != 8)
		return st_err(st, MIGRATE_CURSOR_DAMAGED);
	*next = rd64(v.mv_data);
	return M_OK;
}

/* Every field entry of case id goes: the case holds them now. */
static int drop_fields(store *st, MDB_txn *txn, uint64_t id)
{
	MDB_cursor *cur;
	uint8_t k[10];
	MDB_val key = {10, k}, val;
	int rc;

	st_field_key(k, id, 0);
	if ((rc = mdb_cursor_open(txn, st->dbi[DB_FIELDS], &cur)))
		return st_mdb(st, rc, "fields");
	for (rc = mdb_cursor_get(cur, &key, &val, MDB_SET_RANGE); rc == 0;
	     rc = mdb_cursor_get(cur, &key, &val, MDB_NEXT)) {
		if (key.mv_size != 10 || rd64(key.mv_data) != id)
			break;
		if ((rc = mdb_cursor_del(cur, 0)))
			break;
	}
	mdb_cursor_close(cur);
	return rc == 0 || rc == MDB_NOTFOUND ? M_OK : st_mdb(st, rc, "fields");
}

static int migrate_case(store *st, MDB_txn *txn, uint64_t id, struct case_rec *c)
{
	struct rec_header h4, h5;
	int rc;

	if ((rc = st_hdr_read(st, txn, id, &h4)) || h4.format != HDR_FORMAT)
		return rc;
	if ((rc = case_read_txn(st, txn, id, c, NULL)))
		return rc;
	for (unsigned i = 0; i < h4.nfields; i++) {
		int f = field_by_number(h4.f[i].number);
		if (f >= 0 && h4.f[i].present && c->locked[f])
			return st_err(st, MIGRATE_NEEDS_KEY, .record = id, .cls = field_catalogue[f].cls);
	}
	/* The index entry was made under the epoch of the national id's
	 * envelope; the new one is made under the active epoch. */
	struct hdr_field *hf = st_hdr_find(&h4, field_catalogue[NID_FIELD].number);
	if (hf && hf->present && c->value[NID_FIELD]) {
		uint8_t k[10];
		MDB_val v;
		enum key_class ec;
		uint32_t epoch;
		if ((rc = st_get(st, txn, DB_FIELDS, k, st_field_key(k, id, hf->number), &v)))
			return rc == -1 ? M_INTEGRITY : rc;
		if (keys_envelope_info(v.mv_data, v.mv_size, &ec, &epoch) == KEYS_OK &&
		    (rc = st_nid_index(st, txn, epoch, c->value[NID_FIELD],
		                       c->len[NID_FIELD], id, false)))
			return rc;
	}
	for (int f = 0; f < F_COUNT; f++)
		c->dirty[f] = field_catalogue[f].cls != KC_NONE && c->value[f] != NULL;
	memset(&h5, 0, sizeof h5);
	h5.format = HDR_FORMAT5;
	h5.status = h4.status;
	h5.version = h4.version; /* no edit: a colleague's save must not conflict */
	h5.created = h4.created;
	h5.updated = h4.updated;
	h5.notes = h4.notes;
	memcpy(h5.caseworker, h4.caseworker, sizeof h5.caseworker);
	if ((rc = drop_fields(st, txn, id)))
		return rc;
	return st_case5_write(st, txn, id, &h5, c, true);
}

struct batch_ctx {
	size_t batch;
	struct store_migration *m;
	struct case_rec c;
};

static int move_batch(store *st, MDB_txn *txn, void *vctx)
{
	struct batch_ctx *ctx = vctx;
	uint64_t next, *ids = calloc(ctx->batch, sizeof *ids);
	bool pending;
	size_t n = 0;
	MDB_stat ms;
	int rc;

	if (!ids)
		return st_err(st, NOMEM);
	if ((rc = st_load_epochs(st, txn)) || (rc = cursor_read(st, txn, &pending, &next)))
		goto out;
	if (!pending || next == MOVED_ALL) {
		ctx->m->pending = pending;
		ctx->m->moved = true;
		goto out;
	}
	if ((rc = mdb_stat(txn, st->dbi[DB_CASES], &ms))) {
		rc = st_mdb(st, rc, "cases");
		goto out;
	}
	ctx->m->total = ms.ms_entries;
	if ((rc = st_case_ids(st, txn, next, ids, ctx->batch, &n)))
		goto out;
	for (size_t i = 0; i < n; i++) {
		case_reset(&ctx->c);
		if ((rc = migrate_case(st, txn, ids[i], &ctx->c))) {
			ctx->m->failed = ids[i];
			goto out;
		}
	}
	ctx->m->done += n;
	if (n < ctx->batch || ids[n - 1] == UINT64_MAX) {
		uint8_t b[8];
		be64(b, MOVED_ALL);
		ctx->m->cursor = MOVED_ALL;
		ctx->m->moved = true;
		rc = st_put(st, txn, DB_META, "migrate", 7, b, 8, 0);
	} else {
		uint8_t b[8];
		be64(b, ids[n - 1] + 1);
		ctx->m->cursor = ids[n - 1] + 1;
		rc = st_put(st, txn, DB_META, "migrate", 7, b, 8, 0);
	}
out:
	free(ids);
	return rc;
}

/* The cases moved are logged as rewritten, not changed: same version. */
static int batch_txn(store *st, MDB_txn *txn, void *vctx)
{
	int rc;

	st->write_action = AUDIT_REWRITE;
	rc = move_batch(st, txn, vctx);
	st->write_action = 0;
	return rc;
}

static int status_txn(store *st, MDB_txn *txn, void *vctx)
{
	struct store_migration *m = vctx;
	MDB_stat ms;
	int rc = cursor_read(st, txn, &m->pending, &m->cursor);

	if (rc || (rc = mdb_stat(txn, st->dbi[DB_CASES], &ms)))
		return rc ? rc : st_mdb(st, rc, "cases");
	m->total = ms.ms_entries;
	m->moved = m->pending && m->cursor == MOVED_ALL;
	st->legacy = m->pending;
	return M_OK;
}

static int done_txn(store *st, MDB_txn *txn, void *vctx)
{
	MDB_val key = {7, "migrate"};
	int rc = mdb_del(txn, st->dbi[DB_META], &key, NULL);

	(void)vctx;
	return rc && rc != MDB_NOTFOUND ? st_mdb(st, rc, "meta") : M_OK;
}

int store_migration_get(store *st, struct store_migration *out)
{
	memset(out, 0, sizeof *out);
	return st_txn(st, false, status_txn, out);
}

int store_migrate(store *st, size_t batch,
                  void (*progress)(void *ctx, const struct store_migration *m), void *pctx)
{
	struct store_migration m;
	struct batch_ctx ctx = {batch ? batch : 200, &m, {0}};
	int rc;

	if (!st->kr || !keyring_is_authority(st->kr))
		return st_err(st, MIGRATE_ADMIN_ONLY);
	if ((rc = store_migration_get(st, &m)))
		return rc;
	case_init(&ctx.c);
	while (m.pending && !m.moved && rc == M_OK) {
		rc = st_txn(st, true, batch_txn, &ctx);
		if (rc == M_OK && progress)
			progress(pctx, &m);
	}
	case_clear(&ctx.c);
	if (rc || !m.pending)
		return rc;
	/* Every case moved: retire the record epoch the format-4 headers were
	 * MACed under, then forget the marker. Killed meanwhile, run again: it
	 * resumes the rotation. */
	if ((rc = store_rotate(st, KC_RECORD, 0, NULL, NULL)))
		return rc;
	if ((rc = st_txn(st, true, done_txn, NULL)) == M_OK) {
		st->legacy = false;
		m.pending = false;
		if (progress)
			progress(pctx, &m);
	}
	return rc;
}
