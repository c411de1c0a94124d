/*
 * termkeys.h: private to tui/. What follows an Esc that curses did not
 * recognise: the CSI and SS3 sequences real terminals send for their keys
 * (PuTTY's defaults, xterm, rxvt, tmux and screen, the Linux console), read
 * one byte at a time. It needs no curses, so it is unit tested on its own;
 * input.c feeds it and turns its keys into curses' key codes.
 *
 * A sequence is always read to its end, whether it is known or not, so that
 * no part of it is ever taken for an Esc or typed into a field. An Esc
 * followed by anything else (Alt-x, Alt-Enter) is no key at all: only an Esc
 * with nothing after it is Esc.
 */
#ifndef MAPPE_TUI_TERMKEYS_H
#define MAPPE_TUI_TERMKEYS_H

#include <stdbool.h>

/* What tk_feed takes besides a byte: nothing came in time, or curses gave a
 * key of its own (Alt with a key that curses recognised). */
#define TK_TIMEOUT (-1)
#define TK_FNKEY   (-2)

enum tk_kind {
	TK_ESC,    /* a lone Esc */
	TK_CHAR,   /* a character: the keypad in application mode (ESC O p is 0) */
	TK_FN,     /* a key with no character: code is an enum tk_fn */
	TK_IGNORE, /* a sequence read whole that means nothing here */
};

enum tk_fn {
	TK_UP,
	TK_DOWN,
	TK_RIGHT,
	TK_LEFT,
	TK_HOME,
	TK_END,
	TK_INSERT,
	TK_DELETE,
	TK_PGUP,
	TK_PGDN,
	TK_BTAB,
	TK_F1, /* TK_F1 + n - 1 is Fn, up to F12 */
};
#define TK_F(n) (TK_F1 + (n)-1)

struct tk_key {
	enum tk_kind kind;
	int code; /* TK_CHAR: the character; TK_FN: the enum tk_fn */
};

/* Where the reader is in a sequence; zero it (or call tk_start) at an Esc. */
struct tk_parser {
	int state;
	int params[4]; /* CSI parameters, the first four, each at most 9999 */
	int nparams;   /* parameters started so far */
	bool odd;      /* a private marker or an intermediate: no key of ours */
	bool meta;     /* Esc before the sequence: Alt with the key */
};

/* Curses has just given a bare Esc: the parser waits for what follows. */
void tk_start(struct tk_parser *p);

/* Whether the parser is inside a sequence (or holds a second Esc) and wants
 * the next byte, or TK_TIMEOUT when none comes in time. */
bool tk_busy(const struct tk_parser *p);

/* How long to wait for the next byte, in milliseconds: briefly after a bare
 * Esc, whose wait for a lone Esc the user feels, and longer inside a
 * sequence, which a slow link may have split and which must be read whole. */
int tk_patience(const struct tk_parser *p);

/* One byte after the Esc (0..255; a wide character is above 255), TK_TIMEOUT
 * or TK_FNKEY. Returns true when a key is complete, in *out. After a TK_ESC,
 * the parser may still be busy: two Escs came together, and the second one
 * is read like the first. */
bool tk_feed(struct tk_parser *p, int c, struct tk_key *out);

#endif
