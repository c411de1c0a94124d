/* cmd/case.c: find, show, update, note, import, check. */
#include "tui/editor.h"
#include "tui/tui.h"

#include <errno.h>
#include <limits.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static int open_ready(const struct cli *cli, store **st)
{
	int rc = cli_open(cli, st);

	if (rc == M_OK && store_must_change_passphrase(*st)) {
		store_close(*st);
		*st = NULL;
		return cli_fail(M_AUTH, _("you must set a new passphrase first: run 'mappe passwd'"));
	}
	return rc;
}

static int fail_store(store *st, int rc)
{
	cli_fail(rc, "%s", tui_error(st));
	store_close(st);
	return rc;
}

/* ---- find --------------------------------------------------------------- */

static void print_json_str(const char *key, const char *v)
{
	printf(", \"%s\": ", key);
	if (v)
		json_write_string(stdout, v, strlen(v));
	else
		fputs("null", stdout);
}

/* One value of a find line as people read it (a status by its label, a date
 * DD.MM.YYYY in Norwegian): stored data, so escaped, and on one line. */
static void put_value(const struct cli *cli, const struct case_rec *c, enum field_id f,
                      const char *none, const char *after)
{
	char buf[64];
	const char *v = c->value[f], *shown = field_display(f, v, cli->norwegian, buf, sizeof buf);

	if (v)
		text_write_safe(stdout, shown, shown == v ? c->len[f] : strlen(shown), NULL);
	else
		fputs(none, stdout);
	fputs(after, stdout);
}

/* A hit's mark after its id: none for an exact match, "~" for a close one
 * (another spelling), "?" for a loose one (a typo, half a name). */
static char match_mark(enum search_match m)
{
	return m == SEARCH_CLOSE ? '~' : m == SEARCH_LOOSE ? '?' : ' ';
}

/* One hit as find prints it; line: its query's input line (--each-line),
 * 0 for none. */
static void print_hit(const struct cli *cli, const struct case_rec *c, enum search_match m,
                      size_t line)
{
	if (cli->json) {
		printf("{\"_id\": %llu, \"_version\": %u", (unsigned long long)c->id, c->version);
		print_json_str("status", c->value[F_status]);
		print_json_str("given_name", c->value[F_given_name]);
		print_json_str("family_name", c->value[F_family_name]);
		print_json_str("birth_date", c->value[F_birth_date]);
		printf(", \"match\": \"%s\"", search_match_name(m));
		if (line)
			printf(", \"line\": %zu", line);
		puts("}");
		return;
	}
	printf("%6llu%c ", (unsigned long long)c->id, match_mark(m));
	put_value(cli, c, F_given_name, "-", " ");
	put_value(cli, c, F_family_name, "-", "  ");
	put_value(cli, c, F_birth_date, "----------", "  ");
	put_value(cli, c, F_status, "", "  ");
	put_value(cli, c, F_caseworker, "", "\n");
}

/* Well-formed UTF-8 (no overlong form, no surrogate, nothing past
 * U+10FFFF): a line that is not is named, not searched. */
static bool utf8_ok(const char *s, size_t n)
{
	const unsigned char *u = (const unsigned char *)s;

	for (size_t i = 0; i < n;) {
		unsigned c = u[i], need, min;
		uint32_t cp;
		if (c < 0x80) {
			i++;
			continue;
		}
		if ((c & 0xe0) == 0xc0)
			need = 1, min = 0x80, cp = c & 0x1f;
		else if ((c & 0xf0) == 0xe0)
			need = 2, min = 0x800, cp = c & 0x0f;
		else if ((c & 0xf8) == 0xf0)
			need = 3, min = 0x10000, cp = c & 0x07;
		else
			return false;
		if (n - i <= need)
			return false;
		for (unsigned k = 1; k <= need; k++) {
			if ((u[i + k] & 0xc0) != 0x80)
				return false;
			cp = cp << 6 | (u[i + k] & 0x3f);
		}
		if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
			return false;
		i += need + 1;
	}
	return true;
}

/* ---- find --each-line ---------------------------------------------------- */

/* Queries answered, waiting for their hits to be logged (one write
 * transaction for the lot) and then printed. Ids, lines and counts only:
 * nothing personal. */
