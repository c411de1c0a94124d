/* ring.c: what an unlocked keyring does: grants, field envelopes, record-header
 * MACs and the national-id blind index. */
#include "keys/keys.h"
#include "keys/private.h"

#include <string.h>
#include <unistd.h>

#include <sodium.h>

enum { ENV_VERSION = 1, ENV_VERSION_BUCKET = 2, ENV_ALG_XCHACHA = 1 };

_Static_assert(KEYS_ENVELOPE_HEADER == 8 + crypto_aead_xchacha20poly1305_ietf_NPUBBYTES,
               "envelope header");
_Static_assert(KEYS_GRANT_BYTES == crypto_box_NONCEBYTES + crypto_box_MACBYTES + 54,
               "grant layout");

static void put_be16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static void put_be32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

static void put_be64(uint8_t *p, uint64_t v)
{
	put_be32(p, (uint32_t)(v >> 32));
	put_be32(p + 4, (uint32_t)v);
}

static uint16_t get_be16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static uint32_t get_be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static const struct root_key *find_root(const keyring *kr, unsigned cls, uint32_t epoch)
{
	for (unsigned i = 0; i < kr->nroots; i++)
		if (kr->roots[i].cls == cls && kr->roots[i].epoch == epoch)
			return &kr->roots[i];
	return NULL;
}

const struct root_key *keys_ring_root(const keyring *kr, unsigned cls, uint32_t epoch)
{
	return kr ? find_root(kr, cls, epoch) : NULL;
}

/* Derive the working keys once, when the root key arrives, so that sealing and
 * opening a field costs one AEAD call and no KDF. */
static int add_root(keyring *kr, unsigned cls, uint32_t epoch, const uint8_t root[32])
{
	struct root_key *r;

	if (find_root(kr, cls, epoch))
		return KEYS_OK;
	if (kr->nroots == KEYS_MAX_ROOTS)
		return KEYS_ENOMEM;
	r = &kr->roots[kr->nroots];
	r->cls = (uint8_t)cls;
	r->epoch = epoch;
	memcpy(r->root, root, 32);
	crypto_kdf_derive_from_key(r->field, 32, 1, "mappefld", root);
	crypto_kdf_derive_from_key(r->blind, 32, 2, "mappebix", root);
	crypto_kdf_derive_from_key(r->header, 32, 3, "mappehdr", root);
	crypto_auth_hmacsha512256_init(&r->header_mac, r->header, 32);
	kr->nroots++;
	return KEYS_OK;
}

int keyring_has(const keyring *kr, enum key_class c, uint32_t epoch)
{
	return find_root(kr, c, epoch) != NULL;
}

void keyring_forget(keyring *kr, enum key_class c, uint32_t epoch)
{
	for (unsigned i = 0; i < kr->nroots; i++) {
		if (kr->roots[i].cls != c || kr->roots[i].epoch != epoch)
			continue;
		kr->roots[i] = kr->roots[kr->nroots - 1];
		sodium_memzero(&kr->roots[kr->nroots - 1], sizeof kr->roots[0]);
		kr->nroots--;
		return;
	}
}

int keyring_is_authority(const keyring *kr)
{
	return kr->has_authority;
}

const uint8_t *keyring_store_id(const keyring *kr)
{
	return kr->store_id;
}

int keyring_new_authority(keyring *kr, uint8_t authority_pk_out[KEYS_PK_BYTES])
{
	crypto_box_keypair(kr->authority_pk, kr->authority_sk);
	kr->has_authority = true;
	memcpy(authority_pk_out, kr->authority_pk, KEYS_PK_BYTES);
	return KEYS_OK;
}

int keyring_new_root(keyring *kr, enum key_class c, uint32_t epoch)
{
	uint8_t *root = keys_secure_alloc(32);
	int rc;

	if (!root)
		return KEYS_ENOMEM;
	crypto_kdf_keygen(root);
	rc = add_root(kr, c, epoch, root);
	keys_secure_free(root);
	return rc;
}

/* Grant plaintext: u16 class | u32 epoch | store id[16] | key[32]. The class,
 * epoch and store travel inside the box, so a grant copied to another class,
 * epoch or store is refused. The box is from the authority's key, whose
 * public half is pinned in the recipient's keyslot: a key planted by anyone
 * else does not open. */
