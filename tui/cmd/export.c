/* export.c: mappe export (cli.md). The store writes; this picks the
 * columns, guards the output and says what was left out. */
#include "tui/tui.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* stdout's buffer holds plaintext between flushes: secure memory, wiped
 * after the last flush. */
#define OUT_BUFFER (64u << 10)

/* --fields a,b: field ids and list ids. An unknown one is named: it is an
 * id the user typed, never a value. */
static int parse_fields(const char *s, bool fields[F_COUNT], bool lists[L_COUNT])
{
	while (*s) {
		const char *end = strchr(s, ',');
		size_t n = end ? (size_t)(end - s) : strlen(s);
		int f = field_by_id(s, n), l = f < 0 ? list_by_id(s, n) : -1;
		if (n == 3 && memcmp(s, "_id", 3) == 0)
			; /* the first column of every export anyway */
		else if (f >= 0)
			fields[f] = true;
		else if (l >= 0)
			lists[l] = true;
		else
			return cli_fail(M_USAGE, _("--fields: unknown field '%.*s'"),
			                (int)(n > 64 ? 64 : n), s);
		s += n + (end ? 1 : 0);
	}
	return M_OK;
}

/* One line on stderr: the ids left out and their class, no values. */
static void say_locked(const struct export_result *r)
{
	enum { MAXC = 16 };
	char line[4096];
	size_t at = 0;
	bool any = false;

	for (int c = 0; c < KC_COUNT; c++) {
		bool first = true;
		for (int f = 0; f < F_COUNT; f++) {
			if (!r->locked_field[f] || (int)field_catalogue[f].cls != c)
				continue;
			at += (size_t)snprintf(line + at, sizeof line - at, "%s%s",
			                       first ? (any ? "; " : "") : ", ",
			                       field_catalogue[f].id);
			first = false;
			if (at >= sizeof line)
				at = sizeof line - 1;
		}
		for (int l = 0; l < L_COUNT; l++) {
			if (!r->locked_list[l] || (int)list_catalogue[l].cls != c)
				continue;
			at += (size_t)snprintf(line + at, sizeof line - at, "%s%s",
			                       first ? (any ? "; " : "") : ", ",
			                       list_catalogue[l].id);
			first = false;
			if (at >= sizeof line)
				at = sizeof line - 1;
		}
		for (int g = 0; g < I_COUNT; g++) {
			if (!r->locked_item[g] || (int)item_catalogue[g].f.cls != c)
				continue;
			at += (size_t)snprintf(line + at, sizeof line - at, "%s%s.%s",
			                       first ? (any ? "; " : "") : ", ",
			                       list_catalogue[item_catalogue[g].list].id,
			                       item_catalogue[g].f.id);
			first = false;
			if (at >= sizeof line)
				at = sizeof line - 1;
		}
		if (!first) {
			at += (size_t)snprintf(line + at, sizeof line - at, _(" (the %s class)"),
			                       _(keys_class_name((enum key_class)c)));
			if (at >= sizeof line)
				at = sizeof line - 1;
			any = true;
		}
	}
	if (any)
		cli_fail(M_OK, _("left out, you hold no key for them: %s"), line);
}

int cmd_export(struct cli *cli)
{
	bool fields[F_COUNT] = {false}, lists[L_COUNT] = {false};
	struct export_spec spec = {.format = EXPORT_CSV};
	struct export_result res;
	char *buf = NULL;
	store *st;
	int rc;

	if (cli->argc)
		return cli_fail(M_USAGE,
		                _("usage: mappe export [--format csv|jsonl] [--fields a,b] "
		                  "[--status S] [--caseworker U] [--excel] [--nir] [--force]"));
	if (cli->format && strcmp(cli->format, "jsonl") == 0)
		spec.format = EXPORT_JSONL;
	else if (cli->format && strcmp(cli->format, "csv") != 0)
		return cli_fail(M_USAGE, _("--format expects csv or jsonl"));
	if (cli->excel && spec.format == EXPORT_JSONL)
		return cli_fail(M_USAGE,
		                _("--excel is a kind of CSV: it does not go with --format jsonl"));
	if (cli->nir) {
		if (spec.format == EXPORT_JSONL || cli->fields)
			return cli_fail(M_USAGE,
			                _("--nir has its own columns (docs/nir.md): it goes "
			                  "with neither --format jsonl nor --fields"));
		spec.format = EXPORT_NIR;
	}
	if (cli->fields) {
		if ((rc = parse_fields(cli->fields, fields, lists)))
			return rc;
		spec.fields = fields;
		spec.lists = lists;
	}
	spec.excel = cli->excel;
	spec.status = cli->status;
	spec.caseworker = cli->caseworker;
	/* Personal data on a screen, in its scrollback and in a terminal
	 * recording is an export nobody meant: only when asked for. */
	spec.terminal = isatty(STDOUT_FILENO);
	if (spec.terminal && !cli->force)
		return cli_fail(M_USAGE,
		                _("refusing to write an export to a terminal: redirect it "
		                  "to a file or a pipe (mappe export > cases.csv), or give "
		                  "--force"));
	if ((rc = cli_open(cli, &st)))
		return rc;
	if (store_must_change_passphrase(st)) {
		store_close(st);
		return cli_fail(M_AUTH,
		                _("you must set a new passphrase first: run 'mappe passwd'"));
	}
	if (store_role(st) != ROLE_LEAD && store_role(st) != ROLE_ADMIN) {
		store_close(st);
		return cli_fail(M_AUTH, _("not permitted: export is for leads and administrators"));
	}
	fflush(stdout);
	if (!(buf = keys_secure_alloc(OUT_BUFFER)) || setvbuf(stdout, buf, _IOFBF, OUT_BUFFER)) {
		keys_secure_free(buf);
		store_close(st);
		return cli_fail(M_UNAVAILABLE, _("out of memory"));
	}
	rc = store_export(st, &spec, stdout, &res);
	fflush(stdout);
	/* stdout keeps pointing at it until exit: wiped, never freed. */
	keys_wipe(buf, OUT_BUFFER);
	if (rc) {
		cli_fail(rc, "%s", tui_error(st));
		store_close(st);
		return rc;
	}
	say_locked(&res);
	/* How many, on stderr: an empty file is then no riddle (a misspelt
	 * --caseworker picks nobody). */
	if (!res.cases && (spec.caseworker || spec.status))
		cli_fail(M_OK, _("no case matched --caseworker or --status: only the header "
		                 "was written"));
	cli_say(_("mappe: %llu case(s) exported (export record %llu)\n"),
	        (unsigned long long)res.cases, (unsigned long long)res.record);
	if (res.broken)
		cli_fail(
		    M_OK,
		    _("%zu case(s) left out: they do not authenticate (mappe check names them)"),
		    res.broken);
	store_close(st);
	return M_OK;
}
