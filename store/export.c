/* export.c: cases out, as the user may read them (CSV, JSON Lines, the
 * NIR columns of docs/nir.md), and the sealed record every export leaves.
 *
 * An export reads the store twice: a first pass picks the cases by their
 * clear header (and, for CSV with lists, counts each list's items for the
 * header; for NIR, tells participants by two dates), the record is written
 * with that count, and only then the second pass writes, case by case,
 * from the case's secure memory to a spool in secure memory, a batch at a
 * time, which goes to the stream between the batches' read transactions.
 * Nothing is kept in between but the ids.
 *
 * The record (meta, sealed under the record class like the code tables):
 *   "export" 0x00 'r' u64 seq -> body (below)
 *   "export" 0x00 'n'         -> u64 records written
 * A record changed in the file does not authenticate; one removed from the
 * middle leaves a gap below the sealed count. Every record removed with the
 * count, or the newest ones with an older count put back, is not seen:
 * issue 12's audit chain is to anchor the count. Nothing reads the records
 * but store_export_records yet (mappe audit, issue 12). */
#include "store/catalogue.h"
#include "store/formats.h"
#include "store/private.h"
#include "store/validate.h"

#include <stdlib.h>
#include <string.h>

#define EXPORT_RECORD_VERSION 1

/* ---- the NIR columns (docs/nir.md) -------------------------------------- */

enum nir_derive {
	ND_FIELD,          /* the field as stored */
	ND_CASE_ID,        /* the case id */
	ND_PLACEMENTS,     /* how many work placements */
	ND_LEAVE_PERIODS,  /* how many leave periods */
	ND_LEAVE_DAYS,     /* their days, from and to counted */
	ND_LEAVE_DECISION, /* the latest leave decision's date */
	ND_ABSENCE_HOURS,  /* hours of attendance entries with an absence class */
	ND_UNEXCUSED,      /* of them, unexcused */
	ND_STOPS,          /* how many stop decisions */
	ND_STOP_DECISION,  /* the latest stop decision's date */
	ND_STOP_KIND,      /* its kind */
};

struct nir_col {
	const char *name;
	int field; /* ND_FIELD: enum field_id; else -1 */
	enum nir_derive d;
	int list; /* the list a derived column reads, or -1 */
};

/* clang-format off */
#define NF(f) {#f, F_##f, ND_FIELD, -1}
static const struct nir_col nir_cols[] = {
    {"case_id", -1, ND_CASE_ID, -1},
    NF(national_id),
    NF(duf_number),
    NF(family_name),
    NF(given_name),
    NF(birth_date),
    NF(status),
    NF(regime),
    NF(programme_claim),
    NF(programme_decision),
    NF(programme_length_months),
    NF(extension_months),
    NF(programme_start),
    NF(programme_end),
    NF(hours_per_week),
    NF(end_goal),
    NF(norwegian_goal),
    NF(contract_date),
    NF(mapping_done),
    NF(career_guidance),
    NF(life_skills_done),
    NF(parenting_course_done),
    {"placements", -1, ND_PLACEMENTS, L_placements},
    {"leave_periods", -1, ND_LEAVE_PERIODS, L_leave},
    {"leave_days", -1, ND_LEAVE_DAYS, L_leave},
    {"last_leave_decision", -1, ND_LEAVE_DECISION, L_leave},
    {"absence_hours", -1, ND_ABSENCE_HOURS, L_attendance},
    {"unexcused_absence_hours", -1, ND_UNEXCUSED, L_attendance},
    {"stops", -1, ND_STOPS, L_stops},
    {"last_stop_decision", -1, ND_STOP_DECISION, L_stops},
    {"last_stop_kind", -1, ND_STOP_KIND, L_stops},
    NF(ended),
    NF(end_reason),
    NF(main_activity_at_end),
    NF(research_reservation),
    NF(has_upper_secondary),
    NF(nir_registered),
};
#undef NF
/* clang-format on */
#define NIR_COLS (sizeof nir_cols / sizeof nir_cols[0])

size_t export_nir_columns(const char **names, size_t cap)
{
	for (size_t i = 0; i < NIR_COLS && i < cap; i++)
		names[i] = nir_cols[i].name;
	return NIR_COLS;
}

