/* Private to store/: the environment, the databases and their key layouts.
 *
 * The files of store/, in layers: each needs only files above it in this
 * list, never one below (tests/cli/test_layers.sh checks it with nm).
 *   clock.c validate.c rules.c deadlines.c catalogue.c formats.c fold.c
 *               pure (libmappe-pure.a): no LMDB, no keys, no store state
 *   rec.c       the case record in memory: values in one secure arena
 *   items.c     the items of a case's lists, in the record model
 *   errors.c    failures as codes of errors.def with arguments, and their messages
 *   env.c       LMDB: the transaction loop and its gates, get/put, scratch memory;
 *               the key epochs (st_load_epochs)
 *   rotstate.c  the rotation state in meta and the rotation lock
 *   users.c     users, keyslots, grants, unlocking; following an epoch moved on
 *   sealed.c    an administrator's settings in meta, sealed under the record class
 *   codes.c     the code tables IMDi owns, every version, sealed
 *   ruleset.c   the rules of rules.def with an administrator's corrections
 *   retention.c the archive law's settings, a closed case blocked, its mark
 *   record.c    a case's value: format-4 header and fields, format-5 classes; reading
 *   nid.c       the national-id blind index and its look-ups
 *   save.c      writing a format-5 case
 *   lifecycle.c what the law asks of a case as it is saved: status steps,
 *               required fields, mapping, programme length, IMDi's codes
 *   audit.c     the audit log: entries sealed to the audit class, hash-chained
 *   cases.c     insert, update and read cases; the case counter; notes; mappe check
 *   drafts.c    unsaved edits, sealed
 *   rotate.c    key rotation, online and resumable
 *   scan.c      every case a report reads, in batches of read transactions
 *   auditreport.c  the audit log reviewed: consultations outside each caseload
 *   report.c    the deadlines of the cases a user works on
 *   nir.c       the registrable events not yet registered in NIR
 *   ledger.c    the settlement targets (sealed, every version) and the year's ledger
 *   nameindex.c the words of every name sorted, in locked memory (search.c's)
 *   search.c    finding people by name or number
 *   import.c    cases in and out: CSV, JSON Lines, JSON
 *   export.c    mappe export: CSV, JSON Lines, the NIR columns; the export record
 *   backup.c    mappe backup: LMDB's compacting copy, its SHA-256; checking a copy
 *   archive.c   mappe archive: blocked cases marked, picked, transferred; destroy
 *   migrate.c   format-4 cases to format 5, online
 *   schema.c    opening and creating a store; the schema and its migrations
 */
#ifndef MAPPE_STORE_PRIVATE_H
#define MAPPE_STORE_PRIVATE_H

#include <lmdb.h>
#include <string.h>
#include <sys/types.h>

#include "store/catalogue.h"
#include "store/store.h"

/* Schema 2: the databases below. Bump with a migration in schema.c.
 *   1 -> 2: epochs values gain the floor (u32 active | u32 floor).
 *   2 -> 3: the drafts table (created when the store is opened).
 *   3 -> 4: user records signed by the authority (v2). Keyed: it runs only in
 *           `mappe upgrade` (store_upgrade), by an administrator who sees the
 *           list of records it signs; never at open or at a routine login.
 *   4 -> 5: the case counter gains a MAC under the record class. Keyed.
 *   5 -> 6: case records of format 5 (record.c); meta "migrate" u64 cursor
 *           while format-4 cases remain (migrate.c, mappe migrate).
 *   6 -> 7: class tables may hold who saved the case (save.c); nothing is
 *           rewritten, the number only tells older binaries to stop.
 *   7 -> 8: class tables may hold when the case was assigned (record.c);
 *           the same: nothing rewritten.
 *   8 -> 9: the audit table (created when the store is opened); an older
 *           mappe would write cases without logging them. */
/* The blind index's field (store.h: NID_FIELD) and the class it is read under. */
#define NID_CLASS ((enum key_class)field_catalogue[NID_FIELD].cls)

#define STORE_SCHEMA STORE_SCHEMA_CURRENT
#define STORE_DEFAULT_MAP ((size_t)1 << 30)

