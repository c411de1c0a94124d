/* cases.c: case records read, inserted and updated (format 4 field by field
 * here, format 5 through record.c and save.c), the case counter, journal
 * notes and mappe check. */
#include "store/private.h"
#include "store/validate.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- reading ------------------------------------------------------------ */

int st_case_ids(store *st, MDB_txn *txn, uint64_t from, uint64_t *ids, size_t cap, size_t *n)
{
	MDB_cursor *cur;
	uint8_t k[8];
	MDB_val key = {8, k}, val;
	int rc;

	*n = 0;
	be64(k, from);
	if ((rc = mdb_cursor_open(txn, st->dbi[DB_CASES], &cur)))
		return st_mdb(st, rc, "cases");
	for (rc = mdb_cursor_get(cur, &key, &val, MDB_SET_RANGE); rc == 0 && *n < cap;
	     rc = mdb_cursor_get(cur, &key, &val, MDB_NEXT))
		if (key.mv_size == 8)
			ids[(*n)++] = rd64(key.mv_data);
	mdb_cursor_close(cur);
	return rc == 0 || rc == MDB_NOTFOUND ? M_OK : st_mdb(st, rc, "cases");
}

struct get_ctx {
	uint64_t id;
	struct case_rec *c;
	bool blocked; /* a blocked case, opened by one who may */
};

static int get_txn(store *st, MDB_txn *txn, void *vctx)
{
	struct get_ctx *ctx = vctx;
	struct rec_header h = {0};
	struct retention_state rs;
	int rc = st_load_epochs(st, txn);

	if (rc || (rc = st_hdr_read(st, txn, ctx->id, &h)))
		return rc;
	if (st_case_hidden(st, txn, ctx->id, h.status, h.updated, false)) {
		case_reset(ctx->c); /* nothing of a case read before stays in it */
		return st_err(st, CASE_BLOCKED, .record = ctx->id);
	}
	ctx->blocked = h.status == STATUS_closed &&
	               st_retention_state(st, txn, ctx->id, h.status, h.updated, &rs) == M_OK &&
	               rs.blocked;
	return st_case_fill(st, txn, ctx->id, &h, ctx->c, NULL);
}

/* Every read of a blocked case is logged (domain.md: sperret), in a short
 * write of its own after the read. */
static int log_blocked_read(store *st, uint64_t id, key_classes classes)
{
	return store_audit(st, &(struct audit_event){.action = AUDIT_OPEN,
	                                             .case_id = id,
	                                             .classes = classes,
	                                             .detail = "blocked case"});
}

static key_classes classes_read(const store *st)
{
	key_classes k = 0;

	for (unsigned c = KC_IDENTITY; c < KC_COUNT; c++)
		if (c != KC_AUDIT && store_can_read(st, (enum key_class)c))
			k |= 1u << c;
	return k;
}

int store_case_get(store *st, uint64_t id, struct case_rec *out)
{
	struct get_ctx ctx = {id, out, false};
	int rc;

	if (!st->kr)
		return st_err(st, NOT_UNLOCKED);
	rc = st_txn(st, false, get_txn, &ctx);
	if (rc == M_OK && ctx.blocked && (rc = log_blocked_read(st, id, classes_read(st))))
		case_reset(out);
	return rc;
}

/* ---- writing ------------------------------------------------------------ */

static int read_field(store *st, MDB_txn *txn, uint64_t id, const struct hdr_field *hf,
                      char **out, size_t *len)
{
	uint8_t k[10];
	MDB_val v;
	int rc = st_get(st, txn, DB_FIELDS, k, st_field_key(k, id, hf->number), &v);

	if (rc == -1)
		return st_err(st, FIELD_MISSING, .record = id, .n = hf->number);
	if (rc)
		return rc;
	int f = field_by_number(hf->number);
	const struct keys_place place = {id, hf->number, hf->counter};
	return st_open_env(st, &place, &v, f < 0 ? KC_NONE : field_catalogue[f].cls, out, len);
}

/* Write one field's new value (or remove it) and bump its counter. */
static int write_field(store *st, MDB_txn *txn, uint64_t id, struct rec_header *h,
                       enum field_id f, const char *val, size_t len)
{
	const struct field_def *d = &field_catalogue[f];
	struct hdr_field *hf = st_hdr_find(h, d->number);
	uint8_t k[10];
	size_t klen = st_field_key(k, id, d->number);
	int rc;

	if (!store_can_read(st, d->cls))
		return st_denied(st, f);
	if (f == NID_FIELD && hf && hf->present) {
		/* Drop the old index entry, under the epoch it was made with. */
		MDB_val v;
		enum key_class c;
		uint32_t epoch;
		char *old;
		size_t oldlen;

		if (st_get(st, txn, DB_FIELDS, k, klen, &v) == M_OK &&
		    keys_envelope_info(v.mv_data, v.mv_size, &c, &epoch) == KEYS_OK &&
		    read_field(st, txn, id, hf, &old, &oldlen) == M_OK) {
			rc = st_nid_index(st, txn, epoch, old, oldlen, id, false);
			keys_secure_free(old);
			if (rc)
				return rc;
		}
	}
	if (!hf) {
		if (h->nfields == MAX_HDR_FIELDS)
			return st_err(st, TOO_MANY_FIELDS);
		hf = &h->f[h->nfields++];
		*hf = (struct hdr_field){d->number, 0, 0};
	}
	hf->counter++;
	if (!val || len == 0) {
		MDB_val key = {klen, k};
		hf->present = 0;
		rc = mdb_del(txn, st->dbi[DB_FIELDS], &key, NULL);
		return rc && rc != MDB_NOTFOUND ? st_mdb(st, rc, "fields") : M_OK;
	}
	hf->present = 1;
	if (f == NID_FIELD) {
		if ((rc = st_nid_duplicate(st, txn, val, len, id)) ||
		    (rc = st_nid_index(st, txn, st->epoch[NID_CLASS], val, len, id, true)))
			return rc;
	}
	const struct keys_place place = {id, d->number, hf->counter};
	return st_seal_put(st, txn, DB_FIELDS, k, klen, d->cls, &place, val, len);
}

