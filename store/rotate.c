/* rotate.c: key rotation, online and resumable (security.md).
 *
 * State, per class, in meta "rot" + class:
 *   u32 from | u32 to | u64 cursor | u8 phase | u64 done | i64 started
 * Begin: a new root for epoch `to` sealed to every user allowed the class,
 * the class's active epoch set to `to` (writes use it from then on; `from`
 * stays for decryption), state written: one transaction. Phase 1: cases from
 * `cursor` on, `batch` at a time, each in one short write transaction that
 * also moves the cursor, so kill -9 at any instant loses at most a batch that
 * is redone. Phase 2: a scan in read transactions; anything still under an
 * older epoch sends the rotation back to phase 1, else one last transaction
 * deletes every grant of the older epochs (the only copies of those root
 * keys) and the state.
 *
 * A damaged case (its header or a ciphertext does not authenticate) is left
 * exactly as it is: re-encrypting it would mean MACing bytes nobody can
 * vouch for. Each case is re-encrypted in a nested transaction, so one that
 * fails half-way leaves nothing behind, and the batch goes on. When the scan
 * finds only damaged cases under the older epochs, phase 3: the rotation is
 * held back, the older epochs stay decrypt-only (no write uses them; their
 * grants are kept, for the damaged cases' sake), and the call reports the
 * cases. Running it again retries them; once they authenticate it finishes.
 *
 * An all-class rotation (store_rotate_classes) keeps, in meta "rotplan",
 *   u32 classes wanted | u32 classes done
 * and marks a class done in the transaction that finishes it, so a rerun
 * after a crash resumes the class that was in flight and starts no new epoch
 * for the finished ones.
 */
#include "store/private.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* ---- damaged cases, a sorted set ------------------------------------------------- */

struct damaged {
	uint64_t *id;
	size_t n, cap;
};

