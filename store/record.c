/* record.c: the case record of store format 5 (security.md), and of format 4
 * (below) while mappe migrate has cases of it left; reading both.
 *
 * A case is one value in the cases table (key u64 id):
 *
 *   u8 format (2) | u8 status | u32 version | u32 record epoch | i64 created |
 *   i64 updated | u32 notes | u8 caseworker length | caseworker |
 *   u16 table length | table | MAC[32] |
 *   per class with an envelope, in class order: varint length | envelope
 *
 * The table is an envelope under the record class (which every user holds)
 * of, per class from identity to notes, a u32: state (enum slot_state) in
 * the top two bits, the write counter below; then, in a table written since
 * mappe records it, who saved the version and when:
 *
 *   i64 saved at | u8 length | user name, zero-padded to ST_SAVER_MAX
 *
 * and, since schema 8, after it: i64 assigned at (struct rec_header), 0
 * for none: padded to the same three blocks, its presence does not show
 * (a table without it, as every format-5 case had before, reads as saved
 * by someone unknown). It is sealed so that the file does not show which
 * classes were written by someone holding their key, or how often: that a
 * case has a protected address or health data is itself what those
 * classes protect. The saver is sealed for the same reason: that a health
 * worker saved a case last says it has health data, and who changed whose
 * case when is the audit log's, sealed too. Padded to a fixed length, the
 * name's length does not show either. The MAC
 * (record class) covers everything before it, so a header edited, a table
 * swapped in from another case or an older write, fails.
 *
 * Each class envelope is keys_seal_bucket of the class's plaintext
 *
 *   u8 format (1) | per entry: varint field number | varint list item |
 *   varint length | value
 *
 * (list item 0 is a plain field; lists keep their items' stable ids), with
 * the place (case id, PLACE_CLASS(class), the class's write counter) as
 * associated data: moved to another case or class, or put back from an
 * older write, it does not open.
 *
 * The rule for which envelopes exist: every case has one for each class the
 * catalogue gives fields to (st_case_classes), from its insert on. A user
 * without a class's key cannot seal it, so an insert by them writes a
 * placeholder (keys_placeholder: random bytes behind a real envelope header,
 * of the empty bucket) and marks it blank in the sealed table. In the file a
 * placeholder and an empty or short class look the same. */
#include "store/private.h"
#include "store/validate.h"

#include <stdlib.h>
#include <string.h>

/* The class table: a u32 per class from identity to notes (the record and
 * audit classes have no envelope in a case), its state in the top two bits
 * and its write counter below them. 28 bytes: one 32-byte pad block. With
 * the saver (TABLE_SAVER_BYTES), 69: three blocks, whoever saved. */
enum {
	TABLE_FIRST = KC_IDENTITY,
	TABLE_LAST = KC_NOTES,
	TABLE_BYTES = 4 * (TABLE_LAST - TABLE_FIRST + 1),
	TABLE_SAVER_BYTES = TABLE_BYTES + 8 + 1 + ST_SAVER_MAX,
	TABLE_ASSIGNED_BYTES = TABLE_SAVER_BYTES + 8 /* 77: still three */
};
#define COUNTER_MAX ((1u << 30) - 1)

size_t st_class_floor(enum key_class c)
{
	return c == KC_HEALTH || c == KC_PROTECTED ? 96 : 64;
}

key_classes st_case_classes(void)
{
	static key_classes classes;

	if (!classes) {
		for (int f = 0; f < F_COUNT; f++)
			if (field_catalogue[f].cls < KC_COUNT)
				classes |= 1u << field_catalogue[f].cls;
		for (int l = 0; l < L_COUNT; l++)
			classes |= list_classes((enum list_id)l);
	}
	return classes;
}

/* ---- varints (LEB128, at most 5 bytes: 32 bits) ------------------------------ */

size_t st_varint_put(uint8_t *p, uint32_t v)
{
	size_t n = 0;

	while (v >= 0x80) {
		p[n++] = (uint8_t)(v | 0x80);
		v >>= 7;
	}
	p[n++] = (uint8_t)v;
	return n;
}

static int get_varint(const uint8_t *p, size_t len, size_t *at, uint32_t *v)
{
	uint32_t x = 0;

	for (unsigned shift = 0; shift < 35; shift += 7) {
		if (*at >= len)
			return -1;
		uint8_t b = p[(*at)++];
		if (shift == 28 && b > 0x0f)
			return -1;
		x |= (uint32_t)(b & 0x7f) << shift;
		if (!(b & 0x80)) {
			*v = x;
			return 0;
		}
	}
	return -1;
}

size_t st_len_put(uint8_t *p, uint32_t v)
{
	return st_varint_put(p, v);
}

size_t st_len_get(const uint8_t *p, size_t avail, uint32_t *v)
{
	size_t at = 0;

	return get_varint(p, avail, &at, v) ? 0 : at;
}