static int set_clear_field(store *st, struct rec_header *h, const struct case_rec *c,
                           enum field_id f)
{
	const char *v = c->value[f];

	if (f == F_status) {
		int s = v ? status_parse(v, c->len[f]) : 0;
		if (s < 0)
			return st_err(st, STATUS_UNKNOWN);
		h->status = (uint8_t)s;
	} else if (f == F_caseworker) {
		snprintf(h->caseworker, sizeof h->caseworker, "%s", v ? v : "");
	}
	return M_OK;
}

/* ---- the case counter ------------------------------------------------------
 *
 * meta "next_id" is u64 (the next case id); meta "next_id_mac" is
 * u32 record epoch | MAC[32], a header MAC for record 0 (no case has id 0)
 * over the counter. Cases are never deleted, so every id below the counter
 * must have a header: with the counter authenticated, a case deleted from
 * the file (the last one too) or a counter wound back is caught by check,
 * and an insert never lands on an existing case. */

int st_counter_write(store *st, MDB_txn *txn, const keyring *kr, uint64_t next)
{
	uint8_t b[8], m[4 + KEYS_MAC_BYTES];
	uint32_t epoch = st->epoch[KC_RECORD];
	int rc;

	be64(b, next);
	be32(m, epoch);
	if (!kr || keys_header_mac(kr, epoch, 0, b, sizeof b, m + 4) != KEYS_OK)
		return st_err(st, NO_RECORD_KEY);
	if ((rc = st_put(st, txn, DB_META, "next_id", 7, b, sizeof b, 0)))
		return rc;
	return st_put(st, txn, DB_META, "next_id_mac", 11, m, sizeof m, 0);
}

int st_counter_read(store *st, MDB_txn *txn, uint64_t *next)
{
	MDB_val v, m;
	int rc = st_get(st, txn, DB_META, "next_id", 7, &v);

	if (rc == -1 || (rc == M_OK && v.mv_size != 8))
		return st_err(st, COUNTER_DAMAGED);
	if (rc)
		return rc;
	*next = rd64(v.mv_data);
	if (st->schema < 5)
		return M_OK; /* sealed by the upgrade to schema 5 */
	rc = st_get(st, txn, DB_META, "next_id_mac", 11, &m);
	if (rc == -1 || (rc == M_OK && m.mv_size != 4 + KEYS_MAC_BYTES))
		return st_err(st, COUNTER_NO_MAC);
	if (rc)
		return rc;
	const uint8_t *mp = m.mv_data;
	if (!st->kr || keys_header_verify(st->kr, rd32(mp), 0, v.mv_data, 8, mp + 4) != KEYS_OK)
		return st_err(st, COUNTER_FORGED);
	return M_OK;
}

int st_counter_seal(store *st, MDB_txn *txn)
{
	MDB_val v;
	int rc = st_get(st, txn, DB_META, "next_id", 7, &v);

	if (rc == -1 || (rc == M_OK && v.mv_size != 8))
		return st_err(st, COUNTER_DAMAGED);
	return rc ? rc : st_counter_write(st, txn, st->kr, rd64(v.mv_data));
}

int case_insert_txn(store *st, MDB_txn *txn, struct case_rec *c, uint64_t *id_out)
{
	uint64_t id;
	int rc = st_counter_read(st, txn, &id);

	if (rc || (rc = st_case_insert_at(st, txn, c, id)))
		return rc;
	if ((rc = st_counter_write(st, txn, st->kr, id + 1)))
		return rc;
	if (id_out)
		*id_out = id;
	return M_OK;
}

void st_saved_now(const store *st, struct rec_header *h)
{
	size_t n = strnlen(st->user, ST_SAVER_MAX);

	memcpy(h->saved_by, st->user, n);
	h->saved_by[n] = 0;
	h->saved_at = h->updated;
}

/* The caseworker was `before` and is h's now: handed over by another user,
 * the case is new to them from now (My day shows it); taken by the user
 * themselves, or given to nobody, it is not. Unchanged, it stays as it was. */
void st_assigned(const store *st, struct rec_header *h, const char *before)
{
	if (strcmp(before, h->caseworker) == 0)
		return;
	h->assigned_at = *h->caseworker && strcmp(h->caseworker, st->user) != 0 ? h->updated : 0;
}

int st_case_insert_at(store *st, MDB_txn *txn, struct case_rec *c, uint64_t id)
{
	struct rec_header h = {0};
	uint8_t hk[8];
	MDB_val v;
	int rc = M_OK;

	/* A counter wound back would land on a case that exists: never
	 * overwrite one (st_hdr_write below replaces headers by design). */
	be64(hk, id);
	if (id == 0 || (rc = st_get(st, txn, DB_CASES, hk, 8, &v)) != -1)
		return rc ? rc
		          : st_err(st, COUNTER_AT_CASE, .record = id);
	h.format = HDR_FORMAT5;
	h.append = true;
	h.version = 1;
	h.created = h.updated = st_now();
	snprintf(h.caseworker, sizeof h.caseworker, "%s", st->user);
	st_saved_now(st, &h);
	for (int f = 0; f < F_COUNT; f++)
		if (field_catalogue[f].cls == KC_NONE && c->value[f] &&
		    (rc = set_clear_field(st, &h, c, (enum field_id)f)))
			return rc;
	st_assigned(st, &h, "");
	if ((rc = st_case5_write(st, txn, id, &h, c, true)))
		return rc;
	c->id = id;
	c->version = h.version;
	memcpy(c->saved_by, h.saved_by, sizeof h.saved_by);
	c->saved_at = h.saved_at;
	c->assigned_at = h.assigned_at;
	return M_OK;
}

struct insert_ctx {
	struct case_rec *cases;
	size_t n;
	uint64_t *ids;
	size_t failed; /* index of the case that failed */
};

/* A case's caseworker is someone who can work on it: an enrolled user, not
 * a revoked one (a typo would hide the case from everyone's caseload).
 * An import (import.c) may name colleagues not yet enrolled. */
