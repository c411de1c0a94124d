/* Single-value validators. Pure functions on caller strings: no state, no
 * allocation, no locale, so they give the same answer in every process. */
#include "store/validate.h"
#include "store/store.h"

#include <limits.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

/* ---- UTF-8 -------------------------------------------------------------- */

/* Decode one code point strictly (RFC 3629: no overlongs, no surrogates,
 * nothing above U+10FFFF). Returns the sequence length, or 0 if invalid. */
size_t utf8_decode(const unsigned char *s, size_t len, uint32_t *cp)
{
	unsigned char b = s[0];
	unsigned char lo = 0x80, hi = 0xBF;
	size_t n;
	uint32_t c;

	if (b < 0x80) {
		*cp = b;
		return 1;
	}
	if (b >= 0xC2 && b <= 0xDF) {
		n = 2;
		c = b & 0x1F;
	} else if (b >= 0xE0 && b <= 0xEF) {
		n = 3;
		c = b & 0x0F;
		if (b == 0xE0)
			lo = 0xA0; /* overlong */
		else if (b == 0xED)
			hi = 0x9F; /* surrogates */
	} else if (b >= 0xF0 && b <= 0xF4) {
		n = 4;
		c = b & 0x07;
		if (b == 0xF0)
			lo = 0x90; /* overlong */
		else if (b == 0xF4)
			hi = 0x8F; /* above U+10FFFF */
	} else {
		return 0;
	}
	if (len < n)
		return 0;
	if (s[1] < lo || s[1] > hi)
		return 0;
	c = (c << 6) | (s[1] & 0x3F);
	for (size_t i = 2; i < n; i++) {
		if ((s[i] & 0xC0) != 0x80)
			return 0;
		c = (c << 6) | (s[i] & 0x3F);
	}
	*cp = c;
	return n;
}

/* Sorted ranges of code points, for a binary search. */
struct range {
	uint32_t lo, hi;
};

size_t sorted_range_find(const void *table, size_t n, size_t size, uint32_t cp)
{
	size_t lo = 0, hi = n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		uint32_t r[2];

		memcpy(r, (const char *)table + mid * size, sizeof r);
		if (cp < r[0])
			hi = mid;
		else if (cp > r[1])
			lo = mid + 1;
		else
			return mid;
	}
	return n;
}

size_t sorted_code_find(const void *table, size_t n, size_t size, size_t off, const char *code)
{
	size_t lo = 0, hi = n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = strcmp((const char *)table + mid * size + off, code);

		if (c == 0)
			return mid;
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return n;
}

static bool in_ranges(const struct range *r, size_t n, uint32_t cp)
{
	return sorted_range_find(r, n, sizeof *r, cp) < n;
}

#define NRANGES(r) (sizeof(r) / sizeof((r)[0]))

/* What shows as nothing, or as a blank, on a screen: spaces of every width,
 * fillers (Hangul, Braille), zero-width and joining characters, direction
 * marks, variation selectors and tags. A value made only of these looks
 * empty (or like someone else's value) while it is not. */
static const struct range blank[] = {
    {0x0009, 0x000A},   /* tab, line feed */
    {0x000D, 0x000D},   /* carriage return (of a CRLF) */
    {0x0020, 0x0020},   /* space */
    {0x00A0, 0x00A0},   /* no-break space */
    {0x00AD, 0x00AD},   /* soft hyphen */
    {0x034F, 0x034F},   /* combining grapheme joiner */
    {0x061C, 0x061C},   /* Arabic letter mark */
    {0x115F, 0x1160},   /* Hangul choseong and jungseong fillers */
    {0x1680, 0x1680},   /* Ogham space mark */
    {0x17B4, 0x17B5},   /* Khmer inherent vowels */
    {0x180B, 0x180F},   /* Mongolian variation selectors, vowel separator */
    {0x2000, 0x200F},   /* spaces, zero-width space, ZWNJ, ZWJ, LRM, RLM */
    {0x2028, 0x202F},   /* separators, bidi embeddings, narrow no-break space */
    {0x205F, 0x206F},   /* medium space, word joiner, invisible operators, isolates */
    {0x2800, 0x2800},   /* Braille blank */
    {0x3000, 0x3000},   /* ideographic space */
    {0x3164, 0x3164},   /* Hangul filler */
    {0xFE00, 0xFE0F},   /* variation selectors */
    {0xFEFF, 0xFEFF},   /* zero-width no-break space (byte order mark) */
    {0xFFA0, 0xFFA0},   /* halfwidth Hangul filler */
    {0x1BCA0, 0x1BCA3}, /* shorthand format controls */
    {0x1D159, 0x1D159}, /* musical null notehead */
    {0x1D173, 0x1D17A}, /* musical formatting */
    {0xE0000, 0xE0FFF}, /* tags, variation selectors supplement */
};

/* The messages name the character, so that it can be found in the input,
 * and are literals, so that the validators stay pure. make po reads this
 * file preprocessed, N_ left in place, to find every one of them. */
#define HEX16(M, p)                                                                                \
	M(p "0"), M(p "1"), M(p "2"), M(p "3"), M(p "4"), M(p "5"), M(p "6"), M(p "7"), M(p "8"),  \
	    M(p "9"), M(p "A"), M(p "B"), M(p "C"), M(p "D"), M(p "E"), M(p "F")
#define CONTROL_MSG(h) N_("contains a control character (U+" h ")")
#define TAG_MSG(h)     N_("contains a tag character (U+" h ")")
#define BIDI_MSG(h)    N_("contains a bidirectional control character (U+" h ")")

