/*
 * ui.h: private to tui/: the screens, their keymap and the drawing helpers.
 *
 *   keymap.c   keys to requests: the generic keymaps, the walk from a
 *              screen's keymap to them, the requests' names (REQUESTS
 *              below) and the line editor's requests
 *   loop.c     the input loop and the view stack
 *   display.c  one frame: the screen on top, title bar, message line, key bar
 *   draw.c     text on the screen, clipped by display width
 *   listview.c the list widget: scrolling, paging, Home/End, the selection
 *              and the count of rows, for every screen that shows rows;
 *              wrapping text by display width (no curses, unit tested)
 *   chart.c    the dashboard's bar charts and meter as lines of text, and
 *              which glyphs the terminal shows (no curses, unit tested)
 *   colour.c   colour pairs, monochrome and NO_COLOR
 *   input.c    reading a key; resizes and hangups
 *   terminal.c whether TERM is a terminal the screens can draw on
 *   termkeys.c the sequences after an Esc that curses does not know
 *              (termkeys.h: no curses, unit tested on its own)
 *   script.c   the scripted mode of the screen tests
 *   dialog.c   yes/no questions on the message line
 *   lock.c     the idle lock's screen
 *   privacy.c  privacy mode: the masks, and revealing one value at a time
 *   drafts.c   offering the drafts a dropped link left
 *   screens.def, screens/   the screens, one file each (list, case, help,
 *              keys, form, conflict, note, day, items, dashboard, audit)
 *   cmd/       main and the commands of cli.md (through tui.h alone, but
 *              cmd/tui.c, which starts the screens)
 */
#ifndef MAPPE_TUI_UI_H
#define MAPPE_TUI_UI_H

#include <stdbool.h>
#include <stdint.h>
#include <time.h>
#include <wchar.h>

#include "tui/tui.h"

/*
 * Every action a key can trigger, once: the enum, the key bar and the help
 * screen all come from this table (tig's REQ_INFO). Which key makes which
 * request is the keymaps' business (keymap.c and each screen's file).
 * X(name, label in the key bar, one line for the help screen): both are
 * translated through gettext (po/).
 */
