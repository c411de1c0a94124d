/* ledger.c: the settlement targets of a year (IMDi's request, the council's
 * decision and its revisions, the date to answer by) and the year's ledger
 * counted from the cases (domain.md "The settlement ledger", domain-rules.md
 * section 4; the household rule is docs/ledger.md's).
 *
 * meta "targets" 0x00 u16 year u32 seq -> sealed body (sealed.c):
 *   u8 format (1) | i64 requested | i64 minors | i64 decided | i64 date |
 *   i64 answer_by | u8 body | i64 at (seconds) | u8 n | by[n]
 * seq counts the year's versions from 0: every version is kept, in the
 * order it was recorded; a version changed in the file, or planted there,
 * does not authenticate. A count not given is -1, a date not given is -1
 * too (DAY_NONE in memory). */
#include "store/private.h"
#include "store/validate.h"

#include <stdlib.h>
#include <string.h>

#define TARGETS_FORMAT 1
#define TARGET_KEY     (8 + 2 + 4)
#define TARGET_BODY    (1 + 5 * 8 + 1 + 8 + 1)

static const char *const body_names[BODY_COUNT] = {"council", "executive"};

const char *target_body_name(enum target_body b)
{
	return (unsigned)b < BODY_COUNT ? body_names[b] : "";
}

int target_body_parse(const char *s)
{
	for (int i = 0; s && i < BODY_COUNT; i++)
		if (strcmp(s, body_names[i]) == 0)
			return i;
	return -1;
}

const char *ledger_origin_name(enum ledger_origin o)
{
	static const char *const n[LO_COUNT] = {"reception_centre", "resettlement",
	                                        "outside_reception", "unknown"};
	return (unsigned)o < LO_COUNT ? n[o] : "";
}

const char *ledger_household_name(enum ledger_household h)
{
	static const char *const n[LH_COUNT] = {"single_adult", "family_with_children",
	                                        "family_without_children", "unaccompanied_minor"};
	return (unsigned)h < LH_COUNT ? n[h] : "";
}

static bool lead(const store *st)
{
	return store_role(st) == ROLE_LEAD || store_role(st) == ROLE_ADMIN;
}

static size_t target_key(uint8_t k[TARGET_KEY], int year, uint32_t seq)
{
	memcpy(k, "targets", 8); /* with its NUL */
	be16(k + 8, (uint16_t)year);
	be32(k + 10, seq);
	return TARGET_KEY;
}

static int64_t day_out(long d)
{
	return d == DAY_NONE ? -1 : (int64_t)d;
}

static long day_in(int64_t d)
{
	return d == -1 ? DAY_NONE : (long)d;
}

static size_t encode(const struct target *t, uint8_t *b)
{
	size_t p = 0, bl = strlen(t->by);

	b[p++] = TARGETS_FORMAT;
	const int64_t v[5] = {t->requested, t->minors, t->decided, day_out(t->date),
	                      day_out(t->answer_by)};
	for (int i = 0; i < 5; i++, p += 8)
		be64(b + p, (uint64_t)v[i]);
	b[p++] = (uint8_t)t->body;
	be64(b + p, (uint64_t)t->at);
	p += 8;
	b[p++] = (uint8_t)bl;
	memcpy(b + p, t->by, bl);
	return p + bl;
}

/* A day a stored or given date may be: 1990 to 2199, around any year a
 * target is for (TARGET_YEAR_MIN to TARGET_YEAR_MAX). */
#define DAY_MIN 7305  /* 1990-01-01 */
#define DAY_MAX 84005 /* 2199-12-31 */
static bool day_valid(long d)
{
	return d == DAY_NONE || (d >= DAY_MIN && d <= DAY_MAX);
}

/* What store_target_set would have accepted: the seal says who wrote it
 * (a holder of the record key), not that mappe did. */
static bool target_valid(const struct target *t)
{
	return t->year >= TARGET_YEAR_MIN && t->year <= TARGET_YEAR_MAX && t->requested >= 0 &&
	       t->requested <= TARGET_MAX && t->decided >= 0 && t->decided <= TARGET_MAX &&
	       t->minors >= -1 && t->minors <= t->requested && (unsigned)t->body < BODY_COUNT &&
	       day_valid(t->date) && day_valid(t->answer_by);
}