int keyring_grant(const keyring *kr, unsigned cls, uint32_t epoch,
                  const uint8_t recipient_pk[KEYS_PK_BYTES], uint8_t grant_out[KEYS_GRANT_BYTES])
{
	uint8_t *pt;
	const uint8_t *key;
	const struct root_key *r = NULL;

	if (!kr->has_authority)
		return KEYS_EAUTH;
	if (cls == KEYS_AUTHORITY_CLASS) {
		key = kr->authority_sk;
	} else {
		r = find_root(kr, cls, epoch);
		if (!r)
			return KEYS_ELOCKED;
		key = r->root;
	}
	pt = keys_secure_alloc(54);
	if (!pt)
		return KEYS_ENOMEM;
	put_be16(pt, (uint16_t)cls);
	put_be32(pt + 2, epoch);
	memcpy(pt + 6, kr->store_id, KEYS_STORE_ID_BYTES);
	memcpy(pt + 22, key, 32);
	randombytes_buf(grant_out, crypto_box_NONCEBYTES);
	int rc = crypto_box_easy(grant_out + crypto_box_NONCEBYTES, pt, 54, grant_out, recipient_pk,
	                         kr->authority_sk);
	keys_secure_free(pt);
	return rc == 0 ? KEYS_OK : KEYS_ESYS;
}

int keyring_authority_succeed(keyring *kr, uint8_t new_pk_out[KEYS_PK_BYTES])
{
	if (!kr->has_authority)
		return KEYS_EAUTH;
	memcpy(kr->previous_pk, kr->authority_pk, 32);
	memcpy(kr->previous_sk, kr->authority_sk, 32);
	kr->has_previous = true;
	crypto_box_keypair(kr->authority_pk, kr->authority_sk);
	memcpy(new_pk_out, kr->authority_pk, KEYS_PK_BYTES);
	return KEYS_OK;
}

void keyring_authority_settle(keyring *kr, int keep_new)
{
	if (!kr->has_previous)
		return;
	if (!keep_new) {
		memcpy(kr->authority_pk, kr->previous_pk, 32);
		memcpy(kr->authority_sk, kr->previous_sk, 32);
	}
	sodium_memzero(kr->previous_sk, 32);
	sodium_memzero(kr->previous_pk, 32);
	kr->has_previous = false;
}

/* The grant layout, with the new authority's public key as the key: the
 * class, epoch and store inside the box bind it as for any grant. */
int keyring_succession(const keyring *kr, uint32_t epoch, const uint8_t recipient_pk[KEYS_PK_BYTES],
                       uint8_t grant_out[KEYS_GRANT_BYTES])
{
	uint8_t pt[54];
	int rc;

	if (!kr->has_previous)
		return KEYS_EAUTH;
	put_be16(pt, KEYS_SUCCESSION_CLASS);
	put_be32(pt + 2, epoch);
	memcpy(pt + 6, kr->store_id, KEYS_STORE_ID_BYTES);
	memcpy(pt + 22, kr->authority_pk, 32);
	randombytes_buf(grant_out, crypto_box_NONCEBYTES);
	rc = crypto_box_easy(grant_out + crypto_box_NONCEBYTES, pt, sizeof pt, grant_out,
	                     recipient_pk, kr->previous_sk);
	return rc == 0 ? KEYS_OK : KEYS_ESYS;
}

int keyring_follow(keyring *kr, uint32_t epoch, const uint8_t grant[KEYS_GRANT_BYTES],
                   const uint8_t expected_pk[KEYS_PK_BYTES])
{
	uint8_t pt[54];
	int rc = KEYS_EAUTH;

	if (!kr->has_user)
		return KEYS_EAUTH;
	if (crypto_box_open_easy(pt, grant + crypto_box_NONCEBYTES,
	                         KEYS_GRANT_BYTES - crypto_box_NONCEBYTES, grant, kr->authority_pk,
	                         kr->user_sk) != 0)
		goto out;
	rc = KEYS_EINTEGRITY;
	if (get_be16(pt) != KEYS_SUCCESSION_CLASS || get_be32(pt + 2) != epoch ||
	    sodium_memcmp(pt + 6, kr->store_id, KEYS_STORE_ID_BYTES) != 0 ||
	    sodium_memcmp(pt + 22, expected_pk, 32) != 0)
		goto out;
	memcpy(kr->authority_pk, expected_pk, 32);
	/* An authority key held from before is no longer the authority. */
	if (kr->has_authority) {
		sodium_memzero(kr->authority_sk, 32);
		kr->has_authority = false;
	}
	rc = KEYS_OK;
out:
	sodium_memzero(pt, sizeof pt);
	return rc;
}

