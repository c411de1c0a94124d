/* audit.c: the audit log.
 *
 * Table audit: u64 seq (from 1) -> entry
 *   u8 format (1) | u8 kind | i64 time | prev[32] | body
 *   kind SESSION: u32 audit epoch | session key sealed to that epoch's public key |
 *                 u32 record epoch | record-class MAC of all before it (seq as record)
 *   kind EVENT:   u64 its session's seq | nonce | AEAD(details) | tag
 * prev is the hash of the entry before (keys_hash2 of its key and value; the
 * first entry's is the genesis hash of the store id). meta "audit_head"
 * holds the last seq and its hash; every append also sends it to syslog, so
 * that a tail cut off together with the head in meta still shows.
 *
 * Who looked at whose case is personal data, so everything but the time and
 * the chain is sealed to the audit class: every user writes entries, only
 * leads and administrators read them. A session (a process's run) seals one
 * random key to the class's public key (published in meta "audit\0pk" under
 * the record class by the first holder who logs in, keys/audit.c) and
 * encrypts its entries under it, so that a reader does one public-key
 * operation per session, not per entry.
 *
 * Anyone can seal to a public key, so a session's first entry also carries
 * a MAC under the record class, which every logged-in user holds and a
 * writer of the bare file does not: entries of a session without it (a
 * failed login has no keys: record epoch NO_RECORD) may only be failed
 * logins, and only a MACed session's changes and prunes count in check.
 *
 * The details of an event, padded to a multiple of 64 bytes:
 *   u8 action | u64 case | u32 version | u32 classes | digest[16] |
 *   u8 n user | u8 n purpose | u8 n detail | u8 n caseworker | the four strings
 * The caseworker is the case's when the entry was written (after a change:
 * as it left it), so that the review of accesses outside a caseload needs
 * no guess about hand-overs.
 * The digest is of the case's stored header (with its MAC) after a change:
 * mappe check compares each case with the last entry about it. */
#include "store/private.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

enum { ENTRY_FORMAT = 1, KIND_SESSION = 1, KIND_EVENT = 2 };
#define NO_RECORD UINT32_MAX
enum {
	E_HEAD = 2 + 8 + KEYS_HASH_BYTES, /* format, kind, time, prev */
	SESSION_SIGNED = E_HEAD + 4 + KEYS_AUDIT_SEALED_BYTES + 4, /* what the MAC covers */
	SESSION_BYTES = SESSION_SIGNED + KEYS_MAC_BYTES,
	EVENT_FIXED = 1 + 8 + 4 + 4 + 16 + 4,
	DETAIL_PAD = 64,
	DETAIL_MAX = EVENT_FIXED + 4 * 255 + DETAIL_PAD,
	EVENT_MAX = E_HEAD + 8 + KEYS_AUDIT_NONCE_BYTES + DETAIL_MAX + KEYS_AUDIT_TAG_BYTES,
	SESSION_CACHE = 16,
	READ_BATCH = 256,
};
#define PK_KEY "audit\0pk"
#define PK_KEYLEN 8
#define HEAD_KEY "audit_head"
#define HEAD_KEYLEN 10
/* After a prune: u64 seq | hash[32], the last entry removed; the kept chain
 * starts after it. A PRUNE entry in the chain names the same (check). */
#define BASE_KEY "audit_base"
#define BASE_KEYLEN 10

/* ---- actions ------------------------------------------------------------ */

static const struct {
	int num;
	const char *name;
} actions[] = {
#define AUDIT_ACTION_ROW(name, num, str) {num, str},
    AUDIT_ACTIONS(AUDIT_ACTION_ROW)
#undef AUDIT_ACTION_ROW
};

const char *audit_action_name(enum audit_action a)
{
	for (size_t i = 0; i < sizeof actions / sizeof actions[0]; i++)
		if (actions[i].num == (int)a)
			return actions[i].name;
	return "?";
}

int audit_action_parse(const char *s)
{
	for (size_t i = 0; i < sizeof actions / sizeof actions[0]; i++)
		if (strcmp(actions[i].name, s) == 0)
			return actions[i].num;
	return -1;
}

void store_audit_purpose(store *st, const char *purpose)
{
	snprintf(st->purpose, sizeof st->purpose, "%s", purpose ? purpose : "");
}

/* ---- the chain ---------------------------------------------------------- */

static void genesis(const store *st, uint8_t out[KEYS_HASH_BYTES])
{
	keys_hash2(out, "mappe audit genesis", 19, st->store_id, sizeof st->store_id);
}

static void link_hash(const uint8_t key[8], const void *v, size_t n, uint8_t out[KEYS_HASH_BYTES])
{
	keys_hash2(out, key, 8, v, n);
}

/* A seq and hash in meta (the head, or a prune's base); absent: the
 * genesis, before the first entry. */
static int mark_read(store *st, MDB_txn *txn, const char *key, size_t klen, const char *bad,
                     struct audit_head *h)
{
	MDB_val v;
	int rc = st_get(st, txn, DB_META, key, klen, &v);

	if (rc == -1) {
		h->seq = 0;
		genesis(st, h->hash);
		return M_OK;
	}
	if (rc)
		return rc;
	if (v.mv_size != 8 + KEYS_HASH_BYTES)
		return st_err(st, AUDIT_BREAK, .n = 0, .why = bad);
	h->seq = rd64(v.mv_data);
	memcpy(h->hash, (const uint8_t *)v.mv_data + 8, KEYS_HASH_BYTES);
	return M_OK;
}

static int head_read(store *st, MDB_txn *txn, struct audit_head *h)
{
	return mark_read(st, txn, HEAD_KEY, HEAD_KEYLEN, N_("the head in meta is malformed"), h);
}

/* Where the kept chain starts: after the base of the last prune, or at the
 * genesis hash. */
static int base_read(store *st, MDB_txn *txn, struct audit_head *b)
{
	return mark_read(st, txn, BASE_KEY, BASE_KEYLEN, N_("the base in meta is malformed"), b);
}

/* The system log's copy of the head: a datagram to syslog (LOG_AUTHPRIV),
 * never waiting. MAPPE_AUDIT_SYSLOG names another socket for the tests
 * (secure_getenv: not under setgid). */