static int caseworker_check(store *st, MDB_txn *txn, const struct case_rec *c)
{
	if (!c->dirty[F_caseworker] || !c->value[F_caseworker] || !c->len[F_caseworker])
		return M_OK;
	return st_user_active(st, txn, c->value[F_caseworker], c->len[F_caseworker]);
}

static int insert_txn(store *st, MDB_txn *txn, void *vctx)
{
	struct insert_ctx *ctx = vctx;
	int rc;

	if ((rc = st_load_epochs(st, txn)))
		return rc;
	for (size_t i = 0; i < ctx->n; i++) {
		ctx->failed = i;
		if ((rc = caseworker_check(st, txn, &ctx->cases[i])) ||
		    (rc = st_case_rules(st, txn, &ctx->cases[i], -1)))
			return rc;
		rc = case_insert_txn(st, txn, &ctx->cases[i], ctx->ids ? &ctx->ids[i] : NULL);
		if (rc)
			return rc;
	}
	return M_OK;
}

/* The commands and screens normalise every value (field_normalise) before
 * it gets here; this holds any other caller to the same text rule, so that
 * nothing a terminal would obey is ever stored. */
static int check_values(store *st, const struct case_rec *c)
{
	for (int f = 0; f < F_COUNT; f++) {
		const char *bad;

		if (!c->dirty[f] || !c->value[f])
			continue;
		bad = valid_utf8_text(c->value[f], c->len[f], field_catalogue[f].type == FT_LINES);
		if (bad)
			return st_err(st, FIELD_INVALID, .field = f, .why = bad);
	}
	for (size_t i = 0; i < c->nitems; i++)
		for (int f = 0; f < I_COUNT; f++) {
			const struct case_item *it = &c->items[i];
			const char *bad;
			if (!it->dirty[f] || !it->value[f])
				continue;
			bad = valid_utf8_text(it->value[f], it->len[f],
			                      item_catalogue[f].f.type == FT_LINES);
			if (bad)
				return st_err(st, ITEM_INVALID, .list = it->list, .item = f, .why = bad);
		}
	return M_OK;
}

int store_case_insert(store *st, struct case_rec *cases, size_t n, uint64_t *ids_out)
{
	struct insert_ctx ctx = {cases, n, ids_out, 0};
	int rc;

	if (!st->kr)
		return st_err(st, NOT_UNLOCKED);
	if (st->role == ROLE_ARCHIVE)
		return st_err(st, ARCHIVE_CHANGES_NOTHING);
	for (size_t i = 0; i < n; i++)
		if ((rc = check_values(st, &cases[i])))
			return rc;
	rc = st_txn(st, true, insert_txn, &ctx);
	for (size_t i = 0; rc == M_OK && i < n; i++)
		st_items_saved(&cases[i]);
	return rc;
}

struct update_ctx {
	struct case_rec *c;
	uint32_t expect;
};

/* A value given as it is stored already is no change: it neither makes a
 * version nor rewrites its class (update fed show's output, a form field
 * typed back). Fields the user cannot read stay as given, for the save to
 * refuse. */
static bool same_value(const char *a, uint32_t alen, const char *b, uint32_t blen)
{
	size_t x = a ? alen : 0, y = b ? blen : 0;

	return x == y && (x == 0 || memcmp(a, b, x) == 0);
}

static int drop_unchanged(store *st, MDB_txn *txn, const struct rec_header *h, struct case_rec *c)
{
	struct case_rec cur;
	bool items = false;
	int rc;

	/* Only the classes given values are opened, unless list items are
	 * edited: a whole read is what brings the items in. */
	for (size_t i = 0; !items && i < c->nitems; i++)
		for (int f = 0; !items && f < I_COUNT; f++)
			items = c->items[i].id && !c->items[i].removed && c->items[i].dirty[f];
	case_init(&cur);
	rc = st_case_fill(st, txn, c->id, h, &cur, items ? NULL : c->dirty);
	for (int f = 0; rc == M_OK && f < F_COUNT; f++)
		if (c->dirty[f] && !cur.locked[f] &&
		    same_value(c->value[f], c->len[f], cur.value[f], cur.len[f]))
			c->dirty[f] = false;
	for (size_t i = 0; rc == M_OK && i < c->nitems; i++) {
		struct case_item *it = &c->items[i];
		int j = it->id && !it->removed ? case_item_find(&cur, (enum list_id)it->list, it->id)
		                               : -1;
		for (int f = 0; j >= 0 && f < I_COUNT; f++)
			if (it->dirty[f] && !cur.items[j].locked[f] &&
			    same_value(it->value[f], it->len[f], cur.items[j].value[f],
			               cur.items[j].len[f]))
				it->dirty[f] = false;
	}
	case_clear(&cur);
	return rc;
}

