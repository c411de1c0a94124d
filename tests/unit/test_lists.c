/* Lists inside a case (issue 8): items with stable ids, added, edited and
 * removed in the record model, through the store (format 5: entries of the
 * class envelope under the list's and its item fields' numbers), through
 * JSON (arrays of objects with "_item") and through CSV (repeated prefixed
 * columns, "placements.1.employer"). The catalogue's numbers stay one space.
 *
 * All values are invented and never printed. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store/private.h"
#include "store/store.h"
#include "tests/unit/fixture.h"

static const char admin_pass[] = "admin passphrase one";
static const char helga_pass[] = "helga passphrase one";

static int setup(void **state)
{
	(void)state;
	return keys_init() == KEYS_OK ? 0 : -1;
}

/* ---- the catalogue ------------------------------------------------------------- */

static void test_catalogue_numbers(void **state)
{
	unsigned seen[512] = {0};

	(void)state;
	for (int f = 0; f < F_COUNT; f++) {
		assert_true(field_catalogue[f].number < 512);
		assert_int_equal(seen[field_catalogue[f].number]++, 0);
	}
	for (int l = 0; l < L_COUNT; l++) {
		assert_true(list_catalogue[l].number < 512);
		assert_int_equal(seen[list_catalogue[l].number]++, 0);
		assert_int_equal(list_by_id(list_catalogue[l].id, strlen(list_catalogue[l].id)), l);
		assert_int_equal(list_by_number(list_catalogue[l].number), l);
	}
	for (int i = 0; i < I_COUNT; i++) {
		const struct item_def *d = &item_catalogue[i];
		assert_true(d->f.number < 512);
		assert_int_equal(seen[d->f.number]++, 0);
		assert_int_equal(item_field_by_id(d->list, d->f.id, strlen(d->f.id)), i);
		assert_int_equal(item_field_by_number(d->f.number), i);
		assert_true(list_classes(d->list) & (1u << d->f.cls));
	}
	assert_int_equal(list_by_id("placements", 10), L_placements);
	assert_int_equal(list_catalogue[L_placements].cls, KC_PROGRAMME);
	assert_int_equal(item_field_by_id(L_placements, "given_name", 10), -1);
	assert_true(st_case_classes() & (1u << KC_PROGRAMME));
}

static void expect_norm(enum item_field_id f, const char *in, const char *want)
{
	char out[64];
	size_t n;
	const char *msg = item_normalise(f, in, strlen(in), out, sizeof out, &n);

	if (!want) {
		assert_non_null(msg);
		return;
	}
	assert_null(msg);
	assert_string_equal(out, want);
}

/* CHECK_ORGNR: 9 digits with the mod-11 check digit; CHECK_HOURS. */
static void test_item_checks(void **state)
{
	(void)state;
	expect_norm(I_placements_org_number, "974760673", "974760673");
	expect_norm(I_placements_org_number, "974 760 673", "974760673");
	expect_norm(I_placements_org_number, "958935420", "958935420");
	expect_norm(I_placements_org_number, "974760674", NULL);
	expect_norm(I_placements_org_number, "97476067", NULL);
	expect_norm(I_placements_org_number, "97476067A", NULL);
	expect_norm(I_placements_hours_per_week, "37.5", "37.5");
	expect_norm(I_placements_hours_per_week, "37,5", "37.5");
	expect_norm(I_placements_hours_per_week, "30", "30");
	expect_norm(I_placements_hours_per_week, "0", "0");
	expect_norm(I_placements_hours_per_week, "168", "168");
	expect_norm(I_placements_hours_per_week, "169", NULL);
	expect_norm(I_placements_hours_per_week, "37.25", NULL);
	expect_norm(I_placements_hours_per_week, "-1", NULL);
	expect_norm(I_placements_hours_per_week, "1000", NULL);
	expect_norm(I_placements_hours_per_week, "x", NULL);
	expect_norm(I_placements_start, "2026-02-30", NULL);
	expect_norm(I_placements_start, "2026-02-03", "2026-02-03");
}

