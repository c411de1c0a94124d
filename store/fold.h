/* Search folding: private to store/. Turns names in any script or spelling
 * into lowercase ASCII so that "olena shev" finds "Олена Шевченко", "odegard"
 * finds "Ødegård" and "mohammed" finds "Muhammad". Pure functions on caller
 * buffers: the caller keeps the results in locked memory. */
#ifndef MAPPE_STORE_FOLD_H
#define MAPPE_STORE_FOLD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Fold UTF-8 text: NFKC and full case folding first (libunistring; only
 * where the tables below cannot fold alone: Greek, Armenian, Georgian,
 * fullwidth and compatibility forms), then Latin letters lose their
 * diacritics (ø→o, å→a, æ→ae, ß→ss, é→e, ç→c, ...), Cyrillic (Ukrainian and
 * Russian letters) and Arabic script are transliterated, Ge'ez (Tigrinya)
 * syllables become their Latin consonant+vowel, letters are lowercased, and
 * every other character becomes a single space; no leading or trailing
 * space. Invalid UTF-8 bytes are dropped. Writes at most cap-1 bytes plus
 * NUL; returns the length written. */
size_t fold_text(const char *in, size_t len, char *out, size_t cap);

/* How well a folded query matches a folded name (fold_name or fold_text).
 * Every query word (an article may be left out) must be matched by a unit
 * of the name (a word, an alternate reading of it, or a join of up to three
 * words after a short one), the units over different words, in any order;
 * a query's words may be joined too (abdul rahman ~ Abdulrahman). A pair
 * scores the best of:
 *   the same word 100, a prefix of it 80 (a join or alternate 10 less);
 *   the same skeleton (vowels dropped, doubled letters collapsed, spellings
 *     of one sound made one: muhammad ~ mohammed, shevchenko ~
 *     schewtschenko ~ polishchuk/poliszczuk) 60 with vowels that agree
 *     (Hassan is not Hussein: 30), a prefix of it 50 (25); a name written in
 *     Cyrillic, Arabic or Ge'ez scores as the same word;
 *   one variants.def group (Mykola ~ Nikolai, Fatemeh ~ Fatima) 60;
 *   one edit away, same first letter, words of 4+ letters 40.
 * The score is the sum, 0 when any query word matches nothing or the query
 * has more than 16 words. */
int fold_score(const char *query, const char *name);

/* fold_text for names and queries as the search compares them: the same
 * letters, and marks for the matcher. A word transliterated from Cyrillic,
 * Arabic or Ge'ez script starts with FOLD_NATIVE; an Arabic-script word
 * whose letters Persian reads otherwise (ض z, ذ z, ث s, و v, ق gh) is
 * followed by that reading as an alternate, FOLD_ALTERNATE FOLD_NATIVE
 * word; a Turkish or Kurmanji word with ş, ç or ğ by its English reading
 * (sh, ch), FOLD_ALTERNATE word. A Cyrillic word is FOLD_NATIVE_FULL: its
 * vowels are compared strictly. fold_rank takes either form. */
#define FOLD_NATIVE      '\x01'
#define FOLD_ALTERNATE   '\x02'
#define FOLD_NATIVE_FULL '\x03' /* native, from Cyrillic: every vowel written */
#define FOLD_SEP         '\x05' /* inside a word: two letters, not one digraph */
#define FOLD_SEP_STR     "\x05"
size_t fold_name(const char *in, size_t len, char *out, size_t cap);

/* How a match was made, worst word first: every query word equal to a name
 * word or a prefix of one (or the romanisation of a name written in another
 * script) is exact; a spelling variant (same skeleton, Somali c/x, German
 * and Polish letters, a joined or split compound, an article) close; a typo
 * or a half-typed skeleton loose. */
enum fold_kind { FOLD_NONE, FOLD_LOOSE, FOLD_CLOSE, FOLD_EXACT };

/* fold_score with the kind of the match (FOLD_NONE when the score is 0). */
int fold_rank(const char *query, const char *name, enum fold_kind *kind);

