/* main.c: start-up hygiene, options, and the command table of cli.md. */
#include "tui/tui.h"

#include <fcntl.h>
#include <getopt.h>
#include <locale.h>
#include <pwd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/auxv.h>
#include <unistd.h>

/* Options that each command accepts, as bits; global ones are always fine. */
enum {
	O_ADMIN = 1 << 0,
	O_ROLE = 1 << 1,
	O_FORMAT = 1 << 2,
	O_JSON = 1 << 3,
	O_DRY_RUN = 1 << 4,
	O_KIND = 1 << 5,
	O_INTERPRETER = 1 << 6,
	O_LIMIT = 1 << 7,
	O_CASES = 1 << 8,
	O_CLASS = 1 << 9,
	O_BATCH = 1 << 10,
	O_FROM = 1 << 11,
	O_REGIME = 1 << 12,
	O_SOURCE = 1 << 13,
	O_ALL = 1 << 14,
	O_EXPORT = 1 << 15, /* --fields --status --caseworker --excel --nir --force */
	O_TARGET = 1 << 20, /* --requested --decided --minors --date --body --answer-by */
	O_YEAR = 1 << 21,
	O_AUDIT = 1 << 22, /* --case --since --action, and --user after the command */
	O_NAMES = 1 << 23,
	O_ARCHIVE = 1 << 24, /* --again --key (and O_BEFORE) */
	O_SYSLOG = 1 << 26,
	O_BEFORE = 1 << 27,
	O_EACH_LINE = 1 << 28,
	O_PURPOSE = 1 << 29,
};

struct command {
	const char *name;
	int (*run)(struct cli *cli);
	unsigned options;
	const char *usage; /* syntax: option and argument names, not translated */
	const char *help;  /* N_(): translated when printed */
};

