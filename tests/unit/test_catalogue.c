/* The field catalogue: one table, consistent with itself, and the one
 * normalising function every input path goes through. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "store/catalogue.h"
#include "store/store.h"

static void test_ids_and_numbers_unique(void **state)
{
	(void)state;
	for (int i = 0; i < F_COUNT; i++) {
		const struct field_def *a = &field_catalogue[i];
		assert_non_null(a->id);
		assert_true(a->number > 0);
		assert_int_equal(field_by_id(a->id, strlen(a->id)), i);
		assert_int_equal(field_by_number(a->number), i);
		assert_true(a->cls == KC_NONE || (unsigned)a->cls < KC_COUNT);
		assert_true(a->type != FT_ENUM || a->choices != NULL);
		assert_non_null(a->label_nb);
		assert_non_null(a->label_en);
		for (int j = 0; j < i; j++) {
			assert_string_not_equal(a->id, field_catalogue[j].id);
			assert_int_not_equal(a->number, field_catalogue[j].number);
		}
	}
	assert_int_equal(field_by_id("no_such_field", 13), -1);
}

static void test_classes_follow_domain(void **state)
{
	(void)state;
	assert_int_equal(field_catalogue[F_given_name].cls, KC_IDENTITY);
	assert_int_equal(field_catalogue[F_national_id].cls, KC_IDENTITY);
	assert_int_equal(field_catalogue[F_phone].cls, KC_CONTACT);
	assert_int_equal(field_catalogue[F_protected_address].cls, KC_PROTECTED);
	assert_int_equal(field_catalogue[F_health_needs].cls, KC_HEALTH);
	assert_int_equal(field_catalogue[F_status].cls, KC_NONE);
}

static const char *norm(enum field_id f, const char *in, char *out, size_t cap)
{
	size_t n;
	return field_normalise(f, in, strlen(in), out, cap, &n);
}

static void test_normalise(void **state)
{
	char out[128];
	(void)state;

	assert_null(norm(F_interpreter_needed, " ja ", out, sizeof out));
	assert_string_equal(out, "true");
	assert_null(norm(F_interpreter_needed, "0", out, sizeof out));
	assert_string_equal(out, "false");
	assert_null(norm(F_phone, "+47 412 34 567", out, sizeof out));
	assert_string_equal(out, "+4741234567");
	assert_null(norm(F_citizenship, "ua", out, sizeof out));
	assert_string_equal(out, "UA");
	assert_null(norm(F_language, "UK", out, sizeof out));
	assert_string_equal(out, "uk");
	assert_null(norm(F_address, "Storgata 5\r\n9405 Harstad", out, sizeof out));
	assert_string_equal(out, "Storgata 5\n9405 Harstad");
	assert_null(norm(F_given_name, "  ", out, sizeof out));
	assert_string_equal(out, "");
	assert_null(norm(F_status, "in_programme", out, sizeof out));
}

static void test_refusals_never_quote_the_value(void **state)
{
	static const struct {
		enum field_id f;
		const char *v;
	} bad[] = {
	    {F_birth_date, "2023-02-30"}, {F_birth_date, "2999-01-01"},
	    {F_national_id, "41019012346"}, {F_phone, "12345"},
	    {F_citizenship, "XX"},         {F_given_name, "Ada\nLovelace"},
	    {F_sex, "sometimes"},          {F_interpreter_needed, "maybe"},
	    {F_email, "not an email"},     {F_status, "lost"},
	    {F_given_name, "B\xc3\x28"},   {F_caseworker, "Kari Nordmann"},
	};
	char out[128];
	(void)state;

	for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
		const char *msg = norm(bad[i].f, bad[i].v, out, sizeof out);
		assert_non_null(msg);
		assert_null(strstr(msg, bad[i].v));
		/* a refused value is wiped from the output buffer */
		assert_int_equal(out[0], 0);
	}
}

static void test_nul_and_length(void **state)
{
	char in[5000], out[5100];
	size_t n;
	(void)state;

	assert_non_null(field_normalise(F_given_name, "A\0b", 3, out, sizeof out, &n));
	memset(in, 'x', sizeof in);
	assert_non_null(field_normalise(F_address, in, sizeof in, out, sizeof out, &n));
	/* the caller's buffer must have room: refused, never overrun */
	assert_non_null(field_normalise(F_address, "abc", 3, out, 4, &n));
}

