/* Search folding. Everything here is table driven and locale free on purpose:
 * the same name must fold to the same bytes on every caseworker's machine, and
 * the folded form is what gets compared on every keystroke. */
#include "store/fold.h"
#include "store/validate.h"

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unicase.h>
#include <uninorm.h>

#define BAD_CP UINT32_MAX

/* Returns the code point at s[*pos] and moves past it. Anything that is not
 * well-formed UTF-8 (stray continuation bytes, overlongs, surrogates, values
 * above U+10FFFF, truncated sequences) yields BAD_CP after skipping only the
 * first byte, so that one bad byte cannot swallow the valid text after it. */
static uint32_t utf8_next(const unsigned char *s, size_t len, size_t *pos)
{
	size_t i = *pos, need, k;
	unsigned char b = s[i];
	uint32_t cp, min;

	*pos = i + 1;
	if (b < 0x80)
		return b;
	if (b >= 0xc2 && b <= 0xdf) {
		need = 1;
		cp = b & 0x1f;
		min = 0x80;
	} else if (b >= 0xe0 && b <= 0xef) {
		need = 2;
		cp = b & 0x0f;
		min = 0x800;
	} else if (b >= 0xf0 && b <= 0xf4) {
		need = 3;
		cp = b & 0x07;
		min = 0x10000;
	} else {
		return BAD_CP;
	}
	if (len - i - 1 < need)
		return BAD_CP;
	for (k = 1; k <= need; k++) {
		unsigned char c = s[i + k];

		if ((c & 0xc0) != 0x80)
			return BAD_CP;
		cp = (cp << 6) | (c & 0x3f);
	}
	if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
		return BAD_CP;
	*pos = i + 1 + need;
	return cp;
}

/* Only the blocks whose case pairs are not adjacent need arithmetic; Latin
 * Extended-A/B and Latin Extended Additional interleave upper and lower case,
 * so their table ranges simply cover both. */
static uint32_t to_lower(uint32_t cp)
{
	if (cp >= 'A' && cp <= 'Z')
		return cp + 0x20;
	if (cp >= 0xc0 && cp <= 0xde && cp != 0xd7)
		return cp + 0x20;
	if (cp >= 0x400 && cp <= 0x40f)
		return cp + 0x50;
	if (cp >= 0x410 && cp <= 0x42f)
		return cp + 0x20;
	if (cp == 0x490)
		return 0x491;
	return cp;
}

struct fold_range {
	uint32_t lo, hi;
	const char *to; /* "" means the character vanishes without splitting the word */
};

/* Sorted by code point, non-overlapping; looked up by binary search. Upper
 * case Latin-1 and Cyrillic never reach this table (see to_lower). A code point
 * missing here separates words. */