/* ---- the store ----------------------------------------------------------------- */

static void set(struct case_rec *c, enum field_id f, const char *v)
{
	assert_int_equal(case_set(c, f, v, strlen(v)), 0);
}

static void iset(struct case_rec *c, int item, enum item_field_id f, const char *v)
{
	assert_int_equal(case_item_set(c, item, f, v, strlen(v)), 0);
}

static void get(store *st, uint64_t id, struct case_rec *c)
{
	case_init(c);
	int rc = store_case_get(st, id, c);
	if (rc)
		print_message("# %s\n", store_error(st));
	assert_int_equal(rc, M_OK);
}

/* The live items of list l, their ids in order into ids; how many. */
static size_t ids_of(const struct case_rec *c, enum list_id l, uint32_t *ids, size_t cap)
{
	size_t n = 0;

	for (int i = case_item_next(c, l, 0); i >= 0; i = case_item_next(c, l, i + 1)) {
		assert_true(n < cap);
		ids[n++] = c->items[i].id;
	}
	return n;
}

static void expect_ids(const struct case_rec *c, const uint32_t *want, size_t n)
{
	uint32_t got[16];

	assert_int_equal(ids_of(c, L_placements, got, 16), n);
	for (size_t i = 0; i < n; i++)
		assert_int_equal(got[i], want[i]);
}

static const char *item_value(const struct case_rec *c, uint32_t id, enum item_field_id f)
{
	int i = case_item_find(c, L_placements, id);

	assert_true(i >= 0);
	return case_item_get(c, i, f);
}

static void no_report(void *ctx, uint64_t id, const struct store_fault *what)
{
	(void)ctx;
	fail_msg("check: case %llu: %s", (unsigned long long)id,
	         store_code_message(what->code));
}

/* Entries of the programme envelope of case 1 with list item `item`. */
struct count_ctx {
	uint32_t item;
	unsigned n;
};

static int count_one(void *vctx, unsigned number, uint32_t item, const uint8_t *v, size_t len)
{
	struct count_ctx *ctx = vctx;

	(void)number, (void)v, (void)len;
	ctx->n += item == ctx->item;
	return 0;
}

static int count_txn(store *st, MDB_txn *txn, void *vctx)
{
	struct rec_header h;
	const uint8_t *pt;
	size_t n;
	int rc;

	if ((rc = st_load_epochs(st, txn)) || (rc = st_hdr_read(st, txn, 1, &h)) ||
	    (rc = st_class_open(st, 1, &h, KC_PROGRAMME, &pt, &n)))
		return rc;
	return st_class_each(pt, n, count_one, vctx) < 0 ? M_INTEGRITY : M_OK;
}

static unsigned entries_of_item(store *st, uint32_t item)
{
	struct count_ctx cc = {item, 0};

	assert_int_equal(st_txn(st, false, count_txn, &cc), M_OK);
	return cc.n;
}

/* Add, edit, remove; ids stable, and never given again after a removal,
 * the highest one's too. A removed item's entries leave the envelope. */