struct line_answer {
	size_t line;
	size_t total; /* hits */
	size_t first; /* its shown hits in batch.hit[first, first + shown) */
	size_t shown; /* at most --limit */
	bool broken;  /* not UTF-8: named, not searched */
};

struct line_batch {
	struct line_answer *q;
	size_t nq, qcap;
	struct search_hit *hit;
	size_t nhit, hcap;
	struct audit_event *ev;
	size_t evcap;
};

/* Hits a batch holds before it is logged and printed: one durable write
 * for this many cases opened, and never more than this many cards' ids
 * waiting. */
enum { LINE_BATCH_HITS = 256 };

static int batch_add(struct line_batch *b, size_t line, bool broken, const struct search_hit *h,
                     size_t n, size_t shown)
{
	if (b->nq == b->qcap) {
		size_t cap = b->qcap ? 2 * b->qcap : 64;
		void *p = realloc(b->q, cap * sizeof *b->q);
		if (!p)
			return M_UNAVAILABLE;
		b->q = p;
		b->qcap = cap;
	}
	if (b->nhit + shown > b->hcap) {
		size_t cap = b->hcap ? b->hcap : LINE_BATCH_HITS;
		void *p;
		while (cap < b->nhit + shown)
			cap *= 2;
		if (!(p = realloc(b->hit, cap * sizeof *b->hit)))
			return M_UNAVAILABLE;
		b->hit = p;
		b->hcap = cap;
	}
	b->q[b->nq++] = (struct line_answer){line, n, b->nhit, shown, broken};
	if (shown)
		memcpy(b->hit + b->nhit, h, shown * sizeof *h);
	b->nhit += shown;
	return M_OK;
}

/* Log every hit of the batch (one write transaction), then print each
 * query's answer in input order. A hit that cannot be read any more (a
 * colleague removed it meanwhile) is left out, as find leaves it out. */
static int batch_flush(const struct cli *cli, store *st, struct line_batch *b, bool *own)
{
	int rc;

	if (b->nhit > b->evcap) {
		void *p = realloc(b->ev, b->nhit * sizeof *b->ev);
		if (!p)
			return *own = true, M_UNAVAILABLE;
		b->ev = p;
		b->evcap = b->nhit;
	}
	for (size_t i = 0; i < b->nhit; i++)
		b->ev[i] = (struct audit_event){.action = AUDIT_SEARCH_OPEN,
		                                .case_id = b->hit[i].id,
		                                .classes = 1u << KC_IDENTITY};
	/* A result shown is a result opened: the entries first. */
	if ((rc = store_audit_batch(st, b->ev, b->nhit)))
		return rc;
	for (size_t k = 0; k < b->nq; k++) {
		const struct line_answer *a = &b->q[k];
		if (a->broken) {
			fflush(stdout);
			cli_fail(M_INPUT, _("line %zu: not valid UTF-8; not searched"), a->line);
			continue;
		}
		if (!cli->json) {
			if (a->total == 0)
				printf(_("line %zu: no matching case\n"), a->line);
			else if (a->shown < a->total)
				printf(_("line %zu: %zu cases, the first %zu shown\n"), a->line,
				       a->total, a->shown);
			else if (a->total == 1)
				printf(_("line %zu: 1 case\n"), a->line);
			else
				printf(_("line %zu: %zu cases\n"), a->line, a->total);
		}
		for (size_t i = a->first; i < a->first + a->shown; i++) {
			struct case_rec c;
			case_init(&c);
			if (store_case_get(st, b->hit[i].id, &c) == M_OK)
				print_hit(cli, &c, b->hit[i].match, a->line);
			case_clear(&c);
		}
	}
	b->nq = b->nhit = 0;
	if (fflush(stdout) || ferror(stdout))
		return *own = true, M_UNAVAILABLE;
	return M_OK;
}

static bool blank(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (s[i] != ' ' && s[i] != '\t')
			return false;
	return true;
}

/* Every line of in a query: one unlock, one index, hits logged a batch at
 * a time. *own: the failure is not the store's (memory, standard output). */
