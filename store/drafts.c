/* drafts.c: unsaved edits kept when the terminal goes away (a dropped SSH
 * link), sealed like fields, offered back at the next login.
 *
 * drafts table, key = user 0x00 u64 id:
 *   u8 version (1) | u32 base version | i64 saved | u16 n |
 *   n x (u16 field number | u32 length | envelope)
 * Each value is sealed under its field's class (record for the clear ones,
 * notes for a note's text) at the place {case, 0x8000 | field number, base
 * version}, a note's text at {case, DRAFT_NOTE_PLACE, base version}: never
 * a field's or a journal note's own place, so a draft can not pass for a
 * saved value, nor a saved value for a draft.
 */
#include "store/private.h"

#include <stdlib.h>
#include <string.h>

/* A note's entry is numbered NOTE_NUMBER in the draft, but sealed at
 * DRAFT_NOTE_PLACE: 0x8000 | NOTE_NUMBER is 0xffff, a journal note's
 * NOTE_FIELD, where a draft note with base version n opened as the case's
 * note n. 0xfffd is no field's draft place (field numbers stay below
 * 0x7f00), no class's (PLACE_CLASS), not the class table's. */
enum { DRAFT_VERSION = 1, DRAFT_PLACE = 0x8000, NOTE_NUMBER = 0x7fff, DRAFT_NOTE_PLACE = 0xfffd };

static struct keys_place draft_place(uint64_t id, unsigned number, uint32_t base)
{
	return (struct keys_place){
	    id, number == NOTE_NUMBER ? DRAFT_NOTE_PLACE : (uint16_t)(DRAFT_PLACE | number), base};
}

static size_t draft_key(store *st, uint8_t *k, uint64_t id)
{
	size_t n = strlen(st->user);

	memcpy(k, st->user, n);
	k[n] = 0;
	be64(k + n + 1, id);
	return n + 9;
}

static enum key_class draft_class(unsigned number)
{
	int f;

	if (number == NOTE_NUMBER)
		return KC_NOTES;
	f = field_by_number(number);
	if (f < 0 || field_catalogue[f].cls == KC_NONE)
		return KC_RECORD;
	return field_catalogue[f].cls;
}

struct save_ctx {
	uint64_t id;
	uint8_t *buf;
	size_t len;
};

static int save_txn(store *st, MDB_txn *txn, void *vctx)
{
	struct save_ctx *ctx = vctx;
	uint8_t k[64 + 9];

	return st_put(st, txn, DB_DRAFTS, k, draft_key(st, k, ctx->id), ctx->buf, ctx->len, 0);
}

int store_draft_save(store *st, uint64_t id, const struct case_rec *c, uint32_t base,
                     const char *note, size_t notelen)
{
	size_t cap = 15, off = 15, n = 0;
	uint8_t *buf;
	int rc = M_OK;

	if (!st->kr)
		return st_err(st, NOT_UNLOCKED);
	for (int f = 0; f < F_COUNT; f++)
		if (c && c->dirty[f])
			cap += 6 + keys_envelope_size(c->len[f]);
	if (note)
		cap += 6 + keys_envelope_size(notelen);
	if (!(buf = malloc(cap)))
		return st_err(st, NOMEM);
	for (int f = 0; c && f < F_COUNT && rc == M_OK; f++) {
		unsigned number = field_catalogue[f].number;
		enum key_class cls = draft_class(number);
		size_t outlen;
		if (!c->dirty[f])
			continue;
		const struct keys_place place = draft_place(id, number, base);
		if (keys_seal(st->kr, cls, st->epoch[cls], &place, c->value[f] ? c->value[f] : "",
		              c->len[f], buf + off + 6, cap - off - 6, &outlen) != KEYS_OK)
			continue; /* a field we hold no key for is not ours to keep */
		be16(buf + off, (uint16_t)number);
		be32(buf + off + 2, (uint32_t)outlen);
		off += 6 + outlen;
		n++;
	}
	if (note) {
		size_t outlen;
		const struct keys_place place = draft_place(id, NOTE_NUMBER, base);
		if (keys_seal(st->kr, KC_NOTES, st->epoch[KC_NOTES], &place, note, notelen,
		              buf + off + 6, cap - off - 6, &outlen) == KEYS_OK) {
			be16(buf + off, NOTE_NUMBER);
			be32(buf + off + 2, (uint32_t)outlen);
			off += 6 + outlen;
			n++;
		}
	}
	buf[0] = DRAFT_VERSION;
	be32(buf + 1, base);
	be64(buf + 5, (uint64_t)st_now());
	be16(buf + 13, (uint16_t)n);
	struct save_ctx ctx = {id, buf, off};
	rc = n ? st_txn(st, true, save_txn, &ctx) : M_OK;
	free(buf);
	return rc;
}