static const char *const c0_msg[32] = {HEX16(CONTROL_MSG, "000"), HEX16(CONTROL_MSG, "001")};
static const char *const c1_msg[32] = {HEX16(CONTROL_MSG, "008"), HEX16(CONTROL_MSG, "009")};
static const char *const tag_msg[128] = {
    HEX16(TAG_MSG, "E000"), HEX16(TAG_MSG, "E001"), HEX16(TAG_MSG, "E002"), HEX16(TAG_MSG, "E003"),
    HEX16(TAG_MSG, "E004"), HEX16(TAG_MSG, "E005"), HEX16(TAG_MSG, "E006"), HEX16(TAG_MSG, "E007"),
};
static const char *const bidi_msg[16] = {
    [0x0A] = BIDI_MSG("202A"), [0x0B] = BIDI_MSG("202B"), [0x0C] = BIDI_MSG("202C"),
    [0x0D] = BIDI_MSG("202D"), [0x0E] = BIDI_MSG("202E"),
};
static const char *const isolate_msg[4] = {BIDI_MSG("2066"), BIDI_MSG("2067"), BIDI_MSG("2068"),
                                           BIDI_MSG("2069")};

bool text_char_unsafe(uint32_t cp)
{
	return cp < 0x20 || (cp >= 0x7F && cp <= 0x9F) || (cp >= 0x2028 && cp <= 0x202E) ||
	       (cp >= 0x2066 && cp <= 0x2069) || (cp >= 0xE0000 && cp <= 0xE007F);
}

/* Characters no text field or note may hold, whatever its kind; NULL if cp
 * may be there. Line breaks and tabs are the caller's. */
static const char *refused_char(uint32_t cp, bool multiline)
{
	if (cp < 0x20)
		return c0_msg[cp];
	if (cp == 0x7F)
		return CONTROL_MSG("007F");
	if (cp >= 0x80 && cp <= 0x9F)
		return c1_msg[cp - 0x80];
	/* U+2028/9 break the line in some viewers and not in others. */
	if (cp == 0x2028)
		return multiline ? N_("contains a line separator (U+2028)")
		                 : N_("must be a single line");
	if (cp == 0x2029)
		return multiline ? N_("contains a paragraph separator (U+2029)")
		                 : N_("must be a single line");
	/* Embeddings, overrides and isolates reorder what follows them, so
	 * what is shown is not what is stored (CVE-2021-42574); the marks
	 * LRM, RLM and ALM reorder nothing and mixed-direction text needs them. */
	if (cp >= 0x202A && cp <= 0x202E)
		return bidi_msg[cp - 0x2020];
	if (cp >= 0x2066 && cp <= 0x2069)
		return isolate_msg[cp - 0x2066];
	if (cp >= 0x206A && cp <= 0x206F)
		return N_("contains a deprecated formatting character");
	if (cp >= 0xFFF9 && cp <= 0xFFFB)
		return N_("contains an interlinear annotation character");
	if (cp == 0xFFFE || cp == 0xFFFF)
		return N_("contains a character that is not allowed");
	/* Tags are invisible and carry ASCII text a reader never sees. */
	if (cp >= 0xE0000 && cp <= 0xE007F)
		return tag_msg[cp - 0xE0000];
	return NULL;
}

const char *valid_utf8_text(const char *s, size_t len, bool multiline)
{
	const unsigned char *u = (const unsigned char *)s;
	bool visible = len == 0;
	size_t i = 0;

	while (i < len) {
		uint32_t cp;
		size_t n = utf8_decode(u + i, len - i, &cp);
		const char *msg;

		if (n == 0)
			return N_("is not valid UTF-8 text");
		if (cp == 0)
			return N_("contains a NUL byte");
		if (cp == '\n' || (cp == '\r' && i + 1 < len && u[i + 1] == '\n')) {
			if (!multiline)
				return N_("must be a single line");
		} else if (cp == '\r') {
			/* A lone CR renders as a line break in some viewers and not
			 * in others, so what is shown would differ from what is stored. */
			return multiline ? N_("contains a control character (U+000D)")
			                 : N_("must be a single line");
		} else if (cp == '\t') {
			/* A tab lines up text, which multi-line text may want; on one
			 * line it only breaks the columns of a list. */
			if (!multiline)
				return N_("contains a tab");
		} else if ((msg = refused_char(cp, multiline))) {
			return msg;
		}
		if (!visible && !in_ranges(blank, NRANGES(blank), cp))
			visible = true;
		i += n;
	}
	if (!visible)
		return N_("must not be blank: it holds only spaces or invisible characters");
	return NULL;
}

/* ---- dates -------------------------------------------------------------- */

