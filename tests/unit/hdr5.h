/* A format-5 case value (store/record.c) as the tests that read one raw
 * walk it: the clear header (the caseworker's length at byte 30), the
 * sealed class table and its u16 length, the header MAC, then one envelope
 * a class, each after its length as a varint. Include after cmocka.h and
 * store/private.h. */
#ifndef MAPPE_TESTS_HDR5_H
#define MAPPE_TESTS_HDR5_H

#include <stddef.h>
#include <stdint.h>

/* Where the header MAC ends: the first class envelope's length. */
static inline size_t hdr5_mac_end(const uint8_t *v)
{
	size_t p = 31 + v[30];

	return p + 2 + rd16(v + p) + KEYS_MAC_BYTES;
}

/* Offset of class c's envelope (its length, *len, a varint of *k bytes,
 * comes first); a value without one fails the test. */
static inline size_t hdr5_class_at(const uint8_t *v, size_t vlen, enum key_class c, uint32_t *len,
                                   size_t *k)
{
	size_t p;

	assert_int_equal(v[0], HDR_FORMAT5);
	for (p = hdr5_mac_end(v); p < vlen;) {
		uint32_t n;
		size_t kk = st_len_get(v + p, vlen - p, &n);
		assert_true(kk > 0 && p + kk + n <= vlen);
		if (rd16(v + p + kk + 6) == c) {
			*len = n;
			*k = kk;
			return p;
		}
		p += kk + n;
	}
	fail_msg("no envelope of class %u", c);
	return 0;
}

#endif
