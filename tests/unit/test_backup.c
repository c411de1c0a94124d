/* mappe backup (issue 12) in the store: store_backup makes LMDB's
 * compacting copy and its SHA-256 beside it, for administrators only, and
 * leaves nothing behind when refused; store_backup_verify checks the sum
 * before LMDB sees the file, then opens the copy as a store without
 * writing to it; the copy opens, unlocks and checks as the store it was.
 *
 * All values are invented and never printed. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "store/store.h"
#include "tests/unit/fixture.h"

static const char admin_pass[] = FIXTURE_ADMIN_PASS;
static const char kari_pass[] = "kari passphrase one";
static const char lena_pass[] = "lena passphrase one";

static int setup(void **state)
{
	(void)state;
	return keys_init() == KEYS_OK ? 0 : -1;
}

static void store_with_cases(struct tstore *t)
{
	char csv[] = "status,caseworker,given_name,family_name\n"
	             "settled,kari,Ane,Berg\n"
	             "settled,kari,Per,Dal\n"
	             "in_programme,kari,Siv,Eng\n";
	uint64_t *ids;
	size_t n;

	assert_int_equal(ts_create(t, 0, "admin", admin_pass), 0);
	assert_int_equal(
	    store_user_add(t->st, "kari", ROLE_CASEWORKER, kari_pass, strlen(kari_pass)), M_OK);
	assert_int_equal(store_user_add(t->st, "lena", ROLE_LEAD, lena_pass, strlen(lena_pass)),
	                 M_OK);
	assert_int_equal(
	    store_import(t->st, "t.csv", csv, sizeof csv - 1, IMPORT_CSV, false, &ids, &n), M_OK);
	assert_int_equal(n, 3);
	free(ids);
}

static void write_file(const char *path, const char *s)
{
	FILE *f = fopen(path, "w");
	assert_non_null(f);
	fputs(s, f);
	fclose(f);
}

static void sha256_of(const char *path, const char *s, const char *want_hex)
{
	uint8_t h[KEYS_SHA256_BYTES];
	char hex[2 * KEYS_SHA256_BYTES + 1];
	uint64_t size = 99;
	int fd;

	write_file(path, s);
	fd = open(path, O_RDONLY);
	assert_true(fd >= 0);
	assert_int_equal(keys_sha256_fd(fd, h, &size), KEYS_OK);
	close(fd);
	for (size_t i = 0; i < sizeof h; i++)
		snprintf(hex + 2 * i, 3, "%02x", h[i]);
	assert_string_equal(hex, want_hex);
	assert_int_equal(size, strlen(s));
}

/* FIPS 180-2's vectors: coreutils' sha256sum must agree with the file. */
static void test_sha256(void **state)
{
	char dir[128], path[160];

	(void)state;
	make_dir(dir, sizeof dir);
	snprintf(path, sizeof path, "%s/f", dir);
	sha256_of(path, "", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
	sha256_of(path, "abc", "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
	sha256_of(path, "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq",
	          "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
	remove_dir(dir);
}

static void test_backup_and_verify(void **state)
{
	struct tstore t, copy = {0};
	struct store_backup b, v;
	char dest[120], sums[256], line[200], hex[2 * KEYS_SHA256_BYTES + 1];
	size_t checked = 0;
	FILE *f;

	(void)state;
	store_with_cases(&t);
	snprintf(dest, sizeof dest, "%.100s-bk", t.dir);
	assert_int_equal(store_backup(t.st, dest, &b), M_OK);
	assert_int_equal(b.cases, 3);
	assert_true(b.bytes > 0);
	assert_int_equal(b.schema, STORE_SCHEMA_CURRENT);

	/* SHA256SUMS is what sha256sum would write. */
	snprintf(sums, sizeof sums, "%s/%s", dest, STORE_BACKUP_SUMS);
	f = fopen(sums, "r");
	assert_non_null(f);
	assert_non_null(fgets(line, sizeof line, f));
	fclose(f);
	for (size_t i = 0; i < KEYS_SHA256_BYTES; i++)
		snprintf(hex + 2 * i, 3, "%02x", b.sha256[i]);
	assert_int_equal(strncmp(line, hex, 64), 0);
	assert_string_equal(line + 64, "  data.mdb\n");

	assert_int_equal(store_backup_verify(t.st, dest, &v), M_OK);
	assert_int_equal(v.cases, 3);
	assert_true(v.same_store);
	assert_memory_equal(v.sha256, b.sha256, KEYS_SHA256_BYTES);
	/* Nothing was written beside the copy: no lock file. */
	snprintf(line, sizeof line, "%s/lock.mdb", dest);
	assert_int_not_equal(access(line, F_OK), 0);

	/* The copy is the store: it opens, unlocks and checks. */
	ts_close(&t);
	snprintf(copy.dir, sizeof copy.dir, "%s", dest);
	ts_open(&copy);
	assert_int_equal(ts_unlock(&copy, "kari", kari_pass), M_OK);
	ts_close(&copy);
	ts_open(&copy);
	assert_int_equal(ts_unlock(&copy, "admin", admin_pass), M_OK);
	assert_int_equal(store_check(copy.st, NULL, NULL, &checked), M_OK);
	assert_int_equal(checked, 3);
	ts_close(&copy);
	remove_dir(dest);
	remove_dir(t.dir);
}

static void test_refused(void **state)
{
	struct tstore t;
	struct store_backup b;
	char dest[120];

	(void)state;
	store_with_cases(&t);
	snprintf(dest, sizeof dest, "%.100s-bk", t.dir);
	ts_reopen_as(&t, "kari", kari_pass);
	assert_int_equal(store_backup(t.st, dest, &b), M_AUTH);
	assert_int_equal(store_fault(t.st)->code, E_BACKUP_NOT_PERMITTED);
	assert_int_not_equal(access(dest, F_OK), 0);
	ts_reopen_as(&t, "lena", lena_pass);
	assert_int_equal(store_backup(t.st, dest, &b), M_AUTH);
	assert_int_equal(store_backup_verify(t.st, dest, &b), M_AUTH);
	assert_int_not_equal(access(dest, F_OK), 0);
	ts_close(&t);
	remove_dir(t.dir);
}

static void test_mismatch(void **state)
{
	struct tstore t;
	struct store_backup b;
	char dest[120], path[224];
	struct stat sb;
	uint8_t byte;
	int fd;

	(void)state;
	store_with_cases(&t);
	snprintf(dest, sizeof dest, "%.100s-bk", t.dir);
	assert_int_equal(store_backup(t.st, dest, &b), M_OK);
	snprintf(path, sizeof path, "%s/data.mdb", dest);
	fd = open(path, O_RDWR);
	assert_true(fd >= 0);
	assert_int_equal(fstat(fd, &sb), 0);
	assert_int_equal(pread(fd, &byte, 1, sb.st_size / 2), 1);
	byte ^= 1;
	assert_int_equal(pwrite(fd, &byte, 1, sb.st_size / 2), 1);
	close(fd);
	assert_int_equal(store_backup_verify(t.st, dest, &b), M_INTEGRITY);
	assert_int_equal(store_fault(t.st)->code, E_BACKUP_MISMATCH);
	assert_string_equal(store_fault(t.st)->file, dest);

	snprintf(path, sizeof path, "%s/%s", dest, STORE_BACKUP_SUMS);
	unlink(path);
	assert_int_equal(store_backup_verify(t.st, dest, &b), M_INTEGRITY);
	assert_int_equal(store_fault(t.st)->code, E_BACKUP_NO_SUMS);

	/* The store itself is no backup of itself. */
	assert_int_equal(store_backup_verify(t.st, t.dir, &b), M_USAGE);
	assert_int_equal(store_fault(t.st)->code, E_BACKUP_IS_STORE);
	ts_close(&t);
	remove_dir(dest);
	remove_dir(t.dir);
}

struct found {
	int n;
	struct audit_entry last;
};

static int collect(void *ctx, const struct audit_entry *e)
{
	struct found *f = ctx;
	f->n++;
	f->last = *e;
	return M_OK;
}

static int backups_logged(store *st, struct found *f)
{
	struct audit_filter flt = {.action = AUDIT_BACKUP};

	memset(f, 0, sizeof *f);
	return store_audit_each(st, &flt, collect, f);
}

/* The backup is in the audit log of the store it copies, with DEST's last
 * name and nothing more; a refused or failed one is not; the copy, made
 * before its entry, holds a whole chain without it. */
static void test_audited(void **state)
{
	struct tstore t, copy = {0};
	struct store_backup b;
	struct audit_head head;
	struct found f;
	char dest[120], full[140], path[200];

	(void)state;
	store_with_cases(&t);
	snprintf(dest, sizeof dest, "%.100s-bk/", t.dir);
	assert_int_equal(store_backup(t.st, dest, &b), M_OK);
	assert_int_equal(backups_logged(t.st, &f), M_OK);
	assert_int_equal(f.n, 1);
	assert_true(f.last.opened);
	assert_string_equal(f.last.user, "admin");
	assert_int_equal(f.last.case_id, 0);
	assert_int_equal(f.last.classes, 0);
	{
		const char *name = strrchr(t.dir, '/') + 1;
		char want[96];
		snprintf(want, sizeof want, "%s-bk", name);
		assert_string_equal(f.last.detail, want);
	}

	/* Refused: not empty, or not an administrator: no entry. */
	snprintf(full, sizeof full, "%.100s-full", t.dir);
	assert_int_equal(mkdir(full, 0700), 0);
	snprintf(path, sizeof path, "%s/x", full);
	write_file(path, "x");
	assert_int_equal(store_backup(t.st, full, &b), M_USAGE);
	ts_reopen_as(&t, "kari", kari_pass);
	assert_int_equal(store_backup(t.st, full, &b), M_AUTH);
	ts_reopen_as(&t, "admin", admin_pass);
	assert_int_equal(backups_logged(t.st, &f), M_OK);
	assert_int_equal(f.n, 1);
	assert_int_equal(store_audit_verify(t.st, NULL, &head), M_OK);
	ts_close(&t);

	snprintf(copy.dir, sizeof copy.dir, "%.100s-bk", t.dir);
	ts_open(&copy);
	assert_int_equal(ts_unlock(&copy, "admin", admin_pass), M_OK);
	assert_int_equal(backups_logged(copy.st, &f), M_OK);
	assert_int_equal(f.n, 0);
	struct audit_head chead;
	assert_int_equal(store_audit_verify(copy.st, NULL, &chead), M_OK);
	assert_true(chead.seq > 0 && chead.seq < head.seq);
	ts_close(&copy);
	remove_dir(copy.dir);
	remove_dir(full);
	remove_dir(t.dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_sha256),  cmocka_unit_test(test_backup_and_verify),
	    cmocka_unit_test(test_refused), cmocka_unit_test(test_mismatch),
	    cmocka_unit_test(test_audited),
	};
	return cmocka_run_group_tests(tests, setup, NULL);
}