/*
 * Databases (all keys big-endian so that LMDB's byte order is numeric order):
 *   meta    "schema" u32 | "store_id" [16] | "authority" pk[32] (the current one) |
 *           "authorities" pk[32] x (epoch + 1), oldest first (absent: epoch 0) | "next_id" u64 |
 *           "next_id_mac" u32 record epoch | MAC[32] (cases.c) |
 *           "cases_gen" u64: the LMDB transaction that last wrote a case header
 *           (record.c; absent: none since it came; search_index_sync reads it)
 *   users   name -> user record (users.c)
 *   grants  name 0x00 u8 class u32 epoch -> grant (keys.h)
 *   epochs  u8 class -> u32 active epoch | u32 floor (older epochs are retired)
 *   cases   u64 id -> record header + MAC (record.c)
 *   fields  u64 id u16 field -> envelope
 *   notes   u64 id u32 seq -> envelope
 *   nid     u32 epoch u16 tag u64 id -> "" (national-id blind index)
 *   drafts  user 0x00 u64 id -> unsaved edits, sealed like fields (drafts.c)
 *   audit   u64 seq -> an audit entry, hash-chained (audit.c); meta "audit_head"
 *           u64 seq | hash[32], "audit_pk" sealed u32 epoch | pk[32]
 */
enum store_db { DB_META, DB_USERS, DB_GRANTS, DB_EPOCHS, DB_CASES, DB_FIELDS, DB_NOTES, DB_NID,
                DB_DRAFTS, DB_AUDIT, DB_COUNT };

/* A session's audit state (audit.c). */
struct st_audit {
	uint8_t *key;      /* secure: the session's key; NULL until the first entry */
	uint64_t session;  /* its entry's seq, 0 none (yet) */
	uint32_t epoch;    /* the audit epoch it is sealed to */
	uint32_t rec_epoch; /* the record epoch its MAC is under */
	bool pending;      /* the session entry is in the open transaction */
	bool head_new;     /* an entry is in the open transaction */
	uint64_t head_seq; /* the head after the open transaction's last entry */
	uint8_t head_hash[32];
};

struct store {
	MDB_env *env;
	MDB_dbi dbi[DB_COUNT];
	size_t map_size;
	char dir[4096];
	struct store_fault fault; /* the last failure (st_err) */
	char err[512];            /* its English message (store_error) */
	int mdb_rc;      /* the last LMDB failure, for the retry loop */
	uint32_t schema; /* as opened; below STORE_SCHEMA until a keyed migration */
	bool allow_upgrade; /* store_allow_upgrade: this session is mappe upgrade */
	void (*upgrade_report)(void *ctx, const char *name, enum key_role role);
	void (*kdf_wait)(void *ctx); /* store_on_kdf_wait */
	void *kdf_wait_ctx;
	void *upgrade_ctx;
	struct keys_kdf kdf;

	uint8_t store_id[KEYS_STORE_ID_BYTES];
	uint8_t authority_pk[KEYS_PK_BYTES]; /* the current authority (meta "authority") */
	uint32_t authority_epoch;            /* its place in meta "authorities" */
	uint32_t pin; /* the authority epoch this session's keyring trusts */
	uint32_t epoch[KC_COUNT]; /* active epoch per class, read in every transaction */
	uint32_t floor[KC_COUNT]; /* epochs below it are retired: their keys are deleted */

	keyring *kr; /* NULL until unlocked */
	void *scratch; /* secure memory reused for decrypting (st_scratch) */
	size_t scratch_cap;
	void *build; /* secure memory reused for building plaintexts (st_build) */
	size_t build_cap;
	/* While an update's transaction runs: the class plaintexts it opened
	 * (st_class_open), kept in `kept` (secure memory reused like scratch). */
	struct class_cache *cache;
	void *kept;
	size_t kept_cap;
	bool legacy; /* meta "migrate": format-4 cases may remain (st_load_epochs) */
	bool nid_checked; /* the import in this transaction checked duplicates set-wise */
	bool yield_writers; /* a rotation or migration: let waiting writers go first */
	bool no_wait;       /* a write that gives up at once if another is under way */
	bool rotate_stop;   /* store_rotate_stop: end after the batch just committed */
	char user[64];
	char purpose[64]; /* store_audit_purpose */
	struct st_audit audit; /* this session's audit state (audit.c) */
	/* Set by a write that keeps state beside the transaction (audit.c):
	 * called once after the commit (true) or the abort (false). */
	void (*after_write)(store *st, bool committed);
	enum audit_action write_action; /* what st_hdr_write logs (0: CREATE or CHANGE) */
	/* st_load_epochs (env.c) found an epoch moved on: take the grants of
	 * the new one (users.c's st_refresh_grants, set at the unlock). */
	int (*epochs_changed)(store *st, MDB_txn *txn);
	key_classes written;            /* classes sealed for the case being written */
	enum key_role role;
	bool must_change;
	int64_t previous_login; /* store_login_note: the login before this one, 0 */
	int64_t user_created;   /* the user's enrolment (store_unlock) */
	bool ret_set;           /* store_set_retention; else the defaults */
	bool listing;           /* st_case_fill_listed: a blocked case shows no field */
	struct retention ret;
};

