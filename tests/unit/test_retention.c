/* Retention by the archive law (issue 12): the archive role and its keys, a
 * forged role in the file, a blocked case refused in the store layer (not
 * only the UI), the settings' parsers, and the archive package's crypto.
 * All values are invented. */
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
#include "tests/unit/raw.h"

static const char admin_pass[] = FIXTURE_ADMIN_PASS;
static const char kari_pass[] = "kari passphrase one";
static const char arne_pass[] = "arne passphrase one";
static const char lena_pass[] = "lena passphrase one";

static int fx_setup(void **state)
{
	struct tstore *t = calloc(1, sizeof *t);

	if (!t || ts_create(t, 0, "admin", admin_pass) != 0 ||
	    store_user_add(t->st, "kari", ROLE_CASEWORKER, kari_pass, strlen(kari_pass)) ||
	    store_user_add(t->st, "arne", ROLE_ARCHIVE, arne_pass, strlen(arne_pass)) ||
	    store_user_add(t->st, "lena", ROLE_LEAD, lena_pass, strlen(lena_pass))) {
		if (t)
			ts_destroy(t);
		free(t);
		return -1;
	}
	*state = t;
	return 0;
}

static uint64_t add_case(store *st, const char *status, const char *name)
{
	struct case_rec c;
	uint64_t id = 0;

	case_init(&c);
	assert_int_equal(case_set(&c, F_status, status, strlen(status)), 0);
	assert_int_equal(case_set(&c, F_caseworker, "kari", 4), 0);
	assert_int_equal(case_set(&c, F_given_name, name, strlen(name)), 0);
	assert_int_equal(case_set(&c, F_mapping_done, "2024-03-01", 10), 0);
	assert_int_equal(store_case_insert(st, &c, 1, &id), M_OK);
	case_clear(&c);
	return id;
}

static void block_at_once(store *st)
{
	struct retention r;

	retention_default(&r);
	r.block_after = 0;
	store_set_retention(st, &r);
}

/* ---- the role ---------------------------------------------------------------- */

static void test_archive_role_classes(void **state)
{
	key_classes a = keys_role_classes(ROLE_ARCHIVE);
	enum key_role r;

	(void)state;
	assert_string_equal(keys_role_name(ROLE_ARCHIVE), "archive");
	assert_int_equal(keys_role_parse("archive", &r), 0);
	assert_int_equal(r, ROLE_ARCHIVE);
	/* Every class a blocked case is handed over in, not the audit log's. */
	for (unsigned c = 0; c < KC_COUNT; c++)
		assert_int_equal((a >> c) & 1, c != KC_AUDIT);
	/* Distinct from every other role's set. */
	for (int o = 0; o < ROLE_COUNT; o++)
		if (o != ROLE_ARCHIVE)
			assert_int_not_equal(keys_role_classes((enum key_role)o), a);
}

static void test_archive_user_unlocks(void **state)
{
	struct tstore *t = *state;

	assert_int_equal(ts_as(t, "arne", arne_pass), M_OK);
	assert_int_equal(store_role(t->st), ROLE_ARCHIVE);
	assert_true(store_can_read(t->st, KC_HEALTH));
	assert_true(store_can_read(t->st, KC_PROTECTED));
	assert_false(store_can_read(t->st, KC_AUDIT));
	assert_true(store_may_open_blocked(t->st));
}