#define REQUESTS(X)                                                                                \
	X(QUIT, N_("Back"), N_("Go back to the screen before"))                                           \
	X(EXIT, N_("Back"), N_("Clear the search; without one, quit mappe"))                              \
	X(HELP, N_("Help"), N_("Show the keys of this screen"))                                           \
	X(SEARCH, N_("Search"), N_("Search the cases as you type"))                                       \
	X(RESULTS, N_("Results"), N_("Stop typing and move in the results"))                              \
	X(CLEAR, N_("Clear"), N_("Clear the search and stop typing"))                                     \
	X(OPEN, N_("Open"), N_("Open the selected case"))                                                 \
	X(EDIT, N_("Edit"), N_("Edit this case"))                                                         \
	X(ADD, N_("New case"), N_("Register a new person: an empty form"))                               \
	X(NOTE, N_("New note"), N_("Write a new note in the journal"))                                    \
	X(FAMILY, N_("Family member"), N_("Register a family member: a new case in this household"))      \
	X(HOUSEHOLD, N_("Household"), N_("Open another member of this household"))                       \
	X(LISTS, N_("Lists"), N_("Open one of this case's lists: placements, leave ..."))               \
	X(ITEM_ADD, N_("Add"), N_("Add an item to this list"))                                            \
	X(ITEM_EDIT, N_("Edit"), N_("Edit the selected item"))                                            \
	X(ITEM_REMOVE, N_("Remove"), N_("Remove the selected item (asks first)"))                       \
	X(DAY, N_("My day"), N_("My day: cases new to me, and deadlines overdue or due this week"))       \
	X(DASHBOARD, N_("Dashboard"), N_("The year's settled against the decision, and the deadlines"))    \
	X(YEAR_BACK, N_("Year before"), N_("Show the year before"))                                       \
	X(YEAR_NEXT, N_("Year after"), N_("Show the year after"))                                         \
	X(DAY_OF, N_("Their deadlines"),                                                                  \
	  N_("My day with the selected caseworker's deadlines only"))                                    \
	X(SAVE, N_("Save"), N_("Save and close"))                                                         \
	X(STATUS, N_("Status"), N_("Show one status only; again for the next, then every status"))        \
	X(MINE, N_("My cases"), N_("Show only my cases, or every case again"))                            \
	X(CASEWORKER, N_("Caseworker"),                                                                   \
	  N_("Show one caseworker's deadlines only; again for the next, then everyone's"))                 \
	X(SORT, N_("Sort"), N_("Soonest deadline first, or the list's own order again"))                  \
	X(KEYS, N_("Keys"), N_("The key epochs and rotations (administrators)"))                          \
	X(ROTATE, N_("Rotate"), N_("Replace the selected key (asks first)"))                              \
	X(AUDIT, N_("Log review"), N_("Accesses to cases outside each caseload, by user (leads)"))       \
	X(ENTRIES, N_("Entries"), N_("Show the selected user's accesses outside their caseload"))         \
	X(UP, N_("Up"), N_("Move up"))                                                                    \
	X(DOWN, N_("Down"), N_("Move down"))                                                              \
	X(PGUP, N_("Page up"), N_("Move a page up"))                                                      \
	X(PGDN, N_("Page down"), N_("Move a page down"))                                                  \
	X(TOP, N_("First"), N_("Go to the top"))                                                          \
	X(BOTTOM, N_("Last"), N_("Go to the bottom"))                                                     \
	X(OLDER, N_("Older notes"), N_("Show the page of older notes"))                                   \
	X(NEWER, N_("Newest notes"), N_("Show the newest notes"))                                         \
	X(NEXT, N_("Next field"), N_("Go to the next field"))                                             \
	X(PREV, N_("Previous field"), N_("Go to the previous field"))                                     \
	X(NEWLINE, N_("New line"), N_("Start a new line"))                                                \
	X(KIND, N_("Kind"), N_("Change the kind of note"))                                                \
	X(INTERPRETER, N_("Interpreter"), N_("Say whether an interpreter took part"))                     \
	X(TAKE_MINE, N_("Yours"), N_("Keep your value for this field"))                                   \
	X(TAKE_THEIRS, N_("Theirs"), N_("Keep their value for this field"))                               \
	X(TOGGLE, N_("Switch"), N_("Switch between your value and theirs"))                               \
	X(CANCEL, N_("Cancel"), N_("Close without saving (asks first if something was typed)"))           \
	X(PRIVACY, N_("Private"), N_("Privacy mode on or off: sensitive values masked"))              \
	X(REVEAL, N_("Reveal"), N_("Show one masked value until you move on (logged)"))                \
	EDIT_REQUESTS(X)                                                                                  \
	X(REDRAW, N_("Redraw"), N_("Draw the whole screen again"))

/* The line editor's keys, as requests like any other: ui_edit() does them. */
#define EDIT_REQUESTS(X)                                                                           \
	X(ED_LEFT, N_("Left"), N_("Move the cursor left"))                                         \
	X(ED_RIGHT, N_("Right"), N_("Move the cursor right"))                                      \
	X(ED_HOME, N_("Start"), N_("Go to the start of the line"))                                 \
	X(ED_END, N_("End"), N_("Go to the end of the line"))                                      \
	X(ED_WORD_LEFT, N_("Word left"), N_("Go to the start of the word"))                        \
	X(ED_WORD_RIGHT, N_("Word right"), N_("Go to the end of the word"))                        \
	X(ED_BACKSPACE, N_("Delete left"), N_("Delete the character before the cursor"))          \
	X(ED_DELETE, N_("Delete"), N_("Delete the character under the cursor"))                    \
	X(ED_KILL_EOL, N_("Delete to end"), N_("Delete to the end of the line"))                   \
	X(ED_KILL_LINE, N_("Delete line"), N_("Delete the whole line"))                            \
	X(ED_KILL_WORD, N_("Delete word"), N_("Delete the word before the cursor"))

enum request {
	REQ_NONE,
#define REQ_ENUM(name, label, help) REQ_##name,
	REQUESTS(REQ_ENUM)
#undef REQ_ENUM
	REQ_COUNT,
};