int st_class_each(const uint8_t *pt, size_t n,
                  int (*fn)(void *ctx, unsigned number, uint32_t item, const uint8_t *v,
                            size_t len),
                  void *ctx)
{
	size_t at = 1;
	int rc;

	if (n == 0 || !pt)
		return 0; /* an empty class */
	if (pt[0] != CLASS_PT_FORMAT)
		return -1;
	while (at < n) {
		uint32_t number, item, len;
		if (get_varint(pt, n, &at, &number) || get_varint(pt, n, &at, &item) ||
		    get_varint(pt, n, &at, &len) || number > 0xffff || len > n - at)
			return -1;
		if ((rc = fn(ctx, number, item, pt + at, len)))
			return rc;
		at += len;
	}
	return 0;
}

/* ---- the header --------------------------------------------------------------- */

int st_hdr5_encode(store *st, uint64_t id, const struct rec_header *h, uint8_t **out,
                   size_t *outlen)
{
	size_t cw = strlen(h->caseworker), sv = strnlen(h->saved_by, sizeof h->saved_by),
	       tbytes = sv ? TABLE_ASSIGNED_BYTES : TABLE_BYTES, tcap = keys_envelope_size(tbytes),
	       need, p = 0, tlen;
	uint8_t table[TABLE_ASSIGNED_BYTES] = {0}, *b;

	need = 31 + cw + 2 + tcap + KEYS_MAC_BYTES;
	for (unsigned c = 0; c < KC_COUNT; c++)
		if (h->slot[c].state != SLOT_NONE)
			need += 5 + h->slot[c].len;
	b = malloc(need);
	if (!b)
		return st_err(st, NOMEM);
	b[p++] = HDR_FORMAT5;
	b[p++] = h->status;
	be32(b + p, h->version), p += 4;
	be32(b + p, h->epoch), p += 4;
	be64(b + p, (uint64_t)h->created), p += 8;
	be64(b + p, (uint64_t)h->updated), p += 8;
	be32(b + p, h->notes), p += 4;
	b[p++] = (uint8_t)cw;
	memcpy(b + p, h->caseworker, cw), p += cw;
	for (unsigned c = TABLE_FIRST; c <= TABLE_LAST; c++) {
		const struct class_slot *sl = &h->slot[c];
		be32(table + 4 * (size_t)(c - TABLE_FIRST),
		     sl->state ? (uint32_t)sl->state << 30 | sl->counter : 0);
	}
	if (sv) {
		if (sv > ST_SAVER_MAX) {
			free(b);
			return st_err(st, HEADER_MALFORMED, .record = id);
		}
		be64(table + TABLE_BYTES, (uint64_t)h->saved_at);
		table[TABLE_BYTES + 8] = (uint8_t)sv;
		memcpy(table + TABLE_BYTES + 9, h->saved_by, sv);
		be64(table + TABLE_SAVER_BYTES, (uint64_t)h->assigned_at);
	}
	const struct keys_place tplace = {id, PLACE_TABLE, h->version};
	if (keys_seal(st->kr, KC_RECORD, h->epoch, &tplace, table, tbytes, b + p + 2, tcap,
	              &tlen) != KEYS_OK) {
		free(b);
		return st_err(st, NEED_RECORD_KEY);
	}
	be16(b + p, (uint16_t)tlen), p += 2 + tlen;
	if (keys_header_mac(st->kr, h->epoch, id, b, p, b + p) != KEYS_OK) {
		free(b);
		return st_err(st, NEED_RECORD_KEY);
	}
	p += KEYS_MAC_BYTES;
	for (unsigned c = 0; c < KC_COUNT; c++) {
		if (h->slot[c].state == SLOT_NONE)
			continue;
		p += st_len_put(b + p, (uint32_t)h->slot[c].len);
		memcpy(b + p, h->slot[c].env, h->slot[c].len), p += h->slot[c].len;
	}
	*out = b;
	*outlen = p;
	return M_OK;
}

static int malformed(store *st, uint64_t id)
{
	return st_err(st, HEADER_MALFORMED, .record = id);
}

