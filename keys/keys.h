/*
 * keys: everything secret in mappe. The only folder that includes <sodium.h>.
 *
 *   passphrase --Argon2id--> slot key --XChaCha20-Poly1305--> user's X25519 secret key
 *   root key R(class, epoch) boxed from the store authority to each allowed user (grant)
 *   R --crypto_kdf--> field key, blind-index key, record-header key
 *
 * Nothing here knows about LMDB: callers hand in and take out byte strings.
 * Every function returns 0 on success or a negative KEYS_E* code, and wipes what
 * it must on every path. Plaintext keys live only in sodium_malloc memory.
 */
#ifndef MAPPE_KEYS_H
#define MAPPE_KEYS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

enum {
	KEYS_OK = 0,
	KEYS_EAUTH = -1,      /* wrong passphrase, or a grant not from the authority */
	KEYS_EINTEGRITY = -2, /* a ciphertext or MAC did not authenticate */
	KEYS_ELOCKED = -3,    /* no key for this class and epoch in the keyring */
	KEYS_EFORMAT = -4,    /* malformed input (length, version, algorithm) */
	KEYS_ENOMEM = -5,
	KEYS_ESYS = -6,       /* randomness, locking, or the library failed */
};

/* Field classes: which root key encrypts a field (security.md). The numbers are
 * stored on disk in every envelope and grant: never renumber. */
#define KEYS_CLASSES(X)                                                                            \
	X(RECORD, 0, "record")                                                                     \
	X(IDENTITY, 1, "identity")                                                                 \
	X(CONTACT, 2, "contact")                                                                   \
	X(PROGRAMME, 3, "programme")                                                               \
	X(FINANCE, 4, "finance")                                                                   \
	X(HEALTH, 5, "health")                                                                     \
	X(PROTECTED, 6, "protected")                                                               \
	X(NOTES, 7, "notes")                                                                       \
	X(AUDIT, 8, "audit")

enum key_class {
#define KEYS_CLASS_ENUM(name, num, str) KC_##name = (num),
	KEYS_CLASSES(KEYS_CLASS_ENUM)
#undef KEYS_CLASS_ENUM
	KC_COUNT,
	KC_NONE = 0xff, /* stored in clear (case header fields) */
};

/* The authority key (the store's granting key) travels in a grant of its own. */
#define KEYS_AUTHORITY_CLASS 0xfe
/* A succession: the next authority's public key, boxed from the previous
 * authority to each user, so that a keyslot pinned to the old authority can
 * move to the new one at its owner's next login (keyring_follow). */
#define KEYS_SUCCESSION_CLASS 0xfd

#define KEYS_ROLES(X)                                                                              \
	X(CASEWORKER, "caseworker")                                                                \
	X(HEALTH, "health")                                                                        \
	X(LEAD, "lead")                                                                            \
	X(ADMIN, "admin")                                                                          \
	X(ARCHIVE, "archive") /* receives blocked cases for the municipality's archive */

enum key_role {
#define KEYS_ROLE_ENUM(name, str) ROLE_##name,
	KEYS_ROLES(KEYS_ROLE_ENUM)
#undef KEYS_ROLE_ENUM
	ROLE_COUNT,
};

typedef uint32_t key_classes; /* bit (1u << class) */

const char *keys_class_name(enum key_class c);
int keys_class_parse(const char *s, enum key_class *out);
const char *keys_role_name(enum key_role r);
int keys_role_parse(const char *s, enum key_role *out);
/* The classes a role's users are granted (protected is also granted by name). */
key_classes keys_role_classes(enum key_role r);

#define KEYS_STORE_ID_BYTES 16
#define KEYS_PK_BYTES 32
#define KEYS_MAC_BYTES 32

/* Argon2id cost, stored in each keyslot. */
struct keys_kdf {
	uint64_t opslimit;
	uint64_t memlimit; /* bytes */
};
/* The default for new slots (opslimit 3, 256 MiB), lowered only by
 * MAPPE_KDF_OPSLIMIT / MAPPE_KDF_MEMLIMIT_MIB, and never below 2 / 64 MiB. */
void keys_kdf_default(struct keys_kdf *out);

/* Call once, first. Fails if libsodium cannot start. */
int keys_init(void);

