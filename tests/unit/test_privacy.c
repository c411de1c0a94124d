/* Privacy mode (tui/privacy.c) without a terminal: what the screens mask
 * comes from the catalogue (field_masked), one value is revealed at a time,
 * and only after the audit log has it. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#define NCURSES_WIDECHAR 1
#include "tui/ui.h"

#include <stdio.h>
#include <string.h>

#include "tests/unit/fixture.h"

/* A case with a phone number and health needs. */
static uint64_t add_case(store *st)
{
	struct case_rec c;
	uint64_t id = 0;

	case_init(&c);
	assert_int_equal(case_set(&c, F_given_name, "Kari", 4), M_OK);
	assert_int_equal(case_set(&c, F_phone, "+4791234567", 11), M_OK);
	assert_int_equal(case_set(&c, F_health_needs, "x", 1), M_OK);
	assert_int_equal(store_case_insert(st, &c, 1, &id), M_OK);
	case_clear(&c);
	return id;
}

static void test_masks_follow_the_catalogue(void **state)
{
	struct tstore *t = *state;
	struct ui ui = {.st = t->st};

	for (int f = 0; f < F_COUNT; f++)
		assert_false(ui_masked(&ui, 1, (enum field_id)f)); /* off: nothing */
	assert_string_equal(ui_field_text(&ui, 1, F_protected_address, ""), "");
	ui_privacy_toggle(&ui);
	assert_true(ui.privacy);
	for (int f = 0; f < F_COUNT; f++)
		assert_int_equal(ui_masked(&ui, 1, (enum field_id)f),
		                 field_masked((enum field_id)f));
	for (int i = 0; i < I_COUNT; i++)
		assert_int_equal(ui_item_masked(&ui, 1, 7, (enum item_field_id)i),
		                 item_masked((enum item_field_id)i));
	for (int d = 0; d < DL_COUNT; d++)
		assert_int_equal(ui_deadline_masked(&ui, 1, (enum deadline_id)d),
		                 deadline_masked((enum deadline_id)d));
	/* The mask has one width, whatever the value; an empty value stays empty. */
	assert_string_equal(ui_field_text(&ui, 1, F_national_id, "01019012345"), ui_mask());
	assert_string_equal(ui_field_text(&ui, 1, F_phone, "+4791234567"), ui_mask());
	assert_string_equal(ui_field_text(&ui, 1, F_phone, ""), "");
	assert_string_equal(ui_field_text(&ui, 1, F_given_name, "Kari"), "Kari");
	/* But a protected address, or none: the screen tells neither. */
	assert_string_equal(ui_field_text(&ui, 1, F_protected_address, NULL), ui_mask());
	assert_string_equal(ui_field_text(&ui, 1, F_address_protection, ""), ui_mask());
	for (int f = 0; f < F_COUNT; f++)
		assert_int_equal(ui_mask_empty(&ui, (enum field_id)f),
		                 field_catalogue[f].cls == KC_PROTECTED);
	assert_int_equal(ui_text_width(ui_mask()), 5);
}

static void test_one_at_a_time(void **state)
{
	struct tstore *t = *state;
	struct ui ui = {.st = t->st, .privacy = true};
	uint64_t id = add_case(t->st), other = id + 1;

	assert_int_equal(ui_reveal_field(&ui, id, F_national_id), M_OK);
	assert_false(ui_masked(&ui, id, F_national_id));
	assert_true(ui_masked(&ui, id, F_phone));          /* the others stay masked */
	assert_true(ui_masked(&ui, other, F_national_id)); /* and another case's */
	assert_int_equal(ui_reveal_field(&ui, id, F_phone), M_OK);
	assert_false(ui_masked(&ui, id, F_phone));
	assert_true(ui_masked(&ui, id, F_national_id)); /* the first is masked again */
	ui_reveal_clear(&ui);
	assert_true(ui_masked(&ui, id, F_phone));

	/* An item's field: that item's, not another's of the list. */
	assert_int_equal(ui_reveal_item(&ui, id, 7, I_attendance_health_reason), M_OK);
	assert_false(ui_item_masked(&ui, id, 7, I_attendance_health_reason));
	assert_true(ui_item_masked(&ui, id, 8, I_attendance_health_reason));
	/* A row's deadline (the list, My day). */
	assert_int_equal(ui_reveal_row(&ui, id, DL_tb_screening), M_OK);
	assert_false(ui_deadline_masked(&ui, id, DL_tb_screening));
	assert_true(ui_deadline_masked(&ui, other, DL_tb_screening));
	assert_true(ui_item_masked(&ui, id, 7, I_attendance_health_reason));

	/* Privacy mode off and on again: nothing stays revealed. */
	ui_privacy_toggle(&ui);
	ui_privacy_toggle(&ui);
	assert_true(ui_deadline_masked(&ui, id, DL_tb_screening));
}

struct seen {
	int n;
	struct audit_entry e[8];
};

static int collect(void *ctx, const struct audit_entry *e)
{
	struct seen *s = ctx;

	if (s->n < 8)
		s->e[s->n] = *e;
	s->n++;
	return M_OK;
}

/* Every reveal is in the audit log before it shows: the case, the class of
 * the field, the purpose, and the field's stable name, never its value. */
static void test_reveals_are_audited(void **state)
{
	struct tstore *t = *state;
	struct ui ui = {.st = t->st, .privacy = true};
	uint64_t id = add_case(t->st);
	struct seen seen = {0};
	struct audit_filter any = {.action = AUDIT_REVEAL};

	assert_int_equal(ui_reveal_field(&ui, id, F_phone), M_OK);
	assert_int_equal(ui_reveal_field(&ui, id, F_health_needs), M_OK);
	assert_int_equal(ui_reveal_item(&ui, id, 3, I_attendance_health_reason), M_OK);
	assert_int_equal(ui_reveal_row(&ui, id, DL_tb_screening), M_OK);
	/* A new case's own typing: no case, nothing to log. */
	assert_int_equal(ui_reveal_field(&ui, 0, F_national_id), M_OK);
	/* Nor the user's own typing into an empty field. */
	ui_reveal_typed(&ui, id, F_email);
	assert_false(ui_masked(&ui, id, F_email));
	assert_int_equal(store_audit_each(t->st, &any, collect, &seen), M_OK);
	assert_int_equal(seen.n, 4);
	static const struct {
		const char *detail;
		enum key_class cls;
	} want[] = {{"phone", KC_CONTACT},
	            {"health_needs", KC_HEALTH},
	            {"attendance.health_reason", KC_HEALTH},
	            {"tb_screening", KC_HEALTH}};
	for (int i = 0; i < 4; i++) {
		assert_int_equal(seen.e[i].action, AUDIT_REVEAL);
		assert_int_equal(seen.e[i].case_id, id);
		assert_int_equal(seen.e[i].classes, 1u << want[i].cls);
		assert_string_equal(seen.e[i].purpose, "privacy reveal");
		assert_string_equal(seen.e[i].detail, want[i].detail);
		assert_string_equal(seen.e[i].user, "admin");
		assert_null(strstr(seen.e[i].detail, "+47")); /* never the value */
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_masks_follow_the_catalogue, fixture_store_setup,
	                                    fixture_store_teardown),
	    cmocka_unit_test_setup_teardown(test_one_at_a_time, fixture_store_setup,
	                                    fixture_store_teardown),
	    cmocka_unit_test_setup_teardown(test_reveals_are_audited, fixture_store_setup,
	                                    fixture_store_teardown),
	};
	return cmocka_run_group_tests_name("privacy", tests, fixture_keys_setup, NULL);
}