/* The item fields a derived column reads. */
static bool nir_reads_item(const struct nir_col *c, int g)
{
	switch (c->d) {
	case ND_PLACEMENTS:
		return false;
	case ND_LEAVE_PERIODS:
		return false;
	case ND_LEAVE_DAYS:
		return g == I_leave_from || g == I_leave_to;
	case ND_LEAVE_DECISION:
		return g == I_leave_decision_date;
	case ND_ABSENCE_HOURS:
		return g == I_attendance_hours || g == I_attendance_absence_class;
	case ND_UNEXCUSED:
		return g == I_attendance_hours || g == I_attendance_absence_class;
	case ND_STOPS:
		return false;
	case ND_STOP_DECISION:
		return g == I_stops_decision_date;
	case ND_STOP_KIND:
		return g == I_stops_decision_date || g == I_stops_kind;
	case ND_FIELD:
	case ND_CASE_ID:
		break;
	}
	return false;
}

/* ---- the plan: what is written ------------------------------------------ */

#define SPOOL_BATCH_MAX 64

struct plan {
	store *st;
	const struct export_spec *spec;
	struct export_result *res;
	bool field[F_COUNT]; /* columns written */
	bool list[L_COUNT];  /* lists written (CSV, JSON Lines) */
	bool item[I_COUNT];  /* item columns written */
	bool col[NIR_COLS];  /* NIR columns written */
	bool want[F_COUNT];  /* decrypted by the writing pass */
	uint32_t lists;
	unsigned max_items[L_COUNT]; /* CSV: the most items a case has */
	int status;
	/* the cases of the first pass */
	uint64_t *ids;
	size_t nids, cap;
	/* writing: out is the spool while the scan runs */
	FILE *out, *dest;
	struct spool *spool;
	uint64_t batch[SPOOL_BATCH_MAX]; /* the spool's cases, for the audit log */
	size_t nbatch;
	uint64_t record; /* the export record's number */
	char sep;
	const char *eol;
	int err;
};

static bool readable(store *st, enum key_class c)
{
	return c == KC_NONE || store_can_read(st, c);
}

static bool list_readable(store *st, enum list_id l)
{
	return store_can_read(st, list_catalogue[l].cls);
}

/* An item field of a class other than its list's is in that class's
 * envelope: a field of the class asks for it to be opened. */
static void want_item_classes(struct plan *p)
{
	for (int g = 0; g < I_COUNT; g++) {
		enum key_class c = item_catalogue[g].f.cls;
		bool have = false;
		if (!p->item[g] || c == list_catalogue[item_catalogue[g].list].cls)
			continue;
		for (int f = 0; f < F_COUNT && !have; f++)
			have = p->want[f] && field_catalogue[f].cls == c;
		for (int f = 0; f < F_COUNT && !have; f++)
			if (field_catalogue[f].cls == c)
				have = p->want[f] = true;
	}
}

static void plan_columns(struct plan *p)
{
	const struct export_spec *s = p->spec;
	store *st = p->st;

	if (s->format == EXPORT_NIR) {
		for (size_t i = 0; i < NIR_COLS; i++) {
			const struct nir_col *c = &nir_cols[i];
			if (c->field >= 0) {
				p->col[i] = readable(st, field_catalogue[c->field].cls);
				if (p->col[i])
					p->want[c->field] = p->field[c->field] = true;
				else
					p->res->locked_field[c->field] = true;
				continue;
			}
			if (c->list < 0) {
				p->col[i] = true;
				continue;
			}
			bool ok = list_readable(st, (enum list_id)c->list);
			for (int g = 0; g < I_COUNT; g++)
				if (nir_reads_item(c, g) && !readable(st, item_catalogue[g].f.cls))
					ok = false;
			p->col[i] = ok;
			if (!ok) {
				p->res->locked_list[c->list] = true;
				continue;
			}
			p->list[c->list] = true;
			p->lists |= 1u << c->list;
			for (int g = 0; g < I_COUNT; g++)
				if (nir_reads_item(c, g))
					p->item[g] = true;
		}
		/* Who is a participant: a status from in_programme on, or a
		 * decision or start recorded (docs/nir.md). */
		return;
	}
	for (int f = 0; f < F_COUNT; f++) {
		if (s->fields && !s->fields[f])
			continue;
		if (!readable(st, field_catalogue[f].cls)) {
			p->res->locked_field[f] = true;
			continue;
		}
		p->field[f] = p->want[f] = true;
	}
	for (int l = 0; l < L_COUNT; l++) {
		if (s->fields ? !(s->lists && s->lists[l]) : false)
			continue;
		if (!list_readable(st, (enum list_id)l)) {
			p->res->locked_list[l] = true;
			continue;
		}
		p->list[l] = true;
		p->lists |= 1u << l;
		for (int g = 0; g < I_COUNT; g++) {
			if (item_catalogue[g].list != (enum list_id)l)
				continue;
			if (readable(st, item_catalogue[g].f.cls))
				p->item[g] = true;
			else
				p->res->locked_item[g] = true;
		}
	}
	want_item_classes(p);
}

