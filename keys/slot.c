/* slot.c: keyslots, a user's X25519 secret key sealed under their passphrase.
 *
 *   0  u8  version (1)          4  u64 opslimit (BE)    20 salt[16]
 *   1  u8  algorithm (1)        12 u64 memlimit (BE)    36 nonce[24]
 *   2  u16 reserved (0)                                 60 XChaCha20-Poly1305(sk)[48]
 *
 * The Argon2id parameters live in the slot (libsodium's advice), so raising
 * the default later leaves old slots openable. Everything before the
 * ciphertext, and the slot's owner (store, user name, public key, pinned
 * authority key), is associated data: a slot moved to another user or store,
 * or with its cost lowered, does not open.
 */
#include "keys/keys.h"
#include "keys/private.h"

#include <string.h>

#include <sodium.h>

enum { SLOT_VERSION = 1, SLOT_ALG = 1, SLOT_HDR = 60 };

_Static_assert(SLOT_HDR + 32 + crypto_aead_xchacha20poly1305_ietf_ABYTES == KEYS_SLOT_BYTES,
               "slot layout");
_Static_assert(crypto_pwhash_SALTBYTES == 16, "salt size");

static void put_be64(uint8_t *p, uint64_t v)
{
	for (int i = 7; i >= 0; i--, v >>= 8)
		p[i] = (uint8_t)v;
}

static uint64_t get_be64(const uint8_t *p)
{
	uint64_t v = 0;
	for (int i = 0; i < 8; i++)
		v = (v << 8) | p[i];
	return v;
}

/* The associated data: slot header, then the owner. The user name is
 * length-prefixed so that no two owners serialise alike. */
static void slot_ad(crypto_generichash_state *h, const uint8_t *slot,
                    const struct keys_slot_ad *ad)
{
	uint8_t n = (uint8_t)strnlen(ad->user, 255);

	crypto_generichash_init(h, NULL, 0, 32);
	crypto_generichash_update(h, (const uint8_t *)"mappe-slot-v1", 13);
	crypto_generichash_update(h, slot, SLOT_HDR);
	crypto_generichash_update(h, ad->store_id, KEYS_STORE_ID_BYTES);
	crypto_generichash_update(h, &n, 1);
	crypto_generichash_update(h, (const uint8_t *)ad->user, n);
	crypto_generichash_update(h, ad->user_pk, KEYS_PK_BYTES);
	crypto_generichash_update(h, ad->authority_pk, KEYS_PK_BYTES);
}

static int slot_seal(const uint8_t sk[32], const char *pass, size_t passlen,
                     const struct keys_kdf *kdf, const struct keys_slot_ad *ad,
                     uint8_t slot[KEYS_SLOT_BYTES])
{
	uint8_t *key = keys_secure_alloc(32);
	crypto_generichash_state h;
	uint8_t adh[32];
	int rc = KEYS_ESYS;

	if (!key)
		return KEYS_ENOMEM;
	if (kdf->opslimit < KEYS_KDF_OPS_MIN || kdf->memlimit < KEYS_KDF_MEM_MIN ||
	    kdf->opslimit > KEYS_KDF_OPS_MAX || kdf->memlimit > KEYS_KDF_MEM_MAX) {
		rc = KEYS_EFORMAT;
		goto out;
	}
	memset(slot, 0, KEYS_SLOT_BYTES);
	slot[0] = SLOT_VERSION;
	slot[1] = SLOT_ALG;
	put_be64(slot + 4, kdf->opslimit);
	put_be64(slot + 12, kdf->memlimit);
	randombytes_buf(slot + 20, 16);
	randombytes_buf(slot + 36, 24);
	/* The parameters are checked above, so a failure is Argon2id not
	 * getting its memory. */
	rc = KEYS_ENOMEM;
	if (crypto_pwhash(key, 32, pass, passlen, slot + 20, kdf->opslimit,
	                  (size_t)kdf->memlimit, crypto_pwhash_ALG_ARGON2ID13) != 0)
		goto out;
	slot_ad(&h, slot, ad);
	crypto_generichash_final(&h, adh, sizeof adh);
	crypto_aead_xchacha20poly1305_ietf_encrypt(slot + SLOT_HDR, NULL, sk, 32, adh, sizeof adh,
	                                           NULL, slot + 36, key);
	rc = KEYS_OK;
out:
	keys_secure_free(key);
	return rc;
}