/* Process hygiene: no core dumps, not ptrace-able by the same user; umask 007
 * when setgid (the deployment's group shares the store), else 077. */
int keys_harden_process(void);

/* Guarded, locked memory for plaintext (passphrases, decrypted fields),
 * aligned for any struct. Locking can fail (RLIMIT_MEMLOCK is 8 MiB for a
 * non-root user by default): the memory is still guarded and wiped on free,
 * but the kernel may swap it out. The first failure goes to syslog
 * (LOG_AUTH) once; keys_memory_unlocked() then says so, for the program to
 * warn its user. Keep single allocations well under the limit. */
void *keys_secure_alloc(size_t n);
bool keys_memory_unlocked(void);
void keys_secure_free(void *p); /* wipes; NULL is fine */
void keys_wipe(void *p, size_t n);
int keys_memeq(const void *a, const void *b, size_t n); /* constant time; 1 if equal */
void keys_random(void *buf, size_t n);
uint32_t keys_random_uniform(uint32_t upper);

/* Binding of a keyslot to its owner: changing any of these breaks the slot. */
struct keys_slot_ad {
	const uint8_t *store_id;     /* KEYS_STORE_ID_BYTES */
	const char *user;            /* login name */
	const uint8_t *user_pk;      /* KEYS_PK_BYTES */
	const uint8_t *authority_pk; /* pinned: grants must come from this key */
};

#define KEYS_SLOT_BYTES 108

/* A new user: fresh X25519 keypair, secret key sealed under the passphrase. */
int keys_slot_create(const char *pass, size_t passlen, const struct keys_kdf *kdf,
                     const uint8_t store_id[KEYS_STORE_ID_BYTES], const char *user,
                     const uint8_t authority_pk[KEYS_PK_BYTES], uint8_t pk_out[KEYS_PK_BYTES],
                     uint8_t slot_out[KEYS_SLOT_BYTES]);
/* Rewrap an existing slot under a new passphrase (passwd). */
int keys_slot_rewrap(const uint8_t slot[KEYS_SLOT_BYTES], const struct keys_slot_ad *ad,
                     const char *oldpass, size_t oldlen, const char *newpass, size_t newlen,
                     const struct keys_kdf *kdf, uint8_t slot_out[KEYS_SLOT_BYTES]);

/* What a user holds once unlocked: their secret key and the root keys their
 * grants open. Lives in sodium_malloc memory; keyring_free wipes it. */
typedef struct keyring keyring;

int keyring_unlock(const uint8_t slot[KEYS_SLOT_BYTES], const struct keys_slot_ad *ad,
                   const char *pass, size_t passlen, keyring **out);
void keyring_free(keyring *kr);

#define KEYS_GRANT_BYTES (24 + 16 + 2 + 4 + KEYS_STORE_ID_BYTES + 32)

/* Open a grant sealed to this user by the pinned authority and keep its key.
 * class is a key_class or KEYS_AUTHORITY_CLASS. */
int keyring_add_grant(keyring *kr, unsigned cls, uint32_t epoch,
                      const uint8_t grant[KEYS_GRANT_BYTES]);
int keyring_has(const keyring *kr, enum key_class c, uint32_t epoch);
/* Drop (and wipe) the key of (class, epoch), if held. */
void keyring_forget(keyring *kr, enum key_class c, uint32_t epoch);
int keyring_is_authority(const keyring *kr);
const uint8_t *keyring_store_id(const keyring *kr);

/* An empty keyring for a store being created: it holds the new authority key
 * and root keys, grants them to the first administrator, and is freed. */
int keyring_new(const uint8_t store_id[KEYS_STORE_ID_BYTES], keyring **out);

/* Store creation: a new authority keypair, and a fresh root key for a class
 * epoch, placed straight into the keyring (which must be the authority's). */
int keyring_new_authority(keyring *kr, uint8_t authority_pk_out[KEYS_PK_BYTES]);
int keyring_new_root(keyring *kr, enum key_class c, uint32_t epoch);

/* A MAC under a key only administrators hold (derived from the authority
 * key): what an administrator decided (a user's role, named grants,
 * revocation) cannot be edited in the file by anyone else. */