/* ---- the first pass ----------------------------------------------------- */

static bool pick(void *ctx, const struct store_case_head *h)
{
	struct plan *p = ctx;

	if (p->status >= 0 && h->status != p->status)
		return false;
	if (p->spec->caseworker && strcmp(h->caseworker, p->spec->caseworker) != 0)
		return false;
	return true;
}

static int keep_id(struct plan *p, uint64_t id)
{
	if (p->nids == p->cap) {
		size_t cap = p->cap ? 2 * p->cap : 1024;
		uint64_t *grown = realloc(p->ids, cap * sizeof *grown);
		if (!grown)
			return st_err(p->st, NOMEM);
		p->ids = grown;
		p->cap = cap;
	}
	p->ids[p->nids++] = id;
	return M_OK;
}

static bool has(const struct case_rec *c, enum field_id f)
{
	return c->value[f] && c->len[f] && !c->locked[f];
}

static bool participant(const struct case_rec *c)
{
	int s = has(c, F_status) ? status_parse(c->value[F_status], c->len[F_status]) : -1;

	if (s == STATUS_in_programme || s == STATUS_on_leave || s == STATUS_stopped ||
	    s == STATUS_completed || s == STATUS_broken_off)
		return true;
	return has(c, F_programme_decision) || has(c, F_programme_start);
}

static int first_case(void *ctx, const struct case_rec *c)
{
	struct plan *p = ctx;

	if (p->spec->format == EXPORT_NIR && !participant(c))
		return M_OK;
	if (p->spec->format == EXPORT_CSV)
		for (int l = 0; l < L_COUNT; l++) {
			unsigned n = 0;
			if (!p->list[l])
				continue;
			for (int i = case_item_next(c, (enum list_id)l, 0); i >= 0;
			     i = case_item_next(c, (enum list_id)l, i + 1))
				n++;
			if (n > p->max_items[l])
				p->max_items[l] = n;
		}
	return keep_id(p, c->id);
}

/* ---- the record --------------------------------------------------------- */

static size_t record_key(uint8_t *k, char kind, uint64_t seq)
{
	memcpy(k, "export", 7); /* with its NUL */
	k[7] = (uint8_t)kind;
	if (kind != 'r')
		return 8;
	be64(k + 8, seq);
	return 16;
}

struct record_txn {
	struct plan *p;
	uint64_t seq;
};

static size_t put_name(uint8_t *b, const char *s)
{
	size_t n = s ? strlen(s) : 0;

	if (n > 63)
		n = 63;
	b[0] = (uint8_t)n;
	if (n)
		memcpy(b + 1, s, n);
	return 1 + n;
}

static int count_read(store *st, MDB_txn *txn, uint64_t *count)
{
	uint8_t k[16];
	size_t klen = record_key(k, 'n', 0);
	MDB_val key = {klen, k}, v;
	const uint8_t *body;
	size_t blen;
	int rc = st_get(st, txn, DB_META, k, klen, &v);

	*count = 0;
	if (rc < 0)
		return M_OK; /* no export yet */
	if (rc)
		return rc;
	if (st_sealed_open(st, &key, &v, &body, &blen) != M_OK || blen != 8)
		return st_err(st, EXPORT_LOG_FORGED);
	*count = rd64(body);
	return M_OK;
}

static int record_write(store *st, MDB_txn *txn, void *vctx)
{
	struct record_txn *r = vctx;
	struct plan *p = r->p;
	const struct export_spec *s = p->spec;
	uint8_t body[4096], k[16], n8[8];
	size_t at = 0, nf = 0, ni = 0;
	uint64_t count;
	int rc;

	if ((rc = st_load_epochs(st, txn)) || (rc = count_read(st, txn, &count)))
		return rc;
	body[at++] = EXPORT_RECORD_VERSION;
	be64(body + at, (uint64_t)st_now());
	at += 8;
	body[at++] = (uint8_t)s->format;
	body[at++] = (uint8_t)((s->excel ? 1 : 0) | (s->terminal ? 2 : 0));
	be64(body + at, (uint64_t)p->nids);
	at += 8;
	at += put_name(body + at, st->user);
	body[at++] = p->status >= 0 ? (uint8_t)p->status : 0xff;
	at += put_name(body + at, s->caseworker);
	for (int f = 0; f < F_COUNT; f++)
		nf += p->field[f];
	for (int g = 0; g < I_COUNT; g++)
		ni += p->item[g];
	be16(body + at, (uint16_t)nf);
	at += 2;
	for (int f = 0; f < F_COUNT; f++)
		if (p->field[f]) {
			be16(body + at, field_catalogue[f].number);
			at += 2;
		}
	be16(body + at, (uint16_t)ni);
	at += 2;
	for (int g = 0; g < I_COUNT; g++)
		if (p->item[g]) {
			be16(body + at, item_catalogue[g].f.number);
			at += 2;
		}
	r->seq = count + 1;
	if ((rc = st_sealed_put(st, txn, k, record_key(k, 'r', r->seq), body, at)))
		return rc;
	be64(n8, r->seq);
	return st_sealed_put(st, txn, k, record_key(k, 'n', 0), n8, 8);
}

