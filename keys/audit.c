/* audit.c: the keys of the audit log.
 *
 * Everyone writes entries, only holders of the audit class read them. So the
 * audit class's root key of an epoch also derives an X25519 keypair, whose
 * public half is published in the store: a writer makes a session key,
 * seals it to that public key once (crypto_box_seal) and encrypts its
 * entries under it with XChaCha20-Poly1305. A reader opens one sealed key per
 * session, not one public-key operation per entry. */
#include "keys/keys.h"
#include "keys/private.h"

#include <string.h>

#include <sodium.h>

_Static_assert(KEYS_AUDIT_SEALED_BYTES == crypto_box_SEALBYTES + KEYS_AUDIT_KEY_BYTES,
               "sealed session key");
_Static_assert(KEYS_AUDIT_NONCE_BYTES == crypto_aead_xchacha20poly1305_ietf_NPUBBYTES &&
                   KEYS_AUDIT_TAG_BYTES == crypto_aead_xchacha20poly1305_ietf_ABYTES,
               "entry AEAD");
_Static_assert(KEYS_HASH_BYTES == crypto_generichash_BYTES, "hash");

/* The keypair of (audit, epoch): sk may be NULL. */
static int audit_keypair(const keyring *kr, uint32_t epoch, uint8_t pk[32], uint8_t *sk)
{
	const struct root_key *r = keys_ring_root(kr, KC_AUDIT, epoch);
	uint8_t *seed, *tmp;
	int rc = KEYS_OK;

	if (!r)
		return KEYS_ELOCKED;
	seed = sodium_malloc(crypto_box_SEEDBYTES + crypto_box_SECRETKEYBYTES);
	if (!seed)
		return KEYS_ENOMEM;
	tmp = seed + crypto_box_SEEDBYTES;
	if (crypto_kdf_derive_from_key(seed, crypto_box_SEEDBYTES, 4, "mappeaud", r->root) != 0 ||
	    crypto_box_seed_keypair(pk, tmp, seed) != 0)
		rc = KEYS_ESYS;
	else if (sk)
		memcpy(sk, tmp, crypto_box_SECRETKEYBYTES);
	sodium_free(seed);
	return rc;
}

int keys_audit_pk(const keyring *kr, uint32_t epoch, uint8_t pk[KEYS_PK_BYTES])
{
	return audit_keypair(kr, epoch, pk, NULL);
}

int keys_audit_session(const uint8_t pk[KEYS_PK_BYTES], uint8_t *key,
                       uint8_t sealed[KEYS_AUDIT_SEALED_BYTES])
{
	randombytes_buf(key, KEYS_AUDIT_KEY_BYTES);
	if (crypto_box_seal(sealed, key, KEYS_AUDIT_KEY_BYTES, pk) != 0) {
		sodium_memzero(key, KEYS_AUDIT_KEY_BYTES);
		return KEYS_ESYS;
	}
	return KEYS_OK;
}

int keys_audit_session_open(const keyring *kr, uint32_t epoch,
                            const uint8_t sealed[KEYS_AUDIT_SEALED_BYTES], uint8_t *key)
{
	uint8_t pk[32], *sk = sodium_malloc(crypto_box_SECRETKEYBYTES);
	int rc;

	if (!sk)
		return KEYS_ENOMEM;
	rc = audit_keypair(kr, epoch, pk, sk);
	if (rc == KEYS_OK &&
	    crypto_box_seal_open(key, sealed, KEYS_AUDIT_SEALED_BYTES, pk, sk) != 0)
		rc = KEYS_EINTEGRITY;
	sodium_free(sk);
	return rc;
}

int keys_audit_seal(const uint8_t *key, const void *ad, size_t adlen, const void *m, size_t mlen,
                    uint8_t *out)
{
	unsigned long long clen;

	randombytes_buf(out, KEYS_AUDIT_NONCE_BYTES);
	if (crypto_aead_xchacha20poly1305_ietf_encrypt(out + KEYS_AUDIT_NONCE_BYTES, &clen, m, mlen,
	                                               ad, adlen, NULL, out, key) != 0)
		return KEYS_ESYS;
	return KEYS_OK;
}

int keys_audit_open(const uint8_t *key, const void *ad, size_t adlen, const uint8_t *c,
                    size_t clen, uint8_t *out)
{
	unsigned long long mlen;

	if (clen < KEYS_AUDIT_NONCE_BYTES + KEYS_AUDIT_TAG_BYTES)
		return KEYS_EFORMAT;
	if (crypto_aead_xchacha20poly1305_ietf_decrypt(
	        out, &mlen, NULL, c + KEYS_AUDIT_NONCE_BYTES, clen - KEYS_AUDIT_NONCE_BYTES, ad, adlen,
	        c, key) != 0)
		return KEYS_EINTEGRITY;
	return KEYS_OK;
}

void keys_hash2(uint8_t out[KEYS_HASH_BYTES], const void *a, size_t alen, const void *b,
                size_t blen)
{
	crypto_generichash_state h;

	crypto_generichash_init(&h, NULL, 0, KEYS_HASH_BYTES);
	crypto_generichash_update(&h, a, alen);
	crypto_generichash_update(&h, b, blen);
	crypto_generichash_final(&h, out, KEYS_HASH_BYTES);
}
