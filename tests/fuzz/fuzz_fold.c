/* libFuzzer: names and queries in any script meet the search folding and
 * every rule of the matcher (fold_name's marks, articles, joins, alternate
 * readings, skeletons both ways, variant groups, typos). */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "store/fold.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int count_unit(void *ctx, const struct fold_unit *u)
{
	size_t *n = ctx;

	*n += u->len + u->klen[0] + u->klen[1];
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char a[256], b[1024], c[512];
	struct fold_word w[FOLD_WORDS_MAX];
	size_t half = size / 2, n, units = 0;
	enum fold_kind k;

	/* small outputs on purpose: truncation is where folding can slip */
	fold_text((const char *)data, half, a, 1 + (size % sizeof a));
	fold_text((const char *)data + half, size - half, b, sizeof b);
	fold_score(a, b);
	fold_score(b, a);
	/* The marked forms the search compares, both ways. */
	fold_name((const char *)data, half, a, 1 + (size % sizeof a));
	fold_name((const char *)data + half, size - half, b, sizeof b);
	fold_name((const char *)data, size, c, sizeof c);
	fold_rank(a, b, &k);
	fold_rank(b, a, &k);
	fold_rank(c, c, &k);
	n = fold_words(b, w, FOLD_WORDS_MAX);
	fold_units(w, n, count_unit, &units);
	return 0;
}