void store_id_hex(const store *st, char out[33])
{
	for (int i = 0; i < KEYS_STORE_ID_BYTES; i++)
		snprintf(out + (size_t)2 * i, 3, "%02x", st->store_id[i]);
}

static void send_head(const store *st, const struct audit_head *h)
{
	const char *path = secure_getenv("MAPPE_AUDIT_SYSLOG");
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	char msg[256], hex[2 * KEYS_HASH_BYTES + 1], id[33];
	int fd, n;

	if (!path || !*path)
		path = "/dev/log";
	if (strlen(path) >= sizeof sa.sun_path)
		return;
	memcpy(sa.sun_path, path, strlen(path) + 1);
	for (int i = 0; i < KEYS_HASH_BYTES; i++)
		snprintf(hex + (size_t)2 * i, 3, "%02x", h->hash[i]);
	store_id_hex(st, id);
	/* <86>: LOG_AUTHPRIV | LOG_INFO; the head is no secret, and says nothing
	 * of who did what. */
	n = snprintf(msg, sizeof msg, "<86>mappe[%ld]: audit head %llu %s store %s", (long)getpid(),
	             (unsigned long long)h->seq, hex, id);
	fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd < 0)
		return;
	(void)sendto(fd, msg, (size_t)n, MSG_DONTWAIT | MSG_NOSIGNAL, (struct sockaddr *)&sa,
	             sizeof sa);
	close(fd);
}

static void audit_after(store *st, bool committed)
{
	struct st_audit *a = &st->audit;

	if (!committed) {
		/* The session entry went with the transaction: the next entry
		 * starts a new one. */
		if (a->pending)
			a->session = 0;
	} else if (a->head_new) {
		struct audit_head h = {.seq = a->head_seq};
		memcpy(h.hash, a->head_hash, sizeof h.hash);
		send_head(st, &h);
	}
	a->pending = false;
	a->head_new = false;
}

static int append(store *st, MDB_txn *txn, const uint8_t *v, size_t n, uint64_t *seq)
{
	struct audit_head h = {0};
	uint8_t k[8];
	int rc;

	if ((rc = head_read(st, txn, &h)))
		return rc;
	be64(k, h.seq + 1);
	memcpy((uint8_t *)v + 10, h.hash, KEYS_HASH_BYTES);
	MDB_val key = {8, k}, val = {n, (void *)v};
	/* Appended, never put over: an entry at or past the head is planted. */
	rc = mdb_put(txn, st->dbi[DB_AUDIT], &key, &val, MDB_APPEND);
	if (rc == MDB_KEYEXIST)
		return st_err(st, AUDIT_BREAK, .n = h.seq + 1,
		              .why = N_("an entry beyond the head in meta"));
	if (rc)
		return st_mdb(st, rc, "audit");
	h.seq++;
	link_hash(k, v, n, h.hash);
	uint8_t hv[8 + KEYS_HASH_BYTES];
	be64(hv, h.seq);
	memcpy(hv + 8, h.hash, KEYS_HASH_BYTES);
	if ((rc = st_put(st, txn, DB_META, HEAD_KEY, HEAD_KEYLEN, hv, sizeof hv, 0)))
		return rc;
	st->audit.head_seq = h.seq;
	memcpy(st->audit.head_hash, h.hash, sizeof h.hash);
	st->audit.head_new = true;
	st->after_write = audit_after;
	*seq = h.seq;
	return M_OK;
}

static void entry_head(uint8_t *v, int kind)
{
	v[0] = ENTRY_FORMAT;
	v[1] = (uint8_t)kind;
	be64(v + 2, (uint64_t)st_now());
	/* prev: append's */
}

/* ---- the class's public key ------------------------------------------------ */

static bool holds_audit(const store *st, uint32_t epoch)
{
	return st->kr && keyring_has(st->kr, KC_AUDIT, epoch);
}

/* The public key entries are sealed to. A holder of the active epoch
 * publishes it when meta has none or an older one (after a rotation). */
static int public_key(store *st, MDB_txn *txn, uint32_t *epoch, uint8_t pk[KEYS_PK_BYTES])
{
	MDB_val k = {PK_KEYLEN, PK_KEY}, v;
	const uint8_t *body;
	size_t blen;
	int rc = st_get(st, txn, DB_META, PK_KEY, PK_KEYLEN, &v);
	bool have = false;

	if (rc && rc != -1)
		return rc;
	if (rc == M_OK) {
		rc = st->kr ? st_sealed_open(st, &k, &v, &body, &blen)
		            : st_sealed_unchecked(&v, &body, &blen);
		if (rc != M_OK || blen != 4 + KEYS_PK_BYTES)
			return st_err(st, AUDIT_BREAK, .n = 0,
			              .why = N_("the audit class's public key does not authenticate"));
		*epoch = rd32(body);
		memcpy(pk, body + 4, KEYS_PK_BYTES);
		have = true;
	}
	/* The active epoch as committed (epochs table: u32 active | u32 floor),
	 * read here rather than through st_load_epochs, which the users' code
	 * that logs logins is built on. */
	uint8_t ck = KC_AUDIT;
	MDB_val ev;
	if ((rc = st_get(st, txn, DB_EPOCHS, &ck, 1, &ev)) || ev.mv_size != 8)
		return rc && rc != -1 ? rc : st_err(st, EPOCH_MISSING, .cls = KC_AUDIT);
	uint32_t active = rd32(ev.mv_data);
	if ((!have || *epoch != active) && holds_audit(st, active)) {
		uint8_t b[4 + KEYS_PK_BYTES];
		be32(b, active);
		if (keys_audit_pk(st->kr, active, b + 4) != KEYS_OK)
			return st_err(st, NOMEM);
		if ((rc = st_sealed_put(st, txn, PK_KEY, PK_KEYLEN, b, sizeof b)))
			return rc;
		*epoch = active;
		memcpy(pk, b + 4, KEYS_PK_BYTES);
		return M_OK;
	}
	return have ? M_OK : st_err(st, AUDIT_NO_KEY);
}