int keyring_grant_is_ours(const keyring *kr, unsigned cls, uint32_t epoch,
                          const uint8_t recipient_pk[KEYS_PK_BYTES],
                          const uint8_t grant[KEYS_GRANT_BYTES])
{
	uint8_t *pt;
	int ours = 0;

	if (!kr->has_authority || !(pt = sodium_malloc(54)))
		return 0;
	if (crypto_box_open_easy(pt, grant + crypto_box_NONCEBYTES,
	                         KEYS_GRANT_BYTES - crypto_box_NONCEBYTES, grant, recipient_pk,
	                         kr->authority_sk) == 0)
		ours = get_be16(pt) == cls && get_be32(pt + 2) == epoch &&
		       sodium_memcmp(pt + 6, kr->store_id, KEYS_STORE_ID_BYTES) == 0;
	sodium_free(pt);
	return ours;
}

int keyring_add_grant(keyring *kr, unsigned cls, uint32_t epoch,
                      const uint8_t grant[KEYS_GRANT_BYTES])
{
	uint8_t *pt;
	int rc = KEYS_EAUTH;

	if (!kr->has_user)
		return KEYS_EAUTH;
	pt = keys_secure_alloc(54);
	if (!pt)
		return KEYS_ENOMEM;
	if (crypto_box_open_easy(pt, grant + crypto_box_NONCEBYTES,
	                         KEYS_GRANT_BYTES - crypto_box_NONCEBYTES, grant, kr->authority_pk,
	                         kr->user_sk) != 0)
		goto out;
	if (get_be16(pt) != cls || get_be32(pt + 2) != epoch ||
	    sodium_memcmp(pt + 6, kr->store_id, KEYS_STORE_ID_BYTES) != 0) {
		rc = KEYS_EINTEGRITY;
		goto out;
	}
	if (cls == KEYS_AUTHORITY_CLASS) {
		uint8_t pk[32];
		crypto_scalarmult_base(pk, pt + 22);
		if (sodium_memcmp(pk, kr->authority_pk, 32) != 0) {
			rc = KEYS_EINTEGRITY;
			goto out;
		}
		memcpy(kr->authority_sk, pt + 22, 32);
		kr->has_authority = true;
		rc = KEYS_OK;
	} else if (cls < KC_COUNT) {
		rc = add_root(kr, cls, epoch, pt + 22);
	} else {
		rc = KEYS_EFORMAT;
	}
out:
	keys_secure_free(pt);
	return rc;
}

/* Nonces from getrandom() a page at a time, not one system call each (an
 * import seals five envelopes a case). They are public, so the pool needs
 * no locked memory; each is handed out once, and a forked child starts a
 * pool of its own rather than repeat its parent's. One thread, like the
 * rest of the store. */
static void nonce(uint8_t out[crypto_aead_xchacha20poly1305_ietf_NPUBBYTES])
{
	enum { POOL = 4096, N = crypto_aead_xchacha20poly1305_ietf_NPUBBYTES };
	static uint8_t pool[POOL];
	static size_t used = POOL;
	static pid_t owner;
	pid_t pid = getpid();

	if (used + N > POOL || owner != pid) {
		randombytes_buf(pool, POOL);
		used = 0;
		owner = pid;
	}
	memcpy(out, pool + used, N);
	sodium_memzero(pool + used, N);
	used += N;
}

/* ---- field envelopes ---------------------------------------------------- */

size_t keys_envelope_size(size_t value_len)
{
	/* sodium_pad always adds at least one byte, up to a whole block. */
	size_t padded = (value_len / KEYS_ENVELOPE_PAD + 1) * KEYS_ENVELOPE_PAD;
	return KEYS_ENVELOPE_HEADER + padded + crypto_aead_xchacha20poly1305_ietf_ABYTES;
}

/* AD = envelope header | store id | record | field | write counter. */
enum { AD_BYTES = KEYS_ENVELOPE_HEADER + KEYS_STORE_ID_BYTES + 8 + 2 + 4 };