static void test_store_round_trip(void **state)
{
	struct tstore t;
	struct case_rec c;
	uint64_t id;
	int a, b;
	size_t checked;

	(void)state;
	assert_int_equal(ts_create(&t, 0, "admin", admin_pass), 0);
	case_init(&c);
	set(&c, F_given_name, "Zqxa");
	a = case_item_add(&c, L_placements);
	b = case_item_add(&c, L_placements);
	assert_true(a >= 0 && b >= 0 && a != b);
	iset(&c, a, I_placements_employer, "Zqx Bakeri AS");
	iset(&c, a, I_placements_org_number, "974760673");
	iset(&c, b, I_placements_employer, "Zqx Verksted");
	iset(&c, b, I_placements_hours_per_week, "37.5");
	assert_true(case_lists_dirty(&c));
	assert_int_equal(store_case_insert(t.st, &c, 1, &id), M_OK);
	assert_int_equal(id, 1);
	/* The saved case knows its new ids. */
	expect_ids(&c, (const uint32_t[]){1, 2}, 2);
	assert_false(case_lists_dirty(&c));
	case_clear(&c);

	get(t.st, 1, &c);
	expect_ids(&c, (const uint32_t[]){1, 2}, 2);
	assert_string_equal(item_value(&c, 1, I_placements_employer), "Zqx Bakeri AS");
	assert_string_equal(item_value(&c, 1, I_placements_org_number), "974760673");
	assert_null(item_value(&c, 1, I_placements_contact));
	assert_string_equal(item_value(&c, 2, I_placements_hours_per_week), "37.5");
	assert_int_equal(c.item_high[L_placements], 2);
	assert_false(c.list_locked[L_placements]);
	assert_true(entries_of_item(t.st, 2) > 0);

	/* Edit 1, remove 2, add one: it is 3. */
	iset(&c, case_item_find(&c, L_placements, 1), I_placements_contact, "Zqx Kontakt");
	iset(&c, case_item_find(&c, L_placements, 1), I_placements_org_number, "");
	assert_int_equal(case_item_remove(&c, case_item_find(&c, L_placements, 2)), 0);
	iset(&c, case_item_add(&c, L_placements), I_placements_employer, "Zqx Butikk");
	assert_int_equal(store_case_update(t.st, &c, c.version), M_OK);
	expect_ids(&c, (const uint32_t[]){1, 3}, 2);
	case_clear(&c);
	assert_int_equal(entries_of_item(t.st, 2), 0);

	get(t.st, 1, &c);
	expect_ids(&c, (const uint32_t[]){1, 3}, 2);
	assert_string_equal(c.value[F_given_name], "Zqxa");
	assert_string_equal(item_value(&c, 1, I_placements_employer), "Zqx Bakeri AS");
	assert_string_equal(item_value(&c, 1, I_placements_contact), "Zqx Kontakt");
	assert_null(item_value(&c, 1, I_placements_org_number));
	assert_string_equal(item_value(&c, 3, I_placements_employer), "Zqx Butikk");
	assert_int_equal(case_item_find(&c, L_placements, 2), -1);

	/* Remove the highest, 3, then add: 4, never 3 again. */
	assert_int_equal(case_item_remove(&c, case_item_find(&c, L_placements, 3)), 0);
	assert_int_equal(store_case_update(t.st, &c, c.version), M_OK);
	case_clear(&c);
	get(t.st, 1, &c);
	expect_ids(&c, (const uint32_t[]){1}, 1);
	assert_int_equal(c.item_high[L_placements], 3);
	iset(&c, case_item_add(&c, L_placements), I_placements_employer, "Zqx Kafe");
	assert_int_equal(store_case_update(t.st, &c, c.version), M_OK);
	case_clear(&c);
	get(t.st, 1, &c);
	expect_ids(&c, (const uint32_t[]){1, 4}, 2);
	assert_int_equal(entries_of_item(t.st, 3), 0);
	case_clear(&c);

	/* Fields alone: the lists stay as they were. */
	get(t.st, 1, &c);
	set(&c, F_given_name, "Zqxb");
	assert_int_equal(store_case_update(t.st, &c, c.version), M_OK);
	case_clear(&c);
	get(t.st, 1, &c);
	expect_ids(&c, (const uint32_t[]){1, 4}, 2);
	case_clear(&c);

	assert_int_equal(store_check(t.st, no_report, NULL, &checked), M_OK);
	assert_int_equal(checked, 1);
	ts_destroy(&t);
}

/* An update that has not read the case (mappe update): new items follow
 * the list's highest id; an id the case does not have is refused whole. */