int st_audit_publish(store *st, MDB_txn *txn)
{
	uint32_t epoch = 0;
	uint8_t pk[KEYS_PK_BYTES];
	int rc = public_key(st, txn, &epoch, pk);

	/* Nobody has logged in with the key yet: the first holder publishes. */
	if (rc && st->fault.code == E_AUDIT_NO_KEY) {
		st_fault_clear(st);
		return M_OK;
	}
	return rc;
}

static int active_epoch(store *st, MDB_txn *txn, enum key_class c, uint32_t *out)
{
	uint8_t ck = (uint8_t)c;
	MDB_val ev;
	int rc = st_get(st, txn, DB_EPOCHS, &ck, 1, &ev);

	if (rc || ev.mv_size != 8)
		return rc && rc != -1 ? rc : st_err(st, EPOCH_MISSING, .cls = c);
	*out = rd32(ev.mv_data);
	return M_OK;
}

static int session(store *st, MDB_txn *txn)
{
	struct st_audit *a = &st->audit;
	uint8_t pk[KEYS_PK_BYTES], v[SESSION_BYTES];
	uint32_t epoch = 0, rec = NO_RECORD;
	int rc;

	if ((rc = public_key(st, txn, &epoch, pk)))
		return rc;
	if (st->kr && (rc = active_epoch(st, txn, KC_RECORD, &rec)))
		return rc;
	if (st->kr && !keyring_has(st->kr, KC_RECORD, rec))
		return st_err(st, NO_RECORD_KEY);
	/* A prune may have removed this session's first entry, if it began
	 * before the prune's date and had written nothing since: start anew.
	 * So after a rotation of the record class, whose older epoch goes:
	 * the MAC must stay checkable. Without keys (a failed login) any
	 * session of this process will do. */
	if (a->session && a->epoch == epoch && (!st->kr || a->rec_epoch == rec)) {
		uint8_t k[8];
		MDB_val first;
		be64(k, a->session);
		if ((rc = st_get(st, txn, DB_AUDIT, k, 8, &first)) == M_OK)
			return M_OK;
		if (rc != -1)
			return rc;
	}
	entry_head(v, KIND_SESSION);
	be32(v + E_HEAD, epoch);
	if (keys_audit_session(pk, a->key, v + E_HEAD + 4) != KEYS_OK)
		return st_err(st, NOMEM);
	be32(v + SESSION_SIGNED - 4, rec);
	memset(v + SESSION_SIGNED, 0, KEYS_MAC_BYTES);
	if (rec != NO_RECORD) {
		struct audit_head h = {0};
		if ((rc = head_read(st, txn, &h)))
			return rc;
		memcpy(v + 10, h.hash, KEYS_HASH_BYTES); /* as append puts it */
		if (keys_header_mac(st->kr, rec, h.seq + 1, v, SESSION_SIGNED, v + SESSION_SIGNED))
			return st_err(st, NO_RECORD_KEY);
	}
	if ((rc = append(st, txn, v, sizeof v, &a->session)))
		return rc;
	a->epoch = epoch;
	a->rec_epoch = rec;
	a->pending = true;
	return M_OK;
}

static int audit_state(store *st)
{
	if (!st->audit.key && !(st->audit.key = keys_secure_alloc(KEYS_AUDIT_KEY_BYTES)))
		return st_err(st, NOMEM);
	return M_OK;
}

/* ---- writing ------------------------------------------------------------ */

struct detail {
	enum audit_action action;
	uint64_t case_id;
	uint32_t version;
	key_classes classes;
	uint8_t digest[16];
	const char *user, *purpose, *detail, *caseworker;
};

static size_t put_str(uint8_t *lenp, uint8_t *p, const char *s, size_t max)
{
	size_t n = s ? strnlen(s, max) : 0;

	*lenp = (uint8_t)n;
	memcpy(p, s ? s : "", n);
	return n;
}

static size_t detail_encode(const struct detail *d, uint8_t *b)
{
	size_t n = EVENT_FIXED;

	memset(b, 0, DETAIL_MAX);
	b[0] = (uint8_t)d->action;
	be64(b + 1, d->case_id);
	be32(b + 9, d->version);
	be32(b + 13, d->classes);
	memcpy(b + 17, d->digest, 16);
	n += put_str(b + 33, b + n, d->user, 63);
	n += put_str(b + 34, b + n, d->purpose, 63);
	n += put_str(b + 35, b + n, d->detail, 95);
	n += put_str(b + 36, b + n, d->caseworker, 63);
	return (n + DETAIL_PAD - 1) / DETAIL_PAD * DETAIL_PAD;
}

static int event(store *st, MDB_txn *txn, const struct detail *d)
{
	struct st_audit *a;
	uint8_t v[EVENT_MAX], pt[DETAIL_MAX], ad[8 + E_HEAD + 8];
	size_t n;
	uint64_t seq;
	int rc;

	if ((rc = audit_state(st)))
		return rc;
	a = &st->audit;
	if ((rc = session(st, txn)))
		return rc;
	n = detail_encode(d, pt);
	entry_head(v, KIND_EVENT);
	/* The head's prev is filled in by append, so the AD is built there:
	 * read it here first, the same way, within this transaction. */
	struct audit_head h = {0};
	if ((rc = head_read(st, txn, &h)))
		goto out;
	memcpy(v + 10, h.hash, KEYS_HASH_BYTES);
	be64(v + E_HEAD, a->session);
	be64(ad, h.seq + 1);
	memcpy(ad + 8, v, E_HEAD + 8);
	if (keys_audit_seal(a->key, ad, sizeof ad, pt, n, v + E_HEAD + 8) != KEYS_OK) {
		rc = st_err(st, NOMEM);
		goto out;
	}
	rc = append(st, txn, v, E_HEAD + 8 + KEYS_AUDIT_NONCE_BYTES + n + KEYS_AUDIT_TAG_BYTES,
	            &seq);
out:
	keys_wipe(pt, sizeof pt);
	return rc;
}

static const char *purpose_of(const store *st, const struct audit_event *ev)
{
	return ev->purpose ? ev->purpose : st->purpose[0] ? st->purpose : "mappe";
}