static const struct fold_range fold_table[] = {
    /* Latin-1 Supplement. Norwegian letters fold the way caseworkers type them
     * on a keyboard without them: ø→o, å→a, æ→ae. */
    {0x00ad, 0x00ad, ""}, /* soft hyphen: invisible, must not split a name */
    {0x00df, 0x00df, "ss"},
    {0x00e0, 0x00e5, "a"},
    {0x00e6, 0x00e6, "ae"},
    {0x00e7, 0x00e7, "c"},
    {0x00e8, 0x00eb, "e"},
    {0x00ec, 0x00ef, "i"},
    {0x00f0, 0x00f0, "d"},
    {0x00f1, 0x00f1, "n"},
    {0x00f2, 0x00f6, "o"},
    {0x00f8, 0x00f8, "o"},
    {0x00f9, 0x00fc, "u"},
    {0x00fd, 0x00fd, "y"},
    {0x00fe, 0x00fe, "th"},
    {0x00ff, 0x00ff, "y"},
    /* Latin Extended-A (Polish, Turkish, Czech, Baltic, Romanian, ...). */
    {0x0100, 0x0105, "a"},
    {0x0106, 0x010d, "c"},
    {0x010e, 0x0111, "d"}, /* includes đ */
    {0x0112, 0x011b, "e"},
    {0x011c, 0x0123, "g"},
    {0x0124, 0x0127, "h"},
    {0x0128, 0x0131, "i"}, /* includes Turkish İ and ı */
    {0x0132, 0x0133, "ij"},
    {0x0134, 0x0135, "j"},
    {0x0136, 0x0138, "k"},
    {0x0139, 0x0142, "l"}, /* includes ł */
    {0x0143, 0x014b, "n"}, /* includes ŉ and Sami ŋ */
    {0x014c, 0x0151, "o"},
    {0x0152, 0x0153, "oe"},
    {0x0154, 0x0159, "r"},
    {0x015a, 0x0161, "s"},
    {0x0162, 0x0167, "t"},
    {0x0168, 0x0173, "u"},
    {0x0174, 0x0175, "w"},
    {0x0176, 0x0178, "y"},
    {0x0179, 0x017e, "z"},
    {0x017f, 0x017f, "s"},
    /* Latin Extended-B: Vietnamese ơ ư, Romanian ș ț, African Latin
     * orthographies (Hausa, Fula, Dinka), pinyin tone letters. */
    {0x0180, 0x0183, "b"},
    {0x0186, 0x0186, "o"},
    {0x0187, 0x0188, "c"},
    {0x0189, 0x018c, "d"},
    {0x018e, 0x0190, "e"},
    {0x0191, 0x0192, "f"},
    {0x0193, 0x0193, "g"},
    {0x0197, 0x0197, "i"},
    {0x0198, 0x0199, "k"},
    {0x019a, 0x019a, "l"},
    {0x019d, 0x019e, "n"},
    {0x019f, 0x01a1, "o"},
    {0x01a4, 0x01a5, "p"},
    {0x01ab, 0x01ae, "t"},
    {0x01af, 0x01b0, "u"},
    {0x01b2, 0x01b2, "v"},
    {0x01b3, 0x01b4, "y"},
    {0x01b5, 0x01b6, "z"},
    {0x01c4, 0x01c6, "dz"},
    {0x01c7, 0x01c9, "lj"},
    {0x01ca, 0x01cc, "nj"},
    {0x01cd, 0x01ce, "a"},
    {0x01cf, 0x01d0, "i"},
    {0x01d1, 0x01d2, "o"},
    {0x01d3, 0x01dc, "u"},
    {0x01dd, 0x01dd, "e"},
    {0x01de, 0x01e1, "a"},
    {0x01e2, 0x01e3, "ae"},
    {0x01e4, 0x01e7, "g"},
    {0x01e8, 0x01e9, "k"},
    {0x01ea, 0x01ed, "o"},
    {0x01f0, 0x01f0, "j"},
    {0x01f1, 0x01f3, "dz"},
    {0x01f4, 0x01f5, "g"},
    {0x01f8, 0x01f9, "n"},
    {0x01fa, 0x01fb, "a"},
    {0x01fc, 0x01fd, "ae"},
    {0x01fe, 0x01ff, "o"},
    {0x0200, 0x0203, "a"},
    {0x0204, 0x0207, "e"},
    {0x0208, 0x020b, "i"},
    {0x020c, 0x020f, "o"},
    {0x0210, 0x0213, "r"},
    {0x0214, 0x0217, "u"},
    {0x0218, 0x0219, "s"},
    {0x021a, 0x021b, "t"},
    {0x021e, 0x021f, "h"},
    {0x0220, 0x0220, "n"},
    {0x0221, 0x0221, "d"},
    {0x0224, 0x0225, "z"},
    {0x0226, 0x0227, "a"},
    {0x0228, 0x0229, "e"},
    {0x022a, 0x0231, "o"},
    {0x0232, 0x0233, "y"},
    /* IPA letters that African Latin alphabets use as ordinary letters. */
    {0x0253, 0x0253, "b"},
    {0x0254, 0x0254, "o"},
    {0x0256, 0x0257, "d"},
    {0x0259, 0x0259, "e"},
    {0x025b, 0x025b, "e"},
    {0x0263, 0x0263, "g"},
    {0x0272, 0x0272, "n"},
    /* Modifier letters used as apostrophes inside words (Ukrainian ʼ, Uzbek
     * ʻ, transliteration primes for ь/ъ): part of the word, not a break. */
    {0x02b9, 0x02bc, ""},
    /* Combining diacritics: decomposed input must fold like precomposed. */
    {0x0300, 0x036f, ""},
    /* Cyrillic, lower case only. Ukrainian national transliteration, with the
     * Russian-only letters and the Serbian/Macedonian/Belarusian extras. */
    {0x0430, 0x0430, "a"},
    {0x0431, 0x0431, "b"},
    {0x0432, 0x0432, "v"},
    {0x0433, 0x0433, "h"}, /* Ukrainian г; Russian g is absorbed by the skeleton */
    {0x0434, 0x0434, "d"},
    {0x0435, 0x0435, "e"},
    {0x0436, 0x0436, "zh"},
    {0x0437, 0x0437, "z"},
    {0x0438, 0x0438, "y"},
    {0x0439, 0x0439, "y"},
    {0x043a, 0x043a, "k"},
    {0x043b, 0x043b, "l"},
    {0x043c, 0x043c, "m"},
    {0x043d, 0x043d, "n"},
    {0x043e, 0x043e, "o"},
    {0x043f, 0x043f, "p"},
    {0x0440, 0x0440, "r"},
    {0x0441, 0x0441, "s"},
    {0x0442, 0x0442, "t"},
    {0x0443, 0x0443, "u"},
    {0x0444, 0x0444, "f"},
    {0x0445, 0x0445, "kh"},
    {0x0446, 0x0446, "ts"},
    {0x0447, 0x0447, "ch"},
    {0x0448, 0x0448, "sh"},
    {0x0449, 0x0449, "shch"},
    {0x044a, 0x044a, ""},
    {0x044b, 0x044b, "y"},
    {0x044c, 0x044c, ""},
    {0x044d, 0x044d, "e"},
    {0x044e, 0x044e, "yu"},
    {0x044f, 0x044f, "ya"},
    {0x0450, 0x0450, "e"},
    {0x0451, 0x0451, "yo"},
    {0x0452, 0x0452, "dj"},
    {0x0453, 0x0453, "g"},
    {0x0454, 0x0454, "ye"},
    {0x0455, 0x0455, "dz"},
    {0x0456, 0x0456, "i"},
    {0x0457, 0x0457, "yi"},
    {0x0458, 0x0458, "j"},
    {0x0459, 0x0459, "lj"},
    {0x045a, 0x045a, "nj"},
    {0x045b, 0x045b, "c"},
    {0x045c, 0x045c, "k"},
    {0x045d, 0x045d, "i"},
    {0x045e, 0x045e, "u"},
    {0x045f, 0x045f, "dz"},
    {0x0483, 0x0489, ""},
    {0x0491, 0x0491, "g"},
    /* Arabic script: consonants only, as written. Short vowels are not
     * written, so they cannot be recovered; the skeleton comparison is what
     * lets "muhammad" meet "mhmd". */
    {0x0621, 0x0621, ""}, /* hamza */
    {0x0622, 0x0623, "a"},
    {0x0624, 0x0624, "w"},
    {0x0625, 0x0625, "i"},
    {0x0626, 0x0626, "y"},
    {0x0627, 0x0627, "a"},
    {0x0628, 0x0628, "b"},
    {0x0629, 0x0629, "a"}, /* ta marbuta: fatima ~ fatma */
    {0x062a, 0x062a, "t"},
    {0x062b, 0x062b, "th"},
    {0x062c, 0x062c, "j"},
    {0x062d, 0x062d, "h"},
    {0x062e, 0x062e, "kh"},
    {0x062f, 0x062f, "d"},
    {0x0630, 0x0630, "dh"},
    {0x0631, 0x0631, "r"},
    {0x0632, 0x0632, "z"},
    {0x0633, 0x0633, "s"},
    {0x0634, 0x0634, "sh"},
    {0x0635, 0x0635, "s"},
    {0x0636, 0x0636, "d"},
    {0x0637, 0x0637, "t"},
    {0x0638, 0x0638, "z"},
    {0x0639, 0x0639, ""}, /* ain; word-initially see map_cp */
    {0x063a, 0x063a, "gh"},
    {0x0640, 0x0640, ""}, /* tatweel */
    {0x0641, 0x0641, "f"},
    {0x0642, 0x0642, "q"},
    {0x0643, 0x0643, "k"},
    {0x0644, 0x0644, "l"},
    {0x0645, 0x0645, "m"},
    {0x0646, 0x0646, "n"},
    {0x0647, 0x0647, "h"},
    /* waw stays "w" so that Walid and Marwa fold to what people write; the
     * skeleton treats w as a vowel because waw is just as often the long ū/ō
     * of Yusuf and Mahmoud. */
    {0x0648, 0x0648, "w"},
    {0x0649, 0x0649, "a"},
    {0x064a, 0x064a, "y"},
    {0x064b, 0x065f, ""}, /* harakat, shadda, sukun and other marks */
    {0x0670, 0x0670, ""}, /* superscript alef */
    {0x0671, 0x0671, "a"},
    {0x0679, 0x0679, "t"},
    {0x067e, 0x067e, "p"},
    {0x0686, 0x0686, "ch"},
    {0x0695, 0x0695, "r"}, /* Kurdish */
    {0x0698, 0x0698, "zh"},
    {0x06a4, 0x06a4, "v"}, /* Kurdish */
    {0x06a9, 0x06a9, "k"},
    {0x06af, 0x06af, "g"},
    {0x06b5, 0x06b5, "l"}, /* Kurdish */
    {0x06ba, 0x06ba, "n"},
    {0x06be, 0x06be, "h"},
    {0x06c0, 0x06c1, "h"},
    {0x06c6, 0x06c6, "o"}, /* Kurdish */
    {0x06cc, 0x06cc, "y"},
    {0x06ce, 0x06ce, "e"}, /* Kurdish */
    {0x06d2, 0x06d2, "y"},
    {0x06d5, 0x06d5, "e"}, /* Kurdish */
    /* Latin Extended Additional: dotted letters of Arabic romanisation
     * (ḥ ṣ ṭ ḍ ẓ) and the Vietnamese vowels with two diacritics. */
    {0x1e00, 0x1e01, "a"},
    {0x1e02, 0x1e07, "b"},
    {0x1e08, 0x1e09, "c"},
    {0x1e0a, 0x1e13, "d"},
    {0x1e14, 0x1e1d, "e"},
    {0x1e1e, 0x1e1f, "f"},
    {0x1e20, 0x1e21, "g"},
    {0x1e22, 0x1e2b, "h"},
    {0x1e2c, 0x1e2f, "i"},
    {0x1e30, 0x1e35, "k"},
    {0x1e36, 0x1e3d, "l"},
    {0x1e3e, 0x1e43, "m"},
    {0x1e44, 0x1e4b, "n"},
    {0x1e4c, 0x1e53, "o"},
    {0x1e54, 0x1e57, "p"},
    {0x1e58, 0x1e5f, "r"},
    {0x1e60, 0x1e69, "s"},
    {0x1e6a, 0x1e71, "t"},
    {0x1e72, 0x1e7b, "u"},
    {0x1e7c, 0x1e7f, "v"},
    {0x1e80, 0x1e89, "w"},
    {0x1e8a, 0x1e8d, "x"},
    {0x1e8e, 0x1e8f, "y"},
    {0x1e90, 0x1e95, "z"},
    {0x1e96, 0x1e96, "h"},
    {0x1e97, 0x1e97, "t"},
    {0x1e98, 0x1e98, "w"},
    {0x1e99, 0x1e99, "y"},
    {0x1e9a, 0x1e9a, "a"},
    {0x1e9b, 0x1e9d, "s"},
    {0x1e9e, 0x1e9e, "ss"},
    {0x1ea0, 0x1eb7, "a"},
    {0x1eb8, 0x1ec7, "e"},
    {0x1ec8, 0x1ecb, "i"},
    {0x1ecc, 0x1ee3, "o"},
    {0x1ee4, 0x1ef1, "u"},
    {0x1ef2, 0x1ef9, "y"},
    /* Joiners: Persian writes ZWNJ inside words. */
    {0x200c, 0x200d, ""},
    {0xfeff, 0xfeff, ""},
};

_Static_assert(offsetof(struct fold_range, hi) == sizeof(uint32_t),
               "sorted_range_find reads lo and hi first in the element");

static const char *table_lookup(uint32_t cp)
{
	size_t n = sizeof fold_table / sizeof fold_table[0],
	       i = sorted_range_find(fold_table, n, sizeof fold_table[0], cp);

	return i < n ? fold_table[i].to : NULL;
}

/* Ge'ez is a syllabary laid out in rows of eight: the row is the consonant,
 * the column the vowel order. Rows marked labial are the Xʷ series, whose
 * columns hold different vowels and have gaps. */
struct geez_row {
	const char *cons;
	bool labial;
};

static const struct geez_row geez_rows[] = {
    {"h", false},  {"l", false},  {"h", false}, {"m", false},  /* ሀ ለ ሐ መ */
    {"s", false},  {"r", false},  {"s", false}, {"sh", false}, /* ሠ ረ ሰ ሸ */
    {"q", false},  {"q", true},   {"q", false}, {"q", true},   /* ቀ ቈ ቐ ቘ */
    {"b", false},  {"v", false},  {"t", false}, {"ch", false}, /* በ ቨ ተ ቸ */
    {"h", false},  {"h", true},   {"n", false}, {"ny", false}, /* ኀ ኈ ነ ኘ */
    {"", false},   {"k", false},  {"k", true},  {"kh", false}, /* አ ከ ኰ ኸ */
    {"kh", true},  {"w", false},  {"", false},  {"z", false},  /* ዀ ወ ዐ ዘ */
    {"zh", false}, {"y", false},  {"d", false}, {"d", false},  /* ዠ የ ደ ዸ */
    {"j", false},  {"g", false},  {"g", true},  {"g", false},  /* ጀ ገ ጐ ጘ */
    {"t", false},  {"ch", false}, {"p", false}, {"ts", false}, /* ጠ ጨ ጰ ጸ */
    {"ts", false}, {"f", false},  {"p", false},                /* ፀ ፈ ፐ */
};

