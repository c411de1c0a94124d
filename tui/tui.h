/*
 * tui: the program. main, the commands of cli.md, and (later) the screens.
 * The only folder that includes curses.
 */
#ifndef MAPPE_TUI_H
#define MAPPE_TUI_H

#include <stdbool.h>
#include <stddef.h>

#include "store/store.h"

#include <libintl.h>

/* Every translation goes through tui_gettext: messages are printf formats. */
#define _(s) tui_gettext(s)
#define N_(s) (s)

/* gettext(msgid), unless the translation's printf conversions differ from the
 * msgid's (same specifications in the same order; never %n): then msgid. */
const char *tui_gettext(const char *msgid) __attribute__((format_arg(1)));
bool tui_format_matches(const char *msgid, const char *translated);
/* The store's last failure (store_fault), in the user's language. The text
 * lives until the next call. */
const char *tui_error(const store *st);
const char *tui_fault(const struct store_fault *f);
extern const char *const tui_words[]; /* class and role names, for xgettext */
/* A note's kind in the UI language (the id stays note_kind_name's). */
const char *tui_note_kind(enum note_kind k);
/* The case's stipend today, for the case view and show: false when it is
 * not the user's to see (the finance class); else cs is filled and *ok says
 * whether it could be computed (cs->why says why not). */
bool tui_stipend(store *st, const struct case_rec *c, struct case_stipend *cs, bool *ok);
/* It in words: "173 546 kr a year (2/3 of 2G: under 25, ...)", or why not. */
const char *tui_stipend_text(const struct case_stipend *cs, bool ok, bool nb, char *out,
                             size_t cap);

/* What the command line said; filled by main before a command runs. */
struct cli {
	const char *command; /* its name: the purpose of what it logs */
	const char *syslog;  /* audit verify --syslog FILE */
	const char *before;  /* --before DATE */
	const char *db;
	bool db_given; /* --db or MAPPE_DB, not the default */
	const char *user;
	int pass_fd;    /* -1: ask on /dev/tty */
	int newpass_fd; /* -1: ask on /dev/tty */
	bool norwegian;
	bool setgid;  /* running as the deployment's setgid binary */
	bool upgrade; /* mappe upgrade: the one login an older store allows */
	bool migrating; /* mappe migrate: no reminder to run it */

	/* command options */
	const char *admin;
	const char *role;
	const char *format;
	const char *kind;
	bool json;
	bool each_line; /* find --each-line */
	bool dry_run;
	bool interpreter;
	long limit;
	long cases;
	const char *klass; /* --class */
	long batch;        /* --batch */
	const char *from;   /* --from DATE */
	const char *regime; /* --regime R */
	const char *source; /* --source TEXT: a provision, never personal data */
	bool all;           /* --all */
	/* mappe target set and report ledger: as given, parsed by ledger.c so
	 * that a bad one is named */
	const char *year, *requested, *decided, *minors, *date, *body, *answer_by;
	const char *script; /* --script FILE: keys for the screen tests */
	const char *fields;     /* export --fields a,b */
	const char *status;     /* export --status S */
	const char *caseworker; /* export --caseworker U */
	bool excel, nir, force; /* export --excel, --nir, --force */
	/* mappe audit and its reports: --case ID, --user NAME after the
	 * command's name (before it, --user is who acts), --since DATE,
	 * --action A, --names */
	const char *audit_case, *audit_user, *since, *action;
	bool names;
	bool again;         /* archive export --again */
	const char *key;    /* archive export/open --key FILE */
	const char *purpose; /* show --purpose CODE (enum outside_purpose) */

	int argc; /* the command's own arguments, after its name */
	char **argv;
};