int st_hdr5_decode(store *st, uint64_t id, const uint8_t *b, size_t len, struct rec_header *h,
                   bool verify)
{
	size_t p = 31, cw, tlen, n;
	uint8_t table[TABLE_ASSIGNED_BYTES + KEYS_ENVELOPE_PAD];
	int rc;

	if (len < 31 || b[0] != HDR_FORMAT5)
		return malformed(st, id);
	h->format = HDR_FORMAT5;
	h->status = b[1];
	h->version = rd32(b + 2);
	h->epoch = rd32(b + 6);
	h->created = (int64_t)rd64(b + 10);
	h->updated = (int64_t)rd64(b + 18);
	h->notes = rd32(b + 26);
	cw = b[30];
	if (cw >= sizeof h->caseworker || len - p < cw + 2)
		return malformed(st, id);
	memcpy(h->caseworker, b + p, cw);
	h->caseworker[cw] = 0;
	p += cw;
	tlen = rd16(b + p);
	if (len - p - 2 < tlen + KEYS_MAC_BYTES)
		return malformed(st, id);
	const uint8_t *tenv = b + p + 2;
	p += 2 + tlen;
	rc = verify ? keys_header_verify(st->kr, h->epoch, id, b, p, b + p) : KEYS_OK;
	if (rc == KEYS_ELOCKED)
		return st_err(st, HEADER_EPOCH_UNHELD, .record = id);
	if (rc)
		return st_err(st, HEADER_FORGED, .record = id);
	p += KEYS_MAC_BYTES;
	const struct keys_place tplace = {id, PLACE_TABLE, h->version};
	if ((tlen != keys_envelope_size(TABLE_BYTES) &&
	     tlen != keys_envelope_size(TABLE_SAVER_BYTES) &&
	     tlen != keys_envelope_size(TABLE_ASSIGNED_BYTES)) ||
	    keys_open(st->kr, &tplace, tenv, tlen, table, sizeof table, &n) != KEYS_OK ||
	    (n != TABLE_BYTES && n != TABLE_SAVER_BYTES && n != TABLE_ASSIGNED_BYTES))
		return st_err(st, CLASS_TABLE_FORGED, .record = id);
	h->saved_at = 0;
	h->saved_by[0] = 0;
	h->assigned_at = 0;
	if (n >= TABLE_SAVER_BYTES) {
		size_t sv = table[TABLE_BYTES + 8];
		/* Authenticated, but held to what a user name can be all the
		 * same: the screens print it. */
		if (sv == 0 || sv > ST_SAVER_MAX ||
		    !store_user_name_valid_n((const char *)table + TABLE_BYTES + 9, sv))
			return st_err(st, CLASS_TABLE_FORGED, .record = id);
		h->saved_at = (int64_t)rd64(table + TABLE_BYTES);
		memcpy(h->saved_by, table + TABLE_BYTES + 9, sv);
		h->saved_by[sv] = 0;
		if (n == TABLE_ASSIGNED_BYTES)
			h->assigned_at = (int64_t)rd64(table + TABLE_SAVER_BYTES);
	}
	for (unsigned c = 0; c < KC_COUNT; c++) {
		struct class_slot *s = &h->slot[c];
		uint32_t w = c >= TABLE_FIRST && c <= TABLE_LAST
		                 ? rd32(table + 4 * (size_t)(c - TABLE_FIRST))
		                 : 0;
		uint32_t elen;
		size_t k;
		s->state = (uint8_t)(w >> 30);
		s->counter = w & COUNTER_MAX;
		s->env = NULL;
		s->len = 0;
		if (s->state > SLOT_SEALED)
			return malformed(st, id);
		if (s->state == SLOT_NONE)
			continue;
		if (!(k = st_len_get(b + p, len - p, &elen)) || len - p - k < elen)
			return malformed(st, id);
		s->len = elen;
		s->env = b + p + k;
		p += k + elen;
	}
	if (p != len)
		return malformed(st, id);
	h->nfields = 0;
	return M_OK;
}

/* ---- class envelopes ---------------------------------------------------------- */

/* Each envelope has its slot's class and an epoch between the class's floor
 * and its active epoch: otherwise one moved in from another class, or with
 * its epoch edited, would only look locked to whoever lacks that key. A
 * placeholder, which nothing authenticates, is exactly the empty bucket:
 * grown, it would show a holder of the file a class with values. */
static int env_ok(store *st, enum key_class c, const struct class_slot *s, uint32_t *epoch)
{
	enum key_class ec;

	return keys_envelope_info(s->env, s->len, &ec, epoch) == KEYS_OK && ec == c &&
	       *epoch >= st->floor[c] && *epoch <= st->epoch[c] &&
	       (s->state != SLOT_BLANK ||
	        s->len == keys_bucket_envelope_size(0, st_class_floor(c)));
}

int st_class_damaged(store *st, uint64_t id, enum key_class c)
{
	return st_err(st, CLASS_FORGED, .record = id, .cls = c);
}

void st_cache_begin(store *st, struct class_cache *cache, uint64_t id)
{
	memset(cache, 0, sizeof *cache);
	cache->id = id;
	st->cache = cache;
}

void st_cache_end(store *st)
{
	if (st->cache && st->kept)
		keys_wipe(st->kept, st->cache->used);
	st->cache = NULL;
}

/* The plaintext *pt (n bytes, in scratch) of envelope s of class c: kept
 * in the cache, followed by a copy of the envelope to know it again by.
 * Without room it is simply not kept. */
static void cache_put(store *st, uint64_t id, const struct class_slot *s, enum key_class c,
                      const uint8_t *pt, size_t n)
{
	struct class_cache *k = st->cache;

	size_t need = n + s->len;

	if (!k || k->id != id || k->have[c])
		return;
	if (k->used + need > st->kept_cap) {
		size_t cap = st->kept_cap ? st->kept_cap : 4096;
		while (cap < k->used + need)
			cap *= 2;
		uint8_t *p = keys_secure_alloc(cap);
		if (!p)
			return;
		if (st->kept)
			memcpy(p, st->kept, k->used);
		keys_secure_free(st->kept);
		st->kept = p;
		st->kept_cap = cap;
	}
	memcpy((uint8_t *)st->kept + k->used, pt, n);
	memcpy((uint8_t *)st->kept + k->used + n, s->env, s->len);
	k->have[c] = true;
	k->at[c] = k->used;
	k->n[c] = n;
	k->envlen[c] = s->len;
	k->used += need;
}