static void test_update_unread(void **state)
{
	struct tstore t;
	struct case_rec c;
	uint64_t id;
	uint32_t version;

	(void)state;
	assert_int_equal(ts_create(&t, 0, "admin", admin_pass), 0);
	case_init(&c);
	set(&c, F_given_name, "Zqxa");
	iset(&c, case_item_add(&c, L_placements), I_placements_employer, "Zqx En");
	iset(&c, case_item_add(&c, L_placements), I_placements_employer, "Zqx To");
	assert_int_equal(store_case_insert(t.st, &c, 1, &id), M_OK);
	version = c.version;
	case_clear(&c);

	case_init(&c);
	c.id = 1;
	iset(&c, case_item_add(&c, L_placements), I_placements_employer, "Zqx Tre");
	iset(&c, case_item_edit(&c, L_placements, 1), I_placements_contact, "Zqx Kontakt");
	assert_int_equal(store_case_update(t.st, &c, version), M_OK);
	case_clear(&c);
	get(t.st, 1, &c);
	expect_ids(&c, (const uint32_t[]){1, 2, 3}, 3);
	assert_string_equal(item_value(&c, 3, I_placements_employer), "Zqx Tre");
	assert_string_equal(item_value(&c, 1, I_placements_employer), "Zqx En");
	assert_string_equal(item_value(&c, 1, I_placements_contact), "Zqx Kontakt");
	version = c.version;
	case_clear(&c);

	/* Item 9 does not exist: nothing of the update is saved. */
	case_init(&c);
	c.id = 1;
	set(&c, F_given_name, "Zqxz");
	iset(&c, case_item_edit(&c, L_placements, 9), I_placements_contact, "Zqx");
	assert_int_equal(store_case_update(t.st, &c, 0), M_INPUT);
	assert_non_null(strstr(store_error(t.st), "no item 9"));
	case_clear(&c);
	case_init(&c);
	c.id = 1;
	assert_int_equal(case_item_remove(&c, case_item_edit(&c, L_placements, 7)), 0);
	assert_int_equal(store_case_update(t.st, &c, 0), M_INPUT);
	case_clear(&c);
	get(t.st, 1, &c);
	assert_int_equal(c.version, version);
	assert_string_equal(c.value[F_given_name], "Zqxa");
	case_clear(&c);
	ts_destroy(&t);
}

/* A health worker holds no programme key: the list is locked, shown as
 * such, and cannot be written; their own saves carry the items over. */
static void test_locked_for_health(void **state)
{
	struct tstore t;
	struct case_rec c;
	uint64_t id;
	char *out = NULL;
	size_t n = 0;
	FILE *f;

	(void)state;
	assert_int_equal(ts_create(&t, 0, "admin", admin_pass), 0);
	assert_int_equal(store_user_add(t.st, "helga", ROLE_HEALTH, helga_pass, strlen(helga_pass)),
	                 M_OK);
	case_init(&c);
	set(&c, F_given_name, "Zqxa");
	iset(&c, case_item_add(&c, L_placements), I_placements_employer, "Zqx En");
	assert_int_equal(store_case_insert(t.st, &c, 1, &id), M_OK);
	case_clear(&c);

	ts_reopen_as(&t, "helga", helga_pass);
	get(t.st, 1, &c);
	assert_true(c.list_locked[L_placements]);
	assert_int_equal(case_item_next(&c, L_placements, 0), -1);
	assert_non_null(f = open_memstream(&out, &n));
	case_write_json(f, &c, NULL, 0, false);
	fclose(f);
	assert_non_null(strstr(out, "\"placements\",")); /* in _locked, before the others */
	assert_non_null(strstr(out, "\"end_goals\"]"));   /* the last list, last */
	assert_null(strstr(out, "\"placements\": ["));
	assert_null(strstr(out, "Zqx En"));
	free(out);
	set(&c, F_health_needs, "Zqx behov");
	assert_int_equal(store_case_update(t.st, &c, c.version), M_OK);
	iset(&c, case_item_add(&c, L_placements), I_placements_employer, "Zqx To");
	assert_int_equal(store_case_update(t.st, &c, c.version), M_AUTH);
	case_clear(&c);

	ts_reopen_as(&t, "admin", admin_pass);
	get(t.st, 1, &c);
	expect_ids(&c, (const uint32_t[]){1}, 1);
	assert_string_equal(item_value(&c, 1, I_placements_employer), "Zqx En");
	assert_string_equal(c.value[F_health_needs], "Zqx behov");
	case_clear(&c);
	ts_destroy(&t);
}