/* Every enum's values come from one list: the "a|b|c" string valid_choice
 * reads is exactly the ids of the rows, in order, numbered from 0, each with
 * both labels. */
static void test_enum_values_one_list(void **state)
{
	(void)state;
	for (int f = 0; f < F_COUNT; f++) {
		const struct field_def *d = &field_catalogue[f];
		int n = field_choice_count((enum field_id)f);

		if (d->type != FT_ENUM) {
			assert_null(d->choice);
			assert_null(d->choices);
			assert_int_equal(n, 0);
			assert_string_equal(field_choice_label((enum field_id)f, 0, true), "?");
			continue;
		}
		assert_true(n > 0);
		char joined[512] = "";
		for (int i = 0; i < n; i++) {
			const struct field_choice *c = &d->choice[i];
			assert_int_equal(c->number, (unsigned)i);
			assert_true(c->label_nb && c->label_nb[0] && c->label_en && c->label_en[0]);
			assert_int_equal(field_choice_find((enum field_id)f, c->id, strlen(c->id)), i);
			assert_string_equal(field_choice_label((enum field_id)f, i, true), c->label_nb);
			assert_string_equal(field_choice_label((enum field_id)f, i, false), c->label_en);
			for (int j = 0; j < i; j++)
				assert_string_not_equal(c->id, d->choice[j].id);
			if (i)
				strcat(joined, "|");
			strcat(joined, c->id);
		}
		assert_string_equal(d->choices, joined);
		assert_string_equal(field_choice_label((enum field_id)f, n, true), "?");
		assert_string_equal(field_choice_label((enum field_id)f, -1, false), "?");
		assert_int_equal(field_choice_find((enum field_id)f, "nope", 4), -1);
	}
	assert_string_equal(field_choice_label(F_sex, 0, true), "kvinne");
	assert_string_equal(field_choice_label(F_address_protection, 2, false),
	                    "strictly confidential");
}

/* The status byte in every record header on disk: the numbers may never
 * change, whatever statuses.def grows. */
static void test_status_numbers_on_disk(void **state)
{
	/* Byte 3 was "paused": it is on_leave now, and "paused" still reads. */
	static const char *const on_disk[] = {"requested", "settled", "in_programme",
	                                      "on_leave",  "completed", "closed",
	                                      "stopped",   "broken_off", "moved"};

	(void)state;
	assert_int_equal(STATUS_COUNT, field_choice_count(F_status));
	assert_true(STATUS_COUNT >= 9);
	assert_int_equal(status_parse("paused", 6), STATUS_on_leave);
	char out[32];
	size_t n;
	assert_null(field_normalise(F_status, "paused", 6, out, sizeof out, &n));
	assert_string_equal(out, "on_leave");
	for (unsigned i = 0; i < 9; i++) {
		assert_int_equal(status_parse(on_disk[i], strlen(on_disk[i])), (int)i);
		assert_string_equal(status_name(i), on_disk[i]);
	}
	assert_int_equal(STATUS_in_programme, 2);
	assert_int_equal(STATUS_closed, 5);
	assert_int_equal(status_parse("closed ", 7), -1);
	assert_string_equal(status_name(STATUS_COUNT), "?");
	assert_string_equal(field_choice_label(F_status, STATUS_in_programme, true), "i program");
	assert_string_equal(field_choice_label(F_status, STATUS_in_programme, false), "in programme");
}

/* The screens list the statuses in the lifecycle's order, not the header
 * byte's, and a case's own steps first. */