/* The sixth order is the bare consonant; first order ä is written "e" as
 * Eritrean names are (Tesfay, Gebre). */
static const char *const geez_vowels[8] = {"e", "u", "i", "a", "e", "", "o", "wa"};
static const char *const geez_labial_vowels[8] = {"we", NULL, "wi", "wa", "we", "w", NULL, NULL};

static const char *geez(uint32_t cp, char buf[8])
{
	uint32_t row = (cp - 0x1200) >> 3, col = (cp - 0x1200) & 7;
	const struct geez_row *r;
	const char *v;
	size_t n;

	if (row >= sizeof geez_rows / sizeof geez_rows[0]) {
		static const char *const palatal[3] = {"rya", "mya", "fya"}; /* ፘ ፙ ፚ */

		if (cp >= 0x1358 && cp <= 0x135a)
			return palatal[cp - 0x1358];
		if (cp >= 0x135d && cp <= 0x135f) /* combining marks */
			return "";
		return NULL; /* word space ፡, full stop ።, numerals */
	}
	if (cp == 0x1257 || cp == 0x12bf || cp == 0x12d7) /* the only gaps in plain rows */
		return NULL;
	r = &geez_rows[row];
	v = r->labial ? geez_labial_vowels[col] : geez_vowels[col];
	if (!v)
		return NULL;
	/* On the vowel carriers አ and ዐ the sixth order is a spoken vowel
	 * (እዮብ is Eyob), not silence. */
	if (!r->cons[0] && !v[0])
		v = "e";
	n = strlen(r->cons);
	memcpy(buf, r->cons, n);
	memcpy(buf + n, v, strlen(v) + 1);
	return buf;
}

static bool is_cyrillic_letter(uint32_t cp)
{
	return cp >= 0x400 && cp <= 0x4ff && !(cp >= 0x483 && cp <= 0x489);
}

/* What cp (already lower-cased) becomes: letters, "" to vanish inside the
 * word, or NULL to separate words. prev is the code point before it and next
 * the one after (BAD_CP at the ends); word_start says nothing of the current
 * word has been produced yet. */
/* Letters of scripts without a table: everything from Greek up that is not
 * punctuation, symbols, private use or emoji. */
static bool is_other_letter(uint32_t cp)
{
	static const struct {
		uint32_t lo, hi;
	} not_letters[] = {
	    {0x060c, 0x060c}, {0x061b, 0x061f}, {0x066a, 0x066d}, {0x06d4, 0x06d4},
	    {0x2000, 0x2bff}, {0x3000, 0x303f}, {0xd800, 0xf8ff}, {0xfe00, 0xfe6f},
	    {0xff00, 0xff20}, {0xff3b, 0xff40}, {0xff5b, 0xff65}, {0xfff0, 0xffff},
	    {0x1f000, 0x10ffff},
	};

	if (cp < 0x370)
		return false;
	for (size_t i = 0; i < sizeof not_letters / sizeof *not_letters; i++)
		if (cp >= not_letters[i].lo && cp <= not_letters[i].hi)
			return false;
	return true;
}

static const char *utf8_put(uint32_t cp, char buf[8])
{
	if (cp < 0x800) {
		buf[0] = (char)(0xc0 | cp >> 6);
		buf[1] = (char)(0x80 | (cp & 0x3f));
		buf[2] = '\0';
	} else if (cp < 0x10000) {
		buf[0] = (char)(0xe0 | cp >> 12);
		buf[1] = (char)(0x80 | ((cp >> 6) & 0x3f));
		buf[2] = (char)(0x80 | (cp & 0x3f));
		buf[3] = '\0';
	} else {
		buf[0] = (char)(0xf0 | cp >> 18);
		buf[1] = (char)(0x80 | ((cp >> 12) & 0x3f));
		buf[2] = (char)(0x80 | ((cp >> 6) & 0x3f));
		buf[3] = (char)(0x80 | (cp & 0x3f));
		buf[4] = '\0';
	}
	return buf;
}

/* The letters of Arabic script that Persian and Dari names read otherwise:
 * رضا is Reza, not Rida; قاسم Ghasem; وحید Vahid. */
static const char *persian_value(uint32_t cp)
{
	switch (cp) {
	case 0x062b: return "s"; /* ث */
	case 0x0630: return "z"; /* ذ */
	case 0x0636: return "z"; /* ض */
	case 0x0642: return "gh"; /* ق */
	case 0x0648: return "v"; /* و */
	default: return NULL;
	}
}

static bool is_native(uint32_t cp)
{
	return (cp >= 0x400 && cp <= 0x52f) || (cp >= 0x600 && cp <= 0x6ff) ||
	       (cp >= 0x1200 && cp <= 0x137f);
}

static const char *map_cp(uint32_t cp, uint32_t prev, uint32_t next, bool word_start, bool persian,
                          char buf[8])
{
	if (cp < 0x80) {
		if ((cp >= 'a' && cp <= 'z') || (cp >= '0' && cp <= '9')) {
			buf[0] = (char)cp;
			buf[1] = '\0';
			return buf;
		}
		/* Ukrainian keyboards type the apostrophe of Мар'яна as ' and
		 * it belongs to the word; elsewhere it splits O'Neil. */
		if (cp == '\'' && is_cyrillic_letter(prev) && is_cyrillic_letter(next))
			return "";
		return NULL;
	}
	if (cp == 0x2019 && is_cyrillic_letter(prev) && is_cyrillic_letter(next))
		return "";
	if (cp >= 0x1200 && cp <= 0x137f)
		return geez(cp, buf);
	if ((cp >= 0x660 && cp <= 0x669) || (cp >= 0x6f0 && cp <= 0x6f9)) {
		buf[0] = (char)('0' + (cp & 0xf));
		buf[1] = '\0';
		return buf;
	}
	/* Ukrainian transliteration writes зг as zgh so it does not read as ж. */
	if (cp == 0x433 && prev == 0x437)
		return "gh";
	/* A word-initial ain is always written as a vowel in Latin spellings
	 * (Omar, Ali, Abdullah); dropping it there would make عمر unfindable. */
	if (cp == 0x639 && word_start)
		return "a";
	/* A word-initial yeh with hamza is Kurdish's vowel carrier, silent:
	 * ئارام is Aram, ئەحمەد Ahmad; the vowel letter after it is read. */
	if (cp == 0x626 && word_start)
		return "";
	if (prev == 0x626 && word_start && (cp == 0x64a || cp == 0x6cc))
		return "i"; /* ئیبراهیم Ibrahim */
	if (prev == 0x626 && word_start && cp == 0x648)
		return "u";
	if (persian && persian_value(cp))
		return persian_value(cp);
	const char *to = table_lookup(cp);
	if (to || !is_other_letter(cp))
		return to;
	/* A script we do not transliterate (Chinese, Korean, Greek, ...):
	 * keep the character itself, so that 王 still finds 王小明. */
	return utf8_put(cp, buf);
}

/* Bounded writer. The output is always a prefix of what an unbounded buffer
 * would hold, minus a trailing space: a space is only written together with
 * the first letter after it. */
struct sink {
	char *out;
	size_t cap, n;
	bool gap, full;
};

static void sink_put(struct sink *o, const char *s)
{
	if (o->gap) {
		if (o->cap - 1 - o->n < 2) {
			o->full = true;
			return;
		}
		o->out[o->n++] = ' ';
		o->gap = false;
	}
	for (; *s; s++) {
		if (o->n >= o->cap - 1) {
			o->full = true;
			return;
		}
		o->out[o->n++] = *s;
	}
}

enum { FOLD_MARKS = 1, FOLD_PERSIAN = 2, FOLD_TURKIC = 4 };

/* Turkish, Kurmanji and Polish letters as the same names are spelt in
 * English: Şêrko is Sherko, Çiya Chiya, Ertuğrul Ertugrul, Żuk Zhuk. */
static const char *turkic_value(uint32_t cp)
{
	switch (cp) {
	case 0x015e:
	case 0x015f: return "sh"; /* ş */
	case 0x00c7:
	case 0x00e7: return "ch"; /* ç */
	case 0x011e:
	case 0x011f: return "";   /* ğ */
	case 0x017b:
	case 0x017c: return "zh"; /* Polish ż */
	default: return NULL;
	}
}