/* The version and caseworker of a case as it is now in this transaction
 * (from its clear header; 0 and "" if it has none). */
static uint32_t case_now(store *st, MDB_txn *txn, uint64_t id, char cw[64])
{
	uint8_t k[8];
	MDB_val v;

	cw[0] = 0;
	be64(k, id);
	if (!id || st_get(st, txn, DB_CASES, k, 8, &v) != M_OK)
		return 0;
	st_hdr_caseworker_raw(v.mv_data, v.mv_size, cw, 64);
	return st_hdr_version_raw(v.mv_data, v.mv_size);
}

int st_audit(store *st, MDB_txn *txn, const struct audit_event *ev)
{
	char cw[64];
	struct detail d = {.action = ev->action,
	                   .case_id = ev->case_id,
	                   .version = case_now(st, txn, ev->case_id, cw),
	                   .classes = ev->classes,
	                   .user = st->user,
	                   .purpose = purpose_of(st, ev),
	                   .detail = ev->detail,
	                   .caseworker = cw};

	return event(st, txn, &d);
}

int st_audit_case(store *st, MDB_txn *txn, uint64_t id, uint32_t version, bool created,
                  const void *hdr, size_t len)
{
	uint8_t full[KEYS_HASH_BYTES];
	char cw[64];
	struct detail d = {.action = st->write_action ? st->write_action
	                             : created        ? AUDIT_CREATE
	                                              : AUDIT_CHANGE,
	                   .case_id = id,
	                   .version = version,
	                   .classes = st->written,
	                   .user = st->user,
	                   .purpose = st->purpose[0] ? st->purpose : "mappe"};

	keys_hash2(full, "mappe header", 12, hdr, len);
	memcpy(d.digest, full, sizeof d.digest);
	st_hdr_caseworker_raw(hdr, len, cw, sizeof cw);
	d.caseworker = cw;
	st->written = 0;
	return event(st, txn, &d);
}

int st_audit_login_failed(store *st, MDB_txn *txn, const char *name)
{
	struct detail d = {.action = AUDIT_UNLOCK_FAILED,
	                   .user = store_user_name_valid(name) ? name : "?",
	                   .purpose = st->purpose[0] ? st->purpose : "login"};

	return event(st, txn, &d);
}

static int audit_txn(store *st, MDB_txn *txn, void *ctx)
{
	int rc = st_load_epochs(st, txn);

	return rc ? rc : st_audit(st, txn, ctx);
}

int store_audit(store *st, const struct audit_event *ev)
{
	return st_txn(st, true, audit_txn, (void *)ev);
}

struct audit_batch {
	const struct audit_event *ev;
	size_t n;
};

static int audit_batch_txn(store *st, MDB_txn *txn, void *vctx)
{
	const struct audit_batch *b = vctx;
	int rc = st_load_epochs(st, txn);

	for (size_t i = 0; rc == M_OK && i < b->n; i++)
		rc = st_audit(st, txn, &b->ev[i]);
	return rc;
}

int store_audit_batch(store *st, const struct audit_event *ev, size_t n)
{
	struct audit_batch b = {ev, n};

	return n ? st_txn(st, true, audit_batch_txn, &b) : M_OK;
}

struct audited {
	txn_fn fn;
	void *ctx;
	const struct audit_event *ev;
};

static int audited_txn(store *st, MDB_txn *txn, void *vctx)
{
	struct audited *a = vctx;
	int rc = a->fn(st, txn, a->ctx);

	return rc ? rc : st_audit(st, txn, a->ev);
}

int st_txn_audited(store *st, txn_fn fn, void *ctx, const struct audit_event *ev)
{
	struct audited a = {fn, ctx, ev};

	return st_txn(st, true, audited_txn, &a);
}

/* ---- reading ------------------------------------------------------------ */

struct cached_session {
	uint64_t seq;
	uint8_t *key; /* NULL: did not open */
	int authentic; /* struct audit_entry's */
	bool forged;   /* its MAC fails under an epoch this user holds */
};

struct reader {
	const struct audit_filter *f;
	struct cached_session cache[SESSION_CACHE];
	unsigned next_slot;
	uint64_t from;       /* the next seq to read */
	bool done;
	struct audit_entry *batch; /* secure */
	size_t n;
	uint8_t *pt;               /* secure, DETAIL_MAX */
};

/* Whether a session's first entry is a logged-in user's: its MAC under the
 * record epoch it names (struct audit_entry's authentic; forged: a MAC that
 * fails under an epoch this user holds). */
static int session_authentic(store *st, uint64_t seq, const uint8_t *b, bool *forged)
{
	uint32_t rec = rd32(b + SESSION_SIGNED - 4);

	*forged = false;
	if (rec == NO_RECORD)
		return 0;
	if (!keyring_has(st->kr, KC_RECORD, rec))
		return -1;
	if (keys_header_verify(st->kr, rec, seq, b, SESSION_SIGNED, b + SESSION_SIGNED) ==
	    KEYS_OK)
		return 1;
	*forged = true;
	return 0;
}

static const struct cached_session *session_of(store *st, MDB_txn *txn, struct reader *r,
                                               uint64_t seq)
{
	struct cached_session *c;
	uint8_t k[8];
	MDB_val v;

	for (unsigned i = 0; i < SESSION_CACHE; i++)
		if (r->cache[i].seq == seq)
			return &r->cache[i];
	c = &r->cache[r->next_slot++ % SESSION_CACHE];
	c->seq = seq;
	c->authentic = 0;
	c->forged = false;
	if (!c->key && !(c->key = keys_secure_alloc(KEYS_AUDIT_KEY_BYTES)))
		return c;
	be64(k, seq);
	if (st_get(st, txn, DB_AUDIT, k, 8, &v) != M_OK || v.mv_size != SESSION_BYTES ||
	    ((const uint8_t *)v.mv_data)[1] != KIND_SESSION ||
	    keys_audit_session_open(st->kr, rd32((const uint8_t *)v.mv_data + E_HEAD),
	                            (const uint8_t *)v.mv_data + E_HEAD + 4, c->key) != KEYS_OK) {
		keys_secure_free(c->key);
		c->key = NULL;
		return c;
	}
	c->authentic = session_authentic(st, seq, v.mv_data, &c->forged);
	return c;
}