/* The kept plaintext of envelope s, copied into scratch (callers wipe what
 * st_class_open gives them), or NULL. */
static const uint8_t *cache_get(store *st, uint64_t id, const struct class_slot *s,
                                enum key_class c, size_t *n)
{
	struct class_cache *k = st->cache;
	uint8_t *buf;

	if (!k || k->id != id || !k->have[c] || k->envlen[c] != s->len ||
	    memcmp((uint8_t *)st->kept + k->at[c] + k->n[c], s->env, s->len) != 0)
		return NULL;
	if (!(buf = st_scratch(st, k->n[c] ? k->n[c] : 1)))
		return NULL;
	memcpy(buf, (uint8_t *)st->kept + k->at[c], k->n[c]);
	*n = k->n[c];
	return buf;
}

int st_class_open(store *st, uint64_t id, const struct rec_header *h, enum key_class c,
                  const uint8_t **pt, size_t *n)
{
	const struct class_slot *s = &h->slot[c];
	uint32_t epoch;
	uint8_t *buf;
	int rc;

	*pt = NULL;
	*n = 0;
	if (s->state != SLOT_NONE && !env_ok(st, c, s, &epoch))
		return st_class_damaged(st, id, c);
	if (s->state != SLOT_SEALED)
		return keyring_has(st->kr, c, s->state ? epoch : st->epoch[c]) ? M_OK : M_AUTH;
	if ((*pt = cache_get(st, id, s, c, n)))
		return M_OK;
	if (!(buf = st_scratch(st, s->len)))
		return st_err(st, NOMEM);
	const struct keys_place place = {id, PLACE_CLASS(c), s->counter};
	rc = keys_open_bucket(st->kr, &place, s->env, s->len, buf, s->len, n);
	if (rc == KEYS_ELOCKED)
		return M_AUTH;
	if (rc)
		return st_class_damaged(st, id, c);
	cache_put(st, id, s, c, buf, *n);
	*pt = buf;
	return M_OK;
}

int st_class_seal(store *st, uint64_t id, struct rec_header *h, enum key_class c,
                  const uint8_t *pt, size_t n, uint8_t **owned)
{
	struct class_slot *s = &h->slot[c];
	size_t cap = keys_bucket_envelope_size(n, st_class_floor(c)), len;
	uint8_t *env = malloc(cap);
	int rc;

	*owned = NULL;
	if (!env)
		return st_err(st, NOMEM);
	if (s->counter >= COUNTER_MAX) {
		free(env);
		return st_err(st, CLASS_COUNTER_FULL, .record = id, .cls = c);
	}
	const struct keys_place place = {id, PLACE_CLASS(c), s->counter + 1};
	rc = keys_seal_bucket(st->kr, c, st->epoch[c], &place, pt, n, st_class_floor(c), env, cap,
	                      &len);
	if (rc) {
		keys_wipe(env, cap); /* sealing works in place */
		free(env);
		return rc == KEYS_ELOCKED ? st_err(st, SEAL_NO_KEY) : st_err(st, SEAL_TOO_LONG);
	}
	s->state = SLOT_SEALED;
	s->counter++;
	st->written |= 1u << c;
	s->env = env;
	s->len = len;
	*owned = env;
	return M_OK;
}

/* ---- reading -------------------------------------------------------------------- */

struct fill_ctx {
	struct case_rec *out;
	enum key_class c;
	bool items;     /* the lists too (a whole read) */
	uint32_t lists; /* with items: which lists (1u << list_id) */
	int failed;
};

static int item_at(struct case_rec *c, enum list_id l, uint32_t id)
{
	int i = case_item_find(c, l, id);

	return i >= 0 ? i : st_item_append(c, l, id);
}

static int fill_one(void *vctx, unsigned number, uint32_t item, const uint8_t *v, size_t len)
{
	struct fill_ctx *ctx = vctx;
	struct case_rec *out = ctx->out;
	int f = item == 0 ? field_by_number(number) : -1, l, i;

	/* Entries this mappe does not know (a later catalogue's fields and
	 * lists) stay in the envelope: a save carries them over. */
	if (item == 0 && f >= 0) {
		if (field_catalogue[f].cls != ctx->c)
			return 0;
		if (case_set(out, (enum field_id)f, (const char *)v, len))
			goto oom;
		out->dirty[f] = false;
		return 0;
	}
	if (!ctx->items)
		return 0;
	if ((l = list_by_number(number)) >= 0) {
		if (list_catalogue[l].cls != ctx->c || !((ctx->lists >> l) & 1))
			return 0;
		if (item == 0) { /* the highest id the list has used */
			if (len == 4 && rd32(v) > out->item_high[l])
				out->item_high[l] = rd32(v);
			return 0;
		}
		return item_at(out, (enum list_id)l, item) < 0 ? (ctx->failed = M_UNAVAILABLE, -1) : 0;
	}
	if (item == 0 || (f = item_field_by_number(number)) < 0 || item_catalogue[f].f.cls != ctx->c ||
	    !((ctx->lists >> item_catalogue[f].list) & 1))
		return 0;
	if ((i = item_at(out, item_catalogue[f].list, item)) < 0)
		goto oom;
	char *p = len ? st_case_keep(out, (const char *)v, len) : NULL;
	if (len && !p)
		goto oom;
	out->items[i].value[f] = p;
	out->items[i].len[f] = (uint32_t)len;
	return 0;
oom:
	ctx->failed = M_UNAVAILABLE;
	return -1;
}