static int update_cached(store *st, MDB_txn *txn, void *vctx)
{
	struct update_ctx *ctx = vctx;
	struct case_rec *c = ctx->c;
	struct rec_header h = {0};
	bool any = false;
	int rc;

	if ((rc = st_load_epochs(st, txn)) || (rc = st_hdr_read(st, txn, c->id, &h)))
		return rc;
	if (st_case_hidden(st, txn, c->id, h.status, h.updated, false))
		return st_err(st, CASE_BLOCKED, .record = c->id);
	/* Optimistic concurrency: the version is compared inside the write
	 * transaction, so nothing can slip in between. */
	if (ctx->expect && h.version != ctx->expect)
		return st_err(st, CASE_CHANGED, .record = c->id, .n = ctx->expect, .m = h.version);
	if (h.format != HDR_FORMAT5 && case_lists_dirty(c))
		return st_err(st, CASE_NEEDS_MIGRATE, .record = c->id);
	/* A caseworker given as it is (show's output fed back) is no change,
	 * even after that user was revoked. */
	if ((rc = drop_unchanged(st, txn, &h, c)) || (rc = caseworker_check(st, txn, c)) ||
	    (rc = st_case_rules(st, txn, c, h.status)))
		return rc;
	if (h.format == HDR_FORMAT5) {
		char before[sizeof h.caseworker];
		memcpy(before, h.caseworker, sizeof before);
		any = case_lists_dirty(c);
		for (int f = 0; f < F_COUNT; f++) {
			if (!c->dirty[f])
				continue;
			any = true;
			if (field_catalogue[f].cls == KC_NONE &&
			    (rc = set_clear_field(st, &h, c, (enum field_id)f)))
				return rc;
		}
		if (!any)
			return M_OK;
		h.version++;
		h.updated = st_now();
		st_saved_now(st, &h);
		st_assigned(st, &h, before);
		if ((rc = st_case5_write(st, txn, c->id, &h, c, false)))
			return rc;
		c->version = h.version;
		c->updated = h.updated;
		memcpy(c->saved_by, h.saved_by, sizeof h.saved_by);
		c->saved_at = h.saved_at;
		c->assigned_at = h.assigned_at;
		return M_OK;
	}
	for (int f = 0; f < F_COUNT; f++) {
		if (!c->dirty[f])
			continue;
		any = true;
		if (field_catalogue[f].cls == KC_NONE)
			rc = set_clear_field(st, &h, c, (enum field_id)f);
		else
			rc = write_field(st, txn, c->id, &h, (enum field_id)f, c->value[f],
			                 c->len[f]);
		if (rc)
			return rc;
	}
	if (!any)
		return M_OK;
	h.version++;
	h.updated = st_now();
	if ((rc = st_hdr_write(st, txn, c->id, &h)))
		return rc;
	c->version = h.version;
	c->updated = h.updated;
	return M_OK;
}

/* The header is read once, and each class once (st_class_open's cache):
 * comparing the values given with the stored ones, the lists' and the
 * blind index's look at them and the rebuild of the changed classes share
 * one decryption. */
static int update_txn(store *st, MDB_txn *txn, void *vctx)
{
	struct update_ctx *ctx = vctx;
	struct class_cache cache;
	int rc;

	st_cache_begin(st, &cache, ctx->c->id);
	rc = update_cached(st, txn, vctx);
	st_cache_end(st);
	return rc;
}

int store_case_update(store *st, struct case_rec *c, uint32_t expect_version)
{
	struct update_ctx ctx = {c, expect_version};
	int rc;

	if (!st->kr)
		return st_err(st, NOT_UNLOCKED);
	if (st->role == ROLE_ARCHIVE)
		return st_err(st, ARCHIVE_CHANGES_NOTHING);
	if ((rc = check_values(st, c)))
		return rc;
	rc = st_txn(st, true, update_txn, &ctx);
	if (rc == M_OK) {
		memset(c->dirty, 0, sizeof c->dirty);
		st_items_saved(c);
	}
	return rc;
}

struct find_ctx {
	const char *nid;
	size_t len;
	uint64_t ids[64];
	size_t n;
};

static int find_txn(store *st, MDB_txn *txn, void *vctx)
{
	struct find_ctx *ctx = vctx;
	int rc = st_load_epochs(st, txn); /* for st_open_env's epoch check */

	return rc ? rc : nid_lookup_txn(st, txn, ctx->nid, ctx->len, ctx->ids, 64, &ctx->n);
}

int store_find_national_id(store *st, const char *nid, uint64_t **ids, size_t *n)
{
	struct find_ctx ctx = {nid, strlen(nid), {0}, 0};
	int rc;

	*ids = NULL;
	*n = 0;
	if (!st->kr)
		return st_err(st, NOT_UNLOCKED);
	if ((rc = st_txn(st, false, find_txn, &ctx)))
		return rc;
	if (ctx.n) {
		*ids = malloc(ctx.n * sizeof **ids);
		if (!*ids)
			return st_err(st, NOMEM);
		memcpy(*ids, ctx.ids, ctx.n * sizeof **ids);
		*n = ctx.n;
	}
	return M_OK;
}

/* ---- notes -------------------------------------------------------------- */

static const char *const note_kinds[] = {"home_visit", "meeting", "phone", "other"};

const char *note_kind_name(enum note_kind k)
{
	return (unsigned)k < 4 ? note_kinds[k] : "other";
}

int note_kind_parse(const char *s, enum note_kind *out)
{
	for (unsigned i = 0; i < 4; i++)
		if (strcmp(s, note_kinds[i]) == 0) {
			*out = (enum note_kind)i;
			return 0;
		}
	return -1;
}

/* Note plaintext: u8 kind | u8 interpreter | i64 time | u8 author length |
 * author | text. The author and time are inside the ciphertext too: who
 * visited whom, and when, is itself sensitive. */
struct note_add_ctx {
	uint64_t id;
	const uint8_t *pt;
	size_t len;
	/* Sealed before the write lock, for the place read just before it: */
	bool sealed;
	uint32_t seq, epoch;
	uint8_t *env;
	size_t envlen;
};

/* NOTE_MOVED: a colleague's note took the place (or a rotation the epoch)
 * between sealing and the write; seal again. Never leaves this file. */
enum { NOTE_MOVED = 101 };

static int note_place_txn(store *st, MDB_txn *txn, void *vctx)
{
	struct note_add_ctx *ctx = vctx;
	struct rec_header h = {0};
	int rc;

	if ((rc = st_load_epochs(st, txn)) || (rc = st_hdr_read(st, txn, ctx->id, &h)))
		return rc;
	ctx->seq = h.notes;
	ctx->epoch = st->epoch[KC_NOTES];
	return M_OK;
}

