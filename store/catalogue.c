/* catalogue.c: the field table, expanded from fields.def, and the one
 * function that validates and normalises a value for any field. */
#include "store/catalogue.h"
#include "store/store.h"
#include "store/validate.h"

#include <string.h>

const char *valid_national_id(const char *s)
{
	return valid_national_id_scheme(
		s, (int)rule_value(RULE_nid_k1_remainders, REGIME_ANY, st_today(), 1));
}

/* CHOICES(NAME) in fields.def's choices column fills two members from the
 * one list NAME_CHOICES: the "id|id|..." string that valid_choice reads (the
 * leading bar skipped) and the rows with their labels (a compound literal at
 * file scope, so of static storage). NULL fills the first; the second stays
 * NULL. */
#define CHOICE_BAR(id, num, nb, en) "|" #id
#define CHOICE_ROW(id, num, nb, en) {#id, num, nb, en},
/* CODE_LIST(table) in the choices column: a CHECK_CODELIST field's table. */
#define CODE_LIST(table) NULL, .codes = CT_##table + 1
#define CHOICES(name)                                                                              \
	(name##_CHOICES(CHOICE_BAR)) + 1,                                                          \
	    .choice = (const struct field_choice[]) { name##_CHOICES(CHOICE_ROW){NULL, 0, NULL, NULL} }

/* The parameters are not named after the members: .choices = choices would
 * substitute both. */
const struct field_def field_catalogue[F_COUNT] = {
#define FIELD(fid, fnum, ftype, fcls, fcheck, fchoices, fgroup, fflags, fnb, fen)                  \
	[F_##fid] = {.id = #fid,                                                                   \
	             .number = fnum,                                                               \
	             .type = ftype,                                                                \
	             .cls = fcls,                                                                  \
	             .check = fcheck,                                                              \
	             .group = fgroup,                                                              \
	             .flags = fflags,                                                              \
	             .label_nb = fnb,                                                              \
	             .label_en = fen,                                                              \
	             .choices = fchoices},
#include "store/fields.def"
#undef FIELD
};

const struct item_def item_catalogue[I_COUNT] = {
#define ITEM(ilist, fid, fnum, ftype, fcls, fcheck, fchoices, fflags, fnb, fen)                   \
	[I_##ilist##_##fid] = {.f = {.id = #fid,                                                   \
	                             .number = fnum,                                               \
	                             .type = ftype,                                                \
	                             .cls = fcls,                                                  \
	                             .check = fcheck,                                              \
	                             .group = GROUP_COUNT,                                         \
	                             .flags = fflags,                                              \
	                             .label_nb = fnb,                                              \
	                             .label_en = fen,                                              \
	                             .choices = fchoices},                                         \
	                       .list = L_##ilist},
#include "store/fields.def"
#undef ITEM
};

const struct list_def list_catalogue[L_COUNT] = {
#define LIST(lid, lnum, lcls, lnb, len) [L_##lid] = {#lid, lnum, lcls, lnb, len},
#include "store/lists.def"
#undef LIST
};

#undef CHOICES
#undef CHOICE_ROW
#undef CHOICE_BAR

static const char *const group_labels[GROUP_COUNT][2] = {
#define FIELD_GROUP_LABEL(name, nb, en) [GROUP_##name] = {nb, en},
    FIELD_GROUPS(FIELD_GROUP_LABEL)
#undef FIELD_GROUP_LABEL
};

int field_by_id(const char *id, size_t len)
{
	for (int i = 0; i < F_COUNT; i++)
		if (strlen(field_catalogue[i].id) == len && memcmp(field_catalogue[i].id, id, len) == 0)
			return i;
	return -1;
}

int field_by_number(unsigned number)
{
	for (int i = 0; i < F_COUNT; i++)
		if (field_catalogue[i].number == number)
			return i;
	return -1;
}

int list_by_id(const char *id, size_t len)
{
	for (int i = 0; i < L_COUNT; i++)
		if (strlen(list_catalogue[i].id) == len && memcmp(list_catalogue[i].id, id, len) == 0)
			return i;
	return -1;
}

int list_by_number(unsigned number)
{
	for (int i = 0; i < L_COUNT; i++)
		if (list_catalogue[i].number == number)
			return i;
	return -1;
}

const char *list_label(enum list_id l, bool norwegian)
{
	if ((unsigned)l >= L_COUNT)
		return "?";
	return norwegian ? list_catalogue[l].label_nb : list_catalogue[l].label_en;
}

int item_field_by_id(enum list_id l, const char *id, size_t len)
{
	for (int i = 0; i < I_COUNT; i++)
		if (item_catalogue[i].list == l && strlen(item_catalogue[i].f.id) == len &&
		    memcmp(item_catalogue[i].f.id, id, len) == 0)
			return i;
	return -1;
}

int item_field_by_number(unsigned number)
{
	for (int i = 0; i < I_COUNT; i++)
		if (item_catalogue[i].f.number == number)
			return i;
	return -1;
}

key_classes list_classes(enum list_id l)
{
	key_classes k;

	if ((unsigned)l >= L_COUNT)
		return 0;
	k = 1u << list_catalogue[l].cls;
	for (int i = 0; i < I_COUNT; i++)
		if (item_catalogue[i].list == l)
			k |= 1u << item_catalogue[i].f.cls;
	return k;
}

const char *field_group_label(enum field_group g, bool norwegian)
{
	return (unsigned)g < GROUP_COUNT ? group_labels[g][norwegian ? 0 : 1] : "?";
}

const char *field_label(enum field_id f, bool norwegian)
{
	if ((unsigned)f >= F_COUNT)
		return "?";
	return norwegian ? field_catalogue[f].label_nb : field_catalogue[f].label_en;
}

bool field_has(enum field_id f, enum field_flag flag)
{
	return (unsigned)f < F_COUNT && (field_catalogue[f].flags & (unsigned)flag) != 0;
}

int field_choice_count(enum field_id f)
{
	int n = 0;

	if ((unsigned)f < F_COUNT && field_catalogue[f].choice)
		while (field_catalogue[f].choice[n].id)
			n++;
	return n;
}

int field_choice_find(enum field_id f, const char *id, size_t len)
{
	const struct field_choice *c = (unsigned)f < F_COUNT ? field_catalogue[f].choice : NULL;

	for (int i = 0; c && c[i].id; i++)
		if (strlen(c[i].id) == len && memcmp(c[i].id, id, len) == 0)
			return i;
	return -1;
}

const char *field_choice_label(enum field_id f, int i, bool norwegian)
{
	if (i < 0 || i >= field_choice_count(f))
		return "?";
	return norwegian ? field_catalogue[f].choice[i].label_nb
	                 : field_catalogue[f].choice[i].label_en;
}

/* An older name of a status (statuses.def STATUS_ALIASES), or -1. */
static int status_alias(const char *s)
{
#define ALIAS(old, now)                                                                            \
	if (strcmp(s, #old) == 0)                                                                  \
		return STATUS_##now;
	STATUS_ALIASES(ALIAS)
#undef ALIAS
	return -1;
}

/* A status's number is its place in statuses.def (test_catalogue checks). */
int status_parse(const char *s, size_t len)
{
	int i = field_choice_find(F_status, s, len);
	char buf[32];

	if (i >= 0 || len >= sizeof buf)
		return i;
	memcpy(buf, s, len);
	buf[len] = '\0';
	return status_alias(buf);
}

const char *status_name(unsigned s)
{
	return s < STATUS_COUNT ? field_catalogue[F_status].choice[s].id : "?";
}

const char *named_id(const struct named *t, size_t n, unsigned i)
{
	return i < n ? t[i].id : "?";
}

const char *named_label(const struct named *t, size_t n, unsigned i, bool norwegian)
{
	if (i >= n)
		return "?";
	return norwegian ? t[i].nb : t[i].en;
}

int named_find(const void *t, size_t n, size_t size, const char *s, size_t len)
{
	for (size_t i = 0; i < n; i++) {
		const char *id;
		memcpy(&id, (const char *)t + i * size, sizeof id);
		if (id && strlen(id) == len && memcmp(id, s, len) == 0)
			return (int)i;
	}
	return -1;
}

static const int status_order[STATUS_COUNT] = {
#define X(id) STATUS_##id,
    STATUS_ORDER(X)
#undef X
};

int status_rank(int s)
{
	for (int r = 0; r < STATUS_COUNT; r++)
		if (status_order[r] == s)
			return r;
	return -1;
}

int status_by_rank(int rank)
{
	return rank >= 0 && rank < STATUS_COUNT ? status_order[rank] : -1;
}

bool status_step_allowed(int from, int to)
{
	if (from < 0 || from == to)
		return true;
#define STEP(a, b)                                                                                 \
	if (from == STATUS_##a && to == STATUS_##b)                                                \
		return true;
	STATUS_STEPS(STEP)
#undef STEP
	return false;
}

int status_choices(int from, int out[STATUS_COUNT])
{
	int n = 0, k;

	for (int r = 0; r < STATUS_COUNT; r++)
		if (status_step_allowed(from, status_order[r]))
			out[n++] = status_order[r];
	k = n;
	for (int r = 0; r < STATUS_COUNT; r++)
		if (!status_step_allowed(from, status_order[r]))
			out[k++] = status_order[r];
	return n;
}

static bool is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

static void upper_ascii(char *s)
{
	for (; *s; s++)
		if (*s >= 'a' && *s <= 'z')
			*s = (char)(*s - 'a' + 'A');
}

/* Remove spaces: "010190 12345" is how numbers are often written. */
static void squeeze_spaces(char *s)
{
	char *w = s;
	for (; *s; s++)
		if (*s != ' ')
			*w++ = *s;
	*w = 0;
}

/* 1234.56.78903, as account numbers are written. */
static void squeeze_dots(char *s)
{
	char *w = s;
	for (; *s; s++)
		if (*s != '.')
			*w++ = *s;
	*w = 0;
}

static bool eq_nocase(const char *a, const char *b)
{
	for (; *a && *b; a++, b++) {
		char x = *a >= 'A' && *a <= 'Z' ? (char)(*a - 'A' + 'a') : *a;
		char y = *b >= 'A' && *b <= 'Z' ? (char)(*b - 'A' + 'a') : *b;
		if (x != y)
			return false;
	}
	return *a == *b;
}

/* The choice whose id or label (either language) s is; -1 if none. */
static int choice_match(const struct field_def *d, const char *s)
{
	for (int i = 0; d->choice && d->choice[i].id; i++)
		if (eq_nocase(s, d->choice[i].id) || eq_nocase(s, d->choice[i].label_nb) ||
		    eq_nocase(s, d->choice[i].label_en))
			return i;
	return -1;
}

const char *field_def_display(const struct field_def *d, const char *value, bool norwegian,
                              char *buf, size_t cap)
{
	const char *canon;
	int i;

	if (!value || cap < 32)
		return value;
	switch (d->type) {
	case FT_ENUM:
		for (i = 0; d->choice && d->choice[i].id; i++)
			if (strcmp(value, d->choice[i].id) == 0)
				return norwegian ? d->choice[i].label_nb : d->choice[i].label_en;
		return value;
	case FT_BOOL:
		if (valid_bool(value, &canon))
			return value;
		if (strcmp(canon, "true") == 0)
			return norwegian ? "ja" : "yes";
		return norwegian ? "nei" : "no";
	case FT_DATE:
		return norwegian && date_to_dotted(value, buf) ? buf : value;
	default:
		break;
	}
	if (d->check == CHECK_PHONE && phone_group(value, buf, cap))
		return buf;
	if (d->check == CHECK_NATIONAL_ID && national_id_group(value, buf))
		return buf;
	return value;
}

const char *field_display(enum field_id f, const char *value, bool norwegian, char *buf,
                          size_t cap)
{
	if ((unsigned)f >= F_COUNT)
		return value;
	return field_def_display(&field_catalogue[f], value, norwegian, buf, cap);
}

/* A language tag with a region as people read it: "persisk (Afghanistan)"
 * for fa-AF; NULL for one of another shape. */
static const char *language_tag_name(const char *tag, bool norwegian, char *buf, size_t cap)
{
	char lang[4];
	const char *dash = tag ? strchr(tag, '-') : NULL;

	if (!dash || dash - tag > 3 || strlen(dash + 1) != 2)
		return NULL;
	memcpy(lang, tag, (size_t)(dash - tag));
	lang[dash - tag] = '\0';
	const char *l = language_name(lang, norwegian), *c = country_name(dash + 1, norwegian);
	if (!l || !c || (size_t)snprintf(buf, cap, "%s (%s)", l, c) >= cap)
		return NULL;
	return buf;
}

/* And back: "persisk (Afghanistan)" or "Dari (Afghanistan)" to fa-AF and
 * prs-AF; NULL for anything else. */
/* s, canonicalised, is a valid language tag as it is. */
static bool language_is_code(const char *s)
{
	char t[64];
	size_t n = strlen(s);

	if (n >= sizeof t)
		return false;
	memcpy(t, s, n + 1);
	language_canonical(t);
	return valid_language(t) == NULL;
}

static const char *language_tag_by_name(const char *s, char out[16])
{
	const char *open = strstr(s, " (");
	size_t n = strlen(s);
	char lang[128], country[128];

	if (!open || n < 4 || s[n - 1] != ')' || (size_t)(open - s) >= sizeof lang ||
	    n - (size_t)(open - s) - 3 >= sizeof country)
		return NULL;
	memcpy(lang, s, (size_t)(open - s));
	lang[open - s] = '\0';
	memcpy(country, open + 2, n - (size_t)(open - s) - 3);
	country[n - (size_t)(open - s) - 3] = '\0';
	const char *l = language_by_name(lang), *c = country_by_name(country);
	if (!l || !c)
		return NULL;
	snprintf(out, 16, "%s-%s", l, c);
	return out;
}

const char *field_display_name(enum field_id f, const char *value, bool norwegian, char *buf,
                               size_t cap)
{
	const char *name = NULL;

	if ((unsigned)f < F_COUNT && field_catalogue[f].check == CHECK_COUNTRY)
		name = country_name(value, norwegian);
	else if ((unsigned)f < F_COUNT && field_catalogue[f].check == CHECK_LANGUAGE &&
	         !(name = language_name(value, norwegian)))
		name = language_tag_name(value, norwegian, buf, cap);
	return name ? name : field_display(f, value, norwegian, buf, cap);
}

static const char *normalise(const struct field_def *d, const char *in, size_t len, char *out,
                             size_t cap, size_t *outlen);

const char *field_normalise(enum field_id f, const char *in, size_t len, char *out,
                            size_t cap, size_t *outlen)
{
	*outlen = 0;
	if ((unsigned)f >= F_COUNT)
		return N_("internal error: no such field");
	return normalise(&field_catalogue[f], in, len, out, cap, outlen);
}

const char *item_normalise(enum item_field_id f, const char *in, size_t len, char *out,
                           size_t cap, size_t *outlen)
{
	*outlen = 0;
	if ((unsigned)f >= I_COUNT)
		return N_("internal error: no such field");
	return normalise(&item_catalogue[f].f, in, len, out, cap, outlen);
}

static const char *normalise(const struct field_def *d, const char *in, size_t len, char *out,
                             size_t cap, size_t *outlen)
{
	bool multiline = d->type == FT_LINES;
	const char *msg;
	size_t n = 0;

	*outlen = 0;
	if (cap == 0)
		return N_("internal error: no room");
	out[0] = 0;
	while (len && is_space(in[0]))
		in++, len--;
	while (len && is_space(in[len - 1]))
		len--;
	if (len > FIELD_MAX_BYTES)
		return N_("too long (at most 4096 bytes)");
	if (len + 8 > cap) /* room for the value, or for "false" */
		return N_("internal error: no room");
	if ((msg = valid_utf8_text(in, len, multiline)))
		return msg;
	/* CRLF becomes LF: one way to store a line break. */
	for (size_t i = 0; i < len; i++) {
		if (in[i] == '\r' && i + 1 < len && in[i + 1] == '\n')
			continue;
		out[n++] = in[i];
	}
	out[n] = 0;
	if (n == 0)
		return NULL; /* empty: the field is removed */

	switch (d->type) {
	case FT_DATE: {
		char iso[11];
		/* Norwegian Excel and people write 17.04.2001; files keep ISO. */
		if (!date_from_dotted(out) && !date_to_dotted(out, iso)) {
			msg = N_("must be a date written DD.MM.YYYY or YYYY-MM-DD");
			break;
		}
		msg = valid_date(out);
		if (!msg && d->check == CHECK_PAST_DATE && date_days(out) > st_now() / 86400)
			msg = N_("lies in the future");
		break;
	}
	case FT_BOOL: {
		const char *canon;
		msg = valid_bool(out, &canon);
		if (!msg)
			memcpy(out, canon, strlen(canon) + 1); /* cap >= 8 checked above */
		break;
	}
	case FT_ENUM: {
		int i = choice_match(d, out);
		if (i < 0 && d == &field_catalogue[F_status])
			i = status_alias(out);
		if (i >= 0 && strlen(d->choice[i].id) < cap)
			memcpy(out, d->choice[i].id, strlen(d->choice[i].id) + 1);
		msg = valid_choice(out, d->choices);
		break;
	}
	case FT_TEXT:
	case FT_LINES: {
		const char *code;
		char tag[16];
		switch (d->check) {
		case CHECK_NAME:
			msg = valid_name(out);
			break;
		case CHECK_USER:
			msg = store_user_name_valid(out) ? NULL : N_("not a valid user name");
			break;
		case CHECK_CODE:
			msg = valid_code(out);
			break;
		case CHECK_NATIONAL_ID:
			squeeze_spaces(out);
			msg = valid_national_id(out);
			break;
		case CHECK_DUF:
			squeeze_spaces(out);
			msg = valid_duf(out);
			break;
		case CHECK_COUNTRY:
			/* The form shows the name (field_display): read it back. */
			if ((code = country_by_name(out)))
				memcpy(out, code, 3); /* cap >= 8 checked above */
			upper_ascii(out);
			msg = valid_country(out);
			break;
		case CHECK_LANGUAGE:
			/* A code is the code, before any name: "en" is English, not
			 * the language named En (enc). */
			if (!language_is_code(out) &&
			    ((code = language_by_name(out)) || (code = language_tag_by_name(out, tag)))) {
				if (strlen(code) < cap)
					memcpy(out, code, strlen(code) + 1);
			}
			language_canonical(out);
			msg = valid_language(out);
			break;
		case CHECK_PHONE:
			phone_add_norway(out);
			msg = valid_phone(out);
			if (!msg)
				phone_normalise(out, out, cap);
			break;
		case CHECK_EMAIL:
			msg = valid_email(out);
			break;
		case CHECK_ORGNR:
			squeeze_spaces(out);
			msg = valid_orgnr(out);
			break;
		case CHECK_HOURS:
			msg = valid_hours(out);
			break;
		case CHECK_MONTHS:
			msg = valid_months(out);
			break;
		case CHECK_CASE_ID:
			msg = valid_case_id(out);
			break;
		case CHECK_ACCOUNT:
			squeeze_spaces(out);
			squeeze_dots(out);
			msg = valid_account(out);
			break;
		case CHECK_AMOUNT:
			squeeze_spaces(out);
			msg = valid_amount(out);
			break;
		case CHECK_CODELIST:
			msg = valid_code_id(out);
			break;
		default:
			msg = NULL;
			break;
		}
		break;
	}
	}
	if (msg) {
		/* Not keys_wipe: pure code links without libsodium. */
		explicit_bzero(out, cap);
		return msg;
	}
	*outlen = strlen(out);
	return NULL;
}

/* Health staff's own duty of confidentiality, and that a person has a
 * protected address at all. */
bool class_masked(enum key_class c)
{
	return c == KC_HEALTH || c == KC_PROTECTED;
}

bool field_def_masked(const struct field_def *d)
{
	if (class_masked(d->cls))
		return true;
	switch (d->check) {
	case CHECK_NATIONAL_ID:
	case CHECK_DUF:
	case CHECK_PHONE:
	case CHECK_EMAIL:
		return true;
	default:
		return d->cls == KC_CONTACT && d->type == FT_LINES; /* an address */
	}
}

bool field_masked(enum field_id f)
{
	return (unsigned)f < F_COUNT && field_def_masked(&field_catalogue[f]);
}

bool item_masked(enum item_field_id f)
{
	return (unsigned)f < I_COUNT && field_def_masked(&item_catalogue[f].f);
}
