/* Validators for single values: private to store/ (field_normalise uses them).
 * Each returns NULL when the value is valid, else a short English message
 * (marked for translation by the caller) that never quotes the value. Inputs
 * are NUL-terminated and already trimmed. */
#ifndef MAPPE_STORE_VALIDATE_H
#define MAPPE_STORE_VALIDATE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Decode one code point strictly (RFC 3629: no overlongs, no surrogates,
 * nothing above U+10FFFF). Returns the sequence length, or 0 if invalid. */
size_t utf8_decode(const unsigned char *s, size_t len, uint32_t *cp);
/* The rule every text value and note obeys, whatever its kind: well-formed
 * UTF-8; no NUL; no C0 controls but \n (and CRLF) and \t when multiline; no
 * DEL or C1; no U+2028/9; no bidirectional embeddings, overrides or isolates
 * (U+202A-202E, U+2066-2069); no deprecated format characters (U+206A-206F),
 * interlinear annotations (U+FFF9-FFFB), U+FFFE/FFFF or tag characters
 * (U+E0000-E007F); and not blank-looking: a non-empty value must hold one
 * character that is not a space, filler (U+3164 ...) or invisible character.
 * Zero-width joiners, direction marks and the like stay allowed inside text,
 * where scripts need them (Persian ZWNJ). Messages name the character. */
const char *valid_utf8_text(const char *s, size_t len, bool multiline);
/* Binary searches of the sorted tables validate.c and fold.c look things
 * up in (n elements of size bytes each): the index of the one whose range
 * of code points, two uint32_t first in the element, holds cp; of the one
 * whose NUL-terminated code at byte off is code. n when there is none. */
size_t sorted_range_find(const void *table, size_t n, size_t size, uint32_t cp);
size_t sorted_code_find(const void *table, size_t n, size_t size, size_t off, const char *code);
/* YYYY-MM-DD, a day that exists (leap years), year 1900..2199. */
const char *valid_date(const char *s);
/* D.M.YYYY or DD.MM.YYYY, as Norwegians write dates, rewritten in place as
 * YYYY-MM-DD (s has room for 11 bytes); false, s unchanged, for any other
 * shape. Whether the day exists is valid_date's question. */
bool date_from_dotted(char *s);
/* A YYYY-MM-DD date as DD.MM.YYYY; false if s is not of that shape. */
bool date_to_dotted(const char *s, char out[11]);
/* Days since 1970-01-01 for a valid date (for comparisons). */
long date_days(const char *s);
/* The year, month and day of a count of days since 1970-01-01 (its inverse;
 * exact proleptic Gregorian). */
void civil_from_days(long z, long *y, int *m, int *d);
/* 11 digits; fødselsnummer (day 01-31) or D-number (day + 40); month 01-12
 * (tolerating the +40/+80 month offsets of synthetic/H-numbers is NOT done);
 * both mod-11 control sums, the first leaving a remainder below
 * k1_remainders (1: today's scheme only; 4: the scheme of 2032 too); the
 * date with the individual number's century must exist. Never reads sex
 * from the number: from 2032 it holds none. */
const char *valid_national_id_scheme(const char *s, int k1_remainders);
/* valid_national_id_scheme with the schemes in force today (rules.def
 * nid_k1_remainders; catalogue.c). */
const char *valid_national_id(const char *s);
bool national_id_is_d_number(const char *s);
/* national_id_birth_date: store.h. */
/* The two check digits for the first nine digits such that the first
 * control sum leaves remainder (0: today's scheme; 1-3: the scheme of 2032);
 * -1 if no digit does. */
int national_id_check_digits(const char nine[9], int remainder, char out[2]);
const char *valid_duf(const char *s);           /* 12 digits */
const char *valid_country(const char *s);       /* assigned ISO 3166-1 alpha-2, upper case */
/* A language tag of BCP 47's common shape: an ISO 639-1 code, or an ISO
 * 639-3 code for a language without one (prs Dari, ckb Sorani, kmr
 * Kurmanji), then optionally an ISO 15924 script and an ISO 3166 country or
 * UN M.49 area: fa-AF, sr-Latn-RS, es-419. Canonical case only: see
 * language_canonical. */
const char *valid_language(const char *s);
/* Rewrite a tag in its canonical form, in place: language in lower case,
 * Script in title case, REGION in upper case, '_' as '-', and a three-letter
 * code that has a two-letter one by that (ara -> ar). True if s changed. */
bool language_canonical(char *s);
/* A country's or language's name (isocodes.def) for its code (a language's
 * of ISO 639-1 or 639-3), NULL if the code is none; and the code a name in
 * either language (any case) is. */
const char *country_name(const char *code, bool norwegian);
const char *language_name(const char *code, bool norwegian);
const char *country_by_name(const char *name);
const char *language_by_name(const char *name);
/* E.164: '+', country code not starting with 0, 8 to 15 digits in all.
 * Spaces may separate groups in the input; phone_normalise removes them. */
const char *valid_phone(const char *s);
size_t phone_normalise(const char *in, char *out, size_t cap);
/* A Norwegian number typed without its country code: 8 digits (spaces
 * allowed between groups) or 0047 and 8 digits become +47 and the digits, in
 * place (s has room for len + 4). True when s was rewritten. */
bool phone_add_norway(char *s);
/* An E.164 value grouped as people write it: +47 and a mobile number
 * (4 or 9 first) as +47 912 34 567, other Norwegian numbers as
 * +47 22 12 34 56. False for any other value (other countries' groupings
 * differ, and are shown as stored); out is then not written. */
bool phone_group(const char *s, char *out, size_t cap);
/* 11 digits as people write a fødselsnummer: 010190 12345. */
bool national_id_group(const char *s, char out[13]);
const char *valid_email(const char *s);          /* local@domain.tld, no spaces */
const char *valid_orgnr(const char *s);
/* A Norwegian bank account: 11 digits, mod-11 (weights 5 4 3 2 7 6 5 4 3 2). */
const char *valid_account(const char *s);          /* 9 digits, mod-11 (weights 3 2 7 6 5 4 3 2) */
/* Months, 0 to 120, as a whole number. */
const char *valid_months(const char *s);
/* A case id: 1 or more, no leading zero. */
const char *valid_case_id(const char *s);
/* Kroner, up to 999 999 999, with one or two decimals after a point or a
 * comma (the comma becomes a point, in place). */
const char *valid_amount(char *s);
/* The shape of a code of a code table: [a-z0-9_]{1,32}. */
const char *valid_code_id(const char *s);
/* Hours per week, 0 to 168 with at most one decimal; a decimal comma
 * becomes a point, in place. */
const char *valid_hours(char *s);
/* Letters and marks of any script, space - ' .; of the invisible characters
 * only ZWNJ and ZWJ (inside Persian and Indic names) and variation selectors. */
const char *valid_name(const char *s);
const char *valid_code(const char *s);           /* [A-Za-z0-9_/-], 1..32 */
/* Accepts true/false, yes/no, ja/nei, 1/0 (any case); writes "true" or "false". */
const char *valid_bool(const char *s, const char **canonical);
/* choices is "a|b|c"; exact match required. */
const char *valid_choice(const char *s, const char *choices);
/* A Unix login name of n bytes (store_user_name_valid is the NUL-terminated
 * form, in store.h): the account is the identity on a shared host. */
bool store_user_name_valid_n(const char *name, size_t n);

#endif
