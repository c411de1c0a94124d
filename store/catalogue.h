/* catalogue.h: private to store/: the pure part of the record model that the
 * field table needs beside store.h (statuses, the clock). Pure: catalogue.c,
 * validate.c, formats.c, fold.c and clock.c build libmappe-pure.a, which
 * links without LMDB or libsodium, and so do their unit tests and fuzzers. */
#ifndef MAPPE_STORE_CATALOGUE_H
#define MAPPE_STORE_CATALOGUE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* The store's one clock, in seconds since the epoch: record times, drafts,
 * and "lies in the future" for dates that must be past. */
int64_t st_now(void);

/* A case status by its stored id ("in_programme"): its number, or -1. */
int status_parse(const char *s, size_t len);
/* The stored id of status number s, "?" if there is none. */
const char *status_name(unsigned s);

/* The tables of names the .def files make (code tables, deadlines; not
 * rules.c's, which catalogue.c needs, so that the files stay layers): an
 * element's id, and its label in either language, "?" for an index out of
 * range. */
struct named {
	const char *id, *nb, *en;
};
const char *named_id(const struct named *t, size_t n, unsigned i);
const char *named_label(const struct named *t, size_t n, unsigned i, bool norwegian);
/* The index of the element of t (n of size bytes, each starting with its
 * const char *id) whose id is the len bytes at s; -1 if none. */
int named_find(const void *t, size_t n, size_t size, const char *s, size_t len);

#endif
