/* synth.h: invented people for the demo store, tests and benchmarks.
 * Lives outside libmappe.a (in libmappe-gen.a) so that mappe, which a
 * deployment makes setgid, carries no tables of names: mappe demo runs the
 * mappe-gen program (tests/gen/main.c) instead. */
#ifndef MAPPE_TESTS_GEN_SYNTH_H
#define MAPPE_TESTS_GEN_SYNTH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/* Invented people (never real ones), the same for the same seed: CSV with a
 * header of field ids, or JSON Lines. -1 with a message in err only on an
 * internal error. */
int synth_write(FILE *f, uint64_t seed, uint64_t count, bool jsonl, char *err, size_t errlen);

#endif