static void get_str(char *dst, size_t cap, const uint8_t *p, size_t n)
{
	if (n >= cap)
		n = cap - 1;
	memcpy(dst, p, n);
	dst[n] = 0;
}

static int decode(store *st, MDB_txn *txn, struct reader *r, uint64_t seq, const uint8_t *v,
                  size_t n, struct audit_entry *e)
{
	const uint8_t *key;
	uint8_t ad[8 + E_HEAD + 8];
	size_t clen = n - E_HEAD - 8, plen;

	memset(e, 0, sizeof *e);
	e->seq = seq;
	e->time = (int64_t)rd64(v + 2);
	if (n < E_HEAD + 8 + KEYS_AUDIT_NONCE_BYTES + EVENT_FIXED + KEYS_AUDIT_TAG_BYTES ||
	    clen - KEYS_AUDIT_NONCE_BYTES - KEYS_AUDIT_TAG_BYTES > DETAIL_MAX)
		return st_err(st, AUDIT_FORGED, .n = seq);
	const struct cached_session *cs = session_of(st, txn, r, rd64(v + E_HEAD));
	if (cs->forged)
		return st_err(st, AUDIT_FORGED, .n = cs->seq);
	key = cs->key;
	e->authentic = cs->authentic;
	if (!key) {
		/* A session sealed to an epoch this user does not hold. */
		e->opened = false;
		return M_OK;
	}
	be64(ad, seq);
	memcpy(ad + 8, v, E_HEAD + 8);
	if (keys_audit_open(key, ad, sizeof ad, v + E_HEAD + 8, clen, r->pt) != KEYS_OK)
		return st_err(st, AUDIT_FORGED, .n = seq);
	plen = clen - KEYS_AUDIT_NONCE_BYTES - KEYS_AUDIT_TAG_BYTES;
	const uint8_t *p = r->pt;
	size_t ul = p[33], pl = p[34], dl = p[35], cl = p[36];
	if (EVENT_FIXED + ul + pl + dl + cl > plen)
		return st_err(st, AUDIT_FORGED, .n = seq);
	e->action = p[0];
	e->case_id = rd64(p + 1);
	e->version = rd32(p + 9);
	e->classes = rd32(p + 13);
	memcpy(e->header, p + 17, sizeof e->header);
	get_str(e->user, sizeof e->user, p + EVENT_FIXED, ul);
	get_str(e->purpose, sizeof e->purpose, p + EVENT_FIXED + ul, pl);
	get_str(e->detail, sizeof e->detail, p + EVENT_FIXED + ul + pl, dl);
	get_str(e->caseworker, sizeof e->caseworker, p + EVENT_FIXED + ul + pl + dl, cl);
	e->opened = true;
	keys_wipe(r->pt, plen);
	return M_OK;
}

static bool wanted(const struct audit_filter *f, const struct audit_entry *e)
{
	if (!f)
		return true;
	if (f->case_id && e->case_id != f->case_id)
		return false;
	if (f->action >= 0 && (int)e->action != f->action)
		return false;
	if (f->user && *f->user && strcmp(f->user, e->user) != 0)
		return false;
	return true;
}

static int read_txn(store *st, MDB_txn *txn, void *vctx)
{
	struct reader *r = vctx;
	MDB_cursor *cur;
	uint8_t k[8];
	MDB_val key = {8, k}, v;
	int rc;

	r->n = 0;
	if (r->from == 1) {
		/* Entries at or below a prune's base are going: not read. */
		struct audit_head b = {0};
		if ((rc = base_read(st, txn, &b)))
			return rc;
		r->from = b.seq + 1;
	}
	if ((rc = mdb_cursor_open(txn, st->dbi[DB_AUDIT], &cur)))
		return st_mdb(st, rc, "audit");
	be64(k, r->from);
	for (rc = mdb_cursor_get(cur, &key, &v, MDB_SET_RANGE); rc == 0 && r->n < READ_BATCH;
	     rc = mdb_cursor_get(cur, &key, &v, MDB_NEXT)) {
		const uint8_t *b = v.mv_data;
		uint64_t seq = rd64(key.mv_data);

		r->from = seq + 1;
		if (key.mv_size != 8 || v.mv_size < E_HEAD || b[0] != ENTRY_FORMAT) {
			rc = st_err(st, AUDIT_FORGED, .n = seq);
			goto out;
		}
		if (b[1] == KIND_SESSION)
			continue;
		int64_t t = (int64_t)rd64(b + 2);
		if (r->f && ((r->f->since && t < r->f->since) || (r->f->until && t >= r->f->until)))
			continue;
		struct audit_entry *e = &r->batch[r->n];
		if ((rc = decode(st, txn, r, seq, b, v.mv_size, e)))
			goto out;
		if (wanted(r->f, e))
			r->n++;
	}
	if (rc == MDB_NOTFOUND)
		r->done = true;
	rc = M_OK;
out:
	mdb_cursor_close(cur);
	return rc;
}

int store_audit_each(store *st, const struct audit_filter *f, audit_fn fn, void *ctx)
{
	struct reader r = {.f = f, .from = 1};
	int rc = M_OK;

	if (!st->kr)
		return st_err(st, NOT_UNLOCKED);
	if (st->role != ROLE_LEAD && st->role != ROLE_ADMIN)
		return st_err(st, AUDIT_LEADS);
	r.batch = keys_secure_alloc(READ_BATCH * sizeof *r.batch);
	r.pt = keys_secure_alloc(DETAIL_MAX);
	if (!r.batch || !r.pt) {
		rc = st_err(st, NOMEM);
		goto out;
	}
	while (rc == M_OK && !r.done) {
		if ((rc = st_txn(st, false, read_txn, &r)))
			break;
		for (size_t i = 0; rc == M_OK && i < r.n; i++)
			rc = fn(ctx, &r.batch[i]);
	}
out:
	for (unsigned i = 0; i < SESSION_CACHE; i++)
		keys_secure_free(r.cache[i].key);
	keys_secure_free(r.batch);
	keys_secure_free(r.pt);
	return rc;
}