/* ---- writing ------------------------------------------------------------ */

/* Bytes of a value: as they are into a file or a pipe; on a terminal
 * (--force), every character that must not reach one escaped. */
static void put(struct plan *p, const char *s, size_t n)
{
	if (!n)
		return;
	if (p->spec->terminal)
		text_write_safe(p->out, s, n, "");
	else
		fwrite(s, 1, n, p->out);
}

/* Excel runs a cell that starts with = + - @ as a formula (CSV injection):
 * in an --excel export such a text value gets a leading apostrophe, which
 * Excel shows as a text marker. A number (a phone number +47..., an
 * amount) is left as it is. */
static bool formula_like(const char *v, size_t n)
{
	if (!n)
		return false;
	if (v[0] == '=' || v[0] == '@')
		return true;
	if (v[0] == '+' || v[0] == '-') {
		for (size_t i = 1; i < n; i++)
			if ((v[i] < '0' || v[i] > '9') && v[i] != ' ' && v[i] != ',' && v[i] != '.')
				return true;
		return n == 1;
	}
	return false;
}

static void csv_value(struct plan *p, const char *v, size_t n)
{
	bool quote = false, guard = p->spec->excel && formula_like(v, n);

	for (size_t i = 0; i < n && !quote; i++)
		quote = v[i] == p->sep || v[i] == '"' || v[i] == '\n' || v[i] == '\r';
	if (!quote && !guard) {
		put(p, v, n);
		return;
	}
	fputc('"', p->out);
	if (guard)
		fputc('\'', p->out);
	for (size_t i = 0, from = 0; i <= n; i++) {
		if (i < n && v[i] != '"')
			continue;
		put(p, v + from, i - from);
		if (i < n)
			fputs("\"\"", p->out);
		from = i + 1;
	}
	fputc('"', p->out);
}

static void csv_text(struct plan *p, const char *s, bool *first)
{
	if (!*first)
		fputc(p->sep, p->out);
	*first = false;
	csv_value(p, s, strlen(s));
}

static void csv_header(struct plan *p)
{
	bool first = true;
	char name[128];

	if (p->spec->excel)
		fputs("\xef\xbb\xbf", p->out);
	if (p->spec->format == EXPORT_NIR) {
		for (size_t i = 0; i < NIR_COLS; i++)
			if (p->col[i])
				csv_text(p, nir_cols[i].name, &first);
		fputs(p->eol, p->out);
		return;
	}
	csv_text(p, "_id", &first);
	for (int f = 0; f < F_COUNT; f++)
		if (p->field[f])
			csv_text(p, field_catalogue[f].id, &first);
	for (int l = 0; l < L_COUNT; l++)
		for (unsigned n = 1; p->list[l] && n <= p->max_items[l]; n++)
			for (int g = 0; g < I_COUNT; g++) {
				if (item_catalogue[g].list != (enum list_id)l || !p->item[g])
					continue;
				snprintf(name, sizeof name, "%s.%u.%s", list_catalogue[l].id, n,
				         item_catalogue[g].f.id);
				csv_text(p, name, &first);
			}
	fputs(p->eol, p->out);
}

static void csv_number(struct plan *p, unsigned long long v)
{
	fprintf(p->out, "%llu", v);
}

