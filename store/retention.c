/* retention.c: the archive law's part of a case's life (domain-rules.md 5.4).
 * A closed case is blocked (sperret) retention.block_after days after it was
 * closed: from then on only administrators and the archive open it. The
 * block is computed at read time from the clear header (a closed case's last
 * save: closed is the lifecycle's end, so the save that closed it is its
 * last, unless someone corrected it since, which starts the time again), and
 * made persistent by a mark in meta once mappe archive blocks, exports or
 * destroys it; the mark keeps the day it counted from, so that no later
 * write (a destruction's) moves it.
 *
 * meta "retention" 0x00 u64 id -> sealed (sealed.c):
 *   u8 version 1 | u8 flags (RET_*) | i64 blocked_at | i64 transferred_at |
 *   i32 closed_day
 * A mark that does not authenticate counts as blocked: fail closed. */
#include "store/private.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

static const struct {
	const char *id, *nb, *en;
	bool verified;
} categories[RC_COUNT] = {
#define RETENTION_CATEGORY_ROW(id, nb, en, verified) {#id, nb, en, verified},
    RETENTION_CATEGORIES(RETENTION_CATEGORY_ROW)
#undef RETENTION_CATEGORY_ROW
};

const char *retention_category_name(enum retention_category c)
{
	return (unsigned)c < RC_COUNT ? categories[c].id : "?";
}

const char *retention_category_label(enum retention_category c, bool norwegian)
{
	if ((unsigned)c >= RC_COUNT)
		return "?";
	return norwegian ? categories[c].nb : categories[c].en;
}

bool retention_category_verified(enum retention_category c)
{
	return (unsigned)c < RC_COUNT && categories[c].verified;
}

int retention_category_parse(const char *s, size_t len)
{
	for (int i = 0; i < RC_COUNT; i++)
		if (strlen(categories[i].id) == len && memcmp(categories[i].id, s, len) == 0)
			return i;
	return -1;
}

bool retention_category_has(enum retention_category c, enum field_id f)
{
	switch (c) {
	case RC_mapping: /* the intake's competence mapping [V S34] */
		return f == F_mapping_done || f == F_mapping_source;
	case RC_health: /* [U] */
		return field_catalogue[f].cls == KC_HEALTH;
	case RC_contact: /* [U] */
		return f == F_phone || f == F_email;
	case RC_COUNT:
		break;
	}
	return false;
}

void retention_default(struct retention *r)
{
	r->block_after = RETENTION_BLOCK_DEFAULT;
	for (int i = 0; i < RC_COUNT; i++)
		r->dispose[i] = RETENTION_NEVER;
}

static bool parse_days(const char *s, size_t len, long *out)
{
	long v = 0;

	if (len == 0 || len > 5)
		return false;
	for (size_t i = 0; i < len; i++) {
		if (s[i] < '0' || s[i] > '9')
			return false;
		v = v * 10 + (s[i] - '0');
	}
	if (v > 36500)
		return false;
	*out = v;
	return true;
}

bool retention_parse_block(const char *s, long *days)
{
	if (strcmp(s, "never") == 0) {
		*days = RETENTION_NEVER;
		return true;
	}
	return parse_days(s, strlen(s), days);
}

bool retention_parse_dispose(const char *s, struct retention *r)
{
	long got[RC_COUNT];
	const char *p = s;

	for (int i = 0; i < RC_COUNT; i++)
		got[i] = RETENTION_NEVER;
	while (*p) {
		while (*p == ' ' || *p == '\t' || *p == ',')
			p++;
		if (!*p)
			break;
		const char *name = p, *colon, *end;
		while (*p && *p != ',')
			p++;
		end = p;
		while (end > name && (end[-1] == ' ' || end[-1] == '\t'))
			end--;
		colon = memchr(name, ':', (size_t)(end - name));
		if (!colon)
			goto bad;
		const char *ne = colon, *ds = colon + 1;
		while (ne > name && (ne[-1] == ' ' || ne[-1] == '\t'))
			ne--;
		while (ds < end && (*ds == ' ' || *ds == '\t'))
			ds++;
		int c = retention_category_parse(name, (size_t)(ne - name));
		long days;
		if (c < 0 || !parse_days(ds, (size_t)(end - ds), &days) ||
		    got[c] != RETENTION_NEVER)
			goto bad;
		got[c] = days;
	}
	memcpy(r->dispose, got, sizeof got);
	return true;
bad:
	for (int i = 0; i < RC_COUNT; i++)
		r->dispose[i] = RETENTION_NEVER;
	return false;
}