static int by_list_and_id(const void *a, const void *b)
{
	const struct case_item *x = a, *y = b;

	if (x->list != y->list)
		return x->list < y->list ? -1 : 1;
	return (x->id > y->id) - (x->id < y->id);
}

/* After a whole read: items in id order, each list's highest id at least
 * its items', and what the user holds no key for locked. */
static void items_read(store *st, struct case_rec *out, key_classes locked)
{
	for (unsigned c = 0; c < KC_COUNT; c++)
		if (!keyring_has(st->kr, (enum key_class)c, st->epoch[c]))
			locked |= 1u << c;
	if (out->nitems > 1)
		qsort(out->items, out->nitems, sizeof *out->items, by_list_and_id);
	for (int l = 0; l < L_COUNT; l++)
		out->list_locked[l] = (locked >> list_catalogue[l].cls) & 1;
	for (size_t i = 0; i < out->nitems; i++) {
		struct case_item *it = &out->items[i];
		if (it->id > out->item_high[it->list])
			out->item_high[it->list] = it->id;
		for (int f = 0; f < I_COUNT; f++)
			it->locked[f] = item_catalogue[f].list == it->list &&
			                ((locked >> item_catalogue[f].f.cls) & 1);
	}
}

/* want NULL: every field and list; else the fields want names and the lists
 * in the mask lists (1u << list_id), only the classes that hold them opened. */
static int case5_read(store *st, uint64_t id, const struct rec_header *h, struct case_rec *out,
                      const bool *want, uint32_t lists)
{
	key_classes locked = 0;

	for (unsigned c = 0; c < KC_COUNT; c++) {
		const uint8_t *pt;
		size_t n;
		bool wanted = !want;
		int rc;

		if (h->slot[c].state == SLOT_NONE)
			continue;
		for (int f = 0; want && !wanted && f < F_COUNT; f++)
			wanted = want[f] && field_catalogue[f].cls == c;
		for (int l = 0; want && !wanted && l < L_COUNT; l++)
			wanted = ((lists >> l) & 1) && list_catalogue[l].cls == c;
		if (!wanted)
			continue;
		rc = st_class_open(st, id, h, (enum key_class)c, &pt, &n);
		if (rc == M_AUTH) {
			for (int f = 0; f < F_COUNT; f++)
				if (field_catalogue[f].cls == c)
					out->locked[f] = true;
			locked |= 1u << c;
			continue;
		}
		if (rc)
			return rc;
		struct fill_ctx fc = {out, (enum key_class)c, !want || lists, want ? lists : ~0u, 0};
		rc = st_class_each(pt, n, fill_one, &fc);
		keys_wipe((void *)pt, n);
		if (fc.failed)
			return st_err(st, NOMEM);
		if (rc)
			return st_class_damaged(st, id, (enum key_class)c);
	}
	if (!want || lists)
		items_read(st, out, locked);
	return M_OK;
}

int st_case5_read(store *st, MDB_txn *txn, uint64_t id, const struct rec_header *h,
                  struct case_rec *out, const bool *want)
{
	(void)txn;
	return case5_read(st, id, h, out, want, 0);
}

struct nid_ctx {
	const uint8_t *v;
	size_t len;
};

static int nid_one(void *vctx, unsigned number, uint32_t item, const uint8_t *v, size_t len)
{
	struct nid_ctx *ctx = vctx;

	if (item == 0 && number == field_catalogue[NID_FIELD].number) {
		ctx->v = v;
		ctx->len = len;
		return 1;
	}
	return 0;
}

int st_case5_nid(store *st, uint64_t id, const struct rec_header *h, const uint8_t **nid,
                 size_t *len, uint32_t *epoch)
{
	const uint8_t *pt;
	size_t n;
	struct nid_ctx nc = {NULL, 0};
	int rc = st_class_open(st, id, h, NID_CLASS, &pt, &n);

	*nid = NULL;
	*len = 0;
	if (rc)
		return rc;
	if (st_class_each(pt, n, nid_one, &nc) < 0)
		return st_class_damaged(st, id, NID_CLASS);
	*nid = nc.v;
	*len = nc.len;
	if (epoch && h->slot[NID_CLASS].state != SLOT_NONE)
		*epoch = rd32(h->slot[NID_CLASS].env + 2);
	return M_OK;
}

/* ---- without keys ------------------------------------------------------------------ */