/* One word's bookkeeping for fold_name's marks. */
struct word_state {
	size_t out_start;       /* where the word's letters begin in the output */
	size_t in_start, in_end; /* its code points in the input */
	bool native, persian, turkic, cyrillic;
};

static void fold_core(const unsigned char *s, size_t len, struct sink *o, unsigned flags);

/* The end of a word in fold_name: its native mark in front, and the word
 * again with Persian letter values as an alternate after it. */
static void word_end(const unsigned char *s, struct sink *o, struct word_state *w, unsigned flags)
{
	if (!(flags & FOLD_MARKS) || o->full || o->n == w->out_start)
		return;
	if (w->native) {
		if (o->n + 1 >= o->cap - 1) {
			o->full = true;
			return;
		}
		memmove(o->out + w->out_start + 1, o->out + w->out_start, o->n - w->out_start);
		o->out[w->out_start] = w->cyrillic ? FOLD_NATIVE_FULL : FOLD_NATIVE;
		o->n++;
	}
	if (w->persian) {
		char alt[4 * WORD_BYTES];
		struct sink a = {.out = alt + 2, .cap = sizeof alt - 2};

		fold_core(s + w->in_start, w->in_end - w->in_start, &a, FOLD_PERSIAN);
		alt[0] = FOLD_ALTERNATE;
		alt[1] = FOLD_NATIVE;
		alt[2 + a.n] = '\0';
		if (a.n) {
			o->gap = true;
			sink_put(o, alt);
		}
		explicit_bzero(alt, sizeof alt);
	}
	if (w->turkic && !w->native) {
		char alt[4 * WORD_BYTES];
		struct sink a = {.out = alt + 1, .cap = sizeof alt - 1};

		fold_core(s + w->in_start, w->in_end - w->in_start, &a, FOLD_TURKIC);
		alt[0] = FOLD_ALTERNATE;
		alt[1 + a.n] = '\0';
		if (a.n) {
			o->gap = true;
			sink_put(o, alt);
		}
		explicit_bzero(alt, sizeof alt);
	}
}

static void fold_core(const unsigned char *s, size_t len, struct sink *o, unsigned flags)
{
	uint32_t prev = BAD_CP, cp = BAD_CP;
	bool word_start = true;
	struct word_state w = {0};
	size_t i = 0, at = 0;

	/* Decode one ahead so map_cp can see the following character. */
	while (i < len && cp == BAD_CP) {
		at = i;
		cp = utf8_next(s, len, &i);
	}
	while (cp != BAD_CP && !o->full) {
		uint32_t next = BAD_CP;
		size_t next_at = i, cp_end = i;
		const char *to;
		char buf[8];

		while (i < len && next == BAD_CP) {
			next_at = i;
			next = utf8_next(s, len, &i);
		}
		cp = to_lower(cp);
		/* An ain after the article starts the name: العبدالله is al-Abdullah. */
		bool after_al = cp == 0x639 && !word_start && o->n == w.out_start + 2 &&
		                memcmp(o->out + w.out_start, "al", 2) == 0;
		to = (flags & FOLD_TURKIC) && turkic_value(cp)
		         ? turkic_value(cp)
		         : map_cp(cp, prev, to_lower(next), word_start || after_al,
		                  flags & FOLD_PERSIAN, buf);
		if (!to) {
			if (!word_start)
				word_end(s, o, &w, flags);
			o->gap = o->n > 0;
			word_start = true;
		} else if (*to) {
			if (word_start) {
				w = (struct word_state){.out_start = o->n + (o->gap ? 1 : 0),
				                        .in_start = at};
			}
			/* ز then ه is z, h, not the zh of ژ: a separator the
			 * skeleton skips keeps Arabic letters apart. */
			if (!word_start && to[0] == 'h' && (cp == 0x647 || cp == 0x62d) && o->n &&
			    strchr("sztkgcpd", o->out[o->n - 1]))
				sink_put(o, FOLD_SEP_STR);
			sink_put(o, to);
			word_start = false;
		}
		if (!word_start) {
			w.in_end = cp_end;
			w.native |= is_native(cp);
			w.cyrillic |= cp >= 0x400 && cp <= 0x52f;
			w.persian |= persian_value(cp) != NULL;
			w.turkic |= turkic_value(cp) != NULL;
		}
		prev = cp;
		cp = next;
		at = next_at;
	}
	if (!word_start)
		word_end(s, o, &w, flags);
}

/* Only well-formed UTF-8 reaches the case folding: a stray byte is dropped
 * here as it always was, rather than becoming U+FFFD there. */
static size_t clean_utf8(const unsigned char *s, size_t len, unsigned char *out, size_t cap)
{
	size_t i = 0, n = 0;

	if (!s)
		return 0;
	while (i < len) {
		size_t at = i;
		if (utf8_next(s, len, &i) == BAD_CP)
			continue;
		if (n + (i - at) > cap)
			break;
		memcpy(out + n, s + at, i - at);
		n += i - at;
	}
	return n;
}

/* Whether NFKC and case folding could change what the tables below make of
 * s: not for ASCII, Latin letters, combining marks, Cyrillic, Arabic and
 * Ge'ez, which the tables fold in either case already (and the folding
 * costs more than the rest of fold_text). */
static bool needs_casefold(const unsigned char *s, size_t len)
{
	for (size_t i = 0; i < len;) {
		uint32_t cp;
		if (s[i] < 0x80) {
			i++;
			continue;
		}
		cp = utf8_next(s, len, &i);
		if ((cp >= 0xc0 && cp <= 0x24f && cp != 0xd7 && cp != 0xf7) ||
		    (cp >= 0x300 && cp <= 0x36f) || (cp >= 0x400 && cp <= 0x45f) || cp == 0x490 ||
		    cp == 0x491 ||
		    (cp >= 0x600 && cp <= 0x6ff) || (cp >= 0x1200 && cp <= 0x137f) ||
		    (cp >= 0x1e00 && cp <= 0x1eff) || cp == 0x200c || cp == 0x200d)
			continue;
		return true;
	}
	return false;
}

static size_t fold_impl(const char *in, size_t len, char *out, size_t cap, unsigned flags)
{
	/* Names are at most two fields; a longer text is folded in what fits. */
	unsigned char clean[2 * 4096 + 8], folded[3 * 4096];
	size_t clen, flen = sizeof folded;
	uint8_t *cf;
	struct sink o = {.out = out, .cap = cap};

	if (!out || cap == 0)
		return 0;
	if (!in)
		len = 0;
	clen = clean_utf8((const unsigned char *)in, len, clean, sizeof clean);
	/* NFKC and full case folding first: Greek, Armenian, Georgian and
	 * fullwidth letters meet their lower case forms, ligatures come apart,
	 * and the tables below see one spelling of each letter. */
	cf = needs_casefold(clean, clen)
	         ? u8_casefold(clean, clen, NULL, UNINORM_NFKC, folded, &flen)
	         : NULL;
	if (cf)
		fold_core(cf, flen, &o, flags);
	else
		fold_core(clean, clen, &o, flags);
	out[o.n] = '\0';
	if (cf && cf != folded) {
		explicit_bzero(cf, flen);
		free(cf);
	}
	explicit_bzero(clean, clen);
	if (cf)
		explicit_bzero(folded, sizeof folded < flen ? sizeof folded : flen);
	return o.n;
}

size_t fold_text(const char *in, size_t len, char *out, size_t cap)
{
	return fold_impl(in, len, out, cap, 0);
}

size_t fold_name(const char *in, size_t len, char *out, size_t cap)
{
	return fold_impl(in, len, out, cap, FOLD_MARKS);
}

/* ---- units: what a query word is compared with ----------------------- */

static bool is_vowel_letter(char c)
{
	return c == 'a' || c == 'e' || c == 'i' || c == 'o' || c == 'u' || c == 'y' || c == 'j' ||
	       c == 'w';
}

/* The vowels beside a skeleton letter, as a set (a slot byte is 0x40 and
 * these bits): their qualities, whether the run was long (two letters or
 * more: ee, ou, ya; what Arabic script writes), and for a word-initial
 * vowel whether it is a real one (o, a, e) rather than a glide (j, y). */
enum {
	V_A = 1, V_I = 2, V_U = 4, V_E = 8, /* e: the romanisations' schwa */
	V_LONG = 16,
	V_REAL = 32, /* beside the first letter; beside another, V_END: */
	V_END = 32,  /* the end of a word inside a join: compared as an end */
	V_GU = 64, V_GI = 128, /* a glide w; y or j: Arabic script's long vowels */
	V_NONE = 0,
	V_ANY = V_A | V_I | V_U | V_E,
};

static unsigned vowel_bit(char c)
{
	switch (c) {
	case 'a': return V_A;
	case 'e': return V_E;
	case 'i':
	case 'y':
	case 'j': return V_I;
	default: return V_U; /* o u w */
	}
}