/* A case still in format 4 has no lists: a save with items asks for
 * mappe migrate, and saves nothing. */
static int plant_v4_txn(store *st, MDB_txn *txn, void *vctx)
{
	struct rec_header h = {0};
	int rc;

	(void)vctx;
	h.format = HDR_FORMAT;
	h.version = 1;
	h.created = h.updated = st_now();
	snprintf(h.caseworker, sizeof h.caseworker, "admin");
	uint8_t cursor[8] = {0};

	/* A store whose migration is under way: meta "migrate" holds its cursor. */
	if ((rc = st_load_epochs(st, txn)) || (rc = st_hdr_write(st, txn, 2, &h)) ||
	    (rc = st_put(st, txn, DB_META, "migrate", 7, cursor, sizeof cursor, 0)))
		return rc;
	return st_counter_write(st, txn, st->kr, 3);
}

static void test_format4_refused(void **state)
{
	struct tstore t;
	struct case_rec c;
	uint64_t id;

	(void)state;
	assert_int_equal(ts_create(&t, 0, "admin", admin_pass), 0);
	case_init(&c);
	set(&c, F_given_name, "Zqxa");
	assert_int_equal(store_case_insert(t.st, &c, 1, &id), M_OK);
	case_clear(&c);
	assert_int_equal(st_txn(t.st, true, plant_v4_txn, NULL), M_OK);
	get(t.st, 2, &c);
	iset(&c, case_item_add(&c, L_placements), I_placements_employer, "Zqx En");
	assert_int_equal(store_case_update(t.st, &c, c.version), M_UNAVAILABLE);
	assert_non_null(strstr(store_error(t.st), "mappe migrate"));
	case_clear(&c);
	/* Its fields still save. */
	get(t.st, 2, &c);
	set(&c, F_given_name, "Zqxb");
	assert_int_equal(store_case_update(t.st, &c, c.version), M_OK);
	case_clear(&c);
	ts_destroy(&t);
}

/* ---- JSON ---------------------------------------------------------------------- */

static char *json_of(store *st, uint64_t id)
{
	struct case_rec c;
	char *out = NULL;
	size_t n = 0;
	FILE *f = open_memstream(&out, &n);

	assert_non_null(f);
	get(st, id, &c);
	case_write_json(f, &c, NULL, 0, false);
	fclose(f);
	case_clear(&c);
	return out;
}

static int apply(store *st, uint64_t id, const char *json, uint32_t version, char *err,
                 size_t errlen)
{
	struct case_rec c;
	size_t len = strlen(json);
	char *buf = malloc(len + 1);
	struct store_fault fault;
	uint32_t expect;
	int rc;

	assert_non_null(buf);
	memcpy(buf, json, len + 1);
	case_init(&c);
	c.id = id;
	rc = case_apply_json(&c, buf, len, &expect, &fault);
	if (rc)
		store_fault_format(&fault, NULL, err, errlen);
	free(buf);
	if (rc == M_OK)
		rc = store_case_update(st, &c, version);
	case_clear(&c);
	return rc;
}

static int import_text(store *st, const char *text, enum import_format fmt, char *err,
                       size_t errlen)
{
	size_t len = strlen(text), n;
	char *buf = malloc(len + 1);
	uint64_t *ids = NULL;
	int rc;

	assert_non_null(buf);
	memcpy(buf, text, len + 1);
	rc = store_import(st, "in", buf, len, fmt, false, &ids, &n);
	snprintf(err, errlen, "%s", rc ? store_error(st) : "");
	free(ids);
	free(buf);
	return rc;
}