static const struct command commands[] = {
    {"tui", cmd_tui, 0, "[tui]",
     N_("The terminal UI: the case list, search as you type, case view, edit and\n"
     "notes. ? shows the keys of each screen. P (^P where text is typed): privacy\n"
     "mode, national ids, addresses, phone, health and protected values masked\n"
     "until r reveals one (logged); privacy.default = on in /etc/mappe.conf starts\n"
     "in it.")},
    {"demo", cmd_demo, O_CASES, "demo [--cases N]",
     N_("Create (if absent) a demo store of invented cases beside your store, print\n"
     "its passphrase and open the terminal UI on it.")},
    {"init", cmd_init, O_ADMIN, "init [--admin NAME]",
     N_("Create a store and its first administrator (default: your login name).\n"
     "The new passphrase is asked twice on the terminal, or read from\n"
     "--new-passphrase-fd N. Refuses a directory that already holds a store.\n"
     "On a shared host (mappe setgid) only root or the owner of the store\n"
     "directory may run it: sudo mappe init --admin NAME.")},
    {"user", cmd_user, O_ROLE | O_BATCH,
     "user add NAME --role ROLE | user list | user revoke NAME | user grant|ungrant NAME protected",
     N_("Enrol a user with an initial passphrase that they must change at first login\n"
     "(roles: caseworker, health, lead, admin, archive: the municipality's archive,\n"
     "which opens blocked cases); list the users and the key classes\n"
     "they hold; revoke a user (their keyslot and grants are deleted, then every\n"
     "class they held is rotated); grant or withdraw the protected class by name\n"
     "(a withdrawal rotates it). Administrators only.")},
    {"keys", cmd_keys, O_CLASS | O_BATCH | O_JSON,
     "keys status [--json] | keys rotate [--class C] [--batch N]",
     N_("status: per class, the active epoch, older epochs still in use and by how\n"
     "many cases, a rotation in progress, who holds the class.\n"
     "rotate: a new epoch for each class (or C), granted to exactly the users\n"
     "allowed it; cases are re-encrypted N at a time (default 100) while others\n"
     "keep working; the old keys are deleted when nothing uses them. Killed at any\n"
     "point, run it again: it resumes, and rotates no finished class again. A\n"
     "damaged case is left as it is and named (exit 3); the rest is rotated, and the\n"
     "old key stays, decrypt-only, until it is repaired. Administrators only.")},
    {"upgrade", cmd_upgrade, 0, "upgrade",
     N_("Bring a store written by an older mappe to this version's format, which\n"
     "nobody can log in to until it is done. Lists every user record it signs:\n"
     "check the list, since a record planted in the file would be signed too.\n"
     "Administrators only.")},
    {"migrate", cmd_migrate, O_BATCH, "migrate [--batch N]",
     N_("Move every case of a store written before format 5 to the current format,\n"
     "online: others keep working, N cases a batch (default 200). Killed at any\n"
     "point, run it again: it resumes. Run mappe check after. Administrators only.")},
    {"passwd", cmd_passwd, 0, "passwd",
     N_("Change your own passphrase: the current one from the terminal or\n"
     "--passphrase-fd, the new one from the terminal or --new-passphrase-fd.\n"
     "Only your keyslot is rewrapped; no data is re-encrypted.")},
    {"find", cmd_find, O_JSON | O_LIMIT | O_EACH_LINE, "find [--json] [--limit N] [--each-line]",
     N_("Read a query from standard input (or ask on the terminal): part of a name\n"
     "in any script or spelling, a birth date (2001-04-17 or 17.04.2001), or an\n"
     "11-digit national id. Prints matching cases, best first, at most N\n"
     "(default 20). After the id, ~ marks a close match (another spelling) and\n"
     "? a loose one (a typo, part of a name); an exact match has no mark.\n"
     "--json: JSON Lines of _id, _version, status, given_name, family_name,\n"
     "birth_date and match (exact, close or loose).\n"
     "--each-line: every line of standard input is a query (a list of names or\n"
     "national ids to check), answered in turn after one unlock: a line\n"
     "\"line N: K cases\" and the cards, or in --json a member \"line\": N in\n"
     "each hit (a line without hits prints nothing). --limit is per line; empty\n"
     "lines are skipped but counted. A line that is not UTF-8 is named and\n"
     "skipped, the others are answered, and the exit status is then 5. Every\n"
     "case shown is logged.")},
    {"show", cmd_show, O_JSON | O_PURPOSE, "show ID [--json] [--purpose CODE]",
     N_("Print one case: the fields your keys open, the locked ones named as locked,\n"
     "and the journal. A case outside your own caseload (caseworkers and health\n"
     "staff) wants the reason in the audit log: --purpose standing-in (for its\n"
     "caseworker), duty (on duty), asked (its caseworker asked you), contacted (the\n"
     "person contacted you) or other (other duty). Without it the log says only\n"
     "mappe show, and a line on standard error asks for it.")},
    {"update", cmd_update, 0, "update ID",
     N_("Read a JSON object of field: value from standard input and save it.\n"
     "With \"_version\": N the save fails (exit 4) if the case changed since N.\n"
     "null removes a field. Dates may be written DD.MM.YYYY or YYYY-MM-DD, a value\n"
     "of a fixed list by its id or its label (bosatt or settled), a Norwegian\n"
     "phone number without +47; the case keeps the id, ISO date and +47.")},
    {"add", cmd_add, 0, "add",
     N_("Create a case from a JSON object on standard input (field ids as keys,\n"
     "lists as arrays of objects) and print its id. A national id another case\n"
     "has is refused (exit 5), naming that case. Values as update takes them.")},
    {"note", cmd_note, O_KIND | O_INTERPRETER,
     "note add ID [--kind home_visit|meeting|phone|other] [--interpreter]",
     N_("Append a journal note; its text is read from standard input. Notes are\n"
     "never edited or removed.")},
    {"import", cmd_import, O_FORMAT | O_DRY_RUN, "import [FILE|-] [--format csv|jsonl] [--dry-run]",
     N_("Import cases from CSV (comma or semicolon, header of field ids) or JSON\n"
     "Lines. All or nothing: one bad line writes nothing and names the line and\n"
     "field. Values are read as update reads them (17.04.2001, bosatt), so a\n"
     "semicolon CSV saved by Norwegian Excel imports as it is. Prints the new\n"
     "case ids, one per line, in input order.")},
    {"export", cmd_export, O_FORMAT | O_EXPORT,
     "export [--format csv|jsonl] [--fields a,b] [--status S] [--caseworker U] [--excel] [--nir] "
     "[--force]",
     N_("Write the cases to standard output, the fields your keys open: CSV with\n"
     "field ids as the header and lists as columns list.N.field, or JSON Lines\n"
     "(--format jsonl), both as mappe import reads them. Fields locked to you are\n"
     "left out and named on standard error. --fields picks fields and lists by id,\n"
     "--status and --caseworker pick cases. --excel: semicolons, a BOM and CRLF,\n"
     "as Norwegian Excel opens them. --nir: the columns the municipality registers\n"
     "in NIR, for reconciliation (docs/nir.md). Every export is recorded (who,\n"
     "when, which fields, how many cases). Nothing is written to a temporary file;\n"
     "a terminal is refused without --force. Leads and administrators.")},
    {"audit", cmd_audit, O_AUDIT | O_JSON | O_SYSLOG | O_BEFORE,
     "audit [--case ID] [--user NAME] [--since DATE] [--action A] [--json] | audit verify [--syslog FILE] | audit prune [--before DATE]",
     N_("The audit log: who did what to which case and when, with the field classes\n"
     "touched and the purpose (the screen or command), oldest first; never a field\n"
     "value. --case, --user (after audit: whose entries; before it, who acts),\n"
     "--since (a date, YYYY-MM-DD or DD.MM.YYYY, from the start of that day in\n"
     "local time) and --action (open, search-open, create, change, note, export,\n"
     "print, reveal, keys, user, unlock, unlock-failed, block, archive, destroy,\n"
     "backup, rewrite, audit-read, prune) pick entries. Times in local time. --json:\n"
     "JSON Lines of seq, time, user, action, _id, version, classes, purpose and\n"
     "detail. Reading the log is itself logged. Leads and administrators.\n"
     "verify: check the audit log's hash chain (no key needed): exit 3 naming the\n"
     "first entry that does not follow the one before, or a tail cut off.\n"
     "--syslog: a system log file (auth.log) whose last \"audit head\" line of\n"
     "this store's must still be in the chain, so that a tail removed together\n"
     "with the head in the store is caught.\n"
     "prune: remove the entries written before DATE (default: today less\n"
     "retention.audit_after days in /etc/mappe.conf), keeping those a later entry\n"
     "needs; a prune entry records it. Administrators.")},
    {"codes", cmd_codes, O_JSON, "codes load FILE | codes list [TABLE] [--json]",
     N_("load: a new version of code tables IMDi owns (end reasons, the main activity\n"
     "at the end) from a CSV file with the columns table, version, code, label_nb\n"
     "and label_en; all or nothing, and a bad line is named. Every version is kept,\n"
     "so cases keep the codes they hold. Administrators only.\n"
     "list: the version in force of each table, or of TABLE; until IMDi's is\n"
     "loaded, mappe's provisional default, marked as such.")},
    {"rules", cmd_rules, O_JSON | O_FROM | O_REGIME | O_SOURCE,
     "rules list [RULE] [--json] | rules set RULE VALUE --from DATE [--regime R] --source TEXT",
     N_("list: the rules of law mappe checks and computes deadlines by, each value\n"
     "with the date it is in force from, its regime, its source, and whether it\n"
     "was verified against that source; corrections are marked with who made them.\n"
     "set: correct a rule from a date on (the law changed, or a value was not\n"
     "verified), for one regime (introduksjonsloven, integreringsloven,\n"
     "integreringsloven_6a) or every one; the source says which provision or\n"
     "decision. Nothing is removed: a wrong correction is corrected by another.\n"
     "set is for administrators.")},
    {"target", cmd_target, O_TARGET | O_JSON,
     "target set YEAR --requested N --decided N [--minors N] [--date D] [--body council|executive] [--answer-by D] | target list [YEAR] [--json]",
     N_("set: record IMDi's request for YEAR (--requested, of which unaccompanied\n"
     "minors --minors), the council's decision (--decided, its --date and --body:\n"
     "council or executive, the executive committee) and the date the municipality\n"
     "must answer IMDi by (--answer-by). The first numbers of a year need\n"
     "--requested and --decided; a later set is a revision that gives what changes\n"
     "and keeps the rest (give --date with a new decision). Every version is kept.\n"
     "Dates as 2026-02-12 or 12.02.2026.\n"
     "list: every version, of YEAR or of every year, oldest first; --json: JSON\n"
     "Lines of year, version, requested, minors, decided, date, body, answer_by,\n"
     "by and at. Leads and administrators.")},
    {"report", cmd_report, O_ALL | O_JSON | O_YEAR | O_AUDIT | O_NAMES, "report deadlines [--all] [--json] | report ledger [--year Y] [--json] | report nir [--json] | report access ID [--json] [--names] | report outside-caseload [--since DATE] [--json]",
     N_("deadlines: the deadlines in your caseload that are overdue or due within\n"
     "7 days, soonest first, each computed from the case's own dates by the rules\n"
     "in force (mappe rules list); health deadlines only for health staff. --all:\n"
     "every caseload (leads and administrators). --json: JSON Lines of _id,\n"
     "deadline, due, overdue and soon.\n"
     "ledger: the settlement ledger of year Y (default this year): IMDi's request\n"
     "and the latest decision with every version, the people settled by agreement\n"
     "by month of their settlement date, unaccompanied minors inside the total and\n"
     "apart, family reunification apart and never in the total, by origin and by\n"
     "household type (docs/ledger.md). --json: one object. Leads and\n"
     "administrators.\n"
     "nir: every registrable event (programme decision and start, mapping, career\n"
     "guidance, contract, life skills and parenting courses, leave and stop\n"
     "decisions, the end) dated after the case's nir_registered, or any when it is\n"
     "empty, by case, with its deadline (nir_months after the event) and NIR's\n"
     "yearly close (the end of February of the next year); overdue marked. Leads\n"
     "and administrators. --json: JSON Lines of _id, event, date, due, close,\n"
     "overdue and caseworker.\n"
     "access: the access report of case ID for the person it is about (innsyn,\n"
     "GDPR art. 15): the date, time and purpose of every access to the case (opened,\n"
     "found in a search, changed, a note added, exported, printed, a masked field\n"
     "shown, blocked, archived, its log read) and the kinds of information, in the\n"
     "language of --lang; staff are not named, unless an administrator asks with\n"
     "--names. --json: JSON Lines of date, time, action, purpose and classes (and\n"
     "user). Leads and administrators.\n"
     "outside-caseload: for the routine review of the log, every consultation of a\n"
     "case by a caseworker whose caseload it was not in at the time (the case's\n"
     "caseworker then was someone else, or nobody), grouped by user, since --since.\n"
     "--json: one line per user with its accesses. Leads and administrators.")},
    {"backup", cmd_backup, 0, "backup DEST | backup verify DEST",
     N_("A consistent, compacted copy of the store into DEST, a new directory (or an\n"
     "empty one) outside the store's own, while others keep working: DEST/data.mdb\n"
     "and DEST/SHA256SUMS, its checksum (sha256sum -c SHA256SUMS checks it too).\n"
     "On a failure (a full disk) nothing is left in DEST. Every backup is recorded\n"
     "in the audit log. A backup holds the keys of its day: keep it protected and\n"
     "let it expire; restoring is docs/backup.md.\n"
     "verify: check DEST/data.mdb against its checksum (exit 3 on a mismatch) and\n"
     "open it read-only as a store, writing nothing to it. Administrators only.")},
    {"archive", cmd_archive, O_ARCHIVE | O_BEFORE | O_DRY_RUN,
     "archive export [--before DATE] [--again] [--key FILE] DEST | archive open PACKAGE --key "
     "SECRETFILE DESTDIR | archive destroy [--dry-run] | archive block | archive keygen SECRETFILE",
     N_("The archive law's part (docs/retention.md). A closed case is blocked\n"
     "retention.block_after days after it was closed (/etc/mappe.conf; default 730):\n"
     "then only administrators and the archive role open it, and every read is\n"
     "logged.\n"
     "export: the blocked cases (closed before DATE with --before) not handed over\n"
     "before (all of them again with --again) as one package in DEST, sealed to the\n"
     "archive's public key (archive.public_key in /etc/mappe.conf, or --key FILE):\n"
     "each case as mappe show --json writes it, with its journal, and a manifest\n"
     "with their SHA-256 checksums; then marks them transferred. Administrators and\n"
     "the archive role.\n"
     "open: the archive's side: decrypt PACKAGE with the archive's secret key into\n"
     "the new directory DESTDIR and check every file against the manifest; a\n"
     "package changed in any byte, or sealed to another key, is refused.\n"
     "destroy: remove from blocked cases only the categories retention.dispose marks\n"
     "disposable (mapping:DAYS, health:DAYS, contact:DAYS), once their days since\n"
     "closing have passed; each removal is logged. Nothing is disposable unless\n"
     "configured, and settlement, qualification and rights are never. --dry-run\n"
     "lists what would go. Administrators only.\n"
     "block: give every case blocked by now a lasting mark (logged). Administrators.\n"
     "keygen: make the archive's key pair: the secret key into the new file\n"
     "SECRETFILE (0600), the public key printed as the line for /etc/mappe.conf.")},
    {"check", cmd_check, 0, "check",
     N_("Decrypt and authenticate every field and note you hold keys for, and check\n"
     "record headers, the national-id index and the audit log: its chain, and\n"
     "every case against the last entry about it (rolled back or deleted).\n"
     "Exit 3 naming broken cases.")},
};

