/* save.c: writing a case of format 5 (record.c describes it): the
 * plaintext of each class the save changed rebuilt from the record model,
 * fields and list items, and sealed anew; the blind index kept in step
 * (nid.c). */
#include "store/private.h"
#include "store/validate.h"

#include <stdlib.h>
#include <string.h>

/* ---- writing -------------------------------------------------------------------- */

/* A class plaintext being built, in the store's build memory. */
struct pt_buf {
	store *st;
	uint8_t *p;
	size_t n;
};

static int pt_reserve(struct pt_buf *b, size_t more)
{
	return (b->p = st_build(b->st, b->n + more)) ? 0 : -1;
}

static int pt_add(struct pt_buf *b, unsigned number, uint32_t item, const void *v, size_t len)
{
	if (pt_reserve(b, 15 + len))
		return -1;
	if (b->n == 0)
		b->p[b->n++] = CLASS_PT_FORMAT;
	b->n += st_varint_put(b->p + b->n, number);
	b->n += st_varint_put(b->p + b->n, item);
	b->n += st_varint_put(b->p + b->n, (uint32_t)len);
	memcpy(b->p + b->n, v, len);
	b->n += len;
	return 0;
}

/* The lists' part of a save, worked out before any class is sealed: the
 * lists whose class is rewritten (an item added or removed: its markers and
 * highest id change), and that highest id. */
struct list_plan {
	bool work[L_COUNT];
	uint32_t high[L_COUNT];
};

struct keep_ctx {
	struct pt_buf *b;
	const struct case_rec *c;
	enum key_class cls;
	const struct list_plan *plan;
};

/* Carry over what the save does not replace: fields and item fields that
 * are not dirty, items not removed, and every entry this mappe does not
 * know. */
static int keep_one(void *vctx, unsigned number, uint32_t item, const uint8_t *v, size_t len)
{
	struct keep_ctx *ctx = vctx;
	const struct case_rec *c = ctx->c;
	int f = field_by_number(number), l, i;

	if (item == 0 && f >= 0 && field_catalogue[f].cls == ctx->cls && c->dirty[f])
		return 0;
	if ((l = list_by_number(number)) >= 0 && ctx->plan->work[l]) {
		if (item == 0)
			return 0; /* the highest id, written anew */
		if ((i = case_item_find(c, (enum list_id)l, item)) >= 0 && c->items[i].removed)
			return 0;
	}
	if (item != 0 && (f = item_field_by_number(number)) >= 0 &&
	    (i = case_item_find(c, item_catalogue[f].list, item)) >= 0 &&
	    (c->items[i].removed || c->items[i].dirty[f]))
		return 0;
	return pt_add(ctx->b, number, item, v, len) ? -2 : 0;
}

struct scan_ctx {
	enum list_id l;
	const struct case_rec *c;
	bool *found; /* per item of c */
	uint32_t high;
};

static int scan_one(void *vctx, unsigned number, uint32_t item, const uint8_t *v, size_t len)
{
	struct scan_ctx *ctx = vctx;

	if (number != list_catalogue[ctx->l].number)
		return 0;
	if (item == 0) {
		if (len == 4 && rd32(v) > ctx->high)
			ctx->high = rd32(v);
		return 0;
	}
	if (item > ctx->high)
		ctx->high = item;
	for (size_t i = 0; i < ctx->c->nitems; i++)
		if (ctx->c->items[i].list == ctx->l && ctx->c->items[i].id == item)
			ctx->found[i] = true;
	return 0;
}

/* Check the items a save edits or removes against the list as stored, and
 * number the new ones (into item.saved: the ids become theirs once the
 * transaction commits, and a retried transaction numbers them again). */