static void test_json_round_trip(void **state)
{
	struct tstore t;
	char err[256], *out;

	(void)state;
	assert_int_equal(ts_create(&t, 0, "admin", admin_pass), 0);
	assert_int_equal(import_text(t.st,
	                             "{\"given_name\": \"Zqxa\", \"placements\": [{\"employer\": "
	                             "\"Zqx En\", \"org_number\": \"974 760 673\"}, {\"employer\": "
	                             "\"Zqx To\", \"hours_per_week\": 37.5}]}\n",
	                             IMPORT_JSONL, err, sizeof err),
	                 M_OK);
	out = json_of(t.st, 1);
	assert_non_null(strstr(out, "\"given_name\": \"Zqxa\", \"placements\": [{\"_item\": 1, "
	                            "\"employer\": \"Zqx En\", \"org_number\": \"974760673\"}, "
	                            "{\"_item\": 2, \"employer\": \"Zqx To\", \"hours_per_week\": "
	                            "\"37.5\"}], \"_locked\": []"));
	free(out);

	/* Remove 1, edit 2, add one (3). */
	assert_int_equal(
	    apply(t.st, 1,
	          "{\"placements\": [{\"_item\": 1, \"_remove\": true}, {\"_item\": 2, "
	          "\"contact\": \"Zqx K\"}, {\"employer\": \"Zqx Tre\", \"start\": "
	          "\"2026-01-05\"}]}",
	          0, err, sizeof err),
	    M_OK);
	out = json_of(t.st, 1);
	assert_non_null(strstr(out, "\"placements\": [{\"_item\": 2, \"employer\": \"Zqx To\", "
	                            "\"contact\": \"Zqx K\", \"hours_per_week\": \"37.5\"}, "
	                            "{\"_item\": 3, \"employer\": \"Zqx Tre\", \"start\": "
	                            "\"2026-01-05\"}]"));
	assert_null(strstr(out, "Zqx En"));
	free(out);

	/* Refused, each with nothing saved. */
	assert_int_equal(apply(t.st, 1, "{\"placements\": [{\"org_number\": \"974760674\"}]}", 0,
	                       err, sizeof err),
	                 M_INPUT);
	assert_non_null(strstr(err, "placements: field org_number"));
	assert_int_equal(
	    apply(t.st, 1, "{\"placements\": [{\"colour\": \"x\"}]}", 0, err, sizeof err), M_INPUT);
	assert_int_equal(
	    apply(t.st, 1, "{\"placements\": [{\"_remove\": true}]}", 0, err, sizeof err), M_INPUT);
	assert_int_equal(apply(t.st, 1, "{\"placements\": [{\"_item\": 0}]}", 0, err, sizeof err),
	                 M_INPUT);
	assert_int_equal(apply(t.st, 1, "{\"placements\": [{\"_item\": 1, \"contact\": \"x\"}]}", 0,
	                       err, sizeof err),
	                 M_INPUT); /* 1 was removed */
	assert_int_equal(apply(t.st, 1, "{\"placements\": [[]]}", 0, err, sizeof err), M_INPUT);
	assert_int_equal(apply(t.st, 1, "{\"placements\": \"x\"}", 0, err, sizeof err), M_INPUT);
	assert_int_equal(apply(t.st, 1, "{\"given_name\": [{}]}", 0, err, sizeof err), M_INPUT);
	assert_int_equal(apply(t.st, 1, "{\"placements\": [{\"employer\": \"x\", \"more\": [{}]}]}",
	                       0, err, sizeof err),
	                 M_INPUT);
	assert_int_equal(import_text(t.st, "{\"placements\": [{\"_item\": 1}]}\n", IMPORT_JSONL,
	                             err, sizeof err),
	                 M_INPUT);
	out = json_of(t.st, 1);
	assert_non_null(strstr(out, "{\"_item\": 2, \"employer\": \"Zqx To\", "));
	assert_null(strstr(out, "\"_item\": 4"));
	free(out);

	/* An empty array changes nothing; a case without items shows no list. */
	assert_int_equal(apply(t.st, 1, "{\"placements\": []}", 0, err, sizeof err), M_OK);
	assert_int_equal(
	    import_text(t.st, "{\"given_name\": \"Zqxb\"}\n", IMPORT_JSONL, err, sizeof err), M_OK);
	out = json_of(t.st, 2);
	assert_null(strstr(out, "placements"));
	free(out);
	ts_destroy(&t);
}