int keyring_authority_mac(const keyring *kr, const void *data, size_t len,
                          uint8_t mac[KEYS_MAC_BYTES]);
int keyring_authority_verify(const keyring *kr, const void *data, size_t len,
                             const uint8_t mac[KEYS_MAC_BYTES]);

/* A MAC under a key only this keyring's user holds (derived from their
 * secret key): what a user writes for themselves alone (their last login)
 * cannot be written for them by anyone else, colleagues included. */
int keyring_user_mac(const keyring *kr, const void *data, size_t len,
                     uint8_t mac[KEYS_MAC_BYTES]);
int keyring_user_verify(const keyring *kr, const void *data, size_t len,
                        const uint8_t mac[KEYS_MAC_BYTES]);

/* Authority rotation: a new authority keypair replaces the one the keyring
 * holds; the old secret is kept only to box the successions, until the
 * keyring is freed. Grants and MACs from now on are under the new key. */
int keyring_authority_succeed(keyring *kr, uint8_t new_pk_out[KEYS_PK_BYTES]);
/* End a succession: keep the new key and wipe the old one (the store took
 * it), or put the old one back (it did not). No-op without a succession. */
void keyring_authority_settle(keyring *kr, int keep_new);
/* Box the new authority's public key from the previous authority (after
 * keyring_authority_succeed) to a user: a KEYS_SUCCESSION_CLASS grant. */
int keyring_succession(const keyring *kr, uint32_t epoch, const uint8_t recipient_pk[KEYS_PK_BYTES],
                       uint8_t grant_out[KEYS_GRANT_BYTES]);
/* Move this keyring's pin from the authority it trusts to the next one: the
 * succession must open from the pinned authority and name expected_pk. */
int keyring_follow(keyring *kr, uint32_t epoch, const uint8_t grant[KEYS_GRANT_BYTES],
                   const uint8_t expected_pk[KEYS_PK_BYTES]);
/* Seal this keyring's user secret into a new keyslot (the passphrase must be
 * the one that opened it; one Argon2id run): re-pinning after a succession. */
int keyring_reseal_slot(const keyring *kr, const char *pass, size_t passlen,
                        const struct keys_kdf *kdf, const struct keys_slot_ad *ad,
                        uint8_t slot_out[KEYS_SLOT_BYTES]);

/* Is grant one the authority sealed to recipient_pk for (class, epoch)? A
 * box opens with either side's secret key, so the authority can tell a grant
 * it made from one planted in the file. 1 if so, 0 if not. Authority only. */
int keyring_grant_is_ours(const keyring *kr, unsigned cls, uint32_t epoch,
                          const uint8_t recipient_pk[KEYS_PK_BYTES],
                          const uint8_t grant[KEYS_GRANT_BYTES]);

/* Seal the key of (class, epoch), or the authority key, to a user's public key. */
int keyring_grant(const keyring *kr, unsigned cls, uint32_t epoch,
                  const uint8_t recipient_pk[KEYS_PK_BYTES], uint8_t grant_out[KEYS_GRANT_BYTES]);

/* A field's ciphertext:
 *   u8 version | u8 algorithm | u32 epoch | u16 class | 24-byte nonce |
 *   XChaCha20-Poly1305(sodium_pad(value, 32))
 * with the envelope header and the field's place as associated data. */
struct keys_place {
	uint64_t record;
	uint16_t field;   /* stable field number, never the label */
	uint32_t counter; /* the field's write counter */
};

#define KEYS_ENVELOPE_HEADER 32
#define KEYS_ENVELOPE_PAD 32
#define KEYS_ENVELOPE_MAX_VALUE (1u << 20)

size_t keys_envelope_size(size_t value_len);
int keys_seal(const keyring *kr, enum key_class c, uint32_t epoch, const struct keys_place *place,
              const void *value, size_t len, uint8_t *out, size_t outcap, size_t *outlen);
/* Peek at the class and epoch without decrypting (for locked-field display). */
int keys_envelope_info(const uint8_t *env, size_t envlen, enum key_class *c, uint32_t *epoch);
/* out must hold envlen bytes; *outlen receives the value length. */
int keys_open(const keyring *kr, const struct keys_place *place, const uint8_t *env,
              size_t envlen, uint8_t *out, size_t outcap, size_t *outlen);