static int plan_lists(store *st, uint64_t id, const struct rec_header *h,
                      const struct case_rec *c, bool insert, struct list_plan *plan)
{
	bool *found = NULL;
	int rc = M_OK;

	memset(plan, 0, sizeof *plan);
	for (int l = 0; l < L_COUNT && rc == M_OK; l++) {
		const struct list_def *d = &list_catalogue[l];
		bool touch = false, removes = false;

		for (size_t i = 0; i < c->nitems; i++) {
			const struct case_item *it = &c->items[i];
			if (it->list != l || (it->removed && it->id == 0))
				continue;
			plan->work[l] |= it->id == 0 || it->removed;
			removes |= it->removed;
			for (int f = 0; f < I_COUNT; f++)
				touch |= it->dirty[f];
		}
		if (!plan->work[l] && !touch)
			continue;
		if (!store_can_read(st, d->cls)) {
			rc = st_err(st, LIST_NEEDS_KEY, .list = (int)(d - list_catalogue), .cls = d->cls);
			break;
		}
		for (unsigned k = 0; removes && k < KC_COUNT; k++)
			if ((list_classes((enum list_id)l) >> k & 1) &&
			    !store_can_read(st, (enum key_class)k)) {
				rc = st_err(st, ITEM_REMOVE_NEEDS_KEY, .list = (int)(d - list_catalogue), .cls = k);
				goto out;
			}
		if (!found && !(found = calloc(c->nitems + 1, sizeof *found))) {
			rc = st_err(st, NOMEM);
			break;
		}
		memset(found, 0, (c->nitems + 1) * sizeof *found);
		struct scan_ctx sc = {(enum list_id)l, c, found, 0};
		if (!insert && h->slot[d->cls].state == SLOT_SEALED) {
			const uint8_t *pt;
			size_t n;
			if ((rc = st_class_open(st, id, h, d->cls, &pt, &n)))
				break;
			int e = st_class_each(pt, n, scan_one, &sc);
			keys_wipe((void *)pt, n);
			if (e) {
				rc = st_class_damaged(st, id, d->cls);
				break;
			}
		}
		for (size_t i = 0; i < c->nitems; i++) {
			struct case_item *it = &c->items[i];
			if (it->list != l)
				continue;
			if (it->id && !found[i]) {
				rc = st_err(st, NO_ITEM, .list = (int)(d - list_catalogue), .n = it->id);
				goto out;
			}
			if (it->id == 0 && !it->removed) {
				if (sc.high == UINT32_MAX) {
					rc = st_err(st, ITEM_IDS_FULL, .list = (int)(d - list_catalogue));
					goto out;
				}
				it->saved = ++sc.high;
			}
		}
		plan->high[l] = sc.high;
	}
out:
	free(found);
	return rc;
}

/* Whether the save changes class cls through the lists. */
static bool items_dirty(const struct case_rec *c, const struct list_plan *plan, unsigned cls,
                        bool insert)
{
	for (int l = 0; l < L_COUNT; l++)
		if (plan->work[l] && list_catalogue[l].cls == cls)
			return true;
	for (size_t i = 0; i < c->nitems; i++) {
		const struct case_item *it = &c->items[i];
		if (it->removed && it->id == 0)
			continue;
		for (int f = 0; f < I_COUNT; f++)
			if (item_catalogue[f].list == it->list && item_catalogue[f].f.cls == cls &&
			    (it->removed ||
			     (it->dirty[f] && (!insert || (it->value[f] && it->len[f])))))
				return true;
	}
	return false;
}

/* The lists' entries of class cls that the save writes anew. */
static int items_add(struct pt_buf *b, const struct case_rec *c, const struct list_plan *plan,
                     unsigned cls)
{
	for (int l = 0; l < L_COUNT; l++) {
		uint8_t high[4];
		if (!plan->work[l] || list_catalogue[l].cls != cls)
			continue;
		be32(high, plan->high[l]);
		if (pt_add(b, list_catalogue[l].number, 0, high, 4))
			return -1;
		for (size_t i = 0; i < c->nitems; i++)
			if (c->items[i].list == l && c->items[i].id == 0 && !c->items[i].removed &&
			    pt_add(b, list_catalogue[l].number, c->items[i].saved, "", 0))
				return -1;
	}
	for (size_t i = 0; i < c->nitems; i++) {
		const struct case_item *it = &c->items[i];
		uint32_t iid = it->id ? it->id : it->saved;
		if (it->removed)
			continue;
		for (int f = 0; f < I_COUNT; f++)
			if (item_catalogue[f].list == it->list && item_catalogue[f].f.cls == cls &&
			    it->dirty[f] && it->value[f] && it->len[f] &&
			    pt_add(b, item_catalogue[f].f.number, iid, it->value[f], it->len[f]))
				return -1;
	}
	return 0;
}

static int nid_change(store *st, MDB_txn *txn, uint64_t id, const struct rec_header *h,
                      const struct case_rec *c, bool insert);