static void place_ad(uint8_t ad[AD_BYTES], const uint8_t *hdr, const uint8_t *store_id,
                     const struct keys_place *place)
{
	memcpy(ad, hdr, KEYS_ENVELOPE_HEADER);
	memcpy(ad + KEYS_ENVELOPE_HEADER, store_id, KEYS_STORE_ID_BYTES);
	put_be64(ad + KEYS_ENVELOPE_HEADER + 16, place->record);
	put_be16(ad + KEYS_ENVELOPE_HEADER + 24, place->field);
	put_be32(ad + KEYS_ENVELOPE_HEADER + 26, place->counter);
}

static void envelope_header(uint8_t *out, uint8_t version, enum key_class c, uint32_t epoch)
{
	out[0] = version;
	out[1] = ENV_ALG_XCHACHA;
	put_be32(out + 2, epoch);
	put_be16(out + 6, (uint16_t)c);
	nonce(out + 8);
}

/* Seal value padded to a multiple of block (at most max bytes padded), in
 * place (libsodium allows c == m): a field envelope (version 1, blocks of
 * 32, so that the length says little about a name's) or a class envelope
 * (version 2, one block of the bucket's size). */
static int seal_padded(const keyring *kr, uint8_t version, enum key_class c, uint32_t epoch,
                       const struct keys_place *place, const void *value, size_t len,
                       size_t block, size_t max, uint8_t *out, size_t *outlen)
{
	const struct root_key *r = find_root(kr, c, epoch);
	uint8_t ad[AD_BYTES];
	size_t padded;
	unsigned long long clen;
	uint8_t *body = out + KEYS_ENVELOPE_HEADER;

	if (!r)
		return KEYS_ELOCKED;
	envelope_header(out, version, c, epoch);
	place_ad(ad, out, kr->store_id, place);
	memmove(body, value, len);
	if (sodium_pad(&padded, body, len, block, max) != 0)
		return KEYS_EFORMAT;
	crypto_aead_xchacha20poly1305_ietf_encrypt(body, &clen, body, padded, ad, sizeof ad, NULL,
	                                           out + 8, r->field);
	*outlen = KEYS_ENVELOPE_HEADER + (size_t)clen;
	return KEYS_OK;
}

int keys_seal(const keyring *kr, enum key_class c, uint32_t epoch, const struct keys_place *place,
              const void *value, size_t len, uint8_t *out, size_t outcap, size_t *outlen)
{
	if (!find_root(kr, c, epoch))
		return KEYS_ELOCKED;
	if (len > KEYS_ENVELOPE_MAX_VALUE || outcap < keys_envelope_size(len))
		return KEYS_EFORMAT;
	return seal_padded(kr, ENV_VERSION, c, epoch, place, value, len, KEYS_ENVELOPE_PAD,
	                   outcap - KEYS_ENVELOPE_HEADER - crypto_aead_xchacha20poly1305_ietf_ABYTES,
	                   out, outlen);
}

int keys_envelope_info(const uint8_t *env, size_t envlen, enum key_class *c, uint32_t *epoch)
{
	if (envlen < keys_envelope_size(0) ||
	    (env[0] != ENV_VERSION && env[0] != ENV_VERSION_BUCKET) || env[1] != ENV_ALG_XCHACHA)
		return KEYS_EFORMAT;
	if (get_be16(env + 6) >= KC_COUNT)
		return KEYS_EFORMAT;
	*c = (enum key_class)get_be16(env + 6);
	*epoch = get_be32(env + 2);
	return KEYS_OK;
}

/* Open an envelope of this version; a class envelope's padding is one
 * block of its whole length, a field envelope's blocks of 32. */