static bool is_leap(int y)
{
	return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

static int days_in_month(int y, int m)
{
	static const unsigned char dim[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};

	return m == 2 && is_leap(y) ? 29 : dim[m - 1];
}

static bool all_digits(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (s[i] < '0' || s[i] > '9')
			return false;
	return true;
}

static int num(const char *s, size_t n)
{
	int v = 0;

	for (size_t i = 0; i < n; i++)
		v = v * 10 + (s[i] - '0');
	return v;
}

static const char *parse_date(const char *s, int *y, int *m, int *d)
{
	if (strlen(s) != 10 || s[4] != '-' || s[7] != '-' || !all_digits(s, 4) ||
	    !all_digits(s + 5, 2) || !all_digits(s + 8, 2))
		return N_("must be a date written YYYY-MM-DD");
	*y = num(s, 4);
	*m = num(s + 5, 2);
	*d = num(s + 8, 2);
	if (*y < 1900 || *y > 2199)
		return N_("year must be between 1900 and 2199");
	if (*m < 1 || *m > 12)
		return N_("month must be 01 to 12");
	if (*d < 1 || *d > days_in_month(*y, *m))
		return N_("that day does not exist in that month");
	return NULL;
}

const char *valid_date(const char *s)
{
	int y, m, d;

	return parse_date(s, &y, &m, &d);
}

/* Howard Hinnant's days_from_civil: exact proleptic Gregorian arithmetic, so
 * the answer does not depend on the time zone or the C library's mktime. */
static long days_from_civil(long y, long m, long d)
{
	y -= m <= 2;
	long era = (y >= 0 ? y : y - 399) / 400;
	long yoe = y - era * 400;
	long doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
	long doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;

	return era * 146097 + doe - 719468;
}

/* LONG_MIN for anything valid_date refuses, so a bad value can never compare
 * as a plausible date. */
long date_days(const char *s)
{
	int y, m, d;

	if (parse_date(s, &y, &m, &d))
		return LONG_MIN;
	return days_from_civil(y, m, d);
}

/* Howard Hinnant's civil_from_days, the inverse of days_from_civil. */
void civil_from_days(long z, long *y, int *m, int *d)
{
	z += 719468;
	long era = (z >= 0 ? z : z - 146096) / 146097;
	long doe = z - era * 146097;
	long yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	long doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	long mp = (5 * doy + 2) / 153;

	*d = (int)(doy - (153 * mp + 2) / 5 + 1);
	*m = (int)(mp < 10 ? mp + 3 : mp - 9);
	*y = yoe + era * 400 + (*m <= 2);
}

long date_add_months(long day, long months)
{
	long y;
	int m, d;

	civil_from_days(day, &y, &m, &d);
	long total = y * 12 + (m - 1) + months;
	long ny = total >= 0 ? total / 12 : (total - 11) / 12;
	int nm = (int)(total - ny * 12) + 1;
	/* The 31st of a shorter month is its last day: 31 January and a month
	 * is 28 or 29 February. */
	int last = days_in_month((int)ny, nm);
	return days_from_civil(ny, nm, d > last ? last : d);
}

void date_iso(long day, char out[11])
{
	long y;
	int m, d;

	civil_from_days(day, &y, &m, &d);
	if (y < 0 || y > 9999) /* not a day a case holds */
		y = 0;
	snprintf(out, 11, "%04d-%02u-%02u", (int)y, (unsigned)m % 13u, (unsigned)d % 32u);
}

/* ---- national identity numbers ----------------------------------------- */

/* 11 - weighted sum mod 11, with 11 meaning 0 and 10 meaning no digit at all
 * (organisation and account numbers). */
static int mod11(const char *digits, const unsigned char *weights, size_t n)
{
	int sum = 0;

	for (size_t i = 0; i < n; i++)
		sum += (digits[i] - '0') * weights[i];
	int k = 11 - sum % 11;
	if (k == 11)
		return 0;
	return k == 10 ? -1 : k;
}

/* A national id's two control sums, each over the digits before its control
 * digit and the digit itself (weight 1): today's scheme wants both to leave
 * remainder 0 modulo 11; the scheme of 2032 lets the first leave 0 to 3
 * (Skatteetaten; rules.def nid_k1_remainders). */
static const unsigned char nid_w1[10] = {3, 7, 6, 1, 8, 9, 4, 5, 2, 1};
static const unsigned char nid_w2[11] = {5, 4, 3, 2, 7, 6, 5, 4, 3, 2, 1};

static int weighted_mod11(const char *digits, const unsigned char *weights, size_t n)
{
	int sum = 0;

	for (size_t i = 0; i < n; i++)
		sum += (digits[i] - '0') * weights[i];
	return sum % 11;
}

int national_id_check_digits(const char nine[9], int remainder, char out[2])
{
	char num11[11];

	if (!all_digits(nine, 9) || remainder < 0 || remainder > 10)
		return -1;
	memcpy(num11, nine, 9);
	num11[9] = num11[10] = '0';
	/* The digit that makes the first sum leave the remainder asked for. */
	int k1 = (remainder - weighted_mod11(num11, nid_w1, 10) + 11) % 11;
	if (k1 > 9)
		return -1;
	num11[9] = (char)('0' + k1);
	int k2 = (11 - weighted_mod11(num11, nid_w2, 11)) % 11;
	if (k2 > 9)
		return -1;
	out[0] = (char)('0' + k1);
	out[1] = (char)('0' + k2);
	return 0;
}

/* The birth date an 11-digit number holds (a D-number's day less 40), or a
 * reason it holds none. */
static const char *nid_birth(const char *s, int *y, int *m, int *d)
{
	int day = num(s, 2);
	int month = num(s + 2, 2);
	int yy = num(s + 4, 2);
	int ind = num(s + 6, 3);

	/* H-numbers (month + 40) are temporary health-service numbers and month
	 * + 80 marks Tenor's synthetic test persons: neither identifies a
	 * person in the population register, so neither belongs in a case. */
	if (month >= 41 && month <= 52)
		return N_("H-numbers and synthetic test numbers are not accepted");
	if (month >= 81 && month <= 92)
		return N_("H-numbers and synthetic test numbers are not accepted");
	if (day > 40)
		day -= 40;

	int year;
	if (ind <= 499)
		year = 1900 + yy;
	else if (ind <= 749 && yy >= 54)
		year = 1800 + yy;
	else if (yy <= 39)
		year = 2000 + yy;
	else if (ind >= 900)
		year = 1900 + yy;
	else
		return N_("the individual number does not fit the birth year");

	if (month < 1 || month > 12 || day < 1 || day > days_in_month(year, month))
		return N_("the birth date in it does not exist");
	*y = year;
	*m = month;
	*d = day;
	return NULL;
}

const char *valid_national_id_scheme(const char *s, int k1_remainders)
{
	int y, m, d;

	if (strlen(s) != 11 || !all_digits(s, 11))
		return N_("must be 11 digits");
	int r1 = weighted_mod11(s, nid_w1, 10);
	if (weighted_mod11(s, nid_w2, 11) != 0 || r1 > 3)
		return N_("check digit does not match");
	if (r1 >= k1_remainders)
		return N_("its check digits follow the scheme of 2032, not yet in force");
	return nid_birth(s, &y, &m, &d);
}

bool national_id_birth_date(const char *s, char out[11])
{
	int y, m, d;

	/* Either scheme: the date is where it was. */
	if (valid_national_id_scheme(s, 4) || nid_birth(s, &y, &m, &d))
		return false;
	snprintf(out, 11, "%04d-%02d-%02d", y, m, d);
	return true;
}

bool national_id_is_d_number(const char *s)
{
	return strlen(s) == 11 && all_digits(s, 11) && s[0] >= '4' && s[0] <= '7';
}

const char *valid_duf(const char *s)
{
	if (strlen(s) != 12 || !all_digits(s, 12))
		return N_("must be 12 digits");
	return NULL;
}

const char *valid_account(const char *s)
{
	static const unsigned char w[10] = {5, 4, 3, 2, 7, 6, 5, 4, 3, 2};

	if (strlen(s) != 11 || !all_digits(s, 11))
		return N_("must be 11 digits");
	int k = mod11(s, w, 10);
	if (k < 0 || s[10] != '0' + k)
		return N_("check digit does not match");
	return NULL;
}

const char *valid_orgnr(const char *s)
{
	static const unsigned char w[8] = {3, 2, 7, 6, 5, 4, 3, 2};

	if (strlen(s) != 9 || !all_digits(s, 9))
		return N_("must be 9 digits");
	int k = mod11(s, w, 8);
	if (k < 0 || s[8] != '0' + k)
		return N_("check digit does not match");
	return NULL;
}

const char *valid_months(const char *s)
{
	size_t n = strlen(s);
	unsigned v = 0;

	if (n == 0 || n > 3 || !all_digits(s, n))
		return N_("must be a whole number of months");
	for (size_t i = 0; i < n; i++)
		v = v * 10 + (unsigned)(s[i] - '0');
	if (v > 120)
		return N_("more than ten years");
	return NULL;
}

const char *valid_case_id(const char *s)
{
	size_t n = strlen(s);

	if (n == 0 || n > 19 || !all_digits(s, n) || s[0] == '0')
		return N_("must be a case number (1 or more)");
	return NULL;
}

const char *valid_amount(char *s)
{
	size_t n = strlen(s), i = 0;

	while (i < n && s[i] >= '0' && s[i] <= '9')
		i++;
	if (i == 0 || i > 9)
		return N_("must be an amount in kroner (12500 or 12500,50)");
	if (i < n && (s[i] == '.' || s[i] == ',')) {
		s[i] = '.'; /* øre after a comma, as written in Norwegian */
		size_t ore = n - i - 1;
		if ((ore != 1 && ore != 2) || !all_digits(s + i + 1, ore))
			return N_("must be an amount in kroner (12500 or 12500,50)");
		i = n;
	}
	return i == n ? NULL : N_("must be an amount in kroner (12500 or 12500,50)");
}

const char *valid_code_id(const char *s)
{
	size_t n = strlen(s);

	if (n == 0 || n > 32)
		return N_("must be a code of the table (mappe codes list)");
	for (size_t i = 0; i < n; i++)
		if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= '0' && s[i] <= '9') || s[i] == '_'))
			return N_("must be a code of the table (mappe codes list)");
	return NULL;
}

