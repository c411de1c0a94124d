/* libFuzzer: an envelope from the file is attacker-controlled; opening it
 * must fail cleanly, never read or write out of bounds. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "keys/keys.h"

static keyring *kr;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const uint8_t store_id[KEYS_STORE_ID_BYTES] = {1};
	const struct keys_place place = {1, 10, 1};
	uint8_t *out = malloc(size + 1);
	enum key_class c;
	uint32_t epoch;
	size_t n;

	if (!kr) {
		uint8_t pk[KEYS_PK_BYTES];
		if (keys_init() || keyring_new(store_id, &kr) || keyring_new_authority(kr, pk))
			abort();
		for (unsigned k = 0; k < KC_COUNT; k++)
			keyring_new_root(kr, (enum key_class)k, 1);
	}
	if (!out)
		return 0;
	keys_envelope_info(data, size, &c, &epoch);
	keys_open(kr, &place, data, size, out, size, &n);
	free(out);
	return 0;
}
