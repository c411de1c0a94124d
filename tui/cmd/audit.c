/* audit.c: reading the audit log (cli.md): mappe audit, and the reports
 * made from it: the access report of one case for the person it is about
 * (GDPR art. 15; CJEU C-579/21: the dates and purposes of every access are
 * owed, the staff's names are not) and the consultations outside each
 * caseworker's caseload, for a lead's review. Reading the log is itself
 * an entry of it (audit-read), written before anything is shown. */
#include "tui/tui.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* The kinds of information about the person an access report names: not
 * the record class (every case's header) nor the log's own. */
#define PERSON_CLASSES (~((1u << KC_RECORD) | (1u << KC_AUDIT)))

static const char NOT_PERMITTED[] =
    N_("not permitted: the audit log and the reports from it are for leads and administrators");

/* What an entry's action was, for people. */
const char *audit_action_label(enum audit_action a)
{
	switch (a) {
	case AUDIT_UNLOCK:
		return _("Logged in");
	case AUDIT_UNLOCK_FAILED:
		return _("Wrong passphrase");
	case AUDIT_OPEN:
		return _("Opened");
	case AUDIT_SEARCH_OPEN:
		return _("Opened from a search");
	case AUDIT_CREATE:
		return _("Registered");
	case AUDIT_CHANGE:
		return _("Changed");
	case AUDIT_NOTE:
		return _("Note added");
	case AUDIT_EXPORT:
		return _("Exported");
	case AUDIT_PRINT:
		return _("Printed");
	case AUDIT_REVEAL:
		return _("Hidden field shown");
	case AUDIT_KEYS:
		return _("Key operation");
	case AUDIT_USER:
		return _("User changed");
	case AUDIT_BLOCK:
		return _("Blocked");
	case AUDIT_ARCHIVE:
		return _("Handed to the archive");
	case AUDIT_DESTROY:
		return _("Disposable information destroyed");
	case AUDIT_BACKUP:
		return _("Backup made");
	case AUDIT_REWRITE:
		return _("Re-encrypted");
	case AUDIT_AUDIT_READ:
		return _("Access log read");
	case AUDIT_PRUNE:
		return _("Old log entries removed");
	}
	return audit_action_name(a);
}

/* The purposes mappe writes, for people: a screen's ("screen: Cases",
 * its title as ui.h has it) with the title translated; a command's
 * ("mappe show") as it is; these, translated; any other as it is. */
static const char *const purposes[] = {
    N_("login"),
    N_("access report"),
    N_("outside-caseload report"),
};

static const char *const outside_codes[] = {
#define OUTSIDE_PURPOSE_CODE(name, code, label) code,
    OUTSIDE_PURPOSES(OUTSIDE_PURPOSE_CODE)
#undef OUTSIDE_PURPOSE_CODE
};
static const char *const outside_labels[] = {
#define OUTSIDE_PURPOSE_LABEL(name, code, label) label,
    OUTSIDE_PURPOSES(OUTSIDE_PURPOSE_LABEL)
#undef OUTSIDE_PURPOSE_LABEL
};

const char *outside_purpose_code(enum outside_purpose p)
{
	return (unsigned)p < OP_COUNT ? outside_codes[p] : "?";
}

const char *outside_purpose_label(enum outside_purpose p)
{
	return (unsigned)p < OP_COUNT ? _(outside_labels[p]) : "?";
}

int outside_purpose_parse(const char *code)
{
	for (int i = 0; code && i < OP_COUNT; i++)
		if (strcmp(outside_codes[i], code) == 0)
			return i;
	return -1;
}

const char *outside_purpose_stored(enum outside_purpose p)
{
	static char buf[64];

	snprintf(buf, sizeof buf, "outside: %s", outside_purpose_code(p));
	return buf;
}

bool outside_purpose_asked(const store *st, const char *caseworker)
{
	enum key_role r = store_role(st);

	if (r != ROLE_CASEWORKER && r != ROLE_HEALTH)
		return false;
	return !caseworker || strcmp(caseworker, store_user(st)) != 0;
}

const char *audit_purpose_label(const char *purpose)
{
	static char buf[160];
	int op;

	if (strncmp(purpose, "outside: ", 9) == 0 && (op = outside_purpose_parse(purpose + 9)) >= 0) {
		snprintf(buf, sizeof buf, _("outside caseload: %s"),
		         outside_purpose_label((enum outside_purpose)op));
		return buf;
	}
	if (strncmp(purpose, "screen: ", 8) == 0) {
		snprintf(buf, sizeof buf, _("screen: %s"), _(purpose + 8));
		return buf;
	}
	for (size_t i = 0; i < sizeof purposes / sizeof *purposes; i++)
		if (strcmp(purposes[i], purpose) == 0)
			return _(purposes[i]);
	return purpose;
}

void audit_classes_text(key_classes k, char *out, size_t cap)
{
	size_t off = 0;

	out[0] = 0;
	for (unsigned c = 0; c < KC_COUNT && off < cap; c++)
		if (k & (1u << c))
			off += (size_t)snprintf(out + off, cap - off, "%s%s", off ? ", " : "",
			                        _(keys_class_name((enum key_class)c)));
}

int cli_since(const char *s, int64_t *out)
{
	char iso[11];
	const char *why;
	struct tm tm = {0};

	*out = 0;
	if (!s)
		return M_OK;
	if ((why = date_normalise(s, iso)))
		return cli_fail(M_USAGE, "--since: %s", _(why));
	tm.tm_year = (int)strtol(iso, NULL, 10) - 1900;
	tm.tm_mon = (int)strtol(iso + 5, NULL, 10) - 1;
	tm.tm_mday = (int)strtol(iso + 8, NULL, 10);
	tm.tm_isdst = -1;
	time_t t = mktime(&tm);
	if (t == (time_t)-1)
		return cli_fail(M_USAGE, "--since: %s", _("not a date"));
	*out = (int64_t)t;
	return M_OK;
}

/* ISO 8601 in local time with its offset: 2026-12-01T09:12:03+01:00. */
static void json_time(int64_t t)
{
	time_t tt = (time_t)t;
	struct tm tm;
	char buf[40];

	if (!localtime_r(&tt, &tm) || strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%S%z", &tm) == 0) {
		fputs("null", stdout);
		return;
	}
	size_t n = strlen(buf); /* +0100 -> +01:00 */
	if (n >= 5) {
		memmove(buf + n - 1, buf + n - 2, 3);
		buf[n - 2] = ':';
	}
	printf("\"%s\"", buf);
}

static void json_classes(key_classes k)
{
	bool first = true;

	putchar('[');
	for (unsigned c = 0; c < KC_COUNT; c++)
		if (k & (1u << c)) {
			printf("%s\"%s\"", first ? "" : ", ", keys_class_name((enum key_class)c));
			first = false;
		}
	putchar(']');
}

static void json_str(const char *s)
{
	json_write_string(stdout, s, strlen(s));
}

/* Written in the column's width, whatever it holds (a terminal's). */
static void cell(const char *s, int width)
{
	size_t len = strlen(s);
	int shown = 0;

	text_write_safe(stdout, s, len, NULL);
	/* Display width: what is not ASCII counts a column a character. */
	for (size_t i = 0; i < len; i++)
		if (((unsigned char)s[i] & 0xc0) != 0x80)
			shown++;
	for (; shown < width; shown++)
		putchar(' ');
}

static const char *when(int64_t t, bool norwegian, char buf[32])
{
	char iso[32], shown[11];

	cli_time(t, true, iso);
	if (strlen(iso) != 16)
		return snprintf(buf, 32, "%s", iso), buf;
	iso[10] = 0;
	snprintf(buf, 32, "%s %s", date_for_people(iso, norwegian, shown), iso + 11);
	return buf;
}

static int permitted(store *st)
{
	enum key_role r = store_role(st);

	if (r != ROLE_LEAD && r != ROLE_ADMIN)
		return cli_fail(M_AUTH, "%s", _(NOT_PERMITTED));
	return M_OK;
}

/* The read, logged before anything of it is shown. */
static int log_read(store *st, uint64_t id, const char *purpose, const char *detail)
{
	if (store_audit(st, &(struct audit_event){.action = AUDIT_AUDIT_READ,
	                                          .case_id = id,
	                                          .purpose = purpose,
	                                          .detail = detail}) != M_OK)
		return cli_fail(store_fault(st)->code == E_NONE
		                    ? M_UNAVAILABLE
		                    : store_code_status(store_fault(st)->code),
		                "%s", tui_error(st));
	return M_OK;
}

static int open_for_review(struct cli *cli, store **st)
{
	int rc = cli_open(cli, st);

	if (rc)
		return rc;
	if ((rc = permitted(*st))) {
		store_close(*st);
		*st = NULL;
	}
	return rc;
}

/* ---- mappe audit ---------------------------------------------------------- */

struct listing {
	const struct cli *cli;
	size_t n;
};

static void list_heading(void)
{
	cell(_("Entry"), 6);
	fputs("  ", stdout);
	cell(_("Time"), 16);
	fputs("  ", stdout);
	cell(_("User"), 12);
	fputs("  ", stdout);
	cell(_("Action"), 13);
	fputs("  ", stdout);
	cell(_("Case"), 6);
	fputs("  ", stdout);
	cell(_("Ver."), 5);
	fputs("  ", stdout);
	cell(_("Purpose"), 20);
	printf("  %s\n", _("Classes; detail"));
}

static int list_entry(void *ctx, const struct audit_entry *e)
{
	struct listing *l = ctx;
	char t[32], cls[160];

	if (l->n++ == 0 && !l->cli->json)
		list_heading();
	if (l->cli->json) {
		printf("{\"seq\": %llu, \"time\": ", (unsigned long long)e->seq);
		json_time(e->time);
		if (!e->opened) {
			fputs(", \"sealed\": true}\n", stdout);
			return M_OK;
		}
		fputs(", \"user\": ", stdout);
		json_str(e->user);
		printf(", \"action\": \"%s\"", audit_action_name(e->action));
		if (e->case_id)
			printf(", \"_id\": %llu", (unsigned long long)e->case_id);
		if (e->version)
			printf(", \"version\": %u", e->version);
		fputs(", \"classes\": ", stdout);
		json_classes(e->classes);
		fputs(", \"purpose\": ", stdout);
		json_str(e->purpose);
		if (e->detail[0]) {
			fputs(", \"detail\": ", stdout);
			json_str(e->detail);
		}
		fputs("}\n", stdout);
		return M_OK;
	}
	printf("%6llu  %-16s  ", (unsigned long long)e->seq, when(e->time, l->cli->norwegian, t));
	if (!e->opened) {
		printf("%s\n", _("(sealed: no key for this entry's epoch)"));
		return M_OK;
	}
	cell(e->user, 12);
	printf("  %-13s  ", audit_action_name(e->action));
	if (e->case_id)
		printf("%-6llu  ", (unsigned long long)e->case_id);
	else
		printf("%-6s  ", "-");
	if (e->version)
		printf("v%-4u  ", e->version);
	else
		printf("%-5s  ", "");
	cell(e->purpose, 20);
	audit_classes_text(e->classes, cls, sizeof cls);
	printf("  %s", cls);
	if (e->detail[0]) {
		fputs(cls[0] ? "; " : "", stdout);
		text_write_safe(stdout, e->detail, strlen(e->detail), NULL);
	}
	putchar('\n');
	return M_OK;
}

int cmd_audit(struct cli *cli)
{
	struct audit_filter f = {.action = -1, .user = cli->audit_user};
	struct listing l = {.cli = cli};
	store *st;
	int rc;

	/* verify and prune are the lead's (verify.c). */
	if (cli->argc >= 1 &&
	    (strcmp(cli->argv[0], "verify") == 0 || strcmp(cli->argv[0], "prune") == 0)) {
		if (cli->audit_case || cli->audit_user || cli->since || cli->action || cli->json)
			return cli_fail(M_USAGE, "%s",
			                cli->argv[0][0] == 'v'
			                    ? _("usage: mappe audit verify [--syslog FILE]")
			                    : _("usage: mappe audit prune [--before DATE]"));
		return cmd_audit_verify(cli);
	}
	if (cli->argc != 0 || cli->names || cli->syslog || cli->before)
		return cli_fail(M_USAGE,
		                _("usage: mappe audit [--case ID] [--user NAME] [--since DATE] "
		                  "[--action A] [--json]"));
	if (cli->audit_case && (rc = cli_parse_id(cli->audit_case, &f.case_id)))
		return rc;
	if ((rc = cli_since(cli->since, &f.since)))
		return rc;
	if (cli->action && (f.action = audit_action_parse(cli->action)) < 0)
		return cli_fail(M_USAGE,
		                _("--action: not an action of the log (see mappe audit --help)"));
	if (f.user && !store_user_name_valid(f.user))
		return cli_fail(M_USAGE, _("--user: not a user name"));
	if ((rc = open_for_review(cli, &st)))
		return rc;
	if ((rc = log_read(st, f.case_id, "mappe audit", NULL)))
		goto out;
	if ((rc = store_audit_each(st, &f, list_entry, &l)))
		cli_fail(rc, "%s", tui_error(st));
	else if (!cli->json && l.n == 0)
		cli_say(_("mappe: no entry of the log matches\n"));
out:
	store_close(st);
	return rc;
}

/* ---- mappe report access ID ----------------------------------------------- */

struct accesses {
	struct audit_entry *e;
	size_t n, cap;
	size_t sealed; /* entries whose details did not open */
};

static int collect_access(void *ctx, const struct audit_entry *e)
{
	struct accesses *a = ctx;

	if (!e->opened) {
		a->sealed++;
		return M_OK;
	}
	if (!audit_action_in_access_report(e->action))
		return M_OK;
	if (a->n == a->cap) {
		size_t cap = a->cap ? 2 * a->cap : 64;
		struct audit_entry *grown = realloc(a->e, cap * sizeof *grown);
		if (!grown)
			return M_UNAVAILABLE;
		a->e = grown;
		a->cap = cap;
	}
	a->e[a->n++] = *e;
	return M_OK;
}

static void access_text(const struct cli *cli, uint64_t id, const struct accesses *a)
{
	char today[11], shown[11], t[32], cls[160];

	date_iso(st_today(), today);
	printf(_("Access report for case %llu\n"), (unsigned long long)id);
	printf(_("Printed %s. Each time the information about the person in this case was\n"
	         "looked at, changed or handed on: the date, the time, what was done, why (the\n"
	         "purpose) and which kinds of information (GDPR art. 15).\n\n"),
	       date_for_people(today, cli->norwegian, shown));
	if (a->n == 0) {
		printf("%s\n", _("No access to this case is recorded."));
		return;
	}
	cell(_("Date"), 10);
	fputs("  ", stdout);
	cell(_("Time"), 5);
	fputs("  ", stdout);
	if (cli->names) {
		cell(_("By"), 12);
		fputs("  ", stdout);
	}
	cell(_("What"), 24);
	fputs("  ", stdout);
	cell(_("Purpose"), 22);
	printf("  %s\n", _("Information"));
	for (size_t i = 0; i < a->n; i++) {
		const struct audit_entry *e = &a->e[i];
		when(e->time, cli->norwegian, t);
		t[10] = 0;
		printf("%-10s  %-5s  ", t, t + 11);
		if (cli->names) {
			cell(e->user, 12);
			fputs("  ", stdout);
		}
		cell(audit_action_label(e->action), 24);
		fputs("  ", stdout);
		cell(audit_purpose_label(e->purpose), 22);
		audit_classes_text(e->classes & PERSON_CLASSES, cls, sizeof cls);
		printf("  %s\n", cls);
	}
	printf(cli->norwegian || a->n != 1 ? _("\n%zu accesses.\n") : _("\n%zu access.\n"), a->n);
}

int cmd_report_access(struct cli *cli)
{
	struct accesses a = {0};
	uint64_t id;
	store *st;
	int rc;

	if (cli->argc != 2 || cli->audit_case || cli->since || cli->action || cli->all || cli->year)
		return cli_fail(M_USAGE, _("usage: mappe report access ID [--json] [--names]"));
	if ((rc = cli_parse_id(cli->argv[1], &id)))
		return rc;
	if ((rc = open_for_review(cli, &st)))
		return rc;
	/* The staff's names are not owed to the person (C-579/21), and a lead
	 * who needs them for the person's rights asks an administrator. */
	if (cli->names && store_role(st) != ROLE_ADMIN) {
		rc = cli_fail(M_AUTH,
		              _("not permitted: --names (who looked) is for administrators"));
		goto out;
	}
	if ((rc = store_audit_each(st, &(struct audit_filter){.case_id = id, .action = -1},
	                           collect_access, &a))) {
		cli_fail(rc, "%s",
		         rc == M_UNAVAILABLE && store_fault(st)->code == E_NONE ? _("out of memory")
		                                                                : tui_error(st));
		goto out;
	}
	/* Nothing recorded, and no such case: say that, as show does. A case
	 * gone since keeps its entries, and its report. */
	struct retention_state rs = {0};
	if (a.n == 0 && !a.sealed && (rc = store_retention_state(st, id, &rs))) {
		cli_fail(rc, "%s", tui_error(st));
		goto out;
	}
	if ((rc = log_read(st, id, "access report", cli->names ? "names" : NULL)))
		goto out;
	if (a.sealed)
		fprintf(
		    stderr,
		    _("mappe: %zu entries of the log did not open (no key for their epoch): the "
		      "report may be incomplete\n"),
		    a.sealed);
	if (!cli->json) {
		access_text(cli, id, &a);
		goto out;
	}
	for (size_t i = 0; i < a.n; i++) {
		const struct audit_entry *e = &a.e[i];
		char t[32];
		cli_time(e->time, true, t);
		t[10] = 0;
		printf("{\"date\": \"%s\", \"time\": \"%s\", \"at\": ", t, t + 11);
		json_time(e->time);
		printf(", \"action\": \"%s\", \"what\": ", audit_action_name(e->action));
		json_str(audit_action_label(e->action));
		fputs(", \"purpose\": ", stdout);
		json_str(audit_purpose_label(e->purpose));
		fputs(", \"classes\": ", stdout);
		json_classes(e->classes & PERSON_CLASSES);
		if (cli->names) {
			fputs(", \"user\": ", stdout);
			json_str(e->user);
		}
		fputs("}\n", stdout);
	}
out:
	free(a.e);
	store_close(st);
	return rc;
}

/* ---- mappe report outside-caseload --------------------------------------- */

int cmd_report_outside(struct cli *cli)
{
	struct outside_report r = {0};
	int64_t since;
	store *st;
	int rc;

	if (cli->argc != 1 || cli->audit_case || cli->action || cli->names || cli->all || cli->year)
		return cli_fail(M_USAGE,
		                _("usage: mappe report outside-caseload [--since DATE] [--json]"));
	if ((rc = cli_since(cli->since, &since)))
		return rc;
	if ((rc = open_for_review(cli, &st)))
		return rc;
	if ((rc = log_read(st, 0, "outside-caseload report", NULL)))
		goto out;
	if ((rc = store_outside_caseload(st, since, &r))) {
		cli_fail(rc, "%s",
		         rc == M_UNAVAILABLE && store_fault(st)->code == E_NONE ? _("out of memory")
		                                                                : tui_error(st));
		goto out;
	}
	for (size_t i = 0; i < r.nusers; i++) {
		const struct outside_user *u = &r.users[i];
		const char *role = u->role < 0 ? NULL : keys_role_name((enum key_role)u->role);
		if (cli->json) {
			fputs("{\"user\": ", stdout);
			json_str(u->user);
			fputs(", \"role\": ", stdout);
			if (role)
				json_str(role);
			else
				fputs("null", stdout);
			printf(", \"outside\": %zu, \"accesses\": [", u->n);
			for (size_t k = 0; k < u->n; k++) {
				const struct outside_access *a = &u->a[k];
				printf("%s{\"seq\": %llu, \"_id\": %llu, \"time\": ", k ? ", " : "",
				       (unsigned long long)a->e.seq,
				       (unsigned long long)a->e.case_id);
				json_time(a->e.time);
				printf(", \"action\": \"%s\", \"caseworker\": ",
				       audit_action_name(a->e.action));
				json_str(a->caseworker);
				fputs(", \"purpose\": ", stdout);
				json_str(a->e.purpose);
				fputs(", \"classes\": ", stdout);
				json_classes(a->e.classes);
				putchar('}');
			}
			fputs("]}\n", stdout);
			continue;
		}
		text_write_safe(stdout, u->user, strlen(u->user), NULL);
		printf(" (%s): ", role ? _(role) : _("no longer enrolled"));
		printf(u->n == 1 ? _("%zu access outside the caseload\n")
		                 : _("%zu accesses outside the caseload\n"),
		       u->n);
		for (size_t k = 0; k < u->n; k++) {
			const struct outside_access *a = &u->a[k];
			char t[32], cw[96];
			char id[48];
			printf("  %-16s  ", when(a->e.time, cli->norwegian, t));
			cell(audit_action_label(a->e.action), 20);
			snprintf(id, sizeof id, "%s %llu", _("case"),
			         (unsigned long long)a->e.case_id);
			fputs("  ", stdout);
			cell(id, 10);
			fputs("  ", stdout);
			if (!a->caseworker[0])
				snprintf(cw, sizeof cw, "%s", _("no caseworker"));
			else
				snprintf(cw, sizeof cw, _("caseworker %s"), a->caseworker);
			cell(cw, 22);
			fputs("  ", stdout);
			const char *why = audit_purpose_label(a->e.purpose);
			text_write_safe(stdout, why, strlen(why), NULL);
			putchar('\n');
		}
	}
	if (!cli->json && r.nusers == 0)
		cli_say(_("mappe: no access outside a caseload is recorded\n"));
out:
	outside_report_free(&r);
	store_close(st);
	return rc;
}
