/*
 * store: the case store. The only folder that includes <lmdb.h>.
 *
 * A store is a directory holding LMDB's data.mdb and lock.mdb. Every personal
 * field is a separate envelope (keys.h) bound to its record, field number and
 * write counter; the clear record header (status, version, caseworker, write
 * counters) is authenticated under the record class. Transactions are short and
 * never span user input: every call here reads or writes, copies out, and ends.
 *
 * Functions return a mappe_status (the command-line exit codes) and leave
 * what went wrong as data in store_fault(): a code of store/errors.def and its
 * arguments (case, field, line, ...), never personal data. The UI translates
 * it (store_fault_format with its gettext); store_error() is the English text.
 */
#ifndef MAPPE_STORE_H
#define MAPPE_STORE_H

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "keys/keys.h"

enum mappe_status {
	M_OK = 0,
	M_USAGE = 1,
	M_AUTH = 2,
	M_INTEGRITY = 3,
	M_CONFLICT = 4,
	M_INPUT = 5,
	M_UNAVAILABLE = 6,
};

/* ---- the field catalogue (fields.def) ---------------------------------- */

enum field_type { FT_TEXT, FT_LINES, FT_DATE, FT_BOOL, FT_ENUM };

enum field_check {
	CHECK_NONE,        /* only the type's own rule (enum choice, bool, UTF-8) */
	CHECK_TEXT,        /* printable UTF-8 */
	CHECK_NAME,        /* a person's name: letters, marks, spaces, - ' . */
	CHECK_USER,        /* a mappe user name */
	CHECK_CODE,        /* a short reference: letters, digits, - _ / */
	CHECK_DATE,        /* an ISO date that exists */
	CHECK_PAST_DATE,   /* an ISO date that exists and is not in the future */
	CHECK_NATIONAL_ID, /* fødselsnummer or D-number, mod-11 check digits */
	CHECK_DUF,         /* 12 digits */
	CHECK_COUNTRY,     /* ISO 3166-1 alpha-2 */
	CHECK_PHONE,       /* E.164 */
	CHECK_EMAIL,
	CHECK_LANGUAGE, /* BCP 47: ISO 639-1 or 639-3, script, region */
	CHECK_ORGNR,    /* a Norwegian organisation number: 9 digits, mod-11 */
	CHECK_HOURS,    /* hours per week: 0 to 168, at most one decimal (37.5) */
	CHECK_MONTHS,   /* a whole number of months, 0 to 120 */
	CHECK_CASE_ID,  /* a case id: a whole number from 1 */
	CHECK_ACCOUNT,  /* a Norwegian bank account: 11 digits, mod-11 */
	CHECK_AMOUNT,   /* kroner: digits, with øre after a comma or point (1234,50) */
	CHECK_CODELIST, /* a code of an IMDi code table (codes.def; the store checks it is in the table in force) */
};

#define FIELD_GROUPS(X)                                                                            \
	X(CASE, "Sak", "Case")                                                                     \
	X(PERSON, "Person", "Person")                                                              \
	X(HOUSEHOLD, "Husstand", "Household")                                                      \
	X(CONTACT, "Kontakt", "Contact")                                                           \
	X(PROTECTION, "Skjerming", "Protection")                                                   \
	X(HEALTH, "Helse", "Health")                                                               \
	X(SETTLEMENT, "Bosetting", "Settlement")                                                   \
	X(FINANCE, "Økonomi", "Finance")                                                           \
	X(PROGRAMME, "Introduksjonsprogram", "Introduction programme")

enum field_group {
#define FIELD_GROUP_ENUM(name, nb, en) GROUP_##name,
	FIELD_GROUPS(FIELD_GROUP_ENUM)
#undef FIELD_GROUP_ENUM
	GROUP_COUNT,
};

enum field_id {
#define FIELD(id, num, type, cls, check, choices, group, flags, nb, en) F_##id,
#include "store/fields.def"
#undef FIELD
	F_COUNT,
};

/* The case statuses of store/statuses.def; the number is the header byte. */
enum case_status {
#define CASE_STATUS_ENUM(id, num, nb, en) STATUS_##id = num,
	CASE_STATUSES(CASE_STATUS_ENUM)
#undef CASE_STATUS_ENUM
	STATUS_COUNT,
};

/* Status s's place in the lifecycle (STATUS_ORDER), from 0; -1 if none. */
int status_rank(int s);
/* The status at that place, -1 if none. */
int status_by_rank(int rank);
/* Whether a case may go from status `from` to `to` (STATUS_STEPS; staying
 * is no step and always allowed). from -1: a new case, which may start in
 * any status. */
bool status_step_allowed(int from, int to);
/* Every status in lifecycle order, those a case in status `from` may be
 * saved in (itself and its steps) first: out[0..return) are those, the
 * rest follow. from -1: all of them, in order. */
int status_choices(int from, int out[STATUS_COUNT]);

/* fields.def's flags column: see there. */
enum field_flag {
	FLAG_INDEXED = 1 << 0,
	FLAG_LIST = 1 << 1,
	FLAG_DEADLINE = 1 << 2,
};

/* The field the blind index holds: the one FLAG_INDEXED field of
 * fields.def. Its entries carry no field number, so there is exactly one;
 * a second would need a new index format. */
