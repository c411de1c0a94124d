/* rotstate.c: the state of key rotations in meta (rotate.c describes it:
 * "rot" + class, and "rotplan" of an all-class rotation) and the lock that
 * lets one rotation run per store. Below users.c, whose revocations and
 * grants mark a rotation superseded, and rotate.c, which runs them. */
#include "store/private.h"

#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/file.h>
#include <unistd.h>

/* ---- the plan of an all-class rotation ----------------------------------------- */

static const char plan_key[] = "rotplan";

int st_plan_read(store *st, MDB_txn *txn, struct rot_plan *p)
{
	MDB_val v;
	int rc = st_get(st, txn, DB_META, plan_key, sizeof plan_key - 1, &v);

	memset(p, 0, sizeof *p);
	if (rc == -1)
		return M_OK;
	if (rc)
		return rc;
	if (v.mv_size != 8)
		return st_err(st, ROTATION_PLAN_DAMAGED);
	p->have = true;
	p->want = rd32(v.mv_data);
	p->done = rd32((const uint8_t *)v.mv_data + 4);
	return M_OK;
}

int st_plan_write(store *st, MDB_txn *txn, const struct rot_plan *p)
{
	uint8_t b[8];

	be32(b, p->want);
	be32(b + 4, p->done);
	return st_put(st, txn, DB_META, plan_key, sizeof plan_key - 1, b, sizeof b, 0);
}

static int plan_delete(store *st, MDB_txn *txn)
{
	MDB_val key = {sizeof plan_key - 1, (void *)plan_key};
	int rc = mdb_del(txn, st->dbi[DB_META], &key, NULL);

	return rc && rc != MDB_NOTFOUND ? st_mdb(st, rc, "meta") : M_OK;
}

/* Class c finished, or (done false) must be rotated anew. The plan goes
 * with its last class. */
int st_plan_mark(store *st, MDB_txn *txn, enum key_class c, bool done)
{
	struct rot_plan p;
	int rc = st_plan_read(st, txn, &p);

	if (rc || !p.have || !(p.want & (1u << c)))
		return rc;
	if (done)
		p.done |= 1u << c;
	else
		p.done &= ~(1u << c);
	return (p.done & p.want) == p.want ? plan_delete(st, txn) : st_plan_write(st, txn, &p);
}

static size_t rot_key(uint8_t k[4], enum key_class c)
{
	memcpy(k, "rot", 3);
	k[3] = (uint8_t)c;
	return 4;
}

int st_rot_read(store *st, MDB_txn *txn, enum key_class c, struct store_rotation *r)
{
	uint8_t k[4];
	MDB_val v;
	int rc = st_get(st, txn, DB_META, k, rot_key(k, c), &v);

	memset(r, 0, sizeof *r);
	r->cls = c;
	if (rc == -1)
		return M_OK;
	if (rc)
		return rc;
	if (v.mv_size != ROT_BYTES)
		return st_err(st, ROTATION_STATE_DAMAGED, .cls = c);
	const uint8_t *p = v.mv_data;
	r->active = true;
	r->from = rd32(p);
	r->to = rd32(p + 4);
	r->cursor = rd64(p + 8);
	r->phase = p[16];
	r->done = rd64(p + 17);
	r->started = (int64_t)rd64(p + 25);
	return M_OK;
}

int st_rot_write(store *st, MDB_txn *txn, const struct store_rotation *r)
{
	uint8_t k[4], b[ROT_BYTES];

	be32(b, r->from);
	be32(b + 4, r->to);
	be64(b + 8, r->cursor);
	b[16] = r->phase;
	be64(b + 17, r->done);
	be64(b + 25, (uint64_t)r->started);
	return st_put(st, txn, DB_META, k, rot_key(k, r->cls), b, sizeof b, 0);
}

int st_rot_delete(store *st, MDB_txn *txn, enum key_class c)
{
	uint8_t k[4];
	MDB_val key = {rot_key(k, c), k};
	int rc = mdb_del(txn, st->dbi[DB_META], &key, NULL);

	return rc && rc != MDB_NOTFOUND ? st_mdb(st, rc, "meta") : M_OK;
}

/* A revocation during a rotation: the user may hold the new epoch already,
 * so the rotation must go on to an epoch they never had. Likewise a class
 * that an interrupted all-class rotation had finished must be done again. */
int st_rotation_supersede(store *st, MDB_txn *txn, enum key_class c)
{
	struct store_rotation r;
	int rc = st_plan_mark(st, txn, c, false);

	if (rc || (rc = st_rot_read(st, txn, c, &r)) || !r.active)
		return rc;
	r.phase |= ROT_SUPERSEDED;
	return st_rot_write(st, txn, &r);
}

int st_rotation_lock(store *st)
{
	char path[4200];
	int fd;

	snprintf(path, sizeof path, "%s/rotate.lock", st->dir);
	fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0660);
	if (fd < 0)
		return -1;
	if (flock(fd, LOCK_EX | LOCK_NB) != 0) {
		close(fd);
		return -1;
	}
	return fd;
}
