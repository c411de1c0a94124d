/* Tests for the store's write gate (env.c): a writer that another process
 * holds up gets a bounded wait and a message naming that process, stopped
 * or running, and the gate is given back after every transaction. The
 * other process is a forked child that takes the gate's lock on data.mdb
 * itself, as a mappe stopped inside a write transaction would hold it.
 *
 * The reader gate likewise, with a child that holds LMDB's reader-table
 * mutex as a mappe stopped inside mdb_txn_begin would.
 *
 * store/private.h is used only for the gates' bytes. Every value is
 * invented. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "store/private.h"
#include "store/store.h"
#include "tests/unit/tmpdir.h"
#include "tests/unit/open.h"

static const struct keys_kdf kdf_min = {2, 64ull << 20};
static const struct store_options opts = {0, &kdf_min};
static const char admin_pass[] = "admin passphrase one";
static const char note[] = "an invented note";

struct fx {
	char dir[128];
	store *st;
	uint64_t id;
};

static int fx_setup(void **state)
{
	struct fx *f = calloc(1, sizeof *f);
	char err[512] = "";
	struct case_rec c;

	if (!f)
		return -1;
	make_dir(f->dir, sizeof f->dir);
	assert_int_equal(
	    t_store_create(f->dir, "admin", admin_pass, strlen(admin_pass), &opts, err, sizeof err),
	    M_OK);
	assert_int_equal(t_store_open(f->dir, &opts, &f->st, err, sizeof err), M_OK);
	assert_int_equal(store_unlock(f->st, "admin", admin_pass, strlen(admin_pass)), M_OK);
	case_init(&c);
	assert_int_equal(case_set(&c, F_given_name, "Kari", 4), M_OK);
	assert_int_equal(store_case_insert(f->st, &c, 1, &f->id), M_OK);
	case_clear(&c);
	/* A short bound keeps the tests quick; the default is 10 s. */
	setenv("MAPPE_LOCK_WAIT_MS", "300", 1);
	*state = f;
	return 0;
}

static int fx_teardown(void **state)
{
	struct fx *f = *state;

	unsetenv("MAPPE_LOCK_WAIT_MS");
	store_close(f->st);
	remove_dir(f->dir);
	free(f);
	return 0;
}

/* A child that takes what take() takes in dir, says so on the pipe, then
 * stops itself (stop) or waits to be killed; back here once it holds. */
static pid_t hold(const char *dir, int (*take)(const char *dir), bool stop)
{
	int p[2];
	pid_t pid;
	char c;

	assert_int_equal(pipe(p), 0);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		if (take(dir) != 0)
			_exit(1);
		if (write(p[1], "x", 1) != 1)
			_exit(1);
		if (stop)
			raise(SIGSTOP);
		else
			for (;;)
				pause();
		_exit(0);
	}
	close(p[1]);
	assert_int_equal(read(p[0], &c, 1), 1);
	close(p[0]);
	if (stop) {
		int status;
		assert_int_equal(waitpid(pid, &status, WUNTRACED), pid);
		assert_true(WIFSTOPPED(status));
	}
	return pid;
}

/* The write gate, through this process's own descriptor of data.mdb; cmd:
 * F_SETLKW waits for it, F_SETLK does not. */
static int lock_gate(const char *dir, int cmd)
{
	char path[256];
	struct flock l = {
	    .l_type = F_WRLCK, .l_whence = SEEK_SET, .l_start = ST_WRITE_GATE, .l_len = 1};
	int fd;

	snprintf(path, sizeof path, "%s/data.mdb", dir);
	fd = open(path, O_RDWR);
	return fd < 0 || fcntl(fd, cmd, &l) != 0 ? -1 : 0;
}

static int take_gate(const char *dir)
{
	return lock_gate(dir, F_SETLKW);
}

static pid_t hold_gate(const char *dir, bool stop)
{
	return hold(dir, take_gate, stop);
}

/* Whether another process could take the gate now. */
static bool gate_free(const char *dir)
{
	pid_t pid = fork();
	int status;

	assert_true(pid >= 0);
	if (pid == 0)
		_exit(lock_gate(dir, F_SETLK) == 0 ? 0 : 1);
	assert_int_equal(waitpid(pid, &status, 0), pid);
	return WIFEXITED(status) && WEXITSTATUS(status) == 0;
}