static void csv_case(struct plan *p, const struct case_rec *c)
{
	fprintf(p->out, "%llu", (unsigned long long)c->id);
	for (int f = 0; f < F_COUNT; f++) {
		if (!p->field[f])
			continue;
		fputc(p->sep, p->out);
		if (has(c, (enum field_id)f))
			csv_value(p, c->value[f], c->len[f]);
	}
	for (int l = 0; l < L_COUNT; l++) {
		if (!p->list[l])
			continue;
		int i = case_item_next(c, (enum list_id)l, 0);
		for (unsigned n = 1; n <= p->max_items[l]; n++) {
			const struct case_item *it = i >= 0 ? &c->items[i] : NULL;
			for (int g = 0; g < I_COUNT; g++) {
				if (item_catalogue[g].list != (enum list_id)l || !p->item[g])
					continue;
				fputc(p->sep, p->out);
				if (it && it->value[g] && it->len[g] && !it->locked[g])
					csv_value(p, it->value[g], it->len[g]);
			}
			if (i >= 0)
				i = case_item_next(c, (enum list_id)l, i + 1);
		}
	}
	fputs(p->eol, p->out);
}

static void json_value(struct plan *p, const struct field_def *d, const char *v, size_t n)
{
	if (d->type == FT_BOOL)
		fputs(strcmp(v, "true") == 0 ? "true" : "false", p->out);
	else
		json_write_string(p->out, v, n);
}

static void jsonl_case(struct plan *p, const struct case_rec *c)
{
	fprintf(p->out, "{\"_id\": %llu", (unsigned long long)c->id);
	for (int f = 0; f < F_COUNT; f++) {
		if (!p->field[f] || !has(c, (enum field_id)f))
			continue;
		fprintf(p->out, ", \"%s\": ", field_catalogue[f].id);
		json_value(p, &field_catalogue[f], c->value[f], c->len[f]);
	}
	for (int l = 0; l < L_COUNT; l++) {
		int i = p->list[l] ? case_item_next(c, (enum list_id)l, 0) : -1;
		if (i < 0)
			continue;
		fprintf(p->out, ", \"%s\": [", list_catalogue[l].id);
		for (bool first = true; i >= 0; i = case_item_next(c, (enum list_id)l, i + 1)) {
			const struct case_item *it = &c->items[i];
			bool none = true;
			fputs(first ? "{" : ", {", p->out);
			first = false;
			for (int g = 0; g < I_COUNT; g++) {
				if (item_catalogue[g].list != (enum list_id)l || !p->item[g] ||
				    !it->value[g] || !it->len[g] || it->locked[g])
					continue;
				fprintf(p->out, "%s\"%s\": ", none ? "" : ", ",
				        item_catalogue[g].f.id);
				json_value(p, &item_catalogue[g].f, it->value[g], it->len[g]);
				none = false;
			}
			fputc('}', p->out);
		}
		fputc(']', p->out);
	}
	fputs("}\n", p->out);
}

static long item_days(const struct case_rec *c, int i, enum item_field_id f)
{
	const char *v = case_item_get(c, i, f);

	return v && *v ? date_days(v) : DAY_NONE;
}

/* Hours as stored ("37.5"), in tenths. */
static long tenths(const char *v)
{
	long whole = 0, tenth = 0;

	if (!v)
		return 0;
	for (; *v >= '0' && *v <= '9'; v++)
		whole = whole * 10 + (*v - '0');
	if (*v == '.' || *v == ',')
		tenth = v[1] >= '0' && v[1] <= '9' ? v[1] - '0' : 0;
	return whole * 10 + tenth;
}

static void nir_derived(struct plan *p, const struct case_rec *c, const struct nir_col *col)
{
	enum list_id l = (enum list_id)col->list;
	long n = 0, best = DAY_NONE;
	const char *kind = NULL;
	char iso[11];

	for (int i = case_item_next(c, l, 0); i >= 0; i = case_item_next(c, l, i + 1)) {
		const char *a;
		long from, to, d;
		switch (col->d) {
		case ND_PLACEMENTS:
		case ND_LEAVE_PERIODS:
		case ND_STOPS:
			n++;
			break;
		case ND_LEAVE_DAYS:
			from = item_days(c, i, I_leave_from);
			to = item_days(c, i, I_leave_to);
			if (from != DAY_NONE && to != DAY_NONE && to >= from)
				n += to - from + 1;
			break;
		case ND_LEAVE_DECISION:
		case ND_STOP_DECISION:
		case ND_STOP_KIND:
			d = item_days(c, i,
			              col->d == ND_LEAVE_DECISION ? I_leave_decision_date
			                                          : I_stops_decision_date);
			if (d != DAY_NONE && (best == DAY_NONE || d >= best)) {
				best = d;
				kind = case_item_get(c, i, I_stops_kind);
			}
			break;
		case ND_ABSENCE_HOURS:
		case ND_UNEXCUSED:
			a = case_item_get(c, i, I_attendance_absence_class);
			if (a && *a && (col->d == ND_ABSENCE_HOURS || strcmp(a, "unexcused") == 0))
				n += tenths(case_item_get(c, i, I_attendance_hours));
			break;
		case ND_FIELD:
		case ND_CASE_ID:
			break;
		}
	}
	switch (col->d) {
	case ND_LEAVE_DECISION:
	case ND_STOP_DECISION:
		if (best != DAY_NONE) {
			date_iso(best, iso);
			put(p, iso, 10);
		}
		break;
	case ND_STOP_KIND:
		if (kind && *kind)
			csv_value(p, kind, strlen(kind));
		break;
	case ND_ABSENCE_HOURS:
	case ND_UNEXCUSED:
		if (n % 10)
			fprintf(p->out, "%ld.%ld", n / 10, n % 10);
		else
			fprintf(p->out, "%ld", n / 10);
		break;
	default:
		fprintf(p->out, "%ld", n);
		break;
	}
}