static int find_each_line(const struct cli *cli, store *st, search_index *ix, const char *in,
                          size_t len, bool *bad, bool *own)
{
	struct line_batch b = {0};
	size_t line = 0;
	int rc = M_OK;

	for (size_t at = 0; at < len && rc == M_OK;) {
		const char *s = in + at, *nl = memchr(s, '\n', len - at);
		size_t n = nl ? (size_t)(nl - s) : len - at;
		struct search_hit *hits = NULL;
		size_t nh = 0;
		at += n + (nl != NULL);
		line++;
		if (n && s[n - 1] == '\r')
			n--;
		if (blank(s, n))
			continue; /* counted, for the line numbers, but not searched */
		if (!utf8_ok(s, n) || memchr(s, 0, n)) {
			*bad = true;
			if ((rc = batch_add(&b, line, true, NULL, 0, 0)))
				*own = true;
		} else if ((rc = search_run(st, ix, s, n, &hits, &nh)) == M_OK) {
			size_t shown = nh < (size_t)cli->limit ? nh : (size_t)cli->limit;
			if ((rc = batch_add(&b, line, false, hits, nh, shown)))
				*own = true;
		}
		free(hits);
		if (rc == M_OK && b.nhit >= LINE_BATCH_HITS)
			rc = batch_flush(cli, st, &b, own);
	}
	if (rc == M_OK)
		rc = batch_flush(cli, st, &b, own);
	free(b.q);
	free(b.hit);
	free(b.ev);
	return rc;
}

int cmd_find(struct cli *cli)
{
	char *query = NULL;
	size_t qlen;
	search_index *ix = NULL;
	struct search_hit *hits = NULL;
	size_t n = 0;
	bool bad = false, own = false;
	store *st;
	int rc;

	if (cli->argc)
		return cli_fail(M_USAGE, _("the query is read from standard input, never from the "
		                           "command line: echo ... | mappe find"));
	if ((rc = open_ready(cli, &st)))
		return rc;
	if (isatty(STDIN_FILENO) && !cli->each_line) {
		/* Typed at a prompt: shown, but never in argv or shell history. */
		fputs(_("Search: "), stderr);
		rc = cli_read_line(STDIN_FILENO, &query, &qlen);
	} else {
		if (isatty(STDIN_FILENO))
			fputs(_("One query a line; end with Ctrl-D.\n"), stderr);
		rc = cli_read_all("-", &query, &qlen);
	}
	if (rc) {
		store_close(st);
		return rc;
	}
	if ((rc = search_index_load_names(st, &ix))) {
		keys_secure_free(query);
		return fail_store(st, rc);
	}
	if (cli->each_line) {
		rc = find_each_line(cli, st, ix, query, qlen, &bad, &own);
		keys_secure_free(query);
		search_index_free(ix);
		if (rc && own) {
			store_close(st);
			return cli_fail(M_UNAVAILABLE, _("cannot write the results: %s"),
			                strerror(errno));
		}
		if (rc)
			return fail_store(st, rc);
		store_close(st);
		return bad ? M_INPUT : M_OK;
	}
	if ((rc = search_run(st, ix, query, qlen, &hits, &n))) {
		keys_secure_free(query);
		search_index_free(ix);
		return fail_store(st, rc);
	}
	keys_secure_free(query);
	for (size_t i = 0; i < n && (long)i < cli->limit; i++) {
		struct case_rec c;
		case_init(&c);
		if (store_case_get(st, hits[i].id, &c) != M_OK) {
			case_clear(&c);
			continue;
		}
		/* A result shown is a result opened: its entry first. */
		if ((rc = store_audit(st, &(struct audit_event){.action = AUDIT_SEARCH_OPEN,
		                                                .case_id = c.id,
		                                                .classes = 1u << KC_IDENTITY}))) {
			case_clear(&c);
			free(hits);
			search_index_free(ix);
			return fail_store(st, rc);
		}
		print_hit(cli, &c, hits[i].match, 0);
		case_clear(&c);
	}
	if (!cli->json && n == 0)
		fputs(_("mappe: no matching case\n"), stderr);
	else if (!cli->json && (long)n > cli->limit)
		fprintf(stderr, _("mappe: %zu more; narrow the query or give --limit\n"),
		        n - (size_t)cli->limit);
	free(hits);
	search_index_free(ix);
	store_close(st);
	return M_OK;
}

/* ---- show --------------------------------------------------------------- */

/* Under the value column: two spaces, a 24-column label and one space. */
#define VALUE_INDENT "                           "

/* A label padded to its column by display width, not bytes: "Fødselsnummer"
 * is 13 columns in 14 bytes, and %-24s would leave its value one short. */