const char *valid_hours(char *s)
{
	size_t n = strlen(s), i = 0, whole = 0;
	unsigned v = 0;

	while (i < n && s[i] >= '0' && s[i] <= '9' && whole < 3)
		v = v * 10 + (unsigned)(s[i++] - '0'), whole++;
	if (whole == 0)
		return N_("must be a number of hours (37.5)");
	if (i < n && (s[i] == '.' || s[i] == ',')) {
		s[i] = '.'; /* "37,5" is how it is written in Norwegian */
		if (i + 2 != n || s[i + 1] < '0' || s[i + 1] > '9')
			return N_("must be a number of hours with at most one decimal (37.5)");
		v = v * 10 + (unsigned)(s[i + 1] - '0');
		i = n;
	} else {
		v *= 10;
	}
	if (i != n)
		return N_("must be a number of hours (37.5)");
	if (v > 1680)
		return N_("more hours than a week has");
	return NULL;
}

/* ---- code lists --------------------------------------------------------- */

/* ISO 3166-1 alpha-2 (and Kosovo's XK, which UDI and the EU use) and ISO
 * 639-1, with their names: isocodes.def, generated from Debian's iso-codes. */
struct code_name {
	char code[3];
	const char *nb, *en;
};

static const struct code_name countries[] = {
#define COUNTRY(code, nb, en) {code, nb, en},
#include "store/isocodes.def"
#undef COUNTRY
};

static const struct code_name languages[] = {
#define LANGUAGE(code, nb, en) {code, nb, en},
#include "store/isocodes.def"
#undef LANGUAGE
};

/* The living languages of ISO 639-3: a language tag's three-letter codes
 * (prs Dari), and those that are written with their 639-1 code (ara). */
struct lang3 {
	const char *nb, *en;
	char code[4], code2[3];
	bool byname;
};