static long ms_since(const struct timespec *t0)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (t.tv_sec - t0->tv_sec) * 1000 + (t.tv_nsec - t0->tv_nsec) / 1000000;
}

static void test_gate_stopped_holder(void **state)
{
	struct fx *f = *state;
	struct timespec t0;
	char want[64];
	pid_t pid = hold_gate(f->dir, true);
	int status;

	/* A note waits the bound, not forever, and names the stopped writer. */
	clock_gettime(CLOCK_MONOTONIC, &t0);
	assert_int_equal(store_note_add(f->st, f->id, NOTE_HOME_VISIT, false, note, strlen(note)),
	                 M_UNAVAILABLE);
	assert_true(ms_since(&t0) >= 290);
	assert_true(ms_since(&t0) < 3000);
	snprintf(want, sizeof want, "process %d ", (int)pid);
	assert_non_null(strstr(store_error(f->st), want));
	assert_non_null(strstr(store_error(f->st), "is stopped"));
	snprintf(want, sizeof want, "kill -KILL %d", (int)pid);
	assert_non_null(strstr(store_error(f->st), want));
	assert_null(strstr(store_error(f->st), note));
	/* So does a case save. */
	struct case_rec c;
	case_init(&c);
	assert_int_equal(store_case_get(f->st, f->id, &c), M_OK);
	assert_int_equal(case_set(&c, F_given_name, "Ola", 3), M_OK);
	assert_int_equal(store_case_update(f->st, &c, c.version), M_UNAVAILABLE);
	assert_non_null(strstr(store_error(f->st), "is stopped"));
	/* Continued, the holder finishes; the writes go through. */
	kill(pid, SIGCONT);
	kill(pid, SIGKILL);
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_int_equal(store_case_update(f->st, &c, c.version), M_OK);
	case_clear(&c);
	assert_int_equal(store_note_add(f->st, f->id, NOTE_HOME_VISIT, false, note, strlen(note)),
	                 M_OK);
}

/* Drafts kept while typing give up at once when another write holds the
 * store: the typist is never made to wait (review of 2026-12-01). A draft
 * at a lock or hangup still waits its bound like any save. */
static void test_draft_keep_does_not_wait(void **state)
{
	struct fx *f = *state;
	struct timespec t0;
	pid_t pid = hold_gate(f->dir, true);
	int status;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	assert_int_equal(store_draft_keep(f->st, f->id, NULL, 0, note, strlen(note)), M_UNAVAILABLE);
	assert_true(ms_since(&t0) < 250);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	assert_int_equal(store_draft_save(f->st, f->id, NULL, 0, note, strlen(note)), M_UNAVAILABLE);
	assert_true(ms_since(&t0) >= 290);
	kill(pid, SIGCONT);
	kill(pid, SIGKILL);
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_int_equal(store_draft_keep(f->st, f->id, NULL, 0, note, strlen(note)), M_OK);
	assert_int_equal(store_draft_delete(f->st, f->id), M_OK);
}

/* Nor is a login (review of issue 10): the note of it is a write, which
 * gives up at once when the store is busy; the last login is still read. */
static void test_login_note_does_not_wait(void **state)
{
	struct fx *f = *state;
	struct timespec t0;
	int status;

	assert_int_equal(store_login_note(f->st), M_OK);
	int64_t noted = store_previous_login(f->st);
	pid_t pid = hold_gate(f->dir, true);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	assert_int_equal(store_login_note(f->st), M_OK);
	assert_true(ms_since(&t0) < 250);
	assert_true(store_previous_login(f->st) >= noted - 1); /* read back, not lost */
	kill(pid, SIGCONT);
	kill(pid, SIGKILL);
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_int_equal(store_login_note(f->st), M_OK);
}

static void test_gate_running_holder(void **state)
{
	struct fx *f = *state;
	char want[64];
	pid_t pid = hold_gate(f->dir, false);
	int status;

	assert_int_equal(store_note_add(f->st, f->id, NOTE_PHONE, false, note, strlen(note)),
	                 M_UNAVAILABLE);
	snprintf(want, sizeof want, "process %d ", (int)pid);
	assert_non_null(strstr(store_error(f->st), want));
	assert_non_null(strstr(store_error(f->st), "has been writing"));
	kill(pid, SIGKILL);
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_int_equal(store_note_add(f->st, f->id, NOTE_PHONE, false, note, strlen(note)), M_OK);
}