static int note_add_txn(store *st, MDB_txn *txn, void *vctx)
{
	struct note_add_ctx *ctx = vctx;
	struct rec_header h = {0};
	uint8_t k[12];
	int rc;

	if ((rc = st_load_epochs(st, txn)) || (rc = st_hdr_read(st, txn, ctx->id, &h)))
		return rc;
	if (st_case_hidden(st, txn, ctx->id, h.status, h.updated, false))
		return st_err(st, CASE_BLOCKED, .record = ctx->id);
	if (ctx->sealed && (h.notes != ctx->seq || st->epoch[KC_NOTES] != ctx->epoch))
		return NOTE_MOVED;
	be64(k, ctx->id);
	be32(k + 8, h.notes);
	const struct keys_place place = {ctx->id, NOTE_FIELD, h.notes};
	rc = ctx->sealed ? st_put(st, txn, DB_NOTES, k, 12, ctx->env, ctx->envlen, 0)
	                 : st_seal_put(st, txn, DB_NOTES, k, 12, KC_NOTES, &place, ctx->pt, ctx->len);
	if (rc)
		return rc;
	/* Notes do not bump the version: a note must not make a colleague's
	 * concurrent field edit a conflict. The header MAC still changes. */
	h.notes++;
	h.updated = st_now();
	st->write_action = AUDIT_NOTE;
	st->written = 1u << KC_NOTES;
	rc = st_hdr_write(st, txn, ctx->id, &h);
	st->write_action = 0;
	return rc;
}

/* Seal the note for the place it will most likely take, outside any
 * transaction: the write lock is then held for two puts and a MAC only,
 * whatever the note's size. */
static int note_seal_ahead(store *st, struct note_add_ctx *ctx)
{
	int rc;

	if ((rc = st_txn(st, false, note_place_txn, ctx)))
		return rc;
	const struct keys_place place = {ctx->id, NOTE_FIELD, ctx->seq};
	if (keys_seal(st->kr, KC_NOTES, ctx->epoch, &place, ctx->pt, ctx->len, ctx->env,
	              keys_envelope_size(ctx->len), &ctx->envlen) != KEYS_OK) {
		keys_wipe(ctx->env, keys_envelope_size(ctx->len)); /* sealing works in place */
		return st_err(st, NOTE_NEEDS_KEY);
	}
	ctx->sealed = true;
	return M_OK;
}

int store_note_add(store *st, uint64_t id, enum note_kind kind, bool interpreter,
                   const char *text, size_t len)
{
	enum { AHEAD_TRIES = 3 };
	size_t alen = strlen(st->user), n = 11 + alen + len;
	const char *bad;
	uint8_t *pt;
	int rc;

	if (!st->kr)
		return st_err(st, NOT_UNLOCKED);
	if (st->role == ROLE_ARCHIVE)
		return st_err(st, ARCHIVE_CHANGES_NOTHING);
	if (!store_can_read(st, KC_NOTES))
		return st_err(st, NOTE_NEEDS_KEY);
	if (len == 0 || len > NOTE_MAX_BYTES)
		return st_err(st, NOTE_SIZE, .n = NOTE_MAX_BYTES);
	/* Here, not in the commands: every way a note gets in (CLI, screen,
	 * a future one) is held to the rule of multi-line fields. */
	if ((bad = valid_utf8_text(text, len, true)))
		return st_err(st, NOTE_INVALID, .why = bad);
	pt = keys_secure_alloc(n);
	if (!pt)
		return st_err(st, NOMEM);
	pt[0] = (uint8_t)kind;
	pt[1] = interpreter;
	be64(pt + 2, (uint64_t)st_now());
	pt[10] = (uint8_t)alen;
	memcpy(pt + 11, st->user, alen);
	/* CRLF becomes LF, as in fields: one way to store a line break. */
	n = 11 + alen;
	for (size_t i = 0; i < len; i++)
		if (text[i] != '\r')
			pt[n++] = (uint8_t)text[i];
	struct note_add_ctx ctx = {.id = id, .pt = pt, .len = n};
	ctx.env = malloc(keys_envelope_size(n));
	if (!ctx.env) {
		keys_secure_free(pt);
		return st_err(st, NOMEM);
	}
	/* Sealed ahead, a few times if colleagues' notes keep taking the
	 * place; then inside the lock, which always makes progress. */
	rc = NOTE_MOVED;
	for (int attempt = 0; rc == NOTE_MOVED && attempt <= AHEAD_TRIES; attempt++) {
		ctx.sealed = false;
		if (attempt < AHEAD_TRIES && (rc = note_seal_ahead(st, &ctx)))
			break;
		rc = st_txn(st, true, note_add_txn, &ctx);
	}
	free(ctx.env);
	keys_secure_free(pt);
	return rc;
}

void note_page_init(struct note_page *p)
{
	memset(p, 0, sizeof *p);
}

void note_page_clear(struct note_page *p)
{
	keys_secure_free(p->arena); /* sodium_free wipes it */
	memset(p, 0, sizeof *p);
}

struct notes_ctx {
	uint64_t id;
	uint32_t from;
	size_t max, max_bytes;
	struct note_page *page;
	bool blocked; /* a blocked case's journal, read by one who may */
	struct retention_state rs;
};

static int note_get(store *st, MDB_txn *txn, uint64_t id, uint32_t seq, MDB_val *v)
{
	uint8_t k[12];
	int rc;

	be64(k, id);
	be32(k + 8, seq);
	rc = st_get(st, txn, DB_NOTES, k, 12, v);
	if (rc == -1)
		return st_err(st, NOTE_MISSING, .record = id, .n = seq);
	return rc;
}

/* Two passes in one read transaction: size the page from the envelopes (a
 * plaintext is never longer), then decrypt each note straight into the
 * page's block, behind the note structs. */
