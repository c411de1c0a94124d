/* archive.c: mappe archive (docs/retention.md): blocked cases given the
 * store's persistent mark, picked for the municipality's archive and marked
 * transferred once the package is written, and the categories the
 * municipality's plan marks disposable destroyed after their time. Each
 * step writes its audit entries (BLOCK, ARCHIVE, DESTROY) in the
 * transaction that makes it. The package itself is the UI's (tui/cmd/
 * archive.c): it reads the cases through store_case_get, which logs every
 * read of a blocked case. */
#include "store/private.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

#define ARCHIVE_BATCH 256

struct state_ctx {
	uint64_t id;
	struct retention_state *out;
};

static int state_txn(store *st, MDB_txn *txn, void *vctx)
{
	struct state_ctx *ctx = vctx;
	struct rec_header h = {0};
	int rc = st_load_epochs(st, txn);

	if (rc || (rc = st_hdr_read(st, txn, ctx->id, &h)))
		return rc;
	return st_retention_state(st, txn, ctx->id, h.status, h.updated, ctx->out);
}

int store_retention_state(store *st, uint64_t id, struct retention_state *out)
{
	struct state_ctx ctx = {id, out};

	if (!st->kr)
		return st_err(st, NOT_UNLOCKED);
	return st_txn(st, false, state_txn, &ctx);
}

static int may_archive(store *st)
{
	if (!st->kr)
		return st_err(st, NOT_UNLOCKED);
	return store_may_open_blocked(st) ? M_OK : st_err(st, ARCHIVE_NOT_PERMITTED);
}

/* ---- mark ---------------------------------------------------------------- */

static int mark_blocked(store *st, MDB_txn *txn, uint64_t id, const struct retention_state *rs)
{
	int rc;

	if (rs->marked)
		return M_OK;
	if ((rc = st_retention_mark(st, txn, id, rs, RET_BLOCKED)))
		return rc;
	return st_audit(st, txn, &(struct audit_event){.action = AUDIT_BLOCK, .case_id = id});
}

struct block_ctx {
	uint64_t next, marked;
	bool done;
};

static int block_txn(store *st, MDB_txn *txn, void *vctx)
{
	struct block_ctx *ctx = vctx;
	uint64_t ids[ARCHIVE_BATCH], marked = 0;
	size_t n;
	int rc;

	if ((rc = st_load_epochs(st, txn)) ||
	    (rc = st_case_ids(st, txn, ctx->next, ids, ARCHIVE_BATCH, &n)))
		return rc;
	for (size_t i = 0; i < n; i++) {
		struct rec_header h = {0};
		struct retention_state rs;
		if ((rc = st_hdr_read(st, txn, ids[i], &h)) ||
		    (rc = st_retention_state(st, txn, ids[i], h.status, h.updated, &rs)))
			return rc;
		if (!rs.blocked || rs.marked)
			continue;
		if ((rc = mark_blocked(st, txn, ids[i], &rs)))
			return rc;
		marked++;
	}
	/* Only now, with nothing left to fail: st_txn may run this again. */
	ctx->marked += marked;
	ctx->done = n < ARCHIVE_BATCH;
	if (n)
		ctx->next = ids[n - 1] + 1;
	return M_OK;
}

int store_archive_block(store *st, uint64_t *marked)
{
	struct block_ctx ctx = {0};
	int rc;

	*marked = 0;
	if (!st->kr)
		return st_err(st, NOT_UNLOCKED);
	if (st->role != ROLE_ADMIN)
		return st_err(st, DESTROY_ADMIN_ONLY);
	while (!ctx.done && (rc = st_txn(st, true, block_txn, &ctx)) == M_OK)
		;
	*marked = ctx.marked;
	return ctx.done ? M_OK : rc;
}

/* ---- pick and transfer --------------------------------------------------- */

struct pick_ctx {
	long before;
	bool again;
	uint64_t next;
	bool done;
	uint64_t *ids;
	size_t n, cap;
};