/* A role edited in the file, either way, is refused at login. */
static void test_forged_role_refused(void **state)
{
	struct tstore *t = *state;
	uint8_t rec[512], orig[512];
	size_t len = 0;

	assert_true(raw_get(t->st, DB_USERS, "kari", 4, orig, sizeof orig, &len));
	memcpy(rec, orig, len);
	rec[1] = ROLE_ARCHIVE; /* a caseworker who would open blocked cases */
	raw_put(t->st, DB_USERS, "kari", 4, rec, len);
	assert_int_not_equal(ts_as(t, "kari", kari_pass), M_OK);
	assert_int_equal(ts_as(t, "admin", admin_pass), M_OK);
	raw_put(t->st, DB_USERS, "kari", 4, orig, len);
	assert_int_equal(ts_as(t, "kari", kari_pass), M_OK);

	assert_int_equal(ts_as(t, "admin", admin_pass), M_OK);
	assert_true(raw_get(t->st, DB_USERS, "arne", 4, orig, sizeof orig, &len));
	memcpy(rec, orig, len);
	rec[1] = ROLE_LEAD; /* the archive made a lead, for the audit log */
	raw_put(t->st, DB_USERS, "arne", 4, rec, len);
	assert_int_not_equal(ts_as(t, "arne", arne_pass), M_OK);
	rec[1] = ROLE_ADMIN;
	assert_int_equal(ts_as(t, "admin", admin_pass), M_OK);
	raw_put(t->st, DB_USERS, "arne", 4, rec, len);
	assert_int_not_equal(ts_as(t, "arne", arne_pass), M_OK);
}

/* ---- blocking in the store layer ------------------------------------------------ */

struct seen {
	size_t cases, named;
};

static int on_case(void *ctx, const struct case_rec *c)
{
	struct seen *s = ctx;

	s->cases++;
	s->named += c->value[F_given_name] != NULL;
	return 0;
}

static void test_blocked_case_refused(void **state)
{
	struct tstore *t = *state;
	struct case_rec c;
	struct note_page pg;
	struct retention_state rs;
	uint64_t closed, open;

	closed = add_case(t->st, "closed", "Amira");
	open = add_case(t->st, "in_programme", "Bashir");
	assert_int_equal(store_note_add(t->st, closed, NOTE_OTHER, false, "tekst", 5), M_OK);

	/* The default (730 days): a case closed today is not blocked. */
	assert_int_equal(ts_as(t, "kari", kari_pass), M_OK);
	case_init(&c);
	assert_int_equal(store_case_get(t->st, closed, &c), M_OK);
	assert_non_null(c.value[F_given_name]);
	assert_int_equal(store_retention_state(t->st, closed, &rs), M_OK);
	assert_true(rs.closed);
	assert_false(rs.blocked);

	block_at_once(t->st);
	assert_int_equal(store_retention_state(t->st, closed, &rs), M_OK);
	assert_true(rs.blocked);
	assert_false(rs.marked);
	assert_int_equal(store_case_get(t->st, closed, &c), M_AUTH);
	assert_int_equal(store_fault(t->st)->code, E_CASE_BLOCKED);
	assert_null(c.value[F_given_name]);
	note_page_init(&pg);
	assert_int_equal(store_notes_read(t->st, closed, 0, 10, &pg), M_AUTH);
	assert_int_equal(pg.n, 0);
	assert_int_equal(store_note_add(t->st, closed, NOTE_OTHER, false, "mer", 3), M_AUTH);
	assert_int_equal(store_case_get(t->st, open, &c), M_OK);
	assert_int_equal(case_set(&c, F_given_name, "Amina", 5), 0);
	c.id = closed;
	assert_int_equal(store_case_update(t->st, &c, 0), M_AUTH);
	assert_int_equal(store_fault(t->st)->code, E_CASE_BLOCKED);

	/* A scan (every report) passes it by. */
	struct seen s = {0};
	struct store_scan sc = {.fn = on_case, .ctx = &s};
	assert_int_equal(store_scan(t->st, &sc), M_OK);
	assert_int_equal(s.cases, 1);
	assert_int_equal(s.named, 1);
	/* The list: a row with no name. */
	search_index *ix = NULL;
	struct search_row row;
	assert_int_equal(search_index_load(t->st, &ix), M_OK);
	long i = search_index_find(ix, closed);
	assert_true(i >= 0);
	search_index_row(ix, (size_t)i, &row);
	assert_string_equal(row.name, "");
	assert_string_equal(row.status, "closed");
	search_index_free(ix);

	/* A lead neither; the archive and the administrator do. */
	assert_int_equal(ts_as(t, "lena", lena_pass), M_OK);
	block_at_once(t->st);
	assert_int_equal(store_case_get(t->st, closed, &c), M_AUTH);
	assert_int_equal(ts_as(t, "arne", arne_pass), M_OK);
	block_at_once(t->st);
	assert_int_equal(store_case_get(t->st, closed, &c), M_OK);
	assert_string_equal(c.value[F_given_name], "Amira");
	assert_int_equal(store_notes_read(t->st, closed, 0, 10, &pg), M_OK);
	assert_int_equal(pg.n, 1);
	assert_int_equal(ts_as(t, "admin", admin_pass), M_OK);
	block_at_once(t->st);
	assert_int_equal(store_case_get(t->st, closed, &c), M_OK);
	/* The lists and reports show no one a field of it: it is opened by
	 * its id, and that read is logged. */
	s = (struct seen){0};
	assert_int_equal(store_scan(t->st, &sc), M_OK);
	assert_int_equal(s.cases, 1);
	assert_int_equal(s.named, 1);
	assert_int_equal(search_index_load(t->st, &ix), M_OK);
	search_index_row(ix, (size_t)search_index_find(ix, closed), &row);
	assert_string_equal(row.name, "");
	search_index_free(ix);
	note_page_clear(&pg);
	case_clear(&c);
}