int st_hdr5_raw_epochs(const uint8_t *b, size_t len, uint32_t *record_epoch,
                       void (*fn)(void *ctx, enum key_class c, uint32_t epoch), void *ctx)
{
	size_t p;

	if (len < 31 || b[0] != HDR_FORMAT5)
		return -1;
	*record_epoch = rd32(b + 6);
	p = 31 + b[30];
	if (len < p + 2 || len - p - 2 < (size_t)rd16(b + p) + KEYS_MAC_BYTES)
		return -1;
	p += 2 + rd16(b + p) + KEYS_MAC_BYTES;
	while (p < len) {
		enum key_class c;
		uint32_t epoch, n;
		size_t k = st_len_get(b + p, len - p, &n);
		if (!k || len - p - k < n)
			return -1;
		if (keys_envelope_info(b + p + k, n, &c, &epoch) == KEYS_OK)
			fn(ctx, c, epoch);
		p += k + n;
	}
	return 0;
}

/* ---- format 4 ---------------------------------------------------------------- */

/* Record header (cases table, key = u64 id):
 *   u8 format (1) | u8 status | u16 nfields | u32 version | u32 record epoch |
 *   i64 created | i64 updated | u32 notes | u8 caseworker length | caseworker |
 *   nfields x (u16 field number | u32 write counter | u8 present) | MAC[32]
 *
 * The header lists every field ever written with its write counter, present
 * or removed, so a removed field's counter is never reused: an old ciphertext
 * can neither be replayed nor silently deleted without breaking the MAC.
 * Each field is an envelope in the fields table (u64 id | u16 number). */

/* ---- header codec ------------------------------------------------------- */

static size_t hdr_encode(const struct rec_header *h, uint8_t *b)
{
	size_t cw = strlen(h->caseworker), p = 0;

	b[p++] = HDR_FORMAT;
	b[p++] = h->status;
	be16(b + p, h->nfields), p += 2;
	be32(b + p, h->version), p += 4;
	be32(b + p, h->epoch), p += 4;
	be64(b + p, (uint64_t)h->created), p += 8;
	be64(b + p, (uint64_t)h->updated), p += 8;
	be32(b + p, h->notes), p += 4;
	b[p++] = (uint8_t)cw;
	memcpy(b + p, h->caseworker, cw), p += cw;
	for (unsigned i = 0; i < h->nfields; i++) {
		be16(b + p, h->f[i].number), p += 2;
		be32(b + p, h->f[i].counter), p += 4;
		b[p++] = h->f[i].present;
	}
	return p;
}

enum { HDR_MAX = 32 + 64 + MAX_HDR_FIELDS * 7 + KEYS_MAC_BYTES };

static int hdr_decode(const uint8_t *b, size_t len, struct rec_header *h, size_t *body)
{
	size_t p = 0, cw;

	if (len < 32 + KEYS_MAC_BYTES || b[0] != HDR_FORMAT)
		return -1;
	len -= KEYS_MAC_BYTES;
	h->status = b[1];
	h->nfields = rd16(b + 2);
	h->version = rd32(b + 4);
	h->epoch = rd32(b + 8);
	h->created = (int64_t)rd64(b + 12);
	h->updated = (int64_t)rd64(b + 20);
	h->notes = rd32(b + 28);
	cw = b[32];
	p = 33;
	if (cw >= sizeof h->caseworker || h->nfields > MAX_HDR_FIELDS ||
	    p + cw + (size_t)h->nfields * 7 != len)
		return -1;
	memcpy(h->caseworker, b + p, cw);
	h->caseworker[cw] = 0;
	p += cw;
	for (unsigned i = 0; i < h->nfields; i++, p += 7) {
		h->f[i].number = rd16(b + p);
		h->f[i].counter = rd32(b + p + 2);
		h->f[i].present = b[p + 6];
	}
	*body = len;
	return 0;
}

struct hdr_field *st_hdr_find(struct rec_header *h, uint16_t number)
{
	for (unsigned i = 0; i < h->nfields; i++)
		if (h->f[i].number == number)
			return &h->f[i];
	return NULL;
}

int st_hdr_read(store *st, MDB_txn *txn, uint64_t id, struct rec_header *h)
{
	uint8_t k[8];
	MDB_val v;
	size_t body;
	int rc;

	be64(k, id);
	rc = st_get(st, txn, DB_CASES, k, 8, &v);
	if (rc == -1)
		return st_err(st, NO_CASE, .record = id);
	if (rc)
		return rc;
	h->append = false; /* a case read exists: it is rewritten in place */
	if (v.mv_size > 0 && ((const uint8_t *)v.mv_data)[0] == HDR_FORMAT5)
		return st_hdr5_decode(st, id, v.mv_data, v.mv_size, h, true);
	/* Format 4 exists only until mappe migrate has moved every case: after
	 * that, one is an old record put back. */
	if (!st->legacy)
		return st_err(st, CASE_OLD_FORMAT_BACK, .record = id);
	h->format = HDR_FORMAT;
	if (hdr_decode(v.mv_data, v.mv_size, h, &body))
		return st_err(st, HEADER_MALFORMED, .record = id);
	rc = keys_header_verify(st->kr, h->epoch, id, v.mv_data, body,
	                        (const uint8_t *)v.mv_data + body);
	if (rc == KEYS_ELOCKED)
		return st_err(st, HEADER_EPOCH_UNHELD, .record = id);
	if (rc)
		return st_err(st, HEADER_FORGED, .record = id);
	return M_OK;
}