static void test_status_order(void **state)
{
	static const int life[] = {STATUS_requested,  STATUS_settled,   STATUS_in_programme,
	                           STATUS_on_leave,   STATUS_stopped,   STATUS_completed,
	                           STATUS_broken_off, STATUS_moved,     STATUS_closed};
	bool seen[STATUS_COUNT] = {false};
	int out[STATUS_COUNT];

	(void)state;
	assert_int_equal(sizeof life / sizeof life[0], STATUS_COUNT);
	for (int r = 0; r < STATUS_COUNT; r++) {
		assert_int_equal(status_by_rank(r), life[r]);
		assert_int_equal(status_rank(life[r]), r);
		assert_false(seen[status_by_rank(r)]);
		seen[status_by_rank(r)] = true;
	}
	assert_int_equal(status_rank(STATUS_COUNT), -1);
	assert_int_equal(status_by_rank(STATUS_COUNT), -1);
	assert_int_equal(status_by_rank(-1), -1);

	/* A new case may start anywhere: all, in order. */
	assert_int_equal(status_choices(-1, out), STATUS_COUNT);
	assert_memory_equal(out, life, sizeof life);
	/* Settled: itself and its steps, then the others, each in order. */
	static const int settled[] = {STATUS_settled,      STATUS_in_programme, STATUS_moved,
	                              STATUS_closed,       STATUS_requested,    STATUS_on_leave,
	                              STATUS_stopped,      STATUS_completed,    STATUS_broken_off};
	assert_int_equal(status_choices(STATUS_settled, out), 4);
	assert_memory_equal(out, settled, sizeof settled);
	/* Closed is the end: only itself. */
	assert_int_equal(status_choices(STATUS_closed, out), 1);
	assert_int_equal(out[0], STATUS_closed);
	assert_int_equal(out[1], STATUS_requested);
	assert_true(status_step_allowed(STATUS_on_leave, STATUS_in_programme));
	assert_true(status_step_allowed(STATUS_moved, STATUS_moved));
	assert_false(status_step_allowed(STATUS_closed, STATUS_requested));
	assert_false(status_step_allowed(STATUS_requested, STATUS_in_programme));
}

/* The tables of names (code tables, deadlines) share their
 * accessors: in range, out of it, and an id that is a prefix of another. */
static void test_named(void **state)
{
	static const struct named t[] = {{"end", "Slutt", "End"}, {"end_reason", "Årsak", "Reason"}};

	(void)state;
	assert_string_equal(named_id(t, 2, 1), "end_reason");
	assert_string_equal(named_id(t, 2, 2), "?");
	assert_string_equal(named_label(t, 2, 0, true), "Slutt");
	assert_string_equal(named_label(t, 2, 0, false), "End");
	assert_string_equal(named_label(t, 2, 7, false), "?");
	assert_int_equal(named_find(t, 2, sizeof t[0], "end_reason", 10), 1);
	assert_int_equal(named_find(t, 2, sizeof t[0], "end_reason", 3), 0);
	assert_int_equal(named_find(t, 2, sizeof t[0], "end_", 4), -1);
	assert_int_equal(named_find(t, 0, sizeof t[0], "end", 3), -1);
	/* Through the tables that use them. */
	assert_int_equal(deadline_parse("end_record"), DL_end_record);
	assert_string_equal(deadline_label(DL_COUNT, true), "?");
	assert_int_equal(rule_parse("g_amount"), RULE_g_amount);
	assert_int_equal(rule_parse("g_amoun"), -1);
	assert_int_equal(regime_parse("integreringsloven_6a"), REGIME_integreringsloven_6a);
	assert_int_equal(regime_parse(""), -1);
}

/* The per-field special cases are flags in fields.def. The list screens'
 * projection is the search index's (store/search.c shows names and a birth
 * date beside the clear header), and the one blind index is the national
 * id's: a change here is a change there. */
static void test_flags(void **state)
{
	(void)state;
	for (int f = 0; f < F_COUNT; f++) {
		const struct field_def *d = &field_catalogue[f];
		bool list = f == F_status || f == F_caseworker || f == F_given_name ||
		            f == F_family_name || f == F_birth_date;

		assert_int_equal(d->flags & ~(unsigned)(FLAG_INDEXED | FLAG_LIST | FLAG_DEADLINE), 0);
		assert_int_equal(field_has((enum field_id)f, FLAG_INDEXED), f == F_national_id);
		assert_int_equal(field_has((enum field_id)f, FLAG_LIST), list);
		if (field_has((enum field_id)f, FLAG_INDEXED)) /* sealed, and validated */
			assert_true(d->cls != KC_NONE && d->check != CHECK_NONE);
		if (field_has((enum field_id)f, FLAG_DEADLINE))
			assert_int_equal(d->type, FT_DATE);
	}
	assert_true(field_has(F_tb_screening, FLAG_DEADLINE));
	assert_true(field_has(F_birth_date, FLAG_DEADLINE));
	assert_false(field_has(F_COUNT, FLAG_LIST));
}