static void put_label(const char *indent, const char *label, int width)
{
	int used = 0;

	utf8_fit(label, INT_MAX, &used);
	fputs(indent, stdout);
	fputs(label, stdout);
	/* A label wider than the column has its value under the others' on
	 * the next line: "Settled by agreement with IMDi yes" reads as one. */
	if (used > width) {
		printf("\n%s%*s", indent, width + 1, "");
		return;
	}
	for (; used < width; used++)
		putchar(' ');
	putchar(' ');
}

/* A value as show prints it: field_display's (labels, ja/nei, DD.MM.YYYY
 * in Norwegian, grouped numbers), escaped, continuation lines indented. */
static void put_shown(const struct cli *cli, const struct field_def *d, const char *v, size_t len)
{
	char buf[64];
	const char *shown = field_def_display(d, v, cli->norwegian, buf, sizeof buf);

	text_write_safe(stdout, shown, shown == v ? len : strlen(shown), VALUE_INDENT);
	putchar('\n');
}

/* The computed stipend closes the finance group, heading it when no finance
 * field is shown (then only when computed), before the group `next`. */
static void show_stipend(const struct cli *cli, const struct case_stipend *cs, bool ok,
                         int *group, int next, bool *pending)
{
	char rate[320];

	if (!*pending || next <= GROUP_FINANCE || *group > GROUP_FINANCE ||
	    (!ok && *group != GROUP_FINANCE))
		return;
	if (*group != GROUP_FINANCE)
		printf("\n%s\n", field_group_label(GROUP_FINANCE, cli->norwegian));
	*group = GROUP_FINANCE;
	*pending = false;
	put_label("  ", _("Stipend (computed)"), 24);
	tui_stipend_text(cs, ok, cli->norwegian, rate, sizeof rate);
	text_write_safe(stdout, rate, strlen(rate), VALUE_INDENT);
	explicit_bzero(rate, sizeof rate);
	putchar('\n');
}

/* The same for show --json: members no update or import sets (the JSON
 * they read is flat: "_stipend" and "_stipend_*"). Only a rate computed:
 * what is missing for one the text and the screens say, and a member on
 * every case would be noise to whatever reads the JSON. */
static void show_stipend_json(const struct case_stipend *cs, bool ok)
{
	char d[11];

	if (!ok)
		return;
	date_iso(cs->g_from, d);
	printf(", \"_stipend\": %ld, \"_stipend_g\": %ld, \"_stipend_g_from\": \"%s\", "
	       "\"_stipend_in_g\": %ld, \"_stipend_thirds\": %d",
	       cs->now.annual, cs->now.g, d, cs->stipend_g, cs->now.thirds);
	if (cs->next != DAY_NONE) {
		date_iso(cs->next, d);
		printf(", \"_stipend_next\": \"%s\", \"_stipend_next_annual\": %ld", d,
		       cs->next_annual);
	}
}

