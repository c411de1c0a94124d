/* report.c: mappe report deadlines (cli.md), and the dispatch of the other reports. */
#include "tui/tui.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct due_row {
	uint64_t id;
	enum deadline_id d;
	long due;
	enum deadline_state state;
	char *name; /* given and family name, for the text report; wiped */
};

struct due_list {
	struct due_row *row;
	size_t n, cap;
	long today, soon;
	bool json;
};

static int collect(void *ctx, const struct case_rec *c, const struct deadline *d, size_t n)
{
	struct due_list *l = ctx;

	for (size_t i = 0; i < n; i++) {
		enum deadline_state s = deadline_state_on(d[i].due, l->today, l->soon);
		if (s == DS_LATER)
			continue;
		if (l->n == l->cap) {
			size_t cap = l->cap ? 2 * l->cap : 64;
			struct due_row *grown = realloc(l->row, cap * sizeof *grown);
			if (!grown)
				return M_UNAVAILABLE;
			l->row = grown;
			l->cap = cap;
		}
		struct due_row *r = &l->row[l->n++];
		*r = (struct due_row){c->id, d[i].id, d[i].due, s, NULL};
		if (!l->json) {
			const char *g = case_get(c, F_given_name), *f = case_get(c, F_family_name);
			size_t len = strlen(g ? g : "") + strlen(f ? f : "") + 2;
			if ((r->name = malloc(len)))
				snprintf(r->name, len, "%s %s", g ? g : "", f ? f : "");
		}
	}
	return M_OK;
}

static int by_due(const void *a, const void *b)
{
	const struct due_row *x = a, *y = b;

	if (x->due != y->due)
		return x->due < y->due ? -1 : 1;
	if (x->id != y->id)
		return x->id < y->id ? -1 : 1;
	return (int)x->d - (int)y->d;
}

int cmd_report(struct cli *cli)
{
	struct due_list l = {.json = cli->json};
	store *st;
	int rc;

	if (cli->argc >= 1 && strcmp(cli->argv[0], "access") == 0)
		return cmd_report_access(cli);
	if (cli->argc >= 1 && strcmp(cli->argv[0], "outside-caseload") == 0)
		return cmd_report_outside(cli);
	if (cli->audit_case || cli->since || cli->action || cli->names)
		return cli_fail(M_USAGE, _("an option given does not apply to 'mappe %s'; see mappe %s "
		                           "--help"),
		                "report", "report");
	if (cli->argc >= 1 && strcmp(cli->argv[0], "ledger") == 0)
		return cmd_report_ledger(cli);
	bool nir = cli->argc >= 1 && strcmp(cli->argv[0], "nir") == 0;
	if (cli->year)
		return cli_fail(M_USAGE, _("an option given does not apply to 'mappe %s'; see mappe %s "
		                           "--help"),
		                nir ? "report nir" : "report deadlines", "report");
	if (nir)
		return cmd_report_nir(cli);
	if (cli->argc != 1 || strcmp(cli->argv[0], "deadlines") != 0)
		return cli_fail(M_USAGE, _("usage: mappe report deadlines [--all] [--json] | ledger "
		                           "[--year Y] [--json] | nir [--json] | access ID [--json] "
		                           "[--names] | outside-caseload [--since DATE] [--json]"));
	if ((rc = cli_open(cli, &st)))
		return rc;
	l.today = st_today();
	const struct rule_row *soon = rule_at(RULE_soon_days, REGIME_ANY, l.today);
	l.soon = soon ? soon->value : 7;
	if ((rc = store_deadlines(st, cli->all, collect, &l))) {
		if (rc == M_UNAVAILABLE && store_fault(st)->code == E_NONE)
			cli_fail(rc, "out of memory");
		else
			cli_fail(rc, "%s", tui_error(st));
		goto out;
	}
	if (l.n)
		qsort(l.row, l.n, sizeof *l.row, by_due);
	for (size_t i = 0; i < l.n; i++) {
		const struct due_row *r = &l.row[i];
		char iso[11], shown[11];
		date_iso(r->due, iso);
		if (cli->json) {
			printf("{\"_id\": %llu, \"deadline\": \"%s\", \"due\": \"%s\", \"overdue\": %s, "
			       "\"soon\": %s}\n",
			       (unsigned long long)r->id, deadline_id_name(r->d), iso,
			       r->state == DS_OVERDUE ? "true" : "false",
			       r->state == DS_SOON ? "true" : "false");
			continue;
		}
		printf("%-10s  %-8s  %-6llu  ", date_for_people(iso, cli->norwegian, shown),
		       r->state == DS_OVERDUE ? _("overdue") : _("soon"), (unsigned long long)r->id);
		const char *label = deadline_label(r->d, cli->norwegian);
		printf("%-32s  ", label);
		if (r->name)
			text_write_safe(stdout, r->name, strlen(r->name), NULL);
		putchar('\n');
	}
	if (!cli->json && l.n == 0)
		cli_say(cli->all ? _("mappe: no deadline is overdue or due within %ld days\n")
		                 : _("mappe: no deadline in your caseload is overdue or due within %ld "
		                     "days\n"),
		        l.soon);
out:
	for (size_t i = 0; i < l.n; i++)
		if (l.row[i].name) {
			explicit_bzero(l.row[i].name, strlen(l.row[i].name));
			free(l.row[i].name);
		}
	free(l.row);
	store_close(st);
	return rc;
}