/* Norwegian input: dates as DD.MM.YYYY, enums by label, phones without +47;
 * every one stored as the files keep it. */
static void test_norwegian_input(void **state)
{
	char out[128];
	(void)state;

	assert_null(norm(F_tb_screening, "03.02.2023", out, sizeof out));
	assert_string_equal(out, "2023-02-03");
	assert_null(norm(F_tb_screening, " 3.2.2023 ", out, sizeof out));
	assert_string_equal(out, "2023-02-03");
	assert_null(norm(F_birth_date, "29.02.2000", out, sizeof out));
	assert_string_equal(out, "2000-02-29");
	assert_null(norm(F_tb_screening, "2023-02-03", out, sizeof out));
	assert_string_equal(out, "2023-02-03");
	assert_non_null(norm(F_tb_screening, "30.02.2023", out, sizeof out));
	assert_non_null(norm(F_tb_screening, "29.02.2023", out, sizeof out));
	assert_non_null(norm(F_tb_screening, "03.13.2023", out, sizeof out));
	assert_non_null(norm(F_tb_screening, "03.02.23", out, sizeof out));
	assert_non_null(norm(F_tb_screening, "003.02.2023", out, sizeof out));
	assert_non_null(norm(F_tb_screening, "03.02.20233", out, sizeof out));
	assert_non_null(norm(F_tb_screening, "03/02/2023", out, sizeof out));
	assert_non_null(norm(F_tb_screening, ".02.2023", out, sizeof out));
	assert_non_null(norm(F_tb_screening, "03..2023", out, sizeof out));
	assert_non_null(norm(F_birth_date, "01.01.2199", out, sizeof out)); /* future */
	assert_string_equal(norm(F_tb_screening, "3 feb", out, sizeof out),
	                    "must be a date written DD.MM.YYYY or YYYY-MM-DD");

	assert_null(norm(F_status, "bosatt", out, sizeof out));
	assert_string_equal(out, "settled");
	assert_null(norm(F_status, "Bosatt", out, sizeof out));
	assert_string_equal(out, "settled");
	assert_null(norm(F_status, "settled", out, sizeof out));
	assert_string_equal(out, "settled");
	assert_null(norm(F_status, "i program", out, sizeof out));
	assert_string_equal(out, "in_programme");
	assert_null(norm(F_status, "in programme", out, sizeof out));
	assert_string_equal(out, "in_programme");
	assert_null(norm(F_status, "fullført", out, sizeof out));
	assert_string_equal(out, "completed");
	assert_null(norm(F_address_protection, "strengt fortrolig", out, sizeof out));
	assert_string_equal(out, "strictly_confidential");
	assert_null(norm(F_civil_status, "enke/enkemann", out, sizeof out));
	assert_string_equal(out, "widowed");
	assert_non_null(norm(F_status, "bosat", out, sizeof out));
	assert_non_null(norm(F_status, "in_program", out, sizeof out));

	assert_null(norm(F_phone, "912 34 567", out, sizeof out));
	assert_string_equal(out, "+4791234567");
	assert_null(norm(F_phone, "91234567", out, sizeof out));
	assert_string_equal(out, "+4791234567");
	assert_null(norm(F_phone, "0047 91234567", out, sizeof out));
	assert_string_equal(out, "+4791234567");
	assert_null(norm(F_phone, "+46 70 123 45 67", out, sizeof out));
	assert_string_equal(out, "+46701234567");
	assert_non_null(norm(F_phone, "9123456", out, sizeof out));
	assert_non_null(norm(F_phone, "912345678", out, sizeof out));
	assert_non_null(norm(F_phone, "9123456x", out, sizeof out));
}

/* No label may be another choice's id or label: a typed label must name
 * one value. */
static void test_labels_unambiguous(void **state)
{
	(void)state;
	for (int f = 0; f < F_COUNT; f++) {
		const struct field_choice *c = field_catalogue[f].choice;
		for (int i = 0; c && c[i].id; i++) {
			const char *mine[] = {c[i].id, c[i].label_nb, c[i].label_en};
			for (int j = 0; c[j].id; j++) {
				if (j == i)
					continue;
				for (int k = 0; k < 3; k++) {
					assert_string_not_equal(mine[k], c[j].id);
					assert_string_not_equal(mine[k], c[j].label_nb);
					assert_string_not_equal(mine[k], c[j].label_en);
				}
			}
		}
	}
}