static const struct lang3 languages3[] = {
#define LANGUAGE3(code, code2, nb, en, byname) {nb, en, code, code2, byname},
#include "store/isocodes.def"
#undef LANGUAGE3
};

static const char scripts[][5] = {
#define SCRIPT(code) code,
#include "store/isocodes.def"
#undef SCRIPT
};

static const struct code_name *in_table(const struct code_name *table, size_t n, const char *code)
{
	size_t i = sorted_code_find(table, n, sizeof *table, offsetof(struct code_name, code), code);

	return i < n ? &table[i] : NULL;
}

/* A letter of ASCII or of Latin-1's letters (Ø, Å, É) in lower case. */
static size_t fold_letter(const char *s, unsigned *c)
{
	const unsigned char *u = (const unsigned char *)s;

	if (u[0] == 0xC3 && u[1] >= 0x80 && u[1] <= 0x9E && u[1] != 0x97) {
		*c = 0xC300u | (u[1] + 0x20u);
		return 2;
	}
	if (u[0] == 0xC3 && u[1]) {
		*c = 0xC300u | u[1];
		return 2;
	}
	*c = u[0] >= 'A' && u[0] <= 'Z' ? u[0] + 32u : u[0];
	return 1;
}

/* Names compared as people type them: "sør-korea" is "Sør-Korea". */
static bool same_name(const char *a, const char *b)
{
	while (*a && *b) {
		unsigned x, y;
		a += fold_letter(a, &x);
		b += fold_letter(b, &y);
		if (x != y)
			return false;
	}
	return *a == *b;
}

static const char *code_by_name(const struct code_name *table, size_t n, const char *name)
{
	for (size_t i = 0; i < n; i++)
		if (same_name(name, table[i].nb) || same_name(name, table[i].en))
			return table[i].code;
	return NULL;
}

#define TABLE(t) t, sizeof t / sizeof t[0]

const char *country_name(const char *code, bool norwegian)
{
	const struct code_name *c = code ? in_table(TABLE(countries), code) : NULL;

	return c ? (norwegian ? c->nb : c->en) : NULL;
}

static const struct lang3 *lang3_find(const char *code);

const char *language_name(const char *code, bool norwegian)
{
	const struct code_name *c = code ? in_table(TABLE(languages), code) : NULL;

	if (c)
		return norwegian ? c->nb : c->en;
	const struct lang3 *l = code ? lang3_find(code) : NULL;
	return l && !l->code2[0] ? (norwegian ? l->nb : l->en) : NULL;
}

const char *country_by_name(const char *name)
{
	return code_by_name(TABLE(countries), name);
}

const char *language_by_name(const char *name)
{
	const char *code = code_by_name(TABLE(languages), name);

	for (size_t i = 0; !code && i < sizeof languages3 / sizeof languages3[0]; i++)
		if (languages3[i].byname &&
		    (same_name(name, languages3[i].nb) || same_name(name, languages3[i].en)))
			code = languages3[i].code;
	return code;
}

static bool two_in_range(const char *s, char lo, char hi)
{
	return s[0] >= lo && s[0] <= hi && s[1] >= lo && s[1] <= hi && s[2] == '\0';
}

const char *valid_country(const char *s)
{
	if (strlen(s) == 2 && two_in_range(s, 'a', 'z'))
		return N_("country code must be in upper case");
	if (!two_in_range(s, 'A', 'Z'))
		return N_("must be a two-letter country code");
	if (!in_table(TABLE(countries), s))
		return N_("is not an assigned country code");
	return NULL;
}

static const struct lang3 *lang3_find(const char *code)
{
	size_t n = sizeof languages3 / sizeof languages3[0],
	       i = sorted_code_find(languages3, n, sizeof languages3[0], offsetof(struct lang3, code),
	                            code);

	return i < n ? &languages3[i] : NULL;
}

static bool script_known(const char *code)
{
	size_t n = sizeof scripts / sizeof scripts[0];

	return sorted_code_find(scripts, n, sizeof scripts[0], 0, code) < n;
}

/* ASCII only, whatever the locale (a Turkish one lowers I to dotless i). */
static int a_lower(int c)
{
	return c >= 'a' && c <= 'z';
}
static int a_upper(int c)
{
	return c >= 'A' && c <= 'Z';
}
static int a_alpha(int c)
{
	return a_lower(c) || a_upper(c);
}
static int a_digit(int c)
{
	return c >= '0' && c <= '9';
}
static int a_tolower(int c)
{
	return a_upper(c) ? c + ('a' - 'A') : c;
}
static int a_toupper(int c)
{
	return a_lower(c) ? c - ('a' - 'A') : c;
}

static bool all_in(const char *s, size_t n, int (*is)(int))
{
	for (size_t i = 0; i < n; i++)
		if (!is((unsigned char)s[i]))
			return false;
	return true;
}

/* The subtags of a tag, at most language-script-region: their starts and
 * lengths; false for more than three or an empty one. */
static bool subtags(const char *s, const char *start[3], size_t len[3], size_t *n)
{
	*n = 0;
	for (const char *p = s;;) {
		const char *dash = strchr(p, '-');
		size_t l = dash ? (size_t)(dash - p) : strlen(p);
		if (l == 0 || *n == 3)
			return false;
		start[*n] = p;
		len[(*n)++] = l;
		if (!dash)
			return true;
		p = dash + 1;
	}
}

