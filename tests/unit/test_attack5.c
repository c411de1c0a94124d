/* An attacker's review of store format 5 (issue 8): someone who can write
 * data.mdb, with no key or with the record key every user holds, moves
 * ciphertexts that authenticate somewhere else into the place of a case's
 * data. Every attack is made on the raw LMDB file through st_txn
 * (store/private.h); every defence is observed through the public API and
 * mappe check.
 *
 * All values are invented and never printed. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store/private.h"
#include "store/store.h"
#include "tests/unit/fixture.h"
#include "tests/unit/hdr5.h"
#include "tests/unit/raw.h"

static const char admin_pass[] = FIXTURE_ADMIN_PASS;
static const char kari_pass[] = "kari passphrase one";

/* ---- raw access --------------------------------------------------------------- */

/* The value at k, which must exist and fit cap: its length. */
static size_t raw_value(store *st, enum store_db db, const void *k, size_t klen, uint8_t *out,
                        size_t cap)
{
	size_t n = 0;

	assert_true(raw_get(st, db, k, klen, out, cap, &n));
	return n;
}

static void set(struct case_rec *c, enum field_id f, const char *v)
{
	assert_int_equal(case_set(c, f, v, strlen(v)), 0);
}

/* A store with one case (id 1, version 1), inserted by `by`. */
static void one_case(struct tstore *t, const char *by, const char *pass)
{
	struct case_rec c;
	uint64_t id;

	assert_int_equal(ts_create(t, 0, "admin", admin_pass), 0);
	assert_int_equal(
	    store_user_add(t->st, "karin", ROLE_CASEWORKER, kari_pass, strlen(kari_pass)), M_OK);
	if (by)
		ts_reopen_as(t, by, pass);
	case_init(&c);
	set(&c, F_given_name, "Zqxa");
	set(&c, F_family_name, "Zqxattack");
	set(&c, F_national_id, "03029012345");
	assert_int_equal(store_case_insert(t->st, &c, 1, &id), M_OK);
	assert_int_equal(id, 1);
	case_clear(&c);
}

static void note_key(uint8_t k[12], uint64_t id, uint32_t seq)
{
	be64(k, id);
	be32(k + 8, seq);
}

/* ---- a draft's note is no journal note ------------------------------------------ */

/* drafts.c seals a draft's note at {case, 0x8000 | 0x7fff, base version}:
 * 0xffff, the place of the case's journal note number `base`. A caseworker's
 * unsaved draft note (never saved: the link dropped, or they threw it away)
 * copied from the drafts table over note 1 of the case opened as that note,
 * and mappe check found nothing. */
static void test_draft_note_is_no_journal_note(void **state)
{
	/* The 11th byte is a space: the draft's text parses as a note whose
	 * author is the next 32 bytes. */
	static const char draft[] = "Zqxdraft00 unsaved words typed before the link dropped, "
	                            "never saved by anyone";
	static const char saved[] = "Zqx the note that was really written";
	struct tstore t;
	struct case_rec c;
	struct note *notes = NULL;
	size_t n = 0, dlen, klen, off = 15;
	uint8_t dk[64 + 9], dv[4096], nk[12];
	const uint8_t *env = NULL;
	uint32_t envlen = 0;
	struct reports r;

	(void)state;
	one_case(&t, NULL, NULL);
	assert_int_equal(store_note_add(t.st, 1, NOTE_OTHER, false, saved, strlen(saved)), M_OK);
	assert_int_equal(store_note_add(t.st, 1, NOTE_OTHER, false, saved, strlen(saved)), M_OK);
	case_init(&c);
	assert_int_equal(store_case_get(t.st, 1, &c), M_OK);
	assert_int_equal(c.version, 1);
	assert_int_equal(store_draft_save(t.st, 1, NULL, c.version, draft, strlen(draft)), M_OK);
	case_clear(&c);

	/* drafts: key user 0 u64 id; u8 version | u32 base | i64 saved | u16 n
	 * | n x (u16 number | u32 length | envelope). */
	klen = strlen("admin");
	memcpy(dk, "admin", klen);
	dk[klen] = 0;
	be64(dk + klen + 1, 1);
	dlen = raw_value(t.st, DB_DRAFTS, dk, klen + 9, dv, sizeof dv);
	for (unsigned i = 0; i < rd16(dv + 13); i++) {
		assert_true(off + 6 <= dlen);
		if (rd16(dv + off) == 0x7fff) {
			env = dv + off + 6;
			envlen = rd32(dv + off + 2);
		}
		off += 6 + rd32(dv + off + 2);
	}
	assert_non_null(env);
	note_key(nk, 1, 1);
	raw_put(t.st, DB_NOTES, nk, 12, env, envlen);

	ts_reopen_as(&t, "admin", admin_pass);
	if (store_notes_get(t.st, 1, &notes, &n) == M_OK) {
		for (size_t i = 0; i < n; i++)
			assert_null(memmem(draft, sizeof draft - 1, notes[i].text, notes[i].len));
		notes_free(notes, n);
	}
	assert_int_equal(check(t.st, &r), M_INTEGRITY);
	assert_non_null(strstr(r.all, "[1]"));

	/* The draft itself still comes back to its author. */
	char *back = NULL;
	size_t backlen = 0;
	uint32_t base = 0;
	case_init(&c);
	assert_int_equal(store_draft_load(t.st, 1, &c, &base, &back, &backlen), M_OK);
	assert_int_equal(base, 1);
	assert_non_null(back);
	assert_int_equal(backlen, strlen(draft));
	assert_memory_equal(back, draft, backlen);
	keys_secure_free(back);
	case_clear(&c);
	ts_destroy(&t);
}