int st_case5_write(store *st, MDB_txn *txn, uint64_t id, struct rec_header *h,
                   const struct case_rec *c, bool insert)
{
	uint8_t *owned[KC_COUNT] = {0};
	key_classes classes = st_case_classes();
	struct pt_buf b = {st, NULL, 0};
	struct list_plan plan;
	int rc = M_OK;

	h->format = HDR_FORMAT5;
	if ((rc = plan_lists(st, id, h, c, insert, &plan)) ||
	    (rc = nid_change(st, txn, id, h, c, insert)))
		goto out;
	for (unsigned cls = 0; cls < KC_COUNT && rc == M_OK; cls++) {
		bool dirty = false;

		if (!(classes & (1u << cls)))
			continue;
		for (int f = 0; f < F_COUNT; f++)
			dirty |= field_catalogue[f].cls == cls && c->dirty[f] &&
			         (!insert || (c->value[f] && c->len[f]));
		dirty |= items_dirty(c, &plan, cls, insert);
		if (!dirty && !insert)
			continue;
		if (!store_can_read(st, (enum key_class)cls)) {
			if (dirty) {
				for (int f = 0; f < F_COUNT; f++)
					if (field_catalogue[f].cls == cls && c->dirty[f])
						rc = st_err(st, FIELD_NEEDS_KEY, .field = f, .cls = cls);
				if (rc == M_OK)
					rc = st_err(st, ITEMS_NEED_KEY, .cls = cls);
				goto out;
			}
			/* An insert without the key: a placeholder, blank. */
			size_t cap = keys_bucket_envelope_size(0, st_class_floor((enum key_class)cls)), len;
			if (!(owned[cls] = malloc(cap)) ||
			    keys_placeholder((enum key_class)cls, st->epoch[cls], st_class_floor((enum key_class)cls),
			                     owned[cls], cap, &len)) {
				rc = st_err(st, NOMEM);
				goto out;
			}
			h->slot[cls] = (struct class_slot){SLOT_BLANK, 0, owned[cls], len};
			continue;
		}
		b.n = 0;
		if (!insert && h->slot[cls].state == SLOT_SEALED) {
			const uint8_t *pt;
			size_t n;
			if ((rc = st_class_open(st, id, h, (enum key_class)cls, &pt, &n)))
				goto out;
			struct keep_ctx kc = {&b, c, (enum key_class)cls, &plan};
			int e = st_class_each(pt, n, keep_one, &kc);
			keys_wipe((void *)pt, n);
			if (e == -2) {
				rc = st_err(st, NOMEM);
				goto out;
			}
			if (e) {
				rc = st_class_damaged(st, id, (enum key_class)cls);
				goto out;
			}
		}
		for (int f = 0; f < F_COUNT; f++) {
			if (field_catalogue[f].cls != cls || !c->dirty[f] || !c->value[f] ||
			    c->len[f] == 0)
				continue;
			if (pt_add(&b, field_catalogue[f].number, 0, c->value[f], c->len[f])) {
				rc = st_err(st, NOMEM);
				goto out;
			}
		}
		if (items_add(&b, c, &plan, cls)) {
			rc = st_err(st, NOMEM);
			goto out;
		}
		if (insert)
			h->slot[cls] = (struct class_slot){SLOT_NONE, 0, NULL, 0};
		if (b.n == 0 && pt_reserve(&b, 1) == 0)
			b.p[b.n++] = CLASS_PT_FORMAT; /* an empty class is one byte */
		if (!b.p) {
			rc = st_err(st, NOMEM);
			goto out;
		}
		rc = st_class_seal(st, id, h, (enum key_class)cls, b.p, b.n, &owned[cls]);
	}
	if (rc == M_OK)
		rc = st_hdr_write(st, txn, id, h);
out:
	if (b.p)
		keys_wipe(b.p, b.n);
	for (unsigned cls = 0; cls < KC_COUNT; cls++)
		free(owned[cls]);
	return rc;
}

/* The blind index follows the national id: the old entry (under the epoch
 * its envelope was sealed with) goes, the new one is checked for duplicates
 * and added under the active epoch. */
static int nid_change(store *st, MDB_txn *txn, uint64_t id, const struct rec_header *h,
                      const struct case_rec *c, bool insert)
{
	const uint8_t *old = NULL;
	size_t oldlen = 0;
	uint32_t epoch = 0;
	int rc;

	if (!c->dirty[NID_FIELD])
		return M_OK;
	if (!store_can_read(st, NID_CLASS))
		return st_err(st, FIELD_NEEDS_KEY, .field = NID_FIELD, .cls = NID_CLASS);
	if (!insert && h->slot[NID_CLASS].state == SLOT_SEALED) {
		if ((rc = st_case5_nid(st, id, h, &old, &oldlen, &epoch)))
			return rc;
		if (old && c->value[NID_FIELD] && c->len[NID_FIELD] == oldlen &&
		    memcmp(old, c->value[NID_FIELD], oldlen) == 0 &&
		    epoch == st->epoch[NID_CLASS])
			return M_OK; /* unchanged */
		if (old && (rc = st_nid_index(st, txn, epoch, (const char *)old, oldlen, id, false)))
			return rc;
	}
	if (!c->value[NID_FIELD] || c->len[NID_FIELD] == 0)
		return M_OK;
	if (!st->nid_checked &&
	    (rc = st_nid_duplicate(st, txn, c->value[NID_FIELD], c->len[NID_FIELD], id)))
		return rc;
	return st_nid_index(st, txn, st->epoch[NID_CLASS], c->value[NID_FIELD],
	                    c->len[NID_FIELD], id, true);
}
