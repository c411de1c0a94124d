/* The audit log (issue 12): what is logged and by whom, who reads it, the
 * hash chain against an entry changed, removed or moved in the file, the
 * system log's head against a tail cut off with the head in meta, and
 * mappe check against a case rolled back or deleted as a whole. Every attack
 * is made on the raw LMDB file (tests/unit/raw.h), as a writer of the file
 * without keys would; every defence is observed through the public API.
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
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include "store/private.h"
#include "store/store.h"
#include "tests/unit/fixture.h"
#include "tests/unit/raw.h"

#define CW_PASS "caseworker passphrase"
#define LEAD_PASS "lead passphrase two"

struct seen {
	size_t n;
	struct audit_entry e[64];
};

static int collect(void *ctx, const struct audit_entry *e)
{
	struct seen *s = ctx;

	if (s->n < sizeof s->e / sizeof s->e[0])
		s->e[s->n] = *e;
	s->n++;
	return M_OK;
}

static size_t count(const struct seen *s, enum audit_action a, uint64_t id)
{
	size_t n = 0;

	for (size_t i = 0; i < s->n && i < 64; i++)
		if (s->e[i].action == a && (!id || s->e[i].case_id == id))
			n++;
	return n;
}

static uint64_t add_case(store *st, const char *given)
{
	struct case_rec c;
	uint64_t id;

	case_init(&c);
	assert_int_equal(case_set(&c, F_given_name, given, strlen(given)), M_OK);
	assert_int_equal(store_case_insert(st, &c, 1, &id), M_OK);
	case_clear(&c);
	return id;
}

static void change_case(store *st, uint64_t id, const char *given)
{
	struct case_rec c;

	case_init(&c);
	assert_int_equal(store_case_get(st, id, &c), M_OK);
	assert_int_equal(case_set(&c, F_given_name, given, strlen(given)), M_OK);
	assert_int_equal(store_case_update(st, &c, 0), M_OK);
	case_clear(&c);
}

static void entry_key(uint8_t k[8], uint64_t seq)
{
	be64(k, seq);
}

static void all_entries(store *st, struct seen *s)
{
	memset(s, 0, sizeof *s);
	assert_int_equal(store_audit_each(st, NULL, collect, s), M_OK);
}

/* A store with a caseworker, a lead and two cases, one changed and noted. */
static int fx_setup(void **state)
{
	struct tstore *t;

	if (fixture_store_setup(state))
		return -1;
	t = *state;
	if (store_user_add(t->st, "kari", ROLE_CASEWORKER, CW_PASS, strlen(CW_PASS)) ||
	    store_user_add(t->st, "lena", ROLE_LEAD, LEAD_PASS, strlen(LEAD_PASS)))
		return -1;
	return 0;
}

/* Everything the store does is logged, by the user who did it, and read
 * back by a lead; a caseworker writes entries but cannot read them. */