/* The mark outlives the setting: a marked case stays blocked. */
static void test_mark_persists(void **state)
{
	struct tstore *t = *state;
	struct retention r;
	struct retention_state rs;
	struct case_rec c;
	uint64_t closed = add_case(t->st, "closed", "Amira"), marked = 0;

	assert_int_equal(store_archive_block(t->st, &marked), M_OK);
	assert_int_equal(marked, 0); /* not blocked yet by the default */
	block_at_once(t->st);
	assert_int_equal(store_archive_block(t->st, &marked), M_OK);
	assert_int_equal(marked, 1);
	assert_int_equal(store_archive_block(t->st, &marked), M_OK);
	assert_int_equal(marked, 0);

	assert_int_equal(ts_as(t, "kari", kari_pass), M_OK);
	retention_default(&r);
	r.block_after = RETENTION_NEVER;
	store_set_retention(t->st, &r);
	assert_int_equal(store_retention_state(t->st, closed, &rs), M_OK);
	assert_true(rs.marked);
	assert_true(rs.blocked);
	case_init(&c);
	assert_int_equal(store_case_get(t->st, closed, &c), M_AUTH);
	assert_int_equal(store_archive_block(t->st, &marked), M_AUTH);
	case_clear(&c);
}

/* Only administrators destroy; the archive picks and marks. */
static void test_who_may(void **state)
{
	struct tstore *t = *state;
	uint64_t *ids = NULL, cases = 0;
	size_t n = 0;

	add_case(t->st, "closed", "Amira");
	assert_int_equal(ts_as(t, "kari", kari_pass), M_OK);
	block_at_once(t->st);
	assert_int_equal(store_archive_pick(t->st, DAY_NONE, false, &ids, &n), M_AUTH);
	assert_int_equal(store_archive_destroy(t->st, true, NULL, NULL, &cases), M_AUTH);
	assert_int_equal(ts_as(t, "arne", arne_pass), M_OK);
	block_at_once(t->st);
	assert_int_equal(store_archive_pick(t->st, DAY_NONE, false, &ids, &n), M_OK);
	assert_int_equal(n, 1);
	assert_int_equal(store_archive_transferred(t->st, ids, n, "test.mappe-archive"), M_OK);
	free(ids);
	assert_int_equal(store_archive_pick(t->st, DAY_NONE, false, &ids, &n), M_OK);
	assert_int_equal(n, 0);
	free(ids);
	assert_int_equal(store_archive_pick(t->st, DAY_NONE, true, &ids, &n), M_OK);
	assert_int_equal(n, 1);
	free(ids);
	assert_int_equal(store_archive_destroy(t->st, true, NULL, NULL, &cases), M_AUTH);
}