/* Fail with a code of errors.def and the arguments its message names:
 *   return st_err(st, NO_CASE, .record = id);
 * sets store_fault() (and store_error(), its English text) and returns the
 * code's exit status. Arguments not given are 0; .name is copied (.namelen
 * bytes at most when given), as are .what, .file and .detail. */
struct st_fault_args {
	enum store_code code;
	uint64_t record;
	int field, item, list, cls, role;
	unsigned line;
	unsigned long long n, m;
	const char *why, *name, *what, *file, *detail;
	int namelen;
};
#define st_err(st, CODE, ...) st_raise((st), &(const struct st_fault_args){.code = E_##CODE, __VA_ARGS__})
int st_raise(store *st, const struct st_fault_args *a);
/* A fault for a report callback rather than the store's own (mappe check). */
#define st_fault(f, st, CODE, ...)                                                                \
	st_fault_set((f), &(const struct st_fault_args){.code = E_##CODE, __VA_ARGS__}, (st)->dir)
/* Forget the last failure (the code E_NONE): a caller that tells whether a
 * step set one. */
void st_fault_clear(store *st);
/* Make f (saved from st->fault earlier) the last failure again. */
void st_fault_restore(store *st, const struct store_fault *f);
void st_fault_set(struct store_fault *f, const struct st_fault_args *a, const char *dir);
/* The same into a fault of the caller's, where there is no store (update's
 * JSON): return st_fault_err(fault, FIELD_INVALID, .field = f, .why = bad); */
#define st_fault_err(f, CODE, ...)                                                                 \
	(st_fault_set((f), &(const struct st_fault_args){.code = E_##CODE, __VA_ARGS__}, NULL),    \
	 store_code_status(E_##CODE))
/* Name the input file and line of st's last failure (an import row whose
 * case the store refused): "file:line: " before its message. */
void st_fault_locate(store *st, const char *file, unsigned line);

/* Translate an LMDB error (remembered for the retry loop). */
int st_mdb(store *st, int rc, const char *what);

/* Run fn inside a transaction, retrying the whole of it after growing the map
 * (MDB_MAP_FULL), adopting another process's growth (MDB_MAP_RESIZED) or
 * clearing stale readers (MDB_READERS_FULL). fn returns a mappe_status; a
 * write transaction is committed only when it returns M_OK. */
typedef int (*txn_fn)(store *st, MDB_txn *txn, void *ctx);
int st_txn(store *st, bool write, txn_fn fn, void *ctx);

/* Every write transaction first takes the write gate: a POSIX record lock
 * on this byte of data.mdb (LMDB locks nothing in that file), so that a
 * waiting writer can give up after a bounded wait and name the holder,
 * which LMDB's own writer mutex cannot. keys_kdf_lock uses bytes above. */
#define ST_WRITE_GATE ((off_t)1 << 62)
/* The reader gate, held around LMDB's reader-table and lock-file locks. */
#define ST_READ_GATE (ST_WRITE_GATE + 1)
/* Shared by every writer waiting for the write gate (env.c: announce_wait). */
#define ST_WAIT_BYTE (ST_WRITE_GATE + 2)
/* How long to wait for another process's lock: dflt, or MAPPE_LOCK_WAIT_MS
 * for the tests (ignored under setgid, like every MAPPE_ variable). */
long st_lock_wait_ms(long dflt);

int st_get(store *st, MDB_txn *txn, enum store_db db, const void *k, size_t klen, MDB_val *v);
/* Delete every entry of db whose key starts with prefix. */
int st_del_prefix(store *st, MDB_txn *txn, enum store_db db, const void *prefix, size_t len);
int st_put(store *st, MDB_txn *txn, enum store_db db, const void *k, size_t klen, const void *v,
           size_t vlen, unsigned flags);
int st_load_epochs(store *st, MDB_txn *txn);
int st_put_epoch(store *st, MDB_txn *txn, enum key_class c, uint32_t active, uint32_t floor);

static inline void be16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}
static inline void be32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}
static inline void be64(uint8_t *p, uint64_t v)
{
	be32(p, (uint32_t)(v >> 32));
	be32(p + 4, (uint32_t)v);
}
static inline uint16_t rd16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}
static inline uint32_t rd32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}
static inline uint64_t rd64(const uint8_t *p)
{
	return (uint64_t)rd32(p) << 32 | rd32(p + 4);
}

int64_t st_now_ms(void); /* monotonic (env.c) */

/* env.c, for schema.c: the tables' names; a new handle; its directory (or
 * M_USAGE, in err); the LMDB environment opened on it (create: a new one). */
extern const char *const st_db_names[DB_COUNT];
store *st_store_new(void);
int st_set_dir(store *st, const char *dir);
int st_env_setup(store *st, const struct store_options *opt, bool create);

/* ---- records (record.c), shared with cases.c, rotate.c and search.c ------ */

/* Record formats, the first byte of a case's value: HDR_FORMAT (store
 * format 4: one envelope per field in the fields table, listed in the clear
 * header) is read, written and rotated until mappe migrate has moved every
 * case to HDR_FORMAT5 (record.c: one envelope per class inside the case). */
enum { HDR_FORMAT = 1, HDR_FORMAT5 = 2, NOTE_FIELD = 0xffff, MAX_HDR_FIELDS = 256 };

/* Places of format 5 in the associated data (keys_place.field): above every
 * field number, so that no field envelope fits a class's place. */
#define PLACE_CLASS(c) ((uint16_t)(0xff00u | (unsigned)(c)))
#define PLACE_TABLE 0xfffeu

/* A class's state in a format-5 case (inside the sealed class table). */
enum slot_state {
	SLOT_NONE,   /* no envelope: the class had no fields when the case was last written */
	SLOT_BLANK,  /* a placeholder, written by someone without the key: empty */
	SLOT_SEALED, /* an envelope of the class's values */
};

/* The smallest bucket class c's envelope is padded to (keys_bucket), so
 * that an empty class and one with a few short values look the same:
 * 96 bytes for the classes whose mere presence is what they protect
 * (health: two dates and a short need; protected: an address and its
 * grade), 64 for the others. A placeholder is exactly this size, so a
 * floor can never change without that check knowing the old one. */
size_t st_class_floor(enum key_class c);
/* The length before each class envelope in a case value (a varint): bytes
 * written; bytes read, or 0 when malformed. */
size_t st_len_put(uint8_t *p, uint32_t v);
size_t st_len_get(const uint8_t *p, size_t avail, uint32_t *v);

/* The longest user name (store_user_name_valid_n): a saver's room in the
 * class table. */
#define ST_SAVER_MAX 32

struct hdr_field {
	uint16_t number;
	uint32_t counter;
	uint8_t present;
};

struct class_slot {
	uint8_t state;    /* enum slot_state */
	uint32_t counter; /* the class's write counter, in its envelope's AD */
	/* The envelope: into the LMDB value after st_hdr_read (valid until the
	 * next write to the cases table in this transaction), or into a buffer
	 * the writer owns before st_hdr_write. */
	const uint8_t *env;
	size_t len;
};

struct rec_header {
	uint8_t format; /* HDR_FORMAT or HDR_FORMAT5 */
	uint8_t status;
	uint32_t version;
	uint32_t epoch;
	int64_t created, updated;
	uint32_t notes;
	char caseworker[64];
	/* Format 5: who saved this version and when, in the sealed class
	 * table (record.c); "" and 0 when unknown. */
	char saved_by[ST_SAVER_MAX + 1];
	int64_t saved_at;
	/* When another user handed the case to its caseworker (cases.c), in
	 * the same table; 0 when unknown or taken by the caseworker. */
	int64_t assigned_at;
	struct class_slot slot[KC_COUNT]; /* format 5 */
	bool append; /* a new case above every id: st_hdr_write appends (full pages) */
	uint16_t nfields;                 /* format 4 */
	struct hdr_field f[MAX_HDR_FIELDS];
};

int st_hdr_read(store *st, MDB_txn *txn, uint64_t id, struct rec_header *h);
/* The version a case value's clear header claims, unverified (0 when it is
 * malformed): enough to tell that a copy read earlier is out of date (then
 * it is read again, verified), never to trust. */
static inline uint32_t st_hdr_version_raw(const uint8_t *b, size_t len)
{
	if (len >= 31 && b[0] == HDR_FORMAT5)
		return rd32(b + 2); /* st_hdr5_decode's layout */
	if (len >= 32 + KEYS_MAC_BYTES && b[0] == HDR_FORMAT)
		return rd32(b + 4); /* hdr_decode's */
	return 0;
}
/* The caseworker a format-5 case value's clear header names, unverified
 * ("" for none, or another format): the audit log's note of whose case it
 * was (st_hdr5_encode's layout: the length at 30, the name after it). */
static inline void st_hdr_caseworker_raw(const uint8_t *b, size_t len, char *out, size_t cap)
{
	size_t n = len > 31 && b[0] == HDR_FORMAT5 ? b[30] : 0;

	if (n >= cap || 31 + n > len)
		n = 0;
	memcpy(out, b + 31, n);
	out[n] = 0;
}
/* MAC under the active record epoch and write (format 5: with the class
 * envelopes the slots point at). */
int st_hdr_write(store *st, MDB_txn *txn, uint64_t id, struct rec_header *h);

/* ---- format 5 (record.c; writing: save.c; scratch memory: env.c) ------------- */

/* The classes every format-5 case has an envelope for: those the catalogue
 * gives at least one field. */
key_classes st_case_classes(void);
/* Encode / decode the cleartext header (and its sealed class table).
 * verify false skips the header MAC, for confirming a blind-index
 * candidate with the AEADs alone: the class table's own associated data
 * binds it to the case and version, and the identity envelope's to the
 * counter in it, so a candidate confirmed so holds the number it shows,
 * unless the whole case was rolled back to an older copy, which the MAC
 * does not catch either. Everything else verifies. */
int st_hdr5_decode(store *st, uint64_t id, const uint8_t *b, size_t len, struct rec_header *h,
                   bool verify);
int st_hdr5_encode(store *st, uint64_t id, const struct rec_header *h, uint8_t **out,
                   size_t *outlen);
/* Open class c's envelope of a case into st's scratch memory: *pt (valid
 * until the next call) and *n; an empty class (blank or none) gives n = 0.
 * M_AUTH without the key; M_INTEGRITY when it does not authenticate. */
int st_class_open(store *st, uint64_t id, const struct rec_header *h, enum key_class c,
                  const uint8_t **pt, size_t *n);
/* An update compares the values it was given with the stored ones, then
 * rebuilds the classes that changed (and the blind index and lists look at
 * theirs): each class is decrypted once for all of them. With st->cache set
 * to one (st_cache_begin), st_class_open keeps a copy of every class of
 * case `id` it opens and hands it out again for the same envelope (same
 * bytes: same plaintext), until st_cache_end wipes it. */
struct class_cache {
	uint64_t id;
	bool have[KC_COUNT];
	/* In st->kept at at[c]: the plaintext (n[c] bytes), then a copy of
	 * the envelope it came from (envlen[c]). */
	size_t at[KC_COUNT], n[KC_COUNT], envlen[KC_COUNT];
	size_t used;
};
void st_cache_begin(store *st, struct class_cache *cache, uint64_t id);
void st_cache_end(store *st);
/* Seal plaintext pt as class c's new envelope (counter + 1, active epoch)
 * into a malloc'd buffer that *owned receives; the slot points at it. */
int st_class_seal(store *st, uint64_t id, struct rec_header *h, enum key_class c,
                  const uint8_t *pt, size_t n, uint8_t **owned);
/* The first byte of a class plaintext (record.c), which save.c builds. */
enum { CLASS_PT_FORMAT = 1 };
/* A varint (LEB128) at p: its length. */
size_t st_varint_put(uint8_t *p, uint32_t v);
/* M_INTEGRITY: class c's envelope of case id does not authenticate. */
int st_class_damaged(store *st, uint64_t id, enum key_class c);
/* Walk a class plaintext: each entry (field number, list item, value). */
int st_class_each(const uint8_t *pt, size_t n,
                  int (*fn)(void *ctx, unsigned number, uint32_t item, const uint8_t *v,
                            size_t len),
                  void *ctx);
/* Format-5 cases: read (want as case_read_txn), insert, update. */
int st_case5_read(store *st, MDB_txn *txn, uint64_t id, const struct rec_header *h,
                  struct case_rec *out, const bool *want);
int st_case5_write(store *st, MDB_txn *txn, uint64_t id, struct rec_header *h,
                   const struct case_rec *c, bool insert);
/* The national id a format-5 case holds (for the index), into scratch. */
int st_case5_nid(store *st, uint64_t id, const struct rec_header *h, const uint8_t **nid,
                 size_t *len, uint32_t *epoch);
/* A format-5 value's epochs, parsed without any key (a damaged case's, for
 * the rotation's scan): the header's, and each envelope's class and epoch. */
int st_hdr5_raw_epochs(const uint8_t *b, size_t len, uint32_t *record_epoch,
                       void (*fn)(void *ctx, enum key_class c, uint32_t epoch), void *ctx);
/* Scratch secure memory of at least n bytes, reused (never shrinks): one
 * locked mapping per session, not one per value (a sodium_malloc costs four
 * system calls). st_scratch is what a class opens into; st_build what a
 * class plaintext is built in (its contents kept when it grows). */
void *st_scratch(store *st, size_t n);
void *st_build(store *st, size_t n);
/* Free both (store_lock, store_close): wiped. */
void st_scratch_free(store *st);
struct hdr_field *st_hdr_find(struct rec_header *h, uint16_t number);
size_t st_field_key(uint8_t k[10], uint64_t id, uint16_t number);
/* Seal val under the active epoch of cls and put it at k. */
int st_seal_put(store *st, MDB_txn *txn, enum store_db db, const uint8_t *k, size_t klen,
                enum key_class cls, const struct keys_place *place, const void *val, size_t len);
/* Decrypt an envelope of class cls into secure memory; M_AUTH with no key. */
int st_open_env(store *st, const struct keys_place *place, const MDB_val *v, enum key_class cls,
                char **out, size_t *len);
/* The same into buf (cap >= v->mv_size + 1), after the checks before any key. */
int st_open_into(store *st, const struct keys_place *place, const MDB_val *v, enum key_class cls,
                 char *buf, size_t cap, size_t *len);
/* A format-4 field straight into the case's arena, as value f. */
int st_read_field_into(store *st, MDB_txn *txn, uint64_t id, const struct hdr_field *hf,
                       struct case_rec *c, enum field_id f);
/* M_AUTH: field f needs a key this session does not hold. */
int st_denied(store *st, enum field_id f);
/* Add or remove the blind-index entry of a national id under an epoch. */
int st_nid_index(store *st, MDB_txn *txn, uint32_t epoch, const char *nid, size_t len,
                 uint64_t id, bool add);
/* Open any grants of the acting user that the keyring lacks (after a
 * rotation by an administrator while this session was open). */
int st_refresh_grants(store *st, MDB_txn *txn);

/* env.c: the authority's public key at an epoch (meta "authorities"). */
int st_authority_at(store *st, MDB_txn *txn, uint32_t epoch, uint8_t pk[KEYS_PK_BYTES]);

/* retention.c: case id's state from its header's status and last save
 * (unix seconds), read in this transaction; st_case_hidden: it is blocked
 * and this session may not open it (its fields are then all locked, and
 * opening it is CASE_BLOCKED), or, everyone, it is blocked at all. st_retention_mark: add flags (RET_*) to
 * its persistent mark, which keeps the day it counts as closed from. */
enum { RET_BLOCKED = 1, RET_TRANSFERRED = 2 };
int st_retention_state(store *st, MDB_txn *txn, uint64_t id, int status, int64_t updated,
                       struct retention_state *out);
bool st_case_hidden(store *st, MDB_txn *txn, uint64_t id, int status, int64_t updated,
                    bool everyone);
int st_retention_mark(store *st, MDB_txn *txn, uint64_t id, const struct retention_state *was,
                      unsigned flags);
const struct retention *st_retention(const store *st);

/* audit.c: append an entry in the caller's write transaction (a change,
 * written with what it records). */
int st_audit(store *st, MDB_txn *txn, const struct audit_event *ev);
/* st_hdr_write's entry for the case it wrote: hdr is the stored value. */
int st_audit_case(store *st, MDB_txn *txn, uint64_t id, uint32_t version, bool created,
                  const void *hdr, size_t len);
/* st_txn(st, true, fn, ctx) that appends ev in the same transaction once
 * fn has succeeded: an administrator's act and its entry commit together. */
int st_txn_audited(store *st, txn_fn fn, void *ctx, const struct audit_event *ev);
/* A wrong passphrase for name (there is no keyring). */
int st_audit_login_failed(store *st, MDB_txn *txn, const char *name);
/* Publish the audit class's public key if this user holds a newer one. */
int st_audit_publish(store *st, MDB_txn *txn);
/* mappe check: every case the log wrote against the last entry about it
 * (rolled back, deleted, replaced, written unlogged), each reported. */
int st_audit_check_cases(store *st, void (*report)(void *, uint64_t, const struct store_fault *),
                         void *rctx, bool (*found)(void *, uint64_t), void *fctx,
                         size_t *broken);

/* cases.c: the authenticated case counter (the next case id). */
int st_counter_write(store *st, MDB_txn *txn, const keyring *kr, uint64_t next);
/* Sealed settings (sealed.c): an administrator's decisions in meta under a
 * record-class MAC. st_sealed_open: M_OK and the body if key and value
 * authenticate, else -1. st_sealed_each calls fn for every entry whose key
 * starts with prefix, body NULL for one that does not authenticate.
 * st_sealed_reseal: every sealed entry again under the record class's
 * active epoch (its rotation). */
int st_sealed_put(store *st, MDB_txn *txn, const void *key, size_t klen, const void *body,
                  size_t blen);
int st_sealed_open(store *st, const MDB_val *k, const MDB_val *v, const uint8_t **body,
                   size_t *blen);
/* The body without checking its MAC: for a writer without keys (a failed
 * login's audit entry), which trusts it no more than the file. */
int st_sealed_unchecked(const MDB_val *v, const uint8_t **body, size_t *blen);
typedef int (*st_sealed_fn)(store *st, const MDB_val *k, const uint8_t *body, size_t blen,
                            void *ctx);
int st_sealed_each(store *st, MDB_txn *txn, const void *prefix, size_t plen, st_sealed_fn fn,
                   void *ctx);
int st_sealed_reseal(store *st, MDB_txn *txn);
/* codes.c: whether code is in table t's version in force (else the default). */
int st_code_known(store *st, MDB_txn *txn, enum code_table t, const char *code, bool *known);
/* ruleset.c: store_rules inside a transaction. */
int st_rules_txn(store *st, MDB_txn *txn, struct rule_set *out);
/* lifecycle.c: the law's checks of a save; old_status is the stored status
 * of an update, -1 for a new case (which may start in any status). */
int st_case_rules(store *st, MDB_txn *txn, const struct case_rec *c, int old_status);
int st_counter_read(store *st, MDB_txn *txn, uint64_t *next);
/* Re-MAC the counter under the active record epoch (upgrade, rotation). */
int st_counter_seal(store *st, MDB_txn *txn);

/* users.c, shared with schema.c (store creation) */
int st_write_user(store *st, MDB_txn *txn, const keyring *signer, const char *name,
                  enum key_role role, bool must_change, const uint8_t pk[KEYS_PK_BYTES],
                  const uint8_t slot[KEYS_SLOT_BYTES]);
int st_grant_role(store *st, MDB_txn *txn, const keyring *kr, const char *name,
                  enum key_role role, const uint8_t pk[KEYS_PK_BYTES]);
/* check: every user record decodes (and, for an administrator, verifies). */
/* M_OK if name is an enrolled user who is not revoked (a case's caseworker
 * must be one); else the fault CASEWORKER_UNKNOWN. */
int st_user_active(store *st, MDB_txn *txn, const char *name, size_t len);
int st_check_users(store *st, MDB_txn *txn,
                   void (*report)(void *, uint64_t, const struct store_fault *),
                   void *rctx, size_t *broken);
/* The 3 -> 4 migration: sign every version-1 user record (administrator). */
int st_sign_legacy_users(store *st, MDB_txn *txn);

/* Seal class c at epoch to every user allowed it (role or named grant). */
int st_grant_epoch(store *st, MDB_txn *txn, enum key_class c, uint32_t epoch, size_t *count);
/* Delete grants: of one user (name) or all (NULL), of one class or all (-1),
 * below an epoch or all (0). */
int st_drop_grants(store *st, MDB_txn *txn, const char *name, int cls, uint32_t below);

/* rotstate.c: one key rotation per store at a time (a lock file): the
 * descriptor to close when done, or -1 when another process holds it. */
int st_rotation_lock(store *st);
/* rotstate.c: mark an active rotation of c superseded (a revocation). */
int st_rotation_supersede(store *st, MDB_txn *txn, enum key_class c);
/* rotstate.c, for rotate.c: a class's rotation state (meta "rot" + class;
 * none: r->active false) and the plan of an all-class rotation. */
enum { ROT_BYTES = 4 + 4 + 8 + 1 + 8 + 8, ROT_BLOCKED = 3, ROT_SUPERSEDED = 0x80 };

struct rot_plan {
	bool have;
	key_classes want, done;
};

int st_rot_read(store *st, MDB_txn *txn, enum key_class c, struct store_rotation *r);
int st_rot_write(store *st, MDB_txn *txn, const struct store_rotation *r);
int st_rot_delete(store *st, MDB_txn *txn, enum key_class c);
int st_plan_read(store *st, MDB_txn *txn, struct rot_plan *p);
int st_plan_write(store *st, MDB_txn *txn, const struct rot_plan *p);
/* Class c finished, or (done false) must be rotated anew. */
int st_plan_mark(store *st, MDB_txn *txn, enum key_class c, bool done);
/* drafts.c: re-seal every draft value of class c under epoch `to`. */
int st_rotate_drafts(store *st, MDB_txn *txn, enum key_class c, uint32_t to);

/* cases.c, nid.c, rec.c and items.c, shared with import.c and search.c */
int case_insert_txn(store *st, MDB_txn *txn, struct case_rec *c, uint64_t *id_out);
/* The acting user saved this version, at h->updated: the class table
 * records it (a new version of a case: insert and update, never a note, a
 * rotation or a migration, which make no version of their own). */
void st_saved_now(const store *st, struct rec_header *h);
/* After h's caseworker was set (it was `before`): when it changed, the
 * assignment time in the class table (cases.c). */
void st_assigned(const store *st, struct rec_header *h, const char *before);
/* Insert at id, which must be free (the caller moves the counter past it). */
int st_case_insert_at(store *st, MDB_txn *txn, struct case_rec *c, uint64_t id);
/* rec.c: room for need more bytes in the case's arena (0, or -1 without
 * memory); value f set to a copy of val (NULL or empty: none). */
int st_arena_reserve(struct case_rec *c, size_t need);
int st_case_store_value(struct case_rec *c, enum field_id f, const char *val, size_t len);
/* A copy of val (NUL-terminated) in the case's arena, or NULL. */
char *st_case_keep(struct case_rec *c, const char *val, size_t len);
/* realloc for an array of what was decrypted (dates, events): the old
 * block is wiped before it is freed, never left in the heap; NULL when out
 * of memory (p is then as it was). st_free_wiped wipes and frees. */
void *st_realloc_wiped(void *p, size_t old_bytes, size_t new_bytes);
void st_free_wiped(void *p, size_t bytes);
/* An item of list l with this id (0: a new one), appended; its index or -1. */
int st_item_append(struct case_rec *c, enum list_id l, uint32_t id);
/* After a save committed: new items take the ids it gave them, removed
 * ones go, nothing is dirty. */
void st_items_saved(struct case_rec *c);
/* found[i]: the case that has national id nid[i] (NULL: none wanted), or 0. */
int st_nid_find_many(store *st, MDB_txn *txn, const char *const *nid, const size_t *len,
                     size_t n, uint64_t *found);
/* Up to cap case ids from `from` on, in order: the batches of long scans. */
int st_case_ids(store *st, MDB_txn *txn, uint64_t from, uint64_t *ids, size_t cap, size_t *n);
/* M_INPUT naming the case when another case than self has this national id. */
int st_nid_duplicate(store *st, MDB_txn *txn, const char *nid, size_t len, uint64_t self);
int nid_lookup_txn(store *st, MDB_txn *txn, const char *nid, size_t len, uint64_t *ids,
                   size_t cap, size_t *n);
int case_read_txn(store *st, MDB_txn *txn, uint64_t id, struct case_rec *out,
                  const bool *want);
/* case_read_txn from a header already read in this transaction (record.c). */
int st_case_fill(store *st, MDB_txn *txn, uint64_t id, const struct rec_header *h,
                 struct case_rec *out, const bool *want);
/* st_case_fill_lists for the lists and reports (scan.c, search.c): of a
 * blocked case (retention.c) only its clear header, whoever reads. */
int st_case_fill_listed(store *st, MDB_txn *txn, uint64_t id, const struct rec_header *h,
                        struct case_rec *out, const bool *want, uint32_t lists);
/* What a case's deadlines read (report.c): the fields into want, the lists
 * as a mask for st_case_fill_lists. */
void st_deadline_want(bool want[F_COUNT], uint32_t *lists);
/* Case c's deadlines not met that the user may be shown (health ones only
 * with the health class), in DEADLINES order; how many. */
size_t st_case_deadlines(store *st, const struct case_rec *c, const struct rule_set *rs,
                         struct deadline out[DL_COUNT]);
/* The same with the lists in the mask lists (1u << list_id) as well: those
 * of a class read for them alone (a format-5 case; older ones hold none). */
int st_case_fill_lists(store *st, MDB_txn *txn, uint64_t id, const struct rec_header *h,
                       struct case_rec *out, const bool *want, uint32_t lists);

#endif