static int decode(store *st, int year, const uint8_t *b, size_t n, struct target *t)
{
	int64_t v[5];
	size_t p = 1;

	memset(t, 0, sizeof *t);
	if (n < TARGET_BODY || b[0] != TARGETS_FORMAT)
		return st_err(st, TARGET_DAMAGED, .n = (unsigned)year);
	for (int i = 0; i < 5; i++, p += 8)
		v[i] = (int64_t)rd64(b + p);
	t->year = year;
	t->body = (enum target_body)b[p++];
	t->at = (int64_t)rd64(b + p);
	p += 8;
	size_t bl = b[p++];
	if (p + bl != n || bl >= sizeof t->by || !store_user_name_valid_n((const char *)b + p, bl))
		return st_err(st, TARGET_DAMAGED, .n = (unsigned)year);
	memcpy(t->by, b + p, bl);
	for (int i = 0; i < 5; i++)
		if (v[i] < -1 || v[i] > 100000000)
			return st_err(st, TARGET_DAMAGED, .n = (unsigned)year);
	t->requested = (long)v[0];
	t->minors = (long)v[1];
	t->decided = (long)v[2];
	t->date = day_in(v[3]);
	t->answer_by = day_in(v[4]);
	if (!target_valid(t))
		return st_err(st, TARGET_DAMAGED, .n = (unsigned)year);
	return M_OK;
}

struct versions {
	int year; /* 0: every year */
	struct target *v;
	size_t n, cap;
	uint32_t next_seq; /* of year, when one is asked for */
};

static int add_version(store *st, const MDB_val *k, const uint8_t *body, size_t blen, void *ctx)
{
	struct versions *vs = ctx;
	const uint8_t *key = k->mv_data;

	if (k->mv_size != TARGET_KEY)
		return st_err(st, TARGET_DAMAGED, .n = (unsigned)vs->year);
	int year = rd16(key + 8);
	if (vs->year && year != vs->year)
		return M_OK;
	if (!body)
		return st_err(st, TARGET_FORGED, .n = (unsigned)year);
	uint32_t seq = rd32(key + 10);
	/* Versions are numbered without a gap: one taken out of the file shows. */
	size_t before = 0;
	for (size_t i = 0; i < vs->n; i++)
		before += vs->v[i].year == year;
	if (seq != before)
		return st_err(st, TARGET_DAMAGED, .n = (unsigned)year);
	if (vs->n == vs->cap) {
		size_t cap = vs->cap ? 2 * vs->cap : 8;
		struct target *grown = realloc(vs->v, cap * sizeof *grown);
		if (!grown)
			return st_err(st, NOMEM);
		vs->v = grown;
		vs->cap = cap;
	}
	int rc = decode(st, year, body, blen, &vs->v[vs->n]);
	if (rc)
		return rc;
	vs->n++;
	if (year == vs->year)
		vs->next_seq = seq + 1;
	return M_OK;
}

static int read_versions(store *st, MDB_txn *txn, struct versions *vs)
{
	uint8_t prefix[TARGET_KEY];
	size_t plen = 8;

	vs->n = 0;
	vs->next_seq = 0;
	target_key(prefix, vs->year, 0);
	if (vs->year)
		plen += 2; /* the year's entries alone */
	return st_sealed_each(st, txn, prefix, plen, add_version, vs);
}

static int read_txn(store *st, MDB_txn *txn, void *ctx)
{
	return read_versions(st, txn, ctx);
}

int store_targets(store *st, int year, struct target **out, size_t *n)
{
	struct versions vs = {.year = year};
	int rc;

	*out = NULL;
	*n = 0;
	if (!st->kr)
		return st_err(st, NOT_UNLOCKED);
	if (!lead(st))
		return st_err(st, TARGETS_LEADS);
	if (year && (year < TARGET_YEAR_MIN || year > TARGET_YEAR_MAX))
		return st_err(st, TARGET_YEAR_INVALID, .n = TARGET_YEAR_MIN, .m = TARGET_YEAR_MAX);
	if ((rc = st_txn(st, false, read_txn, &vs))) {
		free(vs.v);
		return rc;
	}
	*out = vs.v;
	*n = vs.n;
	return M_OK;
}

struct set {
	struct target t;
};