/* Step 1 of the skeleton (see fold.h): the next token of w from *i. wv: w
 * is the consonant v (German and Polish romanisations, Wolodymyr) rather
 * than a vowel (Arabic waw in Yusuf, Dawood). */
static char skel_token(const char *w, size_t len, size_t *i, bool wv)
{
	const char *p = w + *i;
	size_t left = len - *i;
	char c = p[0], c1 = left > 1 ? p[1] : '\0', c2 = left > 2 ? p[2] : '\0',
	     c3 = left > 3 ? p[3] : '\0';
	char t = c;
	size_t used = 1;

	switch (c) {
	case FOLD_SEP:
		t = '\0';
		break;
	case 'w':
		t = wv ? 'v' : 'a';
		break;
	case 'a':
	case 'e':
	case 'i':
	case 'o':
	case 'u':
	case 'y':
	case 'j':
		t = 'a';
		break;
	case 's':
		if (c1 == 'c' && c2 == 'h') {
			t = 'S';
			used = 3;
		} else if (c1 == 'h' || c1 == 'j' || c1 == 'z') { /* sz: Polish ш */
			t = 'S';
			used = 2;
		}
		break;
	case 'z':
		if (c1 == 'h' || c1 == 'j') {
			t = 'S';
			used = 2;
		}
		break;
	case 't':
		if (c1 == 's' && c2 == 'c' && c3 == 'h') { /* German tsch: ч */
			t = 'C';
			used = 4;
		} else if ((c1 == 's' && (c2 == 'j' || c2 == 'h')) || (c1 == 'c' && c2 == 'h')) {
			t = 'C';
			used = 3;
		} else if (c1 == 'h') {
			used = 2;
		}
		break;
	case 'c':
		if (c1 == 'h' && (c2 == 'r' || c2 == 'l')) { /* Christian, Chloe: k */
			t = 'k';
			used = 2;
		} else if (c1 == 'h' || c1 == 'z') { /* cz: Polish ч */
			t = 'C';
			used = 2;
		}
		break;
	case 'k':
		if (c1 == 'h') {
			t = 'h';
			used = 2;
		}
		break;
	case 'g':
		t = 'h';
		if (c1 == 'h')
			used = 2;
		break;
	case 'p':
		if (c1 == 'h') {
			t = 'f';
			used = 2;
		}
		break;
	case 'q':
		t = 'k';
		break;
	case 'x':
		t = 'x'; /* k s, see skeleton() */
		break;
	default:
		break;
	}
	*i += used > left ? left : used;
	return t;
}

/* The skeleton of a folded word (steps 2 and 3 in fold.h) with, beside each
 * of its letters, the vowels after it (a slot: V_NONE and V_ bits); for a
 * word-initial vowel, its own. Returns the skeleton's length. */
static size_t skeleton(const char *w, size_t len, bool wv, char key[FOLD_KEY_MAX],
                       char slot[FOLD_KEY_MAX])
{
	size_t i = 0, n = 0, run = 0;
	char last = '\0';
	bool started = false, bare_h = false;

	if (len > FOLD_WORD_MAX)
		len = FOLD_WORD_MAX;
	while (i < len && n < FOLD_KEY_MAX - 2) {
		size_t at = i;
		char letter = w[i], t = skel_token(w, len, &i, wv);
		bool first = !started;

		if (!t) { /* a separator: nothing, but what follows is a new token */
			continue;
		}
		started = true;
		if (t == 'a') {
			if (first) {
				key[n] = 'a';
				slot[n++] = (char)(V_NONE | (strchr("aeiou", letter) ? V_REAL : 0));
			}
			/* y, j, w before a vowel are glides (Jon, Jan; Yusuf) */
			bool glide = (letter == 'y' || letter == 'j' || letter == 'w') && i < len &&
			             strchr("aeiou", w[i]);
			/* and an e after a vowel only lengthens it (oe, ae for ø, æ;
			 * Nielsen) */
			bool lengthens = letter == 'e' && run > 0;
			unsigned bit = glide ? (letter == 'w' ? V_GU : V_GI)
			               : lengthens ? 0
			                           : vowel_bit(letter);
			if (!glide)
				run++;
			slot[n - 1] = (char)(slot[n - 1] | bit | (run >= 2 ? V_LONG : 0));
			last = t;
			continue;
		}
		run = 0;
		if (t == 'x') { /* Alexander: k s */
			if (last != 'k') {
				key[n] = 'k';
				slot[n++] = V_NONE;
			}
			t = 's';
			last = 'k';
		}
		if (!first && t == last)
			continue;
		last = t;
		bare_h = t == 'h' && letter == 'h' && i == at + 1;
		key[n] = t;
		slot[n++] = V_NONE;
	}
	(void)bare_h;
	return n;
}

/* Whether the vowels beside two equal skeletons (their first n letters)
 * agree, so that the spelling is of the same name: Muhammad, Mohammed;
 * Fatima, Fatma; not Hassan, Hussein; Ola, Ole; Karim, Karima.
 *   a vowel in common, or e against a or i (not at the end: Ole, Ola);
 *   a vowel on one side only, inside the word (Fatma, Fatima), unless the
 *     other side is a name in Arabic script, which writes its long vowels:
 *     Hussein is not حسن;
 *   at the end of the whole word (full), the same vowel or none on both;
 *   a word's first vowel o, a or e against another of them (Olena, Alena,
 *     Elena; Oleksandr, Aleksandr), but not after a glide (Jon, Jan). */
/* A run of two qualities or more (ai, ei, au, ou is one: o and u) is a
 * diphthong. */
static bool diphthong(unsigned c)
{
	return ((c & V_A) != 0) + ((c & V_I) != 0) + ((c & V_U) != 0) + ((c & V_E) != 0) >= 2;
}

static bool vowels_agree(const char *a, const char *b, size_t n, bool full, bool a_native,
                         bool b_native, bool initial, bool long_written, bool strict)
{
	bool only_a = false, only_b = false; /* a vowel one side has, the other not */

	for (size_t i = 0; i < n; i++) {
		unsigned x = (unsigned char)a[i], y = (unsigned char)b[i];
		unsigned cx = x & V_ANY, cy = y & V_ANY;
		bool final = (full && i == n - 1) || (i > 0 && ((x | y) & V_END));

		/* Against Arabic script a glide is its letter: Maryam's y, ي. */
		if (a_native || b_native) {
			cx |= (x & V_GI ? V_I : 0) | (x & V_GU ? V_U : 0);
			cy |= (y & V_GI ? V_I : 0) | (y & V_GU ? V_U : 0);
		}

		if (!cx && !cy)
			continue;
		if (cx == V_ANY || cy == V_ANY) /* anyone's */
			continue;
		if (final) {
			/* The same vowels at the end (a silent e aside: Yasmine,
			 * Yasmin), or the same none: Karim is not Karima, Nadia
			 * not Nada, Hailu not Haile. */
			if (cx == V_ANY || cy == V_ANY || (cx & ~V_E) == (cy & ~V_E))
				continue;
			return false;
		}
		if (!cx || !cy) {
			unsigned other = cx ? x : y;
			bool empty_native = cx ? b_native : a_native;
			if (long_written && empty_native && (other & V_LONG))
				return false;
			/* One vowel dropped is a spelling (Fatma); one moved
			 * (Shevchneko) is a slip, unless the script writes none. */
			if (!a_native && !b_native) {
				only_a |= cx != 0;
				only_b |= cy != 0;
				if (only_a && only_b)
					return false;
			}
			continue;
		}
		/* A diphthong is not its first vowel (Haugen, Hagen; Said, Saad),
		 * except in Arabic script, whose y and w are the long vowels. */
		if ((cx & cy) && (diphthong(cx) == diphthong(cy) || a_native || b_native))
			continue;
		if (strict) /* Cyrillic writes every vowel */
			return false;
		/* A lone e is anyone's schwa, beside a or i; the e of ei is not. */
		if ((cx == V_E && (cy & (V_A | V_I))) || (cy == V_E && (cx & (V_A | V_I))))
			continue;
		if (i == 0 && initial && (x & V_REAL) && (y & V_REAL) && !((cx | cy) & V_I))
			continue;
		return false;
	}
	return true;
}

/* ---- spelling variants ----------------------------------------------- */

struct variant {
	const char *word;
	size_t len;
	int group;
};

static struct variant variants[512];
static size_t nvariants;
static pthread_once_t variants_once = PTHREAD_ONCE_INIT;

static int variant_cmp(const void *a, const void *b)
{
	const struct variant *x = a, *y = b;
	size_t n = x->len < y->len ? x->len : y->len;
	int c = memcmp(x->word, y->word, n);

	return c ? c : (x->len > y->len) - (x->len < y->len);
}