/* One key and what it does. Keys are as curses gives them (fnkey: a KEY_
 * code), with Enter, Backspace and their aliases folded (keymap_lookup). */
struct binding {
	wint_t ch;
	bool fnkey;
	enum request req;
};

/* The keys of one screen, or of one mode of it (tig's keymaps): what it does
 * not bind, its parent does, down to the generic keymap. */
struct keymap {
	const char *name; /* for the tests' messages */
	const struct binding *keys;
	size_t n;
	/* The key bar, most important first: as many as fit are shown. */
	const enum request *bar;
	size_t nbar;
	const struct keymap *parent;
	/* What the screen's marks mean, for its help under the keys: pairs of
	 * a mark and its N_() text, NULL after the last; NULL for none. */
	const char *const *legend;
};

#define KEYMAP(id, bindings, barreqs, up)                                                          \
	const struct keymap id = {#id, bindings, sizeof bindings / sizeof *bindings, barreqs,      \
	                          sizeof barreqs / sizeof *barreqs, up, NULL}
#define KEYMAP_LEGEND(id, bindings, barreqs, up, marks)                                            \
	const struct keymap id = {#id, bindings, sizeof bindings / sizeof *bindings, barreqs,      \
	                          sizeof barreqs / sizeof *barreqs, up, marks}

/* What every screen understands (help, redraw), ... */
extern const struct keymap generic_keymap;
/* ... what every screen that takes no text does (back, help, up, down), and
 * the line editor's keys on the screens that do. */
extern const struct keymap browse_keymap, edit_keymap;

struct ui;

struct view_ops {
	const char *title; /* N_(): translated when drawn */
	/* Its keymaps, NULL-terminated: the first, unless mode() picks another
	 * (the list while a search is typed, the form in a field of lines). */
	const struct keymap *const *keymaps;
	size_t (*mode)(const void *self);
	void (*draw)(void *self, struct ui *ui);
	/* A key: req is its request in the keymap in front (REQ_NONE for plain
	 * text), ch the character or KEY_ code. Returns false when the view is
	 * done. */
	bool (*key)(void *self, struct ui *ui, enum request req, wint_t ch, bool fnkey);
	void (*free)(void *self);
	/* The terminal went away (a dropped SSH link): keep unsaved work as
	 * an encrypted draft. NULL for views with nothing to lose. */
	void (*keep)(void *self, struct ui *ui);
	/* Case id was saved or reloaded (ui_changed): show what it holds now.
	 * NULL for screens that show no case. */
	void (*changed)(void *self, struct ui *ui, uint64_t id);
	/* The list still loading read more cases (ui_load_more): rows only
	 * came after the others, nothing changed. NULL: nothing to do. */
	void (*grew)(void *self, struct ui *ui);
	/* What the title bar says after the title: the filters that are on
	 * (the list's status and "my cases"); "" or NULL for nothing. */
	const char *(*subtitle)(const void *self, struct ui *ui, char *buf, size_t cap);
};

struct view {
	const struct view_ops *ops;
	void *self;
};

enum { UI_MAX_VIEWS = 8, UI_MIN_COLS = 40, UI_MIN_ROWS = 10 };

/* Where the script (ui->script) is: the line being typed. */
struct script_state {
	char line[1024];
	char *pos;
	bool load_all; /* ":load all": KEY_LOAD until the list is read whole */
};

/* The one value shown in privacy mode (privacy.c): a field of a case, an
 * item's field, or the masked cells of a case's row (the list, My day). */
enum reveal_kind { REVEAL_NONE, REVEAL_FIELD, REVEAL_ITEM, REVEAL_ROW };
struct ui_reveal {
	enum reveal_kind kind;
	uint64_t id;   /* the case */
	int field;     /* REVEAL_FIELD: enum field_id; REVEAL_ITEM: enum item_field_id */
	uint32_t item; /* REVEAL_ITEM: the item's id */
	const void *view; /* the screen it was revealed on */
};