static int pick_txn(store *st, MDB_txn *txn, void *vctx)
{
	struct pick_ctx *ctx = vctx;
	uint64_t ids[ARCHIVE_BATCH];
	size_t n, was = ctx->n;
	int rc;

	if ((rc = st_load_epochs(st, txn)) ||
	    (rc = st_case_ids(st, txn, ctx->next, ids, ARCHIVE_BATCH, &n)))
		return rc;
	for (size_t i = 0; i < n; i++) {
		struct rec_header h = {0};
		struct retention_state rs;
		if ((rc = st_hdr_read(st, txn, ids[i], &h)) ||
		    (rc = st_retention_state(st, txn, ids[i], h.status, h.updated, &rs)))
			break;
		if (!rs.blocked || (rs.transferred && !ctx->again) ||
		    (ctx->before != DAY_NONE && !(rs.closed_day < ctx->before)))
			continue;
		if (ctx->n == ctx->cap) {
			size_t cap = ctx->cap ? 2 * ctx->cap : 64;
			uint64_t *p = realloc(ctx->ids, cap * sizeof *p);
			if (!p) {
				rc = st_err(st, NOMEM);
				break;
			}
			ctx->ids = p;
			ctx->cap = cap;
		}
		ctx->ids[ctx->n++] = ids[i];
	}
	if (rc) {
		ctx->n = was;
		return rc;
	}
	ctx->done = n < ARCHIVE_BATCH;
	if (n)
		ctx->next = ids[n - 1] + 1;
	return M_OK;
}

int store_archive_pick(store *st, long before, bool again, uint64_t **ids, size_t *n)
{
	struct pick_ctx ctx = {.before = before, .again = again};
	int rc = may_archive(st);

	*ids = NULL;
	*n = 0;
	if (rc)
		return rc;
	while (!ctx.done && (rc = st_txn(st, false, pick_txn, &ctx)) == M_OK)
		;
	if (!ctx.done) {
		free(ctx.ids);
		return rc;
	}
	*ids = ctx.ids;
	*n = ctx.n;
	return M_OK;
}

struct transfer_ctx {
	const uint64_t *ids;
	size_t n;
	const char *package;
};

static int transfer_txn(store *st, MDB_txn *txn, void *vctx)
{
	struct transfer_ctx *ctx = vctx;
	int rc;

	if ((rc = st_load_epochs(st, txn)))
		return rc;
	for (size_t i = 0; i < ctx->n; i++) {
		struct rec_header h = {0};
		struct retention_state rs;
		if ((rc = st_hdr_read(st, txn, ctx->ids[i], &h)) ||
		    (rc = st_retention_state(st, txn, ctx->ids[i], h.status, h.updated, &rs)) ||
		    (rc = mark_blocked(st, txn, ctx->ids[i], &rs)))
			return rc;
		rs.marked = true;
		if ((rc = st_retention_mark(st, txn, ctx->ids[i], &rs, RET_TRANSFERRED)) ||
		    (rc = st_audit(st, txn,
		                   &(struct audit_event){.action = AUDIT_ARCHIVE,
		                                         .case_id = ctx->ids[i],
		                                         .classes = st_case_classes(),
		                                         .detail = ctx->package})))
			return rc;
	}
	return M_OK;
}

int store_archive_transferred(store *st, const uint64_t *ids, size_t n, const char *package)
{
	struct transfer_ctx ctx = {ids, n, package};
	int rc = may_archive(st);

	if (rc || n == 0)
		return rc;
	return st_txn(st, true, transfer_txn, &ctx);
}

/* ---- destroy ------------------------------------------------------------- */

struct destroy_ctx {
	uint64_t id;
	bool dry_run;
	/* out: what went (or would) */
	size_t fields[RC_COUNT];
	bool any;
};

static bool category_due(const struct retention *r, enum retention_category c,
                         const struct retention_state *rs)
{
	return r->dispose[c] != RETENTION_NEVER && rs->closed_day != DAY_NONE &&
	       st_today() - rs->closed_day >= r->dispose[c];
}

