/* nir.c: mappe report nir (cli.md): the registrable events not yet marked
 * as registered in NIR, with their deadlines and the yearly close. */
#include "tui/tui.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct nir_case {
	uint64_t id;
	char *name;                  /* given and family name, for the text report; wiped */
	char *caseworker;            /* clear in the header */
	bool no_reason, no_activity; /* the end recorded without them */
	size_t first, n;             /* its rows in nir_list.row */
};

struct nir_row {
	size_t c; /* its case in nir_list.cs */
	struct nir_pending p;
};

struct nir_list {
	struct nir_case *cs;
	size_t ncs, capcs;
	struct nir_row *row;
	size_t n, cap;
	long today;
	bool json;
};

static char *dup_of(const char *s)
{
	size_t len = strlen(s ? s : "") + 1;
	char *d = malloc(len);

	if (d)
		memcpy(d, s ? s : "", len);
	return d;
}

/* Empty and readable: locked is not known to be empty. */
static bool missing(const struct case_rec *c, enum field_id f)
{
	return !c->locked[f] && (!c->value[f] || !c->len[f]);
}

static int collect(void *ctx, const struct case_rec *c, const struct nir_pending *p, size_t n)
{
	struct nir_list *l = ctx;

	if (l->ncs == l->capcs) {
		size_t cap = l->capcs ? 2 * l->capcs : 64;
		struct nir_case *grown = realloc(l->cs, cap * sizeof *grown);
		if (!grown)
			return M_UNAVAILABLE;
		l->cs = grown;
		l->capcs = cap;
	}
	if (l->n + n > l->cap) {
		size_t cap = l->cap ? 2 * l->cap : 128;
		while (cap < l->n + n)
			cap *= 2;
		struct nir_row *grown = realloc(l->row, cap * sizeof *grown);
		if (!grown)
			return M_UNAVAILABLE;
		l->row = grown;
		l->cap = cap;
	}
	struct nir_case *k = &l->cs[l->ncs];
	*k = (struct nir_case){.id = c->id, .first = l->n, .n = n};
	if (!(k->caseworker = dup_of(case_get(c, F_caseworker))))
		return M_UNAVAILABLE;
	l->ncs++;
	if (!l->json) {
		const char *g = case_get(c, F_given_name), *f = case_get(c, F_family_name);
		size_t len = strlen(g ? g : "") + strlen(f ? f : "") + 2;
		if (!(k->name = malloc(len)))
			return M_UNAVAILABLE;
		snprintf(k->name, len, "%s %s", g ? g : "", f ? f : "");
	}
	k->no_reason = missing(c, F_end_reason);
	k->no_activity = missing(c, F_main_activity_at_end);
	for (size_t i = 0; i < n; i++)
		l->row[l->n++] = (struct nir_row){l->ncs - 1, p[i]};
	return M_OK;
}

/* The day the event is late from: its own deadline, or the close if that
 * comes first (a longer nir_months than the close leaves). */
static long late_from(const struct nir_pending *p)
{
	if (p->close != DAY_NONE && (p->due == DAY_NONE || p->close < p->due))
		return p->close;
	return p->due;
}

static int rows_by_due(const void *a, const void *b)
{
	const struct nir_row *x = a, *y = b;

	if (x->p.due != y->p.due)
		return x->p.due < y->p.due ? -1 : 1;
	if (x->c != y->c)
		return x->c < y->c ? -1 : 1;
	return (int)x->p.event - (int)y->p.event;
}

static const struct nir_list *sort_list;

/* A case's events come by due from the store: its first is its soonest. */
static int cases_by_due(const void *a, const void *b)
{
	const struct nir_case *x = a, *y = b;
	long dx = sort_list->row[x->first].p.due, dy = sort_list->row[y->first].p.due;

	if (dx != dy)
		return dx < dy ? -1 : 1;
	return x->id < y->id ? -1 : x->id > y->id;
}

static const char *day_shown(long day, bool norwegian, char iso[11], char shown[11])
{
	if (day == DAY_NONE)
		return "-";
	date_iso(day, iso);
	return date_for_people(iso, norwegian, shown);
}

/* Printed to a column width counted in characters, not bytes: the labels
 * are UTF-8 (ø, å). */
static void pad(const char *s, int width)
{
	int w = 0;

	fputs(s, stdout);
	for (const unsigned char *q = (const unsigned char *)s; *q; q++)
		w += (*q & 0xc0) != 0x80;
	for (; w < width; w++)
		putchar(' ');
}