void store_set_retention(store *st, const struct retention *r)
{
	st->ret = *r;
	st->ret_set = true;
}

const struct retention *st_retention(const store *st)
{
	static struct retention dflt;
	static bool made;

	if (st->ret_set)
		return &st->ret;
	if (!made) {
		retention_default(&dflt);
		made = true;
	}
	return &dflt;
}

void store_get_retention(const store *st, struct retention *out)
{
	*out = *st_retention(st);
}

bool store_may_open_blocked(const store *st)
{
	return st->role == ROLE_ADMIN || st->role == ROLE_ARCHIVE;
}

/* Unix seconds as a day in the local time zone, as st_today counts them. */
static long local_day(int64_t t)
{
	time_t tt = (time_t)t;
	struct tm tm;

	if (!localtime_r(&tt, &tm))
		return (long)(t / 86400);
	return (long)((t + tm.tm_gmtoff) / 86400 - ((t + tm.tm_gmtoff) % 86400 < 0));
}

enum { MARK_BYTES = 1 + 1 + 8 + 8 + 4 };

static size_t mark_key(uint8_t k[18], uint64_t id)
{
	memcpy(k, "retention", 10); /* with its NUL: sealed.c's prefix */
	be64(k + 10, id);
	return 18;
}

int st_retention_state(store *st, MDB_txn *txn, uint64_t id, int status, int64_t updated,
                       struct retention_state *out)
{
	const struct retention *r = st_retention(st);
	uint8_t k[18];
	MDB_val key = {mark_key(k, id), k}, v;
	int rc;

	memset(out, 0, sizeof *out);
	out->closed_day = DAY_NONE;
	out->closed = status == STATUS_closed;
	if (!out->closed)
		return M_OK; /* a mark outlives no reopening: closed is the end */
	out->closed_day = local_day(updated);
	rc = st_get(st, txn, DB_META, k, key.mv_size, &v);
	if (rc == M_OK) {
		const uint8_t *b = NULL;
		size_t blen = 0;
		out->marked = true;
		out->blocked = true;
		if (st_sealed_open(st, &key, &v, &b, &blen) == M_OK && blen == MARK_BYTES &&
		    b[0] == 1) {
			out->transferred = b[1] & RET_TRANSFERRED;
			out->blocked_at = (int64_t)rd64(b + 2);
			out->transferred_at = (int64_t)rd64(b + 10);
			out->closed_day = (long)(int32_t)rd32(b + 18);
		}
		return M_OK;
	}
	if (rc != -1)
		return rc;
	out->blocked =
	    r->block_after != RETENTION_NEVER && st_today() - out->closed_day >= r->block_after;
	return M_OK;
}

bool st_case_hidden(store *st, MDB_txn *txn, uint64_t id, int status, int64_t updated,
                    bool everyone)
{
	struct retention_state rs;

	/* The archive role is there to receive blocked cases: it opens those
	 * and nothing else, and sees no live case in any list. */
	if (st->role == ROLE_ARCHIVE) {
		if (status != STATUS_closed || everyone)
			return true;
		return st_retention_state(st, txn, id, status, updated, &rs) != M_OK || !rs.blocked;
	}
	if (status != STATUS_closed || (!everyone && store_may_open_blocked(st)))
		return false;
	/* A failure to read the mark hides the case: fail closed. */
	return st_retention_state(st, txn, id, status, updated, &rs) != M_OK || rs.blocked;
}

int st_retention_mark(store *st, MDB_txn *txn, uint64_t id, const struct retention_state *was,
                      unsigned flags)
{
	uint8_t k[18], b[MARK_BYTES];
	int64_t now = (int64_t)time(NULL);
	unsigned have = (was->marked ? RET_BLOCKED : 0) | (was->transferred ? RET_TRANSFERRED : 0);

	b[0] = 1;
	b[1] = (uint8_t)(have | flags | RET_BLOCKED);
	be64(b + 2, (uint64_t)(was->marked ? was->blocked_at : now));
	be64(b + 10, (uint64_t)(flags & RET_TRANSFERRED ? now : was->transferred_at));
	be32(b + 18, (uint32_t)(int32_t)was->closed_day);
	return st_sealed_put(st, txn, k, mark_key(k, id), b, sizeof b);
}