struct ui {
	struct cli *cli;
	store *st;
	search_index *ix;
	bool nb; /* Norwegian */
	bool color;
	struct view stack[UI_MAX_VIEWS];
	int depth;
	/* Drawn over the screen at every redraw while a menu is up (ui_menu). */
	void (*overlay)(struct ui *ui, const void *ctx);
	const void *overlay_ctx;
	char message[256]; /* one line above the key bar; never personal data */
	bool message_error;
	FILE *script; /* keys from a file instead of the terminal (tests) */
	struct script_state *script_state;
	void (*start)(struct ui *ui); /* once the screen is up */
	int idle_lock;                /* seconds without a key before locking; 0: never */
	time_t last_key;
	/* Live data: the loop's own wait for a key (never a dialog's or the
	 * lock's) also ends when the store's generation moves (KEY_LIVE). */
	bool live;
	uint64_t generation;        /* store_generation as of the last catch-up */
	unsigned long index_serial; /* moves when a catch-up changed the index's rows */
	struct timespec loaded_at;  /* when a load last moved index_serial */
	bool day_when_loaded;       /* a caseworker's My day, once the list is read */
	bool key_typed;             /* a key came since the start */
	bool quit;
	int pop_more;    /* views to close after the current one (a saved conflict) */
	bool cursor_on; /* a view placed the text cursor this frame */
	int cursor_y, cursor_x;
	/* Privacy mode (privacy.c): what ui_masked masks is shown as a mask,
	 * but the one value revealed, until the user moves on. */
	bool privacy;
	struct ui_reveal reveal;
	unsigned long privacy_serial; /* moves when either changes: lay out again */
	/* The purposes picked this session for cases outside the user's
	 * caseload, asked once a case (view_case_open_as). */
	struct ui_picked {
		uint64_t id;
		int purpose; /* enum outside_purpose */
	} *picked;
	size_t npicked;
};

/* The screens: tui/screens/NAME.c, each ending in its NAME_ops. */
#define SCREEN(name) extern const struct view_ops name##_ops;
#include "tui/screens.def"
#undef SCREEN

int view_list_open(struct ui *ui);
int view_case_open(struct ui *ui, uint64_t id);
/* The same, logged as how (AUDIT_SEARCH_OPEN from a search's results).
 * A case outside the user's caseload asks first why (outside_purpose_asked,
 * once a case a session); Esc there opens nothing, logs nothing and
 * returns UI_CANCELLED. */
int view_case_open_as(struct ui *ui, uint64_t id, enum audit_action how);
#define UI_CANCELLED (-1)
/* The stored purpose picked for case id this session ("outside: duty"),
 * or NULL. */
const char *ui_case_purpose(const struct ui *ui, uint64_t id);
/* The case the screen on top works on: of the nearest case view in the
 * stack (a form, a note or a list over it is about that case); 0 none. */
uint64_t view_case_below(const struct ui *ui);
/* The case at the group of field f (its heading at the top). */
int view_case_open_at(struct ui *ui, uint64_t id, enum field_id f);
/* The case of the case view on top, or NULL. */
struct case_rec *view_case_current(struct ui *ui);
/* The keys of the keymap in front of the user (keymap_of). */
int view_help_open(struct ui *ui, const struct keymap *of);
int view_keys_open(struct ui *ui);
int view_form_open(struct ui *ui, struct case_rec *c);
int view_form_new(struct ui *ui);
/* A new case in c's household (c, a case view's, given one if it had
 * none): the family member's form. */
int view_form_family(struct ui *ui, struct case_rec *c);
int view_note_open(struct ui *ui, uint64_t id);
/* List l of case id: its items, to add, edit and remove (items.c). */
int view_items_open(struct ui *ui, uint64_t id, enum list_id l);
/* Item i of c on one line: "#id  value · value", locked fields said so. */
void items_summary(struct ui *ui, const struct case_rec *c, int i, char *out, size_t cap);
/* My day: the caseload's deadlines overdue or due soon. */
int view_day_open(struct ui *ui);
/* My day with caseworker's deadlines alone (a lead's, from the dashboard). */
int view_day_open_for(struct ui *ui, const char *caseworker);
/* Whether the user's caseload has a deadline overdue or due soon. */
bool day_has_due(struct ui *ui);
/* The dashboard: the year's settled against the decision, month by month,
 * and the unit's deadlines (leads and administrators; others are told). */