/* ---- cases against the log (mappe check) ---------------------------------- */

struct logged {
	uint64_t seq; /* the last entry that wrote the case; 0 none */
	uint32_t version;
	uint8_t header[16];
};

struct case_check {
	struct reader r;
	char pruned[96]; /* the last PRUNE entry's detail */
	struct logged *by_id; /* indexed by case id */
	uint64_t cap;
	void (*report)(void *, uint64_t, const struct store_fault *);
	void *rctx;
	bool (*found)(void *, uint64_t);
	void *fctx;
	size_t broken;
};

static bool writes_case(enum audit_action a)
{
	return a == AUDIT_CREATE || a == AUDIT_CHANGE || a == AUDIT_NOTE || a == AUDIT_REWRITE;
}

static void flag(store *st, struct case_check *cc, const struct st_fault_args *a)
{
	struct store_fault f;

	if (cc->found && cc->found(cc->fctx, a->record))
		return;
	st_fault_set(&f, a, st->dir);
	cc->report(cc->rctx, a->record, &f);
	cc->broken++;
}

static int note_write(store *st, struct case_check *cc, const struct audit_entry *e)
{
	/* A session without a MAC may hold failed logins only; an entry an
	 * administrator cannot open is no entry mappe wrote (the audit class
	 * keeps its epochs). Only a MACed session's acts count below. */
	if (e->opened && e->authentic == 0 && e->action != AUDIT_UNLOCK_FAILED)
		flag(st, cc, &(const struct st_fault_args){.code = E_AUDIT_SESSION_UNSIGNED, .n = e->seq});
	else if (!e->opened && st->role == ROLE_ADMIN)
		flag(st, cc, &(const struct st_fault_args){.code = E_AUDIT_FORGED, .n = e->seq});
	if (e->authentic != 1)
		return M_OK;
	if (e->opened && e->action == AUDIT_PRUNE)
		snprintf(cc->pruned, sizeof cc->pruned, "%s", e->detail);
	if (!e->opened || !writes_case(e->action) || !e->case_id)
		return M_OK;
	if (e->case_id >= cc->cap) {
		uint64_t cap = cc->cap ? cc->cap : 1024;
		while (cap <= e->case_id)
			cap *= 2;
		if (cap > (1ull << 32))
			return st_err(st, AUDIT_FORGED, .n = e->seq);
		struct logged *p = realloc(cc->by_id, cap * sizeof *p);
		if (!p)
			return st_err(st, NOMEM);
		memset(p + cc->cap, 0, (cap - cc->cap) * sizeof *p);
		cc->by_id = p;
		cc->cap = cap;
	}
	struct logged *l = &cc->by_id[e->case_id];
	l->seq = e->seq;
	l->version = e->version;
	memcpy(l->header, e->header, sizeof l->header);
	return M_OK;
}

/* One read transaction for the log and the cases together, so that a save
 * committed meanwhile is seen on both sides or neither. */
static int case_check_txn(store *st, MDB_txn *txn, void *vctx)
{
	struct case_check *cc = vctx;
	int rc;

	cc->r.from = 1;
	cc->r.done = false;
	cc->pruned[0] = 0;
	if (cc->cap)
		memset(cc->by_id, 0, cc->cap * sizeof *cc->by_id);
	while (!cc->r.done) {
		if ((rc = read_txn(st, txn, &cc->r)))
			return rc;
		for (size_t i = 0; i < cc->r.n; i++)
			if ((rc = note_write(st, cc, &cc->r.batch[i])))
				return rc;
	}
	/* A base in meta is only what the last prune wrote, sealed in its
	 * entry: anything else is the chain's start cut off. */
	struct audit_head base = {0};
	if ((rc = base_read(st, txn, &base)))
		return rc;
	if (base.seq) {
		char want[64], hex[17];
		for (int i = 0; i < 8; i++)
			snprintf(hex + (size_t)2 * i, 3, "%02x", base.hash[i]);
		snprintf(want, sizeof want, "base %llu %s;", (unsigned long long)base.seq, hex);
		if (strncmp(cc->pruned, want, strlen(want)) != 0)
			flag(st, cc, &(const struct st_fault_args){.code = E_AUDIT_BASE_FORGED,
			                                           .n = base.seq});
	}
	for (uint64_t id = 1; id < cc->cap; id++) {
		const struct logged *l = &cc->by_id[id];
		uint8_t k[8], full[KEYS_HASH_BYTES];
		MDB_val v;

		if (!l->seq)
			continue;
		be64(k, id);
		rc = st_get(st, txn, DB_CASES, k, 8, &v);
		if (rc == -1) {
			flag(st, cc, &(const struct st_fault_args){.code = E_AUDIT_CASE_DELETED,
			                                           .record = id, .n = l->version});
			continue;
		}
		if (rc)
			return rc;
		uint32_t version = st_hdr_version_raw(v.mv_data, v.mv_size);
		keys_hash2(full, "mappe header", 12, v.mv_data, v.mv_size);
		if (version < l->version)
			flag(st, cc, &(const struct st_fault_args){.code = E_AUDIT_ROLLED_BACK,
			                                           .record = id, .n = version,
			                                           .m = l->version});
		else if (version > l->version)
			flag(st, cc, &(const struct st_fault_args){.code = E_AUDIT_CASE_UNLOGGED,
			                                           .record = id, .n = version,
			                                           .m = l->version});
		else if (!keys_memeq(full, l->header, sizeof l->header))
			flag(st, cc, &(const struct st_fault_args){.code = E_AUDIT_CASE_REPLACED,
			                                           .record = id, .n = version});
	}
	return M_OK;
}

int st_audit_check_cases(store *st, void (*report)(void *, uint64_t, const struct store_fault *),
                         void *rctx, bool (*found)(void *, uint64_t), void *fctx,
                         size_t *broken)
{
	struct case_check cc = {.report = report, .rctx = rctx, .found = found, .fctx = fctx};
	int rc;

	cc.r.batch = keys_secure_alloc(READ_BATCH * sizeof *cc.r.batch);
	cc.r.pt = keys_secure_alloc(DETAIL_MAX);
	if (!cc.r.batch || !cc.r.pt)
		rc = st_err(st, NOMEM);
	else
		rc = st_txn(st, false, case_check_txn, &cc);
	for (unsigned i = 0; i < SESSION_CACHE; i++)
		keys_secure_free(cc.r.cache[i].key);
	keys_secure_free(cc.r.batch);
	keys_secure_free(cc.r.pt);
	free(cc.by_id);
	*broken += cc.broken;
	return rc;
}