int store_draft_keep(store *st, uint64_t id, const struct case_rec *c, uint32_t base,
                     const char *note, size_t notelen)
{
	bool was = st->no_wait;
	int rc;

	st->no_wait = true;
	rc = store_draft_save(st, id, c, base, note, notelen);
	st->no_wait = was;
	return rc;
}

struct list_ctx {
	struct store_draft *d;
	size_t n, cap;
};

static int list_txn(store *st, MDB_txn *txn, void *vctx)
{
	struct list_ctx *ctx = vctx;
	size_t un = strlen(st->user);
	MDB_cursor *cur;
	MDB_val k = {un + 1, st->user}, v;
	int rc;

	ctx->n = 0;
	if ((rc = mdb_cursor_open(txn, st->dbi[DB_DRAFTS], &cur)))
		return st_mdb(st, rc, "drafts");
	for (rc = mdb_cursor_get(cur, &k, &v, MDB_SET_RANGE); rc == 0 && ctx->n < ctx->cap;
	     rc = mdb_cursor_get(cur, &k, &v, MDB_NEXT)) {
		const uint8_t *kp = k.mv_data, *vp = v.mv_data;
		if (k.mv_size != un + 9 || memcmp(kp, st->user, un) != 0 || kp[un] != 0)
			break;
		if (v.mv_size < 15 || vp[0] != DRAFT_VERSION)
			continue;
		ctx->d[ctx->n].id = rd64(kp + un + 1);
		ctx->d[ctx->n].base_version = rd32(vp + 1);
		ctx->d[ctx->n].saved = (int64_t)rd64(vp + 5);
		ctx->n++;
	}
	mdb_cursor_close(cur);
	return rc == 0 || rc == MDB_NOTFOUND ? M_OK : st_mdb(st, rc, "drafts");
}

int store_draft_list(store *st, struct store_draft *out, size_t cap, size_t *n)
{
	struct list_ctx ctx = {out, 0, cap};
	int rc;

	if (!st->kr)
		return st_err(st, NOT_UNLOCKED);
	rc = st_txn(st, false, list_txn, &ctx);
	*n = ctx.n;
	return rc;
}

struct load_ctx {
	uint64_t id;
	struct case_rec *c;
	char **note;
	size_t *notelen;
	uint32_t base;
};

static int load_txn(store *st, MDB_txn *txn, void *vctx)
{
	struct load_ctx *ctx = vctx;
	uint8_t k[64 + 9];
	const uint8_t *p;
	size_t off = 15, n;
	MDB_val v;
	int rc = st_get(st, txn, DB_DRAFTS, k, draft_key(st, k, ctx->id), &v);

	if (rc == -1)
		return st_err(st, NO_DRAFT, .record = ctx->id);
	if (rc)
		return rc;
	if ((rc = st_load_epochs(st, txn)))
		return rc;
	p = v.mv_data;
	if (v.mv_size < 15 || p[0] != DRAFT_VERSION)
		return st_err(st, DRAFT_DAMAGED, .record = ctx->id);
	ctx->base = rd32(p + 1);
	n = rd16(p + 13);
	for (size_t i = 0; i < n; i++) {
		unsigned number;
		uint32_t len;
		char *val;
		size_t vlen;
		if (off + 6 > v.mv_size)
			return st_err(st, DRAFT_DAMAGED, .record = ctx->id);
		number = rd16(p + off);
		len = rd32(p + off + 2);
		if (len > v.mv_size - off - 6)
			return st_err(st, DRAFT_DAMAGED, .record = ctx->id);
		const struct keys_place place = draft_place(ctx->id, number, ctx->base);
		const MDB_val env = {len, (void *)(p + off + 6)};
		rc = st_open_env(st, &place, &env, draft_class(number), &val, &vlen);
		if (rc == M_INTEGRITY && number == NOTE_NUMBER) {
			/* A note kept by a mappe before DRAFT_NOTE_PLACE: read where
			 * it was sealed, so that an unsaved note survives the upgrade.
			 * Only reading: nothing is sealed there any more. */
			const struct keys_place legacy = {ctx->id, DRAFT_PLACE | NOTE_NUMBER,
			                                  ctx->base};
			rc = st_open_env(st, &legacy, &env, KC_NOTES, &val, &vlen);
		}
		off += 6 + len;
		if (rc == M_AUTH)
			continue;
		if (rc)
			return rc;
		if (number == NOTE_NUMBER && ctx->note) {
			keys_secure_free(*ctx->note);
			*ctx->note = val;
			*ctx->notelen = vlen;
			continue;
		}
		int f = field_by_number(number);
		if (f >= 0)
			rc = case_set(ctx->c, (enum field_id)f, val, vlen) ? M_UNAVAILABLE : M_OK;
		keys_secure_free(val);
		if (rc)
			return st_err(st, NOMEM);
	}
	return M_OK;
}