static int write_target(store *st, MDB_txn *txn, void *ctx)
{
	struct set *s = ctx;
	struct target *t = &s->t;
	struct versions vs = {.year = t->year};
	uint8_t key[TARGET_KEY], body[TARGET_BODY + 64];
	int rc = read_versions(st, txn, &vs);

	if (rc)
		goto out;
	if (vs.n) { /* a revision: what it does not give stays */
		const struct target *last = &vs.v[vs.n - 1];
		if (t->requested < 0)
			t->requested = last->requested;
		if (t->minors < 0)
			t->minors = last->minors;
		if (t->decided < 0)
			t->decided = last->decided;
		/* A new decision without its date is of today, not the old
		 * one's day. */
		if (t->date == DAY_NONE)
			t->date = t->decided == last->decided ? last->date : st_today();
		if (t->answer_by == DAY_NONE)
			t->answer_by = last->answer_by;
		if (t->requested == last->requested && t->minors == last->minors &&
		    t->decided == last->decided && t->date == last->date &&
		    t->body == last->body && t->answer_by == last->answer_by) {
			rc = st_err(st, TARGET_UNCHANGED, .n = (unsigned)t->year);
			goto out;
		}
	} else if (t->requested < 0 || t->decided < 0) {
		rc = st_err(st, TARGET_FIRST_NEEDS, .n = (unsigned)t->year);
		goto out;
	} else if (t->date == DAY_NONE) {
		t->date = st_today();
	}
	if (t->minors > t->requested) {
		rc = st_err(st, TARGET_MINORS_ABOVE, .n = (unsigned long long)t->minors,
		            .m = (unsigned long long)t->requested);
		goto out;
	}
	t->at = st_now();
	snprintf(t->by, sizeof t->by, "%s", st->user);
	rc = st_sealed_put(st, txn, key, target_key(key, t->year, vs.next_seq), body,
	                   encode(t, body));
out:
	free(vs.v);
	return rc;
}

bool target_is_decision(const struct target *v, size_t i)
{
	return i == 0 || v[i].decided != v[i - 1].decided || v[i].date != v[i - 1].date ||
	       v[i].body != v[i - 1].body;
}

int store_target_set(store *st, const struct target *t)
{
	struct set s = {.t = *t};
	static const char *const names[] = {"requested", "minors", "decided"};
	const long counts[] = {t->requested, t->minors, t->decided};

	if (!st->kr)
		return st_err(st, NOT_UNLOCKED);
	if (!lead(st))
		return st_err(st, TARGETS_LEADS);
	if (t->year < TARGET_YEAR_MIN || t->year > TARGET_YEAR_MAX)
		return st_err(st, TARGET_YEAR_INVALID, .n = TARGET_YEAR_MIN, .m = TARGET_YEAR_MAX);
	for (int i = 0; i < 3; i++)
		if (counts[i] < -1 || counts[i] > TARGET_MAX)
			return st_err(st, TARGET_COUNT_INVALID, .name = names[i], .n = TARGET_MAX);
	if ((unsigned)t->body >= BODY_COUNT)
		return st_err(st, TARGET_BODY_INVALID);
	if (!day_valid(t->date))
		return st_err(st, TARGET_DATE_INVALID, .name = "date",
		              .why = N_("a date from 1990 to 2199"));
	if (!day_valid(t->answer_by))
		return st_err(st, TARGET_DATE_INVALID, .name = "answer-by",
		              .why = N_("a date from 1990 to 2199"));
	return st_txn(st, true, write_target, &s);
}

/* ---- the ledger ------------------------------------------------------------ */

/* A person with a settlement date, as the counting needs them. */
struct person {
	size_t hid;   /* offset of the household id in the secure buffer, or SIZE_MAX */
	long settled; /* settlement_date */
	long birth;   /* DAY_NONE when not known */
	bool agreement, reunification, minor_alone, child_relation;
	uint8_t origin;
	long household_settled; /* the household's first settlement (computed) */
	bool counted;           /* a settled person (computed) */
};

struct tally {
	store *st;
	struct ledger *l;
	struct person *p;
	size_t n, cap;
	char *ids; /* household ids, NUL-separated, in secure memory */
	size_t ids_used, ids_cap;
	/* The highest case pick has counted: store_scan hands fn a case once,
	 * but a batch the transaction loop runs again shows pick a case twice. */
	uint64_t picked;
	int rc;
};