/* ---- the audit log: every step leaves its entry ----------------------------- */

struct found {
	uint64_t id;
	size_t open_blocked, block, archive, destroy, change;
	char destroyed[96], package[96];
};

static int on_entry(void *ctx, const struct audit_entry *e)
{
	struct found *f = ctx;

	if (e->case_id != f->id)
		return M_OK;
	assert_true(e->opened);
	if (e->action == AUDIT_OPEN && strcmp(e->detail, "blocked case") == 0)
		f->open_blocked++;
	else if (e->action == AUDIT_BLOCK)
		f->block++;
	else if (e->action == AUDIT_ARCHIVE) {
		f->archive++;
		snprintf(f->package, sizeof f->package, "%s", e->detail);
	} else if (e->action == AUDIT_DESTROY) {
		f->destroy++;
		snprintf(f->destroyed, sizeof f->destroyed, "%s", e->detail);
	} else if (e->action == AUDIT_CHANGE)
		f->change++;
	return M_OK;
}

static void count_entries(struct tstore *t, struct found *f)
{
	const struct audit_filter all = {.action = -1};
	uint64_t id = f->id;

	assert_int_equal(ts_as(t, "admin", admin_pass), M_OK);
	memset(f, 0, sizeof *f);
	f->id = id;
	assert_int_equal(store_audit_each(t->st, &all, on_entry, f), M_OK);
}

static void test_audit_entries(void **state)
{
	struct tstore *t = *state;
	struct case_rec c;
	struct note_page pg;
	struct retention r;
	struct found f = {0};
	uint64_t id = add_case(t->st, "closed", "Amira"), *ids = NULL, marked = 0, cases = 0;
	size_t n = 0;

	f.id = id;
	/* Every read of a blocked case by one who may: the case and its journal. */
	assert_int_equal(ts_as(t, "arne", arne_pass), M_OK);
	block_at_once(t->st);
	case_init(&c);
	note_page_init(&pg);
	assert_int_equal(store_case_get(t->st, id, &c), M_OK);
	assert_int_equal(store_notes_read(t->st, id, 0, 10, &pg), M_OK);
	count_entries(t, &f);
	assert_int_equal(f.open_blocked, 2);
	assert_int_equal(f.block, 0);

	/* Blocked for good: one BLOCK entry, however often it runs. */
	block_at_once(t->st);
	assert_int_equal(store_archive_block(t->st, &marked), M_OK);
	assert_int_equal(store_archive_block(t->st, &marked), M_OK);
	count_entries(t, &f);
	assert_int_equal(f.block, 1);

	/* Handed to the archive: an ARCHIVE entry naming the package. */
	assert_int_equal(ts_as(t, "arne", arne_pass), M_OK);
	assert_int_equal(store_archive_pick(t->st, DAY_NONE, false, &ids, &n), M_OK);
	assert_int_equal(n, 1);
	assert_int_equal(store_archive_transferred(t->st, ids, n, "p1.mappe-archive"), M_OK);
	free(ids);
	count_entries(t, &f);
	assert_int_equal(f.archive, 1);
	assert_string_equal(f.package, "p1.mappe-archive");
	assert_int_equal(f.block, 1);

	/* Destroyed: the store's own CHANGE entry and a DESTROY entry naming
	 * the category, once. */
	retention_default(&r);
	r.dispose[RC_mapping] = 0;
	store_set_retention(t->st, &r);
	size_t before = f.change;
	assert_int_equal(store_archive_destroy(t->st, true, NULL, NULL, &cases), M_OK);
	assert_int_equal(cases, 1);
	count_entries(t, &f);
	assert_int_equal(f.destroy, 0); /* a dry run writes nothing */
	store_set_retention(t->st, &r);
	assert_int_equal(store_archive_destroy(t->st, false, NULL, NULL, &cases), M_OK);
	assert_int_equal(cases, 1);
	assert_int_equal(store_archive_destroy(t->st, false, NULL, NULL, &cases), M_OK);
	assert_int_equal(cases, 0);
	count_entries(t, &f);
	assert_int_equal(f.destroy, 1);
	assert_string_equal(f.destroyed, "mapping");
	assert_int_equal(f.change, before + 1);
	assert_int_equal(store_case_get(t->st, id, &c), M_OK);
	assert_null(c.value[F_mapping_done]);
	assert_string_equal(c.value[F_given_name], "Amira");
	/* The chain holds, and check finds every case as the log last saw it. */
	struct reports rep;
	assert_int_equal(store_audit_verify(t->st, NULL, NULL), M_OK);
	assert_int_equal(check(t->st, &rep), M_OK);
	note_page_clear(&pg);
	case_clear(&c);
}

