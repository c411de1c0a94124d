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

/* How a match was made, worst word first: every query word equal to a name
 * word or a prefix of one (or the romanisation of a name written in another
 * script) is exact; a spelling variant (same skeleton, Somali c/x, German
 * and Polish letters, a joined or split compound, an article) close; a typo
 * or a half-typed skeleton loose. */
enum fold_kind { FOLD_NONE, FOLD_LOOSE, FOLD_CLOSE, FOLD_EXACT };

/* fold_score with the kind of the match (FOLD_NONE when the score is 0). */
int fold_rank(const char *query, const char *name, enum fold_kind *kind);

#endif