/* A class envelope (store format 5): the same header with version 2, and
 * the value padded to a bucket: min (at least 32) for everything shorter,
 * above it the next multiple of a quarter of the power of two below the
 * length, so that its length says only which bucket the class's data fills. */
size_t keys_bucket(size_t len, size_t min);
size_t keys_bucket_envelope_size(size_t len, size_t min);
int keys_seal_bucket(const keyring *kr, enum key_class c, uint32_t epoch,
                     const struct keys_place *place, const void *value, size_t len, size_t min,
                     uint8_t *out, size_t outcap, size_t *outlen);
int keys_open_bucket(const keyring *kr, const struct keys_place *place, const uint8_t *env,
                     size_t envlen, uint8_t *out, size_t outcap, size_t *outlen);
/* A class envelope of an empty bucket that opens for nobody: the place of a
 * class written by a user without its key. No key needed; random bytes
 * after a real header, as a sealed envelope looks to anyone without the key. */
int keys_placeholder(enum key_class c, uint32_t epoch, size_t min, uint8_t *out, size_t outcap,
                     size_t *outlen);

/* Record headers are authenticated under the record class, which everyone holds. */
int keys_header_mac(const keyring *kr, uint32_t epoch, uint64_t record, const void *hdr,
                    size_t len, uint8_t mac[KEYS_MAC_BYTES]);
int keys_header_verify(const keyring *kr, uint32_t epoch, uint64_t record, const void *hdr,
                       size_t len, const uint8_t mac[KEYS_MAC_BYTES]);

/* Truncated keyed hash of a normalised national id under the identity class
 * key of an epoch: many ids share a bucket, so the tag alone reveals little. */
#define KEYS_BLIND_BITS 12
/* The tag and 16 more bits of the same keyed hash, kept beside the entry,
 * so that a look-up passes over the bucket's other numbers without
 * decrypting them (to anyone without the identity key, random). */
int keys_blind_index2(const keyring *kr, uint32_t epoch, const char *nid, size_t len,
                      uint16_t *tag, uint16_t *check);
int keys_blind_index(const keyring *kr, uint32_t epoch, const char *nid, size_t len,
                     uint16_t *tag);

/* The audit log (audit.c). The audit class's root key of an epoch derives a
 * keypair: writers seal a session key to its public half, holders of the
 * class open it; entries are XChaCha20-Poly1305 under the session key:
 *   nonce[24] | ciphertext | tag[16]. */
#define KEYS_AUDIT_KEY_BYTES 32
#define KEYS_AUDIT_SEALED_BYTES (48 + KEYS_AUDIT_KEY_BYTES)
#define KEYS_AUDIT_NONCE_BYTES 24
#define KEYS_AUDIT_TAG_BYTES 16
#define KEYS_HASH_BYTES 32
int keys_audit_pk(const keyring *kr, uint32_t epoch, uint8_t pk[KEYS_PK_BYTES]);
/* A fresh session key into key (KEYS_AUDIT_KEY_BYTES of secure memory),
 * sealed to pk. */
int keys_audit_session(const uint8_t pk[KEYS_PK_BYTES], uint8_t *key,
                       uint8_t sealed[KEYS_AUDIT_SEALED_BYTES]);
int keys_audit_session_open(const keyring *kr, uint32_t epoch,
                            const uint8_t sealed[KEYS_AUDIT_SEALED_BYTES], uint8_t *key);
/* out: KEYS_AUDIT_NONCE_BYTES + mlen + KEYS_AUDIT_TAG_BYTES; open's out: clen
 * minus both. */
int keys_audit_seal(const uint8_t *key, const void *ad, size_t adlen, const void *m, size_t mlen,
                    uint8_t *out);
int keys_audit_open(const uint8_t *key, const void *ad, size_t adlen, const uint8_t *c,
                    size_t clen, uint8_t *out);
/* BLAKE2b-256 of a then b: the chain's links. */
void keys_hash2(uint8_t out[KEYS_HASH_BYTES], const void *a, size_t alen, const void *b,
                size_t blen);

