/* The saver of tests/bench/sessions.py: one process that saves while the
 * sessions work, and times every save on its own.
 *
 *   saver DB USER INTERVAL_MS IDS_FILE
 *
 * Reads USER's passphrase as the first line of stdin, opens and unlocks the
 * store once (the Argon2id of the login is not in any save's time), prints
 * "ready", then waits for one more byte on stdin: the start. From then on
 * it saves the phone of the next case of IDS_FILE (one id per line, in turn)
 * every INTERVAL_MS (the next save starts INTERVAL_MS after the previous
 * one started, or at once if that one took longer): store_case_update, one
 * durable write transaction each, which also appends the audit log's CHANGE
 * entry in the same transaction, as every save in mappe does. One line per
 * save, "save ID NS RC", NS the nanoseconds store_case_update took. It stops
 * at end of file on stdin and prints "done N".
 *
 *   saver --count DB USER
 *
 * Reads USER's passphrase from stdin likewise and prints how many entries of
 * each action the audit log holds ("audit ACTION N", then "audit total N"):
 * the harness checks that the opens and saves it made were logged. USER
 * must hold the audit class (an administrator). Exit 2 when the store does
 * not open or unlock, or the log does not read. */
#include <errno.h>
#include <inttypes.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "keys/keys.h"
#include "store/store.h"

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

/* 1: a byte on stdin, 0: nothing within timeout_ms, -1: end of file. */
static int order(int timeout_ms)
{
	struct pollfd p = {.fd = 0, .events = POLLIN};
	char b;
	int r = poll(&p, 1, timeout_ms);

	if (r < 0)
		return errno == EINTR ? 0 : -1;
	if (r == 0)
		return 0;
	r = (int)read(0, &b, 1);
	return r == 1 ? 1 : r == 0 ? -1 : (errno == EINTR ? 0 : -1);
}

static char *read_line_fd(int fd)
{
	static char buf[512];
	size_t n = 0;

	while (n + 1 < sizeof buf) {
		ssize_t r = read(fd, buf + n, 1);
		if (r <= 0)
			return NULL;
		if (buf[n] == '\n')
			break;
		n++;
	}
	buf[n] = 0;
	return buf;
}

static int count_one(void *ctx, const struct audit_entry *e)
{
	size_t *n = ctx;

	if ((unsigned)e->action < 64)
		n[e->action]++;
	n[64]++;
	return M_OK;
}

static int save_main(int argc, char **argv);

static int count_main(int argc, char **argv)
{
	struct audit_filter f = {.action = -1};
	struct store_fault fault = {0};
	size_t n[65] = {0};
	store *st = NULL;
	char *pass;
	int rc;

	if (argc != 4 || !(pass = read_line_fd(0))) {
		fprintf(stderr, "usage: saver --count DB USER (passphrase on stdin)\n");
		return 1;
	}
	if (store_open(argv[2], NULL, &st, &fault) != M_OK) {
		fprintf(stderr, "saver: the store does not open\n");
		return 2;
	}
	if (store_unlock(st, argv[3], pass, strlen(pass)) != M_OK) {
		fprintf(stderr, "saver: store_unlock: %s\n", store_error(st));
		store_close(st);
		return 2;
	}
	memset(pass, 0, strlen(pass));
	if ((rc = store_audit_each(st, &f, count_one, n)) != M_OK)
		fprintf(stderr, "saver: store_audit_each: %s\n", store_error(st));
	for (int a = 1; a < 64; a++)
		if (n[a])
			printf("audit %s %zu\n", audit_action_name((enum audit_action)a), n[a]);
	printf("audit total %zu\n", n[64]);
	store_close(st);
	return rc == M_OK ? 0 : 2;
}

int main(int argc, char **argv)
{
	if (keys_init() != KEYS_OK) {
		fprintf(stderr, "saver: libsodium does not start\n");
		return 2;
	}
	return argc > 1 && strcmp(argv[1], "--count") == 0 ? count_main(argc, argv)
	                                                   : save_main(argc, argv);
}

static int save_main(int argc, char **argv)
{
	uint64_t *ids = NULL;
	size_t nids = 0, cap = 0, saves = 0;
	unsigned long interval, run;
	struct store_fault f = {0};
	store *st = NULL;
	char *pass;
	FILE *in;
	unsigned long long id;

	if (argc != 5) {
		fprintf(stderr, "usage: saver DB USER INTERVAL_MS IDS_FILE\n");
		return 1;
	}
	interval = strtoul(argv[3], NULL, 10);
	if (!(in = fopen(argv[4], "r"))) {
		perror(argv[4]);
		return 1;
	}
	while (fscanf(in, "%llu", &id) == 1) {
		if (nids == cap) {
			cap = cap ? cap * 2 : 256;
			if (!(ids = realloc(ids, cap * sizeof *ids)))
				return 2;
		}
		ids[nids++] = id;
	}
	fclose(in);
	if (!nids) {
		fprintf(stderr, "saver: no ids in %s\n", argv[4]);
		return 1;
	}
	if (!(pass = read_line_fd(0))) {
		fprintf(stderr, "saver: no passphrase on stdin\n");
		return 1;
	}
	if (store_open(argv[1], NULL, &st, &f) != M_OK) {
		fprintf(stderr, "saver: the store does not open\n");
		return 2;
	}
	if (store_unlock(st, argv[2], pass, strlen(pass)) != M_OK) {
		fprintf(stderr, "saver: store_unlock: %s\n", store_error(st));
		store_close(st);
		return 2;
	}
	memset(pass, 0, strlen(pass));
	store_audit_purpose(st, "bench saver");
	printf("ready\n");
	fflush(stdout);
	if (order(-1) != 1)
		goto out;

	run = (unsigned long)time(NULL) * 7ul;
	for (uint64_t next = now_ns();; saves++) {
		uint64_t now = now_ns(), t0;
		int wait = next > now ? (int)((next - now + 999999) / 1000000) : 0;
		struct case_rec r;
		char phone[32];
		int rc;

		if (order(wait) < 0)
			break;
		next = (next > now ? next : now) + interval * 1000000ull;
		/* A number no earlier run wrote to this case: a save of the same
		 * value writes nothing. */
		snprintf(phone, sizeof phone, "+479%07lu", (run + saves) % 10000000ul);
		case_init(&r);
		r.id = ids[saves % nids];
		if (case_set(&r, F_phone, phone, strlen(phone)))
			return 2;
		t0 = now_ns();
		rc = store_case_update(st, &r, 0);
		now = now_ns() - t0;
		case_clear(&r);
		printf("save %" PRIu64 " %" PRIu64 " %d\n", ids[saves % nids], now, rc);
		fflush(stdout);
	}
out:
	printf("done %zu\n", saves);
	fflush(stdout);
	store_close(st);
	free(ids);
	return 0;
}