enum {
#define FIELD(id, num, type, cls, check, choices, group, flags, nb, en)                              \
	+(((flags) & FLAG_INDEXED) ? F_##id : 0)
	NID_FIELD_SUM_ = 0
#include "store/fields.def"
#undef FIELD
};
_Static_assert(0
#define FIELD(id, num, type, cls, check, choices, group, flags, nb, en) +!!((flags) & FLAG_INDEXED)
#include "store/fields.def"
#undef FIELD
                   == 1,
               "fields.def: exactly one field is FLAG_INDEXED");
#define NID_FIELD ((enum field_id)NID_FIELD_SUM_)

/* One value of an FT_ENUM field (fields.def). */
struct field_choice {
	const char *id; /* stored, exchanged and validated */
	unsigned number;
	const char *label_nb;
	const char *label_en;
};

struct field_def {
	const char *id;
	uint16_t number;
	enum field_type type;
	enum key_class cls;
	enum field_check check;
	const char *choices;              /* FT_ENUM: "id|id|...", else NULL */
	const struct field_choice *choice; /* FT_ENUM: the values, ending with id NULL */
	int codes; /* CHECK_CODELIST: its code table + 1 (enum code_table), else 0 */
	enum field_group group;
	unsigned flags; /* enum field_flag */
	const char *label_nb;
	const char *label_en;
};

extern const struct field_def field_catalogue[F_COUNT];

/* Look up by id (CSV header, JSON key); -1 if unknown. */
int field_by_id(const char *id, size_t len);
int field_by_number(unsigned number);
const char *field_group_label(enum field_group g, bool norwegian);
const char *field_label(enum field_id f, bool norwegian);
/* The field carries flag (FLAG_*) in fields.def. */
bool field_has(enum field_id f, enum field_flag flag);
/* Privacy mode (home visits): whether the screens mask a value until it is
 * revealed. From the catalogue alone: every field of the health and the
 * protected class, and the fields that identify or reach the person
 * (national id, DUF number, phone, e-mail: by their check; the addresses:
 * the contact class's multi-line fields). An item field likewise; a
 * deadline by the class it belongs to (a TB examination due is health). */
bool field_def_masked(const struct field_def *d);
/* A class whose every value privacy mode masks (health, protected). */
bool class_masked(enum key_class c);
bool field_masked(enum field_id f);
/* An FT_ENUM field's values: how many (0 for other fields), which one has
 * this id (-1 if none), and how the screens show value i ("?" if none). */
int field_choice_count(enum field_id f);
int field_choice_find(enum field_id f, const char *id, size_t len);
const char *field_choice_label(enum field_id f, int i, bool norwegian);
/* A stored value as people read it, for the screens and show's text: an
 * enum by its label, a boolean as ja/nei (yes/no), a date as DD.MM.YYYY in
 * Norwegian, a Norwegian phone number and a national id in groups
 * (+47 912 34 567, 010190 12345). Returns value itself, or buf (cap >= 32)
 * holding the text; a value it does not recognise is returned as it is.
 * field_normalise takes every such text back to the stored value: CSV,
 * JSON and the store keep ids, true/false and ISO dates. */
const char *field_def_display(const struct field_def *d, const char *value, bool norwegian,
                              char *buf, size_t cap);
const char *field_display(enum field_id f, const char *value, bool norwegian, char *buf,
                          size_t cap);
/* The same, and a country or language code by its name (Syria, arabisk):
 * for the screens; field_normalise reads the names back. */
const char *field_display_name(enum field_id f, const char *value, bool norwegian, char *buf,
                               size_t cap);

/* ---- lists inside a case (lists.def; their item fields in fields.def) ---- */

enum list_id {
#define LIST(id, num, cls, nb, en) L_##id,
#include "store/lists.def"
#undef LIST
	L_COUNT,
};

enum item_field_id {
#define ITEM(list, id, num, type, cls, check, choices, flags, nb, en) I_##list##_##id,
#include "store/fields.def"
#undef ITEM
	I_COUNT,
};

struct list_def {
	const char *id;
	uint16_t number;
	enum key_class cls; /* holds the list's item markers and highest id */
	const char *label_nb;
	const char *label_en;
};

/* An item field: a field_def (its group unused) and the list it belongs to. */
struct item_def {
	struct field_def f;
	enum list_id list;
};

extern const struct list_def list_catalogue[L_COUNT];
extern const struct item_def item_catalogue[I_COUNT];

int list_by_id(const char *id, size_t len);
int list_by_number(unsigned number);
const char *list_label(enum list_id l, bool norwegian);
/* An item field of list l by its id within the list; -1 if none. */
int item_field_by_id(enum list_id l, const char *id, size_t len);
int item_field_by_number(unsigned number);
/* The classes list l's items use (the list's own and its fields'). */
key_classes list_classes(enum list_id l);
/* field_normalise for an item field. */
const char *item_normalise(enum item_field_id f, const char *in, size_t len, char *out,
                           size_t cap, size_t *outlen);

/* The longest value a field may hold, in bytes. */
#define FIELD_MAX_BYTES 4096
#define NOTE_MAX_BYTES 65536

/* The birth date (ISO) a valid national id or D-number holds, for the
 * screens' cross-check with the birth date field; false if it holds none. */
bool national_id_birth_date(const char *s, char out[11]);

/* ---- rules of law, dated (store/rules.def) ------------------------------ */

enum regime {
	REGIME_ANY = 0,
#define X(id, num, nb, en) REGIME_##id = (num) + 1,
#include "store/rules.def"
	REGIMES(X)
#undef X
	REGIME_COUNT
};

enum rule_id {
#define RULE(id, unit, what) RULE_##id,
#include "store/rules.def"
#undef RULE
	RULE_COUNT
};

enum rule_unit { RU_DAYS, RU_MONTHS, RU_YEARS, RU_COUNT, RU_KRONER };
/* RV_SET: an administrator's correction (mappe rules set), with the source
 * they gave. */
enum rule_verified { RV_VERIFIED, RV_UNVERIFIED, RV_SET };

struct rule_row {
	enum rule_id rule;
	enum regime regime;
	const char *from; /* the first day in force, YYYY-MM-DD */
	long value;
	enum rule_verified verified;
	const char *source; /* domain-rules.md's tag and the provision */
	const char *set_by; /* RV_SET: who, and when (seconds); else NULL, 0 */
	int64_t set_at;
};

struct rule_def {
	const char *id;
	enum rule_unit unit;
	const char *what; /* English; translated where shown */
};

extern const struct rule_def rule_catalogue[RULE_COUNT];
/* Every row in force at some time, in rules.def's order. */
extern const struct rule_row rule_rows[];
extern const size_t rule_row_count;

/* A set of rows: rules.def's (rule_at), or those with an administrator's
 * corrections (store_rules). */
struct rule_set {
	const struct rule_row *row;
	size_t n;
	void *mem; /* store_rules: what row points into */
};

/* The row of rule r in force on day (days since 1970-01-01) for regime g:
 * of g's own rows the one with the latest date that has come, else of the
 * REGIME_ANY rows; of two with one date, the later in the set (a correction
 * over the row it corrects); NULL when none is in force yet.
 * rule_at reads rules.def's rows alone. */
const struct rule_row *rule_set_at(const struct rule_set *s, enum rule_id r, enum regime g,
                                   long day);
const struct rule_row *rule_at(enum rule_id r, enum regime g, long day);
/* rule_at's value, or fallback when no row is in force. */
long rule_value(enum rule_id r, enum regime g, long day, long fallback);
/* An ISO date as people read it: DD.MM.YYYY in Norwegian, as it is in
 * English (and for anything that is not an ISO date). */
const char *date_for_people(const char *iso, bool norwegian, char out[11]);
/* Calendar arithmetic on days since 1970-01-01: months later (or earlier),
 * a day past the end of the month landing on its last day (31 January and
 * one month is 28 or 29 February); and a day as YYYY-MM-DD. */
long date_add_months(long day, long months);
void date_iso(long day, char out[11]);
/* A valid YYYY-MM-DD as days since 1970-01-01; LONG_MIN for anything else. */
long date_days(const char *s);
/* A date typed as YYYY-MM-DD or DD.MM.YYYY (D.M.YYYY) into out as ISO;
 * NULL, or a fixed reason (N_) why it is not a date. */
const char *date_normalise(const char *in, char out[11]);
/* A rule by its id ("age_max"), or -1. */
int rule_parse(const char *id);
/* The regime's stored id ("integreringsloven"), "" for REGIME_ANY, or -1 by
 * name (regime_parse). */
const char *regime_name(enum regime g);
int regime_parse(const char *s);

/* ---- deadlines (domain.md; deadlines.c) --------------------------------- */

/*
 * X(id, class, label_nb, label_en): every deadline of domain.md, once; the
 * class is the one a user must hold to be shown it (health deadlines for
 * health staff only).
 */
#define DEADLINES(X)                                                                               \
	X(tb_screening, KC_HEALTH, "Tuberkuloseundersøkelse", "TB examination")                    \
	X(health_check, KC_HEALTH, "Helseundersøkelse tilbys", "Health check offered")             \
	X(mapping, KC_PROGRAMME, "Kompetansekartlegging", "Competence mapping")                    \
	X(programme_decision, KC_PROGRAMME, "Vedtak om introduksjonsprogram", "Programme decision") \
	X(eligibility_lapse, KC_PROGRAMME, "Retten til program faller bort",                        \
	  "The right to a programme lapses")                                                       \
	X(plan_contract, KC_PROGRAMME, "Integreringsplan og kontrakt", "Integration plan and contract") \
	X(plan_review, KC_PROGRAMME, "Revisjon av integreringsplanen", "Review of the plan")         \
	X(extension_assessment, KC_PROGRAMME, "Vurder forlengelse", "Assess an extension")           \
	X(norwegian_completion, KC_PROGRAMME, "Norskopplæringen fullført",                          \
	  "Norwegian training completed")                                                          \
	X(nir_registration, KC_PROGRAMME, "Registrering i NIR", "Registration in NIR")               \
	X(stop_expiry, KC_PROGRAMME, "Midlertidig stans utløper", "Temporary stop ends")             \
	X(end_record, KC_PROGRAMME, "Avslutning registrert i NIR", "End of programme in NIR")

enum deadline_id {
#define X(id, cls, nb, en) DL_##id,
	DEADLINES(X)
#undef X
	DL_COUNT
};

const char *deadline_id_name(enum deadline_id d);
const char *deadline_label(enum deadline_id d, bool norwegian);
enum key_class deadline_class(enum deadline_id d);
/* Privacy mode's masks (field_masked above) for an item field and a deadline. */
bool item_masked(enum item_field_id f);
bool deadline_masked(enum deadline_id d);
int deadline_parse(const char *s);

/* No date: the value deadlines_compute reads for an empty date. */
#define DAY_NONE LONG_MIN

/* What the deadlines are computed from: a case's own dates (days since
 * 1970-01-01, DAY_NONE when empty) and facts. The store fills it from a
 * case (case_deadline_facts); the rules are pure over it. */
struct deadline_facts {
	enum regime regime;
	long birth_date, arrival_norway, permit_granted;
	long settlement_date, first_settlement_with_permit, programme_claim;
	bool settled_by_agreement;
	long mapping_done, programme_decision, programme_start, programme_end;
	long plan_date, contract_date, plan_reviewed, ended;
	long extension_months; /* -1: none decided */
	int upper_secondary;   /* 1 with, 0 without, -1 not known */
	bool tb_not_due;       /* tb_status says done, done before settlement or not required */
	long tb_screening, health_check;
	long health_check_offered; /* the duty is the offer: either meets it */
	bool in_programme;     /* in_programme, on_leave or stopped */
	bool programme_over;   /* completed, broken_off, moved or closed */
	long leave_days;       /* approved leave, which extends the programme's clocks */
	long stop_from, stop_to; /* the temporary stop in force */
	/* The earliest registrable event before the end (the end has
	 * end_record) dated after nir_registered, or the earliest of all when
	 * that is empty: the NIR deadline of the case is the first one due,
	 * as mappe report nir lists them. */
	long nir_unregistered;
	long nir_registered;   /* when the case was last brought up to date in NIR */
};

struct deadline {
	enum deadline_id id;
	long due; /* days since 1970-01-01 */
};

/* The soonest of d[0, n) into out (of those due the same day, the first in
 * DEADLINES order); false when n is 0. */
bool deadline_next(const struct deadline *d, size_t n, struct deadline *out);

/* The introduction stipend on a day (intl. § 20): the full rate is
 * stipend_g times the G in force; under stipend_young_age, the thirds of it
 * for one living with a parent or not. Computed, never typed. */
struct stipend {
	long g;      /* the grunnbeløp in force on the day, kroner a year */
	int thirds;  /* of the full rate: 3 full, 2 or 1 for the young */
	long annual; /* kroner a year, rounded down */
	bool young;  /* under the age limit on the day */
};
/* -1 when the birth date is not known, the young one's household is not
 * (lives_with_parent: 1, 0, or -1 not known), or no G is in force. */
int stipend_on(const struct rule_set *rs, long birth, int lives_with_parent, enum regime g,
               long day, struct stipend *out);

/* A case's stipend on a day, from its birth date, lives_with_parent and
 * regime as the user may read them, with what it rests on and when it
 * changes next. */
struct case_stipend {
	struct stipend now;
	long g_from;      /* the day the G in force came in */
	long stipend_g;   /* the full rate, in G a year */
	long young_age;   /* under this age the rate is reduced */
	int with_parent;  /* 1, 0, or -1 not known (then only when not young) */
	long next;        /* the first later day the rate changes (a birthday, a
	                   * new G or rule row), while the programme lasts:
	                   * DAY_NONE when none is known by its planned end, or
	                   * it has ended */
	long next_annual; /* the rate from that day */
	const char *why;  /* on -1: what is missing (a fixed English N_ reason) */
};
struct case_rec;
/* 0, or -1 with why: the birth date or (for the young) the household not
 * known or not readable, or no G in force. */
int case_stipend(const struct case_rec *c, const struct rule_set *rs, long day,
                 struct case_stipend *out);

/* A due day seen from today: overdue when due before today, soon when due
 * within soon_days (rules.def soon_days: 7), else later. */
enum deadline_state { DS_LATER, DS_SOON, DS_OVERDUE };
enum deadline_state deadline_state_on(long due, long today, long soon_days);

/* The deadlines that apply to the person and are not met, at most one of
 * each, in DEADLINES order; returns how many it wrote to out. */
size_t deadlines_compute(const struct deadline_facts *f, const struct rule_set *rules,
                         struct deadline out[DL_COUNT]);

/* Today, as days since 1970-01-01 in the local time zone: what the date
 * rules read (the national-id scheme in force, deadlines). MAPPE_TODAY
 * (YYYY-MM-DD) sets it for tests and for trying a rule change ahead (not
 * under setgid); it moves no timestamp the store writes. */
long st_today(void);

/* Validate and normalise one value (trim, canonical bool/date/phone). An
 * enum takes its id or either label (fields.def, ASCII letters in any case)
 * and stores the id; a date YYYY-MM-DD or DD.MM.YYYY (D.M.YYYY) and stores
 * YYYY-MM-DD; a phone number E.164, or 8 digits (or 0047 and 8), taken as
 * Norwegian and stored +47...; whatever the language of the session, so
 * that a file from a Norwegian spreadsheet imports as it is. Writes the
 * normalised value to out (cap >= len + 8, NUL-terminated). Returns NULL when
 * valid, else a fixed English reason (N_: a {why}, translated where shown)
 * that never quotes the value. */
const char *field_normalise(enum field_id f, const char *in, size_t len, char *out,
                            size_t cap, size_t *outlen);

/* ---- errors (store/errors.def) ------------------------------------------ */

/* A fixed reason, translated where shown ({why}; xgettext finds it). */
#if !defined(N_) && !defined(MAPPE_XGETTEXT) /* make po leaves N_ for xgettext */
#define N_(s) (s)
#endif

enum store_code {
#define ERR(code, status, msg) E_##code,
#include "store/errors.def"
#undef ERR
	E_COUNT,
};

/* A failure: its code and the arguments its message names. Which arguments
 * mean something depends on the code (its message in errors.def says); the
 * others are 0 or "". Nothing here is personal data. */
struct store_fault {
	enum store_code code;
	uint64_t record;         /* {case}: a case id */
	int field;               /* {field}: an enum field_id */
	int item;                /* {item}: an enum item_field_id */
	int list;                /* {list}: an enum list_id */
	int cls;                 /* {class}: an enum key_class */
	int role;                /* {role}: an enum key_role */
	unsigned line;           /* {line}: a line of an input file, from 1 */
	unsigned long long n, m; /* {n} {m}: counts, note numbers, epochs, columns */
	const char *why;         /* {why}: a fixed reason (field_normalise, CSV, JSON) */
	char name[64];           /* {name}: a user, role or JSON member name */
	char what[32];           /* {what}: the table or step LMDB failed in */
	char file[256];          /* {file}: an input file as the user named it */
	char dir[256];           /* {dir}: the store directory */
	char detail[512];        /* {detail}: the system's or LMDB's own words */
};

/* The exit status a code means, and its English message with {arguments}. */
enum mappe_status store_code_status(enum store_code c);
const char *store_code_message(enum store_code c);
/* The message names its case ({case}): a report need not say it again. */
bool store_code_names_case(enum store_code c);
/* Write f's message to out (always NUL-terminated); tr, if given, translates
 * the message and the {why} and {class} words (gettext). Returns the length
 * it needed, as snprintf. */
typedef const char *(*store_translate)(const char *msgid);
size_t store_fault_format(const struct store_fault *f, store_translate tr, char *out, size_t cap);

/* ---- the store ---------------------------------------------------------- */

typedef struct store store;

struct store_options {
	size_t map_size;         /* initial map size; 0 for the default */
	const struct keys_kdf *kdf; /* for new keyslots; NULL for the default */
};

/* Create a store in dir (made if missing, must be empty) with its first
 * administrator. The passphrase is wiped by the caller. */
int store_create(const char *dir, const char *admin, const char *pass, size_t passlen,
                 const struct store_options *opt, struct store_fault *fault);

/* On failure *fault (if not NULL) says why: there is no store to ask. */
int store_open(const char *dir, const struct store_options *opt, store **out,
               struct store_fault *fault);
void store_close(store *st);
/* Clear reader slots left by killed processes (store.md 2): call now and
 * then from long-running sessions; cheap. */
void store_maintain(store *st);
/* A number that moves whenever any process commits a write to the store
 * (LMDB's last committed transaction id): read without a transaction and
 * without a lock, cheap enough for a timer between keys. The same value
 * again: nothing was written in between. 0 for no store. */
uint64_t store_generation(const store *st);
/* The last failure of a call on st, and its English message. */
const struct store_fault *store_fault(const store *st);
const char *store_error(const store *st);
const char *store_dir(const store *st);
/* Some decrypted data or key of this process is in memory that could not be
 * locked (RLIMIT_MEMLOCK): it may reach swap. Logged to syslog once; the
 * program warns its user once. */
bool store_memory_unlocked(void);

/* A store written by an older mappe (store_schema below the current one)
 * opens, but refuses every login until an administrator runs mappe upgrade:
 * store_allow_upgrade before store_unlock, then store_upgrade, which calls
 * report for every user record it signs (the administrator checks the list:
 * a record planted in an old store would be signed too). */
#define STORE_SCHEMA_CURRENT 9 /* the format this mappe writes (private.h: history) */
void store_allow_upgrade(store *st);
uint32_t store_schema(const store *st);
int store_upgrade(store *st, void (*report)(void *ctx, const char *name, enum key_role role),
                  void *ctx);

/* Store format 5 (one sealed envelope per class inside each case) replaced
 * format 4 (one envelope per field) at schema 6. A store opened from schema
 * 5 keeps working, its cases in both formats, until an administrator runs
 * store_migrate: online, in batches of `batch` cases (0: 200), each one
 * short write transaction with its resume point, then a rotation of the
 * record class, which retires the key the old headers were MACed under;
 * killed, run it again. */
struct store_migration {
	bool pending;    /* format-4 cases may remain */
	uint64_t cursor; /* the next case id to move */
	uint64_t done;   /* cases looked at by this call */
	uint64_t total;  /* cases in the store */
	uint64_t failed; /* the case a failure stopped at, or 0 */
	bool moved;      /* every case moved; the record class rotation is left */
};
int store_migration_get(store *st, struct store_migration *out);
int store_migrate(store *st, size_t batch,
                  void (*progress)(void *ctx, const struct store_migration *m), void *ctx);

/* Unlock as user: opens the keyslot and every grant. M_AUTH for an unknown
 * user or a wrong passphrase alike. */
int store_unlock(store *st, const char *user, const char *pass, size_t passlen);
const char *store_user(const store *st);
/* A login to the screens (not every command, not the unlock after an idle
 * lock): records its time for the user's next one, and keeps the time of
 * the one before, which store_previous_login gives (the user's enrolment
 * when none is known; 0 before store_login_note). */
int store_login_note(store *st);
int64_t store_previous_login(const store *st);
/* Call fn(ctx) when an unlock has to wait for a turn at Argon2id because
 * other logins on the host hold the slots (NULL: none). */
void store_on_kdf_wait(store *st, void (*fn)(void *ctx), void *ctx);
/* Forget the keys (idle lock); store_unlock as the same user again. */
void store_lock(store *st);
enum key_role store_role(const store *st);
bool store_must_change_passphrase(const store *st);
bool store_can_read(const store *st, enum key_class c);

/* ---- the rules with an administrator's corrections (ruleset.c) ----------- */

/* rules.def's rows, then every correction (in date order). */
int store_rules(store *st, struct rule_set *out);
void rule_set_free(struct rule_set *s);
/* A correction: from `from` on, rule r is value for regime g (REGIME_ANY:
 * every regime without rows of its own), as source (the provision or
 * decision, 1-200 bytes) says. Administrators; sealed like the code tables.
 * Rows are never removed: a wrong correction is corrected by another. */
int store_rule_correct(store *st, enum rule_id r, enum regime g, const char *from, long value,
                       const char *source);

/* ---- reading many cases (scan.c) ---------------------------------------- */

struct case_rec;

/* What a scan sees of a case before it decrypts anything: its clear
 * header, and the time it was assigned from its sealed table. */
struct store_case_head {
	uint64_t id;
	int status; /* enum case_status */
	const char *caseworker;
	int64_t assigned_at;
};

/* Every case in id order (or the cases ids[0, nids) alone, passing over one
 * gone since), a read transaction per batch. pick, when set, sees the head
 * and says whether to read the case; of it, only the fields want names
 * (NULL: every field and every list) and the lists in the mask lists
 * (1u << list_id) are decrypted, as the user may read them. fn gets each
 * case read, once, even when the transaction loop runs a batch again (pick
 * may then see a case twice); fn's non-zero return stops the scan and is
 * what this returns. A case that fails to authenticate is passed over and
 * counted in broken: it is mappe check's to report. A batch is batch
 * cases (0: 256, the most); between, when set, runs after each batch's
 * read transaction has ended, where a caller writes out what it gathered:
 * a callback that blocks on I/O inside the transaction (a pipe nobody
 * reads) would keep LMDB from reusing the pages colleagues' saves free.
 * Its non-zero return stops the scan and is returned. */
struct store_scan {
	const bool *want;
	uint32_t lists;
	const uint64_t *ids;
	size_t nids;
	bool (*pick)(void *ctx, const struct store_case_head *h);
	int (*fn)(void *ctx, const struct case_rec *c);
	int (*between)(void *ctx);
	size_t batch;
	void *ctx;
	size_t broken; /* out */
};
int store_scan(store *st, struct store_scan *s);

/* ---- deadlines of the cases (report.c) ---------------------------------- */

struct case_rec;

/* A case's facts for deadlines_compute: its dates, status, regime, leave
 * and stops; a field the user cannot read counts as empty. */
void case_deadline_facts(const struct case_rec *c, struct deadline_facts *f);
/* For each case of the user's caseload (every case with all: leads and
 * administrators) that has deadlines not met, the case (as the user may
 * read it) and them; a deadline of a class the user does not hold (health)
 * is left out. fn returns non-zero to stop; that is what this returns. */
typedef int (*store_deadline_fn)(void *ctx, const struct case_rec *c, const struct deadline *d,
                                 size_t n);
int store_deadlines(store *st, bool all, store_deadline_fn fn, void *ctx);
/* The same for the cases ids[0, n) alone (those of them in the caseload,
 * with all every one; a case gone since is passed over): My day reads only
 * the cases the search index says have something due. */
int store_deadlines_of(store *st, bool all, const uint64_t *ids, size_t n, store_deadline_fn fn,
                       void *ctx);
/* Every case of the user's caseload that another user assigned to them
 * at `since` or after (case_rec.assigned_at; store_previous_login: a
 * case assigned in the second of that login is new still), with its
 * names only, in id order; fn's non-zero return stops the scan and is
 * returned. */
typedef int (*store_assigned_fn)(void *ctx, const struct case_rec *c);
int store_assigned_since(store *st, int64_t since, store_assigned_fn fn, void *ctx);

/* ---- registrable events not yet in NIR (nir.c) --------------------------- */

/*
 * X(id, field, list, item, label_nb, label_en): every event a case records
 * that the municipality registers in NIR (domain-rules.md 3.1), once: a
 * date field (list L_COUNT), or the decision date of each item of a list
 * (field F_COUNT). The end is last: its own deadline (end_record); the
 * others are the ones nir_registration reads.
 */
#define NIR_EVENTS(X)                                                                              \
	X(programme_decision, F_programme_decision, L_COUNT, I_COUNT, "Vedtak om program",         \
	  "Programme decision")                                                                    \
	X(programme_start, F_programme_start, L_COUNT, I_COUNT, "Programstart", "Programme start") \
	X(mapping, F_mapping_done, L_COUNT, I_COUNT, "Kompetansekartlegging", "Competence mapping")  \
	X(career_guidance, F_career_guidance, L_COUNT, I_COUNT, "Karriereveiledning",               \
	  "Career guidance")                                                                       \
	X(contract, F_contract_date, L_COUNT, I_COUNT, "Integreringskontrakt", "Integration contract") \
	X(life_skills, F_life_skills_done, L_COUNT, I_COUNT, "Livsmestring fullført",               \
	  "Life skills course done")                                                               \
	X(parenting_course, F_parenting_course_done, L_COUNT, I_COUNT, "Foreldreveiledning fullført", \
	  "Parenting course done")                                                                 \
	X(leave, F_COUNT, L_leave, I_leave_decision_date, "Vedtak om permisjon", "Leave decision")   \
	X(stop, F_COUNT, L_stops, I_stops_decision_date, "Vedtak om stans", "Stop decision")        \
	X(end, F_ended, L_COUNT, I_COUNT, "Avslutning", "End of the programme")

enum nir_event_id {
#define X(id, field, list, item, nb, en) NE_##id,
	NIR_EVENTS(X)
#undef X
	NE_COUNT
};

const char *nir_event_name(enum nir_event_id e); /* the id, for JSON */
const char *nir_event_label(enum nir_event_id e, bool norwegian);
/* The fields and lists the events are read from, added to want and lists. */
void nir_event_want(bool want[F_COUNT], uint32_t *lists);
/* Each event the case records (as the user may read it), in NIR_EVENTS
 * order, an item's in item order; fn's non-zero return stops it and is
 * returned. */
typedef int (*nir_event_fn)(void *ctx, enum nir_event_id e, long day);
int case_nir_events(const struct case_rec *c, nir_event_fn fn, void *ctx);

/* An event's deadlines by the rules in force on its day for the regime: due
 * nir_months after it; the yearly close nir_close_months after the end of
 * its year (the end of February of the next year). An event older than the
 * rule's first row is judged by that row; DAY_NONE when it has none. */
long nir_due_on(const struct rule_set *rs, enum regime g, long day);
long nir_close_on(const struct rule_set *rs, enum regime g, long day);

/* An event not registered: dated after the case's nir_registered, or any
 * when it is empty. */
struct nir_pending {
	enum nir_event_id event;
	long date, due, close;
};
/* For each case with events not registered, the case (its names, caseworker,
 * nir_registered, end_reason and main_activity_at_end as the user may read
 * them; nothing of the health class) and its events by due, then by
 * NIR_EVENTS order. Leads and administrators. unreadable (may be NULL): the
 * cases passed over because they do not authenticate (mappe check). fn's
 * non-zero return stops the scan and is returned. */
typedef int (*store_nir_fn)(void *ctx, const struct case_rec *c, const struct nir_pending *p,
                            size_t n);
int store_nir_pending(store *st, store_nir_fn fn, void *ctx, size_t *unreadable);

/* ---- code tables IMDi owns (store/codes.def; codes.c) ------------------- */

enum code_table {
#define CODE_TABLE(id, nb, en) CT_##id,
#include "store/codes.def"
#undef CODE_TABLE
	CT_COUNT
};

struct code_row {
	const char *code, *label_nb, *label_en;
};

/* One version of a table: loaded by an administrator, or mappe's
 * provisional default (provisional, loaded 0) until one is. */
struct code_list {
	enum code_table table;
	char version[33];
	int64_t loaded; /* seconds since the epoch; 0 for the default */
	char loaded_by[64];
	bool provisional;
	size_t n;
	struct code_row *row;
	char *mem; /* what row points into; NULL for the default */
};

const char *code_table_id(enum code_table t);
const char *code_table_label(enum code_table t, bool norwegian);
int code_table_parse(const char *s, size_t len);
/* The label of code in l, or NULL if l has no such code. */
const char *code_list_label(const struct code_list *l, const char *code, bool norwegian);
void code_list_free(struct code_list *l);
void code_lists_free(struct code_list *l, size_t n);
/* The version in force: the one loaded last, else the provisional default. */
int store_codes_current(store *st, enum code_table t, struct code_list *out);
/* Every version, the one in force first, the provisional default last
 * (free with code_lists_free). */
int store_codes_versions(store *st, enum code_table t, struct code_list **out, size_t *n);
/* The label of code in the newest version of table t that has it (a code a
 * later version dropped keeps its label); -1, out "", when none has it. */
int store_code_label(store *st, enum code_table t, const char *code, bool norwegian, char *out,
                     size_t cap);
/* Load a file of code tables (docs/rules.md: CSV of table, version, code,
 * label_nb, label_en; one version of each table it names), all or nothing.
 * Administrators. loaded[t]: table t got a new version (false for one the
 * store had already, row for row). buf is parsed in place (len + 1 bytes). */
int store_codes_load(store *st, const char *file, char *buf, size_t len, bool loaded[CT_COUNT]);

/* ---- users -------------------------------------------------------------- */

struct store_user_info {
	char name[64];
	enum key_role role;
	key_classes classes; /* classes with a grant at the active epoch */
	bool must_change;
	bool revoked;
	int64_t created;
	uint32_t pin; /* the authority epoch their keyslot trusts (see below) */
};

int store_user_add(store *st, const char *name, enum key_role role, const char *pass,
                   size_t passlen);
int store_user_list(store *st, struct store_user_info **out, size_t *n);
int store_passwd(store *st, const char *oldpass, size_t oldlen, const char *newpass,
                 size_t newlen);
bool store_user_name_valid(const char *name);

/* ---- the life of a key (security.md: rotation and revocation) ------------ */

/* Mark NAME revoked, wipe their keyslot and delete their grants. *held gets
 * the classes they may have had in memory: rotate each of them next; and
 * *authority (if not NULL) whether they held the authority key too: then
 * store_rotate_authority first. Running it again after a crash is harmless. */
int store_user_revoke(store *st, const char *name, key_classes *held, bool *authority);
/* Grant (or withdraw) a class by name: only protected. *changed says whether
 * a withdrawal took something away, so that the class must be rotated. */
int store_user_grant(store *st, const char *name, enum key_class c, bool grant, bool *changed);
/* Users holding a grant for class c at epoch. */
int store_class_holders(store *st, enum key_class c, uint32_t epoch, char (*names)[64],
                        size_t cap, size_t *n);

struct store_rotation {
	enum key_class cls;
	bool active;     /* a rotation is in progress */
	uint32_t from, to;
	uint8_t phase;   /* 1: re-encrypting, 2: proving nothing uses the old epoch,
	                  * 3: held back by damaged cases (the old epoch decrypt-only) */
	uint64_t cursor; /* the next case id to re-encrypt */
	uint64_t done;   /* cases re-encrypted so far */
	uint64_t total;  /* cases in the store */
	int64_t started;
};

struct store_epoch_use {
	uint32_t epoch;
	uint64_t records; /* cases with at least one ciphertext under it */
};

struct store_key_status {
	uint32_t active;
	struct store_rotation rotation;
	struct store_epoch_use use[8]; /* epochs still referenced, oldest first */
	size_t nuse;
};

/* Per class: active epoch, rotation state, epochs referenced and by how many
 * cases (a full scan, in short read transactions). */
int store_key_status(store *st, struct store_key_status status[KC_COUNT]);
int store_rotation_get(store *st, enum key_class c, struct store_rotation *out);
/* The active epoch of every class: one short read (a screen that follows
 * rotations asks it on a timer; store_key_status scans every case). */
int store_active_epochs(store *st, uint32_t active[KC_COUNT]);

/* Rotate class c: a new epoch granted to exactly the users allowed the class,
 * the old one decrypt-only, then every case re-encrypted in batches of
 * `batch` (0: sized by time, a few milliseconds of the write lock each,
 * colleagues' saves let in between), one short write transaction each with
 * the resume point in it, and
 * last the old epoch's keys deleted once a scan proves nothing uses them.
 * Resumes an interrupted rotation. progress() is called after every batch.
 * A damaged case (one that does not authenticate) is left as it is and the
 * others go on; if such cases still hold the old epoch, M_INTEGRITY naming
 * them: the new epoch is active and every other case under it, the old one
 * stays decrypt-only, and running it again once they are repaired finishes. */
int store_rotate(store *st, enum key_class c, size_t batch,
                 void (*progress)(void *ctx, const struct store_rotation *r), void *ctx);
/* store_rotate for each class in `classes`, as one plan under one lock, and
 * in one pass over the cases (each case read and written once for all the
 * classes; progress() is called for each class after every batch): the
 * same call again after a crash resumes the class in flight and does not
 * rotate the finished ones again (unless a revocation or withdrawal since
 * needs them rotated). A class held back by damaged cases does not stop the
 * others: damaged() gets its message, and the call ends M_INTEGRITY. */
int store_rotate_classes(store *st, key_classes classes, size_t batch,
                         void (*progress)(void *ctx, const struct store_rotation *r),
                         void (*damaged)(void *ctx, enum key_class c,
                                         const struct store_fault *why),
                         void *ctx);

/* Called from a rotation's progress(): stop after the batch just
 * committed. The rotation then returns M_UNAVAILABLE (ROTATION_STOPPED,
 * naming the class and how far it got) and stays in progress, the new epoch
 * active and the old one decrypt-only, exactly as if it had been killed
 * there: the same call again resumes it. */
void store_rotate_stop(store *st);

/* Replace the authority key (administrators' granting and signing key): a
 * revoked administrator's copy then signs nothing that authenticates. Every
 * record is verified, signed anew, and every live grant boxed anew, in one
 * transaction; each user's keyslot follows at their next login. users: how
 * many records were re-signed. */
int store_rotate_authority(store *st, size_t *users);
/* The current authority epoch: users whose pin is below it have not logged
 * in since it was rotated. */
uint32_t store_authority_epoch(const store *st);

/* ---- cases -------------------------------------------------------------- */

enum case_status_value {
	CASE_REQUESTED,
	CASE_SETTLED,
	CASE_IN_PROGRAMME,
	CASE_PAUSED,
	CASE_COMPLETED,
	CASE_CLOSED,
};

/* One case as the user sees it. Values live in secure memory owned by the
 * case; case_clear wipes them. A field is in exactly one state: absent,
 * present (value != NULL), or locked: of a class the user holds no key for,
 * whether or not it has a value on disk (its presence is not shown). */
/* One item of a list inside a case. Its values live in the case's arena
 * like fields'; value[f] is used only for the item fields of its list. */
struct case_item {
	uint32_t id;     /* stable within its list, never reused; 0: new, the save numbers it */
	uint32_t saved;  /* a new item: the id the save gave it (store_case_*) */
	uint8_t list;    /* enum list_id */
	bool removed;    /* the save deletes its entries from every class */
	char *value[I_COUNT];
	uint32_t len[I_COUNT];
	bool locked[I_COUNT];
	bool dirty[I_COUNT];
};

struct case_rec {
	uint64_t id;
	uint32_t version;
	int64_t created;
	int64_t updated;
	/* Who saved this version (the enrolled user of the session that made
	 * it) and when; "" and 0 when unknown: a case last saved before mappe
	 * kept it, or moved from format 4. Set by the store alone, read-only
	 * everywhere else (no field: update and import cannot name it). */
	char saved_by[64];
	int64_t saved_at;
	/* When another user made the caseworker this case's (an update or an
	 * import naming them, a case inserted for them); 0 when unknown, or
	 * when the caseworker created or took it. Set by the store alone. */
	int64_t assigned_at;
	char *value[F_COUNT];
	uint32_t len[F_COUNT];
	bool locked[F_COUNT];
	bool dirty[F_COUNT]; /* set by case_set: what a save writes */
	uint32_t notes;      /* how many journal notes */
	char *arena;         /* secure memory the values live in */
	size_t arena_used, arena_cap;
	/* The items of every list, each list's in id order as read, new ones
	 * after; removed ones stay until the save. */
	struct case_item *items;
	size_t nitems, items_cap;
	uint32_t item_high[L_COUNT]; /* the highest item id each list has used, as read */
	bool list_locked[L_COUNT];   /* of a class the user holds no key for */
};

void case_init(struct case_rec *c);
void case_clear(struct case_rec *c);
/* Wipe the values but keep the locked arena, to read another case into it. */
void case_reset(struct case_rec *c);
/* Set a value already normalised (NULL or "" removes it). */
int case_set(struct case_rec *c, enum field_id f, const char *val, size_t len);
const char *case_get(const struct case_rec *c, enum field_id f);

/* Lists: an item is addressed by its index in c->items (which a later
 * add may move, not reorder). case_item_add appends a new item of list l
 * (numbered by the save: the list's highest id ever used plus one) and
 * returns its index, or -1; case_item_edit returns the index of item id of
 * list l, adding a handle for it when c was not read from the store (an
 * update from JSON: the save refuses an id the case does not have).
 * case_item_set sets a normalised value (dirty), case_item_remove marks the
 * item removed. case_item_next: the index of the next live item of list l
 * at or after index from, or -1 (for (i = case_item_next(c, l, 0); i >= 0;
 * i = case_item_next(c, l, i + 1))). */
int case_item_add(struct case_rec *c, enum list_id l);
int case_item_edit(struct case_rec *c, enum list_id l, uint32_t id);
int case_item_find(const struct case_rec *c, enum list_id l, uint32_t id);
int case_item_set(struct case_rec *c, int item, enum item_field_id f, const char *val,
                  size_t len);
const char *case_item_get(const struct case_rec *c, int item, enum item_field_id f);
int case_item_remove(struct case_rec *c, int item);
int case_item_next(const struct case_rec *c, enum list_id l, int from);
/* Anything in the lists that a save would write. */
bool case_lists_dirty(const struct case_rec *c);

int store_case_get(store *st, uint64_t id, struct case_rec *out);
/* Write the dirty fields. expect_version 0 = no check; otherwise M_CONFLICT
 * when the stored version differs. On success c->version is the new version. */
int store_case_update(store *st, struct case_rec *c, uint32_t expect_version);
/* Insert all cases in one transaction (all or nothing); ids_out[i] gets case i's id. */
int store_case_insert(store *st, struct case_rec *cases, size_t n, uint64_t *ids_out);

/* Cases whose national id equals nid (blind index, then decrypt to confirm). */
int store_find_national_id(store *st, const char *nid, uint64_t **ids, size_t *n);

/* ---- journal notes (append-only) ---------------------------------------- */

enum note_kind { NOTE_HOME_VISIT, NOTE_MEETING, NOTE_PHONE, NOTE_OTHER };
const char *note_kind_name(enum note_kind k);
int note_kind_parse(const char *s, enum note_kind *out);

struct note {
	char author[64];
	int64_t time;
	enum note_kind kind;
	bool interpreter_used;
	char *text; /* secure memory */
	size_t len;
};

int store_note_add(store *st, uint64_t id, enum note_kind kind, bool interpreter,
                   const char *text, size_t len);
/* A page of a case's journal, oldest first: notes from .. from + n - 1 of
 * total. The notes and their texts share one block of secure memory, kept
 * from page to page: a case with tens of thousands of notes opens, which one
 * locked mapping per note did not (vm.max_map_count). */
struct note_page {
	struct note *notes; /* n of them, in arena */
	size_t n;
	uint32_t from;  /* the sequence number of notes[0] */
	uint32_t total; /* the notes the case has */
	void *arena;
	size_t arena_cap;
};

/* A page's texts stop short of this many bytes (but hold at least one note),
 * so a page stays far below RLIMIT_MEMLOCK whatever the notes' sizes. */
#define NOTE_PAGE_BYTES (512u << 10)

void note_page_init(struct note_page *p);
void note_page_clear(struct note_page *p); /* wipes and frees */
/* Up to max notes from sequence number from on; fewer at the end of the
 * journal or at NOTE_PAGE_BYTES. Read on from from + n while that is below
 * total. From past the end gives an empty page (and total). */
int store_notes_read(store *st, uint64_t id, uint32_t from, size_t max, struct note_page *page);

/* Every note at once, in one block of secure memory: for small journals
 * (tests). show and the case view read pages. */
int store_notes_get(store *st, uint64_t id, struct note **out, size_t *n);
void notes_free(struct note *notes, size_t n);

/* ---- search (names only ever in memory) --------------------------------- */

/* How a hit matched, best last: the list marks close and loose hits apart,
 * find --json says it in "match". */
enum search_match { SEARCH_LOOSE = 1, SEARCH_CLOSE, SEARCH_EXACT };

struct search_hit {
	uint64_t id;
	int score;
	enum search_match match;
};

/* "exact", "close" or "loose": the JSON value, never translated. */
const char *search_match_name(enum search_match m);

/* One case as the list screens show it; the strings live in the index's
 * locked arena and stay valid until search_index_free. */
struct search_row {
	uint64_t id;
	uint32_t version;
	const char *name; /* given and family name, "" when locked or absent */
	const char *birth_date;
	const char *status;
	const char *caseworker;
	bool has_next;        /* the case has a deadline not met the user may see */
	struct deadline next; /* then the soonest (deadline_next) */
};

/* Decrypt the names and birth dates the user may read into locked memory,
 * and compute the next deadline of each case in the user's own caseload
 * (My day, the list's column): the rules as of the load. Other cases' are
 * computed when asked for (search_index_next); until then a row has none.
 * _names: never any deadlines (mappe find). */
typedef struct search_index search_index;
int search_index_load(store *st, search_index **out);
int search_index_load_names(store *st, search_index **out);
/* The same, loaded progressively: _open reads the first batch (512 cases,
 * in id order: the list's first screens), _load_more the next batches (at
 * least 1) each in its own short read transaction, between keys. Until
 * _complete, the index holds the cases below some id: a search of it is
 * partial, a sync or refresh leaves the rest to the load. _expected: the
 * cases the store held as the load began (at least those in the index). */
int search_index_open(store *st, search_index **out);
int search_index_load_more(store *st, search_index *ix, unsigned batches);
bool search_index_complete(const search_index *ix);
size_t search_index_expected(const search_index *ix);
void search_index_free(search_index *ix);
size_t search_index_size(const search_index *ix);
/* Row i (0 <= i < size), in id order. */
void search_index_row(const search_index *ix, size_t i, struct search_row *out);
/* The row of a case id, or -1. */
long search_index_find(const search_index *ix, uint64_t id);
/* Compute the next deadline of rows[0, n) (rows NULL: of every case) where
 * not computed yet: the list asks for the rows it shows. */
int search_index_next(store *st, search_index *ix, const size_t *rows, size_t n);
/* How many cases of caseworker (NULL: every case) have their next deadline
 * due on day by or before: those with anything overdue or soon, for by =
 * today + soon days. Their ids into ids, at most cap, in id order. Of
 * other caseloads than the user's, only the cases computed already
 * (search_index_next first). */
size_t search_index_due(const search_index *ix, const char *caseworker, long by, uint64_t *ids,
                        size_t cap);
/* The rows of the other cases in case id's household (household_id), at
 * most cap, in id order; how many. */
size_t search_household(const search_index *ix, uint64_t id, size_t *rows, size_t cap);
/* Cases whose national id is nid (11 digits), from the index's locked
 * memory: no transaction, nothing decrypted (the load decrypted the
 * numbers with the names). As current as the index: search_index_sync
 * catches a colleague's change. Ids in id order, *n of them (malloc'd). */
int search_index_national_id(store *st, search_index *ix, const char *nid, uint64_t **ids,
                             size_t *n);
/* Re-read one case after a save (or add it if new). */
int search_index_refresh(store *st, search_index *ix, uint64_t id);
/* Catch up with what other processes wrote since the index was loaded or
 * last synced: cases added are read in, cases whose version moved are read
 * again, cases gone are dropped. Nothing is read when no case was written
 * since (meta "cases_gen", one look-up); else one pass over the clear case
 * headers in short read transactions, decrypting only the cases that
 * changed. Rows may move: row numbers held from before are stale when
 * *changed (may be NULL: rows read, added or dropped) is above 0. */
int search_index_sync(store *st, search_index *ix, size_t *changed);
/* Build the word index the name search looks up (about a quarter of a
 * second at 100 000 cases): search_run does it on the first name query if
 * nothing did before, so that a session that never searches a name never
 * holds it, and the list is usable before it. */
int search_index_prepare(store *st, search_index *ix);
/* Best first. A query of 11 digits looks up the national id; a date matches
 * birth dates; anything else matches names in any script or spelling. Every
 * hit is counted; exact hits come first, then close, then loose, each by
 * score; the first few hundred are ranked fully (ties by name, whatever the
 * script), the rest by kind and score. */
int search_run(store *st, search_index *ix, const char *query, size_t len,
               struct search_hit **hits, size_t *n);

/* ---- integrity ---------------------------------------------------------- */

/* Decrypt and authenticate every field the user holds keys for, check every
 * header, note and index entry. report() is called once per broken record. */
int store_check(store *st,
                void (*report)(void *ctx, uint64_t id, const struct store_fault *what),
                void *ctx, size_t *checked);

/* ---- the audit log (audit.c) -------------------------------------------- */

/* What an entry records. The number is stored: never renumber, add at the end. */
#define AUDIT_ACTIONS(X)                                                                           \
	X(UNLOCK, 1, "unlock")               /* a login, or an unlock after the idle lock */      \
	X(UNLOCK_FAILED, 2, "unlock-failed") /* a wrong passphrase */                               \
	X(OPEN, 3, "open")                   /* a case read: screen, show, a report's case */      \
	X(SEARCH_OPEN, 4, "search-open")     /* a case opened from a search result */               \
	X(CREATE, 5, "create")               /* a new case (the store writes these) */              \
	X(CHANGE, 6, "change")               /* a case saved (the store writes these) */            \
	X(NOTE, 7, "note")                   /* a journal note added */                             \
	X(EXPORT, 8, "export")               /* a case written by mappe export */                   \
	X(PRINT, 9, "print")                 /* a case printed or written out */                     \
	X(REVEAL, 10, "reveal")              /* a masked field shown in privacy mode */             \
	X(KEYS, 11, "keys")                  /* a key operation: rotation, passphrase */             \
	X(USER, 12, "user")                  /* a user enrolled, changed, revoked */                \
	X(BLOCK, 13, "block")                /* a closed case blocked (retention) */                \
	X(ARCHIVE, 14, "archive")            /* a case handed to the archive */                      \
	X(DESTROY, 15, "destroy")            /* disposable data of a case destroyed */              \
	X(BACKUP, 16, "backup")              /* a copy of the store made */                          \
	X(REWRITE, 17, "rewrite")            /* a case re-encrypted or migrated, not changed */    \
	X(AUDIT_READ, 18, "audit-read")      /* the audit log or an access report read */     \
	X(PRUNE, 19, "prune")                /* the log's oldest entries removed (retention) */

enum audit_action {
#define AUDIT_ACTION_ENUM(name, num, str) AUDIT_##name = (num),
	AUDIT_ACTIONS(AUDIT_ACTION_ENUM)
#undef AUDIT_ACTION_ENUM
};
const char *audit_action_name(enum audit_action a); /* "open"; "?" for none */
int audit_action_parse(const char *s);              /* -1 unknown */

/* One thing done, as the caller says it. Never a field value or a query. */
struct audit_event {
	enum audit_action action;
	uint64_t case_id;    /* 0: no case */
	key_classes classes; /* the field classes read or written (0: none) */
	const char *purpose; /* NULL: the session's (store_audit_purpose) */
	const char *detail;  /* NULL, or what names the act without personal data:
	                      * a user name enrolled, an export record number */
};

/* The purpose of what this session does next, until changed: the screen or
 * the command ("case screen", "mappe show"), or a purpose the user picked.
 * Copied (at most 63 bytes); entries the store writes carry it. */
void store_audit_purpose(store *st, const char *purpose);
/* The classes this user holds keys for at their active epochs: what a case
 * opened shows them (an OPEN entry's classes). */
key_classes store_readable(const store *st);
/* Log a read (a case opened, a field revealed, an unlock) in a short write
 * transaction of its own. Changes need no call: the store logs every case it
 * writes in the transaction that writes it (CREATE, CHANGE or REWRITE, with
 * the case's new version and a digest of its header). */
int store_audit(store *st, const struct audit_event *ev);
/* n reads at once, in one write transaction (one durable write, not n):
 * find --each-line's results. All or none are logged. */
int store_audit_batch(store *st, const struct audit_event *ev, size_t n);

/* An entry as read back by a holder of the audit class (leads, admins). */
struct audit_entry {
	uint64_t seq;  /* from 1, in the order written */
	int64_t time;  /* unix seconds */
	enum audit_action action;
	uint64_t case_id;
	uint32_t version; /* the case's version after a change or as read; 0 none */
	key_classes classes;
	char user[64];
	char purpose[64];
	char detail[96];
	char caseworker[64]; /* the case's then (after a change: as it left it) */
	uint8_t header[16]; /* after a change: a digest of the header written */
	bool opened; /* false: the details did not open (no key for that epoch) */
	/* Its session's first entry carries a record-class MAC: 1 it does and
	 * it checks (a logged-in user's); 0 it has none (a failed login's, or
	 * the details did not open); -1 under a record epoch since retired. A
	 * MAC that fails is an integrity failure on reading. */
	int authentic;
};
/* Which entries: 0 / NULL / -1 for any. */
struct audit_filter {
	uint64_t case_id;
	const char *user;
	int64_t since, until; /* unix seconds, until exclusive; 0: open */
	int action;           /* enum audit_action, -1 any */
};
/* Every matching entry, oldest first, in batches of read transactions (fn
 * runs outside them). fn returns M_OK to go on, anything else to stop with it.
 * Leads and administrators; an entry whose details do not authenticate is
 * an integrity failure (M_INTEGRITY, naming its seq). */
typedef int (*audit_fn)(void *ctx, const struct audit_entry *e);
int store_audit_each(store *st, const struct audit_filter *f, audit_fn fn, void *ctx);

/* The chain as stored: its length and the hash of its last entry (the head
 * sent to syslog on every append). Needs no key. */
struct audit_head {
	uint64_t seq;
	uint8_t hash[32];
};
/* Walk the chain: every entry's previous-entry hash, its order and the head
 * in meta. M_OK, or M_INTEGRITY with the fault naming the first break
 * (.n = the entry's seq). Needs no key; with want (a head seen in syslog)
 * also that this entry is in the chain, with this hash. */
int store_audit_verify(store *st, const struct audit_head *want, struct audit_head *out);
/* The log's own retention (domain-rules.md 5.4: access logs are personal
 * data with a retention time of their own): remove the entries written
 * before `before` (unix seconds), except those a later entry still needs
 * (its session's key), and append a PRUNE entry that names where the kept
 * chain now starts. Administrators. *removed: how many went. */
int store_audit_prune(store *st, int64_t before, uint64_t *removed, uint64_t *base_seq);

/* The store's id in hex, as the syslog lines name it. */
void store_id_hex(const store *st, char out[33]);

/* ---- import ------------------------------------------------------------- */

enum import_format { IMPORT_CSV, IMPORT_JSONL };

/* Parse, validate and insert in one transaction; nothing is written on any
 * error. buf is parsed in place and needs len + 1 writable bytes. name is the
 * file name for messages. A failure is in store_fault(), with .file = name
 * and .line the line it is on (also when the store refused a row's case):
 * "NAME:LINE: field FIELD: problem". */
int store_import(store *st, const char *name, char *buf, size_t len, enum import_format fmt,
                 bool dry_run, uint64_t **ids, size_t *n);

/* Apply a JSON object of field: value to a case (for update). M_INPUT on bad
 * JSON or values, with *fault (.file "stdin") naming the field or list.
 * *expect_version gets "_version" or 0. */
int case_apply_json(struct case_rec *c, char *json, size_t len, uint32_t *expect_version,
                    struct store_fault *fault);

/* Write s as a JSON string literal with quotes; escapes ", \, \n, \t, \r,
 * \b, \f, and every other character text_char_unsafe() names as \uXXXX (a
 * surrogate pair above U+FFFF); each byte of invalid UTF-8 becomes \ufffd. The
 * result is always valid JSON, whatever s holds, and safe on a terminal. */
void json_write_string(FILE *f, const char *s, size_t len);

/* ---- text on a terminal -------------------------------------------------- */

/* Whether a character must never reach a terminal as it is: every C0 control
 * (\n and \t too: callers that lay out lines handle them first), DEL, C1,
 * U+2028/9, bidirectional embeddings, overrides and isolates (U+202A-202E,
 * U+2066-2069) and tag characters (U+E0000-E007F). The validators refuse all
 * of these on the way in; this is for what is printed or drawn, since stored
 * data may predate a rule. The one list: the CLI and the screens both ask it. */
bool text_char_unsafe(uint32_t cp);

/* Write len bytes of s for a terminal: each unsafe character as <U+XXXX>,
 * each byte of invalid UTF-8 as U+FFFD, the rest as it is. With indent NULL
 * the text is one line (\n and \t are escaped too); otherwise \n is written
 * followed by indent, and \t as it is. Every command that prints stored
 * data or user-supplied text goes through this or json_write_string. */
void text_write_safe(FILE *f, const char *s, size_t len, const char *indent);

/* Write the case as one JSON object (show --json): field ids as keys, plus
 * _id, _version, _locked, and notes (listed as locked when notes_locked).
 * The journal is the case's first list: an array of notes, each with its
 * "_item" (its place in the journal, from 1), append-only. */
void case_write_json(FILE *f, const struct case_rec *c, const struct note *notes, size_t n,
                     bool notes_locked);
/* The same in three parts, for a journal written page by page: begin writes
 * up to the opening of the notes array, notes a page of them (from: the
 * journal's index of notes[0], as struct note_page; first: the page that
 * starts the array), end closes the object. */
void case_write_json_begin(FILE *f, const struct case_rec *c, bool notes_locked);
void case_write_json_notes(FILE *f, const struct note *notes, size_t n, uint32_t from,
                           bool first);
void case_write_json_end(FILE *f, bool notes_locked);

/* ---- the settlement ledger (store/ledger.c) ------------------------------ */

/* A year's numbers as IMDi asked and the council decided: one version of
 * them. A later store_target_set for the same year is a revision; every
 * version is kept (domain-rules.md 4). -1: not given. */
enum target_body { BODY_COUNCIL, BODY_EXECUTIVE, BODY_COUNT };
struct target {
	int year;
	long requested;   /* IMDi's anmodning */
	long minors;      /* of which unaccompanied minors */
	long decided;     /* the council's vedtak */
	long date;        /* the decision's date (days since 1970-01-01) */
	long answer_by;   /* the date the municipality must answer IMDi by, or DAY_NONE */
	enum target_body body;
	char by[64];      /* who recorded it (set by the store) */
	int64_t at;       /* when (set by the store) */
};
const char *target_body_name(enum target_body b);     /* "council", "executive" */
int target_body_parse(const char *s);                   /* -1 unknown */
/* Leads and administrators. A count of -1 or a date of DAY_NONE is not
 * given: the first version of a year needs requested and decided, a
 * revision carries what it does not give over from the latest version
 * (the body is always t's; a new decision without a date is of today, as
 * is a first one), and one that changes nothing is refused
 * (TARGET_UNCHANGED). Counts 0 to TARGET_MAX, minors <= requested, year
 * TARGET_YEAR_MIN to TARGET_YEAR_MAX. */
#define TARGET_MAX      100000
#define TARGET_YEAR_MIN 2000
#define TARGET_YEAR_MAX 2100
int store_target_set(store *st, const struct target *t);
/* The versions for year (0: every year), by year then as recorded; free(). */
int store_targets(store *st, int year, struct target **out, size_t *n);
/* Whether version v[i] of a year records a decision: the first, or one
 * whose number, date or body differs from the version before (a revision
 * of the request alone is no new decision). The ledger's decided_history
 * and the dashboard's revisions are these. */
bool target_is_decision(const struct target *v, size_t i);

enum ledger_origin { LO_RECEPTION, LO_RESETTLEMENT, LO_OUTSIDE, LO_UNKNOWN, LO_COUNT };
enum ledger_household { LH_SINGLE_ADULT, LH_FAMILY_CHILDREN, LH_FAMILY_NO_CHILDREN,
	                LH_UNACCOMPANIED_MINOR, LH_COUNT };
const char *ledger_origin_name(enum ledger_origin o);       /* ids for JSON */
const char *ledger_household_name(enum ledger_household h);

/* The year's ledger: the targets' latest version and history, and the
 * people settled by agreement whose settlement_date falls in the year.
 * Leads and administrators (it reads identity and programme of every case). */
struct ledger {
	int year;
	struct target *history; /* the year's versions, oldest first */
	size_t nhistory;
	long requested, minors_requested, decided; /* the latest version's; -1 none */
	long answer_by;                            /* DAY_NONE */
	long settled;               /* by agreement, family reunification never */
	long by_month[12];          /* settled, by month of settlement_date */
	long unaccompanied_minors;  /* inside settled */
	long family_reunification;  /* apart, never inside settled */
	long fr_by_month[12];
	long by_origin[LO_COUNT];   /* of settled */
	long by_household[LH_COUNT];/* of settled */
	long in_programme;          /* cases now in_programme, on_leave or stopped */
	size_t unreadable;          /* cases the scan could not read (locked or broken) */
};
int store_ledger(store *st, int year, struct ledger *out);
void ledger_free(struct ledger *l);

/* ---- drafts: nothing lost when the terminal goes away ------------------- */

struct store_draft {
	uint64_t id;
	uint32_t base_version; /* the version the edits started from */
	int64_t saved;
};

/* Keep the dirty fields of c (as typed, valid or not; c may be NULL) and/or
 * a note's text as the acting user's draft of case id, sealed like fields.
 * One draft per user and case; a new one replaces it. */
int store_draft_save(store *st, uint64_t id, const struct case_rec *c, uint32_t base,
                     const char *note, size_t notelen);
/* The same, kept while typing: if another write holds the store (an import,
 * a stopped process), it gives up at once (M_UNAVAILABLE) rather than make
 * the typist wait; the next keep, or the one at a lock or hangup, catches
 * up. */
int store_draft_keep(store *st, uint64_t id, const struct case_rec *c, uint32_t base,
                     const char *note, size_t notelen);
int store_draft_list(store *st, struct store_draft *out, size_t cap, size_t *n);
/* Set the draft's values on c (case_set: they are dirty) and *note, if any. */
int store_draft_load(store *st, uint64_t id, struct case_rec *c, uint32_t *base, char **note,
                     size_t *notelen);
int store_draft_delete(store *st, uint64_t id);

/* ---- export (export.c) -------------------------------------------------- */

enum export_format { EXPORT_CSV, EXPORT_JSONL, EXPORT_NIR };
const char *export_format_name(enum export_format f); /* "csv", "jsonl", "nir" */

/* What to export. CSV and JSON Lines as store_import reads them (field ids
 * as headers or keys, "_id" first, lists as list.N.field columns or arrays
 * of objects); EXPORT_NIR the columns of docs/nir.md, one row per programme
 * participant. */
struct export_spec {
	enum export_format format;
	bool excel;             /* CSV: ';', a UTF-8 BOM, CRLF line ends */
	const bool *fields;     /* [F_COUNT] the fields asked for; NULL: every one */
	const bool *lists;      /* [L_COUNT] with fields: the lists asked for */
	const char *status;     /* a status id: only cases in it; NULL: any */
	const char *caseworker; /* only their cases; NULL: any */
	bool terminal;          /* out is a terminal: unsafe characters escaped */
};

struct export_result {
	uint64_t record;  /* the export record's number */
	uint64_t counted; /* the cases the record names */
	uint64_t cases;   /* the cases written */
	size_t broken;    /* cases passed over: they did not authenticate */
	/* Asked for but left out: a class the user holds no key for. */
	bool locked_field[F_COUNT];
	bool locked_list[L_COUNT];
	bool locked_item[I_COUNT];
	/* Written. */
	bool field[F_COUNT];
	bool item[I_COUNT];
};

/* Leads and administrators. Picks the cases by their clear header, records
 * the export (store_export_records) and only then writes to out, each case
 * as it is read: only the classes of the columns written are decrypted,
 * and nothing is kept but in the case's secure memory and out's buffer. */
int store_export(store *st, const struct export_spec *spec, FILE *out,
                 struct export_result *res);
/* The NIR columns' names in order (docs/nir.md); how many there are. */
size_t export_nir_columns(const char **names, size_t cap);

/* One export as recorded: who, when, which columns, how many cases, the
 * format and the filters. Sealed under the record class and numbered from 1,
 * with a sealed count: one changed or removed in the file is an integrity
 * failure on reading. */
struct export_record {
	uint64_t seq;
	int64_t at;
	char user[64];
	enum export_format format;
	bool excel, terminal;
	uint64_t cases;
	int status;          /* the --status filter (enum case_status), -1 none */
	char caseworker[64]; /* the --caseworker filter, "" none */
	bool field[F_COUNT]; /* the fields read into the export */
	bool item[I_COUNT];
};
/* Every record, oldest first (free()). Leads and administrators. */
int store_export_records(store *st, struct export_record **out, size_t *n);

/* ---- backup (backup.c) --------------------------------------------------- */

/* A backup directory holds the copy, data.mdb (LMDB, compacted), and
 * SHA256SUMS: its SHA-256 as sha256sum writes it ("HEX  data.mdb"), so that
 * `sha256sum -c SHA256SUMS` in the directory checks it too. */
#define STORE_BACKUP_SUMS "SHA256SUMS"
struct store_backup {
	uint64_t cases; /* cases in the copy */
	uint64_t bytes; /* the size of its data.mdb */
	uint32_t schema;
	uint8_t sha256[KEYS_SHA256_BYTES];
	bool same_store; /* verify: the copy is of this store (its store id) */
};
/* Administrators. A consistent, compacted copy of the store into dest, a
 * new directory (made 0700) or an empty one, never inside the store's own
 * directory, while other sessions read and write (one read transaction:
 * the copy is the store as at its start). On any failure what it wrote is
 * removed (and dest, when it made it). The copy is recorded in the audit
 * log (AUDIT_BACKUP, dest's last name as the detail); a copy that cannot
 * be recorded is removed too. Faults name dest (.file). */
int store_backup(store *st, const char *dest, struct store_backup *out);
/* Administrators. Check a backup: data.mdb against SHA256SUMS (M_INTEGRITY
 * on a mismatch or a missing or malformed sum), then open it read-only,
 * without a lock file and without writing a byte, as a mappe store (its
 * tables, schema and store id; M_INTEGRITY when it is none). */
int store_backup_verify(store *st, const char *dest, struct store_backup *out);

/* ---- reviewing the audit log (auditreport.c) ---------------------------- */

/* Whether an entry of action a is a person consulting its case: open,
 * search-open, change, note, export, print, reveal (the outside-caseload
 * review counts these). */
bool audit_action_consults(enum audit_action a);
/* Whether it is an access the data subject's access report lists: those,
 * and the case registered, blocked, archived or destroyed, and its log
 * read. A re-encryption (rewrite) consults nothing and is left out. */
bool audit_action_in_access_report(enum audit_action a);

/* A consultation of a case outside the user's caseload: the case's
 * caseworker at the time, as its entry records it, was someone else, or
 * nobody. */
struct outside_access {
	struct audit_entry e;
	char caseworker[64]; /* the caseworker then; "" nobody */
};
struct outside_user {
	char user[64];
	int role; /* enum key_role; -1: no longer enrolled */
	struct outside_access *a; /* oldest first */
	size_t n;
};
/* Users whose role has a caseload (caseworkers, and names no longer
 * enrolled), by name; each with at least one access. Health
 * staff, leads, administrators and the archive read across caseloads by
 * their role: their entries are in store_audit_each. Leads and
 * administrators. since: unix seconds, 0 from the start. */
struct outside_report {
	struct outside_user *users;
	size_t nusers;
	size_t accesses; /* in all */
};
int store_outside_caseload(store *st, int64_t since, struct outside_report *out);
void outside_report_free(struct outside_report *r);

/* ---- retention by the archive law (retention.c, archive.c) --------------- */

/* What may be destroyed: the categories of a case that the archive law lets
 * a municipality discard (domain-rules.md 5.4), each of the fields it is made
 * of. The preserved ones (settlement, qualification, rights and duties under
 * the introduction law) are no category: nothing can mark them disposable.
 * X(id, label_nb, label_en, verified): the id is what /etc/mappe.conf names;
 * verified: the permission to discard it was checked against a source
 * (docs/retention.md names it), else it is [U] and the municipality's own
 * plan must say so. */
#define RETENTION_CATEGORIES(X)                                                                    \
	X(mapping, "kompetansekartlegging", "competence mapping at intake", true)                 \
	X(health, "helseoppfølging", "administrative health follow-up", false)                    \
	X(contact, "telefon og e-post", "phone and e-mail", false)

enum retention_category {
#define RETENTION_CATEGORY_ENUM(id, nb, en, verified) RC_##id,
	RETENTION_CATEGORIES(RETENTION_CATEGORY_ENUM)
#undef RETENTION_CATEGORY_ENUM
	RC_COUNT
};
const char *retention_category_name(enum retention_category c); /* "mapping" */
const char *retention_category_label(enum retention_category c, bool norwegian);
bool retention_category_verified(enum retention_category c);
int retention_category_parse(const char *s, size_t len); /* -1 unknown */
/* Whether field f belongs to category c. */
bool retention_category_has(enum retention_category c, enum field_id f);

/* The municipality's settings, from /etc/mappe.conf (the UI reads the file
 * and hands them here; the store keeps them for the session). */
#define RETENTION_BLOCK_DEFAULT 730L /* days; docs/retention.md says why */
#define RETENTION_NEVER (-1L)
struct retention {
	long block_after;       /* days after closing; RETENTION_NEVER: never blocked */
	long dispose[RC_COUNT]; /* days after closing a category may go; RETENTION_NEVER */
};
/* The defaults: blocked RETENTION_BLOCK_DEFAULT days after closing, nothing
 * disposable. */
void retention_default(struct retention *r);
/* retention.block_after's value: a number of days (0 to 36500) or "never". */
bool retention_parse_block(const char *s, long *days);
/* retention.dispose's value, "mapping:1825, health:3650" (category:days):
 * true, or false with every category back to never (a plan half read
 * destroys nothing). */
bool retention_parse_dispose(const char *s, struct retention *r);
void store_set_retention(store *st, const struct retention *r);
void store_get_retention(const store *st, struct retention *out);

/* A case's place in retention, from its clear header and the store's mark. */
struct retention_state {
	bool closed;
	bool blocked;     /* closed block_after days ago, or marked */
	bool marked;      /* the store's persistent mark (archive block, export, destroy) */
	bool transferred; /* handed to the archive by an export */
	long closed_day;  /* days since 1970-01-01 it counts as closed from; DAY_NONE */
	int64_t blocked_at, transferred_at;
};
/* Needs no class key beyond record. */
int store_retention_state(store *st, uint64_t id, struct retention_state *out);
/* Administrators and the archive open blocked cases. Other roles see that
 * one exists (its clear header: id, status, caseworker) and nothing of its
 * fields; opening one is CASE_BLOCKED (exit 2). */
bool store_may_open_blocked(const store *st);

/* Give every case blocked by now the persistent mark, a BLOCK audit entry
 * each in the same transaction, in batches. Administrators. */
int store_archive_block(store *st, uint64_t *marked);
/* The cases an archive export takes: blocked, closed before `before` (days
 * since 1970-01-01; DAY_NONE: any), and not transferred before unless
 * again. Administrators and the archive. *ids malloc'd, in id order. */
int store_archive_pick(store *st, long before, bool again, uint64_t **ids, size_t *n);
/* After the package is written: mark them transferred (and blocked), an
 * ARCHIVE entry each naming the package, one transaction for all. */
int store_archive_transferred(store *st, const uint64_t *ids, size_t n, const char *package);
/* Destroy the categories the settings mark disposable, of blocked cases
 * past their time: each case rewritten without those fields (a new
 * version; the store logs the write) and a DESTROY entry naming the
 * category, in one transaction per case. Administrators. dry_run: only say
 * what would go. fn (may be NULL) gets each case and category as it goes,
 * with how many fields held a value. */
typedef int (*store_destroy_fn)(void *ctx, uint64_t id, enum retention_category c,
                                size_t fields);
int store_archive_destroy(store *st, bool dry_run, store_destroy_fn fn, void *ctx,
                          uint64_t *cases);

#endif