static void show_text(const struct cli *cli, store *st, const struct case_rec *c,
                      bool notes_locked, bool no_notes)
{
	int group = -1;
	struct case_stipend cs;
	bool ok, stipend = tui_stipend(st, c, &cs, &ok);

	printf(_("Case %llu, version %u\n"), (unsigned long long)c->id, c->version);
	for (int f = 0; f < F_COUNT; f++) {
		const struct field_def *d = &field_catalogue[f];
		if (!c->value[f] && !c->locked[f])
			continue;
		if ((int)d->group != group) {
			show_stipend(cli, &cs, ok, &group, (int)d->group, &stipend);
			group = (int)d->group;
			printf("\n%s\n", field_group_label(d->group, cli->norwegian));
		}
		put_label("  ", field_label((enum field_id)f, cli->norwegian), 24);
		if (c->locked[f]) {
			printf(_("[locked: needs the %s key]\n"), _(keys_class_name(d->cls)));
			continue;
		}
		/* A code of IMDi's tables by its label, the code after it. */
		char label[200];
		if (d->check == CHECK_CODELIST &&
		    store_code_label(st, (enum code_table)(d->codes - 1), c->value[f],
		                     cli->norwegian, label, sizeof label) == M_OK) {
			text_write_safe(stdout, label, strlen(label), NULL);
			printf(" (%s)\n", c->value[f]);
			continue;
		}
		/* Continuation lines of an address line up under the value. */
		put_shown(cli, d, c->value[f], c->len[f]);
	}
	show_stipend(cli, &cs, ok, &group, GROUP_COUNT, &stipend);
	for (int l = 0; l < L_COUNT; l++) {
		const struct list_def *ld = &list_catalogue[l];
		int i = case_item_next(c, (enum list_id)l, 0);
		if (i < 0 && !c->list_locked[l])
			continue;
		printf("\n%s\n", list_label((enum list_id)l, cli->norwegian));
		if (c->list_locked[l]) {
			fputs("  ", stdout);
			printf(_("[locked: needs the %s key]\n"), _(keys_class_name(ld->cls)));
			continue;
		}
		for (; i >= 0; i = case_item_next(c, (enum list_id)l, i + 1)) {
			const struct case_item *it = &c->items[i];
			printf("  #%u\n", it->id);
			for (int g = 0; g < I_COUNT; g++) {
				const struct field_def *d = &item_catalogue[g].f;
				if ((int)item_catalogue[g].list != l || (!it->value[g] && !it->locked[g]))
					continue;
				put_label("    ", cli->norwegian ? d->label_nb : d->label_en, 22);
				if (it->locked[g]) {
					printf(_("[locked: needs the %s key]\n"),
					       _(keys_class_name(d->cls)));
					continue;
				}
				put_shown(cli, d, it->value[g], it->len[g]);
			}
		}
	}
	printf("\n%s\n", "Journal"); /* the same word in both languages */
	if (notes_locked)
		printf(_("  [locked: needs the notes key]\n"));
	else if (no_notes)
		printf(_("  (no notes)\n"));
}

static void show_notes(const struct note *notes, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		char when[32];
		printf("  %s  ", cli_time(notes[i].time, true, when));
		text_write_safe(stdout, notes[i].author, strlen(notes[i].author), NULL);
		printf("  %s%s\n    ", tui_note_kind(notes[i].kind),
		       notes[i].interpreter_used ? _(", interpreter") : "");
		text_write_safe(stdout, notes[i].text, notes[i].len, "    ");
		putchar('\n');
	}
}

/* Notes per page of show: its memory stays bounded however long the journal. */
enum { SHOW_PAGE = 256 };

int cmd_show(struct cli *cli)
{
	struct case_rec c;
	struct note_page pg;
	bool notes_locked;
	const char *purpose = NULL; /* the session's: "mappe show" */
	int op = -1;
	uint64_t id;
	store *st;
	int rc;

	if (cli->argc != 1)
		return cli_fail(M_USAGE, _("usage: mappe show ID [--json] [--purpose CODE]"));
	if ((rc = cli_parse_id(cli->argv[0], &id)))
		return rc;
	if (cli->purpose && (op = outside_purpose_parse(cli->purpose)) < 0)
		return cli_fail(M_USAGE,
		                _("--purpose expects standing-in, duty, asked, contacted or other"));
	if ((rc = open_ready(cli, &st)))
		return rc;
	case_init(&c);
	note_page_init(&pg);
	if ((rc = store_case_get(st, id, &c)))
		goto fail;
	/* Outside the caseload, the reason the user gave, or a reminder. */
	const char *cw = case_get(&c, F_caseworker);
	if (outside_purpose_asked(st, cw ? cw : "")) {
		if (op >= 0)
			purpose = outside_purpose_stored((enum outside_purpose)op);
		else
			cli_say("%s\n", _("mappe: case not in your caseload: give the reason with "
			                  "--purpose (see mappe show --help)"));
	}
	if ((rc = store_audit(st, &(struct audit_event){.action = AUDIT_OPEN,
	                                                 .case_id = id,
	                                                 .classes = store_readable(st),
	                                                 .purpose = purpose})))
		goto fail;
	notes_locked = !store_can_read(st, KC_NOTES);
	if (!notes_locked && (rc = store_notes_read(st, id, 0, SHOW_PAGE, &pg)))
		goto fail;
	if (cli->json)
		case_write_json_begin(stdout, &c, notes_locked);
	else
		show_text(cli, st, &c, notes_locked, pg.total == 0);
	/* Page by page, each its own read transaction; notes are only ever
	 * appended, so reading on from the last one read misses none. */
	for (size_t done = 0; pg.n;) {
		uint32_t next = pg.from + (uint32_t)pg.n;
		if (cli->json)
			case_write_json_notes(stdout, pg.notes, pg.n, pg.from, done == 0);
		else
			show_notes(pg.notes, pg.n);
		done += pg.n;
		if (next >= pg.total)
			break;
		if ((rc = store_notes_read(st, id, next, SHOW_PAGE, &pg)))
			goto fail;
	}
	if (cli->json) {
		/* case_write_json_end, with the computed stipend before the brace. */
		struct case_stipend cs;
		bool ok;
		if (!notes_locked)
			fputs("]", stdout);
		if (tui_stipend(st, &c, &cs, &ok))
			show_stipend_json(&cs, ok);
		fputs("}\n", stdout);
	}
	note_page_clear(&pg);
	case_clear(&c);
	store_close(st);
	return M_OK;
fail:
	note_page_clear(&pg);
	case_clear(&c);
	return fail_store(st, rc);
}

