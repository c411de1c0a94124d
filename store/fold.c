/* Search folding. Everything here is table driven and locale free on purpose:
 * the same name must fold to the same bytes on every caseworker's machine, and
 * the folded form is what gets compared on every keystroke. */
#include "store/fold.h"
#include "store/validate.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

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

static const char *map_cp(uint32_t cp, uint32_t prev, uint32_t next, bool word_start, char buf[8])
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

size_t fold_text(const char *in, size_t len, char *out, size_t cap)
{
	const unsigned char *s = (const unsigned char *)in;
	struct sink o = {.out = out, .cap = cap};
	uint32_t prev = BAD_CP, cp = BAD_CP;
	bool word_start = true;
	size_t i = 0;

	if (!out || cap == 0)
		return 0;
	if (!in)
		len = 0;
	/* Decode one ahead so map_cp can see the following character. */
	while (i < len && cp == BAD_CP)
		cp = utf8_next(s, len, &i);
	while (cp != BAD_CP && !o.full) {
		uint32_t next = BAD_CP;
		const char *to;
		char buf[8];

		while (i < len && next == BAD_CP)
			next = utf8_next(s, len, &i);
		cp = to_lower(cp);
		to = map_cp(cp, prev, to_lower(next), word_start, buf);
		if (!to) {
			o.gap = o.n > 0;
			word_start = true;
		} else if (*to) {
			sink_put(&o, to);
			word_start = false;
		}
		prev = cp;
		cp = next;
	}
	out[o.n] = '\0';
	return o.n;
}

/* ---- scoring ---------------------------------------------------------- */

#define WORD_MAX        64 /* bytes of a word that the skeleton and edit rules look at */
#define SKEL_MAX        (2 * WORD_MAX) /* x becomes two tokens */
#define QUERY_WORDS_MAX 16             /* a longer query scores 0 */
#define NAME_WORDS_MAX  64             /* later name words are ignored */
#define NODE_LIMIT      4096

#define SCORE_EXACT    100
#define SCORE_PREFIX   80
#define SCORE_SKELETON 60
#define SCORE_EDIT     40

/* The skeleton of a folded word (first WORD_MAX bytes) is built in three steps.
 *
 * 1. Tokens, left to right, longest spelling first:
 *      sch sh sj zh zj  -> S   Ш and Ж: Ukrainian "sh"/"zh", Norwegian "sj"/"zj"
 *      tsj tsh tch ch   -> C   Ч: Ukrainian "ch", Norwegian "tsj"
 *      kh gh g h        -> h   Ukrainian Г is h where Russian has g; Х is kh or h
 *      th -> t, ph -> f, q -> k, x -> k s   (Thomas/Tomas, Tariq/Tarik, Alexander)
 *      a e i o u y j w  -> vowel   y, i and j all spell the glide (Юрій is Yuriy,
 *                          Iurii or Jurij); w and y are also Arabic's long
 *                          vowels (يوسف is ywsf)
 *      any other byte   -> itself
 * 2. Runs of the same token collapse to one: mm in muhammad, and the "aa"
 *    Norwegians type for å (Aasen ~ Åsen).
 * 3. Vowel tokens are dropped, except that a word-initial one stays as a single
 *    'a' of any quality: Olena ~ Alena, Omar ~ عمر (amr), Ibrahim ~ Ebrahim.
 *
 * So muhammad, mohammed and mhmd are all "mhmd", and galina/halyna "hln". */
struct skel {
	const char *w;
	size_t len, i;
	char last;   /* previous token, for collapsing runs */
	char queued; /* second token of x */
	bool started;
};

static void skel_init(struct skel *k, const char *w, size_t len)
{
	k->w = w;
	k->len = len > WORD_MAX ? WORD_MAX : len;
	k->i = 0;
	k->last = k->queued = '\0';
	k->started = false;
}