static void variants_load(void)
{
	static const struct {
		int group;
		const char *forms;
	} groups[] = {
#define VARIANTS(id, forms) {id, forms},
#include "store/variants.def"
#undef VARIANTS
	};

	for (size_t g = 0; g < sizeof groups / sizeof *groups; g++)
		for (const char *p = groups[g].forms; *p;) {
			size_t n = strcspn(p, " ");
			if (n && nvariants < sizeof variants / sizeof *variants)
				variants[nvariants++] = (struct variant){p, n, groups[g].group};
			p += n;
			p += *p == ' ';
		}
	qsort(variants, nvariants, sizeof *variants, variant_cmp);
}

int fold_variant_group(const char *w, size_t len)
{
	struct variant key = {w, len, 0};
	const struct variant *v;

	pthread_once(&variants_once, variants_load);
	v = bsearch(&key, variants, nvariants, sizeof *variants, variant_cmp);
	return v ? v->group : 0;
}

/* ---- units ------------------------------------------------------------ */

/* An article a query may leave out, or add: al, el, ul, il, and the
 * assimilated forms before a sun letter (ash-Shami, ad-Din, ar-Rahman). */
static bool is_article(const struct fold_word *w, size_t i, size_t n)
{
	const char *s = w[i].s;
	size_t len = w[i].len;

	if (len == 2 && s[1] == 'l' && (s[0] == 'a' || s[0] == 'e' || s[0] == 'u' || s[0] == 'i'))
		return true;
	if (len >= 2 && len <= 3 && (s[0] == 'a' || s[0] == 'e') && i + 1 < n &&
	    strchr("dnrstz", s[1]) && w[i + 1].len > len - 1 &&
	    memcmp(w[i + 1].s, s + 1, len - 1) == 0)
		return true;
	return false;
}

size_t fold_words(const char *folded, struct fold_word *w, size_t max)
{
	size_t n = 0;
	const char *s = folded ? folded : "";

	while (*s) {
		const char *start;
		bool native = false, alternate = false, strict = false;

		while (*s == ' ')
			s++;
		if (!*s)
			break;
		if (*s == FOLD_ALTERNATE) {
			alternate = true;
			s++;
		}
		if (*s == FOLD_NATIVE || *s == FOLD_NATIVE_FULL) {
			native = true;
			strict = *s == FOLD_NATIVE_FULL;
			s++;
		}
		start = s;
		while (*s && *s != ' ')
			s++;
		if (s == start)
			continue;
		if (alternate && n == 0)
			alternate = false;
		if (n < max)
			w[n] = (struct fold_word){start, (size_t)(s - start), native, alternate, false, 0,
			                          strict};
		n++;
	}
	if (n > max)
		n = max;
	/* Positions: an alternate stands where its word does. */
	for (size_t i = 0, pos = 0; i < n; i++) {
		if (i && !w[i].alternate)
			pos++;
		w[i].pos = (uint8_t)pos;
	}
	for (size_t i = 0; i < n; i++)
		w[i].article = !w[i].alternate && is_article(w, i, n);
	return n;
}

static void unit_keys(struct fold_unit *u)
{
	u->has_w = memchr(u->text, 'w', u->len) != NULL;
	u->klen[0] = (uint8_t)skeleton(u->text, u->len, false, u->key[0], u->slot[0]);
	if (u->has_w) {
		u->klen[1] = (uint8_t)skeleton(u->text, u->len, true, u->key[1], u->slot[1]);
	} else {
		u->klen[1] = u->klen[0];
		memcpy(u->key[1], u->key[0], u->klen[0]);
		memcpy(u->slot[1], u->slot[0], u->klen[0]);
	}
	u->group = u->nwords == 1 ? fold_variant_group(u->text, u->len) : 0;
	/* The article inside a name takes any vowel: Abdul, Abdel, Abdal-;
	 * -ullah, -allah, -ollah. */
	for (int v = 0; v < 2; v++) {
		if (u->klen[v] >= 4 && memcmp(u->key[v], "abdl", 4) == 0)
			u->slot[v][2] = (char)(u->slot[v][2] | V_ANY);
		if (u->klen[v] >= 3 && u->key[v][u->klen[v] - 2] == 'l' &&
		    u->key[v][u->klen[v] - 1] == 'h' && u->len >= 4 &&
		    memcmp(u->text + u->len - 3, "lah", 3) == 0)
			u->slot[v][u->klen[v] - 3] = (char)(u->slot[v][u->klen[v] - 3] | V_ANY);
	}
}

/* A unit whose vowels at the ends are anyone's (ends: bit 0 the first, bit
 * 1 the last), or whose last vowel also reads a (add_a). */
static int emit_with(const struct fold_unit *u, unsigned ends, bool add_a, fold_unit_fn fn,
                     void *ctx)
{
	struct fold_unit k = *u;

	unit_keys(&k);
	if (add_a) { /* its text as written: the word's own literal matches */
		k.text[k.len] = 'h';
		k.len++;
	}
	for (int v = 0; v < 2; v++) {
		if (!k.klen[v])
			continue;
		if (ends & 1)
			k.slot[v][0] = (char)(k.slot[v][0] | V_ANY);
		if (ends & 2)
			k.slot[v][k.klen[v] - 1] = (char)(k.slot[v][k.klen[v] - 1] | V_ANY);
		if (add_a)
			k.slot[v][k.klen[v] - 1] = (char)(k.slot[v][k.klen[v] - 1] | V_A);
	}
	int rc = fn(ctx, &k);

	explicit_bzero(&k, sizeof k); /* a name's letters, on the stack */
	return rc;
}

/* Somali orthography writes the ain as c and the ħ as x: Cabdi Xasan is
 * Abdi Hassan, Maxamed Mohamed. A Latin word with either has that reading
 * as an alternate (ch stays: Chala, Michael), whose first vowel is anyone's
 * (Cismaan, Osman). */
static bool somali_reading(const char *s, size_t len, char *out, size_t *olen)
{
	size_t n = 0;
	bool any = false;

	for (size_t i = 0; i < len; i++) {
		/* c at the start before a vowel, or after one: Cabdi, Macalin,
		 * Sacdiya; not Marco's or Shevchenco's. */
		if (s[i] == 'c' && i + 1 < len &&
		    ((i == 0 && is_vowel_letter(s[i + 1])) ||
		     (i > 0 && is_vowel_letter(s[i - 1]) &&
		      (is_vowel_letter(s[i + 1]) || strchr("dlmnr", s[i + 1]))))) {
			any = true;
			continue;
		}
		if (s[i] == 'x') {
			any = true;
			out[n++] = 'h';
			continue;
		}
		out[n++] = s[i];
	}
	*olen = n;
	return any && n > 0;
}

static int emit(const struct fold_unit *u, fold_unit_fn fn, void *ctx)
{
	struct fold_unit k = *u;

	unit_keys(&k);
	int rc = fn(ctx, &k);

	explicit_bzero(&k, sizeof k); /* a name's letters, on the stack */
	return rc;
}

/* Joined: Abdul Rahman, Gebre Michael, al Shami are also Abdulrahman,
 * Gebremichael, Alshami. Three words only after two short ones. */
enum { JOIN_FIRST_MAX = 5 };

static size_t next_base(const struct fold_word *w, size_t n, size_t i)
{
	for (i++; i < n && w[i].alternate; i++)
		;
	return i;
}

#define NO_WORD ((size_t)-1)

/* The join of words a, b (NO_WORD: none) and c (NO_WORD: none) covering
 * nwords positions from a's (Abd al Rahman's vowel after d is anyone's, as
 * in every Abdul: unit_keys). */
static int emit_join(struct fold_unit *u, const struct fold_word *w, size_t a, size_t b, size_t c,
                     unsigned nwords, fold_unit_fn fn, void *ctx)
{
	size_t at = 0, parts[3] = {a, b, c};
	struct fold_unit k;
	bool native = true, strict = true;

	for (size_t p = 0; p < 3; p++) {
		const struct fold_word *x;
		if (parts[p] == NO_WORD)
			continue;
		x = &w[parts[p]];
		if (at + x->len > FOLD_WORD_MAX)
			return 0;
		memcpy(u->text + at, x->s, x->len);
		at += x->len;
		native = native && x->native;
		strict = strict && x->strict;
	}
	u->len = at;
	u->first = w[a].pos;
	u->nwords = (uint8_t)nwords;
	u->native = native;
	u->strict = strict;
	u->variant = true;
	k = *u;
	unit_keys(&k);
	/* Where each word ends inside the join, its last vowel is an end:
	 * Ole Hansen is not Ola Hansen for being written together. */
	for (int v = 0; v < 2; v++) {
		size_t at_end = 0;
		for (size_t p = 0; p < 2; p++) {
			char key[FOLD_KEY_MAX], slot[FOLD_KEY_MAX];
			size_t part = parts[p];
			if (part == NO_WORD)
				continue;
			at_end += skeleton(w[part].s, w[part].len, v == 1, key, slot);
			explicit_bzero(key, sizeof key);
			explicit_bzero(slot, sizeof slot);
			/* Past a left-out article its vowel is anyone's: Nur al-Din,
			 * Nureddin, Nuraddin. */
			unsigned mark = p == 0 && parts[1] == NO_WORD ? V_ANY : V_END;
			if (at_end >= 2 && at_end - 1 < k.klen[v])
				k.slot[v][at_end - 1] = (char)(k.slot[v][at_end - 1] | mark);
		}
	}
	int rc = fn(ctx, &k);

	explicit_bzero(&k, sizeof k); /* a name's letters, on the stack */
	return rc;
}