static int open_padded(const keyring *kr, uint8_t version, const struct keys_place *place,
                       const uint8_t *env, size_t envlen, uint8_t *out, size_t outcap,
                       size_t *outlen)
{
	enum key_class c;
	uint32_t epoch;
	const struct root_key *r;
	uint8_t ad[AD_BYTES];
	unsigned long long mlen;
	size_t unpadded;
	int rc = keys_envelope_info(env, envlen, &c, &epoch);

	if (rc)
		return rc;
	if (env[0] != version)
		return KEYS_EFORMAT;
	r = find_root(kr, c, epoch);
	if (!r)
		return KEYS_ELOCKED;
	if (outcap < envlen - KEYS_ENVELOPE_HEADER - crypto_aead_xchacha20poly1305_ietf_ABYTES)
		return KEYS_EFORMAT;
	place_ad(ad, env, kr->store_id, place);
	if (crypto_aead_xchacha20poly1305_ietf_decrypt(
		out, &mlen, NULL, env + KEYS_ENVELOPE_HEADER, envlen - KEYS_ENVELOPE_HEADER, ad,
		sizeof ad, env + 8, r->field) != 0)
		return KEYS_EINTEGRITY;
	size_t block = version == ENV_VERSION ? KEYS_ENVELOPE_PAD : (size_t)mlen;
	if (mlen == 0 || sodium_unpad(&unpadded, out, (size_t)mlen, block) != 0) {
		sodium_memzero(out, (size_t)mlen);
		return KEYS_EINTEGRITY;
	}
	*outlen = unpadded;
	return KEYS_OK;
}

int keys_open(const keyring *kr, const struct keys_place *place, const uint8_t *env,
              size_t envlen, uint8_t *out, size_t outcap, size_t *outlen)
{
	return open_padded(kr, ENV_VERSION, place, env, envlen, out, outcap, outlen);
}

/* ---- class envelopes (store format 5) ------------------------------------- */

size_t keys_bucket(size_t len, size_t min)
{
	size_t floor = min < KEYS_ENVELOPE_PAD ? KEYS_ENVELOPE_PAD : min;
	size_t n = len + 1, p = 1; /* sodium_pad needs one byte beyond the value */

	if (n <= floor)
		return floor;
	/* Above the floor, a quarter of the power of two below: at most 25%
	 * padding, and a length known only to within that step. */
	while (p * 2 < n)
		p *= 2;
	size_t step = p < 4 ? 1 : p / 4;
	return (n + step - 1) / step * step;
}

size_t keys_bucket_envelope_size(size_t len, size_t min)
{
	return KEYS_ENVELOPE_HEADER + keys_bucket(len, min) +
	       crypto_aead_xchacha20poly1305_ietf_ABYTES;
}

int keys_seal_bucket(const keyring *kr, enum key_class c, uint32_t epoch,
                     const struct keys_place *place, const void *value, size_t len, size_t min,
                     uint8_t *out, size_t outcap, size_t *outlen)
{
	size_t bucket = keys_bucket(len, min);

	if (!find_root(kr, c, epoch))
		return KEYS_ELOCKED;
	if (len > KEYS_ENVELOPE_MAX_VALUE || outcap < keys_bucket_envelope_size(len, min))
		return KEYS_EFORMAT;
	return seal_padded(kr, ENV_VERSION_BUCKET, c, epoch, place, value, len, bucket, bucket, out,
	                   outlen);
}

int keys_placeholder(enum key_class c, uint32_t epoch, size_t min, uint8_t *out, size_t outcap,
                     size_t *outlen)
{
	size_t n = keys_bucket_envelope_size(0, min);

	if (outcap < n)
		return KEYS_EFORMAT;
	envelope_header(out, ENV_VERSION_BUCKET, c, epoch);
	randombytes_buf(out + KEYS_ENVELOPE_HEADER, n - KEYS_ENVELOPE_HEADER);
	*outlen = n;
	return KEYS_OK;
}

int keys_open_bucket(const keyring *kr, const struct keys_place *place, const uint8_t *env,
                     size_t envlen, uint8_t *out, size_t outcap, size_t *outlen)
{
	return open_padded(kr, ENV_VERSION_BUCKET, place, env, envlen, out, outcap, outlen);
}

/* ---- record headers and the blind index --------------------------------- */

static int header_tag(const keyring *kr, uint32_t epoch, uint64_t record, const void *hdr,
                      size_t len, uint8_t mac[KEYS_MAC_BYTES])
{
	const struct root_key *r = find_root(kr, KC_RECORD, epoch);
	crypto_auth_hmacsha512256_state st;
	uint8_t pre[13 + KEYS_STORE_ID_BYTES + 8 + 4];

	if (!r)
		return KEYS_ELOCKED;
	memcpy(pre, "mappe-hdr-v1:", 13);
	memcpy(pre + 13, kr->store_id, KEYS_STORE_ID_BYTES);
	put_be64(pre + 13 + 16, record);
	put_be32(pre + 13 + 24, epoch);
	st = r->header_mac;
	crypto_auth_hmacsha512256_update(&st, pre, sizeof pre);
	crypto_auth_hmacsha512256_update(&st, hdr, len);
	crypto_auth_hmacsha512256_final(&st, mac);
	return KEYS_OK;
}