static void nir_case(struct plan *p, const struct case_rec *c)
{
	bool first = true;

	for (size_t i = 0; i < NIR_COLS; i++) {
		const struct nir_col *col = &nir_cols[i];
		if (!p->col[i])
			continue;
		if (!first)
			fputc(p->sep, p->out);
		first = false;
		if (col->d == ND_CASE_ID)
			csv_number(p, c->id);
		else if (col->d == ND_FIELD && has(c, (enum field_id)col->field))
			csv_value(p, c->value[col->field], c->len[col->field]);
		else if (col->d != ND_FIELD)
			nir_derived(p, c, col);
	}
	fputs(p->eol, p->out);
}

/* A batch's output in secure memory. The writing pass writes a batch of
 * cases into it inside the batch's read transaction, and it goes to the
 * destination between batches (store_scan's between): a reader that stops
 * reading (a pager left open, ^Z) blocks the export outside any
 * transaction, so colleagues' saves go on reusing freed pages. The FILE
 * over it is unbuffered: no plaintext in stdio's heap buffer. */
struct spool {
	char *b;
	size_t n, cap;
};

#define SPOOL_BATCH 32 /* cases a batch: the spool stays some hundred KiB */
_Static_assert(SPOOL_BATCH <= SPOOL_BATCH_MAX, "a batch's cases are logged together");

static ssize_t spool_write(void *cookie, const char *buf, size_t len)
{
	struct spool *s = cookie;

	if (len > SIZE_MAX / 4 - s->n)
		return 0;
	if (s->n + len > s->cap) {
		size_t cap = s->cap ? s->cap : (size_t)64 * 1024;
		char *nb;
		while (cap < s->n + len)
			cap *= 2;
		if (!(nb = keys_secure_alloc(cap)))
			return 0; /* stdio: an error */
		if (s->n)
			memcpy(nb, s->b, s->n);
		keys_secure_free(s->b); /* wipes */
		s->b = nb;
		s->cap = cap;
	}
	memcpy(s->b + s->n, buf, len);
	s->n += len;
	return (ssize_t)len;
}

/* Each case of the batch in the audit log, before its bytes leave. */
static int log_batch_txn(store *st, MDB_txn *txn, void *ctx)
{
	struct plan *p = ctx;
	key_classes read = 0;
	char what[64];
	int rc = st_load_epochs(st, txn);

	for (int f = 0; f < F_COUNT; f++)
		if (p->want[f] && field_catalogue[f].cls != KC_NONE)
			read |= 1u << field_catalogue[f].cls;
	for (int l = 0; l < L_COUNT; l++)
		if (p->lists & (1u << l))
			read |= 1u << list_catalogue[l].cls;
	snprintf(what, sizeof what, "export record %llu", (unsigned long long)p->record);
	for (size_t i = 0; rc == M_OK && i < p->nbatch; i++)
		rc = st_audit(st, txn,
		              &(struct audit_event){.action = AUDIT_EXPORT, .case_id = p->batch[i],
		                                    .classes = read, .detail = what});
	return rc;
}

static int spool_out(void *ctx)
{
	struct plan *p = ctx;
	struct spool *s = p->spool;
	int rc;

	if (p->nbatch && (rc = st_txn(p->st, true, log_batch_txn, p))) {
		keys_wipe(s->b, s->n);
		s->n = 0;
		return rc;
	}
	p->nbatch = 0;
	fflush(p->out); /* unbuffered: nothing, but stdio's error state */
	if (s->n && fwrite(s->b, 1, s->n, p->dest) != s->n)
		p->err = M_UNAVAILABLE;
	keys_wipe(s->b, s->n);
	s->n = 0;
	if (!p->err && ferror(p->out))
		p->err = M_UNAVAILABLE;
	return p->err;
}

