/* catalogue.h: private to store/: the pure part of the record model that the
 * field table needs beside store.h (statuses, the clock). Pure: catalogue.c,
 * validate.c, formats.c, fold.c and clock.c build libmappe-pure.a, which
 * links without LMDB or libsodium, and so do their unit tests and fuzzers. */
#ifndef MAPPE_STORE_CATALOGUE_H
#define MAPPE_STORE_CATALOGUE_H

#include <stddef.h>
#include <stdint.h>

/* The store's one clock, in seconds since the epoch: record times, drafts,
 * and "lies in the future" for dates that must be past. */
int64_t st_now(void);

/* A case status by its stored id ("in_programme"): its number, or -1. */
int status_parse(const char *s, size_t len);
/* The stored id of status number s, "?" if there is none. */
const char *status_name(unsigned s);

#endif