/* meta "cases_gen": the transaction that last wrote a case. Put once per
 * case written, the same value within a transaction: LMDB rewrites it on
 * the page already dirty. */
static int cases_gen_put(store *st, MDB_txn *txn)
{
	uint8_t g[8];

	be64(g, (uint64_t)mdb_txn_id(txn));
	return st_put(st, txn, DB_META, "cases_gen", 9, g, sizeof g, 0);
}

int st_hdr_write(store *st, MDB_txn *txn, uint64_t id, struct rec_header *h)
{
	uint8_t b[HDR_MAX], k[8];
	size_t n;
	int grc;
	MDB_val old;

	if ((grc = cases_gen_put(st, txn)))
		return grc;
	be64(k, id);
	/* The audit log tells a new case from a change by what was there. */
	bool created = h->append || (grc = st_get(st, txn, DB_CASES, k, 8, &old)) == -1;
	if (grc && grc != -1)
		return grc;
	h->epoch = st->epoch[KC_RECORD];
	if (h->format == HDR_FORMAT5) {
		uint8_t *v;
		int rc = st_hdr5_encode(st, id, h, &v, &n);

		if (rc)
			return rc;
		/* Cases are inserted in id order, above every other: appended,
		 * LMDB fills each page instead of splitting it in half. */
		if (h->append) {
			MDB_val key = {8, k}, val = {n, v};
			rc = mdb_put(txn, st->dbi[DB_CASES], &key, &val, MDB_APPEND);
			if (rc == MDB_KEYEXIST)
				rc = st_err(st, CASE_ABOVE_COUNTER, .record = id);
			else if (rc)
				rc = st_mdb(st, rc, "cases");
		} else {
			rc = st_put(st, txn, DB_CASES, k, 8, v, n, 0);
		}
		if (rc == M_OK)
			rc = st_audit_case(st, txn, id, h->version, created, v, n);
		free(v);
		return rc;
	}
	n = hdr_encode(h, b);
	if (keys_header_mac(st->kr, h->epoch, id, b, n, b + n))
		return st_err(st, NEED_RECORD_KEY);
	if ((grc = st_put(st, txn, DB_CASES, k, 8, b, n + KEYS_MAC_BYTES, 0)))
		return grc;
	return st_audit_case(st, txn, id, h->version, created, b, n + KEYS_MAC_BYTES);
}

/* ---- fields ------------------------------------------------------------- */

size_t st_field_key(uint8_t k[10], uint64_t id, uint16_t number)
{
	be64(k, id);
	be16(k + 8, number);
	return 10;
}

int st_denied(store *st, enum field_id f)
{
	return st_err(st, FIELD_NEEDS_KEY, .field = f, .cls = field_catalogue[f].cls);
}

int st_seal_put(store *st, MDB_txn *txn, enum store_db db, const uint8_t *k, size_t klen,
                    enum key_class cls, const struct keys_place *place, const void *val,
                    size_t len)
{
	size_t cap = keys_envelope_size(len), outlen;
	uint8_t *env = malloc(cap);
	int rc;

	if (!env)
		return st_err(st, NOMEM);
	rc = keys_seal(st->kr, cls, st->epoch[cls], place, val, len, env, cap, &outlen);
	if (rc == KEYS_OK) {
		rc = st_put(st, txn, db, k, klen, env, outlen, 0);
	} else {
		keys_wipe(env, cap); /* sealing works in place: no plaintext may stay */
		rc = rc == KEYS_ELOCKED ? st_err(st, SEAL_NO_KEY) : st_err(st, SEAL_TOO_LONG);
	}
	free(env);
	return rc;
}

/* Decrypt an envelope of class cls into secure memory. M_AUTH when we hold
 * no key. */
/* The checks before any key: each place has one class (the catalogue;
 * notes for notes), and every envelope's epoch lies between its class's
 * floor (older ones are retired, their keys deleted) and the active epoch.
 * Otherwise an envelope moved in from another class, or with its epoch
 * edited, would only look locked to whoever lacks that key, and mappe check
 * would pass it. Then decrypt into buf (cap >= v->mv_size + 1). */
int st_open_into(store *st, const struct keys_place *place, const MDB_val *v, enum key_class cls,
                 char *buf, size_t cap, size_t *len)
{
	enum key_class c;
	uint32_t epoch;
	int rc;

	if (keys_envelope_info(v->mv_data, v->mv_size, &c, &epoch) != KEYS_OK || c != cls ||
	    epoch < st->floor[c] || epoch > st->epoch[c])
		return st_err(st, FIELD_FORGED, .record = place->record, .n = place->field);
	rc = keys_open(st->kr, place, v->mv_data, v->mv_size, (uint8_t *)buf, cap - 1, len);
	if (rc == KEYS_ELOCKED)
		return M_AUTH;
	if (rc)
		return st_err(st, FIELD_FORGED, .record = place->record, .n = place->field);
	buf[*len] = 0;
	return M_OK;
}