/* ---- the log's retention --------------------------------------------------- */

struct prune {
	int64_t before;
	struct audit_head base; /* the kept chain starts after it now */
	uint64_t cut;           /* the last entry to remove */
	uint64_t scanned;       /* entries after cut read up to here */
	uint64_t oldest;        /* the lowest session an entry after cut needs */
	bool done;
};

/* The last entry written before p->before, from the base on. */
static int prune_find_txn(store *st, MDB_txn *txn, void *vctx)
{
	struct prune *p = vctx;
	MDB_cursor *cur;
	uint8_t k[8];
	MDB_val key = {8, k}, v;
	int rc;

	if ((rc = base_read(st, txn, &p->base)))
		return rc;
	p->cut = p->base.seq;
	if ((rc = mdb_cursor_open(txn, st->dbi[DB_AUDIT], &cur)))
		return st_mdb(st, rc, "audit");
	be64(k, p->base.seq + 1);
	for (rc = mdb_cursor_get(cur, &key, &v, MDB_SET_RANGE); rc == 0;
	     rc = mdb_cursor_get(cur, &key, &v, MDB_NEXT)) {
		if (v.mv_size < E_HEAD || (int64_t)rd64((const uint8_t *)v.mv_data + 2) >= p->before)
			break;
		p->cut = rd64(key.mv_data);
	}
	mdb_cursor_close(cur);
	return rc == 0 || rc == MDB_NOTFOUND ? M_OK : st_mdb(st, rc, "audit");
}

/* The lowest session the entries after p->scanned refer to. */
static int prune_sessions(store *st, MDB_txn *txn, struct prune *p)
{
	MDB_cursor *cur;
	uint8_t k[8];
	MDB_val key = {8, k}, v;
	int rc;

	if ((rc = mdb_cursor_open(txn, st->dbi[DB_AUDIT], &cur)))
		return st_mdb(st, rc, "audit");
	be64(k, p->scanned + 1);
	for (rc = mdb_cursor_get(cur, &key, &v, MDB_SET_RANGE); rc == 0;
	     rc = mdb_cursor_get(cur, &key, &v, MDB_NEXT)) {
		const uint8_t *b = v.mv_data;
		p->scanned = rd64(key.mv_data);
		if (v.mv_size >= E_HEAD + 8 && b[1] == KIND_EVENT && rd64(b + E_HEAD) < p->oldest)
			p->oldest = rd64(b + E_HEAD);
	}
	mdb_cursor_close(cur);
	return rc == MDB_NOTFOUND ? M_OK : st_mdb(st, rc, "audit");
}

static int prune_scan_txn(store *st, MDB_txn *txn, void *vctx)
{
	return prune_sessions(st, txn, vctx);
}

/* Move the cut below every session a kept entry needs (a session's key is
 * in its first entry): a session still open since before the date keeps
 * its whole run. */
static int prune_settle(store *st, MDB_txn *txn, struct prune *p, bool write)
{
	int rc;

	for (;;) {
		if (write) {
			if ((rc = prune_sessions(st, txn, p)))
				return rc;
		} else if ((rc = st_txn(st, false, prune_scan_txn, p))) {
			return rc;
		}
		if (p->oldest > p->cut)
			return M_OK;
		p->cut = p->oldest - 1;
		p->scanned = p->cut;
		p->oldest = UINT64_MAX;
	}
}

static int prune_mark_txn(store *st, MDB_txn *txn, void *vctx)
{
	struct prune *p = vctx;
	struct audit_head base = {0};
	uint8_t k[8], b[8 + KEYS_HASH_BYTES];
	MDB_val v;
	char what[96], day[11], hex[17];
	int rc;

	/* Entries written since the scan, under the write lock now. */
	if ((rc = st_load_epochs(st, txn)) || (rc = base_read(st, txn, &base)) || (rc = prune_settle(st, txn, p, true)))
		return rc;
	/* This session's own key stays: the PRUNE entry is sealed under it. */
	if (st->audit.session && st->audit.session <= p->cut) {
		p->cut = st->audit.session - 1;
		p->scanned = p->cut;
		p->oldest = UINT64_MAX;
		if ((rc = prune_settle(st, txn, p, true)))
			return rc;
	}
	if (base.seq != p->base.seq)
		return st_err(st, AUDIT_BREAK, .n = base.seq, .why = N_("another prune ran meanwhile"));
	if (p->cut <= p->base.seq) {
		p->done = true;
		return M_OK;
	}
	/* The new base: the hash of the entry cut last, as the next one holds it. */
	be64(k, p->cut + 1);
	if ((rc = st_get(st, txn, DB_AUDIT, k, 8, &v)) || v.mv_size < E_HEAD)
		return rc && rc != -1 ? rc : st_err(st, AUDIT_BREAK, .n = p->cut + 1,
		                                    .why = N_("an entry is missing"));
	p->base.seq = p->cut;
	memcpy(p->base.hash, (const uint8_t *)v.mv_data + 10, KEYS_HASH_BYTES);
	be64(b, p->base.seq);
	memcpy(b + 8, p->base.hash, KEYS_HASH_BYTES);
	if ((rc = st_put(st, txn, DB_META, BASE_KEY, BASE_KEYLEN, b, sizeof b, 0)))
		return rc;
	date_iso((long)(p->before / 86400), day);
	for (int i = 0; i < 8; i++)
		snprintf(hex + (size_t)2 * i, 3, "%02x", p->base.hash[i]);
	snprintf(what, sizeof what, "base %llu %s; before %s", (unsigned long long)p->base.seq,
	         hex, day);
	return st_audit(st, txn, &(struct audit_event){.action = AUDIT_PRUNE, .detail = what});
}