static size_t damaged_at(const struct damaged *d, uint64_t id)
{
	size_t lo = 0, hi = d->n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (d->id[mid] < id)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

static bool damaged_has(const struct damaged *d, uint64_t id)
{
	size_t i;

	if (!d)
		return false;
	i = damaged_at(d, id);
	return i < d->n && d->id[i] == id;
}

static int damaged_add(store *st, struct damaged *d, uint64_t id)
{
	size_t i = damaged_at(d, id);

	if (i < d->n && d->id[i] == id)
		return M_OK;
	if (d->n == d->cap) {
		size_t cap = d->cap ? d->cap * 2 : 16;
		uint64_t *p = realloc(d->id, cap * sizeof *p);
		if (!p)
			return st_err(st, NOMEM);
		d->id = p;
		d->cap = cap;
	}
	memmove(d->id + i + 1, d->id + i, (d->n - i) * sizeof *d->id);
	d->id[i] = id;
	d->n++;
	return M_OK;
}

/* Case ids only, as mappe check names them: never anything from inside. */
static int damaged_fail(store *st, const struct store_rotation *r, const struct damaged *d)
{
	char list[320];
	size_t off = 0, shown = 0;

	list[0] = 0;
	for (; shown < d->n && off < sizeof list - 48; shown++)
		off += (size_t)snprintf(list + off, sizeof list - off, "%s%llu", shown ? ", " : "",
		                        (unsigned long long)d->id[shown]);
	if (shown < d->n)
		snprintf(list + off, sizeof list - off, ", ...");
	if (d->n == 1)
		return st_err(st, ROTATION_CASE_HELD, .cls = r->cls, .record = d->id[0], .n = r->to);
	return st_err(st, ROTATION_CASES_HELD, .cls = r->cls, .m = d->n, .detail = list, .n = r->to);
}

static int count_cases(store *st, MDB_txn *txn, uint64_t *n)
{
	MDB_stat ms;
	int rc = mdb_stat(txn, st->dbi[DB_CASES], &ms);

	*n = rc ? 0 : ms.ms_entries;
	return rc ? st_mdb(st, rc, "cases") : M_OK;
}

struct get_ctx {
	enum key_class c;
	struct store_rotation *r;
};

static int get_txn(store *st, MDB_txn *txn, void *vctx)
{
	struct get_ctx *ctx = vctx;
	int rc = st_rot_read(st, txn, ctx->c, ctx->r);

	return rc ? rc : count_cases(st, txn, &ctx->r->total);
}

int store_rotation_get(store *st, enum key_class c, struct store_rotation *out)
{
	struct get_ctx ctx = {c, out};
	return st_txn(st, false, get_txn, &ctx);
}

static int epochs_txn(store *st, MDB_txn *txn, void *vctx)
{
	int rc = st_load_epochs(st, txn);

	if (rc == M_OK)
		memcpy(vctx, st->epoch, sizeof st->epoch);
	return rc;
}

int store_active_epochs(store *st, uint32_t active[KC_COUNT])
{
	return st_txn(st, false, epochs_txn, active);
}

/* Read the state again inside a transaction and make sure it is still the
 * rotation this process began: another may have finished it meanwhile (or a
 * revocation superseded it), and acting on a state that is gone would write
 * a rotation to epoch 0. */
static int rot_still(store *st, MDB_txn *txn, struct store_rotation *r)
{
	uint32_t from = r->from, to = r->to;
	int rc = st_rot_read(st, txn, r->cls, r);

	if (rc)
		return rc;
	if (!r->active || r->from != from || r->to != to || (r->phase & ROT_SUPERSEDED))
		return st_err(st, ROTATION_CHANGED, .cls = r->cls);
	return M_OK;
}

/* ---- begin ---------------------------------------------------------------- */

static int begin_txn(store *st, MDB_txn *txn, void *vctx)
{
	struct store_rotation *r = vctx;
	size_t granted;
	int rc;

	if ((rc = st_load_epochs(st, txn)) || (rc = st_rot_read(st, txn, r->cls, r)))
		return rc;
	if (r->active && !(r->phase & ROT_SUPERSEDED))
		return M_OK; /* resume what a crash interrupted */
	if (r->active) {
		/* Superseded: go on from the epoch in flight to a new one; every
		 * case under either is re-encrypted, and both are retired. */
		r->from = r->to;
		r->cursor = 0;
		r->done = 0;
	} else {
		r->from = st->epoch[r->cls];
		r->started = st_now();
	}
	r->active = true;
	r->to = st->epoch[r->cls] + 1;
	r->phase = 1;
	/* A root made by an earlier attempt that never committed must not
	 * shadow the one this transaction seals. */
	keyring_forget(st->kr, r->cls, r->to);
	if (keyring_new_root(st->kr, r->cls, r->to))
		return st_err(st, NOMEM);
	if ((rc = st_grant_epoch(st, txn, r->cls, r->to, &granted)))
		return rc;
	if ((rc = st_put_epoch(st, txn, r->cls, r->to, st->floor[r->cls])))
		return rc;
	st->epoch[r->cls] = r->to;
	/* The counter's and the sealed settings' MACs are under the record
	 * class too: again with the new epoch now, so that nothing but case
	 * headers uses the old one. */
	if (r->cls == KC_RECORD && ((rc = st_counter_seal(st, txn)) || (rc = st_sealed_reseal(st, txn))))
		return rc;
	/* New audit entries are sealed to the new epoch from this commit on. */
	if (r->cls == KC_AUDIT && (rc = st_audit_publish(st, txn)))
		return rc;
	return st_rot_write(st, txn, r);
}

/* ---- phase 1: re-encrypt ----------------------------------------------------- */

/* Seal value for place under (c, to), open the new ciphertext once to prove
 * it, then put it. */
static int reseal(store *st, MDB_txn *txn, enum store_db db, const uint8_t *k, size_t klen,
                  enum key_class c, uint32_t to, const struct keys_place *place,
                  const char *val, size_t len)
{
	size_t cap = keys_envelope_size(len), outlen, n;
	uint8_t *env = malloc(cap);
	char *back = keys_secure_alloc(cap);
	int rc = M_OK;

	if (!env || !back) {
		rc = st_err(st, NOMEM);
	} else if (keys_seal(st->kr, c, to, place, val, len, env, cap, &outlen) != KEYS_OK) {
		rc = st_err(st, ROTATE_NEW_KEY_UNHELD, .cls = c);
	} else if (keys_open(st->kr, place, env, outlen, (uint8_t *)back, cap, &n) != KEYS_OK ||
	           n != len || memcmp(back, val, len) != 0) {
		rc = st_err(st, RESEAL_FAILED, .record = place->record);
	} else {
		rc = st_put(st, txn, db, k, klen, env, outlen, 0);
	}
	free(env);
	keys_secure_free(back);
	return rc;
}

/* Format 5: class c's envelope re-sealed under `to` with a new counter,
 * opened once to prove it; a placeholder becomes the empty class it stands
 * for (an administrator holds the key). The national id's index entry
 * moves to the new epoch with it. */
static int nid_entry(void *vctx, unsigned number, uint32_t item, const uint8_t *v, size_t len)
{
	const uint8_t **out = vctx;

	if (item == 0 && number == field_catalogue[NID_FIELD].number) {
		out[0] = v;
		out[1] = v + len;
		return 1;
	}
	return 0;
}

static int rotate_class5(store *st, MDB_txn *txn, uint64_t id, struct rec_header *h,
                         enum key_class c, uint32_t to, uint8_t **owned, bool *damaged)
{
	static const uint8_t empty[1] = {1};
	struct class_slot *s = &h->slot[c];
	const uint8_t *pt, *back;
	uint8_t *copy;
	size_t n, m;
	enum key_class ec;
	uint32_t epoch;
	int rc;

	if (s->state == SLOT_NONE || keys_envelope_info(s->env, s->len, &ec, &epoch) != KEYS_OK ||
	    epoch >= to)
		return M_OK;
	if (st->epoch[c] != to)
		return st_err(st, ROTATION_EPOCH_MOVED, .cls = c);
	if ((rc = st_class_open(st, id, h, c, &pt, &n))) {
		*damaged = rc == M_INTEGRITY;
		return rc == M_AUTH ? st_err(st, ROTATE_OLD_KEY_UNHELD, .cls = c)
		                    : rc;
	}
	/* Into the build memory: st_class_open below reuses the scratch. A
	 * placeholder opens to nothing and is sealed anew as an empty class. */
	if (s->state == SLOT_BLANK) {
		pt = empty;
		n = sizeof empty;
	}
	if (!(copy = st_build(st, n)))
		return st_err(st, NOMEM);
	memcpy(copy, pt, n);
	if (pt != empty)
		keys_wipe((void *)pt, n);
	if (c == NID_CLASS) {
		const uint8_t *nid[2] = {NULL, NULL};
		if (st_class_each(copy, n, nid_entry, nid) < 0) {
			*damaged = true;
			rc = st_err(st, IDENTITY_MALFORMED, .record = id);
			goto out;
		}
		if (nid[0]) {
			size_t nlen = (size_t)(nid[1] - nid[0]);
			rc = st_nid_index(st, txn, epoch, (const char *)nid[0], nlen, id, false);
			if (rc == M_OK)
				rc = st_nid_index(st, txn, to, (const char *)nid[0], nlen, id, true);
			if (rc)
				goto out;
		}
	}
	if ((rc = st_class_seal(st, id, h, c, copy, n, owned)))
		goto out;
	if (st_class_open(st, id, h, c, &back, &m) != M_OK || m != n || memcmp(back, copy, n) != 0)
		rc = st_err(st, RESEAL_FAILED, .record = id);
	else
		keys_wipe((void *)back, m);
out:
	keys_wipe(copy, n);
	return rc;
}

/* *damaged is set when what fails is the case as stored (a header or a
 * ciphertext that does not authenticate, a value missing): the caller
 * leaves that case alone and goes on. Anything else stops the rotation. */
/* A journal note re-sealed under `to`, in the store's reused locked
 * memory: a rotation must not cost a locked mapping per value. */
static int reseal_note(store *st, MDB_txn *txn, const uint8_t k[12], const MDB_val *v,
                       const struct keys_place *place, uint32_t to, bool *damaged)
{
	size_t n, m, cap = keys_envelope_size(v->mv_size), outlen;
	enum key_class ec;
	uint32_t epoch;
	uint8_t *pt = st_scratch(st, v->mv_size), *copy, *env;
	int rc;

	if (!pt || !(copy = st_build(st, v->mv_size)))
		return st_err(st, NOMEM);
	if (keys_envelope_info(v->mv_data, v->mv_size, &ec, &epoch) != KEYS_OK ||
	    ec != KC_NOTES || epoch < st->floor[KC_NOTES] || epoch > st->epoch[KC_NOTES] ||
	    keys_open(st->kr, place, v->mv_data, v->mv_size, pt, v->mv_size, &n) != KEYS_OK) {
		*damaged = true;
		return st_err(st, NOTE_FORGED, .record = place->record, .n = place->counter);
	}
	memcpy(copy, pt, n);
	keys_wipe(pt, n);
	if (!(env = malloc(cap))) {
		keys_wipe(copy, n);
		return st_err(st, NOMEM);
	}
	if (keys_seal(st->kr, KC_NOTES, to, place, copy, n, env, cap, &outlen) != KEYS_OK)
		rc = st_err(st, ROTATE_NEW_NOTES_KEY_UNHELD);
	else if (keys_open(st->kr, place, env, outlen, pt, v->mv_size, &m) != KEYS_OK || m != n ||
	         memcmp(pt, copy, n) != 0)
		rc = st_err(st, RESEAL_FAILED, .record = place->record);
	else
		rc = st_put(st, txn, DB_NOTES, k, 12, env, outlen, 0);
	keys_wipe(pt, n);
	keys_wipe(copy, n);
	free(env);
	return rc;
}

/* Every class of `classes` re-encrypted in one case, to[c] each: the
 * header read and verified once, written once. *damaged is set when what
 * fails is the case as stored (a header or a ciphertext that does not
 * authenticate, a value missing): the caller leaves that case alone and
 * goes on. Anything else stops the rotation. */
static int rotate_case(store *st, MDB_txn *txn, uint64_t id, key_classes classes,
                       const uint32_t to[KC_COUNT], bool *damaged)
{
	struct rec_header h;
	uint8_t *owned[KC_COUNT] = {0};
	bool dirty = false;
	int rc = st_hdr_read(st, txn, id, &h);

	if (rc) {
		*damaged = rc == M_INTEGRITY;
		return rc;
	}
	if ((classes & (1u << KC_RECORD)) && h.epoch < to[KC_RECORD])
		dirty = true; /* st_hdr_write MACs under the new epoch */
	for (unsigned c = 1; h.format == HDR_FORMAT5 && c < KC_COUNT; c++) {
		if (!(classes & (1u << c)))
			continue;
		if ((rc = rotate_class5(st, txn, id, &h, (enum key_class)c, to[c], &owned[c], damaged)))
			goto out;
		dirty |= owned[c] != NULL;
	}
	for (unsigned i = 0; i < h.nfields; i++) {
		struct hdr_field *hf = &h.f[i];
		int f = field_by_number(hf->number);
		uint8_t k[10];
		size_t klen = st_field_key(k, id, hf->number), len;
		enum key_class ec, c;
		uint32_t epoch;
		char *val;
		MDB_val v;

		if (f < 0 || !hf->present || !(classes & (1u << field_catalogue[f].cls)))
			continue;
		c = field_catalogue[f].cls;
		if ((rc = st_get(st, txn, DB_FIELDS, k, klen, &v))) {
			*damaged = rc == -1;
			rc = rc == -1 ? st_err(st, FIELD_MISSING, .record = id, .n = hf->number)
			              : rc;
			goto out;
		}
		if (keys_envelope_info(v.mv_data, v.mv_size, &ec, &epoch) != KEYS_OK ||
		    epoch >= to[c])
			continue;
		struct keys_place place = {id, hf->number, hf->counter};
		if ((rc = st_open_env(st, &place, &v, c, &val, &len))) {
			*damaged = rc == M_INTEGRITY;
			if (rc == M_AUTH)
				rc = st_err(st, ROTATE_OLD_KEY_UNHELD, .cls = c);
			goto out;
		}
		/* A new counter too: the old ciphertext can never be put back. */
		place.counter = ++hf->counter;
		if (f == NID_FIELD)
			rc = st_nid_index(st, txn, epoch, val, len, id, false);
		if (rc == M_OK)
			rc = reseal(st, txn, DB_FIELDS, k, klen, c, to[c], &place, val, len);
		if (rc == M_OK && f == NID_FIELD)
			rc = st_nid_index(st, txn, to[c], val, len, id, true);
		keys_secure_free(val);
		if (rc)
			goto out;
		dirty = true;
	}
	for (uint32_t seq = 0; (classes & (1u << KC_NOTES)) && seq < h.notes; seq++) {
		uint8_t k[12];
		enum key_class ec;
		uint32_t epoch;
		MDB_val v;

		be64(k, id);
		be32(k + 8, seq);
		if ((rc = st_get(st, txn, DB_NOTES, k, 12, &v))) {
			*damaged = rc == -1;
			rc = rc == -1 ? st_err(st, NOTE_MISSING, .record = id, .n = seq)
			              : rc;
			goto out;
		}
		if (keys_envelope_info(v.mv_data, v.mv_size, &ec, &epoch) != KEYS_OK ||
		    epoch >= to[KC_NOTES])
			continue;
		const struct keys_place place = {id, NOTE_FIELD, seq};
		if ((rc = reseal_note(st, txn, k, &v, &place, to[KC_NOTES], damaged)))
			goto out;
	}
	/* The version stays: re-encryption is no edit, and must not turn a
	 * colleague's save into a conflict. */
	rc = M_OK;
	if (dirty) {
		st->write_action = AUDIT_REWRITE;
		rc = st_hdr_write(st, txn, id, &h);
		st->write_action = 0;
	}
out:
	for (unsigned c = 0; c < KC_COUNT; c++)
		free(owned[c]);
	return rc;
}

/* One pass re-encrypts every class in `set` (each of r[] in phase 1), from
 * the lowest of their cursors: a case is read, re-sealed for each class
 * whose cursor it has reached, and written once. */
struct step_ctx {
	struct store_rotation *r; /* indexed by class */
	key_classes set;
	size_t batch;
	struct damaged *dmg; /* per class */
};

/* One case in a transaction nested in the batch's: a case that fails
 * half-way leaves nothing of the attempt behind. A damaged case is tried
 * again class by class, so that a broken protected envelope holds back the
 * protected rotation alone. */
static int rotate_one(store *st, MDB_txn *txn, struct step_ctx *ctx, uint64_t id,
                      key_classes classes)
{
	uint32_t to[KC_COUNT] = {0};
	MDB_txn *child;
	bool damaged = false;
	int rc;

	for (unsigned c = 0; c < KC_COUNT; c++)
		to[c] = ctx->r[c].to;
	if ((rc = mdb_txn_begin(st->env, txn, 0, &child)))
		return st_mdb(st, rc, "begin transaction");
	rc = rotate_case(st, child, id, classes, to, &damaged);
	if (rc == M_OK)
		return (rc = mdb_txn_commit(child)) ? st_mdb(st, rc, "commit") : M_OK;
	mdb_txn_abort(child);
	if (!damaged)
		return rc;
	for (unsigned c = 0; c < KC_COUNT; c++) {
		if (!(classes & (1u << c)))
			continue;
		damaged = false;
		if ((rc = mdb_txn_begin(st->env, txn, 0, &child)))
			return st_mdb(st, rc, "begin transaction");
		rc = rotate_case(st, child, id, 1u << c, to, &damaged);
		if (rc == M_OK) {
			if ((rc = mdb_txn_commit(child)))
				return st_mdb(st, rc, "commit");
			continue;
		}
		mdb_txn_abort(child);
		if (!damaged)
			return rc;
		if ((rc = damaged_add(st, &ctx->dmg[c], id)))
			return rc;
	}
	return M_OK;
}

static int step_txn(store *st, MDB_txn *txn, void *vctx)
{
	struct step_ctx *ctx = vctx;
	struct store_rotation *r = ctx->r;
	uint64_t *ids = calloc(ctx->batch, sizeof *ids), from = UINT64_MAX, total;
	size_t n = 0;
	int rc;

	if (!ids)
		return st_err(st, NOMEM);
	/* Read the state inside this transaction: it is the truth after a crash. */
	if ((rc = st_load_epochs(st, txn)) || (rc = count_cases(st, txn, &total)))
		goto out;
	for (unsigned c = 0; c < KC_COUNT; c++) {
		if (!(ctx->set & (1u << c)))
			continue;
		if ((rc = rot_still(st, txn, &r[c])))
			goto out;
		r[c].total = total;
		if (r[c].cursor < from)
			from = r[c].cursor;
	}
	if ((rc = st_case_ids(st, txn, from, ids, ctx->batch, &n)))
		goto out;
	for (size_t i = 0; i < n && rc == M_OK; i++) {
		key_classes classes = 0;
		for (unsigned c = 0; c < KC_COUNT; c++)
			if ((ctx->set & (1u << c)) && r[c].cursor <= ids[i])
				classes |= 1u << c;
		rc = rotate_one(st, txn, ctx, ids[i], classes);
	}
	if (rc)
		goto out;
	for (unsigned c = 0; c < KC_COUNT; c++) {
		if (!(ctx->set & (1u << c)))
			continue;
		for (size_t i = 0; i < n; i++)
			r[c].done += ids[i] >= r[c].cursor;
		if (n < ctx->batch || ids[n - 1] == UINT64_MAX) { /* never wrap the cursor */
			r[c].phase = 2;
			r[c].cursor = 0;
		} else if (ids[n - 1] + 1 > r[c].cursor) {
			r[c].cursor = ids[n - 1] + 1;
		}
		if ((rc = st_rot_write(st, txn, &r[c])))
			goto out;
	}
out:
	free(ids);
	return rc;
}

/* ---- phase 2: prove, then forget ------------------------------------------------ */

struct scan_ctx {
	enum key_class c;
	uint32_t below; /* count what is under an epoch below this */
	uint64_t next;
	bool done;
	uint64_t refs;       /* in cases that can be re-encrypted */
	uint64_t brefs;      /* in damaged ones */
	struct damaged *dmg; /* known damaged; those the scan finds are added */
	/* for status: records per epoch */
	struct store_epoch_use *use;
	size_t *nuse;
};

static void note_use(struct scan_ctx *ctx, uint32_t epoch, uint32_t *seen, size_t *nseen,
                     bool damaged)
{
	for (size_t i = 0; i < *nseen; i++)
		if (seen[i] == epoch)
			return;
	if (*nseen < 16)
		seen[(*nseen)++] = epoch;
	if (epoch < ctx->below)
		(*(damaged ? &ctx->brefs : &ctx->refs))++;
	if (!ctx->use)
		return;
	for (size_t i = 0; i < *ctx->nuse; i++)
		if (ctx->use[i].epoch == epoch) {
			ctx->use[i].records++;
			return;
		}
	if (*ctx->nuse < 8)
		ctx->use[(*ctx->nuse)++] = (struct store_epoch_use){epoch, 1};
}

enum { SCAN_BATCH = 512 };

struct raw_use {
	struct scan_ctx *ctx;
	uint32_t *seen;
	size_t *nseen;
};

static void raw_use_one(void *vctx, enum key_class c, uint32_t epoch)
{
	struct raw_use *ru = vctx;

	if (c == ru->ctx->c)
		note_use(ru->ctx, epoch, ru->seen, ru->nseen, true);
}

/* A damaged case's epochs, from the envelopes under its id and the clear
 * epoch of its header: it cannot be re-encrypted, but what it still holds
 * under an older epoch keeps that epoch's key from being deleted. A header
 * too broken to say counts as holding one. */
static int damaged_use(store *st, MDB_txn *txn, struct scan_ctx *ctx, uint64_t id)
{
	uint32_t seen[16] = {0};
	size_t nseen = 0;
	uint64_t before = ctx->brefs;
	uint8_t k[12];
	MDB_val key, val;
	int rc;

	be64(k, id);
	key = (MDB_val){8, k};
	if (mdb_get(txn, st->dbi[DB_CASES], &key, &val) == 0) {
		const uint8_t *b = val.mv_data;
		uint32_t repoch;
		struct raw_use ru = {ctx, seen, &nseen};
		if (val.mv_size > 0 && b[0] == HDR_FORMAT5) {
			if (st_hdr5_raw_epochs(b, val.mv_size, &repoch, raw_use_one, &ru) == 0) {
				if (ctx->c == KC_RECORD)
					note_use(ctx, repoch, seen, &nseen, true);
			} else if (ctx->below) {
				ctx->brefs++;
			}
		} else if (ctx->c == KC_RECORD) {
			if (val.mv_size >= 12 && b[0] == HDR_FORMAT)
				note_use(ctx, rd32(b + 8), seen, &nseen, true);
			else if (ctx->below)
				ctx->brefs++;
		}
	}
	for (int db = DB_FIELDS; db <= DB_NOTES; db++) {
		MDB_cursor *cur;
		size_t klen = db == DB_FIELDS ? 10 : 12;
		if (db == DB_NOTES && ctx->c != KC_NOTES)
			break;
		if ((rc = mdb_cursor_open(txn, st->dbi[db], &cur)))
			return st_mdb(st, rc, "scan");
		memset(k + 8, 0, 4);
		key = (MDB_val){klen, k};
		for (rc = mdb_cursor_get(cur, &key, &val, MDB_SET_RANGE); rc == 0;
		     rc = mdb_cursor_get(cur, &key, &val, MDB_NEXT)) {
			enum key_class ec;
			uint32_t epoch;
			if (key.mv_size != klen || rd64(key.mv_data) != id)
				break;
			if (keys_envelope_info(val.mv_data, val.mv_size, &ec, &epoch) == KEYS_OK &&
			    ec == ctx->c)
				note_use(ctx, epoch, seen, &nseen, true);
		}
		mdb_cursor_close(cur);
	}
	if (ctx->brefs > before && ctx->dmg)
		return damaged_add(st, ctx->dmg, id);
	return M_OK;
}

static int scan_txn(store *st, MDB_txn *txn, void *vctx)
{
	struct scan_ctx *ctx = vctx;
	MDB_cursor *cur;
	uint8_t k[8];
	MDB_val key = {8, k}, val;
	size_t n = 0;
	bool last = false;
	int rc;

	be64(k, ctx->next);
	if ((rc = mdb_cursor_open(txn, st->dbi[DB_CASES], &cur)))
		return st_mdb(st, rc, "cases");
	for (rc = mdb_cursor_get(cur, &key, &val, MDB_SET_RANGE); rc == 0 && n < SCAN_BATCH;
	     rc = mdb_cursor_get(cur, &key, &val, MDB_NEXT)) {
		uint64_t id;
		struct rec_header h;
		uint32_t seen[16] = {0};
		size_t nseen = 0;

		if (key.mv_size != 8)
			continue;
		id = rd64(key.mv_data);
		ctx->next = id + 1;
		if (id == UINT64_MAX)
			last = true; /* never wrap back to the first case */
		n++;
		/* The epochs are in clear in the header and every envelope:
		 * the scan needs no key beyond the header's. */
		if (damaged_has(ctx->dmg, id) || st_hdr_read(st, txn, id, &h) != M_OK) {
			if ((rc = damaged_use(st, txn, ctx, id))) {
				mdb_cursor_close(cur);
				return rc;
			}
			continue; /* mappe check reports it */
		}
		if (ctx->c == KC_RECORD)
			note_use(ctx, h.epoch, seen, &nseen, false);
		if (h.format == HDR_FORMAT5 && ctx->c < KC_COUNT && h.slot[ctx->c].state) {
			enum key_class ec;
			uint32_t epoch;
			if (keys_envelope_info(h.slot[ctx->c].env, h.slot[ctx->c].len, &ec, &epoch) ==
			    KEYS_OK)
				note_use(ctx, epoch, seen, &nseen, false);
		}
		for (unsigned i = 0; i < h.nfields; i++) {
			int f = field_by_number(h.f[i].number);
			uint8_t fk[10];
			enum key_class ec;
			uint32_t epoch;
			MDB_val v;
			if (f < 0 || !h.f[i].present || field_catalogue[f].cls != ctx->c)
				continue;
			if (st_get(st, txn, DB_FIELDS, fk, st_field_key(fk, id, h.f[i].number), &v) ==
			        M_OK &&
			    keys_envelope_info(v.mv_data, v.mv_size, &ec, &epoch) == KEYS_OK)
				note_use(ctx, epoch, seen, &nseen, false);
		}
		for (uint32_t seq = 0; ctx->c == KC_NOTES && seq < h.notes; seq++) {
			uint8_t nk[12];
			enum key_class ec;
			uint32_t epoch;
			MDB_val v;
			be64(nk, id);
			be32(nk + 8, seq);
			if (st_get(st, txn, DB_NOTES, nk, 12, &v) == M_OK &&
			    keys_envelope_info(v.mv_data, v.mv_size, &ec, &epoch) == KEYS_OK)
				note_use(ctx, epoch, seen, &nseen, false);
		}
	}
	mdb_cursor_close(cur);
	if (n < SCAN_BATCH || last) {
		ctx->done = true;
		/* Blind-index entries carry their epoch in the key. */
		if (ctx->c == NID_CLASS) {
			MDB_cursor *nc;
			MDB_val nkey, nval;
			if ((rc = mdb_cursor_open(txn, st->dbi[DB_NID], &nc)))
				return st_mdb(st, rc, "nid index");
			for (rc = mdb_cursor_get(nc, &nkey, &nval, MDB_FIRST); rc == 0;
			     rc = mdb_cursor_get(nc, &nkey, &nval, MDB_NEXT))
				if ((nkey.mv_size == 14 || nkey.mv_size == 16) &&
				    rd32(nkey.mv_data) < ctx->below)
					(*(damaged_has(ctx->dmg, rd64((const uint8_t *)nkey.mv_data +
					                              nkey.mv_size - 8))
					       ? &ctx->brefs
					       : &ctx->refs))++;
			mdb_cursor_close(nc);
		}
	}
	return M_OK;
}

static int scan(store *st, struct scan_ctx *ctx)
{
	int rc = M_OK;

	while (!ctx->done && rc == M_OK)
		rc = st_txn(st, false, scan_txn, ctx);
	return rc;
}

static int finish_txn(store *st, MDB_txn *txn, void *vctx)
{
	struct store_rotation *r = vctx;
	int rc;

	if ((rc = rot_still(st, txn, r)))
		return rc;
	if (r->to < 2)
		return st_err(st, ROTATION_IMPOSSIBLE, .cls = r->cls, .n = r->to);
	if ((rc = st_rotate_drafts(st, txn, r->cls, r->to)))
		return rc;
	/* Grants are the only copies of a root key: deleting them deletes it.
	 * The floor retires the old epochs, so that a ciphertext of theirs put
	 * back later is tampering, not a field someone lacks the key for. */
	if ((rc = st_load_epochs(st, txn)))
		return rc;
	/* The audit log's entries are never re-encrypted: the chain is over
	 * what is stored. So the audit class keeps its older epochs, to read
	 * the entries sealed to them; new entries use the new one. */
	if (r->cls != KC_AUDIT) {
		if ((rc = st_drop_grants(st, txn, NULL, r->cls, r->to)) ||
		    (rc = st_put_epoch(st, txn, r->cls, st->epoch[r->cls], r->to)))
			return rc;
		st->floor[r->cls] = r->to;
	}
	r->active = false;
	/* In the same transaction: a rerun of an all-class rotation must not
	 * rotate this class again. */
	if ((rc = st_plan_mark(st, txn, r->cls, true)))
		return rc;
	return st_rot_delete(st, txn, r->cls);
}

static int restart_txn(store *st, MDB_txn *txn, void *vctx)
{
	struct store_rotation *r = vctx;
	int rc = rot_still(st, txn, r);

	if (rc)
		return rc;
	r->phase = 1;
	r->cursor = 0;
	return st_rot_write(st, txn, r);
}

/* Only damaged cases hold the older epochs: keep them, decrypt-only, and say
 * so in the state, so that a rerun knows this is where it stopped. */
static int block_txn(store *st, MDB_txn *txn, void *vctx)
{
	struct store_rotation *r = vctx;
	int rc;

	if ((rc = rot_still(st, txn, r)) || (rc = st_load_epochs(st, txn)))
		return rc;
	/* Drafts are no case's stored data: they move on regardless. */
	if ((rc = st_rotate_drafts(st, txn, r->cls, r->to)))
		return rc;
	r->phase = ROT_BLOCKED;
	r->cursor = 0;
	return st_rot_write(st, txn, r);
}

/* A batch is sized by time: about ten milliseconds of the write lock (the
 * commit's fsync included), so that a colleague's save waits at most one
 * batch (and st_txn lets waiting writers go first: st->yield_writers). */
enum { BATCH_MS_LOW = 8, BATCH_MS_HIGH = 20 };

enum { BATCH_MAX = 1000 };

static size_t next_batch(size_t batch, size_t max, int64_t ms)
{
	if (ms < BATCH_MS_LOW && batch < max)
		return batch * 2 > max ? max : batch * 2;
	if (ms > BATCH_MS_HIGH && batch > 1)
		return batch / 2;
	return batch;
}

/* Every class of `classes` rotated together: begun, re-encrypted in one
 * pass over the cases, then each proved unused and forgotten. *blocked
 * gets the classes stopped because damaged cases hold an older epoch (with
 * every other case done); the first such class's fault is the store's,
 * and damaged() gets each. */
static int rotate_set_locked(store *st, key_classes classes, size_t max_batch,
                             void (*progress)(void *ctx, const struct store_rotation *r),
                             void (*damaged)(void *ctx, enum key_class c,
                                             const struct store_fault *why),
                             void *pctx, key_classes *blocked)
{
	struct store_rotation r[KC_COUNT];
	struct damaged dmg[KC_COUNT];
	key_classes live = classes;
	/* A batch the caller gives is kept as it is; 0: sized by time. */
	bool timed = max_batch == 0;
	size_t batch = timed ? 64 : max_batch;
	struct store_fault first = {.code = E_NONE};
	int rc = M_OK;

	*blocked = 0;
	st->rotate_stop = false;
	memset(dmg, 0, sizeof dmg);
	for (unsigned c = 0; c < KC_COUNT && rc == M_OK; c++) {
		r[c] = (struct store_rotation){.cls = (enum key_class)c};
		if (live & (1u << c)) {
			char what[64];
			snprintf(what, sizeof what, "rotate %s", keys_class_name((enum key_class)c));
			rc = st_txn_audited(st, begin_txn, &r[c],
			                    &(struct audit_event){.action = AUDIT_KEYS, .detail = what});
		}
	}
	if (rc)
		goto out;
	st->yield_writers = true;
	while (live) {
		key_classes set = 0;
		for (unsigned c = 0; c < KC_COUNT; c++)
			if ((live & (1u << c)) && r[c].phase == 1)
				set |= 1u << c;
		while (set) {
			struct step_ctx sctx = {r, set, batch, dmg};
			int64_t t0 = st_now_ms();
			if ((rc = st_txn(st, true, step_txn, &sctx)))
				goto out;
			if (timed)
				batch = next_batch(batch, BATCH_MAX, st_now_ms() - t0);
			for (unsigned c = 0; c < KC_COUNT; c++)
				if ((set & (1u << c)) && r[c].phase != 1)
					set &= ~(1u << c);
			for (unsigned c = 0; progress && c < KC_COUNT; c++)
				if (sctx.set & (1u << c))
					progress(pctx, &r[c]);
			/* Stopped between batches: the state of a kill here,
			 * which the next run resumes. */
			for (unsigned c = 0; st->rotate_stop && c < KC_COUNT; c++)
				if (sctx.set & (1u << c)) {
					rc = st_err(st, ROTATION_STOPPED, .cls = (int)c,
					            .n = r[c].done, .m = r[c].total);
					goto out;
				}
		}
		/* Each class proved unused, held back, or (something still
		 * under its old epoch) passed over again with the others. */
		for (unsigned c = 0; c < KC_COUNT; c++) {
			if (!(live & (1u << c)))
				continue;
			struct scan_ctx scx = {.c = (enum key_class)c, .below = r[c].to, .dmg = &dmg[c]};
			if ((rc = scan(st, &scx)))
				goto out;
			if (scx.refs == 0 && scx.brefs == 0) {
				char what[64];
				snprintf(what, sizeof what, "rotated %s: epoch %u",
				         keys_class_name((enum key_class)c), (unsigned)r[c].to);
				if ((rc = st_txn_audited(st, finish_txn, &r[c],
				                         &(struct audit_event){.action = AUDIT_KEYS,
				                                               .detail = what})))
					goto out;
				if (progress)
					progress(pctx, &r[c]);
				live &= ~(1u << c);
			} else if (scx.refs == 0) {
				if ((rc = st_txn(st, true, block_txn, &r[c])))
					goto out;
				damaged_fail(st, &r[c], &dmg[c]);
				if (first.code == E_NONE)
					first = st->fault;
				if (damaged)
					damaged(pctx, (enum key_class)c, &st->fault);
				*blocked |= 1u << c;
				live &= ~(1u << c);
			} else {
				/* Something is still under the old epoch (a case a
				 * stale session wrote, say, or one a crash left in
				 * phase 3): another pass, which retries the damaged
				 * cases too. */
				if ((rc = st_txn(st, true, restart_txn, &r[c])))
					goto out;
			}
		}
	}
	if (*blocked) {
		st_fault_restore(st, &first);
		rc = M_INTEGRITY;
	}
out:
	st->yield_writers = false;
	st->rotate_stop = false;
	for (unsigned c = 0; c < KC_COUNT; c++)
		free(dmg[c].id);
	return rc;
}

void store_rotate_stop(store *st)
{
	st->rotate_stop = true;
}

/* One rotation of a store at a time, across processes. */
static int rotation_begin(store *st, int *lock)
{
	if (!st->kr || !keyring_is_authority(st->kr))
		return st_err(st, ROTATE_ADMIN_ONLY);
	if ((*lock = st_rotation_lock(st)) < 0)
		return st_err(st, ROTATION_RUNNING);
	return M_OK;
}

int store_rotate(store *st, enum key_class c, size_t batch,
                 void (*progress)(void *ctx, const struct store_rotation *r), void *pctx)
{
	key_classes blocked;
	int lock = -1, rc;

	if ((unsigned)c >= KC_COUNT)
		return st_err(st, NO_CLASS);
	if ((rc = rotation_begin(st, &lock)))
		return rc;
	rc = rotate_set_locked(st, 1u << c, batch, progress, NULL, pctx, &blocked);
	close(lock);
	return rc;
}

struct plan_ctx {
	key_classes classes, todo;
};

/* Begin a plan for these classes, or resume the same one after a crash or
 * after damaged cases held it back: a class it finished is skipped, unless
 * a rotation of it is in flight again. Another call's plan gives way: the
 * last request is what a rerun resumes, and a plan forgotten only means
 * that more is rotated. */
static int plan_txn(store *st, MDB_txn *txn, void *vctx)
{
	struct plan_ctx *ctx = vctx;
	struct rot_plan p;
	int rc = st_plan_read(st, txn, &p);

	if (rc)
		return rc;
	ctx->todo = ctx->classes;
	if (!p.have || p.want != ctx->classes) {
		p = (struct rot_plan){true, ctx->classes, 0};
		return st_plan_write(st, txn, &p);
	}
	for (unsigned c = 0; c < KC_COUNT; c++) {
		struct store_rotation r;
		if (!(p.done & ctx->classes & (1u << c)))
			continue;
		if ((rc = st_rot_read(st, txn, (enum key_class)c, &r)))
			return rc;
		if (!r.active)
			ctx->todo &= ~(1u << c);
	}
	return M_OK;
}

int store_rotate_classes(store *st, key_classes classes, size_t batch,
                         void (*progress)(void *ctx, const struct store_rotation *r),
                         void (*damaged)(void *ctx, enum key_class c,
                                         const struct store_fault *why),
                         void *pctx)
{
	struct plan_ctx pc = {classes, 0};
	unsigned held_back = 0;
	int lock = -1, rc;

	if (classes == 0 || (classes >> KC_COUNT))
		return st_err(st, NO_CLASS);
	if ((rc = rotation_begin(st, &lock)))
		return rc;
	if ((rc = st_txn(st, true, plan_txn, &pc)))
		goto out;
	if (pc.todo) {
		key_classes blocked = 0;
		/* One damaged case must not keep the other classes at keys a
		 * revoked user held: they finish, the held back ones are named. */
		rc = rotate_set_locked(st, pc.todo, batch, progress, damaged, pctx, &blocked);
		if (rc && !blocked)
			goto out;
		for (; blocked; blocked &= blocked - 1)
			held_back++;
	}
	/* The plan stays while a class is held back: a rerun retries only
	 * those. It went with the last class to finish otherwise. */
	if (held_back)
		rc = st_err(st, ROTATION_HELD_BACK, .n = held_back);
out:
	close(lock);
	return rc;
}

/* ---- status ------------------------------------------------------------------------ */

struct status_ctx {
	struct store_key_status *s;
};

static int status_txn(store *st, MDB_txn *txn, void *vctx)
{
	struct status_ctx *ctx = vctx;
	uint64_t total;
	int rc;

	if ((rc = st_load_epochs(st, txn)) || (rc = count_cases(st, txn, &total)))
		return rc;
	for (unsigned c = 0; c < KC_COUNT; c++) {
		ctx->s[c].active = st->epoch[c];
		if ((rc = st_rot_read(st, txn, (enum key_class)c, &ctx->s[c].rotation)))
			return rc;
		ctx->s[c].rotation.total = total;
	}
	return M_OK;
}

static int by_epoch(const void *a, const void *b)
{
	const struct store_epoch_use *x = a, *y = b;
	return (x->epoch > y->epoch) - (x->epoch < y->epoch);
}

int store_key_status(store *st, struct store_key_status status[KC_COUNT])
{
	struct status_ctx ctx = {status};
	int rc;

	if (!st->kr)
		return st_err(st, NOT_UNLOCKED);
	memset(status, 0, KC_COUNT * sizeof *status);
	if ((rc = st_txn(st, false, status_txn, &ctx)))
		return rc;
	for (unsigned c = 0; c < KC_COUNT; c++) {
		struct scan_ctx scx = {.c = (enum key_class)c, .below = 0, .use = status[c].use,
		                       .nuse = &status[c].nuse};
		if ((rc = scan(st, &scx)))
			return rc;
		qsort(status[c].use, status[c].nuse, sizeof *status[c].use, by_epoch);
	}
	return M_OK;
}