bool language_canonical(char *s)
{
	const char *start[3];
	size_t len[3], n;
	bool changed = false;

	for (char *p = s; *p; p++)
		if (*p == '_') { /* fa_AF, as locales write it */
			*p = '-';
			changed = true;
		}
	if (!subtags(s, start, len, &n))
		return changed;
	for (size_t i = 0; i < n; i++) {
		char *t = (char *)start[i];
		for (size_t k = 0; k < len[i]; k++) {
			/* language lower, Script title, REGION upper (RFC 5646 2.1.1) */
			int c = (unsigned char)t[k];
			int want = i == 0        ? a_tolower(c)
			           : len[i] == 4 ? (k == 0 ? a_toupper(c) : a_tolower(c))
			                         : a_toupper(c);
			if (t[k] != want) {
				t[k] = (char)want;
				changed = true;
			}
		}
	}
	/* A language with a two-letter code is written with it (RFC 5646 2.2.1). */
	char lang[4];
	if (len[0] == 3) {
		memcpy(lang, s, 3);
		lang[3] = '\0';
		const struct lang3 *l = lang3_find(lang);
		if (l && l->code2[0]) {
			s[0] = l->code2[0];
			s[1] = l->code2[1];
			memmove(s + 2, s + 3, strlen(s + 3) + 1);
			changed = true;
		}
	}
	return changed;
}

const char *valid_language(const char *s)
{
	const char *start[3];
	size_t len[3], n;
	char code[5];

	if (!subtags(s, start, len, &n))
		return N_("must be a language code: fa, prs, or with a region fa-AF");
	if ((len[0] != 2 && len[0] != 3) || !all_in(s, len[0], a_alpha))
		return N_("must be a language code: fa, prs, or with a region fa-AF");
	if (!all_in(s, len[0], a_lower))
		return N_("language code must be in lower case");
	memcpy(code, s, len[0]);
	code[len[0]] = '\0';
	if (len[0] == 2) {
		if (!in_table(TABLE(languages), code))
			return N_("is not an ISO 639 language code");
	} else {
		const struct lang3 *l = lang3_find(code);
		if (!l)
			return N_("is not an ISO 639 language code");
		if (l->code2[0])
			return N_("has a two-letter code, which is the one to use");
	}
	for (size_t i = 1; i < n; i++) {
		memcpy(code, start[i], len[i] < 4 ? len[i] : 4);
		code[len[i] < 4 ? len[i] : 4] = '\0';
		if (len[i] == 4 && i == 1 && all_in(code, 4, a_alpha)) {
			if (!script_known(code))
				return N_("the script is not an ISO 15924 code");
		} else if (len[i] == 2 && all_in(code, 2, a_alpha)) {
			if (valid_country(code))
				return N_("the region is not an ISO 3166 country code");
		} else if (len[i] == 3 && all_in(code, 3, a_digit)) {
			continue; /* a UN M.49 area: 419 Latin America */
		} else {
			return N_("only a language, a script and a region are accepted: fa-AF, "
			          "sr-Latn-RS");
		}
		if (i == 2 && len[1] != 4)
			return N_("only a language, a script and a region are accepted: fa-AF, "
			          "sr-Latn-RS");
	}
	return NULL;
}

/* ---- phone and e-mail --------------------------------------------------- */

const char *valid_phone(const char *s)
{
	size_t digits = 0;
	bool plus = false;

	for (; *s; s++) {
		if (*s == ' ')
			continue;
		if (!plus) {
			if (*s != '+')
				return N_("must start with + and the country code");
			plus = true;
			continue;
		}
		if (*s < '0' || *s > '9')
			return N_("may contain only digits and spaces after the +");
		if (digits == 0 && *s == '0')
			return N_("country code cannot start with 0");
		digits++;
	}
	if (!plus)
		return N_("must start with + and the country code");
	if (digits < 8 || digits > 15)
		return N_("must have 8 to 15 digits");
	return NULL;
}

/* Like snprintf: returns the length of the whole compact form, so a result >=
 * cap means out was truncated; out is NUL-terminated whenever cap > 0. */
size_t phone_normalise(const char *in, char *out, size_t cap)
{
	size_t n = 0;

	for (; *in; in++) {
		if (*in == ' ')
			continue;
		if (n + 1 < cap)
			out[n] = *in;
		n++;
	}
	if (cap > 0)
		out[n < cap ? n : cap - 1] = '\0';
	return n;
}

static bool is_alnum(char c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
}

static bool is_alpha(char c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z');
}

/* The atext of RFC 5322 plus dots; quoted local parts and address literals
 * are legal but nobody in this register has one, and they are easy to
 * mistype. */
const char *valid_email(const char *s)
{
	size_t len = strlen(s);
	const char *at = strchr(s, '@');

	if (len > 254)
		return N_("is too long");
	if (!at || strchr(at + 1, '@'))
		return N_("must contain exactly one @");
	if (at == s)
		return N_("needs a name before the @");
	if (at - s > 64)
		return N_("the part before the @ is too long");
	for (const char *p = s; p < at; p++) {
		if (*p == '.') {
			if (p == s || p + 1 == at || p[1] == '.')
				return N_("has a misplaced dot before the @");
		} else if (!is_alnum(*p) && !strchr("!#$%&'*+/=?^_`{|}~-", *p)) {
			return N_("contains a character not allowed in an e-mail address");
		}
	}

	const char *dom = at + 1;
	const char *label = dom;
	size_t labels = 0;
	for (const char *p = dom;; p++) {
		if (*p == '.' || *p == '\0') {
			size_t n = (size_t)(p - label);

			if (n == 0 || n > 63)
				return N_("the domain after the @ is not valid");
			if (label[0] == '-' || p[-1] == '-')
				return N_("the domain after the @ is not valid");
			labels++;
			if (*p == '\0')
				break;
			label = p + 1;
		} else if (!is_alnum(*p) && *p != '-') {
			return N_("contains a character not allowed in an e-mail address");
		}
	}
	if (labels < 2)
		return N_("the domain after the @ must contain a dot");
	size_t tld = strlen(label);
	for (size_t i = 0; i < tld; i++)
		if (!is_alpha(label[i]))
			return N_("the domain after the @ is not valid");
	if (tld < 2)
		return N_("the domain after the @ is not valid");
	return NULL;
}