/* ---- update ------------------------------------------------------------- */

/* The JSON object on stdin applied to a new record c for case id (0: a
 * new case), with the store open and unlocked in *st. On failure it has
 * said why and left nothing open. */
static int case_from_stdin(struct cli *cli, uint64_t id, struct case_rec *c, uint32_t *expect,
                           store **st)
{
	struct store_fault fault;
	char *json;
	size_t len;
	int rc;

	if ((rc = cli_read_all("-", &json, &len)))
		return rc;
	if ((rc = open_ready(cli, st))) {
		keys_secure_free(json);
		return rc;
	}
	case_init(c);
	c->id = id;
	rc = case_apply_json(c, json, len, expect, &fault);
	keys_secure_free(json);
	if (rc) {
		case_clear(c);
		store_close(*st);
		return cli_fail(rc, "%s", tui_fault(&fault));
	}
	return M_OK;
}

int cmd_update(struct cli *cli)
{
	struct case_rec c;
	uint32_t expect;
	uint64_t id;
	store *st;
	int rc;

	if (cli->argc != 1)
		return cli_fail(M_USAGE, _("usage: mappe update ID < changes.json"));
	if ((rc = cli_parse_id(cli->argv[0], &id)))
		return rc;
	if ((rc = case_from_stdin(cli, id, &c, &expect, &st)))
		return rc;
	rc = store_case_update(st, &c, expect);
	if (rc) {
		case_clear(&c);
		return fail_store(st, rc);
	}
	if (c.version)
		fprintf(stderr, _("mappe: case %llu saved (version %u)\n"), (unsigned long long)id,
		        c.version);
	else
		fprintf(stderr, _("mappe: case %llu: nothing to change\n"), (unsigned long long)id);
	case_clear(&c);
	store_close(st);
	return M_OK;
}

/* ---- add ---------------------------------------------------------------- */

/* One new case from a JSON object on stdin, as update reads it; the store
 * refuses a national id another case holds, naming that case. */
int cmd_add(struct cli *cli)
{
	struct case_rec c;
	uint32_t expect;
	uint64_t id = 0;
	store *st;
	int rc;

	if (cli->argc != 0)
		return cli_fail(M_USAGE, _("usage: mappe add < case.json"));
	if ((rc = case_from_stdin(cli, 0, &c, &expect, &st)))
		return rc;
	if (expect)
		rc = cli_fail(M_INPUT, _("stdin: _version is for update; a new case has none"));
	else if ((rc = store_case_insert(st, &c, 1, &id)) != M_OK) {
		case_clear(&c);
		return fail_store(st, rc);
	}
	case_clear(&c);
	store_close(st);
	if (rc == M_OK)
		printf("%llu\n", (unsigned long long)id);
	return rc;
}

/* ---- note --------------------------------------------------------------- */

