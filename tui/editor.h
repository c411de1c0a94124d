/*
 * editor.h: private to tui/. The line editor under every form field and the
 * note editor: a wchar_t buffer and a cursor, changed only by ed_apply(). It
 * needs no curses, so it is unit tested on its own; a screen maps keys to
 * ed_op and draws what ed_view() or ed_view_lines() says.
 *
 * The text is personal data, so it lives in keys_secure_alloc memory and is
 * wiped when it moves or shrinks. Widths come from wcwidth(): the process must
 * run in a UTF-8 locale (main calls setlocale(LC_ALL, "")).
 *
 * Positions are wchar_t indexes and always sit between clusters: a base
 * character and the zero-width marks after it (U+0301, Arabic harakat, Ge'ez
 * U+135D..U+135F) move, delete and scroll as one. A non-printable character
 * (text_nonprint, from ed_set_utf8) is a cluster of its own, one column wide,
 * which a screen draws as a replacement character.
 */
#ifndef MAPPE_TUI_EDITOR_H
#define MAPPE_TUI_EDITOR_H

#include <stdbool.h>
#include <stddef.h>
#include <wchar.h>

enum ed_op {
	ED_INSERT,         /* ch at the cursor */
	ED_BACKSPACE,      /* the cluster before the cursor (joins lines at a line start) */
	ED_DELETE,         /* the cluster after the cursor (joins lines at a line end) */
	ED_LEFT,           /* one cluster */
	ED_RIGHT,          /* one cluster */
	ED_HOME,           /* start of the line ('\n'-separated, not the wrapped row) */
	ED_END,            /* end of the line */
	ED_WORD_LEFT,      /* to the start of this or the previous word (readline) */
	ED_WORD_RIGHT,     /* to the end of this or the next word (readline) */
	ED_KILL_EOL,       /* cursor to end of line; at a line end, the '\n' (emacs C-k) */
	ED_KILL_WORD_BACK, /* back to where ED_WORD_LEFT would go */
	ED_KILL_LINE,      /* the whole line's text (the field's, in single-line mode) */
	ED_UP,             /* multi-line only: the row above, at the same display column */
	ED_DOWN,           /* multi-line only: the row below, at the same display column */
	ED_NEWLINE,        /* multi-line only: insert '\n' */
};

struct editor {
	wchar_t *buf;    /* secure memory; buf[len] == 0 */
	size_t len, cap; /* in wchar_t; cap counts the terminator */
	size_t cur;      /* cursor, a wchar index on a cluster boundary */
	size_t maxbytes; /* limit on the UTF-8 length of the whole text */
	bool multiline;
	/* Single-line: the index of the first wchar shown (a cluster start, so a
	 * wide character is never cut). Multi-line: the first row shown, counted
	 * in soft-wrapped rows from the top of the text. */
	size_t scroll;

	/* The rest is the editor's own bookkeeping. */
	size_t bytes; /* UTF-8 length of the text, so an insert checks maxbytes in O(1) */
	bool changed; /* the text was edited since ed_init or ed_set_utf8 */
	int wrap;     /* the width ed_view_lines last wrapped at; 0: not yet */
	int goal_col; /* the column ED_UP/ED_DOWN aim for across a run of them; -1: none */
};

/* An empty editor whose buffer comes from keys_secure_alloc (keys_init must
 * have run). maxbytes: FIELD_MAX_BYTES for fields, NOTE_MAX_BYTES for notes.
 * 0 on success, -1 if out of memory. */
int ed_init(struct editor *ed, size_t maxbytes, bool multiline);

/* Wipe and release the buffer; the editor is left zeroed (safe to free twice). */
void ed_free(struct editor *ed);

/* Replace the text, cursor at its end, scroll reset, ed_changed() false.
 * -1, with the editor unchanged, on invalid UTF-8 (overlong, surrogate, above
 * U+10FFFF, truncated), a NUL, more than maxbytes, or out of memory. */
int ed_set_utf8(struct editor *ed, const char *s, size_t len);

/* Write the text as UTF-8, NUL-terminated, cut at a character boundary if cap
 * is too small (out may be NULL when cap is 0). Returns the full length without
 * the NUL, like snprintf: the text fitted if the result is < cap. */
size_t ed_get_utf8(const struct editor *ed, char *out, size_t cap);

/* The UTF-8 length of the text in bytes, without a NUL. */
size_t ed_utf8_len(const struct editor *ed);

/* Apply one edit or move; ch is used by ED_INSERT only. Returns 0 when done;
 * 1 when refused or when there is nothing to do (the text, the cursor and the
 * scroll are then unchanged): a control character (C0, DEL, C1, U+2028/9), a
 * surrogate, U+FFFE/U+FFFF, text that would exceed maxbytes in UTF-8, a move past
 * either end, or ED_UP/ED_DOWN/ED_NEWLINE in single-line mode (so that a form
 * can take them to change field or submit). -1 if out of memory. */
int ed_apply(struct editor *ed, enum ed_op op, wchar_t ch);

/* Whether the text was edited since ed_init or ed_set_utf8, even if the edits
 * ended up restoring it: compare the values to know if they differ. */
bool ed_changed(const struct editor *ed);

/* Single-line view: the part of the text that shows in `width` display columns
 * and the cursor's column there. Whole clusters only: a wide character that
 * does not fit is left out, never cut. */
struct ed_view {
	size_t start, end; /* wchar indexes shown */
	int cursor_col;    /* 0 <= cursor_col < width (0 when width < 1) */
};

/* Fill v for `width` columns, updating ed->scroll so that the cursor stays
 * visible with a margin of up to a quarter of the width (at most 8 columns)
 * of text on either side, and no columns are left empty while text is hidden. */
void ed_view(struct editor *ed, int width, struct ed_view *v);

/* Multi-line view. Lines are soft-wrapped at `width` display columns: at the
 * last blank that fits, or between clusters when a word is wider than a row.
 * A row never includes its '\n'. When a line fills its last row exactly, one
 * more, empty, row follows so that the cursor at the line's end has a cell. */
struct ed_row {
	size_t start, end; /* wchar indexes shown on this screen row */
};

/* Fill rows[0..n) for the `height` screen rows, updating ed->scroll so that
 * the cursor's row is visible and the text fills the view when it can; returns
 * n (rows after it are blank) and the cursor's screen row and column. Also
 * remembers `width`, so that ED_UP/ED_DOWN then move by wrapped rows rather
 * than by lines. Nothing is filled when width or height is below 1. */
int ed_view_lines(struct editor *ed, int width, int height, struct ed_row *rows, int *cursor_row,
                  int *cursor_col);

/* Whether a screen draws c as U+FFFD, in one column: what wcwidth() calls
 * non-printable, and every character text_char_unsafe() names (controls,
 * bidi overrides and isolates, tags), which stored text may hold if it
 * predates the validators. The one test every drawing function uses. */
bool text_nonprint(wchar_t c);

/* Display width of n wide characters: the sum of wcwidth(), combining marks 0,
 * non-printables 1 (a screen shows them as a replacement character). */
int text_width(const wchar_t *s, size_t n);

/* How many bytes of the NUL-terminated UTF-8 string s fit in `width` columns
 * without splitting a character, a base from its combining marks, or a wide
 * character; *used (if not NULL) gets the columns they take. An invalid byte
 * counts as one non-printable character. */
size_t utf8_fit(const char *s, int width, int *used);

#endif