/* Step 1: the next token, consuming its spelling. Vowels are 'a'. */
static char skel_token(struct skel *k)
{
	const char *w = k->w + k->i;
	size_t left = k->len - k->i;
	char c = w[0], c1 = left > 1 ? w[1] : '\0', c2 = left > 2 ? w[2] : '\0';
	char t = c;
	size_t used = 1;

	switch (c) {
	case 'a':
	case 'e':
	case 'i':
	case 'o':
	case 'u':
	case 'y':
	case 'j':
	case 'w':
		t = 'a';
		break;
	case 's':
		if (c1 == 'c' && c2 == 'h') {
			t = 'S';
			used = 3;
		} else if (c1 == 'h' || c1 == 'j') {
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
		if ((c1 == 's' && (c2 == 'j' || c2 == 'h')) || (c1 == 'c' && c2 == 'h')) {
			t = 'C';
			used = 3;
		} else if (c1 == 'h') {
			used = 2;
		}
		break;
	case 'c':
		if (c1 == 'h') {
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
		t = 'k';
		k->queued = 's';
		break;
	default:
		break;
	}
	k->i += used > left ? left : used;
	return t;
}

/* Steps 2 and 3: the next skeleton letter, or NUL at the end. Produced one at
 * a time because most name words differ from the query in the first letter or
 * two, and then the rest need not be computed. */
static char skel_next(struct skel *k)
{
	for (;;) {
		char t;
		bool first = !k->started;

		if (k->queued) {
			t = k->queued;
			k->queued = '\0';
		} else if (k->i < k->len) {
			t = skel_token(k);
		} else {
			return '\0';
		}
		k->started = true;
		if (!first && (t == k->last || t == 'a')) {
			k->last = t;
			continue;
		}
		k->last = t;
		return t;
	}
}

static size_t skeleton(const char *w, size_t len, char out[SKEL_MAX])
{
	struct skel k;
	size_t n = 0;
	char c;

	skel_init(&k, w, len);
	while ((c = skel_next(&k)))
		out[n++] = c;
	return n;
}

/* Whether w's skeleton equals q's (given as qs, qn), or starts with it when
 * prefix is allowed. */
static bool skel_match(const char *qs, size_t qn, const char *w, size_t len, bool prefix)
{
	struct skel k;
	size_t i;

	skel_init(&k, w, len);
	for (i = 0; i < qn; i++)
		if (skel_next(&k) != qs[i])
			return false;
	return prefix || !skel_next(&k);
}

/* Whether q is at most one insertion, deletion, substitution or adjacent
 * transposition (optimal string alignment) away from w, or from w's prefix
 * of q's length so that a typo in a half-typed word still finds the name. */
static bool one_edit(const char *q, size_t m, const char *w, size_t n)
{
	int rows[3][WORD_MAX + 2];
	int *d2 = rows[0], *d1 = rows[1], *d0 = rows[2];
	size_t cols, i, j;

	if (m > WORD_MAX)
		m = WORD_MAX;
	if (n > WORD_MAX)
		n = WORD_MAX;
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

struct word {
	const char *s;
	size_t len;
};

/* Splits on spaces (any run of them, so hand-written queries work too).
 * Returns the number of words found, which may exceed max; only max are stored. */
static size_t split_words(const char *s, struct word *w, size_t max)
{
	size_t n = 0;

	while (*s) {
		const char *start;

		while (*s == ' ')
			s++;
		if (!*s)
			break;
		start = s;
		while (*s && *s != ' ')
			s++;
		if (n < max) {
			w[n].s = start;
			w[n].len = (size_t)(s - start);
		}
		n++;
	}
	return n;
}

struct scorer {
	struct word q[QUERY_WORDS_MAX], n[NAME_WORDS_MAX];
	size_t nq, nn;
	char qskel[QUERY_WORDS_MAX][SKEL_MAX];
	size_t qskel_len[QUERY_WORDS_MAX];
	/* Score of query word i against name word j, and per query word the
	 * name words worth trying, best first. */
	unsigned char score[QUERY_WORDS_MAX][NAME_WORDS_MAX];
	unsigned char cand[QUERY_WORDS_MAX][NAME_WORDS_MAX];
	size_t ncand[QUERY_WORDS_MAX];
	int bound[QUERY_WORDS_MAX + 1]; /* sum of the best scores of words i.. */
	int best;
	unsigned nodes;
};

static int word_score(struct scorer *sc, size_t qi, size_t nj)
{
	const struct word *q = &sc->q[qi], *w = &sc->n[nj];

	if (q->len <= w->len && memcmp(q->s, w->s, q->len) == 0)
		return q->len == w->len ? SCORE_EXACT : SCORE_PREFIX;
	if (skel_match(sc->qskel[qi], sc->qskel_len[qi], w->s, w->len, q->len >= 3))
		return SCORE_SKELETON;
	if (q->len >= 4 && one_edit(q->s, q->len, w->s, w->len))
		return SCORE_EDIT;
	return 0;
}

/* Best assignment of query words to distinct name words, by depth-first search
 * with the best candidates first (so the first complete assignment found is
 * the greedy one) and pruning against the remaining row maxima. Greedy alone
 * fails "ol olsen" against "Olsen Ola"; NODE_LIMIT keeps pathological inputs
 * (many identical words) from costing more than a small constant. */
static void assign(struct scorer *sc, size_t row, uint64_t used, int sum)
{
	size_t k;

	if (row == sc->nq) {
		if (sum > sc->best)
			sc->best = sum;
		return;
	}
	for (k = 0; k < sc->ncand[row]; k++) {
		size_t j = sc->cand[row][k];

		if (sum + sc->bound[row] <= sc->best || sc->nodes == 0)
			return;
		if (used & (UINT64_C(1) << j))
			continue;
		sc->nodes--;
		assign(sc, row + 1, used | (UINT64_C(1) << j), sum + sc->score[row][j]);
	}
}

int fold_score(const char *query, const char *name)
{
	struct scorer sc;
	size_t i, j;

	if (!query || !name)
		return 0;
	sc.nq = split_words(query, sc.q, QUERY_WORDS_MAX);
	if (sc.nq == 0 || sc.nq > QUERY_WORDS_MAX)
		return 0;
	sc.nn = split_words(name, sc.n, NAME_WORDS_MAX);
	if (sc.nn > NAME_WORDS_MAX)
		sc.nn = NAME_WORDS_MAX;
	if (sc.nn < sc.nq)
		return 0;
	/* Row by row so that most names, which fail the first query word, cost
	 * one row only. */
	for (i = 0; i < sc.nq; i++) {
		int top = 0;

		sc.qskel_len[i] = skeleton(sc.q[i].s, sc.q[i].len, sc.qskel[i]);
		sc.ncand[i] = 0;
		for (j = 0; j < sc.nn; j++) {
			int s = word_score(&sc, i, j);
			size_t k;

			sc.score[i][j] = (unsigned char)s;
			if (!s)
				continue;
			if (s > top)
				top = s;
			/* Insertion keeps equal scores in name order. */
			for (k = sc.ncand[i]; k > 0 && sc.score[i][sc.cand[i][k - 1]] < s; k--)
				sc.cand[i][k] = sc.cand[i][k - 1];
			sc.cand[i][k] = (unsigned char)j;
			sc.ncand[i]++;
		}
		if (!top)
			return 0;
		sc.bound[i] = top;
	}
	sc.bound[sc.nq] = 0;
	for (i = sc.nq; i > 0; i--)
		sc.bound[i - 1] += sc.bound[i];
	sc.best = 0;
	sc.nodes = NODE_LIMIT;
	assign(&sc, 0, 0, 0);
	return sc.best;
}

int fold_rank(const char *query, const char *name, enum fold_kind *kind)
{
	int s = fold_score(query, name);

	*kind = s ? FOLD_CLOSE : FOLD_NONE; /* stub: the matcher of issue 13 replaces it */
	return s;
}