static int write_case(void *ctx, const struct case_rec *c)
{
	struct plan *p = ctx;

	if (p->spec->format == EXPORT_CSV)
		csv_case(p, c);
	else if (p->spec->format == EXPORT_JSONL)
		jsonl_case(p, c);
	else
		nir_case(p, c);
	p->res->cases++;
	if (p->nbatch < SPOOL_BATCH_MAX)
		p->batch[p->nbatch++] = c->id;
	if (ferror(p->out))
		return p->err = M_UNAVAILABLE;
	return M_OK;
}

int store_export(store *st, const struct export_spec *spec, FILE *out, struct export_result *res)
{
	struct plan p = {.st = st, .spec = spec, .res = res, .out = out, .status = -1};
	struct record_txn r = {&p, 0};
	bool first_want[F_COUNT] = {false};
	int rc;

	*res = (struct export_result){0};
	if (!st->kr)
		return st_err(st, NOT_UNLOCKED);
	if (st->role != ROLE_LEAD && st->role != ROLE_ADMIN)
		return st_err(st, EXPORT_NOT_PERMITTED);
	if (spec->status && (p.status = status_parse(spec->status, strlen(spec->status))) < 0)
		return st_err(st, EXPORT_STATUS_UNKNOWN);
	p.sep = spec->excel ? ';' : ',';
	p.eol = spec->excel ? "\r\n" : "\n";
	plan_columns(&p);

	/* The first pass: the header alone, but for what counting needs. */
	struct store_scan s1 = {.want = first_want, .pick = pick, .fn = first_case, .ctx = &p};
	if (spec->format == EXPORT_NIR) {
		first_want[F_status] = true;
		first_want[F_programme_decision] = true;
		first_want[F_programme_start] = true;
	} else if (spec->format == EXPORT_CSV) {
		s1.lists = p.lists;
	}
	if ((rc = store_scan(st, &s1)))
		goto out;

	/* A CSV that mappe import could not read back is refused before it
	 * is recorded. */
	if (spec->format == EXPORT_CSV) {
		unsigned long long cols = 1;
		for (int f = 0; f < F_COUNT; f++)
			cols += p.field[f];
		for (int g = 0; g < I_COUNT; g++)
			if (p.item[g])
				cols += p.max_items[item_catalogue[g].list];
		if (cols > CSV_MAX_FIELDS) {
			rc = st_err(st, EXPORT_TOO_MANY_COLUMNS, .n = cols, .m = CSV_MAX_FIELDS);
			goto out;
		}
	}

	/* The record, before the first byte. */
	if ((rc = st_txn(st, true, record_write, &r)))
		goto out;
	res->record = r.seq;
	p.record = r.seq;
	res->counted = p.nids;
	for (int f = 0; f < F_COUNT; f++)
		res->field[f] = p.field[f];
	for (int g = 0; g < I_COUNT; g++)
		res->item[g] = p.item[g];

	if (spec->format != EXPORT_JSONL)
		csv_header(&p);
	if (p.nids) {
		struct spool spool = {0};
		struct store_scan s2 = {.want = p.want,
		                        .lists = p.lists,
		                        .ids = p.ids,
		                        .nids = p.nids,
		                        .fn = write_case,
		                        .between = spool_out,
		                        .batch = SPOOL_BATCH,
		                        .ctx = &p};
		p.dest = out;
		p.spool = &spool;
		p.out = fopencookie(&spool, "w", (cookie_io_functions_t){.write = spool_write});
		if (!p.out || setvbuf(p.out, NULL, _IONBF, 0)) {
			rc = st_err(st, NOMEM);
		} else {
			rc = store_scan(st, &s2); /* spool_out after every batch */
		}
		if (p.out)
			fclose(p.out);
		keys_secure_free(spool.b);
		p.out = out;
		res->broken = s1.broken + s2.broken;
		if (rc == M_UNAVAILABLE && p.err)
			rc = st_err(st, EXPORT_WRITE_FAILED);
	} else {
		res->broken = s1.broken;
	}
	if (rc == M_OK && (fflush(out) != 0 || ferror(out)))
		rc = st_err(st, EXPORT_WRITE_FAILED);
out:
	free(p.ids);
	return rc;
}

/* ---- reading the records ------------------------------------------------ */

struct read_ctx {
	struct export_record *v;
	size_t n, cap;
	uint64_t count;
	bool have_count;
	int rc;
};