/* fold_rank, and whether the best match takes the name's words in the
 * query's order (Mohamed Ali for "mohamed ali", not Ali Mohamed): of the
 * coverings with the best score and kind, one in order if there is one.
 * Search ranks it below kind and score (store/search.c). */
int fold_rank_fit(const char *query, const char *name, enum fold_kind *kind, bool *in_order);
/* The order of coverings fold_rank_fit takes the best of: score, then
 * kind, then in order. */
bool fold_fit_better(int score, enum fold_kind kind, bool in_order, int than_score,
                     enum fold_kind than_kind, bool than_in_order);

/* ---- the pieces, for the word index (nameindex.c) ---------------------- */

#define FOLD_WORD_MAX  64 /* bytes of a word (or join) compared */
#define FOLD_KEY_MAX   64 /* skeleton letters kept */
#define FOLD_WORDS_MAX 64 /* words of a name or query looked at */
#define FOLD_NAME_UNITS 96 /* units of a name compared: its first so many */
#define WORD_BYTES     FOLD_WORD_MAX

#define SCORE_EXACT             100
#define SCORE_PREFIX            80
#define SCORE_SKELETON          60
#define SCORE_SKEL_PREFIX       50
#define SCORE_EDIT              40
#define SCORE_SKEL_LOOSE        30
#define SCORE_SKEL_PREFIX_LOOSE 25

struct fold_match {
	int score;
	enum fold_kind kind;
};

/* A word of a folded name or query. pos: its position, an alternate's
 * that of the word before it. article: al, el, ash before Shami...: a
 * query may leave it out. */
struct fold_word {
	const char *s;
	size_t len;
	bool native, alternate, article;
	uint8_t pos;
	bool strict;
};
size_t fold_words(const char *folded, struct fold_word *w, size_t max);

/* What a query word is compared with: a word, its alternate readings
 * (Somali c/x, an article written on, Persian letters), and joins of up to
 * three words after a short one (Abdul Rahman is also Abdulrahman). key[0]
 * the skeleton with w a vowel, key[1] with w the consonant v; slot the
 * vowels' quality beside each skeleton letter; group a variants.def group
 * (0 none). */
struct fold_unit {
	char text[FOLD_WORD_MAX];
	size_t len;
	uint8_t first, nwords;
	bool native, variant, has_w, strict;
	uint8_t klen[2];
	char key[2][FOLD_KEY_MAX];
	char slot[2][FOLD_KEY_MAX];
	int group;
};
typedef int (*fold_unit_fn)(void *ctx, const struct fold_unit *u);
/* Calls fn for each unit of words w[0, n); stops at fn's first non-zero. */
int fold_units(const struct fold_word *w, size_t n, fold_unit_fn fn, void *ctx);

/* How query unit q matches a name unit: the best of the four ways. The
 * index finds a name's units by their text (literal: q's text a prefix),
 * their skeletons (q's key v equal, or a prefix when fold_key_prefix_ok),
 * their group and, for typos (fold_typo_ok), by first letter; each piece
 * is what fold_unit_match takes the best of. */
struct fold_match fold_unit_match(const struct fold_unit *q, const struct fold_unit *n);
struct fold_match fold_match_literal(const struct fold_unit *q, const char *t, size_t len,
                                     bool variant);
struct fold_match fold_match_key(const struct fold_unit *q, int v, const char *key,
                                 const char *slot, size_t klen, bool native, bool variant,
                                 bool strict, bool name_has_w);
struct fold_match fold_match_group(const struct fold_unit *q, int group);
struct fold_match fold_match_typo(const struct fold_unit *q, const char *t, size_t len,
                                  unsigned nwords);
bool fold_key_prefix_ok(const struct fold_unit *q, int v);
/* The units of folded query q (at most cap), the positions an article may
 * leave out, and the number of positions (0: the query matches nothing:
 * empty, or more than 16 words). What fold_rank and the index search. */
size_t fold_query(const char *q, struct fold_unit *u, size_t cap, bool optional[FOLD_WORDS_MAX],
                  size_t *npos);
bool fold_typo_ok(const struct fold_unit *q);
int fold_variant_group(const char *w, size_t len);

#endif