/* A note kept in a draft by a mappe before the fix (sealed at 0xffff) is
 * still offered back to its author. */
static void test_legacy_draft_note_read(void **state)
{
	static const char text[] = "Zqx an unsaved note from before the upgrade";
	struct tstore t;
	struct case_rec c;
	uint8_t dk[64 + 9], dv[1024];
	size_t klen = strlen("admin"), envlen = 0;
	char *back = NULL;
	size_t backlen = 0;
	uint32_t base = 0;

	(void)state;
	one_case(&t, NULL, NULL);
	const struct keys_place place = {1, 0xffff, 1};
	assert_int_equal(keys_seal(t.st->kr, KC_NOTES, t.st->epoch[KC_NOTES], &place, text,
	                           strlen(text), dv + 15 + 6, sizeof dv - 21, &envlen),
	                 KEYS_OK);
	dv[0] = 1;
	be32(dv + 1, 1);
	be64(dv + 5, 0);
	be16(dv + 13, 1);
	be16(dv + 15, 0x7fff);
	be32(dv + 17, (uint32_t)envlen);
	memcpy(dk, "admin", klen);
	dk[klen] = 0;
	be64(dk + klen + 1, 1);
	raw_put(t.st, DB_DRAFTS, dk, klen + 9, dv, 21 + envlen);

	case_init(&c);
	assert_int_equal(store_draft_load(t.st, 1, &c, &base, &back, &backlen), M_OK);
	assert_non_null(back);
	assert_int_equal(backlen, strlen(text));
	assert_memory_equal(back, text, backlen);
	keys_secure_free(back);
	case_clear(&c);
	ts_destroy(&t);
}

/* ---- a placeholder is the empty bucket -------------------------------------------- */

/* A placeholder is not authenticated (its writer held no key to seal it)
 * and lies outside the header MAC: someone with no key at all grew a
 * caseworker's health placeholder to the size of a long health record,
 * so that a holder of the file reads the person as one with health data,
 * and nothing in mappe noticed. A placeholder is exactly the empty
 * bucket: any other length is tampering. */
static void test_placeholder_resized(void **state)
{
	struct tstore t;
	struct case_rec c;
	struct reports r;
	uint8_t k[8], v[4096], w[4096];
	size_t vlen, at, grow = 1024, kl = 0, kn;
	uint32_t len = 0;

	(void)state;
	one_case(&t, "karin", kari_pass);
	be64(k, 1);
	vlen = raw_value(t.st, DB_CASES, k, 8, v, sizeof v);
	at = hdr5_class_at(v, vlen, KC_HEALTH, &len, &kl);
	assert_int_equal(len, keys_bucket_envelope_size(0, st_class_floor(KC_HEALTH)));
	/* The same header, random bytes behind it: 1 KiB more. */
	assert_true(vlen + grow + 4 <= sizeof w);
	memcpy(w, v, at);
	kn = st_len_put(w + at, len + (uint32_t)grow);
	memcpy(w + at + kn, v + at + kl, len);
	keys_random(w + at + kn + len, grow);
	memcpy(w + at + kn + len + grow, v + at + kl + len, vlen - at - kl - len);
	raw_put(t.st, DB_CASES, k, 8, w, vlen - kl + kn + grow);

	ts_reopen_as(&t, "admin", admin_pass);
	assert_int_equal(check(t.st, &r), M_INTEGRITY);
	assert_non_null(strstr(r.all, "[1]"));
	case_init(&c);
	assert_int_equal(store_case_get(t.st, 1, &c), M_INTEGRITY);
	case_clear(&c);
	ts_destroy(&t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_draft_note_is_no_journal_note),
	    cmocka_unit_test(test_legacy_draft_note_read),
	    cmocka_unit_test(test_placeholder_resized),
	};
	return cmocka_run_group_tests_name("attack5", tests, fixture_keys_setup, NULL);
}