static void usage(FILE *f)
{
	fprintf(f, "%s mappe [--db DIR] [--user NAME] [--passphrase-fd N] [--new-passphrase-fd N]\n"
	           "             [--lang nb|en] COMMAND [ARGS]\n\n%s\n",
	        _("usage:"), _("commands:"));
	for (size_t i = 0; i < sizeof commands / sizeof *commands; i++)
		fprintf(f, "  mappe %s\n", commands[i].usage);
	fputs(_("\nmappe COMMAND --help explains one command. Exit codes: 0 ok, 1 usage,\n"
	        "2 authentication, 3 integrity, 4 conflict, 5 bad input, 6 store unavailable.\n"
	        "Personal data is never taken from the command line: queries, names and\n"
	        "notes are read from standard input or the terminal.\n"),
	      f);
}

static const char *default_db(bool setgid, char *buf, size_t cap)
{
	const char *v;

	/* A deployment names its store in /etc/mappe.conf: "db = /var/lib/mappe". */
	if (cli_conf("db", buf, cap))
		return buf;
	if (setgid)
		return NULL;
	if ((v = getenv("XDG_DATA_HOME")) && *v)
		snprintf(buf, cap, "%s/mappe", v);
	else if ((v = getenv("HOME")) && *v)
		snprintf(buf, cap, "%s/.local/share/mappe", v);
	else
		return NULL;
	return buf;
}