/* Print "mappe: message" on stderr and return status. Never pass personal data. */
int cli_fail(int status, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Print a message on stderr as it is formatted (no prefix, line breaks kept).
 * Both escape what they print (text_write_safe): arguments may be a file
 * name or other user-supplied text. */
void cli_say(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Read a passphrase (one line) from fd, or from /dev/tty with echo off when
 * fd < 0. *out is secure memory for keys_secure_free. confirm asks twice. */
int cli_read_secret(int fd, const char *prompt, bool confirm, char **out, size_t *len);
/* Echo off on the terminal (and Ctrl-C held) while a login works, so that
 * keys typed ahead are neither shown nor kept; off again drops them. */
void cli_tty_hush(bool on);
/* A passphrase being set: read, then check that it is long enough. */
int cli_new_passphrase(const struct cli *cli, const char *prompt, char **out, size_t *len);

/* Read one line from fd into secure memory (a query typed at a prompt). */
int cli_read_line(int fd, char **out, size_t *len);

/* Read all of a file (or stdin for "-" or NULL) into secure memory with one
 * spare byte for in-place parsers. */
int cli_read_all(const char *path, char **out, size_t *len);
/* A file the caller names (import FILE): opened with the caller's real group,
 * then refused unless the opened file is a regular file or a pipe and not one
 * of the store's own. *fd is for the caller to close. */
int cli_open_input(const struct cli *cli, const char *path, int *fd);
/* cli_read_all of a file the caller names, through cli_open_input; "-" is stdin. */
int cli_read_input(const struct cli *cli, const char *path, char **out, size_t *len);

/* Open the store and unlock it as the acting user. */
int cli_open(const struct cli *cli, store **out);
int cli_parse_id(const char *s, uint64_t *id);
#define MAPPE_CONF "/etc/mappe.conf"

/* A value of /etc/mappe.conf ("key = value" lines); false if absent (conf.c). */
bool cli_conf(const char *key, char *buf, size_t cap);
/* The value of key in text; the first line wins; a value that does not fit
 * in cap is ignored, never cut short. */
bool conf_find(const char *text, size_t len, const char *key, char *buf, size_t cap);
/* A number of seconds, 0 to one week; false for anything else. */
bool conf_seconds(const char *value, int *out);
/* on/off, yes/no, true/false, 1/0 in any case (privacy.default); false for anything else. */
bool conf_bool(const char *value, bool *out);

/* store_on_kdf_wait's notice: other logins on the host hold the Argon2id
 * slots. tty points to a bool: the line is rewritten on a terminal. */
void cli_say_waiting(void *tty);

/* A date (and time) for people, in local time. */
const char *cli_time(int64_t t, bool with_clock, char buf[32]);

int cmd_init(struct cli *cli);
int cmd_user(struct cli *cli);
int cmd_passwd(struct cli *cli);
int cmd_keys(struct cli *cli);
int cmd_upgrade(struct cli *cli);
int cmd_migrate(struct cli *cli);
int cmd_find(struct cli *cli);
int cmd_show(struct cli *cli);
int cmd_update(struct cli *cli);
int cmd_add(struct cli *cli);
int cmd_note(struct cli *cli);
int cmd_import(struct cli *cli);
int cmd_check(struct cli *cli);
int cmd_codes(struct cli *cli);
int cmd_rules(struct cli *cli);
int cmd_report(struct cli *cli);
int cmd_report_nir(struct cli *cli);
int cmd_target(struct cli *cli);
int cmd_report_ledger(struct cli *cli);
int cmd_tui(struct cli *cli);
int cmd_demo(struct cli *cli);
int cmd_export(struct cli *cli);
int cmd_backup(struct cli *cli);
int cmd_audit(struct cli *cli);
int cmd_report_access(struct cli *cli);
int cmd_report_outside(struct cli *cli);
/* --since DATE (YYYY-MM-DD or DD.MM.YYYY) as the unix time of that day's
 * start in local time; 0 when not given. M_USAGE, said, on a bad one. */
int cli_since(const char *s, int64_t *out);
/* An audit entry's action and purpose for people (translated), and its
 * classes as a list of translated names (audit.c; the log review screen's
 * too). */
const char *audit_action_label(enum audit_action a);
const char *audit_purpose_label(const char *purpose);
void audit_classes_text(key_classes k, char *out, size_t cap);
/* Why a case outside one's own caseload was opened, where the law wants
 * it said (the guidelines on access logs): the user picks one of these,
 * never free text, and the entry stores "outside: CODE". X(name, code,
 * label for people). */
#define OUTSIDE_PURPOSES(X)                                                                        \
	X(STANDING_IN, "standing-in", N_("Standing in for the case's caseworker"))                 \
	X(DUTY, "duty", N_("On duty"))                                                             \
	X(ASKED, "asked", N_("Asked by the case's caseworker"))                                    \
	X(CONTACTED, "contacted", N_("The person contacted me"))                                   \
	X(OTHER, "other", N_("Other duty"))
enum outside_purpose {
#define OUTSIDE_PURPOSE_ENUM(name, code, label) OP_##name,
	OUTSIDE_PURPOSES(OUTSIDE_PURPOSE_ENUM)
#undef OUTSIDE_PURPOSE_ENUM
	OP_COUNT
};
/* "standing-in"; its label, translated; the code's number or -1. */
const char *outside_purpose_code(enum outside_purpose p);
const char *outside_purpose_label(enum outside_purpose p);
int outside_purpose_parse(const char *code);
/* The purpose an entry stores: "outside: standing-in" (a static buffer). */
const char *outside_purpose_stored(enum outside_purpose p);
/* Whether this user must say why they open a case whose caseworker is
 * caseworker ("" nobody): caseworkers and health staff, for a case not
 * theirs. Leads review their team, administrators and the archive work
 * across caseloads by their role. */
bool outside_purpose_asked(const store *st, const char *caseworker);
int cmd_archive(struct cli *cli);
/* retention.block_after and retention.dispose of /etc/mappe.conf, handed to
 * the store (archive.c); a bad value is named on stderr and the safe
 * default kept. */
void cli_retention(store *st);
int cmd_audit_verify(struct cli *cli); /* audit verify | audit prune */

#endif