static int units_into(const struct fold_word *w, size_t n, fold_unit_fn fn, void *ctx,
                      struct fold_unit *u)
{
	int rc;

	for (size_t i = 0; i < n; i++) {
		size_t len = w[i].len > FOLD_WORD_MAX ? FOLD_WORD_MAX : w[i].len;

		memset(u, 0, sizeof *u);
		memcpy(u->text, w[i].s, len);
		u->len = len;
		u->first = w[i].pos;
		u->nwords = 1;
		u->native = w[i].native;
		u->strict = w[i].strict;
		u->variant = w[i].alternate;
		if ((rc = emit(u, fn, ctx)))
			return rc;
		/* Somali spellings write the vowels their own way at the ends
		 * too: Cismaan, Osman; Xaliimo, Halima. */
		if (!w[i].native && somali_reading(w[i].s, len, u->text, &u->len)) {
			u->variant = true;
			if ((rc = emit_with(u, 1, false, fn, ctx)))
				return rc;
		}
		/* Persian and Arabic -eh, -ah written out: Fatemeh, Fereshteh
		 * are the -a of Fatima, Fereshta. */
		if (!w[i].native && len >= 4 && w[i].s[len - 1] == 'h' &&
		    (w[i].s[len - 2] == 'e' || w[i].s[len - 2] == 'a')) {
			memcpy(u->text, w[i].s, len - 1);
			u->len = len - 1;
			u->variant = true;
			if ((rc = emit_with(u, 0, true, fn, ctx)))
				return rc;
		}
		/* An article written on: Alshami, الشامي. */
		if (!w[i].alternate && len >= (w[i].native ? 4u : 5u) &&
		    (w[i].s[0] == 'a' || w[i].s[0] == 'e') && w[i].s[1] == 'l') {
			memcpy(u->text, w[i].s + 2, len - 2);
			u->len = len - 2;
			u->native = w[i].native;
			u->variant = true;
			if ((rc = emit(u, fn, ctx)))
				return rc;
		}
		/* Joins, of base words only: with the next word (Mohammad Reza
		 * is Mohammadreza), on to a third after two short ones (Abd al
		 * Rahman), and past an article between two (Nur al-Din is
		 * Nureddin). */
		if (w[i].alternate)
			continue;
		size_t j = next_base(w, n, i), k;
		if (j >= n)
			continue;
		if ((rc = emit_join(u, w, i, j, NO_WORD, 2, fn, ctx)))
			return rc;
		k = next_base(w, n, j);
		if (k < n && w[i].len <= JOIN_FIRST_MAX && w[j].len <= JOIN_FIRST_MAX &&
		    (rc = emit_join(u, w, i, j, k, 3, fn, ctx)))
			return rc;
		if (k < n && w[j].article && (rc = emit_join(u, w, i, NO_WORD, k, 3, fn, ctx)))
			return rc;
	}
	return 0;
}

int fold_units(const struct fold_word *w, size_t n, fold_unit_fn fn, void *ctx)
{
	struct fold_unit u;
	int rc = units_into(w, n, fn, ctx, &u);

	explicit_bzero(&u, sizeof u); /* a name's letters, on the stack */
	return rc;
}

/* ---- matching --------------------------------------------------------- */

/* Whether q is at most one insertion, deletion, substitution or adjacent
 * transposition (optimal string alignment) away from w, or from w's prefix
 * of q's length so that a typo in a half-typed word still finds the name. */
static bool one_edit(const char *q, size_t m, const char *w, size_t n)
{
	int rows[3][FOLD_WORD_MAX + 2];
	int *d2 = rows[0], *d1 = rows[1], *d0 = rows[2];
	size_t cols, i, j;

	if (m > FOLD_WORD_MAX)
		m = FOLD_WORD_MAX;
	if (n > FOLD_WORD_MAX)
		n = FOLD_WORD_MAX;
	if (n + 1 < m)
		return false;
	/* Distances to w[0..j) with j > m + 1 are all above 1. */
	cols = n < m + 1 ? n : m + 1;
	for (j = 0; j <= cols; j++)
		d0[j] = (int)j;
	for (i = 1; i <= m; i++) {
		int *t = d2, best;

		d2 = d1;
		d1 = d0;
		d0 = t;
		d0[0] = (int)i;
		best = d0[0];
		for (j = 1; j <= cols; j++) {
			int cost = q[i - 1] != w[j - 1], v = d1[j - 1] + cost;

			if (d1[j] + 1 < v)
				v = d1[j] + 1;
			if (d0[j - 1] + 1 < v)
				v = d0[j - 1] + 1;
			if (i > 1 && j > 1 && q[i - 1] == w[j - 2] && q[i - 2] == w[j - 1] &&
			    d2[j - 2] + 1 < v)
				v = d2[j - 2] + 1;
			d0[j] = v;
			if (v < best)
				best = v;
		}
		/* Once a whole row is above 1 no later row can come back down. */
		if (best > 1)
			return false;
	}
	return (n <= m + 1 && d0[n] <= 1) || (n >= m && d0[m] <= 1);
}

static struct fold_match better(struct fold_match a, struct fold_match b)
{
	if (b.score > a.score || (b.score == a.score && b.kind > a.kind))
		return b;
	return a;
}

static struct fold_match match_of(int score, enum fold_kind kind, bool variant)
{
	/* A variant (an alternate reading, a join) is close at best, and a
	 * little below the same match on the word as written. */
	if (variant && kind == FOLD_EXACT)
		return (struct fold_match){score - 10, FOLD_CLOSE};
	return (struct fold_match){score, kind};
}

struct fold_match fold_match_literal(const struct fold_unit *q, const char *t, size_t len,
                                     bool variant)
{
	struct fold_match none = {0, FOLD_NONE};

	if (q->len > len || memcmp(q->text, t, q->len) != 0)
		return none;
	return match_of(q->len == len ? SCORE_EXACT : SCORE_PREFIX, FOLD_EXACT,
	                variant || q->variant);
}

/* A half-typed skeleton matches from three letters, or two of a word of
 * four; against a name in Arabic, Cyrillic or Ge'ez script (no literal
 * prefix can reach it) from two consonants (moh is محمد; ola is not
 * الشامي). fold_key_prefix_ok: whether any name
 * could take q's key v as a prefix. */
static bool prefix_ok(const struct fold_unit *q, int v, bool native)
{
	size_t consonants = q->klen[v] - (q->klen[v] && q->key[v][0] == 'a');

	return q->klen[v] >= 3 || (q->klen[v] >= 2 && (q->len >= 4 || (native && consonants >= 2)));
}

bool fold_key_prefix_ok(const struct fold_unit *q, int v)
{
	return prefix_ok(q, v, true);
}

/* Arabic and Ge'ez script write a word-initial j, w or y as a consonant
 * (جاوید Javid, ولید Walid, یوسف Yusuf) and a vowel as one (ارام Aram):
 * against such a word, one that starts with a vowel is not one that starts
 * with j, w or y (Ode, Alid, Usuf; Yaram). Cyrillic's Е, Я, Ю are a glide
 * and a vowel at once (Yelena, Elena), and Latin's j, y either, so
 * between those the vowels decide. a, b: the first skeleton letters'
 * slots (an initial vowel's); script: either word is Arabic or Ge'ez. */
static bool glide_against_vowel(char a, char b, bool script)
{
	return script && (((unsigned char)a & V_REAL) != 0) != (((unsigned char)b & V_REAL) != 0);
}

struct fold_match fold_match_key(const struct fold_unit *q, int v, const char *key,
                                 const char *slot, size_t klen, bool native, bool variant,
                                 bool strict, bool name_has_w)
{
	struct fold_match none = {0, FOLD_NONE};
	size_t qn = q->klen[v];
	bool full, agree;

	if (qn == 0 || qn > klen || memcmp(q->key[v], key, qn) != 0)
		return none;
	full = qn == klen;
	if (!full && !prefix_ok(q, v, native || q->native))
		return none;
	/* With w read as v, a waw may have been the long vowel itself. */
	agree = vowels_agree(q->slot[v], slot, qn, full, q->native, native, key[0] == 'a',
	                     !(v == 1 && (q->has_w || name_has_w)), strict || q->strict) &&
	        !(key[0] == 'a' && glide_against_vowel(q->slot[v][0], slot[0],
	                                               (q->native && !q->strict) ||
	                                                   (native && !strict)));
	variant |= q->variant;
	/* Other vowels around one consonant are another name (Ola, Ali, Ole,
	 * Eli): no guess at all; around more, a loose one. */
	if (!agree)
		return qn <= 2 ? none
		               : (struct fold_match){full ? SCORE_SKEL_LOOSE : SCORE_SKEL_PREFIX_LOOSE,
		                                     FOLD_LOOSE};
	/* A name written in its own script has no one right romanisation:
	 * the same skeleton with agreeing vowels is the name itself. */
	if (native || q->native)
		return match_of(full ? SCORE_EXACT : SCORE_PREFIX, FOLD_EXACT, variant);
	return (struct fold_match){full ? SCORE_SKELETON : SCORE_SKEL_PREFIX, FOLD_CLOSE};
}