static void print_json(const struct nir_list *l)
{
	for (size_t i = 0; i < l->n; i++) {
		const struct nir_row *r = &l->row[i];
		const struct nir_case *k = &l->cs[r->c];
		char date[11], due[11], close[11];

		date_iso(r->p.date, date);
		printf("{\"_id\": %llu, \"event\": \"%s\", \"date\": \"%s\", ",
		       (unsigned long long)k->id, nir_event_name(r->p.event), date);
		if (r->p.due == DAY_NONE)
			fputs("\"due\": null, ", stdout);
		else
			date_iso(r->p.due, due), printf("\"due\": \"%s\", ", due);
		if (r->p.close == DAY_NONE)
			fputs("\"close\": null, ", stdout);
		else
			date_iso(r->p.close, close), printf("\"close\": \"%s\", ", close);
		printf("\"overdue\": %s, \"caseworker\": ",
		       late_from(&r->p) != DAY_NONE && late_from(&r->p) < l->today ? "true"
		                                                                   : "false");
		json_write_string(stdout, k->caseworker, strlen(k->caseworker));
		if (r->p.event == NE_end) {
			/* What the end record needs besides its date (D16). */
			printf(", \"missing\": [%s%s%s]", k->no_reason ? "\"end_reason\"" : "",
			       k->no_reason && k->no_activity ? ", " : "",
			       k->no_activity ? "\"main_activity_at_end\"" : "");
		}
		fputs("}\n", stdout);
	}
}

static void print_text(const struct nir_list *l, bool norwegian)
{
	size_t late = 0;
	char iso[11], shown[11];

	for (size_t i = 0; i < l->n; i++)
		late += late_from(&l->row[i].p) != DAY_NONE && late_from(&l->row[i].p) < l->today;
	printf(_("Events not registered in NIR: %zu, overdue: %zu, in cases: %zu (today %s).\n"),
	       l->n, late, l->ncs, day_shown(l->today, norwegian, iso, shown));
	fputs(_("Each event is due two months after it, and every event of a year by NIR's\n"
	        "yearly close at the end of February of the next year, by the rules in force\n"
	        "(mappe rules list nir_months, nir_close_months).\n"),
	      stdout);
	for (size_t i = 0; i < l->ncs; i++) {
		const struct nir_case *k = &l->cs[i];
		printf(_("\nCase %llu  "), (unsigned long long)k->id);
		if (k->name)
			text_write_safe(stdout, k->name, strlen(k->name), NULL);
		printf("  %s ", _("caseworker"));
		if (*k->caseworker)
			text_write_safe(stdout, k->caseworker, strlen(k->caseworker), NULL);
		else
			putchar('-');
		fputs("\n  ", stdout);
		pad(_("Event"), 30);
		pad(_("Date"), 12);
		pad(_("Due"), 12);
		pad(_("Yearly close"), 0);
		putchar('\n');
		for (size_t j = k->first; j < k->first + k->n; j++) {
			const struct nir_pending *p = &l->row[j].p;
			long from = late_from(p);
			fputs("  ", stdout);
			pad(nir_event_label(p->event, norwegian), 30);
			pad(day_shown(p->date, norwegian, iso, shown), 12);
			pad(day_shown(p->due, norwegian, iso, shown), 12);
			pad(day_shown(p->close, norwegian, iso, shown), 10);
			if (from != DAY_NONE && from < l->today)
				printf("  %s", _("overdue"));
			if (p->event == NE_end && k->no_reason)
				printf("  %s", _("end reason missing"));
			if (p->event == NE_end && k->no_activity)
				printf("  %s", _("main activity at the end missing"));
			putchar('\n');
		}
	}
	printf(_("\nTo mark them registered: once a case is up to date in NIR, save the day in\n"
	         "its field nir_registered; every event up to that day then counts as registered:\n"
	         "  echo '{\"nir_registered\": \"%s\"}' | mappe update ID\n"),
	       day_shown(l->today, false, iso, shown));
}

static void list_free(struct nir_list *l)
{
	for (size_t i = 0; i < l->ncs; i++) {
		if (l->cs[i].name) {
			explicit_bzero(l->cs[i].name, strlen(l->cs[i].name));
			free(l->cs[i].name);
		}
		free(l->cs[i].caseworker);
	}
	free(l->cs);
	free(l->row);
}

int cmd_report_nir(struct cli *cli)
{
	struct nir_list l = {.json = cli->json};
	size_t unreadable = 0;
	store *st;
	int rc;

	if (cli->argc != 1 || cli->all)
		return cli_fail(M_USAGE, _("usage: mappe report nir [--json]"));
	if ((rc = cli_open(cli, &st)))
		return rc;
	l.today = st_today();
	if ((rc = store_nir_pending(st, collect, &l, &unreadable))) {
		if (rc == M_UNAVAILABLE && store_fault(st)->code == E_NONE)
			cli_fail(rc, "out of memory");
		else
			cli_fail(rc, "%s", tui_error(st));
		goto out;
	}
	if (cli->json) {
		if (l.n)
			qsort(l.row, l.n, sizeof *l.row, rows_by_due);
		print_json(&l);
	} else if (l.n) {
		/* The cases by their soonest event; the rows keep their case's
		 * index, so the cases are sorted alone, rows read through first. */
		sort_list = &l;
		qsort(l.cs, l.ncs, sizeof *l.cs, cases_by_due);
		sort_list = NULL;
		print_text(&l, cli->norwegian);
	} else {
		cli_say(_("mappe: every registrable event is registered in NIR\n"));
	}
	if (unreadable)
		cli_say(_("mappe: %zu cases could not be read and are left out (mappe check names "
		          "them)\n"),
		        unreadable);
out:
	list_free(&l);
	store_close(st);
	return rc;
}
