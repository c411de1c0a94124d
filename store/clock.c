/* clock.c: the store's clock, apart from the environment so that pure code
 * (field_normalise's past dates) reads the same clock without linking LMDB. */
#include "store/catalogue.h"

#include <time.h>

int64_t st_now(void)
{
	return (int64_t)time(NULL);
}