static int notes_txn(store *st, MDB_txn *txn, void *vctx)
{
	struct notes_ctx *ctx = vctx;
	struct note_page *pg = ctx->page;
	struct rec_header h = {0};
	size_t count = 0, bytes = 0, head, off;
	uint32_t from;
	MDB_val v;
	int rc;

	if (pg->arena)
		keys_wipe(pg->arena, pg->arena_cap); /* st_txn may run this again */
	pg->notes = NULL;
	pg->n = 0;
	/* The active epochs as of this transaction, for st_open_into's check. */
	if ((rc = st_load_epochs(st, txn)) || (rc = st_hdr_read(st, txn, ctx->id, &h)))
		return rc;
	if (st_case_hidden(st, txn, ctx->id, h.status, h.updated, false))
		return st_err(st, CASE_BLOCKED, .record = ctx->id);
	ctx->blocked = h.status == STATUS_closed &&
	               st_retention_state(st, txn, ctx->id, h.status, h.updated, &ctx->rs) == M_OK &&
	               ctx->rs.blocked;
	from = ctx->from < h.notes ? ctx->from : h.notes;
	pg->from = from;
	pg->total = h.notes;
	for (uint32_t i = from; i < h.notes && count < ctx->max; i++) {
		if ((rc = note_get(st, txn, ctx->id, i, &v)))
			return rc;
		if (count && bytes + sizeof(struct note) + v.mv_size + 1 > ctx->max_bytes)
			break;
		bytes += sizeof(struct note) + v.mv_size + 1;
		count++;
	}
	if (count == 0)
		return M_OK;
	if (bytes > pg->arena_cap) {
		void *p = keys_secure_alloc(bytes);
		if (!p)
			return st_err(st, NOMEM);
		keys_secure_free(pg->arena);
		pg->arena = p;
		pg->arena_cap = bytes;
	}
	if (!pg->arena)
		return st_err(st, NOMEM);
	pg->notes = pg->arena;
	head = count * sizeof(struct note);
	off = head;
	for (size_t j = 0; j < count; j++) {
		uint32_t seq = from + (uint32_t)j;
		struct note *nt = &pg->notes[j];
		char *pt = (char *)pg->arena + off;
		size_t len = 0, alen;

		if ((rc = note_get(st, txn, ctx->id, seq, &v)))
			return rc;
		const struct keys_place place = {ctx->id, NOTE_FIELD, seq};
		if ((rc = st_open_into(st, &place, &v, KC_NOTES, pt, v.mv_size + 1, &len)))
			return rc == M_AUTH ? st_err(st, NOTE_READ_NEEDS_KEY) : rc;
		if (len < 11 || len < 11u + (uint8_t)pt[10])
			return st_err(st, NOTE_MALFORMED, .record = ctx->id, .n = seq);
		alen = (uint8_t)pt[10];
		memset(nt, 0, sizeof *nt);
		nt->kind = (uint8_t)pt[0] < 4 ? (enum note_kind)pt[0] : NOTE_OTHER;
		nt->interpreter_used = pt[1];
		nt->time = (int64_t)rd64((uint8_t *)pt + 2);
		memcpy(nt->author, pt + 11, alen < sizeof nt->author ? alen : sizeof nt->author - 1);
		/* The text moves to the start of its place, and the next note's
		 * decryption goes right behind it. */
		nt->len = len - 11 - alen;
		memmove(pt, pt + 11 + alen, nt->len);
		keys_wipe(pt + nt->len, len - nt->len);
		pt[nt->len] = 0;
		nt->text = pt;
		off += nt->len + 1;
		pg->n++;
	}
	return M_OK;
}

static int notes_read(store *st, uint64_t id, uint32_t from, size_t max, size_t max_bytes,
                      struct note_page *page)
{
	struct notes_ctx ctx = {.id = id, .from = from, .max = max, .max_bytes = max_bytes, .page = page};
	int rc;

	if (!st->kr)
		return st_err(st, NOT_UNLOCKED);
	rc = st_txn(st, false, notes_txn, &ctx);
	if (rc == M_OK && ctx.blocked)
		rc = log_blocked_read(st, id, 1u << KC_NOTES);
	if (rc) {
		if (page->arena)
			keys_wipe(page->arena, page->arena_cap);
		page->notes = NULL;
		page->n = 0;
	}
	return rc;
}

int store_notes_read(store *st, uint64_t id, uint32_t from, size_t max, struct note_page *page)
{
	return notes_read(st, id, from, max ? max : 1, NOTE_PAGE_BYTES, page);
}

int store_notes_get(store *st, uint64_t id, struct note **out, size_t *n)
{
	struct note_page pg;
	int rc;

	*out = NULL;
	*n = 0;
	note_page_init(&pg);
	rc = notes_read(st, id, 0, SIZE_MAX, SIZE_MAX, &pg);
	if (rc || pg.n == 0) {
		note_page_clear(&pg);
		return rc;
	}
	/* The notes sit at the start of the block: notes_free frees it. */
	*out = pg.notes;
	*n = pg.n;
	return M_OK;
}

void notes_free(struct note *notes, size_t n)
{
	(void)n;
	keys_secure_free(notes);
}

/* ---- integrity check ---------------------------------------------------- */

/* What check has found already, so that the audit log's view of the same
 * case is not a second report of it: the cases named, the gaps counted. */
struct found {
	uint64_t *ids;
	size_t n, cap;
	uint64_t (*gaps)[2]; /* [from, to) */
	size_t ngaps, gapcap;
};

struct check_ctx {
	void (*report)(void *, uint64_t, const struct store_fault *);
	void *rctx;
	void (*outer)(void *, uint64_t, const struct store_fault *); /* the caller's */
	void *outer_ctx;
	struct found found;
	uint64_t next;   /* resume point: each batch is its own read transaction */
	uint64_t expect; /* the next id a complete store has: cases are never deleted */
	size_t checked, broken;
	bool done;
	unsigned named; /* missing ids named so far: the first few, then a count */
};

/* Ids from expect up to (not including) upto have no header: deleted. A gap
 * is counted in one step: a header planted at id 2^60 must not make check
 * count to it. */
static void report_missing(store *st, struct check_ctx *ctx, uint64_t upto)
{
	enum { NAMED = 20 };
	struct store_fault f;
	uint64_t gap;

	if (upto <= ctx->expect)
		return;
	gap = upto - ctx->expect;
	for (uint64_t i = 0; i < gap && ctx->named < NAMED; i++, ctx->named++) {
		st_fault(&f, st, CHECK_CASE_DELETED, .record = ctx->expect + i);
		ctx->report(ctx->rctx, ctx->expect + i, &f);
	}
	if (ctx->named == NAMED && gap > NAMED) {
		st_fault(&f, st, CHECK_IDS_MISSING, .n = gap, .m = ctx->expect);
		ctx->report(ctx->rctx, 0, &f);
		ctx->named++;
	}
	ctx->broken += gap > SIZE_MAX / 2 ? SIZE_MAX / 2 : (size_t)gap;
	struct found *fd = &ctx->found;
	if (fd->ngaps == fd->gapcap) {
		size_t cap = fd->gapcap ? 2 * fd->gapcap : 8;
		void *p = realloc(fd->gaps, cap * sizeof *fd->gaps);
		if (!p)
			return; /* only a second report of these, then */
		fd->gaps = p;
		fd->gapcap = cap;
	}
	fd->gaps[fd->ngaps][0] = ctx->expect;
	fd->gaps[fd->ngaps++][1] = upto;
	ctx->expect = upto;
}