static void test_logged_and_read(void **state)
{
	struct tstore *t = *state;
	struct seen s;
	uint64_t a, b;

	ts_reopen_as(t, "kari", CW_PASS);
	store_audit_purpose(t->st, "unit test");
	a = add_case(t->st, "Ada");
	b = add_case(t->st, "Bo");
	change_case(t->st, a, "Ada Lovise");
	assert_int_equal(store_note_add(t->st, a, NOTE_MEETING, false, "met", 3), M_OK);
	assert_int_equal(store_audit(t->st, &(struct audit_event){.action = AUDIT_OPEN,
	                                                          .case_id = b,
	                                                          .classes = 1u << KC_IDENTITY}),
	                 M_OK);
	memset(&s, 0, sizeof s);
	assert_int_equal(store_audit_each(t->st, NULL, collect, &s), M_AUTH);
	assert_int_equal(store_fault(t->st)->code, E_AUDIT_LEADS);

	assert_int_equal(ts_as(t, "kari", "not the passphrase"), M_AUTH);
	ts_reopen_as(t, "lena", LEAD_PASS);
	all_entries(t->st, &s);
	assert_int_equal(count(&s, AUDIT_CREATE, a), 1);
	assert_int_equal(count(&s, AUDIT_CREATE, b), 1);
	assert_int_equal(count(&s, AUDIT_CHANGE, a), 1);
	assert_int_equal(count(&s, AUDIT_NOTE, a), 1);
	assert_int_equal(count(&s, AUDIT_OPEN, b), 1);
	assert_int_equal(count(&s, AUDIT_UNLOCK_FAILED, 0), 1);
	assert_true(count(&s, AUDIT_UNLOCK, 0) >= 3);
	assert_int_equal(count(&s, AUDIT_USER, 0), 2); /* kari and lena enrolled */
	for (size_t i = 0; i < s.n; i++) {
		const struct audit_entry *e = &s.e[i];
		assert_true(e->opened);
		if (e->action == AUDIT_CHANGE) {
			assert_string_equal(e->user, "kari");
			assert_string_equal(e->purpose, "unit test");
			assert_int_equal(e->version, 2);
			assert_true(e->classes & (1u << KC_IDENTITY));
		}
		if (e->action == AUDIT_OPEN) {
			assert_int_equal(e->version, 1);
			assert_int_equal(e->classes, 1u << KC_IDENTITY);
		}
		if (e->action == AUDIT_UNLOCK_FAILED)
			assert_string_equal(e->user, "kari");
		if (i)
			assert_true(e->seq > s.e[i - 1].seq);
	}

	/* The filters. */
	memset(&s, 0, sizeof s);
	assert_int_equal(store_audit_each(t->st,
	                                  &(struct audit_filter){.case_id = a, .action = -1},
	                                  collect, &s),
	                 M_OK);
	assert_int_equal(s.n, 3);
	memset(&s, 0, sizeof s);
	assert_int_equal(store_audit_each(t->st,
	                                  &(struct audit_filter){.user = "kari",
	                                                         .action = AUDIT_CREATE},
	                                  collect, &s),
	                 M_OK);
	assert_int_equal(s.n, 2);
	memset(&s, 0, sizeof s);
	assert_int_equal(store_audit_each(t->st,
	                                  &(struct audit_filter){.since = st_now() + 3600,
	                                                         .action = -1},
	                                  collect, &s),
	                 M_OK);
	assert_int_equal(s.n, 0);
	assert_int_equal(store_audit_verify(t->st, NULL, NULL), M_OK);
}

/* Nothing in the file says who looked at whose case: no user name, no
 * purpose in clear. */
static void test_entries_sealed(void **state)
{
	struct tstore *t = *state;
	struct audit_head h;
	uint8_t k[8], v[1024];
	size_t len;

	ts_reopen_as(t, "kari", CW_PASS);
	store_audit_purpose(t->st, "home visit planning");
	add_case(t->st, "Ada");
	assert_int_equal(store_audit_verify(t->st, NULL, &h), M_OK);
	assert_true(h.seq >= 3);
	for (uint64_t seq = 1; seq <= h.seq; seq++) {
		entry_key(k, seq);
		assert_true(raw_get(t->st, DB_AUDIT, k, 8, v, sizeof v, &len));
		assert_null(memmem(v, len, "kari", 4));
		assert_null(memmem(v, len, "home visit", 10));
		assert_null(memmem(v, len, "admin", 5));
	}
}

static void flip(store *st, uint64_t seq, size_t at)
{
	uint8_t k[8], v[1024];
	size_t len;

	entry_key(k, seq);
	assert_true(raw_get(st, DB_AUDIT, k, 8, v, sizeof v, &len));
	assert_true(at < len);
	v[at] ^= 1;
	raw_put(st, DB_AUDIT, k, 8, v, len);
}

/* One byte changed in a stored entry breaks the chain at the entry after
 * it; in its sealed details it is also refused to a reader. */
static void test_tampered_entry(void **state)
{
	struct tstore *t = *state;
	struct audit_head h;
	struct seen s;

	add_case(t->st, "Ada");
	add_case(t->st, "Bo");
	assert_int_equal(store_audit_verify(t->st, NULL, &h), M_OK);
	assert_true(h.seq >= 5);
	flip(t->st, 3, 60); /* inside the ciphertext */
	assert_int_equal(store_audit_verify(t->st, NULL, NULL), M_INTEGRITY);
	assert_int_equal(store_fault(t->st)->code, E_AUDIT_BREAK);
	assert_int_equal(store_fault(t->st)->n, 4);
	memset(&s, 0, sizeof s);
	assert_int_equal(store_audit_each(t->st, NULL, collect, &s), M_INTEGRITY);
	assert_int_equal(store_fault(t->st)->code, E_AUDIT_FORGED);
	assert_int_equal(store_fault(t->st)->n, 3);
	flip(t->st, 3, 60);
	assert_int_equal(store_audit_verify(t->st, NULL, NULL), M_OK);

	/* The last entry: against the head in meta. */
	flip(t->st, h.seq, 5);
	assert_int_equal(store_audit_verify(t->st, NULL, NULL), M_INTEGRITY);
	flip(t->st, h.seq, 5);

	/* mappe check says so too. */
	struct reports r;
	flip(t->st, 2, 20);
	assert_int_equal(check(t->st, &r), M_INTEGRITY);
	assert_non_null(strstr(r.all, "audit log is broken at entry 2"));
}

