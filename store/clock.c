/* clock.c: the store's clock, apart from the environment so that pure code
 * (field_normalise's past dates) reads the same clock without linking LMDB. */
#include "store/catalogue.h"

#include <stdlib.h>
#include <time.h>

int64_t st_now(void)
{
	/* The tests' fixed clock (unix seconds), as MAPPE_TODAY fixes the day:
	 * never for a setgid mappe, whose times are the log's. */
	const char *fake = secure_getenv("MAPPE_NOW");
	char *end;

	if (fake && *fake) {
		long long t = strtoll(fake, &end, 10);
		if (*end == 0 && t > 0)
			return (int64_t)t;
	}
	return (int64_t)time(NULL);
}