static void test_gate_given_back(void **state)
{
	struct fx *f = *state;

	/* After a write that commits, and after one that fails. */
	assert_true(gate_free(f->dir));
	assert_int_equal(store_note_add(f->st, f->id, NOTE_MEETING, false, note, strlen(note)),
	                 M_OK);
	assert_true(gate_free(f->dir));
	assert_int_equal(
	    store_note_add(f->st, f->id + 1000, NOTE_MEETING, false, note, strlen(note)), M_INPUT);
	assert_true(gate_free(f->dir));
}

/* A child that is what a mappe stopped inside mdb_txn_begin is: it holds
 * the reader gate, the lock file's shared lock (as every process with the
 * store open does) and LMDB's reader-table mutex (a robust process-shared
 * mutex 8 bytes into lock.mdb, LMDB 0.9), and is stopped. Without the gate
 * every reader, and every login, would wait on that mutex for ever. */
static int take_reader_mutex(const char *dir)
{
	char path[256];
	struct flock g = {
	    .l_type = F_WRLCK, .l_whence = SEEK_SET, .l_start = ST_READ_GATE, .l_len = 1};
	struct flock shared = {.l_type = F_RDLCK, .l_whence = SEEK_SET, .l_start = 0, .l_len = 1};
	int dfd, lfd;
	void *m;

	snprintf(path, sizeof path, "%s/data.mdb", dir);
	dfd = open(path, O_RDWR);
	snprintf(path, sizeof path, "%s/lock.mdb", dir);
	lfd = open(path, O_RDWR);
	if (dfd < 0 || lfd < 0 || fcntl(dfd, F_SETLKW, &g) != 0 ||
	    fcntl(lfd, F_SETLKW, &shared) != 0)
		return -1;
	m = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED, lfd, 0);
	if (m == MAP_FAILED || pthread_mutex_lock((pthread_mutex_t *)((char *)m + 8)) != 0)
		return -1;
	return 0;
}

static pid_t hold_reader_mutex(const char *dir)
{
	return hold(dir, take_reader_mutex, true);
}

static void test_reader_gate_stopped_holder(void **state)
{
	struct fx *f = *state;
	struct timespec t0;
	struct case_rec c;
	char want[64];
	pid_t pid = hold_reader_mutex(f->dir);
	int status;

	case_init(&c); /* store_case_get frees what c held */
	clock_gettime(CLOCK_MONOTONIC, &t0);
	assert_int_equal(store_case_get(f->st, f->id, &c), M_UNAVAILABLE);
	assert_true(ms_since(&t0) >= 290);
	assert_true(ms_since(&t0) < 3000);
	snprintf(want, sizeof want, "process %d ", (int)pid);
	assert_non_null(strstr(store_error(f->st), want));
	assert_non_null(strstr(store_error(f->st), "reader lock and is stopped"));
	/* Killed, the mutex is recovered (it is robust) and reads go on. */
	kill(pid, SIGKILL);
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_int_equal(store_case_get(f->st, f->id, &c), M_OK);
	case_clear(&c);
	assert_int_equal(store_note_add(f->st, f->id, NOTE_OTHER, false, note, strlen(note)), M_OK);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_gate_stopped_holder, fx_setup, fx_teardown),
	    cmocka_unit_test_setup_teardown(test_draft_keep_does_not_wait, fx_setup, fx_teardown),
	    cmocka_unit_test_setup_teardown(test_login_note_does_not_wait, fx_setup, fx_teardown),
	    cmocka_unit_test_setup_teardown(test_gate_running_holder, fx_setup, fx_teardown),
	    cmocka_unit_test_setup_teardown(test_gate_given_back, fx_setup, fx_teardown),
	    cmocka_unit_test_setup_teardown(test_reader_gate_stopped_holder, fx_setup, fx_teardown),
	};

	if (keys_init() != KEYS_OK)
		return 1;
	return cmocka_run_group_tests_name("locks", tests, NULL, NULL);
}