int keys_header_mac(const keyring *kr, uint32_t epoch, uint64_t record, const void *hdr,
                    size_t len, uint8_t mac[KEYS_MAC_BYTES])
{
	return header_tag(kr, epoch, record, hdr, len, mac);
}

int keys_header_verify(const keyring *kr, uint32_t epoch, uint64_t record, const void *hdr,
                       size_t len, const uint8_t mac[KEYS_MAC_BYTES])
{
	uint8_t want[KEYS_MAC_BYTES];
	int rc = header_tag(kr, epoch, record, hdr, len, want);

	if (rc)
		return rc;
	return sodium_memcmp(want, mac, KEYS_MAC_BYTES) == 0 ? KEYS_OK : KEYS_EINTEGRITY;
}

int keys_blind_index2(const keyring *kr, uint32_t epoch, const char *nid, size_t len,
                      uint16_t *tag, uint16_t *check)
{
	const struct root_key *r = find_root(kr, KC_IDENTITY, epoch);
	uint8_t h[16];

	if (!r)
		return KEYS_ELOCKED;
	crypto_generichash(h, sizeof h, (const uint8_t *)nid, len, r->blind, 32);
	*tag = (uint16_t)(get_be16(h) & ((1u << KEYS_BLIND_BITS) - 1));
	if (check)
		*check = get_be16(h + 2);
	sodium_memzero(h, sizeof h);
	return KEYS_OK;
}

int keys_blind_index(const keyring *kr, uint32_t epoch, const char *nid, size_t len,
                     uint16_t *tag)
{
	return keys_blind_index2(kr, epoch, nid, len, tag, NULL);
}

/* ---- the authority's MAC ------------------------------------------------ */

/* A MAC under a key derived from one of the keyring's secret keys: the
 * authority's (what only administrators may write) or the user's own
 * (what only they may write for themselves). */
static int derived_mac(bool has, const uint8_t sk[32], const char *context, const void *data,
                       size_t len, uint8_t mac[KEYS_MAC_BYTES])
{
	uint8_t key[32];

	if (!has)
		return KEYS_EAUTH;
	crypto_generichash(key, sizeof key, (const uint8_t *)context, strlen(context), sk, 32);
	crypto_auth_hmacsha512256(mac, data, len, key);
	sodium_memzero(key, sizeof key);
	return KEYS_OK;
}

static int derived_verify(bool has, const uint8_t sk[32], const char *context, const void *data,
                          size_t len, const uint8_t mac[KEYS_MAC_BYTES])
{
	uint8_t want[KEYS_MAC_BYTES];
	int rc = derived_mac(has, sk, context, data, len, want);

	if (rc)
		return rc;
	rc = sodium_memcmp(want, mac, KEYS_MAC_BYTES) == 0 ? KEYS_OK : KEYS_EINTEGRITY;
	sodium_memzero(want, sizeof want);
	return rc;
}

int keyring_authority_mac(const keyring *kr, const void *data, size_t len,
                          uint8_t mac[KEYS_MAC_BYTES])
{
	return derived_mac(kr->has_authority, kr->authority_sk, "mappe-authority-mac-v1", data, len,
	                   mac);
}

int keyring_authority_verify(const keyring *kr, const void *data, size_t len,
                             const uint8_t mac[KEYS_MAC_BYTES])
{
	return derived_verify(kr->has_authority, kr->authority_sk, "mappe-authority-mac-v1", data,
	                      len, mac);
}

int keyring_user_mac(const keyring *kr, const void *data, size_t len, uint8_t mac[KEYS_MAC_BYTES])
{
	return derived_mac(kr->has_user, kr->user_sk, "mappe-user-mac-v1", data, len, mac);
}

int keyring_user_verify(const keyring *kr, const void *data, size_t len,
                        const uint8_t mac[KEYS_MAC_BYTES])
{
	return derived_verify(kr->has_user, kr->user_sk, "mappe-user-mac-v1", data, len, mac);
}