/* ---- settings ------------------------------------------------------------------ */

static void test_parse_settings(void **state)
{
	struct retention r;
	long d = 0;

	(void)state;
	retention_default(&r);
	assert_int_equal(r.block_after, RETENTION_BLOCK_DEFAULT);
	for (int c = 0; c < RC_COUNT; c++)
		assert_int_equal(r.dispose[c], RETENTION_NEVER);
	assert_true(retention_parse_block("365", &d));
	assert_int_equal(d, 365);
	assert_true(retention_parse_block("never", &d));
	assert_int_equal(d, RETENTION_NEVER);
	assert_false(retention_parse_block("-1", &d));
	assert_false(retention_parse_block("1y", &d));
	assert_false(retention_parse_block("", &d));

	assert_true(retention_parse_dispose("mapping:1825, health : 3650", &r));
	assert_int_equal(r.dispose[RC_mapping], 1825);
	assert_int_equal(r.dispose[RC_health], 3650);
	assert_int_equal(r.dispose[RC_contact], RETENTION_NEVER);
	/* A plan half read destroys nothing. */
	assert_false(retention_parse_dispose("mapping:1825, settlement:1", &r));
	for (int c = 0; c < RC_COUNT; c++)
		assert_int_equal(r.dispose[c], RETENTION_NEVER);
	assert_false(retention_parse_dispose("mapping", &r));
	assert_false(retention_parse_dispose("mapping:1, mapping:2", &r));
	assert_true(retention_parse_dispose("", &r));

	/* The preserved categories are in none (domain-rules.md 5.4). */
	for (int c = 0; c < RC_COUNT; c++) {
		assert_false(retention_category_has((enum retention_category)c, F_settlement_date));
		assert_false(
		    retention_category_has((enum retention_category)c, F_programme_decision));
		assert_false(retention_category_has((enum retention_category)c, F_ended));
		assert_false(retention_category_has((enum retention_category)c, F_given_name));
	}
	assert_true(retention_category_has(RC_mapping, F_mapping_done));
	assert_true(retention_category_verified(RC_mapping));
	assert_false(retention_category_verified(RC_health));
}

/* ---- the package's crypto ------------------------------------------------------- */

struct mem {
	uint8_t *p;
	size_t len, cap, at;
};

static int mem_out(void *ctx, const void *p, size_t n)
{
	struct mem *m = ctx;

	if (m->len + n > m->cap) {
		m->cap = (m->len + n) * 2;
		m->p = realloc(m->p, m->cap);
		assert_non_null(m->p);
	}
	memcpy(m->p + m->len, p, n);
	m->len += n;
	return 0;
}

static int mem_in(void *ctx, void *p, size_t n)
{
	struct mem *m = ctx;

	if (m->len - m->at < n)
		return -1;
	memcpy(p, m->p + m->at, n);
	m->at += n;
	return 0;
}

