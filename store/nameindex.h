/* The word index: private to store/ (search.c). Every unit of every name
 * (fold.h: words, alternate readings, joins) sorted by its text and by its
 * skeletons, so that a keystroke looks up ranges instead of scoring every
 * name: O(log N + hits). Built once a session, in locked memory; rows that
 * change afterwards are kept aside and scored directly until the next
 * rebuild. The index agrees with fold_rank run on every name (the property
 * test in tests/unit/test_nameindex.c). */
#ifndef MAPPE_STORE_NAMEINDEX_H
#define MAPPE_STORE_NAMEINDEX_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "store/fold.h"

/* The folded name (fold_name) of row i, or NULL for none. */
typedef const char *(*name_at_fn)(void *ctx, size_t row);

typedef struct name_index name_index;

struct name_hit {
	uint32_t row;
	int score;
	enum fold_kind kind;
	bool in_order; /* fold_rank_fit's */
};

/* Index rows [0, n). 0, or -1 when memory ran out. */
int name_index_build(name_index **out, size_t n, name_at_fn at, void *ctx);
void name_index_free(name_index *ni);

/* Row's name changed, or row was appended (row == the rows known so far):
 * searched directly until the next rebuild. Rows that moved (a row removed
 * or put between others) need a rebuild. */
int name_index_changed(name_index *ni, size_t row);
/* How many rows the index is behind by: a rebuild is due above a few
 * hundred. */
size_t name_index_pending(const name_index *ni);

/* The rows whose name matches folded query q (fold_name), each with
 * fold_rank_fit's score, kind and order, in row order; *hits malloc'd (free()). rows:
 * how many rows there are now. 0, or -1 when memory ran out. */
int name_index_search(name_index *ni, const char *q, size_t rows, name_at_fn at, void *ctx,
                      struct name_hit **hits, size_t *nhits);

#endif