/* Remove what the base left behind, a batch a transaction. */
static int prune_delete_txn(store *st, MDB_txn *txn, void *vctx)
{
	struct prune *p = vctx;
	MDB_cursor *cur;
	MDB_val key, v;
	size_t n = 0;
	int rc;

	if ((rc = mdb_cursor_open(txn, st->dbi[DB_AUDIT], &cur)))
		return st_mdb(st, rc, "audit");
	while ((rc = mdb_cursor_get(cur, &key, &v, MDB_FIRST)) == 0 && n < 1024 &&
	       key.mv_size == 8 && rd64(key.mv_data) <= p->base.seq) {
		if ((rc = mdb_cursor_del(cur, 0)))
			break;
		n++;
	}
	mdb_cursor_close(cur);
	if (rc && rc != MDB_NOTFOUND)
		return st_mdb(st, rc, "audit");
	p->done = n < 1024;
	p->scanned += n; /* reused: how many went */
	return M_OK;
}

int store_audit_prune(store *st, int64_t before, uint64_t *removed, uint64_t *base_seq)
{
	struct prune p = {.before = before, .oldest = UINT64_MAX};
	int rc;

	*removed = 0;
	if (!st->kr)
		return st_err(st, NOT_UNLOCKED);
	if (st->role != ROLE_ADMIN)
		return st_err(st, AUDIT_PRUNE_ADMIN);
	/* Today's entries are the ones being written: a date after today would
	 * take the whole log, including what was done a moment ago. */
	if (before > (int64_t)st_today() * 86400)
		return st_err(st, AUDIT_PRUNE_FUTURE);
	if ((rc = st_txn(st, false, prune_find_txn, &p)))
		return rc;
	p.scanned = p.cut;
	if ((rc = prune_settle(st, NULL, &p, false)) ||
	    (rc = st_txn(st, true, prune_mark_txn, &p)))
		return rc;
	*base_seq = p.base.seq;
	p.scanned = 0;
	p.done = false;
	while (!p.done)
		if ((rc = st_txn(st, true, prune_delete_txn, &p)))
			return rc;
	*removed = p.scanned;
	return M_OK;
}

/* ---- verifying ---------------------------------------------------------- */

struct walk {
	const struct audit_head *want;
	struct audit_head at; /* the last entry walked */
	uint64_t base;        /* where the kept chain starts (after it) */
	bool started;
	bool want_seen;
	bool done;
};

static int walk_txn(store *st, MDB_txn *txn, void *vctx)
{
	struct walk *w = vctx;
	MDB_cursor *cur;
	uint8_t k[8];
	MDB_val key = {8, k}, v;
	int rc;
	size_t n = 0;

	if (!w->started) {
		if ((rc = base_read(st, txn, &w->at)))
			return rc;
		w->base = w->at.seq;
		w->started = true;
		/* A head at or below a prune's base cannot be checked, and is
		 * no pass: a prune's own entry sent a later head, so the system
		 * log's last one is never that old unless the log was cut. */
	}
	if ((rc = mdb_cursor_open(txn, st->dbi[DB_AUDIT], &cur)))
		return st_mdb(st, rc, "audit");
	be64(k, w->at.seq + 1);
	for (rc = mdb_cursor_get(cur, &key, &v, MDB_SET_RANGE); rc == 0 && n < 4096;
	     rc = mdb_cursor_get(cur, &key, &v, MDB_NEXT), n++) {
		const uint8_t *b = v.mv_data;
		uint64_t seq = key.mv_size == 8 ? rd64(key.mv_data) : 0;

		if (seq != w->at.seq + 1) {
			rc = st_err(st, AUDIT_BREAK, .n = w->at.seq + 1,
			            .why = N_("an entry is missing"));
			goto out;
		}
		if (v.mv_size < E_HEAD || b[0] != ENTRY_FORMAT ||
		    (b[1] != KIND_SESSION && b[1] != KIND_EVENT)) {
			rc = st_err(st, AUDIT_BREAK, .n = seq, .why = N_("the entry is malformed"));
			goto out;
		}
		if (!keys_memeq(b + 10, w->at.hash, KEYS_HASH_BYTES)) {
			rc = st_err(st, AUDIT_BREAK, .n = seq,
			            .why = N_("it does not follow the entry before it (changed, "
			                      "moved or removed)"));
			goto out;
		}
		w->at.seq = seq;
		link_hash(key.mv_data, b, v.mv_size, w->at.hash);
		if (w->want && seq == w->want->seq) {
			if (!keys_memeq(w->at.hash, w->want->hash, KEYS_HASH_BYTES)) {
				rc = st_err(st, AUDIT_HEAD_OTHER, .n = seq);
				goto out;
			}
			w->want_seen = true;
		}
	}
	if (rc == MDB_NOTFOUND) {
		struct audit_head h = {0};
		w->done = true;
		if ((rc = head_read(st, txn, &h)))
			goto out;
		if (h.seq != w->at.seq || !keys_memeq(h.hash, w->at.hash, KEYS_HASH_BYTES)) {
			rc = st_err(st, AUDIT_BREAK, .n = h.seq > w->at.seq ? w->at.seq + 1 : h.seq,
			            .why = h.seq > w->at.seq
			                       ? N_("the entries after it were removed")
			                       : N_("the head in meta does not match the last entry"));
			goto out;
		}
	}
	rc = M_OK;
out:
	mdb_cursor_close(cur);
	return rc;
}

int store_audit_verify(store *st, const struct audit_head *want, struct audit_head *out)
{
	struct walk w = {.want = want};
	int rc = M_OK;

	while (rc == M_OK && !w.done)
		rc = st_txn(st, false, walk_txn, &w);
	if (rc == M_OK && want && !w.want_seen)
		rc = want->seq > w.at.seq    ? st_err(st, AUDIT_TRUNCATED, .n = w.at.seq, .m = want->seq)
		     : want->seq <= w.base ? st_err(st, AUDIT_HEAD_PRUNED, .n = want->seq, .m = w.base)
		                          : st_err(st, AUDIT_HEAD_OTHER, .n = want->seq);
	if (out)
		*out = w.at;
	return rc;
}