/* The last entry deleted: the head in meta says there was one more. Deleted
 * with the head wound back too: only the system log's head shows it. */
static void test_deleted_tail(void **state)
{
	struct tstore *t = *state;
	struct audit_head before, prev;
	uint8_t k[8], hv[40];

	add_case(t->st, "Ada");
	assert_int_equal(store_audit_verify(t->st, NULL, &before), M_OK);

	entry_key(k, before.seq);
	/* The head of the entry before the last, as verify finds it. */
	uint8_t v[1024];
	size_t len;
	assert_true(raw_get(t->st, DB_AUDIT, k, 8, v, sizeof v, &len));
	raw_put(t->st, DB_AUDIT, k, 8, NULL, 0);
	assert_int_equal(store_audit_verify(t->st, NULL, NULL), M_INTEGRITY);
	assert_int_equal(store_fault(t->st)->code, E_AUDIT_BREAK);
	assert_int_equal(store_fault(t->st)->n, before.seq);

	/* The entry's prev is the hash of the one before: a head for it. */
	prev.seq = before.seq - 1;
	memcpy(prev.hash, v + 10, 32);
	be64(hv, prev.seq);
	memcpy(hv + 8, prev.hash, 32);
	raw_put(t->st, DB_META, "audit_head", 10, hv, sizeof hv);
	assert_int_equal(store_audit_verify(t->st, NULL, NULL), M_OK);
	assert_int_equal(store_audit_verify(t->st, &before, NULL), M_INTEGRITY);
	assert_int_equal(store_fault(t->st)->code, E_AUDIT_TRUNCATED);
	assert_int_equal(store_fault(t->st)->n, prev.seq);
	assert_int_equal(store_fault(t->st)->m, before.seq);
	/* A head the chain holds passes. */
	assert_int_equal(store_audit_verify(t->st, &prev, NULL), M_OK);
}

/* Two entries swapped in place. */
static void test_reordered(void **state)
{
	struct tstore *t = *state;
	uint8_t k2[8], k3[8], v2[1024], v3[1024];
	size_t l2, l3;

	add_case(t->st, "Ada");
	add_case(t->st, "Bo");
	entry_key(k2, 2);
	entry_key(k3, 3);
	assert_true(raw_get(t->st, DB_AUDIT, k2, 8, v2, sizeof v2, &l2));
	assert_true(raw_get(t->st, DB_AUDIT, k3, 8, v3, sizeof v3, &l3));
	raw_put(t->st, DB_AUDIT, k2, 8, v3, l3);
	raw_put(t->st, DB_AUDIT, k3, 8, v2, l2);
	assert_int_equal(store_audit_verify(t->st, NULL, NULL), M_INTEGRITY);
	assert_int_equal(store_fault(t->st)->code, E_AUDIT_BREAK);
	assert_int_equal(store_fault(t->st)->n, 2);
}

static bool named(const struct reports *r, const char *what)
{
	return strstr(r->all, what) != NULL;
}

/* A case put back whole from an older copy authenticates (its header MAC
 * and envelopes are its own): the log's last entry about it says otherwise. */