/* ---- names -------------------------------------------------------------- */

/* Punctuation, digits, symbols and invisible controls in the blocks people
 * actually paste from (Latin-1, Arabic, Ethiopic, general punctuation, CJK,
 * fullwidth forms, emoji); a full Unicode category table is not worth its
 * size here. Sorted, for a binary search. */
static const struct range name_refused[] = {
    {0x0080, 0x00BF},    /* C1 controls, NBSP, Latin-1 punctuation and signs */
    {0x00D7, 0x00D7},    /* multiplication sign */
    {0x00F7, 0x00F7},    /* division sign */
    {0x037E, 0x037E},    /* Greek question mark */
    {0x0387, 0x0387},    /* Greek ano teleia */
    {0x055A, 0x055F},    /* Armenian punctuation */
    {0x0589, 0x058A},    /* Armenian full stop, hyphen */
    {0x0600, 0x060F},    /* Arabic number signs, comma, date separator */
    {0x061B, 0x061F},    /* Arabic semicolon, question mark */
    {0x0660, 0x066D},    /* Arabic-Indic digits, percent, separators */
    {0x06D4, 0x06D4},    /* Arabic full stop */
    {0x06DD, 0x06DE},    /* Arabic end of ayah, start of rub el hizb */
    {0x06F0, 0x06F9},    /* Persian digits */
    {0x0964, 0x096F},    /* Devanagari danda, digits */
    {0x1360, 0x137C},    /* Ethiopic punctuation, digits and numbers */
    {0x2000, 0x200B},    /* spaces of other widths, zero-width space */
    {0x200E, 0x2018},    /* direction marks, dashes, quotation marks */
    {0x201A, 0x206F},    /* quotes, bullets, bidi embeddings and isolates */
    {0x2070, 0x2BFF},    /* super/subscripts, currency, arrows, maths, dingbats */
    {0x2E00, 0x2E7F},    /* supplemental punctuation */
    {0x3000, 0x3004},    /* ideographic space and punctuation */
    {0x3006, 0x303F},    /* CJK punctuation (U+3005 repeats a kanji in names) */
    {0xD800, 0xF8FF},    /* surrogates (never decoded) and private use */
    {0xFDD0, 0xFDEF},    /* non-characters */
    {0xFE10, 0xFE1F},    /* vertical forms */
    {0xFE30, 0xFE6F},    /* compatibility and small forms */
    {0xFEFF, 0xFEFF},    /* byte order mark */
    {0xFF00, 0xFF20},    /* fullwidth punctuation and digits */
    {0xFF3B, 0xFF40},    /* fullwidth punctuation */
    {0xFF5B, 0xFF65},    /* fullwidth and halfwidth punctuation */
    {0xFFF0, 0xFFFF},    /* specials */
    {0x1F000, 0x1FAFF},  /* emoji, playing cards, symbols */
    {0xE0000, 0x10FFFF}, /* tags, variation selectors supplement, private use */
};

/* Code points that may be in a name but are not letters by themselves. */
static const struct range name_nonletters[] = {
    {0x0300, 0x036F}, /* combining diacritics (decomposed Vietnamese, Sámi) */
    {0x0483, 0x0489}, /* Cyrillic combining marks */
    {0x064B, 0x065F}, /* Arabic harakat */
    {0x0670, 0x0670}, /* Arabic superscript alef */
    {0x1AB0, 0x1AFF}, /* combining diacritics extended */
    {0x1DC0, 0x1DFF}, /* combining diacritics supplement */
    {0x200C, 0x200D}, /* ZWNJ and ZWJ: needed inside Persian and Indic names */
    {0x2019, 0x2019}, /* the typographic apostrophe of O’Brien */
    {0xFE00, 0xFE0F}, /* variation selectors */
    {0xFE20, 0xFE2F}, /* combining half marks */
};

#define NAME_MAX_BYTES 200

const char *valid_name(const char *s)
{
	const unsigned char *u = (const unsigned char *)s;
	size_t len = strlen(s);
	bool letter = false;

	if (len == 0)
		return N_("must not be empty");
	if (len > NAME_MAX_BYTES)
		return N_("is too long");
	if (s[0] == ' ' || s[len - 1] == ' ')
		return N_("must not start or end with a space");

	for (size_t i = 0; i < len;) {
		uint32_t cp;
		size_t n = utf8_decode(u + i, len - i, &cp);

		if (n == 0)
			return N_("is not valid UTF-8 text");
		if (cp < 0x80) {
			if (is_alpha((char)cp)) {
				letter = true;
			} else if (cp == ' ') {
				if (u[i + 1] == ' ')
					return N_("must not contain two spaces in a row");
			} else if (cp != '-' && cp != '\'' && cp != '.') {
				return N_("may contain only letters, spaces and - ' .");
			}
		} else if (cp != 0x200C && cp != 0x200D && !(cp >= 0xFE00 && cp <= 0xFE0F) &&
		           in_ranges(blank, NRANGES(blank), cp)) {
			/* A filler such as U+3164 passes for a letter in a font and
			 * for a space on screen: two names that look alike must be
			 * alike. */
			return N_("contains an invisible character or a space other than the plain "
			          "space");
		} else if (in_ranges(name_refused, sizeof name_refused / sizeof name_refused[0],
		                     cp)) {
			return N_("may contain only letters, spaces and - ' .");
		} else if (!in_ranges(name_nonletters,
		                      sizeof name_nonletters / sizeof name_nonletters[0], cp)) {
			letter = true;
		}
		i += n;
	}
	if (!letter)
		return N_("must contain a letter");
	return NULL;
}

