/* Search folding: private to store/. Turns names in any script or spelling
 * into lowercase ASCII so that "olena shev" finds "Олена Шевченко", "odegard"
 * finds "Ødegård" and "mohammed" finds "Muhammad". Pure functions on caller
 * buffers: the caller keeps the results in locked memory. */
#ifndef MAPPE_STORE_FOLD_H
#define MAPPE_STORE_FOLD_H

#include <stddef.h>

/* Fold UTF-8 text: Latin letters lose their diacritics (ø→o, å→a, æ→ae,
 * ß→ss, é→e, ç→c, ...), Cyrillic (Ukrainian and Russian letters) and Arabic
 * script are transliterated, Ge'ez (Tigrinya) syllables become their Latin
 * consonant+vowel, letters are lowercased, and every other character becomes a
 * single space; no leading or trailing space. Invalid UTF-8 bytes are dropped.
 * Writes at most cap-1 bytes plus NUL; returns the length written. */
size_t fold_text(const char *in, size_t len, char *out, size_t cap);

/* How well a folded query matches a folded name (both from fold_text).
 * Every query word must match a different name word, in any order:
 *   exact word 100, prefix of a word 80, same consonant skeleton (vowels
 *   dropped, doubled letters collapsed, so muhammad ~ mohammed) 60, or one
 *   edit away for words of 4+ letters 40. The score is the sum, 0 when any
 *   query word matches nothing. */
int fold_score(const char *query, const char *name);

#endif
