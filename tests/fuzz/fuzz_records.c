/* libFuzzer: the records a file writer controls, read back through the store.
 *
 * The first byte picks what the rest of the input becomes in a real store
 * (made once, MDB_NOSYNC so that each run costs no fsync):
 *   0  the header of case 1          -> store_case_get, store_notes_get
 *   1  a user record ("fuzz")        -> store_user_list, store_check's user pass
 *   2  a grant to the administrator  -> keyring_add_grant, st_refresh_grants
 *   3  the administrator's draft of case 1 -> store_draft_load, store_draft_list
 * Each run puts the original back, so runs do not depend on one another.
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
static uint8_t header[1024];
static size_t header_len;

static void setup(void)
{
	struct case_rec c;

	st = fuzz_store();
	case_init(&c);
	if (case_set(&c, F_given_name, "Olena", 5) || case_set(&c, F_family_name, "Shevchenko", 10) ||
	    store_case_insert(st, &c, 1, NULL) || store_note_add(st, 1, 0, false, "visit", 5) ||
	    store_draft_save(st, 1, &c, 1, "draft note", 10) ||
	    fuzz_save_header(st, header, sizeof header, &header_len))
		abort();
	case_clear(&c);
}

static void try_header(const uint8_t *p, size_t n)
{
	uint8_t k[8];
	struct case_rec c;
	struct note *notes = NULL;
	size_t nn = 0;

	be64(k, 1);
	fuzz_raw(st, DB_CASES, k, 8, p, n);
	case_init(&c);
	store_case_get(st, 1, &c);
	case_clear(&c);
	if (store_notes_get(st, 1, &notes, &nn) == M_OK)
		notes_free(notes, nn);
	fuzz_raw(st, DB_CASES, k, 8, header, header_len);
}

static void report(void *ctx, uint64_t id, const struct store_fault *what)
{
	(void)ctx;
	(void)id;
	(void)what;
}

static int users_txn(store *s, MDB_txn *txn, void *vctx)
{
	size_t broken = 0;

	(void)vctx;
	return st_check_users(s, txn, report, NULL, &broken);
}

static void try_user(const uint8_t *p, size_t n)
{
	struct store_user_info *users = NULL;
	size_t nu = 0;

	fuzz_raw(st, DB_USERS, "fuzz", 4, p, n);
	if (store_user_list(st, &users, &nu) == M_OK)
		free(users);
	st_txn(st, false, users_txn, NULL);
	fuzz_raw(st, DB_USERS, "fuzz", 4, NULL, 0);
}

static int refresh_txn(store *s, MDB_txn *txn, void *vctx)
{
	(void)vctx;
	return st_refresh_grants(s, txn);
}

static void try_grant(const uint8_t *p, size_t n)
{
	uint8_t g[KEYS_GRANT_BYTES] = {0}, k[6 + 6] = "admin";
	unsigned cls = n > 0 ? p[0] : 0;
	uint32_t epoch = n > 4 ? rd32(p + 1) : 2;

	if (n > 5)
		memcpy(g, p + 5, n - 5 < sizeof g ? n - 5 : sizeof g);
	keyring_add_grant(st->kr, cls, epoch, g);
	/* The same bytes as a grant in the file, at an epoch the keyring lacks. */
	k[5] = 0;
	k[6] = (uint8_t)cls;
	be32(k + 7, epoch < 2 ? 2 : epoch);
	fuzz_raw(st, DB_GRANTS, k, 11, p, n);
	st_txn(st, false, refresh_txn, NULL);
	fuzz_raw(st, DB_GRANTS, k, 11, NULL, 0);
}

static void try_draft(const uint8_t *p, size_t n)
{
	uint8_t k[6 + 8] = "admin";
	struct store_draft drafts[4];
	struct case_rec c;
	char *note = NULL;
	size_t notelen = 0, nd = 0;
	uint32_t base;

	k[5] = 0;
	be64(k + 6, 1);
	fuzz_raw(st, DB_DRAFTS, k, sizeof k, p, n);
	case_init(&c);
	store_draft_load(st, 1, &c, &base, &note, &notelen);
	keys_secure_free(note);
	case_clear(&c);
	store_draft_list(st, drafts, 4, &nd);
	fuzz_raw(st, DB_DRAFTS, k, sizeof k, NULL, 0);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (!st)
		setup();
	if (size == 0 || size > 4096)
		return 0;
	switch (data[0] & 3) {
	case 0: try_header(data + 1, size - 1); break;
	case 1: try_user(data + 1, size - 1); break;
	case 2: try_grant(data + 1, size - 1); break;
	default: try_draft(data + 1, size - 1); break;
	}
	return 0;
}