/* Norwegian when asked for (--lang nb, or a LANGUAGE, LC_ALL, LC_MESSAGES or
 * LANG that starts with nb, nn or no), else English. */
static bool want_norwegian(const char *lang)
{
	static const char *const vars[] = {"LANGUAGE", "LC_ALL", "LC_MESSAGES", "LANG"};

	if (lang)
		return strcmp(lang, "nb") == 0;
	for (size_t i = 0; i < sizeof vars / sizeof *vars; i++) {
		const char *v = getenv(vars[i]);
		if (v && *v)
			return strncmp(v, "nb", 2) == 0 || strncmp(v, "nn", 2) == 0 ||
			       strncmp(v, "no", 2) == 0;
	}
	return false;
}

/* The catalogs: installed under LOCALEDIR, or beside a binary run from the
 * source tree (./mappe and build/mappe both find build/locale). Setgid, only
 * LOCALEDIR: a user who can hard-link the setgid binary (no
 * protected_hardlinks) puts it beside a locale/ of their own, and a
 * catalogue's strings become printf formats. */
static void i18n_init(bool norwegian, bool setgid)
{
	const char *dir = LOCALEDIR;
	char exe[4096], probe[4400];
	ssize_t n;

	/* Wide characters need a UTF-8 locale even when the user's own (say
	 * nb_NO.UTF-8) is not installed on the host. */
	if (!setlocale(LC_ALL, "") || MB_CUR_MAX == 1)
		setlocale(LC_ALL, "C.UTF-8");
	/* gettext picks the catalog from LANGUAGE, whatever the locale is. */
	setenv("LANGUAGE", norwegian ? "nb" : "en", 1);
	snprintf(probe, sizeof probe, "%s/nb/LC_MESSAGES/mappe.mo", dir);
	if (!setgid && faccessat(AT_FDCWD, probe, R_OK, AT_EACCESS) != 0 &&
	    (n = readlink("/proc/self/exe", exe, sizeof exe - 1)) > 0) {
		static char local[4300];
		exe[n] = 0;
		*strrchr(exe, '/') = 0;
		for (int i = 0; i < 2; i++) {
			snprintf(local, sizeof local, i ? "%s/build/locale" : "%s/locale", exe);
			snprintf(probe, sizeof probe, "%s/nb/LC_MESSAGES/mappe.mo", local);
			if (faccessat(AT_FDCWD, probe, R_OK, AT_EACCESS) == 0) {
				dir = local;
				break;
			}
		}
	}
	bindtextdomain("mappe", dir);
	bind_textdomain_codeset("mappe", "UTF-8");
	textdomain("mappe");
}

