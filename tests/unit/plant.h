/* Planting text below validation, for the tests of what is printed: a value
 * or note that an older mappe stored before a rule existed, or that someone
 * holding the keys wrote with their own program. The public store API
 * validates every value and note, so this goes through the store's private
 * functions (store/private.h), as the tests of tampering do. Shared by the
 * unit tests and tests/plant.c (the command-line tests' helper). */
#ifndef MAPPE_TESTS_PLANT_H
#define MAPPE_TESTS_PLANT_H

#include <stdint.h>
#include <string.h>

#include "store/private.h"

struct plant_note {
	uint64_t id;
	const uint8_t *pt;
	size_t len;
};

/* What note_add_txn does, without store_note_add's checks. */
static inline int plant_note_txn(store *st, MDB_txn *txn, void *vctx)
{
	struct plant_note *p = vctx;
	struct rec_header h = {0};
	uint8_t k[12];
	int rc;

	if ((rc = st_load_epochs(st, txn)) || (rc = st_hdr_read(st, txn, p->id, &h)))
		return rc;
	be64(k, p->id);
	be32(k + 8, h.notes);
	const struct keys_place place = {p->id, NOTE_FIELD, h.notes};
	if ((rc = st_seal_put(st, txn, DB_NOTES, k, 12, KC_NOTES, &place, p->pt, p->len)))
		return rc;
	h.notes++;
	return st_hdr_write(st, txn, p->id, &h);
}

/* A note on case id by author (raw bytes too) holding text as it is. */
static inline int plant_note(store *st, uint64_t id, const char *author, const char *text,
                             size_t len)
{
	size_t alen = strlen(author), n = 11 + alen + len;
	uint8_t *pt = keys_secure_alloc(n);
	int rc;

	if (!pt || alen > 255)
		return M_UNAVAILABLE;
	pt[0] = 3; /* other */
	pt[1] = 0;
	be64(pt + 2, (uint64_t)st_now());
	pt[10] = (uint8_t)alen;
	memcpy(pt + 11, author, alen);
	memcpy(pt + 11 + alen, text, len);
	struct plant_note p = {id, pt, n};
	rc = st_txn(st, true, plant_note_txn, &p);
	keys_secure_free(pt);
	return rc;
}

struct plant_case {
	struct case_rec *c;
	uint64_t id;
};

static inline int plant_case_txn(store *st, MDB_txn *txn, void *vctx)
{
	struct plant_case *p = vctx;
	int rc = st_load_epochs(st, txn);

	return rc ? rc : case_insert_txn(st, txn, p->c, &p->id);
}

/* A new case whose values (set with case_set, raw) skip check_values. */
static inline int plant_case(store *st, struct case_rec *c, uint64_t *id)
{
	struct plant_case p = {c, 0};
	int rc = st_txn(st, true, plant_case_txn, &p);

	*id = p.id;
	return rc;
}

struct plant_user {
	const char *from, *to;
};

static inline int plant_user_txn(store *st, MDB_txn *txn, void *vctx)
{
	struct plant_user *p = vctx;
	uint8_t buf[1024];
	MDB_val v;
	int rc = st_get(st, txn, DB_USERS, p->from, strlen(p->from), &v);

	if (rc || v.mv_size > sizeof buf)
		return rc ? M_INPUT : M_INTEGRITY;
	memcpy(buf, v.mv_data, v.mv_size);
	return st_put(st, txn, DB_USERS, p->to, strlen(p->to), buf, v.mv_size, 0);
}

/* A copy of user from's record under a name mappe would never accept: what a
 * writer of the file could add to the users table. */
static inline int plant_user(store *st, const char *from, const char *to)
{
	struct plant_user p = {from, to};

	return st_txn(st, true, plant_user_txn, &p);
}

/* Case id as every mappe before the saver was kept wrote it: its class
 * table without who saved (record.c reads that as unknown). */
static inline int plant_unsaved_txn(store *st, MDB_txn *txn, void *vctx)
{
	struct rec_header h = {0};
	int rc;

	if ((rc = st_load_epochs(st, txn)) || (rc = st_hdr_read(st, txn, *(uint64_t *)vctx, &h)))
		return rc;
	h.saved_by[0] = 0;
	h.saved_at = 0;
	return st_hdr_write(st, txn, *(uint64_t *)vctx, &h);
}

static inline int plant_unsaved(store *st, uint64_t id)
{
	return st_txn(st, true, plant_unsaved_txn, &id);
}

#endif