int view_dashboard_open(struct ui *ui);
/* The log review: accesses outside each caseworker's caseload, by user,
 * each user's entries a key away (leads and administrators). */
int view_audit_open(struct ui *ui);
/* A save met a colleague's: choose field by field. orig is what the form
 * started from, base the version its edits started from; takes mine. */
void view_conflict_open(struct ui *ui, const struct case_rec *orig, uint32_t base,
                        struct case_rec *mine);
/* Open the form (or note editor) of case id with a kept draft's values. */
int view_form_restore(struct ui *ui, struct case_rec *c, const struct case_rec *draft,
                      uint32_t base);
int view_note_restore(struct ui *ui, uint64_t id, const char *text, size_t len);
/* At start: offer the drafts a dropped connection left. */
void drafts_offer(struct ui *ui);
/* Typing in a form or a note is kept as a draft every few seconds, so that
 * a laptop whose battery dies loses seconds: true (and *last set) when the
 * next keep is due. A draft stays until its edits are saved or discarded. */
bool drafts_due(time_t *last);

/* Run until the last view closes or the terminal goes away. */
int ui_loop(struct ui *ui);
void ui_push(struct ui *ui, const struct view_ops *ops, void *self);
/* A screen saved case id, or learnt that it changed: every open screen that
 * shows it hears of it (the list's row, a case view), top first. Id 0: the
 * store changed, any case may have (the live catch-up, search index
 * already synced; ui->index_serial says whether its rows moved). */
