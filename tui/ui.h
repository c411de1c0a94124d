/*
 * ui.h: private to tui/: the screens, their keymap and the drawing helpers.
 *
 *   keymap.c   keys to requests, and the requests' names (REQUESTS below)
 *   loop.c     the input loop and the view stack
 *   display.c  one frame: the screen on top, title bar, message line, key bar
 *   draw.c     text on the screen, clipped by display width
 *   colour.c   colour pairs, monochrome and NO_COLOR
 *   input.c    reading a key; resizes and hangups; the line editors' keys
 *   script.c   the scripted mode of the screen tests
 *   dialog.c   yes/no questions on the message line
 *   lock.c     the idle lock's screen
 *   drafts.c   offering the drafts a dropped link left
 *   screens.def, screens/   the screens, one file each (list, case, help,
 *              keys, form, conflict, note)
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
 * Every action a key can trigger, once: the enum, the keymap's names, the
 * bottom bar and the help screen all come from this table (tig's REQ_INFO).
 * REQ(name, key shown, label): labels are translated through gettext (po/)
 */
#define REQUESTS(X)                                                                                \
	X(QUIT, "q", N_("Back"))                                                            \
	X(HELP, "?", N_("Help"))                                                              \
	X(SEARCH, "/", N_("Search"))                                                            \
	X(OPEN, "Enter", N_("Open"))                                                           \
	X(EDIT, "e", N_("Edit"))                                                            \
	X(NOTE, "n", N_("New note"))                                                     \
	X(SAVE, "^S", N_("Save"))                                                             \
	X(STATUS, "s", N_("Status"))                                                         \
	X(MINE, "m", N_("My cases"))                                                               \
	X(KEYS, "K", N_("Keys"))                                                                   \
	X(ROTATE, "r", N_("Rotate"))                                                     \
	X(UP, "↑", N_("Up"))                                                                    \
	X(DOWN, "↓", N_("Down"))                                                                \
	X(PGUP, "PgUp", N_("Page up"))                                                     \
	X(PGDN, "PgDn", N_("Page down"))                                                   \
	X(TOP, "Home", N_("First"))                                                           \
	X(BOTTOM, "End", N_("Last"))                                                           \
	X(OLDER, "o", N_("Older notes"))                                                       \
	X(NEXT, "Tab", N_("Next field"))                                                 \
	X(PREV, "S-Tab", N_("Previous field"))                                         \
	X(CANCEL, "Esc", N_("Cancel"))                                                       \
	X(REDRAW, "^L", N_("Redraw"))

enum request {
	REQ_NONE,
#define REQ_ENUM(name, key, label) REQ_##name,
	REQUESTS(REQ_ENUM)
#undef REQ_ENUM
	REQ_COUNT,
};

#define RQ(r) (UINT64_C(1) << (r))

struct ui;

struct view_ops {
	const char *title; /* N_(): translated when drawn */
	uint64_t hints; /* requests shown in the bottom bar, in enum order */
	void (*draw)(void *self, struct ui *ui);
	/* A key: req is its request (REQ_NONE for plain text), ch the character
	 * or KEY_ code. Returns false when the view is done. */
	bool (*key)(void *self, struct ui *ui, enum request req, wint_t ch, bool fnkey);
	void (*free)(void *self);
	bool text_input; /* printable keys are text, not requests */
	/* The terminal went away (a dropped SSH link): keep unsaved work as
	 * an encrypted draft. NULL for views with nothing to lose. */
	void (*keep)(void *self, struct ui *ui);
	/* Case id was saved or reloaded (ui_changed): show what it holds now.
	 * NULL for screens that show no case. */
	void (*changed)(void *self, struct ui *ui, uint64_t id);
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
};

struct ui {
	struct cli *cli;
	store *st;
	search_index *ix;
	bool nb; /* Norwegian */
	bool color;
	struct view stack[UI_MAX_VIEWS];
	int depth;
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
	bool quit;
	int pop_more;    /* views to close after the current one (a saved conflict) */
	bool cursor_on; /* a view placed the text cursor this frame */
	int cursor_y, cursor_x;
};

/* The screens: tui/screens/NAME.c, each ending in its NAME_ops. */
#define SCREEN(name) extern const struct view_ops name##_ops;
#include "tui/screens.def"
#undef SCREEN

int view_list_open(struct ui *ui);
int view_case_open(struct ui *ui, uint64_t id);
/* The case of the case view on top, or NULL. */
struct case_rec *view_case_current(struct ui *ui);
int view_help_open(struct ui *ui, const struct view_ops *of);
int view_keys_open(struct ui *ui);
int view_form_open(struct ui *ui, struct case_rec *c);
int view_note_open(struct ui *ui, uint64_t id);
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

/* Drawing: every string is clipped by display width, never by bytes. */
enum ui_color { C_NORMAL, C_TITLE, C_BAR, C_KEY, C_SELECTED, C_LOCKED, C_ERROR, C_LABEL };
void ui_attr(struct ui *ui, enum ui_color c, bool on);
/* Draw UTF-8 text at y, x in at most width columns; returns columns used. */
int ui_put(int y, int x, const char *s, int width);
/* Same, padded with spaces to exactly width columns. */
void ui_put_pad(int y, int x, const char *s, int width);
int ui_text_width(const char *s);
const char *request_label(enum request r);
const char *request_key(enum request r);
/* Map a key to its request for a screen; REQ_NONE if unbound. */
enum request keymap_lookup(wint_t ch, bool fnkey, bool text_input);

/* A key of our own: the idle time ran out (KEY_MAX is curses'). */
#define KEY_IDLE (KEY_MAX + 1)
/* Another: someone wrote to the store (ui->live waits only). */
#define KEY_LIVE (KEY_MAX + 2)
/* Whether the store's generation moved since the last catch-up: cheap,
 * no transaction (store_generation). */
bool ui_live_pending(struct ui *ui);

#undef CTRL /* sys/ioctl.h has one for termios */
#define CTRL(c) ((c)&0x1f)

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
/* SIGHUP and SIGTERM end the loop (the work open is kept as drafts). */
void ui_catch_hangup(void);
bool ui_hung_up(void);
struct editor;
/* Keys every line editor understands, whatever the screen. */
int ui_edit_key(struct editor *ed, wint_t ch, bool fnkey);
/* Keep what is open as drafts and close every view. */
void ui_keep_and_close(struct ui *ui);
/* Lock until the passphrase is typed again; false: quit or hung up. */
bool ui_idle_lock(struct ui *ui, struct script_state *ss);

#endif