int store_draft_load(store *st, uint64_t id, struct case_rec *c, uint32_t *base, char **note,
                     size_t *notelen)
{
	struct load_ctx ctx = {id, c, note, notelen, 0};
	int rc;

	if (!st->kr)
		return st_err(st, NOT_UNLOCKED);
	if (note)
		*note = NULL;
	rc = st_txn(st, false, load_txn, &ctx);
	*base = ctx.base;
	return rc;
}

static int delete_txn(store *st, MDB_txn *txn, void *vctx)
{
	uint64_t *id = vctx;
	uint8_t k[64 + 9];
	MDB_val key = {draft_key(st, k, *id), k};
	int rc = mdb_del(txn, st->dbi[DB_DRAFTS], &key, NULL);

	return rc && rc != MDB_NOTFOUND ? st_mdb(st, rc, "drafts") : M_OK;
}

int store_draft_delete(store *st, uint64_t id)
{
	if (!st->kr)
		return st_err(st, NOT_UNLOCKED);
	return st_txn(st, true, delete_txn, &id);
}

/* A rotation re-seals drafts too: they outlive the old epoch's keys. Done in
 * the rotation's last transaction; drafts are few and small. */
int st_rotate_drafts(store *st, MDB_txn *txn, enum key_class c, uint32_t to)
{
	MDB_cursor *cur;
	MDB_val k, v;
	int rc;

	if ((rc = mdb_cursor_open(txn, st->dbi[DB_DRAFTS], &cur)))
		return st_mdb(st, rc, "drafts");
	for (rc = mdb_cursor_get(cur, &k, &v, MDB_FIRST); rc == 0;
	     rc = mdb_cursor_get(cur, &k, &v, MDB_NEXT)) {
		const uint8_t *p = v.mv_data, *kp = k.mv_data;
		uint8_t *copy = NULL;
		size_t off = 15, n, outlen = 15;
		uint32_t base;
		uint64_t id;
		bool changed = false;

		if (v.mv_size < 15 || p[0] != DRAFT_VERSION || k.mv_size < 9)
			continue;
		id = rd64(kp + k.mv_size - 8);
		base = rd32(p + 1);
		n = rd16(p + 13);
		/* Room for every value to grow by nothing: sealing keeps the size. */
		if (!(copy = malloc(v.mv_size)))
			return st_err(st, NOMEM);
		memcpy(copy, p, 15);
		for (size_t i = 0; i < n && off + 6 <= v.mv_size; i++) {
			unsigned number = rd16(p + off);
			uint32_t len = rd32(p + off + 2);
			enum key_class ec;
			uint32_t epoch;
			char *val;
			size_t vlen, sealed;
			if (len > v.mv_size - off - 6)
				break;
			const MDB_val env = {len, (void *)(p + off + 6)};
			const struct keys_place place = draft_place(id, number, base);
			memcpy(copy + outlen, p + off, 6 + len);
			if (draft_class(number) == c &&
			    keys_envelope_info(env.mv_data, len, &ec, &epoch) == KEYS_OK && epoch < to &&
			    st_open_env(st, &place, &env, c, &val, &vlen) == M_OK) {
				if (keys_seal(st->kr, c, to, &place, val, vlen, copy + outlen + 6, len,
				              &sealed) == KEYS_OK && sealed == len)
					changed = true;
				keys_secure_free(val);
			}
			outlen += 6 + len;
			off += 6 + len;
		}
		if (changed)
			rc = mdb_cursor_put(cur, &k, &(MDB_val){outlen, copy}, MDB_CURRENT);
		free(copy);
		if (rc) {
			mdb_cursor_close(cur);
			return st_mdb(st, rc, "drafts");
		}
	}
	mdb_cursor_close(cur);
	return rc == MDB_NOTFOUND ? M_OK : st_mdb(st, rc, "drafts");
}