int cmd_note(struct cli *cli)
{
	enum note_kind kind = NOTE_OTHER;
	char *text;
	size_t len;
	uint64_t id;
	store *st;
	int rc;

	if (cli->argc != 2 || strcmp(cli->argv[0], "add") != 0)
		return cli_fail(M_USAGE, _("usage: mappe note add ID [--kind KIND] < text"));
	if ((rc = cli_parse_id(cli->argv[1], &id)))
		return rc;
	if (cli->kind && note_kind_parse(cli->kind, &kind) != 0)
		return cli_fail(M_USAGE, _("--kind expects home_visit, meeting, phone or other"));
	if ((rc = cli_read_all("-", &text, &len)))
		return rc;
	while (len && (text[len - 1] == '\n' || text[len - 1] == '\r' || text[len - 1] == ' '))
		text[--len] = 0;
	if (len == 0 || len > NOTE_MAX_BYTES || memchr(text, 0, len)) {
		keys_secure_free(text);
		return cli_fail(M_INPUT, _("stdin: a note needs 1 to %d bytes of text and no NUL"),
		                NOTE_MAX_BYTES);
	}
	if ((rc = open_ready(cli, &st))) {
		keys_secure_free(text);
		return rc;
	}
	rc = store_note_add(st, id, kind, cli->interpreter, text, len);
	keys_secure_free(text);
	if (rc)
		return fail_store(st, rc);
	fprintf(stderr, _("mappe: note added to case %llu\n"), (unsigned long long)id);
	store_close(st);
	return M_OK;
}

/* ---- import ------------------------------------------------------------- */

static bool ends_with(const char *s, const char *suffix)
{
	size_t n = strlen(s), m = strlen(suffix);
	return n >= m && strcmp(s + n - m, suffix) == 0;
}

int cmd_import(struct cli *cli)
{
	const char *path = cli->argc ? cli->argv[0] : "-";
	const char *name = strcmp(path, "-") == 0 ? "stdin" : path;
	enum import_format fmt = IMPORT_CSV;
	uint64_t *ids;
	size_t n, len;
	char *buf;
	store *st;
	int rc;

	if (cli->argc > 1)
		return cli_fail(M_USAGE, _("usage: mappe import [FILE|-] [--format csv|jsonl]"));
	if (cli->format && strcmp(cli->format, "jsonl") == 0)
		fmt = IMPORT_JSONL;
	else if (cli->format && strcmp(cli->format, "csv") != 0)
		return cli_fail(M_USAGE, _("--format expects csv or jsonl"));
	else if (!cli->format && (ends_with(path, ".jsonl") || ends_with(path, ".ndjson")))
		fmt = IMPORT_JSONL;
	if ((rc = cli_read_input(cli, path, &buf, &len)))
		return rc;
	if ((rc = open_ready(cli, &st))) {
		keys_secure_free(buf);
		return rc;
	}
	if (store_role(st) != ROLE_LEAD && store_role(st) != ROLE_ADMIN) {
		keys_secure_free(buf);
		store_close(st);
		return cli_fail(M_AUTH, _("not permitted: import is for leads and administrators"));
	}
	rc = store_import(st, name, buf, len, fmt, cli->dry_run, &ids, &n);
	keys_secure_free(buf);
	if (rc) {
		cli_fail(rc, "%s", tui_error(st));
		store_close(st);
		return rc;
	}
	if (cli->dry_run)
		cli_say(_("mappe: %s: %zu cases valid; nothing written (--dry-run)\n"), name, n);
	for (size_t i = 0; i < n && ids; i++)
		printf("%llu\n", (unsigned long long)ids[i]);
	free(ids);
	store_close(st);
	return M_OK;
}

/* ---- check -------------------------------------------------------------- */

/* What check found comes from the file, which may be planted: through
 * text_write_safe, never printf, so no sequence in it reaches the terminal. */
static void report_broken(void *ctx, uint64_t id, const struct store_fault *what)
{
	const char *msg = tui_fault(what);

	(void)ctx;
	if (id && !store_code_names_case(what->code))
		printf(_("case %llu: "), (unsigned long long)id);
	text_write_safe(stdout, msg, strlen(msg), NULL);
	putchar('\n');
}

int cmd_check(struct cli *cli)
{
	size_t checked = 0;
	store *st;
	int rc;

	if (cli->argc)
		return cli_fail(M_USAGE, _("usage: mappe check"));
	if ((rc = open_ready(cli, &st)))
		return rc;
	rc = store_check(st, report_broken, NULL, &checked);
	if (rc)
		return fail_store(st, rc);
	printf(_("%zu cases checked: every field, note and index entry authenticates\n"), checked);
	if (store_can_read(st, KC_AUDIT))
		printf("%s", _("the audit log: its chain unbroken, and every case as its last entry "
		               "recorded it\n"));
	store_close(st);
	return M_OK;
}