/* What the screens and show print, and that normalising it gives back the
 * stored value: a form opened and saved unchanged changes nothing. */
static void test_display_round_trips(void **state)
{
	static const struct {
		enum field_id f;
		const char *stored, *nb, *en;
	} v[] = {
	    {F_status, "settled", "bosatt", "settled"},
	    {F_status, "in_programme", "i program", "in programme"},
	    {F_interpreter_needed, "true", "ja", "yes"},
	    {F_unaccompanied_minor, "false", "nei", "no"},
	    {F_birth_date, "1985-03-15", "15.03.1985", "1985-03-15"},
	    {F_phone, "+4791234567", "+47 912 34 567", "+47 912 34 567"},
	    {F_phone, "+4722123456", "+47 22 12 34 56", "+47 22 12 34 56"},
	    {F_phone, "+46701234567", "+46701234567", "+46701234567"},
	    {F_national_id, "15038512363", "150385 12363", "150385 12363"},
	    {F_given_name, "Åse", "Åse", "Åse"},
	};
	char buf[64], out[128];
	(void)state;

	for (size_t i = 0; i < sizeof v / sizeof v[0]; i++) {
		for (int nb = 0; nb < 2; nb++) {
			const char *shown = field_display(v[i].f, v[i].stored, nb, buf, sizeof buf);
			assert_string_equal(shown, nb ? v[i].nb : v[i].en);
			assert_null(norm(v[i].f, shown, out, sizeof out));
			assert_string_equal(out, v[i].stored);
		}
	}
	/* A value the catalogue does not know is shown as it is. */
	assert_string_equal(field_display(F_status, "legacy", true, buf, sizeof buf), "legacy");
	assert_string_equal(field_display(F_birth_date, "1985", true, buf, sizeof buf), "1985");
	assert_string_equal(field_display(F_phone, "+47123", true, buf, sizeof buf), "+47123");
	assert_null(field_display(F_phone, NULL, true, buf, sizeof buf));
}

/* Countries and languages are shown by name (iso-codes, both languages),
 * and every name is read back to its code: an untouched form is no change. */
static void test_codes_by_name(void **state)
{
	static const struct {
		enum field_id f;
		const char *code, *nb, *en;
	} row[] = {
#define COUNTRY(code, nb, en) {F_citizenship, code, nb, en},
#define LANGUAGE(code, nb, en) {F_language, code, nb, en}, {F_interpreter_language, code, nb, en},
#include "store/isocodes.def"
#undef COUNTRY
#undef LANGUAGE
	};
	char buf[64], out[128];
	(void)state;

	assert_true(sizeof row / sizeof row[0] > 249 + 2 * 183);
	for (size_t i = 0; i < sizeof row / sizeof row[0]; i++) {
		for (int nb = 0; nb < 2; nb++) {
			const char *shown =
			    field_display_name(row[i].f, row[i].code, nb, buf, sizeof buf);
			assert_string_equal(shown, nb ? row[i].nb : row[i].en);
			assert_null(norm(row[i].f, shown, out, sizeof out));
			assert_string_equal(out, row[i].code);
		}
	}
	assert_string_equal(field_display_name(F_citizenship, "SY", false, buf, sizeof buf), "Syria");
	assert_string_equal(field_display_name(F_citizenship, "NO", true, buf, sizeof buf), "Norge");
	assert_string_equal(field_display_name(F_language, "ar", false, buf, sizeof buf), "Arabic");
	assert_string_equal(field_display_name(F_language, "ar", true, buf, sizeof buf), "arabisk");
	assert_string_equal(field_display_name(F_citizenship, "XK", true, buf, sizeof buf), "Kosovo");
	/* As people type them: any case, Norwegian letters too. */
	assert_null(norm(F_citizenship, "sør-korea", out, sizeof out));
	assert_string_equal(out, "KR");
	assert_null(norm(F_citizenship, "  syria ", out, sizeof out));
	assert_string_equal(out, "SY");
	assert_null(norm(F_language, "ARABISK", out, sizeof out));
	assert_string_equal(out, "ar");
	assert_null(norm(F_citizenship, "sy", out, sizeof out));
	assert_string_equal(out, "SY");
	assert_non_null(norm(F_citizenship, "Atlantis", out, sizeof out));
	/* show prints codes; a code the table does not know is shown as it is. */
	assert_string_equal(field_display(F_citizenship, "SY", false, buf, sizeof buf), "SY");
	assert_string_equal(field_display_name(F_citizenship, "ZZ", true, buf, sizeof buf), "ZZ");
}