void ui_changed(struct ui *ui, uint64_t id);
/* Show the text cursor at y, x once the frame is drawn. */
void ui_cursor(struct ui *ui, int y, int x);
void ui_say(struct ui *ui, bool error, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
/* Ask a yes/no question on the message line; true for yes. */
bool ui_confirm(struct ui *ui, const char *question);
/* 1 for yes, 0 for no, -1 for anything else (another key, a lock, a hangup). */
int ui_ask(struct ui *ui, const char *question);
/* A menu on the screen: n items, the cursor on `at`; ↑↓ (j k) and Enter,
 * or the digit of an item. Returns the index chosen, -1 for Esc. */
int ui_menu(struct ui *ui, const char *title, const char *const *items, int n, int at);

/*
 * The list widget (listview.c): the rows a screen shows, n of them in
 * `height` screen lines. With a cursor (the list, keys) it moves a selected
 * row and pages by rows; without (the case view, help) it scrolls by screen
 * lines. Either way UP DOWN PGUP PGDN TOP BOTTOM are its requests, the last
 * page ends at the last line, and after the rows or the height change
 * (listview_set) the first row and the selection are valid again. A row may
 * take several lines (lines(), NULL for one each).
 */
struct listview {
	size_t n;    /* rows */
	size_t sel;  /* the selected row (with a cursor) */
	size_t top;  /* the first row on screen ... */
	int skip;    /* ... less its first lines, scrolled past (no cursor) */
	int height;  /* screen lines for the rows */
	bool cursor; /* a selected row, or scrolling only */
	int (*lines)(void *ctx, size_t row);
	void *ctx;
};
/* A row on screen: its first line is y lines below the top of the rows
 * (negative when scrolled into); line k of it shows if 0 <= y + k < height.
 * Start from {0}: listview_each fills it. */
struct listview_row {
	size_t row;
	int y, lines;
	bool started;
};
void listview_init(struct listview *lv, bool cursor, int (*lines)(void *ctx, size_t row),
                   void *ctx);
/* The rows or the page height changed: n rows now, in height lines. */
void listview_set(struct listview *lv, size_t n, int height);
/* A moving request: true when req was one (done, whatever it moved). */
bool listview_request(struct listview *lv, enum request req);
/* Line `line` of row `row` at the top, as far as the last page allows
 * (with a cursor: select row). */
void listview_show(struct listview *lv, size_t row, int line);
/* The next row to draw, top first: false when no more show. */
bool listview_each(const struct listview *lv, struct listview_row *it);
/* Whether lines are hidden above the page, and below it. */
bool listview_above(const struct listview *lv);
bool listview_below(const struct listview *lv);
/* One screen line of UTF-8 text s wrapped at width columns by display
 * width, whole characters only: s[0, *len), *cols columns wide. A line ends
 * at its '\n', else at the last blank that fits (not shown), else between
 * characters (a word wider than a line starts on the line it reaches). Returns where the next line starts, NULL after the last ("" is
 * one empty line). */
const char *ui_wrap(const char *s, int width, size_t *len, int *cols);

/*
 * Charts as text (chart.c), every glyph one column: lines to draw, not
 * curses calls. Eighths: ▁▂▃▄▅▆▇█ and ▏▎▍▌▋▊▉; blocks: whole cells (█ ░,
 * which a console font has); ASCII: # and '.' where there is no UTF-8.
 */
enum chart_glyphs { CHART_EIGHTHS, CHART_BLOCKS, CHART_ASCII };
/* The glyphs a terminal of this name shows in the user's locale. */
enum chart_glyphs chart_glyphs_for(const char *term);
/* n bars of v[], max filling `height` lines; line 0 is the top, each
 * lines[r] cap bytes. A bar is bar_w columns then gap blanks, so a line is
 * n * (bar_w + gap) columns. Above zero is never drawn as nothing; above
 * max reaches the top, whose cell is ↑ (^). 0, or -1 when a line does not
 * fit. */
int chart_bars(const long *v, size_t n, long max, int height, int bar_w, int gap,
               enum chart_glyphs g, char *const *lines, size_t cap);
/* value against target in width columns: done (█, #), then still to go
 * (░, .); full only when reached, and above it full and ending in ▶ (>).
 * 0, or -1 when out (cap bytes) is too small. */
int chart_meter(long value, long target, int width, enum chart_glyphs g, char *out, size_t cap);

/* Drawing: every string is clipped by display width, never by bytes. */
/* C_EDIT is the field being typed in: one attribute and no colour pair, so
 * that a typed character costs its own bytes and one attribute on and off
 * (docs/performance.md, "Thin clients"). Last, as it has no pair. */
enum ui_color { C_NORMAL, C_TITLE, C_BAR, C_KEY, C_SELECTED, C_LOCKED, C_ERROR, C_LABEL, C_EDIT };
void ui_attr(struct ui *ui, enum ui_color c, bool on);
/* Draw UTF-8 text at y, x in at most width columns; returns columns used. */
int ui_put(int y, int x, const char *s, int width);
/* Same, padded with spaces to exactly width columns. */
void ui_put_pad(int y, int x, const char *s, int width);
/* As ui_put, but text that does not fit ends in '…' at the edge: what is cut
 * says so (the case view's labels; wrapped text is never cut). */
int ui_put_cut(int y, int x, const char *s, int width);
/* Whether lines of lv are hidden above or below its page, whose first line
 * is y: ↑ or ↓ in column x of its first or last line. */
void ui_put_more(const struct listview *lv, int y, int x);
int ui_text_width(const char *s);
const char *request_label(enum request r);
const char *request_help(enum request r);
/* Whether this user has request r at all (the keys screen is for
 * administrators): the key bar and help leave out the others. */
bool request_offered(struct ui *ui, enum request r);
/* The keymap of view v as it is now (its mode). */
const struct keymap *keymap_of(const struct view *v);
/* What a key does in keymap km, its parents included; REQ_NONE: nothing. */
enum request keymap_lookup(const struct keymap *km, wint_t ch, bool fnkey);
/* The i-th binding that works in km (one that no keymap before it in the
 * walk shadows), in walking order; false after the last. */
bool keymap_binding(const struct keymap *km, size_t i, struct binding *b);
/* A key as the key bar and help show it: "q", "^S", "Enter", "S-Tab", "F1". */
const char *ui_key_name(wint_t ch, bool fnkey, char *buf, size_t size);

/* A key of our own: the idle time ran out (KEY_MAX is curses'). */
#define KEY_IDLE (KEY_MAX + 1)
/* Another: someone wrote to the store (ui->live waits only). */
#define KEY_LIVE (KEY_MAX + 2)
/* Another: the case list is still loading and no key waits (ui->live
 * waits only): the next batches are read (ui_load_more). */
#define KEY_LOAD (KEY_MAX + 3)
/* Read the next batches of a list still loading (search_index_open): the
 * list's rows follow now and then, and at the end. */
void ui_load_more(struct ui *ui);
/* Whether the store's generation moved since the last catch-up: cheap,
 * no transaction (store_generation). */
bool ui_live_pending(struct ui *ui);

#undef CTRL /* sys/ioctl.h has one for termios */
#define CTRL(c) ((c)&0x1f)

/*
 * Privacy mode (privacy.c), for home visits: the values field_masked,
 * item_masked and deadline_masked name (the catalogue decides, never a
 * screen) are drawn as ui_mask(), one width whatever the value, until one
 * is revealed: a key on it, audited (AUDIT_REVEAL, the field's stable name,
 * never its value), until the user moves on (the screen's own move, another
 * screen, privacy toggled, the idle lock).
 */
/* "•••••", or "*****" where the terminal has no UTF-8. */
const char *ui_mask(void);
bool ui_masked(const struct ui *ui, uint64_t id, enum field_id f);
bool ui_item_masked(const struct ui *ui, uint64_t id, uint32_t item, enum item_field_id f);
bool ui_deadline_masked(const struct ui *ui, uint64_t id, enum deadline_id d);
/* Whether f shows masked even when empty: the protected class, where that
 * a person has a value at all (a protected address) is what it protects. */
bool ui_mask_empty(const struct ui *ui, enum field_id f);
/* A value as ui_value_label shows it, or the mask. */
const char *ui_field_text(struct ui *ui, uint64_t id, enum field_id f, const char *value);
/* Reveal one, after the audit log has it (nothing shown if it cannot);
 * M_OK, or the store's status with the message said. */
int ui_reveal_field(struct ui *ui, uint64_t id, enum field_id f);
int ui_reveal_item(struct ui *ui, uint64_t id, uint32_t item, enum item_field_id f);
int ui_reveal_row(struct ui *ui, uint64_t id, enum deadline_id d);
/* Typing into an empty field: the text is the user's own, shown while they
 * type in it, and nothing of the store's is revealed: no audit entry. */
void ui_reveal_typed(struct ui *ui, uint64_t id, enum field_id f);
void ui_reveal_typed_item(struct ui *ui, uint64_t id, uint32_t item, enum item_field_id f);
void ui_reveal_clear(struct ui *ui);
void ui_privacy_toggle(struct ui *ui);

/* The generic parts the screens stand on. */
void ui_redraw(struct ui *ui);
void ui_colors_init(struct ui *ui);
/* Decode one character; invalid bytes show as U+FFFD and advance by one. */
size_t ui_next_wc(const char *s, wchar_t *wc);
/* Draw wchar text [start, end) at y, x. */
void ui_put_wide(int y, int x, const wchar_t *s, size_t start, size_t end);
/* An enum value as people read it (fields.def's labels); other values as
 * they are. */
const char *ui_value_label(struct ui *ui, enum field_id f, const char *value);
/* The next key, from the terminal or the script; false when the terminal
 * went away or the script ended. */
bool ui_read_key(struct ui *ui, struct script_state *ss, wint_t *ch, bool *fnkey);
bool ui_script_key(struct ui *ui, struct script_state *ss, wint_t *ch, bool *fnkey);
/* M_OK if TERM names a terminal the screens can draw on; else a message
 * (the commands need none) and M_USAGE. */
int ui_check_terminal(void);
/* SIGHUP and SIGTERM end the loop (the work open is kept as drafts). */
void ui_catch_hangup(void);
bool ui_hung_up(void);
struct editor;
/* A line editor's request (EDIT_REQUESTS), or for REQ_NONE a printable ch
 * typed; 0 when the text or cursor changed (ed_apply), else nonzero. */
int ui_edit(struct editor *ed, enum request req, wint_t ch, bool fnkey);
/* Keep what is open as drafts and close every view. */
void ui_keep_and_close(struct ui *ui);
/* Lock until the passphrase is typed again; false: quit or hung up. */
bool ui_idle_lock(struct ui *ui, struct script_state *ss);

#endif