/* Opens a slot into sk (secure memory, 32 bytes). */
static int slot_open(const uint8_t slot[KEYS_SLOT_BYTES], const struct keys_slot_ad *ad,
                     const char *pass, size_t passlen, uint8_t *sk)
{
	uint64_t ops = get_be64(slot + 4), mem = get_be64(slot + 12);
	uint8_t *key;
	crypto_generichash_state h;
	uint8_t adh[32], pk[32];
	int rc;

	if (slot[0] != SLOT_VERSION || slot[1] != SLOT_ALG)
		return KEYS_EFORMAT;
	if (ops < KEYS_KDF_OPS_MIN || mem < KEYS_KDF_MEM_MIN || ops > KEYS_KDF_OPS_MAX ||
	    mem > KEYS_KDF_MEM_MAX)
		return KEYS_EFORMAT;
	key = keys_secure_alloc(32);
	if (!key)
		return KEYS_ENOMEM;
	/* As in slot_seal: with the parameters in range, only memory is missing.
	 * That is no sign of tampering and must not be reported as one. */
	rc = KEYS_ENOMEM;
	if (crypto_pwhash(key, 32, pass, passlen, slot + 20, ops, (size_t)mem,
	                  crypto_pwhash_ALG_ARGON2ID13) != 0)
		goto out;
	slot_ad(&h, slot, ad);
	crypto_generichash_final(&h, adh, sizeof adh);
	rc = KEYS_EAUTH;
	if (crypto_aead_xchacha20poly1305_ietf_decrypt(sk, NULL, NULL, slot + SLOT_HDR,
	                                               KEYS_SLOT_BYTES - SLOT_HDR, adh, sizeof adh,
	                                               slot + 36, key) != 0)
		goto out;
	/* The slot must hold the secret half of the public key it claims. */
	crypto_scalarmult_base(pk, sk);
	if (sodium_memcmp(pk, ad->user_pk, 32) != 0) {
		sodium_memzero(sk, 32);
		rc = KEYS_EINTEGRITY;
		goto out;
	}
	rc = KEYS_OK;
out:
	keys_secure_free(key);
	return rc;
}

int keys_slot_create(const char *pass, size_t passlen, const struct keys_kdf *kdf,
                     const uint8_t store_id[KEYS_STORE_ID_BYTES], const char *user,
                     const uint8_t authority_pk[KEYS_PK_BYTES], uint8_t pk_out[KEYS_PK_BYTES],
                     uint8_t slot_out[KEYS_SLOT_BYTES])
{
	uint8_t *sk = keys_secure_alloc(32);
	int rc;

	if (!sk)
		return KEYS_ENOMEM;
	crypto_box_keypair(pk_out, sk);
	const struct keys_slot_ad ad = {store_id, user, pk_out, authority_pk};
	rc = slot_seal(sk, pass, passlen, kdf, &ad, slot_out);
	keys_secure_free(sk);
	return rc;
}

int keys_slot_rewrap(const uint8_t slot[KEYS_SLOT_BYTES], const struct keys_slot_ad *ad,
                     const char *oldpass, size_t oldlen, const char *newpass, size_t newlen,
                     const struct keys_kdf *kdf, uint8_t slot_out[KEYS_SLOT_BYTES])
{
	uint8_t *sk = keys_secure_alloc(32);
	int rc;

	if (!sk)
		return KEYS_ENOMEM;
	rc = slot_open(slot, ad, oldpass, oldlen, sk);
	if (rc == KEYS_OK)
		rc = slot_seal(sk, newpass, newlen, kdf, ad, slot_out);
	keys_secure_free(sk);
	return rc;
}

int keyring_new(const uint8_t store_id[KEYS_STORE_ID_BYTES], keyring **out)
{
	keyring *kr = keys_secure_alloc(sizeof *kr);

	if (!kr)
		return KEYS_ENOMEM;
	memset(kr, 0, sizeof *kr);
	memcpy(kr->store_id, store_id, KEYS_STORE_ID_BYTES);
	*out = kr;
	return KEYS_OK;
}

int keyring_unlock(const uint8_t slot[KEYS_SLOT_BYTES], const struct keys_slot_ad *ad,
                   const char *pass, size_t passlen, keyring **out)
{
	keyring *kr;
	int rc = keyring_new(ad->store_id, &kr);

	if (rc)
		return rc;
	rc = slot_open(slot, ad, pass, passlen, kr->user_sk);
	if (rc) {
		keyring_free(kr);
		return rc;
	}
	kr->has_user = true;
	memcpy(kr->user_pk, ad->user_pk, 32);
	memcpy(kr->authority_pk, ad->authority_pk, 32);
	*out = kr;
	return KEYS_OK;
}

void keyring_free(keyring *kr)
{
	if (kr)
		keys_secure_free(kr); /* sodium_free wipes before unmapping */
}

int keyring_reseal_slot(const keyring *kr, const char *pass, size_t passlen,
                        const struct keys_kdf *kdf, const struct keys_slot_ad *ad,
                        uint8_t slot_out[KEYS_SLOT_BYTES])
{
	if (!kr->has_user || sodium_memcmp(ad->user_pk, kr->user_pk, 32) != 0)
		return KEYS_EAUTH;
	return slot_seal(kr->user_sk, pass, passlen, kdf, ad, slot_out);
}