static long parse_long(const char *s, const char *what, long min, long max)
{
	char *end;
	long v = strtol(s, &end, 10);

	if (*s == 0 || *end || v < min || v > max) {
		cli_fail(M_USAGE, _("%s expects a number from %ld to %ld"), what, min, max);
		exit(M_USAGE);
	}
	return v;
}

/* LMDB reads the store through a map: a page missing from the file (it was
 * truncated while in use, past the size check at open) is a SIGBUS. Say so
 * and leave with the integrity status rather than die without a word;
 * nothing is half-written, since a write transaction reaches the file only
 * at commit. Only async-signal-safe calls here. */
static void on_bus(int sig)
{
	static const char msg[] = "\nmappe: the store file is damaged (a page is missing: was "
	                          "data.mdb truncated?); nothing more was written. An "
	                          "administrator should run 'mappe check' and restore a backup.\n";
	(void)sig;
	if (write(STDERR_FILENO, msg, sizeof msg - 1) < 0) {
		/* nothing more can be done */
	}
	_exit(M_INTEGRITY);
}

/* One line naming the option, not the whole usage. arg is what was typed
 * (argv: an option name, never personal data; cut and escaped). */
static int bad_option(const char *arg, const struct option *longopts)
{
	size_t n = strcspn(arg, "=");

	if (strncmp(arg, "--", 2) == 0)
		for (const struct option *o = longopts; o->name; o++)
			if (strlen(o->name) == n - 2 && strncmp(o->name, arg + 2, n - 2) == 0 &&
			    o->has_arg == required_argument)
				return cli_fail(M_USAGE, _("option '--%s' needs a value; see mappe --help"),
				                o->name);
	return cli_fail(M_USAGE, _("unknown option '%.*s'; see mappe --help"),
	                (int)(n > 40 ? 40 : n), arg);
}