enum { CHECK_BATCH = 256 };

static void check_one(store *st, MDB_txn *txn, struct check_ctx *ctx, uint64_t id)
{
	struct case_rec c;
	struct rec_header h = {0};
	int rc;

	case_init(&c);
	st_fault_clear(st);
	rc = case_read_txn(st, txn, id, &c, NULL);
	if (rc == M_OK && (rc = st_hdr_read(st, txn, id, &h)) == M_OK) {
		/* An administrator holds every live key: a value that opens for
		 * no one is lost, whatever the reason. */
		for (unsigned k = 0; rc == M_OK && keyring_is_authority(st->kr) &&
		                     h.format == HDR_FORMAT5 && k < KC_COUNT;
		     k++)
			for (int f = 0; rc == M_OK && h.slot[k].state && f < F_COUNT; f++)
				if (field_catalogue[f].cls == k && c.locked[f])
					rc = st_err(st, CLASS_KEY_GONE, .record = id, .cls = k);
		for (unsigned i = 0; rc == M_OK && keyring_is_authority(st->kr) && i < h.nfields; i++) {
			int f = field_by_number(h.f[i].number);
			if (f >= 0 && h.f[i].present && c.locked[f])
				rc = st_err(st, FIELD_KEY_GONE, .record = id, .field = f);
		}
		/* Every national id must be findable through the index. */
		struct hdr_field *hf = st_hdr_find(&h, field_catalogue[NID_FIELD].number);
		if ((h.format == HDR_FORMAT5 || (hf && hf->present)) && c.value[NID_FIELD]) {
			uint64_t ids[8];
			size_t n;
			bool found = false;
			rc = nid_lookup_txn(st, txn, c.value[NID_FIELD], c.len[NID_FIELD],
			                    ids, 8, &n);
			for (size_t i = 0; i < n; i++)
				found |= ids[i] == id;
			if (rc == M_OK && !found)
				rc = st_err(st, NID_UNINDEXED, .record = id);
		}
		for (uint32_t i = 0; rc == M_OK && i < h.notes && store_can_read(st, KC_NOTES);
		     i++) {
			uint8_t k[12];
			MDB_val v;
			char *pt = NULL;
			size_t len = 0;
			be64(k, id);
			be32(k + 8, i);
			if (st_get(st, txn, DB_NOTES, k, 12, &v) != M_OK) {
				rc = st_err(st, NOTE_MISSING, .record = id, .n = i);
				break;
			}
			const struct keys_place place = {id, NOTE_FIELD, i};
			rc = st_open_env(st, &place, &v, KC_NOTES, &pt, &len);
			if (rc == M_OK)
				keys_secure_free(pt);
			else if (rc == M_AUTH)
				rc = M_OK;
		}
	}
	if (rc) {
		ctx->broken++;
		if (st->fault.code == E_NONE)
			st_err(st, CHECK_UNREADABLE, .record = id);
		ctx->report(ctx->rctx, id, &st->fault);
	}
	ctx->checked++;
	case_clear(&c);
}

static int check_txn(store *st, MDB_txn *txn, void *vctx)
{
	struct check_ctx *ctx = vctx;
	uint64_t ids[CHECK_BATCH];
	size_t n;
	int rc = st_case_ids(st, txn, ctx->next, ids, CHECK_BATCH, &n);

	if (rc)
		return rc;
	for (size_t i = 0; i < n; i++) {
		report_missing(st, ctx, ids[i]);
		ctx->expect = ids[i] == UINT64_MAX ? UINT64_MAX : ids[i] + 1;
		check_one(st, txn, ctx, ids[i]);
	}
	if (n < CHECK_BATCH || ids[n - 1] == UINT64_MAX)
		ctx->done = true;
	else
		ctx->next = ids[n - 1] + 1;
	return M_OK;
}

