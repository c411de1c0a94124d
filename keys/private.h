/* Private to keys/: the keyring's layout and the cost bounds. */
#ifndef MAPPE_KEYS_PRIVATE_H
#define MAPPE_KEYS_PRIVATE_H

#include <stdbool.h>
#include <stdint.h>

#include "keys/keys.h"

#include <sodium.h>

#define KEYS_KDF_OPS_DEFAULT 3u
#define KEYS_KDF_MEM_DEFAULT (256ull << 20)
#define KEYS_KDF_OPS_MIN 2u
#define KEYS_KDF_MEM_MIN (64ull << 20)
/* Refuse absurd stored parameters: a tampered slot must not exhaust the host. */
#define KEYS_KDF_OPS_MAX 16u
#define KEYS_KDF_MEM_MAX (4096ull << 20)

/* Root keys a keyring can hold: classes times live epochs, with room for a
 * rotation in flight. */
#define KEYS_MAX_ROOTS 64

struct root_key {
	uint8_t cls;
	uint32_t epoch;
	uint8_t field[32];  /* XChaCha20-Poly1305 key for field envelopes */
	uint8_t blind[32];  /* blind-index key (identity class) */
	uint8_t header[32]; /* record-header MAC key (record class) */
	/* HMAC's state after the key (both pads hashed): every header read
	 * (a hundred thousand at a list's load) starts from a copy of it. */
	crypto_auth_hmacsha512256_state header_mac;
	uint8_t root[32];   /* kept to grant it to others */
};

struct keyring {
	uint8_t store_id[KEYS_STORE_ID_BYTES];
	bool has_user;
	uint8_t user_sk[32];
	uint8_t user_pk[32];
	uint8_t authority_pk[32];
	bool has_authority;
	uint8_t authority_sk[32];
	bool has_previous; /* during an authority rotation: boxes the successions */
	uint8_t previous_pk[32];
	uint8_t previous_sk[32];
	unsigned nroots;
	struct root_key roots[KEYS_MAX_ROOTS];
};

/* ring.c: the root key of (class, epoch) this keyring holds, or NULL (audit.c). */
const struct root_key *keys_ring_root(const keyring *kr, unsigned cls, uint32_t epoch);

#endif