/* A language code is read as the code, never as a language of that name:
 * "en" is English, not the language En (enc); "so" Somali, not So (soc).
 * The generator's round trip found them (tests/cli/test_roundtrip.sh). */
static void test_language_code_before_name(void **state)
{
	static const char *const codes[] = {"en", "so", "uk", "ti", "ar", "fa", "prs", "ckb", "kmr"};
	char out[128];
	(void)state;

	for (size_t i = 0; i < sizeof codes / sizeof codes[0]; i++) {
		assert_null(norm(F_language, codes[i], out, sizeof out));
		assert_string_equal(out, codes[i]);
		assert_null(norm(F_interpreter_language, codes[i], out, sizeof out));
		assert_string_equal(out, codes[i]);
	}
	assert_null(norm(F_language, "EN", out, sizeof out));
	assert_string_equal(out, "en");
	assert_null(norm(F_language, "ara", out, sizeof out));
	assert_string_equal(out, "ar");
	/* Names still read as names. */
	assert_null(norm(F_language, "Somali", out, sizeof out));
	assert_string_equal(out, "so");
}

/* Privacy mode masks what the catalogue says, and only that: the national
 * id, DUF number, phone, e-mail and addresses, every health and protected
 * value; never the names, the birth date or the programme's dates, which a
 * caseworker reads aloud at a home visit. */
static void test_privacy_masks(void **state)
{
	static const enum field_id masked[] = {
	    F_national_id,
	    F_duf_number,
	    F_phone,
	    F_email,
	    F_address,
	    F_housing_address,
	    F_address_protection,
	    F_protected_address,
	    F_tb_screening,
	    F_health_check,
	    F_health_needs,
	    F_tb_status,
	    F_health_check_offered,
	};
	bool want[F_COUNT] = {false};
	(void)state;

	for (size_t i = 0; i < sizeof masked / sizeof *masked; i++)
		want[masked[i]] = true;
	for (int f = 0; f < F_COUNT; f++)
		assert_int_equal(field_masked((enum field_id)f), want[f]);
	/* Every field of the two classes, whatever fields.def adds to them. */
	for (int f = 0; f < F_COUNT; f++)
		if (field_catalogue[f].cls == KC_HEALTH || field_catalogue[f].cls == KC_PROTECTED)
			assert_true(field_masked((enum field_id)f));
	assert_false(field_masked(F_given_name));
	assert_false(field_masked(F_birth_date));
	assert_false(field_masked(F_municipality));
	assert_false(field_masked(F_COUNT));
	for (int i = 0; i < I_COUNT; i++)
		assert_int_equal(item_masked((enum item_field_id)i),
		                 i == I_attendance_health_reason);
	assert_false(item_masked(I_COUNT));
	for (int d = 0; d < DL_COUNT; d++)
		assert_int_equal(deadline_masked((enum deadline_id)d),
		                 d == DL_tb_screening || d == DL_health_check);
	assert_false(deadline_masked(DL_COUNT));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_ids_and_numbers_unique),
	    cmocka_unit_test(test_classes_follow_domain),
	    cmocka_unit_test(test_normalise),
	    cmocka_unit_test(test_refusals_never_quote_the_value),
	    cmocka_unit_test(test_nul_and_length),
	    cmocka_unit_test(test_enum_values_one_list),
	    cmocka_unit_test(test_status_numbers_on_disk),
	    cmocka_unit_test(test_status_order),
	    cmocka_unit_test(test_named),
	    cmocka_unit_test(test_flags),
	    cmocka_unit_test(test_norwegian_input),
	    cmocka_unit_test(test_labels_unambiguous),
	    cmocka_unit_test(test_display_round_trips),
	    cmocka_unit_test(test_codes_by_name),
	    cmocka_unit_test(test_language_code_before_name),
	    cmocka_unit_test(test_privacy_masks),
	};
	return cmocka_run_group_tests_name("catalogue", tests, NULL, NULL);
}