/* At most two Argon2id runs at once per store, and at most one of them per
 * Unix user: open-file-description locks on fd (the store's data file, open
 * for writing), on bytes from KEYS_KDF_LOCK_BASE up, which the caller must
 * use for nothing else. Waits at most wait_ms for a turn, then goes ahead
 * unthrottled: a stopped process may delay a login, never block it. The
 * user's own turn comes first, so one user's stopped derivations hold at
 * most one slot. KEYS_ESYS (hold empty) when the locks cannot be used at
 * all: no derivation then, rather than one that escapes the limit. */
#define KEYS_KDF_LOCK_BASE (((off_t)1 << 62) + 1024)
struct keys_kdf_hold {
	int fd;
	off_t user; /* the user's byte, or -1 */
	off_t slot; /* the slot's byte, or -1 when unthrottled */
};
int keys_kdf_lock(int fd, unsigned uid, long wait_ms, struct keys_kdf_hold *hold);
/* keys_kdf_lock that calls waiting(ctx) once, when it has to wait for a
 * turn: the login can say why it is slow ("waiting for other logins"). */
int keys_kdf_lock_notify(int fd, unsigned uid, long wait_ms, void (*waiting)(void *ctx),
                         void *ctx, struct keys_kdf_hold *hold);
void keys_kdf_unlock(struct keys_kdf_hold *hold);

/* SHA-256 of what fd holds from its start to its end (sha256.c), read with
 * pread; *size (if not NULL) the bytes read. KEYS_ESYS when a read fails
 * (errno says why). Not keyed: a checksum against damage, not an attacker. */
#define KEYS_SHA256_BYTES 32
int keys_sha256_fd(int fd, uint8_t out[KEYS_SHA256_BYTES], uint64_t *size);
/* SHA-256 of a buffer (an archive manifest's checksums). */
void keys_sha256(const void *data, size_t len, uint8_t out[KEYS_SHA256_BYTES]);

/* ---- the archive package (archive.c) ----------------------------------- */

/* The municipality's archive holds an X25519 keypair of its own, outside
 * any store: packages are sealed to its public key, and only its secret key
 * opens them.
 *   package: magic[8] "MAPPEAR1" | sealed stream key[80] (crypto_box_seal)
 *            | secretstream header[24] | chunks
 *   chunk:   u32 big-endian length | XChaCha20-Poly1305 secretstream message
 *            of up to KEYS_ARCHIVE_CHUNK bytes, the last one tagged FINAL
 * The plaintext is one byte stream (the caller's container); a chunk moved,
 * dropped, changed or cut off at the end fails to open. */
#define KEYS_ARCHIVE_SK_BYTES 32
#define KEYS_ARCHIVE_CHUNK (64u << 10)
/* A new archive keypair: sk into secure memory the caller gives. */
int keys_archive_keygen(uint8_t pk[KEYS_PK_BYTES], uint8_t *sk);
/* The public key of a secret key. */
int keys_archive_public(const uint8_t *sk, uint8_t pk[KEYS_PK_BYTES]);

typedef int (*keys_out_fn)(void *ctx, const void *p, size_t n);  /* 0 ok */
typedef int (*keys_in_fn)(void *ctx, void *p, size_t n); /* 0 ok: exactly n bytes read */
typedef struct keys_archive keys_archive;
/* A writer: the header goes to out at once; keys_archive_put buffers in
 * secure memory and seals a chunk each KEYS_ARCHIVE_CHUNK bytes;
 * keys_archive_end seals the rest as the final chunk. */
int keys_archive_writer(const uint8_t pk[KEYS_PK_BYTES], keys_out_fn out, void *ctx,
                        keys_archive **w);
int keys_archive_put(keys_archive *w, const void *p, size_t n);
int keys_archive_end(keys_archive *w);
/* A reader: KEYS_EAUTH when the sealed key does not open with sk (the wrong
 * key), KEYS_EINTEGRITY for any chunk that fails or a stream cut short.
 * keys_archive_get reads exactly n bytes of plaintext; *eof once the final
 * chunk is used up (n == 0 then asks only whether it is). */
int keys_archive_reader(const uint8_t *sk, keys_in_fn in, void *ctx, keys_archive **r);
int keys_archive_get(keys_archive *r, void *p, size_t n, bool *eof);
void keys_archive_free(keys_archive *a); /* wipes */

#endif