int st_open_env(store *st, const struct keys_place *place, const MDB_val *v,
                enum key_class cls, char **out, size_t *len)
{
	char *buf = keys_secure_alloc(v->mv_size + 1);
	int rc;

	if (!buf)
		return st_err(st, NOMEM);
	rc = st_open_into(st, place, v, cls, buf, v->mv_size + 1, len);
	if (rc) {
		keys_secure_free(buf);
		return rc;
	}
	*out = buf;
	return M_OK;
}

/* Decrypt a field straight into the case's arena: one locked mapping per
 * case, not one per value. */
int st_read_field_into(store *st, MDB_txn *txn, uint64_t id, const struct hdr_field *hf,
                       struct case_rec *c, enum field_id f)
{
	uint8_t k[10];
	MDB_val v;
	size_t len = 0;
	int rc = st_get(st, txn, DB_FIELDS, k, st_field_key(k, id, hf->number), &v);

	if (rc == -1)
		return st_err(st, FIELD_MISSING, .record = id, .n = hf->number);
	if (rc)
		return rc;
	if (st_arena_reserve(c, v.mv_size + 1))
		return st_err(st, NOMEM);
	const struct keys_place place = {id, hf->number, hf->counter};
	char *at = c->arena + c->arena_used;
	rc = st_open_into(st, &place, &v, field_catalogue[f].cls, at, v.mv_size + 1, &len);
	if (rc) {
		keys_wipe(at, v.mv_size + 1);
		return rc;
	}
	c->value[f] = at;
	c->len[f] = (uint32_t)len;
	c->arena_used += len + 1;
	return M_OK;
}

/* ---- a whole case, read -------------------------------------------------- */

/* Case id into out from its header h, read in this transaction. */
int st_case_fill(store *st, MDB_txn *txn, uint64_t id, const struct rec_header *h,
                 struct case_rec *out, const bool *want)
{
	return st_case_fill_lists(st, txn, id, h, out, want, 0);
}

int st_case_fill_lists(store *st, MDB_txn *txn, uint64_t id, const struct rec_header *h,
                       struct case_rec *out, const bool *want, uint32_t lists)
{
	int rc;

	case_reset(out);
	out->id = id;
	out->version = h->version;
	out->created = h->created;
	out->updated = h->updated;
	memcpy(out->saved_by, h->saved_by, sizeof h->saved_by);
	out->saved_at = h->saved_at;
	out->assigned_at = h->assigned_at;
	out->notes = h->notes;
	if (st_case_store_value(out, F_status, status_name(h->status),
	                        strlen(status_name(h->status))) ||
	    st_case_store_value(out, F_caseworker, h->caseworker, strlen(h->caseworker)))
		return st_err(st, NOMEM);
	/* Every field of a class the user cannot open is locked, whether or
	 * not it holds a value: that a person has a protected address or a
	 * health note is itself what the class protects. */
	for (int f = 0; f < F_COUNT; f++) {
		enum key_class c = field_catalogue[f].cls;
		out->locked[f] = c != KC_NONE && !keyring_has(st->kr, c, st->epoch[c]);
	}
	/* A blocked case (retention.c) shows who may not open it that it
	 * exists, and no field of it; in the lists and reports (scans) no one
	 * sees a field of it: it is opened by its id alone, and logged. */
	if (st_case_hidden(st, txn, id, h->status, h->updated, st->listing)) {
		for (int f = 0; f < F_COUNT; f++)
			out->locked[f] = field_catalogue[f].cls != KC_NONE;
		for (int l = 0; l < L_COUNT; l++)
			out->list_locked[l] = true;
		return M_OK;
	}
	if (h->format == HDR_FORMAT5)
		return case5_read(st, id, h, out, want, lists);
	for (unsigned i = 0; i < h->nfields; i++) {
		int f = field_by_number(h->f[i].number);

		if (f < 0 || !h->f[i].present || (want && !want[f]))
			continue;
		rc = st_read_field_into(st, txn, id, &h->f[i], out, (enum field_id)f);
		if (rc == M_AUTH) {
			out->locked[f] = true;
			continue;
		}
		if (rc)
			return rc;
	}
	return M_OK;
}

int st_case_fill_listed(store *st, MDB_txn *txn, uint64_t id, const struct rec_header *h,
                        struct case_rec *out, const bool *want, uint32_t lists)
{
	int rc;

	st->listing = true;
	rc = st_case_fill_lists(st, txn, id, h, out, want, lists);
	st->listing = false;
	return rc;
}

int case_read_txn(store *st, MDB_txn *txn, uint64_t id, struct case_rec *out, const bool *want)
{
	struct rec_header h = {0};
	/* The active epochs as of this transaction: st_open_env compares each
	 * envelope's epoch with them, and a rotation may have run since unlock. */
	int rc = st_load_epochs(st, txn);

	if (rc || (rc = st_hdr_read(st, txn, id, &h)))
		return rc;
	return st_case_fill(st, txn, id, &h, out, want);
}