/* Field envelopes and notes that no header claims: planted or left over. */
static int orphans_txn(store *st, MDB_txn *txn, void *vctx)
{
	struct check_ctx *ctx = vctx;
	MDB_cursor *cur;
	MDB_val key, val;
	uint64_t last = 0;
	struct rec_header h = {0};
	bool have = false, seen = false;
	int rc;

	if ((rc = mdb_cursor_open(txn, st->dbi[DB_FIELDS], &cur)))
		return st_mdb(st, rc, "fields");
	for (rc = mdb_cursor_get(cur, &key, &val, MDB_FIRST); rc == 0;
	     rc = mdb_cursor_get(cur, &key, &val, MDB_NEXT)) {
		uint64_t id;
		struct hdr_field *hf;
		if (key.mv_size != 10) {
			{
				struct store_fault f;
				st_fault(&f, st, CHECK_FIELD_KEY_MALFORMED);
				ctx->report(ctx->rctx, 0, &f);
			}
			ctx->broken++;
			continue;
		}
		id = rd64(key.mv_data);
		if (!seen || id != last) {
			have = st_hdr_read(st, txn, id, &h) == M_OK;
			last = id;
			seen = true;
			if (!have) {
				uint8_t hk[8];
				MDB_val hv;
				be64(hk, id);
				if (st_get(st, txn, DB_CASES, hk, 8, &hv) == -1) {
					{
						struct store_fault f;
						st_fault(&f, st, CHECK_FIELD_ORPHAN, .record = id);
						ctx->report(ctx->rctx, id, &f);
					}
					ctx->broken++;
				}
				continue; /* a broken header was reported already */
			}
		}
		hf = st_hdr_find(&h, rd16((const uint8_t *)key.mv_data + 8));
		if (!hf || !hf->present) {
			{
				struct store_fault f;
				st_fault(&f, st, CHECK_FIELD_UNLISTED, .record = id);
				ctx->report(ctx->rctx, id, &f);
			}
			ctx->broken++;
		}
	}
	mdb_cursor_close(cur);

	seen = false;
	if ((rc = mdb_cursor_open(txn, st->dbi[DB_NOTES], &cur)))
		return st_mdb(st, rc, "notes");
	for (rc = mdb_cursor_get(cur, &key, &val, MDB_FIRST); rc == 0;
	     rc = mdb_cursor_get(cur, &key, &val, MDB_NEXT)) {
		uint64_t id;
		uint8_t hk[8];
		MDB_val hv;
		if (key.mv_size != 12) {
			{
				struct store_fault f;
				st_fault(&f, st, CHECK_NOTE_KEY_MALFORMED);
				ctx->report(ctx->rctx, 0, &f);
			}
			ctx->broken++;
			continue;
		}
		id = rd64(key.mv_data);
		if (!seen || id != last) {
			last = id;
			seen = true;
			have = st_hdr_read(st, txn, id, &h) == M_OK;
			be64(hk, id);
			if (!have && st_get(st, txn, DB_CASES, hk, 8, &hv) == -1) {
				{
					struct store_fault f;
					st_fault(&f, st, CHECK_NOTES_ORPHAN, .record = id);
					ctx->report(ctx->rctx, id, &f);
				}
				ctx->broken++;
			}
		}
		if (!have)
			continue; /* reported once per case, above or by the header check */
		if (rd32((const uint8_t *)key.mv_data + 8) >= h.notes) {
			{
				struct store_fault f;
				st_fault(&f, st, CHECK_NOTE_UNCOUNTED, .record = id);
				ctx->report(ctx->rctx, id, &f);
			}
			ctx->broken++;
		}
	}
	mdb_cursor_close(cur);

	/* The counter: authenticated, and above every case id. */
	uint64_t next = 0;
	if (st_counter_read(st, txn, &next) != M_OK) {
		ctx->report(ctx->rctx, 0, &st->fault);
		ctx->broken++;
		st_fault_clear(st);
	} else if (ctx->expect > next) {
		{
			struct store_fault f;
			st_fault(&f, st, CHECK_COUNTER_BACK);
			ctx->report(ctx->rctx, 0, &f);
		}
		ctx->broken++;
	} else {
		report_missing(st, ctx, next);
	}
	return M_OK;
}

static int epochs_txn(store *st, MDB_txn *txn, void *vctx)
{
	struct check_ctx *ctx = vctx;
	int rc = st_load_epochs(st, txn);

	return rc ? rc : st_check_users(st, txn, ctx->report, ctx->rctx, &ctx->broken);
}

/* The caller's report, and a note of the case for already_found. */
static void report_found(void *vctx, uint64_t id, const struct store_fault *f)
{
	struct check_ctx *ctx = vctx;
	struct found *fd = &ctx->found;

	if (id && fd->n == fd->cap) {
		size_t cap = fd->cap ? 2 * fd->cap : 64;
		uint64_t *p = realloc(fd->ids, cap * sizeof *p);
		if (p) {
			fd->ids = p;
			fd->cap = cap;
		}
	}
	if (id && fd->n < fd->cap)
		fd->ids[fd->n++] = id;
	ctx->outer(ctx->outer_ctx, id, f);
}

static bool already_found(void *vctx, uint64_t id)
{
	const struct found *fd = &((struct check_ctx *)vctx)->found;

	for (size_t i = 0; i < fd->ngaps; i++)
		if (id >= fd->gaps[i][0] && id < fd->gaps[i][1])
			return true;
	for (size_t i = 0; i < fd->n; i++)
		if (fd->ids[i] == id)
			return true;
	return false;
}

int store_check(store *st,
                void (*report)(void *ctx, uint64_t id, const struct store_fault *what),
                void *rctx, size_t *checked)
{
	struct check_ctx ctx = {.report = report, .rctx = rctx, .expect = 1};
	int rc;

	if (!st->kr)
		return st_err(st, NOT_UNLOCKED);
	/* An administrator holds every class at its active epoch; if not, the
	 * grants are gone and the class is unreadable to everyone. */
	if ((rc = st_txn(st, false, epochs_txn, &ctx)))
		return rc;
	for (unsigned c = 0; keyring_is_authority(st->kr) && c < KC_COUNT; c++)
		if (!keyring_has(st->kr, (enum key_class)c, st->epoch[c])) {
			struct store_fault f;
			st_fault(&f, st, CHECK_CLASS_NO_KEY, .cls = (int)c);
			report(rctx, 0, &f);
			ctx.broken++;
		}
	/* Through report_found from here on: what the log says of a case
	 * already found broken is no second finding. */
	struct check_ctx *self = &ctx;
	ctx.report = report_found;
	ctx.rctx = self;
	ctx.outer = report;
	ctx.outer_ctx = rctx;
	while (!ctx.done)
		if ((rc = st_txn(st, false, check_txn, &ctx)))
			goto out;
	if ((rc = st_txn(st, false, orphans_txn, &ctx)))
		goto out;
	/* The chain needs no key; the cases against it need the audit class. */
	rc = store_audit_verify(st, NULL, NULL);
	if (rc == M_INTEGRITY) {
		report(rctx, 0, &st->fault);
		ctx.broken++;
	} else if (rc) {
		goto out;
	}
	rc = M_OK;
	if (keyring_has(st->kr, KC_AUDIT, st->epoch[KC_AUDIT]) &&
	    (rc = st_audit_check_cases(st, report, rctx, already_found, &ctx, &ctx.broken)))
		goto out;
	*checked = ctx.checked;
	if (ctx.broken)
		rc = st_err(st, CHECK_FOUND, .n = ctx.broken, .m = ctx.checked);
out:
	free(ctx.found.ids);
	free(ctx.found.gaps);
	return rc;
}