static void test_case_rolled_back(void **state)
{
	struct tstore *t = *state;
	uint8_t k[8], old[8192];
	size_t len;
	struct reports r;

	uint64_t a = add_case(t->st, "Ada");
	add_case(t->st, "Bo");
	assert_int_equal(check(t->st, &r), M_OK);
	be64(k, a);
	assert_true(raw_get(t->st, DB_CASES, k, 8, old, sizeof old, &len));
	change_case(t->st, a, "Ada Lovise");
	raw_put(t->st, DB_CASES, k, 8, old, len);
	assert_int_equal(check(t->st, &r), M_INTEGRITY);
	assert_int_equal(r.n, 1);
	assert_true(named(&r, "[1] case 1: the file holds version 1, but the audit log recorded "
	                      "version 2"));

	/* The same version, another copy: the header from before a note (which
	 * keeps the version). mappe check names it for the orphan note; the
	 * log's own view names the copy. */
	size_t broken = 0;
	change_case(t->st, a, "Ada Lo");
	assert_true(raw_get(t->st, DB_CASES, k, 8, old, sizeof old, &len));
	assert_int_equal(store_note_add(t->st, a, NOTE_MEETING, false, "met", 3), M_OK);
	raw_put(t->st, DB_CASES, k, 8, old, len);
	assert_int_equal(check(t->st, &r), M_INTEGRITY);
	assert_true(named(&r, "[1]"));
	memset(&r, 0, sizeof r);
	assert_int_equal(st_audit_check_cases(t->st, raw_collect, &r, NULL, NULL, &broken), M_OK);
	assert_int_equal(broken, 1);
	assert_true(named(&r, "case 1: version 2 is not the copy the audit log recorded"));
}

/* A case deleted: the log names it, whether or not the counter does. */
static void test_case_deleted(void **state)
{
	struct tstore *t = *state;
	uint8_t k[8];
	struct reports r;
	size_t broken = 0;

	add_case(t->st, "Ada");
	uint64_t b = add_case(t->st, "Bo");
	add_case(t->st, "Cy");
	be64(k, b);
	raw_put(t->st, DB_CASES, k, 8, NULL, 0);
	assert_int_equal(check(t->st, &r), M_INTEGRITY);
	assert_true(named(&r, "[2]"));
	/* The log's own view, apart from the counter's. */
	memset(&r, 0, sizeof r);
	assert_int_equal(st_audit_check_cases(t->st, raw_collect, &r, NULL, NULL, &broken), M_OK);
	assert_int_equal(broken, 1);
	assert_true(named(&r, "case 2: not in the file, but the audit log recorded version 1"));
}

/* The system log gets the head after every commit that appended. */
static void test_syslog_head(void **state)
{
	struct tstore *t = *state;
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	struct audit_head h;
	char buf[512], want[256], hex[65], id[33];
	int fd = socket(AF_UNIX, SOCK_DGRAM, 0);
	ssize_t n;

	assert_true(fd >= 0);
	assert_true(strlen(t->dir) + 10 < sizeof sa.sun_path);
	memcpy(sa.sun_path, t->dir, strlen(t->dir));
	memcpy(sa.sun_path + strlen(t->dir), "/log.sock", 10);
	assert_int_equal(bind(fd, (struct sockaddr *)&sa, sizeof sa), 0);
	setenv("MAPPE_AUDIT_SYSLOG", sa.sun_path, 1);
	add_case(t->st, "Ada");
	unsetenv("MAPPE_AUDIT_SYSLOG");
	n = recv(fd, buf, sizeof buf - 1, MSG_DONTWAIT);
	close(fd);
	assert_true(n > 0);
	buf[n] = 0;
	assert_int_equal(store_audit_verify(t->st, NULL, &h), M_OK);
	for (int i = 0; i < 32; i++)
		snprintf(hex + 2 * i, 3, "%02x", h.hash[i]);
	store_id_hex(t->st, id);
	snprintf(want, sizeof want, "]: audit head %llu %s store %s", (unsigned long long)h.seq, hex,
	         id);
	assert_non_null(strstr(buf, want));
	assert_true(strncmp(buf, "<86>mappe[", 10) == 0);
}

/* After a rotation of the audit class, entries of both epochs are read; the
 * older epoch is kept, not retired. */
static void test_audit_rotation(void **state)
{
	struct tstore *t = *state;
	struct seen s;

	uint64_t a = add_case(t->st, "Ada");
	assert_int_equal(store_rotate(t->st, KC_AUDIT, 0, NULL, NULL), M_OK);
	uint64_t b = add_case(t->st, "Bo");
	ts_reopen_as(t, "lena", LEAD_PASS);
	all_entries(t->st, &s);
	assert_int_equal(count(&s, AUDIT_CREATE, a), 1);
	assert_int_equal(count(&s, AUDIT_CREATE, b), 1);
	assert_int_equal(count(&s, AUDIT_KEYS, 0), 2); /* begun, done */
	for (size_t i = 0; i < s.n; i++)
		assert_true(s.e[i].opened);
	ts_reopen_as(t, "admin", FIXTURE_ADMIN_PASS);
	struct reports r;
	assert_int_equal(check(t->st, &r), M_OK);
	/* A lead enrolled after the rotation reads the entries from before it. */
	assert_int_equal(store_user_add(t->st, "mona", ROLE_LEAD, LEAD_PASS, strlen(LEAD_PASS)),
	                 M_OK);
	ts_reopen_as(t, "mona", LEAD_PASS);
	all_entries(t->st, &s);
	assert_int_equal(count(&s, AUDIT_CREATE, a), 1);
	for (size_t i = 0; i < s.n; i++)
		assert_true(s.e[i].opened);
}