/* ---- codes and enumerations --------------------------------------------- */

const char *valid_code(const char *s)
{
	size_t len = strlen(s);

	if (len == 0)
		return N_("must not be empty");
	if (len > 32)
		return N_("must be at most 32 characters");
	for (size_t i = 0; i < len; i++)
		if (!is_alnum(s[i]) && s[i] != '_' && s[i] != '/' && s[i] != '-')
			return N_("may contain only letters A-Z, digits and - _ /");
	return NULL;
}

static bool eq_nocase(const char *a, const char *b)
{
	for (; *a && *b; a++, b++) {
		char x = *a >= 'A' && *a <= 'Z' ? (char)(*a + 32) : *a;

		if (x != *b)
			return false;
	}
	return *a == *b;
}

const char *valid_bool(const char *s, const char **canonical)
{
	static const char *const yes[] = {"true", "yes", "ja", "1"};
	static const char *const no[] = {"false", "no", "nei", "0"};
	const char *c = NULL;

	for (size_t i = 0; i < sizeof yes / sizeof yes[0]; i++) {
		if (eq_nocase(s, yes[i]))
			c = "true";
		else if (eq_nocase(s, no[i]))
			c = "false";
	}
	if (canonical)
		*canonical = c;
	return c ? NULL : N_("must be true or false (yes/no, ja/nei, 1/0)");
}

const char *valid_choice(const char *s, const char *choices)
{
	size_t len = strlen(s);

	for (const char *p = choices;;) {
		const char *bar = strchr(p, '|');
		size_t n = bar ? (size_t)(bar - p) : strlen(p);

		if (n == len && memcmp(p, s, n) == 0)
			return NULL;
		if (!bar)
			break;
		p = bar + 1;
	}
	return N_("is not one of the allowed values");
}

/* ---- user names ----------------------------------------------------------- */

/* Unix login names, in ASCII whatever the locale: the account is the
 * identity on a shared host. */
bool store_user_name_valid_n(const char *name, size_t n)
{
	if (n == 0 || n > 32 || !((name[0] >= 'a' && name[0] <= 'z') || name[0] == '_'))
		return false;
	for (size_t i = 0; i < n; i++) {
		char ch = name[i];
		if (!((ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9') || ch == '_' ||
		      ch == '-' || ch == '.'))
			return false;
	}
	return true;
}

bool store_user_name_valid(const char *name)
{
	return store_user_name_valid_n(name, strlen(name));
}

/* ---- as people write them ---------------------------------------------- */

bool date_from_dotted(char *s)
{
	size_t i = 0, d, m;
	char day[2], mon[2];

	for (d = 0; s[i] >= '0' && s[i] <= '9'; i++, d++)
		;
	if ((d != 1 && d != 2) || s[i] != '.')
		return false;
	day[0] = d == 1 ? '0' : s[0];
	day[1] = s[d - 1];
	for (i++, m = 0; s[i] >= '0' && s[i] <= '9'; i++, m++)
		;
	if ((m != 1 && m != 2) || s[i] != '.')
		return false;
	mon[0] = m == 1 ? '0' : s[i - 2];
	mon[1] = s[i - 1];
	i++;
	if (strlen(s + i) != 4 || !all_digits(s + i, 4))
		return false;
	memmove(s, s + i, 4);
	s[4] = '-';
	s[5] = mon[0];
	s[6] = mon[1];
	s[7] = '-';
	s[8] = day[0];
	s[9] = day[1];
	s[10] = 0;
	return true;
}

bool date_to_dotted(const char *s, char out[11])
{
	if (strlen(s) != 10 || s[4] != '-' || s[7] != '-' || !all_digits(s, 4) ||
	    !all_digits(s + 5, 2) || !all_digits(s + 8, 2))
		return false;
	memcpy(out, s + 8, 2);
	out[2] = '.';
	memcpy(out + 3, s + 5, 2);
	out[5] = '.';
	memcpy(out + 6, s, 4);
	out[10] = 0;
	return true;
}

bool phone_add_norway(char *s)
{
	char digits[9];
	size_t n = 0;
	const char *p = strncmp(s, "0047", 4) == 0 ? s + 4 : s;

	for (; *p; p++) {
		if (*p == ' ')
			continue;
		if (*p < '0' || *p > '9' || n == 8)
			return false;
		digits[n++] = *p;
	}
	if (n != 8)
		return false;
	memcpy(s, "+47", 3);
	memcpy(s + 3, digits, 8);
	s[11] = 0;
	return true;
}

bool phone_group(const char *s, char *out, size_t cap)
{
	const char *d = s + 3;

	if (cap < 16 || strlen(s) != 11 || strncmp(s, "+47", 3) != 0 || !all_digits(d, 8))
		return false;
	if (d[0] == '4' || d[0] == '9')
		snprintf(out, cap, "+47 %.3s %.2s %.3s", d, d + 3, d + 5);
	else
		snprintf(out, cap, "+47 %.2s %.2s %.2s %.2s", d, d + 2, d + 4, d + 6);
	return true;
}

bool national_id_group(const char *s, char out[13])
{
	if (strlen(s) != 11 || !all_digits(s, 11))
		return false;
	memcpy(out, s, 6);
	out[6] = ' ';
	memcpy(out + 7, s + 6, 5);
	out[12] = 0;
	return true;
}
