/* sha256.c: SHA-256 of a file or a buffer, for checksums an administrator
 * also checks with coreutils (sha256sum -c): a backup's, and those in an
 * archive package's manifest (sealed with what they sum). Not keyed: a
 * check against damage. Here because only keys/ includes <sodium.h>. */
#include "keys/keys.h"

#include <errno.h>
#include <unistd.h>

#include <sodium.h>

_Static_assert(KEYS_SHA256_BYTES == crypto_hash_sha256_BYTES, "SHA-256");

int keys_sha256_fd(int fd, uint8_t out[KEYS_SHA256_BYTES], uint64_t *size)
{
	crypto_hash_sha256_state s;
	unsigned char buf[1 << 15];
	uint64_t n = 0;
	off_t at = 0;

	crypto_hash_sha256_init(&s);
	for (;;) {
		ssize_t r = pread(fd, buf, sizeof buf, at);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			return KEYS_ESYS;
		if (r == 0)
			break;
		crypto_hash_sha256_update(&s, buf, (unsigned long long)r);
		at += r;
		n += (uint64_t)r;
	}
	crypto_hash_sha256_final(&s, out);
	if (size)
		*size = n;
	return KEYS_OK;
}

void keys_sha256(const void *data, size_t len, uint8_t out[KEYS_SHA256_BYTES])
{
	crypto_hash_sha256(out, data, len);
}
