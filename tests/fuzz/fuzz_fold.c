/* libFuzzer: names and queries in any script meet the search folding. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "store/fold.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char a[256], b[1024];
	size_t half = size / 2;

	/* small outputs on purpose: truncation is where folding can slip */
	fold_text((const char *)data, half, a, 1 + (size % sizeof a));
	fold_text((const char *)data + half, size - half, b, sizeof b);
	fold_score(a, b);
	fold_score(b, a);
	return 0;
}
