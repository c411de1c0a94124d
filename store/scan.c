/* scan.c: every case a report reads, in batches: a read transaction a batch,
 * so that a long report never holds one open (and never stops a writer's
 * free pages from being reused); the clear header first, so that a case the
 * report does not want is passed over without decrypting anything of it. */
#include "store/private.h"

#define SCAN_BATCH 256

struct scan_state {
	struct store_scan *s;
	/* Where the scan goes on from: every case, the next id; s->ids, how
	 * many are done. Both move a case at a time, so that a batch the
	 * transaction loop runs again (a map resized under it) starts after
	 * the last case handled: fn never sees a case twice. */
	uint64_t next;
	size_t at;
	bool done;
	int cb_rc;
};

static void handled(struct scan_state *ss, uint64_t id)
{
	if (ss->s->ids)
		ss->at++;
	else if (id == UINT64_MAX)
		ss->done = true;
	else
		ss->next = id + 1;
}

static int scan_batch(store *st, MDB_txn *txn, void *vctx)
{
	struct scan_state *ss = vctx;
	struct store_scan *s = ss->s;
	uint64_t batch[SCAN_BATCH];
	const uint64_t *ids = batch;
	size_t n, size = s->batch && s->batch < SCAN_BATCH ? s->batch : SCAN_BATCH;
	struct case_rec c;
	int rc = M_OK;

	if (s->ids) {
		ids = s->ids + ss->at;
		n = s->nids - ss->at < size ? s->nids - ss->at : size;
	} else if ((rc = st_case_ids(st, txn, ss->next, batch, size, &n))) {
		return rc;
	}
	/* The epochs as of this transaction: a rotation may have run since. */
	if ((rc = st_load_epochs(st, txn)))
		return rc;
	case_init(&c);
	for (size_t i = 0; i < n && rc == M_OK; i++) {
		struct rec_header h = {0};

		rc = st_hdr_read(st, txn, ids[i], &h);
		/* A blocked case (retention.c) is in no report: its fields are
		 * read only by opening it, which is logged. */
		if (rc == M_OK && st_case_hidden(st, txn, ids[i], h.status, h.updated, true)) {
			handled(ss, ids[i]);
			continue;
		}
		if (rc == M_OK && (!s->pick || s->pick(s->ctx, &(struct store_case_head){
		                                               .id = ids[i],
		                                               .status = h.status,
		                                               .caseworker = h.caseworker,
		                                               .assigned_at = h.assigned_at,
		                                           }))) {
			rc = st_case_fill_lists(st, txn, ids[i], &h, &c, s->want, s->lists);
			if (rc == M_OK && (ss->cb_rc = s->fn(s->ctx, &c)))
				break; /* the caller's stop: not handled, not a store failure */
		}
		if (rc == M_INPUT && s->ids) { /* gone since the caller looked */
			rc = M_OK;
		} else if (rc == M_INTEGRITY) { /* a broken case is mappe check's to report */
			s->broken++;
			rc = M_OK;
		}
		if (rc == M_OK)
			handled(ss, ids[i]);
	}
	if (ss->cb_rc)
		rc = ss->cb_rc;
	case_clear(&c);
	if (rc)
		return rc;
	if (s->ids)
		ss->done = ss->at == s->nids;
	else if (n < size)
		ss->done = true;
	return M_OK;
}

int store_scan(store *st, struct store_scan *s)
{
	struct scan_state ss = {.s = s, .done = s->ids && !s->nids};
	int rc = M_OK;

	if (!st->kr)
		return st_err(st, NOT_UNLOCKED);
	s->broken = 0;
	while (!ss.done && (rc = st_txn(st, false, scan_batch, &ss)) == M_OK)
		if (s->between && (rc = s->between(s->ctx)))
			break;
	return ss.cb_rc ? ss.cb_rc : rc;
}