static size_t get_name(const uint8_t *b, size_t left, char out[64])
{
	size_t n = left ? b[0] : 0;

	if (!left || n > 63 || 1 + n > left)
		return 0;
	memcpy(out, b + 1, n);
	out[n] = 0;
	return 1 + n;
}

static int decode_record(const uint8_t *b, size_t n, struct export_record *r)
{
	size_t at = 0, k;

	if (n < 1 + 8 + 1 + 1 + 8 || b[0] != EXPORT_RECORD_VERSION)
		return -1;
	at = 1;
	r->at = (int64_t)rd64(b + at);
	at += 8;
	r->format = (enum export_format)b[at++];
	r->excel = b[at] & 1;
	r->terminal = (b[at++] & 2) != 0;
	r->cases = rd64(b + at);
	at += 8;
	if (!(k = get_name(b + at, n - at, r->user)))
		return -1;
	at += k;
	if (at >= n)
		return -1;
	r->status = b[at] == 0xff ? -1 : b[at];
	at++;
	if (!(k = get_name(b + at, n - at, r->caseworker)))
		return -1;
	at += k;
	for (int pass = 0; pass < 2; pass++) {
		if (at + 2 > n)
			return -1;
		unsigned cnt = rd16(b + at);
		at += 2;
		if (at + 2 * (size_t)cnt > n)
			return -1;
		for (unsigned i = 0; i < cnt; i++, at += 2) {
			int f = pass ? item_field_by_number(rd16(b + at))
			             : field_by_number(rd16(b + at));
			if (f < 0)
				continue; /* a field a later mappe knows */
			if (pass)
				r->item[f] = true;
			else
				r->field[f] = true;
		}
	}
	return 0;
}

static int read_one(store *st, const MDB_val *k, const uint8_t *body, size_t blen, void *vctx)
{
	struct read_ctx *ctx = vctx;
	const uint8_t *kb = k->mv_data;

	if (!body)
		return st_err(st, EXPORT_LOG_FORGED);
	if (k->mv_size == 8 && kb[7] == 'n') {
		if (blen != 8)
			return st_err(st, EXPORT_LOG_FORGED);
		ctx->count = rd64(body);
		ctx->have_count = true;
		return M_OK;
	}
	if (k->mv_size != 16 || kb[7] != 'r')
		return st_err(st, EXPORT_LOG_FORGED);
	if (ctx->n == ctx->cap) {
		size_t cap = ctx->cap ? 2 * ctx->cap : 16;
		struct export_record *grown = realloc(ctx->v, cap * sizeof *grown);
		if (!grown)
			return st_err(st, NOMEM);
		ctx->v = grown;
		ctx->cap = cap;
	}
	struct export_record *r = &ctx->v[ctx->n];
	*r = (struct export_record){0};
	r->seq = rd64(kb + 8);
	if (decode_record(body, blen, r) != 0)
		return st_err(st, EXPORT_LOG_FORGED);
	/* In key order: the records go 1, 2, 3 ... with none left out. */
	if (r->seq != ctx->n + 1)
		return st_err(st, EXPORT_LOG_MISSING, .n = ctx->n + 1);
	ctx->n++;
	return M_OK;
}

static int read_records(store *st, MDB_txn *txn, void *vctx)
{
	struct read_ctx *ctx = vctx;
	int rc;

	ctx->n = 0;
	ctx->have_count = false;
	if ((rc = st_load_epochs(st, txn)) ||
	    (rc = st_sealed_each(st, txn, "export", 7, read_one, ctx)))
		return rc;
	if (ctx->n && !ctx->have_count)
		return st_err(st, EXPORT_LOG_FORGED);
	if (ctx->have_count && ctx->count != ctx->n)
		return st_err(st, EXPORT_LOG_MISSING, .n = ctx->n + 1);
	return M_OK;
}

int store_export_records(store *st, struct export_record **out, size_t *n)
{
	struct read_ctx ctx = {0};
	int rc;

	*out = NULL;
	*n = 0;
	if (!st->kr)
		return st_err(st, NOT_UNLOCKED);
	if (st->role != ROLE_LEAD && st->role != ROLE_ADMIN)
		return st_err(st, EXPORT_NOT_PERMITTED);
	if ((rc = st_txn(st, false, read_records, &ctx))) {
		free(ctx.v);
		return rc;
	}
	*out = ctx.v;
	*n = ctx.n;
	return M_OK;
}

const char *export_format_name(enum export_format f)
{
	switch (f) {
	case EXPORT_CSV:
		return "csv";
	case EXPORT_JSONL:
		return "jsonl";
	case EXPORT_NIR:
		return "nir";
	}
	return "?";
}