struct fold_match fold_match_group(const struct fold_unit *q, int group)
{
	if (q->group && q->group == group)
		return (struct fold_match){SCORE_SKELETON, FOLD_CLOSE};
	return (struct fold_match){0, FOLD_NONE};
}

bool fold_typo_ok(const struct fold_unit *q)
{
	return q->nwords == 1 && q->len >= 4;
}

struct fold_match fold_match_typo(const struct fold_unit *q, const char *t, size_t len,
                                  unsigned nwords)
{
	if (!fold_typo_ok(q) || nwords != 1 || !len || t[0] != q->text[0] ||
	    !one_edit(q->text, q->len, t, len))
		return (struct fold_match){0, FOLD_NONE};
	return (struct fold_match){SCORE_EDIT, FOLD_LOOSE};
}

struct fold_match fold_unit_match(const struct fold_unit *q, const struct fold_unit *n)
{
	struct fold_match m = fold_match_literal(q, n->text, n->len, n->variant);

	if (m.score >= SCORE_EXACT)
		return m;
	for (int v = 0; v < 2; v++) {
		if (v && !q->has_w && !n->has_w)
			break;
		m = better(m, fold_match_key(q, v, n->key[v], n->slot[v], n->klen[v], n->native,
		                             n->variant, n->strict, n->has_w));
	}
	if (n->nwords == 1)
		m = better(m, fold_match_group(q, n->group));
	return better(m, fold_match_typo(q, n->text, n->len, n->nwords));
}

/* ---- ranking a whole name --------------------------------------------- */

enum { QUERY_WORDS_MAX = 16, QUERY_UNITS_MAX = 64, NAME_UNITS_MAX = FOLD_NAME_UNITS, NODE_LIMIT = 4096 };

struct unit_list {
	struct fold_unit *u;
	size_t n, cap;
};

static int unit_keep(void *ctx, const struct fold_unit *u)
{
	struct unit_list *l = ctx;

	if (l->n < l->cap)
		l->u[l->n++] = *u;
	return 0;
}

struct ranker {
	struct fold_unit q[QUERY_UNITS_MAX], n[NAME_UNITS_MAX];
	size_t nq, nn;
	size_t qpos;          /* query positions */
	bool optional[FOLD_WORDS_MAX];
	short cache[QUERY_UNITS_MAX][NAME_UNITS_MAX]; /* -1: not computed */
	signed char kinds[QUERY_UNITS_MAX][NAME_UNITS_MAX];
	struct fold_match best;
	bool best_in_order;
	unsigned nodes;
};

static struct fold_match pair(struct ranker *r, size_t i, size_t j)
{
	if (r->cache[i][j] < 0) {
		struct fold_match m = fold_unit_match(&r->q[i], &r->n[j]);
		r->cache[i][j] = (short)m.score;
		r->kinds[i][j] = (signed char)m.kind;
	}
	return (struct fold_match){r->cache[i][j], (enum fold_kind)r->kinds[i][j]};
}

static uint64_t span_mask(const struct fold_unit *u)
{
	uint64_t m = 0;

	for (unsigned k = 0; k < u->nwords && u->first + k < 64; k++)
		m |= UINT64_C(1) << (u->first + k);
	return m;
}

/* Every query position covered once, by units over disjoint name words:
 * depth first; NODE_LIMIT keeps a name of many equal words from costing
 * more than a small constant. last: the name word the unit before began
 * at (-1: none yet); in_order: every unit so far after the one before. */
static void rank_from(struct ranker *r, size_t pos, uint64_t used, int sum, enum fold_kind kind,
                      int last, bool in_order)
{
	if (pos >= r->qpos) {
		if (fold_fit_better(sum, kind, in_order, r->best.score, r->best.kind,
		                    r->best_in_order)) {
			r->best = (struct fold_match){sum, kind};
			r->best_in_order = in_order;
		}
		return;
	}
	if (!r->nodes)
		return;
	r->nodes--;
	if (r->optional[pos])
		rank_from(r, pos + 1, used, sum, kind, last, in_order);
	for (size_t i = 0; i < r->nq; i++) {
		if (r->q[i].first != pos)
			continue;
		for (size_t j = 0; j < r->nn; j++) {
			uint64_t m = span_mask(&r->n[j]);
			struct fold_match p;
			if (used & m)
				continue;
			p = pair(r, i, j);
			if (!p.score)
				continue;
			rank_from(r, pos + r->q[i].nwords, used | m, sum + p.score,
			          p.kind < kind ? p.kind : kind, r->n[j].first,
			          in_order && (int)r->n[j].first > last);
		}
	}
}

/* A unit of a query keeps the unit_list cap; an article the query may
 * leave out scores nothing alone (Ahmad al-Shami is not ahead of
 * الشامي for having the al apart), only in a join (alshami). */
struct query_keep {
	struct fold_unit *u;
	size_t n, cap;
	const bool *optional;
};

static int query_keep(void *ctx, const struct fold_unit *u)
{
	struct query_keep *k = ctx;

	if (u->nwords == 1 && k->optional[u->first])
		return 0;
	if (k->n < k->cap)
		k->u[k->n++] = *u;
	return 0;
}

size_t fold_query(const char *q, struct fold_unit *u, size_t cap, bool optional[FOLD_WORDS_MAX],
                  size_t *npos)
{
	struct fold_word w[FOLD_WORDS_MAX];
	size_t nw = fold_words(q, w, FOLD_WORDS_MAX);
	bool all_articles = true;
	struct query_keep k = {u, 0, cap, optional};

	memset(optional, 0, FOLD_WORDS_MAX * sizeof *optional);
	*npos = 0;
	if (!nw || (size_t)w[nw - 1].pos >= QUERY_WORDS_MAX) /* a longer query matches nothing */
		return 0;
	*npos = (size_t)w[nw - 1].pos + 1;
	for (size_t i = 0; i < nw; i++)
		if (!w[i].alternate && !w[i].article)
			all_articles = false;
	for (size_t i = 0; i < nw; i++)
		if (!w[i].alternate)
			optional[w[i].pos] = w[i].article && !all_articles;
	fold_units(w, nw, query_keep, &k);
	return k.n;
}

bool fold_fit_better(int score, enum fold_kind kind, bool in_order, int than_score,
                     enum fold_kind than_kind, bool than_in_order)
{
	if (score != than_score)
		return score > than_score;
	if (!score || kind != than_kind)
		return score && kind > than_kind;
	return in_order && !than_in_order;
}

int fold_rank_fit(const char *query, const char *name, enum fold_kind *kind, bool *in_order)
{
	struct fold_word nw[FOLD_WORDS_MAX];
	struct ranker *r;
	struct unit_list nl;
	size_t nnw;
	int score;

	*kind = FOLD_NONE;
	*in_order = false;
	nnw = fold_words(name, nw, FOLD_WORDS_MAX);
	if (!nnw || !(r = malloc(sizeof *r)))
		return 0;
	r->best = (struct fold_match){0, FOLD_NONE};
	r->best_in_order = false;
	r->nq = fold_query(query, r->q, QUERY_UNITS_MAX, r->optional, &r->qpos);
	if (!r->qpos) {
		free(r);
		return 0;
	}
	nl = (struct unit_list){r->n, 0, NAME_UNITS_MAX};
	fold_units(nw, nnw, unit_keep, &nl);
	r->nn = nl.n;
	memset(r->cache, 0xff, sizeof r->cache);
	r->nodes = NODE_LIMIT;
	rank_from(r, 0, 0, 0, FOLD_EXACT, -1, true);
	score = r->best.score;
	*kind = score ? r->best.kind : FOLD_NONE;
	*in_order = score && r->best_in_order;
	explicit_bzero(r->q, r->nq * sizeof *r->q);
	explicit_bzero(r->n, r->nn * sizeof *r->n);
	free(r);
	return score;
}

int fold_rank(const char *query, const char *name, enum fold_kind *kind)
{
	bool in_order;

	return fold_rank_fit(query, name, kind, &in_order);
}

int fold_score(const char *query, const char *name)
{
	enum fold_kind k;

	return fold_rank(query, name, &k);
}