static bool in_programme(int status)
{
	return status == STATUS_in_programme || status == STATUS_on_leave ||
	       status == STATUS_stopped;
}

/* Every case is read: a household's members may be settled in other years.
 * The status alone is in the clear. */
static bool pick_all(void *vctx, const struct store_case_head *h)
{
	struct tally *t = vctx;

	if (h->id > t->picked) {
		t->picked = h->id;
		if (in_programme(h->status))
			t->l->in_programme++;
	}
	return true;
}

static const enum field_id wanted[] = {
    F_settled_by_agreement, F_settlement_date, F_settlement_origin, F_family_reunification,
    F_household_id,         F_relation,        F_birth_date,        F_unaccompanied_minor};

static bool is_true(const struct case_rec *c, enum field_id f)
{
	return c->value[f] && strcmp(c->value[f], "true") == 0;
}

static long day_of(const struct case_rec *c, enum field_id f)
{
	return c->value[f] && c->len[f] ? date_days(c->value[f]) : DAY_NONE;
}

static int keep_id(struct tally *t, const char *s, size_t len, size_t *at)
{
	if (t->ids_used + len + 1 > t->ids_cap) {
		size_t cap = t->ids_cap ? 2 * t->ids_cap : 4096;
		while (cap < t->ids_used + len + 1)
			cap *= 2;
		char *grown = keys_secure_alloc(cap);
		if (!grown)
			return st_err(t->st, NOMEM);
		if (t->ids_used)
			memcpy(grown, t->ids, t->ids_used);
		keys_secure_free(t->ids);
		t->ids = grown;
		t->ids_cap = cap;
	}
	memcpy(t->ids + t->ids_used, s, len);
	t->ids[t->ids_used + len] = '\0';
	*at = t->ids_used;
	t->ids_used += len + 1;
	return M_OK;
}

static int tally_one(void *vctx, const struct case_rec *c)
{
	struct tally *t = vctx;

	for (size_t i = 0; i < sizeof wanted / sizeof wanted[0]; i++)
		if (c->locked[wanted[i]]) {
			t->l->unreadable++;
			return 0;
		}
	long settled = day_of(c, F_settlement_date);
	if (settled == DAY_NONE)
		return 0;
	if (t->n == t->cap) {
		size_t cap = t->cap ? 2 * t->cap : 256;
		struct person *grown =
		    st_realloc_wiped(t->p, t->cap * sizeof *grown, cap * sizeof *grown);
		if (!grown)
			return t->rc = st_err(t->st, NOMEM);
		t->p = grown;
		t->cap = cap;
	}
	struct person *p = &t->p[t->n];
	const char *o = c->value[F_settlement_origin];
	int oi = o ? field_choice_find(F_settlement_origin, o, strlen(o)) : -1;
	*p = (struct person){
	    .hid = SIZE_MAX,
	    .settled = settled,
	    .birth = day_of(c, F_birth_date),
	    .agreement = is_true(c, F_settled_by_agreement),
	    .reunification = is_true(c, F_family_reunification),
	    .minor_alone = is_true(c, F_unaccompanied_minor),
	    .child_relation = c->value[F_relation] && strcmp(c->value[F_relation], "child") == 0,
	    .origin = oi >= 0 && oi < LO_UNKNOWN ? (uint8_t)oi : LO_UNKNOWN,
	};
	if (c->value[F_household_id] && c->len[F_household_id] &&
	    (t->rc = keep_id(t, c->value[F_household_id], c->len[F_household_id], &p->hid)))
		return t->rc;
	t->n++;
	return 0;
}

static int year_of(long day)
{
	char iso[11];

	date_iso(day, iso);
	return (int)strtol(iso, NULL, 10);
}

static int month_of(long day)
{
	char iso[11];

	date_iso(day, iso);
	return (int)strtol(iso + 5, NULL, 10);
}

static const char *sort_ids; /* qsort has no context: set around the one call */

static int by_household(const void *a, const void *b)
{
	const struct person *x = a, *y = b;

	if (x->hid == SIZE_MAX || y->hid == SIZE_MAX)
		return (x->hid == SIZE_MAX) - (y->hid == SIZE_MAX);
	return strcmp(sort_ids + x->hid, sort_ids + y->hid);
}