/* The log's own retention: entries before a date go, the kept chain starts
 * at a base that a PRUNE entry names, and a session open across the prune
 * goes on logging under a session of its own. */
static void test_prune(void **state)
{
	struct tstore *t = *state;
	struct audit_head h;
	struct seen s;
	struct reports r;
	uint64_t removed, base;
	int go[2], ready[2];
	char c;

	add_case(t->st, "Ada");
	add_case(t->st, "Bo");
	/* A caseworker's session that stays open across the prune. */
	assert_int_equal(pipe(go), 0);
	assert_int_equal(pipe(ready), 0);
	ts_close(t);
	pid_t pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		ts_open(t);
		if (ts_unlock(t, "kari", CW_PASS) != M_OK)
			_exit(1);
		add_case(t->st, "Cy");
		if (write(ready[1], "r", 1) != 1 || read(go[0], &c, 1) != 1)
			_exit(2);
		add_case(t->st, "Dag"); /* after the prune */
		ts_close(t);
		_exit(0);
	}
	assert_int_equal(read(ready[0], &c, 1), 1);
	ts_open(t);
	assert_int_equal(ts_unlock(t, "lena", LEAD_PASS), M_OK);
	assert_int_equal(store_audit_prune(t->st, st_now() + 3600, &removed, &base), M_AUTH);
	ts_reopen_as(t, "admin", FIXTURE_ADMIN_PASS);
	assert_int_equal(store_audit_prune(t->st, st_now() + 3600, &removed, &base), M_OK);
	assert_true(removed > 5);
	assert_int_equal(removed, base);
	ts_close(t);
	assert_int_equal(write(go[1], "g", 1), 1);
	int status;
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);

	ts_open(t);
	assert_int_equal(ts_unlock(t, "lena", LEAD_PASS), M_OK);
	assert_int_equal(store_audit_verify(t->st, NULL, &h), M_OK);
	all_entries(t->st, &s);
	assert_int_equal(count(&s, AUDIT_PRUNE, 0), 1);
	assert_int_equal(count(&s, AUDIT_CREATE, 4), 1); /* Dag, after the prune */
	assert_int_equal(count(&s, AUDIT_CREATE, 1), 0); /* Ada went */
	for (size_t i = 0; i < s.n; i++) {
		assert_true(s.e[i].opened);
		assert_true(s.e[i].seq > base);
	}
	ts_reopen_as(t, "admin", FIXTURE_ADMIN_PASS);
	assert_int_equal(check(t->st, &r), M_OK);
	/* A system log head from before the prune can no longer be checked,
	 * and is not a failure. */
	struct audit_head old = {.seq = 2};
	assert_int_equal(store_audit_verify(t->st, &old, NULL), M_OK);

	/* The base moved on by a writer of the file, with no prune entry for
	 * it: the chain alone still looks whole from there, check does not. */
	uint8_t k[8], v[1024], hv[40];
	size_t len;
	be64(k, base + 2);
	assert_true(raw_get(t->st, DB_AUDIT, k, 8, v, sizeof v, &len));
	be64(hv, base + 1);
	memcpy(hv + 8, v + 10, 32);
	raw_put(t->st, DB_META, "audit_base", 10, hv, sizeof hv);
	assert_int_equal(store_audit_verify(t->st, NULL, NULL), M_OK);
	assert_int_equal(check(t->st, &r), M_INTEGRITY);
	assert_true(named(&r, "no prune entry says so"));
}

#define FX(fn) cmocka_unit_test_setup_teardown(fn, fx_setup, fixture_store_teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
	    FX(test_logged_and_read), FX(test_entries_sealed),  FX(test_tampered_entry),
	    FX(test_deleted_tail),    FX(test_reordered),       FX(test_case_rolled_back),
	    FX(test_case_deleted),    FX(test_syslog_head),     FX(test_audit_rotation),
	    FX(test_prune),
	};

	return cmocka_run_group_tests_name("audit", tests, fixture_keys_setup, NULL);
}