int main(int argc, char **argv)
{
	static const struct option longopts[] = {
	    {"db", required_argument, NULL, 'd'},
	    {"user", required_argument, NULL, 'u'},
	    {"passphrase-fd", required_argument, NULL, 'p'},
	    {"new-passphrase-fd", required_argument, NULL, 'P'},
	    {"lang", required_argument, NULL, 'L'},
	    {"help", no_argument, NULL, 'h'},
	    {"version", no_argument, NULL, 'V'},
	    {"admin", required_argument, NULL, 'a'},
	    {"role", required_argument, NULL, 'r'},
	    {"format", required_argument, NULL, 'f'},
	    {"json", no_argument, NULL, 'j'},
	    {"dry-run", no_argument, NULL, 'n'},
	    {"kind", required_argument, NULL, 'k'},
	    {"interpreter", no_argument, NULL, 'i'},
	    {"limit", required_argument, NULL, 'l'},
	    {"each-line", no_argument, NULL, 0x191},
	    {"cases", required_argument, NULL, 'c'},
	    {"script", required_argument, NULL, 'S'},
	    {"class", required_argument, NULL, 'C'},
	    {"batch", required_argument, NULL, 'B'},
	    {"from", required_argument, NULL, 'F'},
	    {"regime", required_argument, NULL, 'R'},
	    {"source", required_argument, NULL, 's'},
	    {"all", no_argument, NULL, 'A'},
	    {"fields", required_argument, NULL, 0x100},
	    {"status", required_argument, NULL, 0x101},
	    {"caseworker", required_argument, NULL, 0x102},
	    {"excel", no_argument, NULL, 0x103},
	    {"nir", no_argument, NULL, 0x104},
	    {"force", no_argument, NULL, 0x105},
	    {"year", required_argument, NULL, 1000},
	    {"requested", required_argument, NULL, 1001},
	    {"decided", required_argument, NULL, 1002},
	    {"minors", required_argument, NULL, 1003},
	    {"date", required_argument, NULL, 1004},
	    {"body", required_argument, NULL, 1005},
	    {"answer-by", required_argument, NULL, 1006},
	    {"case", required_argument, NULL, 1100},
	    {"since", required_argument, NULL, 1101},
	    {"action", required_argument, NULL, 1102},
	    {"names", no_argument, NULL, 1103},
	    {"again", no_argument, NULL, 1201},
	    {"key", required_argument, NULL, 1202},
	    {"syslog", required_argument, NULL, 0x180},
	    {"before", required_argument, NULL, 0x181},
	    {"purpose", required_argument, NULL, 0x190},
	    {NULL, 0, NULL, 0},
	};
	struct cli cli = {.pass_fd = -1, .newpass_fd = -1, .limit = 20};
	const struct command *cmd = NULL;
	unsigned used = 0;
	bool help = false;
	char dbbuf[4200], login[64], *user_env;
	int opt;

	/* Before anything can hold a secret. */
	if (keys_init() != 0)
		return cli_fail(M_UNAVAILABLE, "libsodium failed to start");
	keys_harden_process();
	signal(SIGBUS, on_bus);
	cli.setgid = getauxval(AT_SECURE) != 0;
	{
		/* --lang must be known before the first message is printed. */
		const char *lang = NULL;
		for (int i = 1; i < argc; i++) {
			if (strcmp(argv[i], "--lang") == 0 && i + 1 < argc)
				lang = argv[i + 1];
			else if (strncmp(argv[i], "--lang=", 7) == 0)
				lang = argv[i] + 7;
		}
		cli.norwegian = want_norwegian(lang);
		i18n_init(cli.norwegian, cli.setgid);
	}

	/* After "--" everything is an argument (a negative value), and getopt
	 * is not asked again: glibc would rewind optind to the first
	 * argument it passed over, and the loop would never end. */
	bool rest = false;
	opterr = 0; /* a bad option is named below, in the UI's language */
	for (;;) {
		int before = optind;
		opt = rest ? -1 : getopt_long(argc, argv, "+h", longopts, NULL);
		if (opt == -1 && !rest && optind == before + 1 && strcmp(argv[before], "--") == 0)
			rest = true;
		if (opt == -1 && optind >= argc)
			break;
		if (opt == -1) {
			/* A positional argument: the command, or one of its arguments. */
			if (!cmd) {
				for (size_t i = 0; i < sizeof commands / sizeof *commands; i++)
					if (strcmp(argv[optind], commands[i].name) == 0)
						cmd = &commands[i];
				if (!cmd) {
					cli_fail(M_USAGE, _("unknown command '%.40s'; see mappe --help"),
					         argv[optind]);
					return M_USAGE;
				}
			} else {
				cli.argv = realloc(cli.argv, (size_t)(cli.argc + 2) * sizeof *cli.argv);
				if (!cli.argv)
					return cli_fail(M_UNAVAILABLE, "out of memory");
				cli.argv[cli.argc++] = argv[optind];
				cli.argv[cli.argc] = NULL;
			}
			optind++;
			continue;
		}
		switch (opt) {
		case 'd': cli.db = optarg; break;
		case 'u':
			/* After mappe audit, --user names whose entries (cli.md);
			 * before a command, who acts. */
			if (cmd && (cmd->options & O_AUDIT) && cmd->run == cmd_audit) {
				cli.audit_user = optarg;
				used |= O_AUDIT;
			} else {
				cli.user = optarg;
			}
			break;
		case 'p': cli.pass_fd = (int)parse_long(optarg, "--passphrase-fd", 0, 1 << 20); break;
		case 'P': cli.newpass_fd = (int)parse_long(optarg, "--new-passphrase-fd", 0, 1 << 20); break;
		case 'L':
			if (strcmp(optarg, "nb") != 0 && strcmp(optarg, "en") != 0) {
				free(cli.argv);
				return cli_fail(M_USAGE, _("--lang expects nb or en"));
			}
			break; /* read before the options, for the first message */
		case 'h': help = true; break;
		case 'V': printf("mappe %s\n", MAPPE_VERSION); return M_OK;
		case 'a': cli.admin = optarg; used |= O_ADMIN; break;
		case 'r': cli.role = optarg; used |= O_ROLE; break;
		case 'f': cli.format = optarg; used |= O_FORMAT; break;
		case 'j': cli.json = true; used |= O_JSON; break;
		case 'n': cli.dry_run = true; used |= O_DRY_RUN; break;
		case 'k': cli.kind = optarg; used |= O_KIND; break;
		case 'i': cli.interpreter = true; used |= O_INTERPRETER; break;
		case 'l': cli.limit = parse_long(optarg, "--limit", 1, 100000); used |= O_LIMIT; break;
		case 'S': cli.script = optarg; break;
		case 'C': cli.klass = optarg; used |= O_CLASS; break;
		case 'B': cli.batch = parse_long(optarg, "--batch", 1, 100000); used |= O_BATCH; break;
		case 'c': cli.cases = parse_long(optarg, "--cases", 1, 1000000); used |= O_CASES; break;
		case 'F': cli.from = optarg; used |= O_FROM; break;
		case 'R': cli.regime = optarg; used |= O_REGIME; break;
		case 's': cli.source = optarg; used |= O_SOURCE; break;
		case 'A': cli.all = true; used |= O_ALL; break;
		case 0x100: cli.fields = optarg; used |= O_EXPORT; break;
		case 0x101: cli.status = optarg; used |= O_EXPORT; break;
		case 0x102: cli.caseworker = optarg; used |= O_EXPORT; break;
		case 0x103: cli.excel = true; used |= O_EXPORT; break;
		case 0x104: cli.nir = true; used |= O_EXPORT; break;
		case 0x105: cli.force = true; used |= O_EXPORT; break;
		case 1000: cli.year = optarg; used |= O_YEAR; break;
		case 1001: cli.requested = optarg; used |= O_TARGET; break;
		case 1002: cli.decided = optarg; used |= O_TARGET; break;
		case 1003: cli.minors = optarg; used |= O_TARGET; break;
		case 1004: cli.date = optarg; used |= O_TARGET; break;
		case 1005: cli.body = optarg; used |= O_TARGET; break;
		case 1006: cli.answer_by = optarg; used |= O_TARGET; break;
		case 1100: cli.audit_case = optarg; used |= O_AUDIT; break;
		case 1101: cli.since = optarg; used |= O_AUDIT; break;
		case 1102: cli.action = optarg; used |= O_AUDIT; break;
		case 1103: cli.names = true; used |= O_NAMES; break;
		case 1201: cli.again = true; used |= O_ARCHIVE; break;
		case 1202: cli.key = optarg; used |= O_ARCHIVE; break;
		case 0x180: cli.syslog = optarg; used |= O_SYSLOG; break;
		case 0x181: cli.before = optarg; used |= O_BEFORE; break;
		case 0x190: cli.purpose = optarg; used |= O_PURPOSE; break;
		case 0x191: cli.each_line = true; used |= O_EACH_LINE; break;
		default:
			free(cli.argv);
			return bad_option(argv[optind - 1], longopts);
		}
	}
	if (!cmd && help) {
		usage(stdout);
		return M_OK;
	}
	if (!cmd)
		cmd = &commands[0]; /* no command: the terminal UI */
	if (help) {
		printf("%s mappe %s\n\n%s\n", _("usage:"), cmd->usage, _(cmd->help));
		free(cli.argv); /* `mappe keys status --help` has argv */
		return M_OK;
	}
	cli.command = cmd->name;
	if (used & ~cmd->options)
		return cli_fail(M_USAGE, _("an option given does not apply to 'mappe %s'; see mappe %s --help"),
		                cmd->name, cmd->name);

	/* On a shared host the Unix account is the identity: a setgid mappe takes
	 * neither another name nor another store from its caller. */
	user_env = cli.setgid ? NULL : getenv("MAPPE_USER");
	if (cli.setgid && cli.user)
		return cli_fail(M_USAGE, _("--user is refused: this mappe acts as your login"));
	if (cli.setgid && cli.script)
		return cli_fail(M_USAGE, _("--script is refused: this mappe is the deployment's"));
	if (cli.setgid && cli.db)
		return cli_fail(M_USAGE, _("--db is refused: this mappe uses the store in /etc/mappe.conf"));
	if (!cli.user)
		cli.user = user_env && *user_env ? user_env : NULL;
	if (!cli.user) {
		struct passwd *pw = getpwuid(getuid());
		if (!pw)
			return cli_fail(M_AUTH, _("cannot tell who you are (no passwd entry)"));
		snprintf(login, sizeof login, "%s", pw->pw_name);
		cli.user = login;
	}
	if (!cli.db && !cli.setgid) {
		const char *env = getenv("MAPPE_DB");
		cli.db = env && *env ? env : NULL;
	}
	cli.db_given = cli.db != NULL;
	if (!cli.db)
		cli.db = default_db(cli.setgid, dbbuf, sizeof dbbuf);
	if (!cli.db)
		return cli_fail(M_UNAVAILABLE, _("no store configured: give --db DIR or set db in /etc/mappe.conf"));

	int rc = cmd->run(&cli);
	free(cli.argv);
	if (store_memory_unlocked())
		fputs(_("mappe: warning: some decrypted data could not be locked in memory and may "
		        "be written to swap; ask the administrator to raise memlock "
		        "(docs/deployment.md)\n"),
		      stderr);
	if (fflush(stdout) != 0 && rc == M_OK)
		rc = cli_fail(M_UNAVAILABLE, _("cannot write the output"));
	return rc;
}