static bool same_household(const struct tally *t, const struct person *x, const struct person *y)
{
	return x->hid != SIZE_MAX && y->hid != SIZE_MAX &&
	       strcmp(t->ids + x->hid, t->ids + y->hid) == 0;
}

/* A child at settlement: the relation says so, or under 18 on the day. */
static bool child_at_settlement(const struct person *p)
{
	return p->child_relation ||
	       (p->birth != DAY_NONE && date_add_months(p->birth, 18L * 12) > p->settled);
}

/* The household rule (docs/ledger.md): a household is the people settled
 * by agreement who share a household id; its settlement is its first
 * member's; one born after it is not a settled person. */
static int count(struct tally *t, int year)
{
	struct ledger *l = t->l;
	struct person *order = t->p;

	if (!t->n)
		return M_OK;
	sort_ids = t->ids;
	qsort(order, t->n, sizeof order[0], by_household);
	sort_ids = NULL;
	for (size_t i = 0, j; i < t->n; i = j) {
		for (j = i + 1; j < t->n && same_household(t, &order[i], &order[j]); j++)
			;
		long first = DAY_NONE;
		for (size_t k = i; k < j; k++)
			if (order[k].agreement && !order[k].reunification &&
			    (first == DAY_NONE || order[k].settled < first))
				first = order[k].settled;
		/* Who of the household are settled people (any year), and whether
		 * a child is among those not alone. */
		size_t members = 0;
		bool children = false;
		for (size_t k = i; k < j; k++) {
			struct person *p = &order[k];
			p->household_settled = first;
			p->counted =
			    p->agreement && !p->reunification &&
			    !(p->birth != DAY_NONE && first != DAY_NONE && p->birth > first) &&
			    !(p->birth != DAY_NONE && p->birth > p->settled);
			if (!p->counted || p->minor_alone)
				continue;
			members++;
			children |= child_at_settlement(p);
		}
		for (size_t k = i; k < j; k++) {
			struct person *p = &order[k];
			if (year_of(p->settled) != year)
				continue;
			int m = month_of(p->settled) - 1;
			if (p->reunification) {
				l->family_reunification++;
				l->fr_by_month[m]++;
				continue;
			}
			if (!p->counted)
				continue;
			l->settled++;
			l->by_month[m]++;
			l->by_origin[p->origin]++;
			if (p->minor_alone) {
				l->unaccompanied_minors++;
				l->by_household[LH_UNACCOMPANIED_MINOR]++;
			} else if (children) {
				l->by_household[LH_FAMILY_CHILDREN]++;
			} else if (members >= 2) {
				l->by_household[LH_FAMILY_NO_CHILDREN]++;
			} else {
				l->by_household[LH_SINGLE_ADULT]++;
			}
		}
	}
	return M_OK;
}

void ledger_free(struct ledger *l)
{
	if (!l)
		return;
	free(l->history);
	memset(l, 0, sizeof *l);
}

int store_ledger(store *st, int year, struct ledger *out)
{
	struct tally t = {.st = st, .l = out};
	bool want[F_COUNT] = {0};
	struct store_scan sc = {.want = want, .pick = pick_all, .fn = tally_one, .ctx = &t};
	int rc;

	memset(out, 0, sizeof *out);
	out->year = year;
	out->requested = out->minors_requested = out->decided = -1;
	out->answer_by = DAY_NONE;
	if ((rc = store_targets(st, year, &out->history, &out->nhistory)))
		return rc;
	if (out->nhistory) {
		const struct target *last = &out->history[out->nhistory - 1];
		out->requested = last->requested;
		out->minors_requested = last->minors;
		out->decided = last->decided;
		out->answer_by = last->answer_by;
	}
	for (size_t i = 0; i < sizeof wanted / sizeof wanted[0]; i++)
		want[wanted[i]] = true;
	rc = store_scan(st, &sc);
	if (rc == M_OK)
		rc = t.rc;
	out->unreadable += sc.broken;
	if (rc == M_OK)
		rc = count(&t, year);
	if (t.p)
		keys_wipe(t.p, t.cap * sizeof *t.p);
	st_free_wiped(t.p, t.cap * sizeof *t.p);
	keys_secure_free(t.ids);
	if (rc)
		ledger_free(out);
	return rc;
}