static int open_all(const uint8_t *sk, struct mem *m, uint8_t *out, size_t n)
{
	keys_archive *r = NULL;
	bool eof = false;
	int rc;

	m->at = 0;
	if ((rc = keys_archive_reader(sk, mem_in, m, &r)))
		return rc;
	rc = keys_archive_get(r, out, n, &eof);
	if (rc == KEYS_OK && (rc = keys_archive_get(r, NULL, 0, &eof)) == KEYS_OK && !eof)
		rc = KEYS_EINTEGRITY;
	keys_archive_free(r);
	return rc;
}

static void test_package_crypto(void **state)
{
	uint8_t pk[KEYS_PK_BYTES], pk2[KEYS_PK_BYTES], pk3[KEYS_PK_BYTES];
	uint8_t *sk = keys_secure_alloc(KEYS_ARCHIVE_SK_BYTES);
	uint8_t *sk2 = keys_secure_alloc(KEYS_ARCHIVE_SK_BYTES);
	size_t n = 3 * KEYS_ARCHIVE_CHUNK + 123;
	uint8_t *plain = malloc(n), *back = malloc(n);
	struct mem m = {0};
	keys_archive *w = NULL;

	(void)state;
	assert_int_equal(keys_archive_keygen(pk, sk), KEYS_OK);
	assert_int_equal(keys_archive_keygen(pk2, sk2), KEYS_OK);
	assert_int_equal(keys_archive_public(sk, pk3), KEYS_OK);
	assert_memory_equal(pk, pk3, sizeof pk);
	keys_random(plain, n);
	assert_int_equal(keys_archive_writer(pk, mem_out, &m, &w), KEYS_OK);
	assert_int_equal(keys_archive_put(w, plain, 1000), KEYS_OK);
	assert_int_equal(keys_archive_put(w, plain + 1000, n - 1000), KEYS_OK);
	assert_int_equal(keys_archive_end(w), KEYS_OK);
	assert_null(memmem(m.p, m.len, plain, 64));

	assert_int_equal(open_all(sk, &m, back, n), KEYS_OK);
	assert_memory_equal(plain, back, n);
	assert_int_equal(open_all(sk2, &m, back, n), KEYS_EAUTH);
	/* Any byte after the header, flipped. */
	for (size_t at = 8 + 80 + 24; at < m.len; at += m.len / 7) {
		m.p[at] ^= 1;
		assert_int_not_equal(open_all(sk, &m, back, n), KEYS_OK);
		m.p[at] ^= 1;
	}
	/* Cut short at a chunk's end, or with a byte more. */
	size_t full = m.len;
	m.len = 8 + 80 + 24 + 4 + KEYS_ARCHIVE_CHUNK + 17;
	assert_int_equal(open_all(sk, &m, back, n), KEYS_EINTEGRITY);
	m.len = full - 1;
	assert_int_equal(open_all(sk, &m, back, n), KEYS_EINTEGRITY);
	m.len = full;
	mem_out(&m, "x", 1);
	assert_int_equal(open_all(sk, &m, back, n), KEYS_EINTEGRITY);

	uint8_t h[32], want[32] = {0xe3, 0xb0, 0xc4, 0x42, 0x98, 0xfc, 0x1c, 0x14};
	keys_sha256("", 0, h);
	assert_memory_equal(h, want, 8);
	free(m.p);
	free(plain);
	free(back);
	keys_secure_free(sk);
	keys_secure_free(sk2);
}

#define FX(fn) cmocka_unit_test_setup_teardown(fn, fx_setup, fixture_store_teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_archive_role_classes),
	    FX(test_archive_user_unlocks),
	    FX(test_forged_role_refused),
	    FX(test_blocked_case_refused),
	    FX(test_mark_persists),
	    FX(test_who_may),
	    FX(test_audit_entries),
	    cmocka_unit_test(test_parse_settings),
	    cmocka_unit_test(test_package_crypto),
	};

	return cmocka_run_group_tests_name("retention", tests, fixture_keys_setup, NULL);
}
