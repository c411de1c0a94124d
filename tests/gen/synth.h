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

/* Invented people (never real ones), the same for the same seed and day:
 * CSV with a header of field ids, or JSON Lines. Their dates run up to
 * today_iso (YYYY-MM-DD; NULL: the generator's fixed day, 2024-12-31), and
 * their deadlines fall around it. -1 with a message in err only on an
 * internal error. basic: only the person and contact (and a completed
 * programme's end), as before issue 10, for tests of the screens. */
int synth_write_on(FILE *f, uint64_t seed, uint64_t count, bool jsonl, const char *today_iso,
                   bool basic, char *err, size_t errlen);
/* synth_write_on the fixed day. */
int synth_write(FILE *f, uint64_t seed, uint64_t count, bool jsonl, char *err, size_t errlen);
/* Every field id and list.item id of the catalogue, one a line: what a
 * test checks a generated set exercises. */
void synth_ids(FILE *f);

#endif