static int destroy_txn(store *st, MDB_txn *txn, void *vctx)
{
	struct destroy_ctx *ctx = vctx;
	const struct retention *r = st_retention(st);
	struct rec_header h = {0};
	struct retention_state rs;
	struct case_rec cur, out;
	bool want[F_COUNT] = {false}, due[RC_COUNT] = {false}, anydue = false;
	int rc;

	memset(ctx->fields, 0, sizeof ctx->fields);
	ctx->any = false;
	if ((rc = st_load_epochs(st, txn)) || (rc = st_hdr_read(st, txn, ctx->id, &h)) ||
	    (rc = st_retention_state(st, txn, ctx->id, h.status, h.updated, &rs)))
		return rc;
	if (!rs.blocked)
		return M_OK;
	for (int c = 0; c < RC_COUNT; c++) {
		due[c] = category_due(r, (enum retention_category)c, &rs);
		anydue |= due[c];
		for (int f = 0; due[c] && f < F_COUNT; f++)
			want[f] |=
			    retention_category_has((enum retention_category)c, (enum field_id)f);
	}
	if (!anydue)
		return M_OK;
	if (h.format != HDR_FORMAT5)
		return st_err(st, DESTROY_OLD_FORMAT, .record = ctx->id);
	case_init(&cur);
	case_init(&out);
	if ((rc = st_case_fill(st, txn, ctx->id, &h, &cur, want)))
		goto done;
	out.id = ctx->id;
	for (int c = 0; c < RC_COUNT; c++) {
		for (int f = 0; due[c] && f < F_COUNT; f++) {
			if (!retention_category_has((enum retention_category)c, (enum field_id)f) ||
			    !cur.value[f] || !cur.len[f])
				continue;
			ctx->fields[c]++;
			ctx->any = true;
			if ((rc = case_set(&out, (enum field_id)f, NULL, 0)))
				goto done;
		}
	}
	if (!ctx->any || ctx->dry_run)
		goto done;
	if ((rc = mark_blocked(st, txn, ctx->id, &rs)))
		goto done;
	h.version++;
	h.updated = (int64_t)time(NULL);
	st_saved_now(st, &h);
	if ((rc = st_case5_write(st, txn, ctx->id, &h, &out, false)))
		goto done;
	for (int c = 0; c < RC_COUNT && rc == M_OK; c++) {
		key_classes k = 0;
		if (!ctx->fields[c])
			continue;
		for (int f = 0; f < F_COUNT; f++)
			if (retention_category_has((enum retention_category)c, (enum field_id)f))
				k |= 1u << field_catalogue[f].cls;
		rc = st_audit(st, txn,
		              &(struct audit_event){
		                  .action = AUDIT_DESTROY,
		                  .case_id = ctx->id,
		                  .classes = k,
		                  .detail = retention_category_name((enum retention_category)c)});
	}
done:
	case_clear(&cur);
	case_clear(&out);
	return rc;
}

struct ids_ctx {
	uint64_t from;
	uint64_t ids[ARCHIVE_BATCH];
	size_t n;
};

static int ids_txn(store *st, MDB_txn *txn, void *vctx)
{
	struct ids_ctx *ctx = vctx;
	return st_case_ids(st, txn, ctx->from, ctx->ids, ARCHIVE_BATCH, &ctx->n);
}

int store_archive_destroy(store *st, bool dry_run, store_destroy_fn fn, void *ctx, uint64_t *cases)
{
	struct ids_ctx ic = {.n = ARCHIVE_BATCH};
	bool any = false;
	int rc = M_OK;

	*cases = 0;
	if (!st->kr)
		return st_err(st, NOT_UNLOCKED);
	if (st->role != ROLE_ADMIN)
		return st_err(st, DESTROY_ADMIN_ONLY);
	/* Nothing disposable (the default): nothing is read. */
	for (int c = 0; c < RC_COUNT; c++)
		any |= st_retention(st)->dispose[c] != RETENTION_NEVER;
	if (!any)
		return M_OK;
	/* The ids of a batch in a short read, then one write per case:
	 * colleagues' saves go in between. */
	while (ic.n == ARCHIVE_BATCH) {
		if ((rc = st_txn(st, false, ids_txn, &ic)))
			return rc;
		for (size_t i = 0; i < ic.n; i++) {
			struct destroy_ctx d = {.id = ic.ids[i], .dry_run = dry_run};
			rc = st_txn(st, !dry_run, destroy_txn, &d);
			if (rc == M_INPUT && store_fault(st)->code == E_NO_CASE)
				continue; /* gone since */
			if (rc)
				return rc;
			if (!d.any)
				continue;
			(*cases)++;
			for (int c = 0; fn && c < RC_COUNT; c++)
				if (d.fields[c] &&
				    (rc = fn(ctx, d.id, (enum retention_category)c, d.fields[c])))
					return rc;
		}
		if (ic.n)
			ic.from = ic.ids[ic.n - 1] + 1;
	}
	return M_OK;
}
