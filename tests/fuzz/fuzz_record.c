/* libFuzzer: store format 5's parsers (record.c), where a file writer or a
 * key holder controls the bytes.
 *
 * The first byte picks what the rest of the input becomes:
 *   0  a class plaintext              -> st_class_each
 *   1  a case value, no key           -> st_hdr5_raw_epochs (rotation's scan)
 *   2  the envelopes behind case 1's authentic header, class table and MAC
 *      (what no MAC covers)           -> store_case_get, the national-id
 *      look-up, a save, mappe check
 *   3  the identity class plaintext of case 1, sealed under the real key
 *      (what an identity key holder could write) -> the same
 * A real store is made once (MDB_NOSYNC); each run puts case 1 back.
 * Nothing may crash, leak or read out of bounds; every refusal is a status. */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "store/private.h"
#include "store/store.h"
#include "tests/fuzz/store.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static store *st;
static uint8_t header[4096];
static size_t header_len, prefix_len;
static const char nid[] = "03029012345";

static void put_case(const void *v, size_t vlen)
{
	uint8_t k[8];

	be64(k, 1);
	fuzz_raw(st, DB_CASES, k, 8, v, vlen);
}

static void setup(void)
{
	struct case_rec c;

	st = fuzz_store();
	case_init(&c);
	if (case_set(&c, F_given_name, "Olena", 5) || case_set(&c, F_family_name, "Shevchenko", 10) ||
	    case_set(&c, F_national_id, nid, strlen(nid)) ||
	    case_set(&c, F_health_needs, "astma", 5) || store_case_insert(st, &c, 1, NULL) ||
	    fuzz_save_header(st, header, sizeof header, &header_len))
		abort();
	case_clear(&c);
	prefix_len = 31 + header[30];
	prefix_len += 2 + rd16(header + prefix_len) + KEYS_MAC_BYTES;
}

static int each_one(void *ctx, unsigned number, uint32_t item, const uint8_t *v, size_t len)
{
	volatile uint8_t sum = 0;

	(void)ctx;
	(void)number;
	(void)item;
	for (size_t i = 0; i < len; i++)
		sum ^= v[i];
	return 0;
}

static void epoch_one(void *ctx, enum key_class c, uint32_t epoch)
{
	(void)ctx;
	(void)c;
	(void)epoch;
}

static void report(void *ctx, uint64_t id, const struct store_fault *what)
{
	(void)ctx;
	(void)id;
	(void)what;
}

/* Everything that reads case 1. */
static void exercise(void)
{
	struct case_rec c;
	uint64_t *ids = NULL;
	size_t n = 0, checked = 0;

	case_init(&c);
	if (store_case_get(st, 1, &c) == M_OK) {
		/* A save re-seals the identity class over what it holds. */
		if (case_set(&c, F_given_name, "Oksana", 6) == 0)
			store_case_update(st, &c, c.version);
	}
	case_clear(&c);
	if (store_find_national_id(st, nid, &ids, &n) == M_OK)
		free(ids);
	store_check(st, report, NULL, &checked);
}

struct blob {
	const uint8_t *p;
	size_t n;
};

static int seal_txn(store *s, MDB_txn *txn, void *vctx)
{
	struct blob *b = vctx;
	struct rec_header h;
	uint8_t *owned = NULL;
	int rc = st_hdr_read(s, txn, 1, &h);

	if (rc)
		return rc;
	rc = st_class_seal(s, 1, &h, KC_IDENTITY, b->p, b->n, &owned);
	if (rc == M_OK)
		rc = st_hdr_write(s, txn, 1, &h);
	free(owned);
	return rc;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static uint8_t v[sizeof header + 4096];
	uint32_t epoch;

	if (!st)
		setup();
	if (size == 0 || size > 4096)
		return 0;
	switch (data[0] & 3) {
	case 0:
		st_class_each(data + 1, size - 1, each_one, NULL);
		break;
	case 1:
		st_hdr5_raw_epochs(data + 1, size - 1, &epoch, epoch_one, NULL);
		break;
	case 2:
		memcpy(v, header, prefix_len);
		memcpy(v + prefix_len, data + 1, size - 1);
		put_case(v, prefix_len + size - 1);
		exercise();
		put_case(header, header_len);
		break;
	default: {
		struct blob b = {data + 1, size - 1};
		if (st_txn(st, true, seal_txn, &b) == M_OK)
			exercise();
		put_case(header, header_len);
		break;
	}
	}
	return 0;
}