/* ---- CSV ----------------------------------------------------------------------- */

static void test_csv_round_trip(void **state)
{
	struct tstore t;
	struct case_rec c;
	char err[256];

	(void)state;
	assert_int_equal(ts_create(&t, 0, "admin", admin_pass), 0);
	assert_int_equal(
	    import_text(t.st,
	                "given_name;placements.1.employer;placements.1.org_number;placements.2."
	                "employer;placements.2.hours_per_week;placements.2.start\n"
	                "Zqxa;Zqx En;974760673;Zqx To;37,5;2026-03-02\n"
	                "Zqxb;;;Zqx Tre;;\n"
	                "Zqxc;;;;;\n",
	                IMPORT_CSV, err, sizeof err),
	    M_OK);
	get(t.st, 1, &c);
	expect_ids(&c, (const uint32_t[]){1, 2}, 2);
	assert_string_equal(item_value(&c, 1, I_placements_employer), "Zqx En");
	assert_string_equal(item_value(&c, 1, I_placements_org_number), "974760673");
	assert_string_equal(item_value(&c, 2, I_placements_employer), "Zqx To");
	assert_string_equal(item_value(&c, 2, I_placements_hours_per_week), "37.5");
	assert_string_equal(item_value(&c, 2, I_placements_start), "2026-03-02");
	case_clear(&c);
	/* An empty group adds no item: the next is the first. */
	get(t.st, 2, &c);
	expect_ids(&c, (const uint32_t[]){1}, 1);
	assert_string_equal(item_value(&c, 1, I_placements_employer), "Zqx Tre");
	case_clear(&c);
	get(t.st, 3, &c);
	expect_ids(&c, NULL, 0);
	case_clear(&c);

	/* A bad value names its column; unknown and repeated columns are refused. */
	assert_int_equal(import_text(t.st, "given_name,placements.1.org_number\nZqxd,974760674\n",
	                             IMPORT_CSV, err, sizeof err),
	                 M_INPUT);
	assert_non_null(strstr(err, "in:2: field placements.1.org_number: "));
	assert_int_equal(import_text(t.st, "placements.1.colour\nx\n", IMPORT_CSV, err, sizeof err),
	                 M_INPUT);
	assert_int_equal(
	    import_text(t.st, "placements.0.employer\nx\n", IMPORT_CSV, err, sizeof err), M_INPUT);
	assert_int_equal(
	    import_text(t.st, "placements.x.employer\nx\n", IMPORT_CSV, err, sizeof err), M_INPUT);
	assert_int_equal(import_text(t.st, "placements.1.employer,placements.1.employer\nx,y\n",
	                             IMPORT_CSV, err, sizeof err),
	                 M_INPUT);
	assert_non_null(strstr(err, "appears twice"));
	/* Nothing of the refused files was written. */
	case_init(&c);
	assert_int_not_equal(store_case_get(t.st, 4, &c), M_OK);
	case_clear(&c);
	ts_destroy(&t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_catalogue_numbers), cmocka_unit_test(test_item_checks),
	    cmocka_unit_test(test_store_round_trip),  cmocka_unit_test(test_update_unread),
	    cmocka_unit_test(test_locked_for_health), cmocka_unit_test(test_format4_refused),
	    cmocka_unit_test(test_json_round_trip),   cmocka_unit_test(test_csv_round_trip),
	};
	return cmocka_run_group_tests_name("lists", tests, setup, NULL);
}
