/* mappe-gen: synthetic case files for the demo store, tests and benchmarks
 * (tests/gen/synth.c). mappe demo runs it from beside the mappe binary;
 * the tests know it as build/tests/gen.
 *
 *   mappe-gen [--seed N] [--count N] [--format csv|jsonl] [--today YYYY-MM-DD] [--basic]
 *   mappe-gen --ids
 */
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "store/validate.h"
#include "tests/gen/synth.h"

#define MAX_COUNT 10000000ULL

/* ---- main ------------------------------------------------------------------- */

static void usage(FILE *f)
{
	fputs("usage: mappe-gen [--seed N] [--count N] [--format csv|jsonl] [--today YYYY-MM-DD] "
	      "[--basic]\n"
	      "       mappe-gen --ids\n"
	      "Prints synthetic refugee case files (never real people) to standard output,\n"
	      "their dates up to --today (default 2024-12-31); --ids prints the catalogue's\n"
	      "field and list item ids; --basic only the person and contact, as before\n"
	      "the programme's fields (for tests of the screens).\n",
	      f);
}

static bool parse_u64(const char *s, unsigned long long max, unsigned long long *out)
{
	char *end;

	if (!s || *s < '0' || *s > '9')
		return false;
	errno = 0;
	unsigned long long v = strtoull(s, &end, 10);
	if (errno || *end || v > max)
		return false;
	*out = v;
	return true;
}

int main(int argc, char **argv)
{
	unsigned long long seed = 1, count = 10;
	bool jsonl = false;
	const char *today = NULL;
	bool basic = false;

	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		const char *v = i + 1 < argc ? argv[i + 1] : NULL;

		if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
			usage(stdout);
			return 0;
		} else if (strcmp(a, "--seed") == 0 && parse_u64(v, UINT64_MAX, &seed)) {
			i++;
		} else if (strcmp(a, "--count") == 0 && parse_u64(v, MAX_COUNT, &count)) {
			i++;
		} else if (strcmp(a, "--basic") == 0) {
			basic = true;
		} else if (strcmp(a, "--ids") == 0) {
			synth_ids(stdout);
			return fflush(stdout) == 0 ? 0 : 1;
		} else if (strcmp(a, "--today") == 0 && v && !valid_date(v)) {
			/* The births are drawn back from 2024-12-31, and the store
			 * refuses an arrival or a mapping after the real today. */
			if (date_days(v) < date_days("2024-12-31") ||
			    date_days(v) > (long)(time(NULL) / 86400)) {
				fprintf(stderr,
				        "mappe-gen: --today must be from 2024-12-31 to today\n");
				return 1;
			}
			today = v;
			i++;
		} else if (strcmp(a, "--format") == 0 && v &&
		           (strcmp(v, "csv") == 0 || strcmp(v, "jsonl") == 0)) {
			jsonl = strcmp(v, "jsonl") == 0;
			i++;
		} else {
			fprintf(stderr, "mappe-gen: bad argument: %s\n", a);
			usage(stderr);
			return 1;
		}
	}

	static char buf[1 << 16];
	char err[128];

	setvbuf(stdout, buf, _IOFBF, sizeof buf);
	if (synth_write_on(stdout, seed, count, jsonl, today, basic, err, sizeof err) != 0) {
		fprintf(stderr, "mappe-gen: %s\n", err);
		return 3;
	}
	if (fflush(stdout) != 0 || ferror(stdout)) {
		perror("mappe-gen: write");
		return 1;
	}
	return 0;
}
